//! Table-level expectations: row counts, column lists and sets, column count, column existence.

use datagate_dataset::Batch;
use serde_json::{json, Value};

use crate::bounds::Bounds;
use crate::check::{Check, CheckError, Outcome, TableInfo};

/// What a table expectation checks.
pub enum TableRule {
    /// `expect_table_row_count_to_be_between`.
    RowCountBetween(Bounds),
    /// `expect_table_row_count_to_equal`.
    RowCountEqual(u64),
    /// `expect_table_columns_to_match_ordered_list`.
    ColumnsOrdered(Vec<String>),
    /// `expect_table_columns_to_match_set` (with `exact_match`).
    ColumnsSet(Vec<String>, bool),
    /// `expect_table_column_count_to_equal`.
    ColumnCountEqual(u64),
    /// `expect_column_to_exist` (with GX's `column_index`: 0 is ignored, negatives count from the end).
    ColumnExists(String, Option<i64>),
}

/// A table expectation; it needs no rows, only the schema and the row count.
pub struct TableCheck(pub TableRule);

impl Check for TableCheck {
    fn update(&mut self, _batch: &Batch) -> Result<(), CheckError> {
        Ok(())
    }

    fn finish(&mut self, table: &TableInfo<'_>) -> Result<Outcome, CheckError> {
        let columns: Vec<String> = table
            .schema
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        Ok(match &self.0 {
            TableRule::RowCountBetween(bounds) => {
                let observed = json!(table.rows);
                Outcome::observed(bounds.check_observed(&observed)?, observed)
            }
            TableRule::RowCountEqual(n) => Outcome::observed(table.rows == *n, json!(table.rows)),
            TableRule::ColumnCountEqual(n) => {
                Outcome::observed(columns.len() as u64 == *n, json!(columns.len()))
            }
            TableRule::ColumnsOrdered(expected) => {
                let success = &columns == expected;
                let mut out = Outcome::observed(success, json!(columns));
                if !success {
                    let n = columns.len().max(expected.len());
                    let mismatched: Vec<Value> = (0..n)
                        .filter(|&i| columns.get(i) != expected.get(i))
                        .map(|i| {
                            json!({"Expected Column Position": i, "Expected": expected.get(i), "Found": columns.get(i)})
                        })
                        .collect();
                    out.result
                        .insert("details".into(), json!({"mismatched": mismatched}));
                }
                out
            }
            TableRule::ColumnsSet(expected, exact) => {
                let mut sorted = columns.clone();
                sorted.sort();
                let missing: Vec<&String> =
                    expected.iter().filter(|c| !columns.contains(c)).collect();
                let unexpected: Vec<&String> =
                    columns.iter().filter(|c| !expected.contains(c)).collect();
                let success = missing.is_empty() && (!exact || unexpected.is_empty());
                let mut out = Outcome::observed(success, json!(sorted));
                if !missing.is_empty() || !unexpected.is_empty() {
                    out.result.insert(
                        "details".into(),
                        json!({"mismatched": {"unexpected": unexpected, "missing": missing}}),
                    );
                }
                out
            }
            TableRule::ColumnExists(name, index) => {
                let success = match index {
                    Some(i) if *i != 0 => {
                        let len = columns.len() as i64;
                        let at = if *i < 0 { len + i } else { *i };
                        (0..len).contains(&at) && columns[at as usize] == *name
                    }
                    _ => columns.contains(name),
                };
                Outcome {
                    success,
                    result: Default::default(),
                }
            }
        })
    }
}
