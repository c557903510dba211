//! `datagate redteam inject|score`: poison a copy of a dataset on purpose, with a ground
//! truth, and score an audit's findings against it (the seed's "trigger injection tests"
//! for the data pipeline).
//!
//! ```text
//! datagate redteam inject train.csv --label label --text review \
//!     --attack label-flip:rate=0.05 --attack text-trigger:rate=0.01,token=cf_zq,target=1 \
//!     --seed 7 -o poisoned.csv --truth truth.json
//! datagate audit poisoned.csv --label label --text review --format json > audit.json
//! datagate redteam score --truth truth.json --report audit.json
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use datagate_redteam::{
    inject, read_report, render_text, score, write_truth, AttackSpec, GroundTruth, InjectOptions,
};

use crate::data::DataArgs;

/// Red-team helpers for the data pipeline.
#[derive(clap::Subcommand)]
pub enum Command {
    /// Write a poisoned copy of a dataset and a ground-truth JSON of the rows poisoned.
    ///
    /// Attacks (repeat --attack; applied in order; each row is poisoned at most once):
    ///   label-flip:rate=R[,from=A][,to=B]          random or class-conditional flips
    ///   text-trigger:rate=R,token=T,target=L       rare token inserted, label forced to L
    ///   tabular-trigger:rate=R,set=COL=V,...,target=L   fixed cell pattern, label forced
    ///   feature-shift:class=L,rate=R,column=C,shift=S,scale=K   shifted features in a class
    ///   duplicates:mode=exact|near|conflict,rate=R[,edits=0.1]   copies after their originals
    /// `count=N` instead of `rate=R` gives an exact number of rows.
    #[command(verbatim_doc_comment)]
    Inject(InjectArgs),
    /// Score an audit report (datagate audit --format json) against a ground truth.
    Score(ScoreArgs),
}

/// `redteam inject`.
#[derive(clap::Args)]
pub struct InjectArgs {
    /// The clean dataset.
    pub data: PathBuf,
    /// The label column.
    #[arg(long)]
    pub label: String,
    /// The text column (needed by text-trigger and text near-duplicates).
    #[arg(long)]
    pub text: Option<String>,
    /// An attack, `kind:key=value,...` (repeatable).
    #[arg(long = "attack", value_name = "SPEC", required = true)]
    pub attacks: Vec<String>,
    /// Seed of the random choices (the same seed gives the same file).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// The poisoned copy (.csv, .tsv, .parquet, .jsonl; .gz for text formats).
    #[arg(short, long)]
    pub output: PathBuf,
    /// Where to write the ground truth (default: OUTPUT with `.truth.json`).
    #[arg(long)]
    pub truth: Option<PathBuf>,
    #[command(flatten)]
    pub data_args: DataArgs,
}

/// Output format of `redteam score`.
#[derive(clap::ValueEnum, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// An aligned table.
    Text,
    /// The scores as JSON.
    Json,
}

/// `redteam score`.
#[derive(clap::Args)]
pub struct ScoreArgs {
    /// The ground truth written by `redteam inject`.
    #[arg(long)]
    pub truth: PathBuf,
    /// The audit report (`datagate audit --format json`).
    #[arg(long)]
    pub report: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Runs a `redteam` subcommand.
pub fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Inject(args) => run_inject(args),
        Command::Score(args) => run_score(args),
    }
}

fn run_inject(args: InjectArgs) -> anyhow::Result<ExitCode> {
    let attacks = args
        .attacks
        .iter()
        .map(|a| AttackSpec::parse(a))
        .collect::<Result<Vec<_>, _>>()?;
    let options = InjectOptions {
        label: args.label,
        text: args.text,
        seed: args.seed,
        attacks,
        read: args.data_args.read_options()?,
    };
    let truth_path = args.truth.unwrap_or_else(|| {
        let mut name = args
            .output
            .file_name()
            .map(|n| n.to_os_string())
            .unwrap_or_default();
        name.push(".truth.json");
        args.output.with_file_name(name)
    });
    let truth = inject(&args.data, &args.output, &options)
        .with_context(|| format!("cannot poison {}", args.data.display()))?;
    write_truth(&truth, &truth_path)?;
    for a in &truth.attacks {
        eprintln!("{:<16} {:>6} rows  {}", a.kind, a.rows.len(), a.params);
    }
    eprintln!(
        "wrote {} ({} rows) and {}",
        args.output.display(),
        truth.rows,
        truth_path.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn run_score(args: ScoreArgs) -> anyhow::Result<ExitCode> {
    let truth = GroundTruth::read(&args.truth)?;
    let report = read_report(&args.report)?;
    let scores = score(&truth, &report);
    match args.format {
        Format::Text => print!("{}", render_text(&scores)),
        Format::Json => println!("{}", serde_json::to_string_pretty(&scores)?),
    }
    Ok(ExitCode::SUCCESS)
}
