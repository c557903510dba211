//! `tabular-trigger`: a backdoor in tabular data. One or two feature columns are set to a
//! fixed value pattern on some rows whose label is then forced to the target class.
//!
//! Rows are drawn from the other classes, so every poisoned row's label changes.
//! Parameters: `rate` (of all rows, default 0.01), `count`, `target` (default: the
//! smallest class), `set=COLUMN=VALUE` (repeatable). Without `set`, two numeric
//! feature columns are drawn at random and each gets the value found at its 95th
//! percentile: a value that exists in the data (so no range check gives it away) but
//! that one row in a hundred now shares exactly. The ground truth records how many
//! rows matched the pattern before the attack (`matching_before`).

use super::{parse_cell, Context, Injected};
use crate::error::Result;
use crate::spec::AttackSpec;
use crate::table::Value;
use crate::truth::PatternCell;

/// Applies the attack (see the module docs).
pub fn apply(spec: &AttackSpec, ctx: &mut Context<'_>) -> Result<Injected> {
    spec.only(&["rate", "count", "target", "set"])?;
    let classes = ctx.two_classes(spec)?;
    let target = match spec.get("target") {
        Some(t) => ctx.class(spec, "target", t)?,
        None => classes
            .values()
            .min_by_key(|(_, n)| *n)
            .map(|(v, _)| v.clone())
            .unwrap_or(Value::Null),
    };
    let mut cells: Vec<(usize, Value)> = Vec::new();
    for s in spec.all("set") {
        let (name, value) = s
            .rsplit_once('=')
            .ok_or_else(|| spec.error(format!("set={s:?}; expected set=COLUMN=VALUE")))?;
        let col = ctx.table.column(name)?;
        if col == ctx.label {
            return Err(spec.error(format!("{name:?} is the label column")));
        }
        ctx.table.check_editable(col)?;
        cells.push((col, parse_cell(ctx.table, col, value)?));
    }
    if cells.is_empty() {
        let features = ctx.numeric_features();
        if features.is_empty() {
            return Err(spec.error("the data has no numeric feature column; give set=COLUMN=VALUE"));
        }
        let mut cols = ctx.rng.sample(&features, 2);
        cols.sort_unstable();
        for col in cols {
            let mut values: Vec<Value> = (0..ctx.table.source_rows())
                .map(|r| ctx.table.get(r, col))
                .filter(|v| v.as_f64().is_some_and(f64::is_finite))
                .collect();
            values.sort_by(|a, b| {
                a.as_f64()
                    .unwrap_or(0.0)
                    .total_cmp(&b.as_f64().unwrap_or(0.0))
            });
            let at = ((values.len() as f64 - 1.0) * 0.95).round().max(0.0) as usize;
            match values.get(at) {
                Some(v) => cells.push((col, v.clone())),
                None => {
                    return Err(spec.error(format!("column {:?} has no numbers", ctx.name(col))))
                }
            }
        }
    }
    let matches =
        |ctx: &Context<'_>, r: usize| cells.iter().all(|(c, v)| ctx.table.get(r, *c) == *v);
    let matching_before = (0..ctx.table.len()).filter(|&r| matches(ctx, r)).count();
    let target_key = target.key();
    let eligible = ctx.eligible(|c, r| c.label_of(r).is_some() && c.label_of(r) != target_key);
    let k = spec.amount(ctx.table.source_rows(), 0.01)?;
    let rows = ctx.pick(spec, &eligible, k, "labelled with another class")?;
    let mut original = Vec::with_capacity(rows.len());
    for &r in &rows {
        for (c, v) in &cells {
            ctx.table.set(r, *c, v.clone());
        }
        original.push(ctx.table.get(r, ctx.label));
        ctx.table.set(r, ctx.label, target.clone());
    }
    let pattern = cells
        .iter()
        .map(|(c, v)| PatternCell {
            column: ctx.name(*c),
            value: v.to_json(),
        })
        .collect();
    let mut chosen = serde_json::Map::new();
    chosen.insert("count".into(), rows.len().into());
    chosen.insert("matching_before".into(), matching_before.into());
    Ok(Injected {
        rows,
        chosen,
        target_label: Some(target),
        pattern: Some(pattern),
        original_labels: original,
        ..Injected::default()
    })
}
