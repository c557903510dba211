//! High-entropy secrets in a secret-looking context.
//!
//! **What it finds:** the value assigned to a secret-sounding name
//! (`api_key = …`, `"client_secret": "…"`, `password: …`, `auth_token=…`) when
//! the value looks random: the gitleaks/trufflehog idea of "entropy plus
//! context". Known token formats (GitHub, Slack, Stripe, AWS, JWT…) are left to
//! their own detectors.
//!
//! **Validation:** the value is 12–200 characters, mixes at least two of
//! lower case, upper case, digits and symbols, has Shannon entropy of at least
//! 3.0 bits per character, and is not a placeholder (`changeme`, `xxxx`,
//! `<your-key>`, `${VAR}`, `example`…).

use super::{shannon_entropy, Candidate, Detector, Hit};
use crate::Entity;

/// The generic secret detector.
pub const DETECTOR: Detector = Detector {
    name: "generic_secret",
    entity: Entity::GenericSecret,
    patterns: &[
        r#"(?i-u:secret|token|api[_-]?key|apikey|passwd|password|pwd|auth[_-]?key|credential|access[_-]?key|private[_-]?key)[A-Za-z0-9_.-]*["']?[ \t]*(?::|=|=>)[ \t]*["']?[A-Za-z0-9/+_=.~!@#$%^&*-]{12,}"#,
    ],
    context: &[],
    negative_context: &[],
    validate,
};

const SPECIFIC_PREFIXES: &[&str] = &[
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "github_pat_",
    "glpat-",
    "glptt-",
    "gldt-",
    "glrt-",
    "xox",
    "xapp-",
    "sk_live_",
    "sk_test_",
    "rk_live_",
    "rk_test_",
    "sk-",
    "AKIA",
    "ASIA",
    "eyJ",
    "-----BEGIN",
];

const PLACEHOLDERS: &[&str] = &[
    "example",
    "xxxx",
    "your",
    "change",
    "redacted",
    "dummy",
    "placeholder",
    "****",
    "<",
    "${",
    "{{",
    "secret",
    "password",
    "token",
    "sample",
    "test1234",
    "1234567890",
    "abcdef",
];

fn validate(c: &Candidate<'_>) -> Option<Hit> {
    let s = c.as_str();
    let assign = s.find([':', '='])?;
    let mut start = assign;
    let bytes = s.as_bytes();
    while start < bytes.len()
        && matches!(
            bytes[start],
            b':' | b'=' | b'>' | b' ' | b'\t' | b'"' | b'\''
        )
    {
        start += 1;
    }
    let mut value = &s[start..];
    // Sentence punctuation at the end is not part of the value.
    value = value.trim_end_matches(['.', ',', ';', '!']);
    if value.len() < 12 || value.len() > 200 {
        return None;
    }
    if SPECIFIC_PREFIXES.iter().any(|p| value.starts_with(p)) {
        return None;
    }
    let lower = value.to_ascii_lowercase();
    if PLACEHOLDERS.iter().any(|p| lower.contains(p)) {
        return None;
    }
    let b = value.as_bytes();
    let classes = [
        b.iter().any(u8::is_ascii_lowercase),
        b.iter().any(u8::is_ascii_uppercase),
        b.iter().any(u8::is_ascii_digit),
        b.iter().any(|x| !x.is_ascii_alphanumeric()),
    ]
    .iter()
    .filter(|&&x| x)
    .count();
    if classes < 2 || shannon_entropy(value) < 3.0 {
        return None;
    }
    let score = if value.len() >= 20 { 0.85 } else { 0.7 };
    Some(Hit {
        start: c.start + start,
        end: c.start + start + value.len(),
        score,
        validation: "secret-name+entropy",
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::assert_found;
    use crate::Entity::GenericSecret as E;

    #[test]
    fn true_positives() {
        assert_found(
            E,
            "api_key = \"f9A2kLm81QzX07bNcR4t\"",
            &["f9A2kLm81QzX07bNcR4t"],
        );
        assert_found(
            E,
            "{\"client_secret\": \"8d7Fq2LmZx91TbVc0pQe\"}",
            &["8d7Fq2LmZx91TbVc0pQe"],
        );
        assert_found(E, "DB_PASSWORD=Xk9#mP2$vL7qR4w!", &["Xk9#mP2$vL7qR4w"]);
    }

    #[test]
    fn near_misses() {
        assert_found(E, "password: changeme123456", &[]);
        assert_found(E, "api_key = <your-api-key-here>", &[]);
        assert_found(E, "token: aaaaaaaaaaaaaaaaaaaa", &[]);
        assert_found(E, "secret = ${SECRET_FROM_VAULT}", &[]);
        assert_found(E, "token_type: bearer", &[]);
    }
}
