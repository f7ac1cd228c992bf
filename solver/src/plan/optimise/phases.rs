//! The phases of a solve, in the order they run: fill as many slots as
//! possible, list everyone's patterns, search the candidate values of the
//! largest excess, minimise it directly if the search did not settle it,
//! change as few published slots as possible (re-plans), bound and even out
//! the spread, and build the plan.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use good_lp::{variable, Expression};

use super::bounds::{self, Reach};
use super::filled::{Deadline, Filled};
use super::model::{run, Assignment, Cell, Model, Run, RunSettings};
use super::patterns::{self, Relaxation};
use super::units::MICRO;
use super::{relative_gap, seed, SolveError, TOL};
use crate::model::{PersonIdx, RoleIdx};
use crate::plan::instance::Instance;
use crate::plan::{PhaseTime, Plan, SolveStats, Status, UnfilledSlot};

/// Candidate values of the largest excess this close are one value up to the
/// rounding of slot loads to micro-units.
const CLUSTER: f64 = 1e-4;
/// Most of the time budget the spread tie-break may use.
const SPREAD_SHARE: f64 = 0.2;
/// ... and at most this many times what the fairness phases took, but at
/// least [`SPREAD_MIN`] seconds: a tie-break should not dominate the solve.
const SPREAD_FACTOR: f64 = 10.0;
/// Smallest budget for the spread tie-break, in seconds.
const SPREAD_MIN: f64 = 1.5;
/// Most branch-and-bound nodes for the spread tie-break. Ties in the spread
/// are common, and HiGHS breaks them by where it stops: stopping on a node
/// count rather than on the clock makes the same inputs give the same plan on
/// every run, however busy the machine. On small and mid-sized teams this
/// limit, or the gap, ends the run well inside its time budget; only a run
/// that ends on the clock (large teams, short `--time-limit`) may break ties
/// differently from one run to the next.
const SPREAD_NODES: i32 = 50;
/// Longest HiGHS run of the pattern relaxation, in seconds: its models
/// answer in hundredths of a second or not for a long while, and the
/// week-level model then answers the value instead.
const PATTERN_RUN: f64 = 0.5;
/// Longest run of the spread over patterns, in seconds, within the
/// tie-break's budget: its plan meets its bound, so it saves the week-level
/// tie-break that would follow, which has the rest of the budget.
const PATTERN_SPREAD_RUN: f64 = 2.0;
/// How far above a candidate value a plan's largest excess may be, in load
/// units, and still count as within it: loads are counted in micro-units by
/// the bounds and in floating point by the plan.
pub(super) const PROVEN: f64 = 1e-6;
/// Least time left, in seconds, to start a HiGHS run after the fill:
/// building and loading a large model alone takes a good part of it.
const MIN_RUN: f64 = 0.2;
/// Relative MIP gap for the fairness phases: proofs are exact up to rounding.
const EXACT: f64 = 1e-7;
/// Absolute gap for the exact phases.
const EXACT_ABS: f64 = 1e-7;
/// Relative MIP gap accepted as proof for the spread tie-break (0.05 %; one
/// hour of weekday load at weight 0.5 is 0.02 units, 0.1 % of a typical spread).
const SPREAD_GAP: f64 = 5e-4;
/// Absolute gap accepted as proof for the spread tie-break, in load units:
/// below what the JSON's four decimals tell apart for a handful of people, and
/// a fraction of one hour's load. Stopping on a gap rather than on the clock
/// also makes the chosen plan the same on every run and machine.
const SPREAD_ABS_GAP: f64 = 2e-3;

impl RunSettings {
    /// A run whose answer counts as proof.
    pub(super) fn exact(maximise: bool, time_limit: f64) -> Self {
        RunSettings {
            maximise,
            time_limit,
            gaps: (EXACT, EXACT_ABS),
            max_nodes: None,
            presolve: true,
            first: false,
        }
    }
}

/// The time budget, and how long each phase took.
pub(super) struct Clock {
    start: Instant,
    budget: f64,
    lapped: f64,
    phases: Vec<PhaseTime>,
    /// When the spread tie-break (over patterns, then week by week) must end.
    tiebreak_end: f64,
}

impl Clock {
    pub(super) fn start(budget: f64) -> Self {
        Clock {
            start: Instant::now(),
            budget,
            lapped: 0.0,
            phases: Vec::new(),
            tiebreak_end: budget,
        }
    }

    fn elapsed(&self) -> f64 {
        self.start.elapsed().as_secs_f64()
    }

    /// Whether too little of the budget is left to start a HiGHS run: the
    /// phases left then keep what is known.
    pub(super) fn expired(&self) -> bool {
        self.budget - self.elapsed() < MIN_RUN
    }

    /// When `share` of the budget that is left runs out, for loops outside
    /// HiGHS.
    pub(super) fn deadline(&self, share: f64) -> Deadline {
        let now = self.elapsed();
        let until = now + (self.budget - now).max(0.0) * share;
        Deadline(
            Duration::try_from_secs_f64(until)
                .ok()
                .and_then(|d| self.start.checked_add(d)),
        )
    }

    /// `share` of the budget that is left, but at least 0.05 s.
    fn left(&self, share: f64) -> f64 {
        ((self.budget - self.elapsed()) * share).max(0.05)
    }

    /// Fixes the spread tie-break's budget as it starts: at most
    /// [`SPREAD_SHARE`] of the budget and [`SPREAD_FACTOR`] times what the
    /// solve took so far (but [`SPREAD_MIN`]), shared by its phases.
    pub(super) fn start_tiebreak(&mut self) {
        let now = self.elapsed();
        let budget = (self.budget - now)
            .min(SPREAD_SHARE * self.budget)
            .min((SPREAD_FACTOR * now).max(SPREAD_MIN));
        self.tiebreak_end = now + budget.max(0.0);
    }

    /// What is left of the tie-break's budget, but at least 0.05 s.
    fn tiebreak_left(&self) -> f64 {
        (self.tiebreak_end - self.elapsed()).max(0.05)
    }

    /// Records that phase `name` ends now.
    pub(super) fn lap(&mut self, name: &'static str) {
        let now = self.elapsed();
        self.phases.push(PhaseTime {
            name,
            seconds: now - self.lapped,
        });
        self.lapped = now;
    }
}

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

/// The best plan so far and what is proven about it.
pub(super) struct Outcome {
    pub(super) best: Assignment,
    pub(super) stats: SolveStats,
    pub(super) excess_proven: bool,
}

impl Outcome {
    pub(super) fn new(best: Assignment) -> Self {
        Outcome {
            best,
            stats: SolveStats::default(),
            excess_proven: true,
        }
    }
}

/// What the search established about the largest excess.
pub(super) struct Probed {
    /// A proven lower bound.
    z_lo: f64,
    /// Whether the best plan is proven to minimise it.
    proven: bool,
}

/// Phase 2a: every person's patterns ([`patterns`]) within the largest
/// excess of the best plan so far; `None` when they are too many to list.
pub(super) fn relax(
    fx: &Filled<'_, '_>,
    reach: &Reach,
    lb: Option<f64>,
    out: &Outcome,
    clock: &Clock,
) -> Option<Relaxation> {
    let lbv = lb?;
    if clock.expired() {
        return None;
    }
    let z_hi = fx.max_excess(&out.best).max(lbv);
    patterns::relaxation(fx, reach, (lbv, z_hi), clock.deadline(0.3))
}

/// What a candidate value of the largest excess turned out to be.
enum Answer {
    /// A plan within it is the best plan.
    Found,
    /// No plan is within it.
    Refuted,
    /// Neither was shown in time.
    Unknown,
    /// The budget is spent: the search ends.
    Stop,
}

/// Phase 2b: search the possible values of the largest excess from the bound
/// `lb` up, at steps that double until a plan is within one, then by
/// bisection below it. Each value is answered by whichever model answers
/// first: the pattern relaxation refutes values quickly (and its choice of
/// patterns, made a plan, meets them); the week-level model, with every load
/// capped at the largest load reachable within `share + z`, finds plans
/// quickly. The first value not refuted is a lower bound; when the best plan
/// is within it, the plan is optimal.
pub(super) fn search(
    fx: &Filled<'_, '_>,
    (reach, rel): (&Reach, Option<&Relaxation>),
    lb: Option<f64>,
    out: &mut Outcome,
    clock: &Clock,
) -> Result<Probed, SolveError> {
    let mut probed = Probed {
        z_lo: lb.unwrap_or(f64::NEG_INFINITY),
        proven: false,
    };
    let Some(lbv) = lb else { return Ok(probed) };
    if !fx.people.iter().all(|&i| reach[i].is_some()) {
        return Ok(probed);
    }
    let clusters = candidates(fx, reach, lbv);
    let (refuted, found) = gallop(clusters.len(), |k| {
        answer(fx, (reach, rel), clusters[k].1, out, clock)
    })?;
    if let Some(&(low, _)) = clusters.get(refuted) {
        probed.z_lo = probed.z_lo.max(low);
    }
    probed.proven = found == Some(refuted);
    Ok(probed)
}

/// The first of `n` sorted values not refuted, and the lowest at which a
/// plan was found: steps from the bottom that double, then bisection below
/// the lowest value found or left unanswered.
fn gallop(
    n: usize,
    mut answer: impl FnMut(usize) -> Result<Answer, SolveError>,
) -> Result<(usize, Option<usize>), SolveError> {
    let (mut refuted, mut top, mut found) = (0usize, n, None);
    let (mut step, mut bisect) = (1usize, false);
    while refuted < top {
        let at = if bisect {
            (refuted + top) / 2
        } else {
            (refuted + step - 1).min(top - 1)
        };
        match answer(at)? {
            Answer::Found => (found, top, bisect) = (Some(at), at, true),
            Answer::Refuted => (refuted, step) = (at + 1, step * 2),
            Answer::Unknown => (top, bisect) = (at, true),
            Answer::Stop => break,
        }
    }
    Ok((refuted, found))
}

/// Whether a plan is within `z`: the best plan so far; else the relaxation's
/// refutation, or its patterns made a plan; else the week-level probe.
fn answer(
    fx: &Filled<'_, '_>,
    (reach, rel): (&Reach, Option<&Relaxation>),
    z: f64,
    out: &mut Outcome,
    clock: &Clock,
) -> Result<Answer, SolveError> {
    if fx.max_excess(&out.best) <= z + PROVEN {
        return Ok(Answer::Found);
    }
    if clock.expired() {
        return Ok(Answer::Stop);
    }
    if let Some(rel) = rel {
        match rel.choose_within(fx, z, clock.left(0.3).min(PATTERN_RUN))? {
            patterns::Answer::Refuted => return Ok(Answer::Refuted),
            patterns::Answer::Choice(c) => {
                if let Some(a) = rel.realise(fx, &c, clock.left(0.3).min(PATTERN_RUN))? {
                    if fx.max_excess(&a) <= z + PROVEN {
                        out.best = a;
                        return Ok(Answer::Found);
                    }
                }
            }
            patterns::Answer::Unknown => {}
        }
        if clock.expired() {
            return Ok(Answer::Stop);
        }
    }
    let res = probe(fx, reach, z, clock)?;
    Ok(match res.assignment(fx.inst) {
        Some(a) if fx.max_excess(&a) <= z + PROVEN => {
            out.best = a;
            Answer::Found
        }
        None if res.proven => Answer::Refuted,
        _ => Answer::Unknown,
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

/// The candidate values of the largest excess from `lbv` up, as clusters
/// `(lowest, highest)`: values closer than [`CLUSTER`] are the same load up to
/// the rounding of slot loads to micro-units; each is probed at its top.
fn candidates(fx: &Filled<'_, '_>, reach: &Reach, lbv: f64) -> Vec<(f64, f64)> {
    let mut values: Vec<f64> = fx
        .people
        .iter()
        .flat_map(|&i| {
            let share = fx.shares[i];
            reach[i]
                .iter()
                .flatten()
                .map(move |&l| l as f64 / MICRO - share)
        })
        .filter(|&z| z >= lbv - 1e-9)
        .collect();
    values.sort_by(f64::total_cmp);
    let mut clusters: Vec<(f64, f64)> = Vec::new();
    for z in values {
        match clusters.last_mut() {
            Some(c) if z - c.1 <= CLUSTER => c.1 = z,
            _ => clusters.push((z, z)),
        }
    }
    clusters
}

/// One probe: is there a plan with every load capped within `share + z`?
fn probe(fx: &Filled<'_, '_>, reach: &Reach, z: f64, clock: &Clock) -> Result<Run, SolveError> {
    let mut model = fx.model();
    for &i in &fx.people {
        model.load_cap(fx.inst, i, bounds::load_cap(fx, reach, i, z));
    }
    let settings = RunSettings::exact(false, clock.left(0.3));
    run(model, Expression::from(0.0), settings)
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
/// the largest excess. Returns how many published slots the best plan keeps.
pub(super) fn fewest_changes(
    fx: &Filled<'_, '_>,
    reference: &Reference<'_, '_, '_>,
    out: &mut Outcome,
    clock: &Clock,
) -> Result<usize, SolveError> {
    if clock.expired() {
        out.stats.changes_proven = false;
        return Ok(reference.kept(&out.best));
    }
    let zstar = out.stats.objective;
    let mut model = fx.model();
    for &i in &fx.people {
        model.keep_excess(fx.inst, i, fx.shares[i], zstar);
    }
    let objective = model.kept_count(|c| reference.keeps(c));
    let res = run(model, objective, RunSettings::exact(true, clock.left(0.5)))?;
    if let Some(cand) = res.assignment(fx.inst) {
        if fx.max_excess(&cand) <= zstar + 1e-5
            && reference.kept(&cand) >= reference.kept(&out.best)
        {
            out.best = cand;
        }
    }
    out.stats.changes_proven = res.proven;
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
    mut clock: Clock,
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
    clock.lap("plan");
    stats.seconds = clock.lapped;
    stats.phases = clock.phases;
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// An oracle over `n` values where values from `t` up admit a plan,
    /// except `unknown` ones, which it cannot answer.
    fn run(n: usize, t: usize, unknown: &[usize]) -> ((usize, Option<usize>), usize) {
        let mut calls = 0;
        let got = gallop(n, |at| {
            calls += 1;
            assert!(at < n);
            Ok(if unknown.contains(&at) {
                Answer::Unknown
            } else if at >= t {
                Answer::Found
            } else {
                Answer::Refuted
            })
        })
        .unwrap();
        (got, calls)
    }

    #[test]
    fn the_search_finds_the_first_value_with_a_plan_in_few_steps() {
        for n in 0..70 {
            for t in 0..=n {
                let ((refuted, found), calls) = run(n, t, &[]);
                assert_eq!(refuted, t, "n {n} t {t}");
                assert_eq!(found, (t < n).then_some(t), "n {n} t {t}");
                let log = (usize::BITS - n.leading_zeros()) as usize;
                assert!(calls <= 2 * log + 1, "n {n} t {t}: {calls} calls");
            }
        }
    }

    #[test]
    fn unanswered_values_never_count_as_refuted() {
        for n in 1..30 {
            for t in 0..=n {
                for u in 0..n {
                    let ((refuted, found), _) = run(n, t, &[u, (u * 7 + 3) % n]);
                    // Sound: nothing at or above the first plan is refuted.
                    assert!(refuted <= t, "n {n} t {t} u {u}");
                    if let Some(f) = found {
                        assert!(f >= t && f >= refuted, "n {n} t {t} u {u}");
                    }
                    // Proven only when the first unrefuted value has a plan.
                    if found == Some(refuted) {
                        assert_eq!(refuted, t);
                    }
                }
            }
        }
    }
}
