//! The conflict search: an oracle that asks whether every slot can be filled
//! with some facts relaxed (a matching check, then a small MILP), QuickXplain
//! over the facts, and fixes checked by the same oracle.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use good_lp::solvers::highs::highs;
use good_lp::{variable, Expression, ProblemVariables, SolverModel, Variable};

use super::{hall_violators, Conflict, Fact, Fix};
use crate::model::history::HeldShift;
use crate::model::{Person, PersonIdx, RoleIdx, TeamIdx, Workspace};
use crate::plan::eligibility;
use crate::plan::horizon::Week;

/// Time limit of one oracle solve.
const ORACLE_SECONDS: f64 = 30.0;

/// The facts in force: all of them, or a subset when narrowing down.
#[derive(Clone, Debug)]
pub(super) struct Scenario {
    pub(super) active: BTreeSet<Fact>,
    /// Fixes applied on top (for checking fixes).
    pub(super) fixes: Vec<Fix>,
}

/// Everything about the team and horizon the oracle needs.
pub(super) struct Problem<'a> {
    pub(super) ws: &'a Workspace,
    pub(super) team: TeamIdx,
    pub(super) weeks: Vec<Week>,
    pub(super) all: BTreeSet<Fact>,
    /// Per member, the horizon weeks that published history rests them from.
    rested: Vec<(PersonIdx, Vec<usize>)>,
    /// Published weeks before the horizon: `(person, week's first day, role)`.
    past: Vec<(PersonIdx, chrono::NaiveDate, String)>,
    /// Oracle calls that ran out of time (unknown, never "infeasible").
    undecided: std::cell::Cell<usize>,
    /// When the whole search must end: past it, every oracle call answers
    /// [`Answer::Unknown`] at once.
    deadline: Option<Instant>,
}

/// What the oracle knows about a scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Answer {
    /// Every slot can be filled.
    Yes,
    /// Proven impossible.
    No,
    /// The solve ran out of time.
    Unknown,
}

impl<'a> Problem<'a> {
    pub(super) fn new(
        ws: &'a Workspace,
        team: TeamIdx,
        weeks: Vec<Week>,
        history: &[HeldShift],
    ) -> Self {
        let t = ws.team(team);
        let mut all = BTreeSet::new();
        let rested = rested_by_history(ws, team, &weeks, history);
        for (p, _) in &rested {
            all.insert(Fact::PastRest(*p));
        }
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
                let from = crate::model::time::start_of_day(tz, off.start);
                let to = off
                    .end
                    .succ_opt()
                    .map(|d| crate::model::time::start_of_day(tz, d))
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
        let past = past_weeks(ws, team, &weeks, history);
        if t.rules.max_weeks_per_year.is_some() || t.rules.max_weeks_per_year_all.is_some() {
            for &p in &t.members {
                all.insert(year_fact(&weeks, &past, p));
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
            rested,
            past,
            undecided: std::cell::Cell::new(0),
            deadline: None,
        }
    }

    /// The same problem, whose search ends `seconds` from now. Oracle calls
    /// past the deadline count as undecided: a conflict found is still
    /// proven, but may not be minimal, and fewer fixes may be proven.
    pub(super) fn within(mut self, seconds: f64) -> Self {
        self.deadline = Duration::try_from_secs_f64(seconds.max(0.0))
            .ok()
            .and_then(|d| Instant::now().checked_add(d));
        self
    }

    /// The same problem, with the weeks each member is on call for another
    /// team (`busy`) as facts.
    pub(super) fn around(mut self, busy: &[crate::model::history::Busy]) -> Self {
        let t = self.ws.team(self.team);
        for &p in &t.members {
            let id = &self.ws.person(p).id;
            let mut by_team: std::collections::BTreeMap<&str, Vec<usize>> = Default::default();
            for (w, week) in self.weeks.iter().enumerate() {
                for b in busy.iter().filter(|b| b.clashes(id, week.start, week.end)) {
                    let weeks = by_team.entry(b.team.as_str()).or_default();
                    if !weeks.contains(&w) {
                        weeks.push(w);
                    }
                }
            }
            for (other, weeks) in by_team {
                self.all
                    .insert(Fact::Elsewhere(p, other.to_string(), weeks));
            }
        }
        self
    }

    /// Whether an active fact keeps `p` off week `w` of the horizon: rest
    /// after published history, or another team's time.
    fn kept_off(&self, sc: &Scenario, p: PersonIdx, w: usize) -> bool {
        let rested = sc.active.contains(&Fact::PastRest(p))
            && self.rested.iter().any(|(q, ws)| *q == p && ws.contains(&w));
        rested
            || sc
                .active
                .iter()
                .any(|f| matches!(f, Fact::Elsewhere(q, _, weeks) if *q == p && weeks.contains(&w)))
    }

    /// Seconds an oracle call may take now, or `None` past the deadline.
    fn oracle_seconds(&self) -> Option<f64> {
        match self.deadline {
            None => Some(ORACLE_SECONDS),
            Some(d) => {
                let left = d.saturating_duration_since(Instant::now()).as_secs_f64();
                (left > 0.0).then(|| left.min(ORACLE_SECONDS))
            }
        }
    }

    /// The workspace with only `active` facts in force and `fixes` applied.
    pub(super) fn relaxed(&self, sc: &Scenario) -> Workspace {
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
                Fix::RaiseYearCap(false, to) => team.rules.max_weeks_per_year = Some(*to),
                Fix::RaiseYearCap(true, to) => team.rules.max_weeks_per_year_all = Some(*to),
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
                        contacts: Default::default(),
                        grafana_user: None,
                        notify_changes: true,
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
    pub(super) fn eligible(&self, ws: &Workspace) -> Vec<Vec<Vec<PersonIdx>>> {
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

    /// Can every slot be filled under this scenario? A scenario the oracle
    /// could not decide in time counts as completable here: nothing is ever
    /// reported impossible without proof.
    pub(super) fn complete(&self, sc: &Scenario) -> bool {
        self.answer(sc) != Answer::No
    }

    /// Whether a fix is proven to let every slot be filled.
    pub(super) fn proven_complete(&self, sc: &Scenario) -> bool {
        self.answer(sc) == Answer::Yes
    }

    pub(super) fn answer(&self, sc: &Scenario) -> Answer {
        let ws = self.relaxed(sc);
        let elig = self.eligible(&ws);
        if !hall_violators(&elig).is_empty() {
            return Answer::No;
        }
        let answer = match self.oracle_seconds() {
            Some(seconds) => self.milp_complete(&ws, &elig, sc, seconds),
            None => Answer::Unknown,
        };
        if answer == Answer::Unknown {
            self.undecided.set(self.undecided.get() + 1);
        }
        answer
    }

    fn milp_complete(
        &self,
        ws: &Workspace,
        elig: &[Vec<Vec<PersonIdx>>],
        sc: &Scenario,
        seconds: f64,
    ) -> Answer {
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
                    if self.kept_off(sc, p, w) {
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
            if sc.active.contains(&year_fact(&self.weeks, &self.past, p)) {
                rows.extend(self.year_rows(&team.rules, p, &x, team.roles.len()));
            }
        }
        let mut problem = vars.minimise(Expression::from(0.0)).using(highs);
        problem.set_verbose(false);
        // One thread, as every model of the process asks (see the optimiser).
        problem = problem.set_time_limit(seconds).set_threads(1);
        for row in rows {
            problem.add_constraint(row);
        }
        match problem.solve() {
            Ok(_) => Answer::Yes,
            Err(good_lp::ResolutionError::Infeasible) => Answer::No,
            Err(_) => Answer::Unknown,
        }
    }

    /// The yearly caps of `p` over the cells `x`: in the 365 days ending on
    /// each horizon week, the weeks held (of one role, or of all) fit the cap
    /// with the published weeks inside.
    fn year_rows(
        &self,
        rules: &crate::model::Rules,
        p: PersonIdx,
        x: &[(usize, usize, PersonIdx, Variable)],
        roles: usize,
    ) -> Vec<good_lp::Constraint> {
        let mut rows = Vec::new();
        let mut caps: Vec<(Option<usize>, u32)> = Vec::new();
        if let Some(cap) = rules.max_weeks_per_year {
            caps.extend((0..roles).map(|r| (Some(r), cap)));
        }
        if let Some(cap) = rules.max_weeks_per_year_all {
            caps.push((None, cap));
        }
        let names: Vec<String> = self
            .ws
            .team(self.team)
            .roles
            .iter()
            .map(|r| r.name.clone())
            .collect();
        for e in &self.weeks {
            let from = e.first_day - chrono::Duration::days(364);
            let inside = |d: chrono::NaiveDate| d >= from && d <= e.first_day;
            for &(role, cap) in &caps {
                let mut held: Vec<chrono::NaiveDate> = self
                    .past
                    .iter()
                    .filter(|(q, d, r)| {
                        *q == p && inside(*d) && role.is_none_or(|k| names.get(k) == Some(r))
                    })
                    .map(|(_, d, _)| *d)
                    .collect();
                held.sort();
                held.dedup();
                let room = f64::from(cap) - held.len() as f64;
                let sum: Expression = x
                    .iter()
                    .filter(|c| c.2 == p && inside(self.weeks[c.0].first_day))
                    .filter(|c| role.is_none_or(|k| k == c.1))
                    .map(|c| c.3)
                    .sum();
                rows.push(sum.leq(room.max(0.0)));
            }
        }
        rows
    }

    /// QuickXplain (Junker 2004): a minimal subset of `candidates` that, with
    /// `background`, still cannot be completed.
    pub(super) fn quickxplain(
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

/// The weeks of the horizon each member may not take because they held a
/// published slot within `rest_weeks` before it.
pub(super) fn rested_by_history(
    ws: &Workspace,
    team: TeamIdx,
    weeks: &[Week],
    history: &[HeldShift],
) -> Vec<(PersonIdx, Vec<usize>)> {
    let t = ws.team(team);
    let rest = i64::from(t.rules.rest_weeks);
    let Some(first) = weeks.first().map(|w| w.first_day) else {
        return Vec::new();
    };
    let mut out: Vec<(PersonIdx, Vec<usize>)> = Vec::new();
    for h in history.iter().filter(|h| h.week < first) {
        let Some(p) = ws.person_by_id(&h.person).filter(|&p| t.has_member(p)) else {
            continue;
        };
        let blocked: Vec<usize> = weeks
            .iter()
            .enumerate()
            .filter(|(_, w)| {
                let gap = (w.first_day - h.week).num_days() / 7;
                gap >= 1 && gap <= rest
            })
            .map(|(k, _)| k)
            .collect();
        if blocked.is_empty() {
            continue;
        }
        match out.iter_mut().find(|(q, _)| *q == p) {
            Some((_, ws)) => ws.extend(blocked),
            None => out.push((p, blocked)),
        }
    }
    out
}

/// Published weeks before the horizon held by members: `(person, week's
/// first day, role)`, each once.
fn past_weeks(
    ws: &Workspace,
    team: TeamIdx,
    weeks: &[Week],
    history: &[HeldShift],
) -> Vec<(PersonIdx, chrono::NaiveDate, String)> {
    let t = ws.team(team);
    let Some(first) = weeks.first().map(|w| w.first_day) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for h in history.iter().filter(|h| h.week < first) {
        let Some(p) = ws.person_by_id(&h.person).filter(|&p| t.has_member(p)) else {
            continue;
        };
        let key = (p, h.week, h.role.clone());
        if !out.contains(&key) {
            out.push(key);
        }
    }
    out
}

/// The yearly-cap fact of `p`: the published weeks (any role) in the 365
/// days ending on the horizon's last week, and the first of them.
pub(super) fn year_fact(
    weeks: &[Week],
    past: &[(PersonIdx, chrono::NaiveDate, String)],
    p: PersonIdx,
) -> Fact {
    let last = weeks.last().map_or(chrono::NaiveDate::MIN, |w| w.first_day);
    let from = last - chrono::Duration::days(364);
    let mut days: Vec<chrono::NaiveDate> = past
        .iter()
        .filter(|(q, d, _)| *q == p && *d >= from)
        .map(|(_, d, _)| *d)
        .collect();
    days.sort();
    days.dedup();
    Fact::YearCap(
        p,
        u32::try_from(days.len()).unwrap_or(u32::MAX),
        days.first().copied(),
    )
}

/// Slots that cannot be filled with only `facts` in force: those a maximum
/// matching leaves empty, or, when the matching is fine, the slots of the
/// weeks the facts name.
pub(super) fn empty_slots(p: &Problem<'_>, facts: &BTreeSet<Fact>) -> Vec<(usize, RoleIdx)> {
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
            Fact::Elsewhere(_, _, ws) => weeks.extend(ws.iter().copied()),
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
pub(super) fn candidates(p: &Problem<'_>, fact: &Fact) -> Vec<Fix> {
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
        Fact::YearCap(..) => {
            let raise = |cap: Option<u32>, all: bool| cap.map(|m| Fix::RaiseYearCap(all, m + 1));
            raise(team.rules.max_weeks_per_year, false)
                .into_iter()
                .chain(raise(team.rules.max_weeks_per_year_all, true))
                .collect()
        }
        Fact::Employment(_) | Fact::PastRest(_) | Fact::Elsewhere(..) => vec![],
    }
}

/// Fixes that each make the whole problem completable: for a single conflict,
/// one change; for several, one change per conflict together.
pub(super) fn fixes(p: &Problem<'_>, conflicts: &[Conflict]) -> Vec<Fix> {
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
            if p.proven_complete(&sc) {
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
