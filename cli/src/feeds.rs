//! `oncall ical`: calendar feeds of the resolved timeline (DESIGN.md §7).

use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use chrono::{DateTime, NaiveDate, Utc};
use oncall::feed::{self, Feed};
use oncall::horizon::start_of_day;
use oncall::store::Store;

use crate::args::IcalArgs;
use crate::commands::{find_team, load};

pub fn ical(dir: &Path, args: IcalArgs) -> Result<ExitCode> {
    if args.all && args.out.is_none() {
        bail!("error: --all writes one file per feed\n  help: add --out DIR");
    }
    if let (Some(from), Some(to)) = (args.from, args.to) {
        if to <= from {
            bail!("error: --to {to} is not after --from {from}");
        }
    }
    let ws = load(dir)?;
    let mut store = Store::open(&ws.root).map_err(|e| anyhow::anyhow!("error: {e}"))?;
    // Every team's timeline: a person's feed covers all their teams, and the
    // sequences are kept for every event alike.
    let mut timelines = Vec::with_capacity(ws.teams.len());
    for t in 0..ws.teams.len() {
        timelines.push(
            store
                .timeline(&ws, oncall::TeamIdx(t))
                .map_err(|e| anyhow::anyhow!("error: {e}"))?,
        );
    }
    let mut events = feed::events(&ws, &timelines);
    let mut sequences = store
        .feed_sequences()
        .map_err(|e| anyhow::anyhow!("error: {e}"))?;
    let changed = sequences.assign(&mut events);
    store
        .save_feed_sequences(&changed)
        .map_err(|e| anyhow::anyhow!("error: {e}"))?;
    let midnight = |d: NaiveDate| -> DateTime<Utc> { start_of_day(ws.org.timezone, d) };
    let events = feed::in_window(events, args.from.map(midnight), args.to.map(midnight));

    let feeds: Vec<Feed> = if let Some(team) = &args.team {
        let t = find_team(&ws, team)?;
        vec![feed::team_feed(&ws, &ws.team(t).id, &events)]
    } else if let Some(person) = &args.person {
        if ws.person_by_id(person).is_none() {
            let ids = ws.people.iter().map(|p| p.id.as_str());
            let hint = match oncall::suggest::did_you_mean(person, ids) {
                Some(s) => format!("did you mean `{s}`?"),
                None => "use an id from people.csv".to_string(),
            };
            bail!("error: unknown person `{person}`\n  help: {hint}");
        }
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
            fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
            for f in &feeds {
                write_atomically(&out.join(&f.file_name), f.text.as_bytes())?;
            }
            eprintln!("wrote {} feed(s) to {}", feeds.len(), out.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes to a temporary file beside `path`, then renames it into place, so
/// a client fetching the file never sees half a feed.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.tmp"));
    fs::write(&tmp, bytes).with_context(|| format!("writing {}", tmp.display()))?;
    fs::rename(&tmp, path).with_context(|| format!("renaming to {}", path.display()))?;
    Ok(())
}
