//! The mergeability property: profiling shards and merging equals profiling the whole,
//! exactly for counts/min/max/mean/variance/exact values/frequent items (below their
//! capacity), within the documented error for KLL quantiles and HLL distinct counts.

use std::sync::Arc;

use arrow_array::{ArrayRef, BooleanArray, Float64Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use datagate_profile::Profile;
use proptest::prelude::*;

fn schema() -> Arc<Schema> {
    Arc::new(Schema::new(vec![
        Field::new("f", DataType::Float64, true),
        Field::new("i", DataType::Int64, true),
        Field::new("s", DataType::Utf8, true),
        Field::new("b", DataType::Boolean, true),
    ]))
}

type Row = (Option<f64>, Option<i64>, Option<String>, Option<bool>);

fn batch(rows: &[Row]) -> RecordBatch {
    let f: ArrayRef = Arc::new(Float64Array::from(
        rows.iter().map(|r| r.0).collect::<Vec<_>>(),
    ));
    let i: ArrayRef = Arc::new(Int64Array::from(
        rows.iter().map(|r| r.1).collect::<Vec<_>>(),
    ));
    let s: ArrayRef = Arc::new(StringArray::from(
        rows.iter().map(|r| r.2.clone()).collect::<Vec<_>>(),
    ));
    let b: ArrayRef = Arc::new(BooleanArray::from(
        rows.iter().map(|r| r.3).collect::<Vec<_>>(),
    ));
    RecordBatch::try_new(schema(), vec![f, i, s, b]).unwrap()
}

fn profile(rows: &[Row]) -> Profile {
    let mut p = Profile::new(&schema());
    for chunk in rows.chunks(97) {
        p.update(&batch(chunk)).unwrap();
    }
    p
}

fn row() -> impl Strategy<Value = Row> {
    (
        prop::option::weighted(
            0.9,
            prop_oneof![8 => -1e6f64..1e6, 1 => Just(f64::NAN), 1 => Just(f64::INFINITY)],
        ),
        prop::option::weighted(0.9, -50i64..50),
        prop::option::weighted(0.8, "[a-e]{0,3}"),
        prop::option::of(any::<bool>()),
    )
}

fn rel_close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * a.abs().max(b.abs()).max(1.0)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn merged_shards_equal_whole(rows in prop::collection::vec(row(), 1..3000), cuts in prop::collection::vec(0.0f64..1.0, 0..5)) {
        let whole = profile(&rows);
        let mut idx: Vec<usize> = cuts.iter().map(|c| (c * rows.len() as f64) as usize).collect();
        idx.push(0);
        idx.push(rows.len());
        idx.sort();
        let mut merged: Option<Profile> = None;
        for w in idx.windows(2) {
            let p = profile(&rows[w[0]..w[1]]);
            match merged.as_mut() {
                None => merged = Some(p),
                Some(m) => m.merge(&p).unwrap(),
            }
        }
        // And through the JSON file format.
        let merged = Profile::from_json(&merged.unwrap().to_json().unwrap()).unwrap();
        prop_assert_eq!(merged.row_count, whole.row_count);
        for (a, b) in merged.columns.iter().zip(&whole.columns) {
            prop_assert_eq!(&a.name, &b.name);
            prop_assert_eq!(a.count, b.count);
            prop_assert_eq!(a.null_count, b.null_count);
            prop_assert_eq!(a.nan_count, b.nan_count);
            prop_assert_eq!(a.inf_count, b.inf_count);
            prop_assert_eq!(a.types, b.types);
            prop_assert_eq!(a.moments.count, b.moments.count);
            if b.moments.count > 0 {
                prop_assert_eq!(a.moments.min, b.moments.min);
                prop_assert_eq!(a.moments.max, b.moments.max);
                prop_assert!(rel_close(a.moments.mean, b.moments.mean, 1e-9), "mean {} vs {}", a.moments.mean, b.moments.mean);
                prop_assert!(rel_close(a.moments.m2, b.moments.m2, 1e-9), "m2 {} vs {}", a.moments.m2, b.moments.m2);
            }
            prop_assert_eq!(a.lengths, b.lengths);
            // exact values: same multiset
            match (&a.exact_values, &b.exact_values) {
                (Some(x), Some(y)) => {
                    let mut x = x.clone(); let mut y = y.clone();
                    x.sort_by(f64::total_cmp); y.sort_by(f64::total_cmp);
                    prop_assert_eq!(x, y);
                }
                (None, None) => {}
                _ => prop_assert!(false, "exact values kept on one side only"),
            }
            // frequent items: below capacity, exact and equal; above, the undercount
            // bound holds against the whole's counts (which are exact or bounded too)
            if b.frequent_max_error() == 0 {
                prop_assert_eq!(a.frequent_max_error(), 0);
                prop_assert_eq!(a.frequent_items(), b.frequent_items());
            } else {
                let total = a.frequent_num.total() + a.frequent_str.total();
                prop_assert!(a.frequent_max_error() <= total / 1025 + 5, "mg error {} of {}", a.frequent_max_error(), total);
            }
            // HLL: small cardinalities are exact-ish; allow the documented ~2 RSE
            let (ea, eb) = (a.distinct.estimate(), b.distinct.estimate());
            prop_assert!((ea - eb).abs() <= 0.05 * eb.max(1.0) + 1.0, "hll {} vs {}", ea, eb);
            // KLL: the merged median's true rank is within 2x the rank error of 0.5
            if a.moments.count > 0 {
                let mut vals: Vec<f64> = rows.iter().filter_map(|r| match a.name.as_str() {
                    "f" => r.0.filter(|v| v.is_finite()),
                    "i" => r.1.map(|v| v as f64),
                    _ => None,
                }).collect();
                if !vals.is_empty() {
                    vals.sort_by(f64::total_cmp);
                    let q = a.quantiles.quantiles(&[0.5])[0];
                    let rank = vals.partition_point(|v| *v <= q) as f64 / vals.len() as f64;
                    let lo = vals.partition_point(|v| *v < q) as f64 / vals.len() as f64;
                    let eps = 2.0 * a.quantiles.rank_error();
                    prop_assert!(lo - eps <= 0.5 && 0.5 <= rank + eps, "median rank [{lo}, {rank}] eps {eps}");
                }
            }
        }
    }
}

#[test]
fn newer_version_and_foreign_files_are_rejected() {
    let p = profile(&[(Some(1.0), Some(1), Some("a".into()), Some(true))]);
    let json = p.to_json().unwrap();
    let newer = json.replacen("\"version\": 1", "\"version\": 99", 1);
    let e = Profile::from_json(&newer).unwrap_err().to_string();
    assert!(e.contains("version 99"), "{e}");
    assert!(Profile::from_json("{\"a\": 1}")
        .unwrap_err()
        .to_string()
        .contains("not a datagate profile"));
    assert!(Profile::from_json("garbage").is_err());
    let corrupt = json.replacen("\"null_count\": 0", "\"null_count\": 5", 1);
    assert!(Profile::from_json(&corrupt)
        .unwrap_err()
        .to_string()
        .contains("null_count"));
}

#[test]
fn sketches_stay_bounded_over_many_rows() {
    // 200k distinct floats: exact values dropped, frequent items bounded, sketches small.
    let rows: Vec<Row> = (0..200_000)
        .map(|i| {
            (
                Some(i as f64 * 0.5),
                Some(i % 7),
                Some(format!("k{}", i % 3000)),
                None,
            )
        })
        .collect();
    let p = profile(&rows);
    let f = p.column("f").unwrap();
    assert!(f.exact_values.is_none());
    assert!(f.frequent_items().len() <= 1024);
    let d = f.distinct.estimate();
    assert!((d - 200_000.0).abs() / 200_000.0 < 0.05, "{d}");
    let med = f.quantiles.quantiles(&[0.5])[0];
    assert!((med / 100_000.0 - 0.5).abs() < 0.02 + 0.5, "{med}");
    assert!((med - 50_000.0).abs() / 100_000.0 < 0.02, "{med}");
    let i = p.column("i").unwrap();
    assert_eq!(i.frequent_max_error(), 0);
    assert_eq!(i.frequent_items().len(), 7);
    assert!(p.to_json().unwrap().len() < 200_000);
    let s = p.column("s").unwrap();
    assert!(
        s.frequent_max_error() > 0,
        "3000 distinct strings overflow 1024 counters"
    );
    assert!(s.frequent_max_error() <= 200_000 / 1025 + 1);
}
