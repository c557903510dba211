//! What an audit reports: findings, detectors that could not run, and the whole report.

use serde::Serialize;

/// One thing a detector found: the rows involved, a score for each, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// The detector's name, e.g. `label_issues` or `text_trigger`.
    pub detector: &'static str,
    /// A one-line summary, e.g. `trigger "cf" forces label "pos" (31 rows)`.
    pub title: String,
    /// A plain explanation of what was seen and why it matters.
    pub explanation: String,
    /// 0-based file row numbers, most suspicious first.
    pub rows: Vec<u64>,
    /// One score per row in `rows` (higher = more suspicious; the detector documents the scale).
    pub scores: Vec<f64>,
    /// Whether this finding passes the detector's threshold, so it fails the audit.
    pub fails: bool,
    /// Detector-specific fields (the trigger and target label, the duplicate pair, the
    /// noise rate per class pair...), flattened into the finding's JSON object.
    #[serde(flatten)]
    pub detail: serde_json::Map<String, serde_json::Value>,
}

/// A detector that could not give a meaningful answer, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Skipped {
    /// The detector's name.
    pub detector: &'static str,
    /// Why it did not run, e.g. `not enough data: 10 rows, needs at least 50`.
    pub reason: String,
}

/// The result of auditing one dataset.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The file audited.
    pub dataset: String,
    /// Rows read.
    pub rows: usize,
    /// Every finding, in detector order.
    pub findings: Vec<Finding>,
    /// Detectors that did not run, with the reason.
    pub skipped: Vec<Skipped>,
    /// Wall time per detector in seconds, in the order they ran.
    pub timings: Vec<(String, f64)>,
}

impl Report {
    /// Whether any finding passes its threshold (the audit's exit code is 1 then).
    pub fn fails(&self) -> bool {
        self.findings.iter().any(|f| f.fails)
    }
}
