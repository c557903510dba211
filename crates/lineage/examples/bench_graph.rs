//! How long lineage takes on a big ledger: `cargo run --release -p datagate-lineage --example
//! bench_graph -- [DROPS]` (default 25,000 drops = 100,000 gate entries + one model link per 100
//! versions). Builds a temporary project, appends the gate's events in batches of 1,000, then
//! times loading the graph, walks, and the OpenLineage and in-toto exports.

use std::time::Instant;

use datagate_ledger::{Event, Ledger, Subject};
use datagate_lineage::{intoto, openlineage, Direction, Graph};
use serde_json::json;

/// Counts bytes written.
struct Counter(usize);

impl std::io::Write for Counter {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0 += b.len();
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn main() {
    let drops: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(25_000);
    let tmp = tempfile::tempdir().expect("temp dir");
    let project = datagate_project::Project::init(tmp.path(), Some("bench")).expect("project");
    let mut ledger = Ledger::init(&project).expect("ledger");
    let sha = |i: usize, salt: u8| format!("{:062x}{salt:02x}", i);
    let t = Instant::now();
    let mut batch = Vec::with_capacity(1000);
    let mut links = 0;
    for i in 0..drops {
        let id = format!("d-{i:08}");
        let src = format!("vendor-{}", i % 20);
        let ev =
            |a: &str, s: Subject, d: serde_json::Value| Event::new("bench", a, s).with_details(d);
        batch.push(ev(
            "gate.ingest",
            Subject::named(&id).with_digest("sha256", sha(i, 0)),
            json!({"source": src, "file": format!("drop{i}.csv"), "tier": "untrusted"}),
        ));
        batch.push(ev("gate.review", Subject::named(&id).with_digest("sha256", sha(i, 0)),
            json!({"verdict": "pass", "report_sha256": sha(i, 1), "checks": [{"check": "suite", "verdict": "pass", "findings": 0}]})));
        batch.push(ev("gate.approve", Subject::named(&id).with_digest("sha256", sha(i, 0)),
            json!({"approver": "alice", "key_id": "k1", "envelope_sha256": sha(i, 2), "report_sha256": sha(i, 1)})));
        batch.push(ev("gate.promote", Subject::named(format!("train/v{i}")).with_digest("sha256", sha(i, 0)),
            json!({"drop": id, "source": src, "dataset": "train", "version": format!("v{i}"), "approvers": ["k1"]})));
        if i % 100 == 99 {
            links += 1;
            let trained: Vec<String> = (i - 99..=i)
                .step_by(10)
                .map(|v| format!("train/v{v}"))
                .collect();
            batch.push(ev(
                "lineage.link",
                Subject::named(format!("model-{links}")).with_digest("sha256", sha(i, 3)),
                json!({"trained_on": trained, "model_scan": "safe"}),
            ));
        }
        if batch.len() >= 1000 {
            ledger
                .append_batch(std::mem::take(&mut batch))
                .expect("append");
        }
    }
    ledger.append_batch(batch).expect("append");
    let size = ledger.size().expect("size");
    println!("ledger: {size} entries written in {:.2?}", t.elapsed());

    let t = Instant::now();
    let mut parsed = 0u64;
    ledger
        .for_each_entry(0, size, &mut |_, e| {
            parsed += u64::from(e.is_ok());
            Ok(())
        })
        .expect("scan");
    println!(
        "ledger scan + parse alone: {parsed} entries in {:.2?}",
        t.elapsed()
    );
    let t = Instant::now();
    let g = Graph::load(&ledger).expect("load");
    let load = t.elapsed();
    println!(
        "Graph::load: {} nodes, {} edges in {load:.2?} ({:.0} entries/s)",
        g.nodes().len(),
        g.edges().len(),
        size as f64 / load.as_secs_f64()
    );
    let t = Instant::now();
    let roots = g.resolve(&format!("model-{links}")).expect("model");
    let up = g.walk(&roots, Direction::Upstream);
    println!(
        "upstream of the last model: {} nodes in {:.2?}",
        up.upstream.len(),
        t.elapsed()
    );
    let t = Instant::now();
    let down = g.walk(
        &g.resolve("vendor-3").expect("source"),
        Direction::Downstream,
    );
    println!(
        "downstream of one source: {} nodes in {:.2?}",
        down.downstream.len(),
        t.elapsed()
    );
    let t = Instant::now();
    let mut counter = Counter(0);
    let n = openlineage::write_json_lines(
        &g,
        "datagate://bench",
        openlineage::all_seqs(&g),
        &mut counter,
    )
    .expect("write");
    println!(
        "OpenLineage export of everything (streamed): {n} events, {} MB in {:.2?}",
        counter.0 >> 20,
        t.elapsed()
    );
    let t = Instant::now();
    let st = intoto::provenance_of(&g, &format!("model-{links}")).expect("intoto");
    println!(
        "in-toto of the last model: {} dependencies in {:.2?}",
        st.predicate["buildDefinition"]["resolvedDependencies"]
            .as_array()
            .map_or(0, Vec::len),
        t.elapsed()
    );
}
