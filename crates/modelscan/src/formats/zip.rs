//! Zip archives (PyTorch checkpoints, `.npz`, `.keras`, plain zips), read by our own bounded
//! central-directory walker. Hostile archives produce findings, not crashes: traversal and
//! absolute names (ARC001), symlinks (ARC002), duplicate or disagreeing names (ARC003),
//! overlapping entries (ARC004), bombs (ARC005, checked from the headers before inflating and
//! enforced while inflating), nesting depth (ARC006), encrypted or unsupported members (ARC007).
//!
//! Members are routed by content. Stored members are scanned in place (a window of the file);
//! deflated members are inflated into memory up to `max_inflate`, or streamed when larger
//! (pickle and npy only). PyTorch tensor storages (`<root>/data/<key>`) are skipped unread.

use std::collections::HashMap;

use crate::blob::{read_at_most, Blob, Cursor, Slice, Src};
use crate::rules;

use super::{keras, Ctx};

/// Members more than this many times larger than their compressed size are bombs (above 1 MiB).
const MAX_RATIO: u64 = 1000;
/// Largest declared member size accepted.
const MAX_MEMBER: u64 = 16 << 30;
/// Largest declared archive total accepted.
const MAX_TOTAL: u64 = 64 << 30;
/// Most entries read from a central directory.
const MAX_ENTRIES: u64 = 1_000_000;

/// One central-directory entry.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub name: String,
    pub method: u16,
    pub flags: u16,
    pub csize: u64,
    pub usize: u64,
    pub local: u64,
    pub mode: u32,
    pub made_by_unix: bool,
}

fn u16le(b: &[u8], o: usize) -> u16 {
    u16::from_le_bytes([b[o], b[o + 1]])
}
fn u32le(b: &[u8], o: usize) -> u32 {
    u32::from_le_bytes([b[o], b[o + 1], b[o + 2], b[o + 3]])
}
fn u64le(b: &[u8], o: usize) -> u64 {
    u64::from(u32le(b, o)) | (u64::from(u32le(b, o + 4)) << 32)
}

/// Read the central directory.
pub(crate) fn entries(blob: &dyn Blob) -> Result<Vec<Entry>, String> {
    let len = blob.len();
    let tail_len = len.min(65_557);
    let tail = read_at_most(blob, len - tail_len, tail_len).map_err(|e| e.to_string())?;
    let eocd = (0..tail.len().saturating_sub(21))
        .rev()
        .find(|&i| tail[i..].starts_with(b"PK\x05\x06"))
        .ok_or("no end-of-central-directory record")?;
    let e = &tail[eocd..];
    let mut count = u64::from(u16le(e, 10));
    let mut cd_size = u64::from(u32le(e, 12));
    let mut cd_off = u64::from(u32le(e, 16));
    if count == 0xffff || cd_size == 0xffff_ffff || cd_off == 0xffff_ffff {
        // zip64: the locator sits right before the EOCD
        let loc_at = (len - tail_len + eocd as u64)
            .checked_sub(20)
            .ok_or("zip64 locator missing")?;
        let loc = read_at_most(blob, loc_at, 20).map_err(|e| e.to_string())?;
        if !loc.starts_with(b"PK\x06\x07") {
            return Err("zip64 locator missing".into());
        }
        let rec = read_at_most(blob, u64le(&loc, 8), 56).map_err(|e| e.to_string())?;
        if !rec.starts_with(b"PK\x06\x06") {
            return Err("zip64 end record missing".into());
        }
        count = u64le(&rec, 32);
        cd_size = u64le(&rec, 40);
        cd_off = u64le(&rec, 48);
    }
    if count > MAX_ENTRIES || count.saturating_mul(46) > cd_size {
        return Err(format!(
            "{count} entries cannot fit a {cd_size}-byte central directory"
        ));
    }
    let cd = read_at_most(blob, cd_off, cd_size).map_err(|e| format!("central directory: {e}"))?;
    let mut out = Vec::with_capacity(count as usize);
    let mut p = 0usize;
    for _ in 0..count {
        if p + 46 > cd.len() || !cd[p..].starts_with(b"PK\x01\x02") {
            return Err(format!(
                "bad central directory entry at {}",
                cd_off + p as u64
            ));
        }
        let h = &cd[p..p + 46];
        let (nl, xl, cl) = (
            u16le(h, 28) as usize,
            u16le(h, 30) as usize,
            u16le(h, 32) as usize,
        );
        if p + 46 + nl + xl + cl > cd.len() {
            return Err("central directory entry runs past its end".into());
        }
        let name_b = &cd[p + 46..p + 46 + nl];
        let name = String::from_utf8_lossy(name_b).into_owned();
        let mut e = Entry {
            name,
            method: u16le(h, 10),
            flags: u16le(h, 8),
            csize: u64::from(u32le(h, 20)),
            usize: u64::from(u32le(h, 24)),
            local: u64::from(u32le(h, 42)),
            mode: u32le(h, 38) >> 16,
            made_by_unix: h[5] == 3,
        };
        // zip64 extra field: the 0xffffffff fields, in order
        let mut x = &cd[p + 46 + nl..p + 46 + nl + xl];
        while x.len() >= 4 {
            let (id, sz) = (u16le(x, 0), u16le(x, 2) as usize);
            let body = &x[4..(4 + sz).min(x.len())];
            if id == 1 {
                let mut q = 0;
                for f in [&mut e.usize, &mut e.csize, &mut e.local] {
                    if *f == 0xffff_ffff && q + 8 <= body.len() {
                        *f = u64le(body, q);
                        q += 8;
                    }
                }
            }
            x = &x[(4 + sz).min(x.len())..];
        }
        out.push(e);
        p += 46 + nl + xl + cl;
    }
    Ok(out)
}

/// Whether a member name escapes the extraction root.
pub(crate) fn traversal(name: &str) -> bool {
    let n = name.replace('\\', "/");
    n.starts_with('/')
        || n.split('/').any(|c| c == "..")
        || (n.len() >= 2 && n.as_bytes()[1] == b':' && n.as_bytes()[0].is_ascii_alphabetic())
}

/// Which kind of zip this is, from its member names.
fn flavour(es: &[Entry]) -> &'static str {
    if es
        .iter()
        .any(|e| e.name == "data.pkl" || e.name.ends_with("/data.pkl"))
    {
        "pytorch-zip"
    } else if es.iter().any(|e| e.name == "config.json")
        && es
            .iter()
            .any(|e| e.name == "metadata.json" || e.name.ends_with(".weights.h5"))
    {
        "keras"
    } else if !es.is_empty()
        && es
            .iter()
            .all(|e| e.name.ends_with(".npy") || e.name.ends_with('/'))
    {
        "npz"
    } else {
        "zip"
    }
}

/// PyTorch tensor storages: `<root>/data/<key>` in a checkpoint zip.
fn is_torch_storage(name: &str) -> bool {
    let mut parts = name.rsplit('/');
    let key = parts.next().unwrap_or("");
    parts.next() == Some("data") && !key.is_empty() && !key.ends_with(".pkl")
}

/// Scan a zip archive; returns its flavour.
pub(crate) fn scan(ctx: &mut Ctx, blob: &dyn Blob, _name: &str) -> String {
    let es = match entries(blob) {
        Ok(es) => es,
        Err(e) => {
            ctx.malformed("zip", e, None);
            return "zip".into();
        }
    };
    let kind = flavour(&es);
    if ctx.depth >= ctx.opts.max_archive_depth {
        ctx.report(
            &rules::archive_depth_limit::RULE,
            format!(
                "archive nested {} levels deep; its members were not scanned",
                ctx.depth
            ),
            None,
        );
        return kind.into();
    }
    // structural checks over all entries first
    let mut names: HashMap<&str, usize> = HashMap::new();
    let mut total = 0u64;
    for e in &es {
        *names.entry(e.name.as_str()).or_default() += 1;
        total = total.saturating_add(e.usize);
        if traversal(&e.name) {
            ctx.report(
                &rules::archive_path_traversal::RULE,
                format!("member name {:?} escapes the extraction directory", e.name),
                Some(e.local),
            );
        }
        if e.made_by_unix && e.mode & 0o170000 == 0o120000 {
            ctx.report(
                &rules::archive_link_member::RULE,
                format!("member {:?} is a symlink", e.name),
                Some(e.local),
            );
        }
    }
    for (n, c) in &names {
        if *c > 1 {
            ctx.report(
                &rules::archive_duplicate_member::RULE,
                format!("member name {n:?} occurs {c} times"),
                None,
            );
        }
    }
    if total > MAX_TOTAL {
        ctx.report(
            &rules::archive_bomb::RULE,
            format!("archive declares {total} uncompressed bytes (limit {MAX_TOTAL})"),
            None,
        );
    }
    // local headers: where each member's data really is
    let mut spans = Vec::with_capacity(es.len());
    for (i, e) in es.iter().enumerate() {
        let lh = match read_at_most(blob, e.local, 30) {
            Ok(b) if b.starts_with(b"PK\x03\x04") => b,
            _ => {
                ctx.report(
                    &rules::archive_overlapping_entries::RULE,
                    format!(
                        "member {:?} points at offset {} where there is no local header",
                        e.name, e.local
                    ),
                    Some(e.local),
                );
                spans.push(None);
                continue;
            }
        };
        let (nl, xl) = (u64::from(u16le(&lh, 26)), u64::from(u16le(&lh, 28)));
        if let Ok(ln) = read_at_most(blob, e.local + 30, nl) {
            if ln != e.name.as_bytes() {
                let shown = String::from_utf8_lossy(&ln).into_owned();
                ctx.report(
                    &rules::archive_duplicate_member::RULE,
                    format!(
                        "local header names {shown:?} but the central directory says {:?}",
                        e.name
                    ),
                    Some(e.local),
                );
            }
        }
        let data = e.local + 30 + nl + xl;
        let end = data.saturating_add(e.csize);
        if end > blob.len() {
            ctx.malformed(
                "zip",
                format!("member {:?} runs past the end of the archive", e.name),
                Some(e.local),
            );
            spans.push(None);
            continue;
        }
        spans.push(Some((e.local, end, data, i)));
    }
    let mut sorted: Vec<_> = spans.iter().flatten().copied().collect();
    sorted.sort();
    for w in sorted.windows(2) {
        if w[1].0 < w[0].1 {
            let (a, b) = (&es[w[0].3].name, &es[w[1].3].name);
            ctx.report(
                &rules::archive_overlapping_entries::RULE,
                format!("members {a:?} and {b:?} overlap"),
                Some(w[1].0),
            );
        }
    }
    ctx.depth += 1;
    for (e, span) in es.iter().zip(&spans) {
        let Some((_, _, data, _)) = *span else {
            continue;
        };
        if e.name.ends_with('/') || (kind == "pytorch-zip" && is_torch_storage(&e.name)) {
            continue;
        }
        ctx.member(&e.name.clone(), |ctx| member(ctx, blob, e, data, kind));
    }
    ctx.depth -= 1;
    kind.into()
}

fn member(ctx: &mut Ctx, blob: &dyn Blob, e: &Entry, data: u64, kind: &str) {
    if e.flags & 1 != 0 {
        ctx.report(
            &rules::archive_unscannable_member::RULE,
            "member is encrypted",
            Some(0),
        );
        return;
    }
    if e.usize > MAX_MEMBER || (e.usize > (1 << 20) && e.usize / e.csize.max(1) > MAX_RATIO) {
        ctx.report(&rules::archive_bomb::RULE, format!("member declares {} bytes from {} compressed (ratio or size over the limit); not inflated", e.usize, e.csize), Some(0));
        return;
    }
    let raw = Slice::new(blob, data, e.csize);
    match e.method {
        0 => {
            if e.usize != e.csize {
                ctx.malformed(
                    "zip",
                    format!("stored member sizes disagree ({} vs {})", e.usize, e.csize),
                    Some(0),
                );
            }
            route(ctx, &raw, e, kind);
        }
        8 if e.usize <= ctx.opts.max_inflate => {
            let mut out = Vec::with_capacity(e.usize.min(1 << 20) as usize);
            let dec = flate2::read::DeflateDecoder::new(Cursor::new(&raw, 0));
            let r =
                std::io::Read::read_to_end(&mut std::io::Read::take(dec, e.usize + 1), &mut out);
            if let Err(err) = r {
                ctx.malformed("deflate", err, Some(0));
                return;
            }
            if out.len() as u64 > e.usize {
                ctx.report(
                    &rules::archive_bomb::RULE,
                    format!("member inflates beyond its declared {} bytes", e.usize),
                    Some(0),
                );
                return;
            }
            route(ctx, &out, e, kind);
        }
        8 => {
            // too large to hold: stream (pickles and npy can be scanned sequentially)
            let dec = flate2::read::DeflateDecoder::new(Cursor::new(&raw, 0));
            let mut src = Src::from_stream(std::io::Read::take(dec, e.usize));
            super::scan_stream(ctx, &mut src, &e.name);
        }
        m => ctx.report(
            &rules::archive_unscannable_member::RULE,
            format!("compression method {m} is not supported"),
            Some(0),
        ),
    }
}

fn route(ctx: &mut Ctx, blob: &dyn Blob, e: &Entry, kind: &str) {
    let base = e.name.rsplit('/').next().unwrap_or(&e.name);
    if kind == "keras" && e.name == "config.json" {
        keras::scan_config_blob(ctx, blob);
        return;
    }
    if kind == "pytorch-zip" && base == "version" {
        let v = read_at_most(blob, 0, blob.len().min(64)).unwrap_or_default();
        if !v
            .iter()
            .all(|c| c.is_ascii_digit() || c.is_ascii_whitespace())
        {
            ctx.malformed("pytorch zip", "`version` record is not a number", Some(0));
        }
        return;
    }
    if base.ends_with(".json") {
        return;
    }
    let fmt = super::scan_blob(ctx, blob, &e.name);
    let _ = fmt;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traversal_names() {
        assert!(traversal("../etc/passwd"));
        assert!(traversal("a/../../b"));
        assert!(traversal("/abs"));
        assert!(traversal("C:\\x"));
        assert!(traversal("a\\..\\b"));
        assert!(!traversal("archive/data.pkl"));
        assert!(!traversal("a..b/c"));
    }

    #[test]
    fn torch_storage_names() {
        assert!(is_torch_storage("archive/data/0"));
        assert!(is_torch_storage("model/data/123"));
        assert!(!is_torch_storage("archive/data.pkl"));
        assert!(!is_torch_storage("archive/version"));
    }
}
