//! `datagate hash`: SHA-256 / BLAKE3 fingerprints, compatible with `sha256sum` and `b3sum`.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use datagate_integrity::walk::{walk, EntryKind};
use datagate_integrity::{hash, Algorithms};

/// Print SHA-256 and/or BLAKE3 fingerprints of files and folders.
///
/// With `--algo sha256` the output is exactly `sha256sum`'s (`sha256sum -c` accepts it); with
/// `--algo blake3` exactly `b3sum`'s (`b3sum -c` accepts it). The default, `both`, prints the
/// BSD-tagged form (`SHA256 (path) = ...` and `BLAKE3 (path) = ...`), which `sha256sum -c`
/// accepts (it skips the BLAKE3 lines with a warning) and `datagate hash --check` checks fully.
/// Folders are walked recursively; symlinks inside them are reported, never followed.
#[derive(clap::Args)]
pub struct Args {
    /// Files or folders to fingerprint.
    #[arg(required_unless_present = "check")]
    pub paths: Vec<PathBuf>,
    /// Which digests to compute.
    #[arg(long, value_enum, default_value_t = Algo::Both)]
    pub algo: Algo,
    /// Check the files listed in a checksum file (sha256sum, b3sum or tagged format). Untagged
    /// lines are SHA-256 unless `--algo blake3` is given.
    #[arg(short = 'c', long, value_name = "FILE", conflicts_with = "paths")]
    pub check: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Fingerprint datasets by their rows instead of their bytes (`datagate-rows-v1`: stable
    /// when the same rows are re-encoded as CSV, Parquet, JSON Lines or Arrow IPC; see the
    /// integrity crate's `content` module for the exact definition).
    #[arg(long, conflicts_with = "check")]
    pub content: bool,
    /// Do not show a progress bar.
    #[arg(short, long)]
    pub quiet: bool,
}

/// Digest choice on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Algo {
    /// SHA-256 only (`sha256sum` format).
    Sha256,
    /// BLAKE3 only (`b3sum` format).
    Blake3,
    /// Both, in BSD-tagged lines.
    Both,
}

impl From<Algo> for Algorithms {
    fn from(a: Algo) -> Self {
        match a {
            Algo::Sha256 => Algorithms::Sha256,
            Algo::Blake3 => Algorithms::Blake3,
            Algo::Both => Algorithms::Both,
        }
    }
}

/// Output format for the integrity commands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Human-readable (and, for `hash`, checksum-file) text.
    Text,
    /// One JSON document.
    Json,
}

/// A progress bar over bytes on stderr, hidden when stderr is not a terminal or when `quiet`.
pub(crate) fn byte_progress(total: u64, quiet: bool) -> indicatif::ProgressBar {
    let bar = if quiet {
        indicatif::ProgressBar::hidden()
    } else {
        indicatif::ProgressBar::with_draw_target(
            Some(total),
            indicatif::ProgressDrawTarget::stderr(),
        )
    };
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{spinner} {bytes}/{total_bytes} [{bar:30}] {bytes_per_sec} eta {eta}",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// Escape a file name the way GNU coreutils does: a name with `\` or a newline is written with
/// those escaped and the whole line prefixed by `\`.
fn escape_name(name: &str) -> (bool, String) {
    if !name.contains(['\\', '\n', '\r']) {
        return (false, name.to_string());
    }
    let mut s = String::with_capacity(name.len() + 4);
    for c in name.chars() {
        match c {
            '\\' => s.push_str("\\\\"),
            '\n' => s.push_str("\\n"),
            '\r' => s.push_str("\\r"),
            c => s.push(c),
        }
    }
    (true, s)
}

fn unescape_name(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c == '\\' {
            match it.next() {
                Some('n') => out.push('\n'),
                Some('r') => out.push('\r'),
                Some('\\') => out.push('\\'),
                Some(o) => {
                    out.push('\\');
                    out.push(o);
                }
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn display_path(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// Run `datagate hash`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if let Some(check) = &args.check {
        return run_check(check, args.algo, args.format, args.quiet);
    }
    if args.content {
        return run_content(&args);
    }
    let algorithms: Algorithms = args.algo.into();
    // Expand folders; keep the order the user gave, entries sorted within each folder.
    let mut files: Vec<PathBuf> = Vec::new();
    let mut total = 0u64;
    let mut problems = 0usize;
    for p in &args.paths {
        let meta = std::fs::metadata(p).with_context(|| format!("cannot read {}", p.display()))?;
        if meta.is_dir() {
            let w = walk(p, &|_| false).with_context(|| format!("cannot read {}", p.display()))?;
            for prob in w.problems {
                eprintln!("datagate: {}", prob.error);
                problems += 1;
            }
            for e in w.entries {
                match e.kind {
                    EntryKind::File { size } => {
                        total += size;
                        files.push(e.path);
                    }
                    EntryKind::Symlink { target, .. } => {
                        eprintln!(
                            "datagate: {}: symlink to {target:?}, not followed",
                            e.path.display()
                        );
                    }
                }
            }
        } else {
            total += meta.len();
            files.push(p.clone());
        }
    }
    let bar = byte_progress(total, args.quiet);
    let progress = |n: u64| bar.inc(n);
    let results = hash::hash_files(&files, algorithms, &progress);
    bar.finish_and_clear();

    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut json_rows = Vec::new();
    for (path, r) in files.iter().zip(results) {
        let d = match r {
            Ok(d) => d,
            Err(e) => {
                eprintln!("datagate: {e}");
                problems += 1;
                continue;
            }
        };
        let name = display_path(path);
        if args.format == Format::Json {
            json_rows.push(serde_json::json!({
                "path": name, "size": d.size, "sha256": d.sha256_hex(), "blake3": d.blake3_hex(),
            }));
            continue;
        }
        let (escaped, esc) = escape_name(&name);
        let prefix = if escaped { "\\" } else { "" };
        match args.algo {
            Algo::Sha256 | Algo::Blake3 => {
                let hex = d.sha256_hex().or(d.blake3_hex()).unwrap_or_default();
                writeln!(out, "{prefix}{hex}  {esc}")?;
            }
            Algo::Both => {
                writeln!(
                    out,
                    "{prefix}SHA256 ({esc}) = {}",
                    d.sha256_hex().unwrap_or_default()
                )?;
                writeln!(
                    out,
                    "{prefix}BLAKE3 ({esc}) = {}",
                    d.blake3_hex().unwrap_or_default()
                )?;
            }
        }
    }
    if args.format == Format::Json {
        serde_json::to_writer_pretty(
            &mut out,
            &serde_json::json!({ "files": json_rows, "errors": problems }),
        )?;
        writeln!(out)?;
    }
    out.flush()?;
    Ok(if problems > 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

fn run_content(args: &Args) -> anyhow::Result<ExitCode> {
    let options = datagate_dataset::ReadOptions::default();
    let mut rows = Vec::new();
    for p in &args.paths {
        let d = datagate_integrity::content::content_digest(p, &options)?;
        match args.format {
            Format::Text => println!("ROWS-SHA256 ({}) = {}  [{} rows, {}]", display_path(p), d.sha256, d.rows, d.version),
            Format::Json => rows.push(serde_json::json!({
                "path": display_path(p), "version": d.version, "rows": d.rows, "sha256": d.sha256,
                "columns": d.columns.iter().map(|(n, t)| serde_json::json!({"name": n, "type": t})).collect::<Vec<_>>(),
            })),
        }
    }
    if args.format == Format::Json {
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({ "datasets": rows }))?
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// One line of a checksum file.
#[derive(Debug, PartialEq, Eq)]
struct CheckLine {
    blake3: bool,
    hex: String,
    path: String,
}

fn parse_check_line(line: &str, default_blake3: bool) -> Option<CheckLine> {
    let (escaped, line) = match line.strip_prefix('\\') {
        Some(rest) => (true, rest),
        None => (false, line),
    };
    let fix = |p: &str| {
        if escaped {
            unescape_name(p)
        } else {
            p.to_string()
        }
    };
    for (tag, blake3) in [("SHA256 (", false), ("BLAKE3 (", true)] {
        if let Some(rest) = line.strip_prefix(tag) {
            let (path, hex) = rest.rsplit_once(") = ")?;
            return valid_hex(hex).then(|| CheckLine {
                blake3,
                hex: hex.to_ascii_lowercase(),
                path: fix(path),
            });
        }
    }
    let (hex, rest) = line.split_once(' ')?;
    // "hex  path" (text mode) or "hex *path" (binary mode).
    let path = rest.strip_prefix(' ').or_else(|| rest.strip_prefix('*'))?;
    valid_hex(hex).then(|| CheckLine {
        blake3: default_blake3,
        hex: hex.to_ascii_lowercase(),
        path: fix(path),
    })
}

fn valid_hex(h: &str) -> bool {
    h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit())
}

fn run_check(file: &Path, algo: Algo, format: Format, quiet: bool) -> anyhow::Result<ExitCode> {
    let f = std::fs::File::open(file).with_context(|| format!("cannot read {}", file.display()))?;
    let mut lines = Vec::new();
    let mut bad_lines = 0usize;
    for (i, line) in std::io::BufReader::new(f).lines().enumerate() {
        let line =
            line.with_context(|| format!("cannot read {} at line {}", file.display(), i + 1))?;
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        match parse_check_line(line, algo == Algo::Blake3) {
            Some(l) => lines.push(l),
            None => bad_lines += 1,
        }
    }
    if lines.is_empty() {
        anyhow::bail!(
            "{}: no properly formatted checksum lines found",
            file.display()
        );
    }
    let paths: Vec<PathBuf> = lines.iter().map(|l| PathBuf::from(&l.path)).collect();
    let need_b3 = lines.iter().any(|l| l.blake3);
    let need_sha = lines.iter().any(|l| !l.blake3);
    let algorithms = match (need_sha, need_b3) {
        (true, true) => Algorithms::Both,
        (false, true) => Algorithms::Blake3,
        _ => Algorithms::Sha256,
    };
    let total = paths
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();
    let bar = byte_progress(total, quiet);
    let progress = |n: u64| bar.inc(n);
    let results = hash::hash_files(&paths, algorithms, &progress);
    bar.finish_and_clear();
    let (mut failed, mut unreadable) = (0usize, 0usize);
    let mut rows = Vec::new();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for (l, r) in lines.iter().zip(results) {
        let status = match r {
            Err(e) => {
                eprintln!("datagate: {e}");
                unreadable += 1;
                "FAILED open or read"
            }
            Ok(d) => {
                let actual = if l.blake3 {
                    d.blake3_hex()
                } else {
                    d.sha256_hex()
                };
                if actual.as_deref() == Some(l.hex.as_str()) {
                    "OK"
                } else {
                    failed += 1;
                    "FAILED"
                }
            }
        };
        if format == Format::Json {
            rows.push(serde_json::json!({"path": l.path, "algorithm": if l.blake3 {"blake3"} else {"sha256"}, "status": status}));
        } else {
            writeln!(out, "{}: {status}", l.path)?;
        }
    }
    if format == Format::Json {
        serde_json::to_writer_pretty(
            &mut out,
            &serde_json::json!({
                "checked": lines.len(), "failed": failed, "unreadable": unreadable,
                "improperly_formatted_lines": bad_lines, "results": rows,
            }),
        )?;
        writeln!(out)?;
    }
    out.flush()?;
    if bad_lines > 0 {
        eprintln!("datagate: WARNING: {bad_lines} line(s) improperly formatted");
    }
    if unreadable > 0 {
        eprintln!("datagate: WARNING: {unreadable} listed file(s) could not be read");
    }
    if failed > 0 {
        eprintln!("datagate: WARNING: {failed} computed checksum(s) did NOT match");
    }
    Ok(if failed + unreadable > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_lines_in_every_format() {
        let h = "a".repeat(64);
        assert_eq!(
            parse_check_line(&format!("{h}  data/x.csv"), false),
            Some(CheckLine {
                blake3: false,
                hex: h.clone(),
                path: "data/x.csv".into()
            })
        );
        assert_eq!(
            parse_check_line(&format!("{h} *x"), true).map(|l| l.blake3),
            Some(true)
        );
        assert_eq!(
            parse_check_line(&format!("BLAKE3 (a (1).txt) = {h}"), false),
            Some(CheckLine {
                blake3: true,
                hex: h.clone(),
                path: "a (1).txt".into()
            })
        );
        assert_eq!(
            parse_check_line(&format!("\\{h}  a\\nb\\\\c"), false).map(|l| l.path),
            Some("a\nb\\c".to_string())
        );
        assert_eq!(parse_check_line("nonsense", false), None);
        assert_eq!(
            parse_check_line(&format!("{}  x", "g".repeat(64)), false),
            None
        );
    }

    #[test]
    fn names_are_escaped_like_coreutils() {
        assert_eq!(escape_name("plain"), (false, "plain".into()));
        assert_eq!(escape_name("a\nb\\c"), (true, "a\\nb\\\\c".into()));
        assert_eq!(unescape_name("a\\nb\\\\c"), "a\nb\\c");
    }
}
