//! `oncall init`: a small example workspace to start from.

use std::path::{Path, PathBuf};

/// The files of the example workspace (the same as `data/quickstart`).
pub const EXAMPLE: &[(&str, &str)] = &[
    (
        "oncall.toml",
        include_str!("../../../data/quickstart/oncall.toml"),
    ),
    (
        "people.csv",
        include_str!("../../../data/quickstart/people.csv"),
    ),
    (
        "teams/payments.toml",
        include_str!("../../../data/quickstart/teams/payments.toml"),
    ),
    (
        "teams/sre.toml",
        include_str!("../../../data/quickstart/teams/sre.toml"),
    ),
    (
        "time-off/vacations.toml",
        include_str!("../../../data/quickstart/time-off/vacations.toml"),
    ),
    (
        "README.md",
        include_str!("../../../data/quickstart/README.md"),
    ),
];

/// Writing the example failed.
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    /// A file is already there; nothing was written.
    #[error("{0} already exists; nothing was written (choose an empty directory)")]
    Exists(PathBuf),
    /// The file system refused.
    #[error("cannot write {path}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

/// Writes the example workspace into `dir`, creating it. Refuses, before
/// writing anything, if any of the files already exists.
///
/// # Errors
/// An existing file, or a write that fails.
pub fn write_example(dir: &Path) -> Result<Vec<PathBuf>, InitError> {
    write_all(dir, EXAMPLE)
}

/// Writes `files` (relative path, contents) into `dir`, creating it.
/// Refuses, before writing anything, if any of the files already exists.
///
/// # Errors
/// An existing file, or a write that fails.
pub fn write_all(dir: &Path, files: &[(&str, &str)]) -> Result<Vec<PathBuf>, InitError> {
    for (rel, _) in files {
        let path = dir.join(rel);
        if path.exists() {
            return Err(InitError::Exists(path));
        }
    }
    let mut written = Vec::new();
    for (rel, text) in files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|source| InitError::Io {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        std::fs::write(&path, text).map_err(|source| InitError::Io {
            path: path.clone(),
            source,
        })?;
        written.push(path);
    }
    Ok(written)
}
