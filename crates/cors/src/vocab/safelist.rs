//! The Fetch Standard's name lists and the rules on request-header values: CORS-safelisted
//! methods and request-headers, forbidden methods and request-headers, CORS-safelisted
//! response-header names, and the CORS non-wildcard request-header name.

use super::grammar::{eq_ignore_case, split_list};
use std::fmt;

/// CORS-safelisted methods (Fetch `#cors-safelisted-method`): `GET`, `HEAD`, `POST`, compared
/// byte for byte (`get` is not safelisted; normalize first).
pub const CORS_SAFELISTED_METHODS: [&str; 3] = ["GET", "HEAD", "POST"];

/// Methods `fetch()` normalizes to uppercase (Fetch `#concept-method-normalize`).
pub const NORMALIZED_METHODS: [&str; 6] = ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"];

/// Forbidden methods (Fetch `#forbidden-method`), matched case-insensitively.
pub const FORBIDDEN_METHODS: [&str; 3] = ["CONNECT", "TRACE", "TRACK"];

/// Forbidden request-header names (Fetch `#forbidden-request-header`, step 1), matched
/// case-insensitively. Names starting with `proxy-` or `sec-` are forbidden too.
pub const FORBIDDEN_REQUEST_HEADER_NAMES: [&str; 21] = [
    "accept-charset",
    "accept-encoding",
    "access-control-request-headers",
    "access-control-request-method",
    "connection",
    "content-length",
    "cookie",
    "cookie2",
    "date",
    "dnt",
    "expect",
    "host",
    "keep-alive",
    "origin",
    "referer",
    "set-cookie",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "via",
];

/// Header names whose value can smuggle a method (Fetch `#forbidden-request-header`, step 3).
pub const METHOD_OVERRIDE_HEADER_NAMES: [&str; 3] = [
    "x-http-method",
    "x-http-method-override",
    "x-method-override",
];

/// CORS-safelisted response-header names (Fetch `#cors-safelisted-response-header-name`).
pub const CORS_SAFELISTED_RESPONSE_HEADER_NAMES: [&str; 7] = [
    "cache-control",
    "content-language",
    "content-length",
    "content-type",
    "expires",
    "last-modified",
    "pragma",
];

/// Forbidden response-header names (Fetch `#forbidden-response-header-name`): never readable by script.
pub const FORBIDDEN_RESPONSE_HEADER_NAMES: [&str; 2] = ["set-cookie", "set-cookie2"];

/// The CORS response headers a server sends (Fetch `#http-responses`), plus
/// `Access-Control-Allow-Private-Network` (WICG Private Network Access), lowercase. A gateway
/// that replaces an upstream's CORS answer removes exactly these.
pub const CORS_RESPONSE_HEADER_NAMES: [&str; 7] = [
    "access-control-allow-origin",
    "access-control-allow-credentials",
    "access-control-allow-methods",
    "access-control-allow-headers",
    "access-control-max-age",
    "access-control-expose-headers",
    "access-control-allow-private-network",
];

/// Names a CORS-safelisted request-header can have (Fetch `#cors-safelisted-request-header`).
pub const CORS_SAFELISTED_REQUEST_HEADER_NAMES: [&str; 5] = [
    "accept",
    "accept-language",
    "content-language",
    "content-type",
    "range",
];

/// The CORS non-wildcard request-header name (Fetch `#cors-non-wildcard-request-header-name`):
/// `*` in `Access-Control-Allow-Headers` never covers it.
pub const CORS_NON_WILDCARD_REQUEST_HEADER_NAME: &str = "authorization";

/// Content-Type essences a simple request may carry (Fetch `#cors-safelisted-request-header`).
pub const SAFELISTED_CONTENT_TYPE_ESSENCES: [&str; 3] = [
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    "text/plain",
];

/// Maximum byte length of one CORS-safelisted request-header value.
pub const SAFELISTED_VALUE_MAX: usize = 128;

/// Maximum total byte length of the safelisted request-header values of one request
/// (Fetch `#cors-unsafe-request-header-names`).
pub const SAFELISTED_TOTAL_MAX: usize = 1024;

fn in_list(name: &[u8], list: &[&str]) -> bool {
    list.iter().any(|n| eq_ignore_case(name, n.as_bytes()))
}

/// Fetch `#http-responses`: is `name` one of [`CORS_RESPONSE_HEADER_NAMES`] (case-insensitive)?
///
/// ```
/// use cors::vocab::safelist::is_cors_response_header_name;
/// assert!(is_cors_response_header_name(b"Access-Control-Allow-Origin"));
/// assert!(!is_cors_response_header_name(b"access-control-request-method"));
/// ```
pub fn is_cors_response_header_name(name: &[u8]) -> bool {
    in_list(name, &CORS_RESPONSE_HEADER_NAMES)
}

/// Fetch `#cors-safelisted-method`.
pub fn is_cors_safelisted_method(method: &[u8]) -> bool {
    matches!(method, b"GET" | b"HEAD" | b"POST")
}

/// Fetch `#forbidden-method`.
pub fn is_forbidden_method(method: &[u8]) -> bool {
    in_list(method, &FORBIDDEN_METHODS)
}

/// Fetch `#concept-method-normalize`: the six methods in [`NORMALIZED_METHODS`] are uppercased,
/// every other method is returned unchanged (`patch` stays `patch`).
pub fn normalize_method(method: &str) -> &str {
    NORMALIZED_METHODS
        .iter()
        .copied()
        .find(|m| m.eq_ignore_ascii_case(method))
        .unwrap_or(method)
}

/// `true` when `name` is one of the six methods normalization touches, in any case.
pub fn is_normalized_method_name(name: &[u8]) -> bool {
    in_list(name, &NORMALIZED_METHODS)
}

/// The name-only part of Fetch `#forbidden-request-header` (steps 1 and 2): names a script can
/// never set, whatever the value.
pub fn is_forbidden_request_header_name(name: &[u8]) -> bool {
    in_list(name, &FORBIDDEN_REQUEST_HEADER_NAMES)
        || starts_with_ignore_case(name, b"proxy-")
        || starts_with_ignore_case(name, b"sec-")
}

fn starts_with_ignore_case(s: &[u8], prefix: &[u8]) -> bool {
    s.len() >= prefix.len() && eq_ignore_case(&s[..prefix.len()], prefix)
}

/// Fetch `#forbidden-request-header`: (name, value) a browser refuses to send from script. The
/// `X-HTTP-Method-Override` family is forbidden only when a listed method is forbidden.
///
/// ```
/// use cors::vocab::safelist::is_forbidden_request_header;
/// assert!(is_forbidden_request_header(b"Cookie", b"a=b"));
/// assert!(is_forbidden_request_header(b"Sec-Fetch-Mode", b"cors"));
/// assert!(is_forbidden_request_header(b"X-HTTP-Method-Override", b"GET, trace"));
/// assert!(!is_forbidden_request_header(b"X-HTTP-Method-Override", b"PUT"));
/// ```
pub fn is_forbidden_request_header(name: &[u8], value: &[u8]) -> bool {
    if is_forbidden_request_header_name(name) {
        return true;
    }
    if in_list(name, &METHOD_OVERRIDE_HEADER_NAMES) {
        return split_list(value).any(is_forbidden_method);
    }
    false
}

/// Fetch `#cors-non-wildcard-request-header-name`.
pub fn is_cors_non_wildcard_request_header_name(name: &[u8]) -> bool {
    eq_ignore_case(name, CORS_NON_WILDCARD_REQUEST_HEADER_NAME.as_bytes())
}

/// Fetch `#forbidden-response-header-name`.
pub fn is_forbidden_response_header_name(name: &[u8]) -> bool {
    in_list(name, &FORBIDDEN_RESPONSE_HEADER_NAMES)
}

/// Fetch `#cors-safelisted-response-header-name`: one of the seven names, or a name in
/// `exposed` that is not a forbidden response-header name.
pub fn is_cors_safelisted_response_header_name<'a>(
    name: &[u8],
    exposed: impl IntoIterator<Item = &'a [u8]>,
) -> bool {
    in_list(name, &CORS_SAFELISTED_RESPONSE_HEADER_NAMES)
        || (!is_forbidden_response_header_name(name)
            && exposed.into_iter().any(|e| eq_ignore_case(e, name)))
}

/// Fetch `#cors-unsafe-request-header-byte`.
#[inline]
pub const fn is_cors_unsafe_request_header_byte(b: u8) -> bool {
    (b < 0x20 && b != 0x09)
        || matches!(
            b,
            b'"' | b'('
                | b')'
                | b':'
                | b'<'
                | b'>'
                | b'?'
                | b'@'
                | b'['
                | b'\\'
                | b']'
                | b'{'
                | b'}'
                | 0x7F
        )
}

/// Why a request header is not a CORS-safelisted request-header: the rule it broke.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum UnsafeHeaderReason {
    /// The name is not `Accept`, `Accept-Language`, `Content-Language`, `Content-Type` or `Range`.
    NameNotSafelisted,
    /// The value is longer than 128 bytes.
    ValueTooLong {
        /// Its length in bytes.
        len: usize,
    },
    /// The value contains a CORS-unsafe request-header byte (`Accept`, `Content-Type`) or a
    /// byte outside the language-tag set (`Accept-Language`, `Content-Language`).
    UnsafeByte {
        /// The first offending byte.
        byte: u8,
    },
    /// `Content-Type` does not parse as a MIME type.
    ContentTypeUnparsable,
    /// `Content-Type` parses, but its essence is not one of the three safelisted ones.
    ContentTypeNotSafelisted {
        /// The MIME type's essence, e.g. `application/json`.
        essence: String,
    },
    /// `Range` is not a single `bytes=start-[end]` range.
    RangeNotSimple,
    /// The header is safelisted on its own, but the safelisted values of the request add up to
    /// more than 1024 bytes.
    TotalTooLong {
        /// Sum of the safelisted values' lengths.
        total: usize,
    },
}

impl UnsafeHeaderReason {
    /// A stable machine-readable identifier.
    pub fn code(&self) -> &'static str {
        match self {
            UnsafeHeaderReason::NameNotSafelisted => "name-not-safelisted",
            UnsafeHeaderReason::ValueTooLong { .. } => "value-too-long",
            UnsafeHeaderReason::UnsafeByte { .. } => "unsafe-byte",
            UnsafeHeaderReason::ContentTypeUnparsable => "content-type-unparsable",
            UnsafeHeaderReason::ContentTypeNotSafelisted { .. } => "content-type-not-safelisted",
            UnsafeHeaderReason::RangeNotSimple => "range-not-simple",
            UnsafeHeaderReason::TotalTooLong { .. } => "total-too-long",
        }
    }
}

impl fmt::Display for UnsafeHeaderReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UnsafeHeaderReason::NameNotSafelisted => f.write_str(
                "the name is not CORS-safelisted (only Accept, Accept-Language, Content-Language, Content-Type and Range are)",
            ),
            UnsafeHeaderReason::ValueTooLong { len } => {
                write!(f, "the value is {len} bytes long; a safelisted value is at most 128 bytes")
            }
            UnsafeHeaderReason::UnsafeByte { byte } => {
                write!(f, "the value contains the byte {}, which is not allowed in a safelisted value", show_byte(*byte))
            }
            UnsafeHeaderReason::ContentTypeUnparsable => f.write_str("the value does not parse as a MIME type"),
            UnsafeHeaderReason::ContentTypeNotSafelisted { essence } => write!(
                f,
                "the MIME type `{essence}` is not application/x-www-form-urlencoded, multipart/form-data or text/plain"
            ),
            UnsafeHeaderReason::RangeNotSimple => {
                f.write_str("the value is not a single `bytes=start-` or `bytes=start-end` range")
            }
            UnsafeHeaderReason::TotalTooLong { total } => write!(
                f,
                "the safelisted header values add up to {total} bytes; more than 1024 makes them all unsafe"
            ),
        }
    }
}

fn show_byte(b: u8) -> String {
    if b.is_ascii_graphic() {
        format!("`{}`", b as char)
    } else {
        format!("0x{b:02X}")
    }
}

/// Fetch `#cors-safelisted-request-header`: `Ok(())` when (name, value) is safelisted, else the
/// rule it broke. (The 1024-byte total is a property of the whole list: see
/// [`cors_unsafe_request_header_names`].)
///
/// ```
/// use cors::vocab::safelist::{cors_safelisted_request_header, UnsafeHeaderReason};
/// assert!(cors_safelisted_request_header(b"Content-Type", b"text/plain; charset=utf-8").is_ok());
/// assert_eq!(
///     cors_safelisted_request_header(b"Content-Type", b"application/json"),
///     Err(UnsafeHeaderReason::ContentTypeNotSafelisted { essence: "application/json".into() })
/// );
/// assert_eq!(cors_safelisted_request_header(b"X-PINGOTHER", b"pingpong"), Err(UnsafeHeaderReason::NameNotSafelisted));
/// ```
pub fn cors_safelisted_request_header(name: &[u8], value: &[u8]) -> Result<(), UnsafeHeaderReason> {
    // Step 1: the name must be one of the five (checked first so the reason names the real cause).
    let which = CORS_SAFELISTED_REQUEST_HEADER_NAMES
        .iter()
        .position(|n| eq_ignore_case(name, n.as_bytes()))
        .ok_or(UnsafeHeaderReason::NameNotSafelisted)?;
    // Step 1 of the spec: value length over 128 bytes.
    if value.len() > SAFELISTED_VALUE_MAX {
        return Err(UnsafeHeaderReason::ValueTooLong { len: value.len() });
    }
    match CORS_SAFELISTED_REQUEST_HEADER_NAMES[which] {
        "accept" => first_unsafe_byte(value),
        "accept-language" | "content-language" => {
            match value.iter().find(|&&b| {
                !(b.is_ascii_alphanumeric()
                    || matches!(b, b' ' | b'*' | b',' | b'-' | b'.' | b';' | b'='))
            }) {
                Some(&byte) => Err(UnsafeHeaderReason::UnsafeByte { byte }),
                None => Ok(()),
            }
        }
        "content-type" => {
            first_unsafe_byte(value)?;
            let essence =
                mime_type_essence(value).ok_or(UnsafeHeaderReason::ContentTypeUnparsable)?;
            if SAFELISTED_CONTENT_TYPE_ESSENCES.contains(&essence.as_str()) {
                Ok(())
            } else {
                Err(UnsafeHeaderReason::ContentTypeNotSafelisted { essence })
            }
        }
        _range => match parse_single_range_header_value(value, false) {
            Some((Some(_), _)) => Ok(()),
            _ => Err(UnsafeHeaderReason::RangeNotSimple),
        },
    }
}

/// `true` when (name, value) is a CORS-safelisted request-header (Fetch `#cors-safelisted-request-header`).
pub fn is_cors_safelisted_request_header(name: &[u8], value: &[u8]) -> bool {
    cors_safelisted_request_header(name, value).is_ok()
}

fn first_unsafe_byte(value: &[u8]) -> Result<(), UnsafeHeaderReason> {
    match value
        .iter()
        .find(|&&b| is_cors_unsafe_request_header_byte(b))
    {
        Some(&byte) => Err(UnsafeHeaderReason::UnsafeByte { byte }),
        None => Ok(()),
    }
}

/// One entry of [`cors_unsafe_request_header_names`]: a lowercase name and why it is unsafe.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnsafeHeader {
    /// The header name, lowercased.
    pub name: String,
    /// The rule each entry with this name broke (several when the name appears several times).
    pub reasons: Vec<UnsafeHeaderReason>,
}

/// Fetch `#cors-unsafe-request-header-names`: the request headers that need a preflight, as a
/// sorted-lowercase set (`#convert-header-names-to-a-sorted-lowercase-set`), each with the rules
/// it broke. Its names, joined with `,`, are the `Access-Control-Request-Headers` a browser sends.
///
/// ```
/// use cors::vocab::safelist::cors_unsafe_request_header_names;
/// let h: [(&[u8], &[u8]); 3] = [(b"X-PINGOTHER", b"pingpong"), (b"Content-Type", b"application/xml"), (b"Accept", b"*/*")];
/// let names: Vec<String> = cors_unsafe_request_header_names(h).into_iter().map(|u| u.name).collect();
/// assert_eq!(names, ["content-type", "x-pingother"]);
/// ```
pub fn cors_unsafe_request_header_names<'a>(
    headers: impl IntoIterator<Item = (&'a [u8], &'a [u8])>,
) -> Vec<UnsafeHeader> {
    cors_unsafe_request_header_names_by(headers, cors_safelisted_request_header)
}

/// [`cors_unsafe_request_header_names`] with the per-header test supplied by the caller, for
/// user agents whose safelist deviates from the standard's (the 1024-byte total and the
/// sorted-lowercase set stay the standard's).
///
/// ```
/// use cors::vocab::safelist::{cors_safelisted_request_header, cors_unsafe_request_header_names_by};
/// let h: [(&[u8], &[u8]); 2] = [(b"DPR", b"2"), (b"X-A", b"1")];
/// let extra = |n: &[u8], v: &[u8]| {
///     if n.eq_ignore_ascii_case(b"dpr") { Ok(()) } else { cors_safelisted_request_header(n, v) }
/// };
/// let names: Vec<String> = cors_unsafe_request_header_names_by(h, extra).into_iter().map(|u| u.name).collect();
/// assert_eq!(names, ["x-a"]);
/// ```
pub fn cors_unsafe_request_header_names_by<'a>(
    headers: impl IntoIterator<Item = (&'a [u8], &'a [u8])>,
    safelisted: impl Fn(&[u8], &[u8]) -> Result<(), UnsafeHeaderReason>,
) -> Vec<UnsafeHeader> {
    let mut unsafe_names: Vec<UnsafeHeader> = Vec::new();
    let mut potentially: Vec<&'a [u8]> = Vec::new();
    let mut total = 0usize;
    let push = |list: &mut Vec<UnsafeHeader>, name: &[u8], reason: UnsafeHeaderReason| {
        let lower = String::from_utf8_lossy(name).to_ascii_lowercase();
        match list.iter_mut().find(|u| u.name == lower) {
            Some(u) => u.reasons.push(reason),
            None => list.push(UnsafeHeader {
                name: lower,
                reasons: vec![reason],
            }),
        }
    };
    for (name, value) in headers {
        match safelisted(name, value) {
            Err(reason) => push(&mut unsafe_names, name, reason),
            Ok(()) => {
                potentially.push(name);
                total += value.len();
            }
        }
    }
    if total > SAFELISTED_TOTAL_MAX {
        for name in potentially {
            push(
                &mut unsafe_names,
                name,
                UnsafeHeaderReason::TotalTooLong { total },
            );
        }
    }
    unsafe_names.sort_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));
    unsafe_names
}

/// The essence (`type/subtype`, lowercased) of a MIME type, by the MIME Sniffing Standard's
/// "parse a MIME type" (not the forgiving "extract a MIME type"); `None` on failure. Parameters
/// never make parsing fail, so they are skipped.
///
/// ```
/// use cors::vocab::safelist::mime_type_essence;
/// assert_eq!(mime_type_essence(b" Text/Plain ; charset=utf-8").as_deref(), Some("text/plain"));
/// assert_eq!(mime_type_essence(b"text/plain, application/json"), None);
/// assert_eq!(mime_type_essence(b"text"), None);
/// ```
pub fn mime_type_essence(value: &[u8]) -> Option<String> {
    // Isomorphic decode is byte-to-code-point; bytes >= 0x80 are never HTTP token code points,
    // so working on bytes is equivalent.
    let v = super::grammar::normalize_header_value(value);
    let slash = v.iter().position(|&b| b == b'/')?;
    let ty = &v[..slash];
    if !super::grammar::is_token(ty) {
        return None;
    }
    let rest = &v[slash + 1..];
    let end = rest.iter().position(|&b| b == b';').unwrap_or(rest.len());
    let subtype = trim_end_http_whitespace(&rest[..end]);
    if !super::grammar::is_token(subtype) {
        return None;
    }
    let mut essence = String::with_capacity(ty.len() + 1 + subtype.len());
    essence.push_str(&String::from_utf8_lossy(ty).to_ascii_lowercase());
    essence.push('/');
    essence.push_str(&String::from_utf8_lossy(subtype).to_ascii_lowercase());
    Some(essence)
}

fn trim_end_http_whitespace(mut v: &[u8]) -> &[u8] {
    while let [rest @ .., last] = v {
        if super::grammar::is_http_whitespace(*last) {
            v = rest
        } else {
            break;
        }
    }
    v
}

/// Fetch `#simple-range-header-value` ("parse a single range header value"): `(start, end)`,
/// either possibly `None` but not both; `None` on failure.
///
/// ```
/// use cors::vocab::safelist::parse_single_range_header_value;
/// assert_eq!(parse_single_range_header_value(b"bytes=0-499", false), Some((Some(0), Some(499))));
/// assert_eq!(parse_single_range_header_value(b"bytes=-500", false), Some((None, Some(500))));
/// assert_eq!(parse_single_range_header_value(b"bytes= 0-", false), None);
/// assert_eq!(parse_single_range_header_value(b"bytes=0-1,3-4", false), None);
/// ```
pub fn parse_single_range_header_value(
    value: &[u8],
    allow_whitespace: bool,
) -> Option<(Option<u64>, Option<u64>)> {
    let rest = value.strip_prefix(b"bytes")?;
    let mut i = 0;
    let skip = |i: &mut usize| {
        if allow_whitespace {
            while *i < rest.len() && super::grammar::is_http_tab_or_space(rest[*i]) {
                *i += 1;
            }
        }
    };
    skip(&mut i);
    if rest.get(i) != Some(&b'=') {
        return None;
    }
    i += 1;
    skip(&mut i);
    let start = collect_digits(rest, &mut i)?;
    skip(&mut i);
    if rest.get(i) != Some(&b'-') {
        return None;
    }
    i += 1;
    skip(&mut i);
    let end = collect_digits(rest, &mut i)?;
    if i != rest.len() {
        return None;
    }
    match (start, end) {
        (None, None) => None,
        (Some(s), Some(e)) if s > e => None,
        r => Some(r),
    }
}

/// Collects ASCII digits: `Some(None)` when there are none, `None` on overflow.
fn collect_digits(v: &[u8], i: &mut usize) -> Option<Option<u64>> {
    let start = *i;
    while *i < v.len() && v[*i].is_ascii_digit() {
        *i += 1;
    }
    if *i == start {
        return Some(None);
    }
    let mut n: u64 = 0;
    for &d in &v[start..*i] {
        n = n.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
    }
    Some(Some(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods() {
        // #cors-safelisted-method: byte-exact
        assert!(is_cors_safelisted_method(b"GET"));
        assert!(!is_cors_safelisted_method(b"get"));
        assert!(!is_cors_safelisted_method(b"PUT"));
        // #forbidden-method: case-insensitive
        assert!(is_forbidden_method(b"trace"));
        assert!(is_forbidden_method(b"CONNECT"));
        assert!(is_forbidden_method(b"TrAcK"));
        assert!(!is_forbidden_method(b"PATCH"));
        // #concept-method-normalize
        assert_eq!(normalize_method("delete"), "DELETE");
        assert_eq!(normalize_method("Options"), "OPTIONS");
        assert_eq!(normalize_method("patch"), "patch");
        assert_eq!(normalize_method("PATCH"), "PATCH");
    }

    /// One row per rule of `#cors-safelisted-request-header`.
    #[test]
    fn safelisted_request_headers() {
        let long = vec![b'a'; 129];
        type Row<'a> = (&'a [u8], &'a [u8], Result<(), &'a str>);
        let rows: Vec<Row> = vec![
            (b"Accept", b"*/*", Ok(())),
            (b"accept", b"text/html,application/xhtml+xml;q=0.9", Ok(())),
            (b"Accept", b"a\"b", Err("unsafe-byte")),
            (b"Accept", b"\x01", Err("unsafe-byte")),
            (b"Accept", b"a\tb", Ok(())),
            (b"Accept", b"\xff", Ok(())), // bytes >= 0x80 are not unsafe
            (b"Accept", &long, Err("value-too-long")),
            (b"Accept-Language", b"en-US,en;q=0.5", Ok(())),
            (b"Accept-Language", b"en_US", Err("unsafe-byte")),
            (b"Content-Language", b"de-DE", Ok(())),
            (b"Content-Language", b"de/DE", Err("unsafe-byte")),
            (b"Content-Type", b"text/plain", Ok(())),
            (b"Content-Type", b"text/plain;", Ok(())),
            (b"Content-Type", b"TEXT/PLAIN; charset=utf-8", Ok(())),
            (b"Content-Type", b"multipart/form-data; boundary=x", Ok(())),
            (
                b"Content-Type",
                b"application/x-www-form-urlencoded",
                Ok(()),
            ),
            (
                b"Content-Type",
                b"application/json",
                Err("content-type-not-safelisted"),
            ),
            (
                b"Content-Type",
                b"text/plain, application/json",
                Err("content-type-unparsable"),
            ),
            (b"Content-Type", b"text", Err("content-type-unparsable")),
            (
                b"Content-Type",
                b"text/plain; charset=\"utf-8\"",
                Err("unsafe-byte"),
            ),
            (b"Range", b"bytes=0-", Ok(())),
            (b"Range", b"bytes=100-200", Ok(())),
            (b"Range", b"bytes=-500", Err("range-not-simple")),
            (b"Range", b"bytes=0-1,2-3", Err("range-not-simple")),
            (b"Range", b"bytes = 0-1", Err("range-not-simple")),
            (b"Range", b"bytes=5-1", Err("range-not-simple")),
            (b"Range", b"items=0-1", Err("range-not-simple")),
            (b"X-PINGOTHER", b"pingpong", Err("name-not-safelisted")),
            (b"Authorization", b"Bearer x", Err("name-not-safelisted")),
        ];
        for (name, value, want) in rows {
            let got = cors_safelisted_request_header(name, value).map_err(|r| r.code());
            assert_eq!(
                got,
                want,
                "{} = {:?}",
                String::from_utf8_lossy(name),
                String::from_utf8_lossy(value)
            );
        }
    }

    #[test]
    fn unsafe_byte_set_is_exact() {
        // #cors-unsafe-request-header-byte: every byte < 0x20 except HT, plus the 14 listed.
        let listed = b"\"():<>?@[\\]{}\x7f";
        for b in 0u8..=255 {
            let want = (b < 0x20 && b != 0x09) || listed.contains(&b);
            assert_eq!(
                is_cors_unsafe_request_header_byte(b),
                want,
                "byte 0x{b:02x}"
            );
        }
    }

    #[test]
    fn unsafe_names_sorted_lowercase_and_total() {
        let v = [b'a'; 128];
        let h: Vec<(&[u8], &[u8])> = (0..9).map(|_| (&b"Accept"[..], &v[..])).collect();
        // 9 * 128 = 1152 > 1024: the safelisted entries all become unsafe (#cors-unsafe-request-header-names step 3)
        let u = cors_unsafe_request_header_names(h.iter().copied());
        assert_eq!(u.len(), 1);
        assert_eq!(u[0].name, "accept");
        assert!(matches!(
            u[0].reasons[0],
            UnsafeHeaderReason::TotalTooLong { total: 1152 }
        ));
        let h2: Vec<(&[u8], &[u8])> = (0..8).map(|_| (&b"Accept"[..], &v[..])).collect();
        assert!(cors_unsafe_request_header_names(h2.iter().copied()).is_empty()); // exactly 1024 is fine
        let h3: [(&[u8], &[u8]); 3] = [(b"X-b", b"1"), (b"x-A", b"2"), (b"X-B", b"3")];
        let names: Vec<String> = cors_unsafe_request_header_names(h3)
            .into_iter()
            .map(|u| u.name)
            .collect();
        assert_eq!(names, ["x-a", "x-b"]);
    }

    #[test]
    fn forbidden_names() {
        for n in FORBIDDEN_REQUEST_HEADER_NAMES {
            assert!(is_forbidden_request_header_name(
                n.to_uppercase().as_bytes()
            ));
        }
        assert!(is_forbidden_request_header_name(b"Proxy-Authorization"));
        assert!(is_forbidden_request_header_name(b"sec-ch-ua"));
        assert!(!is_forbidden_request_header_name(b"Authorization"));
        assert!(!is_forbidden_request_header_name(b"X-Secret"));
        assert!(is_forbidden_request_header(
            b"x-method-override",
            b"connect"
        ));
        assert!(!is_forbidden_request_header(b"x-method-override", b"PATCH"));
    }

    #[test]
    fn response_names() {
        assert!(is_cors_safelisted_response_header_name(b"Content-Type", []));
        assert!(!is_cors_safelisted_response_header_name(b"X-Total", []));
        assert!(is_cors_safelisted_response_header_name(
            b"X-Total",
            [&b"x-total"[..]]
        ));
        assert!(!is_cors_safelisted_response_header_name(
            b"Set-Cookie",
            [&b"set-cookie"[..]]
        ));
        assert!(is_cors_non_wildcard_request_header_name(b"AUTHORIZATION"));
    }
}
