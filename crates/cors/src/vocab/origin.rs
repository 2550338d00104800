//! Origins: the owned [`Origin`] written in configuration, and the borrowed [`HeaderOrigin`]
//! read from a request's `Origin` header without allocating.
//!
//! Serialization follows the HTML Standard's ASCII serialization of an origin, which is what the
//! Fetch Standard puts in the `Origin` header (Fetch `#origin-header`,
//! `#serializing-a-request-origin`): lowercase scheme and host, the default port elided, IPv6 in
//! brackets, internationalized hosts as punycode, and `null` for an opaque origin.

use std::fmt;

/// A web origin, as a browser serializes it into the `Origin` header.
///
/// ```
/// use cors::vocab::Origin;
/// let o = Origin::parse("HTTPS://Example.COM:443").unwrap();
/// assert_eq!(o.to_string(), "https://example.com");
/// assert_eq!(Origin::parse("http://[::1]:8080").unwrap().to_string(), "http://[::1]:8080");
/// assert_eq!(Origin::parse("https://bücher.example").unwrap().to_string(), "https://xn--bcher-kva.example");
/// assert!(Origin::parse("https://example.com/").is_err()); // a trailing slash is not an origin
/// assert!(Origin::parse("null").unwrap().is_opaque());
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Origin {
    /// The serialization, e.g. `https://example.com:8443` or `null`.
    serialized: Box<str>,
    /// Byte length of the scheme (0 for the opaque origin).
    scheme_len: usize,
    /// Byte range of the host (including brackets for IPv6).
    host: (usize, usize),
    /// The port, `None` when it is the scheme's default (or for the opaque origin).
    port: Option<u16>,
}

/// Why a string is not an origin. Each variant names the rule the input broke.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum OriginError {
    /// The input is empty.
    Empty,
    /// No `scheme://` prefix.
    MissingScheme,
    /// A scheme other than `http` or `https` where only those are accepted.
    UnsupportedScheme(String),
    /// The input carries a path; an origin ends after the host and port.
    Path,
    /// The input ends with `/`; an origin has no trailing slash.
    TrailingSlash,
    /// The input carries a query (`?`).
    Query,
    /// The input carries a fragment (`#`).
    Fragment,
    /// The input carries userinfo (`user:pass@`).
    Userinfo,
    /// The host is missing or not a valid host.
    InvalidHost(String),
    /// The port is not a number from 0 to 65535.
    InvalidPort(String),
    /// A `*` appears; wildcards belong in origin patterns, not in an origin.
    Wildcard,
    /// The bytes are not the serialization a browser sends (header parsing only).
    NotSerialized,
    /// An `xn--` label that the URL Standard's domain to ASCII refuses (URL
    /// `#concept-domain-to-ascii`): not valid punycode, or decoding to a label IDNA disallows.
    InvalidALabel(String),
}

impl fmt::Display for OriginError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OriginError::Empty => f.write_str("an origin cannot be empty"),
            OriginError::MissingScheme => {
                f.write_str("an origin starts with a scheme and `://`, as in `https://example.com`")
            }
            OriginError::UnsupportedScheme(s) => write!(
                f,
                "scheme `{s}` is not http or https (other schemes need an explicit opt-in)"
            ),
            OriginError::Path => f.write_str("an origin has no path: remove everything after the host and port"),
            OriginError::TrailingSlash => f.write_str(
                "an origin has no trailing slash: browsers send `https://example.com`, never `https://example.com/`",
            ),
            OriginError::Query => f.write_str("an origin has no query (`?…`)"),
            OriginError::Fragment => f.write_str("an origin has no fragment (`#…`)"),
            OriginError::Userinfo => f.write_str("an origin has no userinfo (`user:password@`)"),
            OriginError::InvalidHost(h) => write!(f, "`{h}` is not a valid host"),
            OriginError::InvalidPort(p) => write!(f, "`{p}` is not a valid port (0 to 65535)"),
            OriginError::Wildcard => f.write_str(
                "`*` is not part of an origin; use `*` alone, or a pattern such as `https://*.example.com`",
            ),
            OriginError::InvalidALabel(l) => write!(
                f,
                "`{l}` is not a valid IDNA label (URL domain to ASCII refuses it), so `new URL()` throws and no page there sends this origin"
            ),
            OriginError::NotSerialized => {
                f.write_str("not an origin as browsers serialize it (`scheme://host[:port]` or `null`)")
            }
        }
    }
}

impl std::error::Error for OriginError {}

/// The default port of a scheme, which a serialized origin never spells out.
pub fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" | "ws" => Some(80),
        "https" | "wss" => Some(443),
        "ftp" => Some(21),
        _ => None,
    }
}

/// `true` for `http` and `https`, the schemes CORS applies to (Fetch `#http-scheme`).
pub fn is_http_scheme(scheme: &str) -> bool {
    scheme == "http" || scheme == "https"
}

impl Origin {
    /// The opaque origin, serialized as `null`.
    pub fn null() -> Origin {
        Origin {
            serialized: "null".into(),
            scheme_len: 0,
            host: (0, 0),
            port: None,
        }
    }

    /// Parses an origin as a person writes it in configuration, accepting only `http` and `https`.
    ///
    /// Case is normalized and a default port elided (the result is what a browser sends), but
    /// anything that is not an origin — a path, a trailing slash, userinfo, a query, a fragment,
    /// a wildcard — is an error rather than silently dropped. `null` parses as the opaque origin.
    pub fn parse(input: &str) -> Result<Origin, OriginError> {
        Self::parse_with(input, false)
    }

    /// Like [`Origin::parse`], but accepts any scheme (`chrome-extension://…`, `tauri://…`) when
    /// `any_scheme` is true.
    pub fn parse_with(input: &str, any_scheme: bool) -> Result<Origin, OriginError> {
        if input.is_empty() {
            return Err(OriginError::Empty);
        }
        if input == "null" {
            return Ok(Origin::null());
        }
        let Some((scheme_raw, rest)) = input.split_once("://") else {
            return Err(OriginError::MissingScheme);
        };
        let scheme = scheme_raw.to_ascii_lowercase();
        if scheme.is_empty()
            || !scheme.as_bytes()[0].is_ascii_alphabetic()
            || !scheme
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'-' || b == b'.')
        {
            return Err(OriginError::MissingScheme);
        }
        if !any_scheme && !is_http_scheme(&scheme) {
            return Err(OriginError::UnsupportedScheme(scheme));
        }
        // Structural checks on the raw text, so nothing is silently dropped by URL parsing.
        if let Some(i) = rest.find(['/', '?', '#', '\\']) {
            let tail = &rest[i..];
            return Err(if tail == "/" {
                OriginError::TrailingSlash
            } else if tail.starts_with('?') {
                OriginError::Query
            } else if tail.starts_with('#') {
                OriginError::Fragment
            } else {
                OriginError::Path
            });
        }
        if rest.contains('@') {
            return Err(OriginError::Userinfo);
        }
        if rest.contains('*') {
            return Err(OriginError::Wildcard);
        }
        if rest.is_empty() {
            return Err(OriginError::InvalidHost(String::new()));
        }
        // The URL parser silently drops tabs and newlines inside a URL (`a.b\t.c` is `a.b.c`):
        // in configuration they are a typo, so whitespace and controls are refused here.
        if rest.bytes().any(|b| b <= b' ' || b == 0x7f) {
            let (host, _) = split_host_port(rest).unwrap_or((rest, None));
            return Err(OriginError::InvalidHost(host.to_string()));
        }
        // Split host and port by hand (IPv6 literals contain colons).
        let (host_raw, port_raw) = split_host_port(rest)?;
        let port = match port_raw {
            None => None,
            Some(p) => {
                if p.is_empty() || p.len() > 5 || !p.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(OriginError::InvalidPort(p.to_string()));
                }
                Some(
                    p.parse::<u32>()
                        .ok()
                        .filter(|n| *n <= 65535)
                        .ok_or_else(|| OriginError::InvalidPort(p.to_string()))?
                        as u16,
                )
            }
        };
        // Host normalization (IDNA, IPv4 forms, IPv6 compression) is the URL Standard's: use it
        // through a special scheme so that hosts are parsed as domains.
        // A non-special scheme's host is not a domain nor IPv4 (URL `#host-parsing` step 3):
        // `htups://0854` keeps its host as written (fuzz regression).
        let special = default_port(&scheme).is_some() || scheme == "file";
        if !special
            && !host_raw.is_empty()
            && host_raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        {
            let host = host_raw.to_ascii_lowercase();
            let port = port.filter(|p| Some(*p) != default_port(&scheme));
            return Ok(Origin::from_parts(&scheme, &host, port));
        }
        let probe = format!("https://{host_raw}/");
        let url = url::Url::parse(&probe).map_err(|e| {
            // URL `#concept-domain-to-ascii`: name the `xn--` label IDNA refuses, if that is why.
            let lower = host_raw.to_ascii_lowercase();
            let bad_label = (e == url::ParseError::IdnaError)
                .then(|| {
                    lower
                        .split('.')
                        .filter(|l| l.starts_with("xn--"))
                        .find(|l| !ascii_domain_is_url_valid(l))
                })
                .flatten();
            match bad_label {
                Some(l) => OriginError::InvalidALabel(l.to_string()),
                None => OriginError::InvalidHost(host_raw.to_string()),
            }
        })?;
        let host = match url.host() {
            Some(url::Host::Domain(d)) => d.to_string(),
            // Only special schemes parse a host as an IPv4 address (URL `#host-parsing` step 3):
            // `tauri://0` keeps its host as written, as the browser does.
            Some(url::Host::Ipv4(_)) if default_port(&scheme).is_none() && scheme != "file" => {
                host_raw.to_ascii_lowercase()
            }
            Some(url::Host::Ipv4(a)) => a.to_string(),
            Some(url::Host::Ipv6(a)) => serialize_ipv6(a),
            None => return Err(OriginError::InvalidHost(host_raw.to_string())),
        };
        if host.is_empty() {
            return Err(OriginError::InvalidHost(host_raw.to_string()));
        }
        // `%2a` decodes to `*`, which in configuration means a pattern: refused as the raw `*`
        // is, or the canonical form would not parse again (fuzz regression).
        if host.contains('*') {
            return Err(OriginError::Wildcard);
        }
        let port = port.filter(|p| Some(*p) != default_port(&scheme));
        Ok(Origin::from_parts(&scheme, &host, port))
    }

    /// Builds an origin from parts already in serialized form (lowercase scheme and host).
    fn from_parts(scheme: &str, host: &str, port: Option<u16>) -> Origin {
        let mut s = String::with_capacity(scheme.len() + 3 + host.len() + 6);
        s.push_str(scheme);
        s.push_str("://");
        let host_start = s.len();
        s.push_str(host);
        let host_end = s.len();
        if let Some(p) = port {
            s.push(':');
            s.push_str(&p.to_string());
        }
        Origin {
            serialized: s.into_boxed_str(),
            scheme_len: scheme.len(),
            host: (host_start, host_end),
            port,
        }
    }

    /// The origin of a URL, as a browser computes it. Non-special schemes (`file:`, `data:`…)
    /// give the opaque origin, except that `any_scheme` keeps `scheme://host` ones as tuples.
    pub fn of_url(url: &url::Url) -> Origin {
        match url.origin() {
            url::Origin::Opaque(_) => Origin::null(),
            url::Origin::Tuple(scheme, host, port) => {
                let host = match host {
                    url::Host::Domain(d) => d,
                    url::Host::Ipv4(a) => a.to_string(),
                    url::Host::Ipv6(a) => serialize_ipv6(a),
                };
                let port = Some(port).filter(|p| Some(*p) != default_port(&scheme));
                Origin::from_parts(&scheme, &host, port)
            }
        }
    }

    /// `true` for the opaque origin (`null`).
    pub fn is_opaque(&self) -> bool {
        self.scheme_len == 0
    }

    /// The scheme, e.g. `https` (empty for the opaque origin).
    pub fn scheme(&self) -> &str {
        &self.serialized[..self.scheme_len]
    }

    /// The host, e.g. `example.com` or `[::1]` (empty for the opaque origin).
    pub fn host(&self) -> &str {
        &self.serialized[self.host.0..self.host.1]
    }

    /// The port when it is not the scheme's default.
    pub fn port(&self) -> Option<u16> {
        self.port
    }

    /// The port, with the scheme's default filled in.
    pub fn port_or_default(&self) -> Option<u16> {
        self.port.or_else(|| default_port(self.scheme()))
    }

    /// The ASCII serialization, exactly the bytes a browser puts in `Origin`.
    pub fn as_str(&self) -> &str {
        &self.serialized
    }

    /// `true` when the host is a loopback address or `localhost` (or a name under `.localhost`),
    /// which browsers treat as potentially trustworthy even over `http`.
    pub fn is_loopback(&self) -> bool {
        host_is_loopback(self.host())
    }

    /// `true` for a potentially trustworthy origin in the Secure Contexts sense: `https`/`wss`,
    /// or a loopback host.
    pub fn is_potentially_trustworthy(&self) -> bool {
        !self.is_opaque() && super::trust::is_potentially_trustworthy(self.scheme(), self.host())
    }
}

pub use super::trust::host_is_loopback;

/// An IPv6 host in brackets, as the URL Standard's IPv6 serializer writes it
/// (URL `#concept-ipv6-serializer`): eight lowercase hex pieces, never dotted IPv4, with the
/// first longest run of two or more zero pieces compressed to `::`. (Rust's `Display` writes
/// IPv4-mapped addresses as `::ffff:a.b.c.d`, which no browser sends.)
fn serialize_ipv6(addr: std::net::Ipv6Addr) -> String {
    use std::fmt::Write;
    let pieces = addr.segments();
    // The first longest run of zero pieces, if it is at least two long.
    let (mut best, mut best_len, mut i) = (None, 1, 0);
    while i < 8 {
        let start = i;
        while i < 8 && pieces[i] == 0 {
            i += 1;
        }
        if i - start > best_len {
            (best, best_len) = (Some(start), i - start);
        }
        i += 1;
    }
    let mut out = String::with_capacity(41);
    out.push('[');
    let mut i = 0;
    while i < 8 {
        if best == Some(i) {
            out.push_str(if i == 0 { "::" } else { ":" });
            i += best_len;
            continue;
        }
        let _ = write!(out, "{:x}", pieces[i]);
        if i != 7 {
            out.push(':');
        }
        i += 1;
    }
    out.push(']');
    out
}

/// URL `#ends-in-a-number-checker`: the last label (a trailing empty one dropped) is all
/// digits, or `0x`/`0X` and hex digits.
fn ends_in_a_number(host: &str) -> bool {
    let name = host.strip_suffix('.').unwrap_or(host);
    let last = name.rsplit('.').next().unwrap_or_default();
    if !last.is_empty() && last.bytes().all(|b| b.is_ascii_digit()) {
        return true;
    }
    last.strip_prefix("0x")
        .or_else(|| last.strip_prefix("0X"))
        .is_some_and(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// `false` when a lowercase ASCII domain has an `xn--` label (URL `#concept-domain-to-ascii`,
/// UTS 46 §4 step 4) and the URL Standard's domain to ASCII refuses the name or changes it:
/// invalid punycode (`xn--a`), a decoded label IDNA disallows (`xn--a-ecp`, `a⒈`), or a name
/// that fails CheckBidi or CheckJoiners once decoded (`xn--mgbh0fb.1abc`). Names without an
/// `xn--` label are left to the grammar above.
fn ascii_domain_is_url_valid(host: &str) -> bool {
    let has_a_label = host.split('.').any(|l| l.starts_with("xn--"));
    !has_a_label || matches!(url::Host::parse(host), Ok(url::Host::Domain(d)) if d == host)
}

fn split_host_port(rest: &str) -> Result<(&str, Option<&str>), OriginError> {
    if let Some(after) = rest.strip_prefix('[') {
        let Some(close) = after.find(']') else {
            return Err(OriginError::InvalidHost(rest.to_string()));
        };
        let host = &rest[..close + 2];
        let tail = &rest[close + 2..];
        if tail.is_empty() {
            return Ok((host, None));
        }
        return match tail.strip_prefix(':') {
            Some(p) => Ok((host, Some(p))),
            None => Err(OriginError::InvalidHost(rest.to_string())),
        };
    }
    // The first `:` ends the host: `e:8:44` has the port `8:44`, an error (fuzz regression).
    match rest.split_once(':') {
        Some((h, p)) => {
            if h.is_empty() {
                return Err(OriginError::InvalidHost(rest.to_string()));
            }
            Ok((h, Some(p)))
        }
        None => Ok((rest, None)),
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.serialized)
    }
}

impl fmt::Debug for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Origin({})", self.serialized)
    }
}

impl std::str::FromStr for Origin {
    type Err = OriginError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Origin::parse(s)
    }
}

impl PartialEq<str> for Origin {
    fn eq(&self, other: &str) -> bool {
        &*self.serialized == other
    }
}

/// An `Origin` request-header value, borrowed from the request without allocating.
///
/// Parsing is strict: it accepts exactly the ABNF `origin-or-null` of Fetch `#origin-header`
/// (lowercase scheme, lowercase host, optional port digits), plus `_` in domain labels, which
/// Chromium and Firefox send for such hosts, and one trailing `.` (a fully qualified name, which
/// browsers keep in the origin). Anything else — uppercase letters, a trailing slash,
/// a path, spaces, several values — is rejected, because no browser sends it.
///
/// ```
/// use cors::vocab::HeaderOrigin;
/// let o = HeaderOrigin::parse(b"https://api.example.com:8443").unwrap();
/// assert_eq!((o.scheme(), o.host(), o.port()), ("https", "api.example.com", Some(8443)));
/// assert!(HeaderOrigin::parse(b"null").unwrap().is_null());
/// assert!(HeaderOrigin::parse(b"https://example.com/").is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HeaderOrigin<'a> {
    serialized: &'a str,
    scheme_len: usize,
    host_end: usize,
    port: Option<u16>,
}

impl<'a> HeaderOrigin<'a> {
    /// Parses the bytes of an `Origin` header value.
    pub fn parse(bytes: &'a [u8]) -> Result<HeaderOrigin<'a>, OriginError> {
        if bytes.is_empty() {
            return Err(OriginError::Empty);
        }
        if bytes == b"null" {
            return Ok(HeaderOrigin {
                serialized: "null",
                scheme_len: 0,
                host_end: 0,
                port: None,
            });
        }
        // serialized-scheme = lower-alpha *( lower-alphanum / "+" / "-" / "." )
        let mut i = 0;
        if !bytes[0].is_ascii_lowercase() {
            return Err(OriginError::NotSerialized);
        }
        while i < bytes.len() && matches!(bytes[i], b'a'..=b'z' | b'0'..=b'9' | b'+' | b'-' | b'.')
        {
            i += 1;
        }
        let scheme_len = i;
        if !bytes[i..].starts_with(b"://") {
            return Err(OriginError::NotSerialized);
        }
        i += 3;
        let host_start = i;
        if bytes.get(i) == Some(&b'[') {
            // "[" serialized-ipv6 "]"
            i += 1;
            while i < bytes.len() && matches!(bytes[i], b'0'..=b'9' | b'a'..=b'f' | b':') {
                i += 1;
            }
            if bytes.get(i) != Some(&b']') || i == host_start + 1 {
                return Err(OriginError::NotSerialized);
            }
            i += 1;
            // Only the URL Standard's serialization (`[::1]`, never `[::0:1]` or `[0::1]`):
            // what a browser sends, and what configuration compares equal to.
            let text = std::str::from_utf8(&bytes[host_start + 1..i - 1])
                .map_err(|_| OriginError::NotSerialized)?;
            let addr = text
                .parse::<std::net::Ipv6Addr>()
                .map_err(|_| OriginError::NotSerialized)?;
            if serialize_ipv6(addr).as_bytes() != &bytes[host_start..i] {
                return Err(OriginError::NotSerialized);
            }
        } else {
            // serialized-domain / serialized-ipv4: lowercase labels of alnum, `-`, `_`, dot-separated.
            let mut label_len = 0usize;
            while i < bytes.len() && bytes[i] != b':' {
                match bytes[i] {
                    b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' => label_len += 1,
                    b'.' if label_len > 0 => label_len = 0,
                    _ => return Err(OriginError::NotSerialized),
                }
                i += 1;
            }
            // A fully qualified name keeps its trailing dot (URL `#host-parsing`; browsers send
            // `Origin: https://example.com.` from such a page): one `.` may end the host, after
            // a label. Empty labels elsewhere were refused above.
            if i == host_start {
                return Err(OriginError::NotSerialized);
            }
            // URL `#ends-in-a-number-checker`: a special scheme's host whose last label is a
            // number is an IPv4 address, serialized in dotted decimal (`0854` and `127.1` are
            // never sent). Fuzz regression.
            let host = std::str::from_utf8(&bytes[host_start..i]).unwrap_or_default();
            let scheme = std::str::from_utf8(&bytes[..scheme_len]).unwrap_or_default();
            // `file` is special too (URL `#special-scheme`), though it has no default port.
            if (default_port(scheme).is_some() || scheme == "file")
                && ends_in_a_number(host)
                && !host
                    .parse::<std::net::Ipv4Addr>()
                    .is_ok_and(|a| a.to_string() == host)
            {
                return Err(OriginError::NotSerialized);
            }
            // URL `#concept-domain-to-ascii`: an `xn--` label of a special scheme's host must
            // decode as punycode to a label UTS 46 allows (with CheckBidi and CheckJoiners over
            // the whole name), or the URL does not parse: `https://a2.l.xn--5-9vc.2a` is never
            // the origin of a conforming browser's page (fuzz regression). Only such hosts pay
            // for the check (it allocates); other ASCII labels are their own ASCII form.
            if (default_port(scheme).is_some() || scheme == "file")
                && !ascii_domain_is_url_valid(host)
            {
                return Err(OriginError::NotSerialized);
            }
        }
        let host_end = i;
        let mut port = None;
        if i < bytes.len() {
            // ":" serialized-port = 1*5DIGIT
            if bytes[i] != b':' {
                return Err(OriginError::NotSerialized);
            }
            let digits = &bytes[i + 1..];
            // The URL Standard serializes a port in decimal without leading zeros (`:03` is
            // never sent; fuzz regression).
            if digits.is_empty()
                || digits.len() > 5
                || !digits.iter().all(u8::is_ascii_digit)
                || (digits.len() > 1 && digits[0] == b'0')
            {
                return Err(OriginError::NotSerialized);
            }
            let n = digits
                .iter()
                .fold(0u32, |n, d| n * 10 + u32::from(d - b'0'));
            if n > 65535 {
                return Err(OriginError::NotSerialized);
            }
            // A serialized origin never spells out its scheme's default port (HTML "ASCII
            // serialization of an origin"), so `https://a.example:443` is not what a browser sends.
            if default_port(&String::from_utf8_lossy(&bytes[..scheme_len])) == Some(n as u16) {
                return Err(OriginError::NotSerialized);
            }
            port = Some(n as u16);
        }
        // Every byte checked above is ASCII.
        let serialized = std::str::from_utf8(bytes).map_err(|_| OriginError::NotSerialized)?;
        Ok(HeaderOrigin {
            serialized,
            scheme_len,
            host_end,
            port,
        })
    }

    /// `true` for `null`.
    pub fn is_null(&self) -> bool {
        self.scheme_len == 0
    }
    /// The whole value, as received.
    pub fn as_str(&self) -> &'a str {
        self.serialized
    }
    /// The scheme (empty for `null`).
    pub fn scheme(&self) -> &'a str {
        &self.serialized[..self.scheme_len]
    }
    /// The host, with brackets for IPv6 (empty for `null`).
    pub fn host(&self) -> &'a str {
        if self.is_null() {
            ""
        } else {
            &self.serialized[self.scheme_len + 3..self.host_end]
        }
    }
    /// The port as written, if any.
    pub fn port(&self) -> Option<u16> {
        self.port
    }
    /// An owned [`Origin`] with the same serialization (allocates).
    pub fn to_origin(&self) -> Origin {
        if self.is_null() {
            return Origin::null();
        }
        Origin::from_parts(self.scheme(), self.host(), self.port)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One row per serialization rule (HTML "ASCII serialization of an origin", Fetch `#origin-header`).
    #[test]
    fn parse_normalizes_like_a_browser() {
        let rows: &[(&str, &str, &str)] = &[
            (
                "https://example.com",
                "https://example.com",
                "#origin-header plain",
            ),
            (
                "HTTPS://EXAMPLE.com",
                "https://example.com",
                "lowercase scheme and host",
            ),
            (
                "https://example.com:443",
                "https://example.com",
                "default port elided (https)",
            ),
            (
                "http://example.com:80",
                "http://example.com",
                "default port elided (http)",
            ),
            (
                "http://example.com:443",
                "http://example.com:443",
                "non-default port kept",
            ),
            (
                "https://example.com:8443",
                "https://example.com:8443",
                "explicit port",
            ),
            ("http://[::1]:3000", "http://[::1]:3000", "IPv6 in brackets"),
            (
                "http://[0:0:0:0:0:0:0:1]",
                "http://[::1]",
                "IPv6 compressed (RFC 5952)",
            ),
            (
                "http://[2001:DB8::1]",
                "http://[2001:db8::1]",
                "IPv6 lowercase hex",
            ),
            ("http://127.0.0.1:8080", "http://127.0.0.1:8080", "IPv4"),
            (
                "http://[::ffff:7f7f:7f7f]:90",
                "http://[::ffff:7f7f:7f7f]:90",
                "URL #concept-ipv6-serializer: IPv4-mapped stays hex",
            ),
            (
                "http://[::ffff:127.127.127.127]",
                "http://[::ffff:7f7f:7f7f]",
                "URL #concept-ipv6-serializer: embedded IPv4 written as hex pieces",
            ),
            (
                "http://[::1.2.3.4]",
                "http://[::102:304]",
                "URL #concept-ipv6-serializer: IPv4-compatible written as hex pieces",
            ),
            (
                "http://[1:0:0:2:0:0:0:3]",
                "http://[1:0:0:2::3]",
                "URL #concept-ipv6-serializer: the longest zero run is compressed",
            ),
            (
                "http://[1:0:0:2:0:0:3:4]",
                "http://[1::2:0:0:3:4]",
                "URL #concept-ipv6-serializer: the first of equal runs is compressed",
            ),
            (
                "http://[1:0:2:3:4:5:6:7]",
                "http://[1:0:2:3:4:5:6:7]",
                "URL #concept-ipv6-serializer: a single zero piece is not compressed",
            ),
            (
                "http://[::]",
                "http://[::]",
                "URL #concept-ipv6-serializer: all zero",
            ),
            (
                "https://bücher.example",
                "https://xn--bcher-kva.example",
                "IDN to punycode",
            ),
            (
                "https://xn--bcher-kva.example",
                "https://xn--bcher-kva.example",
                "punycode kept as ASCII",
            ),
            (
                "https://Example.COM.",
                "https://example.com.",
                "URL #host-parsing: a trailing dot is kept",
            ),
            ("null", "null", "opaque origin"),
        ];
        for (input, want, rule) in rows {
            let got = Origin::parse(input).unwrap_or_else(|e| panic!("{input} ({rule}): {e}"));
            assert_eq!(got.as_str(), *want, "{rule}");
            // What we serialize is what the strict header parser accepts.
            let h = HeaderOrigin::parse(got.as_str().as_bytes()).unwrap();
            assert_eq!(h.to_origin(), got, "{rule}");
        }
    }

    #[test]
    fn parse_rejects_what_is_not_an_origin() {
        let rows: &[(&str, OriginError)] = &[
            ("", OriginError::Empty),
            ("example.com", OriginError::MissingScheme),
            ("https://example.com/", OriginError::TrailingSlash),
            ("https://example.com/api", OriginError::Path),
            ("https://example.com?x=1", OriginError::Query),
            ("https://example.com#top", OriginError::Fragment),
            ("https://user:pw@example.com", OriginError::Userinfo),
            ("https://*.example.com", OriginError::Wildcard),
            (
                "ftp://example.com",
                OriginError::UnsupportedScheme("ftp".into()),
            ),
            (
                "https://example.com:99999",
                OriginError::InvalidPort("99999".into()),
            ),
            ("https://example.com:", OriginError::InvalidPort("".into())),
            // Fuzz regression (fuzz/regressions/origin): not the host `e:8` with port 44.
            ("https://e:8:44", OriginError::InvalidPort("8:44".into())),
            ("Https://%4E.%2aE41", OriginError::Wildcard),
            ("https://", OriginError::InvalidHost("".into())),
            // URL `#concept-domain-to-ascii`: the configured side names the bad A-label.
            (
                "https://a.XN--A.example",
                OriginError::InvalidALabel("xn--a".into()),
            ),
            (
                "https://xn--a-ecp.example:8443",
                OriginError::InvalidALabel("xn--a-ecp".into()),
            ),
            (
                "https://exa mple.com",
                OriginError::InvalidHost("exa mple.com".into()),
            ),
            ("Null", OriginError::MissingScheme),
            // The URL parser drops tabs and newlines inside a URL; configuration does not.
            (
                "https://a.b\t.c",
                OriginError::InvalidHost("a.b\t.c".into()),
            ),
            ("https://a.b\n", OriginError::InvalidHost("a.b\n".into())),
            ("https://a.b:80\r", OriginError::InvalidHost("a.b".into())),
        ];
        for (input, want) in rows {
            assert_eq!(Origin::parse(input).unwrap_err(), *want, "{input}");
        }
        // Fuzz regression (fuzz/regressions/origin): a non-special scheme's host is not an
        // IPv4 address (URL `#host-parsing`), so `ln://0` stays `ln://0`, not `ln://0.0.0.0`.
        for (input, want) in [
            ("ln://0", "ln://0"),
            ("tauri://0x7F.1", "tauri://0x7f.1"),
            ("htups://0854", "htups://0854"),
            ("http://0x7F.1", "http://127.0.0.1"),
        ] {
            assert_eq!(Origin::parse_with(input, true).unwrap().as_str(), want);
        }
        assert_eq!(
            Origin::parse_with("chrome-extension://abcdefgh", true)
                .unwrap()
                .as_str(),
            "chrome-extension://abcdefgh"
        );
    }

    #[test]
    fn header_parse_is_strict() {
        for ok in [
            "https://a.b",
            "http://localhost:3000",
            "http://[::1]",
            "null",
            "https://foo_bar.example.com",
            "tauri://localhost",
            "https://example.com.",
            "http://localhost.:8080",
            // Valid A-labels (URL `#concept-domain-to-ascii` gives them back unchanged).
            "https://xn--bcher-kva.example",
            "https://xn--5-9vc.example",
            "https://xn--mgbh0fb.example",
            "https://xn--55qx5d.xn--tckwe",
            "https://xn--ls8h.example.",
            // A non-special scheme's host is opaque (URL `#concept-opaque-host-parser`): no IDNA.
            "tauri://xn--a",
        ] {
            assert!(HeaderOrigin::parse(ok.as_bytes()).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "Null",
            "NULL",
            "https://A.b",
            "HTTPS://a.b",
            "https://a.b/",
            "https://a.b ",
            " https://a.b",
            "https://a.b, https://c.d",
            "https://a..b",
            "https://.a",
            "https://.",
            "https://a.b..",
            "https://a.b:",
            "https://a.b:123456",
            "https://a.b:70000",
            "https://",
            "https://[::1",
            "https://[]",
            "https://a.b{.evil.com",
            "https://a.b:443",
            "http://a.b:80",
            "//a.b",
            "https://a.b\u{0}",
            // Fuzz regressions (fuzz/regressions/origin): a port without its `:`, and IPv6
            // text other than the URL Standard's serialization.
            "http://[::0]190",
            "http://[::0]:90",
            "http://[0:0:0:0:0:0:0:1]",
            "http://[::ffff:127.0.0.1]",
            // URL `#ends-in-a-number-checker`: IPv4 only in dotted decimal.
            "https://0854",
            "http://127.1",
            "file://0666",
            "http://0x7f.0.0.1",
            "http://127.0.0.1.",
            "http://a.0x1",
            "tps://a.ea4:03",
            "https://a.b:08443",
            // URL `#concept-domain-to-ascii` (fuzz regression, fuzz/regressions/origin): an
            // `xn--` label that is not valid punycode, decodes to a label UTS 46 disallows, or
            // fails CheckBidi/CheckJoiners. Firefox's `new URL()` throws on each (Chromium keeps
            // an all-ASCII host unchecked; see origin_browsers.rs).
            "https://a2.l.xn--5-9vc.2a",
            "https://xn--a.example",
            "https://xn--.example",
            "https://a.xn--",
            "https://xn--abc-.example",
            "https://xn--a-ecp.example",
            "https://xn--1ug.example",
            "https://xn--mgbh0fb.1abc",
            "http://xn--a.example.:8080",
            "wss://xn--zz.example",
        ] {
            assert!(HeaderOrigin::parse(bad.as_bytes()).is_err(), "{bad:?}");
        }
        let o = HeaderOrigin::parse(b"http://[::1]:8080").unwrap();
        assert_eq!(
            (o.scheme(), o.host(), o.port()),
            ("http", "[::1]", Some(8080))
        );
    }

    #[test]
    fn loopback_and_trust() {
        assert!(
            Origin::parse("http://localhost:3000")
                .unwrap()
                .is_potentially_trustworthy()
        );
        assert!(Origin::parse("http://127.0.0.1").unwrap().is_loopback());
        assert!(Origin::parse("http://[::1]").unwrap().is_loopback());
        assert!(
            !Origin::parse("http://example.com")
                .unwrap()
                .is_potentially_trustworthy()
        );
        assert!(
            Origin::parse("https://example.com")
                .unwrap()
                .is_potentially_trustworthy()
        );
    }

    #[test]
    fn of_url() {
        let u = url::Url::parse("https://Example.com:443/path?q").unwrap();
        assert_eq!(Origin::of_url(&u).as_str(), "https://example.com");
        let m = url::Url::parse("http://[::ffff:127.0.0.1]:90/").unwrap();
        assert_eq!(Origin::of_url(&m).as_str(), "http://[::ffff:7f00:1]:90");
        let f = url::Url::parse("file:///etc/passwd").unwrap();
        assert!(Origin::of_url(&f).is_opaque());
    }
}
