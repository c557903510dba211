//! Uniqueness: `expect_column_values_to_be_unique`, `expect_compound_columns_to_be_unique`,
//! `expect_select_column_values_to_be_unique_within_record`.
//!
//! Like GX, every row of a duplicate group is unexpected (not all but the first). The
//! scan keeps one entry per distinct value: an 8-byte key (the integer itself, or a
//! 64-bit xxh3 hash of the value's bytes for other types), a count and the group's first
//! row, about 30 bytes per distinct value (10 million distinct values ≈ 300 MB). With
//! hashed keys two different values could collide; for 10 million distinct values the
//! chance that any pair does is about 3 in a million.

use std::collections::{BTreeMap, HashMap};

use arrow_array::Array;
use datagate_dataset::Batch;
use serde_json::{Map, Value};
use xxhash_rust::xxh3::Xxh3;

use crate::check::{Check, CheckError, Outcome, TableInfo, Tally, PARTIAL_LIMIT};
use crate::value::{ColumnRef, Key};

/// Duplicate-group bookkeeping shared by the two uniqueness checks.
#[derive(Default)]
struct Groups {
    seen: HashMap<u64, (u32, u64)>,
    unexpected: u64,
    /// The smallest unexpected rows and their values.
    samples: BTreeMap<u64, Value>,
}

impl Groups {
    fn add(&mut self, key: u64, row: u64, value: impl Fn() -> Value) {
        let entry = self.seen.entry(key).or_insert((0, row));
        entry.0 = entry.0.saturating_add(1);
        match entry.0 {
            1 => {}
            2 => {
                self.unexpected += 2;
                let first = entry.1;
                self.sample(first, &value);
                self.sample(row, &value);
            }
            _ => {
                self.unexpected += 1;
                self.sample(row, &value);
            }
        }
    }

    fn sample(&mut self, row: u64, value: &impl Fn() -> Value) {
        if self.samples.len() < PARTIAL_LIMIT
            || self
                .samples
                .last_key_value()
                .is_some_and(|(last, _)| row < *last)
        {
            self.samples.insert(row, value());
            if self.samples.len() > PARTIAL_LIMIT {
                self.samples.pop_last();
            }
        }
    }

    fn take_tally(&mut self, element_count: u64, missing_count: u64) -> Tally {
        let samples = std::mem::take(&mut self.samples);
        Tally {
            element_count,
            missing_count,
            unexpected_count: self.unexpected,
            partial_rows: samples.keys().copied().collect(),
            partial_values: samples.into_values().collect(),
        }
    }
}

/// `expect_column_values_to_be_unique`: nulls are missing, not duplicates.
pub struct ColumnUnique {
    column: usize,
    mostly: f64,
    groups: Groups,
    elements: u64,
    missing: u64,
}

impl ColumnUnique {
    /// Uniqueness of column `column`.
    pub fn new(column: usize, mostly: f64) -> Self {
        Self {
            column,
            mostly,
            groups: Groups::default(),
            elements: 0,
            missing: 0,
        }
    }
}

impl Check for ColumnUnique {
    fn update(&mut self, batch: &Batch) -> Result<(), CheckError> {
        let array = batch.data.column(self.column);
        let col = ColumnRef::of(array);
        self.elements += array.len() as u64;
        self.missing += array.null_count() as u64;
        for i in 0..array.len() {
            if array.is_null(i) {
                continue;
            }
            let key = match col {
                ColumnRef::Int(a) => (a.value(i) as f64 + 0.0).to_bits(),
                ColumnRef::Float(a) => (a.value(i) + 0.0).to_bits(),
                ColumnRef::Str(a) => xxhash_rust::xxh3::xxh3_64(a.value(i).as_bytes()),
                _ => {
                    let mut h = Xxh3::new();
                    col.hash_into(&mut h, i);
                    h.digest()
                }
            };
            self.groups
                .add(key, batch.first_row + i as u64, || col.json(i));
        }
        Ok(())
    }

    fn finish(&mut self, _table: &TableInfo<'_>) -> Result<Outcome, CheckError> {
        let tally = self.groups.take_tally(self.elements, self.missing);
        Ok(Outcome {
            success: tally.success(self.mostly),
            result: tally.to_result(),
        })
    }
}

/// GX's `ignore_row_if` for multi-column expectations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IgnoreRowIf {
    /// Skip rows where every listed value is null (the default).
    AllMissing,
    /// Skip rows where any listed value is null.
    AnyMissing,
    /// Keep every row.
    Never,
}

impl IgnoreRowIf {
    /// Parses GX's names.
    pub fn parse(name: Option<&str>) -> Result<Self, String> {
        match name {
            None | Some("all_values_are_missing") => Ok(Self::AllMissing),
            Some("any_value_is_missing") => Ok(Self::AnyMissing),
            Some("never") => Ok(Self::Never),
            Some(other) => Err(format!(
                "`ignore_row_if` must be all_values_are_missing, any_value_is_missing or never, got {other:?}"
            )),
        }
    }

    /// Whether a row with `nulls` nulls among `n` values is skipped.
    pub fn skips(self, nulls: usize, n: usize) -> bool {
        match self {
            Self::AllMissing => nulls == n,
            Self::AnyMissing => nulls > 0,
            Self::Never => false,
        }
    }
}

/// The `{column: value}` object GX lists for multi-column failures.
pub fn row_object(names: &[String], cols: &[ColumnRef<'_>], i: usize) -> Value {
    let mut m = Map::new();
    for (name, col) in names.iter().zip(cols) {
        m.insert(name.clone(), col.json(i));
    }
    Value::Object(m)
}

/// `expect_compound_columns_to_be_unique`: the combination of values is unique; nulls
/// compare equal to each other.
pub struct CompoundUnique {
    columns: Vec<usize>,
    names: Vec<String>,
    ignore: IgnoreRowIf,
    mostly: f64,
    groups: Groups,
    elements: u64,
    missing: u64,
}

impl CompoundUnique {
    /// Compound uniqueness over `columns` (indices) named `names`.
    pub fn new(columns: Vec<usize>, names: Vec<String>, ignore: IgnoreRowIf, mostly: f64) -> Self {
        Self {
            columns,
            names,
            ignore,
            mostly,
            groups: Groups::default(),
            elements: 0,
            missing: 0,
        }
    }
}

impl Check for CompoundUnique {
    fn update(&mut self, batch: &Batch) -> Result<(), CheckError> {
        let cols: Vec<ColumnRef<'_>> = self
            .columns
            .iter()
            .map(|c| ColumnRef::of(batch.data.column(*c)))
            .collect();
        let n = batch.num_rows();
        self.elements += n as u64;
        for i in 0..n {
            let nulls = cols.iter().filter(|c| c.is_null(i)).count();
            if self.ignore.skips(nulls, cols.len()) {
                self.missing += 1;
                continue;
            }
            let mut h = Xxh3::new();
            for c in &cols {
                c.hash_into(&mut h, i);
            }
            let names = &self.names;
            let cols = &cols;
            self.groups.add(h.digest(), batch.first_row + i as u64, || {
                row_object(names, cols, i)
            });
        }
        Ok(())
    }

    fn finish(&mut self, _table: &TableInfo<'_>) -> Result<Outcome, CheckError> {
        let tally = self.groups.take_tally(self.elements, self.missing);
        Ok(Outcome {
            success: tally.success(self.mostly),
            result: tally.to_result(),
        })
    }
}

/// `expect_select_column_values_to_be_unique_within_record`: no value repeats within a
/// row; two nulls in one row count as a repeat (as in GX).
pub struct UniqueWithinRecord {
    columns: Vec<usize>,
    names: Vec<String>,
    ignore: IgnoreRowIf,
    mostly: f64,
    tally: Tally,
}

impl UniqueWithinRecord {
    /// The check over `columns` (indices) named `names`.
    pub fn new(columns: Vec<usize>, names: Vec<String>, ignore: IgnoreRowIf, mostly: f64) -> Self {
        Self {
            columns,
            names,
            ignore,
            mostly,
            tally: Tally::default(),
        }
    }
}

impl Check for UniqueWithinRecord {
    fn update(&mut self, batch: &Batch) -> Result<(), CheckError> {
        let cols: Vec<ColumnRef<'_>> = self
            .columns
            .iter()
            .map(|c| ColumnRef::of(batch.data.column(*c)))
            .collect();
        let n = batch.num_rows();
        self.tally.element_count += n as u64;
        let mut keys: Vec<Option<Key>> = Vec::with_capacity(cols.len());
        for i in 0..n {
            keys.clear();
            keys.extend(cols.iter().map(|c| (!c.is_null(i)).then(|| Key::of(c, i))));
            let nulls = keys.iter().filter(|k| k.is_none()).count();
            if self.ignore.skips(nulls, cols.len()) {
                self.tally.missing_count += 1;
                continue;
            }
            let repeated = (0..keys.len()).any(|a| (a + 1..keys.len()).any(|b| keys[a] == keys[b]));
            if repeated {
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
