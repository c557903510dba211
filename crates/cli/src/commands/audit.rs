//! `datagate audit`: the poisoning and label audit (duplicates, flipped labels, backdoor
//! triggers, manipulated features, class-balance shift), with text, JSON and HTML output.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context as _};
use datagate_audit::{audit, AuditColumns, Report, Settings, Table, ALL};
use datagate_profile::html::{escape, fmt_num, CSS};

use crate::data::DataArgs;
use crate::output::write_atomic;

/// Output formats of `audit`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// A readable summary per finding and the detectors that could not run.
    Text,
    /// The report as JSON: `findings[]` with `detector`, `rows[]`, `scores[]` and each
    /// detector's own fields.
    Json,
    /// One self-contained HTML page.
    Html,
}

/// Audit a labelled dataset for poisoning and label problems: exact and near duplicates
/// (conflicting ones above all), likely flipped labels, backdoor triggers in text and in
/// tabular values, and, against a trusted baseline, shifted features and class balance.
///
/// Every finding names its detector, the rows (0-based data rows of the file, header
/// excluded), a score per row and a plain explanation. Detectors that cannot give a
/// meaningful answer (one class, too few rows, no text column) say why.
///
/// Exit code 1 when any finding passes its threshold, 0 when none does, 2 when an input
/// cannot be read or a flag is wrong.
///
/// Examples:
///   datagate audit train.parquet --label label --text review
///   datagate audit train.csv --label species --features a,b,c --format html -o audit.html
///   datagate audit train.csv --label y --baseline trusted.csv --quarantine-rows bad.csv --clean ok.csv
#[derive(clap::Args)]
pub struct Args {
    /// The data file to audit.
    pub data: PathBuf,
    /// The label column.
    #[arg(long, value_name = "COLUMN")]
    pub label: String,
    /// A free-text column (repeatable): tokenised for near duplicates, text triggers and
    /// the model.
    #[arg(long, value_name = "COLUMN")]
    pub text: Vec<String>,
    /// Feature columns (comma-separated). Default: every column that is neither the label
    /// nor a text column (leave out IDs and timestamps, which hide duplicates).
    #[arg(long, value_delimiter = ',', value_name = "COLS")]
    pub features: Option<Vec<String>>,
    /// A trusted earlier version of the data, for the shift detectors.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Output format on stdout (or in --output).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Write the output to this file instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Write the rows named by failing findings here (format from the extension:
    /// .csv, .tsv, .parquet, .jsonl, optionally .gz).
    #[arg(long, value_name = "OUT")]
    pub quarantine_rows: Option<PathBuf>,
    /// Write every other row here (the data without the quarantined rows).
    #[arg(long, value_name = "OUT")]
    pub clean: Option<PathBuf>,
    /// Seed for every random choice (folds, MinHash, samples), so audits repeat.
    #[arg(long, value_name = "N", default_value_t = Settings::default().seed)]
    pub seed: u64,
    /// Near-duplicate texts: Jaccard similarity of their words at least this.
    #[arg(long, value_name = "X", default_value_t = Settings::default().near_duplicate_jaccard)]
    pub jaccard: f64,
    /// Run only these detectors (comma-separated names, e.g.
    /// `exact_duplicates,text_trigger`). Default: all.
    #[arg(long, value_delimiter = ',', value_name = "NAMES")]
    pub detectors: Vec<String>,
    #[command(flatten)]
    pub data_args: DataArgs,
}

/// Runs `datagate audit`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if !(0.0..=1.0).contains(&args.jaccard) {
        bail!("--jaccard must be between 0 and 1, got {}", args.jaccard);
    }
    let detectors: Vec<&dyn datagate_audit::Detector> = if args.detectors.is_empty() {
        ALL.to_vec()
    } else {
        let mut chosen = Vec::new();
        for name in &args.detectors {
            match ALL.iter().find(|d| d.name() == name) {
                Some(d) => chosen.push(*d),
                None => bail!(
                    "--detectors: no detector {name:?} (there are: {})",
                    ALL.iter().map(|d| d.name()).collect::<Vec<_>>().join(", ")
                ),
            }
        }
        chosen
    };
    let columns = AuditColumns {
        label: Some(args.label.clone()),
        text: args.text.clone(),
        // `--features ""` means no feature columns (text only)
        features: args
            .features
            .as_ref()
            .map(|v| v.iter().filter(|c| !c.is_empty()).cloned().collect()),
    };
    let dataset = args.data_args.open(&args.data)?;
    let table = Table::load(&dataset, &columns)
        .with_context(|| format!("cannot load {} for the audit", args.data.display()))?;
    if table.is_empty() {
        bail!("{}: no data rows to audit", args.data.display());
    }
    let baseline = match &args.baseline {
        None => None,
        Some(path) => {
            let ds = args.data_args.open(path)?;
            Some(
                Table::load(&ds, &columns)
                    .with_context(|| format!("cannot load the baseline {}", path.display()))?,
            )
        }
    };
    let settings = Settings {
        seed: args.seed,
        near_duplicate_jaccard: args.jaccard,
        ..Settings::default()
    };
    let report = audit(&table, baseline.as_ref(), &settings, &detectors);
    let out = match args.format {
        Format::Text => render_text(&report),
        Format::Json => serde_json::to_string_pretty(&report)? + "\n",
        Format::Html => render_html(&report),
    };
    match &args.output {
        Some(p) => write_atomic(p, out.as_bytes())?,
        None => print!("{out}"),
    }
    if args.quarantine_rows.is_some() || args.clean.is_some() {
        let flagged: BTreeSet<u64> = report
            .findings
            .iter()
            .filter(|f| f.fails)
            .flat_map(|f| f.rows.iter().copied())
            .collect();
        if let Some(p) = &args.quarantine_rows {
            datagate_dataset::write::write_rows(&dataset, |r| flagged.contains(&r), p)
                .with_context(|| format!("cannot write {}", p.display()))?;
            eprintln!("{} flagged rows written to {}", flagged.len(), p.display());
        }
        if let Some(p) = &args.clean {
            let n = datagate_dataset::write::write_rows(&dataset, |r| !flagged.contains(&r), p)
                .with_context(|| format!("cannot write {}", p.display()))?;
            eprintln!("{n} clean rows written to {}", p.display());
        }
    }
    Ok(if report.fails() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Rows shown per finding in text and HTML.
const SHOWN_ROWS: usize = 10;

fn rows_preview(rows: &[u64], scores: &[f64]) -> String {
    let mut parts: Vec<String> = rows
        .iter()
        .zip(scores)
        .take(SHOWN_ROWS)
        .map(|(r, s)| format!("{r} ({})", fmt_num(*s)))
        .collect();
    if rows.len() > SHOWN_ROWS {
        parts.push(format!("… {} more", rows.len() - SHOWN_ROWS));
    }
    parts.join(", ")
}

/// The report for terminals.
pub fn render_text(report: &Report) -> String {
    let mut s = format!("audit of {} ({} rows)\n", report.dataset, report.rows);
    if report.findings.is_empty() {
        s.push_str("\nno findings\n");
    }
    for f in &report.findings {
        s.push_str(&format!(
            "\n{} [{}] {}\n",
            if f.fails { "FAIL" } else { "note" },
            f.detector,
            f.title
        ));
        for line in wrap(&f.explanation, 88) {
            s.push_str(&format!("    {line}\n"));
        }
        if !f.rows.is_empty() {
            s.push_str(&format!(
                "    rows (score): {}\n",
                rows_preview(&f.rows, &f.scores)
            ));
        }
    }
    if !report.skipped.is_empty() {
        s.push_str("\nnot run:\n");
        for k in &report.skipped {
            s.push_str(&format!("    {}: {}\n", k.detector, k.reason));
        }
    }
    let failing = report.findings.iter().filter(|f| f.fails).count();
    s.push_str(&format!(
        "\nverdict: {} ({} findings, {} failing)\n",
        if failing > 0 { "FAIL" } else { "pass" },
        report.findings.len(),
        failing
    ));
    s
}

fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// The report as one self-contained HTML page (inline CSS, no scripts).
pub fn render_html(report: &Report) -> String {
    let mut s = String::from(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>datagate audit report</title><style>",
    );
    s.push_str(CSS);
    s.push_str("</style></head><body><h1>Poisoning and label audit</h1>");
    let failing = report.findings.iter().filter(|f| f.fails).count();
    s.push_str(&format!(
        "<div class=\"card {}\"><p class=\"summary\">{} &nbsp; <b>{}</b> findings, <b>{}</b> failing.</p><p class=\"muted\">{} · {} rows</p></div>",
        if failing > 0 { "drift" } else { "ok" },
        if failing > 0 {
            "<span class=\"badge bad\">audit failed</span>"
        } else {
            "<span class=\"badge good\">audit passed</span>"
        },
        report.findings.len(),
        failing,
        escape(&report.dataset),
        report.rows
    ));
    for f in &report.findings {
        let mut fields = String::new();
        for (k, v) in &f.detail {
            let shown = match v {
                serde_json::Value::String(x) => x.clone(),
                serde_json::Value::Array(a) if a.len() > 5 => {
                    format!("{} items (see the JSON report)", a.len())
                }
                other => other.to_string(),
            };
            let shown: String = shown.chars().take(400).collect();
            fields.push_str(&format!(
                "<tr><th>{}</th><td>{}</td></tr>",
                escape(k),
                escape(&shown)
            ));
        }
        s.push_str(&format!(
            "<div class=\"card {cls}\"><h2>{title} <span class=\"badge {b}\">{v}</span></h2><p class=\"muted\">{det}</p><p>{expl}</p>\
<table><tr><th>rows (score)</th><td>{rows}</td></tr>{fields}</table></div>",
            cls = if f.fails { "drift" } else { "ok" },
            title = escape(&f.title),
            b = if f.fails { "bad" } else { "good" },
            v = if f.fails { "fails" } else { "note" },
            det = escape(f.detector),
            expl = escape(&f.explanation),
            rows = escape(&rows_preview(&f.rows, &f.scores)),
        ));
    }
    if !report.skipped.is_empty() {
        s.push_str("<div class=\"card\"><h2>Not run</h2><table>");
        for k in &report.skipped {
            s.push_str(&format!(
                "<tr><th>{}</th><td>{}</td></tr>",
                escape(k.detector),
                escape(&k.reason)
            ));
        }
        s.push_str("</table></div>");
    }
    s.push_str("<div class=\"card\"><h2>Timings</h2><table>");
    for (name, secs) in &report.timings {
        s.push_str(&format!(
            "<tr><th>{}</th><td>{} s</td></tr>",
            escape(name),
            fmt_num(*secs)
        ));
    }
    s.push_str("</table></div><p class=\"muted\">Row numbers are 0-based data rows of the file (header excluded). Generated by datagate.</p></body></html>");
    s
}
