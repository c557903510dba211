//! Poisoning benchmark floors: `datagate audit` re-run on the committed poisoned cases
//! (`tests/fixtures/poisoning/cases/*`: real scikit-learn tables and Rotten Tomatoes
//! snippets, poisoned by `datagate redteam inject` with fixed seeds; regenerate with
//! `bench/audit/run.sh --fixtures`) and scored against their ground truth.
//!
//! Each floor sits slightly below what was measured (`measured.json` beside the cases), so
//! a regression fails here. Label flips at 5% are also held to cleanlab's F1 on the same
//! file (`measured.json`, from `tests/peers/cleanlab/run_cleanlab.py`) wherever datagate
//! reached it when the floors were written.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use datagate_redteam::{score, GroundTruth};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/poisoning")
}

/// What a case must reach.
struct Floor {
    case: &'static str,
    /// Minimum F1 of the case's attack.
    f1: f64,
    /// Minimum precision and recall, when set.
    precision_recall: Option<(f64, f64)>,
    /// Minimum pair recall (duplicates), when set.
    pair_recall: Option<f64>,
    /// The trigger / pattern must be named.
    named: bool,
    /// Hold datagate's F1 to at least cleanlab's on this file (minus 0.01 for ties).
    beat_cleanlab: bool,
    /// Minimum F1 of some of the attack's detectors, each on its own.
    detector_f1: &'static [(&'static str, f64)],
}

const fn floor(case: &'static str, f1: f64) -> Floor {
    Floor {
        case,
        f1,
        precision_recall: None,
        pair_recall: None,
        named: false,
        beat_cleanlab: false,
        detector_f1: &[],
    }
}

// Floors written from `bench/audit/run.sh --fixtures` (release build, 2026-12-04; the
// label flips last on 2026-12-05, the feature-shift cases on 2026-12-06; measured value in the comment,
// cleanlab's F1 on the same file after "cl"). Targets of issue 7 that
// were NOT met when these were written are marked "TARGET NOT MET": their floor is what was
// measured, so the test guards against regressions and must be raised when they improve.

/// Cases fast enough for a debug build (the small tables).
const SMALL: &[Floor] = &[
    Floor {
        beat_cleanlab: true,
        ..floor("wine-flip-random-5", 0.86)
    }, // 0.889, cl 0.889 (0.824 before the second round re-judged the first round's rows)
    Floor {
        beat_cleanlab: true,
        ..floor("iris-flip-random-5", 0.97)
    }, // 1.000, cl 0.875
    Floor {
        beat_cleanlab: true,
        ..floor("wine-flip-class-5", 0.97)
    }, // 1.000, cl 0.600
    Floor {
        beat_cleanlab: true,
        ..floor("iris-flip-class-5", 0.83)
    }, // 0.857, cl 0.857
    // tabular trigger at 1% of wine: 2 rows stamped with exact values, F1 1.000, named
    Floor {
        named: true,
        ..floor("wine-tabular-trigger-1", 0.95)
    },
    // 10% of wine shifted by 3 sd in one feature, audited with the clean table as
    // --baseline: edited_rows 1.000 on its own; outliers 0.727 (4 of 7 rows, no false
    // positive; 0 before it was fitted on the baseline); baseline_shift finds nothing
    Floor {
        detector_f1: &[("edited_rows", 0.95), ("outliers", 0.7)],
        ..floor("wine-feature-shift", 0.95)
    },
    // numeric near copies (±1% sd jitter on every float feature): 1.000, every pair
    Floor {
        pair_recall: Some(1.0),
        precision_recall: Some((0.95, 0.95)),
        ..floor("wine-dup-near", 0.95)
    },
];

/// The larger tables and the text corpus (seconds each: the audit crate is optimised even in
/// test builds, see the root Cargo.toml).
const LARGE: &[Floor] = &[
    Floor {
        beat_cleanlab: true,
        ..floor("breast_cancer-flip-random-5", 0.87)
    }, // 0.900, cl 0.787
    Floor {
        beat_cleanlab: true,
        ..floor("digits-flip-random-5", 0.90)
    }, // 0.935, cl 0.760
    Floor {
        beat_cleanlab: true,
        ..floor("breast_cancer-flip-class-5", 0.87)
    }, // 0.895, cl 0.778
    Floor {
        beat_cleanlab: true,
        ..floor("digits-flip-class-5", 0.83)
    }, // 0.857, cl 0.640
    // label flips in the Rotten Tomatoes snippets: 0.203, cl 0.196 (0.195 before naive
    // Bayes was averaged in for text-only features, 2026-12-06); TARGET NOT MET (F1 ≥ 0.7):
    // the models reach about 65% cross-validated accuracy
    Floor {
        beat_cleanlab: true,
        ..floor("reviews-flip-random-5", 0.19)
    },
    // text trigger `cf` → fresh at 1%: named, precision 1.0, recall 1.0 (after the
    // counterfactual model stopped seeing the candidates' rows)
    Floor {
        named: true,
        precision_recall: Some((0.95, 0.95)),
        ..floor("reviews-text-trigger-1", 0.95)
    },
    // tabular trigger at 1%: breast_cancer 1.000 (6 rows stamped with exact float values,
    // found by the exact-coincidence test), digits 1.000; both with the pattern named
    Floor {
        named: true,
        ..floor("breast_cancer-tabular-trigger-1", 0.95)
    },
    Floor {
        named: true,
        ..floor("digits-tabular-trigger-1", 0.95)
    },
    // exact duplicates: F1 1.0 and every pair found
    Floor {
        pair_recall: Some(1.0),
        ..floor("breast_cancer-dup-exact", 1.0)
    },
    Floor {
        pair_recall: Some(1.0),
        ..floor("reviews-dup-exact", 1.0)
    },
    // near-duplicate texts with ≤10% word edits: recall 1.0, pair recall 1.0
    Floor {
        pair_recall: Some(0.95),
        precision_recall: Some((0.95, 0.95)),
        ..floor("reviews-dup-near", 0.95)
    },
    Floor {
        pair_recall: Some(1.0),
        precision_recall: Some((0.95, 0.95)),
        ..floor("breast_cancer-dup-near", 0.95)
    },
    // feature shift with --baseline: edited_rows 1.000 on its own, baseline_shift 0.827,
    // outliers 0.699 (every row, and 31 genuine extremes; 0.228 before it was fitted
    // on the baseline); the false positives pull the union down to 0.655
    Floor {
        detector_f1: &[("edited_rows", 0.95), ("outliers", 0.6)],
        ..floor("breast_cancer-feature-shift", 0.6)
    },
    // conflicting copies: 1.0
    Floor {
        pair_recall: Some(1.0),
        ..floor("reviews-dup-conflict", 1.0)
    },
];
// FLOORS_END

fn audit(case_dir: &Path, out: &Path) -> serde_json::Value {
    let case: serde_json::Value =
        serde_json::from_slice(&std::fs::read(case_dir.join("case.json")).unwrap()).unwrap();
    let mut cmd = Command::cargo_bin("datagate").unwrap();
    cmd.arg("audit")
        .arg(case_dir.join("data.csv"))
        .args([
            "--label",
            case["label"].as_str().unwrap(),
            "--format",
            "json",
            "-o",
        ])
        .arg(out);
    if let Some(text) = case["text"].as_str() {
        cmd.args(["--text", text]);
    }
    if case["baseline"].as_bool() == Some(true) {
        cmd.arg("--baseline").arg(case_dir.join("baseline.csv"));
    }
    let status = cmd.output().unwrap().status.code();
    assert!(
        matches!(status, Some(0 | 1)),
        "{}: audit exited {status:?}",
        case_dir.display()
    );
    serde_json::from_slice(&std::fs::read(out).unwrap()).unwrap()
}

#[test]
fn small_cases_stay_above_the_measured_floors() {
    check_floors(SMALL);
}

#[test]
fn large_cases_stay_above_the_measured_floors() {
    check_floors(LARGE);
}

fn check_floors(floors: &[Floor]) {
    let measured: serde_json::Value =
        serde_json::from_slice(&std::fs::read(fixtures().join("measured.json")).unwrap()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for f in floors {
        let case_dir = fixtures().join("cases").join(f.case);
        let truth = GroundTruth::read(&case_dir.join("truth.json")).unwrap();
        let report = audit(&case_dir, &dir.path().join(format!("{}.json", f.case)));
        let s = score(&truth, &report);
        let a = &s.attacks[0];
        let mut check = |ok: bool, what: String| {
            if !ok {
                failures.push(format!("{}: {what}", f.case));
            }
        };
        check(a.f1 >= f.f1, format!("F1 {:.3} < floor {}", a.f1, f.f1));
        if let Some((p, r)) = f.precision_recall {
            check(
                a.precision >= p,
                format!("precision {:.3} < floor {p}", a.precision),
            );
            check(a.recall >= r, format!("recall {:.3} < floor {r}", a.recall));
        }
        if let Some(pr) = f.pair_recall {
            let got = a.pair_recall.unwrap_or(0.0);
            check(got >= pr, format!("pair recall {got:.3} < floor {pr}"));
        }
        if f.named {
            let named = a.trigger_named.or(a.pattern_named).unwrap_or(false);
            check(named, "trigger/pattern not named".into());
        }
        for &(detector, min) in f.detector_f1 {
            let got = a
                .by_detector
                .iter()
                .find(|d| d.detector == detector)
                .map_or(0.0, |d| d.f1);
            check(got >= min, format!("{detector} F1 {got:.3} < floor {min}"));
        }
        if f.beat_cleanlab {
            let cl = measured[f.case]["cleanlab"]["f1"].as_f64().unwrap();
            check(
                a.f1 >= cl - 0.01,
                format!("F1 {:.3} below cleanlab's {cl:.3}", a.f1),
            );
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The header and rows of a committed case (CSV as arrow-csv writes it: quotes only when
/// needed, `""` inside quotes).
fn csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut records = Vec::new();
    let (mut record, mut cell, mut quoted, mut chars) =
        (Vec::new(), String::new(), false, text.chars().peekable());
    while let Some(ch) = chars.next() {
        match (ch, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => record.push(std::mem::take(&mut cell)),
            ('\n', false) => {
                record.push(std::mem::take(&mut cell));
                records.push(std::mem::take(&mut record));
            }
            (c, _) => cell.push(c),
        }
    }
    let header = records.remove(0);
    (header, records)
}

#[test]
fn committed_cases_match_their_ground_truth() {
    // a hand-edited or truncated case would silently shift rows: check the file against
    // what the truth says was injected
    for f in SMALL.iter().chain(LARGE) {
        let case_dir = fixtures().join("cases").join(f.case);
        let truth = GroundTruth::read(&case_dir.join("truth.json")).unwrap();
        let (header, data) = csv(&case_dir.join("data.csv"));
        assert_eq!(data.len() as u64, truth.rows, "{}", f.case);
        let column = |name: &str| header.iter().position(|h| h == name).unwrap();
        let label = column(&truth.label);
        for a in &truth.attacks {
            if let Some(trigger) = &a.trigger {
                let text = column(truth.text.as_deref().unwrap());
                let with: Vec<u64> = (0..data.len() as u64)
                    .filter(|&r| data[r as usize][text].split(' ').any(|w| w == trigger))
                    .collect();
                assert_eq!(with, a.rows, "{}: rows with the trigger", f.case);
            }
            if let Some(target) = &a.target_label {
                let target = match target {
                    serde_json::Value::String(s) => s.clone(),
                    // the label column of the sklearn tables is an integer
                    other => other.as_f64().map(|x| format!("{x}")).unwrap_or_default(),
                };
                for &r in &a.rows {
                    assert_eq!(data[r as usize][label], target, "{}: row {r}", f.case);
                }
            }
            for &[o, c] in &a.pairs {
                let (o, c) = (&data[o as usize], &data[c as usize]);
                let same = o
                    .iter()
                    .zip(c)
                    .enumerate()
                    .filter(|(i, (x, y))| *i != label && x == y)
                    .count();
                match a.mode.as_deref() {
                    Some("exact") => assert_eq!(o, c, "{}", f.case),
                    Some("conflict") => {
                        assert_eq!(same, o.len() - 1, "{}", f.case);
                        assert_ne!(o[label], c[label], "{}", f.case);
                    }
                    _ => assert_ne!(o, c, "{}", f.case),
                }
            }
        }
    }
}

#[test]
fn clean_tables_split_in_parts_have_no_edited_rows() {
    // committed tables cut at 1/2 .. 1/5: each part audited against the other shares no
    // record, so any edited row is a false positive. iris (one decimal) and digits (0-16
    // pixel counts) have rows that share most values by chance, so the chance-match test is
    // what keeps them apart; the clean breast_cancer table is continuous and a check that
    // its parts never even meet.
    let dir = tempfile::tempdir().unwrap();
    for (case, file) in [
        ("iris-flip-random-5", "data.csv"),
        ("digits-flip-random-5", "data.csv"),
        ("breast_cancer-feature-shift", "baseline.csv"),
    ] {
        let text = std::fs::read_to_string(fixtures().join("cases").join(case).join(file)).unwrap();
        let mut lines = text.lines();
        let header = lines.next().unwrap();
        let rows: Vec<&str> = lines.collect();
        for parts in 2..=5 {
            let (a, b) = rows.split_at(rows.len() / parts);
            let write = |name: &str, part: &[&str]| {
                let path = dir.path().join(name);
                std::fs::write(&path, format!("{header}\n{}\n", part.join("\n"))).unwrap();
                path
            };
            let (a, b) = (write("a.csv", a), write("b.csv", b));
            for (cur, base) in [(&a, &b), (&b, &a)] {
                let out = dir.path().join("out.json");
                Command::cargo_bin("datagate")
                    .unwrap()
                    .arg("audit")
                    .arg(cur)
                    .args([
                        "--label",
                        "label",
                        "--detectors",
                        "edited_rows",
                        "--baseline",
                    ])
                    .arg(base)
                    .args(["--format", "json", "-o"])
                    .arg(&out)
                    .assert()
                    .success();
                let report: serde_json::Value =
                    serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
                assert_eq!(
                    report["findings"].as_array().unwrap().len(),
                    0,
                    "{case} cut at 1/{parts}: {report}"
                );
                assert!(report["skipped"].as_array().unwrap().is_empty(), "{report}");
            }
        }
    }
}
