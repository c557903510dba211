//! `datagate schema`: what datagate sees in a file.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::data::DataArgs;

/// Print a data file's detected format, compression and column types.
#[derive(clap::Args)]
pub struct Args {
    /// The data file.
    pub data: PathBuf,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub data_args: DataArgs,
}

/// Runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let ds = args.data_args.open(&args.data)?;
    let columns: Vec<(String, String)> = ds
        .schema()
        .fields()
        .iter()
        .map(|f| (f.name().clone(), f.data_type().to_string()))
        .collect();
    if args.json {
        let cols: Vec<serde_json::Value> = columns
            .iter()
            .map(|(n, t)| serde_json::json!({"name": n, "type": t}))
            .collect();
        let doc = serde_json::json!({
            "path": ds.path().display().to_string(),
            "format": ds.format().name(),
            "compression": ds.compression(),
            "bytes": ds.file_size(),
            "rows": ds.row_count_hint(),
            "columns": cols,
        });
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else {
        println!(
            "{}: {} ({:?} compression), {} bytes{}",
            ds.path().display(),
            ds.format().name(),
            ds.compression(),
            ds.file_size(),
            ds.row_count_hint()
                .map(|r| format!(", {r} rows"))
                .unwrap_or_default()
        );
        for (name, t) in columns {
            println!("  {name:<32} {t}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
