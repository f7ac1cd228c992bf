//! Turning arguments into settings and running the library.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use oncall::horizon::HorizonSpec;
use oncall::model::{TeamIdx, Workspace};
use oncall::optimise::{self, PlanOptions};
use oncall::PlanDoc;

use crate::args::{
    CheckArgs, CheckFormat, CheckPlanArgs, Cli, Command, Format, Horizon, InitArgs, PlanArgs,
};
use crate::render;
use crate::schedule;

/// Runs one command and returns its exit status.
pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Plan(args) => plan(&cli.dir, args),
        Command::CheckPlan(args) => check_plan(&cli.dir, args),
        Command::Check(args) => check(&cli.dir, args),
        Command::Init(args) => init(args),
        Command::Publish(args) => schedule::publish(&cli.dir, args),
        Command::Show(args) => schedule::show(&cli.dir, args),
        Command::Who(args) => schedule::who(&cli.dir, args),
        Command::Override(args) => schedule::override_(&cli.dir, args),
        Command::Swap(args) => schedule::swap(&cli.dir, args),
        Command::Replan(args) => schedule::replan(&cli.dir, args),
        Command::Log(args) => schedule::log(&cli.dir, args),
        Command::Comp(args) => crate::comp::run(&cli.dir, args),
        Command::Ical(args) => crate::feeds::ical(&cli.dir, args),
    }
}

pub fn load(dir: &Path) -> Result<Workspace> {
    oncall::load::load_workspace(dir).map_err(|e| anyhow::anyhow!("{e}"))
}

pub fn find_team(ws: &Workspace, id: &str) -> Result<TeamIdx> {
    if let Some(t) = ws.team_by_id(id) {
        return Ok(t);
    }
    let ids: Vec<&str> = ws.teams.iter().map(|t| t.id.as_str()).collect();
    let hint = match oncall::suggest::did_you_mean(id, ids.iter().copied()) {
        Some(s) => format!("did you mean `{s}`?"),
        None if ids.is_empty() => "create teams/<team>.toml".to_string(),
        None => format!("known teams: {}", ids.join(", ")),
    };
    bail!("error: unknown team `{id}` (no teams/{id}.toml)\n  help: {hint}")
}

fn horizon(h: &Horizon) -> Result<HorizonSpec> {
    match (&h.quarter, h.from, h.weeks) {
        (Some(q), _, _) => q
            .parse::<HorizonSpec>()
            .map_err(|e| anyhow::anyhow!("error: {e}")),
        (None, Some(from), Some(weeks)) => Ok(HorizonSpec::Weeks { from, weeks }),
        _ => bail!("error: give --quarter 2027Q1 or --from DATE --weeks N"),
    }
}

fn plan(dir: &Path, args: PlanArgs) -> Result<ExitCode> {
    let spec = horizon(&args.horizon)?;
    if let Some(t) = args.time_limit {
        if !(t.is_finite() && t > 0.0) {
            bail!("error: --time-limit must be a positive number of seconds, got {t}");
        }
    }
    let ws = load(dir)?;
    let team = find_team(&ws, &args.team)?;
    let opts = PlanOptions {
        time_limit: args.time_limit,
        ..Default::default()
    };
    // Published history (if any) counts as carry-over and for rest.
    let history = schedule::history(&ws, team)?;
    let plan = optimise::plan_with_history(&ws, team, &spec, &opts, &history)
        .map_err(|e| anyhow::anyhow!("error: {e}"))?;
    let mut doc = plan.to_doc(&ws);
    let explanation = if plan.unfilled.is_empty() {
        None
    } else {
        oncall::explain::explain_weeks(&ws, team, plan.weeks.clone())
    };
    if let Some(e) = &explanation {
        // Each unfilled slot's reason is the conflict that empties it.
        for (u, slot) in doc.unfilled.iter_mut().zip(&plan.unfilled) {
            if let Some(reason) = e.reason_for(&ws, slot.week, slot.role) {
                u.reason = reason;
            }
        }
    }
    doc.explanation = explanation.as_ref().map(|e| e.to_doc(&ws));
    let text = match args.format {
        Format::Table => {
            let mut t = render::table(&ws, &doc);
            if let Some(e) = &explanation {
                t.push('\n');
                t.push_str(&oncall::explain::render_text(&ws, e));
            }
            t
        }
        Format::Json => render::json(&doc)?,
        Format::Csv => render::csv(&doc)?,
        Format::Md => render::markdown(&ws, &doc),
    };
    emit(args.out.as_deref(), &text)?;
    if let Some(out) = &args.out {
        eprintln!("{}", render::summary_line(&doc));
        eprintln!("wrote {}", out.display());
    }
    if !doc.unfilled.is_empty() {
        for u in &doc.unfilled {
            eprintln!("unfilled: week {} {}: {}", u.week, u.role, u.reason);
        }
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes to a file atomically (temporary file then rename), or to stdout.
pub fn emit(out: Option<&Path>, text: &str) -> Result<()> {
    use std::io::Write;
    match out {
        Some(path) => {
            let dir = path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            let tmp: PathBuf = dir.join(format!(
                ".{}.tmp",
                path.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default()
            ));
            fs::write(&tmp, text).with_context(|| format!("cannot write {}", tmp.display()))?;
            fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(text.as_bytes())?;
            stdout.flush()?;
        }
    }
    Ok(())
}

fn check_plan(dir: &Path, args: CheckPlanArgs) -> Result<ExitCode> {
    let ws = load(dir)?;
    let team = find_team(&ws, &args.team)?;
    let text = fs::read_to_string(&args.plan)
        .with_context(|| format!("error: cannot read the plan {}", args.plan.display()))?;
    let doc: PlanDoc = serde_json::from_str(&text).map_err(|e| {
        anyhow::anyhow!(
            "error: {} is not a plan JSON: {e}\n  --> {}:{}:{}\n  help: write one with `oncall plan {} --format json --out {}`",
            args.plan.display(),
            args.plan.display(),
            e.line(),
            e.column(),
            args.team,
            args.plan.display()
        )
    })?;
    let history = schedule::history(&ws, team)?;
    let first = doc
        .horizon
        .as_ref()
        .map_or(chrono::NaiveDate::MIN, |h| h.first_week);
    let before = oncall::timeline::Timeline {
        team: history.team.clone(),
        segments: history
            .segments
            .into_iter()
            .filter(|s| s.week < first)
            .collect(),
    };
    let report = oncall::checker::check_plan_with_history(&ws, team, &doc, &before);
    if report.violations.is_empty() {
        println!(
            "ok: {} shifts, {} unfilled, status {}, largest excess {}",
            doc.shifts.len(),
            doc.unfilled.len(),
            doc.status,
            doc.fairness.max_excess
        );
        Ok(ExitCode::SUCCESS)
    } else {
        for v in &report.violations {
            println!("violation: {v}");
        }
        println!("{} violation(s)", report.violations.len());
        Ok(ExitCode::from(1))
    }
}

fn check(dir: &Path, args: CheckArgs) -> Result<ExitCode> {
    let spec = horizon(&args.horizon)?;
    let ws = load(dir)?;
    let team = find_team(&ws, &args.team)?;
    let explanation =
        oncall::explain::explain(&ws, team, &spec).map_err(|e| anyhow::anyhow!("error: {e}"))?;
    match (explanation, args.format) {
        (None, CheckFormat::Text) => {
            println!(
                "ok: the inputs are valid and every slot of {} can be filled",
                args.team
            );
            Ok(ExitCode::SUCCESS)
        }
        (None, CheckFormat::Json) => {
            println!("{{\"feasible\": true}}");
            Ok(ExitCode::SUCCESS)
        }
        (Some(e), CheckFormat::Text) => {
            print!("{}", oncall::explain::render_text(&ws, &e));
            Ok(ExitCode::from(1))
        }
        (Some(e), CheckFormat::Json) => {
            let doc = serde_json::json!({ "feasible": false, "explanation": e.to_doc(&ws) });
            println!("{}", serde_json::to_string_pretty(&doc)?);
            Ok(ExitCode::from(1))
        }
    }
}

fn init(args: InitArgs) -> Result<ExitCode> {
    let written =
        oncall::init::write_example(&args.dir).map_err(|e| anyhow::anyhow!("error: {e}"))?;
    for f in &written {
        println!("wrote {}", f.display());
    }
    println!(
        "next: oncall -C {} plan payments --quarter 2027Q1",
        args.dir.display()
    );
    Ok(ExitCode::SUCCESS)
}
