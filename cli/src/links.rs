//! `oncall link create | list | revoke`: secret links to feeds and pages.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use comfy_table::{presets, Table};
use oncall::schedule::links::{Link, LinkSubject};
use oncall::schedule::service::{Outcome, Schedule};

use crate::args::{LinkCommand, LinkCreateArgs, ListFormat};
use crate::render::{row, terminal};
use crate::workspace::load;

pub(crate) fn run(dir: &Path, cmd: LinkCommand) -> Result<ExitCode> {
    match cmd {
        LinkCommand::Create(args) => create(dir, args),
        LinkCommand::List { format } => list(dir, format),
        LinkCommand::Revoke { id } => revoke(dir, id),
    }
}

fn create(dir: &Path, args: LinkCreateArgs) -> Result<ExitCode> {
    let ws = load(dir)?;
    // Clap requires exactly one of the two; an empty team is refused as
    // unknown.
    let subject = match args.person {
        Some(p) => LinkSubject::Person(p),
        None => LinkSubject::Team(args.team.unwrap_or_default()),
    };
    match crate::workspace::open_schedule(&ws)?.create_link(subject)? {
        Outcome::Recorded { value, .. } => {
            let base = args.base_url.trim_end_matches('/');
            let url = format!("{base}/{}/", value.secret);
            println!(
                "link #{} to {} (shown once; only its hash is stored):",
                value.link.id,
                terminal(&value.link.subject.describe())
            );
            match value.link.subject {
                LinkSubject::Person(_) => println!("  calendar: {url}calendar.ics"),
                LinkSubject::Team(_) => {
                    println!("  calendar: {url}calendar.ics");
                    println!("  page:     {url}");
                    println!("  now:      {url}now.json");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Outcome::Refused(why) | Outcome::Malformed(why) => refused(&why),
    }
}

fn refused(why: &[oncall::schedule::links::LinkRefusal]) -> Result<ExitCode> {
    for w in why {
        eprintln!("error: {}", terminal(&w.to_string()));
    }
    Ok(ExitCode::from(1))
}

fn list(dir: &Path, format: ListFormat) -> Result<ExitCode> {
    let ws = load(dir)?;
    let links = Schedule::read_only(&ws)?.links()?;
    if format == ListFormat::Json {
        println!("{}", serde_json::to_string_pretty(&links)?);
        return Ok(ExitCode::SUCCESS);
    }
    if links.is_empty() {
        println!("no links yet; create one with `oncall link create --team TEAM`");
        return Ok(ExitCode::SUCCESS);
    }
    let mut t = Table::new();
    t.load_preset(presets::UTF8_FULL_CONDENSED);
    t.set_header(["id", "grants", "created", "by", "last used", "revoked"]);
    for l in &links {
        t.add_row(row(cells(l)));
    }
    println!("{t}");
    Ok(ExitCode::SUCCESS)
}

fn cells(l: &Link) -> [String; 6] {
    let when = |t: Option<chrono::DateTime<chrono::Utc>>| {
        t.map_or_else(
            || "-".to_string(),
            |t| t.format("%Y-%m-%d %H:%M UTC").to_string(),
        )
    };
    [
        format!("#{}", l.id),
        l.subject.describe(),
        when(Some(l.created)),
        l.created_by.clone(),
        when(l.last_used),
        when(l.revoked),
    ]
}

fn revoke(dir: &Path, id: i64) -> Result<ExitCode> {
    let ws = load(dir)?;
    match crate::workspace::open_schedule(&ws)?.revoke_link(id)? {
        Outcome::Recorded { value, .. } => {
            println!(
                "revoked link #{} to {}: its next request gets 404",
                value.id,
                terminal(&value.subject.describe())
            );
            Ok(ExitCode::SUCCESS)
        }
        Outcome::Refused(why) | Outcome::Malformed(why) => refused(&why),
    }
}
