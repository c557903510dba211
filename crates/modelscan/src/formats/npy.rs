//! NumPy `.npy`: the header is parsed (v1/v2/v3); numeric data is never read; an `object`
//! dtype means the data is a pickle, which is scanned.

use crate::blob::{Blob, Src};
use crate::pickle::Mode;
use crate::rules;

use super::Ctx;

/// Largest header accepted (NumPy itself refuses more than 10,000 bytes by default).
const MAX_HEADER: u64 = 1 << 20;

/// What the header says.
pub(crate) struct Header {
    pub descr: String,
    pub object: bool,
    pub shape: Vec<u64>,
    pub data_at: u64,
}

/// Parse a header from `src` (positioned at the magic).
pub(crate) fn header(src: &mut Src) -> Result<Header, String> {
    let mut magic = [0u8; 8];
    src.exact(&mut magic).map_err(|e| e.to_string())?;
    if &magic[..6] != b"\x93NUMPY" {
        return Err("bad magic".into());
    }
    let len = match magic[6] {
        1 => {
            let mut b = [0u8; 2];
            src.exact(&mut b).map_err(|e| e.to_string())?;
            u64::from(u16::from_le_bytes(b))
        }
        2 | 3 => {
            let mut b = [0u8; 4];
            src.exact(&mut b).map_err(|e| e.to_string())?;
            u64::from(u32::from_le_bytes(b))
        }
        v => return Err(format!("unsupported version {v}")),
    };
    if len > MAX_HEADER {
        return Err(format!("header length {len} exceeds {MAX_HEADER}"));
    }
    let raw = src.read_vec(len).map_err(|e| e.to_string())?;
    let text = if magic[6] == 3 {
        String::from_utf8(raw).map_err(|_| "header is not UTF-8")?
    } else {
        raw.iter().map(|&b| b as char).collect()
    };
    parse_dict(&text).map(|(descr, object, shape)| Header {
        descr,
        object,
        shape,
        data_at: src.pos(),
    })
}

/// Parse NumPy's header dict literal: `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`.
fn parse_dict(t: &str) -> Result<(String, bool, Vec<u64>), String> {
    let t = t.trim();
    if !t.starts_with('{') || !t.ends_with('}') {
        return Err("header is not a dict".into());
    }
    let d = t.find("'descr'").ok_or("no 'descr' key")?;
    let after = t[d + 7..]
        .trim_start()
        .strip_prefix(':')
        .ok_or("bad 'descr'")?
        .trim_start();
    let (descr, object) = if let Some(rest) = after.strip_prefix('\'') {
        let end = rest.find('\'').ok_or("unterminated descr")?;
        let s = rest[..end].to_string();
        let obj = s.trim_start_matches(['<', '>', '|', '=']).starts_with('O');
        (s, obj)
    } else if after.starts_with('[') {
        // structured dtype: any object field makes the whole array a pickle
        let end = after.find("'shape'").unwrap_or(after.len());
        let fields = &after[..end];
        (
            fields.to_string(),
            fields.contains("'|O'") || fields.contains("'O'") || fields.contains("'<O'"),
        )
    } else {
        return Err("unsupported descr".into());
    };
    let s = t.find("'shape'").ok_or("no 'shape' key")?;
    let after = t[s + 7..]
        .trim_start()
        .strip_prefix(':')
        .ok_or("bad 'shape'")?
        .trim_start();
    let inner = after.strip_prefix('(').ok_or("shape is not a tuple")?;
    let end = inner.find(')').ok_or("unterminated shape")?;
    let mut shape = Vec::new();
    for part in inner[..end]
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        shape.push(
            part.trim_end_matches('L')
                .parse::<u64>()
                .map_err(|_| format!("bad dimension {part:?}"))?,
        );
    }
    if shape.len() > 64 {
        return Err("more than 64 dimensions".into());
    }
    Ok((descr, object, shape))
}

fn object_note(ctx: &mut Ctx, at: u64) {
    ctx.report(
        &rules::npy_object_array::RULE,
        "object array: its pickle was scanned",
        Some(at),
    );
}

/// Scan an `.npy` held in a blob.
pub(crate) fn scan_blob(ctx: &mut Ctx, blob: &dyn Blob) {
    let mut src = Src::from_blob(blob, 0);
    match header(&mut src) {
        Err(e) => ctx.malformed("npy header", e, Some(0)),
        Ok(h) if h.object => {
            object_note(ctx, h.data_at);
            ctx.pickles(blob, h.data_at, Mode::First(1));
        }
        Ok(h) => {
            let item = crate::pickle::itemsize(&h.descr);
            let need = item.and_then(|i| h.shape.iter().try_fold(i, |a, &d| a.checked_mul(d)));
            let have = blob.len() - h.data_at;
            match need {
                Some(n) if n > have => ctx.malformed(
                    "npy",
                    format!("data is {have} bytes, the header needs {n}"),
                    Some(h.data_at),
                ),
                None if item.is_some() => {
                    ctx.malformed("npy", "array size overflows", Some(h.data_at))
                }
                _ => {}
            }
        }
    }
}

/// Scan an `.npy` from a stream (a large deflated `.npz` member): only object arrays are read further.
pub(crate) fn scan_stream(ctx: &mut Ctx, src: &mut Src) {
    match header(src) {
        Err(e) => ctx.malformed("npy header", e, Some(0)),
        Ok(h) if h.object => {
            object_note(ctx, h.data_at);
            ctx.pickle_stream(src, Mode::First(1));
        }
        Ok(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_headers() {
        let (d, o, s) =
            parse_dict("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }").unwrap();
        assert_eq!((d.as_str(), o, s), ("<f4", false, vec![3, 4]));
        let (_, o, s) =
            parse_dict("{'descr': '|O', 'fortran_order': False, 'shape': (2,), }").unwrap();
        assert!(o);
        assert_eq!(s, vec![2]);
        assert!(parse_dict("{'descr': '<f4', 'shape': (3, x), }").is_err());
        assert!(parse_dict("not a dict").is_err());
        let (_, o, _) = parse_dict(
            "{'descr': [('a', '<i4'), ('b', '|O')], 'fortran_order': False, 'shape': (1,), }",
        )
        .unwrap();
        assert!(o);
    }
}
