//! Rare exact-value coincidences: the small-table half of the tabular-trigger search.
//!
//! **Why.** A trigger planted in 1% of a table of a few hundred rows is a handful of rows:
//! too few for label purity alone (six malignant rows out of six, at a 37% base rate, is
//! p = 0.003, which no multiple-testing correction lets through). What gives such a
//! trigger away is that measured values rarely repeat: two columns holding the same
//! *exact* pair of values in several rows is improbable in itself.
//!
//! **How.** Per column, the values (or categorical levels) seen in at least two rows and at
//! most the trigger's maximum share are *rare values*. For every pair of columns, the
//! labelled rows holding a rare value in both are grouped by the value pair (a sort, so
//! memory stays one key per row); every group of two or more rows is a test. A group of
//! `m` rows, all (at least the purity share) of one label, gets two log p-values:
//! - *coincidence*: `P(Poisson(λ) ≥ m)` with `λ = count(a) · count(b) / rows`, the number
//!   of rows expected to share the pair if the columns were independent (the counts
//!   include the group itself, so `λ` is generous to honest data);
//! - *purity*: the binomial upper tail of the target label among the `m` rows at its base
//!   rate.
//!
//! The caller adds the third, the neighbour vote, and fails a group whose three p-values
//! together pass a Bonferroni bound over every group tested. Groups with the same rows
//! over several column pairs merge into one pattern, so a trigger over three columns is
//! reported once with all three values.
//!
//! **Blind spots.** Columns derived from one another repeat their value pairs honestly
//! (only the neighbour vote keeps them from failing); a trigger whose values are jittered
//! rather than exact does not coincide exactly (the quantile-bin search covers it once it
//! is large enough); a single-column trigger of a few rows is not tested here.

use std::collections::HashMap;

use rayon::prelude::*;

use crate::table::{Labels, Table, MISSING};
use crate::util::{binomial_upper_ln, poisson_upper_ln};

const NONE: u32 = u32::MAX;

/// A value of a column: a number or a categorical level code.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Value {
    /// An exact number.
    Num(f64),
    /// A categorical level code.
    Level(u32),
}

/// The rare values of one column, coded per row.
struct RareColumn {
    /// Column index: numeric columns first, then categorical (as the item search counts).
    col: usize,
    /// Per row: the rare value's id, or `NONE`.
    codes: Vec<u32>,
    /// Per id: how many rows hold it.
    counts: Vec<u32>,
    /// Per id: the value's key (`f64` bits or level code; 8 bytes where [`Value`] takes 16).
    keys: Vec<u64>,
    /// Turns a key back into a value.
    value: fn(u64) -> Value,
}

/// A group of rows sharing rare exact values in two or more columns, nearly all of one label.
#[derive(Debug, Clone)]
pub(super) struct Group {
    /// `(column, value)` cells that define the group, ordered by column.
    pub cells: Vec<(usize, Value)>,
    /// The rows (sorted).
    pub rows: Vec<u32>,
    /// The label most of them carry.
    pub target: u32,
    /// Rows carrying it.
    pub hits: usize,
    /// Rows expected to share the value pair if the columns were independent.
    pub expected: f64,
    /// `ln P(Poisson(expected) ≥ rows)`.
    pub ln_p_coincidence: f64,
    /// `ln` of the binomial upper tail of `hits` among the rows at the target's base rate.
    pub ln_p_purity: f64,
}

/// Every group of at least two labelled rows sharing rare values in two columns: the groups
/// pure enough (`purity`) whose coincidence is itself below `max_ln_p`, and how many value
/// pairs could have formed a group (the multiple-testing count: every pair of rare values
/// of two columns is a hypothesis, whether or not it occurred together).
pub(super) fn groups(
    t: &Table,
    labels: &Labels,
    base: &[f64],
    max_support: usize,
    purity: f64,
    max_ln_p: f64,
) -> (Vec<Group>, usize) {
    let n = t.len();
    let mut columns: Vec<RareColumn> = t
        .numeric
        .par_iter()
        .enumerate()
        .filter_map(|(col, c)| {
            rare_column(
                col,
                c.values.iter().map(|v| v.is_finite().then(|| v.to_bits())),
                max_support,
                |b| Value::Num(f64::from_bits(b)),
            )
        })
        .collect();
    let offset = t.numeric.len();
    columns.par_extend(t.categorical.par_iter().enumerate().filter_map(|(j, c)| {
        rare_column(
            offset + j,
            c.codes
                .iter()
                .map(|&code| (code != MISSING).then_some(code as u64)),
            max_support,
            |code| Value::Level(code as u32),
        )
    }));
    let pairs: Vec<(usize, usize)> = (0..columns.len())
        .flat_map(|a| (a + 1..columns.len()).map(move |b| (a, b)))
        .collect();
    let per_pair: Vec<(Vec<Group>, usize)> = pairs
        .par_iter()
        .map(|&(a, b)| {
            let (ca, cb) = (&columns[a], &columns[b]);
            let mut keys: Vec<(u64, u32)> = (0..n)
                .filter_map(|r| {
                    let (x, y) = (ca.codes[r], cb.codes[r]);
                    (x != NONE && y != NONE && labels.codes[r] != MISSING)
                        .then_some((((x as u64) << 32) | y as u64, r as u32))
                })
                .collect();
            keys.sort_unstable();
            let mut found = Vec::new();
            for run in keys.chunk_by(|p, q| p.0 == q.0) {
                let m = run.len();
                if m < 2 {
                    continue;
                }
                let mut per_class = vec![0usize; base.len()];
                for &(_, r) in run {
                    per_class[labels.codes[r as usize] as usize] += 1;
                }
                let Some((target, &hits)) = per_class.iter().enumerate().max_by_key(|(_, &h)| h)
                else {
                    continue;
                };
                if (hits as f64) < purity * m as f64 {
                    continue;
                }
                let (x, y) = ((run[0].0 >> 32) as usize, (run[0].0 & 0xffff_ffff) as usize);
                let expected = ca.counts[x] as f64 * cb.counts[y] as f64 / n as f64;
                let ln_p_coincidence = poisson_upper_ln(m as u64, expected);
                if ln_p_coincidence > max_ln_p {
                    continue;
                }
                found.push(Group {
                    cells: vec![
                        (ca.col, (ca.value)(ca.keys[x])),
                        (cb.col, (cb.value)(cb.keys[y])),
                    ],
                    rows: run.iter().map(|&(_, r)| r).collect(),
                    target: target as u32,
                    hits,
                    expected,
                    ln_p_coincidence,
                    ln_p_purity: binomial_upper_ln(hits as u64, m as u64, base[target]),
                });
            }
            (found, ca.counts.len() * cb.counts.len())
        })
        .collect();
    let tested = per_pair.iter().map(|p| p.1).sum();
    // the same rows over several column pairs: one pattern holding every cell, scored by its
    // strongest pair
    let mut merged: HashMap<Vec<u32>, Group> = HashMap::new();
    for g in per_pair.into_iter().flat_map(|p| p.0) {
        match merged.get_mut(&g.rows) {
            None => {
                merged.insert(g.rows.clone(), g);
            }
            Some(m) => {
                for cell in &g.cells {
                    if !m.cells.iter().any(|c| c.0 == cell.0) {
                        m.cells.push(*cell);
                    }
                }
                m.cells.sort_by_key(|c| c.0);
                if g.ln_p_coincidence < m.ln_p_coincidence {
                    m.expected = g.expected;
                    m.ln_p_coincidence = g.ln_p_coincidence;
                }
            }
        }
    }
    let mut out: Vec<Group> = merged.into_values().collect();
    out.sort_by(|a, b| {
        (a.ln_p_coincidence + a.ln_p_purity)
            .total_cmp(&(b.ln_p_coincidence + b.ln_p_purity))
            .then(a.rows.cmp(&b.rows))
    });
    (out, tested)
}

/// Codes a column's rare values (seen in 2..=`max_support` rows); `None` when it has none.
fn rare_column(
    col: usize,
    keys: impl Iterator<Item = Option<u64>> + Clone,
    max_support: usize,
    value: fn(u64) -> Value,
) -> Option<RareColumn> {
    let mut counts: HashMap<u64, u32> = HashMap::new();
    for k in keys.clone().flatten() {
        *counts.entry(k).or_insert(0) += 1;
    }
    let mut rare: Vec<(u64, u32)> = counts
        .into_iter()
        .filter(|&(_, c)| c >= 2 && c as usize <= max_support)
        .collect();
    if rare.is_empty() {
        return None;
    }
    rare.sort_unstable();
    let ids: HashMap<u64, u32> = rare
        .iter()
        .enumerate()
        .map(|(i, &(k, _))| (k, i as u32))
        .collect();
    let codes = keys
        .map(|k| k.and_then(|k| ids.get(&k).copied()).unwrap_or(NONE))
        .collect();
    Some(RareColumn {
        col,
        codes,
        counts: rare.iter().map(|&(_, c)| c).collect(),
        keys: rare.iter().map(|&(k, _)| k).collect(),
        value,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::NumericColumn;

    fn table(cols: Vec<Vec<f64>>, labels: Vec<u32>) -> Table {
        Table {
            path: "t.csv".into(),
            row_numbers: (0..labels.len() as u64).collect(),
            labels: Some(Labels {
                name: "label".into(),
                codes: labels,
                classes: vec!["a".into(), "b".into()],
            }),
            numeric: cols
                .into_iter()
                .enumerate()
                .map(|(i, values)| NumericColumn {
                    name: format!("x{i}"),
                    values,
                })
                .collect(),
            categorical: vec![],
            text: vec![],
        }
    }

    #[test]
    fn a_repeated_exact_pair_is_a_group_and_a_triple_merges() {
        // 200 rows of distinct values; rows 10, 20, 30 share x0 = 0.5, x1 = 7.25, x2 = 3.0
        let n = 200;
        let mut cols: Vec<Vec<f64>> = (0..3)
            .map(|c| {
                (0..n)
                    .map(|r| r as f64 * 1.37 + c as f64 * 1000.0)
                    .collect()
            })
            .collect();
        let mut labels: Vec<u32> = (0..n).map(|r| (r % 2) as u32).collect();
        for r in [10, 20, 30] {
            cols[0][r] = 0.5;
            cols[1][r] = 7.25;
            cols[2][r] = 3.0;
            labels[r] = 1;
        }
        let t = table(cols, labels);
        let l = t.labels.as_ref().unwrap();
        let (g, tested) = groups(&t, l, &[0.5, 0.5], 10, 0.95, (0.01f64).ln());
        assert_eq!(tested, 3, "one rare value a column, three column pairs");
        assert_eq!(g.len(), 1);
        assert_eq!(g[0].rows, vec![10, 20, 30]);
        assert_eq!(g[0].cells.len(), 3);
        assert_eq!(g[0].target, 1);
        // λ = 3·3/200: three rows are very unlikely
        assert!((g[0].expected - 0.045).abs() < 1e-12);
        assert!(g[0].ln_p_coincidence < -10.0);
        assert!((g[0].ln_p_purity - 3.0 * 0.5f64.ln()).abs() < 1e-9);
    }

    #[test]
    fn common_values_co_occur_as_often_as_expected() {
        // two independent columns of 10 levels each (about 40 rows a level), one label:
        // every pair is pure, but ~4 rows share each pair by chance, so none is surprising
        let n = 400;
        let mut rng = crate::model::SplitMix(3);
        let cols: Vec<Vec<f64>> = (0..2)
            .map(|_| (0..n).map(|_| rng.below(10) as f64).collect())
            .collect();
        let t = table(cols, vec![0; n]);
        let l = t.labels.as_ref().unwrap();
        let (g, tested) = groups(&t, l, &[1.0, 0.0], 60, 0.95, (1e-4f64).ln());
        assert!(tested > 50, "{tested}");
        assert!(g.is_empty(), "{g:?}");
    }
}
