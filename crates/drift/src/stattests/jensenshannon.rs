//! Jensen-Shannon distance (`jensenshannon`), Evidently's way.
//!
//! **What it measures.** `scipy.spatial.distance.jensenshannon(ref_shares, cur_shares)`
//! over Evidently's bins ([`crate::binning`], no zero filling): the **distance**
//! (square root of the divergence) in **natural log**, range `[0, √ln 2 ≈ 0.833]`.
//! Other tools differ: TFDV reports the divergence in log2, NannyML uses base 2 and
//! reference-only bins — compare with care.
//!
//! **Evidently's rule.** Default for categorical columns, and numerical columns with at
//! most 5 unique values, when the reference has more than 1000 non-null rows. Drift
//! when `score >= threshold` (default 0.1).

/// `x·ln(x/y)` with scipy's `rel_entr` conventions.
pub(crate) fn rel_entr(x: f64, y: f64) -> f64 {
    if x > 0.0 && y > 0.0 {
        x * (x / y).ln()
    } else if x == 0.0 && y >= 0.0 {
        0.0
    } else {
        f64::INFINITY
    }
}

/// Jensen-Shannon distance (natural log) between two share vectors (normalised first).
pub fn jensenshannon(p: &[f64], q: &[f64]) -> f64 {
    let sp: f64 = p.iter().sum();
    let sq: f64 = q.iter().sum();
    let mut left = 0.0;
    let mut right = 0.0;
    for (&a, &b) in p.iter().zip(q) {
        let (a, b) = (a / sp, b / sq);
        let m = (a + b) / 2.0;
        left += rel_entr(a, m);
        right += rel_entr(b, m);
    }
    ((left + right) / 2.0).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scipy_values() {
        // jensenshannon([1,0,0],[0,1,0]) = sqrt(ln 2)
        assert!(
            (jensenshannon(&[1.0, 0.0, 0.0], &[0.0, 1.0, 0.0]) - 2f64.ln().sqrt()).abs() < 1e-15
        );
        // jensenshannon([1.0, 0.0], [0.5, 0.5]) = 0.464501404022459
        let d = jensenshannon(&[1.0, 0.0], &[0.5, 0.5]);
        assert!((d - 0.464_501_404_022_459).abs() < 1e-12, "{d}");
        assert_eq!(jensenshannon(&[0.2, 0.8], &[0.2, 0.8]), 0.0);
    }
}
