//! `datagate keygen`: create a signing key pair.

use std::path::PathBuf;
use std::process::ExitCode;

use datagate_integrity::keys::{generate_files, KeyAlgorithm, PublicKey};

/// Create a key pair: OUT (private, PKCS#8 PEM, mode 0600) and OUT.pub (SPKI PEM).
///
/// Ed25519 is the default. Use `--algo p256` for keys that OpenSSF `model_signing` and other
/// Sigstore tooling accept (they take ECDSA keys only).
#[derive(clap::Args)]
pub struct Args {
    /// Path of the private key; the public key is written beside it with `.pub` appended.
    #[arg(short, long)]
    pub out: PathBuf,
    /// Key algorithm.
    #[arg(long, value_enum, default_value_t = Algo::Ed25519)]
    pub algo: Algo,
    /// Replace existing key files.
    #[arg(long)]
    pub force: bool,
}

/// Key algorithm on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Algo {
    /// Ed25519 (default).
    Ed25519,
    /// ECDSA on NIST P-256 (SHA-256).
    P256,
    /// ECDSA on NIST P-384 (SHA-384).
    P384,
}

/// Run `datagate keygen`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let alg = match args.algo {
        Algo::Ed25519 => KeyAlgorithm::Ed25519,
        Algo::P256 => KeyAlgorithm::EcdsaP256,
        Algo::P384 => KeyAlgorithm::EcdsaP384,
    };
    let (private, public) = generate_files(&args.out, alg, args.force)?;
    let id = PublicKey::read(&public)?.key_id()?;
    println!(
        "private key {} (keep it secret; mode 0600)",
        private.display()
    );
    println!("public key  {}", public.display());
    println!("key id      {id} ({})", alg.name());
    Ok(ExitCode::SUCCESS)
}
