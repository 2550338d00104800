//! The request options `cors check` and `cors explain` share (`--origin`, `--method`, `--header`,
//! `--data`, `--credentials`, `--mode`, `--redirect`, `--browser`…), turned into the engine's
//! [`cors::agent::Request`]: what a page's `fetch()` call would ask for.

use cors::agent::{Body, CredentialsMode, Mode, Profile, RedirectMode, Request};
use cors::vocab::Origin;

/// The kind of body script passes to `fetch()`, which decides the `Content-Type` the browser adds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum BodyKind {
    /// A string: the browser adds `Content-Type: text/plain;charset=UTF-8` unless one is set.
    Text,
    /// `URLSearchParams`: adds `Content-Type: application/x-www-form-urlencoded;charset=UTF-8`.
    Params,
    /// Bytes (`ArrayBuffer`, `Blob` without a type): no `Content-Type` added.
    Bytes,
    /// A `ReadableStream` (`duplex: "half"`): always preflighted.
    Stream,
}

impl BodyKind {
    fn body(self) -> Body {
        match self {
            BodyKind::Text => Body::Text,
            BodyKind::Params => Body::UrlSearchParams,
            BodyKind::Bytes => Body::Bytes,
            BodyKind::Stream => Body::Stream,
        }
    }
    /// The keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            BodyKind::Text => "text",
            BodyKind::Params => "params",
            BodyKind::Bytes => "bytes",
            BodyKind::Stream => "stream",
        }
    }
}

/// `--credentials`: the `fetch()` option of the same name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum CredentialsArg {
    /// Never send cookies or HTTP authentication.
    Omit,
    /// Only to the page's own origin (the `fetch()` default).
    SameOrigin,
    /// Always send them (`credentials: "include"`, `withCredentials = true`).
    Include,
}

/// `--mode`: the `fetch()` option of the same name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ModeArg {
    /// A CORS request (the `fetch()` default).
    Cors,
    /// No CORS: the response is opaque to script.
    NoCors,
    /// Cross-origin URLs fail.
    SameOrigin,
}

/// `--redirect`: the `fetch()` option of the same name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum RedirectArg {
    /// Follow redirects (the default).
    Follow,
    /// A redirect is a network error.
    Error,
    /// Return the redirect as an opaque-redirect response.
    Manual,
}

/// `--browser`: whose CORS engine to predict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum BrowserArg {
    /// The Fetch Standard, to the letter.
    Spec,
    /// Chromium (Chrome, Edge, Opera, Brave…), with its deviations as headless Chromium 156 shows them.
    Chromium,
    /// Firefox, with its deviations as headless Firefox ESR 153 shows them; its console lines and reason codes.
    Firefox,
    /// Safari (WebKit), with its deviations as WebKitGTK 2.50 shows them (Safari on macOS may
    /// differ where its network stack decides: docs/browser-differences.md).
    Safari,
}

impl BrowserArg {
    /// The engine profile.
    pub fn profile(self) -> Profile {
        match self {
            BrowserArg::Spec => Profile::Spec,
            BrowserArg::Chromium => Profile::Chromium,
            BrowserArg::Firefox => Profile::Firefox,
            BrowserArg::Safari => Profile::Safari,
        }
    }
}

/// The options describing the `fetch()` call, shared by `check` and `explain`.
#[derive(clap::Args, Debug, Clone)]
pub struct RequestArgs {
    /// The origin of the page whose script makes the request, e.g. `https://app.example.com`.
    /// `null` stands for an opaque origin (sandboxed iframes, `file:` pages, data: URLs).
    /// With --curl, --fetch or --har: used when the request has no `Origin` header.
    #[arg(long, value_name = "ORIGIN", required_unless_present_any = ["curl", "fetch", "har"])]
    pub origin: Option<String>,

    /// The request method, as script passes it (`fetch(url, {method})`). Default: GET, or
    /// POST with --data.
    #[arg(short = 'X', long, value_name = "METHOD")]
    pub method: Option<String>,

    /// A request header script sets, as `Name: value` (repeatable; order and duplicates kept).
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE")]
    pub headers: Vec<String>,

    /// As --header, with `\xHH` for any code point U+0000–U+00FF and `\\` for a backslash, for
    /// values a command line cannot carry (NUL) or shows badly (control bytes):
    /// `--header-escaped 'Accept: text/html\x01'`; `\x3a` puts a colon in the name. Taken after
    /// every --header.
    #[arg(long = "header-escaped", value_name = "NAME: VALUE")]
    pub headers_escaped: Vec<String>,

    /// A request body (a string, unless --body says otherwise).
    #[arg(short = 'd', long, value_name = "BODY")]
    pub data: Option<String>,

    /// What kind of body script passes: it decides the Content-Type the browser adds.
    /// Default: text when --data is given.
    #[arg(long = "body", value_name = "KIND", value_enum)]
    pub body_kind: Option<BodyKind>,

    /// The credentials mode: are cookies and HTTP authentication sent?
    #[arg(long, value_name = "MODE", value_enum, default_value = "same-origin")]
    pub credentials: CredentialsArg,

    /// The request mode.
    #[arg(long, value_name = "MODE", value_enum, default_value = "cors")]
    pub mode: ModeArg,

    /// The redirect mode.
    #[arg(long, value_name = "MODE", value_enum, default_value = "follow")]
    pub redirect: RedirectArg,

    /// Whose CORS engine to predict (docs/browser-differences.md: where Chromium and Firefox differ).
    #[arg(long, value_name = "BROWSER", value_enum, default_value = "chromium")]
    pub browser: BrowserArg,

    /// The target is in a more private address space than the page (Private Network Access):
    /// a preflight asks for `Access-Control-Allow-Private-Network`.
    #[arg(long)]
    pub private_network: bool,
}

/// A usage error in the request options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageError(pub String);

/// Parses `Name: value`: the name is everything before the first `:`, the value everything
/// after it (the browser strips the surrounding whitespace itself).
pub fn parse_header(arg: &str) -> Result<(String, String), UsageError> {
    match arg.split_once(':') {
        // An empty name is kept: `Headers.append("", …)` throws, and the engine refuses it so.
        Some((name, value)) => Ok((name.to_string(), value.to_string())),
        _ => Err(UsageError(format!(
            "--header `{arg}`: expected `Name: value`, e.g. `Content-Type: application/json`"
        ))),
    }
}

/// `\xHH` → the code point U+00HH, `\\` → `\`; `None` for any other backslash.
fn unescape(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            '\\' => out.push('\\'),
            'x' => {
                let hex: String = chars.by_ref().take(2).collect();
                out.push(char::from(
                    u8::from_str_radix(&hex, 16)
                        .ok()
                        .filter(|_| hex.len() == 2)?,
                ));
            }
            _ => return None,
        }
    }
    Some(out)
}

/// Parses the page origin (`null` included; any scheme, as extensions' pages have).
pub fn parse_origin(s: &str) -> Result<Origin, UsageError> {
    Origin::parse_with(s, true).map_err(|e| UsageError(format!("--origin `{s}`: {e}")))
}

/// Parses the target URL: absolute, with a scheme (the engine decides what a non-HTTP scheme means).
pub fn parse_url(s: &str, flag: &str) -> Result<url::Url, UsageError> {
    url::Url::parse(s).map_err(|e| UsageError(format!("{flag} `{s}` is not an absolute URL: {e}")))
}

impl RequestArgs {
    /// The body kind in effect (`--body`, or text with `--data`).
    pub fn body_kind(&self) -> Option<BodyKind> {
        self.body_kind
            .or(self.data.as_ref().map(|_| BodyKind::Text))
    }

    /// The request `fetch()` would get.
    pub fn to_request(&self, url: url::Url) -> Result<Request, UsageError> {
        let origin = parse_origin(self.origin.as_deref().ok_or_else(|| {
            UsageError("--origin is required: the origin of the page that makes the request".into())
        })?)?;
        let method = match &self.method {
            Some(m) => m.clone(),
            None if self.body_kind().is_some() => "POST".into(),
            None => "GET".into(),
        };
        let mut req = Request::new(origin, url)
            .with_method(method)
            .with_body(self.body_kind().map_or(Body::None, BodyKind::body))
            .with_credentials(match self.credentials {
                CredentialsArg::Omit => CredentialsMode::Omit,
                CredentialsArg::SameOrigin => CredentialsMode::SameOrigin,
                CredentialsArg::Include => CredentialsMode::Include,
            })
            .with_mode(match self.mode {
                ModeArg::Cors => Mode::Cors,
                ModeArg::NoCors => Mode::NoCors,
                ModeArg::SameOrigin => Mode::SameOrigin,
            })
            .with_redirect(match self.redirect {
                RedirectArg::Follow => RedirectMode::Follow,
                RedirectArg::Error => RedirectMode::Error,
                RedirectArg::Manual => RedirectMode::Manual,
            })
            .with_private_network(self.private_network);
        for (n, v) in self.header_pairs()? {
            // As `Headers.append` takes JavaScript strings: U+0000–U+00FF become one byte each
            // (`é` is 0xE9); a higher code point is refused (see `byte_string_refusal`) and the
            // header is kept as UTF-8 only for the report.
            match cors::agent::script_header(&n, &v) {
                Ok((n, v)) => req = req.with_header(n, v),
                Err(_) => req = req.with_header(n, v),
            }
        }
        Ok(req)
    }

    /// The `TypeError` `fetch()` throws when a `--header` name or value has a code point above
    /// U+00FF (Web IDL ByteString), else `None`.
    pub fn byte_string_refusal(&self) -> Option<cors::agent::Refusal> {
        self.header_pairs()
            .ok()?
            .iter()
            .find_map(|(n, v)| cors::agent::script_header(n, v).err())
    }

    /// `--header` values, then the `--header-escaped` ones (split at the first `:`, then
    /// unescaped: `X\x3aA: 1` names `X:A`).
    pub fn header_pairs(&self) -> Result<Vec<(String, String)>, UsageError> {
        let mut out = Vec::new();
        for h in &self.headers {
            out.push(parse_header(h)?);
        }
        for h in &self.headers_escaped {
            let (n, v) = parse_header(h)?;
            let bad = || {
                UsageError(format!(
                    "--header-escaped `{h}`: a backslash must start `\\xHH` (two hex digits) or `\\\\`"
                ))
            };
            out.push((unescape(&n).ok_or_else(bad)?, unescape(&v).ok_or_else(bad)?));
        }
        Ok(out)
    }

    /// The engine profile of `--browser`.
    pub fn profile(&self) -> Profile {
        self.browser.profile()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_split_at_the_first_colon_and_keep_the_value_raw() {
        let rows = [
            (
                "Content-Type: application/json",
                Some(("Content-Type", " application/json")),
            ),
            ("X-Empty:", Some(("X-Empty", ""))),
            ("X-Url: http://a:1", Some(("X-Url", " http://a:1"))),
            ("X A: 1", Some(("X A", " 1"))), // the engine refuses the name, as fetch() does
            ("no colon", None),
            (": value", Some(("", " value"))), // an empty name: fetch() throws, so does the engine
        ];
        for (arg, want) in rows {
            let got = parse_header(arg).ok();
            let got = got.as_ref().map(|(n, v)| (n.as_str(), v.as_str()));
            assert_eq!(got, want, "{arg}");
        }
    }

    #[test]
    fn origins_accept_null_and_other_schemes_but_not_paths() {
        assert!(parse_origin("null").unwrap().is_opaque());
        assert_eq!(
            parse_origin("chrome-extension://abcdef").unwrap().as_str(),
            "chrome-extension://abcdef"
        );
        assert!(parse_origin("https://a.example/").is_err());
        assert!(parse_origin("a.example").is_err());
    }
}
