//! ARC003 `archive-duplicate-member` (suspicious): two members share a name: different tools will read different contents.
//!
//! Flags member names that occur more than once, and zip entries whose local header names a different
//! file than the central directory.
//!
//! **Why is this bad?** The scanner may check one copy while the loader uses the other.

use super::Rule;
use crate::report::Severity;

/// The rule's metadata; its documentation is this file's `//!` page.
pub static RULE: Rule = Rule {
    code: "ARC003",
    name: "archive-duplicate-member",
    severity: Severity::Suspicious,
    why: "two members share a name: different tools will read different contents",
    source: include_str!("archive_duplicate_member.rs"),
};
