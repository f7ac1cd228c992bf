//! Compensation for a pay period (DESIGN.md §6), computed from resolved
//! timelines, so overrides and swaps pay whoever was actually on call.
//!
//! Each engineer is paid in their own time zone and by their own holiday
//! region:
//!
//! - the period `[from, to)` runs from midnight of `from` to midnight of `to`
//!   in the engineer's zone, so a shift that a period boundary cuts pays each
//!   side only its own hours;
//! - every local day is classed as a weekday, weekend or holiday (a holiday
//!   outranks a weekend) and pays `hours on call that day / the day's real
//!   length (23, 24 or 25 h) × the day's rate × the role's multiplier`;
//! - days off in lieu are `Σ day fraction × time_off[kind]`, whatever the role;
//! - an hour is paid once: where one person holds two roles (or two teams) at
//!   the same instant, only the one with the highest multiplier pays (ties go
//!   to the first team, then the team's first role);
//! - money is decimal and rounded to the currency's minor unit once per line.
//!
//! Pages (`--incidents`) pay a fixed amount each, in cash whatever the mode:
//! `sleeping` inside sleeping hours, otherwise `out_of_hours` outside business
//! hours (weekends and holidays are outside business hours all day).
//!
//! The result is a [`CompReport`]: data only. The command line renders it as
//! CSV, JSON or tables.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

use crate::input::diagnostic::{Diagnostic, LoadError};
use crate::input::suggest::did_you_mean;
use crate::model::time::{day_kind, resolve_local, start_of_day, DayKind};
use crate::model::{Compensation, DailyWindow, PersonIdx, TeamIdx, Workspace};
use crate::schedule::timeline::Timeline;

/// A pay period: the local days `from` up to, not including, `to`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct PayPeriod {
    /// First day paid.
    pub from: NaiveDate,
    /// First day not paid.
    pub to: NaiveDate,
}

impl PayPeriod {
    /// The period's bounds as instants in `tz`: midnight of `from` and of `to`.
    pub fn bounds(&self, tz: Tz) -> (DateTime<Utc>, DateTime<Utc>) {
        (start_of_day(tz, self.from), start_of_day(tz, self.to))
    }
}

/// One page of an engineer (a row of the incidents CSV).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Incident {
    /// When the page went out.
    pub time: DateTime<Utc>,
    /// Who was paged.
    pub person: PersonIdx,
    /// For which team.
    pub team: TeamIdx,
}

/// A pay code of the HR report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PayCode {
    /// On-call hours on weekdays.
    Weekday,
    /// On-call hours on weekends.
    Weekend,
    /// On-call hours on holidays of the engineer's region.
    Holiday,
    /// Days off in lieu.
    Toil,
    /// Pages outside business hours.
    Incident,
}

impl PayCode {
    /// The code as written in the report, e.g. `WEEKEND`.
    pub fn as_str(self) -> &'static str {
        match self {
            PayCode::Weekday => "WEEKDAY",
            PayCode::Weekend => "WEEKEND",
            PayCode::Holiday => "HOLIDAY",
            PayCode::Toil => "TOIL",
            PayCode::Incident => "INCIDENT",
        }
    }

    fn of(kind: DayKind) -> PayCode {
        match kind {
            DayKind::Weekday => PayCode::Weekday,
            DayKind::Weekend => PayCode::Weekend,
            DayKind::Holiday => PayCode::Holiday,
        }
    }
}

/// One line of the report: one person × team × role × pay code.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PayLine {
    /// The person's id.
    pub employee_id: String,
    /// Display name.
    pub name: String,
    /// E-mail address.
    pub email: String,
    /// The team id.
    pub team: String,
    /// The role name; empty for a page while the person held no role.
    pub role: String,
    /// The pay code.
    pub code: PayCode,
    /// Exact on-call seconds (for `TOIL`, on the days that earn time off;
    /// 0 for `INCIDENT`).
    pub seconds: i64,
    /// On-call hours, `seconds / 3600` to 4 decimals.
    pub hours: Decimal,
    /// Days: on-call days (each day's hours over its real length) for the
    /// day codes, days off in lieu for `TOIL`; 6 decimals.
    pub days: Decimal,
    /// Pay per day, role multiplier included (per page for `INCIDENT` when all
    /// pages paid alike); `None` when the line pays no money at a single rate.
    pub rate: Option<Decimal>,
    /// Money, rounded once to the currency's minor unit.
    pub amount: Decimal,
    /// Pages paid (`INCIDENT` only).
    pub pages: u32,
    /// The currency code.
    pub currency: String,
}

/// Per-person totals, including the fairness view of who carries the
/// weekends, holidays and nights.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PersonSummary {
    /// The person's id.
    pub employee_id: String,
    /// Display name.
    pub name: String,
    /// Exact on-call seconds in the period, every team and role.
    pub seconds: i64,
    /// On-call hours, 4 decimals.
    pub hours: Decimal,
    /// Money, the sum of the person's lines.
    pub amount: Decimal,
    /// Days off in lieu earned.
    pub time_off_days: Decimal,
    /// Weekend days carried (day fractions, 6 decimals).
    pub weekend_days: Decimal,
    /// Holiday days carried (day fractions, 6 decimals).
    pub holiday_days: Decimal,
    /// Hours on call inside sleeping hours (22:00-07:00 unless
    /// `[compensation.incidents]` says otherwise), 4 decimals.
    pub night_hours: Decimal,
    /// Pages received.
    pub pages: u32,
}

/// The compensation report of one pay period.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CompReport {
    /// The period.
    pub period: PayPeriod,
    /// The currency code.
    pub currency: String,
    /// Its decimals (2 for USD, 0 for JPY).
    pub minor_units: u32,
    /// One line per person × team × role × code, in roster, team, role and
    /// code order.
    pub lines: Vec<PayLine>,
    /// One summary per person with time on call or pages, in roster order.
    pub people: Vec<PersonSummary>,
}

impl CompReport {
    /// The total money of the report.
    pub fn total(&self) -> Decimal {
        let sum: Decimal = self.lines.iter().map(|l| l.amount).sum();
        round_money(sum, self.minor_units)
    }
}

/// Why a report cannot be made.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CompError {
    /// There is no `[compensation]` section.
    #[error("oncall.toml has no [compensation] section; add one with `currency`, `mode` and `[compensation.rates]` (see the README)")]
    NoPolicy,
    /// Pages were given but incident pay is not configured.
    #[error("pages were given but oncall.toml has no [compensation.incidents]; add `out_of_hours` and `sleeping` amounts there")]
    NoIncidentPay,
    /// The period is empty or backwards.
    #[error("the pay period {from}..{to} is empty; --to is the first day not paid and must come after --from")]
    EmptyPeriod {
        /// First day.
        from: NaiveDate,
        /// First day after.
        to: NaiveDate,
    },
    /// A timeline names someone who is not in `people.csv`.
    #[error("team `{team}` has `{person}` on call, who is not in people.csv; keep leavers in people.csv with a `left` date so their shifts can be paid")]
    UnknownPerson {
        /// The team id.
        team: String,
        /// The person id.
        person: String,
    },
    /// An amount is too large for exact decimal arithmetic.
    #[error("the pay amounts are too large to add up exactly; check the rates and multipliers in oncall.toml")]
    Overflow,
}

/// A stretch of time paid to one person for one team and role.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaidSpan {
    /// The team.
    pub team: TeamIdx,
    /// The role name.
    pub role: String,
    /// Start.
    pub start: DateTime<Utc>,
    /// End (exclusive).
    pub end: DateTime<Utc>,
}

/// Which of two overlapping pieces is paid: lower wins (highest multiplier,
/// then team order, then role order).
type Priority = (std::cmp::Reverse<Decimal>, usize, usize);

/// A line's key: team index, role order in the team, role name.
type LineKey = (usize, usize, String);

/// Paid pages of one line: count, total and each amount.
type Pages = (u32, Decimal, Vec<Decimal>);

/// The spans `person` is paid for inside `[from, to)`: the person's segments
/// of every timeline, clipped, with overlaps paid once (the role with the
/// highest multiplier wins, ties to the first team, then the team's first
/// role). The result is sorted and non-overlapping.
pub fn paid_spans(
    ws: &Workspace,
    comp: &Compensation,
    timelines: &[(TeamIdx, Timeline)],
    person: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<PaidSpan> {
    // Candidate pieces with their priority key (lower wins).
    let mut pieces: Vec<(Priority, PaidSpan)> = Vec::new();
    for (team, tl) in timelines {
        let t = ws.team(*team);
        for s in tl.of_person(person) {
            let (start, end) = (s.start.max(from), s.end.min(to));
            if start >= end {
                continue;
            }
            let role_order = t.role_by_name(&s.role).map_or(usize::MAX, |r| r.0);
            let key = (
                std::cmp::Reverse(comp.role_multiplier(&s.role)),
                team.0,
                role_order,
            );
            pieces.push((
                key,
                PaidSpan {
                    team: *team,
                    role: s.role.clone(),
                    start,
                    end,
                },
            ));
        }
    }
    let mut cuts: Vec<DateTime<Utc>> = pieces.iter().flat_map(|(_, p)| [p.start, p.end]).collect();
    cuts.sort();
    cuts.dedup();
    let mut out: Vec<PaidSpan> = Vec::new();
    for w in cuts.windows(2) {
        let (a, b) = (w[0], w[1]);
        let best = pieces
            .iter()
            .filter(|(_, p)| p.start <= a && b <= p.end)
            .min_by(|x, y| x.0.cmp(&y.0));
        let Some((_, p)) = best else { continue };
        match out.last_mut() {
            Some(last) if last.end == a && last.team == p.team && last.role == p.role => {
                last.end = b;
            }
            _ => out.push(PaidSpan {
                team: p.team,
                role: p.role.clone(),
                start: a,
                end: b,
            }),
        }
    }
    out
}

/// Seconds of `[start, end)` on each local date of `tz`, with the length of
/// that date in seconds (82,800, 86,400 or 90,000 around DST changes).
pub fn seconds_by_local_day(
    tz: Tz,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Vec<(NaiveDate, i64, i64)> {
    let mut out = Vec::new();
    let mut day = start.with_timezone(&tz).date_naive();
    let mut cursor = start;
    while cursor < end {
        let Some(next) = day.succ_opt() else { break };
        let (day_start, day_end) = (start_of_day(tz, day), start_of_day(tz, next));
        let piece_end = day_end.min(end);
        if piece_end > cursor {
            out.push((
                day,
                (piece_end - cursor).num_seconds(),
                (day_end - day_start).num_seconds(),
            ));
            cursor = piece_end;
        }
        day = next;
    }
    out
}

/// Seconds of `[start, end)` inside a daily window of `tz`.
fn seconds_in_window(tz: Tz, window: DailyWindow, start: DateTime<Utc>, end: DateTime<Utc>) -> i64 {
    let first = start.with_timezone(&tz).date_naive() - Duration::days(1);
    let last = end.with_timezone(&tz).date_naive();
    let mut total = 0;
    let mut day = first;
    while day <= last {
        let close_day = if window.end <= window.start {
            day + Duration::days(1)
        } else {
            day
        };
        let ws = resolve_local(tz, day.and_time(window.start));
        let we = resolve_local(tz, close_day.and_time(window.end));
        let (a, b) = (ws.max(start), we.min(end));
        if a < b {
            total += (b - a).num_seconds();
        }
        day += Duration::days(1);
    }
    total
}

/// Rounds money to `minor` decimals, halves away from zero, and writes it
/// with exactly that many (`100.00`, or `100` for JPY).
pub fn round_money(amount: Decimal, minor: u32) -> Decimal {
    let mut r = amount.round_dp_with_strategy(minor, RoundingStrategy::MidpointAwayFromZero);
    r.rescale(minor);
    r
}

/// `a × b`, or [`CompError::Overflow`].
fn mul(a: Decimal, b: Decimal) -> Result<Decimal, CompError> {
    a.checked_mul(b).ok_or(CompError::Overflow)
}

/// `a + b`, or [`CompError::Overflow`].
fn add(a: Decimal, b: Decimal) -> Result<Decimal, CompError> {
    a.checked_add(b).ok_or(CompError::Overflow)
}

fn hours_of(seconds: i64) -> Decimal {
    (Decimal::from(seconds) / Decimal::from(3600))
        .round_dp(4)
        .normalize()
}

/// A rate with at least the currency's decimals (`25.00`, not `25`).
fn rate_of(rate: Decimal, minor: u32) -> Decimal {
    let mut r = rate.normalize();
    if r.scale() < minor {
        r.rescale(minor);
    }
    r
}

fn days_of(days: Decimal) -> Decimal {
    days.round_dp(DAYS_DP).normalize()
}

const DAYS_DP: u32 = 6;

#[derive(Default)]
struct Acc {
    seconds: i64,
    days: Decimal,
}

/// Sleeping hours for the fairness view when incident pay sets none.
fn default_sleeping_hours() -> DailyWindow {
    DailyWindow {
        start: chrono::NaiveTime::from_hms_opt(22, 0, 0).unwrap_or_default(),
        end: chrono::NaiveTime::from_hms_opt(7, 0, 0).unwrap_or_default(),
    }
}

/// The compensation report of `period` from the resolved timelines of some
/// teams, with pay for `incidents`.
///
/// # Errors
/// No `[compensation]`, pages without `[compensation.incidents]`, an empty
/// period, a timeline naming someone not in the roster, or amounts too large
/// for exact arithmetic.
pub fn report(
    ws: &Workspace,
    timelines: &[(TeamIdx, Timeline)],
    period: PayPeriod,
    incidents: &[Incident],
) -> Result<CompReport, CompError> {
    let comp = ws.org.compensation.as_ref().ok_or(CompError::NoPolicy)?;
    if period.to <= period.from {
        return Err(CompError::EmptyPeriod {
            from: period.from,
            to: period.to,
        });
    }
    if !incidents.is_empty() && comp.incidents.is_none() {
        return Err(CompError::NoIncidentPay);
    }
    for (team, tl) in timelines {
        if let Some(s) = tl
            .segments
            .iter()
            .find(|s| ws.person_by_id(&s.person).is_none())
        {
            return Err(CompError::UnknownPerson {
                team: ws.team(*team).id.clone(),
                person: s.person.clone(),
            });
        }
    }
    let sleeping = comp
        .incidents
        .map_or_else(default_sleeping_hours, |i| i.sleeping_hours);
    let money = |x: Decimal| round_money(x, comp.minor_units);
    let mut lines = Vec::new();
    let mut people = Vec::new();
    for (pi, person) in ws.people.iter().enumerate() {
        let tz = person.timezone;
        let (from, to) = period.bounds(tz);
        let policy = comp.policy_for(person.region.as_deref());
        let holidays = ws.holidays(person.region.as_deref());
        let spans = paid_spans(ws, comp, timelines, &person.id, from, to);

        // (team, role order, role) -> kind -> accumulated.
        let mut acc: BTreeMap<LineKey, BTreeMap<DayKind, Acc>> = BTreeMap::new();
        let mut night = 0i64;
        for span in &spans {
            let order = ws
                .team(span.team)
                .role_by_name(&span.role)
                .map_or(usize::MAX, |r| r.0);
            let by_kind = acc
                .entry((span.team.0, order, span.role.clone()))
                .or_default();
            for (date, secs, len) in seconds_by_local_day(tz, span.start, span.end) {
                let a = by_kind.entry(day_kind(date, holidays)).or_default();
                a.seconds += secs;
                a.days += Decimal::from(secs) / Decimal::from(len);
            }
            night += seconds_in_window(tz, sleeping, span.start, span.end);
        }

        // Pages, by (team, role).
        let mut pages: BTreeMap<LineKey, Pages> = BTreeMap::new();
        if let Some(pay) = &comp.incidents {
            for inc in incidents.iter().filter(|i| i.person.0 == pi) {
                if inc.time < from || inc.time >= to {
                    continue;
                }
                let role = spans
                    .iter()
                    .find(|s| s.team == inc.team && s.start <= inc.time && inc.time < s.end)
                    .map(|s| s.role.clone())
                    .or_else(|| {
                        timelines
                            .iter()
                            .filter(|(t, _)| *t == inc.team)
                            .flat_map(|(_, tl)| tl.at(inc.time))
                            .find(|s| s.person == person.id)
                            .map(|s| s.role.clone())
                    })
                    .unwrap_or_default();
                let order = ws
                    .team(inc.team)
                    .role_by_name(&role)
                    .map_or(usize::MAX, |r| r.0);
                let local = inc.time.with_timezone(&tz);
                let kind = day_kind(local.date_naive(), holidays);
                let at = local.time();
                let amount = if pay.sleeping_hours.contains(at) {
                    Some(pay.sleeping)
                } else if kind != DayKind::Weekday || !pay.business_hours.contains(at) {
                    Some(pay.out_of_hours)
                } else {
                    None
                };
                let entry = pages.entry((inc.team.0, order, role)).or_default();
                if let Some(a) = amount {
                    entry.0 = entry.0.saturating_add(1);
                    entry.1 = add(entry.1, a)?;
                    entry.2.push(a);
                }
            }
        }

        if acc.is_empty() && pages.is_empty() {
            continue;
        }
        let line = |team: usize, role: &str, code: PayCode| PayLine {
            employee_id: person.id.clone(),
            name: person.name.clone(),
            email: person.email.clone(),
            team: ws.teams.get(team).map(|t| t.id.clone()).unwrap_or_default(),
            role: role.to_string(),
            code,
            seconds: 0,
            hours: Decimal::ZERO,
            days: Decimal::ZERO,
            rate: None,
            amount: money(Decimal::ZERO),
            pages: 0,
            currency: comp.currency.clone(),
        };
        let mut summary = PersonSummary {
            employee_id: person.id.clone(),
            name: person.name.clone(),
            seconds: 0,
            hours: Decimal::ZERO,
            amount: money(Decimal::ZERO),
            time_off_days: Decimal::ZERO,
            weekend_days: Decimal::ZERO,
            holiday_days: Decimal::ZERO,
            night_hours: hours_of(night),
            pages: 0,
        };
        let mut weekend = Decimal::ZERO;
        let mut holiday = Decimal::ZERO;
        let keys: Vec<(usize, usize, String)> = acc
            .keys()
            .chain(pages.keys())
            .cloned()
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        for key in keys {
            let (team, _, role) = &key;
            let multiplier = comp.role_multiplier(role);
            if let Some(by_kind) = acc.get(&key) {
                let mut toil = Decimal::ZERO;
                let mut toil_seconds = 0;
                for (kind, a) in by_kind {
                    let mut l = line(*team, role, PayCode::of(*kind));
                    l.seconds = a.seconds;
                    l.hours = hours_of(a.seconds);
                    l.days = days_of(a.days);
                    if policy.mode.pays_cash() {
                        let rate =
                            rate_of(mul(policy.rates.get(*kind), multiplier)?, comp.minor_units);
                        l.rate = Some(rate);
                        l.amount = money(mul(a.days, rate)?);
                    }
                    summary.seconds += a.seconds;
                    summary.amount = add(summary.amount, l.amount)?;
                    match kind {
                        DayKind::Weekend => weekend += a.days,
                        DayKind::Holiday => holiday += a.days,
                        DayKind::Weekday => {}
                    }
                    let per_day = policy.time_off.get(*kind);
                    if policy.mode.earns_time_off() && !per_day.is_zero() {
                        toil = add(toil, mul(a.days, per_day)?)?;
                        toil_seconds += a.seconds;
                    }
                    lines.push(l);
                }
                if toil_seconds > 0 {
                    let mut l = line(*team, role, PayCode::Toil);
                    l.seconds = toil_seconds;
                    l.hours = hours_of(toil_seconds);
                    l.days = days_of(toil);
                    summary.time_off_days += l.days;
                    lines.push(l);
                }
            }
            if let Some((count, total, amounts)) = pages.get(&key) {
                if *count > 0 {
                    let mut l = line(*team, role, PayCode::Incident);
                    l.pages = *count;
                    l.amount = money(*total);
                    l.rate = amounts
                        .first()
                        .filter(|first| amounts.iter().all(|a| a == *first))
                        .map(|r| rate_of(*r, comp.minor_units));
                    summary.amount = add(summary.amount, l.amount)?;
                    summary.pages = summary.pages.saturating_add(*count);
                    lines.push(l);
                }
            }
        }
        summary.hours = hours_of(summary.seconds);
        summary.weekend_days = days_of(weekend);
        summary.holiday_days = days_of(holiday);
        people.push(summary);
    }
    // Every line's amount adds up, so [`CompReport::total`] cannot overflow.
    lines
        .iter()
        .try_fold(Decimal::ZERO, |t, l| add(t, l.amount))?;
    Ok(CompReport {
        period,
        currency: comp.currency.clone(),
        minor_units: comp.minor_units,
        lines,
        people,
    })
}

/// Reads an incidents CSV (`time,person,team`; `time` in RFC 3339, e.g.
/// `2027-01-09T03:12:00Z`). `rel` names the file in messages. A row that
/// repeats the time (as an instant), person and team of an earlier row is
/// refused: each row pays one page.
///
/// # Errors
/// Every bad row, naming the file, line and column, with a fix.
pub fn read_incidents(ws: &Workspace, rel: &Path, text: &str) -> Result<Vec<Incident>, LoadError> {
    let mut diags = Vec::new();
    let mut out = Vec::new();
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(text.as_bytes());
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(str::to_string).collect(),
        Err(e) => {
            return Err(LoadError {
                diagnostics: vec![Diagnostic::new(
                    rel,
                    1,
                    0,
                    format!("cannot read the header: {e}"),
                )
                .help("the first line must be `time,person,team`")],
            })
        }
    };
    let column = |name: &str| header.iter().position(|h| h == name);
    let (Some(ct), Some(cp), Some(cteam)) = (column("time"), column("person"), column("team"))
    else {
        return Err(LoadError {
            diagnostics: vec![Diagnostic::new(
                rel,
                1,
                1,
                format!("the header `{}` lacks a column", header.join(",")),
            )
            .help("the first line must be `time,person,team`")],
        });
    };
    let ids: HashMap<&str, PersonIdx> = ws
        .people
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id.as_str(), PersonIdx(i)))
        .collect();
    let mut seen: HashMap<(DateTime<Utc>, PersonIdx, TeamIdx), usize> = HashMap::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                diags.push(Diagnostic::new(
                    rel,
                    line,
                    0,
                    format!("cannot read the row: {e}"),
                ));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line() as usize);
        if record.iter().all(str::is_empty) {
            continue;
        }
        let field = |i: usize| record.get(i).unwrap_or("");
        let time = match DateTime::parse_from_rfc3339(field(ct)) {
            Ok(t) => Some(t.with_timezone(&Utc)),
            Err(_) => {
                diags.push(
                    Diagnostic::new(rel, line, 0, format!("invalid time `{}` in column `time`", field(ct)))
                        .help("write the time in RFC 3339 with its offset, e.g. 2027-01-09T03:12:00Z or 2027-01-08T19:12:00-08:00"),
                );
                None
            }
        };
        let person = ids.get(field(cp)).copied();
        if person.is_none() {
            let d = Diagnostic::new(
                rel,
                line,
                0,
                format!("unknown person `{}` in column `person`", field(cp)),
            );
            let ids = ws.people.iter().map(|p| p.id.as_str());
            diags.push(match did_you_mean(field(cp), ids) {
                Some(s) => d.help(format!("did you mean `{s}`?")),
                None => d.help("use an id from people.csv"),
            });
        }
        let team = ws.team_by_id(field(cteam));
        if team.is_none() {
            let d = Diagnostic::new(
                rel,
                line,
                0,
                format!("unknown team `{}` in column `team`", field(cteam)),
            );
            let ids = ws.teams.iter().map(|t| t.id.as_str());
            diags.push(match did_you_mean(field(cteam), ids) {
                Some(s) => d.help(format!("did you mean `{s}`?")),
                None => d.help("use a team id (the file stem of teams/<team>.toml)"),
            });
        }
        if let (Some(time), Some(person), Some(team)) = (time, person, team) {
            if let Some(first) = seen.insert((time, person, team), line) {
                diags.push(duplicate_page(rel, line, first));
                continue;
            }
            out.push(Incident { time, person, team });
        }
    }
    if diags.is_empty() {
        Ok(out)
    } else {
        Err(LoadError { diagnostics: diags })
    }
}

/// A row that repeats an earlier page: the same instant, person and team.
fn duplicate_page(rel: &Path, line: usize, first: usize) -> Diagnostic {
    Diagnostic::new(
        rel,
        line,
        1,
        format!("duplicate page: the same time, person and team as line {first}"),
    )
    .help("each row pays one page; remove the repeated row")
}
