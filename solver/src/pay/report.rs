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
use crate::model::{Compensation, DailyWindow, IncidentPay, Person, TeamIdx, Workspace};
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
    report_at(ws, timelines, period, incidents, None)
}

/// The rate each line of a closed period was paid at, by person, team, role
/// and pay code; a key paid at more than one rate is left out.
pub type PaidRates = BTreeMap<(String, String, String, PayCode), Decimal>;

/// The rates of `lines` (a closed period's own lines), as [`PaidRates`].
pub fn paid_rates(lines: &[PayLine]) -> PaidRates {
    let mut out = PaidRates::new();
    let mut mixed = std::collections::BTreeSet::new();
    for l in lines.iter().filter(|l| l.adjusts.is_none()) {
        let Some(rate) = l.rate else { continue };
        let key = (
            l.employee_id.clone(),
            l.team.clone(),
            l.role.clone(),
            l.code,
        );
        if out.get(&key).is_some_and(|r| *r != rate) {
            mixed.insert(key.clone());
        }
        out.insert(key, rate);
    }
    out.retain(|k, _| !mixed.contains(k));
    out
}

/// [`report`], with every line whose key is in `paid` priced at that rate
/// instead of the policy's: a closed period recomputed keeps what it paid.
///
/// # Errors
/// As [`report`].
pub fn report_at(
    ws: &Workspace,
    timelines: &[(TeamIdx, Timeline)],
    period: PayPeriod,
    incidents: &[Incident],
    paid: Option<&PaidRates>,
) -> Result<CompReport, CompError> {
    let comp = admissible(ws, timelines, period, incidents)?;
    let run = Run {
        ws,
        paid,
        comp,
        timelines,
        incidents,
        sleeping: comp
            .incidents
            .map_or_else(default_sleeping_hours, |i| i.sleeping_hours),
    };
    let mut lines = Vec::new();
    let mut people = Vec::new();
    let mut off_call: Vec<OffCallPage> = Vec::new();
    for (pi, person) in ws.people.iter().enumerate() {
        let tz = person.timezone;
        let (from, to) = period.bounds(tz);
        let you = You {
            index: pi,
            person,
            holidays: ws.holidays(person.region.as_deref()),
            spans: paid_spans(ws, comp, timelines, &person.id, from, to),
            from,
            to,
        };
        let (acc, night) = run.time_on_call(&you);
        let pages = run.pages(&you, &mut off_call)?;
        if acc.is_empty() && pages.is_empty() {
            continue;
        }
        people.push(run.lines(&you, &acc, &pages, night, &mut lines)?);
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

/// The policy, once the inputs are known to make a report.
fn admissible<'a>(
    ws: &'a Workspace,
    timelines: &[(TeamIdx, Timeline)],
    period: PayPeriod,
    incidents: &[Incident],
) -> Result<&'a Compensation, CompError> {
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
    Ok(comp)
}

/// What one report reads, for every person.
struct Run<'a> {
    ws: &'a Workspace,
    /// Recomputing a closed period: the rate each of its lines was paid at.
    paid: Option<&'a PaidRates>,
    comp: &'a Compensation,
    timelines: &'a [(TeamIdx, Timeline)],
    incidents: &'a [Incident],
    sleeping: DailyWindow,
}

/// One person inside the period, in their own zone.
struct You<'a> {
    index: usize,
    person: &'a Person,
    holidays: Option<&'a BTreeMap<NaiveDate, String>>,
    spans: Vec<PaidSpan>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
}

/// Seconds on call by line, then by the policy version in force (see
/// [`Compensation::version_on`]) and kind of day.
type TimeByLine = BTreeMap<LineKey, BTreeMap<(usize, DayKind), Acc>>;

impl Run<'_> {
    fn order(&self, team: TeamIdx, role: &str) -> usize {
        self.ws
            .team(team)
            .role_by_name(role)
            .map_or(usize::MAX, |r| r.0)
    }

    /// The person's paid seconds by (team, role) and kind of day, and their
    /// seconds inside the sleeping hours.
    fn time_on_call(&self, you: &You<'_>) -> (TimeByLine, i64) {
        let tz = you.person.timezone;
        let mut acc = TimeByLine::new();
        let mut night = 0i64;
        for span in &you.spans {
            let key = (
                span.team.0,
                self.order(span.team, &span.role),
                span.role.clone(),
            );
            let by_kind = acc.entry(key).or_default();
            for (date, secs, len) in seconds_by_local_day(tz, span.start, span.end) {
                let version = self.comp.version_on(date);
                by_kind
                    .entry((version, day_kind(date, you.holidays)))
                    .or_default()
                    .add(secs, len);
            }
            night += seconds_in_window(tz, self.sleeping, span.start, span.end);
        }
        (acc, night)
    }

    /// The person's paid pages by (team, role); a page while holding no role
    /// is listed in `off_call`, and paid only if the policy says so.
    fn pages(
        &self,
        you: &You<'_>,
        off_call: &mut Vec<OffCallPage>,
    ) -> Result<BTreeMap<LineKey, Pages>, CompError> {
        let mut pages: BTreeMap<LineKey, Pages> = BTreeMap::new();
        let Some(pay) = &self.comp.incidents else {
            return Ok(pages);
        };
        let mine = self
            .incidents
            .iter()
            .filter(|i| i.person.0 == you.index && you.from <= i.time && i.time < you.to);
        for inc in mine {
            let role = self.role_at(you, inc);
            if role.is_empty() {
                let team = &self.ws.team(inc.team).id;
                off_call.push(OffCallPage {
                    employee_id: you.person.id.clone(),
                    name: you.person.name.clone(),
                    team: team.clone(),
                    time: inc.time,
                    reason: format!("held no role of {team} at the time"),
                    paid: pay.pay_off_call,
                });
                if !pay.pay_off_call {
                    continue;
                }
            }
            let local = inc.time.with_timezone(&you.person.timezone);
            let amount = page_amount(
                pay,
                day_kind(local.date_naive(), you.holidays),
                local.time(),
            );
            let key = (inc.team.0, self.order(inc.team, &role), role);
            let entry = pages.entry(key).or_default();
            if let Some(a) = amount {
                entry.0 = entry.0.saturating_add(1);
                entry.1 = add(entry.1, a)?;
                entry.2.push(a);
            }
        }
        Ok(pages)
    }

    /// The role the person held for the page's team when it went out: a
    /// paid span first, else the team's timeline; empty when none.
    fn role_at(&self, you: &You<'_>, inc: &Incident) -> String {
        you.spans
            .iter()
            .find(|s| s.team == inc.team && s.start <= inc.time && inc.time < s.end)
            .map(|s| s.role.clone())
            .or_else(|| {
                self.timelines
                    .iter()
                    .filter(|(t, _)| *t == inc.team)
                    .flat_map(|(_, tl)| tl.at(inc.time))
                    .find(|s| s.person == you.person.id)
                    .map(|s| s.role.clone())
            })
            .unwrap_or_default()
    }
}

/// What a page at local time `at` on a day of `kind` pays: the sleeping-hours
/// amount, the out-of-hours amount, or nothing inside business hours.
fn page_amount(pay: &IncidentPay, kind: DayKind, at: chrono::NaiveTime) -> Option<Decimal> {
    if pay.sleeping_hours.contains(at) {
        Some(pay.sleeping)
    } else if kind != DayKind::Weekday || !pay.business_hours.contains(at) {
        Some(pay.out_of_hours)
    } else {
        None
    }
}

impl Run<'_> {
    /// The person's lines, pushed onto `lines`, and their summary.
    fn lines(
        &self,
        you: &You<'_>,
        acc: &TimeByLine,
        pages: &BTreeMap<LineKey, Pages>,
        night: i64,
        lines: &mut Vec<PayLine>,
    ) -> Result<PersonSummary, CompError> {
        let mut sum = Summing::new(self, you, night);
        let keys: std::collections::BTreeSet<&LineKey> = acc.keys().chain(pages.keys()).collect();
        for key in keys {
            if let Some(by_kind) = acc.get(key) {
                self.time_lines(you, key, by_kind, &mut sum, lines)?;
            }
            if let Some(p) = pages.get(key).filter(|p| p.0 > 0) {
                let mut l = self.blank(you, key, PayCode::Incident);
                l.pages = p.0;
                l.amount = self.money(p.1);
                l.rate =
                    p.2.first()
                        .filter(|first| p.2.iter().all(|a| a == *first))
                        .map(|r| rate_of(*r, self.comp.minor_units));
                sum.out.amount = add(sum.out.amount, l.amount)?;
                sum.out.pages = sum.out.pages.saturating_add(p.0);
                lines.push(l);
            }
        }
        Ok(sum.finish())
    }

    /// One line per kind of day of one (team, role) and policy version,
    /// paid by the person's policy in force on those days and the role's
    /// multiplier (or, recomputing a closed period, the rate it was paid),
    /// and the line of days off they earn.
    fn time_lines(
        &self,
        you: &You<'_>,
        key: &LineKey,
        by_kind: &BTreeMap<(usize, DayKind), Acc>,
        sum: &mut Summing,
        lines: &mut Vec<PayLine>,
    ) -> Result<(), CompError> {
        let region = you.person.region.as_deref();
        let (mut toil, mut toil_seconds) = (Decimal::ZERO, 0);
        for (&(version, kind), a) in by_kind {
            let policy = self.comp.policy_in(version, region);
            let multiplier = self.comp.role_multiplier_in(version, &key.2);
            let mut l = self.blank(you, key, PayCode::of(kind));
            l.seconds = a.seconds;
            l.hours = hours_of(a.seconds);
            let days = a.days()?;
            l.days = days_of(days);
            if policy.mode.pays_cash() {
                let rate = mul(policy.rates.get(kind), multiplier)?;
                let rate = self
                    .paid_rate(&l)
                    .unwrap_or(rate_of(rate, self.comp.minor_units));
                l.rate = Some(rate);
                l.amount = self.money(a.times(rate)?);
            }
            sum.add(kind, a.seconds, days, l.amount)?;
            let per_day = policy.time_off.get(kind);
            if policy.mode.earns_time_off() && !per_day.is_zero() {
                toil = add(toil, a.times(per_day)?)?;
                toil_seconds += a.seconds;
            }
            lines.push(l);
        }
        if toil_seconds > 0 {
            let mut l = self.blank(you, key, PayCode::Toil);
            l.seconds = toil_seconds;
            l.hours = hours_of(toil_seconds);
            l.days = days_of(toil);
            sum.out.time_off_days += l.days;
            lines.push(l);
        }
        Ok(())
    }

    /// In a closed period recomputed, the one rate its line of the same
    /// person, team, role and code was paid at.
    fn paid_rate(&self, l: &PayLine) -> Option<Decimal> {
        self.paid
            .and_then(|p| {
                p.get(&(
                    l.employee_id.clone(),
                    l.team.clone(),
                    l.role.clone(),
                    l.code,
                ))
            })
            .copied()
    }

    fn money(&self, x: Decimal) -> Decimal {
        round_money(x, self.comp.minor_units)
    }

    /// A line of `code` for the person on `key`'s (team, role), all zero.
    fn blank(&self, you: &You<'_>, key: &LineKey, code: PayCode) -> PayLine {
        PayLine {
            employee_id: you.person.id.clone(),
            name: you.person.name.clone(),
            email: you.person.email.clone(),
            team: self
                .ws
                .teams
                .get(key.0)
                .map(|t| t.id.clone())
                .unwrap_or_default(),
            role: key.2.clone(),
            code,
            seconds: 0,
            hours: Decimal::ZERO,
            days: Decimal::ZERO,
            rate: None,
            amount: self.money(Decimal::ZERO),
            pages: 0,
            currency: self.comp.currency.clone(),
            adjusts: None,
        }
    }
}

/// A person's summary as their lines are made.
struct Summing {
    out: PersonSummary,
    weekend: Decimal,
    holiday: Decimal,
}

impl Summing {
    fn new(run: &Run<'_>, you: &You<'_>, night: i64) -> Self {
        Self {
            out: PersonSummary {
                employee_id: you.person.id.clone(),
                name: you.person.name.clone(),
                seconds: 0,
                hours: Decimal::ZERO,
                amount: run.money(Decimal::ZERO),
                time_off_days: Decimal::ZERO,
                weekend_days: Decimal::ZERO,
                holiday_days: Decimal::ZERO,
                night_hours: hours_of(night),
                pages: 0,
            },
            weekend: Decimal::ZERO,
            holiday: Decimal::ZERO,
        }
    }

    fn add(
        &mut self,
        kind: DayKind,
        seconds: i64,
        days: Decimal,
        amount: Decimal,
    ) -> Result<(), CompError> {
        self.out.seconds += seconds;
        self.out.amount = add(self.out.amount, amount)?;
        match kind {
            DayKind::Weekend => self.weekend += days,
            DayKind::Holiday => self.holiday += days,
            DayKind::Weekday => {}
        }
        Ok(())
    }

    fn finish(mut self) -> PersonSummary {
        self.out.hours = hours_of(self.out.seconds);
        self.out.weekend_days = days_of(self.weekend);
        self.out.holiday_days = days_of(self.holiday);
        self.out
    }
}
