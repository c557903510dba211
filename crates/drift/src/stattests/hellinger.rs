//! Hellinger distance (`hellinger`), Evidently's way.
//!
//! **What it measures.** `sqrt(1 − Σ sqrt(p·q))`, the Bhattacharyya coefficient turned
//! into a distance in `[0, 1]`.
//! * Categorical: `p`, `q` are the category shares.
//! * Numerical: Sturges edges over the **unique values** of reference ∪ current (not
//!   the values themselves — Evidently's choice), density histograms of each sample,
//!   `Σ sqrt(h1·h2)·bin_width`.
//!
//! **Evidently's rule.** Used when named. Drift when `score >= threshold` (default 0.1).

use crate::binning::{histogram_sorted, sturges_edges};
use crate::sample::{CategoryCounts, NumericSample};

/// Hellinger distance between categorical samples.
pub fn hellinger_categorical(counts: &CategoryCounts) -> f64 {
    let (p, q) = counts.shares();
    let bc: f64 = p.iter().zip(&q).map(|(a, b)| (a * b).sqrt()).sum();
    (1.0 - bc.clamp(0.0, 1.0)).sqrt()
}

/// Hellinger distance between numerical samples.
pub fn hellinger_numerical(reference: &NumericSample, current: &NumericSample) -> f64 {
    let mut keys: Vec<f64> = reference
        .values()
        .iter()
        .chain(current.values())
        .copied()
        .collect();
    keys.sort_unstable_by(f64::total_cmp);
    keys.dedup();
    let (Some(&min), Some(&max)) = (keys.first(), keys.last()) else {
        return f64::NAN;
    };
    let integer = reference.is_integer() && current.is_integer();
    let edges = sturges_edges(min, max, keys.len(), integer);
    let density = |s: &NumericSample| -> Vec<f64> {
        let h = histogram_sorted(s.values(), &edges);
        let total: u64 = h.iter().sum();
        h.iter()
            .zip(edges.windows(2))
            .map(|(&c, w)| c as f64 / (w[1] - w[0]) / total as f64)
            .collect()
    };
    let h1 = density(reference);
    let h2 = density(current);
    let bin_width = (edges[edges.len() - 1] - edges[0]) / (edges.len() - 1) as f64;
    let bc: f64 = h1
        .iter()
        .zip(&h2)
        .map(|(a, b)| (a * b).sqrt() * bin_width)
        .sum();
    (1.0 - bc.clamp(0.0, 1.0)).sqrt()
}
