//! A decoded slice of rows, with its position in the file and the cells that did not parse.

use arrow_array::RecordBatch;

/// A cell whose text could not be read as its column's type (CSV and JSON Lines only).
///
/// The cell is null in [`Batch::data`]; expectations count it as an unexpected value
/// (not as missing), using `raw` as the value they report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidCell {
    /// Row within the batch (add [`Batch::first_row`] for the file row).
    pub row: usize,
    /// Column index in the schema.
    pub column: usize,
    /// The text as it appeared in the file.
    pub raw: String,
}

/// Consecutive rows of a dataset, in file order.
#[derive(Debug, Clone)]
pub struct Batch {
    /// 0-based data row number (header excluded) of the first row of `data`.
    pub first_row: u64,
    /// The rows, with columns normalised (see [`crate::normalize`]).
    pub data: RecordBatch,
    /// Cells that did not parse as their column's type, sorted by row.
    pub invalid: Vec<InvalidCell>,
}

impl Batch {
    /// Number of rows.
    pub fn num_rows(&self) -> usize {
        self.data.num_rows()
    }

    /// The invalid cells of one column, in row order.
    pub fn invalid_in(&self, column: usize) -> impl Iterator<Item = &InvalidCell> {
        self.invalid.iter().filter(move |c| c.column == column)
    }
}
