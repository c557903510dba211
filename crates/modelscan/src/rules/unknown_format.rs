//! GEN002 `unknown-format` (info): the file is not a model format the scanner recognises, so it was not scanned.
//!
//! Notes files given on the command line whose format is not recognised. Directory walks skip them.

use super::Rule;
use crate::report::Severity;

/// The rule's metadata; its documentation is this file's `//!` page.
pub static RULE: Rule = Rule {
    code: "GEN002",
    name: "unknown-format",
    severity: Severity::Info,
    why: "the file is not a model format the scanner recognises, so it was not scanned",
    source: include_str!("unknown_format.rs"),
};
