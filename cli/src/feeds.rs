//! `oncall ical`: calendar feeds of the resolved timeline (docs/design.md §7).

use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use chrono::NaiveDate;
use oncall::calendar::feed::{self, Feed};
use oncall::model::time::start_of_day;
use oncall::schedule::service::Schedule;

use crate::args::IcalArgs;
use crate::workspace::{find_person, find_team, load, write_atomically};
use crate::UsageError;

pub(crate) fn ical(dir: &Path, args: IcalArgs) -> Result<ExitCode> {
    if args.all && args.out.is_none() {
        return Err(UsageError::new("--all writes one file per feed")
            .help("add --out DIR")
            .into());
    }
    if let (Some(from), Some(to)) = (args.from, args.to) {
        if to <= from {
            return Err(UsageError::new(format!("--to {to} is not after --from {from}")).into());
        }
    }
    let ws = load(dir)?;
    let midnight = |d: NaiveDate| start_of_day(ws.org.timezone, d);
    let got = feed::build(
        &mut Schedule::read_only(&ws)?,
        args.from.map(midnight),
        args.to.map(midnight),
    )?;
    if !got.sequences_saved {
        eprintln!(
            "warning: the state store cannot be written here, so the feeds' SEQUENCE numbers were \
             not saved; run `oncall ical` where it can be written for calendars to see changes"
        );
    }
    let events = got.events;
    let feeds: Vec<Feed> = if let Some(team) = &args.team {
        let t = find_team(&ws, team)?;
        vec![feed::team_feed(&ws, &ws.team(t).id, &events)]
    } else if let Some(person) = &args.person {
        find_person(&ws, person)?;
        vec![feed::person_feed(&ws, person, &events)]
    } else {
        let mut all = feed::person_feeds(&ws, &events);
        all.extend(feed::team_feeds(&ws, &events));
        all
    };
    match &args.out {
        None => {
            let mut stdout = std::io::stdout().lock();
            for f in &feeds {
                stdout.write_all(f.text.as_bytes())?;
            }
            stdout.flush()?;
        }
        Some(out) => {
            fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
            for f in &feeds {
                write_atomically(&out.join(&f.file_name), f.text.as_bytes())?;
            }
            eprintln!("wrote {} feed(s) to {}", feeds.len(), out.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}
