// What each fuzz target checks, as plain functions of the input bytes: `cargo fuzz` calls them
// from `fuzz_targets/` (through `src/lib.rs`), and `crates/cors-gateway/tests/fuzz_corpus.rs`
// includes this file to replay the committed corpus (`corpus/<target>/`) and every crash file
// (`regressions/<target>/`) in the regular `cargo test`. No function may panic on any input;
// where a property is cheap it is asserted too (a failed assertion is a crash the fuzzer reports).
// Plain `//` comments: the file is `include!`d, where inner doc comments are not allowed.

use cors::policy::{Policy, PolicyConfig};
use cors::vocab::grammar;
use cors::vocab::{HeaderOrigin, Origin};

/// What a target checks of one input (panics on a failure).
pub type Check = fn(&[u8]);

/// The fuzz targets this file implements, by name (the names of `fuzz_targets/*.rs`).
pub const TARGETS: &[(&str, Check)] = &[
    ("origin", origin),
    ("header_list", header_list),
    ("policy_file", policy_file),
    ("gateway_file", gateway_file),
    ("h1_head", h1_head),
];

/// `origin`: the strict `Origin` header parser, the configuration parser and the URL path.
///
/// - `HeaderOrigin::parse` accepts only a browser's serialization, so what it accepts is
///   canonical: the owned origin serializes to the same bytes, and the configuration parser
///   gives that same origin back.
/// - What the configuration parser (`Origin::parse_with`) returns is canonical: it re-parses to
///   itself; for `http`/`https` it is byte for byte the URL Standard's serialization (the `url`
///   crate's); and the strict header parser accepts it unless its host is one DNS cannot have
///   (bytes other than letters, digits, `-`, `_`, `.`, or an empty label), which lint warns of.
/// - `Origin::of_url` never panics on anything the URL parser accepts.
pub fn origin(data: &[u8]) {
    if let Ok(h) = HeaderOrigin::parse(data) {
        assert_eq!(h.as_str().as_bytes(), data);
        let owned = h.to_origin();
        assert_eq!(owned.as_str(), h.as_str());
        assert_eq!(owned.is_opaque(), h.is_null());
        let reparsed = Origin::parse_with(h.as_str(), true)
            .unwrap_or_else(|e| panic!("header origin {:?} does not re-parse: {e}", h.as_str()));
        assert_eq!(reparsed, owned);
        let _ = owned.is_potentially_trustworthy();
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for any_scheme in [false, true] {
        let Ok(o) = Origin::parse_with(text, any_scheme) else {
            continue;
        };
        let again = Origin::parse_with(o.as_str(), any_scheme).unwrap_or_else(|e| {
            panic!(
                "canonical {:?} of {text:?} does not re-parse: {e}",
                o.as_str()
            )
        });
        assert_eq!(again, o, "canonical form of {text:?} is not a fixed point");
        if cors::vocab::origin::is_http_scheme(o.scheme()) {
            assert!(o.port_or_default().is_some());
            let want = url::Url::parse(text)
                .unwrap_or_else(|e| {
                    panic!("{text:?} is an origin to us, not to the URL parser: {e}")
                })
                .origin()
                .ascii_serialization();
            assert_eq!(
                o.as_str(),
                want,
                "{text:?}: not the URL Standard's serialization"
            );
        }
        if !o.is_opaque() {
            let host = o.host();
            let dns_like = host.starts_with('[')
                || (host
                    .bytes()
                    .all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.'))
                    && !host
                        .strip_suffix('.')
                        .unwrap_or(host)
                        .split('.')
                        .any(str::is_empty));
            if dns_like {
                let h = HeaderOrigin::parse(o.as_str().as_bytes()).unwrap_or_else(|e| {
                    panic!(
                        "canonical {:?} of {text:?} is not what a browser sends: {e}",
                        o.as_str()
                    )
                });
                assert_eq!(h.to_origin(), o);
            }
        }
        let _ = (o.is_loopback(), o.is_potentially_trustworthy());
    }
    if let Ok(u) = url::Url::parse(text) {
        let o = Origin::of_url(&u);
        let _ = (o.as_str(), o.is_potentially_trustworthy());
    }
}

/// `header_list`: the Fetch header grammar. The input is read as header lines `name: value`
/// (split on LF), and every value also as one list.
///
/// - `split_list` items carry no leading or trailing tab or space, and there is one more item
///   than there are commas outside quoted strings (at least one).
/// - `token_list` yields tokens only, then at most one error, then nothing.
/// - `extract_token_list` over the lines agrees with `token_list` line by line.
/// - `header_list_get` is the normalized values joined by `, `.
/// - `normalize_header_value` is idempotent and its result is a header value unless it holds
///   NUL, CR or LF inside.
/// - `parse_delta_seconds` accepts exactly one or more ASCII digits.
pub fn header_list(data: &[u8]) {
    use cors::vocab::safelist;

    let items: Vec<&[u8]> = grammar::split_list(data).collect();
    assert!(!items.is_empty());
    for item in &items {
        assert_eq!(grammar::trim_tab_or_space(item), *item);
    }
    let mut seen_err = false;
    for t in grammar::token_list(data) {
        assert!(!seen_err, "token_list went on after an error");
        match t {
            Ok(tok) => assert!(grammar::is_token(tok)),
            Err(bad) => {
                assert!(!bad.is_empty() && !grammar::is_token(bad));
                seen_err = true;
            }
        }
    }

    let norm = grammar::normalize_header_value(data);
    assert_eq!(grammar::normalize_header_value(norm), norm);
    if !norm.iter().any(|&b| matches!(b, 0 | b'\r' | b'\n')) {
        assert!(grammar::is_header_value(norm));
    }
    let digits = !data.is_empty() && data.iter().all(u8::is_ascii_digit);
    assert_eq!(grammar::parse_delta_seconds(data).is_some(), digits);

    // Header lines.
    let lines: Vec<(&[u8], &[u8])> = data
        .split(|&b| b == b'\n')
        .filter_map(|line| {
            let colon = line.iter().position(|&b| b == b':')?;
            Some((&line[..colon], &line[colon + 1..]))
        })
        .collect();
    let Some(&(first_name, _)) = lines.first() else {
        return;
    };
    let values = grammar::header_list_values(lines.iter().copied(), first_name);
    assert!(!values.is_empty());
    let joined = grammar::header_list_get(lines.iter().copied(), first_name).expect("present");
    assert_eq!(joined, values.join(&b", "[..]));
    let extracted = grammar::extract_token_list(values.iter().copied()).expect("present");
    let per_line: Result<Vec<&[u8]>, &[u8]> =
        values.iter().flat_map(|v| grammar::token_list(v)).collect();
    assert_eq!(extracted, per_line);

    // The safelist's parsers on the same lines: never a panic.
    for &(name, value) in &lines {
        let _ = safelist::cors_safelisted_request_header(name, value);
        let _ = safelist::is_forbidden_request_header(name, value);
        let _ = safelist::mime_type_essence(value);
        let _ = safelist::parse_single_range_header_value(value, true);
        let _ = safelist::parse_single_range_header_value(value, false);
    }
    let _ = safelist::cors_unsafe_request_header_names(lines.iter().copied());
}

/// `policy_file`: a policy file (TOML) through the loader and the compiler, then a decision.
///
/// - Validation and compilation agree: `validate()` finds no error exactly when `Policy::new`
///   succeeds.
/// - A compiled policy decides a preflight and a simple request from an origin named in the
///   file, and applies the decision to a header map, without panicking.
pub fn policy_file(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(config) = toml::from_str::<PolicyConfig>(text) else {
        return;
    };
    let report = config.validate();
    let origins = config.allowed_origins.clone();
    let compiled = Policy::new(config);
    assert_eq!(
        report.errors.is_empty(),
        compiled.is_ok(),
        "validate() and Policy::new disagree: {:?}",
        report.errors
    );
    let Ok(policy) = compiled else {
        return;
    };
    let origin = origins
        .iter()
        .find(|o| http::HeaderValue::from_str(o).is_ok())
        .map_or("https://a.example", String::as_str)
        .replace('*', "x");
    for (method, preflight) in [("OPTIONS", true), ("GET", false), ("PUT", false)] {
        let mut req = http::Request::builder()
            .method(method)
            .uri("https://api.example/path")
            .header("origin", origin.as_str());
        if preflight {
            req = req
                .header("access-control-request-method", "PUT")
                .header("access-control-request-headers", "content-type,x-a");
        }
        let Ok(req) = req.body(()) else {
            continue;
        };
        let decision = policy.decide_request(&req);
        let mut headers = http::HeaderMap::new();
        policy.apply(&decision, &mut headers);
    }
}

/// Every diagnostic points into the file it is about and says what and how to fix it.
fn check_diagnostics(src: &str, diags: &[cors_gateway::diag::Diagnostic]) {
    for d in diags {
        assert!(
            d.span.start <= d.span.end && d.span.end <= src.len(),
            "{d:?}"
        );
        assert!(d.line >= 1 && d.column >= 1, "{d:?}");
        assert!(d.line <= src.lines().count().max(1) + 1, "{d:?}");
        assert!(!d.code.is_empty() && !d.message.is_empty(), "{d:?}");
    }
}

/// `gateway_file`: a gateway (or policy) file through `cors lint`'s entry point and the
/// gateway's loader.
///
/// - Lint and load never panic, and every diagnostic is located inside the file.
/// - The loader agrees with the linter: it fails exactly when the linter found an error (or
///   the file does not deserialize); a loaded file's warnings are the linter's.
pub fn gateway_file(data: &[u8]) {
    use cors_gateway::diag::Severity;
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    let any = cors_gateway::lint::lint_source(src);
    check_diagnostics(src, &any);
    let gateway = cors_gateway::config::lint_gateway_source(src);
    check_diagnostics(src, &gateway);
    let has_error = gateway.iter().any(|d| d.severity == Severity::Error);
    match cors_gateway::config::load(src, std::path::Path::new("/nonexistent")) {
        Ok(loaded) => {
            assert!(!has_error, "loaded despite lint errors: {gateway:?}");
            assert_eq!(loaded.warnings.len(), gateway.len());
            // Routes' policies compile (`cors serve` builds them next).
            let _ = format!("{:?}", loaded.config);
        }
        Err(diags) => {
            check_diagnostics(src, &diags);
            assert!(diags.iter().any(|d| d.severity == Severity::Error));
        }
    }
}

/// `h1_head`: the gateway's HTTP/1.x request-head parser, then the body decoder, over a buffer
/// of pipelined requests, under the default limits and under small ones.
///
/// - A parsed head is taken out of the buffer (it shrinks), carries at most `max_headers`
///   fields and came from at most `max_header_bytes` bytes.
/// - An incomplete head is never over `max_header_bytes` (it is refused with 431 instead).
/// - The body decoder consumes the buffer or stops; it never loops without progress.
pub fn h1_head(data: &[u8]) {
    use bytes::BytesMut;
    use cors_gateway::wire::{Framing, HeadLimits, Step, head};
    let small = HeadLimits {
        max_headers: 4,
        max_header_bytes: 256,
        allow_underscore_framing_lookalikes: true,
    };
    for limits in [HeadLimits::default(), small] {
        let mut buf = BytesMut::from(data);
        let mut spans = Vec::new();
        // At most one request per two input bytes: a bound that also ends the loop.
        for _ in 0..=data.len() / 2 {
            let before = buf.len();
            let parsed = match head::parse(&mut buf, &limits, &mut spans) {
                Ok(Some(p)) => p,
                Ok(None) => {
                    assert!(buf.len() <= limits.max_header_bytes);
                    assert_eq!(buf.len(), before);
                    break;
                }
                Err(r) => {
                    assert!(r.status.is_client_error() || r.status.is_server_error());
                    assert!(!r.why.is_empty());
                    break;
                }
            };
            let taken = before - buf.len();
            assert!(taken > 0 && taken <= limits.max_header_bytes);
            // An absolute-form target's authority adds Host when the fields had none.
            let host_from_target = usize::from(parsed.req.uri().authority().is_some());
            assert!(parsed.req.headers().len() <= limits.max_headers + host_from_target);
            let mut framing = parsed.framing;
            assert!(!matches!(framing, Framing::Close));
            let mut done = false;
            for _ in 0..=buf.len() + 2 {
                let len = buf.len();
                match framing.step(&mut buf) {
                    Step::Data(d) => assert!(!d.is_empty() && buf.len() < len),
                    Step::End => {
                        done = true;
                        break;
                    }
                    Step::More | Step::Invalid(_) => break,
                }
            }
            if !done || !parsed.keep_alive {
                break;
            }
        }
    }
}
