//! The schedule commands: publish, show, who, override, swap, swap requests,
//! re-plan and the audit log (docs/design.md §5). Each turns its arguments into
//! one call of the library's schedule service and renders the result.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use oncall::model::time::parse_instant;
use oncall::model::TeamIdx;
use oncall::plan::optimise::PlanOptions;
use oncall::schedule::changes::Swap;
use oncall::schedule::service::{Outcome, Schedule};
use oncall::schedule::store::{NewOverride, StoreRead};

use crate::args::{
    Format, ListFormat, LogArgs, OverrideArgs, PublishArgs, ReplanArgs, ShowArgs, SwapAction,
    SwapArgs, SwapMatchArgs, SwapRequestArgs, WhoArgs,
};
use crate::render;
use crate::workspace::{emit, find_person, find_team, identity_opt, load, read_plan};
use crate::UsageError;

/// Reads a `--flag TIME` value in the team's zone; a bad one is a usage error.
pub(crate) fn instant(text: &str, tz: Tz, flag: &str) -> Result<DateTime<Utc>> {
    parse_instant(text, tz).map_err(|e| UsageError::new(format!("{flag} {e}")).into())
}

/// Prints a refused change and returns exit status 1. Only a refusal that
/// `--force` could overrule suggests it.
pub(crate) fn refused(
    what: &str,
    refusals: &[impl std::fmt::Display],
    forceable: bool,
) -> ExitCode {
    eprintln!("refused: {}", render::terminal(what));
    for r in refusals {
        eprintln!("  - {}", render::terminal(&r.to_string()));
    }
    if forceable {
        eprintln!("  help: fix the above, or pass --force to record it anyway (audited)");
    } else {
        eprintln!("  help: fix the above; --force cannot record a change of this shape");
    }
    ExitCode::from(1)
}

/// Renders the outcome of a judged change.
pub(crate) fn outcome<T, R: std::fmt::Display>(what: &str, o: &Outcome<T, R>) -> ExitCode {
    match o {
        Outcome::Recorded { overruled, .. } => {
            if !overruled.is_empty() {
                eprintln!(
                    "warning: recorded despite {} problem(s) (--force):",
                    overruled.len()
                );
                for r in overruled {
                    eprintln!("  - {}", render::terminal(&r.to_string()));
                }
            }
            println!("recorded: {}", render::terminal(what));
            ExitCode::SUCCESS
        }
        Outcome::Refused(rs) => refused(what, rs, true),
        Outcome::Malformed(rs) => refused(what, rs, false),
    }
}

pub(crate) fn publish(dir: &Path, args: PublishArgs) -> Result<ExitCode> {
    let (Some(team_id), Some(plan)) = (args.team.clone(), args.plan.clone()) else {
        let all = args.all.unwrap_or_default();
        return crate::organisation::publish_all(dir, &all, args.force, args.allow_partial);
    };
    let ws = load(dir)?;
    let team = find_team(&ws, &team_id)?;
    let doc = read_plan(&plan, &team_id)?;
    let mut schedule = crate::workspace::open_schedule(&ws)?;
    let detail = serde_json::json!({ "plan": plan.display().to_string() });
    let result = schedule.publish(team, &doc, args.force, detail)?;
    let version = match &result {
        Outcome::Recorded { value, overruled } => {
            if !overruled.is_empty() {
                eprintln!(
                    "warning: publishing with {} violation(s) (--force)",
                    overruled.len()
                );
            }
            *value
        }
        Outcome::Refused(vs) => {
            refused_plan(
                &plan,
                "does not pass the checker against the current inputs and history",
                vs,
            );
            eprintln!(
                "  help: re-run `oncall plan {}` (or `oncall replan`) and publish that, or pass --force to publish anyway (audited)",
                render::terminal(&team_id)
            );
            return Ok(ExitCode::from(1));
        }
        Outcome::Malformed(vs) => {
            refused_plan(&plan, "is not a plan of this team's weeks", vs);
            eprintln!(
                "  help: publish a plan made by `oncall plan {}` or `oncall replan`; --force cannot publish a plan of this shape",
                render::terminal(&team_id)
            );
            return Ok(ExitCode::from(1));
        }
    };
    let first = doc.horizon.as_ref().map(|h| h.first_week);
    println!(
        "published {} version {version}: {} shifts from {}{}",
        doc.team,
        doc.shifts.len(),
        first.map(|d| d.to_string()).unwrap_or_default(),
        if doc.unfilled.is_empty() {
            String::new()
        } else {
            format!(", {} slot(s) unfilled", doc.unfilled.len())
        }
    );
    let start = doc.shifts.iter().map(|s| s.start).min();
    if let (Some(from), Some(to)) = (start, doc.shifts.iter().map(|s| s.end).max()) {
        let drift = schedule.drift(team, (from, to))?;
        if !drift.is_empty() {
            eprintln!(
                "warning: what is published now breaks today's inputs (forced, or an override):"
            );
            eprint!("{}", render::drift(&ws, team, &drift));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints why a plan file was refused.
fn refused_plan(plan: &Path, why: &str, violations: &[oncall::checker::Violation]) {
    eprintln!(
        "refused: {} {why}:",
        render::terminal(&plan.display().to_string())
    );
    for v in violations {
        eprintln!("  - {}", render::terminal(&v.to_string()));
    }
}

pub(crate) fn show(dir: &Path, args: ShowArgs) -> Result<ExitCode> {
    let ws = load(dir)?;
    let team = args
        .team
        .as_deref()
        .map(|t| find_team(&ws, t))
        .transpose()?;
    let person = args
        .person
        .as_deref()
        .map(|p| find_person(&ws, p))
        .transpose()?;
    // Times are read in the team's zone, or with no team the person's.
    let tz = match (team, person) {
        (Some(t), _) => ws.team(t).timezone,
        (None, Some(p)) => ws.person(p).timezone,
        (None, None) => ws.org.timezone,
    };
    let (from, to) = span(&args, tz)?;
    let schedule = Schedule::read_only(&ws)?;
    let teams: Vec<TeamIdx> = match team {
        Some(t) => vec![t],
        None => (0..ws.teams.len()).map(TeamIdx).collect(),
    };
    let mut shown = Vec::new();
    for t in teams {
        let mut tl = schedule.timeline(t)?.clipped(from, to);
        if let Some(p) = person {
            let id = &ws.person(p).id;
            tl.segments.retain(|s| &s.person == id);
            if tl.segments.is_empty() && team.is_none() {
                continue;
            }
        }
        shown.push((t, tl));
    }
    match (person, team) {
        (Some(p), None) => print!("{}", render::person_timelines(&ws, p, &shown, args.format)?),
        _ => {
            for (t, tl) in &shown {
                print!("{}", render::timeline(&ws, *t, tl, args.format)?);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The `[--from, --to)` of `show`, read in `tz`.
fn span(args: &ShowArgs, tz: Tz) -> Result<(DateTime<Utc>, DateTime<Utc>)> {
    let from = match &args.from {
        Some(s) => instant(s, tz, "--from")?,
        None => DateTime::<Utc>::MIN_UTC,
    };
    let to = match &args.to {
        Some(s) => instant(s, tz, "--to")?,
        None => DateTime::<Utc>::MAX_UTC,
    };
    if to <= from {
        return Err(UsageError::new(format!(
            "--to {} is not after --from {}",
            render::terminal(args.to.as_deref().unwrap_or_default()),
            render::terminal(args.from.as_deref().unwrap_or_default())
        ))
        .into());
    }
    Ok((from, to))
}

pub(crate) fn who(dir: &Path, args: WhoArgs) -> Result<ExitCode> {
    let ws = load(dir)?;
    let team = find_team(&ws, &args.team)?;
    let at = match &args.at {
        Some(s) => instant(s, ws.team(team).timezone, "--at")?,
        None => oncall::clock::now(),
    };
    let timelines = Schedule::read_only(&ws)?.timelines()?;
    let on_call = oncall::schedule::who::on_call(&ws, team, &timelines, at);
    if args.format == ListFormat::Json {
        let doc = oncall::view::now::now(&ws, team, &timelines, at);
        println!("{}", serde_json::to_string_pretty(&doc)?);
        return Ok(if on_call.anyone() {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        });
    }
    let drift = oncall::schedule::drift::at_instant(&ws, team, &timelines, at);
    print!("{}", render::who(&ws, &on_call, &drift));
    Ok(if on_call.anyone() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

pub(crate) fn override_(dir: &Path, args: OverrideArgs) -> Result<ExitCode> {
    let ws = load(dir)?;
    let team = find_team(&ws, &args.team)?;
    let tz = ws.team(team).timezone;
    let o = NewOverride {
        role: args.role,
        person: args.person,
        start: instant(&args.from, tz, "--from")?,
        end: instant(&args.to, tz, "--to")?,
        reason: args.reason,
    };
    let what = format!(
        "{} covers {} {} from {} to {}",
        o.person,
        args.team,
        o.role,
        render::local(o.start, tz),
        render::local(o.end, tz)
    );
    let by = identity_opt(&ws).map(|p| ws.person(p).id.clone());
    let result =
        crate::workspace::open_schedule(&ws)?.override_(team, o, by.as_deref(), args.force)?;
    Ok(outcome(&what, &result))
}

pub(crate) fn swap(dir: &Path, args: SwapArgs) -> Result<ExitCode> {
    match args.action {
        Some(SwapAction::Request(r)) => return swap_request(dir, r),
        Some(SwapAction::Match(m)) => return swap_match(dir, m),
        None => {}
    }
    let (Some(team_id), Some(role), Some(week), Some(with)) =
        (args.team, args.role, args.week, args.with)
    else {
        return Err(UsageError::new(
            "give TEAM --role R --week W --with P, or `swap request` / `swap match`",
        )
        .into());
    };
    let ws = load(dir)?;
    let team = find_team(&ws, &team_id)?;
    let what = match args.their_week {
        Some(w2) => {
            format!("{with} takes {role} in the week of {week}, in exchange for the week of {w2}")
        }
        None => format!("{with} takes {role} in the week of {week}"),
    };
    let spec = Swap {
        role,
        week,
        with,
        their_week: args.their_week,
        reason: args.reason,
    };
    let by = identity_opt(&ws).map(|p| ws.person(p).id.clone());
    let result =
        crate::workspace::open_schedule(&ws)?.swap(team, &spec, by.as_deref(), args.force)?;
    Ok(outcome(&what, &result))
}

fn swap_request(dir: &Path, args: SwapRequestArgs) -> Result<ExitCode> {
    let ws = load(dir)?;
    let p = find_person(&ws, &args.person)?;
    let team = match &args.team {
        Some(t) => find_team(&ws, t)?,
        None => only_team_of(&ws, p, &args.person)?,
    };
    let by = identity_opt(&ws).map(|p| ws.person(p).id.clone());
    let mut schedule = crate::workspace::open_schedule(&ws)?;
    let result = schedule.request_swap(
        team,
        &args.person,
        by.as_deref(),
        args.give,
        &args.want,
        args.force,
    )?;
    match result {
        Outcome::Recorded {
            value: id,
            overruled,
        } => {
            for r in &overruled {
                eprintln!(
                    "warning: recorded despite (--force): {}",
                    render::terminal(&r.to_string())
                );
            }
            let want: Vec<String> = args.want.iter().map(ToString::to_string).collect();
            println!(
                "swap request #{id}: {} gives the week of {} for one of {}",
                args.person,
                args.give,
                want.join(", ")
            );
            Ok(ExitCode::SUCCESS)
        }
        Outcome::Refused(rs) => Ok(refused("the swap request", &rs, true)),
        Outcome::Malformed(rs) => Ok(refused("the swap request", &rs, false)),
    }
}

/// The one team `person` belongs to, or a usage error naming the choices.
fn only_team_of(ws: &oncall::Workspace, p: oncall::PersonIdx, id: &str) -> Result<TeamIdx> {
    let teams: Vec<TeamIdx> = (0..ws.teams.len())
        .map(TeamIdx)
        .filter(|&t| ws.team(t).has_member(p))
        .collect();
    match teams.as_slice() {
        [one] => Ok(*one),
        [] => Err(anyhow::anyhow!("{id} is on no team")),
        _ => {
            let ids: Vec<&str> = teams.iter().map(|&t| ws.team(t).id.as_str()).collect();
            Err(UsageError::new(format!("{id} is on several teams"))
                .help(format!("add --team ({})", ids.join(", ")))
                .into())
        }
    }
}

fn swap_match(dir: &Path, args: SwapMatchArgs) -> Result<ExitCode> {
    let ws = load(dir)?;
    let teams: Vec<TeamIdx> = match &args.team {
        Some(t) => vec![find_team(&ws, t)?],
        None => (0..ws.teams.len()).map(TeamIdx).collect(),
    };
    let matches = crate::workspace::open_schedule(&ws)?.match_swaps(&teams, args.dry_run)?;
    print!("{}", render::swap_matches(&ws, &matches));
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn replan(dir: &Path, args: ReplanArgs) -> Result<ExitCode> {
    // A file is written for `publish`, so it is plan JSON unless it is
    // named for CSV or Markdown.
    let format = Format::for_output(args.format, args.out.as_deref(), Format::Json)?;
    let ws = load(dir)?;
    let team = find_team(&ws, &args.team)?;
    let opts = PlanOptions {
        time_limit: args.time_limit,
        tolerance: args.stable.then_some(args.tolerance),
        ..Default::default()
    };
    let r = Schedule::read_only(&ws)?.replan(team, args.from, &opts)?;
    let doc = r.plan.to_doc(&ws);
    let text = render::plan(&ws, &doc, format)?;
    emit(args.out.as_deref(), &text)?;
    eprint!("{}", render::replan_diff(&r));
    if let Some(out) = &args.out {
        eprintln!(
            "wrote {}; publish it with `oncall publish {} {}`",
            out.display(),
            args.team,
            out.display()
        );
    }
    Ok(if doc.unfilled.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

pub(crate) fn log(dir: &Path, args: LogArgs) -> Result<ExitCode> {
    let ws = load(dir)?;
    if let Some(t) = &args.team {
        find_team(&ws, t)?;
    }
    let schedule = Schedule::read_only(&ws)?;
    let entries = match schedule.store() {
        Some(store) => store
            .audit(args.team.as_deref())
            .context("cannot read the audit log")?,
        None => Vec::new(),
    };
    if args.format == ListFormat::Json {
        println!("{}", serde_json::to_string_pretty(&entries)?);
        return Ok(ExitCode::SUCCESS);
    }
    if entries.is_empty() {
        println!("no changes recorded yet");
        return Ok(ExitCode::SUCCESS);
    }
    print!("{}", render::audit(&entries));
    Ok(ExitCode::SUCCESS)
}
