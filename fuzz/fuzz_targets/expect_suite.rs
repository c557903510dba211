//! The suite loaders (GX JSON, TOML) and the compile step on arbitrary bytes: any
//! document must load or give an error, and a loaded suite must bind to a schema or
//! give an error. Any panic is a bug.
#![no_main]

use std::sync::Arc;

use arrow_schema::{DataType, Field, Schema};
use datagate_expect::Suite;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let schema = Arc::new(Schema::new(vec![
        Field::new("a", DataType::Int64, true),
        Field::new("b", DataType::Utf8, true),
        Field::new("c", DataType::Float64, true),
    ]));
    for suite in [Suite::from_json(text, "fuzz.json"), Suite::from_toml(text, "fuzz.toml")].into_iter().flatten() {
        let _ = datagate_expect::engine::compile_for_fuzzing(&suite, &schema);
    }
});
