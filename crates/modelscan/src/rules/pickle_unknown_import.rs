//! PKL002 `pickle-unknown-import` (suspicious): the pickle imports a callable that is not on the allow-list of what ML checkpoints use; a load calls it.
//!
//! Flags every pickle import that is neither on the deny-list nor on the allow-list (PyTorch tensor
//! rebuild helpers and storages, `collections.OrderedDict`, NumPy array reconstruction and dtypes,
//! `_codecs.encode`, scikit-learn estimator classes, joblib's array wrapper, safe builtins such as `set`).
//! The import is named in the finding.
//!
//! **Why is this bad?** Deny-lists are always incomplete (picklescan #66, modelscan #338: real malware used
//! `torch.utils.collect_env.run` and `multiprocessing.util.spawnv_passfds`). Unknown means unaudited.
//!
//! **Example.** A full-model `torch.save(model)` imports the model's own classes (`__main__.Net`): review them.
//!
//! **Instead.** Save a `state_dict` rather than a pickled module object.

use super::Rule;
use crate::report::Severity;

/// The rule's metadata; its documentation is this file's `//!` page.
pub static RULE: Rule = Rule {
    code: "PKL002",
    name: "pickle-unknown-import",
    severity: Severity::Suspicious,
    why: "the pickle imports a callable that is not on the allow-list of what ML checkpoints use; a load calls it",
    source: include_str!("pickle_unknown_import.rs"),
};
