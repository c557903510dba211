//! Expectation suites: Great Expectations 1.x JSON, legacy 0.x JSON, and datagate's TOML.
//!
//! All three load into the same [`Suite`]. The GX shapes are read unchanged (unknown
//! top-level keys such as `id`, `meta`, `notes`, `suite_parameters` are kept out of the
//! way); the native TOML form is the same data with the kwargs inline:
//!
//! ```toml
//! name = "transactions"
//!
//! [[expectations]]
//! type = "expect_column_values_to_not_be_null"
//! column = "user_id"
//!
//! [[expectations]]
//! type = "expect_column_values_to_be_between"
//! column = "transaction_amount"
//! min_value = 0
//! max_value = 10000
//! mostly = 0.99
//! ```

use std::path::Path;

use serde_json::{Map, Value};

/// A suite could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SuiteError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The text is not valid JSON/TOML.
    #[error("{path}: not a valid {format} suite: {message}")]
    Syntax {
        /// The file.
        path: String,
        /// JSON or TOML.
        format: &'static str,
        /// The parser's explanation, with line and column.
        message: String,
    },
    /// The document parsed but is not a suite.
    #[error("{path}: {pointer}: {message}")]
    Shape {
        /// The file.
        path: String,
        /// JSON pointer to the offending value, e.g. `/expectations/3/kwargs/column`.
        pointer: String,
        /// What was expected.
        message: String,
    },
}

/// Which document shape a suite was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SuiteShape {
    /// Great Expectations 1.x: `name`, `expectations[].type`.
    GxV1,
    /// Great Expectations 0.x: `expectation_suite_name`, `expectations[].expectation_type`.
    GxLegacy,
    /// datagate's TOML.
    Native,
}

/// One configured expectation, as written in the suite.
#[derive(Debug, Clone, PartialEq)]
pub struct ExpectationConfig {
    /// The expectation type, e.g. `expect_column_values_to_be_between`.
    pub kind: String,
    /// Its arguments.
    pub kwargs: Map<String, Value>,
    /// Free-form metadata (kept and echoed in results).
    pub meta: Value,
}

/// A named list of expectations.
#[derive(Debug, Clone, PartialEq)]
pub struct Suite {
    /// The suite's name.
    pub name: String,
    /// The expectations, in suite order.
    pub expectations: Vec<ExpectationConfig>,
    /// The shape it was read from.
    pub shape: SuiteShape,
}

impl Suite {
    /// Reads a suite file: `.toml` is the native form, anything else JSON (GX 1.x or 0.x).
    pub fn load(path: impl AsRef<Path>) -> Result<Self, SuiteError> {
        let path = path.as_ref();
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| SuiteError::Io {
            path: shown.clone(),
            source,
        })?;
        let is_toml = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("toml"));
        if is_toml {
            Self::from_toml(&text, &shown)
        } else {
            Self::from_json(&text, &shown)
        }
    }

    /// Parses a GX JSON suite (1.x or legacy 0.x); `origin` names the source in errors.
    pub fn from_json(text: &str, origin: &str) -> Result<Self, SuiteError> {
        let doc: Value = serde_json::from_str(text).map_err(|e| SuiteError::Syntax {
            path: origin.to_string(),
            format: "JSON",
            message: e.to_string(),
        })?;
        Self::from_value(doc, origin, false)
    }

    /// Parses a native TOML suite.
    pub fn from_toml(text: &str, origin: &str) -> Result<Self, SuiteError> {
        let doc: toml::Value = toml::from_str(text).map_err(|e| SuiteError::Syntax {
            path: origin.to_string(),
            format: "TOML",
            message: e.message().to_string(),
        })?;
        let doc = serde_json::to_value(doc).map_err(|e| SuiteError::Syntax {
            path: origin.to_string(),
            format: "TOML",
            message: e.to_string(),
        })?;
        Self::from_value(doc, origin, true)
    }

    fn from_value(doc: Value, origin: &str, native: bool) -> Result<Self, SuiteError> {
        let shape_err = |pointer: String, message: String| SuiteError::Shape {
            path: origin.to_string(),
            pointer,
            message,
        };
        let Value::Object(mut top) = doc else {
            return Err(shape_err(
                "/".into(),
                "expected an object with `name` and `expectations`".into(),
            ));
        };
        let (name, shape) = if let Some(n) = top.remove("name") {
            (
                n,
                if native {
                    SuiteShape::Native
                } else {
                    SuiteShape::GxV1
                },
            )
        } else if let Some(n) = top.remove("expectation_suite_name") {
            (n, SuiteShape::GxLegacy)
        } else {
            (
                Value::String("suite".into()),
                if native {
                    SuiteShape::Native
                } else {
                    SuiteShape::GxV1
                },
            )
        };
        let name = match name {
            Value::String(s) => s,
            other => other.to_string(),
        };
        let list = match top.remove("expectations") {
            Some(Value::Array(list)) => list,
            Some(_) => {
                return Err(shape_err(
                    "/expectations".into(),
                    "expected a list of expectations".into(),
                ))
            }
            None => {
                return Err(shape_err(
                    "/".into(),
                    "no `expectations` list: is this an expectation suite?".into(),
                ))
            }
        };
        let mut expectations = Vec::with_capacity(list.len());
        for (i, item) in list.into_iter().enumerate() {
            let pointer = format!("/expectations/{i}");
            let Value::Object(mut obj) = item else {
                return Err(shape_err(pointer, "expected an object".into()));
            };
            let kind = match obj
                .remove("type")
                .or_else(|| obj.remove("expectation_type"))
            {
                Some(Value::String(s)) => s,
                _ => {
                    return Err(shape_err(
                        pointer,
                        "missing `type` (or legacy `expectation_type`) string".into(),
                    ))
                }
            };
            let meta = obj.remove("meta").unwrap_or(Value::Null);
            let kwargs = if native {
                // Native TOML: every other key is a kwarg.
                obj.remove("kwargs");
                obj
            } else {
                match obj.remove("kwargs") {
                    Some(Value::Object(k)) => k,
                    None => Map::new(),
                    Some(_) => {
                        return Err(shape_err(
                            format!("{pointer}/kwargs"),
                            "expected an object".into(),
                        ))
                    }
                }
            };
            expectations.push(ExpectationConfig { kind, kwargs, meta });
        }
        Ok(Suite {
            name,
            expectations,
            shape,
        })
    }

    /// The suite in Great Expectations 1.x JSON shape (what `suite suggest` writes).
    pub fn to_gx_json(&self) -> Value {
        let expectations: Vec<Value> = self
            .expectations
            .iter()
            .map(|e| {
                let mut obj = Map::new();
                obj.insert("type".into(), Value::String(e.kind.clone()));
                obj.insert("kwargs".into(), Value::Object(e.kwargs.clone()));
                obj.insert(
                    "meta".into(),
                    if e.meta.is_null() {
                        Value::Object(Map::new())
                    } else {
                        e.meta.clone()
                    },
                );
                Value::Object(obj)
            })
            .collect();
        serde_json::json!({
            "name": self.name,
            "expectations": expectations,
            "meta": {"generated_by": format!("datagate {}", env!("CARGO_PKG_VERSION"))},
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gx_v1_and_legacy_load_the_same() {
        let v1 = r#"{"name":"s","expectations":[{"type":"expect_column_to_exist","kwargs":{"column":"a"},"meta":{}}]}"#;
        let v0 = r#"{"expectation_suite_name":"s","expectations":[{"expectation_type":"expect_column_to_exist","kwargs":{"column":"a"},"meta":{}}],"data_asset_type":null}"#;
        let a = Suite::from_json(v1, "v1").unwrap();
        let b = Suite::from_json(v0, "v0").unwrap();
        assert_eq!(a.expectations, b.expectations);
        assert_eq!((a.shape, b.shape), (SuiteShape::GxV1, SuiteShape::GxLegacy));
    }

    #[test]
    fn native_toml_inlines_kwargs() {
        let t =
            "name = \"s\"\n[[expectations]]\ntype = \"expect_column_to_exist\"\ncolumn = \"a\"\n";
        let s = Suite::from_toml(t, "s.toml").unwrap();
        assert_eq!(s.expectations[0].kwargs["column"], "a");
    }

    #[test]
    fn errors_name_the_place() {
        let err = Suite::from_json("{\"name\": 1,", "x.json")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("x.json: not a valid JSON suite"), "{err}");
        let err = Suite::from_json(r#"{"name":"s","expectations":[{"kwargs":{}}]}"#, "x.json")
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "x.json: /expectations/0: missing `type` (or legacy `expectation_type`) string"
        );
        let err = Suite::from_json("[1,2]", "x.json").unwrap_err().to_string();
        assert!(err.contains("expected an object"), "{err}");
    }
}
