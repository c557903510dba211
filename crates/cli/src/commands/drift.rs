//! `datagate drift`: has the data moved since the reference? Evidently's tests and rules.

use std::collections::HashMap;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context as _};
use datagate_drift::collect::Collected;
use datagate_drift::compare::{compare, DriftOptions, Reference};
use datagate_drift::{html, StatTest};
use datagate_profile::Profile;
use serde::Deserialize;

use crate::data::DataArgs;
use crate::output::{write_atomic, Progress};

/// Output formats of `drift`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// One line per column and the verdict.
    Text,
    /// Machine-readable JSON (per column: type, method, score, threshold, verdict, summaries).
    Json,
    /// A self-contained HTML report with plots.
    Html,
}

/// Compare a current dataset with a reference dataset (or a saved profile) column by
/// column, with Evidently's default tests, thresholds and dataset rule: KS / chi-square
/// / Z-test when the reference has at most 1000 non-null values, normed Wasserstein /
/// Jensen-Shannon above; the dataset drifts when at least half the columns do.
///
/// Exit code 1 when the dataset drifts, 0 when not, 2 when an input cannot be read.
///
/// Examples:
///   datagate drift data/reference.parquet data/current.csv
///   datagate drift train.profile.json data/current.csv --format html -o drift.html
///   datagate drift ref.csv cur.csv --numerical age,income --categorical city --stattest psi
#[derive(clap::Args)]
pub struct Args {
    /// The reference: a data file, or a profile written by `datagate profile`.
    pub reference: PathBuf,
    /// The current data file.
    pub current: PathBuf,
    /// Output format on stdout (or in --output).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Write the output to this file instead of stdout.
    #[arg(long, short = 'o')]
    pub output: Option<PathBuf>,
    /// Also write the HTML report here.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Also write the JSON report here.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Columns to treat as numerical (comma-separated); replaces inference for numerical columns.
    #[arg(long, value_delimiter = ',', value_name = "COLS")]
    pub numerical: Vec<String>,
    /// Columns to treat as categorical (comma-separated); replaces inference for categorical columns.
    #[arg(long, value_delimiter = ',', value_name = "COLS")]
    pub categorical: Vec<String>,
    /// Use this test for every column instead of Evidently's choice, by Evidently's name:
    /// numerical or categorical: chisquare, z, jensenshannon, psi, kl_div, hellinger;
    /// numerical only: ks, wasserstein, ed, t_test, anderson, cramer_von_mises, mannw, es,
    /// empirical_mmd;
    /// categorical only: TVD, fisher_exact (binary columns), g_test.
    #[arg(long, alias = "method", value_name = "NAME")]
    pub stattest: Option<StatTest>,
    /// Threshold for every column instead of the test's default.
    #[arg(long, value_name = "X")]
    pub threshold: Option<f64>,
    /// Per-column test, e.g. `--column-stattest age=psi` (repeatable).
    #[arg(long, value_name = "COL=NAME")]
    pub column_stattest: Vec<String>,
    /// Per-column threshold, e.g. `--column-threshold age=0.2` (repeatable).
    #[arg(long, value_name = "COL=X")]
    pub column_threshold: Vec<String>,
    /// Share of drifted columns at which the dataset drifts (default 0.5, Evidently's).
    #[arg(long, value_name = "SHARE")]
    pub drift_share: Option<f64>,
    /// Integer columns with at most this many unique reference values are categorical
    /// (Evidently's legacy rule uses 5, its new API 10).
    #[arg(long, value_name = "N")]
    pub int_categorical_max: Option<usize>,
    /// A TOML file with the same options: numerical, categorical, stattest, threshold,
    /// drift_share, int_categorical_max, and [columns.NAME] stattest/threshold.
    /// Command-line flags win.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub data_args: DataArgs,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ConfigColumn {
    stattest: Option<String>,
    threshold: Option<f64>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Config {
    #[serde(default)]
    numerical: Vec<String>,
    #[serde(default)]
    categorical: Vec<String>,
    stattest: Option<String>,
    threshold: Option<f64>,
    drift_share: Option<f64>,
    int_categorical_max: Option<usize>,
    #[serde(default)]
    columns: HashMap<String, ConfigColumn>,
}

fn parse_test(name: &str) -> anyhow::Result<StatTest> {
    name.parse::<StatTest>().map_err(anyhow::Error::msg)
}

fn options(args: &Args) -> anyhow::Result<DriftOptions> {
    let mut o = DriftOptions::default();
    if let Some(path) = &args.config {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let c: Config = toml::from_str(&text)
            .with_context(|| format!("invalid drift config {}", path.display()))?;
        o.numerical = c.numerical;
        o.categorical = c.categorical;
        o.stattest = c.stattest.as_deref().map(parse_test).transpose()?;
        o.threshold = c.threshold;
        if let Some(s) = c.drift_share {
            o.drift_share = s;
        }
        if let Some(n) = c.int_categorical_max {
            o.integer_categorical_max = n;
        }
        for (col, cc) in c.columns {
            if let Some(t) = cc.stattest {
                o.per_column_stattest.insert(col.clone(), parse_test(&t)?);
            }
            if let Some(x) = cc.threshold {
                o.per_column_threshold.insert(col, x);
            }
        }
    }
    if !args.numerical.is_empty() {
        o.numerical = args.numerical.clone();
    }
    if !args.categorical.is_empty() {
        o.categorical = args.categorical.clone();
    }
    if let Some(c) = o.numerical.iter().find(|c| o.categorical.contains(c)) {
        bail!("column `{c}` is listed as both numerical and categorical");
    }
    if args.stattest.is_some() {
        o.stattest = args.stattest;
    }
    if args.threshold.is_some() {
        o.threshold = args.threshold;
    }
    for spec in &args.column_stattest {
        let Some((col, name)) = spec.split_once('=') else {
            bail!("--column-stattest expects COL=NAME, got {spec:?}")
        };
        o.per_column_stattest
            .insert(col.to_owned(), parse_test(name)?);
    }
    for spec in &args.column_threshold {
        let Some((col, x)) = spec.split_once('=') else {
            bail!("--column-threshold expects COL=X, got {spec:?}")
        };
        let x: f64 = x
            .parse()
            .with_context(|| format!("--column-threshold {spec}: not a number"))?;
        o.per_column_threshold.insert(col.to_owned(), x);
    }
    if let Some(s) = args.drift_share {
        o.drift_share = s;
    }
    if !(0.0..=1.0).contains(&o.drift_share) {
        bail!(
            "--drift-share must be between 0 and 1, got {}",
            o.drift_share
        );
    }
    if let Some(n) = args.int_categorical_max {
        o.integer_categorical_max = n;
    }
    Ok(o)
}

/// Whether a file is a datagate profile (JSON whose first bytes name the format).
fn looks_like_profile(path: &Path) -> bool {
    let mut head = [0u8; 256];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .unwrap_or(0);
    let text = String::from_utf8_lossy(&head[..n]);
    text.trim_start().starts_with('{') && text.contains("\"datagate-profile\"")
}

/// Reads a data file into what the drift tests need.
pub fn collect_file(
    path: &Path,
    data_args: &DataArgs,
    only: Option<&[String]>,
) -> anyhow::Result<Collected> {
    let ds = data_args.open(path)?;
    let _progress = Progress::bytes("reading", ds.file_size(), ds.progress_counter());
    let mut c = Collected::with_columns(ds.schema(), only);
    ds.scan(|batch| -> anyhow::Result<()> {
        c.update(&batch.data);
        Ok(())
    })
    .with_context(|| format!("cannot read {}", path.display()))?;
    Ok(c)
}

/// Runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let opts = options(&args)?;
    let only = opts.columns_needed();
    let current = collect_file(&args.current, &args.data_args, only.as_deref())?;
    let report = if looks_like_profile(&args.reference) {
        let profile = Profile::read(&args.reference)?;
        compare(Reference::Profile(&profile), &current, &opts)
    } else {
        let reference = collect_file(&args.reference, &args.data_args, only.as_deref())?;
        compare(Reference::Data(&reference), &current, &opts)
    };
    let ref_name = args.reference.display().to_string();
    let cur_name = args.current.display().to_string();
    let json = || -> anyhow::Result<String> {
        let doc = serde_json::json!({
            "reference": ref_name,
            "current": cur_name,
            "reference_is_profile": looks_like_profile(&args.reference),
            "report": report,
        });
        Ok(serde_json::to_string_pretty(&doc)?)
    };
    let out = match args.format {
        Format::Text => html::render_text(&report),
        Format::Json => json()? + "\n",
        Format::Html => html::render(&report, &ref_name, &cur_name),
    };
    match &args.output {
        Some(p) => write_atomic(p, out.as_bytes())?,
        None => print!("{out}"),
    }
    if let Some(p) = &args.html {
        write_atomic(p, html::render(&report, &ref_name, &cur_name).as_bytes())?;
    }
    if let Some(p) = &args.json {
        write_atomic(p, json()?.as_bytes())?;
    }
    Ok(if report.dataset_drift {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
