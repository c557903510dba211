//! Slack tokens and webhooks.
//!
//! **What it finds:** bot, user, app and refresh tokens (`xoxb-`, `xoxp-`,
//! `xoxa-`, `xoxr-`, `xoxs-`, `xoxe-`, `xapp-`) and incoming-webhook URLs
//! (`https://hooks.slack.com/services/T…/B…/…`).
//!
//! **Validation:** bot and user tokens must have their numeric team/user parts
//! (`xoxb-<digits>-<digits>-<secret>`); other prefixes need 20+ characters.

use super::{Candidate, Detector, Hit};
use crate::Entity;

/// The Slack token detector.
pub const DETECTOR: Detector = Detector {
    name: "slack_token",
    entity: Entity::SlackToken,
    patterns: &[
        r"(?-u:\b)xox[bpaers]-[0-9A-Za-z-]{20,}",
        r"(?-u:\b)xapp-[0-9]-[A-Z0-9]+-[0-9]+-[a-z0-9]{20,}",
        r"https://hooks\.slack\.com/(?:services|workflows)/T[A-Z0-9]{6,}/[AB][A-Z0-9]{6,}/[A-Za-z0-9]{16,}",
    ],
    context: &[],
    negative_context: &[],
    validate,
};

fn validate(c: &Candidate<'_>) -> Option<Hit> {
    let s = c.as_str();
    if s.starts_with("xoxb-") || s.starts_with("xoxp-") {
        let parts: Vec<&str> = s.split('-').collect();
        let numeric = parts
            .iter()
            .skip(1)
            .take(2)
            .filter(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
            .count();
        if parts.len() < 4 || numeric < 2 {
            return None;
        }
    }
    c.hit(0.95, "prefix+shape")
}

#[cfg(test)]
mod tests {
    use super::super::testing::assert_found;
    use crate::Entity::SlackToken as E;

    #[test]
    fn true_positives() {
        assert_found(
            E,
            "SLACK_BOT_TOKEN=xoxb-2948571234-5823947102938-AbCdEfGhIjKlMnOpQrStUvWx",
            &["xoxb-2948571234-5823947102938-AbCdEfGhIjKlMnOpQrStUvWx"],
        );
        assert_found(
            E,
            "post to https://hooks.slack.com/services/T0123ABCD/B0456EFGH/aBcDeFgHiJkLmNoPqRsTuVwX now",
            &["https://hooks.slack.com/services/T0123ABCD/B0456EFGH/aBcDeFgHiJkLmNoPqRsTuVwX"],
        );
    }

    #[test]
    fn near_misses() {
        assert_found(E, "xoxb-not-a-real-token-at-all-here", &[]);
        assert_found(E, "xoxb-123", &[]);
    }
}
