//! Row-wise value expectations on one column: ranges, sets, regexes, lengths, JSON.
//!
//! Each rule documents the GX semantics it follows; the bookkeeping (nulls, `mostly`,
//! samples) is in [`crate::map`].

use std::collections::HashSet;

/// Hash sets with a fast, non-cryptographic hasher (the keys come from the suite and
/// the data; there is no adversary to defend against in a membership test).
type FastSet<T> = HashSet<T, foldhash::fast::RandomState>;

use regex_automata::meta::{Cache, Regex};
use regex_automata::Input;
use serde_json::Value;

use crate::bounds::Bounds;
use crate::check::CheckError;
use crate::map::{array, push_failing, ValueRule};
use crate::value::{ColumnRef, Key, OrdF64};

/// `expect_column_values_to_be_between`: each value lies within `[min_value, max_value]`
/// (exclusive ends with `strict_min` / `strict_max`; a missing end is unbounded).
///
/// Numbers compare with numeric bounds. On a text column GX raises a TypeError whatever
/// the bounds, and so does datagate; temporal columns (Parquet dates and timestamps)
/// compare their ISO text with string bounds, an extension of GX.
pub struct Between(pub Bounds);

impl ValueRule for Between {
    fn failing_rows(&self, col: ColumnRef<'_>, out: &mut Vec<usize>) -> Result<(), CheckError> {
        let mismatch = || {
            CheckError(
                "Column values, min_value, and max_value must either be None or of the same type."
                    .into(),
            )
        };
        match col {
            ColumnRef::Int(a) => {
                let (lo, hi) = self.0.numeric().ok_or_else(mismatch)?;
                let v = a.values();
                push_failing(a, out, |i| !self.0.contains_num(lo, hi, v[i] as f64));
            }
            ColumnRef::Float(a) => {
                let (lo, hi) = self.0.numeric().ok_or_else(mismatch)?;
                let v = a.values();
                push_failing(a, out, |i| !self.0.contains_num(lo, hi, v[i]));
            }
            ColumnRef::Bool(a) => {
                let (lo, hi) = self.0.numeric().ok_or_else(mismatch)?;
                push_failing(a, out, |i| {
                    !self
                        .0
                        .contains_num(lo, hi, if a.value(i) { 1.0 } else { 0.0 })
                });
            }
            ColumnRef::Str(_) => return Err(mismatch()),
            ColumnRef::Other(_) => {
                let (lo, hi) = self.0.text().ok_or_else(mismatch)?;
                push_failing(array(&col), out, |i| {
                    !self.0.contains_text(lo, hi, &col.text(i))
                });
            }
        }
        Ok(())
    }
}

/// A value set split by type, matched the way pandas' `isin` does: numbers match
/// numbers (181.0 matches 181, `True` matches 1), strings match strings only.
pub struct ValueSet {
    nums: FastSet<OrdF64>,
    strs: FastSet<String>,
}

impl ValueSet {
    /// Builds the set from suite values (nulls and nested values never match).
    pub fn new(values: &[Value]) -> Self {
        let mut nums = FastSet::default();
        let mut strs = FastSet::default();
        for v in values {
            match Key::from_json(v) {
                Some(Key::Num(n)) => {
                    nums.insert(n);
                }
                Some(Key::Bool(b)) => {
                    nums.insert(OrdF64(if b { 1.0 } else { 0.0 }));
                }
                Some(Key::Str(s)) => {
                    strs.insert(s);
                }
                None => {}
            }
        }
        Self { nums, strs }
    }

    /// Whether non-null row `i` of `col` is in the set.
    #[inline]
    pub fn contains(&self, col: &ColumnRef<'_>, i: usize) -> bool {
        match col {
            ColumnRef::Int(a) => self.nums.contains(&OrdF64(a.value(i) as f64 + 0.0)),
            ColumnRef::Float(a) => self.nums.contains(&OrdF64(a.value(i) + 0.0)),
            ColumnRef::Bool(a) => self
                .nums
                .contains(&OrdF64(if a.value(i) { 1.0 } else { 0.0 })),
            ColumnRef::Str(a) => self.strs.contains(a.value(i)),
            ColumnRef::Other(_) => self.strs.contains(col.text(i).as_ref()),
        }
    }

    /// Whether a distinct value (as a [`Key`]) is in the set.
    pub fn contains_key(&self, key: &Key) -> bool {
        match key {
            Key::Num(n) => self.nums.contains(n),
            Key::Bool(b) => self.nums.contains(&OrdF64(if *b { 1.0 } else { 0.0 })),
            Key::Str(s) => self.strs.contains(s),
        }
    }
}

/// `expect_column_values_to_be_in_set` (and, negated, `..._to_not_be_in_set`).
pub struct InSet {
    /// The set.
    pub set: ValueSet,
    /// True for `not_be_in_set`.
    pub negate: bool,
}

impl ValueRule for InSet {
    fn failing_rows(&self, col: ColumnRef<'_>, out: &mut Vec<usize>) -> Result<(), CheckError> {
        push_failing(array(&col), out, |i| {
            self.set.contains(&col, i) == self.negate
        });
        Ok(())
    }
}

/// How a list of regexes combines (`match_on` of `..._to_match_regex_list`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchOn {
    /// A value passes when any regex matches.
    Any,
    /// A value passes when every regex matches.
    All,
}

/// The regex expectations: `..._to_match_regex`, `..._to_not_match_regex`,
/// `..._to_match_regex_list`, `..._to_not_match_regex_list`.
///
/// Like GX (Python's `re.search`), a regex may match anywhere in the value; values are
/// seen as Python's `str()` shows them (a float column as `3750.0`). The patterns use
/// Rust's regex syntax, which is Python's without look-around and backreferences.
pub struct Regexes {
    /// Compiled patterns.
    pub regexes: Vec<Regex>,
    /// For lists: any or all.
    pub match_on: MatchOn,
    /// True for the `not_match` forms: a value fails when a regex matches.
    pub negate: bool,
}

impl Regexes {
    /// Compiles `patterns`; a pattern Rust cannot compile is reported as the expectation's error.
    pub fn new(patterns: &[String], match_on: MatchOn, negate: bool) -> Result<Self, String> {
        let regexes = patterns
            .iter()
            .map(|p| Regex::new(p).map_err(|e| format!("regex {p:?} does not compile: {e}")))
            .collect::<Result<_, _>>()?;
        Ok(Self {
            regexes,
            match_on,
            negate,
        })
    }

    /// Whether `text` passes, using one search cache per regex (made once per batch, so
    /// the worker threads never contend for the regex's shared cache pool).
    #[inline]
    fn passes(&self, caches: &mut [Cache], text: &str) -> bool {
        let mut hit = self.regexes.iter().zip(caches.iter_mut()).map(|(r, c)| {
            r.search_half_with(c, &Input::new(text).earliest(true))
                .is_some()
        });
        if self.negate {
            // not_match(_list): fails when any regex matches.
            !hit.any(|m| m)
        } else {
            match self.match_on {
                MatchOn::Any => hit.any(|m| m),
                MatchOn::All => hit.all(|m| m),
            }
        }
    }
}

impl ValueRule for Regexes {
    fn failing_rows(&self, col: ColumnRef<'_>, out: &mut Vec<usize>) -> Result<(), CheckError> {
        let mut caches: Vec<Cache> = self.regexes.iter().map(Regex::create_cache).collect();
        match col {
            ColumnRef::Str(a) => push_failing(a, out, |i| !self.passes(&mut caches, a.value(i))),
            _ => push_failing(array(&col), out, |i| {
                !self.passes(&mut caches, &col.text(i))
            }),
        }
        Ok(())
    }
}

/// `expect_column_value_lengths_to_be_between` / `..._to_equal`: the length of each
/// value's text in Unicode code points (numbers are measured as Python's `str()` shows them).
pub struct Lengths(pub Bounds);

impl ValueRule for Lengths {
    fn failing_rows(&self, col: ColumnRef<'_>, out: &mut Vec<usize>) -> Result<(), CheckError> {
        let (lo, hi) = self
            .0
            .numeric()
            .ok_or_else(|| CheckError("length bounds must be numbers".into()))?;
        push_failing(array(&col), out, |i| {
            !self
                .0
                .contains_num(lo, hi, col.text(i).chars().count() as f64)
        });
        Ok(())
    }
}

/// `expect_column_values_to_be_json_parseable`: each value is a JSON document.
///
/// GX calls `json.loads` on the value itself, so every number or boolean in a typed
/// column fails (only text is parsed). Python also accepts `NaN`, `Infinity` and
/// `-Infinity`, so they pass here too.
pub struct JsonParseable;

impl ValueRule for JsonParseable {
    fn failing_rows(&self, col: ColumnRef<'_>, out: &mut Vec<usize>) -> Result<(), CheckError> {
        let arr = array(&col);
        match col {
            ColumnRef::Str(a) => push_failing(a, out, |i| !is_json(a.value(i))),
            _ => push_failing(arr, out, |_| true),
        }
        Ok(())
    }
}

fn is_json(text: &str) -> bool {
    if serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok() {
        return true;
    }
    matches!(text.trim(), "NaN" | "Infinity" | "-Infinity")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_like_python() {
        assert!(is_json("{\"a\": [1, 2]}"));
        assert!(is_json(" 3 "));
        assert!(is_json("NaN"));
        assert!(!is_json("{'a': 1}"));
        assert!(!is_json("tru"));
    }
}
