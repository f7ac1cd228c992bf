//! The fairness report against its sources: pay figures are the sums of the
//! compensation reports of its quarters, and loads are the plan's loads.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{NaiveDate, Utc};
use oncall::model::TeamIdx;
use oncall::pay::fairness::{fairness, quarters, Sources};
use oncall::pay::periods::ClosedPeriod;
use oncall::pay::{self, PayPeriod};
use oncall::plan::horizon::HorizonSpec;
use oncall::plan::optimise::{plan, PlanOptions};
use oncall::schedule::timeline::{PublishedSlot, Timeline};
use rust_decimal::Decimal;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn sources<'a>(timelines: &'a [(TeamIdx, Timeline)], closed: &'a [ClosedPeriod]) -> Sources<'a> {
    Sources {
        timelines,
        team: None,
        incidents: &[],
        closed,
    }
}

#[test]
fn totals_are_comp_sums_and_loads_are_the_plan_loads() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/quickstart");
    let ws = oncall::input::load_workspace(&root).unwrap();
    let spec = HorizonSpec::Quarter {
        year: 2027,
        quarter: 1,
    };
    let opts = PlanOptions {
        time_limit: Some(20.0),
        ..Default::default()
    };
    let p = plan(&ws, TeamIdx(0), &spec, &opts).unwrap();
    let mut slots = Vec::new();
    let mut plan_load: BTreeMap<String, f64> = BTreeMap::new();
    for (w, week) in p.weeks.iter().enumerate() {
        for (r, who) in p.assignment[w].iter().enumerate() {
            let Some(who) = who else { continue };
            let id = ws.person(*who).id.clone();
            *plan_load.entry(id.clone()).or_default() += p.slot_load[w][r];
            slots.push(PublishedSlot {
                version: 1,
                week: week.first_day,
                role: ws.team(TeamIdx(0)).roles[r].name.clone(),
                person: id,
                start: week.start,
                end: week.end,
                load: p.slot_load[w][r],
                published: Utc::now(),
            });
        }
    }
    let tl = Timeline::resolve(ws.team(TeamIdx(0)), &slots, &[]);
    let timelines = vec![(TeamIdx(0), tl)];
    // From the first handoff's day to the day after the last: every slot whole,
    // and the range spans two quarters.
    let range = PayPeriod {
        from: d("2027-01-04"),
        to: d("2027-04-06"),
    };
    let report = fairness(&ws, sources(&timelines, &[]), range).unwrap();
    assert_eq!(report.quarters.len(), 2);
    assert_eq!(quarters(range)[1].period.from, d("2027-04-01"));

    // Loads: the plan's, person by person.
    for (id, load) in &plan_load {
        let row = report.people.iter().find(|p| &p.employee_id == id).unwrap();
        assert!(
            (row.total.load - load).abs() < 1e-9,
            "{id}: {} vs {load}",
            row.total.load
        );
    }
    let shares: f64 = report.people.iter().map(|p| p.total.share).sum();
    let loads: f64 = report.people.iter().map(|p| p.total.load).sum();
    assert!((shares - loads).abs() < 1e-9);

    // Pay: the sums of comp's figures over the same quarters.
    let mut amount = Decimal::ZERO;
    let mut hours = Decimal::ZERO;
    let mut weekend = Decimal::ZERO;
    for q in &report.quarters {
        let comp = pay::report(&ws, &timelines, q.period, &[]).unwrap();
        amount += comp.total();
        hours += comp.people.iter().map(|p| p.hours).sum::<Decimal>();
        weekend += comp.people.iter().map(|p| p.weekend_days).sum::<Decimal>();
    }
    let total = |f: fn(&oncall::pay::fairness::Figures) -> Decimal| {
        report.people.iter().map(|p| f(&p.total)).sum::<Decimal>()
    };
    assert_eq!(total(|f| f.amount), amount);
    assert_eq!(total(|f| f.hours), hours);
    assert_eq!(total(|f| f.weekend_days), weekend);
    assert!(amount > Decimal::ZERO);

    // And over the whole range at once, comp pays the same hours.
    let whole = pay::report(&ws, &timelines, range, &[]).unwrap();
    let whole_hours: Decimal = whole.people.iter().map(|p| p.hours).sum();
    assert_eq!(whole_hours, hours);
}
