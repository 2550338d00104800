//! The shared model of `cors export`: a policy file or a gateway file, loaded and compiled
//! exactly as `cors serve` loads it, then walked into what every target needs — routes in the
//! order `cors serve` picks them, upstream authorities, and each policy's decision inputs as
//! regular expressions (Fetch origin grammar, method and header-name lists).
//!
//! Owns: the translation of a compiled [`Policy`] into anchored, escaped regular expressions,
//! and the refusals common to every target. Uses: `cors::policy` (the compiled policy's
//! accessors) and `cors_gateway` (loading, linting, diagnostics).

use cors::policy::{OriginPattern, Policy, PolicyConfig, PortSpec};
use cors_gateway::config::{GatewayConfig, HeaderMode, PathPattern};
use cors_gateway::diag::{Diagnostic, Severity};
use std::net::SocketAddr;
use std::ops::Range;
use std::path::PathBuf;
use toml::de::{DeTable, DeValue};

/// A target server.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Target {
    /// nginx (`include` inside `location`; a complete `nginx.conf` from a gateway file).
    Nginx,
    /// Apache httpd 2.4.
    Apache,
    /// Caddy 2.
    Caddy,
    /// HAProxy 2.x.
    Haproxy,
}

impl Target {
    /// The name used in messages and `--to`.
    pub fn name(self) -> &'static str {
        match self {
            Target::Nginx => "nginx",
            Target::Apache => "apache",
            Target::Caddy => "caddy",
            Target::Haproxy => "haproxy",
        }
    }
}

/// What the file holds.
pub enum Source {
    /// A bare policy: the target gets a block to include where CORS applies.
    Policy(Policy),
    /// A gateway file: the target gets a complete server configuration.
    Gateway(Gateway),
}

/// A gateway file, as the export needs it.
pub struct Gateway {
    /// Listeners, in file order.
    pub listeners: Vec<Listener>,
    /// Routes, most specific first (the order `cors serve` tries them).
    pub routes: Vec<Route>,
}

/// One listener.
pub struct Listener {
    /// `IP:port`.
    pub address: SocketAddr,
    /// Certificate and key, resolved against the file's folder.
    pub tls: Option<(PathBuf, PathBuf)>,
}

/// One route with a prefix pattern.
pub struct Route {
    /// Index in the file's `[[routes]]`.
    pub index: usize,
    /// The name for logs (the pattern by default).
    pub name: String,
    /// The path prefix (segment-bounded, as `cors serve` matches it).
    pub prefix: String,
    /// The upstream's name.
    pub upstream_name: String,
    /// The upstream's `host:port`.
    pub upstream: String,
    /// `upstream_cors_headers = "replace"`.
    pub replace: bool,
    /// The compiled policy.
    pub policy: Policy,
}

/// The comment every complete configuration carries about what it leaves to the server itself.
pub const NOT_EXPORTED: &str = "# `[admin]` (/metrics, /healthz) and `[limits]` are `cors serve`'s own: \
                                 not exported; use the server's own settings.\n";

/// TLS listeners: nginx and Caddy take a certificate and its key as two files, in the one
/// server block the export writes, so one certificate for every listener; Apache httpd and
/// HAProxy are refused.
pub fn tls_refusals(src: &str, g: &Gateway, target: Target) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let pairs: Vec<&(PathBuf, PathBuf)> =
        g.listeners.iter().filter_map(|l| l.tls.as_ref()).collect();
    for (i, l) in g.listeners.iter().enumerate() {
        if l.tls.is_none() {
            continue;
        }
        let idx = i.to_string();
        let why = match target {
            Target::Nginx | Target::Caddy if pairs.iter().all(|p| *p == pairs[0]) => continue,
            Target::Nginx | Target::Caddy => {
                "the listeners use different certificates, and the exported server block takes one"
            }
            Target::Apache => {
                "TLS needs mod_ssl and a <VirtualHost> per listener, which the export does not write"
            }
            Target::Haproxy => {
                "HAProxy reads the certificate and its key from one PEM file, not two"
            }
        };
        out.push(refusal(
            src,
            &["listeners", &idx, "tls"],
            "listeners.tls",
            Some(target),
            why,
            "terminate TLS in the server's own configuration and export the plain listener",
        ));
    }
    out
}

/// Loads `src` as `cors serve` would: every lint error refuses the export.
pub fn load(src: &str, base_dir: &std::path::Path) -> Result<Source, Vec<Diagnostic>> {
    let diags = cors_gateway::lint::lint_source(src);
    if diags.iter().any(|d| d.severity == Severity::Error) {
        return Err(diags);
    }
    let (root, _) = DeTable::parse_recoverable(src);
    if !cors_gateway::config::is_gateway_table(root.get_ref()) {
        let config: PolicyConfig = toml::from_str(src).map_err(|e| vec![invalid(src, e)])?;
        let policy = Policy::new(config).map_err(|e| {
            vec![Diagnostic::new(
                src,
                0..0,
                Severity::Error,
                "invalid",
                e.to_string(),
                String::new(),
            )]
        })?;
        return Ok(Source::Policy(policy));
    }
    let loaded = cors_gateway::config::load(src, base_dir)?;
    let config: GatewayConfig = loaded.config;
    let mut refused = Vec::new();
    let mut routes = Vec::new();
    for (index, r) in config.routes.iter().enumerate() {
        let prefix = match r.pattern() {
            PathPattern::Prefix(p) => p,
            PathPattern::Glob(..) => {
                refused.push(refusal(
                    src,
                    &["routes", &index.to_string(), "glob"],
                    "routes.glob",
                    None,
                    "glob routes are not exported yet: each server's own path matching \
                     (regex locations, matchers) orders them differently from `cors serve`'s \
                     most-specific-first choice",
                    "write the route as a `path` prefix",
                ));
                continue;
            }
        };
        if r.upstream_cors_headers == HeaderMode::Keep {
            refused.push(refusal(
                src,
                &["routes", &index.to_string(), "upstream_cors_headers"],
                "upstream_cors_headers",
                None,
                "\"keep\" passes a response untouched only when the upstream set \
                 Access-Control-Allow-Origin, a choice per response the export does not \
                 generate",
                "use upstream_cors_headers = \"replace\" (the default)",
            ));
            continue;
        }
        let Some(up) = config.upstreams.get(&r.upstream) else {
            continue;
        };
        let authority = up
            .url
            .parse::<http::Uri>()
            .ok()
            .and_then(|u| u.authority().map(|a| a.as_str().to_string()))
            .unwrap_or_default();
        let Ok(policy) = Policy::new(r.policy.clone()) else {
            continue;
        };
        routes.push(Route {
            index,
            name: r.display_name(),
            prefix,
            upstream_name: r.upstream.clone(),
            upstream: authority,
            replace: r.upstream_cors_headers == HeaderMode::Replace,
            policy,
        });
    }
    if !refused.is_empty() {
        return Err(refused);
    }
    // `cors serve`: most specific first, a stable sort so the earlier route wins a tie.
    routes.sort_by_key(|r| std::cmp::Reverse(PathPattern::Prefix(r.prefix.clone()).specificity()));
    let listeners = config
        .listeners
        .iter()
        .map(|l| Listener {
            address: l.address,
            tls: l
                .tls
                .as_ref()
                .map(|t| (t.certificate.clone(), t.private_key.clone())),
        })
        .collect();
    Ok(Source::Gateway(Gateway { listeners, routes }))
}

fn invalid(src: &str, e: toml::de::Error) -> Diagnostic {
    Diagnostic::new(
        src,
        e.span().unwrap_or(0..0),
        Severity::Error,
        "invalid",
        e.message().trim().to_string(),
        String::new(),
    )
}

/// The CORS response headers as the generated configurations write them: Fetch
/// `#http-responses`'s names, [`cors::vocab::safelist::CORS_RESPONSE_HEADER_NAMES`] in the
/// usual letter case (the test below keeps the two lists the same).
pub const CORS_HEADERS: [&str; 7] = [
    "Access-Control-Allow-Origin",
    "Access-Control-Allow-Credentials",
    "Access-Control-Allow-Methods",
    "Access-Control-Allow-Headers",
    "Access-Control-Max-Age",
    "Access-Control-Expose-Headers",
    "Access-Control-Allow-Private-Network",
];

/// A refusal for every method or header name, of the policy or of each route's, that holds
/// `ch`: a character the target's header values would read as syntax of its own.
pub fn names_with(
    src: &str,
    source: &Source,
    ch: char,
    target: Target,
    why: &str,
    fix: &str,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut check = |policy: &Policy, route: Option<usize>| {
        let c = policy.config();
        for (key, values) in [
            ("allowed_methods", &c.allowed_methods),
            ("allowed_headers", &c.allowed_headers),
            ("exposed_headers", &c.exposed_headers),
        ] {
            if values.iter().any(|v| v.contains(ch)) {
                let idx = route.map(|i| i.to_string());
                let mut path: Vec<&str> = Vec::new();
                if let Some(i) = &idx {
                    path.extend(["routes", i.as_str(), "policy"]);
                }
                path.push(key);
                out.push(refusal(src, &path, key, Some(target), why, fix));
            }
        }
    };
    match source {
        Source::Policy(p) => check(p, None),
        Source::Gateway(g) => {
            for r in &g.routes {
                check(&r.policy, Some(r.index));
            }
        }
    }
    out
}

/// A refusal: the key, the target (filled in by [`for_target`]) and why, located at the key's
/// value in `src` (`path` walks tables by key and arrays by index).
pub fn refusal(
    src: &str,
    path: &[&str],
    key: &str,
    target: Option<Target>,
    why: &str,
    fix: &str,
) -> Diagnostic {
    let span = locate(src, path).unwrap_or(0..0);
    let to = target.map_or(String::from("any target"), |t| t.name().to_string());
    Diagnostic::new(
        src,
        span,
        Severity::Error,
        "export-refused",
        format!("`{key}` cannot be exported to {to} exactly: {why}"),
        fix.to_string(),
    )
}

/// The span of the value at `path` in `src`.
fn locate(src: &str, path: &[&str]) -> Option<Range<usize>> {
    let (root, _) = DeTable::parse_recoverable(src);
    let mut span = root.span();
    let mut table: Option<&DeTable<'_>> = Some(root.get_ref());
    let mut array: Option<&toml::de::DeArray<'_>> = None;
    for step in path {
        let value = if let Some(t) = table.take() {
            t.iter()
                .find(|(k, _)| AsRef::<str>::as_ref(k.get_ref()) == *step)
                .map(|(_, v)| v)?
        } else if let Some(a) = array.take() {
            a.get(step.parse::<usize>().ok()?)?
        } else {
            return Some(span);
        };
        span = value.span();
        match value.get_ref() {
            DeValue::Table(t) => table = Some(t),
            DeValue::Array(a) => array = Some(a),
            _ => {}
        }
    }
    Some(span)
}

// ---------------------------------------------------------------------------------------------
// Regular expressions (PCRE: nginx, Apache and HAProxy link it) for the policy's decision
// inputs. Every expression is anchored; every literal is escaped.

/// Escapes every regex metacharacter of `s`.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 2);
    for c in s.chars() {
        if "\\.^$|?*+()[]{}".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// RFC 9110 `tchar`, as a regex character class.
pub const TCHAR: &str = "[!#$%&'*+.^_`|~0-9A-Za-z-]";

/// A port number as browsers serialize one (Fetch/HTML origin serialization: 1–5 digits,
/// at most 65535, never the scheme's default port, no leading zeros — as
/// `cors::vocab::HeaderOrigin` parses it).
fn port_number(default: Option<u16>) -> String {
    let any = "(?:0|[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])";
    match default {
        None => any.to_string(),
        Some(d) => format!("(?!{d}$){any}"),
    }
}

/// A serialized host label run as `HeaderOrigin` accepts it: lowercase alnum, `-`, `_`.
const LABEL: &str = "[a-z0-9_-]+";

/// Is `host` a serialized domain whose every label `HeaderOrigin` accepts?
fn is_serialized_domain(host: &str) -> bool {
    !host.is_empty()
        && host.split('.').all(|l| {
            !l.is_empty()
                && l.bytes()
                    .all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_'))
        })
}

/// The alternatives (unanchored) matching every `Origin` value the policy allows by its list:
/// exact origins byte for byte, subdomain and any-port patterns, `null` with its opt-in.
/// Empty when nothing but `*` (or nothing at all) is listed.
pub fn origin_alternatives(policy: &Policy) -> Vec<String> {
    let mut alts = Vec::new();
    for p in policy.origin_patterns() {
        match p {
            OriginPattern::Any => {}
            OriginPattern::Exact(o) => alts.push(escape(o.as_str())),
            OriginPattern::Subdomains { scheme, base, port } => {
                if !is_serialized_domain(base) {
                    continue; // matches no serialized origin
                }
                let port = match port {
                    PortSpec::Default => String::new(),
                    PortSpec::Exact(n) => format!(":{n}"),
                    PortSpec::Any => format!(
                        "(?::{})?",
                        port_number(cors::vocab::origin::default_port(scheme))
                    ),
                };
                alts.push(format!(
                    "{}://(?:{LABEL}\\.)+{}{port}",
                    escape(scheme),
                    escape(base)
                ));
            }
            OriginPattern::AnyPort { scheme, host } => alts.push(format!(
                "{}://{}(?::{})?",
                escape(scheme),
                escape(host),
                port_number(cors::vocab::origin::default_port(scheme))
            )),
        }
    }
    if policy.allows_null_origin() {
        alts.push("null".into());
    }
    alts
}

/// The anchored expression for allowed `Origin` values (`None` with `*`: every value).
pub fn origin_regex(policy: &Policy) -> Option<String> {
    if policy.allows_any_origin() {
        return None;
    }
    let alts = origin_alternatives(policy);
    Some(if alts.is_empty() {
        // Matches nothing: no origin is allowed.
        "^$.".to_string()
    } else {
        format!("^(?:{})$", alts.join("|"))
    })
}

/// The anchored expression for an allowed `Access-Control-Request-Method` (Fetch
/// #cors-preflight-fetch step 7.5, server side: the safelisted methods always; listed ones byte
/// for byte, the six normalized ones in any case; `*` any token).
pub fn method_regex(policy: &Policy) -> String {
    if policy.allows_any_method() {
        return format!("^{TCHAR}+$");
    }
    let mut exact = vec!["GET".to_string(), "HEAD".into(), "POST".into()];
    let mut folded = Vec::new();
    for m in policy.allowed_methods() {
        if cors::vocab::safelist::is_normalized_method_name(m.as_bytes()) {
            folded.push(escape(m));
        } else if !exact.iter().any(|e| e == m) {
            exact.push(escape(m));
        }
    }
    // A safelisted method that is also listed is already covered, in any case, by `folded`.
    let mut alts: Vec<String> = exact.into_iter().filter(|e| !folded.contains(e)).collect();
    if !folded.is_empty() {
        alts.push(format!("(?i:{})", folded.join("|")));
    }
    format!("^(?:{})$", alts.join("|"))
}

/// The item of an allowed `Access-Control-Request-Headers` element (Fetch #cors-preflight-fetch
/// steps 7.6–7.7, server side): a listed name in any case, or with `*` any token but
/// `Authorization` (#cors-non-wildcard-request-header-name).
fn header_item(policy: &Policy) -> String {
    let listed: Vec<String> = policy.allowed_headers().map(escape).collect();
    let listed = (!listed.is_empty()).then(|| format!("(?i:{})", listed.join("|")));
    if policy.allows_any_header() {
        let any = format!("(?!(?i:authorization)(?:[ \\t]|,|$)){TCHAR}+");
        return match listed {
            Some(l) => format!("(?:{l}|{any})"),
            None => any,
        };
    }
    listed.unwrap_or_else(|| "(?:$.)".into())
}

/// The anchored expression a whole `Access-Control-Request-Headers` line must match: items
/// separated by `,`, each trimmed of spaces and tabs, empty items skipped
/// (Fetch #concept-header-list-get-decode-split).
pub fn headers_regex(policy: &Policy) -> String {
    let item = header_item(policy);
    format!("^[ \\t]*(?:{item}[ \\t]*)?(?:,[ \\t]*(?:{item}[ \\t]*)?)*$")
}

/// The value `Vary` gets on every answer to a preflight.
pub fn preflight_vary(policy: &Policy) -> String {
    policy.preflight_vary().join(", ")
}

/// A header value as text (every value the policy builds is visible ASCII).
pub fn text(v: Option<&http::HeaderValue>) -> Option<String> {
    v.and_then(|v| v.to_str().ok()).map(str::to_string)
}

// ---------------------------------------------------------------------------------------------
// RE2 (Go's regexp, for Caddy): no look-around. What PCRE says with a look-ahead is said here
// as a second expression that must not match, combined by the target's boolean logic.

/// One allowed-origin alternative for RE2: the value must match `yes` and must not match `no`.
pub struct Re2Origin {
    /// Anchored expression the value must match.
    pub yes: String,
    /// Anchored expression the value must not match (a spelled-out default port).
    pub no: Option<String>,
}

const PORT_ANY: &str =
    "(?:0|[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])";

/// The allowed origins as RE2 alternatives (empty with `*` or with nothing listed).
pub fn origin_alternatives_re2(policy: &Policy) -> Vec<Re2Origin> {
    let mut alts = Vec::new();
    for p in policy.origin_patterns() {
        let (scheme, host_re, port) = match p {
            OriginPattern::Any => continue,
            OriginPattern::Exact(o) => {
                alts.push(Re2Origin {
                    yes: format!("^{}$", escape(o.as_str())),
                    no: None,
                });
                continue;
            }
            OriginPattern::Subdomains { scheme, base, port } => {
                if !is_serialized_domain(base) {
                    continue;
                }
                (scheme, format!("(?:{LABEL}\\.)+{}", escape(base)), *port)
            }
            OriginPattern::AnyPort { scheme, host } => (scheme, escape(host), PortSpec::Any),
        };
        let head = format!("^{}://{host_re}", escape(scheme));
        let default = cors::vocab::origin::default_port(scheme);
        alts.push(match port {
            PortSpec::Default => Re2Origin {
                yes: format!("{head}$"),
                no: None,
            },
            PortSpec::Exact(n) => Re2Origin {
                yes: format!("{head}:{n}$"),
                no: None,
            },
            PortSpec::Any => Re2Origin {
                yes: format!("{head}(?::{PORT_ANY})?$"),
                no: default.map(|d| format!("{head}:{d}$")),
            },
        });
    }
    if policy.allows_null_origin() {
        alts.push(Re2Origin {
            yes: "^null$".into(),
            no: None,
        });
    }
    alts
}

/// The `Access-Control-Request-Headers` line for RE2: it must match the first expression and,
/// where `*` would cover everything but `Authorization`, must not match the second.
pub fn headers_regex_re2(policy: &Policy) -> (String, Option<String>) {
    let listed: Vec<String> = policy.allowed_headers().map(escape).collect();
    let authorization_listed = policy.allowed_headers().any(|h| h == "authorization");
    let item = if policy.allows_any_header() {
        format!("{TCHAR}+")
    } else if listed.is_empty() {
        // Matches nothing: only empty items pass.
        "(?:\\b\\B)".into()
    } else {
        format!("(?i:{})", listed.join("|"))
    };
    let line = format!("^[ \\t]*(?:{item}[ \\t]*)?(?:,[ \\t]*(?:{item}[ \\t]*)?)*$");
    let not = (policy.allows_any_header() && !authorization_listed)
        .then(|| "(?i)(?:^|,)[ \\t]*authorization[ \\t]*(?:,|$)".to_string());
    (line, not)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The generated configurations name the vocabulary's CORS response headers, no more.
    #[test]
    fn the_cors_headers_are_the_vocabularys() {
        let ours: Vec<String> = CORS_HEADERS
            .iter()
            .map(|h| h.to_ascii_lowercase())
            .collect();
        assert_eq!(ours, cors::vocab::safelist::CORS_RESPONSE_HEADER_NAMES);
    }

    #[test]
    fn escape_covers_metacharacters() {
        assert_eq!(escape("https://a.b:8080"), "https://a\\.b:8080");
        assert_eq!(escape("x+y*z"), "x\\+y\\*z");
    }

    fn allowed(policy: &Policy, origin: &str) -> bool {
        let req = http::Request::get("/")
            .header("origin", origin)
            .body(())
            .unwrap();
        policy.decide_request(&req).is_allowed()
    }

    /// The RE2 alternatives (Caddy) allow exactly the origins the compiled policy allows, over
    /// hosts, ports and look-alikes combined (the PCRE ones are run by the server tests).
    #[test]
    fn re2_origins_agree_with_the_policy() {
        let policies = [
            r#"allowed_origins = ["https://app.example.com", "https://*.example.org"]"#,
            r#"allowed_origins = ["https://*.example.com:*", "http://localhost:*"]"#,
            r#"allowed_origins = ["https://*.example.com:8443", "http://127.0.0.1:*"]"#,
            "allowed_origins = [\"chrome-extension://abc\"]\nallow_non_http_schemes = true\nallow_null_origin = true",
        ];
        let schemes = ["https", "http", "chrome-extension", "HTTPS"];
        let hosts = [
            "app.example.com",
            "a.b.example.com",
            "example.com",
            "evil-example.com",
            "app.example.com.evil",
            "x_y.example.org",
            "localhost",
            "127.0.0.1",
            "abc",
            "APP.example.com",
            "app..example.com",
            ".example.com",
        ];
        let ports = [
            "", ":443", ":0443", ":80", ":8443", ":08443", ":65535", ":65536", ":123456", ":",
            ":1", ":00000",
        ];
        for src in policies {
            let policy = Policy::new(toml::from_str(src).unwrap()).unwrap();
            let alts: Vec<(regex::Regex, Option<regex::Regex>)> = origin_alternatives_re2(&policy)
                .iter()
                .map(|a| {
                    (
                        regex::Regex::new(&a.yes).unwrap(),
                        a.no.as_ref().map(|n| regex::Regex::new(n).unwrap()),
                    )
                })
                .collect();
            let mut values: Vec<String> = vec!["null".into(), "".into()];
            for s in schemes {
                for h in hosts {
                    for p in ports {
                        values.push(format!("{s}://{h}{p}"));
                    }
                }
            }
            let mut seen = [0usize; 2];
            for v in &values {
                let re2 = alts.iter().any(|(yes, no)| {
                    yes.is_match(v) && !no.as_ref().is_some_and(|n| n.is_match(v))
                });
                assert_eq!(re2, allowed(&policy, v), "{src}: {v:?}");
                seen[usize::from(re2)] += 1;
            }
            assert!(seen[0] > 0 && seen[1] > 1, "{src}: {seen:?}");
        }
    }
}
