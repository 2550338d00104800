//! Apache httpd 2.4: the outcome in a request environment variable (`SetEnvIfExpr`, whose
//! `req_novary` reads a header without adding it to `Vary`; httpd joins repeated header lines
//! with `, `, as the Fetch standard reads them), `mod_rewrite` `[R=…]` for the answers the
//! policy gives itself, and `Header always … expr=` for the CORS headers, so they go on httpd's
//! own error pages too. Routes are `<LocationMatch>` sections made exclusive with a negative
//! look-ahead (httpd merges every matching section; `cors serve` picks one route), and
//! `ProxyPassMatch` rules in the same most-specific-first order.

use super::model::{self, Gateway, Route, Source, Target};
use cors::policy::Policy;
use cors_gateway::diag::Diagnostic;
use std::fmt::Write as _;

/// What httpd cannot say exactly: a `%` in a `Header` value starts a format specifier.
pub fn refusals(src: &str, source: &Source) -> Vec<Diagnostic> {
    model::names_with(
        src,
        source,
        '%',
        Target::Apache,
        "a name with `%` would be read as a mod_headers format specifier",
        "rename the header or method without `%`",
    )
}

/// A regex in an httpd expression, between `;` delimiters (`;` is in no origin, method or
/// header name); `'` and `"` written as hex escapes so no quoting level sees them.
fn m(re: &str) -> String {
    format!("m;{};", re.replace('\'', "\\x27").replace('"', "\\x22"))
}

/// The directives of one policy for a `<Location>` (or `<LocationMatch>`), indented by `ind`.
pub fn policy_block(policy: &Policy, replace: bool, ind: &str) -> String {
    let mut o = String::new();
    let w = &mut o;
    macro_rules! line {
        ($($t:tt)*) => {{ let _ = writeln!(w, "{ind}{}", format!($($t)*)); }};
    }
    let any = policy.allows_any_origin();
    let creds = policy.allows_credentials();
    let origin = "req_novary('Origin')";
    line!("# Fetch #http-origin: the outcome in CORS_OUT: unset (no Origin), dis, ok, pfr, pfa.");
    line!("SetEnvIf Origin \"^(.*)$\" CORS_ORIGIN=$1");
    line!("SetEnvIfExpr \"-n {origin}\" CORS_OUT=dis");
    let allowed = match model::origin_regex(policy) {
        None => format!("-n {origin}"),
        Some(re) => format!("{origin} =~ {}", m(&re)),
    };
    line!("SetEnvIfExpr \"{allowed}\" CORS_OUT=ok");
    line!(
        "# Fetch #cors-preflight-request: OPTIONS with Origin and Access-Control-Request-Method."
    );
    let pf = format!(
        "%{{REQUEST_METHOD}} == 'OPTIONS' && -n {origin} && -n req_novary('Access-Control-Request-Method')"
    );
    line!("SetEnvIfExpr \"{pf}\" CORS_OUT=pfr");
    line!("# Fetch #cors-preflight-fetch steps 7.5-7.7: the method and every requested header;");
    line!("# WICG Private Network Access.");
    let pna = if policy.allows_private_network() {
        String::new()
    } else {
        " && req_novary('Access-Control-Request-Private-Network') != 'true'".into()
    };
    line!(
        "SetEnvIfExpr \"{pf} && {allowed} && req_novary('Access-Control-Request-Method') =~ {} && req_novary('Access-Control-Request-Headers') =~ {}{pna}\" CORS_OUT=pfa",
        m(&model::method_regex(policy)),
        m(&model::headers_regex(policy))
    );
    line!(
        "SetEnvIfExpr \"req_novary('Access-Control-Request-Headers') =~ m;[^ \\t,];\" CORS_REQ=1"
    );
    line!(
        "SetEnvIfExpr \"req_novary('Access-Control-Request-Private-Network') == 'true'\" CORS_PNA=1"
    );
    let is = |re: &str| format!("\"expr=reqenv('CORS_OUT') =~ /{re}/\"");
    if replace {
        line!(
            "# upstream_cors_headers = \"replace\": the upstream's own CORS headers are removed;"
        );
        line!("# the policy answers alone (Fetch #http-responses).");
        for h in model::CORS_HEADERS {
            line!("Header unset {h}");
        }
    }
    line!("# Fetch #http-access-control-allow-origin and the headers of each outcome (`always`:");
    line!("# on every status, httpd's own error pages included).");
    if any {
        // #cors-protocol-and-http-caches: a static `*` goes on every response.
        line!(
            "Header always set Access-Control-Allow-Origin \"*\" {}",
            is("^(ok|pfa|)$")
        );
    } else {
        line!(
            "Header always set Access-Control-Allow-Origin \"%{{CORS_ORIGIN}}e\" {}",
            is("^(ok|pfa)$")
        );
    }
    if creds {
        line!(
            "Header always set Access-Control-Allow-Credentials true {}",
            is("^(ok|pfa)$")
        );
    }
    if let Some(v) = model::text(policy.expose_headers_value()) {
        let when = if any { "^(ok|)$" } else { "^ok$" };
        line!(
            "Header always set Access-Control-Expose-Headers \"{v}\" {}",
            is(when)
        );
    }
    if let Some(v) = model::text(policy.allow_methods_value()) {
        line!(
            "Header always set Access-Control-Allow-Methods \"{v}\" {}",
            is("^pfa$")
        );
    }
    if let Some(v) = model::text(policy.allow_headers_value()) {
        line!(
            "Header always set Access-Control-Allow-Headers \"{v}\" \"expr=reqenv('CORS_OUT') == 'pfa' && reqenv('CORS_REQ') == '1'\""
        );
    }
    if let Some(v) = model::text(policy.max_age_value()) {
        line!(
            "Header always set Access-Control-Max-Age {v} {}",
            is("^pfa$")
        );
    }
    if policy.allows_private_network() {
        line!(
            "Header always set Access-Control-Allow-Private-Network true \"expr=reqenv('CORS_OUT') == 'pfa' && reqenv('CORS_PNA') == '1'\""
        );
    }
    line!("# Fetch #cors-protocol-and-http-caches: Vary, added beside the upstream's own.");
    line!(
        "Header always add Vary \"{}\" {}",
        model::preflight_vary(policy),
        is("^pf")
    );
    if policy.varies_by_origin() {
        line!("Header always add Vary Origin \"expr=reqenv('CORS_OUT') !~ /^pf/\"");
    }
    line!("# The answers the policy gives itself.");
    line!("RewriteEngine On");
    if !policy.preflight_continues() {
        line!("RewriteCond expr \"reqenv('CORS_OUT') == 'pfa'\"");
        line!(
            "RewriteRule ^ - [R={},L]",
            policy.preflight_status().as_u16()
        );
        line!("RewriteCond expr \"reqenv('CORS_OUT') == 'pfr'\"");
        line!("RewriteRule ^ - [R=403,L]");
    }
    if policy.rejects_disallowed_origins() {
        line!("RewriteCond expr \"reqenv('CORS_OUT') == 'dis'\"");
        line!("RewriteRule ^ - [R=403,L]");
    }
    o
}

const MODULES: [(&str, &str); 8] = [
    ("mpm_event_module", "mod_mpm_event.so"),
    ("authz_core_module", "mod_authz_core.so"),
    ("unixd_module", ""),
    ("headers_module", "mod_headers.so"),
    ("rewrite_module", "mod_rewrite.so"),
    ("setenvif_module", "mod_setenvif.so"),
    ("proxy_module", "mod_proxy.so"),
    ("proxy_http_module", "mod_proxy_http.so"),
];

fn header(file: &str, what: &str) -> String {
    format!(
        "# Generated by `cors export --to apache` from {file} (cors {}).\n\
         # {what}\n\
         # Regenerate rather than edit: the same input gives the same bytes.\n",
        env!("CARGO_PKG_VERSION")
    )
}

/// The whole output for `source`.
pub fn render(file: &str, source: &Source) -> String {
    match source {
        Source::Policy(p) => {
            let mut out = header(
                file,
                "Include inside the <Location> that serves the resource (mod_headers, mod_setenvif,\n\
                 # mod_rewrite):\n\
                 #     <Location \"/api/\">\n\
                 #         Include cors.conf\n\
                 #     </Location>",
            );
            out.push_str(&policy_block(p, true, ""));
            out
        }
        Source::Gateway(g) => gateway(file, g),
    }
}

/// The route's paths as a regex (a prefix on a segment boundary, as `cors serve` matches it).
fn path_re(r: &Route) -> String {
    let p = model::escape(&r.prefix);
    if r.prefix.ends_with('/') {
        p
    } else {
        format!("{p}(?:/|$)")
    }
}

fn gateway(file: &str, g: &Gateway) -> String {
    let mut o = header(
        file,
        "A complete httpd.conf for Debian's apache2: run it with\n\
         #     apache2 -d DIR -f DIR/httpd.conf -DFOREGROUND     (check: apache2 -t -d DIR -f …)",
    );
    o.push_str(model::NOT_EXPORTED);
    let w = &mut o;
    for (name, so) in MODULES {
        if !so.is_empty() {
            let _ = writeln!(w, "LoadModule {name} /usr/lib/apache2/modules/{so}");
        }
    }
    let _ = writeln!(w, "DefaultRuntimeDir .");
    let _ = writeln!(w, "PidFile httpd.pid");
    let _ = writeln!(w, "ErrorLog /dev/stderr");
    let _ = writeln!(w, "LogLevel warn");
    let _ = writeln!(w, "User www-data");
    let _ = writeln!(w, "Group www-data");
    for l in &g.listeners {
        let _ = writeln!(w, "Listen {}", l.address);
    }
    if let Some(l) = g.listeners.first() {
        let _ = writeln!(w, "ServerName {}", l.address.ip());
    }
    let _ = writeln!(w, "ProxyPreserveHost On");
    let _ = writeln!(w, "ProxyAddHeaders On");
    let _ = writeln!(
        w,
        "# Routes, most specific first: the first ProxyPassMatch that matches wins."
    );
    for r in &g.routes {
        let _ = writeln!(
            w,
            "ProxyPassMatch \"^({}.*)$\" \"http://{}$1\"",
            path_re(r),
            r.upstream
        );
    }
    let mut earlier: Vec<String> = Vec::new();
    for r in &g.routes {
        let guard = if earlier.is_empty() {
            String::new()
        } else {
            format!("(?!{})", earlier.join("|"))
        };
        let _ = writeln!(w, "# route {:?} -> upstream {:?}", r.name, r.upstream_name);
        let _ = writeln!(w, "<LocationMatch \"^{guard}{}\">", path_re(r));
        w.push_str(&policy_block(&r.policy, r.replace, "    "));
        let _ = writeln!(w, "</LocationMatch>");
        earlier.push(path_re(r));
    }
    let _ = writeln!(w, "# No route matches: 404, as `cors serve` answers.");
    let guard = if earlier.is_empty() {
        String::new()
    } else {
        format!("(?!{})", earlier.join("|"))
    };
    let _ = writeln!(w, "<LocationMatch \"^{guard}\">");
    let _ = writeln!(w, "    RewriteEngine On");
    let _ = writeln!(w, "    RewriteRule ^ - [R=404,L]");
    let _ = writeln!(w, "</LocationMatch>");
    o
}
