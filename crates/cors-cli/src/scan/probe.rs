//! Which requests `cors scan` sends to a target: crafted `Origin` values derived from the origin
//! the site trusts, and two preflights. Sans-IO: builds [`Probe`]s, sends nothing.
//!
//! Every probe is GET or OPTIONS without a body. Probe origins are what a browser could send for
//! an attacker-controlled page (registrable-looking hosts under the reserved `evil.test`), built
//! from the trusted origin's scheme, host and port.

use cors::vocab::Origin;
use http::Method;
use http::header::{HeaderName, HeaderValue};

use crate::http::{Request, Response};

/// The attacker's registrable domain in probe origins (`.test` is reserved, RFC 2606).
pub const ATTACKER_DOMAIN: &str = "evil.test";
/// A method no API allows on purpose: if a preflight lists it, it lists anything.
pub const PROBE_METHOD: &str = "CORSSCAN";
/// A header no API allows on purpose.
pub const PROBE_HEADER: &str = "x-cors-scan-probe";
/// The characters tried right after the trusted host (`special-characters`): ones Safari (and,
/// for `_`, every major browser) accepts in hosts, and that naive "is the next byte a delimiter?"
/// checks let through.
pub const SPECIAL_CHARACTERS: [char; 10] = ['_', '!', '`', '{', '}', '~', '$', '&', '=', '|'];

/// One target: the URL to probe and the origin the site trusts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// The resource probed.
    pub url: url::Url,
    /// The origin the site is meant to trust; probes are derived from it.
    pub trusted: Origin,
}

impl Target {
    /// A target with the trusted origin given explicitly, or derived from the URL (the site
    /// trusting its own origin) when `trusted` is `None`.
    pub fn new(url: url::Url, trusted: Option<Origin>) -> Target {
        let trusted = trusted.unwrap_or_else(|| Origin::of_url(&url));
        Target { url, trusted }
    }
}

/// What a probe tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProbeKind {
    /// `Origin:` the trusted origin: what the site grants legitimately.
    Baseline,
    /// No `Origin` at all: what a non-CORS request (and so a shared cache) gets.
    NoOrigin,
    /// An unrelated origin.
    Arbitrary,
    /// `Origin: null`.
    Null,
    /// `<trusted host>.evil.test`.
    Prefix,
    /// `evil<trusted host>`.
    Suffix,
    /// `evil<trusted host>.evil.test`: contains the host.
    SubstringContains,
    /// The trusted origin minus its last character: contained in it.
    SubstringContained,
    /// The trusted host with its first `.` replaced by `x`.
    UnescapedDot,
    /// `evil.<trusted host>`.
    Subdomain,
    /// `http://<trusted host>` for an `https` trusted origin.
    InsecureScheme,
    /// `<trusted host><c>.evil.test`.
    SpecialCharacter(char),
    /// OPTIONS from the trusted origin asking for [`PROBE_METHOD`] and [`PROBE_HEADER`].
    Preflight,
    /// OPTIONS from an arbitrary origin with `Access-Control-Request-Private-Network: true`.
    PrivateNetwork,
}

impl ProbeKind {
    /// A short stable name for evidence.
    pub fn as_str(self) -> &'static str {
        match self {
            ProbeKind::Baseline => "baseline",
            ProbeKind::NoOrigin => "no-origin",
            ProbeKind::Arbitrary => "arbitrary-origin",
            ProbeKind::Null => "null-origin",
            ProbeKind::Prefix => "prefix",
            ProbeKind::Suffix => "suffix",
            ProbeKind::SubstringContains => "substring-contains",
            ProbeKind::SubstringContained => "substring-contained",
            ProbeKind::UnescapedDot => "unescaped-dot",
            ProbeKind::Subdomain => "subdomain",
            ProbeKind::InsecureScheme => "insecure-scheme",
            ProbeKind::SpecialCharacter(_) => "special-character",
            ProbeKind::Preflight => "preflight",
            ProbeKind::PrivateNetwork => "private-network-preflight",
        }
    }
}

/// One request to send, and why.
#[derive(Clone, Debug)]
pub struct Probe {
    /// What it tests.
    pub kind: ProbeKind,
    /// The `Origin` sent, if any.
    pub origin: Option<String>,
    /// The request.
    pub request: Request,
}

/// A probe and the response it got.
#[derive(Clone, Debug)]
pub struct Exchange {
    /// The probe sent.
    pub probe: Probe,
    /// What came back.
    pub response: Response,
}

/// `true` when the response grants the probe's own origin: `Access-Control-Allow-Origin` equals
/// the `Origin` sent, byte for byte (Fetch #cors-check step 4). `*` is not a grant of *this*
/// origin and never counts here.
pub fn allows_origin(x: &Exchange) -> bool {
    match (
        &x.probe.origin,
        x.response.get("access-control-allow-origin"),
    ) {
        (Some(o), Some(v)) => v == o.as_bytes(),
        _ => false,
    }
}

fn header(name: &'static str, value: &str) -> Option<(HeaderName, HeaderValue)> {
    Some((
        HeaderName::from_static(name),
        HeaderValue::from_str(value).ok()?,
    ))
}

fn base_headers() -> Vec<(HeaderName, HeaderValue)> {
    vec![
        (
            http::header::USER_AGENT,
            HeaderValue::from_static(concat!("cors-scan/", env!("CARGO_PKG_VERSION"))),
        ),
        (http::header::ACCEPT, HeaderValue::from_static("*/*")),
        // Ask caches between us and the origin server to revalidate, so probes see the server.
        (
            http::header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ),
    ]
}

fn get(target: &Target, kind: ProbeKind, origin: Option<String>) -> Option<Probe> {
    let mut headers = base_headers();
    if let Some(o) = &origin {
        headers.push(header("origin", o)?);
    }
    Some(Probe {
        kind,
        origin,
        request: Request {
            method: Method::GET,
            url: target.url.clone(),
            headers,
        },
    })
}

fn options(
    target: &Target,
    kind: ProbeKind,
    origin: String,
    extra: &[(&'static str, &str)],
) -> Option<Probe> {
    let mut headers = base_headers();
    headers.push(header("origin", &origin)?);
    for (n, v) in extra {
        headers.push(header(n, v)?);
    }
    Some(Probe {
        kind,
        origin: Some(origin),
        request: Request {
            method: Method::OPTIONS,
            url: target.url.clone(),
            headers,
        },
    })
}

/// The shape of the trusted host, which decides which host patterns a browser could send.
enum HostShape {
    Domain,
    Ipv4,
    Ipv6,
}

fn shape(host: &str) -> HostShape {
    if host.starts_with('[') {
        HostShape::Ipv6
    } else if host.parse::<std::net::Ipv4Addr>().is_ok() {
        HostShape::Ipv4
    } else {
        HostShape::Domain
    }
}

/// The probe origin for `kind`, or `None` when no browser could send such an origin for this
/// trusted origin (e.g. `evil127.0.0.1` is not a host).
pub fn probe_origin(trusted: &Origin, kind: ProbeKind) -> Option<String> {
    let s = trusted.scheme();
    let h = trusted.host();
    let port = trusted.port().map(|p| format!(":{p}")).unwrap_or_default();
    let shape = shape(h);
    let domain = matches!(shape, HostShape::Domain);
    let o = match kind {
        ProbeKind::Baseline => trusted.to_string(),
        ProbeKind::NoOrigin | ProbeKind::Preflight => return None,
        ProbeKind::Arbitrary | ProbeKind::PrivateNetwork => format!("{s}://{ATTACKER_DOMAIN}"),
        ProbeKind::Null => "null".to_string(),
        ProbeKind::Prefix if !matches!(shape, HostShape::Ipv6) => {
            format!("{s}://{h}.{ATTACKER_DOMAIN}{port}")
        }
        ProbeKind::Suffix if domain => format!("{s}://evil{h}{port}"),
        ProbeKind::SubstringContains if !matches!(shape, HostShape::Ipv6) => {
            format!("{s}://evil{h}.{ATTACKER_DOMAIN}{port}")
        }
        ProbeKind::SubstringContained
            if domain
                && trusted.port().is_none()
                && h.rsplit('.').next().is_some_and(|l| l.len() >= 2) =>
        {
            let t = trusted.as_str();
            t[..t.len() - 1].to_string()
        }
        ProbeKind::UnescapedDot if domain && h.contains('.') => {
            format!("{s}://{}{port}", h.replacen('.', "x", 1))
        }
        ProbeKind::Subdomain if domain => format!("{s}://evil.{h}{port}"),
        ProbeKind::InsecureScheme if s == "https" => format!("http://{h}{port}"),
        ProbeKind::SpecialCharacter(c) if !matches!(shape, HostShape::Ipv6) => {
            format!("{s}://{h}{c}.{ATTACKER_DOMAIN}{port}")
        }
        _ => return None,
    };
    Some(o)
}

/// The first round: every probe except the special characters. The baseline comes first, so
/// an unreachable target costs one request.
pub fn first_round(target: &Target) -> Vec<Probe> {
    let t = &target.trusted;
    let mut out = Vec::new();
    if let Some(p) = get(
        target,
        ProbeKind::Baseline,
        probe_origin(t, ProbeKind::Baseline),
    ) {
        out.push(p);
    }
    out.extend(get(target, ProbeKind::NoOrigin, None));
    for kind in [
        ProbeKind::Arbitrary,
        ProbeKind::Null,
        ProbeKind::Prefix,
        ProbeKind::Suffix,
        ProbeKind::SubstringContains,
        ProbeKind::SubstringContained,
        ProbeKind::UnescapedDot,
        ProbeKind::Subdomain,
        ProbeKind::InsecureScheme,
    ] {
        if let Some(o) = probe_origin(t, kind) {
            out.extend(get(target, kind, Some(o)));
        }
    }
    // Fetch #cors-preflight-fetch steps 3 and 5: the method, and the header names lowercased.
    out.extend(options(
        target,
        ProbeKind::Preflight,
        t.to_string(),
        &[
            ("access-control-request-method", PROBE_METHOD),
            ("access-control-request-headers", PROBE_HEADER),
        ],
    ));
    if let Some(o) = probe_origin(t, ProbeKind::PrivateNetwork) {
        out.extend(options(
            target,
            ProbeKind::PrivateNetwork,
            o,
            &[
                ("access-control-request-method", "GET"),
                ("access-control-request-private-network", "true"),
            ],
        ));
    }
    out
}

/// The second round, decided from the first: the special-character probes, unless an accepted
/// origin already shows a broader flaw that explains them (see `judge.rs`).
pub fn second_round(target: &Target, first: &[Exchange]) -> Vec<Probe> {
    let explained = first.iter().any(|x| {
        matches!(
            x.probe.kind,
            ProbeKind::Arbitrary
                | ProbeKind::UnescapedDot
                | ProbeKind::SubstringContains
                | ProbeKind::SubstringContained
                | ProbeKind::Prefix
        ) && allows_origin(x)
    });
    if explained {
        return Vec::new();
    }
    SPECIAL_CHARACTERS
        .iter()
        .filter_map(|&c| {
            let kind = ProbeKind::SpecialCharacter(c);
            get(target, kind, Some(probe_origin(&target.trusted, kind)?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin(s: &str) -> Origin {
        Origin::parse(s).unwrap()
    }

    /// One row per probe class, for a domain trusted origin (the examples).
    #[test]
    fn probe_origins_for_a_domain() {
        let t = origin("https://app.example");
        let rows: &[(ProbeKind, Option<&str>)] = &[
            (ProbeKind::Baseline, Some("https://app.example")),
            (ProbeKind::NoOrigin, None),
            (ProbeKind::Arbitrary, Some("https://evil.test")),
            (ProbeKind::Null, Some("null")),
            (ProbeKind::Prefix, Some("https://app.example.evil.test")),
            (ProbeKind::Suffix, Some("https://evilapp.example")),
            (
                ProbeKind::SubstringContains,
                Some("https://evilapp.example.evil.test"),
            ),
            (ProbeKind::SubstringContained, Some("https://app.exampl")),
            (ProbeKind::UnescapedDot, Some("https://appxexample")),
            (ProbeKind::Subdomain, Some("https://evil.app.example")),
            (ProbeKind::InsecureScheme, Some("http://app.example")),
            (
                ProbeKind::SpecialCharacter('_'),
                Some("https://app.example_.evil.test"),
            ),
            (
                ProbeKind::SpecialCharacter('{'),
                Some("https://app.example{.evil.test"),
            ),
        ];
        for (kind, want) in rows {
            assert_eq!(probe_origin(&t, *kind).as_deref(), *want, "{kind:?}");
        }
    }

    #[test]
    fn probe_origins_keep_the_port_and_skip_impossible_hosts() {
        let t = origin("http://127.0.0.1:8080");
        let rows: &[(ProbeKind, Option<&str>)] = &[
            (ProbeKind::Baseline, Some("http://127.0.0.1:8080")),
            (ProbeKind::Prefix, Some("http://127.0.0.1.evil.test:8080")),
            // `evil127.0.0.1` ends in a number: the URL parser rejects it, no browser sends it.
            (ProbeKind::Suffix, None),
            (ProbeKind::UnescapedDot, None),
            (ProbeKind::Subdomain, None),
            (ProbeKind::SubstringContained, None),
            // Only an https site can trust an insecure origin.
            (ProbeKind::InsecureScheme, None),
        ];
        for (kind, want) in rows {
            assert_eq!(probe_origin(&t, *kind).as_deref(), *want, "{kind:?}");
        }
        let local = origin("http://localhost:3000");
        assert_eq!(
            probe_origin(&local, ProbeKind::UnescapedDot),
            None,
            "no dot to unescape"
        );
        assert_eq!(
            probe_origin(&local, ProbeKind::Suffix).as_deref(),
            Some("http://evillocalhost:3000")
        );
        let v6 = origin("https://[::1]:8443");
        assert_eq!(probe_origin(&v6, ProbeKind::Prefix), None);
        assert_eq!(
            probe_origin(&v6, ProbeKind::InsecureScheme).as_deref(),
            Some("http://[::1]:8443")
        );
    }

    #[test]
    fn every_probe_origin_is_a_valid_header_value_and_distinct() {
        let t = origin("https://api.app.example");
        let target = Target::new(url::Url::parse("http://127.0.0.1:1/x").unwrap(), Some(t));
        let probes = first_round(&target);
        let mut seen = std::collections::HashSet::new();
        for p in &probes {
            assert!(matches!(p.request.method, Method::GET | Method::OPTIONS));
            if p.request.method == Method::GET {
                if let Some(o) = &p.origin {
                    assert!(seen.insert(o.clone()), "duplicate probe origin {o}");
                }
            }
        }
        assert_eq!(probes[0].kind, ProbeKind::Baseline);
        assert_eq!(probes.len(), 13);
    }

    #[test]
    fn url_only_targets_trust_their_own_origin() {
        let t = Target::new(
            url::Url::parse("http://127.0.0.1:4000/api?x=1").unwrap(),
            None,
        );
        assert_eq!(t.trusted.as_str(), "http://127.0.0.1:4000");
    }

    proptest::proptest! {
        /// Every probe origin except the special-character ones is an origin a browser could
        /// put in `Origin` (the strict Fetch #origin-header serialization), and none is the
        /// trusted origin itself.
        #[test]
        fn probe_origins_are_sendable(
            labels in proptest::collection::vec("[a-z0-9]{1,8}", 1..4),
            tld in "[a-z]{2,6}",
            https in proptest::bool::ANY,
            port in proptest::option::of(1u16..=65535),
        ) {
            let host = format!("{}.{tld}", labels.join("."));
            let scheme = if https { "https" } else { "http" };
            let text = match port {
                Some(p) => format!("{scheme}://{host}:{p}"),
                None => format!("{scheme}://{host}"),
            };
            let trusted = Origin::parse(&text).unwrap();
            let kinds = [
                ProbeKind::Arbitrary, ProbeKind::Null, ProbeKind::Prefix, ProbeKind::Suffix,
                ProbeKind::SubstringContains, ProbeKind::SubstringContained,
                ProbeKind::UnescapedDot, ProbeKind::Subdomain, ProbeKind::InsecureScheme,
                ProbeKind::SpecialCharacter('_'),
            ];
            for kind in kinds {
                if let Some(o) = probe_origin(&trusted, kind) {
                    proptest::prop_assert!(
                        cors::vocab::HeaderOrigin::parse(o.as_bytes()).is_ok(),
                        "{:?} -> {}", kind, o
                    );
                    proptest::prop_assert_ne!(o.as_str(), trusted.as_str());
                }
            }
        }
    }
}
