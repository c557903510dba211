//! ONX001 `onnx-external-data-path` (malicious): an ONNX tensor's external data location escapes the model directory.
//!
//! Flags `external_data` entries whose `location` is absolute, contains `..`, or a drive letter.
//!
//! **Why is this bad?** Loading the model reads (and tools that save it write) arbitrary files, e.g.
//! `/etc/passwd` or `../../.ssh/id_rsa`, into tensors.

use super::Rule;
use crate::report::Severity;

/// The rule's metadata; its documentation is this file's `//!` page.
pub static RULE: Rule = Rule {
    code: "ONX001",
    name: "onnx-external-data-path",
    severity: Severity::Malicious,
    why: "an ONNX tensor's external data location escapes the model directory",
    source: include_str!("onnx_external_data_path.rs"),
};
