//! `datagate lineage link MODEL --trained-on DATASET/VERSION`: register a trained model.
//!
//! Order of work, each step able to refuse:
//!
//! 1. **Scan** the model with `datagate-modelscan` (static; nothing is loaded). Any verdict other
//!    than `safe` — suspicious, error (not fully parsed), malicious, or no recognisable model
//!    file at all — is refused unless `allow_unsafe` is set, in which case the verdict is still
//!    recorded. This matches `datagate model scan`'s default `--fail-on suspicious`.
//! 2. **Fingerprint** it: a sha256 manifest of every file (`datagate-integrity`), and from it the
//!    OpenSSF model-signing root digest (SHA-256 over the files' SHA-256 digests in path order,
//!    leaving out `.git*` as `model_signing` does), which becomes the ledger subject's `sha256`.
//!    So a model signed with `datagate model sign` (or `model_signing`) carries the same digest
//!    in its signature as in its lineage. Symlinks are refused, as model signing refuses them.
//! 3. **Check** that every `--trained-on` names a dataset version the ledger saw promoted.
//! 4. **Append** one `lineage.link` entry: subject = model name + root digest; details =
//!    `trained_on`, `model_scan`, `files` (path, size, sha256), `manifest_sha256`.
//!
//! Blind spot: the link is a claim by the caller that this model was trained on these versions;
//! nothing in the weights can prove it. The ledger makes the claim attributable and permanent.

use std::path::{Path, PathBuf};

use datagate_integrity::hash::Algorithms;
use datagate_integrity::manifest::{self, FileRecord};
use datagate_integrity::oms::DEFAULT_IGNORE_PATHS;
use datagate_ledger::{Event, Ledger, Receipt, Subject};
use datagate_modelscan::{FileReport, Options, Verdict};
use serde::Serialize;
use serde_json::json;

use crate::graph::{Graph, NodeKind};
use crate::{Error, Result};

/// The ledger action this module records.
pub const ACTION: &str = "lineage.link";

/// What to register.
#[derive(Debug, Clone)]
pub struct LinkRequest {
    /// The model: a folder or one file.
    pub model: PathBuf,
    /// Its name in the ledger (default: the folder's or file's name).
    pub name: Option<String>,
    /// The dataset versions it was trained on (`train/v7`).
    pub trained_on: Vec<String>,
    /// Record it even if the scan is not `safe`.
    pub allow_unsafe: bool,
    /// Who registers it.
    pub actor: String,
}

/// A model's fingerprint.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fingerprint {
    /// The model's name.
    pub name: String,
    /// The OpenSSF model-signing root digest (hex SHA-256).
    pub root_sha256: String,
    /// SHA-256 of the RFC 8785 canonical sha256 manifest of the model.
    pub manifest_sha256: String,
    /// Every file (relative path, size, sha256).
    pub files: Vec<FileRecord>,
}

/// The scan's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct ScanSummary {
    /// `safe`, `suspicious`, `error`, `malicious`, or `unscanned` (no model file recognised).
    pub verdict: String,
    /// One report per scanned file.
    pub reports: Vec<FileReport>,
}

/// What [`link`] did.
#[derive(Debug, Clone, Serialize)]
pub struct LinkOutcome {
    /// The recorded event.
    pub event: Event,
    /// Where it went in the ledger.
    pub receipt: Receipt,
    /// The model's fingerprint.
    pub fingerprint: Fingerprint,
    /// The scan.
    pub scan: ScanSummary,
}

fn model_name(model: &Path) -> String {
    let from = |p: &Path| {
        p.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .filter(|n| !n.is_empty() && n != "." && n != "..")
    };
    from(model)
        .or_else(|| std::fs::canonicalize(model).ok().and_then(|p| from(&p)))
        .unwrap_or_else(|| "model".to_string())
}

fn ignored(rel: &str) -> bool {
    DEFAULT_IGNORE_PATHS
        .iter()
        .any(|i| rel == *i || rel.strip_prefix(i).is_some_and(|r| r.starts_with('/')))
}

/// Fingerprints a model folder or file (see the module docs).
pub fn fingerprint(model: &Path, name: Option<&str>) -> Result<Fingerprint> {
    let m = manifest::create_tree(model, Algorithms::Sha256, &[], &|_| {})?;
    if let Some(l) = m.symlinks.first() {
        return Err(Error::Refused(format!(
            "{}: {} is a symlink (to {:?}); model fingerprints do not follow symlinks: copy the file into the model folder",
            model.display(),
            l.path,
            l.target
        )));
    }
    if m.files.is_empty() {
        return Err(Error::Refused(format!(
            "{}: no files to fingerprint",
            model.display()
        )));
    }
    let manifest_sha256 = datagate_integrity::hash::sha256_hex(&m.to_canonical_json()?);
    let mut resources: Vec<&FileRecord> = m.files.iter().filter(|f| !ignored(&f.path)).collect();
    resources.sort_by(|a, b| a.path.split('/').cmp(b.path.split('/')));
    let mut concat = Vec::with_capacity(resources.len() * 32);
    for f in &resources {
        let raw = hex::decode(&f.sha256).map_err(|_| {
            Error::Usage(format!(
                "{}: digest of {} is not hex",
                model.display(),
                f.path
            ))
        })?;
        concat.extend_from_slice(&raw);
    }
    Ok(Fingerprint {
        name: name
            .map(str::to_string)
            .unwrap_or_else(|| model_name(model)),
        root_sha256: datagate_integrity::hash::sha256_hex(&concat),
        manifest_sha256,
        files: m.files,
    })
}

/// Scans a model folder or file with the default scanner limits.
pub fn scan(model: &Path) -> Result<ScanSummary> {
    let reports = datagate_modelscan::scan_paths(&[model.to_path_buf()], &Options::default())?;
    let verdict = match reports.iter().map(|r| r.verdict).max() {
        None => "unscanned".to_string(),
        Some(v) => v.as_str().to_string(),
    };
    Ok(ScanSummary { verdict, reports })
}

fn refusal_detail(scan: &ScanSummary) -> String {
    if scan.reports.is_empty() {
        return "no file in it was recognised as a model format, so nothing could be scanned"
            .into();
    }
    let mut seen = Vec::new();
    for r in scan.reports.iter().filter(|r| r.verdict != Verdict::Safe) {
        for f in r
            .findings
            .iter()
            .filter(|f| Verdict::from_severity(f.severity) != Verdict::Safe)
        {
            let import = match (&f.module, &f.import) {
                (Some(m), Some(n)) => format!(" {m}.{n}"),
                _ => String::new(),
            };
            seen.push(format!("{} {}{} in {}", f.rule, f.name, import, r.path));
            if seen.len() == 3 {
                break;
            }
        }
    }
    seen.join("; ")
}

/// Checks everything and builds the event without writing it (the first three steps).
pub fn prepare(graph: &Graph, req: &LinkRequest) -> Result<(Event, Fingerprint, ScanSummary)> {
    if req.trained_on.is_empty() {
        return Err(Error::Usage(
            "name at least one dataset version the model was trained on (--trained-on DATASET/VERSION)".into(),
        ));
    }
    if !req.model.exists() {
        return Err(Error::Usage(format!(
            "{}: no such file or folder",
            req.model.display()
        )));
    }
    let scan = scan(&req.model)?;
    if scan.verdict != "safe" && !req.allow_unsafe {
        return Err(Error::UnsafeModel(format!(
            "refusing to link {}: the model scan verdict is {} ({}); fix or replace the model, or pass --allow-unsafe to record it with that verdict",
            req.model.display(),
            scan.verdict,
            refusal_detail(&scan)
        )));
    }
    let fp = fingerprint(&req.model, req.name.as_deref())?;
    let mut unknown = Vec::new();
    let mut trained_on = Vec::new();
    for t in &req.trained_on {
        let promoted = graph
            .node(NodeKind::Version, t)
            .map(|v| graph.nodes()[v].attrs.contains_key("promoted_seq"))
            .unwrap_or(false);
        if !promoted {
            unknown.push(t.as_str());
        }
        if !trained_on.contains(t) {
            trained_on.push(t.clone());
        }
    }
    if !unknown.is_empty() {
        let known: Vec<&str> = graph
            .nodes()
            .iter()
            .filter(|n| n.kind == NodeKind::Version && n.attrs.contains_key("promoted_seq"))
            .map(|n| n.id.as_str())
            .collect();
        return Err(Error::Refused(format!(
            "{} {} not promoted in this project's ledger (promoted versions: {}); promote first with `datagate promote`",
            unknown.join(", "),
            if unknown.len() == 1 { "is" } else { "are" },
            if known.is_empty() { "none".to_string() } else { known.join(", ") }
        )));
    }
    let files: Vec<_> = fp
        .files
        .iter()
        .map(|f| json!({"path": f.path, "size": f.size, "sha256": f.sha256}))
        .collect();
    let details = json!({
        "trained_on": trained_on,
        "model_scan": scan.verdict,
        "allow_unsafe": req.allow_unsafe,
        "scanned_files": scan.reports.len(),
        "findings": scan.reports.iter().map(|r| r.findings.len()).sum::<usize>(),
        "manifest_sha256": fp.manifest_sha256,
        "files_total": fp.files.len(),
        "files": files,
    });
    let event = Event::new(
        req.actor.clone(),
        ACTION,
        Subject::named(fp.name.clone()).with_digest("sha256", fp.root_sha256.clone()),
    )
    .with_details(details);
    Ok((event, fp, scan))
}

/// Scans, fingerprints, checks and records the model (see the module docs).
pub fn link(ledger: &mut Ledger, req: &LinkRequest) -> Result<LinkOutcome> {
    let graph = Graph::load(ledger)?;
    let (event, fingerprint, scan) = prepare(&graph, req)?;
    let receipt = ledger.append(event.clone())?;
    Ok(LinkOutcome {
        event,
        receipt,
        fingerprint,
        scan,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::tests::sample;

    /// A valid `.npy` of four little-endian float32 zeros.
    pub(crate) fn tiny_npy() -> Vec<u8> {
        let header = "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }";
        let mut h = header.to_string();
        while !(10 + h.len() + 1).is_multiple_of(64) {
            h.push(' ');
        }
        h.push('\n');
        let mut b = b"\x93NUMPY\x01\x00".to_vec();
        b.extend_from_slice(&(h.len() as u16).to_le_bytes());
        b.extend_from_slice(h.as_bytes());
        b.extend_from_slice(&[0u8; 16]);
        b
    }

    /// A pickle that would call `os.system("true")` when loaded.
    pub(crate) fn evil_pickle() -> Vec<u8> {
        b"\x80\x02cos\nsystem\nX\x04\x00\x00\x00true\x85R.".to_vec()
    }

    fn req(model: &Path, trained_on: &[&str]) -> LinkRequest {
        LinkRequest {
            model: model.to_path_buf(),
            name: None,
            trained_on: trained_on.iter().map(|s| s.to_string()).collect(),
            allow_unsafe: false,
            actor: "bob".into(),
        }
    }

    #[test]
    fn a_safe_model_links_to_promoted_versions_only() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("fraud-model");
        std::fs::create_dir_all(dir.join(".git")).unwrap();
        std::fs::write(dir.join("weights.npy"), tiny_npy()).unwrap();
        std::fs::write(dir.join("config.json"), "{}").unwrap();
        std::fs::write(dir.join(".git/HEAD"), "x").unwrap();
        let g = Graph::from_entries(sample());
        let (ev, fp, scan) = prepare(&g, &req(&dir, &["train/v1", "train/v1"])).unwrap();
        assert_eq!(scan.verdict, "safe");
        assert_eq!(ev.action, ACTION);
        assert_eq!(ev.subject.name, "fraud-model");
        assert_eq!(ev.subject.digest["sha256"], fp.root_sha256);
        assert_eq!(ev.details["trained_on"], json!(["train/v1"]));
        assert_eq!(ev.details["files_total"], 3);
        let err = prepare(&g, &req(&dir, &["train/v1", "train/v9"]))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("train/v9 is not promoted") && err.contains("train/v1, train/v2"),
            "{err}"
        );
        // A version that is only a placeholder (named, never promoted) is refused too.
        let err = prepare(&g, &req(&dir, &["train/v3"]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("train/v3 is not promoted"), "{err}");
    }

    #[test]
    fn the_root_digest_is_the_model_signing_one() {
        use datagate_integrity::keys::{KeyAlgorithm, PrivateKey};
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("m");
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("weights.npy"), tiny_npy()).unwrap();
        std::fs::write(dir.join("sub/a.json"), "{\"a\":1}").unwrap();
        std::fs::write(dir.join("sub.txt"), "ordering: sub/ vs sub.txt").unwrap();
        std::fs::write(dir.join(".gitignore"), "*.tmp").unwrap();
        let key = PrivateKey::generate(KeyAlgorithm::Ed25519).unwrap();
        let sig = tmp.path().join("m.sig");
        let bundle = datagate_integrity::oms::sign_model(&dir, &key, &sig, &[]).unwrap();
        let report =
            datagate_integrity::oms::verify_model(&dir, &bundle, &key.public_key(), &sig).unwrap();
        let fp = fingerprint(&dir, None).unwrap();
        assert_eq!(fp.root_sha256, report.root_sha256);
        assert_eq!(fp.name, "m");
        // A single file, too.
        let one = dir.join("weights.npy");
        let bundle = datagate_integrity::oms::sign_model(&one, &key, &sig, &[]).unwrap();
        let report =
            datagate_integrity::oms::verify_model(&one, &bundle, &key.public_key(), &sig).unwrap();
        assert_eq!(
            fingerprint(&one, None).unwrap().root_sha256,
            report.root_sha256
        );
    }

    #[test]
    fn a_malicious_pickle_is_refused_unless_allowed() {
        let tmp = tempfile::tempdir().unwrap();
        let model = tmp.path().join("model.pkl");
        std::fs::write(&model, evil_pickle()).unwrap();
        let g = Graph::from_entries(sample());
        let err = prepare(&g, &req(&model, &["train/v1"]))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("malicious") && err.contains("os.system"),
            "{err}"
        );
        assert!(err.contains("--allow-unsafe"), "{err}");
        let mut r = req(&model, &["train/v1"]);
        r.allow_unsafe = true;
        let (ev, _, _) = prepare(&g, &r).unwrap();
        assert_eq!(ev.details["model_scan"], "malicious");
        assert_eq!(ev.details["allow_unsafe"], true);
        // A folder with nothing recognisable is not "safe": it was not scanned.
        let empty = tmp.path().join("notes");
        std::fs::create_dir_all(&empty).unwrap();
        std::fs::write(empty.join("readme.txt"), "hello").unwrap();
        let err = prepare(&g, &req(&empty, &["train/v1"]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("unscanned"), "{err}");
    }
}
