//! Population Stability Index (`psi`), Evidently's way.
//!
//! **What it measures.** `Σ (ref − cur)·ln(ref/cur)` over Evidently's bins
//! ([`crate::binning`]) after zero filling (each zero share becomes
//! `min_nonzero/1e6` if `min_nonzero <= 0.0001`, else 0.0001). Shares are not
//! renormalised after filling, exactly as in Evidently.
//!
//! **Evidently's rule.** Never chosen automatically; used when named. Drift when
//! `score >= threshold` (default 0.1).

use crate::binning::fill_zeroes;

/// PSI between two share vectors (zero filling applied here).
pub fn psi(reference: &[f64], current: &[f64]) -> f64 {
    let mut r = reference.to_vec();
    let mut c = current.to_vec();
    fill_zeroes(&mut r);
    fill_zeroes(&mut c);
    r.iter().zip(&c).map(|(a, b)| (a - b) * (a / b).ln()).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed() {
        let v = psi(&[0.5, 0.5], &[0.25, 0.75]);
        let expect = 0.25 * 2f64.ln() + (-0.25) * (0.5f64 / 0.75).ln();
        assert!((v - expect).abs() < 1e-15);
    }
}
