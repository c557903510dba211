//! Poisoning and label audit: the checks that ordinary data validation does not do.
//!
//! [`Table::load`] reads a dataset once into column vectors (numeric, categorical, text,
//! and the label as class codes), keeping each row's 0-based file row number. Each
//! detector in [`detectors`] is one file: it reads the table and returns [`Finding`]s,
//! each naming the rows, a score per row and a plain explanation, or says why it could
//! not run ([`Skipped`]). [`audit`] runs every detector and gathers a [`Report`]. The
//! thresholds are one [`Settings`] value, read from a policy table or `KEY=VALUE`
//! overrides and range-checked by [`settings`].
//!
//! Key design decisions:
//! - **In memory, columnar, bounded by the table.** Detectors need several passes and
//!   random access (cross-validation, nearest neighbours), so the table is held in memory
//!   as plain vectors (8 bytes per numeric cell); text is hashed into fixed-size feature
//!   spaces so vocabulary size never grows memory.
//! - **Row numbers, never indices.** Every row a finding names is the file row number,
//!   so it can be looked up in the original file.
//! - **Not enough data is a finding of its own kind.** A detector that cannot give a
//!   meaningful answer (one class, ten rows, no text column) returns [`Skipped`] with the
//!   reason instead of a score.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod detectors;
pub mod features;
pub mod finding;
pub mod knn;
pub mod model;
pub mod settings;
pub mod table;
pub mod util;

pub use detectors::{audit, Context, Detector, Settings, ALL};
pub use finding::{Finding, Report, Skipped};
pub use settings::SettingError;
pub use table::{AuditColumns, Table, TableError};
