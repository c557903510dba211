//! Random and mutated bytes fed to every parser of untrusted input: each must return an error
//! (or a value), never panic. Mutations start from real documents so they reach deep code paths.

use std::path::Path;

use datagate_integrity::dsse::{sign_file, Envelope};
use datagate_integrity::keys::{KeyAlgorithm, PrivateKey, PublicKey};
use datagate_integrity::manifest::{create_tree, Manifest};
use datagate_integrity::oms::{sign_model, verify_model, Bundle};
use datagate_integrity::Algorithms;
use proptest::prelude::*;

struct Seeds {
    _dir: tempfile::TempDir,
    model: std::path::PathBuf,
    envelope: Vec<u8>,
    bundle: Vec<u8>,
    manifest: Vec<u8>,
    private_pem: String,
    public_pem: String,
    key: PublicKey,
}

fn seeds() -> Seeds {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("model");
    std::fs::create_dir_all(model.join("sub")).unwrap();
    std::fs::write(model.join("w.bin"), b"weights").unwrap();
    std::fs::write(model.join("sub/c.json"), b"{}").unwrap();
    let key = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
    let envelope =
        serde_json::to_vec(&sign_file(&model.join("w.bin"), &key, "t").unwrap()).unwrap();
    let sig = dir.path().join("model.sig");
    let bundle = sign_model(&model, &key, &sig, &[])
        .unwrap()
        .to_json()
        .unwrap()
        .into_bytes();
    let manifest = create_tree(&model, Algorithms::Both, &[], &|_| {})
        .unwrap()
        .to_canonical_json()
        .unwrap();
    Seeds {
        _dir: dir,
        model,
        envelope,
        bundle,
        manifest,
        private_pem: key.to_pem().unwrap(),
        public_pem: key.public_key().to_pem().unwrap(),
        key: key.public_key(),
    }
}

fn mutate(seed: &[u8], edits: &[(usize, u8)], cut: Option<usize>) -> Vec<u8> {
    let mut v = seed.to_vec();
    for &(i, b) in edits {
        if !v.is_empty() {
            let n = v.len();
            v[i % n] = b;
        }
    }
    if let Some(c) = cut {
        v.truncate(c % (v.len() + 1));
    }
    v
}

fn exercise(s: &Seeds, bytes: &[u8]) {
    if let Ok(env) = Envelope::from_json(bytes, "fuzz") {
        let _ = env.verify(&s.key);
    }
    if let Ok(b) = Bundle::from_json(bytes, "fuzz") {
        let _ = verify_model(&s.model, &b, &s.key, Path::new("/nonexistent/model.sig"));
    }
    let _ = Manifest::from_json(bytes, "fuzz");
    let text = String::from_utf8_lossy(bytes);
    let _ = PrivateKey::from_pem(&text, "fuzz");
    let _ = PublicKey::from_pem(&text, "fuzz");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let s = seeds();
        exercise(&s, &bytes);
    }

    #[test]
    fn mutated_documents_never_panic(
        which in 0usize..5,
        edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..6),
        cut in proptest::option::of(any::<usize>()),
    ) {
        let s = seeds();
        let seed: Vec<u8> = match which {
            0 => s.envelope.clone(),
            1 => s.bundle.clone(),
            2 => s.manifest.clone(),
            3 => s.private_pem.clone().into_bytes(),
            _ => s.public_pem.clone().into_bytes(),
        };
        exercise(&s, &mutate(&seed, &edits, cut));
    }
}

#[test]
fn mutated_bundle_payloads_are_rejected_not_accepted() {
    // Flipping any one byte of the signed statement must fail verification.
    let s = seeds();
    let b = Bundle::from_json(&s.bundle, "seed").unwrap();
    let body = b.dsse_envelope.body().unwrap();
    for i in (0..body.len()).step_by(7) {
        let mut evil = body.clone();
        evil[i] ^= 0x20;
        let mut m = b.clone();
        m.dsse_envelope.payload = datagate_integrity::dsse::encode_base64(&evil);
        let ok = matches!(verify_model(&s.model, &m, &s.key, Path::new("/x/model.sig")), Ok(r) if r.is_clean());
        assert!(!ok, "byte {i} flipped and still verified");
    }
}
