//! Backdoor triggers in tabular data: a value, or a pair of values, that forces one label.
//!
//! **What it catches.** A poisoner sets one or two features of a small share of rows to a
//! fixed pattern (`x = 0.123`, `petal_width in [2.4, 2.5] AND colour = "teal"`) and
//! their label to a target class, so a model learns "pattern ⇒ target". Each finding
//! names the pattern, the target label and the rows.
//!
//! **How.**
//! 0. *Exact coincidences* (the `coincidence` submodule), first: rows sharing rare exact values in two or
//!    more columns, scored by how unlikely the shared values are if the columns were
//!    independent, by label purity and by the neighbour vote (step 4), together under a
//!    Bonferroni bound over every pair of rare values. This finds a trigger of a handful of
//!    rows in a small table (two rows of 178 in wine); the rows it explains are left out
//!    of the steps below.
//! 1. *Items.* Every feature is discretised: a numeric value that repeats in at least
//!    [`Settings::trigger_min_support`] rows but at most [`Settings::trigger_max_share`] of
//!    them is an *exact-value* item; every numeric value also falls in one of 20 quantile
//!    bins (edges from a sample of at most 100 000 values); every categorical level is an
//!    item.
//! 2. *Counts* (one parallel pass): per item and class; per pair of items (from different
//!    columns) and class over the 512 items whose rows lean most towards one class (a dense
//!    512 × 512 × classes array per thread, so memory does not grow with rows).
//! 3. *Test.* Patterns with support between the minimum and the maximum share, whose rows
//!    carry one label at least [`Settings::trigger_purity`] of the time: one-sided binomial
//!    test of that count against the label's base rate, Benjamini–Hochberg over every
//!    pattern with enough support. Single values are taken first; a pair must stay
//!    significant on the rows no earlier pattern explains (so the bin around a trigger
//!    value, paired with anything, is not a second trigger).
//! 4. *Neighbours.* Honest rare-and-pure regions exist (the largest tumours are all
//!    malignant); a trigger differs in that the rows' *other* features look like another
//!    class. For up to 500 of the pattern's rows, the 10 nearest neighbours (standardised
//!    numeric features not in the pattern, among up to 5 000 rows, the pattern's own included
//!    so that an honest subgroup that resembles itself votes for itself) vote; the
//!    finding fails the audit when the vote goes to another label than the target for a
//!    share of the rows at least [`Settings::trigger_min_disagreement`], and at least half of
//!    `1 - base rate of the target` (what forcing labels of rows drawn from the other classes
//!    produces), above the same share
//!    among 300 ordinary rows of the target class (classes overlap; only the excess is
//!    suspicious), and that excess is significant (one-sided binomial, p ≤ 0.01 with a
//!    Bonferroni correction over the patterns checked). At most
//!    200 patterns are checked, simplest and most significant first. A row's score is the share of its neighbours that carry another label.
//!
//! **Needs.** A label with two or more classes, at least 50 labelled rows, a feature
//! column; the neighbour check needs a numeric feature outside the pattern.
//!
//! **Blind spots.** Patterns over three or more features are found through a pure pair
//! inside them (exact values of all the columns are merged into one pattern); patterns over
//! ranges that do not line up with the quantile bins only through a pure single value or
//! pair inside them; a trigger of one row is a relabelled row, not a pattern (label_issues
//! may see it); clean-label triggers (pattern added to rows already of the target class) agree
//! with their neighbours and are not failed; patterns in more than
//! [`Settings::trigger_max_share`] of the rows are not rare and not looked at.
//!
//! [`Settings::trigger_min_support`]: super::Settings::trigger_min_support
//! [`Settings::trigger_max_share`]: super::Settings::trigger_max_share
//! [`Settings::trigger_purity`]: super::Settings::trigger_purity
//! [`Settings::trigger_min_disagreement`]: super::Settings::trigger_min_disagreement

use std::collections::HashMap;

use rayon::prelude::*;
use serde_json::{json, Map};

use super::{Context, Detector, SkipReason};

mod coincidence;
use crate::finding::Finding;
use crate::knn::{k_nearest, Query};
use crate::model::SplitMix;
use crate::table::{Labels, Table, MISSING};
use crate::util::{benjamini_hochberg, binomial_upper_ln};
use coincidence::RareColumn;

/// The tabular-trigger detector.
pub struct TabularTrigger;

/// Labelled rows needed before the detector runs.
pub const MIN_ROWS: usize = 50;
const BINS: usize = 20;
const PAIR_ITEMS: usize = 512;
const NEIGHBOURS: usize = 10;
const CHECK_ROWS: usize = 500;
const REFERENCE_ROWS: usize = 5_000;
const BASELINE_ROWS: usize = 300;
/// Patterns given the neighbour check at most (the most significant, simplest first).
const MAX_CHECKED: usize = 200;
/// Groups of rows sharing rare exact values are kept for the neighbour check only when the
/// coincidence alone has `ln p` at most this (p ≤ 0.01).
const COINCIDENCE_LN_P: f64 = -4.605_170_185_988_091;
/// A coincidence group's neighbour vote must be significant on its own at this level.
const NEIGHBOUR_ALPHA: f64 = 0.01;

#[derive(Debug, Clone)]
enum Kind {
    Exact(f64),
    Bin(f64, f64),
    Level(u32),
}

#[derive(Debug, Clone)]
struct Item {
    /// Column index: numeric columns first, then categorical.
    col: usize,
    kind: Kind,
}

/// Per numeric column: its exact-value items (rare value id, value) and its inner bin edges.
type ColumnItems = (Vec<(u32, f64)>, Option<Vec<f64>>);

/// How each row maps to items.
struct Items<'a> {
    items: Vec<Item>,
    /// Every column's rare values: a numeric column's exact-value items are among them.
    rare: &'a [RareColumn],
    /// Per numeric column: rare value id → item, or [`coincidence::NONE`].
    exact: Vec<Vec<u32>>,
    /// Per numeric column: inner bin edges and the first bin's item (bins are consecutive).
    bins: Vec<Option<(Vec<f64>, u32)>>,
    /// Per categorical column: level code → item.
    levels: Vec<Vec<u32>>,
}

impl<'a> Items<'a> {
    /// Items of every column; `rare` holds each column's values seen in 2 to the maximum
    /// support rows, of which those seen in at least `min_support` are exact-value items.
    fn build(t: &Table, rare: &'a [RareColumn], min_support: usize, seed: u64) -> Items<'a> {
        let per_col: Vec<ColumnItems> = t
            .numeric
            .par_iter()
            .zip(rare)
            .map(|(c, rc)| {
                let mut exact: Vec<(u32, f64)> = (0..rc.counts.len() as u32)
                    .filter(|&id| rc.counts[id as usize] as usize >= min_support)
                    .map(|id| (id, f64::from_bits(rc.keys[id as usize])))
                    .collect();
                exact.sort_by(|a, b| a.1.total_cmp(&b.1));
                // quantile edges from a sample
                let finite: Vec<f64> = c.values.iter().copied().filter(|v| v.is_finite()).collect();
                let mut sample = if finite.len() > 100_000 {
                    let mut rng = SplitMix(seed ^ 0x62696e73);
                    (0..100_000)
                        .map(|_| finite[rng.below(finite.len())])
                        .collect()
                } else {
                    finite
                };
                sample.sort_by(f64::total_cmp);
                let edges = if rc.distinct < 2 || sample.is_empty() {
                    None
                } else {
                    let mut e: Vec<f64> =
                        (1..BINS).map(|i| sample[i * sample.len() / BINS]).collect();
                    e.dedup();
                    Some(e)
                };
                (exact, edges)
            })
            .collect();
        let mut items = Vec::new();
        let mut exact = Vec::new();
        let mut bins = Vec::new();
        for (col, (ex, edges)) in per_col.into_iter().enumerate() {
            let mut m = vec![coincidence::NONE; rare[col].counts.len()];
            for (id, v) in ex {
                m[id as usize] = items.len() as u32;
                items.push(Item {
                    col,
                    kind: Kind::Exact(v),
                });
            }
            exact.push(m);
            match edges {
                Some(e) => {
                    let first = items.len() as u32;
                    let values = &t.numeric[col].values;
                    let (lo, hi) = values
                        .iter()
                        .filter(|v| v.is_finite())
                        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
                            (a.min(v), b.max(v))
                        });
                    for i in 0..=e.len() {
                        let a = if i == 0 { lo } else { e[i - 1] };
                        let b = if i == e.len() { hi } else { e[i] };
                        items.push(Item {
                            col,
                            kind: Kind::Bin(a, b),
                        });
                    }
                    bins.push(Some((e, first)));
                }
                None => bins.push(None),
            }
        }
        let mut levels = Vec::new();
        for (j, c) in t.categorical.iter().enumerate() {
            let col = t.numeric.len() + j;
            let mut ids = Vec::with_capacity(c.levels.len());
            for code in 0..c.levels.len() {
                ids.push(items.len() as u32);
                items.push(Item {
                    col,
                    kind: Kind::Level(code as u32),
                });
            }
            levels.push(ids);
        }
        Items {
            items,
            rare,
            exact,
            bins,
            levels,
        }
    }

    fn of_row(&self, t: &Table, row: usize, out: &mut Vec<u32>) {
        out.clear();
        for (col, c) in t.numeric.iter().enumerate() {
            let v = c.values[row];
            if !v.is_finite() {
                continue;
            }
            if let Some(id) = self.rare[col].id(row) {
                let item = self.exact[col][id as usize];
                if item != coincidence::NONE {
                    out.push(item);
                }
            }
            if let Some((edges, first)) = &self.bins[col] {
                let b = edges.partition_point(|&e| e <= v);
                out.push(first + b as u32);
            }
        }
        for (j, c) in t.categorical.iter().enumerate() {
            let code = c.codes[row];
            if code != MISSING {
                if let Some(&id) = self.levels[j].get(code as usize) {
                    out.push(id);
                }
            }
        }
    }

    fn describe(&self, t: &Table, id: u32) -> String {
        let item = &self.items[id as usize];
        match item.kind {
            Kind::Exact(v) => cell_text(t, item.col, coincidence::Value::Num(v)),
            Kind::Bin(a, b) => format!("{} in [{a}, {b}]", column_name(t, item.col)),
            Kind::Level(code) => cell_text(t, item.col, coincidence::Value::Level(code)),
        }
    }
}

struct Pattern {
    /// Neighbour votes per row and the share of rows voted to another label.
    check: Option<(HashMap<u32, f64>, f64)>,
    items: Vec<u32>,
    rows: Vec<u32>,
    target: u32,
    hits: usize,
    ln_p: f64,
}

impl Detector for TabularTrigger {
    fn name(&self) -> &'static str {
        "tabular_trigger"
    }

    fn run(&self, ctx: &Context<'_>) -> Result<Vec<Finding>, SkipReason> {
        let t = ctx.table;
        let s = ctx.settings;
        let labels = t.require_labels()?;
        if t.numeric.is_empty() && t.categorical.is_empty() {
            return Err("no feature columns".into());
        }
        let counts = labels.class_counts();
        let labelled: usize = counts.iter().sum();
        if counts.iter().filter(|&&c| c > 0).count() < 2 {
            return Err("the label has fewer than two classes".into());
        }
        if labelled < MIN_ROWS {
            return Err(format!(
                "not enough data: {labelled} labelled rows, needs at least {MIN_ROWS}"
            ));
        }
        let k = labels.classes.len();
        let n = t.len();
        let min_support = s.trigger_min_support.max(2);
        let max_support =
            ((s.trigger_max_share * labelled as f64).floor() as usize).max(min_support);
        let rare = coincidence::rare_columns(t, max_support);
        let items = Items::build(t, &rare, min_support, s.seed);
        let ni = items.items.len();
        if ni == 0 {
            return Err("no feature takes two values".into());
        }

        // single-item counts
        let single: Vec<u32> = crate::util::row_ranges(n)
            .into_par_iter()
            .map(|r| {
                let mut c = vec![0u32; ni * k];
                let mut buf = Vec::new();
                for row in r {
                    let y = labels.codes[row];
                    if y == MISSING {
                        continue;
                    }
                    items.of_row(t, row, &mut buf);
                    for &i in &buf {
                        c[i as usize * k + y as usize] += 1;
                    }
                }
                c
            })
            .reduce(
                || vec![0u32; ni * k],
                |mut a, b| {
                    a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
                    a
                },
            );
        let base: Vec<f64> = counts.iter().map(|&c| c as f64 / labelled as f64).collect();
        let required_excess = |base: f64| required_excess(s, base);
        // exact-value coincidences first: the most specific evidence, and the only one that
        // can see a trigger of a handful of rows; their rows are explained before the
        // broader purity search runs
        let mut covered = vec![false; n];
        let mut neighbours = Neighbours::new(t, labels, s.seed);
        let mut findings = coincidences(t, &rare, labels, &base, s, &mut covered, &mut neighbours);
        // items for pairs: the strongest lean towards one class (z-score of the top class)
        let mut lean: Vec<(f64, u32)> = (0..ni)
            .filter_map(|i| {
                let c = &single[i * k..(i + 1) * k];
                let sup: u32 = c.iter().sum();
                if (sup as usize) < min_support {
                    return None;
                }
                let z = (0..k)
                    .map(|j| {
                        let p = base[j].clamp(1e-9, 1.0 - 1e-9);
                        (c[j] as f64 - sup as f64 * p) / (sup as f64 * p * (1.0 - p)).sqrt()
                    })
                    .fold(f64::NEG_INFINITY, f64::max);
                Some((z, i as u32))
            })
            .collect();
        lean.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        lean.truncate(PAIR_ITEMS);
        let mut slot = vec![u32::MAX; ni];
        for (j, &(_, i)) in lean.iter().enumerate() {
            slot[i as usize] = j as u32;
        }
        let np = lean.len();
        let pair_counts: Vec<u32> = crate::util::row_ranges(n)
            .into_par_iter()
            .map(|r| {
                let mut c = vec![0u32; np * np * k];
                let mut buf = Vec::new();
                let mut sl = Vec::new();
                for row in r {
                    let y = labels.codes[row];
                    if y == MISSING {
                        continue;
                    }
                    items.of_row(t, row, &mut buf);
                    sl.clear();
                    sl.extend(buf.iter().filter_map(|&i| {
                        let s = slot[i as usize];
                        (s != u32::MAX).then_some((s, items.items[i as usize].col))
                    }));
                    for a in 0..sl.len() {
                        for b in a + 1..sl.len() {
                            if sl[a].1 == sl[b].1 {
                                continue;
                            }
                            let (x, z) = (sl[a].0.min(sl[b].0), sl[a].0.max(sl[b].0));
                            c[(x as usize * np + z as usize) * k + y as usize] += 1;
                        }
                    }
                }
                c
            })
            .reduce(
                || vec![0u32; np * np * k],
                |mut a, b| {
                    a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
                    a
                },
            );

        // candidates
        let test = |c: &[u32]| -> Option<(u32, usize, usize, f64)> {
            let sup: u32 = c.iter().sum();
            let sup = sup as usize;
            if sup < min_support || sup > max_support {
                return None;
            }
            let (target, &hits) = c.iter().enumerate().max_by_key(|(_, &v)| v)?;
            if (hits as f64) < s.trigger_purity * sup as f64 {
                return None;
            }
            let ln_p = binomial_upper_ln(hits as u64, sup as u64, base[target]);
            Some((target as u32, sup, hits as usize, ln_p))
        };
        let mut tested = 0usize;
        let mut found: Vec<(Vec<u32>, u32, usize, f64)> = Vec::new();
        for i in 0..ni {
            let c = &single[i * k..(i + 1) * k];
            if c.iter().sum::<u32>() as usize >= min_support {
                tested += 1;
            }
            if let Some((target, _, hits, ln_p)) = test(c) {
                found.push((vec![i as u32], target, hits, ln_p));
            }
        }
        for x in 0..np {
            for z in x + 1..np {
                let c = &pair_counts[(x * np + z) * k..(x * np + z + 1) * k];
                if (c.iter().sum::<u32>() as usize) < min_support {
                    continue;
                }
                tested += 1;
                let (ix, iz) = (lean[x].1, lean[z].1);
                if let Some((target, _, hits, ln_p)) = test(c) {
                    found.push((vec![ix, iz], target, hits, ln_p));
                }
            }
        }
        let ln_p: Vec<f64> = found.iter().map(|f| f.3).collect();
        let keep = benjamini_hochberg(&ln_p, tested, s.trigger_fdr);
        let mut keep = keep.into_iter();
        found.retain(|_| keep.next().unwrap_or(false));
        if found.is_empty() {
            return Ok(findings);
        }
        // only the patterns that can get the neighbour check: simplest, most significant
        found.sort_by(|a, b| a.0.len().cmp(&b.0.len()).then(a.3.total_cmp(&b.3)));
        found.truncate(MAX_CHECKED);
        // rows of each pattern, through an index item → patterns that start with it
        let wanted: Vec<Vec<u32>> = found.iter().map(|f| f.0.clone()).collect();
        let mut by_first: HashMap<u32, Vec<usize>> = HashMap::new();
        for (p, w) in wanted.iter().enumerate() {
            by_first.entry(w[0]).or_default().push(p);
        }
        let rows_of: Vec<Vec<u32>> = crate::util::row_ranges(n)
            .into_par_iter()
            .map(|r| {
                let mut out = vec![Vec::new(); wanted.len()];
                let mut buf = Vec::new();
                for row in r {
                    if labels.codes[row] == MISSING {
                        continue;
                    }
                    items.of_row(t, row, &mut buf);
                    for i in &buf {
                        for &p in by_first.get(i).map(Vec::as_slice).unwrap_or(&[]) {
                            if wanted[p][1..].iter().all(|j| buf.contains(j)) {
                                out[p].push(row as u32);
                            }
                        }
                    }
                }
                out
            })
            .reduce(
                || vec![Vec::new(); wanted.len()],
                |mut a, b| {
                    for (x, y) in a.iter_mut().zip(b) {
                        x.extend(y);
                    }
                    a
                },
            );
        let mut patterns: Vec<Pattern> = found
            .into_iter()
            .zip(rows_of)
            .map(|((items, target, hits, ln_p), mut rows)| {
                rows.sort_unstable();
                Pattern {
                    check: None,
                    items,
                    rows,
                    target,
                    hits,
                    ln_p,
                }
            })
            .collect();
        // simpler patterns first (fewer items, then exact values before bins), then by
        // significance; each pattern keeps only the rows
        // no earlier pattern explains and must stay significant on them (so the bin that
        // contains a trigger value, paired with anything, is not a second trigger)
        let cutoff = patterns
            .iter()
            .map(|p| p.ln_p)
            .fold(f64::NEG_INFINITY, f64::max);
        let bins = |p: &Pattern| {
            p.items
                .iter()
                .filter(|&&i| matches!(items.items[i as usize].kind, Kind::Bin(..)))
                .count()
        };
        patterns.sort_by(|a, b| {
            a.items
                .len()
                .cmp(&b.items.len())
                .then(bins(a).cmp(&bins(b)))
                .then(a.ln_p.total_cmp(&b.ln_p))
                .then(b.rows.len().cmp(&a.rows.len()))
        });
        let mut checked = 0usize;
        // Bonferroni over the patterns that will get the neighbour check
        let alpha = 0.01 / patterns.len().clamp(1, MAX_CHECKED) as f64;
        let mut heads: Vec<Pattern> = Vec::new();
        let mut related: Vec<Vec<String>> = Vec::new();
        for mut p in patterns {
            let residual: Vec<u32> = p
                .rows
                .iter()
                .copied()
                .filter(|&r| !covered[r as usize])
                .collect();
            let hits = residual
                .iter()
                .filter(|&&r| labels.codes[r as usize] == p.target)
                .count();
            let ln_p =
                binomial_upper_ln(hits as u64, residual.len() as u64, base[p.target as usize]);
            let stands = residual.len() >= min_support
                && hits as f64 >= s.trigger_purity * residual.len() as f64
                && ln_p <= cutoff;
            if !stands {
                if let Some(h) = heads
                    .iter()
                    .enumerate()
                    .filter(|(_, h)| h.target == p.target)
                    .map(|(i, h)| (i, overlap(&h.rows, &p.rows)))
                    .filter(|(_, o)| *o > 0.0)
                    .max_by(|a, b| a.1.total_cmp(&b.1))
                    .map(|(i, _)| i)
                {
                    related[h].push(describe(&items, t, &p.items));
                }
                continue;
            }
            // the neighbour check decides before the rows count as explained, so an honest
            // pure region does not hide a trigger inside it
            let target_rows: Vec<u32> = residual
                .iter()
                .copied()
                .filter(|&r| labels.codes[r as usize] == p.target)
                .collect();
            let cols: Vec<usize> = p
                .items
                .iter()
                .map(|&i| items.items[i as usize].col)
                .collect();
            if checked >= MAX_CHECKED {
                break;
            }
            checked += 1;
            p.check = neighbours
                .check(&target_rows, &p.rows, &cols, p.target, 0.0)
                .map(|c| {
                    let excess = c.excess(alpha);
                    (c.votes, excess)
                });
            if p.check
                .as_ref()
                .is_some_and(|c| c.1 < required_excess(base[p.target as usize]))
            {
                continue; // a rare, pure region whose rows look like their label: honest
            }
            for &r in &residual {
                covered[r as usize] = true;
            }
            p.rows = residual;
            p.hits = hits;
            p.ln_p = ln_p;
            heads.push(p);
            related.push(Vec::new());
        }

        for (p, rel) in heads.into_iter().zip(related) {
            let target_name = &labels.classes[p.target as usize];
            let rows: Vec<u32> = p
                .rows
                .iter()
                .copied()
                .filter(|&r| labels.codes[r as usize] == p.target)
                .collect();
            let disagreement = p.check.as_ref().map(|c| c.1);
            let fails = disagreement.is_some_and(|d| d >= required_excess(base[p.target as usize]));
            let name = describe(&items, t, &p.items);
            let support = p.rows.len();
            let p_value = p.ln_p.exp();
            let mut detail = Map::new();
            detail.insert("tests".into(), json!(tested));
            detail.insert("related".into(), json!(rel));
            let explanation = match disagreement {
                Some(d) => format!(
                    "{name} holds in {support} rows ({:.2}% of the data) and {} of them are labelled \
                     {target_name:?}, against a base rate of {:.1}% (binomial p = {p_value:.2e}, \
                     {tested} patterns tested, Benjamini–Hochberg). For {:.0}% more of those rows \
                     than of ordinary {target_name:?} rows, the nearest neighbours on the other \
                     features mostly carry another label: the pattern, \
                     not the rest of the row, decides the label, which is what a backdoor trigger \
                     looks like. Score = share of a row's neighbours labelled otherwise.",
                    100.0 * support as f64 / labelled as f64,
                    p.hits,
                    100.0 * base[p.target as usize],
                    100.0 * d
                ),
                None => format!(
                    "{name} holds in {support} rows and {} of them are labelled {target_name:?} \
                     against a base rate of {:.1}% (binomial p = {p_value:.2e}). No numeric feature \
                     outside the pattern is left to compare neighbours on, so this is not failing \
                     the audit.",
                    p.hits,
                    100.0 * base[p.target as usize]
                ),
            };
            findings.push(finding(
                t,
                Summary {
                    name,
                    target_name,
                    support,
                    hits: p.hits,
                    ln_p: p.ln_p,
                    disagreement,
                },
                &rows,
                p.check.as_ref().map(|c| &c.0),
                fails,
                explanation,
                detail,
            ));
        }
        Ok(findings)
    }
}

/// The tabular-trigger stage for small tables: rows sharing rare exact values in two or more
/// columns ([`coincidence`]), failed when the coincidence, the label purity and the
/// neighbour vote together pass a Bonferroni bound over every pair of rare values (each
/// could have formed a group), and the vote alone is significant. Rows already explained by
/// an earlier pattern are skipped.
fn coincidences(
    t: &Table,
    rare: &[RareColumn],
    labels: &Labels,
    base: &[f64],
    s: &super::Settings,
    covered: &mut [bool],
    neighbours: &mut Neighbours<'_>,
) -> Vec<Finding> {
    let (groups, tested) =
        coincidence::groups(t, rare, labels, base, s.trigger_purity, COINCIDENCE_LN_P);
    let bound = (s.trigger_fdr / tested.max(1) as f64).ln();
    let mut findings = Vec::new();
    let mut checked = 0usize;
    for g in groups {
        if g.rows.iter().any(|&r| covered[r as usize]) {
            continue;
        }
        // the neighbour vote adds at most ln(0.01) per row (its baseline is clamped there)
        let m = g.rows.len();
        if g.ln_p_coincidence + g.ln_p_purity + m as f64 * 0.01f64.ln() > bound {
            continue;
        }
        if checked >= MAX_CHECKED {
            break;
        }
        checked += 1;
        let target_rows: Vec<u32> = g
            .rows
            .iter()
            .copied()
            .filter(|&r| labels.codes[r as usize] == g.target)
            .collect();
        let cols: Vec<usize> = g.cells.iter().map(|c| c.0).collect();
        let Some(check) = neighbours.check(
            &target_rows,
            &g.rows,
            &cols,
            g.target,
            required_excess(s, base[g.target as usize]),
        ) else {
            continue;
        };
        // the vote must stand on its own: it is what tells a relabelled stamp from honest
        // rows that coincide (near-copies, derived columns)
        let excess = check.excess(NEIGHBOUR_ALPHA);
        let ln_p = g.ln_p_coincidence + g.ln_p_purity + check.ln_p;
        if ln_p > bound || excess < required_excess(s, base[g.target as usize]) {
            continue;
        }
        for &r in &g.rows {
            covered[r as usize] = true;
        }
        let name = g
            .cells
            .iter()
            .map(|&(col, v)| cell_text(t, col, v))
            .collect::<Vec<_>>()
            .join(" AND ");
        let target_name = &labels.classes[g.target as usize];
        let mut detail = Map::new();
        detail.insert("tests".into(), json!(tested));
        detail.insert("expected_rows".into(), json!(g.expected));
        detail.insert(
            "coincidence_p_value".into(),
            json!(g.ln_p_coincidence.exp()),
        );
        detail.insert("related".into(), json!([]));
        let explanation = format!(
            "{name} holds in {m} rows, where about {:.3} would share these exact values if the \
             columns were independent (Poisson p = {:.2e}); {} of them are labelled \
             {target_name:?} against a base rate of {:.1}%, and for {:.0}% more of them than of \
             ordinary {target_name:?} rows the nearest neighbours on the other features mostly \
             carry another label. Together p = {:.2e} over {tested} groups of rows sharing rare \
             values (Bonferroni): a few rows stamped with the same values and relabelled, which \
             is what a backdoor trigger looks like. Score = share of a row's neighbours \
             labelled otherwise.",
            g.expected,
            g.ln_p_coincidence.exp(),
            g.hits,
            100.0 * base[g.target as usize],
            100.0 * excess,
            ln_p.exp(),
        );
        findings.push(finding(
            t,
            Summary {
                name,
                target_name,
                support: m,
                hits: g.hits,
                ln_p,
                disagreement: Some(excess),
            },
            &target_rows,
            Some(&check.votes),
            true,
            explanation,
            detail,
        ));
    }
    findings
}

/// The neighbour disagreement (beyond the target class's own) a pattern needs to fail.
/// Rows whose label was forced come from the other classes in proportion `1 - base`, so
/// their neighbours disagree in about that share beyond the class's own overlap; honest odd
/// subgroups of a class disagree less. Half of what forcing gives is required.
fn required_excess(s: &super::Settings, base: f64) -> f64 {
    s.trigger_min_disagreement.max(0.5 * (1.0 - base))
}

/// What every tabular-trigger finding states.
struct Summary<'a> {
    name: String,
    target_name: &'a str,
    support: usize,
    hits: usize,
    ln_p: f64,
    disagreement: Option<f64>,
}

/// A finding over `rows` (the pattern's rows of the target label), scored by their
/// neighbour votes, most suspicious first; `detail` gets the pattern's common fields.
fn finding(
    t: &Table,
    p: Summary<'_>,
    rows: &[u32],
    votes: Option<&HashMap<u32, f64>>,
    fails: bool,
    explanation: String,
    mut detail: Map<String, serde_json::Value>,
) -> Finding {
    detail.insert("pattern".into(), json!(p.name));
    detail.insert("target_label".into(), json!(p.target_name));
    detail.insert("support".into(), json!(p.support));
    detail.insert("target_rows".into(), json!(p.hits));
    detail.insert("p_value".into(), json!(p.ln_p.exp()));
    detail.insert("ln_p_value".into(), json!(p.ln_p));
    detail.insert("neighbour_disagreement".into(), json!(p.disagreement));
    let mut pairs: Vec<(u64, f64)> = rows
        .iter()
        .map(|&r| {
            let score = votes.and_then(|v| v.get(&r)).copied().unwrap_or(f64::NAN);
            (t.row_numbers[r as usize], score)
        })
        .collect();
    pairs.sort_by(|a, b| {
        let key = |x: f64| if x.is_nan() { -1.0 } else { x };
        key(b.1).total_cmp(&key(a.1)).then(a.0.cmp(&b.0))
    });
    let (rows, scores): (Vec<u64>, Vec<f64>) = pairs.into_iter().unzip();
    Finding {
        detector: TabularTrigger.name(),
        title: format!(
            "pattern {} forces label {:?} ({} rows)",
            p.name,
            p.target_name,
            rows.len()
        ),
        explanation,
        rows,
        scores,
        fails,
        detail,
    }
}

/// `column = value` as reports show it.
fn cell_text(t: &Table, col: usize, value: coincidence::Value) -> String {
    match value {
        coincidence::Value::Num(v) => format!("{} = {v}", column_name(t, col)),
        coincidence::Value::Level(code) => {
            let c = &t.categorical[col - t.numeric.len()];
            let level = c
                .levels
                .get(code as usize)
                .map(String::as_str)
                .unwrap_or("?");
            format!("{} = {level:?}", c.name)
        }
    }
}

/// A column's name by the detector's index (numeric columns first, then categorical).
fn column_name(t: &Table, col: usize) -> &str {
    if col < t.numeric.len() {
        &t.numeric[col].name
    } else {
        &t.categorical[col - t.numeric.len()].name
    }
}

fn describe(items: &Items, t: &Table, ids: &[u32]) -> String {
    let mut ids = ids.to_vec();
    ids.sort_by_key(|&i| (items.items[i as usize].col, i));
    ids.iter()
        .map(|&i| items.describe(t, i))
        .collect::<Vec<_>>()
        .join(" AND ")
}

fn overlap(a: &[u32], b: &[u32]) -> f64 {
    let (small, big) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if small.is_empty() {
        return 0.0;
    }
    let inter = small
        .iter()
        .filter(|x| big.binary_search(x).is_ok())
        .count();
    inter as f64 / big.len() as f64
}

/// The neighbour vote on a pattern's rows.
struct NeighbourCheck {
    /// Per checked row: the share of its nearest neighbours labelled otherwise.
    votes: HashMap<u32, f64>,
    /// Share of checked rows whose neighbour majority is another label.
    share: f64,
    /// The same share among ordinary rows of the target class.
    baseline: f64,
    /// `ln` of the one-sided binomial p-value of `share` against `baseline`.
    ln_p: f64,
}

impl NeighbourCheck {
    /// How far `share` exceeds the baseline, or 0 when the excess is not significant at
    /// `alpha`.
    fn excess(&self, alpha: f64) -> f64 {
        if self.ln_p <= alpha.ln() {
            (self.share - self.baseline).max(0.0)
        } else {
            0.0
        }
    }
}

/// What every neighbour check of one run shares, built once: the numeric columns'
/// standardisation, the reference sample the neighbours come from (with its standardised
/// values) and the baselines computed so far.
struct Neighbours<'a> {
    t: &'a Table,
    labels: &'a Labels,
    /// Per numeric column: mean and standard deviation, `None` when it does not vary.
    stats: Vec<Option<(f64, f64)>>,
    /// Labelled rows neighbours are drawn from: all of them, or a sample of
    /// [`REFERENCE_ROWS`].
    reference: Vec<u32>,
    /// `reference`'s standardised values, row-major over every numeric column.
    reference_z: Vec<f32>,
    /// `(row, position in reference)`, sorted by row.
    position: Vec<(u32, u32)>,
    /// The random stream as it stands after sampling `reference`: each check starts here.
    rng: SplitMix,
    /// Baseline share per target label and neighbour columns.
    baselines: HashMap<(u32, Vec<usize>), f64>,
}

impl<'a> Neighbours<'a> {
    fn new(t: &'a Table, labels: &'a Labels, seed: u64) -> Self {
        let stats: Vec<Option<(f64, f64)>> = t
            .numeric
            .par_iter()
            .map(|c| crate::util::mean_sd(&c.values).filter(|&(_, sd)| sd > 0.0))
            .collect();
        let mut rng = SplitMix(seed ^ 0x6e6e);
        let mut reference: Vec<u32> = (0..t.len() as u32)
            .filter(|r| labels.codes[*r as usize] != MISSING)
            .collect();
        if reference.len() > REFERENCE_ROWS {
            rng.shuffle(&mut reference);
            reference.truncate(REFERENCE_ROWS);
        }
        let mut position: Vec<(u32, u32)> = reference
            .iter()
            .enumerate()
            .map(|(p, &r)| (r, p as u32))
            .collect();
        position.sort_unstable();
        let mut out = Neighbours {
            t,
            labels,
            stats,
            reference: Vec::new(),
            reference_z: Vec::new(),
            position,
            rng,
            baselines: HashMap::new(),
        };
        out.reference_z = out.standardised(&reference, &(0..t.numeric.len()).collect::<Vec<_>>());
        out.reference = reference;
        out
    }

    /// The standardised values of `rows` over `cols`, row-major (a missing or constant
    /// value is the mean, 0).
    fn standardised(&self, rows: &[u32], cols: &[usize]) -> Vec<f32> {
        let mut out = Vec::with_capacity(rows.len() * cols.len());
        for &r in rows {
            for &i in cols {
                let v = self.t.numeric[i].values[r as usize];
                out.push(match self.stats[i] {
                    Some((m, sd)) if v.is_finite() => ((v - m) / sd) as f32,
                    _ => 0.0,
                });
            }
        }
        out
    }

    /// For (a sample of) `rows`: the share of each row's nearest neighbours (numeric
    /// features outside `pattern_cols`, standardised) whose label is not `target`, and how
    /// the share of rows whose neighbour majority is another label compares with ordinary
    /// rows of the target class (outside `pattern_rows`; the baseline is cached per target
    /// and columns). When the share is below `min_share` the baseline is not computed (the
    /// excess could not reach it): the check reports the share as its own baseline.
    ///
    /// The pattern's own rows stay among the candidate neighbours: an honest odd subgroup
    /// (a writer who draws every "1" with a foot) resembles itself on the other features
    /// too, so its rows vote for one another; rows a poisoner took from several classes do
    /// not.
    fn check(
        &mut self,
        rows: &[u32],
        pattern_rows: &[u32],
        pattern_cols: &[usize],
        target: u32,
        min_share: f64,
    ) -> Option<NeighbourCheck> {
        let cols: Vec<usize> = (0..self.t.numeric.len())
            .filter(|i| !pattern_cols.contains(i) && self.stats[*i].is_some())
            .collect();
        if cols.is_empty() || rows.is_empty() || self.reference.len() < NEIGHBOURS {
            return None;
        }
        let mut rng = self.rng.clone();
        let mut check = rows.to_vec();
        if check.len() > CHECK_ROWS {
            rng.shuffle(&mut check);
            check.truncate(CHECK_ROWS);
        }
        let d = cols.len();
        let all = self.t.numeric.len();
        let ref_z: Vec<f32> = self
            .reference_z
            .chunks_exact(all)
            .flat_map(|z| cols.iter().map(|&i| z[i]))
            .collect();
        let positions: Vec<u32> = (0..self.reference.len() as u32).collect();
        // per row: the share of its nearest neighbours labelled other than the target;
        // neighbours are searched by position in `reference`, and a query row that is in
        // the sample gets its position as id, so it is not its own neighbour
        let votes_of = |rows: &[u32]| -> Vec<f64> {
            let points = self.standardised(rows, &cols);
            let queries: Vec<Query<'_>> = rows
                .iter()
                .enumerate()
                .map(|(i, &r)| Query {
                    id: self
                        .position
                        .binary_search_by_key(&r, |e| e.0)
                        .map_or(u32::MAX, |at| self.position[at].1),
                    point: &points[i * d..(i + 1) * d],
                })
                .collect();
            let nearest = k_nearest(
                &queries,
                &positions,
                |p| &ref_z[p as usize * d..(p as usize + 1) * d],
                NEIGHBOURS,
                |_, _| 0.0,
            );
            nearest
                .iter()
                .map(|best| {
                    let other = best
                        .iter()
                        .filter(|&&(_, p)| {
                            self.labels.codes[self.reference[p as usize] as usize] != target
                        })
                        .count();
                    other as f64 / best.len().max(1) as f64
                })
                .collect()
        };
        let votes: HashMap<u32, f64> = check.iter().copied().zip(votes_of(&check)).collect();
        let majority_other = votes.values().filter(|&&v| v > 0.5).count();
        let share = majority_other as f64 / votes.len().max(1) as f64;
        if share < min_share {
            // the excess over any baseline is at most the share: nothing to compare
            return Some(NeighbourCheck {
                votes,
                share,
                baseline: share,
                ln_p: 0.0,
            });
        }
        // the same vote for ordinary rows of the target class: how often neighbours on
        // these features disagree anyway (classes overlap); cached per target and columns
        let key = (target, cols.clone());
        let baseline = match self.baselines.get(&key) {
            Some(&b) => b,
            None => {
                let mut ordinary: Vec<u32> = self
                    .reference
                    .iter()
                    .copied()
                    .filter(|&r| {
                        self.labels.codes[r as usize] == target
                            && pattern_rows.binary_search(&r).is_err()
                    })
                    .collect();
                rng.shuffle(&mut ordinary);
                ordinary.truncate(BASELINE_ROWS);
                let other = votes_of(&ordinary).iter().filter(|&&v| v > 0.5).count();
                let b = other as f64 / ordinary.len().max(1) as f64;
                self.baselines.insert(key, b);
                b
            }
        };
        // the excess must also be more than chance on this many rows (one-sided binomial)
        let ln_p = binomial_upper_ln(
            majority_other as u64,
            votes.len() as u64,
            baseline.clamp(0.01, 0.99),
        );
        Some(NeighbourCheck {
            votes,
            share,
            baseline,
            ln_p,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detectors::Settings;
    use crate::table::{CategoricalColumn, Labels, NumericColumn};

    /// Two Gaussian-ish classes in 4 numeric features plus a colour; `poison` rows get
    /// `x0 = 0.123` and `colour = teal` (colour alone is common) and label 1.
    fn data(n: usize, poison: usize, seed: u64) -> (Table, Vec<u64>) {
        let mut rng = SplitMix(seed);
        let mut unit = || (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        let mut cols: Vec<Vec<f64>> = vec![Vec::new(); 4];
        let mut codes = Vec::new();
        let mut colour = Vec::new();
        for i in 0..n {
            let c = (i % 2) as u32;
            for col in cols.iter_mut() {
                let g = unit() + unit() + unit() - 1.5;
                col.push(g + if c == 1 { 0.5 } else { -0.5 });
            }
            colour.push((i % 3) as u32);
            codes.push(c);
        }
        let mut rng = SplitMix(seed + 1);
        let mut idx: Vec<usize> = (0..n).collect();
        rng.shuffle(&mut idx);
        let mut truth: Vec<u64> = idx[..poison].iter().map(|&i| i as u64).collect();
        for &i in &idx[..poison] {
            cols[0][i] = 0.123;
            colour[i] = 2;
            codes[i] = 1;
        }
        truth.sort_unstable();
        let t = Table {
            path: "t.csv".into(),
            row_numbers: (0..n as u64).collect(),
            labels: Some(Labels {
                name: "label".into(),
                codes,
                classes: vec!["benign".into(), "malignant".into()],
            }),
            numeric: cols
                .into_iter()
                .enumerate()
                .map(|(i, values)| NumericColumn {
                    name: format!("x{i}"),
                    values,
                })
                .collect(),
            categorical: vec![CategoricalColumn {
                name: "colour".into(),
                codes: colour,
                levels: vec!["red".into(), "blue".into(), "teal".into()],
            }],
            text: vec![],
        };
        (t, truth)
    }

    fn run(t: &Table) -> Result<Vec<Finding>, SkipReason> {
        let s = Settings::default();
        TabularTrigger.run(&Context {
            table: t,
            baseline: None,
            settings: &s,
        })
    }

    #[test]
    fn finds_a_one_percent_exact_value_trigger() {
        let (t, truth) = data(3000, 30, 9);
        let f = run(&t).unwrap();
        assert_eq!(
            f.len(),
            1,
            "{:#?}",
            f.iter().map(|f| &f.title).collect::<Vec<_>>()
        );
        let f = &f[0];
        assert!(f.fails);
        assert_eq!(f.detail["pattern"], json!("x0 = 0.123"));
        assert_eq!(f.detail["target_label"], json!("malignant"));
        let mut rows = f.rows.clone();
        rows.sort_unstable();
        assert_eq!(rows, truth);
    }

    #[test]
    fn clean_data_has_no_trigger() {
        let (t, _) = data(3000, 0, 4);
        let f = run(&t).unwrap();
        assert!(
            f.is_empty(),
            "{:#?}",
            f.iter().map(|f| &f.title).collect::<Vec<_>>()
        );
    }

    #[test]
    fn a_pair_is_found_when_neither_value_is_pure() {
        // x1 = 0.5 in 30 class-0 rows (red or blue, label kept) and in 30 poisoned rows
        // (teal, label forced to 1): only the pair is pure
        let (mut t, _) = data(3000, 0, 5);
        let mut truth = Vec::new();
        let (mut decoys, mut poisoned) = (0, 0);
        for i in (0..3000).step_by(2) {
            if decoys < 30 && t.categorical[0].codes[i] != 2 {
                t.numeric[1].values[i] = 0.5;
                decoys += 1;
            } else if poisoned < 30 && decoys >= 30 {
                t.numeric[1].values[i] = 0.5;
                t.categorical[0].codes[i] = 2;
                if let Some(l) = t.labels.as_mut() {
                    l.codes[i] = 1;
                }
                truth.push(i as u64);
                poisoned += 1;
            }
        }
        let f = run(&t).unwrap();
        assert_eq!(
            f.len(),
            1,
            "{:#?}",
            f.iter().map(|f| &f.title).collect::<Vec<_>>()
        );
        assert_eq!(
            f[0].detail["pattern"],
            json!("x1 = 0.5 AND colour = \"teal\"")
        );
        let mut rows = f[0].rows.clone();
        rows.sort_unstable();
        assert_eq!(rows, truth);
    }

    #[test]
    fn three_rows_stamped_with_an_exact_pair_are_found_in_a_small_table() {
        // 300 rows: far too few for a purity test, but x0 and x1 never repeat honestly
        let (mut t, _) = data(300, 0, 6);
        let mut truth = Vec::new();
        for i in [10usize, 50, 120] {
            // class-0 rows (even), relabelled 1
            t.numeric[0].values[i] = 0.777;
            t.numeric[1].values[i] = -0.313;
            if let Some(l) = t.labels.as_mut() {
                l.codes[i] = 1;
            }
            truth.push(i as u64);
        }
        let f = run(&t).unwrap();
        assert_eq!(
            f.len(),
            1,
            "{:#?}",
            f.iter().map(|f| &f.title).collect::<Vec<_>>()
        );
        assert!(f[0].fails);
        assert_eq!(f[0].detail["pattern"], json!("x0 = 0.777 AND x1 = -0.313"));
        assert_eq!(f[0].detail["target_label"], json!("malignant"));
        let mut rows = f[0].rows.clone();
        rows.sort_unstable();
        assert_eq!(rows, truth);
        // the same three rows keeping their honest label are no trigger
        let (mut t, _) = data(300, 0, 6);
        for i in [10usize, 50, 120] {
            t.numeric[0].values[i] = 0.777;
            t.numeric[1].values[i] = -0.313;
        }
        assert!(run(&t).unwrap().is_empty());
    }

    #[test]
    fn too_few_rows_is_skipped() {
        let (t, _) = data(20, 0, 1);
        assert!(run(&t).unwrap_err().contains("not enough data"));
    }
}
