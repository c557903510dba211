//! Column aggregates: min, max, mean, stdev, sum, median, quantiles, and the
//! distinct-value family (unique count, proportion unique, distinct values in / contain /
//! equal a set, most common value).
//!
//! Memory: min/max/mean/stdev/sum keep a few numbers. Median and quantiles are exact
//! and keep every non-null value (8 bytes each: 80 MB for 10 million rows). The
//! distinct-value family keeps one entry per distinct value.

use std::collections::HashMap;

use arrow_array::Array;
use datagate_dataset::Batch;
use serde_json::{json, Value};

use super::values::ValueSet;
use crate::bounds::Bounds;
use crate::check::{Check, CheckError, Outcome, TableInfo, PARTIAL_LIMIT};
use crate::value::{float_json, ColumnRef, Key, OrdF64};

/// Which summary statistic a [`Stat`] check computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatKind {
    /// `expect_column_min_to_be_between`.
    Min,
    /// `expect_column_max_to_be_between`.
    Max,
    /// `expect_column_mean_to_be_between`.
    Mean,
    /// `expect_column_stdev_to_be_between` (sample standard deviation, ddof = 1).
    Stdev,
    /// `expect_column_sum_to_be_between`.
    Sum,
}

/// A streaming summary statistic compared with bounds.
pub struct Stat {
    column: usize,
    kind: StatKind,
    bounds: Bounds,
    count: u64,
    nulls: u64,
    mean: f64,
    m2: f64,
    sum: f64,
    int_sum: i128,
    min: f64,
    max: f64,
    min_text: Option<String>,
    max_text: Option<String>,
    data_type: ColumnType,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum ColumnType {
    Int,
    Float,
    Bool,
    Text,
}

fn column_type(dt: &arrow_schema::DataType) -> ColumnType {
    use arrow_schema::DataType as D;
    match dt {
        D::Int64 => ColumnType::Int,
        D::Float64 => ColumnType::Float,
        D::Boolean => ColumnType::Bool,
        _ => ColumnType::Text,
    }
}

impl Stat {
    /// `kind` of column `column` (of type `dt`) within `bounds`.
    pub fn new(column: usize, dt: &arrow_schema::DataType, kind: StatKind, bounds: Bounds) -> Self {
        Self {
            column,
            kind,
            bounds,
            count: 0,
            nulls: 0,
            mean: 0.0,
            m2: 0.0,
            sum: 0.0,
            int_sum: 0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            min_text: None,
            max_text: None,
            data_type: column_type(dt),
        }
    }

    fn observed(&self) -> Result<Value, CheckError> {
        // pandas holds an integer column with nulls as float64.
        let as_int = self.data_type == ColumnType::Int && self.nulls == 0;
        let number = |v: f64| {
            if as_int {
                json!(v as i64)
            } else {
                float_json(v)
            }
        };
        Ok(match self.kind {
            StatKind::Min | StatKind::Max if self.data_type == ColumnType::Text => {
                if self.count > 0 && self.nulls > 0 {
                    let op = if self.kind == StatKind::Min {
                        "<="
                    } else {
                        ">="
                    };
                    return Err(CheckError(format!(
                        "'{op}' not supported between instances of 'str' and 'float'"
                    )));
                }
                let v = if self.kind == StatKind::Min {
                    &self.min_text
                } else {
                    &self.max_text
                };
                v.clone().map(Value::String).unwrap_or(Value::Null)
            }
            _ if self.count == 0 && self.kind != StatKind::Sum => Value::Null,
            StatKind::Min if self.data_type == ColumnType::Bool => json!(self.min != 0.0),
            StatKind::Max if self.data_type == ColumnType::Bool => json!(self.max != 0.0),
            StatKind::Min => number(self.min),
            StatKind::Max => number(self.max),
            StatKind::Mean => float_json(self.mean),
            StatKind::Stdev if self.count < 2 => Value::Null,
            StatKind::Stdev => float_json((self.m2 / (self.count - 1) as f64).sqrt()),
            StatKind::Sum => match self.data_type {
                ColumnType::Int if self.nulls == 0 => json!(self.int_sum as i64),
                ColumnType::Bool if self.nulls == 0 => json!(self.int_sum as i64),
                ColumnType::Text if self.count == 0 => json!(0),
                ColumnType::Text => {
                    return Err(CheckError(
                        "the sum of a text column is not a number".into(),
                    ))
                }
                _ if self.count == 0 && self.nulls == 0 => json!(0),
                _ => float_json(self.sum),
            },
        })
    }
}

impl Check for Stat {
    fn update(&mut self, batch: &Batch) -> Result<(), CheckError> {
        let array = batch.data.column(self.column);
        let col = ColumnRef::of(array);
        self.nulls += array.null_count() as u64;
        if self.data_type == ColumnType::Text {
            if matches!(self.kind, StatKind::Mean | StatKind::Stdev)
                && array.len() > array.null_count()
            {
                return Err(CheckError("could not convert string to float".into()));
            }
            for i in 0..array.len() {
                if array.is_null(i) {
                    continue;
                }
                self.count += 1;
                let t = col.text(i);
                if self.min_text.as_deref().is_none_or(|m| t.as_ref() < m) {
                    self.min_text = Some(t.to_string());
                }
                if self.max_text.as_deref().is_none_or(|m| t.as_ref() > m) {
                    self.max_text = Some(t.to_string());
                }
            }
            return Ok(());
        }
        // Per batch: count, sum, extremes and the batch's own mean; then a second pass for
        // its squared deviations, merged with Chan et al.'s formula (no division per value).
        let (mut n, mut sum, mut min, mut max) = (0u64, 0.0f64, f64::INFINITY, f64::NEG_INFINITY);
        for i in 0..array.len() {
            if array.is_null(i) {
                continue;
            }
            let Some(v) = col.num(i) else { continue };
            n += 1;
            sum += v;
            min = min.min(v);
            max = max.max(v);
            match col {
                ColumnRef::Int(a) => self.int_sum += a.value(i) as i128,
                ColumnRef::Bool(_) => self.int_sum += v as i128,
                _ => {}
            }
        }
        if n == 0 {
            return Ok(());
        }
        let batch_mean = sum / n as f64;
        let mut batch_m2 = 0.0;
        for i in 0..array.len() {
            if !array.is_null(i) {
                if let Some(v) = col.num(i) {
                    let d = v - batch_mean;
                    batch_m2 += d * d;
                }
            }
        }
        let total = self.count + n;
        let delta = batch_mean - self.mean;
        self.mean += delta * n as f64 / total as f64;
        self.m2 += batch_m2 + delta * delta * (self.count as f64) * (n as f64) / total as f64;
        self.count = total;
        self.sum += sum;
        self.min = self.min.min(min);
        self.max = self.max.max(max);
        Ok(())
    }

    fn finish(&mut self, _table: &TableInfo<'_>) -> Result<Outcome, CheckError> {
        let observed = self.observed()?;
        let success = !observed.is_null() && self.bounds.check_observed(&observed)?;
        Ok(Outcome::observed(success, observed))
    }
}

/// How quantiles are picked from the sorted values (pandas' `interpolation`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interpolation {
    /// The value at index `round_half_even(q·(n−1))` (GX's default on pandas).
    Nearest,
    /// Linear between the two neighbours.
    Linear,
    /// The lower neighbour.
    Lower,
    /// The higher neighbour.
    Higher,
    /// The mean of the two neighbours.
    Midpoint,
}

impl Interpolation {
    /// Parses pandas' names.
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "nearest" => Self::Nearest,
            "linear" => Self::Linear,
            "lower" => Self::Lower,
            "higher" => Self::Higher,
            "midpoint" => Self::Midpoint,
            _ => return None,
        })
    }
}

/// Quantile `q` of sorted `values`.
pub fn quantile(values: &[f64], q: f64, how: Interpolation) -> f64 {
    let n = values.len();
    let pos = q * (n - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil().min((n - 1) as f64) as usize;
    match how {
        Interpolation::Nearest => values[(pos.round_ties_even() as usize).min(n - 1)],
        Interpolation::Lower => values[lo],
        Interpolation::Higher => values[hi],
        Interpolation::Midpoint => (values[lo] + values[hi]) / 2.0,
        Interpolation::Linear => values[lo] + (values[hi] - values[lo]) * (pos - lo as f64),
    }
}

/// What an exact order-statistic check computes.
pub enum OrderRule {
    /// `expect_column_median_to_be_between`.
    Median(Bounds),
    /// `expect_column_quantile_values_to_be_between`: quantiles, their ranges, interpolation
    /// (`None` when `allow_relative_error` asks for an approximation pandas cannot do).
    Quantiles(
        Vec<f64>,
        Vec<(Option<f64>, Option<f64>)>,
        Option<Interpolation>,
    ),
}

/// Median and quantiles, exact: every non-null value is kept and sorted at the end.
pub struct OrderStat {
    column: usize,
    rule: OrderRule,
    values: Vec<f64>,
    nulls: u64,
    is_int: bool,
}

impl OrderStat {
    /// The check on column `column` of type `dt`.
    pub fn new(column: usize, dt: &arrow_schema::DataType, rule: OrderRule) -> Self {
        Self {
            column,
            rule,
            values: Vec::new(),
            nulls: 0,
            is_int: matches!(dt, arrow_schema::DataType::Int64),
        }
    }
}

impl Check for OrderStat {
    fn update(&mut self, batch: &Batch) -> Result<(), CheckError> {
        let array = batch.data.column(self.column);
        let col = ColumnRef::of(array);
        if !col.is_numeric() && array.len() > array.null_count() {
            return Err(CheckError("the column is not numeric".into()));
        }
        self.nulls += array.null_count() as u64;
        for i in 0..array.len() {
            if !array.is_null(i) {
                if let Some(v) = col.num(i) {
                    self.values.push(v);
                }
            }
        }
        Ok(())
    }

    fn finish(&mut self, _table: &TableInfo<'_>) -> Result<Outcome, CheckError> {
        self.values.sort_unstable_by(f64::total_cmp);
        let v = &self.values;
        match &self.rule {
            OrderRule::Median(bounds) => {
                if v.is_empty() {
                    return Ok(Outcome::observed(false, Value::Null));
                }
                let n = v.len();
                let median = if n % 2 == 1 {
                    v[n / 2]
                } else {
                    (v[n / 2 - 1] + v[n / 2]) / 2.0
                };
                let observed = float_json(median);
                Ok(Outcome::observed(
                    bounds.check_observed(&observed)?,
                    observed,
                ))
            }
            OrderRule::Quantiles(qs, ranges, how) => {
                let Some(how) = how else {
                    return Err(CheckError(
                        "allow_relative_error must be an interpolation method name on pandas data"
                            .into(),
                    ));
                };
                if v.is_empty() {
                    return Ok(Outcome::observed(false, Value::Null));
                }
                let as_int = self.is_int
                    && self.nulls == 0
                    && *how != Interpolation::Linear
                    && *how != Interpolation::Midpoint;
                let values: Vec<f64> = qs.iter().map(|q| quantile(v, *q, *how)).collect();
                let details: Vec<bool> = values
                    .iter()
                    .zip(ranges)
                    .map(|(x, (lo, hi))| {
                        lo.is_none_or(|lo| *x >= lo) && hi.is_none_or(|hi| *x <= hi)
                    })
                    .collect();
                let shown: Vec<Value> = values
                    .iter()
                    .map(|x| {
                        if as_int {
                            json!(*x as i64)
                        } else {
                            float_json(*x)
                        }
                    })
                    .collect();
                let mut out = Outcome::observed(
                    details.iter().all(|d| *d),
                    json!({"quantiles": qs, "values": shown}),
                );
                out.result
                    .insert("details".into(), json!({"success_details": details}));
                Ok(out)
            }
        }
    }
}

/// What a distinct-value check computes.
pub enum DistinctRule {
    /// `expect_column_unique_value_count_to_be_between`.
    UniqueCount(Bounds),
    /// `expect_column_proportion_of_unique_values_to_be_between`.
    ProportionUnique(Bounds),
    /// `expect_column_distinct_values_to_be_in_set`.
    InSet(ValueSet),
    /// `expect_column_distinct_values_to_contain_set` (the set's own values, to report missing ones).
    ContainSet(Vec<Value>),
    /// `expect_column_distinct_values_to_equal_set`.
    EqualSet(ValueSet, Vec<Value>),
    /// `expect_column_most_common_value_to_be_in_set` (with `ties_okay`).
    MostCommon(ValueSet, bool),
}

/// Counts of each distinct non-null value.
pub struct Distinct {
    column: usize,
    rule: DistinctRule,
    nums: HashMap<OrdF64, u64>,
    strs: HashMap<String, u64>,
    bools: [u64; 2],
    non_null: u64,
}

impl Distinct {
    /// The check on column `column`.
    pub fn new(column: usize, rule: DistinctRule) -> Self {
        Self {
            column,
            rule,
            nums: HashMap::new(),
            strs: HashMap::new(),
            bools: [0; 2],
            non_null: 0,
        }
    }

    /// Distinct values with counts, sorted by value.
    fn counts(&self) -> Vec<(Key, u64)> {
        let mut out: Vec<(Key, u64)> = Vec::new();
        for (b, &n) in self.bools.iter().enumerate() {
            if n > 0 {
                out.push((Key::Bool(b == 1), n));
            }
        }
        out.extend(self.nums.iter().map(|(k, n)| (Key::Num(*k), *n)));
        out.extend(self.strs.iter().map(|(k, n)| (Key::Str(k.clone()), *n)));
        out.sort();
        out
    }
}

impl Check for Distinct {
    fn update(&mut self, batch: &Batch) -> Result<(), CheckError> {
        let array = batch.data.column(self.column);
        let col = ColumnRef::of(array);
        self.non_null += (array.len() - array.null_count()) as u64;
        for i in 0..array.len() {
            if array.is_null(i) {
                continue;
            }
            match col {
                ColumnRef::Str(a) => {
                    let s = a.value(i);
                    match self.strs.get_mut(s) {
                        Some(n) => *n += 1,
                        None => {
                            self.strs.insert(s.to_string(), 1);
                        }
                    }
                }
                ColumnRef::Bool(a) => self.bools[a.value(i) as usize] += 1,
                _ => match Key::of(&col, i) {
                    Key::Num(n) => *self.nums.entry(n).or_insert(0) += 1,
                    Key::Str(s) => *self.strs.entry(s).or_insert(0) += 1,
                    Key::Bool(b) => self.bools[b as usize] += 1,
                },
            }
        }
        Ok(())
    }

    fn finish(&mut self, _table: &TableInfo<'_>) -> Result<Outcome, CheckError> {
        let counts = self.counts();
        let distinct = counts.len() as u64;
        let listed = |keys: Vec<&Key>| -> Value {
            Value::Array(
                keys.into_iter()
                    .take(PARTIAL_LIMIT)
                    .map(Key::json)
                    .collect(),
            )
        };
        let absent = |wanted: &[Value]| -> Vec<Value> {
            wanted
                .iter()
                .filter(|w| {
                    let Some(k) = Key::from_json(w) else {
                        return true;
                    };
                    !counts.iter().any(|(c, _)| c.loosely_equals(&k))
                })
                .cloned()
                .collect()
        };
        Ok(match &self.rule {
            DistinctRule::UniqueCount(bounds) => {
                let observed = json!(distinct);
                Outcome::observed(bounds.check_observed(&observed)?, observed)
            }
            DistinctRule::ProportionUnique(bounds) => {
                let observed = if self.non_null == 0 {
                    json!(0)
                } else {
                    float_json(distinct as f64 / self.non_null as f64)
                };
                Outcome::observed(bounds.check_observed(&observed)?, observed)
            }
            DistinctRule::InSet(set) => {
                let outside: Vec<&Key> = counts
                    .iter()
                    .map(|(k, _)| k)
                    .filter(|k| !set.contains_key(k))
                    .collect();
                let mut out = Outcome::observed(outside.is_empty(), Value::Null);
                out.result
                    .insert("unexpected_count".into(), json!(outside.len()));
                out.result
                    .insert("partial_unexpected_list".into(), listed(outside));
                out
            }
            DistinctRule::ContainSet(wanted) => {
                let missing = absent(wanted);
                let mut out = Outcome::observed(missing.is_empty(), Value::Null);
                out.result
                    .insert("missing_count".into(), json!(missing.len()));
                out.result
                    .insert("partial_missing_list".into(), Value::Array(missing));
                out
            }
            DistinctRule::EqualSet(set, wanted) => {
                let outside: Vec<&Key> = counts
                    .iter()
                    .map(|(k, _)| k)
                    .filter(|k| !set.contains_key(k))
                    .collect();
                let missing = absent(wanted);
                let mut out =
                    Outcome::observed(outside.is_empty() && missing.is_empty(), Value::Null);
                out.result
                    .insert("unexpected_count".into(), json!(outside.len()));
                out.result
                    .insert("partial_unexpected_list".into(), listed(outside));
                out.result
                    .insert("missing_count".into(), json!(missing.len()));
                out.result
                    .insert("partial_missing_list".into(), Value::Array(missing));
                out
            }
            DistinctRule::MostCommon(set, ties_okay) => {
                let top = counts.iter().map(|(_, n)| *n).max().unwrap_or(0);
                let modes: Vec<&Key> = counts
                    .iter()
                    .filter(|(_, n)| *n == top && top > 0)
                    .map(|(k, _)| k)
                    .collect();
                let hits = modes.iter().filter(|k| set.contains_key(k)).count();
                let success = if *ties_okay {
                    hits > 0
                } else {
                    modes.len() == 1 && hits == 1
                };
                Outcome::observed(
                    success,
                    Value::Array(modes.into_iter().map(Key::json).collect()),
                )
            }
        })
    }
}
