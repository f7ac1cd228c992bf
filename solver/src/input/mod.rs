//! Loading and validating a workspace (docs/design.md §1).
//!
//! Every problem is collected as a [`Diagnostic`] naming the file, line and
//! column, with a suggested fix where one can be guessed. Loading never panics:
//! the raw serde structs are private and every value taken from them is
//! checked before it becomes a domain type.
//!
//! What is read, each by its own module:
//!
//! - `oncall.toml` (required; `org`): `timezone`, `[load]`,
//!   `[holidays.<region>]` and `[compensation]` (the pay policy, in
//!   `pay_policy`: currency, mode, rates, role multipliers, days off in lieu,
//!   region overrides and incident pay) and `[notify]` (where changes are
//!   announced, in `notify`);
//! - `people.csv` (required; `people`): columns `id` and `joined` are
//!   required, `name`, `email`, `timezone`, `region`, `left`, `skills`,
//!   `phone`, `chat`, `grafana_user` and `notify` are optional; other columns are ignored unless they look like a misspelt
//!   known column;
//! - `time-off/*.toml` and `time-off/<person-id>.ics` (`time_off`, and see
//!   [`crate::input::calendar`]; which calendar events count is
//!   `[time_off.calendar]` in `oncall.toml`, read by `calendar_policy`); other
//!   files there are ignored. A calendar event that cannot be read is skipped
//!   with a warning ([`Workspace::warnings`]) unless the policy is strict;
//! - `teams/*.toml` (at least one; `teams`); the file stem is the team's id.
//!
//! Ids, file sizes and numbers are bounded as [`limits`] documents; a path
//! that is not a regular file is refused unread.
//!
//! Hidden files are skipped everywhere. `source` turns byte offsets into
//! line and column, `parse` holds the small shared parsers and `context` the
//! diagnostics and file reading they all share.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::input::context::Cx;
use crate::input::diagnostic::{Diagnostic, LoadError};
use crate::model::Workspace;

pub mod calendar;
mod calendar_policy;
mod context;
pub mod diagnostic;
pub mod example;
pub mod generate;
pub mod limits;
mod notify;
mod org;
mod parse;
mod pay_policy;
mod people;
mod source;
pub mod suggest;
pub mod synth;
mod teams;
mod time_off;
mod wording;

/// Loads and validates the workspace in `root`.
///
/// Teams come sorted by id, people in file order. On success,
/// [`Workspace::inputs_sha256`] is the SHA-256 over the relative path and bytes
/// of every input file read, in path order.
///
/// # Errors
/// Every problem found in the inputs, each naming the file (relative to
/// `root`), line and column and, where one can be guessed, the fix; sorted by
/// file, line and column.
pub fn load_workspace(root: &Path) -> Result<Workspace, LoadError> {
    load_workspace_with(root, &BTreeMap::new())
}

/// Loads the workspace in `root` as [`load_workspace`] does, but reads the
/// texts of `replaced` in place of the files at those paths (relative to
/// `root`, e.g. `people.csv` or `time-off/extra.toml`; a path that does not
/// exist is read as if the file did). Nothing is written: diagnostics name
/// the replaced file and line, and [`Workspace::inputs_sha256`] is what the
/// workspace would give with the files edited that way.
///
/// # Errors
/// As [`load_workspace`].
pub fn load_workspace_with(
    root: &Path,
    replaced: &BTreeMap<PathBuf, String>,
) -> Result<Workspace, LoadError> {
    if !root.is_dir() {
        return Err(LoadError {
            diagnostics: vec![not_a_workspace(root)],
        });
    }
    let mut cx = Cx::new(root);
    cx.replaced = replaced.clone();
    let org = cx.org();
    let default_tz = org.as_ref().map_or(chrono_tz::UTC, |o| o.timezone);
    let people = cx.people(default_tz);
    let calendar = org.as_ref().map(|o| o.calendar.clone()).unwrap_or_default();
    let time_off = cx.time_off(&people, &calendar);
    let teams = cx.teams(&people, default_tz, org.as_ref());
    let Cx {
        mut diags,
        mut hashed,
        mut warnings,
        ..
    } = cx;
    warnings.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    match org {
        Some(org) if diags.is_empty() => Ok(Workspace {
            root: root.to_path_buf(),
            org,
            people,
            time_off,
            teams,
            inputs_sha256: digest(&mut hashed),
            warnings,
        }),
        _ => {
            diags.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
            Err(LoadError { diagnostics: diags })
        }
    }
}

/// `root` is missing or not a directory.
fn not_a_workspace(root: &Path) -> Diagnostic {
    let message = if root.exists() {
        format!("`{}` is not a directory", root.display())
    } else {
        format!("workspace directory `{}` does not exist", root.display())
    };
    Diagnostic::new(root, 0, 0, message)
        .help("pass the workspace directory with `-C DIR`, or create one with `oncall init DIR`")
}

/// SHA-256 (hex) over `(path, bytes)` pairs sorted by path; each path and
/// length is framed so that no two different inputs hash alike.
fn digest(files: &mut [(String, Vec<u8>)]) -> String {
    files.sort();
    let mut h = Sha256::new();
    for (path, bytes) in files.iter() {
        h.update((path.len() as u64).to_le_bytes());
        h.update(path.as_bytes());
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}
