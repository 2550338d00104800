//! The inspector proper, sans I/O: follows the client's frames (RFC 9113 §4.1) and header
//! blocks (§4.3, §6.2, §6.10), per stream, and says how much of what was read may go to h2.

use super::hpack::Decoder;

/// A frame header's length (RFC 9113 §4.1).
pub const FRAME_HEADER: usize = 9;

const DATA: u8 = 0x0;
const HEADERS: u8 = 0x1;
const RST_STREAM: u8 = 0x3;
const CONTINUATION: u8 = 0x9;
const END_STREAM: u8 = 0x1;
const END_HEADERS: u8 = 0x4;
const PADDED: u8 = 0x8;
const PRIORITY: u8 = 0x20;

/// What h2 reads in place of a refused frame: HEADERS on stream 0, empty, END_HEADERS. RFC
/// 9113 §6.2 makes it a connection error PROTOCOL_ERROR whatever came before (and, inside a
/// header block, so does any frame but CONTINUATION, §6.10), so h2 itself sends
/// GOAWAY(PROTOCOL_ERROR) with the last stream it processed and closes the connection.
pub const REFUSAL: [u8; FRAME_HEADER] = [0, 0, 0, HEADERS, END_HEADERS, 0, 0, 0, 0];

/// At most this many streams are followed as open (awaiting the client's END_STREAM); past it
/// the oldest is forgotten. hyper lets a client have 200 streams at a time (its default
/// `max_concurrent_streams`), and refuses the others.
const MAX_OPEN: usize = 1024;

/// What [`Inspector::scan`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scan {
    /// How many bytes from the start may go to h2 now.
    pub release: usize,
    /// Whether the bytes after `release` are to be kept for the next scan (a frame not yet
    /// whole); when false, they are dropped: a refusal was written at `release - 9`.
    pub hold: bool,
}

/// One connection's inspector.
pub struct Inspector {
    /// Off: every byte passes unread, for good (h2 ends the connection, or the inspector
    /// could not follow, and h2 will say why).
    off: bool,
    /// Bytes to pass without reading before the next frame header (the preface, payloads).
    skip: usize,
    hpack: Decoder,
    /// The largest HEADERS or CONTINUATION frame held whole (SETTINGS_MAX_FRAME_SIZE as the
    /// gateway announces it: larger ones are h2's FRAME_SIZE_ERROR).
    max_frame: usize,
    /// The most bytes of one cut representation kept between frames.
    max_pending: usize,
    /// The block being received: its stream, whether it is a trailer section, END_STREAM.
    block: Option<Block>,
    /// The end of a representation cut by a frame boundary, reused.
    pending: Vec<u8>,
    /// Streams whose request header block came and whose END_STREAM has not, ascending.
    open: Vec<u32>,
    /// The highest stream a header block opened.
    last: u32,
}

#[derive(Clone, Copy)]
struct Block {
    stream: u32,
    trailers: bool,
    end_stream: bool,
}

/// What a whole HEADERS or CONTINUATION frame means.
enum Verdict {
    Pass,
    Refuse,
    Off,
}

impl Inspector {
    /// An inspector for a connection whose first `skip` bytes are the preface; `table` is
    /// SETTINGS_HEADER_TABLE_SIZE, `max_frame` SETTINGS_MAX_FRAME_SIZE and `max_block` the
    /// header list size, as the gateway announces them.
    pub fn new(skip: usize, table: usize, max_frame: usize, max_block: usize) -> Inspector {
        Inspector {
            off: false,
            skip,
            hpack: Decoder::new(table),
            max_frame,
            max_pending: max_block.saturating_add(max_frame),
            block: None,
            pending: Vec::new(),
            open: Vec::new(),
            last: 0,
        }
    }

    /// Whether the inspector has stopped reading (every byte passes).
    pub fn is_off(&self) -> bool {
        self.off
    }

    /// Reads `buf`, the bytes after those already released (its start is where the last scan
    /// stopped): how many may go to h2, and whether to keep the rest. A refused frame is
    /// overwritten in `buf` by [`REFUSAL`].
    pub fn scan(&mut self, buf: &mut [u8]) -> Scan {
        let mut at = 0;
        loop {
            if self.off {
                return Scan {
                    release: buf.len(),
                    hold: false,
                };
            }
            if self.skip > 0 {
                let n = self.skip.min(buf.len() - at);
                at += n;
                self.skip -= n;
                if self.skip > 0 {
                    return Scan {
                        release: at,
                        hold: false,
                    };
                }
            }
            let Some(head) = buf.get(at..at + FRAME_HEADER) else {
                return Scan {
                    release: at,
                    hold: true,
                };
            };
            let len = usize::from(head[0]) << 16 | usize::from(head[1]) << 8 | usize::from(head[2]);
            let (kind, flags) = (head[3], head[4]);
            let stream = u32::from_be_bytes([head[5], head[6], head[7], head[8]]) & 0x7fff_ffff;
            if self.block.is_some() && kind != CONTINUATION {
                // §6.10: h2's connection error; nothing more to follow.
                self.off = true;
                continue;
            }
            match kind {
                HEADERS | CONTINUATION => {
                    if len > self.max_frame {
                        self.off = true;
                        continue;
                    }
                    let Some(frame) = buf.get(at + FRAME_HEADER..at + FRAME_HEADER + len) else {
                        return Scan {
                            release: at,
                            hold: true,
                        };
                    };
                    match self.header_frame(kind, flags, stream, frame) {
                        Verdict::Pass => at += FRAME_HEADER + len,
                        Verdict::Off => self.off = true,
                        Verdict::Refuse => {
                            self.off = true;
                            buf[at..at + FRAME_HEADER].copy_from_slice(&REFUSAL);
                            return Scan {
                                release: at + FRAME_HEADER,
                                hold: false,
                            };
                        }
                    }
                }
                DATA | RST_STREAM => {
                    if kind == RST_STREAM || flags & END_STREAM != 0 {
                        self.close(stream);
                    }
                    at += FRAME_HEADER;
                    self.skip = len;
                }
                _ => {
                    at += FRAME_HEADER;
                    self.skip = len;
                }
            }
        }
    }

    /// A whole HEADERS or CONTINUATION frame (§6.2, §6.10).
    fn header_frame(&mut self, kind: u8, flags: u8, stream: u32, payload: &[u8]) -> Verdict {
        let fragment = if kind == HEADERS {
            if stream == 0 {
                return Verdict::Off; // §6.2: h2's connection error
            }
            let mut start = 0;
            let mut end = payload.len();
            if flags & PADDED != 0 {
                let Some(&pad) = payload.first() else {
                    return Verdict::Off;
                };
                start = 1;
                end = match end.checked_sub(usize::from(pad)) {
                    Some(e) => e,
                    None => return Verdict::Off,
                };
            }
            if flags & PRIORITY != 0 {
                start += 5;
            }
            let Some(fragment) = payload.get(start..end) else {
                return Verdict::Off;
            };
            // §8.1: a HEADERS frame on a stream whose request header block came (and whose
            // END_STREAM has not) carries its trailer section.
            let trailers = self.open.binary_search(&stream).is_ok();
            if !trailers && stream > self.last {
                self.last = stream;
                if flags & END_STREAM == 0 {
                    if self.open.len() == MAX_OPEN {
                        self.open.remove(0);
                    }
                    self.open.push(stream);
                }
            }
            self.block = Some(Block {
                stream,
                trailers,
                end_stream: flags & END_STREAM != 0,
            });
            self.hpack.start_block();
            self.pending.clear();
            fragment
        } else {
            match self.block {
                Some(b) if b.stream == stream => payload,
                _ => return Verdict::Off, // §6.10: h2's connection error
            }
        };
        let Some(block) = self.block else {
            return Verdict::Off;
        };
        let mut pseudo = false;
        let mut seen = |name: &[u8], _: &[u8]| pseudo |= name.first() == Some(&b':');
        let decoded = if self.pending.is_empty() {
            self.hpack.decode(fragment, &mut seen).map(|used| {
                self.pending.extend_from_slice(&fragment[used..]);
            })
        } else {
            self.pending.extend_from_slice(fragment);
            let pending = std::mem::take(&mut self.pending);
            let r = self.hpack.decode(&pending, &mut seen);
            self.pending = pending;
            r.map(|used| {
                self.pending.drain(..used);
            })
        };
        if decoded.is_err() || self.pending.len() > self.max_pending {
            return Verdict::Off; // h2 will find the same error, or its own limits
        }
        // RFC 9113 §8.1: pseudo-header fields MUST NOT appear in a trailer section; the
        // request is malformed (§8.1.1).
        if pseudo && block.trailers {
            return Verdict::Refuse;
        }
        if flags & END_HEADERS != 0 {
            self.block = None;
            if !self.pending.is_empty() {
                return Verdict::Off; // the block ends inside a representation
            }
            if block.end_stream {
                self.close(stream);
            }
        }
        Verdict::Pass
    }

    fn close(&mut self, stream: u32) {
        if let Ok(i) = self.open.binary_search(&stream) {
            self.open.remove(i);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn frame(kind: u8, flags: u8, stream: u32, payload: &[u8]) -> Vec<u8> {
        let len = payload.len();
        let mut f = vec![(len >> 16) as u8, (len >> 8) as u8, len as u8, kind, flags];
        f.extend_from_slice(&stream.to_be_bytes());
        f.extend_from_slice(payload);
        f
    }

    /// Literal fields with incremental indexing, new names (RFC 7541 §6.2.1), so that later
    /// blocks may refer to them by index.
    fn block(fields: &[(&str, &str)]) -> Vec<u8> {
        let mut b = Vec::new();
        for (n, v) in fields {
            b.push(0x40);
            b.push(n.len() as u8);
            b.extend_from_slice(n.as_bytes());
            b.push(v.len() as u8);
            b.extend_from_slice(v.as_bytes());
        }
        b
    }

    fn request(stream: u32) -> Vec<u8> {
        let b = block(&[(":method", "POST"), (":path", "/"), (":scheme", "http")]);
        frame(HEADERS, END_HEADERS, stream, &b)
    }

    /// What h2 would read: the inspector over `input` given in pieces of `piece` bytes, held
    /// bytes kept as the I/O wrapper keeps them.
    fn through(input: &[u8], piece: usize) -> Vec<u8> {
        let mut i = Inspector::new(0, 4096, 16_384, 16_384);
        let (mut out, mut held) = (Vec::new(), Vec::new());
        for chunk in input.chunks(piece.max(1)) {
            held.extend_from_slice(chunk);
            let scan = i.scan(&mut held);
            if !scan.hold {
                held.truncate(scan.release);
            }
            out.extend_from_slice(&held[..scan.release]);
            held.drain(..scan.release);
        }
        out.extend_from_slice(&held);
        out
    }

    fn refused(out: &[u8]) -> bool {
        out.windows(REFUSAL.len()).any(|w| w == REFUSAL)
    }

    /// Each case: frames after the preface, and whether h2 is to read a refusal (RFC 9113
    /// §8.1: a pseudo-header field in a trailer section), cut at every piece size.
    #[test]
    fn trailers_with_pseudo_fields_are_refused_and_others_pass_intact() {
        let data = frame(DATA, 0, 1, b"x");
        let cases: Vec<(&str, Vec<u8>, bool)> = vec![
            (
                "§8.1 trailers with :method",
                [
                    request(1),
                    data.clone(),
                    frame(
                        HEADERS,
                        END_STREAM | END_HEADERS,
                        1,
                        &block(&[(":method", "GET")]),
                    ),
                ]
                .concat(),
                true,
            ),
            (
                "§8.1 trailers with a pseudo field by index (RFC 7541 §6.1, :path /)",
                [
                    request(1),
                    frame(HEADERS, END_STREAM | END_HEADERS, 1, &[0x84]),
                ]
                .concat(),
                true,
            ),
            (
                "§8.1 trailers with a pseudo field from the dynamic table (index 62 is :scheme)",
                [
                    request(1),
                    frame(HEADERS, END_STREAM | END_HEADERS, 1, &[0xbe]),
                ]
                .concat(),
                true,
            ),
            (
                "§8.1 the pseudo field in a CONTINUATION of the trailers",
                [
                    request(1),
                    frame(HEADERS, END_STREAM, 1, &block(&[("x-t", "1")])),
                    frame(CONTINUATION, END_HEADERS, 1, &block(&[(":path", "/")])),
                ]
                .concat(),
                true,
            ),
            (
                "§8.1 regular trailers pass",
                [
                    request(1),
                    data.clone(),
                    frame(
                        HEADERS,
                        END_STREAM | END_HEADERS,
                        1,
                        &block(&[("x-checksum", "abc")]),
                    ),
                ]
                .concat(),
                false,
            ),
            (
                "§8.1 a second request's pseudo fields are its own",
                [request(1), request(3), frame(DATA, END_STREAM, 1, b"")].concat(),
                false,
            ),
            (
                "§5.1: HEADERS after END_STREAM is h2's STREAM_CLOSED, not a trailer",
                [request(1), frame(DATA, END_STREAM, 1, b""), request(1)].concat(),
                false,
            ),
            (
                "§5.1: HEADERS after the client's RST_STREAM is not a trailer",
                [
                    request(1),
                    frame(RST_STREAM, 0, 1, &[0, 0, 0, 8]),
                    request(1),
                ]
                .concat(),
                false,
            ),
            (
                "padded trailers with PRIORITY (§6.2)",
                {
                    let mut p = vec![2, 0, 0, 0, 0, 16];
                    p.extend(block(&[(":method", "GET")]));
                    p.extend([0, 0]);
                    [
                        request(1),
                        frame(HEADERS, END_STREAM | END_HEADERS | PADDED | PRIORITY, 1, &p),
                    ]
                    .concat()
                },
                true,
            ),
        ];
        for (name, input, refuse) in cases {
            for piece in [1, 2, 7, 9, 10, 64, input.len()] {
                let out = through(&input, piece);
                if refuse {
                    assert!(refused(&out), "{name}, pieces of {piece}: {out:02x?}");
                    assert!(out.len() <= input.len(), "{name}");
                } else {
                    assert_eq!(out, input, "{name}, pieces of {piece}");
                }
            }
        }
    }

    /// An HPACK error stops the inspector: the bytes go to h2 as they are (h2 answers
    /// COMPRESSION_ERROR), trailers after them included.
    #[test]
    fn a_block_the_inspector_cannot_decode_passes_to_h2() {
        let input = [
            frame(HEADERS, END_HEADERS, 1, &[0x80]), // index 0 (RFC 7541 §6.1)
            frame(
                HEADERS,
                END_STREAM | END_HEADERS,
                1,
                &block(&[(":method", "GET")]),
            ),
        ]
        .concat();
        assert_eq!(through(&input, 5), input);
    }

    fn name() -> impl Strategy<Value = String> {
        "[a-z][a-z0-9-]{0,20}"
    }

    proptest! {
        /// Bad input never panics, in any pieces.
        #[test]
        fn arbitrary_bytes_never_panic(input in proptest::collection::vec(any::<u8>(), 0..600), piece in 1usize..40) {
            let out = through(&input, piece);
            prop_assert!(out.len() <= input.len() + FRAME_HEADER);
        }

        /// Valid frames whose trailers have no pseudo field pass intact, whatever their sizes,
        /// indexing and pieces: the inspector never refuses them.
        #[test]
        fn trailers_without_pseudo_fields_are_never_refused(
            requests in proptest::collection::vec(
                (proptest::collection::vec((name(), "[ -~]{0,30}"), 0..6), 0usize..4, any::<bool>()),
                1..6,
            ),
            piece in 1usize..50,
        ) {
            let mut input = Vec::new();
            for (i, (trailers, split, indexed)) in requests.iter().enumerate() {
                let stream = 2 * i as u32 + 1;
                input.extend(request(stream));
                input.extend(frame(DATA, 0, stream, b"body"));
                let fields: Vec<(&str, &str)> = trailers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
                let mut b = block(&fields);
                if !indexed {
                    // Without indexing (§6.2.2): 0x00 in place of 0x40.
                    let mut at = 0;
                    for (n, v) in &fields {
                        b[at] = 0;
                        at += 3 + n.len() + v.len();
                    }
                }
                // Some blocks cut in two frames, HEADERS and CONTINUATION, inside a field.
                let cut = b.len() * split.min(&1) / 2;
                if *split > 0 && cut > 0 {
                    input.extend(frame(HEADERS, END_STREAM, stream, &b[..cut]));
                    input.extend(frame(CONTINUATION, END_HEADERS, stream, &b[cut..]));
                } else {
                    input.extend(frame(HEADERS, END_STREAM | END_HEADERS, stream, &b));
                }
            }
            prop_assert_eq!(through(&input, piece), input);
        }
    }
}
