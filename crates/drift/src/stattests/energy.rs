//! Energy distance (`ed`), Evidently's way.
//!
//! **What it measures.** `scipy.stats.energy_distance(ref, cur)`:
//! `sqrt(2·∫ (F_ref − F_cur)²)` over the merged support.
//!
//! **Evidently's rule.** Used when named, numerical columns only. Drift when
//! `score > threshold` (strictly greater; default 0.1).

use super::wasserstein::cdf_distance_pow;
use crate::sample::NumericSample;

/// Energy distance between two numerical samples.
pub fn energy_distance(reference: &NumericSample, current: &NumericSample) -> f64 {
    2f64.sqrt() * cdf_distance_pow(reference.values(), current.values(), 2).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scipy_example() {
        // scipy docs: energy_distance([0], [2]) == 2.0
        let d = energy_distance(
            &NumericSample::new(vec![0.0], false),
            &NumericSample::new(vec![2.0], false),
        );
        assert!((d - 2.0).abs() < 1e-12);
        // energy_distance([0, 8], [0, 8, 3]) ~ 0.9428090415820634 ... computed by hand below
        let d = energy_distance(
            &NumericSample::new(vec![0.0, 8.0], false),
            &NumericSample::new(vec![0.0, 8.0, 3.0], false),
        );
        // F diff: on [0,3): 1/2-1/3=1/6, on [3,8): 1/2-2/3=-1/6 -> sqrt(2*(3+5)/36)
        assert!((d - (16.0f64 / 36.0).sqrt()).abs() < 1e-12);
    }
}
