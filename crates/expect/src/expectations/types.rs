//! `expect_column_values_to_be_of_type` and `expect_column_values_to_be_in_type_list`.
//!
//! GX on pandas decides by the column's dtype, which datagate derives the way pandas
//! would have: an integer column with nulls is `float64`, a boolean column with nulls
//! and any text column are `object`. On a non-object dtype the check compares the dtype
//! name and reports it as `observed_value` (no row counts). On an object column each
//! value's Python type is checked (a row-wise result with counts), except that
//! `_to_be_of_type` with `object`/`object_`/`O` checks the dtype itself.

use arrow_array::Array;
use datagate_dataset::Batch;
use serde_json::Value;

use crate::check::{Check, CheckError, Outcome, TableInfo, Tally};
use crate::value::ColumnRef;

/// The numpy/Python names that match a dtype or a Python value type.
fn names_for(type_name: &str) -> &'static [&'static str] {
    match type_name {
        "int64" => &[
            "int",
            "int64",
            "long",
            "int_",
            "i8",
            "integer",
            "signedinteger",
            "number",
        ],
        "float64" => &[
            "float", "float64", "double", "float_", "f8", "floating", "number",
        ],
        "bool" => &["bool", "bool_", "boolean", "?"],
        "str" => &["str", "string", "unicode", "str_"],
        "object_" => &["object", "object_", "O"],
        _ => &[],
    }
}

/// Whether any name in `wanted` designates `type_name`.
fn matches(type_name: &str, wanted: &[String]) -> bool {
    wanted
        .iter()
        .any(|w| names_for(type_name).contains(&w.as_str()))
}

/// The type check; `list` is true for `_in_type_list`.
pub struct TypeCheck {
    column: usize,
    wanted: Vec<String>,
    list: bool,
    mostly: f64,
    nulls: u64,
    /// Tally as if every value failed (object columns); used only when values are checked.
    tally: Tally,
    kind: Kind,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Int,
    Float,
    Bool,
    Text,
}

impl TypeCheck {
    /// A type check on column `column` for the type names `wanted`.
    pub fn new(
        column: usize,
        wanted: Vec<String>,
        list: bool,
        mostly: f64,
        data_type: &arrow_schema::DataType,
    ) -> Self {
        use arrow_schema::DataType as D;
        let kind = match data_type {
            D::Int64 => Kind::Int,
            D::Float64 => Kind::Float,
            D::Boolean => Kind::Bool,
            _ => Kind::Text,
        };
        Self {
            column,
            wanted,
            list,
            mostly,
            nulls: 0,
            tally: Tally::default(),
            kind,
        }
    }
}

impl Check for TypeCheck {
    fn update(&mut self, batch: &Batch) -> Result<(), CheckError> {
        let array = batch.data.column(self.column);
        let col = ColumnRef::of(array);
        self.nulls += array.null_count() as u64;
        self.tally.element_count += array.len() as u64;
        self.tally.missing_count += array.null_count() as u64;
        // Every non-null value is a candidate failure until the dtype is known at the end.
        for i in 0..array.len() {
            if !self.tally.wants_samples() {
                break;
            }
            if array.is_valid(i) {
                self.tally.partial_rows.push(batch.first_row + i as u64);
                self.tally.partial_values.push(col.json(i));
            }
        }
        self.tally.unexpected_count += (array.len() - array.null_count()) as u64;
        Ok(())
    }

    fn finish(&mut self, _table: &TableInfo<'_>) -> Result<Outcome, CheckError> {
        let dtype = match self.kind {
            Kind::Int if self.nulls > 0 => "float64",
            Kind::Int => "int64",
            Kind::Float => "float64",
            Kind::Bool if self.nulls > 0 => "object_",
            Kind::Bool => "bool",
            Kind::Text => "object_",
        };
        let object_dtype_check = !self.list && matches("object_", &self.wanted);
        if dtype != "object_" || object_dtype_check {
            let success = matches(dtype, &self.wanted);
            return Ok(Outcome::observed(success, Value::String(dtype.into())));
        }
        // Object column: each value's Python type.
        let value_type = if self.kind == Kind::Bool {
            "bool"
        } else {
            "str"
        };
        if matches(value_type, &self.wanted) {
            self.tally.unexpected_count = 0;
            self.tally.partial_rows.clear();
            self.tally.partial_values.clear();
        }
        Ok(Outcome {
            success: self.tally.success(self.mostly),
            result: self.tally.to_result(),
        })
    }
}
