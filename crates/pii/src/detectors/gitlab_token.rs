//! GitLab tokens.
//!
//! **What it finds:** personal, project and group access tokens `glpat-` + 20 or
//! more characters, plus `glptt-` (pipeline trigger), `gldt-` (deploy) and
//! `glrt-` (runner) tokens.
//!
//! **Validation:** prefix and length; the token must not continue a longer word.

use super::{is_word_byte, Candidate, Detector, Hit};
use crate::Entity;

/// The GitLab token detector.
pub const DETECTOR: Detector = Detector {
    name: "gitlab_token",
    entity: Entity::GitlabToken,
    patterns: &[r"(?-u:\b)(?:glpat|glptt|gldt|glrt)-[A-Za-z0-9_-]{20,}"],
    context: &[],
    negative_context: &[],
    validate,
};

fn validate(c: &Candidate<'_>) -> Option<Hit> {
    if c.byte_after().is_some_and(|b| is_word_byte(b) || b == b'-') {
        return None;
    }
    c.hit(0.95, "prefix+length")
}

#[cfg(test)]
mod tests {
    use super::super::testing::assert_found;
    use crate::Entity::GitlabToken as E;

    #[test]
    fn true_positives() {
        assert_found(
            E,
            "token glpat-xK3pR8sT2vW9yZ1aB4cD ok",
            &["glpat-xK3pR8sT2vW9yZ1aB4cD"],
        );
    }

    #[test]
    fn near_misses() {
        assert_found(E, "glpat-short", &[]);
        assert_found(E, "myglpat-xK3pR8sT2vW9yZ1aB4cD", &[]);
    }
}
