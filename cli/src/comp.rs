//! `oncall comp`: the compensation report of a pay period, from the resolved
//! timelines in the store, rendered as the HR CSV, JSON or terminal tables.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use comfy_table::{presets, CellAlignment, Table};
use oncall::model::{TeamIdx, Workspace};
use oncall::pay::{self, CompReport, PayPeriod};
use oncall::schedule::service::Schedule;
use oncall::schedule::timeline::Timeline;
use rust_decimal::Decimal;

use crate::args::{CompArgs, CompFormat};
use crate::commands::{emit, find_team, load};

/// The columns of the HR CSV, in order.
pub const CSV_COLUMNS: [&str; 13] = [
    "employee_id",
    "name",
    "email",
    "period_start",
    "period_end",
    "team",
    "role",
    "code",
    "hours",
    "days",
    "rate",
    "amount",
    "currency",
];

/// Runs `oncall comp`.
pub fn run(dir: &Path, args: CompArgs) -> Result<ExitCode> {
    let ws = load(dir)?;
    let teams: Vec<TeamIdx> = match &args.team {
        Some(t) => vec![find_team(&ws, t)?],
        None => (0..ws.teams.len()).map(TeamIdx).collect(),
    };
    let incidents = match &args.incidents {
        None => Vec::new(),
        Some(path) => {
            let text = oncall::input::limits::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            pay::read_incidents(&ws, path, &text)?
        }
    };
    let timelines = timelines(&ws, &teams)?;
    let period = PayPeriod {
        from: args.from,
        to: args.to,
    };
    let report = pay::report(&ws, &timelines, period, &incidents)?;
    let text = match args.format {
        CompFormat::Csv => csv(&report)?,
        CompFormat::Json => json(&report)?,
        CompFormat::Table => table(&report),
    };
    emit(args.out.as_deref(), &text)?;
    if let Some(out) = &args.out {
        eprintln!(
            "{} lines, {} people, total {} {}",
            report.lines.len(),
            report.people.len(),
            report.total(),
            report.currency
        );
        eprintln!("wrote {}", out.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// The resolved timeline of each team, from the store, read only.
fn timelines(ws: &Workspace, teams: &[TeamIdx]) -> Result<Vec<(TeamIdx, Timeline)>> {
    let schedule = Schedule::read_only(ws)?;
    if schedule.store().is_none() {
        anyhow::bail!(
            "nothing is published in {} yet, so there is nothing to pay\n  help: publish a plan first: `oncall publish TEAM plan.json`",
            ws.root.display()
        );
    }
    teams
        .iter()
        .map(|&t| Ok((t, schedule.timeline(t)?)))
        .collect()
}

/// A text cell made safe for spreadsheets: one that starts with `=`, `+`,
/// `-`, `@` (or a tab or carriage return) gets a leading `'`.
pub fn neutralise(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

fn opt(d: Option<Decimal>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

/// The HR CSV: one row per person × team × role × pay code.
pub fn csv(report: &CompReport) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(CSV_COLUMNS)?;
    let (start, end) = (report.period.from.to_string(), report.period.to.to_string());
    for l in &report.lines {
        w.write_record([
            neutralise(&l.employee_id),
            neutralise(&l.name),
            neutralise(&l.email),
            start.clone(),
            end.clone(),
            neutralise(&l.team),
            neutralise(&l.role),
            l.code.as_str().to_string(),
            l.hours.to_string(),
            l.days.to_string(),
            opt(l.rate),
            l.amount.to_string(),
            neutralise(&l.currency),
        ])?;
    }
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8(bytes)?)
}

/// The report as JSON (schema 1): period, currency, total, lines and people.
/// Numbers that are money, hours or days are decimal strings.
pub fn json(report: &CompReport) -> Result<String> {
    let doc = serde_json::json!({
        "schema": 1,
        "period": report.period,
        "currency": report.currency,
        "total": report.total(),
        "lines": report.lines,
        "people": report.people,
    });
    Ok(serde_json::to_string_pretty(&doc)? + "\n")
}

/// The terminal summary: pay per person, then the fairness view.
pub fn table(report: &CompReport) -> String {
    let mut pay = Table::new();
    pay.load_preset(presets::UTF8_FULL_CONDENSED);
    pay.set_header([
        "person".to_string(),
        "hours on call".to_string(),
        format!("amount ({})", report.currency),
        "days off in lieu".to_string(),
    ]);
    for p in &report.people {
        pay.add_row([
            p.name.clone(),
            p.hours.to_string(),
            p.amount.to_string(),
            p.time_off_days.round_dp(2).normalize().to_string(),
        ]);
    }
    let mut fair = Table::new();
    fair.load_preset(presets::UTF8_FULL_CONDENSED);
    fair.set_header([
        "person",
        "weekend days",
        "holiday days",
        "night hours",
        "pages",
    ]);
    for p in &report.people {
        fair.add_row([
            p.name.clone(),
            p.weekend_days.round_dp(2).normalize().to_string(),
            p.holiday_days.round_dp(2).normalize().to_string(),
            p.night_hours.round_dp(2).normalize().to_string(),
            p.pages.to_string(),
        ]);
    }
    for t in [&mut pay, &mut fair] {
        for i in 1..t.column_count() {
            if let Some(c) = t.column_mut(i) {
                c.set_cell_alignment(CellAlignment::Right);
            }
        }
    }
    let mut out = format!(
        "Compensation {} to {} (last day {}), total {} {}\n{pay}\n\nWho carries the weekends, holidays and nights\n{fair}\n",
        report.period.from,
        report.period.to,
        report.period.to.pred_opt().unwrap_or(report.period.to),
        report.total(),
        report.currency
    );
    if report.people.is_empty() {
        out.push_str("nobody was on call in this period\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised() {
        assert_eq!(neutralise("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralise("+1"), "'+1");
        assert_eq!(neutralise("-2"), "'-2");
        assert_eq!(neutralise("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralise("alice"), "alice");
        assert_eq!(neutralise(""), "");
    }
}
