//! The HTTP/1.x request-head parser (RFC 9112 §2–§3, §6.3): from the bytes of a connection's
//! read buffer to an `http::Request<()>` and its body framing, or a [`Refusal`] (a status and a
//! reason) when the head is malformed, too large, or its framing is doubtful (smuggling).
//!
//! Sans-IO and free of the CORS side: bytes in, a request or a refusal out; the limits it
//! applies are given ([`HeadLimits`]). This is what the fuzz target `h1_head` drives.

use super::framing::{self, Chunk, Field, Framing, Part};
use super::hop::{connection_close, connection_has};
use bytes::{Bytes, BytesMut};
use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use http::{Method, Request, StatusCode, Uri, Version};
use std::mem::MaybeUninit;

/// The limits a request head is parsed under (the gateway's `[limits]` keys of the same names).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HeadLimits {
    /// The most header fields a request may have (431 beyond).
    pub max_headers: usize,
    /// The most bytes a request head may take (431 beyond).
    pub max_header_bytes: usize,
    /// Forward fields named like framing fields with `_` for `-` instead of refusing them.
    pub allow_underscore_framing_lookalikes: bool,
}

impl Default for HeadLimits {
    fn default() -> Self {
        HeadLimits {
            max_headers: 100,
            max_header_bytes: 64 * 1024,
            allow_underscore_framing_lookalikes: false,
        }
    }
}

/// Header fields parsed on the stack; a larger `max_headers` parses into a heap array.
const STACK_FIELDS: usize = 128;

/// A request refused before it reached the proxy; the connection closes after the answer.
#[derive(Debug)]
pub struct Refusal {
    /// The status of the answer.
    pub status: StatusCode,
    /// Why, in a few words (logged).
    pub why: &'static str,
}

impl Refusal {
    pub fn new(status: StatusCode, why: &'static str) -> Refusal {
        Refusal { status, why }
    }
    pub fn bad(why: &'static str) -> Refusal {
        Refusal::new(StatusCode::BAD_REQUEST, why)
    }
}

/// A request head, parsed, and what its framing fields said.
pub struct Parsed {
    /// The request, without its body.
    pub req: Request<()>,
    /// How its body is delimited.
    pub framing: Framing,
    /// `Expect: 100-continue` in an HTTP/1.1 request.
    pub expect_continue: bool,
    /// Whether the connection may carry another request after this one.
    pub keep_alive: bool,
}

/// Parses the request head at the start of `buf`: `None` while incomplete. On success the
/// head is taken out of the buffer (the target and field values keep sharing its bytes).
pub fn parse(
    buf: &mut BytesMut,
    limits: &HeadLimits,
    spans: &mut Vec<Field>,
) -> Result<Option<Parsed>, Refusal> {
    let max = limits.max_headers;
    spans.clear();
    let scanned = if max <= STACK_FIELDS {
        let mut fields = [const { MaybeUninit::<httparse::Header<'_>>::uninit() }; STACK_FIELDS];
        scan(buf, limits, &mut fields[..max], spans)?
    } else {
        let mut fields = Vec::new();
        fields.resize_with(max, MaybeUninit::uninit);
        scan(buf, limits, &mut fields, spans)?
    };
    let Some(s) = scanned else {
        return Ok(None);
    };
    // The head's bytes leave the read buffer; the target and the values share them.
    let head = buf.split_to(s.len).freeze();
    let uri = Uri::from_maybe_shared(s.target.shared(&head))
        .map_err(|_| Refusal::bad("the request target is malformed"))?;
    // RFC 9112 §3.2.3: the authority-form (`host:port`, no scheme, no path) is CONNECT's only;
    // for any other method it is no request target at all. (CONNECT itself is refused later,
    // by the proxy, with its own answer.)
    if uri.scheme().is_none() && uri.authority().is_some() && s.method != Method::CONNECT {
        return Err(Refusal::bad(
            "the request target is in authority-form, which only CONNECT uses",
        ));
    }
    let mut headers = HeaderMap::with_capacity(s.fields);
    let mut f = Fields::default();
    for span in spans.iter() {
        let name = HeaderName::from_bytes(span.name.in_head(&head))
            .map_err(|_| Refusal::bad("a header field name is malformed"))?;
        let raw = span.value.shared(&head);
        f.note(&name, &raw);
        let value = HeaderValue::from_maybe_shared(raw)
            .map_err(|_| Refusal::bad("a header field value is malformed"))?;
        headers.append(name, value);
    }
    if f.lookalike && !limits.allow_underscore_framing_lookalikes {
        return Err(Refusal::bad(
            "a header field name reads as a framing field with `_` for `-`",
        ));
    }
    let (framing, keep_alive) = f.framing(s.version)?;
    // RFC 9112 §3.2.2: an absolute-form target's authority takes the place of Host.
    if let Some(a) = uri.authority() {
        let host_port = a.as_str().rsplit('@').next().unwrap_or_default();
        let host = HeaderValue::from_str(host_port)
            .map_err(|_| Refusal::bad("the request target is malformed"))?;
        headers.insert(header::HOST, host);
    }
    let expect_continue = f.expect_continue && s.version == Version::HTTP_11;
    let mut r = Request::new(());
    *r.method_mut() = s.method;
    *r.uri_mut() = uri;
    *r.version_mut() = s.version;
    *r.headers_mut() = headers;
    Ok(Some(Parsed {
        req: r,
        framing,
        expect_continue,
        keep_alive,
    }))
}

/// What [`scan`] found of a complete head.
struct Scanned {
    len: usize,
    method: Method,
    version: Version,
    target: Part,
    /// How many fields there are.
    fields: usize,
}

/// Runs the parser over `buf`, noting where the target and each field are.
fn scan<'b>(
    buf: &'b [u8],
    limits: &HeadLimits,
    fields: &mut [MaybeUninit<httparse::Header<'b>>],
    spans: &mut Vec<Field>,
) -> Result<Option<Scanned>, Refusal> {
    let too_large = || {
        Refusal::new(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "the request head is too large",
        )
    };
    let mut req = httparse::Request::new(&mut []);
    let status = match httparse::ParserConfig::default()
        .parse_request_with_uninit_headers(&mut req, buf, fields)
    {
        Ok(s) => s,
        Err(httparse::Error::TooManyHeaders) => {
            return Err(Refusal::new(
                StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
                "the request has too many header fields",
            ));
        }
        Err(httparse::Error::Version) => {
            return Err(Refusal::new(
                StatusCode::HTTP_VERSION_NOT_SUPPORTED,
                "not an HTTP/1.x request",
            ));
        }
        Err(_) => return Err(Refusal::bad("the request head is malformed")),
    };
    let httparse::Status::Complete(len) = status else {
        if buf.len() > limits.max_header_bytes {
            return Err(too_large());
        }
        return Ok(None);
    };
    if len > limits.max_header_bytes {
        return Err(too_large());
    }
    let method = Method::from_bytes(req.method.unwrap_or_default().as_bytes())
        .map_err(|_| Refusal::bad("the request method is malformed"))?;
    let version = if req.version == Some(0) {
        Version::HTTP_10
    } else {
        Version::HTTP_11
    };
    let target = Part::of(buf, req.path.unwrap_or_default().as_bytes());
    spans.extend(req.headers.iter().map(|h| Field::of(buf, h)));
    Ok(Some(Scanned {
        len,
        method,
        version,
        target,
        fields: req.headers.len(),
    }))
}

/// What a request's framing and connection fields said.
#[derive(Default, Debug)]
struct Fields {
    hosts: usize,
    bad_host: bool,
    /// Every `Content-Length` value.
    lengths: Vec<Bytes>,
    /// Every `Transfer-Encoding` value.
    codings: Vec<Bytes>,
    close: bool,
    keep_alive: bool,
    expect_continue: bool,
    /// A field named like a framing field but with `_` for `-`.
    lookalike: bool,
}

/// The fields an upstream that folds `_` into `-` (CGI, WSGI, Rack) would take for
/// framing ones: a smuggling gadget (RFC 9112 §11.2). `Host` and `Connection` have no `-`,
/// so no `_` spelling of them exists to list.
const FRAMING_NAMES: [&[u8]; 2] = [b"transfer-encoding", b"content-length"];

/// Whether `name` (lowercase) is one of [`FRAMING_NAMES`] once `_` is read as `-`, without
/// being it.
fn framing_lookalike(name: &[u8]) -> bool {
    name.contains(&b'_')
        && FRAMING_NAMES.iter().any(|f| {
            f.len() == name.len()
                && f.iter()
                    .zip(name)
                    .all(|(&a, &b)| a == b || (a == b'-' && b == b'_'))
        })
}

impl Fields {
    fn note(&mut self, name: &HeaderName, raw: &Bytes) {
        if name == header::HOST {
            self.hosts += 1;
            // Host = uri-host [ ":" port ], or empty (RFC 9110 §7.2).
            self.bad_host |= !raw.iter().all(|&b| host_byte(b));
        } else if name == header::CONTENT_LENGTH {
            self.lengths.push(raw.clone());
        } else if name == header::TRANSFER_ENCODING {
            self.codings.push(raw.clone());
        } else if name == header::CONNECTION {
            self.close |= connection_close(raw);
            self.keep_alive |= connection_has(raw, b"keep-alive");
        } else if name == header::EXPECT {
            self.expect_continue |= raw.trim_ascii().eq_ignore_ascii_case(b"100-continue");
        } else {
            self.lookalike |= framing_lookalike(name.as_str().as_bytes());
        }
    }

    /// How the request body is delimited (RFC 9112 §6.3), and whether the connection may
    /// carry another request after this one (§9.3).
    fn framing(&self, version: Version) -> Result<(Framing, bool), Refusal> {
        // RFC 9112 §3.2: exactly one Host in an HTTP/1.1 request.
        if (version == Version::HTTP_11 && self.hosts == 0) || self.hosts > 1 || self.bad_host {
            return Err(Refusal::bad(
                "an HTTP/1.1 request needs exactly one valid Host header field",
            ));
        }
        let keep_alive = if version == Version::HTTP_11 {
            !self.close
        } else {
            self.keep_alive && !self.close
        };
        if !self.codings.is_empty() {
            // §6.1: Transfer-Encoding in HTTP/1.0 is faulty framing; §6.3 item 3: next to
            // Content-Length it may be smuggling — both refused, the connection closed.
            if version == Version::HTTP_10 {
                return Err(Refusal::bad("Transfer-Encoding in an HTTP/1.0 request"));
            }
            if !self.lengths.is_empty() {
                return Err(Refusal::bad(
                    "both Transfer-Encoding and Content-Length in a request",
                ));
            }
            let (mut codings, mut chunked, mut last_chunked) = (0, 0, false);
            for c in framing::transfer_codings(self.codings.iter().map(|v| &v[..])) {
                last_chunked = framing::is_chunked(c);
                codings += 1;
                chunked += usize::from(last_chunked);
            }
            // §6.3 item 4: the final coding must be chunked, and chunked is applied once (§7).
            if !last_chunked || chunked > 1 {
                return Err(Refusal::bad(
                    "the request's final transfer coding is not chunked",
                ));
            }
            // §6.1: a transfer coding this server does not decode.
            if codings > 1 {
                return Err(Refusal::new(
                    StatusCode::NOT_IMPLEMENTED,
                    "transfer codings other than chunked are not supported",
                ));
            }
            return Ok((Framing::Chunked(Chunk::Size), keep_alive));
        }
        let length = framing::content_length(self.lengths.iter().map(|v| &v[..]))
            .map_err(|_| Refusal::bad("the request's Content-Length is invalid"))?;
        Ok((
            match length {
                None | Some(0) => Framing::Empty,
                Some(n) => Framing::Length(n),
            },
            keep_alive,
        ))
    }
}

/// A byte of `uri-host [ ":" port ]` (RFC 3986 §3.2.2: unreserved, pct-encoded, sub-delims,
/// and the brackets of an IP literal).
fn host_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~%!$&'()*+,;=:[]".contains(&b)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses `raw` with the default limits: the framing and persistence, or the refusal.
    fn head(raw: &str) -> Result<(Framing, bool), (u16, &'static str)> {
        let mut buf = BytesMut::from(raw.as_bytes());
        match parse(&mut buf, &HeadLimits::default(), &mut Vec::new()) {
            Ok(Some(p)) => Ok((p.framing, p.keep_alive)),
            Ok(None) => Err((0, "incomplete")),
            Err(r) => Err((r.status.as_u16(), r.why)),
        }
    }

    #[test]
    fn request_framing_follows_rfc_9112() {
        let chunked = Framing::Chunked(Chunk::Size);
        let ok = |f, keep| Ok((f, keep));
        for (raw, want) in [
            // §6.3 item 7: no Content-Length or Transfer-Encoding — no body.
            (
                "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
                ok(Framing::Empty, true),
            ),
            // §6.3 item 6: Content-Length.
            (
                "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n",
                ok(Framing::Length(5), true),
            ),
            (
                "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n",
                ok(Framing::Empty, true),
            ),
            // RFC 9110 §8.6: the same length repeated is that length.
            (
                "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n",
                ok(Framing::Length(5), true),
            ),
            // §6.3 item 4: chunked as the final (and only) coding.
            (
                "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n",
                ok(chunked, true),
            ),
            (
                "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: ChUnKeD\r\n\r\n",
                ok(chunked, true),
            ),
            // §9.3: persistence by version and Connection.
            (
                "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
                ok(Framing::Empty, false),
            ),
            ("GET / HTTP/1.0\r\n\r\n", ok(Framing::Empty, false)),
            (
                "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
                ok(Framing::Empty, true),
            ),
            (
                "GET / HTTP/1.0\r\nConnection: Keep-Alive, close\r\n\r\n",
                ok(Framing::Empty, false),
            ),
        ] {
            assert_eq!(head(raw), want, "{raw:?}");
        }
        for (raw, status) in [
            // §6.3 item 3: both — refused (the smuggling case).
            (
                "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n",
                400,
            ),
            // §6.3 item 4: chunked not final.
            (
                "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
                400,
            ),
            (
                "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n",
                400,
            ),
            // §7: chunked applied twice.
            (
                "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
                400,
            ),
            // §6.1: a coding this server does not decode.
            (
                "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
                501,
            ),
            // §6.1: Transfer-Encoding in HTTP/1.0.
            ("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
            // RFC 9110 §8.6: lengths that are not 1*DIGIT, or differ.
            (
                "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n",
                400,
            ),
            (
                "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
                400,
            ),
            // §3.2: exactly one valid Host in HTTP/1.1.
            ("GET / HTTP/1.1\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400),
            // §5.2: obs-fold is refused.
            ("GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n", 400),
            ("GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505),
            // §3.2.3: authority-form is CONNECT's; found by fuzzing (h1_head), it used to be
            // taken for an absolute-form target and set Host.
            ("POST 9x HTTP/1.0\r\n\r\n", 400),
            ("GET a.example:443 HTTP/1.1\r\nHost: a.example\r\n\r\n", 400),
        ] {
            assert_eq!(head(raw).map_err(|e| e.0), Err(status), "{raw:?}");
        }
    }

    #[test]
    fn head_limits_give_431_and_absolute_form_sets_host() {
        let limits = HeadLimits {
            max_headers: 3,
            max_header_bytes: 64,
            ..HeadLimits::default()
        };
        let refused = |raw: &str| {
            let mut buf = BytesMut::from(raw.as_bytes());
            parse(&mut buf, &limits, &mut Vec::new())
                .err()
                .map(|r| r.status.as_u16())
        };
        assert_eq!(
            refused("GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n"),
            Some(431)
        );
        assert_eq!(
            refused(&format!("GET /{} HTTP/1.1\r\n", "a".repeat(80))),
            Some(431)
        );
        assert_eq!(refused("GET / HTTP/1.1\r\nHost: a\r\n"), None); // incomplete, within limits

        let mut buf =
            BytesMut::from(&b"GET http://u@b.example:8080/p?q HTTP/1.1\r\nHost: a\r\n\r\nNEXT"[..]);
        let p = parse(&mut buf, &HeadLimits::default(), &mut Vec::new())
            .unwrap()
            .unwrap();
        assert_eq!(p.req.headers()[header::HOST], "b.example:8080");
        assert_eq!(p.req.uri().path_and_query().unwrap().as_str(), "/p?q");
        assert_eq!(&buf[..], b"NEXT", "the next request stays in the buffer");
    }

    proptest::proptest! {
        /// Whatever a client sends, parsing neither panics nor consumes bytes it did not
        /// accept; a request that parses whole parses the same when it arrives in two reads.
        #[test]
        fn any_bytes_parse_without_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..300)) {
            let mut buf = BytesMut::from(&bytes[..]);
            match parse(&mut buf, &HeadLimits::default(), &mut Vec::new()) {
                Ok(Some(_)) => proptest::prop_assert!(buf.len() < bytes.len()),
                Ok(None) | Err(_) => proptest::prop_assert_eq!(&buf[..], &bytes[..]),
            }
        }

        #[test]
        fn a_request_split_anywhere_parses_the_same(
            at in 0usize..200,
            value in "[ -~]{0,40}",
            cl in proptest::option::of(0u32..100_000),
        ) {
            let mut raw = format!("POST /p?q=1 HTTP/1.1\r\nHost: a.example\r\nX-V: {}\r\n", value.trim());
            if let Some(n) = cl {
                raw.push_str(&format!("Content-Length: {n}\r\n"));
            }
            raw.push_str("\r\n");
            let whole = head(&raw);
            let at = at.min(raw.len());
            let mut buf = BytesMut::from(&raw.as_bytes()[..at]);
            let mut spans = Vec::new();
            let first = parse(&mut buf, &HeadLimits::default(), &mut spans);
            let got = match first {
                Ok(Some(p)) => Ok((p.framing, p.keep_alive)),
                Ok(None) => {
                    buf.extend_from_slice(&raw.as_bytes()[at..]);
                    match parse(&mut buf, &HeadLimits::default(), &mut spans) {
                        Ok(Some(p)) => Ok((p.framing, p.keep_alive)),
                        Ok(None) => Err((0, "incomplete")),
                        Err(r) => Err((r.status.as_u16(), r.why)),
                    }
                }
                Err(r) => Err((r.status.as_u16(), r.why)),
            };
            proptest::prop_assert_eq!(got, whole);
        }
    }
}
