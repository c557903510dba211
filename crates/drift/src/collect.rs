//! Gathers a dataset's columns from Arrow batches into what the tests need: numbers
//! (to be sorted) for numeric columns, counts per label for text and booleans.
//!
//! Memory: numeric columns keep their values (8 bytes each; tens of millions of values
//! per column fit comfortably), text columns keep one counter per distinct label. For
//! references too large for that, save a profile (`datagate profile`) and pass it
//! instead: see [`crate::sketch`].

use std::collections::HashMap;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float32Type, Float64Type, Int16Type, Int32Type, Int64Type, Int8Type, UInt32Type,
};
use arrow_array::{Array, RecordBatch};
use arrow_schema::{DataType, Schema};

use crate::column::ValueKind;

/// One column's gathered values.
#[derive(Debug, Clone)]
pub struct CollectedColumn {
    /// Column name.
    pub name: String,
    /// What the values are (`None`: a type the tests do not handle).
    pub kind: Option<ValueKind>,
    /// Rows seen.
    pub rows: u64,
    /// Nulls seen (NaN and ±inf are kept in `numbers` and dropped later).
    pub nulls: u64,
    /// Numeric values (integer and float columns).
    pub numbers: Vec<f64>,
    /// Counts per label (text and boolean columns).
    pub counts: HashMap<String, u64>,
    /// Not gathered (the caller said the column is not needed).
    pub skipped: bool,
}

/// All columns of one dataset.
#[derive(Debug, Clone, Default)]
pub struct Collected {
    /// Columns in schema order.
    pub columns: Vec<CollectedColumn>,
    /// Rows seen.
    pub rows: u64,
}

fn kind_of(dt: &DataType) -> Option<ValueKind> {
    match dt {
        DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::Int64 | DataType::UInt32 => {
            Some(ValueKind::Integer)
        }
        DataType::Float32 | DataType::Float64 => Some(ValueKind::Float),
        DataType::Boolean => Some(ValueKind::Boolean),
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => Some(ValueKind::String),
        _ => None,
    }
}

macro_rules! push_prim {
    ($c:expr, $a:expr) => {{
        let a = $a;
        if a.null_count() == 0 {
            $c.numbers.extend(a.values().iter().map(|&v| v as f64));
        } else {
            for x in a.iter() {
                match x {
                    Some(v) => $c.numbers.push(v as f64),
                    None => $c.nulls += 1,
                }
            }
        }
    }};
}

fn count_str<'a>(c: &mut CollectedColumn, it: impl Iterator<Item = Option<&'a str>>) {
    for x in it {
        match x {
            Some(s) => match c.counts.get_mut(s) {
                Some(n) => *n += 1,
                None => {
                    c.counts.insert(s.to_owned(), 1);
                }
            },
            None => c.nulls += 1,
        }
    }
}

impl Collected {
    /// Empty columns for a schema.
    pub fn new(schema: &Schema) -> Self {
        Self::with_columns(schema, None)
    }

    /// Like [`Collected::new`], but only gathers the named columns (others are kept as
    /// names, marked `skipped`, and cost nothing).
    pub fn with_columns(schema: &Schema, only: Option<&[String]>) -> Self {
        Collected {
            rows: 0,
            columns: schema
                .fields()
                .iter()
                .map(|f| CollectedColumn {
                    name: f.name().clone(),
                    kind: kind_of(f.data_type()),
                    rows: 0,
                    nulls: 0,
                    numbers: Vec::new(),
                    counts: HashMap::new(),
                    skipped: only.is_some_and(|o| !o.iter().any(|n| n == f.name())),
                })
                .collect(),
        }
    }

    /// Adds one batch (same schema as [`Collected::new`]).
    pub fn update(&mut self, batch: &RecordBatch) {
        self.rows += batch.num_rows() as u64;
        use rayon::prelude::*;
        self.columns
            .par_iter_mut()
            .zip(batch.columns().par_iter())
            .for_each(|(c, a)| {
                c.rows += a.len() as u64;
                if c.skipped {
                    return;
                }
                let a = a.as_ref();
                match a.data_type() {
                    DataType::Int64 => push_prim!(c, a.as_primitive::<Int64Type>()),
                    DataType::Int32 => push_prim!(c, a.as_primitive::<Int32Type>()),
                    DataType::Int16 => push_prim!(c, a.as_primitive::<Int16Type>()),
                    DataType::Int8 => push_prim!(c, a.as_primitive::<Int8Type>()),
                    DataType::UInt32 => push_prim!(c, a.as_primitive::<UInt32Type>()),
                    DataType::Float64 => push_prim!(c, a.as_primitive::<Float64Type>()),
                    DataType::Float32 => push_prim!(c, a.as_primitive::<Float32Type>()),
                    DataType::Boolean => {
                        let it = a
                            .as_boolean()
                            .iter()
                            .map(|x| x.map(|b| if b { "True" } else { "False" }));
                        count_str(c, it)
                    }
                    DataType::Utf8 => count_str(c, a.as_string::<i32>().iter()),
                    DataType::LargeUtf8 => count_str(c, a.as_string::<i64>().iter()),
                    DataType::Utf8View => count_str(c, a.as_string_view().iter()),
                    _ => c.nulls += a.null_count() as u64,
                }
            });
    }

    /// The column named `name`.
    pub fn column(&self, name: &str) -> Option<&CollectedColumn> {
        self.columns.iter().find(|c| c.name == name)
    }
}
