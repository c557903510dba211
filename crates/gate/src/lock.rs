//! Advisory locks so that two datagate processes do not interleave transitions on the same
//! drop (two approvers signing at once) or moves of the same dataset's versions.
//!
//! A lock is a file created with `O_CREAT|O_EXCL` holding the holder's pid and time; it is
//! removed when the guard drops. A process that finds a lock waits (polling) up to
//! [`WAIT`]; a lock older than [`STALE`] is taken to be left by a crashed process and is
//! broken. The lock is advisory: it coordinates datagate processes, not other programs.
//!
//! Blind spots: on a network file system without atomic exclusive create the lock may not
//! exclude; a transition that legitimately runs longer than [`STALE`] (a review of a huge
//! file) can have its lock broken by a waiting process — review therefore takes the lock only
//! around the state update, never around the checks.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::error::{io_err, GateError, Result};

/// How long to wait for a busy lock.
pub const WAIT: Duration = Duration::from_secs(30);
/// A lock older than this is considered stale.
pub const STALE: Duration = Duration::from_secs(600);

/// A held lock; released on drop.
#[derive(Debug)]
pub struct Lock {
    path: PathBuf,
}

impl Lock {
    /// Acquires the lock file `path` (its folder must exist).
    pub fn acquire(path: &Path) -> Result<Lock> {
        let start = SystemTime::now();
        loop {
            match fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(path)
            {
                Ok(mut f) => {
                    let _ = writeln!(f, "pid {} since {}", std::process::id(), crate::now());
                    return Ok(Lock {
                        path: path.to_path_buf(),
                    });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let age = fs::metadata(path)
                        .and_then(|m| m.modified())
                        .ok()
                        .and_then(|t| SystemTime::now().duration_since(t).ok());
                    if age.is_some_and(|a| a > STALE) {
                        let _ = fs::remove_file(path);
                        continue;
                    }
                    if start.elapsed().unwrap_or_default() > WAIT {
                        let holder = fs::read_to_string(path).unwrap_or_default();
                        return Err(GateError::Refused(format!(
                            "{} is held by another datagate ({}); try again, or delete the file if no other datagate is running",
                            path.display(),
                            holder.trim()
                        )));
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(e) => return Err(io_err(path)(e)),
            }
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_waits_for_the_first() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(".lock");
        let first = Lock::acquire(&p).unwrap();
        assert!(p.exists());
        let p2 = p.clone();
        let t = std::thread::spawn(move || Lock::acquire(&p2).map(|_| ()));
        std::thread::sleep(Duration::from_millis(120));
        assert!(!t.is_finished(), "the second acquire must wait");
        drop(first);
        t.join().unwrap().unwrap();
        assert!(!p.exists());
    }
}
