//! `datagate promote ID --as DATASET/VERSION`.

use std::process::ExitCode;

use datagate_gate::workflow;

use super::short;

/// Move an approved drop into the trusted store as DATASET/VERSION, after re-hashing it and
/// verifying k approval signatures.
#[derive(clap::Args)]
pub struct Args {
    /// Drop id (or a unique prefix).
    pub id: String,
    /// The version to create, e.g. train/v7 (immutable once promoted).
    #[arg(long = "as", value_name = "DATASET/VERSION")]
    pub target: String,
}

/// Runs `datagate promote`.
pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    super::exit_on_tamper(run_inner(a))
}

fn run_inner(a: Args) -> anyhow::Result<ExitCode> {
    let mut gate = super::open()?;
    let id = workflow::resolve(&gate, &a.id)?;
    let p = workflow::promote(&mut gate, &id, &a.target)?;
    println!(
        "promoted {id} as {}/{} (sha256 {}), approved by {} key(s): {}",
        p.dataset,
        p.version,
        p.sha256,
        p.approvers.len(),
        p.approvers
            .iter()
            .map(|k| short(k))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if let Some(prev) = &p.previous {
        println!(
            "  previous current version: {}/{prev} (rollback: datagate rollback {} --to {prev})",
            p.dataset, p.dataset
        );
    }
    Ok(ExitCode::SUCCESS)
}
