//! AWS access key ids.
//!
//! **What it finds:** `AKIA…`, `ASIA…` (temporary), `ABIA`, `ACCA` and `A3T…`
//! prefixes followed by 16 base32 characters (gitleaks' rule).
//!
//! **Validation:** the 16 characters after the prefix must be AWS's base32
//! alphabet (A–Z, 2–7), and the id must not continue a longer word.

use super::{is_word_byte, Candidate, Detector, Hit};
use crate::Entity;

/// The AWS access key id detector.
pub const DETECTOR: Detector = Detector {
    name: "aws_access_key",
    entity: Entity::AwsAccessKey,
    patterns: &[r"(?-u:\b)(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}(?-u:\b)"],
    context: &[],
    negative_context: &[],
    validate,
};

fn validate(c: &Candidate<'_>) -> Option<Hit> {
    if c.byte_after().is_some_and(is_word_byte) {
        return None;
    }
    c.hit(0.95, "prefix+base32")
}

#[cfg(test)]
mod tests {
    use super::super::testing::assert_found;
    use crate::Entity::AwsAccessKey as E;

    #[test]
    fn true_positives() {
        assert_found(
            E,
            "aws_access_key_id = AKIAZ3MXQ7HQWERT2345",
            &["AKIAZ3MXQ7HQWERT2345"],
        );
        assert_found(E, "\"ASIAY34FZKBOKMUTVV7A\"", &["ASIAY34FZKBOKMUTVV7A"]);
    }

    #[test]
    fn near_misses() {
        // 0, 1, 8, 9 are not base32.
        assert_found(E, "AKIA0000111188889999", &[]);
        // Too short / too long.
        assert_found(E, "AKIAZ3MXQ7HQWERT234", &[]);
        assert_found(E, "AKIAZ3MXQ7HQWERT23456", &[]);
    }
}
