//! The ground-truth file: which rows of the poisoned copy each attack touched.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Everything [`crate::inject`] did, in output row numbers (0-based data rows of the
/// poisoned file).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct GroundTruth {
    /// The seed that makes the injection reproducible.
    pub seed: u64,
    /// The clean dataset.
    pub source: String,
    /// The poisoned copy.
    #[serde(default)]
    pub output: String,
    /// Rows in the poisoned copy.
    #[serde(default)]
    pub rows: u64,
    /// The label column.
    #[serde(default)]
    pub label: String,
    /// The text column, when one was named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The attacks, in the order they were applied.
    pub attacks: Vec<AttackTruth>,
}

/// One attack and the rows it produced or changed.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AttackTruth {
    /// `label-flip`, `text-trigger`, `tabular-trigger`, `feature-shift` or `duplicates`.
    pub kind: String,
    /// The parameters as given (repeated keys as arrays) plus the defaults chosen.
    pub params: serde_json::Value,
    /// The poisoned rows (for duplicates: the injected copies), ascending.
    pub rows: Vec<u64>,
    /// The label the attack forces (triggers) or flips to (class-conditional flips).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_label: Option<serde_json::Value>,
    /// The inserted text trigger.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trigger: Option<String>,
    /// The tabular trigger: the cells set on every poisoned row.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<Vec<PatternCell>>,
    /// Duplicates: `exact`, `near` or `conflict`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// Duplicates: (original row, copy row) pairs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pairs: Vec<[u64; 2]>,
    /// Feature shift: the shifted columns.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<String>,
    /// The label each row of `rows` had before the attack (attacks that change labels).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub original_labels: Vec<serde_json::Value>,
}

/// One cell of a tabular trigger pattern.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PatternCell {
    /// The column.
    pub column: String,
    /// The value every poisoned row gets.
    pub value: serde_json::Value,
}

impl GroundTruth {
    /// Reads a ground-truth file.
    pub fn read(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::File {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        serde_json::from_str(&text).map_err(|e| Error::File {
            path: path.display().to_string(),
            message: format!("not a datagate ground-truth file: {e}"),
        })
    }
}
