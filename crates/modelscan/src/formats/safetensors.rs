//! safetensors: only the header is read (never the tensor bytes). The acceptance rules are the
//! reference loader's (`safetensors` 0.8): u64 header length ≤ 100 MB and within the file, a JSON
//! object, known dtypes, `shape × dtype size` equal to each span without overflow, spans that
//! tile the data area exactly (sorted, no gap, no overlap, no trailing bytes), and
//! `__metadata__` mapping strings to strings. Any violation is SFT001.

use serde_json::Value;

use crate::blob::{read_at_most, Blob};
use crate::rules;

use super::Ctx;

const MAX_HEADER: u64 = 100_000_000;

/// Bits per element of a safetensors dtype.
fn dtype_bits(d: &str) -> Option<u64> {
    Some(match d {
        "BOOL" | "U8" | "I8" | "F8_E5M2" | "F8_E4M3" | "F8_E8M0" => 8,
        "F4" => 4,
        "F6_E2M3" | "F6_E3M2" => 6,
        "I16" | "U16" | "F16" | "BF16" => 16,
        "I32" | "U32" | "F32" => 32,
        "F64" | "I64" | "U64" | "C64" => 64,
        _ => return None,
    })
}

/// Check a header against the file length; returns the list of problems.
pub(crate) fn check(blob: &dyn Blob) -> Result<Vec<String>, String> {
    let len = blob.len();
    let nb = read_at_most(blob, 0, 8).map_err(|e| e.to_string())?;
    let n = u64::from_le_bytes([nb[0], nb[1], nb[2], nb[3], nb[4], nb[5], nb[6], nb[7]]);
    if n > MAX_HEADER {
        return Ok(vec![format!("header length {n} exceeds {MAX_HEADER}")]);
    }
    if n > len - 8 {
        return Ok(vec![format!(
            "header length {n} runs past the end of the {len}-byte file"
        )]);
    }
    let raw = read_at_most(blob, 8, n).map_err(|e| e.to_string())?;
    let mut bad = Vec::new();
    if raw.first() != Some(&b'{') {
        bad.push("header does not start with '{'".to_string());
    }
    let v: Value = match serde_json::from_slice(&raw) {
        Ok(v) => v,
        Err(e) => return Ok(vec![format!("header is not valid JSON: {e}")]),
    };
    let Value::Object(map) = v else {
        return Ok(vec!["header is not a JSON object".into()]);
    };
    let data_len = len - 8 - n;
    let mut spans = Vec::new();
    for (k, t) in &map {
        if k == "__metadata__" {
            match t {
                Value::Object(m) if m.values().all(Value::is_string) => {}
                _ => bad.push("__metadata__ is not a string-to-string map".into()),
            }
            continue;
        }
        let dtype = t.get("dtype").and_then(Value::as_str);
        let shape = t
            .get("shape")
            .and_then(Value::as_array)
            .map(|a| a.iter().map(Value::as_u64).collect::<Option<Vec<u64>>>());
        let offs = t
            .get("data_offsets")
            .and_then(Value::as_array)
            .map(|a| a.iter().map(Value::as_u64).collect::<Option<Vec<u64>>>());
        let (Some(dtype), Some(Some(shape)), Some(Some(offs))) = (dtype, shape, offs) else {
            bad.push(format!(
                "tensor {k:?} lacks a valid dtype, shape or data_offsets"
            ));
            continue;
        };
        let Some(bits) = dtype_bits(dtype) else {
            bad.push(format!("tensor {k:?} has unknown dtype {dtype:?}"));
            continue;
        };
        if offs.len() != 2 || offs[0] > offs[1] {
            bad.push(format!("tensor {k:?} has invalid data_offsets {offs:?}"));
            continue;
        }
        let bits_total = shape.iter().try_fold(bits, |a, &d| a.checked_mul(d));
        match bits_total {
            None => bad.push(format!("tensor {k:?}: shape × dtype size overflows")),
            Some(b) if b % 8 != 0 || b / 8 != offs[1] - offs[0] => bad.push(format!(
                "tensor {k:?}: shape {shape:?} × {dtype} is {} bits but its span is {} bytes",
                b,
                offs[1] - offs[0]
            )),
            _ => {}
        }
        spans.push((offs[0], offs[1], k.clone()));
    }
    spans.sort();
    let mut at = 0u64;
    for (b, e, k) in &spans {
        if *b > at {
            bad.push(format!("gap of {} bytes before tensor {k:?}", b - at));
        } else if *b < at {
            bad.push(format!("tensor {k:?} overlaps the previous tensor"));
        }
        at = at.max(*e);
    }
    if at > data_len {
        bad.push(format!(
            "tensors end at {at} but the data area is {data_len} bytes"
        ));
    } else if at < data_len {
        bad.push(format!(
            "{} bytes after the last tensor are not covered by the header",
            data_len - at
        ));
    }
    Ok(bad)
}

/// Scan a safetensors file.
pub(crate) fn scan(ctx: &mut Ctx, blob: &dyn Blob) {
    match check(blob) {
        Err(e) => ctx.malformed("safetensors", e, Some(0)),
        Ok(bad) => {
            for b in bad {
                ctx.report(&rules::safetensors_invalid_header::RULE, b, Some(8));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(header: &str, data: usize) -> Vec<u8> {
        let mut v = (header.len() as u64).to_le_bytes().to_vec();
        v.extend_from_slice(header.as_bytes());
        v.extend(std::iter::repeat_n(0u8, data));
        v
    }

    #[test]
    fn accepts_valid_and_flags_each_violation() {
        let ok = file(
            r#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"__metadata__":{"k":"v"}}"#,
            8,
        );
        assert_eq!(check(&ok).unwrap(), Vec::<String>::new());
        let gap = file(
            r#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#,
            12,
        );
        assert!(check(&gap).unwrap()[0].contains("gap"));
        let trailing = file(
            r#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#,
            20,
        );
        assert!(check(&trailing).unwrap()[0].contains("not covered"));
        let shape = file(
            r#"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#,
            8,
        );
        assert!(check(&shape).unwrap()[0].contains("bits"));
        let dt = file(
            r#"{"a":{"dtype":"X9","shape":[2],"data_offsets":[0,8]}}"#,
            8,
        );
        assert!(check(&dt).unwrap()[0].contains("unknown dtype"));
        let meta = file(r#"{"__metadata__":{"k":1}}"#, 0);
        assert!(check(&meta).unwrap()[0].contains("__metadata__"));
        let overflow = file(
            r#"{"a":{"dtype":"F64","shape":[18446744073709551615,4],"data_offsets":[0,8]}}"#,
            8,
        );
        assert!(check(&overflow).unwrap()[0].contains("overflows"));
        let mut huge = u64::MAX.to_le_bytes().to_vec();
        huge.extend_from_slice(b"{}");
        assert!(check(&huge).unwrap()[0].contains("exceeds"));
        assert!(check(&&b"\x01\x00"[..]).is_err());
    }
}
