//! Explanations of impossible plans: every explanation's facts alone are still
//! impossible, dropping any one makes a complete plan possible, and every
//! suggested fix, applied, yields a complete plan.

use crate::support::model::*;
use chrono::{Duration, NaiveTime, Weekday};
use chrono_tz::America;
use oncall::model::{PersonIdx, Pin, RoleIdx, Rules, TeamIdx, Workspace};
use oncall::plan::explain::{
    apply_fix, completable_with, explain, fix_works, render_text, Fact, Feasibility, Infeasibility,
};
use oncall::plan::horizon::{self, HorizonSpec};
use oncall::plan::optimise::{plan, PlanOptions};
use oncall::plan::Status;
use proptest::prelude::*;

const MONDAY: &str = "2027-01-04";

fn spec(weeks: u32) -> HorizonSpec {
    HorizonSpec::Weeks {
        from: date(MONDAY),
        weeks,
    }
}

/// The three promises of an explanation, checked against the oracle and,
/// independently, against the optimiser and the plan checker.
fn verify(ws: &Workspace, weeks: u32, e: &Infeasibility) {
    let w = horizon::weeks(ws.team(TeamIdx(0)), &spec(weeks)).unwrap();
    assert!(
        !e.conflicts.is_empty(),
        "an explanation names at least one conflict"
    );
    for c in &e.conflicts {
        assert!(
            !completable_with(ws, TeamIdx(0), w.clone(), &c.facts),
            "the facts alone must still be impossible: {:?}",
            c.facts
        );
        for k in 0..c.facts.len() {
            let mut fewer = c.facts.clone();
            let dropped = fewer.remove(k);
            assert!(
                completable_with(ws, TeamIdx(0), w.clone(), &fewer),
                "not minimal: {dropped:?} is not needed in {:?}",
                c.facts
            );
        }
    }
    for fix in &e.fixes {
        assert!(
            fix_works(ws, TeamIdx(0), w.clone(), fix),
            "fix {fix:?} does not yield a complete plan"
        );
        // Independently: apply the fix to the workspace and let the optimiser
        // plan it; the plan must be complete and pass the checker.
        if let Some(fixed) = apply_fix(ws, TeamIdx(0), w.clone(), fix) {
            let p = plan(
                &fixed,
                TeamIdx(0),
                &spec(weeks),
                &PlanOptions {
                    time_limit: Some(20.0),
                    ..Default::default()
                },
            )
            .unwrap();
            assert_checked(&fixed, &p);
            assert!(
                p.unfilled.is_empty(),
                "after {fix:?} the optimiser still leaves {:?}",
                p.unfilled
            );
        }
    }
    // The optimiser agrees that the plan is partial, and its plan passes the checker.
    let p = plan(
        ws,
        TeamIdx(0),
        &spec(weeks),
        &PlanOptions {
            time_limit: Some(20.0),
            ..Default::default()
        },
    )
    .unwrap();
    assert_checked(ws, &p);
    assert!(matches!(p.status, Status::Partial | Status::Infeasible));
}

fn explained(ws: &Workspace, weeks: u32) -> Infeasibility {
    let e = explain(ws, TeamIdx(0), &spec(weeks), &[])
        .unwrap()
        .infeasibility()
        .expect("the plan should be impossible");
    verify(ws, weeks, &e);
    e
}

fn two_role_team(people: Vec<oncall::model::Person>, rest: u32) -> Workspace {
    workspace(
        America::Los_Angeles,
        people,
        vec![
            role("primary", 1.0, 90, &[]),
            role("secondary", 0.5, 180, &["payments"]),
        ],
        Rules {
            rest_weeks: rest,
            max_shifts: None,
            max_weeks_per_year: None,
            max_weeks_per_year_all: None,
        },
    )
}

fn lax(id: &str, skills: &[&str]) -> oncall::model::Person {
    person(id, America::Los_Angeles, "2020-01-06", skills)
}

#[test]
fn vacation_pile_up() {
    let mut ws = two_role_team(
        vec![
            lax("alice", &["payments"]),
            lax("bob", &["payments"]),
            lax("carl", &["payments"]),
            lax("dora", &[]),
        ],
        0,
    );
    time_off(&mut ws, 0, date("2027-01-16"), date("2027-01-24"));
    time_off(&mut ws, 1, date("2027-01-18"), date("2027-01-19"));
    time_off(&mut ws, 2, date("2027-01-11"), date("2027-01-22"));
    let e = explained(&ws, 4);
    insta::assert_snapshot!("vacation_pile_up", render_text(&ws, &e));
}

#[test]
fn skill_gap() {
    let ws = two_role_team(
        vec![
            lax("alice", &["payments"]),
            lax("bob", &[]),
            lax("carl", &[]),
        ],
        1,
    );
    let e = explained(&ws, 4);
    assert!(e.conflicts[0]
        .facts
        .iter()
        .any(|f| matches!(f, Fact::Skill(..))));
    insta::assert_snapshot!("skill_gap", render_text(&ws, &e));
}

#[test]
fn tenure_gap_for_new_hires() {
    let ws = two_role_team(
        vec![
            lax("alice", &["payments"]),
            person("nina", America::Los_Angeles, "2026-08-03", &["payments"]),
            person("omar", America::Los_Angeles, "2026-09-14", &["payments"]),
            lax("pat", &[]),
        ],
        1,
    );
    let e = explained(&ws, 4);
    assert!(e.conflicts[0].facts.contains(&Fact::Tenure(RoleIdx(1))));
    assert!(e
        .fixes
        .iter()
        .any(|f| matches!(f, oncall::plan::explain::Fix::LowerTenure(RoleIdx(1), _))));
    insta::assert_snapshot!("tenure_gap", render_text(&ws, &e));
}

#[test]
fn rest_rule_conflict() {
    let people = vec![lax("alice", &[]), lax("bob", &[])];
    let mut ws = workspace(
        America::Los_Angeles,
        people,
        vec![role("primary", 1.0, 0, &[])],
        Rules {
            rest_weeks: 1,
            max_shifts: None,
            max_weeks_per_year: None,
            max_weeks_per_year_all: None,
        },
    );
    time_off(&mut ws, 0, date("2027-01-12"), date("2027-01-20"));
    let e = explained(&ws, 3);
    assert!(e.conflicts[0]
        .facts
        .iter()
        .any(|f| matches!(f, Fact::Rest(..))));
    insta::assert_snapshot!("rest_rule", render_text(&ws, &e));
}

#[test]
fn conflicting_pins() {
    let mut ws = workspace(
        America::Los_Angeles,
        vec![lax("alice", &[]), lax("bob", &[]), lax("carl", &[])],
        vec![role("primary", 1.0, 0, &[]), role("secondary", 0.5, 0, &[])],
        Rules::default(),
    );
    for r in 0..2 {
        ws.teams[0].pins.push(Pin {
            week: date("2027-01-11"),
            role: RoleIdx(r),
            person: PersonIdx(1),
            origin: Default::default(),
        });
    }
    let e = explained(&ws, 3);
    let pins = e.conflicts[0]
        .facts
        .iter()
        .filter(|f| matches!(f, Fact::Pin(_)))
        .count();
    assert_eq!(pins, 2);
    insta::assert_snapshot!("conflicting_pins", render_text(&ws, &e));
}

#[test]
fn feasible_plans_have_no_explanation() {
    let ws = two_role_team(
        vec![
            lax("a", &["payments"]),
            lax("b", &["payments"]),
            lax("c", &[]),
            lax("d", &[]),
        ],
        1,
    );
    assert_eq!(
        explain(&ws, TeamIdx(0), &spec(6), &[]).unwrap(),
        Feasibility::Completable
    );
}

#[test]
fn infeasible_example_workspace() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/infeasible");
    let ws = oncall::input::load_workspace(&root).unwrap();
    let q: HorizonSpec = "2027Q1".parse().unwrap();
    let e = explain(&ws, TeamIdx(0), &q, &[])
        .unwrap()
        .infeasibility()
        .expect("data/infeasible is infeasible");
    let w = horizon::weeks(ws.team(TeamIdx(0)), &q).unwrap();
    for c in &e.conflicts {
        assert!(!completable_with(&ws, TeamIdx(0), w.clone(), &c.facts));
        for k in 0..c.facts.len() {
            let mut fewer = c.facts.clone();
            fewer.remove(k);
            assert!(completable_with(&ws, TeamIdx(0), w.clone(), &fewer));
        }
    }
    assert!(!e.fixes.is_empty());
    for f in &e.fixes {
        assert!(fix_works(&ws, TeamIdx(0), w.clone(), f));
    }
}

#[test]
fn matching_check_finds_the_hall_violator() {
    let mut ws = two_role_team(
        vec![
            lax("alice", &["payments"]),
            lax("bob", &["payments"]),
            lax("carl", &[]),
        ],
        0,
    );
    time_off(&mut ws, 0, date("2027-01-12"), date("2027-01-12"));
    time_off(&mut ws, 1, date("2027-01-13"), date("2027-01-13"));
    let hall = oncall::plan::explain::matching_check(&ws, TeamIdx(0), &spec(3)).unwrap();
    assert_eq!(hall.len(), 1);
    assert_eq!(hall[0].week, 1);
    assert_eq!(hall[0].roles, vec![RoleIdx(1)]);
    assert!(hall[0].people.is_empty());
}

/// A random small team that is often impossible: few people, scarce skill,
/// time off, tenure, rest and pins.
fn small_team() -> impl Strategy<Value = (Workspace, u32)> {
    (
        2usize..=4,
        2u32..=4,
        proptest::collection::vec((0u8..3, any::<bool>(), 0u8..5, 0u8..3), 4),
        0u32..=1,
        proptest::option::of((0u8..4, 0u8..2, 0u8..4)),
    )
        .prop_map(|(n, weeks, traits, rest, pin)| {
            let people = traits
                .iter()
                .take(n)
                .enumerate()
                .map(|(k, &(tenure, skill, _, _))| {
                    let joined = ["2020-01-06", "2026-08-03", "2026-12-14"][tenure as usize];
                    person(
                        &format!("p{k}"),
                        America::Los_Angeles,
                        joined,
                        if skill { &["payments"] } else { &[] },
                    )
                })
                .collect();
            let mut ws = two_role_team(people, rest);
            for (k, &(_, _, off, len)) in traits.iter().take(n).enumerate() {
                if (off as u32) < weeks {
                    let start = date(MONDAY) + Duration::weeks(off as i64) + Duration::days(1);
                    time_off(&mut ws, k, start, start + Duration::days(len as i64));
                }
            }
            if let Some((who, r, w)) = pin {
                if (who as usize) < n && (w as u32) < weeks {
                    ws.teams[0].pins.push(Pin {
                        week: date(MONDAY) + Duration::weeks(w as i64),
                        role: RoleIdx(r as usize),
                        person: PersonIdx(who as usize),
                        origin: Default::default(),
                    });
                }
            }
            ws.teams[0].handoff.weekday = Weekday::Mon;
            ws.teams[0].handoff.time = NaiveTime::from_hms_opt(10, 0, 0).unwrap();
            (ws, weeks)
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    #[test]
    fn explanations_are_minimal_and_fixes_work((ws, weeks) in small_team()) {
        match explain(&ws, TeamIdx(0), &spec(weeks), &[]).unwrap() {
            Feasibility::Infeasible(e) => verify(&ws, weeks, &e),
            Feasibility::Unknown => prop_assert!(false, "a tiny team must be decided in time"),
            Feasibility::Completable => {
                // No explanation: the optimiser must fill every slot.
                let p = plan(&ws, TeamIdx(0), &spec(weeks), &PlanOptions { time_limit: Some(20.0), ..Default::default() }).unwrap();
                assert_checked(&ws, &p);
                prop_assert!(p.unfilled.is_empty());
            }
        }
    }
}

/// The oracle sees published history: a person who held the week before the
/// horizon may not take its first week under `rest_weeks = 1`. With two
/// people, one of whom just served, the first week's slot can be filled only
/// by the other; when the other is off that week, the plan is impossible, and
/// the explanation names the rest across the boundary.
#[test]
fn the_explanation_sees_the_rest_rule_across_published_history() {
    use oncall::model::history::HeldShift;
    let tz = America::Los_Angeles;
    let people = vec![
        person("ann", tz, "2020-01-01", &[]),
        person("bob", tz, "2020-01-01", &[]),
    ];
    let rules = Rules {
        rest_weeks: 1,
        max_shifts: None,
        max_weeks_per_year: None,
        max_weeks_per_year_all: None,
    };
    let mut ws = workspace(tz, people, vec![role("primary", 1.0, 0, &[])], rules);
    time_off(&mut ws, 1, date("2027-01-04"), date("2027-01-10"));
    let weeks = horizon::weeks(ws.team(TeamIdx(0)), &spec(2)).unwrap();
    let last = HeldShift {
        week: date("2026-12-28"),
        role: "primary".into(),
        person: "ann".into(),
        start: weeks[0].start - Duration::weeks(1),
        end: weeks[0].start,
    };
    // Without history ann takes the first week.
    assert_eq!(
        explain(&ws, TeamIdx(0), &spec(2), &[]).unwrap(),
        Feasibility::Completable
    );
    let e = explain(&ws, TeamIdx(0), &spec(2), &[last])
        .unwrap()
        .infeasibility()
        .expect("ann rests after her published week and bob is off");
    let facts: Vec<&Fact> = e.conflicts.iter().flat_map(|c| &c.facts).collect();
    assert!(
        facts
            .iter()
            .any(|f| matches!(f, Fact::PastRest(p) if *p == PersonIdx(0))),
        "{facts:?}"
    );
    let text = render_text(&ws, &e);
    assert!(
        text.contains("ann was on call just before the week of 2027-01-04 (rest_weeks = 1)"),
        "{text}"
    );
}

/// An explanation has a budget of its own. Three people cannot fill two
/// roles every week when nobody may serve two weeks running: only the MILP
/// oracle sees it, as every week alone has enough eligible people. With no
/// time left the oracle decides nothing, and the answer is "unknown", never
/// a conflict without proof; with time, the same horizon is explained.
#[test]
fn an_explanation_out_of_time_claims_nothing_unproven() {
    use oncall::plan::explain::explain_weeks;
    let tz = America::Los_Angeles;
    let people = ["ann", "bob", "cy"]
        .iter()
        .map(|id| person(id, tz, "2020-01-01", &[]))
        .collect();
    let rules = Rules {
        rest_weeks: 1,
        max_shifts: None,
        max_weeks_per_year: None,
        max_weeks_per_year_all: None,
    };
    let roles = vec![role("primary", 1.0, 0, &[]), role("secondary", 1.0, 0, &[])];
    let ws = workspace(tz, people, roles, rules);
    let weeks = horizon::weeks(ws.team(TeamIdx(0)), &spec(3)).unwrap();
    let started = std::time::Instant::now();
    assert_eq!(
        explain_weeks(&ws, TeamIdx(0), weeks.clone(), &[], 0.0),
        Feasibility::Unknown
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    let e = explain_weeks(&ws, TeamIdx(0), weeks, &[], 30.0)
        .infeasibility()
        .expect("two of three people every week, with a week's rest, is impossible");
    verify(&ws, 3, &e);
}

/// A yearly cap that leaves a slot empty is named with the published weeks
/// behind it, and raising it is the fix. Two people, one role, two weeks,
/// `max_weeks_per_year = 1`: ann already held a week in the 365 days, so
/// only bob may take one of the two weeks.
#[test]
fn the_explanation_names_a_yearly_cap_and_the_weeks_already_held() {
    use oncall::model::history::HeldShift;
    use oncall::plan::explain::Fix;
    let tz = America::Los_Angeles;
    let people = vec![
        person("ann", tz, "2020-01-01", &[]),
        person("bob", tz, "2020-01-01", &[]),
    ];
    let rules = Rules {
        rest_weeks: 0,
        max_shifts: None,
        max_weeks_per_year: Some(1),
        max_weeks_per_year_all: None,
    };
    let ws = workspace(tz, people, vec![role("primary", 1.0, 0, &[])], rules);
    let weeks = horizon::weeks(ws.team(TeamIdx(0)), &spec(2)).unwrap();
    let held: Vec<HeldShift> = vec![held_copy(&weeks)];
    let e = explain(&ws, TeamIdx(0), &spec(2), &held)
        .unwrap()
        .infeasibility()
        .expect("ann is at her cap and bob may take one week only");
    let facts: Vec<&Fact> = e.conflicts.iter().flat_map(|c| &c.facts).collect();
    assert!(
        facts
            .iter()
            .any(|f| matches!(f, Fact::YearCap(p, 1, _) if *p == PersonIdx(0))),
        "{facts:?}"
    );
    assert_eq!(e.fixes, vec![Fix::RaiseYearCap(false, 2)]);
    let text = render_text(&ws, &e);
    assert!(
        text.contains(
            "ann may hold at most 1 week of one role in any 365 days (max_weeks_per_year = 1) \
             and already had 1 week since 2026-06-01"
        ),
        "{text}"
    );
    assert!(
        text.contains("try: raise max_weeks_per_year to 2"),
        "{text}"
    );
    // The optimiser leaves exactly one week empty, and its plan passes.
    let p = oncall::plan::optimise::plan_around(
        &ws,
        TeamIdx(0),
        &spec(2),
        &PlanOptions::default(),
        &held,
        &[],
    )
    .unwrap();
    assert_eq!(p.unfilled.len(), 1);
    let report = oncall::checker::check_plan_with_history(&ws, TeamIdx(0), &p.to_doc(&ws), &held);
    assert!(report.is_ok(), "{:?}", report.violations);
}

/// ann's published week of 2026-06-01.
fn held_copy(weeks: &[horizon::Week]) -> oncall::model::history::HeldShift {
    oncall::model::history::HeldShift {
        week: date("2026-06-01"),
        role: "primary".into(),
        person: "ann".into(),
        start: weeks[0].start - Duration::weeks(31),
        end: weeks[0].start - Duration::weeks(30),
    }
}
