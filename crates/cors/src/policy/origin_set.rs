//! Allowed origins compiled for lookup: exact origins in a hash set (and, up to four, in a list
//! compared one by one), subdomain patterns keyed by their base domain, any-port patterns keyed
//! by host. A lookup costs one hash probe per label of the request's host, whatever the number
//! of entries.

use crate::vocab::origin::is_http_scheme;
use crate::vocab::trust;
use crate::vocab::{HeaderOrigin, Origin, OriginError};
use foldhash::fast::FixedState;
use std::collections::{HashMap, HashSet};

/// An entry of `allowed_origins`, parsed: what [`Policy::origin_patterns`](super::Policy::origin_patterns)
/// lists, for tools that translate a policy into another server's configuration (`cors export`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OriginPattern {
    /// `*`
    Any,
    /// An exact origin.
    Exact(Origin),
    /// `scheme://*.base[:port]`: one or more labels before `.base`.
    Subdomains {
        /// The scheme, lowercase.
        scheme: String,
        /// The base domain, serialized (lowercase, punycode).
        base: String,
        /// The port part.
        port: PortSpec,
    },
    /// `scheme://host:*`
    AnyPort {
        /// The scheme, lowercase.
        scheme: String,
        /// The host, serialized (IPv6 in brackets).
        host: String,
    },
}

/// The port part of a subdomain pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PortSpec {
    /// No port in the origin (the scheme's default).
    Default,
    /// This port.
    Exact(u16),
    /// Any port, including none.
    Any,
}

impl PortSpec {
    fn matches(self, port: Option<u16>) -> bool {
        match self {
            PortSpec::Default => port.is_none(),
            PortSpec::Exact(p) => port == Some(p),
            PortSpec::Any => true,
        }
    }
}

/// Why a pattern does not parse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum PatternError {
    Origin(OriginError),
    Wildcard,
}

impl OriginPattern {
    /// Parses one configured entry. Wildcards are only `*` alone, `*.` as the whole leftmost
    /// label, or `:*` as the whole port.
    pub(crate) fn parse(input: &str, any_scheme: bool) -> Result<OriginPattern, PatternError> {
        if input == "*" {
            return Ok(OriginPattern::Any);
        }
        if !input.contains('*') {
            return Origin::parse_with(input, any_scheme)
                .map(OriginPattern::Exact)
                .map_err(PatternError::Origin);
        }
        let Some((scheme, rest)) = input.split_once("://") else {
            return Err(PatternError::Origin(OriginError::MissingScheme));
        };
        // Any port: `scheme://host:*` (host without wildcard).
        if let Some(host) = rest.strip_suffix(":*") {
            if !host.contains('*') {
                let o = Origin::parse_with(&format!("{scheme}://{host}"), any_scheme)
                    .map_err(PatternError::Origin)?;
                if o.port().is_some() {
                    return Err(PatternError::Wildcard);
                }
                return Ok(OriginPattern::AnyPort {
                    scheme: o.scheme().into(),
                    host: o.host().into(),
                });
            }
        }
        // Subdomains: `scheme://*.base[:port|:*]`.
        let Some(after) = rest.strip_prefix("*.") else {
            return Err(PatternError::Wildcard);
        };
        let (base_part, port) = match after.strip_suffix(":*") {
            Some(b) => (b, PortSpec::Any),
            None => (after, PortSpec::Default),
        };
        if base_part.contains('*') || base_part.starts_with('[') {
            return Err(PatternError::Wildcard);
        }
        let o = Origin::parse_with(&format!("{scheme}://{base_part}"), any_scheme)
            .map_err(PatternError::Origin)?;
        // The base must be a domain name, not an IP address.
        if o.host().starts_with('[')
            || o.host()
                .rsplit('.')
                .next()
                .is_some_and(|l| l.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(PatternError::Wildcard);
        }
        let port = match (port, o.port()) {
            (PortSpec::Any, _) => PortSpec::Any,
            (_, Some(p)) => PortSpec::Exact(p),
            (_, None) => PortSpec::Default,
        };
        Ok(OriginPattern::Subdomains {
            scheme: o.scheme().into(),
            base: o.host().into(),
            port,
        })
    }

    /// The scheme this pattern matches (`None` for `*`).
    pub(crate) fn scheme(&self) -> Option<&str> {
        match self {
            OriginPattern::Any => None,
            OriginPattern::Exact(o) => Some(o.scheme()),
            OriginPattern::Subdomains { scheme, .. } | OriginPattern::AnyPort { scheme, .. } => {
                Some(scheme)
            }
        }
    }

    /// `true` when every origin this pattern matches is potentially trustworthy (https or loopback).
    pub(crate) fn is_secure(&self) -> bool {
        match self {
            OriginPattern::Any => false,
            OriginPattern::Exact(o) => {
                o.is_potentially_trustworthy() || !is_http_scheme(o.scheme())
            }
            // Every name under a localhost name is one too (Secure Contexts §3.1 step 4).
            OriginPattern::Subdomains { scheme, base, .. } => {
                !is_http_scheme(scheme) || trust::is_potentially_trustworthy(scheme, base)
            }
            OriginPattern::AnyPort { scheme, host } => {
                !is_http_scheme(scheme) || trust::is_potentially_trustworthy(scheme, host)
            }
        }
    }
}

/// How an origin matched, for explanations and logs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OriginMatch {
    /// `*` is configured.
    Any,
    /// Listed exactly.
    Exact,
    /// Matched a `https://*.example.com` pattern.
    Subdomain,
    /// Matched a `http://localhost:*` pattern.
    AnyPort,
    /// `null`, allowed by `allow_null_origin`.
    Null,
    /// Allowed by the runtime predicate.
    Predicate,
}

/// Up to this many exact origins, a lookup compares them one by one instead of hashing.
const FEW: usize = 4;

/// A subdomain pattern's scheme and port, stored under its base domain.
type SchemePort = (Box<str>, PortSpec);

/// The compiled set of allowed origins.
#[derive(Clone, Debug, Default)]
pub(crate) struct OriginSet {
    pub(crate) any: bool,
    pub(crate) null: bool,
    /// Exact origins, serialized as browsers send them.
    exact: HashSet<Box<[u8]>, FixedState>,
    /// The same, while there are at most [`FEW`]: comparing a few byte strings (lengths first)
    /// costs less than hashing the request's origin.
    few: Vec<Box<[u8]>>,
    /// base domain → (scheme, port) variants.
    subdomains: HashMap<Box<str>, Vec<SchemePort>, FixedState>,
    /// host → schemes.
    any_port: HashMap<Box<str>, Vec<Box<str>>, FixedState>,
}

impl OriginSet {
    pub(crate) fn insert(&mut self, p: &OriginPattern) {
        match p {
            OriginPattern::Any => self.any = true,
            OriginPattern::Exact(o) => {
                let bytes: Box<[u8]> = o.as_str().as_bytes().into();
                if self.exact.insert(bytes.clone()) {
                    if self.exact.len() <= FEW {
                        self.few.push(bytes);
                    } else {
                        self.few.clear();
                    }
                }
            }
            OriginPattern::Subdomains { scheme, base, port } => self
                .subdomains
                .entry(base.as_str().into())
                .or_default()
                .push((scheme.as_str().into(), *port)),
            OriginPattern::AnyPort { scheme, host } => self
                .any_port
                .entry(host.as_str().into())
                .or_default()
                .push(scheme.as_str().into()),
        }
    }

    /// Looks an origin up. Never allocates.
    pub(crate) fn lookup(&self, origin: &HeaderOrigin<'_>) -> Option<OriginMatch> {
        if origin.is_null() {
            return self.null.then_some(OriginMatch::Null);
        }
        if self.contains_exact(origin.as_str().as_bytes()) {
            return Some(OriginMatch::Exact);
        }
        let (scheme, host, port) = (origin.scheme(), origin.host(), origin.port());
        if !self.any_port.is_empty() {
            if let Some(schemes) = self.any_port.get(host) {
                if schemes.iter().any(|s| &**s == scheme) {
                    return Some(OriginMatch::AnyPort);
                }
            }
        }
        if !self.subdomains.is_empty() && !host.starts_with('[') {
            // Every proper suffix of the host that starts after a dot: one hash probe per label.
            let mut rest = host;
            while let Some(dot) = rest.find('.') {
                rest = &rest[dot + 1..];
                if let Some(variants) = self.subdomains.get(rest) {
                    if variants
                        .iter()
                        .any(|(s, p)| &**s == scheme && p.matches(port))
                    {
                        return Some(OriginMatch::Subdomain);
                    }
                }
            }
        }
        None
    }

    /// `true` when the set can only ever answer `*` (the answer does not depend on the origin).
    /// Is this `Origin` header value, byte for byte, one of the exact origins? Entries are
    /// serialized origins, so a byte-equal value is well-formed and needs no parsing.
    #[inline]
    pub(crate) fn contains_exact(&self, raw: &[u8]) -> bool {
        if self.exact.len() <= FEW {
            self.few.iter().any(|o| **o == *raw)
        } else {
            self.exact.contains(raw)
        }
    }

    /// `true` when something beyond the exact origins can match: patterns or `null`.
    #[inline]
    pub(crate) fn has_patterns(&self) -> bool {
        self.null || !self.subdomains.is_empty() || !self.any_port.is_empty()
    }

    pub(crate) fn is_wildcard_only(&self) -> bool {
        self.any
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(patterns: &[&str]) -> OriginSet {
        let mut s = OriginSet::default();
        for p in patterns {
            s.insert(&OriginPattern::parse(p, false).unwrap());
        }
        s
    }

    fn lookup(s: &OriginSet, origin: &str) -> Option<OriginMatch> {
        s.lookup(&HeaderOrigin::parse(origin.as_bytes()).unwrap())
    }

    /// One row per matching rule of subdomain and any-port patterns.
    #[test]
    fn pattern_matching() {
        let s = set(&[
            "https://*.example.com",
            "http://localhost:*",
            "https://exact.test",
        ]);
        let rows: &[(&str, Option<OriginMatch>, &str)] = &[
            ("https://exact.test", Some(OriginMatch::Exact), "exact"),
            (
                "https://a.example.com",
                Some(OriginMatch::Subdomain),
                "one label",
            ),
            (
                "https://a.b.example.com",
                Some(OriginMatch::Subdomain),
                "several labels",
            ),
            (
                "https://example.com",
                None,
                "the base itself is not a subdomain",
            ),
            ("https://evil-example.com", None, "no dot boundary"),
            ("https://evilexample.com", None, "suffix without dot"),
            ("https://example.com.evil.com", None, "base as a prefix"),
            ("http://a.example.com", None, "other scheme"),
            ("https://a.example.com:8443", None, "other port"),
            (
                "http://localhost:3000",
                Some(OriginMatch::AnyPort),
                "any port",
            ),
            (
                "http://localhost",
                Some(OriginMatch::AnyPort),
                "default port",
            ),
            ("https://localhost:3000", None, "any-port keeps the scheme"),
            (
                "http://localhost.evil.com:3000",
                None,
                "any-port keeps the host",
            ),
            ("https://exact.test:444", None, "exact keeps the port"),
            ("null", None, "null needs the opt-in"),
        ];
        for (origin, want, rule) in rows {
            assert_eq!(lookup(&s, origin), *want, "{origin}: {rule}");
        }
    }

    /// Exact origins are found the same way below, at and above the size where the lookup
    /// switches from comparing one by one to hashing, duplicates included.
    #[test]
    fn exact_lookup_at_every_size() {
        let all: Vec<String> = (0..=FEW + 1)
            .map(|i| format!("https://a{i}.test"))
            .collect();
        for n in 1..=all.len() {
            let mut listed: Vec<&str> = all[..n].iter().map(String::as_str).collect();
            listed.push(all[0].as_str()); // a duplicate must not change the answer
            let s = set(&listed);
            for (i, o) in all.iter().enumerate() {
                assert_eq!(s.contains_exact(o.as_bytes()), i < n, "{o} with {n} listed");
            }
            assert!(!s.contains_exact(b"https://a0.test/"), "{n} listed");
            assert!(!s.contains_exact(b""), "{n} listed");
        }
    }

    #[test]
    fn pattern_syntax() {
        let ok = [
            ("https://*.example.com", "subdomains"),
            ("https://*.example.com:8443", "subdomains with a port"),
            ("https://*.example.com:*", "subdomains any port"),
            ("http://localhost:*", "any port"),
            ("http://[::1]:*", "any port on IPv6 loopback"),
        ];
        for (p, rule) in ok {
            assert!(OriginPattern::parse(p, false).is_ok(), "{p}: {rule}");
        }
        let bad = [
            "https://*example.com",
            "https://a.*.example.com",
            "https://example.*",
            "https://*",
            "https://*.*.example.com",
            "*://example.com",
            "https://*.127.0.0.1",
            "https://*.[::1]",
            "https://example.com:8*",
            "https://*.example.com/",
        ];
        for p in bad {
            assert!(OriginPattern::parse(p, false).is_err(), "{p}");
        }
        assert_eq!(
            OriginPattern::parse("https://*.EXAMPLE.com:443", false).unwrap(),
            OriginPattern::Subdomains {
                scheme: "https".into(),
                base: "example.com".into(),
                port: PortSpec::Default
            }
        );
        let s = set(&["https://*.example.com:*"]);
        assert_eq!(
            lookup(&s, "https://a.example.com:9"),
            Some(OriginMatch::Subdomain)
        );
    }
}
