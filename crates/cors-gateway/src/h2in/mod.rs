//! HTTP/2 as the client sends it, read before h2 does: an inspector over each HTTP/2
//! connection's inbound bytes, for the one rule h2 does not enforce. RFC 9113 §8.1: "pseudo-
//! header fields MUST NOT appear in a trailer section", and such a request is malformed
//! (§8.1.1); h2 drops those fields from trailers and goes on. The inspector follows the
//! frames (§4.1) and each stream's header blocks, decoding them with an HPACK decoder whose
//! dynamic table is kept in step with the client's encoder (RFC 7541), and when a trailer
//! section holds a pseudo-header field, h2 reads a frame it must refuse in place of the one
//! that carried it, and ends the connection with GOAWAY(PROTOCOL_ERROR) (see
//! [`frames::REFUSAL`]).
//!
//! The bytes are h2's, unchanged, otherwise: HEADERS and CONTINUATION frames are held until
//! whole (h2 needs them whole too), the others pass as they come. When the inspector cannot
//! follow — an HPACK error, a frame h2 refuses anyway — it stops reading and lets every byte
//! through, for h2 to answer as it does (COMPRESSION_ERROR, PROTOCOL_ERROR, …).
//!
//! Floors, top to bottom (checked by `scripts/module-graph`):
//! 1. `frames`: the frames and streams, sans I/O.
//! 2. `hpack`: the HPACK decoder.
//! 3. `huffman`: HPACK's Huffman code.
//!
//! Uses: `bytes` and tokio's I/O traits only, never another module of this crate.

mod frames;
mod hpack;
mod huffman;

use bytes::{Buf, Bytes, BytesMut};
use frames::Inspector;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// The client connection preface's length (RFC 9113 §3.4), which comes before the frames.
const PREFACE_LEN: usize = 24;

/// SETTINGS_HEADER_TABLE_SIZE as the gateway announces it (RFC 9113 §6.5.2; RFC 7541 §4.2):
/// the size of the dynamic table the client's encoder may use, h2's and the inspector's.
pub const HEADER_TABLE_SIZE: u32 = 4096;

/// SETTINGS_MAX_FRAME_SIZE as the gateway announces it (RFC 9113 §6.5.2): the largest frame
/// the inspector holds whole; h2 refuses larger ones (FRAME_SIZE_ERROR).
pub const MAX_FRAME_SIZE: u32 = 16_384;

/// An HTTP/2 connection's I/O, inbound bytes inspected (see the module's documentation).
pub struct Inspected<T> {
    io: T,
    /// Bytes read and not yet given to h2: the first `ready` may go; the rest are a frame not
    /// yet whole.
    buf: BytesMut,
    ready: usize,
    /// The connection's read side ended (what is held then goes to h2 as it is).
    eof: bool,
    inspector: Inspector,
}

impl<T: AsyncRead + AsyncWrite + Unpin> Inspected<T> {
    /// `io`, whose first bytes, `pre`, were read already and begin with the client preface;
    /// `max_header_list` is SETTINGS_MAX_HEADER_LIST_SIZE as the gateway announces it.
    pub fn new(pre: Bytes, io: T, max_header_list: usize) -> Inspected<T> {
        let mut inspector = Inspector::new(
            PREFACE_LEN,
            HEADER_TABLE_SIZE as usize,
            MAX_FRAME_SIZE as usize,
            max_header_list,
        );
        let mut buf = BytesMut::from(&pre[..]);
        let scan = inspector.scan(&mut buf);
        if !scan.hold {
            buf.truncate(scan.release);
        }
        Inspected {
            io,
            buf,
            ready: scan.release,
            eof: false,
            inspector,
        }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Inspected<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        out: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        loop {
            if this.ready > 0 {
                let n = this.ready.min(out.remaining());
                out.put_slice(&this.buf[..n]);
                this.buf.advance(n);
                this.ready -= n;
                return Poll::Ready(Ok(()));
            }
            if this.eof {
                if this.buf.is_empty() {
                    return Poll::Ready(Ok(()));
                }
                this.ready = this.buf.len();
                continue;
            }
            if this.buf.is_empty() {
                // Straight into h2's buffer; what may not go yet is moved aside.
                let start = out.filled().len();
                ready!(Pin::new(&mut this.io).poll_read(cx, out))?;
                if out.filled().len() == start || this.inspector.is_off() {
                    return Poll::Ready(Ok(()));
                }
                let scan = this.inspector.scan(&mut out.filled_mut()[start..]);
                if scan.hold {
                    this.buf
                        .extend_from_slice(&out.filled()[start + scan.release..]);
                }
                out.set_filled(start + scan.release);
                if scan.release > 0 {
                    return Poll::Ready(Ok(()));
                }
            } else {
                // A held frame, not yet whole: read on behind it.
                this.buf.reserve(MAX_FRAME_SIZE as usize);
                let n = ready!(tokio_util::io::poll_read_buf(
                    Pin::new(&mut this.io),
                    cx,
                    &mut this.buf
                ))?;
                if n == 0 {
                    this.eof = true;
                    continue;
                }
                let scan = this.inspector.scan(&mut this.buf[..]);
                if !scan.hold {
                    this.buf.truncate(scan.release);
                }
                this.ready = scan.release;
            }
        }
    }
}

write_through!([T: AsyncWrite + Unpin] Inspected<T>);
