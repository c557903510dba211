//! Fuzz format detection plus every parser behind it (the first byte picks a file-name hint).
#![no_main]

use datagate_modelscan::{scan_bytes, Options};
use libfuzzer_sys::fuzz_target;

const NAMES: &[&str] = &["m.pkl", "m.pt", "m.onnx", "m.safetensors", "m.gguf", "m.tar", "m.h5", "m.bin"];

fuzz_target!(|data: &[u8]| {
    let Some((&k, rest)) = data.split_first() else { return };
    let _ = scan_bytes(NAMES[k as usize % NAMES.len()], rest, &Options::default());
});
