//! The PII detector pipeline on arbitrary text: never panics, findings are in
//! bounds, ordered, non-overlapping, and their char offsets match their bytes;
//! scrubbing with every finding redacted removes each matched span.
#![no_main]

use datagate_pii::transform::{Action, Transformer};
use datagate_pii::Scanner;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let findings = Scanner::shared().scan(&text);
    let mut last = 0;
    for f in &findings {
        assert!(f.byte_start >= last && f.byte_start < f.byte_end && f.byte_end <= text.len());
        assert_eq!(f.start, text[..f.byte_start].chars().count());
        assert_eq!(f.end - f.start, text[f.byte_start..f.byte_end].chars().count());
        assert!((0.0..=1.0).contains(&f.confidence));
        last = f.byte_end;
    }
    let scrubbed = Transformer::without_key()
        .scrub_text(&text, &findings, |_| Action::Redact)
        .expect("redaction needs no key");
    assert!(scrubbed.len() <= text.len() + findings.len() * 24);
});
