//! The audit's thresholds from the command line (`--set`), from a policy tier
//! (`--policy`, `--tier`) and in the gate's review (`[tiers.X.audit.thresholds]`): each
//! changes the verdict on the same small file, and bad keys or values are clear errors.

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

fn dg(dir: &Path, args: &[&str]) -> Output {
    Command::cargo_bin("datagate")
        .unwrap()
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// 100 distinct rows (`x`, `y`, a label decided by `x`; `seed` varies the values), then
/// copies of the first `copies` rows: `copies` redundant rows out of `100 + copies`.
fn csv_with_copies(dir: &Path, name: &str, copies: usize, seed: u64) -> PathBuf {
    let mut state: u64 = 0x1234_5678 ^ seed;
    let mut next = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 33) as f64) / ((1u64 << 31) as f64)
    };
    let mut rows: Vec<String> = (0..100)
        .map(|i| {
            let pos = i % 3 != 0;
            let x = if pos {
                1.0 + 2.0 * next()
            } else {
                -1.0 - 2.0 * next()
            };
            let y = 10.0 * next();
            format!("{x:.4},{y:.4},{}", if pos { "pos" } else { "neg" })
        })
        .collect();
    for i in 0..copies {
        rows.push(rows[i].clone());
    }
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, format!("x,y,label\n{}\n", rows.join("\n"))).unwrap();
    path
}

/// `datagate audit FILE --label label --detectors exact_duplicates --format json EXTRA...`
fn audit(dir: &Path, data: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "audit",
        data.to_str().unwrap(),
        "--label",
        "label",
        "--detectors",
        "exact_duplicates",
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    dg(dir, &args)
}

fn report(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", text(o)))
}

#[test]
fn set_changes_the_verdict_and_the_report_shows_the_thresholds() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    // 8 copies in 108 rows = 7.4%: over the default 5%.
    let data = csv_with_copies(d, "d.csv", 8, 0);
    let o = audit(d, &data, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let r = report(&o);
    assert_eq!(r["findings"][0]["fails"], true, "{r:#}");
    assert_eq!(r["thresholds"]["max_duplicate_share"], 0.05);
    assert_eq!(r["thresholds"]["trigger_fdr"], 0.01);

    let o = audit(d, &data, &["--set", "max_duplicate_share=0.1"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let r = report(&o);
    assert_eq!(r["findings"][0]["fails"], false, "{r:#}");
    assert_eq!(r["thresholds"]["max_duplicate_share"], 0.1);

    // The other way: 2 copies in 102 rows pass by default and fail at a 1% limit.
    let few = csv_with_copies(d, "few.csv", 2, 0);
    assert_eq!(audit(d, &few, &[]).status.code(), Some(0));
    let o = audit(
        d,
        &few,
        &["--set", "max_duplicate_share=0.01", "--set", "seed=7"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert_eq!(report(&o)["thresholds"]["seed"], 7);

    // The text report lists the thresholds that differ from the defaults.
    let o = dg(
        d,
        &[
            "audit",
            few.to_str().unwrap(),
            "--label",
            "label",
            "--detectors",
            "exact_duplicates",
            "--set",
            "max_duplicate_share=0.01",
        ],
    );
    assert!(
        text(&o).contains("thresholds: max_duplicate_share = 0.01 (default 0.05)"),
        "{}",
        text(&o)
    );
}

#[test]
fn a_bad_set_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let data = csv_with_copies(d, "d.csv", 0, 0);
    let cases = [
        ("trigger_fdrr=0.1", "unknown field; expected one of seed,"),
        ("label_folds=2.5", "expected an integer >= 2, got 2.5"),
        ("label_folds=1", "expected an integer >= 2, got 1"),
        ("trigger_fdr=0", "expected a number in (0, 1], got 0"),
        (
            "trigger_fdr=lots",
            "expected a number in (0, 1], got \"lots\"",
        ),
        (
            "label_rank_by=margin",
            "one of self_confidence, normalized_margin",
        ),
        ("trigger_fdr", "expected KEY=VALUE"),
    ];
    for (set, needle) in cases {
        let o = audit(d, &data, &["--set", set]);
        assert_eq!(o.status.code(), Some(2), "{set}: {}", text(&o));
        let t = text(&o);
        assert!(
            t.contains(&format!("--set {set}:")) && t.contains(needle),
            "{set}: expected {needle:?} in {t}"
        );
    }
    let o = audit(d, &data, &["--jaccard", "1.5"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("--jaccard: expected a number in (0, 1]"));
}

#[test]
fn policy_tier_thresholds_apply_and_set_overrides_them() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let data = csv_with_copies(d, "d.csv", 8, 0);
    std::fs::write(
        d.join("policy.toml"),
        "[tiers.untrusted.audit]\nlabel = \"label\"\n\
         [tiers.untrusted.audit.thresholds]\nmax_duplicate_share = 0.1\ntrigger_fdr = 0.001\n",
    )
    .unwrap();
    let o = audit(
        d,
        &data,
        &["--policy", "policy.toml", "--tier", "untrusted"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let r = report(&o);
    assert_eq!(r["thresholds"]["max_duplicate_share"], 0.1);
    assert_eq!(r["thresholds"]["trigger_fdr"], 0.001);
    assert_eq!(
        r["thresholds"]["label_folds"], 5,
        "unnamed fields keep defaults"
    );
    // --set comes after the policy.
    let o = audit(
        d,
        &data,
        &[
            "--policy",
            "policy.toml",
            "--tier",
            "untrusted",
            "--set",
            "max_duplicate_share=0.05",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    // A tier with the defaults (third-party runs the audit by default).
    let o = audit(
        d,
        &data,
        &["--policy", "policy.toml", "--tier", "third-party"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    // Without --tier the tiers must agree; here they do not.
    let o = audit(d, &data, &["--policy", "policy.toml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o).contains("untrusted (max_duplicate_share=0.1, trigger_fdr=0.001)")
            && text(&o).contains("choose one with --tier"),
        "{}",
        text(&o)
    );
    // A tier that does not run the audit has no thresholds.
    let o = audit(d, &data, &["--policy", "policy.toml", "--tier", "trusted"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("does not run the audit"), "{}", text(&o));
    // A typo in the policy names the file and the dotted field.
    std::fs::write(
        d.join("typo.toml"),
        "[tiers.untrusted]\naudit = { thresholds = { trigger_fdrr = 0.001 } }\n",
    )
    .unwrap();
    let o = audit(d, &data, &["--policy", "typo.toml", "--tier", "untrusted"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o)
            .contains("typo.toml: tiers.untrusted.audit.thresholds.trigger_fdrr: unknown field"),
        "{}",
        text(&o)
    );
}

/// The gate: the same drop passes a tier with the default thresholds and fails one whose
/// `audit.thresholds` is stricter; the review report records the thresholds.
#[test]
fn a_tiers_thresholds_reach_the_gate_review() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let o = dg(d, &["init", "--name", "thresholds"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let toml = std::fs::read_to_string(d.join("datagate.toml")).unwrap();
    assert!(
        toml.contains("thresholds = { trigger_fdr"),
        "the commented policy shows thresholds"
    );
    let policy = r#"
[sources.easy]
tier = "lenient"
[sources.hard]
tier = "strict"

[tiers.lenient]
audit = { label = "label" }
[tiers.strict]
audit = { label = "label", thresholds = { max_duplicate_share = 0.01 } }
"#;
    std::fs::write(d.join("datagate.toml"), format!("{toml}{policy}")).unwrap();
    let o = dg(d, &["policy", "explain", "hard"]);
    assert!(
        text(&o).contains("thresholds max_duplicate_share = 0.01"),
        "{}",
        text(&o)
    );
    // 2 copies in 102 rows: under the default 5%, over 1% (two files: a drop is its content).
    let mut verdicts = Vec::new();
    for (seed, source) in [(1, "easy"), (2, "hard")] {
        let data = csv_with_copies(d, &format!("data/{source}.csv"), 2, seed);
        let o = dg(d, &["ingest", source, data.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        let id = String::from_utf8_lossy(&o.stdout).trim().to_string();
        let o = dg(d, &["review", &id, "--format", "json"]);
        let r: serde_json::Value = serde_json::from_slice(&o.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", text(&o)));
        let audit = r["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["check"] == "audit")
            .unwrap_or_else(|| panic!("no audit check: {r:#}"))
            .clone();
        verdicts.push((
            o.status.code(),
            audit["verdict"].clone(),
            audit["details"]["thresholds"]["max_duplicate_share"].clone(),
        ));
    }
    assert_eq!(
        verdicts,
        [
            (Some(0), "pass".into(), 0.05.into()),
            (Some(1), "fail".into(), 0.01.into()),
        ],
    );
}
