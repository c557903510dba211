//! OpenLineage run events (spec 2-0-2) for the gate's ledger entries, so Marquez or any
//! OpenLineage consumer can draw the same lineage.
//!
//! One `COMPLETE` run event per ledger entry that moves data: `gate.ingest`, `gate.review`,
//! `gate.label_audit`, `gate.promote`, `lineage.link` and erasures. Approvals, rejections,
//! rollbacks and expiries are not runs; promote's run facet names the approvers instead.
//!
//! Naming (the same in every event, so a consumer stitches runs through shared datasets):
//!
//! | what | namespace | dataset name | `version` facet |
//! |---|---|---|---|
//! | a source's file | `datagate://PROJECT` | `sources/SOURCE/FILE` | — |
//! | a drop in quarantine | `datagate://PROJECT` | `quarantine/DROP` | the file's sha256 |
//! | a review report | `datagate://PROJECT` | `reports/DROP/review` | the report's sha256 |
//! | a dataset version | `datagate://PROJECT` | `store/DATASET` | `VERSION` (`v7`) |
//! | a model | `datagate://PROJECT` | `models/NAME` | the model's root sha256 |
//! | an erased file | `datagate://PROJECT` | `files/PATH` | its new sha256 |
//!
//! Jobs are `ACTION/KEY` in the same namespace (`gate.ingest/vendor-x`, `gate.promote/train`,
//! `lineage.link/fraud-model`). The `runId` is a UUID (version 8, RFC 9562) made from the first
//! 16 bytes of SHA-256(`datagate-openlineage-run` ‖ ledger origin ‖ seq): the same entry always
//! gives the same run, and two projects' logs never collide. A custom `datagate` run facet
//! carries the ledger entry (seq, actor, action, subject, details) so each run can be proven
//! with `datagate log prove SEQ`.
//!
//! Checked against the official JSON schemas and the `openlineage-python` models by
//! `tests/peers/openlineage/run.sh`. Blind spot: only `COMPLETE` events are emitted (the gate's
//! steps are instantaneous ledger records, with no separate start).

use serde_json::{json, Map, Value};

use crate::graph::{Graph, NodeKind};
use crate::PRODUCER;

/// The OpenLineage spec version of the events.
pub const SCHEMA_URL: &str = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent";
const VERSION_FACET: &str =
    "https://openlineage.io/spec/facets/1-0-1/DatasetVersionDatasetFacet.json#/$defs/DatasetVersionDatasetFacet";
const DATASOURCE_FACET: &str =
    "https://openlineage.io/spec/facets/1-0-1/DatasourceDatasetFacet.json#/$defs/DatasourceDatasetFacet";
const ASSERTIONS_FACET: &str = "https://openlineage.io/spec/facets/1-1-0/DataQualityAssertionsDatasetFacet.json#/$defs/DataQualityAssertionsDatasetFacet";
const JOB_TYPE_FACET: &str =
    "https://openlineage.io/spec/facets/2-0-4/JobTypeJobFacet.json#/$defs/JobTypeJobFacet";
/// Where the schema of datagate's custom `datagate` run facet lives.
pub const RUN_FACET_SCHEMA: &str =
    "https://datagate.dev/spec/openlineage/1-0-0/DatagateRunFacet.json#/$defs/DatagateRunFacet";
/// Where the schema of datagate's custom `datagate` dataset facet lives.
pub const DATASET_FACET_SCHEMA: &str =
    "https://datagate.dev/spec/openlineage/1-0-0/DatagateDatasetFacet.json#/$defs/DatagateDatasetFacet";

/// The namespace of a project's jobs and datasets.
pub fn namespace(project_name: &str) -> String {
    format!("datagate://{project_name}")
}

/// The deterministic run id of ledger entry `seq` of the log named `origin`.
pub fn run_id(origin: &str, seq: u64) -> String {
    let mut input = b"datagate-openlineage-run\0".to_vec();
    input.extend_from_slice(origin.as_bytes());
    input.push(0);
    input.extend_from_slice(seq.to_string().as_bytes());
    let mut b = datagate_integrity::hash::sha256(&input);
    b[6] = (b[6] & 0x0f) | 0x80; // version 8: custom
    b[8] = (b[8] & 0x3f) | 0x80; // RFC 9562 variant
    let h = hex::encode(&b[..16]);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

fn facet(schema: &str, body: Value) -> Value {
    let mut m = Map::new();
    m.insert("_producer".into(), Value::String(PRODUCER.into()));
    m.insert("_schemaURL".into(), Value::String(schema.into()));
    if let Value::Object(b) = body {
        m.extend(b);
    }
    Value::Object(m)
}

/// A dataset reference; `version` and `sha256` become facets.
fn dataset(ns: &str, name: &str, kind: &str, version: Option<&str>, sha256: Option<&str>) -> Value {
    let mut facets = Map::new();
    if let Some(v) = version {
        facets.insert(
            "version".into(),
            facet(VERSION_FACET, json!({"datasetVersion": v})),
        );
    }
    let mut ours = json!({"kind": kind});
    if let Some(s) = sha256 {
        ours["digest"] = json!({"sha256": s});
    }
    facets.insert("datagate".into(), facet(DATASET_FACET_SCHEMA, ours));
    json!({"namespace": ns, "name": name, "facets": facets})
}

fn drop_dataset(g: &Graph, ns: &str, drop: &str) -> Value {
    let sha = g
        .node(NodeKind::Drop, drop)
        .and_then(|n| g.nodes()[n].sha256().map(str::to_string));
    dataset(
        ns,
        &format!("quarantine/{drop}"),
        "drop",
        sha.as_deref(),
        sha.as_deref(),
    )
}

fn version_dataset(g: &Graph, ns: &str, id: &str) -> Value {
    let (ds, ver) = id.rsplit_once('/').unwrap_or((id, ""));
    let sha = g
        .node(NodeKind::Version, id)
        .and_then(|n| g.nodes()[n].sha256().map(str::to_string));
    let version = (!ver.is_empty()).then_some(ver);
    dataset(
        ns,
        &format!("store/{ds}"),
        "version",
        version,
        sha.as_deref(),
    )
}

fn passed(verdict: &str) -> bool {
    matches!(
        verdict,
        "pass" | "passed" | "ok" | "warn" | "skip" | "skipped"
    )
}

/// The run event of ledger entry `seq`, or `None` for entries that are not runs.
pub fn run_event(g: &Graph, ns: &str, seq: u64) -> Option<Value> {
    let e = g.entry(seq)?;
    let d = &e.details;
    let s = |k: &str| d.get(k).and_then(Value::as_str).filter(|v| !v.is_empty());
    let subject = e.subject.name.as_str();
    let sha = e.subject.digest.get("sha256").map(String::as_str);
    let (job_key, inputs, outputs): (String, Vec<Value>, Vec<Value>) = match e.action.as_str() {
        "gate.ingest" => {
            let source = s("source").unwrap_or("unknown");
            let file = s("file").unwrap_or(subject);
            let mut input = dataset(
                ns,
                &format!("sources/{source}/{file}"),
                "source-file",
                None,
                sha,
            );
            input["facets"]["dataSource"] = facet(
                DATASOURCE_FACET,
                json!({"name": source, "uri": format!("{ns}/sources/{source}")}),
            );
            (
                source.to_string(),
                vec![input],
                vec![drop_dataset(g, ns, subject)],
            )
        }
        "gate.review" | "gate.label_audit" => {
            let label = if e.action == "gate.review" {
                "review"
            } else {
                "label-audit"
            };
            let source = g
                .node(NodeKind::Drop, subject)
                .and_then(|n| g.nodes()[n].attr_str("source").map(str::to_string))
                .unwrap_or_else(|| "unknown".into());
            let mut input = drop_dataset(g, ns, subject);
            let checks = d
                .get("checks")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let mut assertions: Vec<Value> = checks
                .iter()
                .map(|c| {
                    let name = c.get("check").and_then(Value::as_str).unwrap_or("check");
                    let verdict = c
                        .get("verdict")
                        .and_then(Value::as_str)
                        .unwrap_or("unknown");
                    let mut a =
                        json!({"assertion": name, "success": passed(verdict), "name": name});
                    if let Some(f) = c.get("findings").filter(|f| f.is_number()) {
                        a["actual"] = Value::String(format!("{f} findings"));
                    }
                    a
                })
                .collect();
            if assertions.is_empty() {
                if let Some(v) = s("verdict") {
                    assertions
                        .push(json!({"assertion": label, "success": passed(v), "name": label}));
                }
            }
            if !assertions.is_empty() {
                input["inputFacets"] = json!({"dataQualityAssertions": facet(ASSERTIONS_FACET, json!({"assertions": assertions}))});
            }
            let report = s("report_sha256");
            let output = dataset(
                ns,
                &format!("reports/{subject}/{label}"),
                "report",
                report,
                report,
            );
            (source, vec![input], vec![output])
        }
        "gate.promote" => {
            let v = g.node(NodeKind::Version, subject)?;
            let dataset_name = g.nodes()[v]
                .attr_str("dataset")
                .unwrap_or(subject)
                .to_string();
            let inputs = s("drop")
                .map(|dr| vec![drop_dataset(g, ns, dr)])
                .unwrap_or_default();
            (dataset_name, inputs, vec![version_dataset(g, ns, subject)])
        }
        "lineage.link" => {
            let inputs = d
                .get("trained_on")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(|t| version_dataset(g, ns, t))
                        .collect()
                })
                .unwrap_or_default();
            let output = dataset(ns, &format!("models/{subject}"), "model", sha, sha);
            (subject.to_string(), inputs, vec![output])
        }
        "erasure" | "pii.erase" => {
            let edge = g.edges().iter().find(|x| x.seq == seq)?;
            let as_dataset = |i: usize| {
                let n = &g.nodes()[i];
                match n.kind {
                    NodeKind::Version => version_dataset(g, ns, &n.id),
                    NodeKind::Drop => drop_dataset(g, ns, &n.id),
                    _ => dataset(
                        ns,
                        &format!("files/{}", n.name.trim_start_matches('/')),
                        "file",
                        n.sha256(),
                        n.sha256(),
                    ),
                }
            };
            let inputs: Vec<Value> = g
                .edges()
                .iter()
                .filter(|x| x.seq == seq)
                .map(|x| as_dataset(x.from))
                .collect();
            (subject.to_string(), inputs, vec![as_dataset(edge.to)])
        }
        _ => return None,
    };
    let run_facet = facet(
        RUN_FACET_SCHEMA,
        json!({
            "ledger": {"origin": g.origin(), "seq": e.seq},
            "actor": e.actor,
            "action": e.action,
            "subject": e.subject,
            "details": e.details,
        }),
    );
    Some(json!({
        "eventType": "COMPLETE",
        "eventTime": e.time,
        "run": {"runId": run_id(g.origin(), e.seq), "facets": {"datagate": run_facet}},
        "job": {
            "namespace": ns,
            "name": format!("{}/{}", e.action, job_key),
            "facets": {"jobType": facet(JOB_TYPE_FACET, json!({
                "processingType": "BATCH", "integration": "DATAGATE", "jobType": "TASK"}))},
        },
        "inputs": inputs,
        "outputs": outputs,
        "producer": PRODUCER,
        "schemaURL": SCHEMA_URL,
    }))
}

/// Run events for the given ledger entries (in ledger order; entries that are not runs are
/// skipped).
pub fn events(g: &Graph, ns: &str, seqs: impl IntoIterator<Item = u64>) -> Vec<Value> {
    let mut seqs: Vec<u64> = seqs.into_iter().collect();
    seqs.sort_unstable();
    seqs.dedup();
    seqs.into_iter()
        .filter_map(|s| run_event(g, ns, s))
        .collect()
}

/// Run events for every lineage entry of the ledger.
pub fn all_events(g: &Graph, ns: &str) -> Vec<Value> {
    events(g, ns, g.edges().iter().map(|e| e.seq))
}

/// Writes the run events of `seqs` as JSON Lines, one event at a time (memory stays at one
/// event, whatever the size of the ledger). Returns how many were written.
pub fn write_json_lines(
    g: &Graph,
    ns: &str,
    seqs: impl IntoIterator<Item = u64>,
    out: &mut dyn std::io::Write,
) -> std::io::Result<usize> {
    let mut seqs: Vec<u64> = seqs.into_iter().collect();
    seqs.sort_unstable();
    seqs.dedup();
    let mut n = 0;
    for s in seqs {
        if let Some(e) = run_event(g, ns, s) {
            serde_json::to_writer(&mut *out, &e)?;
            out.write_all(b"\n")?;
            n += 1;
        }
    }
    Ok(n)
}

/// The ledger entries of every lineage edge (what [`all_events`] exports).
pub fn all_seqs(g: &Graph) -> impl Iterator<Item = u64> + '_ {
    g.edges().iter().map(|e| e.seq)
}

/// JSON Lines: one event per line, as OpenLineage's file transport writes them.
pub fn to_json_lines(events: &[Value]) -> String {
    let mut out = String::new();
    for e in events {
        out.push_str(&e.to_string());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::tests::sample;
    use crate::Direction;

    #[test]
    fn run_ids_are_deterministic_uuids() {
        let a = run_id("demo.datagate/log", 7);
        assert_eq!(a, run_id("demo.datagate/log", 7));
        assert_ne!(a, run_id("demo.datagate/log", 8));
        assert_ne!(a, run_id("other.datagate/log", 7));
        let parts: Vec<&str> = a.split('-').collect();
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
        assert!(parts[2].starts_with('8'), "{a}");
        assert!(
            matches!(parts[3].as_bytes()[0], b'8' | b'9' | b'a' | b'b'),
            "{a}"
        );
    }

    #[test]
    fn events_stitch_through_shared_dataset_names() {
        let g = Graph::from_entries(sample()).with_origin("demo/log");
        let ns = namespace("demo");
        let lin = g.walk(&g.resolve("fraud-model").unwrap(), Direction::Upstream);
        let evs = events(&g, &ns, lin.seqs(&g));
        // ingest, review, promote, link (the approval at seq 4 is not a run).
        let jobs: Vec<&str> = evs
            .iter()
            .map(|e| e["job"]["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            jobs,
            [
                "gate.ingest/vendor-x",
                "gate.review/vendor-x",
                "gate.promote/train",
                "lineage.link/fraud-model"
            ]
        );
        for e in &evs {
            assert_eq!(e["eventType"], "COMPLETE");
            assert_eq!(e["schemaURL"], SCHEMA_URL);
            assert_eq!(e["job"]["namespace"], "datagate://demo");
        }
        // The ingest's output is the review's and the promote's input; the promote's output is
        // the link's input, with the same version facet.
        assert_eq!(evs[0]["outputs"][0]["name"], "quarantine/d-1");
        assert_eq!(evs[1]["inputs"][0]["name"], "quarantine/d-1");
        assert_eq!(evs[2]["inputs"][0]["name"], "quarantine/d-1");
        assert_eq!(evs[2]["outputs"][0]["name"], "store/train");
        assert_eq!(
            evs[2]["outputs"][0]["facets"]["version"]["datasetVersion"],
            "v1"
        );
        assert_eq!(evs[3]["inputs"][0], evs[2]["outputs"][0]);
        let a = &evs[1]["inputs"][0]["inputFacets"]["dataQualityAssertions"]["assertions"];
        assert_eq!(a[0]["assertion"], "suite");
        assert_eq!(a[0]["success"], true);
        assert_eq!(evs[3]["run"]["facets"]["datagate"]["ledger"]["seq"], 9);
        assert_eq!(evs[3]["run"]["runId"], run_id("demo/log", 9));
    }

    /// `tests/peers/openlineage/example.jsonl` is what this sample exports; the peer script
    /// validates that file with the official client and schemas.
    #[test]
    fn the_committed_example_is_current() {
        let g = Graph::from_entries(sample()).with_origin("demo.datagate/ledger");
        let text = to_json_lines(&all_events(&g, &namespace("demo")));
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/peers/openlineage/example.jsonl");
        if std::env::var_os("DATAGATE_BLESS").is_some() {
            std::fs::write(&path, &text).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == text,
            "{} is stale: regenerate with DATAGATE_BLESS=1 cargo test -p datagate-lineage, then rerun tests/peers/openlineage/run.sh",
            path.display()
        );
        // ingest ×3, review ×2, promote ×2, link, erasure.
        assert_eq!(text.lines().count(), 9);
        // The streaming writer writes the same bytes.
        let mut streamed = Vec::new();
        assert_eq!(
            write_json_lines(&g, &namespace("demo"), all_seqs(&g), &mut streamed).unwrap(),
            9
        );
        assert_eq!(String::from_utf8(streamed).unwrap(), text);
    }

    #[test]
    fn a_pii_erasure_is_a_run_from_the_version_to_the_erased_file() {
        let mut es = sample();
        es.push(crate::graph::tests::entry(
            14,
            "erasure",
            datagate_ledger::Subject::named("/exports/train-v2.csv")
                .with_digest("sha256", crate::graph::tests::h('f')),
            json!({"kind": "pii-erasure", "column": "email", "rows_removed": 1,
                   "sha256_before": crate::graph::tests::h('c'),
                   "sha256_after": crate::graph::tests::h('f')}),
        ));
        let g = Graph::from_entries(es);
        let ev = run_event(&g, "datagate://demo", 14).unwrap();
        assert_eq!(ev["inputs"][0]["name"], "store/train");
        assert_eq!(ev["inputs"][0]["facets"]["version"]["datasetVersion"], "v2");
        assert_eq!(ev["outputs"][0]["name"], "files/exports/train-v2.csv");
        assert_eq!(
            ev["outputs"][0]["facets"]["version"]["datasetVersion"],
            crate::graph::tests::h('f')
        );
    }

    #[test]
    fn a_failed_review_is_an_unsuccessful_assertion() {
        let g = Graph::from_entries(sample());
        let ev = run_event(&g, "datagate://demo", 7).unwrap();
        let a = &ev["inputs"][0]["inputFacets"]["dataQualityAssertions"]["assertions"][0];
        assert_eq!(a["assertion"], "poisoning");
        assert_eq!(a["success"], false);
        assert_eq!(a["actual"], "12 findings");
        assert!(
            run_event(&g, "datagate://demo", 8).is_none(),
            "a rejection is not a run"
        );
    }
}
