//! Input errors that name the file, line and column and suggest a fix.

use std::fmt;
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

impl Diagnostic {
    /// A diagnostic at a file position.
    pub fn new(
        file: impl Into<PathBuf>,
        line: usize,
        column: usize,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            file: file.into(),
            line,
            column,
            message: message.into(),
            help: None,
        }
    }

    /// Adds a suggestion.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// The same text as `Display`, labelled `warning:` instead of `error:`,
    /// for problems that did not stop the load.
    pub fn as_warning(&self) -> impl fmt::Display + '_ {
        Labelled(self, "warning")
    }

    /// `file:line:column`, leaving out what is unknown.
    pub fn location(&self) -> String {
        match (self.line, self.column) {
            (0, _) => self.file.display().to_string(),
            (l, 0) => format!("{}:{l}", self.file.display()),
            (l, c) => format!("{}:{l}:{c}", self.file.display()),
        }
    }
}

/// Renders as
///
/// ```text
/// error: unknown person `alcie`
///   --> teams/payments.toml:4:13
///   help: did you mean `alice`?
/// ```
///
/// leaving out the `help` line when there is none and the line or column when
/// unknown.
impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Labelled(self, "error").fmt(f)
    }
}

/// A diagnostic rendered with a label such as `error` or `warning`.
struct Labelled<'a>(&'a Diagnostic, &'a str);

impl fmt::Display for Labelled<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Labelled(d, label) = self;
        write!(f, "{label}: {}\n  --> {}", d.message, d.location())?;
        if let Some(help) = &d.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

/// Loading a workspace failed; every problem found is listed.
///
/// Its `Display` prints every diagnostic (see [`Diagnostic`]'s), each followed
/// by a blank line, then a count such as `2 errors in the workspace`.
#[derive(Debug, thiserror::Error)]
pub struct LoadError {
    /// Every problem found, sorted by file and line.
    pub diagnostics: Vec<Diagnostic>,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.diagnostics {
            writeln!(f, "{d}\n")?;
        }
        match self.diagnostics.len() {
            1 => write!(f, "1 error in the workspace"),
            n => write!(f, "{n} errors in the workspace"),
        }
    }
}
