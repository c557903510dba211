//! Mergeable column profiles: what a dataset looks like, in one streaming pass.
//!
//! For every column, one pass over Arrow batches computes: row, null, NaN and ±inf
//! counts; counts by value type; exact count/min/max/mean/variance (Welford, merged with
//! Chan's formula); a KLL quantile sketch; an HLL distinct-count sketch; frequent values
//! (Misra-Gries, exact up to 1024 distinct values); string length statistics; and, for
//! numeric columns with at most 1000 finite values, the values themselves. A fixed
//! 20-bin histogram between min and max is derived from the KLL sketch.
//!
//! **Key design decision: everything is mergeable.** Profiles of shards merge into the
//! profile of the whole ([`Profile::merge`]): counts, min, max, mean and variance exactly
//! (up to float rounding), sketches within their documented error (KLL rank error
//! ≈ 1.65 %, HLL ≈ 1.6 % RSE, Misra-Gries undercount ≤ n/1025), which
//! `tests/merge.rs` checks with proptest. Memory per column is bounded (sketch sizes are
//! fixed), so peak memory does not grow with the row count. The sketches are Apache
//! DataSketches' own ([`sketch`]), so their bytes interoperate with Java/C++/Python.
//!
//! **File format** (`datagate-profile`, version 1, JSON; see `docs` in [`profile`]):
//! `{"format": "datagate-profile", "version": 1, "created_by", "sources", "row_count",
//! "columns": [{"name", "kind", "count", "null_count", "nan_count", "inf_count",
//! "types", "numeric": {count,min,max,mean,m2,variance_pop,stddev_pop},
//! "quantiles": {k, normalized_rank_error, ranks: [[rank, value]...], sketch (base64
//! KLL)}, "distinct": {estimate, lower_95, upper_95, lg_k, sketch (base64 HLL)},
//! "frequent_numbers"/"frequent_strings": {capacity, total, max_error, items:
//! [[value, count]...]}, "histogram": {edges, counts}, "string_length":
//! {count,min,max,sum,mean}, "exact_values": [..] or null}]}`. Readers reject a
//! different `format`, a newer `version`, and inconsistent numbers with a clear error.

#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod column;
pub mod frequent;
pub mod html;
pub mod moments;
pub mod profile;
pub mod sketch;

pub use column::{ColumnKind, ColumnProfile, FreqKey};
pub use profile::Profile;

/// Errors reading, building or merging profiles.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// A sketch could not be decoded or merged.
    #[error("sketch: {0}")]
    Sketch(String),
    /// The JSON is malformed.
    #[error("profile JSON: {0}")]
    Json(String),
    /// The file is JSON but not a datagate profile.
    #[error("not a datagate profile (missing \"format\": \"datagate-profile\")")]
    NotAProfile,
    /// The file was written by a newer datagate.
    #[error("profile format version {found} is not supported (this datagate reads versions 1..={supported}); upgrade datagate")]
    UnsupportedVersion {
        /// Version in the file.
        found: u64,
        /// Newest version this build reads.
        supported: u32,
    },
    /// A column's numbers contradict each other.
    #[error("column `{column}`: {what}")]
    Invalid {
        /// Column name.
        column: String,
        /// What is wrong.
        what: String,
    },
    /// Two profiles disagree on a column's kind.
    #[error("column `{column}` is {left:?} in one profile and {right:?} in the other")]
    KindMismatch {
        /// Column name.
        column: String,
        /// Kind on the left.
        left: ColumnKind,
        /// Kind on the right.
        right: ColumnKind,
    },
    /// Batches do not match the profile's schema.
    #[error("schema mismatch: {0}")]
    SchemaMismatch(String),
    /// Reading or writing a file failed.
    #[error("{0}: {1}")]
    Io(String, #[source] std::io::Error),
    /// An error in a named file.
    #[error("{file}: {source}")]
    InFile {
        /// The file.
        file: String,
        /// The error.
        #[source]
        source: Box<ProfileError>,
    },
}

impl ProfileError {
    fn in_file(self, path: &std::path::Path) -> ProfileError {
        ProfileError::InFile {
            file: path.display().to_string(),
            source: Box::new(self),
        }
    }
}
