//! Provenance of a dataset version or a model as an in-toto Statement v1 with a SLSA
//! Provenance v1 predicate (`https://slsa.dev/provenance/v1`), rebuilt from the ledger.
//!
//! For a dataset version the predicate has the **same shape as the trusted store's signed
//! export** (`datagate-gate`, `store::export`, build type `https://datagate.dev/gate/promote/v1`):
//! `externalParameters` {source, drop, dataset, version}; `internalParameters` {tier, checks,
//! review_report_sha256, approvers [{approver, keyid, envelope_sha256}], source_signature,
//! licence}; `resolvedDependencies` the drop (`datagate:drop/ID`, file name, sha256, source);
//! `runDetails` builder `https://datagate.dev/gate`, invocation = the drop id, byproduct the
//! review report. The store builds it from its own records, this module from the ledger; on
//! top, `internalParameters` carries `ledger` (origin, size, Merkle root, entry: so each claim
//! can be proven with `datagate log prove`) and `lineage` (every source, drop, review with each
//! check's verdict, and approval upstream, which matters when a version descends from an
//! erasure of another). For a model (build type `https://datagate.dev/lineage/link/v1`) the
//! external parameters are the model, the versions it was trained on and its scan verdict, and
//! the dependencies are those versions and the drops behind them.
//!
//! Sign the statement with `datagate_integrity::dsse::Envelope::sign` to get a DSSE envelope.
//! Blind spot: the statement says what the ledger recorded; it does not re-run any check.

use chrono::{DateTime, FixedOffset};
use datagate_integrity::dsse::{Statement, Subject, STATEMENT_TYPE_V1};
use serde_json::{json, Value};

use crate::graph::{Direction, Graph, Node, NodeKind};
use crate::{Error, Result};

/// The SLSA Provenance v1 predicate type.
pub const PREDICATE_TYPE: &str = "https://slsa.dev/provenance/v1";
/// The build type of a promoted dataset version (the same as the trusted store's export).
pub const PROMOTE_BUILD_TYPE: &str = "https://datagate.dev/gate/promote/v1";
/// The build type of a registered model.
pub const LINK_BUILD_TYPE: &str = "https://datagate.dev/lineage/link/v1";
/// The builder of a promoted version (the same as the trusted store's export).
pub const GATE_BUILDER: &str = "https://datagate.dev/gate";
/// The builder of a model registration.
pub const LINEAGE_BUILDER: &str = "https://datagate.dev/lineage";

fn parse_time(t: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(t).ok()
}

fn entry_time(g: &Graph, seq: u64) -> Option<String> {
    g.entry(seq)
        .and_then(|e| parse_time(&e.time))
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
}

fn attr(n: &Node, k: &str) -> Value {
    n.attrs.get(k).cloned().unwrap_or(Value::Null)
}

/// Everything upstream, as plain lists (sources, drops, reviews with checks, approvals).
fn lineage_lists(g: &Graph, up: &[usize]) -> Value {
    let of = |k: NodeKind| {
        up.iter()
            .map(|&i| &g.nodes()[i])
            .filter(move |n| n.kind == k)
    };
    json!({
        "sources": of(NodeKind::Source).map(|n| json!({"name": n.name, "tier": attr(n, "tier")})).collect::<Vec<_>>(),
        "drops": of(NodeKind::Drop).map(|n| json!({"id": n.id, "source": attr(n, "source"),
            "file": attr(n, "file"), "sha256": n.sha256(), "status": attr(n, "status")})).collect::<Vec<_>>(),
        "reviews": of(NodeKind::Report).map(|n| json!({"drop": attr(n, "drop"), "kind": attr(n, "kind"),
            "verdict": attr(n, "verdict"), "report_sha256": n.sha256(),
            "checks": n.attrs.get("checks").cloned().unwrap_or(json!([])), "ledger_seq": n.seq})).collect::<Vec<_>>(),
        "approvals": of(NodeKind::Approval).map(|n| json!({"drop": attr(n, "drop"), "approver": n.name,
            "keyid": attr(n, "key_id"), "decision": attr(n, "decision"), "envelope_sha256": n.sha256(),
            "report_sha256": attr(n, "report_sha256"), "ledger_seq": n.seq})).collect::<Vec<_>>(),
        "versions": of(NodeKind::Version).map(|n| json!({"id": n.id, "sha256": n.sha256(),
            "status": attr(n, "status")})).collect::<Vec<_>>(),
    })
}

fn drop_dependency(n: &Node) -> Value {
    let mut d = json!({
        "uri": format!("datagate:drop/{}", n.id),
        "name": n.attr_str("file").unwrap_or(&n.id),
        "annotations": {"source": attr(n, "source")},
    });
    if !n.digest.is_empty() {
        d["digest"] = json!(n.digest);
    }
    d
}

fn version_dependency(n: &Node) -> Value {
    let mut d = json!({"uri": format!("datagate:version/{}", n.id), "name": n.id});
    if !n.digest.is_empty() {
        d["digest"] = json!(n.digest);
    }
    d
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
    let nodes_of = |k: NodeKind| {
        up.iter()
            .map(|&i| &g.nodes()[i])
            .filter(move |n| n.kind == k)
    };
    let mut ledger = json!({"origin": g.origin(), "size": g.ledger_size(), "entry": node.seq});
    if let Some(r) = g.ledger_root() {
        ledger["root_sha256"] = json!(r);
    }
    let lineage = lineage_lists(g, &up);
    let (build_type, builder, external, internal, deps, invocation, started, byproducts) = if node
        .kind
        == NodeKind::Version
    {
        let drop = node
            .attr_str("drop")
            .and_then(|d| g.node(NodeKind::Drop, d))
            .map(|i| &g.nodes()[i]);
        // The promoted drop's latest review, and its approvals by the version's approvers.
        let review = drop.and_then(|d| {
            g.outgoing(g.node(NodeKind::Drop, &d.id)?)
                .filter(|e| e.kind == crate::EdgeKind::Review && e.seq < node.seq)
                .last()
                .map(|e| &g.nodes()[e.to])
        });
        let approvers_of_version: Vec<&str> = node
            .attrs
            .get("approvers")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let approvers: Vec<Value> = drop
            .and_then(|d| g.node(NodeKind::Drop, &d.id))
            .map(|di| {
                g.incoming(di)
                    .filter(|e| e.kind == crate::EdgeKind::Approve && e.seq < node.seq)
                    .map(|e| &g.nodes()[e.from])
                    .filter(|a| {
                        approvers_of_version.is_empty()
                            || a.attr_str("key_id").is_some_and(|k| approvers_of_version.contains(&k))
                    })
                    .map(|a| json!({"approver": a.name, "keyid": attr(a, "key_id"), "envelope_sha256": a.sha256()}))
                    .collect()
            })
            .unwrap_or_default();
        let external = json!({
            "source": attr(node, "source"),
            "drop": attr(node, "drop"),
            "dataset": attr(node, "dataset"),
            "version": attr(node, "version"),
        });
        let internal = json!({
            "tier": drop.map(|d| attr(d, "tier")),
            "policy_sha256": review.map(|r| attr(r, "policy_sha256")),
            "checks": review.map(|r| attr(r, "checks")),
            "review_report_sha256": node.attrs.get("report_sha256").cloned()
                .or_else(|| review.and_then(|r| r.sha256()).map(|s| json!(s))),
            "approvers": approvers,
            "source_signature": drop.map(|d| attr(d, "signed_by")),
            "licence": drop.map(|d| attr(d, "licence")),
            "ledger": ledger,
            "lineage": lineage,
        });
        let deps: Vec<Value> = nodes_of(NodeKind::Drop)
            .map(drop_dependency)
            .chain(nodes_of(NodeKind::Version).map(version_dependency))
            .collect();
        let invocation = node
            .attr_str("drop")
            .map(str::to_string)
            .unwrap_or_else(|| format!("{}#{}", g.origin(), node.seq));
        let started = drop.and_then(|d| entry_time(g, d.seq));
        // As the store's export: the review report the approvals signed.
        let byproducts: Vec<Value> = review
            .and_then(|r| r.sha256())
            .map(|s| vec![json!({"name": "review-report.json", "digest": {"sha256": s}})])
            .unwrap_or_default();
        (
            PROMOTE_BUILD_TYPE,
            GATE_BUILDER,
            external,
            internal,
            deps,
            invocation,
            started,
            byproducts,
        )
    } else {
        let trained_on: Vec<&str> = node
            .attrs
            .get("trained_on")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let external = json!({
            "model": node.name,
            "trained_on": trained_on,
            "model_scan": attr(node, "model_scan"),
        });
        let internal = json!({
            "manifest_sha256": attr(node, "manifest_sha256"),
            "ledger": ledger,
            "lineage": lineage,
        });
        let deps: Vec<Value> = nodes_of(NodeKind::Version)
            .map(version_dependency)
            .chain(nodes_of(NodeKind::Drop).map(drop_dependency))
            .collect();
        let byproducts: Vec<Value> = nodes_of(NodeKind::Report)
            .filter_map(|n| {
                let kind = n.attr_str("kind").unwrap_or("report");
                n.sha256().map(|s| {
                    json!({"name": format!("{kind}.json"), "digest": {"sha256": s},
                           "annotations": {"drop": attr(n, "drop")}})
                })
            })
            .collect();
        let started = lin
            .edges
            .iter()
            .filter_map(|&e| parse_time(&g.edges()[e].time))
            .min()
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true));
        (
            LINK_BUILD_TYPE,
            LINEAGE_BUILDER,
            external,
            internal,
            deps,
            format!("{}#{}", g.origin(), node.seq),
            started,
            byproducts,
        )
    };
    let mut metadata = json!({"invocationId": invocation});
    if let Some(s) = started {
        metadata["startedOn"] = json!(s);
    }
    if let Some(f) = entry_time(g, node.seq) {
        metadata["finishedOn"] = json!(f);
    }
    let predicate = json!({
        "buildDefinition": {
            "buildType": build_type,
            "externalParameters": external,
            "internalParameters": internal,
            "resolvedDependencies": deps,
        },
        "runDetails": {
            "builder": {"id": builder},
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
        let bd = &v["predicate"]["buildDefinition"];
        assert_eq!(bd["buildType"], PROMOTE_BUILD_TYPE);
        // The trusted store's export shape.
        assert_eq!(
            bd["externalParameters"],
            json!({"source": "vendor-x", "drop": "d-1", "dataset": "train", "version": "v1"})
        );
        let ip = &bd["internalParameters"];
        assert_eq!(ip["tier"], "untrusted");
        assert_eq!(ip["checks"][1]["check"], "poisoning");
        assert_eq!(ip["review_report_sha256"], h('1'));
        assert_eq!(
            ip["approvers"],
            json!([{"approver": "alice", "keyid": "ed25519:alice", "envelope_sha256": h('e')}])
        );
        // And the whole upstream from the ledger.
        let l = &ip["lineage"];
        assert_eq!(l["sources"][0]["name"], "vendor-x");
        assert_eq!(l["sources"][0]["tier"], "untrusted");
        assert_eq!(l["drops"][0]["id"], "d-1");
        assert_eq!(l["reviews"][0]["verdict"], "pass");
        let deps = &bd["resolvedDependencies"];
        assert_eq!(deps[0]["uri"], "datagate:drop/d-1");
        assert_eq!(deps[0]["name"], "drop1.csv");
        assert_eq!(deps[0]["digest"]["sha256"], h('a'));
        assert_eq!(v["predicate"]["runDetails"]["builder"]["id"], GATE_BUILDER);
        assert_eq!(
            v["predicate"]["runDetails"]["byproducts"][0]["name"],
            "review-report.json"
        );
        let md = &v["predicate"]["runDetails"]["metadata"];
        assert_eq!(md["invocationId"], "d-1");
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
        assert_eq!(p["trained_on"], json!(["train/v1"]));
        assert_eq!(p["model_scan"], "safe");
        let deps = &v["predicate"]["buildDefinition"]["resolvedDependencies"];
        assert_eq!(deps[0]["uri"], "datagate:version/train/v1");
        assert_eq!(deps[1]["uri"], "datagate:drop/d-1");
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
