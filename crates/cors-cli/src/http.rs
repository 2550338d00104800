//! The CLI's HTTP client shell: one request on one fresh connection, exactly the headers given,
//! TLS through rustls (system roots, or no verification with `--insecure`), HTTP proxies from the
//! environment, a timeout, and failures classified by the step that failed.
//!
//! It is deliberately small and policy-free: no redirects, no cookies, no connection pool, no
//! retries (callers decide those), a request body only when asked ([`Client::send_with_body`]),
//! and the response body is never read. What comes back is the
//! status and the full header list, duplicates kept, so CORS judgements see what a browser sees.

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::{HeaderName, HeaderValue};
use http::{Method, StatusCode, Uri};
use http_body_util::{Empty, Full};
use hyper_util::client::proxy::matcher::Matcher;
use hyper_util::rt::TokioIo;
use rustls::pki_types::ServerName;
use tokio::net::TcpStream;

/// One request to send. The header list is sent as given, in order, duplicates included; `Host`
/// is added (first) only when the list has none. [`Client::send`] sends no body.
#[derive(Clone, Debug)]
pub struct Request {
    /// The method, e.g. `GET` or `OPTIONS`.
    pub method: Method,
    /// An absolute `http` or `https` URL.
    pub url: url::Url,
    /// The header lines, in order.
    pub headers: Vec<(HeaderName, HeaderValue)>,
}

/// What came back: the status line's code and every header line.
#[derive(Clone, Debug)]
pub struct Response {
    /// The status code.
    pub status: StatusCode,
    /// Every header line. Values of one name keep their order; lines of different names come
    /// grouped by name, first occurrence first.
    pub headers: Vec<(HeaderName, HeaderValue)>,
}

impl Response {
    /// Fetch "get" (`#concept-header-list-get`): all values of `name` joined with `", "`, or
    /// `None` when the header is absent. Two `Access-Control-Allow-Origin` lines therefore read
    /// as one value that no origin equals, exactly as a browser reads them.
    pub fn get(&self, name: &str) -> Option<Vec<u8>> {
        cors::vocab::grammar::header_list_get(
            self.headers
                .iter()
                .map(|(n, v)| (n.as_str().as_bytes(), v.as_bytes())),
            name.as_bytes(),
        )
    }
}

/// The step at which a request failed. Callers use it to decide retries and to report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The URL or a header could not be sent (not `http`/`https`, no host…).
    InvalidRequest,
    /// The host name did not resolve.
    NameResolution,
    /// Every address refused the TCP connection.
    ConnectionRefused,
    /// The connection failed or broke before a response (reset, closed, unreachable).
    Connection,
    /// The TLS handshake failed (certificate, protocol, or not TLS at all).
    Tls,
    /// The proxy could not be used (unsupported scheme, or it refused to tunnel).
    Proxy,
    /// The peer's answer is not HTTP/1.x.
    Protocol,
    /// No response within the timeout.
    Timeout,
    /// Not sent here: the response comes from a recording (a HAR file) that lacks it.
    NotRecorded,
}

impl ErrorKind {
    /// A stable, machine-readable name, e.g. `connection-refused`.
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::InvalidRequest => "invalid-request",
            ErrorKind::NameResolution => "name-resolution",
            ErrorKind::ConnectionRefused => "connection-refused",
            ErrorKind::Connection => "connection",
            ErrorKind::Tls => "tls",
            ErrorKind::Proxy => "proxy",
            ErrorKind::Protocol => "protocol",
            ErrorKind::Timeout => "timeout",
            ErrorKind::NotRecorded => "not-recorded",
        }
    }

    /// `true` for failures to establish or keep a connection, the only ones worth retrying.
    pub fn is_connection_error(self) -> bool {
        matches!(self, ErrorKind::ConnectionRefused | ErrorKind::Connection)
    }
}

/// A failed request: the step that failed and a sentence for people.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    /// Which step failed.
    pub kind: ErrorKind,
    /// What happened, for people.
    pub message: String,
}

impl Error {
    fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            kind,
            message: message.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.code(), self.message)
    }
}

impl std::error::Error for Error {}

/// How the client behaves.
#[derive(Clone, Debug)]
pub struct ClientOptions {
    /// The limit for the whole exchange: resolution, connection, TLS, and the response head.
    pub timeout: Duration,
    /// Skip certificate verification (self-signed test servers). Handshake signatures are still
    /// checked.
    pub insecure: bool,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            timeout: Duration::from_secs(10),
            insecure: false,
        }
    }
}

/// The client. Cheap to share behind an `Arc`; every [`Client::send`] opens its own connection.
pub struct Client {
    /// Built at the first `https` request: loading the system roots costs more than a whole
    /// plain-http exchange.
    tls: std::sync::OnceLock<Result<tokio_rustls::TlsConnector, String>>,
    insecure: bool,
    proxy: Matcher,
    timeout: Duration,
}

impl Client {
    /// Builds a client. System roots are loaded at the first `https` request; when none can be
    /// loaded, `https` requests fail with [`ErrorKind::Tls`] saying so (plain `http` still works).
    ///
    /// Proxies come from `HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY` and `NO_PROXY` (either case),
    /// read as curl reads them; only `http://` proxies are supported (`CONNECT` for https).
    pub fn new(options: ClientOptions) -> Client {
        Client {
            tls: std::sync::OnceLock::new(),
            insecure: options.insecure,
            proxy: Matcher::from_env(),
            timeout: options.timeout,
        }
    }

    /// Sends `request` and returns the response head, or the classified failure.
    pub async fn send(&self, request: &Request) -> Result<Response, Error> {
        self.send_with_body(request, Bytes::new()).await
    }

    /// As [`send`](Self::send), with a request body (`Content-Length` framed; an empty body is
    /// sent exactly as [`send`](Self::send) sends none).
    pub async fn send_with_body(&self, request: &Request, body: Bytes) -> Result<Response, Error> {
        match tokio::time::timeout(self.timeout, self.send_inner(request, body)).await {
            Ok(r) => r,
            Err(_) => Err(Error::new(
                ErrorKind::Timeout,
                format!(
                    "no response from {} within {:.1} s",
                    request.url,
                    self.timeout.as_secs_f64()
                ),
            )),
        }
    }

    /// Sends a request whose header values are raw bytes, as a browser sends them — control
    /// bytes other than NUL, CR and LF, and DEL, which `http::HeaderValue` refuses, included.
    /// Only plain `http` without a proxy: the request head is written by hand on the TCP
    /// connection and the response head read by hand (lines the `http` crate cannot hold are
    /// left out). Anything else fails with [`ErrorKind::InvalidRequest`], saying why.
    pub async fn send_raw(
        &self,
        method: &str,
        url: &url::Url,
        headers: &[(Vec<u8>, Vec<u8>)],
        body: Bytes,
    ) -> Result<Response, Error> {
        let cannot = |why: &str| {
            Error::new(
                ErrorKind::InvalidRequest,
                format!(
                    "a header value has bytes the HTTP library refuses (control bytes, DEL); they can be sent as they are only {why}"
                ),
            )
        };
        if url.scheme() != "http" {
            return Err(cannot("over plain http, not https"));
        }
        if let Ok(uri) = url.as_str().parse::<Uri>() {
            if self.proxy.intercept(&uri).is_some() {
                return Err(cannot("without a proxy"));
            }
        }
        let work = async {
            let host = match url.host() {
                Some(url::Host::Domain(d)) => d.to_string(),
                Some(url::Host::Ipv4(a)) => a.to_string(),
                Some(url::Host::Ipv6(a)) => a.to_string(),
                None => return Err(Error::new(ErrorKind::InvalidRequest, "the URL has no host")),
            };
            let mut stream = connect(&host, url.port_or_known_default().unwrap_or(80)).await?;
            let target = match url.query() {
                Some(q) => format!("{}?{}", url.path(), q),
                None => url.path().to_string(),
            };
            let mut head = format!("{method} {target} HTTP/1.1\r\n").into_bytes();
            if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(b"host")) {
                head.extend_from_slice(format!("Host: {}\r\n", authority_of(url)).as_bytes());
            }
            for (n, v) in headers {
                head.extend_from_slice(n);
                head.extend_from_slice(b": ");
                head.extend_from_slice(v);
                head.extend_from_slice(b"\r\n");
            }
            if !body.is_empty() {
                head.extend_from_slice(format!("Content-Length: {}\r\n", body.len()).as_bytes());
            }
            head.extend_from_slice(b"Connection: close\r\n\r\n");
            head.extend_from_slice(&body);
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            let broke = |e: std::io::Error| Error::new(ErrorKind::Connection, e.to_string());
            stream.write_all(&head).await.map_err(broke)?;
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            let end = loop {
                if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    break i;
                }
                if buf.len() > 64 * 1024 {
                    return Err(Error::new(ErrorKind::Protocol, "response head over 64 KiB"));
                }
                let n = stream.read(&mut chunk).await.map_err(broke)?;
                if n == 0 {
                    return Err(Error::new(
                        ErrorKind::Connection,
                        "closed before a response head",
                    ));
                }
                buf.extend_from_slice(&chunk[..n]);
            };
            parse_response_head(&buf[..end])
        };
        match tokio::time::timeout(self.timeout, work).await {
            Ok(r) => r,
            Err(_) => Err(Error::new(
                ErrorKind::Timeout,
                format!(
                    "no response from {url} within {:.1} s",
                    self.timeout.as_secs_f64()
                ),
            )),
        }
    }

    async fn send_inner(&self, request: &Request, body: Bytes) -> Result<Response, Error> {
        let url = &request.url;
        let https = match url.scheme() {
            "https" => true,
            "http" => false,
            s => {
                return Err(Error::new(
                    ErrorKind::InvalidRequest,
                    format!("scheme `{s}` is not http or https"),
                ));
            }
        };
        let host = match url.host() {
            Some(url::Host::Domain(d)) => d.to_string(),
            Some(url::Host::Ipv4(a)) => a.to_string(),
            Some(url::Host::Ipv6(a)) => a.to_string(),
            None => return Err(Error::new(ErrorKind::InvalidRequest, "the URL has no host")),
        };
        let port = url
            .port_or_known_default()
            .unwrap_or(if https { 443 } else { 80 });
        let authority = authority_of(url);
        let target_uri: Uri = url
            .as_str()
            .parse()
            .map_err(|e| Error::new(ErrorKind::InvalidRequest, format!("{url}: {e}")))?;
        let origin_form = match url.query() {
            Some(q) => format!("{}?{}", url.path(), q),
            None => url.path().to_string(),
        };

        let intercept = self.proxy.intercept(&target_uri);
        if let Some(proxy) = intercept {
            let proxy_uri = proxy.uri().clone();
            if proxy_uri.scheme_str() != Some("http") {
                return Err(Error::new(
                    ErrorKind::Proxy,
                    format!("proxy `{proxy_uri}`: only http:// proxies are supported"),
                ));
            }
            let phost = proxy_uri
                .host()
                .unwrap_or_default()
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_string();
            let pport = proxy_uri.port_u16().unwrap_or(80);
            let stream = connect(&phost, pport).await.map_err(|e| Error {
                kind: e.kind,
                message: format!("proxy {phost}:{pport}: {}", e.message),
            })?;
            let auth = proxy.basic_auth().cloned();
            if https {
                // CONNECT always names the port (RFC 9110 §9.3.6).
                let host_port = match url.host() {
                    Some(url::Host::Ipv6(a)) => format!("[{a}]:{port}"),
                    _ => format!("{host}:{port}"),
                };
                let tunnel = connect_tunnel(stream, &host_port, auth.as_ref()).await?;
                let tls = self.handshake(tunnel, url).await?;
                exchange(tls, build(request, body, &origin_form, &authority, None)?).await
            } else {
                // Plain http through a proxy: absolute-form request-target (RFC 9112 §3.2.2).
                let req = build(request, body, url.as_str(), &authority, auth.as_ref())?;
                exchange(TokioIo::new(stream), req).await
            }
        } else {
            let stream = connect(&host, port).await?;
            let req = build(request, body, &origin_form, &authority, None)?;
            if https {
                let tls = self.handshake(TokioIo::new(stream), url).await?;
                exchange(tls, req).await
            } else {
                exchange(TokioIo::new(stream), req).await
            }
        }
    }

    async fn handshake<IO>(
        &self,
        io: IO,
        url: &url::Url,
    ) -> Result<TokioIo<tokio_rustls::client::TlsStream<TokioIo<IO>>>, Error>
    where
        IO: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
    {
        let connector = self
            .tls
            .get_or_init(|| tls_connector(self.insecure))
            .as_ref()
            .map_err(|e| Error::new(ErrorKind::Tls, e.clone()))?;
        let name = match url.host() {
            Some(url::Host::Domain(d)) => ServerName::try_from(d.to_string())
                .map_err(|e| Error::new(ErrorKind::Tls, format!("`{d}`: {e}")))?,
            Some(url::Host::Ipv4(a)) => ServerName::from(std::net::IpAddr::V4(a)),
            Some(url::Host::Ipv6(a)) => ServerName::from(std::net::IpAddr::V6(a)),
            None => return Err(Error::new(ErrorKind::InvalidRequest, "the URL has no host")),
        };
        let tls = connector
            .connect(name, TokioIo::new(io))
            .await
            .map_err(|e| Error::new(ErrorKind::Tls, format!("TLS handshake with {url}: {e}")))?;
        Ok(TokioIo::new(tls))
    }
}

/// `host[:port]` as it goes in `Host` and `CONNECT` (default port elided for `Host`).
fn authority_of(url: &url::Url) -> String {
    let host = match url.host() {
        Some(url::Host::Ipv6(a)) => format!("[{a}]"),
        Some(h) => h.to_string(),
        None => String::new(),
    };
    match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host,
    }
}

fn build(
    request: &Request,
    body: Bytes,
    target: &str,
    authority: &str,
    proxy_auth: Option<&HeaderValue>,
) -> Result<http::Request<Full<Bytes>>, Error> {
    let uri: Uri = target
        .parse()
        .map_err(|e| Error::new(ErrorKind::InvalidRequest, format!("`{target}`: {e}")))?;
    let mut req = http::Request::new(Full::new(body));
    *req.method_mut() = request.method.clone();
    *req.uri_mut() = uri;
    let headers = req.headers_mut();
    if !request.headers.iter().any(|(n, _)| n == http::header::HOST) {
        let host = HeaderValue::from_str(authority).map_err(|e| {
            Error::new(
                ErrorKind::InvalidRequest,
                format!("Host `{authority}`: {e}"),
            )
        })?;
        headers.append(http::header::HOST, host);
    }
    for (n, v) in &request.headers {
        headers.append(n.clone(), v.clone());
    }
    if let Some(auth) = proxy_auth {
        headers.append(http::header::PROXY_AUTHORIZATION, auth.clone());
    }
    Ok(req)
}

/// Resolves and connects, trying every address; a refusal anywhere wins the classification.
async fn connect(host: &str, port: u16) -> Result<TcpStream, Error> {
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|e| Error::new(ErrorKind::NameResolution, format!("`{host}`: {e}")))?
        .collect();
    if addrs.is_empty() {
        return Err(Error::new(
            ErrorKind::NameResolution,
            format!("`{host}` has no address"),
        ));
    }
    let mut refused = false;
    let mut last = String::new();
    for addr in &addrs {
        match TcpStream::connect(addr).await {
            Ok(s) => {
                let _ = s.set_nodelay(true);
                return Ok(s);
            }
            Err(e) => {
                refused |= e.kind() == std::io::ErrorKind::ConnectionRefused;
                last = format!("{addr}: {e}");
            }
        }
    }
    Err(Error::new(
        if refused {
            ErrorKind::ConnectionRefused
        } else {
            ErrorKind::Connection
        },
        last,
    ))
}

/// Aborts the connection task when the exchange ends, whichever way it ends.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// An HTTP/1.x status line and header lines (RFC 9112 §4, §5), without the final empty line.
fn parse_response_head(head: &[u8]) -> Result<Response, Error> {
    let bad = |why: &str| Error::new(ErrorKind::Protocol, why.to_string());
    let mut lines = head
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    let status_line = lines.next().ok_or_else(|| bad("no status line"))?;
    let rest = status_line
        .strip_prefix(b"HTTP/1.")
        .filter(|r| r.len() >= 5 && r[0].is_ascii_digit() && r[1] == b' ')
        .ok_or_else(|| bad("the answer is not HTTP/1.x"))?;
    let status = StatusCode::from_bytes(&rest[2..5]).map_err(|_| bad("bad status code"))?;
    let mut headers = Vec::new();
    for line in lines {
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            return Err(bad("a header line without a colon"));
        };
        let value = line[colon + 1..].trim_ascii();
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(&line[..colon]),
            HeaderValue::from_bytes(value),
        ) {
            headers.push((n, v));
        }
    }
    Ok(Response { status, headers })
}

async fn exchange<IO>(io: IO, req: http::Request<Full<Bytes>>) -> Result<Response, Error>
where
    IO: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let (mut sender, conn) = hyper::client::conn::http1::handshake(io)
        .await
        .map_err(classify_hyper)?;
    let _task = AbortOnDrop(tokio::spawn(async move {
        let _ = conn.await;
    }));
    let resp = sender.send_request(req).await.map_err(classify_hyper)?;
    Ok(Response {
        status: resp.status(),
        headers: resp
            .headers()
            .iter()
            .map(|(n, v)| (n.clone(), v.clone()))
            .collect(),
    })
}

/// Opens a `CONNECT` tunnel through an HTTP proxy (RFC 9110 §9.3.6).
async fn connect_tunnel(
    stream: TcpStream,
    authority_with_port: &str,
    auth: Option<&HeaderValue>,
) -> Result<hyper::upgrade::Upgraded, Error> {
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| Error::new(ErrorKind::Proxy, format!("proxy handshake: {e}")))?;
    let task = tokio::spawn(async move {
        let _ = conn.with_upgrades().await;
    });
    let mut req = http::Request::new(Empty::<Bytes>::new());
    *req.method_mut() = Method::CONNECT;
    *req.uri_mut() = authority_with_port
        .parse()
        .map_err(|e| Error::new(ErrorKind::InvalidRequest, format!("CONNECT target: {e}")))?;
    if let Ok(h) = HeaderValue::from_str(authority_with_port) {
        req.headers_mut().insert(http::header::HOST, h);
    }
    if let Some(a) = auth {
        req.headers_mut()
            .insert(http::header::PROXY_AUTHORIZATION, a.clone());
    }
    let resp = sender.send_request(req).await.map_err(|e| {
        Error::new(
            ErrorKind::Proxy,
            format!("CONNECT {authority_with_port}: {e}"),
        )
    })?;
    if !resp.status().is_success() {
        task.abort();
        return Err(Error::new(
            ErrorKind::Proxy,
            format!(
                "the proxy answered CONNECT {authority_with_port} with {}",
                resp.status()
            ),
        ));
    }
    hyper::upgrade::on(resp)
        .await
        .map_err(|e| Error::new(ErrorKind::Proxy, format!("CONNECT tunnel: {e}")))
}

fn classify_hyper(e: hyper::Error) -> Error {
    let kind = if e.is_parse() || e.is_parse_status() {
        ErrorKind::Protocol
    } else if e.is_timeout() {
        ErrorKind::Timeout
    } else {
        ErrorKind::Connection
    };
    // Name the innermost cause too ("connection reset by peer"…).
    let mut message = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        message.push_str(": ");
        message.push_str(&s.to_string());
        source = s.source();
    }
    Error::new(kind, message)
}

fn tls_connector(insecure: bool) -> Result<tokio_rustls::TlsConnector, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS setup: {e}"))?;
    let mut config = if insecure {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(NoVerification(provider)))
            .with_no_client_auth()
    } else {
        let mut roots = rustls::RootCertStore::empty();
        let found = rustls_native_certs::load_native_certs();
        let (added, _) = roots.add_parsable_certificates(found.certs);
        if added == 0 {
            return Err(
                "no system root certificates could be loaded (install the ca-certificates \
                 package, set SSL_CERT_FILE, or pass --insecure)"
                    .to_string(),
            );
        }
        builder.with_root_certificates(roots).with_no_client_auth()
    };
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(tokio_rustls::TlsConnector::from(Arc::new(config)))
}

/// `--insecure`: accepts any certificate, but still verifies that the handshake was signed by
/// the key in the presented certificate.
#[derive(Debug)]
struct NoVerification(Arc<rustls::crypto::CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for NoVerification {
    fn verify_server_cert(
        &self,
        _end_entity: &rustls::pki_types::CertificateDer<'_>,
        _intermediates: &[rustls::pki_types::CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(headers: &[(&str, &str)]) -> Response {
        Response {
            status: StatusCode::OK,
            headers: headers
                .iter()
                .map(|(n, v)| {
                    (
                        HeaderName::from_bytes(n.as_bytes()).unwrap(),
                        HeaderValue::from_str(v).unwrap(),
                    )
                })
                .collect(),
        }
    }

    /// Fetch `#concept-header-list-get`: absent is `None`; duplicates join with `", "`.
    #[test]
    fn get_combines_like_fetch() {
        let r = resp(&[
            ("access-control-allow-origin", "https://a.example"),
            ("vary", "Origin"),
            ("access-control-allow-origin", "https://b.example"),
        ]);
        assert_eq!(
            r.get("Access-Control-Allow-Origin").unwrap(),
            b"https://a.example, https://b.example"
        );
        assert_eq!(r.get("vary").unwrap(), b"Origin");
        assert_eq!(r.get("access-control-allow-credentials"), None);
    }

    #[test]
    fn authority_keeps_explicit_ports_and_brackets() {
        let cases = [
            ("http://example.com/", "example.com"),
            ("http://example.com:8080/x", "example.com:8080"),
            ("https://[::1]:8443/", "[::1]:8443"),
            ("https://example.com:443/", "example.com"),
        ];
        for (u, want) in cases {
            assert_eq!(authority_of(&url::Url::parse(u).unwrap()), want, "{u}");
        }
    }

    #[test]
    fn only_connection_failures_are_retryable() {
        use ErrorKind::*;
        for k in [
            InvalidRequest,
            NameResolution,
            ConnectionRefused,
            Connection,
            Tls,
            Proxy,
            Protocol,
            Timeout,
        ] {
            assert_eq!(
                k.is_connection_error(),
                matches!(k, ConnectionRefused | Connection),
                "{k:?}"
            );
        }
    }

    #[test]
    fn requests_carry_exactly_the_given_headers_with_host_first() {
        let req = Request {
            method: Method::OPTIONS,
            url: url::Url::parse("http://example.test:8080/a?b").unwrap(),
            headers: vec![
                (
                    HeaderName::from_static("origin"),
                    HeaderValue::from_static("https://a"),
                ),
                (
                    HeaderName::from_static("x-dup"),
                    HeaderValue::from_static("1"),
                ),
                (
                    HeaderName::from_static("x-dup"),
                    HeaderValue::from_static("2"),
                ),
            ],
        };
        let built = build(&req, Bytes::new(), "/a?b", "example.test:8080", None).unwrap();
        let names: Vec<(&str, &str)> = built
            .headers()
            .iter()
            .map(|(n, v)| (n.as_str(), v.to_str().unwrap()))
            .collect();
        assert_eq!(
            names,
            [
                ("host", "example.test:8080"),
                ("origin", "https://a"),
                ("x-dup", "1"),
                ("x-dup", "2"),
            ]
        );
        assert_eq!(built.uri(), "/a?b");
        assert_eq!(built.method(), Method::OPTIONS);
    }

    /// An empty host name fails in the resolution step, without any network traffic.
    #[test]
    fn resolution_failures_are_classified() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let err = rt.block_on(connect("", 80)).unwrap_err();
        assert_eq!(err.kind, ErrorKind::NameResolution, "{err}");
    }
}
