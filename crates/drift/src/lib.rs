//! Drift between a reference and a current sample, with Evidently's tests and rules.
//!
//! Users compare our verdicts with Evidently's, so the default behaviour reproduces
//! Evidently 0.7.23 (`legacy/calculations/data_drift.py`, `stattests/*.py`) exactly:
//!
//! * NaN and ±inf are dropped; sizes below are non-null counts.
//! * [`column::default_stattest`]: with `n_ref <= 1000`, KS for numerical columns with
//!   more than 5 unique values (reference ∪ current), chi-square for 3+ categories,
//!   the Z-test for ≤ 2; with `n_ref > 1000`, normed Wasserstein for numerical columns
//!   with more than 5 unique values, Jensen-Shannon otherwise.
//! * Thresholds and comparison rules per test ([`stattests::StatTest`]); KS uses
//!   `p <= t` while chi-square/Z use `p < t`; distances use `score >= t`.
//! * [`dataset::dataset_drift`]: drift when the share of drifted columns `>= 0.5`.
//!
//! **Key design decision.** Every test is a plain function on cleaned, sorted slices
//! ([`NumericSample`]) or aligned counts ([`CategoryCounts`]), one file per test under
//! [`stattests`], so each is testable against scipy/Evidently fixtures on its own and
//! input handling (files, Arrow, profiles) lives elsewhere. p-values come from scipy's
//! algorithms ported to Rust (KS exact and asymptotic, [`stattests::kolmogorov`];
//! Anderson-Darling, Cramér-von Mises, Mann-Whitney, Epps-Singleton, Fisher) or from
//! `statrs` (chi², Normal, Student t); permutation tests replay numpy's legacy
//! generator ([`stattests::mt19937`]).
//!
//! Tests live in `tests/`: `scipy_ks.rs` and `scipy_tests.rs` check the ports against
//! recorded scipy output and `evidently.rs` replays datasets recorded with Evidently 0.7.23 and requires the
//! same method, verdict and score (1e-6 relative) for every column.

#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod binning;
pub mod collect;
pub mod column;
pub mod compare;
pub mod dataset;
pub mod html;
pub mod sample;
pub mod sketch;
pub mod stattests;

pub use column::{
    column_drift, default_stattest, ColumnDrift, ColumnInput, ColumnOptions, ColumnType,
};
pub use dataset::{dataset_drift, DatasetDrift, Finding, FindingKind};
pub use sample::{CategoryCounts, NumericSample};
pub use stattests::StatTest;

/// Errors from the drift tests.
#[derive(Debug, thiserror::Error)]
pub enum DriftError {
    /// A sample had no usable (non-null, finite) value.
    #[error("{0}: empty sample after dropping nulls and infinities")]
    EmptySample(&'static str),
    /// The test does not apply to this column type.
    #[error("stattest `{test}` does not apply to {column_type} columns")]
    NotApplicable {
        /// Test name.
        test: &'static str,
        /// Column type (`num`/`cat`).
        column_type: &'static str,
    },
    /// A numeric routine refused its input.
    #[error("numeric error: {0}")]
    Numeric(String),
    /// The test needs every reference value, but the reference is a profile.
    #[error("stattest `{0}` needs the reference values, which the profile does not keep for columns with more than 1000 values; pass the reference data file instead")]
    NeedsReferenceValues(&'static str),
}
