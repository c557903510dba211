//! KER001 `keras-lambda-layer` (malicious): a Keras Lambda layer carries serialized Python bytecode that runs when the model is loaded or called.
//!
//! Flags `Lambda` layers anywhere in a Keras model config (`.keras` `config.json`, `.h5`
//! `model_config`), including nested models and wrappers (modelscan #343, PR #351).
//!
//! **Why is this bad?** The layer's function is marshalled bytecode; `safe_mode=False` or older Keras runs it.
//!
//! **Instead.** Replace Lambda layers with registered custom layers whose code you ship separately.

use super::Rule;
use crate::report::Severity;

/// The rule's metadata; its documentation is this file's `//!` page.
pub static RULE: Rule = Rule {
    code: "KER001",
    name: "keras-lambda-layer",
    severity: Severity::Malicious,
    why: "a Keras Lambda layer carries serialized Python bytecode that runs when the model is loaded or called",
    source: include_str!("keras_lambda_layer.rs"),
};
