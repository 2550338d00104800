//! What the browser gave you: a request copied from Chromium's or Firefox's DevTools ("Copy as
//! cURL" in bash or cmd quoting, "Copy as fetch") or a whole session exported as a HAR file,
//! turned into the [`RequestArgs`] that `cors check` and `cors explain` take.
//!
//! A copied request holds what the browser *sent*, which is more than what script asked for:
//! the browser adds `Origin`, `Referer`, `Cookie`, `sec-fetch-*`, `sec-ch-ua*`, `User-Agent`,
//! `Accept-Encoding`… Those are recognised here (`browser_added`) and not mistaken for headers
//! script set, which would trigger a preflight; the page's origin, the request mode and the
//! credentials mode are read back from them. What the copy does not say is said, with the
//! default taken (`Imported::notes`).
//!
//! `shell.rs` splits command lines, `curl.rs` reads curl's options, `fetch.rs` the `fetch()`
//! call's object literal, `har.rs` streams a HAR file. Errors are [`ImportError`]s carrying the
//! byte offset they were found at; nothing here panics on any input.
//!
//! Floors, top to bottom (checked by `scripts/module-graph`):
//! 1. `har`: HAR files, read as a stream and judged entry by entry.
//! 2. `curl`: "Copy as cURL"; `fetch`: "Copy as fetch".
//! 3. `shell`: bash and cmd command lines split into words.
//! 4. `capture`: what a copy holds, its errors, and the request read back from it.

pub mod capture;
pub mod curl;
pub mod fetch;
pub mod har;
pub mod shell;

use crate::check::imported::ImportedReport;
use crate::check::request::RequestArgs;
use capture::{Imported, import, print_notes, report_of};

/// Which of `--curl`, `--fetch` gives the request, read and imported.
pub fn from_flags(
    curl: Option<&str>,
    fetch: Option<&str>,
    base: &RequestArgs,
) -> Option<Result<Imported, String>> {
    let (flag, text, parsed) = match (curl, fetch) {
        (Some(t), _) => ("--curl", t, curl::parse(t)),
        (None, Some(t)) => ("--fetch", t, fetch::parse(t)),
        (None, None) => return None,
    };
    Some(
        parsed
            .and_then(|c| import(&c, base))
            .map_err(|e| format!("{flag}: {}", e.render(text))),
    )
}

/// The request `--curl` or `--fetch` gives, read against `base`, with its report (the notes are
/// printed for people unless `json`); `Ok(None)` when neither flag is given.
fn copied(
    tool: &str,
    flags: &crate::check::imported::DevtoolsArgs,
    base: &RequestArgs,
    json: bool,
) -> Result<Option<(Imported, ImportedReport)>, String> {
    let Some(read) = from_flags(flags.curl.as_deref(), flags.fetch.as_deref(), base) else {
        return Ok(None);
    };
    let i = read?;
    let report = report_of(
        if flags.curl.is_some() {
            "curl"
        } else {
            "fetch"
        },
        &i,
    );
    if !json {
        print_notes(tool, &i);
    }
    Ok(Some((i, report)))
}

/// Runs `cors check`: a HAR file entry by entry, a copied request read into the flags, or the
/// flags as they are.
pub fn check(mut args: crate::check::CheckArgs) -> std::process::ExitCode {
    if let Some(path) = args.devtools.har.clone() {
        return har::run_check(&args, &path);
    }
    match copied("cors check", &args.devtools, &args.request, args.json) {
        Ok(Some((i, report))) => {
            args.url = Some(i.url);
            args.request = i.args;
            args.insecure |= i.insecure;
            crate::check::run(args, Some(report))
        }
        Ok(None) => crate::check::run(args, None),
        Err(e) => {
            eprintln!("cors check: {e}");
            std::process::ExitCode::from(crate::check::EXIT_ERROR)
        }
    }
}

/// Runs `cors explain`, as [`check`] does `cors check`.
pub fn explain(mut args: crate::explain::ExplainArgs) -> std::process::ExitCode {
    if let Some(path) = args.devtools.har.clone() {
        return har::run_explain(&args, &path);
    }
    match copied("cors explain", &args.devtools, &args.request, args.json) {
        Ok(Some((i, report))) => {
            args.url = Some(i.url);
            args.request = i.args;
            crate::explain::run(args, Some(report))
        }
        Ok(None) => crate::explain::run(args, None),
        Err(e) => {
            eprintln!("cors explain: {e}");
            std::process::ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::capture::*;
    use super::*;
    use crate::check::imported::DevtoolsArgs;
    use crate::check::request::{BodyKind, CredentialsArg, ModeArg};
    use clap::Parser;

    #[derive(Parser)]
    struct T {
        #[command(flatten)]
        r: RequestArgs,
        #[command(flatten)]
        _d: DevtoolsArgs,
    }

    fn base() -> RequestArgs {
        T::parse_from(["t", "--fetch", "x"]).r
    }

    #[test]
    fn browser_headers_are_recognised() {
        for n in [
            "Origin",
            "Referer",
            "Cookie",
            "sec-fetch-mode",
            "sec-ch-ua-platform",
            "User-Agent",
            "Accept-Encoding",
            ":authority",
            "Connection",
            "Priority",
            "Host",
        ] {
            assert!(browser_added(n), "{n}");
        }
        for n in [
            "Accept",
            "Content-Type",
            "X-Requested-With",
            "Authorization",
        ] {
            assert!(!browser_added(n), "{n}");
        }
    }

    #[test]
    fn origin_mode_and_credentials_come_from_the_browser_headers() {
        let c = Captured {
            url: "https://api.example/x".into(),
            method: Some("GET".into()),
            headers: vec![
                ("Origin".into(), "https://app.example".into()),
                ("Cookie".into(), "a=1".into()),
                ("sec-fetch-mode".into(), "no-cors".into()),
                ("X-A".into(), "1".into()),
            ],
            ..Captured::default()
        };
        let i = import(&c, &base()).unwrap();
        assert_eq!(i.args.origin.as_deref(), Some("https://app.example"));
        assert_eq!(i.args.mode, ModeArg::NoCors);
        assert_eq!(i.args.credentials, CredentialsArg::Include);
        assert_eq!(i.args.headers, ["X-A: 1"]);
        assert_eq!(i.browser_headers, ["Origin", "Cookie", "sec-fetch-mode"]);
    }

    #[test]
    fn the_referrer_gives_the_origin_and_a_missing_one_is_an_error() {
        let mut c = Captured {
            url: "https://api.example/x".into(),
            headers: vec![("Referer".into(), "https://app.example/page?q".into())],
            ..Captured::default()
        };
        let i = import(&c, &base()).unwrap();
        assert_eq!(i.args.origin.as_deref(), Some("https://app.example"));
        assert!(i.notes.iter().any(|n| n.contains("referrer")));
        c.headers.clear();
        assert_eq!(import(&c, &base()).unwrap_err().code, "no-origin");
        c.headers = vec![("sec-fetch-mode".into(), "navigate".into())];
        let mut b = base();
        b.origin = Some("https://app.example".into());
        assert_eq!(import(&c, &b).unwrap_err().code, "not-a-fetch");
    }

    #[test]
    fn a_body_without_content_type_is_bytes() {
        let mut c = Captured {
            url: "https://api.example/x".into(),
            headers: vec![("Origin".into(), "https://app.example".into())],
            body: Some("abc".into()),
            ..Captured::default()
        };
        assert_eq!(
            import(&c, &base()).unwrap().args.body_kind,
            Some(BodyKind::Bytes)
        );
        c.headers.push(("Content-Type".into(), "text/plain".into()));
        assert_eq!(
            import(&c, &base()).unwrap().args.body_kind,
            Some(BodyKind::Text)
        );
    }

    #[test]
    fn errors_render_line_and_column() {
        let e = ImportError {
            code: "x",
            message: "bad".into(),
            offset: 9,
        };
        assert_eq!(
            e.render("curl \\\n  -Z"),
            "line 2, column 3: bad [x]\n    -Z\n    ^"
        );
    }

    /// No input panics a reader: arbitrary text (and text made of the characters DevTools'
    /// copies are built from) into the shell splitter, both parsers and the import, and
    /// arbitrary bytes (and JSON-ish text) into the HAR reader; each answers a value or an error.
    mod no_panic {
        use super::base;
        use crate::devtools::{capture, curl, fetch, har, shell};
        use proptest::prelude::*;

        fn devtools_text() -> impl Strategy<Value = String> {
            let pieces = prop::sample::select(vec![
                "curl ",
                "'",
                "\"",
                "$'",
                "^\"",
                "^",
                "\\",
                "\\\n",
                " -H ",
                " -X ",
                " -b ",
                " --data-raw ",
                " --data-binary ",
                " -u ",
                " --compressed",
                " --insecure",
                "Origin: https://a.example",
                "sec-fetch-mode: cors",
                "Cookie: a=b",
                "\\x41",
                "\\u{1F600}",
                "\\u00e9",
                "http://a.example/",
                "fetch(",
                "{",
                "}",
                "[",
                "]",
                ":",
                ",",
                "\"method\"",
                "\"headers\"",
                "\"body\"",
                "null",
                "\"mode\"",
                "\"credentials\"",
                "\"include\"",
                ");",
                "\n",
                "é",
                "\u{0}",
                " ",
            ]);
            prop::collection::vec(pieces, 0..40).prop_map(|v| v.concat())
        }

        fn read_all(text: &str) {
            for d in [shell::Dialect::Posix, shell::Dialect::Cmd] {
                let _ = shell::split(text, d);
            }
            for parsed in [curl::parse(text), fetch::parse(text)] {
                if let Ok(c) = parsed {
                    let _ = capture::import(&c, &base());
                } else if let Err(e) = parsed {
                    let _ = e.render(text);
                }
            }
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(512))]
            #[test]
            fn arbitrary_text(text in any::<String>()) {
                read_all(&text);
            }
            #[test]
            fn devtools_like_text(text in devtools_text()) {
                read_all(&text);
            }
            #[test]
            fn arbitrary_har_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
                let _ = har::read(&bytes[..]);
            }
            #[test]
            fn har_like_text(text in prop::collection::vec(prop::sample::select(vec![
                "{", "}", "[", "]", ",", ":", "\"log\"", "\"version\"", "\"1.2\"", "\"entries\"",
                "\"request\"", "\"response\"", "\"status\"", "\"headers\"", "\"name\"",
                "\"value\"", "\"method\"", "\"url\"", "0", "-1", "\"x\"", "null",
            ]), 0..60).prop_map(|v| v.concat())) {
                if let Ok(h) = har::read(text.as_bytes()) {
                    let _ = har::exchanges(&h, Some("http://a.example"));
                }
            }
        }
    }
}
