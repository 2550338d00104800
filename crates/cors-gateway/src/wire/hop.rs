//! The hop-by-hop rules of a proxy (RFC 9110 §7.6.1): which fields belong to one connection
//! only, what a `Connection` value names, and their removal before a message is forwarded.
//! Used by both sides of the gateway: the server and the upstream client.

use http::header::{self, HeaderMap, HeaderName};

/// The hop-by-hop fields of RFC 9110 §7.6.1 that go whether or not `Connection` names them.
pub static HOP_BY_HOP: [HeaderName; 6] = [
    header::CONNECTION,
    HeaderName::from_static("proxy-connection"),
    HeaderName::from_static("keep-alive"),
    header::TE,
    header::TRANSFER_ENCODING,
    header::UPGRADE,
];

/// Which of [`HOP_BY_HOP`] a (lowercase) field name is.
pub fn hop_by_hop(name: &str) -> Option<HopByHop> {
    Some(match name {
        "connection" => HopByHop::Connection,
        "proxy-connection" => HopByHop::Other(1),
        "keep-alive" => HopByHop::Other(2),
        "te" => HopByHop::Other(3),
        "transfer-encoding" => HopByHop::TransferEncoding,
        "upgrade" => HopByHop::Other(5),
        _ => return None,
    })
}

/// A field of [`HOP_BY_HOP`]: the two whose values matter to a proxy, and the others by index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HopByHop {
    Connection,
    TransferEncoding,
    Other(usize),
}

impl HopByHop {
    /// Its place in the list of hop-by-hop fields.
    pub fn index(self) -> usize {
        match self {
            HopByHop::Connection => 0,
            HopByHop::TransferEncoding => 4,
            HopByHop::Other(i) => i,
        }
    }
}

/// The fields a `Connection` value names for removal (RFC 9110 §7.6.1), other than the ones in
/// [`HOP_BY_HOP`], which go anyway. (`close` is among them: "Close" is a reserved field name,
/// RFC 9110 §18.4.)
pub fn connection_named(value: &[u8]) -> impl Iterator<Item = HeaderName> + '_ {
    value
        .split(|&b| b == b',')
        .map(<[u8]>::trim_ascii)
        .filter(|t| {
            !t.is_empty()
                && !HOP_BY_HOP
                    .iter()
                    .any(|h| t.eq_ignore_ascii_case(h.as_str().as_bytes()))
        })
        .filter_map(|t| HeaderName::from_bytes(t).ok())
}

/// Whether a `Connection` value lists `option` (RFC 9110 §7.6.1; options are case-insensitive).
pub fn connection_has(value: &[u8], option: &[u8]) -> bool {
    value
        .split(|&b| b == b',')
        .any(|t| t.trim_ascii().eq_ignore_ascii_case(option))
}

/// Whether a `Connection` value has the `close` option (RFC 9112 §9.6).
pub fn connection_close(value: &[u8]) -> bool {
    connection_has(value, b"close")
}

/// RFC 9110 §7.6.1: a proxy removes `Connection`, every field it names, and the hop-by-hop
/// fields `Proxy-Connection`, `Keep-Alive`, `TE`, `Transfer-Encoding` and `Upgrade`. (The
/// upstream client applies the same rule to responses while it parses them.)
pub fn remove_hop_by_hop(h: &mut HeaderMap) {
    // One pass over the names (no hashing) finds which are there; most messages have one
    // (`Connection: keep-alive`) or none.
    let mut present = [false; HOP_BY_HOP.len()];
    for name in h.keys() {
        if let Some(f) = hop_by_hop(name.as_str()) {
            present[f.index()] = true;
        }
    }
    if present[0] {
        // The fields `Connection` names (the ones removed anyway need no second lookup).
        let named: Vec<HeaderName> = h
            .get_all(header::CONNECTION)
            .iter()
            .flat_map(|v| connection_named(v.as_bytes()))
            .collect();
        for n in named {
            h.remove(n);
        }
    }
    for (name, _) in HOP_BY_HOP.iter().zip(present).filter(|(_, p)| *p) {
        h.remove(name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    #[test]
    fn hop_by_hop_fields_go_with_the_ones_connection_names() {
        let mut h = HeaderMap::new();
        h.insert(
            "connection",
            HeaderValue::from_static("keep-alive, X-Secret"),
        );
        h.insert("keep-alive", HeaderValue::from_static("timeout=5"));
        h.insert("x-secret", HeaderValue::from_static("1"));
        h.insert("te", HeaderValue::from_static("trailers"));
        h.insert("upgrade", HeaderValue::from_static("websocket"));
        h.insert("x-kept", HeaderValue::from_static("1"));
        remove_hop_by_hop(&mut h);
        assert_eq!(h.keys().map(|k| k.as_str()).collect::<Vec<_>>(), ["x-kept"]);

        // Each hop-by-hop field alone, and names given in any case and spacing.
        for name in HOP_BY_HOP.iter() {
            let mut h = HeaderMap::new();
            h.insert(name.clone(), HeaderValue::from_static("x"));
            h.insert("x-kept", HeaderValue::from_static("1"));
            remove_hop_by_hop(&mut h);
            assert_eq!(h.len(), 1, "{name}");
        }
        let mut h = HeaderMap::new();
        h.append("connection", HeaderValue::from_static("close"));
        h.append("connection", HeaderValue::from_static(" X-A ,x-b,,"));
        h.insert("close", HeaderValue::from_static("1"));
        h.insert("x-a", HeaderValue::from_static("1"));
        h.insert("x-b", HeaderValue::from_static("1"));
        h.insert("x-kept", HeaderValue::from_static("1"));
        remove_hop_by_hop(&mut h);
        assert_eq!(h.keys().map(|k| k.as_str()).collect::<Vec<_>>(), ["x-kept"]);
    }
}
