//! CSV (and TSV): header, pandas-compatible type inference, parallel chunked decoding.
//!
//! Design: a reader thread decompresses and cuts the stream into record-aligned chunks
//! ([`chunker`]); workers decode chunks into typed Arrow columns ([`decode`]) in
//! parallel; the driver hands batches to the caller in file order. Cells that do not
//! parse as their column's type become nulls listed in [`crate::Batch::invalid`], so a
//! single bad value never aborts a batch (unlike arrow-csv).

pub mod cell;
pub mod chunker;
pub mod decode;
pub mod records;

use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use arrow_schema::{Field, Schema, SchemaRef};

use crate::error::{DatasetError, Location, Result};
use crate::options::{ColumnType, ReadOptions};
use cell::{classify, NullTokens, TypeGuess};

/// A CSV file's layout, learned when it is opened.
pub struct CsvLayout {
    /// Column names (pandas-style: duplicates get `.1`, `.2`; blanks become `Unnamed: i`).
    pub names: Vec<String>,
    /// Column types after inference and overrides.
    pub types: Vec<ColumnType>,
    /// Field delimiter.
    pub delimiter: u8,
}

impl CsvLayout {
    /// The Arrow schema.
    pub fn schema(&self) -> SchemaRef {
        Arc::new(Schema::new(
            self.names
                .iter()
                .zip(&self.types)
                .map(|(n, t)| Field::new(n, t.data_type(), true))
                .collect::<Vec<_>>(),
        ))
    }
}

/// The delimiter: the user's, else tab for `.tsv`/`.tab`, else comma.
pub fn delimiter_for(path: &Path, options: &ReadOptions) -> u8 {
    if let Some(d) = options.delimiter {
        return d;
    }
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if name.contains(".tsv") || name.contains(".tab") {
        b'\t'
    } else {
        b','
    }
}

/// Reads the header and infers column types from the first `options.infer_rows` rows.
pub fn learn_layout(path: &Path, stream: impl Read, options: &ReadOptions) -> Result<CsvLayout> {
    let delimiter = delimiter_for(path, options);
    let nulls = NullTokens::new(&options.null_values);
    let mut reader = records::RecordReader::new(stream, delimiter);
    let io_err = |e: std::io::Error, row: Option<u64>, byte: u64| DatasetError::Malformed {
        path: path.to_path_buf(),
        location: Location {
            row,
            byte: Some(byte),
        },
        message: e.to_string(),
    };

    let mut names: Vec<String>;
    let mut guesses: Vec<TypeGuess>;
    let mut rows = 0u64;
    let first = reader.next_record().map_err(|e| io_err(e, None, 0))?;
    let Some(first) = first else {
        return Err(DatasetError::Empty {
            path: path.to_path_buf(),
        });
    };
    if options.has_header {
        names = (0..first.len())
            .map(|i| String::from_utf8_lossy(first.field(i)).into_owned())
            .collect();
        guesses = vec![TypeGuess::default(); names.len()];
    } else {
        names = (0..first.len()).map(|i| format!("column_{i}")).collect();
        guesses = vec![TypeGuess::default(); names.len()];
        for (i, g) in guesses.iter_mut().enumerate() {
            g.add(classify(first.field(i), &nulls));
        }
        rows = 1;
    }
    dedupe_names(&mut names);

    let limit = if options.infer_rows == 0 {
        u64::MAX
    } else {
        options.infer_rows as u64
    };
    let mut whole_file = true;
    while rows < limit || options.infer_rows == 0 {
        let byte = reader.consumed();
        let Some(record) = reader
            .next_record()
            .map_err(|e| io_err(e, Some(rows), byte))?
        else {
            break;
        };
        if record.len() != names.len() {
            return Err(DatasetError::Malformed {
                path: path.to_path_buf(),
                location: Location {
                    row: Some(rows),
                    byte: Some(byte),
                },
                message: format!(
                    "expected {} fields as in the header, found {}",
                    names.len(),
                    record.len()
                ),
            });
        }
        for (i, g) in guesses.iter_mut().enumerate() {
            g.add(classify(record.field(i), &nulls));
        }
        rows += 1;
        if rows >= limit && options.infer_rows != 0 {
            whole_file = reader
                .next_record()
                .map_err(|e| io_err(e, Some(rows), byte))?
                .is_none();
            break;
        }
    }
    // pandas reads an all-null column as float64 (but a header-only file as text);
    // with only a sample seen, text is safer.
    let all_null = if whole_file && rows > 0 {
        ColumnType::Float64
    } else {
        ColumnType::Utf8
    };
    let mut types: Vec<ColumnType> = guesses.iter().map(|g| g.resolve(all_null)).collect();
    for (name, forced) in &options.overrides {
        match names.iter().position(|n| n == name) {
            Some(i) => types[i] = *forced,
            None => {
                return Err(DatasetError::Options {
                    path: path.to_path_buf(),
                    message: format!(
                        "--type names column {name:?}, which is not in the header ({})",
                        names.join(", ")
                    ),
                })
            }
        }
    }
    Ok(CsvLayout {
        names,
        types,
        delimiter,
    })
}

/// pandas' renaming: an empty name becomes `Unnamed: i`, a repeated name gets `.1`, `.2`, ...
fn dedupe_names(names: &mut [String]) {
    for (i, name) in names.iter_mut().enumerate() {
        if name.is_empty() {
            *name = format!("Unnamed: {i}");
        }
    }
    for i in 0..names.len() {
        let mut k = 1;
        while names[..i].contains(&names[i]) {
            let candidate = format!("{}.{k}", names[i].trim_end_matches(&format!(".{}", k - 1)));
            if !names.contains(&candidate) {
                names[i] = candidate;
            }
            k += 1;
        }
    }
}

/// Skips the header record of `stream`, returning the buffered remainder, the stream and
/// the byte offset where data starts.
pub fn skip_header<R: Read>(
    path: &Path,
    stream: R,
    layout: &CsvLayout,
    has_header: bool,
) -> Result<(Vec<u8>, R, u64)> {
    if !has_header {
        return Ok((Vec::new(), stream, 0));
    }
    let mut reader = records::RecordReader::new(stream, layout.delimiter);
    reader.next_record().map_err(|e| DatasetError::Malformed {
        path: path.to_path_buf(),
        location: Location {
            row: None,
            byte: Some(0),
        },
        message: e.to_string(),
    })?;
    let offset = reader.consumed();
    let (rest, stream) = reader.into_parts();
    Ok((rest, stream, offset))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pandas_style_names() {
        let mut names = vec!["a".to_string(), "".into(), "a".into(), "a".into()];
        dedupe_names(&mut names);
        assert_eq!(names, ["a", "Unnamed: 1", "a.1", "a.2"]);
    }

    #[test]
    fn infers_types_and_applies_overrides() {
        let data = b"id,amount,name,flag,empty\n1,2.5,x,True,\n2,3,y,false,\n";
        let layout = learn_layout(Path::new("t.csv"), &data[..], &ReadOptions::default()).unwrap();
        assert_eq!(
            layout.types,
            [
                ColumnType::Int64,
                ColumnType::Float64,
                ColumnType::Utf8,
                ColumnType::Boolean,
                ColumnType::Float64
            ]
        );
        let options = ReadOptions {
            overrides: vec![("id".into(), ColumnType::Utf8)],
            ..Default::default()
        };
        let layout = learn_layout(Path::new("t.csv"), &data[..], &options).unwrap();
        assert_eq!(layout.types[0], ColumnType::Utf8);
    }

    #[test]
    fn ragged_rows_are_named() {
        let data = b"a,b\n1,2\n3,4,5\n";
        let err = learn_layout(Path::new("t.csv"), &data[..], &ReadOptions::default())
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("t.csv: row 1 (byte 8)"), "{err}");
        assert!(err.contains("expected 2 fields"), "{err}");
    }
}
