//! The gate's subcommands: `source`, `ingest`, `review`, `sample`, `approve`, `reject`,
//! `promote`, `rollback`, `status`, `policy` and `store`. Each is thin glue over
//! `datagate-gate`; the policy lives in `datagate.toml`, state in `.datagate/`.

pub mod approve;
pub mod ingest;
pub mod policy;
pub mod promote;
pub mod review;
pub mod rollback;
pub mod sample;
pub mod source;
pub mod status;
pub mod store;

use anyhow::Context as _;
use datagate_gate::Gate;
use datagate_project::Project;

/// Opens the gate of the project containing the current folder.
pub fn open() -> anyhow::Result<Gate> {
    let project = Project::discover_from_cwd()?;
    Gate::open(project).context("cannot open the gate")
}

/// Output format of gate commands.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Format {
    /// Human-readable text.
    #[default]
    Text,
    /// JSON.
    Json,
}

/// The first 16 hex digits of a key id or digest, for display.
pub fn short(s: &str) -> &str {
    s.get(..16).unwrap_or(s)
}
