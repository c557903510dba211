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

/// Benign samples that a peer calls malicious: peer false positives, each with the reason.
/// The test fails if this list and the committed peer verdicts disagree.
const PEER_FALSE_POSITIVES: &[(&str, &str)] = &[
    ("benign_sklearn_logreg.joblib", "fickling lists every `joblib.*` import as a nested-pickle risk, including joblib's own array wrapper"),
    ("benign_sklearn_tree.joblib", "same: `joblib.numpy_pickle.NumpyArrayWrapper`"),
];

fn peers() -> serde_json::Map<String, Value> {
    let p = root().join("../../tests/peers/modelscan/verdicts.json");
    let v: Value = serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
    v.as_object().unwrap().clone()
}

#[test]
fn flags_everything_a_peer_calls_malicious() {
    let v = verdicts();
    let peers = peers();
    assert_eq!(
        peers.len(),
        v.len(),
        "peer verdicts and corpus differ: rerun tests/peers/modelscan/run.sh"
    );
    let mut missed = Vec::new();
    let mut benign_flagged = Vec::new();
    for (name, p) in &peers {
        let flagged_by: Vec<&str> = ["picklescan", "modelscan", "fickling"]
            .into_iter()
            .filter(|peer| p[*peer]["verdict"] == "malicious")
            .collect();
        if flagged_by.is_empty() {
            continue;
        }
        if p["category"] == "benign" {
            benign_flagged.push(name.as_str());
            continue;
        }
        // datagate must call it malicious too, not merely suspicious
        if v[name] != Verdict::Malicious {
            missed.push(format!(
                "{name}: {:?}, flagged malicious by {flagged_by:?}",
                v[name]
            ));
        }
    }
    assert!(
        missed.is_empty(),
        "samples a peer calls malicious but datagate does not:\n{}",
        missed.join("\n")
    );
    let expected: Vec<&str> = PEER_FALSE_POSITIVES.iter().map(|(n, _)| *n).collect();
    assert_eq!(
        benign_flagged, expected,
        "benign samples flagged by a peer changed: review and update PEER_FALSE_POSITIVES"
    );
}

#[test]
fn peers_miss_what_datagate_catches() {
    // datagate is stricter than every peer on some samples: keep that set from shrinking unnoticed.
    let v = verdicts();
    let peers = peers();
    let only_datagate: Vec<&String> = peers
        .iter()
        .filter(|(n, p)| p["category"] != "benign" && v[*n] >= Verdict::Suspicious)
        .filter(|(_, p)| {
            ["picklescan", "modelscan", "fickling"]
                .iter()
                .all(|peer| p[*peer]["verdict"] != "malicious")
        })
        .map(|(n, _)| n)
        .collect();
    assert!(only_datagate.len() >= 10, "{only_datagate:?}");
}
