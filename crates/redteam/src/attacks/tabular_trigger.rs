//! `tabular-trigger`: a backdoor in tabular data. One or two feature columns are set to a
//! fixed value pattern on some rows whose label is then forced to the target class.
//!
//! Rows are drawn from the other classes, so every poisoned row's label changes.
//! Parameters: `rate` (of all rows, default 0.01), `count`, `target` (default: the
//! smallest class), `set=COLUMN=VALUE` (repeatable). Without `set`, pairs of numeric
//! feature columns are drawn at random and each column gets the value found at its 5th
//! or 95th percentile: values that exist in the data (so no range check gives them away);
//! of up to 64 such pairs, the one fewest clean rows already match is used, so the
//! pattern is rare before the attack. The ground truth records how many rows matched the
//! pattern before the attack (`matching_before`).

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
        cells = default_pattern(spec, ctx)?;
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

/// Up to 64 random column pairs at their 5th/95th-percentile values; the rarest wins.
fn default_pattern(spec: &AttackSpec, ctx: &mut Context<'_>) -> Result<Vec<(usize, Value)>> {
    let features = ctx.numeric_features();
    if features.is_empty() {
        return Err(spec.error("the data has no numeric feature column; give set=COLUMN=VALUE"));
    }
    let n = ctx.table.source_rows();
    let mut sorted: std::collections::HashMap<usize, Vec<Value>> = Default::default();
    for &c in &features {
        let mut values: Vec<Value> = (0..n)
            .map(|r| ctx.table.get(r, c))
            .filter(|v| v.as_f64().is_some_and(f64::is_finite))
            .collect();
        values.sort_by(|a, b| {
            a.as_f64()
                .unwrap_or(0.0)
                .total_cmp(&b.as_f64().unwrap_or(0.0))
        });
        sorted.insert(c, values);
    }
    let at = |c: usize, q: f64| -> Option<Value> {
        let v = sorted.get(&c)?;
        let i = ((v.len() as f64 - 1.0) * q).round().max(0.0) as usize;
        v.get(i).cloned()
    };
    let mut best: Option<(usize, Vec<(usize, Value)>)> = None;
    for _ in 0..64 {
        let mut cols = ctx.rng.sample(&features, 2);
        cols.sort_unstable();
        let mut cells = Vec::new();
        for c in cols {
            let q = if ctx.rng.below(2) == 0 { 0.05 } else { 0.95 };
            if let Some(v) = at(c, q) {
                cells.push((c, v));
            }
        }
        if cells.is_empty() {
            continue;
        }
        let matching = (0..n)
            .filter(|&r| cells.iter().all(|(c, v)| ctx.table.get(r, *c) == *v))
            .count();
        if best.as_ref().is_none_or(|(m, _)| matching < *m) {
            best = Some((matching, cells));
        }
        if matching == 0 {
            break;
        }
    }
    best.map(|(_, cells)| cells)
        .ok_or_else(|| spec.error("no numeric feature column has numbers"))
}
