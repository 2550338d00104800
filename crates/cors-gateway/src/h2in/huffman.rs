//! HPACK's Huffman code (RFC 7541 §5.2, Appendix B), decoding only.
//!
//! The code of Appendix B is canonical: codes of one length are consecutive, in the order of
//! their symbols, and each length's first code follows the previous length's last. So the
//! bit length of each symbol is all the table needs (written out below, spec data), and the
//! codes themselves are computed from the lengths at compile time. Decoding finds a code's
//! length by comparing the next 32 bits, left-aligned, with each length's upper bound.

/// The bit length of each symbol's code, RFC 7541 Appendix B: bytes 0 to 255, then EOS.
const LENGTHS: [u8; 257] = [
    13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, // 0x00..=0x0f
    28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28, // 0x10..=0x1f
    6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6, // 0x20..=0x2f
    5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10, // 0x30..=0x3f
    13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, // 0x40..=0x4f
    7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6, // 0x50..=0x5f
    15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5, // 0x60..=0x6f
    6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28, // 0x70..=0x7f
    20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23, // 0x80..=0x8f
    24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24, // 0x90..=0x9f
    22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23, // 0xa0..=0xaf
    21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23, // 0xb0..=0xbf
    26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25, // 0xc0..=0xcf
    19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27, // 0xd0..=0xdf
    20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23, // 0xe0..=0xef
    26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26, // 0xf0..=0xff
    30, // EOS (256)
];

/// Codes are 5 to 30 bits long (Appendix B).
const MIN_LEN: usize = 5;
const MAX_LEN: usize = 30;
/// The end-of-string symbol, never valid inside a string (§5.2).
const EOS: u16 = 256;

/// The canonical code, derived from [`LENGTHS`].
struct Canonical {
    /// Symbols in code order: by length, then by symbol.
    symbols: [u16; 257],
    /// For each length, where its symbols begin in `symbols`.
    offset: [u16; MAX_LEN + 1],
    /// For each length, its first code.
    first: [u32; MAX_LEN + 1],
    /// For each length, one past its last code, left-aligned in 32 bits (as u64, so that the
    /// bound of the longest codes, 2^32, fits): a 32-bit window below it and at or above the
    /// previous length's bound begins with a code of this length.
    limit: [u64; MAX_LEN + 1],
}

const fn canonical() -> Canonical {
    let mut c = Canonical {
        symbols: [0; 257],
        offset: [0; MAX_LEN + 1],
        first: [0; MAX_LEN + 1],
        limit: [0; MAX_LEN + 1],
    };
    let mut n = 0;
    let mut code: u32 = 0;
    let mut len = 1;
    while len <= MAX_LEN {
        c.offset[len] = n as u16;
        c.first[len] = code;
        let mut sym = 0;
        while sym < 257 {
            if LENGTHS[sym] as usize == len {
                c.symbols[n] = sym as u16;
                n += 1;
                code += 1;
            }
            sym += 1;
        }
        c.limit[len] = (code as u64) << (32 - len);
        code <<= 1;
        len += 1;
    }
    c
}

const CODE: Canonical = canonical();

/// A Huffman-coded string that is not one (RFC 7541 §5.2): it holds EOS, or ends in padding
/// longer than 7 bits or not made of the most significant bits of EOS (all ones).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Invalid;

/// Appends the decoding of `src` to `out`.
pub fn decode(src: &[u8], out: &mut Vec<u8>) -> Result<(), Invalid> {
    // The bits not yet decoded, left-aligned: the top `have` bits of `acc`.
    let mut acc: u64 = 0;
    let mut have: usize = 0;
    let mut next = src.iter();
    loop {
        while have <= 56 {
            match next.next() {
                Some(&b) => {
                    acc |= u64::from(b) << (56 - have);
                    have += 8;
                }
                None => break,
            }
        }
        if have == 0 {
            return Ok(());
        }
        // The next 32 bits; past the end of the string, ones (so padding reads as EOS's start).
        let window = (acc >> 32) as u32 | if have < 32 { u32::MAX >> have } else { 0 };
        let mut len = MIN_LEN;
        while u64::from(window) >= CODE.limit[len] {
            len += 1;
        }
        if len > have {
            // Only padding is left (more than 56 bits would hold a whole code): §5.2 allows at
            // most 7 bits of it, all ones.
            let ones = acc >> (64 - have) == (1u64 << have) - 1;
            return if have < 8 && ones {
                Ok(())
            } else {
                Err(Invalid)
            };
        }
        let index = usize::from(CODE.offset[len]) + (window >> (32 - len)) as usize
            - CODE.first[len] as usize;
        let sym = CODE.symbols[index];
        if sym == EOS {
            return Err(Invalid);
        }
        out.push(sym as u8);
        acc <<= len;
        have -= len;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Encodes with the canonical code (test only: the gateway never encodes).
    fn encode(src: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let (mut acc, mut have) = (0u64, 0usize);
        for &b in src {
            let (code, len) = code_of(usize::from(b));
            acc = (acc << len) | u64::from(code);
            have += len;
            while have >= 8 {
                out.push((acc >> (have - 8)) as u8);
                have -= 8;
            }
        }
        if have > 0 {
            let pad = 8 - have;
            out.push(((acc << pad) as u8) | ((1u8 << pad) - 1));
        }
        out
    }

    fn code_of(sym: usize) -> (u32, usize) {
        let len = usize::from(LENGTHS[sym]);
        let start = usize::from(CODE.offset[len]);
        let rank = CODE.symbols[start..]
            .iter()
            .position(|&s| usize::from(s) == sym)
            .unwrap();
        (CODE.first[len] + rank as u32, len)
    }

    /// Codes as RFC 7541 Appendix B prints them (code as hex, length): the computed canonical
    /// code must agree, across lengths.
    #[test]
    fn the_computed_code_is_appendix_b() {
        for (sym, code, len) in [
            (0, 0x1ff8, 13),
            (1, 0x7fffd8, 23),
            (2, 0xfffffe2, 28),
            (9, 0xffffea, 24),
            (10, 0x3ffffffc, 30),
            (13, 0x3ffffffd, 30),
            (22, 0x3ffffffe, 30),
            (usize::from(b' '), 0x14, 6),
            (usize::from(b'0'), 0x0, 5),
            (usize::from(b'a'), 0x3, 5),
            (usize::from(b'A'), 0x21, 6),
            (usize::from(b'Z'), 0xfd, 8),
            (usize::from(b'~'), 0x1ffd, 13),
            (255, 0x3ffffee, 26),
            (256, 0x3fffffff, 30),
        ] {
            assert_eq!(code_of(sym), (code, len), "symbol {sym}");
        }
    }

    /// Kraft's equality: the lengths make a complete prefix code, so every bit string decodes.
    #[test]
    fn the_lengths_make_a_complete_code() {
        let sum: u64 = LENGTHS.iter().map(|&l| 1u64 << (30 - u32::from(l))).sum();
        assert_eq!(sum, 1 << 30);
    }

    #[test]
    fn strings_of_rfc_7541_appendix_c_decode() {
        // C.4.1, C.4.2, C.4.3 and C.6.1 (§5.2).
        for (coded, plain) in [
            (
                &b"\xf1\xe3\xc2\xe5\xf2\x3a\x6b\xa0\xab\x90\xf4\xff"[..],
                &b"www.example.com"[..],
            ),
            (b"\xa8\xeb\x10\x64\x9c\xbf", b"no-cache"),
            (b"\x25\xa8\x49\xe9\x5b\xa9\x7d\x7f", b"custom-key"),
            (b"\x25\xa8\x49\xe9\x5b\xb8\xe8\xb4\xbf", b"custom-value"),
            (b"\x64\x02", b"302"),
            (b"\xae\xc3\x77\x1a\x4b", b"private"),
        ] {
            let mut out = Vec::new();
            assert_eq!(decode(coded, &mut out), Ok(()));
            assert_eq!(out, plain);
        }
    }

    /// §5.2: EOS in a string, padding of 8 bits or more, and padding that is not all ones
    /// are decoding errors.
    #[test]
    fn invalid_strings_are_refused() {
        for bad in [
            &b"\xff\xff\xff\xfc"[..], // EOS, 30 ones, then 2 bits of padding
            b"\x1f\xff",              // 'a' (00011) then 11 bits of ones
            b"\x18",                  // 'a' then padding 000
            b"\xff",                  // 8 bits of padding alone
        ] {
            assert_eq!(decode(bad, &mut Vec::new()), Err(Invalid), "{bad:02x?}");
        }
        assert_eq!(decode(b"\x1f", &mut Vec::new()), Ok(()), "'a' then 111");
    }

    proptest::proptest! {
        #[test]
        fn decoding_inverts_encoding(s in proptest::collection::vec(proptest::num::u8::ANY, 0..200)) {
            let mut out = Vec::new();
            proptest::prop_assert_eq!(decode(&encode(&s), &mut out), Ok(()));
            proptest::prop_assert_eq!(out, s);
        }

        #[test]
        fn any_bytes_decode_or_are_refused(s in proptest::collection::vec(proptest::num::u8::ANY, 0..200)) {
            let mut out = Vec::new();
            if decode(&s, &mut out).is_ok() {
                proptest::prop_assert_eq!(encode(&out), s);
            }
        }
    }
}
