//! Fisher's exact test (`fisher_exact`) on the 2×2 table of a binary column, as
//! `scipy.stats.fisher_exact(table)` (two-sided).
//!
//! **What it measures.** With the two categories `k0 < k1` (sorted labels; e.g.
//! `False`/`True`), the table is Evidently's
//! `[[cur(k1), cur(k0)], [ref(k1), ref(k0)]]`. Under the null the top-left cell is
//! hypergeometric given the margins; the two-sided p-value sums the probabilities of
//! every table no more likely than the observed one (scipy's rule, with its relative
//! tolerance `1 + 1e-14` for "equally likely"). Which category Evidently puts first
//! depends on Python's set order, but the two-sided p-value does not change when the
//! columns are swapped, so the choice does not matter. The statistic is the odds
//! ratio `a·d / (b·c)` (∞ when `b·c = 0`, NaN when a row or column is empty).
//!
//! **Computation.** Probabilities are taken relative to scipy's `mode`
//! (`int((n+1)(n1+1)/(N+2))`) by multiplying the exact ratios
//! `P(x+1)/P(x) = (n1−x)(n−x) / ((x+1)(n2−n+x+1))` outward (as log1p of an exact
//! integer difference), then normalised by their sum: no log-gamma of large
//! arguments, relative error about `steps × 1e-16`, constant memory (each walk stops
//! where the probabilities underflow). "Equally likely" is decided with
//! scipy's `1e-14` plus that accumulated error, so mirror-image tables (equal sample
//! sizes, as Evidently requires) are always recognised as ties.
//!
//! **Evidently's rule.** Categorical columns only; name `fisher_exact`, display name
//! `Fisher's Exact test`; drift when `p < threshold` (default 0.1).
//!
//! **Where datagate differs.** Evidently 0.7.23 raises unless the reference and current
//! samples have the **same number of rows** (`generate_fisher2x2_contingency_table`);
//! the test itself needs no such thing, so datagate computes it for any sizes (same
//! p-value as scipy on that table). With more than two categories in the union,
//! Evidently either raises or (two categories on each side, but different ones) maps
//! the extra labels to NaN and builds a meaningless table; datagate returns an error.
//! A single category gives p = 1, as in both.

use crate::sample::CategoryCounts;
use crate::DriftError;

/// Odds ratio and two-sided p-value for the binary column in `counts`.
pub fn fisher_exact_counts(counts: &CategoryCounts) -> Result<(f64, f64), DriftError> {
    if counts.n_reference() == 0 || counts.n_current() == 0 {
        return Err(DriftError::EmptySample("fisher_exact"));
    }
    let (r, c) = match counts.keys.len() {
        1 => ([0, counts.reference[0]], [0, counts.current[0]]),
        2 => (
            [counts.reference[1], counts.reference[0]],
            [counts.current[1], counts.current[0]],
        ),
        k => {
            return Err(DriftError::Numeric(format!(
                "fisher_exact needs a binary column, found {k} categories (reference and current together)"
            )))
        }
    };
    Ok(fisher_exact_2x2([[c[0], c[1]], [r[0], r[1]]]))
}

/// scipy's two-sided `fisher_exact` on a 2×2 table: `(odds ratio, p-value)`.
pub fn fisher_exact_2x2(t: [[u64; 2]; 2]) -> (f64, f64) {
    let [[a, b], [c, d]] = t;
    if a + b == 0 || c + d == 0 || a + c == 0 || b + d == 0 {
        return (f64::NAN, 1.0);
    }
    let odds = if c > 0 && b > 0 {
        (a as f64 * d as f64) / (c as f64 * b as f64)
    } else {
        f64::INFINITY
    };
    let n1 = a + b; // first row total
    let n2 = c + d;
    let n = a + c; // first column total
    let big_n = n1 + n2;
    let lo = n.saturating_sub(n2);
    let hi = n.min(n1);
    let mode = (((n + 1) as f64 * (n1 + 1) as f64) / (big_n + 2) as f64) as u64;
    let mode = mode.clamp(lo, hi);
    // w(x) = log P(x) − log P(mode), walked outward from the mode without storing the
    // support (it can have as many points as rows); P decreases away from the mode, so
    // a walk stops once exp(w) underflows.
    let ratio_ln = |x: u64| {
        // ln P(x+1)/P(x), from an exact integer difference
        let num = (n1 - x) as f64 * (n - x) as f64;
        let den = (x + 1) as f64 * (n2 + x + 1 - n) as f64;
        ((num - den) / den).ln_1p()
    };
    let mut wexact = 0.0f64;
    if a > mode {
        for x in mode..a {
            wexact += ratio_ln(x);
        }
    } else {
        for x in (a..mode).rev() {
            wexact -= ratio_ln(x);
        }
    }
    let tol = |steps: u64| 1e-14 + 4.0 * f64::EPSILON * (steps as f64 + 1.0);
    let dist = a.abs_diff(mode);
    if wexact.abs() <= tol(dist) {
        return (odds, 1.0);
    }
    let (mut norm, mut p) = (0.0f64, 0.0f64);
    let mut visit = |x: u64, w: f64| {
        let e = w.exp();
        norm += e;
        if w <= wexact + tol(x.abs_diff(mode) + dist) {
            p += e;
        }
        e
    };
    visit(mode, 0.0);
    let mut w = 0.0;
    for x in mode..hi {
        w += ratio_ln(x);
        if visit(x + 1, w) == 0.0 {
            break;
        }
    }
    let mut w = 0.0;
    for x in (lo..mode).rev() {
        w -= ratio_ln(x);
        if visit(x, w) == 0.0 {
            break;
        }
    }
    (odds, (p / norm).min(1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scipy_examples() {
        // scipy 1.17: fisher_exact([[74, 31], [43, 32]]) -> (1.776444111027757, 0.0817946749549986)
        let (odds, p) = fisher_exact_2x2([[74, 31], [43, 32]]);
        assert!((odds - 1.776_444_111_027_757).abs() < 1e-12, "{odds}");
        assert!((p - 0.081_794_674_954_998_6).abs() < 1e-9 * 0.082, "{p}");
        // tea tasting: [[3, 1], [1, 3]] -> (9.0, 0.48571428571428565)
        let (odds, p) = fisher_exact_2x2([[3, 1], [1, 3]]);
        assert_eq!(odds, 9.0);
        assert!((p - 0.485_714_285_714_285_65).abs() < 1e-12, "{p}");
    }

    #[test]
    fn empty_margin_is_p_one() {
        assert_eq!(fisher_exact_2x2([[0, 5], [0, 7]]).1, 1.0);
    }

    #[test]
    fn more_than_two_categories_is_an_error() {
        let c = CategoryCounts {
            keys: vec!["a".into(), "b".into(), "c".into()],
            reference: vec![1, 2, 3],
            current: vec![3, 2, 1],
        };
        assert!(fisher_exact_counts(&c).is_err());
    }
}
