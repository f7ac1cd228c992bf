//! `oncall store check | repair`: the state store, row by row.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use oncall::schedule::store::{Store, StoreCheck};
use oncall::text::terminal::escape_lines;

use crate::args::{StoreCommand, StoreRepairArgs};
use crate::render::terminal;
use crate::UsageError;

pub(crate) fn run(dir: &Path, cmd: StoreCommand) -> Result<ExitCode> {
    match cmd {
        StoreCommand::Check => check(dir),
        StoreCommand::Repair(args) => repair(dir, &args),
    }
}

fn check(dir: &Path) -> Result<ExitCode> {
    let found = Store::open_read_only(dir)?.check()?;
    print!("{}", render(&found));
    Ok(if found.is_sound() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn render(found: &StoreCheck) -> String {
    let mut out = String::new();
    for f in &found.integrity {
        out.push_str(&format!("sqlite: {}\n", terminal(f)));
    }
    for p in &found.problems {
        out.push_str(&format!("unreadable: {}\n", escape_lines(&p.to_string())));
    }
    let verdict = if found.is_sound() {
        "every row reads back".to_string()
    } else {
        format!(
            "{} problem(s)",
            found.integrity.len() + found.problems.len()
        )
    };
    out.push_str(&format!(
        "oncall.db: {} team(s), {} published version(s); {verdict}\n",
        found.teams, found.versions
    ));
    out
}

fn repair(dir: &Path, args: &StoreRepairArgs) -> Result<ExitCode> {
    let [team, version] = args.drop_version.as_slice() else {
        return Err(UsageError::new("--drop-version takes a team and a version").into());
    };
    let version: u32 = version.parse().map_err(|_| {
        UsageError::new(format!("version `{}` is not a number", terminal(version)))
            .help("give the version `oncall store check` names, e.g. --drop-version payments 2")
    })?;
    let dropped = Store::open(dir)?
        .acting_as(crate::workspace::actor())
        .repair_drop_version(team, version)?;
    println!(
        "dropped version {} of team {} ({} slot(s)); audited as store-repair",
        dropped.version,
        terminal(&dropped.team),
        dropped.slots
    );
    Ok(ExitCode::SUCCESS)
}
