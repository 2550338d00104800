//! The scan test zoo: tiny HTTP servers on 127.0.0.1 (ephemeral ports), one per CORS
//! misconfiguration class, each wrong the way real servers are wrong, plus correctly configured
//! ones. Every server logs the requests it gets, so tests can check what the scanner sent.
//!
//! All servers trust [`TRUSTED`] (the site's front end) and otherwise differ only in the one
//! mistake they demonstrate; they send `Vary: Origin` unless the mistake is its absence.

#![allow(dead_code)] // Each test binary uses a different part of the zoo.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::{Method, StatusCode};
use http_body_util::Empty;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;

/// The origin every zoo server means to trust.
pub const TRUSTED: &str = "https://app.example";

/// What a zoo server answers: status and header lines (duplicates allowed).
pub type Answer = (StatusCode, Vec<(&'static str, String)>);

/// The request as a zoo handler sees it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: Method,
    pub uri: String,
    pub headers: Vec<(String, String)>,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn origin(&self) -> Option<&str> {
        self.header("origin")
    }
    pub fn is_preflight(&self) -> bool {
        self.method == Method::OPTIONS && self.header("access-control-request-method").is_some()
    }
}

pub type Handler = Arc<dyn Fn(&Seen) -> Answer + Send + Sync>;

/// A running zoo server.
pub struct Server {
    pub name: &'static str,
    pub addr: SocketAddr,
    pub log: Arc<Mutex<Vec<Seen>>>,
}

impl Server {
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }
    pub fn requests(&self) -> Vec<Seen> {
        self.log.lock().unwrap().clone()
    }
}

/// The runtime the zoo servers live on (a current-thread runtime on its own thread); dropping
/// the zoo stops every server.
pub struct Zoo {
    handle: tokio::runtime::Handle,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Zoo {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Default for Zoo {
    fn default() -> Self {
        Zoo::new()
    }
}

impl Zoo {
    pub fn new() -> Zoo {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("zoo runtime");
        let handle = runtime.handle().clone();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            runtime.block_on(async {
                let _ = stopped.await;
            });
        });
        Zoo {
            handle,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// Starts a server on 127.0.0.1 with an ephemeral port.
    pub fn serve(&self, name: &'static str, handler: Handler) -> Server {
        self.serve_with(name, handler, None)
    }

    /// Starts an https server on 127.0.0.1 with the given TLS configuration.
    pub fn serve_tls(
        &self,
        name: &'static str,
        handler: Handler,
        tls: Arc<rustls::ServerConfig>,
    ) -> Server {
        self.serve_with(name, handler, Some(tokio_rustls::TlsAcceptor::from(tls)))
    }

    fn serve_with(
        &self,
        name: &'static str,
        handler: Handler,
        tls: Option<tokio_rustls::TlsAcceptor>,
    ) -> Server {
        let std_listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        std_listener.set_nonblocking(true).unwrap();
        let addr = std_listener.local_addr().unwrap();
        let listener = {
            let _guard = self.handle.enter();
            tokio::net::TcpListener::from_std(std_listener).unwrap()
        };
        let log = Arc::new(Mutex::new(Vec::new()));
        let log2 = log.clone();
        self.handle.spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let handler = handler.clone();
                let log = log2.clone();
                let tls = tls.clone();
                tokio::spawn(async move {
                    match tls {
                        None => serve_connection(TokioIo::new(stream), handler, log).await,
                        Some(acceptor) => {
                            if let Ok(s) = acceptor.accept(stream).await {
                                serve_connection(TokioIo::new(s), handler, log).await
                            }
                        }
                    }
                });
            }
        });
        Server { name, addr, log }
    }

    /// Runs a future on the zoo's runtime (for tests that need their own listeners).
    pub fn spawn<F: std::future::Future<Output = ()> + Send + 'static>(&self, f: F) {
        self.handle.spawn(f);
    }

    /// The runtime handle, e.g. to turn std listeners into tokio ones.
    pub fn handle(&self) -> &tokio::runtime::Handle {
        &self.handle
    }
}

async fn serve_connection<IO>(io: IO, handler: Handler, log: Arc<Mutex<Vec<Seen>>>)
where
    IO: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let svc = service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
        let seen = Seen {
            method: req.method().clone(),
            uri: req.uri().to_string(),
            headers: req
                .headers()
                .iter()
                .map(|(n, v)| {
                    (
                        n.as_str().to_string(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect(),
        };
        let (status, headers) = handler(&seen);
        log.lock().unwrap().push(seen);
        let mut resp = hyper::Response::new(Empty::<Bytes>::new());
        *resp.status_mut() = status;
        for (n, v) in headers {
            resp.headers_mut().append(
                http::HeaderName::from_static(n),
                http::HeaderValue::from_str(&v).unwrap(),
            );
        }
        async move { Ok::<_, Infallible>(resp) }
    });
    let _ = hyper::server::conn::http1::Builder::new()
        .serve_connection(io, svc)
        .await;
}

/// A server whose origin check is `allowed`; the rest of its CORS is sane: credentials, a
/// fixed preflight answer, `Vary: Origin` on every response.
pub fn origin_check(allowed: impl Fn(&str) -> bool + Send + Sync + 'static) -> Handler {
    Arc::new(move |req: &Seen| {
        let mut h = vec![("vary", "Origin".to_string())];
        if let Some(o) = req.origin() {
            if allowed(o) {
                h.push(("access-control-allow-origin", o.to_string()));
                h.push(("access-control-allow-credentials", "true".into()));
                if req.is_preflight() {
                    h.push(("access-control-allow-methods", "GET, POST".into()));
                    h.push(("access-control-allow-headers", "content-type".into()));
                    h.push(("access-control-max-age", "600".into()));
                }
            }
        }
        let status = if req.method == Method::OPTIONS {
            StatusCode::NO_CONTENT
        } else {
            StatusCode::OK
        };
        (status, h)
    })
}

/// One zoo animal: its name, the ids a scan must report for it (empty for correct servers),
/// and its handler.
pub struct Animal {
    pub name: &'static str,
    pub expect: &'static [&'static str],
    pub handler: Handler,
}

/// The misconfigured servers, one per class.
pub fn misconfigured() -> Vec<Animal> {
    let unescaped = regex::Regex::new("https://app.example").unwrap();
    vec![
        Animal {
            name: "echoes the Origin header (cors({origin: true, credentials: true}))",
            expect: &["origin-reflected"],
            handler: origin_check(|_| true),
        },
        Animal {
            name: "allows `null` next to the trusted origin",
            expect: &["null-origin-allowed"],
            handler: origin_check(|o| o == TRUSTED || o == "null"),
        },
        Animal {
            name: "origin.starts_with(trusted)",
            expect: &["prefix-match"],
            handler: origin_check(|o| o.starts_with(TRUSTED)),
        },
        Animal {
            name: "origin.ends_with(\"app.example\")",
            expect: &["suffix-match"],
            handler: origin_check(|o| o.ends_with("app.example")),
        },
        Animal {
            name: "origin.contains(\"app.example\")",
            expect: &["substring-match"],
            handler: origin_check(|o| o.contains("app.example")),
        },
        Animal {
            name: "allowed list string contains the origin (\"https://app.example\".contains(origin))",
            expect: &["substring-match"],
            handler: origin_check(|o| !o.is_empty() && TRUSTED.contains(o)),
        },
        Animal {
            name: "unanchored regex with an unescaped dot (Regex::new(\"https://app.example\"))",
            expect: &["unescaped-dot"],
            handler: origin_check(move |o| unescaped.is_match(o)),
        },
        Animal {
            name: "trusts the http:// twin of the https origin",
            expect: &["insecure-origin-trusted"],
            handler: origin_check(|o| o == TRUSTED || o == "http://app.example"),
        },
        Animal {
            name: "starts_with(trusted) + 'next byte is a delimiter' check",
            expect: &["special-characters"],
            handler: origin_check(|o| {
                o.strip_prefix(TRUSTED).is_some_and(|rest| {
                    rest.bytes()
                        .next()
                        .is_none_or(|c| !(c.is_ascii_alphanumeric() || c == b'.' || c == b'-'))
                })
            }),
        },
        Animal {
            name: "trusts every https subdomain",
            expect: &["arbitrary-subdomain-trusted"],
            handler: origin_check(|o| {
                o == TRUSTED
                    || o.strip_prefix("https://")
                        .is_some_and(|h| h.ends_with(".app.example"))
            }),
        },
        Animal {
            name: "Access-Control-Allow-Origin: * with credentials",
            expect: &["wildcard-with-credentials"],
            handler: Arc::new(|req: &Seen| {
                let mut h = vec![
                    ("access-control-allow-origin", "*".to_string()),
                    ("access-control-allow-credentials", "true".to_string()),
                ];
                if req.is_preflight() {
                    h.push(("access-control-allow-methods", "GET, POST".into()));
                }
                (StatusCode::OK, h)
            }),
        },
        Animal {
            name: "preflight echoes Access-Control-Request-Headers",
            expect: &["preflight-reflects-headers"],
            handler: mirror_preflight(
                "access-control-request-headers",
                "access-control-allow-headers",
            ),
        },
        Animal {
            name: "preflight echoes Access-Control-Request-Method",
            expect: &["preflight-reflects-methods"],
            handler: mirror_preflight(
                "access-control-request-method",
                "access-control-allow-methods",
            ),
        },
        Animal {
            name: "exact allow-list but no Vary: Origin",
            expect: &["missing-vary-origin"],
            handler: Arc::new(|req: &Seen| {
                let (status, mut h) = origin_check(|o| o == TRUSTED)(req);
                h.retain(|(n, _)| *n != "vary");
                (status, h)
            }),
        },
        Animal {
            name: "public API that grants Private Network Access to everyone",
            expect: &["private-network-open"],
            handler: Arc::new(|req: &Seen| {
                let mut h = vec![("access-control-allow-origin", "*".to_string())];
                if req.is_preflight() {
                    h.push(("access-control-allow-methods", "GET".into()));
                    if req.header("access-control-request-private-network") == Some("true") {
                        h.push(("access-control-allow-private-network", "true".into()));
                    }
                }
                (StatusCode::NO_CONTENT, h)
            }),
        },
    ]
}

/// A server with a correct origin check whose preflight copies `from` into `to`.
fn mirror_preflight(from: &'static str, to: &'static str) -> Handler {
    Arc::new(move |req: &Seen| {
        let mut h = vec![("vary", "Origin".to_string())];
        if req.origin() == Some(TRUSTED) {
            h.push(("access-control-allow-origin", TRUSTED.to_string()));
            if req.is_preflight() {
                h.push(("access-control-allow-methods", "GET, POST".into()));
                h.push(("access-control-allow-headers", "content-type".into()));
                if let Some(v) = req.header(from) {
                    h.retain(|(n, _)| *n != to);
                    h.push((to, v.to_string()));
                }
            }
        }
        (StatusCode::OK, h)
    })
}

/// The correctly configured servers: no finding above informational allowed.
pub fn correct() -> Vec<Animal> {
    vec![
        Animal {
            name: "exact allow-list with credentials",
            expect: &[],
            handler: origin_check(|o| o == TRUSTED || o == "https://admin.app.example"),
        },
        Animal {
            name: "Access-Control-Allow-Origin: * without credentials, on every response",
            expect: &[],
            handler: Arc::new(|req: &Seen| {
                let mut h = vec![("access-control-allow-origin", "*".to_string())];
                if req.is_preflight() {
                    h.push(("access-control-allow-methods", "*".into()));
                    h.push(("access-control-allow-headers", "*".into()));
                }
                (StatusCode::OK, h)
            }),
        },
        Animal {
            name: "no CORS at all",
            expect: &[],
            handler: Arc::new(|_: &Seen| (StatusCode::OK, vec![])),
        },
        // This project's own middleware and gateway are correct servers too: they are served
        // by `our_middleware_and_our_gateway_get_nothing_above_info` in scan_zoo.rs.
    ]
}

/// A `cors` command with no proxy settings inherited from the environment.
pub fn cors() -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_cors"));
    for v in [
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
        "NO_PROXY",
        "no_proxy",
    ] {
        c.env_remove(v);
    }
    c.stdin(std::process::Stdio::null());
    c
}

/// Runs `cors scan ARGS --json` and returns (exit code, parsed stdout, stderr).
pub fn scan_json(args: &[&str]) -> (i32, serde_json::Value, String) {
    let out = cors()
        .arg("scan")
        .args(args)
        .arg("--json")
        .output()
        .expect("run cors");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {stdout}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (
        out.status.code().unwrap_or(-1),
        v,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
