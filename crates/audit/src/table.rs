//! The dataset under audit, held in memory as typed column vectors.
//!
//! Numeric columns (Int64, Float64) become `f64` vectors with NaN for null (±inf is null
//! too); Boolean and string feature columns become categorical codes; the columns named
//! as text keep their strings; the label column becomes class codes. Every row keeps its
//! 0-based file row number.

use std::collections::HashMap;
use std::path::PathBuf;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type};
use arrow_array::{Array, ArrayRef};
use arrow_schema::DataType;
use datagate_dataset::{Dataset, DatasetError};

/// Code for a missing categorical value or label.
pub const MISSING: u32 = u32::MAX;

/// Errors from loading a table for audit.
#[derive(Debug, thiserror::Error)]
pub enum TableError {
    /// Reading the file failed.
    #[error(transparent)]
    Dataset(#[from] DatasetError),
    /// A named column is not in the file.
    #[error("{path}: no column {column:?} (the file has: {available})")]
    NoSuchColumn {
        /// The file.
        path: PathBuf,
        /// The column asked for.
        column: String,
        /// The file's columns, comma-separated.
        available: String,
    },
    /// A column was given two roles.
    #[error("column {column:?} is named both as {first} and as {second}")]
    Conflict {
        /// The column.
        column: String,
        /// Its first role.
        first: &'static str,
        /// Its second role.
        second: &'static str,
    },
}

/// Which columns play which role in the audit.
#[derive(Debug, Clone, Default)]
pub struct AuditColumns {
    /// The label column (needed by every label-aware detector).
    pub label: Option<String>,
    /// Free-text columns (tokenised for near duplicates and text triggers).
    pub text: Vec<String>,
    /// Feature columns; `None` means every column that is neither label nor text.
    pub features: Option<Vec<String>>,
}

/// A numeric feature: `f64` values, NaN where null or infinite.
#[derive(Debug, Clone)]
pub struct NumericColumn {
    /// The column's name.
    pub name: String,
    /// One value per row.
    pub values: Vec<f64>,
}

/// A categorical feature: a code per row into `levels`, [`MISSING`] where null.
#[derive(Debug, Clone)]
pub struct CategoricalColumn {
    /// The column's name.
    pub name: String,
    /// One code per row.
    pub codes: Vec<u32>,
    /// The distinct values, in order of first appearance.
    pub levels: Vec<String>,
}

/// A free-text column: one string per row (empty where null).
#[derive(Debug, Clone)]
pub struct TextColumn {
    /// The column's name.
    pub name: String,
    /// One string per row.
    pub values: Vec<String>,
}

/// The label: a class code per row into `classes`, [`MISSING`] where null.
#[derive(Debug, Clone)]
pub struct Labels {
    /// The label column's name.
    pub name: String,
    /// One code per row.
    pub codes: Vec<u32>,
    /// The class names, in order of first appearance.
    pub classes: Vec<String>,
}

impl Labels {
    /// Rows per class, indexed by class code (missing labels are not counted).
    pub fn class_counts(&self) -> Vec<usize> {
        let mut counts = vec![0usize; self.classes.len()];
        for &c in &self.codes {
            if c != MISSING {
                counts[c as usize] += 1;
            }
        }
        counts
    }
}

/// The dataset under audit.
#[derive(Debug, Clone)]
pub struct Table {
    /// Where it was read from.
    pub path: PathBuf,
    /// The 0-based file row number of each row.
    pub row_numbers: Vec<u64>,
    /// The label, if one was named.
    pub labels: Option<Labels>,
    /// Numeric feature columns.
    pub numeric: Vec<NumericColumn>,
    /// Categorical feature columns (booleans and strings).
    pub categorical: Vec<CategoricalColumn>,
    /// Free-text columns.
    pub text: Vec<TextColumn>,
}

enum Role {
    Label,
    Text,
    Feature,
}

enum Sink {
    Numeric(NumericColumn),
    Categorical(CategoricalColumn, HashMap<String, u32>),
    Text(TextColumn),
    Label(Labels, HashMap<String, u32>),
}

impl Table {
    /// Reads `dataset` once, keeping the columns `columns` names.
    pub fn load(dataset: &Dataset, columns: &AuditColumns) -> Result<Self, TableError> {
        let schema = dataset.schema().clone();
        let index_of = |name: &str| -> Result<usize, TableError> {
            schema.index_of(name).map_err(|_| TableError::NoSuchColumn {
                path: dataset.path().to_path_buf(),
                column: name.to_string(),
                available: schema
                    .fields()
                    .iter()
                    .map(|f| f.name().as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
        };
        let mut roles: Vec<(usize, Role)> = Vec::new();
        let claim = |idx: usize, role: Role, roles: &mut Vec<(usize, Role)>| {
            if let Some((_, first)) = roles.iter().find(|(i, _)| *i == idx) {
                let name = |r: &Role| match r {
                    Role::Label => "the label",
                    Role::Text => "a text column",
                    Role::Feature => "a feature",
                };
                return Err(TableError::Conflict {
                    column: schema.field(idx).name().clone(),
                    first: name(first),
                    second: name(&role),
                });
            }
            roles.push((idx, role));
            Ok(())
        };
        if let Some(label) = &columns.label {
            claim(index_of(label)?, Role::Label, &mut roles)?;
        }
        for t in &columns.text {
            claim(index_of(t)?, Role::Text, &mut roles)?;
        }
        match &columns.features {
            Some(list) => {
                for f in list {
                    claim(index_of(f)?, Role::Feature, &mut roles)?;
                }
            }
            None => {
                for idx in 0..schema.fields().len() {
                    if !roles.iter().any(|(i, _)| *i == idx) {
                        roles.push((idx, Role::Feature));
                    }
                }
            }
        }
        roles.sort_by_key(|(i, _)| *i);
        let projection: Vec<usize> = roles.iter().map(|(i, _)| *i).collect();
        let mut sinks: Vec<Sink> = roles
            .iter()
            .map(|(idx, role)| {
                let field = schema.field(*idx);
                let name = field.name().clone();
                match role {
                    Role::Label => Sink::Label(
                        Labels {
                            name,
                            codes: Vec::new(),
                            classes: Vec::new(),
                        },
                        HashMap::new(),
                    ),
                    Role::Text => Sink::Text(TextColumn {
                        name,
                        values: Vec::new(),
                    }),
                    Role::Feature => match field.data_type() {
                        DataType::Int64 | DataType::Float64 => Sink::Numeric(NumericColumn {
                            name,
                            values: Vec::new(),
                        }),
                        _ => Sink::Categorical(
                            CategoricalColumn {
                                name,
                                codes: Vec::new(),
                                levels: Vec::new(),
                            },
                            HashMap::new(),
                        ),
                    },
                }
            })
            .collect();
        let mut row_numbers = Vec::new();
        dataset.scan_columns::<TableError>(Some(&projection), |batch| {
            let n = batch.num_rows();
            row_numbers.extend(batch.first_row..batch.first_row + n as u64);
            for (sink, array) in sinks.iter_mut().zip(batch.data.columns()) {
                match sink {
                    Sink::Numeric(col) => push_numeric(&mut col.values, array),
                    Sink::Categorical(col, index) => {
                        push_codes(&mut col.codes, &mut col.levels, index, array)
                    }
                    Sink::Label(labels, index) => {
                        push_codes(&mut labels.codes, &mut labels.classes, index, array)
                    }
                    Sink::Text(col) => push_text(&mut col.values, array),
                }
            }
            Ok(())
        })?;
        let mut table = Table {
            path: dataset.path().to_path_buf(),
            row_numbers,
            labels: None,
            numeric: Vec::new(),
            categorical: Vec::new(),
            text: Vec::new(),
        };
        for sink in sinks {
            match sink {
                Sink::Numeric(c) => table.numeric.push(c),
                Sink::Categorical(c, _) => table.categorical.push(c),
                Sink::Text(c) => table.text.push(c),
                Sink::Label(l, _) => table.labels = Some(l),
            }
        }
        Ok(table)
    }

    /// The label, or the reason a label-aware detector cannot run without one.
    pub fn require_labels(&self) -> Result<&Labels, String> {
        self.labels
            .as_ref()
            .ok_or_else(|| "needs a label column (--label)".to_string())
    }

    /// The number of rows.
    pub fn len(&self) -> usize {
        self.row_numbers.len()
    }

    /// Whether the table has no rows.
    pub fn is_empty(&self) -> bool {
        self.row_numbers.is_empty()
    }
}

fn push_numeric(out: &mut Vec<f64>, array: &ArrayRef) {
    let finite = |v: f64| if v.is_finite() { v } else { f64::NAN };
    match array.data_type() {
        DataType::Float64 => {
            let a = array.as_primitive::<Float64Type>();
            out.extend((0..a.len()).map(|i| {
                if a.is_null(i) {
                    f64::NAN
                } else {
                    finite(a.value(i))
                }
            }));
        }
        DataType::Int64 => {
            let a = array.as_primitive::<Int64Type>();
            out.extend((0..a.len()).map(|i| {
                if a.is_null(i) {
                    f64::NAN
                } else {
                    a.value(i) as f64
                }
            }));
        }
        _ => out.extend(std::iter::repeat_n(f64::NAN, array.len())),
    }
}

/// The value at `i` as text, the way a user would write it; `None` when null.
fn cell_text(array: &ArrayRef, i: usize) -> Option<String> {
    if array.is_null(i) {
        return None;
    }
    Some(match array.data_type() {
        DataType::Utf8 => array.as_string::<i32>().value(i).to_string(),
        DataType::LargeUtf8 => array.as_string::<i64>().value(i).to_string(),
        DataType::Boolean => array.as_boolean().value(i).to_string(),
        DataType::Int64 => array.as_primitive::<Int64Type>().value(i).to_string(),
        DataType::Float64 => {
            let v = array.as_primitive::<Float64Type>().value(i);
            if v.is_finite() && v == v.trunc() && v.abs() < 1e15 {
                format!("{v:.1}")
            } else {
                v.to_string()
            }
        }
        _ => arrow_cast_display(array, i),
    })
}

fn arrow_cast_display(array: &ArrayRef, i: usize) -> String {
    // Rare types (dates, decimals kept as they are by the reader): their debug form of
    // one element is stable and distinct per value, which is all codes need.
    format!("{:?}", array.slice(i, 1))
}

fn push_codes(
    codes: &mut Vec<u32>,
    levels: &mut Vec<String>,
    index: &mut HashMap<String, u32>,
    array: &ArrayRef,
) {
    for i in 0..array.len() {
        let code = match cell_text(array, i) {
            None => MISSING,
            Some(v) => match index.get(&v) {
                Some(&c) => c,
                None => {
                    let c = levels.len() as u32;
                    levels.push(v.clone());
                    index.insert(v, c);
                    c
                }
            },
        };
        codes.push(code);
    }
}

fn push_text(out: &mut Vec<String>, array: &ArrayRef) {
    out.extend((0..array.len()).map(|i| cell_text(array, i).unwrap_or_default()));
}

#[cfg(test)]
mod tests {
    use super::*;
    use datagate_dataset::ReadOptions;
    use std::io::Write;

    #[test]
    fn loads_roles_and_row_numbers() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        let mut f = std::fs::File::create(&path).unwrap();
        writeln!(f, "x,colour,review,label").unwrap();
        writeln!(f, "1.5,red,good film,pos").unwrap();
        writeln!(f, ",blue,,neg").unwrap();
        writeln!(f, "inf,red,bad film,pos").unwrap();
        drop(f);
        let ds = Dataset::open(&path, &ReadOptions::default()).unwrap();
        let cols = AuditColumns {
            label: Some("label".into()),
            text: vec!["review".into()],
            features: None,
        };
        let t = Table::load(&ds, &cols).unwrap();
        assert_eq!(t.row_numbers, vec![0, 1, 2]);
        assert_eq!(t.numeric.len(), 1);
        assert_eq!(t.numeric[0].values[0], 1.5);
        assert!(t.numeric[0].values[1].is_nan() && t.numeric[0].values[2].is_nan());
        assert_eq!(t.categorical[0].codes, vec![0, 1, 0]);
        assert_eq!(t.text[0].values, vec!["good film", "", "bad film"]);
        let labels = t.labels.unwrap();
        assert_eq!(labels.classes, vec!["pos", "neg"]);
        assert_eq!(labels.class_counts(), vec![2, 1]);
    }

    #[test]
    fn unknown_and_doubly_used_columns_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(&path, "a,b\n1,2\n").unwrap();
        let ds = Dataset::open(&path, &ReadOptions::default()).unwrap();
        let missing = AuditColumns {
            label: Some("nope".into()),
            ..Default::default()
        };
        let err = Table::load(&ds, &missing).unwrap_err().to_string();
        assert!(
            err.contains("no column \"nope\"") && err.contains("a, b"),
            "{err}"
        );
        let twice = AuditColumns {
            label: Some("a".into()),
            text: vec!["a".into()],
            features: None,
        };
        assert!(matches!(
            Table::load(&ds, &twice),
            Err(TableError::Conflict { .. })
        ));
    }
}
