//! PyTorch: legacy (non-zip) files are five pickles (magic number, protocol version, system
//! info, the object, the storage keys) followed by raw storage bytes, which are not parsed.
//! The zip format is handled by the zip layer (`archive/data.pkl`, any pickle member, `version`).

use crate::blob::Blob;
use crate::pickle::{Literal, Mode, Summary};
use crate::rules;

use super::Ctx;

/// A legacy file starts with the protocol-2 pickle of `0x1950a86a20f9469cfc6c` (LONG1, 10 bytes).
pub(crate) const LEGACY_MAGIC: &[u8] = b"\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19";

fn magic_value() -> Literal {
    Literal::Long(LEGACY_MAGIC[4..].to_vec())
}

/// Scan a legacy PyTorch file: its five header pickles. Bytes after them are tensor data.
pub(crate) fn scan_legacy(ctx: &mut Ctx, blob: &dyn Blob) {
    let sum = ctx.pickles(blob, 0, Mode::First(5));
    if sum.tops.first() != Some(&magic_value()) {
        ctx.report(
            &rules::torch_legacy_magic::RULE,
            "the first pickle is not the literal PyTorch magic number",
            Some(0),
        );
    } else if !matches!(sum.tops.get(1), Some(Literal::Int(_))) && sum.pickles > 1 {
        ctx.report(
            &rules::torch_legacy_magic::RULE,
            "the protocol-version pickle is not a literal integer",
            None,
        );
    }
}

/// A pickle named like a PyTorch checkpoint (`.pt`, `.pth`, `.ckpt`) that is not the legacy
/// format: `torch.load` unpickles its first pickle as the magic number.
pub(crate) fn check_pickle_named_like_torch(ctx: &mut Ctx, name: &str, sum: &Summary) {
    let lower = name.to_ascii_lowercase();
    if [".pt", ".pth", ".ckpt"].iter().any(|e| lower.ends_with(e))
        && sum.tops.first() != Some(&magic_value())
    {
        ctx.report(
            &rules::torch_legacy_magic::RULE,
            "a PyTorch-named pickle whose first pickle is not the literal magic number",
            Some(0),
        );
    }
}
