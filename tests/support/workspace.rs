//! Example workspaces on disk: where they are, and copies to play with.

use std::path::{Path, PathBuf};

/// The repository root.
pub(crate) fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// An example workspace under `data/`.
pub(crate) fn data(name: &str) -> PathBuf {
    root().join("data").join(name)
}

/// Copies a workspace tree, leaving out any state store (`oncall.db*`).
pub(crate) fn copy_dir(from: &Path, to: &Path) {
    copy_tree(from, to, false);
}

/// Copies a workspace tree with its state store (when no process has it open).
pub(crate) fn copy_with_store(from: &Path, to: &Path) {
    copy_tree(from, to, true);
}

fn copy_tree(from: &Path, to: &Path, with_store: bool) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &target, with_store);
        } else if with_store || !e.file_name().to_string_lossy().starts_with("oncall.db") {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

/// A copy of an example workspace in a fresh temporary directory.
pub(crate) fn copy_of(name: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&data(name), tmp.path());
    tmp
}

/// Output bytes as text.
pub(crate) fn text(out: &[u8]) -> String {
    String::from_utf8_lossy(out).into_owned()
}
