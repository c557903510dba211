//! RFC 9162 (§2.1) Merkle tree hashing, inclusion and consistency proofs.
//!
//! The tree over `n` leaves is the RFC's left-filled binary tree: for `n > 1`
//! let `k` be the largest power of two strictly less than `n`; the root is
//! `node(root(first k), root(rest))`. Left subtrees are therefore always
//! *perfect* (a power of two leaves, aligned to their size), and any subtree
//! the RFC's algorithms ask for is a run of perfect subtrees along its right
//! edge.
//!
//! Proof generation never walks the leaves: it asks a [`NodeSource`] for the
//! roots of perfect subtrees (`node(level, index)` covers leaves
//! `index·2^level .. (index+1)·2^level`). A store that keeps those hashes
//! (the SQLite store keeps every level) answers a proof among a million
//! entries with about `log2(n)²/2` look-ups. [`MemoryTree`] is the in-memory
//! source used by `log verify` and the tests.
//!
//! Verification is a straight transcription of RFC 9162 §2.1.3.2 and
//! §2.1.4.2 and needs nothing but hashes.

use sha2::{Digest, Sha256};

/// A SHA-256 hash: a leaf hash, a node hash or a root.
pub type Hash = [u8; 32];

/// Prefix byte of a leaf hash (second-preimage protection).
pub const LEAF_PREFIX: u8 = 0x00;
/// Prefix byte of an interior node hash.
pub const NODE_PREFIX: u8 = 0x01;

/// The root of the empty tree: SHA-256 of the empty string.
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// `SHA-256(0x00 || entry)`.
pub fn leaf_hash(entry: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([LEAF_PREFIX]);
    h.update(entry);
    h.finalize().into()
}

/// `SHA-256(0x01 || left || right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([NODE_PREFIX]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The largest power of two strictly less than `n` (`n >= 2`).
fn split_point(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1u64 << (63 - (n - 1).leading_zeros())
}

/// Anything that can hand out the roots of perfect subtrees of one log.
pub trait NodeSource {
    /// The error a look-up can fail with (storage errors).
    type Error;
    /// The root of the perfect subtree of `2^level` leaves that starts at leaf
    /// `index << level`. Level 0 is the leaf hashes. Callers only ask for
    /// subtrees that lie entirely inside the tree size they work on.
    fn node(&self, level: u32, index: u64) -> Result<Hash, Self::Error>;
}

impl<S: NodeSource + ?Sized> NodeSource for &S {
    type Error = S::Error;
    fn node(&self, level: u32, index: u64) -> Result<Hash, Self::Error> {
        (**self).node(level, index)
    }
}

/// The root of the RFC subtree over leaves `start..end` (`start < end`, and
/// `start` aligned as the RFC's recursion leaves it). Costs one look-up per
/// set bit of `end - start`.
pub fn subtree_root<S: NodeSource>(src: &S, start: u64, end: u64) -> Result<Hash, S::Error> {
    debug_assert!(start < end);
    // Perfect pieces from the left: the largest power of two not above the
    // remaining size, each aligned because all earlier pieces were larger.
    let mut pieces: Vec<Hash> = Vec::with_capacity(64);
    let mut pos = start;
    while pos < end {
        let rest = end - pos;
        let level = 63 - rest.leading_zeros();
        pieces.push(src.node(level, pos >> level)?);
        pos += 1u64 << level;
    }
    // Fold right to left: node(p0, node(p1, node(p2, ...))).
    let mut acc = match pieces.pop() {
        Some(h) => h,
        None => return Ok(empty_root()),
    };
    while let Some(left) = pieces.pop() {
        acc = node_hash(&left, &acc);
    }
    Ok(acc)
}

/// The root of the tree over the first `size` leaves.
pub fn root<S: NodeSource>(src: &S, size: u64) -> Result<Hash, S::Error> {
    if size == 0 {
        return Ok(empty_root());
    }
    subtree_root(src, 0, size)
}

/// Errors from generating a proof.
#[derive(Debug, thiserror::Error)]
pub enum ProofError<E> {
    /// The requested index or sizes do not fit the tree.
    #[error("{0}")]
    OutOfRange(String),
    /// The node source failed.
    #[error(transparent)]
    Source(E),
}

/// The inclusion proof (audit path) for leaf `index` in the tree of `size`
/// leaves, leaf side first (RFC 9162 §2.1.3.1).
pub fn inclusion_proof<S: NodeSource>(
    src: &S,
    index: u64,
    size: u64,
) -> Result<Vec<Hash>, ProofError<S::Error>> {
    if index >= size {
        return Err(ProofError::OutOfRange(format!(
            "entry {index} is not in a tree of size {size}"
        )));
    }
    // Walk from the root down, recording siblings; reverse at the end.
    let mut path = Vec::with_capacity(64);
    let (mut start, mut end, mut m) = (0u64, size, index);
    while end - start > 1 {
        let k = split_point(end - start);
        if m < k {
            path.push(subtree_root(src, start + k, end).map_err(ProofError::Source)?);
            end = start + k;
        } else {
            path.push(subtree_root(src, start, start + k).map_err(ProofError::Source)?);
            start += k;
            m -= k;
        }
    }
    path.reverse();
    Ok(path)
}

/// The consistency proof between the tree of `old_size` leaves and the tree
/// of `new_size` leaves (RFC 9162 §2.1.4.1). Empty when `old_size` is 0 or
/// equals `new_size`.
pub fn consistency_proof<S: NodeSource>(
    src: &S,
    old_size: u64,
    new_size: u64,
) -> Result<Vec<Hash>, ProofError<S::Error>> {
    if old_size > new_size {
        return Err(ProofError::OutOfRange(format!(
            "old size {old_size} is larger than the new size {new_size}"
        )));
    }
    if old_size == 0 || old_size == new_size {
        return Ok(Vec::new());
    }
    // SUBPROOF(m, D[start:end], b), unrolled: the recursion only descends,
    // emitting one hash per level after the descent, so record and reverse.
    let mut path = Vec::with_capacity(64);
    let (mut start, mut end, mut m, mut whole_old) = (0u64, new_size, old_size, true);
    loop {
        let n = end - start;
        if m == n {
            if !whole_old {
                path.push(subtree_root(src, start, end).map_err(ProofError::Source)?);
            }
            break;
        }
        let k = split_point(n);
        if m <= k {
            path.push(subtree_root(src, start + k, end).map_err(ProofError::Source)?);
            end = start + k;
        } else {
            path.push(subtree_root(src, start, start + k).map_err(ProofError::Source)?);
            start += k;
            m -= k;
            whole_old = false;
        }
    }
    // The descent-time pushes came before the leaf-side one; the RFC order is
    // the innermost first, i.e. reversed.
    path.reverse();
    Ok(path)
}

/// Why a proof did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The index or sizes are impossible (index ≥ size, old > new, ...).
    #[error("invalid proof parameters: {0}")]
    Parameters(String),
    /// The proof has too few or too many hashes for the sizes.
    #[error("proof has the wrong number of hashes")]
    WrongLength,
    /// The proof recomputes to a different root.
    #[error("proof does not match the root hash")]
    RootMismatch,
}

/// The root an inclusion proof implies for `leaf` at `index` in a tree of
/// `size` (RFC 9162 §2.1.3.2).
pub fn root_from_inclusion_proof(
    index: u64,
    size: u64,
    leaf: &Hash,
    proof: &[Hash],
) -> Result<Hash, VerifyError> {
    if index >= size {
        return Err(VerifyError::Parameters(format!(
            "index {index} is not below the tree size {size}"
        )));
    }
    let (mut fnn, mut snn) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if snn == 0 {
            return Err(VerifyError::WrongLength);
        }
        if fnn & 1 == 1 || fnn == snn {
            r = node_hash(p, &r);
            if fnn & 1 == 0 {
                while fnn & 1 == 0 && fnn != 0 {
                    fnn >>= 1;
                    snn >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        fnn >>= 1;
        snn >>= 1;
    }
    if snn != 0 {
        return Err(VerifyError::WrongLength);
    }
    Ok(r)
}

/// Checks that `leaf` is entry `index` of the tree of `size` with `root`.
pub fn verify_inclusion(
    index: u64,
    size: u64,
    leaf: &Hash,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), VerifyError> {
    let got = root_from_inclusion_proof(index, size, leaf, proof)?;
    if &got == root {
        Ok(())
    } else {
        Err(VerifyError::RootMismatch)
    }
}

/// Checks that the tree of `old_size` with `old_root` is a prefix of the tree
/// of `new_size` with `new_root` (RFC 9162 §2.1.4.2).
pub fn verify_consistency(
    old_size: u64,
    new_size: u64,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> Result<(), VerifyError> {
    if old_size > new_size {
        return Err(VerifyError::Parameters(format!(
            "old size {old_size} is larger than the new size {new_size}"
        )));
    }
    if old_size == new_size {
        if !proof.is_empty() {
            return Err(VerifyError::WrongLength);
        }
        return if old_root == new_root {
            Ok(())
        } else {
            Err(VerifyError::RootMismatch)
        };
    }
    if old_size == 0 {
        // The empty tree is a prefix of everything; nothing to prove.
        return if proof.is_empty() {
            Ok(())
        } else {
            Err(VerifyError::WrongLength)
        };
    }
    if proof.is_empty() {
        return Err(VerifyError::WrongLength);
    }
    // Step 1: if old_size is a power of two the old root is a complete left
    // subtree that the proof omits; put it in front.
    let mut items: &[Hash] = proof;
    let prefixed: Vec<Hash>;
    if old_size.is_power_of_two() {
        prefixed = std::iter::once(*old_root)
            .chain(proof.iter().copied())
            .collect();
        items = &prefixed;
    }
    let (mut fnn, mut snn) = (old_size - 1, new_size - 1);
    while fnn & 1 == 1 {
        fnn >>= 1;
        snn >>= 1;
    }
    let (first, rest) = match items.split_first() {
        Some(x) => x,
        None => return Err(VerifyError::WrongLength),
    };
    let (mut fr, mut sr) = (*first, *first);
    for c in rest {
        if snn == 0 {
            return Err(VerifyError::WrongLength);
        }
        if fnn & 1 == 1 || fnn == snn {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            if fnn & 1 == 0 {
                while fnn & 1 == 0 && fnn != 0 {
                    fnn >>= 1;
                    snn >>= 1;
                }
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fnn >>= 1;
        snn >>= 1;
    }
    if snn != 0 {
        return Err(VerifyError::WrongLength);
    }
    if &fr == old_root && &sr == new_root {
        Ok(())
    } else {
        Err(VerifyError::RootMismatch)
    }
}

/// A whole tree in memory: every level of perfect-subtree hashes.
///
/// `levels[0]` holds the leaf hashes, `levels[l][i]` the root of leaves
/// `i·2^l .. (i+1)·2^l`. Appending is amortised O(1) hashes; memory is about
/// 64 bytes per leaf.
#[derive(Debug, Clone, Default)]
pub struct MemoryTree {
    levels: Vec<Vec<Hash>>,
}

impl MemoryTree {
    /// An empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a leaf hash and returns the perfect-subtree nodes it
    /// completed, as `(level, index, hash)` with level ≥ 1, lowest first.
    pub fn push(&mut self, leaf: Hash) -> Vec<(u32, u64, Hash)> {
        let mut completed = Vec::new();
        if self.levels.is_empty() {
            self.levels.push(Vec::new());
        }
        self.levels[0].push(leaf);
        let mut level = 0usize;
        loop {
            let len = self.levels[level].len();
            if !len.is_multiple_of(2) {
                break;
            }
            let h = node_hash(&self.levels[level][len - 2], &self.levels[level][len - 1]);
            if self.levels.len() == level + 1 {
                self.levels.push(Vec::new());
            }
            self.levels[level + 1].push(h);
            let idx = self.levels[level + 1].len() as u64 - 1;
            completed.push((level as u32 + 1, idx, h));
            level += 1;
        }
        completed
    }

    /// The number of leaves.
    pub fn size(&self) -> u64 {
        self.levels.first().map_or(0, |l| l.len() as u64)
    }

    /// The current root.
    pub fn root(&self) -> Hash {
        match root(self, self.size()) {
            Ok(h) => h,
            Err(never) => match never {},
        }
    }

    /// The root of the first `size` leaves (`size` ≤ [`MemoryTree::size`]).
    pub fn root_at(&self, size: u64) -> Hash {
        match root(self, size.min(self.size())) {
            Ok(h) => h,
            Err(never) => match never {},
        }
    }

    /// The leaf hash at `index`, if present.
    pub fn leaf(&self, index: u64) -> Option<Hash> {
        self.levels
            .first()
            .and_then(|l| l.get(usize::try_from(index).ok()?))
            .copied()
    }
}

impl NodeSource for MemoryTree {
    type Error = std::convert::Infallible;
    fn node(&self, level: u32, index: u64) -> Result<Hash, Self::Error> {
        // Callers only ask for nodes inside the tree (see the trait), so a
        // miss is a bug in this module; report the empty root rather than
        // panic, which makes any resulting proof fail to verify.
        Ok(self
            .levels
            .get(level as usize)
            .and_then(|l| l.get(index as usize))
            .copied()
            .unwrap_or_else(empty_root))
    }
}

impl FromIterator<Hash> for MemoryTree {
    fn from_iter<I: IntoIterator<Item = Hash>>(iter: I) -> Self {
        let mut t = MemoryTree::new();
        for h in iter {
            t.push(h);
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The RFC's recursive definitions, verbatim, as an oracle.
    mod naive {
        use super::super::*;
        pub fn mth(leaves: &[Hash]) -> Hash {
            match leaves.len() {
                0 => empty_root(),
                1 => leaves[0],
                n => {
                    let k = split_point(n as u64) as usize;
                    node_hash(&mth(&leaves[..k]), &mth(&leaves[k..]))
                }
            }
        }
        pub fn path(m: usize, leaves: &[Hash]) -> Vec<Hash> {
            let n = leaves.len();
            if n <= 1 {
                return vec![];
            }
            let k = split_point(n as u64) as usize;
            if m < k {
                let mut p = path(m, &leaves[..k]);
                p.push(mth(&leaves[k..]));
                p
            } else {
                let mut p = path(m - k, &leaves[k..]);
                p.push(mth(&leaves[..k]));
                p
            }
        }
        pub fn subproof(m: usize, leaves: &[Hash], b: bool) -> Vec<Hash> {
            let n = leaves.len();
            if m == n {
                return if b { vec![] } else { vec![mth(leaves)] };
            }
            let k = split_point(n as u64) as usize;
            if m <= k {
                let mut p = subproof(m, &leaves[..k], b);
                p.push(mth(&leaves[k..]));
                p
            } else {
                let mut p = subproof(m - k, &leaves[k..], false);
                p.push(mth(&leaves[..k]));
                p
            }
        }
    }

    fn tree(n: usize) -> (Vec<Hash>, MemoryTree) {
        let leaves: Vec<Hash> = (0..n)
            .map(|i| leaf_hash(&(i as u64).to_be_bytes()))
            .collect();
        let t = leaves.iter().copied().collect();
        (leaves, t)
    }

    #[test]
    fn efficient_matches_the_rfc_definitions_for_small_trees() {
        for n in 0..70usize {
            let (leaves, t) = tree(n);
            assert_eq!(t.root(), naive::mth(&leaves), "root n={n}");
            for m in 0..n {
                let p = inclusion_proof(&t, m as u64, n as u64).unwrap();
                assert_eq!(p, naive::path(m, &leaves), "path m={m} n={n}");
                verify_inclusion(m as u64, n as u64, &leaves[m], &p, &t.root()).unwrap();
            }
            for m in 1..n {
                let p = consistency_proof(&t, m as u64, n as u64).unwrap();
                assert_eq!(p, naive::subproof(m, &leaves, true), "proof {m}->{n}");
                let old = naive::mth(&leaves[..m]);
                verify_consistency(m as u64, n as u64, &old, &t.root(), &p).unwrap();
            }
        }
    }

    #[test]
    fn push_reports_completed_nodes() {
        let mut t = MemoryTree::new();
        assert!(t.push(leaf_hash(b"a")).is_empty());
        let c = t.push(leaf_hash(b"b"));
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].0, 1);
        t.push(leaf_hash(b"c"));
        let c = t.push(leaf_hash(b"d"));
        assert_eq!(
            c.iter().map(|x| (x.0, x.1)).collect::<Vec<_>>(),
            vec![(1, 1), (2, 0)]
        );
        assert_eq!(c[1].2, t.root());
    }

    #[test]
    fn split_point_is_largest_power_below() {
        assert_eq!(split_point(2), 1);
        assert_eq!(split_point(3), 2);
        assert_eq!(split_point(4), 2);
        assert_eq!(split_point(5), 4);
        assert_eq!(split_point(1 << 40), 1 << 39);
        assert_eq!(split_point((1 << 40) + 1), 1 << 40);
    }
}
