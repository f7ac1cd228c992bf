//! Helpers shared by the library's integration tests.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use chrono::{NaiveDate, NaiveTime, Weekday};
use chrono_tz::Tz;
use oncall::checker::check_plan;
use oncall::model::*;
use oncall::plan::Plan;

pub(crate) fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

pub(crate) fn person(id: &str, tz: Tz, joined: &str, skills: &[&str]) -> Person {
    Person {
        id: id.into(),
        name: id.into(),
        email: format!("{id}@example.com"),
        timezone: tz,
        region: None,
        joined: date(joined),
        left: None,
        skills: skills
            .iter()
            .map(|s| s.to_string())
            .collect::<BTreeSet<_>>(),
        contacts: Default::default(),
        grafana_user: None,
        notify_changes: true,
        origin: Origin::default(),
    }
}

pub(crate) fn role(name: &str, weight: f64, tenure: i64, skills: &[&str]) -> Role {
    Role {
        name: name.into(),
        weight,
        min_tenure_days: tenure,
        skills: skills.iter().map(|s| s.to_string()).collect(),
        runbook: None,
    }
}

/// A workspace with one team `t` holding every person.
pub(crate) fn workspace(tz: Tz, people: Vec<Person>, roles: Vec<Role>, rules: Rules) -> Workspace {
    let members = (0..people.len()).map(PersonIdx).collect();
    Workspace {
        root: PathBuf::new(),
        org: Org {
            timezone: tz,
            load: LoadWeights::default(),
            holidays: BTreeMap::new(),
            compensation: None,
            calendar: Default::default(),
            notify: Default::default(),
        },
        people,
        time_off: vec![],
        teams: vec![Team {
            id: "t".into(),
            name: "T".into(),
            timezone: tz,
            holidays: None,
            members,
            handoff: Handoff {
                weekday: Weekday::Mon,
                time: NaiveTime::from_hms_opt(10, 0, 0).unwrap(),
            },
            allow_overlap: false,
            escalation: vec![],
            runbook: None,
            roles,
            rules,
            fairness: FairnessPolicy::default(),
            carry: BTreeMap::new(),
            pins: vec![],
            pagerduty: Default::default(),
            origin: Origin::default(),
        }],
        inputs_sha256: "test".into(),
        warnings: Vec::new(),
    }
}

pub(crate) fn time_off(ws: &mut Workspace, p: usize, start: NaiveDate, end: NaiveDate) {
    ws.time_off.push(TimeOff {
        person: PersonIdx(p),
        start,
        end,
        reason: "test".into(),
        kind: TimeOffKind::Leave,
        origin: Origin::default(),
    });
}

/// Every plan a test makes goes through the independent checker.
pub(crate) fn assert_checked(ws: &Workspace, plan: &Plan) {
    let doc = plan.to_doc(ws);
    let report = check_plan(ws, plan.team, &doc);
    assert!(
        report.is_ok(),
        "the checker rejects the plan:\n{}",
        report
            .violations
            .iter()
            .map(|v| format!("  {v}\n"))
            .collect::<String>()
    );
}
