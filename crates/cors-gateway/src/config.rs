//! The gateway's configuration file: listeners, an admin listener, upstreams, limits and routes
//! (a path prefix or glob → a CORS policy); its validation, every problem located; route patterns.
//!
//! ```toml
//! [[listeners]]
//! address = "127.0.0.1:8080"
//! # tls = { certificate = "cert.pem", private_key = "key.pem" }   # paths relative to this file
//!
//! [admin]                          # optional: GET /metrics (Prometheus) and /healthz
//! address = "127.0.0.1:9090"
//!
//! [upstreams.app]
//! url = "http://127.0.0.1:3000"
//! connect_timeout = "2s"           # → 502 when exceeded
//! response_timeout = "30s"         # until the upstream's response head → 504
//! pool_idle_timeout = "90s"        # idle keep-alive connections are reused until then
//! pool_max_idle = 256              # idle connections kept, per worker thread
//!
//! [limits]
//! max_connections = 10000
//! max_connections_per_worker = 5000  # default: max_connections shared out over the workers
//! max_header_bytes = 65536         # request head size (HTTP/1.1) or header list size (HTTP/2) → 431
//! max_headers = 100                # → 431
//! header_read_timeout = "10s"      # a client must send its request head within this (trickling does not extend it) → 408
//! send_timeout = "60s"             # an answer that makes no progress this long (the client stops reading) → close
//! request_timeout = "60s"          # from request head to response head → 504
//! shutdown_timeout = "30s"         # on SIGTERM, in-flight requests get this long to finish
//!
//! [[routes]]
//! path = "/api/"                   # a prefix (on a segment boundary), or:
//! # glob = "/files/**/*.json"      # `*` within a segment, `**` across segments, `?` one character
//! upstream = "app"
//! upstream_cors_headers = "replace"  # or "keep": the upstream's own CORS headers win where present
//! [routes.policy]                  # a CORS policy, exactly as `cors lint` checks it
//! allowed_origins = ["https://app.example.com"]
//! ```

use crate::diag::{Diagnostic, Severity, lint_policy_table};
use cors::policy::PolicyConfig;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;
use toml::de::{DeTable, DeValue};

/// The top-level keys of a gateway file; `cors lint` recognises a gateway file by them.
pub const TOP_LEVEL_KEYS: &[&str] = &["listeners", "admin", "upstreams", "limits", "routes"];

/// The whole gateway file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GatewayConfig {
    /// Where browsers connect.
    pub listeners: Vec<ListenerConfig>,
    /// The admin listener (`/metrics`, `/healthz`).
    #[serde(default)]
    pub admin: Option<AdminConfig>,
    /// Named upstreams.
    #[serde(default)]
    pub upstreams: BTreeMap<String, UpstreamConfig>,
    /// Limits and timeouts.
    #[serde(default)]
    pub limits: Limits,
    /// Path → upstream and policy.
    pub routes: Vec<RouteConfig>,
}

/// One listener.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ListenerConfig {
    /// `IP:port`.
    pub address: SocketAddr,
    /// TLS termination.
    #[serde(default)]
    pub tls: Option<TlsConfig>,
}

/// Certificate files for TLS termination (PEM).
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TlsConfig {
    /// The certificate chain, leaf first.
    pub certificate: PathBuf,
    /// The private key (PKCS#8, PKCS#1 or SEC1).
    pub private_key: PathBuf,
}

/// The admin listener.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AdminConfig {
    /// `IP:port`.
    pub address: SocketAddr,
}

/// One upstream.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct UpstreamConfig {
    /// `http://host:port`.
    pub url: String,
    /// TCP connect timeout.
    #[serde(default = "d2s")]
    pub connect_timeout: Dur,
    /// Time allowed until the upstream's response head.
    #[serde(default = "d30s")]
    pub response_timeout: Dur,
    /// How long idle keep-alive connections are kept.
    #[serde(default = "d90s")]
    pub pool_idle_timeout: Dur,
    /// Idle connections kept, per worker thread.
    #[serde(default = "d256")]
    pub pool_max_idle: usize,
}

/// Limits and timeouts.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Concurrent client connections; more wait in the accept queue.
    pub max_connections: usize,
    /// Concurrent client connections on one worker thread; a worker at its limit gets no new
    /// ones (they go to the others, or wait in the accept queue). Default: `max_connections`
    /// shared out over the workers, rounded up.
    pub max_connections_per_worker: Option<usize>,
    /// Request head bytes (HTTP/1.1), header list size (HTTP/2).
    pub max_header_bytes: usize,
    /// Request header fields.
    pub max_headers: usize,
    /// Time to receive a request head, counted from when the gateway starts waiting for it
    /// (the connection's start, or the end of the previous answer): bytes that trickle in do
    /// not extend it.
    pub header_read_timeout: Dur,
    /// Time an HTTP/1.x answer may make no progress (the client reads nothing, or the body
    /// stalls) before the connection is closed; nginx's `send_timeout`. HTTP/2 connections
    /// whose client stops reading fail the keep-alive PING within the same time.
    pub send_timeout: Dur,
    /// Time from request head to response head.
    pub request_timeout: Dur,
    /// Drain time on shutdown.
    pub shutdown_timeout: Dur,
    /// Forward request fields whose names read as `Transfer-Encoding` or `Content-Length`
    /// once `_` is taken for `-` (e.g. `Transfer_Encoding`);
    /// off by default, when such a request is refused with 400.
    pub allow_underscore_framing_lookalikes: bool,
}

impl Limits {
    /// The limits the HTTP/1.x request-head parser applies.
    pub fn head(&self) -> crate::wire::HeadLimits {
        crate::wire::HeadLimits {
            max_headers: self.max_headers,
            max_header_bytes: self.max_header_bytes,
            allow_underscore_framing_lookalikes: self.allow_underscore_framing_lookalikes,
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_connections: 10_000,
            max_connections_per_worker: None,
            max_header_bytes: 64 * 1024,
            max_headers: 100,
            header_read_timeout: Dur(Duration::from_secs(10)),
            send_timeout: Dur(Duration::from_secs(60)),
            request_timeout: Dur(Duration::from_secs(60)),
            shutdown_timeout: Dur(Duration::from_secs(30)),
            allow_underscore_framing_lookalikes: false,
        }
    }
}

fn d2s() -> Dur {
    Dur(Duration::from_secs(2))
}
fn d30s() -> Dur {
    Dur(Duration::from_secs(30))
}
fn d90s() -> Dur {
    Dur(Duration::from_secs(90))
}
fn d256() -> usize {
    256
}

/// What happens to CORS headers the upstream sent itself.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum HeaderMode {
    /// Remove them; the route's policy answers alone.
    #[default]
    Replace,
    /// A response that carries `Access-Control-Allow-Origin` passes untouched; others get the policy's headers.
    Keep,
}

/// One route.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RouteConfig {
    /// A name for logs and metrics (default: the pattern).
    #[serde(default)]
    pub name: Option<String>,
    /// A path prefix.
    #[serde(default)]
    pub path: Option<String>,
    /// A path glob.
    #[serde(default)]
    pub glob: Option<String>,
    /// The upstream's name.
    pub upstream: String,
    /// Keep or replace the upstream's CORS headers.
    #[serde(default)]
    pub upstream_cors_headers: HeaderMode,
    /// The CORS policy.
    pub policy: PolicyConfig,
}

impl RouteConfig {
    /// The route's pattern.
    pub fn pattern(&self) -> PathPattern {
        match (&self.path, &self.glob) {
            (Some(p), _) => PathPattern::Prefix(p.clone()),
            (None, Some(g)) => PathPattern::glob(g),
            (None, None) => PathPattern::Prefix("/".into()),
        }
    }
    /// The name used in logs and metrics.
    pub fn display_name(&self) -> String {
        self.name
            .clone()
            .or_else(|| self.path.clone())
            .or_else(|| self.glob.clone())
            .unwrap_or_default()
    }
}

/// A duration written as `"20us"`, `"500ms"`, `"2s"`, `"1m"` or `"1h"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dur(pub Duration);

impl<'de> Deserialize<'de> for Dur {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        parse_duration(&s)
            .map(Dur)
            .ok_or_else(|| serde::de::Error::custom(format!("`{s}` is not a duration")))
    }
}

/// Parses `"20us"`, `"250ms"`, `"2s"`, `"1.5s"`, `"5m"`, `"1h"`.
pub fn parse_duration(s: &str) -> Option<Duration> {
    let s = s.trim();
    let split = s.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    let (num, unit) = s.split_at(split);
    let n: f64 = num.parse().ok()?;
    let secs = match unit {
        "us" | "µs" => n / 1e6,
        "ms" => n / 1000.0,
        "s" => n,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        _ => return None,
    };
    (0.0..1e9)
        .contains(&secs)
        .then(|| Duration::from_secs_f64(secs))
}

// ---------------------------------------------------------------------------------------------
// Route patterns

/// A route's path pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathPattern {
    /// Matches the path itself and everything below it on a segment boundary: `/api` matches
    /// `/api`, `/api/x`, not `/apix`; `/api/` matches `/api/` and `/api/x`.
    Prefix(String),
    /// `*` matches within one segment, `**` across segments, `?` one character but `/`.
    Glob(String, Vec<GlobToken>),
}

/// One element of a glob.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GlobToken {
    /// A literal byte.
    Lit(u8),
    /// `?`
    One,
    /// `*`
    Star,
    /// `**`
    DoubleStar,
}

impl PathPattern {
    /// Compiles a glob.
    pub fn glob(g: &str) -> PathPattern {
        let b = g.as_bytes();
        let mut tokens = Vec::with_capacity(b.len());
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'*' if b.get(i + 1) == Some(&b'*') => {
                    tokens.push(GlobToken::DoubleStar);
                    i += 2;
                    continue;
                }
                b'*' => tokens.push(GlobToken::Star),
                b'?' => tokens.push(GlobToken::One),
                c => tokens.push(GlobToken::Lit(c)),
            }
            i += 1;
        }
        PathPattern::Glob(g.to_string(), tokens)
    }

    /// Does `path` match?
    pub fn matches(&self, path: &str) -> bool {
        match self {
            PathPattern::Prefix(p) => {
                path.starts_with(p.as_str())
                    && (p.ends_with('/')
                        || path.len() == p.len()
                        || path.as_bytes()[p.len()] == b'/')
            }
            PathPattern::Glob(_, tokens) => glob_match(tokens, path.as_bytes()),
        }
    }

    /// How specific the pattern is: more literal characters win, then fewer wildcards.
    pub fn specificity(&self) -> (usize, std::cmp::Reverse<usize>) {
        match self {
            PathPattern::Prefix(p) => (p.len(), std::cmp::Reverse(0)),
            PathPattern::Glob(_, t) => {
                let lits = t.iter().filter(|t| matches!(t, GlobToken::Lit(_))).count();
                (lits, std::cmp::Reverse(t.len() - lits))
            }
        }
    }
}

/// A glob match in O(pattern × path) time, never backtracking.
fn glob_match(tokens: &[GlobToken], text: &[u8]) -> bool {
    let n = tokens.len();
    let mut cur = vec![false; n + 1];
    let mut next = vec![false; n + 1];
    cur[0] = true;
    let close = |v: &mut [bool]| {
        for j in 0..n {
            if v[j] && matches!(tokens[j], GlobToken::Star | GlobToken::DoubleStar) {
                v[j + 1] = true;
            }
        }
    };
    close(&mut cur);
    for &b in text {
        next.iter_mut().for_each(|x| *x = false);
        let mut any = false;
        for j in 0..n {
            if !cur[j] {
                continue;
            }
            match tokens[j] {
                GlobToken::Lit(c) if c == b => next[j + 1] = true,
                GlobToken::One if b != b'/' => next[j + 1] = true,
                GlobToken::Star if b != b'/' => next[j] = true,
                GlobToken::DoubleStar => next[j] = true,
                _ => continue,
            }
            any = true;
        }
        if !any {
            return false;
        }
        close(&mut next);
        std::mem::swap(&mut cur, &mut next);
    }
    cur[n]
}

// ---------------------------------------------------------------------------------------------
// Loading and linting

/// A configuration that passed validation, with its warnings.
#[derive(Debug)]
pub struct Loaded {
    /// The configuration, TLS paths resolved against the file's folder.
    pub config: GatewayConfig,
    /// Risky but legal choices (from the route policies).
    pub warnings: Vec<Diagnostic>,
}

/// Validates a gateway file's text and, when it has no error, deserializes it. Relative TLS
/// paths are resolved against `base_dir`.
pub fn load(src: &str, base_dir: &Path) -> Result<Loaded, Vec<Diagnostic>> {
    let diags = lint_gateway_source(src);
    if diags.iter().any(|d| d.severity == Severity::Error) {
        return Err(diags);
    }
    let mut config: GatewayConfig = toml::from_str(src).map_err(|e| {
        vec![Diagnostic::new(
            src,
            e.span().unwrap_or(0..0),
            Severity::Error,
            "invalid",
            e.message().trim().to_string(),
            String::new(),
        )]
    })?;
    for l in &mut config.listeners {
        if let Some(tls) = &mut l.tls {
            tls.certificate = base_dir.join(&tls.certificate);
            tls.private_key = base_dir.join(&tls.private_key);
        }
    }
    Ok(Loaded {
        config,
        warnings: diags,
    })
}

/// Lints a gateway file's text: TOML syntax, then [`lint_gateway_table`].
pub fn lint_gateway_source(src: &str) -> Vec<Diagnostic> {
    let (root, errors) = DeTable::parse_recoverable(src);
    if !errors.is_empty() {
        return errors
            .iter()
            .map(|e| {
                Diagnostic::new(
                    src,
                    e.span().unwrap_or(0..0),
                    Severity::Error,
                    "toml-syntax",
                    e.message().trim().to_string(),
                    "fix the TOML syntax".into(),
                )
            })
            .collect();
    }
    lint_gateway_table(src, root.get_ref(), root.span())
}

/// Is this TOML table a gateway file (rather than a bare policy)?
pub fn is_gateway_table(root: &DeTable<'_>) -> bool {
    root.iter()
        .any(|(k, _)| TOP_LEVEL_KEYS.contains(&AsRef::<str>::as_ref(k.get_ref())))
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Str,
    Bool,
    Count,
    Duration,
    Address,
    UpstreamUrl,
    Prefix,
    Glob,
    Mode,
    UpstreamRef,
    Tls,
    Policy,
}

struct Ctx<'s> {
    src: &'s str,
    out: Vec<Diagnostic>,
    upstreams: Vec<String>,
}

impl Ctx<'_> {
    fn err(&mut self, span: Range<usize>, code: &str, message: String, fix: impl Into<String>) {
        self.out.push(Diagnostic::new(
            self.src,
            span,
            Severity::Error,
            code,
            message,
            fix.into(),
        ));
    }

    /// Checks a table's keys against `fields`; returns the known (key, value) pairs.
    fn table<'t, 'i>(
        &mut self,
        what: &str,
        table: &'t DeTable<'i>,
        span: Range<usize>,
        fields: &[(&'static str, Kind)],
        required: &[&str],
    ) {
        for (key, value) in table.iter() {
            let name: &str = key.get_ref();
            let Some((_, kind)) = fields.iter().find(|(f, _)| *f == name) else {
                let known: Vec<&str> = fields.iter().map(|(f, _)| *f).collect();
                let fix = match closest(name, &known) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("known keys in {what}: {}", known.join(", ")),
                };
                self.err(
                    key.span(),
                    "unknown-key",
                    format!("unknown key `{name}` in {what}"),
                    fix,
                );
                continue;
            };
            self.value(name, *kind, value.get_ref(), value.span());
        }
        for r in required {
            if !table
                .iter()
                .any(|(k, _)| AsRef::<str>::as_ref(k.get_ref()) == *r)
            {
                self.err(
                    span.start..span.start,
                    "missing-key",
                    format!("{what} has no `{r}`"),
                    format!("add `{r} = …`"),
                );
            }
        }
    }

    fn value(&mut self, name: &str, kind: Kind, v: &DeValue<'_>, span: Range<usize>) {
        let wrong = |ctx: &mut Self, expected: &str| {
            ctx.err(
                span.clone(),
                "wrong-type",
                format!("`{name}` must be {expected}, not a {}", v.type_str()),
                format!("write {expected}"),
            );
        };
        match kind {
            Kind::Bool => {
                if v.as_bool().is_none() {
                    wrong(self, "true or false");
                }
            }
            Kind::Count => match v.as_integer() {
                Some(i) => {
                    let ok = u64::from_str_radix(i.as_str(), i.radix())
                        .ok()
                        .filter(|n| *n >= 1 && *n <= 1 << 40);
                    if ok.is_none() {
                        self.err(
                            span,
                            "out-of-range",
                            format!("`{name}` must be a positive whole number"),
                            "use a number such as 100",
                        );
                    }
                }
                None => wrong(self, "a whole number"),
            },
            Kind::Tls => match v.as_table() {
                Some(t) => self.table(
                    "tls",
                    t,
                    span,
                    &[("certificate", Kind::Str), ("private_key", Kind::Str)],
                    &["certificate", "private_key"],
                ),
                None => wrong(
                    self,
                    "a table such as { certificate = \"cert.pem\", private_key = \"key.pem\" }",
                ),
            },
            Kind::Policy => match v.as_table() {
                Some(t) => {
                    let diags = lint_policy_table(self.src, t, span);
                    self.out.extend(diags);
                }
                None => wrong(self, "a table of CORS policy keys ([routes.policy])"),
            },
            _ => {
                let Some(s) = v.as_str() else {
                    return wrong(self, "a string");
                };
                self.string(name, kind, s, span);
            }
        }
    }

    fn string(&mut self, name: &str, kind: Kind, s: &str, span: Range<usize>) {
        match kind {
            Kind::Duration if parse_duration(s).is_none() => self.err(
                span,
                "invalid-duration",
                format!("`{name}` = {s:?} is not a duration"),
                "write a number and a unit: \"500ms\", \"2s\", \"1m\"",
            ),
            Kind::Address if s.parse::<SocketAddr>().is_err() => self.err(
                span,
                "invalid-address",
                format!("{s:?} is not an IP:port address"),
                "write e.g. \"127.0.0.1:8080\" or \"[::1]:8080\"",
            ),
            Kind::UpstreamUrl => {
                if let Err(why) = check_upstream_url(s) {
                    self.err(
                        span,
                        "invalid-upstream-url",
                        format!("{s:?} {why}"),
                        "write http://host:port, e.g. \"http://127.0.0.1:3000\"",
                    );
                }
            }
            Kind::Prefix | Kind::Glob => {
                if !s.starts_with('/') {
                    self.err(
                        span,
                        "invalid-pattern",
                        format!("the route pattern {s:?} does not start with `/`"),
                        format!("write \"/{}\"", s.trim_start_matches('/')),
                    );
                } else if kind == Kind::Prefix && s.contains(['*', '?']) {
                    self.err(
                        span,
                        "wildcard-in-prefix",
                        format!(
                            "the prefix {s:?} contains a wildcard, which `path` takes literally"
                        ),
                        "use `glob = …` for a pattern with wildcards",
                    );
                } else if kind == Kind::Glob && s.contains("***") {
                    self.err(
                        span,
                        "invalid-pattern",
                        format!("the glob {s:?} has `***`"),
                        "use `*` within a segment or `**` across segments",
                    );
                }
            }
            Kind::Mode if s != "keep" && s != "replace" => self.err(
                span,
                "invalid-mode",
                format!("upstream_cors_headers = {s:?} is neither \"replace\" nor \"keep\""),
                "write \"replace\" (the default) or \"keep\"",
            ),
            Kind::UpstreamRef if !self.upstreams.iter().any(|u| u == s) => {
                let known: Vec<&str> = self.upstreams.iter().map(String::as_str).collect();
                let fix = match closest(s, &known) {
                    Some(k) => format!("did you mean `{k}`?"),
                    None if known.is_empty() => {
                        format!("define it: [upstreams.{s}] url = \"http://127.0.0.1:3000\"")
                    }
                    None => format!("defined upstreams: {}", known.join(", ")),
                };
                self.err(
                    span,
                    "unknown-upstream",
                    format!("the route names the upstream {s:?}, which is not defined"),
                    fix,
                );
            }
            _ => {}
        }
    }
}

/// Only `http://host:port` (an optional trailing `/`): the gateway forwards the request's own path.
fn check_upstream_url(s: &str) -> Result<(), &'static str> {
    let uri: http::Uri = s.parse().map_err(|_| "is not a URL")?;
    match uri.scheme_str() {
        Some("http") => {}
        Some("https") => return Err("uses https, which the gateway does not speak to upstreams"),
        _ => return Err("is not an http:// URL"),
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err("has no host");
    }
    if uri.path() != "/" || uri.query().is_some() {
        return Err("has a path or query; the gateway forwards the request's own path");
    }
    Ok(())
}

/// Lints a gateway configuration given as the file's root table: the structure, the cross
/// references, and each route's policy through [`lint_policy_table`], every problem located.
pub fn lint_gateway_table(
    src: &str,
    root: &DeTable<'_>,
    root_span: Range<usize>,
) -> Vec<Diagnostic> {
    let upstreams = match root
        .iter()
        .find(|(k, _)| AsRef::<str>::as_ref(k.get_ref()) == "upstreams")
        .map(|(_, v)| v.get_ref())
    {
        Some(DeValue::Table(t)) => t.iter().map(|(k, _)| k.get_ref().to_string()).collect(),
        _ => Vec::new(),
    };
    let mut ctx = Ctx {
        src,
        out: Vec::new(),
        upstreams,
    };
    let mut seen_listeners = false;
    let mut seen_routes = false;
    for (key, value) in root.iter() {
        let name: &str = key.get_ref();
        let span = value.span();
        match (name, value.get_ref()) {
            ("listeners", DeValue::Array(items)) => {
                seen_listeners = !items.is_empty();
                let mut addrs: Vec<String> = Vec::new();
                for item in items {
                    let Some(t) = item.get_ref().as_table() else {
                        ctx.err(
                            item.span(),
                            "wrong-type",
                            "each listener must be a table ([[listeners]])".into(),
                            "write [[listeners]] address = \"127.0.0.1:8080\"",
                        );
                        continue;
                    };
                    ctx.table(
                        "[[listeners]]",
                        t,
                        item.span(),
                        &[("address", Kind::Address), ("tls", Kind::Tls)],
                        &["address"],
                    );
                    if let Some((_, a)) = t
                        .iter()
                        .find(|(k, _)| AsRef::<str>::as_ref(k.get_ref()) == "address")
                    {
                        if let Some(s) = a.get_ref().as_str() {
                            // Port 0 asks the system for a free port: two such listeners get two.
                            let any_port = s
                                .parse::<std::net::SocketAddr>()
                                .is_ok_and(|a| a.port() == 0);
                            if !any_port && addrs.iter().any(|x| x == s) {
                                ctx.err(
                                    a.span(),
                                    "duplicate-listener",
                                    format!("the address {s:?} is listed twice"),
                                    "remove one",
                                );
                            }
                            addrs.push(s.to_string());
                        }
                    }
                }
            }
            ("admin", DeValue::Table(t)) => ctx.table(
                "[admin]",
                t,
                span,
                &[("address", Kind::Address)],
                &["address"],
            ),
            ("upstreams", DeValue::Table(t)) => {
                for (uname, u) in t.iter() {
                    let Some(ut) = u.get_ref().as_table() else {
                        ctx.err(
                            u.span(),
                            "wrong-type",
                            format!("upstream `{}` must be a table", uname.get_ref()),
                            format!(
                                "write [upstreams.{}] url = \"http://127.0.0.1:3000\"",
                                uname.get_ref()
                            ),
                        );
                        continue;
                    };
                    ctx.table(
                        &format!("[upstreams.{}]", uname.get_ref()),
                        ut,
                        u.span(),
                        &[
                            ("url", Kind::UpstreamUrl),
                            ("connect_timeout", Kind::Duration),
                            ("response_timeout", Kind::Duration),
                            ("pool_idle_timeout", Kind::Duration),
                            ("pool_max_idle", Kind::Count),
                        ],
                        &["url"],
                    );
                }
            }
            ("limits", DeValue::Table(t)) => ctx.table(
                "[limits]",
                t,
                span,
                &[
                    ("max_connections", Kind::Count),
                    ("max_connections_per_worker", Kind::Count),
                    ("max_header_bytes", Kind::Count),
                    ("max_headers", Kind::Count),
                    ("header_read_timeout", Kind::Duration),
                    ("send_timeout", Kind::Duration),
                    ("request_timeout", Kind::Duration),
                    ("shutdown_timeout", Kind::Duration),
                    ("allow_underscore_framing_lookalikes", Kind::Bool),
                ],
                &[],
            ),
            ("routes", DeValue::Array(items)) => {
                seen_routes = !items.is_empty();
                let mut patterns: Vec<String> = Vec::new();
                for item in items {
                    let Some(t) = item.get_ref().as_table() else {
                        ctx.err(
                            item.span(),
                            "wrong-type",
                            "each route must be a table ([[routes]])".into(),
                            "write [[routes]] path = \"/\"",
                        );
                        continue;
                    };
                    ctx.table(
                        "[[routes]]",
                        t,
                        item.span(),
                        &[
                            ("name", Kind::Str),
                            ("path", Kind::Prefix),
                            ("glob", Kind::Glob),
                            ("upstream", Kind::UpstreamRef),
                            ("upstream_cors_headers", Kind::Mode),
                            ("policy", Kind::Policy),
                        ],
                        &["upstream", "policy"],
                    );
                    let get = |k: &str| {
                        t.iter()
                            .find(|(key, _)| AsRef::<str>::as_ref(key.get_ref()) == k)
                            .map(|(_, v)| v)
                    };
                    match (get("path"), get("glob")) {
                        (Some(_), Some(g)) => ctx.err(
                            g.span(),
                            "path-and-glob",
                            "a route has either `path` or `glob`, not both".into(),
                            "split it into two routes",
                        ),
                        (None, None) => ctx.err(
                            item.span().start..item.span().start,
                            "missing-key",
                            "[[routes]] has neither `path` nor `glob`".into(),
                            "add `path = \"/\"` (a prefix) or `glob = \"/files/*.json\"`",
                        ),
                        (Some(p), None) | (None, Some(p)) => {
                            if let Some(s) = p.get_ref().as_str() {
                                if patterns.iter().any(|x| x == s) {
                                    ctx.err(
                                        p.span(),
                                        "duplicate-route",
                                        format!("another route already has the pattern {s:?}"),
                                        "merge the two routes",
                                    );
                                }
                                patterns.push(s.to_string());
                            }
                        }
                    }
                }
            }
            ("listeners" | "routes" | "admin" | "upstreams" | "limits", other) => ctx.err(
                span,
                "wrong-type",
                format!(
                    "`{name}` must be {}, not a {}",
                    if name == "listeners" || name == "routes" {
                        "an array of tables ([[…]])"
                    } else {
                        "a table ([…])"
                    },
                    other.type_str()
                ),
                format!("write [{name}] / [[{name}]] sections"),
            ),
            _ => {
                let fix = match closest(name, TOP_LEVEL_KEYS) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("known top-level keys: {}", TOP_LEVEL_KEYS.join(", ")),
                };
                ctx.err(
                    key.span(),
                    "unknown-key",
                    format!("unknown top-level key `{name}`"),
                    fix,
                );
            }
        }
    }
    let start = root_span.start..root_span.start;
    if !seen_listeners {
        ctx.err(
            start.clone(),
            "no-listeners",
            "the gateway has no listener".into(),
            "add [[listeners]] address = \"127.0.0.1:8080\"",
        );
    }
    if !seen_routes {
        ctx.err(
            start,
            "no-routes",
            "the gateway has no route: it would answer 404 to everything".into(),
            "add [[routes]] path = \"/\" upstream = \"…\" [routes.policy] …",
        );
    }
    let mut out = ctx.out;
    out.sort_by_key(|d| (d.span.start, d.severity == Severity::Warning));
    out
}

fn closest<'a>(name: &str, known: &[&'a str]) -> Option<&'a str> {
    crate::diag::closest(name, known)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_match_on_segment_boundaries() {
        let p = PathPattern::Prefix("/api".into());
        assert!(p.matches("/api"));
        assert!(p.matches("/api/x"));
        assert!(!p.matches("/apix"));
        let p = PathPattern::Prefix("/api/".into());
        assert!(p.matches("/api/"));
        assert!(p.matches("/api/x/y"));
        assert!(!p.matches("/api"));
        assert!(PathPattern::Prefix("/".into()).matches("/anything/at/all"));
    }

    #[test]
    fn globs() {
        let rows = [
            ("/files/*.json", "/files/a.json", true),
            ("/files/*.json", "/files/a/b.json", false),
            ("/files/**/*.json", "/files/a/b/c.json", true),
            ("/files/**", "/files/", true),
            ("/v?/x", "/v1/x", true),
            ("/v?/x", "/v/x", false),
            ("/v?/x", "/v//x", false),
            ("/*/*/*/*/*/*/*/*/z", "/a/b/c/d/e/f/g/h/i/j/k/l/m/n", false),
        ];
        for (g, path, want) in rows {
            assert_eq!(PathPattern::glob(g).matches(path), want, "{g} vs {path}");
        }
    }

    #[test]
    fn specificity_prefers_more_literal_characters() {
        let a = PathPattern::Prefix("/api/".into());
        let b = PathPattern::glob("/api/*.json");
        let c = PathPattern::Prefix("/".into());
        assert!(b.specificity() > a.specificity());
        assert!(a.specificity() > c.specificity());
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("20us"), Some(Duration::from_micros(20)));
        assert_eq!(parse_duration("50µs"), Some(Duration::from_micros(50)));
        assert_eq!(parse_duration("250ms"), Some(Duration::from_millis(250)));
        assert_eq!(parse_duration("2s"), Some(Duration::from_secs(2)));
        assert_eq!(parse_duration("1.5s"), Some(Duration::from_millis(1500)));
        assert_eq!(parse_duration("1m"), Some(Duration::from_secs(60)));
        assert_eq!(parse_duration("2"), None);
        assert_eq!(parse_duration("s"), None);
        assert_eq!(parse_duration("-1s"), None);
        assert_eq!(parse_duration("3 days"), None);
    }

    const GOOD: &str = r#"
[[listeners]]
address = "127.0.0.1:8080"

[upstreams.app]
url = "http://127.0.0.1:3000"

[[routes]]
path = "/"
upstream = "app"
[routes.policy]
allowed_origins = ["https://app.example.com"]
"#;

    #[test]
    fn a_good_file_loads() {
        let loaded = load(GOOD, Path::new("/")).unwrap();
        assert_eq!(loaded.config.routes.len(), 1);
        assert_eq!(
            loaded.config.routes[0].upstream_cors_headers,
            HeaderMode::Replace
        );
        assert_eq!(loaded.config.limits, Limits::default());
        assert!(loaded.warnings.is_empty());
    }

    #[test]
    fn every_problem_is_located() {
        let src = r#"[[listeners]]
address = "127.0.0.1:80800"
[upstreams.app]
url = "https://127.0.0.1:3000"
connect_timeout = "2 seconds"
[limits]
max_headerz = 10
[[routes]]
path = "api"
upstream = "ap"
upstream_cors_headers = "merge"
[routes.policy]
allowed_origins = ["https://app.example.com/"]
[[routes]]
upstream = "app"
[routes.policy]
allowed_origins = ["*"]
allow_credentials = true
"#;
        let d = lint_gateway_source(src);
        let got: Vec<(&str, usize)> = d.iter().map(|d| (d.code.as_str(), d.line)).collect();
        assert_eq!(
            got,
            [
                ("invalid-address", 2),
                ("invalid-upstream-url", 4),
                ("invalid-duration", 5),
                ("unknown-key", 7),
                ("invalid-pattern", 9),
                ("unknown-upstream", 10),
                ("invalid-mode", 11),
                ("invalid-origin", 13),
                ("missing-key", 14),
                ("wildcard-with-credentials", 17),
            ],
            "{d:#?}"
        );
        assert_eq!(d[5].fix, "did you mean `app`?");
        assert_eq!(d[3].fix, "did you mean `max_headers`?");
    }

    /// Two listeners on one address cannot both bind; two on port 0 get two free ports.
    #[test]
    fn a_listener_address_twice_is_an_error_but_port_0_twice_is_not() {
        let twice = |addr: &str| {
            let listener = format!("[[listeners]]\naddress = \"{addr}\"\n");
            let src = GOOD.replacen(
                &listener.replace(addr, "127.0.0.1:8080"),
                &format!("{listener}\n{listener}"),
                1,
            );
            lint_gateway_source(&src)
                .into_iter()
                .map(|d| (d.code, d.line))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            twice("127.0.0.1:8080"),
            [("duplicate-listener".to_string(), 6)]
        );
        assert_eq!(twice("127.0.0.1:0"), []);
    }

    #[test]
    fn detects_gateway_files() {
        let (root, _) = DeTable::parse_recoverable(GOOD);
        assert!(is_gateway_table(root.get_ref()));
        let (root, _) = DeTable::parse_recoverable("allowed_origins = [\"*\"]");
        assert!(!is_gateway_table(root.get_ref()));
    }
}
