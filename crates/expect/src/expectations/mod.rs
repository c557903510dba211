//! Every supported expectation, one registry line each.
//!
//! Adding an expectation: write its rule (a [`crate::map::ValueRule`] for row-wise
//! checks on one column, or a [`Check`] otherwise) in the file of its family, then add
//! one line to [`REGISTRY`] with its GX name, a one-line summary and a builder that
//! reads its kwargs. Nothing else needs to know about it.

pub mod aggregates;
pub mod dates;
pub mod monotonic;
pub mod pairs;
pub mod table;
pub mod types;
pub mod uniqueness;
pub mod values;

use arrow_schema::{DataType, Schema};

use crate::bounds::Bounds;
use crate::check::Check;
use crate::kwargs::{KwargError, Kwargs};
use crate::map::{ColumnValues, NullCheck, ValueRule};
use aggregates::{DistinctRule, Interpolation, OrderRule, OrderStat, Stat, StatKind};
use pairs::{MulticolumnSum, Pair, PairIgnore, PairRule};
use table::{TableCheck, TableRule};
use uniqueness::{ColumnUnique, CompoundUnique, IgnoreRowIf, UniqueWithinRecord};
use values::{Between, InSet, JsonParseable, Lengths, MatchOn, Regexes, ValueSet};

/// Why an expectation could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BuildError {
    /// The suite is wrong (bad kwarg): the whole validation stops with exit code 2.
    #[error(transparent)]
    Kwarg(#[from] KwargError),
    /// The data cannot be checked this way (missing column, regex Rust cannot compile):
    /// like GX, this expectation fails with an exception and the others still run.
    #[error("{0}")]
    Raise(String),
}

type Builder = fn(&Kwargs<'_>, &Schema) -> Result<Box<dyn Check>, BuildError>;

/// A registered expectation.
pub struct Entry {
    /// Great Expectations' name.
    pub name: &'static str,
    /// One line for `--help` and the README.
    pub summary: &'static str,
    /// Reads kwargs and binds the expectation to a schema.
    pub build: Builder,
}

fn column(
    kw: &Kwargs<'_>,
    schema: &Schema,
    key: &'static str,
) -> Result<(usize, DataType), BuildError> {
    let name = kw.string(key)?;
    schema
        .index_of(&name)
        .map(|i| (i, schema.field(i).data_type().clone()))
        .map_err(|_| {
            BuildError::Raise(format!(
                "The column \"{name}\" in BatchData does not exist."
            ))
        })
}

fn columns(kw: &Kwargs<'_>, schema: &Schema) -> Result<(Vec<usize>, Vec<String>), BuildError> {
    let names = kw.strings("column_list")?;
    let idx = names
        .iter()
        .map(|n| {
            schema.index_of(n).map_err(|_| {
                BuildError::Raise(format!("The column \"{n}\" in BatchData does not exist."))
            })
        })
        .collect::<Result<_, _>>()?;
    Ok((idx, names))
}

fn map<R: ValueRule + 'static>(
    kw: &Kwargs<'_>,
    schema: &Schema,
    rule: impl FnOnce(&DataType) -> Result<R, BuildError>,
) -> Result<Box<dyn Check>, BuildError> {
    let (i, dt) = column(kw, schema, "column")?;
    let mostly = kw.mostly()?;
    Ok(Box::new(ColumnValues::new(i, rule(&dt)?, mostly)))
}

fn regexes(
    kw: &Kwargs<'_>,
    schema: &Schema,
    list: bool,
    negate: bool,
) -> Result<Box<dyn Check>, BuildError> {
    let patterns = if list {
        kw.strings("regex_list")?
    } else {
        vec![kw.string("regex")?]
    };
    let match_on = match kw.opt_string("match_on")?.as_deref() {
        None | Some("any") => MatchOn::Any,
        Some("all") => MatchOn::All,
        Some(other) => {
            return Err(KwargError {
                message: format!("`match_on` must be \"any\" or \"all\", got {other:?}"),
            }
            .into())
        }
    };
    if !list || negate {
        kw.allow("match_on");
    }
    map(kw, schema, |_| {
        Regexes::new(&patterns, match_on, negate).map_err(BuildError::Raise)
    })
}

fn stat(kw: &Kwargs<'_>, schema: &Schema, kind: StatKind) -> Result<Box<dyn Check>, BuildError> {
    let (i, dt) = column(kw, schema, "column")?;
    Ok(Box::new(Stat::new(i, &dt, kind, Bounds::read(kw)?)))
}

fn distinct(
    kw: &Kwargs<'_>,
    schema: &Schema,
    rule: impl FnOnce(&Kwargs<'_>) -> Result<DistinctRule, KwargError>,
) -> Result<Box<dyn Check>, BuildError> {
    let (i, _) = column(kw, schema, "column")?;
    Ok(Box::new(aggregates::Distinct::new(i, rule(kw)?)))
}

fn ignore_multi(kw: &Kwargs<'_>) -> Result<IgnoreRowIf, BuildError> {
    IgnoreRowIf::parse(kw.opt_string("ignore_row_if")?.as_deref())
        .map_err(|m| KwargError { message: m }.into())
}

fn pair(kw: &Kwargs<'_>, schema: &Schema, rule: PairRule) -> Result<Box<dyn Check>, BuildError> {
    let (a, _) = column(kw, schema, "column_A")?;
    let (b, _) = column(kw, schema, "column_B")?;
    let ignore = PairIgnore::parse(kw.opt_string("ignore_row_if")?.as_deref())
        .map_err(|m| KwargError { message: m })?;
    Ok(Box::new(Pair::new(a, b, rule, ignore, kw.mostly()?)))
}

fn count(kw: &Kwargs<'_>) -> Result<u64, KwargError> {
    let v = kw.f64("value")?;
    if v < 0.0 || v.fract() != 0.0 {
        return Err(KwargError {
            message: format!("`value` must be a whole number, got {v}"),
        });
    }
    Ok(v as u64)
}

/// All supported expectations.
pub static REGISTRY: &[Entry] = &[
    // ---- table ----
    Entry {
        name: "expect_table_row_count_to_be_between",
        summary: "the number of rows is within [min_value, max_value]",
        build: |kw, _| {
            Ok(Box::new(TableCheck(TableRule::RowCountBetween(
                Bounds::read(kw)?,
            ))))
        },
    },
    Entry {
        name: "expect_table_row_count_to_equal",
        summary: "the number of rows equals value",
        build: |kw, _| Ok(Box::new(TableCheck(TableRule::RowCountEqual(count(kw)?)))),
    },
    Entry {
        name: "expect_table_columns_to_match_ordered_list",
        summary: "the columns are exactly column_list, in order",
        build: |kw, _| {
            Ok(Box::new(TableCheck(TableRule::ColumnsOrdered(
                kw.strings("column_list")?,
            ))))
        },
    },
    Entry {
        name: "expect_table_columns_to_match_set",
        summary: "the columns are column_set in any order (a superset with exact_match: false)",
        build: |kw, _| {
            Ok(Box::new(TableCheck(TableRule::ColumnsSet(
                kw.strings("column_set")?,
                kw.bool_or("exact_match", true)?,
            ))))
        },
    },
    Entry {
        name: "expect_table_column_count_to_equal",
        summary: "the number of columns equals value",
        build: |kw, _| {
            Ok(Box::new(TableCheck(TableRule::ColumnCountEqual(count(
                kw,
            )?))))
        },
    },
    Entry {
        name: "expect_column_to_exist",
        summary: "the column exists (at column_index, if given)",
        build: |kw, _| {
            let index = kw.opt_f64("column_index")?.map(|v| v as i64);
            Ok(Box::new(TableCheck(TableRule::ColumnExists(
                kw.column()?,
                index,
            ))))
        },
    },
    // ---- column values ----
    Entry {
        name: "expect_column_values_to_not_be_null",
        summary: "no value is null",
        build: |kw, s| {
            let (i, _) = column(kw, s, "column")?;
            Ok(Box::new(NullCheck::new(i, false, kw.mostly()?)))
        },
    },
    Entry {
        name: "expect_column_values_to_be_null",
        summary: "every value is null",
        build: |kw, s| {
            let (i, _) = column(kw, s, "column")?;
            Ok(Box::new(NullCheck::new(i, true, kw.mostly()?)))
        },
    },
    Entry {
        name: "expect_column_values_to_be_between",
        summary: "each value is within [min_value, max_value]",
        build: |kw, s| {
            let b = Bounds::read(kw)?;
            map(kw, s, |_| Ok(Between(b)))
        },
    },
    Entry {
        name: "expect_column_values_to_be_in_set",
        summary: "each value is in value_set",
        build: |kw, s| {
            let set = ValueSet::new(&kw.values("value_set")?);
            map(kw, s, |_| Ok(InSet { set, negate: false }))
        },
    },
    Entry {
        name: "expect_column_values_to_not_be_in_set",
        summary: "no value is in value_set",
        build: |kw, s| {
            let set = ValueSet::new(&kw.values("value_set")?);
            map(kw, s, |_| Ok(InSet { set, negate: true }))
        },
    },
    Entry {
        name: "expect_column_values_to_be_unique",
        summary: "no non-null value appears twice (every row of a duplicate group is reported)",
        build: |kw, s| {
            let (i, _) = column(kw, s, "column")?;
            Ok(Box::new(ColumnUnique::new(i, kw.mostly()?)))
        },
    },
    Entry {
        name: "expect_column_values_to_match_regex",
        summary: "each value matches regex (anywhere, like re.search)",
        build: |kw, s| regexes(kw, s, false, false),
    },
    Entry {
        name: "expect_column_values_to_not_match_regex",
        summary: "no value matches regex",
        build: |kw, s| regexes(kw, s, false, true),
    },
    Entry {
        name: "expect_column_values_to_match_regex_list",
        summary: "each value matches any (match_on: all → every) regex of regex_list",
        build: |kw, s| regexes(kw, s, true, false),
    },
    Entry {
        name: "expect_column_values_to_not_match_regex_list",
        summary: "no value matches any regex of regex_list",
        build: |kw, s| regexes(kw, s, true, true),
    },
    Entry {
        name: "expect_column_value_lengths_to_be_between",
        summary: "each value's length (code points) is within [min_value, max_value]",
        build: |kw, s| {
            let b = Bounds::read(kw)?;
            map(kw, s, |_| Ok(Lengths(b)))
        },
    },
    Entry {
        name: "expect_column_value_lengths_to_equal",
        summary: "each value's length (code points) equals value",
        build: |kw, s| {
            let v = kw.f64("value")?;
            let b = Bounds {
                min: Some(crate::bounds::Bound::Num(v)),
                max: Some(crate::bounds::Bound::Num(v)),
                strict_min: false,
                strict_max: false,
            };
            map(kw, s, |_| Ok(Lengths(b)))
        },
    },
    Entry {
        name: "expect_column_values_to_be_of_type",
        summary: "the column (or each value, on text columns) has type type_",
        build: |kw, s| {
            let (i, dt) = column(kw, s, "column")?;
            Ok(Box::new(types::TypeCheck::new(
                i,
                vec![kw.string("type_")?],
                false,
                kw.mostly()?,
                &dt,
            )))
        },
    },
    Entry {
        name: "expect_column_values_to_be_in_type_list",
        summary: "the column (or each value, on text columns) has a type in type_list",
        build: |kw, s| {
            let (i, dt) = column(kw, s, "column")?;
            Ok(Box::new(types::TypeCheck::new(
                i,
                kw.strings("type_list")?,
                true,
                kw.mostly()?,
                &dt,
            )))
        },
    },
    Entry {
        name: "expect_column_values_to_match_strftime_format",
        summary: "each value parses with strftime_format (Python strptime rules)",
        build: |kw, s| {
            let f = kw.string("strftime_format")?;
            map(kw, s, |_| {
                dates::Strftime::new(&f).map_err(|m| KwargError { message: m }.into())
            })
        },
    },
    Entry {
        name: "expect_column_values_to_be_dateutil_parseable",
        summary: "each value is a date dateutil would parse (documented subset)",
        build: |kw, s| map(kw, s, |_| Ok(dates::DateutilParseable)),
    },
    Entry {
        name: "expect_column_values_to_be_json_parseable",
        summary: "each value is a JSON document",
        build: |kw, s| map(kw, s, |_| Ok(JsonParseable)),
    },
    Entry {
        name: "expect_column_values_to_be_increasing",
        summary: "each value is ≥ the previous non-null value (> with strictly)",
        build: |kw, s| {
            let (i, _) = column(kw, s, "column")?;
            Ok(Box::new(monotonic::Monotonic::new(
                i,
                false,
                kw.bool_or("strictly", false)?,
                kw.mostly()?,
            )))
        },
    },
    Entry {
        name: "expect_column_values_to_be_decreasing",
        summary: "each value is ≤ the previous non-null value (< with strictly)",
        build: |kw, s| {
            let (i, _) = column(kw, s, "column")?;
            Ok(Box::new(monotonic::Monotonic::new(
                i,
                true,
                kw.bool_or("strictly", false)?,
                kw.mostly()?,
            )))
        },
    },
    // ---- column aggregates ----
    Entry {
        name: "expect_column_min_to_be_between",
        summary: "the minimum is within [min_value, max_value]",
        build: |kw, s| stat(kw, s, StatKind::Min),
    },
    Entry {
        name: "expect_column_max_to_be_between",
        summary: "the maximum is within [min_value, max_value]",
        build: |kw, s| stat(kw, s, StatKind::Max),
    },
    Entry {
        name: "expect_column_mean_to_be_between",
        summary: "the mean is within [min_value, max_value]",
        build: |kw, s| stat(kw, s, StatKind::Mean),
    },
    Entry {
        name: "expect_column_stdev_to_be_between",
        summary: "the sample standard deviation is within [min_value, max_value]",
        build: |kw, s| stat(kw, s, StatKind::Stdev),
    },
    Entry {
        name: "expect_column_sum_to_be_between",
        summary: "the sum is within [min_value, max_value]",
        build: |kw, s| stat(kw, s, StatKind::Sum),
    },
    Entry {
        name: "expect_column_median_to_be_between",
        summary: "the median (exact) is within [min_value, max_value]",
        build: |kw, s| {
            let (i, dt) = column(kw, s, "column")?;
            Ok(Box::new(OrderStat::new(
                i,
                &dt,
                OrderRule::Median(Bounds::read(kw)?),
            )))
        },
    },
    Entry {
        name: "expect_column_quantile_values_to_be_between",
        summary: "each quantile of quantile_ranges is within its value range (pandas 'nearest')",
        build: |kw, s| {
            let (i, dt) = column(kw, s, "column")?;
            let (qs, ranges) = quantile_ranges(kw)?;
            let how = match kw.raw("allow_relative_error") {
                None | Some(serde_json::Value::Bool(false)) => Some(Interpolation::Nearest),
                Some(serde_json::Value::String(name)) => {
                    Some(Interpolation::parse(&name).ok_or_else(|| KwargError {
                        message: format!(
                            "`allow_relative_error` {name:?} is not an interpolation method"
                        ),
                    })?)
                }
                Some(_) => None,
            };
            Ok(Box::new(OrderStat::new(
                i,
                &dt,
                OrderRule::Quantiles(qs, ranges, how),
            )))
        },
    },
    Entry {
        name: "expect_column_unique_value_count_to_be_between",
        summary: "the number of distinct values is within [min_value, max_value]",
        build: |kw, s| distinct(kw, s, |kw| Ok(DistinctRule::UniqueCount(Bounds::read(kw)?))),
    },
    Entry {
        name: "expect_column_proportion_of_unique_values_to_be_between",
        summary: "distinct values / non-null values is within [min_value, max_value]",
        build: |kw, s| {
            distinct(kw, s, |kw| {
                Ok(DistinctRule::ProportionUnique(Bounds::read(kw)?))
            })
        },
    },
    Entry {
        name: "expect_column_distinct_values_to_be_in_set",
        summary: "every distinct value is in value_set",
        build: |kw, s| {
            distinct(kw, s, |kw| {
                Ok(DistinctRule::InSet(ValueSet::new(&kw.values("value_set")?)))
            })
        },
    },
    Entry {
        name: "expect_column_distinct_values_to_contain_set",
        summary: "every value of value_set occurs",
        build: |kw, s| {
            distinct(kw, s, |kw| {
                Ok(DistinctRule::ContainSet(kw.values("value_set")?))
            })
        },
    },
    Entry {
        name: "expect_column_distinct_values_to_equal_set",
        summary: "the distinct values are exactly value_set",
        build: |kw, s| {
            distinct(kw, s, |kw| {
                let v = kw.values("value_set")?;
                Ok(DistinctRule::EqualSet(ValueSet::new(&v), v))
            })
        },
    },
    Entry {
        name: "expect_column_most_common_value_to_be_in_set",
        summary: "the most common value is in value_set (any of tied modes with ties_okay)",
        build: |kw, s| {
            distinct(kw, s, |kw| {
                Ok(DistinctRule::MostCommon(
                    ValueSet::new(&kw.values("value_set")?),
                    kw.bool_or("ties_okay", false)?,
                ))
            })
        },
    },
    // ---- multi-column ----
    Entry {
        name: "expect_column_pair_values_to_be_equal",
        summary: "column_A equals column_B in each row",
        build: |kw, s| pair(kw, s, PairRule::Equal),
    },
    Entry {
        name: "expect_column_pair_values_a_to_be_greater_than_b",
        summary: "column_A > column_B in each row (≥ with or_equal)",
        build: |kw, s| {
            let or_equal = kw.bool_or("or_equal", false)?;
            pair(kw, s, PairRule::Greater { or_equal })
        },
    },
    Entry {
        name: "expect_compound_columns_to_be_unique",
        summary: "the combination of column_list values is unique",
        build: |kw, s| {
            let (c, n) = columns(kw, s)?;
            Ok(Box::new(CompoundUnique::new(
                c,
                n,
                ignore_multi(kw)?,
                kw.mostly()?,
            )))
        },
    },
    Entry {
        name: "expect_select_column_values_to_be_unique_within_record",
        summary: "no value repeats among column_list within a row",
        build: |kw, s| {
            let (c, n) = columns(kw, s)?;
            Ok(Box::new(UniqueWithinRecord::new(
                c,
                n,
                ignore_multi(kw)?,
                kw.mostly()?,
            )))
        },
    },
    Entry {
        name: "expect_multicolumn_sum_to_equal",
        summary: "column_list adds up to sum_total in each row",
        build: |kw, s| {
            let (c, n) = columns(kw, s)?;
            let total = kw.f64("sum_total")?;
            Ok(Box::new(MulticolumnSum::new(
                c,
                n,
                total,
                ignore_multi(kw)?,
                kw.mostly()?,
            )))
        },
    },
];

type Ranges = (Vec<f64>, Vec<(Option<f64>, Option<f64>)>);

fn quantile_ranges(kw: &Kwargs<'_>) -> Result<Ranges, KwargError> {
    let bad = |m: &str| KwargError {
        message: format!("`quantile_ranges` {m}"),
    };
    let Some(serde_json::Value::Object(obj)) = kw.raw("quantile_ranges") else {
        return Err(bad(
            "must be {\"quantiles\": [...], \"value_ranges\": [[min, max], ...]}",
        ));
    };
    let qs: Vec<f64> = obj
        .get("quantiles")
        .and_then(|v| v.as_array())
        .ok_or_else(|| bad("needs a `quantiles` list"))?
        .iter()
        .map(|q| {
            q.as_f64()
                .filter(|q| (0.0..=1.0).contains(q))
                .ok_or_else(|| bad("quantiles must be numbers in [0, 1]"))
        })
        .collect::<Result<_, _>>()?;
    let ranges: Vec<(Option<f64>, Option<f64>)> = obj
        .get("value_ranges")
        .and_then(|v| v.as_array())
        .ok_or_else(|| bad("needs a `value_ranges` list"))?
        .iter()
        .map(|r| match r.as_array().map(|a| a.as_slice()) {
            Some([lo, hi]) => Ok((lo.as_f64(), hi.as_f64())),
            _ => Err(bad("value ranges must be [min, max] pairs")),
        })
        .collect::<Result<_, _>>()?;
    if qs.len() != ranges.len() {
        return Err(bad("must give as many value_ranges as quantiles"));
    }
    Ok((qs, ranges))
}

/// Finds a registry entry by name.
pub fn lookup(name: &str) -> Option<&'static Entry> {
    REGISTRY.iter().find(|e| e.name == name)
}
