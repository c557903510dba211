//! A small seeded random number generator (SplitMix64) for reproducible attacks.
//!
//! Our own ten lines instead of the `rand` crate: the ground truth of a benchmark must not
//! change when a dependency changes its algorithms, and SplitMix64 is fixed by its paper
//! (Steele, Lea, Flood 2014). It is not cryptographic and does not need to be.

/// SplitMix64: a 64-bit state advanced by a constant and scrambled.
#[derive(Debug, Clone)]
pub struct Rng {
    state: u64,
}

impl Rng {
    /// A generator whose whole sequence is fixed by `seed`.
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A uniform integer in `0..n` (`n` > 0; returns 0 for `n` = 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        // multiply-shift (Lemire); the bias is below 2^-64 * n, irrelevant here
        ((self.next_u64() as u128 * n as u128) >> 64) as usize
    }

    /// A uniform float in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// `k` distinct items of `items`, in random order (all of them when `k` ≥ len).
    pub fn sample<T: Copy>(&mut self, items: &[T], k: usize) -> Vec<T> {
        let mut v = items.to_vec();
        let k = k.min(v.len());
        for i in 0..k {
            let j = i + self.below(v.len() - i);
            v.swap(i, j);
        }
        v.truncate(k);
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_sequence_and_reference_values() {
        // first outputs of SplitMix64 seeded with 0 (published reference values)
        let mut r = Rng::new(0);
        assert_eq!(r.next_u64(), 0xe220_a839_7b1d_cdaf);
        assert_eq!(r.next_u64(), 0x6e78_9e6a_a1b9_65f4);
        let (mut a, mut b) = (Rng::new(7), Rng::new(7));
        assert_eq!(
            a.sample(&[1, 2, 3, 4, 5, 6], 3),
            b.sample(&[1, 2, 3, 4, 5, 6], 3)
        );
    }

    #[test]
    fn sample_is_distinct_and_below_is_in_range() {
        let mut r = Rng::new(42);
        let s = r.sample(&(0..100).collect::<Vec<_>>(), 40);
        let mut d = s.clone();
        d.sort_unstable();
        d.dedup();
        assert_eq!(d.len(), 40);
        assert!((0..1000).all(|_| r.below(7) < 7));
        assert!((0..1000).all(|_| (0.0..1.0).contains(&r.unit())));
    }
}
