//! `datagate model scan PATHS...`: static scan of model artifacts.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::ValueEnum;
use datagate_modelscan::{render, scan_paths, Options, Verdict};

/// Output formats.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Format {
    /// Human-readable, one line per finding.
    Text,
    /// Machine-readable JSON (`files` + `summary`).
    Json,
    /// SARIF 2.1.0 for GitHub code scanning.
    Sarif,
}

/// The lowest verdict that fails the scan (exit code 1).
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum FailOn {
    /// Suspicious, unparseable (error) or malicious files fail (default: fail closed).
    Suspicious,
    /// Unparseable or malicious files fail.
    Error,
    /// Only malicious files fail.
    Malicious,
}

/// Scan model files (pickle, PyTorch, joblib, NumPy, Keras, ONNX, safetensors, GGUF, zip/tar).
#[derive(clap::Args)]
pub struct Args {
    /// Files or directories (directories are walked recursively).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Lowest verdict that makes the exit code 1.
    #[arg(long, value_enum, default_value = "suspicious")]
    pub fail_on: FailOn,
    /// Write the report to this file (atomically) instead of stdout.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Archive nesting depth to follow.
    #[arg(long, default_value_t = 8)]
    pub max_depth: usize,
}

/// Run the scan; exit 1 when any file's verdict reaches `--fail-on`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let opts = Options {
        max_archive_depth: args.max_depth,
        ..Options::default()
    };
    let reports = scan_paths(&args.paths, &opts)?;
    let body = match args.format {
        Format::Text => render::text(&reports),
        Format::Json => serde_json::to_string_pretty(&render::json(&reports))? + "\n",
        Format::Sarif => {
            serde_json::to_string_pretty(&render::sarif(&reports, env!("CARGO_PKG_VERSION")))?
                + "\n"
        }
    };
    match &args.output {
        Some(path) => crate::output::write_atomic(path, body.as_bytes())?,
        None => std::io::stdout().lock().write_all(body.as_bytes())?,
    }
    let threshold = match args.fail_on {
        FailOn::Suspicious => Verdict::Suspicious,
        FailOn::Error => Verdict::Error,
        FailOn::Malicious => Verdict::Malicious,
    };
    let failed = reports.iter().any(|r| r.verdict >= threshold);
    Ok(ExitCode::from(u8::from(failed)))
}
