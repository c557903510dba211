//! Near duplicates: rows that are almost, but not exactly, the same.
//!
//! **What it catches.** Lightly edited copies: a review with a word changed, a row of
//! measurements nudged in the last digits. As with exact duplicates, a group of near
//! duplicates whose labels differ (*conflicting near duplicates*) fails the audit: a
//! poisoner who copies rows, perturbs them slightly to dodge exact matching and flips
//! their label leaves this trace. Plain near-duplicate groups are reported but do not
//! fail the audit (they are common in honest data).
//!
//! **How, for text** (when text columns are named; all text columns of a row are one
//! document). Each document is a *multiset of words* (tokens as the encoder splits them;
//! the i-th repeat of a word is its own element), so changing one word in twenty leaves a
//! Jaccard similarity of 18/22 ≈ 0.82, and inserting or deleting one leaves 0.95. MinHash
//! with 128 seeded permutations (`a·x + b` over 64-bit token hashes) estimates that
//! similarity; LSH banding (b bands of r rows, chosen so that a pair at the threshold
//! becomes a candidate with probability ≥ 0.995) finds candidate pairs without comparing
//! all pairs. Every candidate is then verified by its *exact* multiset Jaccard, so the
//! pairs reported really are above [`Settings::near_duplicate_jaccard`] (default 0.8).
//! Bands are processed 8 at a time: memory is ~40 bytes per row, whatever the text size.
//! Pairs are joined into groups (union–find); buckets larger than 32 rows are checked
//! along a chain (each row against the bucket's first and the previous row) so that a
//! thousand identical templates cost a thousand comparisons, not half a million.
//!
//! **How, for numeric rows** (when no text column is named). Features are standardised
//! (mean/std over the column) and rounded to a grid of [`Settings::near_duplicate_eps`]
//! standard deviations; rows in the same cell of the grid, or of the grid shifted by half
//! a cell, are near duplicates (every feature within `eps` standard deviations);
//! categorical features must match exactly; constant columns are ignored. Rows that are
//! exact copies are left to `exact_duplicates`.
//!
//! **Needs.** Text columns with words, or at least one non-constant numeric feature.
//!
//! **Blind spots.** Word-level: a paraphrase with different words, or character-level
//! edits in every word, is not similar; very short texts (a few words) jump across the
//! threshold with one edit. The numeric grid finds rows within `eps` in *every* feature:
//! one feature moved far hides a copy. In low dimensions with many rows, honest rows are
//! naturally that close: the group share is then reported as coarse and conflicts do not
//! fail the audit.
//!
//! [`Settings::near_duplicate_jaccard`]: super::Settings::near_duplicate_jaccard
//! [`Settings::near_duplicate_eps`]: super::Settings::near_duplicate_eps

use std::collections::HashMap;

use rayon::prelude::*;
use serde_json::{json, Map, Value};

use super::exact_duplicates::{GroupFindings, MAX_LISTED_GROUPS};
use super::{Context, Detector, SkipReason};
use crate::finding::Finding;
use crate::model::SplitMix;
use crate::table::Table;
use crate::util::{combine, for_each_token, mix64, row_text, rows_equal, UnionFind};

/// The near-duplicate detector.
pub struct NearDuplicates;

/// MinHash permutations.
const NUM_PERM: usize = 128;
/// LSH bands hashed per pass over the rows.
const BANDS_PER_PASS: usize = 8;
/// Buckets up to this size are verified pair by pair; larger ones along a chain.
const ALL_PAIRS_MAX: usize = 32;

/// The sorted multiset of a row's word hashes (each repeat tagged with its occurrence).
fn shingles(table: &Table, row: usize) -> Vec<u64> {
    let mut words = Vec::new();
    for text in row_text(table, row) {
        for_each_token(text, |h, _| words.push(h));
    }
    words.sort_unstable();
    let mut out = Vec::with_capacity(words.len());
    let mut occ = 0u64;
    for i in 0..words.len() {
        occ = if i > 0 && words[i] == words[i - 1] {
            occ + 1
        } else {
            0
        };
        out.push(if occ == 0 {
            words[i]
        } else {
            combine(words[i], occ)
        });
    }
    out.sort_unstable();
    out
}

/// Jaccard similarity of two sorted sets.
fn jaccard(a: &[u64], b: &[u64]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    let (mut i, mut j, mut inter) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                inter += 1;
                i += 1;
                j += 1;
            }
        }
    }
    inter as f64 / (a.len() + b.len() - inter) as f64
}

/// Rows per band `r` for a threshold: the largest `r` such that a pair at the threshold
/// becomes a candidate with probability at least 0.995 with `NUM_PERM / r` bands.
fn rows_per_band(threshold: f64) -> usize {
    for r in (1..=16).rev() {
        let b = NUM_PERM / r;
        let p = 1.0 - (1.0 - threshold.powi(r as i32)).powi(b as i32);
        if p >= 0.995 {
            return r;
        }
    }
    1
}

/// Candidate pairs from one band's keys: rows with equal keys.
fn band_pairs(mut keyed: Vec<(u32, u32)>) -> Vec<(u32, u32)> {
    keyed.par_sort_unstable();
    let mut pairs = Vec::new();
    let mut i = 0;
    while i < keyed.len() {
        let mut j = i + 1;
        while j < keyed.len() && keyed[j].0 == keyed[i].0 {
            j += 1;
        }
        let run = &keyed[i..j];
        if run.len() <= ALL_PAIRS_MAX {
            for a in 0..run.len() {
                for b in a + 1..run.len() {
                    pairs.push((run[a].1, run[b].1));
                }
            }
        } else {
            for b in 1..run.len() {
                pairs.push((run[0].1, run[b].1));
                if b > 1 {
                    pairs.push((run[b - 1].1, run[b].1));
                }
            }
        }
        i = j;
    }
    pairs
}

/// Text near duplicates: verified pairs `(a, b, jaccard)` (table indices, a < b).
fn text_pairs(table: &Table, threshold: f64, seed: u64) -> Vec<(u32, u32, f64)> {
    let n = table.len();
    let r = rows_per_band(threshold);
    let bands = NUM_PERM / r;
    let mut rng = SplitMix(seed ^ 0x6e65_6172);
    let perms: Vec<(u64, u64)> = (0..bands * r)
        .map(|_| (rng.next_u64() | 1, rng.next_u64()))
        .collect();
    let mut uf = UnionFind::new(n);
    let mut verified = Vec::new();
    let mut band = 0;
    while band < bands {
        let group = BANDS_PER_PASS.min(bands - band);
        let perm_slice = &perms[band * r..(band + group) * r];
        // per row: `group` band keys, or None for rows without words
        let keys: Vec<Option<Vec<u32>>> = (0..n)
            .into_par_iter()
            .map(|row| {
                let sh = shingles(table, row);
                if sh.is_empty() {
                    return None;
                }
                let mut mins = vec![u64::MAX; perm_slice.len()];
                for &x in &sh {
                    for (m, &(a, b)) in mins.iter_mut().zip(perm_slice) {
                        let v = a.wrapping_mul(x).wrapping_add(b);
                        if v < *m {
                            *m = v;
                        }
                    }
                }
                Some(
                    mins.chunks(r)
                        .map(|c| c.iter().fold(0x9e37_79b9u64, |h, &m| combine(h, m >> 32)) as u32)
                        .collect(),
                )
            })
            .collect();
        for g in 0..group {
            let keyed: Vec<(u32, u32)> = keys
                .iter()
                .enumerate()
                .filter_map(|(row, k)| k.as_ref().map(|k| (k[g], row as u32)))
                .collect();
            let mut pairs = band_pairs(keyed);
            pairs.retain(|&(a, b)| uf.find(a) != uf.find(b));
            pairs.sort_unstable();
            pairs.dedup();
            let checked: Vec<(u32, u32, f64)> = pairs
                .par_iter()
                .filter_map(|&(a, b)| {
                    let (a, b) = (a.min(b), a.max(b));
                    if rows_equal(table, a as usize, b as usize) {
                        return None; // an exact duplicate: exact_duplicates reports it
                    }
                    let j = jaccard(&shingles(table, a as usize), &shingles(table, b as usize));
                    (j >= threshold).then_some((a, b, j))
                })
                .collect();
            for (a, b, j) in checked {
                if uf.union(a, b) {
                    verified.push((a, b, j));
                }
            }
        }
        band += group;
    }
    verified
}

/// Numeric near duplicates: pairs `(a, b, closeness)` joining rows that share a grid
/// cell, where closeness = 1 − (largest standardised difference / eps).
fn numeric_pairs(table: &Table, eps: f64) -> Option<Vec<(u32, u32, f64)>> {
    let n = table.len();
    let stats: Vec<(usize, f64, f64)> = table
        .numeric
        .iter()
        .enumerate()
        .filter_map(|(i, c)| {
            let (mean, std) = crate::util::mean_sd(&c.values)?;
            (std > 1e-12 * mean.abs().max(1.0)).then_some((i, mean, std))
        })
        .collect();
    if stats.is_empty() {
        return None;
    }
    let z =
        |row: usize, (i, mean, std): (usize, f64, f64)| (table.numeric[i].values[row] - mean) / std;
    let mut uf = UnionFind::new(n);
    let mut out = Vec::new();
    for offset in [0.0, 0.5] {
        let mut keyed: Vec<(u64, u32)> = (0..n)
            .into_par_iter()
            .map(|row| {
                let mut h = 0x51ed_2701u64;
                for &s in &stats {
                    let v = z(row, s);
                    let cell = if v.is_nan() {
                        i64::MIN
                    } else {
                        (v / eps + offset).floor() as i64
                    };
                    h = combine(h, cell as u64);
                }
                for c in &table.categorical {
                    h = combine(h, mix64(c.codes[row] as u64));
                }
                (h, row as u32)
            })
            .collect();
        keyed.par_sort_unstable();
        let mut i = 0;
        while i < keyed.len() {
            let mut j = i + 1;
            while j < keyed.len() && keyed[j].0 == keyed[i].0 {
                j += 1;
            }
            if j - i > 1 {
                let first = keyed[i].1 as usize;
                for &(_, r) in &keyed[i + 1..j] {
                    let r = r as usize;
                    if rows_equal(table, first, r) || uf.find(first as u32) == uf.find(r as u32) {
                        continue;
                    }
                    let mut d: f64 = 0.0;
                    let mut same = true;
                    for &s in &stats {
                        let (a, b) = (z(first, s), z(r, s));
                        if a.is_nan() != b.is_nan() {
                            same = false;
                        } else if !a.is_nan() {
                            d = d.max((a - b).abs());
                        }
                    }
                    same &= table
                        .categorical
                        .iter()
                        .all(|c| c.codes[first] == c.codes[r]);
                    if same && d <= eps {
                        uf.union(first as u32, r as u32);
                        let (a, b) = (first.min(r) as u32, first.max(r) as u32);
                        out.push((a, b, 1.0 - d / eps));
                    }
                }
            }
            i = j;
        }
    }
    Some(out)
}

impl Detector for NearDuplicates {
    fn name(&self) -> &'static str {
        "near_duplicates"
    }

    fn run(&self, ctx: &Context<'_>) -> Result<Vec<Finding>, SkipReason> {
        let t = ctx.table;
        let s = ctx.settings;
        if t.len() < 2 {
            return Err(format!("not enough data: {} rows", t.len()));
        }
        let (pairs, what) = if !t.text.is_empty() {
            if !(0.0..=1.0).contains(&s.near_duplicate_jaccard) {
                return Err(format!(
                    "the Jaccard threshold must be between 0 and 1, got {}",
                    s.near_duplicate_jaccard
                ));
            }
            let has_words =
                (0..t.len()).any(|r| row_text(t, r).any(|x| x.chars().any(char::is_alphanumeric)));
            if !has_words {
                return Err("the text columns hold no words (every value is empty)".into());
            }
            (
                text_pairs(t, s.near_duplicate_jaccard, s.seed),
                "nearly identical",
            )
        } else {
            if s.near_duplicate_eps.is_nan() || s.near_duplicate_eps <= 0.0 {
                return Err(format!(
                    "the numeric tolerance must be positive, got {}",
                    s.near_duplicate_eps
                ));
            }
            match numeric_pairs(t, s.near_duplicate_eps) {
                Some(p) => (p, "nearly identical"),
                None => {
                    return Err(
                        "no text column and no numeric feature that varies: nothing to compare"
                            .into(),
                    )
                }
            }
        };
        let mut uf = UnionFind::new(t.len());
        let mut best: HashMap<u32, f64> = HashMap::new();
        for &(a, b, sim) in &pairs {
            uf.union(a, b);
            for r in [a, b] {
                let e = best.entry(r).or_insert(0.0);
                *e = e.max(sim);
            }
        }
        let groups = uf.groups();
        let mut findings = GroupFindings {
            detector: self.name(),
            what,
            extra: None,
        }
        .build(ctx, &groups, &|_, r| best.get(&r).copied().unwrap_or(0.0));
        let listed: Vec<Value> = pairs
            .iter()
            .take(MAX_LISTED_GROUPS)
            .map(|&(a, b, sim)| {
                json!({
                    "rows": [t.row_numbers[a as usize], t.row_numbers[b as usize]],
                    "similarity": sim,
                })
            })
            .collect();
        let mut extra = Map::new();
        extra.insert("pairs_total".into(), json!(pairs.len()));
        extra.insert("pairs".into(), Value::Array(listed));
        extra.insert(
            "method".into(),
            json!(if t.text.is_empty() {
                format!("numeric grid, eps = {} std", s.near_duplicate_eps)
            } else {
                format!(
                    "MinHash/LSH over word multisets, Jaccard >= {}",
                    s.near_duplicate_jaccard
                )
            }),
        );
        for f in &mut findings {
            f.detail.extend(extra.clone());
            // plain near duplicates are information; only conflicts fail
            if !f.title.contains("conflicting") {
                f.fails = false;
            }
        }
        Ok(findings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detectors::Settings;
    use crate::table::{Labels, NumericColumn, TextColumn};

    fn words(rng: &mut SplitMix, n: usize) -> Vec<String> {
        (0..n).map(|_| format!("w{}", rng.below(5000))).collect()
    }

    fn text_table(texts: Vec<String>, labels: Vec<u32>) -> Table {
        Table {
            path: "t.csv".into(),
            row_numbers: (0..texts.len() as u64).collect(),
            labels: Some(Labels {
                name: "label".into(),
                codes: labels,
                classes: vec!["a".into(), "b".into()],
            }),
            numeric: vec![],
            categorical: vec![],
            text: vec![TextColumn {
                name: "t".into(),
                values: texts,
            }],
        }
    }

    fn run(t: &Table) -> Vec<Finding> {
        let s = Settings::default();
        NearDuplicates
            .run(&Context {
                table: t,
                baseline: None,
                settings: &s,
            })
            .unwrap()
    }

    #[test]
    fn finds_edited_copies_with_high_recall() {
        // 300 random 20-word texts; 100 copies with 1 or 2 words substituted (≤ 10%)
        let mut rng = SplitMix(7);
        let mut texts: Vec<String> = (0..300).map(|_| words(&mut rng, 20).join(" ")).collect();
        let mut labels: Vec<u32> = (0..300).map(|i| (i % 2) as u32).collect();
        let mut truth = Vec::new();
        for i in 0..100 {
            let src = i * 3;
            let mut w: Vec<String> = texts[src].split(' ').map(String::from).collect();
            for _ in 0..1 + i % 2 {
                let at = rng.below(w.len());
                w[at] = format!("x{}", rng.below(1000));
            }
            truth.push((src as u32, texts.len() as u32));
            texts.push(w.join(" "));
            // the first 10 copies flip the label
            labels.push(if i < 10 { 1 - labels[src] } else { labels[src] });
        }
        let t = text_table(texts, labels);
        let pairs = text_pairs(&t, 0.8, 1);
        let found = truth
            .iter()
            .filter(|&&(a, b)| pairs.iter().any(|&(x, y, _)| (x, y) == (a, b)))
            .count();
        // two substitutions in 20 words give Jaccard 18/22 = 0.818 > 0.8: all are found
        assert_eq!(found, 100, "recall {found}/100");
        assert_eq!(pairs.len(), 100, "no pair between unrelated texts");
        let f = run(&t);
        let conflict = &f[0];
        assert!(conflict.fails && conflict.title.contains("conflicting"));
        assert_eq!(conflict.rows.len(), 10);
        let plain = &f[1];
        assert!(!plain.fails);
        assert_eq!(plain.detail["pairs_total"], json!(100));
    }

    #[test]
    fn band_choice_reaches_the_threshold() {
        for t in [0.5, 0.7, 0.8, 0.9] {
            let r = rows_per_band(t);
            let b = NUM_PERM / r;
            assert!(1.0 - (1.0 - f64::powi(t, r as i32)).powi(b as i32) >= 0.995);
        }
        assert_eq!(rows_per_band(0.8), 6);
    }

    #[test]
    fn word_multiset_jaccard() {
        let t = text_table(
            vec![
                "a b c d".into(),
                "A b, c e".into(),
                "a a b".into(),
                "a b".into(),
            ],
            vec![0, 0, 0, 0],
        );
        assert!((jaccard(&shingles(&t, 0), &shingles(&t, 1)) - 3.0 / 5.0).abs() < 1e-12);
        // repeats count: {a, a#2, b} vs {a, b}
        assert!((jaccard(&shingles(&t, 2), &shingles(&t, 3)) - 2.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn numeric_rows_within_eps_are_grouped() {
        let mut rng = SplitMix(3);
        let n = 200;
        let mut x: Vec<f64> = (0..n)
            .map(|_| rng.below(1_000_000) as f64 / 1000.0)
            .collect();
        let mut y: Vec<f64> = (0..n)
            .map(|_| rng.below(1_000_000) as f64 / 1000.0)
            .collect();
        let mut u: Vec<f64> = (0..n + 2)
            .map(|_| rng.below(1_000_000) as f64 / 1000.0)
            .collect();
        let mut labels: Vec<u32> = (0..n).map(|i| (i % 2) as u32).collect();
        // three dimensions, so random rows are not within 1% of a std of each other
        u[200] = u[5];
        u[201] = u[6];
        // row 200 nudges row 5 by 0.1% of a std; row 201 copies row 6 exactly
        x.push(x[5] + 0.0003);
        y.push(y[5]);
        labels.push(1 - labels[5]);
        x.push(x[6]);
        y.push(y[6]);
        labels.push(labels[6]);
        let t = Table {
            path: "t.csv".into(),
            row_numbers: (0..x.len() as u64).collect(),
            labels: Some(Labels {
                name: "label".into(),
                codes: labels,
                classes: vec!["a".into(), "b".into()],
            }),
            numeric: vec![
                NumericColumn {
                    name: "x".into(),
                    values: x,
                },
                NumericColumn {
                    name: "y".into(),
                    values: y,
                },
                NumericColumn {
                    name: "u".into(),
                    values: u,
                },
            ],
            categorical: vec![],
            text: vec![],
        };
        let f = run(&t);
        assert_eq!(f.len(), 2, "{f:?}");
        assert_eq!(f[0].rows, vec![200]);
        assert!(f[0].fails);
        // the exact copy (row 201) is left to exact_duplicates
        assert_eq!(f[1].detail["pairs_total"], json!(1));
    }

    #[test]
    fn empty_text_is_skipped_with_a_reason() {
        let t = text_table(
            vec![String::new(), "  ".into(), String::new()],
            vec![0, 1, 0],
        );
        let s = Settings::default();
        let err = NearDuplicates
            .run(&Context {
                table: &t,
                baseline: None,
                settings: &s,
            })
            .unwrap_err();
        assert!(err.contains("no words"), "{err}");
    }
}
