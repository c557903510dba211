//! Drift against a saved profile instead of reference data ("sketch mode").
//!
//! A profile (`datagate-profile`) keeps exact moments, exact values for numeric
//! columns with at most 1000 finite values, exact counts for columns with at most
//! 1024 distinct values, and KLL/HLL sketches otherwise. What that means per test:
//!
//! | test | from a profile |
//! |---|---|
//! | `ks`, `chisquare`, `z` with Evidently's default choice (`n_ref <= 1000`) | **exact** (exact values / counts are kept) |
//! | `chisquare`, `z`, `jensenshannon`, `psi`, `kl_div` on ≤ 1024 categories | **exact** (exact counts) |
//! | `jensenshannon`, `psi`, `kl_div` with Sturges bins (> 20 unique) | approximate: reference shares from the KLL CDF (rank error ≈ 1.65 % per edge); the edges themselves are exact (min, max, n are exact) |
//! | `wasserstein` | approximate: `∫|Q_ref(p) − Q_cur(p)| dp` on a 4096-point rank grid, reference quantiles from KLL; normalised by the exact reference std |
//! | `t_test` | **exact** (needs only n, mean, variance) |
//! | categorical tests on > 1024 categories | approximate: Misra-Gries counts plus an "(other)" bin |
//! | `ks` with `n_ref > 1000`, `ed`, `hellinger` (numerical) | **not available**: they need every reference value; pass the data file |
//!
//! Results computed approximately carry `approximate: true`. `tests/sketch_mode.rs`
//! compares sketch mode with exact mode on the same data.

use datagate_profile::ColumnProfile;

use crate::binning::{sturges_edges, STURGES_MIN_UNIQUE};
use crate::column::{ColumnDrift, ColumnType, Distribution, SideSummary};
use crate::sample::NumericSample;
use crate::stattests::{self, StatTest};
use crate::DriftError;

/// Rank grid size used for the quantile-based Wasserstein distance.
pub const WASSERSTEIN_GRID: usize = 4096;

fn q_sorted(sorted: &[f64], p: f64) -> f64 {
    // Inverse of the right-continuous ECDF: smallest x with F(x) >= p.
    let n = sorted.len();
    let idx = ((p * n as f64).ceil() as usize).clamp(1, n) - 1;
    sorted[idx]
}

/// Approximate normed Wasserstein distance between a profiled reference and a sample.
pub fn wasserstein_norm_sketch(reference: &ColumnProfile, current: &NumericSample) -> f64 {
    let g = WASSERSTEIN_GRID;
    let ranks: Vec<f64> = (0..g).map(|i| (i as f64 + 0.5) / g as f64).collect();
    let qr = reference.quantiles.quantiles(&ranks);
    if qr.len() != g || current.is_empty() {
        return f64::NAN;
    }
    let cur = current.values();
    let w: f64 = ranks
        .iter()
        .zip(&qr)
        .map(|(&p, &r)| (r - q_sorted(cur, p)).abs())
        .sum::<f64>()
        / g as f64;
    let std = reference.moments.variance_pop().unwrap_or(0.0).sqrt();
    w / std.max(0.001)
}

/// Sturges-binned shares with reference shares from the KLL CDF.
pub fn sturges_shares_sketch(
    reference: &ColumnProfile,
    current: &NumericSample,
    integer: bool,
) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let m = &reference.moments;
    let min = m.min.min(current.min().unwrap_or(f64::INFINITY));
    let max = m.max.max(current.max().unwrap_or(f64::NEG_INFINITY));
    let edges = sturges_edges(min, max, m.count as usize + current.len(), integer);
    let k = edges.len() - 1;
    // Reference: share in [e_i, e_{i+1}) = F(e_{i+1}^-) - F(e_i^-); approximated with the
    // inclusive CDF at the inner edges (values exactly on an edge move one bin; within
    // the sketch's error for continuous data).
    let cdf = reference.quantiles.cdf(&edges[1..k]);
    let mut r = Vec::with_capacity(k);
    let mut prev = 0.0;
    for i in 0..k {
        let c = if i + 1 < k {
            cdf.get(i).copied().unwrap_or(1.0)
        } else {
            1.0
        };
        r.push((c - prev).max(0.0));
        prev = c;
    }
    let n = current.len() as f64;
    let c = crate::binning::histogram_sorted(current.values(), &edges)
        .iter()
        .map(|&x| x as f64 / n)
        .collect();
    (r, c, edges)
}

/// Pooled two-sample t-test from the reference's moments.
pub fn t_test_sketch(
    reference: &ColumnProfile,
    current: &NumericSample,
) -> Result<(f64, f64), DriftError> {
    use statrs::distribution::{ContinuousCDF, StudentsT};
    let n1 = reference.moments.count as f64;
    let n2 = current.len() as f64;
    if n1 == 0.0 || n2 == 0.0 || n1 + n2 <= 2.0 {
        return Err(DriftError::EmptySample("t_test"));
    }
    let m2 = current.mean();
    let ss2: f64 = current.values().iter().map(|v| (v - m2) * (v - m2)).sum();
    let df = n1 + n2 - 2.0;
    let svar = (reference.moments.m2 + ss2) / df;
    let t = (reference.moments.mean - m2) / (svar * (1.0 / n1 + 1.0 / n2)).sqrt();
    if !t.is_finite() {
        return Ok((t, if t.is_nan() { f64::NAN } else { 0.0 }));
    }
    let dist = StudentsT::new(0.0, 1.0, df).map_err(|e| DriftError::Numeric(e.to_string()))?;
    Ok((t, 2.0 * dist.sf(t.abs())))
}

/// Reference summary from a profile.
pub fn profile_summary(p: &ColumnProfile) -> SideSummary {
    let m = &p.moments;
    SideSummary {
        count: m.count,
        n_unique: p.distinct.estimate().round() as u64,
        min: (m.count > 0).then_some(m.min),
        max: (m.count > 0).then_some(m.max),
        mean: (m.count > 0).then_some(m.mean),
        std: m.variance_pop().map(f64::sqrt),
    }
}

/// Numerical drift of a current sample against a profiled reference whose exact values
/// were not kept (`n_ref > 1000`). `test` is Evidently's choice or the user's.
pub fn numerical_column_drift_sketch(
    name: &str,
    reference: &ColumnProfile,
    current: &NumericSample,
    test: StatTest,
    threshold: Option<f64>,
    integer: bool,
) -> Result<ColumnDrift, DriftError> {
    if current.is_empty() {
        return Err(DriftError::EmptySample("current"));
    }
    let ref_unique_large = reference.frequent_num.max_error() > 0
        || reference.frequent_num.items().len() > STURGES_MIN_UNIQUE;
    let (score, statistic) = match test {
        StatTest::Wasserstein => (wasserstein_norm_sketch(reference, current), None),
        StatTest::TTest => {
            let (t, p) = t_test_sketch(reference, current)?;
            (p, Some(t))
        }
        StatTest::JensenShannon | StatTest::Psi | StatTest::KlDiv if ref_unique_large => {
            let (r, c, _) = sturges_shares_sketch(reference, current, integer);
            let s = match test {
                StatTest::JensenShannon => stattests::jensenshannon::jensenshannon(&r, &c),
                StatTest::Psi => stattests::psi::psi(&r, &c),
                _ => stattests::kl_div::kl_div(&r, &c),
            };
            (s, None)
        }
        other => return Err(DriftError::NeedsReferenceValues(other.name())),
    };
    let threshold = threshold.unwrap_or(test.default_threshold());
    let m = &reference.moments;
    let min = m.min.min(current.min().unwrap_or(m.min));
    let max = m.max.max(current.max().unwrap_or(m.max));
    let edges = sturges_edges(min, max, m.count as usize + current.len(), false);
    let k = edges.len() - 1;
    let cdf = reference.quantiles.cdf(&edges[1..k]);
    let mut rs = Vec::with_capacity(k);
    let mut prev = 0.0;
    for i in 0..k {
        let c = if i + 1 < k {
            cdf.get(i).copied().unwrap_or(1.0)
        } else {
            1.0
        };
        rs.push((c - prev).max(0.0));
        prev = c;
    }
    let n = current.len() as f64;
    let cs = crate::binning::histogram_sorted(current.values(), &edges)
        .iter()
        .map(|&x| x as f64 / n)
        .collect();
    Ok(ColumnDrift {
        column: name.to_owned(),
        column_type: ColumnType::Numerical,
        stattest: test,
        stattest_name: test.display_name(),
        statistic_id: test.statistic_id(),
        score_is_p_value: test.is_p_value(),
        score,
        statistic,
        ks_method: None,
        threshold,
        rule: test.rule(),
        drift_detected: test.rule().drifted(score, threshold),
        approximate: test != StatTest::TTest,
        reference: profile_summary(reference),
        current: SideSummary {
            count: current.len() as u64,
            n_unique: current.n_unique() as u64,
            min: current.min(),
            max: current.max(),
            mean: Some(current.mean()),
            std: Some(current.std_pop()),
        },
        distribution: Distribution::Histogram {
            edges,
            reference: rs,
            current: cs,
        },
    })
}

/// Marks a categorical result computed from approximate (overflowed) counts.
pub fn mark_approximate(mut d: ColumnDrift) -> ColumnDrift {
    d.approximate = true;
    d
}
