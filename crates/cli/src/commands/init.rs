//! `datagate init`: make the current (or given) folder a datagate project.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use datagate_ledger::{default_actor, Event, Ledger, Subject};
use datagate_project::{Project, ProjectError};

/// Create `datagate.toml` (with a commented default gate policy), the `.datagate/` layout (ledger, keys, objects,
/// baselines, reports) and the ledger's signing key.
#[derive(clap::Args)]
pub struct Args {
    /// The project folder (default: the current folder).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// The project's name (default: the folder's name).
    #[arg(long)]
    pub name: Option<String>,
}

/// Run `datagate init`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let (project, fresh) = match Project::init(&args.dir, args.name.as_deref()) {
        Ok(p) => (p, true),
        // An existing project: complete whatever part of the layout is missing.
        Err(ProjectError::AlreadyInitialised { .. }) => (Project::open(&args.dir)?, false),
        Err(e) => return Err(e).context("cannot initialise the project"),
    };
    if fresh {
        // The gate's policy lives in the same file: append the commented default.
        let path = project.config_path();
        let mut text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        text.push_str(datagate_gate::policy::TEMPLATE);
        datagate_project::write_atomic(&path, text.as_bytes())?;
    }
    let had_key = project
        .keys_dir()
        .join(datagate_ledger::keys::PRIVATE_KEY_FILE)
        .exists();
    let mut ledger = Ledger::init(&project).context("cannot create the ledger")?;
    if !had_key {
        ledger.append(
            Event::new(
                default_actor(),
                "project.init",
                Subject::named(project.name()),
            )
            .with_details(serde_json::json!({ "origin": ledger.origin() })),
        )?;
    }
    let root_path = project
        .root()
        .canonicalize()
        .unwrap_or_else(|_| project.root().to_path_buf());
    let root = root_path.display();
    if fresh {
        println!(
            "initialised datagate project {:?} in {root}",
            project.name()
        );
    } else if !had_key {
        println!("{root} was already a datagate project; created the missing ledger and key");
    } else {
        println!("{root} is already a datagate project; nothing to do");
    }
    println!("  config   {}", project.config_path().display());
    println!(
        "  ledger   {}  (log {})",
        project.ledger_db().display(),
        ledger.origin()
    );
    println!(
        "  log key  {}",
        project.keys_dir().join("ledger.key").display()
    );
    println!(
        "  verifier {}  (keep a copy elsewhere)",
        project.keys_dir().join("ledger.vkey").display()
    );
    Ok(ExitCode::SUCCESS)
}
