//! End-to-end tests of the integrity commands through the real binary: hash, manifest, keygen,
//! sign, verify, model sign/verify, with the exit codes the CLI promises.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

fn dg(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("datagate").unwrap();
    c.current_dir(dir);
    c
}

fn data(dir: &Path) {
    fs::create_dir_all(dir.join("data/sub")).unwrap();
    fs::write(dir.join("data/train.csv"), b"a,b\n1,2\n").unwrap();
    fs::write(dir.join("data/sub/x.bin"), b"abc").unwrap();
}

#[test]
fn hash_matches_sha256sum_format_and_checks() {
    let t = tempfile::tempdir().unwrap();
    data(t.path());
    let out = dg(t.path())
        .args(["hash", "--algo", "sha256", "data"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        text,
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  data/sub/x.bin\n\
         492d5ea496056f1a6a6592241032fab764c321596317930b4fa0e1e8bc3b7470  data/train.csv\n"
    );
    fs::write(t.path().join("sums"), &text).unwrap();
    dg(t.path())
        .args(["hash", "--check", "sums"])
        .assert()
        .success()
        .stdout(predicate::str::contains("data/train.csv: OK"));
    // BLAKE3 of "abc" (b3sum format) and the tagged default.
    dg(t.path())
        .args(["hash", "data/sub/x.bin"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "BLAKE3 (data/sub/x.bin) = 6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85",
        ));
    fs::write(t.path().join("data/sub/x.bin"), b"abd").unwrap();
    dg(t.path())
        .args(["hash", "-c", "sums"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("data/sub/x.bin: FAILED"));
    dg(t.path())
        .args(["hash", "missing.bin"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("missing.bin"));
}

#[test]
fn manifest_create_verify_and_tamper() {
    let t = tempfile::tempdir().unwrap();
    data(t.path());
    dg(t.path())
        .args(["manifest", "create", "data", "-o", "m.json"])
        .assert()
        .success();
    dg(t.path())
        .args(["manifest", "verify", "data", "m.json"])
        .assert()
        .success();
    fs::write(t.path().join("data/train.csv"), b"a,b\n1,3\n").unwrap();
    fs::write(t.path().join("data/new.txt"), b"n").unwrap();
    fs::remove_file(t.path().join("data/sub/x.bin")).unwrap();
    dg(t.path())
        .args(["manifest", "verify", "data", "m.json"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("modified    train.csv"))
        .stdout(predicate::str::contains("added       new.txt"))
        .stdout(predicate::str::contains("removed     sub/x.bin"));
    // A manifest that tries to leave the folder is refused (exit 2), naming the path.
    let h = "0".repeat(64);
    fs::write(
        t.path().join("evil.json"),
        format!(r#"{{"manifestVersion":1,"algorithms":["sha256"],"files":[{{"path":"../../etc/passwd","size":1,"sha256":"{h}"}}]}}"#),
    )
    .unwrap();
    dg(t.path())
        .args(["manifest", "verify", "data", "evil.json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("../../etc/passwd"));
}

#[test]
fn keygen_sign_verify_and_bad_inputs() {
    let t = tempfile::tempdir().unwrap();
    data(t.path());
    let d = t.path();
    dg(d)
        .args(["keygen", "--out", "keys/alice"])
        .assert()
        .success();
    dg(d)
        .args(["keygen", "--out", "keys/bob", "--algo", "p256"])
        .assert()
        .success();
    dg(d)
        .args(["keygen", "--out", "keys/alice"])
        .assert()
        .code(2);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            fs::metadata(d.join("keys/alice"))
                .unwrap()
                .permissions()
                .mode()
                & 0o777,
            0o600
        );
    }
    dg(d)
        .args(["sign", "data/train.csv", "--key", "keys/alice"])
        .assert()
        .success();
    assert!(d.join("data/train.csv.sig.json").is_file());
    dg(d)
        .args([
            "verify",
            "data/train.csv.sig.json",
            "--pub",
            "keys/alice.pub",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("matches subject"));
    // Wrong key: 1. Private key given as public: 2. Bad PEM: 2. Corrupt JSON: 2.
    dg(d)
        .args(["verify", "data/train.csv.sig.json", "--pub", "keys/bob.pub"])
        .assert()
        .code(1);
    dg(d)
        .args(["verify", "data/train.csv.sig.json", "--pub", "keys/alice"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("private key"));
    fs::write(
        d.join("bad.pub"),
        "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
    )
    .unwrap();
    dg(d)
        .args(["verify", "data/train.csv.sig.json", "--pub", "bad.pub"])
        .assert()
        .code(2);
    fs::write(d.join("corrupt.sig.json"), "{\"payload\": ").unwrap();
    dg(d)
        .args(["verify", "corrupt.sig.json", "--pub", "keys/alice.pub"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("corrupt.sig.json"));
    // Truncated signature: 1.
    let env = fs::read_to_string(d.join("data/train.csv.sig.json")).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&env).unwrap();
    let sig = v["signatures"][0]["sig"].as_str().unwrap().to_string();
    v["signatures"][0]["sig"] = serde_json::Value::String(sig[..16].to_string());
    fs::write(d.join("trunc.sig.json"), v.to_string()).unwrap();
    dg(d)
        .args(["verify", "trunc.sig.json", "--pub", "keys/alice.pub"])
        .assert()
        .code(1);
    // The signed file changed: 1.
    fs::write(d.join("data/train.csv"), b"a,b\n9,9\n").unwrap();
    dg(d)
        .args([
            "verify",
            "data/train.csv.sig.json",
            "--pub",
            "keys/alice.pub",
        ])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("not the signed subject"));
}

#[test]
fn model_sign_and_verify() {
    let t = tempfile::tempdir().unwrap();
    data(t.path());
    let d = t.path();
    dg(d)
        .args(["keygen", "--out", "k", "--algo", "p256"])
        .assert()
        .success();
    dg(d)
        .args(["model", "sign", "data", "--key", "k"])
        .assert()
        .success();
    assert!(d.join("data/model.sig").is_file());
    dg(d)
        .args([
            "model",
            "verify",
            "data",
            "--signature",
            "data/model.sig",
            "--pub",
            "k.pub",
        ])
        .assert()
        .success();
    fs::write(d.join("data/extra.bin"), b"x").unwrap();
    dg(d)
        .args([
            "model",
            "verify",
            "data",
            "--signature",
            "data/model.sig",
            "--pub",
            "k.pub",
        ])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("added     extra.bin"));
}

#[test]
fn verdicts_are_recorded_in_the_project_ledger() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    data(d);
    // Outside a project nothing is recorded.
    dg(d)
        .args(["manifest", "create", "data", "-o", "m.json"])
        .assert()
        .success();
    dg(d)
        .args(["manifest", "verify", "data", "m.json"])
        .assert()
        .success()
        .stdout(predicate::str::contains("ledger").not());
    dg(d).arg("init").assert().success();
    dg(d)
        .args(["manifest", "verify", "data", "m.json", "--format", "json"])
        .assert()
        .success()
        .stdout(predicate::str::contains("\"ledger_entry\": 1"));
    fs::write(d.join("data/new.txt"), b"n").unwrap();
    dg(d)
        .args(["manifest", "verify", "data", "m.json"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("recorded as ledger entry 2"));
    dg(d)
        .args(["log", "show"])
        .assert()
        .success()
        .stdout(predicate::str::contains("manifest.verify"))
        .stdout(predicate::str::contains("new.txt"));
}
