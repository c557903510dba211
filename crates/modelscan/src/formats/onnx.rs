//! ONNX (protobuf), walked in place with offsets so multi-hundred-MB initializers are skipped,
//! never copied. Checked: every tensor's `external_data` `location` (ONX001: absolute, `..`,
//! drive letters) and node/opset/function domains outside the standard set (ONX002).
//! Messages walked: ModelProto → graph, opset_import, functions; GraphProto → node, initializer,
//! sparse_initializer; NodeProto → domain, attribute; AttributeProto → t, g, tensors, graphs,
//! sparse tensors; TensorProto → external_data. Nesting is bounded.

use crate::blob::{read_at_most, Blob};
use crate::rules;

use super::{zip::traversal, Ctx};

const STANDARD: &[&str] = &[
    "",
    "ai.onnx",
    "ai.onnx.ml",
    "ai.onnx.training",
    "ai.onnx.preview.training",
    "com.microsoft",
    "com.microsoft.nchwc",
    "com.microsoft.experimental",
];
const MAX_DEPTH: u8 = 32;

#[derive(Clone, Copy, PartialEq)]
enum Msg {
    Model,
    Graph,
    Node,
    Attr,
    Tensor,
    Sparse,
    Func,
    Opset,
    Entry,
}

fn children(m: Msg, field: u64) -> Option<Msg> {
    use Msg::*;
    Some(match (m, field) {
        (Model, 7) => Graph,
        (Model, 8) | (Func, 9) => Opset,
        (Model, 14) => Func,
        (Graph, 1) | (Func, 7) => Node,
        (Graph, 5) | (Attr, 5) | (Attr, 10) | (Sparse, 1) | (Sparse, 2) => Tensor,
        (Graph, 15) | (Attr, 22) | (Attr, 23) => Sparse,
        (Node, 5) => Attr,
        (Attr, 6) | (Attr, 11) => Graph,
        (Tensor, 13) => Entry,
        _ => return None,
    })
}

struct Walker<'b> {
    blob: &'b dyn Blob,
    buf: Vec<u8>,
}

impl Walker<'_> {
    fn byte(&mut self, at: u64) -> Result<u8, String> {
        let mut b = [0u8; 1];
        match self.blob.read_at(at, &mut b) {
            Ok(1) => Ok(b[0]),
            _ => Err(format!("truncated at offset {at}")),
        }
    }
    fn varint(&mut self, at: &mut u64) -> Result<u64, String> {
        let mut v = 0u64;
        for i in 0..10 {
            let b = self.byte(*at)?;
            *at += 1;
            v |= u64::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err("varint too long".into())
    }
    fn string(&mut self, at: u64, n: u64) -> Result<String, String> {
        if n > 1 << 20 {
            return Err("string too long".into());
        }
        read_at_most(self.blob, at, n)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .map_err(|e| e.to_string())
    }
    /// Walk message `m` in `[start, end)`; calls `f` for interesting strings.
    fn walk(
        &mut self,
        m: Msg,
        start: u64,
        end: u64,
        depth: u8,
        out: &mut Vec<(u64, &'static str, String)>,
    ) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err("messages nested too deep".into());
        }
        let mut at = start;
        let mut entry = (None::<String>, None::<String>);
        while at < end {
            let key = self.varint(&mut at)?;
            let (field, wire) = (key >> 3, key & 7);
            match wire {
                0 => {
                    self.varint(&mut at)?;
                }
                1 => at += 8,
                5 => at += 4,
                2 => {
                    let n = self.varint(&mut at)?;
                    let body = at;
                    at = at
                        .checked_add(n)
                        .filter(|&e| e <= end)
                        .ok_or(format!("field {field} of {n} bytes runs past its message"))?;
                    if let Some(c) = children(m, field) {
                        self.walk(c, body, at, depth + 1, out)?;
                    } else {
                        match (m, field) {
                            (Node, 7) | (Opset, 1) | (Func, 10) => {
                                out.push((body, "domain", self.string(body, n)?))
                            }
                            (Entry, 1) => entry.0 = Some(self.string(body, n)?),
                            (Entry, 2) => entry.1 = Some(self.string(body, n)?),
                            _ => {}
                        }
                    }
                }
                w => return Err(format!("wire type {w} at offset {at}")),
            }
        }
        if at != end {
            return Err("message overruns its length".into());
        }
        if let (Some(k), Some(v)) = entry {
            if k == "location" {
                out.push((start, "location", v));
            }
        }
        Ok(())
    }
}
use Msg::*;

/// Scan an ONNX model.
pub(crate) fn scan(ctx: &mut Ctx, blob: &dyn Blob) {
    let mut w = Walker {
        blob,
        buf: Vec::new(),
    };
    let mut out = Vec::new();
    let r = w.walk(Model, 0, blob.len(), 0, &mut out);
    let _ = &w.buf;
    let mut seen = std::collections::HashSet::new();
    for (at, what, v) in out {
        if what == "location" && (traversal(&v) || v.contains('\0')) {
            ctx.report(
                &rules::onnx_external_data_path::RULE,
                format!("external data location {v:?} escapes the model directory"),
                Some(at),
            );
        }
        if what == "domain" && !STANDARD.contains(&v.as_str()) && seen.insert(v.clone()) {
            ctx.report(
                &rules::onnx_custom_domain::RULE,
                format!("operators from custom domain {v:?}"),
                Some(at),
            );
        }
    }
    if let Err(e) = r {
        ctx.malformed("onnx", e, None);
    }
}
