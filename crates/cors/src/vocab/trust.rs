//! Loopback hosts and potentially trustworthy origins, in one place for the policy and the agent.
//!
//! The rules are Secure Contexts §3.1 "Is origin potentially trustworthy?"
//! (<https://w3c.github.io/webappsec-secure-contexts/#is-origin-trustworthy>): `https` and `wss`;
//! a host in 127.0.0.0/8 or `::1/128`; the names `localhost` and `localhost.` and names ending
//! in `.localhost` or `.localhost.` (which RFC 6761 §6.3 and "let localhost be localhost" reserve
//! for loopback); `file`. Hosts are taken in their serialized form (lowercase, IPv6 in brackets),
//! as [`Origin::host`](super::Origin::host) gives them.

use std::net::{Ipv4Addr, Ipv6Addr};

/// `true` for the names Secure Contexts §3.1 step 4 resolves to loopback: `localhost`,
/// `localhost.`, and names ending in `.localhost` or `.localhost.`.
///
/// ```
/// use cors::vocab::trust::is_localhost_name;
/// assert!(is_localhost_name("localhost.") && is_localhost_name("app.localhost"));
/// assert!(!is_localhost_name("evillocalhost") && !is_localhost_name("localhost.evil.example"));
/// ```
pub fn is_localhost_name(host: &str) -> bool {
    let name = host.strip_suffix('.').unwrap_or(host);
    name == "localhost" || name.ends_with(".localhost")
}

/// `true` when `host` is a loopback address (127.0.0.0/8 or `[::1]`, Secure Contexts §3.1 step 3)
/// or a localhost name ([`is_localhost_name`]).
///
/// ```
/// use cors::vocab::trust::host_is_loopback;
/// assert!(host_is_loopback("127.9.0.1") && host_is_loopback("[::1]") && host_is_loopback("localhost"));
/// assert!(!host_is_loopback("127.a.b.c") && !host_is_loopback("[::ffff:7f00:1]"));
/// ```
pub fn host_is_loopback(host: &str) -> bool {
    if let Some(v6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return v6
            .parse::<Ipv6Addr>()
            .is_ok_and(|a| a == Ipv6Addr::LOCALHOST);
    }
    if let Ok(v4) = host.parse::<Ipv4Addr>() {
        return v4.octets()[0] == 127;
    }
    is_localhost_name(host)
}

/// `true` for a potentially trustworthy (non-opaque) origin given its scheme and serialized host
/// (Secure Contexts §3.1 steps 2–5).
pub fn is_potentially_trustworthy(scheme: &str, host: &str) -> bool {
    matches!(scheme, "https" | "wss" | "file") || host_is_loopback(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secure_contexts_rows() {
        let rows: &[(&str, &str, bool, &str)] = &[
            ("https", "example.com", true, "step 2: https"),
            ("wss", "example.com", true, "step 2: wss"),
            ("http", "127.0.0.1", true, "step 3: 127.0.0.0/8"),
            ("http", "127.255.0.9", true, "step 3: 127.0.0.0/8"),
            ("http", "[::1]", true, "step 3: ::1/128"),
            ("http", "localhost", true, "step 4: localhost"),
            ("http", "localhost.", true, "step 4: localhost."),
            ("http", "a.b.localhost", true, "step 4: .localhost"),
            ("http", "a.localhost.", true, "step 4: .localhost."),
            ("file", "", true, "step 5: file"),
            ("http", "128.0.0.1", false, "outside 127/8"),
            ("http", "127.a.b.c", false, "a domain, not an address"),
            ("http", "[::2]", false, "not ::1"),
            (
                "http",
                "[::ffff:7f00:1]",
                false,
                "IPv4-mapped is not ::1/128",
            ),
            ("http", "evillocalhost", false, "not a label boundary"),
            (
                "http",
                "localhost.evil.example",
                false,
                "localhost as a prefix",
            ),
            ("http", "localhost..", false, "two trailing dots"),
            ("ws", "example.com", false, "step 7"),
        ];
        for (scheme, host, want, rule) in rows {
            assert_eq!(
                is_potentially_trustworthy(scheme, host),
                *want,
                "{rule}: {scheme} {host}"
            );
        }
    }
}
