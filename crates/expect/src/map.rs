//! The machinery shared by single-column row-wise ("map") expectations.
//!
//! A [`ValueRule`] only says which non-null values fail; [`ColumnValues`] does the
//! bookkeeping GX does: nulls are missing (not unexpected), cells that did not parse
//! as the column's type are unexpected (reported with their raw text), `mostly` is
//! applied to the non-missing rows, and the first 20 failing rows are kept as samples.

use arrow_array::Array;
use datagate_dataset::Batch;
use serde_json::Value;

use crate::check::{Check, CheckError, Outcome, TableInfo, Tally};
use crate::value::ColumnRef;

/// Decides which non-null values of a column fail.
pub trait ValueRule: Send {
    /// Appends to `out`, in increasing order, the batch rows whose (non-null) value fails.
    fn failing_rows(&self, col: ColumnRef<'_>, out: &mut Vec<usize>) -> Result<(), CheckError>;
}

/// Calls `f(i)` for each non-null row of `col`, pushing `i` to `out` when `f` says it fails.
#[inline]
pub fn push_failing(col: &dyn Array, out: &mut Vec<usize>, mut fails: impl FnMut(usize) -> bool) {
    if col.null_count() == 0 {
        for i in 0..col.len() {
            if fails(i) {
                out.push(i);
            }
        }
    } else {
        for i in 0..col.len() {
            if col.is_valid(i) && fails(i) {
                out.push(i);
            }
        }
    }
}

/// The raw array behind a column view.
pub fn array<'a>(col: &ColumnRef<'a>) -> &'a dyn Array {
    let col = *col;
    match col {
        ColumnRef::Int(a) => a,
        ColumnRef::Float(a) => a,
        ColumnRef::Str(a) => a,
        ColumnRef::Bool(a) => a,
        ColumnRef::Other(a) => a.as_ref(),
    }
}

/// A single-column row-wise expectation.
pub struct ColumnValues<R> {
    column: usize,
    rule: R,
    mostly: f64,
    tally: Tally,
    failing: Vec<usize>,
}

impl<R: ValueRule> ColumnValues<R> {
    /// Binds `rule` to the column at index `column`.
    pub fn new(column: usize, rule: R, mostly: f64) -> Self {
        Self {
            column,
            rule,
            mostly,
            tally: Tally::default(),
            failing: Vec::new(),
        }
    }
}

impl<R: ValueRule> Check for ColumnValues<R> {
    fn update(&mut self, batch: &Batch) -> Result<(), CheckError> {
        let array = batch.data.column(self.column);
        let col = ColumnRef::of(array);
        let n = array.len() as u64;
        let invalid: Vec<_> = batch.invalid_in(self.column).collect();
        self.tally.element_count += n;
        self.tally.missing_count += array.null_count() as u64 - invalid.len() as u64;
        self.failing.clear();
        self.rule.failing_rows(col, &mut self.failing)?;
        if invalid.is_empty() {
            for &i in &self.failing {
                self.tally
                    .unexpected(batch.first_row + i as u64, || col.json(i));
            }
        } else {
            // Merge the rule's rows with the unparseable cells, in row order.
            let mut cells = invalid.iter().peekable();
            let mut rows = self.failing.iter().peekable();
            loop {
                let take_cell = match (rows.peek(), cells.peek()) {
                    (Some(&&r), Some(c)) => c.row < r,
                    (None, Some(_)) => true,
                    (Some(_), None) => false,
                    (None, None) => break,
                };
                if take_cell {
                    let Some(c) = cells.next() else { break };
                    self.tally.unexpected(batch.first_row + c.row as u64, || {
                        Value::String(c.raw.clone())
                    });
                } else {
                    let Some(&i) = rows.next() else { break };
                    self.tally
                        .unexpected(batch.first_row + i as u64, || col.json(i));
                }
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

/// `expect_column_values_to_not_be_null` and `expect_column_values_to_be_null`.
///
/// Unlike other map expectations, nulls are the subject here: the failing rows are the
/// nulls (or the non-nulls), `mostly` applies to all rows, and there is no missing count.
/// A cell that did not parse as its column's type holds a value, so it is not null.
pub struct NullCheck {
    column: usize,
    expect_null: bool,
    mostly: f64,
    tally: Tally,
}

impl NullCheck {
    /// A null check on column `column`.
    pub fn new(column: usize, expect_null: bool, mostly: f64) -> Self {
        Self {
            column,
            expect_null,
            mostly,
            tally: Tally::default(),
        }
    }
}

impl Check for NullCheck {
    fn update(&mut self, batch: &Batch) -> Result<(), CheckError> {
        let array = batch.data.column(self.column);
        let col = ColumnRef::of(array);
        self.tally.element_count += array.len() as u64;
        let invalid: Vec<usize> = batch.invalid_in(self.column).map(|c| c.row).collect();
        let is_null = |i: usize| array.is_null(i) && invalid.binary_search(&i).is_err();
        if !self.expect_null && array.null_count() == invalid.len() {
            return Ok(()); // fast path: no true nulls in this batch
        }
        for i in 0..array.len() {
            if is_null(i) != self.expect_null {
                let value = || match batch
                    .invalid
                    .iter()
                    .find(|c| c.column == self.column && c.row == i)
                {
                    Some(c) => Value::String(c.raw.clone()),
                    None => col.json(i),
                };
                self.tally.unexpected(batch.first_row + i as u64, value);
            }
        }
        Ok(())
    }

    fn finish(&mut self, _table: &TableInfo<'_>) -> Result<Outcome, CheckError> {
        let n = self.tally.element_count;
        let success =
            n == 0 || (n as f64 - self.tally.unexpected_count as f64) / n as f64 >= self.mostly;
        Ok(Outcome {
            success,
            result: self.tally.to_null_result(),
        })
    }
}
