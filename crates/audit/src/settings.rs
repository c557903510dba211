//! Reading the audit's thresholds ([`Settings`]) from a policy table or from `KEY=VALUE`
//! overrides on the command line, and checking their ranges.
//!
//! `Settings` deserialises with `#[serde(default, deny_unknown_fields)]`, so a table naming
//! some fields keeps the defaults for the others. This module adds what serde alone does
//! not give a caller: the name of the offending key (so the policy can report the dotted
//! field, `tiers.untrusted.audit.thresholds.trigger_fdrr`), a command-line value parsed as
//! its field's type, and the range each field must lie in ([`RULES`]).
//!
//! Blind spots: ranges are checked field by field, not in combination (a
//! `trigger_min_support` larger than `trigger_max_share` of the rows allows is accepted and
//! simply finds no trigger).

use serde_json::{Map, Value};

use crate::detectors::Settings;

/// A setting that could not be applied: its key and what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{key}: {message}")]
pub struct SettingError {
    /// The setting's name (`trigger_fdr`), or the whole assignment when it has no `=`.
    pub key: String,
    /// What went wrong and what was expected.
    pub message: String,
}

impl SettingError {
    fn new(key: &str, message: impl Into<String>) -> Self {
        SettingError {
            key: key.to_string(),
            message: message.into(),
        }
    }
}

/// The range a setting must lie in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Range {
    /// Any value of the field's type (the seed).
    Any,
    /// A share or probability in `(0, 1]`.
    Share,
    /// A "fail when more than this share" limit in `[0, 1]` (0: any finding fails).
    Limit,
    /// A quantile in `(0, 1)` (1 would be an infinite cut-off).
    Quantile,
    /// A finite number above 0.
    Positive,
    /// An integer at least this.
    AtLeast(usize),
    /// One of these names.
    OneOf(&'static [&'static str]),
}

impl Range {
    /// What the range expects, for error messages and help.
    pub fn expected(self) -> String {
        match self {
            Range::Any => "an unsigned integer".into(),
            Range::Share => "a number in (0, 1]".into(),
            Range::Limit => "a number in [0, 1]".into(),
            Range::Quantile => "a number in (0, 1)".into(),
            Range::Positive => "a finite number above 0".into(),
            Range::AtLeast(n) => format!("an integer >= {n}"),
            Range::OneOf(names) => format!("one of {}", names.join(", ")),
        }
    }

    fn admits(self, v: &Value) -> bool {
        let f = v.as_f64().unwrap_or(f64::NAN);
        match self {
            Range::Any => true,
            Range::Share => f > 0.0 && f <= 1.0,
            Range::Limit => (0.0..=1.0).contains(&f),
            Range::Quantile => f > 0.0 && f < 1.0,
            Range::Positive => f.is_finite() && f > 0.0,
            Range::AtLeast(n) => v.as_u64().is_some_and(|x| x >= n as u64),
            Range::OneOf(names) => v.as_str().is_some_and(|s| names.contains(&s)),
        }
    }
}

/// Every setting with its range, in the order of [`Settings`]' fields.
pub const RULES: &[(&str, Range)] = &[
    ("seed", Range::Any),
    ("max_duplicate_share", Range::Limit),
    ("coarse_share", Range::Share),
    ("near_duplicate_jaccard", Range::Share),
    ("near_duplicate_eps", Range::Positive),
    ("trigger_fdr", Range::Share),
    ("trigger_min_support", Range::AtLeast(2)),
    ("trigger_max_share", Range::Share),
    ("trigger_purity", Range::Share),
    ("trigger_min_flip", Range::Share),
    ("trigger_min_disagreement", Range::Share),
    ("label_folds", Range::AtLeast(2)),
    ("label_cv_repeats", Range::AtLeast(0)),
    ("label_c", Range::Positive),
    (
        "label_rank_by",
        Range::OneOf(&["self_confidence", "normalized_margin"]),
    ),
    ("label_issue_max_share", Range::Limit),
    ("outlier_quantile", Range::Quantile),
    ("outlier_max_share", Range::Limit),
    ("class_share_tolerance", Range::Limit),
    ("edited_row_max_share", Range::Limit),
];

impl Settings {
    /// These settings as a JSON object, one entry per field in declaration order (what
    /// reports print as the thresholds a verdict was measured against).
    pub fn to_map(&self) -> Map<String, Value> {
        match serde_json::to_value(self) {
            Ok(Value::Object(m)) => m,
            // Settings is a plain struct of numbers and a unit enum: always an object.
            _ => Map::new(),
        }
    }

    /// The name of every setting, in declaration order.
    pub fn keys() -> Vec<String> {
        Settings::default()
            .to_map()
            .into_iter()
            .map(|(k, _)| k)
            .collect()
    }

    /// These settings with the entries of `table` (a policy's `thresholds` table) applied
    /// over them, then checked. An unknown key, a value of the wrong type or out of range
    /// is an error naming the key.
    pub fn with_table(&self, table: &Map<String, Value>) -> Result<Settings, SettingError> {
        let mut out = self.clone();
        for (key, value) in table {
            out = out.with_value(key, value.clone())?;
        }
        out.validate()?;
        Ok(out)
    }

    /// Applies one `KEY=VALUE` assignment (the command line's `--set`): the value is read
    /// as JSON when it parses as JSON (numbers), else as a plain string (`normalized_margin`).
    /// The result is checked with [`Settings::validate`].
    pub fn set(&mut self, assignment: &str) -> Result<(), SettingError> {
        let Some((key, raw)) = assignment.split_once('=') else {
            return Err(SettingError::new(
                assignment,
                "expected KEY=VALUE, e.g. trigger_fdr=0.001",
            ));
        };
        let key = key.trim();
        let raw = raw.trim();
        let value =
            serde_json::from_str::<Value>(raw).unwrap_or_else(|_| Value::String(raw.into()));
        let next = self.with_value(key, value)?;
        next.validate()?;
        *self = next;
        Ok(())
    }

    /// Checks every field against its range in [`RULES`]; the error names the first field
    /// out of range and what was expected.
    pub fn validate(&self) -> Result<(), SettingError> {
        for (key, value) in self.to_map() {
            if let Some(range) = rule(&key) {
                if !range.admits(&value) {
                    return Err(SettingError::new(
                        &key,
                        format!("expected {}, got {value}", range.expected()),
                    ));
                }
            }
        }
        Ok(())
    }

    /// A copy with `key` set to `value` (type-checked, not range-checked).
    fn with_value(&self, key: &str, value: Value) -> Result<Settings, SettingError> {
        let mut map = self.to_map();
        if !map.contains_key(key) {
            return Err(SettingError::new(
                key,
                format!(
                    "unknown field; expected one of {}",
                    Settings::keys().join(", ")
                ),
            ));
        }
        let shown = value.to_string();
        map.insert(key.to_string(), value);
        serde_json::from_value(Value::Object(map)).map_err(|e| {
            let expected = rule(key).map(Range::expected).unwrap_or_default();
            SettingError::new(key, format!("expected {expected}, got {shown} ({e})"))
        })
    }
}

fn rule(key: &str) -> Option<Range> {
    RULES.iter().find(|(k, _)| *k == key).map(|(_, r)| *r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn table(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => panic!("not an object"),
        }
    }

    #[test]
    fn every_field_has_a_rule_and_the_defaults_pass_them() {
        let keys = Settings::keys();
        let ruled: Vec<String> = RULES.iter().map(|(k, _)| k.to_string()).collect();
        assert_eq!(keys, ruled, "add the new field's range to RULES");
        Settings::default().validate().unwrap();
    }

    #[test]
    fn a_partial_table_keeps_the_other_defaults() {
        let s = Settings::default()
            .with_table(&table(json!({"trigger_fdr": 0.001, "label_folds": 3})))
            .unwrap();
        assert_eq!(s.trigger_fdr, 0.001);
        assert_eq!(s.label_folds, 3);
        let d = Settings::default();
        assert_eq!(s.max_duplicate_share, d.max_duplicate_share);
        assert_eq!(s.label_rank_by, d.label_rank_by);
        // The derive itself: a partial object deserialises over the defaults.
        let direct: Settings = serde_json::from_value(json!({"label_c": 2})).unwrap();
        assert_eq!((direct.label_c, direct.seed), (2.0, d.seed));
        assert!(serde_json::from_value::<Settings>(json!({"label_cc": 2})).is_err());
    }

    #[test]
    fn errors_name_the_key_and_what_was_expected() {
        let d = Settings::default();
        let e = d
            .with_table(&table(json!({"trigger_fdrr": 0.1})))
            .unwrap_err();
        assert_eq!(e.key, "trigger_fdrr");
        assert!(e.message.contains("unknown field") && e.message.contains("trigger_fdr,"));
        let e = d.with_table(&table(json!({"trigger_fdr": 0}))).unwrap_err();
        assert_eq!(e.key, "trigger_fdr");
        assert!(e.message.contains("(0, 1]"), "{e}");
        let e = d.with_table(&table(json!({"label_folds": 1}))).unwrap_err();
        assert_eq!(e.key, "label_folds");
        assert!(e.message.contains(">= 2"), "{e}");
        let e = d.with_table(&table(json!({"label_c": "big"}))).unwrap_err();
        assert_eq!(e.key, "label_c");
        assert!(e.message.contains("above 0"), "{e}");
    }

    #[test]
    fn set_parses_the_fields_type() {
        let mut s = Settings::default();
        s.set("trigger_fdr=0.001").unwrap();
        s.set(" label_folds = 3 ").unwrap();
        s.set("label_rank_by=normalized_margin").unwrap();
        s.set("max_duplicate_share=0").unwrap();
        assert_eq!(s.trigger_fdr, 0.001);
        assert_eq!(s.label_folds, 3);
        assert_eq!(
            s.label_rank_by,
            crate::detectors::label_issues::RankBy::NormalizedMargin
        );
        assert_eq!(s.max_duplicate_share, 0.0);
        let before = s.clone();
        for (bad, key) in [
            ("label_folds=2.5", "label_folds"),
            ("label_folds=1", "label_folds"),
            ("trigger_fdr=abc", "trigger_fdr"),
            ("outlier_quantile=1", "outlier_quantile"),
            ("label_c=-1", "label_c"),
            ("label_rank_by=margin", "label_rank_by"),
            ("nope=1", "nope"),
            ("trigger_fdr", "trigger_fdr"),
        ] {
            let e = s.set(bad).unwrap_err();
            assert_eq!(e.key, key, "{bad}: {e}");
        }
        // A rejected assignment leaves the settings as they were.
        assert_eq!(s.to_map(), before.to_map());
    }
}
