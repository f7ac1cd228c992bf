//! Structure-aware property tests of every input kind the library reads:
//! valid files from generated values, then spoilt (see `support::fuzz`).
//! Loading never panics and either succeeds or names only files inside the
//! workspace; plan JSON and incidents CSV never panic their readers.

use std::path::{Component, Path};

use chrono::NaiveDate;
use oncall::input::load_workspace;
use oncall::model::TeamIdx;
use oncall::pay::{self, PayPeriod};
use oncall::PlanDoc;
use proptest::prelude::*;

use crate::support::fuzz::{
    cases, date, id, mutate, mutation, number, org_toml, people_csv, put, team_toml, text,
    time_off_toml, Mutation, ORG, PEOPLE, TEAM,
};

/// The base workspace with `rel` replaced by `bytes`.
fn workspace_with(rel: &str, bytes: &[u8]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    put(dir.path(), "oncall.toml", ORG.as_bytes());
    put(dir.path(), "people.csv", PEOPLE.as_bytes());
    put(dir.path(), "teams/payments.toml", TEAM.as_bytes());
    put(dir.path(), rel, bytes);
    dir
}

/// Loads, asserting the loader's promise: Ok, or diagnostics that each name
/// a file inside the workspace.
fn load_checked(root: &Path) -> Result<(), TestCaseError> {
    if let Err(e) = load_workspace(root) {
        prop_assert!(!e.diagnostics.is_empty());
        for d in &e.diagnostics {
            prop_assert!(!d.message.is_empty());
            prop_assert!(inside(&d.file), "{:?} is not inside the workspace", d.file);
            prop_assert!(root.join(&d.file).exists(), "{:?} does not exist", d.file);
        }
    }
    Ok(())
}

/// A relative path that cannot leave the directory it is relative to.
fn inside(p: &Path) -> bool {
    !p.as_os_str().is_empty() && p.components().all(|c| matches!(c, Component::Normal(_)))
}

/// The base workspace, loaded, with incident pay configured.
fn paying_workspace() -> (tempfile::TempDir, oncall::Workspace) {
    let org = format!(
        "{ORG}\n[compensation]\ncurrency = \"USD\"\n[compensation.rates]\nweekday = \"50\"\nweekend = \"100\"\nholiday = \"150\"\n[compensation.incidents]\nout_of_hours = \"25.00\"\nsleeping = \"1000000\"\n"
    );
    let dir = workspace_with("oncall.toml", org.as_bytes());
    let ws = load_workspace(dir.path()).unwrap();
    (dir, ws)
}

/// A plan JSON for the base team from generated values, one field a line.
fn plan_json() -> impl Strategy<Value = String> {
    (
        (id(), date(), number(), number()),
        (id(), number(), number()),
        (text(), number()),
    )
        .prop_map(|((person, week, load, seconds), (role, weeks, share), (status, carry))| {
            let week = week.trim_matches('"').to_string();
            format!(
                "{{\n\"schema\": 1,\n\"team\": \"payments\",\n\"timezone\": \"America/Los_Angeles\",\n\"status\": \"{status}\",\n\
                 \"solver\": {{\n\"backend\": \"highs\",\n\"seconds\": {seconds},\n\"objective\": 0.0,\n\"bound\": 0.0,\n\"gap\": 0.0\n}},\n\
                 \"shifts\": [{{\n\"week\": \"{week}\",\n\"role\": {role:?},\n\"person\": {person:?},\n\
                 \"start\": \"2027-01-04T18:00:00Z\",\n\"end\": \"2027-01-11T18:00:00Z\",\n\"load\": {load}\n}}],\n\
                 \"unfilled\": [],\n\"fairness\": {{\n\"max_excess\": 0.0,\n\"people\": [{{\n\"person\": \"alice\",\n\
                 \"available_weeks\": 1,\n\"carry\": {carry},\n\"load\": 8.0,\n\"share\": {share},\n\"deviation\": 0.0\n}}]\n}},\n\
                 \"horizon\": {{\n\"first_week\": \"{week}\",\n\"weeks\": {weeks}\n}}\n}}\n"
            )
        })
}

/// An incidents CSV from generated rows; rows may repeat.
fn incidents_csv() -> impl Strategy<Value = String> {
    let time = prop_oneof![
        3 => (1u32..28, 0u32..24).prop_map(|(d, h)| format!("2027-01-{d:02}T{h:02}:12:00Z")),
        1 => prop_oneof![
            Just("2027-01-09T03:12:00-08:00"), Just("9999-12-31T23:59:59Z"),
            Just("0000-01-01T00:00:00Z"), Just("2027-01-09"), Just(""),
            Just("2027-01-09T03:12:00+23:59"),
        ]
        .prop_map(str::to_string),
    ];
    let row = (
        time,
        prop_oneof![Just("alice".to_string()), id()],
        prop_oneof![Just("payments".to_string()), id()],
        0usize..3,
    );
    proptest::collection::vec(row, 0..8).prop_map(|rows| {
        let mut out = String::from("time,person,team\n");
        for (time, person, team, copies) in rows {
            for _ in 0..=copies {
                out.push_str(&format!("{time},{person},{team}\n"));
            }
        }
        out
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(48), ..ProptestConfig::default() })]

    #[test]
    fn oncall_toml_loads_or_names_a_workspace_file(org in org_toml(), m in mutation()) {
        let dir = workspace_with("oncall.toml", &mutate(&org, &m));
        load_checked(dir.path())?;
    }

    #[test]
    fn people_csv_loads_or_names_a_workspace_file(people in people_csv(), m in mutation()) {
        let dir = workspace_with("people.csv", &mutate(&people, &m));
        load_checked(dir.path())?;
    }

    #[test]
    fn team_files_load_or_name_a_workspace_file(
        team in team_toml(),
        m in mutation(),
        stem in prop_oneof![Just("payments".to_string()), id()],
    ) {
        let dir = workspace_with("teams/payments.toml", &mutate(&team, &m));
        // A stem that is not a plain file name is written as another name.
        if inside(Path::new(&stem)) && !stem.contains(['\\', '\0']) && stem != "payments" {
            put(dir.path(), &format!("teams/{stem}.toml"), &mutate(&team, &m));
        }
        load_checked(dir.path())?;
    }

    #[test]
    fn time_off_files_load_or_name_a_workspace_file(off in time_off_toml(), m in mutation()) {
        let dir = workspace_with("time-off/vacations.toml", &mutate(&off, &m));
        load_checked(dir.path())?;
    }

    #[test]
    fn plan_json_never_panics_the_checker(plan in plan_json(), m in mutation()) {
        let (_dir, ws) = paying_workspace();
        let bytes = mutate(&plan, &m);
        let text = String::from_utf8_lossy(&bytes);
        if let Ok(doc) = serde_json::from_str::<PlanDoc>(&text) {
            let _ = oncall::checker::check_plan(&ws, TeamIdx(0), &doc);
        }
    }

    #[test]
    fn incidents_never_panic_or_pay_a_row_twice(csv in incidents_csv(), m in mutation()) {
        let (_dir, ws) = paying_workspace();
        let bytes = mutate(&csv, &m);
        let text = String::from_utf8_lossy(&bytes);
        let rel = Path::new("pages.csv");
        match pay::read_incidents(&ws, rel, &text) {
            Ok(pages) => {
                let mut keys: Vec<_> = pages.iter().map(|p| (p.time, p.person, p.team)).collect();
                keys.sort();
                let before = keys.len();
                keys.dedup();
                prop_assert_eq!(before, keys.len(), "a page was read twice");
                let period = PayPeriod {
                    from: NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(),
                    to: NaiveDate::from_ymd_opt(2027, 2, 1).unwrap(),
                };
                let _ = pay::report(&ws, &[], period, &pages);
            }
            Err(e) => {
                for d in &e.diagnostics {
                    prop_assert_eq!(&d.file, rel);
                }
            }
        }
    }
}

#[test]
fn the_mutations_leave_valid_files_valid_when_they_do_nothing() {
    let dir = workspace_with("teams/payments.toml", &mutate(TEAM, &Mutation::None));
    assert!(load_workspace(dir.path()).is_ok());
}
