//! ARC004 `archive-overlapping-entries` (malicious): zip entries overlap on disk, the construction used by non-recursive zip bombs and parser confusion.
//!
//! Flags zip central-directory entries whose local data ranges overlap, or that point outside the file.
//!
//! **Why is this bad?** Overlapping entries (Fifield's zip bomb) make a small file inflate to terabytes and
//! let two names share bytes.

use super::Rule;
use crate::report::Severity;

/// The rule's metadata; its documentation is this file's `//!` page.
pub static RULE: Rule = Rule {
    code: "ARC004",
    name: "archive-overlapping-entries",
    severity: Severity::Malicious,
    why: "zip entries overlap on disk, the construction used by non-recursive zip bombs and parser confusion",
    source: include_str!("archive_overlapping_entries.rs"),
};
