//! Teams that share people, planned together.
//!
//! 1. **One model fills the component.** A MILP over every team's slots, with
//!    each team's own rules (eligibility, one role per week, `rest_weeks`,
//!    `max_shifts`) and one more: a person on two teams that exclude each
//!    other holds no two slots whose times overlap. It maximises the slots
//!    filled across the component, so a slot that planning the teams one
//!    after another would leave empty is filled when any joint plan can.
//! 2. **Each team's fairness, given the others.** Then each team in turn is
//!    solved by the single-team optimiser, with the other teams' current
//!    plans as blocked time. The joint fill stays feasible for it, so no team
//!    fills fewer slots than the joint model did; its largest excess is then
//!    proven minimal *given the other teams' plans* (a team's status speaks
//!    of that), not over every joint plan.

use std::collections::BTreeMap;

use good_lp::{variable, Expression, ProblemVariables, Variable};

use super::model::{run_rows, RunSettings};
use super::{solve, PlanError, PlanOptions, DEFAULT_TIME_LIMIT};
use crate::model::history::{exclusive, Busy, HeldShift};
use crate::model::{TeamIdx, Workspace};
use crate::plan::horizon::{self, HorizonSpec};
use crate::plan::instance::{past_shifts, Instance};
use crate::plan::Plan;

/// What one team of a component brings: its published history and the time
/// its members are on call for teams outside the component.
#[derive(Clone, Debug, Default)]
pub struct TeamContext {
    /// Published history of the team.
    pub history: Vec<HeldShift>,
    /// Time its members are on call elsewhere.
    pub busy: Vec<Busy>,
}

/// Share of the budget the joint fill may use.
const FILL_SHARE: f64 = 0.3;

/// Plans the teams of one component (teams linked by shared people), in the
/// order given; `context[k]` belongs to `teams[k]`. A component of one team
/// is planned exactly as [`super::plan_around`] plans it.
///
/// # Errors
/// A horizon that cannot be planned, or a solver failure.
pub fn plan_component(
    ws: &Workspace,
    teams: &[TeamIdx],
    spec: &HorizonSpec,
    opts: &PlanOptions,
    context: &[TeamContext],
) -> Result<Vec<Plan>, PlanError> {
    let ctx = |k: usize| context.get(k).cloned().unwrap_or_default();
    if let [team] = teams {
        let c = ctx(0);
        return Ok(vec![super::plan_around(
            ws, *team, spec, opts, &c.history, &c.busy,
        )?]);
    }
    let budget = opts.time_limit.unwrap_or(DEFAULT_TIME_LIMIT);
    let started = std::time::Instant::now();
    let mut insts = Vec::with_capacity(teams.len());
    for (k, &t) in teams.iter().enumerate() {
        insts.push(instance(ws, t, spec, &ctx(k))?);
    }
    let mut current = joint_fill(ws, &insts, budget * FILL_SHARE)?;
    let mut plans = Vec::with_capacity(teams.len());
    for k in 0..insts.len() {
        let mut busy = ctx(k).busy;
        busy.extend(others(ws, &insts, &current, k));
        let mut inst = instance(ws, teams[k], spec, &ctx(k))?;
        inst.block_busy(&busy);
        let left = (budget - started.elapsed().as_secs_f64()).max(1.0);
        let share = left / (insts.len() - k) as f64;
        let team_opts = PlanOptions {
            time_limit: Some(share),
            ..opts.clone()
        };
        let plan = solve(&inst, &team_opts)?;
        current[k] = positions(&inst, &plan);
        plans.push(plan);
    }
    Ok(plans)
}

/// One team's instance over `spec`, after its history, around its busy time.
fn instance<'a>(
    ws: &'a Workspace,
    team: TeamIdx,
    spec: &HorizonSpec,
    ctx: &TeamContext,
) -> Result<Instance<'a>, PlanError> {
    let weeks = horizon::weeks(ws.team(team), spec)?;
    let before = weeks
        .first()
        .map_or(chrono::NaiveDate::MIN, |w| w.first_day);
    let past = past_shifts(ws, team, &ctx.history, before);
    let mut inst = Instance::with_weeks(ws, team, weeks, &past);
    inst.block_busy(&ctx.busy);
    Ok(inst)
}

/// `assignment[week][role]` as member positions.
type Positions = Vec<Vec<Option<usize>>>;

fn positions(inst: &Instance<'_>, plan: &Plan) -> Positions {
    let pos = |p: &Option<crate::model::PersonIdx>| p.and_then(|p| inst.position(p));
    plan.assignment
        .iter()
        .map(|row| row.iter().map(pos).collect())
        .collect()
}

/// The time the other teams' current plans hold the members of team `k`.
fn others(ws: &Workspace, insts: &[Instance<'_>], current: &[Positions], k: usize) -> Vec<Busy> {
    let me = ws.team(insts[k].team);
    let mut out = Vec::new();
    for (j, inst) in insts.iter().enumerate() {
        let them = ws.team(inst.team);
        if j == k || !exclusive(me, them) {
            continue;
        }
        for (w, row) in current[j].iter().enumerate() {
            for (r, slot) in row.iter().enumerate() {
                let Some(i) = *slot else { continue };
                let week = &inst.weeks[w];
                out.push(Busy {
                    person: ws.person(inst.members[i]).id.clone(),
                    team: them.id.clone(),
                    role: them.roles[r].name.clone(),
                    start: week.start,
                    end: week.end,
                });
            }
        }
    }
    out
}

/// One binary column: team `k`'s member `i` in slot `(w, r)`.
struct Cell {
    k: usize,
    w: usize,
    r: usize,
    i: usize,
    var: Variable,
}

/// The joint fill: as many slots as possible across the component, within
/// every team's rules and without double-booking anyone.
fn joint_fill(
    ws: &Workspace,
    insts: &[Instance<'_>],
    time_limit: f64,
) -> Result<Vec<Positions>, PlanError> {
    let mut vars = ProblemVariables::new();
    let mut cells = Vec::new();
    for (k, inst) in insts.iter().enumerate() {
        for w in 0..inst.weeks.len() {
            for r in 0..inst.roles() {
                for i in (0..inst.members.len()).filter(|&i| inst.allowed(w, r, i)) {
                    let var = vars.add(variable().binary());
                    cells.push(Cell { k, w, r, i, var });
                }
            }
        }
    }
    let mut rows = team_rows(insts, &cells);
    rows.extend(overlap_rows(ws, insts, &cells));
    let objective: Expression = cells.iter().map(|c| c.var).sum();
    let set = RunSettings {
        maximise: true,
        time_limit: time_limit.max(0.5),
        gaps: (1e-7, 1e-7),
        max_nodes: None,
        presolve: true,
        first: false,
    };
    let raw = run_rows(vars, rows, objective, &set).map_err(PlanError::from)?;
    let mut out: Vec<Positions> = insts
        .iter()
        .map(|inst| vec![vec![None; inst.roles()]; inst.weeks.len()])
        .collect();
    let values = raw.values.unwrap_or_default();
    for (col, c) in cells.iter().enumerate() {
        if values.get(col).copied().unwrap_or(0.0) > 0.5 {
            out[c.k][c.w][c.r] = Some(c.i);
        }
    }
    Ok(out)
}

/// Each team's own rows: one person per slot, and per member at most one
/// slot in any `rest_weeks + 1` consecutive weeks (one role per week when
/// `rest_weeks = 0`) and at most `max_shifts` slots.
fn team_rows(insts: &[Instance<'_>], cells: &[Cell]) -> Vec<good_lp::Constraint> {
    let mut slots: BTreeMap<(usize, usize, usize), Expression> = BTreeMap::new();
    let mut people: BTreeMap<(usize, usize), Vec<&Cell>> = BTreeMap::new();
    for c in cells {
        *slots.entry((c.k, c.w, c.r)).or_default() += c.var;
        people.entry((c.k, c.i)).or_default().push(c);
    }
    let mut rows: Vec<good_lp::Constraint> = slots.into_values().map(|e| e.leq(1)).collect();
    for ((k, _), mine) in people {
        let inst = &insts[k];
        for w in 0..inst.weeks.len() {
            let window = mine
                .iter()
                .filter(|c| c.w >= w && c.w <= w + inst.rest_weeks);
            let e: Expression = window.map(|c| c.var).sum();
            rows.push(e.leq(1));
        }
        if let Some(max) = inst.max_shifts {
            let e: Expression = mine.iter().map(|c| c.var).sum();
            rows.push(e.leq(f64::from(max)));
        }
    }
    rows
}

/// For a person on two teams that exclude each other, and each pair of
/// their weeks whose times overlap: at most one slot of the two weeks.
fn overlap_rows(
    ws: &Workspace,
    insts: &[Instance<'_>],
    cells: &[Cell],
) -> Vec<good_lp::Constraint> {
    let mut held: BTreeMap<(usize, usize, usize), Expression> = BTreeMap::new();
    for c in cells {
        let person = insts[c.k].members[c.i].0;
        *held.entry((person, c.k, c.w)).or_default() += c.var;
    }
    let mut rows = Vec::new();
    for ((p, k1, w1), e1) in &held {
        for ((_, k2, w2), e2) in held.range((*p, k1 + 1, 0)..(*p + 1, 0, 0)) {
            let (a, b) = (&insts[*k1], &insts[*k2]);
            if !exclusive(ws.team(a.team), ws.team(b.team)) {
                continue;
            }
            let (x, y) = (&a.weeks[*w1], &b.weeks[*w2]);
            if x.start < y.end && y.start < x.end {
                rows.push((e1.clone() + e2.clone()).leq(1));
            }
        }
    }
    rows
}

/// The teams of `teams` grouped into components: two teams are in one when
/// they share a person and exclude each other (not both `allow_overlap`),
/// directly or through other teams. Components come in the order of their
/// first team, each in the order of `teams`.
pub fn components(ws: &Workspace, teams: &[TeamIdx]) -> Vec<Vec<TeamIdx>> {
    let mut sets = petgraph::unionfind::UnionFind::<usize>::new(teams.len());
    for (a, &ta) in teams.iter().enumerate() {
        for (b, &tb) in teams.iter().enumerate().skip(a + 1) {
            let (x, y) = (ws.team(ta), ws.team(tb));
            if exclusive(x, y) && x.members.iter().any(|p| y.has_member(*p)) {
                sets.union(a, b);
            }
        }
    }
    let mut groups: BTreeMap<usize, Vec<TeamIdx>> = BTreeMap::new();
    let mut order: Vec<usize> = Vec::new();
    for (a, &t) in teams.iter().enumerate() {
        let root = sets.find(a);
        if !groups.contains_key(&root) {
            order.push(root);
        }
        groups.entry(root).or_default().push(t);
    }
    order
        .into_iter()
        .filter_map(|root| groups.remove(&root))
        .collect()
}

/// One team's result in [`plan_all`].
pub type TeamResult = (TeamIdx, Result<Plan, PlanError>);

/// Plans every team of `teams`: each component as one ([`plan_component`]),
/// components in parallel on `jobs` threads (all cores when `None`).
/// `context` gives each team's history and busy time outside its component;
/// `done` is told how many teams each finished component had. Results come
/// back in the order of `teams`.
///
/// # Errors
/// The thread pool cannot be built.
pub fn plan_all(
    ws: &Workspace,
    teams: &[TeamIdx],
    spec: &HorizonSpec,
    opts: &PlanOptions,
    context: &(dyn Fn(TeamIdx) -> TeamContext + Sync),
    jobs: Option<usize>,
    done: &(dyn Fn(usize) + Sync),
) -> Result<Vec<TeamResult>, rayon::ThreadPoolBuildError> {
    use rayon::prelude::*;
    let groups = components(ws, teams);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs.unwrap_or(0))
        .build()?;
    let solved: Vec<Vec<TeamResult>> = pool.install(|| {
        groups
            .par_iter()
            .map(|group| {
                let ctx: Vec<TeamContext> = group.iter().map(|&t| context(t)).collect();
                let out = match plan_component(ws, group, spec, opts, &ctx) {
                    Ok(plans) => group
                        .iter()
                        .copied()
                        .zip(plans.into_iter().map(Ok))
                        .collect(),
                    Err(e) => failed(group, &e),
                };
                done(group.len());
                out
            })
            .collect()
    });
    let mut by_team: BTreeMap<TeamIdx, Result<Plan, PlanError>> =
        solved.into_iter().flatten().collect();
    Ok(teams
        .iter()
        .filter_map(|t| by_team.remove(t).map(|r| (*t, r)))
        .collect())
}

/// The same failure for every team of a component.
fn failed(group: &[TeamIdx], e: &PlanError) -> Vec<TeamResult> {
    let text = e.to_string();
    group
        .iter()
        .map(|&t| {
            (
                t,
                Err(PlanError::Solve(super::SolveError::Backend(text.clone()))),
            )
        })
        .collect()
}
