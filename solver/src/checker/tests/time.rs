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
