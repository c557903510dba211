//! Parquet: row groups are the unit of parallel decoding.

use std::fs::File;
use std::path::Path;

use arrow_array::RecordBatch;
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder, RowSelection,
    RowSelector,
};
use parquet::arrow::ProjectionMask;

use crate::error::{DatasetError, Result};

/// A Parquet file's footer, read once and shared by the workers.
pub struct ParquetLayout {
    /// The footer with the Arrow schema.
    pub metadata: ArrowReaderMetadata,
    /// Rows in each row group.
    pub row_group_rows: Vec<u64>,
}

fn format_err(path: &Path, e: impl std::fmt::Display) -> DatasetError {
    DatasetError::Format {
        path: path.to_path_buf(),
        message: format!("not a readable Parquet file: {e}"),
    }
}

/// Reads the footer.
pub fn learn_layout(path: &Path) -> Result<ParquetLayout> {
    let file = File::open(path).map_err(|source| DatasetError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let metadata = ArrowReaderMetadata::load(&file, ArrowReaderOptions::new())
        .map_err(|e| format_err(path, e))?;
    let row_group_rows = metadata
        .metadata()
        .row_groups()
        .iter()
        .map(|rg| rg.num_rows().max(0) as u64)
        .collect();
    Ok(ParquetLayout {
        metadata,
        row_group_rows,
    })
}

/// Decodes rows `[start, start + len)` of one row group into batches of at most
/// `batch_rows` rows.
pub fn read_row_group(
    path: &Path,
    layout: &ParquetLayout,
    row_group: usize,
    (start, len): (u64, u64),
    columns: Option<&[usize]>,
    batch_rows: usize,
) -> Result<Vec<RecordBatch>> {
    let file = File::open(path).map_err(|source| DatasetError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut builder =
        ParquetRecordBatchReaderBuilder::new_with_metadata(file, layout.metadata.clone());
    if let Some(cols) = columns {
        let mask = ProjectionMask::roots(builder.parquet_schema(), cols.iter().copied());
        builder = builder.with_projection(mask);
    }
    let rows = layout.row_group_rows.get(row_group).copied().unwrap_or(0);
    if start > 0 || start + len < rows {
        let mut selectors = Vec::with_capacity(3);
        if start > 0 {
            selectors.push(RowSelector::skip(start as usize));
        }
        selectors.push(RowSelector::select(len as usize));
        if start + len < rows {
            selectors.push(RowSelector::skip((rows - start - len) as usize));
        }
        builder = builder.with_row_selection(RowSelection::from(selectors));
    }
    let reader = builder
        .with_row_groups(vec![row_group])
        .with_batch_size(batch_rows)
        .build()
        .map_err(|e| format_err(path, e))?;
    reader
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| DatasetError::Format {
            path: path.to_path_buf(),
            message: format!("row group {row_group}: {e}"),
        })
}
