//! The report of one pay period from the resolved timelines: who is paid
//! which hours, day by local day, and the lines and summaries they make.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use rust_decimal::{Decimal, RoundingStrategy};

use super::{
    CompError, CompReport, Incident, OffCallPage, PaidSpan, PayCode, PayLine, PayPeriod,
    PersonSummary,
};
use crate::model::time::{day_kind, resolve_local, start_of_day, DayKind};
use crate::model::{Compensation, DailyWindow, TeamIdx, Workspace};
use crate::schedule::timeline::Timeline;

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

/// Seconds on call of one kind of day, kept exactly: the seconds of each
/// day length (82,800, 86,400, 90,000, or another a zone's rules give), so
/// that a day fraction is only ever divided once, where it is used. Dividing
/// early (11 h / 24 h = 0.4583…) and multiplying later loses the half cent
/// that rounding then needs.
#[derive(Default)]
struct Acc {
    seconds: i64,
    by_length: BTreeMap<i64, i64>,
}

impl Acc {
    fn add(&mut self, seconds: i64, day_length: i64) {
        self.seconds += seconds;
        *self.by_length.entry(day_length).or_default() += seconds;
    }

    /// The on-call days as an exact fraction `(numerator, denominator)`.
    fn fraction(&self) -> (i128, i128) {
        let den = self
            .by_length
            .keys()
            .fold(1i128, |l, &len| lcm(l, i128::from(len.max(1))));
        let num = self
            .by_length
            .iter()
            .map(|(&len, &secs)| i128::from(secs) * (den / i128::from(len.max(1))))
            .sum();
        (num, den)
    }

    /// `days × factor`, with one division.
    fn times(&self, factor: Decimal) -> Result<Decimal, CompError> {
        let (num, den) = self.fraction();
        let num = Decimal::try_from_i128_with_scale(num, 0).map_err(|_| CompError::Overflow)?;
        let den = Decimal::try_from_i128_with_scale(den, 0).map_err(|_| CompError::Overflow)?;
        mul(num, factor)?
            .checked_div(den)
            .ok_or(CompError::Overflow)
    }

    /// The on-call days, for display.
    fn days(&self) -> Result<Decimal, CompError> {
        self.times(Decimal::ONE)
    }
}

fn gcd(a: i128, b: i128) -> i128 {
    if b == 0 {
        a.abs()
    } else {
        gcd(b, a % b)
    }
}

fn lcm(a: i128, b: i128) -> i128 {
    a / gcd(a, b) * b
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
/// period, or a timeline naming someone not in the roster.
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
    let mut off_call: Vec<OffCallPage> = Vec::new();
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
                by_kind
                    .entry(day_kind(date, holidays))
                    .or_default()
                    .add(secs, len);
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
                if role.is_empty() {
                    off_call.push(OffCallPage {
                        employee_id: person.id.clone(),
                        name: person.name.clone(),
                        team: ws.team(inc.team).id.clone(),
                        time: inc.time,
                        reason: format!("held no role of {} at the time", ws.team(inc.team).id),
                        paid: pay.pay_off_call,
                    });
                    if !pay.pay_off_call {
                        continue;
                    }
                }
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
            adjusts: None,
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
                    let days = a.days()?;
                    l.days = days_of(days);
                    if policy.mode.pays_cash() {
                        let rate =
                            rate_of(mul(policy.rates.get(*kind), multiplier)?, comp.minor_units);
                        l.rate = Some(rate);
                        l.amount = money(a.times(rate)?);
                    }
                    summary.seconds += a.seconds;
                    summary.amount = add(summary.amount, l.amount)?;
                    match kind {
                        DayKind::Weekend => weekend += days,
                        DayKind::Holiday => holiday += days,
                        DayKind::Weekday => {}
                    }
                    let per_day = policy.time_off.get(*kind);
                    if policy.mode.earns_time_off() && !per_day.is_zero() {
                        toil = add(toil, a.times(per_day)?)?;
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
    off_call.sort_by(|a, b| (a.time, &a.employee_id).cmp(&(b.time, &b.employee_id)));
    Ok(CompReport {
        period,
        currency: comp.currency.clone(),
        minor_units: comp.minor_units,
        lines,
        people,
        off_call_pages: off_call,
    })
}
