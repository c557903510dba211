//! Unusual activity: actors with more than N events inside any time window
//! (the "bulk operations" alert of `log activity`).
//!
//! Events are grouped by actor and sorted by time; a sliding window over each
//! actor's events finds the busiest window. An actor is reported when that
//! window holds more than the threshold.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::Entry;

/// One actor whose busiest window exceeded the threshold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Burst {
    /// The actor.
    pub actor: String,
    /// Events inside the busiest window.
    pub count: u64,
    /// The first event's time in that window (RFC 3339).
    pub window_start: String,
    /// The last event's time in that window (RFC 3339).
    pub window_end: String,
    /// The first and last entry numbers in that window.
    pub first_seq: u64,
    /// See `first_seq`.
    pub last_seq: u64,
    /// Events per action inside the window.
    pub actions: BTreeMap<String, u64>,
    /// All events by this actor in the log.
    pub total: u64,
}

/// Parses `90s`, `30m`, `1h`, `2d` (a bare number is seconds).
pub fn parse_window(s: &str) -> Result<chrono::Duration, String> {
    let s = s.trim();
    let (num, unit) = match s.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => (&s[..i], &s[i..]),
        None => (s, "s"),
    };
    let n: i64 = num
        .parse()
        .map_err(|_| format!("window {s:?}: expected a number and a unit, e.g. 1h"))?;
    let secs = match unit {
        "s" => Some(n),
        "m" => n.checked_mul(60),
        "h" => n.checked_mul(3600),
        "d" => n.checked_mul(86400),
        _ => None,
    }
    .filter(|&v| v > 0 && v < 100 * 365 * 86400)
    .ok_or_else(|| format!("window {s:?}: use a positive number with s, m, h or d"))?;
    Ok(chrono::Duration::seconds(secs))
}

/// Finds the actors with more than `threshold` events in some window of
/// length `window`. Entries whose time does not parse are skipped.
pub fn bursts(
    entries: impl IntoIterator<Item = Entry>,
    window: chrono::Duration,
    threshold: u64,
) -> Vec<Burst> {
    let mut by_actor: BTreeMap<String, Vec<(DateTime<Utc>, u64, String)>> = BTreeMap::new();
    for e in entries {
        if let Ok(t) = DateTime::parse_from_rfc3339(&e.time) {
            by_actor
                .entry(e.actor)
                .or_default()
                .push((t.with_timezone(&Utc), e.seq, e.action));
        }
    }
    let mut out = Vec::new();
    for (actor, mut evs) in by_actor {
        evs.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
        let (mut best, mut best_lo, mut best_hi) = (0usize, 0usize, 0usize);
        let mut lo = 0usize;
        for hi in 0..evs.len() {
            while evs[hi].0 - evs[lo].0 >= window {
                lo += 1;
            }
            if hi + 1 - lo > best {
                best = hi + 1 - lo;
                best_lo = lo;
                best_hi = hi;
            }
        }
        if best as u64 > threshold {
            let win = &evs[best_lo..=best_hi];
            let mut actions = BTreeMap::new();
            for e in win {
                *actions.entry(e.2.clone()).or_insert(0u64) += 1;
            }
            out.push(Burst {
                actor,
                count: best as u64,
                window_start: win[0].0.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                window_end: win[win.len() - 1]
                    .0
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                first_seq: win.iter().map(|e| e.1).min().unwrap_or(0),
                last_seq: win.iter().map(|e| e.1).max().unwrap_or(0),
                actions,
                total: evs.len() as u64,
            });
        }
    }
    out.sort_by(|a, b| b.count.cmp(&a.count).then(a.actor.cmp(&b.actor)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Subject;

    fn e(seq: u64, actor: &str, minute: u32) -> Entry {
        Entry {
            seq,
            time: format!("2026-01-01T10:{minute:02}:00Z"),
            actor: actor.into(),
            action: if seq.is_multiple_of(2) {
                "read"
            } else {
                "write"
            }
            .into(),
            subject: Subject::named("x"),
            details: serde_json::json!({}),
        }
    }

    #[test]
    fn finds_the_busiest_window_per_actor() {
        // bob: 5 events within 4 minutes; alice: 3 events spread over 50 min.
        let mut es = vec![e(0, "alice", 0), e(1, "alice", 25), e(2, "alice", 50)];
        for (i, m) in [10u32, 11, 12, 13, 14].iter().enumerate() {
            es.push(e(3 + i as u64, "bob", *m));
        }
        es.push(e(8, "bob", 40));
        let w = parse_window("5m").unwrap();
        let b = bursts(es.clone(), w, 4);
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].actor, "bob");
        assert_eq!(b[0].count, 5);
        assert_eq!((b[0].first_seq, b[0].last_seq), (3, 7));
        assert_eq!(b[0].total, 6);
        assert_eq!(b[0].window_start, "2026-01-01T10:10:00Z");
        // A window of exactly 4 minutes excludes the fifth event (half-open).
        assert!(bursts(es.clone(), parse_window("4m").unwrap(), 4).is_empty());
        // With a 1h window alice has 3 events.
        let b = bursts(es, parse_window("1h").unwrap(), 2);
        assert_eq!(
            b.iter().map(|x| x.actor.as_str()).collect::<Vec<_>>(),
            vec!["bob", "alice"]
        );
    }

    #[test]
    fn window_parsing() {
        assert_eq!(parse_window("1h").unwrap().num_seconds(), 3600);
        assert_eq!(parse_window("90").unwrap().num_seconds(), 90);
        assert_eq!(parse_window("2d").unwrap().num_seconds(), 172800);
        for bad in ["", "h", "0s", "5y", "-1h", "99999999999999999999d"] {
            assert!(parse_window(bad).is_err(), "{bad}");
        }
    }
}
