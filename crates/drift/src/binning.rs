//! Evidently's binning for Jensen-Shannon, PSI and K-L (`stattests/utils.py`,
//! `get_binned_data`), reproduced with numpy's exact edge and count rules.
//!
//! * Numerical column with **more than 20 unique reference values**: equal-width
//!   Sturges bins over reference and current *combined*
//!   (`numpy.histogram_bin_edges(concat(ref, cur), bins="sturges")`), counted with
//!   `numpy.histogram` (each bin half-open `[e_i, e_i+1)`, the last one closed).
//! * Otherwise: one bin per distinct value of the union.
//! * Shares are `count / len(sample)`. PSI and K-L then replace zero shares
//!   ([`fill_zeroes`]); Jensen-Shannon does not.
//!
//! The docstring in Evidently mentions "reference quantiles" and `n_bins=30`; neither
//! is used by its code, so neither is used here.

use crate::sample::{CategoryCounts, NumericSample};

/// Reference unique-value count above which numerical columns get Sturges bins.
pub const STURGES_MIN_UNIQUE: usize = 20;

/// Bin edges as `numpy.histogram_bin_edges(x, bins="sturges")` for data with the
/// given minimum, maximum and size. `integer` mirrors numpy's rule that integer data
/// never gets bins narrower than 1.
pub fn sturges_edges(min: f64, max: f64, n: usize, integer: bool) -> Vec<f64> {
    let ptp = max - min;
    let (first, last) = if min == max {
        (min - 0.5, max + 0.5)
    } else {
        (min, max)
    };
    let mut width = ptp / ((n as f64).log2() + 1.0);
    let n_bins = if width != 0.0 && n > 0 {
        if integer && width < 1.0 {
            width = 1.0;
        }
        ((last - first) / width).ceil() as usize
    } else {
        1
    };
    linspace(first, last, n_bins + 1)
}

/// `numpy.linspace(start, stop, num, endpoint=True)` with numpy's arithmetic.
pub fn linspace(start: f64, stop: f64, num: usize) -> Vec<f64> {
    if num == 0 {
        return Vec::new();
    }
    if num == 1 {
        return vec![start];
    }
    let div = (num - 1) as f64;
    let delta = stop - start;
    let step = delta / div;
    let mut y: Vec<f64> = (0..num)
        .map(|i| {
            if step == 0.0 {
                i as f64 / div * delta + start
            } else {
                i as f64 * step + start
            }
        })
        .collect();
    y[num - 1] = stop;
    y
}

/// Counts of a **sorted** sample per bin, as `numpy.histogram(x, edges)[0]`: values
/// outside `[edges[0], edges[last]]` are ignored, the last bin includes its right edge.
pub fn histogram_sorted(sorted: &[f64], edges: &[f64]) -> Vec<u64> {
    if edges.len() < 2 {
        return Vec::new();
    }
    let k = edges.len();
    let mut cum: Vec<usize> = edges[..k - 1]
        .iter()
        .map(|e| sorted.partition_point(|v| v < e))
        .collect();
    cum.push(sorted.partition_point(|v| v <= &edges[k - 1]));
    cum.windows(2).map(|w| (w[1] - w[0]) as u64).collect()
}

/// Which binning [`numeric_shares`] used.
#[derive(Debug, Clone, PartialEq)]
pub enum Bins {
    /// Sturges equal-width edges over the combined data.
    Sturges(Vec<f64>),
    /// One bin per distinct value; the labels.
    Values(Vec<String>),
}

/// Evidently's binned shares for a numerical column.
pub fn numeric_shares(
    reference: &NumericSample,
    current: &NumericSample,
) -> (Vec<f64>, Vec<f64>, Bins) {
    if reference.n_unique() > STURGES_MIN_UNIQUE {
        let min = reference
            .min()
            .unwrap_or(0.0)
            .min(current.min().unwrap_or(f64::INFINITY));
        let max = reference
            .max()
            .unwrap_or(0.0)
            .max(current.max().unwrap_or(f64::NEG_INFINITY));
        let integer = reference.is_integer() && current.is_integer();
        let edges = sturges_edges(min, max, reference.len() + current.len(), integer);
        let nr = reference.len() as f64;
        let nc = current.len() as f64;
        let r = histogram_sorted(reference.values(), &edges)
            .iter()
            .map(|&c| c as f64 / nr)
            .collect();
        let c = histogram_sorted(current.values(), &edges)
            .iter()
            .map(|&c| c as f64 / nc)
            .collect();
        (r, c, Bins::Sturges(edges))
    } else {
        let counts = CategoryCounts::from_numeric(reference, current);
        let (r, c) = counts.shares();
        (r, c, Bins::Values(counts.keys))
    }
}

/// Evidently's zero filling (`feel_zeroes=True`): in each vector, zeros become
/// `min_nonzero / 1e6` if `min_nonzero <= 0.0001`, else `0.0001`.
pub fn fill_zeroes(shares: &mut [f64]) {
    let min_nonzero = shares
        .iter()
        .copied()
        .filter(|&s| s != 0.0)
        .fold(f64::INFINITY, f64::min);
    if !min_nonzero.is_finite() {
        return;
    }
    let fill = if min_nonzero <= 0.0001 {
        min_nonzero / 1e6
    } else {
        0.0001
    };
    for s in shares.iter_mut() {
        if *s == 0.0 {
            *s = fill;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sturges_matches_numpy() {
        // numpy.histogram_bin_edges(np.arange(10.0), bins="sturges")
        // -> 5 bins: [0, 1.8, 3.6, 5.4, 7.2, 9]
        let e = sturges_edges(0.0, 9.0, 10, false);
        assert_eq!(e.len(), 6);
        assert!((e[1] - 1.8).abs() < 1e-12);
        let h = histogram_sorted(&[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0], &e);
        assert_eq!(h, vec![2, 2, 2, 2, 2]);
    }

    #[test]
    fn zero_fill() {
        let mut v = vec![0.5, 0.0, 0.5];
        fill_zeroes(&mut v);
        assert_eq!(v[1], 0.0001);
        let mut v = vec![0.99995, 0.0, 0.00005];
        fill_zeroes(&mut v);
        assert_eq!(v[1], 0.00005 / 1e6);
    }
}
