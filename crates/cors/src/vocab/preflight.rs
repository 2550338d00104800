//! What a CORS-preflight answer covers (Fetch `#cors-preflight-fetch`, steps 7.5–7.7), stated
//! once: the server asks "does my list cover what the browser asks for?", the user agent asks
//! "does the answer's list cover what I am about to send?". Neither allocates.

use super::grammar::eq_ignore_case;
use super::safelist::{is_cors_non_wildcard_request_header_name, is_cors_safelisted_method};

/// Step 7.5: `method` is covered when it is CORS-safelisted, listed byte for byte, or when a
/// wildcard applies (`*` listed and credentials not included — the caller decides that).
///
/// ```
/// use cors::vocab::preflight::method_covered;
/// let listed: [&[u8]; 2] = [b"PUT", b"patch"];
/// assert!(method_covered(b"GET", listed, false)); // safelisted
/// assert!(method_covered(b"patch", listed, false));
/// assert!(!method_covered(b"PATCH", listed, false)); // byte for byte
/// assert!(method_covered(b"DELETE", listed, true));
/// ```
pub fn method_covered<'a>(
    method: &[u8],
    listed: impl IntoIterator<Item = &'a [u8]>,
    wildcard: bool,
) -> bool {
    wildcard || is_cors_safelisted_method(method) || listed.into_iter().any(|m| m == method)
}

/// Steps 7.6–7.7: a request-header name is covered when it is listed (case-insensitively), or
/// when a wildcard applies — never for `Authorization`, which `*` does not cover
/// (`#cors-non-wildcard-request-header-name`).
///
/// ```
/// use cors::vocab::preflight::header_name_covered;
/// let listed: [&[u8]; 1] = [b"X-Token"];
/// assert!(header_name_covered(b"x-token", listed, false));
/// assert!(header_name_covered(b"x-other", listed, true));
/// assert!(!header_name_covered(b"authorization", listed, true));
/// ```
pub fn header_name_covered<'a, I>(name: &[u8], listed: I, wildcard: bool) -> bool
where
    I: IntoIterator<Item = &'a [u8]>,
    I::IntoIter: Clone,
{
    let listed = listed.into_iter();
    // Browsers send names lowercase and lists are usually written so: a plain comparison first.
    listed.clone().any(|h| h == name)
        || listed.into_iter().any(|h| eq_ignore_case(h, name))
        || (wildcard && !is_cors_non_wildcard_request_header_name(name))
}
