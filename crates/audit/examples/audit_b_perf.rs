//! Runs the label-issue, outlier and baseline-shift detectors on a file and prints, per
//! detector, the wall time and what it reported (for measuring on large files):
//!
//! ```text
//! cargo build --release -p datagate-audit --example audit_b_perf
//! /usr/bin/time -v target/release/examples/audit_b_perf data.csv label [baseline.csv]
//! # AUDIT_JSON=report.json also writes the report; OUTLIER_QUANTILE=0.9999 overrides it;
//! # ONLY=outliers,baseline_shift runs only those
//! ```

use std::time::Instant;

use datagate_audit::detectors::baseline_shift::BaselineShift;
use datagate_audit::detectors::label_issues::LabelIssues;
use datagate_audit::detectors::outliers::Outliers;
use datagate_audit::{audit, AuditColumns, Detector, Settings, Table};
use datagate_dataset::{Dataset, ReadOptions};

fn load(path: &str, label: &str) -> Result<Table, Box<dyn std::error::Error>> {
    let ds = Dataset::open(std::path::Path::new(path), &ReadOptions::default())?;
    let cols = AuditColumns {
        label: Some(label.to_string()),
        text: Vec::new(),
        features: None,
    };
    Ok(Table::load(&ds, &cols)?)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(path), Some(label)) = (args.get(1), args.get(2)) else {
        return Err("usage: audit_b_perf <file> <label column> [baseline file]".into());
    };
    let t = Instant::now();
    let table = load(path, label)?;
    let baseline = match args.get(3) {
        Some(b) => Some(load(b, label)?),
        None => None,
    };
    eprintln!(
        "load: {:.2}s, {} rows",
        t.elapsed().as_secs_f64(),
        table.len()
    );
    let detectors: [&dyn Detector; 3] = [&LabelIssues, &Outliers, &BaselineShift];
    let mut settings = Settings::default();
    if let Some(q) = std::env::var("OUTLIER_QUANTILE")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        settings.outlier_quantile = q;
    }
    let only = std::env::var("ONLY").unwrap_or_default();
    let chosen: Vec<&dyn Detector> = detectors
        .into_iter()
        .filter(|d| only.is_empty() || only.split(',').any(|o| o == d.name()))
        .collect();
    let report = audit(&table, baseline.as_ref(), &settings, &chosen);
    for (name, secs) in &report.timings {
        eprintln!("{name}: {secs:.2}s");
    }
    for f in &report.findings {
        eprintln!("{} | {} | fails={}", f.detector, f.title, f.fails);
    }
    for s in &report.skipped {
        eprintln!("{} skipped: {}", s.detector, s.reason);
    }
    if let Ok(out) = std::env::var("AUDIT_JSON") {
        std::fs::write(out, serde_json::to_string(&report)?)?;
    }
    Ok(())
}
