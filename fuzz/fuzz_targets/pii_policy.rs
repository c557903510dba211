//! Policy files and tokens from arbitrary bytes: errors, never panics.
#![no_main]

use datagate_pii::keys::KeyFile;
use datagate_pii::policy::Policy;
use datagate_pii::transform::Transformer;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = Policy::parse(&text, "fuzz.toml");
    let t = Transformer::new(&KeyFile::from_bytes([1u8; 32]));
    let _ = t.reveal(&text);
    let _ = t.reveal(&format!("dgt1.{text}"));
});
