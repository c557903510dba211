//! The log's Ed25519 key in `.datagate/keys/`.
//!
//! * `ledger.key`: the private key, PKCS#8 PEM (file mode 0600).
//! * `ledger.vkey`: the note verifier key `<origin>+<hash>+<base64 key>`,
//!   which names the log (its origin) and is what a witness or a user keeps
//!   to check checkpoints (`log verify --against`, `log check-proof`).

use std::path::Path;

use ed25519_dalek::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use ed25519_dalek::SigningKey;

use crate::note::{NoteSigner, NoteVerifier};
use crate::{LedgerError, Result};
use datagate_project::{write_atomic, Project};

/// File name of the log's private key.
pub const PRIVATE_KEY_FILE: &str = "ledger.key";
/// File name of the log's verifier key.
pub const VERIFIER_KEY_FILE: &str = "ledger.vkey";

fn key_err(path: &Path, message: impl std::fmt::Display) -> LedgerError {
    LedgerError::Key {
        path: path.to_path_buf(),
        message: message.to_string(),
    }
}

/// A log origin for a project: `datagate/<name>-<8 random hex>` with the name
/// reduced to `[A-Za-z0-9._-]` (origins name one log, so two projects with
/// the same name still get different origins).
pub fn new_origin(project_name: &str) -> Result<String> {
    let clean: String = project_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '-'
            }
        })
        .collect();
    let mut rnd = [0u8; 4];
    getrandom::fill(&mut rnd).map_err(|e| key_err(Path::new("<os random>"), e))?;
    Ok(format!("datagate/{clean}-{}", hex::encode(rnd)))
}

/// Generates a fresh Ed25519 key from the OS random source.
pub fn generate_key() -> Result<SigningKey> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| key_err(Path::new("<os random>"), e))?;
    Ok(SigningKey::from_bytes(&seed))
}

/// Creates the log key pair if `ledger.key` does not exist yet.
pub fn ensure_log_key(project: &Project) -> Result<()> {
    let dir = project.keys_dir();
    let private = dir.join(PRIVATE_KEY_FILE);
    if private.exists() {
        return Ok(());
    }
    std::fs::create_dir_all(&dir).map_err(|e| key_err(&dir, e))?;
    let key = generate_key()?;
    let origin = new_origin(&project.name())?;
    let pem = key
        .to_pkcs8_pem(Default::default())
        .map_err(|e| key_err(&private, e))?;
    let vkey = NoteSigner::new(&origin, key.clone())?.verifier().to_vkey();
    // The verifier key first: a crash in between leaves no private key, and
    // the next init starts again.
    write_atomic(&dir.join(VERIFIER_KEY_FILE), format!("{vkey}\n").as_bytes())?;
    write_atomic(&private, pem.as_bytes())?;
    Ok(())
}

/// Loads the log key and its origin (from `ledger.vkey`), checking that the
/// two files belong together.
pub fn load_log_key(project: &Project) -> Result<(SigningKey, String)> {
    let dir = project.keys_dir();
    let private = dir.join(PRIVATE_KEY_FILE);
    if !private.exists() {
        return Err(LedgerError::NotInitialised { path: private });
    }
    let pem = std::fs::read_to_string(&private).map_err(|e| key_err(&private, e))?;
    let key = SigningKey::from_pkcs8_pem(&pem)
        .map_err(|e| key_err(&private, format!("not an Ed25519 PKCS#8 PEM key: {e}")))?;
    let vpath = dir.join(VERIFIER_KEY_FILE);
    let verifier = load_verifier(&vpath)?;
    let origin = verifier.name().to_string();
    if NoteSigner::new(&origin, key.clone())?.verifier() != verifier {
        return Err(key_err(
            &vpath,
            "does not match the private key in ledger.key",
        ));
    }
    Ok((key, origin))
}

/// Reads a verifier key file (`<name>+<hash>+<key>`).
pub fn load_verifier(path: &Path) -> Result<NoteVerifier> {
    let text = std::fs::read_to_string(path).map_err(|e| key_err(path, e))?;
    NoteVerifier::parse(text.trim()).map_err(|e| key_err(path, e))
}
