//! Turning probe responses into findings. Sans-IO: takes [`Exchange`]s, returns [`Finding`]s.
//!
//! # One finding per root cause
//!
//! Origin-matching flaws imply one another: a server that reflects every origin also "accepts"
//! the prefix, suffix, substring, special-character, subdomain, `http://` and `null` probes; a
//! `contains` check also accepts the prefix and suffix probes; a regex whose `.` is unescaped is
//! almost always unanchored as well. Reporting all of them would bury the cause under its
//! consequences, so the judge reports an accepted class only when no *more general* accepted
//! class explains it, per this table (row: the class; column: the classes that explain it):
//!
//! | class                        | explained by                                                   |
//! |------------------------------|----------------------------------------------------------------|
//! | origin-reflected             | —                                                              |
//! | null-origin-allowed          | origin-reflected                                               |
//! | unescaped-dot                | origin-reflected                                               |
//! | substring-match              | origin-reflected, unescaped-dot                                |
//! | prefix-match                 | origin-reflected, unescaped-dot, substring-match               |
//! | suffix-match                 | origin-reflected, unescaped-dot, substring-match               |
//! | special-characters           | origin-reflected, unescaped-dot, substring-match, prefix-match |
//! | arbitrary-subdomain-trusted  | origin-reflected, unescaped-dot, substring-match, suffix-match |
//! | insecure-origin-trusted      | origin-reflected, unescaped-dot, substring-match, prefix-match, suffix-match |
//!
//! Each "explained by" entry holds by construction of the probes: e.g. the special-character
//! probe `https://app.example_.evil.test` starts with the trusted origin, so every prefix
//! matcher accepts it. The explained origins are not dropped: they are listed in the root
//! finding's evidence (`also_accepted`), and the one fix removes them all. The other ids
//! (wildcard, preflight, Vary, private network) are independent of origin matching and of each
//! other, so each is reported on its own evidence.

use cors::vocab::grammar::{eq_ignore_case, split_list, token_list};

use super::finding::{FindingId, Severity};
use super::probe::{Exchange, PROBE_HEADER, PROBE_METHOD, ProbeKind, Target, allows_origin};

/// One finding on one target.
#[derive(Clone, Debug)]
pub struct Finding {
    /// The target URL.
    pub target: String,
    /// What was found.
    pub id: FindingId,
    /// How bad it is, given the evidence (credentials raise it).
    pub severity: Severity,
    /// A sentence saying what was observed.
    pub message: String,
    /// Whether the exploitable response also allowed credentials.
    pub credentials: bool,
    /// Other accepted probe origins this root cause explains: `(class, origin)`.
    pub also_accepted: Vec<(FindingId, String)>,
    /// The requests and responses that show it.
    pub exchanges: Vec<Exchange>,
}

/// `Access-Control-Allow-Origin` as a browser reads it (Fetch "get", duplicates combined).
fn acao(x: &Exchange) -> Option<Vec<u8>> {
    x.response.get("access-control-allow-origin")
}

/// `true` when `Access-Control-Allow-Credentials` is exactly `true` (Fetch #cors-check step 7:
/// a byte-exact, case-sensitive comparison of the combined value).
fn acac_true(x: &Exchange) -> bool {
    x.response
        .get("access-control-allow-credentials")
        .as_deref()
        == Some(b"true")
}

/// Whether a browser would pass the CORS check for the probe's origin without credentials:
/// the user-agent engine's own check (Fetch #cors-check).
fn passes_cors_check(x: &Exchange) -> bool {
    let response = cors::agent::Response {
        status: x.response.status.as_u16(),
        headers: x
            .response
            .headers
            .iter()
            .map(|(n, v)| (n.as_str().as_bytes().to_vec(), v.as_bytes().to_vec()))
            .collect(),
    };
    let origin = x.probe.origin.as_deref().unwrap_or_default();
    cors::agent::cors_check(origin, cors::agent::CredentialsMode::Omit, &response).is_ok()
}

/// An ok status, 200–299 (Fetch #ok-status), which a preflight needs to pass.
fn ok_status(x: &Exchange) -> bool {
    x.response.status.is_success()
}

fn class_of(kind: ProbeKind) -> Option<FindingId> {
    Some(match kind {
        ProbeKind::Arbitrary => FindingId::OriginReflected,
        ProbeKind::Null => FindingId::NullOriginAllowed,
        ProbeKind::Prefix => FindingId::PrefixMatch,
        ProbeKind::Suffix => FindingId::SuffixMatch,
        ProbeKind::SubstringContains | ProbeKind::SubstringContained => FindingId::SubstringMatch,
        ProbeKind::UnescapedDot => FindingId::UnescapedDot,
        ProbeKind::Subdomain => FindingId::ArbitrarySubdomainTrusted,
        ProbeKind::InsecureScheme => FindingId::InsecureOriginTrusted,
        ProbeKind::SpecialCharacter(_) => FindingId::SpecialCharacters,
        ProbeKind::Baseline
        | ProbeKind::NoOrigin
        | ProbeKind::Preflight
        | ProbeKind::PrivateNetwork => return None,
    })
}

/// The root-cause table of the module documentation.
pub fn explained_by(id: FindingId) -> &'static [FindingId] {
    use FindingId::*;
    match id {
        NullOriginAllowed | UnescapedDot => &[OriginReflected],
        SubstringMatch => &[OriginReflected, UnescapedDot],
        PrefixMatch | SuffixMatch => &[OriginReflected, UnescapedDot, SubstringMatch],
        SpecialCharacters => &[OriginReflected, UnescapedDot, SubstringMatch, PrefixMatch],
        ArbitrarySubdomainTrusted => &[OriginReflected, UnescapedDot, SubstringMatch, SuffixMatch],
        InsecureOriginTrusted => &[
            OriginReflected,
            UnescapedDot,
            SubstringMatch,
            PrefixMatch,
            SuffixMatch,
        ],
        _ => &[],
    }
}

/// The severity of an origin-trust finding, given whether the accepting response also allowed
/// credentials (which lets an attacker read authenticated responses).
fn origin_severity(id: FindingId, credentials: bool, underscore: bool) -> Severity {
    use FindingId::*;
    match (id, credentials) {
        (OriginReflected, true) => Severity::Critical,
        (OriginReflected, false) => Severity::Medium,
        (NullOriginAllowed | PrefixMatch | SuffixMatch | UnescapedDot | SubstringMatch, true) => {
            Severity::High
        }
        (NullOriginAllowed | PrefixMatch | SuffixMatch | UnescapedDot | SubstringMatch, false) => {
            Severity::Medium
        }
        // `_` in a host works in every major browser; the other characters mostly in Safari.
        (SpecialCharacters, true) if underscore => Severity::High,
        (SpecialCharacters, true) => Severity::Medium,
        (SpecialCharacters, false) => Severity::Low,
        (InsecureOriginTrusted, true) => Severity::Medium,
        (InsecureOriginTrusted, false) => Severity::Low,
        (ArbitrarySubdomainTrusted, _) => Severity::Info,
        _ => Severity::Low,
    }
}

/// All findings for one target, from the exchanges that succeeded.
pub fn judge(target: &Target, exchanges: &[Exchange]) -> Vec<Finding> {
    let target_url = target.url.to_string();
    let mut findings = Vec::new();

    // Origin trust: which probe classes were accepted, and which of those are root causes.
    let accepted: Vec<(FindingId, &Exchange)> = exchanges
        .iter()
        .filter(|x| x.probe.request.method == http::Method::GET && allows_origin(x))
        .filter_map(|x| class_of(x.probe.kind).map(|id| (id, x)))
        .collect();
    let is_accepted = |id: FindingId| accepted.iter().any(|(a, _)| *a == id);
    for id in FindingId::ALL {
        if !is_accepted(id) || explained_by(id).iter().any(|&e| is_accepted(e)) {
            continue;
        }
        let own: Vec<&Exchange> = accepted
            .iter()
            .filter(|(a, _)| *a == id)
            .map(|(_, x)| *x)
            .collect();
        let credentials = own.iter().any(|x| acac_true(x));
        let underscore = own
            .iter()
            .any(|x| x.probe.kind == ProbeKind::SpecialCharacter('_') && acac_true(x));
        let shown = own
            .iter()
            .find(|x| acac_true(x))
            .or(own.first())
            .copied()
            .cloned();
        let Some(shown) = shown else { continue };
        let also_accepted: Vec<(FindingId, String)> = accepted
            .iter()
            .filter(|(a, x)| {
                (*a != id && explained_by(*a).contains(&id))
                    || (*a == id && x.probe.origin != shown.probe.origin)
            })
            .filter_map(|(a, x)| x.probe.origin.clone().map(|o| (*a, o)))
            .collect();
        let origin = shown.probe.origin.clone().unwrap_or_default();
        let mut message = format!(
            "`{origin}` was allowed: Access-Control-Allow-Origin echoed it ({} probe)",
            shown.probe.kind.as_str()
        );
        if id == FindingId::SpecialCharacters {
            let chars: String = own
                .iter()
                .filter_map(|x| match x.probe.kind {
                    ProbeKind::SpecialCharacter(c) => Some(c),
                    _ => None,
                })
                .collect();
            message.push_str(&format!("; characters accepted after the host: {chars}"));
        }
        if credentials {
            message.push_str(
                ", together with Access-Control-Allow-Credentials: true, so an attacker's page \
                 can read authenticated responses: severity raised",
            );
        }
        if !also_accepted.is_empty() {
            message.push_str(&format!(
                "; {} more probe origin(s) accepted for the same root cause",
                also_accepted.len()
            ));
        }
        message.push('.');
        findings.push(Finding {
            target: target_url.clone(),
            id,
            severity: origin_severity(id, credentials, underscore),
            message,
            credentials,
            also_accepted,
            exchanges: vec![shown],
        });
    }

    // Fetch #cors-check steps 3 and 7: `*` never passes for a credentialed request, so `*` with
    // `Access-Control-Allow-Credentials: true` is a configuration that cannot work as meant.
    if let Some(x) = exchanges
        .iter()
        .find(|x| acao(x).as_deref() == Some(b"*") && acac_true(x))
    {
        findings.push(Finding {
            target: target_url.clone(),
            id: FindingId::WildcardWithCredentials,
            severity: Severity::Low,
            message: format!(
                "the {} probe got Access-Control-Allow-Origin: * with \
                 Access-Control-Allow-Credentials: true; browsers reject credentialed reads of it.",
                x.probe.kind.as_str()
            ),
            credentials: true,
            also_accepted: Vec::new(),
            exchanges: vec![x.clone()],
        });
    }

    // Preflight: a passing answer (ok status, origin granted) that lists our made-up method or
    // header reflects whatever is asked (Fetch #cors-preflight-fetch step 7).
    for x in exchanges
        .iter()
        .filter(|x| x.probe.kind == ProbeKind::Preflight)
    {
        if !ok_status(x) || !passes_cors_check(x) {
            continue;
        }
        let credentials = acac_true(x);
        let severity = if credentials {
            Severity::Medium
        } else {
            Severity::Low
        };
        let lists = |name: &str, want: &[u8], exact: bool| {
            x.response.get(name).is_some_and(|v| {
                token_list(&v).any(|t| {
                    t.is_ok_and(|t| {
                        if exact {
                            t == want
                        } else {
                            eq_ignore_case(t, want)
                        }
                    })
                })
            })
        };
        // Methods compare byte-exact (#cors-preflight-fetch step 7.5), header names
        // case-insensitively (step 7.7).
        for (id, name, want, exact, what) in [
            (
                FindingId::PreflightReflectsMethods,
                "access-control-allow-methods",
                PROBE_METHOD,
                true,
                "method",
            ),
            (
                FindingId::PreflightReflectsHeaders,
                "access-control-allow-headers",
                PROBE_HEADER,
                false,
                "header",
            ),
        ] {
            if lists(name, want.as_bytes(), exact) {
                findings.push(Finding {
                    target: target_url.clone(),
                    id,
                    severity,
                    message: format!(
                        "a preflight asking for the made-up {what} `{want}` was answered with \
                         {name} listing it{}.",
                        if credentials {
                            ", with credentials allowed"
                        } else {
                            ""
                        }
                    ),
                    credentials,
                    also_accepted: Vec::new(),
                    exchanges: vec![x.clone()],
                });
            }
        }
    }

    // Private Network Access: the preflight from an arbitrary public origin passes and is
    // granted `Access-Control-Allow-Private-Network: true` (WICG PNA #private-network-request).
    for x in exchanges
        .iter()
        .filter(|x| x.probe.kind == ProbeKind::PrivateNetwork)
    {
        let granted = x
            .response
            .get("access-control-allow-private-network")
            .as_deref()
            == Some(b"true");
        if granted && ok_status(x) && passes_cors_check(x) {
            findings.push(Finding {
                target: target_url.clone(),
                id: FindingId::PrivateNetworkOpen,
                severity: Severity::High,
                message: format!(
                    "a Private Network Access preflight from `{}` passed and was granted \
                     Access-Control-Allow-Private-Network: true.",
                    x.probe.origin.as_deref().unwrap_or_default()
                ),
                credentials: acac_true(x),
                also_accepted: Vec::new(),
                exchanges: vec![x.clone()],
            });
        }
    }

    if let Some(f) = missing_vary(&target_url, exchanges) {
        findings.push(f);
    }
    findings
}

/// `Vary` lists `Origin` (or `*`).
fn varies_on_origin(x: &Exchange) -> bool {
    x.response
        .get("vary")
        .is_some_and(|v| split_list(&v).any(|item| eq_ignore_case(item, b"origin") || item == b"*"))
}

/// Fetch #cors-protocol-and-http-caches: when `Access-Control-Allow-Origin` differs between
/// requests that differ only in `Origin`, every such response needs `Vary: Origin`.
fn missing_vary(target: &str, exchanges: &[Exchange]) -> Option<Finding> {
    let gets: Vec<&Exchange> = exchanges
        .iter()
        .filter(|x| x.probe.request.method == http::Method::GET)
        .collect();
    let first = *gets.first()?;
    let first_acao = acao(first);
    let other = gets.iter().find(|x| acao(x) != first_acao)?;
    let lacking: Vec<&&Exchange> = gets.iter().filter(|x| !varies_on_origin(x)).collect();
    if lacking.is_empty() {
        return None;
    }
    let origin_specific = gets
        .iter()
        .any(|x| acao(x).is_some_and(|v| v.as_slice() != b"*"));
    let show = |x: &Exchange| match acao(x) {
        Some(v) => format!("`{}`", String::from_utf8_lossy(&v)),
        None => "absent".to_string(),
    };
    let from = |x: &Exchange| match &x.probe.origin {
        Some(o) => format!("Origin `{o}`"),
        None => "no Origin".to_string(),
    };
    Some(Finding {
        target: target.to_string(),
        id: FindingId::MissingVaryOrigin,
        severity: if origin_specific {
            Severity::Medium
        } else {
            Severity::Low
        },
        message: format!(
            "Access-Control-Allow-Origin was {} for {} but {} for {}, and {} of {} responses \
             lack Vary: Origin.",
            show(first),
            from(first),
            show(other),
            from(other),
            lacking.len(),
            gets.len()
        ),
        credentials: false,
        also_accepted: Vec::new(),
        exchanges: vec![first.clone(), (*other).clone()],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::Response;
    use crate::scan::probe::{first_round, second_round};
    use cors::vocab::Origin;
    use http::header::{HeaderName, HeaderValue};

    type Server = dyn Fn(&crate::http::Request) -> Vec<(&'static str, String)>;

    fn target() -> Target {
        Target::new(
            url::Url::parse("http://127.0.0.1:9/").unwrap(),
            Some(Origin::parse("https://app.example").unwrap()),
        )
    }

    fn origin_of(r: &crate::http::Request) -> Option<String> {
        r.headers
            .iter()
            .find(|(n, _)| n == "origin")
            .map(|(_, v)| v.to_str().unwrap().to_string())
    }

    /// Runs both rounds against an in-memory server and judges, without any I/O.
    fn run(server: &Server) -> Vec<(FindingId, Severity)> {
        let t = target();
        let answer = |p: crate::scan::probe::Probe| {
            let headers = server(&p.request)
                .into_iter()
                .map(|(n, v)| {
                    (
                        HeaderName::from_static(n),
                        HeaderValue::from_str(&v).unwrap(),
                    )
                })
                .collect();
            Exchange {
                probe: p,
                response: Response {
                    status: http::StatusCode::OK,
                    headers,
                },
            }
        };
        let mut xs: Vec<Exchange> = first_round(&t).into_iter().map(answer).collect();
        let more: Vec<Exchange> = second_round(&t, &xs).into_iter().map(answer).collect();
        xs.extend(more);
        let mut got: Vec<(FindingId, Severity)> =
            judge(&t, &xs).iter().map(|f| (f.id, f.severity)).collect();
        got.sort();
        got
    }

    fn allow_if(
        pred: impl Fn(&str) -> bool,
        creds: bool,
    ) -> impl Fn(&crate::http::Request) -> Vec<(&'static str, String)> {
        move |r| {
            let mut h = vec![("vary", "Origin".to_string())];
            if let Some(o) = origin_of(r) {
                if pred(&o) {
                    h.push(("access-control-allow-origin", o));
                    if creds {
                        h.push(("access-control-allow-credentials", "true".into()));
                    }
                }
            }
            h
        }
    }

    /// One row per origin-matching mistake: the server's check, and exactly the finding it gets.
    #[test]
    fn each_matching_mistake_gets_exactly_its_root_cause() {
        let t = "https://app.example";
        type Pred = Box<dyn Fn(&str) -> bool>;
        let rows: Vec<(&str, Pred, FindingId, Severity)> = vec![
            (
                "echo",
                Box::new(|_| true),
                FindingId::OriginReflected,
                Severity::Critical,
            ),
            (
                "null allowed",
                Box::new(move |o| o == t || o == "null"),
                FindingId::NullOriginAllowed,
                Severity::High,
            ),
            (
                "starts_with",
                Box::new(move |o| o.starts_with(t)),
                FindingId::PrefixMatch,
                Severity::High,
            ),
            (
                "ends_with",
                Box::new(|o| o.ends_with("app.example")),
                FindingId::SuffixMatch,
                Severity::High,
            ),
            (
                "contains",
                Box::new(|o| o.contains("app.example")),
                FindingId::SubstringMatch,
                Severity::High,
            ),
            (
                "contained",
                Box::new(move |o| t.contains(o)),
                FindingId::SubstringMatch,
                Severity::High,
            ),
            (
                "unanchored regex, unescaped dot",
                Box::new(|o| {
                    // `https://app.example` as a regex searched anywhere: `.` is any byte.
                    let p = b"https://app.example";
                    o.as_bytes()
                        .windows(p.len())
                        .any(|w| w.iter().zip(p).all(|(a, b)| *b == b'.' || a == b))
                }),
                FindingId::UnescapedDot,
                Severity::High,
            ),
            (
                "delimiter check",
                Box::new(move |o| {
                    o.strip_prefix(t).is_some_and(|rest| {
                        rest.chars()
                            .next()
                            .is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '.' || c == '-'))
                    })
                }),
                FindingId::SpecialCharacters,
                Severity::High,
            ),
            (
                "any subdomain",
                Box::new(move |o| {
                    o == t
                        || o.strip_prefix("https://")
                            .is_some_and(|h| h.ends_with(".app.example"))
                }),
                FindingId::ArbitrarySubdomainTrusted,
                Severity::Info,
            ),
            (
                "http trusted",
                Box::new(move |o| o == t || o == "http://app.example"),
                FindingId::InsecureOriginTrusted,
                Severity::Medium,
            ),
        ];
        for (name, pred, want, sev) in rows {
            let server = allow_if(pred, true);
            assert_eq!(run(&server), vec![(want, sev)], "{name}");
        }
    }

    #[test]
    fn without_credentials_severity_is_lower() {
        assert_eq!(
            run(&allow_if(|_| true, false)),
            vec![(FindingId::OriginReflected, Severity::Medium)]
        );
        assert_eq!(
            run(&allow_if(|o| o.starts_with("https://app.example"), false)),
            vec![(FindingId::PrefixMatch, Severity::Medium)]
        );
    }

    #[test]
    fn correct_servers_get_nothing() {
        let exact = allow_if(|o| o == "https://app.example", true);
        assert_eq!(run(&exact), vec![]);
        let star =
            |_: &crate::http::Request| vec![("access-control-allow-origin", "*".to_string())];
        assert_eq!(run(&star), vec![]);
        let silent = |_: &crate::http::Request| vec![];
        assert_eq!(run(&silent), vec![]);
    }

    #[test]
    fn independent_classes() {
        let wild_creds = |_: &crate::http::Request| {
            vec![
                ("access-control-allow-origin", "*".to_string()),
                ("access-control-allow-credentials", "true".to_string()),
            ]
        };
        assert_eq!(
            run(&wild_creds),
            vec![(FindingId::WildcardWithCredentials, Severity::Low)]
        );

        let no_vary = |r: &crate::http::Request| match origin_of(r) {
            Some(o) if o == "https://app.example" => vec![("access-control-allow-origin", o)],
            _ => vec![],
        };
        assert_eq!(
            run(&no_vary),
            vec![(FindingId::MissingVaryOrigin, Severity::Medium)]
        );

        let reflect_preflight = |r: &crate::http::Request| {
            let mut h = allow_if(|o| o == "https://app.example", false)(r);
            for (n, v) in &r.headers {
                if n == "access-control-request-method" {
                    h.push((
                        "access-control-allow-methods",
                        v.to_str().unwrap().to_string(),
                    ));
                }
            }
            h
        };
        assert_eq!(
            run(&reflect_preflight),
            vec![(FindingId::PreflightReflectsMethods, Severity::Low)]
        );

        let pna = |r: &crate::http::Request| {
            let mut h = vec![("access-control-allow-origin", "*".to_string())];
            if r.headers
                .iter()
                .any(|(n, _)| n == "access-control-request-private-network")
            {
                h.push(("access-control-allow-private-network", "true".into()));
            }
            h
        };
        assert_eq!(
            run(&pna),
            vec![(FindingId::PrivateNetworkOpen, Severity::High)]
        );
    }

    /// Fetch #cors-check step 1: two ACAO lines combine into a value no origin equals.
    #[test]
    fn duplicate_acao_lines_do_not_count_as_a_grant() {
        let dup = |r: &crate::http::Request| match origin_of(r) {
            Some(o) => vec![
                ("vary", "Origin".to_string()),
                ("access-control-allow-origin", o.clone()),
                ("access-control-allow-origin", o),
            ],
            None => vec![("vary", "Origin".to_string())],
        };
        assert_eq!(run(&dup), vec![]);
    }

    #[test]
    fn explained_by_is_acyclic_and_never_self() {
        for id in FindingId::ALL {
            for e in explained_by(id) {
                assert_ne!(*e, id);
                assert!(!explained_by(*e).contains(&id), "{id} <-> {e}");
            }
        }
    }

    proptest::proptest! {
        /// For a server accepting any subset of the probe classes: every accepted class is
        /// either reported or listed in the evidence of a reported class that explains it, and
        /// no reported class is explained by another reported one.
        #[test]
        fn root_causes_are_minimal_and_nothing_is_lost(mask in 0u32..(1 << 12)) {
            use crate::scan::probe::probe_origin;
            let trusted = Origin::parse("https://app.example").unwrap();
            let kinds = [
                ProbeKind::Arbitrary, ProbeKind::Null, ProbeKind::Prefix, ProbeKind::Suffix,
                ProbeKind::SubstringContains, ProbeKind::SubstringContained,
                ProbeKind::UnescapedDot, ProbeKind::Subdomain, ProbeKind::InsecureScheme,
                ProbeKind::SpecialCharacter('_'), ProbeKind::SpecialCharacter('!'),
                ProbeKind::SpecialCharacter('{'),
            ];
            let accepted: Vec<String> = kinds
                .iter()
                .enumerate()
                .filter(|(i, _)| mask & (1 << i) != 0)
                .filter_map(|(_, k)| probe_origin(&trusted, *k))
                .collect();
            let t = target();
            let answer = |p: crate::scan::probe::Probe| {
                let mut headers = vec![(HeaderName::from_static("vary"), HeaderValue::from_static("Origin"))];
                if p.origin.as_ref().is_some_and(|o| accepted.contains(o)) {
                    headers.push((
                        HeaderName::from_static("access-control-allow-origin"),
                        HeaderValue::from_str(p.origin.as_ref().unwrap()).unwrap(),
                    ));
                }
                Exchange { probe: p, response: Response { status: http::StatusCode::OK, headers } }
            };
            let mut xs: Vec<Exchange> = first_round(&t).into_iter().map(answer).collect();
            let more: Vec<Exchange> = second_round(&t, &xs).into_iter().map(answer).collect();
            xs.extend(more);
            let findings = judge(&t, &xs);
            let reported: Vec<FindingId> = findings.iter().map(|f| f.id).collect();
            for f in &findings {
                for e in explained_by(f.id) {
                    proptest::prop_assert!(!reported.contains(e), "{} reported with {}", f.id, e);
                }
            }
            // Accepted origins that were actually probed are all accounted for.
            for x in xs.iter().filter(|x| allows_origin(x)) {
                let Some(id) = class_of(x.probe.kind) else { continue };
                let origin = x.probe.origin.clone().unwrap();
                let shown = findings.iter().any(|f| {
                    (f.id == id && f.exchanges[0].probe.origin.as_deref() == Some(origin.as_str()))
                        || f.also_accepted.contains(&(id, origin.clone()))
                });
                proptest::prop_assert!(shown, "{} ({}) lost", origin, id);
            }
        }
    }
}
