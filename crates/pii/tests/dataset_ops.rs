//! Dataset-level scan, scrub, reveal and k-anonymity on real files.

use std::path::{Path, PathBuf};

use datagate_dataset::ReadOptions;
use datagate_pii::classify::ColumnKind;
use datagate_pii::data::{check_k, reveal_column, scan_dataset, scrub_dataset, ScanConfig};
use datagate_pii::keys::KeyFile;
use datagate_pii::policy::Policy;
use datagate_pii::transform::Transformer;
use datagate_pii::Entity;

fn customers() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/peers/presidio/customers.csv")
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn structured_columns_are_one_finding_each_and_notes_are_spans() {
    let r = scan_dataset(&customers(), &ScanConfig::default()).unwrap();
    assert_eq!(r.rows, 200);
    let col = |n: &str| r.columns.iter().find(|c| c.class.column == n).unwrap();
    for (name, entity) in [
        ("email", Entity::EmailAddress),
        ("phone", Entity::PhoneNumber),
        ("card_number", Entity::CreditCard),
        ("ssn", Entity::UsSsn),
    ] {
        let c = col(name);
        assert_eq!(c.class.kind, ColumnKind::Structured, "{name}");
        assert_eq!(c.class.entity, Some(entity), "{name}");
        assert!(c.class.share >= 0.95, "{name}: share {}", c.class.share);
    }
    assert_eq!(col("name").class.kind, ColumnKind::Other);
    assert_eq!(col("zip").class.entity, None);
    // Spans are listed only for the non-structured columns (notes).
    assert!(!r.spans.is_empty());
    assert!(
        r.spans.iter().all(|s| s.column == "notes"),
        "{:?}",
        r.spans.first()
    );
    // Previews never show the whole value.
    assert!(r.spans.iter().all(|s| s.preview.contains('*')));
}

#[test]
fn scrub_then_reveal_round_trips_and_writes_atomically() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(
        dir.path(),
        "in.csv",
        "id,email,notes\n1,jane@example.com,call me on +44 20 7946 0958\n2,bob@corp.io,card 4111 1111 1111 1111 please\n3,,nothing here\n",
    );
    let policy = Policy::parse(
        "[entities]\nPHONE_NUMBER = \"mask:4\"\nCREDIT_CARD = \"redact\"\n[columns]\nemail = \"tokenise\"\nid = \"keep\"\n",
        "pii.toml",
    )
    .unwrap();
    let key = KeyFile::from_bytes([3u8; 32]);
    let t = Transformer::new(&key);
    for ext in ["csv", "jsonl", "parquet"] {
        let out = dir.path().join(format!("out.{ext}"));
        let s = scrub_dataset(&data, &out, &policy, &t, &ReadOptions::default()).unwrap();
        assert_eq!(s.rows, 3);
        assert_eq!(s.cells_changed, 4, "{ext}");
        assert_eq!(s.format, if ext == "jsonl" { "jsonl" } else { ext });
        // No temp file left behind.
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().contains(".tmp-"))
            .collect();
        assert!(leftovers.is_empty());
        let mut seen = Vec::new();
        let n = reveal_column(
            &out,
            "email",
            &t,
            &ReadOptions::default(),
            |row, v, was_token| seen.push((row, v.to_string(), was_token)),
        )
        .unwrap();
        assert_eq!(n, 2, "{ext}");
        assert_eq!(seen[0], (0, "jane@example.com".to_string(), true));
        assert_eq!(seen[1], (1, "bob@corp.io".to_string(), true));
        let wrong = Transformer::new(&KeyFile::from_bytes([4u8; 32]));
        let e = reveal_column(&out, "email", &wrong, &ReadOptions::default(), |_, _, _| {})
            .unwrap_err();
        assert!(e.to_string().contains("authentication failed"), "{e}");
    }
    let csv = std::fs::read_to_string(dir.path().join("out.csv")).unwrap();
    assert!(csv.contains("call me on +** ** **** 0958"), "{csv}");
    assert!(csv.contains("card [CREDIT_CARD] please"), "{csv}");
    assert!(!csv.contains("jane@example.com"));
}

#[test]
fn scrub_names_a_missing_column_and_leaves_no_output() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(dir.path(), "in.csv", "a,b\n1,2\n");
    let policy = Policy::parse("[columns]\nemail = \"redact\"\n", "p").unwrap();
    let out = dir.path().join("out.csv");
    let e = scrub_dataset(
        &data,
        &out,
        &policy,
        &Transformer::without_key(),
        &ReadOptions::default(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("no column `email`"), "{e}");
    assert!(!out.exists());
}

#[test]
fn check_k_on_the_customer_table() {
    let q = vec!["age".to_string(), "zip".to_string(), "sex".to_string()];
    let k = check_k(&customers(), &q, None, &ReadOptions::default()).unwrap();
    let r = k.report(5);
    assert_eq!(r.rows, 200);
    // Random 5-digit zips: every row is unique.
    assert_eq!(r.k, 1);
    assert_eq!(r.unique_share, 1.0);
    assert!(!r.passed);
    assert!(r.suggestions.iter().any(|s| s.contains("zip")));
    let e = check_k(
        &customers(),
        &["nope".to_string()],
        None,
        &ReadOptions::default(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("no column `nope`"));
}

#[test]
fn erase_rows_rewrites_only_matching_files() {
    use datagate_pii::data::erase_rows;
    let dir = tempfile::tempdir().unwrap();
    let data = write(
        dir.path(),
        "a.csv",
        "id,email\n1,jane@example.com\n2,bob@corp.io\n3,jane@example.com\n",
    );
    let m = |v: &str| v == "jane@example.com";
    let dry = erase_rows(&data, "email", &m, &ReadOptions::default(), true).unwrap();
    assert_eq!((dry.rows_before, dry.removed), (3, 2));
    assert!(std::fs::read_to_string(&data).unwrap().contains("jane"));
    let o = erase_rows(&data, "email", &m, &ReadOptions::default(), false).unwrap();
    assert_eq!(o.removed_rows, vec![0, 2]);
    assert_eq!(
        std::fs::read_to_string(&data).unwrap(),
        "id,email\n2,bob@corp.io\n"
    );
    let again = erase_rows(&data, "email", &m, &ReadOptions::default(), false).unwrap();
    assert_eq!(again.removed, 0);
}
