//! Checking plan documents: header, slots, rules, fairness and status.

use super::*;

#[test]
fn a_correct_plan_has_no_violations() {
    let report = check_plan(&workspace(), TeamIdx(0), &good_plan());
    assert!(report.is_ok(), "{:#?}", report.violations);
}

#[test]
fn a_plan_without_horizon_takes_its_weeks_from_the_entries() {
    let mut plan = good_plan();
    plan.horizon = None;
    plan.inputs_sha256 = None;
    assert_eq!(check(&workspace(), &plan), vec![]);
}

#[test]
fn a_partial_plan_lists_its_empty_slot() {
    // The pinned slot left empty is unfilled, not a broken pin.
    let mut plan = good_plan();
    plan.shifts.remove(3);
    plan.unfilled.push(UnfilledDoc {
        week: date("2027-01-11"),
        role: "secondary".into(),
        reason: "nobody".into(),
    });
    plan.status = "partial".into();
    plan.fairness.people[1] = fair("bob", 3, 0.0, 0.0, 9.0);
    for (f, share) in plan.fairness.people.iter_mut().zip([5.0, 9.0, 9.0, 9.0]) {
        f.share = share;
        f.deviation = f.load - share;
    }
    plan.fairness.max_excess = 7.0;
    plan.solver.objective = 7.0;
    assert_eq!(check(&workspace(), &plan), vec![]);
}

#[test]
fn schema() {
    let v = tampered(|p| p.schema = 2);
    assert_eq!(v, vec![Violation::Schema { found: 2 }]);
}

#[test]
fn wrong_team() {
    let v = tampered(|p| p.team = "search".into());
    assert_eq!(
        v,
        vec![Violation::WrongTeam {
            expected: "payments".into(),
            found: "search".into()
        }]
    );
}

#[test]
fn wrong_timezone() {
    let v = tampered(|p| p.timezone = "Europe/Berlin".into());
    assert!(
        matches!(v.as_slice(), [Violation::WrongTimezone { found, .. }] if found == "Europe/Berlin")
    );
}

#[test]
fn different_inputs() {
    let v = tampered(|p| p.inputs_sha256 = Some("def456".into()));
    assert_eq!(
        v,
        vec![Violation::DifferentInputs {
            expected: "abc123".into(),
            found: "def456".into()
        }]
    );
}

#[test]
fn horizon_not_on_the_handoff_day() {
    let v = tampered(|p| {
        if let Some(h) = &mut p.horizon {
            h.first_week = date("2027-01-05");
        }
    });
    assert!(matches!(
        v.as_slice(),
        [Violation::Horizon(CheckError::NotHandoffDay { .. })]
    ));
}

#[test]
fn empty_plan() {
    let v = tampered(|p| {
        p.horizon = None;
        p.shifts.clear();
    });
    assert!(v.contains(&Violation::EmptyPlan));
}

#[test]
fn week_outside_horizon() {
    let v = tampered(|p| p.shifts[5].week = date("2027-01-25"));
    find(&v, |x| {
        matches!(x, Violation::WeekOutsideHorizon { week, role, .. }
            if *week == date("2027-01-25") && role == "secondary")
    });
    // A date that is not a handoff at all is outside the horizon too.
    let v = tampered(|p| p.shifts[5].week = date("2027-01-19"));
    find(&v, |x| matches!(x, Violation::WeekOutsideHorizon { .. }));
    find(&v, |x| matches!(x, Violation::MissingSlot { .. }));
}

#[test]
fn unknown_role() {
    let v = tampered(|p| p.shifts[0].role = "tertiary".into());
    find(
        &v,
        |x| matches!(x, Violation::UnknownRole { role, .. } if role == "tertiary"),
    );
}

#[test]
fn unknown_person() {
    let v = tampered(|p| p.shifts[0].person = "zed".into());
    find(
        &v,
        |x| matches!(x, Violation::UnknownPerson { person, .. } if person == "zed"),
    );
}

#[test]
fn missing_slot() {
    let v = tampered(|p| {
        p.shifts.remove(0);
    });
    find(&v, |x| {
        *x == Violation::MissingSlot {
            week: date("2027-01-04"),
            role: "primary".into(),
        }
    });
}

#[test]
fn duplicate_slot() {
    let v = tampered(|p| {
        p.unfilled.push(UnfilledDoc {
            week: date("2027-01-04"),
            role: "primary".into(),
            reason: "also".into(),
        });
    });
    find(&v, |x| {
        *x == Violation::DuplicateSlot {
            week: date("2027-01-04"),
            role: "primary".into(),
            count: 2,
        }
    });
}

#[test]
fn wrong_times() {
    let v = tampered(|p| p.shifts[2].end += Duration::hours(1));
    let x = find(&v, |x| matches!(x, Violation::WrongTimes { .. }));
    assert_eq!(
        x.to_string(),
        "week 2027-01-11 primary: runs 2027-01-11T18:00:00Z..2027-01-18T19:00:00Z \
         but the handoffs are 2027-01-11T18:00:00Z..2027-01-18T18:00:00Z"
    );
}

#[test]
fn wrong_load() {
    let v = tampered(|p| p.shifts[2].load = 9.0);
    assert_eq!(
        v,
        vec![Violation::WrongLoad {
            week: date("2027-01-11"),
            role: "primary".into(),
            expected: 8.0,
            found: 9.0
        }]
    );
    // Rounding to 4 decimals is within tolerance.
    assert_eq!(tampered(|p| p.shifts[2].load = 8.00004), vec![]);
}

#[test]
fn ineligible() {
    // bob is off 2027-01-19..22; give him the third week's secondary.
    let v = tampered(|p| p.shifts[5].person = "bob".into());
    let x = find(&v, |x| {
        matches!(x, Violation::Ineligible { person, reason: Ineligibility::TimeOff { .. }, .. }
            if person == "bob")
    });
    assert_eq!(
        x.to_string(),
        "week 2027-01-18 secondary: bob is off 2027-01-19..2027-01-22 (time-off/bob.toml:3)"
    );
    // erin is in the roster but not in the team.
    let v = tampered(|p| p.shifts[2].person = "erin".into());
    find(&v, |x| {
        matches!(
            x,
            Violation::Ineligible {
                reason: Ineligibility::NotMember,
                ..
            }
        )
    });
    // carol lacks the skill.
    let v = tampered(|p| p.shifts[1].person = "dan".into());
    find(&v, |x| {
        matches!(
            x,
            Violation::Ineligible {
                reason: Ineligibility::MissingSkill { .. },
                ..
            }
        )
    });
}

#[test]
fn two_roles() {
    let v = tampered(|p| p.shifts[0].person = "alice".into());
    find(&v, |x| {
        *x == Violation::TwoRoles {
            week: date("2027-01-04"),
            person: "alice".into(),
            first_role: "primary".into(),
            second_role: "secondary".into(),
        }
    });
}

#[test]
fn rest() {
    let v = tampered(|p| p.shifts[2].person = "carol".into());
    find(&v, |x| {
        *x == Violation::Rest {
            person: "carol".into(),
            first: date("2027-01-04"),
            second: date("2027-01-11"),
            rest_weeks: 1,
        }
    });
    // With rest_weeks = 0 back-to-back weeks are fine.
    let mut ws = workspace();
    ws.teams[0].rules.rest_weeks = 0;
    ws.teams[0].rules.max_shifts = None;
    let mut plan = good_plan();
    plan.shifts[2].person = "carol".into();
    let v = check(&ws, &plan);
    assert!(
        !v.iter().any(|x| matches!(x, Violation::Rest { .. })),
        "{v:?}"
    );
    // rest_weeks = 2 forbids weeks 0 and 2.
    ws.teams[0].rules.rest_weeks = 2;
    let v = check(&ws, &good_plan());
    find(
        &v,
        |x| matches!(x, Violation::Rest { person, rest_weeks: 2, .. } if person == "carol"),
    );
}

#[test]
fn max_shifts() {
    let mut ws = workspace();
    ws.teams[0].rules.max_shifts = Some(1);
    let v = check(&ws, &good_plan());
    find(&v, |x| {
        *x == Violation::MaxShifts {
            person: "carol".into(),
            count: 2,
            max: 1,
        }
    });
}

#[test]
fn pin_broken() {
    let v = tampered(|p| p.shifts[3].person = "erin".into());
    let x = find(&v, |x| matches!(x, Violation::PinBroken { .. }));
    assert_eq!(
        x.to_string(),
        "week 2027-01-11 secondary: pinned to bob (teams/payments.toml:30) but given to erin"
    );
}

#[test]
fn fairness_mismatch() {
    let v = tampered(|p| p.fairness.people[2].share = 9.0);
    assert_eq!(
        v,
        vec![Violation::FairnessMismatch {
            person: "carol".into(),
            field: FairnessField::Share,
            expected: 10.0,
            found: 9.0
        }]
    );
    assert_eq!(
        v[0].to_string(),
        "fairness of carol: share is 9 but should be 10.0000"
    );
    let v = tampered(|p| p.fairness.people[0].available_weeks = 2);
    find(&v, |x| {
        matches!(
            x,
            Violation::FairnessMismatch {
                field: FairnessField::AvailableWeeks,
                ..
            }
        )
    });
    let v = tampered(|p| p.fairness.people[0].carry = 0.0);
    find(&v, |x| {
        matches!(
            x,
            Violation::FairnessMismatch {
                field: FairnessField::Carry,
                ..
            }
        )
    });
}

#[test]
fn missing_fairness() {
    let v = tampered(|p| {
        p.fairness.people.pop();
    });
    assert_eq!(
        v,
        vec![Violation::MissingFairness {
            person: "dan".into(),
            available_weeks: 3
        }]
    );
}

#[test]
fn unavailable_listed() {
    let v = tampered(|p| p.fairness.people.push(fair("frank", 0, 5.0, 0.0, 0.0)));
    assert_eq!(
        v,
        vec![Violation::UnavailableListed {
            person: "frank".into()
        }]
    );
}

#[test]
fn duplicate_fairness() {
    let v = tampered(|p| {
        let alice = p.fairness.people[0].clone();
        p.fairness.people.push(alice);
    });
    assert_eq!(
        v,
        vec![Violation::DuplicateFairness {
            person: "alice".into()
        }]
    );
}

#[test]
fn max_excess() {
    let v = tampered(|p| p.fairness.max_excess = 5.0);
    assert_eq!(
        v,
        vec![Violation::MaxExcess {
            expected: 6.0,
            found: 5.0
        }]
    );
}

#[test]
fn unknown_status() {
    let v = tampered(|p| p.status = "done".into());
    assert_eq!(
        v,
        vec![Violation::UnknownStatus {
            status: "done".into()
        }]
    );
}

#[test]
fn status_mismatch() {
    // feasible with an unfilled slot.
    let v = tampered(|p| {
        p.shifts.remove(0);
        p.unfilled.push(UnfilledDoc {
            week: date("2027-01-04"),
            role: "primary".into(),
            reason: "nobody".into(),
        });
    });
    find(
        &v,
        |x| matches!(x, Violation::StatusMismatch { status, shifts: 5, unfilled: 1 } if status == "feasible"),
    );
    // partial with nothing unfilled; infeasible with shifts.
    for status in ["partial", "infeasible"] {
        let v = tampered(|p| p.status = status.into());
        assert!(
            matches!(v.as_slice(), [Violation::StatusMismatch { .. }]),
            "{v:?}"
        );
    }
}

#[test]
fn objective_mismatch() {
    let v = tampered(|p| p.solver.objective = 5.0);
    assert_eq!(
        v,
        vec![Violation::ObjectiveMismatch {
            expected: 6.0,
            found: 5.0
        }]
    );
}

#[test]
fn bound_above_objective() {
    let v = tampered(|p| p.solver.bound = 7.0);
    assert_eq!(
        v,
        vec![Violation::BoundAboveObjective {
            bound: 7.0,
            objective: 6.0
        }]
    );
}

#[test]
fn optimal_with_gap() {
    let v = tampered(|p| p.status = "optimal".into());
    assert_eq!(
        v,
        vec![Violation::OptimalWithGap {
            bound: 1.0,
            objective: 6.0
        }]
    );
    let v = tampered(|p| {
        p.status = "optimal".into();
        p.solver.bound = 6.00003;
    });
    assert_eq!(v, vec![]);
}

#[test]
fn unknown_team_index() {
    let v = check_plan(&workspace(), TeamIdx(3), &good_plan()).violations;
    assert_eq!(
        v,
        vec![Violation::Horizon(CheckError::UnknownTeam { index: 3 })]
    );
}
