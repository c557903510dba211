#![allow(dead_code)]
use std::path::Path;

use datagate_ledger::{Event, Ledger, Subject};
use datagate_project::Project;

pub fn new_project(dir: &Path) -> Project {
    let p = Project::init(dir, Some("test")).unwrap();
    Ledger::init(&p).unwrap();
    p
}

pub fn event(i: u64) -> Event {
    Event::new(
        format!("actor-{}", i % 3),
        if i.is_multiple_of(2) {
            "ingest"
        } else {
            "check"
        },
        Subject::named(format!("data/file-{i}.csv")).with_digest("sha256", format!("{i:064x}")),
    )
    .with_details(serde_json::json!({"i": i, "note": "hello"}))
}

/// A project with `n` entries appended in batches of `batch`.
pub fn filled(dir: &Path, n: u64, batch: u64) -> Project {
    let p = new_project(dir);
    let mut l = Ledger::open(&p).unwrap();
    let mut i = 0;
    while i < n {
        let k = batch.min(n - i);
        l.append_batch((i..i + k).map(event).collect()).unwrap();
        i += k;
    }
    p
}

/// Copies a project folder (the ledger must be closed).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

/// Opens the raw database with the append-only triggers dropped.
pub fn raw_db(p: &Project) -> rusqlite::Connection {
    let c = rusqlite::Connection::open(p.ledger_db()).unwrap();
    for t in ["entries", "nodes", "heads", "meta"] {
        c.execute_batch(&format!(
            "DROP TRIGGER IF EXISTS {t}_no_update; DROP TRIGGER IF EXISTS {t}_no_delete;"
        ))
        .unwrap();
    }
    c
}

/// A tiny deterministic PRNG (SplitMix64) for sampling in tests.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform-enough in `lo..hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo)
    }
}
