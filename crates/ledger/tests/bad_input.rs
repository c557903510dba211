//! Random and mutated bytes into every parser of untrusted input: checkpoint
//! notes, verifier keys, proof bundles, stored entries. Errors, never panics,
//! and a mutated valid document never verifies.

mod common;

use common::*;
use datagate_ledger::proof::check_proof;
use datagate_ledger::{Checkpoint, Entry, Ledger, NoteVerifier};
use proptest::prelude::*;

fn sample() -> (String, String, String) {
    let tmp = tempfile::tempdir().unwrap();
    let p = filled(tmp.path(), 9, 4);
    let l = Ledger::open(&p).unwrap();
    let proof = serde_json::to_string(&l.prove(5).unwrap()).unwrap();
    let note = l.latest_head().unwrap().unwrap().note;
    (proof, note, l.verifier().to_vkey())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = Checkpoint::parse_unverified(&text);
        let _ = Checkpoint::parse_text(&text);
        let _ = NoteVerifier::parse(&text);
        let _ = check_proof(&text, None);
        let _ = Entry::from_canonical_bytes(&bytes);
    }
}

#[test]
fn mutated_documents_never_verify() {
    let (proof, note, vkey) = sample();
    let v = NoteVerifier::parse(&vkey).unwrap();
    check_proof(&proof, Some(&v)).unwrap();
    Checkpoint::open(&note, &v).unwrap();
    let mut rng = Rng(42);
    for _ in 0..300 {
        // Flip one byte of the proof document.
        let mut b = proof.clone().into_bytes();
        let at = rng.range(0, b.len() as u64) as usize;
        b[at] ^= 1 << rng.range(0, 7);
        if let Ok(t) = String::from_utf8(b) {
            if t != proof {
                // A change inside JSON whitespace or escapes may keep the meaning;
                // anything that still parses to the same bundle is fine.
                let same = serde_json::from_str::<serde_json::Value>(&t).ok()
                    == serde_json::from_str::<serde_json::Value>(&proof).ok();
                assert!(same || check_proof(&t, Some(&v)).is_err(), "accepted: {t}");
            }
        }
        // Flip one byte of the signed checkpoint.
        let mut b = note.clone().into_bytes();
        let at = rng.range(0, b.len() as u64) as usize;
        b[at] ^= 1 << rng.range(0, 7);
        if let Ok(t) = String::from_utf8(b) {
            assert!(
                Checkpoint::open(&t, &v).is_err(),
                "accepted checkpoint: {t:?}"
            );
        }
    }
}

#[test]
fn deleted_database_is_an_error_not_a_new_log() {
    let tmp = tempfile::tempdir().unwrap();
    let p = filled(tmp.path(), 3, 3);
    std::fs::remove_file(p.ledger_db()).unwrap();
    let _ = std::fs::remove_file(p.ledger_db().with_extension("db-wal"));
    let err = Ledger::open(&p).unwrap_err().to_string();
    assert!(err.contains("is missing"), "{err}");
    // init deliberately starts a new, empty log with the same key.
    let l = Ledger::init(&p).unwrap();
    assert_eq!(l.size().unwrap(), 0);
}
