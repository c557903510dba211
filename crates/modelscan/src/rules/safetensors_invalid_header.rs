//! SFT001 `safetensors-invalid-header` (suspicious): the safetensors header breaks the format's rules, so loaders disagree or data hides in gaps.
//!
//! Checks what the reference loader checks: header length ≤ 100 MB and within the file, a JSON object,
//! known dtypes, `shape × dtype size` equal to each `data_offsets` span without overflow, spans inside the
//! data area, no overlaps and no gaps, covering the data exactly, `__metadata__` string-to-string only.
//!
//! **Why is this bad?** Gaps and trailing bytes hide payloads (polyglots); malformed headers crash or
//! confuse loaders.

use super::Rule;
use crate::report::Severity;

/// The rule's metadata; its documentation is this file's `//!` page.
pub static RULE: Rule = Rule {
    code: "SFT001",
    name: "safetensors-invalid-header",
    severity: Severity::Suspicious,
    why: "the safetensors header breaks the format's rules, so loaders disagree or data hides in gaps",
    source: include_str!("safetensors_invalid_header.rs"),
};
