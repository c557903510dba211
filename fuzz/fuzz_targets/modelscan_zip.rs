//! Fuzz the zip parser of datagate-modelscan: any bytes must give findings, never a panic,
//! a hang or an allocation sized by an untrusted length field.
#![no_main]

use datagate_modelscan::{scan_bytes_with, Options, Parser};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = scan_bytes_with(Parser::Zip, data, &Options::default());
});
