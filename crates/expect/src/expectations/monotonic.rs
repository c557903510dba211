//! `expect_column_values_to_be_increasing` and `expect_column_values_to_be_decreasing`.
//!
//! Each non-null value is compared with the previous non-null value (not the running
//! extreme), across batch boundaries; the first value passes; ties pass unless
//! `strictly`. GX raises on text columns, and so does datagate.

use arrow_array::Array;
use datagate_dataset::Batch;

use crate::check::{Check, CheckError, Outcome, TableInfo, Tally};
use crate::value::ColumnRef;

/// The monotonicity check.
pub struct Monotonic {
    column: usize,
    decreasing: bool,
    strictly: bool,
    mostly: f64,
    previous: Option<f64>,
    tally: Tally,
}

impl Monotonic {
    /// Increasing (or `decreasing`) values in column `column`.
    pub fn new(column: usize, decreasing: bool, strictly: bool, mostly: f64) -> Self {
        Self {
            column,
            decreasing,
            strictly,
            mostly,
            previous: None,
            tally: Tally::default(),
        }
    }
}

impl Check for Monotonic {
    fn update(&mut self, batch: &Batch) -> Result<(), CheckError> {
        let array = batch.data.column(self.column);
        let col = ColumnRef::of(array);
        if !col.is_numeric() {
            return Err(CheckError(
                "unsupported operand type(s) for -: 'str' and 'str'".into(),
            ));
        }
        self.tally.element_count += array.len() as u64;
        self.tally.missing_count += array.null_count() as u64;
        for i in 0..array.len() {
            let Some(v) = (!array.is_null(i)).then(|| col.num(i)).flatten() else {
                continue;
            };
            if let Some(p) = self.previous {
                let ok = match (self.decreasing, self.strictly) {
                    (false, false) => v >= p,
                    (false, true) => v > p,
                    (true, false) => v <= p,
                    (true, true) => v < p,
                };
                if !ok {
                    self.tally
                        .unexpected(batch.first_row + i as u64, || col.json(i));
                }
            }
            self.previous = Some(v);
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
