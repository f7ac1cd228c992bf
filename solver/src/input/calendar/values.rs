//! DATE and DATE-TIME values and DURATIONs, read with checked arithmetic:
//! years outside 1–9999 and durations chrono cannot hold are refused, never
//! overflowed.

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};

/// The years a calendar value may have.
fn plausible(d: NaiveDate) -> bool {
    (1..=9999).contains(&d.year())
}

/// A DATE value `YYYYMMDD`.
pub(super) fn date(raw: &str) -> Option<NaiveDate> {
    let raw = raw.trim();
    if raw.len() != 8 || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    NaiveDate::parse_from_str(raw, "%Y%m%d")
        .ok()
        .filter(|d| plausible(*d))
}

/// A DATE-TIME value `YYYYMMDDTHHMMSS` without its `Z`.
pub(super) fn date_time(raw: &str) -> Option<NaiveDateTime> {
    let (d, t) = raw.trim().split_once(['T', 't'])?;
    let t = t.get(..6).filter(|_| t.len() == 6)?;
    if !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let time = NaiveTime::parse_from_str(t, "%H%M%S").ok()?;
    Some(date(d)?.and_time(time))
}

/// An RFC 5545 DURATION such as `P1D`, `P2W`, `PT4H30M` or `-P1DT12H`;
/// `None` when malformed or too long for chrono.
pub(super) fn duration(raw: &str) -> Option<TimeDelta> {
    let raw = raw.trim();
    let (negative, rest) = match raw.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, raw.strip_prefix('+').unwrap_or(raw)),
    };
    let rest = rest.strip_prefix('P')?;
    let mut total = TimeDelta::zero();
    let mut in_time = false;
    let mut num = String::new();
    let mut any = false;
    for c in rest.chars() {
        match c {
            'T' if !in_time && num.is_empty() => in_time = true,
            '0'..='9' => num.push(c),
            unit => {
                let n: i64 = num.parse().ok()?;
                num.clear();
                any = true;
                total = total.checked_add(&part(unit, in_time, n)?)?;
            }
        }
    }
    if !any || !num.is_empty() {
        return None;
    }
    Some(if negative { -total } else { total })
}

fn part(unit: char, in_time: bool, n: i64) -> Option<TimeDelta> {
    match (unit, in_time) {
        ('W', false) => TimeDelta::try_weeks(n),
        ('D', false) => TimeDelta::try_days(n),
        ('H', true) => TimeDelta::try_hours(n),
        ('M', true) => TimeDelta::try_minutes(n),
        ('S', true) => TimeDelta::try_seconds(n),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_and_never_overflow() {
        assert_eq!(duration("P1D"), Some(TimeDelta::days(1)));
        assert_eq!(duration("P2W"), Some(TimeDelta::weeks(2)));
        assert_eq!(
            duration("P1DT4H30M"),
            Some(TimeDelta::hours(28) + TimeDelta::minutes(30))
        );
        assert_eq!(duration("-PT1H"), Some(TimeDelta::hours(-1)));
        for bad in [
            "P",
            "PT4",
            "1D",
            "P1H",
            "PT1D",
            "P99999999999W",
            "PT99999999999999H",
        ] {
            assert_eq!(duration(bad), None, "{bad}");
        }
        assert!(duration("P99999999D").is_some());
        assert_eq!(duration("P999999999999999999999D"), None);
    }

    #[test]
    fn values_keep_to_plausible_years() {
        assert!(date("20270208").is_some());
        assert_eq!(date("00000101"), None);
        assert_eq!(date("2027-02-08"), None);
        assert!(date_time("20270208T090000").is_some());
        assert_eq!(date_time("20270208T0900"), None);
        assert_eq!(date_time("20270208T250000"), None);
    }
}
