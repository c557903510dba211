//! Row-wise expectations across columns: `expect_column_pair_values_to_be_equal`,
//! `expect_column_pair_values_a_to_be_greater_than_b`, `expect_multicolumn_sum_to_equal`.

use datagate_dataset::Batch;
use serde_json::Value;

use super::uniqueness::{row_object, IgnoreRowIf};
use crate::check::{Check, CheckError, Outcome, TableInfo, Tally};
use crate::value::{ColumnRef, Key};

/// GX's `ignore_row_if` for column pairs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PairIgnore {
    /// Skip rows where both values are null (the default).
    Both,
    /// Skip rows where either value is null.
    Either,
    /// Keep every row.
    Neither,
}

impl PairIgnore {
    /// Parses GX's names.
    pub fn parse(name: Option<&str>) -> Result<Self, String> {
        match name {
            None | Some("both_values_are_missing") => Ok(Self::Both),
            Some("either_value_is_missing") => Ok(Self::Either),
            Some("neither") | Some("never") => Ok(Self::Neither),
            Some(other) => Err(format!(
                "`ignore_row_if` must be both_values_are_missing, either_value_is_missing or neither, got {other:?}"
            )),
        }
    }
}

/// How the two values of a pair must relate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PairRule {
    /// A equals B (numbers numerically, text exactly); a null never equals anything.
    Equal,
    /// A > B (or A ≥ B with `or_equal`); a null side fails.
    Greater {
        /// Allow equality.
        or_equal: bool,
    },
}

/// A two-column row-wise check.
pub struct Pair {
    a: usize,
    b: usize,
    rule: PairRule,
    ignore: PairIgnore,
    mostly: f64,
    tally: Tally,
}

impl Pair {
    /// The check on columns `a` and `b` (indices).
    pub fn new(a: usize, b: usize, rule: PairRule, ignore: PairIgnore, mostly: f64) -> Self {
        Self {
            a,
            b,
            rule,
            ignore,
            mostly,
            tally: Tally::default(),
        }
    }
}

fn greater(
    a: &ColumnRef<'_>,
    b: &ColumnRef<'_>,
    i: usize,
    or_equal: bool,
) -> Result<bool, CheckError> {
    let ord = match (a.num(i), b.num(i)) {
        (Some(x), Some(y)) => x.partial_cmp(&y),
        (None, None) => Some(a.text(i).cmp(&b.text(i))),
        _ => {
            return Err(CheckError(
                "'>' not supported between instances of 'str' and 'float'".into(),
            ))
        }
    };
    Ok(match ord {
        Some(std::cmp::Ordering::Greater) => true,
        Some(std::cmp::Ordering::Equal) => or_equal,
        _ => false,
    })
}

impl Check for Pair {
    fn update(&mut self, batch: &Batch) -> Result<(), CheckError> {
        let a = ColumnRef::of(batch.data.column(self.a));
        let b = ColumnRef::of(batch.data.column(self.b));
        let n = batch.num_rows();
        self.tally.element_count += n as u64;
        for i in 0..n {
            let (na, nb) = (a.is_null(i), b.is_null(i));
            let skip = match self.ignore {
                PairIgnore::Both => na && nb,
                PairIgnore::Either => na || nb,
                PairIgnore::Neither => false,
            };
            if skip {
                self.tally.missing_count += 1;
                continue;
            }
            let ok = if na || nb {
                false
            } else {
                match self.rule {
                    PairRule::Equal => Key::of(&a, i).loosely_equals(&Key::of(&b, i)),
                    PairRule::Greater { or_equal } => greater(&a, &b, i, or_equal)?,
                }
            };
            if !ok {
                self.tally.unexpected(batch.first_row + i as u64, || {
                    Value::Array(vec![a.json(i), b.json(i)])
                });
            }
        }
        Ok(())
    }

    fn finish(&mut self, _table: &TableInfo<'_>) -> Result<Outcome, CheckError> {
        Ok(Outcome {
            success: self.tally.success(self.mostly),
            result: self.tally.to_result(),
        })
    }
}

/// `expect_multicolumn_sum_to_equal`: the listed columns add up to `sum_total` in every
/// row; a null makes the sum NaN, so such a row fails unless `ignore_row_if` skips it.
pub struct MulticolumnSum {
    columns: Vec<usize>,
    names: Vec<String>,
    total: f64,
    ignore: IgnoreRowIf,
    mostly: f64,
    tally: Tally,
}

impl MulticolumnSum {
    /// The check over `columns` (indices) named `names`.
    pub fn new(
        columns: Vec<usize>,
        names: Vec<String>,
        total: f64,
        ignore: IgnoreRowIf,
        mostly: f64,
    ) -> Self {
        Self {
            columns,
            names,
            total,
            ignore,
            mostly,
            tally: Tally::default(),
        }
    }
}

impl Check for MulticolumnSum {
    fn update(&mut self, batch: &Batch) -> Result<(), CheckError> {
        let cols: Vec<ColumnRef<'_>> = self
            .columns
            .iter()
            .map(|c| ColumnRef::of(batch.data.column(*c)))
            .collect();
        if let Some(bad) = cols.iter().position(|c| !c.is_numeric()) {
            return Err(CheckError(format!(
                "column {:?} is not numeric, so it cannot be summed",
                self.names[bad]
            )));
        }
        let n = batch.num_rows();
        self.tally.element_count += n as u64;
        for i in 0..n {
            let nulls = cols.iter().filter(|c| c.is_null(i)).count();
            if self.ignore.skips(nulls, cols.len()) {
                self.tally.missing_count += 1;
                continue;
            }
            let sum: f64 = cols
                .iter()
                .map(|c| {
                    if c.is_null(i) {
                        f64::NAN
                    } else {
                        c.num(i).unwrap_or(f64::NAN)
                    }
                })
                .sum();
            if sum != self.total {
                let (names, cols) = (&self.names, &cols);
                self.tally
                    .unexpected(batch.first_row + i as u64, || row_object(names, cols, i));
            }
        }
        Ok(())
    }

    fn finish(&mut self, _table: &TableInfo<'_>) -> Result<Outcome, CheckError> {
        Ok(Outcome {
            success: self.tally.success(self.mostly),
            result: self.tally.to_result(),
        })
    }
}
