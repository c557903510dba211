//! `log verify`: recompute everything from the entry bytes and compare.
//!
//! What is checked, in order, and what each check catches:
//!
//! 1. Rows are dense `0..n` (a gap is a deleted row; its number is named).
//! 2. Each row's bytes are canonical JSON of an entry whose `seq` is the
//!    row's (an edited byte, or two swapped rows, is named).
//! 3. Each recomputed leaf hash equals the one stored at append time.
//! 4. Every stored subtree hash equals the recomputed one (an edit that also
//!    rewrote the leaf hash is localised to the subtree's entries).
//! 5. Every signed tree head: its signature, its size (a head beyond the
//!    last entry means truncation), its root against the recomputed tree,
//!    and a consistency proof from the previous head to it.
//! 6. No entry lies beyond the last signed head (an appended forgery).
//! 7. Optionally, a checkpoint kept elsewhere (`--against`): signed by the
//!    log key, not beyond the log, and equal to the recomputed root.

use serde::Serialize;

use crate::merkle::{self, Hash, MemoryTree, NodeSource};
use crate::note::{Checkpoint, NoteVerifier};
use crate::store::{LogStore, StoreError};
use crate::{Entry, Result};

/// One thing that is wrong with the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The first entry the problem implicates, when it can be named.
    pub seq: Option<u64>,
    /// A short machine-readable kind (`missing-entry`, `edited-entry`, …).
    pub kind: &'static str,
    /// A human explanation.
    pub message: String,
}

/// The result of [`verify`].
#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    /// True when no problem was found.
    pub ok: bool,
    /// Entry rows read.
    pub entries: u64,
    /// Signed heads checked.
    pub heads: u64,
    /// Stored subtree hashes checked.
    pub nodes: u64,
    /// The recomputed root over all rows (hex).
    pub root: String,
    /// The lowest entry number any problem names.
    pub first_bad_entry: Option<u64>,
    /// What is wrong (at most [`MAX_PROBLEMS`] listed).
    pub problems: Vec<Problem>,
    /// Problems found beyond those listed.
    pub more_problems: u64,
    /// The external checkpoint checked, when one was given.
    pub against: Option<String>,
}

/// How many problems a report lists.
pub const MAX_PROBLEMS: usize = 100;

/// How precisely a problem locates the bad entry. A deleted row shifts every
/// later position, so subtree and head checks then also fail at lower
/// positions; the most precise tier that found anything names the entry.
#[derive(Clone, Copy)]
enum Tier {
    /// A row-level check (missing, edited, reordered, unsigned row).
    Row = 0,
    /// A stored subtree hash (localises to the subtree's first entry).
    Node = 1,
    /// A signed head (localises to the range since the last good head).
    Head = 2,
}

struct Collector {
    problems: Vec<Problem>,
    more: u64,
    first: [Option<u64>; 3],
    node_best: Option<(u32, u64)>,
}

impl Collector {
    fn add(&mut self, seq: Option<u64>, kind: &'static str, message: String) {
        let tier = match kind {
            "missing-entry" | "edited-entry" | "reordered-entry" | "unsigned-entry" => Tier::Row,
            "node-mismatch" | "truncated-node" | "missing-node" => Tier::Node,
            _ => Tier::Head,
        };
        if let Some(s) = seq {
            let f = &mut self.first[tier as usize];
            *f = Some(f.map_or(s, |f| f.min(s)));
        }
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(Problem { seq, kind, message });
        } else {
            self.more += 1;
        }
    }
}

fn node_of(tree: &MemoryTree, level: u32, idx: u64, size: u64) -> Option<Hash> {
    let span = 1u64.checked_shl(level)?;
    let end = idx.checked_add(1)?.checked_mul(span)?;
    if end > size {
        return None;
    }
    match tree.node(level, idx) {
        Ok(h) => Some(h),
        Err(never) => match never {},
    }
}

/// Verifies the whole log in `store` against the log key `verifier`, and
/// optionally against a signed checkpoint note kept elsewhere.
pub fn verify(
    store: &dyn LogStore,
    verifier: &NoteVerifier,
    against: Option<&str>,
) -> Result<VerifyReport> {
    // One consistent view of entries, nodes and heads, even while another
    // process appends.
    store.begin_read()?;
    let result = verify_snapshot(store, verifier, against);
    let ended = store.end_read();
    let report = result?;
    ended?;
    Ok(report)
}

fn verify_snapshot(
    store: &dyn LogStore,
    verifier: &NoteVerifier,
    against: Option<&str>,
) -> Result<VerifyReport> {
    let mut c = Collector {
        problems: Vec::new(),
        more: 0,
        first: [None; 3],
        node_best: None,
    };
    let mut tree = MemoryTree::new();
    let mut expected = 0u64;

    // 1–3: rows, bytes, leaf hashes.
    store.scan_entries(0, u64::MAX, &mut |row| -> std::result::Result<
        (),
        StoreError,
    > {
        if row.seq > expected {
            let what = if row.seq - expected == 1 {
                format!("entry {expected} is missing (deleted)")
            } else {
                format!("entries {expected}..{} are missing (deleted)", row.seq - 1)
            };
            c.add(Some(expected), "missing-entry", what);
        }
        match Entry::from_canonical_bytes(&row.bytes) {
            Err(m) => c.add(
                Some(row.seq),
                "edited-entry",
                format!("entry {}: {m}", row.seq),
            ),
            Ok(e) if e.seq != row.seq => c.add(
                Some(row.seq.min(e.seq)),
                "reordered-entry",
                format!(
                    "row {} holds entry {} (rows were swapped, moved or renumbered)",
                    row.seq, e.seq
                ),
            ),
            Ok(_) => {}
        }
        let leaf = merkle::leaf_hash(&row.bytes);
        if leaf != row.leaf_hash {
            c.add(
                Some(row.seq),
                "edited-entry",
                format!(
                    "entry {}: its bytes do not match the leaf hash recorded when it was appended",
                    row.seq
                ),
            );
        }
        tree.push(leaf);
        expected = row.seq + 1;
        Ok(())
    })?;
    let n = tree.size();

    // 4: stored subtree hashes.
    let mut nodes = 0u64;
    store.scan_nodes(
        &mut |level, idx, h| -> std::result::Result<(), StoreError> {
            nodes += 1;
            let first = idx.saturating_mul(1u64 << level.min(63));
            match node_of(&tree, level, idx, n) {
                None => c.add(
                    Some(n),
                    "truncated-node",
                    format!(
                    "a stored subtree hash covers entries {first}..{} but the log has {n} entries",
                    first.saturating_add((1u64 << level.min(63)) - 1)
                ),
                ),
                Some(r) if r != h => {
                    // The smallest mismatching subtree localises best.
                    if c.node_best.is_none_or(|b| (level, first) < b) {
                        c.node_best = Some((level, first));
                    }
                    c.add(
                        None,
                        "node-mismatch",
                        format!(
                    "entries {first}..{}: the stored subtree hash differs from the recomputed one",
                    first.saturating_add((1u64 << level.min(63)) - 1)
                ),
                    )
                }
                Some(_) => {}
            }
            Ok(())
        },
    )?;
    if let Some((_, first)) = c.node_best {
        c.first[Tier::Node as usize] =
            Some(c.first[Tier::Node as usize].map_or(first, |f| f.min(first)));
    }
    let expected_nodes: u64 = (1..64u32).map(|l| n >> l).sum();
    if nodes < expected_nodes {
        c.add(
            None,
            "missing-node",
            format!(
                "{} stored subtree hashes are missing",
                expected_nodes - nodes
            ),
        );
    }

    // 5–6: signed heads.
    let heads = store.heads()?;
    let mut prev: Option<(u64, Hash)> = None;
    let mut last_good = 0u64;
    for head in &heads {
        match Checkpoint::open(&head.note, verifier) {
            Err(e) => c.add(
                None,
                "bad-head",
                format!("signed head at size {}: {e}", head.size),
            ),
            Ok(cp) => {
                if cp.size != head.size || cp.root != head.root || cp.origin != verifier.name() {
                    c.add(
                        None,
                        "bad-head",
                        format!(
                            "signed head at size {} does not match its stored size/root/origin",
                            head.size
                        ),
                    );
                }
            }
        }
        if head.size > n {
            c.add(
                Some(n),
                "truncated",
                format!(
                    "a signed head covers {} entries but the log has {n}: entries {n}..{} are missing (truncated)",
                    head.size,
                    head.size - 1
                ),
            );
        } else {
            let root = tree.root_at(head.size);
            if root != head.root {
                c.add(
                    Some(last_good),
                    "head-mismatch",
                    format!(
                        "the tree of the first {} entries does not match its signed head: an entry in {}..{} was changed",
                        head.size,
                        last_good,
                        head.size.saturating_sub(1)
                    ),
                );
            } else {
                last_good = head.size;
            }
            if let Some((psize, proot)) = prev {
                let proof = match merkle::consistency_proof(&tree, psize, head.size) {
                    Ok(p) => p,
                    Err(e) => match e {
                        merkle::ProofError::OutOfRange(_) => Vec::new(),
                        merkle::ProofError::Source(never) => match never {},
                    },
                };
                if merkle::verify_consistency(psize, head.size, &proot, &head.root, &proof).is_err()
                {
                    c.add(
                        Some(psize.min(last_good)),
                        "inconsistent-heads",
                        format!(
                            "signed heads at sizes {psize} and {} are not consistent",
                            head.size
                        ),
                    );
                }
            }
        }
        prev = Some((head.size, head.root));
    }
    let covered = heads.last().map_or(0, |h| h.size);
    if n > covered {
        c.add(
            Some(covered),
            "unsigned-entry",
            format!(
                "entries {covered}..{} are not covered by any signed head (added outside the ledger)",
                n - 1
            ),
        );
    }

    // 7: an external checkpoint.
    let mut against_summary = None;
    if let Some(note) = against {
        match Checkpoint::open(note, verifier) {
            Err(e) => c.add(
                None,
                "bad-checkpoint",
                format!("the external checkpoint: {e}"),
            ),
            Ok(cp) => {
                against_summary = Some(format!("{} at size {}", cp.origin, cp.size));
                if cp.origin != verifier.name() {
                    c.add(
                        None,
                        "bad-checkpoint",
                        format!("the external checkpoint is for log {:?}", cp.origin),
                    );
                } else if cp.size > n {
                    c.add(
                        Some(n),
                        "truncated",
                        format!("the external checkpoint covers {} entries but the log has only {n} (truncated)", cp.size),
                    );
                } else if tree.root_at(cp.size) != cp.root {
                    c.add(
                        None,
                        "rewritten-history",
                        format!(
                            "the log's first {} entries do not match the external checkpoint: the history was rewritten",
                            cp.size
                        ),
                    );
                }
            }
        }
    }

    Ok(VerifyReport {
        ok: c.problems.is_empty(),
        entries: n,
        heads: heads.len() as u64,
        nodes,
        root: hex::encode(tree.root()),
        first_bad_entry: c.first.iter().find_map(|f| *f),
        problems: c.problems,
        more_problems: c.more,
        against: against_summary,
    })
}
