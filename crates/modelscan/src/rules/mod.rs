//! The rule registry: one file per rule, each holding its documentation (`//!` page) and its
//! [`Rule`] metadata. Detection lives where the bytes are parsed (`pickle/`, `formats/`), which
//! emits findings tagged with these rules; the classification rules for pickle imports are in
//! `policy.rs`.
//!
//! Adding a rule: create `rules/<family>_<name>.rs` with its `//!` documentation and `RULE`,
//! add one `pub mod` line and one entry in [`ALL`]. `datagate model rules` and the README's rule
//! table are generated from these pages.

use crate::report::Severity;

/// A rule's metadata.
#[derive(Debug)]
pub struct Rule {
    /// Stable code, e.g. `PKL001`.
    pub code: &'static str,
    /// Kebab-case name, e.g. `pickle-dangerous-import`.
    pub name: &'static str,
    /// Default severity of its findings.
    pub severity: Severity,
    /// One line: why a finding matters.
    pub why: &'static str,
    /// The rule file's source, from which [`Rule::doc`] extracts the `//!` page.
    pub source: &'static str,
}

impl Rule {
    /// The rule's documentation (its file's `//!` lines, without the markers).
    pub fn doc(&self) -> String {
        self.source
            .lines()
            .take_while(|l| l.starts_with("//!"))
            .map(|l| {
                l.trim_start_matches("//!")
                    .strip_prefix(' ')
                    .unwrap_or(l.trim_start_matches("//!"))
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

pub mod archive_bomb;
pub mod archive_depth_limit;
pub mod archive_duplicate_member;
pub mod archive_link_member;
pub mod archive_overlapping_entries;
pub mod archive_path_traversal;
pub mod archive_unscannable_member;
pub mod gguf_template_injection;
pub mod keras_external_reference;
pub mod keras_lambda_layer;
pub mod malformed;
pub mod npy_object_array;
pub mod onnx_custom_domain;
pub mod onnx_external_data_path;
pub mod pickle_dangerous_import;
pub mod pickle_dunder_access;
pub mod pickle_global_mutation;
pub mod pickle_nested_pickle;
pub mod pickle_resource_limit;
pub mod pickle_stream_anomaly;
pub mod pickle_unknown_import;
pub mod pickle_unresolved_import;
pub mod safetensors_invalid_header;
pub mod torch_legacy_magic;
pub mod unknown_format;

/// Every rule, in documentation order.
pub static ALL: &[&Rule] = &[
    &pickle_dangerous_import::RULE,
    &pickle_unknown_import::RULE,
    &pickle_unresolved_import::RULE,
    &pickle_dunder_access::RULE,
    &pickle_global_mutation::RULE,
    &pickle_stream_anomaly::RULE,
    &pickle_resource_limit::RULE,
    &pickle_nested_pickle::RULE,
    &archive_path_traversal::RULE,
    &archive_link_member::RULE,
    &archive_duplicate_member::RULE,
    &archive_overlapping_entries::RULE,
    &archive_bomb::RULE,
    &archive_depth_limit::RULE,
    &archive_unscannable_member::RULE,
    &torch_legacy_magic::RULE,
    &npy_object_array::RULE,
    &keras_lambda_layer::RULE,
    &keras_external_reference::RULE,
    &onnx_external_data_path::RULE,
    &onnx_custom_domain::RULE,
    &safetensors_invalid_header::RULE,
    &gguf_template_injection::RULE,
    &malformed::RULE,
    &unknown_format::RULE,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_docs_present() {
        let mut codes: Vec<_> = ALL.iter().map(|r| r.code).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), ALL.len());
        for r in ALL {
            assert!(
                r.doc().starts_with(r.code),
                "{} doc must start with its code",
                r.code
            );
            assert!(
                r.doc().lines().count() > 2,
                "{} needs documentation",
                r.code
            );
        }
    }
}
