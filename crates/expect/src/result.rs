//! The validation result, shaped like Great Expectations' `ExpectationSuiteValidationResult`.

use serde::Serialize;
use serde_json::{Map, Value};

/// One expectation's result.
#[derive(Debug, Clone, Serialize)]
pub struct ExpectationResult {
    /// Whether it held.
    pub success: bool,
    /// The expectation as configured (`type`, `kwargs`, `meta`).
    pub expectation_config: Value,
    /// GX's `result` object.
    pub result: Map<String, Value>,
    /// GX's `exception_info`.
    pub exception_info: ExceptionInfo,
    /// Free-form metadata.
    pub meta: Map<String, Value>,
}

impl ExpectationResult {
    /// The expectation type.
    pub fn kind(&self) -> &str {
        self.expectation_config["type"].as_str().unwrap_or("")
    }

    /// The column(s) the expectation is about, for display.
    pub fn subject(&self) -> String {
        let kw = &self.expectation_config["kwargs"];
        if let Some(c) = kw["column"].as_str() {
            return c.to_string();
        }
        if let (Some(a), Some(b)) = (kw["column_A"].as_str(), kw["column_B"].as_str()) {
            return format!("{a}, {b}");
        }
        if let Some(list) = kw["column_list"].as_array() {
            return list
                .iter()
                .filter_map(|v| v.as_str())
                .collect::<Vec<_>>()
                .join(", ");
        }
        "(table)".into()
    }
}

/// Whether the expectation raised instead of giving a verdict.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ExceptionInfo {
    /// True when it raised.
    pub raised_exception: bool,
    /// Why.
    pub exception_message: Option<String>,
    /// Always null (datagate has no Python traceback); kept for GX readers.
    pub exception_traceback: Option<String>,
}

/// GX's `statistics` block.
#[derive(Debug, Clone, Serialize)]
pub struct Statistics {
    /// Expectations evaluated.
    pub evaluated_expectations: usize,
    /// Expectations that held.
    pub successful_expectations: usize,
    /// Expectations that failed (or raised).
    pub unsuccessful_expectations: usize,
    /// successful / evaluated × 100.
    pub success_percent: Option<f64>,
}

/// Data-quality scores (MISSION system 1).
#[derive(Debug, Clone, Serialize)]
pub struct Quality {
    /// Share of non-null cells over all cells.
    pub completeness: f64,
    /// Share of checked values that met their expectations (rows weighted), over
    /// row-wise expectations; 1 when there are none.
    pub validity: f64,
    /// Share of rows that are not exact duplicates of an earlier row.
    pub consistency: f64,
    /// Rows that exactly duplicate an earlier row.
    pub duplicate_rows: u64,
    /// Columns holding values of more than one type (cells that did not parse as the
    /// column's inferred type).
    pub mixed_type_columns: Vec<String>,
}

/// The whole validation result.
#[derive(Debug, Clone, Serialize)]
pub struct ValidationResult {
    /// Whether every expectation held.
    pub success: bool,
    /// Per-expectation results, in suite order.
    pub results: Vec<ExpectationResult>,
    /// The suite's name.
    pub suite_name: String,
    /// Counts of expectations.
    pub statistics: Statistics,
    /// Where the data came from, its digest-free description, timings, quality scores.
    pub meta: Value,
}
