//! KER002 `keras-external-reference` (suspicious): a Keras config references a module or function outside keras/tensorflow; loading imports it.
//!
//! Flags `module`, `function` and `registered_name` values in a Keras config that point outside the
//! `keras`/`tensorflow`/`tf_keras` namespaces (custom objects). If the reference is on the pickle deny-list
//! (`builtins.exec` as a `kernel_initializer`, modelscan #343) the finding is malicious.
//!
//! **Why is this bad?** Keras deserialisation imports and calls the named object.

use super::Rule;
use crate::report::Severity;

/// The rule's metadata; its documentation is this file's `//!` page.
pub static RULE: Rule = Rule {
    code: "KER002",
    name: "keras-external-reference",
    severity: Severity::Suspicious,
    why: "a Keras config references a module or function outside keras/tensorflow; loading imports it",
    source: include_str!("keras_external_reference.rs"),
};
