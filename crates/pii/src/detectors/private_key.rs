//! Private key blocks.
//!
//! **What it finds:** PEM/OpenSSH private keys: `-----BEGIN … PRIVATE KEY-----`
//! through the matching `-----END … PRIVATE KEY-----` (RSA, EC, DSA, OPENSSH,
//! ENCRYPTED, PGP PRIVATE KEY BLOCK).
//!
//! **Validation:** the body between the markers must hold at least 40 base64
//! characters (so a documentation stub `BEGIN PRIVATE KEY … END` is not a key).

use super::{Candidate, Detector, Hit};
use crate::Entity;

/// The private key detector.
pub const DETECTOR: Detector = Detector {
    name: "private_key",
    entity: Entity::PrivateKey,
    patterns: &[
        r"-----BEGIN[ A-Z0-9]{0,20} PRIVATE KEY(?: BLOCK)?-----[A-Za-z0-9+/=\s:,.\\-]{40,}?-----END[ A-Z0-9]{0,20} PRIVATE KEY(?: BLOCK)?-----",
    ],
    context: &[],
    negative_context: &[],
    validate,
};

fn validate(c: &Candidate<'_>) -> Option<Hit> {
    let s = c.as_str();
    let body_start = s.find("-----\n").or_else(|| s.find("-----"))? + 5;
    let body_end = s.rfind("-----END")?;
    let body = s.get(body_start..body_end)?;
    let b64 = body
        .bytes()
        .filter(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
        .count();
    if b64 < 40 {
        return None;
    }
    c.hit(1.0, "pem-markers+base64-body")
}

#[cfg(test)]
mod tests {
    use super::super::testing::found;
    use crate::Entity::PrivateKey as E;

    #[test]
    fn true_positives() {
        let key = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA7bq3jZ0m4Q2mYkq0sKx8V4Jk1Vd0p8s4lJm1f9p2fJk3QbW\nq8Xc0b1aZz9k=\n-----END RSA PRIVATE KEY-----";
        let text = format!("config:\n{key}\nend");
        assert_eq!(found(E, &text), vec![key.to_string()]);
        let ssh = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----";
        assert_eq!(found(E, ssh), vec![ssh.to_string()]);
    }

    #[test]
    fn near_misses() {
        assert!(found(
            E,
            "-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----"
        )
        .is_empty());
        assert!(found(E, "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA7bq3jZ0m4Q\n-----END PUBLIC KEY-----").is_empty());
        assert!(found(E, "-----BEGIN RSA PRIVATE KEY----- truncated").is_empty());
    }
}
