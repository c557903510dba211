//! NPY001 `npy-object-array` (info): the array has object dtype: its data is a pickle, which was scanned.
//!
//! Notes NumPy arrays with `object` dtype (in `.npy`, `.npz` members or joblib files). Their payload
//! is a pickle that `np.load(allow_pickle=True)` would run; it is scanned like any pickle.
//!
//! **Why is this bad?** Informational: numeric arrays carry no code, object arrays do.

use super::Rule;
use crate::report::Severity;

/// The rule's metadata; its documentation is this file's `//!` page.
pub static RULE: Rule = Rule {
    code: "NPY001",
    name: "npy-object-array",
    severity: Severity::Info,
    why: "the array has object dtype: its data is a pickle, which was scanned",
    source: include_str!("npy_object_array.rs"),
};
