//! `plan --all` and `publish --all DIR`: the whole organisation at once.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use comfy_table::{presets, Table};
use oncall::model::TeamIdx;
use oncall::plan::optimise::{PlanOptions, TeamResult};
use oncall::plan::{horizon::HorizonSpec, Status};
use oncall::schedule::service::{Outcome, Schedule};
use oncall::{PlanDoc, Workspace};

use crate::render::{self, row, terminal};
use crate::workspace::{emit, load, read_plan};

/// `plan --all`: every team over `spec`, a summary per team and for the
/// organisation; with `out`, one plan JSON per team in that directory.
pub(crate) fn plan_all(
    dir: &Path,
    spec: &HorizonSpec,
    opts: &PlanOptions,
    jobs: Option<u16>,
    out: Option<&Path>,
) -> Result<ExitCode> {
    let ws = load(dir)?;
    let bar = indicatif::ProgressBar::new(ws.teams.len() as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} teams planned, {elapsed}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let schedule = Schedule::read_only(&ws)?;
    let done = |n: usize| bar.inc(n as u64);
    let results = schedule.plan_all(spec, opts, jobs.map(usize::from), &done)?;
    bar.finish_and_clear();
    if let Some(out) = out {
        write_plans(&ws, out, &results)?;
    }
    print!("{}", summary(&ws, &results));
    let complete = results.iter().all(|(_, r)| {
        r.as_ref()
            .is_ok_and(|p| matches!(p.status, Status::Optimal | Status::Feasible { .. }))
    });
    Ok(if complete {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Writes each team's plan to `<out>/<team>.json`, atomically.
fn write_plans(ws: &Workspace, out: &Path, results: &[TeamResult]) -> Result<()> {
    std::fs::create_dir_all(out)
        .with_context(|| format!("cannot create the directory {}", out.display()))?;
    for (t, result) in results {
        let Ok(plan) = result else { continue };
        let path = out.join(format!("{}.json", ws.team(*t).id));
        emit(Some(&path), &render::json(&plan.to_doc(ws))?)?;
    }
    Ok(())
}

/// One row per team and a line for the organisation.
fn summary(ws: &Workspace, results: &[TeamResult]) -> String {
    let mut table = Table::new();
    table.load_preset(presets::UTF8_FULL_CONDENSED);
    table.set_header(row([
        "team",
        "status",
        "largest excess",
        "unfilled",
        "seconds",
    ]));
    let (mut worst, mut unfilled, mut seconds, mut counts) = (f64::NEG_INFINITY, 0, 0.0, [0; 4]);
    for (t, result) in results {
        let id = ws.team(*t).id.as_str();
        let plan = match result {
            Ok(p) => p,
            Err(e) => {
                counts[3] += 1;
                table.add_row(row([id, &format!("failed: {e}"), "", "", ""]));
                continue;
            }
        };
        let k = match plan.status {
            Status::Optimal => 0,
            Status::Feasible { .. } => 1,
            Status::Partial | Status::Infeasible => 2,
        };
        counts[k] += 1;
        worst = worst.max(plan.max_excess);
        unfilled += plan.unfilled.len();
        seconds += plan.stats.seconds;
        table.add_row(row([
            id.to_string(),
            plan.status.as_str().to_string(),
            format!("{:.2}", plan.max_excess),
            plan.unfilled.len().to_string(),
            format!("{:.2}", plan.stats.seconds),
        ]));
    }
    let worst = if worst.is_finite() {
        format!("{worst:.2}")
    } else {
        "-".into()
    };
    format!(
        "{table}\norganisation: {} teams, {} optimal, {} feasible, {} partial or infeasible, {} failed; largest excess {worst}; {unfilled} slot(s) unfilled; {seconds:.1} s of solving\n",
        results.len(),
        counts[0],
        counts[1],
        counts[2],
        counts[3]
    )
}

/// `publish --all DIR`: every `<team>.json` in `dir`, in one transaction.
pub(crate) fn publish_all(
    root: &Path,
    dir: &Path,
    force: bool,
    allow_partial: bool,
) -> Result<ExitCode> {
    let ws = load(root)?;
    let docs = read_all(&ws, dir)?;
    if docs.is_empty() {
        return Err(crate::UsageError::new(format!(
            "{} holds no plan of a team (<team>.json)",
            terminal(&dir.display().to_string())
        ))
        .help("write them with `oncall plan --all --quarter Q --out DIR`")
        .into());
    }
    if !partial_plans_allowed(&docs, allow_partial) {
        return Ok(ExitCode::from(1));
    }
    let detail = serde_json::json!({ "plans": dir.display().to_string() });
    let result = crate::workspace::open_schedule(&ws)?.publish_all(&docs, force, &detail)?;
    match result {
        Outcome::Recorded { value, overruled } => {
            for v in &overruled {
                eprintln!(
                    "warning: published despite (--force): {}",
                    terminal(&v.to_string())
                );
            }
            for ((t, doc), landed) in docs.iter().zip(value) {
                let id = &ws.team(*t).id;
                let version = landed.version;
                if landed.unchanged {
                    println!("unchanged {id} version {version}: the same plan is published");
                } else {
                    println!(
                        "published {id} version {version}: {} shifts",
                        doc.shifts.len()
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Outcome::Refused(vs) | Outcome::Malformed(vs) => {
            eprintln!(
                "refused: nothing was published; the plans in {}:",
                dir.display()
            );
            for v in &vs {
                eprintln!("  - {}", terminal(&v.to_string()));
            }
            Ok(ExitCode::from(1))
        }
    }
}

/// Lists the plans that leave slots unfilled: as warnings when
/// `--allow-partial` allows them, else as the reason nothing is published.
fn partial_plans_allowed(docs: &[(TeamIdx, PlanDoc)], allow_partial: bool) -> bool {
    let partial: Vec<&PlanDoc> = docs
        .iter()
        .map(|(_, d)| d)
        .filter(|d| !d.unfilled.is_empty())
        .collect();
    if partial.is_empty() {
        return true;
    }
    let lead = if allow_partial {
        "warning: publishing plans that leave slots unfilled (--allow-partial):"
    } else {
        "refused: nothing was published; these plans leave slots unfilled:"
    };
    eprintln!("{lead}");
    for d in &partial {
        let slots: Vec<String> = d
            .unfilled
            .iter()
            .map(|u| format!("{} {}", u.week, terminal(&u.role)))
            .collect();
        eprintln!(
            "  - {}: {} slot(s) unfilled ({})",
            terminal(&d.team),
            slots.len(),
            slots.join(", ")
        );
    }
    if !allow_partial {
        eprintln!(
            "  help: pass --allow-partial to publish them with those slots unfilled, or change \
             the inputs and plan again (`oncall check TEAM` explains each gap)"
        );
    }
    allow_partial
}

/// The plans in `dir` named after teams of the workspace, in team order.
fn read_all(ws: &Workspace, dir: &Path) -> Result<Vec<(TeamIdx, PlanDoc)>> {
    let mut docs = Vec::new();
    for (k, team) in ws.teams.iter().enumerate() {
        let path = dir.join(format!("{}.json", team.id));
        if path.exists() {
            docs.push((TeamIdx(k), read_plan(&path, &team.id)?));
        }
    }
    Ok(docs)
}
