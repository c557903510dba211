//! Crash and concurrency tests with real processes.
//!
//! The child process is this same test binary, re-run with
//! `DG_LEDGER_CHILD_PROJECT` set and filtered to `child_process_entry`: it
//! appends small batches in a loop and prints `committed <seq> <tag> <i>`
//! after each batch commits. Without the variable that test does nothing.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::*;
use datagate_ledger::{Event, Ledger, Subject};
use datagate_project::Project;

const ENV_PROJECT: &str = "DG_LEDGER_CHILD_PROJECT";
const ENV_TAG: &str = "DG_LEDGER_CHILD_TAG";
const ENV_LIMIT: &str = "DG_LEDGER_CHILD_LIMIT";

/// The child's entry point (a no-op unless run by the tests below).
#[test]
fn child_process_entry() {
    let Ok(root) = std::env::var(ENV_PROJECT) else {
        return;
    };
    let tag = std::env::var(ENV_TAG).unwrap_or_default();
    let limit: u64 = std::env::var(ENV_LIMIT)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(u64::MAX);
    let p = Project::open(std::path::Path::new(&root)).unwrap();
    let mut l = Ledger::open(&p).unwrap();
    let out = std::io::stdout();
    let mut i = 0u64;
    while i < limit {
        let k = (1 + i % 5).min(limit - i);
        let events: Vec<Event> = (i..i + k)
            .map(|j| {
                Event::new(tag.clone(), "append", Subject::named(format!("{tag}/{j}")))
                    .with_details(serde_json::json!({"tag": tag, "i": j}))
            })
            .collect();
        let receipts = l.append_batch(events).unwrap();
        let mut o = out.lock();
        for (r, j) in receipts.iter().zip(i..) {
            writeln!(o, "committed {} {tag} {j}", r.seq).unwrap();
        }
        o.flush().unwrap();
        i += k;
    }
}

fn spawn_child(p: &Project, tag: &str, limit: Option<u64>) -> Child {
    let exe = std::env::current_exe().unwrap();
    let mut cmd = Command::new(exe);
    cmd.args([
        "--exact",
        "child_process_entry",
        "--nocapture",
        "--test-threads=1",
    ])
    .env(ENV_PROJECT, p.root())
    .env(ENV_TAG, tag)
    .stdout(Stdio::piped())
    .stderr(Stdio::null());
    if let Some(n) = limit {
        cmd.env(ENV_LIMIT, n.to_string());
    }
    cmd.spawn().unwrap()
}

/// Reads `committed` lines until the child's stdout closes.
fn collect(child: &mut Child) -> std::thread::JoinHandle<Vec<(u64, String, u64)>> {
    collect_notify(child, None)
}

/// [`collect`], sending one message on `first` when the first commit is reported.
fn collect_notify(
    child: &mut Child,
    first: Option<std::sync::mpsc::Sender<()>>,
) -> std::thread::JoinHandle<Vec<(u64, String, u64)>> {
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        let mut first = first;
        let mut got = Vec::new();
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            // The test harness may print its own text before the first line.
            let Some(at) = line.rfind("committed ") else {
                continue;
            };
            let parts: Vec<&str> = line[at..].split(' ').collect();
            // A line cut by the kill is ignored: it was not fully reported.
            if parts.len() == 4 && parts[0] == "committed" {
                if let (Ok(seq), Ok(i)) = (parts[1].parse(), parts[3].parse()) {
                    got.push((seq, parts[2].to_string(), i));
                    if let Some(tx) = first.take() {
                        let _ = tx.send(());
                    }
                }
            }
        }
        got
    })
}

fn check_reported(l: &Ledger, reported: &[(u64, String, u64)]) {
    for (seq, tag, i) in reported {
        let e = l
            .entry(*seq)
            .unwrap_or_else(|err| panic!("reported entry {seq} is gone: {err}"));
        assert_eq!(e.details["tag"], tag.as_str(), "entry {seq}");
        assert_eq!(e.details["i"], *i, "entry {seq}");
    }
}

#[test]
fn sigkill_at_random_moments_loses_nothing_committed() {
    // A fresh log every 5 kills keeps each verify short in debug builds
    // (Ed25519 checks of every signed head dominate there).
    let tmp = tempfile::tempdir().unwrap();
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    eprintln!("crash test seed {seed}");
    let mut rng = Rng(seed);
    let all: Arc<Mutex<Vec<(u64, String, u64)>>> = Arc::default();
    let started = Instant::now();
    let rounds = 50;
    let mut p = new_project(&tmp.path().join("0"));
    let mut total = 0usize;
    for round in 0..rounds {
        if round > 0 && round % 5 == 0 {
            total += all.lock().unwrap().len();
            all.lock().unwrap().clear();
            p = new_project(&tmp.path().join(round.to_string()));
        }
        let mut child = spawn_child(&p, &format!("r{round}"), None);
        // Kill at a random moment once the child is appending (so every
        // round interrupts the append loop, however slow start-up is).
        let (tx, rx) = std::sync::mpsc::channel();
        let reader = collect_notify(&mut child, Some(tx));
        let _ = rx.recv_timeout(Duration::from_secs(20));
        std::thread::sleep(Duration::from_millis(rng.range(0, 60)));
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();
        let got = reader.join().unwrap();
        let l = Ledger::open(&p).unwrap();
        let rep = l.verify(None).unwrap();
        assert!(rep.ok, "round {round}: {:?}", rep.problems);
        let mut a = all.lock().unwrap();
        a.extend(got);
        check_reported(&l, &a);
        // Nothing beyond the last signed head, and every head verified.
        let head = l.latest_head().unwrap();
        assert_eq!(head.map_or(0, |h| h.size), l.size().unwrap());
    }
    total += all.lock().unwrap().len();
    eprintln!(
        "{rounds} kills, {total} reported commits, {:?}",
        started.elapsed()
    );
    assert!(total > 0, "no child ever committed anything");
}

#[test]
fn two_processes_appending_at_once_make_one_log() {
    let tmp = tempfile::tempdir().unwrap();
    let p = new_project(tmp.path());
    let per = 300u64;
    let mut a = spawn_child(&p, "A", Some(per));
    let mut b = spawn_child(&p, "B", Some(per));
    let (ra, rb) = (collect(&mut a), collect(&mut b));
    // Verify while both are appending: a reader sees one consistent snapshot.
    let mut verified_during = 0;
    while a.try_wait().unwrap().is_none() || b.try_wait().unwrap().is_none() {
        if let Ok(l) = Ledger::open(&p) {
            let rep = l.verify(None).unwrap();
            assert!(rep.ok, "verify during appends: {:?}", rep.problems);
            verified_during += 1;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    eprintln!("verified {verified_during} times during the appends");
    assert!(a.wait().unwrap().success());
    assert!(b.wait().unwrap().success());
    let (ga, gb) = (ra.join().unwrap(), rb.join().unwrap());
    assert_eq!((ga.len() as u64, gb.len() as u64), (per, per));

    let l = Ledger::open(&p).unwrap();
    let rep = l.verify(None).unwrap();
    assert!(rep.ok, "{:?}", rep.problems);
    assert_eq!(l.size().unwrap(), 2 * per);
    // Every append of both writers is there exactly once, under the seq it
    // was told; the seqs of the two writers never collide.
    let mut seqs: Vec<u64> = ga.iter().chain(gb.iter()).map(|x| x.0).collect();
    seqs.sort_unstable();
    seqs.dedup();
    assert_eq!(seqs.len() as u64, 2 * per);
    check_reported(&l, &ga);
    check_reported(&l, &gb);
    // Heads form one chain (verify checked consistency between each pair).
    let heads = l.store().heads().unwrap();
    assert!(heads.windows(2).all(|w| w[0].size < w[1].size));
    assert_eq!(heads.last().unwrap().size, 2 * per);
}
