//! `datagate sign`: a DSSE envelope with an in-toto statement over one file.

use std::path::PathBuf;
use std::process::ExitCode;

use datagate_integrity::dsse::sign_file;
use datagate_integrity::fsutil::write_atomic;
use datagate_integrity::keys::PrivateKey;

/// Sign a file: writes FILE.sig.json, a DSSE envelope (payloadType
/// application/vnd.in-toto+json) whose in-toto Statement v1 names the file and its SHA-256.
#[derive(clap::Args)]
pub struct Args {
    /// The file to sign (a manifest, a dataset, a model file...).
    pub file: PathBuf,
    /// Private key (PEM, from `datagate keygen`).
    #[arg(short, long)]
    pub key: PathBuf,
    /// Where to write the envelope (default: FILE.sig.json).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

/// Run `datagate sign`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let key = PrivateKey::read(&args.key)?;
    let signer = format!("datagate {}", env!("CARGO_PKG_VERSION"));
    let envelope = sign_file(&args.file, &key, &signer)?;
    let out = args.output.unwrap_or_else(|| {
        let mut p = args.file.as_os_str().to_owned();
        p.push(".sig.json");
        PathBuf::from(p)
    });
    let mut json = serde_json::to_string_pretty(&envelope)?;
    json.push('\n');
    write_atomic(&out, json.as_bytes(), false)?;
    println!(
        "signed {} with {} key {}; envelope {}",
        args.file.display(),
        key.algorithm().name(),
        key.public_key().key_id()?,
        out.display()
    );
    Ok(ExitCode::SUCCESS)
}
