//! Teams that share people, planned together: a component fills what
//! planning its teams one after another cannot, no one is double-booked, and
//! a team that plans alone gets exactly its single-team plan. Every plan is
//! re-verified by the independent checker, with the other teams' plans as
//! the time their people are busy.

use oncall::checker::check_plan_around;
use oncall::model::history::Busy;
use oncall::model::{TeamIdx, Workspace};
use oncall::plan::horizon::HorizonSpec;
use oncall::plan::optimise::{self, PlanOptions, TeamContext};
use oncall::plan::Plan;
use oncall::PlanDoc;

use crate::support::model::date;

/// Ledger and payments share carol; both need three weeks from 2027-01-04
/// and rest one week between shifts. Ann's large carry-over makes ledger,
/// planned alone, give carol weeks 1 and 3; payments needs carol in week 1
/// (ben is away). Audit shares no one.
fn shared() -> (tempfile::TempDir, Workspace) {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::fs::write(d.join("oncall.toml"), "timezone = \"Europe/Berlin\"\n").unwrap();
    let mut people = String::from("id,name,email,timezone,region,joined,left,skills\n");
    for p in ["carol", "ann", "ben", "ida", "jon"] {
        people.push_str(&format!(
            "{p},{p},{p}@example.com,Europe/Berlin,,2020-01-01,,\n"
        ));
    }
    std::fs::write(d.join("people.csv"), people).unwrap();
    std::fs::create_dir_all(d.join("teams")).unwrap();
    std::fs::create_dir_all(d.join("time-off")).unwrap();
    let team = |members: &str, extra: &str| {
        format!(
            "members = {members}\nhandoff = {{ weekday = \"monday\", time = \"09:00\" }}\n\
             [[roles]]\nname = \"primary\"\nweight = 1.0\nmin_tenure_days = 0\n\
             [rules]\nrest_weeks = 1\n{extra}"
        )
    };
    let write = |name: &str, text: String| std::fs::write(d.join(name), text).unwrap();
    write(
        "teams/ledger.toml",
        team("[\"carol\", \"ann\"]", "[carry]\nann = 100.0\n"),
    );
    write("teams/payments.toml", team("[\"carol\", \"ben\"]", ""));
    write("teams/audit.toml", team("[\"ida\", \"jon\"]", ""));
    write(
        "time-off/away.toml",
        "[[time_off]]\nperson = \"ben\"\nstart = \"2027-01-04\"\nend = \"2027-01-10\"\n".into(),
    );
    let ws = oncall::input::load_workspace(d).unwrap();
    (tmp, ws)
}

fn spec() -> HorizonSpec {
    HorizonSpec::Weeks {
        from: date("2027-01-04"),
        weeks: 3,
    }
}

fn team(ws: &Workspace, id: &str) -> TeamIdx {
    ws.team_by_id(id).unwrap()
}

/// The time a plan's shifts hold its people, as another team sees it.
fn busy_of(doc: &PlanDoc) -> Vec<Busy> {
    doc.shifts
        .iter()
        .map(|s| Busy {
            person: s.person.clone(),
            team: doc.team.clone(),
            role: s.role.clone(),
            start: s.start,
            end: s.end,
        })
        .collect()
}

/// Checks `plan` with the independent checker, the other plans' shifts
/// being busy time.
fn assert_checked_among(ws: &Workspace, plan: &Plan, others: &[&Plan]) {
    let doc = plan.to_doc(ws);
    let busy: Vec<Busy> = others.iter().flat_map(|o| busy_of(&o.to_doc(ws))).collect();
    let report = check_plan_around(ws, plan.team, &doc, &[], &busy);
    let said: Vec<String> = report.violations.iter().map(ToString::to_string).collect();
    assert!(said.is_empty(), "{}: {said:#?}", doc.team);
}

fn opts() -> PlanOptions {
    PlanOptions {
        time_limit: Some(20.0),
        ..Default::default()
    }
}

#[test]
fn one_after_the_other_leaves_a_slot_empty_that_the_joint_plan_fills() {
    let (_tmp, ws) = shared();
    let (ledger, payments) = (team(&ws, "ledger"), team(&ws, "payments"));
    // One after the other: ledger alone, then payments around it.
    let first = optimise::plan_around(&ws, ledger, &spec(), &opts(), &[], &[]).unwrap();
    assert!(first.unfilled.is_empty());
    let busy = busy_of(&first.to_doc(&ws));
    let second = optimise::plan_around(&ws, payments, &spec(), &opts(), &[], &busy).unwrap();
    assert_eq!(second.unfilled.len(), 1, "payments' first week stays empty");
    assert!(
        second.unfilled[0]
            .reason
            .contains("carol is on call for ledger that week"),
        "{}",
        second.unfilled[0].reason
    );
    assert_checked_among(&ws, &first, &[]);
    assert_checked_among(&ws, &second, &[&first]);
    // Together: every slot of both is filled, and carol is never on both.
    let context = vec![TeamContext::default(); 2];
    let plans =
        optimise::plan_component(&ws, &[ledger, payments], &spec(), &opts(), &context).unwrap();
    for p in &plans {
        assert!(p.unfilled.is_empty(), "{:?}", p.unfilled);
    }
    assert_checked_among(&ws, &plans[0], &[&plans[1]]);
    assert_checked_among(&ws, &plans[1], &[&plans[0]]);
}

#[test]
fn components_link_teams_through_shared_people_only() {
    let (_tmp, ws) = shared();
    let all: Vec<TeamIdx> = (0..ws.teams.len()).map(TeamIdx).collect();
    let mut groups: Vec<Vec<String>> = optimise::components(&ws, &all)
        .into_iter()
        .map(|g| g.iter().map(|&t| ws.team(t).id.clone()).collect())
        .collect();
    groups.iter_mut().for_each(|g| g.sort());
    groups.sort();
    assert_eq!(groups, vec![vec!["audit"], vec!["ledger", "payments"]]);
}

/// Fields that describe the solve rather than the plan.
fn without_timing(mut doc: PlanDoc) -> PlanDoc {
    doc.solver.seconds = 0.0;
    doc.solver.phases.clear();
    doc
}

#[test]
fn a_team_that_plans_alone_gets_its_single_team_plan() {
    let (_tmp, ws) = shared();
    let all: Vec<TeamIdx> = (0..ws.teams.len()).map(TeamIdx).collect();
    let context = |_| TeamContext::default();
    let results =
        optimise::plan_all(&ws, &all, &spec(), &opts(), &context, Some(2), &|_| {}).unwrap();
    assert_eq!(results.len(), 3);
    let audit = team(&ws, "audit");
    let alone = optimise::plan_around(&ws, audit, &spec(), &opts(), &[], &[]).unwrap();
    let (_, planned) = results.iter().find(|(t, _)| *t == audit).unwrap();
    let planned = planned.as_ref().unwrap();
    assert_eq!(
        serde_json::to_value(without_timing(planned.to_doc(&ws))).unwrap(),
        serde_json::to_value(without_timing(alone.to_doc(&ws))).unwrap()
    );
    let plans: Vec<&Plan> = results.iter().map(|(_, r)| r.as_ref().unwrap()).collect();
    for (k, p) in plans.iter().enumerate() {
        assert!(p.unfilled.is_empty());
        let others: Vec<&Plan> = plans
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != k)
            .map(|(_, o)| *o)
            .collect();
        assert_checked_among(&ws, p, &others);
    }
}
