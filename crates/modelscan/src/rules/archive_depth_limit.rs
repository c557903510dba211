//! ARC006 `archive-depth-limit` (suspicious): archives are nested deeper than the scanner follows, so the innermost content was not scanned.
//!
//! Flags archives nested more than 8 levels deep (zip in zip in tar ...). The deeper content is not
//! scanned.
//!
//! **Why is this bad?** Deep nesting is used to push payloads past scanners' recursion limits.

use super::Rule;
use crate::report::Severity;

/// The rule's metadata; its documentation is this file's `//!` page.
pub static RULE: Rule = Rule {
    code: "ARC006",
    name: "archive-depth-limit",
    severity: Severity::Suspicious,
    why: "archives are nested deeper than the scanner follows, so the innermost content was not scanned",
    source: include_str!("archive_depth_limit.rs"),
};
