//! Ledger entries: what an event is, and its canonical bytes.
//!
//! An entry is a JSON object serialised with RFC 8785 (JCS) so that its bytes
//! — and therefore its leaf hash — are a function of its content alone:
//!
//! ```json
//! {"action":"ingest","actor":"alice","details":{},"seq":0,
//!  "subject":{"digest":{"sha256":"…"},"name":"data/train.csv"},
//!  "time":"2026-11-23T10:42:07.123456Z"}
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What an entry is about: a name (a path, a dataset id) and its digests
/// (in-toto style: algorithm → lowercase hex).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    /// The subject's name, e.g. a path relative to the project root.
    pub name: String,
    /// Digests of the subject, e.g. `{"sha256": "…"}`; may be empty.
    #[serde(default)]
    pub digest: BTreeMap<String, String>,
}

impl Subject {
    /// A subject with a name and no digest.
    pub fn named(name: impl Into<String>) -> Self {
        Subject {
            name: name.into(),
            digest: BTreeMap::new(),
        }
    }

    /// Adds a digest (`alg` → hex).
    pub fn with_digest(mut self, alg: &str, hex: impl Into<String>) -> Self {
        self.digest.insert(alg.to_string(), hex.into());
        self
    }
}

/// An event to record: the ledger adds the sequence number and time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Who did it (a user, a service, `user@host`).
    pub actor: String,
    /// What was done (`ingest`, `check`, `approve`, `file.modify`, …).
    pub action: String,
    /// What it was done to.
    pub subject: Subject,
    /// Free-form details (a JSON value; `{}` when there are none).
    pub details: serde_json::Value,
}

impl Event {
    /// An event with empty details.
    pub fn new(actor: impl Into<String>, action: impl Into<String>, subject: Subject) -> Self {
        Event {
            actor: actor.into(),
            action: action.into(),
            subject,
            details: serde_json::Value::Object(Default::default()),
        }
    }

    /// Sets the details.
    pub fn with_details(mut self, details: serde_json::Value) -> Self {
        self.details = details;
        self
    }
}

/// A recorded entry: an [`Event`] with its position and time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// The entry's index in the log (0-based, dense).
    pub seq: u64,
    /// When it was recorded, RFC 3339 UTC.
    pub time: String,
    /// Who did it.
    pub actor: String,
    /// What was done.
    pub action: String,
    /// What it was done to.
    pub subject: Subject,
    /// Free-form details.
    pub details: serde_json::Value,
}

impl Entry {
    /// The entry's canonical (RFC 8785) bytes: what the leaf hash covers.
    pub fn canonical_bytes(&self) -> Result<Vec<u8>, serde_json::Error> {
        serde_json_canonicalizer::to_vec(self)
    }

    /// Parses stored bytes and checks that they are exactly the canonical
    /// form of what they parse to (any non-canonical byte is an edit).
    pub fn from_canonical_bytes(bytes: &[u8]) -> Result<Entry, String> {
        let entry: Entry =
            serde_json::from_slice(bytes).map_err(|e| format!("not a valid entry: {e}"))?;
        let again = entry
            .canonical_bytes()
            .map_err(|e| format!("cannot re-serialise: {e}"))?;
        if again != bytes {
            return Err("bytes are not the canonical JSON form of the entry".into());
        }
        Ok(entry)
    }
}

/// The current time as RFC 3339 UTC with microseconds.
pub fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// A sensible default actor: `$USER` (or `$USERNAME`) `@` host name.
pub fn default_actor() -> String {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .or_else(|_| std::env::var("USERNAME"))
        .ok()
        .filter(|u| !u.is_empty())
        .or_else(user_from_uid)
        .unwrap_or_else(|| "unknown".to_string());
    let host = std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty());
    match host {
        Some(h) => format!("{user}@{h}"),
        None => user,
    }
}

/// The current user's name from its uid (Linux: the owner of /proc/self,
/// looked up in /etc/passwd), or `uid:N`.
#[cfg(unix)]
fn user_from_uid() -> Option<String> {
    use std::os::unix::fs::MetadataExt as _;
    let uid = std::fs::metadata("/proc/self").ok()?.uid();
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    let name = passwd.lines().find_map(|l| {
        let mut f = l.split(':');
        let name = f.next()?;
        let id: u32 = f.nth(1)?.parse().ok()?;
        (id == uid).then(|| name.to_string())
    });
    Some(name.unwrap_or_else(|| format!("uid:{uid}")))
}

#[cfg(not(unix))]
fn user_from_uid() -> Option<String> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_bytes_are_sorted_and_checked() {
        let e = Entry {
            seq: 3,
            time: "2026-01-01T00:00:00.000000Z".into(),
            actor: "alice".into(),
            action: "ingest".into(),
            subject: Subject::named("a.csv").with_digest("sha256", "ab"),
            details: serde_json::json!({"z": 1, "a": [1.5, "x"]}),
        };
        let b = e.canonical_bytes().unwrap();
        assert_eq!(
            std::str::from_utf8(&b).unwrap(),
            r#"{"action":"ingest","actor":"alice","details":{"a":[1.5,"x"],"z":1},"seq":3,"subject":{"digest":{"sha256":"ab"},"name":"a.csv"},"time":"2026-01-01T00:00:00.000000Z"}"#
        );
        assert_eq!(Entry::from_canonical_bytes(&b).unwrap(), e);
        let spaced = String::from_utf8(b.clone()).unwrap().replace(":3,", ": 3,");
        assert!(Entry::from_canonical_bytes(spaced.as_bytes()).is_err());
        assert!(Entry::from_canonical_bytes(b"{").is_err());
    }
}
