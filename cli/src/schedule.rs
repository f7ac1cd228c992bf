//! The schedule's life after planning: publish, show, who, override, swap,
//! swap requests, re-plan and the audit log (DESIGN.md §5).

use std::fs;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;
use comfy_table::{presets, Table};
use oncall::changes::{self, Refusal};
use oncall::model::{TeamIdx, Workspace};
use oncall::optimise::PlanOptions;
use oncall::store::{ChangeKind, NewOverride, Store};
use oncall::timeline::{Source, Timeline};
use oncall::PlanDoc;
use serde_json::json;

use crate::args::{
    Format, LogArgs, OverrideArgs, PublishArgs, ReplanArgs, ShowArgs, ShowFormat, SwapAction,
    SwapArgs, SwapMatchArgs, SwapRequestArgs, WhoArgs,
};
use crate::commands::{emit, find_team, load};
use crate::render;

fn store(ws: &Workspace) -> Result<Store> {
    Store::open(&ws.root).map_err(|e| anyhow::anyhow!("error: {e}"))
}

/// The team's published history, without creating `oncall.db` when there is
/// none yet.
pub fn history(ws: &Workspace, team: TeamIdx) -> Result<Timeline> {
    if !ws.root.join(oncall::store::DB_FILE).exists() {
        return Ok(Timeline::default());
    }
    store(ws)?
        .timeline(ws, team)
        .map_err(|e| anyhow::anyhow!("error: {e}"))
}

/// Reads an instant: RFC 3339 with an offset, or a wall-clock `YYYY-MM-DD`
/// (midnight), `YYYY-MM-DDTHH:MM` or `YYYY-MM-DD HH:MM` in `tz`. A local
/// time in a spring-forward gap moves to the end of the gap; an ambiguous one
/// takes the first occurrence (as handoffs do).
pub fn parse_instant(s: &str, tz: Tz, flag: &str) -> Result<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    for fmt in ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"] {
        if let Ok(local) = NaiveDateTime::parse_from_str(s, fmt) {
            return Ok(oncall::horizon::resolve_local(tz, local));
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Ok(oncall::horizon::start_of_day(tz, d));
    }
    bail!(
        "error: {flag} `{s}` is not a time\n  help: write 2027-01-09, 2027-01-09T18:00 (in {}) or 2027-01-09T18:00:00Z",
        tz.name()
    )
}

fn local(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz)
        .format("%a %Y-%m-%d %H:%M %Z")
        .to_string()
}

fn refused(what: &str, refusals: &[Refusal]) -> ExitCode {
    eprintln!("refused: {what}");
    for r in refusals {
        eprintln!("  - {r}");
    }
    eprintln!("  help: fix the above, or pass --force to record it anyway (audited)");
    ExitCode::from(1)
}

pub fn publish(dir: &Path, args: PublishArgs) -> Result<ExitCode> {
    let ws = load(dir)?;
    let team = find_team(&ws, &args.team)?;
    let text = fs::read_to_string(&args.plan)
        .with_context(|| format!("error: cannot read the plan {}", args.plan.display()))?;
    let doc: PlanDoc = serde_json::from_str(&text).map_err(|e| {
        anyhow::anyhow!(
            "error: {} is not a plan JSON: {e}\n  --> {}:{}:{}",
            args.plan.display(),
            args.plan.display(),
            e.line(),
            e.column()
        )
    })?;
    let history = history(&ws, team)?;
    let first = doc
        .horizon
        .as_ref()
        .map(|h| h.first_week)
        .unwrap_or(NaiveDate::MIN);
    let before = Timeline {
        team: history.team.clone(),
        segments: history
            .segments
            .iter()
            .filter(|s| s.week < first)
            .cloned()
            .collect(),
    };
    let report = oncall::checker::check_plan_with_history(&ws, team, &doc, &before);
    if !report.violations.is_empty() {
        if !args.force {
            eprintln!(
                "refused: {} does not pass the checker against the current inputs and history:",
                args.plan.display()
            );
            for v in &report.violations {
                eprintln!("  - {v}");
            }
            eprintln!(
                "  help: re-run `oncall plan {}` (or `oncall replan`) and publish that, or pass --force to publish anyway (audited)",
                args.team
            );
            return Ok(ExitCode::from(1));
        }
        eprintln!(
            "warning: publishing with {} violation(s) (--force)",
            report.violations.len()
        );
    }
    let detail = json!({
        "plan": args.plan.display().to_string(),
        "status": doc.status,
        "violations": report.violations.iter().map(ToString::to_string).collect::<Vec<_>>(),
    });
    let mut st = store(&ws)?;
    let version = st
        .publish(&doc, args.force && !report.violations.is_empty(), &detail)
        .map_err(|e| anyhow::anyhow!("error: {e}"))?;
    println!(
        "published {} version {version}: {} shifts from {}{}",
        doc.team,
        doc.shifts.len(),
        first,
        if doc.unfilled.is_empty() {
            String::new()
        } else {
            format!(", {} slot(s) unfilled", doc.unfilled.len())
        }
    );
    Ok(ExitCode::SUCCESS)
}

pub fn show(dir: &Path, args: ShowArgs) -> Result<ExitCode> {
    let ws = load(dir)?;
    let team = find_team(&ws, &args.team)?;
    let tz = ws.team(team).timezone;
    let tl = history(&ws, team)?;
    let from = match &args.from {
        Some(s) => parse_instant(s, tz, "--from")?,
        None => DateTime::<Utc>::MIN_UTC,
    };
    let to = match &args.to {
        Some(s) => parse_instant(s, tz, "--to")?,
        None => DateTime::<Utc>::MAX_UTC,
    };
    let tl = tl.clipped(from, to);
    match args.format {
        ShowFormat::Json => {
            let segs: Vec<_> = tl
                .segments
                .iter()
                .map(|s| {
                    json!({
                        "week": s.week, "role": s.role, "person": s.person,
                        "start": s.start, "end": s.end,
                        "source": match s.source {
                            Source::Plan { version } => json!({"plan": version}),
                            Source::Override { id } => json!({"override": id}),
                        },
                        "covering": s.planned,
                    })
                })
                .collect();
            println!(
                "{}",
                serde_json::to_string_pretty(
                    &json!({"team": tl.team, "timezone": tz.name(), "segments": segs})
                )?
            );
        }
        ShowFormat::Table => {
            if tl.segments.is_empty() {
                println!(
                    "nothing published for {} in that span; publish a plan with `oncall publish {} PLAN.json`",
                    args.team, args.team
                );
                return Ok(ExitCode::SUCCESS);
            }
            let mut t = Table::new();
            t.load_preset(presets::UTF8_FULL_CONDENSED);
            t.set_header(vec!["week", "role", "person", "from", "to", "source"]);
            for s in &tl.segments {
                let source = match (s.source, &s.planned) {
                    (Source::Plan { version }, _) => format!("plan v{version}"),
                    (Source::Override { id }, Some(p)) => format!("override #{id}, covering {p}"),
                    (Source::Override { id }, None) => format!("override #{id}"),
                };
                t.add_row(vec![
                    s.week.to_string(),
                    s.role.clone(),
                    s.person.clone(),
                    local(s.start, tz),
                    local(s.end, tz),
                    source,
                ]);
            }
            println!("{} ({})", args.team, tz.name());
            println!("{t}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn who(dir: &Path, args: WhoArgs) -> Result<ExitCode> {
    let ws = load(dir)?;
    let team = find_team(&ws, &args.team)?;
    let t = ws.team(team);
    let at = match &args.at {
        Some(s) => parse_instant(s, t.timezone, "--at")?,
        None => Utc::now(),
    };
    let tl = history(&ws, team)?;
    println!(
        "{} at {} ({})",
        t.id,
        local(at, t.timezone),
        at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    );
    let name = |id: &str| {
        ws.person_by_id(id)
            .map(|p| ws.person(p).name.clone())
            .unwrap_or_default()
    };
    let mut any = false;
    for role in &t.roles {
        match tl.holder(&role.name, at) {
            Some(s) => {
                any = true;
                let covering = s
                    .planned
                    .as_ref()
                    .map(|p| format!(", covering {p}"))
                    .unwrap_or_default();
                println!(
                    "{:<10} {} ({}) until {}{covering}",
                    role.name,
                    s.person,
                    name(&s.person),
                    local(s.end, t.timezone)
                );
            }
            None => println!("{:<10} nobody (nothing published)", role.name),
        }
    }
    if !t.escalation.is_empty() {
        println!("escalation:");
        for (k, step) in t.escalation.iter().enumerate() {
            let who = match tl.holder(step, at) {
                Some(s) => format!("{step}: {}", s.person),
                None if t.role_by_name(step).is_some() => format!("{step}: nobody"),
                None => step.clone(),
            };
            println!("  {}. {who}", k + 1);
        }
    }
    Ok(if any {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Judges and records one change made of `new` overrides.
fn apply_change(
    ws: &Workspace,
    team: TeamIdx,
    kind: ChangeKind,
    new: &[NewOverride],
    force: bool,
    what: &str,
    detail: serde_json::Value,
) -> Result<ExitCode> {
    let mut st = store(ws)?;
    let id = &ws.team(team).id;
    let err = |e: oncall::store::StoreError| anyhow::anyhow!("error: {e}");
    let slots = st.slots(id).map_err(err)?;
    let existing = st.overrides(id).map_err(err)?;
    let before = Timeline::resolve(ws.team(team), &slots, &existing);
    let after = changes::with_overrides(ws, team, &slots, &existing, new);
    let refusals = changes::judge(ws, team, &before, &after);
    if !refusals.is_empty() && !force {
        return Ok(refused(what, &refusals));
    }
    let mut detail = detail;
    if let Some(o) = detail.as_object_mut() {
        o.insert(
            "refusals".into(),
            refusals
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .into(),
        );
    }
    let forced = force && !refusals.is_empty();
    st.add_overrides(id, kind, new, forced, &[], &detail)
        .map_err(err)?;
    if forced {
        eprintln!(
            "warning: recorded despite {} problem(s) (--force):",
            refusals.len()
        );
        for r in &refusals {
            eprintln!("  - {r}");
        }
    }
    println!("recorded: {what}");
    Ok(ExitCode::SUCCESS)
}

pub fn override_(dir: &Path, args: OverrideArgs) -> Result<ExitCode> {
    let ws = load(dir)?;
    let team = find_team(&ws, &args.team)?;
    let tz = ws.team(team).timezone;
    let o = NewOverride {
        role: args.role.clone(),
        person: args.person.clone(),
        start: parse_instant(&args.from, tz, "--from")?,
        end: parse_instant(&args.to, tz, "--to")?,
        reason: args.reason.clone(),
    };
    let before = history(&ws, team)?;
    if let Err(refusals) = changes::validate_override(&ws, team, &before, &o) {
        // Unknown names and empty spans cannot be forced.
        return Ok(refused("the override", &refusals));
    }
    let what = format!(
        "{} covers {} {} from {} to {}",
        o.person,
        args.team,
        o.role,
        local(o.start, tz),
        local(o.end, tz)
    );
    let detail = json!({
        "role": o.role, "person": o.person, "start": o.start, "end": o.end, "reason": o.reason,
    });
    apply_change(
        &ws,
        team,
        ChangeKind::Override,
        &[o],
        args.force,
        &what,
        detail,
    )
}

pub fn swap(dir: &Path, args: SwapArgs) -> Result<ExitCode> {
    match args.action {
        Some(SwapAction::Request(r)) => return swap_request(dir, r),
        Some(SwapAction::Match(m)) => return swap_match(dir, m),
        None => {}
    }
    let (Some(team_id), Some(role), Some(week), Some(with)) =
        (args.team, args.role, args.week, args.with)
    else {
        bail!("error: give TEAM --role R --week W --with P, or `swap request` / `swap match`");
    };
    let ws = load(dir)?;
    let team = find_team(&ws, &team_id)?;
    let before = history(&ws, team)?;
    let spec = changes::Swap {
        role: role.clone(),
        week,
        with: with.clone(),
        their_week: args.their_week,
        reason: args.reason.clone(),
    };
    let new = match changes::swap_overrides(&ws, team, &before, &spec) {
        Ok(n) => n,
        Err(refusals) => return Ok(refused("the swap", &refusals)),
    };
    let what = match args.their_week {
        Some(w2) => {
            format!("{with} takes {role} in the week of {week}, in exchange for the week of {w2}")
        }
        None => format!("{with} takes {role} in the week of {week}"),
    };
    let detail = json!({
        "role": role, "week": week, "with": with, "their_week": args.their_week, "reason": args.reason,
    });
    apply_change(&ws, team, ChangeKind::Swap, &new, args.force, &what, detail)
}

fn swap_request(dir: &Path, args: SwapRequestArgs) -> Result<ExitCode> {
    let ws = load(dir)?;
    let Some(p) = ws.person_by_id(&args.person) else {
        let hint =
            oncall::suggest::did_you_mean(&args.person, ws.people.iter().map(|p| p.id.as_str()))
                .map(|s| format!("did you mean `{s}`?"))
                .unwrap_or_else(|| "check people.csv".into());
        bail!("error: unknown person `{}`\n  help: {hint}", args.person);
    };
    let team = match &args.team {
        Some(t) => find_team(&ws, t)?,
        None => {
            let teams: Vec<TeamIdx> = (0..ws.teams.len())
                .map(TeamIdx)
                .filter(|&t| ws.team(t).has_member(p))
                .collect();
            match teams.as_slice() {
                [one] => *one,
                [] => bail!("error: {} is on no team", args.person),
                _ => bail!(
                    "error: {} is on several teams\n  help: add --team ({})",
                    args.person,
                    teams
                        .iter()
                        .map(|&t| ws.team(t).id.clone())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            }
        }
    };
    let give = changes::week_of_date(&ws, team, args.give);
    let want: Vec<NaiveDate> = args
        .want
        .iter()
        .map(|&w| changes::week_of_date(&ws, team, w))
        .collect();
    let tl = history(&ws, team)?;
    if !tl
        .segments
        .iter()
        .any(|s| s.person == args.person && s.week == give)
    {
        return Ok(refused(
            "the swap request",
            &[Refusal::NotHolding {
                person: args.person.clone(),
                week: give,
                role: None,
            }],
        ));
    }
    let mut st = store(&ws)?;
    let id = st
        .add_swap_request(&ws.team(team).id, &args.person, give, &want)
        .map_err(|e| anyhow::anyhow!("error: {e}"))?;
    println!(
        "swap request #{id}: {} gives the week of {give} for one of {}",
        args.person,
        want.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(ExitCode::SUCCESS)
}

fn swap_match(dir: &Path, args: SwapMatchArgs) -> Result<ExitCode> {
    let ws = load(dir)?;
    let teams: Vec<TeamIdx> = match &args.team {
        Some(t) => vec![find_team(&ws, t)?],
        None => (0..ws.teams.len()).map(TeamIdx).collect(),
    };
    let mut st = store(&ws)?;
    let err = |e: oncall::store::StoreError| anyhow::anyhow!("error: {e}");
    let mut granted_total = 0;
    for team in teams {
        let id = ws.team(team).id.clone();
        let requests = st.open_swap_requests(&id).map_err(err)?;
        if requests.is_empty() {
            continue;
        }
        let slots = st.slots(&id).map_err(err)?;
        let overrides = st.overrides(&id).map_err(err)?;
        let cycles = changes::match_swaps(&ws, team, &slots, &overrides, &requests);
        let granted: Vec<i64> = cycles.iter().flat_map(|c| c.requests.clone()).collect();
        for c in &cycles {
            let names: Vec<String> = c
                .requests
                .iter()
                .filter_map(|r| requests.iter().find(|q| q.id == *r))
                .map(|q| format!("#{} {} gives {}", q.id, q.person, q.give))
                .collect();
            println!("{id}: {}-way swap: {}", c.requests.len(), names.join(" → "));
        }
        println!(
            "{id}: {} of {} open request(s) can be granted",
            granted.len(),
            requests.len()
        );
        if !args.dry_run && !cycles.is_empty() {
            let all: Vec<NewOverride> = cycles.iter().flat_map(|c| c.overrides.clone()).collect();
            let detail = json!({ "requests": granted });
            st.add_overrides(&id, ChangeKind::SwapMatch, &all, false, &granted, &detail)
                .map_err(err)?;
        }
        granted_total += granted.len();
    }
    if granted_total == 0 {
        println!("no set of open requests can be granted together yet");
    }
    Ok(ExitCode::SUCCESS)
}

pub fn replan(dir: &Path, args: ReplanArgs) -> Result<ExitCode> {
    let ws = load(dir)?;
    let team = find_team(&ws, &args.team)?;
    let st = store(&ws)?;
    let id = ws.team(team).id.clone();
    let err = |e: oncall::store::StoreError| anyhow::anyhow!("error: {e}");
    let slots = st.slots(&id).map_err(err)?;
    let tl = st.timeline(&ws, team).map_err(err)?;
    let opts = PlanOptions {
        time_limit: args.time_limit,
        ..Default::default()
    };
    let r = oncall::replan::replan(&ws, team, args.from, &slots, &tl, &opts)
        .map_err(|e| anyhow::anyhow!("error: {e}"))?;
    let doc = r.plan.to_doc(&ws);
    let text = match args.format {
        Format::Table => render::table(&ws, &doc),
        Format::Json => render::json(&doc)?,
        Format::Csv => render::csv(&doc)?,
        Format::Md => render::markdown(&ws, &doc),
    };
    emit(args.out.as_deref(), &text)?;
    eprintln!(
        "{} slot(s) change hands{}",
        r.changed,
        if r.plan.stats.changes_proven {
            " (proven fewest)"
        } else {
            ""
        }
    );
    for line in &r.diff {
        let fmt = |v: &[(NaiveDate, String)]| {
            v.iter()
                .map(|(w, role)| format!("{w} {role}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        if !line.gains.is_empty() {
            eprintln!("  {} gains {}", line.person, fmt(&line.gains));
        }
        if !line.loses.is_empty() {
            eprintln!("  {} loses {}", line.person, fmt(&line.loses));
        }
    }
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

pub fn log(dir: &Path, args: LogArgs) -> Result<ExitCode> {
    let ws = load(dir)?;
    if let Some(t) = &args.team {
        find_team(&ws, t)?;
    }
    if !ws.root.join(oncall::store::DB_FILE).exists() {
        println!("no changes recorded yet");
        return Ok(ExitCode::SUCCESS);
    }
    let st = store(&ws)?;
    let entries = st
        .audit(args.team.as_deref())
        .map_err(|e| anyhow::anyhow!("error: {e}"))?;
    for e in entries {
        println!(
            "#{} {} {} {} {}{} {}",
            e.id,
            e.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            e.actor,
            e.team,
            e.action,
            if e.forced { " (forced)" } else { "" },
            e.detail
        );
    }
    Ok(ExitCode::SUCCESS)
}
