//! `datagate rollback DATASET --to VERSION`.

use std::process::ExitCode;

use datagate_gate::store;

/// Make an earlier promoted version of DATASET current again.
#[derive(clap::Args)]
pub struct Args {
    /// The dataset.
    pub dataset: String,
    /// The version to make current.
    #[arg(long)]
    pub to: String,
}

/// Runs `datagate rollback`.
pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let mut gate = super::open()?;
    let (from, to) = store::rollback(&mut gate, &a.dataset, &a.to)?;
    println!(
        "{}: current version {} -> {to}",
        a.dataset,
        from.as_deref().unwrap_or("(none)")
    );
    Ok(ExitCode::SUCCESS)
}
