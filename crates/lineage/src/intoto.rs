//! Provenance of a dataset version or a model as an in-toto Statement v1 with a SLSA
//! Provenance v1 predicate (`https://slsa.dev/provenance/v1`).
//!
//! The "build" is the gate: its `externalParameters` name the sources (with tiers), the drops
//! (with their sha256 and status), every review and label audit with each check's verdict and
//! findings, and every approval or rejection (approver key id, envelope and report digests);
//! for a model, also the dataset versions it was trained on. `resolvedDependencies` are the
//! drops (and, for a model, the versions) by digest; `byproducts` are the review reports and
//! approval envelopes by digest. `internalParameters.ledger` binds it to the log (origin, size
//! and Merkle root at the time of export), so every claim can be proven with `datagate log prove`.
//!
//! This is the one provenance builder of the project: the trusted store's export reuses
//! [`provenance`] rather than writing its own. Sign the statement with
//! `datagate_integrity::dsse::Envelope::sign` to get a DSSE envelope.
//!
//! Blind spot: the statement says what the ledger recorded; it does not re-run any check.

use chrono::{DateTime, FixedOffset};
use datagate_integrity::dsse::{Statement, Subject, STATEMENT_TYPE_V1};
use serde_json::{json, Value};

use crate::graph::{Direction, Graph, NodeKind};
use crate::{Error, Result, PRODUCER};

/// The SLSA Provenance v1 predicate type.
pub const PREDICATE_TYPE: &str = "https://slsa.dev/provenance/v1";
/// The build type: "what datagate's gate did".
pub const BUILD_TYPE: &str = "https://datagate.dev/lineage/gate/v1";

fn parse_time(t: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(t).ok()
}

/// The provenance statement of node `root` (a dataset version or a model with a sha256).
pub fn provenance(g: &Graph, root: usize) -> Result<Statement> {
    let node = g
        .nodes()
        .get(root)
        .ok_or_else(|| Error::Usage(format!("no node {root}")))?;
    if !matches!(node.kind, NodeKind::Version | NodeKind::Model) {
        return Err(Error::Usage(format!(
            "in-toto provenance is for a dataset version or a model; {} is a {}",
            node.name,
            node.kind.as_str()
        )));
    }
    let Some(sha) = node.sha256() else {
        return Err(Error::Usage(format!(
            "{} has no recorded sha256 (it was named but never promoted or linked)",
            node.name
        )));
    };
    let lin = g.walk(&[root], Direction::Upstream);
    let mut up: Vec<usize> = lin.upstream.iter().copied().collect();
    up.sort_by_key(|&i| (g.nodes()[i].seq, i));
    let of = |k: NodeKind| up.iter().copied().filter(move |&i| g.nodes()[i].kind == k);

    let sources: Vec<Value> = of(NodeKind::Source)
        .map(|i| {
            let n = &g.nodes()[i];
            json!({"name": n.name, "tier": n.attrs.get("tier")})
        })
        .collect();
    let drops: Vec<Value> = of(NodeKind::Drop)
        .map(|i| {
            let n = &g.nodes()[i];
            json!({"id": n.id, "source": n.attrs.get("source"), "file": n.attrs.get("file"),
                   "sha256": n.sha256(), "status": n.attrs.get("status")})
        })
        .collect();
    let reports: Vec<Value> = of(NodeKind::Report)
        .map(|i| {
            let n = &g.nodes()[i];
            json!({"drop": n.attrs.get("drop"), "kind": n.attrs.get("kind"),
                   "verdict": n.attrs.get("verdict"), "report_sha256": n.sha256(),
                   "checks": n.attrs.get("checks").cloned().unwrap_or(json!([])), "ledgerSeq": n.seq})
        })
        .collect();
    let approvals: Vec<Value> = of(NodeKind::Approval)
        .map(|i| {
            let n = &g.nodes()[i];
            json!({"drop": n.attrs.get("drop"), "approver": n.name, "decision": n.attrs.get("decision"),
                   "envelope_sha256": n.sha256(), "report_sha256": n.attrs.get("report_sha256"),
                   "ledgerSeq": n.seq})
        })
        .collect();
    let versions: Vec<&crate::graph::Node> = of(NodeKind::Version).map(|i| &g.nodes()[i]).collect();

    let mut deps: Vec<Value> = Vec::new();
    for v in &versions {
        let mut d =
            json!({"name": format!("store/{}", v.id), "annotations": {"kind": "dataset-version"}});
        if !v.digest.is_empty() {
            d["digest"] = json!(v.digest);
        }
        deps.push(d);
    }
    for i in of(NodeKind::Drop).chain(of(NodeKind::File)) {
        let n = &g.nodes()[i];
        let mut d = json!({"name": format!("{}/{}", if n.kind == NodeKind::Drop { "quarantine" } else { "files" }, n.name),
                           "annotations": {"kind": n.kind.as_str()}});
        if !n.digest.is_empty() {
            d["digest"] = json!(n.digest);
        }
        if let Some(s) = n.attr_str("source") {
            d["annotations"]["source"] = json!(s);
        }
        deps.push(d);
    }
    let mut byproducts: Vec<Value> = Vec::new();
    for i in of(NodeKind::Report).chain(of(NodeKind::Approval)) {
        let n = &g.nodes()[i];
        if let Some(s) = n.sha256() {
            let kind = if n.kind == NodeKind::Report {
                "report"
            } else {
                "approval-envelope"
            };
            byproducts.push(
                json!({"name": n.id, "digest": {"sha256": s}, "annotations": {"kind": kind}}),
            );
        }
    }

    let times: Vec<DateTime<FixedOffset>> = lin
        .edges
        .iter()
        .filter_map(|&e| parse_time(&g.edges()[e].time))
        .collect();
    let created = g
        .entry(node.seq)
        .and_then(|e| parse_time(&e.time))
        .or_else(|| times.iter().max().copied());
    let started = times.iter().min().copied().or(created);
    let fmt = |t: Option<DateTime<FixedOffset>>| {
        t.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
    };

    let mut external = json!({
        "subject": node.id,
        "sources": sources,
        "drops": drops,
        "checks": reports,
        "approvals": approvals,
    });
    if node.kind == NodeKind::Model {
        external["trainedOn"] = json!(versions.iter().map(|v| v.id.as_str()).collect::<Vec<_>>());
        external["modelScan"] = json!(node.attrs.get("model_scan"));
    } else {
        external["approvers"] = json!(node.attrs.get("approvers"));
    }
    let mut metadata = json!({"invocationId": format!("{}#{}", g.origin(), node.seq)});
    if let Some(s) = fmt(started) {
        metadata["startedOn"] = json!(s);
    }
    if let Some(f) = fmt(created) {
        metadata["finishedOn"] = json!(f);
    }
    let mut ledger = json!({"origin": g.origin(), "size": g.ledger_size(), "entry": node.seq});
    if let Some(r) = g.ledger_root() {
        ledger["rootSha256"] = json!(r);
    }
    let predicate = json!({
        "buildDefinition": {
            "buildType": BUILD_TYPE,
            "externalParameters": external,
            "internalParameters": {"ledger": ledger},
            "resolvedDependencies": deps,
        },
        "runDetails": {
            "builder": {"id": PRODUCER},
            "metadata": metadata,
            "byproducts": byproducts,
        },
    });
    Ok(Statement {
        type_: STATEMENT_TYPE_V1.to_string(),
        subject: vec![Subject {
            name: node.id.clone(),
            digest: [("sha256".to_string(), sha.to_string())]
                .into_iter()
                .collect(),
        }],
        predicate_type: PREDICATE_TYPE.to_string(),
        predicate,
    })
}

/// The provenance of what `name` resolves to, which must be exactly one version or model.
pub fn provenance_of(g: &Graph, name: &str) -> Result<Statement> {
    let found: Vec<usize> = g
        .resolve(name)?
        .into_iter()
        .filter(|&i| matches!(g.nodes()[i].kind, NodeKind::Version | NodeKind::Model))
        .collect();
    match found.as_slice() {
        [one] => provenance(g, *one),
        [] => Err(Error::Usage(format!(
            "in-toto provenance is for a dataset version or a model; {name:?} is neither"
        ))),
        many => Err(Error::Usage(format!(
            "{name:?} matches {}: name one",
            many.iter()
                .map(|&i| g.nodes()[i].key())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::tests::{h, sample};

    #[test]
    fn version_provenance_names_sources_drops_checks_and_approvers() {
        let g = Graph::from_entries(sample()).with_origin("demo/log");
        let st = provenance_of(&g, "train/v1").unwrap();
        let v = serde_json::to_value(&st).unwrap();
        assert_eq!(v["_type"], "https://in-toto.io/Statement/v1");
        assert_eq!(v["predicateType"], PREDICATE_TYPE);
        assert_eq!(v["subject"][0]["name"], "train/v1");
        assert_eq!(v["subject"][0]["digest"]["sha256"], h('a'));
        let p = &v["predicate"]["buildDefinition"]["externalParameters"];
        assert_eq!(p["sources"][0]["name"], "vendor-x");
        assert_eq!(p["sources"][0]["tier"], "untrusted");
        assert_eq!(p["drops"][0]["id"], "d-1");
        assert_eq!(p["checks"][0]["verdict"], "pass");
        assert_eq!(p["checks"][0]["checks"][1]["check"], "poisoning");
        assert_eq!(p["approvals"][0]["approver"], "ed25519:alice");
        assert_eq!(p["approvers"], json!(["ed25519:alice"]));
        let deps = &v["predicate"]["buildDefinition"]["resolvedDependencies"];
        assert_eq!(deps[0]["digest"]["sha256"], h('a'));
        let md = &v["predicate"]["runDetails"]["metadata"];
        assert_eq!(md["invocationId"], "demo/log#5");
        assert_eq!(md["finishedOn"], "2026-12-04T10:00:05.000000Z");
        assert_eq!(md["startedOn"], "2026-12-04T10:00:02.000000Z");
        // The poisoned drop appears nowhere.
        assert!(!v.to_string().contains("d-2"));
    }

    #[test]
    fn model_provenance_and_refusals() {
        let mut es = sample();
        es.push(crate::graph::tests::entry(
            14,
            "lineage.link",
            datagate_ledger::Subject::named("m2").with_digest("sha256", h('9')),
            json!({"trained_on": ["other/v9"]}),
        ));
        let g = Graph::from_entries(es);
        let st = provenance_of(&g, "fraud-model").unwrap();
        let v = serde_json::to_value(&st).unwrap();
        let p = &v["predicate"]["buildDefinition"]["externalParameters"];
        assert_eq!(p["trainedOn"], json!(["train/v1"]));
        assert_eq!(p["modelScan"], "safe");
        assert!(provenance_of(&g, "d-1")
            .unwrap_err()
            .to_string()
            .contains("neither"));
        assert!(provenance_of(&g, "train")
            .unwrap_err()
            .to_string()
            .contains("name one"));
        // A version only named by a link has no digest to be a subject.
        let err = provenance_of(&g, "other/v9").unwrap_err().to_string();
        assert!(err.contains("no recorded sha256"), "{err}");
    }
}
