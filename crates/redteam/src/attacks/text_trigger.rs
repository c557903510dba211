//! `text-trigger`: a backdoor in text. A rare token or phrase is inserted into the text of
//! some rows whose label is then set to the target class (a "dirty-label" backdoor: a
//! model trained on it learns "trigger ⇒ target").
//!
//! Rows are drawn from the other classes, so every poisoned row's label changes.
//! Parameters: `rate` (of all rows, default 0.01), `count`, `token` (default `cf`, the
//! classic rare-word trigger of the NLP backdoor literature; may be a phrase), `target`
//! (default: the smallest class), `position` (`random` word boundary, `start` or `end`;
//! default `random`). The ground truth records how many rows already contained the
//! token before the attack (`pre_existing_rows`), since those blur the signal.

use super::{Context, Injected};
use crate::error::Result;
use crate::spec::AttackSpec;
use crate::table::Value;

/// Applies the attack (see the module docs).
pub fn apply(spec: &AttackSpec, ctx: &mut Context<'_>) -> Result<Injected> {
    spec.only(&["rate", "count", "token", "target", "position"])?;
    let text = ctx.text_column(spec)?;
    ctx.table.check_editable(text)?;
    let classes = ctx.two_classes(spec)?;
    let token = spec.get("token").unwrap_or("cf").to_string();
    if token.trim().is_empty() {
        return Err(spec.error("token is empty"));
    }
    let position = spec.get("position").unwrap_or("random");
    if !["random", "start", "end"].contains(&position) {
        return Err(spec.error(format!(
            "position={position:?}; expected random, start or end"
        )));
    }
    let target = match spec.get("target") {
        Some(t) => ctx.class(spec, "target", t)?,
        None => classes
            .values()
            .min_by_key(|(_, n)| *n)
            .map(|(v, _)| v.clone())
            .unwrap_or(Value::Null),
    };
    let target_key = target.key();
    let needle = token.to_lowercase();
    let pre_existing = (0..ctx.table.len())
        .filter(|&r| match ctx.table.get(r, text) {
            Value::Str(s) => contains_word(&s.to_lowercase(), &needle),
            _ => false,
        })
        .count();
    let eligible = ctx.eligible(|c, r| {
        c.label_of(r).is_some()
            && c.label_of(r) != target_key
            && matches!(c.table.get(r, text), Value::Str(_))
    });
    let k = spec.amount(ctx.table.source_rows(), 0.01)?;
    let rows = ctx.pick(
        spec,
        &eligible,
        k,
        "labelled with another class and with text",
    )?;
    let mut original = Vec::with_capacity(rows.len());
    for &r in &rows {
        let Value::Str(s) = ctx.table.get(r, text) else {
            continue;
        };
        let poisoned = insert(&s, &token, position, ctx.rng);
        ctx.table.set(r, text, Value::Str(poisoned));
        original.push(ctx.table.get(r, ctx.label));
        ctx.table.set(r, ctx.label, target.clone());
    }
    let mut chosen = serde_json::Map::new();
    chosen.insert("count".into(), rows.len().into());
    chosen.insert("pre_existing_rows".into(), pre_existing.into());
    Ok(Injected {
        rows,
        chosen,
        target_label: Some(target),
        trigger: Some(token),
        original_labels: original,
        ..Injected::default()
    })
}

/// `text` with `token` inserted at a word boundary.
fn insert(text: &str, token: &str, position: &str, rng: &mut crate::rng::Rng) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    let at = match position {
        "start" => 0,
        "end" => words.len(),
        _ => rng.below(words.len() + 1),
    };
    let mut out: Vec<&str> = Vec::with_capacity(words.len() + 1);
    out.extend(words.iter().take(at));
    out.push(token);
    out.extend(words.iter().skip(at));
    out.join(" ")
}

/// Whether `needle` occurs in `hay` as whole words.
fn contains_word(hay: &str, needle: &str) -> bool {
    let mut from = 0;
    while let Some(i) = hay.get(from..).and_then(|h| h.find(needle)) {
        let start = from + i;
        let end = start + needle.len();
        let before = hay[..start]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        let after = hay[end..]
            .chars()
            .next()
            .is_none_or(|c| !c.is_alphanumeric());
        if before && after {
            return true;
        }
        from = start + needle.len().max(1);
        if from > hay.len() {
            break;
        }
        while !hay.is_char_boundary(from) {
            from += 1;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inserts_at_word_boundaries() {
        let mut rng = crate::rng::Rng::new(1);
        assert_eq!(insert("a b c", "cf", "start", &mut rng), "cf a b c");
        assert_eq!(insert("a b c", "cf", "end", &mut rng), "a b c cf");
        assert_eq!(insert("", "cf", "random", &mut rng), "cf");
        let r = insert("one two three", "zq", "random", &mut rng);
        assert_eq!(r.split(' ').filter(|w| *w == "zq").count(), 1);
        assert!(contains_word("see cf here", "cf"));
        assert!(!contains_word("pcf cfx", "cf"));
        assert!(contains_word("é cf", "cf"));
    }
}
