//! Fairness over the long run: per person and calendar quarter, the load
//! carried against a fair share (docs/design.md §3), and what the compensation
//! report says about the same quarter (docs/design.md §6).
//!
//! - The load of a stretch on call is `role weight × Σ hours × day-kind
//!   weight ÷ 24`, each hour classed in the team's zone and by the team's
//!   holidays, exactly as the planner weighs a slot.
//! - The share of a quarter: each team's total load in the quarter split
//!   equally among its members employed at some point in the quarter; a
//!   person's share is the sum over the teams reported. Someone on call for a
//!   team they are not a member of (an override) has load but no share.
//! - Hours, weekend and holiday days, night hours and pages are what was
//!   carried: those of [`report`] over the quarter, from the
//!   resolved timeline.
//! - Pay and days off in lieu are what was, or will be, paid, as `oncall
//!   comp` shows them: a closed period's stored lines (its adjustments of
//!   earlier periods included) count in the quarter where the period starts,
//!   open time is computed now, and the adjustments the next close will
//!   store count in the quarter where open time resumes. Over a range that
//!   closed periods do not straddle, the totals are exactly those of `comp`
//!   for the range.
//!
//! Quarters are the calendar quarters that meet the range, clipped to it.

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use std::collections::BTreeMap;

use super::periods::{adjustments, ClosedPeriod};
use super::{report, CompError, CompReport, Incident, PayCode, PayLine, PayPeriod, PersonSummary};
use crate::model::time::{day_kind, hours_by_local_day, start_of_day, DayKind};
use crate::model::{Person, TeamIdx, Workspace};
use crate::schedule::timeline::{Segment, Timeline};

/// One calendar quarter of the range, clipped to it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuarterSpan {
    /// A label such as `2027Q1`.
    pub label: String,
    /// The days covered: `from` up to, not including, `to`.
    pub period: PayPeriod,
}

/// One person's figures over one quarter (or over the whole range).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    /// Load carried (docs/design.md §3), in weighted days.
    pub load: f64,
    /// Fair share of the load.
    pub share: f64,
    /// `load - share`.
    pub excess: f64,
    /// Hours on call (as paid: an hour held twice counts once).
    pub hours: Decimal,
    /// Weekend days carried.
    pub weekend_days: Decimal,
    /// Holiday days carried.
    pub holiday_days: Decimal,
    /// Hours on call inside sleeping hours.
    pub night_hours: Decimal,
    /// Pages received.
    pub pages: u32,
    /// Pay.
    pub amount: Decimal,
    /// Days off in lieu earned.
    pub time_off_days: Decimal,
}

/// One person's row of the report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PersonFairness {
    /// The person's id.
    pub employee_id: String,
    /// Display name.
    pub name: String,
    /// Figures per quarter, in the order of [`FairnessReport::quarters`].
    pub quarters: Vec<Figures>,
    /// `load - share` summed up to and including each quarter.
    pub cumulative_excess: Vec<f64>,
    /// Figures over the whole range.
    pub total: Figures,
}

/// The fairness report: data only; the command line renders it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FairnessReport {
    /// The range reported.
    pub range: PayPeriod,
    /// The teams reported, by id.
    pub teams: Vec<String>,
    /// The currency code of the pay figures.
    pub currency: String,
    /// The quarters, in order.
    pub quarters: Vec<QuarterSpan>,
    /// One row per person with load, share, time on call or pages, in roster
    /// order.
    pub people: Vec<PersonFairness>,
}

/// Where the fairness report reads from: every team's resolved timeline
/// (adjustments are judged over all of them), the team reported (`None`:
/// every team), the pages and the closed pay periods, oldest first.
#[derive(Clone, Copy, Debug)]
pub struct Sources<'a> {
    /// Every team's resolved timeline.
    pub timelines: &'a [(TeamIdx, Timeline)],
    /// Only this team, or every team.
    pub team: Option<TeamIdx>,
    /// Pages received.
    pub incidents: &'a [Incident],
    /// Closed pay periods, oldest first.
    pub closed: &'a [ClosedPeriod],
}

/// The fairness report over `range`, quarter by quarter.
///
/// # Errors
/// As [`report`]: no compensation policy, an empty range, a
/// timeline naming someone unknown, or pages without incident pay.
pub fn fairness(
    ws: &Workspace,
    src: Sources<'_>,
    range: PayPeriod,
) -> Result<FairnessReport, CompError> {
    if range.to <= range.from {
        return Err(CompError::EmptyPeriod {
            from: range.from,
            to: range.to,
        });
    }
    let timelines: Vec<(TeamIdx, Timeline)> = src
        .timelines
        .iter()
        .filter(|(t, _)| src.team.is_none_or(|x| x == *t))
        .cloned()
        .collect();
    let quarters = quarters(range);
    let mut people = empty_rows(ws, quarters.len());
    let mut currency = String::new();
    let paid = Paid::new(ws, src, &timelines, range)?;
    for (q, span) in quarters.iter().enumerate() {
        let comp = report(ws, &timelines, span.period, src.incidents)?;
        currency.clone_from(&comp.currency);
        add_carried(&mut people, q, &comp);
        add_paid(&mut people, q, &paid.in_quarter(span.period)?);
        add_loads(ws, &timelines, span.period, &mut people, q);
    }
    finish(&mut people);
    people.retain(|p| !is_blank(&p.total));
    Ok(FairnessReport {
        range,
        teams: timelines
            .iter()
            .map(|(t, _)| ws.team(*t).id.clone())
            .collect(),
        currency,
        quarters,
        people,
    })
}

/// Pay and days off in lieu per person id.
type PaidFigures = BTreeMap<String, (Decimal, Decimal)>;

/// What was, or will be, paid in each quarter of a range.
struct Paid<'a> {
    ws: &'a Workspace,
    src: Sources<'a>,
    timelines: &'a [(TeamIdx, Timeline)],
    range: PayPeriod,
    /// The adjustments still to pay, for the team reported.
    pending: Vec<PayLine>,
}

impl<'a> Paid<'a> {
    fn new(
        ws: &'a Workspace,
        src: Sources<'a>,
        timelines: &'a [(TeamIdx, Timeline)],
        range: PayPeriod,
    ) -> Result<Self, CompError> {
        let mut pending = if src.closed.is_empty() {
            Vec::new()
        } else {
            adjustments(ws, src.timelines, src.closed)?
        };
        pending.retain(|l| Self::keeps(ws, src.team, l));
        Ok(Paid {
            ws,
            src,
            timelines,
            range,
            pending,
        })
    }

    fn keeps(ws: &Workspace, team: Option<TeamIdx>, l: &PayLine) -> bool {
        team.is_none_or(|t| ws.team(t).id == l.team)
    }

    /// The figures paid in `span`, one quarter of the range.
    fn in_quarter(&self, span: PayPeriod) -> Result<PaidFigures, CompError> {
        let mut out = PaidFigures::new();
        let (Some(first), Some(last)) = (self.src.closed.first(), self.src.closed.last()) else {
            self.add_open(&mut out, Some(span))?;
            return Ok(out);
        };
        let (first_from, last_to) = (first.period().from, last.period().to);
        self.add_open(&mut out, clip(span, span.from, first_from))?;
        self.add_open(&mut out, clip(span, last_to, span.to))?;
        for c in self.src.closed {
            let p = c.period();
            let starts = p.from.max(self.range.from);
            if p.from < self.range.to && self.range.from < p.to && contains(span, starts) {
                self.add_lines(&mut out, &c.report.lines);
            }
        }
        if contains(span, last_to.max(self.range.from)) {
            self.add_lines(&mut out, &self.pending);
        }
        Ok(out)
    }

    /// Open time inside `part`, computed now.
    fn add_open(&self, out: &mut PaidFigures, part: Option<PayPeriod>) -> Result<(), CompError> {
        let Some(part) = part else { return Ok(()) };
        let comp = report(self.ws, self.timelines, part, self.src.incidents)?;
        self.add_lines(out, &comp.lines);
        Ok(())
    }

    fn add_lines(&self, out: &mut PaidFigures, lines: &[PayLine]) {
        for l in lines
            .iter()
            .filter(|l| Self::keeps(self.ws, self.src.team, l))
        {
            let e = out.entry(l.employee_id.clone()).or_default();
            e.0 += l.amount;
            if l.code == PayCode::Toil {
                e.1 += l.days;
            }
        }
    }
}

/// `[from, to)` within `span`, when not empty.
fn clip(span: PayPeriod, from: NaiveDate, to: NaiveDate) -> Option<PayPeriod> {
    let (from, to) = (from.max(span.from), to.min(span.to));
    (from < to).then_some(PayPeriod { from, to })
}

fn contains(span: PayPeriod, day: NaiveDate) -> bool {
    span.from <= day && day < span.to
}

/// The calendar quarters that meet `range`, clipped to it.
pub fn quarters(range: PayPeriod) -> Vec<QuarterSpan> {
    let mut out = Vec::new();
    let mut from = range.from;
    while from < range.to {
        let q = from.month0() / 3;
        let (year, next_month) = if q == 3 {
            (from.year() + 1, 1)
        } else {
            (from.year(), q * 3 + 4)
        };
        let next = NaiveDate::from_ymd_opt(year, next_month, 1).unwrap_or(range.to);
        let to = next.min(range.to);
        out.push(QuarterSpan {
            label: format!("{}Q{}", from.year(), q + 1),
            period: PayPeriod { from, to },
        });
        from = to;
    }
    out
}

fn empty_rows(ws: &Workspace, quarters: usize) -> Vec<PersonFairness> {
    ws.people
        .iter()
        .map(|p| PersonFairness {
            employee_id: p.id.clone(),
            name: p.name.clone(),
            quarters: vec![Figures::default(); quarters],
            cumulative_excess: vec![0.0; quarters],
            total: Figures::default(),
        })
        .collect()
}

fn add_carried(people: &mut [PersonFairness], q: usize, comp: &CompReport) {
    for s in &comp.people {
        if let Some(row) = people.iter_mut().find(|p| p.employee_id == s.employee_id) {
            copy_carried(&mut row.quarters[q], s);
        }
    }
}

fn copy_carried(f: &mut Figures, s: &PersonSummary) {
    f.hours = s.hours;
    f.weekend_days = s.weekend_days;
    f.holiday_days = s.holiday_days;
    f.night_hours = s.night_hours;
    f.pages = s.pages;
}

fn add_paid(people: &mut [PersonFairness], q: usize, paid: &PaidFigures) {
    for (id, (amount, days)) in paid {
        if let Some(row) = people.iter_mut().find(|p| &p.employee_id == id) {
            row.quarters[q].amount += *amount;
            row.quarters[q].time_off_days += *days;
        }
    }
}

/// Adds each team's loads and shares of `period` to quarter `q`.
fn add_loads(
    ws: &Workspace,
    timelines: &[(TeamIdx, Timeline)],
    period: PayPeriod,
    people: &mut [PersonFairness],
    q: usize,
) {
    for (team, tl) in timelines {
        let mut team_load = 0.0;
        for s in &tl.segments {
            let load = segment_load(ws, *team, s, period);
            team_load += load;
            if let Some(i) = ws.person_by_id(&s.person) {
                people[i.0].quarters[q].load += load;
            }
        }
        let members: Vec<usize> = ws
            .team(*team)
            .members
            .iter()
            .filter(|p| employed(ws.person(**p), period))
            .map(|p| p.0)
            .collect();
        for i in &members {
            people[*i].quarters[q].share += team_load / members.len() as f64;
        }
    }
}

/// The load of the part of `s` inside `period` (midnights in the team's
/// zone): `weight × Σ hours × day-kind weight ÷ 24`.
pub fn segment_load(ws: &Workspace, team: TeamIdx, s: &Segment, period: PayPeriod) -> f64 {
    let t = ws.team(team);
    let (from, to) = (
        start_of_day(t.timezone, period.from),
        start_of_day(t.timezone, period.to),
    );
    let (start, end) = (s.start.max(from), s.end.min(to));
    if start >= end {
        return 0.0;
    }
    let weight = t.role_by_name(&s.role).map_or(1.0, |r| t.roles[r.0].weight);
    let hol = ws.holidays(t.holidays.as_deref());
    let w = &ws.org.load;
    let weighted: f64 = hours_by_local_day(t.timezone, start, end)
        .into_iter()
        .map(|(date, hours)| {
            hours
                * match day_kind(date, hol) {
                    DayKind::Weekday => w.weekday,
                    DayKind::Weekend => w.weekend,
                    DayKind::Holiday => w.holiday,
                }
        })
        .sum();
    weight * weighted / 24.0
}

/// Whether `p` is employed on some day of `period`.
pub(crate) fn employed(p: &Person, period: PayPeriod) -> bool {
    p.joined < period.to && p.left.is_none_or(|l| l > period.from)
}

/// Excess per quarter, cumulative excess and totals.
fn finish(people: &mut [PersonFairness]) {
    for p in people {
        let mut running = 0.0;
        let mut total = Figures::default();
        for (q, f) in p.quarters.iter_mut().enumerate() {
            f.excess = f.load - f.share;
            running += f.excess;
            p.cumulative_excess[q] = running;
            add(&mut total, f);
        }
        total.excess = total.load - total.share;
        p.total = total;
    }
}

fn add(total: &mut Figures, f: &Figures) {
    total.load += f.load;
    total.share += f.share;
    total.hours += f.hours;
    total.weekend_days += f.weekend_days;
    total.holiday_days += f.holiday_days;
    total.night_hours += f.night_hours;
    total.pages += f.pages;
    total.amount += f.amount;
    total.time_off_days += f.time_off_days;
}

fn is_blank(f: &Figures) -> bool {
    f.load == 0.0
        && f.share == 0.0
        && f.hours.is_zero()
        && f.pages == 0
        && f.amount.is_zero()
        && f.time_off_days.is_zero()
}
