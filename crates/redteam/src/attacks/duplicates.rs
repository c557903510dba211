//! `duplicates`: copies of existing rows, each written at a random place after its
//! original.
//!
//! - `mode=exact` (default): identical copies.
//! - `mode=near`: with a text column, the copy's text gets word edits (substitute a word
//!   with one from another row, delete a word, or insert one) on at most `edits` (default
//!   0.1) of its words, at least one; only texts with at least `1/edits` words are copied,
//!   so one edit never exceeds the budget. Without a text column, float features get
//!   uniform noise of ±`jitter` (default 0.01) standard deviations (integer columns are
//!   copied as they are).
//! - `mode=conflict`: identical copies with a different label (`to=B`, or a random other
//!   class), the poisoner's way to contradict a row.
//!
//! Parameters: `mode`, `rate` (of all rows, default 0.01), `count`, `edits`, `jitter`,
//! `to`. The ground truth lists the copies as `rows` and the (original, copy) `pairs`.

use super::{Context, Injected};
use crate::error::Result;
use crate::rng::Rng;
use crate::spec::AttackSpec;
use crate::table::Value;

/// Applies the attack (see the module docs).
pub fn apply(spec: &AttackSpec, ctx: &mut Context<'_>) -> Result<Injected> {
    spec.only(&["mode", "rate", "count", "edits", "jitter", "to"])?;
    let mode = spec.get("mode").unwrap_or("exact").to_string();
    if !["exact", "near", "conflict"].contains(&mode.as_str()) {
        return Err(spec.error(format!("mode={mode:?}; expected exact, near or conflict")));
    }
    let edits = spec.number("edits", 0.1)?;
    if !(edits > 0.0 && edits <= 1.0) {
        return Err(spec.error(format!("edits={edits} must be in (0, 1]")));
    }
    let jitter = spec.number("jitter", 0.01)?;
    let to = match (mode.as_str(), spec.get("to")) {
        ("conflict", Some(t)) => Some(ctx.class(spec, "to", t)?),
        (_, Some(_)) => return Err(spec.error("to= only applies to mode=conflict")),
        _ => None,
    };
    let classes = if mode == "conflict" {
        ctx.two_classes(spec)?
    } else {
        ctx.classes()
    };
    let text = if mode == "near" { ctx.text } else { None };
    if let Some(t) = text {
        ctx.table.check_editable(t)?;
    }
    let min_words = (1.0 / edits).ceil() as usize;
    let eligible = ctx.eligible(|c, r| match text {
        Some(t) => match c.table.get(r, t) {
            Value::Str(s) => s.split_whitespace().count() >= min_words,
            _ => false,
        },
        None => mode != "conflict" || c.label_of(r).is_some(),
    });
    let k = spec.amount(ctx.table.source_rows(), 0.01)?;
    let what = if text.is_some() {
        format!("with at least {min_words} words of text")
    } else {
        "available".to_string()
    };
    let sources = ctx.pick(spec, &eligible, k, &what)?;
    // float columns and their spread, for numeric near duplicates
    let floats: Vec<(usize, f64)> = if mode == "near" && text.is_none() {
        ctx.numeric_features()
            .into_iter()
            .filter(|&c| matches!(ctx.table.data_type(c), arrow_schema::DataType::Float64))
            .map(|c| (c, std_dev(ctx, c)))
            .collect()
    } else {
        Vec::new()
    };
    let labels: Vec<Value> = classes.values().map(|(v, _)| v.clone()).collect();
    let mut copies = Vec::with_capacity(sources.len());
    let mut pairs = Vec::with_capacity(sources.len());
    let mut original = Vec::new();
    for &src in &sources {
        let pos = ctx.table.order.iter().position(|&w| w == src).unwrap_or(0);
        let after = pos + ctx.rng.below(ctx.table.order.len() - pos);
        let copy = ctx.table.push_copy(src, after);
        ctx.mark(copy);
        match mode.as_str() {
            "near" => match text {
                Some(t) => {
                    if let Value::Str(s) = ctx.table.get(src, t) {
                        let donor = donor_words(ctx, t, src);
                        let edited = edit_words(&s, edits, &donor, ctx.rng);
                        ctx.table.set(copy, t, Value::Str(edited));
                    }
                }
                None => {
                    for &(c, sd) in &floats {
                        if let Value::Float(x) = ctx.table.get(copy, c) {
                            let noise = (ctx.rng.unit() * 2.0 - 1.0) * jitter * sd;
                            ctx.table.set(copy, c, Value::Float(x + noise));
                        }
                    }
                }
            },
            "conflict" => {
                let old = ctx.table.get(copy, ctx.label);
                let new = match &to {
                    Some(t) if *t != old => t.clone(),
                    _ => {
                        let others: Vec<&Value> = labels.iter().filter(|v| **v != old).collect();
                        match others.get(ctx.rng.below(others.len())) {
                            Some(v) => (*v).clone(),
                            None => old.clone(),
                        }
                    }
                };
                ctx.table.set(copy, ctx.label, new);
                original.push(old);
            }
            _ => {}
        }
        copies.push(copy);
        pairs.push((src, copy));
    }
    let mut chosen = serde_json::Map::new();
    chosen.insert("count".into(), copies.len().into());
    chosen.insert("mode".into(), mode.clone().into());
    Ok(Injected {
        rows: copies,
        chosen,
        mode: Some(mode),
        pairs,
        original_labels: original,
        ..Injected::default()
    })
}

fn std_dev(ctx: &Context<'_>, col: usize) -> f64 {
    let xs: Vec<f64> = (0..ctx.table.source_rows())
        .filter_map(|r| ctx.table.get(r, col).as_f64())
        .filter(|x| x.is_finite())
        .collect();
    let n = xs.len() as f64;
    if n < 2.0 {
        return 0.0;
    }
    let m = xs.iter().sum::<f64>() / n;
    (xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1.0)).sqrt()
}

/// Words of a few other rows, to substitute and insert.
fn donor_words(ctx: &mut Context<'_>, text: usize, not: usize) -> Vec<String> {
    let n = ctx.table.source_rows();
    let mut words = Vec::new();
    for _ in 0..4 {
        let r = ctx.rng.below(n);
        if r == not {
            continue;
        }
        if let Value::Str(s) = ctx.table.get(r, text) {
            words.extend(s.split_whitespace().map(str::to_string));
        }
    }
    if words.is_empty() {
        words.push("xq".into());
    }
    words
}

/// `text` with `max(1, floor(share × words))` word edits.
pub fn edit_words(text: &str, share: f64, donor: &[String], rng: &mut Rng) -> String {
    let mut words: Vec<String> = text.split_whitespace().map(str::to_string).collect();
    let n = ((share * words.len() as f64).floor() as usize).max(1);
    for _ in 0..n {
        let pick = |rng: &mut Rng, avoid: Option<&str>| -> String {
            for _ in 0..8 {
                if let Some(w) = donor.get(rng.below(donor.len())) {
                    if Some(w.as_str()) != avoid {
                        return w.clone();
                    }
                }
            }
            format!("{}x", avoid.unwrap_or("q"))
        };
        match rng.below(3) {
            0 if !words.is_empty() => {
                let i = rng.below(words.len());
                let w = pick(rng, words.get(i).map(String::as_str));
                if let Some(slot) = words.get_mut(i) {
                    *slot = w;
                }
            }
            1 if words.len() > 1 => {
                let i = rng.below(words.len());
                words.remove(i);
            }
            _ => {
                let i = rng.below(words.len() + 1);
                let w = pick(rng, None);
                words.insert(i, w);
            }
        }
    }
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_stay_within_budget_and_change_the_text() {
        let mut rng = Rng::new(3);
        let text = "one two three four five six seven eight nine ten eleven twelve";
        let donor: Vec<String> = ["alpha", "beta"].iter().map(|s| s.to_string()).collect();
        for _ in 0..50 {
            let out = edit_words(text, 0.1, &donor, &mut rng);
            assert_ne!(out, text);
            let a: Vec<&str> = text.split(' ').collect();
            let b: Vec<&str> = out.split(' ').collect();
            // one edit: at most one word more or less, and most words kept in order
            assert!(a.len().abs_diff(b.len()) <= 1);
            let kept = a.iter().filter(|w| b.contains(w)).count();
            assert!(kept >= a.len() - 1, "{out}");
        }
    }
}
