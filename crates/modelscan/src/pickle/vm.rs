//! The opcode interpreter: one pickle, from its first opcode to `STOP`.

use std::collections::HashMap;
use std::fmt;
use std::rc::Rc;

use super::{
    Sink, MAX_DEPTH, MAX_KEPT, MAX_MARKS, MAX_MEMO, MAX_NEST, MAX_NESTED, MAX_STACK, MAX_STR,
    MAX_WIDTH,
};
use crate::blob::{Blob, Src};
use crate::policy::{classify, Class};
use crate::report::Finding;
use crate::rules;

/// Why a pickle could not be walked to its end.
#[derive(Debug)]
pub enum WalkError {
    /// Ran out of bytes, or an I/O error.
    Io(std::io::Error),
    /// Structurally invalid (unknown opcode, stack underflow, bad argument).
    Invalid(u64, String),
    /// A resource limit was hit (already reported as PKL007).
    Limit,
}

impl fmt::Display for WalkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WalkError::Io(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                f.write_str("truncated (unexpected end of data)")
            }
            WalkError::Io(e) => write!(f, "{e}"),
            WalkError::Invalid(at, m) => write!(f, "{m} at offset {at}"),
            WalkError::Limit => f.write_str("resource limit reached"),
        }
    }
}

impl From<std::io::Error> for WalkError {
    fn from(e: std::io::Error) -> Self {
        WalkError::Io(e)
    }
}

/// The value a pickle returned, when it is a literal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Literal {
    /// An integer that fits in i64.
    Int(i64),
    /// A `LONG1`/`LONG4` integer's little-endian two's-complement bytes.
    Long(Vec<u8>),
    /// A list, tuple or dict (for example the legacy PyTorch storage-key list).
    Container,
    /// Anything else (an object built by a call, ...).
    Other,
}

type Global = Rc<(String, String)>;

/// What the machine knows about one stack or memo value.
#[derive(Debug, Clone)]
enum V {
    Str(Rc<str>),
    Bytes,
    Int(i64),
    Long(Rc<[u8]>),
    Global(Global),
    /// Items and cached nesting depth.
    Tuple(Rc<Vec<V>>, u8),
    /// Items and cached nesting depth.
    Dict(Rc<Vec<(V, V)>>, u8),
    List,
    /// A call's result, with cached nesting depth.
    Obj(Rc<Obj>, u8),
    /// An import whose target could not be resolved (STACK_GLOBAL on non-strings, EXT codes).
    Hidden,
    /// A value the machine cannot know (empty memo slot, persistent id).
    Unknown,
    /// A value that does not matter to the analysis (numbers, long strings, sets, ...).
    Other,
}

#[derive(Debug)]
struct Obj {
    callable: Option<Global>,
    args: V,
}

impl V {
    /// Nesting depth, O(1): compound values cache theirs.
    fn depth(&self) -> u8 {
        match self {
            V::Tuple(_, d) | V::Dict(_, d) | V::Obj(_, d) => *d,
            _ => 0,
        }
    }
    /// Keep values shallow so clones stay cheap.
    fn clip(self) -> V {
        if self.depth() >= MAX_NEST {
            V::Other
        } else {
            self
        }
    }
    fn literal(&self) -> Literal {
        match self {
            V::Int(i) => Literal::Int(*i),
            V::Long(b) => Literal::Long(b.to_vec()),
            V::Tuple(..) | V::Dict(..) | V::List => Literal::Container,
            _ => Literal::Other,
        }
    }
    fn dict_get(&self, key: &str) -> Option<&V> {
        match self {
            V::Dict(d, _) => d
                .iter()
                .find(|(k, _)| matches!(k, V::Str(s) if &**s == key))
                .map(|(_, v)| v),
            _ => None,
        }
    }
}

/// Whether `op` is a defined pickle opcode.
pub fn is_opcode(op: u8) -> bool {
    matches!(
        op,
        b'(' | b'.'
            | b'0'
            | b'1'
            | b'2'
            | b'F'
            | b'I'
            | b'J'
            | b'K'
            | b'L'
            | b'M'
            | b'N'
            | b'P'
            | b'Q'
            | b'R'
            | b'S'
            | b'T'
            | b'U'
            | b'V'
            | b'X'
            | b'a'
            | b'b'
            | b'c'
            | b'd'
            | b'}'
            | b'e'
            | b'g'
            | b'h'
            | b'i'
            | b'j'
            | b'l'
            | b']'
            | b'o'
            | b'p'
            | b'q'
            | b'r'
            | b's'
            | b't'
            | b')'
            | b'u'
            | b'G'
            | b'B'
            | b'C'
            | 0x80..=0x98
    )
}

struct Vm<'s, 'a, 'k, 'o> {
    src: &'s mut Src<'a>,
    sink: &'k mut Sink<'o>,
    stack: Vec<V>,
    marks: Vec<usize>,
    memo: HashMap<u64, V>,
    frame_end: Option<u64>,
    frame_reported: bool,
    proto: u8,
    depth: usize,
    op_at: u64,
    kept: u64,
}

/// Walk one pickle; returns the value at `STOP` and the protocol.
pub fn walk_one(src: &mut Src, sink: &mut Sink, depth: usize) -> Result<(Literal, u8), WalkError> {
    let mut vm = Vm {
        src,
        sink,
        stack: Vec::new(),
        marks: Vec::new(),
        memo: HashMap::new(),
        frame_end: None,
        frame_reported: false,
        proto: 0,
        depth,
        op_at: 0,
        kept: 0,
    };
    let top = vm.run()?;
    Ok((top.literal(), vm.proto))
}

fn le(b: &[u8]) -> u64 {
    b.iter().rev().fold(0u64, |a, &x| (a << 8) | u64::from(x))
}

impl Vm<'_, '_, '_, '_> {
    fn invalid<T>(&self, msg: impl Into<String>) -> Result<T, WalkError> {
        Err(WalkError::Invalid(self.op_at, msg.into()))
    }

    fn n(&mut self, k: usize) -> Result<u64, WalkError> {
        let mut b = [0u8; 8];
        self.src.exact(&mut b[..k])?;
        Ok(le(&b[..k]))
    }

    fn push(&mut self, v: V) -> Result<(), WalkError> {
        if self.stack.len() >= MAX_STACK {
            return self.limit(&format!("stack exceeds {MAX_STACK} items"));
        }
        self.stack.push(v);
        Ok(())
    }

    fn limit<T>(&mut self, what: &str) -> Result<T, WalkError> {
        let at = self.sink.at(self.op_at);
        self.sink.out.push(Finding::new(
            &rules::pickle_resource_limit::RULE,
            format!("{what}; the rest of the pickle was not interpreted"),
            at,
        ));
        Err(WalkError::Limit)
    }

    fn base(&self) -> usize {
        self.marks.last().copied().unwrap_or(0)
    }

    fn pop(&mut self) -> Result<V, WalkError> {
        if self.stack.len() <= self.base() {
            return self.invalid("stack underflow");
        }
        Ok(self.stack.pop().unwrap_or(V::Other))
    }

    fn top(&mut self) -> Result<&mut V, WalkError> {
        if self.stack.len() <= self.base() {
            return self.invalid("stack underflow");
        }
        let at = self.op_at;
        self.stack
            .last_mut()
            .ok_or(WalkError::Invalid(at, "stack underflow".into()))
    }

    fn pop_mark(&mut self) -> Result<Vec<V>, WalkError> {
        let Some(m) = self.marks.pop() else {
            return self.invalid("no MARK on the stack");
        };
        Ok(self.stack.split_off(m.min(self.stack.len())))
    }

    fn memo_put(&mut self, idx: u64) -> Result<(), WalkError> {
        let v = self.top()?.clone();
        if self.memo.len() >= MAX_MEMO && !self.memo.contains_key(&idx) {
            return self.limit(&format!("memo exceeds {MAX_MEMO} slots"));
        }
        self.memo.insert(idx, v);
        Ok(())
    }

    /// Read a string argument of `len` bytes: kept if short, skipped otherwise.
    fn text(&mut self, len: u64) -> Result<V, WalkError> {
        if len > MAX_STR || self.kept + len > MAX_KEPT {
            self.src.skip(len)?;
            return Ok(V::Other);
        }
        self.kept += len;
        let b = self.src.read_vec(len)?;
        Ok(V::Str(String::from_utf8_lossy(&b).into()))
    }

    /// Read a bytes argument: pickles embedded in it are scanned; large payloads are skipped.
    fn bytes(&mut self, len: u64) -> Result<V, WalkError> {
        let head = self.src.peek(3)?.to_vec();
        if (3..=MAX_NESTED).contains(&len)
            && super::looks_like_pickle(&head)
            && self.depth < MAX_DEPTH
        {
            let at = self.src.pos();
            let b = self.src.read_vec(len)?;
            self.nested(&b, at);
            return Ok(V::Bytes);
        }
        if len <= 256 {
            self.src.skip(len)?;
            return Ok(V::Bytes);
        }
        self.src.skip(len)?;
        Ok(V::Other)
    }

    /// Scan a pickle embedded in a bytes value; its findings are kept only if it parses to
    /// `STOP` or imports something dangerous (tensor bytes can start like a pickle by chance).
    fn nested(&mut self, b: &[u8], at: u64) {
        let blob: &dyn Blob = &b;
        let mut src = Src::from_blob(blob, 0);
        let mut local = Vec::new();
        let mut members = self.sink.members.to_vec();
        members.push(format!("<pickle bytes @{at}>"));
        let mut sub = Sink::new(&mut local, &members);
        let ok = walk_one(&mut src, &mut sub, self.depth + 1).is_ok();
        let bad = local
            .iter()
            .any(|f| f.severity >= crate::report::Severity::Suspicious);
        if ok
            || local
                .iter()
                .any(|f| f.severity == crate::report::Severity::Malicious)
        {
            if bad {
                self.sink.out.push(Finding::new(
                    &rules::pickle_nested_pickle::RULE,
                    format!(
                        "a {}-byte pickle embedded in a bytes value was scanned",
                        b.len()
                    ),
                    self.sink.at(at),
                ));
            }
            self.sink.out.append(&mut local);
        }
    }

    fn line_str(&mut self) -> Result<String, WalkError> {
        let l = self.src.line(MAX_STR as usize)?;
        Ok(String::from_utf8_lossy(&l).into_owned())
    }

    /// Record an import and classify it.
    fn import(&mut self, module: &str, name: &str, opcode: &str) -> V {
        let class = classify(module, name);
        let rule = match class {
            Class::Safe => None,
            Class::Unknown => Some(&rules::pickle_unknown_import::RULE),
            Class::Dangerous => Some(&rules::pickle_dangerous_import::RULE),
            Class::Dunder => Some(&rules::pickle_dunder_access::RULE),
        };
        if let Some(rule) = rule {
            let key = (rule.code, module.to_owned(), name.to_owned());
            if self.sink.seen.insert(key) {
                let msg = format!("{opcode} imports `{module}.{name}`");
                let f = Finding::new(rule, msg, self.sink.at(self.op_at)).with_import(module, name);
                self.sink.out.push(f);
            }
        }
        V::Global(Rc::new((module.to_owned(), name.to_owned())))
    }

    fn unresolved(&mut self, msg: String) {
        let f = Finding::new(
            &rules::pickle_unresolved_import::RULE,
            msg,
            self.sink.at(self.op_at),
        );
        self.sink.out.push(f);
    }

    fn anomaly(&mut self, msg: String) {
        let f = Finding::new(
            &rules::pickle_stream_anomaly::RULE,
            msg,
            self.sink.at(self.op_at),
        );
        self.sink.out.push(f);
    }

    /// A call of `callable` with `args`: the callable must be a statically known import.
    fn call(&mut self, callable: V, args: V, opcode: &str) -> Result<V, WalkError> {
        let g = match callable {
            V::Global(g) => Some(g),
            V::Hidden => {
                let msg =
                    format!("{opcode} calls an import whose target cannot be resolved statically");
                let f = Finding::new(
                    &rules::pickle_unresolved_import::RULE,
                    msg,
                    self.sink.at(self.op_at),
                )
                .with_severity(crate::report::Severity::Malicious);
                self.sink.out.push(f);
                None
            }
            V::Unknown => None, // an empty memo slot fails the real load; persistent ids are data
            other => {
                self.unresolved(format!(
                    "{opcode} calls a computed value ({}), not an import",
                    kind(&other)
                ));
                None
            }
        };
        let args = args.clip();
        let depth = 1 + args.depth();
        Ok(V::Obj(Rc::new(Obj { callable: g, args }), depth))
    }

    fn run(&mut self) -> Result<V, WalkError> {
        let mut first = true;
        loop {
            self.op_at = self.src.pos();
            if let Some(e) = self.frame_end {
                if self.op_at >= e {
                    if self.op_at > e && !self.frame_reported {
                        self.frame_reported = true;
                        self.anomaly(format!("an opcode crosses the FRAME boundary at offset {e}: parsers disagree on what follows"));
                    }
                    self.frame_end = None;
                }
            }
            let op = self.src.u8()?;
            let was_first = first;
            first = false;
            match op {
                0x80 => {
                    let v = self.src.u8()?;
                    if v > 5 {
                        return self.invalid(format!("unsupported protocol {v}"));
                    }
                    if !was_first {
                        self.anomaly(format!("PROTO {v} is not the first opcode"));
                    }
                    self.proto = self.proto.max(v);
                }
                0x95 => {
                    let n = self.n(8)?;
                    if let Some(e) = self.frame_end {
                        if self.op_at < e {
                            self.anomaly("a FRAME starts before the previous frame ended".into());
                        }
                    }
                    if self.src.remaining().is_some_and(|r| r < n) {
                        self.anomaly(format!("FRAME of {n} bytes runs past the end of the data"));
                    }
                    self.frame_end = self.src.pos().checked_add(n);
                }
                b'.' => {
                    // CPython returns the top and ignores anything left below it
                    return self.pop();
                }
                b'(' => {
                    if self.marks.len() >= MAX_MARKS {
                        return self.limit(&format!("more than {MAX_MARKS} open MARKs"));
                    }
                    self.marks.push(self.stack.len());
                }
                b'0' => {
                    if self.stack.len() > self.base() {
                        self.stack.pop();
                    } else {
                        self.pop_mark()?;
                    }
                }
                b'1' => {
                    self.pop_mark()?;
                }
                b'2' => {
                    let v = self.top()?.clone();
                    self.push(v)?;
                }
                b'F' => {
                    self.src.line(256)?;
                    self.push(V::Other)?;
                }
                b'I' => {
                    let l = self.line_str()?;
                    let v = l.trim().parse::<i64>().map(V::Int).unwrap_or(V::Other);
                    self.push(v)?;
                }
                b'L' => {
                    let l = self.line_str()?;
                    let v = l
                        .trim()
                        .trim_end_matches('L')
                        .parse::<i64>()
                        .map(V::Int)
                        .unwrap_or(V::Other);
                    self.push(v)?;
                }
                b'J' => {
                    let v = self.n(4)? as u32 as i32;
                    self.push(V::Int(i64::from(v)))?;
                }
                b'K' => {
                    let v = self.n(1)?;
                    self.push(V::Int(v as i64))?;
                }
                b'M' => {
                    let v = self.n(2)?;
                    self.push(V::Int(v as i64))?;
                }
                0x8a => {
                    let n = self.n(1)?;
                    let b = self.src.read_vec(n)?;
                    let v = if n <= 8 && n > 0 {
                        let neg = b[b.len() - 1] & 0x80 != 0;
                        let mut x = if neg { u64::MAX } else { 0 };
                        for &c in b.iter().rev() {
                            x = (x << 8) | u64::from(c);
                        }
                        V::Int(x as i64)
                    } else if n == 0 {
                        V::Int(0)
                    } else {
                        V::Long(b.into())
                    };
                    self.push(v)?;
                }
                0x8b => {
                    let n = self.n(4)? as u32 as i32;
                    if n < 0 {
                        return self.invalid("LONG4 with a negative length");
                    }
                    self.src.skip(n as u64)?;
                    self.push(V::Other)?;
                }
                b'G' => {
                    self.src.skip(8)?;
                    self.push(V::Other)?;
                }
                b'N' | 0x88 | 0x89 => self.push(V::Other)?,
                b'S' => {
                    let l = self.src.line(MAX_STR as usize * 4)?;
                    let s = unquote(&l).ok_or(WalkError::Invalid(
                        self.op_at,
                        "STRING argument is not quoted".into(),
                    ))?;
                    self.push(V::Str(s.into()))?;
                }
                b'V' => {
                    let l = self.src.line(MAX_STR as usize * 4)?;
                    self.push(V::Str(unescape_unicode(&l).into()))?;
                }
                b'T' => {
                    let n = self.n(4)? as u32 as i32;
                    if n < 0 {
                        return self.invalid("BINSTRING with a negative length");
                    }
                    let v = self.text(n as u64)?;
                    self.push(v)?;
                }
                b'U' | 0x8c => {
                    let n = self.n(1)?;
                    let v = self.text(n)?;
                    self.push(v)?;
                }
                b'X' => {
                    let n = self.n(4)?;
                    let v = self.text(n)?;
                    self.push(v)?;
                }
                0x8d => {
                    let n = self.n(8)?;
                    let v = self.text(n)?;
                    self.push(v)?;
                }
                b'B' => {
                    let n = self.n(4)?;
                    let v = self.bytes(n)?;
                    self.push(v)?;
                }
                b'C' => {
                    let n = self.n(1)?;
                    let v = self.bytes(n)?;
                    self.push(v)?;
                }
                0x8e | 0x96 => {
                    let n = self.n(8)?;
                    let v = self.bytes(n)?;
                    self.push(v)?;
                }
                0x97 | 0x98 => {
                    if op == 0x97 {
                        self.push(V::Other)?;
                    } else {
                        self.top()?;
                    }
                }
                b')' => self.push(V::Tuple(Rc::new(Vec::new()), 1))?,
                b't' => {
                    let items = self.pop_mark()?;
                    self.push(tuple(items))?;
                }
                0x85..=0x87 => {
                    let k = (op - 0x84) as usize;
                    let mut items = Vec::with_capacity(k);
                    for _ in 0..k {
                        items.push(self.pop()?);
                    }
                    items.reverse();
                    self.push(tuple(items))?;
                }
                b']' => self.push(V::List)?,
                b'l' => {
                    self.pop_mark()?;
                    self.push(V::List)?;
                }
                b'a' => {
                    self.pop()?;
                    self.top()?;
                }
                b'e' => {
                    self.pop_mark()?;
                    self.top()?;
                }
                b'}' => self.push(V::Dict(Rc::new(Vec::new()), 1))?,
                b'd' => {
                    let items = self.pop_mark()?;
                    let mut d = Vec::new();
                    for kv in items.chunks_exact(2).take(MAX_WIDTH) {
                        d.push((kv[0].clone().clip(), kv[1].clone().clip()));
                    }
                    let depth = 1 + d
                        .iter()
                        .map(|(k, v)| k.depth().max(v.depth()))
                        .max()
                        .unwrap_or(0);
                    self.push(V::Dict(Rc::new(d), depth))?;
                }
                b's' => {
                    let v = self.pop()?;
                    let k = self.pop()?;
                    dict_insert(self.top()?, vec![k, v]);
                }
                b'u' => {
                    let items = self.pop_mark()?;
                    dict_insert(self.top()?, items);
                }
                0x8f => self.push(V::Other)?,
                0x90 => {
                    self.pop_mark()?;
                    self.top()?;
                }
                0x91 => {
                    self.pop_mark()?;
                    self.push(V::Other)?;
                }
                b'c' => {
                    let m = self.line_str()?;
                    let n = self.line_str()?;
                    let g = self.import(&m, &n, "GLOBAL");
                    self.push(g)?;
                }
                0x93 => {
                    let name = self.pop()?;
                    let module = self.pop()?;
                    let g = match (&module, &name) {
                        (V::Str(m), V::Str(n)) => {
                            let (m, n) = (m.to_string(), n.to_string());
                            self.import(&m, &n, "STACK_GLOBAL")
                        }
                        _ => {
                            self.unresolved(format!(
                                "STACK_GLOBAL operands are not known strings (module: {}, name: {})",
                                kind(&module),
                                kind(&name)
                            ));
                            V::Hidden
                        }
                    };
                    self.push(g)?;
                }
                b'i' => {
                    let m = self.line_str()?;
                    let n = self.line_str()?;
                    let args = self.pop_mark()?;
                    let g = self.import(&m, &n, "INST");
                    let v = self.call(g, tuple(args), "INST")?;
                    self.push(v)?;
                }
                b'o' => {
                    let mut items = self.pop_mark()?;
                    if items.is_empty() {
                        return self.invalid("OBJ without a class");
                    }
                    let cls = items.remove(0);
                    let v = self.call(cls, tuple(items), "OBJ")?;
                    self.push(v)?;
                }
                0x81 => {
                    let args = self.pop()?;
                    let cls = self.pop()?;
                    let v = self.call(cls, args, "NEWOBJ")?;
                    self.push(v)?;
                }
                0x92 => {
                    let _kwargs = self.pop()?;
                    let args = self.pop()?;
                    let cls = self.pop()?;
                    let v = self.call(cls, args, "NEWOBJ_EX")?;
                    self.push(v)?;
                }
                b'R' => {
                    let args = self.pop()?;
                    let f = self.pop()?;
                    let v = self.call(f, args, "REDUCE")?;
                    self.push(v)?;
                }
                b'b' => {
                    let state = self.pop()?;
                    let obj = self.pop()?;
                    let built = match obj {
                        V::Global(g) => {
                            let msg = format!(
                                "BUILD sets state on the imported object `{}.{}`",
                                g.0, g.1
                            );
                            let f = Finding::new(
                                &rules::pickle_global_mutation::RULE,
                                msg,
                                self.sink.at(self.op_at),
                            )
                            .with_import(&g.0, &g.1);
                            self.sink.out.push(f);
                            V::Global(g)
                        }
                        V::Obj(o, depth) => {
                            if o.callable.as_ref().is_some_and(|g| {
                                g.0 == "joblib.numpy_pickle" && g.1 == "NumpyArrayWrapper"
                            }) {
                                self.joblib_array(&state)?;
                            }
                            // state is not kept: only calls and their arguments matter
                            V::Obj(o, depth)
                        }
                        other => other,
                    };
                    self.push(built)?;
                }
                0x82..=0x84 => {
                    let k = [1, 2, 4][(op - 0x82) as usize];
                    let code = self.n(k)?;
                    self.unresolved(format!("EXT{k} extension code {code}: the import depends on the copyreg registry at load time"));
                    self.push(V::Hidden)?;
                }
                b'P' => {
                    self.src.line(MAX_STR as usize)?;
                    self.push(V::Unknown)?;
                }
                b'Q' => {
                    self.pop()?;
                    self.push(V::Unknown)?;
                }
                b'g' => {
                    let l = self.line_str()?;
                    let Ok(i) = l.trim().parse::<u64>() else {
                        return self.invalid("GET with a non-integer slot");
                    };
                    self.get(i)?;
                }
                b'h' => {
                    let i = self.n(1)?;
                    self.get(i)?;
                }
                b'j' => {
                    let i = self.n(4)?;
                    self.get(i)?;
                }
                b'p' => {
                    let l = self.line_str()?;
                    let Ok(i) = l.trim().parse::<u64>() else {
                        return self.invalid("PUT with a non-integer slot");
                    };
                    self.memo_put(i)?;
                }
                b'q' => {
                    let i = self.n(1)?;
                    self.memo_put(i)?;
                }
                b'r' => {
                    let i = self.n(4)?;
                    self.memo_put(i)?;
                }
                0x94 => {
                    let i = self.memo.len() as u64;
                    self.memo_put(i)?;
                }
                other => return self.invalid(format!("invalid opcode 0x{other:02x}")),
            }
        }
    }

    fn get(&mut self, i: u64) -> Result<(), WalkError> {
        // CPython fails the load on a missing slot; a scanner must not guess what it holds.
        let v = self.memo.get(&i).cloned().unwrap_or(V::Unknown);
        self.push(v)
    }

    /// joblib writes a numeric array's raw bytes right after its wrapper's BUILD: skip them
    /// (size from the wrapper's dtype and shape); an object array is followed by a nested pickle.
    fn joblib_array(&mut self, state: &V) -> Result<(), WalkError> {
        // joblib ends the frame before writing the array: the bytes follow the frame
        if let Some(e) = self.frame_end {
            if self.src.pos() == e {
                self.frame_end = None;
            } else {
                self.anomaly("joblib array data starts inside a FRAME".into());
            }
        }
        let dtype = match state.dict_get("dtype") {
            Some(V::Obj(d, _)) => match &d.args {
                V::Tuple(t, _) => match t.first() {
                    Some(V::Str(s)) => Some(s.to_string()),
                    _ => None,
                },
                _ => None,
            },
            _ => None,
        };
        let Some(dtype) = dtype else {
            return self.invalid("joblib array wrapper without a readable dtype");
        };
        let at = self.src.pos();
        let Some(itemsize) = itemsize(&dtype) else {
            return self.invalid(format!("joblib array with unsupported dtype {dtype:?}"));
        };
        if itemsize == 0 {
            // object array: a whole pickle follows
            let f = Finding::new(
                &rules::npy_object_array::RULE,
                "joblib object array: its embedded pickle was scanned".to_string(),
                self.sink.at(at),
            );
            self.sink.out.push(f);
            if self.depth >= MAX_DEPTH {
                return self.limit("pickles nested too deep");
            }
            walk_one(self.src, self.sink, self.depth + 1)?;
            return Ok(());
        }
        let shape = match state.dict_get("shape") {
            Some(V::Tuple(t, _)) => t
                .iter()
                .map(|v| {
                    if let V::Int(i) = v {
                        u64::try_from(*i).ok()
                    } else {
                        None
                    }
                })
                .collect::<Option<Vec<u64>>>(),
            _ => None,
        };
        let Some(shape) = shape else {
            return self.invalid("joblib array wrapper without a readable shape");
        };
        let count = shape.iter().try_fold(1u64, |a, &d| a.checked_mul(d));
        let Some(size) = count.and_then(|c| c.checked_mul(itemsize)) else {
            return self.invalid("joblib array size overflows");
        };
        if state.dict_get("numpy_array_alignment_bytes").is_some() {
            let pad = self.src.u8()?;
            self.src.skip(u64::from(pad))?;
        }
        self.src.skip(size)?;
        Ok(())
    }
}

/// Bytes per item of a NumPy dtype string (`f8`, `<i4`, `U10`, `O8`); 0 for object.
pub fn itemsize(d: &str) -> Option<u64> {
    let d = d.trim_start_matches(['<', '>', '|', '=']);
    let mut chars = d.chars();
    let kind = chars.next()?;
    let rest: String = chars.take_while(|c| c.is_ascii_digit()).collect();
    let n: u64 = if rest.is_empty() {
        0
    } else {
        rest.parse().ok()?
    };
    match kind {
        'O' => Some(0),
        '?' => Some(1),
        'b' | 'i' | 'u' | 'f' | 'c' | 'S' | 'a' | 'V' | 'M' | 'm' if n > 0 => Some(n),
        'U' if n > 0 => n.checked_mul(4),
        _ => None,
    }
}

fn tuple(items: Vec<V>) -> V {
    if items.len() > MAX_WIDTH {
        return V::Other;
    }
    let items: Vec<V> = items.into_iter().map(V::clip).collect();
    let depth = 1 + items.iter().map(V::depth).max().unwrap_or(0);
    V::Tuple(Rc::new(items), depth)
}

fn dict_insert(target: &mut V, items: Vec<V>) {
    if let V::Dict(d, depth) = target {
        let d = Rc::make_mut(d);
        for kv in items.chunks_exact(2) {
            if d.len() >= MAX_WIDTH {
                break;
            }
            let (k, v) = (kv[0].clone().clip(), kv[1].clone().clip());
            *depth = (*depth).max(1 + k.depth().max(v.depth()));
            d.push((k, v));
        }
    }
}

fn kind(v: &V) -> &'static str {
    match v {
        V::Str(_) => "a string",
        V::Bytes => "bytes",
        V::Int(_) | V::Long(_) => "an integer",
        V::Global(_) => "an imported object",
        V::Tuple(..) => "a tuple",
        V::Dict(..) => "a dict",
        V::List => "a list",
        V::Obj(..) => "the result of a call",
        V::Hidden => "an unresolved import",
        V::Unknown => "an unknown value (empty memo slot or persistent id)",
        V::Other => "a value the scanner does not track",
    }
}

/// Decode a protocol-0 `STRING` argument (`'...'` or `"..."` with Python escapes).
fn unquote(l: &[u8]) -> Option<String> {
    let l = l.strip_suffix(b"\r").unwrap_or(l);
    if l.len() < 2 || l[0] != l[l.len() - 1] || !(l[0] == b'\'' || l[0] == b'"') {
        return None;
    }
    let body = &l[1..l.len() - 1];
    let mut out = Vec::with_capacity(body.len());
    let mut i = 0;
    while i < body.len() {
        let c = body[i];
        if c != b'\\' || i + 1 >= body.len() {
            out.push(c);
            i += 1;
            continue;
        }
        let e = body[i + 1];
        i += 2;
        match e {
            b'n' => out.push(b'\n'),
            b't' => out.push(b'\t'),
            b'r' => out.push(b'\r'),
            b'0' => out.push(0),
            b'x' if i + 2 <= body.len() => {
                let h = std::str::from_utf8(&body[i..i + 2])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match h {
                    Some(b) => out.push(b),
                    None => out.extend_from_slice(b"\\x"),
                }
                i += 2;
            }
            b'\\' | b'\'' | b'"' => out.push(e),
            other => {
                out.push(b'\\');
                out.push(other);
            }
        }
    }
    Some(String::from_utf8_lossy(&out).into_owned())
}

/// Decode a protocol-0 `UNICODE` argument (raw-unicode-escape: only `\uXXXX`/`\UXXXXXXXX`).
fn unescape_unicode(l: &[u8]) -> String {
    let s: String = l.iter().map(|&b| b as char).collect(); // latin-1
    let mut out = String::with_capacity(s.len());
    let mut it = s.char_indices().peekable();
    let bytes = s.as_bytes();
    while let Some((i, c)) = it.next() {
        if c == '\\' && i + 1 < bytes.len() && (bytes[i + 1] == b'u' || bytes[i + 1] == b'U') {
            let w = if bytes[i + 1] == b'u' { 4 } else { 8 };
            if let Some(h) = s.get(i + 2..i + 2 + w) {
                if let Some(ch) = u32::from_str_radix(h, 16).ok().and_then(char::from_u32) {
                    out.push(ch);
                    for _ in 0..w + 1 {
                        it.next();
                    }
                    continue;
                }
            }
        }
        out.push(c);
    }
    out
}
