//! The contract every expectation implements, and the tally shared by row-wise ones.

use arrow_schema::Schema;
use datagate_dataset::Batch;
use serde_json::{json, Map, Value};

/// What the table looked like once the scan ended.
pub struct TableInfo<'a> {
    /// The dataset's schema.
    pub schema: &'a Schema,
    /// Data rows.
    pub rows: u64,
}

/// A check that cannot be evaluated on this data (GX raises an exception for these).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CheckError(pub String);

/// The verdict of one expectation.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// Whether the expectation holds.
    pub success: bool,
    /// GX's `result` object: counts, percents, samples, `observed_value`.
    pub result: Map<String, Value>,
}

impl Outcome {
    /// An aggregate verdict with its `observed_value`.
    pub fn observed(success: bool, observed: Value) -> Self {
        let mut result = Map::new();
        result.insert("observed_value".into(), observed);
        Self { success, result }
    }
}

/// One configured expectation, bound to a schema, accumulating state over batches.
///
/// Batches arrive in file order, one at a time; different checks are updated in
/// parallel, so a check owns all of its state.
pub trait Check: Send {
    /// Looks at the next batch.
    fn update(&mut self, batch: &Batch) -> Result<(), CheckError>;
    /// The verdict, once every batch was seen.
    fn finish(&mut self, table: &TableInfo<'_>) -> Result<Outcome, CheckError>;
}

/// How many unexpected values and rows a result lists (GX's `partial_unexpected_list`).
pub const PARTIAL_LIMIT: usize = 20;

/// Counts for row-wise ("map") expectations, and the first unexpected rows.
#[derive(Debug, Default, Clone)]
pub struct Tally {
    /// Rows seen.
    pub element_count: u64,
    /// Rows not considered (nulls, or rows skipped by `ignore_row_if`).
    pub missing_count: u64,
    /// Considered rows that failed.
    pub unexpected_count: u64,
    /// The first [`PARTIAL_LIMIT`] unexpected values, in row order.
    pub partial_values: Vec<Value>,
    /// Their row numbers.
    pub partial_rows: Vec<u64>,
}

impl Tally {
    /// Records an unexpected row (rows must be recorded in increasing order).
    #[inline]
    pub fn unexpected(&mut self, row: u64, value: impl FnOnce() -> Value) {
        self.unexpected_count += 1;
        if self.partial_rows.len() < PARTIAL_LIMIT {
            self.partial_rows.push(row);
            self.partial_values.push(value());
        }
    }

    /// Whether more sample rows are still wanted (callers can skip building values).
    pub fn wants_samples(&self) -> bool {
        self.partial_rows.len() < PARTIAL_LIMIT
    }

    /// The verdict for `mostly` over considered (non-missing) rows, GX's formula.
    pub fn success(&self, mostly: f64) -> bool {
        let considered = self.element_count - self.missing_count;
        if considered == 0 {
            return true;
        }
        let ratio = (considered as f64 - self.unexpected_count as f64) / considered as f64;
        ratio >= mostly
    }

    /// GX's result object for map expectations.
    pub fn to_result(&self) -> Map<String, Value> {
        let pct = |n: u64, d: u64| {
            if d == 0 {
                Value::Null
            } else {
                json!(100.0 * n as f64 / d as f64)
            }
        };
        let considered = self.element_count - self.missing_count;
        let mut m = Map::new();
        m.insert("element_count".into(), json!(self.element_count));
        m.insert("missing_count".into(), json!(self.missing_count));
        m.insert(
            "missing_percent".into(),
            pct(self.missing_count, self.element_count),
        );
        m.insert("unexpected_count".into(), json!(self.unexpected_count));
        m.insert(
            "unexpected_percent".into(),
            pct(self.unexpected_count, considered),
        );
        m.insert(
            "unexpected_percent_total".into(),
            pct(self.unexpected_count, self.element_count),
        );
        m.insert(
            "unexpected_percent_nonmissing".into(),
            pct(self.unexpected_count, considered),
        );
        m.insert(
            "partial_unexpected_list".into(),
            Value::Array(self.partial_values.clone()),
        );
        m.insert(
            "partial_unexpected_index_list".into(),
            json!(self.partial_rows),
        );
        m
    }

    /// The result object of the two null expectations (no missing counts; percents over all rows).
    pub fn to_null_result(&self) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("element_count".into(), json!(self.element_count));
        m.insert("unexpected_count".into(), json!(self.unexpected_count));
        let pct = if self.element_count == 0 {
            Value::Null
        } else {
            json!(100.0 * self.unexpected_count as f64 / self.element_count as f64)
        };
        m.insert("unexpected_percent".into(), pct.clone());
        m.insert("unexpected_percent_total".into(), pct);
        m.insert(
            "partial_unexpected_list".into(),
            Value::Array(self.partial_values.clone()),
        );
        m.insert(
            "partial_unexpected_index_list".into(),
            json!(self.partial_rows),
        );
        m
    }
}
