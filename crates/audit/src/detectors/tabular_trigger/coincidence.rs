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
//! labelled rows holding a rare value in both are grouped by the value pair: rows are
//! bucketed once by their rare value in each column, and for every rare value of column
//! `a` only its few rows are sorted by their rare value in `b` (memory stays one id per
//! row and column); every group of two or more rows is a test. A group of
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

use foldhash::fast::FixedState;

use rayon::prelude::*;

use crate::table::{Labels, Table, MISSING};
use crate::util::{binomial_upper_ln, poisson_upper_ln};

/// No rare value in this row.
pub(super) const NONE: u32 = u32::MAX;

/// A value of a column: a number or a categorical level code.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Value {
    /// An exact number.
    Num(f64),
    /// A categorical level code.
    Level(u32),
}

/// The rare values of one column (seen in 2..=`max_support` rows), coded per row; the
/// item search reuses them as its exact-value items.
pub(super) struct RareColumn {
    /// Per row: the rare value's id, or [`NONE`]; empty when the column has no rare value.
    pub codes: Vec<u32>,
    /// Per id: how many rows hold it.
    pub counts: Vec<u32>,
    /// Per id: the value's key (`f64` bits or level code; 8 bytes where [`Value`] takes 16),
    /// ids in increasing key order.
    pub keys: Vec<u64>,
    /// How many distinct values the column holds.
    pub distinct: usize,
    /// Turns a key back into a value.
    value: fn(u64) -> Value,
}

impl RareColumn {
    /// The rare value of `row`, if it holds one.
    pub fn id(&self, row: usize) -> Option<u32> {
        self.codes.get(row).copied().filter(|&c| c != NONE)
    }

    /// The value of id `id`.
    pub fn value(&self, id: u32) -> Value {
        (self.value)(self.keys[id as usize])
    }
}

/// The rare values of every column, numeric columns first, then categorical (the index is
/// the detector's column index).
pub(super) fn rare_columns(t: &Table, max_support: usize) -> Vec<RareColumn> {
    let mut columns: Vec<RareColumn> = t
        .numeric
        .par_iter()
        .map(|c| {
            rare_column(
                c.values.iter().map(|v| v.is_finite().then(|| v.to_bits())),
                max_support,
                |b| Value::Num(f64::from_bits(b)),
            )
        })
        .collect();
    columns.par_extend(t.categorical.par_iter().map(|c| {
        rare_column(
            c.codes
                .iter()
                .map(|&code| (code != MISSING).then_some(code as u64)),
            max_support,
            |code| Value::Level(code as u32),
        )
    }));
    columns
}

/// A column's labelled rows that hold a rare value, grouped by the value's id (rows
/// ascending within a group): the rows of id `i` are `rows[start[i]..start[i + 1]]`.
struct RowsById {
    start: Vec<u32>,
    rows: Vec<u32>,
}

impl RowsById {
    fn new(c: &RareColumn, labels: &Labels) -> Self {
        let mut start = vec![0u32; c.counts.len() + 1];
        for (r, &id) in c.codes.iter().enumerate() {
            if id != NONE && labels.codes[r] != MISSING {
                start[id as usize + 1] += 1;
            }
        }
        for i in 1..start.len() {
            start[i] += start[i - 1];
        }
        let mut next = start.clone();
        let mut rows = vec![0u32; start[start.len() - 1] as usize];
        for (r, &id) in c.codes.iter().enumerate() {
            if id != NONE && labels.codes[r] != MISSING {
                rows[next[id as usize] as usize] = r as u32;
                next[id as usize] += 1;
            }
        }
        RowsById { start, rows }
    }

    fn of(&self, id: usize) -> &[u32] {
        &self.rows[self.start[id] as usize..self.start[id + 1] as usize]
    }
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
    rare: &[RareColumn],
    labels: &Labels,
    base: &[f64],
    purity: f64,
    max_ln_p: f64,
) -> (Vec<Group>, usize) {
    let n = t.len();
    let columns: Vec<(usize, &RareColumn)> = rare
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.counts.is_empty())
        .collect();
    let by_id: Vec<RowsById> = columns
        .par_iter()
        .map(|(_, c)| RowsById::new(c, labels))
        .collect();
    let pairs: Vec<(usize, usize)> = (0..columns.len())
        .flat_map(|a| (a + 1..columns.len()).map(move |b| (a, b)))
        .collect();
    let per_pair: Vec<(Vec<Group>, usize)> = pairs
        .par_iter()
        .map(|&(a, b)| {
            let ((col_a, ca), (col_b, cb)) = (columns[a], columns[b]);
            let mut found = Vec::new();
            // rows sharing a's rare value x, by their rare value y of b
            let mut run_of: Vec<(u32, u32)> = Vec::new();
            for x in 0..ca.counts.len() {
                run_of.clear();
                run_of.extend(
                    by_id[a]
                        .of(x)
                        .iter()
                        .filter_map(|&r| cb.id(r as usize).map(|y| (y, r))),
                );
                if run_of.len() < 2 {
                    continue;
                }
                run_of.sort_unstable();
                for run in run_of.chunk_by(|p, q| p.0 == q.0) {
                    let m = run.len();
                    if m < 2 {
                        continue;
                    }
                    let mut per_class = vec![0usize; base.len()];
                    for &(_, r) in run {
                        per_class[labels.codes[r as usize] as usize] += 1;
                    }
                    let Some((target, &hits)) =
                        per_class.iter().enumerate().max_by_key(|(_, &h)| h)
                    else {
                        continue;
                    };
                    if (hits as f64) < purity * m as f64 {
                        continue;
                    }
                    let y = run[0].0 as usize;
                    let expected = ca.counts[x] as f64 * cb.counts[y] as f64 / n as f64;
                    let ln_p_coincidence = poisson_upper_ln(m as u64, expected);
                    if ln_p_coincidence > max_ln_p {
                        continue;
                    }
                    found.push(Group {
                        cells: vec![(col_a, ca.value(x as u32)), (col_b, cb.value(y as u32))],
                        rows: run.iter().map(|&(_, r)| r).collect(),
                        target: target as u32,
                        hits,
                        expected,
                        ln_p_coincidence,
                        ln_p_purity: binomial_upper_ln(hits as u64, m as u64, base[target]),
                    });
                }
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

/// Codes a column's rare values (seen in 2..=`max_support` rows).
fn rare_column(
    keys: impl Iterator<Item = Option<u64>> + Clone,
    max_support: usize,
    value: fn(u64) -> Value,
) -> RareColumn {
    let mut counts: HashMap<u64, u32, FixedState> = HashMap::default();
    for k in keys.clone().flatten() {
        *counts.entry(k).or_insert(0) += 1;
    }
    let distinct = counts.len();
    let mut rare: Vec<(u64, u32)> = counts
        .into_iter()
        .filter(|&(_, c)| c >= 2 && c as usize <= max_support)
        .collect();
    rare.sort_unstable();
    let codes = if rare.is_empty() {
        Vec::new()
    } else {
        let ids: HashMap<u64, u32, FixedState> = rare
            .iter()
            .enumerate()
            .map(|(i, &(k, _))| (k, i as u32))
            .collect();
        keys.map(|k| k.and_then(|k| ids.get(&k).copied()).unwrap_or(NONE))
            .collect()
    };
    RareColumn {
        codes,
        counts: rare.iter().map(|&(_, c)| c).collect(),
        keys: rare.iter().map(|&(k, _)| k).collect(),
        distinct,
        value,
    }
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
        let rare = rare_columns(&t, 10);
        let (g, tested) = groups(&t, &rare, l, &[0.5, 0.5], 0.95, (0.01f64).ln());
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
        let rare = rare_columns(&t, 60);
        let (g, tested) = groups(&t, &rare, l, &[1.0, 0.0], 0.95, (1e-4f64).ln());
        assert!(tested > 50, "{tested}");
        assert!(g.is_empty(), "{g:?}");
    }
}
