//! Manifests: the fingerprint of a whole directory tree, as canonical JSON.
//!
//! A manifest lists every regular file under a root with its relative POSIX path, size and
//! SHA-256 (and BLAKE3 when asked), plus every symlink with its target text. It is serialised
//! with the JSON Canonicalization Scheme (RFC 8785), so the same tree always gives the same
//! bytes and the manifest's own SHA-256 is a stable fingerprint of the tree:
//!
//! ```json
//! {"algorithms":["sha256"],"files":[{"path":"a/b.csv","sha256":"…","size":12}],
//!  "manifestVersion":1,"symlinks":[{"path":"latest","target":"a/b.csv"}]}
//! ```
//!
//! Reading a manifest refuses absolute paths, `..` and every other path that could leave the
//! root (see [`crate::paths::check_relative`]), duplicate paths and malformed digests.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::hash::{hash_files, Algorithms, Digests};
use crate::paths::check_relative;
use crate::walk::{walk, EntryKind};

/// The only manifest version this crate writes and reads.
pub const MANIFEST_VERSION: u32 = 1;

/// A tree's fingerprint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Always [`MANIFEST_VERSION`].
    #[serde(rename = "manifestVersion")]
    pub version: u32,
    /// Digest algorithms present for every file: `["sha256"]` or `["sha256", "blake3"]`.
    pub algorithms: Vec<String>,
    /// Regular files, sorted by path.
    pub files: Vec<FileRecord>,
    /// Symbolic links, sorted by path (never followed).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub symlinks: Vec<LinkRecord>,
}

/// One file in a manifest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRecord {
    /// Relative POSIX path.
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// Lowercase hex SHA-256.
    pub sha256: String,
    /// Lowercase hex BLAKE3, when the manifest has it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blake3: Option<String>,
}

/// One symlink in a manifest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkRecord {
    /// Relative POSIX path of the link itself.
    pub path: String,
    /// The link's target text.
    pub target: String,
}

/// Why a file counts as modified.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Modified {
    /// Relative path.
    pub path: String,
    /// What differs (size, sha256, blake3, link target, kind).
    pub reason: String,
}

/// A path that could not be checked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Unreadable {
    /// Relative path.
    pub path: String,
    /// The error.
    pub error: String,
}

/// The outcome of [`verify_tree`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    /// Entries compared (files and links in the manifest).
    pub checked: usize,
    /// In both, but different.
    pub modified: Vec<Modified>,
    /// On disk, not in the manifest.
    pub added: Vec<String>,
    /// In the manifest, not on disk.
    pub removed: Vec<String>,
    /// Could not be read.
    pub unreadable: Vec<Unreadable>,
}

impl VerifyReport {
    /// True when nothing is modified, added, removed or unreadable.
    pub fn is_clean(&self) -> bool {
        self.modified.is_empty()
            && self.added.is_empty()
            && self.removed.is_empty()
            && self.unreadable.is_empty()
    }
}

impl Manifest {
    /// The RFC 8785 canonical JSON bytes of this manifest.
    pub fn to_canonical_json(&self) -> Result<Vec<u8>> {
        serde_json_canonicalizer::to_vec(self)
            .map_err(|e| Error::format("manifest", format!("cannot canonicalise: {e}")))
    }

    /// Which algorithms this manifest carries.
    pub fn algorithms(&self) -> Algorithms {
        if self.algorithms.iter().any(|a| a == "blake3") {
            Algorithms::Both
        } else {
            Algorithms::Sha256
        }
    }

    /// Parse and validate a manifest. `what` names it in errors (usually the file path).
    pub fn from_json(bytes: &[u8], what: &str) -> Result<Self> {
        let m: Manifest = serde_json::from_slice(bytes)
            .map_err(|e| Error::format(format!("manifest {what}"), e.to_string()))?;
        m.validate(what)?;
        Ok(m)
    }

    /// Read and validate a manifest file.
    pub fn read(path: &Path) -> Result<Self> {
        let bytes = std::fs::read(path).map_err(|e| Error::read(path, e))?;
        Self::from_json(&bytes, &path.display().to_string())
    }

    fn validate(&self, what: &str) -> Result<()> {
        let bad = |msg: String| Err(Error::format(format!("manifest {what}"), msg));
        if self.version != MANIFEST_VERSION {
            return bad(format!(
                "manifestVersion {} is not supported (expected {MANIFEST_VERSION})",
                self.version
            ));
        }
        let has_b3 = match self.algorithms.as_slice() {
            [a] if a == "sha256" => false,
            [a, b] if a == "sha256" && b == "blake3" => true,
            other => {
                return bad(format!(
                    "algorithms {other:?}: expected [\"sha256\"] or [\"sha256\",\"blake3\"]"
                ))
            }
        };
        let mut seen = BTreeSet::new();
        for f in &self.files {
            check_relative(&f.path)?;
            if !seen.insert(f.path.as_str()) {
                return bad(format!("path {:?} is listed twice", f.path));
            }
            if !is_hex64(&f.sha256) {
                return bad(format!("{}: sha256 is not 64 lowercase hex digits", f.path));
            }
            match (&f.blake3, has_b3) {
                (Some(b), true) if is_hex64(b) => {}
                (None, false) => {}
                (Some(_), true) => {
                    return bad(format!("{}: blake3 is not 64 lowercase hex digits", f.path))
                }
                (None, true) => return bad(format!("{}: blake3 missing", f.path)),
                (Some(_), false) => {
                    return bad(format!("{}: blake3 present but not in algorithms", f.path))
                }
            }
        }
        for l in &self.symlinks {
            check_relative(&l.path)?;
            if !seen.insert(l.path.as_str()) {
                return bad(format!("path {:?} is listed twice", l.path));
            }
        }
        Ok(())
    }
}

fn is_hex64(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The relative path (if any) of `file` inside `root`, used to leave a manifest written into
/// the tree it describes out of that tree's fingerprint.
pub fn rel_inside(root: &Path, file: &Path) -> Option<String> {
    let root = std::fs::canonicalize(root).ok()?;
    let parent = file
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let parent = std::fs::canonicalize(parent).ok()?;
    let full = parent.join(file.file_name()?);
    let rel = full.strip_prefix(&root).ok()?;
    let parts: Option<Vec<&str>> = rel.components().map(|c| c.as_os_str().to_str()).collect();
    Some(parts?.join("/"))
}

/// Fingerprint the tree at `root`. `exclude` lists relative paths to leave out (the output
/// manifest itself when written inside the tree). Fails, naming every path, if anything could
/// not be read: a manifest must not silently miss files.
pub fn create_tree(
    root: &Path,
    algorithms: Algorithms,
    exclude: &[String],
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Manifest> {
    let w = walk(root, &|rel| exclude.iter().any(|x| x == rel))?;
    let mut problems: Vec<String> = w.problems.iter().map(|p| p.error.to_string()).collect();
    let mut files = Vec::new();
    let mut links = Vec::new();
    let mut paths: Vec<PathBuf> = Vec::new();
    for e in w.entries {
        match e.kind {
            EntryKind::File { .. } => {
                paths.push(e.path);
                files.push(e.rel);
            }
            EntryKind::Symlink { target, .. } => links.push(LinkRecord {
                path: e.rel,
                target,
            }),
        }
    }
    let algorithms = if algorithms.sha256() {
        algorithms
    } else {
        Algorithms::Both
    };
    let digests = hash_files(&paths, algorithms, progress);
    let mut records = Vec::with_capacity(files.len());
    for (rel, d) in files.into_iter().zip(digests) {
        match d {
            Ok(d) => records.push(record(rel, &d)),
            Err(e) => problems.push(e.to_string()),
        }
    }
    if !problems.is_empty() {
        return Err(Error::Unsupported(format!(
            "cannot fingerprint {} ({} unreadable): {}",
            root.display(),
            problems.len(),
            problems.join("; ")
        )));
    }
    Ok(Manifest {
        version: MANIFEST_VERSION,
        algorithms: if algorithms.blake3() {
            vec!["sha256".into(), "blake3".into()]
        } else {
            vec!["sha256".into()]
        },
        files: records,
        symlinks: links,
    })
}

fn record(path: String, d: &Digests) -> FileRecord {
    FileRecord {
        path,
        size: d.size,
        sha256: d.sha256_hex().unwrap_or_default(),
        blake3: d.blake3_hex(),
    }
}

/// Compare the tree at `root` with `manifest`.
pub fn verify_tree(
    root: &Path,
    manifest: &Manifest,
    exclude: &[String],
    progress: &(dyn Fn(u64) + Sync),
) -> Result<VerifyReport> {
    let w = walk(root, &|rel| exclude.iter().any(|x| x == rel))?;
    let mut report = VerifyReport {
        checked: manifest.files.len() + manifest.symlinks.len(),
        ..Default::default()
    };
    for p in &w.problems {
        report.unreadable.push(Unreadable {
            path: p.rel.clone(),
            error: p.error.to_string(),
        });
    }
    let mut on_disk: BTreeMap<&str, &crate::walk::Entry> =
        w.entries.iter().map(|e| (e.rel.as_str(), e)).collect();

    let mut to_hash: Vec<(&FileRecord, PathBuf)> = Vec::new();
    for f in &manifest.files {
        match on_disk.remove(f.path.as_str()) {
            None => {
                if !report.unreadable.iter().any(|u| is_under(&f.path, &u.path)) {
                    report.removed.push(f.path.clone());
                }
            }
            Some(e) => match &e.kind {
                EntryKind::File { .. } => to_hash.push((f, e.path.clone())),
                EntryKind::Symlink { target, .. } => report.modified.push(Modified {
                    path: f.path.clone(),
                    reason: format!("was a regular file, is now a symlink to {target:?}"),
                }),
            },
        }
    }
    for l in &manifest.symlinks {
        match on_disk.remove(l.path.as_str()) {
            None => {
                if !report.unreadable.iter().any(|u| is_under(&l.path, &u.path)) {
                    report.removed.push(l.path.clone());
                }
            }
            Some(e) => match &e.kind {
                EntryKind::Symlink { target, .. } if *target == l.target => {}
                EntryKind::Symlink { target, .. } => report.modified.push(Modified {
                    path: l.path.clone(),
                    reason: format!("symlink target {:?} is now {target:?}", l.target),
                }),
                EntryKind::File { .. } => report.modified.push(Modified {
                    path: l.path.clone(),
                    reason: "was a symlink, is now a regular file".into(),
                }),
            },
        }
    }
    report.added = on_disk.keys().map(|k| k.to_string()).collect();

    let paths: Vec<PathBuf> = to_hash.iter().map(|(_, p)| p.clone()).collect();
    let digests = hash_files(&paths, manifest.algorithms(), progress);
    for ((f, _), d) in to_hash.iter().zip(digests) {
        match d {
            Err(e) => report.unreadable.push(Unreadable {
                path: f.path.clone(),
                error: e.to_string(),
            }),
            Ok(d) => {
                let mut why = Vec::new();
                if d.size != f.size {
                    why.push(format!("size {} -> {}", f.size, d.size));
                }
                if d.sha256_hex().as_deref() != Some(f.sha256.as_str()) {
                    why.push("sha256 differs".to_string());
                }
                if f.blake3.is_some() && d.blake3_hex() != f.blake3 {
                    why.push("blake3 differs".to_string());
                }
                if !why.is_empty() {
                    report.modified.push(Modified {
                        path: f.path.clone(),
                        reason: why.join(", "),
                    });
                }
            }
        }
    }
    report.modified.sort_by(|a, b| a.path.cmp(&b.path));
    report.removed.sort();
    report.unreadable.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(report)
}

fn is_under(path: &str, dir: &str) -> bool {
    dir == "." || path == dir || path.starts_with(&format!("{dir}/"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn tree() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("sub")).unwrap();
        fs::write(dir.path().join("a.csv"), b"x,y\n1,2\n").unwrap();
        fs::write(dir.path().join("sub/b.bin"), b"\x00\x01").unwrap();
        dir
    }

    #[test]
    fn canonical_bytes_are_stable_and_sorted() {
        let dir = tree();
        let m = create_tree(dir.path(), Algorithms::Sha256, &[], &|_| {}).unwrap();
        let json = String::from_utf8(m.to_canonical_json().unwrap()).unwrap();
        assert_eq!(
            json,
            format!(
                "{{\"algorithms\":[\"sha256\"],\"files\":[{{\"path\":\"a.csv\",\"sha256\":\"{}\",\"size\":8}},{{\"path\":\"sub/b.bin\",\"sha256\":\"{}\",\"size\":2}}],\"manifestVersion\":1}}",
                hex::encode(crate::hash::sha256(b"x,y\n1,2\n")),
                hex::encode(crate::hash::sha256(b"\x00\x01")),
            )
        );
        let again = Manifest::from_json(json.as_bytes(), "t").unwrap();
        assert_eq!(again, m);
    }

    #[test]
    fn verify_names_modified_added_removed() {
        let dir = tree();
        let m = create_tree(dir.path(), Algorithms::Both, &[], &|_| {}).unwrap();
        assert!(verify_tree(dir.path(), &m, &[], &|_| {})
            .unwrap()
            .is_clean());
        fs::write(dir.path().join("a.csv"), b"x,y\n1,3\n").unwrap();
        fs::write(dir.path().join("new.txt"), b"n").unwrap();
        fs::remove_file(dir.path().join("sub/b.bin")).unwrap();
        let r = verify_tree(dir.path(), &m, &[], &|_| {}).unwrap();
        assert_eq!(r.modified.len(), 1);
        assert_eq!(r.modified[0].path, "a.csv");
        assert!(r.modified[0].reason.contains("sha256"));
        assert!(r.modified[0].reason.contains("blake3"));
        assert_eq!(r.added, ["new.txt"]);
        assert_eq!(r.removed, ["sub/b.bin"]);
        assert!(!r.is_clean());
    }

    #[test]
    fn refuses_traversal_and_absolute_paths() {
        let h = "0".repeat(64);
        for p in ["../etc/passwd", "/etc/passwd", "a/../../b", "./a", "a//b"] {
            let doc = format!(
                r#"{{"manifestVersion":1,"algorithms":["sha256"],"files":[{{"path":{},"size":1,"sha256":"{h}"}}]}}"#,
                serde_json::to_string(p).unwrap()
            );
            let err = Manifest::from_json(doc.as_bytes(), "evil.json").unwrap_err();
            assert!(matches!(err, Error::UnsafePath { .. }), "{p}: {err}");
        }
    }

    #[test]
    fn malformed_manifests_are_errors_not_panics() {
        for doc in [
            "",
            "{",
            "[]",
            r#"{"manifestVersion":2,"algorithms":["sha256"],"files":[]}"#,
            r#"{"manifestVersion":1,"algorithms":["md5"],"files":[]}"#,
            r#"{"manifestVersion":1,"algorithms":["sha256"],"files":[{"path":"a","size":1,"sha256":"zz"}]}"#,
            r#"{"manifestVersion":1,"algorithms":["sha256"],"files":[{"path":"a","size":-1,"sha256":"00"}]}"#,
        ] {
            assert!(Manifest::from_json(doc.as_bytes(), "m").is_err(), "{doc}");
        }
        let h = "a".repeat(64);
        let dup = format!(
            r#"{{"manifestVersion":1,"algorithms":["sha256"],"files":[{{"path":"a","size":1,"sha256":"{h}"}},{{"path":"a","size":1,"sha256":"{h}"}}]}}"#
        );
        assert!(Manifest::from_json(dup.as_bytes(), "m").is_err());
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_are_recorded_not_followed() {
        let dir = tree();
        let outside = tempfile::tempdir().unwrap();
        fs::write(outside.path().join("secret"), b"s").unwrap();
        std::os::unix::fs::symlink(outside.path().join("secret"), dir.path().join("leak")).unwrap();
        let m = create_tree(dir.path(), Algorithms::Sha256, &[], &|_| {}).unwrap();
        assert_eq!(m.files.len(), 2, "the link's target is not hashed");
        assert_eq!(m.symlinks.len(), 1);
        assert_eq!(m.symlinks[0].path, "leak");
        // Changing the target outside does not matter; re-pointing the link does.
        fs::write(outside.path().join("secret"), b"changed").unwrap();
        assert!(verify_tree(dir.path(), &m, &[], &|_| {})
            .unwrap()
            .is_clean());
        fs::remove_file(dir.path().join("leak")).unwrap();
        std::os::unix::fs::symlink("a.csv", dir.path().join("leak")).unwrap();
        let r = verify_tree(dir.path(), &m, &[], &|_| {}).unwrap();
        assert_eq!(r.modified.len(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn special_files_are_reported_as_unreadable() {
        let dir = tree();
        let m = create_tree(dir.path(), Algorithms::Sha256, &[], &|_| {}).unwrap();
        let fifo = dir.path().join("pipe");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(
            made.map(|s| s.success()).unwrap_or(false),
            "mkfifo is needed for this test"
        );
        let r = verify_tree(dir.path(), &m, &[], &|_| {}).unwrap();
        assert_eq!(r.unreadable.len(), 1, "{r:?}");
        assert_eq!(r.unreadable[0].path, "pipe");
        let err = create_tree(dir.path(), Algorithms::Sha256, &[], &|_| {}).unwrap_err();
        assert!(err.to_string().contains("pipe"), "{err}");
    }
}
