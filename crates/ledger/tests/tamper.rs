//! Tamper tests on a 1,000-entry log: every edit made behind the ledger's
//! back (with the append-only triggers dropped) makes `verify` fail and name
//! the first bad entry.

mod common;

use common::*;
use datagate_ledger::{Ledger, VerifyReport};
use datagate_project::Project;
use rusqlite::params;

const N: u64 = 1000;

struct Fixture {
    _tmp: tempfile::TempDir,
    template: std::path::PathBuf,
}

fn fixture() -> Fixture {
    let tmp = tempfile::tempdir().unwrap();
    let template = tmp.path().join("template");
    filled(&template, N, 100);
    Fixture {
        _tmp: tmp,
        template,
    }
}

/// A fresh copy of the 1,000-entry project, tampered by `f`, then verified.
fn tampered(fx: &Fixture, name: &str, f: impl FnOnce(&rusqlite::Connection)) -> VerifyReport {
    let dir = fx._tmp.path().join(name);
    copy_dir(&fx.template, &dir);
    let p = Project::open(&dir).unwrap();
    {
        let c = raw_db(&p);
        f(&c);
    }
    Ledger::open(&p).unwrap().verify(None).unwrap()
}

fn assert_names(rep: &VerifyReport, seq: u64, what: &str) {
    assert!(!rep.ok, "{what}: verify passed");
    assert_eq!(
        rep.first_bad_entry,
        Some(seq),
        "{what}: {:#?}",
        rep.problems
    );
}

fn entry_bytes(c: &rusqlite::Connection, seq: u64) -> Vec<u8> {
    c.query_row(
        "SELECT entry FROM entries WHERE seq = ?1",
        [seq as i64],
        |r| r.get(0),
    )
    .unwrap()
}

#[test]
fn untouched_log_verifies() {
    let fx = fixture();
    let rep = tampered(&fx, "clean", |_| {});
    assert!(rep.ok, "{:?}", rep.problems);
    assert_eq!((rep.entries, rep.heads), (N, N / 100));
}

#[test]
fn every_sampled_byte_flip_is_named() {
    let fx = fixture();
    let mut rng = Rng(7);
    for case in 0..40 {
        let seq = rng.range(0, N);
        let flip = 1u8 << rng.range(0, 8);
        let in_hash = case % 4 == 3; // a quarter of the flips hit the leaf hash column
        let rep = tampered(&fx, &format!("flip{case}"), |c| {
            if in_hash {
                let mut h: Vec<u8> = c
                    .query_row(
                        "SELECT leaf_hash FROM entries WHERE seq = ?1",
                        [seq as i64],
                        |r| r.get(0),
                    )
                    .unwrap();
                let at = rng.range(0, h.len() as u64) as usize;
                h[at] ^= flip;
                c.execute(
                    "UPDATE entries SET leaf_hash = ?1 WHERE seq = ?2",
                    params![h, seq as i64],
                )
                .unwrap();
            } else {
                let mut b = entry_bytes(c, seq);
                let at = rng.range(0, b.len() as u64) as usize;
                b[at] ^= flip;
                c.execute(
                    "UPDATE entries SET entry = ?1 WHERE seq = ?2",
                    params![b, seq as i64],
                )
                .unwrap();
            }
        });
        assert_names(&rep, seq, &format!("flip {case} of entry {seq}"));
    }
}

#[test]
fn an_edit_that_also_rewrites_the_leaf_hash_is_localised() {
    let fx = fixture();
    let seq = 613;
    let rep = tampered(&fx, "rehash", |c| {
        let b = String::from_utf8(entry_bytes(c, seq))
            .unwrap()
            .replace("hello", "HELLO");
        let leaf = datagate_ledger::merkle::leaf_hash(b.as_bytes());
        c.execute(
            "UPDATE entries SET entry = ?1, leaf_hash = ?2 WHERE seq = ?3",
            params![b.as_bytes(), &leaf[..], seq as i64],
        )
        .unwrap();
    });
    // The stored level-1 subtree over entries 612..613 no longer matches.
    assert_names(&rep, seq & !1, "edit with rewritten leaf hash");
    assert!(rep
        .problems
        .iter()
        .any(|p| p.message.contains("signed head")));
}

#[test]
fn deleted_row_is_named() {
    let fx = fixture();
    for seq in [0u64, 1, 500, 998] {
        let rep = tampered(&fx, &format!("del{seq}"), |c| {
            c.execute("DELETE FROM entries WHERE seq = ?1", [seq as i64])
                .unwrap();
        });
        assert_names(&rep, seq, &format!("delete {seq}"));
        assert!(
            rep.problems[0].message.contains("missing"),
            "{:?}",
            rep.problems[0]
        );
    }
}

#[test]
fn swapped_rows_are_named() {
    let fx = fixture();
    for (a, b) in [(10u64, 11u64), (100, 700), (0, 999)] {
        let rep = tampered(&fx, &format!("swap{a}-{b}"), |c| {
            let row = |s: u64| -> (Vec<u8>, Vec<u8>) {
                c.query_row(
                    "SELECT leaf_hash, entry FROM entries WHERE seq = ?1",
                    [s as i64],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .unwrap()
            };
            let (ra, rb) = (row(a), row(b));
            for (s, (h, e)) in [(a, rb), (b, ra)] {
                c.execute(
                    "UPDATE entries SET leaf_hash = ?1, entry = ?2 WHERE seq = ?3",
                    params![h, e, s as i64],
                )
                .unwrap();
            }
        });
        assert_names(&rep, a, &format!("swap {a} and {b}"));
    }
}

#[test]
fn truncation_is_named() {
    let fx = fixture();
    for keep in [0u64, 1, 990, 999] {
        let rep = tampered(&fx, &format!("trunc{keep}"), |c| {
            c.execute("DELETE FROM entries WHERE seq >= ?1", [keep as i64])
                .unwrap();
        });
        assert_names(&rep, keep, &format!("truncate to {keep}"));
        assert!(rep.problems.iter().any(|p| p.kind.starts_with("truncated")));
    }
    // Truncating entries, nodes and heads together still leaves the
    // external checkpoint to catch it.
    let dir = fx._tmp.path().join("trunc-all");
    copy_dir(&fx.template, &dir);
    let p = Project::open(&dir).unwrap();
    let note = Ledger::open(&p)
        .unwrap()
        .latest_head()
        .unwrap()
        .unwrap()
        .note;
    {
        let c = raw_db(&p);
        c.execute("DELETE FROM entries WHERE seq >= 900", [])
            .unwrap();
        c.execute("DELETE FROM heads WHERE size > 900", []).unwrap();
        c.execute("DELETE FROM nodes", []).unwrap();
    }
    let l = Ledger::open(&p).unwrap();
    let rep = l.verify(Some(&note)).unwrap();
    assert_eq!(rep.first_bad_entry, Some(900), "{:?}", rep.problems);
}

#[test]
fn inserted_row_is_named() {
    let fx = fixture();
    let rep = tampered(&fx, "insert", |c| {
        let b = entry_bytes(c, 5);
        let forged = String::from_utf8(b)
            .unwrap()
            .replacen("\"seq\":5", "\"seq\":1000", 1);
        let leaf = datagate_ledger::merkle::leaf_hash(forged.as_bytes());
        c.execute(
            "INSERT INTO entries (seq, leaf_hash, entry) VALUES (1000, ?1, ?2)",
            params![&leaf[..], forged.as_bytes()],
        )
        .unwrap();
    });
    assert_names(&rep, N, "insert at the end");
}

#[test]
fn rewritten_history_with_the_key_is_caught_by_an_external_checkpoint() {
    let fx = fixture();
    let p = Project::open(&fx.template).unwrap();
    let kept = Ledger::open(&p)
        .unwrap()
        .latest_head()
        .unwrap()
        .unwrap()
        .note;
    // The attacker holds the log key and rebuilds a whole new history.
    let dir = fx._tmp.path().join("forged");
    copy_dir(&fx.template, &dir);
    let p2 = Project::open(&dir).unwrap();
    std::fs::remove_file(p2.ledger_db()).unwrap();
    let mut l = Ledger::init(&p2).unwrap();
    l.append_batch((0..N).map(|i| event(i + 1)).collect())
        .unwrap();
    assert!(
        l.verify(None).unwrap().ok,
        "the forgery is internally consistent"
    );
    let rep = l.verify(Some(&kept)).unwrap();
    assert!(!rep.ok);
    assert!(rep.problems.iter().any(|p| p.kind == "rewritten-history"));
    // A checkpoint from some other log is refused too.
    let other = tempfile::tempdir().unwrap();
    let po = filled(other.path(), 3, 3);
    let foreign = Ledger::open(&po)
        .unwrap()
        .latest_head()
        .unwrap()
        .unwrap()
        .note;
    let rep = Ledger::open(&p).unwrap().verify(Some(&foreign)).unwrap();
    assert!(rep.problems.iter().any(|p| p.kind == "bad-checkpoint"));
}
