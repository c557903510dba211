//! The CSV path on arbitrary bytes: header + type inference, record-aligned chunking
//! (tiny chunks, so every boundary case is reached) and typed decoding. Any panic is a bug.
#![no_main]

use std::path::Path;

use datagate_dataset::csv::{self, cell::NullTokens, chunker::Chunker, decode::Decoder};
use datagate_dataset::ReadOptions;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let options = ReadOptions { infer_rows: 50, ..Default::default() };
    let Ok(layout) = csv::learn_layout(Path::new("fuzz.csv"), data, &options) else { return };
    let Ok((rest, stream, offset)) = csv::skip_header(Path::new("fuzz.csv"), data, &layout, true) else { return };
    let decoder = Decoder {
        schema: layout.schema(),
        types: layout.types.clone(),
        keep: (data.len() % 2 == 0).then(|| (0..layout.types.len()).rev().collect()),
        nulls: NullTokens::new(&options.null_values),
        delimiter: layout.delimiter,
        batch_rows: 7,
    };
    let target = 1 + data.first().copied().unwrap_or(0) as usize % 64;
    let mut chunker = Chunker::new(stream, rest, offset, target);
    while let Ok(Some(chunk)) = chunker.next_chunk() {
        if let Ok(out) = decoder.decode(&chunk.bytes) {
            let rows: usize = out.batches.iter().map(|(b, _)| b.num_rows()).sum();
            assert_eq!(rows as u64, out.rows);
        }
    }
});
