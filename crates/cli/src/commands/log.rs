//! `datagate log ...`: read, prove and verify the project's tamper-evident ledger.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use datagate_ledger::proof::check_proof;
use datagate_ledger::{activity, keys, Entry, Ledger, NoteVerifier, VerifyReport};
use datagate_project::Project;

/// Output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For people.
    Text,
    /// For machines.
    Json,
}

/// Read, prove and verify the project's tamper-evident event log.
#[derive(clap::Subcommand)]
pub enum Command {
    /// Print entries (oldest first).
    Show(ShowArgs),
    /// Recompute every entry, subtree and signed head; exit 1 naming the first bad entry.
    Verify(VerifyArgs),
    /// Print the latest signed tree head (a C2SP checkpoint): keep a copy elsewhere.
    Head(HeadArgs),
    /// Print an inclusion proof for entry N against the latest signed head (JSON).
    Prove(ProveArgs),
    /// Print a consistency proof from an older size M to the latest signed head (JSON).
    Consistency(ConsistencyArgs),
    /// Check a proof written by `log prove` or `log consistency`, without the database.
    CheckProof(CheckProofArgs),
    /// Write every entry as JSON Lines: the exact bytes whose hashes form the tree.
    Export(ExportArgs),
    /// Report actors with more than N events inside some time window.
    Activity(ActivityArgs),
}

/// `log show`.
#[derive(clap::Args)]
pub struct ShowArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Start at entry N.
    #[arg(long, default_value_t = 0)]
    pub from: u64,
    /// Show only the last N entries.
    #[arg(long)]
    pub tail: Option<u64>,
    /// Show at most N entries.
    #[arg(long)]
    pub limit: Option<u64>,
    /// Only entries by this actor.
    #[arg(long)]
    pub actor: Option<String>,
    /// Only entries whose action is this or starts with it followed by a dot
    /// (`--action integrity` matches `integrity.check`).
    #[arg(long)]
    pub action: Option<String>,
}

/// `log verify`.
#[derive(clap::Args)]
pub struct VerifyArgs {
    /// A signed checkpoint kept elsewhere (the text of `log head`, or a JSON
    /// file with a "checkpoint" field): the log must extend it.
    #[arg(long, value_name = "STH")]
    pub against: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// `log head`.
#[derive(clap::Args)]
pub struct HeadArgs {
    /// Output format (`text` prints the checkpoint note itself).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// `log prove`.
#[derive(clap::Args)]
pub struct ProveArgs {
    /// The entry's sequence number.
    pub n: u64,
    /// Write the proof here instead of stdout.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

/// `log consistency`.
#[derive(clap::Args)]
pub struct ConsistencyArgs {
    /// The older tree size.
    pub m: u64,
    /// Write the proof here instead of stdout.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

/// `log check-proof`.
#[derive(clap::Args)]
pub struct CheckProofArgs {
    /// The proof (JSON from `log prove` or `log consistency`).
    pub proof: PathBuf,
    /// The log's verifier key (a file such as .datagate/keys/ledger.vkey, or
    /// the key string). Without it the key inside the proof is used, which
    /// shows the proof is intact but not who made it.
    #[arg(long)]
    pub vkey: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// `log export`.
#[derive(clap::Args)]
pub struct ExportArgs {
    /// Write here instead of stdout.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

/// `log activity`.
#[derive(clap::Args)]
pub struct ActivityArgs {
    /// The window length: 90s, 30m, 1h, 2d.
    #[arg(long, default_value = "1h")]
    pub window: String,
    /// Report actors with more than this many events in one window.
    #[arg(long)]
    pub threshold: u64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Run `datagate log ...`.
pub fn run(cmd: Command) -> anyhow::Result<ExitCode> {
    match cmd {
        Command::Show(a) => show(a),
        Command::Verify(a) => verify(a),
        Command::Head(a) => head(a),
        Command::Prove(a) => prove(a),
        Command::Consistency(a) => consistency(a),
        Command::CheckProof(a) => check(a),
        Command::Export(a) => export(a),
        Command::Activity(a) => activity_cmd(a),
    }
}

/// Opens the ledger of the project around the current folder.
pub fn open_ledger() -> anyhow::Result<(Project, Ledger)> {
    let project = Project::discover_from_cwd()?;
    let ledger = Ledger::open(&project)?;
    Ok((project, ledger))
}

fn print_json(v: &impl serde::Serialize) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, v)?;
    writeln!(out)?;
    Ok(())
}

fn entry_line(e: &Entry) -> String {
    let digest = e
        .subject
        .digest
        .iter()
        .next()
        .map(|(alg, h)| format!(" {alg}:{}", &h[..h.len().min(12)]))
        .unwrap_or_default();
    let details = match &e.details {
        serde_json::Value::Object(m) if m.is_empty() => String::new(),
        d => format!(" {d}"),
    };
    format!(
        "{:>6}  {}  {:<16} {:<18} {}{digest}{details}",
        e.seq, e.time, e.actor, e.action, e.subject.name
    )
}

fn show(a: ShowArgs) -> anyhow::Result<ExitCode> {
    let (_, ledger) = open_ledger()?;
    let size = ledger.size()?;
    let from = match a.tail {
        Some(t) => size.saturating_sub(t).max(a.from),
        None => a.from,
    };
    let to = match a.limit {
        Some(l) => from.saturating_add(l).min(size),
        None => size,
    };
    let mut out = std::io::stdout().lock();
    let mut first = true;
    if a.format == Format::Json {
        write!(out, "[")?;
    }
    ledger.for_each_entry(from, to, &mut |seq, e| {
        let damaged = |m: String| {
            datagate_ledger::LedgerError::OutOfRange(format!(
                "entry {seq} is damaged ({m}); run `datagate log verify`"
            ))
        };
        let e = e.map_err(damaged)?;
        if a.actor.as_ref().is_some_and(|x| x != &e.actor) {
            return Ok(());
        }
        if let Some(x) = &a.action {
            if e.action != *x && !e.action.starts_with(&format!("{x}.")) {
                return Ok(());
            }
        }
        let line = match a.format {
            Format::Text => entry_line(&e),
            Format::Json => {
                let sep = if first { "\n  " } else { ",\n  " };
                first = false;
                format!("{sep}{}", serde_json::to_string(&e)?)
            }
        };
        let r = match a.format {
            Format::Text => writeln!(out, "{line}"),
            Format::Json => write!(out, "{line}"),
        };
        r.map_err(|e| datagate_ledger::LedgerError::OutOfRange(format!("cannot write output: {e}")))
    })?;
    if a.format == Format::Json {
        writeln!(out, "{}]", if first { "" } else { "\n" })?;
    } else if size == 0 {
        writeln!(out, "the log is empty")?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads a checkpoint note from a file holding the note itself or a JSON
/// document with a "checkpoint" string field.
fn read_checkpoint(path: &Path) -> anyhow::Result<String> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    if text.trim_start().starts_with('{') {
        let v: serde_json::Value = serde_json::from_str(&text)
            .with_context(|| format!("{} is not valid JSON", path.display()))?;
        return v
            .get("checkpoint")
            .and_then(|c| c.as_str())
            .map(str::to_string)
            .with_context(|| format!("{} has no \"checkpoint\" field", path.display()));
    }
    Ok(text)
}

fn print_verify(r: &VerifyReport, format: Format) -> anyhow::Result<()> {
    if format == Format::Json {
        return print_json(r);
    }
    if r.ok {
        println!(
            "ok: {} entries, {} signed heads and {} subtree hashes verified; root {}",
            r.entries, r.heads, r.nodes, r.root
        );
        if let Some(a) = &r.against {
            println!("ok: the log extends the external checkpoint ({a})");
        }
        return Ok(());
    }
    match r.first_bad_entry {
        Some(s) => println!("FAILED: the log was tampered with; first bad entry: {s}"),
        None => println!("FAILED: the log was tampered with"),
    }
    for p in &r.problems {
        println!("  - [{}] {}", p.kind, p.message);
    }
    if r.more_problems > 0 {
        println!("  … and {} more problems", r.more_problems);
    }
    Ok(())
}

fn verify(a: VerifyArgs) -> anyhow::Result<ExitCode> {
    let against = a.against.as_deref().map(read_checkpoint).transpose()?;
    let (_, ledger) = open_ledger()?;
    let report = ledger.verify(against.as_deref())?;
    print_verify(&report, a.format)?;
    Ok(if report.ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn head(a: HeadArgs) -> anyhow::Result<ExitCode> {
    let (_, ledger) = open_ledger()?;
    let Some(h) = ledger.latest_head()? else {
        anyhow::bail!("the log is empty: no signed head yet");
    };
    match a.format {
        Format::Text => print!("{}", h.note),
        Format::Json => print_json(&serde_json::json!({
            "origin": ledger.origin(),
            "tree_size": h.size,
            "root": hex_encode(&h.root),
            "time": h.time,
            "checkpoint": h.note,
            "verifier_key": ledger.verifier().to_vkey(),
        }))?,
    }
    Ok(ExitCode::SUCCESS)
}

fn hex_encode(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn write_out(output: Option<&Path>, bytes: &[u8]) -> anyhow::Result<()> {
    match output {
        Some(p) => crate::output::write_atomic(p, bytes),
        None => {
            std::io::stdout().lock().write_all(bytes)?;
            Ok(())
        }
    }
}

fn prove(a: ProveArgs) -> anyhow::Result<ExitCode> {
    let (_, ledger) = open_ledger()?;
    let bundle = ledger.prove(a.n)?;
    let mut json = serde_json::to_vec_pretty(&bundle)?;
    json.push(b'\n');
    write_out(a.output.as_deref(), &json)?;
    Ok(ExitCode::SUCCESS)
}

fn consistency(a: ConsistencyArgs) -> anyhow::Result<ExitCode> {
    let (_, ledger) = open_ledger()?;
    let bundle = ledger.consistency(a.m)?;
    let mut json = serde_json::to_vec_pretty(&bundle)?;
    json.push(b'\n');
    write_out(a.output.as_deref(), &json)?;
    Ok(ExitCode::SUCCESS)
}

fn check(a: CheckProofArgs) -> anyhow::Result<ExitCode> {
    let json = std::fs::read_to_string(&a.proof)
        .with_context(|| format!("cannot read {}", a.proof.display()))?;
    let vkey = match &a.vkey {
        None => None,
        Some(k) if Path::new(k).is_file() => Some(keys::load_verifier(Path::new(k))?),
        Some(k) => {
            Some(NoteVerifier::parse(k).context("--vkey is neither a file nor a verifier key")?)
        }
    };
    // A document that is not a proof at all is unreadable input (exit 2);
    // a proof that does not verify is a failed check (exit 1).
    let v: serde_json::Value = serde_json::from_str(&json)
        .with_context(|| format!("{} is not JSON", a.proof.display()))?;
    if !matches!(
        v.get("type").and_then(|t| t.as_str()),
        Some("inclusion" | "consistency")
    ) {
        anyhow::bail!(
            "{} is not a proof from `datagate log prove` or `log consistency`",
            a.proof.display()
        );
    }
    match check_proof(&json, vkey.as_ref()) {
        Ok(o) => {
            match a.format {
                Format::Json => print_json(&serde_json::json!({"ok": true, "outcome": o}))?,
                Format::Text => {
                    println!("ok: {}", o.summary);
                    if !o.trusted_key {
                        println!("note: checked with the key inside the proof; pass --vkey to check who signed it");
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            match a.format {
                Format::Json => print_json(&serde_json::json!({"ok": false, "error": e}))?,
                Format::Text => println!("FAILED: {e}"),
            }
            Ok(ExitCode::from(1))
        }
    }
}

fn export(a: ExportArgs) -> anyhow::Result<ExitCode> {
    let (_, ledger) = open_ledger()?;
    let size = ledger.size()?;
    let mut buf: Vec<u8> = Vec::new();
    ledger
        .store()
        .scan_entries(0, size, &mut |e| {
            buf.extend_from_slice(&e.bytes);
            buf.push(b'\n');
            Ok(())
        })
        .map_err(datagate_ledger::LedgerError::Storage)?;
    write_out(a.output.as_deref(), &buf)?;
    Ok(ExitCode::SUCCESS)
}

fn activity_cmd(a: ActivityArgs) -> anyhow::Result<ExitCode> {
    let window = activity::parse_window(&a.window).map_err(anyhow::Error::msg)?;
    let (_, ledger) = open_ledger()?;
    let mut entries = Vec::new();
    ledger.for_each_entry(0, u64::MAX, &mut |_, e| {
        if let Ok(e) = e {
            entries.push(e);
        }
        Ok(())
    })?;
    let total = entries.len();
    let bursts = activity::bursts(entries, window, a.threshold);
    match a.format {
        Format::Json => print_json(&serde_json::json!({
            "window": a.window,
            "threshold": a.threshold,
            "entries": total,
            "alerts": bursts,
        }))?,
        Format::Text => {
            if bursts.is_empty() {
                println!(
                    "no actor has more than {} events in any {} window ({total} entries)",
                    a.threshold, a.window
                );
            }
            for b in &bursts {
                let actions: Vec<String> =
                    b.actions.iter().map(|(k, v)| format!("{k}={v}")).collect();
                println!(
                    "ALERT {}: {} events in {} ({} .. {}; entries {}..{}): {}",
                    b.actor,
                    b.count,
                    a.window,
                    b.window_start,
                    b.window_end,
                    b.first_seq,
                    b.last_seq,
                    actions.join(" ")
                );
            }
        }
    }
    // Unusual activity is a finding: exit 1 so cron and CI notice.
    Ok(if bursts.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
