//! numpy's legacy global random generator (`np.random.seed(s)`, MT19937), enough of
//! it to replay `np.random.choice(pop, k, replace=False)` draw for draw.
//!
//! Evidently's permutation tests call `np.random.seed(0)` and then
//! `np.random.choice(combined, n_ref, replace=False)`, which in numpy's legacy
//! `RandomState` is `permutation(len(combined))[:n_ref]`: a Fisher-Yates shuffle of
//! `arange(N)` from the last position down, where each index comes from
//! `random_interval(i)` — 32-bit draws masked to the next power of two minus one,
//! rejected until `<= i`. Integer seeds go through `init_genrand` (not
//! `init_by_array`). The sequence is checked against numpy in
//! `tests/scipy_rank.rs` (fixture from `tests/peers/scipy/gen_fixtures.py`).

const N: usize = 624;
const M: usize = 397;

/// The Mersenne Twister MT19937 with numpy's legacy integer seeding.
#[derive(Clone)]
pub struct Mt19937 {
    state: [u32; N],
    pos: usize,
}

impl Mt19937 {
    /// `np.random.seed(seed)` for an integer seed (`init_genrand`).
    pub fn new(seed: u32) -> Self {
        let mut state = [0u32; N];
        state[0] = seed;
        for i in 1..N {
            let prev = state[i - 1];
            state[i] = 1_812_433_253u32
                .wrapping_mul(prev ^ (prev >> 30))
                .wrapping_add(i as u32);
        }
        Mt19937 { state, pos: N }
    }

    fn twist(&mut self) {
        for i in 0..N {
            let y = (self.state[i] & 0x8000_0000) | (self.state[(i + 1) % N] & 0x7fff_ffff);
            let mut v = self.state[(i + M) % N] ^ (y >> 1);
            if y & 1 != 0 {
                v ^= 0x9908_b0df;
            }
            self.state[i] = v;
        }
        self.pos = 0;
    }

    /// Next 32-bit output (`genrand_int32`).
    pub fn next_u32(&mut self) -> u32 {
        if self.pos >= N {
            self.twist();
        }
        let mut y = self.state[self.pos];
        self.pos += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^= y >> 18;
        y
    }

    /// numpy's legacy `random_interval(max)`: uniform in `0..=max` by masked rejection.
    /// Only 32-bit ranges are supported (populations below 2^32).
    pub fn interval(&mut self, max: u32) -> u32 {
        if max == 0 {
            return 0;
        }
        let mut mask = max;
        mask |= mask >> 1;
        mask |= mask >> 2;
        mask |= mask >> 4;
        mask |= mask >> 8;
        mask |= mask >> 16;
        loop {
            let v = self.next_u32() & mask;
            if v <= max {
                return v;
            }
        }
    }

    /// Shuffles `items` in place exactly like numpy's legacy `RandomState.shuffle`
    /// on a 1-D array.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.interval(i as u32) as usize;
            items.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_output() {
        // The MT19937 reference (init_genrand(5489)) first output is 3499211612.
        let mut mt = Mt19937::new(5489);
        assert_eq!(mt.next_u32(), 3_499_211_612);
    }
}
