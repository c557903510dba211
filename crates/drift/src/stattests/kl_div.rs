//! Kullback-Leibler divergence (`kl_div`), Evidently's way.
//!
//! **What it measures.** `scipy.stats.entropy(ref_shares, cur_shares)` — `KL(ref‖cur)`
//! in natural log — over Evidently's bins ([`crate::binning`]) after the same zero
//! filling as PSI; both vectors are renormalised to sum to 1 (scipy does this).
//!
//! **Evidently's rule.** Used when named. Drift when `score >= threshold`
//! (default 0.1).

use super::jensenshannon::rel_entr;
use crate::binning::fill_zeroes;

/// K-L divergence of the reference shares from the current shares.
pub fn kl_div(reference: &[f64], current: &[f64]) -> f64 {
    let mut r = reference.to_vec();
    let mut c = current.to_vec();
    fill_zeroes(&mut r);
    fill_zeroes(&mut c);
    let sr: f64 = r.iter().sum();
    let sc: f64 = c.iter().sum();
    r.iter()
        .zip(&c)
        .map(|(a, b)| rel_entr(a / sr, b / sc))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed() {
        let v = kl_div(&[0.5, 0.5], &[0.25, 0.75]);
        let expect = 0.5 * 2f64.ln() + 0.5 * (0.5f64 / 0.75).ln();
        assert!((v - expect).abs() < 1e-15);
    }
}
