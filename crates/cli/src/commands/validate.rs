//! `datagate validate`: check a dataset against a data contract.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use datagate_expect::{render, validate, Suite, ValidateOptions, ValidationResult};

use crate::data::DataArgs;
use crate::output::{use_color, write_atomic, Progress};

/// Output formats of `validate`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// A compact table for terminals.
    Text,
    /// Great Expectations' validation-result JSON.
    Json,
    /// JUnit XML, one test case per expectation.
    Junit,
    /// A self-contained HTML report.
    Html,
}

/// Validate a dataset (CSV, TSV, Parquet, JSON Lines, Arrow IPC; gzip/zstd) against an
/// expectation suite (Great Expectations 1.x or 0.x JSON, or datagate TOML), in one pass.
///
/// Exit code 0 when every expectation is met, 1 when one is not, 2 when the data or the
/// suite cannot be read.
#[derive(clap::Args)]
pub struct Args {
    /// The data file.
    pub data: PathBuf,
    /// The expectation suite.
    #[arg(long, short = 's')]
    pub suite: PathBuf,
    /// Output format on stdout (or in --output).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Write the output to this file instead of stdout.
    #[arg(long, short = 'o')]
    pub output: Option<PathBuf>,
    /// Also write the HTML report here.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Also write the JSON result here.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Skip the quality scores (duplicate-row detection keeps a hash per row).
    #[arg(long)]
    pub no_quality: bool,
    #[command(flatten)]
    pub data_args: DataArgs,
}

/// Loads, validates and returns the result (shared with `demo`).
pub fn run_validation(
    data: &std::path::Path,
    suite: &std::path::Path,
    data_args: &DataArgs,
    quality: bool,
) -> anyhow::Result<ValidationResult> {
    let suite = Suite::load(suite)?;
    let dataset = data_args.open(data)?;
    let _progress = Progress::bytes(
        "validating",
        dataset.file_size(),
        dataset.progress_counter(),
    );
    let result = validate(&dataset, &suite, &ValidateOptions { quality })
        .with_context(|| format!("cannot validate {}", data.display()))?;
    Ok(result)
}

/// Renders `result` in `format`.
pub fn render(result: &ValidationResult, format: Format, color: bool) -> anyhow::Result<String> {
    Ok(match format {
        Format::Text => render::text(result, color),
        Format::Json => serde_json::to_string_pretty(result)? + "\n",
        Format::Junit => render::junit(result),
        Format::Html => render::html(result),
    })
}

/// Runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let result = run_validation(&args.data, &args.suite, &args.data_args, !args.no_quality)?;
    let color = args.output.is_none() && use_color();
    let text = render(&result, args.format, color)?;
    match &args.output {
        Some(path) => write_atomic(path, text.as_bytes())?,
        None => print!("{text}"),
    }
    if let Some(path) = &args.html {
        write_atomic(path, render::html(&result).as_bytes())?;
        eprintln!("HTML report: {}", path.display());
    }
    if let Some(path) = &args.json {
        write_atomic(path, render(&result, Format::Json, false)?.as_bytes())?;
        eprintln!("JSON result: {}", path.display());
    }
    record(&args.data, &args.suite, &result);
    Ok(ExitCode::from(if result.success { 0 } else { 1 }))
}

/// Inside an initialised project, the verdict and the data's SHA-256 become a ledger entry.
fn record(data: &std::path::Path, suite: &std::path::Path, result: &ValidationResult) {
    if datagate_project::Project::discover_from_cwd().is_err() {
        return;
    }
    let digest =
        match datagate_integrity::hash::hash_file(data, datagate_integrity::Algorithms::Sha256) {
            Ok(d) => d.sha256_hex().unwrap_or_default(),
            Err(e) => {
                eprintln!(
                    "datagate: warning: not recorded in the ledger: cannot hash {}: {e}",
                    data.display()
                );
                return;
            }
        };
    let details = serde_json::json!({
        "suite": suite.display().to_string(),
        "suite_name": result.suite_name,
        "success": result.success,
        "statistics": result.statistics,
        "rows": result.meta["data"]["rows"],
    });
    if let Some(seq) =
        crate::record::record_verdict("validate", &data.display().to_string(), &digest, details)
    {
        eprintln!("recorded in the ledger as entry {seq}");
    }
}
