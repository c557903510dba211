//! US social security numbers.
//!
//! **What it finds:** `123-45-6789`, `123 45 6789`, and nine bare digits (the last
//! only next to a context word such as "SSN").
//!
//! **Validation:** one separator style; area not 000, 666 or 900–999; group not
//! 00; serial not 0000; not all one digit; not a number published as an example
//! (078-05-1120, 219-09-9999, 123-45-6789). Delimited numbers score 0.6, bare
//! digits 0.3; "ssn" / "social security" nearby adds 0.35.

use super::{Candidate, Detector, Hit};
use crate::Entity;

/// The SSN detector.
pub const DETECTOR: Detector = Detector {
    name: "us_ssn",
    entity: Entity::UsSsn,
    patterns: &[r"(?-u:\b)[0-9]{3}[- ]?[0-9]{2}[- ]?[0-9]{4}(?-u:\b)"],
    context: &[
        "ssn",
        "social security",
        "social-security",
        "ssns",
        "ss#",
        "taxpayer",
    ],
    negative_context: &["order", "invoice", "phone", "tel", "tracking", "zip"],
    validate,
};

const EXAMPLES: &[&str] = &["078051120", "219099999", "123456789"];

fn validate(c: &Candidate<'_>) -> Option<Hit> {
    let s = c.as_str();
    if matches!(c.byte_before(), Some(b'-' | b'+' | b'.' | b'/'))
        || matches!(c.byte_after(), Some(b'-' | b'/'))
        || (c.byte_after() == Some(b'.')
            && c.text
                .as_bytes()
                .get(c.end + 1)
                .is_some_and(u8::is_ascii_digit))
    {
        return None;
    }
    if c.continues_digit_run() {
        return None;
    }
    let seps: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_digit()).collect();
    let delimited = match seps.len() {
        0 => false,
        2 if seps[0] == seps[1] => true,
        _ => return None,
    };
    let d: Vec<u8> = s.bytes().filter(u8::is_ascii_digit).collect();
    let area = &d[0..3];
    if area == b"000" || area == b"666" || area[0] == b'9' {
        return None;
    }
    if &d[3..5] == b"00" || &d[5..9] == b"0000" || d.iter().all(|&x| x == d[0]) {
        return None;
    }
    if EXAMPLES.iter().any(|e| e.as_bytes() == d.as_slice()) {
        return None;
    }
    if delimited {
        c.hit(0.6, "area-group-serial")
    } else {
        c.hit(0.3, "area-group-serial")
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::assert_found;
    use crate::Entity::UsSsn as E;

    #[test]
    fn true_positives() {
        assert_found(E, "SSN: 536-22-1947", &["536-22-1947"]);
        assert_found(E, "social security number 536 22 1947", &["536 22 1947"]);
        assert_found(E, "ssn 536221947", &["536221947"]);
        assert_found(E, "id 536-22-1947 on file", &["536-22-1947"]);
    }

    #[test]
    fn near_misses() {
        assert_found(E, "SSN: 666-22-1947", &[]);
        assert_found(E, "SSN: 000-22-1947", &[]);
        assert_found(E, "SSN: 936-22-1947", &[]);
        assert_found(E, "SSN: 536-00-1947", &[]);
        assert_found(E, "SSN: 536-22-0000", &[]);
        assert_found(E, "SSN: 078-05-1120", &[]);
        assert_found(E, "SSN: 536-22 1947", &[]);
        // Bare digits without context stay below the threshold.
        assert_found(E, "order 536221947 shipped", &[]);
    }
}
