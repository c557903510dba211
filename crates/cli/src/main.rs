//! The `datagate` command line: thin glue over the library crates.
//!
//! Each subcommand lives in its own module under `commands/`, with its argument
//! struct (clap derive) and one `run` function returning an [`ExitCode`].
//! Adding a subcommand means adding one module and one line in [`Command`] and
//! in [`main`]'s dispatch.
//!
//! Exit codes follow the mission's convention: 0 all good, 1 the data or artifact
//! failed a check, 2 usage or unreadable input, 3 internal error (a panic).

mod commands;
mod data;
mod output;
mod record;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// datagate guards the data behind machine-learning models.
#[derive(Parser)]
#[command(name = "datagate", version, about, long_about = None, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate a bundled sample dataset against a bundled suite and write reports.
    Demo(commands::demo::Args),
    /// Validate a dataset against a data contract (Great Expectations suite or native suite).
    Validate(commands::validate::Args),
    /// Work with expectation suites (suggest one from a trusted reference dataset).
    #[command(subcommand)]
    Suite(commands::suite::Command),
    /// Print a dataset's detected format and schema.
    Schema(commands::schema::Args),
    /// Print SHA-256 / BLAKE3 fingerprints of files and folders (sha256sum/b3sum compatible).
    Hash(commands::hash::Args),
    /// Create and verify manifests of folders.
    #[command(subcommand)]
    Manifest(commands::manifest::Command),
    /// Generate a signing key pair (Ed25519 by default).
    Keygen(commands::keygen::Args),
    /// Sign a file: a DSSE envelope carrying an in-toto statement.
    Sign(commands::sign::Args),
    /// Verify a DSSE envelope (and the file it names).
    Verify(commands::verify::Args),
    /// Model artifacts: scan for malicious payloads, sign and verify (OpenSSF model signing).
    #[command(subcommand)]
    Model(commands::model::Command),
    /// Profile a dataset (mergeable column statistics and sketches), or merge profiles.
    Profile(commands::profile::Args),
    /// Detect drift between a reference (data or profile) and current data, Evidently-compatible.
    Drift(commands::drift::Args),
    /// Poisoning and label audit: duplicates, flipped labels, backdoor triggers, outliers, shift.
    Audit(commands::audit::Args),
    /// Red-team the data pipeline: inject known poisoning with a ground truth, score an audit.
    #[command(subcommand)]
    Redteam(commands::redteam::Command),
    /// Personal data and secrets: scan, scrub (redact/mask/hash/pseudonymise/tokenise), check-k, reveal, keygen.
    #[command(subcommand)]
    Pii(commands::pii::Command),
    /// Make this folder a datagate project (datagate.toml, .datagate/, the ledger and its key).
    Init(commands::init::Args),
    /// The tamper-evident ledger: show, verify, head, prove, consistency, check-proof, export, activity.
    #[command(subcommand)]
    Log(commands::log::Command),
    /// Watch folders and record every change (with its new SHA-256) into the ledger.
    Watch(commands::watch::Args),
    /// Integrity baselines of folders: baseline, check (cron-friendly, exit 1 on change), list.
    #[command(subcommand)]
    Integrity(commands::integrity::Command),
    /// The gate: declare a data source with its trust tier and signing keys.
    #[command(subcommand)]
    Source(commands::gate::source::Command),
    /// The gate: fingerprint a file from a source, verify its signature, quarantine it.
    Ingest(commands::gate::ingest::Args),
    /// The gate: run every check a drop's tier requires and write the review report.
    Review(commands::gate::review::Args),
    /// The gate: stratified rows for a human label audit; import the verdicts back.
    Sample(commands::gate::sample::Args),
    /// The gate: sign an approval of a reviewed drop (k-of-n approvers).
    Approve(commands::gate::approve::Args),
    /// The gate: reject a drop.
    Reject(commands::gate::approve::RejectArgs),
    /// The gate: move an approved drop into the trusted store as DATASET/VERSION.
    Promote(commands::gate::promote::Args),
    /// The gate: make an earlier version of a dataset current again.
    Rollback(commands::gate::rollback::Args),
    /// The gate: drops in quarantine, awaiting approval, promoted; datasets in the store.
    Status(commands::gate::status::Args),
    /// The gate's policy: check it, or explain what a source's drops go through.
    #[command(subcommand)]
    Policy(commands::gate::policy::Command),
    /// The trusted store: gc (retention), export with signed provenance, list.
    #[command(subcommand)]
    Store(commands::gate::store::Command),
    /// Lineage from the ledger: what fed a dataset version or model, what used a drop or source;
    /// OpenLineage and in-toto export; `lineage link` registers a trained model.
    Lineage(commands::lineage::Args),
}

fn main() -> ExitCode {
    install_panic_exit_code();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let code = if err.use_stderr() { 2 } else { 0 };
            let _ = err.print();
            return ExitCode::from(code);
        }
    };
    let result = match cli.command {
        Command::Demo(args) => commands::demo::run(args),
        Command::Validate(args) => commands::validate::run(args),
        Command::Suite(cmd) => commands::suite::run(cmd),
        Command::Schema(args) => commands::schema::run(args),
        Command::Hash(args) => commands::hash::run(args),
        Command::Manifest(cmd) => commands::manifest::run(cmd),
        Command::Keygen(args) => commands::keygen::run(args),
        Command::Sign(args) => commands::sign::run(args),
        Command::Verify(args) => commands::verify::run(args),
        Command::Model(cmd) => commands::model::run(cmd),
        Command::Profile(args) => commands::profile::run(args),
        Command::Drift(args) => commands::drift::run(args),
        Command::Audit(args) => commands::audit::run(args),
        Command::Redteam(cmd) => commands::redteam::run(cmd),
        Command::Pii(cmd) => commands::pii::run(cmd),
        Command::Init(args) => commands::init::run(args),
        Command::Log(cmd) => commands::log::run(cmd),
        Command::Watch(args) => commands::watch::run(args),
        Command::Integrity(cmd) => commands::integrity::run(cmd),
        Command::Source(cmd) => commands::gate::source::run(cmd),
        Command::Ingest(args) => commands::gate::ingest::run(args),
        Command::Review(args) => commands::gate::review::run(args),
        Command::Sample(args) => commands::gate::sample::run(args),
        Command::Approve(args) => commands::gate::approve::run(args),
        Command::Reject(args) => commands::gate::approve::run_reject(args),
        Command::Promote(args) => commands::gate::promote::run(args),
        Command::Rollback(args) => commands::gate::rollback::run(args),
        Command::Status(args) => commands::gate::status::run(args),
        Command::Policy(cmd) => commands::gate::policy::run(cmd),
        Command::Store(cmd) => commands::gate::store::run(cmd),
        Command::Lineage(args) => commands::lineage::run(args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {}", output::error_chain(&err));
            ExitCode::from(2)
        }
    }
}

/// A panic is a bug in datagate, never the user's fault: report it and exit 3.
fn install_panic_exit_code() {
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        default_hook(info);
        eprintln!("datagate hit an internal error (a bug); please report it with the command that caused it");
        std::process::exit(3);
    }));
}
