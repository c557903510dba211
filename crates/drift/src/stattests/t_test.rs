//! Student's two-sample t-test (`t_test`), Evidently's way.
//!
//! **What it measures.** `scipy.stats.ttest_ind(ref, cur)` with pooled variance
//! (`equal_var=True`): `t = (m1 − m2)/sqrt(s²(1/n1 + 1/n2))`, `df = n1 + n2 − 2`,
//! two-sided `p = 2·T_df.sf(|t|)`.
//!
//! **Evidently's rule.** Used when named, numerical columns only. Drift when
//! `p < threshold` (default 0.05).

use statrs::distribution::{ContinuousCDF, StudentsT};

use crate::sample::NumericSample;
use crate::DriftError;

/// t statistic and two-sided p-value.
pub fn t_test(
    reference: &NumericSample,
    current: &NumericSample,
) -> Result<(f64, f64), DriftError> {
    let (n1, n2) = (reference.len() as f64, current.len() as f64);
    if n1 + n2 <= 2.0 || n1 == 0.0 || n2 == 0.0 {
        return Err(DriftError::EmptySample("t_test"));
    }
    let (m1, m2) = (reference.mean(), current.mean());
    let ss = |s: &NumericSample, m: f64| s.values().iter().map(|v| (v - m) * (v - m)).sum::<f64>();
    let df = n1 + n2 - 2.0;
    let svar = (ss(reference, m1) + ss(current, m2)) / df;
    let t = (m1 - m2) / (svar * (1.0 / n1 + 1.0 / n2)).sqrt();
    if !t.is_finite() {
        return Ok((t, if t.is_nan() { f64::NAN } else { 0.0 }));
    }
    let dist = StudentsT::new(0.0, 1.0, df).map_err(|e| DriftError::Numeric(e.to_string()))?;
    Ok((t, 2.0 * dist.sf(t.abs())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_value() {
        // scipy.stats.ttest_ind([1,2,3,4],[2,3,4,5,6]) -> t=-1.5275252316519465, p=0.1704706607870538
        let a = NumericSample::new(vec![1.0, 2.0, 3.0, 4.0], false);
        let b = NumericSample::new(vec![2.0, 3.0, 4.0, 5.0, 6.0], false);
        let (t, p) = t_test(&a, &b).unwrap();
        assert!((t + 1.527_525_231_651_946_5).abs() < 1e-12, "{t}");
        assert!((p - 0.170_470_660_787_053_8).abs() < 1e-9, "{p}");
    }
}
