//! `baseline_shift`: the label distribution and each class's features compared with a
//! trusted baseline (`--baseline`).
//!
//! **What it catches.**
//! - *Label distribution shift*: a class's share moved by more than
//!   `Settings::class_share_tolerance` (absolute) **and** Pearson's chi-square test of the
//!   current class counts against the baseline's shares (the drift crate's
//!   `chisquare`, Evidently's form) rejects at 0.05. A class absent from the baseline is
//!   always a shift. Poisoning by injecting rows of one class, or relabelling many rows,
//!   moves the balance.
//! - *Class-conditional feature shift*: for every class present in both tables and every
//!   feature present in both (matched by name), the current class's values against the
//!   baseline's same class with the drift crate's test chosen by Evidently's rules
//!   (`default_stattest`: KS for a baseline class of at most 1000 values, normed
//!   Wasserstein above that; chi-square / Z / Jensen-Shannon for categorical and
//!   few-valued columns). p-value tests use a Bonferroni-corrected threshold
//!   (`0.05 / number of tests`) because many class × feature pairs are tested at once;
//!   distance tests keep Evidently's threshold (0.1). Because KS and Wasserstein barely
//!   move when only a small subset of a class is shifted, a numeric feature also counts
//!   as shifted when one of the baseline class's 20 quantile bins is over-full in the
//!   current class: `z = (c - e) / sqrt(e (1 - p) (1 + n_cur / n_ref))` above the
//!   one-sided normal quantile at `0.05 / (tests × 20)`, counting only bins where at
//!   least [`MIN_EXCESS_SHARE`] of the current rows are excess (on a million rows a tiny
//!   drift is significant too); `shifted_by` in the detail says which test fired. The rows that drive the shift: per
//!   shifted numeric feature, a row outside the baseline class's central 99.8%
//!   (`[q0.001, q0.999]`) scores `1 +` its distance beyond it in baseline robust standard
//!   deviations; a row inside it scores its bin's *excess share* `(c - e) / c`, where the
//!   bins are the baseline class's 20 quantile bins, `c` the current count in the bin and
//!   `e` the count the baseline predicts, for bins with `c > e + 3·sqrt(e + 1)` (0
//!   otherwise); for a categorical feature, a row with a level the baseline class never
//!   had scores 1. Scores add up over the shifted features and a row is listed when its
//!   total reaches 1: once clearly outside, or in over-full bins of several shifted
//!   features (a subset moved along two features lands in both features' top bins,
//!   where genuine rows rarely are together).
//!
//! **Verdict.** Each shift is a finding that fails the audit.
//!
//! **Needs** a baseline table; for the class-conditional part, the label in both (else
//! all rows form one group) and at least [`MIN_CLASS_ROWS`] rows of a class on each side.
//!
//! **Blind spots.** A shift that keeps every value inside the baseline's range (a
//! rescaling towards the centre, a swap of values between rows) is named but has no
//! driver rows; a shift too small for the test at this sample size is missed; text
//! columns are not compared.

use std::collections::HashMap;

use datagate_drift::column::{column_drift, ColumnInput, ColumnOptions};
use datagate_drift::stattests::chisquare::chisquare;
use datagate_drift::{CategoryCounts, NumericSample};
use serde_json::{json, Map, Value};
use statrs::distribution::{ContinuousCDF, Normal};

use crate::detectors::{Context, Detector, SkipReason};
use crate::finding::Finding;
use crate::table::{Table, MISSING};

/// Fewest rows of a class on each side for its features to be compared.
pub const MIN_CLASS_ROWS: usize = 20;

/// Significance of the label-distribution chi-square test and, before Bonferroni, of
/// the per-feature p-value tests.
pub const ALPHA: f64 = 0.05;

/// The binned test only counts a bin when at least this share of its current rows is
/// excess over what the baseline predicts (an effect-size floor).
pub const MIN_EXCESS_SHARE: f64 = 0.25;

/// The detector.
pub struct BaselineShift;

/// Rows per class name (all rows under `None` when there is no label).
fn groups(t: &Table) -> Vec<(Option<String>, Vec<usize>)> {
    match &t.labels {
        Some(l) => {
            let mut g: Vec<Vec<usize>> = vec![Vec::new(); l.classes.len()];
            for (r, &c) in l.codes.iter().enumerate() {
                if c != MISSING {
                    if let Some(v) = g.get_mut(c as usize) {
                        v.push(r);
                    }
                }
            }
            l.classes.iter().cloned().map(Some).zip(g).collect()
        }
        None => vec![(None, (0..t.len()).collect())],
    }
}

fn quantile_sorted(v: &[f64], q: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    let pos = (v.len() - 1) as f64 * q;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    v[lo] + (v[hi] - v[lo]) * (pos - lo as f64)
}

struct Shifted {
    feature: String,
    summary: Value,
    /// (table row, score)
    drivers: Vec<(usize, f64)>,
}

fn label_shift(ctx: &Context<'_>, base: &Table) -> Option<Finding> {
    let (cur_l, base_l) = (ctx.table.labels.as_ref()?, base.labels.as_ref()?);
    let count = |l: &crate::table::Labels| {
        let mut m: HashMap<String, u64> = HashMap::new();
        for (c, n) in l.class_counts().into_iter().enumerate() {
            if n > 0 {
                m.insert(l.classes[c].clone(), n as u64);
            }
        }
        m
    };
    let counts = CategoryCounts::from_maps(&count(base_l), &count(cur_l));
    if counts.n_reference() == 0 || counts.n_current() == 0 {
        return None;
    }
    let (bs, cs) = counts.shares();
    let (stat, p) = chisquare(&counts).ok()?;
    let tol = ctx.settings.class_share_tolerance;
    let mut moved = Vec::new();
    let mut classes = Vec::new();
    for (i, key) in counts.keys.iter().enumerate() {
        let diff = cs[i] - bs[i];
        let new_class = counts.reference[i] == 0;
        classes.push(json!({
            "class": key,
            "baseline_share": bs[i],
            "current_share": cs[i],
            "baseline_rows": counts.reference[i],
            "current_rows": counts.current[i],
        }));
        if diff.abs() > tol || new_class {
            moved.push((key.clone(), bs[i], cs[i]));
        }
    }
    let significant = p < ALPHA || (p.is_nan() && counts.n_unique() <= 1);
    if moved.is_empty() || !significant {
        return None;
    }
    let mut detail = Map::new();
    detail.insert("kind".into(), json!("label_distribution"));
    detail.insert("classes".into(), json!(classes));
    detail.insert("chi_square".into(), json!(stat));
    detail.insert("p_value".into(), json!(p));
    detail.insert("tolerance".into(), json!(tol));
    let described: Vec<String> = moved
        .iter()
        .map(|(k, b, c)| format!("{k} {:.1}% → {:.1}%", b * 100.0, c * 100.0))
        .collect();
    Some(Finding {
        detector: "baseline_shift",
        title: format!(
            "class balance moved against the baseline: {}",
            described.join(", ")
        ),
        explanation: format!(
            "The share of {} class(es) differs from the trusted baseline by more than {:.1} \
             percentage points, and the chi-square test of the current class counts against \
             the baseline's shares gives p = {p:.3e}. Injected or relabelled rows change the \
             class balance; so does a change in how the data was collected.",
            moved.len(),
            tol * 100.0
        ),
        rows: Vec::new(),
        scores: Vec::new(),
        fails: true,
        detail,
    })
}

fn is_integral(v: &[f64]) -> bool {
    v.iter().all(|x| !x.is_finite() || x.fract() == 0.0)
}

impl Detector for BaselineShift {
    fn name(&self) -> &'static str {
        "baseline_shift"
    }

    fn run(&self, ctx: &Context<'_>) -> Result<Vec<Finding>, SkipReason> {
        let (table, base) = ctx.with_baseline()?;
        let mut findings = Vec::new();
        if let Some(f) = label_shift(ctx, base) {
            findings.push(f);
        }
        let labelled = table.labels.is_some() && base.labels.is_some();
        let (cur_groups, base_groups) = if labelled {
            (groups(table), groups(base))
        } else {
            (
                vec![(None, (0..table.len()).collect())],
                vec![(None, (0..base.len()).collect())],
            )
        };
        let base_by_name: HashMap<Option<String>, &Vec<usize>> =
            base_groups.iter().map(|(k, v)| (k.clone(), v)).collect();
        // (column kind, current index, baseline index)
        let mut numeric_pairs = Vec::new();
        for (i, c) in table.numeric.iter().enumerate() {
            if let Some(j) = base.numeric.iter().position(|b| b.name == c.name) {
                numeric_pairs.push((i, j));
            }
        }
        let mut cat_pairs = Vec::new();
        for (i, c) in table.categorical.iter().enumerate() {
            if let Some(j) = base.categorical.iter().position(|b| b.name == c.name) {
                cat_pairs.push((i, j));
            }
        }
        if numeric_pairs.is_empty() && cat_pairs.is_empty() {
            if findings.is_empty() {
                return Err(
                    "the baseline shares no feature column (by name) with the data, \
                            and the class balance did not move"
                        .into(),
                );
            }
            return Ok(findings);
        }
        let mut compared = Vec::new();
        let mut skipped = Vec::new();
        for (class, rows) in &cur_groups {
            match base_by_name.get(class) {
                Some(b) if rows.len() >= MIN_CLASS_ROWS && b.len() >= MIN_CLASS_ROWS => {
                    compared.push((class.clone(), rows, *b))
                }
                Some(b) => skipped.push(json!({
                    "class": class,
                    "reason": format!("{} current / {} baseline rows, needs {MIN_CLASS_ROWS} each", rows.len(), b.len()),
                })),
                None => skipped.push(json!({"class": class, "reason": "not in the baseline"})),
            }
        }
        let tests = compared.len() * (numeric_pairs.len() + cat_pairs.len());
        let p_threshold = ALPHA / tests.max(1) as f64;
        // one-sided z for the binned excess test, Bonferroni over tests × 20 bins
        let z_crit = Normal::new(0.0, 1.0)
            .map(|n| n.inverse_cdf(1.0 - ALPHA / (tests.max(1) * 20) as f64))
            .unwrap_or(4.0);
        for (class, rows, brows) in compared {
            let mut shifted: Vec<Shifted> = Vec::new();
            for &(i, j) in &numeric_pairs {
                let cv: Vec<f64> = rows.iter().map(|&r| table.numeric[i].values[r]).collect();
                let bv: Vec<f64> = brows.iter().map(|&r| base.numeric[j].values[r]).collect();
                let integer = is_integral(&cv) && is_integral(&bv);
                let reference = NumericSample::new(bv, integer);
                let current = NumericSample::new(cv, integer);
                if reference.is_empty() || current.is_empty() {
                    continue;
                }
                let input = ColumnInput::Numerical {
                    reference: reference.clone(),
                    current,
                };
                let Some(d) = drift(&table.numeric[i].name, &input, p_threshold) else {
                    continue;
                };
                let sorted = reference.values();
                let (lo, hi) = (
                    quantile_sorted(sorted, 0.001),
                    quantile_sorted(sorted, 0.999),
                );
                let iqr = (quantile_sorted(sorted, 0.75) - quantile_sorted(sorted, 0.25)) / 1.349;
                let scale = if iqr > 0.0 {
                    iqr
                } else {
                    reference.std_pop().max(1e-12)
                };
                // Excess bins: 20 baseline-quantile bins; a bin holding clearly more of
                // the current class than the baseline predicts (3 binomial standard
                // deviations) gives its rows the bin's excess share as score.
                let edges: Vec<f64> = (1..20)
                    .map(|b| quantile_sorted(sorted, b as f64 / 20.0))
                    .collect();
                let bin_of = |v: f64| edges.partition_point(|&e| e < v);
                let mut base_counts = [0usize; 20];
                for &v in sorted {
                    base_counts[bin_of(v)] += 1;
                }
                let mut cur_counts = [0usize; 20];
                let cur_vals: Vec<f64> = rows.iter().map(|&r| table.numeric[i].values[r]).collect();
                let n_cur = cur_vals.iter().filter(|v| v.is_finite()).count() as f64;
                for &v in cur_vals.iter().filter(|v| v.is_finite()) {
                    cur_counts[bin_of(v)] += 1;
                }
                let excess: Vec<f64> = (0..20)
                    .map(|b| {
                        let expected = base_counts[b] as f64 / sorted.len() as f64 * n_cur;
                        let c = cur_counts[b] as f64;
                        if c > expected + 3.0 * (expected + 1.0).sqrt() {
                            (c - expected) / c
                        } else {
                            0.0
                        }
                    })
                    .collect();
                // The binned test: the most over-full bin against the baseline's share,
                // binomial variance inflated for the baseline's own sampling noise.
                let n_ref = sorted.len() as f64;
                // (only bins where at least MIN_EXCESS_SHARE of the rows are excess count:
                // with a million rows a tiny, harmless drift is significant too)
                let max_z = (0..20)
                    .filter(|&b| excess[b] >= MIN_EXCESS_SHARE)
                    .map(|b| {
                        let p_b = base_counts[b] as f64 / n_ref;
                        let e = p_b * n_cur;
                        let var = (e * (1.0 - p_b) * (1.0 + n_cur / n_ref)).max(1e-12);
                        (cur_counts[b] as f64 - e) / var.sqrt()
                    })
                    .fold(f64::NEG_INFINITY, f64::max);
                let binned = max_z > z_crit;
                if !d.0 && !binned {
                    continue;
                }
                let mut outside = 0usize;
                let drivers: Vec<(usize, f64)> = rows
                    .iter()
                    .zip(&cur_vals)
                    .filter_map(|(&r, &v)| {
                        if !v.is_finite() {
                            None
                        } else if v > hi {
                            outside += 1;
                            Some((r, 1.0 + (v - hi) / scale))
                        } else if v < lo {
                            outside += 1;
                            Some((r, 1.0 + (lo - v) / scale))
                        } else {
                            let e = excess[bin_of(v)];
                            (e > 0.0).then_some((r, e))
                        }
                    })
                    .collect();
                let mut summary = d.1;
                summary["rows_outside_baseline_range"] = json!(outside);
                summary["max_bin_excess_z"] = json!(max_z);
                summary["shifted_by"] = json!(match (d.0, binned) {
                    (true, true) => "both",
                    (true, false) => "stattest",
                    _ => "binned_excess",
                });
                summary["baseline_range"] = json!([lo, hi]);
                shifted.push(Shifted {
                    feature: table.numeric[i].name.clone(),
                    summary,
                    drivers,
                });
            }
            for &(i, j) in &cat_pairs {
                let (cc, bc) = (&table.categorical[i], &base.categorical[j]);
                let count = |col: &crate::table::CategoricalColumn, rows: &[usize]| {
                    let mut m: HashMap<String, u64> = HashMap::new();
                    for &r in rows {
                        if let Some(level) =
                            col.codes.get(r).and_then(|&c| col.levels.get(c as usize))
                        {
                            *m.entry(level.clone()).or_default() += 1;
                        }
                    }
                    m
                };
                let (cm, bm) = (count(cc, rows), count(bc, brows));
                if cm.is_empty() || bm.is_empty() {
                    continue;
                }
                let input = ColumnInput::Categorical(CategoryCounts::from_maps(&bm, &cm));
                let Some(d) = drift(&cc.name, &input, p_threshold) else {
                    continue;
                };
                if !d.0 {
                    continue;
                }
                let drivers: Vec<(usize, f64)> = rows
                    .iter()
                    .filter(|&&r| {
                        cc.codes
                            .get(r)
                            .and_then(|&c| cc.levels.get(c as usize))
                            .is_some_and(|l| !bm.contains_key(l))
                    })
                    .map(|&r| (r, 1.0))
                    .collect();
                let mut summary = d.1;
                summary["rows_with_new_levels"] = json!(drivers.len());
                shifted.push(Shifted {
                    feature: cc.name.clone(),
                    summary,
                    drivers,
                });
            }
            if shifted.is_empty() {
                continue;
            }
            // rows: union of drivers, score = largest exceedance, with the features
            let mut by_row: HashMap<usize, (f64, Vec<String>)> = HashMap::new();
            for s in &shifted {
                for &(r, score) in &s.drivers {
                    let e = by_row.entry(r).or_insert((0.0, Vec::new()));
                    e.0 += score;
                    e.1.push(s.feature.clone());
                }
            }
            // a row drives the shift when its scores over the shifted features reach 1:
            // outside the baseline range once, or in excess bins of several features
            let mut rows_scored: Vec<(usize, f64, Vec<String>)> = by_row
                .into_iter()
                .filter(|(_, (s, _))| *s >= 1.0)
                .map(|(r, (s, f))| (r, s, f))
                .collect();
            rows_scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            let names: Vec<&str> = shifted.iter().map(|s| s.feature.as_str()).collect();
            let who = match &class {
                Some(c) => format!("class {c:?}"),
                None => "all rows".to_string(),
            };
            let mut detail = Map::new();
            detail.insert("kind".into(), json!("class_conditional_feature_shift"));
            detail.insert("class".into(), json!(class));
            detail.insert(
                "features".into(),
                json!(shifted
                    .iter()
                    .map(|s| s.summary.clone())
                    .collect::<Vec<_>>()),
            );
            detail.insert(
                "row_features".into(),
                json!(rows_scored.iter().map(|x| x.2.clone()).collect::<Vec<_>>()),
            );
            detail.insert("p_value_threshold".into(), json!(p_threshold));
            if !skipped.is_empty() {
                detail.insert("classes_skipped".into(), json!(skipped));
            }
            findings.push(Finding {
                detector: "baseline_shift",
                title: format!(
                    "{who}: {} feature(s) shifted against the baseline ({}); {} rows drive it",
                    shifted.len(),
                    names.join(", "),
                    rows_scored.len()
                ),
                explanation: format!(
                    "Within {who}, the distribution of {} differs from the same class in the \
                     trusted baseline (Evidently's test choice; p-value tests Bonferroni-corrected \
                     over {tests} class × feature tests). The rows listed lie outside the baseline \
                     class's central 99.8% for a shifted feature, or in value ranges that hold \
                     clearly more rows than the baseline predicts for several shifted features \
                     (score: 1 + distance outside, in baseline robust standard deviations, or the \
                     summed excess share); `row_features` names which features. \
                     Manipulated features in a subset of one class show up here.",
                    names.join(", ")
                ),
                rows: rows_scored.iter().map(|x| table.row_numbers[x.0]).collect(),
                scores: rows_scored.iter().map(|x| x.1).collect(),
                fails: true,
                detail,
            });
        }
        Ok(findings)
    }
}

/// Runs the drift test Evidently would choose; p-value tests use `p_threshold`.
/// Returns (drifted, summary).
fn drift(name: &str, input: &ColumnInput, p_threshold: f64) -> Option<(bool, Value)> {
    let d = column_drift(name, input, ColumnOptions::default()).ok()?;
    let (threshold, drifted) = if d.score_is_p_value {
        (p_threshold, d.rule.drifted(d.score, p_threshold))
    } else {
        (d.threshold, d.drift_detected)
    };
    Some((
        drifted,
        json!({
            "feature": name,
            "stattest": d.stattest.name(),
            "stattest_name": d.stattest_name,
            "score": d.score,
            "threshold": threshold,
            "baseline": {"count": d.reference.count, "mean": d.reference.mean, "std": d.reference.std},
            "current": {"count": d.current.count, "mean": d.current.mean, "std": d.current.std},
        }),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detectors::Settings;
    use crate::features::tests::table;
    use crate::model::SplitMix;

    fn gauss(rng: &mut SplitMix) -> f64 {
        let u1 = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64 + 1e-300;
        let u2 = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }

    /// `n` rows, classes alternating (`share1` of class 1), features a, b; rows of class
    /// 1 with index in `shift` get `a += 5`.
    fn make(n: usize, share1: f64, seed: u64, shift: &[usize]) -> Table {
        make_shifted(n, share1, seed, shift, 5.0, 0.0)
    }

    /// As `make`, shifting a by `da` and b by `db` for the rows in `shift`.
    fn make_shifted(n: usize, share1: f64, seed: u64, shift: &[usize], da: f64, db: f64) -> Table {
        let mut rng = SplitMix(seed);
        let (mut a, mut b, mut y) = (vec![], vec![], vec![]);
        for i in 0..n {
            let c = u32::from((i as f64 * share1).fract() + share1 >= 1.0);
            let mut va = gauss(&mut rng) + c as f64;
            let mut vb = gauss(&mut rng);
            if shift.contains(&i) {
                va += da;
                vb += db;
            }
            a.push(va);
            b.push(vb);
            y.push(c);
        }
        table(
            vec![("a", a), ("b", b)],
            vec![],
            vec![],
            Some((y, vec!["neg", "pos"])),
        )
    }

    fn run(t: &Table, b: Option<&Table>) -> Result<Vec<Finding>, SkipReason> {
        let settings = Settings::default();
        BaselineShift.run(&Context {
            table: t,
            baseline: b,
            settings: &settings,
        })
    }

    #[test]
    fn no_baseline_is_skipped() {
        let t = make(100, 0.5, 1, &[]);
        assert!(run(&t, None).unwrap_err().contains("baseline"));
    }

    #[test]
    fn same_distribution_has_no_finding() {
        let base = make(2000, 0.5, 1, &[]);
        let cur = make(2000, 0.5, 2, &[]);
        assert!(run(&cur, Some(&base)).unwrap().is_empty());
    }

    #[test]
    fn class_balance_shift_is_found() {
        let base = make(2000, 0.5, 1, &[]);
        let cur = make(2000, 0.3, 2, &[]);
        let f = run(&cur, Some(&base)).unwrap();
        let label = f
            .iter()
            .find(|f| f.detail["kind"] == "label_distribution")
            .expect("label shift");
        assert!(
            label.fails && label.title.contains("pos"),
            "{}",
            label.title
        );
    }

    #[test]
    fn shifted_subset_of_one_class_names_feature_and_rows() {
        let base = make(3000, 0.5, 1, &[]);
        // 10% of class "pos" rows: a shifted by 5 standard deviations
        let shifted: Vec<usize> = (0..3000).filter(|i| i % 2 == 1 && i % 20 == 1).collect();
        let cur = make(3000, 0.5, 2, &shifted);
        let f = run(&cur, Some(&base)).unwrap();
        assert_eq!(f.len(), 1, "{f:?}");
        let f = &f[0];
        assert_eq!(f.detail["class"], "pos");
        assert!(f.title.contains("(a)"), "{}", f.title);
        let tp = shifted
            .iter()
            .filter(|&&r| f.rows.contains(&(r as u64)))
            .count();
        assert!(
            tp as f64 >= 0.9 * shifted.len() as f64,
            "{tp}/{}",
            shifted.len()
        );
        assert!(f.rows.len() <= shifted.len() + 5, "{}", f.rows.len());
    }

    #[test]
    fn subset_moved_inside_the_range_along_two_features_is_found_by_excess_bins() {
        let base = make(4000, 0.5, 1, &[]);
        // 10% of class "pos": a and b both +3 standard deviations (mostly still in range)
        let shifted: Vec<usize> = (0..4000).filter(|i| i % 2 == 1 && i % 20 == 1).collect();
        let cur = make_shifted(4000, 0.5, 2, &shifted, 3.0, 3.0);
        let f = run(&cur, Some(&base)).unwrap();
        let f = f
            .iter()
            .find(|f| f.detail["class"] == "pos")
            .expect("pos shifted");
        let tp = shifted
            .iter()
            .filter(|&&r| f.rows.contains(&(r as u64)))
            .count();
        let precision = tp as f64 / f.rows.len().max(1) as f64;
        let recall = tp as f64 / shifted.len() as f64;
        assert!(
            precision >= 0.8 && recall >= 0.6,
            "p {precision} r {recall}"
        );
    }
}
