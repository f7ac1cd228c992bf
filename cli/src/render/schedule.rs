//! Rendering the schedule for people: the timeline, who is on call, swap
//! matches, a re-plan's changes and the audit log. Every name and reason is
//! escaped for the terminal.

use std::fmt::Write as _;

use anyhow::Result;
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use chrono_tz::Tz;
use comfy_table::{presets, Table};
use oncall::model::{PersonIdx, TeamIdx, Workspace};
use oncall::schedule::replan::Replan;
use oncall::schedule::service::TeamMatch;
use oncall::schedule::store::AuditEntry;
use oncall::schedule::timeline::{Source, Timeline};
use oncall::schedule::who::OnCall;
use oncall::text::terminal::escape;
use serde_json::json;

use crate::args::ShowFormat;

/// A local time with its zone abbreviation.
pub(crate) fn local(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz)
        .format("%a %Y-%m-%d %H:%M %Z")
        .to_string()
}

/// Text from files or the environment, safe to print on a terminal.
pub(crate) fn terminal(text: &str) -> String {
    escape(text).into_owned()
}

/// A table row with every cell safe to print on a terminal: each table adds
/// its rows through this, so no cell can carry a control character.
pub(crate) fn row<S: AsRef<str>>(cells: impl IntoIterator<Item = S>) -> Vec<String> {
    cells.into_iter().map(|c| terminal(c.as_ref())).collect()
}

/// `show`: the resolved timeline as a table or JSON.
pub(crate) fn timeline(
    ws: &Workspace,
    team: TeamIdx,
    tl: &Timeline,
    format: ShowFormat,
) -> Result<String> {
    let t = ws.team(team);
    let tz = t.timezone;
    if let ShowFormat::Json = format {
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
        let doc = json!({"team": tl.team, "timezone": tz.name(), "segments": segs});
        return Ok(format!("{}\n", serde_json::to_string_pretty(&doc)?));
    }
    if tl.segments.is_empty() {
        return Ok(format!(
            "nothing published for {id} in that span; publish a plan with `oncall publish {id} PLAN.json`\n",
            id = t.id
        ));
    }
    let mut table = Table::new();
    table.load_preset(presets::UTF8_FULL_CONDENSED);
    table.set_header(vec!["week", "role", "person", "from", "to", "source"]);
    for s in &tl.segments {
        let source = match (s.source, &s.planned) {
            (Source::Plan { version }, _) => format!("plan v{version}"),
            (Source::Override { id }, Some(p)) => format!("override #{id}, covering {p}"),
            (Source::Override { id }, None) => format!("override #{id}"),
        };
        table.add_row(row([
            s.week.to_string(),
            s.role.clone(),
            s.person.clone(),
            local(s.start, tz),
            local(s.end, tz),
            source,
        ]));
    }
    Ok(format!("{} ({})\n{table}\n", t.id, tz.name()))
}

/// One person's stretches in every team that has any: a table per team,
/// or one JSON document with the person and each team's segments.
pub(crate) fn person_timelines(
    ws: &Workspace,
    person: PersonIdx,
    teams: &[(TeamIdx, Timeline)],
    format: ShowFormat,
) -> Result<String> {
    let id = &ws.person(person).id;
    if let ShowFormat::Json = format {
        let mut docs = Vec::new();
        for (t, tl) in teams {
            docs.push(serde_json::from_str::<serde_json::Value>(&timeline(
                ws, *t, tl, format,
            )?)?);
        }
        let doc = json!({"person": id, "teams": docs});
        return Ok(format!("{}\n", serde_json::to_string_pretty(&doc)?));
    }
    if teams.is_empty() {
        return Ok(format!("{id} holds nothing published in that span\n"));
    }
    let mut out = String::new();
    for (t, tl) in teams {
        out.push_str(&timeline(ws, *t, tl, format)?);
    }
    Ok(out)
}

/// `, phone …, chat …` for the person `id`, when `people.csv` gives them:
/// `who` runs locally, for whoever has the workspace, so it may show them.
fn contacts(ws: &Workspace, id: &str) -> String {
    let Some(p) = ws.person_by_id(id).map(|p| ws.person(p)) else {
        return String::new();
    };
    let mut out = String::new();
    if let Some(phone) = &p.contacts.phone {
        out.push_str(&format!(", phone {phone}"));
    }
    if let Some(chat) = &p.contacts.chat {
        out.push_str(&format!(", chat {chat}"));
    }
    out
}

/// `who`: the holder of each role and the escalation chain.
pub(crate) fn who(
    ws: &Workspace,
    on_call: &OnCall,
    drift: &[oncall::schedule::drift::Drift],
) -> String {
    let t = ws.team(on_call.team);
    let tz = t.timezone;
    let name = |id: &str| {
        ws.person_by_id(id)
            .map(|p| terminal(&ws.person(p).name))
            .unwrap_or_default()
    };
    let mut out = format!(
        "{} at {} ({})\n",
        t.id,
        local(on_call.at, tz),
        on_call.at.to_rfc3339_opts(SecondsFormat::Secs, true)
    );
    for r in &on_call.roles {
        let _ = match &r.segment {
            Some(s) => {
                let covering = s
                    .planned
                    .as_ref()
                    .map(|p| format!(", covering {}", escape(p)))
                    .unwrap_or_default();
                writeln!(
                    out,
                    "{:<10} {} ({}) until {}{covering}",
                    terminal(&r.role),
                    terminal(&s.person),
                    name(&s.person),
                    local(s.end, tz)
                )
            }
            None => writeln!(out, "{:<10} nobody (nothing published)", terminal(&r.role)),
        };
        let drifted = drift
            .iter()
            .filter(|d| Some(&d.segment) == r.segment.as_ref());
        for reason in drifted.flat_map(|d| &d.reasons) {
            let why = terminal(&reason.to_string());
            let _ = writeln!(out, "{:<10} needs cover: {why}", "");
        }
        if let Some(url) = t.runbook_for(&r.role) {
            let _ = writeln!(out, "{:<10} runbook {}", "", terminal(url));
        }
    }
    if !on_call.escalation.is_empty() {
        out.push_str("escalation:\n");
        for (k, step) in on_call.escalation.iter().enumerate() {
            let who = match &step.person {
                Some(p) => format!("{} ({}){}", name(p), p, contacts(ws, p)),
                None => "nobody".to_string(),
            };
            let _ = writeln!(
                out,
                "  {}. {}: {}",
                k + 1,
                terminal(&step.label()),
                terminal(&who)
            );
        }
    }
    out
}

/// `swap match`: the cycles granted in each team.
pub(crate) fn swap_matches(ws: &Workspace, matches: &[TeamMatch]) -> String {
    let mut out = String::new();
    let mut granted_total = 0;
    for m in matches {
        let id = &ws.team(m.team).id;
        let mut granted = 0;
        for c in &m.cycles {
            let names: Vec<String> = c
                .requests
                .iter()
                .filter_map(|r| m.requests.iter().find(|q| q.id == *r))
                .map(|q| format!("#{} {} gives {}", q.id, terminal(&q.person), q.give))
                .collect();
            let _ = writeln!(
                out,
                "{id}: {}-way swap: {}",
                c.requests.len(),
                names.join(" → ")
            );
            granted += c.requests.len();
        }
        let _ = writeln!(
            out,
            "{id}: {granted} of {} open request(s) can be granted",
            m.requests.len()
        );
        for q in m.requests.iter().filter(|q| !q.consented) {
            let p = terminal(&q.person);
            let _ = writeln!(
                out,
                "{id}: request #{} was not made by {p}: it takes part once {p} makes it again",
                q.id
            );
        }
        granted_total += granted;
    }
    if granted_total == 0 {
        out.push_str("no set of open requests can be granted together yet\n");
    }
    out
}

/// A re-plan's changes: how many slots change hands, and who gains and
/// loses which week.
pub(crate) fn replan_diff(r: &Replan) -> String {
    let fewest = if r.plan.stats.changes_proven {
        " (proven fewest)"
    } else {
        ""
    };
    let mut out = match &r.stable {
        Some(s) => format!(
            "{} slot(s) change hands{fewest}; largest excess {:.2}, {:.2} above the optimum {:.2} \
             (tolerance {:.2})\n",
            r.changed,
            s.excess,
            s.cost(),
            s.optimum,
            s.tolerance
        ),
        None => format!(
            "{} slot(s) change hands{fewest}; largest excess {:.2}, the optimum found\n",
            r.changed, r.plan.max_excess
        ),
    };
    let fmt = |v: &[(NaiveDate, String)]| {
        v.iter()
            .map(|(w, role)| format!("{w} {}", terminal(role)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    for line in &r.diff {
        if !line.gains.is_empty() {
            let _ = writeln!(
                out,
                "  {} gains {}",
                terminal(&line.person),
                fmt(&line.gains)
            );
        }
        if !line.loses.is_empty() {
            let _ = writeln!(
                out,
                "  {} loses {}",
                terminal(&line.person),
                fmt(&line.loses)
            );
        }
    }
    out
}

/// `log`: one line per audit entry.
pub(crate) fn audit(entries: &[AuditEntry]) -> String {
    let mut out = String::new();
    for e in entries {
        let _ = writeln!(
            out,
            "#{} {} {} {} {}{} {}",
            e.id,
            e.at.to_rfc3339_opts(SecondsFormat::Secs, true),
            terminal(&e.actor),
            terminal(&e.team),
            terminal(&e.action),
            if e.forced { " (forced)" } else { "" },
            terminal(&e.detail)
        );
    }
    out
}

/// `check`: each drifted stretch, the rules it breaks now, and the fix.
pub(crate) fn drift(
    ws: &Workspace,
    team: TeamIdx,
    found: &[oncall::schedule::drift::Drift],
) -> String {
    let t = ws.team(team);
    let mut out = String::new();
    for d in found {
        let s = &d.segment;
        let _ = writeln!(
            out,
            "drift: {} holds {} from {} to {}, which today's inputs forbid:",
            terminal(&s.person),
            terminal(&s.role),
            local(s.start, t.timezone),
            local(s.end, t.timezone)
        );
        for r in &d.reasons {
            let _ = writeln!(out, "  - {}", terminal(&r.to_string()));
        }
        let _ = writeln!(
            out,
            "  fix: `oncall replan {id} --from {week}` re-plans from that week, or {who} asks \
             for cover: `oncall cover request {id} --role {role} --from {from} --to {to}`",
            id = t.id,
            week = s.week,
            who = terminal(&s.person),
            role = terminal(&s.role),
            from = s.start.to_rfc3339_opts(SecondsFormat::Secs, true),
            to = s.end.to_rfc3339_opts(SecondsFormat::Secs, true),
        );
    }
    out
}

/// `plan`: the members who take no shift in the horizon, and why.
pub(crate) fn sidelined(ws: &Workspace, who: &[(oncall::PersonIdx, String)]) -> String {
    if who.is_empty() {
        return String::new();
    }
    let mut out = String::from("\nnot taking shifts in this horizon:\n");
    for (p, why) in who {
        let person = ws.person(*p);
        let _ = writeln!(
            out,
            "  {} ({}): {}",
            terminal(&person.id),
            terminal(&person.name),
            terminal(why)
        );
    }
    out
}
