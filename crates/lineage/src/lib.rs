//! Lineage for datagate: where a dataset version or a model came from, and where a
//! drop or a source went.
//!
//! Every step of the gate is already an entry in the project's tamper-evident ledger
//! (`datagate-ledger`): `gate.source_add`, `gate.ingest`, `gate.review`, `gate.label_audit`,
//! `gate.approve`, `gate.reject`, `gate.promote`, `gate.rollback`, `gate.expire`, PII erasures
//! (`erasure` / `pii.erase`) and model registrations (`lineage.link`, written by [`link`]).
//! This crate keeps **no state of its own**: [`graph::Graph`] is rebuilt from the ledger on
//! every query, so lineage can never disagree with the log, and a verified log
//! (`datagate log verify`) is verified lineage.
//!
//! ```text
//! ledger entries ──► graph.rs: nodes (source, drop, report, approval, version, model, file)
//!                    edges (ingest, review, label-audit, approve, reject, promote, trained-on,
//!                           erasure, same-content), each with its seq, time, actor and digests
//!                ──► Graph::walk(roots, upstream | downstream | both) ──► Lineage
//!                ──► render (text / JSON) │ openlineage.rs (run events) │ intoto.rs (SLSA v1)
//! model dir ──► link.rs: modelscan ──► fingerprint (OMS root + sha256 manifest)
//!                ──► trained-on versions checked in the graph ──► `lineage.link` entry
//! ```
//!
//! Blind spots: lineage is only as complete as the ledger. Training that happened without
//! `datagate lineage link` is invisible, and the link records what the caller *says* the model
//! was trained on (the model's bytes cannot prove it). Entries of unknown actions are ignored.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod graph;
pub mod intoto;
pub mod link;
pub mod openlineage;
pub mod render;

pub use graph::{Direction, Edge, EdgeKind, Graph, Lineage, Node, NodeKind};

/// Errors from building, querying or exporting lineage.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The ledger could not be opened or read.
    #[error(transparent)]
    Ledger(#[from] datagate_ledger::LedgerError),
    /// A ledger entry could not be parsed (the log is damaged: run `datagate log verify`).
    #[error("ledger entry {seq}: {message} (run `datagate log verify`)")]
    BadEntry {
        /// The entry's sequence number.
        seq: u64,
        /// What was wrong.
        message: String,
    },
    /// A name matched nothing in the lineage graph.
    #[error("{0}")]
    NotFound(String),
    /// A request that cannot be answered as asked (e.g. in-toto for a drop).
    #[error("{0}")]
    Usage(String),
    /// Registering a model was refused (unknown dataset version, symlinks, ...).
    #[error("{0}")]
    Refused(String),
    /// Registering a model was refused because its scan verdict is not `safe`.
    #[error("{0}")]
    UnsafeModel(String),
    /// Fingerprinting the model failed.
    #[error(transparent)]
    Integrity(#[from] datagate_integrity::Error),
    /// Scanning the model could not start.
    #[error(transparent)]
    Scan(#[from] datagate_modelscan::Error),
    /// JSON serialisation failed.
    #[error(transparent)]
    Json(#[from] serde_json::Error),
}

/// Short alias for results in this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The `producer` URI of everything this crate exports (OpenLineage events, in-toto builders).
pub const PRODUCER: &str = concat!("https://datagate.dev/datagate/v", env!("CARGO_PKG_VERSION"));
