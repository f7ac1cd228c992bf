//! Violation messages.

use super::*;

#[test]
fn messages_are_single_lowercase_lines() {
    let mut all = Vec::new();
    for tamper in [
        (|p: &mut PlanDoc| p.schema = 3) as fn(&mut PlanDoc),
        |p| p.team = "x".into(),
        |p| p.timezone = "UTC".into(),
        |p| p.inputs_sha256 = Some("0".into()),
        |p| p.shifts[0].person = "alice".into(),
        |p| p.shifts[2].person = "carol".into(),
        |p| p.shifts[5].person = "bob".into(),
        |p| p.shifts[3].person = "zed".into(),
        |p| p.shifts[3].role = "zed".into(),
        |p| p.shifts[3].week = date("2027-03-01"),
        |p| p.shifts[4].start = p.shifts[4].end,
        |p| p.fairness.people.push(fair("zed", 1, 0.0, 0.0, 0.0)),
        |p| p.status = "partial".into(),
        |p| p.status = "??".into(),
        |p| p.solver.bound = 99.0,
        |p| {
            p.horizon = None;
            p.shifts.clear();
        },
    ] {
        all.extend(tampered(tamper));
    }
    all.push(Violation::Ineligible {
        week: date("2027-02-08"),
        role: "primary".into(),
        person: "bob".into(),
        reason: Ineligibility::TimeOff {
            start: date("2027-02-06"),
            end: date("2027-02-12"),
            origin: origin("time-off/bob.toml", 3),
        },
    });
    all.push(Violation::SlotOutOfRange { week: 1, role: 2 });
    assert!(all.len() > 20);
    for v in &all {
        let line = v.to_string();
        assert!(!line.contains('\n'), "{line}");
        let first = line.chars().next().unwrap();
        assert!(!first.is_uppercase(), "{line}");
    }
    assert_eq!(
        all.iter().rev().nth(1).unwrap().to_string(),
        "week 2027-02-08 primary: bob is off 2027-02-06..2027-02-12 (time-off/bob.toml:3)"
    );
}
