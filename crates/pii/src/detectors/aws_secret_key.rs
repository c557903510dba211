//! AWS secret access keys.
//!
//! **What it finds:** a 40-character base64 value assigned to an AWS key name
//! (`aws_secret_access_key = …`, `"AWS_SECRET_KEY": "…"`). A 40-character string
//! alone is not reported: SHA-1 hashes and other ids have the same shape.
//!
//! **Validation:** the value is exactly 40 characters of `[A-Za-z0-9/+]`, has
//! upper and lower case letters and a digit, and Shannon entropy of at least
//! 4.0 bits per character (random keys are near 5).

use super::{shannon_entropy, Candidate, Detector, Hit};
use crate::Entity;

/// The AWS secret key detector.
pub const DETECTOR: Detector = Detector {
    name: "aws_secret_key",
    entity: Entity::AwsSecretKey,
    patterns: &[
        r#"(?i-u:aws)[A-Za-z0-9_.-]*(?i-u:secret|sk)[A-Za-z0-9_.-]*["']?[ \t]*(?::|=|=>)[ \t]*["']?[A-Za-z0-9/+]{40}"#,
    ],
    context: &[],
    negative_context: &[],
    validate,
};

fn validate(c: &Candidate<'_>) -> Option<Hit> {
    if c.byte_after()
        .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'/' || b == b'+')
    {
        return None;
    }
    let start = c.end - 40;
    let value = &c.text[start..c.end];
    let has = |f: fn(&u8) -> bool| value.as_bytes().iter().any(f);
    if !(has(u8::is_ascii_uppercase) && has(u8::is_ascii_lowercase) && has(u8::is_ascii_digit)) {
        return None;
    }
    if shannon_entropy(value) < 4.0 {
        return None;
    }
    Some(Hit {
        start,
        end: c.end,
        score: 0.95,
        validation: "aws-key-name+entropy",
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::assert_found;
    use crate::Entity::AwsSecretKey as E;

    const KEY: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKY";

    #[test]
    fn true_positives() {
        assert_found(E, &format!("aws_secret_access_key = {KEY}"), &[KEY]);
        assert_found(E, &format!("\"AWS_SECRET_KEY\": \"{KEY}\""), &[KEY]);
    }

    #[test]
    fn near_misses() {
        // A SHA-1 next to an AWS name: no upper case, low entropy.
        assert_found(
            E,
            "aws_secret = da39a3ee5e6b4b0d3255bfef95601890afd80709",
            &[],
        );
        // The right shape without an AWS key name.
        assert_found(E, &format!("value {KEY}"), &[]);
    }
}
