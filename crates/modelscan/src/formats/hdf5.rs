//! HDF5 (Keras `.h5`): a documented byte-level search rather than an HDF5 parser. Keras stores
//! the architecture as the root attribute `model_config`, a JSON string held contiguously in the
//! file (an inline attribute or a global-heap object). We search for `{"class_name"` or
//! `{"module"` and parse
//! the JSON value that starts there, then apply the Keras checks.
//!
//! Limits: attributes stored compressed or split across chunks are not seen (Keras never writes
//! them that way); configs over 16 MiB are only searched for the literal `"class_name": "Lambda"`.

use crate::blob::{read_at_most, Blob};
use crate::rules;

use super::{keras, Ctx};

/// Keras 2 configs start `{"class_name"`, Keras 3 ones `{"module"`.
const NEEDLES: [&[u8]; 2] = [b"{\"class_name\"", b"{\"module\""];
const WINDOW: u64 = 8 << 20;
const MAX_JSON: u64 = 16 << 20;

/// Scan an HDF5 file for Keras model configs.
pub(crate) fn scan(ctx: &mut Ctx, blob: &dyn Blob) {
    let finders = NEEDLES.map(memchr::memmem::Finder::new);
    let mut off = 0u64;
    let mut found = 0;
    while off < blob.len() && found < 64 {
        let n = WINDOW.min(blob.len() - off);
        let Ok(buf) = read_at_most(blob, off, n) else {
            break;
        };
        let Some(i) = finders.iter().filter_map(|f| f.find(&buf)).min() else {
            if off + n >= blob.len() {
                break;
            }
            off += n.saturating_sub(16).max(1);
            continue;
        };
        let at = off + i as u64;
        let take = MAX_JSON.min(blob.len() - at);
        let Ok(json) = read_at_most(blob, at, take) else {
            break;
        };
        let mut it = serde_json::Deserializer::from_slice(&json).into_iter::<serde_json::Value>();
        match it.next() {
            Some(Ok(v)) => {
                keras::check(ctx, &v, Some(at));
                found += 1;
                off = at + it.byte_offset().max(1) as u64;
            }
            _ => {
                if memchr::memmem::find(&json, b"\"class_name\": \"Lambda\"").is_some() {
                    ctx.report(
                        &rules::keras_lambda_layer::RULE,
                        "a Lambda layer in an unparsed model config",
                        Some(at),
                    );
                }
                off = at + 1;
            }
        }
    }
}
