//! Property: for any host a browser could be given, the canonical origin the project computes is
//! the URL Standard's ASCII serialization, as the `url` crate's WHATWG parser gives it.

use cors::vocab::Origin;
use proptest::prelude::*;

/// An IPv4 part in decimal, hex (`0x`) or octal (leading `0`), as the URL Standard's IPv4 parser
/// reads them (URL `#concept-ipv4-parser`).
fn number(n: u32) -> impl Strategy<Value = String> {
    prop_oneof![
        Just(n.to_string()),
        Just(format!("0x{n:x}")),
        Just(format!("0X{n:X}")),
        Just(format!("0{n:o}")),
    ]
}

fn ipv4() -> impl Strategy<Value = String> {
    prop_oneof![
        // Four parts.
        prop::collection::vec(0u32..=255, 4).prop_flat_map(|o| {
            (number(o[0]), number(o[1]), number(o[2]), number(o[3]))
                .prop_map(|(a, b, c, d)| format!("{a}.{b}.{c}.{d}"))
        }),
        // One 32-bit number, or `a.b` with a 24-bit tail.
        any::<u32>().prop_flat_map(number),
        (0u32..=255, 0u32..=0xff_ffff)
            .prop_flat_map(|(a, b)| (number(a), number(b)).prop_map(|(a, b)| format!("{a}.{b}"))),
        // A trailing dot is allowed after an IPv4 address.
        prop::collection::vec(0u32..=255, 4)
            .prop_map(|o| format!("{}.{}.{}.{}.", o[0], o[1], o[2], o[3])),
    ]
}

fn ipv6() -> impl Strategy<Value = String> {
    let piece = prop_oneof![Just(0u16), Just(1u16), Just(0xffffu16), any::<u16>()];
    let pieces = prop_oneof![
        prop::collection::vec(piece, 8),
        // IPv4-mapped (`::ffff:a.b.c.d`) and IPv4-compatible (`::a.b.c.d`) addresses.
        (
            any::<u16>(),
            any::<u16>(),
            prop_oneof![Just(0u16), Just(0xffffu16)]
        )
            .prop_map(|(a, b, m)| vec![0, 0, 0, 0, 0, m, a, b]),
    ];
    (pieces, any::<bool>(), any::<bool>(), any::<bool>()).prop_map(
        |(p, embed_v4, compress, upper)| {
            let mut parts: Vec<String> = p.iter().map(|x| format!("{x:x}")).collect();
            if embed_v4 {
                let (a, b) = (p[6], p[7]);
                parts.truncate(6);
                parts.push(format!("{}.{}.{}.{}", a >> 8, a & 0xff, b >> 8, b & 0xff));
            }
            let mut s = parts.join(":");
            if compress {
                // Compress the first run of "0:" pieces (not a correct minimal form on purpose).
                if let Some(i) = s.find("0:0:") {
                    if i == 0 || s.as_bytes()[i - 1] == b':' {
                        s.replace_range(i..i + 4, if i == 0 { "::" } else { ":" });
                    }
                }
            }
            if upper {
                s = s.to_uppercase();
            }
            format!("[{s}]")
        },
    )
}

fn domain() -> impl Strategy<Value = String> {
    (
        prop::collection::vec("[a-zA-Z0-9][a-zA-Z0-9-]{0,6}", 1..4),
        prop_oneof![
            Just("localhost"),
            Just("example"),
            Just("com"),
            Just("Xn--bcher-kva")
        ],
        any::<bool>(),
    )
        .prop_map(|(labels, tld, dot)| {
            format!("{}.{tld}{}", labels.join("."), if dot { "." } else { "" })
        })
}

fn origin_text() -> impl Strategy<Value = String> {
    (
        prop_oneof![Just("http"), Just("https"), Just("HTTP")],
        prop_oneof![ipv4(), ipv6(), domain()],
        prop::option::of(prop_oneof![Just(80u16), Just(443u16), any::<u16>()]),
    )
        .prop_map(|(scheme, host, port)| match port {
            Some(p) => format!("{scheme}://{host}:{p}"),
            None => format!("{scheme}://{host}"),
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]
    #[test]
    fn canonical_origin_is_the_url_standard_serialization(text in origin_text()) {
        let ours = Origin::parse(&text);
        let theirs = url::Url::parse(&text).map(|u| u.origin().ascii_serialization());
        if let (Ok(o), Ok(want)) = (&ours, &theirs) {
            prop_assert_eq!(o.as_str(), want.as_str(), "{}", text);
        }
    }
}

/// Corners, one row each (URL `#concept-ipv4-parser`, `#concept-ipv6-serializer`).
#[test]
fn corners() {
    let rows: &[(&str, &str)] = &[
        ("http://0x7f.1", "http://127.0.0.1"),
        ("http://0177.0.0.1", "http://127.0.0.1"),
        ("http://2130706433", "http://127.0.0.1"),
        ("http://127.0.0.1.", "http://127.0.0.1"),
        ("http://[::FFFF:127.0.0.1]:90", "http://[::ffff:7f00:1]:90"),
        ("http://[0:0:0:0:0:0:1.2.3.4]", "http://[::102:304]"),
        ("http://Example.COM.:8080", "http://example.com.:8080"),
        ("http://localhost.", "http://localhost."),
    ];
    for (input, want) in rows {
        assert_eq!(Origin::parse(input).unwrap().as_str(), *want, "{input}");
        let u = url::Url::parse(input).unwrap();
        assert_eq!(u.origin().ascii_serialization(), *want, "{input}");
    }
}
