//! Mann-Whitney U test (`mannw`), as Evidently calls it:
//! `scipy.stats.mannwhitneyu(x=ref, y=cur, alternative="less")`.
//!
//! **What it measures.** `U1 = R1 − n1(n1+1)/2`, with `R1` the sum of the reference
//! values' midranks in the pool: how often a reference value exceeds a current one
//! (ties count ½). **One-sided, as in Evidently:** the p-value tests
//! `alternative="less"`, i.e. whether the reference is stochastically *smaller* than
//! the current data, so it signals drift only when the current values move **up**;
//! a downward shift gives a p-value near 1 and no drift. datagate keeps this because
//! users compare verdicts with Evidently's; use `ks`, `anderson` or
//! `cramer_von_mises` for a two-sided check.
//!
//! **How the p-value is computed** (scipy's `method="auto"`, `use_continuity=True`):
//! * exact when `min(n1, n2) <= 8` and there are no ties (and, unlike scipy, the
//!   table of `n1·n2/2` counts has at most [`MAX_EXACT_TABLE`] entries): `P(U ≥ U2)` for
//!   `U2 = n1·n2 − U1` under the null distribution of `U` (the coefficients of the
//!   Gaussian binomial `[n1+n2 choose n1]_q`, computed here in exact integer
//!   arithmetic — scipy uses floats with Löffler's recurrence, equal to ~1e-15);
//! * otherwise the normal approximation with tie correction and continuity
//!   correction: `z = (U2 − n1n2/2 − 0.5) / sqrt(n1n2/12·((n+1) − Σ(t³−t)/(n(n−1))))`,
//!   `p = Φ(−z)`. When every value is the same, the variance is 0, `z = −∞` and `p = 1`.
//!
//! **Evidently's rule.** Numerical columns only; name `mannw`, display name
//! `Mann-Whitney U-rank test`; drift when `p < threshold` (default 0.05).
//!
//! Ported from scipy 1.17 (`scipy/stats/_mannwhitneyu.py`, BSD-3-Clause).

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, Normal};

use super::ranks::tie_groups;
use crate::DriftError;

/// Largest exact-distribution table (entries) datagate builds. scipy has no limit, so
/// with a sample of at most 8 values and more than ~5 million in the other (no ties)
/// it would allocate gigabytes; datagate uses the normal approximation there instead.
pub const MAX_EXACT_TABLE: u128 = 20_000_000;

/// Which distribution produced the p-value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MwuMethod {
    /// Exact null distribution of `U` (no ties, a sample of at most 8).
    Exact,
    /// Normal approximation with tie and continuity corrections.
    Asymptotic,
}

/// Result of [`mannwhitneyu_less`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MwuResult {
    /// scipy's statistic: `U1` of the reference sample.
    pub statistic: f64,
    /// One-sided (`less`) p-value.
    pub pvalue: f64,
    /// Exact or asymptotic.
    pub method: MwuMethod,
}

/// `mannwhitneyu(ref, cur, alternative="less")` on two sorted, finite samples.
pub fn mannwhitneyu_less(a: &[f64], b: &[f64]) -> Result<MwuResult, DriftError> {
    if a.is_empty() || b.is_empty() {
        return Err(DriftError::EmptySample("mannw"));
    }
    let (n1, n2) = (a.len() as u64, b.len() as u64);
    let groups = tie_groups(a, b);
    // 2·R1, exact: midrank doubled = 2·before + t + 1.
    let mut r1_twice: u128 = 0;
    let mut before = 0u64;
    let mut tie_term = 0.0f64;
    let mut ties = false;
    for g in &groups {
        let t = g.total();
        r1_twice += g.in_a as u128 * (2 * before + t + 1) as u128;
        before += t;
        if t > 1 {
            ties = true;
            let tf = t as f64;
            tie_term += tf * tf * tf - tf;
        }
    }
    let u1 = r1_twice as f64 / 2.0 - (n1 * (n1 + 1)) as f64 / 2.0;
    let n1n2 = n1 as u128 * n2 as u128;
    let u2 = n1n2 as f64 - u1;
    // scipy's _mwu_choose_method: asymptotic if both samples exceed 8 or any tie;
    // and (datagate only) when the exact table would not fit in memory.
    let exact = !(ties || (n1 > 8 && n2 > 8)) && (n1 as u128 * n2 as u128) / 2 <= MAX_EXACT_TABLE;
    let pvalue = if exact {
        // No ties: U1 is an integer.
        let u2_int = n1n2 - (r1_twice / 2 - (n1 as u128 * (n1 as u128 + 1)) / 2);
        mwu_sf(n1, n2, u2_int)
    } else {
        let mu = n1n2 as f64 / 2.0;
        let n = (n1 + n2) as f64;
        let s = (n1n2 as f64 / 12.0 * ((n + 1.0) - tie_term / (n * (n - 1.0)))).sqrt();
        let z = (u2 - mu - 0.5) / s;
        if z.is_nan() {
            f64::NAN
        } else {
            let normal = Normal::new(0.0, 1.0).map_err(|e| DriftError::Numeric(e.to_string()))?;
            normal.cdf(-z)
        }
    };
    Ok(MwuResult {
        statistic: u1,
        pvalue: pvalue.clamp(0.0, 1.0),
        method: if exact {
            MwuMethod::Exact
        } else {
            MwuMethod::Asymptotic
        },
    })
}

/// `P(U >= k)` under the null for sample sizes `n1`, `n2` (no ties).
fn mwu_sf(n1: u64, n2: u64, k: u128) -> f64 {
    let (small, large) = (n1.min(n2), n1.max(n2));
    let total_pairs = small as u128 * large as u128;
    // By symmetry P(U >= k) = P(U <= n1n2 − k); sum whichever tail is shorter.
    let kc = total_pairs - k.min(total_pairs);
    if k < kc {
        // 1 − P(U <= k − 1)
        let below = if k == 0 { None } else { Some(k - 1) };
        match below {
            None => 1.0,
            Some(upto) => {
                let (cum, total) = u_counts_cumulative(small, large, upto as usize);
                (total - cum) / total
            }
        }
    } else {
        let (cum, total) = u_counts_cumulative(small, large, kc as usize);
        cum / total
    }
}

/// `(Σ_{u<=upto} c(u), C(small+large, small))` where `c(u)` counts the arrangements
/// with `U = u`: the coefficients of `Π_{i=1..small} (1 − q^{large+i}) / (1 − q^i)`.
/// Exact in `i128` while the counts fit, otherwise the same recurrence in `f64`.
fn u_counts_cumulative(small: u64, large: u64, upto: usize) -> (f64, f64) {
    let len = upto + 1;
    if let Some(r) = gaussian_binomial_i128(small, large, len) {
        return r;
    }
    let mut c = vec![0.0f64; len];
    c[0] = 1.0;
    for i in 1..=small as usize {
        let up = large as usize + i;
        for u in (up..len).rev() {
            c[u] -= c[u - up];
        }
        for u in i..len {
            c[u] += c[u - i];
        }
    }
    let total = binom_f64(small + large, small);
    (c.iter().sum(), total)
}

fn gaussian_binomial_i128(small: u64, large: u64, len: usize) -> Option<(f64, f64)> {
    let mut total: i128 = 1;
    for i in 0..small as i128 {
        total = total.checked_mul(large as i128 + small as i128 - i)? / (i + 1);
    }
    // Intermediate coefficients stay below 2·total.
    total.checked_mul(4)?;
    let mut c = vec![0i128; len];
    c[0] = 1;
    for i in 1..=small as usize {
        let up = large as usize + i;
        for u in (up..len).rev() {
            c[u] -= c[u - up];
        }
        for u in i..len {
            c[u] += c[u - i];
        }
    }
    let cum: i128 = c.iter().sum();
    Some((cum as f64, total as f64))
}

fn binom_f64(n: u64, k: u64) -> f64 {
    let mut c = 1.0f64;
    for i in 0..k {
        c = c * (n - i) as f64 / (i + 1) as f64;
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_distribution_counts() {
        // U for n1 = 2, n2 = 2: counts 1,1,2,1,1 over u = 0..4 (C(4,2) = 6).
        let (cum, total) = u_counts_cumulative(2, 2, 4);
        assert_eq!((cum, total), (6.0, 6.0));
        let (cum, _) = u_counts_cumulative(2, 2, 2);
        assert_eq!(cum, 4.0);
    }

    #[test]
    fn direction_is_less() {
        // Current shifted up: reference is "less" -> small p.
        let a = [1.0, 2.0, 3.0, 4.0, 5.0];
        let b = [6.0, 7.0, 8.0, 9.0, 10.0];
        let up = mannwhitneyu_less(&a, &b).unwrap();
        // scipy: mannwhitneyu(a, b, alternative="less") -> U=0, p=1/252
        assert_eq!(up.statistic, 0.0);
        assert!((up.pvalue - 1.0 / 252.0).abs() < 1e-15, "{up:?}");
        let down = mannwhitneyu_less(&b, &a).unwrap();
        assert_eq!(down.pvalue, 1.0);
    }

    #[test]
    fn all_tied_gives_one() {
        let a = [2.0; 12];
        let r = mannwhitneyu_less(&a, &a).unwrap();
        assert_eq!(r.pvalue, 1.0);
    }
}
