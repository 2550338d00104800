//! Invariants of the server-side decision, for arbitrary policies and requests.

use cors::policy::{Policy, PolicyConfig};
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request};
use proptest::prelude::*;

const CONFIG_ORIGINS: &[&str] = &[
    "*",
    "https://foo.example",
    "https://*.example.com",
    "http://localhost:*",
    "https://*.example.com:*",
    "http://app.example",
    "https://[::1]:8443",
];

fn origin_strategy() -> impl Strategy<Value = Vec<u8>> {
    let scheme = prop::sample::select(vec!["http", "https", "ftp", "HTTPS"]);
    let host = prop::sample::select(vec![
        "foo.example",
        "a.example.com",
        "b.a.example.com",
        "example.com",
        "evil-example.com",
        "example.com.evil.com",
        "localhost",
        "app.example",
        "[::1]",
        "FOO.example",
    ]);
    let port = prop::option::of(prop::sample::select(vec![80u16, 443, 3000, 8443]));
    let structured = (scheme, host, port).prop_map(|(s, h, p)| match p {
        Some(p) => format!("{s}://{h}:{p}").into_bytes(),
        None => format!("{s}://{h}").into_bytes(),
    });
    prop_oneof![
        6 => structured,
        1 => Just(b"null".to_vec()),
        1 => prop::collection::vec(any::<u8>(), 0..40),
    ]
}

fn config_strategy() -> impl Strategy<Value = PolicyConfig> {
    (
        prop::sample::subsequence(CONFIG_ORIGINS.to_vec(), 0..=CONFIG_ORIGINS.len()),
        any::<bool>(),
        any::<bool>(),
        prop::sample::subsequence(vec!["*", "GET", "PUT", "patch", "DELETE"], 0..=5),
        prop::sample::subsequence(vec!["*", "X-A", "Authorization", "content-type"], 0..=4),
        prop::sample::subsequence(vec!["*", "X-Total"], 0..=2),
    )
        .prop_map(
            |(origins, creds, null, methods, headers, exposed)| PolicyConfig {
                allowed_origins: origins.into_iter().map(String::from).collect(),
                allow_credentials: creds,
                allow_null_origin: null,
                allowed_methods: methods.into_iter().map(String::from).collect(),
                allowed_headers: headers.into_iter().map(String::from).collect(),
                exposed_headers: exposed.into_iter().map(String::from).collect(),
                tolerate_insecure_origins: true,
                ..PolicyConfig::default()
            },
        )
}

fn request_strategy() -> impl Strategy<Value = Request<()>> {
    (
        prop::option::of(origin_strategy()),
        prop::sample::select(vec!["GET", "POST", "OPTIONS", "PUT"]),
        prop::option::of(prop::sample::select(vec![
            "PUT", "DELETE", "patch", "GET", "PO ST",
        ])),
        prop::option::of(prop::sample::select(vec![
            "x-a",
            "authorization",
            "x-a,x-b",
            "content-type",
            ",,",
            "x a",
        ])),
    )
        .prop_map(|(origin, method, acrm, acrh)| {
            let mut r = Request::builder()
                .method(Method::from_bytes(method.as_bytes()).unwrap())
                .uri("/r");
            if let Some(o) = origin {
                if let Ok(v) = HeaderValue::from_bytes(&o) {
                    r = r.header("origin", v);
                }
            }
            if let Some(m) = acrm {
                r = r.header("access-control-request-method", m);
            }
            if let Some(h) = acrh {
                r = r.header("access-control-request-headers", h);
            }
            r.body(()).unwrap()
        })
}

/// An independent, naive oracle for "is this origin allowed by this configuration": written
/// from the documented rules with string operations, not with the policy's data structures.
fn oracle_allows(config: &PolicyConfig, origin: &str) -> bool {
    if origin == "null" {
        return config.allow_null_origin;
    }
    config.allowed_origins.iter().any(|entry| {
        if entry == "*" {
            return true;
        }
        if let Some(rest) = entry.strip_suffix(":*") {
            if let Some((scheme, base)) = rest.split_once("://*.") {
                let prefix = format!("{scheme}://");
                let Some(hostport) = origin.strip_prefix(&prefix) else {
                    return false;
                };
                let host = hostport.rsplit_once(':').map_or(hostport, |(h, p)| {
                    if p.bytes().all(|b| b.is_ascii_digit()) {
                        h
                    } else {
                        hostport
                    }
                });
                return host.len() > base.len() + 1 && host.ends_with(&format!(".{base}"));
            }
            let Some(tail) = origin.strip_prefix(rest) else {
                return false;
            };
            return tail.is_empty()
                || (tail.starts_with(':') && tail[1..].bytes().all(|b| b.is_ascii_digit()));
        }
        if let Some((scheme, base)) = entry.split_once("://*.") {
            let Some(host) = origin.strip_prefix(&format!("{scheme}://")) else {
                return false;
            };
            return !host.contains(':')
                && host.len() > base.len() + 1
                && host.ends_with(&format!(".{base}"));
        }
        entry == origin
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    /// Fetch #cors-protocol-and-credentials: never `*` with credentials; never an origin the
    /// policy does not allow; `Vary: Origin` whenever the answer depends on the origin.
    #[test]
    fn decision_invariants(config in config_strategy(), req in request_strategy()) {
        let Ok(policy) = Policy::new(config.clone()) else { return Ok(()) };
        let d = policy.decide_request(&req);
        let mut h = HeaderMap::new();
        policy.apply(&d, &mut h);
        let acao = h.get("access-control-allow-origin").map(|v| v.to_str().unwrap().to_string());
        let acac = h.get("access-control-allow-credentials").is_some();
        prop_assert!(!(acao.as_deref() == Some("*") && acac), "* with credentials");
        if let Some(a) = &acao {
            if a != "*" {
                prop_assert_eq!(Some(a.as_bytes()), req.headers().get("origin").map(|v| v.as_bytes()));
                prop_assert!(oracle_allows(&config, a), "{} allowed but the oracle disagrees", a);
            } else {
                prop_assert!(config.allowed_origins.iter().any(|o| o == "*"));
            }
        } else if let Some(o) = req.headers().get("origin").and_then(|v| v.to_str().ok()) {
            // Everything the oracle allows and the strict header syntax accepts is answered.
            if oracle_allows(&config, o) && cors::vocab::HeaderOrigin::parse(o.as_bytes()).is_ok() && !d.outcome().is_preflight() {
                prop_assert!(false, "{} should have been allowed", o);
            }
        }
        if policy.varies_by_origin() {
            let vary: Vec<String> = h.get_all("vary").iter().map(|v| v.to_str().unwrap().to_ascii_lowercase()).collect();
            prop_assert!(vary.iter().any(|v| v.split(',').any(|i| i.trim() == "origin")), "missing Vary: Origin: {:?}", vary);
        }
        // At most one of each CORS header.
        for name in ["access-control-allow-origin", "access-control-allow-credentials", "vary"] {
            prop_assert!(h.get_all(name).iter().count() <= 1);
        }
    }

    /// Arbitrary bytes in any request header never panic.
    #[test]
    fn arbitrary_header_bytes_never_panic(
        values in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..64), 1..6),
        method in prop::sample::select(vec!["GET", "OPTIONS", "POST"]),
    ) {
        let policy = Policy::builder()
            .allow_origins(["https://foo.example", "https://*.example.com", "http://localhost:*"])
            .allow_headers(["X-A"])
            .allow_private_network(true)
            .build()
            .unwrap();
        let names = ["origin", "access-control-request-method", "access-control-request-headers", "access-control-request-private-network", "vary"];
        let mut req = Request::builder().method(method).uri("/").body(()).unwrap();
        for (i, v) in values.iter().enumerate() {
            if let Ok(v) = HeaderValue::from_bytes(v) {
                req.headers_mut().append(HeaderName::from_static(names[i % names.len()]), v);
            }
        }
        let d = policy.decide_request(&req);
        let mut h = req.headers().clone();
        policy.apply(&d, &mut h);
        let _ = d.explain();
    }

    /// Arbitrary strings in any config value never panic: they compile or are reported.
    #[test]
    fn arbitrary_config_values_never_panic(
        origins in prop::collection::vec(".{0,40}", 0..4),
        methods in prop::collection::vec(".{0,12}", 0..3),
        headers in prop::collection::vec(".{0,12}", 0..3),
        max_age in any::<i64>(),
        status in any::<i64>(),
    ) {
        let config = PolicyConfig {
            allowed_origins: origins,
            allowed_methods: methods,
            allowed_headers: headers.clone(),
            exposed_headers: headers,
            max_age: Some(cors::policy::ConfigNumber::Integer(max_age)),
            preflight_status: cors::policy::ConfigNumber::Integer(status),
            ..PolicyConfig::default()
        };
        match Policy::new(config.clone()) {
            Ok(_) => {}
            Err(e) => {
                prop_assert!(!e.errors().is_empty());
                for err in e.errors() { let _ = (err.message(), err.fix()); }
            }
        }
        let _ = config.validate();
    }
}
