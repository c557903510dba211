//! Two-sample Kolmogorov-Smirnov test (`ks`), as `scipy.stats.ks_2samp(ref, cur)`.
//!
//! **What it measures.** The largest vertical gap `D` between the empirical CDFs of
//! the reference and current samples. The drift score is the two-sided p-value.
//!
//! **Evidently's rule.** Chosen by default for numerical columns with more than 5
//! unique values when the reference has at most 1000 non-null rows. Drift when
//! `p <= threshold` (default 0.05) — note `<=`, where chi-square and Z use `<`.
//!
//! **How the p-value is computed** (scipy's `method="auto"`):
//! * if `max(n1, n2) <= 10_000` the exact distribution of `D` under the null is used
//!   (`_attempt_exact_2kssamp`): `D` is snapped to the lattice `h / lcm(n1, n2)`, then
//!   for equal sizes an alternating Horner-style sum gives `P(D >= h/n)`; for unequal
//!   sizes a lattice-path recursion (Hodges' "inside method", in Viehmann's form that
//!   carries `1 - p` directly) counts the paths that leave the band;
//! * otherwise (or if the exact value falls outside [0, 1]) the asymptotic
//!   `kstwo.sf(D, round(n1·n2/(n1+n2)))` from [`super::kolmogorov`].
//!
//! Ported from scipy (`scipy/stats/_stats_py.py`, `_stats_pythran.py`, BSD-3-Clause).
//! statrs' own KS differs (it refuses exact mode beyond n1·n2 = 10,000 and uses the
//! limiting series), so it is not used.

use serde::Serialize;

use super::kolmogorov::kolmogn_sf;
use crate::DriftError;

/// Largest sample size for which scipy's `method="auto"` uses the exact distribution.
pub const MAX_AUTO_N: usize = 10_000;

/// Which distribution produced the p-value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KsMethod {
    /// The exact null distribution of `D` for these sample sizes.
    Exact,
    /// `kstwo.sf(D, round(n1·n2/(n1+n2)))`.
    Asymptotic,
}

/// Result of [`ks_2samp`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct KsResult {
    /// The KS statistic `D` (snapped to the `1/lcm` lattice when exact, as scipy does).
    pub statistic: f64,
    /// Two-sided p-value.
    pub pvalue: f64,
    /// Exact or asymptotic.
    pub method: KsMethod,
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// The statistic `D = sup |F1 - F2|`, computed on two **sorted** samples.
///
/// Both CDFs are evaluated (right-continuous) at every observed value, exactly as
/// scipy does with `searchsorted(side="right")`, including its float arithmetic.
pub fn ks_statistic(a: &[f64], b: &[f64]) -> f64 {
    let (n1, n2) = (a.len() as f64, b.len() as f64);
    let (mut i, mut j) = (0usize, 0usize);
    let mut max_s = f64::NEG_INFINITY;
    let mut min_s = f64::INFINITY;
    while i < a.len() || j < b.len() {
        let v = match (a.get(i), b.get(j)) {
            (Some(&x), Some(&y)) => x.min(y),
            (Some(&x), None) => x,
            (None, Some(&y)) => y,
            (None, None) => break,
        };
        while i < a.len() && a[i] <= v {
            i += 1;
        }
        while j < b.len() && b[j] <= v {
            j += 1;
        }
        let diff = i as f64 / n1 - j as f64 / n2;
        max_s = max_s.max(diff);
        min_s = min_s.min(diff);
    }
    let min_s = (-min_s).clamp(0.0, 1.0);
    if min_s > max_s {
        min_s
    } else {
        max_s
    }
}

/// Two-sided two-sample KS test on two sorted, finite, non-empty samples.
pub fn ks_2samp(a: &[f64], b: &[f64]) -> Result<KsResult, DriftError> {
    if a.is_empty() || b.is_empty() {
        return Err(DriftError::EmptySample("ks"));
    }
    let d = ks_statistic(a, b);
    let (n1, n2) = (a.len() as u64, b.len() as u64);
    if a.len().max(b.len()) <= MAX_AUTO_N {
        if let Some((d_exact, p)) = attempt_exact(n1, n2, d) {
            return Ok(KsResult {
                statistic: d_exact,
                pvalue: p.clamp(0.0, 1.0),
                method: KsMethod::Exact,
            });
        }
    }
    let (m, n) = if n1 >= n2 {
        (n1 as f64, n2 as f64)
    } else {
        (n2 as f64, n1 as f64)
    };
    let en = (m * n / (m + n)).round_ties_even();
    let p = kolmogn_sf(en as u64, d);
    Ok(KsResult {
        statistic: d,
        pvalue: p.clamp(0.0, 1.0),
        method: KsMethod::Asymptotic,
    })
}

/// scipy's `_attempt_exact_2kssamp` for the two-sided alternative.
/// Returns `None` when the exact computation is unusable (scipy then falls back).
fn attempt_exact(n1: u64, n2: u64, d: f64) -> Option<(f64, f64)> {
    let g = gcd(n1, n2);
    let lcm = (n1 / g) * n2;
    let h = (d * lcm as f64).round_ties_even() as u64;
    let d = h as f64 / lcm as f64;
    if h == 0 {
        return Some((d, 1.0));
    }
    let p = if n1 == n2 {
        prob_outside_square(n1, h)
    } else {
        outer_prob_inside_method(n1, n2, g, h)
    };
    if p.is_finite() && (0.0..=1.0).contains(&p) {
        Some((d, p))
    } else {
        None
    }
}

/// `P(D_{n,n} >= h/n)`: the share of lattice paths leaving the band `|x - y| < h`.
/// A Horner-like evaluation of `2·Σ (-1)^(k+1) C(2n, n-kh) / C(2n, n)`.
fn prob_outside_square(n: u64, h: u64) -> f64 {
    let mut p = 0.0f64;
    let mut k = (n / h) as i64;
    let (nf, hf) = (n as f64, h as f64);
    while k >= 0 {
        let kf = k as f64;
        let mut p1 = 1.0;
        for j in 0..h {
            let jf = j as f64;
            p1 = (nf - kf * hf - jf) * p1 / (nf + kf * hf + jf + 1.0);
        }
        p = p1 * (1.0 - p);
        k -= 1;
    }
    2.0 * p
}

/// Share of lattice paths from (0,0) to (m,n) that do **not** stay strictly inside
/// `|x/m - y/n| < h/lcm(m,n)` — i.e. `P(D >= h/lcm)` — carried as `1 - p` column by
/// column so that no large binomial coefficient is ever formed.
fn outer_prob_inside_method(m: u64, n: u64, g: u64, h: u64) -> f64 {
    let (m, n) = if m < n { (n, m) } else { (m, n) };
    let mg = (m / g) as f64;
    let ng = (n / g) as f64;
    let hf = h as f64;
    let nn = n as i64;
    let mut minj: i64 = 0;
    let mut maxj: i64 = ((hf / mg).ceil() as i64).min(nn + 1);
    let mut curlen = maxj - minj;
    let len_a = ((2 * maxj + 2).min(nn + 1)) as usize;
    let mut a = vec![1.0f64; len_a.max(1)];
    for x in a.iter_mut().take(maxj as usize) {
        *x = 0.0;
    }
    for i in 1..=(m as i64) {
        let fi = i as f64;
        let lastminj = minj;
        let lastlen = curlen;
        minj = (((ng * fi - hf) / mg).floor() as i64 + 1).max(0).min(nn);
        maxj = (((ng * fi + hf) / mg).ceil() as i64).min(nn + 1);
        if maxj <= minj {
            return 1.0;
        }
        let mut val = if minj == 0 { 0.0 } else { 1.0 };
        for jj in 0..(maxj - minj) {
            let j = (jj + minj) as f64;
            let idx = (jj + minj - lastminj) as usize;
            let prev = a.get(idx).copied().unwrap_or(1.0);
            val = (prev * fi + val * j) / (fi + j);
            if let Some(slot) = a.get_mut(jj as usize) {
                *slot = val;
            }
        }
        curlen = maxj - minj;
        if lastlen > curlen {
            let from = (maxj - minj) as usize;
            let to = (from + (lastlen - curlen) as usize).min(a.len());
            for x in a.iter_mut().take(to).skip(from) {
                *x = 1.0;
            }
        }
    }
    a.get((maxj - minj - 1) as usize)
        .copied()
        .unwrap_or(f64::NAN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_samples_have_p_one() {
        let a = [1.0, 2.0, 3.0];
        let r = ks_2samp(&a, &a).unwrap();
        assert_eq!(r.statistic, 0.0);
        assert_eq!(r.pvalue, 1.0);
    }

    #[test]
    fn disjoint_small_samples() {
        // scipy: ks_2samp([1,2,3],[4,5,6]) -> D=1, p=0.1
        let r = ks_2samp(&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0]).unwrap();
        assert_eq!(r.statistic, 1.0);
        assert!((r.pvalue - 0.1).abs() < 1e-12, "{}", r.pvalue);
    }

    #[test]
    fn empty_is_an_error() {
        assert!(ks_2samp(&[], &[1.0]).is_err());
    }
}
