//! `datagate status`: what is in quarantine, awaiting approval, promoted.

use std::process::ExitCode;

use datagate_gate::workflow;

use super::Format;

/// Show every drop (state, approvals, next step) and every dataset in the trusted store.
#[derive(clap::Args)]
pub struct Args {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Runs `datagate status`.
pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let gate = super::open()?;
    let s = workflow::status(&gate)?;
    if a.format == Format::Json {
        println!("{}", serde_json::to_string_pretty(&s)?);
        return Ok(ExitCode::SUCCESS);
    }
    if s.drops.is_empty() {
        println!("no drops (datagate ingest SOURCE FILE)");
    } else {
        println!(
            "{:<16} {:<14} {:<12} {:<22} {:>4} {:<6} next",
            "drop", "source", "tier", "state", "risk", "appr."
        );
        for d in &s.drops {
            println!(
                "{:<16} {:<14} {:<12} {:<22} {:>4} {:<6} {}",
                d.id, d.source, d.tier, d.state, d.risk, d.approvals, d.next
            );
        }
    }
    if !s.datasets.is_empty() {
        println!();
        println!("{:<20} {:<10} versions", "dataset", "current");
        for d in &s.datasets {
            println!(
                "{:<20} {:<10} {}",
                d.dataset,
                d.current.as_deref().unwrap_or("-"),
                d.versions.join(", ")
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
