//! The checks of a plan document against the recomputation (docs/design.md §4): its
//! header, that every slot is listed once with the right instants and load,
//! its fairness figures, and its status and solver figures.

use std::collections::BTreeSet;

use chrono::NaiveDate;

use super::context::CheckContext;
use super::evaluate::Evaluation;
use super::violation::{FairnessField, Violation};
use super::TOLERANCE;
use crate::model::document::{PersonFairnessDoc, PlanDoc, ShiftDoc};
use crate::model::{PersonIdx, Team, Workspace};

/// Who holds each slot, `assignment[week][role]`.
pub(super) type Assignment = Vec<Vec<Option<PersonIdx>>>;

/// The plan's schema, team, time zone and inputs.
pub(super) fn check_header(ws: &Workspace, team: &Team, plan: &PlanDoc, v: &mut Vec<Violation>) {
    if plan.schema != 1 {
        v.push(Violation::Schema { found: plan.schema });
    }
    if plan.team != team.id {
        v.push(Violation::WrongTeam {
            expected: team.id.clone(),
            found: plan.team.clone(),
        });
    }
    if plan.timezone != team.timezone.name() {
        v.push(Violation::WrongTimezone {
            expected: team.timezone.name().to_string(),
            found: plan.timezone.clone(),
        });
    }
    if let Some(found) = plan
        .inputs_sha256
        .as_ref()
        .filter(|h| **h != ws.inputs_sha256)
    {
        v.push(Violation::DifferentInputs {
            expected: ws.inputs_sha256.clone(),
            found: found.clone(),
        });
    }
}

/// The plan's first week and number of weeks: `plan.horizon` when present,
/// otherwise the earliest week of the shifts and unfilled entries and the
/// number of distinct weeks among them. `None` when the plan has neither.
pub(super) fn plan_horizon(plan: &PlanDoc) -> Option<(NaiveDate, u32)> {
    if let Some(h) = &plan.horizon {
        return Some((h.first_week, h.weeks));
    }
    let dates: BTreeSet<NaiveDate> = plan
        .shifts
        .iter()
        .map(|s| s.week)
        .chain(plan.unfilled.iter().map(|u| u.week))
        .collect();
    let first = *dates.first()?;
    Some((first, u32::try_from(dates.len()).unwrap_or(u32::MAX)))
}

/// Places every shift and unfilled entry on its slot, checking the shifts'
/// instants, loads and people, then that every slot is listed exactly once.
/// Returns who holds each slot.
pub(super) fn place_entries(
    ws: &Workspace,
    ctx: &mut CheckContext,
    plan: &PlanDoc,
    horizon: (NaiveDate, u32),
    v: &mut Vec<Violation>,
) -> Assignment {
    let people: Vec<Option<PersonIdx>> = plan
        .shifts
        .iter()
        .map(|s| ctx.person_in_roster(ws, &s.person))
        .collect();
    let ctx = &*ctx;
    let mut placement = Placement::new(ctx, horizon);
    for (s, person) in plan.shifts.iter().zip(people) {
        let Some((w, r)) = placement.locate(s.week, &s.role, v) else {
            continue;
        };
        check_shift(ctx, s, (w, r), v);
        match person {
            None => v.push(Violation::UnknownPerson {
                week: s.week,
                role: s.role.clone(),
                person: s.person.clone(),
            }),
            Some(p) => placement.hold(w, r, p),
        }
    }
    for u in &plan.unfilled {
        let _ = placement.locate(u.week, &u.role, v);
    }
    placement.check_listing(v);
    placement.assignment
}

/// A shift's instants and load against the recomputed slot `(w, r)`.
fn check_shift(ctx: &CheckContext, s: &ShiftDoc, (w, r): (usize, usize), v: &mut Vec<Violation>) {
    let expected = ctx.week_bounds_checked(w);
    if let Some(expected) = expected.filter(|&(a, b)| a != s.start || b != s.end) {
        v.push(Violation::WrongTimes {
            week: s.week,
            role: s.role.clone(),
            expected,
            found: (s.start, s.end),
        });
    }
    let load = ctx.slot_load(w, r);
    if (load - s.load).abs() > TOLERANCE {
        v.push(Violation::WrongLoad {
            week: s.week,
            role: s.role.clone(),
            expected: load,
            found: s.load,
        });
    }
}

/// The plan's entries laid on the horizon's slots.
struct Placement<'a> {
    ctx: &'a CheckContext,
    /// The horizon's first week and number of weeks, for messages.
    horizon: (NaiveDate, u32),
    assignment: Assignment,
    /// How many entries name each slot, `[week][role]`.
    listed: Vec<Vec<usize>>,
}

impl<'a> Placement<'a> {
    fn new(ctx: &'a CheckContext, horizon: (NaiveDate, u32)) -> Placement<'a> {
        Placement {
            ctx,
            horizon,
            assignment: vec![vec![None; ctx.roles.len()]; ctx.weeks()],
            listed: vec![vec![0; ctx.roles.len()]; ctx.weeks()],
        }
    }

    /// The slot an entry names, counted as listed once more; `None`, with the
    /// violation, for a role the team lacks or a week outside the horizon.
    fn locate(
        &mut self,
        week: NaiveDate,
        role: &str,
        v: &mut Vec<Violation>,
    ) -> Option<(usize, usize)> {
        let Some(r) = self.ctx.roles.iter().position(|x| x.name == role) else {
            v.push(Violation::UnknownRole {
                week,
                role: role.to_string(),
            });
            return None;
        };
        let Some(w) = self.ctx.week_index(week) else {
            let (first_week, weeks) = self.horizon;
            v.push(Violation::WeekOutsideHorizon {
                week,
                role: role.to_string(),
                first_week,
                weeks,
            });
            return None;
        };
        if let Some(count) = self.listed.get_mut(w).and_then(|row| row.get_mut(r)) {
            *count += 1;
        }
        Some((w, r))
    }

    /// Gives slot `(w, r)` to `p`.
    fn hold(&mut self, w: usize, r: usize, p: PersonIdx) {
        if let Some(slot) = self.assignment.get_mut(w).and_then(|row| row.get_mut(r)) {
            *slot = Some(p);
        }
    }

    /// Every slot must be listed exactly once, as a shift or as unfilled.
    fn check_listing(&self, v: &mut Vec<Violation>) {
        for (w, row) in self.listed.iter().enumerate() {
            for (r, &count) in row.iter().enumerate() {
                let (week, role) = (self.ctx.week_key(w), self.ctx.role_name(r));
                if count == 0 {
                    v.push(Violation::MissingSlot { week, role });
                } else if count > 1 {
                    v.push(Violation::DuplicateSlot { week, role, count });
                }
            }
        }
    }
}

/// The plan's fairness entries and `max_excess` against the recomputation.
pub(super) fn check_fairness(plan: &PlanDoc, ev: &Evaluation, v: &mut Vec<Violation>) {
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    for found in &plan.fairness.people {
        if !seen.insert(found.person.as_str()) {
            v.push(Violation::DuplicateFairness {
                person: found.person.clone(),
            });
        }
        if !ev.people.iter().any(|e| e.person == found.person) {
            v.push(Violation::UnavailableListed {
                person: found.person.clone(),
            });
        }
    }
    for expected in &ev.people {
        let Some(found) = plan
            .fairness
            .people
            .iter()
            .find(|f| f.person == expected.person)
        else {
            v.push(Violation::MissingFairness {
                person: expected.person.clone(),
                available_weeks: expected.available_weeks,
            });
            continue;
        };
        check_figures(expected, found, v);
    }
    if (plan.fairness.max_excess - ev.max_excess).abs() > TOLERANCE {
        v.push(Violation::MaxExcess {
            expected: ev.max_excess,
            found: plan.fairness.max_excess,
        });
    }
}

/// One person's fairness figures, recomputed against the plan's.
fn check_figures(expected: &PersonFairnessDoc, found: &PersonFairnessDoc, v: &mut Vec<Violation>) {
    let figures = [
        (
            FairnessField::AvailableWeeks,
            f64::from(expected.available_weeks),
            f64::from(found.available_weeks),
        ),
        (FairnessField::Carry, expected.carry, found.carry),
        (FairnessField::Load, expected.load, found.load),
        (FairnessField::Share, expected.share, found.share),
        (
            FairnessField::Deviation,
            expected.deviation,
            found.deviation,
        ),
    ];
    for (field, e, f) in figures {
        if (e - f).abs() > TOLERANCE {
            v.push(Violation::FairnessMismatch {
                person: expected.person.clone(),
                field,
                expected: e,
                found: f,
            });
        }
    }
}

/// The status against the shifts and unfilled slots, and the solver's
/// objective and bound against the recomputed largest excess.
pub(super) fn check_status(plan: &PlanDoc, ev: &Evaluation, v: &mut Vec<Violation>) {
    let (shifts, unfilled) = (plan.shifts.len(), plan.unfilled.len());
    let fits = match plan.status.as_str() {
        "optimal" | "feasible" => Some(unfilled == 0),
        "partial" => Some(unfilled > 0 && shifts > 0),
        "infeasible" => Some(shifts == 0),
        _ => None,
    };
    match fits {
        None => v.push(Violation::UnknownStatus {
            status: plan.status.clone(),
        }),
        Some(false) => v.push(Violation::StatusMismatch {
            status: plan.status.clone(),
            shifts,
            unfilled,
        }),
        Some(true) => {}
    }
    let (objective, bound) = (plan.solver.objective, plan.solver.bound);
    if (objective - ev.max_excess).abs() > TOLERANCE {
        v.push(Violation::ObjectiveMismatch {
            expected: ev.max_excess,
            found: objective,
        });
    }
    if bound > objective + TOLERANCE {
        v.push(Violation::BoundAboveObjective { bound, objective });
    } else if plan.status == "optimal" && (objective - bound).abs() > TOLERANCE {
        v.push(Violation::OptimalWithGap { bound, objective });
    }
}
