//! Writing Arrow batches to CSV, TSV, Parquet or JSON Lines, atomically.
//!
//! The output format comes from the file name: `.csv`, `.tsv`, `.parquet` (or `.pq`),
//! `.jsonl` (or `.ndjson`), optionally followed by `.gz` for the text formats. Rows go
//! through Apache Arrow's own writers (`arrow-csv`, `parquet`'s `ArrowWriter`,
//! `arrow-json`), into a hidden temporary file in the destination folder that is renamed
//! over the destination only when everything was written; on any error, or if the
//! [`DatasetWriter`] is dropped unfinished, the temporary file is removed, so a reader
//! never sees half a file.
//!
//! [`write_rows`] streams a dataset and keeps only the rows a predicate accepts (the audit
//! uses it to write quarantined rows and the clean remainder).
//!
//! Blind spots:
//! - CSV cannot tell an empty string from a missing value: both are written as an empty
//!   field and read back as null. Values are quoted only when needed (delimiter, quote,
//!   line break), so a text column holding numbers is read back as numbers.
//! - A JSON Lines file with no rows is empty, and an empty file cannot be opened again
//!   (there is no header to learn the columns from); use CSV or Parquet for outputs that
//!   may be empty.
//! - [`write_rows`] writes what the reader decoded: a CSV cell that did not parse as its
//!   column's type (see [`crate::Batch::invalid`]) is written as an empty (null) cell.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use arrow_array::{BooleanArray, RecordBatch};
use arrow_schema::SchemaRef;

use crate::error::{DatasetError, Result};
use crate::Dataset;

/// The formats [`DatasetWriter`] writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// Comma-separated values with a header row.
    Csv,
    /// Tab-separated values with a header row.
    Tsv,
    /// Apache Parquet (zstd-compressed pages).
    Parquet,
    /// One JSON object per line.
    JsonLines,
}

impl OutputFormat {
    /// The format and whether to gzip it, from `path`'s extension(s), or an error naming
    /// the extensions that are understood.
    pub fn from_path(path: &Path) -> Result<(Self, bool)> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        let (stem, gz) = match name.strip_suffix(".gz") {
            Some(s) => (s.to_string(), true),
            None => (name.clone(), false),
        };
        let ext = stem.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
        let format = match ext {
            "csv" => Self::Csv,
            "tsv" | "tab" => Self::Tsv,
            "parquet" | "pq" => Self::Parquet,
            "jsonl" | "ndjson" => Self::JsonLines,
            _ => {
                return Err(DatasetError::Options {
                    path: path.to_path_buf(),
                    message: "cannot tell the output format from the file name; \
                              expected it to end in .csv, .tsv, .parquet or .jsonl \
                              (text formats may add .gz)"
                        .into(),
                })
            }
        };
        if gz && format == Self::Parquet {
            return Err(DatasetError::Options {
                path: path.to_path_buf(),
                message: "Parquet compresses its pages itself; drop the .gz suffix".into(),
            });
        }
        Ok((format, gz))
    }
}

/// Where bytes go: the temporary file, possibly through gzip.
enum Out {
    Plain(BufWriter<File>),
    Gz(Box<flate2::write::GzEncoder<BufWriter<File>>>),
}

impl Write for Out {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Out::Plain(w) => w.write(buf),
            Out::Gz(w) => w.write(buf),
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Out::Plain(w) => w.flush(),
            Out::Gz(w) => w.flush(),
        }
    }
}

impl Out {
    /// Flushes everything (and the gzip trailer) down to the disk.
    fn close(self) -> std::io::Result<()> {
        let buffered = match self {
            Out::Plain(w) => w,
            Out::Gz(w) => (*w).finish()?,
        };
        let file = buffered.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()
    }
}

enum Sink {
    Csv(Box<arrow_csv::Writer<Out>>),
    Json(Box<arrow_json::LineDelimitedWriter<Out>>),
    Parquet(Box<parquet::arrow::ArrowWriter<BufWriter<File>>>),
}

/// Writes batches of one schema to a file, atomically (see the module docs).
pub struct DatasetWriter {
    sink: Option<Sink>,
    path: PathBuf,
    tmp: PathBuf,
    rows: u64,
}

/// Distinguishes temporary files of writers in the same process.
static TMP_COUNTER: AtomicU64 = AtomicU64::new(0);

impl DatasetWriter {
    /// Starts writing `path` (format from its extension, see [`OutputFormat::from_path`]).
    pub fn create(path: impl AsRef<Path>, schema: SchemaRef) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        let (format, gz) = OutputFormat::from_path(&path)?;
        Self::create_as(path, schema, format, gz)
    }

    /// Starts writing `path` in `format` (gzipped when `gzip`, text formats only).
    pub fn create_as(
        path: impl AsRef<Path>,
        schema: SchemaRef,
        format: OutputFormat,
        gzip: bool,
    ) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        let io = |source| DatasetError::Io {
            path: path.clone(),
            source,
        };
        let file_name = path
            .file_name()
            .ok_or_else(|| DatasetError::Options {
                path: path.clone(),
                message: "the output path has no file name".into(),
            })?
            .to_string_lossy()
            .into_owned();
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&dir).map_err(io)?;
        let tmp = dir.join(format!(
            ".{file_name}.tmp-{}-{}",
            std::process::id(),
            TMP_COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let file = File::create(&tmp).map_err(io)?;
        let mut writer = Self {
            sink: None,
            path: path.clone(),
            tmp,
            rows: 0,
        };
        let buffered = BufWriter::with_capacity(1 << 20, file);
        let out = |buffered| {
            if gzip {
                Out::Gz(Box::new(flate2::write::GzEncoder::new(
                    buffered,
                    flate2::Compression::default(),
                )))
            } else {
                Out::Plain(buffered)
            }
        };
        let format_err = |e: &dyn std::fmt::Display| DatasetError::Format {
            path: path.clone(),
            message: format!("cannot write: {e}"),
        };
        let sink = match format {
            OutputFormat::Csv | OutputFormat::Tsv => {
                let delimiter = if format == OutputFormat::Tsv {
                    b'\t'
                } else {
                    b','
                };
                let mut w = arrow_csv::WriterBuilder::new()
                    .with_header(true)
                    .with_delimiter(delimiter)
                    .build(out(buffered));
                // the header is written with the first batch: an empty one makes sure a
                // file with no rows still names its columns
                w.write(&RecordBatch::new_empty(schema.clone()))
                    .map_err(|e| format_err(&e))?;
                Sink::Csv(Box::new(w))
            }
            OutputFormat::JsonLines => Sink::Json(Box::new(arrow_json::LineDelimitedWriter::new(
                out(buffered),
            ))),
            OutputFormat::Parquet => {
                let props = parquet::file::properties::WriterProperties::builder()
                    .set_compression(parquet::basic::Compression::ZSTD(
                        parquet::basic::ZstdLevel::default(),
                    ))
                    .build();
                let w = parquet::arrow::ArrowWriter::try_new(buffered, schema, Some(props))
                    .map_err(|e| format_err(&e))?;
                Sink::Parquet(Box::new(w))
            }
        };
        writer.sink = Some(sink);
        Ok(writer)
    }

    /// The destination file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends the rows of `batch` (its schema must be the writer's).
    pub fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        let result = match self.sink.as_mut() {
            Some(Sink::Csv(w)) => w.write(batch).map_err(|e| e.to_string()),
            Some(Sink::Json(w)) => w.write(batch).map_err(|e| e.to_string()),
            Some(Sink::Parquet(w)) => w.write(batch).map_err(|e| e.to_string()),
            None => Err("the writer is already finished".into()),
        };
        result.map_err(|m| DatasetError::Format {
            path: self.path.clone(),
            message: format!("cannot write: {m}"),
        })?;
        self.rows += batch.num_rows() as u64;
        Ok(())
    }

    /// Finishes the file and renames it into place; returns the number of rows written.
    pub fn finish(mut self) -> Result<u64> {
        let closed: std::result::Result<(), String> = match self.sink.take() {
            Some(Sink::Csv(w)) => w.into_inner().close().map_err(|e| e.to_string()),
            Some(Sink::Json(mut w)) => w
                .finish()
                .map_err(|e| e.to_string())
                .and_then(|()| w.into_inner().close().map_err(|e| e.to_string())),
            Some(Sink::Parquet(w)) => w
                .into_inner()
                .map_err(|e| e.to_string())
                .and_then(|b| b.into_inner().map_err(|e| e.error().to_string()))
                .and_then(|f| f.sync_all().map_err(|e| e.to_string())),
            None => Ok(()),
        };
        if let Err(m) = closed {
            let _ = std::fs::remove_file(&self.tmp);
            return Err(DatasetError::Format {
                path: self.path.clone(),
                message: format!("cannot write: {m}"),
            });
        }
        if let Err(source) = std::fs::rename(&self.tmp, &self.path) {
            let _ = std::fs::remove_file(&self.tmp);
            return Err(DatasetError::Io {
                path: self.path.clone(),
                source,
            });
        }
        Ok(self.rows)
    }
}

impl Drop for DatasetWriter {
    fn drop(&mut self) {
        if self.sink.is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Writes `batches` (all of `schema`) to `path`; returns the number of rows written.
pub fn write_batches(
    path: impl AsRef<Path>,
    schema: SchemaRef,
    batches: &[RecordBatch],
) -> Result<u64> {
    let mut w = DatasetWriter::create(path, schema)?;
    for b in batches {
        w.write(b)?;
    }
    w.finish()
}

/// Streams `dataset` and writes the rows whose 0-based file row number `keep` accepts to
/// `out` (format from its extension), in file order; returns the number of rows written.
pub fn write_rows(dataset: &Dataset, mut keep: impl FnMut(u64) -> bool, out: &Path) -> Result<u64> {
    let mut w = DatasetWriter::create(out, dataset.schema().clone())?;
    dataset.scan(|batch| -> Result<()> {
        let mask: BooleanArray = (0..batch.num_rows() as u64)
            .map(|i| Some(keep(batch.first_row + i)))
            .collect();
        if mask.true_count() == 0 {
            return Ok(());
        }
        let kept = if mask.true_count() == batch.num_rows() {
            batch.data
        } else {
            arrow_select::filter::filter_record_batch(&batch.data, &mask).map_err(|e| {
                DatasetError::Format {
                    path: out.to_path_buf(),
                    message: format!("cannot select rows: {e}"),
                }
            })?
        };
        w.write(&kept)
    })?;
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_comes_from_the_extension() {
        let f = |s: &str| OutputFormat::from_path(Path::new(s)).ok();
        assert_eq!(f("a.csv"), Some((OutputFormat::Csv, false)));
        assert_eq!(f("dir/a.b.TSV.gz"), Some((OutputFormat::Tsv, true)));
        assert_eq!(f("a.parquet"), Some((OutputFormat::Parquet, false)));
        assert_eq!(f("a.jsonl.gz"), Some((OutputFormat::JsonLines, true)));
        assert_eq!(f("a.parquet.gz"), None);
        assert_eq!(f("a.xlsx"), None);
        assert_eq!(f("noext"), None);
    }
}

#[cfg(test)]
mod round_trip {
    use std::sync::Arc;

    use arrow_array::{Array, ArrayRef, BooleanArray, Float64Array, Int64Array, StringArray};
    use arrow_schema::{DataType, Field, Schema};

    use super::*;
    use crate::ReadOptions;

    fn sample() -> RecordBatch {
        let schema = Arc::new(Schema::new(vec![
            Field::new("id", DataType::Int64, true),
            Field::new("x", DataType::Float64, true),
            Field::new("text", DataType::Utf8, true),
            Field::new("flag", DataType::Boolean, true),
        ]));
        let cols: Vec<ArrayRef> = vec![
            Arc::new(Int64Array::from(vec![
                Some(1),
                Some(-2),
                None,
                Some(4),
                Some(5),
            ])),
            Arc::new(Float64Array::from(vec![
                Some(0.5),
                Some(1e-7),
                Some(3.0),
                None,
                Some(-2.25),
            ])),
            Arc::new(StringArray::from(vec![
                Some("plain"),
                Some("comma, and \"quotes\""),
                Some("line\nbreak"),
                Some("tab\there"),
                None,
            ])),
            Arc::new(BooleanArray::from(vec![
                Some(true),
                Some(false),
                None,
                Some(true),
                Some(false),
            ])),
        ];
        RecordBatch::try_new(schema, cols).unwrap()
    }

    fn read_all(path: &Path) -> (Dataset, Vec<RecordBatch>) {
        let ds = Dataset::open(path, &ReadOptions::default()).unwrap();
        let mut out = Vec::new();
        ds.scan(|b| -> Result<()> {
            assert!(b.invalid.is_empty(), "{:?}", b.invalid);
            out.push(b.data);
            Ok(())
        })
        .unwrap();
        (ds, out)
    }

    fn assert_same(expected: &RecordBatch, got: &[RecordBatch]) {
        let got = arrow_select::concat::concat_batches(&got[0].schema(), got).unwrap();
        assert_eq!(got.num_rows(), expected.num_rows());
        for (i, f) in expected.schema().fields().iter().enumerate() {
            let idx = got.schema().index_of(f.name()).unwrap();
            let (a, b) = (expected.column(i), got.column(idx));
            assert_eq!(a.data_type(), b.data_type(), "column {}", f.name());
            assert_eq!(a.to_data(), b.to_data(), "column {}", f.name());
        }
    }

    #[test]
    fn every_format_round_trips_through_the_reader() {
        let dir = tempfile::tempdir().unwrap();
        let batch = sample();
        for name in [
            "a.csv",
            "a.tsv",
            "a.parquet",
            "a.jsonl",
            "a.csv.gz",
            "a.jsonl.gz",
        ] {
            let path = dir.path().join(name);
            let n = write_batches(
                &path,
                batch.schema(),
                &[batch.slice(0, 2), batch.slice(2, 3)],
            )
            .unwrap();
            assert_eq!(n, 5);
            let (_, got) = read_all(&path);
            // CSV cannot tell an empty string from null; our sample has only a real null there
            assert_same(&batch, &got);
        }
        // nothing but the outputs is left in the folder
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with('.'))
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }

    #[test]
    fn write_rows_keeps_only_the_chosen_file_rows() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("src.parquet");
        write_batches(&src, sample().schema(), &[sample()]).unwrap();
        // several batches: row numbers must carry across them
        let opts = ReadOptions {
            batch_rows: 2,
            ..ReadOptions::default()
        };
        let ds = Dataset::open(&src, &opts).unwrap();
        let out = dir.path().join("kept.csv");
        let n = write_rows(&ds, |r| r == 1 || r == 4, &out).unwrap();
        assert_eq!(n, 2);
        let (_, got) = read_all(&out);
        let got = arrow_select::concat::concat_batches(&got[0].schema(), &got).unwrap();
        let ids = got.column(0).as_any().downcast_ref::<Int64Array>().unwrap();
        assert_eq!(ids.iter().collect::<Vec<_>>(), vec![Some(-2), Some(5)]);
        // keeping nothing still writes a readable file with the header
        let none = dir.path().join("none.csv");
        assert_eq!(write_rows(&ds, |_| false, &none).unwrap(), 0);
        let (ds2, got) = read_all(&none);
        assert_eq!(ds2.schema().fields().len(), 4);
        assert_eq!(got.iter().map(|b| b.num_rows()).sum::<usize>(), 0);
    }

    #[test]
    fn a_dropped_writer_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        {
            let mut w = DatasetWriter::create(&path, sample().schema()).unwrap();
            w.write(&sample()).unwrap();
        }
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        assert!(DatasetWriter::create(dir.path().join("x.docx"), sample().schema()).is_err());
    }
}
