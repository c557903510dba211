//! The Merkle code against published vectors: the RFC 6962/9162 root hashes
//! of trees of 0..=8 leaves (transparency-dev/merkle's test constants), the
//! known inclusion and consistency proofs published with them, and proofs we
//! generate for every (index, size) and (old, new) pair of those trees,
//! verified against the published roots. Then mutations that must fail.
#![allow(clippy::needless_range_loop, clippy::type_complexity)]

use datagate_ledger::merkle::*;

#[derive(serde::Deserialize)]
struct Vectors {
    leaf_inputs_hex: Vec<String>,
    root_hashes_hex: Vec<String>,
}

fn h(s: &str) -> Hash {
    let v = hex::decode(s).unwrap();
    v.try_into().unwrap()
}

fn vectors() -> (Vec<Vec<u8>>, Vec<Hash>) {
    let text = include_str!("data/merkle-test-vectors.json");
    let v: Vectors = serde_json::from_str(text).unwrap();
    let leaves = v
        .leaf_inputs_hex
        .iter()
        .map(|s| hex::decode(s).unwrap())
        .collect();
    let roots = v.root_hashes_hex.iter().map(|s| h(s)).collect();
    (leaves, roots)
}

#[test]
fn roots_match_published_vectors() {
    let (leaves, roots) = vectors();
    assert_eq!(roots.len(), 9);
    assert_eq!(roots[0], empty_root());
    for n in 0..=leaves.len() {
        let t: MemoryTree = leaves[..n].iter().map(|l| leaf_hash(l)).collect();
        assert_eq!(t.root(), roots[n], "root of {n} leaves");
    }
}

#[test]
fn every_generated_proof_verifies_against_published_roots() {
    let (leaves, roots) = vectors();
    let hashes: Vec<Hash> = leaves.iter().map(|l| leaf_hash(l)).collect();
    let full: MemoryTree = hashes.iter().copied().collect();
    for n in 1..=8u64 {
        for m in 0..n {
            let p = inclusion_proof(&full, m, n).unwrap();
            verify_inclusion(m, n, &hashes[m as usize], &p, &roots[n as usize])
                .unwrap_or_else(|e| panic!("inclusion {m} in {n}: {e}"));
            // Any other root, leaf or index must fail.
            for other in 0..=8 {
                if other != n as usize {
                    assert!(
                        verify_inclusion(m, n, &hashes[m as usize], &p, &roots[other]).is_err()
                    );
                }
            }
            for wrong_leaf in 0..n {
                if hashes[wrong_leaf as usize] != hashes[m as usize] {
                    assert!(verify_inclusion(
                        m,
                        n,
                        &hashes[wrong_leaf as usize],
                        &p,
                        &roots[n as usize]
                    )
                    .is_err());
                }
            }
        }
        for m in 0..=n {
            let p = consistency_proof(&full, m, n).unwrap();
            verify_consistency(m, n, &roots[m as usize], &roots[n as usize], &p)
                .unwrap_or_else(|e| panic!("consistency {m}->{n}: {e}"));
            if m > 0 && m < n {
                assert!(
                    verify_consistency(m, n, &roots[n as usize], &roots[m as usize], &p).is_err()
                );
                for other in 1..=8 {
                    if other != m as usize {
                        assert!(
                            verify_consistency(m, n, &roots[other], &roots[n as usize], &p)
                                .is_err(),
                            "{m}->{n} old root {other}"
                        );
                    }
                }
            }
        }
    }
}

/// Known proofs published with the vectors (leaf numbers there are 1-based).
#[test]
fn known_inclusion_proofs() {
    let (leaves, roots) = vectors();
    let hashes: Vec<Hash> = leaves.iter().map(|l| leaf_hash(l)).collect();
    let full: MemoryTree = hashes.iter().copied().collect();
    let cases: &[(u64, u64, &[&str])] = &[
        (1, 1, &[]),
        (
            1,
            8,
            &[
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ],
        ),
        (
            6,
            8,
            &[
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ],
        ),
        (
            3,
            3,
            &["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"],
        ),
        (
            2,
            5,
            &[
                "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ],
        ),
    ];
    for (leaf, size, want) in cases {
        let want: Vec<Hash> = want.iter().map(|s| h(s)).collect();
        let got = inclusion_proof(&full, leaf - 1, *size).unwrap();
        assert_eq!(got, want, "leaf {leaf} size {size}");
        verify_inclusion(
            leaf - 1,
            *size,
            &hashes[*leaf as usize - 1],
            &want,
            &roots[*size as usize],
        )
        .unwrap();
        // Corruptions that must be rejected.
        let idx = leaf - 1;
        let leaf_h = hashes[idx as usize];
        let root = roots[*size as usize];
        let mut bad: Vec<(u64, u64, Vec<Hash>, &str)> = vec![
            (idx.wrapping_sub(1), *size, want.clone(), "index-1"),
            (idx + 1, *size, want.clone(), "index+1"),
            (idx ^ 2, *size, want.clone(), "index^2"),
            (idx, size * 2, want.clone(), "size*2"),
            (idx, size / 2, want.clone(), "size/2"),
            (
                idx,
                *size,
                [want.clone(), vec![root]].concat(),
                "trailing root",
            ),
            (
                idx,
                *size,
                [vec![root], want.clone()].concat(),
                "preceding root",
            ),
        ];
        for i in 0..want.len() {
            let mut w = want.clone();
            w[i][0] ^= 8;
            bad.push((idx, *size, w, "flipped bit"));
        }
        if !want.is_empty() {
            bad.push((idx, *size, want[..want.len() - 1].to_vec(), "removed"));
        }
        for (i, s, p, what) in bad {
            assert!(
                verify_inclusion(i, s, &leaf_h, &p, &root).is_err(),
                "{what} accepted for leaf {leaf} size {size}"
            );
        }
    }
}

#[test]
fn known_consistency_proofs() {
    let (leaves, roots) = vectors();
    let full: MemoryTree = leaves.iter().map(|l| leaf_hash(l)).collect();
    let cases: &[(u64, u64, &[&str])] = &[
        (1, 1, &[]),
        (
            1,
            8,
            &[
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ],
        ),
        (
            6,
            8,
            &[
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ],
        ),
        (
            2,
            5,
            &[
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ],
        ),
        (
            6,
            7,
            &[
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ],
        ),
    ];
    for (m, n, want) in cases {
        let want: Vec<Hash> = want.iter().map(|s| h(s)).collect();
        assert_eq!(consistency_proof(&full, *m, *n).unwrap(), want, "{m}->{n}");
        let (r1, r2) = (roots[*m as usize], roots[*n as usize]);
        verify_consistency(*m, *n, &r1, &r2, &want).unwrap();
        if want.is_empty() {
            continue;
        }
        let mut bad: Vec<(u64, u64, Hash, Hash, Vec<Hash>, &str)> = vec![
            (m - 1, *n, r1, r2, want.clone(), "m-1"),
            (m + 1, *n, r1, r2, want.clone(), "m+1"),
            (m ^ 2, *n, r1, r2, want.clone(), "m^2"),
            (*m, n * 2, r1, r2, want.clone(), "n*2"),
            (*m, n / 2, r1, r2, want.clone(), "n/2"),
            (*m, *n, r2, r1, want.clone(), "swapped roots"),
            (*m, *n, r1, r2, vec![], "empty proof"),
            (
                *m,
                *n,
                r1,
                r2,
                [want.clone(), vec![r1]].concat(),
                "trailing r1",
            ),
            (
                *m,
                *n,
                r1,
                r2,
                [want.clone(), vec![r2]].concat(),
                "trailing r2",
            ),
            (
                *m,
                *n,
                r1,
                r2,
                [vec![r1], want.clone()].concat(),
                "preceding r1",
            ),
            (
                *m,
                *n,
                r1,
                r2,
                [vec![r2], want.clone()].concat(),
                "preceding r2",
            ),
            (
                *m,
                *n,
                r1,
                r2,
                [vec![want[0]], want.clone()].concat(),
                "preceding p0",
            ),
            (*m, *n, r1, r2, want[..want.len() - 1].to_vec(), "truncated"),
        ];
        for i in 0..want.len() {
            let mut w = want.clone();
            w[i][0] ^= 16;
            bad.push((*m, *n, r1, r2, w, "flipped bit"));
        }
        for (a, b, x, y, p, what) in bad {
            assert!(
                verify_consistency(a, b, &x, &y, &p).is_err(),
                "{what} accepted for {m}->{n}"
            );
        }
    }
}

#[test]
fn degenerate_cases() {
    let some = leaf_hash(b"x");
    assert!(verify_inclusion(0, 0, &some, &[], &empty_root()).is_err());
    assert!(verify_inclusion(1, 0, &some, &[], &empty_root()).is_err());
    assert!(verify_inclusion(2, 1, &some, &[], &some).is_err());
    verify_inclusion(0, 1, &some, &[], &some).unwrap();
    // 0 -> n is trivially consistent with an empty proof; time travel is not.
    verify_consistency(0, 1, &some, &empty_root(), &[]).unwrap();
    assert!(verify_consistency(0, 1, &some, &some, &[some]).is_err());
    assert!(verify_consistency(1, 0, &some, &some, &[]).is_err());
    assert!(verify_consistency(1, 1, &some, &empty_root(), &[]).is_err());
    verify_consistency(1, 1, &some, &some, &[]).unwrap();
    assert!(verify_consistency(1, 2, &some, &some, &[]).is_err());
    let t = MemoryTree::new();
    assert!(inclusion_proof(&t, 0, 0).is_err());
    assert!(consistency_proof(&t, 2, 1).is_err());
}
