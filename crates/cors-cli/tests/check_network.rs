//! `cors check` at the network level: exit status 2 with a message that says which step failed
//! (connection refused, name resolution, TLS, timeout), HTTPS with `--insecure`, and proxies
//! from the environment. Servers on 127.0.0.1 only.

mod check_support;

use check_support::{
    Resp, Seen, Table, human, json, refused_port, self_signed, serve, serve_with, silent,
};
use std::process::Command;
use std::sync::Arc;

const APP: &str = "https://app.example";

fn network_error(args: &[&str], kind: &str, phrase: &str) {
    let (code, v) = json(args);
    assert_eq!(code, 2, "{v:#}");
    assert_eq!(v["verdict"], "network-error");
    assert_eq!(v["allowed"], false);
    assert_eq!(v["network_error"]["kind"], kind, "{v:#}");
    assert!(v["cors_error"].is_null());
    assert!(v["fix"].is_null());
    let (code, out, err) = human(args);
    assert_eq!(code, 2);
    assert!(out.contains("NETWORK ERROR"), "{out}");
    assert!(
        err.starts_with(&format!("cors check: {phrase}: ")),
        "stderr should start with `cors check: {phrase}: `:\n{err}"
    );
}

#[test]
fn connection_refused() {
    let url = format!("http://127.0.0.1:{}/x", refused_port());
    network_error(
        &["check", &url, "--origin", APP],
        "connection-refused",
        "connection refused",
    );
}

#[test]
fn name_resolution_failure() {
    // `.invalid` never resolves (RFC 6761); the lookup fails locally.
    network_error(
        &["check", "http://no-such-host.invalid/x", "--origin", APP],
        "name-resolution",
        "name resolution failed",
    );
}

#[test]
fn timeout() {
    let (addr, _held) = silent();
    let url = format!("http://{addr}/x");
    network_error(
        &["check", &url, "--origin", APP, "--timeout", "0.5"],
        "timeout",
        "timeout",
    );
}

#[test]
fn tls_failures_and_insecure() {
    let table = Table::new();
    table.set(
        "/x",
        None,
        Some(Resp::new(200).h("Access-Control-Allow-Origin", "*")),
    );
    let tls = serve_with(table.handler(), Some(self_signed()));
    let url = format!("https://localhost:{}/x", tls.addr.port());
    // A self-signed certificate is not trusted by the system roots.
    network_error(&["check", &url, "--origin", APP], "tls", "TLS failure");
    assert!(tls.requests().is_empty());
    let (_, _, err) = human(&["check", &url, "--origin", APP]);
    assert!(
        err.contains(
            "hint: for a development server with a self-signed certificate, add --insecure"
        ),
        "{err}"
    );
    // --insecure accepts it.
    let (code, v) = json(&["check", &url, "--origin", APP, "--insecure"]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["allowed"], true);
    assert_eq!(tls.requests().len(), 1);
    // https:// to a plain-HTTP server is a TLS failure too.
    let plain = serve(table.handler());
    let url = format!("https://127.0.0.1:{}/x", plain.addr.port());
    network_error(
        &["check", &url, "--origin", APP, "--insecure"],
        "tls",
        "TLS failure",
    );
}

#[test]
fn http_proxy_from_the_environment_is_used() {
    // The "proxy" answers itself, with CORS headers; it sees absolute-form request targets.
    let proxy = serve(Arc::new(|req: &Seen| {
        Some(
            Resp::new(200)
                .h(
                    "Access-Control-Allow-Origin",
                    req.header("origin").unwrap_or("*"),
                )
                .h("Via", "1.1 test-proxy"),
        )
    }));
    let out = Command::new(env!("CARGO_BIN_EXE_cors"))
        .args(["check", "http://api.test/items", "--origin", APP, "--json"])
        .env("HTTP_PROXY", proxy.origin())
        .env_remove("http_proxy")
        .env_remove("NO_PROXY")
        .env_remove("no_proxy")
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{v:#}");
    let seen = proxy.requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].target, "http://api.test/items");
    assert_eq!(seen[0].header("origin"), Some(APP));
}

#[test]
fn usage_errors_exit_2() {
    for (args, needle) in [
        (
            vec!["check", "not a url", "--origin", APP],
            "is not an absolute URL",
        ),
        (
            vec![
                "check",
                "http://127.0.0.1:1/",
                "--origin",
                "https://a.example/",
            ],
            "--origin",
        ),
        (
            vec![
                "check",
                "http://127.0.0.1:1/",
                "--origin",
                APP,
                "-H",
                "NoColon",
            ],
            "expected `Name: value`",
        ),
        (
            vec![
                "check",
                "http://127.0.0.1:1/",
                "--origin",
                APP,
                "--timeout",
                "0",
            ],
            "seconds",
        ),
        (vec!["check", "http://127.0.0.1:1/"], "--origin"),
    ] {
        let (code, _, err) = human(&args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}
