//! `datagate pii`: find personal data and secrets, scrub them, measure
//! re-identification risk, and reveal tokens for key holders.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context as _};
use datagate_pii::data::{self, ScanConfig};
use datagate_pii::keys::KeyFile;
use datagate_pii::policy::Policy;
use datagate_pii::transform::Transformer;
use datagate_pii::{report, Entity};

use crate::data::DataArgs;
use crate::output;

/// Personal data: scan, scrub, check-k, reveal, keygen.
#[derive(clap::Subcommand)]
pub enum Command {
    /// Find PII and secrets: structured columns as one finding with a share, free text span by span.
    /// Exits 1 when anything is found.
    Scan(ScanArgs),
    /// Write a copy of the data with PII transformed by a policy (redact, mask, hash, pseudonymise, tokenise).
    Scrub(ScrubArgs),
    /// k-anonymity, l-diversity and uniqueness over quasi-identifier columns. Exits 1 below k.
    CheckK(CheckKArgs),
    /// Reverse tokenisation of a column, for holders of the key.
    Reveal(RevealArgs),
    /// Create a new pseudonymisation/tokenisation key file (mode 0600).
    Keygen(KeygenArgs),
    /// Right to erasure: remove every row of a data subject from the data files under a folder,
    /// and record each erasure in the project ledger. Exits 1 if some file could not be erased.
    Erase(EraseArgs),
}

/// Report formats for `pii scan`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScanFormat {
    /// Human-readable text.
    Text,
    /// JSON.
    Json,
    /// A self-contained HTML page.
    Html,
}

/// Report formats for `pii check-k`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextJson {
    /// Human-readable text.
    Text,
    /// JSON.
    Json,
}

/// Arguments of `pii scan`.
#[derive(clap::Args)]
pub struct ScanArgs {
    /// The data file (CSV, JSON Lines, Parquet, Arrow IPC; gzip/zstd).
    pub data: PathBuf,
    /// Report format.
    #[arg(long, value_enum, default_value_t = ScanFormat::Text)]
    pub format: ScanFormat,
    /// Write the report to this file (atomically) instead of stdout.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Ignore findings below this confidence (0..1).
    #[arg(long, default_value_t = 0.5)]
    pub min_confidence: f32,
    /// Only these types, comma-separated (e.g. EMAIL_ADDRESS,CREDIT_CARD).
    #[arg(long, value_delimiter = ',')]
    pub entities: Vec<String>,
    /// List at most this many findings in free text (counts stay exact).
    #[arg(long, default_value_t = 1000)]
    pub max_spans: usize,
    #[command(flatten)]
    pub data_args: DataArgs,
}

/// Arguments of `pii scrub`.
#[derive(clap::Args)]
pub struct ScrubArgs {
    /// The data file to read.
    pub data: PathBuf,
    /// The output file; its extension picks the format (.csv, .jsonl, .parquet).
    #[arg(short, long)]
    pub output: PathBuf,
    /// The policy (pii.toml). Without one, every finding is redacted.
    #[arg(long)]
    pub policy: Option<PathBuf>,
    /// Key file for hash, pseudonymise and tokenise (create one with `datagate pii keygen`).
    #[arg(long)]
    pub key_file: Option<PathBuf>,
    /// Print the summary as JSON.
    #[arg(long, value_enum, default_value_t = TextJson::Text)]
    pub format: TextJson,
    #[command(flatten)]
    pub data_args: DataArgs,
}

/// Arguments of `pii check-k`.
#[derive(clap::Args)]
pub struct CheckKArgs {
    /// The data file.
    pub data: PathBuf,
    /// Quasi-identifier columns, comma-separated.
    #[arg(long, value_delimiter = ',', required = true)]
    pub quasi: Vec<String>,
    /// The k every equivalence class must reach.
    #[arg(long, default_value_t = 5)]
    pub k: u64,
    /// A sensitive column: also report distinct l-diversity.
    #[arg(long)]
    pub sensitive: Option<String>,
    /// Report format.
    #[arg(long, value_enum, default_value_t = TextJson::Text)]
    pub format: TextJson,
    #[command(flatten)]
    pub data_args: DataArgs,
}

/// Arguments of `pii reveal`.
#[derive(clap::Args)]
pub struct RevealArgs {
    /// A file written by `pii scrub` with tokenised values.
    pub data: PathBuf,
    /// The tokenised column.
    #[arg(long)]
    pub column: String,
    /// The key file used by `pii scrub`.
    #[arg(long)]
    pub key_file: PathBuf,
    /// Write `row,value` CSV to this file (atomically) instead of stdout.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub data_args: DataArgs,
}

/// Arguments of `pii keygen`.
#[derive(clap::Args)]
pub struct KeygenArgs {
    /// Where to create the key file (it must not exist).
    pub path: PathBuf,
}

/// Arguments of `pii erase`.
#[derive(clap::Args)]
pub struct EraseArgs {
    /// The data subject as COLUMN=VALUE, e.g. `email=jane@example.com`.
    #[arg(long)]
    pub subject: String,
    /// The store: a folder (searched recursively) or one data file.
    #[arg(long = "in", value_name = "DIR")]
    pub store: PathBuf,
    /// Also match the subject's tokens, pseudonyms and hashes written by `pii scrub` with this key.
    #[arg(long)]
    pub key_file: Option<PathBuf>,
    /// Report what would be removed; write and record nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Who performs the erasure (recorded in the ledger; default: user@host).
    #[arg(long)]
    pub actor: Option<String>,
    /// Report format.
    #[arg(long, value_enum, default_value_t = TextJson::Text)]
    pub format: TextJson,
    #[command(flatten)]
    pub data_args: DataArgs,
}

/// Runs a `pii` subcommand.
pub fn run(cmd: Command) -> anyhow::Result<ExitCode> {
    match cmd {
        Command::Scan(a) => scan(a),
        Command::Scrub(a) => scrub(a),
        Command::CheckK(a) => check_k(a),
        Command::Reveal(a) => reveal(a),
        Command::Keygen(a) => keygen(a),
        Command::Erase(a) => erase(a),
    }
}

fn emit(output: Option<&PathBuf>, text: &str) -> anyhow::Result<()> {
    match output {
        Some(p) => output::write_atomic(p, text.as_bytes()),
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())?;
            out.flush()?;
            Ok(())
        }
    }
}

fn load_key(path: &Path) -> anyhow::Result<KeyFile> {
    if !path.exists() {
        bail!(
            "key file {} does not exist (create one with `datagate pii keygen {}`)",
            path.display(),
            path.display()
        );
    }
    if KeyFile::too_open(path) {
        eprintln!(
            "warning: key file {} is readable by group or others; run `chmod 600 {}`",
            path.display(),
            path.display()
        );
    }
    Ok(KeyFile::load(path)?)
}

fn scan(a: ScanArgs) -> anyhow::Result<ExitCode> {
    let entities = if a.entities.is_empty() {
        None
    } else {
        Some(
            a.entities
                .iter()
                .map(|e| e.parse::<Entity>())
                .collect::<Result<Vec<_>, _>>()?,
        )
    };
    if !(0.0..=1.0).contains(&a.min_confidence) {
        bail!("--min-confidence must be within 0..1");
    }
    let config = ScanConfig {
        min_confidence: a.min_confidence,
        entities,
        max_spans: a.max_spans,
        read: a.data_args.read_options()?,
    };
    let r = data::scan_dataset(&a.data, &config).context("pii scan failed")?;
    let text = match a.format {
        ScanFormat::Text => report::scan_text(&r),
        ScanFormat::Json => serde_json::to_string_pretty(&r)? + "\n",
        ScanFormat::Html => report::scan_html(&r),
    };
    emit(a.output.as_ref(), &text)?;
    Ok(if r.has_pii() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn scrub(a: ScrubArgs) -> anyhow::Result<ExitCode> {
    let policy = match &a.policy {
        Some(p) => Policy::load(p)?,
        None => Policy::default(),
    };
    let transformer = match &a.key_file {
        Some(k) => Transformer::new(&load_key(k)?),
        None if policy.needs_key() => {
            bail!("the policy uses hash, pseudonymise or tokenise: pass --key-file (create one with `datagate pii keygen`)")
        }
        None => Transformer::without_key(),
    };
    if a.output == a.data {
        bail!("the output must be a different file from the input");
    }
    let s = data::scrub_dataset(
        &a.data,
        &a.output,
        &policy,
        &transformer,
        &a.data_args.read_options()?,
    )
    .context("pii scrub failed")?;
    match a.format {
        TextJson::Json => println!("{}", serde_json::to_string_pretty(&s)?),
        TextJson::Text => {
            println!(
                "wrote {} ({}): {} rows, {} cells changed",
                s.output, s.format, s.rows, s.cells_changed
            );
            for (e, n) in &s.transformed {
                println!("  {:<16} {n}", e.as_str());
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn check_k(a: CheckKArgs) -> anyhow::Result<ExitCode> {
    if a.k == 0 {
        bail!("--k must be at least 1");
    }
    let k = data::check_k(
        &a.data,
        &a.quasi,
        a.sensitive.as_deref(),
        &a.data_args.read_options()?,
    )
    .context("pii check-k failed")?;
    let r = k.report(a.k);
    match a.format {
        TextJson::Json => println!("{}", serde_json::to_string_pretty(&r)?),
        TextJson::Text => print!("{}", report::k_text(&r)),
    }
    Ok(if r.passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn reveal(a: RevealArgs) -> anyhow::Result<ExitCode> {
    let t = Transformer::new(&load_key(&a.key_file)?);
    let mut out = String::new();
    if a.output.is_some() {
        out.push_str("row,value\n");
    }
    let csv = a.output.is_some();
    let n = data::reveal_column(
        &a.data,
        &a.column,
        &t,
        &a.data_args.read_options()?,
        |row, v, _| {
            if csv {
                let quoted = if v.contains([',', '"', '\n', '\r']) {
                    format!("\"{}\"", v.replace('"', "\"\""))
                } else {
                    v.to_string()
                };
                out.push_str(&format!("{row},{quoted}\n"));
            } else {
                out.push_str(&format!("{row}\t{v}\n"));
            }
        },
    )
    .context("pii reveal failed")?;
    emit(a.output.as_ref(), &out)?;
    eprintln!("revealed {n} tokens in column `{}`", a.column);
    Ok(ExitCode::SUCCESS)
}

fn keygen(a: KeygenArgs) -> anyhow::Result<ExitCode> {
    let key = KeyFile::generate(&a.path)?;
    println!(
        "created {} (mode 0600), key id {}",
        a.path.display(),
        key.key_id()
    );
    Ok(ExitCode::SUCCESS)
}

const DATA_EXTENSIONS: &[&str] = &[
    "csv", "tsv", "txt", "jsonl", "ndjson", "json", "parquet", "pq", "arrow", "ipc", "feather",
    "gz", "zst",
];

fn data_files(root: &std::path::Path, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    if root.is_file() {
        out.push(root.to_path_buf());
        return Ok(());
    }
    let mut entries: Vec<_> = std::fs::read_dir(root)
        .with_context(|| format!("cannot list {}", root.display()))?
        .filter_map(|e| e.ok())
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let path = e.path();
        let name = e.file_name().to_string_lossy().to_string();
        if name.starts_with('.') {
            continue;
        }
        let ft = e.file_type()?;
        if ft.is_dir() {
            data_files(&path, out)?;
        } else if ft.is_file()
            && !name.ends_with(".sig.json")
            && path
                .extension()
                .and_then(|x| x.to_str())
                .is_some_and(|x| DATA_EXTENSIONS.contains(&x.to_ascii_lowercase().as_str()))
        {
            out.push(path);
        }
    }
    Ok(())
}

/// A signature that covers `path`, if one sits beside it.
fn signature_of(path: &std::path::Path) -> Option<PathBuf> {
    [".sig.json", ".sig", ".dsse.json"]
        .iter()
        .find_map(|suffix| {
            let mut p = path.as_os_str().to_owned();
            p.push(suffix);
            let p = PathBuf::from(p);
            p.exists().then_some(p)
        })
}

#[derive(serde::Serialize)]
struct EraseFile {
    path: String,
    status: &'static str,
    rows_removed: u64,
    rows_before: u64,
    removed_rows: Vec<u64>,
    sha256_before: Option<String>,
    sha256_after: Option<String>,
    ledger_seq: Option<u64>,
    reason: Option<String>,
}

fn erase(a: EraseArgs) -> anyhow::Result<ExitCode> {
    use datagate_pii::transform::Action;
    let Some((column, value)) = a.subject.split_once('=') else {
        bail!("--subject expects COLUMN=VALUE, got {:?}", a.subject);
    };
    if column.is_empty() || value.is_empty() {
        bail!("--subject expects COLUMN=VALUE with both parts non-empty");
    }
    // Every form the subject's value may take in the store.
    let mut forms: std::collections::HashSet<String> = std::collections::HashSet::new();
    forms.insert(value.to_string());
    let key = a.key_file.as_deref().map(load_key).transpose()?;
    if let Some(key) = &key {
        let t = Transformer::new(key);
        let mut entities: Vec<Option<Entity>> =
            vec![None, datagate_pii::classify::name_hint(column)];
        entities.extend(
            datagate_pii::Scanner::shared()
                .scan(value)
                .iter()
                .map(|f| Some(f.entity)),
        );
        forms.insert(t.tokenise(value)?);
        forms.insert(t.apply(Action::Hash, None, value)?);
        for e in entities {
            forms.insert(t.apply(Action::Pseudonymise, e, value)?);
        }
    }
    let matches = |v: &str| forms.contains(v);
    let mut files = Vec::new();
    data_files(&a.store, &mut files)?;
    let read = a.data_args.read_options()?;
    let actor = a
        .actor
        .clone()
        .unwrap_or_else(datagate_ledger::default_actor);
    let project = datagate_project::Project::discover_from_cwd().ok();
    let mut ledger = match (&project, a.dry_run) {
        (Some(p), false) => {
            Some(datagate_ledger::Ledger::open(p).context("cannot open the project ledger")?)
        }
        _ => None,
    };
    let mut report = Vec::new();
    let mut failed = false;
    for path in files {
        let mut entry = EraseFile {
            path: path.display().to_string(),
            status: "erased",
            rows_removed: 0,
            rows_before: 0,
            removed_rows: Vec::new(),
            sha256_before: None,
            sha256_after: None,
            ledger_seq: None,
            reason: None,
        };
        // Count first; decide whether we may write.
        let dry = match data::erase_rows(&path, column, &matches, &read, true) {
            Ok(d) => d,
            Err(data::DataError::NoColumn { .. }) => continue,
            Err(e) => {
                entry.status = "not erased";
                entry.reason = Some(format!("cannot read: {e}"));
                failed = true;
                report.push(entry);
                continue;
            }
        };
        if dry.removed == 0 {
            continue;
        }
        entry.rows_before = dry.rows_before;
        entry.rows_removed = dry.removed;
        entry.removed_rows = dry.removed_rows.clone();
        entry.sha256_before = data::sha256_file(&path).ok();
        let readonly = std::fs::metadata(&path)
            .map(|m| m.permissions().readonly())
            .unwrap_or(true);
        let blocked = if readonly {
            Some("the file is read-only".to_string())
        } else {
            signature_of(&path).map(|sig| {
                format!(
                    "the file is signed ({}): erase after re-approval, then sign the new version",
                    sig.display()
                )
            })
        };
        if let Some(reason) = blocked {
            entry.status = "not erased";
            entry.reason = Some(reason);
            failed = true;
            report.push(entry);
            continue;
        }
        if a.dry_run {
            entry.status = "would erase";
            report.push(entry);
            continue;
        }
        match data::erase_rows(&path, column, &matches, &read, false) {
            Ok(_) => {
                entry.sha256_after = data::sha256_file(&path).ok();
                if let Some(l) = ledger.as_mut() {
                    let name = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
                    let mut subject = datagate_ledger::Subject::named(name.display().to_string());
                    if let Some(d) = &entry.sha256_after {
                        subject = subject.with_digest("sha256", d.clone());
                    }
                    // What was removed, by whom, the old and new digests: never the personal data.
                    let details = serde_json::json!({
                        "kind": "pii-erasure",
                        "column": column,
                        "rows_removed": entry.rows_removed,
                        "rows_before": entry.rows_before,
                        "sha256_before": entry.sha256_before,
                        "sha256_after": entry.sha256_after,
                        "matched_pseudonymised_forms": key.is_some(),
                    });
                    let receipt = l
                        .append(
                            datagate_ledger::Event::new(actor.clone(), "erasure", subject)
                                .with_details(details),
                        )
                        .context("erased, but recording in the ledger failed")?;
                    entry.ledger_seq = Some(receipt.seq);
                }
            }
            Err(e) => {
                entry.status = "not erased";
                entry.reason = Some(e.to_string());
                failed = true;
            }
        }
        report.push(entry);
    }
    match a.format {
        TextJson::Json => println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "subject_column": column,
                "dry_run": a.dry_run,
                "recorded_in_ledger": ledger.is_some(),
                "files": report,
            }))?
        ),
        TextJson::Text => {
            if report.is_empty() {
                println!(
                    "no rows with {column} = <subject> under {}",
                    a.store.display()
                );
            }
            for f in &report {
                println!(
                    "{:<12} {} ({} of {} rows){}{}",
                    f.status,
                    f.path,
                    f.rows_removed,
                    f.rows_before,
                    f.ledger_seq
                        .map(|s| format!(", ledger entry {s}"))
                        .unwrap_or_default(),
                    f.reason
                        .as_ref()
                        .map(|r| format!(": {r}"))
                        .unwrap_or_default()
                );
            }
            if ledger.is_none() && !a.dry_run && report.iter().any(|f| f.status == "erased") {
                eprintln!("note: no datagate project here (datagate.toml): the erasure was not recorded in a ledger; run `datagate init` first to record erasures");
            }
        }
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
