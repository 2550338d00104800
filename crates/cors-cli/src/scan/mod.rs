//! `cors scan`: probe live servers for exploitable CORS misconfigurations and report each with
//! a stable id, a severity, the evidence and the fix. I/O lives in `engine.rs` and `../http.rs`;
//! what to send (`probe.rs`) and how to judge it (`judge.rs`) are pure.
//!
//! Floors, top to bottom; a module uses only the floors below its own (checked by
//! `scripts/module-graph`):
//! 1. `report`: text, JSON and SARIF.
//! 2. `engine`: the I/O — targets, pacing, probes sent, judgements collected.
//! 3. `judge`: an exchange to findings.
//! 4. `finding`: the finding ids and severities; `pace`: rate limits; `probe`: what to send.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::Duration;

use cors::vocab::Origin;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

pub mod engine;
pub mod finding;
pub mod judge;
pub mod pace;
pub mod probe;
pub mod report;

use finding::Severity;
use probe::Target;

/// Exit code: a finding at or above `--fail-on`.
const EXIT_FINDINGS: u8 = 1;
/// Exit code: bad arguments or an unreadable target list.
const EXIT_USAGE: u8 = 2;
/// Exit code: no finding at or above `--fail-on`, but some target could not be fully scanned.
const EXIT_INCOMPLETE: u8 = 3;

/// The `--fail-on` threshold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// Fail on any finding, informational included.
    #[value(alias = "informational")]
    Info,
    /// Fail on low and above (the default).
    Low,
    /// Fail on medium and above.
    Medium,
    /// Fail on high and above.
    High,
    /// Fail on critical only.
    Critical,
    /// Never fail because of findings.
    None,
}

impl FailOn {
    fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Info => Some(Severity::Info),
            FailOn::Low => Some(Severity::Low),
            FailOn::Medium => Some(Severity::Medium),
            FailOn::High => Some(Severity::High),
            FailOn::Critical => Some(Severity::Critical),
            FailOn::None => None,
        }
    }
}

/// The long `--help` text: what is probed, the root-cause rule, defaults and exit codes.
const LONG_ABOUT: &str = r#"Find exploitable CORS misconfigurations before attackers do.

For each target URL, `cors scan` sends GET requests with crafted `Origin` headers and two
OPTIONS preflights (never a body, never another method) and reports what the server grants.
Probe origins are derived from the origin the site trusts: `--trusted-origin`, or the target
URL's own origin. For a site trusting `https://app.example` it tries:

  https://evil.test                   origin-reflected (any origin echoed)
  null                                null-origin-allowed
  https://app.example.evil.test       prefix-match
  https://evilapp.example             suffix-match
  https://evilapp.example.evil.test   substring-match (and https://app.exampl)
  https://appxexample                 unescaped-dot
  https://evil.app.example            arbitrary-subdomain-trusted (informational)
  http://app.example                  insecure-origin-trusted
  https://app.example_.evil.test      special-characters (also ! ` { } ~ $ & = |)

and, from the responses, wildcard-with-credentials, preflight-reflects-methods,
preflight-reflects-headers, missing-vary-origin and private-network-open.

Each server is reported with its root cause only: a server that reflects every origin gets
`origin-reflected`, not also prefix-match, suffix-match…; the other origins it accepted are
listed in the finding's evidence. `Access-Control-Allow-Credentials: true` on an accepted
origin raises the severity (reflection with credentials is critical).

Polite by default: 4 targets at a time, 10 requests per second overall, a 10 s timeout, and
up to 2 retries with exponential backoff, on connection errors only.

Exit status: 0 clean; 1 a finding at or above --fail-on; 2 bad arguments; 3 some target
could not be scanned (and no finding reached --fail-on).

Examples:

  cors scan https://api.example.com/me --trusted-origin https://app.example.com

  cors scan --file urls.txt --rate 5 --sarif > cors.sarif

  cors scan http://127.0.0.1:8080/ --json --fail-on high | jq '.findings[].id'"#;

/// Find exploitable CORS misconfigurations before attackers do
#[derive(clap::Args, Debug)]
#[command(about = "Find exploitable CORS misconfigurations before attackers do", long_about = LONG_ABOUT)]
pub struct ScanArgs {
    /// Target URLs (http or https).
    #[arg(value_name = "URL", required_unless_present = "file")]
    pub urls: Vec<String>,

    /// Read more target URLs from a file, one per line (`#` starts a comment; `-` is stdin).
    #[arg(long, value_name = "FILE")]
    pub file: Option<std::path::PathBuf>,

    /// The origin the site trusts, e.g. `https://app.example`; probe origins are built from it.
    /// Default: each target URL's own origin.
    #[arg(long, value_name = "ORIGIN")]
    pub trusted_origin: Option<String>,

    /// Targets scanned at the same time (each has one request in flight at most).
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub concurrency: u32,

    /// Requests per second across all targets, retries included.
    #[arg(long, value_name = "N", default_value_t = 10.0, value_parser = parse_rate)]
    pub rate: f64,

    /// Seconds to wait for each response (connect, TLS and headers).
    #[arg(long, value_name = "S", default_value_t = 10.0, value_parser = parse_seconds)]
    pub timeout: f64,

    /// Retries of a request that failed to connect (refused or reset), with backoff.
    #[arg(long, value_name = "N", default_value_t = 2)]
    pub retries: u32,

    /// Do not verify TLS certificates (self-signed test servers).
    #[arg(long)]
    pub insecure: bool,

    /// Print one JSON object: {targets, findings: [{target, id, severity, message, evidence, fix}], errors}.
    #[arg(long, conflicts_with = "sarif")]
    pub json: bool,

    /// Print a SARIF 2.1.0 log for CI code-scanning uploads.
    #[arg(long)]
    pub sarif: bool,

    /// Exit with status 1 when a finding is at or above this severity.
    #[arg(long, value_name = "SEVERITY", value_enum, default_value = "low")]
    pub fail_on: FailOn,
}

fn parse_rate(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(r) if r.is_finite() && r > 0.0 && r <= 100_000.0 => Ok(r),
        _ => Err(format!(
            "`{s}` is not a rate between 0 (exclusive) and 100000 requests per second"
        )),
    }
}

fn parse_seconds(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(t) if t.is_finite() && t > 0.0 && t <= 3600.0 => Ok(t),
        _ => Err(format!(
            "`{s}` is not a number of seconds between 0 (exclusive) and 3600"
        )),
    }
}

/// Why the target list is unusable.
#[derive(Debug, PartialEq, Eq)]
pub struct InputError(pub String);

/// Parses one target URL: absolute, `http` or `https`, with a host.
pub fn parse_target_url(s: &str) -> Result<url::Url, String> {
    let u = url::Url::parse(s).map_err(|e| format!("`{s}` is not a URL: {e}"))?;
    if !matches!(u.scheme(), "http" | "https") {
        return Err(format!("`{s}`: only http and https URLs can be scanned"));
    }
    if u.host().is_none() {
        return Err(format!("`{s}` has no host"));
    }
    Ok(u)
}

/// Reads target URLs from a list: one per line, blank lines and `#` comments skipped.
pub fn parse_target_list(text: &str, source: &str) -> Result<Vec<url::Url>, InputError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or_default().trim();
        if line.is_empty() {
            continue;
        }
        out.push(
            parse_target_url(line).map_err(|e| InputError(format!("{source}:{}: {e}", i + 1)))?,
        );
    }
    Ok(out)
}

fn targets(args: &ScanArgs) -> Result<Vec<Target>, InputError> {
    let trusted = match &args.trusted_origin {
        None => None,
        Some(s) => {
            let o =
                Origin::parse(s).map_err(|e| InputError(format!("--trusted-origin `{s}`: {e}")))?;
            if o.is_opaque() {
                return Err(InputError(
                    "--trusted-origin cannot be `null`: probes are built from a host".into(),
                ));
            }
            Some(o)
        }
    };
    let mut urls = Vec::new();
    for u in &args.urls {
        urls.push(parse_target_url(u).map_err(InputError)?);
    }
    if let Some(path) = &args.file {
        let (text, name) = if path.as_os_str() == "-" {
            let mut s = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
                .map_err(|e| InputError(format!("stdin: {e}")))?;
            (s, "stdin".to_string())
        } else {
            let s = std::fs::read_to_string(path)
                .map_err(|e| InputError(format!("{}: {e}", path.display())))?;
            (s, path.display().to_string())
        };
        urls.extend(parse_target_list(&text, &name)?);
    }
    if urls.is_empty() {
        return Err(InputError("no target URL given".into()));
    }
    Ok(urls
        .into_iter()
        .map(|u| Target::new(u, trusted.clone()))
        .collect())
}

/// Runs `cors scan`.
pub fn run(args: ScanArgs) -> ExitCode {
    let targets = match targets(&args) {
        Ok(t) => t,
        Err(InputError(msg)) => {
            eprintln!("cors scan: {msg}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cors scan: cannot start the runtime: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let client = crate::http::Client::new(crate::http::ClientOptions {
        timeout: Duration::from_secs_f64(args.timeout),
        insecure: args.insecure,
    });
    let progress = progress_bar(targets.len() as u64);
    let options = engine::EngineOptions {
        concurrency: args.concurrency as usize,
        rate: args.rate,
        retries: args.retries,
        backoff: Duration::from_millis(250),
    };
    let reports = runtime.block_on(engine::scan_all(client, targets, options, progress));

    let rendered = if args.json {
        report::json(&reports).to_string() + "\n"
    } else if args.sarif {
        report::sarif(&reports).to_string() + "\n"
    } else {
        report::human(&reports)
    };
    let mut stdout = std::io::stdout().lock();
    // A closed pipe (`| head`) is not an error worth a panic.
    let _ = stdout.write_all(rendered.as_bytes());
    let _ = stdout.flush();

    let failing = args.fail_on.threshold().is_some_and(|t| {
        reports
            .iter()
            .flat_map(|r| &r.findings)
            .any(|f| f.severity >= t)
    });
    if failing {
        ExitCode::from(EXIT_FINDINGS)
    } else if reports.iter().any(|r| !r.errors.is_empty()) {
        ExitCode::from(EXIT_INCOMPLETE)
    } else {
        ExitCode::SUCCESS
    }
}

/// A bar on stderr when stderr is a terminal; hidden otherwise (pipes, CI logs).
fn progress_bar(len: u64) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::hidden());
    }
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} {wide_msg}",
    ) {
        bar.set_style(style);
    }
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_lists_skip_comments_and_name_the_bad_line() {
        let ok = parse_target_list(
            "# targets\nhttp://a.example/\n\n  https://b.example/x # api\n",
            "f",
        )
        .unwrap();
        assert_eq!(ok.len(), 2);
        assert_eq!(ok[1].as_str(), "https://b.example/x");
        let bad =
            parse_target_list("http://a.example/\nftp://b.example/\n", "urls.txt").unwrap_err();
        assert!(bad.0.starts_with("urls.txt:2: "), "{}", bad.0);
        assert!(parse_target_list("not a url", "f").is_err());
    }

    #[test]
    fn fail_on_thresholds() {
        assert_eq!(FailOn::None.threshold(), None);
        assert_eq!(FailOn::Low.threshold(), Some(Severity::Low));
        assert!(parse_rate("0").is_err());
        assert!(parse_rate("nan").is_err());
        assert_eq!(parse_rate("2.5"), Ok(2.5));
        assert!(parse_seconds("-1").is_err());
    }
}
