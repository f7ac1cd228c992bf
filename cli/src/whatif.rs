//! `oncall whatif TEAM`: the team planned as it is and under changes, side
//! by side. Writes nothing but `--plan-out`.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use comfy_table::{presets, Table};
use oncall::plan::optimise::PlanOptions;
use oncall::plan::whatif::{self, Change, Request, Side, WhatIfError};
use oncall::WhatIf;
use rust_decimal::Decimal;

use crate::args::{WhatifArgs, WhatifFormat};
use crate::render::{row, terminal};
use crate::workspace::{emit, horizon};
use crate::UsageError;

pub(crate) fn run(dir: &Path, args: WhatifArgs) -> Result<ExitCode> {
    let spec = horizon(&args.horizon)?;
    let changes = changes(&args).map_err(usage)?;
    if changes.is_empty() {
        return Err(UsageError::new("no change to try")
            .help("give at least one of --leave, --join, --time-off or --set")
            .into());
    }
    let request = Request {
        root: dir,
        team: &args.team,
        horizon: spec,
        changes: &changes,
        options: PlanOptions {
            time_limit: args.time_limit,
            tolerance: Some(args.tolerance),
            ..Default::default()
        },
    };
    let result = whatif::what_if(&request).map_err(usage)?;
    let text = match args.format {
        WhatifFormat::Table => table(&result),
        WhatifFormat::Md => markdown(&result),
        WhatifFormat::Json => json(&result)?,
    };
    emit(None, &text)?;
    if let Some(out) = &args.plan_out {
        emit(Some(out), &crate::render::json(&result.scenario.plan)?)?;
        eprintln!("wrote {}", out.display());
    }
    let checked = result.baseline.violations.is_empty()
        && result.scenario.violations.is_empty()
        && result.stable.violations.is_empty();
    Ok(if checked {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn changes(args: &WhatifArgs) -> Result<Vec<Change>, WhatIfError> {
    let mut out = Vec::new();
    for j in &args.join {
        out.push(Change::parse_join(j)?);
    }
    for l in &args.leave {
        out.push(Change::parse_leave(l)?);
    }
    for t in &args.time_off {
        out.push(Change::parse_time_off(t)?);
    }
    for s in &args.set {
        out.push(Change::parse_set(s)?);
    }
    Ok(out)
}

/// A mistake in a change is a usage error (exit 2); a workspace that does
/// not load reports its diagnostics; the rest as they come.
fn usage(e: WhatIfError) -> anyhow::Error {
    if let Some(help) = e.help() {
        return UsageError::new(terminal(&e.to_string()))
            .help(terminal(&help))
            .into();
    }
    match e {
        WhatIfError::Load(load) => load.into(),
        WhatIfError::ScenarioLoad(load) => {
            eprintln!("the workspace does not load with these changes (its files are unchanged):");
            load.into()
        }
        other => other.into(),
    }
}

fn money(side: &Side, amount: Option<Decimal>) -> String {
    match (amount, &side.currency) {
        (Some(a), Some(c)) => format!("{a} {c}"),
        _ => "-".to_string(),
    }
}

fn signed(x: f64) -> String {
    if x.abs() < 5e-5 {
        "0".to_string()
    } else {
        format!("{x:+.4}")
    }
}

/// The summary rows: `[what, as it is, scenario, change]`.
fn summary(w: &WhatIf) -> Vec<Vec<String>> {
    let (b, s, d) = (&w.baseline, &w.scenario, &w.diff);
    vec![
        vec![
            "status".into(),
            b.status.clone(),
            s.status.clone(),
            String::new(),
        ],
        vec![
            "proof".into(),
            b.proof.clone(),
            s.proof.clone(),
            String::new(),
        ],
        vec![
            "largest excess".into(),
            format!("{:.4}", b.max_excess),
            format!("{:.4}", s.max_excess),
            signed(d.max_excess),
        ],
        vec![
            "spread".into(),
            format!("{:.4}", b.spread),
            format!("{:.4}", s.spread),
            signed(s.spread - b.spread),
        ],
        vec![
            "unfilled slots".into(),
            b.unfilled.len().to_string(),
            s.unfilled.len().to_string(),
            format!("{} new", d.new_unfilled.len()),
        ],
        vec![
            "pay for the horizon".into(),
            money(b, b.cost),
            money(s, s.cost),
            money(s, d.cost),
        ],
    ]
}

/// Every member of either side: `[person, shifts, load, deviation, pay]`
/// before and after.
fn people(w: &WhatIf) -> Vec<Vec<String>> {
    let mut ids: Vec<&str> = w
        .baseline
        .people
        .iter()
        .map(|p| p.person.as_str())
        .collect();
    for p in &w.scenario.people {
        if !ids.contains(&p.person.as_str()) {
            ids.push(&p.person);
        }
    }
    ids.into_iter()
        .map(|id| {
            let b = w.baseline.people.iter().find(|p| p.person == id);
            let s = w.scenario.people.iter().find(|p| p.person == id);
            let n = |p: Option<&whatif::PersonSide>| {
                p.map_or("-".into(), |p| p.shifts.len().to_string())
            };
            let f = |p: Option<&whatif::PersonSide>, v: fn(&whatif::PersonSide) -> f64| {
                p.map_or("-".into(), |p| format!("{:.2}", v(p)))
            };
            vec![
                id.to_string(),
                n(b),
                n(s),
                f(b, |p| p.load),
                f(s, |p| p.load),
                f(b, |p| p.deviation),
                f(s, |p| p.deviation),
                b.map_or("-".into(), |p| money(&w.baseline, p.cost)),
                s.map_or("-".into(), |p| money(&w.scenario, p.cost)),
            ]
        })
        .collect()
}

const PEOPLE_HEADER: [&str; 9] = [
    "person",
    "weeks before",
    "after",
    "load before",
    "after",
    "deviation before",
    "after",
    "pay before",
    "after",
];

fn slots(w: &WhatIf) -> Vec<Vec<String>> {
    let who = |p: &Option<String>| p.clone().unwrap_or_else(|| "(unfilled)".into());
    w.diff
        .slots
        .iter()
        .map(|c| {
            vec![
                c.week.to_string(),
                c.role.clone(),
                who(&c.before),
                who(&c.after),
            ]
        })
        .collect()
}

fn table(w: &WhatIf) -> String {
    let grid = |header: Vec<String>, rows: Vec<Vec<String>>| {
        let mut t = Table::new();
        t.load_preset(presets::UTF8_FULL_CONDENSED);
        t.set_header(row(header));
        for r in rows {
            t.add_row(row(r));
        }
        format!("{t}\n")
    };
    let mut out = format!("What if: {}\n", terminal(&w.changes.join("; ")));
    out.push_str(&grid(
        row(["", "as it is", "what if", "change"]),
        summary(w),
    ));
    out.push_str("\nPeople\n");
    out.push_str(&grid(row(PEOPLE_HEADER), people(w)));
    if w.diff.slots.is_empty() {
        out.push_str("\nNo slot changes hands.\n");
    } else {
        out.push_str("\nSlots that change hands\n");
        out.push_str(&grid(
            row(["week", "role", "as it is", "what if"]),
            slots(w),
        ));
    }
    out.push_str(&tail(w, "  "));
    out.push_str(&format!("\n{}", stability(w)));
    out
}

/// Both ways to take the changes: the fairest plan, and the one that moves
/// the fewest of today's slots within the tolerance.
fn stability(w: &WhatIf) -> String {
    let s = &w.stable;
    format!(
        "Fairest: {} slot(s) change hands, largest excess {:.2}.\n\
         Stablest within {:.2} of it (`replan --stable`): {} slot(s) change hands, largest excess {:.2}.\n",
        w.diff.slots.len(),
        s.optimum,
        s.tolerance,
        s.slots.len(),
        s.max_excess
    )
}

/// Unfilled slots of the scenario and notes, as lines with `prefix`.
fn tail(w: &WhatIf, prefix: &str) -> String {
    let mut out = String::new();
    for u in &w.scenario.unfilled {
        out.push_str(&format!(
            "{prefix}unfilled in the scenario: {} {}: {}\n",
            u.week,
            u.role,
            terminal(&u.reason)
        ));
    }
    if let Some(e) = &w.scenario.explanation {
        for fix in &e.fixes {
            out.push_str(&format!("{prefix}possible fix: {}\n", terminal(fix)));
        }
    }
    for note in &w.diff.notes {
        out.push_str(&format!("{prefix}note: {}\n", terminal(note)));
    }
    let violations = w.baseline.violations.iter().chain(&w.scenario.violations);
    for v in violations.chain(&w.stable.violations) {
        out.push_str(&format!("{prefix}checker violation: {}\n", terminal(v)));
    }
    out
}

fn md_table(header: &[String], rows: &[Vec<String>]) -> String {
    let line = |cells: &[String]| {
        let cells: Vec<String> = cells.iter().map(|c| c.replace('|', "\\|")).collect();
        format!("| {} |\n", cells.join(" | "))
    };
    let mut out = line(header);
    out.push_str(&line(&vec!["---".to_string(); header.len()]));
    for r in rows {
        out.push_str(&line(r));
    }
    out
}

fn markdown(w: &WhatIf) -> String {
    let mut out = String::from("# What if\n\n");
    for c in &w.changes {
        out.push_str(&format!("- {c}\n"));
    }
    out.push_str("\n## Summary\n\n");
    out.push_str(&md_table(
        &row(["", "as it is", "what if", "change"]),
        &summary(w),
    ));
    out.push_str("\n## People\n\n");
    out.push_str(&md_table(&row(PEOPLE_HEADER), &people(w)));
    out.push_str("\n## Slots that change hands\n\n");
    if w.diff.slots.is_empty() {
        out.push_str("None.\n");
    } else {
        out.push_str(&md_table(
            &row(["week", "role", "as it is", "what if"]),
            &slots(w),
        ));
    }
    out.push_str(&format!("\n## Stability\n\n{}", stability(w)));
    let tail = tail(w, "- ");
    if !tail.is_empty() {
        out.push_str("\n## Notes\n\n");
        out.push_str(&tail);
    }
    out
}

fn json(w: &WhatIf) -> Result<String> {
    let doc = serde_json::json!({
        "changes": w.changes,
        "baseline": w.baseline,
        "scenario": w.scenario,
        "diff": w.diff,
        "stable": w.stable,
    });
    Ok(serde_json::to_string_pretty(&doc)? + "\n")
}
