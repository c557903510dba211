//! Whole datasets: scan, scrub, k-anonymity and reveal over CSV, JSON Lines,
//! Parquet and Arrow IPC files, streamed through `datagate-dataset` in bounded
//! memory.
//!
//! - [`scan_dataset`] scans every string cell (and integer cells, as text) with
//!   the column name as context, classifies each column, and reports structured
//!   columns as one finding with a share and free-text columns span by span
//!   (row, column, character offsets), capped at [`ScanConfig::max_spans`].
//! - [`scrub_dataset`] applies a [`Policy`] and writes CSV, JSON Lines or Parquet
//!   to a temporary file that is renamed into place only when complete.
//! - [`check_k`] feeds quasi-identifier columns to [`KAnonymity`].
//! - [`reveal_column`] reverses tokenisation for holders of the key.
//!
//! Values are never copied into reports: spans carry a masked preview only.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use datagate_dataset::{Dataset, DatasetError, Format, ReadOptions};
use rayon::prelude::*;
use serde::Serialize;

use crate::classify::{self, ColumnClass, ColumnKind, ColumnProfile};
use crate::kanon::KAnonymity;
use crate::policy::{ColumnRule, Policy};
use crate::transform::{mask, Action, TransformError, Transformer, TOKEN_PREFIX};
use crate::{Entity, Finding, ScanOptions, Scanner};

/// Errors from dataset-level operations.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// Reading the dataset failed.
    #[error(transparent)]
    Dataset(#[from] DatasetError),
    /// A named column does not exist.
    #[error("{path}: no column `{column}` (columns: {available})")]
    NoColumn {
        /// The file.
        path: PathBuf,
        /// The missing column.
        column: String,
        /// The columns it has.
        available: String,
    },
    /// A transform failed (missing key, bad token, wrong key).
    #[error("{path}: row {row}, column `{column}`: {source}")]
    Transform {
        /// The file.
        path: PathBuf,
        /// 0-based row.
        row: u64,
        /// Column.
        column: String,
        /// The cause.
        source: TransformError,
    },
    /// Writing the output failed.
    #[error("{path}: {message}")]
    Write {
        /// The output file.
        path: PathBuf,
        /// What failed.
        message: String,
    },
    /// The detectors could not be built (a bug).
    #[error("{0}")]
    Scanner(String),
}

/// Options for [`scan_dataset`].
#[derive(Debug, Clone)]
pub struct ScanConfig {
    /// Findings below this confidence are ignored.
    pub min_confidence: f32,
    /// Only these entities (all when `None`).
    pub entities: Option<Vec<Entity>>,
    /// At most this many span findings are kept in the report (counts stay exact).
    pub max_spans: usize,
    /// How the file is read.
    pub read: ReadOptions,
}

impl Default for ScanConfig {
    fn default() -> Self {
        ScanConfig {
            min_confidence: 0.5,
            entities: None,
            max_spans: 1000,
            read: ReadOptions::default(),
        }
    }
}

/// One finding inside one cell.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpanFinding {
    /// 0-based data row.
    pub row: u64,
    /// Column name.
    pub column: String,
    /// Start, in characters of the cell.
    pub start: usize,
    /// End (exclusive), in characters.
    pub end: usize,
    /// What was found.
    pub entity: Entity,
    /// Confidence after context.
    pub confidence: f32,
    /// The validation that passed.
    pub validation: &'static str,
    /// The value with all but its last 4 letters/digits masked.
    pub preview: String,
}

/// One column's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnReport {
    /// The classification (kind, entity, share).
    #[serde(flatten)]
    pub class: ColumnClass,
    /// Cells with at least one finding.
    pub cells_with_pii: u64,
    /// Findings per entity in this column.
    pub findings: BTreeMap<Entity, u64>,
}

/// The result of [`scan_dataset`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DatasetReport {
    /// The file.
    pub path: String,
    /// Its format.
    pub format: String,
    /// Rows scanned.
    pub rows: u64,
    /// Text bytes scanned.
    pub bytes_scanned: u64,
    /// Per column.
    pub columns: Vec<ColumnReport>,
    /// Findings per entity, all columns.
    pub totals: BTreeMap<Entity, u64>,
    /// Span findings in free-text and unclassified columns (structured columns are
    /// summarised in `columns`), at most `max_spans`.
    pub spans: Vec<SpanFinding>,
    /// Span findings in those columns before the cap.
    pub spans_total: u64,
}

impl DatasetReport {
    /// True if any personal data or secret was found.
    pub fn has_pii(&self) -> bool {
        self.totals.values().any(|&n| n > 0)
    }
}

/// Text views of a batch's columns that can hold PII: strings as they are,
/// integers formatted; other types are skipped (`None`).
fn text_column(array: &ArrayRef) -> Option<ArrayRef> {
    match array.data_type() {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => {
            arrow_cast::cast(array, &DataType::Utf8).ok()
        }
        DataType::Int64 | DataType::Int32 | DataType::UInt64 => {
            arrow_cast::cast(array, &DataType::Utf8).ok()
        }
        _ => None,
    }
}

/// Scans a whole dataset.
pub fn scan_dataset(path: &Path, config: &ScanConfig) -> Result<DatasetReport, DataError> {
    let scanner = Scanner::with_options(ScanOptions {
        min_confidence: config.min_confidence,
        entities: config.entities.clone(),
    })
    .map_err(|e| DataError::Scanner(e.to_string()))?;
    let ds = Dataset::open(path, &config.read)?;
    let schema = ds.schema().clone();
    let names: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
    let mut profiles: Vec<ColumnProfile> = names.iter().map(|n| ColumnProfile::new(n)).collect();
    let mut per_col: Vec<BTreeMap<Entity, u64>> = vec![BTreeMap::new(); names.len()];
    let mut cells_with: Vec<u64> = vec![0; names.len()];
    // Spans are kept per column until we know whether the column is structured.
    let mut spans: Vec<Vec<SpanFinding>> = vec![Vec::new(); names.len()];
    let mut span_counts: Vec<u64> = vec![0; names.len()];
    let mut rows = 0u64;
    let mut bytes = 0u64;
    ds.scan(|batch| -> Result<(), DataError> {
        rows += batch.num_rows() as u64;
        for (ci, array) in batch.data.columns().iter().enumerate() {
            let Some(text) = text_column(array) else {
                continue;
            };
            let strings = text.as_string::<i32>();
            let column = &names[ci];
            let found: Vec<(usize, Vec<Finding>)> = (0..strings.len())
                .into_par_iter()
                .filter(|&i| strings.is_valid(i))
                .map(|i| {
                    (
                        i,
                        classify::scan_with_context(&scanner, column, strings.value(i)),
                    )
                })
                .collect();
            for (i, findings) in found {
                let value = strings.value(i);
                bytes += value.len() as u64;
                profiles[ci].record(value, &findings);
                if findings.is_empty() {
                    continue;
                }
                cells_with[ci] += 1;
                for f in &findings {
                    *per_col[ci].entry(f.entity).or_default() += 1;
                    span_counts[ci] += 1;
                    if spans[ci].len() < config.max_spans {
                        spans[ci].push(SpanFinding {
                            row: batch.first_row + i as u64,
                            column: column.clone(),
                            start: f.start,
                            end: f.end,
                            entity: f.entity,
                            confidence: f.confidence,
                            validation: f.validation,
                            preview: mask(&value[f.byte_start..f.byte_end], 4),
                        });
                    }
                }
            }
        }
        Ok(())
    })?;
    let mut columns = Vec::new();
    let mut totals: BTreeMap<Entity, u64> = BTreeMap::new();
    let mut listed = Vec::new();
    let mut spans_total = 0;
    for (ci, profile) in profiles.iter().enumerate() {
        let class = profile.classify();
        for (e, n) in &per_col[ci] {
            *totals.entry(*e).or_default() += n;
        }
        if class.kind != ColumnKind::Structured {
            spans_total += span_counts[ci];
            listed.extend(spans[ci].iter().cloned());
        }
        columns.push(ColumnReport {
            class,
            cells_with_pii: cells_with[ci],
            findings: per_col[ci].clone(),
        });
    }
    listed.sort_by(|a, b| {
        a.row
            .cmp(&b.row)
            .then(a.column.cmp(&b.column))
            .then(a.start.cmp(&b.start))
    });
    listed.truncate(config.max_spans);
    Ok(DatasetReport {
        path: path.display().to_string(),
        format: ds.format().name().to_string(),
        rows,
        bytes_scanned: bytes,
        columns,
        totals,
        spans: listed,
        spans_total,
    })
}

/// What [`scrub_dataset`] did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ScrubSummary {
    /// Rows written.
    pub rows: u64,
    /// Cells whose value changed.
    pub cells_changed: u64,
    /// Values transformed per entity (column rules count under the column's
    /// name-hinted entity, or not at all when it has none).
    pub transformed: BTreeMap<Entity, u64>,
    /// The output file.
    pub output: String,
    /// The output format.
    pub format: String,
}

/// The output format for `path`: from its extension, else `fallback`.
pub fn output_format(path: &Path, fallback: Format) -> Format {
    path.extension()
        .and_then(|e| e.to_str())
        .and_then(Format::from_name)
        .unwrap_or(fallback)
}

/// Streams `input` to `output`, transforming cells by `policy`.
///
/// Columns named in `[columns]` get their action on every non-null value (the
/// output column becomes text). Every other string column is scanned cell by
/// cell and each finding at or above the policy's confidence is replaced by its
/// entity's action. Non-text columns without a rule are copied unchanged.
pub fn scrub_dataset(
    input: &Path,
    output: &Path,
    policy: &Policy,
    transformer: &Transformer,
    read: &ReadOptions,
) -> Result<ScrubSummary, DataError> {
    let scanner = Scanner::with_options(ScanOptions {
        min_confidence: policy.min_confidence,
        entities: None,
    })
    .map_err(|e| DataError::Scanner(e.to_string()))?;
    let ds = Dataset::open(input, read)?;
    let in_schema = ds.schema().clone();
    for name in policy.columns.keys() {
        if in_schema.field_with_name(name).is_err() {
            return Err(no_column(input, name, &in_schema));
        }
    }
    let out_schema = scrub_schema(&in_schema, policy);
    let format = match output_format(output, ds.format()) {
        Format::ArrowIpc => Format::Parquet,
        f => f,
    };
    let mut writer = OutWriter::create(output, format, out_schema.clone())?;
    let mut summary = ScrubSummary {
        output: output.display().to_string(),
        format: format.name().to_string(),
        ..ScrubSummary::default()
    };
    let result = ds.scan(|batch| -> Result<(), DataError> {
        let mut columns: Vec<ArrayRef> = Vec::with_capacity(batch.data.num_columns());
        for (ci, array) in batch.data.columns().iter().enumerate() {
            let field = in_schema.field(ci);
            let name = field.name();
            let rule = policy.columns.get(name).copied();
            let text = match rule {
                Some(ColumnRule::Action(_)) | Some(ColumnRule::Scan) => {
                    Some(arrow_cast::cast(array, &DataType::Utf8).map_err(|e| {
                        DataError::Write {
                            path: output.to_path_buf(),
                            message: format!("column `{name}` cannot be read as text: {e}"),
                        }
                    })?)
                }
                None if matches!(field.data_type(), DataType::Utf8) => Some(array.clone()),
                None => None,
            };
            let Some(text) = text else {
                columns.push(array.clone());
                continue;
            };
            let strings = text.as_string::<i32>();
            let err = |row: usize, source| DataError::Transform {
                path: input.to_path_buf(),
                row: batch.first_row + row as u64,
                column: name.clone(),
                source,
            };
            let results: Vec<Result<CellOut, DataError>> = (0..strings.len())
                .into_par_iter()
                .map(|i| {
                    if strings.is_null(i) {
                        return Ok((None, Vec::new()));
                    }
                    let value = strings.value(i);
                    match rule {
                        Some(ColumnRule::Action(action)) => {
                            let entity = classify::name_hint(name);
                            let out = transformer
                                .apply(action, entity, value)
                                .map_err(|e| err(i, e))?;
                            Ok((Some(out), entity.into_iter().collect()))
                        }
                        _ => {
                            let findings = classify::scan_with_context(&scanner, name, value);
                            if findings.is_empty() {
                                return Ok((Some(value.to_string()), Vec::new()));
                            }
                            let out = transformer
                                .scrub_text(value, &findings, |e| policy.action_for(e))
                                .map_err(|e| err(i, e))?;
                            Ok((Some(out), findings.iter().map(|f| f.entity).collect()))
                        }
                    }
                })
                .collect();
            let mut values: Vec<Option<String>> = Vec::with_capacity(results.len());
            for (i, r) in results.into_iter().enumerate() {
                let (v, entities) = r?;
                if v.as_deref() != (!strings.is_null(i)).then(|| strings.value(i)) {
                    summary.cells_changed += 1;
                }
                for e in entities {
                    *summary.transformed.entry(e).or_default() += 1;
                }
                values.push(v);
            }
            columns.push(Arc::new(StringArray::from(values)) as ArrayRef);
        }
        let out =
            RecordBatch::try_new(out_schema.clone(), columns).map_err(|e| DataError::Write {
                path: output.to_path_buf(),
                message: e.to_string(),
            })?;
        summary.rows += out.num_rows() as u64;
        writer.write(&out)
    });
    match result {
        Ok(_) => {
            writer.finish()?;
            Ok(summary)
        }
        Err(e) => {
            writer.abandon();
            Err(e)
        }
    }
}

/// A scrubbed cell and the entities transformed in it.
type CellOut = (Option<String>, Vec<Entity>);

fn no_column(path: &Path, column: &str, schema: &Schema) -> DataError {
    DataError::NoColumn {
        path: path.to_path_buf(),
        column: column.to_string(),
        available: schema
            .fields()
            .iter()
            .map(|f| f.name().as_str())
            .collect::<Vec<_>>()
            .join(", "),
    }
}

fn scrub_schema(schema: &SchemaRef, policy: &Policy) -> SchemaRef {
    Arc::new(Schema::new(
        schema
            .fields()
            .iter()
            .map(|f| {
                if policy.columns.contains_key(f.name()) || matches!(f.data_type(), DataType::Utf8)
                {
                    Field::new(f.name(), DataType::Utf8, true)
                } else {
                    f.as_ref().clone()
                }
            })
            .collect::<Vec<Field>>(),
    ))
}

/// A dataset writer that writes to `<output>.tmp-<pid>` and renames on finish.
enum Sink {
    Csv(BufWriter<File>),
    Jsonl(arrow_json::LineDelimitedWriter<BufWriter<File>>),
    Parquet(Box<parquet::arrow::ArrowWriter<File>>),
}

struct OutWriter {
    sink: Option<Sink>,
    tmp: PathBuf,
    path: PathBuf,
}

impl OutWriter {
    fn create(path: &Path, format: Format, schema: SchemaRef) -> Result<Self, DataError> {
        let werr = |message: String| DataError::Write {
            path: path.to_path_buf(),
            message,
        };
        let file_name = path
            .file_name()
            .ok_or_else(|| werr("output path has no file name".into()))?;
        let tmp = path.with_file_name(format!(
            ".{}.tmp-{}",
            file_name.to_string_lossy(),
            std::process::id()
        ));
        let file = File::create(&tmp).map_err(|e| werr(e.to_string()))?;
        let sink = match format {
            Format::Csv => {
                let mut w = BufWriter::new(file);
                let header: Vec<String> = schema
                    .fields()
                    .iter()
                    .map(|f| csv_field(f.name()))
                    .collect();
                writeln!(w, "{}", header.join(",")).map_err(|e| werr(e.to_string()))?;
                Sink::Csv(w)
            }
            Format::JsonLines => {
                Sink::Jsonl(arrow_json::LineDelimitedWriter::new(BufWriter::new(file)))
            }
            Format::Parquet | Format::ArrowIpc => Sink::Parquet(Box::new(
                parquet::arrow::ArrowWriter::try_new(file, schema, None)
                    .map_err(|e| werr(e.to_string()))?,
            )),
        };
        Ok(OutWriter {
            sink: Some(sink),
            tmp,
            path: path.to_path_buf(),
        })
    }

    fn write(&mut self, batch: &RecordBatch) -> Result<(), DataError> {
        let werr = |message: String| DataError::Write {
            path: self.path.clone(),
            message,
        };
        match self.sink.as_mut() {
            Some(Sink::Csv(w)) => write_csv(w, batch).map_err(werr),
            Some(Sink::Jsonl(w)) => w.write(batch).map_err(|e| werr(e.to_string())),
            Some(Sink::Parquet(w)) => w.write(batch).map_err(|e| werr(e.to_string())),
            None => Err(werr("writer already closed".into())),
        }
    }

    fn finish(mut self) -> Result<(), DataError> {
        let werr = |message: String| DataError::Write {
            path: self.path.clone(),
            message,
        };
        let done = match self.sink.take() {
            Some(Sink::Csv(mut w)) => w
                .flush()
                .map_err(|e| e.to_string())
                .and_then(|()| w.into_inner().map_err(|e| e.to_string()))
                .and_then(|f| f.sync_all().map_err(|e| e.to_string())),
            Some(Sink::Jsonl(mut w)) => w.finish().map_err(|e| e.to_string()).and_then(|()| {
                let mut inner = w.into_inner();
                inner.flush().map_err(|e| e.to_string())
            }),
            Some(Sink::Parquet(w)) => w.close().map(|_| ()).map_err(|e| e.to_string()),
            None => Ok(()),
        };
        if let Err(m) = done {
            let _ = std::fs::remove_file(&self.tmp);
            return Err(werr(m));
        }
        std::fs::rename(&self.tmp, &self.path).map_err(|e| {
            let _ = std::fs::remove_file(&self.tmp);
            werr(e.to_string())
        })
    }

    fn abandon(mut self) {
        self.sink = None;
        let _ = std::fs::remove_file(&self.tmp);
    }
}

impl Drop for OutWriter {
    fn drop(&mut self) {
        if self.sink.is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) || s.starts_with(' ') || s.ends_with(' ') {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn write_csv(w: &mut BufWriter<File>, batch: &RecordBatch) -> Result<(), String> {
    let opts = arrow_cast::display::FormatOptions::default();
    let formatters: Vec<_> = batch
        .columns()
        .iter()
        .map(|c| arrow_cast::display::ArrayFormatter::try_new(c.as_ref(), &opts))
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    let mut line = String::new();
    for row in 0..batch.num_rows() {
        line.clear();
        for (ci, f) in formatters.iter().enumerate() {
            if ci > 0 {
                line.push(',');
            }
            if batch.column(ci).is_valid(row) {
                line.push_str(&csv_field(&f.value(row).to_string()));
            }
        }
        line.push('\n');
        w.write_all(line.as_bytes()).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Reads quasi-identifier (and optional sensitive) columns into a [`KAnonymity`].
pub fn check_k(
    path: &Path,
    quasi: &[String],
    sensitive: Option<&str>,
    read: &ReadOptions,
) -> Result<KAnonymity, DataError> {
    let ds = Dataset::open(path, read)?;
    let schema = ds.schema().clone();
    let index = |name: &str| {
        schema
            .index_of(name)
            .map_err(|_| no_column(path, name, &schema))
    };
    let qi: Vec<usize> = quasi.iter().map(|q| index(q)).collect::<Result<_, _>>()?;
    let si = sensitive.map(index).transpose()?;
    let mut k = KAnonymity::new(quasi.to_vec(), si.is_some());
    ds.scan(|batch| -> Result<(), DataError> {
        let as_text = |ci: usize| -> Result<ArrayRef, DataError> {
            arrow_cast::cast(batch.data.column(ci), &DataType::Utf8).map_err(|e| DataError::Write {
                path: path.to_path_buf(),
                message: format!("column {ci} cannot be read as text: {e}"),
            })
        };
        let cols: Vec<ArrayRef> = qi.iter().map(|&c| as_text(c)).collect::<Result<_, _>>()?;
        let sens = si.map(as_text).transpose()?;
        for row in 0..batch.num_rows() {
            let values = cols
                .iter()
                .map(|c| {
                    let s = c.as_string::<i32>();
                    s.is_valid(row).then(|| s.value(row).to_string())
                })
                .collect();
            let sv = sens.as_ref().and_then(|c| {
                let s = c.as_string::<i32>();
                s.is_valid(row).then(|| s.value(row).to_string())
            });
            k.add(batch.first_row + row as u64, values, sv);
        }
        Ok(())
    })?;
    Ok(k)
}

/// Reverses tokenisation in `column`, calling `visit(row, value)` for every
/// non-null cell (tokens revealed, other values as they are). A token that does
/// not authenticate under the key is an error naming its row.
pub fn reveal_column(
    path: &Path,
    column: &str,
    transformer: &Transformer,
    read: &ReadOptions,
    mut visit: impl FnMut(u64, &str, bool),
) -> Result<u64, DataError> {
    let ds = Dataset::open(path, read)?;
    let schema = ds.schema().clone();
    let ci = schema
        .index_of(column)
        .map_err(|_| no_column(path, column, &schema))?;
    let mut revealed = 0u64;
    ds.scan(|batch| -> Result<(), DataError> {
        let text = arrow_cast::cast(batch.data.column(ci), &DataType::Utf8).map_err(|e| {
            DataError::Write {
                path: path.to_path_buf(),
                message: e.to_string(),
            }
        })?;
        let s = text.as_string::<i32>();
        for i in 0..s.len() {
            if s.is_null(i) {
                continue;
            }
            let row = batch.first_row + i as u64;
            let v = s.value(i);
            if v.starts_with(TOKEN_PREFIX) {
                let plain = transformer
                    .reveal(v)
                    .map_err(|source| DataError::Transform {
                        path: path.to_path_buf(),
                        row,
                        column: column.to_string(),
                        source,
                    })?;
                revealed += 1;
                visit(row, &plain, true);
            } else {
                visit(row, v, false);
            }
        }
        Ok(())
    })?;
    Ok(revealed)
}

/// The action a policy applies to a whole column, if any (for reports).
pub fn column_action(policy: &Policy, column: &str) -> Option<Action> {
    match policy.columns.get(column) {
        Some(ColumnRule::Action(a)) => Some(*a),
        _ => None,
    }
}

/// What [`erase_rows`] did to one file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EraseOutcome {
    /// Rows in the file before.
    pub rows_before: u64,
    /// Rows removed.
    pub removed: u64,
    /// 0-based rows removed (at most the first 1000).
    pub removed_rows: Vec<u64>,
}

/// Rewrites `path` without the rows whose `column` value satisfies `matches`,
/// through a temporary file and a rename. The file keeps its format (CSV, JSON
/// Lines or Parquet; compressed and Arrow IPC files are refused). When nothing
/// matches the file is not touched. With `dry_run` nothing is written.
pub fn erase_rows(
    path: &Path,
    column: &str,
    matches: &(dyn Fn(&str) -> bool + Sync),
    read: &ReadOptions,
    dry_run: bool,
) -> Result<EraseOutcome, DataError> {
    let ds = Dataset::open(path, read)?;
    let schema = ds.schema().clone();
    let ci = schema
        .index_of(column)
        .map_err(|_| no_column(path, column, &schema))?;
    let writable_format = matches!(
        ds.format(),
        Format::Csv | Format::JsonLines | Format::Parquet
    ) && ds.compression() == datagate_dataset::Compression::None;
    let mut out = EraseOutcome {
        rows_before: 0,
        removed: 0,
        removed_rows: Vec::new(),
    };
    // First pass: find the rows (cheap, no writing) so untouched files stay untouched.
    ds.scan(|batch| -> Result<(), DataError> {
        out.rows_before += batch.num_rows() as u64;
        let text = arrow_cast::cast(batch.data.column(ci), &DataType::Utf8).map_err(|e| {
            DataError::Write {
                path: path.to_path_buf(),
                message: e.to_string(),
            }
        })?;
        let s = text.as_string::<i32>();
        for i in 0..s.len() {
            if s.is_valid(i) && matches(s.value(i)) {
                out.removed += 1;
                if out.removed_rows.len() < 1000 {
                    out.removed_rows.push(batch.first_row + i as u64);
                }
            }
        }
        Ok(())
    })?;
    if out.removed == 0 || dry_run {
        return Ok(out);
    }
    if !writable_format {
        return Err(DataError::Write {
            path: path.to_path_buf(),
            message: format!(
                "cannot rewrite a {} file{} in place",
                ds.format().name(),
                if ds.compression() == datagate_dataset::Compression::None {
                    ""
                } else {
                    " (compressed)"
                }
            ),
        });
    }
    let mut writer = OutWriter::create(path, ds.format(), schema.clone())?;
    let result = ds.scan(|batch| -> Result<(), DataError> {
        let text = arrow_cast::cast(batch.data.column(ci), &DataType::Utf8).map_err(|e| {
            DataError::Write {
                path: path.to_path_buf(),
                message: e.to_string(),
            }
        })?;
        let s = text.as_string::<i32>();
        let keep: arrow_array::BooleanArray = (0..s.len())
            .map(|i| Some(!(s.is_valid(i) && matches(s.value(i)))))
            .collect();
        let kept = arrow_select::filter::filter_record_batch(&batch.data, &keep).map_err(|e| {
            DataError::Write {
                path: path.to_path_buf(),
                message: e.to_string(),
            }
        })?;
        writer.write(&kept)
    });
    match result {
        Ok(_) => {
            writer.finish()?;
            Ok(out)
        }
        Err(e) => {
            writer.abandon();
            Err(e)
        }
    }
}

/// SHA-256 of a file, hex.
pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    use sha2::{Digest, Sha256};
    use std::io::Read;
    let mut f = File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex::encode(h.finalize()))
}
