//! Frequent values with the Misra-Gries summary, in its mergeable form
//! (Agarwal et al., "Mergeable Summaries", 2012).
//!
//! Up to `capacity` distinct values are counted **exactly**; beyond that, every time a
//! new value finds no free counter, all counters are decreased by the smallest one and
//! zeros are dropped. Any value's count is then underestimated by at most
//! `max_error` (the sum of all decrements), which is ≤ `n / (capacity + 1)`. A merge
//! adds the counters and, if more than `capacity` remain, subtracts the
//! `(capacity+1)`-th largest count from all, keeping the same bound.
//! `max_error == 0` means the counts are exact (what drift needs to run chi-square,
//! Z and Jensen-Shannon on a saved profile exactly).

use std::collections::HashMap;
use std::hash::Hash;

/// Default number of counters.
pub const DEFAULT_CAPACITY: usize = 1024;

/// A Misra-Gries summary over keys `K`.
#[derive(Debug, Clone, PartialEq)]
pub struct MisraGries<K: Hash + Eq> {
    capacity: usize,
    counts: HashMap<K, u64>,
    total: u64,
    max_error: u64,
}

impl<K: Hash + Eq + Clone> MisraGries<K> {
    /// An empty summary with `capacity` counters (at least 1).
    pub fn new(capacity: usize) -> Self {
        MisraGries {
            capacity: capacity.max(1),
            counts: HashMap::new(),
            total: 0,
            max_error: 0,
        }
    }

    /// Rebuilds a summary from stored parts.
    pub fn from_parts(capacity: usize, items: Vec<(K, u64)>, total: u64, max_error: u64) -> Self {
        let mut s = MisraGries {
            capacity: capacity.max(1),
            counts: items.into_iter().collect(),
            total,
            max_error,
        };
        s.shrink();
        s
    }

    /// Counts one occurrence of a key given by reference (no allocation when present).
    #[inline]
    pub fn add_ref<Q>(&mut self, key: &Q)
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized + ToOwned<Owned = K>,
    {
        self.total += 1;
        if let Some(c) = self.counts.get_mut(key) {
            *c += 1;
            return;
        }
        self.insert_new(key.to_owned());
    }

    /// Counts one occurrence of an owned key.
    #[inline]
    pub fn add(&mut self, key: K) {
        self.total += 1;
        if let Some(c) = self.counts.get_mut(&key) {
            *c += 1;
            return;
        }
        self.insert_new(key);
    }

    fn insert_new(&mut self, key: K) {
        if self.counts.len() < self.capacity {
            self.counts.insert(key, 1);
            return;
        }
        // No free counter: decrement everything by the minimum (the new key counts 1,
        // which is <= min, so it is dropped with the decrement).
        let min = self.counts.values().copied().min().unwrap_or(1).min(1);
        self.max_error += min;
        self.counts.retain(|_, c| {
            *c -= min;
            *c > 0
        });
    }

    fn shrink(&mut self) {
        if self.counts.len() <= self.capacity {
            return;
        }
        let mut v: Vec<u64> = self.counts.values().copied().collect();
        v.sort_unstable_by(|a, b| b.cmp(a));
        let cut = v[self.capacity];
        self.max_error += cut;
        self.counts.retain(|_, c| {
            *c = c.saturating_sub(cut);
            *c > 0
        });
    }

    /// Merges another summary (capacities are reconciled to the smaller).
    pub fn merge(&mut self, other: &MisraGries<K>) {
        self.capacity = self.capacity.min(other.capacity);
        for (k, c) in &other.counts {
            *self.counts.entry(k.clone()).or_insert(0) += c;
        }
        self.total += other.total;
        self.max_error += other.max_error;
        self.shrink();
    }

    /// Number of counters.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Items counted.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// Upper bound on how much any count is underestimated; 0 = exact.
    pub fn max_error(&self) -> u64 {
        self.max_error
    }

    /// True when every count is exact (no decrement ever happened).
    pub fn is_exact(&self) -> bool {
        self.max_error == 0
    }

    /// The tracked keys and their (lower-bound) counts, most frequent first.
    pub fn items(&self) -> Vec<(K, u64)>
    where
        K: Ord,
    {
        let mut v: Vec<(K, u64)> = self.counts.iter().map(|(k, c)| (k.clone(), *c)).collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_under_capacity_and_bounded_over() {
        let mut mg = MisraGries::<u32>::new(3);
        for x in [1, 1, 2, 3, 1] {
            mg.add(x);
        }
        assert!(mg.is_exact());
        assert_eq!(mg.items()[0], (1, 3));
        for x in 10..20 {
            mg.add(x);
        }
        assert!(!mg.is_exact());
        // true count of 1 is 3; estimate >= 3 - max_error
        let est = mg
            .items()
            .iter()
            .find(|(k, _)| *k == 1)
            .map(|x| x.1)
            .unwrap_or(0);
        assert!(est + mg.max_error() >= 3);
        assert!(mg.max_error() <= mg.total() / 4);
    }
}
