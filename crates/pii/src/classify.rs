//! Column classification: what does a whole column hold?
//!
//! A structured column (`email`, `phone`, `card_number`) is reported as **one**
//! finding with the share of sampled values that are that entity, not one finding
//! per row. The decision uses two signals:
//!
//! - **values**: each sampled value is scanned with the column name as context
//!   (`"dob: 1984-07-23"`), and we count values that are *entirely* one entity;
//! - **name**: words in the column name (`email`, `phone`, `ssn`, `iban`, `dob`, …).
//!
//! A column is structured as entity E when at least half of its non-empty
//! sampled values are entirely E, or when its name says E and at least a fifth
//! of the values are E. Columns of long, spaced text are free text: they are
//! scanned span by span.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::{Entity, Finding, Scanner};

/// What kind of column this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnKind {
    /// Every value is (mostly) one entity.
    Structured,
    /// Long text that may contain PII anywhere.
    FreeText,
    /// Neither: no PII seen in the sample.
    Other,
}

/// The verdict for one column.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnClass {
    /// Column name.
    pub column: String,
    /// Structured, free text or other.
    pub kind: ColumnKind,
    /// The entity of a structured column.
    pub entity: Option<Entity>,
    /// Share of non-empty sampled values that are entirely `entity`.
    pub share: f64,
    /// Non-empty values sampled.
    pub sampled: usize,
    /// The entity the column's name suggests, if any.
    pub name_hint: Option<Entity>,
    /// Per-entity count of sampled values containing that entity anywhere.
    pub contains: BTreeMap<Entity, usize>,
}

/// Accumulates a sample of one column's values.
#[derive(Debug, Clone)]
pub struct ColumnProfile {
    name: String,
    nonempty: usize,
    full: BTreeMap<Entity, usize>,
    any: BTreeMap<Entity, usize>,
    total_chars: usize,
    spaced: usize,
}

impl ColumnProfile {
    /// An empty profile for column `name`.
    pub fn new(name: &str) -> Self {
        ColumnProfile {
            name: name.to_string(),
            nonempty: 0,
            full: BTreeMap::new(),
            any: BTreeMap::new(),
            total_chars: 0,
            spaced: 0,
        }
    }

    /// The column name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Non-empty values observed so far.
    pub fn sampled(&self) -> usize {
        self.nonempty
    }

    /// Scans `value` (with the column name as context) and records it.
    pub fn observe(&mut self, scanner: &Scanner, value: &str) -> Vec<Finding> {
        let findings = scan_with_context(scanner, &self.name, value);
        self.record(value, &findings);
        findings
    }

    /// Records a value whose findings the caller already has.
    pub fn record(&mut self, value: &str, findings: &[Finding]) {
        let trimmed = value.trim();
        if trimmed.is_empty() {
            return;
        }
        self.nonempty += 1;
        self.total_chars += trimmed.chars().count();
        if trimmed.contains(' ') && trimmed.len() > 20 {
            self.spaced += 1;
        }
        let lead = value.len() - value.trim_start().len();
        let mut seen: Vec<Entity> = Vec::new();
        for f in findings {
            if !seen.contains(&f.entity) {
                *self.any.entry(f.entity).or_default() += 1;
                seen.push(f.entity);
            }
            if f.byte_start == lead && f.byte_end == lead + trimmed.len() {
                *self.full.entry(f.entity).or_default() += 1;
            }
        }
    }

    /// The verdict from what was observed.
    pub fn classify(&self) -> ColumnClass {
        let name_hint = name_hint(&self.name);
        let n = self.nonempty.max(1) as f64;
        let best = self
            .full
            .iter()
            .max_by_key(|(_, &c)| c)
            .map(|(&e, &c)| (e, c as f64 / n));
        let mut kind = ColumnKind::Other;
        let mut entity = None;
        let mut share = 0.0;
        if let Some((e, s)) = best {
            if s >= 0.5 {
                kind = ColumnKind::Structured;
                entity = Some(e);
                share = s;
            }
        }
        if kind == ColumnKind::Other {
            if let Some(h) = name_hint {
                let s = self.full.get(&h).copied().unwrap_or(0) as f64 / n;
                if s >= 0.2 {
                    kind = ColumnKind::Structured;
                    entity = Some(h);
                    share = s;
                }
            }
        }
        if kind == ColumnKind::Other && self.nonempty > 0 {
            let avg = self.total_chars as f64 / n;
            if avg >= 25.0 && self.spaced as f64 / n >= 0.3 {
                kind = ColumnKind::FreeText;
            }
        }
        ColumnClass {
            column: self.name.clone(),
            kind,
            entity,
            share: (share * 10_000.0).round() / 10_000.0,
            sampled: self.nonempty,
            name_hint,
            contains: self.any.clone(),
        }
    }
}

/// Scans `value` as if it followed `"<column>: "`, so the column name acts as a
/// context word; offsets are relative to `value`.
pub fn scan_with_context(scanner: &Scanner, column: &str, value: &str) -> Vec<Finding> {
    let prefix_len = column.len() + 2;
    let prefix_chars = column.chars().count() + 2;
    let mut text = String::with_capacity(prefix_len + value.len());
    text.push_str(column);
    text.push_str(": ");
    text.push_str(value);
    scanner
        .scan(&text)
        .into_iter()
        .filter(|f| f.byte_start >= prefix_len)
        .map(|mut f| {
            f.byte_start -= prefix_len;
            f.byte_end -= prefix_len;
            f.start -= prefix_chars;
            f.end -= prefix_chars;
            f
        })
        .collect()
}

/// The entity a column name suggests (`customer_email` → e-mail).
pub fn name_hint(name: &str) -> Option<Entity> {
    // Split snake_case, kebab-case, spaces and camelCase into lower-case words.
    let mut words: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for ch in name.chars() {
        if !ch.is_alphanumeric() {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if ch.is_uppercase() && prev_lower && !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
        prev_lower = ch.is_lowercase() || ch.is_ascii_digit();
        cur.extend(ch.to_lowercase());
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    let joined = words.concat();
    let has = |w: &str| words.iter().any(|x| x == w);
    let table: &[(&[&str], &[&str], Entity)] = &[
        (
            &["email", "mail", "emailaddress"],
            &["email"],
            Entity::EmailAddress,
        ),
        (
            &[
                "phone",
                "mobile",
                "tel",
                "telephone",
                "fax",
                "cell",
                "msisdn",
            ],
            &["phonenumber"],
            Entity::PhoneNumber,
        ),
        (&["ssn", "ssns"], &["socialsecurity"], Entity::UsSsn),
        (&["iban"], &["iban"], Entity::IbanCode),
        (
            &["card", "cc", "pan"],
            &["creditcard", "cardnumber", "ccnumber"],
            Entity::CreditCard,
        ),
        (
            &["ip", "ipv4", "ipv6"],
            &["ipaddress", "ipaddr"],
            Entity::IpAddress,
        ),
        (&["mac"], &["macaddress", "macaddr"], Entity::MacAddress),
        (
            &["dob", "birthday", "birthdate"],
            &["dateofbirth", "birthdate"],
            Entity::DateOfBirth,
        ),
        (
            &["password", "secret", "token", "apikey", "passwd"],
            &["apikey", "secretkey", "accesstoken"],
            Entity::GenericSecret,
        ),
    ];
    table.iter().find_map(|(ws, subs, e)| {
        (ws.iter().any(|w| has(w)) || subs.iter().any(|s| joined.contains(s))).then_some(*e)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classify(name: &str, values: &[&str]) -> ColumnClass {
        let mut p = ColumnProfile::new(name);
        for v in values {
            p.observe(Scanner::shared(), v);
        }
        p.classify()
    }

    #[test]
    fn a_column_of_emails_is_one_structured_finding() {
        let c = classify(
            "contact",
            &["a@x.com", "b@y.org", "", "not given", "c@z.io"],
        );
        assert_eq!(c.kind, ColumnKind::Structured);
        assert_eq!(c.entity, Some(Entity::EmailAddress));
        assert_eq!(c.share, 0.75);
        assert_eq!(c.sampled, 4);
    }

    #[test]
    fn the_name_gives_context_to_dates_of_birth() {
        let c = classify("dob", &["1984-07-23", "1990-01-02", "2001-12-31"]);
        assert_eq!(c.entity, Some(Entity::DateOfBirth));
        assert_eq!(c.share, 1.0);
        let c = classify("shipped_on", &["1984-07-23", "1990-01-02"]);
        assert_eq!(c.kind, ColumnKind::Other);
    }

    #[test]
    fn free_text_is_recognised() {
        let c = classify(
            "notes",
            &[
                "customer called about the delayed order again",
                "please email me at jane@example.com when it ships",
            ],
        );
        assert_eq!(c.kind, ColumnKind::FreeText);
        assert_eq!(c.contains.get(&Entity::EmailAddress), Some(&1));
    }

    #[test]
    fn name_hints() {
        assert_eq!(name_hint("customerEmail"), Some(Entity::EmailAddress));
        assert_eq!(name_hint("phone_number"), Some(Entity::PhoneNumber));
        assert_eq!(name_hint("hotel"), None);
        assert_eq!(name_hint("client_ip"), Some(Entity::IpAddress));
        assert_eq!(name_hint("Date of Birth"), Some(Entity::DateOfBirth));
        assert_eq!(name_hint("description"), None);
    }
}
