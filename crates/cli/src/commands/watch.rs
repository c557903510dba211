//! `datagate watch DIR...`: record every change under some folders into the ledger.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use datagate_ledger::watch::{watch, WatchOptions};
use datagate_ledger::{default_actor, Ledger};
use datagate_project::Project;

use super::log::Format;

/// Watch folders and record each create, modify, delete and rename (with the
/// file's new SHA-256) into the project's ledger, as it happens.
#[derive(clap::Args)]
pub struct Args {
    /// Folders to watch (recursively).
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    /// Quiet time in milliseconds that ends a burst of events.
    #[arg(long, default_value_t = 500)]
    pub debounce_ms: u64,
    /// Record read access too, where the OS reports it.
    #[arg(long)]
    pub access: bool,
    /// The actor to record (default: $USER@host).
    #[arg(long)]
    pub actor: Option<String>,
    /// Stop after recording N events.
    #[arg(long)]
    pub max_events: Option<u64>,
    /// Stop after this many seconds.
    #[arg(long)]
    pub duration: Option<f64>,
    /// Output format of the per-event lines.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Run `datagate watch`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let project = Project::discover_from_cwd()?;
    let mut ledger = Ledger::open(&project)?;
    let mut paths = Vec::new();
    for d in &args.dirs {
        let abs = d
            .canonicalize()
            .with_context(|| format!("cannot watch {}", d.display()))?;
        paths.push(abs);
    }
    let root = project
        .root()
        .canonicalize()
        .unwrap_or_else(|_| project.root().to_path_buf());
    let state = project
        .state_dir()
        .canonicalize()
        .unwrap_or_else(|_| project.state_dir());
    let opts = WatchOptions {
        paths,
        debounce: Duration::from_millis(args.debounce_ms.max(10)),
        actor: args.actor.clone().unwrap_or_else(default_actor),
        root,
        ignore: vec![state],
        access: args.access,
        max_events: args.max_events,
        duration: args
            .duration
            .filter(|d| d.is_finite() && *d >= 0.0)
            .map(Duration::from_secs_f64),
    };
    let format = args.format;
    let (count, origin) = (opts.paths.len(), ledger.origin().to_string());
    let mut ready = || eprintln!("watching {count} folder(s) into {origin} (Ctrl-C to stop)");
    let n = watch(&mut ledger, &opts, &mut ready, &mut |recs| {
        for r in recs {
            match format {
                Format::Text => println!(
                    "{:>6}  {:<12} {}{}",
                    r.seq,
                    r.action,
                    r.name,
                    r.sha256
                        .as_deref()
                        .map(|h| format!("  sha256:{}", &h[..16.min(h.len())]))
                        .unwrap_or_default()
                ),
                Format::Json => {
                    if let Ok(s) = serde_json::to_string(r) {
                        println!("{s}");
                    }
                }
            }
        }
    })?;
    if args.format == Format::Text {
        eprintln!("recorded {n} event(s)");
    }
    Ok(ExitCode::SUCCESS)
}
