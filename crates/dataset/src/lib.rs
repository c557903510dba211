//! Datasets for datagate: find out what a file is, and stream its rows as Arrow batches.
//!
//! Every check in datagate reads data through this crate. [`Dataset::open`] detects the
//! format (CSV/TSV, Parquet, JSON Lines, Arrow IPC) from magic bytes and the file name,
//! unwraps gzip or zstd, and learns the schema (inferring CSV types the way pandas'
//! `read_csv` does, so that verdicts match Great Expectations on pandas). [`Dataset::scan`]
//! then streams every row, in file order, as [`Batch`]es that carry their 0-based file
//! row number.
//!
//! Key design decisions:
//! - **Bounded memory, all cores.** A reader thread cuts the file into chunks (CSV/JSONL:
//!   record-aligned byte ranges; Parquet: row groups); the rayon pool decodes a few at a
//!   time; the caller sees batches in order. Memory is bounded by chunks in flight, never
//!   by file size.
//! - **One bad cell never aborts a batch.** A CSV value that does not parse as its
//!   column's type becomes a null listed in [`Batch::invalid`], which checks count as an
//!   unexpected value. Structural problems (ragged rows, invalid UTF-8, truncated files)
//!   are errors naming the file, row and byte offset.
//! - **Few types.** Columns are normalised to `Int64`, `Float64`, `Utf8` and `Boolean`
//!   (others kept as they are), see [`normalize`].
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod batch;
pub mod csv;
mod dataset;
pub mod error;
pub mod format;
pub mod jsonl;
pub mod normalize;
pub mod options;
pub mod parquet;
pub mod write;

pub use batch::{Batch, InvalidCell};
pub use dataset::{Dataset, ScanSummary};
pub use error::{DatasetError, Location};
pub use format::{Compression, Format};
pub use options::{ColumnType, ReadOptions};
