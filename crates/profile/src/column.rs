//! One column's profile: what one streaming pass learns, and how two merge.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::frequent::{MisraGries, DEFAULT_CAPACITY};
use crate::moments::Moments;
use crate::sketch::{Distinct, Quantiles};
use crate::ProfileError;

/// Numeric columns keep their exact values while they have at most this many finite
/// values, so that drift tests which need samples (KS, chi-square, Z with Evidently's
/// small-reference rule `n_ref <= 1000`) run exactly against a saved profile.
pub const EXACT_VALUES_LIMIT: usize = 1000;

/// Number of equal-width bins of the derived histogram.
pub const HISTOGRAM_BINS: usize = 20;

/// The physical kind of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnKind {
    /// 64-bit integers.
    Integer,
    /// 64-bit floats.
    Float,
    /// Booleans.
    Boolean,
    /// UTF-8 text.
    String,
    /// Anything else (counted, not summarised).
    Other,
}

/// Counts of non-null values by the type they look like.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypeCounts {
    /// Integers (or text that parses as one).
    pub integer: u64,
    /// Floats (or text that parses as one).
    pub fractional: u64,
    /// Booleans (or `true`/`false` text).
    pub boolean: u64,
    /// Other text.
    pub string: u64,
    /// Values of an unsupported type.
    pub other: u64,
}

impl TypeCounts {
    fn merge(&mut self, o: &TypeCounts) {
        self.integer += o.integer;
        self.fractional += o.fractional;
        self.boolean += o.boolean;
        self.string += o.string;
        self.other += o.other;
    }
}

/// The key frequent values are counted under: numbers by bit pattern, text as is.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FreqKey {
    /// A number's `f64` bits (`-0.0` folded into `0.0`).
    Num(u64),
    /// Text (booleans as `true`/`false`).
    Str(String),
}

impl FreqKey {
    /// A number key.
    #[inline]
    pub fn num(x: f64) -> Self {
        FreqKey::Num(if x == 0.0 { 0u64 } else { x.to_bits() })
    }

    /// The number, for a numeric key.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            FreqKey::Num(b) => Some(f64::from_bits(*b)),
            FreqKey::Str(_) => None,
        }
    }

    /// A label for people and for drift categories.
    pub fn label(&self) -> String {
        match self {
            FreqKey::Num(b) => {
                let v = f64::from_bits(*b);
                if v.fract() == 0.0 && v.abs() < 1e15 {
                    format!("{}", v as i64)
                } else {
                    format!("{v}")
                }
            }
            FreqKey::Str(s) => s.clone(),
        }
    }
}

/// Running statistics of string lengths (in characters).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct LengthStats {
    /// Strings seen.
    pub count: u64,
    /// Shortest.
    pub min: u64,
    /// Longest.
    pub max: u64,
    /// Sum of lengths.
    pub sum: u64,
}

impl LengthStats {
    #[inline]
    fn push(&mut self, len: u64) {
        if self.count == 0 || len < self.min {
            self.min = len;
        }
        if len > self.max {
            self.max = len;
        }
        self.count += 1;
        self.sum += len;
    }

    fn merge(&mut self, o: &LengthStats) {
        if o.count == 0 {
            return;
        }
        if self.count == 0 {
            *self = *o;
            return;
        }
        self.min = self.min.min(o.min);
        self.max = self.max.max(o.max);
        self.count += o.count;
        self.sum += o.sum;
    }

    /// Mean length.
    pub fn mean(&self) -> Option<f64> {
        (self.count > 0).then(|| self.sum as f64 / self.count as f64)
    }
}

/// Everything one pass learns about a column. Mergeable with [`ColumnProfile::merge`].
#[derive(Debug, Clone)]
pub struct ColumnProfile {
    /// Column name.
    pub name: String,
    /// Physical kind.
    pub kind: ColumnKind,
    /// Rows seen (including nulls).
    pub count: u64,
    /// Nulls.
    pub null_count: u64,
    /// NaN floats (counted apart; not in moments or sketches).
    pub nan_count: u64,
    /// ±inf floats (counted apart; Evidently treats them as nulls for drift).
    pub inf_count: u64,
    /// Non-null values by type.
    pub types: TypeCounts,
    /// Exact moments of the finite numeric values.
    pub moments: Moments,
    /// KLL quantiles of the finite numeric values.
    pub quantiles: Quantiles,
    /// HLL distinct count of the non-null values.
    pub distinct: Distinct,
    /// Frequent numbers (by bit pattern, `-0.0` folded), exact below the capacity.
    pub frequent_num: MisraGries<u64>,
    /// Frequent strings (and `true`/`false`), exact below the capacity.
    pub frequent_str: MisraGries<String>,
    /// String length statistics.
    pub lengths: LengthStats,
    /// Exact finite numeric values while there are at most [`EXACT_VALUES_LIMIT`].
    pub exact_values: Option<Vec<f64>>,
}

impl ColumnProfile {
    /// An empty profile for a column.
    pub fn new(name: impl Into<String>, kind: ColumnKind) -> Self {
        ColumnProfile {
            name: name.into(),
            kind,
            count: 0,
            null_count: 0,
            nan_count: 0,
            inf_count: 0,
            types: TypeCounts::default(),
            moments: Moments::default(),
            quantiles: Quantiles::default(),
            distinct: Distinct::default(),
            frequent_num: MisraGries::new(DEFAULT_CAPACITY),
            frequent_str: MisraGries::new(DEFAULT_CAPACITY),
            lengths: LengthStats::default(),
            exact_values: Some(Vec::new()),
        }
    }

    /// Records a null.
    #[inline]
    pub fn push_null(&mut self) {
        self.count += 1;
        self.null_count += 1;
    }

    #[inline]
    fn push_number(&mut self, x: f64) {
        self.moments.push(x);
        self.quantiles.update(x);
        self.frequent_num
            .add(if x == 0.0 { 0 } else { x.to_bits() });
        if let Some(v) = self.exact_values.as_mut() {
            if v.len() < EXACT_VALUES_LIMIT {
                v.push(x);
            } else {
                self.exact_values = None;
            }
        }
    }

    /// Records a float value.
    #[inline]
    pub fn push_f64(&mut self, x: f64) {
        self.count += 1;
        self.types.fractional += 1;
        if x.is_nan() {
            self.nan_count += 1;
            return;
        }
        if x.is_infinite() {
            self.inf_count += 1;
            return;
        }
        self.distinct.update_f64(x);
        self.push_number(x);
    }

    /// Records an integer value.
    #[inline]
    pub fn push_i64(&mut self, x: i64) {
        self.count += 1;
        self.types.integer += 1;
        self.distinct.update_i64(x);
        self.push_number(x as f64);
    }

    /// Records a boolean value.
    #[inline]
    pub fn push_bool(&mut self, b: bool) {
        self.count += 1;
        self.types.boolean += 1;
        self.distinct.update_i64(i64::from(b));
        self.frequent_str.add_ref(if b { "true" } else { "false" });
    }

    /// Records a string value.
    #[inline]
    pub fn push_str(&mut self, s: &str) {
        self.count += 1;
        let t = s.trim();
        if t.parse::<i64>().is_ok() {
            self.types.integer += 1;
        } else if !t.is_empty() && t.as_bytes()[0] != b'+' && t.parse::<f64>().is_ok() {
            self.types.fractional += 1;
        } else if t.eq_ignore_ascii_case("true") || t.eq_ignore_ascii_case("false") {
            self.types.boolean += 1;
        } else {
            self.types.string += 1;
        }
        self.distinct.update_str(s);
        self.lengths.push(s.chars().count() as u64);
        // Looked up by reference: repeated values do not allocate.
        self.frequent_str.add_ref(s);
    }

    /// Records a value of an unsupported type.
    #[inline]
    pub fn push_other(&mut self) {
        self.count += 1;
        self.types.other += 1;
    }

    /// Merges another profile of the same column.
    pub fn merge(&mut self, o: &ColumnProfile) -> Result<(), ProfileError> {
        let kind = match (self.kind, o.kind) {
            (a, b) if a == b => a,
            (ColumnKind::Integer, ColumnKind::Float) | (ColumnKind::Float, ColumnKind::Integer) => {
                ColumnKind::Float
            }
            (a, b) => {
                return Err(ProfileError::KindMismatch {
                    column: self.name.clone(),
                    left: a,
                    right: b,
                });
            }
        };
        self.kind = kind;
        self.count += o.count;
        self.null_count += o.null_count;
        self.nan_count += o.nan_count;
        self.inf_count += o.inf_count;
        self.types.merge(&o.types);
        self.moments.merge(&o.moments);
        self.quantiles.merge(&o.quantiles)?;
        self.distinct.merge(&o.distinct);
        self.frequent_num.merge(&o.frequent_num);
        self.frequent_str.merge(&o.frequent_str);
        self.lengths.merge(&o.lengths);
        self.exact_values = match (self.exact_values.take(), &o.exact_values) {
            (Some(mut a), Some(b)) if a.len() + b.len() <= EXACT_VALUES_LIMIT => {
                a.extend_from_slice(b);
                Some(a)
            }
            _ => None,
        };
        Ok(())
    }

    /// Non-null count (rows minus nulls).
    pub fn non_null(&self) -> u64 {
        self.count - self.null_count
    }

    /// Equal-width histogram between min and max with counts derived from the KLL
    /// sketch (so it is mergeable and approximate within the rank error). `None`
    /// without finite numbers.
    pub fn histogram(&self) -> Option<Histogram> {
        let m = &self.moments;
        if m.count == 0 {
            return None;
        }
        if m.min == m.max {
            return Some(Histogram {
                edges: vec![m.min, m.max],
                counts: vec![m.count],
            });
        }
        let k = HISTOGRAM_BINS;
        let edges: Vec<f64> = (0..=k)
            .map(|i| m.min + (m.max - m.min) * i as f64 / k as f64)
            .collect();
        let cdf = self.quantiles.cdf(&edges[1..k]);
        let n = m.count as f64;
        let mut counts = Vec::with_capacity(k);
        let mut prev = 0.0;
        for i in 0..k {
            let c = if i + 1 < k {
                cdf.get(i).copied().unwrap_or(1.0)
            } else {
                1.0
            };
            counts.push(((c - prev) * n).round().max(0.0) as u64);
            prev = c;
        }
        Some(Histogram { edges, counts })
    }

    /// Frequent values (numbers and strings) with lower-bound counts, most frequent first.
    pub fn frequent_items(&self) -> Vec<(FreqKey, u64)> {
        let mut v: Vec<(FreqKey, u64)> = self
            .frequent_num
            .items()
            .into_iter()
            .map(|(k, c)| (FreqKey::Num(k), c))
            .chain(
                self.frequent_str
                    .items()
                    .into_iter()
                    .map(|(k, c)| (FreqKey::Str(k), c)),
            )
            .collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        v
    }

    /// Upper bound on the undercount of any frequent value (0 = exact counts).
    pub fn frequent_max_error(&self) -> u64 {
        self.frequent_num.max_error() + self.frequent_str.max_error()
    }

    /// Frequent values with counts, most frequent first (labels for display).
    pub fn top_values(&self, n: usize) -> Vec<(String, u64)> {
        self.frequent_items()
            .into_iter()
            .take(n)
            .map(|(k, c)| (k.label(), c))
            .collect()
    }

    /// Exact value counts when the frequent-items summaries never overflowed.
    pub fn exact_counts(&self) -> Option<HashMap<FreqKey, u64>> {
        (self.frequent_max_error() == 0).then(|| self.frequent_items().into_iter().collect())
    }
}

/// A derived equal-width histogram.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Histogram {
    /// Bin edges.
    pub edges: Vec<f64>,
    /// Counts per bin.
    pub counts: Vec<u64>,
}
