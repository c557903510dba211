//! `score`: how well an audit report found the attacks of a ground truth.
//!
//! For each attack, the rows flagged by its detectors are compared with the rows the
//! attack poisoned (a detector the audit did not run is not counted: one left out by
//! `--detectors`, or one that could not run, e.g. `edited_rows` without a baseline, which
//! is noted under `skipped`):
//!
//! | attack | detectors |
//! |---|---|
//! | `label-flip` | `label_issues`, `edited_rows` |
//! | `text-trigger` | `text_trigger` (and: was the trigger named? the target?) |
//! | `tabular-trigger` | `tabular_trigger` (and: were the pattern's columns named?) |
//! | `feature-shift` | `outliers`, `baseline_shift`, `edited_rows` |
//! | `duplicates` exact | `exact_duplicates` |
//! | `duplicates` near | `near_duplicates` (and `exact_duplicates`) |
//! | `duplicates` conflict | `exact_duplicates`, `near_duplicates` |
//!
//! precision = flagged ∩ poisoned / flagged, recall = flagged ∩ poisoned / poisoned. Rows
//! poisoned by *another* attack in the same file count neither for nor against (a
//! conflicting copy is also a label issue). For duplicates a detector may name either
//! member of a pair, so the originals are also left out of the false positives, and the
//! pair recall counts a pair as found when a reported group holds both rows (or, when the
//! report lists no groups, when the copy is flagged).
//!
//! Poisoned rows that other detectors flagged are listed apart (`caught_elsewhere`, per
//! detector): they do not count in the attack's score, but say where an attack that its
//! own detector missed did show up (a one-row "trigger" is a row far from its class).
//!
//! Blind spot: rows that were already wrong in the clean source (real label errors, real
//! duplicates) count as false positives, so precision is a lower bound.

use std::collections::HashSet;
use std::path::Path;

use serde::Serialize;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::truth::{AttackTruth, GroundTruth};

/// The score of one attack.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AttackScore {
    /// The attack kind.
    pub kind: String,
    /// Duplicates mode, when applicable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// The detectors whose findings were counted.
    pub detectors: Vec<String>,
    /// Rows the attack poisoned.
    pub poisoned: usize,
    /// Rows the detectors flagged (excluding rows of other attacks).
    pub flagged: usize,
    /// Poisoned rows flagged.
    pub true_positives: usize,
    /// Flagged rows that were not poisoned.
    pub false_positives: usize,
    /// Poisoned rows not flagged.
    pub false_negatives: usize,
    /// true positives / flagged (0 when nothing was flagged).
    pub precision: f64,
    /// true positives / poisoned.
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
    /// Duplicates: share of injected (original, copy) pairs found together.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pair_recall: Option<f64>,
    /// Text trigger: whether a finding named the trigger.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trigger_named: Option<bool>,
    /// Tabular trigger: whether a finding's pattern named every trigger column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pattern_named: Option<bool>,
    /// Triggers: whether the finding that named the trigger also named the target label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_named: Option<bool>,
    /// Attacks answered by several detectors: each detector's own score.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub by_detector: Vec<DetectorScore>,
    /// Why a detector did not run, when the report says so.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<String>,
    /// Other detectors that flagged poisoned rows of this attack: not counted above.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub caught_elsewhere: Vec<CaughtElsewhere>,
}

/// Poisoned rows an attack's own detectors are not responsible for, flagged by another.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CaughtElsewhere {
    /// The detector.
    pub detector: String,
    /// Poisoned rows it flagged.
    pub rows: usize,
}

/// One detector's share of an attack's score.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DetectorScore {
    /// The detector.
    pub detector: String,
    /// Rows it flagged (excluding rows of other attacks).
    pub flagged: usize,
    /// Poisoned rows it flagged.
    pub true_positives: usize,
    /// true positives / flagged.
    pub precision: f64,
    /// true positives / poisoned.
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
}

/// precision, recall, F1 of `flagged` against `poisoned`.
fn prf(flagged: &HashSet<u64>, poisoned: &HashSet<u64>) -> (usize, f64, f64, f64) {
    let tp = flagged.intersection(poisoned).count();
    let p = if flagged.is_empty() {
        0.0
    } else {
        tp as f64 / flagged.len() as f64
    };
    let r = if poisoned.is_empty() {
        0.0
    } else {
        tp as f64 / poisoned.len() as f64
    };
    let f1 = if p + r > 0.0 {
        2.0 * p * r / (p + r)
    } else {
        0.0
    };
    (tp, p, r, f1)
}

/// The scores of every attack in a ground truth.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Scores {
    /// The poisoned dataset.
    pub dataset: String,
    /// One score per attack, in ground-truth order.
    pub attacks: Vec<AttackScore>,
}

/// The detectors that answer `attack`.
pub fn detectors_for(attack: &AttackTruth) -> &'static [&'static str] {
    match (attack.kind.as_str(), attack.mode.as_deref()) {
        ("label-flip", _) => &["label_issues", "edited_rows"],
        ("text-trigger", _) => &["text_trigger"],
        ("tabular-trigger", _) => &["tabular_trigger"],
        ("feature-shift", _) => &["outliers", "baseline_shift", "edited_rows"],
        ("duplicates", Some("near")) => &["near_duplicates", "exact_duplicates"],
        ("duplicates", Some("conflict")) => &["exact_duplicates", "near_duplicates"],
        ("duplicates", _) => &["exact_duplicates"],
        _ => &[],
    }
}

/// Reads an audit report (`datagate audit --format json`).
pub fn read_report(path: &Path) -> Result<Value> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::File {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    let v: Value = serde_json::from_str(&text).map_err(|e| Error::File {
        path: path.display().to_string(),
        message: format!("not JSON: {e}"),
    })?;
    if !v.get("findings").is_some_and(Value::is_array) {
        return Err(Error::File {
            path: path.display().to_string(),
            message:
                "not an audit report: no \"findings\" array (use datagate audit --format json)"
                    .into(),
        });
    }
    Ok(v)
}

fn rows_of(v: Option<&Value>) -> Vec<u64> {
    v.and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_u64).collect())
        .unwrap_or_default()
}

fn norm(s: &str) -> String {
    s.trim().to_lowercase()
}

fn label_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
            _ => n.to_string(),
        },
        other => other.to_string(),
    }
}

/// Scores `report` (an audit's JSON) against `truth`.
pub fn score(truth: &GroundTruth, report: &Value) -> Scores {
    let findings: Vec<&Value> = report
        .get("findings")
        .and_then(Value::as_array)
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    let skipped: Vec<(String, String)> = report
        .get("skipped")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|s| {
                    let d = s
                        .get("detector")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string();
                    let r = s
                        .get("reason")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string();
                    (d, r)
                })
                .collect()
        })
        .unwrap_or_default();
    // the detectors the audit ran (`--detectors` may have chosen a few): its timings name
    // each; a report without (or with empty) timings is taken to have run them all
    let selected: Option<HashSet<&str>> = report
        .get("timings")
        .and_then(Value::as_array)
        .map(|t| {
            t.iter()
                .filter_map(|x| x.get(0).and_then(Value::as_str))
                .collect()
        })
        .filter(|s: &HashSet<&str>| !s.is_empty());
    let mut attacks = Vec::new();
    for (ai, attack) in truth.attacks.iter().enumerate() {
        // a detector that did not run (not selected; or no baseline, too few rows: noted) is
        // not counted
        let answering = detectors_for(attack);
        let detectors: Vec<&str> = answering
            .iter()
            .copied()
            .filter(|d| selected.as_ref().is_none_or(|s| s.contains(d)))
            .filter(|d| !skipped.iter().any(|(s, _)| s == d))
            .collect();
        let mine: Vec<&Value> = findings
            .iter()
            .copied()
            .filter(|f| {
                f.get("detector")
                    .and_then(Value::as_str)
                    .is_some_and(|d| detectors.contains(&d))
            })
            .collect();
        let poisoned: HashSet<u64> = attack.rows.iter().copied().collect();
        let mut ignored: HashSet<u64> = truth
            .attacks
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != ai)
            .flat_map(|(_, a)| a.rows.iter().copied())
            .collect();
        ignored.extend(attack.pairs.iter().map(|p| p[0]));
        ignored.retain(|r| !poisoned.contains(r));
        let flagged: HashSet<u64> = mine
            .iter()
            .flat_map(|f| rows_of(f.get("rows")))
            .filter(|r| !ignored.contains(r))
            .collect();
        let (tp, precision, recall, f1) = prf(&flagged, &poisoned);
        let fp = flagged.len() - tp;
        let fnn = poisoned.len() - tp;
        let by_detector = if detectors.len() > 1 {
            detectors
                .iter()
                .map(|d| {
                    let own: HashSet<u64> = mine
                        .iter()
                        .filter(|f| f.get("detector").and_then(Value::as_str) == Some(d))
                        .flat_map(|f| rows_of(f.get("rows")))
                        .filter(|r| !ignored.contains(r))
                        .collect();
                    let (tp, precision, recall, f1) = prf(&own, &poisoned);
                    DetectorScore {
                        detector: d.to_string(),
                        flagged: own.len(),
                        true_positives: tp,
                        precision,
                        recall,
                        f1,
                    }
                })
                .collect()
        } else {
            Vec::new()
        };
        let mut s = AttackScore {
            kind: attack.kind.clone(),
            mode: attack.mode.clone(),
            detectors: detectors.iter().map(|d| d.to_string()).collect(),
            poisoned: poisoned.len(),
            flagged: flagged.len(),
            true_positives: tp,
            false_positives: fp,
            false_negatives: fnn,
            precision,
            recall,
            f1,
            pair_recall: None,
            trigger_named: None,
            pattern_named: None,
            target_named: None,
            by_detector,
            skipped: skipped
                .iter()
                .filter(|(d, _)| answering.contains(&d.as_str()))
                .map(|(d, r)| format!("{d}: {r}"))
                .collect(),
            caught_elsewhere: Vec::new(),
        };
        let mut elsewhere: std::collections::BTreeMap<&str, HashSet<u64>> = Default::default();
        for f in &findings {
            let Some(d) = f.get("detector").and_then(Value::as_str) else {
                continue;
            };
            if detectors.contains(&d) {
                continue;
            }
            let caught = rows_of(f.get("rows"))
                .into_iter()
                .filter(|r| poisoned.contains(r));
            elsewhere.entry(d).or_default().extend(caught);
        }
        s.caught_elsewhere = elsewhere
            .into_iter()
            .filter(|(_, rows)| !rows.is_empty())
            .map(|(d, rows)| CaughtElsewhere {
                detector: d.to_string(),
                rows: rows.len(),
            })
            .collect();
        if !attack.pairs.is_empty() {
            s.pair_recall = Some(pair_recall(attack, &mine));
        }
        let target = attack.target_label.as_ref().map(label_text);
        let target_of = |f: &Value| {
            f.get("target_label")
                .map(label_text)
                .is_some_and(|t| Some(norm(&t)) == target.as_deref().map(norm))
        };
        if let Some(trigger) = &attack.trigger {
            let want = norm(trigger);
            let named: Vec<&&Value> = mine
                .iter()
                .filter(|f| {
                    f.get("trigger").and_then(Value::as_str).is_some_and(|t| {
                        let t = norm(t);
                        !t.is_empty() && (t == want || want.contains(&t) || t.contains(&want))
                    })
                })
                .collect();
            s.trigger_named = Some(!named.is_empty());
            s.target_named = Some(named.iter().any(|f| target_of(f)));
        }
        if let Some(pattern) = &attack.pattern {
            let named: Vec<&&Value> = mine
                .iter()
                .filter(|f| {
                    // The detector names the simplest pattern that explains the rows and
                    // lists the longer ones it subsumes under `related`: either counts.
                    let mut texts =
                        vec![f.get("pattern").map(Value::to_string).unwrap_or_default()];
                    if let Some(related) = f.get("related").and_then(Value::as_array) {
                        texts.extend(related.iter().map(Value::to_string));
                    }
                    texts.iter().any(|text| {
                        !text.is_empty() && pattern.iter().all(|c| text.contains(&c.column))
                    })
                })
                .collect();
            s.pattern_named = Some(!named.is_empty());
            s.target_named = Some(named.iter().any(|f| target_of(f)));
        }
        attacks.push(s);
    }
    Scores {
        dataset: report
            .get("dataset")
            .and_then(Value::as_str)
            .unwrap_or(&truth.output)
            .to_string(),
        attacks,
    }
}

/// Share of `attack.pairs` found together in a reported group.
fn pair_recall(attack: &AttackTruth, findings: &[&Value]) -> f64 {
    let mut groups: Vec<HashSet<u64>> = Vec::new();
    let mut complete = true;
    let mut flagged: HashSet<u64> = HashSet::new();
    for f in findings {
        flagged.extend(rows_of(f.get("rows")));
        let listed = f.get("groups").and_then(Value::as_array);
        if let Some(list) = listed {
            for g in list {
                // a group is {"rows": [...], ...} or a bare array of rows
                let rows = match g.get("rows") {
                    Some(r) => rows_of(Some(r)),
                    None => rows_of(Some(g)),
                };
                groups.push(rows.into_iter().collect());
            }
            let total = f.get("groups_total").and_then(Value::as_u64);
            if total.is_some_and(|t| t as usize > list.len()) {
                complete = false;
            }
        } else if let Some(pair) = f.get("pair") {
            groups.push(rows_of(Some(pair)).into_iter().collect());
        } else {
            complete = false;
        }
    }
    let found = attack
        .pairs
        .iter()
        .filter(|[a, b]| {
            groups.iter().any(|g| g.contains(a) && g.contains(b))
                || (!complete && flagged.contains(b))
        })
        .count();
    found as f64 / attack.pairs.len().max(1) as f64
}

/// The scores as an aligned text table.
pub fn render_text(scores: &Scores) -> String {
    let mut out = format!("{}\n", scores.dataset);
    out.push_str(&format!(
        "{:<26} {:<30} {:>8} {:>8} {:>9} {:>7} {:>6}  notes\n",
        "attack", "detectors", "poisoned", "flagged", "precision", "recall", "F1"
    ));
    for a in &scores.attacks {
        let name = match &a.mode {
            Some(m) => format!("{} ({m})", a.kind),
            None => a.kind.clone(),
        };
        let mut notes = Vec::new();
        if let Some(p) = a.pair_recall {
            notes.push(format!("pair recall {p:.3}"));
        }
        if let Some(t) = a.trigger_named {
            notes.push(format!("trigger named: {}", if t { "yes" } else { "no" }));
        }
        if let Some(t) = a.pattern_named {
            notes.push(format!("pattern named: {}", if t { "yes" } else { "no" }));
        }
        if let Some(t) = a.target_named {
            notes.push(format!("target named: {}", if t { "yes" } else { "no" }));
        }
        notes.extend(a.by_detector.iter().map(|d| {
            format!(
                "{}: P {:.3} R {:.3} F1 {:.3}",
                d.detector, d.precision, d.recall, d.f1
            )
        }));
        notes.extend(a.skipped.iter().map(|s| format!("skipped {s}")));
        notes.extend(a.caught_elsewhere.iter().map(|c| {
            format!(
                "also flagged by {} ({} of {} rows, not counted)",
                c.detector, c.rows, a.poisoned
            )
        }));
        out.push_str(&format!(
            "{:<26} {:<30} {:>8} {:>8} {:>9.3} {:>7.3} {:>6.3}  {}\n",
            name,
            a.detectors.join(","),
            a.poisoned,
            a.flagged,
            a.precision,
            a.recall,
            a.f1,
            notes.join("; ")
        ));
    }
    out
}
