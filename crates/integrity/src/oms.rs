//! OpenSSF model signing (OMS v1.0) bundles, readable and writable by the `model_signing` CLI.
//!
//! A model signature (`model.sig`) is a Sigstore bundle v0.3 in protobuf-JSON form:
//!
//! ```json
//! {"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
//!  "verificationMaterial": {"publicKey": {"hint": "<hex sha256 of the SPKI PEM>"}, "tlogEntries": []},
//!  "dsseEnvelope": {"payload": "<b64 statement>", "payloadType": "application/vnd.in-toto+json",
//!                   "signatures": [{"sig": "<b64 DER ECDSA>", "keyid": ""}]}}
//! ```
//!
//! The statement is an in-toto Statement v1 with predicate type
//! `https://model_signing/signature/v1.0`. Its predicate lists every file of the model as a
//! resource `{name: relative POSIX path, algorithm, digest: hex}` (sorted by path components)
//! and how the tree was serialised (`method` `files` or `shards`, `hash_type`,
//! `allow_symlinks`, `ignore_paths`). The one subject is the model (folder name) with
//! `sha256` = SHA-256 over the concatenated raw resource digests in listed order.
//!
//! Verification follows the reference verifier: media type, key hint, ECDSA (or Ed25519)
//! signature over PAE (and the legacy v0.2 "compat" PAE), payload and statement types, one
//! subject whose digest equals the recomputed root, then a re-hash of the folder with the signed
//! serialisation parameters, reporting modified, added and removed files. The signed
//! `allow_symlinks` is enforced, and ignore paths come only from the bundle being checked, the
//! built-in defaults and the signature file's own location.
//!
//! Only public-key bundles are handled; certificate and Sigstore keyless bundles (Fulcio chain,
//! Rekor proof) are reported as unsupported.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::dsse::{
    decode_base64, encode_base64, pae, read_bounded, EnvelopeSignature, IN_TOTO_PAYLOAD_TYPE,
    STATEMENT_TYPE_V1,
};
use crate::error::{Error, Result};
use crate::hash::{hash_file, Algorithms};
use crate::keys::{PrivateKey, PublicKey};
use crate::paths::check_relative;
use crate::walk::{walk, EntryKind};

/// The bundle media type OMS v1.0 uses.
pub const BUNDLE_MEDIA_TYPE: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";
/// Predicate type of OMS v1.0 statements.
pub const PREDICATE_TYPE: &str = "https://model_signing/signature/v1.0";
/// Predicate type of pre-1.0 (v0.2) statements: one subject per file, no root digest.
pub const PREDICATE_TYPE_COMPAT: &str = "https://model_signing/Digests/v0.1";
/// Paths always left out of a model's fingerprint (as the reference implementation does).
pub const DEFAULT_IGNORE_PATHS: [&str; 4] = [".git", ".gitattributes", ".github", ".gitignore"];
/// Largest bundle read from disk.
pub const MAX_BUNDLE_BYTES: u64 = 256 * 1024 * 1024;

/// A Sigstore bundle v0.3 as OMS writes it (the public-key flavour).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Bundle {
    /// Must be [`BUNDLE_MEDIA_TYPE`].
    pub media_type: String,
    /// How to find the key.
    pub verification_material: VerificationMaterial,
    /// The signed statement.
    pub dsse_envelope: crate::dsse::Envelope,
}

/// The bundle's verification material.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VerificationMaterial {
    /// Present for public-key bundles.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key: Option<PublicKeyIdentifier>,
    /// Transparency log entries (empty for key-signed bundles).
    #[serde(default)]
    pub tlog_entries: Vec<serde_json::Value>,
    /// Anything else (certificates, timestamps), kept so it can be reported.
    #[serde(flatten)]
    pub other: serde_json::Map<String, serde_json::Value>,
}

/// `publicKey` in the verification material.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PublicKeyIdentifier {
    /// Hex SHA-256 of the signer's SPKI PEM.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

/// Serialisation parameters recorded in (and needed to re-check) a model signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Serialization {
    /// `files` (one digest per file) or `shards` (one per `shard_size` piece).
    pub method: Method,
    /// `sha256` or `blake3`.
    pub hash_type: String,
    /// Whether symlinks were followed (inside the tree only, here).
    pub allow_symlinks: bool,
    /// Paths (relative to the model) left out.
    pub ignore_paths: Vec<String>,
}

/// Serialisation method.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// One resource per file.
    Files,
    /// One resource per `[start, end)` piece of every file.
    Shards {
        /// Piece size in bytes.
        shard_size: u64,
    },
}

/// What verification found about a model folder.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ModelReport {
    /// Model name from the statement's subject.
    pub model_name: String,
    /// The signed root digest (hex SHA-256 over the resource digests, in listed order).
    pub root_sha256: String,
    /// Resources in the signature.
    pub resources: usize,
    /// Resources whose digest differs.
    pub modified: Vec<String>,
    /// On disk, not signed.
    pub added: Vec<String>,
    /// Signed, not on disk.
    pub removed: Vec<String>,
}

impl ModelReport {
    /// True when the folder is exactly what was signed.
    pub fn is_clean(&self) -> bool {
        self.modified.is_empty() && self.added.is_empty() && self.removed.is_empty()
    }
}

/// A resource name → (algorithm, hex digest) map.
type Resources = BTreeMap<String, (String, String)>;

fn is_ignored(rel: &str, ignore: &[String]) -> bool {
    ignore.iter().any(|i| {
        rel == i
            || (rel.len() > i.len()
                && rel.starts_with(i.as_str())
                && rel.as_bytes()[i.len()] == b'/')
    })
}

/// Hash a model (folder or single file) the way `model_signing` does for `serialization`.
///
/// A symlink the serialisation does not allow (or one leaving the folder) is an error; when
/// `verifying`, it is reported as the folder not matching its signature (a failed check) rather
/// than as a usage error.
fn hash_model(model: &Path, ser: &Serialization, verifying: bool) -> Result<Resources> {
    let link_error = |msg: String| {
        if verifying {
            Error::BadSignature(format!(
                "the model folder does not match its signature: {msg}"
            ))
        } else {
            Error::Unsupported(format!("cannot sign: {msg}"))
        }
    };
    let algorithms = match ser.hash_type.as_str() {
        "sha256" => Algorithms::Sha256,
        "blake3" => Algorithms::Blake3,
        other => {
            return Err(Error::Unsupported(format!(
                "model signature uses hash_type {other:?}; datagate supports sha256 and blake3"
            )))
        }
    };
    let meta = std::fs::metadata(model).map_err(|e| Error::read(model, e))?;
    let mut files: Vec<(String, PathBuf)> = Vec::new();
    if meta.is_dir() {
        let w = walk(model, &|rel| is_ignored(rel, &ser.ignore_paths))?;
        if let Some(p) = w.problems.into_iter().next() {
            return Err(p.error);
        }
        for e in w.entries {
            match e.kind {
                EntryKind::File { .. } => files.push((e.rel, e.path)),
                EntryKind::Symlink { target, escapes } => {
                    if !ser.allow_symlinks {
                        return Err(link_error(format!(
                            "{} is a symlink (to {target:?}); symlinks are not allowed",
                            e.rel
                        )));
                    }
                    if escapes {
                        return Err(link_error(format!(
                            "{} is a symlink pointing outside the model folder (to {target:?})",
                            e.rel
                        )));
                    }
                    files.push((e.rel, e.path));
                }
            }
        }
    } else {
        files.push((".".to_string(), model.to_path_buf()));
    }
    let hash_type = ser.hash_type.clone();
    let results: Vec<Result<Vec<(String, String)>>> = files
        .par_iter()
        .with_max_len(1)
        .map(|(rel, path)| match ser.method {
            Method::Files => {
                let d = hash_file(path, algorithms)?;
                let hex = d.sha256_hex().or(d.blake3_hex()).unwrap_or_default();
                Ok(vec![(rel.clone(), hex)])
            }
            Method::Shards { shard_size } => hash_shards(rel, path, shard_size, algorithms),
        })
        .collect();
    let mut out = Resources::new();
    for r in results {
        for (name, hex) in r? {
            out.insert(name, (hash_type.clone(), hex));
        }
    }
    Ok(out)
}

fn hash_shards(
    rel: &str,
    path: &Path,
    shard_size: u64,
    algorithms: Algorithms,
) -> Result<Vec<(String, String)>> {
    if !std::fs::metadata(path)
        .map_err(|e| Error::read(path, e))?
        .is_file()
    {
        return Err(Error::read(
            path,
            std::io::Error::other("not a regular file"),
        ));
    }
    let mut f = File::open(path).map_err(|e| Error::read(path, e))?;
    let size = f.metadata().map_err(|e| Error::read(path, e))?.len();
    let mut out = Vec::new();
    let mut start = 0u64;
    loop {
        let end = size.min(start.saturating_add(shard_size));
        f.seek(SeekFrom::Start(start))
            .map_err(|e| Error::read(path, e))?;
        let d = crate::hash::hash_reader((&mut f).take(end - start), algorithms, &|_| {})
            .map_err(|e| Error::read(path, e))?;
        if d.size != end - start {
            return Err(Error::read(
                path,
                std::io::Error::other("file shrank while hashing"),
            ));
        }
        out.push((
            format!("{rel}:{start}:{end}"),
            d.sha256_hex().or(d.blake3_hex()).unwrap_or_default(),
        ));
        if end >= size {
            break;
        }
        start = end;
    }
    Ok(out)
}

/// Sort resource names as Python's `PurePosixPath` ordering does (component by component).
fn sort_key(name: &str) -> Vec<&str> {
    name.split('/').collect()
}

fn root_digest(resources: &[(String, String, String)]) -> Result<String> {
    let mut h = Sha256::new();
    for (name, _, hex) in resources {
        let raw = hex::decode(hex).map_err(|_| {
            Error::format(
                "model signature",
                format!("resource {name}: digest is not hex"),
            )
        })?;
        h.update(&raw);
    }
    Ok(hex::encode(h.finalize()))
}

/// The relative path of `file` inside `model`, if it is inside.
fn rel_in_model(model: &Path, file: &Path) -> Option<String> {
    crate::manifest::rel_inside(model, file)
}

fn model_name(model: &Path) -> String {
    model
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .or_else(|| {
            std::fs::canonicalize(model)
                .ok()
                .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        })
        .unwrap_or_else(|| "model".to_string())
}

/// Sign the model at `model` (a folder or one file). `signature_path` is where the bundle will
/// be written: when it lies inside the model it is left out of the fingerprint (and recorded in
/// `ignore_paths`, as the reference implementation does). `extra_ignore` adds relative paths.
pub fn sign_model(
    model: &Path,
    key: &PrivateKey,
    signature_path: &Path,
    extra_ignore: &[String],
) -> Result<Bundle> {
    let mut ignore: Vec<String> = DEFAULT_IGNORE_PATHS.iter().map(|s| s.to_string()).collect();
    for p in extra_ignore {
        check_relative(p)?;
        ignore.push(p.clone());
    }
    if let Some(rel) = rel_in_model(model, signature_path) {
        ignore.push(rel);
    }
    ignore.dedup();
    let ser = Serialization {
        method: Method::Files,
        hash_type: "sha256".into(),
        allow_symlinks: false,
        ignore_paths: ignore,
    };
    let hashed = hash_model(model, &ser, false)?;
    let mut resources: Vec<(String, String, String)> =
        hashed.into_iter().map(|(n, (a, d))| (n, a, d)).collect();
    resources.sort_by(|a, b| sort_key(&a.0).cmp(&sort_key(&b.0)));
    let root = root_digest(&resources)?;
    let statement = serde_json::json!({
        "_type": STATEMENT_TYPE_V1,
        "subject": [{"name": model_name(model), "digest": {"sha256": root}}],
        "predicateType": PREDICATE_TYPE,
        "predicate": {
            "resources": resources.iter().map(|(n, a, d)| serde_json::json!({"name": n, "digest": d, "algorithm": a})).collect::<Vec<_>>(),
            "serialization": {
                "ignore_paths": ser.ignore_paths,
                "method": "files",
                "allow_symlinks": false,
                "hash_type": ser.hash_type,
            },
        },
    });
    let payload = serde_json::to_vec_pretty(&statement)
        .map_err(|e| Error::format("model statement", e.to_string()))?;
    let sig = key.sign(&pae(IN_TOTO_PAYLOAD_TYPE.as_bytes(), &payload));
    Ok(Bundle {
        media_type: BUNDLE_MEDIA_TYPE.into(),
        verification_material: VerificationMaterial {
            public_key: Some(PublicKeyIdentifier {
                hint: Some(key.public_key().key_id()?),
            }),
            tlog_entries: Vec::new(),
            other: serde_json::Map::new(),
        },
        dsse_envelope: crate::dsse::Envelope {
            payload: encode_base64(&payload),
            payload_type: IN_TOTO_PAYLOAD_TYPE.into(),
            signatures: vec![EnvelopeSignature {
                sig: encode_base64(&sig),
                keyid: String::new(),
            }],
        },
    })
}

impl Bundle {
    /// Parse a bundle; `what` names it in errors.
    pub fn from_json(bytes: &[u8], what: &str) -> Result<Self> {
        serde_json::from_slice(bytes)
            .map_err(|e| Error::format(format!("model signature {what}"), e.to_string()))
    }

    /// Read a bundle file (bounded in size).
    pub fn read(path: &Path) -> Result<Self> {
        let bytes = read_bounded(path, MAX_BUNDLE_BYTES)?;
        Self::from_json(&bytes, &path.display().to_string())
    }

    /// The JSON text written to `model.sig` (compact, like the reference implementation).
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string(self).map_err(|e| Error::format("model signature", e.to_string()))
    }
}

/// Python's `repr()` of a bytes object, for the v0.2 compat PAE.
fn python_bytes_repr(b: &[u8]) -> String {
    let quote = if b.contains(&b'\'') && !b.contains(&b'"') {
        '"'
    } else {
        '\''
    };
    let mut s = String::with_capacity(b.len() + 3);
    s.push('b');
    s.push(quote);
    for &c in b {
        match c {
            b'\\' => s.push_str("\\\\"),
            b'\t' => s.push_str("\\t"),
            b'\n' => s.push_str("\\n"),
            b'\r' => s.push_str("\\r"),
            c if c as char == quote => {
                s.push('\\');
                s.push(quote);
            }
            0x20..=0x7e => s.push(c as char),
            c => s.push_str(&format!("\\x{c:02x}")),
        }
    }
    s.push(quote);
    s
}

/// The buggy PAE of model_signing v0.2, still accepted by the reference verifier.
fn pae_compat(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    format!(
        "DSSEV1 {} {payload_type} {} {}",
        payload_type.len(),
        payload.len(),
        python_bytes_repr(payload)
    )
    .into_bytes()
}

fn field<'a>(v: &'a serde_json::Value, key: &str, what: &str) -> Result<&'a serde_json::Value> {
    v.get(key).ok_or_else(|| {
        Error::format(
            "model signature statement",
            format!("{what}: missing {key:?}"),
        )
    })
}

fn string<'a>(v: &'a serde_json::Value, key: &str, what: &str) -> Result<&'a str> {
    field(v, key, what)?.as_str().ok_or_else(|| {
        Error::format(
            "model signature statement",
            format!("{what}: {key:?} is not a string"),
        )
    })
}

fn parse_serialization(v: &serde_json::Value) -> Result<Serialization> {
    let what = "predicate.serialization";
    let method = match string(v, "method", what)? {
        "files" => Method::Files,
        "shards" => {
            let size = field(v, "shard_size", what)?
                .as_u64()
                .filter(|s| *s > 0)
                .ok_or_else(|| {
                    Error::format(
                        "model signature statement",
                        "shard_size must be a positive integer",
                    )
                })?;
            Method::Shards { shard_size: size }
        }
        other => {
            return Err(Error::Unsupported(format!(
                "serialization method {other:?} is not supported"
            )))
        }
    };
    let allow_symlinks = match v.get("allow_symlinks") {
        None | Some(serde_json::Value::Null) => false,
        Some(serde_json::Value::Bool(b)) => *b,
        // The compat path of the reference writes the string "false".
        Some(serde_json::Value::String(s)) => s.eq_ignore_ascii_case("true"),
        Some(_) => {
            return Err(Error::format(
                "model signature statement",
                "allow_symlinks is not a boolean",
            ))
        }
    };
    let mut ignore_paths = Vec::new();
    if let Some(list) = v.get("ignore_paths") {
        let list = list.as_array().ok_or_else(|| {
            Error::format("model signature statement", "ignore_paths is not a list")
        })?;
        for p in list {
            let p = p.as_str().ok_or_else(|| {
                Error::format(
                    "model signature statement",
                    "ignore_paths entry is not a string",
                )
            })?;
            // A path that could leave the model can never match a file inside it: skip it.
            if check_relative(p).is_ok() {
                ignore_paths.push(p.to_string());
            }
        }
    }
    Ok(Serialization {
        method,
        hash_type: string(v, "hash_type", what)?.to_string(),
        allow_symlinks,
        ignore_paths,
    })
}

fn check_resource_name(name: &str, method: Method) -> Result<()> {
    let path = match method {
        Method::Files => name,
        Method::Shards { .. } => {
            let mut it = name.rsplitn(3, ':');
            let (end, start, path) = (it.next(), it.next(), it.next());
            match (
                end.and_then(|e| e.parse::<u64>().ok()),
                start.and_then(|s| s.parse::<u64>().ok()),
                path,
            ) {
                (Some(_), Some(_), Some(p)) => p,
                _ => {
                    return Err(Error::format(
                        "model signature statement",
                        format!("shard resource {name:?} is not PATH:START:END"),
                    ))
                }
            }
        }
    };
    if path == "." {
        return Ok(());
    }
    check_relative(path)
}

/// Verify `bundle` for the model at `model` with `key`. `signature_path` (where the bundle was
/// read from) is left out of the re-hash when it lies inside the model. Returns the report;
/// a signature or statement failure is an `Err`, a changed folder is a report that is not clean.
pub fn verify_model(
    model: &Path,
    bundle: &Bundle,
    key: &PublicKey,
    signature_path: &Path,
) -> Result<ModelReport> {
    if bundle.media_type != BUNDLE_MEDIA_TYPE {
        return Err(Error::format(
            "model signature",
            format!(
                "mediaType is {:?}, expected {BUNDLE_MEDIA_TYPE:?}",
                bundle.media_type
            ),
        ));
    }
    let vm = &bundle.verification_material;
    if vm.public_key.is_none() {
        let kinds: Vec<&str> = vm.other.keys().map(String::as_str).collect();
        return Err(Error::Unsupported(format!(
            "this bundle is not signed with a public key (verification material: {}); datagate verifies key-signed bundles only",
            if kinds.is_empty() { "none".to_string() } else { kinds.join(", ") }
        )));
    }
    if let Some(hint) = vm.public_key.as_ref().and_then(|p| p.hint.as_deref()) {
        let id = key.key_id()?;
        if !hint.eq_ignore_ascii_case(&id) {
            return Err(Error::BadSignature(format!(
                "the bundle was signed by another key (hint {hint}, this public key is {id})"
            )));
        }
    }
    let env = &bundle.dsse_envelope;
    let payload = env.body()?;
    let Some(first) = env.signatures.first() else {
        return Err(Error::BadSignature("the bundle has no signatures".into()));
    };
    let sig = decode_base64(&first.sig)
        .ok_or_else(|| Error::BadSignature("signature is not valid base64".into()))?;
    if key
        .verify(&pae(env.payload_type.as_bytes(), &payload), &sig)
        .is_err()
    {
        key.verify(&pae_compat(&env.payload_type, &payload), &sig)?;
    }
    if env.payload_type != IN_TOTO_PAYLOAD_TYPE {
        return Err(Error::format(
            "model signature",
            format!(
                "payloadType is {:?}, expected {IN_TOTO_PAYLOAD_TYPE:?}",
                env.payload_type
            ),
        ));
    }
    let statement: serde_json::Value = serde_json::from_slice(&payload)
        .map_err(|e| Error::format("model signature statement", e.to_string()))?;
    let type_ = string(&statement, "_type", "statement")?;
    if type_ != STATEMENT_TYPE_V1 {
        return Err(Error::format(
            "model signature statement",
            format!("_type is {type_:?}, expected {STATEMENT_TYPE_V1:?}"),
        ));
    }
    let subjects = field(&statement, "subject", "statement")?
        .as_array()
        .ok_or_else(|| Error::format("model signature statement", "subject is not a list"))?;
    let predicate_type = string(&statement, "predicateType", "statement")?;
    let (name, ser, expected, root_sha256) = match predicate_type {
        PREDICATE_TYPE => {
            let [subject] = subjects.as_slice() else {
                return Err(Error::format(
                    "model signature statement",
                    format!("expected exactly one subject, found {}", subjects.len()),
                ));
            };
            let name = subject
                .get("name")
                .and_then(|n| n.as_str())
                .unwrap_or("")
                .to_string();
            let root = string(
                field(subject, "digest", "subject")?,
                "sha256",
                "subject.digest",
            )?;
            let predicate = field(&statement, "predicate", "statement")?;
            let ser = parse_serialization(field(predicate, "serialization", "predicate")?)?;
            let list = field(predicate, "resources", "predicate")?
                .as_array()
                .ok_or_else(|| {
                    Error::format("model signature statement", "resources is not a list")
                })?;
            let mut resources = Vec::with_capacity(list.len());
            for r in list {
                let n = string(r, "name", "resource")?;
                check_resource_name(n, ser.method)?;
                resources.push((
                    n.to_string(),
                    string(r, "algorithm", "resource")?.to_string(),
                    string(r, "digest", "resource")?.to_ascii_lowercase(),
                ));
            }
            let computed = root_digest(&resources)?;
            if !computed.eq_ignore_ascii_case(root) {
                return Err(Error::BadSignature(format!(
                    "the statement is inconsistent: root digest {root}, but its resources hash to {computed}"
                )));
            }
            let mut expected = Resources::new();
            for (n, a, d) in resources {
                if expected.insert(n.clone(), (a, d)).is_some() {
                    return Err(Error::format(
                        "model signature statement",
                        format!("resource {n:?} listed twice"),
                    ));
                }
            }
            (name, ser, expected, computed)
        }
        PREDICATE_TYPE_COMPAT => {
            let mut expected = Resources::new();
            let mut listed = Vec::new();
            for s in subjects {
                let n = string(s, "name", "subject")?;
                check_resource_name(n, Method::Files)?;
                let d = string(field(s, "digest", "subject")?, "sha256", "subject.digest")?;
                expected.insert(n.to_string(), ("sha256".into(), d.to_ascii_lowercase()));
                listed.push((n.to_string(), "sha256".to_string(), d.to_ascii_lowercase()));
            }
            let root = root_digest(&listed)?;
            let ser = Serialization {
                method: Method::Files,
                hash_type: "sha256".into(),
                allow_symlinks: false,
                ignore_paths: Vec::new(),
            };
            (
                "compat-undefined-not-present".to_string(),
                ser,
                expected,
                root,
            )
        }
        other => {
            return Err(Error::format(
                "model signature statement",
                format!("predicateType is {other:?}, expected {PREDICATE_TYPE:?}"),
            ))
        }
    };
    let mut ser = ser;
    for d in DEFAULT_IGNORE_PATHS {
        ser.ignore_paths.push(d.to_string());
    }
    if let Some(rel) = rel_in_model(model, signature_path) {
        ser.ignore_paths.push(rel);
    }
    let actual = hash_model(model, &ser, true)?;
    let mut report = ModelReport {
        model_name: name,
        root_sha256,
        resources: expected.len(),
        ..Default::default()
    };
    for (n, (alg, digest)) in &expected {
        match actual.get(n) {
            None => report.removed.push(n.clone()),
            Some((a, d)) => {
                if !a.eq_ignore_ascii_case(alg) || d != digest {
                    report.modified.push(n.clone());
                }
            }
        }
    }
    for n in actual.keys() {
        if !expected.contains_key(n) {
            report.added.push(n.clone());
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_repr_matches_cpython() {
        assert_eq!(python_bytes_repr(b"ab"), "b'ab'");
        assert_eq!(python_bytes_repr(b"a'b"), "b\"a'b\"");
        assert_eq!(python_bytes_repr(b"a'\"b"), "b'a\\'\"b'");
        assert_eq!(python_bytes_repr(b"\n\x00\\\xff"), "b'\\n\\x00\\\\\\xff'");
    }

    #[test]
    fn ignore_matches_path_and_children_only() {
        let ig = vec![".git".to_string(), "model.sig".to_string()];
        assert!(is_ignored(".git", &ig));
        assert!(is_ignored(".git/config", &ig));
        assert!(!is_ignored(".gitignore2", &ig));
        assert!(!is_ignored("a/model.sig", &ig));
    }

    #[test]
    fn posix_path_sort_order() {
        let mut v = vec!["a.txt", "b", "a-b", "a/b"];
        v.sort_by(|a, b| sort_key(a).cmp(&sort_key(b)));
        assert_eq!(v, ["a/b", "a-b", "a.txt", "b"]);
    }

    use crate::keys::KeyAlgorithm;

    fn model() -> tempfile::TempDir {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("m/sub")).unwrap();
        std::fs::write(d.path().join("m/w.bin"), b"weights").unwrap();
        std::fs::write(d.path().join("m/sub/c.json"), b"{}").unwrap();
        std::fs::create_dir_all(d.path().join("m/.git")).unwrap();
        std::fs::write(d.path().join("m/.git/HEAD"), b"ref").unwrap();
        d
    }

    /// Re-sign a bundle after editing its statement (as an attacker with the key could, or a
    /// buggy signer would).
    fn resign(b: &Bundle, key: &PrivateKey, edit: impl Fn(&mut serde_json::Value)) -> Bundle {
        let mut st: serde_json::Value =
            serde_json::from_slice(&b.dsse_envelope.body().unwrap()).unwrap();
        edit(&mut st);
        let payload = serde_json::to_vec(&st).unwrap();
        let mut out = b.clone();
        out.dsse_envelope.payload = encode_base64(&payload);
        out.dsse_envelope.signatures[0].sig =
            encode_base64(&key.sign(&pae(IN_TOTO_PAYLOAD_TYPE.as_bytes(), &payload)));
        out
    }

    #[test]
    fn sign_verify_round_trip_each_key_and_single_file() {
        let d = model();
        let m = d.path().join("m");
        let sig = m.join("model.sig");
        for alg in [
            KeyAlgorithm::Ed25519,
            KeyAlgorithm::EcdsaP256,
            KeyAlgorithm::EcdsaP384,
        ] {
            let key = PrivateKey::generate(alg).unwrap();
            let b = sign_model(&m, &key, &sig, &[]).unwrap();
            std::fs::write(&sig, b.to_json().unwrap()).unwrap();
            let b = Bundle::read(&sig).unwrap();
            let r = verify_model(&m, &b, &key.public_key(), &sig).unwrap();
            assert!(r.is_clean(), "{r:?}");
            assert_eq!(r.resources, 2, ".git and model.sig are not signed");
            let statement: serde_json::Value =
                serde_json::from_slice(&b.dsse_envelope.body().unwrap()).unwrap();
            let names: Vec<&str> = statement["predicate"]["resources"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["name"].as_str().unwrap())
                .collect();
            assert_eq!(names, ["sub/c.json", "w.bin"]);
            assert!(statement["predicate"]["serialization"]["ignore_paths"]
                .as_array()
                .unwrap()
                .contains(&serde_json::json!("model.sig")));
        }
        // A single file model: resource name ".".
        let f = m.join("w.bin");
        let key = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
        let fsig = d.path().join("w.sig");
        let b = sign_model(&f, &key, &fsig, &[]).unwrap();
        assert!(verify_model(&f, &b, &key.public_key(), &fsig)
            .unwrap()
            .is_clean());
        std::fs::write(&f, b"changed").unwrap();
        assert_eq!(
            verify_model(&f, &b, &key.public_key(), &fsig)
                .unwrap()
                .modified,
            ["."]
        );
    }

    #[test]
    fn traversal_names_and_bad_roots_are_refused() {
        let d = model();
        let m = d.path().join("m");
        let sig = m.join("model.sig");
        let key = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
        let b = sign_model(&m, &key, &sig, &[]).unwrap();
        for evil in ["../outside", "/etc/passwd", "a/../../b"] {
            let bad = resign(&b, &key, |st| {
                st["predicate"]["resources"][0]["name"] = serde_json::json!(evil);
            });
            let err = verify_model(&m, &bad, &key.public_key(), &sig).unwrap_err();
            assert!(matches!(err, Error::UnsafePath { .. }), "{evil}: {err}");
        }
        // A root digest that does not cover the resources.
        let bad = resign(&b, &key, |st| {
            st["subject"][0]["digest"]["sha256"] = serde_json::json!("00".repeat(32));
        });
        assert!(matches!(
            verify_model(&m, &bad, &key.public_key(), &sig),
            Err(Error::BadSignature(_))
        ));
        // Two subjects.
        let bad = resign(&b, &key, |st| {
            let s = st["subject"][0].clone();
            st["subject"].as_array_mut().unwrap().push(s);
        });
        assert!(verify_model(&m, &bad, &key.public_key(), &sig).is_err());
        // Unknown predicate type.
        let bad = resign(&b, &key, |st| st["predicateType"] = serde_json::json!("x"));
        assert!(verify_model(&m, &bad, &key.public_key(), &sig).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_follow_the_signed_allow_symlinks() {
        let d = model();
        let m = d.path().join("m");
        let sig = m.join("model.sig");
        let key = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
        let b = sign_model(&m, &key, &sig, &[]).unwrap();
        std::os::unix::fs::symlink("/etc/hostname", m.join("link")).unwrap();
        // allow_symlinks is false in the signature: a symlink is refused (a failed check), not
        // followed.
        assert!(matches!(
            verify_model(&m, &b, &key.public_key(), &sig),
            Err(Error::BadSignature(_))
        ));
        assert!(sign_model(&m, &key, &sig, &[]).is_err());
    }

    #[test]
    fn shards_serialization_is_recomputed() {
        let d = model();
        let m = d.path().join("m");
        let sig = m.join("model.sig");
        let key = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
        let b = sign_model(&m, &key, &sig, &[]).unwrap();
        // Rewrite as a 3-byte sharded signature: w.bin (7 bytes) -> 0:3, 3:6, 6:7; c.json -> 0:2.
        let shard = |bytes: &[u8]| hex::encode(Sha256::digest(bytes));
        let resources = vec![
            ("sub/c.json:0:2", shard(b"{}")),
            ("w.bin:0:3", shard(b"wei")),
            ("w.bin:3:6", shard(b"ght")),
            ("w.bin:6:7", shard(b"s")),
        ];
        let root = {
            let mut h = Sha256::new();
            for (_, d) in &resources {
                h.update(hex::decode(d).unwrap());
            }
            hex::encode(h.finalize())
        };
        let bad = resign(&b, &key, |st| {
            st["subject"][0]["digest"]["sha256"] = serde_json::json!(root);
            st["predicate"]["serialization"]["method"] = serde_json::json!("shards");
            st["predicate"]["serialization"]["shard_size"] = serde_json::json!(3);
            st["predicate"]["resources"] = serde_json::json!(resources
                .iter()
                .map(|(n, d)| serde_json::json!({"name": n, "algorithm": "sha256", "digest": d}))
                .collect::<Vec<_>>());
        });
        let r = verify_model(&m, &bad, &key.public_key(), &sig).unwrap();
        assert!(r.is_clean(), "{r:?}");
    }
}
