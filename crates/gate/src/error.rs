//! The crate's one error type.
//!
//! Every variant names what it is about (the policy field, the drop, the file), so the CLI
//! prints it as is. [`GateError::Refused`] is the one a user meets most: a transition the
//! workflow does not allow, with the step that is missing.

use std::path::PathBuf;

/// Everything that can go wrong in the gate.
#[derive(Debug, thiserror::Error)]
pub enum GateError {
    /// The policy in `datagate.toml` is invalid; `field` is its dotted path.
    #[error("datagate.toml: {field}: {message}")]
    Policy {
        /// Dotted path of the offending field, e.g. `tiers.untrusted.approvals.k`.
        field: String,
        /// What is wrong and what was expected.
        message: String,
    },
    /// The workflow refuses the transition (a step is missing, a digest changed, a key is
    /// not an approver...).
    #[error("{0}")]
    Refused(String),
    /// Evidence does not match its digest or signature (a quarantined file, a report or a
    /// stored object changed; a signature does not verify): the data or artifact failed an
    /// integrity check, which the CLI reports with exit code 1.
    #[error("{0}")]
    Tampered(String),
    /// A drop, dataset, version or source that does not exist, or an ambiguous id prefix.
    #[error("{0}")]
    NotFound(String),
    /// An I/O error on a named path.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A state, report or reference file is not what the gate wrote.
    #[error("{}: {message}", path.display())]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// A check could not run (unreadable data, a bad suite...).
    #[error("check {check}: {message}")]
    Check {
        /// The check's name.
        check: String,
        /// What went wrong.
        message: String,
    },
    /// The label-audit sheet is malformed.
    #[error("{}: {message}", path.display())]
    Sheet {
        /// The CSV file.
        path: PathBuf,
        /// Row/column and what was expected.
        message: String,
    },
    /// Finding or reading the project failed.
    #[error(transparent)]
    Project(#[from] datagate_project::ProjectError),
    /// The ledger failed.
    #[error(transparent)]
    Ledger(#[from] datagate_ledger::LedgerError),
    /// Hashing, keys or signatures failed.
    #[error(transparent)]
    Integrity(#[from] datagate_integrity::Error),
    /// Reading a dataset failed.
    #[error(transparent)]
    Dataset(#[from] datagate_dataset::DatasetError),
    /// JSON (de)serialisation failed.
    #[error("JSON: {0}")]
    Json(#[from] serde_json::Error),
}

/// Short alias for results in this crate.
pub type Result<T, E = GateError> = std::result::Result<T, E>;

/// Maps an I/O error to [`GateError::Io`] naming `path`.
pub(crate) fn io_err(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> GateError {
    let path = path.into();
    move |source| GateError::Io { path, source }
}

/// A policy error naming `field`.
pub(crate) fn policy_err(field: impl Into<String>, message: impl Into<String>) -> GateError {
    GateError::Policy {
        field: field.into(),
        message: message.into(),
    }
}
