//! The dataset-level verdict and the findings that are not test results.

use serde::Serialize;

use crate::column::ColumnDrift;

/// Evidently's default share of drifted columns that makes the dataset drifted.
pub const DEFAULT_DRIFT_SHARE: f64 = 0.5;

/// Something about a column that prevented or qualifies its test.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// Column name.
    pub column: String,
    /// Machine-readable kind.
    pub kind: FindingKind,
    /// Human-readable explanation.
    pub message: String,
}

/// Kinds of [`Finding`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// In the reference but not in the current data.
    MissingInCurrent,
    /// In the current data but not in the reference.
    AddedInCurrent,
    /// No non-null finite values in the reference.
    EmptyReference,
    /// No non-null finite values in the current data.
    EmptyCurrent,
    /// Numeric on one side, text on the other.
    TypeMismatch,
    /// The test could not be computed (named in the message).
    TestFailed,
    /// Informational: how a column was handled (e.g. approximated from a profile).
    Note,
}

/// The dataset-level result.
#[derive(Debug, Clone, Serialize)]
pub struct DatasetDrift {
    /// `share_of_drifted_columns >= drift_share`.
    pub dataset_drift: bool,
    /// The share threshold used.
    pub drift_share: f64,
    /// Columns tested.
    pub number_of_columns: usize,
    /// Columns with drift.
    pub number_of_drifted_columns: usize,
    /// `number_of_drifted_columns / number_of_columns` (0 when no column was tested).
    pub share_of_drifted_columns: f64,
    /// Per-column results, drifted first, then by column name.
    pub columns: Vec<ColumnDrift>,
    /// Columns not tested or worth a note.
    pub findings: Vec<Finding>,
}

/// Evidently's `get_dataset_drift`: drift when the share of drifted columns is at
/// least `drift_share` — so exactly half drifted counts as drift with the default 0.5.
/// With no testable column the verdict is "no drift" and `findings` says why.
pub fn dataset_drift(
    mut columns: Vec<ColumnDrift>,
    findings: Vec<Finding>,
    drift_share: f64,
) -> DatasetDrift {
    let n = columns.len();
    let drifted = columns.iter().filter(|c| c.drift_detected).count();
    let share = if n == 0 {
        0.0
    } else {
        drifted as f64 / n as f64
    };
    columns.sort_by(|a, b| {
        b.drift_detected
            .cmp(&a.drift_detected)
            .then_with(|| a.column.cmp(&b.column))
    });
    DatasetDrift {
        dataset_drift: n > 0 && share >= drift_share,
        drift_share,
        number_of_columns: n,
        number_of_drifted_columns: drifted,
        share_of_drifted_columns: share,
        columns,
        findings,
    }
}
