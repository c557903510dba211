//! The crate's one error type.

use std::path::PathBuf;

/// Everything that can go wrong while fingerprinting, signing or verifying.
///
/// Each variant names the file (or the field) it is about, so the CLI can print it as is.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or directory could not be read.
    #[error("cannot read {}: {error}", path.display())]
    Read {
        /// The path that failed.
        path: PathBuf,
        /// The operating system's reason (kept out of the error chain: it is in the message).
        error: std::io::Error,
    },
    /// A file could not be written (or renamed into place).
    #[error("cannot write {}: {error}", path.display())]
    Write {
        /// The path that failed.
        path: PathBuf,
        /// The operating system's reason (kept out of the error chain: it is in the message).
        error: std::io::Error,
    },
    /// A path inside a manifest or bundle tries to leave its root, or is otherwise unsafe.
    #[error("refusing unsafe path {path:?}: {reason}")]
    UnsafePath {
        /// The path as written in the document.
        path: String,
        /// Why it is refused.
        reason: &'static str,
    },
    /// A JSON document (manifest, envelope, bundle) is not valid JSON or has the wrong shape.
    #[error("{what} is not valid: {message}")]
    Format {
        /// What was being read (for example "manifest data.manifest.json").
        what: String,
        /// What was wrong, including the JSON line and column where known.
        message: String,
    },
    /// A key file could not be parsed or used.
    #[error("key {what}: {message}")]
    Key {
        /// The key file (or "private key" / "public key" when no file is involved).
        what: String,
        /// What was wrong.
        message: String,
    },
    /// A signature did not verify.
    #[error("signature verification failed: {0}")]
    BadSignature(String),
    /// Anything else the caller asked for that cannot be done (for example an unsupported option
    /// recorded in a bundle).
    #[error("{0}")]
    Unsupported(String),
}

impl Error {
    pub(crate) fn read(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Read {
            path: path.into(),
            error: source,
        }
    }

    pub(crate) fn write(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Write {
            path: path.into(),
            error: source,
        }
    }

    pub(crate) fn format(what: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Format {
            what: what.into(),
            message: message.into(),
        }
    }

    pub(crate) fn key(what: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Key {
            what: what.into(),
            message: message.into(),
        }
    }
}

/// Shorthand for this crate's results.
pub type Result<T, E = Error> = std::result::Result<T, E>;
