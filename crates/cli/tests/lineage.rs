//! `datagate lineage` end to end on a temporary project: gate events appended to the ledger
//! (as the gate records them), a tiny safe model linked, a malicious pickle refused, walks both
//! ways, OpenLineage and in-toto export, and a ledger that still verifies.

use std::path::Path;
use std::process::Output;

use assert_cmd::Command;
use datagate_ledger::{Event, Ledger, Subject};
use serde_json::{json, Value};

fn dg(dir: &Path, args: &[&str]) -> Output {
    Command::cargo_bin("datagate")
        .unwrap()
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .unwrap()
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn sha(c: char) -> String {
    std::iter::repeat_n(c, 64).collect()
}

/// Appends what the gate records for: a clean drop d-1 from vendor-x reviewed, approved and
/// promoted as train/v1; a poisoned drop d-2 reviewed (fail) and rejected.
fn gate_history(dir: &Path) {
    let project = datagate_project::Project::open(dir).unwrap();
    let mut ledger = Ledger::open(&project).unwrap();
    let ev = |action: &str, subject: Subject, details: Value| {
        Event::new("alice@test", action, subject).with_details(details)
    };
    let s = Subject::named;
    ledger
        .append_batch(vec![
            ev("gate.source_add", s("vendor-x"), json!({"tier": "untrusted"})),
            ev(
                "gate.ingest",
                s("d-1").with_digest("sha256", sha('a')),
                json!({"source": "vendor-x", "file": "drop-2026-11.csv", "tier": "untrusted", "bytes": 120, "risk": 0.7}),
            ),
            ev(
                "gate.review",
                s("d-1").with_digest("sha256", sha('a')),
                json!({"verdict": "pass", "report_sha256": sha('b'), "checks": [
                    {"check": "suite", "verdict": "pass", "findings": 0},
                    {"check": "audit", "verdict": "pass", "findings": 0}]}),
            ),
            ev(
                "gate.approve",
                s("d-1").with_digest("sha256", sha('a')),
                json!({"approver": "alice", "key_id": "k-alice", "envelope_sha256": sha('c'), "report_sha256": sha('b')}),
            ),
            ev(
                "gate.promote",
                s("train/v1").with_digest("sha256", sha('a')),
                json!({"drop": "d-1", "source": "vendor-x", "dataset": "train", "version": "v1",
                       "approvers": ["k-alice"], "report_sha256": sha('b')}),
            ),
            ev(
                "gate.ingest",
                s("d-2").with_digest("sha256", sha('d')),
                json!({"source": "vendor-x", "file": "drop-2026-12.csv"}),
            ),
            ev(
                "gate.review",
                s("d-2").with_digest("sha256", sha('d')),
                json!({"verdict": "fail", "report_sha256": sha('e'), "checks": [
                    {"check": "audit", "verdict": "fail", "findings": 40}]}),
            ),
            ev("gate.reject", s("d-2").with_digest("sha256", sha('d')), json!({"reason": "poisoned"})),
        ])
        .unwrap();
}

/// A valid `.npy` file: four float32 zeros.
fn tiny_npy() -> Vec<u8> {
    let mut h = "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }".to_string();
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

fn ledger_size(dir: &Path) -> u64 {
    let project = datagate_project::Project::open(dir).unwrap();
    Ledger::open(&project).unwrap().size().unwrap()
}

#[test]
fn link_walk_export_and_refuse() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let o = dg(d, &["init", "--name", "demo"]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    gate_history(d);

    // A tiny safe model, linked to the promoted version.
    let model = d.join("fraud-model");
    std::fs::create_dir_all(&model).unwrap();
    std::fs::write(model.join("weights.npy"), tiny_npy()).unwrap();
    std::fs::write(model.join("config.json"), "{\"layers\": 2}").unwrap();
    let o = dg(
        d,
        &[
            "lineage",
            "link",
            "fraud-model",
            "--trained-on",
            "train/v1",
            "--format",
            "json",
        ],
    );
    assert_eq!(code(&o), 0, "{}{}", out(&o), err(&o));
    let linked: Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(linked["model"], "fraud-model");
    assert_eq!(linked["model_scan"], "safe");
    assert_eq!(linked["files"], 2);
    let model_sha = linked["sha256"].as_str().unwrap().to_string();
    assert_eq!(model_sha.len(), 64);

    // A malicious pickle is refused (exit 1) and nothing is recorded.
    let before = ledger_size(d);
    std::fs::write(
        d.join("evil.pkl"),
        b"\x80\x02cos\nsystem\nX\x04\x00\x00\x00true\x85R.",
    )
    .unwrap();
    let o = dg(
        d,
        &["lineage", "link", "evil.pkl", "--trained-on", "train/v1"],
    );
    assert_eq!(code(&o), 1, "{}", err(&o));
    assert!(
        err(&o).contains("malicious") && err(&o).contains("os.system"),
        "{}",
        err(&o)
    );
    assert_eq!(ledger_size(d), before);
    // A version that was never promoted is refused (exit 2), naming what exists.
    let o = dg(
        d,
        &["lineage", "link", "fraud-model", "--trained-on", "train/v9"],
    );
    assert_eq!(code(&o), 2);
    assert!(
        err(&o).contains("train/v9 is not promoted") && err(&o).contains("train/v1"),
        "{}",
        err(&o)
    );
    assert_eq!(ledger_size(d), before);

    // Upstream of the model: the version, the drop, its source, review and approval.
    let o = dg(d, &["lineage", "fraud-model", "--upstream"]);
    assert_eq!(code(&o), 0, "{}", err(&o));
    let t = out(&o);
    for want in [
        "train/v1",
        "d-1",
        "vendor-x",
        "review of d-1",
        "checks: suite pass, audit pass",
        "alice",
        "promote",
        "trained-on",
    ] {
        assert!(t.contains(want), "{want} missing:\n{t}");
    }
    assert!(!t.contains("d-2"), "the rejected drop fed nothing:\n{t}");

    // Downstream of the source: both drops, the version, the model; of the poisoned drop: no model.
    let o = dg(
        d,
        &["lineage", "vendor-x", "--downstream", "--format", "json"],
    );
    let j: Value = serde_json::from_str(&out(&o)).unwrap();
    let keys: Vec<&str> = j["downstream"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["key"].as_str().unwrap())
        .collect();
    assert!(
        keys.contains(&"drop:d-2") && keys.contains(&"version:train/v1"),
        "{keys:?}"
    );
    assert!(
        keys.iter().any(|k| k.starts_with("model:fraud-model@")),
        "{keys:?}"
    );
    let o = dg(d, &["lineage", "d-2", "--downstream", "--format", "json"]);
    let j: Value = serde_json::from_str(&out(&o)).unwrap();
    assert!(
        j["downstream"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["kind"] == "report"),
        "{j}"
    );
    assert_eq!(j["roots"][0]["attrs"]["status"], "rejected");

    // OpenLineage: ingest, review, promote, link — one event per line, stitched by name.
    let o = dg(
        d,
        &[
            "lineage",
            "fraud-model",
            "--upstream",
            "--format",
            "openlineage",
        ],
    );
    assert_eq!(code(&o), 0, "{}", err(&o));
    let events: Vec<Value> = out(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let jobs: Vec<&str> = events
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
    assert!(events
        .iter()
        .all(|e| e["job"]["namespace"] == "datagate://demo" && e["eventType"] == "COMPLETE"));
    assert_eq!(events[3]["inputs"][0], events[2]["outputs"][0]);
    assert_eq!(
        events[3]["outputs"][0]["facets"]["version"]["datasetVersion"],
        model_sha.as_str()
    );
    let mut ids: Vec<&str> = events
        .iter()
        .map(|e| e["run"]["runId"].as_str().unwrap())
        .collect();
    ids.dedup();
    assert_eq!(ids.len(), 4);
    // The same export twice is byte-identical (run ids come from the ledger, not a clock).
    let again = dg(
        d,
        &[
            "lineage",
            "fraud-model",
            "--upstream",
            "--format",
            "openlineage",
        ],
    );
    assert_eq!(out(&again), out(&o));
    // Without a NAME: every run of the ledger (the poisoned drop's ingest and review too).
    let o = dg(d, &["lineage", "--format", "openlineage"]);
    assert_eq!(out(&o).lines().count(), 6);

    // in-toto: the version's provenance; a drop has none.
    let o = dg(
        d,
        &[
            "lineage",
            "train/v1",
            "--format",
            "intoto",
            "-o",
            "prov.json",
        ],
    );
    assert_eq!(code(&o), 0, "{}", err(&o));
    let st: Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("prov.json")).unwrap()).unwrap();
    assert_eq!(st["_type"], "https://in-toto.io/Statement/v1");
    assert_eq!(st["predicateType"], "https://slsa.dev/provenance/v1");
    assert_eq!(st["subject"][0]["digest"]["sha256"], sha('a'));
    let ip = &st["predicate"]["buildDefinition"]["internalParameters"];
    assert_eq!(ip["approvers"][0]["keyid"], "k-alice");
    assert_eq!(ip["checks"][1]["check"], "audit");
    assert_eq!(ip["ledger"]["size"], ledger_size(d));
    let o = dg(d, &["lineage", "d-1", "--format", "intoto"]);
    assert_eq!(code(&o), 2);

    // Unknown names are a usage error that says what exists.
    let o = dg(d, &["lineage", "nothing-here"]);
    assert_eq!(code(&o), 2);
    assert!(err(&o).contains("1 versions"), "{}", err(&o));

    // The summary, and the log still verifies.
    let o = dg(d, &["lineage"]);
    assert!(out(&o).contains("dataset train: current v1"), "{}", out(&o));
    let o = dg(d, &["log", "verify"]);
    assert_eq!(code(&o), 0, "{}{}", out(&o), err(&o));
}

/// Runs and expects exit 0; returns stdout.
fn ok(dir: &Path, args: &[&str]) -> String {
    let o = dg(dir, args);
    assert_eq!(
        code(&o),
        0,
        "{args:?}\nstdout: {}\nstderr: {}",
        out(&o),
        err(&o)
    );
    out(&o)
}

/// The real gate records what the graph expects: a trusted source, one approver, a drop
/// ingested, reviewed, approved and promoted through the gate's own commands; and the in-toto
/// provenance rebuilt from the ledger has the store export's predicate.
#[test]
fn the_gate_commands_feed_the_lineage_graph() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    ok(d, &["init", "--name", "real"]);
    for k in ["alice", "bob"] {
        ok(d, &["keygen", "-o", &format!("keys/{k}")]);
    }
    let toml = std::fs::read_to_string(d.join("datagate.toml")).unwrap();
    std::fs::write(
        d.join("datagate.toml"),
        format!(
            "{toml}\n[approvers]\nalice = \"keys/alice.pub\"\nbob = \"keys/bob.pub\"\n\
             [tiers.trusted]\napprovals = {{ k = 1, approvers = [\"alice\"] }}\n"
        ),
    )
    .unwrap();
    ok(
        d,
        &[
            "source",
            "add",
            "lab",
            "--tier",
            "trusted",
            "--dataset",
            "train",
        ],
    );
    let mut csv = String::from("id,x,label\n");
    for i in 0..60 {
        csv.push_str(&format!(
            "{i},{}.5,{}\n",
            i % 7,
            if i % 2 == 0 { "a" } else { "b" }
        ));
    }
    std::fs::create_dir_all(d.join("data")).unwrap();
    std::fs::write(d.join("data/drop1.csv"), csv).unwrap();
    ok(d, &["ingest", "lab", "data/drop1.csv"]);
    let status: Value = serde_json::from_str(&ok(d, &["status", "--format", "json"])).unwrap();
    let id = status["drops"][0]["id"].as_str().unwrap().to_string();
    ok(d, &["review", &id]);
    ok(d, &["approve", &id, "--key", "keys/alice"]);
    ok(d, &["promote", &id, "--as", "train/v1"]);
    std::fs::create_dir_all(d.join("model")).unwrap();
    std::fs::write(d.join("model/w.npy"), tiny_npy()).unwrap();
    ok(
        d,
        &[
            "lineage",
            "link",
            "model",
            "--name",
            "clf",
            "--trained-on",
            "train/v1",
        ],
    );

    let j: Value = serde_json::from_str(&ok(
        d,
        &["lineage", "clf", "--upstream", "--format", "json"],
    ))
    .unwrap();
    let keys: Vec<&str> = j["upstream"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["key"].as_str().unwrap())
        .collect();
    for want in ["source:lab", &format!("drop:{id}"), "version:train/v1"] {
        assert!(keys.contains(&want), "{want} missing from {keys:?}");
    }
    assert!(
        keys.iter()
            .any(|k| k.starts_with(&format!("report:review:{id}@"))),
        "{keys:?}"
    );
    assert!(
        keys.iter()
            .any(|k| k.starts_with(&format!("approval:{id}/alice@"))),
        "{keys:?}"
    );
    let kinds: Vec<&str> = j["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["ingest", "review", "approve", "promote", "trained-on"]
    );

    // The same predicate as `store export`, plus the ledger binding and the upstream.
    ok(d, &["store", "export", "train/v1", "-o", "exp"]);
    let env_path = std::fs::read_dir(d.join("exp"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with(".dsse.json"))
        .unwrap();
    let env: Value = serde_json::from_slice(&std::fs::read(env_path).unwrap()).unwrap();
    let payload =
        datagate_integrity::dsse::decode_base64(env["payload"].as_str().unwrap()).unwrap();
    let theirs: Value = serde_json::from_slice(&payload).unwrap();
    let mine: Value =
        serde_json::from_str(&ok(d, &["lineage", "train/v1", "--format", "intoto"])).unwrap();
    assert_eq!(mine["predicateType"], theirs["predicateType"]);
    assert_eq!(mine["subject"][0]["digest"], theirs["subject"][0]["digest"]);
    let (m, t) = (&mine["predicate"], &theirs["predicate"]);
    for path in [
        "/buildDefinition/buildType",
        "/buildDefinition/externalParameters",
        "/buildDefinition/resolvedDependencies",
        "/runDetails/builder",
        "/runDetails/byproducts",
        "/runDetails/metadata/invocationId",
    ] {
        assert_eq!(m.pointer(path), t.pointer(path), "{path}");
    }
    let (mi, ti) = (
        &m["buildDefinition"]["internalParameters"],
        &t["buildDefinition"]["internalParameters"],
    );
    for (k, v) in ti.as_object().unwrap() {
        assert_eq!(&mi[k], v, "internalParameters.{k}");
    }
    assert!(mi["ledger"]["root_sha256"]
        .as_str()
        .is_some_and(|r| r.len() == 64));
    ok(d, &["log", "verify"]);
}

#[test]
fn lineage_outside_a_project_is_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    let o = dg(tmp.path(), &["lineage", "train/v1"]);
    assert_eq!(code(&o), 2);
    assert!(err(&o).contains("datagate init"), "{}", err(&o));
}
