//! The MILP: one binary column per allowed `(week, role, person)` and one
//! small function per family of constraint rows. Every row carries a
//! [`RowTag`] naming the rule, person, week and role it came from.

use std::collections::BTreeSet;

use good_lp::solvers::highs::highs;
use good_lp::{variable, Expression, ProblemVariables, SolverModel, Variable};
use highs::HighsModelStatus;

use super::units::{micro, MICRO};
use super::{SolveError, TOL};
use crate::plan::instance::Instance;

/// `assignment[week][role]`: the member position holding each slot.
pub(super) type Assignment = Vec<Vec<Option<usize>>>;

/// What a constraint row stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowTag {
    /// At most one person in slot `(week, role)` (while filling slots).
    SlotAtMostOne {
        /// Week index.
        week: usize,
        /// Role index.
        role: usize,
    },
    /// Exactly one person in slot `(week, role)` (once the filling is fixed).
    Slot {
        /// Week index.
        week: usize,
        /// Role index.
        role: usize,
    },
    /// `person` holds at most one role in `week` (the rule when
    /// `rest_weeks = 0`).
    OneRolePerWeek {
        /// Member position.
        person: usize,
        /// Week index.
        week: usize,
    },
    /// `person` holds at most one slot in weeks `week ..= week + rest_weeks`.
    Rest {
        /// Member position.
        person: usize,
        /// First week of the window.
        week: usize,
    },
    /// `person` holds at most the room a yearly cap leaves in the window
    /// ending on `week`.
    YearCap {
        /// Member position.
        person: usize,
        /// Last week of the window.
        week: usize,
    },
    /// `person` holds at most `max_shifts` slots.
    MaxShifts {
        /// Member position.
        person: usize,
    },
    /// `person`'s load stays within the largest load they can reach within a
    /// candidate value of the largest excess.
    LoadCap {
        /// Member position.
        person: usize,
    },
    /// The largest excess is at least `person`'s deviation.
    Excess {
        /// Member position.
        person: usize,
    },
    /// `person`'s deviation stays within the smallest largest excess found.
    KeepExcess {
        /// Member position.
        person: usize,
    },
    /// `|d_p|` linearisation: `person`'s absolute deviation.
    Spread {
        /// Member position.
        person: usize,
    },
    /// A re-plan keeps at least as many published slots as the fewest-changes
    /// phase found.
    KeepChanges,
    /// `person` takes exactly as many slots of one role and load as the
    /// pattern relaxation chose for them.
    Pattern {
        /// Member position.
        person: usize,
    },
}

/// One binary variable `x[w][r][i]`.
#[derive(Clone, Copy, Debug)]
pub(super) struct Cell {
    pub(super) week: usize,
    pub(super) role: usize,
    pub(super) person: usize,
    pub(super) col: usize,
    pub(super) var: Variable,
}

/// The assignment part of the model, shared by every phase, with its rows.
pub(super) struct Model {
    vars: ProblemVariables,
    pub(super) cells: Vec<Cell>,
    rows: Vec<(good_lp::Constraint, RowTag)>,
}

impl Model {
    /// The columns of `slots` and the rules every phase keeps: one role per
    /// person per week, `rest_weeks` and `max_shifts`. Eligibility and pins
    /// need no rows: they decide which columns exist.
    pub(super) fn new(inst: &Instance<'_>, slots: &BTreeSet<(usize, usize)>) -> Self {
        let (vars, cells) = eligible_cells(inst, slots);
        let mut model = Model {
            vars,
            cells,
            rows: Vec::new(),
        };
        model.one_role_per_week(inst);
        model.rest_weeks(inst);
        model.max_shifts(inst);
        model.year_caps(inst);
        model
    }

    /// A further column after the cells, e.g. the largest excess.
    pub(super) fn add_var(&mut self, def: good_lp::VariableDefinition) -> Variable {
        self.vars.add(def)
    }

    /// The tags of the rows, in the order they were added.
    #[cfg(test)]
    pub(super) fn tags(&self) -> Vec<RowTag> {
        self.rows.iter().map(|(_, tag)| *tag).collect()
    }

    fn push(&mut self, row: good_lp::Constraint, tag: RowTag) {
        self.rows.push((row, tag));
    }

    fn slot_sum(&self, w: usize, r: usize) -> Expression {
        self.cells
            .iter()
            .filter(|c| c.week == w && c.role == r)
            .map(|c| c.var)
            .sum()
    }

    fn person_load(&self, inst: &Instance<'_>, i: usize) -> Expression {
        self.cells
            .iter()
            .filter(|c| c.person == i)
            .map(|c| inst.load[c.week][c.role] * c.var)
            .sum()
    }

    /// The number of filled slots.
    pub(super) fn filled_count(&self) -> Expression {
        self.cells.iter().map(|c| c.var).sum()
    }

    /// The number of cells `keeps` accepts (in a re-plan, the published ones).
    pub(super) fn kept_count(&self, keeps: impl Fn(&Cell) -> bool) -> Expression {
        self.cells.iter().filter(|c| keeps(c)).map(|c| c.var).sum()
    }

    /// With `rest_weeks = 0`: one person holds at most one role per week.
    fn one_role_per_week(&mut self, inst: &Instance<'_>) {
        if inst.rest_weeks == 0 {
            self.windows(inst, |person, week| RowTag::OneRolePerWeek { person, week });
        }
    }

    /// With `rest_weeks > 0`: one person holds at most one slot in weeks
    /// `w ..= w + rest_weeks`, which includes one role per week.
    fn rest_weeks(&mut self, inst: &Instance<'_>) {
        if inst.rest_weeks > 0 {
            self.windows(inst, |person, week| RowTag::Rest { person, week });
        }
    }

    /// Per person, weeks `w ..= w + rest_weeks`: at most one slot. Windows with
    /// at most one column, or no column beyond the last row's, are left out.
    fn windows(&mut self, inst: &Instance<'_>, tag: fn(usize, usize) -> RowTag) {
        let rest = inst.rest_weeks;
        for i in 0..inst.members.len() {
            let mine: Vec<Cell> = self
                .cells
                .iter()
                .filter(|c| c.person == i)
                .copied()
                .collect();
            let mut last: Option<Vec<usize>> = None;
            for w in 0..inst.weeks.len() {
                let window: Vec<&Cell> = mine
                    .iter()
                    .filter(|c| c.week >= w && c.week <= w + rest)
                    .collect();
                let cols: Vec<usize> = window.iter().map(|c| c.col).collect();
                let covered = last
                    .as_ref()
                    .is_some_and(|l| cols.iter().all(|c| l.contains(c)));
                if cols.len() <= 1 || covered {
                    continue;
                }
                let expr: Expression = window.iter().map(|c| c.var).sum();
                self.push(expr.leq(1), tag(i, w));
                last = Some(cols);
            }
        }
    }

    /// One person holds at most `max_shifts` slots.
    fn max_shifts(&mut self, inst: &Instance<'_>) {
        let Some(max) = inst.max_shifts else { return };
        for i in 0..inst.members.len() {
            let expr: Expression = self
                .cells
                .iter()
                .filter(|c| c.person == i)
                .map(|c| c.var)
                .sum();
            self.push(expr.leq(f64::from(max)), RowTag::MaxShifts { person: i });
        }
    }

    /// The yearly caps: in every window, the plan's weeks of the member (of
    /// the role, or of any role) fit in the room published history leaves.
    fn year_caps(&mut self, inst: &Instance<'_>) {
        for win in inst.year_windows() {
            let expr: Expression = self
                .cells
                .iter()
                .filter(|c| c.person == win.person && win.weeks.contains(&c.week))
                .filter(|c| win.role.is_none_or(|r| r == c.role))
                .map(|c| c.var)
                .sum();
            let tag = RowTag::YearCap {
                person: win.person,
                week: win.weeks.last().copied().unwrap_or(0),
            };
            self.push(expr.leq(f64::from(win.room())), tag);
        }
    }

    /// At most one person per slot: the rows while filling as many as possible.
    pub(super) fn at_most_one_per_slot(&mut self, slots: &BTreeSet<(usize, usize)>) {
        for &(w, r) in slots {
            let s = self.slot_sum(w, r);
            self.push(s.leq(1), RowTag::SlotAtMostOne { week: w, role: r });
        }
    }

    /// Exactly one person per slot: the filling is fixed.
    pub(super) fn exactly_one_per_slot(&mut self, slots: &BTreeSet<(usize, usize)>) {
        for &(w, r) in slots {
            let s = self.slot_sum(w, r);
            self.push(s.eq(1), RowTag::Slot { week: w, role: r });
        }
    }

    /// Person `i`'s load, counted in micro-units as the reachable loads are,
    /// stays at most `cap` micro-units.
    pub(super) fn load_cap(&mut self, inst: &Instance<'_>, i: usize, cap: i64) {
        let load: Expression = self
            .cells
            .iter()
            .filter(|c| c.person == i)
            .map(|c| micro(inst.load[c.week][c.role]) as f64 / MICRO * c.var)
            .sum();
        let row = load.leq((cap as f64 + 0.5) / MICRO);
        self.push(row, RowTag::LoadCap { person: i });
    }

    /// Person `i`'s deviation `load - share` is at most `z`.
    pub(super) fn excess(&mut self, inst: &Instance<'_>, i: usize, share: f64, z: Variable) {
        let load = self.person_load(inst, i);
        self.push((load - share).leq(z), RowTag::Excess { person: i });
    }

    /// Person `i`'s deviation stays within the largest excess `zstar` found.
    pub(super) fn keep_excess(&mut self, inst: &Instance<'_>, i: usize, share: f64, zstar: f64) {
        let load = self.person_load(inst, i);
        let row = (load - share).leq(zstar + TOL);
        self.push(row, RowTag::KeepExcess { person: i });
    }

    /// `u ≥ |load - share|` for person `i`, in two rows.
    pub(super) fn abs_deviation(&mut self, inst: &Instance<'_>, i: usize, share: f64, u: Variable) {
        let load = self.person_load(inst, i);
        let above = (load.clone() - share).leq(u);
        self.push(above, RowTag::Spread { person: i });
        self.push((share - load).leq(u), RowTag::Spread { person: i });
    }

    /// Person `i` takes exactly `counts[k]` filled slots of each class `k`
    /// (`class` gives a slot's class).
    pub(super) fn pattern(
        &mut self,
        i: usize,
        class: impl Fn(usize, usize) -> Option<usize>,
        counts: &[u16],
    ) {
        let mut sums: Vec<Expression> = vec![Expression::from(0.0); counts.len()];
        for c in self.cells.iter().filter(|c| c.person == i) {
            if let Some(sum) = class(c.week, c.role).and_then(|k| sums.get_mut(k)) {
                *sum += c.var;
            }
        }
        for (sum, &n) in sums.into_iter().zip(counts) {
            self.push(sum.eq(f64::from(n)), RowTag::Pattern { person: i });
        }
    }

    /// A re-plan keeps at least `k` of the published slots.
    pub(super) fn keep_changes(&mut self, keeps: impl Fn(&Cell) -> bool, k: usize) {
        let kept = self.kept_count(keeps);
        self.push(kept.geq(k as f64 - 0.5), RowTag::KeepChanges);
    }
}

/// One binary column per slot in `slots` and member allowed to take it
/// (eligible, and the pinned person in a pinned slot).
fn eligible_cells(
    inst: &Instance<'_>,
    slots: &BTreeSet<(usize, usize)>,
) -> (ProblemVariables, Vec<Cell>) {
    let mut vars = ProblemVariables::new();
    let mut cells = Vec::new();
    for &(week, role) in slots {
        for person in 0..inst.members.len() {
            if inst.allowed(week, role, person) {
                let var = vars.add(variable().binary());
                let col = cells.len();
                cells.push(Cell {
                    week,
                    role,
                    person,
                    col,
                    var,
                });
            }
        }
    }
    (vars, cells)
}

/// Result of one HiGHS run.
pub(super) struct Run {
    /// Column values, when HiGHS found a solution.
    pub(super) values: Option<Vec<f64>>,
    /// HiGHS's dual bound on the objective.
    pub(super) bound: f64,
    /// Whether the run proved its answer (optimal or infeasible).
    pub(super) proven: bool,
    /// The model's cells, to decode `values`.
    pub(super) cells: Vec<Cell>,
}

impl Run {
    /// The assignment found, if any.
    pub(super) fn assignment(&self, inst: &Instance<'_>) -> Option<Assignment> {
        self.values.as_ref().map(|v| decode(inst, &self.cells, v))
    }
}

/// A run with less time than this, in seconds, skips the steps of HiGHS
/// that overrun its time limit.
const SHORT_RUN: f64 = 2.0;

/// Which way to optimise, the time limit and the relative and absolute gaps
/// accepted as proof.
pub(super) struct RunSettings {
    pub(super) maximise: bool,
    pub(super) time_limit: f64,
    pub(super) gaps: (f64, f64),
    /// Most branch-and-bound nodes: unlike the clock, a limit that stops
    /// every run of the same model at the same point.
    pub(super) max_nodes: Option<i32>,
    /// Whether HiGHS presolves and looks for symmetry. Small set-partitioning
    /// models answer faster without: on them presolve alone can take ten
    /// times the search.
    pub(super) presolve: bool,
    /// Stop at the first solution found.
    pub(super) first: bool,
}

/// Relative MIP gap for the fairness phases: proofs are exact up to rounding.
const EXACT: f64 = 1e-7;
/// Absolute gap for the exact phases.
const EXACT_ABS: f64 = 1e-7;
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

/// Solves `model` for `objective` on HiGHS.
pub(super) fn run(
    model: Model,
    objective: Expression,
    set: RunSettings,
) -> Result<Run, SolveError> {
    let Model { vars, cells, rows } = model;
    let raw = run_rows(vars, rows.into_iter().map(|(row, _)| row), objective, &set)?;
    Ok(Run {
        values: raw.values,
        bound: raw.bound,
        proven: raw.proven,
        cells,
    })
}

/// A finished HiGHS run of any model: column values when a solution was
/// found, the dual bound, and whether the answer is proven.
pub(super) struct RawRun {
    pub(super) values: Option<Vec<f64>>,
    pub(super) bound: f64,
    pub(super) proven: bool,
}

/// Solves the columns `vars` under `rows` for `objective` on HiGHS.
pub(super) fn run_rows(
    vars: ProblemVariables,
    rows: impl IntoIterator<Item = good_lp::Constraint>,
    objective: Expression,
    set: &RunSettings,
) -> Result<RawRun, SolveError> {
    let unsolved = if set.maximise {
        vars.maximise(objective)
    } else {
        vars.minimise(objective)
    };
    let mut problem = unsolved.using(highs);
    for row in rows {
        problem.add_constraint(row);
    }
    let mut hm = problem
        .try_into_inner()
        .map_err(|e| SolveError::Backend(e.to_string()))?;
    hm.make_quiet();
    hm.set_option("time_limit", set.time_limit.max(0.01));
    hm.set_option("mip_rel_gap", set.gaps.0);
    hm.set_option("mip_abs_gap", set.gaps.1);
    // One thread per model: parallelism comes from solving teams and
    // components side by side, and HiGHS's scheduler is shared by the
    // process, so every model must ask for the same number.
    hm.set_option("threads", 1);
    if set.first {
        hm.set_option("mip_max_improving_sols", 1);
    }
    if let Some(nodes) = set.max_nodes {
        hm.set_option("mip_max_nodes", nodes);
    }
    if set.time_limit < SHORT_RUN || !set.presolve {
        // Symmetry detection and presolve do not look at the clock, and on a
        // large team they alone take seconds: a short run goes without them.
        hm.set_option("mip_detect_symmetry", false);
        hm.set_option("presolve", "off");
    }
    // No warm start: with one, HiGHS (1.x through highs 2.4) may report the
    // improved objective while returning the starting columns.
    let solved = hm
        .try_solve()
        .map_err(|e| SolveError::Backend(format!("{e:?}")))?;
    read_run(&solved, set.maximise)
}

/// The solution, bound and proof of a finished HiGHS run.
fn read_run(solved: &highs::SolvedModel, maximise: bool) -> Result<RawRun, SolveError> {
    let status = solved.status();
    let has_solution = solved
        .int_info_value(c"primal_solution_status")
        .map(|s| s == 2)
        .unwrap_or(false);
    let unbounded = if maximise {
        f64::INFINITY
    } else {
        f64::NEG_INFINITY
    };
    let bound = solved
        .double_info_value(c"mip_dual_bound")
        .unwrap_or(unbounded);
    let proven = matches!(status, HighsModelStatus::Optimal);
    match status {
        HighsModelStatus::Infeasible | HighsModelStatus::UnboundedOrInfeasible => Ok(RawRun {
            values: None,
            bound,
            proven: true,
        }),
        HighsModelStatus::LoadError
        | HighsModelStatus::ModelError
        | HighsModelStatus::PresolveError
        | HighsModelStatus::SolveError
        | HighsModelStatus::PostsolveError => Err(SolveError::Backend(format!("{status:?}"))),
        _ => {
            let values = has_solution.then(|| solved.get_solution().columns().to_vec());
            Ok(RawRun {
                values,
                bound,
                proven,
            })
        }
    }
}

/// `assignment[w][r]` from column values.
fn decode(inst: &Instance<'_>, cells: &[Cell], values: &[f64]) -> Assignment {
    let mut out = vec![vec![None; inst.roles()]; inst.weeks.len()];
    for c in cells {
        if values.get(c.col).copied().unwrap_or(0.0) > 0.5 {
            out[c.week][c.role] = Some(c.person);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::input::synth::{organisation, Shape};
    use crate::model::{RoleIdx, TeamIdx, Workspace};
    use crate::plan::horizon::HorizonSpec;
    use chrono::NaiveDate;

    fn workspace() -> Workspace {
        organisation(&Shape {
            teams: 1,
            team_size: 3,
            start: NaiveDate::from_ymd_opt(2027, 1, 4).unwrap(),
            weeks: 2,
            seed: 7,
        })
    }

    /// Two weeks, two roles, three people who may all take every slot.
    fn instance(ws: &Workspace, rest_weeks: usize, max_shifts: Option<u32>) -> Instance<'_> {
        let spec = HorizonSpec::Weeks {
            from: NaiveDate::from_ymd_opt(2027, 1, 4).unwrap(),
            weeks: 2,
        };
        let mut inst = Instance::new(ws, TeamIdx(0), &spec).unwrap();
        assert_eq!(
            (inst.weeks.len(), inst.roles(), inst.members.len()),
            (2, 2, 3)
        );
        inst.eligible = vec![vec![vec![0, 1, 2]; 2]; 2];
        inst.blocked_until = vec![0; 3];
        inst.pins.clear();
        inst.rest_weeks = rest_weeks;
        inst.max_shifts = max_shifts;
        inst
    }

    fn every_slot() -> BTreeSet<(usize, usize)> {
        [(0, 0), (0, 1), (1, 0), (1, 1)].into_iter().collect()
    }

    #[test]
    fn rows_of_rest_max_shifts_and_slots_are_tagged_with_their_rule() {
        let ws = workspace();
        let inst = instance(&ws, 1, Some(2));
        let mut model = Model::new(&inst, &every_slot());
        model.exactly_one_per_slot(&every_slot());
        assert_eq!(model.cells.len(), 12);
        let mut want: Vec<RowTag> = (0..3)
            .map(|person| RowTag::Rest { person, week: 0 })
            .collect();
        want.extend((0..3).map(|person| RowTag::MaxShifts { person }));
        want.extend(
            every_slot()
                .into_iter()
                .map(|(week, role)| RowTag::Slot { week, role }),
        );
        assert_eq!(model.tags(), want);
    }

    #[test]
    fn pins_remove_columns_and_one_role_per_week_names_person_and_week() {
        let ws = workspace();
        let mut inst = instance(&ws, 0, None);
        inst.pins.push((0, RoleIdx(0), inst.members[1]));
        let mut model = Model::new(&inst, &every_slot());
        model.at_most_one_per_slot(&every_slot());
        // Only the pinned person has a column in the pinned slot.
        assert_eq!(model.cells.len(), 10);
        let pinned: Vec<usize> = model
            .cells
            .iter()
            .filter(|c| (c.week, c.role) == (0, 0))
            .map(|c| c.person)
            .collect();
        assert_eq!(pinned, vec![1]);
        // In week 0 the others have one column left, so no row.
        let mut want = vec![
            RowTag::OneRolePerWeek { person: 0, week: 1 },
            RowTag::OneRolePerWeek { person: 1, week: 0 },
            RowTag::OneRolePerWeek { person: 1, week: 1 },
            RowTag::OneRolePerWeek { person: 2, week: 1 },
        ];
        want.extend(
            every_slot()
                .into_iter()
                .map(|(week, role)| RowTag::SlotAtMostOne { week, role }),
        );
        assert_eq!(model.tags(), want);
    }

    #[test]
    fn fairness_rows_name_their_person() {
        let ws = workspace();
        let inst = instance(&ws, 0, None);
        let mut model = Model::new(&inst, &every_slot());
        let before = model.tags().len();
        let z = model.add_var(variable().min(0.0));
        model.excess(&inst, 2, 1.0, z);
        model.load_cap(&inst, 0, 3_000_000);
        model.keep_excess(&inst, 1, 1.0, 0.5);
        model.abs_deviation(&inst, 1, 1.0, z);
        model.keep_changes(|c| c.person == 0, 1);
        let want = [
            RowTag::Excess { person: 2 },
            RowTag::LoadCap { person: 0 },
            RowTag::KeepExcess { person: 1 },
            RowTag::Spread { person: 1 },
            RowTag::Spread { person: 1 },
            RowTag::KeepChanges,
        ];
        assert_eq!(model.tags()[before..], want[..]);
    }
}
