//! Linting a file that is either a policy file or a gateway file: the one entry point of
//! `cors lint` (and of `cors serve` before it starts).
//!
//! Owns: telling the two kinds of file apart. Uses: [`crate::diag`] (policy tables) and
//! [`crate::config`] (gateway files).

use crate::diag::{Diagnostic, Severity, lint_policy_table};
use toml::de::DeTable;

/// Lints a whole policy file's text.
pub fn lint_source(src: &str) -> Vec<Diagnostic> {
    let (root, errors) = DeTable::parse_recoverable(src);
    if !errors.is_empty() {
        return errors
            .iter()
            .map(|e| {
                Diagnostic::new(
                    src,
                    e.span().unwrap_or(0..0),
                    Severity::Error,
                    "toml-syntax",
                    e.message().trim().to_string(),
                    "fix the TOML syntax".into(),
                )
            })
            .collect();
    }
    // A gateway file (`cors serve --config`) is recognised by its top-level keys.
    if crate::config::is_gateway_table(root.get_ref()) {
        return crate::config::lint_gateway_table(src, root.get_ref(), root.span());
    }
    lint_policy_table(src, root.get_ref(), root.span())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_point_at_the_value() {
        let src = "allowed_origins = [\n  \"https://ok.example\",\n  \"https://bad.example/\",\n]\nmax_age = -1\n";
        let d = lint_source(src);
        let got: Vec<(&str, usize, usize)> = d
            .iter()
            .map(|d| (d.code.as_str(), d.line, d.column))
            .collect();
        assert_eq!(got, [("invalid-origin", 3, 3), ("negative-max-age", 5, 11)]);
    }

    #[test]
    fn unknown_keys_and_types_all_reported() {
        let src = "allowed_origin = [\"https://a.example\"]\nallow_credentials = \"yes\"\nmax_age = 10\nallowed_origins = 3\n";
        let d = lint_source(src);
        let got: Vec<(&str, usize)> = d.iter().map(|d| (d.code.as_str(), d.line)).collect();
        assert_eq!(
            got,
            [("unknown-key", 1), ("wrong-type", 2), ("wrong-type", 4)]
        );
        assert_eq!(d[0].fix, "did you mean `allowed_origins`?");
    }

    #[test]
    fn syntax_errors_located() {
        let d = lint_source("allowed_origins = [\"https://a.example\"\n");
        assert_eq!(d[0].code, "toml-syntax");
        assert_eq!(d[0].line, 1);
    }
}
