//! The ledger end to end: append, read, prove, check proofs offline, verify.

mod common;

use common::*;
use datagate_ledger::merkle;
use datagate_ledger::proof::check_proof;
use datagate_ledger::{Checkpoint, Ledger, NoteVerifier};

#[test]
fn append_prove_and_verify() {
    let tmp = tempfile::tempdir().unwrap();
    let p = new_project(tmp.path());
    let mut l = Ledger::open(&p).unwrap();
    assert_eq!(l.size().unwrap(), 0);
    assert!(l.latest_head().unwrap().is_none());
    assert!(l.verify(None).unwrap().ok);

    let r = l.append(event(0)).unwrap();
    assert_eq!((r.seq, r.tree_size), (0, 1));
    let rs = l.append_batch((1..10).map(event).collect()).unwrap();
    assert_eq!(
        rs.iter().map(|r| r.seq).collect::<Vec<_>>(),
        (1..10).collect::<Vec<_>>()
    );
    assert!(rs.iter().all(|r| r.tree_size == 10 && r.root == rs[0].root));

    // Entries read back as written, with dense seq and RFC 3339 UTC time.
    let e = l.entry(3).unwrap();
    assert_eq!(e.seq, 3);
    assert_eq!(e.details["i"], 3);
    assert!(e.time.ends_with('Z') && chrono::DateTime::parse_from_rfc3339(&e.time).is_ok());

    // The stored root equals a from-scratch recomputation over the entry bytes.
    let mut leaves = Vec::new();
    for i in 0..10 {
        leaves.push(merkle::leaf_hash(
            &l.store().entry(i).unwrap().unwrap().bytes,
        ));
    }
    let t: merkle::MemoryTree = leaves.iter().copied().collect();
    assert_eq!(t.root(), rs[0].root);
    assert_eq!(l.root_at(10).unwrap(), t.root());
    assert_eq!(l.root_at(1).unwrap(), r.root);

    // Two signed heads, sizes 1 and 10, valid checkpoints of this log.
    let heads = l.store().heads().unwrap();
    assert_eq!(
        heads.iter().map(|h| h.size).collect::<Vec<_>>(),
        vec![1, 10]
    );
    let cp = Checkpoint::open(&heads[1].note, l.verifier()).unwrap();
    assert_eq!(cp.size, 10);
    assert_eq!(cp.root, t.root());
    assert!(cp.origin.starts_with("datagate/test-"));
    let mut lines = heads[1].note.lines();
    assert_eq!(lines.next(), Some(cp.origin.as_str()));
    assert_eq!(lines.next(), Some("10"));

    // Proofs check offline, with the bundle's key and with an explicit one.
    for i in 0..10 {
        let b = l.prove(i).unwrap();
        let json = serde_json::to_string(&b).unwrap();
        let out = check_proof(&json, None).unwrap();
        assert!(!out.trusted_key);
        let vk = NoteVerifier::parse(&l.verifier().to_vkey()).unwrap();
        assert!(check_proof(&json, Some(&vk)).unwrap().trusted_key);
    }
    for m in 0..=10 {
        let b = l.consistency(m).unwrap();
        assert_eq!(b.old_checkpoint.is_some(), m == 1 || m == 10);
        check_proof(&serde_json::to_string(&b).unwrap(), None).unwrap();
    }
    assert!(l.prove(10).is_err());
    assert!(l.consistency(11).is_err());

    let rep = l.verify(None).unwrap();
    assert!(rep.ok, "{:?}", rep.problems);
    assert_eq!((rep.entries, rep.heads), (10, 2));
    assert_eq!(rep.root, hex::encode(t.root()));
    // Against its own latest checkpoint, and an older one.
    assert!(l.verify(Some(&heads[1].note)).unwrap().ok);
    assert!(l.verify(Some(&heads[0].note)).unwrap().ok);
}

#[test]
fn tampered_proofs_are_rejected() {
    let tmp = tempfile::tempdir().unwrap();
    let p = filled(tmp.path(), 37, 5);
    let l = Ledger::open(&p).unwrap();
    let b = l.prove(20).unwrap();

    let mut x = b.clone();
    x.entry = x.entry.replace("hello", "hellO");
    assert!(check_proof(&serde_json::to_string(&x).unwrap(), None).is_err());
    let mut x = b.clone();
    x.index = 21;
    assert!(check_proof(&serde_json::to_string(&x).unwrap(), None).is_err());
    let mut x = b.clone();
    x.hashes[0] = hex::encode([7u8; 32]);
    assert!(check_proof(&serde_json::to_string(&x).unwrap(), None).is_err());
    let mut x = b.clone();
    x.checkpoint = x.checkpoint.replacen("\n37\n", "\n36\n", 1);
    assert!(check_proof(&serde_json::to_string(&x).unwrap(), None).is_err());
    // Another log's key is not trusted.
    let other = tempfile::tempdir().unwrap();
    let p2 = new_project(other.path());
    let l2 = Ledger::open(&p2).unwrap();
    let err = check_proof(&serde_json::to_string(&b).unwrap(), Some(l2.verifier())).unwrap_err();
    assert!(err.contains("not the trusted key"), "{err}");
    let mut forged = b.clone();
    forged.verifier_key = l2.verifier().to_vkey();
    let err = check_proof(
        &serde_json::to_string(&forged).unwrap(),
        Some(l2.verifier()),
    )
    .unwrap_err();
    assert!(err.contains("no signature"), "{err}");
    // Garbage is an error, not a panic.
    for bad in [
        "",
        "{}",
        "[]",
        "{\"type\":\"inclusion\"}",
        "{\"type\":\"consistency\",\"hashes\":5}",
    ] {
        assert!(check_proof(bad, None).is_err());
    }
    let c = l.consistency(12).unwrap();
    let mut x = c.clone();
    x.old_root = hex::encode([1u8; 32]);
    assert!(check_proof(&serde_json::to_string(&x).unwrap(), None).is_err());
}

#[test]
fn open_without_init_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let p = datagate_project::Project::init(tmp.path(), None).unwrap();
    let err = Ledger::open(&p).unwrap_err().to_string();
    assert!(err.contains("datagate init"), "{err}");
    // init is idempotent and keeps the key.
    Ledger::init(&p).unwrap();
    let k1 = std::fs::read(p.keys_dir().join("ledger.key")).unwrap();
    Ledger::init(&p).unwrap();
    assert_eq!(std::fs::read(p.keys_dir().join("ledger.key")).unwrap(), k1);
}

#[test]
fn triggers_refuse_update_and_delete() {
    let tmp = tempfile::tempdir().unwrap();
    let p = filled(tmp.path(), 4, 4);
    let c = rusqlite::Connection::open(p.ledger_db()).unwrap();
    for sql in [
        "UPDATE entries SET entry = x'00' WHERE seq = 1",
        "DELETE FROM entries WHERE seq = 3",
        "UPDATE nodes SET hash = zeroblob(32)",
        "DELETE FROM heads",
        "INSERT INTO entries (seq, leaf_hash, entry) VALUES (2, zeroblob(32), 'x')",
    ] {
        let err = c.execute(sql, []).unwrap_err().to_string();
        assert!(
            err.contains("append-only") || err.contains("UNIQUE"),
            "{sql}: {err}"
        );
    }
    assert!(Ledger::open(&p).unwrap().verify(None).unwrap().ok);
}
