//! Test support for `cors check` / `cors explain`: scripted HTTP/1.1 servers on 127.0.0.1
//! (ephemeral ports) that write each response byte for byte — header case, duplicates, empty
//! values and odd spacing reach the client untouched — and log every request; responses are
//! data (a [`Table`] per path), so a test can apply the fix `cors check` proposes and re-run.

#![allow(dead_code)] // Each test binary uses a different part.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;

/// A request as the server received it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }
    /// A CORS preflight: `OPTIONS` with `Access-Control-Request-Method`.
    pub fn is_preflight(&self) -> bool {
        self.method == "OPTIONS" && self.header("access-control-request-method").is_some()
    }
}

/// A scripted response. Header values may hold `{ORIGIN}`, `{ACRM}`, `{ACRH}` (echo of the
/// request's header; the line is left out when the request has none) and the server's variables.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Resp {
    pub fn new(status: u16) -> Resp {
        Resp {
            status,
            headers: Vec::new(),
            body: String::new(),
        }
    }
    pub fn h(mut self, name: &str, value: &str) -> Resp {
        self.headers.push((name.into(), value.into()));
        self
    }
}

pub type Handler = Arc<dyn Fn(&Seen) -> Option<Resp> + Send + Sync>;
type Log = Arc<Mutex<Vec<Seen>>>;
type Vars = Arc<Mutex<Vec<(String, String)>>>;
/// Per path: the preflight response and the actual one.
type Routes = BTreeMap<String, (Option<Resp>, Option<Resp>)>;

/// A running server.
pub struct Server {
    pub addr: SocketAddr,
    pub log: Log,
    /// Substitutions applied to response header values (`{NAME}` → value).
    pub vars: Vars,
}

impl Server {
    /// `http://127.0.0.1:PORT`.
    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.origin())
    }
    pub fn requests(&self) -> Vec<Seen> {
        self.log.lock().unwrap().clone()
    }
    pub fn clear_log(&self) {
        self.log.lock().unwrap().clear();
    }
    pub fn set_var(&self, name: &str, value: &str) {
        self.vars
            .lock()
            .unwrap()
            .push((format!("{{{name}}}"), value.to_string()));
    }
}

fn reason(status: u16) -> &'static str {
    http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Status")
}

/// Builds the bytes of a response, substituting placeholders.
fn render(resp: &Resp, req: &Seen, vars: &[(String, String)]) -> Vec<u8> {
    let mut head = format!("HTTP/1.1 {} {}\r\n", resp.status, reason(resp.status));
    'lines: for (n, v) in &resp.headers {
        let mut v = v.clone();
        for (ph, name) in [
            ("{ORIGIN}", "origin"),
            ("{ACRM}", "access-control-request-method"),
            ("{ACRH}", "access-control-request-headers"),
        ] {
            if v.contains(ph) {
                match req.header(name) {
                    Some(x) => v = v.replace(ph, x),
                    None => continue 'lines,
                }
            }
        }
        for (k, x) in vars {
            v = v.replace(k.as_str(), x);
        }
        head.push_str(&format!("{n}: {v}\r\n"));
    }
    let null_body = matches!(resp.status, 101 | 103 | 204 | 205 | 304) || req.method == "HEAD";
    let body = if null_body { "" } else { resp.body.as_str() };
    head.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    ));
    let mut bytes: Vec<u8> = head.chars().map(|c| c as u32 as u8).collect();
    bytes.extend_from_slice(body.as_bytes());
    bytes
}

fn read_request<S: Read + Write>(s: &mut S) -> Option<Seen> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        let n = s.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        // Not HTTP (a TLS ClientHello to a plain server): answer 400 at once, as servers do.
        if !buf[0].is_ascii_alphabetic() {
            let _ = s.write_all(
                b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
            return None;
        }
    };
    let head: String = buf[..end].iter().map(|&b| b as char).collect();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_string();
    let target = first.next()?.to_string();
    let mut headers = Vec::new();
    for line in lines {
        if let Some((n, v)) = line.split_once(':') {
            headers.push((n.to_string(), v.trim().to_string()));
        }
    }
    let len: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buf[end + 4..].to_vec();
    while body.len() < len {
        let n = s.read(&mut chunk).ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some(Seen {
        method,
        target,
        headers,
        body,
    })
}

fn serve_one<S: Read + Write>(mut s: S, handler: &Handler, server: (&Log, &Vars)) {
    let Some(req) = read_request(&mut s) else {
        return;
    };
    server.0.lock().unwrap().push(req.clone());
    let resp = handler(&req).unwrap_or_else(|| Resp::new(404));
    let vars = server.1.lock().unwrap().clone();
    let _ = s.write_all(&render(&resp, &req, &vars));
    let _ = s.flush();
}

/// Starts a server answering with `handler` (404 when it returns `None`).
pub fn serve(handler: Handler) -> Server {
    serve_with(handler, None)
}

/// Starts a server; with `tls`, over TLS.
pub fn serve_with(handler: Handler, tls: Option<Arc<rustls::ServerConfig>>) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().unwrap();
    let log = Arc::new(Mutex::new(Vec::new()));
    let vars = Arc::new(Mutex::new(Vec::new()));
    let (log2, vars2) = (log.clone(), vars.clone());
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(stream) = conn else { continue };
            let (handler, log, vars, tls) =
                (handler.clone(), log2.clone(), vars2.clone(), tls.clone());
            std::thread::spawn(move || {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
                match tls {
                    None => serve_one(stream, &handler, (&log, &vars)),
                    Some(cfg) => {
                        let Ok(conn) = rustls::ServerConnection::new(cfg) else {
                            return;
                        };
                        let tls = rustls::StreamOwned::new(conn, stream);
                        serve_one(tls, &handler, (&log, &vars));
                    }
                }
            });
        }
    });
    Server { addr, log, vars }
}

/// A server that accepts connections and never answers (timeouts).
pub fn silent() -> (SocketAddr, Arc<Mutex<Vec<TcpStream>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().unwrap();
    let held = Arc::new(Mutex::new(Vec::new()));
    let h = held.clone();
    std::thread::spawn(move || {
        for s in listener.incoming().flatten() {
            h.lock().unwrap().push(s);
        }
    });
    (addr, held)
}

/// A 127.0.0.1 port nothing listens on.
pub fn refused_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// A self-signed certificate for `localhost` and 127.0.0.1.
pub fn self_signed() -> Arc<rustls::ServerConfig> {
    let ck =
        rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()]).unwrap();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(ck.signing_key.serialize_der().into());
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![ck.cert.der().clone()], key)
    .unwrap();
    Arc::new(config)
}

/// Responses as data: per path, the preflight response and the actual one.
#[derive(Clone, Default)]
pub struct Table(pub Arc<Mutex<Routes>>);

impl Table {
    pub fn new() -> Table {
        Table::default()
    }
    pub fn set(&self, path: &str, preflight: Option<Resp>, actual: Option<Resp>) {
        self.0
            .lock()
            .unwrap()
            .insert(path.to_string(), (preflight, actual));
    }
    pub fn get(&self, path: &str) -> (Option<Resp>, Option<Resp>) {
        self.0
            .lock()
            .unwrap()
            .get(path)
            .cloned()
            .unwrap_or((None, None))
    }
    pub fn handler(&self) -> Handler {
        let t = self.clone();
        Arc::new(move |req: &Seen| {
            let (pf, actual) = t.get(req.path());
            if req.is_preflight() { pf } else { actual }
        })
    }
    /// Applies a `fix` object of `cors check --json` to the path of its `url`: the preflight
    /// response gets the fix's status and headers, the actual response the fix's headers; a
    /// header the fix names replaces every line of that name.
    pub fn apply_fix(&self, fix: &Value) {
        let url = url::Url::parse(fix["url"].as_str().expect("fix.url")).unwrap();
        let path = url.path().to_string();
        let (pf, actual) = self.get(&path);
        let merge = |resp: Option<Resp>, part: &Value| -> Option<Resp> {
            if part.is_null() {
                return resp;
            }
            let mut r = resp.unwrap_or_else(|| Resp::new(200));
            if let Some(s) = part["status"].as_u64() {
                r.status = s as u16;
            }
            let fixed: Vec<(String, String)> = part["headers"]
                .as_array()
                .expect("headers")
                .iter()
                .map(|h| {
                    (
                        h[0].as_str().unwrap().to_string(),
                        h[1].as_str().unwrap().to_string(),
                    )
                })
                .collect();
            r.headers
                .retain(|(n, _)| !fixed.iter().any(|(f, _)| f.eq_ignore_ascii_case(n)));
            r.headers.extend(fixed);
            Some(r)
        };
        let pf = merge(pf, &fix["preflight"]);
        let actual = merge(actual, &fix["actual"]);
        self.set(&path, pf, actual);
    }
}

/// Runs the real binary.
pub fn cors(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cors"))
        .args(args)
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .env_remove("HTTPS_PROXY")
        .env_remove("https_proxy")
        .env_remove("ALL_PROXY")
        .env_remove("all_proxy")
        .output()
        .expect("run the cors binary")
}

/// Runs `cors ARGS --json`; returns the exit code and the parsed object.
pub fn json(args: &[&str]) -> (i32, Value) {
    let mut all: Vec<&str> = args.to_vec();
    all.push("--json");
    let out = cors(&all);
    let text = String::from_utf8_lossy(&out.stdout);
    let v: Value = serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "cors {all:?}: stdout is not JSON ({e}):\n{text}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), v)
}

/// Runs `cors ARGS` (human output); returns the exit code, stdout and stderr.
pub fn human(args: &[&str]) -> (i32, String, String) {
    let out = cors(args);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
