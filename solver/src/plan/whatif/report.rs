//! The two sides of a what-if and their difference.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::checker::CheckReport;
use crate::model::document::{round4, ExplanationDoc, PlanDoc, UnfilledDoc};
use crate::model::{TeamIdx, Workspace};
use crate::pay::PayPeriod;
use crate::plan::Plan;
use crate::schedule::timeline::{PublishedSlot, Timeline};

/// The baseline, the scenario and what changed.
#[derive(Clone, Debug, Serialize)]
pub struct WhatIf {
    /// The changes, in words.
    pub changes: Vec<String>,
    /// The files read from memory instead of disk, relative to the workspace.
    pub replaced: Vec<PathBuf>,
    /// The team as it is.
    pub baseline: Side,
    /// The team under the changes.
    pub scenario: Side,
    /// Scenario minus baseline.
    pub diff: Diff,
    /// The scenario planned to move the fewest of the baseline's slots.
    pub stable: Stable,
}

/// One plan, summed up.
#[derive(Clone, Debug, Serialize)]
pub struct Side {
    /// `optimal`, `feasible`, `partial` or `infeasible`.
    pub status: String,
    /// What was proven, in words.
    pub proof: String,
    /// The largest excess.
    pub max_excess: f64,
    /// Its proven lower bound.
    pub bound: f64,
    /// The sum of absolute deviations.
    pub spread: f64,
    /// Slots left empty.
    pub unfilled: Vec<UnfilledDoc>,
    /// Why, when some are.
    pub explanation: Option<ExplanationDoc>,
    /// Every member, in roster order.
    pub people: Vec<PersonSide>,
    /// The pay policy's currency, when there is one.
    pub currency: Option<String>,
    /// Pay for the horizon's days under the pay policy, every person.
    pub cost: Option<Decimal>,
    /// The inputs hash the plan was made from.
    pub inputs_sha256: String,
    /// What the independent checker found (nothing, normally).
    pub violations: Vec<String>,
    /// The plan JSON, as `plan --format json` writes it.
    #[serde(skip)]
    pub plan: PlanDoc,
}

/// One member in one plan.
#[derive(Clone, Debug, Serialize)]
pub struct PersonSide {
    /// Person id.
    pub person: String,
    /// Their shifts, `week role`, in week order.
    pub shifts: Vec<String>,
    /// Available weeks (0: left out of the fairness sums).
    pub available_weeks: u32,
    /// Load in this plan.
    pub load: f64,
    /// Share.
    pub share: f64,
    /// Load minus share.
    pub deviation: f64,
    /// Weekend days carried, from the pay policy's day kinds.
    pub weekend_days: Option<Decimal>,
    /// Holiday days carried.
    pub holiday_days: Option<Decimal>,
    /// Pay.
    pub cost: Option<Decimal>,
}

/// The scenario planned for stability, as `replan --stable` would re-plan
/// the baseline: the fewest slots change hands with the largest excess
/// within `tolerance` of the fairest scenario's.
#[derive(Clone, Debug, Serialize)]
pub struct Stable {
    /// How far above the optimum the largest excess may go, in load units.
    pub tolerance: f64,
    /// The fairest scenario's largest excess, which this one trades for
    /// fewer changes.
    pub optimum: f64,
    /// This plan's largest excess.
    pub max_excess: f64,
    /// Every slot whose holder differs from the baseline.
    pub slots: Vec<SlotChange>,
    /// The independent checker's findings on this plan; empty when it holds.
    pub violations: Vec<String>,
}

/// The stable alternative against the baseline.
pub(super) fn stable(baseline: &Side, fairest: &Side, side: Side, tolerance: f64) -> Stable {
    Stable {
        tolerance,
        optimum: fairest.max_excess,
        max_excess: side.max_excess,
        slots: slot_changes(&baseline.plan, &side.plan),
        violations: side.violations,
    }
}

/// What the scenario changes.
#[derive(Clone, Debug, Serialize)]
pub struct Diff {
    /// Every slot whose holder differs, in week and role order.
    pub slots: Vec<SlotChange>,
    /// Every person whose shifts differ, in id order.
    pub people: Vec<PersonDiff>,
    /// Scenario largest excess minus baseline.
    pub max_excess: f64,
    /// Scenario cost minus baseline, when both have one.
    pub cost: Option<Decimal>,
    /// Slots unfilled in the scenario that the baseline fills.
    pub new_unfilled: Vec<UnfilledDoc>,
    /// Whether the scenario's status differs.
    pub status_changed: bool,
    /// Remarks, e.g. why a hire takes no weeks.
    pub notes: Vec<String>,
}

/// One slot that changes hands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SlotChange {
    /// The week's first day.
    pub week: NaiveDate,
    /// Role.
    pub role: String,
    /// Holder in the baseline (`None`: unfilled).
    pub before: Option<String>,
    /// Holder in the scenario.
    pub after: Option<String>,
}

/// One person's gains and losses.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PersonDiff {
    /// Person id.
    pub person: String,
    /// Shifts in the baseline.
    pub before: usize,
    /// Shifts in the scenario.
    pub after: usize,
    /// Shifts gained, `week role`.
    pub gained: Vec<String>,
    /// Shifts lost, `week role`.
    pub lost: Vec<String>,
    /// Scenario load minus baseline.
    pub load: f64,
}

/// The summary of one plan.
pub(super) fn side(
    ws: &Workspace,
    team: TeamIdx,
    plan: &Plan,
    doc: PlanDoc,
    check: &CheckReport,
) -> Side {
    let pay = pay(ws, team, plan, &doc);
    let currency = ws.org.compensation.as_ref().map(|c| c.currency.clone());
    // Nothing, written with the currency's decimals (`0.00`).
    let zero = Decimal::new(0, ws.org.compensation.as_ref().map_or(0, |c| c.minor_units));
    let people = ws
        .team(team)
        .members
        .iter()
        .filter_map(|p| ws.people.get(p.0))
        .map(|person| person_side(&doc, &person.id, pay.as_ref(), zero))
        .collect();
    Side {
        status: doc.status.clone(),
        proof: proof(&doc),
        max_excess: doc.fairness.max_excess,
        bound: doc.solver.bound,
        spread: doc.solver.spread,
        unfilled: doc.unfilled.clone(),
        explanation: doc.explanation.clone(),
        people,
        currency,
        cost: pay
            .as_ref()
            .map(|r| r.people.iter().map(|p| p.amount).sum()),
        inputs_sha256: doc.inputs_sha256.clone().unwrap_or_default(),
        violations: check.violations.iter().map(ToString::to_string).collect(),
        plan: doc,
    }
}

fn proof(doc: &PlanDoc) -> String {
    match doc.status.as_str() {
        "optimal" => "largest excess proven minimal".to_string(),
        "feasible" => format!(
            "largest excess within {:.2}% of the bound {}",
            doc.solver.gap * 100.0,
            doc.solver.bound
        ),
        "partial" => format!("{} slot(s) cannot be filled", doc.unfilled.len()),
        _ => "no slot can be filled".to_string(),
    }
}

fn person_side(
    doc: &PlanDoc,
    id: &str,
    pay: Option<&crate::pay::CompReport>,
    zero: Decimal,
) -> PersonSide {
    let fair = doc.fairness.people.iter().find(|f| f.person == id);
    let summary = pay.and_then(|r| r.people.iter().find(|p| p.employee_id == id));
    PersonSide {
        person: id.to_string(),
        shifts: doc
            .shifts
            .iter()
            .filter(|s| s.person == id)
            .map(|s| format!("{} {}", s.week, s.role))
            .collect(),
        available_weeks: fair.map_or(0, |f| f.available_weeks),
        load: fair.map_or(0.0, |f| f.load),
        share: fair.map_or(0.0, |f| f.share),
        deviation: fair.map_or(0.0, |f| f.deviation),
        weekend_days: pay.map(|_| summary.map_or(Decimal::ZERO, |s| s.weekend_days)),
        holiday_days: pay.map(|_| summary.map_or(Decimal::ZERO, |s| s.holiday_days)),
        cost: pay.map(|_| summary.map_or(zero, |s| s.amount)),
    }
}

/// The pay report of the plan's shifts over the horizon's days, as if
/// published; `None` without a pay policy.
fn pay(
    ws: &Workspace,
    team: TeamIdx,
    plan: &Plan,
    doc: &PlanDoc,
) -> Option<crate::pay::CompReport> {
    let (first, last) = (plan.weeks.first()?, plan.weeks.last()?);
    let now = crate::clock::now();
    let slots: Vec<PublishedSlot> = doc
        .shifts
        .iter()
        .map(|s| PublishedSlot::of_shift(s, 1, now))
        .collect();
    let timeline = Timeline::resolve(ws.team(team), &slots, &[]);
    let period = PayPeriod {
        from: first.first_day,
        to: last.next_day,
    };
    crate::pay::report(ws, &[(team, timeline)], period, &[]).ok()
}

/// Scenario minus baseline.
pub(super) fn diff(before: &Side, after: &Side) -> Diff {
    let slots = slot_changes(&before.plan, &after.plan);
    let ids: BTreeSet<&str> = before
        .people
        .iter()
        .chain(&after.people)
        .map(|p| p.person.as_str())
        .collect();
    let find = |side: &'_ Side, id: &str| side.people.iter().find(|p| p.person == id).cloned();
    let people = ids
        .into_iter()
        .filter_map(|id| {
            let (b, a) = (find(before, id), find(after, id));
            let none = Vec::new();
            let bs = b.as_ref().map_or(&none, |p| &p.shifts);
            let as_ = a.as_ref().map_or(&none, |p| &p.shifts);
            let gained: Vec<String> = as_.iter().filter(|s| !bs.contains(s)).cloned().collect();
            let lost: Vec<String> = bs.iter().filter(|s| !as_.contains(s)).cloned().collect();
            let load =
                round4(a.as_ref().map_or(0.0, |p| p.load) - b.as_ref().map_or(0.0, |p| p.load));
            (!gained.is_empty() || !lost.is_empty()).then(|| PersonDiff {
                person: id.to_string(),
                before: bs.len(),
                after: as_.len(),
                gained,
                lost,
                load,
            })
        })
        .collect();
    let new_unfilled = after
        .unfilled
        .iter()
        .filter(|u| {
            !before
                .unfilled
                .iter()
                .any(|b| b.week == u.week && b.role == u.role)
        })
        .cloned()
        .collect();
    Diff {
        slots,
        people,
        max_excess: round4(after.max_excess - before.max_excess),
        cost: before.cost.zip(after.cost).map(|(b, a)| a - b),
        new_unfilled,
        status_changed: before.status != after.status,
        notes: Vec::new(),
    }
}

/// Holder of every slot in `doc`, filled or not.
fn holders(doc: &PlanDoc) -> BTreeMap<(NaiveDate, String), Option<String>> {
    let mut out: BTreeMap<(NaiveDate, String), Option<String>> = BTreeMap::new();
    for s in &doc.shifts {
        out.insert((s.week, s.role.clone()), Some(s.person.clone()));
    }
    for u in &doc.unfilled {
        out.insert((u.week, u.role.clone()), None);
    }
    out
}

/// The slots whose holder differs between two plans of the same weeks.
pub fn slot_changes(before: &PlanDoc, after: &PlanDoc) -> Vec<SlotChange> {
    let (b, a) = (holders(before), holders(after));
    let keys: BTreeSet<&(NaiveDate, String)> = b.keys().chain(a.keys()).collect();
    keys.into_iter()
        .filter_map(|key| {
            let (x, y) = (b.get(key).cloned().flatten(), a.get(key).cloned().flatten());
            (x != y).then(|| SlotChange {
                week: key.0,
                role: key.1.clone(),
                before: x,
                after: y,
            })
        })
        .collect()
}

/// Why a hire in `scenario` takes no shifts, when they take none.
pub(super) fn hire_note(
    ws: &Workspace,
    team: TeamIdx,
    plan: &Plan,
    side: &Side,
    id: &str,
) -> Option<String> {
    let person = side.people.iter().find(|p| p.person == id)?;
    if !person.shifts.is_empty() {
        return None;
    }
    let joined = ws.people.get(ws.person_by_id(id)?.0)?.joined;
    let last = plan.weeks.last()?.first_day;
    let tenure: Vec<String> = ws
        .team(team)
        .roles
        .iter()
        .map(|r| {
            let ready = joined + chrono::Duration::days(r.min_tenure_days);
            format!(
                "{} needs {} days, reached {ready}",
                r.name, r.min_tenure_days
            )
        })
        .collect();
    let ready = ws
        .team(team)
        .roles
        .iter()
        .map(|r| joined + chrono::Duration::days(r.min_tenure_days))
        .min()?;
    Some(if ready > last {
        format!(
            "{id} takes no weeks: joined {joined}, and no role's tenure is reached by the last week ({last}): {}",
            tenure.join("; ")
        )
    } else {
        format!(
            "{id} takes no weeks (available weeks {}): {}",
            person.available_weeks,
            tenure.join("; ")
        )
    })
}
