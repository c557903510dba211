//! Static pickle analysis: a small stack machine over the opcode stream (protocols 0 to 5).
//!
//! Nothing is unpickled. The machine tracks exactly what decides which callables a load would
//! import and call: strings (every string opcode, including protocol-0 `STRING`/`UNICODE` lines),
//! the memo (`PUT`, `BINPUT`, `LONG_BINPUT`, `MEMOIZE`, `GET*`, with the same slot numbering as
//! CPython), marks, tuples and small dicts. Everything else becomes an opaque value. Imports come
//! from `GLOBAL`, `STACK_GLOBAL`, `INST`, and `EXT1/2/4`; calls from `REDUCE`, `OBJ`, `INST`,
//! `NEWOBJ`, `NEWOBJ_EX`; `BUILD` on an imported object is state mutation.
//!
//! Every import is classified by [`crate::policy`] and reported (PKL001-PKL004); stream-level
//! tricks (frames, misplaced `PROTO`, junk before/after) are PKL006; limits are PKL007. All
//! pickles in a stream are scanned (concatenated pickles), and after a parse error the scanner
//! resynchronises on the next plausible pickle start, so a payload behind junk bytes is still found.
//!
//! Bounded: values keep at most [`MAX_WIDTH`] children and [`MAX_NEST`] levels; strings longer than
//! [`MAX_STR`] and bytes longer than [`MAX_NESTED`] are skipped, never read into memory (tensor
//! data inside a pickle is skipped at seek speed).

mod vm;

use std::collections::HashSet;

use crate::blob::{Blob, Src};
use crate::report::{Finding, Location};
use crate::rules;

pub use vm::{itemsize, Literal, WalkError};

/// Longest string kept as text (module and attribute names are far shorter).
pub const MAX_STR: u64 = 4096;
/// Longest `bytes` argument kept to be scanned as a nested pickle.
pub const MAX_NESTED: u64 = 16 << 20;
/// Children kept per tuple/dict value.
pub const MAX_WIDTH: usize = 64;
/// Nesting kept inside values (deeper values become opaque).
pub const MAX_NEST: u8 = 3;
/// Maximum stack items.
pub const MAX_STACK: usize = 1_000_000;
/// Maximum open marks.
pub const MAX_MARKS: usize = 100_000;
/// Maximum memo slots (about 40 bytes each).
pub const MAX_MEMO: usize = 2_000_000;
/// Total string bytes kept per pickle; beyond it strings become opaque (and any import built
/// from them is reported unresolved), so memory stays bounded whatever the file holds.
pub const MAX_KEPT: u64 = 64 << 20;
/// Maximum depth of pickles nested in pickles.
pub const MAX_DEPTH: usize = 4;
/// Maximum resynchronisation attempts after a parse error.
const MAX_RESYNC: usize = 256;

/// Where findings go and where we are.
pub struct Sink<'a> {
    /// Collected findings.
    pub out: &'a mut Vec<Finding>,
    /// Archive member chain of the stream being scanned.
    pub members: &'a [String],
    /// (rule, module, name) already reported in this file, to report each import once.
    pub seen: HashSet<(&'static str, String, String)>,
}

impl<'a> Sink<'a> {
    /// A sink writing into `out`.
    pub fn new(out: &'a mut Vec<Finding>, members: &'a [String]) -> Self {
        Sink {
            out,
            members,
            seen: HashSet::new(),
        }
    }

    /// Location at `offset` in the current member.
    pub fn at(&self, offset: u64) -> Location {
        Location {
            member: self.members.to_vec(),
            offset: Some(offset),
        }
    }
}

/// How many pickles a stream holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A pickle file: every pickle until the end, resynchronising after junk.
    All,
    /// Exactly `n` pickles, then stop (legacy PyTorch header pickles, npy object arrays).
    First(usize),
    /// Pickles interleaved with raw bytes (PyTorch tar `storages`): every plausible pickle is
    /// tried; ones that fail to parse are dropped unless they import something dangerous.
    Embedded,
}

/// Summary of a scanned stream.
#[derive(Debug, Default)]
pub struct Summary {
    /// Pickles that parsed to `STOP`.
    pub pickles: usize,
    /// The value each of them returned, when it is a literal (legacy PyTorch magic check).
    pub tops: Vec<Literal>,
    /// Highest protocol seen.
    pub protocol: u8,
    /// Whether any parse error occurred.
    pub error: bool,
}

/// Scan the pickles in `blob` from `start` (random access: resynchronises after junk).
pub fn scan_blob(
    blob: &dyn Blob,
    start: u64,
    mode: Mode,
    sink: &mut Sink,
    depth: usize,
) -> Summary {
    let mut sum = Summary::default();
    let mut src = Src::from_blob(blob, start);
    let mut resyncs = 0;
    let mut junk_from: Option<u64> = None;
    loop {
        if let Mode::First(n) = mode {
            if sum.pickles >= n {
                break;
            }
        }
        match src.at_eof() {
            Ok(true) => break,
            Ok(false) => {}
            Err(e) => {
                malformed(sink, src.pos(), &format!("read error: {e}"));
                sum.error = true;
                break;
            }
        }
        let at = src.pos();
        let first = mode != Mode::Embedded && sum.pickles == 0 && junk_from.is_none();
        // a candidate found by resynchronising only reports if it parses or finds something dangerous
        let mut local = Vec::new();
        let res = {
            let mut sub = Sink {
                out: &mut local,
                members: sink.members,
                seen: std::mem::take(&mut sink.seen),
            };
            let r = vm::walk_one(&mut src, &mut sub, depth);
            sink.seen = sub.seen;
            r
        };
        match res {
            Ok((top, proto)) => {
                if let Some(j) = junk_from.take().filter(|_| mode != Mode::Embedded) {
                    sink.out.push(Finding::new(
                        &rules::pickle_stream_anomaly::RULE,
                        format!("pickle at offset {at} follows {} bytes that are not a pickle (from offset {j})", at - j),
                        sink.at(at),
                    ));
                }
                sink.out.append(&mut local);
                sum.pickles += 1;
                sum.protocol = sum.protocol.max(proto);
                sum.tops.push(top);
            }
            Err(WalkError::Limit) => {
                sink.out.append(&mut local);
                sum.error = true;
                break;
            }
            Err(e) => {
                let dangerous = local
                    .iter()
                    .any(|f| f.severity == crate::report::Severity::Malicious);
                if first || dangerous {
                    sink.out.append(&mut local);
                }
                if first {
                    malformed(sink, at, &format!("pickle: {e}"));
                    sum.error = true;
                } else if junk_from.is_none() && mode != Mode::Embedded {
                    sink.out.push(Finding::new(
                        &rules::pickle_stream_anomaly::RULE,
                        format!(
                            "bytes from offset {at} after the last pickle are not a pickle ({e})"
                        ),
                        sink.at(at),
                    ));
                }
                if matches!(mode, Mode::First(_)) || resyncs >= MAX_RESYNC {
                    break;
                }
                junk_from.get_or_insert(at);
                resyncs += 1;
                match next_candidate(blob, at + 1) {
                    Some(c) => src = Src::from_blob(blob, c),
                    None => break,
                }
            }
        }
    }
    sum
}

/// Scan pickles from a forward-only stream (decompressed joblib, deflated archive members).
pub fn scan_stream(src: &mut Src, mode: Mode, sink: &mut Sink, depth: usize) -> Summary {
    let mut sum = Summary::default();
    loop {
        if let Mode::First(n) = mode {
            if sum.pickles >= n {
                break;
            }
        }
        match src.at_eof() {
            Ok(true) => break,
            Ok(false) => {}
            Err(e) => {
                malformed(sink, src.pos(), &format!("read error: {e}"));
                sum.error = true;
                break;
            }
        }
        let at = src.pos();
        match vm::walk_one(src, sink, depth) {
            Ok((top, proto)) => {
                sum.pickles += 1;
                sum.protocol = sum.protocol.max(proto);
                sum.tops.push(top);
            }
            Err(WalkError::Limit) => {
                sum.error = true;
                break;
            }
            Err(e) if sum.pickles == 0 => {
                malformed(sink, at, &format!("pickle: {e}"));
                sum.error = true;
                break;
            }
            Err(e) => {
                sink.out.push(Finding::new(
                    &rules::pickle_stream_anomaly::RULE,
                    format!("bytes from offset {at} after the last pickle are not a pickle ({e}); not scanned"),
                    sink.at(at),
                ));
                break;
            }
        }
    }
    sum
}

fn malformed(sink: &mut Sink, at: u64, msg: &str) {
    sink.out.push(Finding::new(
        &rules::malformed::RULE,
        msg.to_owned(),
        sink.at(at),
    ));
}

/// Whether `b` starts like a pickle: `PROTO 2..5` then a valid opcode, or a protocol-0 `GLOBAL`
/// (`c<module>\n<name>\n`) or a `MARK` + `GLOBAL`.
pub fn looks_like_pickle(b: &[u8]) -> bool {
    match b {
        [0x80, 2..=5, op, ..] => vm::is_opcode(*op),
        [b'(', rest @ ..] => looks_like_global(rest),
        _ => looks_like_global(b),
    }
}

fn looks_like_global(b: &[u8]) -> bool {
    let Some((&b'c', rest)) = b.split_first() else {
        return false;
    };
    let mut lines = 0;
    let mut len = 0;
    for &c in rest.iter().take(256) {
        if c == b'\n' {
            if len == 0 {
                return false;
            }
            lines += 1;
            len = 0;
            if lines == 2 {
                return true;
            }
        } else if c.is_ascii_alphanumeric() || c == b'_' || c == b'.' {
            len += 1;
        } else {
            return false;
        }
    }
    false
}

/// The next offset at or after `from` where a pickle plausibly starts.
fn next_candidate(blob: &dyn Blob, from: u64) -> Option<u64> {
    const CHUNK: usize = 1 << 20;
    let mut off = from;
    let want = blob.len().saturating_sub(from).min((CHUNK + 512) as u64) as usize;
    let mut buf = vec![0u8; want];
    while off < blob.len() {
        let n = blob.read_at(off, &mut buf).ok()?;
        if n == 0 {
            return None;
        }
        let hay = &buf[..n];
        let scan_to = if off + n as u64 >= blob.len() {
            n
        } else {
            n.saturating_sub(512).max(1)
        };
        for i in memchr::memchr2_iter(0x80, b'c', &hay[..scan_to]) {
            if looks_like_pickle(&hay[i..]) {
                // a protocol-0 call usually opens with MARK before its GLOBAL
                let back = u64::from(i > 0 && hay[i] == b'c' && hay[i - 1] == b'(');
                return Some(off + i as u64 - back);
            }
        }
        off += scan_to as u64;
    }
    None
}

#[cfg(test)]
mod tests;
