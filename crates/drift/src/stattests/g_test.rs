//! G-test (`g_test`): the log-likelihood-ratio goodness of fit,
//! `scipy.stats.power_divergence(f_obs, f_exp, lambda_="log-likelihood")`.
//!
//! **What it measures.** Observed = current counts over the union of categories;
//! expected = reference counts × `n_cur / n_ref` (as for `chisquare`);
//! `G = 2·Σ o·ln(o/e)` (a zero observed count contributes 0) and
//! `p = chi2.sf(G, k − 1)`.
//!
//! **Evidently's rule.** Categorical columns only; name `g_test`, display name
//! `g_test`; drift when `p < threshold` (default 0.1).
//!
//! **Where datagate differs, and why.** Evidently 0.7.23 passes the *unscaled*
//! reference counts as `f_exp`. scipy (≥ 1.9) refuses expected and observed totals that
//! differ by more than a relative 1.5e-8, so Evidently's `g_test` raises whenever the
//! two samples differ in size; and where scipy would not check, an unscaled expectation
//! would test the sample sizes rather than the distribution. datagate scales the
//! expectation, which is the G-test's definition. When the sizes are equal the scale
//! factor is exactly 1.0, so datagate's value is bit for bit the one Evidently
//! reports; in every other case Evidently has no value to compare with.
//!
//! **Edge cases.** A category seen only in the current sample has expected count 0:
//! `G = ∞`, `p = 0` (as scipy). A single category has 0 degrees of freedom: p is NaN
//! and never signals drift (scipy's `chi2.sf(0, 0)` is NaN too).

use statrs::distribution::{ChiSquared, ContinuousCDF};

use crate::sample::CategoryCounts;
use crate::DriftError;

/// G statistic and p-value.
pub fn g_test(counts: &CategoryCounts) -> Result<(f64, f64), DriftError> {
    let n_ref = counts.n_reference();
    let n_cur = counts.n_current();
    if n_ref == 0 || n_cur == 0 {
        return Err(DriftError::EmptySample("g_test"));
    }
    let k_norm = n_cur as f64 / n_ref as f64;
    let mut stat = 0.0;
    for (&r, &c) in counts.reference.iter().zip(&counts.current) {
        if c == 0 {
            continue; // xlogy(0, ·) = 0
        }
        let o = c as f64;
        let e = r as f64 * k_norm;
        stat += 2.0 * (o * (o / e).ln());
    }
    let dof = counts.n_unique() as f64 - 1.0;
    if dof < 1.0 || stat.is_nan() {
        return Ok((stat, f64::NAN));
    }
    if stat.is_infinite() {
        return Ok((stat, 0.0));
    }
    let dist = ChiSquared::new(dof).map_err(|e| DriftError::Numeric(e.to_string()))?;
    Ok((stat, dist.sf(stat)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(reference: Vec<u64>, current: Vec<u64>) -> CategoryCounts {
        CategoryCounts {
            keys: (0..reference.len()).map(|i| i.to_string()).collect(),
            reference,
            current,
        }
    }

    #[test]
    fn equal_sizes_is_evidentlys_value() {
        // power_divergence([10, 20, 30], [20, 20, 20], lambda_="log-likelihood")
        // -> (10.464962875290956, 0.005340257332066883)
        let (g, p) = g_test(&counts(vec![20, 20, 20], vec![10, 20, 30])).unwrap();
        assert!((g - 10.464_962_875_290_956).abs() < 1e-12, "{g}");
        assert!((p - 0.005_340_257_332_066_883).abs() < 1e-12, "{p}");
    }

    #[test]
    fn new_category_is_p_zero() {
        let (g, p) = g_test(&counts(vec![5, 5, 0], vec![4, 4, 2])).unwrap();
        assert!(g.is_infinite());
        assert_eq!(p, 0.0);
    }
}
