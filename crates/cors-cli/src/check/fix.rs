//! The fix: what the server must send for a request to pass, from the engine's
//! [`required_response_headers`], and the same answer as ready-to-paste configuration — this
//! project's policy (Rust builder and tower layer, `PolicyConfig` TOML, a `cors serve` route),
//! nginx and Apache.

use cors::agent::{CorsError, CorsFailure, Plan, Request, required_response_headers};
use cors::vocab::Origin;
use serde::Serialize;

/// The status `check` proposes for a preflight response (any of 200–299 passes).
pub const PREFLIGHT_STATUS: u16 = 204;

/// What one response must carry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ResponseFix {
    /// The status to answer with (preflights only: 2xx and not a redirect), else `None`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// The header lines, in order, as `[name, value]`.
    pub headers: Vec<(String, String)>,
}

/// The fix for one URL.
#[derive(Clone, Debug, Serialize)]
pub struct ServerFix {
    /// The URL whose responses must change (after redirects: the one that failed).
    pub url: String,
    /// `false` when no response header can make the request pass (a redirect chain too long,
    /// a redirect to `data:`, mode `same-origin`…): then the notes say what to change.
    pub by_headers: bool,
    /// The preflight response (`OPTIONS`), when the request is preflighted.
    pub preflight: Option<ResponseFix>,
    /// Every response of the actual request at that URL, redirects included.
    pub actual: ResponseFix,
    /// What else to know, one sentence each.
    pub notes: Vec<String>,
    /// The same, as configuration (absent when `by_headers` is false).
    pub snippets: Option<Snippets>,
}

/// Ready-to-paste configuration that makes the server send the fix.
#[derive(Clone, Debug, Serialize)]
pub struct Snippets {
    /// This project's library: `Policy::builder()` and the tower layer.
    pub rust: String,
    /// A `PolicyConfig` file (`cors lint` checks it).
    pub policy_toml: String,
    /// A `cors serve` gateway route with the same policy table.
    pub gateway_toml: String,
    /// nginx.
    pub nginx: String,
    /// Apache httpd (mod_headers, mod_rewrite).
    pub apache: String,
}

/// `true` when response headers (and the preflight's status) can fix this failure.
pub fn fixable_by_headers(error: CorsError) -> bool {
    use CorsError::*;
    error.is_cors_check()
        || matches!(
            error,
            PreflightInvalidStatus
                | PreflightDisallowedRedirect
                | InvalidAllowMethodsPreflightResponse
                | InvalidAllowHeadersPreflightResponse
                | MethodDisallowedByPreflightResponse
                | HeaderDisallowedByPreflightResponse
                | PreflightMissingAllowPrivateNetwork
                | PreflightInvalidAllowPrivateNetwork
        )
}

/// The fix for `request` (classified as `plan`), for the `failure` when there is one.
pub fn server_fix(request: &Request, plan: &Plan, failure: Option<&CorsFailure>) -> ServerFix {
    let engine = required_response_headers(request, plan, failure);
    let by_headers = failure.is_none_or(|f| fixable_by_headers(f.error));
    let url = failure
        .map(|f| f.url.clone())
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| request.url.to_string());
    let preflight = (!engine.preflight.is_empty()).then_some(ResponseFix {
        status: Some(PREFLIGHT_STATUS),
        headers: engine.preflight,
    });
    let mut notes = engine.notes;
    let origin = value_of(&engine.actual, "access-control-allow-origin").unwrap_or_default();
    if origin != "*" && !origin.is_empty() {
        notes.push(
            "Add `Vary: Origin` to responses whose Access-Control-Allow-Origin depends on the request's origin, so caches keep one answer per origin."
                .into(),
        );
    }
    let mut fix = ServerFix {
        url,
        by_headers,
        preflight,
        actual: ResponseFix {
            status: None,
            headers: engine.actual,
        },
        notes,
        snippets: None,
    };
    if by_headers {
        fix.snippets = Some(snippets(&fix));
    }
    fix
}

fn value_of(headers: &[(String, String)], name: &str) -> Option<String> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.clone())
}

/// The policy the fix amounts to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PolicyNeeds {
    /// The origin to allow (`null` for the opaque origin).
    pub origin: String,
    /// Methods to allow beyond GET, HEAD and POST.
    pub methods: Vec<String>,
    /// Request-header names to allow (lowercase).
    pub headers: Vec<String>,
    /// `Access-Control-Allow-Credentials: true`.
    pub credentials: bool,
    /// `Access-Control-Allow-Private-Network: true`.
    pub private_network: bool,
}

impl PolicyNeeds {
    /// Reads the fix's headers back.
    pub fn of(fix: &ServerFix) -> PolicyNeeds {
        let pf = fix
            .preflight
            .as_ref()
            .map(|p| &p.headers[..])
            .unwrap_or(&[]);
        let list = |name: &str| -> Vec<String> {
            value_of(pf, name)
                .map(|v| {
                    v.split(',')
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty())
                        .collect()
                })
                .unwrap_or_default()
        };
        PolicyNeeds {
            origin: value_of(&fix.actual.headers, "access-control-allow-origin")
                .unwrap_or_else(|| "*".into()),
            methods: list("access-control-allow-methods"),
            headers: list("access-control-allow-headers"),
            credentials: value_of(&fix.actual.headers, "access-control-allow-credentials")
                .is_some(),
            private_network: value_of(pf, "access-control-allow-private-network").is_some(),
        }
    }

    fn all_methods(&self) -> Vec<String> {
        let mut m: Vec<String> = ["GET", "HEAD", "POST"].map(String::from).to_vec();
        for x in &self.methods {
            if !m.contains(x) {
                m.push(x.clone());
            }
        }
        m
    }

    fn parsed_origin(&self) -> Option<Origin> {
        Origin::parse_with(&self.origin, true).ok()
    }
    fn is_null(&self) -> bool {
        self.origin == "null"
    }
    fn non_http(&self) -> bool {
        self.parsed_origin()
            .is_some_and(|o| !o.is_opaque() && !matches!(o.scheme(), "http" | "https"))
    }
    fn insecure_with_credentials(&self) -> bool {
        self.credentials
            && self
                .parsed_origin()
                .is_some_and(|o| o.scheme() == "http" && !o.is_loopback())
    }

    /// The `PolicyConfig` keys, as TOML lines (the same keys for a policy file and a route's
    /// `[routes.policy]` table).
    pub fn toml_lines(&self) -> Vec<String> {
        let q = |s: &str| toml_string(s);
        let list = |v: &[String]| v.iter().map(|s| q(s)).collect::<Vec<_>>().join(", ");
        let mut out = Vec::new();
        if self.is_null() {
            out.push("allowed_origins = []".to_string());
            out.push(
                "allow_null_origin = true          # the opaque origin `null`: any sandboxed page has it"
                    .to_string(),
            );
        } else {
            out.push(format!("allowed_origins = [{}]", q(&self.origin)));
        }
        if self.non_http() {
            out.push("allow_non_http_schemes = true".into());
        }
        if !self.methods.is_empty() {
            out.push(format!("allowed_methods = [{}]", list(&self.all_methods())));
        }
        if !self.headers.is_empty() {
            out.push(format!("allowed_headers = [{}]", list(&self.headers)));
        }
        if self.credentials {
            out.push("allow_credentials = true".into());
        }
        if self.insecure_with_credentials() {
            out.push("tolerate_insecure_origins = true # credentials over plain http".into());
        }
        if self.private_network {
            out.push("allow_private_network = true".into());
        }
        out
    }

    /// `Policy::builder()` and the tower layer.
    pub fn rust(&self) -> String {
        let list = |v: &[String]| {
            v.iter()
                .map(|s| rust_string(s))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut b = String::from(
            "use cors::{Policy, tower::CorsLayer};\n\nlet policy = Policy::builder()\n",
        );
        if self.is_null() {
            b.push_str("    .allow_null_origin(true) // the opaque origin `null`\n");
        } else if self.origin == "*" {
            b.push_str("    .allow_any_origin()\n");
        } else {
            b.push_str(&format!(
                "    .allow_origins([{}])\n",
                rust_string(&self.origin)
            ));
        }
        if self.non_http() {
            b.push_str("    .allow_non_http_schemes(true)\n");
        }
        if !self.methods.is_empty() {
            b.push_str(&format!(
                "    .allow_methods([{}])\n",
                list(&self.all_methods())
            ));
        }
        if !self.headers.is_empty() {
            b.push_str(&format!("    .allow_headers([{}])\n", list(&self.headers)));
        }
        if self.credentials {
            b.push_str("    .allow_credentials(true)\n");
        }
        if self.insecure_with_credentials() {
            b.push_str("    .tolerate_insecure_origins(true)\n");
        }
        if self.private_network {
            b.push_str("    .allow_private_network(true)\n");
        }
        b.push_str("    .build()?; // every configuration problem at once\n");
        b.push_str(
            "let app = app.layer(CorsLayer::new(policy)); // axum Router, or any tower service\n",
        );
        b
    }
}

/// A TOML basic string.
fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A Rust string literal.
fn rust_string(s: &str) -> String {
    format!("{s:?}")
}

/// A double-quoted nginx / Apache argument.
fn conf_string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn snippets(fix: &ServerFix) -> Snippets {
    let needs = PolicyNeeds::of(fix);
    let path = url::Url::parse(&fix.url)
        .map(|u| u.path().to_string())
        .unwrap_or_else(|_| "/".into());
    let policy_lines = needs.toml_lines();
    let policy_toml = format!("# cors lint policy.toml\n{}\n", policy_lines.join("\n"));
    let gateway_toml = format!(
        "# In the gateway file of `cors serve`: the policy table goes under the route.\n[[routes]]\npath = {}\nupstream = \"app\"   # the name of your upstream\n[routes.policy]\n{}\n",
        toml_string(&path),
        policy_lines.join("\n")
    );
    let vary = needs.origin != "*";
    let mut nginx = format!("location {path} {{\n");
    if let Some(pf) = &fix.preflight {
        nginx.push_str("    if ($request_method = OPTIONS) {\n");
        for (n, v) in &pf.headers {
            nginx.push_str(&format!(
                "        add_header {n} {} always;\n",
                conf_string(v)
            ));
        }
        if vary {
            nginx.push_str("        add_header Vary \"Origin\" always;\n");
        }
        nginx.push_str(&format!("        return {};\n    }}\n", PREFLIGHT_STATUS));
    }
    for (n, v) in &fix.actual.headers {
        nginx.push_str(&format!("    add_header {n} {} always;\n", conf_string(v)));
    }
    if vary {
        nginx.push_str("    add_header Vary \"Origin\" always;\n");
    }
    nginx.push_str("    # … your proxy_pass / root as before\n}\n");

    let mut apache = format!(
        "# needs mod_headers and mod_rewrite\n<Location {}>\n",
        conf_string(&path)
    );
    for (n, v) in &fix.actual.headers {
        apache.push_str(&format!("    Header always set {n} {}\n", conf_string(v)));
    }
    if vary {
        apache.push_str("    Header always merge Vary \"Origin\"\n");
    }
    if let Some(pf) = &fix.preflight {
        for (n, v) in &pf.headers {
            if fix.actual.headers.iter().any(|(a, _)| a == n) {
                continue;
            }
            apache.push_str(&format!(
                "    Header always set {n} {} \"expr=%{{REQUEST_METHOD}} == 'OPTIONS'\"\n",
                conf_string(v)
            ));
        }
        apache.push_str(&format!(
            "    RewriteEngine On\n    RewriteCond %{{REQUEST_METHOD}} OPTIONS\n    RewriteRule ^ - [R={},L]\n",
            PREFLIGHT_STATUS
        ));
    }
    apache.push_str("</Location>\n");
    Snippets {
        rust: needs.rust(),
        policy_toml,
        gateway_toml,
        nginx,
        apache,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cors::agent::{CredentialsMode, Profile, classify};
    use cors::policy::PolicyConfig;

    fn req(origin: &str) -> Request {
        Request::new(
            Origin::parse_with(origin, true).unwrap(),
            "https://api.example/doc".parse().unwrap(),
        )
    }

    /// The TOML the fix proposes is a valid policy (it compiles, no errors), for the shapes a
    /// fix takes: exact origin, credentials, methods, headers, `null`, plain-http origins.
    #[test]
    fn proposed_policies_compile() {
        let cases = [
            req("https://foo.example"),
            req("https://foo.example")
                .with_method("PUT")
                .with_header("X-PINGOTHER", "pingpong")
                .with_header("Content-Type", "application/xml"),
            req("https://foo.example").with_credentials(CredentialsMode::Include),
            req("http://app.example")
                .with_method("DELETE")
                .with_credentials(CredentialsMode::Include),
            req("null").with_method("patch"),
            req("chrome-extension://abc").with_header("Authorization", "x"),
            req("https://foo.example").with_private_network(true),
        ];
        for r in cases {
            let plan = classify(&r, Profile::Spec).unwrap();
            let fix = server_fix(&r, &plan, None);
            let s = fix.snippets.as_ref().expect("snippets");
            let body = s.policy_toml.clone();
            let config: PolicyConfig = toml::from_str(&body)
                .unwrap_or_else(|e| panic!("{body}\nis not a PolicyConfig: {e}"));
            if let Err(e) = cors::policy::Policy::new(config) {
                panic!("{body}\ndoes not compile: {e}");
            }
            assert!(s.gateway_toml.contains("[routes.policy]"));
            assert!(s.nginx.contains("location /doc {"), "{}", s.nginx);
            assert!(s.apache.contains("<Location \"/doc\">"), "{}", s.apache);
        }
    }

    #[test]
    fn redirect_failures_are_not_fixed_by_headers() {
        assert!(!fixable_by_headers(CorsError::TooManyRedirects));
        assert!(!fixable_by_headers(CorsError::RedirectContainsCredentials));
        assert!(fixable_by_headers(CorsError::MissingAllowOriginHeader));
        assert!(fixable_by_headers(CorsError::PreflightDisallowedRedirect));
    }
}
