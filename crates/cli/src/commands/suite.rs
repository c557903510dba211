//! `datagate suite`: work with expectation suites.

use std::path::PathBuf;
use std::process::ExitCode;

use datagate_expect::expectations::REGISTRY;
use datagate_expect::suggest::suggest;

use crate::data::DataArgs;
use crate::output::write_atomic;

/// Suite subcommands.
#[derive(clap::Subcommand)]
pub enum Command {
    /// Infer a suite (GX 1.x JSON) from a trusted reference dataset; it passes on that dataset.
    Suggest(SuggestArgs),
    /// List every supported expectation type.
    List,
}

/// Arguments of `suite suggest`.
#[derive(clap::Args)]
pub struct SuggestArgs {
    /// The trusted reference data file.
    pub reference: PathBuf,
    /// Where to write the suite (stdout when absent).
    #[arg(long, short = 'o')]
    pub output: Option<PathBuf>,
    /// The suite's name (default: the file's stem).
    #[arg(long)]
    pub name: Option<String>,
    #[command(flatten)]
    pub data_args: DataArgs,
}

/// Runs the subcommand.
pub fn run(cmd: Command) -> anyhow::Result<ExitCode> {
    match cmd {
        Command::List => {
            for e in REGISTRY {
                println!("{:<58} {}", e.name, e.summary);
            }
        }
        Command::Suggest(args) => {
            let dataset = args.data_args.open(&args.reference)?;
            let name = args.name.clone().unwrap_or_else(|| {
                args.reference
                    .file_stem()
                    .and_then(|s| s.to_str())
                    .map(|s| s.split('.').next().unwrap_or(s).to_string())
                    .unwrap_or_else(|| "suite".into())
            });
            let suite = suggest(&dataset, &name)?;
            let text = serde_json::to_string_pretty(&suite.to_gx_json())? + "\n";
            match &args.output {
                Some(path) => {
                    write_atomic(path, text.as_bytes())?;
                    eprintln!(
                        "wrote {} expectations to {}",
                        suite.expectations.len(),
                        path.display()
                    );
                }
                None => print!("{text}"),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
