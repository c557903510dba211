//! GEN001 `malformed` (error): the file (or a member) could not be parsed, so it was not fully scanned.
//!
//! Reports truncated files, lengths pointing past the end, invalid opcodes or headers, bad UTF-8 in
//! names where text is required. Everything found before the error is still reported; the verdict is
//! `error` unless something malicious was found (fail closed).

use super::Rule;
use crate::report::Severity;

/// The rule's metadata; its documentation is this file's `//!` page.
pub static RULE: Rule = Rule {
    code: "GEN001",
    name: "malformed",
    severity: Severity::Error,
    why: "the file (or a member) could not be parsed, so it was not fully scanned",
    source: include_str!("malformed.rs"),
};
