//! Pearson's chi-squared goodness of fit (`chisquare`), Evidently's way.
//!
//! **What it measures.** Whether the current category counts fit the reference
//! proportions. Observed = current counts over the union of categories; expected =
//! reference counts × `n_cur / n_ref`; `p = chi2.sf(Σ (o-e)²/e, k-1)`
//! (`scipy.stats.chisquare(f_obs, f_exp)`).
//!
//! **Evidently's rule.** Default for categorical columns with more than 2 categories
//! and numerical columns with 3–5 unique values, when the reference has at most 1000
//! non-null rows. Drift when `p < threshold` (default 0.05).
//!
//! **Edge case.** A category seen only in the current sample has expected count 0,
//! so the statistic is infinite and `p = 0` (scipy does the same).

use statrs::distribution::{ChiSquared, ContinuousCDF};

use crate::sample::CategoryCounts;
use crate::DriftError;

/// Chi-squared statistic and p-value.
pub fn chisquare(counts: &CategoryCounts) -> Result<(f64, f64), DriftError> {
    let n_ref = counts.n_reference();
    let n_cur = counts.n_current();
    if n_ref == 0 || n_cur == 0 {
        return Err(DriftError::EmptySample("chisquare"));
    }
    let k_norm = n_cur as f64 / n_ref as f64;
    let mut stat = 0.0;
    for (&r, &c) in counts.reference.iter().zip(&counts.current) {
        let e = r as f64 * k_norm;
        let d = c as f64 - e;
        stat += d * d / e;
    }
    let dof = counts.n_unique() as f64 - 1.0;
    if dof < 1.0 {
        return Ok((stat, f64::NAN));
    }
    if stat.is_nan() {
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

    #[test]
    fn matches_scipy() {
        // scipy.stats.chisquare([10, 20, 30], [20, 20, 20]) -> stat 10, p 0.006737946999085467
        let c = CategoryCounts {
            keys: vec!["a".into(), "b".into(), "c".into()],
            reference: vec![20, 20, 20],
            current: vec![10, 20, 30],
        };
        let (s, p) = chisquare(&c).unwrap();
        assert!((s - 10.0).abs() < 1e-12);
        assert!((p - 0.006_737_946_999_085_467).abs() < 1e-15);
    }
}
