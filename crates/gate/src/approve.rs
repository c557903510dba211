//! Signed approvals, k-of-n.
//!
//! An approval is a DSSE envelope (signed with the approver's private key, Ed25519 by
//! default) over an in-toto Statement v1:
//!
//! ```json
//! {"_type": "https://in-toto.io/Statement/v1",
//!  "subject": [{"name": "drop-2026-11.csv", "digest": {"sha256": "<drop digest>"}}],
//!  "predicateType": "https://datagate.dev/gate-approval/v1",
//!  "predicate": {"drop": "d-…", "source": "vendor-x", "tier": "untrusted",
//!                "decision": "approve", "report": {"sha256": "<review report digest>"},
//!                "approvedAt": "…"}}
//! ```
//!
//! The key must be one of the tier's approvers (checked by key, never by the envelope's
//! `keyid` hint). At promotion every stored envelope is verified again against the policy's
//! current approver keys, its subject and report digests compared with the drop's, and the
//! distinct keys counted: k-of-n means k different keys, so one approver signing twice
//! counts once.
//!
//! An approver need not put a private key on the gate's machine: with a copy of the project
//! state they run `datagate approve ID --key KEY --detach -o approval.json` (nothing is
//! recorded), and the gate records it with `datagate approve ID --envelope approval.json`,
//! which verifies it like promotion does before recording it.
//!
//! Blind spots: an approver's private key on the same machine as the gate is only as safe as
//! that machine; removing a key from the policy revokes its pending approvals (they no
//! longer verify at promotion) but not versions already promoted.

use std::path::Path;

use datagate_integrity::dsse::{
    Envelope, Statement, Subject as StatementSubject, IN_TOTO_PAYLOAD_TYPE, STATEMENT_TYPE_V1,
};
use datagate_integrity::hash::sha256_hex;
use datagate_integrity::keys::PrivateKey;
use serde::Serialize;

use crate::error::{io_err, GateError, Result};
use crate::policy::Tier;
use crate::workflow::{self, ApprovalInfo, DropRecord, State};
use crate::{now, Gate};

/// `predicateType` of an approval.
pub const APPROVAL_PREDICATE_TYPE: &str = "https://datagate.dev/gate-approval/v1";

/// The statement an approver signs for `record`.
pub fn approval_statement(record: &DropRecord, report_sha256: &str) -> Statement {
    Statement {
        type_: STATEMENT_TYPE_V1.into(),
        subject: vec![StatementSubject {
            name: record.file.clone(),
            digest: [("sha256".to_string(), record.sha256.clone())]
                .into_iter()
                .collect(),
        }],
        predicate_type: APPROVAL_PREDICATE_TYPE.into(),
        predicate: serde_json::json!({
            "drop": record.id,
            "source": record.source,
            "tier": record.tier,
            "decision": "approve",
            "report": { "sha256": report_sha256 },
            "labelAudit": record.label_audit.as_ref().map(|l| serde_json::json!({
                "sampled": l.sampled, "disagreements": l.disagreements, "verdict": l.verdict,
            })),
            "approvedAt": now(),
        }),
    }
}

/// What [`approve`] did.
#[derive(Debug, Clone, Serialize)]
pub struct Approved {
    /// The approver's name.
    pub approver: String,
    /// The key id.
    pub key_id: String,
    /// Distinct approvals now.
    pub count: usize,
    /// Needed.
    pub k: usize,
    /// The state after.
    pub state: String,
}

/// Where an approval comes from.
#[derive(Debug, Clone, Copy)]
pub enum Signature<'a> {
    /// Sign here with this private key.
    Key(&'a Path),
    /// An envelope signed elsewhere (an approver whose key never touches this machine).
    Envelope(&'a Path),
}

fn check_tier(tier: &Tier) -> Result<()> {
    if tier.approvers.is_empty() {
        return Err(GateError::Refused(format!(
            "tier {} has no approvers: add them to datagate.toml ([approvers] alice = \"keys/alice.pub\", and approvals = {{ k = {} }} under [tiers.{}])",
            tier.name, tier.k, tier.name
        )));
    }
    if tier.approvers.len() < tier.k {
        return Err(GateError::Refused(format!(
            "tier {} needs k = {} approvers but only {} are configured (tiers.{}.approvals / [approvers] in datagate.toml)",
            tier.name,
            tier.k,
            tier.approvers.len(),
            tier.name
        )));
    }
    Ok(())
}

fn not_an_approver(tier: &Tier, what: &str, key_id: &str) -> GateError {
    GateError::Refused(format!(
        "{what} (key id {}) is not one of tier {}'s approvers ({}); refusing to record its approval",
        crate::short(key_id, 16),
        tier.name,
        tier.approvers
            .iter()
            .map(|a| format!("{} {}", a.name, crate::short(&a.key_id, 16)))
            .collect::<Vec<_>>()
            .join(", ")
    ))
}

/// Signs an approval of drop `id` with the private key at `key_path` without recording it:
/// the envelope an approver on another machine (holding a copy of the project's state)
/// sends to the gate, which records it with [`approve`] and [`Signature::Envelope`].
pub fn sign_detached(gate: &Gate, id: &str, key_path: &Path) -> Result<Envelope> {
    let record = workflow::load(gate, id)?;
    let tier = gate.policy.tier(&record.tier)?.clone();
    record.can_approve(tier.label_audit.is_some())?;
    check_tier(&tier)?;
    let key = PrivateKey::read(key_path)?;
    let key_id = key.public_key().key_id()?;
    if !tier.approvers.iter().any(|a| a.key_id == key_id) {
        return Err(not_an_approver(
            &tier,
            &key_path.display().to_string(),
            &key_id,
        ));
    }
    let review = record
        .review
        .clone()
        .ok_or_else(|| GateError::Refused(format!("{} has no review", record.id)))?;
    let statement = approval_statement(&record, &review.report_sha256);
    let body = serde_json_canonicalizer::to_vec(&statement).map_err(GateError::Json)?;
    Ok(Envelope::sign(IN_TOTO_PAYLOAD_TYPE, &body, &key)?)
}

/// Records an approval of drop `id`: signed here with a key, or an envelope signed
/// elsewhere (verified against the tier's approver keys and the drop's digests first).
pub fn approve(gate: &mut Gate, id: &str, signature: Signature<'_>) -> Result<Approved> {
    let _lock = gate.lock_drop(id)?;
    let mut record = workflow::load(gate, id)?;
    let tier = gate.policy.tier(&record.tier)?.clone();
    record.can_approve(tier.label_audit.is_some())?;
    check_tier(&tier)?;
    let review = record
        .review
        .clone()
        .ok_or_else(|| GateError::Refused(format!("{} has no review", record.id)))?;
    let (envelope, approver) = match signature {
        Signature::Key(key_path) => {
            let key = PrivateKey::read(key_path)?;
            let key_id = key.public_key().key_id()?;
            let Some(approver) = tier.approvers.iter().find(|a| a.key_id == key_id) else {
                return Err(not_an_approver(
                    &tier,
                    &key_path.display().to_string(),
                    &key_id,
                ));
            };
            let statement = approval_statement(&record, &review.report_sha256);
            let body = serde_json_canonicalizer::to_vec(&statement).map_err(GateError::Json)?;
            (
                Envelope::sign(IN_TOTO_PAYLOAD_TYPE, &body, &key)?,
                approver.clone(),
            )
        }
        Signature::Envelope(path) => {
            let envelope = Envelope::read(path)?;
            let Some(approver) = tier
                .approvers
                .iter()
                .find(|a| check_envelope(&envelope, a, &record, &review.report_sha256))
            else {
                return Err(GateError::Tampered(format!(
                    "{}: not a valid approval of {} by any of tier {}'s approvers (wrong key, wrong drop or report digest, or a bad signature)",
                    path.display(),
                    record.id,
                    tier.name
                )));
            };
            (envelope, approver.clone())
        }
    };
    let key_id = approver.key_id.clone();
    if record.approvals.iter().any(|a| a.key_id == key_id) {
        return Err(GateError::Refused(format!(
            "{} already approved {}; k-of-n counts distinct approvers ({} of {})",
            approver.name,
            record.id,
            record.approvals.len(),
            tier.k
        )));
    }
    let bytes = serde_json::to_vec_pretty(&envelope)?;
    let dir = workflow::drop_dir(gate, &record.id).join("approvals");
    std::fs::create_dir_all(&dir).map_err(io_err(&dir))?;
    let rel = format!("approvals/{}.dsse.json", crate::short(&key_id, 16));
    datagate_project::write_atomic(&workflow::drop_dir(gate, &record.id).join(&rel), &bytes)?;
    let envelope_sha256 = sha256_hex(&bytes);
    record.approvals.push(ApprovalInfo {
        approver: approver.name.clone(),
        key_id: key_id.clone(),
        envelope: rel,
        envelope_sha256: envelope_sha256.clone(),
        report_sha256: review.report_sha256.clone(),
        at: now(),
    });
    let count = record.approvals.len();
    let to = if count >= tier.k {
        State::Approved
    } else {
        record.state
    };
    let subject = record.subject();
    workflow::transition(
        gate,
        &mut record,
        to,
        "gate.approve",
        subject,
        serde_json::json!({
            "approver": approver.name,
            "key_id": key_id,
            "envelope_sha256": envelope_sha256,
            "report_sha256": review.report_sha256,
            "count": count,
            "k": tier.k,
            "signed_elsewhere": matches!(signature, Signature::Envelope(_)),
        }),
    )?;
    Ok(Approved {
        approver: approver.name.clone(),
        key_id,
        count,
        k: tier.k,
        state: record.state_label(),
    })
}

/// Whether `envelope` is `approver`'s valid approval of `record` under `report_sha`.
fn check_envelope(
    envelope: &Envelope,
    approver: &crate::policy::Approver,
    record: &DropRecord,
    report_sha: &str,
) -> bool {
    let Ok(body) = envelope.verify(&approver.key) else {
        return false;
    };
    if envelope.payload_type != IN_TOTO_PAYLOAD_TYPE {
        return false;
    }
    let Ok(st) = Statement::from_json(&body) else {
        return false;
    };
    let subject_ok = st
        .subject
        .iter()
        .any(|s| s.digest.get("sha256").map(String::as_str) == Some(record.sha256.as_str()));
    let p = &st.predicate;
    subject_ok
        && st.predicate_type == APPROVAL_PREDICATE_TYPE
        && p.get("drop").and_then(|v| v.as_str()) == Some(record.id.as_str())
        && p.get("decision").and_then(|v| v.as_str()) == Some("approve")
        && p.pointer("/report/sha256").and_then(|v| v.as_str()) == Some(report_sha)
}

/// An approval that verified.
#[derive(Debug, Clone, Serialize)]
pub struct VerifiedApproval {
    /// The approver's name in the policy.
    pub name: String,
    /// The key id.
    pub key_id: String,
}

/// Verifies every stored approval of `record` against the tier's current approver keys and
/// the drop's digests; returns the distinct approvers whose signatures hold. Envelopes that
/// fail are skipped (the caller compares the count with k), unreadable ones are errors.
pub fn verify_approvals(
    gate: &Gate,
    record: &DropRecord,
    tier: &Tier,
) -> Result<Vec<VerifiedApproval>> {
    let report_sha = record
        .review
        .as_ref()
        .map(|r| r.report_sha256.clone())
        .unwrap_or_default();
    let mut out: Vec<VerifiedApproval> = Vec::new();
    for a in &record.approvals {
        let path = workflow::drop_dir(gate, &record.id).join(&a.envelope);
        let envelope = Envelope::read(&path)?;
        for approver in &tier.approvers {
            if check_envelope(&envelope, approver, record, &report_sha)
                && !out.iter().any(|o| o.key_id == approver.key_id)
            {
                out.push(VerifiedApproval {
                    name: approver.name.clone(),
                    key_id: approver.key_id.clone(),
                });
            }
        }
    }
    Ok(out)
}
