//! `datagate model verify`: check a model folder against an OpenSSF model-signing bundle.

use std::path::PathBuf;
use std::process::ExitCode;

use datagate_integrity::keys::PublicKey;
use datagate_integrity::oms::{verify_model, Bundle};
use datagate_integrity::Error;

/// Verify a model folder against an OpenSSF model-signing (OMS v1.0) signature made with a key
/// (by `datagate model sign` or `model_signing sign key`). Exit 0 verified, 1 bad signature or
/// a modified / added / removed file, 2 unreadable or malformed input.
#[derive(clap::Args)]
pub struct Args {
    /// The model folder (or file).
    pub model: PathBuf,
    /// The signature bundle (default: MODEL/model.sig).
    #[arg(short, long)]
    pub signature: Option<PathBuf>,
    /// The signer's public key (SPKI PEM).
    #[arg(short = 'p', long = "pub", value_name = "PUBLIC_KEY")]
    pub public_key: PathBuf,
    /// Output format: text or json.
    #[arg(long, default_value = "text", value_parser = ["text", "json"])]
    pub format: String,
}

/// Run `datagate model verify`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let sig_path = args
        .signature
        .clone()
        .unwrap_or_else(|| super::sign::default_signature(&args.model));
    let key = PublicKey::read(&args.public_key)?;
    let bundle = Bundle::read(&sig_path)?;
    let json = args.format == "json";
    match verify_model(&args.model, &bundle, &key, &sig_path) {
        Ok(report) => {
            let entry = crate::record::record_verdict(
                "model.verify",
                &args.model.display().to_string(),
                &report.root_sha256,
                serde_json::json!({
                    "ok": report.is_clean(), "signature": sig_path.display().to_string(),
                    "key_id": key.key_id()?, "model_name": report.model_name,
                    "modified": report.modified, "added": report.added, "removed": report.removed,
                }),
            );
            if json {
                let mut v = serde_json::to_value(&report)?;
                v["ok"] = serde_json::Value::Bool(report.is_clean());
                v["ledger_entry"] = serde_json::json!(entry);
                println!("{}", serde_json::to_string_pretty(&v)?);
            } else {
                for p in &report.modified {
                    println!("modified  {p}");
                }
                for p in &report.added {
                    println!("added     {p}");
                }
                for p in &report.removed {
                    println!("removed   {p}");
                }
                if report.is_clean() {
                    println!(
                        "OK: {} verified ({} files signed as model {:?})",
                        args.model.display(),
                        report.resources,
                        report.model_name
                    );
                } else {
                    println!(
                        "FAILED: {} does not match its signature",
                        args.model.display()
                    );
                }
                if let Some(seq) = entry {
                    println!("recorded as ledger entry {seq}");
                }
            }
            Ok(if report.is_clean() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Err(Error::BadSignature(msg)) => {
            crate::record::record_verdict(
                "model.verify",
                &args.model.display().to_string(),
                &datagate_integrity::hash::sha256_hex(bundle.to_json()?.as_bytes()),
                serde_json::json!({"ok": false, "signature": sig_path.display().to_string(), "error": msg}),
            );
            if json {
                println!("{}", serde_json::json!({"ok": false, "error": msg}));
            } else {
                println!("FAILED: {msg}");
            }
            Ok(ExitCode::from(1))
        }
        Err(e) => Err(e.into()),
    }
}
