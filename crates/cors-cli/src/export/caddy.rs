//! Caddy 2: the policy as CEL `expression` matchers over the request's headers (Caddy joins a
//! repeated header's lines with `,`, as the Fetch standard reads them), one matcher per
//! outcome, `header` for the CORS headers (set before the handler runs, so they stay on Caddy's
//! own answers and error pages), `respond` for the answers the policy gives itself, and
//! `reverse_proxy … header_down -…` to drop the upstream's CORS headers. Caddy's regular
//! expressions are RE2, without look-around: what the PCRE targets say with a look-ahead is a
//! second expression that must not match.

use super::model::{self, Gateway, Route, Source};
use cors::policy::Policy;
use cors_gateway::diag::Diagnostic;
use std::fmt::Write as _;

/// What Caddy cannot say exactly: nothing of a policy. (A `{` in a value would start a
/// placeholder, but methods and header names are tokens, which never hold one.)
pub fn refusals(_src: &str, _source: &Source) -> Vec<Diagnostic> {
    Vec::new()
}

/// A CEL raw string holding `re`, inside a Caddyfile backtick token: `'` and `` ` `` become
/// RE2 hex escapes.
fn raw(re: &str) -> String {
    format!("r'{}'", re.replace('\'', "\\x27").replace('`', "\\x60"))
}

const ORIGIN: &str = "{http.request.header.Origin}";
const ACRM: &str = "{http.request.header.Access-Control-Request-Method}";
const ACRH: &str = "{http.request.header.Access-Control-Request-Headers}";
const ACRPN: &str = "{http.request.header.Access-Control-Request-Private-Network}";

/// The matchers and handlers of one policy (without the proxy), names prefixed `@{id}_`.
pub fn policy_block(policy: &Policy, id: &str, ind: &str) -> String {
    let mut o = String::new();
    let w = &mut o;
    macro_rules! line {
        ($($t:tt)*) => {{ let _ = writeln!(w, "{ind}{}", format!($($t)*)); }};
    }
    let any = policy.allows_any_origin();
    let creds = policy.allows_credentials();
    let present = format!("{ORIGIN} != ''");
    // Fetch #http-origin.
    let allowed = if any {
        present.clone()
    } else {
        let alts: Vec<String> = model::origin_alternatives_re2(policy)
            .iter()
            .map(|a| match &a.no {
                None => format!("{ORIGIN}.matches({})", raw(&a.yes)),
                Some(no) => format!(
                    "({ORIGIN}.matches({}) && !{ORIGIN}.matches({}))",
                    raw(&a.yes),
                    raw(no)
                ),
            })
            .collect();
        if alts.is_empty() {
            "false".into()
        } else {
            format!("({})", alts.join(" || "))
        }
    };
    // Fetch #cors-preflight-request.
    let pf = format!("({{http.request.method}} == 'OPTIONS' && {present} && {ACRM} != '')");
    // #cors-preflight-fetch steps 7.5-7.7, WICG Private Network Access.
    let (line_re, not_re) = model::headers_regex_re2(policy);
    let mut checks = vec![
        allowed.clone(),
        format!("{ACRM}.matches({})", raw(&model::method_regex(policy))),
        format!("{ACRH}.matches({})", raw(&line_re)),
    ];
    if let Some(n) = not_re {
        checks.push(format!("!{ACRH}.matches({})", raw(&n)));
    }
    if !policy.allows_private_network() {
        checks.push(format!("{ACRPN} != 'true'"));
    }
    let pass = format!("({})", checks.join(" && "));
    line!(
        "# Fetch #http-origin, #cors-preflight-request and Fetch #cors-preflight-fetch: one matcher per"
    );
    line!("# outcome (pfa: preflight accepted, pfr: refused, ok / dis: an actual request from an");
    line!("# allowed / other origin, nc: no Origin).");
    line!("@{id}_pfa expression `{pf} && {pass}`");
    line!("@{id}_pfr expression `{pf} && !{pass}`");
    line!("@{id}_ok expression `!{pf} && {allowed}`");
    line!("@{id}_dis expression `!{pf} && {present} && !({allowed})`");
    line!("@{id}_nc expression `{ORIGIN} == ''`");
    line!("@{id}_allowed expression `({pf} && {pass}) || (!{pf} && {allowed})`");
    let req = format!("{ACRH}.matches(r'[^ \\t,]')");
    line!("@{id}_pfa_req expression `{pf} && {pass} && {req}`");
    line!("@{id}_pfa_pna expression `{pf} && {pass} && {ACRPN} == 'true'`");
    line!("@{id}_pf expression `{pf}`");
    line!("@{id}_notpf expression `!{pf}`");
    line!("# Fetch #http-access-control-allow-origin and the headers of each outcome.");
    if any {
        // #cors-protocol-and-http-caches: a static `*` goes on every response.
        line!("header @{id}_allowed Access-Control-Allow-Origin \"*\"");
        line!("header @{id}_nc Access-Control-Allow-Origin \"*\"");
    } else {
        line!("header @{id}_allowed Access-Control-Allow-Origin \"{ORIGIN}\"");
    }
    if creds {
        line!("header @{id}_allowed Access-Control-Allow-Credentials true");
    }
    if let Some(v) = model::text(policy.expose_headers_value()) {
        line!("header @{id}_ok Access-Control-Expose-Headers \"{v}\"");
        if any {
            line!("header @{id}_nc Access-Control-Expose-Headers \"{v}\"");
        }
    }
    if let Some(v) = model::text(policy.allow_methods_value()) {
        line!("header @{id}_pfa Access-Control-Allow-Methods \"{v}\"");
    }
    if let Some(v) = model::text(policy.allow_headers_value()) {
        line!("header @{id}_pfa_req Access-Control-Allow-Headers \"{v}\"");
    }
    if let Some(v) = model::text(policy.max_age_value()) {
        line!("header @{id}_pfa Access-Control-Max-Age {v}");
    }
    if policy.allows_private_network() {
        line!("header @{id}_pfa_pna Access-Control-Allow-Private-Network true");
    }
    line!("# Fetch #cors-protocol-and-http-caches: Vary, added beside the upstream's own.");
    line!(
        "header @{id}_pf +Vary \"{}\"",
        model::preflight_vary(policy)
    );
    if policy.varies_by_origin() {
        line!("header @{id}_notpf +Vary Origin");
    }
    if !policy.preflight_continues() {
        line!("respond @{id}_pfa {}", policy.preflight_status().as_u16());
        line!("respond @{id}_pfr 403");
    }
    if policy.rejects_disallowed_origins() {
        line!("respond @{id}_dis 403");
    }
    o
}

fn proxy(upstream: &str, replace: bool, ind: &str) -> String {
    let mut o = String::new();
    if replace {
        let _ = writeln!(
            o,
            "{ind}# upstream_cors_headers = \"replace\": the upstream's own CORS headers are removed;"
        );
        let _ = writeln!(
            o,
            "{ind}# the policy answers alone (Fetch #http-responses)."
        );
    }
    let _ = writeln!(o, "{ind}reverse_proxy {upstream} {{");
    if replace {
        for h in model::CORS_HEADERS {
            let _ = writeln!(o, "{ind}    header_down -{h}");
        }
    }
    let _ = writeln!(o, "{ind}}}");
    o
}

fn header(file: &str, what: &str) -> String {
    format!(
        "# Generated by `cors export --to caddy` from {file} (cors {}).\n\
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
                "A snippet: `import cors` inside the `handle` (or site block) that serves the\n\
                 # resource, before its `reverse_proxy`. The upstream's CORS headers are yours to\n\
                 # drop there (`header_down -Access-Control-Allow-Origin`, …).",
            );
            out.push_str("(cors) {\n");
            out.push_str(&policy_block(p, "cors", "    "));
            out.push_str("}\n");
            out
        }
        Source::Gateway(g) => gateway(file, g),
    }
}

fn path_re(r: &Route) -> String {
    // `cors serve` matches a prefix on a segment boundary, case-sensitively (Caddy's `path` is
    // case-insensitive, so `path_regexp`).
    let p = model::escape(&r.prefix);
    if r.prefix.ends_with('/') {
        format!("^{p}")
    } else {
        format!("^{p}(?:/|$)")
    }
}

fn gateway(file: &str, g: &Gateway) -> String {
    let mut o = header(
        file,
        "A complete Caddyfile: run it with `caddy run --config Caddyfile --adapter caddyfile`.",
    );
    o.push_str(model::NOT_EXPORTED);
    let w = &mut o;
    let _ = writeln!(w, "{{");
    let _ = writeln!(w, "    admin off");
    let _ = writeln!(w, "    auto_https off");
    let _ = writeln!(w, "}}");
    let addrs: Vec<String> = g
        .listeners
        .iter()
        .map(|l| {
            let scheme = if l.tls.is_some() { "https" } else { "http" };
            format!("{scheme}://{}:{}", l.address.ip(), l.address.port())
        })
        .collect();
    let _ = writeln!(w, "{} {{", addrs.join(", "));
    let mut ips: Vec<String> = g
        .listeners
        .iter()
        .map(|l| l.address.ip().to_string())
        .collect();
    ips.sort();
    ips.dedup();
    let _ = writeln!(w, "    bind {}", ips.join(" "));
    if let Some((cert, key)) = g.listeners.iter().find_map(|l| l.tls.as_ref()) {
        let _ = writeln!(w, "    tls {} {}", cert.display(), key.display());
    }
    let _ = writeln!(
        w,
        "    # Routes, most specific first: the first that matches answers."
    );
    let _ = writeln!(w, "    route {{");
    for (i, r) in g.routes.iter().enumerate() {
        let _ = writeln!(
            w,
            "        # route {:?} -> upstream {:?}",
            r.name, r.upstream_name
        );
        let _ = writeln!(w, "        @route{i} path_regexp `{}`", path_re(r));
        let _ = writeln!(w, "        handle @route{i} {{");
        w.push_str(&policy_block(&r.policy, &format!("r{i}"), "            "));
        w.push_str(&proxy(&r.upstream, r.replace, "            "));
        let _ = writeln!(w, "        }}");
    }
    let _ = writeln!(
        w,
        "        # No route matches: 404, as `cors serve` answers."
    );
    let _ = writeln!(w, "        respond 404");
    let _ = writeln!(w, "    }}");
    let _ = writeln!(w, "}}");
    o
}
