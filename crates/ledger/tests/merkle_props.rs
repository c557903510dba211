//! Property tests: for random tree sizes up to a few thousand, every proof
//! the efficient code produces verifies against the root computed by the
//! RFC's recursive definition, and fails against a different leaf or root.

use datagate_ledger::merkle::*;
use proptest::prelude::*;

fn mth(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => empty_root(),
        1 => leaves[0],
        n => {
            let k = 1usize << (usize::BITS - 1 - (n - 1).leading_zeros());
            node_hash(&mth(&leaves[..k]), &mth(&leaves[k..]))
        }
    }
}

fn leaves(n: usize, salt: u64) -> Vec<Hash> {
    (0..n as u64)
        .map(|i| leaf_hash(&[salt.to_le_bytes(), i.to_le_bytes()].concat()))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn inclusion_proofs_verify(n in 1usize..4000, pick in any::<u64>(), salt in any::<u64>()) {
        let ls = leaves(n, salt);
        let t: MemoryTree = ls.iter().copied().collect();
        let root = mth(&ls);
        prop_assert_eq!(t.root(), root);
        let m = pick % n as u64;
        let p = inclusion_proof(&t, m, n as u64).unwrap();
        prop_assert!(p.len() <= 64);
        prop_assert!(verify_inclusion(m, n as u64, &ls[m as usize], &p, &root).is_ok());
        let other = leaf_hash(b"not in the tree");
        prop_assert!(verify_inclusion(m, n as u64, &other, &p, &root).is_err());
        if n > 1 {
            let m2 = (m + 1) % n as u64;
            prop_assert!(verify_inclusion(m2, n as u64, &ls[m as usize], &p, &root).is_err());
        }
    }

    #[test]
    fn consistency_proofs_verify(n in 1usize..4000, pick in any::<u64>(), salt in any::<u64>()) {
        let ls = leaves(n, salt);
        let t: MemoryTree = ls.iter().copied().collect();
        let m = pick % (n as u64 + 1);
        let old = mth(&ls[..m as usize]);
        let new = mth(&ls);
        let p = consistency_proof(&t, m, n as u64).unwrap();
        prop_assert!(verify_consistency(m, n as u64, &old, &new, &p).is_ok());
        if m > 0 && m < n as u64 {
            // A forked history: change the last old leaf.
            let mut forked = ls.clone();
            forked[m as usize - 1] = leaf_hash(b"fork");
            prop_assert!(verify_consistency(m, n as u64, &mth(&forked[..m as usize]), &new, &p).is_err());
            prop_assert!(verify_consistency(m, n as u64, &old, &mth(&forked), &p).is_err());
        }
    }
}
