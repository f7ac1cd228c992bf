//! Recurrence: RRULE expansion by the `rrule` crate, in wall-clock time.
//!
//! RFC 5545 repeats an event in local time ("every Monday at 09:00" stays at
//! 09:00 across a DST change), so a rule is expanded on wall-clock values
//! (handed to `rrule` as if they were UTC, which has no DST) and each
//! occurrence is then read in its own zone, an IANA one or the file's own
//! VTIMEZONE. The window and cap below bound the work for any rule.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use rrule::{RRule, Tz, Unvalidated};

/// Most occurrences one recurring event expands to.
pub const MAX_OCCURRENCES: u16 = 5000;

/// Years after DTSTART a recurring event is expanded for.
pub const WINDOW_YEARS: u32 = 10;

/// No occurrence starts on or after this (2100-01-01).
pub(super) fn last_window_end() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2100, 1, 1)
        .unwrap_or(NaiveDate::MAX)
        .and_time(NaiveTime::MIN)
}

/// The end (exclusive) of the window an event starting at `start` repeats in.
pub(super) fn window_end(start: NaiveDateTime) -> NaiveDateTime {
    let ten = start
        .checked_add_months(chrono::Months::new(12 * WINDOW_YEARS))
        .unwrap_or(NaiveDateTime::MAX);
    ten.min(last_window_end())
}

/// The occurrences of a rule, in time order.
#[derive(Debug)]
pub(super) struct Found {
    pub(super) starts: Vec<NaiveDateTime>,
    /// Whether the cap cut the expansion short.
    pub(super) capped: bool,
}

/// The `UNTIL=` value of a rule, if any.
pub(super) fn until_part(rule: &str) -> Option<&str> {
    rule.split(';').find_map(|part| {
        let (k, v) = part.split_once('=')?;
        k.trim().eq_ignore_ascii_case("UNTIL").then_some(v.trim())
    })
}

/// `rule` without its `INTERVAL` part, when that part is not a positive
/// integer (RFC 5545 §3.3.10: "a positive integer"; 1 is the default).
pub(super) fn without_bad_interval(rule: &str) -> Option<String> {
    let parts: Vec<&str> = rule.split(';').collect();
    let bad = |p: &&str| {
        p.split_once('=').is_some_and(|(k, v)| {
            k.trim().eq_ignore_ascii_case("INTERVAL")
                && v.trim().parse::<i64>().is_ok_and(|n| n <= 0)
        })
    };
    parts.iter().any(bad).then(|| {
        parts
            .iter()
            .filter(|p| !bad(p))
            .copied()
            .collect::<Vec<_>>()
            .join(";")
    })
}

/// The ranges RFC 5545 §3.3.10 allows the numbers of each `BY…` part:
/// (name, least, most, whether negative values count from the end).
const RANGES: [(&str, i64, i64, bool); 8] = [
    ("BYSECOND", 0, 60, false),
    ("BYMINUTE", 0, 59, false),
    ("BYHOUR", 0, 23, false),
    ("BYMONTHDAY", 1, 31, true),
    ("BYYEARDAY", 1, 366, true),
    ("BYWEEKNO", 1, 53, true),
    ("BYMONTH", 1, 12, false),
    ("BYSETPOS", 1, 366, true),
];

/// Why `rule` breaks a value range of RFC 5545 §3.3.10, if it does: the
/// `rrule` crate reads some such rules (BYMONTHDAY=0) as something else.
pub(super) fn forbidden(rule: &str) -> Option<String> {
    rule.split(';').find_map(|part| {
        let (k, v) = part.split_once('=')?;
        let k = k.trim().to_ascii_uppercase();
        let &(name, lo, hi, signed) = RANGES.iter().find(|r| r.0 == k)?;
        let bad = v.split(',').find(|n| {
            n.trim().parse::<i64>().map_or(true, |n| {
                let m = if signed { n.abs() } else { n };
                !(lo..=hi).contains(&m) || (!signed && n < 0)
            })
        })?;
        let range = if signed {
            format!("{lo}..{hi} or -{hi}..-{lo}")
        } else {
            format!("{lo}..{hi}")
        };
        Some(format!(
            "{name}={} is outside {range}, which RFC 5545 forbids",
            bad.trim()
        ))
    })
}

/// Expands `rule` (the RRULE value) from the wall-clock `start`: the
/// occurrences before `end`, ending at `until` (wall-clock, inclusive) when
/// given. `start` itself is always the first occurrence (RFC 5545 §3.8.5.3).
///
/// # Errors
/// The rule cannot be read, as the `rrule` crate words it.
pub(super) fn expand(
    rule: &str,
    start: NaiveDateTime,
    until: Option<NaiveDateTime>,
    end: impl Into<Option<NaiveDateTime>>,
) -> Result<Found, String> {
    let end = end.into().unwrap_or_else(|| window_end(start));
    let mut found = Found {
        starts: vec![start],
        capped: false,
    };
    if until.is_some_and(|u| u < start) || end <= start {
        return Ok(found);
    }
    let rest: Vec<&str> = rule
        .split(';')
        .map(str::trim)
        .filter(|p| !p.is_empty() && until_part(p).is_none())
        .collect();
    let mut parsed: RRule<Unvalidated> = rest.join(";").parse().map_err(|e| tidy(&e))?;
    if let Some(u) = until {
        parsed = parsed.until(wall(u));
    }
    let set = parsed.build(wall(start)).map_err(|e| tidy(&e))?;
    let got = set.before(wall(end)).all(MAX_OCCURRENCES);
    found.capped = got.limited;
    found.starts.extend(
        got.dates
            .into_iter()
            .map(|d| d.naive_utc())
            .filter(|d| *d < end && *d != start),
    );
    found.starts.sort();
    found.starts.truncate(usize::from(MAX_OCCURRENCES));
    Ok(found)
}

fn wall(t: NaiveDateTime) -> chrono::DateTime<Tz> {
    t.and_utc().with_timezone(&Tz::UTC)
}

fn tidy(e: &impl std::fmt::Display) -> String {
    let s = e.to_string();
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y%m%dT%H%M%S").unwrap_or_default()
    }

    fn days(rule: &str, start: &str) -> Vec<String> {
        expand(rule, t(start), None, None)
            .map(|f| {
                f.starts
                    .iter()
                    .map(|d| d.format("%Y-%m-%d").to_string())
                    .collect()
            })
            .unwrap_or_default()
    }

    #[test]
    fn by_parts_and_setpos_expand() {
        // The last Friday of each month.
        assert_eq!(
            days(
                "FREQ=MONTHLY;BYDAY=FR;BYSETPOS=-1;COUNT=3",
                "20270129T000000"
            ),
            ["2027-01-29", "2027-02-26", "2027-03-26"]
        );
        // WKST changes which weeks an every-other-week rule picks.
        assert_eq!(
            days(
                "FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO",
                "19970805T090000"
            ),
            ["1997-08-05", "1997-08-10", "1997-08-19", "1997-08-24"]
        );
        assert_eq!(
            days(
                "FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU",
                "19970805T090000"
            ),
            ["1997-08-05", "1997-08-17", "1997-08-19", "1997-08-31"]
        );
    }

    #[test]
    fn an_interval_that_is_not_positive_is_dropped() {
        assert_eq!(
            without_bad_interval("FREQ=DAILY;INTERVAL=0;COUNT=3").as_deref(),
            Some("FREQ=DAILY;COUNT=3")
        );
        assert_eq!(
            without_bad_interval("FREQ=DAILY;interval=-2").as_deref(),
            Some("FREQ=DAILY")
        );
        assert_eq!(without_bad_interval("FREQ=DAILY;INTERVAL=2"), None);
    }

    #[test]
    fn values_rfc_5545_forbids_are_not_read() {
        for rule in [
            "FREQ=MONTHLY;BYMONTHDAY=0",
            "FREQ=MONTHLY;BYSETPOS=0;BYDAY=MO",
            "FREQ=YEARLY;BYWEEKNO=0",
            "FREQ=YEARLY;BYYEARDAY=0",
            "FREQ=DAILY;BYHOUR=24",
            "FREQ=DAILY;BYMINUTE=60",
            "FREQ=YEARLY;BYMONTH=13",
            "FREQ=FORTNIGHTLY",
            "FREQ=DAILY;COUNT=-1",
        ] {
            let got =
                forbidden(rule).or_else(|| expand(rule, t("20270104T090000"), None, None).err());
            assert!(got.is_some(), "{rule} is read");
        }
    }

    #[test]
    fn endless_rules_stop_at_the_window() {
        let weekly = expand("FREQ=WEEKLY", t("20270105T000000"), None, None);
        let weekly = weekly.map(|f| f.starts).unwrap_or_default();
        assert_eq!(weekly.len(), 522);
        assert!(weekly.iter().all(|d| *d < t("20370105T000000")));
        let minutely = expand("FREQ=MINUTELY", t("20270105T000000"), None, None);
        let minutely = minutely.map(|f| (f.starts.len(), f.capped));
        assert_eq!(minutely.ok(), Some((usize::from(MAX_OCCURRENCES), true)));
        assert!(expand("FREQ=FORTNIGHTLY", t("20270105T000000"), None, None).is_err());
    }
}
