//! The gate end to end on a temporary project: source add, ingest (signed and unsigned),
//! review, label-audit sample and import, k-of-n approvals, promote, rollback, export with
//! provenance, retention gc — every transition and every refusal — and a ledger verify at
//! the end of each flow.

use std::path::Path;
use std::process::Output;

use assert_cmd::Command;

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

/// Runs and expects exit `want` with `needle` in stderr or stdout.
fn refused(dir: &Path, args: &[&str], want: i32, needle: &str) {
    let o = dg(dir, args);
    let text = format!("{}{}", out(&o), err(&o));
    assert_eq!(code(&o), want, "{args:?}: {text}");
    assert!(
        text.contains(needle),
        "{args:?}: expected {needle:?} in: {text}"
    );
}

/// A small labelled CSV: `label` is a clean function of `x`, rows are distinct.
fn write_csv(path: &Path, rows: usize, seed: u64, extra_email: bool) {
    let mut s = String::from(if extra_email {
        "id,x,y,label,contact\n"
    } else {
        "id,x,y,label\n"
    });
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut next = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 33) as f64) / ((1u64 << 31) as f64)
    };
    for i in 0..rows {
        let pos = i % 3 != 0;
        let x = if pos {
            1.0 + 2.0 * next()
        } else {
            -1.0 - 2.0 * next()
        };
        let y = 10.0 * next();
        let label = if pos { "pos" } else { "neg" };
        s.push_str(&format!(
            "{},{x:.4},{y:.4},{label}",
            i + seed as usize * 1000
        ));
        if extra_email {
            s.push_str(&format!(",person{i}@example.com"));
        }
        s.push('\n');
    }
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, s).unwrap();
}

const POLICY: &str = r#"
[approvers]
alice = "keys/alice.pub"
bob = "keys/bob.pub"

# The audit runs and is reported, but does not decide these tests: its detectors are tuned
# elsewhere, and the synthetic label here is a clean function of one feature.
[tiers.untrusted]
audit = { label = "label", fail_on_findings = false }
licence_required = true
label_audit = { sample = 10, max_disagreement = 0.2 }
approvals = { k = 2, approvers = ["alice", "bob"] }

[tiers.trusted]
approvals = { k = 1, approvers = ["alice"] }

[retention.scratch]
datasets = ["scratch"]
keep_last = 1
"#;

/// init, keys for alice, bob, carol (not an approver) and the vendor, the policy above, a
/// signed untrusted source `vendor` and an unsigned trusted source `lab`.
fn setup(d: &Path) {
    ok(d, &["init", "--name", "gate-test"]);
    let toml = std::fs::read_to_string(d.join("datagate.toml")).unwrap();
    assert!(
        toml.contains("# [tiers.untrusted]"),
        "init writes the commented policy"
    );
    for k in ["alice", "bob", "carol", "vendor"] {
        ok(d, &["keygen", "-o", &format!("keys/{k}")]);
    }
    std::fs::write(d.join("datagate.toml"), format!("{toml}{POLICY}")).unwrap();
    ok(d, &["policy", "check"]);
    ok(
        d,
        &[
            "source",
            "add",
            "vendor",
            "--tier",
            "untrusted",
            "--pub",
            "keys/vendor.pub",
            "--dataset",
            "train",
            "--licence",
            "CC-BY-4.0",
            "--update",
            "monthly",
        ],
    );
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
}

fn state_of(d: &Path, id: &str) -> serde_json::Value {
    let s: serde_json::Value =
        serde_json::from_str(&ok(d, &["status", "--format", "json"])).unwrap();
    s["drops"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == id)
        .cloned()
        .unwrap_or_else(|| panic!("{id} not in status"))
}

/// One check of a drop's first review report (`review-1.json`).
fn review_check(d: &Path, id: &str, check: &str) -> serde_json::Value {
    let report: serde_json::Value = serde_json::from_slice(
        &std::fs::read(d.join(".datagate/reports").join(id).join("review-1.json")).unwrap(),
    )
    .unwrap();
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == check)
        .unwrap()
        .clone()
}

fn ingest(d: &Path, args: &[&str]) -> String {
    let mut a = vec!["ingest"];
    a.extend_from_slice(args);
    ok(d, &a).trim().to_string()
}

#[test]
fn the_whole_flow_and_every_refusal() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    setup(d);
    write_csv(&d.join("data/drop1.csv"), 120, 1, false);

    // Acquisition: the vendor signs; unsigned or wrongly signed drops are refused.
    refused(d, &["ingest", "vendor", "data/drop1.csv"], 2, "--signature");
    ok(
        d,
        &[
            "sign",
            "data/drop1.csv",
            "--key",
            "keys/carol",
            "-o",
            "data/bad.sig.json",
        ],
    );
    refused(
        d,
        &[
            "ingest",
            "vendor",
            "data/drop1.csv",
            "--signature",
            "data/bad.sig.json",
        ],
        1,
        "does not verify",
    );
    ok(
        d,
        &[
            "sign",
            "data/drop1.csv",
            "--key",
            "keys/vendor",
            "-o",
            "data/drop1.sig.json",
        ],
    );
    let id = ingest(
        d,
        &[
            "vendor",
            "data/drop1.csv",
            "--signature",
            "data/drop1.sig.json",
        ],
    );
    assert!(id.starts_with("d-") && id.len() == 14, "{id}");
    assert_eq!(state_of(d, &id)["state"], "quarantined");
    refused(
        d,
        &[
            "ingest",
            "vendor",
            "data/drop1.csv",
            "--signature",
            "data/drop1.sig.json",
        ],
        2,
        "already ingested",
    );
    // The quarantined copy is read-only and named by its digest.
    let drop_dir = d.join(".datagate/drops").join(&id);
    let copy = std::fs::read_dir(&drop_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "csv"))
        .unwrap();
    assert!(std::fs::metadata(&copy).unwrap().permissions().readonly());

    // Skipping the review is refused, naming the step. A unique prefix works as the id.
    let prefix = &id[..6];
    refused(
        d,
        &["approve", prefix, "--key", "keys/alice"],
        2,
        "missing step: review",
    );
    refused(
        d,
        &["promote", prefix, "--as", "train/v1"],
        2,
        "missing step: review",
    );
    refused(
        d,
        &["sample", prefix, "-o", "x.csv"],
        2,
        "missing step: review",
    );

    // Review: every check of the tier, a report in JSON and HTML.
    let text = ok(d, &["review", prefix]);
    assert!(text.contains("PASS"), "{text}");
    for check in [
        "provenance",
        "licence",
        "drift",
        "audit",
        "pii",
        "model_scan",
    ] {
        assert!(text.contains(check), "{check} missing from: {text}");
    }
    let html = std::fs::read_to_string(d.join(".datagate/reports").join(&id).join("review-1.html"))
        .unwrap();
    assert!(
        html.contains("LLM04:2025 Data and Model Poisoning") && html.contains("Data Poisoning")
    );
    let report: serde_json::Value = serde_json::from_slice(
        &std::fs::read(d.join(".datagate/reports").join(&id).join("review-1.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(report["verdict"], "pass");
    assert_eq!(report["drop"]["sha256"].as_str().unwrap().len(), 64);

    // The tier requires a label audit before approval.
    refused(
        d,
        &["approve", &id, "--key", "keys/alice"],
        2,
        "missing step: label audit",
    );
    let sheet = d.join("audit.csv");
    let text = ok(d, &["sample", &id, "--n", "10", "-o", "audit.csv"]);
    assert!(
        text.contains("neg") && text.contains("pos"),
        "stratified: {text}"
    );
    let body = std::fs::read_to_string(&sheet).unwrap();
    let lines: Vec<&str> = body.lines().collect();
    assert_eq!(lines.len(), 11, "{body}");
    assert_eq!(lines[0], "row,id,x,y,label,automated_flags,verdict,note");
    // Same seed, same sheet.
    ok(d, &["sample", &id, "--n", "10", "-o", "audit2.csv"]);
    assert_eq!(body, std::fs::read_to_string(d.join("audit2.csv")).unwrap());
    // An unfilled sheet names the line and the column.
    refused(
        d,
        &["sample", &id, "--import", "audit.csv"],
        2,
        "line 2 (row",
    );
    // One wrong row in ten: 10% <= 20%, passes.
    let filled: String = lines
        .iter()
        .enumerate()
        .map(|(i, l)| match i {
            0 => format!("{l}\n"),
            1 => format!("{},wrong,label looks off\n", l.strip_suffix(",,").unwrap()),
            _ => format!("{},ok,\n", l.strip_suffix(",,").unwrap()),
        })
        .collect();
    std::fs::write(&sheet, filled).unwrap();
    let text = ok(d, &["sample", &id, "--import", "audit.csv"]);
    assert!(text.contains("PASS") && text.contains("1 of 10"), "{text}");
    assert_eq!(state_of(d, &id)["state"], "label-audited(pass)");

    // Approvals: an unknown key is refused; k-of-n counts distinct keys.
    refused(
        d,
        &["approve", &id, "--key", "keys/carol"],
        2,
        "not one of tier untrusted's approvers",
    );
    let text = ok(d, &["approve", &id, "--key", "keys/alice"]);
    assert!(text.contains("1 of 2"), "{text}");
    refused(
        d,
        &["approve", &id, "--key", "keys/alice"],
        2,
        "already approved",
    );
    refused(
        d,
        &["promote", &id, "--as", "train/v1"],
        2,
        "missing step: approval (1 of 2",
    );
    let text = ok(d, &["approve", &id, "--key", "keys/bob"]);
    assert!(
        text.contains("2 of 2") && text.contains("approved"),
        "{text}"
    );
    assert!(drop_dir.join("approvals").read_dir().unwrap().count() == 2);

    // Tamper with the quarantined file after approval: promotion re-hashes and refuses.
    let original = std::fs::read(&copy).unwrap();
    let mut perms = std::fs::metadata(&copy).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&copy, perms).unwrap();
    let mut tampered = original.clone();
    tampered.extend_from_slice(b"999999,9.0,9.0,pos\n");
    std::fs::write(&copy, &tampered).unwrap();
    refused(
        d,
        &["promote", &id, "--as", "train/v1"],
        1,
        "changed since it was ingested",
    );
    // A forged approval envelope does not count either: restore the file, break bob's signature.
    std::fs::write(&copy, &original).unwrap();
    let bob_env = drop_dir
        .join("approvals")
        .read_dir()
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect::<Vec<_>>();
    let saved: Vec<Vec<u8>> = bob_env.iter().map(|p| std::fs::read(p).unwrap()).collect();
    let mut env: serde_json::Value = serde_json::from_slice(&saved[0]).unwrap();
    let sig = env["signatures"][0]["sig"].as_str().unwrap().to_string();
    let flipped = format!(
        "{}{}",
        if sig.starts_with('A') { "B" } else { "A" },
        &sig[1..]
    );
    env["signatures"][0]["sig"] = serde_json::Value::String(flipped);
    std::fs::write(&bob_env[0], serde_json::to_vec(&env).unwrap()).unwrap();
    refused(
        d,
        &["promote", &id, "--as", "train/v1"],
        1,
        "1 of 2 required approval signature(s) verify",
    );
    std::fs::write(&bob_env[0], &saved[0]).unwrap();

    // Promotion.
    let text = ok(d, &["promote", &id, "--as", "train/v1"]);
    assert!(text.contains("train/v1"), "{text}");
    assert_eq!(state_of(d, &id)["state"], "promoted");
    refused(
        d,
        &["promote", &id, "--as", "train/v9"],
        2,
        "already promoted",
    );
    refused(
        d,
        &["reject", &id, "--reason", "late"],
        2,
        "already promoted",
    );

    // A second version from the trusted lab source (1 approval, no label audit), then rollback.
    write_csv(&d.join("data/drop2.csv"), 60, 2, false);
    let id2 = ingest(d, &["lab", "data/drop2.csv"]);
    refused(
        d,
        &[
            "ingest",
            "lab",
            "data/drop2.csv",
            "--signature",
            "data/drop1.sig.json",
        ],
        2,
        "lists no public keys",
    );
    ok(d, &["review", &id2]);
    ok(d, &["approve", &id2, "--key", "keys/alice"]);
    refused(
        d,
        &["promote", &id2, "--as", "train/v1"],
        2,
        "already exists",
    );
    ok(d, &["promote", &id2, "--as", "train/v2"]);
    let s: serde_json::Value =
        serde_json::from_str(&ok(d, &["status", "--format", "json"])).unwrap();
    assert_eq!(s["datasets"][0]["current"], "v2");
    ok(d, &["rollback", "train", "--to", "v1"]);
    let s: serde_json::Value =
        serde_json::from_str(&ok(d, &["status", "--format", "json"])).unwrap();
    assert_eq!(s["datasets"][0]["current"], "v1");
    refused(
        d,
        &["rollback", "train", "--to", "v1"],
        2,
        "already the current version",
    );
    refused(d, &["rollback", "train", "--to", "v9"], 2, "no version");

    // Export with signed provenance, verifiable with the project's gate key.
    let text = ok(d, &["store", "export", "train/v1", "-o", "export"]);
    assert!(text.contains("provenance"), "{text}");
    assert_eq!(std::fs::read(d.join("export/drop1.csv")).unwrap(), original);
    let env_path = d.join("export/drop1.csv.provenance.dsse.json");
    let env: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&env_path).unwrap()).unwrap();
    assert_eq!(env["payloadType"], "application/vnd.in-toto+json");
    ok(
        d,
        &[
            "verify",
            "export/drop1.csv.provenance.dsse.json",
            "--pub",
            ".datagate/keys/gate.key.pub",
            "--file",
            "export/drop1.csv",
        ],
    );

    // Every transition is in the ledger, and the ledger verifies.
    let log = ok(d, &["log", "show", "--format", "json"]);
    for action in [
        "gate.source_add",
        "gate.ingest",
        "gate.review",
        "gate.label_audit",
        "gate.approve",
        "gate.promote",
        "gate.rollback",
    ] {
        assert!(log.contains(action), "{action} not in the ledger");
    }
    ok(d, &["log", "verify"]);
}

#[test]
fn a_failed_review_can_only_be_rejected() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    setup(d);
    write_csv(&d.join("data/leaky.csv"), 60, 3, true);
    ok(
        d,
        &[
            "sign",
            "data/leaky.csv",
            "--key",
            "keys/vendor",
            "-o",
            "data/leaky.sig.json",
        ],
    );
    let id = ingest(
        d,
        &[
            "vendor",
            "data/leaky.csv",
            "--signature",
            "data/leaky.sig.json",
        ],
    );
    let o = dg(d, &["review", &id]);
    assert_eq!(code(&o), 1, "{}{}", out(&o), err(&o));
    assert!(
        out(&o).contains("FAIL") && out(&o).contains("contact"),
        "{}",
        out(&o)
    );
    assert_eq!(state_of(d, &id)["state"], "reviewed(fail)");
    refused(
        d,
        &["approve", &id, "--key", "keys/alice"],
        2,
        "review failed",
    );
    refused(d, &["sample", &id, "-o", "s.csv"], 2, "review failed");
    refused(d, &["reject", &id, "--reason", " "], 2, "needs a reason");
    ok(d, &["reject", &id, "--reason", "personal data in contact"]);
    assert_eq!(state_of(d, &id)["state"], "rejected");
    refused(d, &["review", &id], 2, "was rejected");
    refused(d, &["promote", &id, "--as", "train/v1"], 2, "was rejected");
    // The failure raises the source's risk score (history factor).
    let text = ok(d, &["policy", "explain", "vendor"]);
    assert!(
        text.contains("2 failed review(s) or rejection(s)"),
        "{text}"
    );
    ok(d, &["log", "verify"]);
}

#[test]
fn retention_gc_expires_old_versions_with_a_ledger_record() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    setup(d);
    for v in 1..=3u64 {
        let f = format!("data/s{v}.csv");
        write_csv(&d.join(&f), 20, 10 + v, false);
        let id = ingest(d, &["lab", &f, "--dataset", "scratch"]);
        ok(d, &["review", &id]);
        ok(d, &["approve", &id, "--key", "keys/alice"]);
        ok(d, &["promote", &id, "--as", &format!("scratch/v{v}")]);
    }
    let objects = |d: &Path| walk(&d.join(".datagate/objects/sha256"));
    assert_eq!(objects(d), 3);
    let text = ok(d, &["store", "gc", "--dry-run"]);
    assert!(text.contains("would expire scratch/v1"), "{text}");
    assert_eq!(objects(d), 3);
    let text = ok(d, &["store", "gc"]);
    assert!(
        text.contains("expired scratch/v1") && text.contains("object deleted"),
        "{text}"
    );
    assert!(
        !text.contains("scratch/v2") && !text.contains("scratch/v3"),
        "{text}"
    );
    assert_eq!(objects(d), 2);
    refused(d, &["rollback", "scratch", "--to", "v1"], 2, "expired");
    refused(
        d,
        &["store", "export", "scratch/v1", "-o", "x"],
        2,
        "expired",
    );
    ok(d, &["rollback", "scratch", "--to", "v2"]);
    assert_eq!(ok(d, &["store", "gc"]).trim(), "nothing to expire");
    let log = ok(d, &["log", "show", "--format", "json"]);
    assert!(log.contains("gate.expire"));
    ok(d, &["log", "verify"]);
}

fn walk(dir: &Path) -> usize {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return 0;
    };
    rd.map(|e| e.unwrap().path())
        .map(|p| if p.is_dir() { walk(&p) } else { 1 })
        .sum()
}

#[test]
fn invalid_policies_name_the_field_and_explain_shows_the_steps() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    setup(d);
    let text = ok(d, &["policy", "explain", "vendor"]);
    for needle in [
        "tier untrusted",
        "risk score 60 (high)",
        "+10  update_frequency",
        "DSSE signature",
        "label audit: 10 stratified rows",
        "approval: 2 of 2",
        "poisoning audit (label label",
    ] {
        assert!(text.contains(needle), "{needle:?} not in: {text}");
    }
    refused(
        d,
        &["policy", "explain", "nobody"],
        2,
        "no source \"nobody\"",
    );
    refused(
        d,
        &["source", "add", "x", "--tier", "sketchy"],
        2,
        "sources.x.tier: unknown tier",
    );
    refused(
        d,
        &["source", "add", "vendor", "--tier", "trusted"],
        2,
        "already exists",
    );
    let toml = std::fs::read_to_string(d.join("datagate.toml")).unwrap();
    std::fs::write(
        d.join("datagate.toml"),
        toml.replace(
            "approvals = { k = 2, approvers = [\"alice\", \"bob\"] }",
            "approvals = { k = 3, approvers = [\"alice\", \"bob\"] }",
        ),
    )
    .unwrap();
    refused(d, &["policy", "check"], 2, "tiers.untrusted.approvals.k");
    std::fs::write(d.join("datagate.toml"), &toml).unwrap();
    std::fs::remove_file(d.join("keys/bob.pub")).unwrap();
    refused(d, &["status"], 2, "approvers.bob");
}

#[test]
fn a_model_file_drop_is_scanned_and_a_malicious_one_fails() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    setup(d);
    // GLOBAL os.system, ("ls",), REDUCE: loading it runs a shell command.
    let evil: &[u8] = b"\x80\x02cos\nsystem\nX\x02\x00\x00\x00ls\x85R.";
    std::fs::create_dir_all(d.join("models")).unwrap();
    std::fs::write(d.join("models/model.pkl"), evil).unwrap();
    ok(
        d,
        &[
            "sign",
            "models/model.pkl",
            "--key",
            "keys/vendor",
            "-o",
            "models/model.sig.json",
        ],
    );
    let id = ingest(
        d,
        &[
            "vendor",
            "models/model.pkl",
            "--signature",
            "models/model.sig.json",
        ],
    );
    let o = dg(d, &["review", &id]);
    assert_eq!(code(&o), 1, "{}{}", out(&o), err(&o));
    let text = out(&o);
    assert!(
        text.contains("model_scan") && text.contains("malicious"),
        "{text}"
    );
    assert!(
        text.contains("data_checks") && text.contains("skipped"),
        "{text}"
    );
    let scan = review_check(d, &id, "model_scan");
    assert_eq!(scan["verdict"], "fail");
    assert!(scan["owasp_llm_2025"][0]
        .as_str()
        .unwrap()
        .starts_with("LLM03:2025"));
    assert!(scan["saif_risks"]
        .to_string()
        .contains("Model Source Tampering"));
    refused(
        d,
        &["approve", &id, "--key", "keys/alice"],
        2,
        "review failed",
    );
}

#[test]
fn promotion_refuses_a_review_report_changed_after_approval() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    setup(d);
    write_csv(&d.join("data/a.csv"), 30, 7, false);
    let id = ingest(d, &["lab", "data/a.csv"]);
    ok(d, &["review", &id]);
    ok(d, &["approve", &id, "--key", "keys/alice"]);
    // Re-reviewing after an approval would silently change what was signed: refused.
    refused(d, &["review", &id], 2, "invalidate");
    let report = d.join(".datagate/reports").join(&id).join("review-1.json");
    let original = std::fs::read_to_string(&report).unwrap();
    std::fs::write(&report, original.replace("\"pass\"", "\"pass \"")).unwrap();
    refused(d, &["promote", &id, "--as", "train/v1"], 1, "review report");
    std::fs::write(&report, &original).unwrap();
    ok(d, &["promote", &id, "--as", "train/v1"]);
    ok(d, &["log", "verify"]);
}

#[test]
fn two_approvers_at_the_same_time_are_both_counted() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    setup(d);
    // A trusted-tier drop needing two approvals.
    let toml = std::fs::read_to_string(d.join("datagate.toml")).unwrap();
    std::fs::write(
        d.join("datagate.toml"),
        toml.replace(
            "approvals = { k = 1, approvers = [\"alice\"] }",
            "approvals = { k = 2, approvers = [\"alice\", \"bob\"] }",
        ),
    )
    .unwrap();
    write_csv(&d.join("data/c.csv"), 30, 9, false);
    let id = ingest(d, &["lab", "data/c.csv"]);
    ok(d, &["review", &id]);
    let spawn = |key: &str| {
        std::process::Command::new(assert_cmd::cargo::cargo_bin("datagate"))
            .current_dir(d)
            .args(["approve", &id, "--key", key])
            .output()
    };
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| spawn("keys/alice"));
        let b = s.spawn(|| spawn("keys/bob"));
        (a.join().unwrap().unwrap(), b.join().unwrap().unwrap())
    });
    assert_eq!(code(&a), 0, "{}", err(&a));
    assert_eq!(code(&b), 0, "{}", err(&b));
    let s = state_of(d, &id);
    assert_eq!(s["state"], "approved");
    assert_eq!(s["approvals"], "2/2");
    ok(d, &["promote", &id, "--as", "train/v1"]);
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let dest = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_dir(&p, &dest);
        } else {
            std::fs::copy(&p, &dest).unwrap();
        }
    }
}

#[test]
fn an_approver_elsewhere_signs_detached_and_the_gate_records_it() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("gate");
    let d = d.as_path();
    std::fs::create_dir_all(d).unwrap();
    setup(d);
    write_csv(&d.join("data/a.csv"), 30, 21, false);
    write_csv(&d.join("data/b.csv"), 30, 22, false);
    let a = ingest(d, &["lab", "data/a.csv"]);
    let b = ingest(d, &["lab", "data/b.csv"]);
    ok(d, &["review", &a]);
    ok(d, &["review", &b]);
    // Alice works on her own copy of the project; nothing is recorded there or here.
    let laptop = tmp.path().join("alice-laptop");
    copy_dir(d, &laptop);
    let text = ok(
        &laptop,
        &[
            "approve",
            &a,
            "--key",
            "keys/alice",
            "--detach",
            "-o",
            "approval.json",
        ],
    );
    assert!(text.contains("not recorded"), "{text}");
    std::fs::copy(laptop.join("approval.json"), d.join("approval.json")).unwrap();
    assert_eq!(state_of(d, &a)["approvals"], "0/1");
    // An approval of drop a does not approve drop b (exit 1: it fails the check).
    refused(
        d,
        &["approve", &b, "--envelope", "approval.json"],
        1,
        "not a valid approval",
    );
    let text = ok(d, &["approve", &a, "--envelope", "approval.json"]);
    assert!(
        text.contains("approved by alice") && text.contains("1 of 1"),
        "{text}"
    );
    refused(
        d,
        &["approve", &a, "--envelope", "approval.json"],
        2,
        "already approved",
    );
    ok(d, &["promote", &a, "--as", "train/v1"]);
    ok(d, &["log", "verify"]);
}

#[test]
fn drift_and_the_audit_baseline_compare_with_the_current_trusted_version() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    setup(d);
    // train/v1 from the trusted lab.
    write_csv(&d.join("data/base.csv"), 150, 31, false);
    let base = ingest(d, &["lab", "data/base.csv"]);
    ok(d, &["review", &base]);
    ok(d, &["approve", &base, "--key", "keys/alice"]);
    ok(d, &["promote", &base, "--as", "train/v1"]);
    // A vendor drop like it: drift runs against train/v1 and does not fail.
    write_csv(&d.join("data/same.csv"), 150, 32, false);
    ok(
        d,
        &[
            "sign",
            "data/same.csv",
            "--key",
            "keys/vendor",
            "-o",
            "data/same.sig",
        ],
    );
    let same = ingest(
        d,
        &["vendor", "data/same.csv", "--signature", "data/same.sig"],
    );
    let text = ok(d, &["review", &same]);
    assert!(text.contains("vs train/v1"), "{text}");
    // A vendor drop whose x and y moved: dataset drift fails the review.
    let shifted: String = std::fs::read_to_string(d.join("data/same.csv"))
        .unwrap()
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                return format!("{l}\n");
            }
            let f: Vec<&str> = l.split(',').collect();
            let x: f64 = f[1].parse().unwrap();
            let y: f64 = f[2].parse().unwrap();
            format!("{},{:.4},{:.4},{}\n", f[0], x + 25.0, y * 7.0 + 40.0, f[3])
        })
        .collect();
    std::fs::write(d.join("data/shifted.csv"), shifted).unwrap();
    ok(
        d,
        &[
            "sign",
            "data/shifted.csv",
            "--key",
            "keys/vendor",
            "-o",
            "data/shifted.sig",
        ],
    );
    let moved = ingest(
        d,
        &[
            "vendor",
            "data/shifted.csv",
            "--signature",
            "data/shifted.sig",
        ],
    );
    let o = dg(d, &["review", &moved]);
    assert_eq!(code(&o), 1, "{}{}", out(&o), err(&o));
    let text = out(&o);
    assert!(
        text.contains("drift") && text.contains("fail") && text.contains("column x"),
        "{text}"
    );
    // A vendor drop that is train/v1 with four records edited (x moved in three rows, one
    // label changed): the audit's edited_rows names exactly those rows.
    let edited: String = std::fs::read_to_string(d.join("data/base.csv"))
        .unwrap()
        .lines()
        .enumerate()
        .map(|(i, l)| {
            let mut f: Vec<String> = l.split(',').map(str::to_string).collect();
            match i.checked_sub(1) {
                Some(3 | 7 | 11) => f[1] = format!("{:.4}", f[1].parse::<f64>().unwrap() + 9.0),
                Some(20) => f[3] = if f[3] == "pos" { "neg" } else { "pos" }.to_string(),
                _ => {}
            }
            f.join(",") + "\n"
        })
        .collect();
    std::fs::write(d.join("data/edited.csv"), edited).unwrap();
    ok(
        d,
        &[
            "sign",
            "data/edited.csv",
            "--key",
            "keys/vendor",
            "-o",
            "data/edited.sig",
        ],
    );
    let id = ingest(
        d,
        &[
            "vendor",
            "data/edited.csv",
            "--signature",
            "data/edited.sig",
        ],
    );
    dg(d, &["review", &id]);
    let audit = review_check(d, &id, "audit");
    let finding = audit["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["message"].as_str().unwrap().starts_with("edited_rows"))
        .unwrap_or_else(|| panic!("no edited_rows finding: {audit}"));
    let mut rows: Vec<u64> = finding["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_u64().unwrap())
        .collect();
    rows.sort_unstable();
    // no other row; the relabelled row (three intact values) surely; of the rows with x
    // moved, only two values vouch for the original (id and y; the label adds nothing),
    // which on 150 rows is near the chance limit: at least two of the three
    assert!(rows.iter().all(|r| [3, 7, 11, 20].contains(r)), "{rows:?}");
    assert!(rows.contains(&20), "{rows:?}");
    assert!(rows.len() >= 3, "{rows:?}");
    ok(d, &["log", "verify"]);
}

#[test]
fn an_ingest_that_died_half_way_can_be_repeated() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    setup(d);
    write_csv(&d.join("data/a.csv"), 20, 41, false);
    let id = ingest(d, &["lab", "data/a.csv"]);
    // Simulate a crash before the state file was written.
    std::fs::remove_file(d.join(".datagate/drops").join(&id).join("state.json")).unwrap();
    let again = ingest(d, &["lab", "data/a.csv"]);
    assert_eq!(again, id);
    assert_eq!(state_of(d, &id)["state"], "quarantined");
    ok(d, &["log", "verify"]);
}

#[test]
fn erasure_makes_a_new_drop_that_needs_review_and_approval_again() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    setup(d);
    write_csv(&d.join("data/people.csv"), 30, 3, true);
    let id = ingest(d, &["lab", "data/people.csv"]);
    ok(d, &["review", &id]);
    ok(d, &["approve", &id, "--key", "keys/alice"]);
    ok(d, &["promote", &id, "--as", "train/v1"]);

    let subject = "contact=person7@example.com";
    let text = ok(d, &["store", "erase", "train/v1", "--subject", subject]);
    assert!(text.contains("erased 1 row(s) from train/v1"), "{text}");
    let new_id = text
        .split_whitespace()
        .find(|w| w.starts_with("d-"))
        .unwrap()
        .trim_end_matches(|c: char| !c.is_ascii_alphanumeric())
        .to_string();
    assert_ne!(new_id, id);
    assert_eq!(state_of(d, &new_id)["state"], "quarantined");
    // the erased copy is a drop like any other: no promotion before review and approval
    refused(d, &["promote", &new_id, "--as", "train/v2"], 2, "review");
    ok(d, &["review", &new_id]);
    refused(d, &["promote", &new_id, "--as", "train/v2"], 2, "approv");
    ok(d, &["approve", &new_id, "--key", "keys/alice"]);
    ok(d, &["promote", &new_id, "--as", "train/v2"]);
    // v2 lacks the subject's row; v1 is untouched (versions are immutable)
    ok(d, &["store", "export", "train/v2", "-o", "out2"]);
    ok(d, &["store", "export", "train/v1", "-o", "out1"]);
    let v2 = std::fs::read_to_string(d.join("out2/people.csv")).unwrap();
    let v1 = std::fs::read_to_string(d.join("out1/people.csv")).unwrap();
    assert!(!v2.contains("person7@example.com") && v1.contains("person7@example.com"));
    assert_eq!(v1.lines().count(), v2.lines().count() + 1);
    // recorded with both digests and the column, never the value
    let log = ok(d, &["log", "show", "--format", "json"]);
    assert!(
        log.contains("pii.erase") && log.contains("sha256_before"),
        "{log}"
    );
    assert!(!log.contains("person7@example.com"));
    // nothing to erase is a clear refusal that changes nothing
    let o = dg(d, &["store", "erase", "train/v2", "--subject", subject]);
    assert_ne!(code(&o), 0);
    assert!(err(&o).contains("nothing erased"), "{}", err(&o));
    refused(
        d,
        &["store", "erase", "train/v2", "--subject", "contact"],
        2,
        "COLUMN=VALUE",
    );
    ok(d, &["log", "verify"]);
}
