//! The scrub policy file (`pii.toml`).
//!
//! ```toml
//! # findings below this confidence are left alone
//! min_confidence = 0.5
//! # action for any detected entity not listed under [entities]
//! default = "redact"
//!
//! [entities]            # by detected type, in free text and structured columns
//! EMAIL_ADDRESS = "pseudonymise"
//! CREDIT_CARD = "mask:4"
//! US_SSN = "hash"
//!
//! [columns]             # a whole column, whatever it contains
//! customer_id = "keep"
//! email = "tokenise"
//! notes = "scan"        # detect spans and apply the [entities] actions (the default for text)
//! ```
//!
//! Actions: `keep`, `redact`, `mask` / `mask:N`, `hash`, `pseudonymise`,
//! `tokenise`. Unknown entity names or actions are errors that name the key.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::transform::Action;
use crate::Entity;

/// Errors loading a policy.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    /// The file could not be read.
    #[error("policy {path}: {error}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        error: std::io::Error,
    },
    /// The TOML is malformed.
    #[error("policy {path}: {message}")]
    Syntax {
        /// The file.
        path: String,
        /// What the parser said.
        message: String,
    },
    /// A key names something unknown.
    #[error("policy {path}: {message}")]
    Invalid {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
}

/// What to do with one column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnRule {
    /// Apply one action to every value.
    Action(Action),
    /// Scan values span by span and apply the entity actions.
    Scan,
}

/// A loaded scrub policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// Findings below this confidence are not transformed.
    pub min_confidence: f32,
    /// Action for entities without their own rule.
    pub default: Action,
    /// Per-entity actions.
    pub entities: BTreeMap<Entity, Action>,
    /// Per-column rules.
    pub columns: BTreeMap<String, ColumnRule>,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            min_confidence: 0.5,
            default: Action::Redact,
            entities: BTreeMap::new(),
            columns: BTreeMap::new(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    min_confidence: Option<f32>,
    default: Option<String>,
    #[serde(default)]
    entities: BTreeMap<String, String>,
    #[serde(default)]
    columns: BTreeMap<String, String>,
}

impl Policy {
    /// Loads a policy file.
    pub fn load(path: &Path) -> Result<Self, PolicyError> {
        let text = std::fs::read_to_string(path).map_err(|error| PolicyError::Io {
            path: path.display().to_string(),
            error,
        })?;
        Self::parse(&text, &path.display().to_string())
    }

    /// Parses policy TOML; `origin` names the source in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Self, PolicyError> {
        let raw: Raw = toml::from_str(text).map_err(|e| PolicyError::Syntax {
            path: origin.to_string(),
            message: e.to_string(),
        })?;
        let invalid = |message: String| PolicyError::Invalid {
            path: origin.to_string(),
            message,
        };
        let action = |key: &str, v: &str| {
            Action::parse(v).ok_or_else(|| {
                invalid(format!(
                    "`{key} = \"{v}\"`: unknown action (use keep, redact, mask, mask:N, hash, pseudonymise, tokenise)"
                ))
            })
        };
        let mut p = Policy::default();
        if let Some(c) = raw.min_confidence {
            if !(0.0..=1.0).contains(&c) {
                return Err(invalid(format!("min_confidence {c} is not within 0..=1")));
            }
            p.min_confidence = c;
        }
        if let Some(d) = &raw.default {
            p.default = action("default", d)?;
        }
        for (k, v) in &raw.entities {
            let e: Entity = k
                .parse()
                .map_err(|e: crate::UnknownEntity| invalid(format!("[entities] {e}")))?;
            p.entities.insert(e, action(k, v)?);
        }
        for (k, v) in &raw.columns {
            let rule = if v.trim().eq_ignore_ascii_case("scan") {
                ColumnRule::Scan
            } else {
                ColumnRule::Action(action(k, v)?)
            };
            p.columns.insert(k.clone(), rule);
        }
        Ok(p)
    }

    /// The action for an entity.
    pub fn action_for(&self, entity: Entity) -> Action {
        self.entities.get(&entity).copied().unwrap_or(self.default)
    }

    /// True if any rule needs a key file.
    pub fn needs_key(&self) -> bool {
        self.default.needs_key()
            || self.entities.values().any(|a| a.needs_key())
            || self
                .columns
                .values()
                .any(|r| matches!(r, ColumnRule::Action(a) if a.needs_key()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_example() {
        let p = Policy::parse(
            r#"
min_confidence = 0.6
default = "redact"
[entities]
EMAIL_ADDRESS = "pseudonymise"
CREDIT_CARD = "mask:4"
[columns]
customer_id = "keep"
email = "tokenise"
notes = "scan"
"#,
            "pii.toml",
        )
        .unwrap();
        assert_eq!(p.min_confidence, 0.6);
        assert_eq!(p.action_for(Entity::CreditCard), Action::Mask { keep: 4 });
        assert_eq!(p.action_for(Entity::UsSsn), Action::Redact);
        assert_eq!(p.columns["notes"], ColumnRule::Scan);
        assert!(p.needs_key());
    }

    #[test]
    fn unknown_names_are_errors() {
        let e = Policy::parse("[entities]\nPASSPORT = \"redact\"\n", "p.toml").unwrap_err();
        assert!(e.to_string().contains("unknown PII type `PASSPORT`"), "{e}");
        let e = Policy::parse("[entities]\nEMAIL_ADDRESS = \"shred\"\n", "p.toml").unwrap_err();
        assert!(e.to_string().contains("unknown action"), "{e}");
        assert!(Policy::parse("colour = 1", "p.toml").is_err());
    }
}
