//! `cors export` proven against the real servers: for a table of policies (every policy key and
//! origin pattern kind, alone and combined), the configuration `cors export` writes from one
//! gateway file is checked by the server itself (`nginx -t`, `apache2 -t`, `caddy validate`,
//! `haproxy -c`), the server is started on 127.0.0.1 in front of a test upstream, `cors serve`
//! is started on the same file, and every request of the table goes to both: status,
//! `Access-Control-*` values and `Vary` elements must be equal as a browser compares them
//! (`export_support::observed`, which also says, in one place, where a server may differ
//! without any browser observing it).
//!
//! The servers come from Debian's packages (`scripts/test-deps/servers`); a missing one fails
//! the test with that hint, never skips it.

mod export_support;

use export_support::{Head, Req, Server, export, free_port, observed, send, temp_dir, upstream};
use std::path::Path;
use std::process::Command;

/// One policy of the table: its TOML body, the route's prefix style, origins it allows (the
/// first is used for the fixed requests), and a preflight it accepts from them.
struct P {
    body: &'static str,
    /// `true`: the route is `/pN` (segment-bounded, no trailing slash) instead of `/pN/`.
    bare: bool,
    allowed: &'static [&'static str],
    method: &'static str,
    headers: &'static str,
}

const fn p(
    body: &'static str,
    allowed: &'static [&'static str],
    method: &'static str,
    headers: &'static str,
) -> P {
    P {
        body,
        bare: false,
        allowed,
        method,
        headers,
    }
}

/// Every policy key and pattern kind, alone and combined.
const POLICIES: &[P] = &[
    // 0: one exact origin, defaults everywhere else
    p(
        r#"allowed_origins = ["https://app.example.com"]"#,
        &["https://app.example.com"],
        "POST",
        "",
    ),
    // 1: more exact origins than the policy compares one by one
    p(
        r#"allowed_origins = ["https://a.example", "https://b.example", "https://c.example", "https://d.example", "https://e.example", "https://app.example.com"]"#,
        &["https://e.example", "https://app.example.com"],
        "GET",
        "",
    ),
    // 2: any origin
    p(
        r#"allowed_origins = ["*"]"#,
        &["https://app.example.com", "https://anything.test"],
        "POST",
        "",
    ),
    // 3: any origin, exposed headers and max-age (a static `*` on every response)
    p(
        "allowed_origins = [\"*\"]\nexposed_headers = [\"X-Request-Id\"]\nmax_age = 300\nallowed_methods = [\"PUT\"]",
        &["https://app.example.com"],
        "PUT",
        "",
    ),
    // 4: a subdomain pattern
    p(
        r#"allowed_origins = ["https://*.example.com"]"#,
        &[
            "https://app.example.com",
            "https://a.b.example.com",
            "https://x_y.example.com",
        ],
        "POST",
        "",
    ),
    // 5: a subdomain pattern with a port
    p(
        r#"allowed_origins = ["https://*.example.com:8443"]"#,
        &[
            "https://app.example.com:8443",
            "https://app.example.com:08443",
        ],
        "GET",
        "",
    ),
    // 6: a subdomain pattern with any port
    p(
        r#"allowed_origins = ["https://*.example.com:*"]"#,
        &[
            "https://app.example.com",
            "https://app.example.com:8443",
            "https://app.example.com:1",
        ],
        "GET",
        "",
    ),
    // 7: an any-port pattern
    p(
        r#"allowed_origins = ["http://localhost:*"]"#,
        &[
            "http://localhost:3000",
            "http://localhost",
            "http://localhost:65535",
        ],
        "POST",
        "",
    ),
    // 8: an any-port pattern on an IP address, with an exact origin
    p(
        r#"allowed_origins = ["http://127.0.0.1:*", "https://app.example.com"]"#,
        &["http://127.0.0.1:8080", "https://app.example.com"],
        "GET",
        "",
    ),
    // 9: null opt-in beside an exact origin
    p(
        "allowed_origins = [\"https://app.example.com\"]\nallow_null_origin = true",
        &["https://app.example.com", "null"],
        "POST",
        "",
    ),
    // 10: null alone
    p("allow_null_origin = true", &["null"], "POST", ""),
    // 11: a non-HTTP scheme
    p(
        "allowed_origins = [\"chrome-extension://abcdefghijklmnop\", \"https://app.example.com\"]\nallow_non_http_schemes = true",
        &[
            "chrome-extension://abcdefghijklmnop",
            "https://app.example.com",
        ],
        "POST",
        "",
    ),
    // 12: credentials, exact
    p(
        "allowed_origins = [\"https://app.example.com\"]\nallow_credentials = true",
        &["https://app.example.com"],
        "POST",
        "",
    ),
    // 13: credentials, subdomains
    p(
        "allowed_origins = [\"https://*.example.com\"]\nallow_credentials = true",
        &["https://app.example.com"],
        "GET",
        "",
    ),
    // 14: listed methods
    p(
        "allowed_origins = [\"https://app.example.com\"]\nallowed_methods = [\"GET\", \"PUT\", \"PATCH\", \"DELETE\"]",
        &["https://app.example.com"],
        "DELETE",
        "",
    ),
    // 15: any method
    p(
        "allowed_origins = [\"https://app.example.com\"]\nallowed_methods = [\"*\"]",
        &["https://app.example.com"],
        "PROPFIND",
        "",
    ),
    // 16: a custom method, byte for byte
    p(
        "allowed_origins = [\"https://app.example.com\"]\nallowed_methods = [\"PURGE\", \"put\"]",
        &["https://app.example.com"],
        "PURGE",
        "",
    ),
    // 17: listed request headers
    p(
        "allowed_origins = [\"https://app.example.com\"]\nallowed_headers = [\"Content-Type\", \"X-Token\"]",
        &["https://app.example.com"],
        "POST",
        "content-type,x-token",
    ),
    // 18: any request header
    p(
        "allowed_origins = [\"https://app.example.com\"]\nallowed_headers = [\"*\"]",
        &["https://app.example.com"],
        "POST",
        "x-anything,x-other",
    ),
    // 19: any request header and Authorization listed
    p(
        "allowed_origins = [\"https://app.example.com\"]\nallowed_headers = [\"*\", \"Authorization\"]",
        &["https://app.example.com"],
        "POST",
        "authorization,x-anything",
    ),
    // 20: exposed headers
    p(
        "allowed_origins = [\"https://app.example.com\"]\nexposed_headers = [\"X-Request-Id\", \"X-Trace\"]",
        &["https://app.example.com"],
        "GET",
        "",
    ),
    // 21: every response header exposed
    p(
        "allowed_origins = [\"https://app.example.com\"]\nexposed_headers = [\"*\"]",
        &["https://app.example.com"],
        "GET",
        "",
    ),
    // 22: max-age
    p(
        "allowed_origins = [\"https://app.example.com\"]\nmax_age = 600",
        &["https://app.example.com"],
        "POST",
        "",
    ),
    // 23: max-age 0
    p(
        "allowed_origins = [\"https://app.example.com\"]\nmax_age = 0",
        &["https://app.example.com"],
        "POST",
        "",
    ),
    // 24: preflight status 200
    p(
        "allowed_origins = [\"https://app.example.com\"]\npreflight_status = 200\nallowed_methods = [\"PUT\"]",
        &["https://app.example.com"],
        "PUT",
        "",
    ),
    // 25: preflights continue to the upstream
    p(
        "allowed_origins = [\"https://app.example.com\"]\npreflight_continue = true\nallowed_methods = [\"PUT\"]\nallowed_headers = [\"X-Token\"]",
        &["https://app.example.com"],
        "PUT",
        "x-token",
    ),
    // 26: private network access
    p(
        "allowed_origins = [\"https://app.example.com\"]\nallow_private_network = true",
        &["https://app.example.com"],
        "POST",
        "",
    ),
    // 27: disallowed origins answered 403
    p(
        "allowed_origins = [\"https://app.example.com\"]\nreject_disallowed_origins = true",
        &["https://app.example.com"],
        "POST",
        "",
    ),
    // 28: 403 for others, credentials, subdomains, headers
    p(
        "allowed_origins = [\"https://*.example.com\"]\nreject_disallowed_origins = true\nallow_credentials = true\nallowed_headers = [\"Authorization\"]",
        &["https://app.example.com"],
        "POST",
        "authorization",
    ),
    // 29: everything, with credentials
    p(
        r#"allowed_origins = ["https://app.example.com", "https://*.example.org", "http://localhost:*"]
allow_null_origin = true
allowed_methods = ["GET", "PUT", "DELETE", "PATCH"]
allowed_headers = ["Content-Type", "Authorization", "X-Token"]
exposed_headers = ["X-Request-Id"]
allow_credentials = true
max_age = 7200
preflight_status = 200
allow_private_network = true"#,
        &[
            "https://app.example.com",
            "https://a.example.org",
            "http://localhost:5173",
            "null",
        ],
        "PATCH",
        "authorization,content-type,x-token",
    ),
    // 30: everything, without credentials, wildcards for methods and headers
    p(
        r#"allowed_origins = ["https://*.example.com:*", "https://app.example.org"]
allowed_methods = ["*"]
allowed_headers = ["*"]
exposed_headers = ["*"]
max_age = 60
allow_private_network = true
reject_disallowed_origins = true"#,
        &["https://app.example.com:444", "https://app.example.org"],
        "DELETE",
        "x-a,x-b",
    ),
    // 31: credentials with an insecure origin, tolerated
    p(
        "allowed_origins = [\"http://app.example.com\"]\nallow_credentials = true\ntolerate_insecure_origins = true",
        &["http://app.example.com"],
        "POST",
        "",
    ),
    // 32: preflight_continue with reject_disallowed_origins
    p(
        "allowed_origins = [\"https://app.example.com\"]\npreflight_continue = true\nreject_disallowed_origins = true",
        &["https://app.example.com"],
        "POST",
        "",
    ),
    // 33: a public-suffix pattern, tolerated, with credentials
    p(
        "allowed_origins = [\"https://*.github.io\"]\nallow_credentials = true\ntolerate_public_suffix_patterns = true",
        &["https://someone.github.io"],
        "POST",
        "",
    ),
    // 34: a route without a trailing slash (segment-bounded prefix)
    P {
        body: "allowed_origins = [\"https://app.example.com\"]\nallowed_headers = [\"X-Token\"]",
        bare: true,
        allowed: &["https://app.example.com"],
        method: "POST",
        headers: "x-token",
    },
];

/// Origins no policy of the table allows (but `*`): look-alikes, malformed values, other schemes.
const OTHERS: &[&str] = &[
    "https://evil.example",
    "null",
    "https://evilexample.com",
    "https://example.com.evil.net",
    "https://app.example.com.evil.net",
    "https://APP.example.com",
    "https://app.example.com/",
    "https://app.example.com:443",
    "http://app.example.com",
    "https://app-example.com",
    "https://example.com",
];

fn prefix(i: usize, p: &P) -> String {
    if p.bare {
        format!("/p{i}")
    } else {
        format!("/p{i}/")
    }
}

/// The gateway file: one route per policy, the upstream, the listener on `port`; two routes
/// to an upstream nobody listens on (`down`), whose answers are the server's own 502 pages.
fn gateway_file(port: u16, up: std::net::SocketAddr, down: u16) -> String {
    let mut s = format!(
        "[[listeners]]\naddress = \"127.0.0.1:{port}\"\n\n[upstreams.app]\nurl = \"http://{up}\"\n\n\
         [upstreams.down]\nurl = \"http://127.0.0.1:{down}\"\nconnect_timeout = \"1s\"\n"
    );
    for (path, body) in DOWN {
        s.push_str(&format!(
            "\n[[routes]]\npath = \"{path}\"\nupstream = \"down\"\n[routes.policy]\n{body}\n"
        ));
    }
    for (i, p) in POLICIES.iter().enumerate() {
        s.push_str(&format!(
            "\n[[routes]]\npath = \"{}\"\nupstream = \"app\"\nupstream_cors_headers = \"replace\"\n[routes.policy]\n{}\n",
            prefix(i, p),
            p.body
        ));
    }
    s
}

fn preflight(path: &str, origin: &str, method: &str, headers: &str) -> Req {
    let mut h = vec![
        ("Origin", origin),
        ("Access-Control-Request-Method", method),
    ];
    if !headers.is_empty() {
        h.push(("Access-Control-Request-Headers", headers));
    }
    Req::new("OPTIONS", path, &h)
}

/// The requests of the table for policy `i`.
fn requests(i: usize, p: &P) -> Vec<Req> {
    let base = if p.bare {
        format!("/p{i}")
    } else {
        format!("/p{i}/r")
    };
    let sub = format!("/p{i}/r/deeper");
    let a = p.allowed[0];
    let mut out = Vec::new();
    for o in p.allowed.iter().chain(OTHERS) {
        out.push(Req::new("GET", &base, &[("Origin", o)]));
        out.push(preflight(&base, o, p.method, p.headers));
    }
    let q = |query: &str| format!("{base}?{query}");
    out.extend([
        Req::new("GET", &base, &[]),
        Req::new("GET", &sub, &[("Origin", a)]),
        Req::new("GET", &q("s=500&v=Accept-Encoding&c=1"), &[]),
        Req::new("GET", &q("s=404&v=Accept-Encoding&c=1"), &[("Origin", a)]),
        Req::new(
            "GET",
            &q("s=503&c=1"),
            &[("Origin", "https://evil.example")],
        ),
        Req::new("GET", &q("s=200&v=*"), &[("Origin", a)]),
        Req::new("GET", &q("v=origin&v=Accept-Encoding"), &[("Origin", a)]),
        Req::new("GET", &q("v=Accept-Encoding,%20Origin"), &[]),
        Req::new("POST", &base, &[("Origin", a), ("Content-Length", "0")]),
        Req::new("HEAD", &base, &[("Origin", a)]),
        Req::new("DELETE", &q("s=204"), &[("Origin", a)]),
        // OPTIONS that is not a preflight: no Access-Control-Request-Method, or no Origin.
        Req::new("OPTIONS", &base, &[("Origin", a)]),
        Req::new(
            "OPTIONS",
            &base,
            &[("Access-Control-Request-Method", "PUT")],
        ),
        // Preflights refused by method, by headers, for Authorization.
        preflight(&base, a, "FOO", p.headers),
        preflight(&base, a, &p.method.to_ascii_lowercase(), p.headers),
        preflight(&base, a, p.method, "x-evil"),
        preflight(&base, a, p.method, "authorization"),
        preflight(&base, a, p.method, "x-a b"),
        // Header lists as some clients write them: spaces, empty items, an empty line.
        preflight(
            &base,
            a,
            p.method,
            &format!(" {} , ,", p.headers.replace(',', " ,  ")),
        ),
        preflight(&base, a, p.method, ","),
        Req::new(
            "OPTIONS",
            &base,
            &[
                ("Origin", a),
                ("Access-Control-Request-Method", p.method),
                ("Access-Control-Request-Headers", ""),
            ],
        ),
        // The same names over two lines.
        Req::new(
            "OPTIONS",
            &base,
            &[
                ("Origin", a),
                ("Access-Control-Request-Method", p.method),
                ("Access-Control-Request-Headers", p.headers),
                ("Access-Control-Request-Headers", p.headers),
            ],
        ),
        // Private Network Access.
        Req::new(
            "OPTIONS",
            &base,
            &[
                ("Origin", a),
                ("Access-Control-Request-Method", p.method),
                ("Access-Control-Request-Private-Network", "true"),
            ],
        ),
        // Preflights the upstream may see (preflight_continue): its status and headers.
        preflight(&q("s=500&v=Accept-Encoding&c=1"), a, p.method, p.headers),
        preflight(&q("s=200&c=1"), "https://evil.example", p.method, p.headers),
    ]);
    out
}

/// Routes whose upstream is down.
const DOWN: &[(&str, &str)] = &[
    (
        "/down/",
        "allowed_origins = [\"https://app.example.com\"]\nallow_credentials = true\nexposed_headers = [\"X-Id\"]",
    ),
    (
        "/down-continue/",
        "allowed_origins = [\"*\"]\npreflight_continue = true",
    ),
];

/// Requests no browser sends, by kind (see `export_support::Unusual`): the servers that can
/// tell them apart answer them as `cors serve` does.
fn unusual(i: usize, p: &P) -> Vec<(export_support::Unusual, Req)> {
    use export_support::Unusual as U;
    let base = if p.bare {
        format!("/p{i}")
    } else {
        format!("/p{i}/r")
    };
    let a = p.allowed[0];
    let m = p.method;
    vec![
        (U::EmptyOrigin, Req::new("GET", &base, &[("Origin", "")])),
        (U::EmptyOrigin, preflight(&base, "", m, p.headers)),
        (
            U::SeveralOrigins,
            Req::new("GET", &base, &[("Origin", a), ("Origin", a)]),
        ),
        (
            U::SeveralOrigins,
            Req::new(
                "OPTIONS",
                &base,
                &[
                    ("Origin", a),
                    ("Origin", "https://evil.example"),
                    ("Access-Control-Request-Method", m),
                ],
            ),
        ),
        (U::EmptyMethod, preflight(&base, a, "", p.headers)),
        (
            U::SeveralMethods,
            Req::new(
                "OPTIONS",
                &base,
                &[
                    ("Origin", a),
                    ("Access-Control-Request-Method", m),
                    ("Access-Control-Request-Method", m),
                ],
            ),
        ),
        (
            U::OtherHeadersOnLaterLines,
            Req::new(
                "OPTIONS",
                &base,
                &[
                    ("Origin", a),
                    ("Access-Control-Request-Method", m),
                    ("Access-Control-Request-Headers", p.headers),
                    ("Access-Control-Request-Headers", "x-evil"),
                ],
            ),
        ),
    ]
}

/// Requests outside every route, and to the routes whose upstream is down.
fn unrouted() -> Vec<Req> {
    let a = "https://app.example.com";
    let mut out = Vec::new();
    for (path, _) in DOWN {
        let path = format!("{path}x");
        out.extend([
            Req::new("GET", &path, &[("Origin", a)]),
            Req::new("GET", &path, &[]),
            Req::new("GET", &path, &[("Origin", "https://evil.example")]),
            preflight(&path, a, "PUT", ""),
            preflight(&path, a, "GET", ""),
        ]);
    }
    out.extend([
        Req::new("GET", "/none", &[("Origin", "https://app.example.com")]),
        Req::new("GET", "/p34x", &[("Origin", "https://app.example.com")]),
        preflight("/none", "https://app.example.com", "PUT", ""),
    ]);
    out
}

fn require(tool: &str) {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "{tool} is not installed: run scripts/test-deps/servers (or scripts/install-test-deps)"
    );
}

/// Sends every request to both servers and compares what browsers observe; returns the count.
fn compare(server: &str, theirs: u16, ours: u16) -> usize {
    let mut all: Vec<Req> = POLICIES
        .iter()
        .enumerate()
        .flat_map(|(i, p)| requests(i, p))
        .collect();
    all.extend(unrouted());
    all.extend(
        POLICIES
            .iter()
            .enumerate()
            .flat_map(|(i, p)| unusual(i, p))
            .filter(|(kind, _)| export_support::answers_exactly(server, *kind))
            .map(|(_, r)| r),
    );
    let mut diffs = Vec::new();
    let mut statuses = std::collections::BTreeSet::new();
    for req in &all {
        let a: Head = export_support::gateway_error(server, req, send(theirs, req));
        let b: Head = send(ours, req);
        statuses.insert(b.status);
        if observed(&a) != observed(&b) {
            diffs.push(format!(
                "{} {} {:?}\n  {server}: {:?}\n  cors serve: {:?}",
                req.method,
                req.target,
                req.headers,
                observed(&a),
                observed(&b)
            ));
        }
    }
    assert!(
        diffs.is_empty(),
        "{} of {} requests answered differently by {server}:\n{}",
        diffs.len(),
        all.len(),
        diffs
            .iter()
            .take(25)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    // The table reaches every kind of answer: policy-answered, upstream errors, the server's own.
    for s in [200, 204, 403, 404, 500, 502, 503] {
        assert!(
            statuses.contains(&s),
            "no answer had status {s}: {statuses:?}"
        );
    }
    all.len()
}

/// Writes the gateway file, exports it for `target` into `dir/name`; returns the file's path.
fn exported(dir: &Path, target: &str, name: &str, gateway: &str) -> std::path::PathBuf {
    let file = dir.join("gateway.toml");
    std::fs::write(&file, gateway).unwrap();
    let out = dir.join(name);
    let (code, _, err) = export(target, &file, &["--output", out.to_str().unwrap()]);
    assert_eq!(code, 0, "cors export --to {target} failed:\n{err}");
    out
}

#[test]
fn nginx_answers_as_cors_serve_does() {
    require("nginx");
    let up = upstream();
    let dir = temp_dir("nginx");
    let (theirs, ours, down) = (free_port(), free_port(), free_port());
    let conf = exported(&dir, "nginx", "nginx.conf", &gateway_file(theirs, up, down));
    let check = Command::new("nginx")
        .arg("-t")
        .arg("-p")
        .arg(&dir)
        .arg("-c")
        .arg(&conf)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "nginx -t refused the export:\n{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let mut cmd = Command::new("nginx");
    cmd.arg("-p")
        .arg(&dir)
        .arg("-c")
        .arg(&conf)
        .args(["-g", "daemon off;"]);
    let _nginx = Server::start(cmd, theirs, "nginx");
    let ours_file = dir.join("gateway-ours.toml");
    std::fs::write(&ours_file, gateway_file(ours, up, down)).unwrap();
    let _serve = export_support::cors_serve(&ours_file, ours);
    let n = compare("nginx", theirs, ours);
    assert!(n >= 300, "only {n} requests");
    assert!(POLICIES.len() >= 30);
}

#[test]
fn haproxy_answers_as_cors_serve_does() {
    require("haproxy");
    let up = upstream();
    let dir = temp_dir("haproxy");
    let (theirs, ours, down) = (free_port(), free_port(), free_port());
    let conf = exported(
        &dir,
        "haproxy",
        "haproxy.cfg",
        &gateway_file(theirs, up, down),
    );
    let check = Command::new("haproxy")
        .arg("-c")
        .arg("-f")
        .arg(&conf)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "haproxy -c refused the export:\n{}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
    let mut cmd = Command::new("haproxy");
    cmd.arg("-db").arg("-f").arg(&conf).current_dir(&dir);
    let _haproxy = Server::start(cmd, theirs, "haproxy");
    let ours_file = dir.join("gateway-ours.toml");
    std::fs::write(&ours_file, gateway_file(ours, up, down)).unwrap();
    let _serve = export_support::cors_serve(&ours_file, ours);
    let n = compare("haproxy", theirs, ours);
    assert!(n >= 300, "only {n} requests");
}

#[test]
fn apache_answers_as_cors_serve_does() {
    require("apache2");
    let up = upstream();
    let dir = temp_dir("apache");
    let (theirs, ours, down) = (free_port(), free_port(), free_port());
    let conf = exported(
        &dir,
        "apache",
        "httpd.conf",
        &gateway_file(theirs, up, down),
    );
    let check = Command::new("apache2")
        .arg("-t")
        .arg("-d")
        .arg(&dir)
        .arg("-f")
        .arg(&conf)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "apache2 -t refused the export:\n{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let mut cmd = Command::new("apache2");
    cmd.arg("-d")
        .arg(&dir)
        .arg("-f")
        .arg(&conf)
        .arg("-DFOREGROUND");
    let _apache = Server::start(cmd, theirs, "apache2");
    let ours_file = dir.join("gateway-ours.toml");
    std::fs::write(&ours_file, gateway_file(ours, up, down)).unwrap();
    let _serve = export_support::cors_serve(&ours_file, ours);
    let n = compare("apache", theirs, ours);
    assert!(n >= 300, "only {n} requests");
}

#[test]
fn caddy_answers_as_cors_serve_does() {
    require("caddy");
    let up = upstream();
    let dir = temp_dir("caddy");
    let (theirs, ours, down) = (free_port(), free_port(), free_port());
    let conf = exported(&dir, "caddy", "Caddyfile", &gateway_file(theirs, up, down));
    // Caddy keeps its state under $HOME / $XDG_*: the test's own folder.
    let caddy = |args: &[&str]| {
        let mut c = Command::new("caddy");
        c.args(args)
            .arg("--config")
            .arg(&conf)
            .args(["--adapter", "caddyfile"])
            .env("HOME", &dir)
            .env("XDG_DATA_HOME", &dir)
            .env("XDG_CONFIG_HOME", &dir)
            .current_dir(&dir);
        c
    };
    let check = caddy(&["validate"]).output().unwrap();
    assert!(
        check.status.success(),
        "caddy validate refused the export:\n{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let _caddy = Server::start(caddy(&["run"]), theirs, "caddy");
    let ours_file = dir.join("gateway-ours.toml");
    std::fs::write(&ours_file, gateway_file(ours, up, down)).unwrap();
    let _serve = export_support::cors_serve(&ours_file, ours);
    let n = compare("caddy", theirs, ours);
    assert!(n >= 300, "only {n} requests");
}
