//! PKL004 `pickle-dunder-access` (malicious): an import walks into object internals (__globals__, __builtins__, __subclasses__), a sandbox escape.
//!
//! Flags an import whose name (the attribute chain after the module) contains a dunder component such
//! as `__builtins__`, `__globals__`, `__class__`, `__subclasses__`, `__dict__` or `__code__`.
//!
//! **Why is this bad?** `find_class("numpy", "size.__globals__")` reaches any function's globals and from
//! there `eval`; modelscan #330 used `numpy.__builtins__` to reach `eval` unnoticed.
//!
//! **Example.** `c` `numpy` `__builtins__` followed by BUILD/REDUCE.

use super::Rule;
use crate::report::Severity;

/// The rule's metadata; its documentation is this file's `//!` page.
pub static RULE: Rule = Rule {
    code: "PKL004",
    name: "pickle-dunder-access",
    severity: Severity::Malicious,
    why: "an import walks into object internals (__globals__, __builtins__, __subclasses__), a sandbox escape",
    source: include_str!("pickle_dunder_access.rs"),
};
