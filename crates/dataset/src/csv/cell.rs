//! Reading one CSV cell as a typed value, the way pandas' `read_csv` does by default.

use crate::options::ColumnType;

/// What a cell's text can be read as.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell {
    /// A null token (empty, `NA`, `null`, ... per the options).
    Null,
    /// An integer.
    Int(i64),
    /// A float (that is not also an integer).
    Float(f64),
    /// `True`/`true`/`TRUE` or the `False` forms.
    Bool(bool),
    /// Anything else.
    Text,
}

/// Set of null tokens, with a fast rejection of most fields: a field can only be a token
/// if some token has its length and its first byte.
#[derive(Debug, Clone)]
pub struct NullTokens {
    tokens: Vec<Vec<u8>>,
    empty: bool,
    /// Bit `n` set when some token has length `n` (tokens longer than 63 bytes are kept too).
    lengths: u64,
    first_bytes: [bool; 256],
}

impl NullTokens {
    /// Builds the set.
    pub fn new(tokens: &[String]) -> Self {
        let mut first_bytes = [false; 256];
        let mut lengths = 0u64;
        for t in tokens {
            if let Some(b) = t.as_bytes().first() {
                first_bytes[*b as usize] = true;
            }
            lengths |= 1u64 << t.len().min(63);
        }
        Self {
            empty: tokens.iter().any(|t| t.is_empty()),
            tokens: tokens.iter().map(|t| t.as_bytes().to_vec()).collect(),
            lengths,
            first_bytes,
        }
    }

    /// Whether `field` is a null token.
    #[inline]
    pub fn contains(&self, field: &[u8]) -> bool {
        match field.first() {
            None => self.empty,
            Some(b) => {
                self.first_bytes[*b as usize]
                    && self.lengths & (1u64 << field.len().min(63)) != 0
                    && self.tokens.iter().any(|t| t.as_slice() == field)
            }
        }
    }
}

/// Parses an integer: optional sign, ASCII digits, surrounding spaces allowed.
#[inline]
pub fn parse_i64(field: &[u8]) -> Option<i64> {
    let field = field.trim_ascii();
    let (neg, digits) = match field.first()? {
        b'-' => (true, &field[1..]),
        b'+' => (false, &field[1..]),
        _ => (false, field),
    };
    if digits.is_empty() || digits.len() > 19 {
        return None;
    }
    let mut value: i64 = 0;
    for &b in digits {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        value = value.checked_mul(10)?.checked_sub(d as i64)?;
    }
    if neg {
        Some(value)
    } else {
        value.checked_neg()
    }
}

/// Parses a float as pandas would (decimal, exponent, `inf`/`infinity` in any case).
#[inline]
pub fn parse_f64(field: &[u8]) -> Option<f64> {
    let text = std::str::from_utf8(field.trim_ascii()).ok()?;
    let first = *text.as_bytes().first()?;
    // Rust also accepts "nan"; pandas' null tokens already caught the NaN spellings,
    // and any other spelling of NaN is text for pandas.
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.' | b'i' | b'I')) {
        return None;
    }
    let value: f64 = text.parse().ok()?;
    if value.is_nan() {
        None
    } else {
        Some(value)
    }
}

/// Parses pandas' default boolean spellings.
#[inline]
pub fn parse_bool(field: &[u8]) -> Option<bool> {
    match field {
        b"True" | b"true" | b"TRUE" => Some(true),
        b"False" | b"false" | b"FALSE" => Some(false),
        _ => None,
    }
}

/// Classifies a cell for type inference.
pub fn classify(field: &[u8], nulls: &NullTokens) -> Cell {
    if nulls.contains(field) {
        Cell::Null
    } else if let Some(v) = parse_i64(field) {
        Cell::Int(v)
    } else if let Some(v) = parse_f64(field) {
        Cell::Float(v)
    } else if let Some(v) = parse_bool(field) {
        Cell::Bool(v)
    } else {
        Cell::Text
    }
}

/// Per-column inference state: the narrowest type that fits every value seen.
#[derive(Debug, Clone, Copy, Default)]
pub struct TypeGuess {
    ints: u64,
    floats: u64,
    bools: u64,
    texts: u64,
}

impl TypeGuess {
    /// Records one cell.
    pub fn add(&mut self, cell: Cell) {
        match cell {
            Cell::Null => {}
            Cell::Int(_) => self.ints += 1,
            Cell::Float(_) => self.floats += 1,
            Cell::Bool(_) => self.bools += 1,
            Cell::Text => self.texts += 1,
        }
    }

    /// The inferred type. `all_null` is the type of a column with no values at all
    /// (pandas reads such a column as float64; when only a sample was seen, text is safer).
    pub fn resolve(&self, all_null: ColumnType) -> ColumnType {
        let numeric = self.ints + self.floats;
        if self.texts > 0 || (numeric > 0 && self.bools > 0) {
            ColumnType::Utf8
        } else if self.floats > 0 {
            ColumnType::Float64
        } else if self.ints > 0 {
            ColumnType::Int64
        } else if self.bools > 0 {
            ColumnType::Boolean
        } else {
            all_null
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers() {
        assert_eq!(parse_i64(b"42"), Some(42));
        assert_eq!(parse_i64(b" -7 "), Some(-7));
        assert_eq!(parse_i64(b"-9223372036854775808"), Some(i64::MIN));
        assert_eq!(parse_i64(b"9223372036854775808"), None);
        assert_eq!(parse_i64(b"1.0"), None);
        assert_eq!(parse_i64(b"+"), None);
        assert_eq!(parse_i64(b""), None);
    }

    #[test]
    fn floats() {
        assert_eq!(parse_f64(b"1.5e3"), Some(1500.0));
        assert_eq!(parse_f64(b"-inf"), Some(f64::NEG_INFINITY));
        assert_eq!(parse_f64(b".5"), Some(0.5));
        assert_eq!(parse_f64(b"nan"), None);
        assert_eq!(parse_f64(b"abc"), None);
        assert_eq!(parse_f64(b"1,5"), None);
    }

    #[test]
    fn null_tokens() {
        let n = NullTokens::new(&["".into(), "NA".into(), "#N/A N/A".into()]);
        assert!(n.contains(b"") && n.contains(b"NA") && n.contains(b"#N/A N/A"));
        assert!(!n.contains(b"NB") && !n.contains(b"N") && !n.contains(b"#N/A"));
        assert!(!NullTokens::new(&["NA".into()]).contains(b""));
    }

    #[test]
    fn inference_widens() {
        let nulls = NullTokens::new(&["".into(), "NA".into()]);
        let mut g = TypeGuess::default();
        for f in [&b"1"[..], b"NA", b"2"] {
            g.add(classify(f, &nulls));
        }
        assert_eq!(g.resolve(ColumnType::Utf8), ColumnType::Int64);
        g.add(classify(b"2.5", &nulls));
        assert_eq!(g.resolve(ColumnType::Utf8), ColumnType::Float64);
        g.add(classify(b"x", &nulls));
        assert_eq!(g.resolve(ColumnType::Utf8), ColumnType::Utf8);
        assert_eq!(
            TypeGuess::default().resolve(ColumnType::Float64),
            ColumnType::Float64
        );
    }
}
