//! The request a page's script asks the browser to make, as `fetch()` / `new Request()` see it,
//! and the response head the network gives back. Plain data: the engine never does I/O.

use crate::vocab::Origin;

/// A header list: (name, value) pairs as bytes, duplicates and order kept (Fetch `#concept-header-list`).
pub type HeaderList = Vec<(Vec<u8>, Vec<u8>)>;

/// Request mode (Fetch `#concept-request-mode`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Mode {
    /// `cors`, the `fetch()` default.
    #[default]
    Cors,
    /// `no-cors`: the response is opaque.
    NoCors,
    /// `same-origin`: a cross-origin URL is a network error.
    SameOrigin,
    /// `navigate`: script cannot create it (`new Request` throws).
    Navigate,
}

impl Mode {
    /// The spec's keyword (`cors`, `no-cors`, `same-origin`, `navigate`).
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Cors => "cors",
            Mode::NoCors => "no-cors",
            Mode::SameOrigin => "same-origin",
            Mode::Navigate => "navigate",
        }
    }
    /// Parses the spec's keyword.
    pub fn parse(s: &str) -> Option<Mode> {
        Some(match s {
            "cors" => Mode::Cors,
            "no-cors" => Mode::NoCors,
            "same-origin" => Mode::SameOrigin,
            "navigate" => Mode::Navigate,
            _ => return None,
        })
    }
}

/// Credentials mode (Fetch `#concept-request-credentials-mode`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum CredentialsMode {
    /// `omit`: never send cookies or HTTP authentication.
    Omit,
    /// `same-origin`, the `fetch()` default: credentials only for same-origin requests.
    #[default]
    SameOrigin,
    /// `include`: always send them, which makes the CORS protocol stricter.
    Include,
}

impl CredentialsMode {
    /// The spec's keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            CredentialsMode::Omit => "omit",
            CredentialsMode::SameOrigin => "same-origin",
            CredentialsMode::Include => "include",
        }
    }
    /// Parses the spec's keyword.
    pub fn parse(s: &str) -> Option<CredentialsMode> {
        Some(match s {
            "omit" => CredentialsMode::Omit,
            "same-origin" => CredentialsMode::SameOrigin,
            "include" => CredentialsMode::Include,
            _ => return None,
        })
    }
}

/// Redirect mode (Fetch `#concept-request-redirect-mode`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum RedirectMode {
    /// `follow`, the default.
    #[default]
    Follow,
    /// `error`: a redirect is a network error.
    Error,
    /// `manual`: the redirect comes back as an opaque-redirect response.
    Manual,
}

impl RedirectMode {
    /// The spec's keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            RedirectMode::Follow => "follow",
            RedirectMode::Error => "error",
            RedirectMode::Manual => "manual",
        }
    }
    /// Parses the spec's keyword.
    pub fn parse(s: &str) -> Option<RedirectMode> {
        Some(match s {
            "follow" => RedirectMode::Follow,
            "error" => RedirectMode::Error,
            "manual" => RedirectMode::Manual,
            _ => return None,
        })
    }
}

/// What kind of body script passed, which decides headers `fetch()` adds and flags it sets.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum Body {
    /// No body.
    #[default]
    None,
    /// A string: `fetch()` adds `Content-Type: text/plain;charset=UTF-8` when script set none
    /// (Fetch `#concept-bodyinit-extract`).
    Text,
    /// `URLSearchParams`: adds `Content-Type: application/x-www-form-urlencoded;charset=UTF-8`.
    UrlSearchParams,
    /// Bytes (`ArrayBuffer`, `Uint8Array`): no `Content-Type` added.
    Bytes,
    /// A `ReadableStream` (with `duplex: "half"`): sets the use-CORS-preflight flag.
    Stream,
}

/// A request as script builds it: `fetch(url, { method, headers, body, mode, credentials, redirect })`.
///
/// Fields are public; the `with_*` methods chain for convenience.
///
/// ```
/// use cors::agent::{CredentialsMode, Request};
/// use cors::vocab::Origin;
/// let req = Request::new(
///     Origin::parse("https://app.example").unwrap(),
///     "https://api.example/v1/items".parse().unwrap(),
/// )
/// .with_method("PUT")
/// .with_header("Content-Type", "application/json")
/// .with_credentials(CredentialsMode::Include);
/// assert_eq!(req.method, "PUT");
/// assert_eq!(req.headers.len(), 1);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// The origin of the page that runs the script (the request's origin).
    pub origin: Origin,
    /// The URL passed to `fetch()`.
    pub url: url::Url,
    /// The method as script wrote it (normalized by [`classify`](super::classify)).
    pub method: String,
    /// The header list as script appended it (duplicates and order kept).
    pub headers: HeaderList,
    /// The kind of body.
    pub body: Body,
    /// Request mode.
    pub mode: Mode,
    /// Credentials mode.
    pub credentials: CredentialsMode,
    /// Redirect mode.
    pub redirect: RedirectMode,
    /// The use-CORS-preflight flag (set by XHR upload listeners; a stream body sets it too).
    pub use_cors_preflight: bool,
    /// Private Network Access (WICG, superseded): when set, the target is in a more private
    /// address space than the page, so a preflight carrying
    /// `Access-Control-Request-Private-Network: true` is required even for a simple request.
    pub private_network: bool,
}

impl Request {
    /// A `GET` in mode `cors` with credentials `same-origin` and redirect `follow`: the defaults of `fetch(url)`.
    pub fn new(origin: Origin, url: url::Url) -> Request {
        Request {
            origin,
            url,
            method: "GET".into(),
            headers: Vec::new(),
            body: Body::None,
            mode: Mode::Cors,
            credentials: CredentialsMode::SameOrigin,
            redirect: RedirectMode::Follow,
            use_cors_preflight: false,
            private_network: false,
        }
    }
    /// Sets the method.
    pub fn with_method(mut self, method: impl Into<String>) -> Request {
        self.method = method.into();
        self
    }
    /// Appends a header (as `Headers.append`).
    pub fn with_header(mut self, name: impl AsRef<[u8]>, value: impl AsRef<[u8]>) -> Request {
        self.headers
            .push((name.as_ref().to_vec(), value.as_ref().to_vec()));
        self
    }
    /// Sets the body kind.
    pub fn with_body(mut self, body: Body) -> Request {
        self.body = body;
        self
    }
    /// Sets the mode.
    pub fn with_mode(mut self, mode: Mode) -> Request {
        self.mode = mode;
        self
    }
    /// Sets the credentials mode.
    pub fn with_credentials(mut self, credentials: CredentialsMode) -> Request {
        self.credentials = credentials;
        self
    }
    /// Sets the redirect mode.
    pub fn with_redirect(mut self, redirect: RedirectMode) -> Request {
        self.redirect = redirect;
        self
    }
    /// Sets the use-CORS-preflight flag.
    pub fn with_cors_preflight_flag(mut self, flag: bool) -> Request {
        self.use_cors_preflight = flag;
        self
    }
    /// Marks the request as a Private Network Access request.
    pub fn with_private_network(mut self, flag: bool) -> Request {
        self.private_network = flag;
        self
    }
}

/// A response head as the network returned it: status and header lines (duplicates kept).
/// Values may carry the optional whitespace HTTP allows around them; the engine strips it, as
/// an HTTP parser does.
///
/// ```
/// use cors::agent::Response;
/// let r = Response::new(204)
///     .with_header("Access-Control-Allow-Origin", "https://app.example")
///     .with_header("Access-Control-Allow-Methods", "PUT");
/// assert_eq!(r.get("access-control-allow-methods").as_deref(), Some(&b"PUT"[..]));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// The header lines.
    pub headers: HeaderList,
}

impl Response {
    /// A response with `status` and no headers.
    pub fn new(status: u16) -> Response {
        Response {
            status,
            headers: Vec::new(),
        }
    }
    /// Appends a header line.
    pub fn with_header(mut self, name: impl AsRef<[u8]>, value: impl AsRef<[u8]>) -> Response {
        self.headers
            .push((name.as_ref().to_vec(), value.as_ref().to_vec()));
        self
    }
    /// The head of an `http` crate response.
    pub fn from_http<B>(response: &http::Response<B>) -> Response {
        Response {
            status: response.status().as_u16(),
            headers: response
                .headers()
                .iter()
                .map(|(n, v)| (n.as_str().as_bytes().to_vec(), v.as_bytes().to_vec()))
                .collect(),
        }
    }
    /// Fetch "get": all values of `name` joined by `, `, or `None` when absent.
    pub fn get(&self, name: &str) -> Option<Vec<u8>> {
        crate::vocab::grammar::header_list_get(self.pairs(), name.as_bytes())
    }
    /// The header lines as borrowed pairs.
    pub fn pairs(&self) -> impl Iterator<Item = (&[u8], &[u8])> + Clone {
        self.headers
            .iter()
            .map(|(n, v)| (n.as_slice(), v.as_slice()))
    }
    /// The number of header lines named `name`.
    pub fn count(&self, name: &str) -> usize {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name.as_bytes()))
            .count()
    }
}
