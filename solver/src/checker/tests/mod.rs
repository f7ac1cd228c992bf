//! Unit tests of the checker, one file per part, on a shared hand-made
//! workspace and plan.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

use super::*;
use crate::model::document::{
    FairnessDoc, HorizonDoc, PersonFairnessDoc, ShiftDoc, SolverDoc, UnfilledDoc,
};
use crate::model::{
    FairnessPolicy, Handoff, LoadWeights, Org, Origin, Person, PersonIdx, Pin, Role, RoleIdx,
    Rules, Team, TimeOff, TimeOffKind,
};

mod context;
mod document;
mod evaluate;
mod time;
mod violation;

const LA: Tz = chrono_tz::America::Los_Angeles;

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn origin(file: &str, line: usize) -> Origin {
    Origin {
        file: PathBuf::from(file),
        line,
    }
}

fn person(id: &str, joined: &str, skills: &[&str]) -> Person {
    Person {
        id: id.into(),
        name: id.into(),
        email: format!("{id}@example.com"),
        timezone: LA,
        region: None,
        joined: date(joined),
        left: None,
        skills: skills.iter().map(|s| s.to_string()).collect(),
        contacts: Default::default(),
        grafana_user: None,
        notify_changes: true,
        origin: origin("people.csv", 2),
    }
}

fn role(name: &str, weight: f64, tenure: i64, skills: &[&str]) -> Role {
    Role {
        name: name.into(),
        weight,
        min_tenure_days: tenure,
        skills: skills.iter().map(|s| s.to_string()).collect(),
        runbook: None,
    }
}

fn time_off(person: usize, start: &str, end: &str, at: Origin) -> TimeOff {
    TimeOff {
        person: PersonIdx(person),
        start: date(start),
        end: date(end),
        reason: "vacation".into(),
        kind: TimeOffKind::Leave,
        origin: at,
    }
}

/// A team `payments` in Los Angeles, Monday 10:00 handoffs, primary (1.0,
/// 90 days) and secondary (0.5, 180 days, skill `payments`); members alice,
/// bob (both with the skill), carol, dan and frank, who joins after the
/// horizon of January 2027. alice carries 4.0 and frank 5.0. bob is off
/// 2027-01-19..2027-01-22 and is pinned to secondary on 2027-01-11.
fn workspace() -> Workspace {
    let people = vec![
        person("alice", "2020-01-01", &["payments"]),
        person("bob", "2020-01-01", &["payments"]),
        person("carol", "2020-01-01", &[]),
        person("dan", "2020-01-01", &[]),
        person("frank", "2027-03-01", &["payments"]),
        person("erin", "2020-01-01", &["payments"]),
    ];
    let mut holidays = BTreeMap::new();
    holidays.insert(
        "US".to_string(),
        [(date("2027-01-20"), "Test Day".to_string())]
            .into_iter()
            .collect(),
    );
    Workspace {
        root: PathBuf::new(),
        org: Org {
            timezone: LA,
            load: LoadWeights::default(),
            holidays,
            compensation: None,
            calendar: Default::default(),
            notify: Default::default(),
        },
        people,
        time_off: vec![time_off(
            1,
            "2027-01-19",
            "2027-01-22",
            origin("time-off/bob.toml", 3),
        )],
        teams: vec![Team {
            id: "payments".into(),
            name: "Payments".into(),
            timezone: LA,
            holidays: None,
            members: (0..5).map(PersonIdx).collect(),
            handoff: Handoff {
                weekday: Weekday::Mon,
                time: NaiveTime::from_hms_opt(10, 0, 0).unwrap(),
            },
            allow_overlap: false,
            escalation: vec![],
            runbook: None,
            roles: vec![
                role("primary", 1.0, 90, &[]),
                role("secondary", 0.5, 180, &["payments"]),
            ],
            rules: Rules {
                rest_weeks: 1,
                max_shifts: Some(2),
                max_weeks_per_year: None,
                max_weeks_per_year_all: None,
            },
            fairness: FairnessPolicy::default(),
            carry: [(PersonIdx(0), 4.0), (PersonIdx(4), 5.0)]
                .into_iter()
                .collect(),
            pins: vec![
                Pin {
                    week: date("2027-01-11"),
                    role: RoleIdx(1),
                    person: PersonIdx(1),
                    origin: origin("teams/payments.toml", 30),
                },
                // Outside the horizon: ignored.
                Pin {
                    week: date("2027-06-07"),
                    role: RoleIdx(0),
                    person: PersonIdx(3),
                    origin: origin("teams/payments.toml", 35),
                },
            ],
            pagerduty: Default::default(),
            origin: origin("teams/payments.toml", 1),
        }],
        inputs_sha256: "abc123".into(),
        warnings: Vec::new(),
    }
}

fn shift(week: &str, role: &str, person: &str, load: f64) -> ShiftDoc {
    let start = LA
        .from_local_datetime(&date(week).and_hms_opt(10, 0, 0).unwrap())
        .unwrap()
        .with_timezone(&Utc);
    ShiftDoc {
        week: date(week),
        role: role.into(),
        person: person.into(),
        start,
        end: start + Duration::days(7),
        load,
    }
}

fn fair(
    person: &str,
    available_weeks: u32,
    carry: f64,
    load: f64,
    share: f64,
) -> PersonFairnessDoc {
    PersonFairnessDoc {
        person: person.into(),
        available_weeks,
        carry,
        load,
        share,
        deviation: load - share,
    }
}

/// A correct plan, worked out by hand: three ordinary weeks (8.0 primary,
/// 4.0 secondary), L = 36, everyone but frank available 3 weeks, carry 4
/// for alice (frank's 5 waits), so shares are 40 × 3/12 − C = 10 − C.
fn good_plan() -> PlanDoc {
    PlanDoc {
        schema: 1,
        team: "payments".into(),
        timezone: "America/Los_Angeles".into(),
        status: "feasible".into(),
        solver: SolverDoc {
            backend: "highs".into(),
            seconds: 0.1,
            objective: 6.0,
            bound: 1.0,
            gap: 0.8333,
            spread: 16.0,
            spread_bound: 0.0,
            phases: vec![],
        },
        shifts: vec![
            shift("2027-01-04", "primary", "carol", 8.0),
            shift("2027-01-04", "secondary", "alice", 4.0),
            shift("2027-01-11", "primary", "dan", 8.0),
            shift("2027-01-11", "secondary", "bob", 4.0),
            shift("2027-01-18", "primary", "carol", 8.0),
            shift("2027-01-18", "secondary", "alice", 4.0),
        ],
        unfilled: vec![],
        fairness: FairnessDoc {
            max_excess: 6.0,
            people: vec![
                fair("alice", 3, 4.0, 8.0, 6.0),
                fair("bob", 3, 0.0, 4.0, 10.0),
                fair("carol", 3, 0.0, 16.0, 10.0),
                fair("dan", 3, 0.0, 8.0, 10.0),
            ],
        },
        horizon: Some(HorizonDoc {
            first_week: date("2027-01-04"),
            weeks: 3,
        }),
        inputs_sha256: Some("abc123".into()),
        explanation: None,
    }
}

fn check(ws: &Workspace, plan: &PlanDoc) -> Vec<Violation> {
    check_plan(ws, TeamIdx(0), plan).violations
}

/// The violations of the good plan after `tamper`.
fn tampered(tamper: impl FnOnce(&mut PlanDoc)) -> Vec<Violation> {
    let mut plan = good_plan();
    tamper(&mut plan);
    check(&workspace(), &plan)
}

fn find(violations: &[Violation], wanted: impl Fn(&Violation) -> bool) -> &Violation {
    violations
        .iter()
        .find(|v| wanted(v))
        .unwrap_or_else(|| panic!("not among {violations:#?}"))
}

fn team_ctx(ws: &Workspace, first: &str, weeks: u32) -> CheckContext {
    CheckContext::new(ws, TeamIdx(0), date(first), weeks).unwrap()
}

fn hours(ctx: &CheckContext, week: usize) -> f64 {
    let (start, end) = ctx.week_bounds(week);
    (end - start).num_seconds() as f64 / 3600.0
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}
