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
use std::process::ExitCode;

use datagate_gate::{Gate, GateError};
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

/// An integrity failure (a file, report or stored object that no longer has its digest, a
/// signature that does not verify) is a failed check: exit 1, like any other failed check.
/// Other errors keep the CLI's usage/input exit code 2.
pub fn exit_on_tamper(r: anyhow::Result<ExitCode>) -> anyhow::Result<ExitCode> {
    match r {
        Err(e) if matches!(e.downcast_ref::<GateError>(), Some(GateError::Tampered(_))) => {
            eprintln!("error: {e}");
            Ok(ExitCode::from(1))
        }
        r => r,
    }
}

/// The first 16 hex digits of a key id or digest, for display.
pub fn short(s: &str) -> &str {
    s.get(..16).unwrap_or(s)
}
