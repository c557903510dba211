//! `datagate model scan` end to end: verdicts, exit codes and machine output on the corpus.

use std::path::PathBuf;

use assert_cmd::Command;

fn corpus(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../modelscan/tests/fixtures/corpus")
        .join(name)
}

fn datagate() -> Command {
    Command::cargo_bin("datagate").unwrap()
}

#[test]
fn benign_files_pass_and_malicious_ones_fail() {
    datagate()
        .args(["model", "scan"])
        .arg(corpus("benign_array.npy"))
        .arg(corpus("benign_model.gguf"))
        .assert()
        .code(0);
    let out = datagate()
        .args(["model", "scan", "--format", "json"])
        .arg(corpus("malicious___builtin___eval.pkl"))
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8_lossy(&out);
    assert!(text.contains("malicious"), "{text}");
    assert!(
        text.contains("eval"),
        "the dangerous callable is named: {text}"
    );
}

#[test]
fn sarif_output_is_valid_json_with_results() {
    let out = datagate()
        .args(["model", "scan", "--format", "sarif"])
        .arg(corpus("malicious__pickle_loads.pkl"))
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let sarif: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert!(!sarif["runs"][0]["results"].as_array().unwrap().is_empty());
}

#[test]
fn an_unreadable_path_is_exit_2() {
    datagate()
        .args(["model", "scan", "/definitely/not/here.pkl"])
        .assert()
        .code(2);
}
