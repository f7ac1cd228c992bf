//! The optimiser: a planning [`Instance`] as a MILP on HiGHS (through good_lp),
//! solved lexicographically (DESIGN.md §3):
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
//! smallest `z` for which `Σ_p max{ l ∈ R_p : l ≤ T_p + z } ≥ L`. That value is
//! added as a valid cut `z ≥ LB`, and each person's absolute deviation is
//! bounded below by the distance from their share to the nearest load they can
//! reach. On typical instances the cut meets an integer solution at once, so
//! optimality is proven at the root.
//!
//! Every constraint row is tagged with the rule, week, role and person it came
//! from ([`RowTag`]), so conflicts can be told in domain words.

use std::collections::BTreeSet;
use std::time::Instant;

use good_lp::solvers::highs::highs;
use good_lp::{variable, Expression, ProblemVariables, SolverModel, Variable};
use highs::HighsModelStatus;

use crate::model::PersonIdx;
use crate::plan::instance::Instance;
use crate::plan::{Plan, SolveStats, Status, UnfilledSlot};

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
}

/// Default budget when no `--time-limit` is given.
pub const DEFAULT_TIME_LIMIT: f64 = 60.0;

/// What a constraint row stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowTag {
    /// At most (or exactly) one person in slot `(week, role)`.
    Slot {
        /// Week index.
        week: usize,
        /// Role index.
        role: usize,
    },
    /// `person` holds at most one slot in weeks `week ..= week + rest_weeks`.
    Rest {
        /// Member position.
        person: usize,
        /// First week of the window.
        week: usize,
    },
    /// `person` holds at most `max_shifts` slots.
    MaxShifts {
        /// Member position.
        person: usize,
    },
    /// The largest excess is at least `person`'s deviation.
    Excess {
        /// Member position.
        person: usize,
    },
    /// `|d_p|` linearisation.
    Spread {
        /// Member position.
        person: usize,
    },
    /// The largest excess stays at the optimum found in phase 2.
    KeepExcess {
        /// Member position.
        person: usize,
    },
    /// A re-plan keeps at least as many published slots as phase 3a found.
    KeepChanges,
}

/// Errors the optimiser cannot turn into a plan.
#[derive(Debug, thiserror::Error)]
pub enum SolveError {
    /// HiGHS refused the model or failed unexpectedly.
    #[error("the solver failed: {0}")]
    Backend(String),
}

const MICRO: f64 = 1e6;
const TOL: f64 = 1e-6;
/// Most distinct reachable loads tracked per person before falling back to a
/// weaker (still valid) bound.
const DP_CAP: usize = 200_000;
/// Candidate values of the largest excess tried one by one before a direct solve.
const PROBES: usize = 24;
/// Candidate values of the largest excess this close are one value up to the
/// rounding of slot loads to micro-units.
const CLUSTER: f64 = 1e-4;
/// Most of the time budget the spread tie-break may use.
const SPREAD_SHARE: f64 = 0.2;
/// ... and at most this many times what the fairness phases took, but at
/// least [`SPREAD_MIN`] seconds: a tie-break should not dominate the solve.
const SPREAD_FACTOR: f64 = 10.0;
/// Smallest budget for the spread tie-break, in seconds.
const SPREAD_MIN: f64 = 0.5;
/// Relative MIP gap for the fairness phases: proofs are exact up to rounding.
const EXACT: f64 = 1e-7;
/// Relative MIP gap accepted as proof for the spread tie-break (0.05 %; one
/// hour of weekday load at weight 0.5 is 0.02 units, 0.1 % of a typical spread).
const SPREAD_GAP: f64 = 5e-4;
/// Absolute gap accepted as proof for the spread tie-break, in load units:
/// below what the JSON's four decimals tell apart for a handful of people, and
/// a fraction of one hour's load. Stopping on a gap rather than on the clock
/// also makes the chosen plan the same on every run and machine.
const SPREAD_ABS_GAP: f64 = 2e-3;
/// Absolute gap for the exact phases.
const EXACT_ABS: f64 = 1e-7;

fn micro(x: f64) -> i64 {
    (x * MICRO).round() as i64
}

/// One binary variable `x[w][r][i]`.
#[derive(Clone, Copy, Debug)]
struct Cell {
    week: usize,
    role: usize,
    person: usize,
    col: usize,
    var: Variable,
}

/// The assignment part of the model, shared by every phase.
struct Model {
    vars: ProblemVariables,
    cells: Vec<Cell>,
    ncols: usize,
    rows: Vec<(good_lp::Constraint, RowTag)>,
}

impl Model {
    fn new(inst: &Instance<'_>, slots: &BTreeSet<(usize, usize)>) -> Self {
        let mut vars = ProblemVariables::new();
        let mut cells = Vec::new();
        let mut ncols = 0;
        for &(w, r) in slots {
            for i in 0..inst.members.len() {
                if inst.allowed(w, r, i) {
                    let var = vars.add(variable().binary());
                    cells.push(Cell {
                        week: w,
                        role: r,
                        person: i,
                        col: ncols,
                        var,
                    });
                    ncols += 1;
                }
            }
        }
        let mut model = Model {
            vars,
            cells,
            ncols,
            rows: Vec::new(),
        };
        model.rest_rows(inst);
        model.max_shift_rows(inst);
        model
    }

    fn add_var(&mut self, def: good_lp::VariableDefinition) -> (Variable, usize) {
        let v = self.vars.add(def);
        let col = self.ncols;
        self.ncols += 1;
        (v, col)
    }

    fn slot_sum(&self, w: usize, r: usize) -> Expression {
        self.cells
            .iter()
            .filter(|c| c.week == w && c.role == r)
            .map(|c| c.var)
            .sum()
    }

    /// One person, weeks `w ..= w + rest`: at most one slot. With `rest = 0` this
    /// is "one role per person per week".
    fn rest_rows(&mut self, inst: &Instance<'_>) {
        let weeks = inst.weeks.len();
        let rest = inst.rest_weeks;
        for i in 0..inst.members.len() {
            let mine: Vec<&Cell> = self.cells.iter().filter(|c| c.person == i).collect();
            let mut last: Option<Vec<usize>> = None;
            for w in 0..weeks {
                let window: Vec<&&Cell> = mine
                    .iter()
                    .filter(|c| c.week >= w && c.week <= w + rest)
                    .collect();
                let cols: Vec<usize> = window.iter().map(|c| c.col).collect();
                if cols.len() <= 1
                    || last
                        .as_ref()
                        .is_some_and(|l| cols.iter().all(|c| l.contains(c)))
                {
                    continue;
                }
                let expr: Expression = window.iter().map(|c| c.var).sum();
                self.rows
                    .push((expr.leq(1), RowTag::Rest { person: i, week: w }));
                last = Some(cols);
            }
        }
    }

    fn max_shift_rows(&mut self, inst: &Instance<'_>) {
        let Some(max) = inst.max_shifts else { return };
        for i in 0..inst.members.len() {
            let expr: Expression = self
                .cells
                .iter()
                .filter(|c| c.person == i)
                .map(|c| c.var)
                .sum();
            self.rows
                .push((expr.leq(f64::from(max)), RowTag::MaxShifts { person: i }));
        }
    }

    fn person_load(&self, inst: &Instance<'_>, i: usize) -> Expression {
        self.cells
            .iter()
            .filter(|c| c.person == i)
            .map(|c| inst.load[c.week][c.role] * c.var)
            .sum()
    }
}

/// Result of one HiGHS run.
struct Run {
    values: Option<Vec<f64>>,
    bound: f64,
    proven: bool,
}

fn run(
    model: Model,
    objective: Expression,
    maximise: bool,
    time_limit: f64,
    (rel_gap, abs_gap): (f64, f64),
) -> Result<(Run, Vec<Cell>), SolveError> {
    let Model {
        vars, cells, rows, ..
    } = model;
    let unsolved = if maximise {
        vars.maximise(objective)
    } else {
        vars.minimise(objective)
    };
    let mut problem = unsolved.using(highs);
    for (row, _) in rows {
        problem.add_constraint(row);
    }
    let mut hm = problem
        .try_into_inner()
        .map_err(|e| SolveError::Backend(e.to_string()))?;
    hm.make_quiet();
    hm.set_option("time_limit", time_limit.max(0.01));
    hm.set_option("mip_rel_gap", rel_gap);
    hm.set_option("mip_abs_gap", abs_gap);
    // No warm start: with one, HiGHS (1.x through highs 2.4) may report the
    // improved objective while returning the starting columns.
    let solved = hm
        .try_solve()
        .map_err(|e| SolveError::Backend(format!("{e:?}")))?;
    let status = solved.status();
    let has_solution = solved
        .int_info_value(c"primal_solution_status")
        .map(|s| s == 2)
        .unwrap_or(false);
    let bound = solved
        .double_info_value(c"mip_dual_bound")
        .unwrap_or(if maximise {
            f64::INFINITY
        } else {
            f64::NEG_INFINITY
        });
    let proven = matches!(status, HighsModelStatus::Optimal);
    match status {
        HighsModelStatus::Infeasible | HighsModelStatus::UnboundedOrInfeasible => {
            return Ok((
                Run {
                    values: None,
                    bound,
                    proven: true,
                },
                cells,
            ));
        }
        HighsModelStatus::LoadError
        | HighsModelStatus::ModelError
        | HighsModelStatus::PresolveError
        | HighsModelStatus::SolveError
        | HighsModelStatus::PostsolveError => {
            return Err(SolveError::Backend(format!("{status:?}")));
        }
        _ => {}
    }
    let values = has_solution.then(|| solved.get_solution().columns().to_vec());
    Ok((
        Run {
            values,
            bound,
            proven,
        },
        cells,
    ))
}

/// `assignment[w][r]` from column values.
fn decode(inst: &Instance<'_>, cells: &[Cell], values: &[f64]) -> Vec<Vec<Option<usize>>> {
    let mut out = vec![vec![None; inst.roles()]; inst.weeks.len()];
    for c in cells {
        if values.get(c.col).copied().unwrap_or(0.0) > 0.5 {
            out[c.week][c.role] = Some(c.person);
        }
    }
    out
}

/// A quick greedy plan: week by week, the least-loaded allowed person who is
/// free under the rules. It seeds phase 1 and is the fallback if HiGHS finds
/// nothing within its time.
fn greedy(inst: &Instance<'_>) -> Vec<Vec<Option<usize>>> {
    let n = inst.members.len();
    let mut load = vec![0.0; n];
    let mut last: Vec<Option<usize>> = vec![None; n];
    let mut count = vec![0u32; n];
    let mut out = vec![vec![None; inst.roles()]; inst.weeks.len()];
    #[allow(clippy::needless_range_loop)] // weeks and roles index several tables at once
    for w in 0..inst.weeks.len() {
        let mut used = vec![false; n];
        // Pins first.
        for r in 0..inst.roles() {
            if let Some((_, _, p)) = inst.pins.iter().find(|(pw, pr, _)| *pw == w && pr.0 == r) {
                if let Some(i) = inst.position(*p) {
                    let rested = last[i].is_none_or(|l| w > l + inst.rest_weeks);
                    let room = inst.max_shifts.is_none_or(|m| count[i] < m);
                    if inst.allowed(w, r, i) && !used[i] && rested && room {
                        out[w][r] = Some(i);
                        used[i] = true;
                        load[i] += inst.load[w][r];
                        last[i] = Some(w);
                        count[i] += 1;
                    }
                }
            }
        }
        for r in 0..inst.roles() {
            if out[w][r].is_some() {
                continue;
            }
            let pick = (0..n)
                .filter(|&i| inst.allowed(w, r, i) && !used[i])
                .filter(|&i| last[i].is_none_or(|l| w > l + inst.rest_weeks))
                .filter(|&i| {
                    inst.max_shifts
                        .is_none_or(|m| count[i] + pins_after(inst, i, w) < m)
                })
                .filter(|&i| !pinned_soon(inst, i, w))
                .min_by(|&a, &b| {
                    let ka = load[a] + inst.carry[a] - inst.available[a] as f64;
                    let kb = load[b] + inst.carry[b] - inst.available[b] as f64;
                    ka.total_cmp(&kb)
                });
            if let Some(i) = pick {
                out[w][r] = Some(i);
                used[i] = true;
                load[i] += inst.load[w][r];
                last[i] = Some(w);
                count[i] += 1;
            }
        }
    }
    out
}

/// How many pins member `i` holds after week `w`.
fn pins_after(inst: &Instance<'_>, i: usize, w: usize) -> u32 {
    let n = inst
        .pins
        .iter()
        .filter(|(pw, _, p)| *pw > w && inst.position(*p) == Some(i))
        .count();
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Whether an assignment keeps every hard rule: eligibility and pins
/// (`allowed`), one slot per person within any `rest_weeks + 1` window, and
/// `max_shifts`.
fn keeps_rules(inst: &Instance<'_>, a: &[Vec<Option<usize>>]) -> bool {
    let n = inst.members.len();
    let mut weeks_of: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (w, row) in a.iter().enumerate() {
        for (r, slot) in row.iter().enumerate() {
            if let Some(i) = *slot {
                if !inst.allowed(w, r, i) {
                    return false;
                }
                if let Some(v) = weeks_of.get_mut(i) {
                    v.push(w);
                }
            }
        }
    }
    weeks_of.iter().all(|ws| {
        ws.windows(2).all(|p| p[1] > p[0] + inst.rest_weeks)
            && inst
                .max_shifts
                .is_none_or(|m| u32::try_from(ws.len()).unwrap_or(u32::MAX) <= m)
    })
}

/// Whether member `i` is pinned within `rest_weeks` after week `w`.
fn pinned_soon(inst: &Instance<'_>, i: usize, w: usize) -> bool {
    inst.pins
        .iter()
        .any(|(pw, _, p)| *pw > w && *pw <= w + inst.rest_weeks && inst.position(*p) == Some(i))
}

/// Per person: every reachable load (in micro-units) over the given slots,
/// under eligibility, pins, rest and max_shifts. `None` when too many to list.
fn reachable(inst: &Instance<'_>, slots: &BTreeSet<(usize, usize)>, i: usize) -> Option<Vec<i64>> {
    let weeks = inst.weeks.len();
    let rest = inst.rest_weeks;
    let roles = inst.roles();
    let forced: Vec<Option<usize>> = (0..weeks)
        .map(|w| {
            (0..roles).find(|&r| {
                slots.contains(&(w, r))
                    && inst
                        .pins
                        .iter()
                        .any(|(pw, pr, p)| *pw == w && pr.0 == r && inst.position(*p) == Some(i))
                    && inst.allowed(w, r, i)
            })
        })
        .collect();
    let track_count = inst.max_shifts.is_some();
    let max = inst.max_shifts.unwrap_or(u32::MAX);
    // f[w]: set of (count, load) reachable from week w on, free to start at w.
    let mut f: Vec<BTreeSet<(u32, i64)>> = vec![BTreeSet::new(); weeks + 1];
    f[weeks].insert((0, 0));
    for w in (0..weeks).rev() {
        let mut set = BTreeSet::new();
        if forced[w].is_none() {
            set.extend(f[w + 1].iter().copied());
        }
        let jump = (w + rest + 1).min(weeks);
        let clear = forced[(w + 1).min(weeks)..jump].iter().all(Option::is_none);
        if clear {
            for r in 0..roles {
                if !slots.contains(&(w, r)) || !inst.allowed(w, r, i) {
                    continue;
                }
                if forced[w].is_some_and(|fr| fr != r) {
                    continue;
                }
                let l = micro(inst.load[w][r]);
                for &(c, rest_load) in &f[jump] {
                    let c2 = if track_count { c + 1 } else { 0 };
                    if c2 <= max {
                        set.insert((c2, rest_load + l));
                    }
                }
            }
        }
        if set.len() > DP_CAP {
            return None;
        }
        f[w] = set;
    }
    let loads: BTreeSet<i64> = f[0].iter().map(|&(_, l)| l).collect();
    Some(loads.into_iter().collect())
}

/// The lower bound on the largest excess from reachable loads, and per person
/// the reachable sets (None = unknown).
fn excess_bound(
    reach: &[Option<Vec<i64>>],
    share: &[f64],
    people: &[usize],
    total_micro: i64,
) -> Option<f64> {
    // Events (z, person, load) in increasing z.
    let mut events: Vec<(f64, usize, i64)> = Vec::new();
    for &i in people {
        match &reach[i] {
            Some(loads) => {
                for &l in loads {
                    events.push((l as f64 / MICRO - share[i], i, l));
                }
            }
            None => return None,
        }
    }
    events.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut cur: Vec<Option<i64>> = vec![None; reach.len()];
    let mut defined = 0usize;
    let mut sum: i64 = 0;
    let mut k = 0;
    while k < events.len() {
        let z = events[k].0;
        while k < events.len() && events[k].0 <= z + 1e-12 {
            let (_, i, l) = events[k];
            match cur[i] {
                None => {
                    defined += 1;
                    sum += l;
                }
                Some(old) => sum += l - old,
            }
            cur[i] = Some(l);
            k += 1;
        }
        if defined == people.len() && sum >= total_micro {
            return Some(z);
        }
    }
    None
}

/// Plans one instance.
///
/// # Errors
/// Only when HiGHS itself fails; an impossible plan is a [`Status::Partial`] or
/// [`Status::Infeasible`] plan, not an error.
pub fn solve(inst: &Instance<'_>, opts: &PlanOptions) -> Result<Plan, SolveError> {
    let clock = Instant::now();
    let budget = opts.time_limit.unwrap_or(DEFAULT_TIME_LIMIT);
    let left = |share: f64| ((budget - clock.elapsed().as_secs_f64()) * share).max(0.05);
    let weeks = inst.weeks.len();
    let roles = inst.roles();
    let all: BTreeSet<(usize, usize)> = (0..weeks)
        .flat_map(|w| (0..roles).map(move |r| (w, r)))
        .collect();

    // Phase 1: fill as many slots as possible.
    let seed = greedy(inst);
    let seeded = seed.iter().flatten().filter(|s| s.is_some()).count();
    let fillable: BTreeSet<(usize, usize)> = all
        .iter()
        .copied()
        .filter(|&(w, r)| (0..inst.members.len()).any(|i| inst.allowed(w, r, i)))
        .collect();
    // The greedy plan is used as it is only when it fills everything and keeps
    // every rule: it is then the witness that the filled set is feasible.
    let seed_valid = keeps_rules(inst, &seed);
    let filled_plan = if seeded == fillable.len() && seed_valid {
        seed
    } else {
        let mut model = Model::new(inst, &fillable);
        for &(w, r) in &fillable {
            let s = model.slot_sum(w, r);
            model
                .rows
                .push((s.leq(1), RowTag::Slot { week: w, role: r }));
        }
        let objective: Expression = model.cells.iter().map(|c| c.var).sum();
        let (res, cells) = run(model, objective, true, left(0.3), (EXACT, EXACT_ABS))?;
        match res.values {
            Some(v) => {
                let got = decode(inst, &cells, &v);
                let n = got.iter().flatten().filter(|s| s.is_some()).count();
                if n >= seeded || !seed_valid {
                    got
                } else {
                    seed
                }
            }
            None if seed_valid => seed,
            None => vec![vec![None; roles]; weeks],
        }
    };
    let filled: BTreeSet<(usize, usize)> = all
        .iter()
        .copied()
        .filter(|&(w, r)| filled_plan[w][r].is_some())
        .collect();

    // Shares are fixed once the filled slots are.
    let total: f64 = filled.iter().map(|&(w, r)| inst.load[w][r]).sum();
    let total_micro: i64 = filled.iter().map(|&(w, r)| micro(inst.load[w][r])).sum();
    let shares = inst.shares(total);
    let people: Vec<usize> = (0..inst.members.len())
        .filter(|&i| inst.available[i] > 0)
        .collect();

    let mut best = filled_plan;
    let mut stats = SolveStats::default();
    let mut excess_proven = true;

    if !filled.is_empty() && !people.is_empty() {
        let reach: Vec<Option<Vec<i64>>> = (0..inst.members.len())
            .map(|i| reachable(inst, &filled, i))
            .collect();
        // The aggregate bound over everyone, and over each group of people who
        // alone can take some slots (e.g. the only holders of a skill): their
        // loads together must cover those slots.
        let mut groups: Vec<Vec<usize>> = vec![people.clone()];
        for r in 0..roles {
            let mut q: BTreeSet<usize> = BTreeSet::new();
            for &(w, rr) in &filled {
                if rr == r {
                    q.extend((0..inst.members.len()).filter(|&i| inst.allowed(w, r, i)));
                }
            }
            let q: Vec<usize> = q.into_iter().filter(|i| people.contains(i)).collect();
            if q.len() < people.len() && !groups.contains(&q) {
                groups.push(q);
            }
        }
        let mut lb: Option<f64> = None;
        for q in &groups {
            let only_q: i64 = filled
                .iter()
                .filter(|&&(w, r)| {
                    (0..inst.members.len())
                        .filter(|&i| inst.allowed(w, r, i))
                        .all(|i| q.contains(&i))
                })
                .map(|&(w, r)| micro(inst.load[w][r]))
                .sum();
            let need = if q.len() == people.len() {
                total_micro
            } else {
                only_q
            };
            if let Some(b) = excess_bound(&reach, &shares, q, need) {
                lb = Some(lb.map_or(b, |l: f64| l.max(b)));
            }
        }

        // Phase 2a: walk the possible values of the largest excess upward from
        // the bound. At each candidate `z`, cap every person's load at the
        // largest load they can reach within `share + z`; those caps are much
        // tighter than `share + z` itself, so HiGHS either finds a plan (which is
        // then optimal: every smaller candidate was proven impossible) or proves
        // quickly that none exists, which raises the bound to the next candidate.
        let mut z_lo = lb.unwrap_or(f64::NEG_INFINITY);
        let mut proven_by_probe = false;
        if let (Some(lbv), true) = (lb, people.iter().all(|&i| reach[i].is_some())) {
            let mut candidates: Vec<f64> = people
                .iter()
                .flat_map(|&i| {
                    let share = shares[i];
                    reach[i]
                        .iter()
                        .flatten()
                        .map(move |&l| l as f64 / MICRO - share)
                })
                .filter(|&z| z >= lbv - 1e-9)
                .collect();
            candidates.sort_by(f64::total_cmp);
            // Values closer than CLUSTER are the same load up to the rounding of
            // slot loads to micro-units; each cluster is probed at its top.
            let mut clusters: Vec<(f64, f64)> = Vec::new();
            for z in candidates {
                match clusters.last_mut() {
                    Some(c) if z - c.1 <= CLUSTER => c.1 = z,
                    _ => clusters.push((z, z)),
                }
            }
            for (k, &(_, z)) in clusters.iter().enumerate().take(PROBES) {
                if max_excess_of(inst, &best, &shares, &people) <= z + 1e-9 {
                    proven_by_probe = true;
                    break;
                }
                let mut model = Model::new(inst, &filled);
                for &(w, r) in &filled {
                    let s = model.slot_sum(w, r);
                    model
                        .rows
                        .push((s.eq(1), RowTag::Slot { week: w, role: r }));
                }
                for &i in &people {
                    // In micro-units, exactly as the reachable loads were counted.
                    let cap = reach[i]
                        .iter()
                        .flatten()
                        .copied()
                        .filter(|&l| l as f64 / MICRO <= shares[i] + z + 1e-9)
                        .max()
                        .unwrap_or(0);
                    let load: Expression = model
                        .cells
                        .iter()
                        .filter(|c| c.person == i)
                        .map(|c| micro(inst.load[c.week][c.role]) as f64 / MICRO * c.var)
                        .sum();
                    model.rows.push((
                        load.leq((cap as f64 + 0.5) / MICRO),
                        RowTag::Excess { person: i },
                    ));
                }
                let (res, cells) = run(
                    model,
                    Expression::from(0.0),
                    false,
                    left(0.3),
                    (EXACT, EXACT_ABS),
                )?;
                match res.values {
                    Some(v) => {
                        best = decode(inst, &cells, &v);
                        proven_by_probe = true;
                        break;
                    }
                    None if res.proven => {
                        // No plan within `z`: the optimum is at least the next candidate.
                        if let Some(&(next, _)) = clusters.get(k + 1) {
                            z_lo = next;
                        }
                    }
                    None => break,
                }
            }
        }

        // Phase 2b: minimise the largest excess directly, from the best plan so far.
        let mut res_bound = f64::NEG_INFINITY;
        let mut res_proven = proven_by_probe;
        if !proven_by_probe {
            let mut model = Model::new(inst, &filled);
            for &(w, r) in &filled {
                let s = model.slot_sum(w, r);
                model
                    .rows
                    .push((s.eq(1), RowTag::Slot { week: w, role: r }));
            }
            let (z, _) =
                model.add_var(variable().min(if z_lo.is_finite() { z_lo - TOL } else { -1e9 }));
            for &i in &people {
                let load = model.person_load(inst, i);
                model
                    .rows
                    .push(((load - shares[i]).leq(z), RowTag::Excess { person: i }));
            }
            let (res, cells) = run(model, z.into(), false, left(0.6), (EXACT, EXACT_ABS))?;
            if let Some(v) = res.values {
                let cand = decode(inst, &cells, &v);
                if max_excess_of(inst, &cand, &shares, &people)
                    <= max_excess_of(inst, &best, &shares, &people)
                {
                    best = cand;
                }
            }
            res_bound = res.bound;
            res_proven = res.proven;
        }
        let res = Run {
            values: None,
            bound: res_bound.max(z_lo),
            proven: res_proven,
        };
        let zstar = max_excess_of(inst, &best, &shares, &people);
        let bound = res.bound.max(lb.unwrap_or(f64::NEG_INFINITY)).min(zstar);
        excess_proven = res.proven || zstar - bound <= 1e-6;
        stats.objective = zstar;
        stats.bound = if excess_proven { zstar } else { bound };

        // Phase 3: spread the rest evenly, keeping the largest excess.
        let dist: Vec<f64> = (0..inst.members.len())
            .map(|i| {
                reach[i]
                    .as_ref()
                    .and_then(|loads| {
                        loads
                            .iter()
                            .map(|&l| l as f64 / MICRO - shares[i])
                            .filter(|&d| d <= zstar + TOL)
                            .map(f64::abs)
                            .min_by(f64::total_cmp)
                    })
                    .unwrap_or(0.0)
            })
            .collect();
        // Phase 3a (re-plans): change as few published slots as possible,
        // keeping the largest excess.
        let keeps = |c: &Cell| {
            opts.reference
                .as_ref()
                .and_then(|a| a.get(c.week)?.get(c.role).copied().flatten())
                .and_then(|p| inst.position(p))
                == Some(c.person)
        };
        let kept_of = |a: &[Vec<Option<usize>>]| -> usize {
            let Some(reference) = opts.reference.as_ref() else {
                return 0;
            };
            a.iter()
                .enumerate()
                .flat_map(|(w, row)| row.iter().enumerate().map(move |(r, s)| (w, r, *s)))
                .filter(|&(w, r, s)| {
                    s.is_some()
                        && reference
                            .get(w)
                            .and_then(|row| row.get(r).copied().flatten())
                            .and_then(|p| inst.position(p))
                            == s
                })
                .count()
        };
        let mut keep_at_least: Option<usize> = None;
        if opts.reference.is_some() {
            let mut model = Model::new(inst, &filled);
            for &(w, r) in &filled {
                let s = model.slot_sum(w, r);
                model
                    .rows
                    .push((s.eq(1), RowTag::Slot { week: w, role: r }));
            }
            for &i in &people {
                let load = model.person_load(inst, i);
                model.rows.push((
                    (load - shares[i]).leq(zstar + TOL),
                    RowTag::KeepExcess { person: i },
                ));
            }
            let objective: Expression =
                model.cells.iter().filter(|c| keeps(c)).map(|c| c.var).sum();
            let (res, cells) = run(model, objective, true, left(0.5), (EXACT, EXACT_ABS))?;
            if let Some(v) = res.values {
                let cand = decode(inst, &cells, &v);
                if max_excess_of(inst, &cand, &shares, &people) <= zstar + 1e-5
                    && kept_of(&cand) >= kept_of(&best)
                {
                    best = cand;
                }
            }
            stats.changes_proven = res.proven;
            keep_at_least = Some(kept_of(&best));
        }

        let mut model = Model::new(inst, &filled);
        for &(w, r) in &filled {
            let s = model.slot_sum(w, r);
            model
                .rows
                .push((s.eq(1), RowTag::Slot { week: w, role: r }));
        }
        if let Some(k) = keep_at_least {
            let kept: Expression = model.cells.iter().filter(|c| keeps(c)).map(|c| c.var).sum();
            model
                .rows
                .push((kept.geq(k as f64 - 0.5), RowTag::KeepChanges));
        }
        let mut objective = Expression::from(0.0);
        let mut ucols = Vec::new();
        for &i in &people {
            let (u, ucol) = model.add_var(variable().min((dist[i] - TOL).max(0.0)));
            ucols.push((i, ucol));
            let load = model.person_load(inst, i);
            model.rows.push((
                (load.clone() - shares[i]).leq(zstar + TOL),
                RowTag::KeepExcess { person: i },
            ));
            model.rows.push((
                (load.clone() - shares[i]).leq(u),
                RowTag::Spread { person: i },
            ));
            model
                .rows
                .push(((shares[i] - load).leq(u), RowTag::Spread { person: i }));
            objective += u;
        }
        let spread_lb: f64 = people.iter().map(|&i| dist[i]).sum();
        let spread_budget = left(1.0)
            .min(SPREAD_SHARE * budget)
            .min((SPREAD_FACTOR * clock.elapsed().as_secs_f64()).max(SPREAD_MIN))
            .max(0.05);
        let (res, cells) = run(
            model,
            objective,
            false,
            spread_budget,
            (SPREAD_GAP, SPREAD_ABS_GAP),
        )?;
        if let Some(v) = res.values {
            let cand = decode(inst, &cells, &v);
            if max_excess_of(inst, &cand, &shares, &people) <= zstar + 1e-5
                && keep_at_least.is_none_or(|k| kept_of(&cand) >= k)
            {
                best = cand;
            }
        }
        stats.spread = people
            .iter()
            .map(|&i| (person_load_of(inst, &best, i) - shares[i]).abs())
            .sum();
        // HiGHS's own bound, which is within SPREAD_GAP of the spread when it
        // reports the tie-break optimal.
        stats.spread_bound = res.bound.max(spread_lb).min(stats.spread);
    }

    stats.seconds = clock.elapsed().as_secs_f64();
    stats.gap = relative_gap(stats.objective, stats.bound);
    let unfilled: Vec<UnfilledSlot> = all
        .iter()
        .filter(|&&(w, r)| best[w][r].is_none())
        .map(|&(w, r)| UnfilledSlot {
            week: w,
            role: crate::model::RoleIdx(r),
            reason: inst.unfilled_reason(w, r),
        })
        .collect();
    let status = if filled.is_empty() && !all.is_empty() {
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
    };
    let assignment: Vec<Vec<Option<PersonIdx>>> = best
        .iter()
        .map(|row| row.iter().map(|s| s.map(|i| inst.members[i])).collect())
        .collect();
    Ok(inst.to_plan(assignment, status, stats, unfilled))
}

/// `(objective - bound) / max(|objective|, 1)`: relative to the objective, but
/// never blown up by an objective near zero.
pub fn relative_gap(objective: f64, bound: f64) -> f64 {
    ((objective - bound) / objective.abs().max(1.0)).max(0.0)
}

fn person_load_of(inst: &Instance<'_>, a: &[Vec<Option<usize>>], i: usize) -> f64 {
    a.iter()
        .enumerate()
        .flat_map(|(w, row)| row.iter().enumerate().map(move |(r, s)| (w, r, *s)))
        .filter(|&(_, _, s)| s == Some(i))
        .map(|(w, r, _)| inst.load[w][r])
        .sum()
}

fn max_excess_of(
    inst: &Instance<'_>,
    a: &[Vec<Option<usize>>],
    shares: &[f64],
    people: &[usize],
) -> f64 {
    people
        .iter()
        .map(|&i| person_load_of(inst, a, i) - shares[i])
        .fold(f64::NEG_INFINITY, f64::max)
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
/// not errors: they make a [`Status::Partial`] plan.
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
/// `history_weeks` and the rest rule across the boundary (DESIGN.md §2–§3).
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
    let weeks = crate::plan::horizon::weeks(ws.team(team), spec)?;
    let before = weeks
        .first()
        .map_or(chrono::NaiveDate::MIN, |w| w.first_day);
    let past = crate::plan::instance::past_shifts(ws, team, history, before);
    let inst = Instance::with_weeks(ws, team, weeks, &past);
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
