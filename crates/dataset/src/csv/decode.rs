//! Decoding a record-aligned chunk of CSV into typed Arrow batches.

use std::sync::Arc;

use arrow_array::builder::{BooleanBuilder, Float64Builder, Int64Builder, StringBuilder};
use arrow_array::{ArrayRef, RecordBatch, RecordBatchOptions};
use arrow_schema::SchemaRef;

use super::cell::{parse_bool, parse_f64, parse_i64, NullTokens};
use crate::batch::InvalidCell;
use crate::options::ColumnType;

/// Everything a worker needs to decode chunks; shared read-only between threads.
pub struct Decoder {
    /// Output schema (canonical types).
    pub schema: SchemaRef,
    /// Type per column of the file, in file order.
    pub types: Vec<ColumnType>,
    /// File columns to build, in output order (`None`: all). `schema` describes the output.
    pub keep: Option<Vec<usize>>,
    /// Null tokens.
    pub nulls: NullTokens,
    /// Field delimiter.
    pub delimiter: u8,
    /// Rows per output batch.
    pub batch_rows: usize,
}

/// Batches decoded from one chunk, with row numbers local to the chunk.
pub struct Decoded {
    /// Batches in order, with their invalid cells (rows local to each batch).
    pub batches: Vec<(RecordBatch, Vec<InvalidCell>)>,
    /// Rows in the chunk.
    pub rows: u64,
}

/// A problem in a chunk: local row and byte offset within the chunk.
#[derive(Debug)]
pub struct ChunkError {
    /// 0-based record number within the chunk.
    pub row: u64,
    /// Byte offset within the chunk where the record starts.
    pub byte: u64,
    /// What is wrong.
    pub message: String,
}

enum Builder {
    Int(Int64Builder),
    Float(Float64Builder),
    Bool(BooleanBuilder),
    Text(StringBuilder),
}

impl Builder {
    fn new(t: ColumnType, capacity: usize) -> Self {
        match t {
            ColumnType::Int64 => Self::Int(Int64Builder::with_capacity(capacity)),
            ColumnType::Float64 => Self::Float(Float64Builder::with_capacity(capacity)),
            ColumnType::Boolean => Self::Bool(BooleanBuilder::with_capacity(capacity)),
            ColumnType::Utf8 => Self::Text(StringBuilder::with_capacity(capacity, capacity * 8)),
        }
    }

    fn finish(&mut self) -> ArrayRef {
        match self {
            Self::Int(b) => Arc::new(b.finish()),
            Self::Float(b) => Arc::new(b.finish()),
            Self::Bool(b) => Arc::new(b.finish()),
            Self::Text(b) => Arc::new(b.finish()),
        }
    }

    /// Appends one field. Returns false when the text does not parse as the column's type
    /// (a null is appended then).
    #[inline]
    fn push(
        &mut self,
        field: &[u8],
        nulls: &NullTokens,
    ) -> Result<bool, simdutf8::basic::Utf8Error> {
        if nulls.contains(field) {
            match self {
                Self::Int(b) => b.append_null(),
                Self::Float(b) => b.append_null(),
                Self::Bool(b) => b.append_null(),
                Self::Text(b) => b.append_null(),
            }
            return Ok(true);
        }
        let ok = match self {
            Self::Int(b) => match parse_i64(field) {
                Some(v) => {
                    b.append_value(v);
                    true
                }
                None => {
                    b.append_null();
                    false
                }
            },
            Self::Float(b) => match parse_f64(field) {
                Some(v) => {
                    b.append_value(v);
                    true
                }
                None => {
                    b.append_null();
                    false
                }
            },
            Self::Bool(b) => match parse_bool(field) {
                Some(v) => {
                    b.append_value(v);
                    true
                }
                None => {
                    b.append_null();
                    false
                }
            },
            Self::Text(b) => {
                b.append_value(simdutf8::basic::from_utf8(field)?);
                true
            }
        };
        Ok(ok)
    }
}

impl Decoder {
    /// Decodes whole records from `bytes`.
    pub fn decode(&self, bytes: &[u8]) -> Result<Decoded, ChunkError> {
        let ncols = self.types.len();
        let capacity = self.batch_rows.min(bytes.len() / (ncols.max(1) * 2) + 16);
        let keep: Vec<usize> = match &self.keep {
            Some(k) => k.clone(),
            None => (0..ncols).collect(),
        };
        let mut builders: Vec<Builder> = keep
            .iter()
            .map(|c| Builder::new(self.types[*c], capacity))
            .collect();
        let mut invalid = Vec::new();
        let mut batches = Vec::new();
        let mut in_batch = 0usize;
        let mut rows = 0u64;

        let mut csv = csv_core::ReaderBuilder::new()
            .delimiter(self.delimiter)
            .build();
        let mut out = vec![0u8; 1 << 16];
        let mut ends = vec![0usize; ncols.max(1) + 1];
        let mut pos = 0usize;
        let mut record_start = 0usize;
        let mut nout = 0usize;
        let mut nends = 0usize;
        loop {
            let input = &bytes[pos..];
            let (result, nin, o, e) = csv.read_record(input, &mut out[nout..], &mut ends[nends..]);
            // csv-core reports field ends relative to the start of the record.
            pos += nin;
            nout += o;
            nends += e;
            use csv_core::ReadRecordResult as R;
            match result {
                R::InputEmpty => {
                    if input.is_empty() {
                        break;
                    }
                    // The chunk is consumed; the next call passes an empty slice, which tells
                    // csv-core the input ended so that it finishes the last record.
                }
                R::OutputFull => {
                    let len = out.len() * 2;
                    out.resize(len, 0);
                }
                R::OutputEndsFull => {
                    let len = ends.len() * 2;
                    ends.resize(len, 0);
                }
                R::Record => {
                    if nends != ncols {
                        return Err(ChunkError {
                            row: rows,
                            byte: record_start as u64,
                            message: format!(
                                "expected {ncols} fields as in the header, found {nends}"
                            ),
                        });
                    }
                    for (out_col, (builder, &col)) in builders.iter_mut().zip(&keep).enumerate() {
                        let start = if col == 0 { 0 } else { ends[col - 1] };
                        let field = &out[start..ends[col]];
                        match builder.push(field, &self.nulls) {
                            Ok(true) => {}
                            Ok(false) => invalid.push(InvalidCell {
                                row: in_batch,
                                column: out_col,
                                raw: String::from_utf8_lossy(field).into_owned(),
                            }),
                            Err(_) => {
                                return Err(ChunkError {
                                    row: rows,
                                    byte: record_start as u64,
                                    message: format!(
                                        "invalid UTF-8 in column {}, expected UTF-8 text",
                                        self.schema.field(out_col).name()
                                    ),
                                })
                            }
                        }
                    }
                    rows += 1;
                    in_batch += 1;
                    nout = 0;
                    nends = 0;
                    record_start = pos;
                    if in_batch == self.batch_rows {
                        batches.push(self.finish(&mut builders, &mut invalid, in_batch)?);
                        in_batch = 0;
                    }
                }
                R::End => break,
            }
        }
        if in_batch > 0 {
            batches.push(self.finish(&mut builders, &mut invalid, in_batch)?);
        }
        Ok(Decoded { batches, rows })
    }

    fn finish(
        &self,
        builders: &mut [Builder],
        invalid: &mut Vec<InvalidCell>,
        rows: usize,
    ) -> Result<(RecordBatch, Vec<InvalidCell>), ChunkError> {
        let columns: Vec<ArrayRef> = builders.iter_mut().map(Builder::finish).collect();
        // The row count matters when no column is kept (a suite of table checks only).
        let options = RecordBatchOptions::new().with_row_count(Some(rows));
        let batch = RecordBatch::try_new_with_options(self.schema.clone(), columns, &options)
            .map_err(|e| ChunkError {
                row: 0,
                byte: 0,
                message: e.to_string(),
            })?;
        Ok((batch, std::mem::take(invalid)))
    }
}
