//! HTTP/1.1 message framing (RFC 9112 §6, §7), shared by the gateway's two sides: the server
//! that reads clients' request bodies (`h1`) and the client that reads upstreams'
//! response bodies (`upstream`).
//!
//! The body decoder is sans-IO: [`Framing::step`] works on the bytes read so far and says
//! when it needs more; [`Conn::poll_body`] is the thin loop that reads them.

use bytes::{BufMut, Bytes, BytesMut};
use http::header::{HeaderName, HeaderValue};
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use tokio::io::AsyncRead;
use tokio_util::io::poll_read_buf;

/// The least room made in a read buffer before each read.
pub const READ_CHUNK: usize = 16 * 1024;
/// The longest chunk-size line (with its extensions) or trailer line accepted.
pub const MAX_LINE: usize = 4096;
/// The most bytes of trailer section accepted after a chunked body (trailers are not
/// forwarded).
pub const MAX_TRAILERS: usize = 16 * 1024;

/// How a message body is delimited (RFC 9112 §6.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// No body, or the body has been read to its end.
    Empty,
    /// `Content-Length` bytes (this many left).
    Length(u64),
    /// Chunked transfer coding, decoded here.
    Chunked(Chunk),
    /// Until the sender closes the connection (responses only).
    Close,
}

/// Where a chunked body's decoder is (RFC 9112 §7.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chunk {
    /// Expecting a chunk-size line.
    Size,
    /// Inside a chunk, this many bytes left.
    Data(u64),
    /// Expecting the CRLF after a chunk's data.
    DataEnd,
    /// After the last chunk: trailer lines until an empty one; bytes seen so far.
    Trailers(usize),
}

/// What one decoding step found.
#[derive(Debug, PartialEq, Eq)]
pub enum Step {
    /// Body bytes.
    Data(Bytes),
    /// The end of the body (the framing is now [`Framing::Empty`]).
    End,
    /// More bytes must be read first.
    More,
    /// The body's framing is broken.
    Invalid(&'static str),
}

impl Framing {
    /// Takes the next piece of the body from the front of `buf`: body bytes are split off
    /// without copying; chunk-size lines, chunk CRLFs and trailer fields are consumed.
    pub fn step(&mut self, buf: &mut BytesMut) -> Step {
        loop {
            match *self {
                Framing::Empty | Framing::Length(0) => {
                    *self = Framing::Empty;
                    return Step::End;
                }
                Framing::Length(left) | Framing::Chunked(Chunk::Data(left)) => {
                    if buf.is_empty() {
                        return Step::More;
                    }
                    let n = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
                    let data = buf.split_to(n).freeze();
                    let left = left - n as u64;
                    *self = match (*self, left) {
                        (Framing::Length(_), 0) => Framing::Empty,
                        (Framing::Length(_), _) => Framing::Length(left),
                        (_, 0) => Framing::Chunked(Chunk::DataEnd),
                        _ => Framing::Chunked(Chunk::Data(left)),
                    };
                    return Step::Data(data);
                }
                Framing::Close => {
                    if buf.is_empty() {
                        return Step::More;
                    }
                    return Step::Data(buf.split().freeze());
                }
                Framing::Chunked(state) => {
                    // The chunk-size line, the CRLF after a chunk, or a trailer line.
                    let Some(end) = buf.iter().position(|&b| b == b'\n') else {
                        if buf.len() > MAX_LINE {
                            return Step::Invalid("a chunk-size or trailer line is too long");
                        }
                        return Step::More;
                    };
                    let line = buf.split_to(end + 1);
                    let line = line.strip_suffix(b"\n").unwrap_or(&line);
                    let line = line.strip_suffix(b"\r").unwrap_or(line);
                    let next = match state {
                        Chunk::Size => match chunk_size(line) {
                            Some(0) => Chunk::Trailers(0),
                            Some(n) => Chunk::Data(n),
                            None => return Step::Invalid("a bad chunk size"),
                        },
                        Chunk::DataEnd if line.is_empty() => Chunk::Size,
                        Chunk::DataEnd => return Step::Invalid("a chunk is longer than its size"),
                        Chunk::Trailers(_) if line.is_empty() => {
                            *self = Framing::Empty;
                            return Step::End;
                        }
                        Chunk::Trailers(seen) => {
                            let seen = seen + end + 1;
                            if seen > MAX_TRAILERS {
                                return Step::Invalid("the trailer section is too large");
                            }
                            Chunk::Trailers(seen)
                        }
                        Chunk::Data(_) => unreachable!("handled above"),
                    };
                    *self = Framing::Chunked(next);
                }
            }
        }
    }
}

/// A chunk-size line (RFC 9112 §7.1): hex digits, then optional extensions (ignored).
pub fn chunk_size(line: &[u8]) -> Option<u64> {
    let digits = line
        .iter()
        .position(|&b| !b.is_ascii_hexdigit())
        .unwrap_or(line.len());
    if digits == 0 || digits > 16 {
        return None;
    }
    let rest = &line[digits..];
    let rest = rest.trim_ascii_start();
    if !(rest.is_empty() || rest.starts_with(b";")) {
        return None;
    }
    u64::from_str_radix(std::str::from_utf8(&line[..digits]).ok()?, 16).ok()
}

/// The length that `Content-Length` field values give (RFC 9110 §8.6): each value is
/// `1*DIGIT`, or a list of the same number; differing numbers are an error. `None` without
/// any value.
pub fn content_length<'a>(
    values: impl IntoIterator<Item = &'a [u8]>,
) -> Result<Option<u64>, &'static str> {
    let mut length: Option<u64> = None;
    for v in values {
        for part in v.split(|&b| b == b',') {
            let part = part.trim_ascii();
            let n = std::str::from_utf8(part)
                .ok()
                .filter(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|s| s.parse::<u64>().ok())
                .ok_or("Content-Length is not a number")?;
            if length.is_some_and(|l| l != n) {
                return Err("differing Content-Length values");
            }
            length = Some(n);
        }
    }
    Ok(length)
}

/// The transfer codings that `Transfer-Encoding` values list, in order (RFC 9112 §6.1).
pub fn transfer_codings<'a>(
    values: impl IntoIterator<Item = &'a [u8]>,
) -> impl Iterator<Item = &'a [u8]> {
    values
        .into_iter()
        .flat_map(|v| v.split(|&b| b == b','))
        .map(<[u8]>::trim_ascii)
        .filter(|c| !c.is_empty())
}

/// Whether a transfer coding is `chunked` (codings are case-insensitive).
pub fn is_chunked(coding: &[u8]) -> bool {
    coding.eq_ignore_ascii_case(b"chunked")
}

/// Where a part of a message head lies in it: noted while a parser borrows the read buffer,
/// used once the head has been split off the buffer (its parts then share the head's bytes).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Part {
    at: usize,
    len: usize,
}

impl Part {
    /// Where `part` (a slice of `buf`) lies in `buf`.
    pub fn of(buf: &[u8], part: &[u8]) -> Part {
        Part {
            at: part.as_ptr() as usize - buf.as_ptr() as usize,
            len: part.len(),
        }
    }
    /// The part's bytes in the head.
    pub fn in_head(self, head: &[u8]) -> &[u8] {
        &head[self.at..self.at + self.len]
    }
    /// The part, sharing the head's bytes.
    pub fn shared(self, head: &Bytes) -> Bytes {
        head.slice(self.at..self.at + self.len)
    }
}

/// Where a header field's name and value lie in a head.
#[derive(Clone, Copy, Debug, Default)]
pub struct Field {
    pub name: Part,
    pub value: Part,
}

impl Field {
    pub fn of(buf: &[u8], h: &httparse::Header<'_>) -> Field {
        Field {
            name: Part::of(buf, h.name.as_bytes()),
            value: Part::of(buf, h.value),
        }
    }
}

/// A connection's socket, what has been read from it but not used yet, and the field list
/// its head parser reuses from message to message.
pub struct Conn<IO> {
    pub io: IO,
    pub buf: BytesMut,
    pub fields: Vec<Field>,
}

impl<IO: AsyncRead + Unpin> Conn<IO> {
    pub fn new(io: IO) -> Conn<IO> {
        Conn {
            io,
            buf: BytesMut::new(),
            fields: Vec::new(),
        }
    }

    /// Reads more into `buf`; `Ok(0)` at the end of the stream.
    pub fn poll_fill(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        if self.buf.capacity() - self.buf.len() < READ_CHUNK / 4 {
            self.buf.reserve(READ_CHUNK);
        }
        poll_read_buf(Pin::new(&mut self.io), cx, &mut self.buf)
    }

    /// The next piece of a body delimited by `framing`, reading as needed: `None` at its end.
    /// The end of the stream ends a [`Framing::Close`] body and is an error inside any other.
    pub fn poll_body(
        &mut self,
        framing: &mut Framing,
        cx: &mut Context<'_>,
    ) -> Poll<Result<Option<Bytes>, String>> {
        loop {
            match framing.step(&mut self.buf) {
                Step::Data(d) => return Poll::Ready(Ok(Some(d))),
                Step::End => return Poll::Ready(Ok(None)),
                Step::Invalid(e) => return Poll::Ready(Err(e.to_string())),
                Step::More => match ready!(self.poll_fill(cx)) {
                    Ok(0) if *framing == Framing::Close => {
                        *framing = Framing::Empty;
                        return Poll::Ready(Ok(None));
                    }
                    Ok(0) => {
                        return Poll::Ready(Err(
                            "the connection closed before the end of the body".into(),
                        ));
                    }
                    Ok(_) => {}
                    Err(e) => return Poll::Ready(Err(format!("reading the body: {e}"))),
                },
            }
        }
    }
}

/// Writes one field line of a header section.
pub fn put_field(out: &mut BytesMut, n: &HeaderName, v: &HeaderValue) {
    out.put_slice(n.as_str().as_bytes());
    out.put_slice(b": ");
    out.put_slice(v.as_bytes());
    out.put_slice(b"\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunk_sizes() {
        // RFC 9112 §7.1: chunk-size = 1*HEXDIG, then chunk-ext.
        for (line, want) in [
            (&b"0"[..], Some(0)),
            (b"1a", Some(26)),
            (b"FF;name=value", Some(255)),
            (b"10 ;ext", Some(16)),
            (b"", None),
            (b";x", None),
            (b"-1", None),
            (b"1g", None),
            (b"12345678901234567", None),
        ] {
            assert_eq!(
                chunk_size(line),
                want,
                "{:?}",
                String::from_utf8_lossy(line)
            );
        }
    }

    #[test]
    fn content_lengths() {
        // RFC 9110 §8.6: 1*DIGIT; a list of one repeated number is that number.
        let cl = |vs: &[&str]| content_length(vs.iter().map(|v| v.as_bytes()));
        assert_eq!(cl(&[]), Ok(None));
        assert_eq!(cl(&["0"]), Ok(Some(0)));
        assert_eq!(cl(&["42"]), Ok(Some(42)));
        assert_eq!(cl(&["5", "5"]), Ok(Some(5)));
        assert_eq!(cl(&["5, 5"]), Ok(Some(5)));
        for bad in [
            &["5", "6"][..],
            &["5, 6"],
            &["+5"],
            &["-1"],
            &["0x5"],
            &["5 5"],
            &[""],
            &["99999999999999999999"],
        ] {
            assert!(cl(bad).is_err(), "{bad:?}");
        }
    }

    /// Decodes `wire` fed in pieces of `piece` bytes: the body, or the first error.
    fn decode(mut framing: Framing, wire: &[u8], piece: usize) -> Result<(Vec<u8>, usize), &str> {
        let mut buf = BytesMut::new();
        let mut body = Vec::new();
        let mut fed = 0;
        loop {
            match framing.step(&mut buf) {
                Step::Data(d) => body.extend_from_slice(&d),
                Step::End => return Ok((body, buf.len() + wire.len() - fed)),
                Step::Invalid(e) => return Err(e),
                Step::More if fed == wire.len() => return Err("incomplete"),
                Step::More => {
                    let n = piece.min(wire.len() - fed);
                    buf.extend_from_slice(&wire[fed..fed + n]);
                    fed += n;
                }
            }
        }
    }

    #[test]
    fn bodies_decode_the_same_whatever_the_reads() {
        let chunked = Framing::Chunked(Chunk::Size);
        for piece in [1, 2, 3, 7, 64, 4096] {
            // (framing, bytes on the wire, the body, the bytes left after it)
            for (framing, wire, body, left) in [
                (Framing::Length(5), &b"helloGET"[..], &b"hello"[..], 3),
                (Framing::Length(0), b"x", b"", 1),
                (
                    chunked,
                    b"5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nX-T: t\r\n\r\nnext",
                    b"hello, world",
                    4,
                ),
                (chunked, b"0\r\n\r\n", b"", 0),
                // A bare LF ends a line too.
                (chunked, b"3\nabc\n0\n\n", b"abc", 0),
            ] {
                assert_eq!(
                    decode(framing, wire, piece),
                    Ok((body.to_vec(), left)),
                    "{:?} by {piece}",
                    String::from_utf8_lossy(wire)
                );
            }
            for (wire, why) in [
                (&b"zz\r\n"[..], "a bad chunk size"),
                (b"3\r\nabcd\r\n", "a chunk is longer than its size"),
                (b"-1\r\n", "a bad chunk size"),
            ] {
                assert_eq!(decode(chunked, wire, piece), Err(why));
            }
        }
        let long = vec![b'1'; MAX_LINE + 2];
        assert!(decode(chunked, &long, 4096).is_err());
        let mut trailers = b"0\r\n".to_vec();
        for _ in 0..(MAX_TRAILERS / 10 + 1) {
            trailers.extend_from_slice(b"X-T: abc\r\n");
        }
        trailers.extend_from_slice(b"\r\n");
        assert_eq!(
            decode(chunked, &trailers, 4096),
            Err("the trailer section is too large")
        );
    }
}
