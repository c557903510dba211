//! Normalising Arrow columns to the few types the checks work on.
//!
//! Readers of typed formats (Parquet, IPC, JSON Lines) produce many Arrow types. Checks
//! only need to know "integer", "float", "text" and "boolean", so every batch is cast once,
//! at read time, to a canonical type per column: all signed and unsigned integers become
//! `Int64` (values above `i64::MAX` become null), all floats and decimals `Float64`, every
//! string representation and dictionary of strings `Utf8`. Temporal, binary and nested
//! columns keep their type; checks see them through their display text.

use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{ArrowError, DataType, Field, Schema, SchemaRef};

/// The canonical type for columns of type `data_type`.
pub fn canonical_type(data_type: &DataType) -> DataType {
    use DataType::*;
    match data_type {
        Int8 | Int16 | Int32 | Int64 | UInt8 | UInt16 | UInt32 | UInt64 => Int64,
        Float16 | Float32 | Float64 | Decimal32(..) | Decimal64(..) | Decimal128(..)
        | Decimal256(..) => Float64,
        Utf8 | LargeUtf8 | Utf8View | Null => Utf8,
        Dictionary(_, value) => canonical_type(value),
        other => other.clone(),
    }
}

/// The schema with every field's type replaced by its canonical type (fields become nullable).
pub fn canonical_schema(schema: &Schema) -> SchemaRef {
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .map(|f| Field::new(f.name(), canonical_type(f.data_type()), true))
        .collect();
    Arc::new(Schema::new(fields))
}

/// Casts every column of `batch` to the type it has in `target` (a [`canonical_schema`]).
pub fn normalize(batch: &RecordBatch, target: &SchemaRef) -> Result<RecordBatch, ArrowError> {
    let options = arrow_cast::CastOptions {
        safe: true,
        ..Default::default()
    };
    let columns: Vec<ArrayRef> = batch
        .columns()
        .iter()
        .zip(target.fields())
        .map(|(column, field)| {
            if column.data_type() == field.data_type() {
                Ok(column.clone())
            } else {
                arrow_cast::cast_with_options(column, field.data_type(), &options)
            }
        })
        .collect::<Result<_, _>>()?;
    RecordBatch::try_new(target.clone(), columns)
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{Array, Int32Array, StringArray, UInt64Array};

    #[test]
    fn integers_widen_and_strings_unify() {
        let schema = Schema::new(vec![
            Field::new("a", DataType::Int32, false),
            Field::new("b", DataType::UInt64, false),
            Field::new("c", DataType::LargeUtf8, true),
        ]);
        let target = canonical_schema(&schema);
        assert_eq!(target.field(0).data_type(), &DataType::Int64);
        assert_eq!(target.field(2).data_type(), &DataType::Utf8);
        let batch = RecordBatch::try_new(
            Arc::new(schema),
            vec![
                Arc::new(Int32Array::from(vec![1, -2])),
                Arc::new(UInt64Array::from(vec![7, u64::MAX])),
                Arc::new(arrow_array::LargeStringArray::from(vec![Some("x"), None])),
            ],
        )
        .unwrap();
        let out = normalize(&batch, &target).unwrap();
        assert_eq!(out.column(1).null_count(), 1, "u64::MAX does not fit i64");
        let c = out
            .column(2)
            .as_any()
            .downcast_ref::<StringArray>()
            .unwrap();
        assert_eq!(c.value(0), "x");
    }
}
