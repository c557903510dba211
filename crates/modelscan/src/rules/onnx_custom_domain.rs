//! ONX002 `onnx-custom-domain` (suspicious): the ONNX graph uses operators from a custom domain that need a native custom-op library.
//!
//! Flags nodes and opset imports whose domain is not one of ONNX's standard domains (`""`,
//! `ai.onnx`, `ai.onnx.ml`, `ai.onnx.training`, `ai.onnx.preview.training`) or `com.microsoft`.
//!
//! **Why is this bad?** Custom operators are native code loaded by the runtime.

use super::Rule;
use crate::report::Severity;

/// The rule's metadata; its documentation is this file's `//!` page.
pub static RULE: Rule = Rule {
    code: "ONX002",
    name: "onnx-custom-domain",
    severity: Severity::Suspicious,
    why: "the ONNX graph uses operators from a custom domain that need a native custom-op library",
    source: include_str!("onnx_custom_domain.rs"),
};
