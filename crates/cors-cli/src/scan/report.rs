//! Rendering scan results: the human report with its summary table, `--json`, and SARIF 2.1.0.

use std::fmt::Write as _;

use serde_json::{Value, json};

use super::engine::TargetReport;
use super::finding::{FindingId, Severity};
use super::judge::Finding;
use super::probe::Exchange;

/// Header bytes as text: printable ASCII kept, anything else as `\xNN`, so evidence never lies
/// about what was on the wire and never breaks the output.
fn text(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len());
    for &b in bytes {
        if (0x20..0x7f).contains(&b) {
            s.push(b as char);
        } else {
            let _ = write!(s, "\\x{b:02x}");
        }
    }
    s
}

fn exchange_json(x: &Exchange) -> Value {
    let req = &x.probe.request;
    json!({
        "probe": x.probe.kind.as_str(),
        "request": {
            "method": req.method.as_str(),
            "url": req.url.as_str(),
            "headers": req.headers.iter().map(|(n, v)| json!([n.as_str(), text(v.as_bytes())])).collect::<Vec<_>>(),
        },
        "response": {
            "status": x.response.status.as_u16(),
            "headers": x.response.headers.iter().map(|(n, v)| json!([n.as_str(), text(v.as_bytes())])).collect::<Vec<_>>(),
        },
    })
}

fn evidence_json(f: &Finding) -> Value {
    json!({
        "origin": f.exchanges.first().and_then(|x| x.probe.origin.clone()),
        "credentials": f.credentials,
        "also_accepted": f.also_accepted.iter().map(|(id, o)| json!({"id": id.as_str(), "origin": o})).collect::<Vec<_>>(),
        "exchanges": f.exchanges.iter().map(exchange_json).collect::<Vec<_>>(),
    })
}

fn all_findings(reports: &[TargetReport]) -> impl Iterator<Item = &Finding> {
    reports.iter().flat_map(|r| r.findings.iter())
}

/// `--json`: one object; `findings` holds `{target, id, severity, message, evidence, fix}`.
pub fn json(reports: &[TargetReport]) -> Value {
    let findings: Vec<Value> = all_findings(reports)
        .map(|f| {
            json!({
                "target": f.target,
                "id": f.id.as_str(),
                "severity": f.severity.as_str(),
                "title": f.id.title(),
                "message": f.message,
                "evidence": evidence_json(f),
                "fix": f.id.fix(),
            })
        })
        .collect();
    let errors: Vec<Value> = reports
        .iter()
        .flat_map(|r| {
            r.errors.iter().map(move |e| {
                json!({
                    "target": r.target.url.as_str(),
                    "probe": e.probe,
                    "kind": e.error.kind.code(),
                    "message": e.error.message,
                })
            })
        })
        .collect();
    let targets: Vec<Value> = reports
        .iter()
        .map(|r| {
            json!({
                "target": r.target.url.as_str(),
                "trusted_origin": r.target.trusted.as_str(),
                "requests": r.requests,
                "findings": r.findings.len(),
                "errors": r.errors.len(),
            })
        })
        .collect();
    json!({
        "tool": "cors scan",
        "version": env!("CARGO_PKG_VERSION"),
        "targets": targets,
        "findings": findings,
        "errors": errors,
    })
}

/// SARIF 2.1.0 (OASIS), one run, one rule per finding id, one result per finding; the target
/// URL is the result's artifact location. Unreachable targets are tool execution notifications.
pub fn sarif(reports: &[TargetReport]) -> Value {
    let rules: Vec<Value> = FindingId::ALL
        .iter()
        .map(|id| {
            json!({
                "id": id.as_str(),
                "name": id.title(),
                "shortDescription": { "text": id.title() },
                "fullDescription": { "text": id.description() },
                "help": { "text": format!("{}\n\nFix: {}", id.description(), id.fix()) },
                "properties": { "tags": ["security", "cors"] },
            })
        })
        .collect();
    let results: Vec<Value> = all_findings(reports)
        .map(|f| {
            let index = FindingId::ALL.iter().position(|i| *i == f.id).unwrap_or(0);
            json!({
                "ruleId": f.id.as_str(),
                "ruleIndex": index,
                "level": f.severity.sarif_level(),
                "message": { "text": format!("{} {} Fix: {}", f.id.title(), f.message, f.id.fix()) },
                "locations": [{
                    "physicalLocation": { "artifactLocation": { "uri": f.target } }
                }],
                "partialFingerprints": { "corsScanFinding/v1": format!("{}|{}", f.id.as_str(), f.target) },
                "properties": {
                    "severity": f.severity.as_str(),
                    "security-severity": f.severity.security_severity(),
                    "evidence": evidence_json(f),
                },
            })
        })
        .collect();
    let notifications: Vec<Value> = reports
        .iter()
        .flat_map(|r| {
            r.errors.iter().map(move |e| {
                json!({
                    "level": "error",
                    "message": { "text": format!("{} ({} probe): {}", r.target.url, e.probe, e.error) },
                    "descriptor": { "id": e.error.kind.code() },
                })
            })
        })
        .collect();
    json!({
        "$schema": "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "cors scan",
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }
            },
            "invocations": [{
                "executionSuccessful": notifications.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
            "results": results,
        }]
    })
}

fn exchange_text(x: &Exchange, out: &mut String) {
    let req = &x.probe.request;
    let _ = writeln!(out, "    > {} {}", req.method, req.url);
    for (n, v) in &req.headers {
        if n == "origin" || n.as_str().starts_with("access-control-") {
            let _ = writeln!(out, "    > {n}: {}", text(v.as_bytes()));
        }
    }
    let _ = writeln!(out, "    < {}", x.response.status);
    for (n, v) in &x.response.headers {
        if n.as_str().starts_with("access-control-") || n == "vary" {
            let _ = writeln!(out, "    < {n}: {}", text(v.as_bytes()));
        }
    }
}

/// The human report: findings with evidence and fix, errors, then a summary table.
pub fn human(reports: &[TargetReport]) -> String {
    let mut out = String::new();
    for r in reports {
        for f in &r.findings {
            let _ = writeln!(
                out,
                "[{}] {}  {}",
                f.severity.as_str().to_uppercase(),
                f.id,
                f.target
            );
            let _ = writeln!(out, "  {}: {}", f.id.title(), f.message);
            for x in &f.exchanges {
                exchange_text(x, &mut out);
            }
            if !f.also_accepted.is_empty() {
                let list: Vec<String> = f
                    .also_accepted
                    .iter()
                    .map(|(id, o)| format!("{o} ({id})"))
                    .collect();
                let _ = writeln!(out, "  also accepted: {}", list.join(", "));
            }
            let _ = writeln!(out, "  fix: {}\n", f.id.fix());
        }
        for e in &r.errors {
            let _ = writeln!(
                out,
                "[ERROR] {}  {} probe: {}\n",
                r.target.url, e.probe, e.error
            );
        }
    }
    out.push_str(&summary(reports));
    out
}

fn summary(reports: &[TargetReport]) -> String {
    let url_width = reports
        .iter()
        .map(|r| r.target.url.as_str().len())
        .max()
        .unwrap_or(6)
        .clamp(6, 60);
    let mut out = String::new();
    let _ = write!(out, "{:<url_width$}", "TARGET");
    for s in Severity::ALL.iter().rev() {
        let _ = write!(out, "  {:>8}", s.as_str().to_uppercase());
    }
    let _ = writeln!(out, "  {:>6}  FINDINGS", "ERRORS");
    let mut totals = [0usize; 5];
    for r in reports {
        let mut url = r.target.url.to_string();
        if url.len() > url_width {
            url.truncate(url_width - 1);
            url.push('…');
        }
        let _ = write!(out, "{url:<url_width$}");
        for (i, s) in Severity::ALL.iter().enumerate().rev() {
            let n = r.findings.iter().filter(|f| f.severity == *s).count();
            totals[i] += n;
            let _ = write!(out, "  {n:>8}");
        }
        let mut ids: Vec<&str> = r.findings.iter().map(|f| f.id.as_str()).collect();
        ids.dedup();
        let _ = writeln!(
            out,
            "  {:>6}  {}",
            r.errors.len(),
            if ids.is_empty() {
                "-".to_string()
            } else {
                ids.join(", ")
            }
        );
    }
    let unreachable = reports.iter().filter(|r| !r.errors.is_empty()).count();
    let total: usize = totals.iter().sum();
    let _ = writeln!(
        out,
        "\n{} target(s) scanned, {} finding(s): {} critical, {} high, {} medium, {} low, {} info; {} target(s) with errors.",
        reports.len(),
        total,
        totals[4],
        totals[3],
        totals[2],
        totals[1],
        totals[0],
        unreachable
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_escapes_what_is_not_printable_ascii() {
        assert_eq!(text(b"https://a.example"), "https://a.example");
        assert_eq!(text(b"a\x00b\xffc"), "a\\x00b\\xffc");
    }
}
