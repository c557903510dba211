//! `datagate model ...`: model artifact commands. One variant per subcommand, one module each;
//! add a variant and a dispatch arm to extend (e.g. `sign`, `verify`).

use std::process::ExitCode;

use clap::Subcommand;

pub mod rules;
pub mod scan;
pub mod sign;
pub mod verify;

/// Model artifact commands.
#[derive(Subcommand)]
pub enum Command {
    /// Scan model files and directories for malicious payloads (nothing is ever loaded).
    Scan(scan::Args),
    /// Print the scanner's rules and their documentation.
    Rules(rules::Args),
    /// Sign a model folder in the OpenSSF model-signing format (model.sig, OMS v1.0).
    Sign(sign::Args),
    /// Verify a model folder against an OpenSSF model-signing signature.
    Verify(verify::Args),
}

/// Run a `datagate model` subcommand.
pub fn run(cmd: Command) -> anyhow::Result<ExitCode> {
    match cmd {
        Command::Scan(args) => scan::run(args),
        Command::Rules(args) => rules::run(args),
        Command::Sign(args) => sign::run(args),
        Command::Verify(args) => verify::run(args),
    }
}
