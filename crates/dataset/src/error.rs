//! Errors raised while opening or reading a dataset.
//!
//! Every error names the file, and where it applies the 0-based data row and
//! the byte offset, so that a user can find the problem with a text editor.

use std::path::PathBuf;

/// A failure to open, detect or decode a dataset.
#[derive(Debug, thiserror::Error)]
pub enum DatasetError {
    /// The file could not be opened or read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The path names something that is not a regular file.
    #[error("{path}: is a directory, expected a data file")]
    IsDirectory {
        /// The path.
        path: PathBuf,
    },
    /// The file is empty (no header, no rows).
    #[error("{path}: the file is empty, expected a header row or data")]
    Empty {
        /// The file.
        path: PathBuf,
    },
    /// The content is malformed at a known place.
    #[error("{path}: {location}: {message}")]
    Malformed {
        /// The file.
        path: PathBuf,
        /// Where the problem is (row and/or byte offset).
        location: Location,
        /// What was found and what was expected.
        message: String,
    },
    /// The format-level decoder failed (Parquet footer, IPC header, ...).
    #[error("{path}: {message}")]
    Format {
        /// The file.
        path: PathBuf,
        /// The decoder's explanation.
        message: String,
    },
    /// The caller's options are inconsistent with the data (unknown override column, ...).
    #[error("{path}: {message}")]
    Options {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// Where in a file something happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    /// 0-based data row (header excluded), when known.
    pub row: Option<u64>,
    /// Byte offset in the (decompressed) stream, when known.
    pub byte: Option<u64>,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.row, self.byte) {
            (Some(r), Some(b)) => write!(f, "row {r} (byte {b})"),
            (Some(r), None) => write!(f, "row {r}"),
            (None, Some(b)) => write!(f, "byte {b}"),
            (None, None) => write!(f, "unknown position"),
        }
    }
}

/// Shorthand for results in this crate.
pub type Result<T, E = DatasetError> = std::result::Result<T, E>;
