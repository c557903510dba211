//! End-to-end: inject every attack into a small CSV, check the written file against the
//! ground truth, and score hand-written reports.

use std::path::{Path, PathBuf};

use arrow_array::{Array, Float64Array, Int64Array, RecordBatch, StringArray};
use datagate_dataset::{Dataset, ReadOptions};
use datagate_redteam::{
    inject, read_report, score, write_truth, AttackSpec, GroundTruth, InjectOptions,
};

const WORDS: &[&str] = &[
    "the", "movie", "was", "great", "bad", "plot", "actors", "really", "boring", "fun", "scene",
    "music", "long", "short", "story", "ending", "good", "awful", "loved", "hated",
];

fn source(dir: &Path) -> PathBuf {
    let mut csv = String::from("id,x,y,review,label\n");
    let mut s = 17u64;
    let mut next = || {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (s >> 33) as usize
    };
    for i in 0..400 {
        let label = i % 2;
        let words: Vec<&str> = (0..12).map(|_| WORDS[next() % WORDS.len()]).collect();
        let x = (next() % 1000) as f64 / 100.0 + label as f64;
        let y = next() % 50;
        csv.push_str(&format!(
            "{i},{x},{y},{},{}\n",
            words.join(" "),
            if label == 1 { "pos" } else { "neg" }
        ));
    }
    let p = dir.join("clean.csv");
    std::fs::write(&p, csv).unwrap();
    p
}

fn options(attacks: &[&str], seed: u64) -> InjectOptions {
    InjectOptions {
        label: "label".into(),
        text: Some("review".into()),
        seed,
        attacks: attacks
            .iter()
            .map(|a| AttackSpec::parse(a).unwrap())
            .collect(),
        read: ReadOptions::default(),
    }
}

fn read(path: &Path) -> RecordBatch {
    let ds = Dataset::open(path, &ReadOptions::default()).unwrap();
    let mut v = Vec::new();
    ds.scan(|b| -> Result<(), datagate_dataset::DatasetError> {
        v.push(b.data);
        Ok(())
    })
    .unwrap();
    arrow_select::concat::concat_batches(&v[0].schema(), &v).unwrap()
}

fn strings(b: &RecordBatch, name: &str) -> Vec<String> {
    let c = b.column(b.schema().index_of(name).unwrap());
    let a = c.as_any().downcast_ref::<StringArray>().unwrap();
    (0..a.len()).map(|i| a.value(i).to_string()).collect()
}

fn ints(b: &RecordBatch, name: &str) -> Vec<i64> {
    let c = b.column(b.schema().index_of(name).unwrap());
    c.as_any()
        .downcast_ref::<Int64Array>()
        .unwrap()
        .values()
        .to_vec()
}

fn floats(b: &RecordBatch, name: &str) -> Vec<f64> {
    let c = b.column(b.schema().index_of(name).unwrap());
    c.as_any()
        .downcast_ref::<Float64Array>()
        .unwrap()
        .values()
        .to_vec()
}

const ALL: &[&str] = &[
    "label-flip:rate=0.05",
    "label-flip:from=neg,to=pos,rate=0.1",
    "text-trigger:rate=0.02,token=cf_zq,target=pos",
    "tabular-trigger:rate=0.02,set=y=77,target=neg",
    "feature-shift:class=pos,rate=0.1,column=x,shift=5",
    "duplicates:mode=exact,count=4",
    "duplicates:mode=near,count=4",
    "duplicates:mode=conflict,count=3",
];

#[test]
fn every_attack_is_in_the_file_where_the_truth_says() {
    let dir = tempfile::tempdir().unwrap();
    let src = source(dir.path());
    let out = dir.path().join("poisoned.parquet");
    let truth = inject(&src, &out, &options(ALL, 7)).unwrap();
    let clean = read(&src);
    let bad = read(&out);
    assert_eq!(truth.rows, 400 + 11);
    assert_eq!(bad.num_rows(), 411);
    let (ids, labels, text, xs, ys) = (
        ints(&bad, "id"),
        strings(&bad, "label"),
        strings(&bad, "review"),
        floats(&bad, "x"),
        ints(&bad, "y"),
    );
    let clean_labels = strings(&clean, "label");
    let clean_text = strings(&clean, "review");
    let clean_x = floats(&clean, "x");
    let orig = |row: u64| ids[row as usize] as usize; // the id column says which source row it is
    let mut all_rows = std::collections::HashSet::new();
    for a in &truth.attacks {
        for &r in &a.rows {
            assert!(all_rows.insert(r), "row {r} used by two attacks");
        }
    }
    let a = &truth.attacks;
    assert_eq!(a[0].rows.len(), 20);
    for (i, &r) in a[0].rows.iter().enumerate() {
        assert_ne!(labels[r as usize], clean_labels[orig(r)]);
        assert_eq!(
            a[0].original_labels[i],
            serde_json::json!(clean_labels[orig(r)])
        );
    }
    assert_eq!(a[1].rows.len(), 20); // 10% of the 200 neg rows
    for &r in &a[1].rows {
        assert_eq!(
            (clean_labels[orig(r)].as_str(), labels[r as usize].as_str()),
            ("neg", "pos")
        );
    }
    assert_eq!(a[2].trigger.as_deref(), Some("cf_zq"));
    assert_eq!(a[2].rows.len(), 8);
    let with_trigger: Vec<u64> = (0..bad.num_rows() as u64)
        .filter(|&r| text[r as usize].split(' ').any(|w| w == "cf_zq"))
        .collect();
    assert_eq!(with_trigger, a[2].rows);
    for &r in &a[2].rows {
        assert_eq!(labels[r as usize], "pos");
        assert_eq!(clean_labels[orig(r)], "neg");
    }
    let pattern: Vec<u64> = (0..ys.len() as u64)
        .filter(|&r| ys[r as usize] == 77)
        .collect();
    assert_eq!(pattern, a[3].rows);
    assert!(a[3].rows.iter().all(|&r| labels[r as usize] == "neg"));
    for &r in &a[4].rows {
        assert_eq!(labels[r as usize], "pos");
        assert!(
            xs[r as usize] > clean_x[orig(r)] + 5.0,
            "shifted by 5 sd of x (sd > 1)"
        );
    }
    for d in &a[5..] {
        assert_eq!(d.rows.len(), d.pairs.len());
        for &[o, c] in &d.pairs {
            assert!(o < c, "a copy comes after its original");
            assert_eq!(ids[o as usize], ids[c as usize]);
            match d.mode.as_deref() {
                Some("exact") => {
                    assert_eq!(text[o as usize], text[c as usize]);
                    assert_eq!(labels[o as usize], labels[c as usize]);
                }
                Some("near") => {
                    assert_ne!(text[o as usize], text[c as usize]);
                    let (a, b): (Vec<&str>, Vec<&str>) = (
                        text[o as usize].split(' ').collect(),
                        text[c as usize].split(' ').collect(),
                    );
                    assert!(a.len().abs_diff(b.len()) <= 1);
                }
                Some("conflict") => {
                    assert_eq!(text[o as usize], text[c as usize]);
                    assert_ne!(labels[o as usize], labels[c as usize]);
                }
                m => panic!("mode {m:?}"),
            }
        }
    }
    // untouched rows are unchanged
    for r in 0..bad.num_rows() as u64 {
        if !all_rows.contains(&r) && ids[r as usize] as usize == orig(r) {
            let o = orig(r);
            if truth
                .attacks
                .iter()
                .any(|a| a.pairs.iter().any(|p| p[0] == r))
            {
                continue;
            }
            assert_eq!(text[r as usize], clean_text[o]);
            assert_eq!(labels[r as usize], clean_labels[o]);
        }
    }
}

#[test]
fn the_same_seed_gives_the_same_file_and_another_seed_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let src = source(dir.path());
    let run = |seed: u64, name: &str| {
        let out = dir.path().join(name);
        let t = inject(&src, &out, &options(ALL, seed)).unwrap();
        (std::fs::read(&out).unwrap(), t.attacks)
    };
    let (a, ta) = run(1, "a.csv");
    let (b, tb) = run(1, "b.csv");
    let (c, tc) = run(2, "c.csv");
    assert_eq!(a, b);
    assert_eq!(ta, tb);
    assert_ne!(a, c);
    assert_ne!(ta, tc);
}

#[test]
fn bad_requests_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let src = source(dir.path());
    let out = dir.path().join("o.csv");
    let err = |attacks: &[&str], label: &str, text: Option<&str>| {
        let mut o = options(attacks, 1);
        o.label = label.into();
        o.text = text.map(str::to_string);
        inject(&src, &out, &o).unwrap_err().to_string()
    };
    assert!(err(&["label-flip"], "nope", None).contains("no column \"nope\""));
    assert!(err(&["text-trigger"], "label", None).contains("--text"));
    assert!(err(&["label-flip:from=cat"], "label", None).contains("classes are neg, pos"));
    assert!(err(&["tabular-trigger:set=y=abc"], "label", None).contains("does not fit"));
    assert!(err(&["duplicates:mode=fuzzy"], "label", None).contains("exact, near or conflict"));
    // asking for more rows than exist
    assert!(err(&["label-flip:count=5000"], "label", None).contains("needs 5000 rows"));
    assert!(!out.exists(), "nothing is written when an attack fails");
    let bad_out = dir.path().join("o.xlsx");
    assert!(inject(&src, &bad_out, &options(&["label-flip"], 1)).is_err());
}

#[test]
fn scores_count_rows_triggers_and_pairs() {
    let dir = tempfile::tempdir().unwrap();
    let src = source(dir.path());
    let out = dir.path().join("p.csv");
    let truth = inject(
        &src,
        &out,
        &options(
            &[
                "label-flip:count=10",
                "text-trigger:count=4,token=zz",
                "duplicates:count=2",
            ],
            3,
        ),
    )
    .unwrap();
    let tpath = dir.path().join("truth.json");
    write_truth(&truth, &tpath).unwrap();
    let truth = GroundTruth::read(&tpath).unwrap();
    let flips = &truth.attacks[0].rows;
    let trig = &truth.attacks[1].rows;
    let [o, c] = truth.attacks[2].pairs[0];
    // label_issues finds 8 of 10 flips plus 2 clean rows (and one trigger row: ignored)
    let clean: Vec<u64> = (0..truth.rows)
        .filter(|r| {
            truth
                .attacks
                .iter()
                .all(|a| !a.rows.contains(r) && !a.pairs.iter().any(|p| p[0] == *r))
        })
        .take(2)
        .collect();
    let mut li: Vec<u64> = flips[..8].to_vec();
    li.extend(&clean);
    li.push(trig[0]);
    let report = serde_json::json!({
        "dataset": "p.csv",
        "rows": truth.rows,
        "findings": [
            {"detector": "label_issues", "rows": li, "scores": []},
            {"detector": "text_trigger", "rows": trig, "trigger": "ZZ", "target_label": truth.attacks[1].target_label},
            {"detector": "exact_duplicates", "rows": [c], "groups": [{"rows": [o, c]}], "groups_total": 1}
        ],
        "skipped": [
            {"detector": "near_duplicates", "reason": "no text"},
            {"detector": "edited_rows", "reason": "needs a trusted baseline (--baseline)"}
        ]
    });
    let rpath = dir.path().join("report.json");
    std::fs::write(&rpath, report.to_string()).unwrap();
    let s = score(&truth, &read_report(&rpath).unwrap());
    let lf = &s.attacks[0];
    assert_eq!(
        (lf.true_positives, lf.false_positives, lf.false_negatives),
        (8, 2, 2)
    );
    assert!((lf.precision - 0.8).abs() < 1e-12 && (lf.recall - 0.8).abs() < 1e-12);
    let tt = &s.attacks[1];
    assert_eq!(
        (tt.precision, tt.recall, tt.trigger_named, tt.target_named),
        (1.0, 1.0, Some(true), Some(true))
    );
    let d = &s.attacks[2];
    assert_eq!(d.true_positives, 1);
    // several detectors answer duplicates: each gets its own line
    assert_eq!(d.by_detector.len(), 0); // exact mode: exact_duplicates only
                                        // edited_rows also answers label flips, but did not run: noted, not counted
    assert!(lf.by_detector.is_empty());
    assert_eq!(lf.detectors, vec!["label_issues".to_string()]);
    assert_eq!(lf.skipped.len(), 1);
    assert!(lf.skipped[0].starts_with("edited_rows: "));
    assert_eq!(d.pair_recall, Some(0.5)); // one of two pairs found
                                          // label_issues also flagged a trigger row: shown apart, not counted for the trigger
    let elsewhere: Vec<(&str, usize)> = tt
        .caught_elsewhere
        .iter()
        .map(|c| (c.detector.as_str(), c.rows))
        .collect();
    assert_eq!(elsewhere, vec![("label_issues", 1)]);
    assert!(lf.caught_elsewhere.is_empty());
    let text = datagate_redteam::render_text(&s);
    assert!(text.contains("trigger named: yes"), "{text}");
    assert!(
        text.contains("also flagged by label_issues (1 of 4 rows, not counted)"),
        "{text}"
    );
    // something that is not a report is refused
    std::fs::write(&rpath, "{\"rows\": 3}").unwrap();
    assert!(read_report(&rpath)
        .unwrap_err()
        .to_string()
        .contains("findings"));
}

#[test]
fn attacks_with_several_detectors_are_also_scored_per_detector() {
    let dir = tempfile::tempdir().unwrap();
    let src = source(dir.path());
    let out = dir.path().join("s.csv");
    let truth = inject(
        &src,
        &out,
        &options(&["feature-shift:class=pos,count=4,column=x"], 9),
    )
    .unwrap();
    let rows = &truth.attacks[0].rows;
    let clean: Vec<u64> = (0..truth.rows)
        .filter(|r| !rows.contains(r))
        .take(4)
        .collect();
    let report = serde_json::json!({"findings": [
        {"detector": "outliers", "rows": clean},
        {"detector": "baseline_shift", "rows": rows},
        {"detector": "edited_rows", "rows": rows[..2]}
    ]});
    let s = score(&truth, &report);
    let a = &s.attacks[0];
    assert_eq!((a.precision, a.recall), (0.5, 1.0));
    let d: Vec<(&str, f64)> = a
        .by_detector
        .iter()
        .map(|d| (d.detector.as_str(), d.f1))
        .collect();
    assert_eq!(
        d,
        vec![
            ("outliers", 0.0),
            ("baseline_shift", 1.0),
            ("edited_rows", 2.0 / 3.0)
        ]
    );
    // an audit run with `--detectors` times only the detectors it ran: the others are not
    // counted, so outliers' rows no longer cost precision
    let mut report = report;
    report["timings"] = serde_json::json!([["baseline_shift", 0.1], ["edited_rows", 0.2]]);
    let a = &score(&truth, &report).attacks[0];
    assert_eq!((a.precision, a.recall), (1.0, 1.0));
    assert_eq!(a.detectors, vec!["baseline_shift", "edited_rows"]);
}

#[test]
fn a_pattern_counts_as_named_through_the_findings_related_patterns() {
    let dir = tempfile::tempdir().unwrap();
    let src = source(dir.path());
    let out = dir.path().join("p.csv");
    let truth = inject(
        &src,
        &out,
        &options(
            &["tabular-trigger:count=6,set=x=42.5,set=y=77,target=pos"],
            5,
        ),
    )
    .unwrap();
    let rows = truth.attacks[0].rows.clone();
    let finding = |pattern: &str, related: &[&str]| {
        serde_json::json!({
            "dataset": "p.csv",
            "rows": truth.rows,
            "findings": [{"detector": "tabular_trigger", "rows": rows, "pattern": pattern,
                          "related": related, "target_label": "pos"}],
            "skipped": []
        })
    };
    // the simplest explaining pattern names one column; the full one is among `related`
    let s = score(&truth, &finding("x = 42.5", &["x = 42.5 AND y = 77"]));
    assert_eq!(
        (s.attacks[0].pattern_named, s.attacks[0].target_named),
        (Some(true), Some(true))
    );
    // a pattern over one of the columns only, with nothing related, is not the pattern
    let s = score(&truth, &finding("x = 42.5", &[]));
    assert_eq!(s.attacks[0].pattern_named, Some(false));
}
