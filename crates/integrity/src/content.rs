//! Content fingerprints of datasets: a digest of the rows, not of the file's bytes.
//!
//! Re-encoding the same table (CSV to Parquet, a different compression, other row-group
//! sizes, a gzip wrapper) changes every byte of the file but not this digest. It is defined
//! over the rows as the dataset crate reads them (`datagate_dataset::Dataset::scan`: file order,
//! columns normalised to Int64 / Float64 / Utf8 / Boolean, other types kept).
//!
//! # Definition (`datagate-rows-v1`)
//!
//! `SHA-256(header || row_0 || row_1 || ...)`, where
//!
//! - `header` = `"datagate-rows-v1\n"`, then `u64le(column count)`, then for each column
//!   `str(name) || str(type)`, with `str(s) = u64le(byte length) || UTF-8 bytes` and `type`
//!   the Arrow type name after normalisation (`Int64`, `Float64`, `Utf8`, `Boolean`, or the
//!   kept type such as `Date32`);
//! - each row is its cells in column order, each cell one tag byte and a value:
//!   - `0x00` null (and a Float64 NaN, which CSV readers and pandas treat as missing);
//!   - `0x01 || i64le` Int64;
//!   - `0x02 || u64le(bits)` Float64, with `-0.0` written as `0.0`;
//!   - `0x03 || str(value)` Utf8;
//!   - `0x04 || 0x00/0x01` Boolean;
//!   - `0x05 || str(display text)` any other type (dates, timestamps, binary, nested), as
//!     Arrow's display formatter writes it;
//!   - `0x06 || str(raw text)` a CSV / JSON Lines cell that did not parse as its column's type
//!     (so two files that differ only in such cells never share a digest).
//!
//! Every value is length-prefixed or fixed-size, so the byte string decodes unambiguously and
//! distinct row sequences give distinct inputs to SHA-256. The digest is **order-sensitive**
//! (the same rows shuffled give another digest) and **type-sensitive**: the files must agree on
//! column names, column order and normalised types (a Parquet `Date32` column and a CSV column of
//! the same dates read as text differ; integers with nulls that pandas wrote as floats differ).

use std::path::Path;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type};
use arrow_array::{Array, RecordBatch};
use arrow_cast::display::{ArrayFormatter, FormatOptions};
use arrow_schema::DataType;
use datagate_dataset::{Dataset, ReadOptions};
use sha2::{Digest as _, Sha256};

use crate::error::{Error, Result};

/// Name and version of the definition above.
pub const CONTENT_DIGEST_VERSION: &str = "datagate-rows-v1";

/// A dataset's content fingerprint.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ContentDigest {
    /// Always [`CONTENT_DIGEST_VERSION`].
    pub version: &'static str,
    /// Rows hashed.
    pub rows: u64,
    /// Column names and normalised types, in order.
    pub columns: Vec<(String, String)>,
    /// Lowercase hex SHA-256 as defined in the module documentation.
    pub sha256: String,
}

fn put_str(h: &mut Sha256, s: &[u8]) {
    h.update((s.len() as u64).to_le_bytes());
    h.update(s);
}

/// Compute the content digest of the dataset at `path`, read with `options`.
pub fn content_digest(path: &Path, options: &ReadOptions) -> Result<ContentDigest> {
    let ds = Dataset::open(path, options)
        .map_err(|e| Error::format(format!("dataset {}", path.display()), e.to_string()))?;
    let schema = ds.schema().clone();
    let columns: Vec<(String, String)> = schema
        .fields()
        .iter()
        .map(|f| (f.name().clone(), f.data_type().to_string()))
        .collect();
    let mut h = Sha256::new();
    h.update(CONTENT_DIGEST_VERSION.as_bytes());
    h.update(b"\n");
    h.update((columns.len() as u64).to_le_bytes());
    for (name, ty) in &columns {
        put_str(&mut h, name.as_bytes());
        put_str(&mut h, ty.as_bytes());
    }
    let mut rows = 0u64;
    let mut buf = Vec::with_capacity(1 << 16);
    ds.scan(
        |batch| -> std::result::Result<(), datagate_dataset::DatasetError> {
            let invalid: std::collections::HashMap<(usize, usize), &str> = batch
                .invalid
                .iter()
                .map(|c| ((c.row, c.column), c.raw.as_str()))
                .collect();
            encode_batch(&batch.data, &invalid, &mut buf);
            h.update(&buf);
            buf.clear();
            rows += batch.num_rows() as u64;
            Ok(())
        },
    )
    .map_err(|e| Error::format(format!("dataset {}", path.display()), e.to_string()))?;
    Ok(ContentDigest {
        version: CONTENT_DIGEST_VERSION,
        rows,
        columns,
        sha256: hex::encode(h.finalize()),
    })
}

enum Col<'a> {
    Int(&'a arrow_array::Int64Array),
    Float(&'a arrow_array::Float64Array),
    Str(&'a arrow_array::StringArray),
    Bool(&'a arrow_array::BooleanArray),
    Other(&'a dyn Array, Option<ArrayFormatter<'a>>),
}

fn encode_batch(
    batch: &RecordBatch,
    invalid: &std::collections::HashMap<(usize, usize), &str>,
    out: &mut Vec<u8>,
) {
    let opts = FormatOptions::default();
    let cols: Vec<Col<'_>> = batch
        .columns()
        .iter()
        .map(|a| match a.data_type() {
            DataType::Int64 => Col::Int(a.as_primitive::<Int64Type>()),
            DataType::Float64 => Col::Float(a.as_primitive::<Float64Type>()),
            DataType::Utf8 => Col::Str(a.as_string::<i32>()),
            DataType::Boolean => Col::Bool(a.as_boolean()),
            _ => Col::Other(a.as_ref(), ArrayFormatter::try_new(a.as_ref(), &opts).ok()),
        })
        .collect();
    let put = |out: &mut Vec<u8>, tag: u8, s: &[u8]| {
        out.push(tag);
        out.extend_from_slice(&(s.len() as u64).to_le_bytes());
        out.extend_from_slice(s);
    };
    for row in 0..batch.num_rows() {
        for (ci, col) in cols.iter().enumerate() {
            if !invalid.is_empty() {
                if let Some(raw) = invalid.get(&(row, ci)) {
                    put(out, 0x06, raw.as_bytes());
                    continue;
                }
            }
            match col {
                Col::Int(a) => {
                    if a.is_null(row) {
                        out.push(0);
                    } else {
                        out.push(1);
                        out.extend_from_slice(&a.value(row).to_le_bytes());
                    }
                }
                Col::Float(a) => {
                    let v = a.value(row);
                    if a.is_null(row) || v.is_nan() {
                        out.push(0);
                    } else {
                        let v = if v == 0.0 { 0.0f64 } else { v };
                        out.push(2);
                        out.extend_from_slice(&v.to_bits().to_le_bytes());
                    }
                }
                Col::Str(a) => {
                    if a.is_null(row) {
                        out.push(0);
                    } else {
                        put(out, 3, a.value(row).as_bytes());
                    }
                }
                Col::Bool(a) => {
                    if a.is_null(row) {
                        out.push(0);
                    } else {
                        out.push(4);
                        out.push(u8::from(a.value(row)));
                    }
                }
                Col::Other(a, f) => {
                    if a.is_null(row) {
                        out.push(0);
                    } else {
                        let text = f
                            .as_ref()
                            .map(|f| f.value(row).to_string())
                            .unwrap_or_default();
                        put(out, 5, text.as_bytes());
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digest_of(name: &str, body: &[u8]) -> ContentDigest {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join(name);
        std::fs::write(&p, body).unwrap();
        content_digest(&p, &ReadOptions::default()).unwrap()
    }

    #[test]
    fn same_rows_in_csv_and_jsonl_share_a_digest() {
        let csv = digest_of("t.csv", b"id,name,score,ok\n1,ann,1.5,true\n2,bob,,false\n");
        let csv_crlf = digest_of(
            "t.csv",
            b"id,name,score,ok\r\n1,ann,1.50,true\r\n2,bob,NaN,false\r\n",
        );
        let jsonl = digest_of(
            "t.jsonl",
            b"{\"id\":1,\"name\":\"ann\",\"score\":1.5,\"ok\":true}\n{\"id\":2,\"name\":\"bob\",\"score\":null,\"ok\":false}\n",
        );
        assert_eq!(csv.rows, 2);
        assert_eq!(
            csv.sha256, csv_crlf.sha256,
            "line endings and number spelling are encoding"
        );
        assert_eq!(csv.columns, jsonl.columns);
        assert_eq!(csv.sha256, jsonl.sha256, "same rows, same digest");
    }

    #[test]
    fn csv_rewritten_as_parquet_keeps_its_digest() {
        let d = tempfile::tempdir().unwrap();
        let csv = d.path().join("t.csv");
        let mut body = String::from("id,city,amount,flag\n");
        for i in 0..3000 {
            body.push_str(&format!("{i},c{},{}.25,{}\n", i % 17, i * 3, i % 2 == 0));
        }
        body.push_str("3000,,NaN,\n");
        std::fs::write(&csv, &body).unwrap();
        let want = content_digest(&csv, &ReadOptions::default()).unwrap();
        // Re-encode the rows as Parquet (small row groups, zstd) through the dataset reader.
        let ds = Dataset::open(&csv, &ReadOptions::default()).unwrap();
        let pq = d.path().join("t.parquet");
        let props = parquet::file::properties::WriterProperties::builder()
            .set_max_row_group_row_count(Some(700))
            .build();
        let mut w = parquet::arrow::ArrowWriter::try_new(
            std::fs::File::create(&pq).unwrap(),
            ds.schema().clone(),
            Some(props),
        )
        .unwrap();
        ds.scan(
            |b| -> std::result::Result<(), datagate_dataset::DatasetError> {
                w.write(&b.data).unwrap();
                Ok(())
            },
        )
        .unwrap();
        w.close().unwrap();
        let got = content_digest(&pq, &ReadOptions::default()).unwrap();
        assert_eq!(got.rows, 3001);
        assert_eq!(got, want);
        assert_ne!(std::fs::read(&pq).unwrap(), std::fs::read(&csv).unwrap());
    }

    #[test]
    fn any_cell_change_or_reorder_changes_the_digest() {
        let base = digest_of("t.csv", b"id,name\n1,ann\n2,bob\n");
        for other in [
            &b"id,name\n1,ann\n2,bob2\n"[..],
            b"id,name\n2,bob\n1,ann\n",
            b"id,name\n1,ann\n",
            b"id,label\n1,ann\n2,bob\n",
            b"name,id\nann,1\nbob,2\n",
        ] {
            assert_ne!(
                digest_of("t.csv", other).sha256,
                base.sha256,
                "{}",
                String::from_utf8_lossy(other)
            );
        }
    }

    #[test]
    fn digest_matches_the_documented_definition() {
        // One Int64 column "a" with rows 7 and null, computed by hand from the definition.
        let mut h = Sha256::new();
        h.update(b"datagate-rows-v1\n");
        h.update(1u64.to_le_bytes());
        put_str(&mut h, b"a");
        put_str(&mut h, b"Int64");
        h.update([1u8]);
        h.update(7i64.to_le_bytes());
        h.update([0u8]);
        let want = hex::encode(h.finalize());
        let d = digest_of("t.csv", b"a\n7\nNA\n");
        assert_eq!((d.rows, d.sha256), (2, want));
    }
}
