//! nginx: the policy as `set`/`if` (rewrite module, the `return`-and-`set`-only use of `if`
//! that nginx documents as safe) and one `add_header … always` per CORS header at `location`
//! level, whose empty value means "absent". No `add_header` sits inside an `if`, so nothing the
//! location adds is dropped (the pitfall of hand-written snippets), and `always` puts the
//! headers on 4xx/5xx answers and nginx's own error pages too.

use super::model::{self, Gateway, Route, Source, Target};
use cors::policy::Policy;
use cors_gateway::diag::Diagnostic;
use std::fmt::Write as _;

/// What nginx cannot say exactly: a `$` in a value `set` would read as a variable.
pub fn refusals(src: &str, source: &Source) -> Vec<Diagnostic> {
    model::names_with(
        src,
        source,
        '$',
        Target::Nginx,
        "a name with `$` would be read as an nginx variable in the header value",
        "rename the header or method without `$`",
    )
}

fn q(s: &str) -> String {
    // Values are tokens, origins and regexes built from them: no `"` or `\` to escape but the
    // regex escapes, which nginx's parser keeps as written inside double quotes.
    format!("\"{s}\"")
}

/// The location-level directives of one policy, indented by `ind`.
pub fn policy_block(policy: &Policy, replace: bool, ind: &str) -> String {
    let mut o = String::new();
    let w = &mut o;
    let any = policy.allows_any_origin();
    let creds = policy.allows_credentials();
    macro_rules! line {
        ($($t:tt)*) => {{ let _ = writeln!(w, "{ind}{}", format!($($t)*)); }};
    }
    if replace {
        line!(
            "# upstream_cors_headers = \"replace\": the upstream's own CORS headers are removed;"
        );
        line!("# the policy answers alone (Fetch #http-responses).");
        for h in model::CORS_HEADERS {
            line!("proxy_hide_header {h};");
        }
    }
    line!("# Every CORS header of the answer, absent while its variable is empty (`always`: on");
    line!("# every status, nginx's own error pages included).");
    for (h, v) in [
        ("Access-Control-Allow-Origin", "cors_acao"),
        ("Access-Control-Allow-Credentials", "cors_acac"),
        ("Access-Control-Expose-Headers", "cors_aceh"),
        ("Access-Control-Allow-Methods", "cors_acam"),
        ("Access-Control-Allow-Headers", "cors_acah"),
        ("Access-Control-Max-Age", "cors_acma"),
        ("Access-Control-Allow-Private-Network", "cors_acapn"),
    ] {
        line!("add_header {h} ${v} always;");
    }
    line!("# Fetch #cors-protocol-and-http-caches: Vary, added beside the upstream's own.");
    line!("add_header Vary $cors_vary always;");
    for v in [
        "cors_acao",
        "cors_acac",
        "cors_aceh",
        "cors_acam",
        "cors_acah",
        "cors_acma",
        "cors_acapn",
        "cors_vary",
    ] {
        line!("set ${v} \"\";");
    }
    line!("# Fetch #http-origin: is the request's Origin allowed?");
    line!("set $cors_o \"\";");
    match model::origin_regex(policy) {
        None => line!("if ($http_origin != \"\") {{ set $cors_o 1; }}"),
        Some(re) => line!("if ($http_origin ~ {}) {{ set $cors_o 1; }}", q(&re)),
    }
    line!(
        "# Fetch #cors-preflight-request: OPTIONS with Origin and Access-Control-Request-Method."
    );
    line!("set $cors_p \"\";");
    line!("if ($request_method = OPTIONS) {{ set $cors_p p; }}");
    line!("if ($http_origin = \"\") {{ set $cors_p \"\"; }}");
    line!("if ($http_access_control_request_method = \"\") {{ set $cors_p \"\"; }}");
    line!("# Fetch #cors-preflight-fetch step 7.5: the requested method.");
    line!("set $cors_m \"\";");
    line!(
        "if ($http_access_control_request_method ~ {}) {{ set $cors_m 1; }}",
        q(&model::method_regex(policy))
    );
    line!("# Steps 7.6-7.7: every requested header name (a comma-separated list).");
    line!("set $cors_h 1;");
    line!(
        "if ($http_access_control_request_headers !~ {}) {{ set $cors_h \"\"; }}",
        q(&model::headers_regex(policy))
    );
    if let Some(v) = model::text(policy.allow_headers_value()) {
        line!("set $cors_acah_v \"\";");
        line!(
            "if ($http_access_control_request_headers ~ \"[^ \\t,]\") {{ set $cors_acah_v {}; }}",
            q(&v)
        );
    }
    line!("# WICG Private Network Access: Access-Control-Request-Private-Network: true.");
    line!("set $cors_n 1;");
    line!("set $cors_acapn_v \"\";");
    if policy.allows_private_network() {
        line!(
            "if ($http_access_control_request_private_network = true) {{ set $cors_acapn_v true; }}"
        );
    } else {
        line!("if ($http_access_control_request_private_network = true) {{ set $cors_n \"\"; }}");
    }
    line!("# The outcome: nc (no Origin), dis, ok, pfr (preflight refused), pfa (accepted).");
    line!("set $cors_out nc;");
    line!("if ($http_origin != \"\") {{ set $cors_out dis; }}");
    line!("if ($cors_o) {{ set $cors_out ok; }}");
    line!("if ($cors_p) {{ set $cors_out pfr; }}");
    line!("set $cors_k \"${{cors_p}}${{cors_o}}${{cors_m}}${{cors_h}}${{cors_n}}\";");
    line!("if ($cors_k = p1111) {{ set $cors_out pfa; }}");

    let acao = if any && !creds {
        q("*")
    } else {
        "$http_origin".into()
    };
    let vary_origin = policy.varies_by_origin();
    let pvary = model::preflight_vary(policy);
    // Accepted preflight.
    line!("# Fetch #cors-preflight-fetch: the answer to an accepted preflight.");
    line!("if ($cors_out = pfa) {{");
    line!("    set $cors_acao {acao};");
    if creds {
        line!("    set $cors_acac true;");
    }
    if let Some(v) = model::text(policy.allow_methods_value()) {
        line!("    set $cors_acam {};", q(&v));
    }
    if policy.allow_headers_value().is_some() {
        line!("    set $cors_acah $cors_acah_v;");
    }
    if let Some(v) = model::text(policy.max_age_value()) {
        line!("    set $cors_acma {v};");
    }
    if policy.allows_private_network() {
        line!("    set $cors_acapn $cors_acapn_v;");
    }
    line!("    set $cors_vary {};", q(&pvary));
    if !policy.preflight_continues() {
        line!("    return {};", policy.preflight_status().as_u16());
    }
    line!("}}");
    line!("# A refused preflight: no CORS headers, so the browser fails it.");
    line!("if ($cors_out = pfr) {{");
    line!("    set $cors_vary {};", q(&pvary));
    if !policy.preflight_continues() {
        line!("    return 403;");
    }
    line!("}}");
    line!("# Fetch #http-access-control-allow-origin: an actual request from an allowed origin.");
    line!("if ($cors_out = ok) {{");
    line!("    set $cors_acao {acao};");
    if creds {
        line!("    set $cors_acac true;");
    }
    if let Some(v) = model::text(policy.expose_headers_value()) {
        line!("    set $cors_aceh {};", q(&v));
    }
    if vary_origin {
        line!("    set $cors_vary Origin;");
    }
    line!("}}");
    line!("# An actual request from an origin the policy does not allow: no CORS headers.");
    line!("if ($cors_out = dis) {{");
    if vary_origin {
        line!("    set $cors_vary Origin;");
    }
    if policy.rejects_disallowed_origins() {
        line!("    return 403;");
    }
    line!("}}");
    line!("# Fetch #http-requests: no Origin, not a CORS request.");
    line!("if ($cors_out = nc) {{");
    if any && !creds {
        // #cors-protocol-and-http-caches: a static `*` goes on every response.
        line!("    set $cors_acao \"*\";");
        if let Some(v) = model::text(policy.expose_headers_value()) {
            line!("    set $cors_aceh {};", q(&v));
        }
    }
    if vary_origin {
        line!("    set $cors_vary Origin;");
    }
    line!("}}");
    o
}

fn header(file: &str, what: &str) -> String {
    format!(
        "# Generated by `cors export --to nginx` from {file} (cors {}).\n\
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
                "Include inside a `location` that proxies (or serves) the resource:\n\
                 #     location /api/ { include cors.conf; proxy_pass http://app; }",
            );
            out.push_str(&policy_block(p, true, ""));
            out
        }
        Source::Gateway(g) => gateway(file, g),
    }
}

fn location_keys(r: &Route) -> Vec<String> {
    // `cors serve` matches a prefix on a segment boundary: `/api` is `/api` and `/api/…`.
    if r.prefix.ends_with('/') {
        vec![r.prefix.clone()]
    } else {
        vec![format!("= {}", r.prefix), format!("{}/", r.prefix)]
    }
}

fn gateway(file: &str, g: &Gateway) -> String {
    let mut o = header(
        file,
        "A complete nginx.conf: run it with `nginx -p DIR -c nginx.conf` (paths relative to DIR).",
    );
    o.push_str(model::NOT_EXPORTED);
    let w = &mut o;
    let _ = writeln!(w, "pid nginx.pid;");
    let _ = writeln!(w, "error_log stderr notice;");
    let _ = writeln!(w, "events {{ worker_connections 1024; }}");
    let _ = writeln!(w, "http {{");
    let _ = writeln!(w, "    access_log off;");
    for (d, p) in [
        ("client_body_temp_path", "client_body_temp"),
        ("proxy_temp_path", "proxy_temp"),
        ("fastcgi_temp_path", "fastcgi_temp"),
        ("uwsgi_temp_path", "uwsgi_temp"),
        ("scgi_temp_path", "scgi_temp"),
    ] {
        let _ = writeln!(w, "    {d} {p};");
    }
    let mut upstreams: Vec<(&str, &str)> = g
        .routes
        .iter()
        .map(|r| (r.upstream_name.as_str(), r.upstream.as_str()))
        .collect();
    upstreams.sort();
    upstreams.dedup();
    for (name, addr) in &upstreams {
        let _ = writeln!(w, "    upstream cors_{} {{", ident(name));
        let _ = writeln!(w, "        server {addr};");
        let _ = writeln!(w, "        keepalive 16;");
        let _ = writeln!(w, "    }}");
    }
    let _ = writeln!(w, "    server {{");
    for l in &g.listeners {
        match &l.tls {
            None => {
                let _ = writeln!(w, "        listen {};", l.address);
            }
            Some(_) => {
                let _ = writeln!(w, "        listen {} ssl;", l.address);
            }
        }
    }
    if let Some((cert, key)) = g.listeners.iter().find_map(|l| l.tls.as_ref()) {
        let _ = writeln!(w, "        ssl_certificate {};", cert.display());
        let _ = writeln!(w, "        ssl_certificate_key {};", key.display());
    }
    let mut seen: Vec<String> = Vec::new();
    let mut has_root = false;
    for r in &g.routes {
        for key in location_keys(r) {
            // A more specific route (earlier here) already took this location.
            if seen.contains(&key) {
                continue;
            }
            has_root |= key == "/";
            seen.push(key.clone());
            let _ = writeln!(w, "        # route {:?}", r.name);
            let _ = writeln!(w, "        location {key} {{");
            let _ = writeln!(
                w,
                "            proxy_pass http://cors_{};",
                ident(&r.upstream_name)
            );
            let _ = writeln!(w, "            proxy_http_version 1.1;");
            let _ = writeln!(w, "            proxy_set_header Connection \"\";");
            let _ = writeln!(w, "            proxy_set_header Host $http_host;");
            let _ = writeln!(
                w,
                "            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;"
            );
            let _ = writeln!(w, "            proxy_set_header X-Forwarded-Proto $scheme;");
            let _ = writeln!(
                w,
                "            proxy_set_header X-Forwarded-Host $http_host;"
            );
            w.push_str(&policy_block(&r.policy, r.replace, "            "));
            let _ = writeln!(w, "        }}");
        }
    }
    if !has_root {
        let _ = writeln!(
            w,
            "        # No route matches: 404, as `cors serve` answers."
        );
        let _ = writeln!(w, "        location / {{ return 404; }}");
    }
    let _ = writeln!(w, "    }}");
    let _ = writeln!(w, "}}");
    o
}

fn ident(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}
