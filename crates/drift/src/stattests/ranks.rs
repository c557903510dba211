//! Tie groups of two pooled samples: the shared input of the rank tests
//! (`anderson`, `cramer_von_mises`, `mannw`).
//!
//! The tests are written against scipy's formulas on pooled, midranked data; with both
//! samples already sorted, one merge walk gives every distinct value of the pool with
//! how many times it occurs in each sample, which is all those formulas need (the
//! number of pooled values below a group, its midrank, each sample's share of it).

/// One distinct value of the pooled sample and its multiplicity in each sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TieGroup {
    /// Occurrences in the first (reference) sample.
    pub in_a: u64,
    /// Occurrences in the second (current) sample.
    pub in_b: u64,
}

impl TieGroup {
    /// Occurrences in the pool.
    pub fn total(&self) -> u64 {
        self.in_a + self.in_b
    }
}

/// The distinct values of `a ∪ b` in ascending order, with their multiplicities.
/// Both slices must be sorted ascending (as [`crate::NumericSample`] keeps them).
pub fn tie_groups(a: &[f64], b: &[f64]) -> Vec<TieGroup> {
    let mut out = Vec::new();
    let (mut i, mut j) = (0usize, 0usize);
    while i < a.len() || j < b.len() {
        let v = match (a.get(i), b.get(j)) {
            (Some(&x), Some(&y)) => x.min(y),
            (Some(&x), None) => x,
            (None, Some(&y)) => y,
            (None, None) => break,
        };
        let (i0, j0) = (i, j);
        while i < a.len() && a[i] == v {
            i += 1;
        }
        while j < b.len() && b[j] == v {
            j += 1;
        }
        out.push(TieGroup {
            in_a: (i - i0) as u64,
            in_b: (j - j0) as u64,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_in_order_with_counts() {
        let g = tie_groups(&[1.0, 2.0, 2.0, 5.0], &[2.0, 3.0, 5.0, 5.0]);
        let pairs: Vec<(u64, u64)> = g.iter().map(|t| (t.in_a, t.in_b)).collect();
        assert_eq!(pairs, vec![(1, 0), (2, 1), (0, 1), (1, 2)]);
    }
}
