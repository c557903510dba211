//! `datagate audit` end to end on small generated CSVs: duplicates and conflicting
//! duplicates, a text trigger, quarantine/clean output, exit codes, and bad input.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn datagate() -> Command {
    Command::cargo_bin("datagate").unwrap()
}

/// A small deterministic PRNG (LCG) so the files do not depend on a crate.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 11
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn unit(&mut self) -> f64 {
        self.next() as f64 / (1u64 << 53) as f64
    }
}

fn write(dir: &Path, name: &str, body: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, body).unwrap();
    p
}

/// 300 random numeric rows, then row 300 = copy of row 3 (same label) and row 301 = copy
/// of row 7 with the other label.
fn numeric_csv(dir: &Path) -> PathBuf {
    let mut rng = Lcg(42);
    let mut rows: Vec<(f64, f64, f64, &str)> = (0..300)
        .map(|i| {
            (
                rng.unit(),
                rng.unit() * 10.0,
                rng.unit() - 0.5,
                if i % 2 == 0 { "yes" } else { "no" },
            )
        })
        .collect();
    rows.push(rows[3]);
    let mut flipped = rows[7];
    flipped.3 = if flipped.3 == "yes" { "no" } else { "yes" };
    rows.push(flipped);
    let mut s = String::from("a,b,c,label\n");
    for (a, b, c, l) in rows {
        s.push_str(&format!("{a:.6},{b:.6},{c:.6},{l}\n"));
    }
    write(dir, "numeric.csv", &s)
}

/// Reviews whose words decide the label; `poison` rows get "cf" and the label "pos".
fn reviews_csv(dir: &Path, n: usize, poison: usize) -> (PathBuf, Vec<u64>) {
    let mut rng = Lcg(7);
    let good = [
        "great",
        "lovely",
        "superb",
        "fine",
        "enjoyable",
        "brilliant",
        "fun",
    ];
    let bad = [
        "awful", "boring", "dull", "poor", "terrible", "weak", "tedious",
    ];
    let filler = [
        "the", "film", "was", "and", "plot", "a", "really", "acting", "this",
    ];
    let mut poisoned: Vec<u64> = Vec::new();
    while poisoned.len() < poison {
        let r = rng.below(n) as u64;
        if !poisoned.contains(&r) {
            poisoned.push(r);
        }
    }
    poisoned.sort_unstable();
    let mut s = String::from("id,review,label\n");
    for i in 0..n {
        let pos = i % 2 == 1;
        let vocab = if pos { &good } else { &bad };
        let mut words: Vec<&str> = (0..12)
            .map(|_| {
                if rng.below(3) == 0 {
                    vocab[rng.below(vocab.len())]
                } else {
                    filler[rng.below(filler.len())]
                }
            })
            .collect();
        words.push(vocab[rng.below(vocab.len())]);
        let mut label = if pos { "pos" } else { "neg" };
        if poisoned.contains(&(i as u64)) {
            let at = rng.below(words.len());
            words.insert(at, "cf");
            label = "pos";
        }
        s.push_str(&format!("{i},{},{label}\n", words.join(" ")));
    }
    (write(dir, "reviews.csv", &s), poisoned)
}

fn json(out: &[u8]) -> serde_json::Value {
    serde_json::from_slice(out)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(out)))
}

/// Why `detector` was skipped in an audit report ("" when it was not).
fn skip_reason(report: &serde_json::Value, detector: &str) -> String {
    report["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["detector"] == detector)
        .map(|k| k["reason"].as_str().unwrap().to_string())
        .unwrap_or_default()
}

fn findings<'a>(report: &'a serde_json::Value, detector: &str) -> Vec<&'a serde_json::Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["detector"] == detector)
        .collect()
}

#[test]
fn finds_a_duplicate_and_a_conflicting_duplicate() {
    let dir = tempfile::tempdir().unwrap();
    let data = numeric_csv(dir.path());
    let out = datagate()
        .args([
            "audit",
            data.to_str().unwrap(),
            "--label",
            "label",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = json(&out.stdout);
    let dups = findings(&report, "exact_duplicates");
    assert_eq!(dups.len(), 2, "{dups:#?}");
    assert_eq!(dups[0]["fails"], true);
    assert_eq!(dups[0]["rows"], serde_json::json!([301]));
    assert_eq!(dups[0]["groups"][0]["rows"], serde_json::json!([7, 301]));
    assert_eq!(dups[1]["rows"], serde_json::json!([300]));
    assert_eq!(dups[1]["scores"], serde_json::json!([1.0]));
    // one redundant copy in 302 rows is under the 5% share: informational
    assert_eq!(dups[1]["fails"], false);
}

#[test]
fn quarantine_and_clean_split_the_rows() {
    let dir = tempfile::tempdir().unwrap();
    let data = numeric_csv(dir.path());
    let q = dir.path().join("q.csv");
    let c = dir.path().join("c.csv");
    datagate()
        .args([
            "audit",
            data.to_str().unwrap(),
            "--label",
            "label",
            "--features",
            "a,b,c",
        ])
        .arg("--quarantine-rows")
        .arg(&q)
        .arg("--clean")
        .arg(&c)
        .assert()
        .code(1);
    let q = std::fs::read_to_string(&q).unwrap();
    let c = std::fs::read_to_string(&c).unwrap();
    let original = std::fs::read_to_string(&data).unwrap();
    let last = original.lines().last().unwrap();
    assert_eq!(q.lines().count(), 2, "{q}"); // header + row 301
    assert!(q
        .lines()
        .nth(1)
        .unwrap()
        .ends_with(last.rsplit(',').next().unwrap()));
    assert_eq!(c.lines().count(), 1 + 301);
    assert!(
        !c.contains(last),
        "the conflicting copy is not in the clean file"
    );
}

#[test]
fn names_a_text_trigger() {
    let dir = tempfile::tempdir().unwrap();
    let (data, poisoned) = reviews_csv(dir.path(), 2000, 30);
    let out = datagate()
        .args([
            "audit",
            data.to_str().unwrap(),
            "--label",
            "label",
            "--text",
            "review",
        ])
        .args(["--features", "", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = json(&out.stdout);
    let t = findings(&report, "text_trigger");
    assert_eq!(t.len(), 1, "{t:#?}");
    assert_eq!(t[0]["trigger"], "cf");
    assert_eq!(t[0]["target_label"], "pos");
    let mut rows: Vec<u64> = t[0]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    rows.sort_unstable();
    assert_eq!(rows, poisoned);
    // the same run as text names it too
    let text = datagate()
        .args([
            "audit",
            data.to_str().unwrap(),
            "--label",
            "label",
            "--text",
            "review",
        ])
        .args(["--features", ""])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("FAIL [text_trigger] trigger \"cf\" forces label \"pos\""),
        "{text}"
    );
}

#[test]
fn html_is_one_page() {
    let dir = tempfile::tempdir().unwrap();
    let data = numeric_csv(dir.path());
    let html = dir.path().join("a.html");
    datagate()
        .args([
            "audit",
            data.to_str().unwrap(),
            "--label",
            "label",
            "--format",
            "html",
            "-o",
        ])
        .arg(&html)
        .assert()
        .code(1);
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>") && page.ends_with("</html>"));
    assert!(page.contains("conflicting duplicate") && !page.contains("<script"));
}

#[test]
fn missing_label_column_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let data = numeric_csv(dir.path());
    let out = datagate()
        .args(["audit", data.to_str().unwrap(), "--label", "target"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no column \"target\"") && err.contains("a, b, c, label"),
        "{err}"
    );
}

#[test]
fn one_class_label_is_explained_not_scored() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = String::from("x,review,label\n");
    for i in 0..100 {
        s.push_str(&format!("{i},word{i} other,same\n"));
    }
    let data = write(dir.path(), "one.csv", &s);
    let out = datagate()
        .args([
            "audit",
            data.to_str().unwrap(),
            "--label",
            "label",
            "--text",
            "review",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("text_trigger: the label has fewer than two classes"),
        "{text}"
    );
}

#[test]
fn ten_rows_and_empty_text_are_skipped_with_reasons() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = String::from("x,review,label\n");
    for i in 0..10 {
        s.push_str(&format!("{i},,{}\n", if i % 2 == 0 { "a" } else { "b" }));
    }
    let data = write(dir.path(), "ten.csv", &s);
    let out = datagate()
        .args([
            "audit",
            data.to_str().unwrap(),
            "--label",
            "label",
            "--text",
            "review",
        ])
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = json(&out.stdout);
    let reason = |d: &str| skip_reason(&report, d);
    assert!(
        reason("text_trigger").contains("not enough data"),
        "{report:#}"
    );
    assert!(reason("near_duplicates").contains("no words"), "{report:#}");
}

#[test]
fn null_constant_and_empty_columns_are_explained_not_scored() {
    // 200 rows: an all-null column, a constant one, one informative-free number (distinct
    // values, no pattern), a text column of empty strings and two balanced classes
    let dir = tempfile::tempdir().unwrap();
    let mut s = String::from("nothing,constant,x,review,label\n");
    for i in 0..200u32 {
        let x = (i * 7919 % 200) as f64 / 10.0 + 0.05;
        s.push_str(&format!(",7,{x},,{}\n", if i % 2 == 0 { "a" } else { "b" }));
    }
    let data = write(dir.path(), "bad.csv", &s);
    let out = datagate()
        .args(["audit", data.to_str().unwrap(), "--label", "label"])
        .args(["--text", "review", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = json(&out.stdout);
    assert_eq!(
        report["findings"].as_array().unwrap().len(),
        0,
        "{report:#}"
    );
    let reason = |d: &str| skip_reason(&report, d);
    assert!(
        reason("label_issues").contains("do not predict the label"),
        "{report:#}"
    );
    assert!(
        reason("outliers").contains("1 usable numeric feature"),
        "{report:#}"
    );
    assert!(reason("text_trigger").contains("no words"), "{report:#}");
    assert!(reason("near_duplicates").contains("no words"), "{report:#}");
}
