//! `cors export` as a command: what it refuses (each refused feature, with the key, the target
//! and why; `--json` as `cors lint --json`), the stability and readability of its output, the
//! policy-file blocks inside each server's own configuration (checked by the server), and
//! `cors scan` against the exported servers.

mod export_support;

use export_support::{Server, export, free_port, temp_dir, upstream};
use std::path::{Path, PathBuf};
use std::process::Command;

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn gateway(route: &str, policy: &str) -> String {
    format!(
        "[[listeners]]\naddress = \"127.0.0.1:8080\"\n[upstreams.app]\nurl = \"http://127.0.0.1:3000\"\n\
         [[routes]]\n{route}\nupstream = \"app\"\n[routes.policy]\n{policy}\n"
    )
}

/// Runs `cors export --json`; returns the exit code and the parsed document.
fn refused_json(target: &str, file: &Path) -> (i32, serde_json::Value) {
    let (code, out, err) = export(target, file, &["--json"]);
    let v: serde_json::Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}\n{err}"));
    (code, v)
}

fn assert_refused(target: &str, file: &Path, key: &str, line: u64) {
    let (code, v) = refused_json(target, file);
    assert_eq!(code, 1, "{v}");
    assert_eq!(v["errors"], 1, "{v}");
    let d = &v["diagnostics"][0];
    assert_eq!(d["severity"], "error");
    assert_eq!(d["code"], "export-refused");
    let msg = d["message"].as_str().unwrap();
    assert!(msg.contains(&format!("`{key}`")), "{msg}");
    assert!(msg.contains(target) || msg.contains("any target"), "{msg}");
    assert_eq!(d["line"], line, "{v}");
    assert!(!d["fix"].as_str().unwrap().is_empty());
    // Without --json: the same, rendered as `cors lint` renders it, on stderr; nothing on stdout.
    let (code, out, err) = export(target, file, &[]);
    assert_eq!(code, 1);
    assert!(out.is_empty(), "{out}");
    assert!(err.contains("error[export-refused]"), "{err}");
}

#[test]
fn glob_routes_are_refused_for_every_target() {
    let dir = temp_dir("refuse-glob");
    let f = write(
        &dir,
        "g.toml",
        &gateway(
            "glob = \"/files/**/*.json\"",
            "allowed_origins = [\"https://a.example\"]",
        ),
    );
    for t in ["nginx", "apache", "caddy", "haproxy"] {
        assert_refused(t, &f, "routes.glob", 6);
    }
}

#[test]
fn keeping_the_upstreams_cors_headers_is_refused() {
    let dir = temp_dir("refuse-keep");
    let f = write(
        &dir,
        "g.toml",
        &gateway(
            "path = \"/api/\"\nupstream_cors_headers = \"keep\"",
            "allowed_origins = [\"https://a.example\"]",
        ),
    );
    for t in ["nginx", "apache", "caddy", "haproxy"] {
        assert_refused(t, &f, "upstream_cors_headers", 7);
    }
}

#[test]
fn tls_listeners_are_refused_where_the_export_cannot_write_them() {
    let dir = temp_dir("refuse-tls");
    let one = "[[listeners]]\naddress = \"127.0.0.1:8443\"\ntls = { certificate = \"a.pem\", private_key = \"a.key\" }\n";
    let rest = "[upstreams.app]\nurl = \"http://127.0.0.1:3000\"\n[[routes]]\npath = \"/\"\nupstream = \"app\"\n\
                [routes.policy]\nallowed_origins = [\"https://a.example\"]\n";
    let f = write(&dir, "g.toml", &format!("{one}{rest}"));
    for t in ["apache", "haproxy"] {
        assert_refused(t, &f, "listeners.tls", 3);
    }
    for t in ["nginx", "caddy"] {
        let (code, out, err) = export(t, &f, &[]);
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("a.key"), "{t}: {out}");
    }
    // Two certificates: one server block cannot hold both.
    let two = "[[listeners]]\naddress = \"127.0.0.1:9443\"\ntls = { certificate = \"b.pem\", private_key = \"b.key\" }\n";
    let f = write(&dir, "g2.toml", &format!("{one}{two}{rest}"));
    for t in ["nginx", "caddy"] {
        let (code, v) = refused_json(t, &f);
        assert_eq!(code, 1, "{v}");
        assert_eq!(v["diagnostics"][0]["code"], "export-refused", "{v}");
        assert!(
            v["diagnostics"][0]["message"]
                .as_str()
                .unwrap()
                .contains("`listeners.tls`")
        );
    }
}

#[test]
fn a_dollar_in_a_name_is_refused_for_nginx() {
    let dir = temp_dir("refuse-dollar");
    let f = write(
        &dir,
        "p.toml",
        "allowed_origins = [\"https://a.example\"]\nexposed_headers = [\"X-Cost$\"]\n",
    );
    assert_refused("nginx", &f, "exposed_headers", 2);
    // HAProxy says it exactly.
    let (code, _, err) = export("haproxy", &f, &[]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn a_percent_in_a_name_is_refused_for_haproxy() {
    let dir = temp_dir("refuse-percent");
    let f = write(
        &dir,
        "p.toml",
        "allowed_origins = [\"https://a.example\"]\nallowed_headers = [\"X-100%\"]\n",
    );
    assert_refused("haproxy", &f, "allowed_headers", 2);
    let (code, _, err) = export("nginx", &f, &[]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn a_percent_in_a_name_is_refused_for_apache() {
    let dir = temp_dir("refuse-percent-apache");
    let f = write(
        &dir,
        "g.toml",
        &gateway(
            "path = \"/api/\"",
            "allowed_origins = [\"https://a.example\"]\nexposed_headers = [\"X-50%\"]",
        ),
    );
    assert_refused("apache", &f, "exposed_headers", 10);
    let (code, _, err) = export("caddy", &f, &[]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn a_policy_with_errors_is_refused_as_cors_lint_reports_it() {
    let dir = temp_dir("refuse-lint");
    let f = write(
        &dir,
        "p.toml",
        "allowed_origins = [\"*\"]\nallow_credentials = true\n",
    );
    let (code, v) = refused_json("nginx", &f);
    assert_eq!(code, 1);
    assert_eq!(
        v["diagnostics"][0]["code"], "wildcard-with-credentials",
        "{v}"
    );
    let (code, _, err) = export("nginx", &dir.join("missing.toml"), &[]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn output_is_stable_and_says_where_it_comes_from() {
    let dir = temp_dir("stable");
    let f = write(
        &dir,
        "policy.toml",
        "allowed_origins = [\"https://app.example.com\", \"https://*.example.org\"]\nallow_credentials = true\n",
    );
    for t in ["nginx", "apache", "caddy", "haproxy"] {
        let (c1, a, _) = export(t, &f, &[]);
        let (c2, b, _) = export(t, &f, &[]);
        assert_eq!((c1, c2), (0, 0));
        assert_eq!(a, b, "{t}: two runs differ");
        let first = a.lines().next().unwrap();
        assert!(first.contains("policy.toml"), "{first}");
        assert!(first.contains(env!("CARGO_PKG_VERSION")), "{first}");
        assert!(
            a.contains("Fetch #cors-preflight-fetch"),
            "{t}: no rule comments"
        );
        // --output writes the same bytes.
        let out = dir.join(format!("{t}.out"));
        let (code, stdout, _) = export(t, &f, &["--output", out.to_str().unwrap()]);
        assert_eq!(code, 0);
        assert!(stdout.is_empty());
        assert_eq!(std::fs::read_to_string(&out).unwrap(), a);
        // --json on success: no problems, and the configuration itself.
        let (code, json, _) = export(t, &f, &["--json"]);
        assert_eq!(code, 0);
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(
            (v["errors"].as_u64(), v["config"].as_str()),
            (Some(0), Some(a.as_str()))
        );
    }
}

#[test]
fn a_policy_block_passes_nginx_t_inside_a_location() {
    let dir = temp_dir("nginx-include");
    let f = write(
        &dir,
        "policy.toml",
        "allowed_origins = [\"https://app.example.com\", \"http://localhost:*\"]\nallowed_headers = [\"*\"]\nmax_age = 60\n",
    );
    let (code, _, err) = export(
        "nginx",
        &f,
        &["--output", dir.join("cors.conf").to_str().unwrap()],
    );
    assert_eq!(code, 0, "{err}");
    let conf = write(
        &dir,
        "nginx.conf",
        &format!(
            "pid nginx.pid;\nevents {{}}\nhttp {{\n access_log off;\n client_body_temp_path t1; proxy_temp_path t2; fastcgi_temp_path t3; uwsgi_temp_path t4; scgi_temp_path t5;\n \
             server {{ listen 127.0.0.1:{};\n  location /api/ {{ include {}; proxy_pass http://127.0.0.1:9; }}\n }}\n}}\n",
            free_port(),
            dir.join("cors.conf").display()
        ),
    );
    let out = Command::new("nginx")
        .arg("-t")
        .arg("-p")
        .arg(&dir)
        .arg("-c")
        .arg(&conf)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_policy_block_passes_haproxy_c_inside_a_backend() {
    let dir = temp_dir("haproxy-include");
    let f = write(
        &dir,
        "policy.toml",
        "allowed_origins = [\"https://app.example.com\"]\nallow_credentials = true\nallow_private_network = true\n",
    );
    let (code, block, err) = export("haproxy", &f, &[]);
    assert_eq!(code, 0, "{err}");
    let conf = write(
        &dir,
        "haproxy.cfg",
        &format!(
            "defaults\n    mode http\n    timeout connect 1s\n    timeout client 1s\n    timeout server 1s\n\
             frontend f\n    bind 127.0.0.1:{}\n    default_backend app\nbackend app\n{block}    server s 127.0.0.1:9\n",
            free_port()
        ),
    );
    let out = Command::new("haproxy")
        .arg("-c")
        .arg("-f")
        .arg(&conf)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_policy_block_passes_apache2_t_inside_a_location() {
    let dir = temp_dir("apache-include");
    let f = write(
        &dir,
        "policy.toml",
        "allowed_origins = [\"https://*.example.com:*\"]\nallow_credentials = true\npreflight_status = 200\n",
    );
    let (code, _, err) = export(
        "apache",
        &f,
        &["--output", dir.join("cors.conf").to_str().unwrap()],
    );
    assert_eq!(code, 0, "{err}");
    let mods = ["headers", "rewrite", "setenvif", "authz_core", "mpm_event"]
        .map(|m| format!("LoadModule {m}_module /usr/lib/apache2/modules/mod_{m}.so\n"))
        .concat();
    let conf = write(
        &dir,
        "httpd.conf",
        &format!(
            "{mods}PidFile httpd.pid\nErrorLog /dev/stderr\nListen 127.0.0.1:{}\nServerName localhost\n\
             <Location \"/api/\">\n    Include {}\n</Location>\n",
            free_port(),
            dir.join("cors.conf").display()
        ),
    );
    let out = Command::new("apache2")
        .arg("-t")
        .arg("-d")
        .arg(&dir)
        .arg("-f")
        .arg(&conf)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_policy_snippet_passes_caddy_validate_when_imported() {
    let dir = temp_dir("caddy-import");
    let f = write(
        &dir,
        "policy.toml",
        "allowed_origins = [\"http://localhost:*\", \"null\"]\nallowed_headers = [\"*\"]\nallow_private_network = true\n",
    );
    // `null` is only allowed with its opt-in: lint refuses it, so does export.
    let (code, _, _) = export("caddy", &f, &[]);
    assert_eq!(code, 1);
    let f = write(
        &dir,
        "policy.toml",
        "allowed_origins = [\"http://localhost:*\"]\nallow_null_origin = true\nallowed_headers = [\"*\"]\nallow_private_network = true\n",
    );
    let (code, snippet, err) = export("caddy", &f, &[]);
    assert_eq!(code, 0, "{err}");
    let conf = write(
        &dir,
        "Caddyfile",
        &format!(
            "{{\n    admin off\n    auto_https off\n}}\n{snippet}http://127.0.0.1:{} {{\n    handle /api/* {{\n        import cors\n        reverse_proxy 127.0.0.1:9\n    }}\n}}\n",
            free_port()
        ),
    );
    let out = Command::new("caddy")
        .args(["validate", "--adapter", "caddyfile", "--config"])
        .arg(&conf)
        .env("HOME", &dir)
        .env("XDG_DATA_HOME", &dir)
        .env("XDG_CONFIG_HOME", &dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `cors scan` finds nothing above info on an exported server with a correct policy.
#[test]
fn cors_scan_finds_nothing_above_info_on_the_exported_servers() {
    const TRUSTED: &str = "https://app.example.com";
    let up = upstream();
    let dir = temp_dir("scan");
    let mut servers = Vec::new();
    let mut targets = Vec::new();
    for (target, name) in [
        ("nginx", "nginx.conf"),
        ("apache", "httpd.conf"),
        ("caddy", "Caddyfile"),
        ("haproxy", "haproxy.cfg"),
    ] {
        let port = free_port();
        let file = write(
            &dir,
            &format!("{target}.toml"),
            &format!(
                "[[listeners]]\naddress = \"127.0.0.1:{port}\"\n[upstreams.app]\nurl = \"http://{up}\"\n\
                 [[routes]]\npath = \"/\"\nupstream = \"app\"\n[routes.policy]\n\
                 allowed_origins = [\"{TRUSTED}\"]\nallowed_methods = [\"GET\", \"PUT\"]\n\
                 allowed_headers = [\"Content-Type\"]\nallow_credentials = true\n"
            ),
        );
        let conf = dir.join(name);
        let (code, _, err) = export(target, &file, &["--output", conf.to_str().unwrap()]);
        assert_eq!(code, 0, "{err}");
        let mut cmd = Command::new(if target == "apache" {
            "apache2"
        } else {
            target
        });
        match target {
            "nginx" => {
                cmd.arg("-p")
                    .arg(&dir)
                    .arg("-c")
                    .arg(&conf)
                    .args(["-g", "daemon off;"]);
            }
            "apache" => {
                let own = temp_dir("scan-apache");
                cmd.arg("-d")
                    .arg(&own)
                    .arg("-f")
                    .arg(&conf)
                    .arg("-DFOREGROUND");
            }
            "caddy" => {
                cmd.args(["run", "--adapter", "caddyfile", "--config"])
                    .arg(&conf)
                    .env("HOME", &dir)
                    .env("XDG_DATA_HOME", &dir)
                    .env("XDG_CONFIG_HOME", &dir);
            }
            _ => {
                cmd.arg("-db").arg("-f").arg(&conf);
            }
        }
        servers.push(Server::start(cmd, port, target));
        targets.push(format!("http://127.0.0.1:{port}/"));
    }
    let out = Command::new(env!("CARGO_BIN_EXE_cors"))
        .arg("scan")
        .args(&targets)
        .args([
            "--trusted-origin",
            TRUSTED,
            "--rate",
            "1000",
            "--fail-on",
            "none",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v["errors"].as_array().unwrap().is_empty(),
        "{}",
        v["errors"]
    );
    assert_eq!(v["targets"].as_array().map(Vec::len), Some(4), "{v}");
    let above: Vec<&serde_json::Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] != "info")
        .collect();
    assert!(above.is_empty(), "{above:#?}");
    drop(servers);
}
