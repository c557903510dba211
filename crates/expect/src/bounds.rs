//! `min_value` / `max_value` / `strict_min` / `strict_max`, shared by many expectations.

use serde_json::Value;

use crate::check::CheckError;
use crate::kwargs::{KwargError, Kwargs};

/// One side of a range: a number or (for text columns) a string.
#[derive(Debug, Clone, PartialEq)]
pub enum Bound {
    /// A numeric bound.
    Num(f64),
    /// A text bound, compared lexicographically (by code point, as Python does).
    Text(String),
}

impl Bound {
    fn from_json(v: Value) -> Option<Self> {
        match v {
            Value::Number(n) => n.as_f64().map(Bound::Num),
            Value::String(s) => Some(Bound::Text(s)),
            _ => None,
        }
    }
}

/// A range with optional ends.
#[derive(Debug, Clone, PartialEq)]
pub struct Bounds {
    /// Lower end.
    pub min: Option<Bound>,
    /// Upper end.
    pub max: Option<Bound>,
    /// `value > min` instead of `>=`.
    pub strict_min: bool,
    /// `value < max` instead of `<=`.
    pub strict_max: bool,
}

impl Bounds {
    /// Reads `min_value`, `max_value`, `strict_min`, `strict_max`; at least one end is required.
    pub fn read(kw: &Kwargs<'_>) -> Result<Self, KwargError> {
        Self::read_with(kw, "min_value", "max_value")
    }

    /// Like [`Bounds::read`] with other kwarg names.
    pub fn read_with(
        kw: &Kwargs<'_>,
        min_key: &'static str,
        max_key: &'static str,
    ) -> Result<Self, KwargError> {
        let min = kw.bound(min_key)?.and_then(Bound::from_json);
        let max = kw.bound(max_key)?.and_then(Bound::from_json);
        if min.is_none() && max.is_none() {
            return Err(KwargError {
                message: format!("`{min_key}` and `{max_key}` cannot both be null"),
            });
        }
        Ok(Self {
            min,
            max,
            strict_min: kw.bool_or("strict_min", false)?,
            strict_max: kw.bool_or("strict_max", false)?,
        })
    }

    /// Numeric ends, when both (present) ends are numbers.
    pub fn numeric(&self) -> Option<(Option<f64>, Option<f64>)> {
        let side = |b: &Option<Bound>| match b {
            None => Some(None),
            Some(Bound::Num(v)) => Some(Some(*v)),
            Some(Bound::Text(_)) => None,
        };
        Some((side(&self.min)?, side(&self.max)?))
    }

    /// Text ends, when both (present) ends are strings.
    pub fn text(&self) -> Option<(Option<&str>, Option<&str>)> {
        fn side(b: &Option<Bound>) -> Option<Option<&str>> {
            match b {
                None => Some(None),
                Some(Bound::Text(v)) => Some(Some(v.as_str())),
                Some(Bound::Num(_)) => None,
            }
        }
        Some((side(&self.min)?, side(&self.max)?))
    }

    /// Whether the number `v` is inside.
    #[inline]
    pub fn contains_num(&self, lo: Option<f64>, hi: Option<f64>, v: f64) -> bool {
        let above = match lo {
            None => true,
            Some(lo) => {
                if self.strict_min {
                    v > lo
                } else {
                    v >= lo
                }
            }
        };
        let below = match hi {
            None => true,
            Some(hi) => {
                if self.strict_max {
                    v < hi
                } else {
                    v <= hi
                }
            }
        };
        above && below
    }

    /// Whether the text `v` is inside.
    #[inline]
    pub fn contains_text(&self, lo: Option<&str>, hi: Option<&str>, v: &str) -> bool {
        let above = lo.is_none_or(|lo| if self.strict_min { v > lo } else { v >= lo });
        let below = hi.is_none_or(|hi| if self.strict_max { v < hi } else { v <= hi });
        above && below
    }

    /// The verdict for an observed aggregate; a type mismatch is GX's TypeError.
    pub fn check_observed(&self, observed: &Value) -> Result<bool, CheckError> {
        match observed {
            Value::Null => Ok(false),
            Value::Number(n) => {
                let v = n.as_f64().unwrap_or(f64::NAN);
                let (lo, hi) = self.numeric().ok_or_else(|| {
                    CheckError("'<=' not supported between instances of 'float' and 'str'".into())
                })?;
                Ok(self.contains_num(lo, hi, v))
            }
            Value::String(s) => {
                let (lo, hi) = self.text().ok_or_else(|| {
                    CheckError("'<=' not supported between instances of 'str' and 'float'".into())
                })?;
                Ok(self.contains_text(lo, hi, s))
            }
            Value::Bool(b) => {
                let (lo, hi) = self.numeric().ok_or_else(|| {
                    CheckError("'<=' not supported between instances of 'bool' and 'str'".into())
                })?;
                Ok(self.contains_num(lo, hi, if *b { 1.0 } else { 0.0 }))
            }
            other => Err(CheckError(format!(
                "cannot compare {other} with the bounds"
            ))),
        }
    }
}
