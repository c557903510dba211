//! `datagate manifest create|verify`: a folder's fingerprint as canonical JSON, and its check.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use datagate_integrity::manifest::{create_tree, rel_inside, verify_tree, Manifest};
use datagate_integrity::{fsutil::write_atomic, hash::sha256_hex, Algorithms};

use super::hash::{byte_progress, Format};

/// Fingerprint a folder into a manifest, or check a folder against one.
#[derive(clap::Subcommand)]
pub enum Command {
    /// Write a manifest (RFC 8785 canonical JSON: path, size, sha256 [, blake3] per file).
    Create(CreateArgs),
    /// Compare a folder with a manifest; exit 1 naming every modified, added, removed or
    /// unreadable file.
    Verify(VerifyArgs),
}

/// `manifest create`.
#[derive(clap::Args)]
pub struct CreateArgs {
    /// The folder to fingerprint.
    pub dir: PathBuf,
    /// Where to write the manifest (left out of the fingerprint if inside DIR).
    #[arg(short, long)]
    pub output: PathBuf,
    /// Record BLAKE3 digests too.
    #[arg(long)]
    pub blake3: bool,
    /// Output format for the summary.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Do not show a progress bar.
    #[arg(short, long)]
    pub quiet: bool,
}

/// `manifest verify`.
#[derive(clap::Args)]
pub struct VerifyArgs {
    /// The folder to check.
    pub dir: PathBuf,
    /// The manifest written by `manifest create`.
    pub manifest: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Do not show a progress bar.
    #[arg(short, long)]
    pub quiet: bool,
}

/// Run `datagate manifest ...`.
pub fn run(cmd: Command) -> anyhow::Result<ExitCode> {
    match cmd {
        Command::Create(a) => create(a),
        Command::Verify(a) => verify(a),
    }
}

fn total_size(dir: &std::path::Path) -> u64 {
    datagate_integrity::walk::walk(dir, &|_| false)
        .map(|w| {
            w.entries
                .iter()
                .map(|e| match e.kind {
                    datagate_integrity::walk::EntryKind::File { size } => size,
                    _ => 0,
                })
                .sum()
        })
        .unwrap_or(0)
}

fn create(a: CreateArgs) -> anyhow::Result<ExitCode> {
    if !a.dir.is_dir() {
        anyhow::bail!("{} is not a folder", a.dir.display());
    }
    let exclude: Vec<String> = rel_inside(&a.dir, &a.output).into_iter().collect();
    let algorithms = if a.blake3 {
        Algorithms::Both
    } else {
        Algorithms::Sha256
    };
    let bar = byte_progress(total_size(&a.dir), a.quiet);
    let m = create_tree(&a.dir, algorithms, &exclude, &|n| bar.inc(n));
    bar.finish_and_clear();
    let m = m?;
    let bytes = m.to_canonical_json()?;
    write_atomic(&a.output, &bytes, false)?;
    let digest = sha256_hex(&bytes);
    match a.format {
        Format::Json => println!(
            "{}",
            serde_json::json!({"manifest": a.output, "files": m.files.len(), "symlinks": m.symlinks.len(), "sha256": digest})
        ),
        Format::Text => println!(
            "wrote {} ({} files, {} symlinks); manifest sha256 {digest}",
            a.output.display(),
            m.files.len(),
            m.symlinks.len()
        ),
    }
    Ok(ExitCode::SUCCESS)
}

fn verify(a: VerifyArgs) -> anyhow::Result<ExitCode> {
    let m = Manifest::read(&a.manifest)?;
    if !a.dir.is_dir() {
        anyhow::bail!("{} is not a folder", a.dir.display());
    }
    let exclude: Vec<String> = rel_inside(&a.dir, &a.manifest).into_iter().collect();
    let total: u64 = m.files.iter().map(|f| f.size).sum();
    let bar = byte_progress(total, a.quiet);
    let report = verify_tree(&a.dir, &m, &exclude, &|n| bar.inc(n));
    bar.finish_and_clear();
    let report = report.with_context(|| format!("cannot verify {}", a.dir.display()))?;
    let manifest_sha256 = sha256_hex(&m.to_canonical_json()?);
    let entry = crate::record::record_verdict(
        "manifest.verify",
        &a.dir.display().to_string(),
        &manifest_sha256,
        serde_json::json!({
            "manifest": a.manifest.display().to_string(),
            "ok": report.is_clean(),
            "modified": report.modified.iter().take(100).map(|m| &m.path).collect::<Vec<_>>(),
            "added": report.added.iter().take(100).collect::<Vec<_>>(),
            "removed": report.removed.iter().take(100).collect::<Vec<_>>(),
            "unreadable": report.unreadable.iter().take(100).map(|u| &u.path).collect::<Vec<_>>(),
        }),
    );
    match a.format {
        Format::Json => {
            let mut v = serde_json::to_value(&report)?;
            v["ok"] = serde_json::Value::Bool(report.is_clean());
            v["ledger_entry"] = serde_json::json!(entry);
            println!("{}", serde_json::to_string_pretty(&v)?);
        }
        Format::Text => {
            for m in &report.modified {
                println!("modified    {} ({})", m.path, m.reason);
            }
            for p in &report.added {
                println!("added       {p}");
            }
            for p in &report.removed {
                println!("removed     {p}");
            }
            for u in &report.unreadable {
                println!("unreadable  {} ({})", u.path, u.error);
            }
            let changed = report.modified.len()
                + report.added.len()
                + report.removed.len()
                + report.unreadable.len();
            if changed == 0 {
                println!(
                    "OK: {} entries match {}",
                    report.checked,
                    a.manifest.display()
                );
            } else {
                println!(
                    "FAILED: {} modified, {} added, {} removed, {} unreadable (of {} entries in {})",
                    report.modified.len(),
                    report.added.len(),
                    report.removed.len(),
                    report.unreadable.len(),
                    report.checked,
                    a.manifest.display()
                );
            }
            if let Some(seq) = entry {
                println!("recorded as ledger entry {seq}");
            }
        }
    }
    Ok(if report.is_clean() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
