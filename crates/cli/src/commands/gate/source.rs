//! `datagate source add|list`: declare where data comes from and how far it is trusted.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use datagate_gate::policy::{self, Policy};
use datagate_ledger::{Ledger, Subject};
use datagate_project::Project;

use super::short;

/// Manage sources in `datagate.toml`.
#[derive(clap::Subcommand)]
pub enum Command {
    /// Add a source: `[sources.NAME]` with its tier and signing keys.
    Add(AddArgs),
    /// List sources with tier and risk score.
    List,
}

/// `datagate source add`.
#[derive(clap::Args)]
pub struct AddArgs {
    /// The source's name (letters, digits, '.', '_', '-').
    pub name: String,
    /// Trust tier: trusted, internal, third-party, untrusted, web-scraped (or a [tiers.X]).
    #[arg(long)]
    pub tier: String,
    /// Public key whose DSSE signature every drop must carry (repeatable).
    #[arg(long = "pub", value_name = "KEY.pub")]
    pub keys: Vec<PathBuf>,
    /// How often it delivers: static, yearly, quarterly, monthly, weekly, daily, continuous.
    #[arg(long)]
    pub update: Option<String>,
    /// The trusted dataset it feeds (drift compares with its current version).
    #[arg(long)]
    pub dataset: Option<String>,
    /// Licence of its data (SPDX id or text).
    #[arg(long)]
    pub licence: Option<String>,
}

/// Runs `datagate source ...`.
pub fn run(cmd: Command) -> anyhow::Result<ExitCode> {
    match cmd {
        Command::Add(a) => add(a),
        Command::List => list(),
    }
}

fn add(a: AddArgs) -> anyhow::Result<ExitCode> {
    let project = Project::discover_from_cwd()?;
    let root = project
        .root()
        .canonicalize()
        .unwrap_or_else(|_| project.root().to_path_buf());
    let mut keys = Vec::new();
    for k in &a.keys {
        let abs = k
            .canonicalize()
            .with_context(|| format!("--pub {}: cannot read the key file", k.display()))?;
        let shown = abs
            .strip_prefix(&root)
            .map(|p| p.display().to_string())
            .unwrap_or_else(|_| abs.display().to_string());
        keys.push(shown);
    }
    let policy = policy::add_source(
        &project,
        &a.name,
        &a.tier,
        &keys,
        a.update.as_deref(),
        a.dataset.as_deref(),
        a.licence.as_deref(),
    )?;
    let src = policy.source(&a.name)?;
    let key_ids: Vec<String> = src.keys.iter().map(|k| k.key_id.clone()).collect();
    let mut ledger = Ledger::open(&project)?;
    ledger.append(
        datagate_ledger::Event::new(
            datagate_ledger::default_actor(),
            "gate.source_add",
            Subject::named(a.name.clone()),
        )
        .with_details(serde_json::json!({
            "tier": a.tier,
            "keys": key_ids,
            "update": a.update,
            "dataset": a.dataset,
        })),
    )?;
    println!(
        "added source {} (tier {}) to {}",
        a.name,
        a.tier,
        project.config_path().display()
    );
    for k in &src.keys {
        println!("  signing key {}  {}", short(&k.key_id), k.path.display());
    }
    if src.keys.is_empty() {
        println!("  unsigned: drops are accepted without a source signature");
    }
    println!(
        "  see what its drops go through: datagate policy explain {}",
        a.name
    );
    Ok(ExitCode::SUCCESS)
}

fn list() -> anyhow::Result<ExitCode> {
    let gate = super::open()?;
    let policy: &Policy = &gate.policy;
    if policy.sources.is_empty() {
        println!("no sources yet: datagate source add NAME --tier TIER");
        return Ok(ExitCode::SUCCESS);
    }
    let history = datagate_gate::risk::History::from_ledger(&gate.ledger)?;
    println!(
        "{:<20} {:<12} {:>5} {:<9} signed",
        "source", "tier", "risk", "level"
    );
    for s in policy.sources.values() {
        let tier = policy.tier(&s.tier)?;
        let r = datagate_gate::risk::score(s, tier, &history);
        println!(
            "{:<20} {:<12} {:>5} {:<9} {}",
            s.name,
            s.tier,
            r.score,
            r.level,
            if s.keys.is_empty() { "no" } else { "yes" }
        );
    }
    Ok(ExitCode::SUCCESS)
}
