//! Static scanner for malicious payloads in model artifacts.
//!
//! `datagate-modelscan` reads pickle (protocols 0-5), PyTorch (zip, legacy and tar), joblib
//! (raw and compressed), NumPy `.npy`/`.npz`, Keras `.keras`/`.h5`, ONNX, safetensors and GGUF
//! files, and zip/tar archives of them, and reports what loading them would do. **Nothing is
//! ever unpickled, imported, evaluated or executed**: pickles are walked by a small stack machine
//! ([`pickle`]) that resolves which callables a load would import, and every import is judged
//! by an allow-list first ([`policy`]): known-dangerous is *malicious*, not-known-safe is
//! *suspicious*, so a deny-list gap can never make a file look safe.
//!
//! Key design decisions:
//! - Every parser reads untrusted bytes through [`blob`]: declared lengths are checked against
//!   what remains before anything is allocated, tensor payloads are skipped by seeking (a 500 MB
//!   checkpoint costs a few reads), recursion and archive depth are bounded.
//! - Routing is by content (magic bytes), not by file extension, inside archives too.
//! - One file per rule under [`rules`], each carrying its documentation; findings carry the rule,
//!   severity, import, location (archive member chain + byte offset) and why it matters.
//! - A file that cannot be fully parsed gets the `error` verdict unless something malicious was
//!   already found: the scanner fails closed.
//!
//! ```no_run
//! let reports = datagate_modelscan::scan_paths(&["model.pt".into()], &Default::default()).unwrap();
//! assert!(reports.iter().all(|r| r.verdict == datagate_modelscan::Verdict::Safe));
//! ```

#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod blob;
mod formats;
pub mod pickle;
pub mod policy;
pub mod render;
pub mod report;
pub mod rules;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

pub use report::{FileReport, Finding, Location, Severity, Verdict};

/// Scanner limits.
#[derive(Debug, Clone)]
pub struct Options {
    /// How many archive levels to descend (zip in zip in tar ...).
    pub max_archive_depth: usize,
    /// Largest compressed member inflated into memory to be parsed (random access needed).
    pub max_inflate: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_archive_depth: 8,
            max_inflate: 256 << 20,
        }
    }
}

/// Errors before scanning starts (a path that does not exist). Problems inside files are findings.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A path given on the command line could not be read.
    #[error("cannot read {path}")]
    Io {
        /// The path.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
}

/// Scan one file (any supported format, detected from its content and name).
pub fn scan_file(path: &Path, opts: &Options) -> FileReport {
    let shown = path.display().to_string();
    match std::fs::File::open(path) {
        Ok(f) => {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let (format, findings) = formats::scan_root(&f, &name, opts);
            FileReport::new(shown, format, findings)
        }
        Err(e) => {
            let f = Finding::new(
                &rules::malformed::RULE,
                format!("cannot open: {e}"),
                Location::default(),
            );
            FileReport::new(shown, "unreadable".into(), vec![f])
        }
    }
}

/// Scan bytes already in memory; `name` (a file name) helps detect extension-only formats.
pub fn scan_bytes(name: &str, bytes: &[u8], opts: &Options) -> FileReport {
    let (format, findings) = formats::scan_root(&bytes, name, opts);
    FileReport::new(name.to_owned(), format, findings)
}

/// A single parser, for fuzzing and tests ([`scan_bytes_with`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parser {
    /// The pickle walker (all pickles in the bytes, with resynchronisation).
    Pickle,
    /// The safetensors header checks.
    Safetensors,
    /// The `.npy` header (and an object array's pickle).
    Npy,
    /// The GGUF header and metadata.
    Gguf,
    /// The zip layer (and everything inside).
    Zip,
    /// The tar layer (and everything inside).
    Tar,
    /// The ONNX protobuf walker.
    Onnx,
    /// The HDF5 byte-level config search.
    Hdf5,
    /// A Keras `config.json`.
    KerasConfig,
}

/// Run one parser directly on `bytes`, bypassing format detection; returns its findings.
pub fn scan_bytes_with(parser: Parser, bytes: &[u8], opts: &Options) -> Vec<Finding> {
    formats::scan_with(parser, &bytes, opts)
}

/// Expand directories (recursively, not following symlinks) into the files worth scanning:
/// known model extensions, or any file whose first bytes are a known format's magic.
/// Files named directly are always scanned.
pub fn collect_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Error> {
    let mut out = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|e| Error::Io {
            path: p.display().to_string(),
            source: e,
        })?;
        if meta.is_dir() {
            walk_dir(p, &mut out).map_err(|e| Error::Io {
                path: p.display().to_string(),
                source: e,
            })?;
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

fn walk_dir(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let ft = e.file_type()?;
        let p = e.path();
        if ft.is_dir() {
            walk_dir(&p, out)?;
        } else if ft.is_file() && formats::worth_scanning(&p) {
            out.push(p);
        }
    }
    Ok(())
}

/// Scan files and directories in parallel (one rayon task per file); reports in input order.
pub fn scan_paths(paths: &[PathBuf], opts: &Options) -> Result<Vec<FileReport>, Error> {
    let files = collect_files(paths)?;
    Ok(files.par_iter().map(|p| scan_file(p, opts)).collect())
}
