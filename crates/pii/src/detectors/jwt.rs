//! JSON Web Tokens.
//!
//! **What it finds:** compact JWS tokens `header.payload.signature` where header
//! and payload are base64url JSON objects (`eyJ…`).
//!
//! **Validation:** the header must decode (base64url) to a JSON object with an
//! `alg` field. A token that decodes scores 0.95.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use super::{Candidate, Detector, Hit};
use crate::Entity;

/// The JWT detector.
pub const DETECTOR: Detector = Detector {
    name: "jwt",
    entity: Entity::Jwt,
    patterns: &[r"(?-u:\b)eyJ[A-Za-z0-9_-]{6,}\.eyJ[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{10,}"],
    context: &[],
    negative_context: &[],
    validate,
};

fn validate(c: &Candidate<'_>) -> Option<Hit> {
    let s = c.as_str();
    let header = s.split('.').next()?;
    if header.len() > 4096 {
        return None;
    }
    let bytes = URL_SAFE_NO_PAD.decode(header.trim_end_matches('=')).ok()?;
    let json: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    json.as_object()?.get("alg")?;
    c.hit(0.95, "base64url-json-header")
}

#[cfg(test)]
mod tests {
    use super::super::testing::assert_found;
    use crate::Entity::Jwt as E;

    const TOKEN: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";

    #[test]
    fn true_positives() {
        assert_found(E, &format!("Authorization: Bearer {TOKEN}"), &[TOKEN]);
    }

    #[test]
    fn near_misses() {
        // Header is not JSON with alg.
        assert_found(
            E,
            "eyJmb28iOiJiYXIifQ.eyJzdWIiOiIxMjM0In0.abcdefghijklmnop",
            &[],
        );
        assert_found(E, "eyJ!!!.eyJ.abc", &[]);
    }
}
