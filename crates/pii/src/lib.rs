//! Personal data and secrets: detect, classify, transform, and measure
//! re-identification risk.
//!
//! This crate is datagate's answer to Presidio, built for throughput:
//!
//! - [`Scanner`] finds PII and secrets in text. Every detector (one file each
//!   under [`detectors`], with its documentation, patterns and validation) adds
//!   its patterns to **one** multi-pattern automaton (`regex-automata`'s
//!   `meta::Regex` built from many patterns), so a text is searched once, not once
//!   per detector. Candidates are then validated (Luhn and IIN ranges, IBAN
//!   mod-97, SSN area rules, `std::net` parsing, libphonenumber metadata, JWT
//!   header decoding, entropy) and scored; context words nearby raise or lower
//!   the score as in Presidio. Findings carry character offsets.
//! - [`classify`] decides what a whole column holds from its name and a sample
//!   of values, so a column of a million e-mails is one finding with a share.
//! - [`transform`] redacts, masks, hashes, pseudonymises (HMAC-SHA256) and
//!   tokenises reversibly (AES-SIV, deterministic so joins still work) under a
//!   [`keys::KeyFile`]; [`policy`] reads the per-type / per-column choices.
//! - [`kanon`] measures k-anonymity, l-diversity and uniqueness over
//!   quasi-identifiers.
//!
//! The key design decision is *one pass, then validate*: regexes only propose
//! candidates, and nothing is reported that a checksum or parser can refute.
//! That is what keeps precision high without an NLP model.

#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod classify;
pub mod data;
pub mod detectors;
mod entity;
pub mod kanon;
pub mod keys;
pub mod policy;
pub mod report;
mod scan;
pub mod transform;

pub use entity::{Entity, UnknownEntity};
pub use scan::{Finding, ScanError, ScanOptions, Scanner};
