//! HAProxy: the policy as ACLs on the request's header lines (`req.fhdr`, which never splits a
//! line at its commas, and `req.fhdr_cnt`, which tells an empty header from an absent one),
//! the outcome in a transaction variable, `http-request return` for the answers the policy
//! gives itself, and `http-after-response` for the CORS headers, so they go on HAProxy's own
//! answers and error pages too. Regular expressions are in single quotes: HAProxy reads them
//! as written.

use super::model::{self, Gateway, Route, Source, Target};
use cors::policy::Policy;
use cors_gateway::diag::Diagnostic;
use std::fmt::Write as _;

/// What HAProxy cannot say exactly: a `%` in a header value HAProxy reads as a log-format tag.
pub fn refusals(src: &str, source: &Source) -> Vec<Diagnostic> {
    model::names_with(
        src,
        source,
        '%',
        Target::Haproxy,
        "a name with `%` would be read as a log-format tag in the header value",
        "rename the header or method without `%`",
    )
}

/// A regular expression in HAProxy's strong (single) quotes.
fn re(s: &str) -> String {
    format!("'{}'", s.replace('\'', "\\x27"))
}

/// A header value in double quotes (values are tokens joined by `, `: nothing to escape).
fn val(s: &str) -> String {
    format!("\"{s}\"")
}

/// The backend-level lines of one policy, indented by `ind`.
pub fn policy_block(policy: &Policy, replace: bool, ind: &str) -> String {
    let mut o = String::new();
    let w = &mut o;
    macro_rules! line {
        ($($t:tt)*) => {{ let _ = writeln!(w, "{ind}{}", format!($($t)*)); }};
    }
    let any = policy.allows_any_origin();
    let creds = policy.allows_credentials();
    line!("# Fetch #http-origin: one Origin line, allowed by the policy.");
    line!("acl cors_origin req.fhdr_cnt(origin) gt 0");
    line!("acl cors_one_origin req.fhdr_cnt(origin) eq 1");
    match model::origin_regex(policy) {
        None => line!("acl cors_allowed always_true"),
        Some(r) => line!("acl cors_allowed req.fhdr(origin) -m reg {}", re(&r)),
    }
    line!(
        "# Fetch #cors-preflight-request: OPTIONS with Origin and Access-Control-Request-Method."
    );
    line!("acl cors_preflight method OPTIONS");
    line!("acl cors_acrm req.fhdr_cnt(access-control-request-method) gt 0");
    line!("# Fetch #cors-preflight-fetch step 7.5: one requested method, allowed.");
    line!("acl cors_one_acrm req.fhdr_cnt(access-control-request-method) eq 1");
    line!(
        "acl cors_method req.fhdr(access-control-request-method) -m reg {}",
        re(&model::method_regex(policy))
    );
    line!("# Steps 7.6-7.7: every requested header name (a comma-separated list).");
    // A line that is not a list of allowed names (any line: several lines are one list).
    let line_re = model::headers_regex(policy);
    let body = line_re
        .strip_prefix('^')
        .and_then(|b| b.strip_suffix('$'))
        .unwrap_or(&line_re);
    line!(
        "acl cors_headers_bad req.fhdr(access-control-request-headers) -m reg {}",
        re(&format!("^(?!(?:{body})$)"))
    );
    line!("acl cors_requested req.fhdr(access-control-request-headers) -m reg '[^ \\t,]'");
    line!("# WICG Private Network Access: the first Access-Control-Request-Private-Network line.");
    line!("acl cors_pna req.fhdr(access-control-request-private-network,1) -m str true");
    line!("# The outcome: nc (no Origin), dis, ok, pfr (preflight refused), pfa (accepted).");
    line!("http-request set-var(txn.cors_out) str(nc)");
    line!("http-request set-var(txn.cors_out) str(dis) if cors_origin");
    line!("http-request set-var(txn.cors_out) str(ok) if cors_one_origin cors_allowed");
    line!("http-request set-var(txn.cors_out) str(pfr) if cors_preflight cors_origin cors_acrm");
    let pna = if policy.allows_private_network() {
        ""
    } else {
        " !cors_pna"
    };
    let base = format!(
        "cors_preflight cors_one_origin cors_allowed cors_acrm cors_one_acrm cors_method{pna}"
    );
    line!("http-request set-var(txn.cors_out) str(pfa) if {base} !cors_headers_bad");
    line!("http-request set-var(txn.cors_origin) req.fhdr(origin) if cors_one_origin");
    line!("http-request set-var(txn.cors_req) bool(true) if cors_requested");
    line!("http-request set-var(txn.cors_pna) bool(true) if cors_pna");
    let is = |out: &str| format!("{{ var(txn.cors_out) -m str {out} }}");
    if !policy.preflight_continues() {
        line!("# Fetch #cors-preflight-fetch: the policy answers preflights itself.");
        line!(
            "http-request return status {} if {}",
            policy.preflight_status().as_u16(),
            is("pfa")
        );
        line!("http-request return status 403 if {}", is("pfr"));
    }
    if policy.rejects_disallowed_origins() {
        line!("# reject_disallowed_origins: 403 for actual requests from other origins.");
        line!("http-request return status 403 if {}", is("dis"));
    }
    line!("# Answers that came from the server (not HAProxy's own error pages).");
    line!("http-response set-var(txn.cors_up) bool(true)");
    if replace {
        line!(
            "# upstream_cors_headers = \"replace\": the upstream's own CORS headers are removed;"
        );
        line!("# the policy answers alone (Fetch #http-responses).");
        for h in model::CORS_HEADERS {
            line!("http-response del-header {h}");
        }
    }
    line!("# A failed connection to the server is 502 Bad Gateway, as `cors serve` answers it.");
    line!("http-after-response set-status 502 if {{ status 503 }} !{{ var(txn.cors_up) -m bool }}");
    line!("# Fetch #http-access-control-allow-origin and the headers of each outcome.");
    let origin_value = if any {
        val("*")
    } else {
        val("%[var(txn.cors_origin)]")
    };
    let allowed = "{ var(txn.cors_out) -m reg ^(ok|pfa)$ }";
    line!("http-after-response set-header Access-Control-Allow-Origin {origin_value} if {allowed}");
    if any {
        // #cors-protocol-and-http-caches: a static `*` goes on every response.
        line!(
            "http-after-response set-header Access-Control-Allow-Origin \"*\" if {}",
            is("nc")
        );
    }
    if creds {
        line!("http-after-response set-header Access-Control-Allow-Credentials true if {allowed}");
    }
    if let Some(v) = model::text(policy.expose_headers_value()) {
        line!(
            "http-after-response set-header Access-Control-Expose-Headers {} if {}",
            val(&v),
            is("ok")
        );
        if any {
            line!(
                "http-after-response set-header Access-Control-Expose-Headers {} if {}",
                val(&v),
                is("nc")
            );
        }
    }
    if let Some(v) = model::text(policy.allow_methods_value()) {
        line!(
            "http-after-response set-header Access-Control-Allow-Methods {} if {}",
            val(&v),
            is("pfa")
        );
    }
    if let Some(v) = model::text(policy.allow_headers_value()) {
        line!(
            "http-after-response set-header Access-Control-Allow-Headers {} if {} {{ var(txn.cors_req) -m bool }}",
            val(&v),
            is("pfa")
        );
    }
    if let Some(v) = model::text(policy.max_age_value()) {
        line!(
            "http-after-response set-header Access-Control-Max-Age {v} if {}",
            is("pfa")
        );
    }
    if policy.allows_private_network() {
        line!(
            "http-after-response set-header Access-Control-Allow-Private-Network true if {} {{ var(txn.cors_pna) -m bool }}",
            is("pfa")
        );
    }
    line!("# Fetch #cors-protocol-and-http-caches: Vary, added beside the upstream's own.");
    line!(
        "http-after-response add-header Vary {} if {{ var(txn.cors_out) -m reg ^pf }}",
        val(&model::preflight_vary(policy))
    );
    if policy.varies_by_origin() {
        line!(
            "http-after-response add-header Vary Origin if {{ var(txn.cors_out) -m reg ^(nc|dis|ok)$ }}"
        );
    }
    o
}

fn header(file: &str, what: &str) -> String {
    format!(
        "# Generated by `cors export --to haproxy` from {file} (cors {}).\n\
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
                "Paste into the `backend` (or `listen`) section that serves the resource:\n\
                 #     backend app\n\
                 #         <these lines>\n\
                 #         server app1 127.0.0.1:3000",
            );
            out.push_str(&policy_block(p, true, "    "));
            out
        }
        Source::Gateway(g) => gateway(file, g),
    }
}

fn route_acl(r: &Route) -> String {
    // `cors serve` matches a prefix on a segment boundary: `/api` is `/api` and `/api/…`.
    if r.prefix.ends_with('/') {
        format!("path_beg {}", r.prefix)
    } else {
        format!("path {p} || path_beg {p}/", p = r.prefix)
    }
}

fn gateway(file: &str, g: &Gateway) -> String {
    let mut o = header(
        file,
        "A complete haproxy.cfg: run it with `haproxy -f haproxy.cfg` (check: `haproxy -c -f`).",
    );
    o.push_str(model::NOT_EXPORTED);
    let w = &mut o;
    let _ = writeln!(w, "global");
    let _ = writeln!(w, "    log stderr format short local0 notice");
    let _ = writeln!(w, "defaults");
    let _ = writeln!(w, "    mode http");
    let _ = writeln!(w, "    timeout connect 2s");
    let _ = writeln!(w, "    timeout client 60s");
    let _ = writeln!(w, "    timeout server 30s");
    let _ = writeln!(w, "    retries 0");
    let _ = writeln!(w, "frontend cors");
    // TLS listeners are refused (`model::tls_refusals`).
    for l in &g.listeners {
        let _ = writeln!(w, "    bind {}", l.address);
    }
    for (i, r) in g.routes.iter().enumerate() {
        let _ = writeln!(w, "    # route {:?}", r.name);
        let _ = writeln!(
            w,
            "    use_backend route{i} if {{ {} }}",
            route_acl(r).replace(" || ", " } || { ")
        );
    }
    let _ = writeln!(w, "    # No route matches: 404, as `cors serve` answers.");
    let _ = writeln!(w, "    default_backend no_route");
    let _ = writeln!(w, "backend no_route");
    let _ = writeln!(w, "    http-request return status 404");
    for (i, r) in g.routes.iter().enumerate() {
        let _ = writeln!(w, "backend route{i}");
        let _ = writeln!(
            w,
            "    # route {:?} -> upstream {:?}",
            r.name, r.upstream_name
        );
        let _ = writeln!(w, "    option forwardfor");
        w.push_str(&policy_block(&r.policy, r.replace, "    "));
        let _ = writeln!(w, "    server {} {}", ident(&r.upstream_name), r.upstream);
    }
    o
}

fn ident(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}
