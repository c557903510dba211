//! ARC007 `archive-unscannable-member` (suspicious): an archive member could not be scanned (encrypted, unsupported compression, too large to inflate).
//!
//! Flags members that are encrypted, use a compression method other than stored/deflate, or would
//! need to be inflated into memory beyond the scanner's limit (256 MiB) to be parsed.
//!
//! **Why is this bad?** Content that cannot be read cannot be vouched for.

use super::Rule;
use crate::report::Severity;

/// The rule's metadata; its documentation is this file's `//!` page.
pub static RULE: Rule = Rule {
    code: "ARC007",
    name: "archive-unscannable-member",
    severity: Severity::Suspicious,
    why: "an archive member could not be scanned (encrypted, unsupported compression, too large to inflate)",
    source: include_str!("archive_unscannable_member.rs"),
};
