//! Shared by `cors ui`'s tests: start the real binary on a free 127.0.0.1 port and talk to it.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A running `cors ui`; killed on drop.
pub struct Ui {
    child: Child,
    /// `http://127.0.0.1:PORT/`, as printed.
    pub url: String,
    /// `127.0.0.1:PORT`.
    pub host: String,
}

impl Drop for Ui {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `cors ui --port 0` and reads the address it prints.
pub fn start() -> Ui {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cors"))
        .args(["ui", "--port", "0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("cors runs");
    let mut url = None;
    for line in BufReader::new(child.stdout.take().unwrap())
        .lines()
        .map_while(Result::ok)
    {
        if let Some(rest) = line.trim().strip_prefix("Open the page:") {
            url = Some(rest.trim().to_string());
            break;
        }
    }
    let url = url.expect("cors ui prints the page's address");
    let host = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    Ui { child, url, host }
}

/// A response: status, header lines (names lowercase), body.
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// Sends one HTTP/1.1 request with exactly these header lines (plus `Content-Length` and
/// `Connection: close`) and reads the whole response.
pub fn raw(addr: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Reply {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut req = format!("{method} {path} HTTP/1.1\r\n");
    for (n, v) in headers {
        req.push_str(&format!("{n}: {v}\r\n"));
    }
    req.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    ));
    s.write_all(req.as_bytes()).unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).unwrap();
    let text = String::from_utf8_lossy(&buf).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").expect("a response head");
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Reply {
        status,
        headers,
        body: body.to_string(),
    }
}

impl Ui {
    /// The run's token, read from the page as a browser would.
    pub fn token(&self) -> String {
        let page = raw(&self.host, "GET", "/", &[("Host", &self.host)], "");
        assert_eq!(page.status, 200);
        let at = page
            .body
            .find("name=\"cors-ui-token\" content=\"")
            .expect("the page carries the token");
        let rest = &page.body[at + "name=\"cors-ui-token\" content=\"".len()..];
        rest[..rest.find('"').unwrap()].to_string()
    }

    /// POSTs JSON to an API endpoint as the page does.
    pub fn post(&self, token: &str, path: &str, body: &serde_json::Value) -> Reply {
        let origin = format!("http://{}", self.host);
        raw(
            &self.host,
            "POST",
            path,
            &[
                ("Host", &self.host),
                ("Origin", &origin),
                ("Sec-Fetch-Site", "same-origin"),
                ("X-Cors-Ui-Token", token),
                ("Content-Type", "application/json"),
            ],
            &body.to_string(),
        )
    }
}

/// The flags of `cors explain` / `cors check` for a form (the same mapping the API makes).
pub fn flags(form: &serde_json::Value) -> Vec<String> {
    let mut a = vec![
        "--origin".to_string(),
        form["origin"].as_str().unwrap().to_string(),
    ];
    let s = |k: &str| form[k].as_str().filter(|v| !v.is_empty());
    if let Some(m) = s("method") {
        a.extend(["-X".into(), m.into()]);
    }
    for h in form["headers"].as_array().into_iter().flatten() {
        a.extend(["-H".into(), h.as_str().unwrap().into()]);
    }
    for (k, flag) in [
        ("data", "--data"),
        ("body", "--body"),
        ("credentials", "--credentials"),
        ("mode", "--mode"),
        ("redirect", "--redirect"),
        ("browser", "--browser"),
    ] {
        if let Some(v) = s(k) {
            a.extend([flag.into(), v.into()]);
        }
    }
    if form["private_network"].as_bool() == Some(true) {
        a.push("--private-network".into());
    }
    a
}

/// `cors explain --json` for a form.
pub fn explain_json(form: &serde_json::Value) -> serde_json::Value {
    let mut args = vec![
        "explain".to_string(),
        "--url".into(),
        form["url"].as_str().unwrap().into(),
    ];
    args.extend(flags(form));
    args.push("--json".into());
    run_json(&args)
}

/// The real binary run with `args`, its standard output read as JSON.
pub fn run_json(args: &[String]) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_cors"))
        .args(args)
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "cors {args:?}: not JSON ({e}): {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}
