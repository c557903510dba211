//! `datagate verify`: check a DSSE envelope's signature and the file it names.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use datagate_integrity::dsse::{verify_file_envelope, Envelope};
use datagate_integrity::keys::PublicKey;
use datagate_integrity::Error;

use super::hash::Format;

/// Verify a DSSE envelope written by `datagate sign`: the signature (with the public key) and,
/// when the signed file is at hand, that its SHA-256 is the one in the statement. Without
/// `--file`, FILE is found by dropping `.sig.json` from ENVELOPE, if that file exists.
/// Exit 0 verified, 1 bad signature or changed file, 2 unreadable or malformed input.
#[derive(clap::Args)]
pub struct Args {
    /// The envelope (FILE.sig.json).
    pub envelope: PathBuf,
    /// The signer's public key (PEM, `.pub` from `datagate keygen`).
    #[arg(short = 'p', long = "pub", value_name = "PUBLIC_KEY")]
    pub public_key: PathBuf,
    /// The signed file, to check against the statement's subject digest.
    #[arg(short, long)]
    pub file: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

fn default_file(envelope: &Path) -> Option<PathBuf> {
    let s = envelope.to_str()?;
    let f = PathBuf::from(s.strip_suffix(".sig.json")?);
    f.is_file().then_some(f)
}

/// Run `datagate verify`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let key = PublicKey::read(&args.public_key)?;
    let envelope = Envelope::read(&args.envelope)?;
    let file = args.file.clone().or_else(|| default_file(&args.envelope));
    match verify_file_envelope(&envelope, &key, file.as_deref()) {
        Ok(v) => {
            let subject = v.statement.subject.first();
            let name = subject.map(|s| s.name.as_str()).unwrap_or("");
            let digest = subject
                .and_then(|s| s.digest.get("sha256"))
                .map(String::as_str)
                .unwrap_or("");
            let entry = crate::record::record_verdict(
                "signature.verify",
                name,
                digest,
                serde_json::json!({"ok": true, "envelope": args.envelope.display().to_string(),
                    "key_id": key.key_id()?, "file_checked": file.is_some()}),
            );
            match args.format {
                Format::Json => println!(
                    "{}",
                    serde_json::json!({"ok": true, "key_id": key.key_id()?, "subject": name, "sha256": digest,
                        "file_checked": file, "predicate_type": v.statement.predicate_type, "ledger_entry": entry})
                ),
                Format::Text => {
                    println!(
                        "OK: signature by {} key {}",
                        key.algorithm().name(),
                        key.key_id()?
                    );
                    match &file {
                        Some(f) => println!("OK: {} matches subject {name} (sha256 {digest})", f.display()),
                        None => println!(
                            "note: signed subject {name} (sha256 {digest}) not checked; pass --file to check it"
                        ),
                    }
                    if let Some(seq) = entry {
                        println!("recorded as ledger entry {seq}");
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(Error::BadSignature(msg)) => {
            crate::record::record_verdict(
                "signature.verify",
                &args.envelope.display().to_string(),
                &datagate_integrity::hash::sha256_hex(&serde_json::to_vec(&envelope)?),
                serde_json::json!({"ok": false, "error": msg}),
            );
            match args.format {
                Format::Json => println!("{}", serde_json::json!({"ok": false, "error": msg})),
                Format::Text => println!("FAILED: {msg}"),
            }
            Ok(ExitCode::from(1))
        }
        Err(e) => Err(e.into()),
    }
}
