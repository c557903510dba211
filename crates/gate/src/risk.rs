//! The risk score of a source: which sources to scrutinise first.
//!
//! The score (0-100) is a sum of documented factors, each shown with its reason so that a
//! reviewer can argue with it:
//!
//! | factor | points |
//! |---|---|
//! | tier base | trusted 0, internal 10, third-party 30, untrusted 50, web-scraped 60 (or `risk_base`) |
//! | unsigned | +15 when the source lists no signing keys |
//! | update frequency | static/yearly 0, quarterly 5, monthly 10, weekly 15, daily 20, continuous 25, unstated 10 |
//! | history | +5 per failed review or rejection of the source's drops in the ledger, at most 25 |
//!
//! Levels: low < 25 ≤ medium < 50 ≤ high < 75 ≤ critical.
//!
//! Blind spots: the score orders attention; it does not change what a tier requires. A
//! source with a clean history that suddenly turns hostile scores as it did before.

use std::collections::BTreeMap;

use datagate_ledger::Ledger;
use serde::Serialize;

use crate::error::Result;
use crate::policy::{Source, Tier};

/// One factor of a score.
#[derive(Debug, Clone, Serialize)]
pub struct Factor {
    /// Short name, e.g. `tier`.
    pub factor: &'static str,
    /// Points it adds.
    pub points: u32,
    /// Why.
    pub reason: String,
}

/// A source's risk score.
#[derive(Debug, Clone, Serialize)]
pub struct RiskScore {
    /// 0-100.
    pub score: u32,
    /// `low`, `medium`, `high` or `critical`.
    pub level: &'static str,
    /// The factors, in table order.
    pub factors: Vec<Factor>,
}

/// Failed reviews and rejections per source, read from the ledger.
#[derive(Debug, Clone, Default)]
pub struct History {
    /// Source name → number of failed reviews plus rejections.
    pub failures: BTreeMap<String, u32>,
}

impl History {
    /// Reads every `gate.ingest` (drop → source), `gate.review` with verdict `fail` and
    /// `gate.reject` in the ledger.
    pub fn from_ledger(ledger: &Ledger) -> Result<History> {
        let mut drop_source: BTreeMap<String, String> = BTreeMap::new();
        let mut failed_drops: Vec<String> = Vec::new();
        let size = ledger.size()?;
        ledger.for_each_entry(0, size, &mut |_, e| {
            let Ok(e) = e else { return Ok(()) };
            match e.action.as_str() {
                "gate.ingest" => {
                    if let Some(s) = e.details.get("source").and_then(|s| s.as_str()) {
                        drop_source.insert(e.subject.name.clone(), s.to_string());
                    }
                }
                "gate.review"
                    if e.details.get("verdict").and_then(|v| v.as_str()) == Some("fail") =>
                {
                    failed_drops.push(e.subject.name.clone());
                }
                "gate.reject" => failed_drops.push(e.subject.name.clone()),
                _ => {}
            }
            Ok(())
        })?;
        let mut failures = BTreeMap::new();
        for d in failed_drops {
            if let Some(s) = drop_source.get(&d) {
                *failures.entry(s.clone()).or_insert(0) += 1;
            }
        }
        Ok(History { failures })
    }
}

/// Points for an update frequency.
pub fn frequency_points(update: Option<&str>) -> (u32, String) {
    match update {
        Some("static") | Some("yearly") => (0, format!("updates {}", update.unwrap_or(""))),
        Some("quarterly") => (5, "updates quarterly".into()),
        Some("monthly") => (10, "updates monthly".into()),
        Some("weekly") => (15, "updates weekly".into()),
        Some("daily") => (20, "updates daily".into()),
        Some("continuous") => (25, "updates continuously".into()),
        Some(other) => (10, format!("update frequency {other:?} not recognised")),
        None => (
            10,
            "update frequency not stated (counted as monthly)".into(),
        ),
    }
}

/// Computes the score of `source` (in `tier`) given the ledger `history`.
pub fn score(source: &Source, tier: &Tier, history: &History) -> RiskScore {
    let mut factors = vec![Factor {
        factor: "tier",
        points: tier.risk_base,
        reason: format!("tier {}", tier.name),
    }];
    factors.push(if source.keys.is_empty() {
        Factor {
            factor: "unsigned",
            points: 15,
            reason: "drops are not signed by the source (no keys listed)".into(),
        }
    } else {
        Factor {
            factor: "unsigned",
            points: 0,
            reason: format!(
                "drops must be signed by one of {} key(s)",
                source.keys.len()
            ),
        }
    });
    let (p, reason) = frequency_points(source.update.as_deref());
    factors.push(Factor {
        factor: "update_frequency",
        points: p,
        reason,
    });
    let failures = history.failures.get(&source.name).copied().unwrap_or(0);
    factors.push(Factor {
        factor: "history",
        points: (failures * 5).min(25),
        reason: format!("{failures} failed review(s) or rejection(s) in the ledger"),
    });
    let score = factors.iter().map(|f| f.points).sum::<u32>().min(100);
    RiskScore {
        score,
        level: level(score),
        factors,
    }
}

/// The level of a score.
pub fn level(score: u32) -> &'static str {
    match score {
        0..=24 => "low",
        25..=49 => "medium",
        50..=74 => "high",
        _ => "critical",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Policy;

    #[test]
    fn factors_add_up_and_history_is_capped() {
        let dir = tempfile::tempdir().unwrap();
        let p = Policy::from_str(
            "[sources.web]\ntier = \"web-scraped\"\nupdate = \"daily\"\n[sources.lab]\ntier = \"trusted\"\nupdate = \"static\"\n",
            dir.path(),
        )
        .unwrap();
        let web = &p.sources["web"];
        let mut h = History::default();
        let s = score(web, p.tier(&web.tier).unwrap(), &h);
        assert_eq!(s.score, 60 + 15 + 20);
        assert_eq!(s.level, "critical");
        h.failures.insert("lab".into(), 9);
        let lab = &p.sources["lab"];
        let s = score(lab, p.tier(&lab.tier).unwrap(), &h);
        assert_eq!(s.score, 15 + 25);
        assert_eq!(s.level, "medium");
    }
}
