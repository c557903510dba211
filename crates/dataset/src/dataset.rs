//! Opening a dataset and streaming it, in file order, with parallel decoding.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use rayon::prelude::*;

use crate::batch::{Batch, InvalidCell};
use crate::csv::{self, chunker::Chunker, decode::Decoder, CsvLayout};
use crate::error::{DatasetError, Location, Result};
use crate::format::{decompress, detect_compression, detect_format, Compression, Format};
use crate::normalize::{canonical_schema, normalize};
use crate::options::{ColumnType, ReadOptions};
use crate::{jsonl, parquet};

/// An opened dataset: its format, schema, and how to stream it.
pub struct Dataset {
    path: PathBuf,
    format: Format,
    compression: Compression,
    schema: SchemaRef,
    options: ReadOptions,
    layout: Layout,
    file_size: u64,
    bytes_read: Arc<AtomicU64>,
}

enum Layout {
    Csv(CsvLayout),
    Parquet(parquet::ParquetLayout),
    JsonLines(SchemaRef),
    Ipc,
}

/// The columns a scan decodes and the schema of its batches.
struct Plan {
    columns: Option<Vec<usize>>,
    schema: SchemaRef,
    /// Decoded text chunks' buffers go back to the chunker for reuse.
    recycle: std::sync::mpsc::Sender<Vec<u8>>,
}

/// What a full scan saw.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScanSummary {
    /// Data rows.
    pub rows: u64,
    /// Batches handed to the visitor.
    pub batches: u64,
}

/// A unit of work produced by the reader thread.
enum Unit {
    Text(csv::chunker::Chunk),
    /// Rows `[start, start + len)` of a Parquet row group.
    RowGroup(usize, u64, u64),
    Ready(RecordBatch),
}

/// A decoded unit: batches with invalid cells, and the number of rows.
struct Decoded {
    batches: Vec<(RecordBatch, Vec<InvalidCell>)>,
    rows: u64,
}

/// A reader that counts the bytes it reads, for progress bars.
struct Counting<R> {
    inner: R,
    counter: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.counter.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

impl Dataset {
    /// Opens `path`, detects its format and compression, and learns its schema.
    pub fn open(path: impl AsRef<Path>, options: &ReadOptions) -> Result<Self> {
        Self::open_as(path, None, options)
    }

    /// Like [`Dataset::open`], with the format forced when `format` is given.
    pub fn open_as(
        path: impl AsRef<Path>,
        format: Option<Format>,
        options: &ReadOptions,
    ) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        let io = |source| DatasetError::Io {
            path: path.clone(),
            source,
        };
        let meta = std::fs::metadata(&path).map_err(io)?;
        if meta.is_dir() {
            return Err(DatasetError::IsDirectory { path });
        }
        if meta.len() == 0 {
            return Err(DatasetError::Empty { path });
        }
        let mut head = [0u8; 8];
        let n = read_up_to(&mut File::open(&path).map_err(io)?, &mut head).map_err(io)?;
        let compression = detect_compression(&head[..n]);
        let mut inner_head = [0u8; 64];
        let inner_n = {
            let file = File::open(&path).map_err(io)?;
            let mut stream = decompress(file, compression).map_err(io)?;
            read_up_to(&mut stream, &mut inner_head).map_err(io)?
        };
        let format = format.unwrap_or_else(|| detect_format(&path, &inner_head[..inner_n]));
        if compression != Compression::None && matches!(format, Format::Parquet | Format::ArrowIpc)
        {
            return Err(DatasetError::Format {
                path,
                message: format!(
                    "a whole-file-compressed {} file is not supported; decompress it first",
                    format.name()
                ),
            });
        }
        let (layout, schema) = match format {
            Format::Csv => {
                let stream = decompress(File::open(&path).map_err(io)?, compression).map_err(io)?;
                let layout = csv::learn_layout(&path, BufReader::new(stream), options)?;
                let schema = layout.schema();
                (Layout::Csv(layout), schema)
            }
            Format::Parquet => {
                let layout = parquet::learn_layout(&path)?;
                let schema = canonical_schema(layout.metadata.schema());
                (Layout::Parquet(layout), schema)
            }
            Format::JsonLines => {
                let stream = decompress(File::open(&path).map_err(io)?, compression).map_err(io)?;
                let schema = jsonl::learn_schema(&path, stream, options.infer_rows)?;
                let canonical = canonical_schema(&schema);
                (Layout::JsonLines(schema), canonical)
            }
            Format::ArrowIpc => {
                let schema = ipc_reader(&path, Arc::new(AtomicU64::new(0)))?.0;
                (Layout::Ipc, canonical_schema(&schema))
            }
        };
        let schema = apply_overrides(&path, schema, format, options)?;
        Ok(Self {
            path,
            format,
            compression,
            schema,
            options: options.clone(),
            layout,
            file_size: meta.len(),
            bytes_read: Arc::new(AtomicU64::new(0)),
        })
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The detected (or forced) format.
    pub fn format(&self) -> Format {
        self.format
    }

    /// Whole-file compression.
    pub fn compression(&self) -> Compression {
        self.compression
    }

    /// The schema of the batches a scan yields (canonical types, see [`crate::normalize`]).
    pub fn schema(&self) -> &SchemaRef {
        &self.schema
    }

    /// Size of the file on disk, in bytes.
    pub fn file_size(&self) -> u64 {
        self.file_size
    }

    /// A counter of bytes read from disk so far by the current scan, for progress bars.
    pub fn progress_counter(&self) -> Arc<AtomicU64> {
        self.bytes_read.clone()
    }

    /// Row count from metadata, when the format stores it (Parquet).
    pub fn row_count_hint(&self) -> Option<u64> {
        match &self.layout {
            Layout::Parquet(p) => Some(p.row_group_rows.iter().sum()),
            _ => None,
        }
    }

    /// Streams every row to `visit` in file order, as batches of at most `batch_rows` rows.
    ///
    /// A reader thread reads (and decompresses) the file; chunks are decoded on the rayon
    /// pool, a few at a time, and handed to `visit` in order. Memory is bounded by the
    /// number of chunks in flight (twice the thread count) times the chunk size.
    pub fn scan<E: From<DatasetError>>(
        &self,
        visit: impl FnMut(Batch) -> std::result::Result<(), E>,
    ) -> std::result::Result<ScanSummary, E> {
        self.scan_columns(None, visit)
    }

    /// The schema of batches from [`Dataset::scan_columns`] with `columns`.
    pub fn projected_schema(&self, columns: Option<&[usize]>) -> SchemaRef {
        match columns {
            None => self.schema.clone(),
            Some(cols) => Arc::new(
                self.schema
                    .project(cols)
                    .unwrap_or_else(|_| self.schema.as_ref().clone()),
            ),
        }
    }

    /// Like [`Dataset::scan`], decoding only the columns at `columns` (indices into
    /// [`Dataset::schema`], in that order). Batches then hold just those columns, and
    /// [`InvalidCell::column`] indexes them. Parquet skips the other columns' pages
    /// entirely; CSV still splits every field but builds only these.
    pub fn scan_columns<E: From<DatasetError>>(
        &self,
        columns: Option<&[usize]>,
        mut visit: impl FnMut(Batch) -> std::result::Result<(), E>,
    ) -> std::result::Result<ScanSummary, E> {
        if let Some(cols) = columns {
            if let Some(bad) = cols.iter().find(|c| **c >= self.schema.fields().len()) {
                return Err(DatasetError::Options {
                    path: self.path.clone(),
                    message: format!("column index {bad} is out of range"),
                }
                .into());
            }
        }
        let (recycle, recycled) = std::sync::mpsc::channel();
        let plan = Plan {
            columns: columns.map(<[usize]>::to_vec),
            schema: self.projected_schema(columns),
            recycle,
        };
        let plan = &plan;
        self.bytes_read.store(0, Ordering::Relaxed);
        let threads = self.options.threads.max(1);
        let (tx, rx) = sync_channel::<Result<Unit>>(threads * 2);
        let decoder = match &self.layout {
            Layout::Csv(layout) => Some(Decoder {
                schema: plan.schema.clone(),
                types: layout.types.clone(),
                keep: plan.columns.clone(),
                nulls: csv::cell::NullTokens::new(&self.options.null_values),
                delimiter: layout.delimiter,
                batch_rows: self.options.batch_rows,
            }),
            _ => None,
        };
        let mut summary = ScanSummary::default();
        let (group_tx, group_rx) = sync_channel::<Vec<Result<Decoded>>>(0);
        let outcome: std::result::Result<(), E> = std::thread::scope(|scope| {
            let reader = scope.spawn(move || {
                if let Err(err) = self.produce(&tx, recycled) {
                    let _ = tx.send(Err(err));
                }
            });
            let decoder = scope.spawn(move || {
                self.decode_groups(&rx, &group_tx, threads, plan, decoder.as_ref());
            });
            let result = self.consume(&group_rx, &mut summary, &mut visit);
            drop(group_rx); // unblocks the decoder (and then the reader) if we stopped early
            let _ = decoder.join();
            let _ = reader.join();
            result
        });
        outcome.map(|()| summary)
    }

    /// Reader thread: turns the file into units of work.
    fn produce(&self, tx: &SyncSender<Result<Unit>>, recycle: Receiver<Vec<u8>>) -> Result<()> {
        let io = |source| DatasetError::Io {
            path: self.path.clone(),
            source,
        };
        let counted = || -> Result<Box<dyn Read + Send>> {
            let file = File::open(&self.path).map_err(io)?;
            let counting = Counting {
                inner: file,
                counter: self.bytes_read.clone(),
            };
            decompress(counting, self.compression).map_err(io)
        };
        let malformed = |e: std::io::Error, byte: u64| DatasetError::Malformed {
            path: self.path.clone(),
            location: Location {
                row: None,
                byte: Some(byte),
            },
            message: e.to_string(),
        };
        match &self.layout {
            Layout::Csv(layout) => {
                let (rest, stream, offset) =
                    csv::skip_header(&self.path, counted()?, layout, self.options.has_header)?;
                let mut chunker = Chunker::new(stream, rest, offset, self.options.chunk_bytes)
                    .with_recycling(recycle);
                while let Some(chunk) = chunker.next_chunk().map_err(|e| malformed(e, offset))? {
                    if tx.send(Ok(Unit::Text(chunk))).is_err() {
                        break;
                    }
                }
            }
            Layout::JsonLines(_) => {
                let mut chunker =
                    Chunker::lines(counted()?, self.options.chunk_bytes).with_recycling(recycle);
                while let Some(chunk) = chunker.next_chunk().map_err(|e| malformed(e, 0))? {
                    if tx.send(Ok(Unit::Text(chunk))).is_err() {
                        break;
                    }
                }
            }
            Layout::Parquet(layout) => {
                // Row groups are cut into slices of a few batches so that memory is bounded
                // by the slice, not by the writer's row-group size; pages outside a slice
                // are skipped, not decoded. Slices count as read when handed out.
                let slice = (self.options.batch_rows as u64 * 4).max(1);
                let total: u64 = layout.row_group_rows.iter().sum::<u64>().max(1);
                'groups: for (i, &rows) in layout.row_group_rows.iter().enumerate() {
                    let mut start = 0;
                    while start < rows {
                        let len = slice.min(rows - start);
                        if tx.send(Ok(Unit::RowGroup(i, start, len))).is_err() {
                            break 'groups;
                        }
                        self.bytes_read
                            .fetch_add(self.file_size * len / total, Ordering::Relaxed);
                        start += len;
                    }
                }
            }
            Layout::Ipc => {
                let (_, batches) = ipc_reader(&self.path, self.bytes_read.clone())?;
                for batch in batches {
                    let batch = batch.map_err(|e| DatasetError::Format {
                        path: self.path.clone(),
                        message: format!("Arrow IPC: {e}"),
                    })?;
                    if tx.send(Ok(Unit::Ready(batch))).is_err() {
                        break;
                    }
                }
            }
        }
        Ok(())
    }

    /// Driver: decodes units in parallel, a few at a time, and visits batches in order.
    /// Decoder thread: decodes units in parallel, a group of `threads` at a time, and
    /// sends each group on (in order) while the caller visits the previous one.
    fn decode_groups(
        &self,
        rx: &Receiver<Result<Unit>>,
        tx: &SyncSender<Vec<Result<Decoded>>>,
        threads: usize,
        plan: &Plan,
        decoder: Option<&Decoder>,
    ) {
        loop {
            let mut pending = Vec::with_capacity(threads);
            while pending.len() < threads {
                match rx.recv() {
                    Ok(unit) => pending.push(unit),
                    Err(_) => break,
                }
            }
            if pending.is_empty() {
                return;
            }
            let decoded: Vec<Result<Decoded>> = pending
                .into_par_iter()
                .map(|unit| unit.and_then(|unit| self.decode(unit, plan, decoder)))
                .collect();
            let failed = decoded.iter().any(|d| d.is_err());
            if tx.send(decoded).is_err() || failed {
                return;
            }
        }
    }

    /// Caller's thread: visits decoded batches in file order, numbering rows.
    fn consume<E: From<DatasetError>>(
        &self,
        rx: &Receiver<Vec<Result<Decoded>>>,
        summary: &mut ScanSummary,
        visit: &mut impl FnMut(Batch) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        for group in rx {
            for unit in group {
                let unit = unit.map_err(|e| self.absolute(e, summary.rows))?;
                let mut row = summary.rows;
                for (data, invalid) in unit.batches {
                    let n = data.num_rows() as u64;
                    visit(Batch {
                        first_row: row,
                        data,
                        invalid,
                    })?;
                    row += n;
                    summary.batches += 1;
                }
                summary.rows += unit.rows;
            }
        }
        Ok(())
    }

    /// An inconsistency inside datagate, reported as an error rather than a panic.
    fn internal(&self, what: &str) -> DatasetError {
        DatasetError::Format {
            path: self.path.clone(),
            message: format!("internal error: {what} (please report this bug)"),
        }
    }

    /// Errors from a worker carry rows relative to their chunk; make them absolute.
    fn absolute(&self, err: DatasetError, base: u64) -> DatasetError {
        match err {
            DatasetError::Malformed {
                path,
                location,
                message,
            } => DatasetError::Malformed {
                path,
                location: Location {
                    row: location.row.map(|r| r + base),
                    byte: location.byte,
                },
                message,
            },
            other => other,
        }
    }

    fn decode(&self, unit: Unit, plan: &Plan, decoder: Option<&Decoder>) -> Result<Decoded> {
        let project = |b: RecordBatch| -> Result<RecordBatch> {
            match &plan.columns {
                Some(cols) if b.num_columns() == self.schema.fields().len() => {
                    b.project(cols).map_err(|e| DatasetError::Format {
                        path: self.path.clone(),
                        message: e.to_string(),
                    })
                }
                _ => Ok(b),
            }
        };
        let normalize_all =
            |batches: Vec<RecordBatch>| -> Result<Vec<(RecordBatch, Vec<InvalidCell>)>> {
                batches
                    .into_iter()
                    .map(|b| {
                        let b = project(b)?;
                        normalize(&b, &plan.schema)
                            .map(|b| (b, Vec::new()))
                            .map_err(|e| DatasetError::Format {
                                path: self.path.clone(),
                                message: format!("cannot convert to the expected types: {e}"),
                            })
                    })
                    .collect()
            };
        match unit {
            Unit::Text(chunk) => match &self.layout {
                Layout::Csv(_) => {
                    let Some(decoder) = decoder else {
                        return Err(self.internal("a CSV chunk without a CSV decoder"));
                    };
                    let out =
                        decoder
                            .decode(&chunk.bytes)
                            .map_err(|e| DatasetError::Malformed {
                                path: self.path.clone(),
                                location: Location {
                                    row: Some(e.row),
                                    byte: Some(chunk.offset + e.byte),
                                },
                                message: e.message,
                            })?;
                    let _ = plan.recycle.send(chunk.bytes);
                    Ok(Decoded {
                        batches: out.batches,
                        rows: out.rows,
                    })
                }
                Layout::JsonLines(schema) => {
                    let (batches, rows) =
                        jsonl::decode_chunk(schema, &chunk.bytes, self.options.batch_rows)
                            .map_err(|bad| DatasetError::Malformed {
                                path: self.path.clone(),
                                location: jsonl::location(0, chunk.offset, &bad),
                                message: bad.2.clone(),
                            })?;
                    let _ = plan.recycle.send(chunk.bytes);
                    Ok(Decoded {
                        batches: normalize_all(batches)?,
                        rows,
                    })
                }
                _ => Err(self.internal("a text chunk from a binary format")),
            },
            Unit::RowGroup(index, start, len) => {
                let Layout::Parquet(layout) = &self.layout else {
                    return Err(self.internal("a row group outside a Parquet file"));
                };
                let batches = parquet::read_row_group(
                    &self.path,
                    layout,
                    index,
                    (start, len),
                    plan.columns.as_deref(),
                    self.options.batch_rows,
                )?;
                let rows = batches.iter().map(|b| b.num_rows() as u64).sum();
                Ok(Decoded {
                    batches: normalize_all(batches)?,
                    rows,
                })
            }
            Unit::Ready(batch) => {
                let rows = batch.num_rows() as u64;
                Ok(Decoded {
                    batches: normalize_all(vec![batch])?,
                    rows,
                })
            }
        }
    }
}

type IpcBatches =
    Box<dyn Iterator<Item = std::result::Result<RecordBatch, arrow_schema::ArrowError>> + Send>;

/// Opens an Arrow IPC file (random access) or stream.
fn ipc_reader(path: &Path, counter: Arc<AtomicU64>) -> Result<(SchemaRef, IpcBatches)> {
    let io = |source| DatasetError::Io {
        path: path.to_path_buf(),
        source,
    };
    let err = |e: arrow_schema::ArrowError| DatasetError::Format {
        path: path.to_path_buf(),
        message: format!("not a readable Arrow IPC file: {e}"),
    };
    let mut magic = [0u8; 6];
    let n = read_up_to(&mut File::open(path).map_err(io)?, &mut magic).map_err(io)?;
    let file = File::open(path).map_err(io)?;
    if &magic[..n] == b"ARROW1" {
        let size = file.metadata().map_err(io)?.len();
        let reader =
            arrow_ipc::reader::FileReader::try_new(BufReader::new(file), None).map_err(err)?;
        counter.fetch_add(size, Ordering::Relaxed);
        Ok((reader.schema(), Box::new(reader)))
    } else {
        let counting = Counting {
            inner: file,
            counter,
        };
        let reader = arrow_ipc::reader::StreamReader::try_new(BufReader::new(counting), None)
            .map_err(err)?;
        Ok((reader.schema(), Box::new(reader)))
    }
}

/// Applies `--type` overrides to typed formats by casting (CSV applies them while parsing).
fn apply_overrides(
    path: &Path,
    schema: SchemaRef,
    format: Format,
    options: &ReadOptions,
) -> Result<SchemaRef> {
    if format == Format::Csv || options.overrides.is_empty() {
        return Ok(schema);
    }
    let mut fields: Vec<arrow_schema::Field> =
        schema.fields().iter().map(|f| f.as_ref().clone()).collect();
    for (name, forced) in &options.overrides {
        let Some(field) = fields.iter_mut().find(|f| f.name() == name) else {
            return Err(DatasetError::Options {
                path: path.to_path_buf(),
                message: format!("--type names column {name:?}, which the file does not have"),
            });
        };
        *field = field.clone().with_data_type(ColumnType::data_type(*forced));
    }
    Ok(Arc::new(arrow_schema::Schema::new(fields)))
}

/// Reads until `buf` is full or the stream ends.
fn read_up_to(reader: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match reader.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}
