//! A planning instance: one team over a horizon, reduced to plain numbers.
//!
//! This is the bridge between the domain (people, roles, dates) and the
//! optimiser: it knows who is eligible for which slot, the load of every slot,
//! each person's available weeks and carry-over. It knows nothing of the MILP.

use crate::model::{Absence, PersonIdx, RoleIdx, TeamIdx, Workspace};
use crate::plan::eligibility::{self, Ineligible, ReasonText};
use crate::plan::horizon::Week;
use crate::plan::horizon::{self, HorizonError, HorizonSpec};

/// A shift already published before the horizon, for rest and carry-over.
#[derive(Clone, Debug, PartialEq)]
pub struct PastShift {
    /// The week's first day.
    pub week: chrono::NaiveDate,
    /// Who held it.
    pub person: PersonIdx,
    /// The role held, `None` for a role the team no longer has.
    pub role: Option<RoleIdx>,
    /// Its load.
    pub load: f64,
}

/// One team over a horizon.
#[derive(Clone, Debug)]
pub struct Instance<'a> {
    /// The workspace.
    pub ws: &'a Workspace,
    /// The team.
    pub team: TeamIdx,
    /// The weeks.
    pub weeks: Vec<Week>,
    /// Members, in team order; the optimiser's people are indices into this.
    pub members: Vec<PersonIdx>,
    /// `eligible[w][r]`: member positions eligible for the slot (pins not applied).
    pub eligible: Vec<Vec<Vec<usize>>>,
    /// `load[w][r]`.
    pub load: Vec<Vec<f64>>,
    /// Available weeks per member position.
    pub available: Vec<u32>,
    /// Carry-over per member position.
    pub carry: Vec<f64>,
    /// Pins inside the horizon: `(week, role, member position or None when the
    /// pinned person is not a member)`.
    pub pins: Vec<(usize, RoleIdx, PersonIdx)>,
    /// Rest weeks.
    pub rest_weeks: usize,
    /// Most shifts per person.
    pub max_shifts: Option<u32>,
    /// For each member, the horizon week before which they may not start because
    /// of a published shift just before the horizon (rest across the boundary).
    pub blocked_until: Vec<usize>,
    /// `elsewhere[w][i]`: the other team member `i` is on call for during
    /// week `w`, which makes them ineligible for it ([`Instance::block_busy`]).
    pub elsewhere: Vec<Vec<Option<String>>>,
    /// `off[w][i]`: member `i` has time off during week `w`.
    pub off: Vec<Vec<bool>>,
    /// Published weeks per member, for the yearly caps.
    pub past_weeks: crate::plan::year_cap::PastWeeks,
}

impl<'a> Instance<'a> {
    /// Builds the instance for `team` over `spec`.
    ///
    /// # Errors
    /// A horizon that cannot be planned.
    pub fn new(ws: &'a Workspace, team: TeamIdx, spec: &HorizonSpec) -> Result<Self, HorizonError> {
        let weeks = horizon::weeks(ws.team(team), spec)?;
        Ok(Self::with_weeks(ws, team, weeks, &[]))
    }

    /// Builds the instance for explicit weeks and published history.
    pub fn with_weeks(
        ws: &'a Workspace,
        team_idx: TeamIdx,
        weeks: Vec<Week>,
        history: &[PastShift],
    ) -> Self {
        let team = ws.team(team_idx);
        let members = team.members.clone();
        let hol = ws.holidays(team.holidays.as_deref());
        let mut eligible = Vec::with_capacity(weeks.len());
        let mut load = Vec::with_capacity(weeks.len());
        let mut available = vec![0u32; members.len()];
        let mut off_weeks = Vec::with_capacity(weeks.len());
        for week in &weeks {
            let mut row = Vec::with_capacity(team.roles.len());
            let mut loads = Vec::with_capacity(team.roles.len());
            let mut standing_ok = vec![false; members.len()];
            let off: Vec<bool> = members
                .iter()
                .map(|&p| !eligibility::time_off(ws, p, week).is_empty())
                .collect();
            for role in &team.roles {
                let mut ok = Vec::new();
                for (i, &p) in members.iter().enumerate() {
                    if eligibility::standing(ws, p, role, week).is_empty() {
                        standing_ok[i] = true;
                        if !off[i] {
                            ok.push(i);
                        }
                    }
                }
                row.push(ok);
                loads.push(horizon::slot_load(
                    week,
                    team.timezone,
                    role.weight,
                    &ws.org.load,
                    hol,
                ));
            }
            for i in 0..members.len() {
                let counts = standing_ok[i] && (team.fairness.absence == Absence::Owed || !off[i]);
                if counts {
                    available[i] += 1;
                }
            }
            eligible.push(row);
            load.push(loads);
            off_weeks.push(off);
        }
        let position = |p: PersonIdx| members.iter().position(|&m| m == p);
        let mut carry = vec![0.0; members.len()];
        for (&p, &c) in &team.carry {
            if let Some(i) = position(p) {
                carry[i] += c;
            }
        }
        // Rest across the boundary with published history: a shift `age` weeks
        // before the horizon blocks the first `rest_weeks - age + 1` weeks.
        let mut blocked_until = vec![0usize; members.len()];
        if let Some(first) = weeks.first() {
            for h in history {
                let age = (first.first_day - h.week).num_weeks();
                if let Some(i) = position(h.person) {
                    if age >= 1 && age <= team.rules.rest_weeks as i64 {
                        let until = (team.rules.rest_weeks as i64 - age + 1) as usize;
                        blocked_until[i] = blocked_until[i].max(until);
                    }
                }
            }
            for (i, c) in history_carry(ws, team_idx, first.first_day, &members, history)
                .into_iter()
                .enumerate()
            {
                carry[i] += c;
            }
        }
        let pins = team
            .pins
            .iter()
            .filter_map(|pin| {
                let w = weeks.iter().position(|w| w.first_day == pin.week)?;
                Some((w, pin.role, pin.person))
            })
            .collect();
        let (members_len, weeks_len) = (members.len(), weeks.len());
        let mut past_weeks: crate::plan::year_cap::PastWeeks = vec![Vec::new(); members_len];
        for h in history {
            if let Some(i) = position(h.person) {
                let key = (h.week, h.role.map(|r| r.0));
                if !past_weeks[i].contains(&key) {
                    past_weeks[i].push(key);
                }
            }
        }
        Instance {
            ws,
            team: team_idx,
            weeks,
            members,
            eligible,
            load,
            available,
            carry,
            pins,
            rest_weeks: team.rules.rest_weeks as usize,
            max_shifts: team.rules.max_shifts,
            elsewhere: vec![vec![None; members_len]; weeks_len],
            off: off_weeks,
            blocked_until,
            past_weeks,
        }
    }

    /// Takes out of every slot of a week the members who are on call for
    /// another team at any time during it (`busy`, by person id): no one is
    /// on call in two teams at once. Their available weeks, and so their
    /// shares, stay as the team's own inputs make them.
    pub fn block_busy(&mut self, busy: &[crate::model::history::Busy]) {
        for (w, week) in self.weeks.iter().enumerate() {
            for (i, &p) in self.members.iter().enumerate() {
                let id = &self.ws.person(p).id;
                let Some(b) = busy.iter().find(|b| b.clashes(id, week.start, week.end)) else {
                    continue;
                };
                self.elsewhere[w][i] = Some(b.team.clone());
                for slot in &mut self.eligible[w] {
                    slot.retain(|&m| m != i);
                }
            }
        }
    }

    /// Number of roles.
    pub fn roles(&self) -> usize {
        self.ws.team(self.team).roles.len()
    }

    /// Position of a person among the members.
    pub fn position(&self, p: PersonIdx) -> Option<usize> {
        self.members.iter().position(|&m| m == p)
    }

    /// Whether member `i` may take slot `(w, r)` under eligibility, pins and
    /// rest across the history boundary.
    pub fn allowed(&self, w: usize, r: usize, i: usize) -> bool {
        if w < self.blocked_until.get(i).copied().unwrap_or(0) {
            return false;
        }
        let pinned = self.pins.iter().find(|(pw, pr, _)| *pw == w && pr.0 == r);
        if let Some((_, _, p)) = pinned {
            if self.members.get(i) != Some(p) {
                return false;
            }
        }
        self.eligible[w][r].contains(&i)
    }

    /// The yearly caps as `, max_weeks_per_year = N` parts, empty without.
    fn year_caps_text(&self) -> String {
        let rules = self.ws.team(self.team).rules;
        let mut out = String::new();
        if let Some(n) = rules.max_weeks_per_year {
            out += &format!(", max_weeks_per_year = {n}");
        }
        if let Some(n) = rules.max_weeks_per_year_all {
            out += &format!(", max_weeks_per_year_all = {n}");
        }
        out
    }

    /// A one-line reason why slot `(w, r)` stays empty.
    pub fn unfilled_reason(&self, w: usize, r: usize) -> String {
        let team = self.ws.team(self.team);
        let week = &self.weeks[w];
        let role = &team.roles[r];
        let name = |p: PersonIdx| self.ws.person(p).id.clone();
        if let Some((_, _, p)) = self.pins.iter().find(|(pw, pr, _)| *pw == w && pr.0 == r) {
            let why = eligibility::reasons(self.ws, team, *p, role, week);
            let why: Vec<String> = why
                .iter()
                .map(|x| ReasonText::new(self.ws, x).to_string())
                .collect();
            return if why.is_empty() {
                format!(
                    "pinned to {}, who is needed elsewhere or blocked by the rules (rest_weeks = {})",
                    name(*p),
                    self.rest_weeks
                )
            } else {
                format!("pinned to {}, who {}", name(*p), why.join(" and "))
            };
        }
        let allowed: Vec<String> = (0..self.members.len())
            .filter(|&i| self.allowed(w, r, i))
            .map(|i| name(self.members[i]))
            .collect();
        if !allowed.is_empty() {
            return format!(
                "{} could take it but each is needed in another slot or blocked by the rules (rest_weeks = {}{})",
                join_names(&allowed),
                self.rest_weeks,
                self.max_shifts
                    .map(|m| format!(", max_shifts = {m}"))
                    .unwrap_or_default()
                    + &self.year_caps_text()
            );
        }
        if self.members.is_empty() {
            return "the team has no members".to_string();
        }
        // Group members by their reasons, first reason only, to stay on one line.
        let mut parts: Vec<(String, Vec<String>)> = Vec::new();
        for (i, &p) in self.members.iter().enumerate() {
            let mut why = eligibility::reasons(self.ws, team, p, role, week);
            if let (true, Some(other)) = (why.is_empty(), &self.elsewhere[w][i]) {
                let text = format!("is on call for {other} that week");
                match parts.iter_mut().find(|(t, _)| *t == text) {
                    Some((_, names)) => names.push(name(p)),
                    None => parts.push((text, vec![name(p)])),
                }
                continue;
            }
            if why.is_empty() && w < self.blocked_until[i] {
                parts.push((
                    format!(
                        "must rest after a published shift (rest_weeks = {})",
                        self.rest_weeks
                    ),
                    vec![name(p)],
                ));
                continue;
            }
            why.sort_by_key(|x| !matches!(x, Ineligible::Skill { .. } | Ineligible::Tenure { .. }));
            let text = match why.first() {
                Some(reason) => ReasonText::new(self.ws, reason).to_string(),
                None => continue,
            };
            let text = match why.first() {
                Some(Ineligible::TimeOff { .. }) => text,
                _ => text,
            };
            match parts.iter_mut().find(|(t, _)| *t == text) {
                Some((_, names)) => names.push(name(p)),
                None => parts.push((text, vec![name(p)])),
            }
        }
        let said: Vec<String> = parts
            .into_iter()
            .map(|(text, names)| {
                let verb_fix = if names.len() > 1 {
                    text.replacen("is off", "are off", 1)
                        .replacen("has ", "have ", 1)
                        .replacen("lacks ", "lack ", 1)
                        .replacen("joins ", "join ", 1)
                        .replacen("leaves ", "leave ", 1)
                } else {
                    text
                };
                format!("{} {}", join_names(&names), verb_fix)
            })
            .collect();
        format!("nobody can take it: {}", said.join("; "))
    }
}

fn join_names(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {}", init.join(", "), last),
    }
}

/// Carry-over from published history (docs/design.md §3), per member position:
/// the load each member carried in the history window minus their share of
/// it.
///
/// The window is the `history_weeks` weeks before `first`, starting no earlier
/// than the first week that has history. Only current members count: a
/// leaver's past load is neither owed nor credited to anyone. Shares of the
/// history split its total load by available weeks in the window, exactly as
/// a plan's shares do, so the carry-overs of members sum to zero.
pub fn history_carry(
    ws: &Workspace,
    team_idx: TeamIdx,
    first: chrono::NaiveDate,
    members: &[PersonIdx],
    history: &[PastShift],
) -> Vec<f64> {
    let team = ws.team(team_idx);
    let window_start = first - chrono::Duration::weeks(i64::from(team.fairness.history_weeks));
    let inside: Vec<&PastShift> = history
        .iter()
        .filter(|h| h.week >= window_start && h.week < first && members.contains(&h.person))
        .collect();
    let mut out = vec![0.0; members.len()];
    let Some(earliest) = inside.iter().map(|h| h.week).min() else {
        return out;
    };
    let count = ((first - earliest).num_days() + 6) / 7;
    let Ok(weeks) = horizon::weeks_from(team, earliest, u32::try_from(count).unwrap_or(0)) else {
        return out;
    };
    let mut available = vec![0u32; members.len()];
    for week in &weeks {
        for (i, &p) in members.iter().enumerate() {
            let standing = team
                .roles
                .iter()
                .any(|role| eligibility::standing(ws, p, role, week).is_empty());
            let off = !eligibility::time_off(ws, p, week).is_empty();
            if standing && (team.fairness.absence == Absence::Owed || !off) {
                available[i] += 1;
            }
        }
    }
    let sum_a: f64 = available.iter().map(|&a| f64::from(a)).sum();
    let mut load = vec![0.0; members.len()];
    for h in &inside {
        if let Some(i) = members.iter().position(|&m| m == h.person) {
            load[i] += h.load;
        }
    }
    let total: f64 = load.iter().sum();
    for i in 0..members.len() {
        let share = if sum_a > 0.0 {
            total * f64::from(available[i]) / sum_a
        } else {
            0.0
        };
        out[i] = load[i] - share;
    }
    out
}

/// Published history as past shifts for [`Instance::with_weeks`]: every
/// segment of the resolved timeline whose week starts before `before`, held
/// by someone still in the roster, with its load computed from its own hours
/// (an override of one day carries one day's load).
pub fn past_shifts(
    ws: &Workspace,
    team_idx: TeamIdx,
    history: &[crate::model::history::HeldShift],
    before: chrono::NaiveDate,
) -> Vec<PastShift> {
    let team = ws.team(team_idx);
    let hol = ws.holidays(team.holidays.as_deref());
    history
        .iter()
        .filter(|s| s.week < before)
        .filter_map(|s| {
            let person = ws.person_by_id(&s.person)?;
            let role = team.role_by_name(&s.role);
            let weight = role.map_or(1.0, |r| team.roles[r.0].weight);
            let span = Week {
                first_day: s.week,
                next_day: s.week + chrono::Duration::weeks(1),
                start: s.start,
                end: s.end,
            };
            Some(PastShift {
                week: s.week,
                person,
                role,
                load: horizon::slot_load(&span, team.timezone, weight, &ws.org.load, hol),
            })
        })
        .collect()
}

impl Instance<'_> {
    /// Shares `T_p` per member position for a plan whose filled slots total
    /// `total` load (docs/design.md §3). Members with no available week get 0.
    pub fn shares(&self, total: f64) -> Vec<f64> {
        let people: Vec<(u32, f64)> = self
            .available
            .iter()
            .copied()
            .zip(self.carry.iter().copied())
            .collect();
        crate::plan::share::shares(total, &people)
            .into_iter()
            .map(|s| s.unwrap_or(0.0))
            .collect()
    }

    /// Assembles a [`Plan`](crate::plan::Plan) with its fairness figures from an assignment.
    pub fn to_plan(
        &self,
        assignment: Vec<Vec<Option<PersonIdx>>>,
        status: crate::plan::Status,
        stats: crate::plan::SolveStats,
        unfilled: Vec<crate::plan::UnfilledSlot>,
    ) -> crate::plan::Plan {
        let mut load = vec![0.0; self.members.len()];
        let mut total = 0.0;
        for (w, row) in assignment.iter().enumerate() {
            for (r, slot) in row.iter().enumerate() {
                if let Some(p) = slot {
                    total += self.load[w][r];
                    if let Some(i) = self.position(*p) {
                        load[i] += self.load[w][r];
                    }
                }
            }
        }
        let shares = self.shares(total);
        let fairness: Vec<crate::plan::PersonFairness> = (0..self.members.len())
            .filter(|&i| self.available[i] > 0)
            .map(|i| crate::plan::PersonFairness {
                person: self.members[i],
                available_weeks: self.available[i],
                carry: self.carry[i],
                load: load[i],
                share: shares[i],
                deviation: load[i] - shares[i],
            })
            .collect();
        let max_excess = fairness
            .iter()
            .map(|f| f.deviation)
            .fold(None, |m: Option<f64>, d| Some(m.map_or(d, |m| m.max(d))))
            .unwrap_or(0.0);
        crate::plan::Plan {
            team: self.team,
            weeks: self.weeks.clone(),
            assignment,
            slot_load: self.load.clone(),
            status,
            stats,
            unfilled,
            fairness,
            max_excess,
        }
    }
}
