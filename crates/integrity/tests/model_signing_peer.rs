//! OpenSSF model signing against the reference implementation, with no Python at test time.
//!
//! `tests/peers/model-signing/run.sh` had `model_signing` (PyPI) sign a small model and verify
//! datagate's bundle, on intact and tampered copies, and recorded every verdict in
//! `fixtures/results.json`. Here datagate re-verifies the committed bundles and tampers the
//! committed model folders the same way, and must reach the peer's verdict every time.

use std::fs;
use std::path::{Path, PathBuf};

use datagate_integrity::keys::PublicKey;
use datagate_integrity::oms::{verify_model, Bundle};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/peers/model-signing/fixtures")
}

fn copy_dir(src: &Path, dst: &Path) {
    fs::create_dir_all(dst).unwrap();
    for e in fs::read_dir(src).unwrap() {
        let e = e.unwrap();
        let to = dst.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to);
        } else {
            fs::copy(e.path(), &to).unwrap();
        }
    }
}

/// The same tampering as run.sh.
fn tamper(kind: &str, dir: &Path) {
    match kind {
        "modified" => {
            let p = dir.join("weights.bin");
            let mut b = fs::read(&p).unwrap();
            b[100] = b'X';
            fs::write(p, b).unwrap();
        }
        "added" => fs::write(dir.join("tokenizer/merges.txt"), b"extra\n").unwrap(),
        "removed" => fs::remove_file(dir.join("README.md")).unwrap(),
        other => panic!("unknown tamper kind {other}"),
    }
}

/// datagate's verdict, in the words of results.json.
fn datagate_verdict(model: &Path, key: &Path) -> &'static str {
    let sig = model.join("model.sig");
    let bundle = Bundle::read(&sig).expect("fixture bundle parses");
    let key = PublicKey::read(key).expect("fixture key parses");
    match verify_model(model, &bundle, &key, &sig) {
        Ok(r) if r.is_clean() => "accepted",
        _ => "rejected",
    }
}

#[test]
fn datagate_agrees_with_every_recorded_peer_verdict() {
    let fx = fixtures();
    let results: serde_json::Value = serde_json::from_slice(
        &fs::read(fx.join("results.json")).expect("run tests/peers/model-signing/run.sh"),
    )
    .unwrap();
    let verdicts = results["verdicts"].as_object().unwrap();
    let mut checked = 0;
    for (signer, dir, key, other) in [
        ("peer", "model", "peer.pub", "datagate-p256.pub"),
        (
            "datagate",
            "datagate-signed",
            "datagate-p256.pub",
            "peer.pub",
        ),
        ("peer-p521", "model-p521", "peer-p521.pub", "peer.pub"),
    ] {
        let src = fx.join(dir);
        for case in ["intact", "wrong-key", "modified", "added", "removed"] {
            let peer = verdicts[&format!("{signer}-signed/{case}/peer")]
                .as_str()
                .unwrap();
            let ours = match case {
                "intact" => datagate_verdict(&src, &fx.join(key)),
                "wrong-key" => datagate_verdict(&src, &fx.join(other)),
                kind => {
                    let tmp = tempfile::tempdir().unwrap();
                    let t = tmp.path().join("m");
                    copy_dir(&src, &t);
                    tamper(kind, &t);
                    datagate_verdict(&t, &fx.join(key))
                }
            };
            assert_eq!(
                ours, peer,
                "{signer}-signed/{case}: datagate {ours}, model_signing {peer}"
            );
            // And the verdict is the right one, not merely the same.
            assert_eq!(
                ours == "accepted",
                case == "intact",
                "{signer}-signed/{case}"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 15);
}

#[test]
fn peer_bundle_details_are_read_exactly() {
    let fx = fixtures();
    let model = fx.join("model");
    let sig = model.join("model.sig");
    let bundle = Bundle::read(&sig).unwrap();
    assert_eq!(
        bundle.media_type,
        "application/vnd.dev.sigstore.bundle.v0.3+json"
    );
    let key = PublicKey::read(&fx.join("peer.pub")).unwrap();
    // The peer's key hint is sha256 of the SPKI PEM, the same id datagate computes.
    assert_eq!(
        bundle
            .verification_material
            .public_key
            .as_ref()
            .and_then(|p| p.hint.clone()),
        Some(key.key_id().unwrap())
    );
    let report = verify_model(&model, &bundle, &key, &sig).unwrap();
    assert!(report.is_clean(), "{report:?}");
    assert_eq!(report.model_name, "model");
    assert_eq!(report.resources, 4);
}

#[test]
fn damaged_bundles_are_clean_errors() {
    let fx = fixtures();
    let model = fx.join("model");
    let sig = model.join("model.sig");
    let text = fs::read_to_string(&sig).unwrap();
    let key = PublicKey::read(&fx.join("peer.pub")).unwrap();
    let original: serde_json::Value = serde_json::from_str(&text).unwrap();

    // Corrupt JSON: a parse error, never a panic.
    for cut in [0, 1, text.len() / 3, text.len() - 1] {
        assert!(Bundle::from_json(&text.as_bytes()[..cut], "cut").is_err());
    }
    let check = |v: serde_json::Value| -> bool {
        let b = Bundle::from_json(v.to_string().as_bytes(), "edited").unwrap();
        matches!(verify_model(&model, &b, &key, &sig), Ok(r) if r.is_clean())
    };
    assert!(check(original.clone()));
    // Truncated signature.
    let mut v = original.clone();
    let s = v["dsseEnvelope"]["signatures"][0]["sig"]
        .as_str()
        .unwrap()
        .to_string();
    v["dsseEnvelope"]["signatures"][0]["sig"] =
        serde_json::Value::String(s[..s.len() / 2].to_string());
    assert!(!check(v));
    // Payload swapped for a statement signed by nobody.
    let mut v = original.clone();
    v["dsseEnvelope"]["payload"] = serde_json::Value::String("e30=".into());
    assert!(!check(v));
    // Wrong media type.
    let mut v = original.clone();
    v["mediaType"] = serde_json::Value::String("application/json".into());
    assert!(!check(v));
    // No signatures at all.
    let mut v = original;
    v["dsseEnvelope"]["signatures"] = serde_json::json!([]);
    assert!(!check(v));
}
