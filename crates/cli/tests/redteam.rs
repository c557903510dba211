//! `datagate redteam inject` and `datagate redteam score` end to end: files written, the
//! ground truth agrees with the poisoned file, scores from a report, bad input.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn datagate() -> Command {
    Command::cargo_bin("datagate").unwrap()
}

fn clean(dir: &Path) -> PathBuf {
    let words = [
        "good", "bad", "film", "plot", "long", "fun", "dull", "cast", "score", "ending",
    ];
    let mut s = String::from("x,y,review,label\n");
    let mut state = 99u64;
    for i in 0..300 {
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) as usize
        };
        let text: Vec<&str> = (0..12).map(|_| words[next() % words.len()]).collect();
        s.push_str(&format!(
            "{:.3},{},{},{}\n",
            next() % 1000,
            next() % 9,
            text.join(" "),
            i % 3
        ));
    }
    let p = dir.join("clean.csv");
    std::fs::write(&p, s).unwrap();
    p
}

#[test]
fn inject_writes_the_copy_and_truth_and_score_reads_a_report() {
    let dir = tempfile::tempdir().unwrap();
    let src = clean(dir.path());
    let out = dir.path().join("poisoned.csv");
    let truth = dir.path().join("truth.json");
    datagate()
        .arg("redteam")
        .arg("inject")
        .arg(&src)
        .args(["--label", "label", "--text", "review", "--seed", "5"])
        .args(["--attack", "label-flip:rate=0.05"])
        .args(["--attack", "text-trigger:count=6,token=cf_zq,target=1"])
        .args(["--attack", "duplicates:mode=exact,count=3"])
        .arg("-o")
        .arg(&out)
        .arg("--truth")
        .arg(&truth)
        .assert()
        .success();
    let t: serde_json::Value = serde_json::from_slice(&std::fs::read(&truth).unwrap()).unwrap();
    assert_eq!(t["seed"], 5);
    assert_eq!(t["rows"], 303);
    assert_eq!(t["attacks"][0]["kind"], "label-flip");
    assert_eq!(t["attacks"][0]["rows"].as_array().unwrap().len(), 15);
    assert_eq!(t["attacks"][1]["trigger"], "cf_zq");
    assert_eq!(t["attacks"][1]["target_label"], 1);
    // the trigger rows are exactly the rows of the written file that contain the token
    let text = std::fs::read_to_string(&out).unwrap();
    let with: Vec<u64> = text
        .lines()
        .skip(1)
        .enumerate()
        .filter(|(_, l)| l.contains("cf_zq"))
        .map(|(i, _)| i as u64)
        .collect();
    let rows: Vec<u64> = t["attacks"][1]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    assert_eq!(with, rows);

    // a report that finds the trigger rows and half of the flips
    let flips: Vec<u64> = t["attacks"][0]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    let report = serde_json::json!({
        "dataset": out.display().to_string(), "rows": 303,
        "findings": [
            {"detector": "label_issues", "title": "", "explanation": "", "rows": &flips[..8], "scores": [], "fails": true},
            {"detector": "text_trigger", "title": "", "explanation": "", "rows": rows, "scores": [], "fails": true,
             "trigger": "cf_zq", "target_label": "1"}
        ],
        "skipped": [], "timings": []
    });
    let rpath = dir.path().join("audit.json");
    std::fs::write(&rpath, report.to_string()).unwrap();
    let json = datagate()
        .args(["redteam", "score", "--format", "json", "--truth"])
        .arg(&truth)
        .arg("--report")
        .arg(&rpath)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let s: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(s["attacks"][0]["precision"], 1.0);
    assert!((s["attacks"][0]["recall"].as_f64().unwrap() - 8.0 / 15.0).abs() < 1e-9);
    assert_eq!(s["attacks"][1]["f1"], 1.0);
    assert_eq!(s["attacks"][1]["trigger_named"], true);
    assert_eq!(s["attacks"][1]["target_named"], true);
    assert_eq!(s["attacks"][2]["recall"], 0.0); // no duplicate detector in the report
    let text = datagate()
        .args(["redteam", "score", "--truth"])
        .arg(&truth)
        .arg("--report")
        .arg(&rpath)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(text).unwrap();
    assert!(
        text.contains("text-trigger") && text.contains("trigger named: yes"),
        "{text}"
    );
}

#[test]
fn bad_input_exits_2_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let src = clean(dir.path());
    let out = dir.path().join("p.csv");
    let run = |args: &[&str]| {
        let o = datagate()
            .args(["redteam", "inject"])
            .arg(&src)
            .args(args)
            .arg("-o")
            .arg(&out)
            .output()
            .unwrap();
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    };
    let (code, err) = run(&["--label", "label", "--attack", "label-flop:rate=0.1"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("unknown attack"), "{err}");
    let (code, err) = run(&["--label", "nope", "--attack", "label-flip"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("no column \"nope\""), "{err}");
    let (code, err) = run(&["--label", "label", "--attack", "text-trigger:rate=0.01"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("--text"), "{err}");
    assert!(!out.exists());
    let o = datagate()
        .args(["redteam", "score", "--truth"])
        .arg(&src)
        .arg("--report")
        .arg(&src)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("ground-truth"));
}
