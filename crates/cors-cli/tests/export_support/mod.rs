//! Shared by the `export_*` tests: a raw HTTP/1.1 client (so that header lines go out exactly as
//! written, repeated ones included), a test upstream whose answers the request's query picks
//! (status, its own `Vary`, its own CORS headers), and how browsers compare two answers.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A fresh temporary folder.
pub fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "cors-export-{tag}-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A free port (bound, then released).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Waits until something accepts connections on `port`.
pub fn wait_listening(port: u16, child: &mut Child, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        if let Ok(Some(status)) = child.try_wait() {
            let mut err = String::new();
            if let Some(mut e) = child.stderr.take() {
                let _ = e.read_to_string(&mut err);
            }
            panic!("{what} exited ({status}) before listening:\n{err}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("{what} did not listen on {port}");
}

/// A child process killed when dropped.
pub struct Server {
    pub child: Child,
    pub port: u16,
}

impl Drop for Server {
    /// SIGTERM, which every one of these servers takes as "stop, workers included" (SIGKILL
    /// would leave nginx's and httpd's worker processes behind); SIGKILL after 10 s.
    fn drop(&mut self) {
        if let Some(pid) = rustix::process::Pid::from_raw(self.child.id() as i32) {
            let _ = rustix::process::kill_process(pid, rustix::process::Signal::TERM);
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Starts `cmd` and waits for it to listen on `port`.
    pub fn start(mut cmd: Command, port: u16, what: &str) -> Server {
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("start {what}: {e}"));
        wait_listening(port, &mut child, what);
        // Drain stderr so a chatty server never blocks on a full pipe.
        if let Some(err) = child.stderr.take() {
            std::thread::spawn(
                move || {
                    for _ in BufReader::new(err).lines().map_while(Result::ok) {}
                },
            );
        }
        Server { child, port }
    }
}

/// `cors serve --config FILE`, on the file's own listener `port`.
pub fn cors_serve(config: &std::path::Path, port: u16) -> Server {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cors"));
    cmd.arg("serve")
        .arg("--config")
        .arg(config)
        .env("NO_COLOR", "1");
    Server::start(cmd, port, "cors serve")
}

/// Runs `cors export --to TARGET FILE`; returns (exit code, stdout, stderr).
pub fn export(target: &str, file: &std::path::Path, extra: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cors"))
        .args(["export", "--to", target])
        .arg(file)
        .args(extra)
        .output()
        .expect("run cors export");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

// ---------------------------------------------------------------------------------------------
// The test upstream

/// Starts the upstream: `GET /any/path?s=404&v=Accept-Encoding&c=1` answers 404 with
/// `Vary: Accept-Encoding` and its own CORS headers (`c=1`: `Access-Control-Allow-Origin:
/// https://upstream.example`, `-Allow-Credentials`, `-Expose-Headers`, `-Allow-Methods`);
/// `v` may be repeated (one `Vary` line each). Every answer has a body and closes.
pub fn upstream() -> SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    std::thread::spawn(move || {
        for conn in l.incoming() {
            let Ok(conn) = conn else { continue };
            std::thread::spawn(move || {
                let _ = serve_one(conn);
            });
        }
    });
    addr
}

fn serve_one(mut conn: TcpStream) -> std::io::Result<()> {
    conn.set_read_timeout(Some(Duration::from_secs(10)))?;
    loop {
        let mut head = Vec::new();
        let mut buf = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            if conn.read(&mut buf)? == 0 {
                return Ok(());
            }
            head.push(buf[0]);
        }
        let text = String::from_utf8_lossy(&head).into_owned();
        let line = text.lines().next().unwrap_or_default().to_string();
        let mut parts = line.split(' ');
        let method = parts.next().unwrap_or_default().to_string();
        let target = parts.next().unwrap_or("/").to_string();
        let mut length = 0usize;
        for h in text.lines().skip(1) {
            if let Some((k, v)) = h.split_once(':') {
                if k.eq_ignore_ascii_case("content-length") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
        }
        let mut body = vec![0u8; length];
        conn.read_exact(&mut body)?;
        let query = target.split_once('?').map(|(_, q)| q).unwrap_or("");
        let mut status = 200u16;
        let mut varies = Vec::new();
        let mut cors = false;
        for kv in query.split('&') {
            match kv.split_once('=') {
                Some(("s", n)) => status = n.parse().unwrap_or(200),
                Some(("v", v)) => varies.push(v.replace("%20", " ").replace("%2C", ",")),
                Some(("c", "1")) => cors = true,
                _ => {}
            }
        }
        let payload = format!("upstream saw {method} {target}\n");
        let mut resp =
            format!("HTTP/1.1 {status} X\r\nContent-Type: text/plain\r\nX-Upstream: 1\r\n");
        for v in &varies {
            resp.push_str(&format!("Vary: {v}\r\n"));
        }
        if cors {
            resp.push_str(
                "Access-Control-Allow-Origin: https://upstream.example\r\n\
                 Access-Control-Allow-Credentials: true\r\n\
                 Access-Control-Expose-Headers: X-Upstream\r\n\
                 Access-Control-Allow-Methods: GET, PUT, DELETE\r\n\
                 Access-Control-Allow-Headers: x-upstream\r\n\
                 Access-Control-Max-Age: 99\r\n",
            );
        }
        let has_body = method != "HEAD" && status != 204 && status != 304;
        resp.push_str(&format!(
            "Content-Length: {}\r\n\r\n",
            if has_body { payload.len() } else { 0 }
        ));
        if has_body {
            resp.push_str(&payload);
        }
        conn.write_all(resp.as_bytes())?;
    }
}

// ---------------------------------------------------------------------------------------------
// The client

/// One request: method, target, header lines in order.
#[derive(Clone, Debug)]
pub struct Req {
    pub method: String,
    pub target: String,
    pub headers: Vec<(String, String)>,
}

impl Req {
    pub fn new(method: &str, target: &str, headers: &[(&str, &str)]) -> Req {
        Req {
            method: method.into(),
            target: target.into(),
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }
}

/// A response head: status and header lines (names lowercase), in order.
#[derive(Clone, Debug)]
pub struct Head {
    pub status: u16,
    pub headers: Vec<(String, String)>,
}

impl Head {
    /// Every value of `name`, in order.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// Sends `req` on a fresh connection to `127.0.0.1:port` and reads the answer's head.
pub fn send(port: u16, req: &Req) -> Head {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut out = format!(
        "{} {} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n",
        req.method, req.target
    );
    for (k, v) in &req.headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("Connection: close\r\n\r\n");
    s.write_all(out.as_bytes()).unwrap();
    let mut r = BufReader::new(s);
    let mut line = String::new();
    r.read_line(&mut line).expect("status line");
    let status = line
        .split(' ')
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("bad status line {line:?}"));
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if r.read_line(&mut h).unwrap_or(0) == 0 {
            break;
        }
        let h = h.trim_end_matches(['\r', '\n']);
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    Head { status, headers }
}

// ---------------------------------------------------------------------------------------------
// How browsers compare two answers

/// What a browser (and an HTTP cache in front of it) can observe of an answer's CORS side:
/// the status, each `Access-Control-*` header as the Fetch standard reads it, and the `Vary`
/// elements.
///
/// THE ONE PLACE where an exported server may differ from `cors serve` without any browser
/// observing it — every normalization below, and nothing else:
///
/// - `Vary` is compared as a set of lowercase field names over all its lines (RFC 9110
///   §12.5.5: the lines form one list; names are case-insensitive; a name listed twice means
///   the same; `*` makes every other name moot). The servers add `Vary: Origin`
///   as a line of their own beside the upstream's instead of merging into one value.
/// - A header repeated over several lines is one comma-joined value (Fetch
///   #concept-header-list-get). List-valued `Access-Control-Allow-Methods`, `-Allow-Headers`
///   and `-Expose-Headers` are compared as the browser parses them: items trimmed, empty items
///   skipped (#concept-header-list-get-decode-split); their order is kept.
/// - Bodies and the headers that are not CORS headers (`Server`, `Date`, `Content-Type` of an
///   error page) are not compared: a CORS verdict never reads them.
/// - Requests no browser sends ([`Unusual`]: an empty `Origin` or
///   `Access-Control-Request-Method` value, several `Origin` or `Access-Control-Request-Method`
///   lines, `Access-Control-Request-Headers` lines whose later lines name other headers than
///   the first) are in a server's table only where [`answers_exactly`] says the server can tell
///   them apart: nginx cannot tell an empty header from an absent one and reads only the first
///   line of a repeated header; httpd and Caddy cannot tell empty from absent either, and join
///   repeated lines. Browsers send each of these headers once, non-empty.
///
/// And one difference a script can see, which is not a CORS difference: Apache httpd answers a
/// request whose upstream refuses the connection with 503 Service Unavailable (mod_proxy has no
/// setting for it) where `cors serve` answers 502 Bad Gateway. [`gateway_error`] maps that
/// status for httpd only, for the routes whose upstream is down; the CORS headers of that
/// answer are compared as usual.
pub fn observed(h: &Head) -> Vec<(String, String)> {
    let mut out = vec![("status".to_string(), h.status.to_string())];
    let mut names: Vec<&str> = h
        .headers
        .iter()
        .map(|(k, _)| k.as_str())
        .filter(|k| k.starts_with("access-control-"))
        .collect();
    names.sort_unstable();
    names.dedup();
    for name in names {
        let joined = h.all(name).join(", ");
        let value = match name {
            "access-control-allow-methods"
            | "access-control-allow-headers"
            | "access-control-expose-headers" => joined
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(","),
            _ => joined,
        };
        out.push((name.to_string(), value));
    }
    let mut vary: Vec<String> = h
        .all("vary")
        .iter()
        .flat_map(|v| v.split(','))
        .map(|s| s.trim().to_ascii_lowercase())
        .filter(|s| !s.is_empty())
        .collect();
    vary.sort();
    vary.dedup();
    if vary.iter().any(|v| v == "*") {
        vary = vec!["*".into()];
    }
    if !vary.is_empty() {
        out.push(("vary".into(), vary.join(",")));
    }
    out
}

/// The status difference described on [`observed`] (Apache httpd's 503 for a refused upstream
/// connection), mapped to what `cors serve` answers; nothing else is changed.
pub fn gateway_error(server: &str, req: &Req, mut h: Head) -> Head {
    if server == "apache" && req.target.starts_with("/down") && h.status == 503 {
        h.status = 502;
    }
    h
}

/// Requests no browser sends (see [`observed`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unusual {
    /// `Origin:` with an empty value.
    EmptyOrigin,
    /// Two `Origin` lines.
    SeveralOrigins,
    /// `Access-Control-Request-Method:` with an empty value.
    EmptyMethod,
    /// Two `Access-Control-Request-Method` lines.
    SeveralMethods,
    /// `Access-Control-Request-Headers` over two lines, the second naming another header.
    OtherHeadersOnLaterLines,
}

/// Does `server` answer requests of this kind exactly as `cors serve` does?
pub fn answers_exactly(server: &str, kind: Unusual) -> bool {
    use Unusual::*;
    match server {
        // `req.fhdr_cnt` tells an empty line from an absent one and counts lines; an ACL on
        // `req.fhdr` looks at every line.
        "haproxy" => true,
        // httpd and Caddy join repeated lines with a comma, as Fetch does, so several method
        // lines are no method and several header lines one list; an empty value reads as none.
        "apache" | "caddy" => matches!(kind, SeveralMethods | OtherHeadersOnLaterLines),
        // nginx 1.22 reads the first line of a repeated header, and an empty value as none.
        _ => false,
    }
}
