//! ARC005 `archive-bomb` (malicious): declared or actual decompressed size exceeds limits: a decompression bomb.
//!
//! Flags a member whose declared uncompressed size exceeds 1,000 times its compressed size (for
//! members over 1 MiB) or 16 GiB, archives declaring more than 64 GiB in total, and streams that inflate
//! beyond their declared size. Checked from the headers before inflating; inflation is also capped.
//!
//! **Why is this bad?** Scanning or loading the file exhausts memory or disk.

use super::Rule;
use crate::report::Severity;

/// The rule's metadata; its documentation is this file's `//!` page.
pub static RULE: Rule = Rule {
    code: "ARC005",
    name: "archive-bomb",
    severity: Severity::Malicious,
    why: "declared or actual decompressed size exceeds limits: a decompression bomb",
    source: include_str!("archive_bomb.rs"),
};
