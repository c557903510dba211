//! Errors of the red-team helpers.

/// What went wrong while injecting or scoring.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading or writing a dataset failed.
    #[error(transparent)]
    Dataset(#[from] datagate_dataset::DatasetError),
    /// An attack specification is malformed (`kind:key=value,...`).
    #[error("attack {spec:?}: {message}")]
    Spec {
        /// The specification as given.
        spec: String,
        /// What is wrong and what was expected.
        message: String,
    },
    /// The data does not allow the attack (missing column, one class, too few rows...).
    #[error("{0}")]
    Data(String),
    /// A ground-truth or report file could not be read or parsed.
    #[error("{path}: {message}")]
    File {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
}

/// Shorthand for results in this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
