//! `datagate profile`: mergeable column profiles of a dataset, and merging them.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context as _};
use datagate_profile::{html, Profile};

use crate::data::DataArgs;
use crate::output::{write_atomic, Progress};

/// Profile a dataset in one streaming pass: per column counts, nulls, types, min/max,
/// mean/variance, KLL quantiles, HLL distinct count, frequent values, histogram and
/// string lengths. Profiles of shards merge (`datagate profile merge`) into the
/// profile of the whole, and a saved profile can stand in for the reference of
/// `datagate drift`.
///
/// Examples:
///   datagate profile data/train.parquet -o train.profile.json --html train.html
///   datagate profile merge shard-*.profile.json -o all.profile.json
#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct Args {
    #[command(subcommand)]
    pub command: Option<Sub>,
    /// The data file to profile.
    #[arg(required = true)]
    pub data: Option<PathBuf>,
    /// Write the profile JSON here (default: stdout).
    #[arg(long, short = 'o')]
    pub output: Option<PathBuf>,
    /// Also write a self-contained HTML page here.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    #[command(flatten)]
    pub data_args: DataArgs,
}

/// `datagate profile merge`.
#[derive(clap::Subcommand)]
pub enum Sub {
    /// Merge profiles of shards into one (counts, moments exactly; sketches within
    /// their error bounds).
    Merge(MergeArgs),
}

/// Arguments of `datagate profile merge`.
#[derive(clap::Args)]
pub struct MergeArgs {
    /// Profiles to merge.
    #[arg(required = true)]
    pub profiles: Vec<PathBuf>,
    /// Write the merged profile here (default: stdout).
    #[arg(long, short = 'o')]
    pub output: Option<PathBuf>,
    /// Also write a self-contained HTML page here.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
}

/// Profiles one data file (shared with `drift`'s benchmarks and tests).
pub fn profile_file(path: &Path, data_args: &DataArgs) -> anyhow::Result<Profile> {
    let ds = data_args.open(path)?;
    let _progress = Progress::bytes("profiling", ds.file_size(), ds.progress_counter());
    let mut profile = Profile::new(ds.schema());
    ds.scan(|batch| -> anyhow::Result<()> {
        profile.update(&batch.data)?;
        Ok(())
    })
    .with_context(|| format!("cannot profile {}", path.display()))?;
    profile.sources.push(path.display().to_string());
    Ok(profile)
}

fn emit(profile: &Profile, output: Option<&Path>, html_path: Option<&Path>) -> anyhow::Result<()> {
    let json = profile.to_json()?;
    match output {
        Some(p) => {
            write_atomic(p, json.as_bytes())?;
            eprintln!(
                "profiled {} rows, {} columns -> {}",
                profile.row_count,
                profile.columns.len(),
                p.display()
            );
        }
        None => println!("{json}"),
    }
    if let Some(h) = html_path {
        write_atomic(h, html::render(profile).as_bytes())?;
    }
    Ok(())
}

/// Runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        Some(Sub::Merge(m)) => {
            let mut merged: Option<Profile> = None;
            for p in &m.profiles {
                let next = Profile::read(p)?;
                match merged.as_mut() {
                    None => merged = Some(next),
                    Some(acc) => acc
                        .merge(&next)
                        .with_context(|| format!("cannot merge {}", p.display()))?,
                }
            }
            let Some(merged) = merged else {
                bail!("no profile given")
            };
            emit(&merged, m.output.as_deref(), m.html.as_deref())?;
        }
        None => {
            let Some(data) = args.data else {
                bail!("give a data file to profile, or `merge`")
            };
            let profile = profile_file(&data, &args.data_args)?;
            emit(&profile, args.output.as_deref(), args.html.as_deref())?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
