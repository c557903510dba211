//! The ledger commands end to end on a temporary project: init, log
//! show/verify/head/prove/consistency/check-proof/export/activity, integrity
//! baseline/check, watch.

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

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

#[test]
fn init_log_prove_verify_and_tamper() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    // Outside a project: a clear usage error.
    let o = dg(d, &["log", "show"]);
    assert_eq!(code(&o), 2);
    assert!(String::from_utf8_lossy(&o.stderr).contains("datagate init"));

    let o = dg(d, &["init", "--name", "demo"]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    let toml = std::fs::read_to_string(d.join("datagate.toml")).unwrap();
    assert!(toml.contains("[project]") && toml.contains("name = \"demo\"") && toml.contains('#'));
    for sub in [
        "ledger.db",
        "keys/ledger.key",
        "keys/ledger.vkey",
        "objects",
        "reports",
        "baselines",
    ] {
        assert!(d.join(".datagate").join(sub).exists(), "{sub}");
    }
    // init again is harmless.
    assert_eq!(code(&dg(d, &["init"])), 0);

    // Baselines and checks add entries.
    std::fs::create_dir_all(d.join("data")).unwrap();
    std::fs::write(d.join("data/a.csv"), "x,y\n1,2\n").unwrap();
    std::fs::write(d.join("data/b.csv"), "x,y\n3,4\n").unwrap();
    let o = dg(d, &["integrity", "baseline", "data"]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    let o = dg(d, &["integrity", "check"]);
    assert_eq!(
        code(&o),
        0,
        "{}{}",
        stdout(&o),
        String::from_utf8_lossy(&o.stderr)
    );
    std::fs::write(d.join("data/a.csv"), "x,y\n1,3\n").unwrap();
    std::fs::write(d.join("data/c.csv"), "new").unwrap();
    std::fs::remove_file(d.join("data/b.csv")).unwrap();
    let o = dg(d, &["integrity", "check"]);
    assert_eq!(code(&o), 1);
    let out = stdout(&o);
    assert!(
        out.contains("modified    a.csv")
            && out.contains("added       c.csv")
            && out.contains("removed     b.csv"),
        "{out}"
    );

    // show: init, baseline, two checks.
    let o = dg(d, &["log", "show", "--format", "json"]);
    assert_eq!(code(&o), 0);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let actions: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "project.init",
            "integrity.baseline",
            "integrity.check",
            "integrity.check"
        ]
    );
    assert_eq!(v[3]["details"]["result"], "changed");
    assert_eq!(v[3]["details"]["added"][0], "c.csv");
    let o = dg(d, &["log", "show"]);
    assert!(stdout(&o).contains("integrity.baseline"));
    let o = dg(
        d,
        &["log", "show", "--action", "integrity", "--format", "json"],
    );
    let v2: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v2.as_array().unwrap().len(), 3);
    let o = dg(d, &["log", "show", "--actor", "nobody", "--format", "json"]);
    let v2: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v2.as_array().unwrap().len(), 0);

    // verify, head, proofs.
    let o = dg(d, &["log", "verify"]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    assert!(stdout(&o).starts_with("ok: 4 entries"));
    let o = dg(d, &["log", "head"]);
    let head = stdout(&o);
    assert!(
        head.lines().nth(1) == Some("4") && head.contains("\n\n\u{2014} datagate/demo-"),
        "{head}"
    );
    std::fs::write(d.join("sth.txt"), &head).unwrap();
    let o = dg(d, &["log", "prove", "2", "-o", "p2.json"]);
    assert_eq!(code(&o), 0);
    let o = dg(d, &["log", "consistency", "1", "-o", "c1.json"]);
    assert_eq!(code(&o), 0);
    // check-proof works without any project around.
    let elsewhere = tempfile::tempdir().unwrap();
    for f in ["p2.json", "c1.json"] {
        std::fs::copy(d.join(f), elsewhere.path().join(f)).unwrap();
    }
    std::fs::copy(
        d.join(".datagate/keys/ledger.vkey"),
        elsewhere.path().join("log.vkey"),
    )
    .unwrap();
    let o = dg(
        elsewhere.path(),
        &["log", "check-proof", "p2.json", "--vkey", "log.vkey"],
    );
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    assert!(stdout(&o).contains("entry 2 is included"));
    let o = dg(elsewhere.path(), &["log", "check-proof", "c1.json"]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    let bad = std::fs::read_to_string(d.join("p2.json"))
        .unwrap()
        .replace("integrity.check", "integrity.chec_");
    std::fs::write(elsewhere.path().join("bad.json"), bad).unwrap();
    assert_eq!(
        code(&dg(elsewhere.path(), &["log", "check-proof", "bad.json"])),
        1
    );
    std::fs::write(elsewhere.path().join("junk.json"), "{not json").unwrap();
    assert_eq!(
        code(&dg(elsewhere.path(), &["log", "check-proof", "junk.json"])),
        2
    );
    assert_eq!(code(&dg(d, &["log", "prove", "99"])), 2);

    // export: one canonical entry per line.
    let o = dg(d, &["log", "export"]);
    assert_eq!(stdout(&o).lines().count(), 4);

    // activity: the local user made 4 events.
    let o = dg(
        d,
        &["log", "activity", "--window", "1h", "--threshold", "3"],
    );
    assert_eq!(code(&o), 1);
    assert!(
        stdout(&o).contains("ALERT") && stdout(&o).contains("4 events"),
        "{}",
        stdout(&o)
    );
    assert_eq!(
        code(&dg(
            d,
            &["log", "activity", "--window", "1h", "--threshold", "4"]
        )),
        0
    );
    assert_eq!(
        code(&dg(
            d,
            &["log", "activity", "--window", "1y", "--threshold", "4"]
        )),
        2
    );

    // Tamper with one byte of entry 2 behind the ledger's back.
    tamper_entry(&d.join(".datagate/ledger.db"), 2);
    let o = dg(d, &["log", "verify"]);
    assert_eq!(code(&o), 1);
    assert!(stdout(&o).contains("first bad entry: 2"), "{}", stdout(&o));
    let o = dg(d, &["log", "verify", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["first_bad_entry"], 2);
    assert_eq!(v["ok"], false);

    // A deleted database is noticed, not silently replaced by an empty log.
    std::fs::remove_file(d.join(".datagate/ledger.db")).unwrap();
    let _ = std::fs::remove_file(d.join(".datagate/ledger.db-wal"));
    let o = dg(d, &["log", "verify"]);
    assert_eq!(code(&o), 2);
    assert!(String::from_utf8_lossy(&o.stderr).contains("ledger.db is missing"));
}

/// Tampering goes through the ledger crate's own SQLite connection.
fn tamper_entry(db: &Path, seq: u64) {
    let store = datagate_ledger::sqlite::SqliteStore::open(db).unwrap();
    store
        .connection()
        .execute_batch(&format!(
            "DROP TRIGGER entries_no_update; \
             UPDATE entries SET entry = CAST(replace(CAST(entry AS TEXT), 'integrity.check', 'integrity.checK') AS BLOB) WHERE seq = {seq};"
        ))
        .unwrap();
}

#[test]
fn watch_records_changes() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    assert_eq!(code(&dg(d, &["init"])), 0);
    std::fs::create_dir_all(d.join("data")).unwrap();
    // Start the watcher and wait until it says it is watching.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_datagate"))
        .current_dir(d)
        .args([
            "watch",
            "data",
            "--debounce-ms",
            "100",
            "--max-events",
            "3",
            "--duration",
            "30",
            "--format",
            "json",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    std::io::BufRead::read_line(&mut err, &mut line).unwrap();
    assert!(line.starts_with("watching 1 folder"), "{line}");
    std::fs::write(d.join("data/new.txt"), "hello").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(400));
    std::fs::rename(d.join("data/new.txt"), d.join("data/renamed.txt")).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(400));
    std::fs::remove_file(d.join("data/renamed.txt")).unwrap();
    let o = child.wait_with_output().unwrap();
    let lines: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let actions: Vec<&str> = lines
        .iter()
        .map(|v| v["action"].as_str().unwrap())
        .collect();
    assert!(actions.contains(&"file.create"), "{actions:?}");
    assert!(
        actions.contains(&"file.delete") || actions.contains(&"file.rename"),
        "{actions:?}"
    );
    let create = lines.iter().find(|v| v["action"] == "file.create").unwrap();
    assert_eq!(create["name"], "data/new.txt");
    // sha256("hello")
    assert_eq!(
        create["sha256"],
        "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
    );
    // And the ledger has them, and still verifies.
    let o = dg(d, &["log", "show", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["action"] == "file.create" && e["subject"]["name"] == "data/new.txt"));
    assert_eq!(code(&dg(d, &["log", "verify"])), 0);
}

#[test]
fn integrity_baseline_from_an_existing_manifest() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    assert_eq!(code(&dg(d, &["init"])), 0);
    std::fs::create_dir_all(d.join("models")).unwrap();
    std::fs::write(d.join("models/w.bin"), [1u8, 2, 3]).unwrap();
    let o = dg(
        d,
        &["manifest", "create", "models", "-o", "models.manifest.json"],
    );
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    let o = dg(
        d,
        &[
            "integrity",
            "baseline",
            "models",
            "--name",
            "release",
            "--manifest",
            "models.manifest.json",
        ],
    );
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    // Same name again without --replace is refused.
    assert_eq!(
        code(&dg(
            d,
            &["integrity", "baseline", "models", "--name", "release"]
        )),
        2
    );
    let o = dg(d, &["integrity", "list", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v[0]["name"], "release");
    assert_eq!(v[0]["files"], 1);
    assert_eq!(
        code(&dg(d, &["integrity", "check", "--name", "release"])),
        0
    );
    std::fs::write(d.join("models/w.bin"), [1u8, 2, 4]).unwrap();
    let o = dg(d, &["integrity", "check", "--format", "json"]);
    assert_eq!(code(&o), 1);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["ok"], false);
    assert_eq!(v["baselines"][0]["report"]["modified"][0]["path"], "w.bin");
    assert_eq!(code(&dg(d, &["integrity", "check", "--name", "nope"])), 2);
    assert_eq!(code(&dg(d, &["log", "verify"])), 0);
}
