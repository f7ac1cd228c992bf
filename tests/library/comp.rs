//! Compensation, computed by hand: DST weeks, holidays on weekends, overrides,
//! pay periods that cut a shift, engineers in another zone than their team's,
//! and pages. Then the invariants as properties.

use std::collections::BTreeMap;
use std::str::FromStr;

use crate::support::model::{date, person, role, workspace};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use chrono_tz::{America, Europe};
use oncall::model::time::start_of_day;
use oncall::model::*;
use oncall::pay::{self, CompReport, Incident, PayCode, PayPeriod};
use oncall::plan::horizon::weeks_from;
use oncall::schedule::timeline::{Override, PublishedSlot, Timeline};
use proptest::prelude::*;
use rust_decimal::Decimal;

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn policy(mode: PayMode) -> PayPolicy {
    PayPolicy {
        mode,
        rates: ByDayKind {
            weekday: dec("50.00"),
            weekend: dec("100.00"),
            holiday: dec("150.00"),
        },
        time_off: ByDayKind {
            weekday: Decimal::ZERO,
            weekend: dec("0.5"),
            holiday: dec("1.0"),
        },
    }
}

fn compensation(mode: PayMode) -> Compensation {
    Compensation {
        currency: "USD".into(),
        minor_units: 2,
        policy: policy(mode),
        regions: BTreeMap::new(),
        roles: [
            ("primary".to_string(), dec("1.0")),
            ("secondary".to_string(), dec("0.5")),
        ]
        .into(),
        incidents: None,
        toil_expires_after_days: None,
        versions: Vec::new(),
    }
}

/// A workspace with team `t` in `team_tz` (handoff Monday 10:00) and people
/// given as (id, zone, region).
fn ws(team_tz: Tz, people: &[(&str, Tz, &str)], mode: PayMode) -> Workspace {
    let people = people
        .iter()
        .map(|(id, tz, region)| {
            let mut p = person(id, *tz, "2015-01-01", &[]);
            p.region = Some(region.to_string());
            p
        })
        .collect();
    let mut w = workspace(
        team_tz,
        people,
        vec![role("primary", 1.0, 0, &[]), role("secondary", 0.5, 0, &[])],
        Rules::default(),
    );
    w.org.compensation = Some(compensation(mode));
    w
}

fn holiday(w: &mut Workspace, region: &str, day: &str) {
    w.org
        .holidays
        .entry(region.to_string())
        .or_default()
        .insert(date(day), "holiday".into());
}

/// Published slots: (first day of the week, role, person).
fn timeline(w: &Workspace, slots: &[(&str, &str, &str)], overrides: &[Override]) -> Timeline {
    let team = &w.teams[0];
    let slots: Vec<PublishedSlot> = slots
        .iter()
        .map(|(week, r, p)| {
            let wk = weeks_from(team, date(week), 1).unwrap()[0];
            PublishedSlot {
                version: 1,
                week: wk.first_day,
                role: r.to_string(),
                person: p.to_string(),
                start: wk.start,
                end: wk.end,
                load: 0.0,
                published: Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap(),
            }
        })
        .collect();
    Timeline::resolve(team, &slots, overrides)
}

fn report(w: &Workspace, tl: Timeline, from: &str, to: &str) -> CompReport {
    report_with(w, tl, from, to, &[])
}

fn report_with(
    w: &Workspace,
    tl: Timeline,
    from: &str,
    to: &str,
    incidents: &[Incident],
) -> CompReport {
    let period = PayPeriod {
        from: date(from),
        to: date(to),
    };
    pay::report(w, &[(TeamIdx(0), tl)], period, incidents).unwrap()
}

/// (hours, days, rate, amount) of a person's line for a code, as strings.
fn line(r: &CompReport, who: &str, role: &str, code: PayCode) -> (String, String, String, String) {
    let l = r
        .lines
        .iter()
        .find(|l| l.employee_id == who && l.role == role && l.code == code)
        .unwrap_or_else(|| panic!("no {code:?} line for {who} {role}: {:#?}", r.lines));
    (
        l.hours.to_string(),
        l.days.to_string(),
        l.rate.map(|r| r.to_string()).unwrap_or_default(),
        l.amount.to_string(),
    )
}

fn has_line(r: &CompReport, who: &str, code: PayCode) -> bool {
    r.lines
        .iter()
        .any(|l| l.employee_id == who && l.code == code)
}

fn strs(h: &str, d: &str, rate: &str, amount: &str) -> (String, String, String, String) {
    (h.into(), d.into(), rate.into(), amount.into())
}

fn summary<'a>(r: &'a CompReport, who: &str) -> &'a PersonSummary {
    r.people.iter().find(|p| p.employee_id == who).unwrap()
}

use oncall::pay::PersonSummary;

#[test]
fn los_angeles_primary_week_over_spring_forward_is_167_hours() {
    // Mon 2027-03-08 10:00 PST to Mon 2027-03-15 10:00 PDT; clocks go forward
    // on Sunday 03-14, a 23-hour day.
    let w = ws(
        America::Los_Angeles,
        &[("alice", America::Los_Angeles, "US")],
        PayMode::Both,
    );
    let tl = timeline(&w, &[("2027-03-08", "primary", "alice")], &[]);
    let r = report(&w, tl, "2027-03-01", "2027-04-01");
    // Weekdays: 14 h of Monday + 4 × 24 h + 10 h of the next Monday = 120 h,
    // 14/24 + 4 + 10/24 = 5 days at 50.00.
    assert_eq!(
        line(&r, "alice", "primary", PayCode::Weekday),
        strs("120", "5", "50.00", "250.00")
    );
    // Weekend: Saturday 24 h + the 23-hour Sunday = 47 h, and 2 full days.
    assert_eq!(
        line(&r, "alice", "primary", PayCode::Weekend),
        strs("47", "2", "100.00", "200.00")
    );
    // Days off in lieu: 2 weekend days × 0.5.
    assert_eq!(
        line(&r, "alice", "primary", PayCode::Toil),
        strs("47", "1", "", "0.00")
    );
    let s = summary(&r, "alice");
    assert_eq!(s.hours, dec("167"));
    assert_eq!(s.amount.to_string(), "450.00");
    assert_eq!(s.time_off_days, dec("1"));
    assert_eq!(r.total().to_string(), "450.00");
}

#[test]
fn berlin_secondary_week_over_fall_back_is_169_hours() {
    // Mon 2027-10-25 10:00 CEST to Mon 2027-11-01 10:00 CET; Sunday 10-31 has
    // 25 hours and Monday 11-01 is a holiday in DE.
    let mut w = ws(
        Europe::Berlin,
        &[("anna", Europe::Berlin, "DE")],
        PayMode::Both,
    );
    holiday(&mut w, "DE", "2027-11-01");
    let tl = timeline(&w, &[("2027-10-25", "secondary", "anna")], &[]);
    let r = report(&w, tl, "2027-10-01", "2027-12-01");
    // 14 h + 96 h; 14/24 + 4 = 4.583333 days × 25.00 (50.00 × 0.5) = 114.583… → 114.58.
    assert_eq!(
        line(&r, "anna", "secondary", PayCode::Weekday),
        strs("110", "4.583333", "25.00", "114.58")
    );
    // Saturday 24 h + the 25-hour Sunday = 49 h, 2 days × 50.00.
    assert_eq!(
        line(&r, "anna", "secondary", PayCode::Weekend),
        strs("49", "2", "50.00", "100.00")
    );
    // 10 h of the holiday: 10/24 day × 75.00 = 31.25.
    assert_eq!(
        line(&r, "anna", "secondary", PayCode::Holiday),
        strs("10", "0.416667", "75.00", "31.25")
    );
    // Time off is not scaled by role: 2 × 0.5 + 10/24 × 1.0.
    assert_eq!(
        line(&r, "anna", "secondary", PayCode::Toil),
        strs("59", "1.416667", "", "0.00")
    );
    let s = summary(&r, "anna");
    assert_eq!(s.hours, dec("169"));
    assert_eq!(s.amount.to_string(), "245.83");
    assert_eq!(s.weekend_days, dec("2"));
    assert_eq!(s.holiday_days, dec("0.416667"));
}

#[test]
fn a_holiday_inside_a_weekend_pays_as_a_holiday() {
    // 2027-07-04 is a Sunday.
    let mut w = ws(
        America::Los_Angeles,
        &[("bob", America::Los_Angeles, "US")],
        PayMode::Both,
    );
    holiday(&mut w, "US", "2027-07-04");
    let tl = timeline(&w, &[("2027-06-28", "primary", "bob")], &[]);
    let r = report(&w, tl, "2027-06-01", "2027-08-01");
    assert_eq!(
        line(&r, "bob", "primary", PayCode::Weekday),
        strs("120", "5", "50.00", "250.00")
    );
    assert_eq!(
        line(&r, "bob", "primary", PayCode::Weekend),
        strs("24", "1", "100.00", "100.00")
    );
    assert_eq!(
        line(&r, "bob", "primary", PayCode::Holiday),
        strs("24", "1", "150.00", "150.00")
    );
    // 1 weekend day × 0.5 + 1 holiday × 1.0.
    assert_eq!(
        line(&r, "bob", "primary", PayCode::Toil),
        strs("48", "1.5", "", "0.00")
    );
    assert_eq!(summary(&r, "bob").amount.to_string(), "500.00");
}

#[test]
fn a_weekend_override_of_one_day_pays_whoever_covered_it() {
    let w = ws(
        America::Los_Angeles,
        &[
            ("bob", America::Los_Angeles, "US"),
            ("carol", America::Los_Angeles, "US"),
        ],
        PayMode::Cash,
    );
    let sat = start_of_day(America::Los_Angeles, date("2027-01-09"));
    let sun = start_of_day(America::Los_Angeles, date("2027-01-10"));
    let cover = Override {
        id: 1,
        role: "primary".into(),
        person: "carol".into(),
        start: sat,
        end: sun,
        reason: "covering Saturday".into(),
        created: Utc.with_ymd_and_hms(2026, 12, 2, 0, 0, 0).unwrap(),
    };
    let tl = timeline(&w, &[("2027-01-04", "primary", "bob")], &[cover]);
    let r = report(&w, tl, "2027-01-01", "2027-02-01");
    assert_eq!(
        line(&r, "bob", "primary", PayCode::Weekday),
        strs("120", "5", "50.00", "250.00")
    );
    assert_eq!(
        line(&r, "bob", "primary", PayCode::Weekend),
        strs("24", "1", "100.00", "100.00")
    );
    assert_eq!(
        line(&r, "carol", "primary", PayCode::Weekend),
        strs("24", "1", "100.00", "100.00")
    );
    assert!(!has_line(&r, "carol", PayCode::Weekday));
    // Cash only: no days off in lieu.
    assert!(!has_line(&r, "bob", PayCode::Toil));
    assert_eq!(summary(&r, "bob").hours, dec("144"));
    assert_eq!(summary(&r, "carol").hours, dec("24"));
    assert_eq!(r.total().to_string(), "450.00");
}

#[test]
fn a_pay_period_cutting_a_shift_at_midnight_pays_each_side_its_own_hours() {
    // Mon 2027-01-25 10:00 to Mon 2027-02-01 10:00; the periods meet at
    // midnight starting 02-01.
    let w = ws(
        America::Los_Angeles,
        &[("dan", America::Los_Angeles, "US")],
        PayMode::Cash,
    );
    let tl = timeline(&w, &[("2027-01-25", "primary", "dan")], &[]);
    let jan = report(&w, tl.clone(), "2027-01-01", "2027-02-01");
    let feb = report(&w, tl, "2027-02-01", "2027-03-01");
    // January: 14 h + 4 × 24 h = 110 h, 14/24 + 4 days × 50.00 = 229.1666… → 229.17.
    assert_eq!(
        line(&jan, "dan", "primary", PayCode::Weekday),
        strs("110", "4.583333", "50.00", "229.17")
    );
    assert_eq!(
        line(&jan, "dan", "primary", PayCode::Weekend),
        strs("48", "2", "100.00", "200.00")
    );
    // February: the last 10 h, 10/24 × 50.00 = 20.8333… → 20.83.
    assert_eq!(
        line(&feb, "dan", "primary", PayCode::Weekday),
        strs("10", "0.416667", "50.00", "20.83")
    );
    assert!(!has_line(&feb, "dan", PayCode::Weekend));
    assert_eq!(
        summary(&jan, "dan").seconds + summary(&feb, "dan").seconds,
        168 * 3600
    );
    assert_eq!((jan.total() + feb.total()).to_string(), "450.00");
}

#[test]
fn engineers_are_paid_in_their_own_zone_and_region() {
    // The team hands off at 10:00 Los Angeles time: 13:00 in New York, 19:00 in
    // Berlin. 2027-01-18 is a US holiday, not a DE one. DE takes time off in
    // lieu instead of cash.
    let mut w = ws(
        America::Los_Angeles,
        &[
            ("erin", America::New_York, "US"),
            ("eva", Europe::Berlin, "DE"),
        ],
        PayMode::Cash,
    );
    holiday(&mut w, "US", "2027-01-18");
    if let Some(c) = w.org.compensation.as_mut() {
        c.regions.insert("DE".into(), policy(PayMode::TimeOff));
    }
    let tl = timeline(
        &w,
        &[
            ("2027-01-11", "primary", "erin"),
            ("2027-01-11", "secondary", "eva"),
        ],
        &[],
    );
    let r = report(&w, tl, "2027-01-01", "2027-02-01");
    // Erin: Monday 13:00-24:00 = 11 h, 4 full weekdays, then the holiday
    // Monday 00:00-13:00.
    assert_eq!(
        line(&r, "erin", "primary", PayCode::Weekday),
        strs("107", "4.458333", "50.00", "222.92")
    );
    assert_eq!(
        line(&r, "erin", "primary", PayCode::Weekend),
        strs("48", "2", "100.00", "200.00")
    );
    assert_eq!(
        line(&r, "erin", "primary", PayCode::Holiday),
        strs("13", "0.541667", "150.00", "81.25")
    );
    assert!(!has_line(&r, "erin", PayCode::Toil));
    assert_eq!(summary(&r, "erin").amount.to_string(), "504.17");
    // Eva: Monday 19:00-24:00 = 5 h and the next Monday 00:00-19:00 = 19 h are
    // both weekdays in DE: 120 h = 5 days; no cash, 2 weekend days × 0.5 in lieu.
    assert_eq!(
        line(&r, "eva", "secondary", PayCode::Weekday),
        strs("120", "5", "", "0.00")
    );
    assert_eq!(
        line(&r, "eva", "secondary", PayCode::Weekend),
        strs("48", "2", "", "0.00")
    );
    assert_eq!(
        line(&r, "eva", "secondary", PayCode::Toil),
        strs("48", "1", "", "0.00")
    );
    assert_eq!(summary(&r, "eva").amount.to_string(), "0.00");
}

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

#[test]
fn pages_out_of_hours_and_in_sleeping_hours_pay_their_amounts() {
    let mut w = ws(
        America::Los_Angeles,
        &[("erin", America::New_York, "US")],
        PayMode::Cash,
    );
    if let Some(c) = w.org.compensation.as_mut() {
        c.incidents = Some(IncidentPay {
            business_hours: DailyWindow {
                start: chrono::NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
                end: chrono::NaiveTime::from_hms_opt(18, 0, 0).unwrap(),
            },
            sleeping_hours: DailyWindow {
                start: chrono::NaiveTime::from_hms_opt(22, 0, 0).unwrap(),
                end: chrono::NaiveTime::from_hms_opt(7, 0, 0).unwrap(),
            },
            out_of_hours: dec("25.00"),
            sleeping: dec("50.00"),
            pay_off_call: false,
        });
    }
    let tl = timeline(&w, &[("2027-01-11", "primary", "erin")], &[]);
    let page = |t: &str| Incident {
        time: utc(t),
        person: PersonIdx(0),
        team: TeamIdx(0),
    };
    let pages = [
        page("2027-01-12T03:30:00Z"), // Mon 22:30 in New York: sleeping, 50.00
        page("2027-01-12T20:00:00Z"), // Tue 15:00: business hours, unpaid
        page("2027-01-12T23:30:00Z"), // Tue 18:30: out of hours, 25.00
        page("2027-01-16T18:00:00Z"), // Sat 13:00: out of hours, 25.00
        page("2027-02-03T05:00:00Z"), // after the period
    ];
    let r = report_with(&w, tl, "2027-01-01", "2027-02-01", &pages);
    let l = r
        .lines
        .iter()
        .find(|l| l.code == PayCode::Incident)
        .unwrap();
    assert_eq!((l.pages, l.amount.to_string()), (3, "100.00".to_string()));
    assert_eq!(l.role, "primary");
    assert_eq!(l.rate, None);
    let s = summary(&r, "erin");
    assert_eq!(s.pages, 3);
    // 250.00 (5 weekdays) + 200.00 (weekend) + 100.00 (pages).
    assert_eq!(s.amount.to_string(), "550.00");
    // Nights 22:00-07:00 New York time: seven nights of 9 hours.
    assert_eq!(s.night_hours, dec("63"));
}

#[test]
fn yen_amounts_have_no_minor_unit() {
    let mut w = ws(
        America::Los_Angeles,
        &[("dan", America::Los_Angeles, "US")],
        PayMode::Cash,
    );
    if let Some(c) = w.org.compensation.as_mut() {
        c.currency = "JPY".into();
        c.minor_units = 0;
        c.policy.rates.weekday = dec("5000");
    }
    let tl = timeline(&w, &[("2027-01-25", "primary", "dan")], &[]);
    let feb = report(&w, tl, "2027-02-01", "2027-03-01");
    // 10/24 × 5000 = 2083.33… → 2083.
    assert_eq!(
        line(&feb, "dan", "primary", PayCode::Weekday),
        strs("10", "0.416667", "5000", "2083")
    );
}

#[test]
fn one_person_in_two_roles_at_once_is_paid_once_at_the_higher_multiplier() {
    let w = ws(
        America::Los_Angeles,
        &[
            ("bob", America::Los_Angeles, "US"),
            ("carol", America::Los_Angeles, "US"),
        ],
        PayMode::Cash,
    );
    // Bob is secondary for the week and also covers primary on Wednesday.
    let wed = start_of_day(America::Los_Angeles, date("2027-01-06"));
    let thu = start_of_day(America::Los_Angeles, date("2027-01-07"));
    let cover = Override {
        id: 1,
        role: "primary".into(),
        person: "bob".into(),
        start: wed,
        end: thu,
        reason: String::new(),
        created: Utc.with_ymd_and_hms(2026, 12, 2, 0, 0, 0).unwrap(),
    };
    let tl = timeline(
        &w,
        &[
            ("2027-01-04", "primary", "carol"),
            ("2027-01-04", "secondary", "bob"),
        ],
        &[cover],
    );
    let r = report(&w, tl, "2027-01-01", "2027-02-01");
    assert_eq!(
        line(&r, "bob", "primary", PayCode::Weekday),
        strs("24", "1", "50.00", "50.00")
    );
    // The remaining 4 weekdays as secondary, at 25.00.
    assert_eq!(
        line(&r, "bob", "secondary", PayCode::Weekday),
        strs("96", "4", "25.00", "100.00")
    );
    assert_eq!(summary(&r, "bob").hours, dec("168"));
}

#[test]
fn a_report_needs_a_policy_and_a_real_period() {
    let mut w = ws(
        America::Los_Angeles,
        &[("dan", America::Los_Angeles, "US")],
        PayMode::Cash,
    );
    let tl = timeline(&w, &[("2027-01-25", "primary", "dan")], &[]);
    let period = PayPeriod {
        from: date("2027-02-01"),
        to: date("2027-02-01"),
    };
    assert!(matches!(
        pay::report(&w, &[(TeamIdx(0), tl.clone())], period, &[]),
        Err(pay::CompError::EmptyPeriod { .. })
    ));
    let ghost = timeline(&w, &[("2027-01-25", "primary", "zoe")], &[]);
    let period = PayPeriod {
        from: date("2027-01-01"),
        to: date("2027-02-01"),
    };
    assert_eq!(
        pay::report(&w, &[(TeamIdx(0), ghost)], period, &[]),
        Err(pay::CompError::UnknownPerson {
            team: "t".into(),
            person: "zoe".into()
        })
    );
    w.org.compensation = None;
    assert_eq!(
        pay::report(&w, &[(TeamIdx(0), tl)], period, &[]),
        Err(pay::CompError::NoPolicy)
    );
}

#[test]
fn incidents_csv_errors_name_the_line_and_suggest_the_fix() {
    let w = ws(
        America::Los_Angeles,
        &[("erin", America::New_York, "US")],
        PayMode::Cash,
    );
    let path = std::path::Path::new("pages.csv");
    let ok =
        pay::read_incidents(&w, path, "time,person,team\n2027-01-12T03:30:00Z,erin,t\n").unwrap();
    assert_eq!(ok.len(), 1);
    let err = pay::read_incidents(
        &w,
        path,
        "time,person,team\n2027-01-12T03:30:00Z,erni,t\nyesterday,erin,t\n2027-01-12T03:30:00Z,erin,x\n",
    )
    .unwrap_err();
    let msgs: Vec<String> = err.diagnostics.iter().map(|d| d.to_string()).collect();
    assert_eq!(err.diagnostics.len(), 3, "{msgs:#?}");
    assert!(msgs[0].contains("unknown person `erni`") && msgs[0].contains("pages.csv:2"));
    assert!(msgs[0].contains("did you mean `erin`?"));
    assert!(msgs[1].contains("invalid time `yesterday`") && msgs[1].contains("pages.csv:3"));
    assert!(msgs[2].contains("unknown team `x`") && msgs[2].contains("pages.csv:4"));
}

// --- properties -------------------------------------------------------------

/// A zone, published weeks (offset, role) and overrides (start hour, hours,
/// role, whether it is the person under test).
type Case = (Tz, Vec<(u32, u8)>, Vec<(i64, i64, u8, bool)>);

/// A random published quarter for one person, with random overrides that put
/// the same person into the other role (so roles overlap) or someone else in.
fn arb_case() -> impl Strategy<Value = Case> {
    let zones = prop_oneof![
        Just(America::Los_Angeles),
        Just(Europe::Berlin),
        Just(chrono_tz::Australia::Lord_Howe),
    ];
    (
        zones,
        // (week offset 0..12, role 0 primary / 1 secondary / 2 none)
        proptest::collection::vec((0u32..12, 0u8..3), 1..8),
        // overrides: (start hour from 2027-03-01, length in hours, role, me?)
        proptest::collection::vec((0i64..2000, 1i64..80, 0u8..2, any::<bool>()), 0..6),
    )
}

fn build(tz: Tz, weeks: &[(u32, u8)], overrides: &[(i64, i64, u8, bool)]) -> (Workspace, Timeline) {
    let mut w = ws(
        America::Los_Angeles,
        &[("me", tz, "US"), ("other", America::Los_Angeles, "US")],
        PayMode::Both,
    );
    holiday(&mut w, "US", "2027-03-14");
    holiday(&mut w, "US", "2027-04-04");
    let base = Utc.with_ymd_and_hms(2027, 3, 1, 0, 0, 0).unwrap();
    let first = date("2027-03-01");
    let mut slots = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for &(k, r) in weeks {
        if r == 2 || !seen.insert(k) {
            continue;
        }
        let week = first + chrono::Duration::weeks(i64::from(k));
        let (mine, theirs) = if r == 0 {
            ("primary", "secondary")
        } else {
            ("secondary", "primary")
        };
        slots.push((week, mine, "me"));
        slots.push((week, theirs, "other"));
    }
    let team = &w.teams[0];
    let published: Vec<PublishedSlot> = slots
        .iter()
        .map(|(week, r, p)| {
            let wk = weeks_from(team, *week, 1).unwrap()[0];
            PublishedSlot {
                version: 1,
                week: wk.first_day,
                role: r.to_string(),
                person: p.to_string(),
                start: wk.start,
                end: wk.end,
                load: 0.0,
                published: base,
            }
        })
        .collect();
    let ovs: Vec<Override> = overrides
        .iter()
        .enumerate()
        .map(|(i, &(start, len, r, me))| Override {
            id: i as i64 + 1,
            role: if r == 0 { "primary" } else { "secondary" }.into(),
            person: if me { "me" } else { "other" }.into(),
            start: base + chrono::Duration::hours(start),
            end: base + chrono::Duration::hours(start + len),
            reason: String::new(),
            created: base,
        })
        .collect();
    let tl = Timeline::resolve(team, &published, &ovs);
    (w, tl)
}

/// Seconds in the union of a person's segments inside `[from, to)`.
fn union_seconds(tl: &Timeline, who: &str, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
    let mut spans: Vec<(DateTime<Utc>, DateTime<Utc>)> = tl
        .of_person(who)
        .map(|s| (s.start.max(from), s.end.min(to)))
        .filter(|(a, b)| a < b)
        .collect();
    spans.sort();
    let mut total = 0;
    let mut cur: Option<(DateTime<Utc>, DateTime<Utc>)> = None;
    for (a, b) in spans {
        match cur {
            Some((ca, cb)) if a <= cb => cur = Some((ca, cb.max(b))),
            Some((ca, cb)) => {
                total += (cb - ca).num_seconds();
                cur = Some((a, b));
            }
            None => cur = Some((a, b)),
        }
    }
    if let Some((ca, cb)) = cur {
        total += (cb - ca).num_seconds();
    }
    total
}

fn day_seconds(r: &CompReport, who: &str) -> i64 {
    r.lines
        .iter()
        .filter(|l| {
            l.employee_id == who
                && matches!(
                    l.code,
                    PayCode::Weekday | PayCode::Weekend | PayCode::Holiday
                )
        })
        .map(|l| l.seconds)
        .sum()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn pay_periods_partition_the_hours_on_call(
        (tz, weeks, overrides) in arb_case(),
        cuts in proptest::collection::btree_set(1i64..120, 0..5),
    ) {
        let (w, tl) = build(tz, &weeks, &overrides);
        let start = date("2027-02-20");
        let end = date("2027-06-20");
        let mut bounds = vec![start];
        bounds.extend(cuts.iter().map(|d| start + chrono::Duration::days(*d)));
        bounds.push(end);
        let whole = report(&w, tl.clone(), "2027-02-20", "2027-06-20");
        let (from, to) = PayPeriod { from: start, to: end }.bounds(tz);
        let total = union_seconds(&tl, "me", from, to);
        // The whole span pays every second on call exactly once.
        prop_assert_eq!(day_seconds(&whole, "me"), total);
        let mut parts = 0;
        let mut amount = Decimal::ZERO;
        let mut lines = 0usize;
        for b in bounds.windows(2) {
            let r = pay::report(&w, &[(TeamIdx(0), tl.clone())], PayPeriod { from: b[0], to: b[1] }, &[]).unwrap();
            parts += day_seconds(&r, "me");
            amount += r.lines.iter().filter(|l| l.employee_id == "me").map(|l| l.amount).sum::<Decimal>();
            lines += r.lines.iter().filter(|l| l.employee_id == "me").count();
        }
        prop_assert_eq!(parts, total);
        // Money differs only by rounding: at most half a cent per line.
        let whole_amount: Decimal = whole.lines.iter().filter(|l| l.employee_id == "me").map(|l| l.amount).sum();
        let slack = dec("0.005") * Decimal::from(lines + whole.lines.len());
        prop_assert!((amount - whole_amount).abs() <= slack, "{} vs {}", amount, whole_amount);
    }

    #[test]
    fn primary_and_secondary_hours_never_overlap_for_one_person(
        (tz, weeks, overrides) in arb_case(),
    ) {
        let (w, tl) = build(tz, &weeks, &overrides);
        let Some(c) = w.org.compensation.as_ref() else { unreachable!() };
        let (from, to) = PayPeriod { from: date("2027-02-20"), to: date("2027-06-20") }.bounds(tz);
        let spans = pay::paid_spans(&w, c, &[(TeamIdx(0), tl.clone())], "me", from, to);
        for pair in spans.windows(2) {
            prop_assert!(pair[0].end <= pair[1].start, "{:?} overlaps {:?}", pair[0], pair[1]);
        }
        let paid: i64 = spans.iter().map(|s| (s.end - s.start).num_seconds()).sum();
        prop_assert_eq!(paid, union_seconds(&tl, "me", from, to));
        // Wherever the person holds primary, primary is what is paid.
        for s in tl.of_person("me").filter(|s| s.role == "primary") {
            for p in spans.iter().filter(|p| p.start < s.end && s.start < p.end) {
                prop_assert_eq!(p.role.as_str(), "primary");
            }
        }
    }
}

/// Union of intervals, sorted and merged.
fn merged(mut spans: Vec<(i64, i64)>) -> Vec<(i64, i64)> {
    spans.sort();
    let mut out: Vec<(i64, i64)> = Vec::new();
    for (a, b) in spans {
        match out.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

/// Seconds of `spans` (merged) inside `[a, b)` and outside `minus` (merged).
fn measure(spans: &[(i64, i64)], minus: &[(i64, i64)], a: i64, b: i64) -> i64 {
    let inside = |s: &[(i64, i64)], lo: i64, hi: i64| -> i64 {
        s.iter().map(|&(x, y)| (y.min(hi) - x.max(lo)).max(0)).sum()
    };
    spans
        .iter()
        .map(|&(x, y)| {
            let (lo, hi) = (x.max(a), y.min(b));
            if lo >= hi {
                0
            } else {
                (hi - lo) - inside(minus, lo, hi)
            }
        })
        .sum()
}

/// The exact pay of "me" in cents per (role, code), from the timeline alone:
/// every local day's seconds on call × its rate ÷ the day's real length, as
/// integer fractions, rounded once, halves away from zero. Primary outranks
/// secondary where both are held.
fn exact_cents(
    tz: Tz,
    tl: &Timeline,
    from: NaiveDate,
    to: NaiveDate,
) -> BTreeMap<(String, PayCode), i128> {
    let of = |role: &str| {
        merged(
            tl.of_person("me")
                .filter(|s| s.role == role)
                .map(|s| (s.start.timestamp(), s.end.timestamp()))
                .collect(),
        )
    };
    let (primary, secondary) = (of("primary"), of("secondary"));
    // (role, code) -> (numerator in half-cents·seconds per length, by length)
    let mut acc: BTreeMap<(String, PayCode), BTreeMap<i64, i128>> = BTreeMap::new();
    let mut day = from;
    while day < to {
        let next = day + chrono::Duration::days(1);
        let (a, b) = (
            start_of_day(tz, day).timestamp(),
            start_of_day(tz, next).timestamp(),
        );
        let holiday = ["2027-03-14", "2027-04-04"].contains(&day.to_string().as_str());
        let weekend = matches!(day.format("%a").to_string().as_str(), "Sat" | "Sun");
        let (code, cents) = match (holiday, weekend) {
            (true, _) => (PayCode::Holiday, 15_000),
            (false, true) => (PayCode::Weekend, 10_000),
            _ => (PayCode::Weekday, 5_000),
        };
        for (role, half_cents, secs) in [
            ("primary", 2 * cents, measure(&primary, &[], a, b)),
            ("secondary", cents, measure(&secondary, &primary, a, b)),
        ] {
            if secs > 0 {
                *acc.entry((role.to_string(), code))
                    .or_default()
                    .entry(b - a)
                    .or_default() += i128::from(secs) * half_cents;
            }
        }
        day = next;
    }
    acc.into_iter()
        .map(|(key, by_len)| {
            let den: i128 = by_len.keys().fold(1, |l, &len| {
                let (mut x, mut y) = (l, i128::from(len));
                while y != 0 {
                    (x, y) = (y, x % y);
                }
                l / x * i128::from(len)
            });
            let num: i128 = by_len
                .iter()
                .map(|(&len, &n)| n * (den / i128::from(len)))
                .sum();
            // half-cents → cents: divide by 2·den, halves away from zero.
            let d = 2 * den;
            (key, (2 * num + d) / (2 * d))
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Every amount equals the exact computation on random spans, rounded
    /// once: no day fraction is rounded or cut short before it is paid.
    #[test]
    fn every_amount_is_the_exact_amount_rounded_once(
        (tz, weeks, overrides) in arb_case(),
        start in 0i64..60,
        days in 1i64..60,
    ) {
        let (mut w, tl) = build(tz, &weeks, &overrides);
        if let Some(c) = w.org.compensation.as_mut() {
            c.policy.mode = PayMode::Cash;
        }
        let from = date("2027-02-20") + chrono::Duration::days(start);
        let to = from + chrono::Duration::days(days);
        let r = pay::report(&w, &[(TeamIdx(0), tl.clone())], PayPeriod { from, to }, &[]).unwrap();
        let got: BTreeMap<(String, PayCode), i128> = r
            .lines
            .iter()
            .filter(|l| l.employee_id == "me")
            .map(|l| {
                let cents = (l.amount * Decimal::from(100)).trunc().mantissa();
                ((l.role.clone(), l.code), cents)
            })
            .collect();
        let want = exact_cents(tz, &tl, from, to);
        prop_assert_eq!(got, want);
    }
}

#[test]
fn a_day_is_paid_over_its_real_length() {
    // The helper the report uses: 23, 24 and 25-hour days.
    let la = America::Los_Angeles;
    let days = pay::seconds_by_local_day(
        la,
        start_of_day(la, date("2027-03-13")),
        start_of_day(la, date("2027-03-16")),
    );
    let lens: Vec<(NaiveDate, i64, i64)> = days;
    assert_eq!(
        lens,
        vec![
            (date("2027-03-13"), 86_400, 86_400),
            (date("2027-03-14"), 82_800, 82_800),
            (date("2027-03-15"), 86_400, 86_400),
        ]
    );
    let be = Europe::Berlin;
    let fall = pay::seconds_by_local_day(
        be,
        start_of_day(be, date("2027-10-31")) + chrono::Duration::hours(1),
        start_of_day(be, date("2027-11-01")),
    );
    assert_eq!(fall, vec![(date("2027-10-31"), 86_400, 90_000)]);
}
