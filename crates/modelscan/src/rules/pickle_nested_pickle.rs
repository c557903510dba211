//! PKL008 `pickle-nested-pickle` (info): a pickle embedded in another (bytes argument or object array) was scanned too.
//!
//! Notes a pickle embedded in a `bytes` argument (for example the payload of `pickle.loads`) or
//! following a joblib object-array wrapper. Its imports are reported with the nested offset.
//!
//! **Why is this bad?** Informational: nested payloads (modelscan #267) are scanned, not skipped.

use super::Rule;
use crate::report::Severity;

/// The rule's metadata; its documentation is this file's `//!` page.
pub static RULE: Rule = Rule {
    code: "PKL008",
    name: "pickle-nested-pickle",
    severity: Severity::Info,
    why: "a pickle embedded in another (bytes argument or object array) was scanned too",
    source: include_str!("pickle_nested_pickle.rs"),
};
