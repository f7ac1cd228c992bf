//! Why a plan is impossible, in domain terms, and what would fix it.
//!
//! The explanation is data first ([`Infeasibility`]); [`render_text`] turns it
//! into sentences. It is built in three steps:
//!
//! 1. a fast matching check per week (petgraph): slots against the people who
//!    may take them, one role per person per week. A slot left unmatched yields
//!    a Hall violator: a set of slots whose eligible people are too few;
//! 2. a conflict search over user-level [`Fact`]s — time-off entries, tenure
//!    thresholds, skill requirements, the rest rule in named weeks,
//!    `max_shifts`, pins, employment dates — with QuickXplain and a small MILP
//!    as the oracle, giving a minimal set of facts that alone leave a slot
//!    empty, where dropping any one of them lets every slot be filled;
//! 3. suggested fixes, each checked by re-solving the whole problem with the
//!    fix applied.

mod render;
mod search;

use std::collections::BTreeSet;

use petgraph::graph::{NodeIndex, UnGraph};

pub use render::{fact_text, fix_text, render_text};
use search::{empty_slots, fixes, Answer, Problem, Scenario};

use crate::model::history::{Busy, HeldShift};
use crate::model::{PersonIdx, RoleIdx, TeamIdx, Workspace};
use crate::plan::horizon::Week;
use crate::plan::horizon::{self, HorizonError, HorizonSpec};

/// A user-level fact that constrains the plan.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Fact {
    /// A time-off entry (index into [`Workspace::time_off`]).
    TimeOff(usize),
    /// A role's `min_tenure_days`.
    Tenure(RoleIdx),
    /// A skill a role requires.
    Skill(RoleIdx, String),
    /// The rest rule for a person after a week: no slot in the next `rest_weeks` weeks.
    Rest(PersonIdx, usize),
    /// `max_shifts` for a person.
    MaxShifts(PersonIdx),
    /// A pin (index into the team's pins).
    Pin(usize),
    /// A person's employment dates (`joined`, `left`).
    Employment(PersonIdx),
    /// A person held a published slot within `rest_weeks` before the horizon,
    /// so the rest rule keeps them off its first week(s).
    PastRest(PersonIdx),
    /// The yearly caps (`max_weeks_per_year`, `max_weeks_per_year_all`) for
    /// a person, with the published weeks they already hold in the 365 days
    /// ending on the horizon's last week, and the first of those.
    YearCap(PersonIdx, u32, Option<chrono::NaiveDate>),
    /// A person is on call for another team (by id) in these horizon weeks,
    /// so they may take no slot of this team then.
    Elsewhere(PersonIdx, String, Vec<usize>),
}

/// One change that, applied alone, lets every slot be filled (checked).
#[derive(Clone, Debug, PartialEq)]
pub enum Fix {
    /// Cancel or move a time-off entry.
    CancelTimeOff(usize),
    /// Lower a role's tenure threshold.
    LowerTenure(RoleIdx, i64),
    /// Give a member a skill.
    GiveSkill(PersonIdx, String),
    /// Add a member who has the skill and enough tenure.
    AddMember(RoleIdx),
    /// Let a person take the week right after week `k` (`rest_weeks` waived once).
    AllowBackToBack(PersonIdx, usize),
    /// Raise `max_shifts`.
    RaiseMaxShifts(u32),
    /// Remove a pin.
    RemovePin(usize),
    /// Raise `max_weeks_per_year` (`false`) or `max_weeks_per_year_all`
    /// (`true`) to this many weeks.
    RaiseYearCap(bool, u32),
}

/// A set of slots whose eligible people are too few (Hall's condition fails).
#[derive(Clone, Debug, PartialEq)]
pub struct HallViolator {
    /// The week.
    pub week: usize,
    /// The slots' roles.
    pub roles: Vec<RoleIdx>,
    /// Everyone eligible for any of them.
    pub people: Vec<PersonIdx>,
}

/// One minimal conflict and its fixes.
#[derive(Clone, Debug, PartialEq)]
pub struct Conflict {
    /// The facts: together they leave a slot empty; without any one, it fills.
    pub facts: Vec<Fact>,
    /// Slots this conflict leaves empty, `(week, role)`.
    pub slots: Vec<(usize, RoleIdx)>,
}

/// Why not every slot can be filled.
#[derive(Clone, Debug, PartialEq)]
pub struct Infeasibility {
    /// The team.
    pub team: TeamIdx,
    /// The weeks of the horizon.
    pub weeks: Vec<Week>,
    /// Matching failures found before any optimisation.
    pub hall: Vec<HallViolator>,
    /// Minimal conflicts, one per independent cause.
    pub conflicts: Vec<Conflict>,
    /// Fixes, each checked to yield a complete plan.
    pub fixes: Vec<Fix>,
}

/// Hall violators per week from a maximum matching of slots to people.
pub fn hall_violators(elig: &[Vec<Vec<PersonIdx>>]) -> Vec<HallViolator> {
    let mut out = Vec::new();
    for (w, row) in elig.iter().enumerate() {
        let mut g: UnGraph<(), ()> = UnGraph::new_undirected();
        let slots: Vec<NodeIndex> = row.iter().map(|_| g.add_node(())).collect();
        let mut people: Vec<(PersonIdx, NodeIndex)> = Vec::new();
        for (r, ps) in row.iter().enumerate() {
            for &p in ps {
                let node = match people.iter().find(|(q, _)| *q == p) {
                    Some((_, n)) => *n,
                    None => {
                        let n = g.add_node(());
                        people.push((p, n));
                        n
                    }
                };
                g.add_edge(slots[r], node, ());
            }
        }
        let m = petgraph::algo::matching::maximum_matching(&g);
        if m.len() == row.len() {
            continue;
        }
        // Alternating search from an unmatched slot: the slots it reaches and
        // their neighbours form a Hall violator.
        let Some(start) = slots.iter().position(|&s| m.mate(s).is_none()) else {
            continue;
        };
        let mut seen_slots = vec![start];
        let mut seen_people: Vec<NodeIndex> = Vec::new();
        let mut queue = vec![slots[start]];
        while let Some(s) = queue.pop() {
            for n in g.neighbors(s) {
                if seen_people.contains(&n) {
                    continue;
                }
                seen_people.push(n);
                if let Some(mate) = m.mate(n) {
                    if let Some(r) = slots.iter().position(|&x| x == mate) {
                        if !seen_slots.contains(&r) {
                            seen_slots.push(r);
                            queue.push(mate);
                        }
                    }
                }
            }
        }
        seen_slots.sort_unstable();
        let mut who: Vec<PersonIdx> = people
            .iter()
            .filter(|(_, n)| seen_people.contains(n))
            .map(|(p, _)| *p)
            .collect();
        who.sort();
        out.push(HallViolator {
            week: w,
            roles: seen_slots.into_iter().map(RoleIdx).collect(),
            people: who,
        });
    }
    out
}

/// The fast feasibility check alone: Hall violators of the horizon, before
/// any optimisation.
///
/// # Errors
/// A horizon that cannot be planned.
pub fn matching_check(
    ws: &Workspace,
    team: TeamIdx,
    spec: &HorizonSpec,
) -> Result<Vec<HallViolator>, HorizonError> {
    let weeks = horizon::weeks(ws.team(team), spec)?;
    let p = Problem::new(ws, team, weeks, &[]);
    Ok(hall_violators(&p.eligible(ws)))
}

/// Most independent conflicts reported.
const MAX_CONFLICTS: usize = 5;

/// What the explanation found about a horizon.
#[derive(Clone, Debug, PartialEq)]
pub enum Feasibility {
    /// Every slot can be filled.
    Completable,
    /// Not every slot can be filled, and why.
    Infeasible(Infeasibility),
    /// The oracle ran out of time before it could tell.
    Unknown,
}

impl Feasibility {
    /// The explanation, when the horizon is proven impossible.
    pub fn infeasibility(self) -> Option<Infeasibility> {
        match self {
            Feasibility::Infeasible(e) => Some(e),
            _ => None,
        }
    }
}

/// Explains why not every slot of `team` over `spec` can be filled, after
/// the published `history` (the rest rule across the boundary).
///
/// # Errors
/// A horizon that cannot be planned.
pub fn explain(
    ws: &Workspace,
    team: TeamIdx,
    spec: &HorizonSpec,
    history: &[HeldShift],
) -> Result<Feasibility, HorizonError> {
    explain_around(ws, team, spec, history, &[])
}

/// [`explain`] around the time its members are on call for other teams
/// (`busy`): such weeks are facts of their own ("carol is on call for ledger
/// in the week of ...").
///
/// # Errors
/// A horizon that cannot be planned.
pub fn explain_around(
    ws: &Workspace,
    team: TeamIdx,
    spec: &HorizonSpec,
    history: &[HeldShift],
    busy: &[Busy],
) -> Result<Feasibility, HorizonError> {
    let weeks = horizon::weeks(ws.team(team), spec)?;
    let p = Problem::new(ws, team, weeks, history).around(busy);
    Ok(search_conflicts(p.within(EXPLAIN_TIME_LIMIT)))
}

/// Default wall-clock budget of a whole explanation, in seconds.
pub const EXPLAIN_TIME_LIMIT: f64 = 60.0;

/// [`explain`] for explicit weeks, within `time_limit` seconds in all. When
/// the budget runs out first, the answer is [`Feasibility::Unknown`] if not
/// even the whole horizon was decided; otherwise the conflicts found are
/// still proven, but may not be minimal, and fewer fixes may be listed.
pub fn explain_weeks(
    ws: &Workspace,
    team: TeamIdx,
    weeks: Vec<Week>,
    history: &[HeldShift],
    time_limit: f64,
) -> Feasibility {
    search_conflicts(Problem::new(ws, team, weeks, history).within(time_limit))
}

/// The conflict search of [`explain_weeks`] on a prepared problem.
fn search_conflicts(p: Problem<'_>) -> Feasibility {
    let everything = Scenario {
        active: p.all.clone(),
        fixes: vec![],
    };
    match p.answer(&everything) {
        Answer::Yes => return Feasibility::Completable,
        Answer::Unknown => return Feasibility::Unknown,
        Answer::No => {}
    }
    let hall = hall_violators(&p.eligible(&p.relaxed(&everything)));
    // Find independent minimal conflicts: after each, drop its facts and look again.
    let mut conflicts = Vec::new();
    let mut remaining: Vec<Fact> = p.all.iter().cloned().collect();
    while conflicts.len() < MAX_CONFLICTS {
        let active: BTreeSet<Fact> = remaining.iter().cloned().collect();
        if p.complete(&Scenario {
            active,
            fixes: vec![],
        }) {
            break;
        }
        let facts = p.quickxplain(&BTreeSet::new(), &remaining, false);
        if facts.is_empty() {
            // Structural: even with no user-level facts the slots cannot be filled
            // (e.g. a role with fewer members than roles).
            conflicts.push(Conflict {
                facts,
                slots: empty_slots(&p, &BTreeSet::new()),
            });
            break;
        }
        let set: BTreeSet<Fact> = facts.iter().cloned().collect();
        let slots = empty_slots(&p, &set);
        remaining.retain(|f| !set.contains(f));
        conflicts.push(Conflict { facts, slots });
    }
    let fixes = fixes(&p, &conflicts);
    Feasibility::Infeasible(Infeasibility {
        team: p.team,
        weeks: p.weeks,
        hall,
        conflicts,
        fixes,
    })
}

/// Checks that `fix` alone lets every slot be filled (for tests and callers).
pub fn fix_works(ws: &Workspace, team: TeamIdx, weeks: Vec<Week>, fix: &Fix) -> bool {
    let p = Problem::new(ws, team, weeks, &[]);
    let sc = Scenario {
        active: p.all.clone(),
        fixes: vec![fix.clone()],
    };
    p.proven_complete(&sc)
}

/// The workspace with `fix` applied, for the fixes that are workspace edits
/// (all but [`Fix::AllowBackToBack`], a one-off waiver of the rest rule, which
/// the optimiser would take as a pin or override).
pub fn apply_fix(ws: &Workspace, team: TeamIdx, weeks: Vec<Week>, fix: &Fix) -> Option<Workspace> {
    if matches!(fix, Fix::AllowBackToBack(..)) {
        return None;
    }
    let p = Problem::new(ws, team, weeks, &[]);
    let mut out = p.relaxed(&Scenario {
        active: p.all.clone(),
        fixes: vec![fix.clone()],
    });
    out.inputs_sha256 = format!("{}+fix", ws.inputs_sha256);
    Some(out)
}

/// Whether the problem is completable with only `facts` in force (all other
/// facts relaxed). For tests: a conflict's facts alone must not be.
pub fn completable_with(ws: &Workspace, team: TeamIdx, weeks: Vec<Week>, facts: &[Fact]) -> bool {
    let p = Problem::new(ws, team, weeks, &[]);
    p.complete(&Scenario {
        active: facts.iter().cloned().collect(),
        fixes: vec![],
    })
}

/// A plan's document, with each unfilled slot's reason taken from the
/// conflict that empties it.
#[derive(Clone, Debug)]
pub struct ExplainedPlan {
    /// The plan JSON, its `explanation` filled in when slots are unfilled.
    pub doc: crate::model::document::PlanDoc,
    /// The explanation, when the horizon is proven impossible.
    pub infeasibility: Option<Infeasibility>,
}

/// The document of `plan`, explained when it leaves slots unfilled, within
/// `time_limit` seconds (as [`explain_weeks`]).
pub fn explain_plan(
    ws: &Workspace,
    plan: &crate::plan::Plan,
    (history, busy): (&[HeldShift], &[Busy]),
    time_limit: f64,
) -> ExplainedPlan {
    let mut doc = plan.to_doc(ws);
    if plan.unfilled.is_empty() {
        return ExplainedPlan {
            doc,
            infeasibility: None,
        };
    }
    let started = std::time::Instant::now();
    let p = Problem::new(ws, plan.team, plan.weeks.clone(), history).around(busy);
    let infeasibility = search_conflicts(p.within(time_limit)).infeasibility();
    doc.solver.phases.push(crate::model::document::PhaseDoc {
        name: "explanation".into(),
        seconds: crate::model::document::round4(started.elapsed().as_secs_f64()),
    });
    if let Some(e) = &infeasibility {
        for (u, slot) in doc.unfilled.iter_mut().zip(&plan.unfilled) {
            if let Some(reason) = e.reason_for(ws, slot.week, slot.role) {
                u.reason = reason;
            }
        }
        doc.explanation = Some(e.to_doc(ws));
    }
    ExplainedPlan { doc, infeasibility }
}
