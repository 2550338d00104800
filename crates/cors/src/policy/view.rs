//! What a decision reads of a request: [`RequestView`], borrowed from an `http::Request` or its
//! parts. The bottom floor of `policy`: it uses only the `http` crate.

use http::{HeaderMap, Method, Uri};

/// The parts of a request a decision reads.
#[derive(Clone, Copy, Debug)]
pub struct RequestView<'a> {
    /// The request method.
    pub method: &'a Method,
    /// The request URI.
    pub uri: &'a Uri,
    /// The request headers.
    pub headers: &'a HeaderMap,
}

impl<'a, B> From<&'a http::Request<B>> for RequestView<'a> {
    fn from(r: &'a http::Request<B>) -> Self {
        RequestView {
            method: r.method(),
            uri: r.uri(),
            headers: r.headers(),
        }
    }
}

impl<'a> From<&'a http::request::Parts> for RequestView<'a> {
    fn from(p: &'a http::request::Parts) -> Self {
        RequestView {
            method: &p.method,
            uri: &p.uri,
            headers: &p.headers,
        }
    }
}
