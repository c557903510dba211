//! Small shared tools for the detectors: token hashing, the binomial tail, the
//! Benjamini–Hochberg correction, union–find, row comparison, column moments and the
//! split of rows into one range per thread.
//!
//! Tokens are split exactly as [`crate::features::tokens`] splits them (maximal runs of
//! alphanumeric characters, lowercased) so that a token a detector names is the token the
//! model's encoder can drop. Hashing here does not allocate: the lowercase bytes are fed
//! to the hash as they are read.

use crate::table::Table;

/// 64-bit FNV-1a over bytes, then splitmix64's finaliser so every bit is well mixed.
/// Deterministic across runs and platforms.
pub fn hash_bytes(bytes: &[u8]) -> u64 {
    let mut h = FNV_OFFSET;
    for &b in bytes {
        h = fnv_step(h, b);
    }
    mix64(h)
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

#[inline]
fn fnv_step(h: u64, b: u8) -> u64 {
    (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
}

/// splitmix64's finaliser: a bijection on `u64` that spreads every input bit.
#[inline]
pub fn mix64(mut h: u64) -> u64 {
    h ^= h >> 30;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// Combines two hashes in an order-dependent way (for bigrams and tuples).
#[inline]
pub fn combine(a: u64, b: u64) -> u64 {
    mix64(a.rotate_left(23) ^ b.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ 0x5bd1_e995)
}

/// Calls `f(hash, token)` for every token of `text` in order: maximal runs of
/// alphanumeric characters, hashed lowercase; `token` is the original slice.
pub fn for_each_token(text: &str, mut f: impl FnMut(u64, &str)) {
    let mut start = None;
    let mut h = FNV_OFFSET;
    for (i, c) in text.char_indices() {
        if c.is_alphanumeric() {
            if start.is_none() {
                start = Some(i);
                h = FNV_OFFSET;
            }
            if c.is_ascii() {
                h = fnv_step(h, c.to_ascii_lowercase() as u8);
            } else {
                let mut buf = [0u8; 4];
                for l in c.to_lowercase() {
                    for &b in l.encode_utf8(&mut buf).as_bytes() {
                        h = fnv_step(h, b);
                    }
                }
            }
        } else if let Some(s) = start.take() {
            f(mix64(h), &text[s..i]);
        }
    }
    if let Some(s) = start {
        f(mix64(h), &text[s..]);
    }
}

/// The hash [`for_each_token`] gives `token` (lowercased first).
pub fn token_hash(token: &str) -> u64 {
    hash_bytes(token.to_lowercase().as_bytes())
}

/// The text of row `row` over all text columns, joined by a newline (columns are
/// tokenised as one document).
pub fn row_text(table: &Table, row: usize) -> impl Iterator<Item = &str> {
    table
        .text
        .iter()
        .filter_map(move |c| c.values.get(row).map(String::as_str))
}

/// `ln Γ(x)` for `x > 0` (Lanczos, g = 7; relative error ~1e-15).
pub fn ln_gamma(x: f64) -> f64 {
    const G: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // reflection
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = G[0];
    let t = x + 7.5;
    for (i, &g) in G.iter().enumerate().skip(1) {
        a += g / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// `ln P(X ≥ k)` for `X ~ Binomial(n, p)`: the one-sided p-value of seeing at least `k`
/// successes in `n` trials at base rate `p`, in log space (it underflows `f64` for the
/// strong signals the detectors look for).
pub fn binomial_upper_ln(k: u64, n: u64, p: f64) -> f64 {
    if k == 0 || p >= 1.0 {
        return 0.0;
    }
    if k > n || p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    let (nf, kf) = (n as f64, k as f64);
    if kf <= nf * p {
        // at or below the mean: not a one-sided excess worth testing precisely
        return 0.0;
    }
    let ln_p = p.ln();
    let ln_q = (-p).ln_1p();
    let ln_pmf = |i: f64| {
        ln_gamma(nf + 1.0) - ln_gamma(i + 1.0) - ln_gamma(nf - i + 1.0) + i * ln_p + (nf - i) * ln_q
    };
    // Sum pmf(i) for i = k..n relative to pmf(k); above the mean the terms fall
    // geometrically, so few are needed.
    let first = ln_pmf(kf);
    let ratio_base = p / (1.0 - p);
    let mut term = 1.0f64;
    let mut sum = 1.0f64;
    let mut i = kf;
    while i < nf {
        term *= (nf - i) / (i + 1.0) * ratio_base;
        sum += term;
        if term < sum * 1e-17 {
            break;
        }
        i += 1.0;
    }
    (first + sum.ln()).min(0.0)
}

/// `ln P(X ≥ k)` for `X ~ Poisson(lambda)`: how surprising `k` events are when `lambda` were
/// expected, in log space. At or below the mean it returns 0 (no excess worth testing).
pub fn poisson_upper_ln(k: u64, lambda: f64) -> f64 {
    if k == 0 {
        return 0.0;
    }
    if lambda <= 0.0 {
        return f64::NEG_INFINITY;
    }
    let kf = k as f64;
    if kf <= lambda {
        return 0.0;
    }
    // pmf(i) for i = k, k+1, ... relative to pmf(k); above the mean they fall geometrically
    let first = kf * lambda.ln() - lambda - ln_gamma(kf + 1.0);
    let (mut term, mut sum, mut i) = (1.0f64, 1.0f64, kf);
    loop {
        i += 1.0;
        term *= lambda / i;
        sum += term;
        if term < sum * 1e-17 {
            break;
        }
    }
    (first + sum.ln()).min(0.0)
}

/// Benjamini–Hochberg: which of `ln_p` (natural-log p-values) are discoveries at false
/// discovery rate `q`, with `m ≥ ln_p.len()` hypotheses tested in all.
pub fn benjamini_hochberg(ln_p: &[f64], m: usize, q: f64) -> Vec<bool> {
    let m = m.max(ln_p.len()).max(1) as f64;
    let mut order: Vec<usize> = (0..ln_p.len()).collect();
    order.sort_by(|&a, &b| ln_p[a].total_cmp(&ln_p[b]));
    let mut cut = 0;
    for (rank, &i) in order.iter().enumerate() {
        if ln_p[i] <= (q * (rank + 1) as f64 / m).ln() {
            cut = rank + 1;
        }
    }
    let mut out = vec![false; ln_p.len()];
    for &i in &order[..cut] {
        out[i] = true;
    }
    out
}

/// Union–find over `0..n` with path halving and union by size.
pub struct UnionFind {
    parent: Vec<u32>,
    size: Vec<u32>,
}

impl UnionFind {
    /// `n` singletons.
    pub fn new(n: usize) -> Self {
        UnionFind {
            parent: (0..n as u32).collect(),
            size: vec![1; n],
        }
    }

    /// The representative of `x`'s set.
    pub fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let p = self.parent[x as usize];
            self.parent[x as usize] = self.parent[p as usize];
            x = self.parent[x as usize];
        }
        x
    }

    /// Merges the sets of `a` and `b`; false when they were already one.
    pub fn union(&mut self, a: u32, b: u32) -> bool {
        let (mut a, mut b) = (self.find(a), self.find(b));
        if a == b {
            return false;
        }
        if self.size[a as usize] < self.size[b as usize] {
            std::mem::swap(&mut a, &mut b);
        }
        self.parent[b as usize] = a;
        self.size[a as usize] += self.size[b as usize];
        true
    }

    /// Every set with more than one member, members ascending, sets ordered by their
    /// first member.
    pub fn groups(&mut self) -> Vec<Vec<u32>> {
        let n = self.parent.len();
        let mut by_root: std::collections::HashMap<u32, Vec<u32>> = Default::default();
        for x in 0..n as u32 {
            let r = self.find(x);
            if self.size[r as usize] > 1 {
                by_root.entry(r).or_default().push(x);
            }
        }
        let mut groups: Vec<Vec<u32>> = by_root.into_values().collect();
        groups.sort_by_key(|g| g[0]);
        groups
    }
}

/// Whether table rows `a` and `b` hold the same features and text (the label is not
/// compared). NaN equals NaN here: two missing values are the same cell.
pub fn rows_equal(table: &Table, a: usize, b: usize) -> bool {
    table.numeric.iter().all(|c| {
        let (x, y) = (c.values[a], c.values[b]);
        x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan())
    }) && table.categorical.iter().all(|c| c.codes[a] == c.codes[b])
        && table.text.iter().all(|c| c.values[a] == c.values[b])
}

/// Splits the members of each group by label: the rows whose label is not the group's
/// most common one (ties broken for the label of the earliest row). Missing labels are
/// never "the odd one out".
pub fn minority_members(codes: &[u32], group: &[u32]) -> Vec<u32> {
    let mut counts: Vec<(u32, usize, usize)> = Vec::new(); // (label, count, first position)
    for (pos, &r) in group.iter().enumerate() {
        let c = codes[r as usize];
        if c == crate::table::MISSING {
            continue;
        }
        match counts.iter_mut().find(|(l, _, _)| *l == c) {
            Some(e) => e.1 += 1,
            None => counts.push((c, 1, pos)),
        }
    }
    let Some(&(majority, _, _)) = counts
        .iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.2.cmp(&a.2)))
    else {
        return Vec::new();
    };
    group
        .iter()
        .copied()
        .filter(|&r| {
            let c = codes[r as usize];
            c != crate::table::MISSING && c != majority
        })
        .collect()
}

/// Mean and population standard deviation of the finite values, or `None` with fewer than two.
pub fn mean_sd(values: &[f64]) -> Option<(f64, f64)> {
    let (mut s, mut s2, mut k) = (0.0, 0.0, 0usize);
    for &v in values {
        if v.is_finite() {
            s += v;
            s2 += v * v;
            k += 1;
        }
    }
    if k < 2 {
        return None;
    }
    let mean = s / k as f64;
    Some((mean, (s2 / k as f64 - mean * mean).max(0.0).sqrt()))
}

/// Rows `0..n` cut into one contiguous range per rayon thread.
pub fn row_ranges(n: usize) -> Vec<std::ops::Range<usize>> {
    let parts = rayon::current_num_threads().max(1);
    let step = n.div_ceil(parts).max(1);
    (0..n).step_by(step).map(|s| s..(s + step).min(n)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_match_the_encoder() {
        let text = "Hello, WORLD! Ça-va 42x";
        let mut mine = Vec::new();
        for_each_token(text, |h, t| mine.push((h, t.to_lowercase())));
        let theirs: Vec<String> = crate::features::tokens(text).collect();
        assert_eq!(
            mine.iter().map(|(_, t)| t.clone()).collect::<Vec<_>>(),
            theirs
        );
        for (h, t) in &mine {
            assert_eq!(*h, token_hash(t));
        }
    }

    #[test]
    fn binomial_tail_matches_exact_sums() {
        // P(X >= 8 | n=10, p=0.5) = (45 + 10 + 1) / 1024
        let p = binomial_upper_ln(8, 10, 0.5).exp();
        assert!((p - 56.0 / 1024.0).abs() < 1e-12, "{p}");
        // all 20 of 20 at p = 0.1: 1e-20
        let lp = binomial_upper_ln(20, 20, 0.1);
        assert!((lp - 20.0 * 0.1f64.ln()).abs() < 1e-9, "{lp}");
        // far below representable: still finite in log space
        assert!(binomial_upper_ln(1000, 1000, 0.01) < -4000.0);
        assert_eq!(binomial_upper_ln(2, 10, 0.5), 0.0);
        assert!((ln_gamma(5.0) - 24f64.ln()).abs() < 1e-12);
    }

    #[test]
    fn poisson_tail_matches_statrs() {
        use statrs::distribution::{DiscreteCDF, Poisson};
        for (k, lambda) in [(2u64, 0.05), (6, 0.086), (3, 1.0), (10, 4.5), (40, 20.0)] {
            let want = Poisson::new(lambda)
                .map(|d| d.sf(k - 1))
                .unwrap_or(f64::NAN);
            let got = poisson_upper_ln(k, lambda).exp();
            assert!(
                (got - want).abs() <= 1e-9 * want,
                "k={k} λ={lambda}: {got} vs {want}"
            );
        }
        // far below representable: still finite in log space
        assert!(poisson_upper_ln(200, 0.01) < -1000.0);
        assert_eq!(poisson_upper_ln(1, 2.0), 0.0);
    }

    #[test]
    fn bh_rejects_only_small_p_values() {
        let ln_p = [1e-6f64.ln(), 0.5f64.ln(), 0.01f64.ln(), 0.9f64.ln()];
        assert_eq!(
            benjamini_hochberg(&ln_p, 4, 0.05),
            vec![true, false, true, false]
        );
        assert_eq!(
            benjamini_hochberg(&ln_p, 1000, 0.05),
            vec![true, false, false, false]
        );
    }

    #[test]
    fn union_find_groups() {
        let mut uf = UnionFind::new(6);
        uf.union(4, 1);
        uf.union(1, 5);
        uf.union(2, 3);
        assert_eq!(uf.groups(), vec![vec![1, 4, 5], vec![2, 3]]);
    }

    #[test]
    fn minority_is_the_odd_label_out() {
        let codes = [0, 1, 0, 1, crate::table::MISSING];
        assert_eq!(minority_members(&codes, &[0, 1, 2]), vec![1]);
        // tie: the earliest row's label wins
        assert_eq!(minority_members(&codes, &[1, 0]), vec![0]);
        assert!(minority_members(&codes, &[0, 2, 4]).is_empty());
    }
}
