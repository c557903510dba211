//! Signing keys: Ed25519 (the default) and ECDSA on P-256 / P-384.
//!
//! Keys are PEM files: PKCS#8 (`BEGIN PRIVATE KEY`) for private keys, SubjectPublicKeyInfo
//! (`BEGIN PUBLIC KEY`) for public ones; SEC1 (`BEGIN EC PRIVATE KEY`, what `openssl ecparam
//! -genkey` writes) is accepted for EC private keys too. Crates: `ed25519-dalek` 3 and
//! `p256`/`p384` 0.14, pure Rust and one RustCrypto generation with `sha2` 0.11.
//!
//! Signature encodings follow what verifiers elsewhere expect: Ed25519 signatures are the raw
//! 64 bytes (RFC 8032); ECDSA signatures are ASN.1 DER over SHA-256 (P-256) or SHA-384 (P-384),
//! as in Sigstore bundles and OpenSSF model signing.

use std::path::{Path, PathBuf};

use ed25519_dalek::pkcs8::{
    spki::der::pem::LineEnding, DecodePrivateKey, DecodePublicKey, EncodePrivateKey,
    EncodePublicKey,
};
use ed25519_dalek::{Signer as _, Verifier as _};

use crate::error::{Error, Result};
use crate::fsutil::write_atomic;

/// Key algorithms datagate can create and use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyAlgorithm {
    /// Ed25519 (RFC 8032), the default.
    Ed25519,
    /// ECDSA on NIST P-256 with SHA-256.
    EcdsaP256,
    /// ECDSA on NIST P-384 with SHA-384.
    EcdsaP384,
    /// ECDSA on NIST P-521 with SHA-512 (verification only).
    EcdsaP521,
}

impl KeyAlgorithm {
    /// Short name used on the command line: `ed25519`, `p256`, `p384`.
    pub fn name(self) -> &'static str {
        match self {
            KeyAlgorithm::Ed25519 => "ed25519",
            KeyAlgorithm::EcdsaP256 => "p256",
            KeyAlgorithm::EcdsaP384 => "p384",
            KeyAlgorithm::EcdsaP521 => "p521",
        }
    }
}

/// A private (signing) key.
pub enum PrivateKey {
    /// Ed25519.
    Ed25519(ed25519_dalek::SigningKey),
    /// ECDSA P-256.
    P256(p256::ecdsa::SigningKey),
    /// ECDSA P-384.
    P384(p384::ecdsa::SigningKey),
}

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print key material.
        write!(f, "PrivateKey({})", self.algorithm().name())
    }
}

/// A public (verifying) key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PublicKey {
    /// Ed25519.
    Ed25519(ed25519_dalek::VerifyingKey),
    /// ECDSA P-256.
    P256(p256::ecdsa::VerifyingKey),
    /// ECDSA P-384.
    P384(p384::ecdsa::VerifyingKey),
    /// ECDSA P-521 with SHA-512 (verify only: OpenSSF model signing accepts such keys).
    P521(p521::ecdsa::VerifyingKey),
}

fn random_bytes<const N: usize>() -> Result<[u8; N]> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b)
        .map_err(|e| Error::key("generation", format!("the OS random source failed: {e}")))?;
    Ok(b)
}

impl PrivateKey {
    /// A fresh key from the operating system's random source.
    pub fn generate(algorithm: KeyAlgorithm) -> Result<Self> {
        // Rejection sampling for the EC scalars: a random 256/384-bit string is a valid nonzero
        // scalar with overwhelming probability; loop for the rest.
        for _ in 0..64 {
            match algorithm {
                KeyAlgorithm::Ed25519 => {
                    let seed = random_bytes::<32>()?;
                    return Ok(PrivateKey::Ed25519(ed25519_dalek::SigningKey::from_bytes(
                        &seed,
                    )));
                }
                KeyAlgorithm::EcdsaP256 => {
                    if let Ok(k) = p256::ecdsa::SigningKey::from_slice(&random_bytes::<32>()?) {
                        return Ok(PrivateKey::P256(k));
                    }
                }
                KeyAlgorithm::EcdsaP384 => {
                    if let Ok(k) = p384::ecdsa::SigningKey::from_slice(&random_bytes::<48>()?) {
                        return Ok(PrivateKey::P384(k));
                    }
                }
                KeyAlgorithm::EcdsaP521 => {
                    return Err(Error::key(
                        "generation",
                        "P-521 keys are verify-only in datagate; use ed25519, p256 or p384",
                    ))
                }
            }
        }
        Err(Error::key("generation", "could not draw a valid scalar"))
    }

    /// Which algorithm this key uses.
    pub fn algorithm(&self) -> KeyAlgorithm {
        match self {
            PrivateKey::Ed25519(_) => KeyAlgorithm::Ed25519,
            PrivateKey::P256(_) => KeyAlgorithm::EcdsaP256,
            PrivateKey::P384(_) => KeyAlgorithm::EcdsaP384,
        }
    }

    /// Parse a PEM private key (PKCS#8 for every algorithm, or SEC1 for EC keys).
    pub fn from_pem(pem: &str, what: &str) -> Result<Self> {
        let pem = pem.trim_start_matches('\u{feff}');
        let label = pem_label(pem)
            .ok_or_else(|| Error::key(what, "not a PEM file (no '-----BEGIN ...-----' line)"))?;
        match label.as_str() {
            "PRIVATE KEY" => {
                if let Ok(k) = ed25519_dalek::SigningKey::from_pkcs8_pem(pem) {
                    return Ok(PrivateKey::Ed25519(k));
                }
                if let Ok(k) = p256::ecdsa::SigningKey::from_pkcs8_pem(pem) {
                    return Ok(PrivateKey::P256(k));
                }
                if let Ok(k) = p384::ecdsa::SigningKey::from_pkcs8_pem(pem) {
                    return Ok(PrivateKey::P384(k));
                }
                Err(Error::key(
                    what,
                    "PKCS#8 private key is not Ed25519, ECDSA P-256 or P-384 (or the PEM is damaged)",
                ))
            }
            "EC PRIVATE KEY" => {
                if let Ok(k) = p256::SecretKey::from_sec1_pem(pem) {
                    return Ok(PrivateKey::P256(k.into()));
                }
                if let Ok(k) = p384::SecretKey::from_sec1_pem(pem) {
                    return Ok(PrivateKey::P384(k.into()));
                }
                Err(Error::key(what, "SEC1 EC private key is not on P-256 or P-384 (or the PEM is damaged)"))
            }
            "ENCRYPTED PRIVATE KEY" => Err(Error::key(
                what,
                "encrypted private keys are not supported; decrypt with `openssl pkcs8 -in K -out K.plain`",
            )),
            "PUBLIC KEY" => Err(Error::key(what, "this is a public key; a private key is needed here")),
            other => Err(Error::key(what, format!("unexpected PEM type {other:?}, expected PRIVATE KEY"))),
        }
    }

    /// Read a PEM private key file.
    pub fn read(path: &Path) -> Result<Self> {
        let text = read_text(path)?;
        Self::from_pem(&text, &path.display().to_string())
    }

    /// PKCS#8 PEM text (LF line endings).
    pub fn to_pem(&self) -> Result<String> {
        let r = match self {
            PrivateKey::Ed25519(k) => k.to_pkcs8_pem(LineEnding::LF),
            PrivateKey::P256(k) => k.to_pkcs8_pem(LineEnding::LF),
            PrivateKey::P384(k) => k.to_pkcs8_pem(LineEnding::LF),
        };
        r.map(|z| z.to_string())
            .map_err(|e| Error::key("private key", format!("cannot encode: {e}")))
    }

    /// The matching public key.
    pub fn public_key(&self) -> PublicKey {
        match self {
            PrivateKey::Ed25519(k) => PublicKey::Ed25519(k.verifying_key()),
            PrivateKey::P256(k) => PublicKey::P256(*k.verifying_key()),
            PrivateKey::P384(k) => PublicKey::P384(*k.verifying_key()),
        }
    }

    /// Sign `message`: raw 64 bytes for Ed25519, DER for ECDSA (hash chosen by the curve).
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        match self {
            PrivateKey::Ed25519(k) => k.sign(message).to_bytes().to_vec(),
            PrivateKey::P256(k) => {
                let sig: p256::ecdsa::DerSignature = k.sign(message);
                sig.as_bytes().to_vec()
            }
            PrivateKey::P384(k) => {
                let sig: p384::ecdsa::DerSignature = k.sign(message);
                sig.as_bytes().to_vec()
            }
        }
    }
}

impl PublicKey {
    /// Parse a PEM SubjectPublicKeyInfo public key.
    pub fn from_pem(pem: &str, what: &str) -> Result<Self> {
        let pem = pem.trim_start_matches('\u{feff}');
        let label = pem_label(pem)
            .ok_or_else(|| Error::key(what, "not a PEM file (no '-----BEGIN ...-----' line)"))?;
        match label.as_str() {
            "PUBLIC KEY" => {
                if let Ok(k) = ed25519_dalek::VerifyingKey::from_public_key_pem(pem) {
                    return Ok(PublicKey::Ed25519(k));
                }
                if let Ok(k) = p256::ecdsa::VerifyingKey::from_public_key_pem(pem) {
                    return Ok(PublicKey::P256(k));
                }
                if let Ok(k) = p384::ecdsa::VerifyingKey::from_public_key_pem(pem) {
                    return Ok(PublicKey::P384(k));
                }
                if let Ok(k) = p521::ecdsa::VerifyingKey::from_public_key_pem(pem) {
                    return Ok(PublicKey::P521(k));
                }
                Err(Error::key(
                    what,
                    "public key is not Ed25519 or ECDSA P-256 / P-384 / P-521 (or the PEM is damaged)",
                ))
            }
            "PRIVATE KEY" | "EC PRIVATE KEY" | "ENCRYPTED PRIVATE KEY" => Err(Error::key(
                what,
                "this is a private key; pass the public key (the .pub file) to verify",
            )),
            other => Err(Error::key(
                what,
                format!("unexpected PEM type {other:?}, expected PUBLIC KEY"),
            )),
        }
    }

    /// Read a PEM public key file.
    pub fn read(path: &Path) -> Result<Self> {
        let text = read_text(path)?;
        Self::from_pem(&text, &path.display().to_string())
    }

    /// Which algorithm this key uses.
    pub fn algorithm(&self) -> KeyAlgorithm {
        match self {
            PublicKey::Ed25519(_) => KeyAlgorithm::Ed25519,
            PublicKey::P256(_) => KeyAlgorithm::EcdsaP256,
            PublicKey::P384(_) => KeyAlgorithm::EcdsaP384,
            PublicKey::P521(_) => KeyAlgorithm::EcdsaP521,
        }
    }

    /// SPKI PEM text with LF line endings and 64-column base64, the same bytes OpenSSL and
    /// Python `cryptography` write.
    pub fn to_pem(&self) -> Result<String> {
        let r = match self {
            PublicKey::Ed25519(k) => k.to_public_key_pem(LineEnding::LF),
            PublicKey::P256(k) => k.to_public_key_pem(LineEnding::LF),
            PublicKey::P384(k) => k.to_public_key_pem(LineEnding::LF),
            PublicKey::P521(k) => k.to_public_key_pem(LineEnding::LF),
        };
        r.map_err(|e| Error::key("public key", format!("cannot encode: {e}")))
    }

    /// The key id: lowercase hex SHA-256 of the canonical SPKI PEM text. This is the `hint`
    /// OpenSSF model signing puts in its bundles; datagate uses it as the DSSE `keyid` too.
    pub fn key_id(&self) -> Result<String> {
        Ok(hex::encode(crate::hash::sha256(self.to_pem()?.as_bytes())))
    }

    /// Verify `signature` over `message`. ECDSA signatures must be DER; Ed25519 raw 64 bytes.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> Result<()> {
        let fail = |m: &str| Err(Error::BadSignature(m.to_string()));
        match self {
            PublicKey::Ed25519(k) => {
                let Ok(bytes) = <[u8; 64]>::try_from(signature) else {
                    return fail(&format!(
                        "an Ed25519 signature is 64 bytes, this one is {}",
                        signature.len()
                    ));
                };
                let sig = ed25519_dalek::Signature::from_bytes(&bytes);
                k.verify_strict(message, &sig)
                    .or_else(|_| fail("Ed25519 signature does not match this key and message"))
            }
            PublicKey::P256(k) => {
                // DER is what Sigstore and model signing use; the fixed r||s form (64 bytes) is
                // accepted too because the DSSE spec's own test vector uses it.
                let sig = match p256::ecdsa::DerSignature::try_from(signature) {
                    Ok(der) => p256::ecdsa::Signature::from_der(der.as_bytes()).ok(),
                    Err(_) if signature.len() == 64 => {
                        p256::ecdsa::Signature::from_slice(signature).ok()
                    }
                    Err(_) => None,
                };
                let Some(sig) = sig else {
                    return fail("not a DER-encoded ECDSA P-256 signature (truncated or damaged)");
                };
                k.verify(message, &sig)
                    .or_else(|_| fail("ECDSA P-256 signature does not match this key and message"))
            }
            PublicKey::P384(k) => {
                // DER is what Sigstore and model signing use; the fixed r||s form (96 bytes) is
                // accepted too because the DSSE spec's own test vector uses it.
                let sig = match p384::ecdsa::DerSignature::try_from(signature) {
                    Ok(der) => p384::ecdsa::Signature::from_der(der.as_bytes()).ok(),
                    Err(_) if signature.len() == 96 => {
                        p384::ecdsa::Signature::from_slice(signature).ok()
                    }
                    Err(_) => None,
                };
                let Some(sig) = sig else {
                    return fail("not a DER-encoded ECDSA P-384 signature (truncated or damaged)");
                };
                k.verify(message, &sig)
                    .or_else(|_| fail("ECDSA P-384 signature does not match this key and message"))
            }
            PublicKey::P521(k) => {
                let sig = match p521::ecdsa::DerSignature::try_from(signature) {
                    Ok(der) => p521::ecdsa::Signature::from_der(der.as_bytes()).ok(),
                    Err(_) if signature.len() == 132 => {
                        p521::ecdsa::Signature::from_slice(signature).ok()
                    }
                    Err(_) => None,
                };
                let Some(sig) = sig else {
                    return fail("not a DER-encoded ECDSA P-521 signature (truncated or damaged)");
                };
                k.verify(message, &sig)
                    .or_else(|_| fail("ECDSA P-521 signature does not match this key and message"))
            }
        }
    }
}

fn pem_label(pem: &str) -> Option<String> {
    let line = pem.lines().map(str::trim).find(|l| !l.is_empty())?;
    let rest = line.strip_prefix("-----BEGIN ")?;
    Some(rest.strip_suffix("-----")?.to_string())
}

fn read_text(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|e| Error::read(path, e))?;
    if bytes.len() > 64 * 1024 {
        return Err(Error::key(
            path.display().to_string(),
            "file is too large to be a PEM key",
        ));
    }
    String::from_utf8(bytes).map_err(|_| {
        Error::key(
            path.display().to_string(),
            "not a PEM text file (not UTF-8)",
        )
    })
}

/// Generate a key pair and write `out` (private, PKCS#8 PEM, mode 0600) and `out.pub` (SPKI
/// PEM). Refuses to overwrite either unless `force`. Returns the two paths.
pub fn generate_files(
    out: &Path,
    algorithm: KeyAlgorithm,
    force: bool,
) -> Result<(PathBuf, PathBuf)> {
    let mut pub_path = out.as_os_str().to_owned();
    pub_path.push(".pub");
    let pub_path = PathBuf::from(pub_path);
    if !force {
        for p in [out, pub_path.as_path()] {
            if p.exists() {
                return Err(Error::write(
                    p,
                    std::io::Error::new(
                        std::io::ErrorKind::AlreadyExists,
                        "already exists (use --force to replace it)",
                    ),
                ));
            }
        }
    }
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| Error::write(dir, e))?;
    }
    let key = PrivateKey::generate(algorithm)?;
    write_atomic(out, key.to_pem()?.as_bytes(), true)?;
    write_atomic(&pub_path, key.public_key().to_pem()?.as_bytes(), false)?;
    Ok((out.to_path_buf(), pub_path))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [KeyAlgorithm; 3] = [
        KeyAlgorithm::Ed25519,
        KeyAlgorithm::EcdsaP256,
        KeyAlgorithm::EcdsaP384,
    ];

    #[test]
    fn pem_round_trip_sign_verify_each_algorithm() {
        for alg in ALL {
            let k = PrivateKey::generate(alg).unwrap();
            let pem = k.to_pem().unwrap();
            assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));
            let k2 = PrivateKey::from_pem(&pem, "t").unwrap();
            assert_eq!(k2.algorithm(), alg);
            let pubkey = PublicKey::from_pem(&k.public_key().to_pem().unwrap(), "t").unwrap();
            assert_eq!(pubkey, k.public_key());
            let sig = k2.sign(b"hello");
            pubkey.verify(b"hello", &sig).unwrap();
            assert!(matches!(
                pubkey.verify(b"hellO", &sig),
                Err(Error::BadSignature(_))
            ));
            // Truncated signatures are a clean error.
            for n in [0, 1, sig.len() / 2, sig.len() - 1] {
                assert!(pubkey.verify(b"hello", &sig[..n]).is_err(), "{alg:?} {n}");
            }
            // Wrong key.
            let other = PrivateKey::generate(alg).unwrap().public_key();
            assert!(other.verify(b"hello", &sig).is_err());
        }
    }

    #[test]
    fn rfc8032_test_1_public_key_and_signature() {
        // RFC 8032 section 7.1, TEST 1 (empty message).
        let seed: [u8; 32] =
            hex::decode("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
                .unwrap()
                .try_into()
                .unwrap();
        let k = PrivateKey::Ed25519(ed25519_dalek::SigningKey::from_bytes(&seed));
        let PublicKey::Ed25519(vk) = k.public_key() else {
            unreachable!()
        };
        assert_eq!(
            hex::encode(vk.as_bytes()),
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
        );
        assert_eq!(
            hex::encode(k.sign(b"")),
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
        );
    }

    #[test]
    fn openssl_style_keys_are_read() {
        // `openssl genpkey -algorithm ed25519` and its `-pubout`.
        let priv_pem = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n-----END PRIVATE KEY-----\n";
        let k = PrivateKey::from_pem(priv_pem, "t").unwrap();
        assert_eq!(k.algorithm(), KeyAlgorithm::Ed25519);
        assert_eq!(
            k.public_key().to_pem().unwrap(),
            "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n-----END PUBLIC KEY-----\n"
        );
    }

    #[test]
    fn bad_pem_is_a_clear_error() {
        let cases = [
            ("", "not a PEM"),
            ("hello", "not a PEM"),
            ("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "damaged"),
            ("-----BEGIN PUBLIC KEY-----\nMCowBQ==\n-----END PUBLIC KEY-----\n", "public key"),
            ("-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n", "encrypted"),
            ("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "unexpected PEM type"),
        ];
        for (pem, needle) in cases {
            let err = PrivateKey::from_pem(pem, "k.pem").unwrap_err().to_string();
            assert!(
                err.contains(needle) && err.contains("k.pem"),
                "{pem:?}: {err}"
            );
        }
        let err = PublicKey::from_pem(
            "-----BEGIN PRIVATE KEY-----\nAA\n-----END PRIVATE KEY-----\n",
            "k",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("private key"), "{err}");
        let err = PublicKey::from_pem(
            "-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----\n",
            "k",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("damaged"), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn generate_files_writes_private_0600_and_refuses_overwrite() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("keys/alice");
        let (priv_path, pub_path) = generate_files(&out, KeyAlgorithm::Ed25519, false).unwrap();
        let mode = std::fs::metadata(&priv_path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(pub_path, dir.path().join("keys/alice.pub"));
        let k = PrivateKey::read(&priv_path).unwrap();
        assert_eq!(PublicKey::read(&pub_path).unwrap(), k.public_key());
        assert!(generate_files(&out, KeyAlgorithm::Ed25519, false).is_err());
        generate_files(&out, KeyAlgorithm::EcdsaP256, true).unwrap();
        assert_eq!(
            PrivateKey::read(&priv_path).unwrap().algorithm(),
            KeyAlgorithm::EcdsaP256
        );
    }
}
