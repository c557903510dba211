//! The state machine of a drop and its persistence.
//!
//! ```text
//! quarantined ──review──▶ reviewed(pass|fail) ──label audit──▶ label-audited ──k approvals──▶ approved ──▶ promoted
//!      │                        │  (when the tier requires it)        │                          │
//!      └────────────────────────┴───────────── reject ───────────────┴──────────────────────────┴──▶ rejected
//! ```
//!
//! A transition that skips a required step is refused with a message naming the missing
//! step and the command that performs it ([`DropRecord::can_approve`],
//! [`DropRecord::can_promote`], ...). A failed review or label audit can only be rejected
//! (or reviewed again, before anyone approved).
//!
//! State lives in `.datagate/drops/<id>/`: `state.json` (written atomically), the
//! quarantined copy `<sha256>.<ext>` (mode 0444), the source's signature, approval
//! envelopes, the label-audit sample. Every transition is appended to the ledger:
//!
//! | action | subject | details |
//! |---|---|---|
//! | `gate.ingest` | drop id, sha256 of the file | `{source, file, tier, bytes, risk}` |
//! | `gate.review` | drop id, sha256 | `{verdict, report_sha256, checks:[{check, verdict, findings}]}` |
//! | `gate.label_audit` | drop id, sha256 | `{sampled, disagreements, rate, threshold, verdict, report_sha256}` |
//! | `gate.approve` | drop id, sha256 | `{approver, key_id, envelope_sha256, report_sha256, count, k}` |
//! | `gate.reject` | drop id, sha256 | `{reason, from, report_sha256}` |
//! | `gate.promote` | `DATASET/VERSION`, sha256 | `{drop, source, dataset, version, approvers:[key_id]}` |
//! | `gate.rollback` | `DATASET` | `{from, to}` |
//! | `gate.expire` | `DATASET/VERSION`, sha256 | `{dataset, version, reason}` |
//! | `gate.source_add` | source name | `{tier, keys}` |
//!
//! Blind spots: the state file is the gate's working memory, not evidence; promotion
//! re-checks digests and signatures instead of trusting it.

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use datagate_integrity::dsse::Envelope;
use datagate_integrity::hash::{hash_file, sha256_hex};
use datagate_integrity::Algorithms;
use datagate_ledger::Subject;
use serde::{Deserialize, Serialize};

use crate::error::{io_err, GateError, Result};
use crate::store::{LocalStore, Refs, Storage};
use crate::{approve, now, policy, risk, Gate};

/// Where a drop is in the workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    /// Fingerprinted and copied read-only into quarantine.
    Quarantined,
    /// Reviewed; the verdict is in [`DropRecord::review`].
    Reviewed,
    /// A human label audit was imported; its verdict is in [`DropRecord::label_audit`].
    LabelAudited,
    /// At least k distinct approvers signed.
    Approved,
    /// In the trusted store.
    Promoted,
    /// Rejected; terminal.
    Rejected,
}

impl State {
    /// The state's name as shown (`label-audited`).
    pub fn name(self) -> &'static str {
        match self {
            State::Quarantined => "quarantined",
            State::Reviewed => "reviewed",
            State::LabelAudited => "label-audited",
            State::Approved => "approved",
            State::Promoted => "promoted",
            State::Rejected => "rejected",
        }
    }
}

/// The source signature verified at ingest.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SignatureInfo {
    /// The key that verified.
    pub key_id: String,
    /// SHA-256 of the envelope file.
    pub envelope_sha256: String,
}

/// Summary of one check in the review.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CheckSummary {
    /// Check name.
    pub check: String,
    /// pass, fail, warn, skipped or error.
    pub verdict: String,
    /// Number of findings.
    pub findings: usize,
}

/// The latest review.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReviewInfo {
    /// `pass` or `fail`.
    pub verdict: String,
    /// SHA-256 of the JSON report (what approvals sign).
    pub report_sha256: String,
    /// The JSON report, relative to the project root.
    pub report_json: String,
    /// The HTML report, relative to the project root.
    pub report_html: String,
    /// Per-check summary.
    pub checks: Vec<CheckSummary>,
    /// When.
    pub at: String,
    /// Who.
    pub by: String,
}

impl ReviewInfo {
    /// Whether the review passed.
    pub fn passed(&self) -> bool {
        self.verdict == "pass"
    }
}

/// The imported label audit.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LabelAuditInfo {
    /// Rows checked.
    pub sampled: usize,
    /// Rows the human marked wrong.
    pub disagreements: usize,
    /// `disagreements / sampled`.
    pub rate: f64,
    /// The policy's `max_disagreement`.
    pub threshold: f64,
    /// `pass` or `fail`.
    pub verdict: String,
    /// SHA-256 of the imported sheet.
    pub sheet_sha256: String,
    /// When.
    pub at: String,
    /// Who.
    pub by: String,
}

/// One approval.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ApprovalInfo {
    /// The approver's name in the policy.
    pub approver: String,
    /// The key id.
    pub key_id: String,
    /// The envelope, relative to the drop folder.
    pub envelope: String,
    /// SHA-256 of the envelope file.
    pub envelope_sha256: String,
    /// The report digest it signed.
    pub report_sha256: String,
    /// When.
    pub at: String,
}

/// Where a promoted drop went.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PromotedInfo {
    /// Dataset name.
    pub dataset: String,
    /// Version name.
    pub version: String,
    /// When.
    pub at: String,
}

/// Why a drop was rejected.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RejectedInfo {
    /// The reason given.
    pub reason: String,
    /// When.
    pub at: String,
    /// Who.
    pub by: String,
}

/// One transition, as recorded.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Transition {
    /// New state.
    pub to: State,
    /// When.
    pub at: String,
    /// Who.
    pub actor: String,
    /// The ledger entry.
    pub ledger_seq: u64,
}

/// Everything the gate knows about one drop (`state.json`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DropRecord {
    /// `d-` + the first 12 hex digits of the file's SHA-256.
    pub id: String,
    /// Source name.
    pub source: String,
    /// Tier at ingest.
    pub tier: String,
    /// The original file name.
    pub file: String,
    /// SHA-256 of the file.
    pub sha256: String,
    /// Size in bytes.
    pub bytes: u64,
    /// The quarantined copy's file name inside the drop folder.
    pub quarantine: String,
    /// Risk score at ingest.
    pub risk: u32,
    /// The dataset it is meant for.
    pub dataset: Option<String>,
    /// Licence metadata.
    pub licence: Option<String>,
    /// The verified source signature.
    pub signature: Option<SignatureInfo>,
    /// When it was ingested.
    pub ingested_at: String,
    /// By whom.
    pub ingested_by: String,
    /// Current state.
    pub state: State,
    /// Latest review.
    pub review: Option<ReviewInfo>,
    /// Imported label audit.
    pub label_audit: Option<LabelAuditInfo>,
    /// Approvals for the current review.
    #[serde(default)]
    pub approvals: Vec<ApprovalInfo>,
    /// Where it was promoted.
    pub promoted: Option<PromotedInfo>,
    /// Why it was rejected.
    pub rejected: Option<RejectedInfo>,
    /// Every transition.
    #[serde(default)]
    pub history: Vec<Transition>,
}

fn refuse<T>(msg: String) -> Result<T> {
    Err(GateError::Refused(msg))
}

impl DropRecord {
    /// `reviewed(pass)`, `label-audited(fail)`, `approved`...
    pub fn state_label(&self) -> String {
        match self.state {
            State::Reviewed => format!(
                "reviewed({})",
                self.review
                    .as_ref()
                    .map(|r| r.verdict.as_str())
                    .unwrap_or("?")
            ),
            State::LabelAudited => format!(
                "label-audited({})",
                self.label_audit
                    .as_ref()
                    .map(|r| r.verdict.as_str())
                    .unwrap_or("?")
            ),
            s => s.name().to_string(),
        }
    }

    fn terminal(&self) -> Result<()> {
        match self.state {
            State::Promoted => refuse(format!(
                "{} is already promoted{}; a promoted drop is immutable",
                self.id,
                self.promoted
                    .as_ref()
                    .map(|p| format!(" as {}/{}", p.dataset, p.version))
                    .unwrap_or_default()
            )),
            State::Rejected => refuse(format!(
                "{} was rejected ({}); ingest the file again as a new drop if it was fixed",
                self.id,
                self.rejected
                    .as_ref()
                    .map(|r| r.reason.as_str())
                    .unwrap_or("no reason")
            )),
            _ => Ok(()),
        }
    }

    /// May the drop be (re)reviewed? Only before any label audit or approval.
    pub fn can_review(&self) -> Result<()> {
        self.terminal()?;
        match self.state {
            State::Quarantined | State::Reviewed if self.approvals.is_empty() => Ok(()),
            _ => refuse(format!(
                "{} is {} with {} approval(s); reviewing again would invalidate them — reject it and ingest again instead",
                self.id,
                self.state_label(),
                self.approvals.len()
            )),
        }
    }

    fn review_passed(&self, action: &str) -> Result<()> {
        match &self.review {
            None => refuse(format!(
                "cannot {action} {}: it is {}; missing step: review (run `datagate review {}`)",
                self.id,
                self.state_label(),
                self.id
            )),
            Some(r) if !r.passed() => refuse(format!(
                "cannot {action} {}: its review failed (report {}); a failed drop can only be rejected (`datagate reject {} --reason ...`)",
                self.id, r.report_html, self.id
            )),
            Some(_) => Ok(()),
        }
    }

    /// May a label audit be imported? After a passing review, before approval.
    pub fn can_label_audit(&self) -> Result<()> {
        self.terminal()?;
        self.review_passed("label-audit")?;
        match self.state {
            State::Reviewed | State::LabelAudited if self.approvals.is_empty() => Ok(()),
            _ => refuse(format!(
                "cannot label-audit {}: it is {} with {} approval(s) already",
                self.id,
                self.state_label(),
                self.approvals.len()
            )),
        }
    }

    fn label_audit_done(&self, action: &str, required: bool) -> Result<()> {
        if !required {
            return Ok(());
        }
        match &self.label_audit {
            None => refuse(format!(
                "cannot {action} {}: it is {}; missing step: label audit (tier {} requires one: run `datagate sample {} -o label-audit.csv`, fill in the verdict column, then `datagate sample {} --import label-audit.csv`)",
                self.id,
                self.state_label(),
                self.tier,
                self.id,
                self.id
            )),
            Some(l) if l.verdict != "pass" => refuse(format!(
                "cannot {action} {}: its label audit failed ({} of {} rows wrong, {:.1}% > {:.1}%); reject it",
                self.id,
                l.disagreements,
                l.sampled,
                l.rate * 100.0,
                l.threshold * 100.0
            )),
            Some(_) => Ok(()),
        }
    }

    /// May the drop be approved? After a passing review and, when `label_audit_required`,
    /// a passing label audit.
    pub fn can_approve(&self, label_audit_required: bool) -> Result<()> {
        self.terminal()?;
        self.review_passed("approve")?;
        self.label_audit_done("approve", label_audit_required)
    }

    /// May the drop be promoted? Only when approved by `k` approvers (counted again, with
    /// signatures verified, by [`promote`]).
    pub fn can_promote(&self, label_audit_required: bool, k: usize) -> Result<()> {
        self.terminal()?;
        self.review_passed("promote")?;
        self.label_audit_done("promote", label_audit_required)?;
        if self.state != State::Approved {
            return refuse(format!(
                "cannot promote {}: it is {}; missing step: approval ({} of {k} signature(s); run `datagate approve {} --key KEY`)",
                self.id,
                self.state_label(),
                self.approvals.len(),
                self.id
            ));
        }
        Ok(())
    }

    /// May the drop be rejected? Any time before promotion.
    pub fn can_reject(&self) -> Result<()> {
        self.terminal()
    }

    /// The quarantined copy.
    pub fn quarantine_path(&self, drops_dir: &Path) -> PathBuf {
        drops_dir.join(&self.id).join(&self.quarantine)
    }

    /// The ledger subject of this drop.
    pub fn subject(&self) -> Subject {
        Subject::named(self.id.clone()).with_digest("sha256", self.sha256.clone())
    }
}

/// The drop's folder.
pub fn drop_dir(gate: &Gate, id: &str) -> PathBuf {
    gate.drops_dir().join(id)
}

/// Reads `state.json` of drop `id` (an exact id).
pub fn load(gate: &Gate, id: &str) -> Result<DropRecord> {
    let path = drop_dir(gate, id).join("state.json");
    let bytes = fs::read(&path).map_err(io_err(&path))?;
    serde_json::from_slice(&bytes).map_err(|e| GateError::Corrupt {
        path,
        message: format!("not a drop state file: {e}"),
    })
}

/// Writes `state.json` atomically.
pub fn save(gate: &Gate, record: &DropRecord) -> Result<()> {
    let path = drop_dir(gate, &record.id).join("state.json");
    let bytes = serde_json::to_vec_pretty(record)?;
    datagate_project::write_atomic(&path, &bytes)?;
    Ok(())
}

/// Every drop id, sorted.
pub fn list_ids(gate: &Gate) -> Result<Vec<String>> {
    let dir = gate.drops_dir();
    let mut ids = Vec::new();
    let rd = match fs::read_dir(&dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(ids),
        Err(e) => return Err(io_err(&dir)(e)),
    };
    for entry in rd {
        let entry = entry.map_err(io_err(&dir))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with("d-") && entry.path().join("state.json").is_file() {
            ids.push(name);
        }
    }
    ids.sort();
    Ok(ids)
}

/// Resolves a full id or a unique prefix (with or without `d-`).
pub fn resolve(gate: &Gate, prefix: &str) -> Result<String> {
    let want = if prefix.starts_with("d-") {
        prefix.to_string()
    } else {
        format!("d-{prefix}")
    };
    if want.len() < 3 {
        return Err(GateError::NotFound(format!(
            "{prefix:?} is too short to name a drop"
        )));
    }
    let ids = list_ids(gate)?;
    let matches: Vec<&String> = ids.iter().filter(|i| i.starts_with(&want)).collect();
    match matches.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(GateError::NotFound(format!(
            "no drop {prefix:?} (see `datagate status` for the drops in quarantine)"
        ))),
        many => Err(GateError::NotFound(format!(
            "{prefix:?} is ambiguous: it matches {}",
            many.iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// Records a transition: appends the ledger entry, then updates and saves the state.
pub(crate) fn transition(
    gate: &mut Gate,
    record: &mut DropRecord,
    to: State,
    action: &str,
    subject: Subject,
    details: serde_json::Value,
) -> Result<u64> {
    let receipt = gate.record(action, subject, details)?;
    record.state = to;
    record.history.push(Transition {
        to,
        at: now(),
        actor: gate.actor.clone(),
        ledger_seq: receipt.seq,
    });
    save(gate, record)?;
    Ok(receipt.seq)
}

/// Options of [`ingest`].
#[derive(Debug, Clone, Default)]
pub struct IngestOptions {
    /// A DSSE envelope by the source over the file.
    pub signature: Option<PathBuf>,
    /// Licence metadata (overrides the source's).
    pub licence: Option<String>,
    /// Target dataset (overrides the source's).
    pub dataset: Option<String>,
    /// The trusted version this file was derived from by the gate itself (a PII erasure):
    /// the source's signature is then not required, and the derivation is recorded.
    pub derived_from: Option<String>,
}

/// What [`ingest`] did.
#[derive(Debug, Clone, Serialize)]
pub struct Ingested {
    /// The new drop.
    pub record: DropRecord,
    /// The source's risk score.
    pub risk: risk::RiskScore,
    /// The ledger entry.
    pub ledger_seq: u64,
}

/// The suffix kept on the quarantined copy so that format detection still works:
/// `data.csv.gz` → `.csv.gz`.
fn suffix_of(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    let mut parts: Vec<&str> = lower.rsplitn(3, '.').collect();
    parts.reverse();
    let keep = match parts.as_slice() {
        [_, inner, outer] if matches!(*outer, "gz" | "gzip" | "zst" | "zstd") => {
            format!(".{inner}.{outer}")
        }
        [.., ext] if parts.len() > 1 => format!(".{ext}"),
        _ => String::new(),
    };
    keep.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '.')
        .collect()
}

#[cfg(unix)]
fn set_read_only(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(0o444)).map_err(io_err(path))
}

#[cfg(not(unix))]
fn set_read_only(path: &Path) -> Result<()> {
    let mut p = fs::metadata(path).map_err(io_err(path))?.permissions();
    p.set_readonly(true);
    fs::set_permissions(path, p).map_err(io_err(path))
}

/// Acquisition and quarantine: copies `file` into a fresh staging folder, fingerprints the
/// copy (never the original, which may change under us), verifies the source's signature
/// over the copy when the source lists keys, makes the copy read-only and records
/// `gate.ingest`.
pub fn ingest(
    gate: &mut Gate,
    source: &str,
    file: &Path,
    opts: &IngestOptions,
) -> Result<Ingested> {
    let src = gate.policy.source(source)?.clone();
    let tier = gate.policy.tier(&src.tier)?.clone();
    if !file.is_file() {
        return Err(GateError::NotFound(format!(
            "{}: no such file",
            file.display()
        )));
    }
    if opts.signature.is_some() && src.keys.is_empty() {
        return refuse(format!(
            "source {source} lists no public keys to verify --signature with; add `keys = [\"PATH.pub\"]` under [sources.{source}] in datagate.toml"
        ));
    }
    if !src.keys.is_empty() && opts.signature.is_none() && opts.derived_from.is_none() {
        return refuse(format!(
            "source {source} signs its drops (sources.{source}.keys): pass --signature ENVELOPE (from `datagate sign {}` with the source's key)",
            file.display()
        ));
    }
    let dataset = opts.dataset.clone().or(src.dataset.clone());
    if let Some(d) = &dataset {
        if !policy::valid_name(d) {
            return refuse(format!("{d:?} is not a valid dataset name"));
        }
    }
    let drops = gate.drops_dir();
    fs::create_dir_all(&drops).map_err(io_err(&drops))?;
    let staging = tempfile::Builder::new()
        .prefix(".incoming-")
        .tempdir_in(&drops)
        .map_err(io_err(&drops))?;
    let file_name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "drop".into());
    let tmp_copy = staging.path().join("incoming");
    copy_file(file, &tmp_copy)?;
    let digests = hash_file(&tmp_copy, Algorithms::Sha256)?;
    let sha256 = digests.sha256_hex().unwrap_or_default();
    let id = format!("d-{}", crate::short(&sha256, 12));
    let signature = match &opts.signature {
        None => None,
        Some(env_path) => {
            let envelope = Envelope::read(env_path)?;
            let mut last = String::new();
            let mut verified = None;
            for key in &src.keys {
                match datagate_integrity::dsse::verify_file_envelope(
                    &envelope,
                    &key.key,
                    Some(&tmp_copy),
                ) {
                    Ok(_) => {
                        verified = Some(key.key_id.clone());
                        break;
                    }
                    Err(e) => last = e.to_string(),
                }
            }
            let Some(key_id) = verified else {
                return Err(GateError::Tampered(format!(
                    "the signature {} does not verify for {} with any key of source {source}: {last}",
                    env_path.display(),
                    file.display()
                )));
            };
            let bytes = fs::read(env_path).map_err(io_err(env_path))?;
            fs::write(staging.path().join("signature.dsse.json"), &bytes)
                .map_err(io_err(staging.path()))?;
            Some(SignatureInfo {
                key_id,
                envelope_sha256: sha256_hex(&bytes),
            })
        }
    };
    let quarantine = format!("{sha256}{}", suffix_of(&file_name));
    let final_copy = staging.path().join(&quarantine);
    fs::rename(&tmp_copy, &final_copy).map_err(io_err(&final_copy))?;
    set_read_only(&final_copy)?;
    let target = drops.join(&id);
    if target.exists() && !target.join("state.json").exists() {
        // Left by an ingest that died between the rename and the first state write (at most
        // its gate.ingest entry was appended; ingesting again appends another for the same
        // digest): the copy is re-made from the file, so clear it.
        make_writable(&target);
        fs::remove_dir_all(&target).map_err(io_err(&target))?;
    }
    if target.exists() {
        let existing = load(gate, &id)
            .map(|r| r.state_label())
            .unwrap_or_else(|_| "unreadable".into());
        return refuse(format!(
            "{} was already ingested as {id} ({existing}); a drop is identified by its content",
            file.display()
        ));
    }
    let history = risk::History::from_ledger(&gate.ledger)?;
    let score = risk::score(&src, &tier, &history);
    let staged = staging.keep();
    fs::rename(&staged, &target).map_err(io_err(&target))?;
    let mut record = DropRecord {
        id: id.clone(),
        source: source.to_string(),
        tier: tier.name.clone(),
        file: file_name.clone(),
        sha256: sha256.clone(),
        bytes: digests.size,
        quarantine,
        risk: score.score,
        dataset,
        licence: opts.licence.clone().or(src.licence.clone()),
        signature,
        ingested_at: now(),
        ingested_by: gate.actor.clone(),
        state: State::Quarantined,
        review: None,
        label_audit: None,
        approvals: Vec::new(),
        promoted: None,
        rejected: None,
        history: Vec::new(),
    };
    let details = serde_json::json!({
        "source": source,
        "file": file_name,
        "tier": tier.name,
        "bytes": digests.size,
        "risk": score.score,
        "signed_by": record.signature.as_ref().map(|s| s.key_id.clone()),
        "licence": record.licence,
        "dataset": record.dataset,
        "derived_from": opts.derived_from,
    });
    let subject = record.subject();
    let seq = transition(
        gate,
        &mut record,
        State::Quarantined,
        "gate.ingest",
        subject,
        details,
    )?;
    Ok(Ingested {
        record,
        risk: score,
        ledger_seq: seq,
    })
}

/// Makes every file in `dir` writable again (so a half-made drop folder can be removed on
/// systems where read-only files cannot be deleted).
fn make_writable(dir: &Path) {
    if let Ok(rd) = fs::read_dir(dir) {
        for e in rd.flatten() {
            if let Ok(meta) = e.metadata() {
                let mut p = meta.permissions();
                if p.readonly() {
                    #[allow(clippy::permissions_set_readonly_false)]
                    p.set_readonly(false);
                    let _ = fs::set_permissions(e.path(), p);
                }
            }
        }
    }
}

fn copy_file(from: &Path, to: &Path) -> Result<()> {
    let mut input = fs::File::open(from).map_err(io_err(from))?;
    let mut output = fs::File::create(to).map_err(io_err(to))?;
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = input.read(&mut buf).map_err(io_err(from))?;
        if n == 0 {
            break;
        }
        output.write_all(&buf[..n]).map_err(io_err(to))?;
    }
    output.sync_all().map_err(io_err(to))?;
    Ok(())
}

/// Rejects a drop (any state before promotion).
pub fn reject(gate: &mut Gate, id: &str, reason: &str) -> Result<DropRecord> {
    let _lock = gate.lock_drop(id)?;
    let mut record = load(gate, id)?;
    record.can_reject()?;
    if reason.trim().is_empty() {
        return refuse("a rejection needs a reason (--reason)".into());
    }
    record.rejected = Some(RejectedInfo {
        reason: reason.to_string(),
        at: now(),
        by: gate.actor.clone(),
    });
    let subject = record.subject();
    let from = record.state.name();
    let report_sha256 = record.review.as_ref().map(|r| r.report_sha256.clone());
    transition(
        gate,
        &mut record,
        State::Rejected,
        "gate.reject",
        subject,
        serde_json::json!({ "reason": reason, "from": from, "report_sha256": report_sha256 }),
    )?;
    Ok(record)
}

/// Re-hashes `path` and refuses (as tampering, with `what` and both digests) unless its
/// SHA-256 is still `expected`.
fn ensure_unchanged(path: &Path, expected: &str, what: &str) -> Result<()> {
    let now = hash_file(path, Algorithms::Sha256)?
        .sha256_hex()
        .unwrap_or_default();
    if now == expected {
        return Ok(());
    }
    Err(GateError::Tampered(format!(
        "{what} (sha256 was {expected}, is now {now})"
    )))
}

/// What [`promote`] did.
#[derive(Debug, Clone, Serialize)]
pub struct Promoted {
    /// Dataset name.
    pub dataset: String,
    /// Version name.
    pub version: String,
    /// SHA-256 of the object.
    pub sha256: String,
    /// Key ids whose approvals verified.
    pub approvers: Vec<String>,
    /// The version that was current before, if any.
    pub previous: Option<String>,
}

/// Splits `DATASET/VERSION`, checking both names.
pub fn parse_target(target: &str) -> Result<(String, String)> {
    let Some((dataset, version)) = target.split_once('/') else {
        return refuse(format!(
            "{target:?}: expected DATASET/VERSION, e.g. train/v7"
        ));
    };
    for (what, name) in [("dataset", dataset), ("version", version)] {
        if !policy::valid_name(name) {
            return refuse(format!(
                "{target:?}: the {what} name {name:?} may hold only letters, digits, '.', '_' and '-'"
            ));
        }
    }
    Ok((dataset.to_string(), version.to_string()))
}

/// Promotion: refuses unless the drop is approved, the quarantined file still has the
/// digest that was reviewed and approved (re-hashed now), the review report still has the
/// digest the approvers signed, and at least k distinct approver signatures verify against
/// the policy's keys. Then stores the object and names the version.
pub fn promote(gate: &mut Gate, id: &str, target: &str) -> Result<Promoted> {
    let _drop_lock = gate.lock_drop(id)?;
    let mut record = load(gate, id)?;
    let (dataset, version) = parse_target(target)?;
    let tier = gate.policy.tier(&record.tier)?.clone();
    record.can_promote(tier.label_audit.is_some(), tier.k)?;
    let quarantined = record.quarantine_path(&gate.drops_dir());
    ensure_unchanged(
        &quarantined,
        &record.sha256,
        &format!(
            "refusing to promote {}: the quarantined file {} changed since it was ingested, reviewed and approved",
            record.id,
            quarantined.display()
        ),
    )?;
    let review = record
        .review
        .clone()
        .ok_or_else(|| GateError::Refused(format!("{} has no review", record.id)))?;
    let report_path = gate.project.root().join(&review.report_json);
    ensure_unchanged(
        &report_path,
        &review.report_sha256,
        &format!(
            "refusing to promote {}: the review report {} changed since it was approved",
            record.id,
            report_path.display()
        ),
    )?;
    let approvers = approve::verify_approvals(gate, &record, &tier)?;
    if approvers.len() < tier.k {
        return Err(GateError::Tampered(format!(
            "refusing to promote {}: {} of {} required approval signature(s) verify (tier {} needs k = {}){}",
            record.id,
            approvers.len(),
            tier.k,
            tier.name,
            tier.k,
            if approvers.is_empty() {
                String::new()
            } else {
                format!(
                    "; valid: {}",
                    approvers
                        .iter()
                        .map(|a| a.name.clone())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        )));
    }
    let store = LocalStore::new(gate.project.objects_dir());
    let _store_lock = gate.lock_store()?;
    let mut refs = Refs::load_or_new(&gate.refs_dir(), &dataset)?;
    if refs.version(&version).is_some() {
        return refuse(format!(
            "{dataset}/{version} already exists; promoted versions are immutable (choose a new version name)"
        ));
    }
    store.put_file(&quarantined, &record.sha256)?;
    let key_ids: Vec<String> = approvers.iter().map(|a| a.key_id.clone()).collect();
    let previous = refs.current.clone();
    refs.add_version(crate::store::Version {
        version: version.clone(),
        sha256: record.sha256.clone(),
        bytes: record.bytes,
        file: record.file.clone(),
        drop: record.id.clone(),
        source: record.source.clone(),
        approvers: key_ids.clone(),
        report_sha256: review.report_sha256.clone(),
        promoted_at: now(),
        promoted_by: gate.actor.clone(),
        expired: None,
    });
    refs.push_history(
        "promote",
        previous.clone(),
        Some(version.clone()),
        &gate.actor,
    );
    refs.save(&gate.refs_dir())?;
    record.promoted = Some(PromotedInfo {
        dataset: dataset.clone(),
        version: version.clone(),
        at: now(),
    });
    let subject =
        Subject::named(format!("{dataset}/{version}")).with_digest("sha256", record.sha256.clone());
    let details = serde_json::json!({
        "drop": record.id,
        "source": record.source,
        "dataset": dataset,
        "version": version,
        "approvers": key_ids,
        "report_sha256": review.report_sha256,
        "previous": previous,
    });
    transition(
        gate,
        &mut record,
        State::Promoted,
        "gate.promote",
        subject,
        details,
    )?;
    Ok(Promoted {
        dataset,
        version,
        sha256: record.sha256.clone(),
        approvers: key_ids,
        previous,
    })
}

/// One line of `datagate status`.
#[derive(Debug, Clone, Serialize)]
pub struct DropStatus {
    /// The drop id.
    pub id: String,
    /// Source.
    pub source: String,
    /// Tier.
    pub tier: String,
    /// `reviewed(pass)` etc.
    pub state: String,
    /// Risk at ingest.
    pub risk: u32,
    /// Approvals so far and needed.
    pub approvals: String,
    /// The file name.
    pub file: String,
    /// When ingested.
    pub ingested_at: String,
    /// What to do next.
    pub next: String,
}

/// One dataset in the store.
#[derive(Debug, Clone, Serialize)]
pub struct DatasetStatus {
    /// Name.
    pub dataset: String,
    /// Current version.
    pub current: Option<String>,
    /// Versions not expired.
    pub versions: Vec<String>,
}

/// What is in quarantine, awaiting approval, promoted; and the store's datasets.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    /// Every drop.
    pub drops: Vec<DropStatus>,
    /// Every dataset.
    pub datasets: Vec<DatasetStatus>,
}

/// Gathers [`Status`].
pub fn status(gate: &Gate) -> Result<Status> {
    let mut drops = Vec::new();
    for id in list_ids(gate)? {
        let r = load(gate, &id)?;
        let (k, la) = gate
            .policy
            .tiers
            .get(&r.tier)
            .map(|t| (t.k, t.label_audit.is_some()))
            .unwrap_or((1, false));
        let next = match r.state {
            State::Quarantined => format!("datagate review {id}"),
            State::Reviewed if r.review.as_ref().is_some_and(|x| !x.passed()) => {
                format!("datagate reject {id} --reason ...")
            }
            State::Reviewed if la => format!("datagate sample {id} -o label-audit.csv"),
            State::LabelAudited if r.label_audit.as_ref().is_some_and(|l| l.verdict != "pass") => {
                format!("datagate reject {id} --reason ...")
            }
            State::Reviewed | State::LabelAudited => format!("datagate approve {id} --key KEY"),
            State::Approved => format!("datagate promote {id} --as DATASET/VERSION"),
            State::Promoted | State::Rejected => String::new(),
        };
        drops.push(DropStatus {
            id: r.id.clone(),
            source: r.source.clone(),
            tier: r.tier.clone(),
            state: r.state_label(),
            risk: r.risk,
            approvals: format!("{}/{k}", r.approvals.len()),
            file: r.file.clone(),
            ingested_at: r.ingested_at.clone(),
            next,
        });
    }
    let mut datasets = Vec::new();
    for refs in Refs::load_all(&gate.refs_dir())? {
        datasets.push(DatasetStatus {
            dataset: refs.dataset.clone(),
            current: refs.current.clone(),
            versions: refs
                .versions
                .iter()
                .filter(|v| v.expired.is_none())
                .map(|v| v.version.clone())
                .collect(),
        });
    }
    Ok(Status { drops, datasets })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(state: State) -> DropRecord {
        DropRecord {
            id: "d-0123456789ab".into(),
            source: "v".into(),
            tier: "untrusted".into(),
            file: "x.csv".into(),
            sha256: "00".repeat(32),
            bytes: 1,
            quarantine: "q.csv".into(),
            risk: 50,
            dataset: None,
            licence: None,
            signature: None,
            ingested_at: String::new(),
            ingested_by: String::new(),
            state,
            review: None,
            label_audit: None,
            approvals: Vec::new(),
            promoted: None,
            rejected: None,
            history: Vec::new(),
        }
    }

    fn review(verdict: &str) -> ReviewInfo {
        ReviewInfo {
            verdict: verdict.into(),
            report_sha256: "ab".into(),
            report_json: "r.json".into(),
            report_html: "r.html".into(),
            checks: Vec::new(),
            at: String::new(),
            by: String::new(),
        }
    }

    fn refused(r: Result<()>) -> String {
        match r {
            Err(GateError::Refused(m)) => m,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn skipping_the_review_names_the_missing_step() {
        let r = record(State::Quarantined);
        let m = refused(r.can_approve(false));
        assert!(m.contains("missing step: review"), "{m}");
        let m = refused(r.can_promote(false, 1));
        assert!(m.contains("missing step: review"), "{m}");
        assert!(r.can_review().is_ok());
    }

    #[test]
    fn skipping_the_label_audit_names_it() {
        let mut r = record(State::Reviewed);
        r.review = Some(review("pass"));
        let m = refused(r.can_approve(true));
        assert!(m.contains("missing step: label audit"), "{m}");
        assert!(r.can_approve(false).is_ok());
        let m = refused(r.can_promote(false, 2));
        assert!(
            m.contains("missing step: approval") && m.contains("0 of 2"),
            "{m}"
        );
    }

    #[test]
    fn failed_reviews_and_audits_block_approval() {
        let mut r = record(State::Reviewed);
        r.review = Some(review("fail"));
        assert!(refused(r.can_approve(false)).contains("review failed"));
        assert!(refused(r.can_label_audit()).contains("review failed"));
        r.review = Some(review("pass"));
        r.state = State::LabelAudited;
        r.label_audit = Some(LabelAuditInfo {
            sampled: 10,
            disagreements: 3,
            rate: 0.3,
            threshold: 0.05,
            verdict: "fail".into(),
            sheet_sha256: String::new(),
            at: String::new(),
            by: String::new(),
        });
        assert!(refused(r.can_approve(true)).contains("label audit failed"));
        assert!(r.can_reject().is_ok());
    }

    #[test]
    fn terminal_states_refuse_everything() {
        let mut r = record(State::Promoted);
        r.review = Some(review("pass"));
        assert!(refused(r.can_review()).contains("already promoted"));
        assert!(refused(r.can_reject()).contains("already promoted"));
        r.state = State::Rejected;
        assert!(refused(r.can_approve(false)).contains("rejected"));
        assert!(refused(r.can_promote(false, 1)).contains("rejected"));
    }

    #[test]
    fn re_review_is_refused_once_approved() {
        let mut r = record(State::Reviewed);
        r.review = Some(review("pass"));
        r.approvals.push(ApprovalInfo {
            approver: "alice".into(),
            key_id: "k".into(),
            envelope: String::new(),
            envelope_sha256: String::new(),
            report_sha256: "ab".into(),
            at: String::new(),
        });
        assert!(refused(r.can_review()).contains("invalidate"));
    }

    #[test]
    fn suffixes_keep_the_format() {
        assert_eq!(suffix_of("a.csv"), ".csv");
        assert_eq!(suffix_of("drop.2026.csv.gz"), ".csv.gz");
        assert_eq!(suffix_of("noext"), "");
        assert_eq!(suffix_of("m.pt"), ".pt");
    }

    #[test]
    fn targets_are_checked() {
        assert_eq!(
            parse_target("train/v7").unwrap(),
            ("train".to_string(), "v7".to_string())
        );
        assert!(parse_target("train").is_err());
        assert!(parse_target("../x/v1").is_err());
        assert!(parse_target("a/b/c").is_err());
    }
}
