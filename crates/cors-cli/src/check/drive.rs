//! Drives the engine's [`Fetch`] state machine with real requests: each request it asks for is
//! sent with `crate::http`, each response head is fed back, until the engine gives its verdict.
//! No CORS rule lives here: the engine decides, `http.rs` sends, this file only records.

use crate::http::{self as net, Client, ErrorKind};
use bytes::Bytes;
use cors::agent::{
    Action, CorsFailure, Delivered, Fetch, Outgoing, Plan, PreflightCache, Profile, Refusal,
    Request, Response,
};
use http::header::{HeaderName, HeaderValue};
use std::time::{Duration, Instant};

/// The `User-Agent` `cors check` sends (a browser sends its own; script cannot set it away).
pub const USER_AGENT: &str = concat!("cors-check/", env!("CARGO_PKG_VERSION"));

/// Which of the browser's requests a step is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepKind {
    /// The CORS preflight (`OPTIONS`).
    Preflight,
    /// The actual request, or a later hop of it after a redirect.
    Actual,
}

impl StepKind {
    /// `preflight` or `actual`.
    pub fn as_str(self) -> &'static str {
        match self {
            StepKind::Preflight => "preflight",
            StepKind::Actual => "actual",
        }
    }
}

/// One request sent and what came back.
#[derive(Clone, Debug)]
pub struct Step {
    /// Preflight or actual request.
    pub kind: StepKind,
    /// The request as the browser would send it (the engine's).
    pub sent: Outgoing,
    /// Headers this tool adds on the wire that the engine leaves to the user agent.
    pub added: Vec<(String, String)>,
    /// Bytes of request body sent.
    pub body_len: usize,
    /// The response head, `None` when the request failed at the network level.
    pub response: Option<Response>,
    /// Time from sending to the response head.
    pub elapsed: Duration,
}

/// How the fetch ended.
#[derive(Clone, Debug)]
pub enum End {
    /// The engine's verdict: what script gets, or why it gets a `TypeError`.
    Done(Result<Delivered, CorsFailure>),
    /// `fetch()` throws before sending anything.
    Refused(Refusal),
    /// The last step's request failed at the network level (refused, DNS, TLS, timeout…).
    Network(net::Error),
}

/// The whole exchange.
#[derive(Clone, Debug)]
pub struct Trace {
    /// The classification, unless `fetch()` throws.
    pub plan: Option<Plan>,
    /// Every request sent, in order.
    pub steps: Vec<Step>,
    /// The end.
    pub end: End,
}

/// What the driver needs besides the request.
pub struct Drive<'a> {
    /// The HTTP client.
    pub client: &'a Client,
    /// The engine profile.
    pub profile: Profile,
    /// The body sent with requests whose method may carry one.
    pub body: Bytes,
    /// The preflight cache (empty, or kept between runs).
    pub cache: &'a mut PreflightCache,
    /// The clock the cache runs on.
    pub now: &'a dyn Fn() -> Duration,
    /// Set when `Headers.append` would already throw on script's strings (a code point above
    /// U+00FF: [`cors::agent::script_header`]); the fetch is refused before anything else.
    pub refusal: Option<Refusal>,
}

/// A fetch needs at most 21 hops, each with a preflight: far below this.
const MAX_STEPS: usize = 64;

impl Drive<'_> {
    /// Runs the fetch to its end.
    pub async fn run(self, request: Request) -> Trace {
        if let Some(refusal) = self.refusal.clone() {
            return Trace {
                plan: None,
                steps: Vec::new(),
                end: End::Refused(refusal),
            };
        }
        let mut fetch = match Fetch::new(request, self.profile) {
            Ok(f) => f,
            Err(refusal) => {
                return Trace {
                    plan: None,
                    steps: Vec::new(),
                    end: End::Refused(refusal),
                };
            }
        };
        let plan = Some(fetch.plan().clone());
        let mut steps: Vec<Step> = Vec::new();
        loop {
            let (kind, out) = match fetch.next_action(self.cache, (self.now)()) {
                Action::SendPreflight(o) => (StepKind::Preflight, o),
                Action::SendActual(o) => (StepKind::Actual, o),
                Action::Done(result) => {
                    return Trace {
                        plan,
                        steps,
                        end: End::Done(result),
                    };
                }
            };
            if steps.len() >= MAX_STEPS {
                return Trace {
                    plan,
                    steps,
                    end: End::Network(net::Error {
                        kind: ErrorKind::Protocol,
                        message: format!("more than {MAX_STEPS} requests for one fetch"),
                    }),
                };
            }
            // A preflight never has a body; neither do GET and HEAD (a 303 turns the request
            // into a GET and the engine drops the body with it).
            let body = if kind == StepKind::Actual && out.method != "GET" && out.method != "HEAD" {
                self.body.clone()
            } else {
                Bytes::new()
            };
            let added: Vec<(String, String)> = if out.header("user-agent").is_none() {
                vec![("User-Agent".into(), USER_AGENT.into())]
            } else {
                Vec::new()
            };
            let started = Instant::now();
            let result = match to_wire(&out, &added) {
                Ok(req) => self.client.send_with_body(&req, body.clone()).await,
                // A value the `http` crate refuses (a control byte, DEL) that a browser sends:
                // sent byte for byte where the raw path can, else said plainly.
                Err(_) if raw_sendable(&out) => {
                    let mut all = out.headers.clone();
                    all.extend(
                        added
                            .iter()
                            .map(|(n, v)| (n.as_bytes().to_vec(), v.as_bytes().to_vec())),
                    );
                    self.client
                        .send_raw(&out.method, &out.url, &all, body.clone())
                        .await
                }
                Err(e) => Err(e),
            };
            let elapsed = started.elapsed();
            let mut step = Step {
                kind,
                sent: out,
                added,
                body_len: body.len(),
                response: None,
                elapsed,
            };
            match result {
                Err(e) => {
                    steps.push(step);
                    return Trace {
                        plan,
                        steps,
                        end: End::Network(e),
                    };
                }
                Ok(r) => {
                    let response = Response {
                        status: r.status.as_u16(),
                        headers: r
                            .headers
                            .iter()
                            .map(|(n, v)| (n.as_str().as_bytes().to_vec(), v.as_bytes().to_vec()))
                            .collect(),
                    };
                    step.response = Some(response.clone());
                    steps.push(step);
                    fetch.on_response(response, self.cache, (self.now)());
                }
            }
        }
    }
}

/// Every header name is one the `http` crate takes, and every value has only bytes a browser
/// sends (no NUL, CR or LF): the request can go out through [`net::Client::send_raw`].
fn raw_sendable(out: &Outgoing) -> bool {
    out.headers.iter().all(|(n, v)| {
        HeaderName::from_bytes(n).is_ok() && !v.iter().any(|&b| matches!(b, 0 | b'\r' | b'\n'))
    })
}

/// The engine's request as the HTTP shell's.
fn to_wire(out: &Outgoing, added: &[(String, String)]) -> Result<net::Request, net::Error> {
    let invalid = |what: String| net::Error {
        kind: ErrorKind::InvalidRequest,
        message: what,
    };
    let method = http::Method::from_bytes(out.method.as_bytes())
        .map_err(|e| invalid(format!("method `{}`: {e}", out.method)))?;
    let mut headers = Vec::with_capacity(out.headers.len() + added.len());
    let pairs = out
        .headers
        .iter()
        .map(|(n, v)| (n.as_slice(), v.as_slice()))
        .chain(added.iter().map(|(n, v)| (n.as_bytes(), v.as_bytes())));
    for (n, v) in pairs {
        let name = HeaderName::from_bytes(n)
            .map_err(|e| invalid(format!("header name `{}`: {e}", String::from_utf8_lossy(n))))?;
        let value = HeaderValue::from_bytes(v).map_err(|e| {
            invalid(format!(
                "value of header `{}`: {e}",
                String::from_utf8_lossy(n)
            ))
        })?;
        headers.push((name, value));
    }
    Ok(net::Request {
        method,
        url: out.url.clone(),
        headers,
    })
}

/// Wall-clock time since the Unix epoch: the preflight cache's clock, shared between runs.
pub fn wall_clock() -> Duration {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
}
