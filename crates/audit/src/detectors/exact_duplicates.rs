//! Exact duplicates: rows whose features and text are identical (the label is not
//! compared).
//!
//! **What it catches.** Copies of a row. Two findings:
//! - *conflicting duplicates*: identical rows with different labels. One of them is
//!   wrong, and a poisoner who copies rows with a flipped label leaves exactly this trace;
//!   it fails the audit. The rows named are those whose label disagrees with the group's
//!   most common label (on a tie, with the label of the earliest row); each row's score is
//!   the share of its copies that carry another label.
//! - *duplicates*: the redundant copies (every member of a group after the first). They
//!   inflate the weight of some rows and leak between train and test splits; they fail the
//!   audit only when more than [`Settings::max_duplicate_share`] of rows are copies.
//!
//! **How.** A 64-bit fingerprint per row over every feature and text cell (numeric bits
//! with one NaN, categorical codes, text bytes), computed in parallel; rows are sorted by
//! fingerprint and every group of equal fingerprints is confirmed cell by cell, so a hash
//! collision never reports a false duplicate. Memory: 16 bytes per row.
//!
//! **Needs.** At least one feature or text column; a label for conflicts.
//!
//! **Blind spots.** One differing cell (an ID, a timestamp, a trailing space, a float
//! printed with one more digit) hides a copy: pass `--features` to leave such columns out,
//! and see `near_duplicates`. When the features are coarse (more than
//! [`Settings::coarse_share`] of rows share their feature vector with another row, e.g.
//! a few binary columns), identical rows with different labels are expected and are
//! reported without failing the audit.
//!
//! [`Settings::max_duplicate_share`]: super::Settings::max_duplicate_share
//! [`Settings::coarse_share`]: super::Settings::coarse_share

use rayon::prelude::*;
use serde_json::{json, Map, Value};

use super::{Context, Detector, SkipReason};
use crate::finding::Finding;
use crate::table::{Table, MISSING};
use crate::util::{combine, hash_bytes, minority_members, mix64, rows_equal};

/// The exact-duplicate detector.
pub struct ExactDuplicates;

/// Groups listed in a finding's JSON detail at most (the rows list is always complete).
pub const MAX_LISTED_GROUPS: usize = 1000;

/// The fingerprint of row `r` over features and text.
pub fn fingerprint(table: &Table, r: usize) -> u64 {
    let mut h = 0x0123_4567_89ab_cdefu64;
    for c in &table.numeric {
        let v = c.values[r];
        let bits = if v.is_nan() {
            f64::NAN.to_bits()
        } else {
            v.to_bits()
        };
        h = combine(h, bits);
    }
    for c in &table.categorical {
        h = combine(h, mix64(c.codes[r] as u64 ^ 0xc47e_9041));
    }
    for c in &table.text {
        h = combine(h, hash_bytes(c.values[r].as_bytes()));
    }
    h
}

/// Groups of rows (table indices, ascending, ordered by first member) with identical
/// features and text.
pub fn duplicate_groups(table: &Table) -> Vec<Vec<u32>> {
    let n = table.len();
    let mut keyed: Vec<(u64, u32)> = (0..n)
        .into_par_iter()
        .map(|r| (fingerprint(table, r), r as u32))
        .collect();
    keyed.par_sort_unstable();
    let mut groups = Vec::new();
    let mut i = 0;
    while i < keyed.len() {
        let mut j = i + 1;
        while j < keyed.len() && keyed[j].0 == keyed[i].0 {
            j += 1;
        }
        if j - i > 1 {
            // confirm cell by cell: split the run into classes of truly equal rows
            let mut classes: Vec<Vec<u32>> = Vec::new();
            for &(_, r) in &keyed[i..j] {
                match classes
                    .iter_mut()
                    .find(|c| rows_equal(table, c[0] as usize, r as usize))
                {
                    Some(c) => c.push(r),
                    None => classes.push(vec![r]),
                }
            }
            groups.extend(classes.into_iter().filter(|c| c.len() > 1));
        }
        i = j;
    }
    for g in &mut groups {
        g.sort_unstable();
    }
    groups.sort_unstable_by_key(|g| g[0]);
    groups
}

/// A group as JSON: file rows and their labels.
pub fn group_json(table: &Table, group: &[u32]) -> Value {
    let rows: Vec<u64> = group
        .iter()
        .map(|&r| table.row_numbers[r as usize])
        .collect();
    let labels: Vec<Value> = match &table.labels {
        Some(l) => group
            .iter()
            .map(|&r| match l.codes[r as usize] {
                MISSING => Value::Null,
                c => Value::String(l.classes[c as usize].clone()),
            })
            .collect(),
        None => Vec::new(),
    };
    json!({ "rows": rows, "labels": labels })
}

/// Whether a group's rows carry more than one (non-missing) label.
pub fn is_conflicting(codes: &[u32], group: &[u32]) -> bool {
    let mut first = None;
    for &r in group {
        let c = codes[r as usize];
        if c == MISSING {
            continue;
        }
        match first {
            None => first = Some(c),
            Some(f) if f != c => return true,
            _ => {}
        }
    }
    false
}

/// Conflicting groups beyond chance must reach this `ln p` (p ≤ 0.01) to fail.
const CHANCE_LN_P: f64 = -4.605_170_185_988_091;

/// Builds the conflicting and plain findings for `groups` (shared with near duplicates).
pub(crate) struct GroupFindings<'a> {
    pub detector: &'static str,
    /// "identical" or "nearly identical".
    pub what: &'a str,
    /// Extra JSON per group (e.g. similarities), by group index.
    pub extra: Option<&'a dyn Fn(usize) -> Map<String, Value>>,
    /// Whether plain (non-conflicting) copies above `max_duplicate_share` fail the audit
    /// (exact copies) or are information (near copies).
    pub copies_fail: bool,
    /// Pairs this close that chance alone would give in a table of this size and density,
    /// when known (near duplicates of numeric rows). Conflicts then fail only when there are
    /// significantly more conflicting groups than chance pairs with different labels
    /// (Poisson, p ≤ 0.01; labels drawn at the class shares, which overstates honest
    /// conflicts where nearby rows share labels, so it errs towards not failing).
    pub chance_pairs: Option<f64>,
}

impl GroupFindings<'_> {
    pub(crate) fn build(
        &self,
        ctx: &Context<'_>,
        groups: &[Vec<u32>],
        score_of_copy: &dyn Fn(usize, u32) -> f64,
    ) -> Vec<Finding> {
        let table = ctx.table;
        let n = table.len().max(1);
        let in_groups: usize = groups.iter().map(Vec::len).sum();
        let coarse = in_groups as f64 / n as f64 > ctx.settings.coarse_share;
        // a spanning forest of the groups has in_groups - groups pairs
        let found_pairs = in_groups.saturating_sub(groups.len()) as f64;
        let mut findings = Vec::new();
        let mut conflicted = std::collections::HashSet::new();
        if let Some(labels) = &table.labels {
            let mut rows = Vec::new();
            let mut scores = Vec::new();
            let mut listed = Vec::new();
            let mut total = 0usize;
            for (gi, g) in groups.iter().enumerate() {
                if !is_conflicting(&labels.codes, g) {
                    continue;
                }
                total += 1;
                for r in minority_members(&labels.codes, g) {
                    let own = labels.codes[r as usize];
                    let others = g
                        .iter()
                        .filter(|&&o| {
                            let c = labels.codes[o as usize];
                            c != MISSING && c != own
                        })
                        .count();
                    let labelled = g
                        .iter()
                        .filter(|&&o| labels.codes[o as usize] != MISSING)
                        .count();
                    rows.push(r);
                    scores.push(others as f64 / (labelled.max(2) - 1) as f64);
                    conflicted.insert(r);
                }
                if listed.len() < MAX_LISTED_GROUPS {
                    let mut v = group_json(table, g);
                    if let (Some(extra), Value::Object(o)) = (self.extra, &mut v) {
                        o.extend(extra(gi));
                    }
                    listed.push(v);
                }
            }
            // conflicts expected by chance: chance pairs × P(two rows' labels differ)
            let counts = labels.class_counts();
            let labelled = counts.iter().sum::<usize>().max(1) as f64;
            let p_differ = 1.0
                - counts
                    .iter()
                    .map(|&c| (c as f64 / labelled).powi(2))
                    .sum::<f64>();
            let by_chance = self.chance_pairs.filter(|&e| {
                crate::util::poisson_upper_ln(total as u64, e * p_differ) > CHANCE_LN_P
            });
            if total > 0 {
                let mut detail = Map::new();
                detail.insert("groups_total".into(), json!(total));
                detail.insert("groups".into(), Value::Array(listed));
                detail.insert("coarse_features".into(), json!(coarse));
                if let Some(e) = self.chance_pairs {
                    detail.insert("expected_chance_pairs".into(), json!(e));
                }
                let explanation = if let (Some(e), false) = (by_chance, coarse) {
                    format!(
                        "{total} groups of {} rows carry different labels. At this table's size \
                         and density about {e:.0} pairs of rows this close are expected by \
                         chance (if the features were independent; {found_pairs:.0} found), \
                         {:.0} of them with different labels: honest rows are that close, so \
                         these conflicts are not evidence; not failing the audit (a smaller \
                         near_duplicate_eps makes the test sharper).",
                        self.what,
                        e * p_differ,
                    )
                } else if coarse {
                    format!(
                        "{total} groups of {} rows carry different labels. The features are coarse \
                         ({:.0}% of rows share them with another row), so some conflicts are \
                         expected; not failing the audit.",
                        self.what,
                        100.0 * in_groups as f64 / n as f64
                    )
                } else {
                    format!(
                        "{total} groups of {} rows carry different labels: at most one label per \
                         group can be right. Copying rows with a flipped label is a common \
                         poisoning move. The rows listed disagree with their group's most common \
                         label; score = share of their copies labelled otherwise.",
                        self.what
                    )
                };
                let (rows, scores) = sort_by_score(table, rows, scores);
                findings.push(Finding {
                    detector: self.detector,
                    title: format!(
                        "{} conflicting {} groups ({} rows with the odd label out)",
                        total,
                        if self.what == "identical" {
                            "duplicate"
                        } else {
                            "near-duplicate"
                        },
                        rows.len()
                    ),
                    explanation,
                    rows,
                    scores,
                    fails: !coarse && by_chance.is_none(),
                    detail,
                });
            }
        }
        let mut rows = Vec::new();
        let mut scores = Vec::new();
        let mut listed = Vec::new();
        for (gi, g) in groups.iter().enumerate() {
            for &r in &g[1..] {
                if !conflicted.contains(&r) {
                    rows.push(r);
                    scores.push(score_of_copy(gi, r));
                }
            }
            if listed.len() < MAX_LISTED_GROUPS {
                let mut v = group_json(table, g);
                if let (Some(extra), Value::Object(o)) = (self.extra, &mut v) {
                    o.extend(extra(gi));
                }
                listed.push(v);
            }
        }
        if !groups.is_empty() {
            let share = rows.len() as f64 / n as f64;
            let fails = self.copies_fail && share > ctx.settings.max_duplicate_share;
            let mut detail = Map::new();
            detail.insert("groups_total".into(), json!(groups.len()));
            detail.insert("redundant_share".into(), json!(share));
            detail.insert("groups".into(), Value::Array(listed));
            let n_groups = groups.len();
            let (rows, scores) = sort_by_score(table, rows, scores);
            findings.push(Finding {
                detector: self.detector,
                title: format!(
                    "{n_groups} groups of {} rows ({} redundant copies, {:.2}% of rows)",
                    self.what,
                    rows.len(),
                    100.0 * share
                ),
                explanation: format!(
                    "{in_groups} rows fall in {n_groups} groups of {} rows; the rows listed are \
                     the copies after each group's first row. Copies weigh some examples more \
                     than others and leak between train and test splits. {}",
                    self.what,
                    if !self.copies_fail {
                        "Near copies are reported, not failed (only conflicting ones fail)."
                            .to_string()
                    } else if fails {
                        format!(
                            "More than {:.1}% of rows are copies, which fails the audit.",
                            100.0 * ctx.settings.max_duplicate_share
                        )
                    } else {
                        format!(
                            "Not failing: at most {:.1}% of rows may be copies.",
                            100.0 * ctx.settings.max_duplicate_share
                        )
                    }
                ),
                rows,
                scores,
                fails,
                detail,
            });
        }
        findings
    }
}

/// Table indices → file rows, sorted by score (highest first), then by row.
pub(crate) fn sort_by_score(
    table: &Table,
    rows: Vec<u32>,
    scores: Vec<f64>,
) -> (Vec<u64>, Vec<f64>) {
    let mut pairs: Vec<(u64, f64)> = rows
        .into_iter()
        .zip(scores)
        .map(|(r, s)| (table.row_numbers[r as usize], s))
        .collect();
    pairs.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    pairs.into_iter().unzip()
}

impl Detector for ExactDuplicates {
    fn name(&self) -> &'static str {
        "exact_duplicates"
    }

    fn run(&self, ctx: &Context<'_>) -> Result<Vec<Finding>, SkipReason> {
        let t = ctx.table;
        if t.numeric.is_empty() && t.categorical.is_empty() && t.text.is_empty() {
            return Err("no feature or text columns to compare".into());
        }
        if t.len() < 2 {
            return Err(format!("not enough data: {} rows", t.len()));
        }
        let constant = t.numeric.iter().all(|c| {
            c.values.iter().all(|v| {
                v.to_bits() == c.values[0].to_bits() || (v.is_nan() && c.values[0].is_nan())
            })
        }) && t
            .categorical
            .iter()
            .all(|c| c.codes.iter().all(|&x| x == c.codes[0]))
            && t.text
                .iter()
                .all(|c| c.values.iter().all(|x| *x == c.values[0]));
        if constant {
            return Err(
                "every feature and text column is constant or null: rows cannot be told apart"
                    .into(),
            );
        }
        let groups = duplicate_groups(t);
        Ok(GroupFindings {
            detector: self.name(),
            what: "identical",
            extra: None,
            copies_fail: true,
            chance_pairs: None,
        }
        .build(ctx, &groups, &|_, _| 1.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detectors::Settings;
    use crate::table::{CategoricalColumn, Labels, NumericColumn, TextColumn};

    pub(crate) fn table(x: Vec<f64>, text: Vec<&str>, labels: Vec<u32>) -> Table {
        let n = labels.len();
        Table {
            path: "t.csv".into(),
            row_numbers: (0..n as u64).collect(),
            labels: Some(Labels {
                name: "label".into(),
                codes: labels,
                classes: vec!["a".into(), "b".into()],
            }),
            numeric: if x.is_empty() {
                vec![]
            } else {
                vec![NumericColumn {
                    name: "x".into(),
                    values: x,
                }]
            },
            categorical: vec![CategoricalColumn {
                name: "c".into(),
                codes: vec![0; n],
                levels: vec!["k".into()],
            }],
            text: if text.is_empty() {
                vec![]
            } else {
                vec![TextColumn {
                    name: "t".into(),
                    values: text.into_iter().map(String::from).collect(),
                }]
            },
        }
    }

    fn run(t: &Table) -> Vec<Finding> {
        let s = Settings::default();
        ExactDuplicates
            .run(&Context {
                table: t,
                baseline: None,
                settings: &s,
            })
            .unwrap()
    }

    #[test]
    fn finds_plain_and_conflicting_duplicates() {
        // rows 0,3 identical same label; rows 1,4,5 identical, row 5's label differs;
        // NaN equals NaN (rows 6, 7)
        let mut x = vec![1.0, 2.0, 3.0, 1.0, 2.0, 2.0, f64::NAN, f64::NAN];
        let mut text = vec!["a", "b", "c", "a", "b", "b", "n", "n"];
        let mut labels = vec![0, 0, 1, 0, 0, 1, 1, 1];
        // twelve unique rows so the features are not coarse
        for i in 0..12 {
            x.push(100.0 + i as f64);
            text.push("u");
            labels.push(i % 2);
        }
        let f = run(&table(x, text, labels));
        assert_eq!(f.len(), 2);
        let conflict = &f[0];
        assert!(conflict.fails);
        assert_eq!(conflict.rows, vec![5]);
        assert_eq!(conflict.scores, vec![1.0]);
        assert_eq!(conflict.detail["groups"][0]["rows"], json!([1, 4, 5]));
        assert_eq!(
            conflict.detail["groups"][0]["labels"],
            json!(["a", "a", "b"])
        );
        let plain = &f[1];
        assert_eq!(plain.rows, vec![3, 4, 7]);
        assert_eq!(plain.detail["groups_total"], json!(3));
        // 3 of 20 rows are copies: over the 5% default
        assert!(plain.fails);
    }

    #[test]
    fn text_differences_and_unique_rows_are_not_duplicates() {
        let x = vec![1.0, 1.0, 2.0, 3.0];
        let text = vec!["a", "a ", "b", "c"];
        assert!(run(&table(x, text, vec![0, 1, 0, 1])).is_empty());
    }

    #[test]
    fn all_null_features_are_skipped() {
        let t = table(vec![f64::NAN; 6], vec![], vec![0, 1, 0, 1, 0, 1]);
        let s = Settings::default();
        let err = ExactDuplicates
            .run(&Context {
                table: &t,
                baseline: None,
                settings: &s,
            })
            .unwrap_err();
        assert!(err.contains("constant or null"), "{err}");
    }

    #[test]
    fn coarse_features_do_not_fail_on_conflicts() {
        let x = vec![0.0, 0.0, 0.0, 1.0, 1.0, 1.0];
        let f = run(&table(x, vec![], vec![0, 0, 1, 1, 1, 0]));
        assert!(!f[0].fails, "{:?}", f[0]);
        assert!(f[0].explanation.contains("coarse"));
    }
}
