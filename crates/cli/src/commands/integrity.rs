//! `datagate integrity baseline|check|list`: scheduled integrity checks of
//! folders against baselines stored in the project, recorded in the ledger.
//!
//! A baseline is a manifest (from `datagate-integrity`) stored as
//! `.datagate/baselines/<name>.json` together with the folder it describes.
//! `integrity check` verifies every baseline once, records one ledger entry
//! per baseline (`integrity.check`, with what changed) and exits 1 if any
//! folder changed: made for cron.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use datagate_integrity::manifest::{create_tree, verify_tree, Manifest, VerifyReport};
use datagate_integrity::Algorithms;
use datagate_ledger::{default_actor, Event, Ledger, Subject};
use datagate_project::Project;
use serde::{Deserialize, Serialize};

use super::log::Format;

/// Integrity baselines of folders, checked on demand or from cron.
#[derive(clap::Subcommand)]
pub enum Command {
    /// Fingerprint a folder and store it as a baseline in the project.
    Baseline(BaselineArgs),
    /// Verify every baseline once, record the result in the ledger; exit 1 on any change.
    Check(CheckArgs),
    /// List the stored baselines.
    List(ListArgs),
}

/// `integrity baseline`.
#[derive(clap::Args)]
pub struct BaselineArgs {
    /// The folder to fingerprint.
    pub dir: PathBuf,
    /// The baseline's name (default: the folder's path inside the project).
    #[arg(long)]
    pub name: Option<String>,
    /// Record BLAKE3 digests too.
    #[arg(long)]
    pub blake3: bool,
    /// Replace an existing baseline of that name (the change is recorded).
    #[arg(long)]
    pub replace: bool,
    /// Use this manifest (from `datagate manifest create`) as the baseline
    /// instead of fingerprinting DIR now.
    #[arg(long)]
    pub manifest: Option<PathBuf>,
}

/// `integrity check`.
#[derive(clap::Args)]
pub struct CheckArgs {
    /// Check only these baselines (default: all).
    #[arg(long = "name")]
    pub names: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// `integrity list`.
#[derive(clap::Args)]
pub struct ListArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// A stored baseline.
#[derive(Serialize, Deserialize)]
struct Baseline {
    name: String,
    /// The folder, relative to the project root when inside it.
    path: String,
    created: String,
    manifest_sha256: String,
    manifest: Manifest,
}

/// Run `datagate integrity ...`.
pub fn run(cmd: Command) -> anyhow::Result<ExitCode> {
    match cmd {
        Command::Baseline(a) => baseline(a),
        Command::Check(a) => check(a),
        Command::List(a) => list(a),
    }
}

fn rel_or_abs(root: &Path, dir: &Path) -> String {
    match dir.strip_prefix(root) {
        Ok(r) if r.as_os_str().is_empty() => ".".to_string(),
        Ok(r) => r
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/"),
        Err(_) => dir.to_string_lossy().into_owned(),
    }
}

fn file_name_for(name: &str) -> String {
    let clean: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let clean = clean.trim_start_matches('.').to_string();
    format!(
        "{}.json",
        if clean.is_empty() {
            "root".to_string()
        } else {
            clean
        }
    )
}

fn sha256_hex(b: &[u8]) -> String {
    datagate_integrity::hash::sha256_hex(b)
}

fn baseline(a: BaselineArgs) -> anyhow::Result<ExitCode> {
    let project = Project::discover_from_cwd()?;
    let mut ledger = Ledger::open(&project)?;
    let dir = a
        .dir
        .canonicalize()
        .with_context(|| format!("cannot read {}", a.dir.display()))?;
    if !dir.is_dir() {
        anyhow::bail!("{} is not a folder", a.dir.display());
    }
    let root = project.root().canonicalize()?;
    let path = rel_or_abs(&root, &dir);
    let name = a.name.unwrap_or_else(|| path.clone());
    let file = project.baselines_dir().join(file_name_for(&name));
    if file.exists() && !a.replace {
        anyhow::bail!(
            "a baseline named {name:?} exists ({}); pass --replace to replace it",
            file.display()
        );
    }
    // Leave the project's own state out when baselining the project root.
    let state = project.state_dir().canonicalize().ok();
    let exclude: Vec<String> = state
        .as_deref()
        .and_then(|s| s.strip_prefix(&dir).ok())
        .map(|r| vec![r.to_string_lossy().into_owned()])
        .unwrap_or_default();
    let algs = if a.blake3 {
        Algorithms::Both
    } else {
        Algorithms::Sha256
    };
    let manifest = match &a.manifest {
        Some(m) => Manifest::read(m)?,
        None => create_tree(&dir, algs, &exclude, &|_| {})?,
    };
    let manifest_sha256 = sha256_hex(&manifest.to_canonical_json()?);
    let files = manifest.files.len();
    let b = Baseline {
        name: name.clone(),
        path: path.clone(),
        created: datagate_ledger::entry::now_rfc3339(),
        manifest_sha256: manifest_sha256.clone(),
        manifest,
    };
    let mut json = serde_json::to_vec_pretty(&b)?;
    json.push(b'\n');
    datagate_project::write_atomic(&file, &json)?;
    let r = ledger.append(
        Event::new(
            default_actor(),
            "integrity.baseline",
            Subject::named(&path).with_digest("sha256", &manifest_sha256),
        )
        .with_details(serde_json::json!({"baseline": name, "files": files, "replaced": a.replace})),
    )?;
    println!(
        "baseline {name:?}: {files} files in {path}, manifest sha256 {manifest_sha256} (ledger entry {})",
        r.seq
    );
    Ok(ExitCode::SUCCESS)
}

fn load_baselines(project: &Project) -> anyhow::Result<Vec<(PathBuf, Baseline)>> {
    let dir = project.baselines_dir();
    let mut out = Vec::new();
    let rd = match std::fs::read_dir(&dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", dir.display())),
    };
    for e in rd {
        let p = e?.path();
        if p.extension().is_some_and(|x| x == "json") {
            let bytes =
                std::fs::read(&p).with_context(|| format!("cannot read {}", p.display()))?;
            let b: Baseline = serde_json::from_slice(&bytes)
                .with_context(|| format!("{} is not a datagate baseline", p.display()))?;
            out.push((p, b));
        }
    }
    out.sort_by(|a, b| a.1.name.cmp(&b.1.name));
    Ok(out)
}

#[derive(Serialize)]
struct CheckResult {
    name: String,
    path: String,
    ok: bool,
    error: Option<String>,
    report: Option<VerifyReport>,
    ledger_entry: u64,
}

fn cap<T: Clone>(v: &[T]) -> Vec<T> {
    v.iter().take(100).cloned().collect()
}

fn check(a: CheckArgs) -> anyhow::Result<ExitCode> {
    let project = Project::discover_from_cwd()?;
    let mut ledger = Ledger::open(&project)?;
    let root = project.root().canonicalize()?;
    let mut baselines = load_baselines(&project)?;
    if !a.names.is_empty() {
        for n in &a.names {
            if !baselines.iter().any(|(_, b)| &b.name == n) {
                anyhow::bail!("no baseline named {n:?} (see `datagate integrity list`)");
            }
        }
        baselines.retain(|(_, b)| a.names.contains(&b.name));
    }
    if baselines.is_empty() {
        anyhow::bail!(
            "no baselines in this project: create one with `datagate integrity baseline DIR`"
        );
    }
    let mut results = Vec::new();
    let mut events = Vec::new();
    for (_, b) in &baselines {
        let dir = if Path::new(&b.path).is_absolute() {
            PathBuf::from(&b.path)
        } else {
            root.join(&b.path)
        };
        let state = project.state_dir().canonicalize().ok();
        let exclude: Vec<String> = state
            .as_deref()
            .and_then(|s| s.strip_prefix(&dir).ok())
            .map(|r| vec![r.to_string_lossy().into_owned()])
            .unwrap_or_default();
        let (ok, error, report) = match verify_tree(&dir, &b.manifest, &exclude, &|_| {}) {
            Ok(r) => (r.is_clean(), None, Some(r)),
            Err(e) => (false, Some(e.to_string()), None),
        };
        let details = match &report {
            Some(r) => serde_json::json!({
                "baseline": b.name,
                "result": if ok { "unchanged" } else { "changed" },
                "checked": r.checked,
                "modified": cap(&r.modified),
                "added": cap(&r.added),
                "removed": cap(&r.removed),
                "unreadable": cap(&r.unreadable),
            }),
            None => serde_json::json!({"baseline": b.name, "result": "error", "error": error}),
        };
        events.push(
            Event::new(
                default_actor(),
                "integrity.check",
                Subject::named(&b.path).with_digest("sha256", &b.manifest_sha256),
            )
            .with_details(details),
        );
        results.push(CheckResult {
            name: b.name.clone(),
            path: b.path.clone(),
            ok,
            error,
            report,
            ledger_entry: 0,
        });
    }
    let receipts = ledger.append_batch(events)?;
    for (r, rc) in results.iter_mut().zip(&receipts) {
        r.ledger_entry = rc.seq;
    }
    let all_ok = results.iter().all(|r| r.ok);
    match a.format {
        Format::Json => {
            println!(
                "{}",
                serde_json::to_string_pretty(
                    &serde_json::json!({"ok": all_ok, "baselines": results})
                )?
            )
        }
        Format::Text => {
            for r in &results {
                if r.ok {
                    println!(
                        "ok       {} ({}) unchanged [ledger entry {}]",
                        r.name, r.path, r.ledger_entry
                    );
                    continue;
                }
                println!(
                    "CHANGED  {} ({}) [ledger entry {}]",
                    r.name, r.path, r.ledger_entry
                );
                if let Some(e) = &r.error {
                    println!("  error: {e}");
                }
                if let Some(rep) = &r.report {
                    for m in &rep.modified {
                        println!("  modified    {}: {}", m.path, m.reason);
                    }
                    for p in &rep.added {
                        println!("  added       {p}");
                    }
                    for p in &rep.removed {
                        println!("  removed     {p}");
                    }
                    for u in &rep.unreadable {
                        println!("  unreadable  {}: {}", u.path, u.error);
                    }
                }
            }
        }
    }
    Ok(if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn list(a: ListArgs) -> anyhow::Result<ExitCode> {
    let project = Project::discover_from_cwd()?;
    let baselines = load_baselines(&project)?;
    match a.format {
        Format::Json => {
            let v: Vec<_> = baselines
                .iter()
                .map(|(p, b)| {
                    serde_json::json!({
                        "name": b.name, "path": b.path, "created": b.created,
                        "files": b.manifest.files.len(), "manifest_sha256": b.manifest_sha256,
                        "file": p,
                    })
                })
                .collect();
            println!("{}", serde_json::to_string_pretty(&v)?);
        }
        Format::Text => {
            if baselines.is_empty() {
                println!("no baselines (create one with `datagate integrity baseline DIR`)");
            }
            for (_, b) in &baselines {
                println!(
                    "{:<24} {:<32} {:>6} files  {}",
                    b.name,
                    b.path,
                    b.manifest.files.len(),
                    b.created
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
