//! datagate's tamper-evident ledger.
#![deny(missing_docs)]
#![forbid(unsafe_code)]
pub mod merkle;
