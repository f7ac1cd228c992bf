//! Turning arguments into settings and running the library.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use oncall::plan::optimise::{self, PlanOptions, TeamContext};
use oncall::schedule::service::Schedule;

use crate::args::{
    CheckArgs, CheckFormat, CheckPlanArgs, Cli, Command, Format, InitArgs, PlanArgs,
};
use crate::render;
use crate::schedule;
use crate::workspace::{emit, find_team, horizon, load, read_plan};

/// Runs one command and returns its exit status.
pub(crate) fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Plan(args) => plan(&cli.dir, args),
        Command::CheckPlan(args) => check_plan(&cli.dir, args),
        Command::Check(args) => check(&cli.dir, args),
        Command::Init(args) => init(args),
        Command::Generate(args) => generate(args),
        Command::Compare(args) => crate::compare::run(&cli.dir, args),
        Command::Whatif(args) => crate::whatif::run(&cli.dir, args),
        Command::Publish(args) => schedule::publish(&cli.dir, args),
        Command::Show(args) => schedule::show(&cli.dir, args),
        Command::Who(args) => schedule::who(&cli.dir, args),
        Command::Override(args) => schedule::override_(&cli.dir, args),
        Command::Swap(args) => schedule::swap(&cli.dir, args),
        Command::Cover(crate::args::CoverCommand::Request(args)) => {
            crate::offers::cover_request(&cli.dir, args)
        }
        Command::Trade(crate::args::TradeCommand::Offer(args)) => {
            crate::offers::trade_offer(&cli.dir, args)
        }
        Command::Offers(args) => crate::offers::list(&cli.dir, args),
        Command::Accept(args) => crate::offers::accept(&cli.dir, args),
        Command::Decline(args) => crate::offers::decline(&cli.dir, args),
        Command::Cancel(args) => crate::offers::cancel(&cli.dir, args),
        Command::Replan(args) => schedule::replan(&cli.dir, args),
        Command::Log(args) => schedule::log(&cli.dir, args),
        Command::Comp(args) => crate::comp::run(&cli.dir, args),
        Command::Toil(args) => crate::comp::toil(&cli.dir, args),
        Command::Report(crate::args::ReportCommand::Fairness(args)) => {
            crate::fairness::run(&cli.dir, args)
        }
        Command::Ical(args) => crate::feeds::ical(&cli.dir, args),
        Command::Serve(args) => crate::serve::run(&cli.dir, args),
        Command::Link(cmd) => crate::links::run(&cli.dir, cmd),
        Command::Store(cmd) => crate::store::run(&cli.dir, cmd),
        Command::Notify(args) => crate::notify::run(&cli.dir, &args),
        Command::Sync(crate::args::SyncCommand::Pagerduty(args)) => {
            crate::sync::pagerduty(&cli.dir, &args)
        }
    }
}

fn plan(dir: &Path, args: PlanArgs) -> Result<ExitCode> {
    let spec = horizon(&args.horizon)?;
    let opts = PlanOptions {
        time_limit: args.time_limit,
        ..Default::default()
    };
    let Some(team_id) = args.team.clone().filter(|_| !args.all) else {
        return crate::organisation::plan_all(dir, &spec, &opts, args.jobs, args.out.as_deref());
    };
    let format = Format::for_output(args.format, args.out.as_deref(), Format::Table)?;
    let ws = load(dir)?;
    let team = find_team(&ws, &team_id)?;
    // Published history counts as carry-over and for rest; other teams'
    // published time is blocked: no one is on call twice.
    let schedule = Schedule::read_only(&ws)?;
    let TeamContext { history, busy } = schedule.context(team, &spec)?;
    let plan = optimise::plan_around(&ws, team, &spec, &opts, &history, &busy)?;
    if let (Some(f), Some(l)) = (plan.weeks.first(), plan.weeks.last()) {
        let drift = schedule.drift(team, (f.start, l.end))?;
        if !drift.is_empty() {
            eprintln!(
                "warning: the published schedule has drifted inside this horizon; publishing \
                 this plan replaces those weeks:"
            );
            eprint!("{}", render::drift(&ws, team, &drift));
        }
    }
    // The explanation of unfilled slots gets a budget of its own, as long
    // as the solve's.
    let budget = args.time_limit.unwrap_or(optimise::DEFAULT_TIME_LIMIT);
    let explained = oncall::plan::explain::explain_plan(&ws, &plan, (&history, &busy), budget);
    let mut text = render::plan(&ws, &explained.doc, format)?;
    if format == Format::Table {
        let out = oncall::plan::eligibility::sidelined(&ws, ws.team(team), &plan.weeks);
        text.push_str(&render::sidelined(&ws, &out));
    }
    if let (Format::Table, Some(e)) = (format, &explained.infeasibility) {
        text.push('\n');
        text.push_str(&oncall::plan::explain::render_text(&ws, e));
    }
    emit(args.out.as_deref(), &text)?;
    let doc = explained.doc;
    if args.verbose {
        eprint!("{}", render::phases(&doc));
    }
    if let Some(out) = &args.out {
        eprintln!("{}", render::summary_line(&doc));
        eprintln!("wrote {}", out.display());
    }
    if !doc.unfilled.is_empty() {
        for u in &doc.unfilled {
            eprintln!(
                "unfilled: week {} {}: {}",
                u.week,
                u.role,
                render::terminal(&u.reason)
            );
        }
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

fn check_plan(dir: &Path, args: CheckPlanArgs) -> Result<ExitCode> {
    let ws = load(dir)?;
    let team = find_team(&ws, &args.team)?;
    let doc = read_plan(&args.plan, &args.team)?;
    let report = Schedule::read_only(&ws)?.check_plan(team, &doc)?;
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
            println!("violation: {}", render::terminal(&v.to_string()));
        }
        println!("{} violation(s)", report.violations.len());
        Ok(ExitCode::from(1))
    }
}

fn check(dir: &Path, args: CheckArgs) -> Result<ExitCode> {
    use oncall::plan::explain::{self, Feasibility};
    let spec = horizon(&args.horizon)?;
    let ws = load(dir)?;
    for w in &ws.warnings {
        eprintln!("{}\n", w.as_warning());
    }
    let team = find_team(&ws, &args.team)?;
    let weeks = oncall::plan::horizon::weeks(ws.team(team), &spec)?;
    let first = weeks
        .first()
        .map_or(chrono::NaiveDate::MIN, |w| w.first_day);
    let schedule = Schedule::read_only(&ws)?;
    let history = schedule.history(team, first)?;
    if let Some(last) = weeks.last() {
        let (timelines, closed) = schedule.pay_state()?;
        crate::comp::warn_rate_edits(&ws, &timelines, &closed);
        let range = oncall::pay::PayPeriod {
            from: first,
            to: last.next_day,
        };
        crate::comp::warn_overdrawn(&ws, &closed, range, Some(team));
    }
    let json = matches!(args.format, CheckFormat::Json);
    let busy = schedule.busy_elsewhere(team)?;
    let span = match (weeks.first(), weeks.last()) {
        (Some(f), Some(l)) => (f.start, l.end),
        _ => (
            chrono::DateTime::<chrono::Utc>::MIN_UTC,
            chrono::DateTime::<chrono::Utc>::MIN_UTC,
        ),
    };
    let drift = schedule.drift(team, span)?;
    let drifted = if drift.is_empty() { 0 } else { 1 };
    match explain::explain_around(&ws, team, &spec, &history, &busy)? {
        Feasibility::Completable if json => {
            println!("{}", check_json(true.into(), None, &drift)?);
        }
        Feasibility::Completable => println!(
            "ok: the inputs are valid and every slot of {} can be filled",
            args.team
        ),
        Feasibility::Unknown if json => {
            println!("{}", check_json(serde_json::Value::Null, None, &drift)?);
            return Ok(ExitCode::from(1));
        }
        Feasibility::Unknown => {
            println!("unknown: the solver ran out of time before it could tell whether every slot of {} can be filled", args.team);
            return Ok(ExitCode::from(1));
        }
        Feasibility::Infeasible(e) if json => {
            let doc = check_json(
                false.into(),
                Some(serde_json::to_value(e.to_doc(&ws))?),
                &drift,
            )?;
            println!("{doc}");
            return Ok(ExitCode::from(1));
        }
        Feasibility::Infeasible(e) => {
            print!("{}", explain::render_text(&ws, &e));
            print!("{}", crate::render::drift(&ws, team, &drift));
            return Ok(ExitCode::from(1));
        }
    }
    if !json {
        print!("{}", crate::render::drift(&ws, team, &drift));
    }
    Ok(ExitCode::from(drifted))
}

/// `check --format json`: feasibility, the explanation when infeasible, and
/// the drifted stretches of the published schedule.
fn check_json(
    feasible: serde_json::Value,
    explanation: Option<serde_json::Value>,
    drift: &[oncall::schedule::drift::Drift],
) -> Result<String> {
    let drift: Vec<serde_json::Value> = drift
        .iter()
        .map(|d| {
            serde_json::json!({
                "person": d.segment.person,
                "role": d.segment.role,
                "week": d.segment.week,
                "from": d.segment.start,
                "to": d.segment.end,
                "reasons": d.reasons.iter().map(ToString::to_string).collect::<Vec<_>>(),
            })
        })
        .collect();
    let mut doc = serde_json::json!({ "feasible": feasible, "drift": drift });
    if let Some(e) = explanation {
        doc["explanation"] = e;
    }
    Ok(serde_json::to_string_pretty(&doc)?)
}

fn init(args: InitArgs) -> Result<ExitCode> {
    let written = oncall::input::example::write_example(&args.dir).with_context(|| {
        format!(
            "cannot write the example workspace to {}",
            args.dir.display()
        )
    })?;
    for f in &written {
        println!("wrote {}", f.display());
    }
    println!(
        "next: oncall -C {} plan payments --quarter 2027Q1",
        args.dir.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn generate(args: crate::args::GenerateArgs) -> Result<ExitCode> {
    let spec = oncall::input::generate::Spec {
        teams: usize::from(args.teams),
        seed: args.seed,
        start: args.start,
        size: None,
    };
    let files = oncall::input::generate::generate(&spec);
    let written = oncall::input::generate::write_files(&args.dir, &files)
        .with_context(|| format!("cannot write the organisation to {}", args.dir.display()))?;
    let ws = load(&args.dir)?;
    let shared = ws
        .people
        .iter()
        .enumerate()
        .filter(|(p, _)| {
            ws.teams
                .iter()
                .filter(|t| t.has_member(oncall::PersonIdx(*p)))
                .count()
                > 1
        })
        .count();
    println!(
        "wrote {} files: {} teams, {} people ({} on more than one team)",
        written.len(),
        ws.teams.len(),
        ws.people.len(),
        shared
    );
    println!(
        "next: oncall -C {} plan --all --quarter {}Q1",
        args.dir.display(),
        chrono::Datelike::year(&args.start)
    );
    Ok(ExitCode::SUCCESS)
}
