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

use std::collections::BTreeSet;
use std::fmt::Write as _;

use good_lp::solvers::highs::highs;
use good_lp::{variable, Expression, ProblemVariables, SolverModel, Variable};
use petgraph::graph::{NodeIndex, UnGraph};
use serde::Serialize;

use crate::eligibility;
use crate::horizon::{self, HorizonError, HorizonSpec};
use crate::model::{Person, PersonIdx, RoleIdx, TeamIdx, Workspace};
use crate::plan::Week;

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

/// The facts in force: all of them, or a subset when narrowing down.
#[derive(Clone, Debug)]
struct Scenario {
    active: BTreeSet<Fact>,
    /// Fixes applied on top (for checking fixes).
    fixes: Vec<Fix>,
}

/// Everything about the team and horizon the oracle needs.
struct Problem<'a> {
    ws: &'a Workspace,
    team: TeamIdx,
    weeks: Vec<Week>,
    all: BTreeSet<Fact>,
}

impl<'a> Problem<'a> {
    fn new(ws: &'a Workspace, team: TeamIdx, weeks: Vec<Week>) -> Self {
        let t = ws.team(team);
        let mut all = BTreeSet::new();
        let (start, end) = match (weeks.first(), weeks.last()) {
            (Some(f), Some(l)) => (f.start, l.end),
            _ => (
                chrono::DateTime::<chrono::Utc>::MIN_UTC,
                chrono::DateTime::<chrono::Utc>::MIN_UTC,
            ),
        };
        for (k, off) in ws.time_off.iter().enumerate() {
            if t.has_member(off.person) {
                let tz = ws.person(off.person).timezone;
                let from = horizon::start_of_day(tz, off.start);
                let to = off
                    .end
                    .succ_opt()
                    .map(|d| horizon::start_of_day(tz, d))
                    .unwrap_or(from);
                if from < end && start < to {
                    all.insert(Fact::TimeOff(k));
                }
            }
        }
        for (r, role) in t.roles.iter().enumerate() {
            if role.min_tenure_days > 0 {
                all.insert(Fact::Tenure(RoleIdx(r)));
            }
            for s in &role.skills {
                all.insert(Fact::Skill(RoleIdx(r), s.clone()));
            }
        }
        for &p in &t.members {
            all.insert(Fact::Employment(p));
            if t.rules.rest_weeks > 0 {
                for w in 0..weeks.len().saturating_sub(1) {
                    all.insert(Fact::Rest(p, w));
                }
            }
            if t.rules.max_shifts.is_some() {
                all.insert(Fact::MaxShifts(p));
            }
        }
        for (k, pin) in t.pins.iter().enumerate() {
            if weeks.iter().any(|w| w.first_day == pin.week) {
                all.insert(Fact::Pin(k));
            }
        }
        Problem {
            ws,
            team,
            weeks,
            all,
        }
    }

    /// The workspace with only `active` facts in force and `fixes` applied.
    fn relaxed(&self, sc: &Scenario) -> Workspace {
        let mut ws = self.ws.clone();
        let keep: Vec<bool> = (0..ws.time_off.len())
            .map(|k| {
                !self.all.contains(&Fact::TimeOff(k))
                    || (sc.active.contains(&Fact::TimeOff(k))
                        && !sc.fixes.contains(&Fix::CancelTimeOff(k)))
            })
            .collect();
        let mut k = 0;
        ws.time_off.retain(|_| {
            let r = keep[k];
            k += 1;
            r
        });
        let team = &mut ws.teams[self.team.0];
        for (r, role) in team.roles.iter_mut().enumerate() {
            if !sc.active.contains(&Fact::Tenure(RoleIdx(r))) {
                role.min_tenure_days = 0;
            }
            for f in &sc.fixes {
                if let Fix::LowerTenure(rr, to) = f {
                    if rr.0 == r {
                        role.min_tenure_days = role.min_tenure_days.min(*to);
                    }
                }
            }
            let rid = RoleIdx(r);
            role.skills
                .retain(|s| sc.active.contains(&Fact::Skill(rid, s.clone())));
        }
        let pins: Vec<_> = team
            .pins
            .iter()
            .enumerate()
            .filter(|(k, _)| {
                !self.all.contains(&Fact::Pin(*k))
                    || (sc.active.contains(&Fact::Pin(*k))
                        && !sc.fixes.contains(&Fix::RemovePin(*k)))
            })
            .map(|(_, p)| p.clone())
            .collect();
        team.pins = pins;
        for f in &sc.fixes {
            match f {
                Fix::RaiseMaxShifts(to) => team.rules.max_shifts = Some(*to),
                Fix::AddMember(role) => {
                    let skills = team
                        .roles
                        .get(role.0)
                        .map(|r| r.skills.clone())
                        .unwrap_or_default();
                    let idx = PersonIdx(ws.people.len());
                    ws.people.push(Person {
                        id: "new-member".into(),
                        name: "New member".into(),
                        email: String::new(),
                        timezone: team.timezone,
                        region: None,
                        joined: chrono::NaiveDate::MIN,
                        left: None,
                        skills: skills.into_iter().collect(),
                        origin: Default::default(),
                    });
                    team.members.push(idx);
                }
                _ => {}
            }
        }
        for f in &sc.fixes {
            if let Fix::GiveSkill(p, s) = f {
                if let Some(x) = ws.people.get_mut(p.0) {
                    x.skills.insert(s.clone());
                }
            }
        }
        for p in self.ws.team(self.team).members.iter() {
            if !sc.active.contains(&Fact::Employment(*p)) {
                if let Some(x) = ws.people.get_mut(p.0) {
                    x.left = None;
                    if let Some(first) = self.weeks.first() {
                        x.joined = x.joined.min(first.first_day);
                    }
                }
            }
        }
        ws
    }

    /// Eligible people per `[week][role]` under a scenario.
    fn eligible(&self, ws: &Workspace) -> Vec<Vec<Vec<PersonIdx>>> {
        let team = ws.team(self.team);
        self.weeks
            .iter()
            .map(|week| {
                team.roles
                    .iter()
                    .map(|role| {
                        team.members
                            .iter()
                            .copied()
                            .filter(|&p| eligibility::reasons(ws, team, p, role, week).is_empty())
                            .collect()
                    })
                    .collect()
            })
            .collect()
    }

    /// Can every slot be filled under this scenario?
    fn complete(&self, sc: &Scenario) -> bool {
        let ws = self.relaxed(sc);
        let elig = self.eligible(&ws);
        if !hall_violators(&elig).is_empty() {
            return false;
        }
        self.milp_complete(&ws, &elig, sc)
    }

    fn milp_complete(&self, ws: &Workspace, elig: &[Vec<Vec<PersonIdx>>], sc: &Scenario) -> bool {
        let team = ws.team(self.team);
        let mut vars = ProblemVariables::new();
        let mut x: Vec<(usize, usize, PersonIdx, Variable)> = Vec::new();
        for (w, row) in elig.iter().enumerate() {
            for (r, people) in row.iter().enumerate() {
                let pinned = team
                    .pins
                    .iter()
                    .find(|p| p.week == self.weeks[w].first_day && p.role.0 == r);
                for &p in people {
                    if pinned.is_some_and(|pin| pin.person != p) {
                        continue;
                    }
                    x.push((w, r, p, vars.add(variable().binary())));
                }
            }
        }
        let mut rows: Vec<good_lp::Constraint> = Vec::new();
        for (w, row) in elig.iter().enumerate() {
            for r in 0..row.len() {
                let e: Expression = x.iter().filter(|c| c.0 == w && c.1 == r).map(|c| c.3).sum();
                rows.push(e.eq(1));
            }
        }
        let rest = team.rules.rest_weeks as usize;
        for &p in &team.members {
            for w in 0..self.weeks.len() {
                let here: Vec<Variable> = x
                    .iter()
                    .filter(|c| c.0 == w && c.2 == p)
                    .map(|c| c.3)
                    .collect();
                if here.len() > 1 {
                    rows.push(here.iter().copied().sum::<Expression>().leq(1));
                }
                // A rule for someone who is not among the facts (a member added by
                // a fix) always holds.
                let rest_fact = Fact::Rest(p, w);
                let rested = (!self.all.contains(&rest_fact) || sc.active.contains(&rest_fact))
                    && !sc.fixes.contains(&Fix::AllowBackToBack(p, w));
                if rest > 0 && rested && !here.is_empty() {
                    for later in (w + 1)..=(w + rest).min(self.weeks.len().saturating_sub(1)) {
                        for c in x.iter().filter(|c| c.0 == later && c.2 == p) {
                            for &h in &here {
                                rows.push((h + c.3).leq(1));
                            }
                        }
                    }
                }
            }
            if let Some(max) = team.rules.max_shifts {
                let fact = Fact::MaxShifts(p);
                if !self.all.contains(&fact) || sc.active.contains(&fact) {
                    let all: Expression = x.iter().filter(|c| c.2 == p).map(|c| c.3).sum();
                    rows.push(all.leq(f64::from(max)));
                }
            }
        }
        let mut problem = vars.minimise(Expression::from(0.0)).using(highs);
        problem.set_verbose(false);
        problem = problem.set_time_limit(30.0);
        for row in rows {
            problem.add_constraint(row);
        }
        problem.solve().is_ok()
    }

    /// QuickXplain (Junker 2004): a minimal subset of `candidates` that, with
    /// `background`, still cannot be completed.
    fn quickxplain(
        &self,
        background: &BTreeSet<Fact>,
        candidates: &[Fact],
        has_delta: bool,
    ) -> Vec<Fact> {
        if has_delta
            && !self.complete(&Scenario {
                active: background.clone(),
                fixes: vec![],
            })
        {
            return Vec::new();
        }
        if candidates.len() <= 1 {
            return candidates.to_vec();
        }
        let (c1, c2) = candidates.split_at(candidates.len() / 2);
        let mut b1 = background.clone();
        b1.extend(c1.iter().cloned());
        let d2 = self.quickxplain(&b1, c2, !c1.is_empty());
        let mut b2 = background.clone();
        b2.extend(d2.iter().cloned());
        let d1 = self.quickxplain(&b2, c1, !d2.is_empty());
        let mut out = d1;
        out.extend(d2);
        out
    }
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
    let p = Problem {
        ws,
        team,
        weeks,
        all: BTreeSet::new(),
    };
    Ok(hall_violators(&p.eligible(ws)))
}

/// Most independent conflicts reported.
const MAX_CONFLICTS: usize = 5;

/// Explains why not every slot of `team` over `spec` can be filled; `None`
/// when a complete plan exists.
///
/// # Errors
/// A horizon that cannot be planned.
pub fn explain(
    ws: &Workspace,
    team: TeamIdx,
    spec: &HorizonSpec,
) -> Result<Option<Infeasibility>, HorizonError> {
    let weeks = horizon::weeks(ws.team(team), spec)?;
    Ok(explain_weeks(ws, team, weeks))
}

/// [`explain`] for explicit weeks.
pub fn explain_weeks(ws: &Workspace, team: TeamIdx, weeks: Vec<Week>) -> Option<Infeasibility> {
    let p = Problem::new(ws, team, weeks);
    let everything = Scenario {
        active: p.all.clone(),
        fixes: vec![],
    };
    if p.complete(&everything) {
        return None;
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
    Some(Infeasibility {
        team,
        weeks: p.weeks,
        hall,
        conflicts,
        fixes,
    })
}

/// Slots that cannot be filled with only `facts` in force: those a maximum
/// matching leaves empty, or, when the matching is fine, the slots of the
/// weeks the facts name.
fn empty_slots(p: &Problem<'_>, facts: &BTreeSet<Fact>) -> Vec<(usize, RoleIdx)> {
    let ws = p.relaxed(&Scenario {
        active: facts.clone(),
        fixes: vec![],
    });
    let hall = hall_violators(&p.eligible(&ws));
    if !hall.is_empty() {
        return hall
            .iter()
            .flat_map(|h| h.roles.iter().map(move |r| (h.week, *r)))
            .collect();
    }
    let mut weeks: BTreeSet<usize> = BTreeSet::new();
    for f in facts {
        match f {
            Fact::Rest(_, w) => {
                weeks.insert(*w);
                weeks.insert(w + 1);
            }
            Fact::Pin(k) => {
                if let Some(pin) = p.ws.team(p.team).pins.get(*k) {
                    if let Some(w) = p.weeks.iter().position(|x| x.first_day == pin.week) {
                        weeks.insert(w);
                    }
                }
            }
            _ => {}
        }
    }
    let roles = p.ws.team(p.team).roles.len();
    weeks
        .into_iter()
        .filter(|&w| w < p.weeks.len())
        .flat_map(|w| (0..roles).map(move |r| (w, RoleIdx(r))))
        .collect()
}

/// Candidate fixes for one fact, most specific first.
fn candidates(p: &Problem<'_>, fact: &Fact) -> Vec<Fix> {
    let team = p.ws.team(p.team);
    match fact {
        Fact::TimeOff(k) => vec![Fix::CancelTimeOff(*k)],
        Fact::Tenure(r) => {
            let Some(role) = team.roles.get(r.0) else {
                return vec![];
            };
            let mut days: Vec<i64> = Vec::new();
            for w in &p.weeks {
                for &m in &team.members {
                    let d = (w.first_day - p.ws.person(m).joined).num_days();
                    if d >= 0 && d < role.min_tenure_days {
                        days.push(d);
                    }
                }
            }
            days.sort_unstable_by(|a, b| b.cmp(a));
            days.dedup();
            days.into_iter()
                .take(8)
                .map(|d| Fix::LowerTenure(*r, d))
                .collect()
        }
        Fact::Skill(r, s) => {
            let mut out: Vec<Fix> = team
                .members
                .iter()
                .filter(|&&m| !p.ws.person(m).skills.contains(s))
                .take(3)
                .map(|&m| Fix::GiveSkill(m, s.clone()))
                .collect();
            out.push(Fix::AddMember(*r));
            out
        }
        Fact::Rest(person, w) => vec![Fix::AllowBackToBack(*person, *w)],
        Fact::MaxShifts(_) => team
            .rules
            .max_shifts
            .map(|m| vec![Fix::RaiseMaxShifts(m + 1)])
            .unwrap_or_default(),
        Fact::Pin(k) => vec![Fix::RemovePin(*k)],
        Fact::Employment(_) => vec![],
    }
}

/// Fixes that each make the whole problem completable: for a single conflict,
/// one change; for several, one change per conflict together.
fn fixes(p: &Problem<'_>, conflicts: &[Conflict]) -> Vec<Fix> {
    if conflicts.len() != 1 {
        return Vec::new();
    }
    let mut out = Vec::new();
    for fact in &conflicts[0].facts {
        // Of each fact's candidates, keep the first that works (the least change).
        for fix in candidates(p, fact) {
            let sc = Scenario {
                active: p.all.clone(),
                fixes: vec![fix.clone()],
            };
            if p.complete(&sc) {
                if !out.contains(&fix) {
                    out.push(fix);
                }
                if !matches!(fact, Fact::Skill(..)) {
                    break;
                }
            }
        }
    }
    out
}

/// Checks that `fix` alone lets every slot be filled (for tests and callers).
pub fn fix_works(ws: &Workspace, team: TeamIdx, weeks: Vec<Week>, fix: &Fix) -> bool {
    let p = Problem::new(ws, team, weeks);
    let sc = Scenario {
        active: p.all.clone(),
        fixes: vec![fix.clone()],
    };
    p.complete(&sc)
}

/// The workspace with `fix` applied, for the fixes that are workspace edits
/// (all but [`Fix::AllowBackToBack`], a one-off waiver of the rest rule, which
/// the optimiser would take as a pin or override).
pub fn apply_fix(ws: &Workspace, team: TeamIdx, weeks: Vec<Week>, fix: &Fix) -> Option<Workspace> {
    if matches!(fix, Fix::AllowBackToBack(..)) {
        return None;
    }
    let p = Problem::new(ws, team, weeks);
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
    let p = Problem::new(ws, team, weeks);
    p.complete(&Scenario {
        active: facts.iter().cloned().collect(),
        fixes: vec![],
    })
}

fn names(ws: &Workspace, people: &[PersonIdx]) -> String {
    let ids: Vec<String> = people.iter().map(|p| ws.person(*p).id.clone()).collect();
    match ids.as_slice() {
        [] => "nobody".into(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {}", init.join(", "), last),
    }
}

/// A fact in words.
pub fn fact_text(ws: &Workspace, team: TeamIdx, weeks: &[Week], fact: &Fact) -> String {
    let t = ws.team(team);
    let week = |w: usize| {
        weeks
            .get(w)
            .map(|x| x.first_day.to_string())
            .unwrap_or_default()
    };
    match fact {
        Fact::TimeOff(k) => match ws.time_off.get(*k) {
            Some(o) => format!(
                "{} is off {}..{} ({})",
                ws.person(o.person).id,
                o.start,
                o.end,
                o.origin
            ),
            None => "time off".into(),
        },
        Fact::Tenure(r) => match t.roles.get(r.0) {
            Some(role) => format!(
                "{} needs {} days' tenure ({})",
                role.name,
                role.min_tenure_days,
                t.origin.file.display()
            ),
            None => "tenure".into(),
        },
        Fact::Skill(r, s) => {
            let holders: Vec<PersonIdx> = t
                .members
                .iter()
                .copied()
                .filter(|m| ws.person(*m).skills.contains(s))
                .collect();
            let role = t.roles.get(r.0).map(|x| x.name.as_str()).unwrap_or("");
            format!(
                "{role} needs the skill `{s}`, which only {} hold{}",
                names(ws, &holders),
                if holders.len() == 1 { "s" } else { "" }
            )
        }
        Fact::Rest(p, w) => format!(
            "{} cannot take the week of {} right after the week of {} (rest_weeks = {})",
            ws.person(*p).id,
            week(w + 1),
            week(*w),
            t.rules.rest_weeks
        ),
        Fact::MaxShifts(p) => format!(
            "{} may take at most {} shifts (max_shifts)",
            ws.person(*p).id,
            t.rules.max_shifts.unwrap_or(0)
        ),
        Fact::Pin(k) => match t.pins.get(*k) {
            Some(pin) => format!(
                "{} is pinned to {} in the week of {} ({})",
                ws.person(pin.person).id,
                t.roles
                    .get(pin.role.0)
                    .map(|r| r.name.as_str())
                    .unwrap_or(""),
                pin.week,
                pin.origin
            ),
            None => "a pin".into(),
        },
        Fact::Employment(p) => {
            let x = ws.person(*p);
            match x.left {
                Some(l) => format!("{} is employed {}..{} (left)", x.id, x.joined, l),
                None => format!("{} joins {}", x.id, x.joined),
            }
        }
    }
}

/// A fix in words.
pub fn fix_text(ws: &Workspace, team: TeamIdx, weeks: &[Week], fix: &Fix) -> String {
    let t = ws.team(team);
    let week = |w: usize| {
        weeks
            .get(w)
            .map(|x| x.first_day.to_string())
            .unwrap_or_default()
    };
    match fix {
        Fix::CancelTimeOff(k) => match ws.time_off.get(*k) {
            Some(o) => format!(
                "move or shorten {}'s time off {}..{} ({})",
                ws.person(o.person).id,
                o.start,
                o.end,
                o.origin
            ),
            None => "move the time off".into(),
        },
        Fix::LowerTenure(r, d) => format!(
            "lower {}.min_tenure_days to {d}",
            t.roles.get(r.0).map(|x| x.name.as_str()).unwrap_or("")
        ),
        Fix::GiveSkill(p, s) => format!("give {} the skill `{s}`", ws.person(*p).id),
        Fix::AddMember(r) => {
            let role = t.roles.get(r.0);
            let skills: Vec<String> = role
                .map(|x| x.skills.iter().map(|s| format!("`{s}`")).collect())
                .unwrap_or_default();
            if skills.is_empty() {
                format!(
                    "add a member who can take {}",
                    role.map(|x| x.name.as_str()).unwrap_or("")
                )
            } else {
                format!("add a member with the skill {}", skills.join(" and "))
            }
        }
        Fix::AllowBackToBack(p, w) => format!(
            "allow {} back-to-back in the weeks of {} and {}",
            ws.person(*p).id,
            week(*w),
            week(w + 1)
        ),
        Fix::RaiseMaxShifts(m) => format!("raise max_shifts to {m}"),
        Fix::RemovePin(k) => match t.pins.get(*k) {
            Some(pin) => format!(
                "remove the pin of {} on {} ({})",
                ws.person(pin.person).id,
                pin.week,
                pin.origin
            ),
            None => "remove the pin".into(),
        },
    }
}

/// The explanation as text.
pub fn render_text(ws: &Workspace, e: &Infeasibility) -> String {
    let t = ws.team(e.team);
    let mut out = String::new();
    let week = |w: usize| {
        e.weeks
            .get(w)
            .map(|x| x.first_day.to_string())
            .unwrap_or_default()
    };
    let role = |r: &RoleIdx| t.roles.get(r.0).map(|x| x.name.clone()).unwrap_or_default();
    let _ = writeln!(out, "{} cannot be planned completely.", t.id);
    for h in &e.hall {
        let roles: Vec<String> = h.roles.iter().map(role).collect();
        let need = if roles.len() == 1 {
            format!("a {}", roles.join(""))
        } else {
            roles.join(" and ")
        };
        let who = if h.people.is_empty() {
            "nobody can take it".to_string()
        } else {
            format!(
                "only {} can take {}",
                names(ws, &h.people),
                if roles.len() == 1 { "it" } else { "them" }
            )
        };
        let _ = writeln!(
            out,
            "\nThe week of {} needs {need}, but {who}.",
            week(h.week)
        );
    }
    for (i, c) in e.conflicts.iter().enumerate() {
        let mut slots: Vec<String> = c
            .slots
            .iter()
            .map(|(w, r)| format!("{} {}", week(*w), role(r)))
            .collect();
        slots.dedup();
        let _ = writeln!(
            out,
            "\n{} these facts together leave {} empty:",
            if e.conflicts.len() > 1 {
                format!("Conflict {}:", i + 1)
            } else {
                "Why:".to_string()
            },
            if slots.is_empty() {
                "a slot".to_string()
            } else {
                slots.join(", ")
            }
        );
        if c.facts.is_empty() {
            let _ = writeln!(out, "  - the team has too few members for its roles");
        }
        for f in &c.facts {
            let _ = writeln!(out, "  - {}", fact_text(ws, e.team, &e.weeks, f));
        }
    }
    if !e.fixes.is_empty() {
        let _ = writeln!(
            out,
            "\nAny one of these would make a complete plan (each checked):"
        );
        for f in &e.fixes {
            let _ = writeln!(out, "  try: {}", fix_text(ws, e.team, &e.weeks, f));
        }
    } else if e.conflicts.len() > 1 {
        let _ = writeln!(
            out,
            "\nEach conflict needs its own fix: relax one fact of each."
        );
    }
    out
}

/// JSON form of an explanation.
#[derive(Clone, Debug, Serialize, serde::Deserialize, PartialEq)]
pub struct ExplanationDoc {
    /// Matching failures: `{week, roles, people}`.
    pub hall: Vec<HallDoc>,
    /// Minimal conflicts.
    pub conflicts: Vec<ConflictDoc>,
    /// Checked fixes, in words.
    pub fixes: Vec<String>,
}

/// A Hall violator in JSON.
#[derive(Clone, Debug, Serialize, serde::Deserialize, PartialEq)]
pub struct HallDoc {
    /// Week (first day).
    pub week: chrono::NaiveDate,
    /// Roles that cannot all be filled.
    pub roles: Vec<String>,
    /// Everyone who could take one of them.
    pub people: Vec<String>,
}

/// A conflict in JSON.
#[derive(Clone, Debug, Serialize, serde::Deserialize, PartialEq)]
pub struct ConflictDoc {
    /// Facts in words.
    pub facts: Vec<String>,
    /// Slots left empty, `week role`.
    pub slots: Vec<String>,
}

impl Infeasibility {
    /// The facts of the conflict that leaves slot `(week, role)` empty, in
    /// words, as one line; `None` if no conflict names the slot.
    pub fn reason_for(&self, ws: &Workspace, week: usize, role: RoleIdx) -> Option<String> {
        let c = self
            .conflicts
            .iter()
            .find(|c| c.slots.contains(&(week, role)))?;
        if c.facts.is_empty() {
            return None;
        }
        let facts: Vec<String> = c
            .facts
            .iter()
            .map(|f| fact_text(ws, self.team, &self.weeks, f))
            .collect();
        Some(facts.join("; "))
    }

    /// The JSON form.
    pub fn to_doc(&self, ws: &Workspace) -> ExplanationDoc {
        let t = ws.team(self.team);
        let role = |r: &RoleIdx| t.roles.get(r.0).map(|x| x.name.clone()).unwrap_or_default();
        let week = |w: usize| self.weeks.get(w).map(|x| x.first_day).unwrap_or_default();
        ExplanationDoc {
            hall: self
                .hall
                .iter()
                .map(|h| HallDoc {
                    week: week(h.week),
                    roles: h.roles.iter().map(role).collect(),
                    people: h.people.iter().map(|p| ws.person(*p).id.clone()).collect(),
                })
                .collect(),
            conflicts: self
                .conflicts
                .iter()
                .map(|c| ConflictDoc {
                    facts: c
                        .facts
                        .iter()
                        .map(|f| fact_text(ws, self.team, &self.weeks, f))
                        .collect(),
                    slots: c
                        .slots
                        .iter()
                        .map(|(w, r)| format!("{} {}", week(*w), role(r)))
                        .collect(),
                })
                .collect(),
            fixes: self
                .fixes
                .iter()
                .map(|f| fix_text(ws, self.team, &self.weeks, f))
                .collect(),
        }
    }
}
