//! The trusted store: content-addressed objects and named, immutable versions.
//!
//! Objects sit behind the [`Storage`] trait (put / get / exists / delete by SHA-256, list) so
//! that an object-storage backend can be added next to [`LocalStore`], which keeps them in
//! `.datagate/objects/sha256/ab/cdef…` (read-only files; `put` re-hashes while copying and
//! refuses a mismatch, so the store never holds an object under the wrong name).
//!
//! Names live in `.datagate/refs/DATASET.json`: every version promoted (immutable: a version
//! name is never reused), the current pointer, and the history of promotions and
//! rollbacks. [`rollback`] moves the pointer; [`gc`] expires versions the retention policy
//! no longer keeps (never the current one), deletes objects no live version uses, and
//! records `gate.expire` for each; [`export`] writes a version's object beside a signed
//! provenance (DSSE, in-toto Statement, SLSA provenance v1 predicate).
//!
//! Blind spots: refs files are not signed (the ledger is the record of every move); `gc`
//! deletes objects only through versions, so an object put by a crashed promotion stays
//! until a later promotion uses it.

use std::collections::BTreeSet;
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use datagate_integrity::dsse::{
    Envelope, Statement, Subject as StatementSubject, IN_TOTO_PAYLOAD_TYPE, STATEMENT_TYPE_V1,
};
use datagate_integrity::hash::hash_file;
use datagate_integrity::keys::{generate_files, KeyAlgorithm, PrivateKey};
use datagate_integrity::Algorithms;
use datagate_ledger::Subject;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::error::{io_err, GateError, Result};
use crate::{now, workflow, Gate};

/// Where objects live. Implementations must never hand out an object whose bytes do not
/// hash to its name.
pub trait Storage {
    /// Copies `path` in under `sha256`, verifying the digest while copying; a no-op when
    /// the object exists.
    fn put_file(&self, path: &Path, sha256: &str) -> Result<()>;
    /// Opens the object for reading.
    fn get(&self, sha256: &str) -> Result<Box<dyn Read>>;
    /// Whether the object exists.
    fn exists(&self, sha256: &str) -> Result<bool>;
    /// Deletes the object (no error when absent).
    fn delete(&self, sha256: &str) -> Result<()>;
    /// Every object's digest.
    fn list(&self) -> Result<Vec<String>>;
}

/// Objects in a local folder: `ROOT/sha256/ab/cdef…`.
#[derive(Debug, Clone)]
pub struct LocalStore {
    root: PathBuf,
}

fn check_digest(sha256: &str) -> Result<()> {
    if sha256.len() == 64
        && sha256
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    {
        Ok(())
    } else {
        Err(GateError::Refused(format!(
            "{sha256:?} is not a lowercase hex SHA-256"
        )))
    }
}

impl LocalStore {
    /// A store rooted at `root` (normally `.datagate/objects`).
    pub fn new(root: PathBuf) -> LocalStore {
        LocalStore { root }
    }

    /// The path of an object.
    pub fn path_of(&self, sha256: &str) -> Result<PathBuf> {
        check_digest(sha256)?;
        Ok(self
            .root
            .join("sha256")
            .join(&sha256[..2])
            .join(&sha256[2..]))
    }
}

impl Storage for LocalStore {
    fn put_file(&self, path: &Path, sha256: &str) -> Result<()> {
        let dest = self.path_of(sha256)?;
        if dest.is_file() {
            return Ok(());
        }
        let dir = dest.parent().map(Path::to_path_buf).unwrap_or_default();
        fs::create_dir_all(&dir).map_err(io_err(&dir))?;
        let mut tmp = tempfile::NamedTempFile::new_in(&dir).map_err(io_err(&dir))?;
        let mut input = fs::File::open(path).map_err(io_err(path))?;
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let n = input.read(&mut buf).map_err(io_err(path))?;
            if n == 0 {
                break;
            }
            let chunk = buf.get(..n).unwrap_or_default();
            hasher.update(chunk);
            tmp.write_all(chunk).map_err(io_err(&dest))?;
        }
        let got = hex::encode(hasher.finalize());
        if got != sha256 {
            return Err(GateError::Tampered(format!(
                "{} hashed to {got} while being stored, expected {sha256}: it changed; nothing stored",
                path.display()
            )));
        }
        tmp.as_file().sync_all().map_err(io_err(&dest))?;
        let tmp_path = tmp.into_temp_path();
        set_mode_read_only(&tmp_path)?;
        tmp_path.persist(&dest).map_err(|e| GateError::Io {
            path: dest.clone(),
            source: e.error,
        })?;
        Ok(())
    }

    fn get(&self, sha256: &str) -> Result<Box<dyn Read>> {
        let p = self.path_of(sha256)?;
        Ok(Box::new(fs::File::open(&p).map_err(io_err(&p))?))
    }

    fn exists(&self, sha256: &str) -> Result<bool> {
        Ok(self.path_of(sha256)?.is_file())
    }

    fn delete(&self, sha256: &str) -> Result<()> {
        let p = self.path_of(sha256)?;
        match fs::remove_file(&p) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io_err(&p)(e)),
        }
    }

    fn list(&self) -> Result<Vec<String>> {
        let base = self.root.join("sha256");
        let mut out = Vec::new();
        let Ok(rd) = fs::read_dir(&base) else {
            return Ok(out);
        };
        for d in rd {
            let d = d.map_err(io_err(&base))?;
            let prefix = d.file_name().to_string_lossy().into_owned();
            if prefix.len() != 2 {
                continue;
            }
            let sub = d.path();
            for f in fs::read_dir(&sub).map_err(io_err(&sub))? {
                let f = f.map_err(io_err(&sub))?;
                let name = format!("{prefix}{}", f.file_name().to_string_lossy());
                if check_digest(&name).is_ok() {
                    out.push(name);
                }
            }
        }
        out.sort();
        Ok(out)
    }
}

#[cfg(unix)]
fn set_mode_read_only(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(0o444)).map_err(io_err(path))
}

#[cfg(not(unix))]
fn set_mode_read_only(path: &Path) -> Result<()> {
    let mut p = fs::metadata(path).map_err(io_err(path))?.permissions();
    p.set_readonly(true);
    fs::set_permissions(path, p).map_err(io_err(path))
}

/// Why and when a version expired.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Expired {
    /// When.
    pub at: String,
    /// The retention rule.
    pub reason: String,
}

/// One promoted version.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Version {
    /// Its name (`v7`).
    pub version: String,
    /// Object digest.
    pub sha256: String,
    /// Size.
    pub bytes: u64,
    /// Original file name.
    pub file: String,
    /// The drop it came from.
    pub drop: String,
    /// The source.
    pub source: String,
    /// Key ids of the approvers.
    pub approvers: Vec<String>,
    /// The review report digest.
    pub report_sha256: String,
    /// When promoted.
    pub promoted_at: String,
    /// By whom.
    pub promoted_by: String,
    /// Set when retention expired it (the object may be gone).
    pub expired: Option<Expired>,
}

/// One move of the current pointer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RefMove {
    /// `promote` or `rollback`.
    pub action: String,
    /// The previous current version.
    pub from: Option<String>,
    /// The new current version.
    pub to: Option<String>,
    /// When.
    pub at: String,
    /// Who.
    pub actor: String,
}

/// `refs/DATASET.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Refs {
    /// The dataset.
    pub dataset: String,
    /// The current version.
    pub current: Option<String>,
    /// Every version, in promotion order.
    pub versions: Vec<Version>,
    /// Every move of `current`.
    pub history: Vec<RefMove>,
}

impl Refs {
    fn path(dir: &Path, dataset: &str) -> PathBuf {
        dir.join(format!("{dataset}.json"))
    }

    /// Loads the refs of `dataset`, if it has any.
    pub fn load(dir: &Path, dataset: &str) -> Result<Option<Refs>> {
        let p = Refs::path(dir, dataset);
        match fs::read(&p) {
            Ok(b) => Ok(Some(serde_json::from_slice(&b).map_err(|e| {
                GateError::Corrupt {
                    path: p.clone(),
                    message: format!("not a refs file: {e}"),
                }
            })?)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_err(&p)(e)),
        }
    }

    /// Loads, or starts empty refs for, `dataset`.
    pub fn load_or_new(dir: &Path, dataset: &str) -> Result<Refs> {
        Ok(Refs::load(dir, dataset)?.unwrap_or(Refs {
            dataset: dataset.to_string(),
            current: None,
            versions: Vec::new(),
            history: Vec::new(),
        }))
    }

    /// The refs of `dataset`, or an error naming it.
    pub fn require(dir: &Path, dataset: &str) -> Result<Refs> {
        Refs::load(dir, dataset)?.ok_or_else(|| {
            GateError::NotFound(format!(
                "no dataset {dataset:?} in the trusted store (promote a drop with `datagate promote ID --as {dataset}/v1`)"
            ))
        })
    }

    /// Every dataset's refs, by name.
    pub fn load_all(dir: &Path) -> Result<Vec<Refs>> {
        let mut out = Vec::new();
        let Ok(rd) = fs::read_dir(dir) else {
            return Ok(out);
        };
        let mut names: Vec<String> = rd
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                e.file_name()
                    .to_string_lossy()
                    .strip_suffix(".json")
                    .map(str::to_string)
            })
            .collect();
        names.sort();
        for n in names {
            if let Some(r) = Refs::load(dir, &n)? {
                out.push(r);
            }
        }
        Ok(out)
    }

    /// Writes the refs atomically.
    pub fn save(&self, dir: &Path) -> Result<()> {
        fs::create_dir_all(dir).map_err(io_err(dir))?;
        let bytes = serde_json::to_vec_pretty(self)?;
        datagate_project::write_atomic(&Refs::path(dir, &self.dataset), &bytes)?;
        Ok(())
    }

    /// The version named `v`.
    pub fn version(&self, v: &str) -> Option<&Version> {
        self.versions.iter().find(|x| x.version == v)
    }

    /// The current version.
    pub fn current_version(&self) -> Option<&Version> {
        self.current.as_deref().and_then(|c| self.version(c))
    }

    /// Adds a version and makes it current.
    pub fn add_version(&mut self, v: Version) {
        self.current = Some(v.version.clone());
        self.versions.push(v);
    }

    /// Records a move of the current pointer.
    pub fn push_history(
        &mut self,
        action: &str,
        from: Option<String>,
        to: Option<String>,
        actor: &str,
    ) {
        self.history.push(RefMove {
            action: action.to_string(),
            from,
            to,
            at: now(),
            actor: actor.to_string(),
        });
    }
}

/// Splits and checks `DATASET/VERSION` and finds the live version.
pub fn find_version(gate: &Gate, target: &str) -> Result<(Refs, Version)> {
    let (dataset, version) = workflow::parse_target(target)?;
    let refs = Refs::require(&gate.refs_dir(), &dataset)?;
    let v = refs.version(&version).cloned().ok_or_else(|| {
        GateError::NotFound(format!(
            "{dataset} has no version {version:?} (versions: {})",
            refs.versions
                .iter()
                .map(|v| v.version.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })?;
    Ok((refs, v))
}

/// Moves `dataset`'s current pointer to `to` (an earlier, not expired, version).
pub fn rollback(gate: &mut Gate, dataset: &str, to: &str) -> Result<(Option<String>, String)> {
    let _lock = gate.lock_store()?;
    let mut refs = Refs::require(&gate.refs_dir(), dataset)?;
    let Some(v) = refs.version(to).cloned() else {
        return Err(GateError::NotFound(format!(
            "{dataset} has no version {to:?} (versions: {})",
            refs.versions
                .iter()
                .map(|v| v.version.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    };
    if let Some(e) = &v.expired {
        return Err(GateError::Refused(format!(
            "{dataset}/{to} expired on {} ({}); its object is gone",
            e.at, e.reason
        )));
    }
    if refs.current.as_deref() == Some(to) {
        return Err(GateError::Refused(format!(
            "{dataset}/{to} is already the current version"
        )));
    }
    let store = LocalStore::new(gate.project.objects_dir());
    if !store.exists(&v.sha256)? {
        return Err(GateError::Refused(format!(
            "the object of {dataset}/{to} ({}) is missing from the store",
            v.sha256
        )));
    }
    let from = refs.current.clone();
    refs.current = Some(to.to_string());
    refs.push_history(
        "rollback",
        from.clone(),
        Some(to.to_string()),
        &gate.actor.clone(),
    );
    gate.record(
        "gate.rollback",
        Subject::named(dataset.to_string()),
        serde_json::json!({ "dataset": dataset, "from": from, "to": to, "sha256": v.sha256 }),
    )?;
    refs.save(&gate.refs_dir())?;
    Ok((from, to.to_string()))
}

/// One version [`gc`] expired.
#[derive(Debug, Clone, Serialize)]
pub struct ExpiredVersion {
    /// Dataset.
    pub dataset: String,
    /// Version.
    pub version: String,
    /// Why.
    pub reason: String,
    /// Whether its object was deleted (false when another live version shares it).
    pub object_deleted: bool,
}

fn age_days(promoted_at: &str, now: chrono::DateTime<chrono::Utc>) -> Option<i64> {
    let t = chrono::DateTime::parse_from_rfc3339(promoted_at).ok()?;
    Some((now - t.with_timezone(&chrono::Utc)).num_days())
}

/// Applies retention: for each dataset, the versions its class no longer keeps (beyond
/// `keep_last` newest non-current versions, or older than `max_age_days`) expire, their
/// objects are deleted unless a live version still uses them, and `gate.expire` is
/// recorded. The current version never expires. With `dry_run` nothing changes.
pub fn gc(gate: &mut Gate, dry_run: bool) -> Result<Vec<ExpiredVersion>> {
    let now_t = chrono::Utc::now();
    let _lock = gate.lock_store()?;
    let dir = gate.refs_dir();
    let mut all = Refs::load_all(&dir)?;
    let mut expired = Vec::new();
    for refs in all.iter_mut() {
        let Some(class) = gate.policy.retention_for(&refs.dataset).cloned() else {
            continue;
        };
        let current = refs.current.clone();
        let mut kept = 0usize;
        // Newest first.
        for v in refs.versions.iter_mut().rev() {
            if v.expired.is_some() || Some(&v.version) == current.as_ref() {
                continue;
            }
            let mut reason = None;
            if let Some(days) = class.max_age_days {
                if age_days(&v.promoted_at, now_t).is_some_and(|a| a > days as i64) {
                    reason = Some(format!(
                        "older than {days} days (retention class {})",
                        class.name
                    ));
                }
            }
            if reason.is_none() {
                if let Some(keep) = class.keep_last {
                    if kept >= keep {
                        reason = Some(format!(
                            "beyond the {keep} newest non-current version(s) kept (retention class {})",
                            class.name
                        ));
                    }
                }
            }
            match reason {
                None => kept += 1,
                Some(r) => {
                    if !dry_run {
                        v.expired = Some(Expired {
                            at: now(),
                            reason: r.clone(),
                        });
                    }
                    expired.push((refs.dataset.clone(), v.version.clone(), v.sha256.clone(), r));
                }
            }
        }
    }
    if dry_run {
        return Ok(expired
            .into_iter()
            .map(|(dataset, version, _, reason)| ExpiredVersion {
                dataset,
                version,
                reason,
                object_deleted: false,
            })
            .collect());
    }
    let live: BTreeSet<String> = all
        .iter()
        .flat_map(|r| r.versions.iter())
        .filter(|v| v.expired.is_none())
        .map(|v| v.sha256.clone())
        .collect();
    let store = LocalStore::new(gate.project.objects_dir());
    let mut out = Vec::new();
    for (dataset, version, sha, reason) in expired {
        let delete = !live.contains(&sha);
        gate.record(
            "gate.expire",
            Subject::named(format!("{dataset}/{version}")).with_digest("sha256", sha.clone()),
            serde_json::json!({
                "dataset": dataset,
                "version": version,
                "reason": reason,
                "object_deleted": delete,
            }),
        )?;
        if delete {
            store.delete(&sha)?;
        }
        out.push(ExpiredVersion {
            dataset,
            version,
            reason,
            object_deleted: delete,
        });
    }
    for refs in &all {
        refs.save(&dir)?;
    }
    Ok(out)
}

/// `predicateType` of the export provenance (SLSA provenance v1).
pub const SLSA_PROVENANCE_V1: &str = "https://slsa.dev/provenance/v1";
/// `buildType` naming the gate's promotion.
pub const GATE_BUILD_TYPE: &str = "https://datagate.dev/gate/promote/v1";

/// The project's export signing key (`.datagate/keys/gate.key`), created on first use.
pub fn gate_key(gate: &Gate) -> Result<PathBuf> {
    let path = gate.project.keys_dir().join("gate.key");
    if !path.is_file() {
        generate_files(&path, KeyAlgorithm::Ed25519, false)?;
    }
    Ok(path)
}

/// What [`export`] wrote.
#[derive(Debug, Clone, Serialize)]
pub struct Exported {
    /// The data file.
    pub file: PathBuf,
    /// The DSSE provenance envelope.
    pub provenance: PathBuf,
    /// The signing key's id.
    pub key_id: String,
}

/// Writes `DATASET/VERSION`'s object into `out_dir` under its original file name, plus
/// `<file>.provenance.dsse.json`: a DSSE envelope over an in-toto Statement whose subject is
/// the file and whose SLSA provenance v1 predicate names the source, the drop, the checks
/// and their report digest, and the approvers. Signed with `key` (default: the project's
/// gate key).
pub fn export(gate: &Gate, target: &str, out_dir: &Path, key: Option<&Path>) -> Result<Exported> {
    let (refs, v) = find_version(gate, target)?;
    if let Some(e) = &v.expired {
        return Err(GateError::Refused(format!(
            "{target} expired on {} ({}); nothing to export",
            e.at, e.reason
        )));
    }
    let store = LocalStore::new(gate.project.objects_dir());
    fs::create_dir_all(out_dir).map_err(io_err(out_dir))?;
    let name = Path::new(&v.file)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| format!("{}-{}", refs.dataset, v.version));
    let file = out_dir.join(&name);
    copy_verified(&store, &v.sha256, target, &file)?;
    let record = workflow::load(gate, &v.drop).ok();
    let checks = record
        .as_ref()
        .and_then(|r| r.review.as_ref())
        .map(|r| serde_json::to_value(&r.checks).unwrap_or_default())
        .unwrap_or(serde_json::Value::Null);
    let approvals: Vec<serde_json::Value> = record
        .as_ref()
        .map(|r| {
            r.approvals
                .iter()
                .filter(|a| v.approvers.contains(&a.key_id))
                .map(|a| {
                    serde_json::json!({
                        "approver": a.approver,
                        "keyid": a.key_id,
                        "envelope_sha256": a.envelope_sha256,
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let statement = Statement {
        type_: STATEMENT_TYPE_V1.into(),
        subject: vec![StatementSubject {
            name: name.clone(),
            digest: [("sha256".to_string(), v.sha256.clone())]
                .into_iter()
                .collect(),
        }],
        predicate_type: SLSA_PROVENANCE_V1.into(),
        predicate: serde_json::json!({
            "buildDefinition": {
                "buildType": GATE_BUILD_TYPE,
                "externalParameters": {
                    "source": v.source,
                    "drop": v.drop,
                    "dataset": refs.dataset,
                    "version": v.version,
                },
                "internalParameters": {
                    "tier": record.as_ref().map(|r| r.tier.clone()),
                    "policy_sha256": gate.policy.sha256,
                    "checks": checks,
                    "review_report_sha256": v.report_sha256,
                    "approvers": approvals,
                    "source_signature": record.as_ref().and_then(|r| r.signature.as_ref()).map(|s| s.key_id.clone()),
                    "licence": record.as_ref().and_then(|r| r.licence.clone()),
                },
                "resolvedDependencies": [{
                    "uri": format!("datagate:drop/{}", v.drop),
                    "name": record.as_ref().map(|r| r.file.clone()).unwrap_or_default(),
                    "digest": { "sha256": v.sha256 },
                    "annotations": { "source": v.source },
                }],
            },
            "runDetails": {
                "builder": { "id": "https://datagate.dev/gate" },
                "metadata": {
                    "invocationId": v.drop,
                    "startedOn": record.as_ref().map(|r| r.ingested_at.clone()),
                    "finishedOn": v.promoted_at,
                },
                "byproducts": [{
                    "name": "review-report.json",
                    "digest": { "sha256": v.report_sha256 },
                }],
            },
        }),
    };
    let body = serde_json_canonicalizer::to_vec(&statement).map_err(|e| GateError::Corrupt {
        path: file.clone(),
        message: e.to_string(),
    })?;
    let key_path = match key {
        Some(k) => k.to_path_buf(),
        None => gate_key(gate)?,
    };
    let private = PrivateKey::read(&key_path)?;
    let key_id = private.public_key().key_id()?;
    let envelope = Envelope::sign(IN_TOTO_PAYLOAD_TYPE, &body, &private)?;
    let provenance = out_dir.join(format!("{name}.provenance.dsse.json"));
    datagate_project::write_atomic(&provenance, &serde_json::to_vec_pretty(&envelope)?)?;
    Ok(Exported {
        file,
        provenance,
        key_id,
    })
}

/// Copies the stored object `sha256` (of `target`, for messages) to `file` through a temporary
/// file, re-hashing it on the way: a stored object that no longer has its digest is refused.
fn copy_verified(store: &LocalStore, sha256: &str, target: &str, file: &Path) -> Result<()> {
    let dir = file.parent().unwrap_or(Path::new("."));
    let mut reader = store.get(sha256)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io_err(dir))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = reader.read(&mut buf).map_err(io_err(file))?;
        if n == 0 {
            break;
        }
        let chunk = buf.get(..n).unwrap_or_default();
        hasher.update(chunk);
        tmp.write_all(chunk).map_err(io_err(file))?;
    }
    if hex::encode(hasher.finalize()) != sha256 {
        return Err(GateError::Tampered(format!(
            "the stored object of {target} does not hash to {sha256}: the store was tampered with"
        )));
    }
    tmp.as_file().sync_all().map_err(io_err(file))?;
    tmp.persist(file).map_err(|e| GateError::Io {
        path: file.to_path_buf(),
        source: e.error,
    })?;
    Ok(())
}

/// What [`erase`] did.
#[derive(Debug, Clone, Serialize)]
pub struct Erased {
    /// The version the subject was erased from.
    pub from: String,
    /// Rows removed.
    pub removed: u64,
    /// The new drop holding the erased copy, quarantined: it goes through review and
    /// approval like any drop before it can be promoted as a new version.
    pub drop: workflow::Ingested,
}

/// Right to erasure on the trusted store. Versions are immutable and content-addressed, so
/// the subject's rows are removed from a verified copy of `target` (`DATASET/VERSION`),
/// recorded as `pii.erase` (old and new digests, the column and the count — never the
/// value), and the copy is ingested as a new drop of the version's source. That drop needs a
/// review and the tier's approvals again before `promote` makes it the next version; the
/// source's signature is not required, since the content is the gate's own derivative of
/// content the source signed. Nothing changes when no row matches.
pub fn erase(gate: &mut Gate, target: &str, column: &str, value: &str) -> Result<Erased> {
    let (refs, v) = find_version(gate, target)?;
    let target = format!("{}/{}", refs.dataset, v.version);
    if let Some(e) = &v.expired {
        return Err(GateError::Refused(format!(
            "{target} expired on {} ({}); nothing to erase",
            e.at, e.reason
        )));
    }
    let store = LocalStore::new(gate.project.objects_dir());
    let drops = gate.drops_dir();
    fs::create_dir_all(&drops).map_err(io_err(&drops))?;
    let staging = tempfile::Builder::new()
        .prefix(".erasure-")
        .tempdir_in(&drops)
        .map_err(io_err(&drops))?;
    let name = Path::new(&v.file)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| format!("{}-{}", refs.dataset, v.version));
    let copy = staging.path().join(&name);
    copy_verified(&store, &v.sha256, &target, &copy)?;
    let outcome = datagate_pii::data::erase_rows(
        &copy,
        column,
        &|cell: &str| cell == value,
        &datagate_dataset::ReadOptions::default(),
        false,
    )
    .map_err(|e| GateError::Refused(format!("cannot erase from {target}: {e}")))?;
    if outcome.removed == 0 {
        return Err(GateError::NotFound(format!(
            "no row of {target} has that value in column {column:?}; nothing erased"
        )));
    }
    let after = hash_file(&copy, Algorithms::Sha256)?
        .sha256_hex()
        .unwrap_or_default();
    gate.record(
        "pii.erase",
        Subject::named(format!("{target} erasure")).with_digest("sha256", after.clone()),
        serde_json::json!({
            "from": target,
            "column": column,
            "removed": outcome.removed,
            "rows_before": outcome.rows_before,
            "sha256_before": v.sha256,
            "sha256_after": after,
        }),
    )?;
    let drop = workflow::ingest(
        gate,
        &v.source,
        &copy,
        &workflow::IngestOptions {
            dataset: Some(refs.dataset.clone()),
            derived_from: Some(target.clone()),
            ..Default::default()
        },
    )?;
    Ok(Erased {
        from: target,
        removed: outcome.removed,
        drop,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use datagate_integrity::hash::sha256_hex;

    #[test]
    fn local_store_round_trip_and_refuses_wrong_digest() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalStore::new(dir.path().join("objects"));
        let f = dir.path().join("a.txt");
        fs::write(&f, b"hello").unwrap();
        let sha = sha256_hex(b"hello");
        store.put_file(&f, &sha).unwrap();
        assert!(store.exists(&sha).unwrap());
        assert_eq!(store.list().unwrap(), vec![sha.clone()]);
        let mut s = String::new();
        store.get(&sha).unwrap().read_to_string(&mut s).unwrap();
        assert_eq!(s, "hello");
        let wrong = sha256_hex(b"other");
        assert!(matches!(
            store.put_file(&f, &wrong),
            Err(GateError::Tampered(_))
        ));
        assert!(!store.exists(&wrong).unwrap());
        store.delete(&sha).unwrap();
        assert!(!store.exists(&sha).unwrap());
        assert!(store.path_of("../../etc").is_err());
    }
}
