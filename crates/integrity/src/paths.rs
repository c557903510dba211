//! Checking relative paths read from untrusted documents (manifests, bundles).

use crate::error::Error;

/// Accept only a plain relative POSIX path that stays inside its root.
///
/// Refused: empty paths, absolute paths (`/x`, `C:\x`), backslashes on Windows, `.` or `..`
/// components, empty components (`a//b`, trailing `/`) and NUL bytes. A path that passes can be
/// joined onto a root without leaving it.
pub fn check_relative(path: &str) -> Result<(), Error> {
    let refuse = |reason| {
        Err(Error::UnsafePath {
            path: path.to_string(),
            reason,
        })
    };
    if path.is_empty() {
        return refuse("empty path");
    }
    if path.contains('\0') {
        return refuse("contains a NUL byte");
    }
    if path.starts_with('/') {
        return refuse("absolute path");
    }
    // On Unix a backslash is an ordinary file-name character (the tree being fingerprinted may
    // really have `a\b`); on Windows it is a separator, so `..\x` could leave the root.
    if cfg!(windows) && path.contains('\\') {
        return refuse(
            "backslash in path (a separator on this system; paths are POSIX, '/'-separated)",
        );
    }
    let bytes = path.as_bytes();
    if bytes.len() >= 2 && bytes[1] == b':' && bytes[0].is_ascii_alphabetic() {
        return refuse("absolute path (drive letter)");
    }
    for comp in path.split('/') {
        match comp {
            "" => return refuse("empty path component"),
            "." => return refuse("'.' component"),
            ".." => return refuse("'..' component leaves the root"),
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check_relative;

    #[test]
    fn accepts_plain_paths() {
        for p in ["a", "a/b.csv", "..a", "a..", "dir/.hidden", "a b/c"] {
            assert!(check_relative(p).is_ok(), "{p}");
        }
    }

    #[test]
    fn backslash_is_a_name_character_on_unix_only() {
        for p in ["a\\..\\b", "..\\x", "\\\\srv\\x"] {
            assert_eq!(check_relative(p).is_ok(), cfg!(unix), "{p:?}");
        }
    }

    #[test]
    fn refuses_traversal_and_absolute() {
        for p in [
            "",
            "/etc/passwd",
            "../x",
            "a/../../x",
            "a/..",
            "./a",
            "a//b",
            "a/",
            "C:/x",
            "c:x",
            "a\0b",
        ] {
            assert!(check_relative(p).is_err(), "{p:?} should be refused");
        }
    }
}
