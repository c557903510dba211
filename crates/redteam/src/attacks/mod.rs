//! The attacks, one file each, and what they share.
//!
//! Every attack picks its rows among rows no earlier attack touched, so each poisoned row
//! belongs to exactly one attack and scores are not confused. Rows are drawn with the
//! seeded [`Rng`]; the same seed, data and attack list give the same poisoned file.

pub mod duplicates;
pub mod feature_shift;
pub mod label_flip;
pub mod tabular_trigger;
pub mod text_trigger;

use std::collections::BTreeMap;

use crate::error::{Error, Result};
use crate::rng::Rng;
use crate::spec::AttackSpec;
use crate::table::{Table, Value};
use crate::truth::PatternCell;

/// What attacks work on.
pub struct Context<'a> {
    /// The working copy.
    pub table: &'a mut Table,
    /// The seeded generator.
    pub rng: &'a mut Rng,
    /// The label column.
    pub label: usize,
    /// The text column, when named.
    pub text: Option<usize>,
    /// Working rows already used by an attack.
    pub touched: Vec<bool>,
}

/// What one attack did, in working rows (turned into output rows by [`crate::inject`]).
#[derive(Debug, Clone, Default)]
pub struct Injected {
    /// The poisoned rows.
    pub rows: Vec<usize>,
    /// Parameters chosen by default, added to the spec's own in the ground truth.
    pub chosen: serde_json::Map<String, serde_json::Value>,
    /// The forced label.
    pub target_label: Option<Value>,
    /// The inserted trigger text.
    pub trigger: Option<String>,
    /// The tabular pattern.
    pub pattern: Option<Vec<PatternCell>>,
    /// Duplicate mode.
    pub mode: Option<String>,
    /// Duplicate (original, copy) pairs.
    pub pairs: Vec<(usize, usize)>,
    /// Shifted columns.
    pub columns: Vec<String>,
    /// Labels before the attack, one per row in `rows`.
    pub original_labels: Vec<Value>,
}

/// Applies `spec` to the table.
pub fn apply(spec: &AttackSpec, ctx: &mut Context<'_>) -> Result<Injected> {
    match spec.kind.as_str() {
        "label-flip" => label_flip::apply(spec, ctx),
        "text-trigger" => text_trigger::apply(spec, ctx),
        "tabular-trigger" => tabular_trigger::apply(spec, ctx),
        "feature-shift" => feature_shift::apply(spec, ctx),
        "duplicates" => duplicates::apply(spec, ctx),
        other => Err(spec.error(format!("unknown attack {other:?}"))),
    }
}

impl Context<'_> {
    /// The label classes (text key → value, count), in key order.
    pub fn classes(&self) -> BTreeMap<String, (Value, usize)> {
        let mut out: BTreeMap<String, (Value, usize)> = BTreeMap::new();
        for r in 0..self.table.len() {
            let v = self.table.get(r, self.label);
            if let Some(k) = v.key() {
                out.entry(k).or_insert((v, 0)).1 += 1;
            }
        }
        out
    }

    /// The label of working row `row` as text (`None` when missing).
    pub fn label_of(&self, row: usize) -> Option<String> {
        self.table.get(row, self.label).key()
    }

    /// The class named `text`, or an error listing the classes.
    pub fn class(&self, spec: &AttackSpec, key: &str, text: &str) -> Result<Value> {
        let classes = self.classes();
        if let Some((v, _)) = classes.get(text) {
            return Ok(v.clone());
        }
        // "1" for a float label 1.0, "True" for a boolean...
        let wanted = text.parse::<f64>().ok();
        for (k, (v, _)) in &classes {
            if k.eq_ignore_ascii_case(text) || (wanted.is_some() && v.as_f64() == wanted) {
                return Ok(v.clone());
            }
        }
        Err(spec.error(format!(
            "{key}={text:?} is not a class of the label column; the classes are {}",
            classes.keys().cloned().collect::<Vec<_>>().join(", ")
        )))
    }

    /// Fails unless the label has at least two classes; returns them.
    pub fn two_classes(&self, spec: &AttackSpec) -> Result<BTreeMap<String, (Value, usize)>> {
        let classes = self.classes();
        if classes.len() < 2 {
            return Err(spec.error(format!(
                "the label column has {} class(es); this attack needs at least two",
                classes.len()
            )));
        }
        Ok(classes)
    }

    /// Untouched source rows for which `keep` holds.
    pub fn eligible(&self, mut keep: impl FnMut(&Self, usize) -> bool) -> Vec<usize> {
        (0..self.table.len())
            .filter(|&r| !self.touched.get(r).copied().unwrap_or(true) && keep(self, r))
            .collect()
    }

    /// `k` random rows of `eligible`, marked as touched; an error when there are fewer.
    pub fn pick(
        &mut self,
        spec: &AttackSpec,
        eligible: &[usize],
        k: usize,
        what: &str,
    ) -> Result<Vec<usize>> {
        if k > eligible.len() {
            return Err(spec.error(format!(
                "needs {k} rows but only {} are {what} (and not used by an earlier attack)",
                eligible.len()
            )));
        }
        let mut rows = self.rng.sample(eligible, k);
        rows.sort_unstable();
        for &r in &rows {
            self.mark(r);
        }
        Ok(rows)
    }

    /// Marks working row `row` as used.
    pub fn mark(&mut self, row: usize) {
        if self.touched.len() <= row {
            self.touched.resize(row + 1, false);
        }
        if let Some(t) = self.touched.get_mut(row) {
            *t = true;
        }
    }

    /// The text column or an error saying the attack needs one.
    pub fn text_column(&self, spec: &AttackSpec) -> Result<usize> {
        self.text.ok_or_else(|| {
            spec.error("needs a text column: name it with --text COLUMN".to_string())
        })
    }

    /// Numeric columns other than the label and text.
    pub fn numeric_features(&self) -> Vec<usize> {
        (0..self.table.schema().fields().len())
            .filter(|&c| c != self.label && Some(c) != self.text && self.table.is_numeric(c))
            .collect()
    }

    /// Columns named by repeated `column=` keys (or `default` when none), checked to be numeric.
    pub fn numeric_columns(&mut self, spec: &AttackSpec, default: usize) -> Result<Vec<usize>> {
        let named = spec.all("column");
        if named.is_empty() {
            let features = self.numeric_features();
            if features.is_empty() {
                return Err(spec.error("the data has no numeric feature column"));
            }
            let mut cols = self.rng.sample(&features, default);
            cols.sort_unstable();
            return Ok(cols);
        }
        let mut cols = Vec::new();
        for name in named {
            let c = self.table.column(name)?;
            if c == self.label {
                return Err(spec.error(format!("{name:?} is the label column")));
            }
            if !self.table.is_numeric(c) {
                return Err(spec.error(format!(
                    "column {name:?} is {}, expected a numeric column",
                    self.table.data_type(c)
                )));
            }
            cols.push(c);
        }
        Ok(cols)
    }

    /// The name of column `col`.
    pub fn name(&self, col: usize) -> String {
        self.table.schema().field(col).name().clone()
    }
}

/// Converts a user-given cell value to the column's type.
pub fn parse_cell(table: &Table, col: usize, text: &str) -> Result<Value> {
    use arrow_schema::DataType;
    let bad = || {
        Error::Data(format!(
            "value {text:?} does not fit column {:?} of type {}",
            table.schema().field(col).name(),
            table.data_type(col)
        ))
    };
    Ok(match table.data_type(col) {
        DataType::Int64 => Value::Int(text.parse().map_err(|_| bad())?),
        DataType::Float64 => Value::Float(text.parse().map_err(|_| bad())?),
        DataType::Boolean => Value::Bool(match text.to_ascii_lowercase().as_str() {
            "true" | "1" => true,
            "false" | "0" => false,
            _ => return Err(bad()),
        }),
        DataType::Utf8 => Value::Str(text.to_string()),
        _ => return Err(bad()),
    })
}
