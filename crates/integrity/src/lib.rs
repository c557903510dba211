//! Integrity for datagate: fingerprints, manifests, keys and signatures.
//!
//! This crate answers "is this the file (tree, model) we think it is, and who vouched for it?":
//!
//! - [`hash`]: streaming SHA-256 and BLAKE3 of files, parallel across files, constant memory.
//! - [`walk`]: directory walking that records symlinks as links and never follows them.
//! - [`manifest`]: a tree's fingerprint as RFC 8785 canonical JSON, and verification that names
//!   modified, added, removed and unreadable files.
//! - [`keys`]: Ed25519 (default) and ECDSA P-256/P-384 keys in PEM (PKCS#8 private, SPKI public).
//! - [`dsse`]: DSSE envelopes (exact PAE) carrying in-toto Statement v1.
//! - [`oms`]: OpenSSF model-signing (OMS v1.0) bundles that the `model_signing` CLI accepts.
//! - [`content`]: a dataset's content fingerprint over its rows (`datagate-rows-v1`), stable
//!   across re-encodings (CSV, Parquet, JSON Lines, Arrow IPC, compression).
//!
//! The key design decision: everything here is pure Rust from one RustCrypto generation
//! (sha2 0.11, ed25519-dalek 3, p256/p384 0.14), and the signed formats (DSSE, in-toto, the
//! Sigstore bundle) are small hand-written serde types checked against the specs' own test
//! vectors and against the reference implementation (tests/peers/model-signing), instead of
//! the `sigstore` crate, which would pull a second crypto stack and ~250 packages.
//!
//! Files are read in blocks, never memory-mapped: watched directories change under us, and a
//! mapped file that shrinks kills the process with SIGBUS.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod content;
pub mod dsse;
mod error;
pub mod fsutil;
pub mod hash;
pub mod keys;
pub mod manifest;
pub mod oms;
pub mod paths;
pub mod walk;

pub use error::{Error, Result};
pub use hash::{Algorithms, Digests};
