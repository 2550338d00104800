//! `cors check`: make a request the way a browser would — preflight, actual request, redirects —
//! against a live server, and say whether script would get the response, why not, and what the
//! server must send. The engine (`cors::agent`) decides; `crate::http` sends; this folder drives
//! the one with the other (`drive.rs`), and reports (`report.rs`, `human.rs`, `fix.rs`).
//!
//! Floors, top to bottom; a module uses only the floors below its own (checked by
//! `scripts/module-graph`):
//! 1. `human`: the report for a person.
//! 2. `report`: the report as data (the `--json` object).
//! 3. `drive`: the engine and the network, step by step; `fix`: the fix in words; `request`:
//!    the request from the flags; `imported`: what a DevTools copy added (flags and report data).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use bytes::Bytes;
use cors::agent::{PreflightCache, Profile};

pub mod drive;
pub mod fix;
pub mod human;
pub mod imported;
pub mod report;
pub mod request;

pub use request::RequestArgs;

/// Exit status: a browser would allow the request.
pub const EXIT_ALLOWED: u8 = 0;
/// Exit status: a browser would block it (or `fetch()` would throw).
pub const EXIT_BLOCKED: u8 = 1;
/// Exit status: bad arguments, or a network error.
pub const EXIT_ERROR: u8 = 2;

const LONG_ABOUT: &str = r#"Why would a browser block this request, and what must the server send?

`cors check` does what a browser does with a cross-origin fetch() from a page at --origin:
it decides whether a preflight is needed (and says why), sends the OPTIONS preflight for
real, checks its response, sends the actual request, follows redirects as browsers do, runs
the CORS check, and reports each step: what was sent, what came back, which rule passed or
failed. Then the verdict, the console messages Chromium and Firefox would print, and the fix:
the exact headers the server must send, with snippets for this project's policy (Rust and
TOML), a `cors serve` route, nginx and Apache.

Cookies are never sent (`cors check` has none); a step that a browser would send with
credentials says so. A `User-Agent: cors-check/VERSION` header is added, as browsers add theirs.

Examples:

  # The MDN article's preflighted request
  cors check https://bar.other/doc --origin https://foo.example -X POST \
      -H 'X-PINGOTHER: pingpong' -H 'Content-Type: text/xml' --data '<person/>'

  # A credentialed GET (cookies), as Firefox would judge it
  cors check https://api.example.com/me --origin https://app.example.com \
      --credentials include --browser firefox

  # A sandboxed iframe or file: page (opaque origin), machine-readable
  cors check http://localhost:8080/api --origin null --json | jq .cors_error

  # Keep the preflight cache between runs, as a browser keeps it between fetches
  cors check https://api.example.com/x -X PUT --origin https://app.example.com \
      --preflight-cache /tmp/cors-cache.json

From DevTools (Network panel, right-click the failing request):

  # "Copy as cURL" (bash or cmd, Chromium or Firefox): pasted as it is, in single quotes
  cors check --curl 'curl "https://api.example.com/items" -X PUT -H "Origin: https://app.example.com" -H "Content-Type: application/json" -H "sec-fetch-mode: cors" --data-raw "{}"'

  # "Copy as fetch"
  cors check --fetch 'fetch("https://api.example.com/items", {"headers": {"content-type": "application/json"}, "method": "PUT", "mode": "cors", "credentials": "include", "referrer": "https://app.example.com/"});'

  # "Save all as HAR": every cross-origin request of the session, replayed through the engine
  # from what the HAR recorded (no network), and compared with what the browser did
  cors check --har session.har --only-failures

The page's origin comes from the copied `Origin` header (else `Referer`, else --origin), the
mode from `sec-fetch-mode`, the credentials mode from `Cookie` / `Authorization`; headers the
browser adds itself (`sec-fetch-*`, `sec-ch-ua*`, `User-Agent`, `Accept-Encoding`, `Cookie`…)
are not taken for headers script set. What the copy does not say is printed as a note, with
the default taken. With --har the report says, per request, whether the browser blocked it (as
the HAR records: status 0, `_error`, `_blocked_reason`) and whether the engine agrees; a
request judged differently is marked DIFFERENT, never hidden. Flags given beside --curl or
--fetch (--browser, --origin…) are defaults the copy overrides.

Exit status: 0 a browser would allow the request; 1 it would block it (or fetch() would throw);
2 bad arguments or a network error (connection refused, name resolution, TLS, timeout — the
message says which).

HTTPS uses the system's root certificates (--insecure accepts any certificate);
HTTP_PROXY / HTTPS_PROXY / ALL_PROXY / NO_PROXY are honoured (http:// proxies only).
Output is colored on a terminal unless NO_COLOR is set.

--json prints one object:
  url, origin            the URL and --origin given (`null` for an opaque origin)
  browser                spec | chromium | firefox | safari
  request                {method, headers: [[name, value]], dropped_headers: [{name, reason}],
                          body, credentials, mode, redirect, private_network}: the request as
                          fetch() sends it (its added Accept/Content-Type included)
  verdict                allowed | blocked | refused | network-error
  allowed                true when script gets the response
  summary                one sentence
  route                  same-origin | no-cors | simple | preflight | blocked (before sending) |
                          refused
  preflight_needed       the request needs a preflight
  preflight_sent         a preflight was sent
  preflight_cached       needed, but the preflight cache answered (--preflight-cache)
  preflight_reasons      every reason for the preflight, one sentence each ([] when simple)
  request_method_header  Access-Control-Request-Method sent, or null
  request_headers_header Access-Control-Request-Headers sent, or null
  cors_error             Chromium's Network.CorsError name (e.g. PreflightMissingAllowOriginHeader), or null
  failed_parameter       Chromium's failedParameter (the offending value), or null
  firefox_reason         Firefox's reason, as MDN names it (e.g. CORSMissingAllowOrigin), or null
  spec_anchor            the Fetch Standard section of the rule that failed, or null
  status                 the actual response's status when script can read it, else null
  response_type          basic | cors | opaque | opaqueredirect when allowed, else null
  final_url, redirected  Response.url and Response.redirected (final_url null unless allowed)
  exposed_headers        the response header names script can read (lowercase, sorted)
  console                {chromium, firefox, firefox_lines, webkit, webkit_lines}: the console
                         messages, or nulls; firefox_lines / webkit_lines: every line Firefox /
                         WebKit (Safari) prints, in order
  refusal                {code, message, anchor} when fetch() throws before sending, else null
  network_error          {kind, message, url} on a network error (kind: connection-refused,
                          name-resolution, tls, timeout, connection, proxy, protocol,
                          invalid-request), else null
  steps                  [{kind: preflight|actual, hop, request: {method, url, headers,
                          credentials, body_bytes}, response: {status, headers} | null,
                          checks: [{rule, ok, anchor, detail}], outcome: passed | redirected |
                          failed | network-error, elapsed_ms}]; rule is one of no-redirect,
                          allow-origin, allow-credentials, ok-status, private-network,
                          allow-methods, allow-headers, redirect
  fix                    null when allowed; else {url, by_headers, preflight: {status, headers} |
                          null, actual: {headers}, notes, snippets: {rust, policy_toml,
                          gateway_toml, nginx, apache} | null}: what the responses at `url`
                          must carry ([name, value] pairs); by_headers false when no header helps
  imported               with --curl, --fetch or --har only: {from: curl | fetch | har, notes,
                          browser_headers, har: {entry, preflight_entry, started,
                          browser_status, browser_blocked, browser_error, agrees} (--har)}
With --har, --json prints an array of these objects, one per cross-origin request."#;

/// Make a request as a browser would and say whether it would be blocked, why, and the fix.
#[derive(clap::Args, Debug)]
#[command(
    about = "Make a request as a browser would: is it blocked by CORS, why, and what must the server send?",
    long_about = LONG_ABOUT
)]
pub struct CheckArgs {
    /// The URL script fetches.
    #[arg(value_name = "URL", required_unless_present_any = ["curl", "fetch", "har"], conflicts_with_all = ["curl", "fetch", "har"])]
    pub url: Option<String>,

    #[command(flatten)]
    pub request: RequestArgs,

    #[command(flatten)]
    pub devtools: crate::check::imported::DevtoolsArgs,

    /// Print one JSON object (see above) instead of the report.
    #[arg(long)]
    pub json: bool,

    /// Seconds to wait for each response head (connect, TLS and headers).
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0, value_parser = parse_seconds)]
    pub timeout: f64,

    /// Do not verify TLS certificates (self-signed development servers).
    #[arg(long)]
    pub insecure: bool,

    /// Keep the browser's preflight cache in this JSON file between runs (created if missing).
    #[arg(long, value_name = "FILE")]
    pub preflight_cache: Option<PathBuf>,
}

fn parse_seconds(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(t) if t.is_finite() && t > 0.0 && t <= 3600.0 => Ok(t),
        _ => Err(format!(
            "`{s}` is not a number of seconds between 0 (exclusive) and 3600"
        )),
    }
}

/// The cache file: the profile it was built under, and the cache.
#[derive(serde::Serialize, serde::Deserialize)]
struct CacheFile {
    browser: Profile,
    cache: PreflightCache,
}

fn load_cache(path: &Path, profile: Profile) -> Result<PreflightCache, String> {
    match std::fs::read_to_string(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(PreflightCache::new(profile)),
        Err(e) => Err(format!("--preflight-cache {}: {e}", path.display())),
        Ok(text) => {
            let file: CacheFile = serde_json::from_str(&text).map_err(|e| {
                format!(
                    "--preflight-cache {}: not a cache file written by cors check: {e}",
                    path.display()
                )
            })?;
            // A cache built by another engine does not apply: start afresh.
            Ok(if file.browser == profile {
                file.cache
            } else {
                PreflightCache::new(profile)
            })
        }
    }
}

fn save_cache(path: &Path, profile: Profile, cache: PreflightCache) -> Result<(), String> {
    let file = CacheFile {
        browser: profile,
        cache,
    };
    let text = serde_json::to_string(&file).map_err(|e| e.to_string())?;
    std::fs::write(path, text).map_err(|e| format!("--preflight-cache {}: {e}", path.display()))
}

/// What to try next, per kind of network error.
fn network_hint(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "connection-refused" => "nothing listens on that port: is the server running?",
        "name-resolution" => "check the host name (and your DNS or /etc/hosts)",
        "tls" => "for a development server with a self-signed certificate, add --insecure",
        "timeout" => "the server did not answer in time: raise --timeout, or check a proxy",
        "proxy" => "check HTTP_PROXY / HTTPS_PROXY / NO_PROXY",
        _ => return None,
    })
}

fn usage(msg: &str) -> ExitCode {
    eprintln!("cors check: {msg}");
    ExitCode::from(EXIT_ERROR)
}

/// Sends the request as the browser of `args.browser` would (preflight, actual request,
/// redirects) with `client`, and builds the `--json` report. `cors ui`'s live mode runs this too.
pub async fn live_report(
    client: &crate::http::Client,
    args: &RequestArgs,
    req: &cors::agent::Request,
    cache: &mut PreflightCache,
) -> report::CheckReport {
    let profile = args.profile();
    let body = Bytes::from(args.data.clone().unwrap_or_default());
    let trace = drive::Drive {
        client,
        profile,
        body,
        cache,
        now: &drive::wall_clock,
        refusal: args.byte_string_refusal(),
    }
    .run(req.clone())
    .await;
    report::build(args, req, profile, &trace)
}

/// Runs `cors check` on the request the flags (or, through `crate::devtools`, a DevTools copy)
/// describe; `imported` is the `imported` member of the report when the request came from a copy.
pub fn run(args: CheckArgs, imported: Option<imported::ImportedReport>) -> ExitCode {
    let url = match request::parse_url(args.url.as_deref().unwrap_or_default(), "URL") {
        Ok(u) => u,
        Err(e) => return usage(&e.0),
    };
    let req = match args.request.to_request(url) {
        Ok(r) => r,
        Err(e) => return usage(&e.0),
    };
    let profile = args.request.profile();
    let mut cache = match &args.preflight_cache {
        Some(p) => match load_cache(p, profile) {
            Ok(c) => c,
            Err(e) => return usage(&e),
        },
        None => PreflightCache::new(profile),
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => return usage(&format!("cannot start the runtime: {e}")),
    };
    let client = crate::http::Client::new(crate::http::ClientOptions {
        timeout: Duration::from_secs_f64(args.timeout),
        insecure: args.insecure,
    });
    let mut report = runtime.block_on(live_report(&client, &args.request, &req, &mut cache));
    if let Some(p) = &args.preflight_cache {
        if let Err(e) = save_cache(p, profile, cache) {
            eprintln!("cors check: {e}");
        }
    }
    if imported.is_some() {
        report.imported = imported;
    }
    let rendered = if args.json {
        match serde_json::to_string_pretty(&report) {
            Ok(s) => s + "\n",
            Err(e) => return usage(&format!("cannot serialize the report: {e}")),
        }
    } else {
        human::render(&report, human::Style::new(crate::lint::use_color()))
    };
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(rendered.as_bytes());
    let _ = stdout.flush();
    match report.verdict {
        "allowed" => ExitCode::from(EXIT_ALLOWED),
        "network-error" => {
            eprintln!("cors check: {}", report.summary);
            if let Some(hint) = report
                .network_error
                .as_ref()
                .and_then(|e| network_hint(e.kind))
            {
                eprintln!("  hint: {hint}");
            }
            ExitCode::from(EXIT_ERROR)
        }
        _ => ExitCode::from(EXIT_BLOCKED),
    }
}
