//! What-if scenarios through the library: a workspace loaded with texts in
//! place of its files is the workspace edited that way, and every scenario
//! plan passes the independent checker.

use std::collections::BTreeMap;
use std::path::PathBuf;

use oncall::input::{load_workspace, load_workspace_with};
use oncall::plan::optimise::PlanOptions;
use oncall::plan::whatif::{what_if, Change, Request, WhatIfError};

use crate::support::workspace::{copy_of, data};

#[test]
fn texts_in_place_of_files_load_as_the_edited_workspace() {
    let edited = copy_of("quickstart");
    let people = std::fs::read_to_string(edited.path().join("people.csv")).unwrap();
    let changed = people.replace("2021-03-01,,", "2021-03-01,2027-02-01,");
    let extra = "[[time_off]]\nperson = \"bob\"\nstart = 2027-02-01\nend = 2027-02-05\n";
    std::fs::write(edited.path().join("people.csv"), &changed).unwrap();
    std::fs::write(edited.path().join("time-off/extra.toml"), extra).unwrap();

    let replaced = BTreeMap::from([
        (PathBuf::from("people.csv"), changed),
        (PathBuf::from("time-off/extra.toml"), extra.to_string()),
    ]);
    let in_memory = load_workspace_with(&data("quickstart"), &replaced).unwrap();
    let on_disk = load_workspace(edited.path()).unwrap();
    assert_eq!(in_memory.inputs_sha256, on_disk.inputs_sha256);
    assert_ne!(
        in_memory.inputs_sha256,
        load_workspace(&data("quickstart")).unwrap().inputs_sha256
    );
    assert_eq!(in_memory.time_off.len(), on_disk.time_off.len());
    let alice = in_memory.person_by_id("alice").unwrap();
    assert_eq!(in_memory.people[alice.0].left, "2027-02-01".parse().ok());
}

#[test]
fn a_bad_value_is_reported_at_the_team_file_and_line() {
    let changes = [Change::parse_set("rules.rest_weeks=soon").unwrap()];
    let request = Request {
        root: &data("quickstart"),
        team: "payments",
        horizon: "2027Q1".parse().unwrap(),
        changes: &changes,
        options: PlanOptions::default(),
    };
    match what_if(&request) {
        Err(WhatIfError::ScenarioLoad(e)) => {
            let d = &e.diagnostics[0];
            assert_eq!(d.file, PathBuf::from("teams/payments.toml"));
            assert!(d.line > 0, "{e}");
        }
        other => panic!("expected the scenario not to load, got {other:?}"),
    }
}

#[test]
fn every_scenario_plan_passes_the_checker() {
    let root = data("quickstart");
    let changes = [
        Change::parse_time_off("grace:2027-01-11..2027-03-31").unwrap(),
        Change::parse_set("roles.secondary.min_tenure_days=1000").unwrap(),
    ];
    let request = Request {
        root: &root,
        team: "payments",
        horizon: "2027Q1".parse().unwrap(),
        changes: &changes,
        options: PlanOptions {
            time_limit: Some(20.0),
            ..Default::default()
        },
    };
    let result = what_if(&request).unwrap();
    let mut replaced = BTreeMap::new();
    let team = std::fs::read_to_string(root.join("teams/payments.toml")).unwrap();
    assert!(team.contains("min_tenure_days = 180"));
    replaced.insert(
        PathBuf::from("teams/payments.toml"),
        team.replace("min_tenure_days = 180", "min_tenure_days = 1000"),
    );
    replaced.insert(
        PathBuf::from("time-off/what-if.toml"),
        "[[time_off]]\nperson = \"grace\"\nstart = 2027-01-11\nend = 2027-03-31\nreason = \"what-if\"\n\n"
            .to_string(),
    );
    let ws = load_workspace_with(&root, &replaced).unwrap();
    let team = ws.team_by_id("payments").unwrap();
    let report = oncall::checker::check_plan(&ws, team, &result.scenario.plan);
    assert!(report.is_ok(), "{:?}", report.violations);
    let base = load_workspace(&root).unwrap();
    let base_team = base.team_by_id("payments").unwrap();
    let report = oncall::checker::check_plan(&base, base_team, &result.baseline.plan);
    assert!(report.is_ok(), "{:?}", report.violations);
    // Grace is off for the rest of the quarter: she loses every week after.
    let grace = result
        .diff
        .people
        .iter()
        .find(|p| p.person == "grace")
        .unwrap();
    assert!(grace.lost.iter().all(|s| s.as_str() >= "2027-01-11"));
    assert!(!grace.lost.is_empty());
    assert!(result
        .scenario
        .people
        .iter()
        .find(|p| p.person == "grace")
        .unwrap()
        .shifts
        .iter()
        .all(|s| s.as_str() < "2027-01-11"));
}
