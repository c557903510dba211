//! Two-proportion Z-test (`z`), Evidently's way.
//!
//! **What it measures.** Whether the share of one of two categories differs between
//! reference and current. The sorted union of categories is taken; the first maps
//! to 0 and every other value to 1. With `p1`, `p2` the shares of 1s and
//! `P = (p1·n1 + p2·n2)/(n1 + n2)`, `z = (p1 − p2)/sqrt(P(1−P)(1/n1 + 1/n2))` and
//! `p = 2·(1 − Φ(|z|))` (computed as Evidently does, so p saturates at about 1e-16).
//!
//! **Evidently's rule.** Default for columns with at most 2 unique values when the
//! reference has at most 1000 non-null rows. If both samples are constant and equal,
//! `p = 1`. Drift when `p < threshold` (default 0.05).

use statrs::distribution::{ContinuousCDF, Normal};

use crate::sample::CategoryCounts;
use crate::DriftError;

/// Z statistic (NaN when both samples hold the same single value) and p-value.
pub fn z_test(counts: &CategoryCounts) -> Result<(f64, f64), DriftError> {
    let n1 = counts.n_reference();
    let n2 = counts.n_current();
    if n1 == 0 || n2 == 0 {
        return Err(DriftError::EmptySample("z"));
    }
    let present = |v: &[u64]| v.iter().filter(|&&c| c > 0).count();
    if present(&counts.reference) == 1 && present(&counts.current) == 1 {
        let ri = counts.reference.iter().position(|&c| c > 0);
        let ci = counts.current.iter().position(|&c| c > 0);
        if ri == ci {
            return Ok((f64::NAN, 1.0));
        }
    }
    // Keys are sorted; index 0 is the first category and maps to 0.
    let ones_ref: u64 = counts.reference.iter().skip(1).sum();
    let ones_cur: u64 = counts.current.iter().skip(1).sum();
    let (n1f, n2f) = (n1 as f64, n2 as f64);
    let p1 = ones_ref as f64 / n1f;
    let p2 = ones_cur as f64 / n2f;
    let pp = (p1 * n1f + p2 * n2f) / (n1f + n2f);
    let z = (p1 - p2) / (pp * (1.0 - pp) * (1.0 / n1f + 1.0 / n2f)).sqrt();
    let normal = Normal::standard();
    let p = 2.0 * (1.0 - normal.cdf(z.abs()));
    Ok((z, p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_equal_is_one() {
        let c = CategoryCounts {
            keys: vec!["a".into()],
            reference: vec![5],
            current: vec![7],
        };
        assert_eq!(z_test(&c).unwrap().1, 1.0);
    }

    #[test]
    fn known_value() {
        // ref 30/100 ones, cur 50/100 ones: P=0.4, z=-0.2/sqrt(0.24*0.02)=-2.886751...
        let c = CategoryCounts {
            keys: vec!["0".into(), "1".into()],
            reference: vec![70, 30],
            current: vec![50, 50],
        };
        let (z, p) = z_test(&c).unwrap();
        assert!((z + 2.886_751_345_948_129).abs() < 1e-12);
        assert!((p - 0.003_892_417_122_778_637).abs() < 1e-12, "{p}");
    }
}
