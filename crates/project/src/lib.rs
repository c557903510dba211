//! Where a datagate project lives on disk.
//!
//! A project is a folder holding `datagate.toml`; all of its state lives in
//! `.datagate/` beside that file:
//!
//! ```text
//! datagate.toml          the project's settings ([project] name = "...")
//! .datagate/
//!   ledger.db            the tamper-evident event log (datagate-ledger, SQLite)
//!   keys/                the log's signing key and other project keys
//!   objects/             content-addressed objects
//!   baselines/           integrity baselines (manifests) checked by `integrity check`
//!   reports/             reports written by checks
//! ```
//!
//! The key design decision is that the project is found the way git finds a
//! repository: by walking up from the current directory until a
//! `datagate.toml` is found. Every crate that records evidence takes a
//! [`Project`] so that the layout is decided in exactly one place.
//!
//! This crate deliberately knows nothing about keys or the ledger's format: it
//! creates the folders, and the ledger crate creates what lives in them.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The file that marks a project's root.
pub const CONFIG_FILE: &str = "datagate.toml";
/// The folder (beside [`CONFIG_FILE`]) holding all project state.
pub const STATE_DIR: &str = ".datagate";

/// Errors from finding, reading or creating a project.
#[derive(Debug, thiserror::Error)]
pub enum ProjectError {
    /// No `datagate.toml` in the start folder or any parent.
    #[error(
        "no datagate project found in {start} or any parent folder (run `datagate init` first)"
    )]
    NotFound {
        /// Where the search started.
        start: PathBuf,
    },
    /// `datagate init` in a folder that already has a `datagate.toml`.
    #[error("{path} already exists: this folder is already a datagate project")]
    AlreadyInitialised {
        /// The existing config file.
        path: PathBuf,
    },
    /// An I/O error on a named path.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// `datagate.toml` is not valid TOML or has a wrongly typed field.
    #[error("{path}: invalid project file: {message}")]
    Config {
        /// The config file.
        path: PathBuf,
        /// What the TOML parser said.
        message: String,
    },
}

/// Short alias for results in this crate.
pub type Result<T, E = ProjectError> = std::result::Result<T, E>;

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> ProjectError + '_ {
    move |source| ProjectError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The `[project]` table of `datagate.toml`.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct ProjectSection {
    /// A human name for the project, used in the ledger's origin line.
    pub name: Option<String>,
}

/// The parsed `datagate.toml`. Unknown tables are ignored here (other crates
/// read their own sections).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct Config {
    /// The `[project]` table.
    pub project: ProjectSection,
}

/// An initialised datagate project: its root folder and parsed settings.
#[derive(Debug, Clone)]
pub struct Project {
    root: PathBuf,
    config: Config,
}

impl Project {
    /// Finds the project containing `start` by walking up to the first folder
    /// that holds a `datagate.toml`.
    pub fn discover(start: &Path) -> Result<Project> {
        let start_abs = if start.is_absolute() {
            start.to_path_buf()
        } else {
            std::env::current_dir().map_err(io_err(start))?.join(start)
        };
        let mut dir: Option<&Path> = Some(&start_abs);
        while let Some(d) = dir {
            if d.join(CONFIG_FILE).is_file() {
                return Project::open(d);
            }
            dir = d.parent();
        }
        Err(ProjectError::NotFound { start: start_abs })
    }

    /// Finds the project containing the current directory.
    pub fn discover_from_cwd() -> Result<Project> {
        let cwd = std::env::current_dir().map_err(io_err(Path::new(".")))?;
        Project::discover(&cwd)
    }

    /// Opens the project whose root is exactly `root` (which must hold a
    /// `datagate.toml`).
    pub fn open(root: &Path) -> Result<Project> {
        let config_path = root.join(CONFIG_FILE);
        let text = fs::read_to_string(&config_path).map_err(io_err(&config_path))?;
        let config: Config = toml::from_str(&text).map_err(|e| ProjectError::Config {
            path: config_path.clone(),
            message: e.to_string(),
        })?;
        Ok(Project {
            root: root.to_path_buf(),
            config,
        })
    }

    /// Creates `datagate.toml` (with a commented minimal `[project]` section)
    /// and the `.datagate/` layout in `root`. Refuses if `datagate.toml`
    /// already exists; the folders are created only if missing.
    pub fn init(root: &Path, name: Option<&str>) -> Result<Project> {
        let config_path = root.join(CONFIG_FILE);
        if config_path.exists() {
            return Err(ProjectError::AlreadyInitialised { path: config_path });
        }
        fs::create_dir_all(root).map_err(io_err(root))?;
        let name = name
            .map(str::to_string)
            .or_else(|| {
                root.canonicalize()
                    .ok()
                    .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            })
            .unwrap_or_else(|| "project".to_string());
        let text = default_config(&name);
        write_atomic(&config_path, text.as_bytes())?;
        let project = Project::open(root)?;
        project.ensure_layout()?;
        Ok(project)
    }

    /// Creates any missing folder of the `.datagate/` layout.
    pub fn ensure_layout(&self) -> Result<()> {
        for dir in [
            self.state_dir(),
            self.keys_dir(),
            self.objects_dir(),
            self.baselines_dir(),
            self.reports_dir(),
        ] {
            fs::create_dir_all(&dir).map_err(io_err(&dir))?;
        }
        Ok(())
    }

    /// The project's root folder (the one holding `datagate.toml`).
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The parsed `datagate.toml`.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The project's name: `[project] name`, else the root folder's name.
    pub fn name(&self) -> String {
        self.config
            .project
            .name
            .clone()
            .or_else(|| {
                self.root
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
            })
            .unwrap_or_else(|| "project".to_string())
    }

    /// `datagate.toml`.
    pub fn config_path(&self) -> PathBuf {
        self.root.join(CONFIG_FILE)
    }

    /// `.datagate/`.
    pub fn state_dir(&self) -> PathBuf {
        self.root.join(STATE_DIR)
    }

    /// `.datagate/ledger.db`: the event log.
    pub fn ledger_db(&self) -> PathBuf {
        self.state_dir().join("ledger.db")
    }

    /// `.datagate/keys/`.
    pub fn keys_dir(&self) -> PathBuf {
        self.state_dir().join("keys")
    }

    /// `.datagate/objects/`.
    pub fn objects_dir(&self) -> PathBuf {
        self.state_dir().join("objects")
    }

    /// `.datagate/baselines/`: integrity baselines checked by `integrity check`.
    pub fn baselines_dir(&self) -> PathBuf {
        self.state_dir().join("baselines")
    }

    /// `.datagate/reports/`.
    pub fn reports_dir(&self) -> PathBuf {
        self.state_dir().join("reports")
    }
}

/// The text of a fresh `datagate.toml`.
pub fn default_config(name: &str) -> String {
    let escaped = name.replace('\\', "\\\\").replace('"', "\\\"");
    format!(
        "# datagate project settings. All project state lives in .datagate/ beside this file.\n\
         \n\
         [project]\n\
         # A human name for the project; it appears in the ledger's signed tree heads.\n\
         name = \"{escaped}\"\n"
    )
}

/// Writes `bytes` to `path` through a temporary file in the same folder and
/// a rename, so readers never see a half-written file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(&dir).map_err(io_err(&dir))?;
    tmp.write_all(bytes).map_err(io_err(path))?;
    tmp.as_file().sync_all().map_err(io_err(path))?;
    tmp.persist(path).map_err(|e| ProjectError::Io {
        path: path.to_path_buf(),
        source: e.error,
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_then_discover_from_a_subfolder() {
        let tmp = tempfile::tempdir().unwrap();
        let p = Project::init(tmp.path(), Some("demo \"x\"")).unwrap();
        assert_eq!(p.name(), "demo \"x\"");
        for d in [
            p.keys_dir(),
            p.objects_dir(),
            p.reports_dir(),
            p.baselines_dir(),
        ] {
            assert!(d.is_dir(), "{}", d.display());
        }
        let sub = tmp.path().join("a/b");
        fs::create_dir_all(&sub).unwrap();
        let found = Project::discover(&sub).unwrap();
        assert_eq!(found.root(), tmp.path());
        assert_eq!(found.ledger_db(), tmp.path().join(".datagate/ledger.db"));
    }

    #[test]
    fn init_twice_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        Project::init(tmp.path(), None).unwrap();
        assert!(matches!(
            Project::init(tmp.path(), None),
            Err(ProjectError::AlreadyInitialised { .. })
        ));
    }

    #[test]
    fn not_found_and_bad_config_are_errors() {
        let tmp = tempfile::tempdir().unwrap();
        assert!(matches!(
            Project::discover(tmp.path()),
            Err(ProjectError::NotFound { .. })
        ));
        fs::write(tmp.path().join(CONFIG_FILE), "[project\nname=").unwrap();
        assert!(matches!(
            Project::discover(tmp.path()),
            Err(ProjectError::Config { .. })
        ));
    }
}
