//! PKL007 `pickle-resource-limit` (suspicious): the pickle exceeds the scanner's structural limits (stack depth, memo size, nesting), a DoS or evasion sign.
//!
//! Flags pickles whose stack, mark stack, memo or nested-pickle depth exceed fixed limits; the rest of
//! the stream is not interpreted. Limits: stack 1,000,000 items, 100,000 nested marks, memo 2,000,000 slots,
//! 4 levels of nested pickles.
//!
//! **Why is this bad?** Expansion attacks (billion-laughs style DUP/GET) exhaust memory on load, and a
//! scanner that gives up silently is a bypass.

use super::Rule;
use crate::report::Severity;

/// The rule's metadata; its documentation is this file's `//!` page.
pub static RULE: Rule = Rule {
    code: "PKL007",
    name: "pickle-resource-limit",
    severity: Severity::Suspicious,
    why: "the pickle exceeds the scanner's structural limits (stack depth, memo size, nesting), a DoS or evasion sign",
    source: include_str!("pickle_resource_limit.rs"),
};
