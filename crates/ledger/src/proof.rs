//! Proofs as self-contained JSON documents, checkable without the database.
//!
//! An inclusion proof bundle carries the entry's canonical bytes, the audit
//! path, the signed checkpoint it is proven against and the log's verifier
//! key; a consistency bundle carries the old size and root (and the old
//! signed checkpoint when the log has one at that size), the path and the new
//! checkpoint. [`check_proof`] verifies either kind. Hashes are lowercase hex.
//!
//! A bundle names the verifier key it was made with for convenience only:
//! trusting a proof means checking it against a key (or a checkpoint) you got
//! some other way, which `log check-proof --vkey` does.

use serde::{Deserialize, Serialize};

use crate::merkle::{self, Hash};
use crate::note::{Checkpoint, NoteVerifier};

pub(crate) fn ser_hex<S: serde::Serializer>(h: &Hash, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&hex::encode(h))
}

fn hexes(v: &[Hash]) -> Vec<String> {
    v.iter().map(hex::encode).collect()
}

fn parse_hash(s: &str, what: &str) -> Result<Hash, String> {
    // One spelling per hash: lowercase only, so a proof has one byte form.
    if s.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err(format!("{what} must be lowercase hex"));
    }
    let v = hex::decode(s).map_err(|_| format!("{what} is not hex"))?;
    v.try_into()
        .map_err(|_| format!("{what} is not a 32-byte hash"))
}

/// Limits the path length read from a file (a real path has at most 64).
const MAX_PATH: usize = 64;

fn parse_hashes(v: &[String]) -> Result<Vec<Hash>, String> {
    if v.len() > MAX_PATH {
        return Err(format!(
            "proof has {} hashes; at most {MAX_PATH} are possible",
            v.len()
        ));
    }
    v.iter()
        .enumerate()
        .map(|(i, s)| parse_hash(s, &format!("hashes[{i}]")))
        .collect()
}

/// An inclusion proof for one entry, with everything needed to check it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InclusionProofBundle {
    /// Always `"inclusion"`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The entry's sequence number (leaf index).
    pub index: u64,
    /// The tree size the proof is for.
    pub tree_size: u64,
    /// The entry's canonical JSON, as a string.
    pub entry: String,
    /// Its leaf hash.
    pub leaf_hash: String,
    /// The audit path, leaf side first.
    pub hashes: Vec<String>,
    /// The signed checkpoint of `tree_size`.
    pub checkpoint: String,
    /// The log's verifier key.
    pub verifier_key: String,
}

impl InclusionProofBundle {
    pub(crate) fn new(
        index: u64,
        tree_size: u64,
        entry: &[u8],
        hashes: Vec<Hash>,
        checkpoint: &str,
        verifier: &NoteVerifier,
    ) -> Self {
        InclusionProofBundle {
            kind: "inclusion".into(),
            index,
            tree_size,
            entry: String::from_utf8_lossy(entry).into_owned(),
            leaf_hash: hex::encode(merkle::leaf_hash(entry)),
            hashes: hexes(&hashes),
            checkpoint: checkpoint.to_string(),
            verifier_key: verifier.to_vkey(),
        }
    }
}

/// A consistency proof between two sizes of the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsistencyProofBundle {
    /// Always `"consistency"`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The older size.
    pub old_size: u64,
    /// The root at the older size.
    pub old_root: String,
    /// The signed checkpoint at the older size, when the log wrote one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_checkpoint: Option<String>,
    /// The newer size.
    pub tree_size: u64,
    /// The consistency path.
    pub hashes: Vec<String>,
    /// The signed checkpoint of `tree_size`.
    pub checkpoint: String,
    /// The log's verifier key.
    pub verifier_key: String,
}

impl ConsistencyProofBundle {
    pub(crate) fn new(
        old_size: u64,
        old_root: Hash,
        old_checkpoint: Option<String>,
        tree_size: u64,
        hashes: Vec<Hash>,
        checkpoint: &str,
        verifier: &NoteVerifier,
    ) -> Self {
        ConsistencyProofBundle {
            kind: "consistency".into(),
            old_size,
            old_root: hex::encode(old_root),
            old_checkpoint,
            tree_size,
            hashes: hexes(&hashes),
            checkpoint: checkpoint.to_string(),
            verifier_key: verifier.to_vkey(),
        }
    }
}

/// What a successful check established.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProofOutcome {
    /// `"inclusion"` or `"consistency"`.
    pub kind: String,
    /// A one-line human summary.
    pub summary: String,
    /// The origin of the checkpoint the proof was checked against.
    pub origin: String,
    /// The tree size of that checkpoint.
    pub tree_size: u64,
    /// True when the key came from the caller, false when the bundle's own
    /// key was used (which proves integrity, not authenticity).
    pub trusted_key: bool,
}

/// Checks a proof bundle (inclusion or consistency, JSON text). `vkey` is
/// the verifier key to trust; without it the bundle's own key is used.
pub fn check_proof(json: &str, vkey: Option<&NoteVerifier>) -> Result<ProofOutcome, String> {
    let v: serde_json::Value =
        serde_json::from_str(json).map_err(|e| format!("not a proof document: {e}"))?;
    match v.get("type").and_then(|t| t.as_str()) {
        Some("inclusion") => {
            let b: InclusionProofBundle =
                serde_json::from_value(v).map_err(|e| format!("malformed inclusion proof: {e}"))?;
            check_inclusion(&b, vkey)
        }
        Some("consistency") => {
            let b: ConsistencyProofBundle = serde_json::from_value(v)
                .map_err(|e| format!("malformed consistency proof: {e}"))?;
            check_consistency(&b, vkey)
        }
        _ => Err("proof document has no \"type\": \"inclusion\" or \"consistency\"".into()),
    }
}

fn pick_verifier(
    bundle_key: &str,
    vkey: Option<&NoteVerifier>,
) -> Result<(NoteVerifier, bool), String> {
    match vkey {
        Some(v) if v.to_vkey() != bundle_key.trim() => Err(format!(
            "the proof names log key {:?}, not the trusted key {:?}",
            bundle_key.trim(),
            v.to_vkey()
        )),
        Some(v) => Ok((v.clone(), true)),
        None => NoteVerifier::parse(bundle_key)
            .map(|v| (v, false))
            .map_err(|e| format!("bundle verifier key: {e}")),
    }
}

fn open_checkpoint(
    note: &str,
    verifier: &NoteVerifier,
    size: u64,
    what: &str,
) -> Result<Checkpoint, String> {
    let cp = Checkpoint::open(note, verifier).map_err(|e| format!("{what}: {e}"))?;
    if cp.size != size {
        return Err(format!(
            "{what} is for size {}, the proof claims {size}",
            cp.size
        ));
    }
    Ok(cp)
}

fn check_inclusion(
    b: &InclusionProofBundle,
    vkey: Option<&NoteVerifier>,
) -> Result<ProofOutcome, String> {
    let (verifier, trusted) = pick_verifier(&b.verifier_key, vkey)?;
    let cp = open_checkpoint(&b.checkpoint, &verifier, b.tree_size, "checkpoint")?;
    let leaf = merkle::leaf_hash(b.entry.as_bytes());
    if hex::encode(leaf) != b.leaf_hash {
        return Err("the entry does not match the proof's leaf hash".into());
    }
    let hashes = parse_hashes(&b.hashes)?;
    merkle::verify_inclusion(b.index, b.tree_size, &leaf, &hashes, &cp.root)
        .map_err(|e| format!("inclusion proof for entry {} does not verify: {e}", b.index))?;
    // The entry must also say it is entry `index`.
    let claimed = serde_json::from_str::<serde_json::Value>(&b.entry)
        .ok()
        .and_then(|v| v.get("seq").and_then(|s| s.as_u64()));
    if claimed != Some(b.index) {
        return Err(format!("the entry's seq is not {}", b.index));
    }
    Ok(ProofOutcome {
        kind: "inclusion".into(),
        summary: format!(
            "entry {} is included in {} at tree size {}",
            b.index, cp.origin, b.tree_size
        ),
        origin: cp.origin,
        tree_size: b.tree_size,
        trusted_key: trusted,
    })
}

fn check_consistency(
    b: &ConsistencyProofBundle,
    vkey: Option<&NoteVerifier>,
) -> Result<ProofOutcome, String> {
    let (verifier, trusted) = pick_verifier(&b.verifier_key, vkey)?;
    let cp = open_checkpoint(&b.checkpoint, &verifier, b.tree_size, "checkpoint")?;
    let old_root = parse_hash(&b.old_root, "old_root")?;
    if let Some(old_note) = &b.old_checkpoint {
        let old = open_checkpoint(old_note, &verifier, b.old_size, "old checkpoint")?;
        if old.root != old_root {
            return Err("old_root differs from the old checkpoint's root".into());
        }
        if old.origin != cp.origin {
            return Err("the two checkpoints are from different logs".into());
        }
    }
    let hashes = parse_hashes(&b.hashes)?;
    merkle::verify_consistency(b.old_size, b.tree_size, &old_root, &cp.root, &hashes).map_err(
        |e| {
            format!(
                "consistency proof {} -> {} does not verify: {e}",
                b.old_size, b.tree_size
            )
        },
    )?;
    Ok(ProofOutcome {
        kind: "consistency".into(),
        summary: format!(
            "the log {} at size {} is a prefix of the log at size {}",
            cp.origin, b.old_size, b.tree_size
        ),
        origin: cp.origin,
        tree_size: b.tree_size,
        trusted_key: trusted,
    })
}
