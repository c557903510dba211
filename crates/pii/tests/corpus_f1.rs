//! Precision / recall / F1 per entity on the committed labelled corpus
//! (`tests/peers/presidio/corpus.jsonl`), for datagate and for Presidio's
//! committed output on the same corpus (`presidio.json`).
//!
//! A prediction is a true positive when it has the same entity as an unmatched
//! ground-truth span and the two spans overlap by at least half of the longer
//! one. Each ground-truth span is matched at most once.
//!
//! The floors asserted here are the targets: F1 >= 0.95 for the
//! checksum-validated types (cards, IBAN), >= 0.9 for e-mail, phone, IP and
//! secrets, and datagate's F1 >= Presidio's on every type both support.

use std::collections::BTreeMap;
use std::path::PathBuf;

use datagate_pii::{Entity, Scanner};
use serde_json::Value;

#[derive(Debug, Clone)]
struct Span {
    start: usize,
    end: usize,
    entity: String,
}

#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    tp: usize,
    fp: usize,
    fn_: usize,
}

impl Counts {
    fn precision(&self) -> f64 {
        if self.tp + self.fp == 0 {
            1.0
        } else {
            self.tp as f64 / (self.tp + self.fp) as f64
        }
    }
    fn recall(&self) -> f64 {
        if self.tp + self.fn_ == 0 {
            1.0
        } else {
            self.tp as f64 / (self.tp + self.fn_) as f64
        }
    }
    fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

fn peer_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/peers/presidio")
}

fn spans(v: &Value) -> Vec<Span> {
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|s| Span {
                    start: s["start"].as_u64().unwrap_or(0) as usize,
                    end: s["end"].as_u64().unwrap_or(0) as usize,
                    entity: s["entity"].as_str().unwrap_or("").to_string(),
                })
                .collect()
        })
        .unwrap_or_default()
}

fn load_corpus() -> Vec<(String, Vec<Span>)> {
    let text = std::fs::read_to_string(peer_dir().join("corpus.jsonl"))
        .expect("corpus.jsonl is committed");
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("corpus line is JSON");
            (
                v["text"].as_str().unwrap_or("").to_string(),
                spans(&v["spans"]),
            )
        })
        .collect()
}

fn overlaps(a: &Span, b: &Span) -> bool {
    let inter = a.end.min(b.end).saturating_sub(a.start.max(b.start));
    let longer = (a.end - a.start).max(b.end - b.start);
    inter * 2 >= longer && inter > 0
}

/// Scores predictions against truth for the entities in `only` (all if None).
fn score(
    truth: &[Vec<Span>],
    predicted: &[Vec<Span>],
    only: Option<&[&str]>,
) -> BTreeMap<String, Counts> {
    let mut out: BTreeMap<String, Counts> = BTreeMap::new();
    let keep = |e: &str| only.is_none_or(|o| o.contains(&e));
    for (t, p) in truth.iter().zip(predicted) {
        let mut used = vec![false; t.len()];
        for ps in p.iter().filter(|s| keep(&s.entity)) {
            let hit = t
                .iter()
                .enumerate()
                .find(|(i, ts)| !used[*i] && ts.entity == ps.entity && overlaps(ts, ps));
            if hit.is_none() && std::env::var_os("PII_DEBUG").is_some() {
                eprintln!("FP {} {:?}", ps.entity, (ps.start, ps.end));
            }
            match hit {
                Some((i, _)) => {
                    used[i] = true;
                    out.entry(ps.entity.clone()).or_default().tp += 1;
                }
                None => out.entry(ps.entity.clone()).or_default().fp += 1,
            }
        }
        for (i, ts) in t.iter().enumerate() {
            if !used[i] && keep(&ts.entity) {
                out.entry(ts.entity.clone()).or_default().fn_ += 1;
            }
        }
    }
    out
}

fn ours(corpus: &[(String, Vec<Span>)]) -> Vec<Vec<Span>> {
    let scanner = Scanner::shared();
    corpus
        .iter()
        .map(|(text, _)| {
            scanner
                .scan(text)
                .into_iter()
                .map(|f| Span {
                    start: f.start,
                    end: f.end,
                    entity: f.entity.as_str().to_string(),
                })
                .collect()
        })
        .collect()
}

fn presidio(n: usize, min_score: f64) -> Vec<Vec<Span>> {
    let text = std::fs::read_to_string(peer_dir().join("presidio.json"))
        .expect("presidio.json is committed");
    let v: Value = serde_json::from_str(&text).expect("presidio.json is JSON");
    let results = v["results"].as_array().expect("results array");
    assert_eq!(results.len(), n, "presidio.json covers the whole corpus");
    results
        .iter()
        .map(|r| {
            let keep: Vec<Value> = r
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter(|s| s["score"].as_f64().unwrap_or(0.0) >= min_score)
                        .cloned()
                        .collect()
                })
                .unwrap_or_default();
            spans(&Value::Array(keep))
        })
        .collect()
}

/// The entities Presidio's default recognizers also report, under the same names.
const SHARED: &[&str] = &[
    "EMAIL_ADDRESS",
    "PHONE_NUMBER",
    "CREDIT_CARD",
    "IBAN_CODE",
    "US_SSN",
    "IP_ADDRESS",
    "MAC_ADDRESS",
];

fn table(name: &str, m: &BTreeMap<String, Counts>) -> String {
    let mut s = format!(
        "{name}\n{:<16} {:>5} {:>5} {:>5} {:>7} {:>7} {:>7}\n",
        "entity", "tp", "fp", "fn", "prec", "recall", "f1"
    );
    for (e, c) in m {
        s += &format!(
            "{:<16} {:>5} {:>5} {:>5} {:>7.3} {:>7.3} {:>7.3}\n",
            e,
            c.tp,
            c.fp,
            c.fn_,
            c.precision(),
            c.recall(),
            c.f1()
        );
    }
    s
}

#[test]
fn f1_floors_and_presidio_comparison() {
    let corpus = load_corpus();
    assert!(corpus.len() >= 1000);
    let truth: Vec<Vec<Span>> = corpus.iter().map(|(_, s)| s.clone()).collect();
    let ours_m = score(&truth, &ours(&corpus), None);
    println!("{}", table("datagate", &ours_m));
    let peer_m = score(&truth, &presidio(corpus.len(), 0.0), Some(SHARED));
    println!(
        "{}",
        table(
            "presidio, default threshold 0 (same corpus, committed output)",
            &peer_m
        )
    );
    let peer_half = score(&truth, &presidio(corpus.len(), 0.5), Some(SHARED));
    println!(
        "{}",
        table("presidio, only scores >= 0.5 (for reference)", &peer_half)
    );

    let f1 = |e: Entity| ours_m.get(e.as_str()).map_or(0.0, Counts::f1);
    for e in [Entity::CreditCard, Entity::IbanCode] {
        assert!(f1(e) >= 0.95, "{e}: F1 {:.3} below 0.95", f1(e));
    }
    for e in Entity::ALL {
        if [Entity::CreditCard, Entity::IbanCode].contains(&e) {
            continue;
        }
        assert!(f1(e) >= 0.9, "{e}: F1 {:.3} below 0.9", f1(e));
    }
    for e in SHARED {
        let o = ours_m.get(*e).map_or(0.0, Counts::f1);
        let p = peer_m.get(*e).map_or(0.0, Counts::f1);
        assert!(o >= p, "{e}: datagate F1 {o:.3} < Presidio {p:.3}");
    }
}

#[test]
fn scoring_counts_overlap_once() {
    let t = vec![vec![Span {
        start: 0,
        end: 10,
        entity: "X".into(),
    }]];
    let p = vec![vec![
        Span {
            start: 1,
            end: 10,
            entity: "X".into(),
        },
        Span {
            start: 0,
            end: 10,
            entity: "X".into(),
        },
        Span {
            start: 20,
            end: 25,
            entity: "X".into(),
        },
    ]];
    let m = score(&t, &p, None);
    assert_eq!((m["X"].tp, m["X"].fp, m["X"].fn_), (1, 2, 0));
}
