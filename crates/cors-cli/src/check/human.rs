//! The terminal rendering of `cors check` (and the pieces `cors explain` shares): each step with
//! what was sent and received, the rules checked, the verdict, the console messages and the fix.
//! Colored only on a terminal and without `NO_COLOR`.

use super::fix::{PREFLIGHT_STATUS, ServerFix};
use super::report::{CheckReport, RequestSummary};
use std::fmt::Write;

/// ANSI styles, or empty strings when color is off.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    /// Bold.
    pub bold: &'static str,
    /// Dim.
    pub dim: &'static str,
    /// Red.
    pub red: &'static str,
    /// Green.
    pub green: &'static str,
    /// Yellow.
    pub yellow: &'static str,
    /// Cyan.
    pub cyan: &'static str,
    /// Reset.
    pub reset: &'static str,
}

impl Style {
    /// Colors when `color` is true.
    pub fn new(color: bool) -> Style {
        if color {
            Style {
                bold: "\x1b[1m",
                dim: "\x1b[2m",
                red: "\x1b[31m",
                green: "\x1b[32m",
                yellow: "\x1b[33m",
                cyan: "\x1b[36m",
                reset: "\x1b[0m",
            }
        } else {
            Style {
                bold: "",
                dim: "",
                red: "",
                green: "",
                yellow: "",
                cyan: "",
                reset: "",
            }
        }
    }
}

/// The first lines of `check` and `explain`: the request, who makes it, and the headers the
/// browser would not send.
pub fn render_heading(
    o: &mut String,
    url: &str,
    origin: &str,
    browser: &str,
    request: &RequestSummary,
    s: Style,
) {
    let _ = writeln!(
        o,
        "{b}{} {}{r}  from origin {b}{}{r}  {d}(browser: {}, credentials: {}, mode: {}){r}",
        request.method,
        url,
        origin,
        browser,
        request.credentials,
        request.mode,
        b = s.bold,
        d = s.dim,
        r = s.reset
    );
    for d in &request.dropped_headers {
        let _ = writeln!(
            o,
            "  {y}note{x}: the browser does not send `{}` ({})",
            d.name,
            d.reason,
            y = s.yellow,
            x = s.reset
        );
    }
}

/// Renders `cors check`'s report.
pub fn render(r: &CheckReport, s: Style) -> String {
    let mut o = String::new();
    render_heading(&mut o, &r.url, &r.origin, r.browser, &r.request, s);
    if r.verdict != "refused" {
        if r.preflight_needed {
            let _ = writeln!(o, "\nPreflighted request, because:");
            for reason in &r.preflight_reasons {
                let _ = writeln!(o, "  • {reason}");
            }
            if r.preflight_cached {
                let _ = writeln!(
                    o,
                    "  {d}(the preflight cache held a match: no preflight sent){x}",
                    d = s.dim,
                    x = s.reset
                );
            }
        } else if r.route == "simple" {
            let _ = writeln!(o, "\nSimple request: no preflight needed.");
        } else if r.route == "same-origin" {
            let _ = writeln!(o, "\nSame-origin request: no CORS involved.");
        } else if r.route == "no-cors" {
            let _ = writeln!(
                o,
                "\nMode no-cors: sent without CORS; script gets an opaque response."
            );
        }
    }
    for (i, step) in r.steps.iter().enumerate() {
        let title = if step.kind == "preflight" {
            "Preflight"
        } else if step.hop > 0 {
            "Redirected request"
        } else {
            "Actual request"
        };
        let _ = writeln!(
            o,
            "\n{b}{}. {title}{x}  {c}{} {}{x}",
            i + 1,
            step.request.method,
            step.request.url,
            b = s.bold,
            c = s.cyan,
            x = s.reset
        );
        for (n, v) in &step.request.headers {
            let _ = writeln!(o, "   {d}>{x} {n}: {v}", d = s.dim, x = s.reset);
        }
        if step.request.credentials {
            let _ = writeln!(
                o,
                "   {d}> (a browser would attach cookies and HTTP authentication here){x}",
                d = s.dim,
                x = s.reset
            );
        }
        if step.request.body_bytes > 0 {
            let _ = writeln!(
                o,
                "   {d}> ({} bytes of body){x}",
                step.request.body_bytes,
                d = s.dim,
                x = s.reset
            );
        }
        match &step.response {
            Some(resp) => {
                let reason = http::StatusCode::from_u16(resp.status)
                    .ok()
                    .and_then(|c| c.canonical_reason())
                    .unwrap_or("");
                let _ = writeln!(
                    o,
                    "   {d}<{x} {b}{} {reason}{x}",
                    resp.status,
                    d = s.dim,
                    b = s.bold,
                    x = s.reset
                );
                for (n, v) in &resp.headers {
                    let _ = writeln!(o, "   {d}<{x} {n}: {v}", d = s.dim, x = s.reset);
                }
            }
            None => {
                let _ = writeln!(o, "   {r}< no response{x}", r = s.red, x = s.reset);
            }
        }
        for c in &step.checks {
            // A passed check has only its mark in green; a failed one is red to the end.
            let head = if c.ok {
                format!("{}✓{} {}", s.green, s.reset, c.detail)
            } else {
                format!("{}✗ {}{}", s.red, c.detail, s.reset)
            };
            let _ = writeln!(
                o,
                "   {head} {d}[{} {}]{x}",
                c.rule,
                c.anchor,
                d = s.dim,
                x = s.reset
            );
        }
    }
    o.push('\n');
    let (color, word) = match r.verdict {
        "allowed" => (s.green, "ALLOWED"),
        "refused" => (s.red, "REFUSED"),
        "network-error" => (s.red, "NETWORK ERROR"),
        _ => (s.red, "BLOCKED"),
    };
    let _ = writeln!(
        o,
        "{b}{color}{word}{x}  {}",
        r.summary,
        b = s.bold,
        x = s.reset
    );
    // The browser asked about speaks first; the other one's words follow.
    let firefox_first = r.browser == "firefox";
    let mut chromium_reason = String::new();
    if let Some(e) = &r.cors_error {
        let _ = write!(
            chromium_reason,
            "  Chromium CorsError: {b}{e}{x}",
            b = s.bold,
            x = s.reset
        );
        if let Some(p) = &r.failed_parameter {
            let _ = write!(chromium_reason, " (failed parameter: `{p}`)");
        }
        chromium_reason.push('\n');
    }
    let firefox_reason = match r.firefox_reason {
        Some(f) if firefox_first => {
            format!("  Firefox reason: {b}{f}{x}\n", b = s.bold, x = s.reset)
        }
        Some(f) => format!("  Firefox reason: {f}\n"),
        None => String::new(),
    };
    push_in_order(&mut o, firefox_first, &chromium_reason, &firefox_reason);
    if let Some(a) = r.spec_anchor {
        let _ = writeln!(o, "  Fetch Standard: {a}");
    }
    if r.allowed && r.response_type == Some("cors") {
        let _ = writeln!(
            o,
            "  Readable response headers: {}",
            if r.exposed_headers.is_empty() {
                "none".to_string()
            } else {
                r.exposed_headers.join(", ")
            }
        );
    }
    if r.console.chromium.is_some() || r.console.firefox.is_some() {
        let _ = writeln!(o, "\n{b}Console{x}", b = s.bold, x = s.reset);
        let mut chromium = String::new();
        if let Some(m) = &r.console.chromium {
            let _ = writeln!(chromium, "  Chromium: {m}");
        }
        let mut firefox = String::new();
        if r.console.firefox_lines.len() > 1 {
            for m in &r.console.firefox_lines {
                let _ = writeln!(firefox, "  Firefox:  {m}");
            }
        } else if let Some(m) = &r.console.firefox {
            let _ = writeln!(firefox, "  Firefox:  {m}");
        }
        let mut webkit = String::new();
        for m in &r.console.webkit_lines {
            let _ = writeln!(webkit, "  WebKit:   {m}");
        }
        // `--browser safari` shows WebKit's words (first); the JSON always has them.
        if r.browser == "safari" {
            o.push_str(&webkit);
        }
        push_in_order(&mut o, firefox_first, &chromium, &firefox);
    }
    if let Some(fix) = &r.fix {
        o.push('\n');
        o.push_str(&render_fix(fix, s));
    }
    o
}

/// Renders a fix: the headers per response, the notes, the snippets.
pub fn render_fix(fix: &ServerFix, s: Style) -> String {
    let mut o = String::new();
    if !fix.by_headers {
        let _ = writeln!(
            o,
            "{b}Fix{x}: no response header makes this pass.",
            b = s.bold,
            x = s.reset
        );
        for n in &fix.notes {
            let _ = writeln!(o, "  • {n}");
        }
        return o;
    }
    let _ = writeln!(
        o,
        "{b}Fix{x}: the server at {c}{}{x} must send",
        fix.url,
        b = s.bold,
        c = s.cyan,
        x = s.reset
    );
    if let Some(pf) = &fix.preflight {
        let _ = writeln!(
            o,
            "  on the preflight response (OPTIONS, status {} or any 200–299, never a redirect):",
            pf.status.unwrap_or(PREFLIGHT_STATUS)
        );
        for (n, v) in &pf.headers {
            let _ = writeln!(o, "    {g}{n}: {v}{x}", g = s.green, x = s.reset);
        }
    }
    let _ = writeln!(
        o,
        "  on the actual response (every status, redirects included):"
    );
    for (n, v) in &fix.actual.headers {
        let _ = writeln!(o, "    {g}{n}: {v}{x}", g = s.green, x = s.reset);
    }
    for n in &fix.notes {
        let _ = writeln!(o, "  • {n}");
    }
    if let Some(sn) = &fix.snippets {
        let block = |o: &mut String, title: &str, body: &str| {
            let _ = writeln!(o, "\n  {b}{title}{x}", b = s.bold, x = s.reset);
            for line in body.lines() {
                let _ = writeln!(o, "    {line}");
            }
        };
        block(&mut o, "Rust (cors::Policy and the tower layer)", &sn.rust);
        block(&mut o, "Policy file (PolicyConfig TOML)", &sn.policy_toml);
        block(&mut o, "cors serve gateway route", &sn.gateway_toml);
        block(&mut o, "nginx", &sn.nginx);
        block(&mut o, "Apache", &sn.apache);
    }
    o
}

/// Appends the two browsers' texts, the one asked about (`--browser`) first.
fn push_in_order(o: &mut String, firefox_first: bool, chromium: &str, firefox: &str) {
    let (a, b) = if firefox_first {
        (firefox, chromium)
    } else {
        (chromium, firefox)
    };
    o.push_str(a);
    o.push_str(b);
}
