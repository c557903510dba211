//! PKL006 `pickle-stream-anomaly` (suspicious): the opcode stream is shaped so that scanners and the real unpickler may see different things.
//!
//! Flags stream-level tricks: an opcode or its argument crossing a `FRAME` boundary (CPython #154848:
//! the scanner sees bytes while CPython's buffered reader runs a hidden opcode), a `PROTO` that is not the
//! first opcode, bytes before the first pickle (junk prefix), and bytes after the last `STOP` that are not
//! another pickle.
//!
//! **Why is this bad?** Parser differentials are how bypasses of fickling and picklescan were built.
//!
//! **Example.** A FRAME of 8 bytes followed by a BINBYTES whose payload spans past the frame end.

use super::Rule;
use crate::report::Severity;

/// The rule's metadata; its documentation is this file's `//!` page.
pub static RULE: Rule = Rule {
    code: "PKL006",
    name: "pickle-stream-anomaly",
    severity: Severity::Suspicious,
    why: "the opcode stream is shaped so that scanners and the real unpickler may see different things",
    source: include_str!("pickle_stream_anomaly.rs"),
};
