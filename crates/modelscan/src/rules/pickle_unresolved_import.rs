//! PKL003 `pickle-unresolved-import` (suspicious): the imported name cannot be known without running the pickle, so it cannot be vetted.
//!
//! Flags `STACK_GLOBAL` whose module or name operand is not a string the scanner could track
//! (built at run time, taken from a memo slot that was never written, a non-string object), and `EXT1/2/4`
//! extension codes (the copyreg registry is process state, empty by default). Also flags a call
//! whose target is a computed value rather than an import. When the unresolved import is then
//! called (REDUCE/NEWOBJ/OBJ), the finding is raised to malicious: a hidden call target has no
//! legitimate use (picklescan and modelscan treat these as dangerous too).
//!
//! **Why is this bad?** Hiding the import target is the classic evasion (picklescan #14, #22,
//! GHSA-9gvj-pp9x-gcfr, modelscan #331). A name that cannot be resolved statically is never safe.
//!
//! **Example.** `\x80\x04` ... `h\x00` (BINGET of an unset slot) `h\x01` `\x93` (STACK_GLOBAL).

use super::Rule;
use crate::report::Severity;

/// The rule's metadata; its documentation is this file's `//!` page.
pub static RULE: Rule = Rule {
    code: "PKL003",
    name: "pickle-unresolved-import",
    severity: Severity::Suspicious,
    why: "the imported name cannot be known without running the pickle, so it cannot be vetted",
    source: include_str!("pickle_unresolved_import.rs"),
};
