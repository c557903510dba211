//! Key files for pseudonymisation and tokenisation.
//!
//! A key file holds one 32-byte master key as 64 hex characters. Purpose keys
//! are derived from it with HMAC-SHA256 under fixed labels, so one file serves
//! the HMAC pseudonyms, the AES-SIV tokens and the hash salt without the same
//! bytes ever being used for two purposes. Key files are created with mode 0600
//! and never printed ([`KeyFile`]'s `Debug` shows nothing secret).

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use hmac::{KeyInit, Mac};
use sha2::Sha256;

/// Errors reading or writing a key file.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The key file could not be read or written.
    #[error("key file {path}: {error}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        error: std::io::Error,
    },
    /// The key file exists already (generation never overwrites).
    #[error("key file {0} already exists; refusing to overwrite a key")]
    Exists(PathBuf),
    /// The file is not 64 hex characters.
    #[error("key file {0} is not a datagate key (expected 64 hex characters)")]
    Malformed(PathBuf),
    /// No random bytes from the operating system.
    #[error("no randomness from the operating system: {0}")]
    Random(String),
}

/// A loaded master key.
#[derive(Clone)]
pub struct KeyFile {
    master: [u8; 32],
}

impl fmt::Debug for KeyFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyFile(<secret>)")
    }
}

impl KeyFile {
    /// A key from raw bytes (tests and callers holding a key elsewhere).
    pub fn from_bytes(master: [u8; 32]) -> Self {
        KeyFile { master }
    }

    /// Creates a new random key at `path` with mode 0600 and returns it.
    pub fn generate(path: &Path) -> Result<Self, KeyError> {
        let mut master = [0u8; 32];
        getrandom::fill(&mut master).map_err(|e| KeyError::Random(e.to_string()))?;
        let io = |error| KeyError::Io {
            path: path.to_path_buf(),
            error,
        };
        if path.exists() {
            return Err(KeyError::Exists(path.to_path_buf()));
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts.open(path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                KeyError::Exists(path.to_path_buf())
            } else {
                io(e)
            }
        })?;
        f.write_all(format!("{}\n", hex::encode(master)).as_bytes())
            .and_then(|()| f.sync_all())
            .map_err(io)?;
        Ok(KeyFile { master })
    }

    /// Loads a key file.
    pub fn load(path: &Path) -> Result<Self, KeyError> {
        let meta = std::fs::metadata(path).map_err(|error| KeyError::Io {
            path: path.to_path_buf(),
            error,
        })?;
        if meta.len() > 1024 {
            return Err(KeyError::Malformed(path.to_path_buf()));
        }
        let text = std::fs::read_to_string(path).map_err(|error| KeyError::Io {
            path: path.to_path_buf(),
            error,
        })?;
        let bytes =
            hex::decode(text.trim()).map_err(|_| KeyError::Malformed(path.to_path_buf()))?;
        let master: [u8; 32] = bytes
            .try_into()
            .map_err(|_| KeyError::Malformed(path.to_path_buf()))?;
        Ok(KeyFile { master })
    }

    /// True if the file at `path` can be read by group or others (unix).
    pub fn too_open(path: &Path) -> bool {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o077 != 0)
        }
        #[cfg(not(unix))]
        {
            let _ = path;
            false
        }
    }

    /// A 32-byte key for one purpose: HMAC-SHA256(master, label).
    pub fn derive(&self, label: &str) -> [u8; 32] {
        hmac_sha256(&self.master, label.as_bytes())
    }

    /// A short public id of the key (first 8 bytes of a derived value), to tell
    /// which key made a file without revealing it.
    pub fn key_id(&self) -> String {
        hex::encode(&self.derive("datagate/pii/key-id/v1")[..8])
    }
}

/// HMAC-SHA256.
pub fn hmac_sha256(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut mac = <hmac::Hmac<Sha256> as KeyInit>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(data);
    mac.finalize().into_bytes().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generate_then_load_and_permissions() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("pii.key");
        let k1 = KeyFile::generate(&path).unwrap_or_else(|e| panic!("{e}"));
        let k2 = KeyFile::load(&path).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(k1.derive("a"), k2.derive("a"));
        assert_ne!(k1.derive("a"), k1.derive("b"));
        assert!(!KeyFile::too_open(&path));
        assert!(matches!(KeyFile::generate(&path), Err(KeyError::Exists(_))));
        assert_eq!(format!("{k1:?}"), "KeyFile(<secret>)");
    }

    #[test]
    fn bad_files() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("bad.key");
        std::fs::write(&path, "not hex").unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(KeyFile::load(&path), Err(KeyError::Malformed(_))));
        assert!(matches!(
            KeyFile::load(&dir.path().join("missing.key")),
            Err(KeyError::Io { .. })
        ));
    }

    #[test]
    fn hmac_rfc4231_case_2() {
        let out = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            hex::encode(out),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
