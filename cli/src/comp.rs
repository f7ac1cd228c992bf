//! `oncall comp`: the compensation report of a pay period, from the resolved
//! timelines in the store, rendered as the HR CSV, JSON or terminal tables.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use comfy_table::{presets, CellAlignment, Table};
use oncall::model::{TeamIdx, Workspace};
use oncall::pay::periods::ClosedPeriod;
use oncall::pay::statement::{self, Section, Statement};
use oncall::pay::{self, toil, CompReport, Incident, PayLine, PayPeriod};
use oncall::schedule::service::{PayState, Schedule};
use rust_decimal::Decimal;

use crate::args::{CompAction, CompArgs, CompCloseArgs, CompFormat, ToilArgs, ToilFormat};
use crate::render::row;
use crate::workspace::{emit, find_person, find_team, load};
use crate::UsageError;

/// The columns of the HR CSV, in order.
pub(crate) const CSV_COLUMNS: [&str; 14] = [
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
    "adjusts_period",
];

/// Runs `oncall comp` and `oncall comp close`.
pub(crate) fn run(dir: &Path, args: CompArgs) -> Result<ExitCode> {
    if let Some(CompAction::Close(close)) = args.action {
        return run_close(dir, close);
    }
    let (Some(from), Some(to)) = (args.from, args.to) else {
        return Err(UsageError::new("`oncall comp` needs --from and --to").into());
    };
    let ws = load(dir)?;
    let team = args
        .team
        .as_deref()
        .map(|t| find_team(&ws, t))
        .transpose()?;
    let incidents = incidents(&ws, args.incidents.as_deref())?;
    let (timelines, closed) = pay_state(&ws)?;
    let range = PayPeriod { from, to };
    let st = statement::statement(&ws, &timelines, team, range, &incidents, &closed)?;
    let text = match args.format {
        CompFormat::Csv => csv(&st)?,
        CompFormat::Json => json(&st)?,
        CompFormat::Table => table(&st),
    };
    emit(args.out.as_deref(), &text)?;
    warn_overdrawn(&ws, &closed, range, None);
    warn_off_call(&st);
    if let Some(out) = &args.out {
        let lines: usize = st.sections.iter().map(|s| s.report.lines.len()).sum();
        let currency = st.sections.first().map(|s| s.report.currency.as_str());
        eprintln!(
            "{lines} lines, total {} {}",
            st.total(),
            currency.unwrap_or_default()
        );
        eprintln!("wrote {}", out.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// `oncall comp close`: stores the period's report as paid.
fn run_close(dir: &Path, args: CompCloseArgs) -> Result<ExitCode> {
    let ws = load(dir)?;
    let incidents = incidents(&ws, args.incidents.as_deref())?;
    let mut schedule = crate::workspace::open_schedule(&ws)?;
    let period = PayPeriod {
        from: args.from,
        to: args.to,
    };
    let closed = schedule.close_pay_period(period, &incidents)?;
    let r = &closed.report;
    let adjustments = r.lines.iter().filter(|l| l.is_adjustment()).count();
    println!(
        "closed the pay period {} to {} (last day {}): {} lines, {adjustments} of them adjustments, total {} {}\ninputs sha256 {}",
        period.from,
        period.to,
        last_day(period),
        r.lines.len(),
        r.total(),
        r.currency,
        closed.stamp.inputs_sha256
    );
    Ok(ExitCode::SUCCESS)
}

/// Warns (on standard error) about each closed pay period whose rates the
/// policy has since been edited for without a dated version: closed periods
/// keep what they were paid, so the edit reaches open time only.
pub(crate) fn warn_rate_edits(
    ws: &Workspace,
    timelines: &[(TeamIdx, oncall::schedule::timeline::Timeline)],
    closed: &[ClosedPeriod],
) {
    if ws.org.compensation.is_none() {
        return;
    }
    let Ok(edits) = oncall::pay::periods::rate_edits(ws, timelines, closed) else {
        return;
    };
    for e in edits {
        let lines: Vec<String> = e
            .lines
            .iter()
            .map(|(role, code, was, is)| {
                format!(
                    "{} {}: paid {was}, now {is}",
                    crate::render::terminal(role),
                    code.as_str()
                )
            })
            .collect();
        eprintln!(
            "warning: oncall.toml now pays the closed period {}..{} at other rates ({}); \
             closed periods keep what they were paid, so the edit changes open periods only\n  \
             help: to change pay from a date on, put the old rates back and add a \
             `[[compensation.versions]]` block with `effective = \"YYYY-MM-DD\"` and the new ones",
            e.period.from,
            e.period.to,
            lines.join("; ")
        );
    }
}

/// Warns (on standard error) about days off in lieu taken in `range` beyond
/// the balance, by everyone or by the members of `team`: allowed, but HR
/// and the manager should know.
pub(crate) fn warn_overdrawn(
    ws: &Workspace,
    closed: &[ClosedPeriod],
    range: PayPeriod,
    team: Option<TeamIdx>,
) {
    let ledger = toil::ledger(ws, closed, last_day(range), None);
    let member = |id: &str| {
        team.is_none_or(|t| {
            ws.person_by_id(id)
                .is_some_and(|p| ws.team(t).members.contains(&p))
        })
    };
    for (person, days) in toil::overdrawn_in(&ledger, range.from, range.to) {
        if !member(&person) {
            continue;
        }
        let days: Vec<String> = days.iter().map(ToString::to_string).collect();
        eprintln!(
            "warning: {} took days off in lieu beyond their balance on {}\n  help: see `oncall toil --person {}`",
            crate::render::terminal(&person),
            days.join(", "),
            crate::render::terminal(&person)
        );
    }
}

/// Runs `oncall toil`: the ledger of days off in lieu on a date.
pub(crate) fn toil(dir: &Path, args: ToilArgs) -> Result<ExitCode> {
    let ws = load(dir)?;
    let person = args
        .person
        .as_deref()
        .map(|p| find_person(&ws, p))
        .transpose()?;
    let at = args.at.unwrap_or_else(|| {
        oncall::clock::now()
            .with_timezone(&ws.org.timezone)
            .date_naive()
    });
    let closed = if oncall::schedule::service::has_store(&ws.root) {
        pay_state(&ws)?.1
    } else {
        Vec::new()
    };
    let ledger = toil::ledger(&ws, &closed, at, person);
    match args.format {
        ToilFormat::Json => print!("{}", serde_json::to_string_pretty(&ledger)? + "\n"),
        ToilFormat::Table => print!("{}", toil_table(&ledger)),
    }
    Ok(ExitCode::SUCCESS)
}

fn toil_table(ledger: &toil::ToilLedger) -> String {
    let mut t = new_table(&["person", "earned", "taken", "expired", "balance"]);
    for p in &ledger.people {
        t.add_row(row([
            p.name.clone(),
            p.earned.to_string(),
            p.taken.to_string(),
            p.expired.to_string(),
            p.balance.to_string(),
        ]));
    }
    let expiry = ledger.expires_after_days.map_or_else(
        || "days never expire".to_string(),
        |n| format!("days expire {n} days after they are earned"),
    );
    let mut out = format!(
        "Days off in lieu on {} (earned in closed pay periods; {expiry})\n{}\n",
        ledger.at,
        right_align(t)
    );
    if ledger.people.is_empty() {
        out.push_str("nobody has earned or taken days off in lieu\n");
    }
    out
}

pub(crate) fn incidents(ws: &Workspace, path: Option<&Path>) -> Result<Vec<Incident>> {
    let Some(path) = path else {
        return Ok(Vec::new());
    };
    let text = oncall::input::limits::read_to_string(path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    Ok(pay::read_incidents(ws, path, &text)?)
}

/// Every team's resolved timeline and the closed periods, read only.
pub(crate) fn pay_state(ws: &Workspace) -> Result<PayState> {
    let schedule = Schedule::read_only(ws)?;
    if schedule.store().is_none() {
        anyhow::bail!(
            "nothing is published in {} yet, so there is nothing to pay\n  help: publish a plan first: `oncall publish TEAM plan.json`",
            ws.root.display()
        );
    }
    Ok(schedule.pay_state()?)
}

fn last_day(p: PayPeriod) -> chrono::NaiveDate {
    p.to.pred_opt().unwrap_or(p.to)
}

/// A text cell made safe for spreadsheets: one that starts with `=`, `+`,
/// `-`, `@` (or a tab or carriage return) gets a leading `'`.
pub(crate) fn neutralise(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

fn opt(d: Option<Decimal>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

/// The HR CSV: one row per person × team × role × pay code, section by
/// section; `adjusts_period` names the closed period an adjustment corrects.
pub(crate) fn csv(st: &Statement) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(CSV_COLUMNS)?;
    for section in &st.sections {
        let period = section.report.period;
        for l in &section.report.lines {
            w.write_record(csv_row(l, period))?;
        }
    }
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8(bytes)?)
}

fn csv_row(l: &PayLine, period: PayPeriod) -> [String; 14] {
    [
        neutralise(&l.employee_id),
        neutralise(&l.name),
        neutralise(&l.email),
        period.from.to_string(),
        period.to.to_string(),
        neutralise(&l.team),
        neutralise(&l.role),
        l.code.as_str().to_string(),
        l.hours.to_string(),
        l.days.to_string(),
        opt(l.rate),
        l.amount.to_string(),
        neutralise(&l.currency),
        l.adjusts.map(period_text).unwrap_or_default(),
    ]
}

/// A period as `2027-01-01..2027-02-01` (the second day is not included).
pub(crate) fn period_text(p: PayPeriod) -> String {
    format!("{}..{}", p.from, p.to)
}

/// The report as JSON (schema 1): the range, currency and total; `sections`
/// (each closed period as stored, with who closed it, and open time);
/// and, across sections, every line (with its section's `period` and
/// `closed`) and every person's summary. Money, hours and days are decimal
/// strings.
pub(crate) fn json(st: &Statement) -> Result<String> {
    let mut lines = Vec::new();
    let mut people = Vec::new();
    let mut off_call = Vec::new();
    let mut sections = Vec::new();
    for s in &st.sections {
        let r = &s.report;
        for l in &r.lines {
            let mut v = serde_json::to_value(l)?;
            if let Some(o) = v.as_object_mut() {
                o.insert("period".into(), serde_json::to_value(r.period)?);
                o.insert("closed".into(), s.closed.is_some().into());
            }
            lines.push(v);
        }
        people.extend(r.people.iter().cloned());
        off_call.extend(r.off_call_pages.iter().cloned());
        sections.push(serde_json::json!({
            "period": r.period,
            "status": if s.closed.is_some() { "closed" } else { "open" },
            "closed": s.closed,
            "total": r.total(),
            "lines": r.lines,
            "people": r.people,
            "off_call_pages": r.off_call_pages,
        }));
    }
    let currency = st.sections.first().map(|s| s.report.currency.clone());
    let doc = serde_json::json!({
        "schema": 1,
        "period": st.range,
        "currency": currency,
        "total": st.total(),
        "sections": sections,
        "lines": lines,
        "people": people,
        "off_call_pages": off_call,
    });
    Ok(serde_json::to_string_pretty(&doc)? + "\n")
}

/// The terminal summary, section by section: pay per person, the fairness
/// view, and the adjustments of closed periods.
pub(crate) fn table(st: &Statement) -> String {
    let mut out = String::new();
    for (i, s) in st.sections.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&section_table(s, st.sections.len() > 1));
    }
    if st.sections.len() > 1 {
        let currency = st.sections.first().map(|s| s.report.currency.as_str());
        out.push_str(&format!(
            "\nTotal {} to {}: {} {}\n",
            st.range.from,
            st.range.to,
            st.total(),
            currency.unwrap_or_default()
        ));
    }
    out
}

/// One section's tables; open time is marked as such only next to closed
/// periods.
fn section_table(s: &Section, mixed: bool) -> String {
    let report = &s.report;
    let status = match &s.closed {
        Some(c) => format!(
            "CLOSED on {} by {}: stored as paid, never recomputed\n",
            c.closed_at.format("%Y-%m-%d %H:%M UTC"),
            crate::render::terminal(&c.actor)
        ),
        None if mixed => "OPEN: computed now from the resolved timeline\n".to_string(),
        None => String::new(),
    };
    let mut out = format!(
        "Compensation {} to {} (last day {}), total {} {}\n{status}{}\n\nWho carries the weekends, holidays and nights\n{}\n",
        report.period.from,
        report.period.to,
        last_day(report.period),
        report.total(),
        report.currency,
        pay_table(report),
        fairness_table(report),
    );
    if report.people.is_empty() {
        out.push_str("nobody was on call in this period\n");
    }
    if report.lines.iter().any(PayLine::is_adjustment) {
        out.push_str(&format!(
            "\nADJUSTMENT: changes to closed periods since they were paid\n{}\n",
            adjustment_table(report)
        ));
    }
    if !report.off_call_pages.is_empty() {
        out.push_str(&format!(
            "\nPages to people not on call at the time\n{}\n",
            off_call_table(report)
        ));
    }
    out
}

fn off_call_table(report: &CompReport) -> Table {
    let mut t = new_table(&["person", "team", "paged at (UTC)", "reason", "paid"]);
    for p in &report.off_call_pages {
        t.add_row(row([
            p.name.clone(),
            p.team.clone(),
            p.time.format("%Y-%m-%d %H:%M").to_string(),
            p.reason.clone(),
            if p.paid { "yes" } else { "no" }.to_string(),
        ]));
    }
    t
}

/// Warns about pages that went to people not on call at the time, which the
/// HR CSV does not show unless they are paid.
fn warn_off_call(st: &Statement) {
    let pages: Vec<_> = st
        .sections
        .iter()
        .flat_map(|s| &s.report.off_call_pages)
        .collect();
    if pages.is_empty() {
        return;
    }
    let paid = pages.iter().filter(|p| p.paid).count();
    eprintln!(
        "warning: {} page(s) went to people not on call at the time; {paid} paid ({})\n  help: see them in `--format table` or `--format json`",
        pages.len(),
        if paid > 0 { "`pay_when_not_on_call = true`" } else { "set `pay_when_not_on_call = true` in [compensation.incidents] to pay them" }
    );
}

fn pay_table(report: &CompReport) -> Table {
    let mut pay = new_table(&[
        "person",
        "hours on call",
        &format!("amount ({})", report.currency),
        "days off in lieu",
    ]);
    for p in &report.people {
        pay.add_row(row([
            p.name.clone(),
            p.hours.to_string(),
            p.amount.to_string(),
            p.time_off_days.round_dp(2).normalize().to_string(),
        ]));
    }
    right_align(pay)
}

fn fairness_table(report: &CompReport) -> Table {
    let mut fair = new_table(&[
        "person",
        "weekend days",
        "holiday days",
        "night hours",
        "pages",
    ]);
    for p in &report.people {
        fair.add_row(row([
            p.name.clone(),
            p.weekend_days.round_dp(2).normalize().to_string(),
            p.holiday_days.round_dp(2).normalize().to_string(),
            p.night_hours.round_dp(2).normalize().to_string(),
            p.pages.to_string(),
        ]));
    }
    right_align(fair)
}

fn adjustment_table(report: &CompReport) -> Table {
    let mut t = new_table(&[
        "person", "adjusts", "team", "role", "code", "hours", "days", "amount",
    ]);
    for l in report.lines.iter().filter(|l| l.is_adjustment()) {
        t.add_row(row([
            l.name.clone(),
            l.adjusts.map(period_text).unwrap_or_default(),
            l.team.clone(),
            l.role.clone(),
            l.code.as_str().to_string(),
            l.hours.to_string(),
            l.days.to_string(),
            l.amount.to_string(),
        ]));
    }
    t
}

fn new_table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_preset(presets::UTF8_FULL_CONDENSED);
    t.set_header(header.iter().map(|h| h.to_string()));
    t
}

fn right_align(mut t: Table) -> Table {
    for i in 1..t.column_count() {
        if let Some(c) = t.column_mut(i) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
    t
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
