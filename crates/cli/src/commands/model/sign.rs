//! `datagate model sign`: an OpenSSF model-signing (OMS v1.0) bundle for a model folder.

use std::path::PathBuf;
use std::process::ExitCode;

use datagate_integrity::fsutil::write_atomic;
use datagate_integrity::keys::{KeyAlgorithm, PrivateKey};
use datagate_integrity::oms::sign_model;

/// Sign a model folder (or single model file) in the OpenSSF model-signing format (a Sigstore
/// bundle v0.3 holding a DSSE envelope over an in-toto statement listing every file's SHA-256).
///
/// `model_signing verify key` accepts the result when the key is ECDSA (`datagate keygen --algo
/// p256`); Ed25519 bundles verify with datagate only, because model_signing takes EC keys only.
#[derive(clap::Args)]
pub struct Args {
    /// The model folder (or file).
    pub model: PathBuf,
    /// Private key (PEM: PKCS#8, or SEC1 for EC keys).
    #[arg(short, long)]
    pub key: PathBuf,
    /// Where to write the signature (default: MODEL/model.sig, or MODEL.sig for a single file).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Extra paths (relative to MODEL) to leave out of the signature.
    #[arg(long = "ignore-path", value_name = "REL_PATH")]
    pub ignore_paths: Vec<String>,
}

/// Default signature location for a model path.
pub fn default_signature(model: &std::path::Path) -> PathBuf {
    if model.is_dir() {
        model.join("model.sig")
    } else {
        let mut p = model.as_os_str().to_owned();
        p.push(".sig");
        PathBuf::from(p)
    }
}

/// Run `datagate model sign`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let key = PrivateKey::read(&args.key)?;
    let out = args
        .output
        .clone()
        .unwrap_or_else(|| default_signature(&args.model));
    let bundle = sign_model(&args.model, &key, &out, &args.ignore_paths)?;
    write_atomic(&out, bundle.to_json()?.as_bytes(), false)?;
    println!("signed {} -> {}", args.model.display(), out.display());
    if key.algorithm() == KeyAlgorithm::Ed25519 {
        eprintln!(
            "note: Ed25519 bundles verify with datagate; OpenSSF model_signing only accepts ECDSA keys (use `datagate keygen --algo p256`)"
        );
    }
    Ok(ExitCode::SUCCESS)
}
