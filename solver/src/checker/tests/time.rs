//! Handoff instants and slot loads.

use chrono::NaiveDateTime;

use super::*;
use crate::checker::time::wall_clock_instant;

#[test]
fn an_ordinary_week_is_168_hours_and_weighs_8() {
    let ctx = team_ctx(&workspace(), "2027-01-04", 1);
    assert_eq!(
        ctx.week_bounds(0),
        (utc("2027-01-04T18:00:00Z"), utc("2027-01-11T18:00:00Z"))
    );
    assert!(close(hours(&ctx, 0), 168.0));
    assert!(close(ctx.slot_load(0, 0), 8.0));
    assert!(close(ctx.slot_load(0, 1), 4.0));
    assert_eq!(ctx.slot_load(0, 2), 0.0);
    assert_eq!(ctx.slot_load(1, 0), 0.0);
}

#[test]
fn the_us_spring_forward_week_is_167_hours() {
    let ctx = team_ctx(&workspace(), "2027-03-08", 1);
    assert_eq!(
        ctx.week_bounds(0),
        (utc("2027-03-08T18:00:00Z"), utc("2027-03-15T17:00:00Z"))
    );
    assert!(close(hours(&ctx, 0), 167.0));
    assert!(close(ctx.slot_load(0, 0), 5.0 + 1.5 + 1.5 * 23.0 / 24.0));
}

#[test]
fn the_berlin_autumn_week_is_169_hours() {
    let mut ws = workspace();
    ws.teams[0].timezone = chrono_tz::Europe::Berlin;
    let ctx = team_ctx(&ws, "2027-10-25", 2);
    // 10:00 CEST is 08:00Z; a week later 10:00 CET is 09:00Z.
    assert_eq!(
        ctx.week_bounds(0),
        (utc("2027-10-25T08:00:00Z"), utc("2027-11-01T09:00:00Z"))
    );
    assert!(close(hours(&ctx, 0), 169.0));
    assert!(close(ctx.slot_load(0, 0), 5.0 + 1.5 + 1.5 * 25.0 / 24.0));
    assert!(close(hours(&ctx, 1), 168.0));
}

#[test]
fn a_holiday_outranks_a_weekday_and_a_weekend() {
    let mut ws = workspace();
    ws.teams[0].holidays = Some("US".into());
    // Wednesday 2027-01-20 is a holiday: 4 weekdays, one holiday, a weekend.
    let ctx = team_ctx(&ws, "2027-01-18", 1);
    assert!(close(ctx.slot_load(0, 0), 4.0 + 2.0 + 3.0));
    assert!(close(ctx.slot_load(0, 1), 0.5 * 9.0));
    // A holiday on a Saturday weighs 2.0, not 1.5.
    ws.org
        .holidays
        .get_mut("US")
        .unwrap()
        .insert(date("2027-01-23"), "Saturday holiday".into());
    let ctx = team_ctx(&ws, "2027-01-18", 1);
    assert!(close(ctx.slot_load(0, 0), 4.0 + 2.0 + 2.0 + 1.5));
    // Without the team's region, holidays are ordinary days.
    ws.teams[0].holidays = None;
    let ctx = team_ctx(&ws, "2027-01-18", 1);
    assert!(close(ctx.slot_load(0, 0), 8.0));
}

#[test]
fn custom_load_weights_are_used() {
    let mut ws = workspace();
    ws.org.load = LoadWeights {
        weekday: 2.0,
        weekend: 3.0,
        holiday: 5.0,
    };
    let ctx = team_ctx(&ws, "2027-01-04", 1);
    assert!(close(ctx.slot_load(0, 0), 5.0 * 2.0 + 2.0 * 3.0));
}

#[test]
fn a_handoff_in_the_spring_gap_moves_to_the_end_of_the_gap() {
    let mut ws = workspace();
    ws.teams[0].handoff = Handoff {
        weekday: Weekday::Sun,
        time: NaiveTime::from_hms_opt(2, 30, 0).unwrap(),
    };
    let ctx = team_ctx(&ws, "2027-03-07", 2);
    // 02:30 on 2027-03-14 does not exist: 03:00 PDT, 10:00Z.
    assert_eq!(ctx.week_bounds(0).1, utc("2027-03-14T10:00:00Z"));
    assert_eq!(ctx.week_bounds(1).0, utc("2027-03-14T10:00:00Z"));
    assert_eq!(ctx.week_bounds(1).1, utc("2027-03-21T09:30:00Z"));
    assert!(close(hours(&ctx, 0), 167.5));
    assert!(close(hours(&ctx, 1), 167.5));
    assert_eq!(ctx.week_date(1), Some(date("2027-03-14")));
}

#[test]
fn an_ambiguous_handoff_takes_the_first_occurrence() {
    let mut ws = workspace();
    ws.teams[0].handoff = Handoff {
        weekday: Weekday::Sun,
        time: NaiveTime::from_hms_opt(1, 30, 0).unwrap(),
    };
    let ctx = team_ctx(&ws, "2027-10-31", 2);
    // 01:30 on 2027-11-07 happens twice: 01:30 PDT is 08:30Z.
    assert_eq!(ctx.week_bounds(0).1, utc("2027-11-07T08:30:00Z"));
    assert!(close(hours(&ctx, 0), 168.0));
    assert!(close(hours(&ctx, 1), 169.0));
}

#[test]
fn wall_clock_instants_follow_the_zone() {
    let at = |tz: Tz, s: &str| {
        wall_clock_instant(
            tz,
            NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap(),
        )
    };
    assert_eq!(
        at(LA, "2027-01-04 10:00:00"),
        Some(utc("2027-01-04T18:00:00Z"))
    );
    assert_eq!(
        at(LA, "2027-03-14 02:30:00"),
        Some(utc("2027-03-14T10:00:00Z"))
    );
    assert_eq!(
        at(LA, "2027-11-07 01:00:00"),
        Some(utc("2027-11-07T08:00:00Z"))
    );
    // Havana springs forward at midnight: 00:00 becomes 01:00 CDT.
    assert_eq!(
        at(chrono_tz::America::Havana, "2027-03-14 00:00:00"),
        Some(utc("2027-03-14T05:00:00Z"))
    );
    assert_eq!(
        at(chrono_tz::Asia::Tokyo, "2027-01-11 00:00:00"),
        Some(utc("2027-01-10T15:00:00Z"))
    );
    assert_eq!(
        at(chrono_tz::Pacific::Kiritimati, "2027-01-11 00:00:00"),
        Some(utc("2027-01-10T10:00:00Z"))
    );
}

/// The walks as they were before whole hours were passed in one step: a
/// minute at a time, every minute looked at.
mod minute_walk {
    use std::collections::BTreeMap;

    use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
    use chrono_tz::Tz;

    pub(super) fn wall_clock_instant(tz: Tz, local: NaiveDateTime) -> Option<DateTime<Utc>> {
        let clock = |t: DateTime<Utc>| t.with_timezone(&tz).naive_local();
        let earliest = local.checked_sub_signed(Duration::hours(16))?.and_utc();
        let earliest = DateTime::from_timestamp(earliest.timestamp().div_euclid(60) * 60, 0)?;
        let mut t = earliest;
        while clock(t) < local {
            t = t.checked_add_signed(Duration::minutes(1))?;
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

    pub(super) fn seconds_by_day(
        tz: Tz,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> BTreeMap<NaiveDate, i64> {
        let mut out = BTreeMap::new();
        let mut t = start;
        while t < end {
            let next = DateTime::from_timestamp((t.timestamp().div_euclid(60) + 1) * 60, 0);
            let Some(next) = next else { break };
            let step_end = next.min(end);
            *out.entry(t.with_timezone(&tz).date_naive()).or_insert(0) +=
                (step_end - t).num_seconds();
            t = step_end;
        }
        out
    }
}

/// Zones with every kind of change: DST both ways in both hemispheres, at
/// midnight (Havana, Santiago), by half an hour (Lord Howe), a skipped day
/// (Apia, 2011), quarter-hour offsets (Kathmandu, Chatham).
const ZONES: [Tz; 10] = [
    LA,
    chrono_tz::Europe::Berlin,
    chrono_tz::America::Havana,
    chrono_tz::America::Santiago,
    chrono_tz::Australia::Lord_Howe,
    chrono_tz::Pacific::Apia,
    chrono_tz::Asia::Kathmandu,
    chrono_tz::Pacific::Chatham,
    chrono_tz::Asia::Tokyo,
    chrono_tz::Europe::Dublin,
];

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]

    /// Passing whole hours in one step finds the same instant as walking
    /// every minute, around every kind of change of offset.
    #[test]
    fn the_hour_steps_find_the_instant_the_minute_walk_finds(
        zone in 0..ZONES.len(),
        minutes in 0i64..(60 * 24 * 366 * 17),
        seconds in 0u32..60,
    ) {
        let tz = ZONES[zone];
        let base = NaiveDateTime::parse_from_str("2010-01-01 00:00:00", "%Y-%m-%d %H:%M:%S").unwrap();
        let local = base + chrono::Duration::minutes(minutes) + chrono::Duration::seconds(seconds.into());
        proptest::prop_assert_eq!(wall_clock_instant(tz, local), minute_walk::wall_clock_instant(tz, local));
    }

    /// A week's load, counted an hour at a time where an hour lies in one
    /// local day, is the one counted minute by minute.
    #[test]
    fn the_hour_steps_weigh_the_days_the_minute_walk_weighs(
        zone in 0..ZONES.len(),
        minutes in 0i64..(60 * 24 * 366 * 17),
        seconds in 0i64..60,
        length in 0i64..(60 * 24 * 9),
    ) {
        let tz = ZONES[zone];
        let start = utc("2010-01-01T00:00:00Z") + chrono::Duration::minutes(minutes) + chrono::Duration::seconds(seconds);
        let end = start + chrono::Duration::minutes(length) + chrono::Duration::seconds(seconds / 2);
        let expected = minute_walk::seconds_by_day(tz, start, end);
        // Weigh each day by a distinct power of two so that any second put
        // on the wrong day changes the sum.
        let first = expected.keys().next().copied();
        let weight = |d: chrono::NaiveDate| first.map_or(0.0, |f| 2f64.powi(i32::try_from((d - f).num_days()).unwrap_or(0)));
        let want: f64 = expected.iter().map(|(d, s)| weight(*d) * *s as f64).sum::<f64>() / 3600.0 / 24.0;
        let got = crate::checker::time::weighted_days(tz, start, end, weight);
        proptest::prop_assert!((got - want).abs() <= 1e-9 * want.abs().max(1.0), "{got} vs {want}");
    }
}

/// Every change of offset of [`ZONES`] from 2010 to 2027, as the UTC hour
/// just after it.
fn changes_of_offset(tz: Tz) -> Vec<DateTime<Utc>> {
    let offset = |t: DateTime<Utc>| t.with_timezone(&tz).naive_local() - t.naive_utc();
    let mut out = Vec::new();
    let mut t = utc("2010-01-01T00:00:00Z");
    while t < utc("2028-01-01T00:00:00Z") {
        let next = t + Duration::hours(1);
        if offset(next) != offset(t) {
            out.push(next);
        }
        t = next;
    }
    out
}

/// Around every change of offset, the hour steps agree with the minute walk
/// at each quarter hour of local time and for stretches that span it.
#[test]
fn the_hour_steps_agree_with_the_minute_walk_at_every_change_of_offset() {
    let mut checked = 0;
    for tz in ZONES {
        for change in changes_of_offset(tz) {
            let local = change.with_timezone(&tz).naive_local();
            for quarter in -16..16 {
                let at = local + Duration::minutes(15 * quarter) + Duration::seconds(quarter % 3);
                assert_eq!(
                    wall_clock_instant(tz, at),
                    minute_walk::wall_clock_instant(tz, at),
                    "{tz} {at}"
                );
                checked += 1;
                if quarter % 4 != 0 {
                    continue;
                }
                let start =
                    change + Duration::minutes(97 * quarter) - Duration::seconds(quarter % 2);
                let end = start + Duration::days(7) + Duration::minutes(quarter);
                let want = minute_walk::seconds_by_day(tz, start, end);
                let first = want.keys().next().copied().unwrap();
                let weight =
                    |d: NaiveDate| 2f64.powi(i32::try_from((d - first).num_days()).unwrap());
                let expected: f64 = want
                    .iter()
                    .map(|(d, s)| weight(*d) * *s as f64)
                    .sum::<f64>()
                    / 86400.0;
                let got = crate::checker::time::weighted_days(tz, start, end, weight);
                assert!(
                    (got - expected).abs() < 1e-9 * expected,
                    "{tz} {start}: {got} vs {expected}"
                );
            }
        }
    }
    assert!(checked > 2000, "only {checked} cases");
}
