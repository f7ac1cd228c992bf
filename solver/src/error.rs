//! Input errors that name the file, line and column and suggest a fix.
// (filled in by the workspace loader)
use std::path::PathBuf;

/// One problem found in the inputs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// File relative to the workspace root.
    pub file: PathBuf,
    /// 1-based line, 0 when unknown.
    pub line: usize,
    /// 1-based column, 0 when unknown.
    pub column: usize,
    /// What is wrong, lowercase.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
}

/// Loading a workspace failed.
#[derive(Debug, thiserror::Error)]
#[error("the workspace has {} error(s)", diagnostics.len())]
pub struct LoadError {
    /// Every problem found.
    pub diagnostics: Vec<Diagnostic>,
}
