//! k-sample Anderson-Darling test (`anderson`), as `scipy.stats.anderson_ksamp([ref, cur])`.
//!
//! **What it measures.** Scholz and Stephens' (1987) `A²akN` (equation 7, the midrank
//! version for data with ties): a weighted squared distance between each sample's
//! empirical CDF and the pooled one, heavier in the tails than KS. Standardised as
//! `A2 = (A²akN − (k−1)) / σ_N` with the exact finite-sample variance `σ_N²`.
//!
//! **The p-value is an interpolation, capped.** scipy (and so Evidently) fits a
//! quadratic in `A2` to `ln(significance)` through Scholz and Stephens' seven tabulated
//! critical values (`np.polyfit(critical, log(sig), 2)`) and returns
//! `exp(polyval(fit, A2))`. Outside the table the value is clamped: `0.25` when `A2`
//! is below the smallest critical value, `0.001` above the largest. So a very
//! different pair of samples scores exactly 0.001 and a similar pair exactly 0.25,
//! never anything beyond — this is Evidently's drift score, and datagate reports it
//! unchanged.
//!
//! **Evidently's rule.** Numerical columns only; name `anderson`, display name
//! `Anderson-Darling`; drift when `p < threshold` (default 0.1).
//!
//! **Edge cases.** scipy raises when the pool has fewer than two distinct values
//! (a constant column: Evidently's report fails); datagate returns an error naming
//! the reason. With fewer than 3 pooled values scipy fails too (index error).
//!
//! Ported from scipy 1.17 (`scipy/stats/_morestats.py`, BSD-3-Clause). The only
//! numerical difference is summation order (numpy sums pairwise), far below 1e-9.

use super::ranks::tie_groups;
use crate::DriftError;

/// Smallest and largest p-value the interpolation can return.
pub const P_CAP: (f64, f64) = (0.001, 0.25);

/// Significance levels of Scholz and Stephens' Table 2, as scipy lists them.
const SIG: [f64; 7] = [0.25, 0.1, 0.05, 0.025, 0.01, 0.005, 0.001];
const B0: [f64; 7] = [0.675, 1.281, 1.645, 1.96, 2.326, 2.573, 3.085];
const B1: [f64; 7] = [-0.245, 0.25, 0.678, 1.149, 1.822, 2.364, 3.615];
const B2: [f64; 7] = [-0.105, -0.305, -0.362, -0.391, -0.396, -0.345, -0.154];

/// Result of [`anderson_ksamp`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AndersonResult {
    /// The standardised statistic `A2` (scipy's `statistic`).
    pub statistic: f64,
    /// The interpolated significance level, within [`P_CAP`].
    pub pvalue: f64,
}

/// Two-sample Anderson-Darling (midrank) on two sorted, finite samples.
pub fn anderson_ksamp(a: &[f64], b: &[f64]) -> Result<AndersonResult, DriftError> {
    if a.is_empty() || b.is_empty() {
        return Err(DriftError::EmptySample("anderson"));
    }
    let groups = tie_groups(a, b);
    if groups.len() < 2 {
        return Err(DriftError::Numeric(
            "anderson: needs more than one distinct value across both samples".into(),
        ));
    }
    let n_total = a.len() + b.len();
    if n_total < 3 {
        return Err(DriftError::Numeric(
            "anderson: needs at least 3 values in total".into(),
        ));
    }
    let nf = n_total as f64;
    let sizes = [a.len() as f64, b.len() as f64];

    // A2akN, equation 7 (midrank), both samples in one walk.
    let mut sums = [0.0f64; 2];
    let mut left = 0u64; // pooled values below this group
    let mut below = [0u64; 2]; // per-sample values below this group
    for g in &groups {
        let lj = g.total() as f64;
        let bj = left as f64 + lj / 2.0;
        let denom = bj * (nf - bj) - nf * lj / 4.0;
        for (s, f) in [g.in_a, g.in_b].into_iter().enumerate() {
            let mij = (below[s] + f) as f64 - f as f64 / 2.0;
            let d = nf * mij - bj * sizes[s];
            sums[s] += lj / nf * (d * d) / denom;
            below[s] += f;
        }
        left += g.total();
    }
    let a2akn = (sums[0] / sizes[0] + sums[1] / sizes[1]) * ((nf - 1.0) / nf);

    // Variance of A2akN (Scholz and Stephens eq. 4), k = 2.
    let k = 2.0f64;
    let h_big = 1.0 / sizes[0] + 1.0 / sizes[1];
    // hs_cs = cumsum(1 / [N-1, N-2, ..., 2]); h = hs_cs[-1] + 1; g = sum(hs_cs / [2..N-1])
    let mut cum = 0.0f64;
    let mut g = 0.0f64;
    for (idx, i) in (2..n_total).rev().enumerate() {
        cum += 1.0 / i as f64;
        g += cum / (idx + 2) as f64;
    }
    let h = cum + 1.0;
    let ca = (4.0 * g - 6.0) * (k - 1.0) + (10.0 - 6.0 * g) * h_big;
    let cb = (2.0 * g - 4.0) * k * k + 8.0 * h * k + (2.0 * g - 14.0 * h - 4.0) * h_big - 8.0 * h
        + 4.0 * g
        - 6.0;
    let cc = (6.0 * h + 2.0 * g - 2.0) * k * k
        + (4.0 * h - 4.0 * g + 6.0) * k
        + (2.0 * h - 6.0) * h_big
        + 4.0 * h;
    let cd = (2.0 * h + 6.0) * k * k - 4.0 * h * k;
    let sigmasq =
        (ca * nf.powi(3) + cb * nf * nf + cc * nf + cd) / ((nf - 1.0) * (nf - 2.0) * (nf - 3.0));
    if sigmasq.is_nan() || sigmasq < 0.0 {
        return Err(DriftError::Numeric(format!(
            "anderson: variance of the statistic is {sigmasq} for {n_total} values"
        )));
    }
    let m = k - 1.0;
    let statistic = (a2akn - m) / sigmasq.sqrt();
    Ok(AndersonResult {
        statistic,
        pvalue: significance(statistic, m),
    })
}

/// scipy's interpolated (and capped) significance level for a standardised `A2`
/// with `m = k − 1`.
fn significance(a2: f64, m: f64) -> f64 {
    let critical: [f64; 7] = std::array::from_fn(|i| B0[i] + B1[i] / m.sqrt() + B2[i] / m);
    let (cmin, cmax) = critical
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &c| {
            (lo.min(c), hi.max(c))
        });
    if a2 < cmin {
        return P_CAP.1;
    }
    if a2 > cmax {
        return P_CAP.0;
    }
    if a2.is_nan() {
        return f64::NAN;
    }
    let logs: [f64; 7] = std::array::from_fn(|i| SIG[i].ln());
    let [c0, c1, c2] = quadratic_fit(&critical, &logs);
    (c0 + a2 * (c1 + a2 * c2)).exp()
}

/// Least-squares `y ≈ c0 + c1·x + c2·x²` (what `np.polyfit(x, y, 2)` solves), by
/// Householder QR of the Vandermonde matrix with scipy's column scaling.
#[allow(clippy::needless_range_loop)] // matrix code reads best with indices
fn quadratic_fit(x: &[f64; 7], y: &[f64; 7]) -> [f64; 3] {
    // Columns 1, x, x², scaled to unit norm like np.polyfit.
    let mut a = [[0.0f64; 3]; 7];
    for (row, &xi) in a.iter_mut().zip(x) {
        *row = [1.0, xi, xi * xi];
    }
    let mut scale = [0.0f64; 3];
    for (j, s) in scale.iter_mut().enumerate() {
        *s = a.iter().map(|r| r[j] * r[j]).sum::<f64>().sqrt();
        for r in a.iter_mut() {
            r[j] /= *s;
        }
    }
    let mut b = *y;
    for j in 0..3 {
        let norm = (j..7).map(|i| a[i][j] * a[i][j]).sum::<f64>().sqrt();
        let alpha = if a[j][j] > 0.0 { -norm } else { norm };
        let mut v = [0.0f64; 7];
        for i in j..7 {
            v[i] = a[i][j];
        }
        v[j] -= alpha;
        let vv: f64 = (j..7).map(|i| v[i] * v[i]).sum();
        if vv == 0.0 {
            continue;
        }
        for col in j..3 {
            let dot: f64 = (j..7).map(|i| v[i] * a[i][col]).sum();
            for i in j..7 {
                a[i][col] -= 2.0 * dot / vv * v[i];
            }
        }
        let dot: f64 = (j..7).map(|i| v[i] * b[i]).sum();
        for i in j..7 {
            b[i] -= 2.0 * dot / vv * v[i];
        }
    }
    let mut c = [0.0f64; 3];
    for j in (0..3).rev() {
        let s: f64 = (j + 1..3).map(|k| a[j][k] * c[k]).sum();
        c[j] = (b[j] - s) / a[j][j];
    }
    [c[0] / scale[0], c[1] / scale[1], c[2] / scale[2]]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_at_both_ends() {
        let a: Vec<f64> = (0..50).map(f64::from).collect();
        let far: Vec<f64> = (100..150).map(f64::from).collect();
        assert_eq!(anderson_ksamp(&a, &far).unwrap().pvalue, 0.001);
        assert_eq!(anderson_ksamp(&a, &a).unwrap().pvalue, 0.25);
    }

    #[test]
    fn fit_reproduces_a_quadratic() {
        let x = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let y = x.map(|v| 1.5 - 2.0 * v + 0.25 * v * v);
        let c = quadratic_fit(&x, &y);
        assert!((c[0] - 1.5).abs() < 1e-12 && (c[1] + 2.0).abs() < 1e-12);
        assert!((c[2] - 0.25).abs() < 1e-12, "{c:?}");
    }

    #[test]
    fn constant_pool_is_an_error() {
        assert!(anderson_ksamp(&[1.0, 1.0], &[1.0]).is_err());
    }
}
