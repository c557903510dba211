//! Debug aid: scanner throughput on a JSON Lines file's `text` fields, with all
//! detectors and with each entity left out in turn (shows which one is slow).
//!
//! `cargo run --release -p datagate-pii --example pii_perf -- corpus.jsonl`
use datagate_pii::{Entity, ScanOptions, Scanner};

fn main() {
    let path = std::env::args().nth(1).unwrap_or_default();
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let texts: Vec<String> = text
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["text"].as_str().map(str::to_string))
        .collect();
    let bytes: usize = texts.iter().map(String::len).sum();
    let run = |label: &str, s: &Scanner| {
        let t = std::time::Instant::now();
        let n: usize = texts.iter().map(|x| s.scan(x).len()).sum();
        let dt = t.elapsed().as_secs_f64();
        println!(
            "{label:<24} {n:>7} findings {:>8.2} MB/s",
            bytes as f64 / 1e6 / dt
        );
    };
    if std::env::var_os("PII_RAW").is_some() {
        raw(&texts);
        return;
    }
    let all = Scanner::new().unwrap_or_else(|e| panic!("{e}"));
    run("all (cold)", &all);
    run("all (warm)", &all);
    if std::env::var_os("PII_ONCE").is_some() {
        for _ in 0..3 {
            run("all again", &all);
        }
        return;
    }
    for skip in Entity::ALL {
        let only: Vec<Entity> = Entity::ALL.iter().copied().filter(|e| *e != skip).collect();
        let s = Scanner::with_options(ScanOptions {
            min_confidence: 0.5,
            entities: Some(only),
        })
        .unwrap_or_else(|e| panic!("{e}"));
        let _ = texts.iter().map(|x| s.scan(x).len()).sum::<usize>();
        run(&format!("without {skip}"), &s);
    }
}

/// Raw automaton speed, without validation (called from main when PII_RAW is set).
#[allow(dead_code)]
pub fn raw(texts: &[String]) {
    use regex_automata::meta::Regex;
    let pats: Vec<&str> = datagate_pii::detectors::ALL
        .iter()
        .flat_map(|d| d.patterns.iter().copied())
        .collect();
    let bytes: usize = texts.iter().map(String::len).sum();
    let re = Regex::builder()
        .configure(Regex::config().hybrid_cache_capacity(64 << 20))
        .build_many(&pats)
        .unwrap_or_else(|e| panic!("{e}"));
    let t = std::time::Instant::now();
    let n: usize = texts.iter().map(|x| re.find_iter(x).count()).sum();
    println!(
        "raw find_iter all patterns: {n} matches {:.2} MB/s",
        bytes as f64 / 1e6 / t.elapsed().as_secs_f64()
    );
    for k in 0..=10usize {
        let pats: Vec<&str> = datagate_pii::detectors::ALL[..=k]
            .iter()
            .flat_map(|d| d.patterns.iter().copied())
            .collect();
        let re = Regex::builder()
            .configure(Regex::config().hybrid_cache_capacity(64 << 20))
            .build_many(&pats)
            .unwrap_or_else(|e| panic!("{e}"));
        let t = std::time::Instant::now();
        let n: usize = texts.iter().map(|x| re.find_iter(x).count()).sum();
        println!(
            "prefix 0..={k:<3} {n:>6} matches {:>8.2} MB/s",
            bytes as f64 / 1e6 / t.elapsed().as_secs_f64()
        );
    }
    for (label, range) in [
        ("secrets 0..=10", 0..=10usize),
        ("email 11", 11..=11),
        ("numeric 12..=19", 12..=19),
        ("iban..ip 12..=15", 12..=15),
        ("dob..phone 16..=19", 16..=19),
        ("secrets+email 0..=11", 0..=11),
    ] {
        let pats: Vec<&str> = datagate_pii::detectors::ALL[range]
            .iter()
            .flat_map(|d| d.patterns.iter().copied())
            .collect();
        let re = Regex::builder()
            .configure(Regex::config().hybrid_cache_capacity(64 << 20))
            .build_many(&pats)
            .unwrap_or_else(|e| panic!("{e}"));
        let t = std::time::Instant::now();
        let n: usize = texts.iter().map(|x| re.find_iter(x).count()).sum();
        println!(
            "group {label:<22} {n:>6} matches {:>8.2} MB/s",
            bytes as f64 / 1e6 / t.elapsed().as_secs_f64()
        );
    }
    for (i, d) in datagate_pii::detectors::ALL.iter().enumerate() {
        let re = Regex::new_many(d.patterns).unwrap_or_else(|e| panic!("{e}"));
        let t = std::time::Instant::now();
        let n: usize = texts.iter().map(|x| re.find_iter(x).count()).sum();
        println!(
            "  {i:>2} {:<16} {n:>6} matches {:>8.2} MB/s",
            d.name,
            bytes as f64 / 1e6 / t.elapsed().as_secs_f64()
        );
    }
}
