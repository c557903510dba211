//! datagate against Great Expectations' own results.
//!
//! `tests/fixtures/gx` holds small CSV files, GX 1.x suites and the results GX 1.24.1
//! (pandas 2.3.3) produced for them (`tests/peers/gx/run.sh` regenerates them). For
//! every expectation of every case this test compares `success`, whether it raised,
//! `unexpected_count`, `missing_count`, `observed_value` and the sample row numbers.
//! Deliberate differences are listed in [`KNOWN_DIFFERENCES`] with the reason; the
//! test fails if one of them starts to agree (so the list stays true).

use std::path::{Path, PathBuf};

use datagate_dataset::{Dataset, ReadOptions};
use datagate_expect::{validate, Suite, ValidateOptions};
use serde_json::Value;

/// (case, suite index, why datagate differs).
const KNOWN_DIFFERENCES: &[(&str, usize, &str)] = &[
    (
        "csv_quirks__csv_quirks",
        4,
        "integers beyond int64 are read as float64; pandas makes the column uint64",
    ),
    (
        "csv_quirks__csv_quirks",
        5,
        "integers beyond int64 are read as float64; pandas makes the column uint64",
    ),
];

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/gx")
}

fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (
                x.as_f64().unwrap_or(f64::NAN),
                y.as_f64().unwrap_or(f64::NAN),
            );
            x == y || (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1.0)
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same_value(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_value(v, w)))
        }
        _ => a == b,
    }
}

#[test]
fn verdicts_match_great_expectations() {
    let dir = fixtures();
    let cases: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(dir.join("cases.json")).unwrap()).unwrap();
    assert!(cases.len() >= 10, "fixtures missing");
    let mut mismatches = Vec::new();
    let mut agreed_known = Vec::new();
    let mut compared = 0;
    let mut kinds = std::collections::BTreeSet::new();
    for case in &cases {
        let name = case["case"].as_str().unwrap();
        let data = dir.join(case["data"].as_str().unwrap());
        let suite = Suite::load(dir.join(case["suite"].as_str().unwrap())).unwrap();
        let summary: Value = serde_json::from_str(
            &std::fs::read_to_string(dir.join(case["summary"].as_str().unwrap())).unwrap(),
        )
        .unwrap();
        let dataset = Dataset::open(&data, &ReadOptions::default()).unwrap();
        let ours = validate(&dataset, &suite, &ValidateOptions::default()).unwrap();
        // Without quality scores only the referenced columns are decoded: same verdicts.
        let projected = validate(&dataset, &suite, &ValidateOptions { quality: false }).unwrap();
        for (a, b) in ours.results.iter().zip(&projected.results) {
            assert_eq!(
                (a.success, &a.result),
                (b.success, &b.result),
                "{name}: projection changed {}",
                a.kind()
            );
        }
        for gx in summary["expectations"].as_array().unwrap() {
            let idx = gx["fixture_index"].as_u64().unwrap() as usize;
            let r = &ours.results[idx];
            kinds.insert(r.kind().to_string());
            compared += 1;
            let mut diffs = Vec::new();
            if r.success != gx["success"].as_bool().unwrap() {
                diffs.push(format!("success {} vs GX {}", r.success, gx["success"]));
            }
            let raised = gx["raised_exception"].as_bool().unwrap_or(false);
            if r.exception_info.raised_exception != raised {
                diffs.push(format!(
                    "raised {} ({:?}) vs GX {raised} ({})",
                    r.exception_info.raised_exception,
                    r.exception_info.exception_message,
                    gx["exception_message"]
                ));
            }
            if !raised {
                for key in [
                    "unexpected_count",
                    "missing_count",
                    "observed_value",
                    "partial_unexpected_index_list",
                ] {
                    let Some(theirs) = gx.get(key) else { continue };
                    let mine = r.result.get(key).cloned().unwrap_or(Value::Null);
                    if !same_value(&mine, theirs) {
                        diffs.push(format!("{key} {mine} vs GX {theirs}"));
                    }
                }
            }
            let known = KNOWN_DIFFERENCES
                .iter()
                .any(|(c, i, _)| *c == name && *i == idx);
            match (diffs.is_empty(), known) {
                (false, false) => mismatches.push(format!(
                    "{name}[{idx}] {} {}: {}",
                    gx["type"],
                    gx["kwargs"],
                    diffs.join("; ")
                )),
                (true, true) => agreed_known.push(format!("{name}[{idx}]")),
                _ => {}
            }
        }
    }
    assert!(compared > 100, "only {compared} expectations compared");
    assert!(
        kinds.len() >= 43,
        "only {} expectation types covered: {kinds:?}",
        kinds.len()
    );
    assert!(
        mismatches.is_empty(),
        "{} of {compared} differ from GX:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    assert!(
        agreed_known.is_empty(),
        "listed as known differences but now agree: {agreed_known:?}"
    );
}
