//! Command-line options for reading a dataset, shared by every subcommand that reads data.

use std::path::Path;

use anyhow::{bail, Context as _};
use datagate_dataset::{ColumnType, Dataset, Format, ReadOptions};

/// How to read the data file(s).
#[derive(clap::Args, Debug, Clone, Default)]
pub struct DataArgs {
    /// Force the input format instead of detecting it (csv, tsv, parquet, jsonl, arrow).
    #[arg(long = "input-format", value_name = "FORMAT")]
    pub input_format: Option<String>,
    /// CSV field delimiter (one character; `\t` for tab). Default: `,` (tab for .tsv).
    #[arg(long, value_name = "CHAR")]
    pub delimiter: Option<String>,
    /// The CSV file has no header row (columns are named column_0, column_1, ...).
    #[arg(long)]
    pub no_header: bool,
    /// Force a column's type, e.g. `--type zip=string --type age=int` (int, float, bool, string).
    #[arg(long = "type", value_name = "COLUMN=TYPE")]
    pub types: Vec<String>,
    /// Rows read to infer CSV/JSON Lines types (0 = the whole file).
    #[arg(long, value_name = "N", default_value_t = 100_000)]
    pub infer_rows: usize,
    /// Worker threads (default: all cores).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
}

impl DataArgs {
    /// The reader options these flags describe.
    pub fn read_options(&self) -> anyhow::Result<ReadOptions> {
        let mut options = ReadOptions {
            has_header: !self.no_header,
            infer_rows: self.infer_rows,
            ..Default::default()
        };
        if let Some(t) = self.threads {
            options.threads = t.max(1);
            // Keep rayon's pool the same size as the reader's.
            let _ = rayon::ThreadPoolBuilder::new()
                .num_threads(options.threads)
                .build_global();
        }
        if let Some(d) = &self.delimiter {
            let d = if d == "\\t" || d == "tab" {
                "\t"
            } else {
                d.as_str()
            };
            match d.as_bytes() {
                [b] => options.delimiter = Some(*b),
                _ => bail!("--delimiter must be one ASCII character, got {d:?}"),
            }
        }
        for spec in &self.types {
            let Some((column, name)) = spec.split_once('=') else {
                bail!("--type expects COLUMN=TYPE, got {spec:?}");
            };
            let Some(t) = ColumnType::from_name(name) else {
                bail!("--type {spec}: unknown type {name:?} (use int, float, bool or string)");
            };
            options.overrides.push((column.to_string(), t));
        }
        Ok(options)
    }

    /// Opens `path` with these options.
    pub fn open(&self, path: &Path) -> anyhow::Result<Dataset> {
        let options = self.read_options()?;
        let format = match &self.input_format {
            None => None,
            Some(name) => match Format::from_name(name) {
                Some(f) => Some(f),
                None => {
                    bail!("--input-format {name:?} is not one of csv, tsv, parquet, jsonl, arrow")
                }
            },
        };
        Dataset::open_as(path, format, &options).context("cannot read the data")
    }
}
