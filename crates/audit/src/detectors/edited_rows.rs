//! `edited_rows`: records of the trusted baseline (`--baseline`) that come back with a
//! few values changed — feature manipulation and relabelling of known rows.
//!
//! **What it catches.** A data refresh usually carries the earlier, trusted rows again.
//! An attacker who edits some of them (moves two features of a few rows of one class,
//! relabels a handful, stamps a trigger value) leaves rows that agree with one baseline
//! row on most columns and differ on a few. Such a pair is almost never a coincidence on
//! real data, and it names exactly what changed: the row, its baseline row, and each
//! changed column with its old and new value. Statistical shift tests cannot see a
//! 10% subset of a class of 60 rows moved by 3 standard deviations; this can.
//!
//! **How.** Columns are matched by name between the two tables (numeric, categorical,
//! text and the label, each compared with its own kind); cells compare by a 64-bit hash
//! of their value (nulls equal nulls). The columns are dealt round-robin into `b` bands
//! (`b = clamp(d / 2, 2, MAX_BANDS)` for `d` compared columns) and every baseline row is
//! indexed by the hash of each band: a row with fewer than `b` changed cells keeps at
//! least one band intact, so it meets its original in that band's bucket (pigeonhole).
//! Buckets of more than [`MAX_BUCKET`] baseline rows are skipped (their values are too
//! common to point at one row). Each current row is compared cell by cell with the
//! baseline rows it met; the nearest one with at most half the columns changed is its
//! candidate original (rows equal to a baseline row are unchanged and not reported).
//!
//! **When is a match not chance?** Two honest rows can share values, above all in coarse
//! columns (iris has one decimal, digits are 0-16 pixel intensities). A pair is reported
//! only when the expected number of such coincidences over the whole audit is below
//! [`ALPHA`]: `n_current · n_baseline · C(d, k) · Π f_c` over the `d - k` matching cells
//! other than the label (which follows the features, so adds no evidence of its own),
//! where `f_c` is the probability that a baseline row holds that value in column `c`
//! (its share of at most [`FREQ_SAMPLE`] sampled baseline rows; for numbers and texts
//! the larger of the other rows' share and a model of the column — local density at the
//! column's resolution, a unigram model of the words — see `ValueOdds`) and `C(d, k)`
//! counts the ways to pick the `k` changed columns. The score is `-log10` of that
//! expected count: how many orders of magnitude the match is beyond coincidence. The
//! product treats the columns as independent: strongly correlated columns make a match
//! look rarer than it is (see the blind spots).
//!
//! **Verdict.** The finding fails when edited rows exceed `Settings::edited_row_max_share`
//! of the current rows (default 0: a trusted record that changed is always worth a
//! review). The detail names every changed column (rows, and for numeric columns the mean
//! change in baseline standard deviations), the label changes by pair of classes, and the
//! first [`MAX_LISTED`] edits cell by cell.
//!
//! **Needs** a baseline and at least [`MIN_COLUMNS`] columns present in both tables (a
//! text and its label are enough: a relabelled sentence is found by its unchanged text).
//!
//! **Blind spots.** A baseline that is an independent sample, not an earlier version of
//! the same rows (nothing to match: use `baseline_shift`); edits of more than half of a
//! row's columns, or of `b` or more columns when no intact band is rare enough; tables
//! whose values are too coarse for any match to be significant (iris: two changed
//! features of four leave two one-decimal values, which many rows share); new rows
//! appended by an attacker (they match nothing); a current table drawn from another part
//! of the distribution than the baseline, with columns that move together (values rare in
//! the baseline, multiplied as if independent, can make a chance match look like an
//! edit: the one false positive seen, on iris split 1/3 – 2/3 before the label was left
//! out of the evidence).

use std::collections::HashMap;

use rayon::prelude::*;
use serde_json::{json, Map, Value};

use crate::detectors::{Context, Detector, SkipReason};
use crate::features;
use crate::finding::Finding;
use crate::model::SplitMix;
use crate::table::{Table, MISSING};
use crate::util::{combine, hash_bytes, ln_gamma, mean_sd, mix64};

/// Fewest columns shared by the two tables for a match to mean anything.
pub const MIN_COLUMNS: usize = 2;

/// Most bands (each a hash index over the baseline rows).
pub const MAX_BANDS: usize = 8;

/// Baseline buckets with more rows than this are not searched.
pub const MAX_BUCKET: usize = 16;

/// Expected number of chance matches over the whole audit below which a pair is an edit.
pub const ALPHA: f64 = 0.01;

/// Baseline rows sampled to estimate how common each value is.
pub const FREQ_SAMPLE: usize = 100_000;

/// Edits listed cell by cell in the detail.
pub const MAX_LISTED: usize = 1000;

/// Edits spelled out in the explanation.
pub const EXAMPLES: usize = 3;

/// The detector.
pub struct EditedRows;

/// Where a compared column lives in one table.
#[derive(Clone, Copy)]
enum Slot {
    Numeric(usize),
    Categorical(usize),
    Text(usize),
    Label,
}

/// A column compared between the tables.
struct Column {
    name: String,
    current: Slot,
    baseline: Slot,
}

const NULL_CELL: u64 = 0x6e75_6c6c_6e75_6c6c;

/// The hash of one cell (equal values hash equal across tables; nulls hash to one value).
fn cell(t: &Table, slot: Slot, r: usize) -> u64 {
    match slot {
        Slot::Numeric(i) => {
            let v = t.numeric[i].values[r];
            if v.is_nan() {
                NULL_CELL
            } else {
                // + 0.0 turns -0.0 into 0.0
                mix64((v + 0.0).to_bits())
            }
        }
        Slot::Categorical(i) => {
            let c = &t.categorical[i];
            match c.codes[r] {
                MISSING => NULL_CELL,
                code => hash_bytes(c.levels[code as usize].as_bytes()),
            }
        }
        Slot::Text(i) => hash_bytes(t.text[i].values[r].as_bytes()),
        Slot::Label => match t.labels.as_ref().map(|l| (l, l.codes[r])) {
            Some((l, code)) if code != MISSING => hash_bytes(l.classes[code as usize].as_bytes()),
            _ => NULL_CELL,
        },
    }
}

/// One cell's value for the report.
fn shown(t: &Table, slot: Slot, r: usize) -> Value {
    match slot {
        Slot::Numeric(i) => {
            let v = t.numeric[i].values[r];
            if v.is_nan() {
                Value::Null
            } else {
                json!(v)
            }
        }
        Slot::Categorical(i) => {
            let c = &t.categorical[i];
            match c.codes[r] {
                MISSING => Value::Null,
                code => json!(c.levels[code as usize]),
            }
        }
        Slot::Text(i) => {
            let s = &t.text[i].values[r];
            match s.char_indices().nth(80) {
                Some((cut, _)) => json!(format!("{}…", &s[..cut])),
                None => json!(s),
            }
        }
        Slot::Label => match t.labels.as_ref().map(|l| (l, l.codes[r])) {
            Some((l, code)) if code != MISSING => json!(l.classes[code as usize]),
            _ => Value::Null,
        },
    }
}

/// The names of a table's numeric, categorical and text columns.
fn column_names(t: &Table) -> [Vec<&str>; 3] {
    [
        t.numeric.iter().map(|c| c.name.as_str()).collect(),
        t.categorical.iter().map(|c| c.name.as_str()).collect(),
        t.text.iter().map(|c| c.name.as_str()).collect(),
    ]
}

/// The columns present in both tables, each with the same kind on both sides.
fn shared_columns(cur: &Table, base: &Table) -> Vec<Column> {
    let mut out = Vec::new();
    let mut pair = |current: Vec<&str>, baseline: Vec<&str>, slot: fn(usize) -> Slot| {
        for (i, name) in current.iter().enumerate() {
            if let Some(j) = baseline.iter().position(|b| b == name) {
                out.push(Column {
                    name: name.to_string(),
                    current: slot(i),
                    baseline: slot(j),
                });
            }
        }
    };
    let ([cn, cc, ct], [bn, bc, bt]) = (column_names(cur), column_names(base));
    pair(cn, bn, Slot::Numeric);
    pair(cc, bc, Slot::Categorical);
    pair(ct, bt, Slot::Text);
    if let (Some(a), Some(b)) = (&cur.labels, &base.labels) {
        if a.name == b.name {
            out.push(Column {
                name: a.name.clone(),
                current: Slot::Label,
                baseline: Slot::Label,
            });
        }
    }
    out
}

/// A current row matched to its baseline original.
struct Edit {
    row: usize,
    original: usize,
    /// Indices into the compared columns.
    changed: Vec<usize>,
    /// `log10` of the expected number of chance matches this good (negative = beyond chance).
    log10_chance: f64,
}

/// `ln C(n, k)`.
fn ln_choose(n: usize, k: usize) -> f64 {
    ln_gamma(n as f64 + 1.0) - ln_gamma(k as f64 + 1.0) - ln_gamma((n - k) as f64 + 1.0)
}

/// Per band, `(band hash, baseline row)` sorted by hash.
fn band_index(base: &Table, columns: &[Column], bands: usize) -> Vec<Vec<(u64, u32)>> {
    (0..bands)
        .into_par_iter()
        .map(|b| {
            let mut idx: Vec<(u64, u32)> = (0..base.len())
                .map(|r| {
                    let cells = columns.iter().skip(b).step_by(bands);
                    let h = band_hash(b, cells.map(|c| cell(base, c.baseline, r)));
                    (h, r as u32)
                })
                .collect();
            idx.sort_unstable();
            idx
        })
        .collect()
}

/// The hash of band `band` from its cells' hashes (the columns `band`, `band + bands`, …).
fn band_hash(band: usize, cells: impl Iterator<Item = u64>) -> u64 {
    cells.fold(band as u64, combine)
}

/// The nearest baseline row sharing an intact band with current row `r`, if at most
/// `max_changed` cells differ and the row is not an unchanged copy.
fn nearest_original(
    cur: &Table,
    base: &Table,
    columns: &[Column],
    index: &[Vec<(u64, u32)>],
    r: usize,
    max_changed: usize,
) -> Option<(usize, Vec<usize>)> {
    let bands = index.len();
    let mine: Vec<u64> = columns.iter().map(|c| cell(cur, c.current, r)).collect();
    let mut candidates: Vec<u32> = Vec::new();
    for (b, idx) in index.iter().enumerate() {
        let h = band_hash(b, mine.iter().copied().skip(b).step_by(bands));
        let lo = idx.partition_point(|x| x.0 < h);
        let hi = lo + idx[lo..].partition_point(|x| x.0 == h);
        if hi - lo <= MAX_BUCKET {
            candidates.extend(idx[lo..hi].iter().map(|x| x.1));
        }
    }
    candidates.sort_unstable();
    candidates.dedup();
    let mut best: Option<(usize, Vec<usize>)> = None;
    for &o in &candidates {
        let o = o as usize;
        let limit = best.as_ref().map_or(max_changed, |b| b.1.len());
        let mut changed = Vec::new();
        for (j, c) in columns.iter().enumerate() {
            if cell(base, c.baseline, o) != mine[j] {
                changed.push(j);
                if changed.len() > limit {
                    break;
                }
            }
        }
        if changed.is_empty() {
            // an unchanged copy of a baseline row
            return None;
        }
        if changed.len() <= limit && best.as_ref().is_none_or(|b| changed.len() < b.1.len()) {
            best = Some((o, changed));
        }
    }
    best
}

/// How likely a baseline row is to hold a given value, per compared column, estimated on
/// at most [`FREQ_SAMPLE`] baseline rows.
///
/// A value seen `c` times among `m` sampled rows has probability about `c / m` — but a
/// value seen once says only "at most about `1 / m`", far too coarse for continuous
/// columns (a 4-decimal value in a table of 150 rows) and for texts. For numbers and
/// texts the estimate is therefore the larger of the other rows holding the value,
/// `(c - 1) / m` (the original row is one of the `c` when every row is sampled), and a
/// model of the column:
/// - numbers, the local density: the [`DENSITY_K`] sampled values nearest to it span a
///   width `w`, so a value of the column's resolution `q` (its decimals) is hit with
///   probability `DENSITY_K / m · q / w`. Coarse columns (iris' one decimal, 0-16 pixel
///   counts) repeat their values, and the count term keeps them coarse;
/// - texts, a unigram model: the product of its tokens' shares of the sampled tokens
///   (add-one smoothed). Boilerplate texts repeat, and the count term keeps them common;
///   an empty text has probability 1.
///
/// Levels and nulls use `c / m`.
struct ValueOdds {
    counts: Vec<HashMap<u64, u32>>,
    models: Vec<ColumnModel>,
    sample: usize,
    /// Whether the sample holds every baseline row (so also each match's original).
    complete: bool,
}

/// What is known of a column's values beyond their counts.
enum ColumnModel {
    /// Sorted finite sample values and the column's resolution.
    Numeric(Vec<f64>, f64),
    /// Token counts (by token hash) and the total.
    Text(HashMap<u64, u32>, u64),
    Counts,
}

/// Sampled values nearest to a value that estimate the local density.
pub const DENSITY_K: usize = 10;

/// The column's resolution: `10^-k` for the fewest decimals `k <= 9` that write every value.
fn resolution(values: &[f64]) -> f64 {
    (0..=9)
        .map(|k| 10f64.powi(-k))
        .find(|q| {
            values.iter().all(|v| {
                let x = v / q;
                (x - x.round()).abs() <= 1e-9 * x.abs().max(1.0)
            })
        })
        .unwrap_or(1e-9)
}

impl ValueOdds {
    fn new(base: &Table, columns: &[Column], seed: u64) -> Self {
        let complete = base.len() <= FREQ_SAMPLE;
        let rows: Vec<usize> = if complete {
            (0..base.len()).collect()
        } else {
            let mut rng = SplitMix(seed ^ 0xed17);
            (0..FREQ_SAMPLE).map(|_| rng.below(base.len())).collect()
        };
        let (counts, models) = columns
            .par_iter()
            .map(|c| {
                let mut m: HashMap<u64, u32> = HashMap::new();
                for &r in &rows {
                    *m.entry(cell(base, c.baseline, r)).or_insert(0) += 1;
                }
                let model = match c.baseline {
                    Slot::Numeric(i) => {
                        let col = &base.numeric[i].values;
                        let mut v: Vec<f64> = rows
                            .iter()
                            .map(|&r| col[r])
                            .filter(|x| x.is_finite())
                            .collect();
                        v.sort_unstable_by(f64::total_cmp);
                        let q = resolution(&v);
                        ColumnModel::Numeric(v, q)
                    }
                    Slot::Text(i) => {
                        let (mut tokens, mut total) = (HashMap::new(), 0u64);
                        for &r in &rows {
                            for t in features::tokens(&base.text[i].values[r]) {
                                *tokens.entry(hash_bytes(t.as_bytes())).or_insert(0u32) += 1;
                                total += 1;
                            }
                        }
                        ColumnModel::Text(tokens, total)
                    }
                    _ => ColumnModel::Counts,
                };
                (m, model)
            })
            .unzip();
        ValueOdds {
            counts,
            models,
            sample: rows.len(),
            complete,
        }
    }

    /// `ln` of the probability that a baseline row holds row `r`'s value in column `j`
    /// (`slot` in `base`).
    fn ln_odds(&self, j: usize, base: &Table, slot: Slot, r: usize) -> f64 {
        let m = self.sample.max(1) as f64;
        let seen = self.counts[j]
            .get(&cell(base, slot, r))
            .copied()
            .unwrap_or(0)
            .max(1) as f64;
        let modelled = match (&self.models[j], slot) {
            (ColumnModel::Numeric(sorted, q), Slot::Numeric(i)) => {
                let v = base.numeric[i].values[r];
                if v.is_finite() && sorted.len() > DENSITY_K {
                    let at = sorted.partition_point(|x| *x < v);
                    let lo = at
                        .saturating_sub(DENSITY_K / 2)
                        .min(sorted.len() - DENSITY_K);
                    let width = sorted[lo + DENSITY_K - 1] - sorted[lo];
                    (width > 0.0).then(|| (DENSITY_K as f64 / m * q / width).ln())
                } else {
                    None
                }
            }
            (ColumnModel::Text(tokens, total), Slot::Text(i)) => {
                let vocabulary = tokens.len() as f64 + 1.0;
                let ln_p = features::tokens(&base.text[i].values[r])
                    .map(|t| {
                        let c = tokens.get(&hash_bytes(t.as_bytes())).copied().unwrap_or(0);
                        ((c as f64 + 1.0) / (*total as f64 + vocabulary)).ln()
                    })
                    .sum::<f64>();
                Some(ln_p)
            }
            _ => None,
        };
        let ln_p = match modelled {
            Some(ln_model) => {
                let others = if self.complete { seen - 1.0 } else { seen };
                (others / m).ln().max(ln_model)
            }
            None => (seen / m).ln(),
        };
        ln_p.min(0.0)
    }
}

impl Detector for EditedRows {
    fn name(&self) -> &'static str {
        "edited_rows"
    }

    fn run(&self, ctx: &Context<'_>) -> Result<Vec<Finding>, SkipReason> {
        let (cur, base) = ctx.with_baseline()?;
        let columns = shared_columns(cur, base);
        let d = columns.len();
        if d < MIN_COLUMNS {
            return Err(format!(
                "needs at least {MIN_COLUMNS} columns present in both tables (by name and \
                 kind); {d} found"
            ));
        }
        let bands = (d / 2).clamp(2, MAX_BANDS);
        let max_changed = d / 2;
        let index = band_index(base, &columns, bands);
        let matched: Vec<(usize, usize, Vec<usize>)> = (0..cur.len())
            .into_par_iter()
            .filter_map(|r| {
                nearest_original(cur, base, &columns, &index, r, max_changed)
                    .map(|(o, changed)| (r, o, changed))
            })
            .collect();
        drop(index);
        let odds = ValueOdds::new(base, &columns, ctx.settings.seed);
        let ln_pairs = (cur.len() as f64).ln() + (base.len() as f64).ln();
        let mut edits: Vec<Edit> = matched
            .into_iter()
            .filter_map(|(row, original, changed)| {
                let mut ln_chance = ln_pairs + ln_choose(d, changed.len());
                for (j, c) in columns.iter().enumerate() {
                    // the label follows the features: it adds no evidence of its own
                    if changed.contains(&j) || matches!(c.baseline, Slot::Label) {
                        continue;
                    }
                    ln_chance += odds.ln_odds(j, base, c.baseline, original);
                }
                (ln_chance < ALPHA.ln()).then(|| Edit {
                    row,
                    original,
                    changed,
                    log10_chance: ln_chance / std::f64::consts::LN_10,
                })
            })
            .collect();
        if edits.is_empty() {
            return Ok(Vec::new());
        }
        edits.sort_by(|a, b| {
            a.log10_chance
                .total_cmp(&b.log10_chance)
                .then(a.row.cmp(&b.row))
        });
        Ok(vec![report(ctx, base, &columns, &edits)])
    }
}

/// The finding for the accepted edits (most certain first).
fn report(ctx: &Context<'_>, base: &Table, columns: &[Column], edits: &[Edit]) -> Finding {
    let cur = ctx.table;
    let d = columns.len();
    // per changed column: rows, and for numeric columns the changes in baseline sd units
    let mut per_column: Vec<(usize, Vec<f64>)> = vec![(0, Vec::new()); d];
    let mut label_changes: HashMap<(String, String), usize> = HashMap::new();
    for e in edits {
        for &j in &e.changed {
            per_column[j].0 += 1;
            match (columns[j].current, columns[j].baseline) {
                (Slot::Numeric(i), Slot::Numeric(k)) => {
                    let delta = cur.numeric[i].values[e.row] - base.numeric[k].values[e.original];
                    per_column[j].1.push(delta);
                }
                (Slot::Label, Slot::Label) => {
                    let name = |v: Value| v.as_str().unwrap_or("(null)").to_string();
                    let from = name(shown(base, Slot::Label, e.original));
                    let to = name(shown(cur, Slot::Label, e.row));
                    *label_changes.entry((from, to)).or_insert(0) += 1;
                }
                _ => {}
            }
        }
    }
    let mut changed_columns: Vec<(usize, Value)> = Vec::new();
    for (j, (rows, deltas)) in per_column.iter().enumerate() {
        if *rows == 0 {
            continue;
        }
        let mut entry = json!({"column": columns[j].name, "rows": rows});
        if let Slot::Numeric(k) = columns[j].baseline {
            let finite: Vec<f64> = deltas.iter().copied().filter(|v| v.is_finite()).collect();
            let sd = mean_sd(&base.numeric[k].values).map_or(0.0, |(_, sd)| sd);
            if !finite.is_empty() && sd > 0.0 {
                let mean = finite.iter().sum::<f64>() / finite.len() as f64;
                entry["mean_change_sd"] = json!(mean / sd);
            }
        }
        changed_columns.push((*rows, entry));
    }
    changed_columns.sort_by_key(|c| std::cmp::Reverse(c.0));
    let mut label_changes: Vec<((String, String), usize)> = label_changes.into_iter().collect();
    label_changes.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let listed: Vec<Value> = edits
        .iter()
        .take(MAX_LISTED)
        .map(|e| {
            let changed: Vec<Value> = e
                .changed
                .iter()
                .map(|&j| {
                    json!({
                        "column": columns[j].name,
                        "baseline": shown(base, columns[j].baseline, e.original),
                        "current": shown(cur, columns[j].current, e.row),
                    })
                })
                .collect();
            json!({
                "row": cur.row_numbers[e.row],
                "baseline_row": base.row_numbers[e.original],
                "changed": changed,
            })
        })
        .collect();
    let share = edits.len() as f64 / cur.len() as f64;
    let max_share = ctx.settings.edited_row_max_share;
    // the most certain edits, cell by cell, for readers of the text and HTML reports
    let examples: Vec<String> = listed
        .iter()
        .take(EXAMPLES)
        .map(|e| {
            let cells: Vec<String> = e["changed"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|c| {
                    let name = c["column"].as_str().unwrap_or("?");
                    format!("{name} {} → {}", c["baseline"], c["current"])
                })
                .collect();
            format!(
                "row {} (baseline row {}): {}",
                e["row"],
                e["baseline_row"],
                cells.join(", ")
            )
        })
        .collect();
    let top: Vec<String> = changed_columns
        .iter()
        .take(3)
        .map(|(n, v)| format!("{} ({n})", v["column"].as_str().unwrap_or("?")))
        .collect();
    let mut detail = Map::new();
    detail.insert("compared_columns".into(), json!(d));
    detail.insert("baseline_rows".into(), json!(base.len()));
    detail.insert(
        "changed_columns".into(),
        Value::Array(changed_columns.into_iter().map(|x| x.1).collect()),
    );
    detail.insert(
        "label_changes".into(),
        json!(label_changes
            .iter()
            .map(|((from, to), n)| json!({"from": from, "to": to, "rows": n}))
            .collect::<Vec<_>>()),
    );
    detail.insert("edits".into(), Value::Array(listed));
    detail.insert("edits_listed".into(), json!(edits.len().min(MAX_LISTED)));
    Finding {
        detector: "edited_rows",
        title: format!(
            "{} rows are baseline rows with values changed (most often: {})",
            edits.len(),
            top.join(", ")
        ),
        explanation: format!(
            "Each of these rows agrees with one row of the trusted baseline on most of the {d} \
             compared columns and differs on a few; by how common the shared values are, \
             fewer than {ALPHA} such coincidences were expected in the whole audit, so the \
             rows are edited copies of trusted records. `edits` lists each changed cell with \
             its baseline and current value. Edited rows: {:.2}% of the table (allowed: \
             {:.2}%). Most certain: {}.",
            share * 100.0,
            max_share * 100.0,
            examples.join("; ")
        ),
        rows: edits.iter().map(|e| cur.row_numbers[e.row]).collect(),
        scores: edits.iter().map(|e| -e.log10_chance).collect(),
        fails: share > max_share,
        detail,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detectors::Settings;
    use crate::features::tests::table;

    fn run(t: &Table, b: Option<&Table>) -> Result<Vec<Finding>, SkipReason> {
        EditedRows.run(&Context {
            table: t,
            baseline: b,
            settings: &Settings::default(),
        })
    }

    /// `n` rows of six continuous features (three decimals) and a two-class label.
    fn columns(n: usize, seed: u64) -> (Vec<Vec<f64>>, Vec<u32>) {
        let mut rng = SplitMix(seed);
        let cols = (0..6)
            .map(|_| {
                (0..n)
                    .map(|_| (rng.below(100_000) as f64) / 1000.0)
                    .collect()
            })
            .collect();
        let y = (0..n).map(|i| (i % 2) as u32).collect();
        (cols, y)
    }

    fn make(cols: &[Vec<f64>], y: &[u32]) -> Table {
        let names = ["a", "b", "c", "d", "e", "f"];
        table(
            names
                .iter()
                .zip(cols)
                .map(|(n, c)| (*n, c.clone()))
                .collect(),
            vec![],
            vec![],
            Some((y.to_vec(), vec!["neg", "pos"])),
        )
    }

    #[test]
    fn needs_a_baseline_and_shared_columns() {
        let (cols, y) = columns(50, 1);
        let t = make(&cols, &y);
        assert!(run(&t, None).unwrap_err().contains("baseline"));
        let other = table(vec![("z", cols[0].clone())], vec![], vec![], None);
        assert!(run(&t, Some(&other))
            .unwrap_err()
            .contains("columns present in both"));
    }

    #[test]
    fn relabelled_texts_are_edits_and_boilerplate_is_not_evidence() {
        // 300 distinct sentences and a label (text + label: two compared columns)
        let words = [
            "plot", "actor", "scene", "dull", "bright", "story", "long", "score", "cast", "ending",
            "script", "camera", "slow", "warm", "sharp", "loud",
        ];
        let mut rng = SplitMix(9);
        let mut texts: Vec<String> = (0..300)
            .map(|_| {
                (0..8)
                    .map(|_| words[rng.below(words.len())])
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        // ten rows of one boilerplate text, in both tables
        for t in texts.iter_mut().take(10) {
            *t = "no review".to_string();
        }
        let y: Vec<u32> = (0..300).map(|i| (i % 2) as u32).collect();
        let make_t = |y: &[u32]| {
            let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
            table(
                vec![],
                vec![],
                vec![("t", refs)],
                Some((y.to_vec(), vec!["neg", "pos"])),
            )
        };
        let base = make_t(&y);
        let mut cur_y = y.clone();
        for r in [3usize, 50, 51, 120, 299] {
            cur_y[r] = 1 - cur_y[r];
        }
        let f = run(&make_t(&cur_y), Some(&base)).unwrap();
        assert_eq!(f.len(), 1);
        let mut rows = f[0].rows.clone();
        rows.sort_unstable();
        // row 3 holds the boilerplate: its text vouches for nothing
        assert_eq!(rows, vec![50, 51, 120, 299]);
        assert_eq!(f[0].detail["changed_columns"][0]["column"], "label");
    }

    #[test]
    fn unchanged_and_new_rows_are_not_edits() {
        let (cols, y) = columns(300, 2);
        let base = make(&cols, &y);
        assert!(run(&base, Some(&base)).unwrap().is_empty());
        // a refresh: the same rows in another order plus 100 new ones
        let (fresh, fy) = columns(100, 3);
        let mut cur_cols: Vec<Vec<f64>> = cols
            .iter()
            .map(|c| c.iter().rev().copied().collect())
            .collect();
        for (c, f) in cur_cols.iter_mut().zip(&fresh) {
            c.extend(f);
        }
        let mut cur_y: Vec<u32> = y.iter().rev().copied().collect();
        cur_y.extend(&fy);
        assert!(run(&make(&cur_cols, &cur_y), Some(&base))
            .unwrap()
            .is_empty());
    }

    #[test]
    fn finds_moved_features_and_relabelled_rows() {
        let (cols, y) = columns(400, 4);
        let base = make(&cols, &y);
        let mut cur_cols = cols.clone();
        let mut cur_y = y.clone();
        let moved = [5usize, 17, 40, 41, 99, 200, 301, 399];
        for &r in &moved {
            cur_cols[1][r] += 300.0;
            cur_cols[4][r] += 300.0;
        }
        let relabelled = [7usize, 8, 250];
        for &r in &relabelled {
            cur_y[r] = 1 - cur_y[r];
        }
        let f = run(&make(&cur_cols, &cur_y), Some(&base)).unwrap();
        assert_eq!(f.len(), 1);
        let f = &f[0];
        let mut rows = f.rows.clone();
        rows.sort_unstable();
        let mut expected: Vec<u64> = moved.iter().chain(&relabelled).map(|&r| r as u64).collect();
        expected.sort_unstable();
        assert_eq!(rows, expected);
        assert!(f.fails);
        assert!(f.scores.iter().all(|&s| s > 2.0), "{:?}", f.scores);
        // the most certain edit is spelled out for text readers
        let first = f.rows[0];
        assert!(
            f.explanation.contains(&format!(
                "Most certain: row {first} (baseline row {first}): "
            )),
            "{}",
            f.explanation
        );
        let changed = f.detail["changed_columns"].as_array().unwrap();
        let names: Vec<&str> = changed
            .iter()
            .map(|c| c["column"].as_str().unwrap())
            .collect();
        assert_eq!(
            names[..2].iter().filter(|n| ["b", "e"].contains(n)).count(),
            2
        );
        assert_eq!(changed[0]["rows"], 8);
        assert!(names.contains(&"label"));
        let labels = f.detail["label_changes"].as_array().unwrap();
        let total: u64 = labels.iter().map(|l| l["rows"].as_u64().unwrap()).sum();
        assert_eq!(total, 3);
        let edit = f.detail["edits"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["row"] == 17)
            .unwrap();
        assert_eq!(edit["baseline_row"], 17);
        assert_eq!(edit["changed"][0]["baseline"], json!(cols[1][17]));
        assert_eq!(edit["changed"][0]["current"], json!(cols[1][17] + 300.0));
        // allowed share
        let lenient = Settings {
            edited_row_max_share: 0.05,
            ..Settings::default()
        };
        let f = EditedRows
            .run(&Context {
                table: &make(&cur_cols, &cur_y),
                baseline: Some(&base),
                settings: &lenient,
            })
            .unwrap();
        assert!(!f[0].fails);
    }

    #[test]
    fn resolution_is_the_fewest_decimals_that_write_every_value() {
        assert_eq!(resolution(&[1.0, 17.0, -3.0]), 1.0);
        assert_eq!(resolution(&[3.3, 0.1, 7.9]), 0.1);
        assert_eq!(resolution(&[4.1234, 0.5]), 1e-4);
        assert_eq!(resolution(&[std::f64::consts::PI]), 1e-9);
    }

    #[test]
    fn coarse_values_shared_by_chance_are_not_edits() {
        // two independent samples of four columns with four levels each: many rows agree
        // on three of four values by chance, which must not read as an edit
        let draw = |seed: u64| {
            let mut rng = SplitMix(seed);
            let cols: Vec<Vec<f64>> = (0..4)
                .map(|_| (0..500).map(|_| rng.below(4) as f64).collect())
                .collect();
            let names = ["a", "b", "c", "d"];
            table(
                names.iter().zip(cols).map(|(n, c)| (*n, c)).collect(),
                vec![],
                vec![],
                None,
            )
        };
        assert!(run(&draw(10), Some(&draw(11))).unwrap().is_empty());
    }
}
