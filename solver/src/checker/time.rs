//! The checker's own civil time, deliberately plainer than the optimiser's:
//! wall-clock times become instants by walking UTC forward, and loads are
//! summed minute by minute, each minute weighed by the kind of its local day.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, Utc, Weekday};
use chrono_tz::Tz;

use crate::model::{Team, Workspace};

/// The instant a wall-clock time names in `tz` (docs/design.md §2): the first
/// instant at which the zone's clock reads `local` or later. That is the
/// earlier occurrence of an ambiguous time, and the end of the gap for a time
/// a spring-forward skips. Found by walking UTC forward a minute at a time from
/// well before, then a second at a time (old offsets are not whole minutes).
/// A whole hour whose clock runs on evenly (no change of offset inside) and
/// still reads before `local` at its end is passed in one step: no instant
/// inside it can read `local` or later, so the walk finds the same instant.
pub(super) fn wall_clock_instant(tz: Tz, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    let clock = |t: DateTime<Utc>| t.with_timezone(&tz).naive_local();
    // Every offset lies within ±15 hours of UTC.
    let earliest = local.checked_sub_signed(Duration::hours(16))?.and_utc();
    let earliest = DateTime::from_timestamp(earliest.timestamp().div_euclid(60) * 60, 0)?;
    let mut t = earliest;
    while clock(t) < local {
        let hour_on = t.checked_add_signed(Duration::hours(1))?;
        let even = clock(hour_on) - clock(t) == Duration::hours(1);
        t = if even && clock(hour_on) < local {
            hour_on
        } else {
            t.checked_add_signed(Duration::minutes(1))?
        };
        if t - earliest > Duration::hours(48) {
            return None;
        }
    }
    let mut s = t.checked_sub_signed(Duration::minutes(1))?;
    while clock(s) < local && s < t {
        s += Duration::seconds(1);
    }
    Some(s)
}

/// Σ over the real elapsed time of `[start, end)` of the weight of each
/// minute's local day in `tz`, in days (÷ 24 hours). Steps end on whole UTC
/// minutes, where every local midnight of a modern zone falls. A whole hour
/// whose clock runs on evenly (no change of offset inside) and reads the same
/// local day at both ends lies in that day: it is counted in one step.
pub(super) fn weighted_days(
    tz: Tz,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    weight_of_day: impl Fn(NaiveDate) -> f64,
) -> f64 {
    let clock = |t: DateTime<Utc>| t.with_timezone(&tz).naive_local();
    // Whole seconds per local day, exactly, then weighed once per day.
    let mut seconds_by_day: BTreeMap<NaiveDate, i64> = BTreeMap::new();
    let mut t = start;
    while t < end {
        let Some(step_end) = next_step(t, end, clock) else {
            break;
        };
        let day = clock(t).date();
        *seconds_by_day.entry(day).or_insert(0) += (step_end - t).num_seconds();
        t = step_end;
    }
    seconds_by_day
        .into_iter()
        .map(|(day, seconds)| weight_of_day(day) * seconds as f64)
        .sum::<f64>()
        / 3600.0
        / 24.0
}

/// Where a step of [`weighted_days`] from `t` ends: an hour on when all of
/// it lies in one local day before `end`, else the next whole UTC minute (or
/// `end`).
fn next_step(
    t: DateTime<Utc>,
    end: DateTime<Utc>,
    clock: impl Fn(DateTime<Utc>) -> NaiveDateTime,
) -> Option<DateTime<Utc>> {
    let whole_minute = t.timestamp().rem_euclid(60) == 0 && t.timestamp_subsec_nanos() == 0;
    if whole_minute {
        if let Some(hour_on) = t.checked_add_signed(Duration::hours(1)) {
            let (from, to) = (clock(t), clock(hour_on));
            if hour_on <= end && to - from == Duration::hours(1) && to.date() == from.date() {
                return Some(hour_on);
            }
        }
    }
    let next_minute = DateTime::from_timestamp((t.timestamp().div_euclid(60) + 1) * 60, 0)?;
    Some(next_minute.min(end))
}

/// RFC 3339 in UTC with a `Z`, as plans write instants.
pub(super) fn rfc3339(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A weekday's lowercase English name.
pub(super) fn day_name(d: Weekday) -> &'static str {
    match d {
        Weekday::Mon => "monday",
        Weekday::Tue => "tuesday",
        Weekday::Wed => "wednesday",
        Weekday::Thu => "thursday",
        Weekday::Fri => "friday",
        Weekday::Sat => "saturday",
        Weekday::Sun => "sunday",
    }
}

/// The load weight of a local date for `team`: holiday of its region, then
/// weekend, then weekday (docs/design.md §3).
pub(super) fn day_weights<'a>(
    ws: &'a Workspace,
    team: &'a Team,
) -> impl Fn(NaiveDate) -> f64 + Copy + 'a {
    let holidays = team
        .holidays
        .as_ref()
        .and_then(|region| ws.org.holidays.get(region));
    move |date: NaiveDate| {
        if holidays.is_some_and(|h| h.contains_key(&date)) {
            ws.org.load.holiday
        } else if matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
            ws.org.load.weekend
        } else {
            ws.org.load.weekday
        }
    }
}
