//! Reading cells of normalised columns as numbers, text and JSON, the way pandas shows them.

use std::borrow::Cow;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type};
use arrow_array::{Array, ArrayRef, BooleanArray, Float64Array, Int64Array, StringArray};
use arrow_schema::DataType;
use serde_json::Value;

/// A typed view of a normalised column (see `datagate_dataset::normalize`).
#[derive(Clone, Copy)]
pub enum ColumnRef<'a> {
    /// Integers.
    Int(&'a Int64Array),
    /// Floats.
    Float(&'a Float64Array),
    /// Text.
    Str(&'a StringArray),
    /// Booleans.
    Bool(&'a BooleanArray),
    /// Anything else (dates, timestamps, nested): seen through its display text.
    Other(&'a ArrayRef),
}

impl<'a> ColumnRef<'a> {
    /// Views `array`.
    pub fn of(array: &'a ArrayRef) -> Self {
        match array.data_type() {
            DataType::Int64 => Self::Int(array.as_primitive::<Int64Type>()),
            DataType::Float64 => Self::Float(array.as_primitive::<Float64Type>()),
            DataType::Utf8 => Self::Str(array.as_string::<i32>()),
            DataType::Boolean => Self::Bool(array.as_boolean()),
            _ => Self::Other(array),
        }
    }

    /// Whether the column holds numbers (booleans count, as in pandas aggregates).
    pub fn is_numeric(&self) -> bool {
        matches!(self, Self::Int(_) | Self::Float(_) | Self::Bool(_))
    }

    /// Whether the column holds text (pandas `object` of `str`).
    pub fn is_text(&self) -> bool {
        matches!(self, Self::Str(_) | Self::Other(_))
    }

    /// Whether row `i` is null.
    pub fn is_null(&self, i: usize) -> bool {
        match self {
            Self::Int(a) => a.is_null(i),
            Self::Float(a) => a.is_null(i),
            Self::Str(a) => a.is_null(i),
            Self::Bool(a) => a.is_null(i),
            Self::Other(a) => a.is_null(i),
        }
    }

    /// Row `i` as a number, for numeric columns.
    pub fn num(&self, i: usize) -> Option<f64> {
        match self {
            Self::Int(a) => Some(a.value(i) as f64),
            Self::Float(a) => Some(a.value(i)),
            Self::Bool(a) => Some(if a.value(i) { 1.0 } else { 0.0 }),
            _ => None,
        }
    }

    /// Row `i` as Python's `str()` would show it (`3750.0`, `True`, the text itself).
    pub fn text(&self, i: usize) -> Cow<'a, str> {
        match self {
            Self::Int(a) => Cow::Owned(a.value(i).to_string()),
            Self::Float(a) => Cow::Owned(py_float_repr(a.value(i))),
            Self::Str(a) => Cow::Borrowed(a.value(i)),
            Self::Bool(a) => Cow::Borrowed(if a.value(i) { "True" } else { "False" }),
            Self::Other(a) => {
                Cow::Owned(arrow_cast::display::array_value_to_string(a, i).unwrap_or_default())
            }
        }
    }

    /// Feeds row `i` into a hasher so that values equal for GX hash equal: a type tag,
    /// then the value (numbers as the bits of their f64 with -0.0 folded into 0.0, so 1 and
    /// 1.0 agree; text as its length and bytes, without allocating). Nulls hash as a tag.
    #[inline]
    pub fn hash_into(&self, h: &mut xxhash_rust::xxh3::Xxh3, i: usize) {
        if self.is_null(i) {
            h.update(&[0]);
            return;
        }
        let text = |h: &mut xxhash_rust::xxh3::Xxh3, t: &str| {
            h.update(&[3]);
            h.update(&(t.len() as u64).to_le_bytes());
            h.update(t.as_bytes());
        };
        match self {
            Self::Bool(a) => h.update(&[1, a.value(i) as u8]),
            Self::Int(_) | Self::Float(_) => {
                let v = self.num(i).unwrap_or(f64::NAN) + 0.0;
                h.update(&[2]);
                h.update(&v.to_bits().to_le_bytes());
            }
            Self::Str(a) => text(h, a.value(i)),
            Self::Other(_) => text(h, &self.text(i)),
        }
    }

    /// Row `i` as a JSON value (null for nulls).
    pub fn json(&self, i: usize) -> Value {
        if self.is_null(i) {
            return Value::Null;
        }
        match self {
            Self::Int(a) => Value::from(a.value(i)),
            Self::Float(a) => float_json(a.value(i)),
            Self::Bool(a) => Value::Bool(a.value(i)),
            _ => Value::String(self.text(i).into_owned()),
        }
    }
}

/// A float as JSON; non-finite values become strings as Python would print them.
pub fn float_json(v: f64) -> Value {
    serde_json::Number::from_f64(v)
        .map(Value::Number)
        .unwrap_or_else(|| Value::String(py_float_repr(v)))
}

/// Python's `repr(float)`: shortest round-trip digits, fixed notation for exponents in
/// [-4, 16), scientific (`1e+16`, `1e-05`) otherwise, and always a `.0` on whole numbers.
pub fn py_float_repr(v: f64) -> String {
    if v.is_nan() {
        return "nan".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if v == 0.0 {
        return if v.is_sign_negative() {
            "-0.0".into()
        } else {
            "0.0".into()
        };
    }
    let sci = format!("{:e}", v.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    let sign = if v < 0.0 { "-" } else { "" };
    if (-4..16).contains(&exp) {
        let point = exp + 1; // digits before the decimal point
        let body = if point <= 0 {
            format!("0.{}{}", "0".repeat((-point) as usize), digits)
        } else if point as usize >= digits.len() {
            format!("{}{}.0", digits, "0".repeat(point as usize - digits.len()))
        } else {
            let (a, b) = digits.split_at(point as usize);
            format!("{a}.{b}")
        };
        format!("{sign}{body}")
    } else {
        let (first, rest) = digits.split_at(1);
        let frac = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        let esign = if exp < 0 { '-' } else { '+' };
        format!("{sign}{first}{frac}e{esign}{:02}", exp.abs())
    }
}

/// A JSON value as a number (numbers, and booleans as 0/1), for comparisons with numeric columns.
pub fn json_num(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
        _ => None,
    }
}

/// A hashable, comparable cell value for distinct-value bookkeeping.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Key {
    /// Booleans.
    Bool(bool),
    /// Numbers, by the bits of their f64 value (so 1 and 1.0 are one value, as in pandas).
    Num(OrdF64),
    /// Text.
    Str(String),
}

/// An f64 with total order and hashing by bits (-0.0 folded into 0.0).
#[derive(Debug, Clone, Copy)]
pub struct OrdF64(pub f64);

impl PartialEq for OrdF64 {
    fn eq(&self, other: &Self) -> bool {
        self.0.total_cmp(&other.0).is_eq()
    }
}
impl Eq for OrdF64 {}
impl std::hash::Hash for OrdF64 {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write_u64(self.0.to_bits());
    }
}
impl PartialOrd for OrdF64 {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for OrdF64 {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

impl Key {
    /// The key of row `i` (which must not be null).
    pub fn of(col: &ColumnRef<'_>, i: usize) -> Key {
        match col {
            ColumnRef::Bool(a) => Key::Bool(a.value(i)),
            ColumnRef::Int(a) => Key::Num(OrdF64(a.value(i) as f64 + 0.0)),
            ColumnRef::Float(a) => Key::Num(OrdF64(a.value(i) + 0.0)),
            _ => Key::Str(col.text(i).into_owned()),
        }
    }

    /// The key of a JSON value from a suite, if it can equal some cell.
    pub fn from_json(v: &Value) -> Option<Key> {
        match v {
            Value::Bool(b) => Some(Key::Bool(*b)),
            Value::Number(n) => n.as_f64().map(|f| Key::Num(OrdF64(f + 0.0))),
            Value::String(s) => Some(Key::Str(s.clone())),
            _ => None,
        }
    }

    /// Whether this key equals `other` as pandas' `isin` sees it (True == 1).
    pub fn loosely_equals(&self, other: &Key) -> bool {
        match (self, other) {
            (Key::Bool(b), Key::Num(n)) | (Key::Num(n), Key::Bool(b)) => {
                n.0 == if *b { 1.0 } else { 0.0 }
            }
            _ => self == other,
        }
    }

    /// The value as JSON.
    pub fn json(&self) -> Value {
        match self {
            Key::Bool(b) => Value::Bool(*b),
            Key::Num(n) => {
                if n.0.fract() == 0.0 && n.0.abs() < 9.0e15 {
                    Value::from(n.0 as i64)
                } else {
                    float_json(n.0)
                }
            }
            Key::Str(s) => Value::String(s.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_float_repr() {
        assert_eq!(py_float_repr(3750.0), "3750.0");
        assert_eq!(py_float_repr(0.1), "0.1");
        assert_eq!(py_float_repr(-2.5), "-2.5");
        assert_eq!(py_float_repr(1e16), "1e+16");
        assert_eq!(py_float_repr(1.5e-5), "1.5e-05");
        assert_eq!(py_float_repr(0.0001), "0.0001");
        assert_eq!(py_float_repr(123456789012345.6), "123456789012345.6");
        assert_eq!(py_float_repr(1e15), "1000000000000000.0");
    }
}
