//! Civil time: wall-clock times in a zone become instants here, and days are
//! classed as weekdays, weekends or holidays.

use std::collections::BTreeMap;

use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc, Weekday,
};
use chrono_tz::Tz;

/// The instant of a local wall-clock time in `tz`: a time in a spring-forward gap
/// moves to the first instant after the gap; an ambiguous time takes the first
/// occurrence.
pub fn resolve_local(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(first, _) => first.with_timezone(&Utc),
        LocalResult::None => {
            // Walk forward to the first wall-clock minute that exists again: that is
            // the transition instant. Gaps are at most a few hours (one day, for the
            // rare date-line jumps).
            let mut probe = local;
            for _ in 0..(26 * 60) {
                probe += Duration::minutes(1);
                match tz.from_local_datetime(&probe) {
                    LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => {
                        return t.with_timezone(&Utc);
                    }
                    LocalResult::None => {}
                }
            }
            // Unreachable for real zones; fall back to reading the time as UTC.
            local.and_utc()
        }
    }
}

/// Local midnight starting `date` in `tz`, as an instant.
pub fn start_of_day(tz: Tz, date: NaiveDate) -> DateTime<Utc> {
    resolve_local(tz, date.and_time(chrono::NaiveTime::MIN))
}

/// The kind of a day for load and pay.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DayKind {
    /// Monday to Friday.
    Weekday,
    /// Saturday or Sunday.
    Weekend,
    /// A holiday of the region (outranks a weekend).
    Holiday,
}

/// The kind of `date` given a holiday calendar.
pub fn day_kind(date: NaiveDate, holidays: Option<&BTreeMap<NaiveDate, String>>) -> DayKind {
    if holidays.is_some_and(|h| h.contains_key(&date)) {
        DayKind::Holiday
    } else if matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
        DayKind::Weekend
    } else {
        DayKind::Weekday
    }
}

/// Hours of `[start, end)` on each local date of `tz`, in date order.
pub fn hours_by_local_day(
    tz: Tz,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Vec<(NaiveDate, f64)> {
    let mut out = Vec::new();
    let mut day = start.with_timezone(&tz).date_naive();
    let mut cursor = start;
    while cursor < end {
        let Some(next) = day.succ_opt() else { break };
        let day_end = start_of_day(tz, next).min(end);
        if day_end > cursor {
            out.push((day, (day_end - cursor).num_seconds() as f64 / 3600.0));
            cursor = day_end;
        }
        day = next;
    }
    out
}

/// A time a user typed that is not one.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not a time; write 2027-01-09, 2027-01-09T18:00 (in {zone}) or 2027-01-09T18:00:00Z")]
pub struct TimeParseError {
    /// What was typed.
    pub text: String,
    /// The zone a wall-clock time is read in.
    pub zone: String,
}

/// Reads an instant a user typed: RFC 3339 with an offset, or a wall-clock
/// `YYYY-MM-DD` (midnight), `YYYY-MM-DDTHH:MM[:SS]` or `YYYY-MM-DD HH:MM` in
/// `tz`. A local time in a spring-forward gap moves to the end of the gap;
/// an ambiguous one takes the first occurrence (as handoffs do).
///
/// # Errors
/// Text that is none of these.
pub fn parse_instant(text: &str, tz: Tz) -> Result<DateTime<Utc>, TimeParseError> {
    let s = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    for fmt in ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"] {
        if let Ok(local) = NaiveDateTime::parse_from_str(s, fmt) {
            return Ok(resolve_local(tz, local));
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Ok(start_of_day(tz, d));
    }
    Err(TimeParseError {
        text: s.to_string(),
        zone: tz.name().to_string(),
    })
}
