//! The detectors, one file each. Each documents what it catches, what it needs and its
//! known blind spots.
//!
//! To add a detector: write a file here with a unit struct implementing [`Detector`],
//! add one `pub mod` line and one entry to [`ALL`]. It then runs in every audit and its
//! findings reach every output format.

use std::time::Instant;

use crate::finding::{Finding, Report, Skipped};
use crate::table::Table;

/// Tunable thresholds shared by the detectors (the policy file and CLI flags fill these).
#[derive(Debug, Clone)]
pub struct Settings {
    /// Seed for every random choice (fold assignment, MinHash permutations), so audits repeat.
    pub seed: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Self { seed: 0x5eed }
    }
}

/// What a detector sees.
pub struct Context<'a> {
    /// The dataset under audit.
    pub table: &'a Table,
    /// A trusted earlier version of the data, for shift detectors (`--baseline`).
    pub baseline: Option<&'a Table>,
    /// Thresholds.
    pub settings: &'a Settings,
}

/// Why a detector did not run: a plain sentence such as `needs a label column (--label)`.
pub type SkipReason = String;

/// One detector.
pub trait Detector: Sync {
    /// Its name in reports, e.g. `exact_duplicates`.
    fn name(&self) -> &'static str;
    /// Runs it: findings, or the reason it cannot give a meaningful answer here.
    fn run(&self, ctx: &Context<'_>) -> Result<Vec<Finding>, SkipReason>;
}

/// Every detector, in the order reports list them.
pub const ALL: &[&dyn Detector] = &[];

/// Runs `detectors` (normally [`ALL`]) over `table` and gathers the report.
pub fn audit(
    table: &Table,
    baseline: Option<&Table>,
    settings: &Settings,
    detectors: &[&dyn Detector],
) -> Report {
    let ctx = Context {
        table,
        baseline,
        settings,
    };
    let mut report = Report {
        dataset: table.path.display().to_string(),
        rows: table.len(),
        findings: Vec::new(),
        skipped: Vec::new(),
        timings: Vec::new(),
    };
    for detector in detectors {
        let start = Instant::now();
        match detector.run(&ctx) {
            Ok(findings) => report.findings.extend(findings),
            Err(reason) => report.skipped.push(Skipped {
                detector: detector.name(),
                reason,
            }),
        }
        report
            .timings
            .push((detector.name().to_string(), start.elapsed().as_secs_f64()));
    }
    report
}
