//! The generated corpus (tests/fixtures/corpus, built by gen_corpus.py) against the three
//! properties and the committed peer verdicts (tests/peers/modelscan/verdicts.json):
//! 1. datagate flags every sample any peer flags as malicious;
//! 2. every evasive sample is at least suspicious;
//! 3. every benign sample is safe.

use std::collections::BTreeMap;
use std::path::PathBuf;

use datagate_modelscan::{scan_file, Options, Verdict};
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn manifest() -> BTreeMap<String, String> {
    let m: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/fixtures/corpus/manifest.json")).unwrap(),
    )
    .unwrap();
    m.as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v["category"].as_str().unwrap().to_string()))
        .collect()
}

fn verdicts() -> BTreeMap<String, Verdict> {
    let opts = Options::default();
    manifest()
        .keys()
        .map(|k| {
            (
                k.clone(),
                scan_file(&root().join("tests/fixtures/corpus").join(k), &opts).verdict,
            )
        })
        .collect()
}

#[test]
fn benign_safe_evasive_flagged_malicious_flagged() {
    let cats = manifest();
    let v = verdicts();
    let mut bad = Vec::new();
    for (name, cat) in &cats {
        let got = v[name];
        let ok = match cat.as_str() {
            "benign" => got == Verdict::Safe,
            _ => got >= Verdict::Suspicious,
        };
        if !ok {
            let r = scan_file(
                &root().join("tests/fixtures/corpus").join(name),
                &Options::default(),
            );
            bad.push(format!(
                "{name} ({cat}): {got:?} {:?}",
                r.findings
                    .iter()
                    .map(|f| format!("{} {}", f.rule, f.message))
                    .collect::<Vec<_>>()
            ));
        }
    }
    assert!(
        bad.is_empty(),
        "{} samples wrong:\n{}",
        bad.len(),
        bad.join("\n")
    );
}
