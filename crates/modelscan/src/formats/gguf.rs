//! GGUF (llama.cpp): header, metadata key/values and tensor infos, read sequentially with every
//! count and length checked against the bytes that remain. Chat templates
//! (`tokenizer.chat_template*`) are checked for Jinja constructs that reach Python object
//! internals (GGF001). Tensor data is never read.

use crate::blob::{Blob, Src};
use crate::rules;

use super::Ctx;

/// Template fragments that only an injection needs.
const TEMPLATE_RED_FLAGS: &[&str] = &[
    "__class__",
    "__globals__",
    "__subclasses__",
    "__builtins__",
    "__import__",
    "__mro__",
    "__base__",
    "__init__",
    "__getattribute__",
    "__dict__",
    "__code__",
    "popen",
    "os.system",
    "subprocess",
    "eval(",
    "exec(",
    "import os",
];

fn err<T>(m: impl Into<String>) -> Result<T, String> {
    Err(m.into())
}

struct R<'s, 'a> {
    src: &'s mut Src<'a>,
    v1: bool,
}

impl R<'_, '_> {
    fn u32(&mut self) -> Result<u32, String> {
        let mut b = [0u8; 4];
        self.src.exact(&mut b).map_err(|e| e.to_string())?;
        Ok(u32::from_le_bytes(b))
    }
    fn u64(&mut self) -> Result<u64, String> {
        let mut b = [0u8; 8];
        self.src.exact(&mut b).map_err(|e| e.to_string())?;
        Ok(u64::from_le_bytes(b))
    }
    fn len(&mut self) -> Result<u64, String> {
        if self.v1 {
            self.u32().map(u64::from)
        } else {
            self.u64()
        }
    }
    fn string(&mut self, keep: bool) -> Result<Option<String>, String> {
        let n = self.len()?;
        if keep {
            let b = self.src.read_vec(n).map_err(|e| e.to_string())?;
            Ok(Some(String::from_utf8_lossy(&b).into_owned()))
        } else {
            self.src.skip(n).map_err(|e| e.to_string())?;
            Ok(None)
        }
    }
    fn fixed(t: u32) -> Option<u64> {
        Some(match t {
            0 | 1 | 7 => 1,
            2 | 3 => 2,
            4..=6 => 4,
            10..=12 => 8,
            _ => return None,
        })
    }
    /// Read (and mostly skip) a value of type `t`; returns it when it is a kept string.
    fn value(&mut self, t: u32, keep: bool, depth: u8) -> Result<Option<String>, String> {
        if let Some(n) = Self::fixed(t) {
            self.src.skip(n).map_err(|e| e.to_string())?;
            return Ok(None);
        }
        match t {
            8 => self.string(keep),
            9 if depth < 4 => {
                let et = self.u32()?;
                let n = self.len()?;
                if let Some(sz) = Self::fixed(et) {
                    let total = n.checked_mul(sz).ok_or("array size overflows")?;
                    self.src.skip(total).map_err(|e| e.to_string())?;
                } else {
                    if self.src.remaining().is_some_and(|r| n > r / 8) {
                        return err(format!("array of {n} items cannot fit the remaining bytes"));
                    }
                    for _ in 0..n {
                        self.value(et, false, depth + 1)?;
                    }
                }
                Ok(None)
            }
            _ => err(format!("unknown value type {t}")),
        }
    }
}

fn walk(ctx: &mut Ctx, src: &mut Src) -> Result<(), String> {
    let mut magic = [0u8; 4];
    src.exact(&mut magic).map_err(|e| e.to_string())?;
    let mut r = R { src, v1: false };
    let version = r.u32()?;
    if !(1..=3).contains(&version) {
        return err(format!("unsupported version {version}"));
    }
    r.v1 = version == 1;
    let tensors = r.len()?;
    let kvs = r.len()?;
    let rem = r.src.remaining().unwrap_or(u64::MAX);
    if kvs > rem / 12 || tensors > rem / 24 {
        return err(format!(
            "{kvs} key/values and {tensors} tensors cannot fit the remaining {rem} bytes"
        ));
    }
    for _ in 0..kvs {
        let at = r.src.pos();
        let key = r.string(true)?.unwrap_or_default();
        let t = r.u32()?;
        let is_template = key.starts_with("tokenizer.chat_template");
        if let Some(v) = r.value(t, is_template, 0)? {
            let hits: Vec<&str> = TEMPLATE_RED_FLAGS
                .iter()
                .copied()
                .filter(|f| v.contains(f))
                .collect();
            if !hits.is_empty() {
                ctx.report(
                    &rules::gguf_template_injection::RULE,
                    format!("`{key}` contains {}", hits.join(", ")),
                    Some(at),
                );
            }
        }
    }
    for _ in 0..tensors {
        r.string(false)?;
        let dims = r.u32()?;
        if dims > 8 {
            return err(format!("tensor with {dims} dimensions"));
        }
        r.src
            .skip(u64::from(dims) * 8 + 4 + 8)
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Scan a GGUF file.
pub(crate) fn scan(ctx: &mut Ctx, blob: &dyn Blob) {
    let mut src = Src::from_blob(blob, 0);
    if let Err(e) = walk(ctx, &mut src) {
        let at = src.pos();
        ctx.malformed("gguf", e, Some(at));
    }
}
