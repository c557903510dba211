//! Attack specifications as users write them: `kind:key=value,key=value`.
//!
//! Keys may repeat where a list is meant (`column=a,column=b`; `set=COL=VALUE` for the
//! tabular trigger, split at the last `=`). Values cannot contain commas.

use std::collections::BTreeMap;

use crate::error::{Error, Result};

/// The attacks [`crate::inject`] knows.
pub const KINDS: &[&str] = &[
    "label-flip",
    "text-trigger",
    "tabular-trigger",
    "feature-shift",
    "duplicates",
];

/// A parsed attack specification.
#[derive(Debug, Clone, PartialEq)]
pub struct AttackSpec {
    /// The text as given (for messages).
    pub text: String,
    /// One of [`KINDS`].
    pub kind: String,
    /// Parameters in the order given; keys may repeat.
    pub params: Vec<(String, String)>,
}

impl AttackSpec {
    /// Parses `kind:key=value,...` (the parameter list may be empty: `label-flip`).
    pub fn parse(text: &str) -> Result<Self> {
        let err = |message: String| Error::Spec {
            spec: text.to_string(),
            message,
        };
        let (kind, rest) = match text.split_once(':') {
            Some((k, r)) => (k.trim(), r),
            None => (text.trim(), ""),
        };
        if !KINDS.contains(&kind) {
            return Err(err(format!(
                "unknown attack {kind:?}; expected one of {}",
                KINDS.join(", ")
            )));
        }
        let mut params = Vec::new();
        for part in rest.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (k, v) = part
                .split_once('=')
                .ok_or_else(|| err(format!("expected key=value, found {part:?}")))?;
            params.push((k.trim().to_string(), v.trim().to_string()));
        }
        Ok(Self {
            text: text.to_string(),
            kind: kind.to_string(),
            params,
        })
    }

    /// The error for this specification.
    pub fn error(&self, message: impl Into<String>) -> Error {
        Error::Spec {
            spec: self.text.clone(),
            message: message.into(),
        }
    }

    /// Fails when a key outside `known` is given (catches typos such as `rat=0.1`).
    pub fn only(&self, known: &[&str]) -> Result<()> {
        for (k, _) in &self.params {
            if !known.contains(&k.as_str()) {
                return Err(self.error(format!(
                    "unknown parameter {k:?}; {} takes {}",
                    self.kind,
                    known.join(", ")
                )));
            }
        }
        Ok(())
    }

    /// The last value given for `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.params
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Every value given for `key`, in order.
    pub fn all(&self, key: &str) -> Vec<&str> {
        self.params
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// `key` as a number, or `default` when absent.
    pub fn number(&self, key: &str, default: f64) -> Result<f64> {
        match self.get(key) {
            None => Ok(default),
            Some(v) => v
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(|| self.error(format!("{key}={v:?} is not a number"))),
        }
    }

    /// How many of `eligible` rows to attack: `count=N`, or `rate=R` × `base` rows
    /// (rounded, at least 1 when R > 0), or `default_rate` × `base`.
    pub fn amount(&self, base: usize, default_rate: f64) -> Result<usize> {
        if let Some(c) = self.get("count") {
            return c
                .parse::<usize>()
                .map_err(|_| self.error(format!("count={c:?} is not a whole number")));
        }
        let rate = self.number("rate", default_rate)?;
        if !(0.0..=1.0).contains(&rate) {
            return Err(self.error(format!("rate={rate} must be between 0 and 1")));
        }
        let k = (rate * base as f64).round() as usize;
        Ok(if rate > 0.0 { k.max(1) } else { 0 })
    }

    /// The parameters as a JSON object (repeated keys become arrays), for the ground truth.
    pub fn params_json(&self) -> serde_json::Value {
        let mut map: BTreeMap<&str, Vec<serde_json::Value>> = BTreeMap::new();
        for (k, v) in &self.params {
            let value = match v.parse::<f64>() {
                Ok(x) if x.is_finite() => serde_json::Number::from_f64(x)
                    .map(serde_json::Value::Number)
                    .unwrap_or_else(|| v.clone().into()),
                _ => v.clone().into(),
            };
            map.entry(k.as_str()).or_default().push(value);
        }
        let obj: serde_json::Map<String, serde_json::Value> = map
            .into_iter()
            .map(|(k, mut v)| {
                let value = if v.len() == 1 {
                    v.remove(0)
                } else {
                    serde_json::Value::Array(v)
                };
                (k.to_string(), value)
            })
            .collect();
        serde_json::Value::Object(obj)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_kind_and_repeated_keys() {
        let s = AttackSpec::parse("tabular-trigger:rate=0.01,set=a=1.5,set=b=0,target=x").unwrap();
        assert_eq!(s.kind, "tabular-trigger");
        assert_eq!(s.all("set"), vec!["a=1.5", "b=0"]);
        assert_eq!(s.get("target"), Some("x"));
        assert_eq!(s.amount(1000, 0.05).unwrap(), 10);
        assert_eq!(
            AttackSpec::parse("label-flip")
                .unwrap()
                .amount(100, 0.05)
                .unwrap(),
            5
        );
        assert_eq!(
            AttackSpec::parse("label-flip:rate=0.001")
                .unwrap()
                .amount(100, 0.0)
                .unwrap(),
            1
        );
        assert_eq!(
            AttackSpec::parse("label-flip:count=3")
                .unwrap()
                .amount(100, 0.5)
                .unwrap(),
            3
        );
    }

    #[test]
    fn bad_specs_say_what_is_wrong() {
        let e = |s: &str| AttackSpec::parse(s).unwrap_err().to_string();
        assert!(e("flip:rate=1").contains("unknown attack"));
        assert!(e("label-flip:rate").contains("key=value"));
        let s = AttackSpec::parse("label-flip:rate=2").unwrap();
        assert!(s
            .amount(10, 0.0)
            .unwrap_err()
            .to_string()
            .contains("between 0 and 1"));
        let s = AttackSpec::parse("label-flip:rat=0.1").unwrap();
        assert!(s
            .only(&["rate"])
            .unwrap_err()
            .to_string()
            .contains("unknown parameter"));
    }
}
