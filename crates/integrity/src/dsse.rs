//! DSSE envelopes carrying in-toto Statement v1.
//!
//! A DSSE signature is over the Pre-Authentication Encoding of the payload type and body,
//! never over the JSON envelope, so the envelope itself needs no canonical form:
//!
//! ```text
//! PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body
//! ```
//!
//! with `LEN` the ASCII decimal byte length (no leading zeros). The envelope is
//! `{"payload": b64(body), "payloadType": type, "signatures": [{"keyid": .., "sig": b64(sig)}]}`;
//! verifiers accept standard and URL-safe base64, padded or not, as the spec requires.
//!
//! `datagate sign FILE` wraps an in-toto Statement v1 whose one subject is the file (name and
//! sha256) and whose predicate ([`FILE_PREDICATE_TYPE`]) records its size and signing time.

use std::collections::BTreeMap;
use std::path::Path;

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::hash::{hash_file, Algorithms};
use crate::keys::{PrivateKey, PublicKey};

/// `payloadType` for in-toto statements.
pub const IN_TOTO_PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";
/// `_type` of an in-toto Statement v1.
pub const STATEMENT_TYPE_V1: &str = "https://in-toto.io/Statement/v1";
/// `predicateType` datagate uses when it signs a single file.
pub const FILE_PREDICATE_TYPE: &str = "https://datagate.dev/signed-file/v1";

/// Largest envelope (bytes) read from disk: statements are small; this stops a huge or hostile
/// file from being read into memory.
pub const MAX_ENVELOPE_BYTES: u64 = 64 * 1024 * 1024;

/// The Pre-Authentication Encoding of DSSE v1.
pub fn pae(payload_type: &[u8], body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload_type.len() + body.len() + 32);
    out.extend_from_slice(b"DSSEv1 ");
    out.extend_from_slice(payload_type.len().to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload_type);
    out.push(b' ');
    out.extend_from_slice(body.len().to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(body);
    out
}

/// A DSSE envelope (JSON field names as in the spec).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Envelope {
    /// Base64 of the serialized body.
    pub payload: String,
    /// How to interpret the body.
    pub payload_type: String,
    /// One or more signatures over PAE(payloadType, body).
    pub signatures: Vec<EnvelopeSignature>,
}

/// One signature in an envelope.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvelopeSignature {
    /// Base64 signature bytes.
    pub sig: String,
    /// Unauthenticated hint naming the key (never used for security decisions).
    #[serde(default)]
    pub keyid: String,
}

/// Decode base64 in any of the forms DSSE allows (standard or URL-safe, padded or not).
pub fn decode_base64(s: &str) -> Option<Vec<u8>> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    let s = s.trim();
    for engine in [&STANDARD, &URL_SAFE, &STANDARD_NO_PAD, &URL_SAFE_NO_PAD] {
        if let Ok(v) = engine.decode(s) {
            return Some(v);
        }
    }
    None
}

/// Standard padded base64 (what DSSE implementations and Sigstore write).
pub fn encode_base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

impl Envelope {
    /// Sign `body` of type `payload_type` with `key`; the `keyid` is the key's id.
    pub fn sign(payload_type: &str, body: &[u8], key: &PrivateKey) -> Result<Self> {
        let sig = key.sign(&pae(payload_type.as_bytes(), body));
        Ok(Envelope {
            payload: encode_base64(body),
            payload_type: payload_type.to_string(),
            signatures: vec![EnvelopeSignature {
                sig: encode_base64(&sig),
                keyid: key.public_key().key_id()?,
            }],
        })
    }

    /// Parse an envelope; `what` names it in errors.
    pub fn from_json(bytes: &[u8], what: &str) -> Result<Self> {
        serde_json::from_slice(bytes)
            .map_err(|e| Error::format(format!("DSSE envelope {what}"), e.to_string()))
    }

    /// Read an envelope file (bounded in size).
    pub fn read(path: &Path) -> Result<Self> {
        let bytes = read_bounded(path, MAX_ENVELOPE_BYTES)?;
        Self::from_json(&bytes, &path.display().to_string())
    }

    /// The decoded body (not yet verified).
    pub fn body(&self) -> Result<Vec<u8>> {
        decode_base64(&self.payload)
            .ok_or_else(|| Error::format("DSSE envelope", "payload is not valid base64"))
    }

    /// Verify that at least one signature is by `key`; returns the body.
    pub fn verify(&self, key: &PublicKey) -> Result<Vec<u8>> {
        let body = self.body()?;
        if self.signatures.is_empty() {
            return Err(Error::BadSignature("the envelope has no signatures".into()));
        }
        let message = pae(self.payload_type.as_bytes(), &body);
        let mut last = String::new();
        for (i, s) in self.signatures.iter().enumerate() {
            let Some(sig) = decode_base64(&s.sig) else {
                last = format!("signature {i} is not valid base64");
                continue;
            };
            match key.verify(&message, &sig) {
                Ok(()) => return Ok(body),
                Err(e) => last = format!("signature {i}: {e}"),
            }
        }
        Err(Error::BadSignature(format!(
            "no signature in the envelope verifies with this public key ({last})"
        )))
    }
}

pub(crate) fn read_bounded(path: &Path, max: u64) -> Result<Vec<u8>> {
    use std::io::Read;
    let f = std::fs::File::open(path).map_err(|e| Error::read(path, e))?;
    let mut out = Vec::new();
    f.take(max + 1)
        .read_to_end(&mut out)
        .map_err(|e| Error::read(path, e))?;
    if out.len() as u64 > max {
        return Err(Error::format(
            path.display().to_string(),
            format!("larger than {max} bytes; refusing to read it"),
        ));
    }
    Ok(out)
}

/// An in-toto Statement v1.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Statement {
    /// Always [`STATEMENT_TYPE_V1`].
    #[serde(rename = "_type")]
    pub type_: String,
    /// What the statement is about.
    pub subject: Vec<Subject>,
    /// URI naming the predicate's schema.
    pub predicate_type: String,
    /// The claim itself.
    #[serde(default)]
    pub predicate: serde_json::Value,
}

/// A subject: a name and its digests (algorithm name → lowercase hex).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    /// Name (for files, the file name).
    #[serde(default)]
    pub name: String,
    /// Digest set.
    pub digest: BTreeMap<String, String>,
}

impl Statement {
    /// Parse a statement from an envelope body, checking `_type`.
    pub fn from_json(body: &[u8]) -> Result<Self> {
        let s: Statement = serde_json::from_slice(body)
            .map_err(|e| Error::format("in-toto statement", e.to_string()))?;
        if s.type_ != STATEMENT_TYPE_V1 {
            return Err(Error::format(
                "in-toto statement",
                format!("_type is {:?}, expected {STATEMENT_TYPE_V1:?}", s.type_),
            ));
        }
        Ok(s)
    }
}

/// Sign one file: an envelope whose statement's subject is the file's name and SHA-256.
pub fn sign_file(path: &Path, key: &PrivateKey, signer: &str) -> Result<Envelope> {
    let d = hash_file(path, Algorithms::Sha256)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let statement = Statement {
        type_: STATEMENT_TYPE_V1.into(),
        subject: vec![Subject {
            name,
            digest: BTreeMap::from([("sha256".to_string(), d.sha256_hex().unwrap_or_default())]),
        }],
        predicate_type: FILE_PREDICATE_TYPE.into(),
        predicate: serde_json::json!({
            "size": d.size,
            "signedAt": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "signer": signer,
        }),
    };
    let body = serde_json_canonicalizer::to_vec(&statement)
        .map_err(|e| Error::format("in-toto statement", e.to_string()))?;
    Envelope::sign(IN_TOTO_PAYLOAD_TYPE, &body, key)
}

/// What [`verify_file_envelope`] established.
#[derive(Clone, Debug, PartialEq)]
pub struct FileVerification {
    /// The verified statement.
    pub statement: Statement,
    /// Whether a file was compared with the subject digest (and matched: a mismatch is an error).
    pub file_checked: bool,
}

/// Verify an envelope's signature with `key`, parse its in-toto statement, and, when `file` is
/// given, check that the file's SHA-256 equals the (single) subject's.
pub fn verify_file_envelope(
    envelope: &Envelope,
    key: &PublicKey,
    file: Option<&Path>,
) -> Result<FileVerification> {
    let body = envelope.verify(key)?;
    if envelope.payload_type != IN_TOTO_PAYLOAD_TYPE {
        return Err(Error::format(
            "DSSE envelope",
            format!(
                "payloadType is {:?}, expected {IN_TOTO_PAYLOAD_TYPE:?}",
                envelope.payload_type
            ),
        ));
    }
    let statement = Statement::from_json(&body)?;
    let Some(file) = file else {
        return Ok(FileVerification {
            statement,
            file_checked: false,
        });
    };
    let actual = hash_file(file, Algorithms::Sha256)?
        .sha256_hex()
        .unwrap_or_default();
    let matches = statement.subject.iter().any(|s| {
        s.digest
            .get("sha256")
            .map(|d| d.eq_ignore_ascii_case(&actual))
            == Some(true)
    });
    if !matches {
        return Err(Error::BadSignature(format!(
            "{} has sha256 {actual}, which is not the signed subject's digest ({})",
            file.display(),
            statement
                .subject
                .iter()
                .map(|s| format!(
                    "{}: {}",
                    s.name,
                    s.digest
                        .get("sha256")
                        .map(String::as_str)
                        .unwrap_or("no sha256")
                ))
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    Ok(FileVerification {
        statement,
        file_checked: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::KeyAlgorithm;

    #[test]
    fn pae_matches_the_dsse_spec_example() {
        // secure-systems-lab/dsse protocol.md, "Test Vectors".
        assert_eq!(
            pae(b"http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world".to_vec()
        );
        assert_eq!(pae(b"", b""), b"DSSEv1 0  0 ".to_vec());
    }

    /// Big-endian bytes of a decimal number (test helper for the spec's key).
    fn decimal_to_be(dec: &str, len: usize) -> Vec<u8> {
        let mut out = vec![0u8; len];
        for ch in dec.bytes() {
            let mut carry = u32::from(ch - b'0');
            for b in out.iter_mut().rev() {
                let v = u32::from(*b) * 10 + carry;
                *b = (v & 0xff) as u8;
                carry = v >> 8;
            }
            assert_eq!(carry, 0);
        }
        out
    }

    #[test]
    fn dsse_spec_example_signature_reproduces_and_verifies() {
        // The spec's P-256 key (decimal d, X, Y) and its deterministic (RFC 6979) signature in
        // raw r||s form.
        let d = decimal_to_be(
            "97358161215184420915383655311931858321456579547487070936769975997791359926199",
            32,
        );
        let sk = p256::ecdsa::SigningKey::from_slice(&d).unwrap();
        let point = sk.verifying_key().to_sec1_point(false);
        let x = decimal_to_be(
            "46950820868899156662930047687818585632848591499744589407958293238635476079160",
            32,
        );
        let y = decimal_to_be(
            "5640078356564379163099075877009565129882514886557779369047442380624545832820",
            32,
        );
        assert_eq!(&point.as_bytes()[1..33], &x[..]);
        assert_eq!(&point.as_bytes()[33..65], &y[..]);

        let expected_sig = "A3JqsQGtVsJ2O2xqrI5IcnXip5GToJ3F+FnZ+O88SjtR6rDAajabZKciJTfUiHqJPcIAriEGAHTVeCUjW2JIZA==";
        let message = pae(b"http://example.com/HelloWorld", b"hello world");
        let sig: p256::ecdsa::Signature = p256::ecdsa::signature::Signer::sign(&sk, &message);
        assert_eq!(encode_base64(&sig.to_bytes()), expected_sig);

        let envelope = Envelope::from_json(
            br#"{"payload": "aGVsbG8gd29ybGQ=",
                 "payloadType": "http://example.com/HelloWorld",
                 "signatures": [{"sig": "A3JqsQGtVsJ2O2xqrI5IcnXip5GToJ3F+FnZ+O88SjtR6rDAajabZKciJTfUiHqJPcIAriEGAHTVeCUjW2JIZA=="}]}"#,
            "spec",
        )
        .unwrap();
        let pubkey = PublicKey::P256(*sk.verifying_key());
        assert_eq!(envelope.verify(&pubkey).unwrap(), b"hello world");
        // Same envelope, URL-safe base64 without padding: still accepted.
        let mut url = envelope.clone();
        url.signatures[0].sig = url.signatures[0]
            .sig
            .replace('+', "-")
            .replace('/', "_")
            .trim_end_matches('=')
            .to_string();
        url.payload = url.payload.trim_end_matches('=').to_string();
        assert_eq!(url.verify(&pubkey).unwrap(), b"hello world");
        // A changed payload type breaks the signature (it is authenticated by PAE).
        let mut other = envelope;
        other.payload_type = "http://example.com/HelloWorld2".into();
        assert!(other.verify(&pubkey).is_err());
    }

    #[test]
    fn sign_and_verify_a_file_with_each_key_type() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("data.csv");
        std::fs::write(&file, b"a,b\n1,2\n").unwrap();
        for alg in [
            KeyAlgorithm::Ed25519,
            KeyAlgorithm::EcdsaP256,
            KeyAlgorithm::EcdsaP384,
        ] {
            let key = PrivateKey::generate(alg).unwrap();
            let env = sign_file(&file, &key, "datagate test").unwrap();
            let json = serde_json::to_vec(&env).unwrap();
            let env = Envelope::from_json(&json, "t").unwrap();
            let v = verify_file_envelope(&env, &key.public_key(), Some(&file)).unwrap();
            assert!(v.file_checked);
            assert_eq!(v.statement.subject[0].name, "data.csv");
            assert_eq!(
                v.statement.subject[0].digest["sha256"],
                hex::encode(crate::hash::sha256(b"a,b\n1,2\n"))
            );
            assert_eq!(v.statement.predicate_type, FILE_PREDICATE_TYPE);
            // Wrong key.
            let other = PrivateKey::generate(alg).unwrap().public_key();
            assert!(matches!(
                verify_file_envelope(&env, &other, None),
                Err(Error::BadSignature(_))
            ));
            // Truncated signature.
            let mut t = env.clone();
            let raw = decode_base64(&t.signatures[0].sig).unwrap();
            t.signatures[0].sig = encode_base64(&raw[..raw.len() - 3]);
            assert!(matches!(
                verify_file_envelope(&t, &key.public_key(), None),
                Err(Error::BadSignature(_))
            ));
            // Tampered payload.
            let mut p = env.clone();
            let mut body = p.body().unwrap();
            body[10] ^= 1;
            p.payload = encode_base64(&body);
            assert!(verify_file_envelope(&p, &key.public_key(), None).is_err());
        }
        // A changed file fails the subject check.
        let key = PrivateKey::generate(KeyAlgorithm::Ed25519).unwrap();
        let env = sign_file(&file, &key, "t").unwrap();
        std::fs::write(&file, b"a,b\n1,3\n").unwrap();
        let err = verify_file_envelope(&env, &key.public_key(), Some(&file)).unwrap_err();
        assert!(err.to_string().contains("not the signed subject"), "{err}");
    }

    #[test]
    fn corrupt_envelopes_are_errors_not_panics() {
        let key = PrivateKey::generate(KeyAlgorithm::Ed25519)
            .unwrap()
            .public_key();
        for doc in [
            &b""[..],
            b"{",
            b"null",
            b"{\"payload\":1}",
            b"{\"payload\":\"!!\",\"payloadType\":\"x\",\"signatures\":[{\"sig\":\"AA==\"}]}",
            b"{\"payload\":\"AA==\",\"payloadType\":\"x\",\"signatures\":[]}",
            b"{\"payload\":\"AA==\",\"payloadType\":\"x\",\"signatures\":[{\"sig\":\"%%%\"}]}",
        ] {
            match Envelope::from_json(doc, "e") {
                Err(e) => assert!(matches!(e, Error::Format { .. })),
                Ok(env) => assert!(env.verify(&key).is_err()),
            }
        }
    }
}
