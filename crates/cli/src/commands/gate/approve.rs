//! `datagate approve ID --key KEY` and `datagate reject ID --reason ...`.

use std::path::PathBuf;
use std::process::ExitCode;

use datagate_gate::{approve, workflow};

use super::short;

/// Sign an approval of a reviewed drop (DSSE over its digest and its review report's
/// digest). The key must be one of the tier's approvers; k distinct approvers are needed.
#[derive(clap::Args)]
pub struct Args {
    /// Drop id (or a unique prefix).
    pub id: String,
    /// The approver's private key (from `datagate keygen`).
    #[arg(long)]
    pub key: PathBuf,
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
    let mut gate = super::open()?;
    let id = workflow::resolve(&gate, &a.id)?;
    let r = approve::approve(&mut gate, &id, &a.key)?;
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
