//! The `datagate` binary end to end: validate, suite suggest, schema, demo, and bad input.

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

fn datagate() -> Command {
    Command::cargo_bin("datagate").unwrap()
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

const DATA: &str =
    "user_id,transaction_amount,status\n1,10.5,ACTIVE\n2,-3,PENDING\n,99,CLOSED\n4,20000,active\n";
const SUITE: &str = r#"{"name":"tx","expectations":[
 {"type":"expect_column_values_to_not_be_null","kwargs":{"column":"user_id"}},
 {"type":"expect_column_values_to_be_between","kwargs":{"column":"transaction_amount","min_value":0,"max_value":10000}},
 {"type":"expect_column_values_to_be_in_set","kwargs":{"column":"status","value_set":["ACTIVE","PENDING","CLOSED"]}}]}"#;

#[test]
fn failing_contract_exits_1_with_gx_shaped_json() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(dir.path(), "tx.csv", DATA);
    let suite = write(dir.path(), "suite.json", SUITE);
    let out = datagate()
        .args([
            "validate",
            data.to_str().unwrap(),
            "--suite",
            suite.to_str().unwrap(),
            "--format",
            "json",
        ])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["success"], false);
    assert_eq!(v["statistics"]["unsuccessful_expectations"], 3);
    let counts: Vec<u64> = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["result"]["unexpected_count"].as_u64().unwrap())
        .collect();
    assert_eq!(counts, [1, 2, 1]);
    assert_eq!(
        v["results"][1]["result"]["partial_unexpected_index_list"],
        serde_json::json!([1, 3])
    );
    assert_eq!(
        v["results"][0]["expectation_config"]["type"],
        "expect_column_values_to_not_be_null"
    );
}

#[test]
fn passing_contract_exits_0_and_writes_reports_atomically() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(dir.path(), "ok.csv", "a,b\n1,x\n2,y\n");
    let suite = write(
        dir.path(),
        "s.toml",
        "name = \"native\"\n[[expectations]]\ntype = \"expect_column_values_to_be_unique\"\ncolumn = \"a\"\n",
    );
    let html = dir.path().join("r/report.html");
    let junit = dir.path().join("r/junit.xml");
    datagate()
        .args([
            "validate",
            data.to_str().unwrap(),
            "-s",
            suite.to_str().unwrap(),
            "--format",
            "junit",
            "-o",
        ])
        .arg(&junit)
        .arg("--html")
        .arg(&html)
        .assert()
        .code(0);
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("Validation <span class=ok>PASSED</span>"));
    assert!(
        !page.contains("http://") && !page.contains("https://"),
        "the report must be self-contained"
    );
    assert!(std::fs::read_to_string(&junit)
        .unwrap()
        .contains("failures=\"0\""));
}

#[test]
fn suggested_suite_passes_on_its_reference() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(
        dir.path(),
        "ref.csv",
        "id,kind,score,name\n1,a,0.5,alice\n2,b,0.7,bob\n3,a,,carol\n4,a,0.1,dave\n",
    );
    let suite = dir.path().join("suggested.json");
    datagate()
        .args(["suite", "suggest", data.to_str().unwrap(), "-o"])
        .arg(&suite)
        .assert()
        .code(0);
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&suite).unwrap()).unwrap();
    let kinds: Vec<&str> = doc["expectations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    for k in [
        "expect_column_values_to_be_unique",
        "expect_column_values_to_be_between",
        "expect_column_values_to_be_in_set",
        "expect_column_values_to_not_be_null",
    ] {
        assert!(kinds.contains(&k), "{k} missing from {kinds:?}");
    }
    datagate()
        .args([
            "validate",
            data.to_str().unwrap(),
            "--suite",
            suite.to_str().unwrap(),
        ])
        .assert()
        .code(0);
}

#[test]
fn demo_runs_the_whole_gate_and_tells_the_story() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo");
    datagate()
        .args(["demo", "--out"])
        .arg(&out)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("Promote: penguins/v1"))
        .stdout(predicate::str::contains("tabular_trigger"))
        .stdout(predicate::str::contains("label_issues"))
        // penguins/v1 is the review's baseline: the vendor's relabelled records are named
        .stdout(predicate::str::contains("edited_rows"))
        .stdout(predicate::str::contains("Approve: refused"));
    // Step 1: the contract on the bundled table, GX-shaped.
    let result: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("contract/result.json")).unwrap())
            .unwrap();
    assert_eq!(result["meta"]["data"]["rows"], 344);
    assert_eq!(result["success"], false);
    // The story page exists and names the outcome of every step.
    let story = std::fs::read_to_string(out.join("story.html")).unwrap();
    assert!(
        story.contains("stopped") && story.contains("passed"),
        "{story}"
    );
    assert!(story.contains("penguins/v1"));
    // The project it leaves behind is real: its ledger verifies and its status shows the
    // promoted version and the rejected poisoned drop.
    let project = out.join("project");
    datagate()
        .current_dir(&project)
        .args(["log", "verify"])
        .assert()
        .code(0);
    let status = datagate()
        .current_dir(&project)
        .args(["status", "--format", "json"])
        .output()
        .unwrap();
    let status = String::from_utf8_lossy(&status.stdout);
    assert!(
        status.contains("penguins") && status.contains("rejected"),
        "{status}"
    );
    // A rerun clears its own earlier output; a foreign non-empty folder is refused.
    datagate()
        .args(["demo", "--out"])
        .arg(&out)
        .assert()
        .code(0);
    let foreign = dir.path().join("mine");
    std::fs::create_dir_all(&foreign).unwrap();
    std::fs::write(foreign.join("thesis.tex"), "keep me").unwrap();
    datagate()
        .args(["demo", "--out"])
        .arg(&foreign)
        .assert()
        .failure()
        .stderr(predicate::str::contains("not made by `datagate demo`"));
    assert!(foreign.join("thesis.tex").exists());
}

#[test]
fn bad_input_is_a_one_line_error_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(dir.path(), "tx.csv", DATA);
    let suite = write(dir.path(), "suite.json", SUITE);
    let d = data.to_str().unwrap();
    let s = suite.to_str().unwrap();
    let cases: Vec<(Vec<String>, &str)> = vec![
        (vec![d.into(), write(dir.path(), "notjson.json", "name: x").to_str().unwrap().into()], "not a valid JSON suite"),
        (vec![d.into(), write(dir.path(), "unknown.json", r#"{"expectations":[{"type":"expect_column_values_to_be_betwen","kwargs":{"column":"a"}}]}"#).to_str().unwrap().into()], "did you mean expect_column_values_to_be_between"),
        (vec![d.into(), write(dir.path(), "kw.json", r#"{"expectations":[{"type":"expect_column_values_to_not_be_null","kwargs":{"column":"user_id","mosty":0.5}}]}"#).to_str().unwrap().into()], "unsupported kwarg `mosty`"),
        (vec![dir.path().join("missing.csv").to_str().unwrap().into(), s.into()], "missing.csv"),
        (vec![dir.path().to_str().unwrap().into(), s.into()], "is a directory"),
        (vec![write(dir.path(), "empty.csv", "").to_str().unwrap().into(), s.into()], "empty.csv: the file is empty"),
        (vec![write(dir.path(), "ragged.csv", "a,b\n1,2\n3\n").to_str().unwrap().into(), s.into()], "ragged.csv: row 1 (byte 8): expected 2 fields"),
        (vec![write(dir.path(), "cut.parquet", "PAR1\x00\x00garbage").to_str().unwrap().into(), s.into()], "cut.parquet"),
    ];
    for (args, needle) in cases {
        let assert = datagate()
            .arg("validate")
            .arg(&args[0])
            .arg("--suite")
            .arg(&args[1])
            .assert()
            .code(2);
        let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
        assert!(stderr.contains(needle), "expected {needle:?} in {stderr:?}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr:?}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn missing_column_fails_the_expectation_like_gx() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(dir.path(), "tx.csv", DATA);
    let suite = write(
        dir.path(),
        "s.json",
        r#"{"name":"s","expectations":[{"type":"expect_column_values_to_not_be_null","kwargs":{"column":"nope"}}]}"#,
    );
    datagate()
        .args([
            "validate",
            data.to_str().unwrap(),
            "--suite",
            suite.to_str().unwrap(),
        ])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "The column \"nope\" in BatchData does not exist.",
        ));
}

#[test]
fn inside_a_project_the_verdict_is_recorded_in_the_ledger() {
    let dir = tempfile::tempdir().unwrap();
    datagate()
        .current_dir(dir.path())
        .arg("init")
        .assert()
        .code(0);
    let data = write(dir.path(), "tx.csv", DATA);
    let suite = write(dir.path(), "suite.json", SUITE);
    datagate()
        .current_dir(dir.path())
        .args([
            "validate",
            data.to_str().unwrap(),
            "--suite",
            suite.to_str().unwrap(),
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("recorded in the ledger"));
    let out = datagate()
        .current_dir(dir.path())
        .args(["log", "show", "--format", "json"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8_lossy(&out);
    assert!(text.contains("\"validate\""), "{text}");
    let digest = datagate_sha256(DATA.as_bytes());
    assert!(
        text.contains(&digest),
        "the data's sha256 is the subject digest: {text}"
    );
    datagate()
        .current_dir(dir.path())
        .args(["log", "verify"])
        .assert()
        .code(0);
}

fn datagate_sha256(bytes: &[u8]) -> String {
    let out = Command::new("sha256sum")
        .write_stdin(bytes.to_vec())
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}
