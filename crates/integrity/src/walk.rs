//! Walking a directory tree without ever following a symlink.
//!
//! Every entry gets a POSIX-style path relative to the root (`a/b.csv`). Regular files are
//! returned for hashing; symlinks are returned as links with their target text (never
//! followed, so a link can not pull files from outside the tree into a fingerprint); other
//! kinds (sockets, devices, FIFOs) and anything unreadable are reported, not silently dropped.

use std::fs;
use std::path::{Component, Path, PathBuf};

use crate::error::Error;

/// What a walked entry is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EntryKind {
    /// A regular file of this size (at walk time).
    File {
        /// Size in bytes from the directory listing.
        size: u64,
    },
    /// A symbolic link, recorded with its target text; never followed.
    Symlink {
        /// The link's target as stored in the link.
        target: String,
        /// Whether the target, resolved lexically from the link's folder, leaves the tree
        /// (or is absolute).
        escapes: bool,
    },
}

/// One file or link found under the root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// POSIX path relative to the root, `/`-separated, never starting with `/` or containing `..`.
    pub rel: String,
    /// The full path on disk (root joined with `rel`).
    pub path: PathBuf,
    /// File or link.
    pub kind: EntryKind,
}

/// Something under the root that could not be listed or is not a file, link or folder.
#[derive(Debug)]
pub struct Problem {
    /// Relative path (or the root itself as ".").
    pub rel: String,
    /// What went wrong.
    pub error: Error,
}

/// The result of a walk: entries sorted by `rel` (byte order), and the problems met.
#[derive(Debug, Default)]
pub struct Walk {
    /// Files and links, sorted by relative path.
    pub entries: Vec<Entry>,
    /// Unreadable folders, special files, non-UTF-8 names.
    pub problems: Vec<Problem>,
}

/// Walk `root` (a folder, or a single file whose `rel` becomes its file name).
///
/// `skip` is called with each relative path (files and folders) and returns true for paths to
/// leave out entirely (for example the manifest being written into the tree).
pub fn walk(root: &Path, skip: &dyn Fn(&str) -> bool) -> Result<Walk, Error> {
    // The root itself is followed if it is a symlink: the user named it. Links *inside* it are not.
    let meta = fs::metadata(root).map_err(|e| Error::read(root, e))?;
    let mut out = Walk::default();
    if meta.is_dir() {
        walk_dir(root, root, "", skip, &mut out);
    } else {
        // A single named file: the user named it, so follow it if it is a link (like sha256sum).
        let meta = fs::metadata(root).map_err(|e| Error::read(root, e))?;
        let name = root
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or(".")
            .to_string();
        if meta.is_file() {
            out.entries.push(Entry {
                rel: name,
                path: root.to_path_buf(),
                kind: EntryKind::File { size: meta.len() },
            });
        } else {
            out.problems.push(Problem {
                rel: name,
                error: Error::read(root, not_regular()),
            });
        }
    }
    out.entries.sort_by(|a, b| a.rel.cmp(&b.rel));
    Ok(out)
}

fn not_regular() -> std::io::Error {
    std::io::Error::other("not a regular file, folder or symlink (socket, device or FIFO)")
}

fn walk_dir(root: &Path, dir: &Path, prefix: &str, skip: &dyn Fn(&str) -> bool, out: &mut Walk) {
    let rd = match fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) => {
            out.problems.push(Problem {
                rel: if prefix.is_empty() {
                    ".".into()
                } else {
                    prefix.into()
                },
                error: Error::read(dir, e),
            });
            return;
        }
    };
    for item in rd {
        let item = match item {
            Ok(i) => i,
            Err(e) => {
                out.problems.push(Problem {
                    rel: prefix.to_string(),
                    error: Error::read(dir, e),
                });
                continue;
            }
        };
        let path = item.path();
        let Some(name) = item.file_name().to_str().map(str::to_string) else {
            out.problems.push(Problem {
                rel: format!("{prefix}{}", item.file_name().to_string_lossy()),
                error: Error::read(&path, std::io::Error::other("file name is not valid UTF-8")),
            });
            continue;
        };
        let rel = format!("{prefix}{name}");
        if skip(&rel) {
            continue;
        }
        let ft = match item.file_type() {
            Ok(ft) => ft,
            Err(e) => {
                out.problems.push(Problem {
                    rel,
                    error: Error::read(&path, e),
                });
                continue;
            }
        };
        if ft.is_symlink() {
            match fs::read_link(&path) {
                Ok(target) => {
                    let escapes = link_escapes(root, &path, &target);
                    out.entries.push(Entry {
                        rel,
                        path,
                        kind: EntryKind::Symlink {
                            target: target.to_string_lossy().into_owned(),
                            escapes,
                        },
                    });
                }
                Err(e) => out.problems.push(Problem {
                    rel,
                    error: Error::read(&path, e),
                }),
            }
        } else if ft.is_dir() {
            walk_dir(root, &path, &format!("{rel}/"), skip, out);
        } else if ft.is_file() {
            match item.metadata() {
                Ok(m) => out.entries.push(Entry {
                    rel,
                    path,
                    kind: EntryKind::File { size: m.len() },
                }),
                Err(e) => out.problems.push(Problem {
                    rel,
                    error: Error::read(&path, e),
                }),
            }
        } else {
            out.problems.push(Problem {
                rel,
                error: Error::read(&path, not_regular()),
            });
        }
    }
}

/// Resolve `target` lexically from the link's folder and tell whether it leaves `root`.
fn link_escapes(root: &Path, link: &Path, target: &Path) -> bool {
    if target.is_absolute() {
        return true;
    }
    let Ok(rel_dir) = link.parent().unwrap_or(root).strip_prefix(root) else {
        return true;
    };
    let mut depth: i64 = 0;
    for c in rel_dir.components().chain(target.components()) {
        match c {
            Component::Normal(_) => depth += 1,
            Component::ParentDir => {
                depth -= 1;
                if depth < 0 {
                    return true;
                }
            }
            Component::CurDir => {}
            Component::RootDir | Component::Prefix(_) => return true,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_sorted_and_records_links_without_following() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("sub/deeper")).unwrap();
        fs::write(root.join("b.txt"), b"bb").unwrap();
        fs::write(root.join("sub/a.txt"), b"a").unwrap();
        fs::write(root.join("sub/deeper/c"), b"").unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("../b.txt", root.join("sub/inside")).unwrap();
            std::os::unix::fs::symlink("../../etc", root.join("sub/outside")).unwrap();
            std::os::unix::fs::symlink("/etc", root.join("abs")).unwrap();
        }
        let w = walk(root, &|_| false).unwrap();
        assert!(w.problems.is_empty(), "{:?}", w.problems);
        let rels: Vec<&str> = w.entries.iter().map(|e| e.rel.as_str()).collect();
        #[cfg(unix)]
        assert_eq!(
            rels,
            [
                "abs",
                "b.txt",
                "sub/a.txt",
                "sub/deeper/c",
                "sub/inside",
                "sub/outside"
            ]
        );
        #[cfg(unix)]
        {
            let kind = |r: &str| w.entries.iter().find(|e| e.rel == r).unwrap().kind.clone();
            assert_eq!(
                kind("sub/inside"),
                EntryKind::Symlink {
                    target: "../b.txt".into(),
                    escapes: false
                }
            );
            assert!(matches!(
                kind("sub/outside"),
                EntryKind::Symlink { escapes: true, .. }
            ));
            assert!(matches!(
                kind("abs"),
                EntryKind::Symlink { escapes: true, .. }
            ));
        }
        #[cfg(unix)]
        {
            let outer = tempfile::tempdir().unwrap();
            let link = outer.path().join("data");
            std::os::unix::fs::symlink(root, &link).unwrap();
            let via_link = walk(&link, &|_| false).unwrap();
            assert_eq!(
                via_link.entries.len(),
                w.entries.len(),
                "a symlinked root is followed"
            );
        }
        let w = walk(root, &|r| r == "sub").unwrap();
        assert_eq!(w.entries.len(), if cfg!(unix) { 2 } else { 1 });
    }
}
