//! The working copy attacks edit: the source rows, cell overrides, appended copies, and
//! the order rows are written in.
//!
//! The source is read once into memory (one Arrow array per column). Attacks never edit
//! the arrays: they record overridden cells and append *working rows* that copy a source
//! row. Writing takes the rows in [`Table::order`] and rebuilds only the columns that
//! have overrides, so columns of any type pass through unchanged. Cells can be edited in
//! `Int64`, `Float64`, `Utf8` and `Boolean` columns (the reader's canonical types).
//!
//! Blind spot: the whole dataset is held in memory; this is a tool for making test copies,
//! not for rewriting production-sized files.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use arrow_array::{
    Array, ArrayRef, BooleanArray, Float64Array, Int64Array, RecordBatch, StringArray, UInt32Array,
};
use arrow_schema::{DataType, SchemaRef};
use datagate_dataset::{Dataset, ReadOptions};

use crate::error::{Error, Result};

/// One cell's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Missing.
    Null,
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// Text.
    Str(String),
    /// A boolean.
    Bool(bool),
}

impl Value {
    /// The value as text (`None` for null), the way labels are compared and reported.
    pub fn key(&self) -> Option<String> {
        match self {
            Value::Null => None,
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(f.to_string()),
            Value::Str(s) => Some(s.clone()),
            Value::Bool(b) => Some(b.to_string()),
        }
    }

    /// The value as a number, for numeric cells.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Float(f) => Some(*f),
            _ => None,
        }
    }

    /// The value as JSON.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Null => serde_json::Value::Null,
            Value::Int(i) => (*i).into(),
            Value::Float(f) => serde_json::Number::from_f64(*f)
                .map(serde_json::Value::Number)
                .unwrap_or(serde_json::Value::Null),
            Value::Str(s) => s.clone().into(),
            Value::Bool(b) => (*b).into(),
        }
    }
}

/// The dataset being poisoned (see the module docs).
pub struct Table {
    path: String,
    schema: SchemaRef,
    columns: Vec<ArrayRef>,
    /// Source row of each working row.
    sources: Vec<u32>,
    /// Overridden cells per column, by working row.
    overrides: Vec<HashMap<usize, Value>>,
    /// Working rows in the order they are written.
    pub order: Vec<usize>,
}

impl Table {
    /// Reads the whole dataset at `path`.
    pub fn load(path: &Path, options: &ReadOptions) -> Result<Self> {
        let ds = Dataset::open(path, options)?;
        let schema = ds.schema().clone();
        let mut batches = Vec::new();
        ds.scan(|b| -> Result<()> {
            batches.push(b.data);
            Ok(())
        })?;
        let data = arrow_select::concat::concat_batches(&schema, &batches)
            .map_err(|e| Error::Data(format!("{}: {e}", path.display())))?;
        Self::from_batch(path.display().to_string(), data)
    }

    /// Wraps an in-memory batch (`name` is used in messages).
    pub fn from_batch(name: String, data: RecordBatch) -> Result<Self> {
        let n = data.num_rows();
        if n > u32::MAX as usize {
            return Err(Error::Data(format!(
                "{name}: {n} rows; red-team copies are limited to {} rows",
                u32::MAX
            )));
        }
        Ok(Self {
            path: name,
            schema: data.schema(),
            overrides: vec![HashMap::new(); data.num_columns()],
            columns: data.columns().to_vec(),
            sources: (0..n as u32).collect(),
            order: (0..n).collect(),
        })
    }

    /// The source's name (its path).
    pub fn name(&self) -> &str {
        &self.path
    }

    /// Rows in the source.
    pub fn source_rows(&self) -> usize {
        self.columns.first().map_or(0, |c| c.len())
    }

    /// Working rows (source rows plus copies).
    pub fn len(&self) -> usize {
        self.sources.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.sources.is_empty()
    }

    /// The schema.
    pub fn schema(&self) -> &SchemaRef {
        &self.schema
    }

    /// The index of column `name`, or an error listing the columns.
    pub fn column(&self, name: &str) -> Result<usize> {
        self.schema.index_of(name).map_err(|_| {
            let names: Vec<&str> = self
                .schema
                .fields()
                .iter()
                .map(|f| f.name().as_str())
                .collect();
            Error::Data(format!(
                "{}: no column {name:?}; the columns are {}",
                self.path,
                names.join(", ")
            ))
        })
    }

    /// The type of column `col`.
    pub fn data_type(&self, col: usize) -> &DataType {
        self.schema.field(col).data_type()
    }

    /// Whether column `col` holds numbers.
    pub fn is_numeric(&self, col: usize) -> bool {
        matches!(self.data_type(col), DataType::Int64 | DataType::Float64)
    }

    /// Fails unless column `col` can be edited.
    pub fn check_editable(&self, col: usize) -> Result<()> {
        match self.data_type(col) {
            DataType::Int64 | DataType::Float64 | DataType::Utf8 | DataType::Boolean => Ok(()),
            other => Err(Error::Data(format!(
                "{}: column {:?} has type {other}; attacks can only edit integer, float, text \
                 and boolean columns",
                self.path,
                self.schema.field(col).name()
            ))),
        }
    }

    /// The current value of cell (`row`, `col`), `row` being a working row.
    pub fn get(&self, row: usize, col: usize) -> Value {
        if let Some(v) = self.overrides.get(col).and_then(|o| o.get(&row)) {
            return v.clone();
        }
        let (Some(&src), Some(array)) = (self.sources.get(row), self.columns.get(col)) else {
            return Value::Null;
        };
        source_value(array.as_ref(), src as usize)
    }

    /// The value of cell (`row`, `col`) in the source, before any attack.
    pub fn original(&self, row: usize, col: usize) -> Value {
        let (Some(&src), Some(array)) = (self.sources.get(row), self.columns.get(col)) else {
            return Value::Null;
        };
        source_value(array.as_ref(), src as usize)
    }

    /// Sets cell (`row`, `col`) (the column must be editable, see [`Table::check_editable`]).
    pub fn set(&mut self, row: usize, col: usize, value: Value) {
        if let Some(o) = self.overrides.get_mut(col) {
            o.insert(row, value);
        }
    }

    /// Appends a copy of working row `row` (with its edits) and returns the new row; it is
    /// written right after position `position` in [`Table::order`] (at the end when out of range).
    pub fn push_copy(&mut self, row: usize, position: usize) -> usize {
        let new = self.sources.len();
        let src = self.sources.get(row).copied().unwrap_or(0);
        self.sources.push(src);
        for o in &mut self.overrides {
            if let Some(v) = o.get(&row).cloned() {
                o.insert(new, v);
            }
        }
        let at = (position + 1).min(self.order.len());
        self.order.insert(at, new);
        new
    }

    /// The output row number of every working row.
    pub fn output_rows(&self) -> Vec<u64> {
        let mut out = vec![0u64; self.sources.len()];
        for (pos, &w) in self.order.iter().enumerate() {
            if let Some(slot) = out.get_mut(w) {
                *slot = pos as u64;
            }
        }
        out
    }

    /// Builds the output batch: rows in [`Table::order`], edits applied.
    pub fn build(&self) -> Result<RecordBatch> {
        let take: UInt32Array = self
            .order
            .iter()
            .map(|&w| self.sources.get(w).copied())
            .collect();
        let mut columns = Vec::with_capacity(self.columns.len());
        for (ci, array) in self.columns.iter().enumerate() {
            let column = if self.overrides.get(ci).is_none_or(HashMap::is_empty) {
                arrow_select::take::take(array.as_ref(), &take, None)
                    .map_err(|e| Error::Data(e.to_string()))?
            } else {
                let values = self.order.iter().map(|&w| self.get(w, ci));
                build_column(array.data_type(), values)?
            };
            columns.push(column);
        }
        RecordBatch::try_new(self.schema.clone(), columns).map_err(|e| Error::Data(e.to_string()))
    }
}

fn source_value(array: &dyn Array, i: usize) -> Value {
    if i >= array.len() || array.is_null(i) {
        return Value::Null;
    }
    let any = array.as_any();
    if let Some(a) = any.downcast_ref::<Int64Array>() {
        Value::Int(a.value(i))
    } else if let Some(a) = any.downcast_ref::<Float64Array>() {
        Value::Float(a.value(i))
    } else if let Some(a) = any.downcast_ref::<StringArray>() {
        Value::Str(a.value(i).to_string())
    } else if let Some(a) = any.downcast_ref::<BooleanArray>() {
        Value::Bool(a.value(i))
    } else {
        Value::Null
    }
}

fn build_column(data_type: &DataType, values: impl Iterator<Item = Value>) -> Result<ArrayRef> {
    let mismatch = |v: &Value| Error::Data(format!("cannot store {v:?} in a {data_type} column"));
    Ok(match data_type {
        DataType::Int64 => {
            let mut out = Vec::new();
            for v in values {
                out.push(match v {
                    Value::Null => None,
                    Value::Int(i) => Some(i),
                    other => return Err(mismatch(&other)),
                });
            }
            Arc::new(Int64Array::from(out))
        }
        DataType::Float64 => {
            let mut out = Vec::new();
            for v in values {
                out.push(match v {
                    Value::Null => None,
                    Value::Float(f) => Some(f),
                    Value::Int(i) => Some(i as f64),
                    other => return Err(mismatch(&other)),
                });
            }
            Arc::new(Float64Array::from(out))
        }
        DataType::Utf8 => {
            let mut out = Vec::new();
            for v in values {
                out.push(match v {
                    Value::Null => None,
                    other => other.key(),
                });
            }
            Arc::new(StringArray::from(out))
        }
        DataType::Boolean => {
            let mut out = Vec::new();
            for v in values {
                out.push(match v {
                    Value::Null => None,
                    Value::Bool(b) => Some(b),
                    other => return Err(mismatch(&other)),
                });
            }
            Arc::new(BooleanArray::from(out))
        }
        other => return Err(Error::Data(format!("cannot edit a column of type {other}"))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_schema::{Field, Schema};

    pub(crate) fn small() -> Table {
        let schema = Arc::new(Schema::new(vec![
            Field::new("x", DataType::Float64, true),
            Field::new("y", DataType::Int64, true),
        ]));
        let batch = RecordBatch::try_new(
            schema,
            vec![
                Arc::new(Float64Array::from(vec![1.0, 2.0, 3.0])),
                Arc::new(Int64Array::from(vec![0, 1, 0])),
            ],
        )
        .unwrap();
        Table::from_batch("t".into(), batch).unwrap()
    }

    #[test]
    fn edits_and_copies_land_where_the_order_says() {
        let mut t = small();
        t.set(1, 1, Value::Int(7));
        let c = t.push_copy(1, 2); // after position 2 = at the end
        let d = t.push_copy(0, 0); // right after row 0
        assert_eq!(t.order, vec![0, d, 1, 2, c]);
        let out = t.output_rows();
        assert_eq!((out[c], out[d], out[1]), (4, 1, 2));
        let b = t.build().unwrap();
        let y = b.column(1).as_any().downcast_ref::<Int64Array>().unwrap();
        assert_eq!(y.values().to_vec(), vec![0, 0, 7, 0, 7]);
        let x = b.column(0).as_any().downcast_ref::<Float64Array>().unwrap();
        assert_eq!(x.values().to_vec(), vec![1.0, 1.0, 2.0, 3.0, 2.0]);
    }

    #[test]
    fn a_wrong_type_is_an_error_not_a_panic() {
        let mut t = small();
        t.set(0, 1, Value::Str("oops".into()));
        assert!(t.build().is_err());
        assert!(t.column("nope").unwrap_err().to_string().contains("x, y"));
    }
}
