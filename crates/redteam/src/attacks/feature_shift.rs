//! `feature-shift`: manipulated features within one class. For a subset of the rows of
//! one class, chosen numeric features are moved and/or stretched:
//! `x' = m + scale·(x − m) + shift·s`, where `m` and `s` are the class's mean and
//! standard deviation of that feature. Labels are not changed. Integer columns are
//! rounded back to integers.
//!
//! Parameters: `class` (default: the largest class), `rate` (share of that class's rows,
//! default 0.1), `count`, `column` (repeatable; default two random numeric features),
//! `shift` (in standard deviations, default 3), `scale` (default 1).

use super::{Context, Injected};
use crate::error::Result;
use crate::spec::AttackSpec;
use crate::table::Value;

/// Applies the attack (see the module docs).
pub fn apply(spec: &AttackSpec, ctx: &mut Context<'_>) -> Result<Injected> {
    spec.only(&["class", "rate", "count", "column", "shift", "scale"])?;
    let classes = ctx.classes();
    let class = match spec.get("class") {
        Some(t) => ctx.class(spec, "class", t)?,
        None => classes
            .values()
            .max_by_key(|(_, n)| *n)
            .map(|(v, _)| v.clone())
            .ok_or_else(|| spec.error("the label column has no values"))?,
    };
    let shift = spec.number("shift", 3.0)?;
    let scale = spec.number("scale", 1.0)?;
    if shift == 0.0 && scale == 1.0 {
        return Err(spec.error("shift=0 and scale=1 change nothing"));
    }
    let columns = ctx.numeric_columns(spec, 2)?;
    let class_key = class.key();
    let members: Vec<usize> = (0..ctx.table.len())
        .filter(|&r| ctx.label_of(r) == class_key)
        .collect();
    let eligible = ctx.eligible(|c, r| c.label_of(r) == class_key);
    let k = spec.amount(
        (0..ctx.table.source_rows())
            .filter(|&r| ctx.table.original(r, ctx.label).key() == class_key)
            .count(),
        0.1,
    )?;
    let rows = ctx.pick(spec, &eligible, k, "of the class")?;
    for &col in &columns {
        let xs: Vec<f64> = members
            .iter()
            .filter_map(|&r| ctx.table.get(r, col).as_f64())
            .filter(|x| x.is_finite())
            .collect();
        let n = xs.len().max(1) as f64;
        let m = xs.iter().sum::<f64>() / n;
        let var = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1.0).max(1.0);
        // a constant feature has no spread to measure a shift in: use 1 unit
        let s = if var > 0.0 { var.sqrt() } else { 1.0 };
        for &r in &rows {
            let new = match ctx.table.get(r, col) {
                Value::Float(x) => Value::Float(m + scale * (x - m) + shift * s),
                Value::Int(x) => {
                    Value::Int((m + scale * (x as f64 - m) + shift * s).round() as i64)
                }
                other => other,
            };
            ctx.table.set(r, col, new);
        }
    }
    let mut chosen = serde_json::Map::new();
    chosen.insert("count".into(), rows.len().into());
    chosen.insert("class".into(), class.to_json());
    Ok(Injected {
        rows,
        chosen,
        columns: columns.iter().map(|&c| ctx.name(c)).collect(),
        ..Injected::default()
    })
}
