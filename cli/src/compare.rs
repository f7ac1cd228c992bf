//! `oncall compare TEAM`: the optimised plan next to round-robin and least
//! recently on call, measured the same way.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use comfy_table::{presets, Table};
use oncall::plan::baseline::{self, Assessment, Comparison};
use oncall::plan::optimise::PlanOptions;
use oncall::schedule::service::Schedule;
use oncall::Workspace;

use crate::args::{CompareArgs, CompareFormat};
use crate::render::row;
use crate::workspace::{find_team, horizon, load};

pub(crate) fn run(dir: &Path, args: CompareArgs) -> Result<ExitCode> {
    let spec = horizon(&args.horizon)?;
    let ws = load(dir)?;
    let team = find_team(&ws, &args.team)?;
    let ctx = Schedule::read_only(&ws)?.context(team, &spec)?;
    let opts = PlanOptions {
        time_limit: args.time_limit,
        ..Default::default()
    };
    let cmp = baseline::compare(&ws, team, &spec, &opts, &ctx.history, &ctx.busy)?;
    match args.format {
        CompareFormat::Table => print!("{}", table(&ws, &cmp)),
        CompareFormat::Json => println!("{}", serde_json::to_string_pretty(&json(&ws, &cmp))?),
    }
    Ok(ExitCode::SUCCESS)
}

/// Collisions by kind, e.g. `3 (2 time off, 1 rest)`.
fn collisions(a: &Assessment) -> String {
    let mut by: BTreeMap<&str, usize> = BTreeMap::new();
    for c in &a.collisions {
        *by.entry(c.why).or_default() += 1;
    }
    if by.is_empty() {
        return "0".into();
    }
    let parts: Vec<String> = by.iter().map(|(k, n)| format!("{n} {k}")).collect();
    format!("{} ({})", a.collisions.len(), parts.join(", "))
}

fn weekend_range(a: &Assessment) -> String {
    let hours: Vec<f64> = a.people.iter().map(|f| f.weekend_holiday_hours).collect();
    let lo = hours.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = hours.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if hours.is_empty() {
        "-".into()
    } else {
        format!("{lo:.0} to {hi:.0}")
    }
}

fn table(ws: &Workspace, cmp: &Comparison) -> String {
    let mut t = Table::new();
    t.load_preset(presets::UTF8_FULL_CONDENSED);
    let mut header = vec![String::new()];
    header.extend(cmp.rows.iter().map(|(name, _, _)| name.to_string()));
    t.set_header(row(header));
    let line = |label: &str, f: &dyn Fn(&Assessment) -> String| {
        let mut cells = vec![label.to_string()];
        cells.extend(cmp.rows.iter().map(|(_, _, a)| f(a)));
        row(cells)
    };
    t.add_row(line("slots needing a manual override", &collisions));
    t.add_row(line("unfilled after those overrides", &|a| {
        a.unfilled.to_string()
    }));
    t.add_row(line("largest excess over the share", &|a| {
        format!("{:.2}", a.max_excess)
    }));
    t.add_row(line("spread of load per available week", &|a| {
        format!("{:.3}", a.spread_per_week)
    }));
    t.add_row(line("weekend and holiday hours per person", &weekend_range));
    let team = ws.team(cmp.plan.team);
    format!(
        "{} over {} weeks from {}; the optimised plan is {}.\n{t}\n\
         Baselines are measured after the manual overrides their collisions need (each \
         slot handed to the next member in list order who may take it).\n",
        team.id,
        cmp.plan.weeks.len(),
        cmp.plan
            .weeks
            .first()
            .map(|w| w.first_day.to_string())
            .unwrap_or_default(),
        cmp.plan.status.as_str()
    )
}

fn json(ws: &Workspace, cmp: &Comparison) -> serde_json::Value {
    let team = ws.team(cmp.plan.team);
    let plans: Vec<serde_json::Value> = cmp
        .rows
        .iter()
        .map(|(name, _, a)| {
            let collisions: Vec<serde_json::Value> = a
                .collisions
                .iter()
                .map(|c| {
                    serde_json::json!({
                        "week": cmp.plan.weeks[c.week].first_day,
                        "role": team.roles[c.role].name,
                        "person": ws.person(team.members[c.person]).id,
                        "why": c.why,
                    })
                })
                .collect();
            let people: Vec<serde_json::Value> = a
                .people
                .iter()
                .map(|f| {
                    serde_json::json!({
                        "person": ws.person(f.person).id,
                        "available_weeks": f.available,
                        "load": round4(f.load),
                        "share": round4(f.share),
                        "deviation": round4(f.load - f.share),
                        "weekend_holiday_hours": round4(f.weekend_holiday_hours),
                    })
                })
                .collect();
            serde_json::json!({
                "name": name,
                "collisions": collisions,
                "unfilled": a.unfilled,
                "max_excess": round4(a.max_excess),
                "spread_per_available_week": round4(a.spread_per_week),
                "people": people,
            })
        })
        .collect();
    serde_json::json!({
        "team": team.id,
        "first_week": cmp.plan.weeks.first().map(|w| w.first_day),
        "weeks": cmp.plan.weeks.len(),
        "status": cmp.plan.status.as_str(),
        "plans": plans,
    })
}

fn round4(x: f64) -> f64 {
    oncall::model::document::round4(x)
}
