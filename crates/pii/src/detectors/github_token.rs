//! GitHub tokens.
//!
//! **What it finds:** classic tokens `ghp_`/`gho_`/`ghu_`/`ghs_`/`ghr_` + 36
//! characters, and fine-grained `github_pat_` + 82 characters.
//!
//! **Validation:** classic tokens end in a CRC-32 checksum of their 30 random
//! characters written as 6 base62 digits; a passing checksum scores 1.0, a
//! token of the right shape whose checksum fails (an old or made-up token)
//! scores 0.7.

use super::{is_word_byte, Candidate, Detector, Hit};
use crate::Entity;

/// The GitHub token detector.
pub const DETECTOR: Detector = Detector {
    name: "github_token",
    entity: Entity::GithubToken,
    patterns: &[
        r"(?-u:\b)gh[pousr]_[A-Za-z0-9]{36}(?-u:\b)",
        r"(?-u:\b)github_pat_[A-Za-z0-9_]{82}(?-u:\b)",
    ],
    context: &[],
    negative_context: &[],
    validate,
};

/// CRC-32 (IEEE) of `data`.
pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

/// `n` in base62 (0-9A-Za-z), left-padded with `0` to 6 digits.
pub fn base62_6(mut n: u32) -> [u8; 6] {
    const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut out = [b'0'; 6];
    for slot in out.iter_mut().rev() {
        *slot = ALPHABET[(n % 62) as usize];
        n /= 62;
    }
    out
}

fn validate(c: &Candidate<'_>) -> Option<Hit> {
    if c.byte_after().is_some_and(is_word_byte) {
        return None;
    }
    let s = c.as_str().as_bytes();
    if s.starts_with(b"github_pat_") {
        return c.hit(0.95, "prefix+length");
    }
    let body = &s[4..];
    if body[30..] == base62_6(crc32(&body[..30])) {
        c.hit(1.0, "prefix+crc32")
    } else {
        c.hit(0.7, "prefix+length")
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::found;
    use super::*;
    use crate::Entity::GithubToken as E;

    fn token(random: &str) -> String {
        let sum = base62_6(crc32(random.as_bytes()));
        format!("ghp_{random}{}", std::str::from_utf8(&sum).unwrap_or(""))
    }

    #[test]
    fn crc32_vector() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn true_positives() {
        let t = token("aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1");
        let text = format!("GITHUB_TOKEN={t} ");
        assert_eq!(found(E, &text), vec![t.clone()]);
        let f = crate::Scanner::shared().scan(&text);
        assert_eq!(f[0].validation, "prefix+crc32");
        assert_eq!(f[0].confidence, 1.0);
    }

    #[test]
    fn near_misses() {
        assert!(found(E, "ghp_short123").is_empty());
        assert!(found(E, "ghx_aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1aaaaaa").is_empty());
        assert!(found(E, "ghp_aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1aaaaaaa").is_empty());
    }
}
