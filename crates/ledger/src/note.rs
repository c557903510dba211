//! C2SP signed notes and tlog checkpoints, with Ed25519 signatures.
//!
//! A checkpoint is the note text
//!
//! ```text
//! <origin>
//! <tree size, decimal>
//! <base64 root hash>
//! ```
//!
//! followed by a blank line and one signature line per signer:
//! `— <key name> <base64(key hash ‖ signature)>`. The key hash is the first
//! four bytes of `SHA-256(key name ‖ 0x0A ‖ 0x01 ‖ public key)` (0x01 is the
//! Ed25519 signature type) and the signature covers the note text including
//! its final newline. Verifier keys are written the way Go's `note` package
//! and the witness tooling read them: `<name>+<hex key hash>+<base64(0x01 ‖
//! public key)>`.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

use crate::merkle::Hash;

/// The Ed25519 signature type byte of the signed-note format.
const ALG_ED25519: u8 = 0x01;
/// The em dash that starts a signature line.
const SIG_PREFIX: &str = "\u{2014} ";

/// Errors from parsing or checking notes, checkpoints and keys.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    /// The text is not a well-formed note or checkpoint.
    #[error("malformed note: {0}")]
    Malformed(String),
    /// A verifier key string is malformed.
    #[error("malformed verifier key: {0}")]
    BadKey(String),
    /// No signature line from the expected key.
    #[error("note has no signature by key {0}")]
    Unsigned(String),
    /// The signature line from the expected key does not verify.
    #[error("note signature by key {0} does not verify")]
    BadSignature(String),
}

fn key_hash(name: &str, public: &[u8; 32]) -> [u8; 4] {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update([b'\n', ALG_ED25519]);
    h.update(public);
    let d = h.finalize();
    [d[0], d[1], d[2], d[3]]
}

fn check_name(name: &str) -> Result<(), NoteError> {
    if name.is_empty()
        || name.contains('+')
        || name.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(NoteError::BadKey(format!(
            "key name {name:?} must be non-empty, without spaces or '+'"
        )));
    }
    Ok(())
}

/// Signs notes with an Ed25519 key under a key name.
pub struct NoteSigner {
    name: String,
    key: SigningKey,
    hash: [u8; 4],
}

impl NoteSigner {
    /// A signer named `name` (no spaces, no `+`).
    pub fn new(name: &str, key: SigningKey) -> Result<Self, NoteError> {
        check_name(name)?;
        let hash = key_hash(name, key.verifying_key().as_bytes());
        Ok(NoteSigner {
            name: name.to_string(),
            key,
            hash,
        })
    }

    /// The matching verifier.
    pub fn verifier(&self) -> NoteVerifier {
        NoteVerifier {
            name: self.name.clone(),
            key: self.key.verifying_key(),
            hash: self.hash,
        }
    }

    /// Signs `text` (which must end with a newline and contain no blank
    /// line) and returns the whole note.
    pub fn sign(&self, text: &str) -> Result<String, NoteError> {
        check_text(text)?;
        let sig = self.key.sign(text.as_bytes());
        let mut blob = Vec::with_capacity(68);
        blob.extend_from_slice(&self.hash);
        blob.extend_from_slice(&sig.to_bytes());
        Ok(format!(
            "{text}\n{SIG_PREFIX}{} {}\n",
            self.name,
            B64.encode(blob)
        ))
    }
}

fn check_text(text: &str) -> Result<(), NoteError> {
    if !text.ends_with('\n') {
        return Err(NoteError::Malformed(
            "note text must end with a newline".into(),
        ));
    }
    if text.contains("\n\n") || text.starts_with('\n') {
        return Err(NoteError::Malformed(
            "note text must not contain a blank line".into(),
        ));
    }
    Ok(())
}

/// Checks note signatures by one Ed25519 key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteVerifier {
    name: String,
    key: VerifyingKey,
    hash: [u8; 4],
}

impl NoteVerifier {
    /// Parses a verifier key `<name>+<hex hash>+<base64(0x01 ‖ key)>`.
    pub fn parse(vkey: &str) -> Result<Self, NoteError> {
        let vkey = vkey.trim();
        let mut parts = vkey.splitn(3, '+');
        let (name, hash_hex, key_b64) = match (parts.next(), parts.next(), parts.next()) {
            (Some(a), Some(b), Some(c)) => (a, b, c),
            _ => return Err(NoteError::BadKey("expected <name>+<hash>+<key>".into())),
        };
        check_name(name)?;
        let raw = B64
            .decode(key_b64)
            .map_err(|e| NoteError::BadKey(format!("key is not base64: {e}")))?;
        if raw.len() != 33 || raw[0] != ALG_ED25519 {
            return Err(NoteError::BadKey(
                "not an Ed25519 key (expected 0x01 and 32 bytes)".into(),
            ));
        }
        let mut pk = [0u8; 32];
        pk.copy_from_slice(&raw[1..]);
        let key = VerifyingKey::from_bytes(&pk)
            .map_err(|e| NoteError::BadKey(format!("invalid Ed25519 public key: {e}")))?;
        let hash = key_hash(name, &pk);
        if hex::encode(hash) != hash_hex.to_ascii_lowercase() {
            return Err(NoteError::BadKey(
                "key hash does not match the name and key".into(),
            ));
        }
        Ok(NoteVerifier {
            name: name.to_string(),
            key,
            hash,
        })
    }

    /// The key name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The verifier key string (`<name>+<hash>+<key>`).
    pub fn to_vkey(&self) -> String {
        let mut raw = vec![ALG_ED25519];
        raw.extend_from_slice(self.key.as_bytes());
        format!(
            "{}+{}+{}",
            self.name,
            hex::encode(self.hash),
            B64.encode(raw)
        )
    }

    /// Verifies `note` and returns its text (everything before the blank
    /// line). Signature lines by other keys are ignored.
    pub fn open<'a>(&self, note: &'a str) -> Result<&'a str, NoteError> {
        let (text, sigs) = split_note(note)?;
        let mut seen = false;
        for line in sigs {
            let (name, blob) = parse_sig_line(line)?;
            if name != self.name || blob.len() < 4 || blob[..4] != self.hash {
                continue;
            }
            seen = true;
            let sig = Signature::from_slice(&blob[4..])
                .map_err(|_| NoteError::BadSignature(self.name.clone()))?;
            if self.key.verify_strict(text.as_bytes(), &sig).is_ok() {
                return Ok(text);
            }
        }
        if seen {
            Err(NoteError::BadSignature(self.name.clone()))
        } else {
            Err(NoteError::Unsigned(self.name.clone()))
        }
    }
}

/// Splits a note into its text (with final newline) and signature lines.
fn split_note(note: &str) -> Result<(&str, Vec<&str>), NoteError> {
    let cut = note
        .find("\n\n")
        .ok_or_else(|| NoteError::Malformed("no blank line before the signatures".into()))?;
    let text = &note[..cut + 1];
    let rest = &note[cut + 2..];
    if !rest.ends_with('\n') {
        return Err(NoteError::Malformed(
            "signature block must end with a newline".into(),
        ));
    }
    let sigs: Vec<&str> = rest[..rest.len() - 1].split('\n').collect();
    if sigs.is_empty() || sigs.iter().any(|l| l.is_empty()) {
        return Err(NoteError::Malformed("empty signature line".into()));
    }
    Ok((text, sigs))
}

fn parse_sig_line(line: &str) -> Result<(&str, Vec<u8>), NoteError> {
    let body = line.strip_prefix(SIG_PREFIX).ok_or_else(|| {
        NoteError::Malformed(format!("signature line must start with '— ': {line:?}"))
    })?;
    let (name, b64) = body.split_once(' ').ok_or_else(|| {
        NoteError::Malformed(format!("signature line without a key name: {line:?}"))
    })?;
    let blob = B64
        .decode(b64)
        .map_err(|_| NoteError::Malformed(format!("signature is not base64: {line:?}")))?;
    Ok((name, blob))
}

/// A tlog checkpoint: the log's origin, a tree size and the root at that size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The log's origin line (its unique name).
    pub origin: String,
    /// The number of entries.
    pub size: u64,
    /// The Merkle root over those entries.
    pub root: Hash,
}

impl Checkpoint {
    /// The note text of this checkpoint (three lines, newline-terminated).
    pub fn to_text(&self) -> String {
        format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            B64.encode(self.root)
        )
    }

    /// Parses a checkpoint's text (extension lines after the root are
    /// allowed and ignored).
    pub fn parse_text(text: &str) -> Result<Checkpoint, NoteError> {
        let mut lines = text.split('\n');
        let origin = lines.next().unwrap_or_default();
        let size = lines.next().unwrap_or_default();
        let root = lines.next().unwrap_or_default();
        if origin.is_empty() {
            return Err(NoteError::Malformed("checkpoint has no origin line".into()));
        }
        let size_ok = !size.is_empty()
            && size.bytes().all(|b| b.is_ascii_digit())
            && (size == "0" || !size.starts_with('0'));
        let size: u64 = if size_ok { size.parse().ok() } else { None }
            .ok_or_else(|| NoteError::Malformed(format!("bad tree size line {size:?}")))?;
        let root_bytes = B64
            .decode(root)
            .map_err(|_| NoteError::Malformed(format!("root hash line is not base64: {root:?}")))?;
        let root: Hash = root_bytes
            .try_into()
            .map_err(|_| NoteError::Malformed("root hash is not 32 bytes".into()))?;
        Ok(Checkpoint {
            origin: origin.to_string(),
            size,
            root,
        })
    }

    /// Parses and verifies a signed checkpoint note.
    pub fn open(note: &str, verifier: &NoteVerifier) -> Result<Checkpoint, NoteError> {
        let text = verifier.open(note)?;
        Checkpoint::parse_text(text)
    }

    /// Parses a signed checkpoint note without checking any signature.
    pub fn parse_unverified(note: &str) -> Result<Checkpoint, NoteError> {
        let (text, _) = split_note(note)?;
        Checkpoint::parse_text(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer(name: &str, seed: u8) -> NoteSigner {
        NoteSigner::new(name, SigningKey::from_bytes(&[seed; 32])).unwrap()
    }

    #[test]
    fn sign_open_roundtrip_and_tamper() {
        let s = signer("example.com/log", 7);
        let cp = Checkpoint {
            origin: "example.com/log".into(),
            size: 42,
            root: [9; 32],
        };
        let note = s.sign(&cp.to_text()).unwrap();
        assert!(note.starts_with("example.com/log\n42\nCQkJ"));
        assert!(note.contains("\n\n\u{2014} example.com/log "));
        let v = s.verifier();
        assert_eq!(Checkpoint::open(&note, &v).unwrap(), cp);
        // A changed size, a changed root or another key must fail.
        let bad = note.replacen("\n42\n", "\n43\n", 1);
        assert_eq!(
            Checkpoint::open(&bad, &v),
            Err(NoteError::BadSignature(v.name().into()))
        );
        let other = signer("example.com/log", 8).verifier();
        assert!(matches!(
            Checkpoint::open(&note, &other),
            Err(NoteError::Unsigned(_))
        ));
        // vkey string round trip.
        let vk = v.to_vkey();
        assert_eq!(NoteVerifier::parse(&vk).unwrap(), v);
        assert!(NoteVerifier::parse(&vk.replacen("example", "exampla", 1)).is_err());
    }

    /// The example verifier key and signed note from Go's
    /// golang.org/x/mod/sumdb/note documentation.
    #[test]
    fn verifies_the_go_note_package_example() {
        let vkey = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
        let note = "If you think cryptography is the answer to your problem,\n\
                    then you don't know what your problem is.\n\
                    \n\
                    \u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
        let v = NoteVerifier::parse(vkey).unwrap();
        let text = v.open(note).unwrap();
        assert!(text.starts_with("If you think"));
        let tampered = note.replace("answer", "Answer");
        assert!(v.open(&tampered).is_err());
        // Signing with the example's private key (Ed25519 is deterministic)
        // reproduces the published note byte for byte.
        let raw = B64
            .decode("AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz")
            .unwrap();
        let seed: [u8; 32] = raw[1..].try_into().unwrap();
        let s = NoteSigner::new("PeterNeumann", SigningKey::from_bytes(&seed)).unwrap();
        assert_eq!(s.verifier().to_vkey(), vkey);
        assert_eq!(s.sign(text).unwrap(), note);
    }

    #[test]
    fn malformed_inputs_are_errors_not_panics() {
        let v = signer("a", 1).verifier();
        for bad in [
            "",
            "\n",
            "x\n",
            "x\n\n",
            "x\n\nnope\n",
            "x\n\n\u{2014} a !!!\n",
            "x\n\n\u{2014} a\n",
        ] {
            assert!(v.open(bad).is_err(), "{bad:?}");
        }
        for bad in [
            "",
            "o\n",
            "o\n01\nAAAA\n",
            "o\n-1\n",
            "o\n5\nAAAA\n",
            "\n1\n",
        ] {
            assert!(Checkpoint::parse_text(bad).is_err(), "{bad:?}");
        }
        for bad in ["", "a+b", "a+00000000+AQ==", "a b+1+2"] {
            assert!(NoteVerifier::parse(bad).is_err(), "{bad:?}");
        }
    }
}
