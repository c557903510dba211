//! Suggesting a suite from a trusted reference dataset (`datagate suite suggest`).
//!
//! One pass collects, per column: nulls, numeric min/max, text length min/max, up to
//! [`MAX_SET`] distinct values, and whether every non-null value was unique (a set of
//! 64-bit hashes, dropped as soon as a duplicate appears). The suite it writes holds
//! only expectations the reference itself meets, in the GX 1.x shape:
//! the ordered column list, a row-count range (half to twice the reference), and per
//! column `not_be_null` (when there were no nulls), `of_type` (non-text columns),
//! `between` (numbers), `in_set` (at most [`MAX_SET`] distinct values, each seen at least
//! twice on average), `value_lengths_between` (text) and `unique` (when it held).

use std::collections::{BTreeSet, HashSet};

use arrow_array::Array;
use datagate_dataset::{Batch, Dataset, DatasetError};
use serde_json::{json, Map, Value};

use crate::suite::{ExpectationConfig, Suite, SuiteShape};
use crate::value::{ColumnRef, Key};

/// Most distinct values a suggested `in_set` lists.
pub const MAX_SET: usize = 20;

#[derive(Default)]
struct ColumnStats {
    nulls: u64,
    values: u64,
    min: Option<f64>,
    max: Option<f64>,
    min_len: Option<usize>,
    max_len: Option<usize>,
    distinct: Option<BTreeSet<Key>>,
    unique: Option<HashSet<u64>>,
    numeric: bool,
    is_int: bool,
    is_bool: bool,
}

impl ColumnStats {
    fn new(dt: &arrow_schema::DataType) -> Self {
        use arrow_schema::DataType as D;
        Self {
            distinct: Some(BTreeSet::new()),
            unique: Some(HashSet::new()),
            numeric: matches!(dt, D::Int64 | D::Float64),
            is_int: matches!(dt, D::Int64),
            is_bool: matches!(dt, D::Boolean),
            ..Default::default()
        }
    }

    fn update(&mut self, col: ColumnRef<'_>, array: &dyn Array) {
        self.nulls += array.null_count() as u64;
        for i in 0..array.len() {
            if array.is_null(i) {
                continue;
            }
            self.values += 1;
            if self.numeric {
                if let Some(v) = col.num(i) {
                    self.min = Some(self.min.map_or(v, |m| m.min(v)));
                    self.max = Some(self.max.map_or(v, |m| m.max(v)));
                }
            } else if col.is_text() {
                let len = col.text(i).chars().count();
                self.min_len = Some(self.min_len.map_or(len, |m| m.min(len)));
                self.max_len = Some(self.max_len.map_or(len, |m| m.max(len)));
            }
            let key = Key::of(&col, i);
            if let Some(set) = &mut self.unique {
                let h = xxhash_rust::xxh3::xxh3_64(format!("{key:?}").as_bytes());
                if !set.insert(h) {
                    self.unique = None;
                }
            }
            if let Some(set) = &mut self.distinct {
                set.insert(key);
                if set.len() > MAX_SET {
                    self.distinct = None;
                }
            }
        }
    }
}

fn expectation(kind: &str, kwargs: Value) -> ExpectationConfig {
    let Value::Object(kwargs) = kwargs else {
        unreachable!("kwargs are built as objects")
    };
    ExpectationConfig {
        kind: kind.to_string(),
        kwargs,
        meta: Value::Object(Map::new()),
    }
}

fn number(v: f64, is_int: bool) -> Value {
    if is_int {
        json!(v as i64)
    } else {
        crate::value::float_json(v)
    }
}

/// Profiles `dataset` and returns a suite it passes.
pub fn suggest(dataset: &Dataset, name: &str) -> Result<Suite, DatasetError> {
    let schema = dataset.schema().clone();
    let mut stats: Vec<ColumnStats> = schema
        .fields()
        .iter()
        .map(|f| ColumnStats::new(f.data_type()))
        .collect();
    let summary = dataset.scan(|batch: Batch| {
        for (c, s) in stats.iter_mut().enumerate() {
            let array = batch.data.column(c);
            s.update(ColumnRef::of(array), array.as_ref());
        }
        Ok::<_, DatasetError>(())
    })?;
    let rows = summary.rows;
    let names: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
    let mut out = vec![
        expectation(
            "expect_table_columns_to_match_ordered_list",
            json!({"column_list": names}),
        ),
        expectation(
            "expect_table_row_count_to_be_between",
            json!({"min_value": rows / 2, "max_value": rows.saturating_mul(2).max(1)}),
        ),
    ];
    for (name, s) in names.iter().zip(&stats) {
        if s.nulls == 0 && rows > 0 {
            out.push(expectation(
                "expect_column_values_to_not_be_null",
                json!({"column": name}),
            ));
        }
        if s.values == 0 {
            continue;
        }
        let dtype = match (s.is_int, s.numeric, s.is_bool, s.nulls > 0) {
            (true, _, _, false) => Some("int64"),
            (true, _, _, true) | (false, true, _, _) => Some("float64"),
            (_, _, true, false) => Some("bool"),
            _ => None,
        };
        if let Some(t) = dtype {
            out.push(expectation(
                "expect_column_values_to_be_of_type",
                json!({"column": name, "type_": t}),
            ));
        }
        if let (Some(lo), Some(hi)) = (s.min, s.max) {
            let int = s.is_int;
            out.push(expectation(
                "expect_column_values_to_be_between",
                json!({"column": name, "min_value": number(lo, int), "max_value": number(hi, int)}),
            ));
        }
        if let Some(set) = &s.distinct {
            if (set.len() as u64) * 2 <= s.values {
                let values: Vec<Value> = set.iter().map(Key::json).collect();
                out.push(expectation(
                    "expect_column_values_to_be_in_set",
                    json!({"column": name, "value_set": values}),
                ));
            }
        }
        if let (Some(lo), Some(hi)) = (s.min_len, s.max_len) {
            out.push(expectation(
                "expect_column_value_lengths_to_be_between",
                json!({"column": name, "min_value": lo, "max_value": hi}),
            ));
        }
        if s.unique.is_some() && s.values > 1 {
            out.push(expectation(
                "expect_column_values_to_be_unique",
                json!({"column": name}),
            ));
        }
    }
    Ok(Suite {
        name: name.to_string(),
        expectations: out,
        shape: SuiteShape::GxV1,
    })
}
