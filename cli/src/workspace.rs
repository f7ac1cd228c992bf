//! What every command needs: the workspace loaded, teams and people found
//! by id with a suggestion, plan files read, and output written to a file
//! atomically or to standard output.

use std::path::Path;

use anyhow::{Context, Result};
use oncall::model::{PersonIdx, TeamIdx, Workspace};
use oncall::PlanDoc;

use crate::render::terminal;
use crate::UsageError;

/// The weeks `--quarter` or `--from` and `--weeks` ask for.
pub(crate) fn horizon(h: &crate::args::Horizon) -> Result<oncall::HorizonSpec> {
    match (h.quarter, h.from, h.weeks) {
        (Some(q), _, _) => Ok(q),
        (None, Some(from), Some(weeks)) => Ok(oncall::HorizonSpec::Weeks { from, weeks }),
        _ => Err(UsageError::new("give --quarter 2027Q1 or --from DATE --weeks N").into()),
    }
}

/// Loads the workspace at `dir`.
pub(crate) fn load(dir: &Path) -> Result<Workspace> {
    // A load error renders its own diagnostics; it reaches `main` whole.
    Ok(oncall::input::load_workspace(dir)?)
}

pub(crate) fn find_team(ws: &Workspace, id: &str) -> Result<TeamIdx> {
    if let Some(t) = ws.team_by_id(id) {
        return Ok(t);
    }
    let ids: Vec<&str> = ws.teams.iter().map(|t| t.id.as_str()).collect();
    let hint = match oncall::input::suggest::did_you_mean(id, ids.iter().copied()) {
        Some(s) => format!("did you mean `{s}`?"),
        None if ids.is_empty() => "create teams/<team>.toml".to_string(),
        None => format!("known teams: {}", ids.join(", ")),
    };
    Err(UsageError::new(format!(
        "unknown team `{}` (no teams/{}.toml)",
        terminal(id),
        terminal(id)
    ))
    .help(hint)
    .into())
}

pub(crate) fn find_person(ws: &Workspace, id: &str) -> Result<PersonIdx> {
    if let Some(p) = ws.person_by_id(id) {
        return Ok(p);
    }
    let hint = oncall::input::suggest::did_you_mean(id, ws.people.iter().map(|p| p.id.as_str()))
        .map_or_else(
            || "use an id from people.csv".into(),
            |s| format!("did you mean `{s}`?"),
        );
    Err(
        UsageError::new(format!("unknown person `{}`", terminal(id)))
            .help(hint)
            .into(),
    )
}

/// The person `$ONCALL_USER` names (their id or e-mail), if it names one.
pub(crate) fn identity_opt(ws: &Workspace) -> Option<PersonIdx> {
    let user = std::env::var("ONCALL_USER").ok()?;
    ws.person_by_identity(&user)
}

/// The person `$ONCALL_USER` names, for a command that acts for someone;
/// without one, a usage error that says how to set it.
pub(crate) fn identity(ws: &Workspace) -> Result<PersonIdx> {
    if let Some(p) = identity_opt(ws) {
        return Ok(p);
    }
    let user = std::env::var("ONCALL_USER").unwrap_or_default();
    let what = if user.trim().is_empty() {
        "this command acts for you, but $ONCALL_USER is not set".to_string()
    } else {
        format!(
            "this command acts for you, but $ONCALL_USER (`{}`) is no person's id or e-mail in people.csv",
            terminal(&user)
        )
    };
    Err(UsageError::new(what)
        .help("set ONCALL_USER to your id or e-mail in people.csv, e.g. `export ONCALL_USER=alice`")
        .into())
}

/// Reads a plan JSON file, naming the file, line and column when it is not one.
pub(crate) fn read_plan(path: &Path, team: &str) -> Result<PlanDoc> {
    let text = oncall::input::limits::read_to_string(path)
        .with_context(|| format!("cannot read the plan {}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| {
        anyhow::anyhow!(
            "{} is not a plan JSON: {e}\n  --> {}:{}:{}\n  help: write one with `oncall plan {team} --format json --out {}`",
            path.display(),
            path.display(),
            e.line(),
            e.column(),
            path.display()
        )
    })
}

/// Writes to a file atomically, or to stdout. The file is written through a
/// temporary file with an unpredictable name, created exclusively in the
/// target directory (never through a symlink), then renamed into place.
pub(crate) fn emit(out: Option<&Path>, text: &str) -> Result<()> {
    use std::io::Write;
    match out {
        Some(path) => write_atomically(path, text.as_bytes()),
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(text.as_bytes())?;
            stdout.flush()?;
            Ok(())
        }
    }
}

/// See [`emit`]. A target that exists must be a regular file (or a link to
/// one): a device, FIFO, socket or directory is refused untouched.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    regular_target(path)?;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".oncall-")
        .tempfile_in(dir)
        .with_context(|| format!("cannot write in {}", dir.display()))?;
    tmp.write_all(bytes)
        .with_context(|| format!("cannot write {}", path.display()))?;
    tmp.as_file()
        .sync_all()
        .with_context(|| format!("cannot write {}", path.display()))?;
    tmp.persist(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// Refuses a `--out` target that exists and is not a regular file.
fn regular_target(path: &Path) -> Result<()> {
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return Ok(());
    };
    let kind = if meta.is_symlink() {
        match std::fs::metadata(path) {
            Ok(m) => m.file_type(),
            // A dangling link: renaming replaces the link itself.
            Err(_) => return Ok(()),
        }
    } else {
        meta.file_type()
    };
    if kind.is_file() {
        return Ok(());
    }
    let what = file_kind(kind);
    Err(UsageError::new(format!(
        "--out {}: it is {what}, not a regular file; nothing was written",
        path.display()
    ))
    .help("give the path of a regular file (or of one to create), or leave --out out to write to standard output")
    .into())
}

fn file_kind(kind: std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_dir() {
        "a directory"
    } else if kind.is_fifo() {
        "a FIFO"
    } else if kind.is_char_device() {
        "a character device"
    } else if kind.is_block_device() {
        "a block device"
    } else if kind.is_socket() {
        "a socket"
    } else {
        "a special file"
    }
}

/// Who this command acts as, for the audit log and every record of a
/// change: `$ONCALL_USER`, else `$USER`, else `unknown`. The library takes
/// it as an argument; only this shell reads the environment.
pub(crate) fn actor() -> String {
    std::env::var("ONCALL_USER")
        .or_else(|_| std::env::var("USER"))
        .ok()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| "unknown".to_string())
}

/// The workspace's schedule, opened for changes made as [`actor`].
pub(crate) fn open_schedule(ws: &oncall::Workspace) -> anyhow::Result<oncall::Schedule<'_>> {
    Ok(oncall::Schedule::open(ws)?.acting_as(actor()))
}
