//! `datagate pii` end to end: exit codes, round trips and bad input.

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

fn datagate() -> Command {
    Command::cargo_bin("datagate").unwrap()
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

const DATA: &str = "id,email,notes\n1,jane@example.com,call me on +44 20 7946 0958\n2,bob@corp.io,card 4111 1111 1111 1111 please\n3,ann@firm.de,nothing here\n";

#[test]
fn scan_reports_and_exits_1_on_pii_0_without() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(dir.path(), "t.csv", DATA);
    let out = datagate()
        .args(["pii", "scan"])
        .arg(&data)
        .args(["--format", "json"])
        .assert()
        .code(1);
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v["rows"], 3);
    let email = v["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["column"] == "email")
        .unwrap();
    assert_eq!(email["kind"], "structured");
    assert_eq!(email["entity"], "EMAIL_ADDRESS");
    assert_eq!(email["share"], 1.0);
    let spans = v["spans"].as_array().unwrap();
    assert_eq!(spans.len(), 2);
    assert_eq!(spans[0]["row"], 0);
    assert_eq!(spans[0]["entity"], "PHONE_NUMBER");
    assert_eq!(spans[0]["start"], 11);
    let html = dir.path().join("r.html");
    datagate()
        .args(["pii", "scan"])
        .arg(&data)
        .args(["--format", "html", "-o"])
        .arg(&html)
        .assert()
        .code(1);
    assert!(std::fs::read_to_string(&html)
        .unwrap()
        .contains("EMAIL_ADDRESS"));
    let clean = write(dir.path(), "c.csv", "a,b\n1,hello\n");
    datagate()
        .args(["pii", "scan"])
        .arg(&clean)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("no personal data"));
}

#[test]
fn scrub_reveal_with_key_and_wrong_key() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(dir.path(), "t.csv", DATA);
    let policy = write(
        dir.path(),
        "pii.toml",
        "[entities]\nCREDIT_CARD = \"mask:4\"\n[columns]\nemail = \"tokenise\"\n",
    );
    let key = dir.path().join("k.key");
    datagate()
        .args(["pii", "keygen"])
        .arg(&key)
        .assert()
        .success();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let out = dir.path().join("clean.jsonl");
    // Missing key file: a clear usage error.
    datagate()
        .args(["pii", "scrub"])
        .arg(&data)
        .arg("-o")
        .arg(&out)
        .arg("--policy")
        .arg(&policy)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--key-file"));
    datagate()
        .args(["pii", "scrub"])
        .arg(&data)
        .arg("-o")
        .arg(&out)
        .arg("--policy")
        .arg(&policy)
        .arg("--key-file")
        .arg(dir.path().join("nope.key"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("does not exist"));
    datagate()
        .args(["pii", "scrub"])
        .arg(&data)
        .arg("-o")
        .arg(&out)
        .arg("--policy")
        .arg(&policy)
        .arg("--key-file")
        .arg(&key)
        .assert()
        .success();
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(
        !text.contains("jane@example.com") && text.contains("**** **** **** 1111"),
        "{text}"
    );
    datagate()
        .args(["pii", "reveal"])
        .arg(&out)
        .args(["--column", "email", "--key-file"])
        .arg(&key)
        .assert()
        .success()
        .stdout(predicate::str::contains("0\tjane@example.com"));
    let other = dir.path().join("other.key");
    datagate()
        .args(["pii", "keygen"])
        .arg(&other)
        .assert()
        .success();
    datagate()
        .args(["pii", "reveal"])
        .arg(&out)
        .args(["--column", "email", "--key-file"])
        .arg(&other)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("authentication failed"))
        .stdout(predicate::str::is_empty());
}

#[test]
fn bad_policy_and_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(dir.path(), "t.csv", DATA);
    let policy = write(dir.path(), "p.toml", "[entities]\nPASSPORT = \"redact\"\n");
    datagate()
        .args(["pii", "scrub"])
        .arg(&data)
        .arg("-o")
        .arg(dir.path().join("o.csv"))
        .arg("--policy")
        .arg(&policy)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown PII type `PASSPORT`"));
    let mut bytes = b"id,notes\n1,ok\n2,".to_vec();
    bytes.extend_from_slice(&[0xff, 0xfe, 0x00, 0x80]);
    bytes.extend_from_slice(b"\n");
    let bin = dir.path().join("bin.csv");
    std::fs::write(&bin, bytes).unwrap();
    datagate()
        .args(["pii", "scan"])
        .arg(&bin)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bin.csv"));
}

#[test]
fn check_k_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(
        dir.path(),
        "p.csv",
        "age,zip,sex,diag\n30,02139,F,flu\n30,02139,F,cold\n41,02140,M,flu\n",
    );
    datagate()
        .args(["pii", "check-k"])
        .arg(&data)
        .args(["--quasi", "age,zip,sex", "--k", "2", "--sensitive", "diag"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("FAIL: k = 1"));
    datagate()
        .args(["pii", "check-k"])
        .arg(&data)
        .args(["--quasi", "sex", "--k", "1", "--format", "json"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("\"passed\": true"));
}

#[test]
fn erase_removes_a_subject_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    std::fs::create_dir_all(store.join("v2")).unwrap();
    write(&store, "a.csv", DATA);
    write(&store.join("v2"), "b.csv", DATA);
    datagate()
        .current_dir(dir.path())
        .args(["pii", "erase", "--subject", "email=bob@corp.io", "--in"])
        .arg(&store)
        .assert()
        .success();
    for p in [store.join("a.csv"), store.join("v2/b.csv")] {
        let t = std::fs::read_to_string(p).unwrap();
        assert!(!t.contains("bob@corp.io") && t.contains("jane@example.com"));
    }
}
