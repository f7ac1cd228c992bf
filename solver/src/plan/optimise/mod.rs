//! The optimiser: a planning [`Instance`] as a MILP on HiGHS (through good_lp),
//! solved lexicographically (docs/design.md §3):
//!
//! 1. fill as many slots as possible;
//! 2. minimise the largest excess `max_p d_p`;
//! 3. minimise the spread `Σ_p |d_p|` without making the largest excess worse.
//!
//! The plan's status speaks of the largest excess, the fairness objective:
//! `optimal` means it is proven minimal. The spread is a tie-break among
//! equally fair plans; it gets at most a fifth of the time budget and its own
//! bound is reported separately (`solver.spread`, `solver.spread_bound`).
//!
//! ## Why the bound is tight
//!
//! The plain min-max model has an LP bound near zero: fractional assignments are
//! perfectly fair. Before solving, every person's *reachable loads* are
//! enumerated exactly (a dynamic programme over the weeks that respects
//! eligibility, pins, `rest_weeks` and `max_shifts`). Since the loads of all
//! people add up to the plan's total `L`, the largest excess is at least the
//! smallest `z` for which `Σ_p max{ l ∈ R_p : l ≤ T_p + z } ≥ L`, and each
//! person's absolute deviation is at least the distance from their share to
//! the nearest load they can reach.
//!
//! That bound is weak when loads come in lumps: a heavy holiday week cannot be
//! balanced by half of a light one. So every person's *patterns* (how many
//! slots of each role and load they take) are enumerated by the same dynamic
//! programme, and a set-partitioning programme over them (`patterns`)
//! decides whether any choice of patterns keeps everyone within a candidate
//! value. Its linear relaxation is tight, so it refutes in hundredths of a
//! second what the week-level model takes seconds to refute. The search walks
//! the candidate values (reachable loads minus shares) up from the bound at
//! doubling steps, then bisects; each value is refuted by the patterns or met
//! by a plan, from the patterns' choice made a week-level plan or from the
//! week-level model with every load capped. The first value not refuted is a
//! proven bound, and on realistic teams a plan meets it at once. The spread
//! tie-break is bounded the same way, by the least spread over patterns within
//! the largest excess, and the plan of those patterns meets it.
//!
//! ## Layout
//!
//! [`solve`] runs the phases in order and times each
//! ([`SolveStats::phases`](crate::plan::SolveStats)) on the clock of
//! `progress`, which also holds the best plan so far: `fill` (`phases`),
//! `reachability` and `bounds` (`bounds`), `patterns` and `search`
//! (`search`, over the relaxation of `patterns`), then `min-max` (only
//! when the search ran out of time), `fewest-changes` (re-plans only),
//! `pattern-spread`, `spread` and `plan` (`phases`). The MILP is built in `model`, one
//! function per family of constraint rows; every row is tagged with the rule,
//! week, role and person it came from ([`RowTag`]), so conflicts can be told
//! in domain words. The greedy seed of the fill phase is in `seed`; what the
//! fill fixes for the later phases (filled slots, shares) in `filled`; slot
//! loads in micro-units in `units`. Teams that share people are planned
//! together in `joint`.

mod bounds;
mod filled;
mod joint;
mod model;
mod patterns;
mod phases;
mod progress;
mod search;
mod seed;
mod units;

pub use joint::{components, plan_all, plan_component, TeamContext, TeamResult};
pub use model::RowTag;

use crate::model::PersonIdx;
use crate::plan::instance::Instance;
use crate::plan::Plan;
use filled::Filled;
use phases::Reference;
use progress::{Clock, Outcome};

/// Settings for one solve.
#[derive(Clone, Debug, Default)]
pub struct PlanOptions {
    /// Wall-clock budget for the whole solve, in seconds. `None` means 60 s.
    pub time_limit: Option<f64>,
    /// In a re-plan, the published assignment `[week][role]` to stay close
    /// to: after the largest excess is minimised, the fewest slots that
    /// differ from it are changed, and the spread is evened out only among
    /// plans with that few changes.
    pub reference: Option<Vec<Vec<Option<PersonIdx>>>>,
    /// In a re-plan, put stability first (`replan --stable`): the largest
    /// excess may exceed its optimum by up to this many load units, and
    /// among those plans the fewest published slots change. `None` keeps the
    /// optimum exactly. Ignored without a `reference`.
    pub tolerance: Option<f64>,
}

/// The default `--tolerance` of `replan --stable`, in load units: half a
/// weekday week at weight 1.
pub const DEFAULT_TOLERANCE: f64 = 0.5;

/// Default budget when no `--time-limit` is given.
pub const DEFAULT_TIME_LIMIT: f64 = 60.0;

/// Errors the optimiser cannot turn into a plan.
#[derive(Debug, thiserror::Error)]
pub enum SolveError {
    /// HiGHS refused the model or failed unexpectedly.
    #[error("the solver failed: {0}")]
    Backend(String),
}

/// Slack on the largest excess once it is fixed, in load units.
const TOL: f64 = 1e-6;
/// How far above a candidate value a plan's largest excess may be, in load
/// units, and still count as within it: loads are counted in micro-units by
/// the bounds and in floating point by the plan.
const PROVEN: f64 = 1e-6;

/// Plans one instance.
///
/// # Errors
/// Only when HiGHS itself fails; an impossible plan is a
/// [`Status::Partial`](crate::plan::Status::Partial) or
/// [`Status::Infeasible`](crate::plan::Status::Infeasible) plan, not an error.
pub fn solve(inst: &Instance<'_>, opts: &PlanOptions) -> Result<Plan, SolveError> {
    let mut clock = Clock::start(opts.time_limit.unwrap_or(DEFAULT_TIME_LIMIT));
    let all = filled::all_slots(inst);
    let filled = phases::fill(inst, &all, &clock)?;
    clock.lap("fill");
    let fx = Filled::new(inst, &filled);
    let mut out = Outcome::new(filled);
    if fx.has_fairness() {
        fairness(&fx, opts, &mut out, &mut clock)?;
    }
    Ok(phases::build_plan(&fx, &all, out, clock))
}

/// The phases after the fill: the largest excess, then (re-plans) the fewest
/// changes, then the spread.
fn fairness(
    fx: &Filled<'_, '_>,
    opts: &PlanOptions,
    out: &mut Outcome,
    clock: &mut Clock,
) -> Result<(), SolveError> {
    // The bounds get half of what is left; past it they weaken, and the
    // searches after them keep the best plan so far.
    let deadline = clock.deadline(0.5);
    let reach = bounds::reachability(fx, deadline);
    clock.lap("reachability");
    let lb = bounds::lower_bound(fx, &reach, deadline);
    clock.lap("bounds");
    let rel = search::relax(fx, &reach, lb, out, clock);
    clock.lap("patterns");
    let probed = search::search(fx, (&reach, rel.as_ref()), lb, out, clock)?;
    clock.lap("search");
    phases::min_max(fx, lb, &probed, out, clock)?;
    clock.lap("min-max");
    let reference = opts
        .reference
        .as_deref()
        .map(|r| Reference::new(fx.inst, r));
    let keep = match &reference {
        Some(r) => {
            let slack = opts.tolerance.unwrap_or(0.0).max(0.0);
            let kept = phases::fewest_changes(fx, r, slack, out, clock)?;
            clock.lap("fewest-changes");
            Some((r, kept))
        }
        None => None,
    };
    clock.start_tiebreak();
    // The patterns' spread bound holds in a re-plan too, but their plan
    // may change published slots that the re-plan keeps.
    let patterned = match &rel {
        Some(rel) if out.excess_proven => {
            let spread = phases::pattern_spread(fx, rel, keep.is_none(), out, clock)?;
            clock.lap("pattern-spread");
            spread
        }
        _ => None,
    };
    phases::spread(fx, &reach, keep, patterned, out, clock)?;
    clock.lap("spread");
    Ok(())
}

/// `(objective - bound) / max(|objective|, 1)`: relative to the objective, but
/// never blown up by an objective near zero.
pub fn relative_gap(objective: f64, bound: f64) -> f64 {
    ((objective - bound) / objective.abs().max(1.0)).max(0.0)
}

/// Planning failed before a plan could be made.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// The horizon cannot be planned.
    #[error(transparent)]
    Horizon(#[from] crate::plan::horizon::HorizonError),
    /// The solver failed.
    #[error(transparent)]
    Solve(#[from] SolveError),
}

/// Plans `team` over `spec`: the one call most users need.
///
/// # Errors
/// A horizon that cannot be planned, or a solver failure. Unfillable slots are
/// not errors: they make a [`Status::Partial`](crate::plan::Status::Partial) plan.
pub fn plan(
    ws: &crate::model::Workspace,
    team: crate::model::TeamIdx,
    spec: &crate::plan::horizon::HorizonSpec,
    opts: &PlanOptions,
) -> Result<Plan, PlanError> {
    let inst = Instance::new(ws, team, spec)?;
    Ok(solve(&inst, opts)?)
}

/// Plans `team` over `spec` after its published history (the team's resolved
/// timeline): segments before the horizon add carry-over within
/// `history_weeks` and the rest rule across the boundary (docs/design.md §2–§3).
///
/// # Errors
/// As [`plan`].
pub fn plan_with_history(
    ws: &crate::model::Workspace,
    team: crate::model::TeamIdx,
    spec: &crate::plan::horizon::HorizonSpec,
    opts: &PlanOptions,
    history: &[crate::model::history::HeldShift],
) -> Result<Plan, PlanError> {
    plan_around(ws, team, spec, opts, history, &[])
}

/// [`plan_with_history`] around the time its members are on call for other
/// teams (`busy`, e.g. their published timelines): no member is put on call
/// in a week in which they are on call elsewhere.
///
/// # Errors
/// As [`plan`].
pub fn plan_around(
    ws: &crate::model::Workspace,
    team: crate::model::TeamIdx,
    spec: &crate::plan::horizon::HorizonSpec,
    opts: &PlanOptions,
    history: &[crate::model::history::HeldShift],
    busy: &[crate::model::history::Busy],
) -> Result<Plan, PlanError> {
    let weeks = crate::plan::horizon::weeks(ws.team(team), spec)?;
    let before = weeks
        .first()
        .map_or(chrono::NaiveDate::MIN, |w| w.first_day);
    let past = crate::plan::instance::past_shifts(ws, team, history, before);
    let mut inst = Instance::with_weeks(ws, team, weeks, &past);
    inst.block_busy(busy);
    Ok(solve(&inst, opts)?)
}

/// Plans several teams at once, one solve per team spread over the CPU cores.
/// Results come back in the order of `teams`.
pub fn plan_teams(
    ws: &crate::model::Workspace,
    teams: &[crate::model::TeamIdx],
    spec: &crate::plan::horizon::HorizonSpec,
    opts: &PlanOptions,
) -> Vec<Result<Plan, PlanError>> {
    use rayon::prelude::*;
    teams.par_iter().map(|&t| plan(ws, t, spec, opts)).collect()
}
