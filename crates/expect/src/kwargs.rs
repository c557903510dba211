//! Typed access to an expectation's kwargs, with errors that name the kwarg.
//!
//! Every constructor reads the kwargs it understands through [`Kwargs`]; afterwards
//! [`Kwargs::finish`] rejects any kwarg nobody read, listing the ones that are
//! supported, so a typo never silently disables a check.

use std::cell::RefCell;
use std::collections::BTreeSet;

use serde_json::{Map, Value};

/// Kwargs that every expectation accepts and that do not change the verdict.
pub const COMMON: &[&str] = &[
    "result_format",
    "catch_exceptions",
    "include_config",
    "meta",
    "notes",
    "batch_id",
    "description",
    "severity",
    "windows",
];

/// A kwarg problem: which kwarg, and what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct KwargError {
    /// Human-readable explanation naming the kwarg.
    pub message: String,
}

fn err(message: impl Into<String>) -> KwargError {
    KwargError {
        message: message.into(),
    }
}

/// The kwargs of one expectation.
pub struct Kwargs<'a> {
    map: &'a Map<String, Value>,
    read: RefCell<BTreeSet<&'static str>>,
}

impl<'a> Kwargs<'a> {
    /// Wraps a kwargs object.
    pub fn new(map: &'a Map<String, Value>) -> Self {
        Self {
            map,
            read: RefCell::new(BTreeSet::new()),
        }
    }

    fn get(&self, key: &'static str) -> Option<&'a Value> {
        self.read.borrow_mut().insert(key);
        self.map.get(key).filter(|v| !v.is_null())
    }

    /// Marks `key` as understood without reading it.
    pub fn allow(&self, key: &'static str) {
        self.read.borrow_mut().insert(key);
    }

    /// Any value, unparsed (null counts as absent).
    pub fn raw(&self, key: &'static str) -> Option<Value> {
        self.get(key).cloned()
    }

    /// A required string.
    pub fn string(&self, key: &'static str) -> Result<String, KwargError> {
        match self.get(key) {
            Some(Value::String(s)) => Ok(s.clone()),
            Some(other) => Err(err(format!("`{key}` must be a string, got {other}"))),
            None => Err(err(format!("`{key}` is required"))),
        }
    }

    /// An optional string.
    pub fn opt_string(&self, key: &'static str) -> Result<Option<String>, KwargError> {
        match self.get(key) {
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(err(format!("`{key}` must be a string, got {other}"))),
            None => Ok(None),
        }
    }

    /// The `column` kwarg.
    pub fn column(&self) -> Result<String, KwargError> {
        self.string("column")
    }

    /// A required list of strings (column lists).
    pub fn strings(&self, key: &'static str) -> Result<Vec<String>, KwargError> {
        match self.get(key) {
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s.clone()),
                    other => Err(err(format!("`{key}` must list strings, got {other}"))),
                })
                .collect(),
            Some(other) => Err(err(format!("`{key}` must be a list, got {other}"))),
            None => Err(err(format!("`{key}` is required"))),
        }
    }

    /// A required list of any JSON values (value sets).
    pub fn values(&self, key: &'static str) -> Result<Vec<Value>, KwargError> {
        match self.get(key) {
            Some(Value::Array(items)) => Ok(items.clone()),
            Some(other) => Err(err(format!("`{key}` must be a list, got {other}"))),
            None => Err(err(format!("`{key}` is required"))),
        }
    }

    /// An optional bound: a number, a string, or absent/null.
    pub fn bound(&self, key: &'static str) -> Result<Option<Value>, KwargError> {
        match self.get(key) {
            Some(v @ (Value::Number(_) | Value::String(_))) => Ok(Some(v.clone())),
            Some(other) => Err(err(format!(
                "`{key}` must be a number or null, got {other}"
            ))),
            None => Ok(None),
        }
    }

    /// An optional number.
    pub fn opt_f64(&self, key: &'static str) -> Result<Option<f64>, KwargError> {
        match self.get(key) {
            Some(Value::Number(n)) => Ok(n.as_f64()),
            Some(other) => Err(err(format!("`{key}` must be a number, got {other}"))),
            None => Ok(None),
        }
    }

    /// A required number.
    pub fn f64(&self, key: &'static str) -> Result<f64, KwargError> {
        self.opt_f64(key)?
            .ok_or_else(|| err(format!("`{key}` is required")))
    }

    /// An optional boolean with a default.
    pub fn bool_or(&self, key: &'static str, default: bool) -> Result<bool, KwargError> {
        match self.get(key) {
            Some(Value::Bool(b)) => Ok(*b),
            Some(other) => Err(err(format!("`{key}` must be true or false, got {other}"))),
            None => Ok(default),
        }
    }

    /// `mostly`: a share in [0, 1], default 1.
    pub fn mostly(&self) -> Result<f64, KwargError> {
        let m = self.opt_f64("mostly")?.unwrap_or(1.0);
        if !(0.0..=1.0).contains(&m) {
            return Err(err(format!("`mostly` must be between 0 and 1, got {m}")));
        }
        Ok(m)
    }

    /// Rejects kwargs nobody read.
    pub fn finish(self) -> Result<(), KwargError> {
        let read = self.read.borrow();
        let unknown: Vec<&String> = self
            .map
            .keys()
            .filter(|k| !read.contains(k.as_str()) && !COMMON.contains(&k.as_str()))
            .collect();
        if unknown.is_empty() {
            return Ok(());
        }
        let supported: Vec<&str> = read.iter().copied().collect();
        Err(err(format!(
            "unsupported kwarg{} {}; this expectation takes: {}",
            if unknown.len() > 1 { "s" } else { "" },
            unknown
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", "),
            supported.join(", ")
        )))
    }
}
