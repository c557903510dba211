//! OpenAI-style API keys.
//!
//! **What it finds:** `sk-…T3BlbkFJ…` keys (the marker is base64 for "OpenAI"),
//! including `sk-proj-`, `sk-svcacct-` and `sk-admin-` keys, and legacy keys of
//! `sk-` + 48 alphanumerics.
//!
//! **Validation:** keys with the `T3BlbkFJ` marker score 1.0; legacy 48-character
//! keys need mixed case and digits and score 0.75.

use super::{is_word_byte, Candidate, Detector, Hit};
use crate::Entity;

/// The OpenAI-style key detector.
pub const DETECTOR: Detector = Detector {
    name: "openai_key",
    entity: Entity::OpenaiKey,
    patterns: &[
        r"(?-u:\b)sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{16,}T3BlbkFJ[A-Za-z0-9_-]{16,}",
        r"(?-u:\b)sk-[A-Za-z0-9]{48}(?-u:\b)",
    ],
    context: &[],
    negative_context: &[],
    validate,
};

fn validate(c: &Candidate<'_>) -> Option<Hit> {
    if c.byte_after().is_some_and(|b| is_word_byte(b) || b == b'-') {
        return None;
    }
    let s = c.as_str();
    if s.contains("T3BlbkFJ") {
        return c.hit(1.0, "prefix+marker");
    }
    let body = &s[3..];
    let mixed = body.bytes().any(|b| b.is_ascii_uppercase())
        && body.bytes().any(|b| b.is_ascii_lowercase())
        && body.bytes().any(|b| b.is_ascii_digit());
    if mixed {
        c.hit(0.75, "prefix+length")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::assert_found;
    use crate::Entity::OpenaiKey as E;

    #[test]
    fn true_positives() {
        let k = "sk-proj-Ab12Cd34Ef56Gh78Ij90T3BlbkFJKl12Mn34Op56Qr78St90";
        assert_found(E, &format!("OPENAI_API_KEY={k}"), &[k]);
        let legacy = "sk-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789AbCdEfGhIjKl";
        assert_found(E, legacy, &[legacy]);
    }

    #[test]
    fn near_misses() {
        assert_found(
            E,
            "sk-abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuv",
            &[],
        );
        assert_found(
            E,
            "task-Ab12Cd34Ef56Gh78Ij90T3BlbkFJKl12Mn34Op56Qr78St90",
            &[],
        );
    }
}
