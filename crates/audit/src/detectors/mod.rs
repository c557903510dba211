//! The detectors, one file each. Each documents what it catches, what it needs and its
//! known blind spots.
//!
//! To add a detector: write a file here with a unit struct implementing [`Detector`],
//! add one `pub mod` line and one entry to [`ALL`]. It then runs in every audit and its
//! findings reach every output format.

use std::time::Instant;

use crate::finding::{Finding, Report, Skipped};
use crate::table::Table;

pub mod baseline_shift;
pub mod edited_rows;
pub mod exact_duplicates;
pub mod label_issues;
pub mod near_duplicates;
pub mod outliers;
pub mod tabular_trigger;
pub mod text_trigger;

/// Tunable thresholds shared by the detectors (the policy file and CLI flags fill these).
///
/// Deserialises from a table naming any subset of the fields (the others keep their
/// defaults; an unknown name is an error); [`crate::settings`] adds `KEY=VALUE` overrides
/// and range checks ([`Settings::validate`]).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Seed for every random choice (fold assignment, MinHash permutations), so audits repeat.
    pub seed: u64,
    /// Plain duplicates fail the audit when more than this share of rows are redundant
    /// copies.
    pub max_duplicate_share: f64,
    /// When more than this share of rows share their features with another row, the
    /// features are too coarse to tell rows apart, and conflicting duplicates are reported
    /// without failing the audit.
    pub coarse_share: f64,
    /// Near-duplicate texts: Jaccard similarity of their word multisets at least this.
    pub near_duplicate_jaccard: f64,
    /// Near-duplicate numeric rows: every standardised feature within this many standard
    /// deviations.
    pub near_duplicate_eps: f64,
    /// False discovery rate for trigger candidates (Benjamini–Hochberg).
    pub trigger_fdr: f64,
    /// A trigger must appear in at least this many rows.
    pub trigger_min_support: usize,
    /// A trigger must appear in at most this share of rows (triggers are rare).
    pub trigger_max_share: f64,
    /// Share of a trigger's rows that must carry its target label.
    pub trigger_purity: f64,
    /// Text triggers: share of the trigger's rows whose prediction must move off the
    /// target label when the token is removed.
    pub trigger_min_flip: f64,
    /// Tabular triggers: share of the pattern's rows whose nearest neighbours (on the
    /// other features) must mostly carry another label.
    pub trigger_min_disagreement: f64,
    /// Label issues: cross-validation folds for the out-of-sample probabilities.
    pub label_folds: usize,
    /// Label issues: fold assignments the out-of-sample probabilities are averaged over;
    /// 0 = auto (3 up to 20 000 labelled rows, 1 above).
    pub label_cv_repeats: usize,
    /// Label issues: the model's inverse L2 strength (scikit-learn's `C`).
    pub label_c: f64,
    /// Label issues: how flagged rows are ranked.
    pub label_rank_by: label_issues::RankBy,
    /// Label issues fail the audit when more than this share of labelled rows is flagged.
    pub label_issue_max_share: f64,
    /// Outliers: rows beyond this chi-square quantile of the robust distance are flagged.
    pub outlier_quantile: f64,
    /// Outliers fail the audit when more than this share of a class is flagged. Clean real
    /// tables flag up to 8% of a class (breast_cancer 7%, digits 8%, penguins 1.5%): outliers
    /// alone are rows to look at, and only a large flagged share of a class fails.
    pub outlier_max_share: f64,
    /// Baseline shift: a class share may move by this much (absolute) before it counts.
    pub class_share_tolerance: f64,
    /// Edited rows fail the audit when more than this share of rows are baseline rows
    /// with values changed (0: any edited trusted record fails).
    pub edited_row_max_share: f64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            seed: 0x5eed,
            max_duplicate_share: 0.05,
            coarse_share: 0.5,
            near_duplicate_jaccard: 0.8,
            near_duplicate_eps: 0.01,
            trigger_fdr: 0.01,
            trigger_min_support: 5,
            trigger_max_share: 0.05,
            trigger_purity: 0.9,
            trigger_min_flip: 0.2,
            trigger_min_disagreement: 0.2,
            label_folds: 5,
            label_cv_repeats: 0,
            label_c: 1.0,
            label_rank_by: label_issues::RankBy::SelfConfidence,
            label_issue_max_share: 0.02,
            outlier_quantile: 0.999,
            outlier_max_share: 0.2,
            class_share_tolerance: 0.05,
            edited_row_max_share: 0.0,
        }
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

impl<'a> Context<'a> {
    /// The table and the baseline, for detectors that compare the two: a reason to skip
    /// when there is no baseline or either side has no rows.
    pub fn with_baseline(&self) -> Result<(&'a Table, &'a Table), SkipReason> {
        let base = self
            .baseline
            .ok_or_else(|| "needs a trusted baseline (--baseline)".to_string())?;
        if self.table.is_empty() || base.is_empty() {
            return Err(format!(
                "not enough data: {} current and {} baseline rows",
                self.table.len(),
                base.len()
            ));
        }
        Ok((self.table, base))
    }
}

/// One detector.
pub trait Detector: Sync {
    /// Its name in reports, e.g. `exact_duplicates`.
    fn name(&self) -> &'static str;
    /// Runs it: findings, or the reason it cannot give a meaningful answer here.
    fn run(&self, ctx: &Context<'_>) -> Result<Vec<Finding>, SkipReason>;
}

/// Every detector, in the order reports list them.
pub const ALL: &[&dyn Detector] = &[
    &exact_duplicates::ExactDuplicates,
    &near_duplicates::NearDuplicates,
    &label_issues::LabelIssues,
    &outliers::Outliers,
    &baseline_shift::BaselineShift,
    &edited_rows::EditedRows,
    &text_trigger::TextTrigger,
    &tabular_trigger::TabularTrigger,
];

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
