//! The phases of a solve around the search ([`super::search`]): first fill
//! as many slots as possible; after the search, minimise the largest excess
//! directly if the search did not settle it, change as few published slots
//! as possible (re-plans), bound and even out the spread, and build the plan.

use std::collections::BTreeSet;

use good_lp::{variable, Expression};

use super::bounds::{self, Reach};
use super::filled::Filled;
use super::model::{run, Assignment, Cell, Model, RunSettings};
use super::patterns::Relaxation;
use super::progress::{Clock, Outcome};
use super::search::{Probed, PATTERN_RUN};
use super::{relative_gap, seed, SolveError, PROVEN, TOL};
use crate::model::{PersonIdx, RoleIdx};
use crate::plan::instance::Instance;
use crate::plan::{Plan, SolveStats, Status, UnfilledSlot};

/// Most branch-and-bound nodes for the spread tie-break. Ties in the spread
/// are common, and HiGHS breaks them by where it stops: stopping on a node
/// count rather than on the clock makes the same inputs give the same plan on
/// every run, however busy the machine. On small and mid-sized teams this
/// limit, or the gap, ends the run well inside its time budget; only a run
/// that ends on the clock (large teams, short `--time-limit`) may break ties
/// differently from one run to the next.
const SPREAD_NODES: i32 = 50;
/// Longest run of the spread over patterns, in seconds, within the
/// tie-break's budget: its plan meets its bound, so it saves the week-level
/// tie-break that would follow, which has the rest of the budget.
const PATTERN_SPREAD_RUN: f64 = 2.0;
/// Relative MIP gap accepted as proof for the spread tie-break (0.05 %; one
/// hour of weekday load at weight 0.5 is 0.02 units, 0.1 % of a typical spread).
const SPREAD_GAP: f64 = 5e-4;
/// Absolute gap accepted as proof for the spread tie-break, in load units:
/// below what the JSON's four decimals tell apart for a handful of people, and
/// a fraction of one hour's load. Stopping on a gap rather than on the clock
/// also makes the chosen plan the same on every run and machine.
const SPREAD_ABS_GAP: f64 = 2e-3;

fn count_filled(a: &[Vec<Option<usize>>]) -> usize {
    a.iter().flatten().filter(|s| s.is_some()).count()
}

/// Phase 1: fill as many slots as possible. The greedy seed is used as it is
/// only when it fills everything fillable and keeps every rule: it is then
/// the witness that the filled set is feasible.
pub(super) fn fill(
    inst: &Instance<'_>,
    all: &BTreeSet<(usize, usize)>,
    clock: &Clock,
) -> Result<Assignment, SolveError> {
    let seed = seed::greedy(inst);
    let seeded = count_filled(&seed);
    let fillable: BTreeSet<(usize, usize)> = all
        .iter()
        .copied()
        .filter(|&(w, r)| (0..inst.members.len()).any(|i| inst.allowed(w, r, i)))
        .collect();
    let seed_valid = seed::keeps_rules(inst, &seed);
    if seeded == fillable.len() && seed_valid {
        return Ok(seed);
    }
    let mut model = Model::new(inst, &fillable);
    model.at_most_one_per_slot(&fillable);
    let objective = model.filled_count();
    let res = run(model, objective, RunSettings::exact(true, clock.left(0.3)))?;
    Ok(match res.assignment(inst) {
        Some(got) if count_filled(&got) >= seeded || !seed_valid => got,
        Some(_) => seed,
        None if seed_valid => seed,
        None => vec![vec![None; inst.roles()]; inst.weeks.len()],
    })
}

/// Phase 3b: the spread's lower bound from the relaxation, within the largest excess
/// `out.stats.objective` of the best plan; a plan that gives everyone their
/// patterns of the smallest spread becomes the best plan (`may_replace`:
/// not in a re-plan, which keeps published slots), and meets it.
pub(super) fn pattern_spread(
    fx: &Filled<'_, '_>,
    rel: &Relaxation,
    may_replace: bool,
    out: &mut Outcome,
    clock: &Clock,
) -> Result<Option<(f64, f64)>, SolveError> {
    let zstar = out.stats.objective;
    if clock.expired() {
        return Ok(None);
    }
    let time = (clock.tiebreak_left() / 2.0).min(PATTERN_SPREAD_RUN);
    let even = rel.min_spread(fx, zstar, (time, (SPREAD_GAP, SPREAD_ABS_GAP)))?;
    if let Some(choice) = even.choice.as_deref().filter(|_| may_replace) {
        if let Some(a) = rel.realise(fx, choice, clock.left(0.3).min(PATTERN_RUN))? {
            if fx.max_excess(&a) <= zstar + PROVEN && fx.spread(&a) < fx.spread(&out.best) {
                out.best = a;
            }
        }
    }
    // HiGHS's dual bound holds whether or not the run ended proven, unless
    // it proved that no choice is within `zstar` (which rounding alone
    // could cause): that proves no bound on the spread.
    Ok((even.choice.is_some() || !even.proven).then_some((zstar, even.bound)))
}

/// Phase 2c: minimise the largest excess directly from the best plan so far,
/// unless the search proved it; then record the largest excess and its bound.
pub(super) fn min_max(
    fx: &Filled<'_, '_>,
    lb: Option<f64>,
    probed: &Probed,
    out: &mut Outcome,
    clock: &Clock,
) -> Result<(), SolveError> {
    let (run_bound, run_proven) = if probed.proven {
        (f64::NEG_INFINITY, true)
    } else if clock.expired() {
        (f64::NEG_INFINITY, false)
    } else {
        min_max_run(fx, probed.z_lo, out, clock)?
    };
    let zstar = fx.max_excess(&out.best);
    let bound = run_bound
        .max(probed.z_lo)
        .max(lb.unwrap_or(f64::NEG_INFINITY))
        .max(fx.mean_excess(&out.best))
        .min(zstar);
    out.excess_proven = run_proven || zstar - bound <= 1e-6;
    out.stats.objective = zstar;
    out.stats.bound = if out.excess_proven { zstar } else { bound };
    Ok(())
}

/// The direct min-max solve with the largest excess at least `z_lo`: its
/// bound and whether it is proven.
fn min_max_run(
    fx: &Filled<'_, '_>,
    z_lo: f64,
    out: &mut Outcome,
    clock: &Clock,
) -> Result<(f64, bool), SolveError> {
    let mut model = fx.model();
    let z = model.add_var(variable().min(if z_lo.is_finite() { z_lo - TOL } else { -1e9 }));
    for &i in &fx.people {
        model.excess(fx.inst, i, fx.shares[i], z);
    }
    let res = run(model, z.into(), RunSettings::exact(false, clock.left(0.6)))?;
    if let Some(cand) = res.assignment(fx.inst) {
        if fx.max_excess(&cand) <= fx.max_excess(&out.best) {
            out.best = cand;
        }
    }
    Ok((res.bound, res.proven))
}

/// In a re-plan, the published assignment to stay close to.
pub(super) struct Reference<'r, 'i, 'a> {
    inst: &'i Instance<'a>,
    published: &'r [Vec<Option<PersonIdx>>],
}

impl<'r, 'i, 'a> Reference<'r, 'i, 'a> {
    pub(super) fn new(inst: &'i Instance<'a>, published: &'r [Vec<Option<PersonIdx>>]) -> Self {
        Reference { inst, published }
    }

    /// The member position published in slot `(w, r)`.
    fn holder(&self, w: usize, r: usize) -> Option<usize> {
        self.published
            .get(w)
            .and_then(|row| row.get(r).copied().flatten())
            .and_then(|p| self.inst.position(p))
    }

    /// Whether a cell keeps the published holder of its slot.
    fn keeps(&self, c: &Cell) -> bool {
        self.holder(c.week, c.role) == Some(c.person)
    }

    /// How many filled slots of `a` keep their published holder.
    fn kept(&self, a: &[Vec<Option<usize>>]) -> usize {
        a.iter()
            .enumerate()
            .flat_map(|(w, row)| row.iter().enumerate().map(move |(r, s)| (w, r, *s)))
            .filter(|&(w, r, s)| s.is_some() && self.holder(w, r) == s)
            .count()
    }
}

/// Phase 3a (re-plans): change as few published slots as possible, keeping
/// the largest excess within `slack` of the one found (`replan --stable`;
/// zero otherwise). Returns how many published slots the best plan keeps.
/// With a slack, the optimum found is kept in `stats.optimum` and the
/// largest excess becomes the chosen plan's, no longer proven minimal when
/// it is above the bound.
pub(super) fn fewest_changes(
    fx: &Filled<'_, '_>,
    reference: &Reference<'_, '_, '_>,
    slack: f64,
    out: &mut Outcome,
    clock: &Clock,
) -> Result<usize, SolveError> {
    let zstar = out.stats.objective;
    if slack > 0.0 {
        out.stats.optimum = Some(zstar);
    }
    if clock.expired() {
        out.stats.changes_proven = false;
        return Ok(reference.kept(&out.best));
    }
    let cap = zstar + slack;
    let mut model = fx.model();
    for &i in &fx.people {
        model.keep_excess(fx.inst, i, fx.shares[i], cap);
    }
    let objective = model.kept_count(|c| reference.keeps(c));
    let res = run(model, objective, RunSettings::exact(true, clock.left(0.5)))?;
    if let Some(cand) = res.assignment(fx.inst) {
        let (kept, was) = (reference.kept(&cand), reference.kept(&out.best));
        let fairer = fx.max_excess(&cand) <= fx.max_excess(&out.best) + 1e-5;
        if fx.max_excess(&cand) <= cap + 1e-5 && (kept > was || kept == was && fairer) {
            out.best = cand;
        }
    }
    out.stats.changes_proven = res.proven;
    let excess = fx.max_excess(&out.best);
    if excess > out.stats.objective + PROVEN {
        out.stats.objective = excess;
        out.excess_proven = out.stats.bound >= excess - 1e-6;
    }
    Ok(reference.kept(&out.best))
}

/// Phase 3c: minimise the spread, keeping the largest excess (and in a
/// re-plan, the published slots kept), with a floor per person from `reach`.
pub(super) fn spread(
    fx: &Filled<'_, '_>,
    reach: &Reach,
    keep: Option<(&Reference<'_, '_, '_>, usize)>,
    patterned: Option<(f64, f64)>,
    out: &mut Outcome,
    clock: &Clock,
) -> Result<(), SolveError> {
    let zstar = out.stats.objective;
    let floor = bounds::deviation_floor(fx, reach, zstar);
    let mut spread_lb: f64 = fx.people.iter().map(|&i| floor[i]).sum();
    // The patterns' bound holds among plans within the same largest excess.
    if let Some((_, bound)) = patterned.filter(|&(z, _)| (z - zstar).abs() <= PROVEN) {
        spread_lb = spread_lb.max(bound - PROVEN);
    }
    let now = fx.spread(&out.best);
    if clock.expired() || now - spread_lb <= SPREAD_ABS_GAP.max(SPREAD_GAP * now) {
        out.stats.spread = fx.spread(&out.best);
        out.stats.spread_bound = spread_lb.min(out.stats.spread);
        return Ok(());
    }
    let (model, objective) = spread_model(fx, &floor, zstar, keep);
    let settings = RunSettings {
        maximise: false,
        time_limit: clock.tiebreak_left(),
        gaps: (SPREAD_GAP, SPREAD_ABS_GAP),
        max_nodes: Some(SPREAD_NODES),
        presolve: true,
        first: false,
    };
    let res = run(model, objective, settings)?;
    if let Some(cand) = res.assignment(fx.inst) {
        if fx.max_excess(&cand) <= zstar + 1e-5 && keep.is_none_or(|(r, k)| r.kept(&cand) >= k) {
            out.best = cand;
        }
    }
    out.stats.spread = fx.spread(&out.best);
    // HiGHS's own bound, which is within SPREAD_GAP of the spread when it
    // reports the tie-break optimal.
    out.stats.spread_bound = res.bound.max(spread_lb).min(out.stats.spread);
    Ok(())
}

/// The spread model: per person `u_p ≥ |d_p|` (at least their floor) with
/// `d_p ≤ zstar`, and the objective `Σ_p u_p`.
fn spread_model(
    fx: &Filled<'_, '_>,
    floor: &[f64],
    zstar: f64,
    keep: Option<(&Reference<'_, '_, '_>, usize)>,
) -> (Model, Expression) {
    let mut model = fx.model();
    if let Some((reference, k)) = keep {
        model.keep_changes(|c| reference.keeps(c), k);
    }
    let mut objective = Expression::from(0.0);
    for &i in &fx.people {
        let u = model.add_var(variable().min((floor[i] - TOL).max(0.0)));
        model.keep_excess(fx.inst, i, fx.shares[i], zstar);
        model.abs_deviation(fx.inst, i, fx.shares[i], u);
        objective += u;
    }
    (model, objective)
}

/// Last phase: the plan, with its status, unfilled slots and figures.
pub(super) fn build_plan(
    fx: &Filled<'_, '_>,
    all: &BTreeSet<(usize, usize)>,
    out: Outcome,
    clock: Clock,
) -> Plan {
    let inst = fx.inst;
    let Outcome {
        best,
        mut stats,
        excess_proven,
    } = out;
    stats.gap = relative_gap(stats.objective, stats.bound);
    let unfilled: Vec<UnfilledSlot> = all
        .iter()
        .filter(|&&(w, r)| best[w][r].is_none())
        .map(|&(w, r)| UnfilledSlot {
            week: w,
            role: RoleIdx(r),
            reason: inst.unfilled_reason(w, r),
        })
        .collect();
    let status = status(fx, all, &unfilled, excess_proven, &stats);
    let assignment: Vec<Vec<Option<PersonIdx>>> = best
        .iter()
        .map(|row| row.iter().map(|s| s.map(|i| inst.members[i])).collect())
        .collect();
    (stats.seconds, stats.phases) = clock.finish("plan");
    inst.to_plan(assignment, status, stats, unfilled)
}

/// What the solve proved: nothing filled, some slots empty, or the largest
/// excess proven minimal or within a gap.
fn status(
    fx: &Filled<'_, '_>,
    all: &BTreeSet<(usize, usize)>,
    unfilled: &[UnfilledSlot],
    excess_proven: bool,
    stats: &SolveStats,
) -> Status {
    if fx.slots.is_empty() && !all.is_empty() {
        Status::Infeasible
    } else if !unfilled.is_empty() {
        Status::Partial
    } else if excess_proven {
        Status::Optimal
    } else {
        Status::Feasible {
            bound: stats.bound,
            gap: stats.gap,
        }
    }
}
