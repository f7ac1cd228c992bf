//! Rotation weeks: wall-clock handoffs in the team's zone, and the load of a slot.
//!
//! Handoffs are civil times; they become instants here, once. A handoff that
//! falls in a spring-forward gap moves to the first instant after the gap, and
//! one in an autumn overlap takes the first occurrence (docs/design.md §2). Weeks are
//! therefore 167, 168 or 169 hours long.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};
use chrono_tz::Tz;

use crate::model::time::{day_kind, hours_by_local_day, resolve_local, DayKind};
use crate::model::{LoadWeights, Team};

/// One rotation week: `[start, end)` between two consecutive handoffs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Week {
    /// The local date (team zone) of the week's first handoff.
    pub first_day: NaiveDate,
    /// The local date (team zone) of the next handoff.
    pub next_day: NaiveDate,
    /// The first handoff instant.
    pub start: DateTime<Utc>,
    /// The next handoff instant.
    pub end: DateTime<Utc>,
}

impl Week {
    /// Length of the week in hours (167, 168 or 169 around DST changes).
    pub fn hours(&self) -> f64 {
        (self.end - self.start).num_seconds() as f64 / 3600.0
    }
}

/// Which weeks to plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HorizonSpec {
    /// The weeks whose first day falls in the quarter.
    Quarter {
        /// Year, e.g. 2027.
        year: i32,
        /// 1 to 4.
        quarter: u32,
    },
    /// `weeks` weeks from the first handoff on or after `from`.
    Weeks {
        /// The first possible handoff date.
        from: NaiveDate,
        /// Number of weeks.
        weeks: u32,
    },
}

/// A horizon that cannot be planned.
#[derive(Clone, Debug, thiserror::Error, PartialEq, Eq)]
pub enum HorizonError {
    /// The quarter is not 1 to 4 or the year is out of range.
    #[error("quarter {year}Q{quarter} does not exist; quarters are 1 to 4, e.g. 2027Q1")]
    BadQuarter {
        /// Year.
        year: i32,
        /// Quarter.
        quarter: u32,
    },
    /// Zero weeks or too many.
    #[error("cannot plan {0} weeks; plan between 1 and 520 weeks")]
    BadLength(u32),
    /// The dates run off chrono's calendar.
    #[error(
        "the dates run past the supported calendar ({})",
        crate::model::bounds::RANGE_TEXT
    )]
    OutOfRange,
    /// A handoff falls outside the supported range of time.
    #[error("{0}; plan an earlier horizon")]
    Unsupported(#[from] crate::model::bounds::OutOfSupportedRange),
}

impl std::str::FromStr for HorizonSpec {
    type Err = String;

    /// Parses `2027Q1` (case-insensitive) into a quarter.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let upper = s.trim().to_ascii_uppercase();
        let (year, quarter) = upper
            .split_once('Q')
            .ok_or_else(|| format!("`{s}` is not a quarter; write it like 2027Q1"))?;
        let year: i32 = year
            .parse()
            .map_err(|_| format!("`{s}` is not a quarter; write it like 2027Q1"))?;
        let quarter: u32 = quarter
            .parse()
            .map_err(|_| format!("`{s}` is not a quarter; write it like 2027Q1"))?;
        if !(1..=4).contains(&quarter) {
            return Err(format!("`{s}`: quarters are 1 to 4, e.g. {year}Q1"));
        }
        if !(1900..=9999).contains(&year) {
            return Err(format!(
                "`{s}`: the year must be 1900 to 9999 (the supported time range is {})",
                crate::model::bounds::RANGE_TEXT
            ));
        }
        Ok(HorizonSpec::Quarter { year, quarter })
    }
}

/// The first day and the number of weeks for a spec and a handoff weekday.
fn first_and_count(spec: &HorizonSpec, weekday: Weekday) -> Result<(NaiveDate, u32), HorizonError> {
    match *spec {
        HorizonSpec::Weeks { from, weeks } => {
            if weeks == 0 || weeks > 520 {
                return Err(HorizonError::BadLength(weeks));
            }
            Ok((next_weekday(from, weekday)?, weeks))
        }
        HorizonSpec::Quarter { year, quarter } => {
            let bad = HorizonError::BadQuarter { year, quarter };
            if !(1..=4).contains(&quarter) {
                return Err(bad);
            }
            let start =
                NaiveDate::from_ymd_opt(year, 3 * (quarter - 1) + 1, 1).ok_or(bad.clone())?;
            let end = if quarter == 4 {
                NaiveDate::from_ymd_opt(year + 1, 1, 1)
            } else {
                NaiveDate::from_ymd_opt(year, 3 * quarter + 1, 1)
            }
            .ok_or(bad)?;
            let first = next_weekday(start, weekday)?;
            let days = (end - first).num_days();
            let weeks = u32::try_from((days + 6) / 7).map_err(|_| HorizonError::OutOfRange)?;
            Ok((first, weeks))
        }
    }
}

fn next_weekday(from: NaiveDate, weekday: Weekday) -> Result<NaiveDate, HorizonError> {
    let ahead = (7 + i64::from(weekday.num_days_from_monday())
        - i64::from(from.weekday().num_days_from_monday()))
        % 7;
    from.checked_add_signed(Duration::days(ahead))
        .ok_or(HorizonError::OutOfRange)
}

/// The rotation weeks of `team` for `spec`.
///
/// # Errors
/// A quarter that does not exist, zero weeks, or dates off the calendar.
pub fn weeks(team: &Team, spec: &HorizonSpec) -> Result<Vec<Week>, HorizonError> {
    let (first, count) = first_and_count(spec, team.handoff.weekday)?;
    weeks_from(team, first, count)
}

/// `count` rotation weeks of `team` starting with the handoff on `first`.
///
/// # Errors
/// Dates off the calendar, or a handoff outside the supported range
/// ([`crate::model::bounds`]).
pub fn weeks_from(team: &Team, first: NaiveDate, count: u32) -> Result<Vec<Week>, HorizonError> {
    let weeks = lay_out(team, first, count)?;
    if let (Some(a), Some(z)) = (weeks.first(), weeks.last()) {
        use crate::model::bounds::{check_date, check_instant};
        check_date("the first handoff date", a.first_day)?;
        check_instant("the first handoff", a.start)?;
        check_date("the last handoff date", z.next_day)?;
        check_instant("the last handoff", z.end)?;
    }
    Ok(weeks)
}

fn lay_out(team: &Team, first: NaiveDate, count: u32) -> Result<Vec<Week>, HorizonError> {
    let handoff = |day: NaiveDate| resolve_local(team.timezone, day.and_time(team.handoff.time));
    (0..count)
        .map(|k| {
            let first_day = first
                .checked_add_signed(Duration::weeks(i64::from(k)))
                .ok_or(HorizonError::OutOfRange)?;
            let next_day = first_day
                .checked_add_signed(Duration::weeks(1))
                .ok_or(HorizonError::OutOfRange)?;
            Ok(Week {
                first_day,
                next_day,
                start: handoff(first_day),
                end: handoff(next_day),
            })
        })
        .collect()
}

/// Load of one slot for a role of `weight` (docs/design.md §3): the weight times the
/// sum over its hours of the weight of that hour's kind of day, divided by 24.
pub fn slot_load(
    week: &Week,
    tz: Tz,
    weight: f64,
    weights: &LoadWeights,
    holidays: Option<&BTreeMap<NaiveDate, String>>,
) -> f64 {
    let weighted: f64 = hours_by_local_day(tz, week.start, week.end)
        .into_iter()
        .map(|(date, hours)| {
            hours
                * match day_kind(date, holidays) {
                    DayKind::Weekday => weights.weekday,
                    DayKind::Weekend => weights.weekend,
                    DayKind::Holiday => weights.holiday,
                }
        })
        .sum();
    weight * weighted / 24.0
}
