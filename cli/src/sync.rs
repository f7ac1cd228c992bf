//! `oncall sync pagerduty`: the plan of changes per schedule, or (with
//! `--apply`) what was applied, and one summary line.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{bail, Result};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use oncall::schedule::service::Schedule;
use oncall::schedule::store::LinkRead;
use oncall::sync::pagerduty::PagerDuty;
use oncall::sync::{self, RoleSync, SyncError, SyncOptions, SyncReport};
use oncall::Workspace;

use crate::args::SyncArgs;
use crate::workspace::{find_team, load};
use crate::UsageError;

/// The variable the PagerDuty token is read from, and only from.
pub(crate) const TOKEN_VAR: &str = "PAGERDUTY_TOKEN";

pub(crate) fn pagerduty(dir: &Path, args: &SyncArgs) -> Result<ExitCode> {
    let ws = load(dir)?;
    let team = args
        .team
        .as_deref()
        .map(|t| find_team(&ws, t))
        .transpose()?;
    let mapped = ws
        .teams
        .iter()
        .enumerate()
        .any(|(i, t)| team.is_none_or(|only| only.0 == i) && !t.pagerduty.is_empty());
    if !mapped {
        bail!(UsageError::new("no team maps a role to a PagerDuty schedule")
            .help("add `[pagerduty]` with `primary = \"PABC123\"` (role = schedule id) to a team file"));
    }
    let mut pager = PagerDuty::new(&args.api_url, token()?)?;
    let opts = SyncOptions {
        team,
        from: args.from,
        to: args.to,
        now: oncall::clock::now(),
        apply: args.apply,
    };
    let mut schedule = if args.apply {
        crate::workspace::open_schedule(&ws)?
    } else {
        Schedule::read_only(&ws)?
    };
    let report = match sync::run(&mut schedule, &mut pager, &opts) {
        Ok(r) => r,
        Err(SyncError::Refused(e)) => bail!("{e}"),
        Err(e) => return Err(e.into()),
    };
    print!("{}", render(&ws, &report, args.apply));
    println!("{}", report.summary(args.apply));
    Ok(if report.roles.iter().all(RoleSync::is_ok) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The token, from `$PAGERDUTY_TOKEN` only.
fn token() -> Result<String> {
    let token = std::env::var(TOKEN_VAR).unwrap_or_default();
    if token.trim().is_empty() {
        bail!(UsageError::new(format!("${TOKEN_VAR} is not set")).help(
            "export PAGERDUTY_TOKEN=<a PagerDuty REST API token>; it is read from nowhere else"
        ));
    }
    Ok(token.trim().to_string())
}

/// `15m`, `1h`, `30s`: the period of `serve --sync-every`.
pub(crate) fn parse_every(text: &str) -> std::result::Result<Duration, String> {
    let (n, unit) = text.split_at(
        text.find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len()),
    );
    let n: u64 = n
        .parse()
        .map_err(|_| format!("`{text}` is not a duration such as 15m, 1h or 30s"))?;
    let secs = match unit {
        "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        _ => return Err(format!("`{text}` is not a duration such as 15m, 1h or 30s")),
    };
    if secs == 0 {
        return Err("the period must be longer than 0".into());
    }
    Ok(Duration::from_secs(secs))
}

/// Starts the background sync of `serve --sync-every`: every `period`, when
/// the schedule changed since the last sync, it applies a sync of every
/// team and logs its summary line (never the token).
pub(crate) fn every(dir: &Path, period: Duration, api_url: &str) -> Result<()> {
    let token = token()?;
    let (dir, url) = (dir.to_path_buf(), api_url.to_string());
    std::thread::spawn(move || {
        let mut synced: Option<i64> = None;
        loop {
            match sync_if_changed(&dir, &url, &token, synced) {
                Ok(Some((at, line, done))) => {
                    // A sync with failures is tried again next time.
                    synced = done.then_some(at);
                    eprintln!("{line}");
                }
                Ok(None) => {}
                Err(e) => eprintln!("sync: error: {e:#}"),
            }
            std::thread::sleep(period);
        }
    });
    Ok(())
}

/// One background sync, when the audit log has moved past `synced`:
/// returns the audit log's number after it, the summary line, and whether
/// everything was applied.
fn sync_if_changed(
    dir: &Path,
    url: &str,
    token: &str,
    synced: Option<i64>,
) -> Result<Option<(i64, String, bool)>> {
    let ws = load(dir)?;
    let mut schedule = crate::workspace::open_schedule(&ws)?;
    let change = |s: &Schedule<'_>| -> Result<i64> {
        Ok(s.store()
            .map(|st| st.last_change().map(|c| c.0))
            .transpose()?
            .unwrap_or(0))
    };
    if synced == Some(change(&schedule)?) {
        return Ok(None);
    }
    let mut pager = PagerDuty::new(url, token.to_string())?;
    let opts = SyncOptions {
        team: None,
        from: None,
        to: None,
        now: oncall::clock::now(),
        apply: true,
    };
    let (line, done) = match sync::run(&mut schedule, &mut pager, &opts) {
        Ok(report) => (
            report.summary(true),
            report.roles.iter().all(RoleSync::is_ok),
        ),
        Err(e) => (format!("sync: error: {e}"), false),
    };
    Ok(Some((change(&schedule)?, line, done)))
}

/// The changes of each schedule, in its team's zone, with people's names.
fn render(ws: &Workspace, report: &SyncReport, applied: bool) -> String {
    let mut out = String::new();
    for r in &report.roles {
        let team = ws.team_by_id(&r.team).map(|t| ws.team(t));
        let tz = team.map_or(ws.org.timezone, |t| t.timezone);
        let c = &r.changes;
        let _ = writeln!(
            out,
            "{} {} -> PagerDuty schedule {}: {} to create, {} to delete, {} conflict(s){}",
            r.team,
            r.role,
            r.schedule,
            c.create.len(),
            c.delete.len(),
            c.conflicts.len(),
            if applied {
                format!("; created {}, deleted {}", r.created, r.deleted)
            } else {
                String::new()
            },
        );
        if let Some(e) = &r.error {
            let _ = writeln!(out, "  error: {e}");
            continue;
        }
        let names: HashMap<&str, &str> = c
            .create
            .iter()
            .map(|w| (w.user.as_str(), w.person.as_str()))
            .collect();
        for w in &c.create {
            let _ = writeln!(
                out,
                "  create {}  {}",
                span(tz, w.start, w.end),
                name(ws, &w.person)
            );
        }
        for e in &c.delete {
            let who = names
                .get(e.user.as_str())
                .map_or_else(|| format!("PagerDuty user {}", e.user), |p| name(ws, p));
            let _ = writeln!(
                out,
                "  delete {}  {}  (override {})",
                span(tz, e.start, e.end),
                who,
                e.id
            );
        }
        for e in &c.conflicts {
            let _ = writeln!(
                out,
                "  conflict {}  PagerDuty user {}  (override {} was made in PagerDuty: left alone)",
                span(tz, e.start, e.end),
                e.user,
                e.id
            );
        }
        for f in &r.failed {
            let _ = writeln!(out, "  failed: {f}");
        }
    }
    out
}

fn span(tz: Tz, start: DateTime<Utc>, end: DateTime<Utc>) -> String {
    let f = |t: DateTime<Utc>| {
        t.with_timezone(&tz)
            .format("%a %Y-%m-%d %H:%M %:z")
            .to_string()
    };
    format!("{} -> {} ({tz})", f(start), f(end))
}

fn name(ws: &Workspace, id: &str) -> String {
    ws.person_by_id(id)
        .map(|p| ws.person(p).name.clone())
        .filter(|n| !n.is_empty())
        .map_or_else(|| id.to_string(), |n| format!("{n} ({id})"))
}
