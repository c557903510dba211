//! `datagate profile` and `datagate drift` end to end: exit codes, JSON shape, a saved
//! profile as the reference, merging, and bad input.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn datagate() -> Command {
    Command::cargo_bin("datagate").unwrap()
}

/// Deterministic CSV: `amount` shifted by `shift`, `city` mix moved when shift > 0.
fn csv(dir: &Path, name: &str, n: usize, shift: f64) -> PathBuf {
    let mut s = String::from("amount,city,flag,note\n");
    let mut state: u64 = 12345 + (shift * 1000.0) as u64 + n as u64;
    for i in 0..n {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let u = (state >> 11) as f64 / (1u64 << 53) as f64;
        let city = if shift > 0.0 && i % 3 == 0 {
            "rome"
        } else {
            ["oslo", "lima", "pune"][i % 3]
        };
        s.push_str(&format!(
            "{:.4},{},{},{}\n",
            u * 10.0 + shift * 10.0,
            city,
            i % 2,
            if i % 10 == 0 { "" } else { "x" }
        ));
    }
    let p = dir.join(name);
    std::fs::write(&p, s).unwrap();
    p
}

fn json(out: &[u8]) -> serde_json::Value {
    serde_json::from_slice(out).unwrap()
}

#[test]
fn drift_exit_codes_and_json() {
    let d = tempfile::tempdir().unwrap();
    let r = csv(d.path(), "ref.csv", 600, 0.0);
    let same = csv(d.path(), "same.csv", 500, 0.0);
    let moved = csv(d.path(), "moved.csv", 500, 0.5);
    datagate()
        .args(["drift", r.to_str().unwrap(), same.to_str().unwrap()])
        .assert()
        .code(0);
    let out = datagate()
        .args([
            "drift",
            r.to_str().unwrap(),
            moved.to_str().unwrap(),
            "--format",
            "json",
        ])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let v = json(&out);
    let rep = &v["report"];
    assert_eq!(rep["dataset_drift"], true);
    let cols = rep["columns"].as_array().unwrap();
    let amount = cols.iter().find(|c| c["column"] == "amount").unwrap();
    assert_eq!(amount["stattest"], "ks");
    assert_eq!(amount["column_type"], "numerical");
    assert_eq!(amount["drift_detected"], true);
    let flag = cols.iter().find(|c| c["column"] == "flag").unwrap();
    assert_eq!(
        flag["stattest"], "z",
        "integer with 2 values is categorical"
    );
    // roles and a forced test
    let out = datagate()
        .args([
            "drift",
            r.to_str().unwrap(),
            moved.to_str().unwrap(),
            "--format",
            "json",
            "--numerical",
            "amount",
            "--categorical",
            "city",
            "--stattest",
            "psi",
        ])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let v = json(&out);
    let cols = v["report"]["columns"].as_array().unwrap();
    assert_eq!(cols.len(), 2);
    assert!(cols.iter().all(|c| c["stattest"] == "psi"));
}

#[test]
fn profile_stands_in_for_reference_and_merges() {
    let d = tempfile::tempdir().unwrap();
    let r = csv(d.path(), "ref.csv", 3000, 0.0);
    let a = csv(d.path(), "a.csv", 1000, 0.0);
    let b = csv(d.path(), "b.csv", 2000, 0.0);
    let moved = csv(d.path(), "moved.csv", 2000, 0.5);
    let p = d.path().join("ref.profile.json");
    let html = d.path().join("ref.html");
    datagate()
        .args([
            "profile",
            r.to_str().unwrap(),
            "-o",
            p.to_str().unwrap(),
            "--html",
            html.to_str().unwrap(),
        ])
        .assert()
        .code(0);
    assert!(std::fs::read_to_string(&html).unwrap().contains("<svg"));
    let exact = json(
        &datagate()
            .args([
                "drift",
                r.to_str().unwrap(),
                moved.to_str().unwrap(),
                "--format",
                "json",
            ])
            .assert()
            .code(1)
            .get_output()
            .stdout
            .clone(),
    );
    let sk = json(
        &datagate()
            .args([
                "drift",
                p.to_str().unwrap(),
                moved.to_str().unwrap(),
                "--format",
                "json",
            ])
            .assert()
            .code(1)
            .get_output()
            .stdout
            .clone(),
    );
    assert_eq!(sk["reference_is_profile"], true);
    assert_eq!(
        exact["report"]["number_of_drifted_columns"],
        sk["report"]["number_of_drifted_columns"]
    );
    // merge shard profiles: counts add up
    let pa = d.path().join("a.json");
    let pb = d.path().join("b.json");
    let m = d.path().join("m.json");
    datagate()
        .args(["profile", a.to_str().unwrap(), "-o", pa.to_str().unwrap()])
        .assert()
        .code(0);
    datagate()
        .args(["profile", b.to_str().unwrap(), "-o", pb.to_str().unwrap()])
        .assert()
        .code(0);
    datagate()
        .args([
            "profile",
            "merge",
            pa.to_str().unwrap(),
            pb.to_str().unwrap(),
            "-o",
            m.to_str().unwrap(),
        ])
        .assert()
        .code(0);
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&m).unwrap()).unwrap();
    assert_eq!(v["row_count"], 3000);
    assert_eq!(v["format"], "datagate-profile");
    let note = v["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "note")
        .unwrap();
    assert_eq!(note["null_count"], 300);
}

#[test]
fn bad_input_is_a_clear_error() {
    let d = tempfile::tempdir().unwrap();
    let r = csv(d.path(), "ref.csv", 100, 0.0);
    let bad = d.path().join("bad.profile.json");
    std::fs::write(
        &bad,
        r#"{"format": "datagate-profile", "version": 7, "columns": []}"#,
    )
    .unwrap();
    let e = datagate()
        .args(["drift", bad.to_str().unwrap(), r.to_str().unwrap()])
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    assert!(
        String::from_utf8_lossy(&e).contains("version 7"),
        "{}",
        String::from_utf8_lossy(&e)
    );
    std::fs::write(
        &bad,
        r#"{"format": "datagate-profile", "version": 1, "columns": [garbage"#,
    )
    .unwrap();
    datagate()
        .args(["drift", bad.to_str().unwrap(), r.to_str().unwrap()])
        .assert()
        .code(2);
    datagate()
        .args(["drift", r.to_str().unwrap(), "/nonexistent.csv"])
        .assert()
        .code(2);
    datagate()
        .args([
            "drift",
            r.to_str().unwrap(),
            r.to_str().unwrap(),
            "--stattest",
            "nope",
        ])
        .assert()
        .code(2);
    // different columns: findings, not a crash
    let other = d.path().join("other.csv");
    std::fs::write(&other, "amount,zzz\n1.0,a\n2.0,b\n3.0,c\n").unwrap();
    let out = datagate()
        .args([
            "drift",
            r.to_str().unwrap(),
            other.to_str().unwrap(),
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(out.status.code() == Some(0) || out.status.code() == Some(1));
    let v = json(&out.stdout);
    let kinds: Vec<&str> = v["report"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"missing_in_current") && kinds.contains(&"added_in_current"),
        "{kinds:?}"
    );
    // empty current data
    let empty = d.path().join("empty.csv");
    std::fs::write(&empty, "amount,city,flag,note\n").unwrap();
    let out = datagate()
        .args([
            "drift",
            r.to_str().unwrap(),
            empty.to_str().unwrap(),
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
