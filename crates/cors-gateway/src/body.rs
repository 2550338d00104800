//! Request bodies from either server: read from an HTTP/1.x client connection lent for the
//! time of the exchange ([`H1Body`]), or hyper's for HTTP/2 ([`RequestBody::Hyper`]); and the
//! client connection's byte stream ([`Stream`]). Used by the HTTP/1.x server that makes them
//! and by the proxy and the upstream client that read them.

use crate::wire::{Conn, Framing};
use bytes::{Buf, Bytes};
use http_body::{Body, Frame, SizeHint};
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use tokio::io::AsyncWrite;
use tokio::net::TcpStream;
use tokio_util::either::Either;

/// A client connection's byte stream: plain TCP (`Left`) or TLS (`Right`).
pub type Stream = Either<TcpStream, Box<tokio_rustls::server::TlsStream<TcpStream>>>;

/// The connection, lent to a request body for the time of its exchange.
pub(crate) struct Lent {
    pub(crate) conn: Conn<Stream>,
    pub(crate) framing: Framing,
    /// `100 Continue` still to be written before the body is read (RFC 9110 §10.1.1).
    pub(crate) continue_: Option<Bytes>,
    /// The body's framing turned out invalid, or the connection failed: where the next
    /// request would begin is unknown.
    pub(crate) broken: bool,
}

impl Lent {
    fn fail(&mut self, e: io::Error) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        self.broken = true;
        Poll::Ready(Some(Err(e)))
    }
}

/// A request body read from the client connection as the upstream exchange asks for it.
pub struct H1Body {
    pub(crate) lent: Option<Lent>,
    pub(crate) back: Option<tokio::sync::oneshot::Sender<Lent>>,
}

impl Drop for H1Body {
    fn drop(&mut self) {
        if let (Some(lent), Some(back)) = (self.lent.take(), self.back.take()) {
            let _ = back.send(lent);
        }
    }
}

impl Body for H1Body {
    type Data = Bytes;
    type Error = io::Error;
    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        let Some(lent) = self.lent.as_mut() else {
            return Poll::Ready(None);
        };
        if let Some(cont) = lent.continue_.as_mut() {
            while cont.has_remaining() {
                match ready!(Pin::new(&mut lent.conn.io).poll_write(cx, cont)) {
                    Ok(n) if n > 0 => cont.advance(n),
                    Ok(_) => return lent.fail(io::ErrorKind::WriteZero.into()),
                    Err(e) => return lent.fail(e),
                }
            }
            if let Err(e) = ready!(Pin::new(&mut lent.conn.io).poll_flush(cx)) {
                return lent.fail(e);
            }
            lent.continue_ = None;
        }
        match ready!(lent.conn.poll_body(&mut lent.framing, cx)) {
            Ok(Some(d)) => Poll::Ready(Some(Ok(Frame::data(d)))),
            Ok(None) => Poll::Ready(None),
            Err(e) => {
                lent.broken = true;
                Poll::Ready(Some(Err(io::Error::other(format!(
                    "the client's request body: {e}"
                )))))
            }
        }
    }
    fn is_end_stream(&self) -> bool {
        self.lent
            .as_ref()
            .is_none_or(|l| l.framing == Framing::Empty)
    }
    fn size_hint(&self) -> SizeHint {
        match self.lent.as_ref().map(|l| l.framing) {
            None | Some(Framing::Empty) => SizeHint::with_exact(0),
            Some(Framing::Length(n)) => SizeHint::with_exact(n),
            Some(_) => SizeHint::default(),
        }
    }
}

/// A request body, from either server.
pub enum RequestBody {
    Empty,
    H1(H1Body),
    Hyper(hyper::body::Incoming),
}

impl Body for RequestBody {
    type Data = Bytes;
    type Error = io::Error;
    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        match self.get_mut() {
            RequestBody::Empty => Poll::Ready(None),
            RequestBody::H1(b) => Pin::new(b).poll_frame(cx),
            RequestBody::Hyper(b) => Pin::new(b).poll_frame(cx).map_err(io::Error::other),
        }
    }
    fn is_end_stream(&self) -> bool {
        match self {
            RequestBody::Empty => true,
            RequestBody::H1(b) => b.is_end_stream(),
            RequestBody::Hyper(b) => b.is_end_stream(),
        }
    }
    fn size_hint(&self) -> SizeHint {
        match self {
            RequestBody::Empty => SizeHint::with_exact(0),
            RequestBody::H1(b) => b.size_hint(),
            RequestBody::Hyper(b) => b.size_hint(),
        }
    }
}
