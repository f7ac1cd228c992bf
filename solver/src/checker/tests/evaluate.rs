//! Evaluating assignments: loads and fairness figures.

use super::*;
use crate::model::Absence;

fn good_assignment() -> Vec<Vec<Option<PersonIdx>>> {
    let p = |i| Some(PersonIdx(i));
    vec![vec![p(2), p(0)], vec![p(3), p(1)], vec![p(2), p(0)]]
}

fn figures(ev: &Evaluation, id: &str) -> (u32, f64, f64, f64, f64) {
    let f = ev.people.iter().find(|f| f.person == id).unwrap();
    (f.available_weeks, f.carry, f.load, f.share, f.deviation)
}

#[test]
fn owed_shares_follow_available_weeks_and_carry() {
    let ctx = team_ctx(&workspace(), "2027-01-04", 3);
    let ev = ctx.evaluate(&good_assignment());
    assert!(ev.violations.is_empty(), "{:?}", ev.violations);
    assert!(close(ev.total_load, 36.0));
    // frank (a = 0) is left out, and so is his carry of 5.
    let ids: Vec<&str> = ev.people.iter().map(|f| f.person.as_str()).collect();
    assert_eq!(ids, ["alice", "bob", "carol", "dan"]);
    let (a, c, l, t, d) = figures(&ev, "alice");
    assert_eq!(a, 3);
    assert!(close(c, 4.0) && close(l, 8.0) && close(t, 6.0) && close(d, 2.0));
    let (_, c, l, t, d) = figures(&ev, "carol");
    assert!(close(c, 0.0) && close(l, 16.0) && close(t, 10.0) && close(d, 6.0));
    assert!(close(ev.max_excess, 6.0));
}

#[test]
fn excused_time_off_lowers_the_share() {
    let mut ws = workspace();
    ws.teams[0].fairness.absence = Absence::Excused;
    let ctx = team_ctx(&ws, "2027-01-04", 3);
    let ev = ctx.evaluate(&good_assignment());
    // Σa = 3 + 2 + 3 + 3 = 11; (36 + 4) × a / 11 − C.
    let (a, _, _, t, d) = figures(&ev, "bob");
    assert_eq!(a, 2);
    assert!(close(t, 40.0 * 2.0 / 11.0) && close(d, 4.0 - 80.0 / 11.0));
    let (_, _, _, t, _) = figures(&ev, "alice");
    assert!(close(t, 120.0 / 11.0 - 4.0));
    let (_, _, _, t, d) = figures(&ev, "carol");
    assert!(close(t, 120.0 / 11.0) && close(d, 16.0 - 120.0 / 11.0));
    assert!(close(ev.max_excess, 16.0 - 120.0 / 11.0));
}

#[test]
fn carry_shifts_the_shares() {
    let mut ws = workspace();
    ws.teams[0].carry.clear();
    let ev = team_ctx(&ws, "2027-01-04", 3).evaluate(&good_assignment());
    for id in ["alice", "bob", "carol", "dan"] {
        let (_, c, _, t, _) = figures(&ev, id);
        assert!(close(c, 0.0) && close(t, 9.0));
    }
    // Carry of someone available moves every share; alice's own falls by 12 × 3/4.
    ws.teams[0].carry.insert(PersonIdx(0), 12.0);
    let ev = team_ctx(&ws, "2027-01-04", 3).evaluate(&good_assignment());
    let (_, _, _, t, _) = figures(&ev, "alice");
    assert!(close(t, 12.0 - 12.0));
    let (_, _, _, t, _) = figures(&ev, "bob");
    assert!(close(t, 12.0));
    // The shares add up to L, so the deviations add up to 0.
    let sum: f64 = ev.people.iter().map(|f| f.share).sum();
    assert!(close(sum, ev.total_load));
    let sum: f64 = ev.people.iter().map(|f| f.deviation).sum();
    assert!(close(sum, 0.0));
}

#[test]
fn nobody_available_means_no_excess() {
    let mut ws = workspace();
    for p in &mut ws.people {
        p.joined = date("2027-06-01");
    }
    let ctx = team_ctx(&ws, "2027-01-04", 2);
    let ev = ctx.evaluate(&[vec![None, None], vec![None, None]]);
    assert!(ev.people.is_empty());
    assert_eq!(ev.max_excess, 0.0);
    assert_eq!(ev.total_load, 0.0);
}

#[test]
fn evaluate_reports_slots_outside_the_horizon() {
    let ctx = team_ctx(&workspace(), "2027-01-04", 1);
    let p = Some(PersonIdx(2));
    let ev = ctx.evaluate(&[vec![p, None, Some(PersonIdx(0))], vec![p]]);
    assert!(ev
        .violations
        .contains(&Violation::SlotOutOfRange { week: 0, role: 2 }));
    assert!(ev
        .violations
        .contains(&Violation::SlotOutOfRange { week: 1, role: 0 }));
    assert!(close(ev.total_load, 8.0));
}

#[test]
fn evaluate_is_repeatable_after_setup() {
    let ctx = team_ctx(&workspace(), "2027-01-04", 3);
    let assignment = good_assignment();
    let first = ctx.evaluate(&assignment);
    assert!(first.violations.is_empty(), "{:?}", first.violations);
    for _ in 0..10 {
        assert_eq!(ctx.evaluate(&assignment), first);
    }
}
