//! Synthetic organisations for benchmarks and property tests.
//!
//! Deterministic for a given seed: the same call always yields the same
//! workspace, so benchmark figures are comparable between runs.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use chrono::{Datelike, Duration, NaiveDate, NaiveTime, Weekday};

use crate::model::{
    FairnessPolicy, Handoff, LoadWeights, Org, Origin, Person, PersonIdx, Role, Rules, Team,
    TimeOff, TimeOffKind, Workspace,
};

/// Shape of a synthetic organisation.
#[derive(Clone, Debug)]
pub struct Shape {
    /// Number of teams.
    pub teams: usize,
    /// People per team (each person is on one team).
    pub team_size: usize,
    /// First Monday of the planning year; hires and vacations are placed around it.
    pub start: NaiveDate,
    /// Weeks over which vacations are spread.
    pub weeks: u32,
    /// Random seed.
    pub seed: u64,
}

/// Builds a synthetic workspace: each team has a primary (90 days' tenure) and
/// a secondary (180 days, skill `ops`) role, `rest_weeks = 1`, US holidays, a
/// few recent hires and one or two vacations per person.
pub fn organisation(shape: &Shape) -> Workspace {
    let mut rng = fastrand::Rng::with_seed(shape.seed);
    let tz = chrono_tz::America::Los_Angeles;
    let mut people = Vec::new();
    let mut time_off = Vec::new();
    let mut teams = Vec::new();
    for t in 0..shape.teams {
        let mut members = Vec::new();
        for k in 0..shape.team_size {
            let idx = PersonIdx(people.len());
            people.push(person(&mut rng, shape, (t, k)));
            time_off.extend(vacations(&mut rng, shape, idx));
            members.push(idx);
        }
        teams.push(team(t, members));
    }
    let holidays = us_holidays(shape.start);
    Workspace {
        root: PathBuf::new(),
        org: Org {
            timezone: tz,
            load: LoadWeights::default(),
            holidays,
            compensation: None,
            calendar: Default::default(),
            notify: Default::default(),
        },
        people,
        time_off,
        teams,
        inputs_sha256: format!("synthetic-{}", shape.seed),
        warnings: Vec::new(),
    }
}

/// Person `k` of team `t`: most joined long ago, about one in six within
/// the last half-year; every fifth lacks the skill `ops`.
fn person(rng: &mut fastrand::Rng, shape: &Shape, (t, k): (usize, usize)) -> Person {
    let tz = chrono_tz::America::Los_Angeles;
    let day = |d: i64| shape.start + Duration::days(d);
    // Most joined long ago; about one in six joins within the last half-year.
    let joined = if rng.u32(0..6) == 0 {
        day(-i64::from(rng.u32(30..200)))
    } else {
        day(-i64::from(rng.u32(400..3000)))
    };
    let mut skills = BTreeSet::new();
    if k % 5 != 4 {
        skills.insert("ops".to_string());
    }
    Person {
        id: format!("t{t:03}p{k:03}"),
        name: format!("Person {k} of team {t}"),
        email: format!("t{t}p{k}@example.com"),
        timezone: tz,
        region: Some("US".to_string()),
        joined,
        left: None,
        skills,
        contacts: Default::default(),
        grafana_user: None,
        notify_changes: true,
        origin: Origin::default(),
    }
}

/// One or two vacations (more over a longer horizon) of 2 to 9 days.
fn vacations(rng: &mut fastrand::Rng, shape: &Shape, idx: PersonIdx) -> Vec<TimeOff> {
    let day = |d: i64| shape.start + Duration::days(d);
    let mut time_off = Vec::new();
    let vacations = 1 + rng.usize(0..2) * (shape.weeks as usize / 13).max(1);
    for _ in 0..vacations {
        let s = i64::from(rng.u32(0..shape.weeks.max(1) * 7));
        time_off.push(TimeOff {
            person: idx,
            start: day(s),
            end: day(s + i64::from(rng.u32(2..10))),
            reason: "vacation".to_string(),
            kind: TimeOffKind::Leave,
            origin: Origin::default(),
        });
    }
    time_off
}

/// Team `t`: a primary and a secondary role, `rest_weeks = 1`, US holidays.
fn team(t: usize, members: Vec<PersonIdx>) -> Team {
    let tz = chrono_tz::America::Los_Angeles;
    Team {
        id: format!("team{t:03}"),
        name: format!("Team {t}"),
        timezone: tz,
        holidays: Some("US".to_string()),
        members,
        handoff: Handoff {
            weekday: Weekday::Mon,
            time: NaiveTime::from_hms_opt(10, 0, 0).unwrap_or(NaiveTime::MIN),
        },
        allow_overlap: false,
        escalation: vec![
            crate::model::Escalation::Role("primary".into()),
            crate::model::Escalation::Role("secondary".into()),
        ],
        runbook: None,
        roles: vec![
            Role {
                name: "primary".into(),
                weight: 1.0,
                min_tenure_days: 90,
                skills: vec![],
                runbook: None,
            },
            Role {
                name: "secondary".into(),
                weight: 0.5,
                min_tenure_days: 180,
                skills: vec!["ops".into()],
                runbook: None,
            },
        ],
        rules: Rules {
            rest_weeks: 1,
            max_shifts: None,
            max_weeks_per_year: None,
            max_weeks_per_year_all: None,
        },
        fairness: FairnessPolicy::default(),
        carry: BTreeMap::new(),
        pins: vec![],
        pagerduty: Default::default(),
        origin: Origin::default(),
    }
}

/// The US holidays of `start`'s year that the synthetic teams keep.
fn us_holidays(start: NaiveDate) -> BTreeMap<String, BTreeMap<NaiveDate, String>> {
    let mut holidays = BTreeMap::new();
    let mut us = BTreeMap::new();
    for (m, d, name) in [
        (1, 1, "New Year's Day"),
        (5, 31, "Memorial Day"),
        (7, 5, "Independence Day"),
        (11, 25, "Thanksgiving"),
        (12, 24, "Christmas Eve"),
    ] {
        if let Some(date) = NaiveDate::from_ymd_opt(start.year_ce().1 as i32, m, d) {
            us.insert(date, name.to_string());
        }
    }
    holidays.insert("US".to_string(), us);
    holidays
}

/// Puts `fraction` of each team's people also on the next team of its group
/// of `group` teams (team `t` shares with `t + 1`, wrapping inside the
/// group): a person on two rotations, and components of `group` teams.
pub fn share_people(ws: &mut Workspace, fraction: f64, group: usize) {
    let n = ws.teams.len();
    let group = group.max(1);
    let lent: Vec<Vec<PersonIdx>> = ws
        .teams
        .iter()
        .map(|t| {
            let k = (t.members.len() as f64 * fraction).round() as usize;
            t.members.iter().take(k).copied().collect()
        })
        .collect();
    for (t, people) in lent.into_iter().enumerate() {
        let base = t / group * group;
        let next = base + (t - base + 1) % group;
        if next != t && next < n {
            ws.teams[next].members.extend(people);
        }
    }
}
