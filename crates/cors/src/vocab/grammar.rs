//! The Fetch Standard's header grammar: tokens, header values, and comma-separated lists.
//! Everything here works on bytes and borrows; nothing allocates.

/// `tchar` of RFC 9110 `token` (Fetch `#concept-header-name`, `#concept-method`).
#[inline]
pub const fn is_tchar(b: u8) -> bool {
    matches!(b,
        b'!' | b'#' | b'$' | b'%' | b'&' | b'\'' | b'*' | b'+' | b'-' | b'.' | b'^' | b'_' | b'`' | b'|' | b'~'
        | b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z')
}

/// [`is_tchar`] for every byte, as a table: one load per byte on the hot paths.
static TCHAR: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = is_tchar(i as u8);
        i += 1;
    }
    t
};

/// A non-empty `token` (RFC 9110 §5.6.2): a method or a header name.
#[inline]
pub fn is_token(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(|&b| TCHAR[usize::from(b)])
}

/// A method (Fetch `#concept-method`): a token.
pub fn is_method(s: &[u8]) -> bool {
    is_token(s)
}

/// A header name (Fetch `#header-name`): a token.
pub fn is_header_name(s: &[u8]) -> bool {
    is_token(s)
}

/// HTTP tab or space (Fetch `#http-tab-or-space`).
#[inline]
pub const fn is_http_tab_or_space(b: u8) -> bool {
    b == b'\t' || b == b' '
}

/// HTTP whitespace byte (Fetch `#http-whitespace-byte`): tab, space, LF, CR.
#[inline]
pub const fn is_http_whitespace(b: u8) -> bool {
    matches!(b, b'\t' | b' ' | b'\n' | b'\r')
}

/// A header value (Fetch `#header-value`): no leading or trailing tab or space, and no NUL, LF or CR.
pub fn is_header_value(v: &[u8]) -> bool {
    let edges_ok = match (v.first(), v.last()) {
        (Some(&a), Some(&b)) => !is_http_tab_or_space(a) && !is_http_tab_or_space(b),
        _ => true,
    };
    edges_ok && !v.iter().any(|&b| matches!(b, 0 | b'\n' | b'\r'))
}

/// Strips leading and trailing HTTP whitespace bytes (Fetch `#concept-header-value-normalize`).
pub fn normalize_header_value(v: &[u8]) -> &[u8] {
    trim_with(v, is_http_whitespace)
}

/// Strips leading and trailing tab and space.
pub fn trim_tab_or_space(v: &[u8]) -> &[u8] {
    trim_with(v, is_http_tab_or_space)
}

fn trim_with(mut v: &[u8], pred: fn(u8) -> bool) -> &[u8] {
    while let [first, rest @ ..] = v {
        if pred(*first) { v = rest } else { break }
    }
    while let [rest @ .., last] = v {
        if pred(*last) { v = rest } else { break }
    }
    v
}

/// The items of one header value split as Fetch's "get, decode, and split"
/// (`#concept-header-list-get-decode-split`): split on `,` outside quoted strings, each item
/// trimmed of tabs and spaces, empty items kept, quotes kept in the item.
///
/// ```
/// use cors::vocab::grammar::split_list;
/// let items: Vec<&[u8]> = split_list(b"x / x,,, 1").collect();
/// assert_eq!(items, [&b"x / x"[..], b"", b"", b"1"]);
/// let q: Vec<&[u8]> = split_list(br#""a,b", c"#).collect();
/// assert_eq!(q, [&br#""a,b""#[..], b"c"]);
/// ```
pub fn split_list(value: &[u8]) -> SplitList<'_> {
    SplitList { rest: Some(value) }
}

/// Iterator returned by [`split_list`].
#[derive(Clone, Debug)]
pub struct SplitList<'a> {
    rest: Option<&'a [u8]>,
}

impl<'a> Iterator for SplitList<'a> {
    type Item = &'a [u8];
    fn next(&mut self) -> Option<&'a [u8]> {
        let v = self.rest?;
        let mut i = 0;
        while i < v.len() {
            match v[i] {
                b'"' => {
                    // collect an HTTP quoted string: up to the closing quote, honouring `\` escapes.
                    i += 1;
                    while i < v.len() {
                        match v[i] {
                            b'\\' => i += 2,
                            b'"' => break,
                            _ => i += 1,
                        }
                    }
                    i = (i + 1).min(v.len());
                }
                b',' => {
                    self.rest = Some(&v[i + 1..]);
                    return Some(trim_tab_or_space(&v[..i]));
                }
                _ => i += 1,
            }
        }
        self.rest = None;
        Some(trim_tab_or_space(v))
    }
}

/// A list of tokens as the CORS headers carry them: `#method` (`Access-Control-Allow-Methods`)
/// and `#field-name` (`Access-Control-Allow-Headers`, `-Expose-Headers`, `-Request-Headers`)
/// (Fetch `#http-new-header-syntax`, RFC 9110 §5.6.1). Empty elements are tolerated and skipped,
/// as recipients must; any other element that is not a token makes the whole list a failure.
///
/// Yields `Ok(token)` per element, or one `Err(item)` with the offending element.
///
/// ```
/// use cors::vocab::grammar::token_list;
/// let ok: Result<Vec<&[u8]>, _> = token_list(b"GET, ,POST").collect();
/// assert_eq!(ok.unwrap(), [&b"GET"[..], b"POST"]);
/// assert!(token_list(b"x-a, x b").collect::<Result<Vec<_>, _>>().is_err());
/// ```
pub fn token_list(value: &[u8]) -> TokenList<'_> {
    TokenList {
        items: split_list(value),
        failed: false,
    }
}

/// Iterator returned by [`token_list`].
#[derive(Clone, Debug)]
pub struct TokenList<'a> {
    items: SplitList<'a>,
    failed: bool,
}

impl<'a> Iterator for TokenList<'a> {
    type Item = Result<&'a [u8], &'a [u8]>;
    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        for item in self.items.by_ref() {
            if item.is_empty() {
                continue;
            }
            if is_token(item) {
                return Some(Ok(item));
            }
            self.failed = true;
            return Some(Err(item));
        }
        None
    }
}

/// Fetch "extract header list values" (`#extract-header-list-values`) for a token list header
/// present as several header lines: `None` when absent, `Err(bad element)` on a syntax error,
/// else the tokens of all lines in order. Allocates the result; the hot paths iterate
/// [`token_list`] instead.
pub fn extract_token_list<'a, I>(values: I) -> Option<Result<Vec<&'a [u8]>, &'a [u8]>>
where
    I: IntoIterator<Item = &'a [u8]>,
{
    let mut out: Option<Vec<&'a [u8]>> = None;
    for v in values {
        let list = out.get_or_insert_with(Vec::new);
        for item in token_list(v) {
            match item {
                Ok(t) => list.push(t),
                Err(bad) => return Some(Err(bad)),
            }
        }
    }
    out.map(Ok)
}

/// Fetch header-list "get" (`#concept-header-list-get`): `None` when no header is named `name`
/// (case-insensitively), else the values of all such headers, in order, joined by `0x2C 0x20`.
/// Each value is first stripped of leading and trailing HTTP whitespace, as an HTTP parser does.
///
/// ```
/// use cors::vocab::grammar::header_list_get;
/// let h: [(&[u8], &[u8]); 3] = [(b"A", b"1"), (b"b", b"x"), (b"a", b" 2 ")];
/// assert_eq!(header_list_get(h, b"a").as_deref(), Some(&b"1, 2"[..]));
/// assert_eq!(header_list_get(h, b"c"), None);
/// ```
pub fn header_list_get<'a>(
    headers: impl IntoIterator<Item = (&'a [u8], &'a [u8])>,
    name: &[u8],
) -> Option<Vec<u8>> {
    let mut out: Option<Vec<u8>> = None;
    for (n, v) in headers {
        if !eq_ignore_case(n, name) {
            continue;
        }
        let v = normalize_header_value(v);
        match out.as_mut() {
            None => out = Some(v.to_vec()),
            Some(o) => {
                o.extend_from_slice(b", ");
                o.extend_from_slice(v);
            }
        }
    }
    out
}

/// The values (stripped of leading and trailing HTTP whitespace) of every header named `name`,
/// one per header line, in order: the input of "extract header list values".
pub fn header_list_values<'a>(
    headers: impl IntoIterator<Item = (&'a [u8], &'a [u8])>,
    name: &[u8],
) -> Vec<&'a [u8]> {
    headers
        .into_iter()
        .filter(|(n, _)| eq_ignore_case(n, name))
        .map(|(_, v)| normalize_header_value(v))
        .collect()
}

/// `delta-seconds` (RFC 9111 §1.2.2), the syntax of `Access-Control-Max-Age`: one or more
/// digits. Saturates at `u64::MAX` rather than failing on huge values.
pub fn parse_delta_seconds(v: &[u8]) -> Option<u64> {
    if v.is_empty() || !v.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(v.iter().fold(0u64, |n, d| {
        n.saturating_mul(10).saturating_add(u64::from(d - b'0'))
    }))
}

/// Byte-case-insensitive equality (Fetch's "byte-case-insensitive match").
#[inline]
pub fn eq_ignore_case(a: &[u8], b: &[u8]) -> bool {
    a.eq_ignore_ascii_case(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens() {
        assert!(is_token(b"X-PINGOTHER"));
        assert!(is_token(b"!#$%&'*+-.^_`|~09azAZ"));
        for bad in [
            &b""[..],
            b"a b",
            b"a,b",
            b"a/b",
            b"a\"b",
            b"a@b",
            b"\xff",
            b"(x)",
            b"a:b",
        ] {
            assert!(!is_token(bad), "{bad:?}");
        }
    }

    /// Fetch `#concept-header-list-get-decode-split` examples.
    #[test]
    fn get_decode_split() {
        let rows: &[(&[u8], &[&[u8]])] = &[
            (b"nosniff,", &[b"nosniff", b""]),
            (b"", &[b""]),
            (b"text/html;\", x/x", &[b"text/html;\", x/x"]),
            (b"x/x;test=\"hi\",y/y", &[b"x/x;test=\"hi\"", b"y/y"]),
            (b"x / x,,,1", &[b"x / x", b"", b"", b"1"]),
            (b"\"1,2\", 3", &[b"\"1,2\"", b"3"]),
            (b"\"a\\\"b,c\",d", &[b"\"a\\\"b,c\"", b"d"]),
        ];
        for (input, want) in rows {
            let got: Vec<&[u8]> = split_list(input).collect();
            assert_eq!(&got, want, "{:?}", String::from_utf8_lossy(input));
        }
    }

    #[test]
    fn token_lists() {
        assert_eq!(extract_token_list(Vec::<&[u8]>::new()), None);
        assert_eq!(extract_token_list([&b""[..]]), Some(Ok(vec![])));
        assert_eq!(
            extract_token_list([&b"a, b"[..], b"c"]),
            Some(Ok(vec![&b"a"[..], b"b", b"c"]))
        );
        assert_eq!(extract_token_list([&b"a, b/c"[..]]), Some(Err(&b"b/c"[..])));
        assert_eq!(
            extract_token_list([&b"a,,  ,b"[..]]),
            Some(Ok(vec![&b"a"[..], b"b"]))
        );
        assert_eq!(
            extract_token_list([&b"\"a\""[..]]),
            Some(Err(&b"\"a\""[..]))
        );
    }

    #[test]
    fn values_and_delta_seconds() {
        assert!(is_header_value(b"a b"));
        assert!(is_header_value(b""));
        assert!(!is_header_value(b" a"));
        assert!(!is_header_value(b"a\r\nb"));
        assert_eq!(normalize_header_value(b"\r\n a \t"), b"a");
        assert_eq!(parse_delta_seconds(b"600"), Some(600));
        assert_eq!(parse_delta_seconds(b"-1"), None);
        assert_eq!(parse_delta_seconds(b"1.5"), None);
        assert_eq!(parse_delta_seconds(b""), None);
        assert_eq!(
            parse_delta_seconds(b"99999999999999999999999"),
            Some(u64::MAX)
        );
    }
}
