//! The independent plan checker.
//!
//! It re-verifies a plan from the inputs alone (docs/design.md §2–§4) and shares no
//! code with the optimiser: only the domain types of [`crate::model`], plan
//! documents included. Everything is recomputed here, deliberately in a different
//! and plainer style, so that a bug in one is caught by the other:
//!
//! - a wall-clock time becomes an instant by walking UTC forward a minute at a
//!   time until the zone's clock reads that time or later (which gives the first
//!   occurrence of an ambiguous time and the end of a spring-forward gap);
//! - a slot's load is summed minute by minute over the real elapsed time, each
//!   minute weighed by the kind of its local day;
//! - time off is compared as half-open intervals of instants.
//!
//! [`CheckContext`] does all the time-zone work once for a team and horizon, so
//! that [`CheckContext::evaluate`] can judge hundreds of thousands of
//! assignments in brute-force tests; [`check_plan`] builds on it to verify a
//! plan JSON.
//!
//! ```no_run
//! # fn demo(ws: &oncall::Workspace, doc: &oncall::PlanDoc) {
//! use oncall::checker::check_plan;
//! let report = check_plan(ws, oncall::TeamIdx(0), doc);
//! for violation in &report.violations {
//!     println!("violation: {violation}");
//! }
//! # }
//! ```

mod context;
mod document;
mod evaluate;
mod history;
mod rules;
mod time;
mod violation;
mod year;

#[cfg(test)]
mod tests;

pub use context::{CheckContext, TimeOffByPerson};
pub use evaluate::Evaluation;
pub use violation::{CheckError, FairnessField, Ineligibility, Violation};

use crate::model::document::PlanDoc;
use crate::model::history::{Busy, HeldShift};
use crate::model::{TeamIdx, Workspace};

/// Numbers in plan JSON are rounded to 4 decimal places; they are compared
/// with this tolerance.
pub const TOLERANCE: f64 = 1e-3;

/// What the checker found.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CheckReport {
    /// Every violation: the plan's header first, then its entries, rules and figures.
    pub violations: Vec<Violation>,
}

impl CheckReport {
    /// Whether the plan has no violation at all.
    pub fn is_ok(&self) -> bool {
        self.violations.is_empty()
    }
}

/// Checks a plan JSON against the workspace: its header, that every slot is
/// listed once, every hard rule, every recomputed instant, load and fairness
/// figure, and that the status and solver figures fit (docs/design.md §2–§4).
///
/// The horizon is `plan.horizon` when present, otherwise the earliest week of
/// the shifts and unfilled entries and the number of distinct weeks among them.
pub fn check_plan(ws: &Workspace, team: TeamIdx, plan: &PlanDoc) -> CheckReport {
    check_plan_with_history(ws, team, plan, &[])
}

/// [`check_plan`] for a team with published history: `history` is the team's
/// resolved timeline (published versions and overrides), of which the
/// segments before the plan's first week count. They add carry-over (load held
/// within `history_weeks` minus the share of it, among current members) and
/// the rest rule across the boundary.
pub fn check_plan_with_history(
    ws: &Workspace,
    team: TeamIdx,
    plan: &PlanDoc,
    history: &[HeldShift],
) -> CheckReport {
    check_plan_around(ws, team, plan, history, &[])
}

/// [`check_plan_with_history`], and no shift may overlap a time its person
/// is on call for another team (`busy`: other teams' timelines or plans,
/// already limited to teams that exclude this one).
pub fn check_plan_around(
    ws: &Workspace,
    team: TeamIdx,
    plan: &PlanDoc,
    history: &[HeldShift],
    busy: &[Busy],
) -> CheckReport {
    let mut report = check_alone(ws, team, plan, history, None);
    report.violations.extend(elsewhere(plan, busy));
    report
}

/// [`check_plan_around`] with everyone's time off already found: the same
/// judgement, for checking many plans of one workspace.
pub fn check_plan_among(
    ws: &Workspace,
    team: TeamIdx,
    plan: &PlanDoc,
    (history, busy): (&[HeldShift], &[Busy]),
    time_off: &TimeOffByPerson<'_>,
) -> CheckReport {
    let mut report = check_alone(ws, team, plan, history, Some(time_off));
    report.violations.extend(elsewhere(plan, busy));
    report
}

/// Every shift of `plan` that overlaps a stretch of `busy`, once per shift
/// and other team.
fn elsewhere(plan: &PlanDoc, busy: &[Busy]) -> Vec<Violation> {
    let mut out = Vec::new();
    for s in &plan.shifts {
        let mut seen = std::collections::BTreeSet::new();
        let clashes = busy.iter().filter(|b| b.clashes(&s.person, s.start, s.end));
        for b in clashes.filter(|b| seen.insert(b.team.as_str())) {
            out.push(Violation::OnCallElsewhere {
                person: s.person.clone(),
                week: s.week,
                role: s.role.clone(),
                team: b.team.clone(),
                their_role: b.role.clone(),
                start: b.start,
                end: b.end,
            });
        }
    }
    out
}

fn check_alone(
    ws: &Workspace,
    team: TeamIdx,
    plan: &PlanDoc,
    history: &[HeldShift],
    time_off: Option<&TimeOffByPerson<'_>>,
) -> CheckReport {
    let mut v = Vec::new();
    let Some(team_facts) = ws.teams.get(team.0) else {
        v.push(Violation::Horizon(CheckError::UnknownTeam {
            index: team.0,
        }));
        return CheckReport { violations: v };
    };
    document::check_header(ws, team_facts, plan, &mut v);
    let Some((first_week, weeks)) = document::plan_horizon(plan) else {
        v.push(Violation::EmptyPlan);
        return CheckReport { violations: v };
    };
    let mut ctx = match CheckContext::with_time_off(ws, team, (first_week, weeks), time_off) {
        Ok(ctx) => ctx,
        Err(e) => {
            v.push(Violation::Horizon(e));
            return CheckReport { violations: v };
        }
    };
    let past = ctx.add_history(ws, team_facts, first_week, history);
    let assignment = document::place_entries(ws, &mut ctx, plan, (first_week, weeks), &mut v);
    // The rules, and the fairness figures.
    let ev = ctx.evaluate(&assignment);
    v.extend(ev.violations.iter().cloned());
    ctx.check_rest_after_history(ws, &assignment, &past, &mut v);
    ctx.check_year_caps(&team_facts.rules, &assignment, history, &mut v);
    document::check_fairness(plan, &ev, &mut v);
    document::check_status(plan, &ev, &mut v);
    CheckReport { violations: v }
}
