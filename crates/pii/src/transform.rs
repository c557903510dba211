//! Transforms: redact, mask, hash, pseudonymise, tokenise (and reveal).
//!
//! | action | output for `jane@example.com` | reversible | joins |
//! |---|---|---|---|
//! | `redact` | `[EMAIL_ADDRESS]` | no | no |
//! | `mask` | `****@*******.com` (keeps the last 4 characters) | no | no |
//! | `hash` | SHA-256 of salt ‖ value, hex | no (salted) | yes |
//! | `pseudonymise` | `u3f9c2a17d04be51@pseudonym.invalid` (HMAC-SHA256) | no | yes |
//! | `tokenise` | `dgt1.…` (AES-SIV, deterministic) | with the key | yes |
//!
//! Pseudonyms are format-preserving where a downstream parser cares: e-mails
//! stay e-mails, phone numbers and card numbers keep their length and
//! separators, IPv4 addresses stay dotted quads. Tokens use AES-SIV (RFC 5297),
//! a deterministic AEAD: the same value under the same key gives the same token
//! (so joins and group-bys still work), and a wrong key or an edited token fails
//! authentication instead of decrypting to garbage.

use aes_siv::aead::KeyInit;
use aes_siv::siv::Aes256Siv;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::keys::{hmac_sha256, KeyFile};
use crate::{Entity, Finding};

/// The prefix of a reversible token.
pub const TOKEN_PREFIX: &str = "dgt1.";
const TOKEN_AD: &[u8] = b"datagate/pii/token/v1";

/// What to do with a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Leave as is.
    Keep,
    /// Replace with `[ENTITY]`.
    Redact,
    /// Replace letters and digits with `*`, keeping the last `keep` of them.
    Mask {
        /// How many trailing letters/digits stay visible.
        keep: usize,
    },
    /// Salted SHA-256, hex.
    Hash,
    /// Keyed HMAC-SHA256 pseudonym, format-preserving where it matters.
    Pseudonymise,
    /// Reversible AES-SIV token.
    Tokenise,
}

impl Action {
    /// Parses `redact`, `mask`, `mask:4`, `hash`, `pseudonymise`/`pseudonymize`,
    /// `tokenise`/`tokenize`, `keep`.
    pub fn parse(s: &str) -> Option<Action> {
        let s = s.trim().to_ascii_lowercase();
        let (name, arg) = s
            .split_once(':')
            .map_or((s.as_str(), None), |(a, b)| (a, Some(b)));
        Some(match name {
            "keep" | "none" => Action::Keep,
            "redact" | "replace" => Action::Redact,
            "mask" => Action::Mask {
                keep: match arg {
                    Some(n) => n.parse().ok()?,
                    None => 4,
                },
            },
            "hash" => Action::Hash,
            "pseudonymise" | "pseudonymize" | "hmac" => Action::Pseudonymise,
            "tokenise" | "tokenize" | "encrypt" => Action::Tokenise,
            _ => return None,
        })
    }

    /// True if the action needs a key file.
    pub fn needs_key(self) -> bool {
        matches!(self, Action::Hash | Action::Pseudonymise | Action::Tokenise)
    }
}

/// Errors from transforms.
#[derive(Debug, thiserror::Error)]
pub enum TransformError {
    /// An action needs a key and none was given.
    #[error("action `{0}` needs a key file (--key-file)")]
    NeedsKey(&'static str),
    /// The value is not a datagate token.
    #[error("not a datagate token (expected `{TOKEN_PREFIX}…`)")]
    NotAToken,
    /// Decryption failed: wrong key or a modified token.
    #[error("token authentication failed: wrong key, or the token was modified")]
    AuthenticationFailed,
    /// Encryption failed (should not happen).
    #[error("encryption failed")]
    Encrypt,
}

/// Applies actions with the keys derived from one [`KeyFile`].
#[derive(Clone)]
pub struct Transformer {
    hmac_key: Option<[u8; 32]>,
    salt: Option<[u8; 32]>,
    siv_key: Option<[u8; 64]>,
}

impl std::fmt::Debug for Transformer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Transformer(<keys>)")
    }
}

impl Transformer {
    /// A transformer without a key: only `keep`, `redact` and `mask` work.
    pub fn without_key() -> Self {
        Transformer {
            hmac_key: None,
            salt: None,
            siv_key: None,
        }
    }

    /// A transformer using keys derived from `key`.
    pub fn new(key: &KeyFile) -> Self {
        let mut siv = [0u8; 64];
        siv[..32].copy_from_slice(&key.derive("datagate/pii/siv/v1/mac"));
        siv[32..].copy_from_slice(&key.derive("datagate/pii/siv/v1/enc"));
        Transformer {
            hmac_key: Some(key.derive("datagate/pii/hmac/v1")),
            salt: Some(key.derive("datagate/pii/hash-salt/v1")),
            siv_key: Some(siv),
        }
    }

    /// Transforms one value known (or decided by policy) to be `entity`.
    pub fn apply(
        &self,
        action: Action,
        entity: Option<Entity>,
        value: &str,
    ) -> Result<String, TransformError> {
        Ok(match action {
            Action::Keep => value.to_string(),
            Action::Redact => format!("[{}]", entity.map_or("REDACTED", Entity::as_str)),
            Action::Mask { keep } => mask(value, keep),
            Action::Hash => {
                let salt = self.salt.ok_or(TransformError::NeedsKey("hash"))?;
                let mut h = Sha256::new();
                h.update(salt);
                h.update(value.as_bytes());
                hex::encode(h.finalize())
            }
            Action::Pseudonymise => {
                let key = self
                    .hmac_key
                    .ok_or(TransformError::NeedsKey("pseudonymise"))?;
                let label = entity.map_or("VALUE", Entity::as_str);
                let mut msg = Vec::with_capacity(label.len() + 1 + value.len());
                msg.extend_from_slice(label.as_bytes());
                msg.push(0);
                msg.extend_from_slice(value.as_bytes());
                pseudonym(entity, value, &hmac_sha256(&key, &msg))
            }
            Action::Tokenise => self.tokenise(value)?,
        })
    }

    /// Encrypts `value` into a deterministic, authenticated token.
    pub fn tokenise(&self, value: &str) -> Result<String, TransformError> {
        let key = self.siv_key.ok_or(TransformError::NeedsKey("tokenise"))?;
        let mut siv = Aes256Siv::new_from_slice(&key).map_err(|_| TransformError::Encrypt)?;
        let ct = siv
            .encrypt([TOKEN_AD], value.as_bytes())
            .map_err(|_| TransformError::Encrypt)?;
        Ok(format!("{TOKEN_PREFIX}{}", URL_SAFE_NO_PAD.encode(ct)))
    }

    /// Decrypts a token made by [`Transformer::tokenise`] under the same key.
    pub fn reveal(&self, token: &str) -> Result<String, TransformError> {
        let key = self.siv_key.ok_or(TransformError::NeedsKey("reveal"))?;
        let body = token
            .trim()
            .strip_prefix(TOKEN_PREFIX)
            .ok_or(TransformError::NotAToken)?;
        let ct = URL_SAFE_NO_PAD
            .decode(body)
            .map_err(|_| TransformError::NotAToken)?;
        if ct.len() < 16 {
            return Err(TransformError::NotAToken);
        }
        let mut siv = Aes256Siv::new_from_slice(&key).map_err(|_| TransformError::Encrypt)?;
        let pt = siv
            .decrypt([TOKEN_AD], &ct)
            .map_err(|_| TransformError::AuthenticationFailed)?;
        String::from_utf8(pt).map_err(|_| TransformError::AuthenticationFailed)
    }

    /// Rewrites `text`, replacing each finding's span with `action_for(entity)`.
    /// Findings must come from scanning this same `text` (byte offsets).
    pub fn scrub_text(
        &self,
        text: &str,
        findings: &[Finding],
        mut action_for: impl FnMut(Entity) -> Action,
    ) -> Result<String, TransformError> {
        let mut out = String::with_capacity(text.len());
        let mut last = 0;
        for f in findings {
            if f.byte_start < last || f.byte_end > text.len() {
                continue;
            }
            out.push_str(&text[last..f.byte_start]);
            let span = &text[f.byte_start..f.byte_end];
            out.push_str(&self.apply(action_for(f.entity), Some(f.entity), span)?);
            last = f.byte_end;
        }
        out.push_str(&text[last..]);
        Ok(out)
    }
}

/// Masks letters and digits except the last `keep`; separators stay.
pub fn mask(value: &str, keep: usize) -> String {
    let total = value.chars().filter(|c| c.is_alphanumeric()).count();
    let mut seen = 0;
    value
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                seen += 1;
                if seen + keep > total {
                    c
                } else {
                    '*'
                }
            } else {
                c
            }
        })
        .collect()
}

/// Builds a format-preserving pseudonym from an HMAC.
fn pseudonym(entity: Option<Entity>, value: &str, mac: &[u8; 32]) -> String {
    let hex16 = hex::encode(&mac[..8]);
    // A digit stream from the MAC (expanded by re-hashing when a value is long).
    let mut digits = Vec::new();
    let mut block = *mac;
    while digits.len() < value.len() {
        digits.extend(block.iter().map(|b| b'0' + b % 10));
        block = Sha256::digest(block).into();
    }
    let mut di = digits.into_iter();
    let mut replace_digits = |keep_first: usize| -> String {
        let mut kept = 0;
        value
            .chars()
            .map(|c| {
                if c.is_ascii_digit() {
                    kept += 1;
                    if kept <= keep_first {
                        c
                    } else {
                        di.next().map_or('0', char::from)
                    }
                } else {
                    c
                }
            })
            .collect()
    };
    match entity {
        Some(Entity::EmailAddress) => format!("u{hex16}@pseudonym.invalid"),
        // Keep the country code / first digit so the number stays plausible.
        Some(Entity::PhoneNumber) => {
            let keep = if value.starts_with('+') { 2 } else { 1 };
            replace_digits(keep)
        }
        Some(Entity::CreditCard | Entity::UsSsn) => replace_digits(0),
        Some(Entity::IpAddress) if value.contains('.') && !value.contains(':') => {
            format!("10.{}.{}.{}", mac[0], mac[1], mac[2])
        }
        Some(e) => format!("{}_{hex16}", e.as_str()),
        None => format!("PSEUDO_{hex16}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t() -> Transformer {
        Transformer::new(&KeyFile::from_bytes([7u8; 32]))
    }

    #[test]
    fn actions_parse() {
        assert_eq!(Action::parse("mask:2"), Some(Action::Mask { keep: 2 }));
        assert_eq!(Action::parse("Pseudonymize"), Some(Action::Pseudonymise));
        assert_eq!(Action::parse("shred"), None);
    }

    #[test]
    fn redact_and_mask() {
        let x = Transformer::without_key();
        assert_eq!(
            x.apply(Action::Redact, Some(Entity::EmailAddress), "a@b.co")
                .unwrap(),
            "[EMAIL_ADDRESS]"
        );
        assert_eq!(mask("4111 1111 1111 1234", 4), "**** **** **** 1234");
        assert_eq!(mask("ab", 4), "ab");
        assert!(matches!(
            x.apply(Action::Hash, None, "v"),
            Err(TransformError::NeedsKey("hash"))
        ));
    }

    #[test]
    fn pseudonyms_are_stable_keyed_and_keep_format() {
        let a = t()
            .apply(
                Action::Pseudonymise,
                Some(Entity::EmailAddress),
                "jane@example.com",
            )
            .unwrap();
        let b = t()
            .apply(
                Action::Pseudonymise,
                Some(Entity::EmailAddress),
                "jane@example.com",
            )
            .unwrap();
        assert_eq!(a, b);
        assert!(a.ends_with("@pseudonym.invalid") && a.len() == 35, "{a}");
        let other = Transformer::new(&KeyFile::from_bytes([8u8; 32]));
        assert_ne!(
            a,
            other
                .apply(
                    Action::Pseudonymise,
                    Some(Entity::EmailAddress),
                    "jane@example.com"
                )
                .unwrap()
        );
        let p = t()
            .apply(
                Action::Pseudonymise,
                Some(Entity::PhoneNumber),
                "+44 20 7946 0958",
            )
            .unwrap();
        assert_eq!(p.len(), 16);
        assert!(p.starts_with("+4") && p.as_bytes()[3] == b' ', "{p}");
        assert_ne!(p, "+44 20 7946 0958");
    }

    #[test]
    fn hash_is_salted_sha256() {
        let h = t().apply(Action::Hash, None, "x").unwrap();
        assert_eq!(h.len(), 64);
        assert_ne!(h, hex::encode(Sha256::digest(b"x")));
    }

    #[test]
    fn tokens_round_trip_and_fail_with_wrong_key() {
        let tok = t().tokenise("jane@example.com").unwrap();
        assert!(tok.starts_with(TOKEN_PREFIX));
        assert_eq!(tok, t().tokenise("jane@example.com").unwrap());
        assert_eq!(t().reveal(&tok).unwrap(), "jane@example.com");
        let wrong = Transformer::new(&KeyFile::from_bytes([9u8; 32]));
        assert!(matches!(
            wrong.reveal(&tok),
            Err(TransformError::AuthenticationFailed)
        ));
        let mut edited = tok.clone();
        edited.pop();
        edited.push(if tok.ends_with('A') { 'B' } else { 'A' });
        assert!(t().reveal(&edited).is_err());
        assert!(matches!(
            t().reveal("hello"),
            Err(TransformError::NotAToken)
        ));
    }

    #[test]
    fn scrub_free_text() {
        let text = "mail jane@example.com or call +44 20 7946 0958.";
        let f = crate::Scanner::shared().scan(text);
        let out = t()
            .scrub_text(text, &f, |e| {
                if e == Entity::EmailAddress {
                    Action::Redact
                } else {
                    Action::Mask { keep: 4 }
                }
            })
            .unwrap();
        assert_eq!(out, "mail [EMAIL_ADDRESS] or call +** ** **** 0958.");
    }
}
