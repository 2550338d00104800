//! HAR 1.2 files as Chromium's and Firefox's DevTools export them ("Save all as HAR"), read as a
//! stream: `serde_json` walks `log.entries` one entry at a time, and every member this reader
//! does not name — response bodies (`content.text`), timings, cookies arrays — is skipped by
//! `IgnoredAny` without being allocated, so a 100 MB file costs what its request heads cost.
//!
//! Then: every cross-origin CORS request is found (the page's origin from its `Origin` header,
//! the page's document entry or `--origin`), each preflight (`OPTIONS` with
//! `Access-Control-Request-Method`) is paired with the request it was for, and what the browser
//! did is read back (blocked: status 0, or an `_error` / `_blocked_reason` member). `check`
//! replays the recorded responses through the engine — no network — and reports where the
//! engine's verdict differs from the browser's; `explain` explains each request.

use super::capture::{Captured, Imported, SAME_ORIGIN_TAKEN, import, report_of};
use crate::check::drive::{End, Step, StepKind, Trace};
use crate::check::imported::HarFacts;
use crate::check::request::CredentialsArg;
use crate::check::{CheckArgs, report};
use crate::explain::ExplainArgs;
use crate::http::ErrorKind;
use cors::agent::{Action, Fetch, PreflightCache, Profile, Request, Response};
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;
use std::io::{IsTerminal, Read, Write};
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

/// A name/value pair of the HAR.
#[derive(Clone, Debug, Deserialize)]
pub struct Pair {
    /// The name.
    pub name: String,
    /// The value.
    #[serde(default)]
    pub value: String,
}

/// `request.postData`: only its text is kept.
#[derive(Clone, Debug, Deserialize)]
struct PostData {
    #[serde(default)]
    text: Option<String>,
}

/// `entry.request`.
#[derive(Clone, Debug, Deserialize)]
pub struct HarRequest {
    /// The method.
    pub method: String,
    /// The URL.
    pub url: String,
    /// The header lines sent.
    #[serde(default)]
    pub headers: Vec<Pair>,
    #[serde(rename = "postData", default)]
    post_data: Option<PostData>,
}

/// `entry.response` (without its body: `content` is skipped unread).
#[derive(Clone, Debug, Deserialize)]
pub struct HarResponse {
    /// The status; 0 when the browser got none or blocked the request.
    #[serde(default, deserialize_with = "status")]
    pub status: u16,
    /// The header lines received.
    #[serde(default)]
    pub headers: Vec<Pair>,
    /// Chromium's error text (`net::ERR_FAILED`…): `_error` in DevTools' export,
    /// `_failureText` in playwright-core's `recordHar` (seen in a real recording, status -1).
    #[serde(rename = "_error", alias = "_failureText", default)]
    pub error: Option<String>,
    /// `redirectURL`: where a redirect pointed (empty when none).
    #[serde(rename = "redirectURL", default)]
    pub redirect_url: String,
    /// Why the browser blocked it, when recorded (`_blocked_reason`, `_blockedReason`).
    #[serde(rename = "_blocked_reason", alias = "_blockedReason", default)]
    pub blocked_reason: Option<String>,
}

fn status<'de, D: de::Deserializer<'de>>(d: D) -> Result<u16, D::Error> {
    // Browsers write -1 or 0 for "no response"; a string is seen in the wild too.
    let v = serde_json::Value::deserialize(d)?;
    Ok(match v {
        serde_json::Value::Number(n) => n.as_u64().and_then(|s| u16::try_from(s).ok()).unwrap_or(0),
        serde_json::Value::String(s) => s.parse().unwrap_or(0),
        _ => 0,
    })
}

/// One entry, its body left unread.
#[derive(Clone, Debug, Deserialize)]
pub struct Entry {
    /// The page it belongs to.
    #[serde(default)]
    pub pageref: Option<String>,
    /// When it started (ISO 8601).
    #[serde(rename = "startedDateTime", default)]
    pub started: String,
    /// The request.
    pub request: HarRequest,
    /// The response.
    pub response: HarResponse,
    /// Chromium's resource type (`document`, `fetch`, `xhr`, `preflight`…).
    #[serde(rename = "_resourceType", default)]
    pub resource_type: Option<String>,
    /// An entry-level error, as some exporters write it.
    #[serde(rename = "_error", default)]
    pub error: Option<String>,
}

impl Entry {
    fn header(&self, name: &str) -> Option<&str> {
        self.request
            .headers
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(name))
            .map(|p| p.value.as_str())
    }
    fn is_preflight(&self) -> bool {
        self.resource_type.as_deref() == Some("preflight")
            || (self.request.method.eq_ignore_ascii_case("OPTIONS")
                && self.header("access-control-request-method").is_some())
    }
    /// What the browser did: blocked (or failed) when it recorded an error or no status.
    pub fn browser_error(&self) -> Option<String> {
        let r = &self.response;
        r.blocked_reason
            .clone()
            .or(r.error.clone())
            .or(self.error.clone())
            .filter(|e| !e.is_empty())
            .or_else(|| (r.status == 0).then(|| "no response (status 0)".to_string()))
    }
}

/// A HAR file read: its entries (heads only) and where each page's document came from.
#[derive(Debug, Default)]
pub struct Har {
    /// `log.version`.
    pub version: String,
    /// `log.creator.name`, when given.
    pub creator: Option<String>,
    /// Every entry, in file order.
    pub entries: Vec<Entry>,
}

impl Har {
    /// Whether Firefox's DevTools wrote it (`log.creator.name` `Firefox`).
    pub fn is_firefox(&self) -> bool {
        self.creator
            .as_deref()
            .is_some_and(|n| n.eq_ignore_ascii_case("firefox"))
    }
}

/// Why a HAR file could not be read.
#[derive(Debug)]
pub struct HarError {
    /// `not-json`, `not-har`, `io`.
    pub code: &'static str,
    /// What is wrong, with the line and column for JSON errors.
    pub message: String,
}

impl fmt::Display for HarError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} [{}]", self.message, self.code)
    }
}

struct Root<'a>(&'a mut Har);
struct Log<'a>(&'a mut Har);
struct Entries<'a>(&'a mut Vec<Entry>);

#[derive(Deserialize)]
struct Creator {
    #[serde(default)]
    name: Option<String>,
}

impl<'de> DeserializeSeed<'de> for Root<'_> {
    type Value = bool;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Root<'_> {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a HAR object {\"log\": {…}}")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<bool, A::Error> {
        let mut seen = false;
        while let Some(k) = m.next_key::<String>()? {
            if k == "log" && !seen {
                seen = m.next_value_seed(Log(&mut *self.0))?;
            } else {
                m.next_value::<IgnoredAny>()?;
            }
        }
        Ok(seen)
    }
}

impl<'de> DeserializeSeed<'de> for Log<'_> {
    type Value = bool;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Log<'_> {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the HAR log object {\"version\", \"entries\", …}")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<bool, A::Error> {
        let mut entries = false;
        while let Some(k) = m.next_key::<String>()? {
            match k.as_str() {
                "version" => self.0.version = m.next_value()?,
                "creator" => self.0.creator = m.next_value::<Creator>()?.name,
                "entries" => {
                    m.next_value_seed(Entries(&mut self.0.entries))?;
                    entries = true;
                }
                _ => {
                    m.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(entries)
    }
}

impl<'de> DeserializeSeed<'de> for Entries<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Entries<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the array log.entries")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<(), A::Error> {
        while let Some(e) = s.next_element::<Entry>()? {
            self.0.push(e);
        }
        Ok(())
    }
}

/// Reads a HAR from a byte stream.
pub fn read(reader: impl Read) -> Result<Har, HarError> {
    let mut har = Har::default();
    let mut de =
        serde_json::Deserializer::from_reader(std::io::BufReader::with_capacity(1 << 16, reader));
    let json = |e: serde_json::Error| HarError {
        code: if e.is_io() {
            "io"
        } else if e.is_data() {
            "not-har"
        } else {
            "not-json"
        },
        message: format!(
            "line {}, column {}: {}",
            e.line(),
            e.column(),
            strip_position(&e.to_string())
        ),
    };
    let has_log = Root(&mut har).deserialize(&mut de).map_err(json)?;
    de.end().map_err(json)?;
    if !has_log {
        return Err(HarError {
            code: "not-har",
            message: "no `log` object, or no `log.entries`: not a HAR file".into(),
        });
    }
    if !matches!(har.version.as_str(), "1.2" | "1.1" | "") {
        return Err(HarError {
            code: "not-har",
            message: format!("log.version `{}`: HAR 1.2 is read", har.version),
        });
    }
    Ok(har)
}

fn strip_position(s: &str) -> &str {
    s.find(" at line ").map_or(s, |i| &s[..i])
}

/// One cross-origin request of the HAR with its preflight.
#[derive(Clone, Debug)]
pub struct Exchange {
    /// Index of the actual request's entry.
    pub actual: usize,
    /// Index of its preflight's entry, when one was recorded.
    pub preflight: Option<usize>,
    /// The entries of the later hops when the request was redirected, in order.
    pub hops: Vec<usize>,
    /// The page's origin.
    pub origin: String,
}

impl Exchange {
    /// What the browser did with the whole fetch: the error of the first entry of the redirect
    /// chain that has one (a blocked redirect records its error on the hop it stopped at, a
    /// real Chromium recording shows, not on the first entry), `None` when it went through.
    pub fn browser_error(&self, har: &Har) -> Option<String> {
        std::iter::once(self.actual)
            .chain(self.hops.iter().copied())
            .find_map(|k| har.entries[k].browser_error())
    }
    /// The entry the fetch ended at (its last redirect hop, else its own).
    pub fn last(&self) -> usize {
        self.hops.last().copied().unwrap_or(self.actual)
    }

    /// What the HAR records the browser did with this fetch (the whole redirect chain's
    /// verdict, the last hop's status); `agrees` is left for the caller that judged it.
    pub fn facts(&self, har: &Har) -> HarFacts {
        let browser_error = self.browser_error(har);
        HarFacts {
            entry: self.actual,
            preflight_entry: self.preflight,
            started: har.entries[self.actual].started.clone(),
            browser_status: har.entries[self.last()].response.status,
            browser_blocked: browser_error.is_some(),
            browser_error,
            agrees: None,
        }
    }
}

fn origin_of(url: &str) -> Option<String> {
    let u = url::Url::parse(url).ok()?;
    let o = u.origin();
    o.is_tuple().then(|| o.ascii_serialization())
}

fn is_document(e: &Entry) -> bool {
    e.resource_type.as_deref() == Some("document")
        || e.header("sec-fetch-dest")
            .is_some_and(|d| d.eq_ignore_ascii_case("document"))
}

/// Finds every cross-origin CORS request and pairs the preflights. `fallback`: `--origin`.
pub fn exchanges(har: &Har, fallback: Option<&str>) -> Vec<Exchange> {
    let mut page_origin: HashMap<&str, String> = HashMap::new();
    for e in &har.entries {
        if let (Some(p), true) = (e.pageref.as_deref(), is_document(e)) {
            if let Some(o) = origin_of(&e.request.url) {
                page_origin.entry(p).or_insert(o);
            }
        }
    }
    let mut used = vec![false; har.entries.len()];
    // The later hops of a redirect chain: each has its own entry (a real Chromium recording
    // shows them), but they are one fetch, judged from its first entry (`replay` follows them).
    let mut hop = vec![false; har.entries.len()];
    let mut next: Vec<Option<usize>> = vec![None; har.entries.len()];
    for (i, e) in har.entries.iter().enumerate() {
        let to = e.response.redirect_url.as_str();
        if to.is_empty() || !(300..400).contains(&e.response.status) || e.is_preflight() {
            continue;
        }
        let target = url::Url::parse(&e.request.url)
            .and_then(|base| base.join(to))
            .map(|u| u.to_string())
            .unwrap_or_else(|_| to.to_string());
        if let Some(k) = ((i + 1)..(i + 65).min(har.entries.len())).find(|&k| {
            !hop[k] && !har.entries[k].is_preflight() && har.entries[k].request.url == target
        }) {
            hop[k] = true;
            next[i] = Some(k);
        }
    }
    let mut out = Vec::new();
    for (i, e) in har.entries.iter().enumerate() {
        if e.is_preflight() || is_document(e) || hop[i] {
            continue;
        }
        let mode = e.header("sec-fetch-mode").map(str::to_ascii_lowercase);
        if matches!(mode.as_deref(), Some("navigate" | "no-cors" | "websocket")) {
            continue;
        }
        let cors_like = e.header("origin").is_some()
            || mode.as_deref() == Some("cors")
            || matches!(e.resource_type.as_deref(), Some("fetch" | "xhr"));
        if !cors_like {
            continue;
        }
        let origin = e
            .header("origin")
            .map(String::from)
            .or_else(|| {
                e.pageref
                    .as_deref()
                    .and_then(|p| page_origin.get(p).cloned())
            })
            .or_else(|| fallback.map(String::from))
            .or_else(|| e.header("referer").and_then(origin_of));
        let Some(origin) = origin else { continue };
        let mut hops = Vec::new();
        let mut at = i;
        while let Some(k) = next[at] {
            if hops.len() >= 64 {
                break;
            }
            hops.push(k);
            at = k;
        }
        // Same-origin all the way: no CORS. A fetch that starts same-origin and is redirected
        // to another origin is one (Fetch #http-redirect-fetch: the later hop's response gets
        // the CORS check), judged from its first entry like any other chain.
        let same_origin =
            |k: usize| origin_of(&har.entries[k].request.url).as_deref() == Some(origin.as_str());
        if same_origin(i) && hops.iter().all(|&k| same_origin(k)) {
            continue;
        }
        // The preflight: the nearest unpaired OPTIONS for the same URL, before (usually) or
        // just after (Chromium starts the actual request's entry first), asking for this
        // request's method and only for headers it has (Fetch #cors-preflight-fetch: the
        // preflight's Access-Control-Request-Method is the request's method and its
        // Access-Control-Request-Headers lists the request's unsafe header names). A later
        // fetch of the same URL served from the preflight cache has no preflight of its own
        // and must not take the next fetch's.
        let names: Vec<String> = e
            .request
            .headers
            .iter()
            .map(|p| p.name.to_ascii_lowercase())
            .collect();
        let asks_for_this = |p: &Entry| {
            p.header("access-control-request-method")
                .is_none_or(|m| m == e.request.method)
                && p.header("access-control-request-headers")
                    .into_iter()
                    .flat_map(|h| h.split(','))
                    .map(|n| n.trim().to_ascii_lowercase())
                    .filter(|n| !n.is_empty())
                    .all(|n| names.contains(&n))
        };
        let matches = |j: usize| {
            let p = &har.entries[j];
            !used[j] && p.is_preflight() && p.request.url == e.request.url && asks_for_this(p)
        };
        let before = (i.saturating_sub(64)..i).rev().find(|&j| matches(j));
        let preflight =
            before.or_else(|| ((i + 1)..(i + 65).min(har.entries.len())).find(|&j| matches(j)));
        if let Some(j) = preflight {
            used[j] = true;
        }
        out.push(Exchange {
            actual: i,
            preflight,
            hops,
            origin,
        });
    }
    out
}

/// The request the entry shows, as `check`/`explain` take it.
pub fn captured(e: &Entry) -> Captured {
    Captured {
        url: e.request.url.clone(),
        url_offset: 0,
        method: Some(e.request.method.clone()),
        headers: e
            .request
            .headers
            .iter()
            .map(|p| (p.name.clone(), p.value.clone()))
            .collect(),
        body: e.request.post_data.as_ref().and_then(|p| p.text.clone()),
        ..Captured::default()
    }
}

fn response_of(e: &Entry) -> Option<Response> {
    let r = &e.response;
    if r.status == 0 {
        return None;
    }
    let mut resp = Response::new(r.status);
    for p in &r.headers {
        if !p.name.starts_with(':') {
            resp = resp.with_header(&p.name, &p.value);
        }
    }
    Some(resp)
}

/// Seconds since the Unix epoch of an ISO 8601 time (`2026-12-07T03:30:00.123Z`, or with an
/// offset); `None` when it is not one.
pub fn parse_time(s: &str) -> Option<Duration> {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> { s.get(r)?.parse().ok() };
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' {
        return None;
    }
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, se) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let mut i = 19;
    let mut frac = 0.0;
    if b.get(i) == Some(&b'.') {
        let start = i;
        i += 1;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        frac = s.get(start..i)?.parse::<f64>().ok()?;
    }
    let offset = match b.get(i) {
        Some(b'Z') | None => 0,
        Some(&c @ (b'+' | b'-')) => {
            let oh = num(i + 1..i + 3)?;
            let om = num(i + 4..i + 6).unwrap_or(0);
            let v = oh * 3600 + om * 60;
            if c == b'+' { v } else { -v }
        }
        _ => return None,
    };
    // Days from the civil date (proleptic Gregorian).
    let (y2, m2) = if mo <= 2 {
        (y - 1, mo + 9)
    } else {
        (y, mo - 3)
    };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let doy = (153 * m2 + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let secs = days * 86_400 + h * 3600 + mi * 60 + se - offset;
    (secs >= 0).then(|| Duration::from_secs_f64(secs as f64 + frac))
}

fn missing(what: String) -> End {
    End::Network(crate::http::Error {
        kind: ErrorKind::NotRecorded,
        message: what,
    })
}

/// A preflight response that allows `out` (the engine's preflight request) for `origin`.
fn passing_preflight(out: &cors::agent::Outgoing, origin: &str) -> Response {
    let text = |n: &str| {
        out.header(n)
            .map(|v| String::from_utf8_lossy(v).into_owned())
    };
    // After a cross-origin redirect the preflight's Origin is `null`, not the page's.
    let origin = text("origin").unwrap_or_else(|| origin.to_string());
    let r = Response::new(204).with_header("Access-Control-Allow-Origin", origin);
    let mut r = r;
    if let Some(m) = text("access-control-request-method") {
        r = r.with_header("Access-Control-Allow-Methods", m);
    }
    if let Some(h) = text("access-control-request-headers") {
        r = r.with_header("Access-Control-Allow-Headers", h);
    }
    // A preflight never carries credentials itself (`out.include_credentials` is false), but
    // it must allow them when the request it is for has them; allowing them is harmless when
    // it has not.
    r.with_header("Access-Control-Allow-Credentials", "true")
}

/// Feeds the engine the responses the HAR recorded for one exchange: its preflight, its
/// actual request and, after a redirect, the entry of the next URL. No network.
///
/// A HAR may leave preflights out (playwright-core's `recordHar` does: a real Chromium
/// recording has no `OPTIONS` entries at all). When the engine wants a preflight the HAR does
/// not show but the HAR shows the actual request answered, the browser's preflight passed —
/// a browser sends the actual request only then (Fetch #cors-preflight-fetch) — so it is
/// replayed as a preflight response allowing exactly this request, and the second member
/// returned is `true`, so that the report says so.
pub fn replay(
    har: &Har,
    x: &Exchange,
    request: Request,
    profile: Profile,
    cache: &mut PreflightCache,
) -> (Trace, bool) {
    let mut inferred = false;
    let mut fetch = match Fetch::new(request, profile) {
        Ok(f) => f,
        Err(r) => {
            return (
                Trace {
                    plan: None,
                    steps: Vec::new(),
                    end: End::Refused(r),
                },
                false,
            );
        }
    };
    let plan = Some(fetch.plan().clone());
    let now = parse_time(&har.entries[x.actual].started).unwrap_or_default();
    let mut steps = Vec::new();
    let mut cursor = x.actual;
    let mut actual_hops = 0;
    for _ in 0..64 {
        let (kind, out) = match fetch.next_action(cache, now) {
            Action::SendPreflight(o) => (StepKind::Preflight, o),
            Action::SendActual(o) => (StepKind::Actual, o),
            Action::Done(result) => {
                return (
                    Trace {
                        plan,
                        steps,
                        end: End::Done(result),
                    },
                    inferred,
                );
            }
        };
        let entry = match kind {
            StepKind::Preflight if actual_hops == 0 => x.preflight,
            StepKind::Preflight => har.entries[cursor..]
                .iter()
                .position(|e| e.is_preflight() && e.request.url == out.url.as_str())
                .map(|k| cursor + k),
            StepKind::Actual if actual_hops == 0 => Some(x.actual),
            StepKind::Actual => har.entries[cursor + 1..]
                .iter()
                .position(|e| !e.is_preflight() && e.request.url == out.url.as_str())
                .map(|k| cursor + 1 + k),
        };
        if kind == StepKind::Actual {
            actual_hops += 1;
            if let Some(k) = entry {
                cursor = k;
            }
        }
        let mut response = entry.and_then(|k| response_of(&har.entries[k]));
        let answered = |e: &Entry| e.browser_error().is_none();
        // The entry of the request this missing preflight was for: the fetch's own at the
        // first hop, else the next entry for the hop's URL.
        let for_entry = || {
            if actual_hops == 0 {
                Some(x.actual)
            } else {
                har.entries[cursor + 1..]
                    .iter()
                    .position(|e| !e.is_preflight() && e.request.url == out.url.as_str())
                    .map(|k| cursor + 1 + k)
            }
        };
        if kind == StepKind::Preflight
            && entry.is_none()
            && for_entry().is_some_and(|k| answered(&har.entries[k]))
        {
            response = Some(passing_preflight(&out, &x.origin));
            inferred = true;
        }
        steps.push(Step {
            kind,
            sent: out,
            added: Vec::new(),
            body_len: 0,
            response: response.clone(),
            elapsed: Duration::ZERO,
        });
        let Some(response) = response else {
            let what = match (kind, entry) {
                (StepKind::Preflight, None) => "the HAR has no preflight for this request",
                (StepKind::Actual, None) => "the HAR has no entry for this request",
                _ => "the HAR records no response for this request",
            };
            return (
                Trace {
                    plan,
                    steps,
                    end: missing(what.into()),
                },
                inferred,
            );
        };
        fetch.on_response(response, cache, now);
    }
    (
        Trace {
            plan,
            steps,
            end: missing("too many requests for one fetch".into()),
        },
        inferred,
    )
}

/// Opens `path` (`-` for standard input) and reads it, with a progress bar on a terminal.
fn load(path: &Path) -> Result<Har, String> {
    let shown = path.display();
    if path == Path::new("-") {
        return read(std::io::stdin().lock()).map_err(|e| format!("--har -: {e}"));
    }
    let file = std::fs::File::open(path).map_err(|e| format!("--har {shown}: {e}"))?;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let bar = if std::io::stderr().is_terminal() && len > (4 << 20) {
        let b = indicatif::ProgressBar::with_draw_target(
            Some(len),
            indicatif::ProgressDrawTarget::stderr(),
        );
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "reading {msg} [{elapsed_precise}] {bar:30} {bytes}/{total_bytes}",
        ) {
            b.set_style(style);
        }
        b.set_message(shown.to_string());
        Some(b)
    } else {
        None
    };
    let reader = Progress {
        inner: file,
        bar: bar.clone(),
    };
    let har = read(reader).map_err(|e| format!("--har {shown}: {e}"));
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    har
}

struct Progress<R> {
    inner: R,
    bar: Option<indicatif::ProgressBar>,
}

impl<R: Read> Read for Progress<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(b) = &self.bar {
            b.inc(n as u64);
        }
        Ok(n)
    }
}

/// One exchange judged: the report and the HAR's facts.
fn judge(
    har: &Har,
    x: &Exchange,
    args: &CheckArgs,
    cache: &mut PreflightCache,
) -> Result<report::CheckReport, String> {
    let entry = &har.entries[x.actual];
    let mut base = args.request.clone();
    base.origin = Some(x.origin.clone());
    let imported: Imported = import(&captured(entry), &base)
        .map_err(|e| format!("entry {}: {}", x.actual, e.message))?;
    let url = url::Url::parse(&imported.url).map_err(|e| format!("entry {}: {e}", x.actual))?;
    let req = imported
        .args
        .to_request(url)
        .map_err(|e| format!("entry {}: {}", x.actual, e.0))?;
    let profile = imported.args.profile();
    // Chromium's DevTools keep only the renderer's provisional headers (no `Origin`, no
    // `Sec-Fetch-Mode`, no `Cookie`) for a request that never went out: blocked at its
    // preflight. Script's headers and method are there; its credentials mode is not.
    let provisional = entry.header("origin").is_none()
        && entry.header("sec-fetch-mode").is_none()
        && entry.header("cookie").is_none()
        && x.preflight.is_some()
        && imported.args.credentials != CredentialsArg::Include
        && x.browser_error(har).is_some();
    let before = provisional.then(|| cache.clone());
    let (trace, inferred) = replay(har, x, req.clone(), profile, cache);
    let mut imported = imported;
    let (mut req, mut trace) = (req, trace);
    if let Some(mut alt_cache) =
        before.filter(|_| matches!(&trace.end, End::Network(e) if e.kind == ErrorKind::NotRecorded))
    {
        // The recorded preflight lets a request without credentials through, yet the browser
        // never sent the request: judged again as `credentials: "include"`, the one option
        // the provisional headers hide. Taken only when that explains the browser's block.
        let mut alt = imported.clone();
        alt.args.credentials = CredentialsArg::Include;
        if let Ok(alt_req) = url::Url::parse(&imported.url)
            .map_err(|e| e.to_string())
            .and_then(|u| alt.args.to_request(u).map_err(|e| e.0))
        {
            let (alt_trace, _) = replay(har, x, alt_req.clone(), profile, &mut alt_cache);
            if matches!(&alt_trace.end, End::Done(Err(f)) if f.preflight) {
                alt.notes.retain(|n| n != SAME_ORIGIN_TAKEN);
                alt.notes.push(
                    "the HAR shows only provisional headers for this request (Chromium never sent it) and its recorded preflight allows it without credentials, so script asked for credentials: judged as credentials include".into(),
                );
                imported = alt;
                req = alt_req;
                trace = alt_trace;
                *cache = alt_cache;
            }
        }
    }
    if inferred {
        imported.notes.push(
            "the HAR records no preflight for this request (playwright's HAR leaves preflights out), but the browser sent the request, so its preflight passed: replayed as passed".into(),
        );
    }
    let mut r = report::build(&imported.args, &req, profile, &trace);
    let mut facts = x.facts(har);
    let blocked = facts.browser_blocked;
    let agrees = match r.verdict {
        "allowed" => Some(!blocked),
        "blocked" | "refused" => Some(blocked),
        _ => None,
    };
    if agrees == Some(false) && !blocked && har.is_firefox() {
        imported.notes.push(
            "Firefox's HAR export records no CORS block of an answered request (the entry keeps its status and headers and has no error field): check the console for \"Cross-Origin Request Blocked\" before taking this difference as Firefox's".into(),
        );
    }
    let mut ir = report_of("har", &imported);
    facts.agrees = agrees;
    ir.har = Some(facts);
    r.imported = Some(ir);
    Ok(r)
}

fn facts(r: &report::CheckReport) -> Option<&HarFacts> {
    r.imported.as_ref().and_then(|i| i.har.as_ref())
}

/// Writes the reports as one pretty-printed JSON array, element by element as they are made, so
/// no report is kept once written (the output is the same as serializing the whole list).
fn write_json_array<T: Serialize>(
    out: impl Write,
    items: impl Iterator<Item = T>,
) -> Result<(), String> {
    use serde::ser::{SerializeSeq, Serializer};
    let mut w = std::io::BufWriter::with_capacity(1 << 16, out);
    let mut ser = serde_json::Serializer::pretty(&mut w);
    let mut seq = ser.serialize_seq(None).map_err(|e| e.to_string())?;
    for item in items {
        seq.serialize_element(&item).map_err(|e| e.to_string())?;
    }
    seq.end().map_err(|e| e.to_string())?;
    w.write_all(b"\n").map_err(|e| e.to_string())?;
    w.flush().map_err(|e| e.to_string())
}

/// `cors check --har FILE`: every cross-origin request replayed through the engine, reported as it
/// is judged (a HAR of 20 000 entries never holds 20 000 reports).
pub fn run_check(args: &CheckArgs, path: &Path) -> ExitCode {
    use std::cell::Cell;
    let fail = |m: &str| {
        eprintln!("cors check: {m}");
        ExitCode::from(crate::check::EXIT_ERROR)
    };
    let har = match load(path) {
        Ok(h) => h,
        Err(e) => return fail(&e),
    };
    let xs = exchanges(&har, args.request.origin.as_deref());
    let mut cache = PreflightCache::new(args.request.profile());
    let (skipped, differ, any_blocked) = (Cell::new(0usize), Cell::new(0usize), Cell::new(false));
    let failed = |r: &report::CheckReport| {
        r.verdict != "allowed"
            || facts(r).is_some_and(|f| f.browser_blocked || f.agrees != Some(true))
    };
    let reports = xs
        .iter()
        .filter_map(|x| match judge(&har, x, args, &mut cache) {
            Ok(r) => {
                any_blocked.set(any_blocked.get() || r.verdict != "allowed");
                if facts(&r).is_some_and(|f| f.agrees == Some(false)) {
                    differ.set(differ.get() + 1);
                }
                (!args.devtools.only_failures || failed(&r)).then_some(r)
            }
            Err(e) => {
                skipped.set(skipped.get() + 1);
                eprintln!("cors check: --har: skipped {e}");
                None
            }
        });
    let stdout = std::io::stdout();
    if args.json {
        if let Err(e) = write_json_array(stdout.lock(), reports) {
            return fail(&format!("cannot write the reports: {e}"));
        }
    } else {
        let mut out = std::io::BufWriter::new(stdout.lock());
        let s = crate::check::human::Style::new(crate::lint::use_color());
        let _ = writeln!(
            out,
            "{b}{}{x}: {} entries, {} cross-origin request(s)\n",
            path.display(),
            har.entries.len(),
            xs.len(),
            b = s.bold,
            x = s.reset
        );
        for r in reports {
            let Some(f) = facts(&r) else { continue };
            let browser = if f.browser_blocked {
                format!(
                    "the browser blocked it ({})",
                    f.browser_error.as_deref().unwrap_or("")
                )
            } else {
                format!("the browser let it through (status {})", f.browser_status)
            };
            let judged = match f.agrees {
                Some(true) => format!("{}the engine agrees{}", s.green, s.reset),
                Some(false) => format!(
                    "{b}{red}DIFFERENT: the engine says {}{x}",
                    r.verdict,
                    b = s.bold,
                    red = s.red,
                    x = s.reset
                ),
                None => format!(
                    "{}the HAR lacks a response the engine needs{}",
                    s.yellow, s.reset
                ),
            };
            let _ = writeln!(
                out,
                "{b}── entry {}{} · {}{x}\n{browser}; {judged}.",
                f.entry,
                f.preflight_entry
                    .map(|p| format!(" (preflight: entry {p})"))
                    .unwrap_or_default(),
                f.started,
                b = s.bold,
                x = s.reset
            );
            let _ = out.write_all(crate::check::human::render(&r, s).as_bytes());
            let _ = writeln!(out);
        }
        let (d, k) = (differ.get(), skipped.get());
        if d > 0 || k > 0 {
            let mut parts = Vec::new();
            if d > 0 {
                parts.push(format!(
                    "{b}{d} judged differently by the engine than the browser did{x}",
                    b = s.bold,
                    x = s.reset
                ));
            }
            if k > 0 {
                parts.push(format!("{k} skipped"));
            }
            let _ = writeln!(out, "{}: {}", path.display(), parts.join(", "));
        }
        let _ = out.flush();
    }
    if any_blocked.get() {
        ExitCode::from(crate::check::EXIT_BLOCKED)
    } else {
        ExitCode::from(crate::check::EXIT_ALLOWED)
    }
}

/// One entry explained offline, with the HAR's facts; `None` (and a note) when it cannot be read.
fn explain_entry(
    har: &Har,
    x: &Exchange,
    args: &ExplainArgs,
) -> Option<crate::explain::Explanation> {
    let entry = &har.entries[x.actual];
    let mut base = args.request.clone();
    base.origin = Some(x.origin.clone());
    let skip = |why: &str| eprintln!("cors explain: --har: skipped entry {}: {why}", x.actual);
    let imported = import(&captured(entry), &base)
        .map_err(|e| skip(&e.message))
        .ok()?;
    let url = url::Url::parse(&imported.url)
        .map_err(|e| skip(&e.to_string()))
        .ok()?;
    let req = imported.args.to_request(url).map_err(|e| skip(&e.0)).ok()?;
    let facts = x.facts(har);
    if args.devtools.only_failures && !facts.browser_blocked {
        return None;
    }
    let mut e = crate::explain::explain(&imported.args, &req);
    let mut ir = report_of("har", &imported);
    ir.har = Some(facts);
    e.imported = Some(ir);
    Some(e)
}

/// `cors explain --har FILE`: each cross-origin request explained, offline, as it is read.
pub fn run_explain(args: &ExplainArgs, path: &Path) -> ExitCode {
    let fail = |m: &str| {
        eprintln!("cors explain: {m}");
        ExitCode::from(2)
    };
    let har = match load(path) {
        Ok(h) => h,
        Err(e) => return fail(&e),
    };
    let xs = exchanges(&har, args.request.origin.as_deref());
    let list = xs.iter().filter_map(|x| explain_entry(&har, x, args));
    let stdout = std::io::stdout();
    if args.json {
        if let Err(e) = write_json_array(stdout.lock(), list) {
            return fail(&format!("cannot write the reports: {e}"));
        }
    } else {
        let mut out = std::io::BufWriter::new(stdout.lock());
        let s = crate::check::human::Style::new(crate::lint::use_color());
        let _ = writeln!(
            out,
            "{}: {} entries, {} cross-origin request(s)\n",
            path.display(),
            har.entries.len(),
            xs.len()
        );
        for e in list {
            if let Some(f) = e.imported.as_ref().and_then(|i| i.har.as_ref()) {
                let _ = writeln!(
                    out,
                    "{b}── entry {} · {}{x}",
                    f.entry,
                    if f.browser_blocked {
                        "blocked in the browser"
                    } else {
                        "allowed in the browser"
                    },
                    b = s.bold,
                    x = s.reset
                );
            }
            let _ = out.write_all(crate::explain::render(&e, s).as_bytes());
            let _ = writeln!(out);
        }
        let _ = out.flush();
    }
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    const HAR: &str = r#"{"log": {"version": "1.2", "creator": {"name": "t", "version": "1"},
      "pages": [{"id": "p1"}],
      "entries": [
        {"pageref": "p1", "startedDateTime": "2026-01-01T00:00:00.000Z", "_resourceType": "document",
         "request": {"method": "GET", "url": "https://app.example/", "headers": []},
         "response": {"status": 200, "headers": [], "content": {"text": "<html>"}}},
        {"pageref": "p1", "startedDateTime": "2026-01-01T00:00:01.000Z",
         "request": {"method": "OPTIONS", "url": "https://api.example/x", "headers": [
            {"name": "Origin", "value": "https://app.example"},
            {"name": "Access-Control-Request-Method", "value": "PUT"}]},
         "response": {"status": 204, "headers": [{"name": "Access-Control-Allow-Origin", "value": "https://app.example"}]}},
        {"pageref": "p1", "startedDateTime": "2026-01-01T00:00:01.100Z", "_resourceType": "fetch",
         "request": {"method": "PUT", "url": "https://api.example/x", "headers": [
            {"name": "Origin", "value": "https://app.example"}, {"name": "sec-fetch-mode", "value": "cors"}]},
         "response": {"status": 0, "headers": [], "_error": "net::ERR_FAILED", "content": {"size": 0}}},
        {"pageref": "p1", "startedDateTime": "2026-01-01T00:00:02.000Z", "_resourceType": "xhr",
         "request": {"method": "GET", "url": "https://api.example/y", "headers": []},
         "response": {"status": 200, "headers": [{"name": "access-control-allow-origin", "value": "*"}],
                      "content": {"text": "a long body that is skipped"}}}
      ]}}"#;

    #[test]
    fn entries_preflights_and_page_origins() {
        let har = read(HAR.as_bytes()).unwrap();
        assert_eq!(har.entries.len(), 4);
        let xs = exchanges(&har, None);
        assert_eq!(xs.len(), 2);
        assert_eq!((xs[0].actual, xs[0].preflight), (2, Some(1)));
        assert_eq!(xs[1].origin, "https://app.example"); // from the document entry
        assert_eq!(
            har.entries[2].browser_error().as_deref(),
            Some("net::ERR_FAILED")
        );
        assert_eq!(har.entries[3].browser_error(), None);
    }

    fn entry(
        kind: &str,
        method: &str,
        url: &str,
        req: &[(&str, &str)],
        status: u16,
        resp: &[(&str, &str)],
        error: Option<&str>,
    ) -> serde_json::Value {
        let pairs = |h: &[(&str, &str)]| {
            h.iter()
                .map(|(n, v)| serde_json::json!({"name": n, "value": v}))
                .collect::<Vec<_>>()
        };
        serde_json::json!({"_resourceType": kind, "startedDateTime": "2026-01-01T00:00:00.000Z",
            "request": {"method": method, "url": url, "headers": pairs(req)},
            "response": {"status": status, "headers": pairs(resp), "_error": error,
                "redirectURL": resp.iter().find(|(n, _)| *n == "Location").map_or("", |(_, v)| v)}})
    }

    fn har_of(entries: Vec<serde_json::Value>) -> Har {
        let text = serde_json::json!({"log": {"version": "1.2", "entries": entries}}).to_string();
        read(text.as_bytes()).unwrap()
    }

    const O: (&str, &str) = ("Origin", "https://app.example");
    const CORS: (&str, &str) = ("Sec-Fetch-Mode", "cors");

    /// A real Chromium recording (DevTools protocol) of a redirect CORS then blocked: the
    /// first entry is the 302, answered; the error is on the hop the browser stopped at.
    #[test]
    fn a_redirect_blocked_at_a_later_hop_is_blocked() {
        let har = har_of(vec![
            entry(
                "fetch",
                "GET",
                "https://api.example/0",
                &[O, CORS],
                302,
                &[
                    ("Location", "https://other.example/1"),
                    ("Access-Control-Allow-Origin", "https://app.example"),
                ],
                None,
            ),
            entry(
                "fetch",
                "GET",
                "https://other.example/1",
                &[("Origin", "null"), CORS],
                200,
                &[("Access-Control-Allow-Origin", "https://app.example")],
                Some("net::ERR_FAILED"),
            ),
        ]);
        let xs = exchanges(&har, None);
        assert_eq!(xs.len(), 1);
        assert_eq!(xs[0].hops, vec![1]);
        assert_eq!(xs[0].last(), 1);
        assert_eq!(har.entries[0].browser_error(), None);
        assert_eq!(
            xs[0].browser_error(&har).as_deref(),
            Some("net::ERR_FAILED")
        );
    }

    /// Chromium starts the actual request's entry before its preflight's, and a fetch served
    /// from the preflight cache has none: a cached `PUT` with `X-A` must not take the preflight
    /// that follows it for the next fetch's `X-B` (a real recording of `cache-header-entries`).
    /// Fetch #http-redirect-fetch: a fetch that starts same-origin and is redirected to another
    /// origin is a CORS request from that hop on; same-origin all the way is none.
    #[test]
    fn a_same_origin_fetch_redirected_to_another_origin_is_judged() {
        let page = entry(
            "document",
            "GET",
            "https://app.example/",
            &[],
            200,
            &[],
            None,
        );
        let hop = |url: &str, to: &str| {
            entry("fetch", "GET", url, &[CORS], 302, &[("Location", to)], None)
        };
        let end = |url: &str| {
            entry(
                "fetch",
                "GET",
                url,
                &[O, CORS],
                200,
                &[("Access-Control-Allow-Origin", "https://app.example")],
                None,
            )
        };
        let mut entries = vec![
            page.clone(),
            hop("https://app.example/r", "https://api.example/x"),
            end("https://api.example/x"),
        ];
        for e in &mut entries {
            e["pageref"] = "p".into();
        }
        let har = har_of(entries);
        let xs = exchanges(&har, None);
        assert_eq!(xs.len(), 1);
        assert_eq!((xs[0].actual, xs[0].hops.clone()), (1, vec![2]));
        assert_eq!(xs[0].origin, "https://app.example");
        let mut entries = vec![
            page,
            hop("https://app.example/r", "https://app.example/y"),
            end("https://app.example/y"),
        ];
        for e in &mut entries {
            e["pageref"] = "p".into();
        }
        assert!(exchanges(&har_of(entries), None).is_empty());
    }

    #[test]
    fn a_cached_fetch_does_not_take_the_next_fetchs_preflight() {
        let pf = |h: &str| {
            entry(
                "preflight",
                "OPTIONS",
                "https://api.example/x",
                &[
                    O,
                    ("Access-Control-Request-Method", "PUT"),
                    ("Access-Control-Request-Headers", h),
                ],
                204,
                &[],
                None,
            )
        };
        let put = |h: &str| {
            entry(
                "fetch",
                "PUT",
                "https://api.example/x",
                &[O, CORS, (h, "1")],
                200,
                &[],
                None,
            )
        };
        let har = har_of(vec![
            pf("x-a"),
            put("X-A"),
            put("X-A"),
            pf("x-b"),
            put("X-B"),
        ]);
        let xs = exchanges(&har, None);
        let pairs: Vec<_> = xs.iter().map(|x| (x.actual, x.preflight)).collect();
        assert_eq!(pairs, vec![(1, Some(0)), (2, None), (4, Some(3))]);
        // And a preflight for another method is not this request's.
        let har = har_of(vec![
            entry(
                "preflight",
                "OPTIONS",
                "https://api.example/x",
                &[O, ("Access-Control-Request-Method", "DELETE")],
                204,
                &[],
                None,
            ),
            put("X-A"),
        ]);
        assert_eq!(exchanges(&har, None)[0].preflight, None);
    }

    #[derive(clap::Parser)]
    struct T {
        #[command(flatten)]
        c: CheckArgs,
    }

    /// A real Chromium recording of `pf-cred-star`: the blocked `PUT` has only the renderer's
    /// provisional headers (no Origin, Sec-Fetch-Mode or Cookie: it never went out) and comes
    /// before its preflight, which answered `Access-Control-Allow-Origin: *`. Judged without
    /// credentials the preflight passes and the HAR has no answer to replay; the one option the
    /// provisional headers hide, credentials include, explains the block, and is said.
    #[test]
    fn provisional_headers_of_a_request_blocked_at_its_preflight() {
        use clap::Parser;
        let page = ("Referer", "https://app.example/");
        let har = har_of(vec![
            entry(
                "document",
                "GET",
                "https://app.example/",
                &[],
                200,
                &[],
                None,
            ),
            entry(
                "fetch",
                "PUT",
                "https://api.example/x",
                &[page, ("x-a", "1")],
                0,
                &[],
                Some("net::ERR_FAILED"),
            ),
            entry(
                "preflight",
                "OPTIONS",
                "https://api.example/x",
                &[
                    O,
                    CORS,
                    page,
                    ("Access-Control-Request-Method", "PUT"),
                    ("Access-Control-Request-Headers", "x-a"),
                ],
                204,
                &[
                    ("Access-Control-Allow-Origin", "*"),
                    ("Access-Control-Allow-Methods", "PUT"),
                    ("Access-Control-Allow-Headers", "X-A"),
                    ("Access-Control-Allow-Credentials", "true"),
                ],
                None,
            ),
        ]);
        let args = T::parse_from(["t", "--har", "x.har"]).c;
        let xs = exchanges(&har, None);
        assert_eq!((xs[0].actual, xs[0].preflight), (1, Some(2)));
        let mut cache = PreflightCache::new(args.request.profile());
        let r = judge(&har, &xs[0], &args, &mut cache).unwrap();
        assert_eq!(r.verdict, "blocked");
        let f = r.imported.as_ref().unwrap();
        assert_eq!(f.har.as_ref().unwrap().agrees, Some(true));
        assert!(
            f.notes
                .iter()
                .any(|n| n.contains("judged as credentials include")),
            "{:?}",
            f.notes
        );
        // The same request answered (so it was sent): no such inference.
        let mut answered = har_of(vec![
            entry(
                "fetch",
                "PUT",
                "https://api.example/x",
                &[O, CORS, ("x-a", "1")],
                200,
                &[("Access-Control-Allow-Origin", "https://app.example")],
                None,
            ),
            entry(
                "preflight",
                "OPTIONS",
                "https://api.example/x",
                &[
                    O,
                    CORS,
                    ("Access-Control-Request-Method", "PUT"),
                    ("Access-Control-Request-Headers", "x-a"),
                ],
                204,
                &[
                    ("Access-Control-Allow-Origin", "*"),
                    ("Access-Control-Allow-Methods", "PUT"),
                    ("Access-Control-Allow-Headers", "X-A"),
                ],
                None,
            ),
        ]);
        answered.creator = None;
        let xs = exchanges(&answered, None);
        let r = judge(&answered, &xs[0], &args, &mut cache).unwrap();
        assert_eq!(r.verdict, "allowed");
        let notes = r.imported.unwrap().notes;
        assert!(
            !notes
                .iter()
                .any(|n| n.contains("judged as credentials include")),
            "{notes:?}"
        );
    }

    /// Firefox's Network Monitor export (a real one: `creator.name` is `Firefox`) is told apart,
    /// since it records no CORS block of an answered request.
    #[test]
    fn firefox_exports_are_recognised() {
        let text = r#"{"log": {"version": "1.2", "creator": {"name": "Firefox", "version": "153.8.0"}, "entries": []}}"#;
        assert!(read(text.as_bytes()).unwrap().is_firefox());
        assert!(!read(HAR.as_bytes()).unwrap().is_firefox());
        let chromium = r#"{"log": {"version": "1.2", "creator": {"name": "WebInspector", "version": "537.36"}, "entries": []}}"#;
        assert!(!read(chromium.as_bytes()).unwrap().is_firefox());
    }

    #[test]
    fn errors_name_line_and_column() {
        let e = read(&b"{\"log\": {\"entries\": [}"[..]).unwrap_err();
        assert_eq!(e.code, "not-json");
        assert!(e.message.starts_with("line 1, column 22"), "{}", e.message);
        assert_eq!(read(&b"{\"x\": 1}"[..]).unwrap_err().code, "not-har");
        assert_eq!(read(&b"[1]"[..]).unwrap_err().code, "not-har");
        let e = read(&b"{\"log\": {\"version\": \"2.0\", \"entries\": []}}"[..]).unwrap_err();
        assert_eq!(e.code, "not-har");
        let e = read(&b"{\"log\": {\"entries\": [{\"request\": 1}]}}"[..]).unwrap_err();
        assert_eq!(e.code, "not-har");
    }

    /// The array written element by element is byte for byte the serialized list, for no, one and
    /// several elements (the `--json` contract: the same objects one request prints, in an array).
    #[test]
    fn streamed_array_is_the_serialized_list() {
        let rows: Vec<Vec<serde_json::Value>> = vec![
            vec![],
            vec![serde_json::json!({"verdict": "allowed", "steps": [1, 2]})],
            vec![
                serde_json::json!({"a": {"b": [true, null]}}),
                serde_json::json!([]),
                serde_json::json!("x"),
            ],
        ];
        for items in rows {
            let mut out = Vec::new();
            write_json_array(&mut out, items.iter()).unwrap();
            let want = serde_json::to_string_pretty(&items).unwrap() + "\n";
            assert_eq!(String::from_utf8(out).unwrap(), want);
        }
    }

    #[test]
    fn times() {
        assert_eq!(
            parse_time("1970-01-01T00:00:01.500Z"),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(
            parse_time("2026-12-07T03:30:00+01:00"),
            parse_time("2026-12-07T02:30:00Z")
        );
        assert_eq!(
            parse_time("2026-12-07T02:30:00Z").map(|d| d.as_secs()),
            Some(1_796_610_600)
        );
        assert_eq!(parse_time("yesterday"), None);
    }
}
