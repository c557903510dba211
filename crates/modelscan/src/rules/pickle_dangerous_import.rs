//! PKL001 `pickle-dangerous-import` (malicious): loading the pickle imports a callable that can run commands, execute code, touch files or the network.
//!
//! Flags every pickle import (`GLOBAL`, `STACK_GLOBAL`, `INST`, or an `EXT` code resolved through the
//! standard registry) whose `module.name` is on the deny-list in `policy.rs`: process and shell access
//! (`os`, `posix`, `nt`, `subprocess`, `pty`, `multiprocessing`), code execution (`builtins.eval/exec/compile`,
//! `runpy`, `code`, `marshal`, `types`, `timeit`, `pdb`, `bdb`, `cProfile`), imports (`importlib`, `pkgutil`,
//! `builtins.__import__`), nested loaders (`pickle`, `_pickle`, `dill`, `torch.load`, `numpy.load`), files
//! (`shutil`, `builtins.open`, `_io.FileIO`), network (`socket`, `requests`, `urllib`, `http`, `webbrowser`),
//! gadget callables (`operator.attrgetter`, `functools.partial`, `getattr`), and the lists of picklescan 1.0.5,
//! modelscan 0.8.8 and fickling 0.1.12. A name is also dangerous when any component of its attribute chain
//! is a dangerous module (`pathlib.os.system` reaches `os.system`).
//!
//! **Why is this bad?** `pickle.load` calls whatever the stream imports: `os.system("...")` runs at load time.
//!
//! **Example.** `c` `os` `system` `(S'echo pwned' tR.` (protocol 0), or `__reduce__` returning `(os.system, (cmd,))`.
//!
//! **Instead.** Save weights as safetensors, or load with `torch.load(weights_only=True)`.

use super::Rule;
use crate::report::Severity;

/// The rule's metadata; its documentation is this file's `//!` page.
pub static RULE: Rule = Rule {
    code: "PKL001",
    name: "pickle-dangerous-import",
    severity: Severity::Malicious,
    why: "loading the pickle imports a callable that can run commands, execute code, touch files or the network",
    source: include_str!("pickle_dangerous_import.rs"),
};
