//! `datagate drift --stattest/--column-stattest` with the rank tests (`anderson`,
//! `cramer_von_mises`, `mannw`) and the count tests (`TVD`, `fisher_exact`, `g_test`):
//! accepted by name, listed in `--help`, reported with Evidently's display names and
//! verdicts.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use datagate_drift::StatTest;

fn datagate() -> Command {
    Command::cargo_bin("datagate").unwrap()
}

/// `n` rows: numbers `a`, `b`, `c` (uniform, plus `shift`) and labels `city`, `flag`,
/// `tier`; with `moved`, the labels lean to one value.
fn csv(dir: &Path, name: &str, n: usize, shift: f64, moved: bool, seed: u64) -> PathBuf {
    let mut s = String::from("a,b,c,city,flag,tier\n");
    let mut state: u64 = seed;
    let mut next = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    for i in 0..n {
        let (u, v, w) = (next(), next(), next());
        let lean = moved && i % 3 == 0;
        let city = if lean {
            "pune"
        } else {
            ["oslo", "lima", "pune"][i % 3]
        };
        let flag = if lean { "yes" } else { ["yes", "no"][i % 2] };
        let tier = if lean {
            "gold"
        } else {
            ["gold", "silver", "bronze", "iron"][i % 4]
        };
        s.push_str(&format!(
            "{:.5},{:.5},{:.5},{city},{flag},{tier}\n",
            u + shift,
            v + shift,
            w + shift
        ));
    }
    let p = dir.join(name);
    std::fs::write(&p, s).unwrap();
    p
}

fn run(args: &[&str], code: i32) -> serde_json::Value {
    let out = datagate()
        .args(args)
        .args(["--format", "json"])
        .assert()
        .code(code)
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).unwrap()
}

fn column<'a>(v: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    v["report"]["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["column"] == name)
        .unwrap_or_else(|| panic!("no column {name} in {v}"))
}

#[test]
fn help_lists_every_stattest() {
    let out = datagate()
        .args(["drift", "--help"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let help = String::from_utf8(out).unwrap();
    for t in StatTest::ALL {
        assert!(help.contains(t.name()), "`{}` missing from help", t.name());
    }
}

#[test]
fn method_accepts_every_name() {
    let d = tempfile::tempdir().unwrap();
    let r = csv(d.path(), "ref.csv", 120, 0.0, false, 21);
    let c = csv(d.path(), "cur.csv", 120, 0.0, false, 22);
    for t in StatTest::ALL {
        let out = datagate()
            .args([
                "drift",
                r.to_str().unwrap(),
                c.to_str().unwrap(),
                "--method",
                t.name(),
                "--format",
                "json",
            ])
            .output()
            .unwrap();
        assert_ne!(out.status.code(), Some(2), "--method {}", t.name());
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let cols = v["report"]["columns"].as_array().unwrap();
        // Tests that do not apply to a column's type leave it as a finding instead.
        assert!(!cols.is_empty(), "--method {}: {v}", t.name());
        assert!(cols.iter().all(|col| col["stattest"] == t.name()), "{v}");
    }
}

#[test]
fn rank_tests_by_name() {
    let d = tempfile::tempdir().unwrap();
    let r = csv(d.path(), "ref.csv", 300, 0.0, false, 11);
    let same = csv(d.path(), "same.csv", 300, 0.0, false, 12);
    let up = csv(d.path(), "up.csv", 300, 0.3, false, 3);
    let down = csv(d.path(), "down.csv", 300, -0.3, false, 4);
    let tests = [
        "--column-stattest",
        "a=anderson",
        "--column-stattest",
        "b=cramer_von_mises",
        "--column-stattest",
        "c=mannw",
        "--numerical",
        "a,b,c",
    ];
    let path = |p: &PathBuf| p.to_str().unwrap().to_owned();
    let v = run(
        &[&["drift", &path(&r), &path(&up)][..], &tests[..]].concat(),
        1,
    );
    for (col, name, display, threshold) in [
        ("a", "anderson", "Anderson-Darling", 0.1),
        ("b", "cramer_von_mises", "Cramer-von Mises", 0.1),
        ("c", "mannw", "Mann-Whitney U-rank test", 0.05),
    ] {
        let c = column(&v, col);
        assert_eq!(c["stattest"], name);
        assert_eq!(c["stattest_name"], display);
        assert_eq!(c["threshold"], threshold);
        assert_eq!(c["drift_detected"], true, "{c}");
    }
    // A shift of 0.3 on U(0,1) with 300 rows each: Anderson-Darling hits its floor.
    assert_eq!(column(&v, "a")["score"], 0.001);
    let v = run(
        &[&["drift", &path(&r), &path(&same)][..], &tests[..]].concat(),
        0,
    );
    for col in ["a", "b", "c"] {
        assert_eq!(column(&v, col)["drift_detected"], false, "{col}");
    }
    // mannw is one-sided (Evidently's alternative="less"): a downward shift is no drift,
    // while the two-sided tests see it.
    // (2 of 6 columns drift, below the 0.5 share: exit 0.)
    let v = run(
        &[&["drift", &path(&r), &path(&down)][..], &tests[..]].concat(),
        0,
    );
    assert_eq!(column(&v, "a")["drift_detected"], true);
    assert_eq!(column(&v, "b")["drift_detected"], true);
    let c = column(&v, "c");
    assert_eq!(c["drift_detected"], false, "{c}");
    assert!(c["score"].as_f64().unwrap() > 0.99, "{c}");
}

#[test]
fn count_tests_by_name() {
    let d = tempfile::tempdir().unwrap();
    let r = csv(d.path(), "ref.csv", 240, 0.0, false, 5);
    let same = csv(d.path(), "same.csv", 240, 0.0, false, 6);
    let moved = csv(d.path(), "moved.csv", 240, 0.0, true, 7);
    let tests = [
        "--column-stattest",
        "city=TVD",
        "--column-stattest",
        "flag=fisher_exact",
        "--column-stattest",
        "tier=g_test",
        "--categorical",
        "city,flag,tier",
        "--numerical",
        "a",
    ];
    let path = |p: &PathBuf| p.to_str().unwrap().to_owned();
    let v = run(
        &[&["drift", &path(&r), &path(&moved)][..], &tests[..]].concat(),
        1,
    );
    for (col, name, display) in [
        ("city", "TVD", "Total-Variation-Distance"),
        ("flag", "fisher_exact", "Fisher's Exact test"),
        ("tier", "g_test", "g_test"),
    ] {
        let c = column(&v, col);
        assert_eq!(c["stattest"], name);
        assert_eq!(c["stattest_name"], display);
        assert_eq!(c["threshold"], 0.1);
        assert_eq!(c["score_is_p_value"], true);
        assert_eq!(c["drift_detected"], true, "{c}");
    }
    // Identical label mixes: TVD's permutation p-value is 1, the others are 1 too.
    let v = run(
        &[&["drift", &path(&r), &path(&same)][..], &tests[..]].concat(),
        0,
    );
    for col in ["city", "flag", "tier"] {
        let c = column(&v, col);
        assert_eq!(c["drift_detected"], false, "{c}");
        assert_eq!(c["score"], 1.0, "{c}");
    }
    // A categorical-only test on a numerical column is reported, not a crash.
    let v = run(
        &[
            "drift",
            &path(&r),
            &path(&same),
            "--numerical",
            "a",
            "--column-stattest",
            "a=TVD",
        ],
        0,
    );
    let text = v.to_string();
    assert!(text.contains("does not apply"), "{text}");
}
