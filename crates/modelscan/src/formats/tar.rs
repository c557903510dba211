//! Tar archives (ustar, GNU long names, pax `path`), including PyTorch's oldest format (a tar of
//! `sys_info`, `pickle`, `storages`, `tensors`). Members are scanned in place; links (ARC002),
//! traversal (ARC001) and duplicates (ARC003) are findings.

use std::collections::HashMap;

use crate::blob::{read_at_most, Blob, Slice};
use crate::pickle::Mode;
use crate::rules;

use super::{zip::traversal, Ctx};

/// Most members read.
const MAX_MEMBERS: usize = 1_000_000;

fn octal(f: &[u8]) -> Option<u64> {
    if f.first().is_some_and(|b| b & 0x80 != 0) {
        // GNU base-256
        return f[1..].iter().try_fold(u64::from(f[0] & 0x7f), |a, &b| {
            a.checked_mul(256).map(|x| x | u64::from(b))
        });
    }
    let s: String = f
        .iter()
        .take_while(|&&b| b != 0)
        .map(|&b| b as char)
        .collect();
    let s = s.trim();
    if s.is_empty() {
        return Some(0);
    }
    u64::from_str_radix(s, 8).ok()
}

fn cstr(f: &[u8]) -> String {
    let end = f.iter().position(|&b| b == 0).unwrap_or(f.len());
    String::from_utf8_lossy(&f[..end]).into_owned()
}

/// Scan a tar archive; returns `tar` or `pytorch-tar`.
pub(crate) fn scan(ctx: &mut Ctx, blob: &dyn Blob, _name: &str) -> String {
    if ctx.depth >= ctx.opts.max_archive_depth {
        ctx.report(
            &rules::archive_depth_limit::RULE,
            format!(
                "archive nested {} levels deep; its members were not scanned",
                ctx.depth
            ),
            None,
        );
        return "tar".into();
    }
    let mut members: Vec<(String, u64, u64)> = Vec::new();
    let mut off = 0u64;
    let mut long_name: Option<String> = None;
    let mut seen: HashMap<String, usize> = HashMap::new();
    while off + 512 <= blob.len() && members.len() < MAX_MEMBERS {
        let h = match read_at_most(blob, off, 512) {
            Ok(h) => h,
            Err(e) => {
                ctx.malformed("tar", e, Some(off));
                break;
            }
        };
        if h.iter().all(|&b| b == 0) {
            break;
        }
        let sum: u64 = h
            .iter()
            .enumerate()
            .map(|(i, &b)| {
                if (148..156).contains(&i) {
                    32
                } else {
                    u64::from(b)
                }
            })
            .sum();
        if octal(&h[148..156]) != Some(sum) {
            ctx.malformed("tar", "header checksum mismatch", Some(off));
            break;
        }
        let Some(size) = octal(&h[124..136]) else {
            ctx.malformed("tar", "bad size field", Some(off));
            break;
        };
        let data = off + 512;
        if size > blob.len() - data {
            ctx.malformed(
                "tar",
                format!("member of {size} bytes runs past the end"),
                Some(off),
            );
            break;
        }
        let typ = h[156];
        let mut name = cstr(&h[0..100]);
        if &h[257..262] == b"ustar" {
            let prefix = cstr(&h[345..500]);
            if !prefix.is_empty() {
                name = format!("{prefix}/{name}");
            }
        }
        if let Some(n) = long_name.take() {
            name = n;
        }
        match typ {
            b'L' | b'x' => {
                let body = read_at_most(blob, data, size.min(1 << 20)).unwrap_or_default();
                long_name = if typ == b'L' {
                    Some(cstr(&body))
                } else {
                    String::from_utf8_lossy(&body)
                        .lines()
                        .find_map(|l| l.split_once(" path=").map(|(_, p)| p.to_string()))
                };
            }
            b'1' | b'2' => {
                let target = cstr(&h[157..257]);
                ctx.report(
                    &rules::archive_link_member::RULE,
                    format!(
                        "member {name:?} is a {} to {target:?}",
                        if typ == b'2' { "symlink" } else { "hard link" }
                    ),
                    Some(off),
                );
            }
            b'0' | 0 | b'7' => {
                *seen.entry(name.clone()).or_default() += 1;
                members.push((name.clone(), data, size));
            }
            _ => {}
        }
        if traversal(&name) {
            ctx.report(
                &rules::archive_path_traversal::RULE,
                format!("member name {name:?} escapes the extraction directory"),
                Some(off),
            );
        }
        off = data + size.div_ceil(512) * 512;
    }
    for (n, c) in &seen {
        if *c > 1 {
            ctx.report(
                &rules::archive_duplicate_member::RULE,
                format!("member name {n:?} occurs {c} times"),
                None,
            );
        }
    }
    let torch = members
        .iter()
        .any(|(n, _, _)| n == "pickle" || n.ends_with("/pickle"))
        && members.iter().any(|(n, _, _)| n.ends_with("storages"));
    ctx.depth += 1;
    for (name, data, size) in &members {
        let slice = Slice::new(blob, *data, *size);
        let base = name.rsplit('/').next().unwrap_or(name);
        ctx.member(name, |ctx| {
            if torch && (base == "storages" || base == "tensors") {
                // a count pickle, then per-entry pickles interleaved with raw bytes
                ctx.pickles(&slice, 0, Mode::Embedded);
            } else {
                super::scan_blob(ctx, &slice, name);
            }
        });
    }
    ctx.depth -= 1;
    if torch { "pytorch-tar" } else { "tar" }.into()
}
