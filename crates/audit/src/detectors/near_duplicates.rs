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
//! **How, for numeric rows** (when no text column is named). *The criterion*: two rows
//! are near duplicates when every standardised feature (value / the column's standard
//! deviation over the table) differs by at most `eps' = eps × 1.05`
//! ([`Settings::near_duplicate_eps`], default 0.01, so 0.0105 sd), missing values sit in
//! the same columns, categorical features are equal, and the rows are not exact copies
//! (those are `exact_duplicates`' finding). Constant columns are ignored. The 5% slack is
//! there because the sd the audit sees is not the one a copier saw: adding copies of a
//! share `f` of rows near the mean shrinks a column's sd by up to `f / 2`. Measured on the
//! red-team's `duplicates:mode=near` (uniform noise of ±1% of each float column's sd, rate
//! 2%), pairs reach 1.01% of the audited sd on digits (2 to 9 of 36 pairs per seed above
//! 1.00%), so `eps` without slack would lose them; 5% covers copy rates up to ~10% (at 10%
//! on digits pairs reach 1.047%). Integer
//! columns (digits' pixels) are compared on the same scale: when `eps' × sd < 1` a near
//! pair must be equal in them, which is what a copy that only jitters floats leaves.
//!
//! *Candidates*: Gaussian (p-stable) LSH for Euclidean distance (Datar, Immorlica, Indyk
//! & Mirrokni 2004). A pair within `eps'` on each of `d` features is at most
//! `r = eps' × √d` apart. Each of `L` hash tables concatenates `m` projections
//! `floor((a·z + b) / w)` of the standardised row `z` (`a ~ N(0, I)`, `b ~ U[0, w)`,
//! seeded), with `w = 4r`; one projection keeps two rows at distance `c` in one bucket
//! with probability `p(w/c) = 1 − 2Φ(−w/c) − 2/(√(2π) w/c) · (1 − e^(−(w/c)²/2))`, which
//! is 0.80 at the threshold. `m` is the smallest number, and `L` the tables it needs for a
//! pair at the threshold to collide somewhere with probability ≥ 0.995, such that a typical
//! pair (distance `√(2d)` on standardised data, ≈ 135 r at the default) collides with
//! probability ≤ 5·10⁻⁷; the ratio does not depend on `d`, so neither do `m` and `L`. At
//! the default eps: m = 4, L = 11 (44 projections); a pair at the threshold is a candidate
//! with probability 0.997, the red-team's copies (distance ≈ eps √(d/3) ≈ 0.55 r) with
//! 0.99998, a pair at 5 r with 0.09, a typical pair with 2.2·10⁻⁷ (eps 0.05: m = 7,
//! L = 23; at 0.99 instead of 0.995, L = 9, one red-team copy in ~3000 was missed). Each
//! bucket's rows are then *verified exactly* by the criterion above, so every reported
//! pair really is within `eps'` on every feature. A grid of `eps` cells (what this
//! detector did before) needs *every* feature to stay in its cell, which a copy jittered
//! in 13–64 features almost never does (measured recall 0 on breast_cancer, wine, digits);
//! a k-d tree degrades in 30–64 dimensions; LSH gives a recall bound whatever `d`.
//!
//! Tables are hashed one at a time: 16 bytes per row (key, row), plus 8 for union–find
//! and 8 for a missing/categorical signature when there are missing values or categorical
//! columns. Time: `n × d × 44` multiply-adds and 11 sorts (1M rows × 30 features: 1.7–2.0 s
//! of detector time, 2 shared cores). Buckets of up to 32 rows are verified pair by pair;
//! larger ones (dense honest clusters) are swept: sorted by the feature that varies most
//! in the bucket, each row is checked against at most 32 following rows within `eps'` on
//! that feature, skipping rows already joined, so a cluster costs about one verification
//! per row (1M rows in 200 clusters, every row a near duplicate: 4.5 s).
//!
//! **Needs.** Text columns with words, or at least one non-constant numeric feature.
//!
//! **Blind spots.** Word-level: a paraphrase with different words, or character-level
//! edits in every word, is not similar; very short texts (a few words) jump across the
//! threshold with one edit. Numeric: the criterion wants *every* feature within `eps'`, so
//! one feature moved further (or jitter larger than `eps` of an sd) hides a copy; scales
//! are the column's sd over the table, so a column whose sd is inflated by outliers
//! tolerates larger differences. A pair at the threshold is missed with probability up to
//! 0.3% (pairs well inside it almost never); in a bucket of more than 32 rows, a pair is
//! missed if more than 32 rows fall between its two rows on the sweep feature. In low
//! dimensions with many rows, honest rows are naturally that close. The detector therefore
//! estimates how many pairs chance gives (`expected_chance_pairs`: `C(n, 2)` times the
//! product over features of the share of pairs close in that feature, counted exactly on
//! the sorted column) and fails conflicts only when there are significantly more than
//! chance pairs with different labels would make (10M rows × 5 features: 367 pairs
//! expected, 352 found, not failing); when most rows are in groups, they are reported as
//! coarse. With correlated features chance gives more pairs than this estimate, so it errs
//! towards failing; a copy hidden among many chance pairs can go unfailed (a smaller
//! `eps` sharpens the test).
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

/// Relative slack on `eps` when verifying numeric pairs: a pair is near when every
/// standardised feature differs by at most `eps × (1 + EPS_SLACK)`. The standard deviation
/// the audit sees is not the one a copier saw: adding a share `f` of copies of rows near
/// the mean shrinks a column's sd by up to about `f / 2` (1% at `f` = 2%, measured: the
/// red-team's ±1% sd jitter gives pairs up to 1.01% of the audited sd apart on digits), so
/// 5% covers copies of up to ~10% of a table.
const EPS_SLACK: f64 = 0.05;
/// Width of an LSH bucket, in units of the threshold distance `eps' × √d`.
const WIDTH_FACTOR: f64 = 4.0;
/// A pair at the threshold must collide in at least one table with this probability.
const THRESHOLD_RECALL: f64 = 0.995;
/// A typical pair of standardised rows (distance `√(2d)`) may collide in some table with
/// at most this probability (10⁶ rows: ~10⁵ candidates between unrelated rows).
const TYPICAL_COLLISION: f64 = 5e-7;
/// At most this many hash tables (large `eps` is then found with fewer projections).
const MAX_TABLES: usize = 64;
/// In a bucket too large for all pairs, each row is compared with at most this many
/// following rows of the sweep order.
const SWEEP_WINDOW: usize = 32;
/// Candidate pairs verified per batch (bounds memory).
const PAIR_BATCH: usize = 1 << 20;

/// Probability that one Gaussian projection `floor((a·x + b) / w)` puts two points at
/// Euclidean distance `c` in the same bucket, as a function of `t = w / c` (Datar et al.
/// 2004, eq. for the 2-stable case): `1 − 2Φ(−t) − 2 / (√(2π) t) · (1 − e^(−t²/2))`.
fn collision_probability(t: f64) -> f64 {
    if t <= 0.0 {
        return 0.0;
    }
    let tail = 0.5 * erfc(t / std::f64::consts::SQRT_2); // Φ(−t)
    (1.0 - 2.0 * tail
        - 2.0 / ((2.0 * std::f64::consts::PI).sqrt() * t) * (1.0 - (-t * t / 2.0).exp()))
    .clamp(0.0, 1.0)
}

/// The complementary error function (Numerical Recipes' `erfcc`, relative error < 1.2e-7).
fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let r = t
        * (-z * z - 1.265_512_23
            + t * (1.000_023_68
                + t * (0.374_091_96
                    + t * (0.096_784_18
                        + t * (-0.186_288_06
                            + t * (0.278_868_07
                                + t * (-1.135_203_98
                                    + t * (1.488_515_87
                                        + t * (-0.822_152_23 + t * 0.170_872_77)))))))))
            .exp();
    if x >= 0.0 {
        r
    } else {
        2.0 - r
    }
}

/// Projections per table `m` and tables `L` for the verified tolerance `eps_eff` (in
/// standard deviations): the smallest `m` whose `L` (chosen so a pair at the threshold
/// collides somewhere with probability ≥ [`THRESHOLD_RECALL`]) keeps a typical pair's
/// collision probability below [`TYPICAL_COLLISION`]; at most [`MAX_TABLES`] tables. The
/// ratio of a typical distance to the threshold, `√(2d) / (eps' √d) = √2 / eps'`, does not
/// depend on the number of features `d`, so neither do `m` and `L`.
fn lsh_shape(eps_eff: f64) -> (usize, usize) {
    let near = collision_probability(WIDTH_FACTOR);
    let far = collision_probability(WIDTH_FACTOR * eps_eff / std::f64::consts::SQRT_2);
    let mut best = (1, 1);
    for m in 1..=16 {
        let p = near.powi(m as i32);
        let tables = ((1.0 - THRESHOLD_RECALL).ln() / (1.0 - p).ln())
            .ceil()
            .max(1.0) as usize;
        if tables > MAX_TABLES {
            break;
        }
        best = (m, tables);
        if tables as f64 * far.powi(m as i32) <= TYPICAL_COLLISION {
            break;
        }
    }
    best
}

/// A Gaussian draw (Box–Muller).
fn gauss(rng: &mut SplitMix) -> f64 {
    let u1 = ((rng.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64;
    let u2 = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

/// The numeric columns compared (those that vary), with their moments.
struct Scaled {
    /// Index into `table.numeric`.
    col: usize,
    mean: f64,
    /// 1 / standard deviation.
    inv_sd: f64,
}

/// The standardised value of row `row` in column `s` (0 where missing, which only meets
/// rows missing in the same columns: the bucket key includes the missing mask).
#[inline]
fn z(table: &Table, s: &Scaled, row: usize) -> f64 {
    let v = table.numeric[s.col].values[row];
    if v.is_nan() {
        0.0
    } else {
        (v - s.mean) * s.inv_sd
    }
}

/// Verifies one candidate pair: `Some(largest standardised difference)` when every
/// compared feature is within `eps_eff`, missing values and categorical codes agree and
/// the rows are not exact copies.
fn verify(table: &Table, scaled: &[Scaled], eps_eff: f64, a: usize, b: usize) -> Option<f64> {
    if rows_equal(table, a, b) {
        return None; // an exact duplicate: exact_duplicates reports it
    }
    if table
        .numeric
        .iter()
        .any(|c| c.values[a].is_nan() != c.values[b].is_nan())
        || table.categorical.iter().any(|c| c.codes[a] != c.codes[b])
    {
        return None;
    }
    let mut worst: f64 = 0.0;
    for s in scaled {
        let (x, y) = (
            table.numeric[s.col].values[a],
            table.numeric[s.col].values[b],
        );
        if x.is_nan() {
            continue;
        }
        let d = (x - y).abs() * s.inv_sd;
        if d > eps_eff {
            return None;
        }
        worst = worst.max(d);
    }
    Some(worst)
}

/// Verifies one large bucket: sorted by the feature that varies most within it, each row
/// is compared with the following rows, at most [`SWEEP_WINDOW`] of them, while that
/// feature stays within `eps_eff` (a near pair is within `eps_eff` on every feature, so
/// none is skipped unless more than the window of rows crowd between its two rows). Rows
/// already joined are not compared again, so a dense honest cluster costs about one
/// verification per row. Verified pairs are joined in `uf` and pushed to `verified`.
fn sweep_bucket(
    table: &Table,
    scaled: &[Scaled],
    eps_eff: f64,
    run: &[(u64, u32)],
    uf: &mut UnionFind,
    verified: &mut Vec<(u32, u32, f64)>,
) {
    let Some(&(_, r0)) = run.first() else {
        return;
    };
    let first = uf.find(r0);
    if run.iter().all(|&(_, r)| uf.find(r) == first) {
        return; // joined already (by an earlier table)
    }
    let k = run.len() as f64;
    let mut best = (f64::NEG_INFINITY, 0usize);
    for (i, s) in scaled.iter().enumerate() {
        let (mut s1, mut s2) = (0.0, 0.0);
        for &(_, r) in run {
            let v = z(table, s, r as usize);
            s1 += v;
            s2 += v * v;
        }
        let var = s2 / k - (s1 / k) * (s1 / k);
        if var > best.0 {
            best = (var, i);
        }
    }
    let Some(s) = scaled.get(best.1) else {
        return;
    };
    let mut order: Vec<(f64, u32)> = run
        .iter()
        .map(|&(_, r)| (z(table, s, r as usize), r))
        .collect();
    order.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    for i in 0..order.len() {
        for j in i + 1..order.len().min(i + 1 + SWEEP_WINDOW) {
            if order[j].0 - order[i].0 > eps_eff {
                break;
            }
            let (a, b) = (order[i].1.min(order[j].1), order[i].1.max(order[j].1));
            if uf.find(a) == uf.find(b) {
                continue;
            }
            if let Some(d) = verify(table, scaled, eps_eff, a as usize, b as usize) {
                uf.union(a, b);
                verified.push((a, b, (1.0 - d / eps_eff).max(0.0)));
            }
        }
    }
}

/// Numeric near duplicates: verified pairs `(a, b, closeness)` (table indices, a < b),
/// closeness = 1 − (largest standardised difference / verified tolerance). `None` when no
/// numeric feature varies.
/// A verified pair of rows and its similarity.
type Pair = (u32, u32, f64);

/// Pairs of rows within `eps_eff` standard deviations in every compared feature (and equal
/// in every categorical one) that chance would give if the features were independent:
/// `C(n, 2) × Π p_f`, where `p_f` is the share of pairs of rows close in feature `f`
/// (counted exactly on the sorted column) or equal in categorical column `f`. Correlated
/// features make honest close pairs more common than this, so it errs towards calling
/// pairs evidence.
fn chance_pairs(table: &Table, scaled: &[Scaled], eps_eff: f64) -> f64 {
    let n = table.len() as f64;
    let all_pairs = n * (n - 1.0) / 2.0;
    if all_pairs <= 0.0 {
        return 0.0;
    }
    let numeric: Vec<f64> = scaled
        .par_iter()
        .map(|s| {
            let mut v: Vec<f64> = (0..table.len())
                .filter(|&r| !table.numeric[s.col].values[r].is_nan())
                .map(|r| z(table, s, r))
                .collect();
            v.sort_by(f64::total_cmp);
            let (mut close, mut lo) = (0f64, 0usize);
            for hi in 0..v.len() {
                while v[hi] - v[lo] > eps_eff {
                    lo += 1;
                }
                close += (hi - lo) as f64;
            }
            let m = v.len() as f64;
            if m < 2.0 {
                1.0
            } else {
                close / (m * (m - 1.0) / 2.0)
            }
        })
        .collect();
    let categorical = table.categorical.iter().map(|c| {
        let mut counts: HashMap<u32, f64> = HashMap::new();
        for &code in &c.codes {
            *counts.entry(code).or_insert(0.0) += 1.0;
        }
        counts.values().map(|k| k * (k - 1.0)).sum::<f64>() / (n * (n - 1.0)).max(1.0)
    });
    all_pairs * numeric.iter().product::<f64>() * categorical.product::<f64>()
}

/// Near-duplicate pairs of numeric rows (see the module docs), with the number of such
/// pairs chance alone would give ([`chance_pairs`]), or `None` with no varying feature.
fn numeric_pairs(table: &Table, eps: f64, seed: u64) -> Option<(Vec<Pair>, f64)> {
    let n = table.len();
    let scaled: Vec<Scaled> = table
        .numeric
        .iter()
        .enumerate()
        .filter_map(|(i, c)| {
            let (mean, std) = crate::util::mean_sd(&c.values)?;
            (std > 1e-12 * mean.abs().max(1.0)).then_some(Scaled {
                col: i,
                mean,
                inv_sd: 1.0 / std,
            })
        })
        .collect();
    if scaled.is_empty() {
        return None;
    }
    let eps_eff = eps * (1.0 + EPS_SLACK);
    let width = WIDTH_FACTOR * eps_eff * (scaled.len() as f64).sqrt();
    let (m, tables) = lsh_shape(eps_eff);
    // rows can only pair with rows missing the same cells and sharing their categories
    let needs_signature = !table.categorical.is_empty()
        || table
            .numeric
            .iter()
            .any(|c| c.values.iter().any(|v| v.is_nan()));
    let signature: Vec<u64> = if needs_signature {
        (0..n)
            .into_par_iter()
            .map(|row| {
                let mut h = 0x6d69_7373u64;
                for (i, c) in table.numeric.iter().enumerate() {
                    if c.values[row].is_nan() {
                        h = combine(h, i as u64);
                    }
                }
                for c in &table.categorical {
                    h = combine(h, mix64(c.codes[row] as u64));
                }
                h
            })
            .collect()
    } else {
        Vec::new()
    };
    let mut rng = SplitMix(seed ^ 0x006e_756d_6572_6963);
    let mut uf = UnionFind::new(n);
    let mut verified = Vec::new();
    let flush =
        |pairs: &mut Vec<(u32, u32)>, uf: &mut UnionFind, verified: &mut Vec<(u32, u32, f64)>| {
            pairs.retain(|&(a, b)| uf.find(a) != uf.find(b));
            for p in pairs.iter_mut() {
                *p = (p.0.min(p.1), p.0.max(p.1));
            }
            pairs.sort_unstable();
            pairs.dedup();
            let checked: Vec<(u32, u32, f64)> = pairs
                .par_iter()
                .filter_map(|&(a, b)| {
                    verify(table, &scaled, eps_eff, a as usize, b as usize)
                        .map(|d| (a, b, (1.0 - d / eps_eff).max(0.0)))
                })
                .collect();
            for (a, b, c) in checked {
                if uf.union(a, b) {
                    verified.push((a, b, c));
                }
            }
            pairs.clear();
        };
    for _ in 0..tables {
        // m projections: row-major coefficients a[p][j], offsets b[p]
        let coef: Vec<Vec<f64>> = (0..m)
            .map(|_| scaled.iter().map(|_| gauss(&mut rng)).collect())
            .collect();
        let offset: Vec<f64> = (0..m)
            .map(|_| (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64 * width)
            .collect();
        let table_salt = rng.next_u64();
        let mut keyed: Vec<(u64, u32)> = (0..n)
            .into_par_iter()
            .map(|row| {
                let mut acc = [0.0f64; 16];
                for (j, s) in scaled.iter().enumerate() {
                    let v = z(table, s, row);
                    for (a, c) in acc.iter_mut().zip(&coef) {
                        *a += c[j] * v;
                    }
                }
                let mut h = signature.get(row).copied().unwrap_or(0) ^ table_salt;
                for (a, b) in acc.iter().zip(&offset) {
                    h = combine(h, ((a + b) / width).floor() as i64 as u64);
                }
                (h, row as u32)
            })
            .collect();
        keyed.par_sort_unstable();
        let mut pairs: Vec<(u32, u32)> = Vec::new();
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
                        if uf.find(run[a].1) != uf.find(run[b].1) {
                            pairs.push((run[a].1, run[b].1));
                        }
                    }
                }
            } else {
                sweep_bucket(table, &scaled, eps_eff, run, &mut uf, &mut verified);
            }
            if pairs.len() >= PAIR_BATCH {
                flush(&mut pairs, &mut uf, &mut verified);
            }
            i = j;
        }
        flush(&mut pairs, &mut uf, &mut verified);
    }
    let chance = if verified.is_empty() {
        0.0
    } else {
        chance_pairs(table, &scaled, eps_eff)
    };
    Some((verified, chance))
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
        let (pairs, what, chance) = if !t.text.is_empty() {
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
                None,
            )
        } else {
            if s.near_duplicate_eps.is_nan() || s.near_duplicate_eps <= 0.0 {
                return Err(format!(
                    "the numeric tolerance must be positive, got {}",
                    s.near_duplicate_eps
                ));
            }
            match numeric_pairs(t, s.near_duplicate_eps, s.seed) {
                Some((p, chance)) => (p, "nearly identical", Some(chance)),
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
            copies_fail: false,
            chance_pairs: chance,
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
                let eps_eff = s.near_duplicate_eps * (1.0 + EPS_SLACK);
                let (m, l) = lsh_shape(eps_eff);
                format!(
                    "Gaussian LSH ({l} tables of {m} projections, bucket width {WIDTH_FACTOR} × \
                     eps' × √features), verified: every standardised feature within eps' = \
                     eps × {} = {eps_eff} std",
                    1.0 + EPS_SLACK
                )
            } else {
                format!(
                    "MinHash/LSH over word multisets, Jaccard >= {}",
                    s.near_duplicate_jaccard
                )
            }),
        );
        for f in &mut findings {
            f.detail.extend(extra.clone());
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
    fn conflicts_at_the_rate_chance_gives_do_not_fail() {
        // 20 000 rows, 3 uniform features, random labels: honest rows this dense come within
        // 0.01 sd of each other dozens of times, and about half of those pairs disagree
        let mut rng = SplitMix(21);
        let rows: Vec<Vec<f64>> = (0..20_000)
            .map(|_| (0..3).map(|_| sym(&mut rng)).collect())
            .collect();
        let labels: Vec<u32> = (0..20_000).map(|_| rng.below(2) as u32).collect();
        let t = numeric_table(&rows, labels.clone());
        let f = run(&t);
        let conflicts = f
            .iter()
            .find(|f| f.title.contains("conflicting"))
            .expect("chance pairs with different labels");
        assert!(!conflicts.fails, "{}", conflicts.explanation);
        let expected = conflicts.detail["expected_chance_pairs"].as_f64().unwrap();
        let found = f
            .iter()
            .find(|f| !f.title.contains("conflicting"))
            .map(|f| f.detail["pairs_total"].as_u64().unwrap())
            .unwrap();
        // the independence estimate is close to what the LSH found
        assert!(
            (expected - found as f64).abs() < 0.5 * expected,
            "{expected} vs {found}"
        );
        // the same table with 40 relabelled copies (jitter 0.005 sd) far above chance fails
        let mut rows2 = rows.clone();
        let mut labels2 = labels;
        let sd = (1.0f64 / 3.0).sqrt();
        for i in 0..40 {
            let copy: Vec<f64> = rows[i]
                .iter()
                .map(|v| v + 0.005 * sd * sym(&mut rng))
                .collect();
            rows2.push(copy);
            labels2.push(1 - labels2[i]);
        }
        let f = run(&numeric_table(&rows2, labels2));
        assert!(f.iter().any(|f| f.title.contains("conflicting") && f.fails));
    }

    /// A uniform draw in `[-1, 1)`.
    fn sym(rng: &mut SplitMix) -> f64 {
        (rng.next_u64() >> 11) as f64 / (1u64 << 52) as f64 - 1.0
    }

    /// A numeric table from row-major values (one column per feature).
    fn numeric_table(rows: &[Vec<f64>], labels: Vec<u32>) -> Table {
        let d = rows.first().map_or(0, Vec::len);
        Table {
            path: "t.csv".into(),
            row_numbers: (0..rows.len() as u64).collect(),
            labels: Some(Labels {
                name: "label".into(),
                codes: labels,
                classes: vec!["a".into(), "b".into()],
            }),
            numeric: (0..d)
                .map(|j| NumericColumn {
                    name: format!("x{j}"),
                    values: rows.iter().map(|r| r[j]).collect(),
                })
                .collect(),
            categorical: vec![],
            text: vec![],
        }
    }

    /// Sample standard deviation of each feature (what the red-team's jitter uses).
    fn sds(rows: &[Vec<f64>]) -> Vec<f64> {
        let n = rows.len() as f64;
        (0..rows[0].len())
            .map(|j| {
                let m = rows.iter().map(|r| r[j]).sum::<f64>() / n;
                (rows.iter().map(|r| (r[j] - m).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
            })
            .collect()
    }

    #[test]
    fn jittered_copies_in_30_dimensions_are_found() {
        // 1000 random rows of 30 features on different scales; 50 copies with every
        // feature moved by uniform noise of up to ±1% of its sd (the red-team's `near`
        // mode), 5 of them with a flipped label, and 10 exact copies
        let mut rng = SplitMix(11);
        let scale: Vec<f64> = (0..30).map(|j| 10f64.powi(j % 5 - 2)).collect();
        let mut rows: Vec<Vec<f64>> = (0..1000)
            .map(|_| {
                scale
                    .iter()
                    .map(|s| s * (sym(&mut rng) + sym(&mut rng)))
                    .collect()
            })
            .collect();
        let mut labels: Vec<u32> = (0..1000).map(|i| (i % 2) as u32).collect();
        let sd = sds(&rows);
        let mut truth = Vec::new();
        for i in 0..50 {
            let src = i * 17;
            let copy: Vec<f64> = rows[src]
                .iter()
                .zip(&sd)
                .map(|(x, s)| x + 0.01 * s * sym(&mut rng))
                .collect();
            truth.push((src as u32, rows.len() as u32));
            rows.push(copy);
            labels.push(if i < 5 { 1 - labels[src] } else { labels[src] });
        }
        for i in 900..910 {
            rows.push(rows[i].clone());
            labels.push(labels[i]);
        }
        let t = numeric_table(&rows, labels);
        let (pairs, _) = numeric_pairs(&t, 0.01, 1).unwrap();
        let found = truth
            .iter()
            .filter(|&&(a, b)| pairs.iter().any(|&(x, y, _)| (x, y) == (a, b)))
            .count();
        assert_eq!(found, 50, "recall {found}/50");
        // no pair between unrelated rows, and the exact copies are left out
        assert_eq!(pairs.len(), 50, "{pairs:?}");
        let f = run(&t);
        assert_eq!(f.len(), 2, "{f:?}");
        assert!(f[0].fails && f[0].title.contains("conflicting"));
        assert_eq!(f[0].rows, (1000..1005).collect::<Vec<u64>>());
        assert!(!f[1].fails);
        assert_eq!(f[1].rows.len(), 45);
        assert!(f[1].rows.iter().all(|&r| (1005..1050).contains(&r)));
    }

    #[test]
    fn pairs_at_the_threshold_are_found_and_just_beyond_it_are_not() {
        // 100 pairs whose every feature differs by 0.95 × the verified tolerance (the
        // worst case LSH is sized for), and 100 pairs equally close except one feature at
        // 1.5 × eps: the first are found (≥ 99% each), the second never (exact check)
        let mut rng = SplitMix(5);
        let d = 30;
        let mut rows: Vec<Vec<f64>> = (0..1000)
            .map(|_| (0..d).map(|_| sym(&mut rng) + sym(&mut rng)).collect())
            .collect();
        let sd = sds(&rows);
        let eps_eff = 0.01 * (1.0 + EPS_SLACK);
        for i in 0..200 {
            let src = i * 5;
            let copy: Vec<f64> = (0..d)
                .map(|j| {
                    let step = if i >= 100 && j == i % d { 1.5 } else { 0.95 };
                    let sign = if rng.below(2) == 0 { -1.0 } else { 1.0 };
                    rows[src][j] + sign * step * eps_eff * sd[j]
                })
                .collect();
            rows.push(copy);
        }
        let t = numeric_table(&rows, vec![0; 1200]);
        let (pairs, _) = numeric_pairs(&t, 0.01, 2).unwrap();
        let at = pairs
            .iter()
            .filter(|&&(a, b, _)| (1000..1100).contains(&b) && a == (b - 1000) * 5)
            .count();
        assert!(at >= 97, "{at}/100 pairs at the threshold found");
        assert_eq!(pairs.len(), at, "every reported pair is within eps");
    }

    #[test]
    fn integer_features_are_compared_exactly_and_exact_copies_are_left_out() {
        // digits-like rows: 20 integer pixels (0..16) and 2 float features. A copy with the
        // pixels as they are and the floats jittered is a near duplicate; one with a pixel
        // moved by 1 (≥ 0.2 sd) is not; an exact copy is exact_duplicates' business
        let mut rng = SplitMix(9);
        let mut rows: Vec<Vec<f64>> = (0..500)
            .map(|_| {
                (0..22)
                    .map(|j| {
                        if j < 20 {
                            rng.below(17) as f64
                        } else {
                            sym(&mut rng) * 100.0
                        }
                    })
                    .collect()
            })
            .collect();
        let mut near = rows[3].clone();
        near[20] += 0.2;
        near[21] -= 0.3;
        let mut off = rows[4].clone();
        off[7] = if off[7] < 16.0 { off[7] + 1.0 } else { 15.0 };
        let exact = rows[5].clone();
        rows.extend([near, off, exact]);
        let t = numeric_table(&rows, vec![0; 503]);
        let (pairs, _) = numeric_pairs(&t, 0.01, 3).unwrap();
        assert_eq!(pairs.len(), 1, "{pairs:?}");
        assert_eq!((pairs[0].0, pairs[0].1), (3, 500));
    }

    #[test]
    fn a_dense_cluster_is_one_group() {
        // 300 rows all within 0.4% of an sd of one point (a bucket far larger than the
        // all-pairs limit, handled by the sweep) and 300 scattered rows
        let mut rng = SplitMix(4);
        let mut rows: Vec<Vec<f64>> = (0..300)
            .map(|_| (0..10).map(|_| sym(&mut rng) * 3.0).collect())
            .collect();
        let centre: Vec<f64> = (0..10).map(|_| 0.5).collect();
        for _ in 0..300 {
            rows.push(centre.iter().map(|c| c + 0.005 * sym(&mut rng)).collect());
        }
        let t = numeric_table(&rows, vec![0; 600]);
        let (pairs, _) = numeric_pairs(&t, 0.01, 4).unwrap();
        let mut uf = UnionFind::new(600);
        for &(a, b, _) in &pairs {
            assert!(a >= 300 && b >= 300, "a scattered row paired: {a} {b}");
            uf.union(a, b);
        }
        let groups = uf.groups();
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].len(), 300);
    }

    #[test]
    fn lsh_numbers_reach_the_threshold() {
        for eps in [0.001, 0.01, 0.05, 0.1] {
            let (m, l) = lsh_shape(eps * (1.0 + EPS_SLACK));
            let p = collision_probability(WIDTH_FACTOR).powi(m as i32);
            assert!(
                1.0 - (1.0 - p).powi(l as i32) >= 0.995,
                "eps {eps}: m {m} L {l}"
            );
        }
        // the default: 11 tables of 4 projections, w = 4 × eps' × √d
        assert_eq!(lsh_shape(0.01 * (1.0 + EPS_SLACK)), (4, 11));
        // the closed form against its limits: certain when w ≫ c, ≈ t/√(2π) when w ≪ c
        assert!(collision_probability(100.0) > 0.99);
        let t = 0.01;
        let p = collision_probability(t);
        assert!(
            (p - t / (2.0 * std::f64::consts::PI).sqrt()).abs() < 1e-4,
            "{p}"
        );
        assert!((collision_probability(WIDTH_FACTOR) - 0.8005).abs() < 1e-3);
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
