//! Diagnostics of a TOML file: [`Diagnostic`] (severity, stable code, line, column, message,
//! fix), their rendering, and the linting of a policy table wherever it sits (a policy file, or
//! a route's `[routes.policy]` in a gateway file).
//!
//! Owns: the diagnostic type and the policy-table linter. Uses: the `cors` library's
//! [`PolicyConfig`] validation and `toml`'s spanned tables; nothing else of this crate, so both
//! the policy file and the gateway file ([`crate::config`]) build on it.

use cors::policy::{Location, PolicyConfig};
use serde::Serialize;
use std::ops::Range;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// How bad a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The configuration is refused.
    Error,
    /// Risky but legal.
    Warning,
}

/// One problem, located in the source.
#[derive(Clone, Debug, Serialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// A stable identifier, e.g. `wildcard-with-credentials`.
    pub code: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// What is wrong.
    pub message: String,
    /// How to fix it, in one line.
    pub fix: String,
    #[serde(skip)]
    pub span: Range<usize>,
}

impl Diagnostic {
    /// A diagnostic at `span` of `src`, with its line and column.
    pub fn new(
        src: &str,
        span: Range<usize>,
        severity: Severity,
        code: &str,
        message: String,
        fix: String,
    ) -> Self {
        let (line, column) = line_column(src, span.start);
        Diagnostic {
            severity,
            code: code.to_string(),
            line,
            column,
            message,
            fix,
            span,
        }
    }
}

/// 1-based line and character column of a byte offset.
pub fn line_column(src: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(src.len());
    let before = &src[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// Lints a policy given as a TOML table inside `src` (the whole file or a route's table):
/// unknown keys, values of the wrong type, then everything [`PolicyConfig::validate`] finds,
/// each located at the offending value.
pub fn lint_policy_table(
    src: &str,
    table: &DeTable<'_>,
    table_span: Range<usize>,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut good = String::new();
    let mut bad_fields: Vec<&str> = Vec::new();
    for (key, value) in table.iter() {
        let name: &str = key.get_ref();
        if !PolicyConfig::FIELDS.contains(&name) {
            let fix = match closest(name, PolicyConfig::FIELDS) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("known keys: {}", PolicyConfig::FIELDS.join(", ")),
            };
            out.push(Diagnostic::new(
                src,
                key.span(),
                Severity::Error,
                "unknown-key",
                format!("unknown key `{name}`"),
                fix,
            ));
            continue;
        }
        // Each key is deserialized alone, so that every type error is reported, not just the first.
        let raw = &src[value.span()];
        let one = format!("{name} = {raw}\n");
        match toml::from_str::<PolicyConfig>(&one) {
            Ok(_) => good.push_str(&one),
            Err(e) => {
                bad_fields.push(name);
                out.push(Diagnostic::new(
                    src,
                    value.span(),
                    Severity::Error,
                    "wrong-type",
                    format!("`{name}` has the wrong type: {}", e.message().trim()),
                    type_hint(name).into(),
                ));
            }
        }
    }
    let config: PolicyConfig = match toml::from_str(&good) {
        Ok(c) => c,
        Err(e) => {
            // Cannot happen: every line parsed alone. Report rather than panic.
            out.push(Diagnostic::new(
                src,
                table_span,
                Severity::Error,
                "internal",
                e.message().to_string(),
                String::new(),
            ));
            return out;
        }
    };
    let report = config.validate();
    // A field whose value did not even parse is reported once, as a type error.
    for e in report
        .errors
        .iter()
        .filter(|e| !bad_fields.contains(&e.location.field))
    {
        let span = locate(table, &e.location).unwrap_or(table_span.start..table_span.start);
        out.push(Diagnostic::new(
            src,
            span,
            Severity::Error,
            e.code(),
            e.message(),
            e.fix(),
        ));
    }
    for w in report
        .warnings
        .iter()
        .filter(|w| !bad_fields.contains(&w.location.field))
    {
        let span = locate(table, &w.location).unwrap_or(table_span.start..table_span.start);
        out.push(Diagnostic::new(
            src,
            span,
            Severity::Warning,
            w.code(),
            w.message(),
            w.fix(),
        ));
    }
    out.sort_by_key(|d| (d.span.start, d.severity == Severity::Warning));
    out
}

/// The span of the value a [`Location`] names, or of its key when the value is absent.
fn locate(table: &DeTable<'_>, loc: &Location) -> Option<Range<usize>> {
    let (_, value) = table
        .iter()
        .find(|(k, _)| AsRef::<str>::as_ref(k.get_ref()) == loc.field)?;
    match (loc.index, value.get_ref()) {
        (Some(i), DeValue::Array(items)) => items.get(i).map(Spanned::span).or(Some(value.span())),
        _ => Some(value.span()),
    }
}

fn type_hint(field: &str) -> &'static str {
    match field {
        "allowed_origins" | "allowed_methods" | "allowed_headers" | "exposed_headers" => {
            "use a list of strings, e.g. [\"a\", \"b\"]"
        }
        "max_age" | "preflight_status" => "use a whole number",
        _ => "use true or false",
    }
}

/// The known key closest to a misspelt one (edit distance at most 3).
pub fn closest<'a>(name: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (edit_distance(name, k), *k))
        .filter(|(d, _)| *d <= 3)
        .min()
        .map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            cur.push(
                (prev[j] + usize::from(ca != *cb))
                    .min(prev[j + 1] + 1)
                    .min(cur[j] + 1),
            );
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Prints diagnostics as `file:line:column: severity[code]: message` plus a `fix:` line and the
/// source line with a caret, colored on terminals unless `NO_COLOR` is set.
pub fn render(file: &str, src: &str, diags: &[Diagnostic], color: bool) -> String {
    let (red, yellow, bold, dim, reset) = if color {
        ("\x1b[31m", "\x1b[33m", "\x1b[1m", "\x1b[2m", "\x1b[0m")
    } else {
        ("", "", "", "", "")
    };
    let mut out = String::new();
    for d in diags {
        let (c, word) = match d.severity {
            Severity::Error => (red, "error"),
            Severity::Warning => (yellow, "warning"),
        };
        out.push_str(&format!(
            "{bold}{file}:{}:{}:{reset} {c}{bold}{word}[{}]{reset}{bold}: {}{reset}\n",
            d.line, d.column, d.code, d.message
        ));
        if let Some(text) = src.lines().nth(d.line - 1) {
            out.push_str(&format!("{dim}{:>5} |{reset} {text}\n", d.line));
            out.push_str(&format!(
                "{dim}      |{reset} {}{c}^{reset}\n",
                " ".repeat(d.column.saturating_sub(1))
            ));
        }
        if !d.fix.is_empty() {
            out.push_str(&format!("      = fix: {}\n", d.fix));
        }
    }
    let errors = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = diags.len() - errors;
    out.push_str(&format!(
        "{file}: {errors} error{}, {warnings} warning{}\n",
        if errors == 1 { "" } else { "s" },
        if warnings == 1 { "" } else { "s" }
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters() {
        assert_eq!(line_column("ab\ncdé f", 9), (2, 6));
    }
}
