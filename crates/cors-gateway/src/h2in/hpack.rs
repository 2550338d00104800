//! An HPACK decoder (RFC 7541): the field representations of §6, the integers and string
//! literals of §5, and the dynamic table of §4 (sizes, eviction, size updates), so that the
//! inspector's table stays in step with the client's encoder and names read by index are the
//! names h2 reads.
//!
//! A block may arrive in pieces (HEADERS then CONTINUATION frames, split anywhere, even inside
//! a representation): [`Decoder::decode`] decodes the representations that are whole and says
//! how many bytes they took; the caller keeps the rest for the next piece.

use super::huffman;
use std::collections::VecDeque;

/// Why a block cannot be decoded (RFC 7541 §2.3.3, §4.2, §5.1, §5.2, §6): each is a
/// COMPRESSION_ERROR for h2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HpackError {
    /// An integer larger than this decoder accepts (§5.1 allows limits).
    Integer,
    /// Index 0, or an index past both tables (§2.3.3, §6.1).
    Index,
    /// A Huffman string that is not one (§5.2).
    Huffman,
    /// A table size update above the limit the decoder announced (§4.2, §6.3).
    SizeAboveLimit,
    /// A table size update after a field of the block (§4.2).
    SizeUpdateLate,
}

/// The static table, RFC 7541 Appendix A (index 1 to 61).
const STATIC: [(&str, &str); 61] = [
    (":authority", ""),
    (":method", "GET"),
    (":method", "POST"),
    (":path", "/"),
    (":path", "/index.html"),
    (":scheme", "http"),
    (":scheme", "https"),
    (":status", "200"),
    (":status", "204"),
    (":status", "206"),
    (":status", "304"),
    (":status", "400"),
    (":status", "404"),
    (":status", "500"),
    ("accept-charset", ""),
    ("accept-encoding", "gzip, deflate"),
    ("accept-language", ""),
    ("accept-ranges", ""),
    ("accept", ""),
    ("access-control-allow-origin", ""),
    ("age", ""),
    ("allow", ""),
    ("authorization", ""),
    ("cache-control", ""),
    ("content-disposition", ""),
    ("content-encoding", ""),
    ("content-language", ""),
    ("content-length", ""),
    ("content-location", ""),
    ("content-range", ""),
    ("content-type", ""),
    ("cookie", ""),
    ("date", ""),
    ("etag", ""),
    ("expect", ""),
    ("expires", ""),
    ("from", ""),
    ("host", ""),
    ("if-match", ""),
    ("if-modified-since", ""),
    ("if-none-match", ""),
    ("if-range", ""),
    ("if-unmodified-since", ""),
    ("last-modified", ""),
    ("link", ""),
    ("location", ""),
    ("max-forwards", ""),
    ("proxy-authenticate", ""),
    ("proxy-authorization", ""),
    ("range", ""),
    ("referer", ""),
    ("refresh", ""),
    ("retry-after", ""),
    ("server", ""),
    ("set-cookie", ""),
    ("strict-transport-security", ""),
    ("transfer-encoding", ""),
    ("user-agent", ""),
    ("vary", ""),
    ("via", ""),
    ("www-authenticate", ""),
];

/// §4.1: an entry's size is its name's and value's lengths plus 32.
const ENTRY_OVERHEAD: usize = 32;

/// The largest integer accepted (§5.1 lets a decoder limit them): more than any table size,
/// index or string a connection can carry.
const MAX_INT: usize = u32::MAX as usize;

/// A dynamic table entry: name then value in one allocation.
struct Entry {
    bytes: Box<[u8]>,
    name_len: usize,
}

impl Entry {
    fn name(&self) -> &[u8] {
        &self.bytes[..self.name_len]
    }
    fn value(&self) -> &[u8] {
        &self.bytes[self.name_len..]
    }
    fn size(&self) -> usize {
        self.bytes.len() + ENTRY_OVERHEAD
    }
}

/// One connection's HPACK decoding state.
pub struct Decoder {
    /// Newest first: index 62 is `table[0]` (§2.3.3).
    table: VecDeque<Entry>,
    /// The sum of the entries' sizes (§4.1).
    size: usize,
    /// The table's maximum size, as the encoder last set it (§4.2, §6.3).
    max: usize,
    /// SETTINGS_HEADER_TABLE_SIZE as this side announced it: the most `max` may be (§4.2).
    limit: usize,
    /// Whether the block being decoded has had a field yet (a size update must come first).
    had_field: bool,
    /// Scratch for decoded strings, reused.
    name: Vec<u8>,
    value: Vec<u8>,
}

/// What one representation was.
enum Rep {
    /// A field, decoded into the scratch buffers; `index` when it goes into the table.
    Field { index: bool },
    /// An indexed field: the table entry (§6.1).
    Indexed(usize),
    /// A dynamic table size update (§6.3).
    SizeUpdate(usize),
}

impl Decoder {
    /// A decoder whose table may be at most `limit` bytes (SETTINGS_HEADER_TABLE_SIZE), the
    /// initial maximum (§4.2).
    pub fn new(limit: usize) -> Decoder {
        Decoder {
            table: VecDeque::new(),
            size: 0,
            max: limit,
            limit,
            had_field: false,
            name: Vec::new(),
            value: Vec::new(),
        }
    }

    /// A new header block begins.
    pub fn start_block(&mut self) {
        self.had_field = false;
    }

    /// Decodes the whole representations at the start of `src`, calling `field` with each
    /// field's name and value in order; returns how many bytes they took (the rest begins a
    /// representation that continues in the block's next piece).
    pub fn decode(
        &mut self,
        src: &[u8],
        field: &mut dyn FnMut(&[u8], &[u8]),
    ) -> Result<usize, HpackError> {
        let mut at = 0;
        while at < src.len() {
            let Some((rep, used)) = self.representation(&src[at..])? else {
                break;
            };
            at += used;
            match rep {
                Rep::SizeUpdate(size) => {
                    if self.had_field {
                        return Err(HpackError::SizeUpdateLate);
                    }
                    if size > self.limit {
                        return Err(HpackError::SizeAboveLimit);
                    }
                    self.max = size;
                    self.evict(0);
                }
                Rep::Indexed(i) => {
                    self.had_field = true;
                    let (name, value) = self.entry(i)?;
                    field(name, value);
                }
                Rep::Field { index } => {
                    self.had_field = true;
                    field(&self.name, &self.value);
                    if index {
                        self.insert();
                    }
                }
            }
        }
        Ok(at)
    }

    /// The table's present size and maximum (§4.1, §4.2).
    #[cfg(test)]
    fn sizes(&self) -> (usize, usize) {
        (self.size, self.max)
    }

    /// Entry `i` of the index space.
    fn entry(&self, i: usize) -> Result<(&[u8], &[u8]), HpackError> {
        lookup(&self.table, i)
    }

    /// Parses one representation (§6); `None` when `src` ends inside it. Nothing changes in
    /// the table here, so a representation cut short is parsed again from its start.
    fn representation(&mut self, src: &[u8]) -> Result<Option<(Rep, usize)>, HpackError> {
        let b = src[0];
        // §6.1 indexed; §6.3 size update; §6.2.1 incremental indexing; §6.2.2 without
        // indexing, §6.2.3 never indexed (both 4-bit prefixes).
        let (prefix, kind) = if b & 0x80 != 0 {
            (7, 0)
        } else if b & 0x40 != 0 {
            (6, 1)
        } else if b & 0x20 != 0 {
            (5, 2)
        } else {
            (4, 3)
        };
        let Some((n, mut at)) = integer(src, prefix)? else {
            return Ok(None);
        };
        match kind {
            0 => return Ok(Some((Rep::Indexed(n), at))),
            2 => return Ok(Some((Rep::SizeUpdate(n), at))),
            _ => {}
        }
        self.name.clear();
        self.value.clear();
        if n == 0 {
            let Some(used) = string(&src[at..], &mut self.name)? else {
                return Ok(None);
            };
            at += used;
        } else {
            let (name, _) = lookup(&self.table, n)?;
            self.name.extend_from_slice(name);
        }
        let Some(used) = string(&src[at..], &mut self.value)? else {
            return Ok(None);
        };
        Ok(Some((Rep::Field { index: kind == 1 }, at + used)))
    }

    /// §4.4: adds the scratch field as the newest entry, evicting the oldest to make room; an
    /// entry larger than the table empties it and is not added.
    fn insert(&mut self) {
        let size = self.name.len() + self.value.len() + ENTRY_OVERHEAD;
        if size > self.max {
            self.table.clear();
            self.size = 0;
            return;
        }
        self.evict(size);
        let mut bytes = Vec::with_capacity(self.name.len() + self.value.len());
        bytes.extend_from_slice(&self.name);
        bytes.extend_from_slice(&self.value);
        self.table.push_front(Entry {
            bytes: bytes.into_boxed_slice(),
            name_len: self.name.len(),
        });
        self.size += size;
    }

    /// §4.3, §4.4: evicts the oldest entries until `room` more bytes fit under the maximum.
    fn evict(&mut self, room: usize) {
        while self.size + room > self.max {
            match self.table.pop_back() {
                Some(e) => self.size -= e.size(),
                None => break,
            }
        }
    }
}

/// Entry `i` of the index space (§2.3.3): static 1 to 61, then dynamic, newest first.
fn lookup(table: &VecDeque<Entry>, i: usize) -> Result<(&[u8], &[u8]), HpackError> {
    match i {
        0 => Err(HpackError::Index),
        1..=61 => {
            let (n, v) = STATIC[i - 1];
            Ok((n.as_bytes(), v.as_bytes()))
        }
        _ => table
            .get(i - 62)
            .map(|e| (e.name(), e.value()))
            .ok_or(HpackError::Index),
    }
}

/// §5.1: an integer with an `n`-bit prefix, and the bytes it took; `None` when `src` ends first.
fn integer(src: &[u8], n: u32) -> Result<Option<(usize, usize)>, HpackError> {
    let max_prefix = (1usize << n) - 1;
    let mut value = usize::from(src[0]) & max_prefix;
    if value < max_prefix {
        return Ok(Some((value, 1)));
    }
    let mut shift = 0u32;
    for (i, &b) in src.iter().enumerate().skip(1) {
        if shift > 28 {
            return Err(HpackError::Integer);
        }
        value += usize::from(b & 0x7f) << shift;
        if value > MAX_INT {
            return Err(HpackError::Integer);
        }
        if b & 0x80 == 0 {
            return Ok(Some((value, i + 1)));
        }
        shift += 7;
    }
    Ok(None)
}

/// §5.2: a string literal, appended to `out` (Huffman-decoded when its H bit is set); the
/// bytes it took, or `None` when `src` ends first.
fn string(src: &[u8], out: &mut Vec<u8>) -> Result<Option<usize>, HpackError> {
    if src.is_empty() {
        return Ok(None);
    }
    let Some((len, at)) = integer(src, 7)? else {
        return Ok(None);
    };
    let Some(raw) = src.get(at..at + len) else {
        return Ok(None);
    };
    if src[0] & 0x80 != 0 {
        huffman::decode(raw, out).map_err(|_| HpackError::Huffman)?;
    } else {
        out.extend_from_slice(raw);
    }
    Ok(Some(at + len))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    fn fields(d: &mut Decoder, block: &[u8]) -> Result<Vec<(String, String)>, HpackError> {
        let mut out = Vec::new();
        d.start_block();
        let used = d.decode(block, &mut |n, v| {
            out.push((
                String::from_utf8_lossy(n).into_owned(),
                String::from_utf8_lossy(v).into_owned(),
            ))
        })?;
        assert_eq!(used, block.len(), "the whole block is decoded");
        Ok(out)
    }

    fn table(d: &Decoder) -> Vec<(String, String)> {
        d.table
            .iter()
            .map(|e| {
                (
                    String::from_utf8_lossy(e.name()).into_owned(),
                    String::from_utf8_lossy(e.value()).into_owned(),
                )
            })
            .collect()
    }

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    }

    /// RFC 7541 Appendix C.1: integers (§5.1).
    #[test]
    fn integers_of_appendix_c_1() {
        // C.1.1: 10 in a 5-bit prefix; C.1.2: 1337 in a 5-bit prefix; C.1.3: 42 at an octet
        // boundary (an 8-bit prefix).
        assert_eq!(integer(&[0b0000_1010], 5), Ok(Some((10, 1))));
        assert_eq!(
            integer(&[0b0001_1111, 0b1001_1010, 0b0000_1010], 5),
            Ok(Some((1337, 3)))
        );
        assert_eq!(integer(&[0b0010_1010], 8), Ok(Some((42, 1))));
        // Cut short, and too large.
        assert_eq!(integer(&[0b0001_1111, 0b1001_1010], 5), Ok(None));
        assert_eq!(
            integer(&[0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], 5),
            Err(HpackError::Integer)
        );
    }

    /// An example: its name, block, fields, the table after it and the table's size.
    type Example = (&'static str, &'static str, Fields, Fields, usize);
    type Fields = &'static [(&'static str, &'static str)];

    /// Appendix C.2: one representation of each kind, with the table after it.
    #[test]
    fn representations_of_appendix_c_2() {
        // (example, block, fields, table after, table size after)
        let cases: [Example; 4] = [
            (
                "C.2.1 literal with incremental indexing (§6.2.1)",
                "400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572",
                &[("custom-key", "custom-header")],
                &[("custom-key", "custom-header")],
                55,
            ),
            (
                "C.2.2 literal without indexing (§6.2.2)",
                "040c 2f73 616d 706c 652f 7061 7468",
                &[(":path", "/sample/path")],
                &[],
                0,
            ),
            (
                "C.2.3 literal never indexed (§6.2.3)",
                "1008 7061 7373 776f 7264 0673 6563 7265 74",
                &[("password", "secret")],
                &[],
                0,
            ),
            ("C.2.4 indexed (§6.1)", "82", &[(":method", "GET")], &[], 0),
        ];
        for (name, block, want, after, size) in cases {
            let mut d = Decoder::new(4096);
            assert_eq!(fields(&mut d, &hex(block)), Ok(pairs(want)), "{name}");
            assert_eq!(table(&d), pairs(after), "{name}");
            assert_eq!(d.sizes().0, size, "{name}");
        }
    }

    /// Appendix C.3 (plain strings) and C.4 (the same requests, Huffman-coded): three requests
    /// on one connection, each using the table the previous left (§2.3.2, §4.4).
    #[test]
    fn requests_of_appendix_c_3_and_c_4() {
        let first = [
            (":method", "GET"),
            (":scheme", "http"),
            (":path", "/"),
            (":authority", "www.example.com"),
        ];
        let second = [
            (":method", "GET"),
            (":scheme", "http"),
            (":path", "/"),
            (":authority", "www.example.com"),
            ("cache-control", "no-cache"),
        ];
        let third = [
            (":method", "GET"),
            (":scheme", "https"),
            (":path", "/index.html"),
            (":authority", "www.example.com"),
            ("custom-key", "custom-value"),
        ];
        let tables: [&[(&str, &str)]; 3] = [
            &[(":authority", "www.example.com")],
            &[
                ("cache-control", "no-cache"),
                (":authority", "www.example.com"),
            ],
            &[
                ("custom-key", "custom-value"),
                ("cache-control", "no-cache"),
                (":authority", "www.example.com"),
            ],
        ];
        let sizes = [57, 110, 164];
        let plain = [
            "8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d",
            "8286 84be 5808 6e6f 2d63 6163 6865",
            "8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65",
        ];
        let huffman = [
            "8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff",
            "8286 84be 5886 a8eb 1064 9cbf",
            "8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf",
        ];
        for (example, blocks) in [("C.3", plain), ("C.4", huffman)] {
            let mut d = Decoder::new(4096);
            for (i, want) in [&first[..], &second, &third].into_iter().enumerate() {
                assert_eq!(
                    fields(&mut d, &hex(blocks[i])),
                    Ok(pairs(want)),
                    "{example}.{}",
                    i + 1
                );
                assert_eq!(table(&d), pairs(tables[i]), "{example}.{}", i + 1);
                assert_eq!(d.sizes().0, sizes[i], "{example}.{}", i + 1);
            }
        }
    }

    /// Appendix C.5 (plain) and C.6 (Huffman): responses with a 256-byte table, so that
    /// entries are evicted (§4.4).
    #[test]
    fn responses_of_appendix_c_5_and_c_6_evict() {
        let date1 = "Mon, 21 Oct 2013 20:13:21 GMT";
        let date2 = "Mon, 21 Oct 2013 20:13:22 GMT";
        let loc = "https://www.example.com";
        let cookie = "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1";
        let first = [
            (":status", "302"),
            ("cache-control", "private"),
            ("date", date1),
            ("location", loc),
        ];
        let second = [
            (":status", "307"),
            ("cache-control", "private"),
            ("date", date1),
            ("location", loc),
        ];
        let third = [
            (":status", "200"),
            ("cache-control", "private"),
            ("date", date2),
            ("location", loc),
            ("content-encoding", "gzip"),
            ("set-cookie", cookie),
        ];
        let tables: [&[(&str, &str)]; 3] = [
            &[
                ("location", loc),
                ("date", date1),
                ("cache-control", "private"),
                (":status", "302"),
            ],
            &[
                (":status", "307"),
                ("location", loc),
                ("date", date1),
                ("cache-control", "private"),
            ],
            &[
                ("set-cookie", cookie),
                ("content-encoding", "gzip"),
                ("date", date2),
            ],
        ];
        let sizes = [222, 222, 215];
        let plain = [
            "4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133
             2032 303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70
             6c65 2e63 6f6d",
            "4803 3330 37c1 c0bf",
            "88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d
             54c0 5a04 677a 6970 7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049
             5541 5851 5745 4f49 553b 206d 6178 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e
             3d31",
        ];
        let huffman = [
            "4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6
             2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3",
            "4883 640e ffc1 c0bf",
            "88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab
             77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f
             9587 3160 65c0 03ed 4ee5 b106 3d50 07",
        ];
        for (example, blocks) in [("C.5", plain), ("C.6", huffman)] {
            // The examples' SETTINGS_HEADER_TABLE_SIZE is 256.
            let mut d = Decoder::new(256);
            for (i, want) in [&first[..], &second, &third].into_iter().enumerate() {
                assert_eq!(
                    fields(&mut d, &hex(blocks[i])),
                    Ok(pairs(want)),
                    "{example}.{}",
                    i + 1
                );
                assert_eq!(table(&d), pairs(tables[i]), "{example}.{}", i + 1);
                assert_eq!(d.sizes().0, sizes[i], "{example}.{}", i + 1);
            }
        }
    }

    /// Blocks the decoder must refuse, and size updates it must apply, each by its rule.
    #[test]
    fn errors_and_size_updates() {
        let cases: [(&str, &str, Result<usize, HpackError>); 7] = [
            ("§6.1: index 0", "80", Err(HpackError::Index)),
            (
                "§2.3.3: past the static table",
                "be",
                Err(HpackError::Index),
            ),
            (
                "§4.2: a size update above SETTINGS_HEADER_TABLE_SIZE",
                "3fe2 1f",
                Err(HpackError::SizeAboveLimit),
            ),
            (
                "§4.2: a size update after a field",
                "82 20",
                Err(HpackError::SizeUpdateLate),
            ),
            (
                "§5.2: EOS in a Huffman string",
                "0085 ffff ffff ff01 61",
                Err(HpackError::Huffman),
            ),
            ("§6.3: a size update to 0, then a field", "20 82", Ok(2)),
            ("§6.3: two size updates at the start", "3fe1 0f 20", Ok(4)),
        ];
        for (rule, block, want) in cases {
            let mut d = Decoder::new(4096);
            d.start_block();
            assert_eq!(d.decode(&hex(block), &mut |_, _| {}), want, "{rule}");
        }
        // §4.3: a smaller maximum evicts; §4.4: an entry larger than the table empties it.
        let mut d = Decoder::new(4096);
        fields(
            &mut d,
            &hex("400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572"),
        )
        .unwrap();
        assert_eq!(d.sizes(), (55, 4096));
        fields(&mut d, &hex("3f11")).unwrap(); // size update to 31 + 17 = 48
        assert_eq!(d.sizes(), (0, 48));
        fields(&mut d, &hex("4003 6162 6303 6465 66")).unwrap(); // abc: def, 38 bytes
        assert_eq!(d.sizes(), (38, 48));
        fields(&mut d, &hex("4003 6162 6305 6465 6667 68")).unwrap(); // 40 bytes: evicts
        assert_eq!(table(&d), pairs(&[("abc", "defgh")]));
        fields(&mut d, &hex("4003 6162 630c 3031 3233 3435 3637 3839 3031")).unwrap(); // 47
        fields(
            &mut d,
            &hex("4003 6162 630e 3031 3233 3435 3637 3839 3031 3233"),
        )
        .unwrap(); // 49
        assert_eq!(d.sizes(), (0, 48));
        assert_eq!(fields(&mut d, &hex("be")), Err(HpackError::Index));
    }

    /// C.4.1 and C.4.2, which C.4.3 refers to.
    fn prime(d: &mut Decoder) {
        fields(d, &hex("8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff")).unwrap();
        fields(d, &hex("8286 84be 5886 a8eb 1064 9cbf")).unwrap();
    }

    /// A block cut anywhere decodes to the same fields, piece by piece, as whole.
    #[test]
    fn a_block_in_pieces_decodes_as_whole() {
        let block = hex("8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf");
        let mut whole = Decoder::new(4096);
        prime(&mut whole);
        let want = fields(&mut whole, &block).unwrap();
        for cut in 0..=block.len() {
            let mut d = Decoder::new(4096);
            prime(&mut d);
            let mut got = Vec::new();
            let mut push = |n: &[u8], v: &[u8]| {
                got.push((
                    String::from_utf8_lossy(n).into_owned(),
                    String::from_utf8_lossy(v).into_owned(),
                ))
            };
            d.start_block();
            let used = d.decode(&block[..cut], &mut push).unwrap();
            let mut rest = block[used..cut].to_vec();
            rest.extend_from_slice(&block[cut..]);
            assert_eq!(d.decode(&rest, &mut push), Ok(rest.len()), "cut at {cut}");
            assert_eq!(got, want, "cut at {cut}");
        }
    }
}
