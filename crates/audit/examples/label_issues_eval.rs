//! Runs the `label_issues` detector on a file and prints the flagged file rows as JSON,
//! for comparing with cleanlab on the same data:
//!
//! ```text
//! cargo run --release -p datagate-audit --example label_issues_eval -- data.csv label
//! ```

use std::time::Instant;

use datagate_audit::detectors::label_issues::LabelIssues;
use datagate_audit::{AuditColumns, Context, Detector, Settings, Table};
use datagate_dataset::{Dataset, ReadOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(path), Some(label)) = (args.get(1), args.get(2)) else {
        return Err("usage: label_issues_eval <file> <label column> [text column]".into());
    };
    let start = Instant::now();
    let ds = Dataset::open(std::path::Path::new(path), &ReadOptions::default())?;
    let cols = AuditColumns {
        label: Some(label.clone()),
        text: args.get(3).into_iter().cloned().collect(),
        features: None,
    };
    let table = Table::load(&ds, &cols)?;
    let loaded = start.elapsed().as_secs_f64();
    let settings = Settings::default();
    let ctx = Context {
        table: &table,
        baseline: None,
        settings: &settings,
    };
    let t = Instant::now();
    let out = LabelIssues.run(&ctx);
    let secs = t.elapsed().as_secs_f64();
    let json = match out {
        Ok(findings) => serde_json::json!({
            "rows": findings.first().map(|f| f.rows.clone()).unwrap_or_default(),
            "findings": findings,
            "load_seconds": loaded,
            "detector_seconds": secs,
        }),
        Err(reason) => serde_json::json!({ "skipped": reason, "detector_seconds": secs }),
    };
    println!("{json}");
    Ok(())
}
