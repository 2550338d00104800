//! Splits a command line into words the way the shell it was written for would: POSIX `sh`
//! (`'…'`, `"…"`, `$'…'` ANSI-C quoting, `\` escapes and line continuations) or Windows `cmd.exe`
//! followed by the MS C runtime's argument splitting (`^` escapes, `^"…^"` quoting, `\"` inside
//! quotes). Both DevTools write one of these two when they copy a request as cURL. Nothing is
//! expanded: a variable, a command substitution or a pipe is an error, with its position.

use super::capture::ImportError;

/// One word and the byte offset in the input where it starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    /// The word, quotes removed and escapes resolved.
    pub text: String,
    /// Byte offset of its first character in the input.
    pub offset: usize,
}

/// Which shell's rules the text follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    /// `bash`/`sh` ("Copy as cURL (bash)", Firefox's "Copy as cURL" on Linux and macOS).
    Posix,
    /// `cmd.exe` ("Copy as cURL (cmd)", Firefox's "Copy as cURL (Windows)").
    Cmd,
}

/// Guesses the dialect: DevTools' cmd format quotes with `^"` and continues lines with `^`.
pub fn detect(text: &str) -> Dialect {
    let first = text.trim_start();
    if text.contains("^\"")
        || text.contains("^\n")
        || text.contains("^\r\n")
        || first.starts_with("curl.exe")
    {
        Dialect::Cmd
    } else {
        Dialect::Posix
    }
}

/// Splits `text` into words.
pub fn split(text: &str, dialect: Dialect) -> Result<Vec<Word>, ImportError> {
    match dialect {
        Dialect::Posix => split_posix(text),
        Dialect::Cmd => split_cmd(text),
    }
}

fn err(offset: usize, code: &'static str, message: impl Into<String>) -> ImportError {
    ImportError {
        code,
        message: message.into(),
        offset,
    }
}

fn split_posix(text: &str) -> Result<Vec<Word>, ImportError> {
    let mut words = Vec::new();
    let mut chars = text.char_indices().peekable();
    let mut cur: Option<Word> = None;
    let start = |cur: &mut Option<Word>, at: usize| -> String {
        let w = cur.get_or_insert(Word {
            text: String::new(),
            offset: at,
        });
        std::mem::take(&mut w.text)
    };
    while let Some((at, c)) = chars.next() {
        match c {
            ' ' | '\t' | '\n' | '\r' => {
                if let Some(w) = cur.take() {
                    words.push(w);
                }
            }
            '\\' => match chars.next() {
                // A line continuation: the backslash and the newline vanish.
                Some((_, '\n')) => {}
                Some((_, '\r')) if chars.peek().is_some_and(|&(_, c)| c == '\n') => {
                    chars.next();
                }
                Some((_, e)) => {
                    let mut t = start(&mut cur, at);
                    t.push(e);
                    if let Some(w) = cur.as_mut() {
                        w.text = t;
                    }
                }
                None => return Err(err(at, "dangling-escape", "a `\\` ends the command")),
            },
            '\'' => {
                let mut t = start(&mut cur, at);
                loop {
                    match chars.next() {
                        Some((_, '\'')) => break,
                        Some((_, ch)) => t.push(ch),
                        None => {
                            return Err(err(at, "unterminated-quote", "this `'` is never closed"));
                        }
                    }
                }
                if let Some(w) = cur.as_mut() {
                    w.text = t;
                }
            }
            '"' => {
                let mut t = start(&mut cur, at);
                double_quoted(&mut chars, &mut t, at)?;
                if let Some(w) = cur.as_mut() {
                    w.text = t;
                }
            }
            '$' => match chars.peek().map(|&(_, c)| c) {
                Some('\'') => {
                    chars.next();
                    let mut t = start(&mut cur, at);
                    ansi_c(&mut chars, &mut t, at)?;
                    if let Some(w) = cur.as_mut() {
                        w.text = t;
                    }
                }
                Some('"') => {
                    // $"…": a locale-translated string, the same as "…" here.
                    chars.next();
                    let mut t = start(&mut cur, at);
                    double_quoted(&mut chars, &mut t, at)?;
                    if let Some(w) = cur.as_mut() {
                        w.text = t;
                    }
                }
                _ => {
                    return Err(err(
                        at,
                        "shell-expansion",
                        "`$` starts a shell expansion, which is not performed: quote it or replace the variable by its value",
                    ));
                }
            },
            '`' | '|' | ';' | '&' | '<' | '>' | '(' | ')' => {
                return Err(err(
                    at,
                    "shell-syntax",
                    format!("`{c}` is shell syntax beyond one command: give only the curl command"),
                ));
            }
            '#' if cur.is_none() => {
                // A comment up to the end of the line.
                for (_, ch) in chars.by_ref() {
                    if ch == '\n' {
                        break;
                    }
                }
            }
            _ => {
                let mut t = start(&mut cur, at);
                t.push(c);
                if let Some(w) = cur.as_mut() {
                    w.text = t;
                }
            }
        }
    }
    if let Some(w) = cur.take() {
        words.push(w);
    }
    Ok(words)
}

type Chars<'a> = std::iter::Peekable<std::str::CharIndices<'a>>;

/// The inside of `"…"`: `\` escapes only `$`, `` ` ``, `"`, `\` and a newline.
fn double_quoted(chars: &mut Chars<'_>, t: &mut String, open: usize) -> Result<(), ImportError> {
    loop {
        match chars.next() {
            Some((_, '"')) => return Ok(()),
            Some((_, '\\')) => match chars.next() {
                Some((_, '\n')) => {}
                Some((_, e @ ('$' | '`' | '"' | '\\'))) => t.push(e),
                Some((_, e)) => {
                    t.push('\\');
                    t.push(e);
                }
                None => break,
            },
            Some((at, '$' | '`')) => {
                return Err(err(
                    at,
                    "shell-expansion",
                    "a shell expansion inside \"…\" is not performed: escape it as \\$ or use '…'",
                ));
            }
            Some((_, c)) => t.push(c),
            None => break,
        }
    }
    Err(err(open, "unterminated-quote", "this `\"` is never closed"))
}

fn hex_digits(chars: &mut Chars<'_>, max: usize) -> Option<u32> {
    let mut v: u32 = 0;
    let mut n = 0;
    while n < max {
        match chars.peek().and_then(|&(_, c)| c.to_digit(16)) {
            Some(d) => {
                v = v * 16 + d;
                chars.next();
                n += 1;
            }
            None => break,
        }
    }
    (n > 0).then_some(v)
}

/// A code point from `\uHHHH`. Firefox's "Copy as cURL" writes each UTF-16 code unit above
/// 0xFF as its own `\uHHHH`, so a character beyond the BMP comes as a surrogate pair
/// (`\ud83d\ude00`): the pair is one character; a lone surrogate is U+FFFD.
fn surrogates(chars: &mut Chars<'_>, v: u32) -> Option<char> {
    if !(0xD800..=0xDBFF).contains(&v) {
        return char::from_u32(v).or((0xDC00..=0xDFFF).contains(&v).then_some('\u{FFFD}'));
    }
    let mut ahead = chars.clone();
    if let (Some((_, '\\')), Some((_, 'u'))) = (ahead.next(), ahead.next()) {
        if let Some(lo @ 0xDC00..=0xDFFF) = hex_digits(&mut ahead, 4) {
            *chars = ahead;
            return char::from_u32(0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00));
        }
    }
    Some('\u{FFFD}')
}

/// The inside of `$'…'` (bash's ANSI-C quoting).
fn ansi_c(chars: &mut Chars<'_>, t: &mut String, open: usize) -> Result<(), ImportError> {
    loop {
        let Some((at, c)) = chars.next() else {
            return Err(err(open, "unterminated-quote", "this `$'` is never closed"));
        };
        match c {
            '\'' => return Ok(()),
            '\\' => {
                let Some((_, e)) = chars.next() else {
                    return Err(err(open, "unterminated-quote", "this `$'` is never closed"));
                };
                let ch = match e {
                    'n' => '\n',
                    'r' => '\r',
                    't' => '\t',
                    'a' => '\u{7}',
                    'b' => '\u{8}',
                    'e' | 'E' => '\u{1b}',
                    'f' => '\u{c}',
                    'v' => '\u{b}',
                    '\\' | '\'' | '"' | '?' => e,
                    // A byte written as \xHH: DevTools write characters below 256 so, meaning
                    // the character of that code (header values are byte strings).
                    'x' => hex_digits(chars, 2)
                        .and_then(char::from_u32)
                        .ok_or_else(|| {
                            err(at, "bad-escape", "`\\x` must be followed by hex digits")
                        })?,
                    'u' | 'U' => hex_digits(chars, if e == 'u' { 4 } else { 8 })
                        .and_then(|v| surrogates(chars, v))
                        .ok_or_else(|| {
                            err(
                                at,
                                "bad-escape",
                                format!("`\\{e}` must be followed by hex digits of a character"),
                            )
                        })?,
                    '0'..='7' => {
                        let mut v = e.to_digit(8).unwrap_or(0);
                        for _ in 0..2 {
                            match chars.peek().and_then(|&(_, c)| c.to_digit(8)) {
                                Some(d) => {
                                    v = v * 8 + d;
                                    chars.next();
                                }
                                None => break,
                            }
                        }
                        char::from_u32(v & 0xFF).unwrap_or('\0')
                    }
                    'c' => match chars.next() {
                        Some((_, x)) => char::from_u32((x as u32) & 0x1F).unwrap_or('\0'),
                        None => {
                            return Err(err(
                                open,
                                "unterminated-quote",
                                "this `$'` is never closed",
                            ));
                        }
                    },
                    other => {
                        t.push('\\');
                        other
                    }
                };
                t.push(ch);
            }
            _ => t.push(c),
        }
    }
}

/// cmd.exe, then the MS C runtime: first `^x` becomes `x` (a `^` before a line break removes the
/// break and escapes the next character), then the runtime splits at white space outside `"`,
/// with `\"` a literal quote and backslashes doubled only before a quote.
fn split_cmd(text: &str) -> Result<Vec<Word>, ImportError> {
    // Pass 1, cmd.exe: carets. Keep each character's input offset.
    let mut pass: Vec<(usize, char, bool)> = Vec::with_capacity(text.len()); // (offset, char, escaped)
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        match c {
            '^' => match chars.next() {
                Some((_, '\r')) if chars.peek().is_some_and(|&(_, c)| c == '\n') => {
                    chars.next();
                    if let Some((o, n)) = chars.next() {
                        pass.push((o, n, true));
                    }
                }
                Some((_, '\n')) => {
                    if let Some((o, n)) = chars.next() {
                        pass.push((o, n, true));
                    }
                }
                Some((o, e)) => pass.push((o, e, true)),
                None => return Err(err(at, "dangling-escape", "a `^` ends the command")),
            },
            '|' | '&' | '<' | '>' => {
                return Err(err(
                    at,
                    "shell-syntax",
                    format!("an unescaped `{c}` is cmd.exe syntax beyond one command"),
                ));
            }
            _ => pass.push((at, c, false)),
        }
    }
    // Pass 2, the C runtime's argv rules.
    let mut words = Vec::new();
    let mut cur: Option<Word> = None;
    let mut quoted = false;
    let mut open = 0;
    let mut i = 0;
    while i < pass.len() {
        let (at, c, escaped) = pass[i];
        if c == '\\' {
            let mut n = 0;
            while i + n < pass.len() && pass[i + n].1 == '\\' {
                n += 1;
            }
            let w = cur.get_or_insert(Word {
                text: String::new(),
                offset: at,
            });
            if i + n < pass.len() && pass[i + n].1 == '"' {
                w.text.extend(std::iter::repeat_n('\\', n / 2));
                if n % 2 == 1 {
                    w.text.push('"');
                    i += n + 1;
                } else {
                    i += n;
                }
            } else {
                // Both DevTools' cmd quoting double every backslash and caret-escape each
                // (`^\^\`), meaning one backslash; the C runtime would keep both where no quote
                // follows, so the copy, run, would send another value than the browser did.
                let devtools = n % 2 == 0 && pass[i..i + n].iter().all(|p| p.2);
                w.text
                    .extend(std::iter::repeat_n('\\', if devtools { n / 2 } else { n }));
                i += n;
            }
            continue;
        }
        match c {
            '"' => {
                cur.get_or_insert(Word {
                    text: String::new(),
                    offset: at,
                });
                // `""` inside quotes is a literal quote (the runtime since 2008).
                if quoted && pass.get(i + 1).is_some_and(|p| p.1 == '"') {
                    if let Some(w) = cur.as_mut() {
                        w.text.push('"');
                    }
                    i += 2;
                    continue;
                }
                quoted = !quoted;
                open = at;
            }
            ' ' | '\t' | '\n' | '\r' if !quoted && (!escaped || c != '\n') => {
                if let Some(w) = cur.take() {
                    words.push(w);
                }
            }
            _ => {
                cur.get_or_insert(Word {
                    text: String::new(),
                    offset: at,
                })
                .text
                .push(c);
            }
        }
        i += 1;
    }
    if quoted {
        return Err(err(open, "unterminated-quote", "this `\"` is never closed"));
    }
    if let Some(w) = cur.take() {
        words.push(w);
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str, d: Dialect) -> Vec<String> {
        split(text, d)
            .unwrap()
            .into_iter()
            .map(|w| w.text)
            .collect()
    }

    #[test]
    fn posix_quoting() {
        let rows: [(&str, &[&str]); 8] = [
            ("curl 'a b' c", &["curl", "a b", "c"]),
            ("curl \\\n  -H 'x: 1'", &["curl", "-H", "x: 1"]),
            (r#"a "b \" \$ \n" c"#, &["a", r#"b " $ \n"#, "c"]),
            (r"$'it\'s\n\x41\u00e9\041'", &["it's\nAé!"]),
            // Firefox writes UTF-16 code units: a surrogate pair is one character.
            (r"$'\ud83d\ude00 \ud83d x'", &["\u{1F600} \u{FFFD} x"]),
            ("a'b'\"c\"d", &["abcd"]),
            ("# comment\ncurl x", &["curl", "x"]),
            (r"a\ b", &["a b"]),
        ];
        for (text, want) in rows {
            assert_eq!(words(text, Dialect::Posix), want, "{text}");
        }
    }

    #[test]
    fn posix_errors_carry_their_offset() {
        let rows = [
            ("curl 'abc", 5, "unterminated-quote"),
            ("curl $HOME", 5, "shell-expansion"),
            ("curl x | sh", 7, "shell-syntax"),
            ("curl \"a$(b)\"", 7, "shell-expansion"),
        ];
        for (text, at, code) in rows {
            let e = split(text, Dialect::Posix).unwrap_err();
            assert_eq!((e.offset, e.code), (at, code), "{text}");
        }
    }

    #[test]
    fn cmd_quoting() {
        let rows: [(&str, &[&str]); 5] = [
            (
                "curl ^\"https://a/^\" ^\n  -H ^\"x: 1^\"",
                &["curl", "https://a/", "-H", "x: 1"],
            ),
            (r#"^"a\^"b^""#, &[r#"a"b"#]),
            (r#"^"{^"a^":1}^""#, &["{a:1}"]),
            (r#"^"{\^"a\^":1}^""#, &[r#"{"a":1}"#]),
            ("^\"%^PATH% 100^%^\"", &["%PATH% 100%"]),
        ];
        for (text, want) in rows {
            assert_eq!(words(text, Dialect::Cmd), want, "{text}");
        }
        // A line break inside a value: `^` + two newlines keeps one.
        assert_eq!(words("^\"a^\n\nb^\"", Dialect::Cmd), ["a\nb"]);
        assert_eq!(words(r#"^"a\\b^""#, Dialect::Cmd), [r"a\\b"]);
        // DevTools write a backslash as `^\^\`: one backslash (not the runtime's two).
        assert_eq!(words(r#"^"a^\^\b^\^\^""#, Dialect::Cmd), [r"a\b\"]);
        assert_eq!(words(r#"^"a^\^\^\^"b^""#, Dialect::Cmd), [r#"a\"b"#]);
        assert_eq!(words(r#"^"a\\\\^""#, Dialect::Cmd), [r"a\\"]);
    }

    #[test]
    fn dialect_detection() {
        assert_eq!(detect("curl ^\"https://a/^\""), Dialect::Cmd);
        assert_eq!(detect("curl.exe \"https://a/\""), Dialect::Cmd);
        assert_eq!(detect("curl 'https://a/' \\\n -H 'a: b'"), Dialect::Posix);
    }
}
