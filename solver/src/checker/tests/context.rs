//! Laying out the weeks, eligibility and available weeks.

use super::*;
use crate::model::Absence;

#[test]
fn the_first_week_must_be_a_handoff_day() {
    let ws = workspace();
    let err = CheckContext::new(&ws, TeamIdx(0), date("2027-01-05"), 3).unwrap_err();
    assert_eq!(
        err,
        CheckError::NotHandoffDay {
            date: date("2027-01-05"),
            found: Weekday::Tue,
            expected: Weekday::Mon
        }
    );
    assert_eq!(
        err.to_string(),
        "2027-01-05 is a tuesday, but the team hands off on mondays"
    );
    assert!(matches!(
        CheckContext::new(&ws, TeamIdx(7), date("2027-01-04"), 3),
        Err(CheckError::UnknownTeam { index: 7 })
    ));
    assert!(matches!(
        CheckContext::new(&ws, TeamIdx(0), NaiveDate::MAX - Duration::days(400), 3),
        Err(CheckError::NotHandoffDay { .. } | CheckError::OutOfRange { .. })
    ));
}

#[test]
fn eligibility_has_a_first_reason() {
    let mut ws = workspace();
    ws.people[3].left = Some(date("2027-01-15"));
    ws.people[2].joined = date("2026-10-10"); // 86 days on 2027-01-04
    let ctx = team_ctx(&ws, "2027-01-04", 3);
    let (alice, bob, carol, dan, frank, erin) = (
        PersonIdx(0),
        PersonIdx(1),
        PersonIdx(2),
        PersonIdx(3),
        PersonIdx(4),
        PersonIdx(5),
    );
    assert!(ctx.eligible(0, 0, alice) && ctx.eligible(0, 1, alice));
    assert_eq!(
        ctx.why_ineligible(0, 1, carol),
        Some(Ineligibility::Tenure {
            days: 86,
            needed: 180
        })
    );
    assert_eq!(
        ctx.why_ineligible(0, 0, carol),
        Some(Ineligibility::Tenure {
            days: 86,
            needed: 90
        })
    );
    assert!(ctx.eligible(1, 0, carol));
    assert_eq!(
        ctx.why_ineligible(1, 1, carol),
        Some(Ineligibility::Tenure {
            days: 93,
            needed: 180
        })
    );
    // dan leaves 2027-01-15: fine for the first week, not the second.
    assert!(ctx.eligible(0, 0, dan));
    assert_eq!(
        ctx.why_ineligible(1, 0, dan),
        Some(Ineligibility::Leaves {
            left: date("2027-01-15"),
            next_day: date("2027-01-18")
        })
    );
    assert_eq!(
        ctx.why_ineligible(0, 0, frank),
        Some(Ineligibility::NotJoined {
            joined: date("2027-03-01")
        })
    );
    assert_eq!(
        ctx.why_ineligible(0, 0, erin),
        Some(Ineligibility::NotMember)
    );
    assert!(!ctx.eligible(0, 0, PersonIdx(99)));
    // bob's time off 2027-01-19..22 touches only the third week.
    assert!(ctx.eligible(1, 1, bob));
    assert_eq!(
        ctx.why_ineligible(2, 1, bob),
        Some(Ineligibility::TimeOff {
            start: date("2027-01-19"),
            end: date("2027-01-22"),
            origin: origin("time-off/bob.toml", 3)
        })
    );
    // Outside the horizon or roles: nobody.
    assert!(!ctx.eligible(3, 0, alice));
    assert!(!ctx.eligible(0, 2, alice));
    // A missing skill.
    assert_eq!(
        ctx.why_ineligible(1, 1, dan),
        Some(Ineligibility::Leaves {
            left: date("2027-01-15"),
            next_day: date("2027-01-18")
        })
    );
    let ctx = team_ctx(&workspace(), "2027-01-04", 1);
    assert_eq!(
        ctx.why_ineligible(0, 1, dan),
        Some(Ineligibility::MissingSkill {
            skill: "payments".into()
        })
    );
}

#[test]
fn time_off_is_blocked_in_the_persons_own_zone() {
    let mut ws = workspace();
    ws.people[0].timezone = chrono_tz::Asia::Tokyo;
    // alice (Tokyo) off 2027-01-11 is [2027-01-10T15:00Z, 2027-01-11T15:00Z):
    // it ends before the handoff at 18:00Z, so only the first week is blocked.
    ws.time_off
        .push(time_off(0, "2027-01-11", "2027-01-11", Origin::default()));
    // dan (Los Angeles) off 2027-01-11 is [08:00Z, next day 08:00Z): both weeks.
    ws.time_off
        .push(time_off(3, "2027-01-11", "2027-01-11", Origin::default()));
    // carol off 2027-01-12 in Tokyo: [2027-01-11T15:00Z, 2027-01-12T15:00Z),
    // which starts before the 18:00Z handoff, so both weeks are blocked.
    ws.people[2].timezone = chrono_tz::Asia::Tokyo;
    ws.time_off
        .push(time_off(2, "2027-01-12", "2027-01-12", Origin::default()));
    // bob off until 2027-01-03 in Los Angeles ends at 2027-01-04T08:00Z.
    ws.time_off
        .push(time_off(1, "2026-12-20", "2027-01-03", Origin::default()));
    let ctx = team_ctx(&ws, "2027-01-04", 2);
    let (alice, bob, carol, dan) = (PersonIdx(0), PersonIdx(1), PersonIdx(2), PersonIdx(3));
    assert!(!ctx.eligible(0, 0, alice) && ctx.eligible(1, 0, alice));
    assert!(!ctx.eligible(0, 0, dan) && !ctx.eligible(1, 0, dan));
    assert!(!ctx.eligible(0, 0, carol) && !ctx.eligible(1, 0, carol));
    assert!(ctx.eligible(0, 0, bob));
}

#[test]
fn available_weeks_count_standing_not_time_off_when_owed() {
    let mut ws = workspace();
    ws.people[2].joined = date("2026-10-10"); // tenure for primary from week 2
    let ctx = team_ctx(&ws, "2027-01-04", 3);
    let a = |p| ctx.available_weeks(PersonIdx(p));
    assert_eq!((a(0), a(1), a(2), a(3), a(4), a(5)), (3, 3, 2, 3, 0, 0));
    ws.teams[0].fairness.absence = Absence::Excused;
    let ctx = team_ctx(&ws, "2027-01-04", 3);
    let a = |p| ctx.available_weeks(PersonIdx(p));
    assert_eq!((a(0), a(1), a(2), a(3), a(4), a(5)), (3, 2, 2, 3, 0, 0));
}
