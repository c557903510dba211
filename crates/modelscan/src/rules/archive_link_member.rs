//! ARC002 `archive-link-member` (suspicious): an archive member is a symlink or hard link, which can point anywhere when extracted.
//!
//! Flags tar symlink/hard-link entries and zip entries whose Unix mode marks a symlink.
//!
//! **Why is this bad?** A link plus a later member with the same name writes through the link (tar-slip).

use super::Rule;
use crate::report::Severity;

/// The rule's metadata; its documentation is this file's `//!` page.
pub static RULE: Rule = Rule {
    code: "ARC002",
    name: "archive-link-member",
    severity: Severity::Suspicious,
    why: "an archive member is a symlink or hard link, which can point anywhere when extracted",
    source: include_str!("archive_link_member.rs"),
};
