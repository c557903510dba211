//! Watching folders and recording every change into the ledger.
//!
//! Built on `notify` (inotify on Linux, FSEvents/kqueue elsewhere) through
//! `notify-debouncer-full`, which merges the burst of low-level events a
//! single save produces and stitches rename pairs together. Each debounced
//! batch becomes one [`crate::Ledger::append_batch`] (one signed head per
//! batch), with the file's new SHA-256 for creates, modifies and renames.
//!
//! inotify does not say *who* changed a file, so the recorded actor is the
//! user running the watcher and `details.actor_source` says so; naming the
//! acting process needs fanotify (CAP_SYS_ADMIN) or auditd, which this module
//! does not use. Events under the project's `.datagate/` folder are ignored,
//! or the ledger's own writes would be recorded forever.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode, ModifyKind, RenameMode};
use notify::{EventKind, RecursiveMode};
use notify_debouncer_full::{new_debouncer, DebounceEventResult};
use sha2::{Digest, Sha256};

use crate::{Event, Ledger, LedgerError, Receipt, Result, Subject};

/// How to watch.
#[derive(Debug, Clone)]
pub struct WatchOptions {
    /// Folders (or files) to watch, recursively.
    pub paths: Vec<PathBuf>,
    /// Quiet time that ends a burst of events.
    pub debounce: Duration,
    /// Recorded as the actor of every event.
    pub actor: String,
    /// Names are recorded relative to this folder when inside it.
    pub root: PathBuf,
    /// Paths under these folders are ignored (the project's `.datagate/`).
    pub ignore: Vec<PathBuf>,
    /// Record read access too, where the OS reports it (noisy).
    pub access: bool,
    /// Stop after recording this many events.
    pub max_events: Option<u64>,
    /// Stop after this long.
    pub duration: Option<Duration>,
}

/// One change as recorded.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Recorded {
    /// The ledger action (`file.create`, `file.modify`, `file.delete`,
    /// `file.rename`, `file.access`).
    pub action: String,
    /// The path as recorded.
    pub name: String,
    /// The entry it became.
    pub seq: u64,
    /// The new SHA-256, when the path is a readable regular file.
    pub sha256: Option<String>,
}

fn sha256_file(path: &Path) -> Option<(String, u64)> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    if !meta.is_file() {
        return None;
    }
    let mut f = std::fs::File::open(path).ok()?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut n_total = 0u64;
    loop {
        let n = f.read(&mut buf).ok()?;
        if n == 0 {
            break;
        }
        n_total += n as u64;
        h.update(&buf[..n]);
    }
    Some((hex::encode(h.finalize()), n_total))
}

fn display_name(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if rel.is_absolute() {
        path.to_string_lossy().into_owned()
    } else {
        parts.join("/")
    }
}

/// Turns one debounced notify event into zero or more ledger events.
pub fn to_events(ev: &notify::Event, opts: &WatchOptions) -> Vec<Event> {
    let ignored = |p: &Path| opts.ignore.iter().any(|i| p.starts_with(i));
    let mut out = Vec::new();
    let mut push = |action: &str, path: &Path, from: Option<&Path>| {
        if ignored(path) {
            return;
        }
        let name = display_name(&opts.root, path);
        let mut subject = Subject::named(name);
        let mut details = serde_json::Map::new();
        if action != "file.delete" {
            match sha256_file(path) {
                Some((h, size)) => {
                    subject = subject.with_digest("sha256", h);
                    details.insert("size".into(), size.into());
                    details.insert("kind".into(), "file".into());
                }
                None => {
                    let kind = match std::fs::symlink_metadata(path) {
                        Ok(m) if m.is_dir() => "dir",
                        Ok(m) if m.file_type().is_symlink() => "symlink",
                        Ok(_) => "other",
                        Err(_) => "gone",
                    };
                    details.insert("kind".into(), kind.into());
                }
            }
        }
        if let Some(f) = from {
            details.insert("from".into(), display_name(&opts.root, f).into());
        }
        details.insert(
            "actor_source".into(),
            "the watching user (the OS does not report who changed the file)".into(),
        );
        out.push(
            Event::new(opts.actor.clone(), action, subject)
                .with_details(serde_json::Value::Object(details)),
        );
    };
    match &ev.kind {
        EventKind::Create(_) => ev.paths.iter().for_each(|p| push("file.create", p, None)),
        EventKind::Remove(_) => ev.paths.iter().for_each(|p| push("file.delete", p, None)),
        EventKind::Modify(ModifyKind::Name(mode)) => match (mode, ev.paths.as_slice()) {
            (RenameMode::Both, [from, to]) => {
                if ignored(from) {
                    push("file.create", to, None);
                } else {
                    push("file.rename", to, Some(from));
                }
            }
            (RenameMode::From, paths) => paths.iter().for_each(|p| push("file.delete", p, None)),
            (RenameMode::To, paths) => paths.iter().for_each(|p| push("file.create", p, None)),
            (_, paths) => paths.iter().for_each(|p| {
                if p.exists() {
                    push("file.create", p, None)
                } else {
                    push("file.delete", p, None)
                }
            }),
        },
        EventKind::Modify(_) => ev.paths.iter().for_each(|p| push("file.modify", p, None)),
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => {}
        EventKind::Access(_) if opts.access => {
            ev.paths.iter().for_each(|p| push("file.access", p, None))
        }
        _ => {}
    }
    out
}

/// Watches until `max_events`/`duration` is reached (or forever), calling
/// `on_ready` once every path is being watched and `on_record` after each
/// committed batch.
pub fn watch(
    ledger: &mut Ledger,
    opts: &WatchOptions,
    on_ready: &mut dyn FnMut(),
    on_record: &mut dyn FnMut(&[Recorded]),
) -> Result<u64> {
    let (tx, rx) = mpsc::channel::<DebounceEventResult>();
    let mut debouncer = new_debouncer(opts.debounce, None, tx)
        .map_err(|e| LedgerError::OutOfRange(format!("cannot start watching: {e}")))?;
    for p in &opts.paths {
        debouncer
            .watch(p, RecursiveMode::Recursive)
            .map_err(|e| LedgerError::OutOfRange(format!("cannot watch {}: {e}", p.display())))?;
    }
    on_ready();
    let started = Instant::now();
    let mut recorded = 0u64;
    loop {
        if let Some(d) = opts.duration {
            if started.elapsed() >= d {
                break;
            }
        }
        if opts.max_events.is_some_and(|m| recorded >= m) {
            break;
        }
        let batch = match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(b) => b,
            Err(mpsc::RecvTimeoutError::Timeout) => continue,
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        };
        let events = match batch {
            Ok(evs) => evs,
            Err(errs) => {
                for e in errs {
                    eprintln!("watch: {e}");
                }
                continue;
            }
        };
        let mut to_append = Vec::new();
        for ev in &events {
            to_append.extend(to_events(&ev.event, opts));
        }
        if to_append.is_empty() {
            continue;
        }
        let summary: Vec<(String, String, Option<String>)> = to_append
            .iter()
            .map(|e| {
                (
                    e.action.clone(),
                    e.subject.name.clone(),
                    e.subject.digest.get("sha256").cloned(),
                )
            })
            .collect();
        let receipts: Vec<Receipt> = ledger.append_batch(to_append)?;
        let rec: Vec<Recorded> = summary
            .into_iter()
            .zip(&receipts)
            .map(|((action, name, sha256), r)| Recorded {
                action,
                name,
                seq: r.seq,
                sha256,
            })
            .collect();
        recorded += rec.len() as u64;
        on_record(&rec);
    }
    Ok(recorded)
}
