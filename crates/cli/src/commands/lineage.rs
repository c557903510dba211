//! `datagate lineage NAME` and `datagate lineage link MODEL --trained-on DATASET/VERSION`:
//! walk the lineage recorded in the project's ledger, export it (OpenLineage, in-toto/SLSA),
//! and register trained models. The logic lives in `datagate-lineage`.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use datagate_ledger::Ledger;
use datagate_lineage::link::{self, LinkRequest};
use datagate_lineage::{intoto, openlineage, render, Direction, Graph, NodeKind};
use datagate_project::Project;

/// Output format of a lineage query.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For people: what is upstream and downstream, and the ledger events behind it.
    Text,
    /// Nodes and edges with every digest and attribute.
    Json,
    /// OpenLineage run events, one JSON object per line (POST each to Marquez's /api/v1/lineage).
    Openlineage,
    /// An in-toto Statement v1 with a SLSA Provenance v1 predicate (a dataset version or model).
    Intoto,
}

/// Walk the lineage of a dataset version, model, drop or source (both ways by default).
#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    /// `link`: register a trained model.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// What to trace: DATASET/VERSION, a model name, a drop id, a source name, a dataset name
    /// or a sha256. Without it: a summary (text/json) or every event (openlineage).
    pub name: Option<String>,
    /// Only what fed NAME (sources, drops, reviews, approvals, versions).
    #[arg(long, conflicts_with = "downstream")]
    pub upstream: bool,
    /// Only what used NAME (drops, versions, models).
    #[arg(long)]
    pub downstream: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// OpenLineage namespace of jobs and datasets (default: datagate://PROJECT-NAME).
    #[arg(long)]
    pub namespace: Option<String>,
    /// Write to this file (atomically) instead of stdout.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

/// `lineage` subcommands.
#[derive(clap::Subcommand)]
pub enum Command {
    /// Register a trained model: scan it, fingerprint it, check the versions, record `lineage.link`.
    Link(LinkArgs),
}

/// `lineage link`.
#[derive(clap::Args)]
pub struct LinkArgs {
    /// The model: a folder or one file.
    pub model: PathBuf,
    /// A promoted dataset version the model was trained on (repeat for several).
    #[arg(long = "trained-on", value_name = "DATASET/VERSION", required = true)]
    pub trained_on: Vec<String>,
    /// The model's name in the ledger (default: the folder's or file's name).
    #[arg(long)]
    pub name: Option<String>,
    /// Record the link even if the scan verdict is not safe (the verdict is recorded too).
    #[arg(long)]
    pub allow_unsafe: bool,
    /// Who registers it (default: user@host).
    #[arg(long)]
    pub actor: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = LinkFormat::Text)]
    pub format: LinkFormat,
}

/// Output format of `lineage link`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LinkFormat {
    /// For people.
    Text,
    /// For machines.
    Json,
}

/// Runs `datagate lineage`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let project = Project::discover_from_cwd()?;
    let ledger = Ledger::open(&project)?;
    if let Some(Command::Link(a)) = args.command {
        return run_link(ledger, a);
    }
    let graph = Graph::load(&ledger).context("cannot read the ledger")?;
    let ns = args
        .namespace
        .clone()
        .unwrap_or_else(|| openlineage::namespace(&project.name()));
    let direction = match (args.upstream, args.downstream) {
        (true, _) => Direction::Upstream,
        (_, true) => Direction::Downstream,
        _ => Direction::Both,
    };
    if args.format == Format::Openlineage {
        // Streamed: one event in memory at a time, whatever the size of the ledger.
        let seqs: Vec<u64> = match &args.name {
            None => openlineage::all_seqs(&graph).collect(),
            Some(name) => {
                let lin = graph.walk(&graph.resolve(name)?, direction);
                lin.seqs(&graph).into_iter().collect()
            }
        };
        match &args.output {
            Some(p) => {
                let mut buf = Vec::new();
                openlineage::write_json_lines(&graph, &ns, seqs, &mut buf)?;
                crate::output::write_atomic(p, &buf)?;
            }
            None => {
                let mut w = std::io::BufWriter::new(std::io::stdout().lock());
                openlineage::write_json_lines(&graph, &ns, seqs, &mut w)?;
                w.flush()?;
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    let body = match (&args.name, args.format) {
        (None, Format::Json) => serde_json::to_string_pretty(&summary_json(&graph))? + "\n",
        (None, Format::Text) => summary_text(&graph),
        (None, _) => {
            anyhow::bail!("--format intoto needs a NAME: a dataset version (train/v7) or a model")
        }
        (Some(name), Format::Intoto) => {
            let st = intoto::provenance_of(&graph, name)?;
            serde_json::to_string_pretty(&st)? + "\n"
        }
        (Some(name), format) => {
            let lin = graph.walk(&graph.resolve(name)?, direction);
            if format == Format::Json {
                serde_json::to_string_pretty(&render::json(&graph, name, &lin))? + "\n"
            } else {
                render::text(&graph, &lin)
            }
        }
    };
    match &args.output {
        Some(p) => crate::output::write_atomic(p, body.as_bytes())?,
        None => std::io::stdout().lock().write_all(body.as_bytes())?,
    }
    Ok(ExitCode::SUCCESS)
}

fn count(g: &Graph, k: NodeKind) -> usize {
    g.nodes().iter().filter(|n| n.kind == k).count()
}

fn summary_text(g: &Graph) -> String {
    let mut out = format!(
        "{} sources, {} drops, {} dataset versions, {} models in {} ledger entries\n",
        count(g, NodeKind::Source),
        count(g, NodeKind::Drop),
        count(g, NodeKind::Version),
        count(g, NodeKind::Model),
        g.ledger_size()
    );
    for (name, st) in g.datasets() {
        let versions: Vec<&str> = g
            .nodes()
            .iter()
            .filter(|n| n.kind == NodeKind::Version && n.attr_str("dataset") == Some(name.as_str()))
            .filter_map(|n| n.attr_str("version"))
            .collect();
        out.push_str(&format!(
            "  dataset {name}: current {}, versions {}\n",
            st.current.as_deref().unwrap_or("none"),
            versions.join(", ")
        ));
    }
    for n in g.nodes().iter().filter(|n| n.kind == NodeKind::Model) {
        out.push_str(&format!(
            "  model   {}  {}\n",
            n.name,
            render::node_summary(g, n)
        ));
    }
    out.push_str(
        "trace one with `datagate lineage NAME` (a dataset version, model, drop or source)\n",
    );
    out
}

fn summary_json(g: &Graph) -> serde_json::Value {
    serde_json::json!({
        "ledger": {"origin": g.origin(), "size": g.ledger_size()},
        "datasets": g.datasets(),
        "nodes": g.nodes().iter().map(render::node_json).collect::<Vec<_>>(),
    })
}

fn run_link(mut ledger: Ledger, a: LinkArgs) -> anyhow::Result<ExitCode> {
    let req = LinkRequest {
        model: a.model.clone(),
        name: a.name.clone(),
        trained_on: a.trained_on.clone(),
        allow_unsafe: a.allow_unsafe,
        actor: a
            .actor
            .clone()
            .unwrap_or_else(datagate_ledger::default_actor),
    };
    let out = match link::link(&mut ledger, &req) {
        Ok(o) => o,
        Err(datagate_lineage::Error::UnsafeModel(msg)) => {
            eprintln!("datagate: {msg}");
            return Ok(ExitCode::from(1));
        }
        Err(e) => return Err(e.into()),
    };
    let fp = &out.fingerprint;
    match a.format {
        LinkFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "seq": out.receipt.seq,
                "model": fp.name,
                "sha256": fp.root_sha256,
                "manifest_sha256": fp.manifest_sha256,
                "trained_on": out.event.details["trained_on"],
                "model_scan": out.scan.verdict,
                "files": fp.files.len(),
            }))?
        ),
        LinkFormat::Text => {
            println!(
                "linked model {} (sha256:{}) trained on {}: ledger entry {}",
                fp.name,
                fp.root_sha256,
                req.trained_on.join(", "),
                out.receipt.seq
            );
            println!(
                "  scan        {} ({} model files scanned)",
                out.scan.verdict,
                out.scan.reports.len()
            );
            println!(
                "  fingerprint {} files, manifest sha256:{}",
                fp.files.len(),
                fp.manifest_sha256
            );
            if out.scan.verdict != "safe" {
                eprintln!(
                    "datagate: warning: linked with --allow-unsafe; the scan verdict {} is recorded",
                    out.scan.verdict
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
