//! Ledger benchmark: appends per second in batches, and proof latency.
//!
//! ```text
//! cargo run --release -p datagate-ledger --example ledger_bench -- [ENTRIES] [BATCH] [DIR]
//! ```
//!
//! Builds a ledger of ENTRIES (default 1,000,000) entries appended in batches
//! of BATCH (default 1,000) in a fresh project under DIR (default a temp
//! folder), then times inclusion proofs for random entries (generation from
//! the stored subtree hashes + verification against the signed head),
//! consistency proofs, and a full `verify`. Prints one JSON object.

use std::time::Instant;

use datagate_ledger::merkle::{leaf_hash, verify_consistency, verify_inclusion, Hash};
use datagate_ledger::note::Checkpoint;
use datagate_ledger::{Event, Ledger, Subject};
use datagate_project::Project;

fn parse_hash(s: &str) -> Hash {
    let v = hex::decode(s).expect("hex");
    v.try_into().expect("32 bytes")
}

fn percentile(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n: u64 = args.first().map_or(Ok(1_000_000), |s| s.parse())?;
    let batch: u64 = args.get(1).map_or(Ok(1000), |s| s.parse())?;
    let tmp = tempfile::tempdir()?;
    let dir = args
        .get(2)
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| tmp.path().join("bench"));
    let project = Project::init(&dir, Some("bench"))?;
    let mut ledger = Ledger::init(&project)?;

    // Appends.
    let t = Instant::now();
    let mut i = 0u64;
    while i < n {
        let k = batch.min(n - i);
        let events: Vec<Event> = (i..i + k)
            .map(|j| {
                Event::new(
                    "bench",
                    "ingest",
                    Subject::named(format!("data/part-{j:08}.parquet"))
                        .with_digest("sha256", format!("{j:064x}")),
                )
                .with_details(serde_json::json!({"rows": j % 1000, "source": "bench"}))
            })
            .collect();
        ledger.append_batch(events)?;
        i += k;
    }
    let append_s = t.elapsed().as_secs_f64();

    // Inclusion proofs for random entries, generated from the store and
    // verified against the signed head (as `log prove` + `check-proof` do,
    // minus JSON).
    let head = ledger.latest_head()?.ok_or("empty")?;
    let cp = Checkpoint::open(&head.note, ledger.verifier())?;
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    let mut gen_ms = Vec::new();
    let mut total_ms = Vec::new();
    for _ in 0..1000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let seq = x % n;
        let t = Instant::now();
        let b = ledger.prove(seq)?;
        let g = t.elapsed().as_secs_f64() * 1e3;
        let hashes: Vec<Hash> = b.hashes.iter().map(|h| parse_hash(h)).collect();
        verify_inclusion(
            seq,
            b.tree_size,
            &leaf_hash(b.entry.as_bytes()),
            &hashes,
            &cp.root,
        )?;
        total_ms.push(t.elapsed().as_secs_f64() * 1e3);
        gen_ms.push(g);
    }
    let mut cons_ms = Vec::new();
    for _ in 0..200 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let m = 1 + x % (n - 1);
        let t = Instant::now();
        let b = ledger.consistency(m)?;
        let hashes: Vec<Hash> = b.hashes.iter().map(|h| parse_hash(h)).collect();
        verify_consistency(m, b.tree_size, &parse_hash(&b.old_root), &cp.root, &hashes)?;
        cons_ms.push(t.elapsed().as_secs_f64() * 1e3);
    }

    // Full verification.
    let t = Instant::now();
    let rep = ledger.verify(None)?;
    let verify_s = t.elapsed().as_secs_f64();
    assert!(rep.ok, "{:?}", rep.problems);

    let db_bytes = std::fs::metadata(project.ledger_db())?.len();
    println!(
        "{}",
        serde_json::json!({
            "entries": n,
            "batch": batch,
            "append_seconds": append_s,
            "appends_per_second": n as f64 / append_s,
            "inclusion_proof_ms_p50": percentile(&mut gen_ms.clone(), 0.5),
            "inclusion_proof_ms_p99": percentile(&mut gen_ms, 0.99),
            "inclusion_prove_and_verify_ms_p50": percentile(&mut total_ms.clone(), 0.5),
            "inclusion_prove_and_verify_ms_max": percentile(&mut total_ms, 1.0),
            "consistency_prove_and_verify_ms_p50": percentile(&mut cons_ms, 0.5),
            "verify_seconds": verify_s,
            "verify_entries_per_second": n as f64 / verify_s,
            "signed_heads": rep.heads,
            "db_bytes": db_bytes,
        })
    );
    Ok(())
}
