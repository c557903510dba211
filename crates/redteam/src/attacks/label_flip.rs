//! `label-flip`: change the label of some rows.
//!
//! - **Random** (`label-flip:rate=0.05`): `rate` × all rows, each given a different class
//!   drawn uniformly (or `to=B` for all of them).
//! - **Class-conditional** (`label-flip:from=A,to=B,rate=0.1`): `rate` × the rows of class
//!   `A` are relabelled `B` (one cell of a noise-transition matrix). Without `to`, each
//!   gets a random other class.
//!
//! The class-conditional rate is a share of class `A` in the clean source; rows used by an
//! earlier attack are not flipped again. `count=N` gives the number of rows instead of a rate. Parameters: `rate` (default
//! 0.05), `count`, `from`, `to`.

use super::{Context, Injected};
use crate::error::Result;
use crate::spec::AttackSpec;
use crate::table::Value;

/// Applies the attack (see the module docs).
pub fn apply(spec: &AttackSpec, ctx: &mut Context<'_>) -> Result<Injected> {
    spec.only(&["rate", "count", "from", "to"])?;
    let classes = ctx.two_classes(spec)?;
    let from = spec
        .get("from")
        .map(|t| ctx.class(spec, "from", t))
        .transpose()?;
    let to = spec
        .get("to")
        .map(|t| ctx.class(spec, "to", t))
        .transpose()?;
    if let (Some(f), Some(t)) = (&from, &to) {
        if f == t {
            return Err(spec.error("from and to are the same class"));
        }
    }
    let from_key = from.as_ref().and_then(Value::key);
    let to_key = to.as_ref().and_then(Value::key);
    let eligible = ctx.eligible(|c, r| match c.label_of(r) {
        None => false,
        Some(l) => match (&from_key, &to_key) {
            (Some(f), _) => &l == f,
            (None, Some(t)) => &l != t,
            (None, None) => true,
        },
    });
    // class-conditional rates are a share of the class in the clean source
    let base = match &from_key {
        Some(f) => (0..ctx.table.source_rows())
            .filter(|&r| ctx.table.original(r, ctx.label).key().as_ref() == Some(f))
            .count(),
        None => ctx.table.source_rows(),
    };
    let k = spec.amount(base, 0.05)?;
    let rows = ctx.pick(spec, &eligible, k, "eligible for this flip")?;
    let values: Vec<Value> = classes.values().map(|(v, _)| v.clone()).collect();
    let mut original = Vec::with_capacity(rows.len());
    for &r in &rows {
        let old = ctx.table.get(r, ctx.label);
        let new = match &to {
            Some(t) => t.clone(),
            None => {
                let others: Vec<&Value> = values.iter().filter(|v| **v != old).collect();
                match others.get(ctx.rng.below(others.len())) {
                    Some(v) => (*v).clone(),
                    None => continue,
                }
            }
        };
        ctx.table.set(r, ctx.label, new);
        original.push(old);
    }
    let mut chosen = serde_json::Map::new();
    chosen.insert("count".into(), rows.len().into());
    Ok(Injected {
        rows,
        chosen,
        target_label: to,
        original_labels: original,
        ..Injected::default()
    })
}
