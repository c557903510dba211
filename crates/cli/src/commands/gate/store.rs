//! `datagate store gc|export|erase|list`: the trusted store.

use std::path::PathBuf;
use std::process::ExitCode;

use datagate_gate::store;

use super::short;

/// The trusted store: garbage collection under the retention policy, export with signed
/// provenance, listing.
#[derive(clap::Subcommand)]
pub enum Command {
    /// Expire versions the retention policy no longer keeps (recorded in the ledger).
    Gc(GcArgs),
    /// Write DATASET/VERSION and its signed provenance (DSSE, in-toto, SLSA v1) to a folder.
    Export(ExportArgs),
    /// Right to erasure: remove a data subject's rows from a version into a new quarantined
    /// drop, which needs review and approval again before it is promoted.
    Erase(EraseArgs),
    /// List datasets and versions.
    List,
}

/// `datagate store erase`.
#[derive(clap::Args)]
pub struct EraseArgs {
    /// DATASET/VERSION to erase from.
    pub target: String,
    /// The data subject as COLUMN=VALUE, e.g. `email=jane@example.com` (the value is never recorded).
    #[arg(long)]
    pub subject: String,
}

/// `datagate store gc`.
#[derive(clap::Args)]
pub struct GcArgs {
    /// Show what would expire without changing anything.
    #[arg(long)]
    pub dry_run: bool,
}

/// `datagate store export`.
#[derive(clap::Args)]
pub struct ExportArgs {
    /// DATASET/VERSION.
    pub target: String,
    /// Output folder.
    #[arg(short, long)]
    pub output: PathBuf,
    /// Signing key (default: the project's .datagate/keys/gate.key, created on first use).
    #[arg(long)]
    pub key: Option<PathBuf>,
}

/// Runs `datagate store ...`.
pub fn run(cmd: Command) -> anyhow::Result<ExitCode> {
    match cmd {
        Command::Gc(a) => {
            let mut gate = super::open()?;
            let expired = store::gc(&mut gate, a.dry_run)?;
            if expired.is_empty() {
                println!("nothing to expire");
            }
            for e in &expired {
                println!(
                    "{} {}/{}: {}{}",
                    if a.dry_run { "would expire" } else { "expired" },
                    e.dataset,
                    e.version,
                    e.reason,
                    if e.object_deleted {
                        " (object deleted)"
                    } else {
                        ""
                    }
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Export(a) => super::exit_on_tamper(export(a)),
        Command::Erase(a) => super::exit_on_tamper(erase(a)),
        Command::List => list(),
    }
}

fn erase(a: EraseArgs) -> anyhow::Result<ExitCode> {
    let Some((column, value)) = a.subject.split_once('=') else {
        anyhow::bail!("--subject expects COLUMN=VALUE, got {:?}", a.subject);
    };
    let mut gate = super::open()?;
    let e = store::erase(&mut gate, &a.target, column, value)?;
    let id = &e.drop.record.id;
    println!(
        "erased {} row(s) from {} into drop {id} (quarantined; {} stays as it was)",
        e.removed, e.from, e.from
    );
    println!("next: datagate review {id} && datagate approve {id} --key KEY && datagate promote {id} --as DATASET/NEXT");
    Ok(ExitCode::SUCCESS)
}

fn export(a: ExportArgs) -> anyhow::Result<ExitCode> {
    let gate = super::open()?;
    let e = store::export(&gate, &a.target, &a.output, a.key.as_deref())?;
    println!("wrote {}", e.file.display());
    println!(
        "wrote {} (signed by key {})",
        e.provenance.display(),
        short(&e.key_id)
    );
    Ok(ExitCode::SUCCESS)
}

fn list() -> anyhow::Result<ExitCode> {
    let gate = super::open()?;
    for r in store::Refs::load_all(&gate.refs_dir())? {
        println!(
            "{} (current {})",
            r.dataset,
            r.current.as_deref().unwrap_or("-")
        );
        for v in &r.versions {
            println!(
                "  {:<8} {}  {:>10} bytes  {}  from {} ({}){}",
                v.version,
                short(&v.sha256),
                v.bytes,
                v.promoted_at,
                v.source,
                v.drop,
                v.expired
                    .as_ref()
                    .map(|e| format!("  EXPIRED {}", e.at))
                    .unwrap_or_default()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
