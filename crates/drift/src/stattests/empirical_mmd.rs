//! Empirical maximum mean discrepancy with a permutation p-value (`empirical_mmd`),
//! Evidently's way (`mmd_stattest.py`).
//!
//! **What it measures.** With a Gaussian (RBF) kernel `k(a,b) = exp(−γ(a−b)²)`, the
//! unbiased estimate `MMD² = mean k(x,x') + mean k(y,y') − 2·mean k(x,y)` (diagonals
//! excluded). Evidently's details, reproduced: squared distances computed as
//! `y² − 2xy + x²`; `σ = sqrt(½·median)` of the reference's pairwise squared distances
//! (numpy's `percentile(method="nearest")`, diagonal included; `σ = sqrt(½)` when that
//! median is 0); `γ = 1/(2σ²)` for all three blocks. The **score is a p-value**: the
//! share of 100 random relabellings of the pooled kernel matrix
//! (`np.random.permutation`) whose MMD² is `>=` the observed one.
//!
//! **Evidently's rule.** Numerical columns only; name and display name
//! `empirical_mmd`; drift when `p < threshold` (default 0.1).
//!
//! **Where datagate differs.** Evidently **does not seed** its generator here, so its
//! p-value changes from run to run (and depends on whatever used numpy's global
//! generator before; Evidently's own `TVD` seeds it with 0). datagate draws the 100
//! permutations from numpy's legacy MT19937 seeded with 0 ([`super::mt19937`]), so its
//! value equals that of Evidently's stattest function called right after
//! `np.random.seed(0)` (fixture-tested) and is reproducible. (Seeding before a whole
//! Evidently `Report` is not enough: the report draws from the same generator before
//! the test runs.) Like `TVD`, the permutations act on positions, and datagate's
//! samples are sorted ascending (Evidently's are in row order): the p-value equals
//! Evidently's seeded one when each side's rows are sorted, and is otherwise another
//! 100-draw estimate of the same permutation p-value. Its standard error is
//! `sqrt(p(1−p)/100)` (0.03 at p = 0.1). The statistic and the comparisons are computed
//! in numpy's order (pairwise sums) so that ties round the same way.
//!
//! **Cost.** Like Evidently it builds the `N×N` kernel matrix (`N = n_ref + n_cur`) and
//! sums it 100 times, so it is limited to [`MAX_VALUES`] values in total; beyond that
//! it is an error asking for a sample (Evidently would need the same `8N²` bytes).

use super::mt19937::Mt19937;
use super::tvd::numpy_sum;
use crate::DriftError;

/// Largest `n_ref + n_cur` accepted (the kernel matrix takes `8·N²` bytes: 200 MB).
pub const MAX_VALUES: usize = 5_000;

/// Permutations Evidently draws.
pub const ITERATIONS: usize = 100;

/// `(MMD², p)` for two finite samples (order as given; sorting does not matter for
/// the statistic, but the permutations act on positions).
pub fn empirical_mmd(x: &[f64], y: &[f64]) -> Result<(f64, f64), DriftError> {
    let (nx, ny) = (x.len(), y.len());
    if nx < 2 || ny < 2 {
        return Err(DriftError::Numeric(format!(
            "empirical_mmd: each sample needs at least two values (reference {nx}, current {ny})"
        )));
    }
    let n = nx + ny;
    if n > MAX_VALUES {
        return Err(DriftError::Numeric(format!(
            "empirical_mmd: {n} values; the kernel matrix is limited to {MAX_VALUES} values in total (sample the data, or use another test)"
        )));
    }
    // Evidently's squared distance: doty.T − 2·(x·yᵀ) + dotx.
    let sq = |a: f64, b: f64| (b * b - 2.0 * (a * b)) + a * a;
    let mut dxx: Vec<f64> = Vec::with_capacity(nx * nx);
    for &a in x {
        for &b in x {
            dxx.push(sq(a, b));
        }
    }
    let sigma = {
        let k = nearest_index(dxx.len());
        let mut scratch = dxx.clone();
        let (_, med, _) = scratch.select_nth_unstable_by(k, f64::total_cmp);
        let s = (0.5 * *med).sqrt();
        if s == 0.0 {
            0.5f64.sqrt()
        } else {
            s
        }
    };
    let gamma = 1.0 / (2.0 * sigma * sigma);
    // The pooled kernel matrix, row-major, diagonal zeroed.
    let all: Vec<f64> = x.iter().chain(y).copied().collect();
    let mut kmat = vec![0.0f64; n * n];
    for i in 0..n {
        for j in 0..n {
            if i != j {
                let d = if i < nx && j < nx {
                    dxx[i * nx + j]
                } else {
                    sq(all[i], all[j])
                };
                kmat[i * n + j] = (-gamma * d).exp();
            }
        }
    }
    drop(dxx);
    let identity: Vec<usize> = (0..n).collect();
    let observed = mmd_of(&kmat, n, nx, &identity);
    let mut rng = Mt19937::new(0);
    let mut idx: Vec<usize> = Vec::with_capacity(n);
    let mut at_least = 0usize;
    for _ in 0..ITERATIONS {
        idx.clear();
        idx.extend(0..n);
        rng.shuffle(&mut idx);
        if observed <= mmd_of(&kmat, n, nx, &idx) {
            at_least += 1;
        }
    }
    Ok((observed, at_least as f64 / ITERATIONS as f64))
}

/// numpy's `percentile(q=50, method="nearest")` index into `len` sorted values.
fn nearest_index(len: usize) -> usize {
    let h = (len - 1) as f64 * 0.5;
    h.round_ties_even() as usize
}

/// Evidently's `mmd_2samp` on the matrix permuted by `idx`.
fn mmd_of(kmat: &[f64], n: usize, nx: usize, idx: &[usize]) -> f64 {
    let ny = n - nx;
    let block = |rows: &[usize], cols: &[usize]| {
        let mut v = Vec::with_capacity(rows.len() * cols.len());
        for &r in rows {
            for &c in cols {
                v.push(kmat[r * n + c]);
            }
        }
        numpy_sum(&v)
    };
    let (xs, ys) = idx.split_at(nx);
    let a = 1.0 / (nx as f64 * (nx as f64 - 1.0));
    let b = 1.0 / (ny as f64 * (ny as f64 - 1.0));
    let kxy_mean = block(ys, xs) / (ny * nx) as f64;
    a * block(xs, xs) + b * block(ys, ys) - 2.0 * kxy_mean
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn far_apart_samples_drift_and_equal_ones_do_not() {
        let x: Vec<f64> = (0..20).map(|i| i as f64 * 0.1).collect();
        let far: Vec<f64> = (0..20).map(|i| 50.0 + i as f64 * 0.1).collect();
        let (m, p) = empirical_mmd(&x, &far).unwrap();
        assert!(m > 0.5, "{m}");
        assert_eq!(p, 0.0);
        let (_, p) = empirical_mmd(&x, &x).unwrap();
        assert!(p > 0.5, "{p}");
    }

    #[test]
    fn too_many_values_is_an_error() {
        let x = vec![0.0; MAX_VALUES];
        assert!(empirical_mmd(&x, &[1.0, 2.0]).is_err());
    }
}
