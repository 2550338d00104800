//! HTTP/1.x on the wire, with nothing of CORS in it: message framing and the chunked codec
//! ([`framing`]), the request-head parser ([`head`]) and the hop-by-hop rules ([`hop`]).
//!
//! Floors, top to bottom; a module uses only the floors below its own (checked by
//! `scripts/module-graph`):
//! 1. [`head`]: the request-head parser.
//! 2. [`framing`]: message framing and the chunked codec; [`hop`]: the hop-by-hop rules.
//!
//! Owns: RFC 9112's bytes and RFC 9110 §7.6.1. Uses: `bytes`, `http`, `httparse` and tokio's
//! I/O traits only, never another module of this crate, so it can be tested and fuzzed alone.

pub mod framing;
pub mod head;
pub mod hop;

pub use framing::{
    Chunk, Conn, Field, Framing, MAX_LINE, MAX_TRAILERS, Part, READ_CHUNK, Step, chunk_size,
    content_length, is_chunked, put_field, transfer_codings,
};
pub use head::{HeadLimits, Parsed, Refusal};
pub use hop::{
    HopByHop, connection_close, connection_has, connection_named, hop_by_hop, remove_hop_by_hop,
};
