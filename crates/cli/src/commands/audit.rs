//! `datagate audit`: the poisoning and label audit (duplicates, flipped labels, backdoor
//! triggers, manipulated features, class-balance shift), with text, JSON and HTML output.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
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
/// cannot be read or a flag is wrong. The thresholds are the defaults, a policy tier's
/// `audit.thresholds` (--policy, --tier), then --seed, --jaccard and --set, each
/// overriding the one before; the JSON report lists the effective ones under `thresholds`.
///
/// Examples:
///   datagate audit train.parquet --label label --text review
///   datagate audit train.csv --label species --features a,b,c --format html -o audit.html
///   datagate audit train.csv --label y --baseline trusted.csv --quarantine-rows bad.csv --clean ok.csv
///   datagate audit train.csv --label y --policy datagate.toml --tier untrusted --set trigger_fdr=0.001
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
    /// Seed for every random choice (folds, MinHash, samples), so audits repeat
    /// [default: 24301, or the policy's `seed`]. Same as `--set seed=N`.
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Near-duplicate texts: Jaccard similarity of their words at least this [default:
    /// 0.8, or the policy's]. Same as `--set near_duplicate_jaccard=X`.
    #[arg(long, value_name = "X")]
    pub jaccard: Option<f64>,
    /// Read the thresholds from this policy file (`datagate.toml`): the tier's
    /// `audit.thresholds` table. Without it no policy is read.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// The policy tier whose thresholds apply. Default: the thresholds every tier that runs
    /// the audit agrees on (an error when they differ).
    #[arg(long, value_name = "NAME", requires = "policy")]
    pub tier: Option<String>,
    /// Override one threshold (repeatable), after the policy: e.g. `--set trigger_fdr=0.001`.
    #[arg(long = "set", value_name = "KEY=VALUE", long_help = set_help())]
    pub set: Vec<String>,
    /// Run only these detectors (comma-separated names, e.g.
    /// `exact_duplicates,text_trigger`). Default: all.
    #[arg(long, value_delimiter = ',', value_name = "NAMES")]
    pub detectors: Vec<String>,
    #[command(flatten)]
    pub data_args: DataArgs,
}

/// `--set`'s long help: every key with its default and range, from the audit crate so it
/// cannot drift from the settings.
fn set_help() -> String {
    let defaults = Settings::default().to_map();
    let mut s = String::from(
        "Override one threshold (repeatable), after the policy and --seed/--jaccard: e.g. \
         `--set trigger_fdr=0.001`. An unknown key or a value out of range is an error.\n\nKeys \
         (default; expected):",
    );
    for (key, range) in datagate_audit::settings::RULES {
        let default = defaults
            .get(*key)
            .map(|v| v.to_string().trim_matches('"').to_string())
            .unwrap_or_default();
        s.push_str(&format!("\n  {key} ({default}; {})", range.expected()));
    }
    s
}

/// The effective thresholds: defaults, the policy tier's, `--seed`/`--jaccard`, `--set`.
fn settings(args: &Args) -> anyhow::Result<Settings> {
    let mut settings = match &args.policy {
        None => Settings::default(),
        Some(path) => policy_settings(path, args.tier.as_deref())?,
    };
    if let Some(seed) = args.seed {
        settings.seed = seed;
    }
    if let Some(j) = args.jaccard {
        settings.near_duplicate_jaccard = j;
        settings
            .validate()
            .map_err(|e| anyhow::anyhow!("--jaccard: {}", e.message))?;
    }
    for assignment in &args.set {
        settings
            .set(assignment)
            .map_err(|e| anyhow::anyhow!("--set {assignment}: {}", e.message))?;
    }
    Ok(settings)
}

/// The thresholds of `tier` in the policy file at `path` (relative paths in it resolve
/// against its folder, as for `datagate.toml` in a project).
fn policy_settings(path: &Path, tier: Option<&str>) -> anyhow::Result<Settings> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the policy {}", path.display()))?;
    let root = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    // The gate's policy errors say `datagate.toml: FIELD: ...`; name the file given instead.
    let named = |e: datagate_gate::GateError| match e {
        datagate_gate::GateError::Policy { field, message } => {
            anyhow::anyhow!("{}: {field}: {message}", path.display())
        }
        other => anyhow::anyhow!("{}: {other}", path.display()),
    };
    let policy = datagate_gate::Policy::from_str(&text, root).map_err(named)?;
    if let Some(name) = tier {
        let t = policy.tier(name).map_err(named)?;
        return match &t.audit {
            Some(a) => Ok(a.settings.clone()),
            None => bail!(
                "--tier {name}: the tier does not run the audit in {}, so it has no thresholds",
                path.display()
            ),
        };
    }
    // No --tier: every tier that runs the audit must agree.
    let mut groups: Vec<(Settings, Vec<&str>)> = Vec::new();
    for (name, t) in &policy.tiers {
        if let Some(a) = &t.audit {
            match groups
                .iter_mut()
                .find(|(s, _)| s.to_map() == a.settings.to_map())
            {
                Some((_, names)) => names.push(name),
                None => groups.push((a.settings.clone(), vec![name])),
            }
        }
    }
    match groups.len() {
        0 => bail!("{}: no tier runs the audit", path.display()),
        1 => Ok(groups.remove(0).0),
        _ => {
            let defaults = Settings::default().to_map();
            let described: Vec<String> = groups
                .iter()
                .map(|(s, names)| {
                    let changed: Vec<String> = s
                        .to_map()
                        .into_iter()
                        .filter(|(k, v)| defaults.get(k) != Some(v))
                        .map(|(k, v)| format!("{k}={v}"))
                        .collect();
                    format!(
                        "{} ({})",
                        names.join(", "),
                        if changed.is_empty() {
                            "defaults".to_string()
                        } else {
                            changed.join(", ")
                        }
                    )
                })
                .collect();
            bail!(
                "{}: the tiers set different audit thresholds: {}; choose one with --tier",
                path.display(),
                described.join("; ")
            )
        }
    }
}

/// Runs `datagate audit`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let settings = settings(&args)?;
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
    let report = audit(&table, baseline.as_ref(), &settings, &detectors);
    let out = match args.format {
        Format::Text => render_text(&report, &settings),
        Format::Json => {
            let mut doc = serde_json::to_value(&report)?;
            if let Some(obj) = doc.as_object_mut() {
                obj.insert("thresholds".into(), settings.to_map().into());
            }
            serde_json::to_string_pretty(&doc)? + "\n"
        }
        Format::Html => render_html(&report, &settings),
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

/// The thresholds that differ from the defaults, as `key = value (default d)`.
fn changed_thresholds(settings: &Settings) -> Vec<String> {
    let defaults = Settings::default().to_map();
    settings
        .to_map()
        .into_iter()
        .filter_map(|(k, v)| {
            let d = defaults.get(&k)?;
            (d != &v).then(|| format!("{k} = {v} (default {d})"))
        })
        .collect()
}

/// The report for terminals; `settings` are the thresholds it was measured against (those
/// that differ from the defaults are listed).
pub fn render_text(report: &Report, settings: &Settings) -> String {
    let mut s = format!("audit of {} ({} rows)\n", report.dataset, report.rows);
    let changed = changed_thresholds(settings);
    if !changed.is_empty() {
        s.push_str(&format!("thresholds: {}\n", changed.join(", ")));
    }
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

/// The report as one self-contained HTML page (inline CSS, no scripts), with the
/// thresholds it was measured against.
pub fn render_html(report: &Report, settings: &Settings) -> String {
    let mut s = String::from(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>datagate audit report</title><style>",
    );
    s.push_str(CSS);
    // detail values can be long JSON without spaces: wrap them instead of widening the page
    s.push_str("td{overflow-wrap:anywhere}");
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
    let defaults = Settings::default().to_map();
    s.push_str("<div class=\"card\"><h2>Thresholds</h2><table>");
    for (k, v) in settings.to_map() {
        let changed = defaults.get(&k).is_some_and(|d| d != &v);
        s.push_str(&format!(
            "<tr><th>{}</th><td>{}{}</td></tr>",
            escape(&k),
            escape(v.to_string().trim_matches('"')),
            if changed { " (changed)" } else { "" }
        ));
    }
    s.push_str("</table></div>");
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
