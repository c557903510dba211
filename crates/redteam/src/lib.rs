//! Red-team helpers: poison a copy of a dataset on purpose, with a record of what was
//! done, and score an audit against that record.
//!
//! This is the seed's "trigger injection test" for the data pipeline: before trusting
//! `datagate audit` (or any defence) on real data, inject known attacks into a clean copy
//! and measure what the defence finds.
//!
//! - [`inject()`] reads a dataset (through `datagate-dataset`), applies [`attacks`] in
//!   order with a seeded generator ([`rng::Rng`]), writes the poisoned copy (CSV, TSV,
//!   Parquet or JSON Lines, atomically) and returns the [`GroundTruth`]: every attack
//!   with its parameters and the *output* file rows it poisoned.
//! - [`score()`] reads an audit report's JSON and a ground truth and gives precision,
//!   recall and F1 per attack, plus whether a trigger or pattern was named.
//!
//! Attacks are written `kind:key=value,...` ([`AttackSpec`]): `label-flip`,
//! `text-trigger`, `tabular-trigger`, `feature-shift`, `duplicates`; each module in
//! [`attacks`] documents its parameters. Each poisoned row belongs to exactly one attack.
//!
//! Blind spots: the dataset is held in memory ([`table`]); attacks edit integer, float,
//! text and boolean columns only; scores treat problems already present in the clean
//! source as false positives.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod attacks;
pub mod error;
pub mod inject;
pub mod rng;
pub mod score;
pub mod spec;
pub mod table;
pub mod truth;

pub use error::{Error, Result};
pub use inject::{inject, inject_table, write_truth, InjectOptions};
pub use score::{
    read_report, render_text, score, AttackScore, CaughtElsewhere, DetectorScore, Scores,
};
pub use spec::AttackSpec;
pub use table::Table;
pub use truth::{AttackTruth, GroundTruth, PatternCell};
