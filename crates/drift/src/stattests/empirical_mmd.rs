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
//! Measured (`examples/stattests_timing.rs`, release, shared 2-core machine): 2,500 +
//! 2,500 values take about 18 s of CPU and 250 MB, dominated by 100 passes over the
//! permuted matrix; the time grows with `N²`.

use super::mt19937::Mt19937;
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
    let (xs, ys) = idx.split_at(nx);
    let a = 1.0 / (nx as f64 * (nx as f64 - 1.0));
    let b = 1.0 / (ny as f64 * (ny as f64 - 1.0));
    let kxy_mean = block_sum(kmat, n, ys, xs) / (ny * nx) as f64;
    a * block_sum(kmat, n, xs, xs) + b * block_sum(kmat, n, ys, ys) - 2.0 * kxy_mean
}

/// `np.sum` of the block `kmat[rows][:, cols]` (row-major), in numpy's order (first
/// element, then the pairwise sum of the rest), without materialising the block.
fn block_sum(kmat: &[f64], n: usize, rows: &[usize], cols: &[usize]) -> f64 {
    let len = rows.len() * cols.len();
    if len == 0 {
        return 0.0;
    }
    let at = |k: usize| kmat[rows[k / cols.len()] * n + cols[k % cols.len()]];
    at(0) + pairwise(kmat, n, rows, cols, 1, len)
}

/// Calls `f(i, value)` for `count` elements of the block in row-major order from flat
/// position `from`.
#[inline(always)]
fn stream_block<F: FnMut(usize, f64) + ?Sized>(
    kmat: &[f64],
    n: usize,
    rows: &[usize],
    cols: &[usize],
    from: usize,
    count: usize,
    f: &mut F,
) {
    let c = cols.len();
    let (mut r, mut j) = (from / c, from % c);
    let mut base = rows[r] * n;
    for i in 0..count {
        f(i, kmat[base + cols[j]]);
        j += 1;
        if j == c && i + 1 < count {
            j = 0;
            r += 1;
            base = rows[r] * n;
        }
    }
}

/// numpy's `pairwise_sum_DOUBLE` over flat positions `start..end` of the block.
fn pairwise(
    kmat: &[f64],
    n: usize,
    rows: &[usize],
    cols: &[usize],
    start: usize,
    end: usize,
) -> f64 {
    let len = end - start;
    if len < 8 {
        let mut res = 0.0;
        stream_block(kmat, n, rows, cols, start, len, &mut |_, v| res += v);
        res
    } else if len <= 128 {
        let mut acc = [0.0f64; 8];
        let mut tail = [0.0f64; 8];
        let full = len - len % 8;
        stream_block(kmat, n, rows, cols, start, len, &mut |i, v| {
            if i < 8 {
                acc[i] = v;
            } else if i < full {
                acc[i % 8] += v;
            } else {
                tail[i - full] = v;
            }
        });
        let mut res =
            ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
        // numpy adds the remainder one by one.
        for &v in &tail[..len - full] {
            res += v;
        }
        res
    } else {
        let mut n2 = len / 2;
        n2 -= n2 % 8;
        pairwise(kmat, n, rows, cols, start, start + n2)
            + pairwise(kmat, n, rows, cols, start + n2, end)
    }
}

#[cfg(test)]
mod tests {
    use super::super::tvd::numpy_sum;
    use super::*;

    #[test]
    fn block_sum_is_numpys_sum_of_the_block() {
        let n = 23;
        let kmat: Vec<f64> = (0..n * n)
            .map(|i| ((i * 7919) % 1000) as f64 / 3.0)
            .collect();
        let rows: Vec<usize> = (0..n).rev().step_by(2).collect();
        let cols: Vec<usize> = (0..n).map(|i| (i * 5) % n).collect();
        for (r, c) in [
            (&rows[..], &cols[..]),
            (&rows[..1], &cols[..3]),
            (&rows[..], &cols[..9]),
        ] {
            let mut v = Vec::new();
            for &i in r {
                for &j in c {
                    v.push(kmat[i * n + j]);
                }
            }
            assert_eq!(block_sum(&kmat, n, r, c).to_bits(), numpy_sum(&v).to_bits());
        }
    }

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
