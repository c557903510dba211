//! Normed Wasserstein distance (`wasserstein`), Evidently's way.
//!
//! **What it measures.** The 1-D earth mover's distance between the raw reference and
//! current values (`scipy.stats.wasserstein_distance`: the area between the two
//! empirical CDFs), divided by `max(std_pop(reference), 0.001)`. A score of 0.1 means
//! the distribution moved by about a tenth of a reference standard deviation.
//!
//! **Evidently's rule.** Default for numerical columns with more than 5 unique values
//! when the reference has more than 1000 non-null rows. Drift when
//! `score >= threshold` (default 0.1).

use crate::sample::NumericSample;
use crate::DriftError;

/// `∫ |F_u − F_v|^p` over the merged support of two sorted samples (scipy's
/// `_cdf_distance` before the final root), for p = 1 or 2.
pub(crate) fn cdf_distance_pow(u: &[f64], v: &[f64], p: i32) -> f64 {
    let (nu, nv) = (u.len() as f64, v.len() as f64);
    let (mut i, mut j) = (0usize, 0usize);
    let mut prev: Option<f64> = None;
    let mut total = 0.0;
    while i < u.len() || j < v.len() {
        let x = match (u.get(i), v.get(j)) {
            (Some(&a), Some(&b)) => a.min(b),
            (Some(&a), None) => a,
            (None, Some(&b)) => b,
            (None, None) => break,
        };
        if let Some(px) = prev {
            // CDFs are constant on [px, x): counts of values <= px.
            let fu = i as f64 / nu;
            let fv = j as f64 / nv;
            total += (fu - fv).abs().powi(p) * (x - px);
        }
        while i < u.len() && u[i] <= x {
            i += 1;
        }
        while j < v.len() && v[j] <= x {
            j += 1;
        }
        prev = Some(x);
    }
    total
}

/// Unnormed 1-D Wasserstein distance between two sorted samples.
pub fn wasserstein_distance(u: &[f64], v: &[f64]) -> f64 {
    cdf_distance_pow(u, v, 1)
}

/// Evidently's normed Wasserstein score.
pub fn wasserstein_norm(
    reference: &NumericSample,
    current: &NumericSample,
) -> Result<f64, DriftError> {
    if reference.is_empty() || current.is_empty() {
        return Err(DriftError::EmptySample("wasserstein"));
    }
    let norm = reference.std_pop().max(0.001);
    Ok(wasserstein_distance(reference.values(), current.values()) / norm)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scipy_example() {
        // scipy docs: wasserstein_distance([0, 1, 3], [5, 6, 8]) == 5.0
        assert!((wasserstein_distance(&[0.0, 1.0, 3.0], &[5.0, 6.0, 8.0]) - 5.0).abs() < 1e-12);
        // wasserstein_distance([3.4, 3.9, 7.5, 7.8], [4.5, 1.4]) = 2.7
        let d = wasserstein_distance(&[3.4, 3.9, 7.5, 7.8], &[1.4, 4.5]);
        assert!((d - 2.7).abs() < 1e-12, "{d}");
    }
}
