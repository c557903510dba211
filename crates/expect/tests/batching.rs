//! Verdicts must not depend on how the data is cut into batches and chunks.

use datagate_dataset::{Dataset, ReadOptions};
use datagate_expect::{validate, Suite, ValidateOptions};

#[test]
fn aggregates_and_samples_are_the_same_for_any_batching() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.csv");
    let mut text = String::from("x,k,s\n");
    for i in 0..2000u64 {
        let x = ((i * 7919) % 1000) as f64 / 7.0 - 50.0;
        let x = if i % 97 == 0 {
            String::new()
        } else {
            format!("{x}")
        };
        text.push_str(&format!(
            "{x},{},{}\n",
            i % 13,
            if i % 5 == 0 { "bad" } else { "ok" }
        ));
    }
    std::fs::write(&path, text).unwrap();
    let suite = Suite::from_json(
        r#"{"name":"b","expectations":[
        {"type":"expect_column_mean_to_be_between","kwargs":{"column":"x","min_value":-100}},
        {"type":"expect_column_stdev_to_be_between","kwargs":{"column":"x","min_value":0}},
        {"type":"expect_column_sum_to_be_between","kwargs":{"column":"k","min_value":0}},
        {"type":"expect_column_median_to_be_between","kwargs":{"column":"x","min_value":-100}},
        {"type":"expect_column_values_to_be_unique","kwargs":{"column":"k"}},
        {"type":"expect_column_values_to_be_increasing","kwargs":{"column":"k"}},
        {"type":"expect_column_values_to_match_regex","kwargs":{"column":"s","regex":"^ok$"}}]}"#,
        "b.json",
    )
    .unwrap();
    let run = |batch_rows: usize, chunk_bytes: usize| {
        let options = ReadOptions {
            batch_rows,
            chunk_bytes,
            ..Default::default()
        };
        let ds = Dataset::open(&path, &options).unwrap();
        validate(&ds, &suite, &ValidateOptions::default()).unwrap()
    };
    let whole = run(1 << 16, 1 << 22);
    for (batch_rows, chunk_bytes) in [(7, 100), (64, 1000), (333, 5000)] {
        let cut = run(batch_rows, chunk_bytes);
        for (a, b) in whole.results.iter().zip(&cut.results) {
            let (x, y) = (&a.result, &b.result);
            let observed = |m: &serde_json::Map<String, serde_json::Value>| {
                m.get("observed_value").and_then(|v| v.as_f64())
            };
            if let (Some(p), Some(q)) = (observed(x), observed(y)) {
                assert!(
                    (p - q).abs() <= 1e-9 * p.abs().max(1.0),
                    "{}: {p} vs {q}",
                    a.kind()
                );
            } else {
                assert_eq!(x, y, "{} with batches of {batch_rows}", a.kind());
            }
        }
    }
}
