//! ARC001 `archive-path-traversal` (malicious): a member name escapes the extraction directory (.., absolute path, drive letter).
//!
//! Flags zip/tar members (and ONNX-style relative paths) whose name contains a `..` component, starts
//! with `/` or `\\`, or carries a Windows drive letter.
//!
//! **Why is this bad?** Extracting the archive writes outside the target directory (zip-slip), e.g.
//! over `~/.bashrc` or a Python package on the path.

use super::Rule;
use crate::report::Severity;

/// The rule's metadata; its documentation is this file's `//!` page.
pub static RULE: Rule = Rule {
    code: "ARC001",
    name: "archive-path-traversal",
    severity: Severity::Malicious,
    why: "a member name escapes the extraction directory (.., absolute path, drive letter)",
    source: include_str!("archive_path_traversal.rs"),
};
