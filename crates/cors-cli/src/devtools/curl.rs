//! A curl command line, as DevTools copy a request: "Copy as cURL (bash)" / "(cmd)" in Chromium,
//! "Copy as cURL" (POSIX or Windows) in Firefox. The words come from `shell.rs`; this file reads
//! the curl options that matter to the request and refuses the ones it does not understand.

use super::capture::{Captured, ImportError};
use super::shell::{self, Word};

/// Options that take no value and do not change the request.
const FLAGS: &[&str] = &[
    "--compressed",
    "--globoff",
    "-g",
    "--silent",
    "-s",
    "--show-error",
    "-S",
    "--location",
    "-L",
    "--include",
    "-i",
    "--verbose",
    "-v",
    "--http1.0",
    "--http1.1",
    "--http2",
    "--http2-prior-knowledge",
    "--http3",
    "--fail",
    "-f",
    "--no-buffer",
    "-N",
    "--path-as-is",
];

/// Options with a value that does not change the request.
const IGNORED_WITH_VALUE: &[&str] = &[
    "--max-time",
    "-m",
    "--connect-timeout",
    "--output",
    "-o",
    "--write-out",
    "-w",
    "--retry",
];

/// Parses a curl command line.
pub fn parse(text: &str) -> Result<Captured, ImportError> {
    let dialect = shell::detect(text);
    let words = shell::split(text, dialect)?;
    let mut it = words.into_iter().peekable();
    let first = it.next().ok_or_else(|| ImportError {
        code: "empty",
        message: "the command is empty: paste what DevTools' \"Copy as cURL\" gave".into(),
        offset: 0,
    })?;
    let program = first.text.rsplit(['/', '\\']).next().unwrap_or_default();
    if !matches!(program, "curl" | "curl.exe") {
        return Err(ImportError {
            code: "not-curl",
            message: format!("expected a `curl` command, found `{}`", first.text),
            offset: first.offset,
        });
    }
    let mut c = Captured::default();
    let mut url: Option<Word> = None;
    let mut data: Vec<String> = Vec::new();
    let mut head = false;
    let value = |it: &mut std::iter::Peekable<std::vec::IntoIter<Word>>,
                 opt: &Word,
                 name: &str|
     -> Result<Word, ImportError> {
        it.next().ok_or_else(|| ImportError {
            code: "missing-value",
            message: format!("curl option `{name}` needs a value"),
            offset: opt.offset,
        })
    };
    while let Some(w) = it.next() {
        let t = w.text.as_str();
        if !t.starts_with('-') || t == "-" {
            if url.is_some() {
                return Err(ImportError {
                    code: "second-url",
                    message: format!(
                        "a second URL `{t}`: one request at a time (copy one request from DevTools)"
                    ),
                    offset: w.offset,
                });
            }
            url = Some(w);
            continue;
        }
        // `--opt=value` is not curl syntax, but `-XPOST` and `-H'a: b'` are.
        let (name, attached): (String, Option<String>) = if t.starts_with("--") {
            (t.to_string(), None)
        } else {
            let mut cs = t.chars();
            cs.next();
            let short = cs.next().map(|c| format!("-{c}")).unwrap_or_default();
            let rest: String = cs.collect();
            (short, (!rest.is_empty()).then_some(rest))
        };
        let val = |it: &mut std::iter::Peekable<std::vec::IntoIter<Word>>| match &attached {
            Some(a) => Ok(Word {
                text: a.clone(),
                offset: w.offset + 2,
            }),
            None => value(it, &w, &name),
        };
        match name.as_str() {
            "--url" => url = Some(val(&mut it)?),
            "-X" | "--request" => c.method = Some(val(&mut it)?.text),
            "-H" | "--header" => {
                let h = val(&mut it)?;
                match header(&h.text) {
                    Some(Some(pair)) => c.headers.push(pair),
                    // `Name:` alone asks curl not to send that header.
                    Some(None) => {}
                    None => {
                        return Err(ImportError {
                            code: "bad-header",
                            message: format!("-H `{}`: expected `Name: value`", h.text),
                            offset: h.offset,
                        });
                    }
                }
            }
            "-b" | "--cookie" => {
                let v = val(&mut it)?;
                if !v.text.contains('=') {
                    return Err(ImportError {
                        code: "cookie-file",
                        message: "-b without `=` reads cookies from a file: give the cookies as `name=value`".into(),
                        offset: v.offset,
                    });
                }
                c.headers.push(("Cookie".into(), v.text));
            }
            "-A" | "--user-agent" => c.headers.push(("User-Agent".into(), val(&mut it)?.text)),
            "-e" | "--referer" => c.headers.push(("Referer".into(), val(&mut it)?.text)),
            "-u" | "--user" => {
                val(&mut it)?;
                c.http_auth = true;
            }
            "-d" | "--data" | "--data-ascii" | "--data-binary" | "--data-raw"
            | "--data-urlencode" => {
                let v = val(&mut it)?;
                if name != "--data-raw" && name != "--data-urlencode" && v.text.starts_with('@') {
                    return Err(ImportError {
                        code: "data-file",
                        message: format!(
                            "{name} `{}` reads the body from a file: use --data-raw with the body itself",
                            v.text
                        ),
                        offset: v.offset,
                    });
                }
                // curl strips line breaks from --data / --data-ascii, not from the others.
                let text = if name == "-d" || name == "--data" || name == "--data-ascii" {
                    v.text.replace(['\r', '\n'], "")
                } else {
                    v.text
                };
                data.push(text);
            }
            "-I" | "--head" => head = true,
            "-k" | "--insecure" => c.insecure = true,
            n if FLAGS.contains(&n) => {
                if attached.is_some() {
                    return Err(unknown(&w));
                }
            }
            n if IGNORED_WITH_VALUE.contains(&n) => {
                val(&mut it)?;
            }
            _ => return Err(unknown(&w)),
        }
    }
    let url = url.ok_or_else(|| ImportError {
        code: "no-url",
        message: "the command has no URL".into(),
        offset: text.len(),
    })?;
    let mut u = url.text;
    // Chromium escapes curl's glob characters in the URL.
    for ch in ["[", "]", "{", "}"] {
        u = u.replace(&format!("\\{ch}"), ch);
    }
    c.url = u;
    c.url_offset = url.offset;
    if !data.is_empty() {
        c.body = Some(data.join("&"));
    }
    if head && c.method.is_none() {
        c.method = Some("HEAD".into());
    }
    if c.method.is_none() {
        c.method = Some(if c.body.is_some() { "POST" } else { "GET" }.into());
    }
    Ok(c)
}

fn unknown(w: &Word) -> ImportError {
    ImportError {
        code: "unknown-option",
        message: format!(
            "curl option `{}` is not understood (cors reads the options DevTools write: -X, -H, -b, --data*, -u, -A, -e, --compressed, --insecure…)",
            w.text
        ),
        offset: w.offset,
    }
}

/// `Name: value`; `Name;` (curl's way to send an empty value, Chromium's copy of one); `Name:`
/// with nothing after the colon (curl: do not send it). `Name: ` with only white space after
/// the colon is how Firefox's "Copy as cURL" writes a header the browser sent with an empty
/// value (`${name}: ${value}`), so it is read as that header, empty.
fn header(text: &str) -> Option<Option<(String, String)>> {
    if let Some((n, v)) = text.split_once(':') {
        if n.is_empty() || n.contains(char::is_whitespace) {
            return None;
        }
        if v.is_empty() {
            return Some(None);
        }
        let v = v.trim_matches([' ', '\t']);
        return Some(Some((n.to_string(), v.to_string())));
    }
    let n = text.strip_suffix(';')?;
    (!n.is_empty() && !n.contains(char::is_whitespace))
        .then(|| Some((n.to_string(), String::new())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chromium_bash() {
        let c = parse(
            "curl 'https://api.example/v1?x=1' \\\n  -X 'PUT' \\\n  -H 'accept: */*' \\\n  -H 'origin: https://app.example' \\\n  -H 'x-empty;' \\\n  -b 'sid=1' \\\n  --data-raw $'{\"a\":\"it\\'s\"}'",
        )
        .unwrap();
        assert_eq!(c.url, "https://api.example/v1?x=1");
        assert_eq!(c.method.as_deref(), Some("PUT"));
        assert_eq!(
            c.headers,
            [
                ("accept".into(), "*/*".into()),
                ("origin".into(), "https://app.example".into()),
                ("x-empty".into(), String::new()),
                ("Cookie".into(), "sid=1".into()),
            ]
        );
        assert_eq!(c.body.as_deref(), Some("{\"a\":\"it's\"}"));
    }

    #[test]
    fn chromium_cmd() {
        let c = parse(
            "curl ^\"https://api.example/^\" ^\n  -H ^\"content-type: application/json^\" ^\n  --data-raw ^\"^{^\\^\"a^\\^\":1^}^\"",
        )
        .unwrap();
        assert_eq!(c.url, "https://api.example/");
        assert_eq!(c.method.as_deref(), Some("POST"));
        assert_eq!(c.body.as_deref(), Some("{\"a\":1}"));
    }

    #[test]
    fn errors_point_at_the_word() {
        let rows = [
            ("curl https://a/ --frobnicate", 16, "unknown-option"),
            ("wget https://a/", 0, "not-curl"),
            ("curl https://a/ -H", 16, "missing-value"),
            ("curl https://a/ -H 'nocolon'", 19, "bad-header"),
            ("curl https://a/ https://b/", 16, "second-url"),
            ("curl -X PUT", 11, "no-url"),
            ("curl https://a/ -d @body.json", 19, "data-file"),
        ];
        for (text, at, code) in rows {
            let e = parse(text).unwrap_err();
            assert_eq!((e.offset, e.code), (at, code), "{text}: {}", e.message);
        }
    }

    /// Firefox copies a header sent with an empty value as `-H 'X-Empty: '` (its
    /// `${name}: ${value}`); only `Name:` with nothing after the colon removes a header.
    #[test]
    fn an_empty_value_after_colon_and_space_is_kept() {
        let c = parse("curl 'https://a/' -H 'X-Empty: ' -H 'X-Tab:\t' -H 'X-Gone:'").unwrap();
        assert_eq!(
            c.headers,
            [
                ("X-Empty".into(), String::new()),
                ("X-Tab".into(), String::new())
            ]
        );
    }

    #[test]
    fn short_options_take_attached_values() {
        let c = parse("curl -XDELETE -H'x-a: 1' -I https://a/").unwrap();
        assert_eq!(c.method.as_deref(), Some("DELETE"));
        assert_eq!(c.headers, [("x-a".into(), "1".into())]);
        let c = parse("curl -I https://a/").unwrap();
        assert_eq!(c.method.as_deref(), Some("HEAD"));
    }
}
