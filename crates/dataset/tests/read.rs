//! End-to-end reading tests: every format, compression, chunk boundaries, bad input.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::{Array, Float64Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use datagate_dataset::{Batch, ColumnType, Dataset, DatasetError, Format, ReadOptions};

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn collect(ds: &Dataset) -> Vec<Batch> {
    let mut out = Vec::new();
    ds.scan(|b| {
        out.push(b);
        Ok::<_, DatasetError>(())
    })
    .unwrap();
    out
}

fn sample_csv(rows: usize) -> String {
    let mut s = String::from("id,amount,status\n");
    for i in 0..rows {
        let status = if i % 7 == 0 {
            "\"CLOSED,\nlate\""
        } else {
            "ACTIVE"
        };
        let amount = if i % 11 == 0 {
            String::from("NA")
        } else {
            format!("{}.5", i)
        };
        s.push_str(&format!("{i},{amount},{status}\n"));
    }
    s
}

/// Checks that rows come back in order with the right numbers, whatever the chunking.
fn check_rows(batches: &[Batch], rows: usize) {
    let mut expected_row = 0u64;
    for b in batches {
        assert_eq!(b.first_row, expected_row);
        let ids = b
            .data
            .column(0)
            .as_any()
            .downcast_ref::<Int64Array>()
            .unwrap();
        for i in 0..b.num_rows() {
            assert_eq!(ids.value(i) as u64, b.first_row + i as u64);
        }
        expected_row += b.num_rows() as u64;
    }
    assert_eq!(expected_row as usize, rows);
}

#[test]
fn csv_with_quoted_newlines_survives_any_chunking() {
    let dir = tempfile::tempdir().unwrap();
    let text = sample_csv(500);
    let path = write(dir.path(), "t.csv", text.as_bytes());
    for chunk_bytes in [1, 7, 64, 1000, 1 << 20] {
        let options = ReadOptions {
            chunk_bytes,
            batch_rows: 33,
            ..Default::default()
        };
        let ds = Dataset::open(&path, &options).unwrap();
        assert_eq!(ds.format(), Format::Csv);
        let types: Vec<_> = ds
            .schema()
            .fields()
            .iter()
            .map(|f| f.data_type().clone())
            .collect();
        assert_eq!(types, [DataType::Int64, DataType::Float64, DataType::Utf8]);
        let batches = collect(&ds);
        check_rows(&batches, 500);
        let nulls: usize = batches.iter().map(|b| b.data.column(1).null_count()).sum();
        assert_eq!(nulls, 500usize.div_ceil(11));
    }
}

#[test]
fn gzip_and_zstd_are_detected_by_magic() {
    let dir = tempfile::tempdir().unwrap();
    let text = sample_csv(300);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(text.as_bytes()).unwrap();
    let gz_path = write(dir.path(), "t.csv.gz", &gz.finish().unwrap());
    let zst = zstd::encode_all(text.as_bytes(), 1).unwrap();
    let zst_path = write(dir.path(), "data.bin", &zst);
    for path in [gz_path, zst_path] {
        let ds = Dataset::open(
            &path,
            &ReadOptions {
                chunk_bytes: 100,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(ds.format(), Format::Csv);
        check_rows(&collect(&ds), 300);
    }
}

#[test]
fn cells_that_do_not_parse_become_invalid_not_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "t.csv", b"id,n\n0,1\n1,2\n2,oops\n3,\n");
    let options = ReadOptions {
        infer_rows: 2,
        ..Default::default()
    };
    let ds = Dataset::open(&path, &options).unwrap();
    assert_eq!(ds.schema().field(1).data_type(), &DataType::Int64);
    let batches = collect(&ds);
    let invalid: Vec<_> = batches.iter().flat_map(|b| b.invalid.clone()).collect();
    assert_eq!(invalid.len(), 1);
    assert_eq!(
        (invalid[0].row, invalid[0].column, invalid[0].raw.as_str()),
        (2, 1, "oops")
    );
}

#[test]
fn type_overrides_apply() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "t.csv", b"zip,n\n01234,1\n99999,2\n");
    let options = ReadOptions {
        overrides: vec![("zip".into(), ColumnType::Utf8)],
        ..Default::default()
    };
    let ds = Dataset::open(&path, &options).unwrap();
    let b = &collect(&ds)[0];
    let zip = b
        .data
        .column(0)
        .as_any()
        .downcast_ref::<StringArray>()
        .unwrap();
    assert_eq!(zip.value(0), "01234");
    let bad = ReadOptions {
        overrides: vec![("nope".into(), ColumnType::Utf8)],
        ..Default::default()
    };
    let err = Dataset::open(&path, &bad).err().unwrap().to_string();
    assert!(err.contains("\"nope\""), "{err}");
}

fn sample_batch(rows: usize) -> RecordBatch {
    let schema = Schema::new(vec![
        Field::new("id", DataType::Int32, false),
        Field::new("amount", DataType::Float32, true),
        Field::new("status", DataType::Utf8, true),
    ]);
    RecordBatch::try_new(
        Arc::new(schema),
        vec![
            Arc::new(arrow_array::Int32Array::from_iter_values(0..rows as i32)),
            Arc::new(arrow_array::Float32Array::from_iter(
                (0..rows).map(|i| (i % 5 != 0).then_some(i as f32)),
            )),
            Arc::new(StringArray::from_iter_values(
                (0..rows).map(|i| format!("s{i}")),
            )),
        ],
    )
    .unwrap()
}

#[test]
fn parquet_row_groups_decode_in_order_and_normalise() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.parquet");
    let batch = sample_batch(1000);
    let props = parquet::file::properties::WriterProperties::builder()
        .set_max_row_group_row_count(Some(128))
        .build();
    let mut w = parquet::arrow::ArrowWriter::try_new(
        std::fs::File::create(&path).unwrap(),
        batch.schema(),
        Some(props),
    )
    .unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    let ds = Dataset::open(
        &path,
        &ReadOptions {
            batch_rows: 50,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(ds.format(), Format::Parquet);
    assert_eq!(ds.row_count_hint(), Some(1000));
    assert_eq!(ds.schema().field(0).data_type(), &DataType::Int64);
    let batches = collect(&ds);
    check_rows(&batches, 1000);
    let amounts = batches[0]
        .data
        .column(1)
        .as_any()
        .downcast_ref::<Float64Array>()
        .unwrap();
    assert!(amounts.is_null(0));

    // A truncated copy is a clear error, not a panic.
    let bytes = std::fs::read(&path).unwrap();
    let cut = write(dir.path(), "cut.parquet", &bytes[..bytes.len() / 2]);
    let err = Dataset::open(&cut, &ReadOptions::default())
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.contains("cut.parquet") && err.contains("Parquet"),
        "{err}"
    );
}

#[test]
fn arrow_ipc_file_and_stream() {
    let dir = tempfile::tempdir().unwrap();
    let batch = sample_batch(200);
    let file_path = dir.path().join("t.arrow");
    let mut w = arrow_ipc::writer::FileWriter::try_new(
        std::fs::File::create(&file_path).unwrap(),
        &batch.schema(),
    )
    .unwrap();
    w.write(&batch.slice(0, 120)).unwrap();
    w.write(&batch.slice(120, 80)).unwrap();
    w.finish().unwrap();
    let stream_path = dir.path().join("t.arrows");
    let mut w = arrow_ipc::writer::StreamWriter::try_new(
        std::fs::File::create(&stream_path).unwrap(),
        &batch.schema(),
    )
    .unwrap();
    w.write(&batch).unwrap();
    w.finish().unwrap();
    for path in [file_path, stream_path] {
        let ds = Dataset::open(&path, &ReadOptions::default()).unwrap();
        assert_eq!(ds.format(), Format::ArrowIpc);
        check_rows(&collect(&ds), 200);
    }
}

#[test]
fn json_lines_with_row_numbers_in_errors() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::new();
    for i in 0..250 {
        text.push_str(&format!("{{\"id\": {i}, \"name\": \"n{i}\"}}\n"));
    }
    let path = write(dir.path(), "t.jsonl", text.as_bytes());
    let ds = Dataset::open(
        &path,
        &ReadOptions {
            chunk_bytes: 300,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(ds.format(), Format::JsonLines);
    check_rows(&collect(&ds), 250);

    text.push_str("{\"id\": [1,2], \"name\": \"bad\"}\n");
    let path = write(dir.path(), "bad.jsonl", text.as_bytes());
    let ds = Dataset::open(
        &path,
        &ReadOptions {
            chunk_bytes: 300,
            infer_rows: 10,
            ..Default::default()
        },
    )
    .unwrap();
    let err = ds
        .scan(|_| Ok::<_, DatasetError>(()))
        .unwrap_err()
        .to_string();
    assert!(err.contains("bad.jsonl: row 250"), "{err}");
}

#[test]
fn structural_problems_name_file_row_and_byte() {
    let dir = tempfile::tempdir().unwrap();
    // A ragged row after the inference window is found by the scan.
    let mut text = String::from("a,b\n");
    for i in 0..100 {
        text.push_str(&format!("{i},{i}\n"));
    }
    let offset = text.len();
    text.push_str("1,2,3\n");
    let path = write(dir.path(), "ragged.csv", text.as_bytes());
    let ds = Dataset::open(
        &path,
        &ReadOptions {
            infer_rows: 10,
            chunk_bytes: 64,
            ..Default::default()
        },
    )
    .unwrap();
    let err = ds
        .scan(|_| Ok::<_, DatasetError>(()))
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        format!(
            "{}: row 100 (byte {offset}): expected 2 fields as in the header, found 3",
            path.display()
        )
    );

    let path = write(dir.path(), "utf8.csv", b"a,b\n1,ok\n2,\xff\xfe\n");
    let ds = Dataset::open(&path, &ReadOptions::default()).unwrap();
    let err = ds
        .scan(|_| Ok::<_, DatasetError>(()))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("utf8.csv: row 1 (byte 9): invalid UTF-8 in column b"),
        "{err}"
    );

    let path = write(dir.path(), "empty.csv", b"");
    let err = Dataset::open(&path, &ReadOptions::default())
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("empty.csv: the file is empty"), "{err}");

    let err = Dataset::open(dir.path(), &ReadOptions::default())
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("is a directory"), "{err}");

    let err = Dataset::open(dir.path().join("missing.csv"), &ReadOptions::default())
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("missing.csv"), "{err}");
}

#[test]
fn header_only_file_has_columns_and_no_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "h.csv", b"a,b\n");
    let ds = Dataset::open(&path, &ReadOptions::default()).unwrap();
    assert_eq!(ds.schema().fields().len(), 2);
    let summary = ds.scan(|_| Ok::<_, DatasetError>(())).unwrap();
    assert_eq!(summary.rows, 0);
}

#[test]
fn projection_decodes_only_the_asked_columns() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "p.csv", b"a,b,c\n1,x,1.5\n2,y,oops\n");
    let ds = Dataset::open(
        &path,
        &ReadOptions {
            infer_rows: 1,
            ..Default::default()
        },
    )
    .unwrap();
    let mut seen = Vec::new();
    ds.scan_columns(Some(&[2, 0]), |b| {
        seen.push(b);
        Ok::<_, DatasetError>(())
    })
    .unwrap();
    let b = &seen[0];
    assert_eq!(b.data.num_columns(), 2);
    assert_eq!(b.data.schema().field(0).name(), "c");
    assert_eq!(b.invalid.len(), 1);
    assert_eq!(
        (b.invalid[0].row, b.invalid[0].column),
        (1, 0),
        "invalid cells index the projected columns"
    );

    let pq = dir.path().join("p.parquet");
    let batch = sample_batch(300);
    let mut w = parquet::arrow::ArrowWriter::try_new(
        std::fs::File::create(&pq).unwrap(),
        batch.schema(),
        None,
    )
    .unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    let ds = Dataset::open(&pq, &ReadOptions::default()).unwrap();
    let mut cols = Vec::new();
    ds.scan_columns(Some(&[2]), |b| {
        cols.push(b.data.num_columns());
        Ok::<_, DatasetError>(())
    })
    .unwrap();
    assert!(cols.iter().all(|n| *n == 1));
    assert!(ds
        .scan_columns(Some(&[9]), |_| Ok::<_, DatasetError>(()))
        .is_err());
}
