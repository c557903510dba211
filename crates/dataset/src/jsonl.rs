//! JSON Lines: schema inference with arrow-json, newline-aligned chunks decoded in parallel.

use std::io::{BufReader, Read};
use std::path::Path;

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;

use crate::error::{DatasetError, Location, Result};

/// Infers the schema from the first `max_rows` lines (`0` = all).
pub fn learn_schema(path: &Path, stream: impl Read, max_rows: usize) -> Result<SchemaRef> {
    let mut reader = BufReader::new(stream);
    let limit = (max_rows != 0).then_some(max_rows);
    let (schema, records) =
        arrow_json::reader::infer_json_schema(&mut reader, limit).map_err(|e| {
            DatasetError::Format {
                path: path.to_path_buf(),
                message: format!("not valid JSON Lines: {e}"),
            }
        })?;
    if records == 0 {
        return Err(DatasetError::Empty {
            path: path.to_path_buf(),
        });
    }
    Ok(std::sync::Arc::new(schema))
}

/// A bad record inside a chunk: record number and byte offset within the chunk, and why.
pub type BadLine = (u64, u64, String);

/// Decodes whole lines into batches, returning them and the number of records. On a
/// decoding error, finds the offending line so the error can name its row.
pub fn decode_chunk(
    schema: &SchemaRef,
    bytes: &[u8],
    batch_rows: usize,
) -> std::result::Result<(Vec<RecordBatch>, u64), BadLine> {
    let build = || {
        arrow_json::ReaderBuilder::new(schema.clone())
            .with_batch_size(batch_rows)
            .with_coerce_primitive(true)
            .build_decoder()
    };
    let mut decoder = build().map_err(|e| (0, 0, e.to_string()))?;
    let mut batches = Vec::new();
    let mut rows = 0u64;
    let mut pos = 0;
    let result: std::result::Result<(), arrow_schema::ArrowError> = (|| {
        while pos < bytes.len() {
            let n = decoder.decode(&bytes[pos..])?;
            pos += n;
            if n == 0 || decoder.len() >= batch_rows {
                if let Some(batch) = decoder.flush()? {
                    rows += batch.num_rows() as u64;
                    batches.push(batch);
                } else if n == 0 {
                    break;
                }
            }
        }
        if let Some(batch) = decoder.flush()? {
            rows += batch.num_rows() as u64;
            batches.push(batch);
        }
        Ok(())
    })();
    match result {
        Ok(()) => Ok((batches, rows)),
        Err(err) => Err(locate_bad_line(bytes, &build, err.to_string())),
    }
}

/// Re-decodes line by line to find the first bad record: (record, byte offset, message).
fn locate_bad_line(
    bytes: &[u8],
    build: &dyn Fn() -> std::result::Result<arrow_json::reader::Decoder, arrow_schema::ArrowError>,
    fallback: String,
) -> BadLine {
    let mut record = 0u64;
    let mut offset = 0u64;
    for line in bytes.split_inclusive(|b| *b == b'\n') {
        let blank = line.iter().all(u8::is_ascii_whitespace);
        if !blank {
            let ok = build().and_then(|mut d| {
                d.decode(line)?;
                d.flush().map(|_| ())
            });
            if let Err(e) = ok {
                return (record, offset, e.to_string());
            }
            record += 1;
        }
        offset += line.len() as u64;
    }
    (record, offset, fallback)
}

/// The location of a bad line, for callers turning it into an error.
pub fn location(first_row: u64, chunk_offset: u64, bad: &BadLine) -> Location {
    Location {
        row: Some(first_row + bad.0),
        byte: Some(chunk_offset + bad.1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_bad_line() {
        let data = b"{\"a\":1}\n{\"a\":2}\n\n{\"a\":[1]}\n";
        let schema = learn_schema(Path::new("x.jsonl"), &data[..16], 0).unwrap();
        let err = decode_chunk(&schema, data, 1024).unwrap_err();
        assert_eq!((err.0, err.1), (2, 17), "{err:?}");
    }
}
