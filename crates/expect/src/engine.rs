//! Evaluating a suite over a dataset in one streaming pass.
//!
//! Every expectation is bound to the schema first (bad kwargs stop here, before any
//! data is read). Then one scan feeds each batch to every check; checks are updated in
//! parallel on the rayon pool while the dataset crate decodes the next chunks. An
//! expectation that raises (missing column, text where numbers were needed) stops
//! updating and fails with its message, like GX; the others go on.

use std::collections::HashSet;
use std::time::Instant;

use arrow_array::Array;
use datagate_dataset::{Batch, Dataset, DatasetError};
use rayon::prelude::*;
use serde_json::{json, Map, Value};
use xxhash_rust::xxh3::Xxh3;

use crate::check::{Check, CheckError, TableInfo};
use crate::expectations::{lookup, BuildError, REGISTRY};
use crate::result::{ExceptionInfo, ExpectationResult, Quality, Statistics, ValidationResult};
use crate::suite::Suite;
use crate::value::ColumnRef;

/// Why a validation could not run at all (as opposed to expectations failing).
#[derive(Debug, thiserror::Error)]
pub enum ValidateError {
    /// The data could not be read.
    #[error(transparent)]
    Data(#[from] DatasetError),
    /// An expectation type datagate does not know.
    #[error("{suite}: expectation {index} has unknown type {kind:?}{hint}; supported types: {supported}")]
    UnknownExpectation {
        /// The suite's name.
        suite: String,
        /// Position in the suite.
        index: usize,
        /// The type as written.
        kind: String,
        /// "did you mean" text, or empty.
        hint: String,
        /// Every supported type.
        supported: String,
    },
    /// A kwarg is missing, mistyped or unknown.
    #[error("{suite}: expectation {index} ({kind}): {message}")]
    BadKwargs {
        /// The suite's name.
        suite: String,
        /// Position in the suite.
        index: usize,
        /// The type.
        kind: String,
        /// What is wrong.
        message: String,
    },
}

/// Knobs for one validation.
#[derive(Debug, Clone)]
pub struct ValidateOptions {
    /// Compute quality scores (completeness, validity, duplicate rows, mixed types).
    /// Duplicate detection keeps an 8-byte hash per distinct row.
    pub quality: bool,
}

impl Default for ValidateOptions {
    fn default() -> Self {
        Self { quality: true }
    }
}

enum Slot {
    Active(Box<dyn Check>),
    Raised(String),
}

impl Slot {
    fn update(&mut self, batch: &Batch) {
        if let Slot::Active(check) = self {
            if let Err(CheckError(message)) = check.update(batch) {
                *self = Slot::Raised(message);
            }
        }
    }
}

/// Binds every expectation of `suite` to the dataset's schema.
fn compile(suite: &Suite, schema: &arrow_schema::Schema) -> Result<Vec<Slot>, ValidateError> {
    let mut slots = Vec::with_capacity(suite.expectations.len());
    for (index, cfg) in suite.expectations.iter().enumerate() {
        let Some(entry) = lookup(&cfg.kind) else {
            let hint = REGISTRY
                .iter()
                .map(|e| e.name)
                .min_by_key(|n| edit_distance(n, &cfg.kind))
                .filter(|n| edit_distance(n, &cfg.kind) <= 4)
                .map(|n| format!(" (did you mean {n}?)"))
                .unwrap_or_default();
            return Err(ValidateError::UnknownExpectation {
                suite: suite.name.clone(),
                index,
                kind: cfg.kind.clone(),
                hint,
                supported: REGISTRY
                    .iter()
                    .map(|e| e.name)
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        };
        let kw = crate::kwargs::Kwargs::new(&cfg.kwargs);
        let bad = |message: String| ValidateError::BadKwargs {
            suite: suite.name.clone(),
            index,
            kind: cfg.kind.clone(),
            message,
        };
        match (entry.build)(&kw, schema) {
            Ok(check) => {
                kw.finish().map_err(|e| bad(e.message))?;
                slots.push(Slot::Active(check));
            }
            Err(BuildError::Kwarg(e)) => return Err(bad(e.message)),
            Err(BuildError::Raise(message)) => slots.push(Slot::Raised(message)),
        }
    }
    Ok(slots)
}

/// Indices of the columns the suite's expectations read, in schema order.
fn referenced_columns(suite: &Suite, schema: &arrow_schema::Schema) -> Vec<usize> {
    let mut used = std::collections::BTreeSet::new();
    for e in &suite.expectations {
        if e.kind.starts_with("expect_table_") {
            continue; // table expectations read the schema and the row count only
        }
        let mut names: Vec<&str> = ["column", "column_A", "column_B"]
            .iter()
            .filter_map(|k| e.kwargs.get(*k).and_then(Value::as_str))
            .collect();
        if let Some(list) = e.kwargs.get("column_list").and_then(Value::as_array) {
            names.extend(list.iter().filter_map(Value::as_str));
        }
        used.extend(names.into_iter().filter_map(|n| schema.index_of(n).ok()));
    }
    used.into_iter().collect()
}

/// Binds a suite to a schema and reports only whether that worked (for the fuzz target).
#[doc(hidden)]
pub fn compile_for_fuzzing(suite: &Suite, schema: &arrow_schema::Schema) -> bool {
    compile(suite, schema).is_ok()
}

/// Levenshtein distance, for "did you mean".
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            cur.push(
                (prev[j] + usize::from(ca != *cb))
                    .min(prev[j + 1] + 1)
                    .min(cur[j] + 1),
            );
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Streaming quality accounting: null cells, duplicate rows, unparseable cells.
#[derive(Default)]
struct QualityScan {
    cells: u64,
    null_cells: u64,
    rows: HashSet<u64>,
    duplicate_rows: u64,
    invalid_columns: HashSet<usize>,
}

impl QualityScan {
    fn update(&mut self, batch: &Batch) {
        let data = &batch.data;
        self.cells += (data.num_rows() * data.num_columns()) as u64;
        for c in data.columns() {
            self.null_cells += c.null_count() as u64;
        }
        for cell in &batch.invalid {
            self.invalid_columns.insert(cell.column);
            self.null_cells -= 1; // an unparseable cell holds a value
        }
        // Temporal columns hash as their integer representation, not as formatted text.
        let arrays: Vec<arrow_array::ArrayRef> = data
            .columns()
            .iter()
            .map(|c| match c.data_type() {
                t if t.is_temporal() => arrow_cast::cast(c, &arrow_schema::DataType::Int64)
                    .unwrap_or_else(|_| c.clone()),
                _ => c.clone(),
            })
            .collect();
        let cols: Vec<ColumnRef<'_>> = arrays.iter().map(ColumnRef::of).collect();
        let hashes: Vec<u64> = (0..data.num_rows())
            .into_par_iter()
            .with_min_len(4096)
            .map(|i| {
                let mut h = Xxh3::new();
                for c in &cols {
                    c.hash_into(&mut h, i);
                }
                h.digest()
            })
            .collect();
        for h in hashes {
            if !self.rows.insert(h) {
                self.duplicate_rows += 1;
            }
        }
    }
}

/// Validates `dataset` against `suite`.
pub fn validate(
    dataset: &Dataset,
    suite: &Suite,
    options: &ValidateOptions,
) -> Result<ValidationResult, ValidateError> {
    let started = Instant::now();
    let schema = dataset.schema().clone();
    // Without quality scores only the columns the suite names are decoded.
    let projection = (!options.quality).then(|| referenced_columns(suite, &schema));
    let bound_schema = dataset.projected_schema(projection.as_deref());
    let mut slots = compile(suite, &bound_schema)?;
    let mut quality = options.quality.then(QualityScan::default);
    let summary = dataset.scan_columns(projection.as_deref(), |batch: Batch| {
        rayon::join(
            || slots.par_iter_mut().for_each(|slot| slot.update(&batch)),
            || {
                if let Some(q) = quality.as_mut() {
                    q.update(&batch);
                }
            },
        );
        Ok::<_, DatasetError>(())
    })?;
    let table = TableInfo {
        schema: &schema,
        rows: summary.rows,
    };
    let mut results = Vec::with_capacity(slots.len());
    for (cfg, slot) in suite.expectations.iter().zip(slots) {
        let config = json!({"type": cfg.kind, "kwargs": cfg.kwargs, "meta": if cfg.meta.is_null() { json!({}) } else { cfg.meta.clone() }});
        let outcome = match slot {
            Slot::Active(mut check) => check.finish(&table),
            Slot::Raised(message) => Err(CheckError(message)),
        };
        results.push(match outcome {
            Ok(outcome) => ExpectationResult {
                success: outcome.success,
                expectation_config: config,
                result: outcome.result,
                exception_info: ExceptionInfo::default(),
                meta: Map::new(),
            },
            Err(CheckError(message)) => ExpectationResult {
                success: false,
                expectation_config: config,
                result: Map::new(),
                exception_info: ExceptionInfo {
                    raised_exception: true,
                    exception_message: Some(message),
                    exception_traceback: None,
                },
                meta: Map::new(),
            },
        });
    }
    let successful = results.iter().filter(|r| r.success).count();
    let evaluated = results.len();
    let quality = quality.map(|q| quality_scores(&q, &results, &schema, summary.rows));
    Ok(ValidationResult {
        success: successful == evaluated,
        suite_name: suite.name.clone(),
        statistics: Statistics {
            evaluated_expectations: evaluated,
            successful_expectations: successful,
            unsuccessful_expectations: evaluated - successful,
            success_percent: (evaluated > 0).then(|| 100.0 * successful as f64 / evaluated as f64),
        },
        results,
        meta: json!({
            "datagate_version": env!("CARGO_PKG_VERSION"),
            "data": {
                "path": dataset.path().display().to_string(),
                "format": dataset.format().name(),
                "rows": summary.rows,
                "columns": schema.fields().len(),
                "bytes": dataset.file_size(),
            },
            "elapsed_seconds": started.elapsed().as_secs_f64(),
            "quality": quality,
        }),
    })
}

fn quality_scores(
    q: &QualityScan,
    results: &[ExpectationResult],
    schema: &arrow_schema::Schema,
    rows: u64,
) -> Quality {
    let (mut checked, mut passed) = (0u64, 0u64);
    for r in results {
        let get = |k: &str| r.result.get(k).and_then(Value::as_u64);
        if let (Some(n), Some(u)) = (get("element_count"), get("unexpected_count")) {
            let considered = n - get("missing_count").unwrap_or(0);
            checked += considered;
            passed += considered.saturating_sub(u);
        }
    }
    let mut mixed: Vec<String> = q
        .invalid_columns
        .iter()
        .map(|c| schema.field(*c).name().clone())
        .collect();
    mixed.sort();
    Quality {
        completeness: if q.cells == 0 {
            1.0
        } else {
            1.0 - q.null_cells as f64 / q.cells as f64
        },
        validity: if checked == 0 {
            1.0
        } else {
            passed as f64 / checked as f64
        },
        consistency: if rows == 0 {
            1.0
        } else {
            1.0 - q.duplicate_rows as f64 / rows as f64
        },
        duplicate_rows: q.duplicate_rows,
        mixed_type_columns: mixed,
    }
}
