//! Epps-Singleton test (`es`), as `scipy.stats.epps_singleton_2samp(ref, cur)`.
//!
//! **What it measures.** The difference of the two samples' empirical characteristic
//! functions at `t = 0.4/σ` and `0.8/σ` (σ = half the interquartile range of the pool),
//! i.e. the mean vectors of `(cos t₁x, cos t₂x, sin t₁x, sin t₂x)`, standardised by the
//! pooled covariance: `W = N·gᵀ Σ⁺ g`, asymptotically χ² with `r = rank(Σ⁺)` degrees
//! of freedom (4 unless the covariance is degenerate). With fewer than 25 values in
//! both samples scipy multiplies `W` by Epps and Singleton's small-sample factor
//! `1/(1 + N^−0.45 + 10.1(n^−1.7 + m^−1.7))`. Unlike KS it works on any distribution
//! shape including discrete data, as long as the pool's IQR is not zero.
//!
//! **Evidently's rule.** Numerical columns only; name `es`, display name
//! `Epps-Singleton`; drift when `p < threshold` (default 0.05).
//!
//! **Edge cases.** Evidently raises when the pool's IQR is 0 (more than half the values
//! equal): an error here too. With fewer than 5 values in a sample scipy 1.17 returns
//! NaN (no drift in Evidently), and so does datagate.
//!
//! **Computation.** scipy's pseudo-inverse (`np.linalg.pinv`) is taken here through a
//! Jacobi eigendecomposition of the symmetric 4×4 covariance — the same matrix for a
//! positive semi-definite input. **One deliberate difference:** scipy drops singular
//! values below `1e-15 × largest`, datagate below `1e-12 ×` ([`RANK_RTOL`]). They agree
//! whenever the covariance has full rank (continuous data). With at most 4 distinct
//! values in the pool the covariance is singular (rank ≤ distinct − 1) and its "zero"
//! eigenvalues are rounding noise of order 1e-17…1e-15 × largest; scipy then sometimes
//! keeps one, inverting noise and counting an extra degree of freedom (on the recorded
//! two-valued fixture it reports rank 2 and p = 0.759 for a rank-1 covariance).
//! datagate drops them, so such columns get the rank-correct statistic and p-value,
//! which can differ from scipy's and Evidently's. The
//! quartiles are numpy's linear percentiles (`_lerp` included). Ported from scipy 1.17
//! (`scipy/stats/_hypotests.py`, BSD-3-Clause).

use statrs::distribution::{ChiSquared, ContinuousCDF};

use crate::DriftError;

/// Eigenvalues below this share of the largest are treated as zero in the
/// pseudo-inverse (scipy: 1e-15, see the module docs).
pub const RANK_RTOL: f64 = 1e-12;

/// `(W, p)` of the Epps-Singleton test on two sorted, finite samples.
pub fn epps_singleton_2samp(a: &[f64], b: &[f64]) -> Result<(f64, f64), DriftError> {
    let (nx, ny) = (a.len(), b.len());
    if nx < 5 || ny < 5 {
        // scipy 1.17 returns NaN for too-small samples; Evidently then reports no drift.
        return Ok((f64::NAN, f64::NAN));
    }
    let mut pool: Vec<f64> = a.iter().chain(b).copied().collect();
    pool.sort_unstable_by(f64::total_cmp);
    let iqr = percentile_linear(&pool, 0.75) - percentile_linear(&pool, 0.25);
    if iqr == 0.0 {
        return Err(DriftError::Numeric(
            "es: the interquartile range of reference and current together is zero (Evidently refuses this too)".into(),
        ));
    }
    let sigma = iqr / 2.0;
    let ts = [0.4 / sigma, 0.8 / sigma];
    let features = |x: f64| {
        [
            (ts[0] * x).cos(),
            (ts[1] * x).cos(),
            (ts[0] * x).sin(),
            (ts[1] * x).sin(),
        ]
    };
    let moments = |s: &[f64]| {
        let n = s.len() as f64;
        let mut mean = [0.0f64; 4];
        for &x in s {
            let f = features(x);
            for k in 0..4 {
                mean[k] += f[k];
            }
        }
        mean.iter_mut().for_each(|m| *m /= n);
        let mut cov = [[0.0f64; 4]; 4];
        for &x in s {
            let f = features(x);
            for i in 0..4 {
                for j in 0..4 {
                    cov[i][j] += (f[i] - mean[i]) * (f[j] - mean[j]);
                }
            }
        }
        // np.cov (ddof 1) scaled by (n−1)/n: the biased estimate.
        for row in cov.iter_mut() {
            for v in row.iter_mut() {
                *v = *v / (n - 1.0) * (n - 1.0) / n;
            }
        }
        (mean, cov)
    };
    let (mx, cx) = moments(a);
    let (my, cy) = moments(b);
    let n = (nx + ny) as f64;
    let mut est = [[0.0f64; 4]; 4];
    for i in 0..4 {
        for j in 0..4 {
            est[i][j] = (n / nx as f64) * cx[i][j] + (n / ny as f64) * cy[i][j];
        }
    }
    let (vals, vecs) = jacobi_eigen(est);
    let vmax = vals.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let g: [f64; 4] = std::array::from_fn(|k| mx[k] - my[k]);
    let mut w = 0.0;
    let mut rank = 0usize;
    for k in 0..4 {
        if vals[k].abs() > RANK_RTOL * vmax {
            rank += 1;
            let proj: f64 = (0..4).map(|i| vecs[i][k] * g[i]).sum();
            w += proj * proj / vals[k];
        }
    }
    w *= n;
    if nx.max(ny) < 25 {
        let corr =
            1.0 / (1.0 + n.powf(-0.45) + 10.1 * ((nx as f64).powf(-1.7) + (ny as f64).powf(-1.7)));
        w *= corr;
    }
    if rank == 0 || w.is_nan() {
        return Ok((w, f64::NAN));
    }
    let dist = ChiSquared::new(rank as f64).map_err(|e| DriftError::Numeric(e.to_string()))?;
    Ok((w, dist.sf(w)))
}

/// numpy's `percentile(sorted, 100q, method="linear")` on a sorted, non-empty slice.
fn percentile_linear(sorted: &[f64], q: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * q;
    let lo = h.floor();
    let t = h - lo;
    let i = lo as usize;
    let a = sorted[i];
    let b = sorted[(i + 1).min(sorted.len() - 1)];
    let diff = b - a;
    if t >= 0.5 {
        b - diff * (1.0 - t)
    } else {
        a + diff * t
    }
}

/// Eigenvalues and eigenvectors (columns) of a symmetric 4×4 matrix, cyclic Jacobi.
#[allow(clippy::needless_range_loop)] // matrix code reads best with indices
fn jacobi_eigen(mut a: [[f64; 4]; 4]) -> ([f64; 4], [[f64; 4]; 4]) {
    let mut v = [[0.0f64; 4]; 4];
    for (i, row) in v.iter_mut().enumerate() {
        row[i] = 1.0;
    }
    for _sweep in 0..100 {
        let off: f64 = (0..4)
            .flat_map(|i| (0..4).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i][j] * a[i][j])
            .sum();
        if off == 0.0 {
            break;
        }
        for p in 0..3 {
            for q in (p + 1)..4 {
                if a[p][q] == 0.0 {
                    continue;
                }
                let theta = (a[q][q] - a[p][p]) / (2.0 * a[p][q]);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..4 {
                    let akp = a[k][p];
                    let akq = a[k][q];
                    a[k][p] = c * akp - s * akq;
                    a[k][q] = s * akp + c * akq;
                }
                for k in 0..4 {
                    let apk = a[p][k];
                    let aqk = a[q][k];
                    a[p][k] = c * apk - s * aqk;
                    a[q][k] = s * apk + c * aqk;
                }
                for k in 0..4 {
                    let vkp = v[k][p];
                    let vkq = v[k][q];
                    v[k][p] = c * vkp - s * vkq;
                    v[k][q] = s * vkp + c * vkq;
                }
            }
        }
    }
    ([a[0][0], a[1][1], a[2][2], a[3][3]], v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jacobi_diagonalises() {
        let m = [
            [4.0, 1.0, 0.5, 0.0],
            [1.0, 3.0, 0.2, 0.1],
            [0.5, 0.2, 2.0, 0.3],
            [0.0, 0.1, 0.3, 1.0],
        ];
        let (vals, v) = jacobi_eigen(m);
        for k in 0..4 {
            for i in 0..4 {
                let mv: f64 = (0..4).map(|j| m[i][j] * v[j][k]).sum();
                assert!((mv - vals[k] * v[i][k]).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn percentiles_like_numpy() {
        let s = [1.0, 2.0, 3.0, 4.0, 10.0];
        assert_eq!(percentile_linear(&s, 0.25), 2.0);
        assert_eq!(percentile_linear(&s, 0.75), 4.0);
        let s = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(percentile_linear(&s, 0.25), 1.75);
    }

    #[test]
    fn zero_iqr_is_an_error() {
        let a = [1.0; 10];
        assert!(epps_singleton_2samp(&a, &a).is_err());
    }
}
