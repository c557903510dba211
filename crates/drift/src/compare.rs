//! The whole comparison: match columns, decide roles, build inputs, run tests, and
//! turn everything that is not a test result into a [`Finding`].

use std::collections::{BTreeSet, HashMap};

use datagate_profile::{ColumnKind, ColumnProfile, FreqKey, Profile};

use crate::collect::{Collected, CollectedColumn};
use crate::column::{
    column_drift, default_stattest, infer_column_type, ColumnDrift, ColumnInput, ColumnOptions,
    ColumnType, ValueKind, DEFAULT_INTEGER_CATEGORICAL_MAX,
};
use crate::dataset::{dataset_drift, DatasetDrift, Finding, FindingKind, DEFAULT_DRIFT_SHARE};
use crate::sample::{format_number, CategoryCounts, NumericSample};
use crate::sketch::{mark_approximate, numerical_column_drift_sketch};
use crate::stattests::StatTest;

/// A profiled numeric column with exact counts (at most 1024 distinct values) is
/// expanded back into its values when it has at most this many.
pub const EXPAND_LIMIT: u64 = 50_000_000;

impl DriftOptions {
    /// The only columns a comparison can test, when both role lists are given (every
    /// other column is then out of scope, as in Evidently), so readers can skip the rest.
    pub fn columns_needed(&self) -> Option<Vec<String>> {
        (!self.numerical.is_empty() && !self.categorical.is_empty()).then(|| {
            self.numerical
                .iter()
                .chain(&self.categorical)
                .cloned()
                .collect()
        })
    }
}

/// Options of a comparison (Evidently's `DataDriftPreset` options and `DataDefinition`).
#[derive(Debug, Clone)]
pub struct DriftOptions {
    /// Columns forced numerical. When non-empty, replaces inference for numerical columns.
    pub numerical: Vec<String>,
    /// Columns forced categorical. When non-empty, replaces inference for categorical columns.
    pub categorical: Vec<String>,
    /// Test for every column (overrides Evidently's choice).
    pub stattest: Option<StatTest>,
    /// Threshold for every column.
    pub threshold: Option<f64>,
    /// Per-column tests.
    pub per_column_stattest: HashMap<String, StatTest>,
    /// Per-column thresholds.
    pub per_column_threshold: HashMap<String, f64>,
    /// Share of drifted columns that makes the dataset drifted (default 0.5).
    pub drift_share: f64,
    /// Integer columns with at most this many unique reference values are categorical.
    pub integer_categorical_max: usize,
}

impl Default for DriftOptions {
    fn default() -> Self {
        DriftOptions {
            numerical: Vec::new(),
            categorical: Vec::new(),
            stattest: None,
            threshold: None,
            per_column_stattest: HashMap::new(),
            per_column_threshold: HashMap::new(),
            drift_share: DEFAULT_DRIFT_SHARE,
            integer_categorical_max: DEFAULT_INTEGER_CATEGORICAL_MAX,
        }
    }
}

/// The reference side: data or a saved profile.
#[derive(Debug, Clone, Copy)]
pub enum Reference<'a> {
    /// Reference data gathered from a file.
    Data(&'a Collected),
    /// A saved profile.
    Profile(&'a Profile),
}

enum RefCol<'a> {
    Data(&'a CollectedColumn),
    Profile(&'a ColumnProfile),
}

impl RefCol<'_> {
    fn kind(&self) -> Option<ValueKind> {
        match self {
            RefCol::Data(c) => c.kind,
            RefCol::Profile(p) => match p.kind {
                ColumnKind::Integer => Some(ValueKind::Integer),
                ColumnKind::Float => Some(ValueKind::Float),
                ColumnKind::Boolean => Some(ValueKind::Boolean),
                ColumnKind::String => Some(ValueKind::String),
                ColumnKind::Other => None,
            },
        }
    }
}

fn is_numeric(k: ValueKind) -> bool {
    matches!(k, ValueKind::Integer | ValueKind::Float)
}

fn labels_from_numbers(values: &[f64]) -> HashMap<String, u64> {
    let mut m: HashMap<u64, u64> = HashMap::new();
    for x in values.iter().filter(|x| x.is_finite()) {
        *m.entry(if *x == 0.0 { 0 } else { x.to_bits() })
            .or_insert(0) += 1;
    }
    m.into_iter()
        .map(|(b, c)| (format_number(f64::from_bits(b)), c))
        .collect()
}

fn profile_labels(p: &ColumnProfile) -> HashMap<String, u64> {
    p.frequent_items()
        .into_iter()
        .map(|(k, c)| {
            let label = match (&k, p.kind) {
                (FreqKey::Str(s), ColumnKind::Boolean) if s == "true" => "True".to_owned(),
                (FreqKey::Str(s), ColumnKind::Boolean) if s == "false" => "False".to_owned(),
                (FreqKey::Str(s), _) => s.clone(),
                (FreqKey::Num(_), _) => format_number(k.as_f64().unwrap_or(f64::NAN)),
            };
            (label, c)
        })
        .collect()
}

/// Compares reference and current; never fails as a whole — problems with single
/// columns become findings.
pub fn compare(
    reference: Reference<'_>,
    current: &Collected,
    options: &DriftOptions,
) -> DatasetDrift {
    let mut findings = Vec::new();
    let mut results: Vec<ColumnDrift> = Vec::new();
    let ref_names: Vec<String> = match reference {
        Reference::Data(c) => c.columns.iter().map(|c| c.name.clone()).collect(),
        Reference::Profile(p) => p.columns.iter().map(|c| c.name.clone()).collect(),
    };
    let cur_names: BTreeSet<&str> = current.columns.iter().map(|c| c.name.as_str()).collect();
    for n in &ref_names {
        if !cur_names.contains(n.as_str()) {
            findings.push(Finding {
                column: n.clone(),
                kind: FindingKind::MissingInCurrent,
                message: format!("column `{n}` is in the reference but not in the current data"),
            });
        }
    }
    for c in &current.columns {
        if !ref_names.contains(&c.name) {
            findings.push(Finding {
                column: c.name.clone(),
                kind: FindingKind::AddedInCurrent,
                message: format!(
                    "column `{}` is in the current data but not in the reference",
                    c.name
                ),
            });
        }
    }
    for name in options.numerical.iter().chain(&options.categorical) {
        if !ref_names.contains(name) && !cur_names.contains(name.as_str()) {
            findings.push(Finding {
                column: name.clone(),
                kind: FindingKind::MissingInCurrent,
                message: format!("column `{name}` named in the options is in neither dataset"),
            });
        }
    }
    for name in &ref_names {
        let Some(cur) = current.column(name) else {
            continue;
        };
        let rcol = match reference {
            Reference::Data(c) => match c.column(name) {
                Some(x) => RefCol::Data(x),
                None => continue,
            },
            Reference::Profile(p) => match p.column(name) {
                Some(x) => RefCol::Profile(x),
                None => continue,
            },
        };
        match one_column(name, &rcol, cur, options) {
            Ok(Some(r)) => results.push(r),
            Ok(None) => {}
            Err(f) => findings.push(f),
        }
    }
    dataset_drift(results, findings, options.drift_share)
}

fn one_column(
    name: &str,
    rcol: &RefCol<'_>,
    cur: &CollectedColumn,
    options: &DriftOptions,
) -> Result<Option<ColumnDrift>, Finding> {
    if cur.skipped || matches!(rcol, RefCol::Data(c) if c.skipped) {
        return Ok(None);
    }
    let finding = |kind, message: String| Finding {
        column: name.to_owned(),
        kind,
        message,
    };
    let explicit_num = options.numerical.iter().any(|c| c == name);
    let explicit_cat = options.categorical.iter().any(|c| c == name);
    let (Some(rk), Some(ck)) = (rcol.kind(), cur.kind) else {
        return Err(finding(FindingKind::Note, format!("column `{name}` has a type drift does not test (not number, text or boolean); skipped")));
    };
    if is_numeric(rk) != is_numeric(ck) || (rk == ValueKind::Boolean) != (ck == ValueKind::Boolean)
    {
        return Err(finding(
            FindingKind::TypeMismatch,
            format!("column `{name}` is {rk:?} in the reference but {ck:?} in the current data; not compared"),
        ));
    }
    let integer = rk == ValueKind::Integer && ck == ValueKind::Integer;
    let kind = if integer {
        ValueKind::Integer
    } else if is_numeric(rk) {
        ValueKind::Float
    } else {
        rk
    };
    // Role.
    // Numeric reference data is cleaned and sorted once, here.
    let ref_sample = match rcol {
        RefCol::Data(c) if is_numeric(rk) => Some(NumericSample::new(c.numbers.clone(), integer)),
        _ => None,
    };
    let ref_unique = match rcol {
        RefCol::Data(_) if is_numeric(rk) => ref_sample.as_ref().map_or(0, NumericSample::n_unique),
        RefCol::Data(c) => c.counts.len(),
        RefCol::Profile(p) if p.frequent_max_error() == 0 => p.frequent_items().len(),
        RefCol::Profile(p) => p.distinct.estimate().round() as usize,
    };
    // Free text (Evidently's new API: strings with more than 50 % unique values) is not a
    // category: Evidently tests it with a text-drift classifier, which we do not have.
    if !explicit_num && !explicit_cat && kind == ValueKind::String {
        let non_null = match rcol {
            RefCol::Data(c) => c.counts.values().sum::<u64>() as usize,
            RefCol::Profile(p) => p.non_null() as usize,
        };
        if non_null > 0 && ref_unique * 2 > non_null {
            return Err(finding(
                FindingKind::Note,
                format!("column `{name}` looks like free text or an identifier ({ref_unique} unique of {non_null} values); not tested (pass --categorical {name} to test it as categorical)"),
            ));
        }
    }
    // Evidently's DataDefinition: a column listed in a role has that role; otherwise
    // it is inferred, and dropped when the inferred role has an explicit list.
    let role = if explicit_num {
        ColumnType::Numerical
    } else if explicit_cat {
        ColumnType::Categorical
    } else {
        match infer_column_type(kind, ref_unique, options.integer_categorical_max) {
            ColumnType::Numerical if !options.numerical.is_empty() => return Ok(None),
            ColumnType::Categorical if !options.categorical.is_empty() => return Ok(None),
            r => r,
        }
    };
    if role == ColumnType::Numerical && !is_numeric(kind) {
        return Err(finding(
            FindingKind::TypeMismatch,
            format!("column `{name}` is text; it cannot be tested as numerical"),
        ));
    }
    let test = options
        .per_column_stattest
        .get(name)
        .copied()
        .or(options.stattest);
    let threshold = options
        .per_column_threshold
        .get(name)
        .copied()
        .or(options.threshold);
    let col_opts = ColumnOptions {
        stattest: test,
        threshold,
    };
    let failed =
        |e: crate::DriftError| finding(FindingKind::TestFailed, format!("column `{name}`: {e}"));
    match role {
        ColumnType::Numerical => {
            let current = NumericSample::new(cur.numbers.clone(), integer);
            if current.is_empty() {
                return Err(finding(
                    FindingKind::EmptyCurrent,
                    format!("column `{name}` has no non-null finite value in the current data"),
                ));
            }
            let reference = match rcol {
                RefCol::Data(c) => {
                    ref_sample.unwrap_or_else(|| NumericSample::new(c.numbers.clone(), integer))
                }
                RefCol::Profile(p) => {
                    match &p.exact_values {
                        Some(v) => NumericSample::new(v.clone(), integer),
                        // Exact counts of every distinct value: expand them back into the
                        // sample, so every test is exact for low-cardinality columns.
                        None if p.frequent_num.max_error() == 0
                            && p.moments.count <= EXPAND_LIMIT =>
                        {
                            let mut v = Vec::with_capacity(p.moments.count as usize);
                            for (bits, c) in p.frequent_num.items() {
                                v.extend(std::iter::repeat_n(f64::from_bits(bits), c as usize));
                            }
                            NumericSample::new(v, integer)
                        }
                        None => {
                            if p.moments.count == 0 {
                                return Err(finding(FindingKind::EmptyReference, format!("column `{name}` has no non-null finite value in the reference")));
                            }
                            // n_ref > 1000: sketch mode. n_unique of the union decides the test.
                            let n_unique = if p.frequent_num.max_error() == 0 {
                                let mut keys: Vec<u64> =
                                    p.frequent_num.items().into_iter().map(|x| x.0).collect();
                                keys.extend(current.values().iter().map(|x| x.to_bits()));
                                keys.sort_unstable();
                                keys.dedup();
                                keys.len()
                            } else {
                                usize::MAX
                            };
                            let chosen = test.unwrap_or_else(|| {
                                default_stattest(
                                    ColumnType::Numerical,
                                    p.moments.count as usize,
                                    n_unique,
                                )
                            });
                            if matches!(
                                chosen,
                                StatTest::JensenShannon
                                    | StatTest::Psi
                                    | StatTest::KlDiv
                                    | StatTest::ChiSquare
                                    | StatTest::Z
                            ) && p.frequent_num.max_error() == 0
                                && p.frequent_num.items().len()
                                    <= crate::binning::STURGES_MIN_UNIQUE
                            {
                                // Few distinct reference values: value bins from exact counts.
                                let counts = CategoryCounts::from_maps(
                                    &profile_labels(p),
                                    &labels_from_numbers(current.values()),
                                );
                                let input = ColumnInput::Categorical(counts);
                                let mut d = column_drift(
                                    name,
                                    &input,
                                    ColumnOptions {
                                        stattest: Some(chosen),
                                        threshold,
                                    },
                                )
                                .map_err(failed)?;
                                d.column_type = ColumnType::Numerical;
                                return Ok(Some(d));
                            }
                            let d = numerical_column_drift_sketch(
                                name, p, &current, chosen, threshold, integer,
                            )
                            .map_err(failed)?;
                            return Ok(Some(d));
                        }
                    }
                }
            };
            if reference.is_empty() {
                return Err(finding(
                    FindingKind::EmptyReference,
                    format!("column `{name}` has no non-null finite value in the reference"),
                ));
            }
            let input = ColumnInput::Numerical { reference, current };
            column_drift(name, &input, col_opts)
                .map(Some)
                .map_err(failed)
        }
        ColumnType::Categorical => {
            let cur_counts = if is_numeric(kind) {
                labels_from_numbers(&cur.numbers)
            } else {
                cur.counts.clone()
            };
            let (ref_counts, approximate) = match rcol {
                RefCol::Data(c) => (
                    if is_numeric(kind) {
                        labels_from_numbers(&c.numbers)
                    } else {
                        c.counts.clone()
                    },
                    false,
                ),
                RefCol::Profile(p) => {
                    let mut m = profile_labels(p);
                    let err = p.frequent_max_error();
                    if err > 0 {
                        let known: u64 = m.values().sum();
                        let total = if is_numeric(kind) {
                            p.moments.count
                        } else {
                            p.non_null()
                        };
                        if total > known {
                            m.insert("(other)".to_owned(), total - known);
                        }
                    }
                    (m, err > 0)
                }
            };
            // With overflowed reference counts, current categories the summary does not
            // track are folded into the same "(other)" bin, so both sides share bins.
            let cur_counts = if approximate {
                let mut m: HashMap<String, u64> = HashMap::new();
                for (k, c) in cur_counts {
                    let key = if ref_counts.contains_key(&k) {
                        k
                    } else {
                        "(other)".to_owned()
                    };
                    *m.entry(key).or_insert(0) += c;
                }
                m
            } else {
                cur_counts
            };
            if ref_counts.is_empty() {
                return Err(finding(
                    FindingKind::EmptyReference,
                    format!("column `{name}` has no non-null value in the reference"),
                ));
            }
            if cur_counts.is_empty() {
                return Err(finding(
                    FindingKind::EmptyCurrent,
                    format!("column `{name}` has no non-null value in the current data"),
                ));
            }
            let input =
                ColumnInput::Categorical(CategoryCounts::from_maps(&ref_counts, &cur_counts));
            let d = column_drift(name, &input, col_opts).map_err(failed)?;
            Ok(Some(if approximate { mark_approximate(d) } else { d }))
        }
    }
}
