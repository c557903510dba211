//! TOR001 `torch-legacy-magic` (suspicious): a legacy PyTorch file whose first pickle is not the literal magic number.
//!
//! Flags legacy (non-zip) PyTorch files whose first pickle is not exactly the literal integer
//! `0x1950a86a20f9469cfc6c`, and whose protocol-version pickle is not a literal integer.
//!
//! **Why is this bad?** `torch.load` unpickles the magic number with the full unpickler; scanners that
//! trust the magic skip a first pickle that runs code.

use super::Rule;
use crate::report::Severity;

/// The rule's metadata; its documentation is this file's `//!` page.
pub static RULE: Rule = Rule {
    code: "TOR001",
    name: "torch-legacy-magic",
    severity: Severity::Suspicious,
    why: "a legacy PyTorch file whose first pickle is not the literal magic number",
    source: include_str!("torch_legacy_magic.rs"),
};
