//! PKL005 `pickle-global-mutation` (suspicious): a BUILD sets attributes on an imported module-level object, changing what later imports resolve to.
//!
//! Flags `BUILD` applied directly to an imported global (a module attribute), i.e. `setattr` on a
//! function, class or module during load.
//!
//! **Why is this bad?** modelscan #85: BUILD writes `os` and `system` onto `numpy.prod`, then a later
//! `GLOBAL numpy prod.a` resolves to `os.system` while every listed name looks harmless.
//!
//! **Example.** `c` `numpy` `prod` `}` `(` `Va` `Vos` `u` `b`.

use super::Rule;
use crate::report::Severity;

/// The rule's metadata; its documentation is this file's `//!` page.
pub static RULE: Rule = Rule {
    code: "PKL005",
    name: "pickle-global-mutation",
    severity: Severity::Suspicious,
    why: "a BUILD sets attributes on an imported module-level object, changing what later imports resolve to",
    source: include_str!("pickle_global_mutation.rs"),
};
