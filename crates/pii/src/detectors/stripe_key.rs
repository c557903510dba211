//! Stripe secret and restricted keys.
//!
//! **What it finds:** `sk_live_`, `sk_test_`, `rk_live_`, `rk_test_` followed by
//! 24 or more alphanumerics. Publishable keys (`pk_…`) are meant to be public
//! and are not reported.
//!
//! **Validation:** prefix and length; live keys score 1.0, test keys 0.8.

use super::{is_word_byte, Candidate, Detector, Hit};
use crate::Entity;

/// The Stripe key detector.
pub const DETECTOR: Detector = Detector {
    name: "stripe_key",
    entity: Entity::StripeKey,
    patterns: &[r"(?-u:\b)[sr]k_(?:live|test)_[0-9A-Za-z]{24,}"],
    context: &[],
    negative_context: &[],
    validate,
};

fn validate(c: &Candidate<'_>) -> Option<Hit> {
    if c.byte_after().is_some_and(is_word_byte) {
        return None;
    }
    if c.as_str()[3..].starts_with("live") {
        c.hit(1.0, "prefix+length")
    } else {
        c.hit(0.8, "prefix+length")
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::assert_found;
    use crate::Entity::StripeKey as E;

    #[test]
    fn true_positives() {
        assert_found(
            E,
            "STRIPE=sk_live_4eC39HqLyjWDarjtT1zdp7dc9x",
            &["sk_live_4eC39HqLyjWDarjtT1zdp7dc9x"],
        );
        assert_found(
            E,
            "rk_test_51HxYzAbCdEfGhIjKlMnOpQr.",
            &["rk_test_51HxYzAbCdEfGhIjKlMnOpQr"],
        );
    }

    #[test]
    fn near_misses() {
        assert_found(E, "pk_live_4eC39HqLyjWDarjtT1zdp7dc", &[]);
        assert_found(E, "sk_live_short", &[]);
    }
}
