//! The loading context: where the workspace is, the diagnostics found so far
//! and the bytes of every file read, for the inputs hash.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::input::diagnostic::Diagnostic;
use crate::input::limits::{self, ReadError, MAX_FILE_BYTES};
use crate::input::source::{invalid_utf8_pos, Source};
use crate::input::suggest::did_you_mean;
use crate::input::wording::{lowercase_first, tidy_toml_error};

/// The loading context: where the workspace is and what was found so far.
pub(super) struct Cx {
    pub(super) root: PathBuf,
    pub(super) diags: Vec<Diagnostic>,
    /// Problems that do not stop the load (see `Workspace::warnings`).
    pub(super) warnings: Vec<Diagnostic>,
    /// `(relative path, bytes)` of every file read.
    pub(super) hashed: Vec<(String, Vec<u8>)>,
    /// Whether `people.csv` could be read at all; when not, references to
    /// people are not reported as unknown (that would only repeat the problem).
    pub(super) people_known: bool,
    /// Index of each person in `people.csv` by id, so references resolve in
    /// constant time.
    pub(super) person_ids: HashMap<String, usize>,
    /// Texts read in place of the files at these relative paths (a file
    /// that does not exist is read as if it did).
    pub(super) replaced: BTreeMap<PathBuf, String>,
}

impl Cx {
    pub(super) fn new(root: &Path) -> Self {
        Cx {
            root: root.to_path_buf(),
            diags: Vec::new(),
            warnings: Vec::new(),
            hashed: Vec::new(),
            people_known: false,
            person_ids: HashMap::new(),
            replaced: BTreeMap::new(),
        }
    }

    pub(super) fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    /// `text`, unless it holds a control character or a bidirectional
    /// control: then a diagnostic at its span naming the code point, and
    /// `None`.
    pub(super) fn clean(
        &mut self,
        src: &Source,
        what: &str,
        text: Option<Spanned<String>>,
    ) -> Option<String> {
        let text = text?;
        match crate::input::limits::text_problem(what, text.get_ref()) {
            Some((message, help)) => {
                self.push(src.at(text.span(), message).help(help));
                None
            }
            None => Some(text.into_inner()),
        }
    }

    /// Reads a file as UTF-8 text and records its bytes for the inputs hash.
    /// A missing file is diagnosed only when `required` gives the fix.
    pub(super) fn read(&mut self, rel: &Path, required: Option<&str>) -> Option<Source> {
        let bytes = self.read_bytes(rel, required)?;
        self.hashed
            .push((rel.to_string_lossy().replace('\\', "/"), bytes.clone()));
        match String::from_utf8(bytes) {
            Ok(text) => {
                let text = match text.strip_prefix('\u{feff}') {
                    Some(rest) => rest.to_string(),
                    None => text,
                };
                Some(Source::new(rel.to_path_buf(), text))
            }
            Err(e) => {
                let valid = e.utf8_error().valid_up_to();
                let (line, column) = invalid_utf8_pos(e.as_bytes().get(..valid).unwrap_or(&[]));
                self.push(
                    Diagnostic::new(rel, line, column, "the file is not valid UTF-8")
                        .help("save it as UTF-8 text"),
                );
                None
            }
        }
    }

    /// The bytes of a file; a missing file is diagnosed only when `required`
    /// gives the fix.
    fn read_bytes(&mut self, rel: &Path, required: Option<&str>) -> Option<Vec<u8>> {
        if let Some(text) = self.replaced.get(rel) {
            return Some(text.as_bytes().to_vec());
        }
        match limits::read_bytes(&self.root.join(rel)) {
            Ok(b) => Some(b),
            Err(ReadError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
                if let Some(help) = required {
                    self.push(
                        Diagnostic::new(rel, 0, 0, format!("missing file `{}`", rel.display()))
                            .help(help),
                    );
                }
                None
            }
            Err(ReadError::Io(e)) => {
                self.push(Diagnostic::new(
                    rel,
                    0,
                    0,
                    format!("cannot read the file: {}", lowercase_first(&e.to_string())),
                ));
                None
            }
            Err(e) => {
                self.push(unreadable(rel, &e));
                None
            }
        }
    }

    pub(super) fn parse_toml<T: for<'de> Deserialize<'de>>(&mut self, src: &Source) -> Option<T> {
        match toml::from_str::<T>(&src.text) {
            Ok(v) => Some(v),
            Err(e) => {
                let (message, help) = tidy_toml_error(e.message().trim());
                let mut d = match e.span() {
                    Some(span) => src.at(span, message),
                    None => Diagnostic::new(&src.rel, 0, 0, message),
                };
                if let Some(help) = help {
                    d = d.help(help);
                }
                self.push(d);
                None
            }
        }
    }

    /// The non-hidden entries of a workspace directory, sorted.
    pub(super) fn list_dir(&mut self, dir: &str) -> Option<Vec<PathBuf>> {
        let mut out = self.list_dir_all(dir)?;
        out.retain(|p| !is_dot_file(p));
        Some(out)
    }

    /// Every entry of `dir`, dot-files included, in path order.
    pub(super) fn list_dir_all(&mut self, dir: &str) -> Option<Vec<PathBuf>> {
        let added = self
            .replaced
            .keys()
            .filter(|p| p.parent() == Some(Path::new(dir)))
            .cloned();
        let mut out: Vec<PathBuf> = match fs::read_dir(self.root.join(dir)) {
            Ok(entries) => entries
                .filter_map(Result::ok)
                .map(|e| Path::new(dir).join(e.file_name()))
                .collect(),
            Err(_)
                if self
                    .replaced
                    .keys()
                    .any(|p| p.parent() == Some(Path::new(dir))) =>
            {
                Vec::new()
            }
            Err(_) => return None,
        };
        out.extend(added);
        out.sort();
        out.dedup();
        Some(out)
    }

    /// Warns that `rel` is not read, and why.
    pub(super) fn ignored(&mut self, rel: &Path, why: &str, help: &str) {
        let shown = limits::shown(&rel.to_string_lossy());
        self.warnings
            .push(Diagnostic::new(rel, 0, 0, format!("`{shown}` is ignored: {why}")).help(help));
    }
}

/// A file refused unread: not a regular file, or too large.
fn unreadable(rel: &Path, e: &ReadError) -> Diagnostic {
    let help = match e {
        ReadError::TooLarge => format!(
            "input files are read only up to {} MiB ({MAX_FILE_BYTES} bytes); split the file or remove what is not needed",
            MAX_FILE_BYTES / (1024 * 1024)
        ),
        _ => "oncall reads only regular files; replace it with one, or remove it".to_string(),
    };
    Diagnostic::new(rel, 0, 0, format!("`{}` is {e}", rel.display())).help(help)
}

/// Whether the file's name starts with a dot (hidden, an editor's swap file).
pub(super) fn is_dot_file(p: &Path) -> bool {
    p.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with('.'))
}

pub(super) fn extension(p: &Path) -> Option<&str> {
    p.extension().and_then(|e| e.to_str())
}

/// `help` with a did-you-mean when a candidate is close, else `otherwise`.
pub(super) fn suggest<'a>(
    d: Diagnostic,
    wrong: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    otherwise: impl Into<String>,
) -> Diagnostic {
    match did_you_mean(wrong, candidates) {
        Some(s) if s != wrong => d.help(format!("did you mean `{s}`?")),
        _ => d.help(otherwise),
    }
}
