//! A `fetch("url", {…})` call as DevTools copy it ("Copy as fetch" in Chromium and Firefox):
//! the options are a JSON-like object literal — quoted or bare keys, strings in `"…"`, `'…'` or
//! `` `…` `` (without `${}`), `null`, booleans, numbers, trailing commas, `//` and `/* */`
//! comments. No JavaScript runs: anything else (a variable, a call) is an error at its position.

use super::capture::{Captured, ImportError};

/// A literal value.
#[derive(Clone, Debug, PartialEq)]
enum Value {
    Str(String),
    Num,
    Bool(bool),
    Null,
    Obj(Vec<(String, Value, usize)>),
    Arr(Vec<Value>),
}

struct P<'a> {
    s: &'a str,
    i: usize,
    depth: usize,
    /// An object key was written bare (`method:`), which `JSON.stringify` never does.
    bare_keys: bool,
}

fn err(offset: usize, code: &'static str, message: impl Into<String>) -> ImportError {
    ImportError {
        code,
        message: message.into(),
        offset,
    }
}

impl P<'_> {
    fn peek(&self) -> Option<char> {
        self.s[self.i..].chars().next()
    }
    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.i += c.len_utf8();
        Some(c)
    }
    fn ws(&mut self) -> Result<(), ImportError> {
        loop {
            let rest = &self.s[self.i..];
            if rest.starts_with("//") {
                self.i += rest.find('\n').unwrap_or(rest.len());
            } else if let Some(body) = rest.strip_prefix("/*") {
                let end = body.find("*/").ok_or_else(|| {
                    err(
                        self.i,
                        "unterminated-comment",
                        "this comment is never closed",
                    )
                })?;
                self.i += end + 4;
            } else if self.peek().is_some_and(char::is_whitespace) {
                self.bump();
            } else {
                return Ok(());
            }
        }
    }
    fn eat(&mut self, c: char) -> Result<bool, ImportError> {
        self.ws()?;
        Ok(if self.peek() == Some(c) {
            self.bump();
            true
        } else {
            false
        })
    }
    fn expect(&mut self, c: char, what: &str) -> Result<(), ImportError> {
        if self.eat(c)? {
            Ok(())
        } else {
            Err(err(
                self.i,
                "unexpected",
                format!("expected {what}, found {}", self.found()),
            ))
        }
    }
    fn found(&self) -> String {
        match self.peek() {
            Some(c) => format!("`{c}`"),
            None => "the end".into(),
        }
    }
    fn ident(&mut self) -> String {
        let start = self.i;
        while self
            .peek()
            .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$')
        {
            self.bump();
        }
        self.s[start..self.i].to_string()
    }
    fn string(&mut self) -> Result<String, ImportError> {
        let open = self.i;
        let q = self.bump().unwrap_or('"');
        let mut out = String::new();
        loop {
            let Some(c) = self.bump() else {
                return Err(err(
                    open,
                    "unterminated-string",
                    "this string is never closed",
                ));
            };
            match c {
                c if c == q => return Ok(out),
                '$' if q == '`' && self.peek() == Some('{') => {
                    return Err(err(
                        self.i - 1,
                        "not-a-literal",
                        "a template substitution `${…}` is code, not a literal",
                    ));
                }
                '\n' if q != '`' => {
                    return Err(err(
                        open,
                        "unterminated-string",
                        "this string is never closed",
                    ));
                }
                '\\' => {
                    let at = self.i - 1;
                    let Some(e) = self.bump() else { continue };
                    match e {
                        'n' => out.push('\n'),
                        'r' => out.push('\r'),
                        't' => out.push('\t'),
                        'b' => out.push('\u{8}'),
                        'f' => out.push('\u{c}'),
                        'v' => out.push('\u{b}'),
                        '0' if !self.peek().is_some_and(|c| c.is_ascii_digit()) => out.push('\0'),
                        '\n' => {}
                        'x' | 'u' => {
                            let hex = |p: &mut P<'_>, n: usize| -> Option<u32> {
                                let h = p.s.get(p.i..p.i + n)?;
                                let v = u32::from_str_radix(h, 16).ok()?;
                                p.i += n;
                                Some(v)
                            };
                            let v = if e == 'x' {
                                hex(self, 2)
                            } else if self.peek() == Some('{') {
                                self.bump();
                                let start = self.i;
                                while self.peek().is_some_and(|c| c.is_ascii_hexdigit()) {
                                    self.bump();
                                }
                                let v = u32::from_str_radix(&self.s[start..self.i], 16).ok();
                                self.eat('}')?.then_some(()).and(v)
                            } else {
                                match hex(self, 4) {
                                    // A UTF-16 surrogate pair, as JSON.stringify may write.
                                    Some(hi @ 0xD800..=0xDBFF)
                                        if self.s[self.i..].starts_with("\\u") =>
                                    {
                                        self.i += 2;
                                        hex(self, 4).map(|lo| {
                                            0x10000
                                                + ((hi - 0xD800) << 10)
                                                + (lo.wrapping_sub(0xDC00) & 0x3FF)
                                        })
                                    }
                                    v => v,
                                }
                            };
                            out.push(v.and_then(char::from_u32).ok_or_else(|| {
                                err(at, "bad-escape", "this escape is not a character")
                            })?);
                        }
                        other => out.push(other),
                    }
                }
                c => out.push(c),
            }
        }
    }
    fn value(&mut self) -> Result<Value, ImportError> {
        self.ws()?;
        self.depth += 1;
        if self.depth > 64 {
            return Err(err(self.i, "too-deep", "the literal nests too deeply"));
        }
        let at = self.i;
        let v = match self.peek() {
            Some('"' | '\'' | '`') => Value::Str(self.string()?),
            Some('{') => {
                self.bump();
                let mut fields = Vec::new();
                loop {
                    self.ws()?;
                    if self.eat('}')? {
                        break;
                    }
                    let key_at = self.i;
                    let key = match self.peek() {
                        Some('"' | '\'') => self.string()?,
                        Some(c) if c.is_alphabetic() || c == '_' || c == '$' => {
                            self.bare_keys = true;
                            self.ident()
                        }
                        _ => {
                            return Err(err(
                                self.i,
                                "unexpected",
                                format!("expected a key or `}}`, found {}", self.found()),
                            ));
                        }
                    };
                    self.expect(':', "`:`")?;
                    let v = self.value()?;
                    fields.push((key, v, key_at));
                    if !self.eat(',')? {
                        self.expect('}', "`,` or `}`")?;
                        break;
                    }
                }
                Value::Obj(fields)
            }
            Some('[') => {
                self.bump();
                let mut items = Vec::new();
                loop {
                    if self.eat(']')? {
                        break;
                    }
                    items.push(self.value()?);
                    if !self.eat(',')? {
                        self.expect(']', "`,` or `]`")?;
                        break;
                    }
                }
                Value::Arr(items)
            }
            Some(c) if c.is_ascii_digit() || c == '-' || c == '.' => {
                while self
                    .peek()
                    .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '+' | '.'))
                {
                    self.bump();
                }
                Value::Num
            }
            Some(c) if c.is_alphabetic() || c == '_' || c == '$' => match self.ident().as_str() {
                "null" | "undefined" => Value::Null,
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                other => {
                    return Err(err(
                        at,
                        "not-a-literal",
                        format!(
                            "`{other}` is code, not a literal: only the call DevTools copy (strings, objects, null) is read"
                        ),
                    ));
                }
            },
            _ => {
                return Err(err(
                    at,
                    "unexpected",
                    format!("expected a value, found {}", self.found()),
                ));
            }
        };
        self.depth -= 1;
        Ok(v)
    }
}

/// Parses `fetch("url", {…})` (optionally `await`ed, optionally ending in `;`).
pub fn parse(text: &str) -> Result<Captured, ImportError> {
    let mut p = P {
        s: text,
        i: 0,
        depth: 0,
        bare_keys: false,
    };
    p.ws()?;
    let start = p.i;
    let mut word = p.ident();
    if word == "await" {
        p.ws()?;
        word = p.ident();
    }
    if word != "fetch" {
        return Err(err(
            start,
            "not-fetch",
            "expected a `fetch(\"url\", {…})` call, as DevTools' \"Copy as fetch\" gives",
        ));
    }
    p.expect('(', "`(`")?;
    p.ws()?;
    let url_offset = p.i;
    let Value::Str(url) = p.value()? else {
        return Err(err(
            url_offset,
            "bad-url",
            "the first argument must be the URL, as a string",
        ));
    };
    let mut c = Captured {
        url,
        url_offset,
        ..Captured::default()
    };
    if p.eat(',')? {
        p.ws()?;
        if p.peek() != Some(')') {
            let opts_at = p.i;
            let Value::Obj(fields) = p.value()? else {
                return Err(err(
                    opts_at,
                    "bad-options",
                    "the second argument must be an object literal",
                ));
            };
            options(&mut c, fields)?;
            p.eat(',')?;
        }
    }
    p.expect(')', "`)`")?;
    p.eat(';')?;
    p.ws()?;
    if p.i < text.len() {
        return Err(err(
            p.i,
            "trailing",
            "more after the fetch() call: give the call alone",
        ));
    }
    if c.method.is_none() {
        c.method = Some("GET".into());
    }
    // Both DevTools' "Copy as fetch" (`JSON.stringify` of the options: every key quoted, `mode`
    // always "cors") write `credentials: "include"` when the request had cookies *or an
    // Authorization header*, and leave the Cookie header out. With an Authorization header the
    // "include" therefore does not say cookies were sent: it is not taken, and the fetch()
    // default (same-origin) is, with a note saying so.
    if !p.bare_keys
        && c.mode.as_deref() == Some("cors")
        && c.credentials.as_deref() == Some("include")
        && c.header("authorization").is_some()
        && c.header("cookie").is_none()
    {
        c.credentials = None;
        c.notes.push(
            "DevTools writes credentials \"include\" for an Authorization header alone, so it does not show the page asked for include: not taken".into(),
        );
    }
    Ok(c)
}

fn options(c: &mut Captured, fields: Vec<(String, Value, usize)>) -> Result<(), ImportError> {
    let string = |v: Value, key: &str, at: usize| -> Result<Option<String>, ImportError> {
        match v {
            Value::Str(s) => Ok(Some(s)),
            Value::Null => Ok(None),
            _ => Err(err(at, "bad-option", format!("`{key}` must be a string"))),
        }
    };
    for (key, v, at) in fields {
        match key.as_str() {
            "method" => c.method = string(v, &key, at)?,
            "mode" => c.mode = string(v, &key, at)?,
            "credentials" => c.credentials = string(v, &key, at)?,
            "referrer" => c.referrer = string(v, &key, at)?.filter(|r| !r.is_empty()),
            "body" => c.body = string(v, &key, at)?,
            "headers" => match v {
                Value::Obj(hs) => {
                    for (n, hv, hat) in hs {
                        let value = string(hv, &n, hat)?.unwrap_or_default();
                        c.headers.push((n, value));
                    }
                }
                Value::Arr(pairs) => {
                    for p in pairs {
                        match p {
                            Value::Arr(mut nv) if nv.len() == 2 => {
                                let (Value::Str(n), Value::Str(v)) = (nv.remove(0), nv.remove(0))
                                else {
                                    return Err(err(
                                        at,
                                        "bad-option",
                                        "headers pairs are [name, value] strings",
                                    ));
                                };
                                c.headers.push((n, v));
                            }
                            _ => {
                                return Err(err(
                                    at,
                                    "bad-option",
                                    "headers pairs are [name, value] strings",
                                ));
                            }
                        }
                    }
                }
                Value::Null => {}
                _ => return Err(err(at, "bad-option", "`headers` must be an object")),
            },
            // Options that do not change what CORS decides here.
            "referrerPolicy" | "cache" | "integrity" | "keepalive" | "priority" | "redirect"
            | "signal" | "window" | "duplex" => {}
            _ => {
                return Err(err(
                    at,
                    "unknown-option",
                    format!("fetch() option `{key}` is not understood"),
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// DevTools' copies say "include" for an Authorization header alone (Chromium's
    /// generateFetchCall and Firefox's generateFetchString both count it as a credential); a
    /// hand-written call (bare keys) is taken at its word.
    #[test]
    fn include_from_an_authorization_header_alone_is_not_taken_from_a_copy() {
        let copy = r#"fetch("https://api.example/x", {
  "headers": { "authorization": "Bearer t" },
  "method": "GET",
  "mode": "cors",
  "credentials": "include"
});"#;
        let c = parse(copy).unwrap();
        assert_eq!(c.credentials, None);
        assert!(
            c.notes[0].contains("Authorization header alone"),
            "{:?}",
            c.notes
        );
        let no_auth = copy.replace(r#""authorization": "Bearer t""#, r#""x-a": "1""#);
        assert_eq!(
            parse(&no_auth).unwrap().credentials.as_deref(),
            Some("include")
        );
        let hand = r#"fetch("https://api.example/x", { headers: { Authorization: "Bearer t" }, mode: "cors", credentials: "include" })"#;
        assert_eq!(parse(hand).unwrap().credentials.as_deref(), Some("include"));
    }

    #[test]
    fn chromium_copy() {
        let c = parse(
            r#"fetch("https://api.example/x", {
  "headers": {
    "accept": "*/*",
    "content-type": "application/json",
    "sec-fetch-mode": "cors"
  },
  "referrer": "https://app.example/",
  "body": "{\"a\":1}",
  "method": "POST",
  "mode": "cors",
  "credentials": "omit"
});"#,
        )
        .unwrap();
        assert_eq!(c.url, "https://api.example/x");
        assert_eq!(c.method.as_deref(), Some("POST"));
        assert_eq!(c.body.as_deref(), Some("{\"a\":1}"));
        assert_eq!(c.credentials.as_deref(), Some("omit"));
        assert_eq!(c.referrer.as_deref(), Some("https://app.example/"));
        assert_eq!(c.headers.len(), 3);
    }

    #[test]
    fn bare_keys_single_quotes_comments_and_await() {
        let c = parse("await fetch('https://a/', {\n // x\n method: 'PUT', headers: {'x-a': `1`,}, body: null, /* y */ });").unwrap();
        assert_eq!(c.method.as_deref(), Some("PUT"));
        assert_eq!(c.headers, [("x-a".into(), "1".into())]);
        assert_eq!(c.body, None);
        assert_eq!(
            parse("fetch(\"https://a/\")").unwrap().method.as_deref(),
            Some("GET")
        );
    }

    #[test]
    fn errors_point_at_the_offending_text() {
        let rows = [
            ("fetch(url)", 6, "not-a-literal"),
            (
                "fetch('https://a/', {body: JSON.stringify(x)})",
                27,
                "not-a-literal",
            ),
            ("fetch('https://a/', {nope: 1})", 21, "unknown-option"),
            ("fetch('https://a/'", 18, "unexpected"),
            ("fetch('https://a/); x", 6, "unterminated-string"),
            ("XMLHttpRequest()", 0, "not-fetch"),
            ("fetch('https://a/'); alert(1)", 21, "trailing"),
        ];
        for (text, at, code) in rows {
            let e = parse(text).unwrap_err();
            assert_eq!((e.offset, e.code), (at, code), "{text}: {}", e.message);
        }
    }
}
