//! GGF001 `gguf-template-injection` (malicious): a GGUF chat template reaches Python object internals (Jinja2 sandbox escape, server-side template injection).
//!
//! Flags `tokenizer.chat_template*` metadata values containing `__class__`, `__globals__`,
//! `__subclasses__`, `__builtins__`, `__import__`, `__mro__`, `__init__`, `__base__`, `os.`, `popen`,
//! `subprocess` or `eval(`/`exec(`.
//!
//! **Why is this bad?** Runtimes render the template with Jinja2; CVE-2024-34359 (llama-cpp-python) ran
//! shell commands from a model's chat template.

use super::Rule;
use crate::report::Severity;

/// The rule's metadata; its documentation is this file's `//!` page.
pub static RULE: Rule = Rule {
    code: "GGF001",
    name: "gguf-template-injection",
    severity: Severity::Malicious,
    why: "a GGUF chat template reaches Python object internals (Jinja2 sandbox escape, server-side template injection)",
    source: include_str!("gguf_template_injection.rs"),
};
