//! `datagate approve ID --key KEY` and `datagate reject ID --reason ...`.

use std::path::PathBuf;
use std::process::ExitCode;

use datagate_gate::{approve, workflow};

use super::short;

/// Sign an approval of a reviewed drop (DSSE over its digest and its review report's
/// digest). The key must be one of the tier's approvers; k distinct approvers are needed.
/// An approver elsewhere signs with --detach -o FILE; the gate records it with --envelope FILE.
#[derive(clap::Args)]
pub struct Args {
    /// Drop id (or a unique prefix).
    pub id: String,
    /// The approver's private key (from `datagate keygen`).
    #[arg(
        long,
        required_unless_present = "envelope",
        conflicts_with = "envelope"
    )]
    pub key: Option<PathBuf>,
    /// Record an approval envelope signed elsewhere (with --detach).
    #[arg(long, value_name = "FILE")]
    pub envelope: Option<PathBuf>,
    /// Only sign: write the envelope to -o FILE and record nothing.
    #[arg(long, requires = "output", requires = "key")]
    pub detach: bool,
    /// Where --detach writes the envelope.
    #[arg(short, long, requires = "detach")]
    pub output: Option<PathBuf>,
}

/// Reject a drop (any time before promotion).
#[derive(clap::Args)]
pub struct RejectArgs {
    /// Drop id (or a unique prefix).
    pub id: String,
    /// Why (recorded in the ledger).
    #[arg(long)]
    pub reason: String,
}

/// Runs `datagate approve`.
pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    super::exit_on_tamper(run_inner(a))
}

fn run_inner(a: Args) -> anyhow::Result<ExitCode> {
    let mut gate = super::open()?;
    let id = workflow::resolve(&gate, &a.id)?;
    if a.detach {
        let (Some(key), Some(out)) = (&a.key, &a.output) else {
            anyhow::bail!("--detach needs --key KEY and -o FILE");
        };
        let env = approve::sign_detached(&gate, &id, key)?;
        crate::output::write_atomic(out, &serde_json::to_vec_pretty(&env)?)?;
        println!(
            "wrote an approval of {id} to {} (not recorded here); the gate records it with: datagate approve {id} --envelope FILE",
            out.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let signature = match (&a.key, &a.envelope) {
        (_, Some(env)) => approve::Signature::Envelope(env),
        (Some(key), None) => approve::Signature::Key(key),
        (None, None) => anyhow::bail!("give --key KEY or --envelope FILE"),
    };
    let r = approve::approve(&mut gate, &id, signature)?;
    println!(
        "{id} approved by {} (key {}): {} of {} signature(s); now {}",
        r.approver,
        short(&r.key_id),
        r.count,
        r.k,
        r.state
    );
    if r.count >= r.k {
        println!("  next: datagate promote {id} --as DATASET/VERSION");
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs `datagate reject`.
pub fn run_reject(a: RejectArgs) -> anyhow::Result<ExitCode> {
    let mut gate = super::open()?;
    let id = workflow::resolve(&gate, &a.id)?;
    workflow::reject(&mut gate, &id, &a.reason)?;
    println!("{id} rejected: {}", a.reason);
    Ok(ExitCode::SUCCESS)
}
