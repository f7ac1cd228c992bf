//! [`CheckContext`]: everything about a team and horizon that does not depend
//! on who is assigned, recomputed once from the inputs.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};

use super::time::{day_weights, wall_clock_instant, weighted_days};
use super::violation::{CheckError, Ineligibility};
use crate::model::bounds;
use crate::model::{Absence, Origin, Person, PersonIdx, Role, Team, TeamIdx, TimeOff, Workspace};

/// One rotation week, as the checker recomputes it.
#[derive(Clone, Debug)]
pub(super) struct WeekFacts {
    /// The date the week's handoff is scheduled on (the key plans use).
    pub(super) key: NaiveDate,
    /// The local date of the first handoff instant.
    pub(super) first_day: NaiveDate,
    /// The local date of the next handoff instant.
    pub(super) next_day: NaiveDate,
    /// First handoff.
    pub(super) start: DateTime<Utc>,
    /// Next handoff.
    pub(super) end: DateTime<Utc>,
    /// Load of the week for a role of weight 1.
    pub(super) base_load: f64,
}

/// One member of the team, by roster order.
#[derive(Clone, Debug)]
pub(super) struct MemberFacts {
    pub(super) person: PersonIdx,
    pub(super) id: String,
    /// Carry-over `C_p`.
    pub(super) carry: f64,
    /// Available weeks `a_p`.
    pub(super) available: u32,
}

/// One role of the team.
#[derive(Clone, Debug)]
pub(super) struct RoleFacts {
    pub(super) name: String,
    pub(super) weight: f64,
}

/// A pin inside the horizon.
#[derive(Clone, Debug)]
pub(super) struct PinFacts {
    pub(super) week: usize,
    pub(super) role: usize,
    pub(super) person: PersonIdx,
    pub(super) origin: Origin,
}

/// Everything about a team and horizon that does not depend on who is
/// assigned: handoff instants, slot loads, eligibility and availability.
///
/// Built once with [`CheckContext::new`] (all time-zone work happens there);
/// [`CheckContext::evaluate`] then judges an assignment in microseconds.
#[derive(Clone, Debug)]
pub struct CheckContext {
    pub(super) rest_weeks: u32,
    pub(super) max_shifts: Option<u32>,
    pub(super) weeks: Vec<WeekFacts>,
    pub(super) roles: Vec<RoleFacts>,
    /// Members in roster order.
    pub(super) members: Vec<MemberFacts>,
    /// Ids, for messages, of the members, the pinned and everyone the plan
    /// names ([`CheckContext::person_in_roster`]): not the whole roster, which
    /// would cost every check time in proportion to the organisation.
    pub(super) roster_ids: BTreeMap<PersonIdx, String>,
    /// `blocked[week][role][member]`: why the member may not take the slot.
    pub(super) blocked: Vec<Vec<Vec<Option<Ineligibility>>>>,
    pub(super) pins: Vec<PinFacts>,
}

/// Why each member may not take each slot: `[week][role][member]`.
type Blocked = Vec<Vec<Vec<Option<Ineligibility>>>>;

/// A person's time off as half-open intervals of instants, with the reason to
/// give for it.
type TimeOffInstants = Vec<(DateTime<Utc>, DateTime<Utc>, Ineligibility)>;

impl CheckContext {
    /// Lays out `weeks` rotation weeks of `team` from the handoff on
    /// `first_week`, and precomputes their instants, slot loads, everyone's
    /// eligibility and available weeks.
    ///
    /// # Errors
    ///
    /// [`CheckError::UnknownTeam`] for a team index outside the workspace,
    /// [`CheckError::NotHandoffDay`] when `first_week` is not on the team's
    /// handoff weekday, and [`CheckError::OutOfRange`] when the weeks run off
    /// the calendar.
    pub fn new(
        ws: &Workspace,
        team: TeamIdx,
        first_week: NaiveDate,
        weeks: u32,
    ) -> Result<CheckContext, CheckError> {
        CheckContext::with_time_off(ws, team, (first_week, weeks), None)
    }

    /// [`CheckContext::new`], with everyone's time off already found
    /// (`time_off`; else the members' is looked up in the workspace).
    ///
    /// # Errors
    /// As [`CheckContext::new`].
    pub(super) fn with_time_off(
        ws: &Workspace,
        team: TeamIdx,
        (first_week, weeks): (NaiveDate, u32),
        time_off: Option<&TimeOffByPerson<'_>>,
    ) -> Result<CheckContext, CheckError> {
        let team = ws
            .teams
            .get(team.0)
            .ok_or(CheckError::UnknownTeam { index: team.0 })?;
        if first_week.weekday() != team.handoff.weekday {
            return Err(CheckError::NotHandoffDay {
                date: first_week,
                found: first_week.weekday(),
                expected: team.handoff.weekday,
            });
        }
        let week_facts = lay_out_weeks(ws, team, first_week, weeks)?;
        let roles = team
            .roles
            .iter()
            .map(|r| RoleFacts {
                name: r.name.clone(),
                weight: r.weight,
            })
            .collect();
        let (members, blocked) = judge_members(ws, team, &week_facts, time_off);
        let pins = pins_inside(team, &week_facts);
        let named = members
            .iter()
            .map(|m| m.person)
            .chain(team.pins.iter().map(|p| p.person));
        let roster_ids = named
            .filter_map(|p| Some((p, ws.people.get(p.0)?.id.clone())))
            .collect();
        Ok(CheckContext {
            rest_weeks: team.rules.rest_weeks,
            max_shifts: team.rules.max_shifts,
            weeks: week_facts,
            roles,
            members,
            roster_ids,
            blocked,
            pins,
        })
    }
    /// Number of weeks in the horizon.
    pub fn weeks(&self) -> usize {
        self.weeks.len()
    }

    /// The first day of a week: the date its handoff is scheduled on, as plans
    /// name it. `None` outside the horizon.
    pub fn week_date(&self, week: usize) -> Option<NaiveDate> {
        self.weeks.get(week).map(|w| w.key)
    }

    /// The handoff instants `[start, end)` of a week.
    ///
    /// # Panics
    ///
    /// When `week >= self.weeks()`, like slice indexing.
    pub fn week_bounds(&self, week: usize) -> (DateTime<Utc>, DateTime<Utc>) {
        let w = &self.weeks[week];
        (w.start, w.end)
    }

    /// The recomputed load of slot `(week, role)`; 0 outside the horizon or roles.
    pub fn slot_load(&self, week: usize, role: usize) -> f64 {
        match (self.weeks.get(week), self.roles.get(role)) {
            (Some(w), Some(r)) => r.weight * w.base_load,
            _ => 0.0,
        }
    }

    /// Whether `person` may take slot `(week, role)` (eligibility only, not the
    /// rules that depend on other slots). False outside the horizon or roles.
    pub fn eligible(&self, week: usize, role: usize, person: PersonIdx) -> bool {
        self.week_date(week).is_some()
            && role < self.roles.len()
            && self.why_ineligible(week, role, person).is_none()
    }

    /// The first reason `person` may not take slot `(week, role)`, or `None`
    /// when they may (or the slot is outside the horizon or roles).
    pub fn why_ineligible(
        &self,
        week: usize,
        role: usize,
        person: PersonIdx,
    ) -> Option<Ineligibility> {
        match self.member_position(person) {
            None => Some(Ineligibility::NotMember),
            Some(m) => self
                .blocked
                .get(week)
                .and_then(|roles| roles.get(role))
                .and_then(|row| row.get(m))
                .cloned()
                .flatten(),
        }
    }

    /// Available weeks `a_p` of a person (0 for non-members).
    pub fn available_weeks(&self, person: PersonIdx) -> u32 {
        self.member_position(person)
            .and_then(|m| self.members.get(m))
            .map_or(0, |m| m.available)
    }

    /// The position of a person among the members, `None` for non-members.
    pub(super) fn member_position(&self, p: PersonIdx) -> Option<usize> {
        self.members.iter().position(|m| m.person == p)
    }

    /// A person's id for messages.
    pub(super) fn person_id(&self, p: PersonIdx) -> String {
        self.roster_ids
            .get(&p)
            .cloned()
            .unwrap_or_else(|| format!("person #{}", p.0))
    }

    /// The roster person whose id is `id`: a member's, found among the
    /// members, else looked up in the roster (and remembered for messages).
    pub(super) fn person_in_roster(&mut self, ws: &Workspace, id: &str) -> Option<PersonIdx> {
        if let Some(m) = self.members.iter().find(|m| m.id == id) {
            return Some(m.person);
        }
        let p = ws.person_by_id(id)?;
        self.roster_ids.insert(p, id.to_string());
        Some(p)
    }

    /// A role's name for messages.
    pub(super) fn role_name(&self, r: usize) -> String {
        self.roles
            .get(r)
            .map_or_else(|| format!("role #{r}"), |x| x.name.clone())
    }

    /// The date a week is named by (`NaiveDate::MIN` outside the horizon).
    pub(super) fn week_key(&self, w: usize) -> NaiveDate {
        self.weeks.get(w).map_or(NaiveDate::MIN, |x| x.key)
    }

    /// The handoff instants of a week, `None` outside the horizon.
    pub(super) fn week_bounds_checked(
        &self,
        week: usize,
    ) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        self.weeks.get(week).map(|w| (w.start, w.end))
    }

    /// The week named by `date`, `None` when no week of the horizon is.
    pub(super) fn week_index(&self, date: NaiveDate) -> Option<usize> {
        self.weeks.iter().position(|w| w.key == date)
    }
}

/// Handoff k is on `first_week` + 7k days; week k runs from handoff k to k+1.
fn lay_out_weeks(
    ws: &Workspace,
    team: &Team,
    first_week: NaiveDate,
    weeks: u32,
) -> Result<Vec<WeekFacts>, CheckError> {
    let out_of_range = CheckError::OutOfRange { first_week, weeks };
    let tz = team.timezone;
    let weight_of_day = day_weights(ws, team);
    let mut handoffs = Vec::new();
    let mut date = first_week;
    for k in 0..=weeks {
        if k > 0 {
            date = date
                .checked_add_signed(Duration::days(7))
                .ok_or_else(|| out_of_range.clone())?;
        }
        let instant = wall_clock_instant(tz, date.and_time(team.handoff.time))
            .filter(|t| bounds::instant_supported(*t) && bounds::date_supported(date))
            .ok_or_else(|| out_of_range.clone())?;
        handoffs.push((date, instant));
    }
    Ok(handoffs
        .windows(2)
        .filter_map(|pair| match pair {
            [(key, start), (_, end)] => Some(WeekFacts {
                key: *key,
                first_day: start.with_timezone(&tz).date_naive(),
                next_day: end.with_timezone(&tz).date_naive(),
                start: *start,
                end: *end,
                base_load: weighted_days(tz, *start, *end, weight_of_day),
            }),
            _ => None,
        })
        .collect())
}

/// Members in roster order, once each, and only people of the roster: their
/// facts, and why each may not take each slot.
fn judge_members(
    ws: &Workspace,
    team: &Team,
    weeks: &[WeekFacts],
    time_off: Option<&TimeOffByPerson<'_>>,
) -> (Vec<MemberFacts>, Blocked) {
    let member_set: BTreeSet<PersonIdx> = team
        .members
        .iter()
        .copied()
        .filter(|p| p.0 < ws.people.len())
        .collect();
    let mut members: Vec<MemberFacts> = Vec::new();
    let mut blocked: Blocked = weeks
        .iter()
        .map(|_| vec![Vec::new(); team.roles.len()])
        .collect();
    // One pass over the organisation's time off, not one per member.
    let found;
    let time_off = match time_off {
        Some(t) => t,
        None => {
            found = TimeOffByPerson::of(ws, |p| member_set.contains(&p));
            &found
        }
    };
    for &p in &member_set {
        let Some(person) = ws.people.get(p.0) else {
            continue;
        };
        let off = time_off.get(p);
        let available = judge_member(team, (person, off), weeks, &mut blocked);
        members.push(MemberFacts {
            person: p,
            id: person.id.clone(),
            // The team's starting `[carry]`; `add_history` adds the published
            // history (docs/design.md §3).
            carry: team.carry.get(&p).copied().unwrap_or(0.0),
            available,
        });
    }
    (members, blocked)
}

/// Adds one member's reasons to `blocked` (after those of the members before
/// them) and returns their available weeks `a_p`: the weeks in which they may
/// take some role apart from time off, and, when the team excuses absence,
/// are not off either.
fn judge_member(
    team: &Team,
    (person, off): (&Person, &[&TimeOff]),
    weeks: &[WeekFacts],
    blocked: &mut Blocked,
) -> u32 {
    let time_off = time_off_instants(person, off);
    let mut available = 0u32;
    for (w, week) in weeks.iter().enumerate() {
        let off = time_off
            .iter()
            .find(|(from, to, _)| from < to && *from < week.end && week.start < *to)
            .map(|(_, _, why)| why.clone());
        let reasons = standing_reasons(team, person, week);
        let standing = reasons.iter().any(Option::is_none);
        for (r, apart_from_time_off) in reasons.into_iter().enumerate() {
            if let Some(row) = blocked.get_mut(w).and_then(|x| x.get_mut(r)) {
                row.push(apart_from_time_off.or_else(|| off.clone()));
            }
        }
        let counts = match team.fairness.absence {
            Absence::Owed => standing,
            Absence::Excused => standing && off.is_none(),
        };
        if counts {
            available += 1;
        }
    }
    available
}

/// Everyone's time off, by person, found in one pass over the workspace's:
/// checking many plans of one workspace (`publish --all`) finds it once
/// instead of once per plan.
#[derive(Clone, Debug, Default)]
pub struct TimeOffByPerson<'a> {
    of: BTreeMap<PersonIdx, Vec<&'a TimeOff>>,
}

impl<'a> TimeOffByPerson<'a> {
    /// Everyone's time off in `ws`.
    pub fn new(ws: &'a Workspace) -> Self {
        TimeOffByPerson::of(ws, |_| true)
    }

    /// The time off in `ws` of the people `wanted` keeps.
    fn of(ws: &'a Workspace, wanted: impl Fn(PersonIdx) -> bool) -> Self {
        let mut of: BTreeMap<PersonIdx, Vec<&'a TimeOff>> = BTreeMap::new();
        for t in ws.time_off.iter().filter(|t| wanted(t.person)) {
            of.entry(t.person).or_default().push(t);
        }
        TimeOffByPerson { of }
    }

    /// The entries of `p`, in file order.
    fn get(&self, p: PersonIdx) -> &[&'a TimeOff] {
        self.of.get(&p).map_or(&[], Vec::as_slice)
    }
}

/// Time off as instants: `[start 00:00, end+1 00:00)` in the person's zone
/// (`off`: their entries).
fn time_off_instants(person: &Person, off: &[&TimeOff]) -> TimeOffInstants {
    off.iter()
        .filter_map(|t| {
            let from = wall_clock_instant(person.timezone, t.start.and_hms_opt(0, 0, 0)?)?;
            let to = wall_clock_instant(person.timezone, t.end.succ_opt()?.and_hms_opt(0, 0, 0)?)?;
            Some((
                from,
                to,
                Ineligibility::TimeOff {
                    start: t.start,
                    end: t.end,
                    origin: t.origin.clone(),
                },
            ))
        })
        .collect()
}

/// For each role, the first reason `person` may not take it in `week` apart
/// from time off: employment, then tenure, then skills.
fn standing_reasons(team: &Team, person: &Person, week: &WeekFacts) -> Vec<Option<Ineligibility>> {
    let employment = if person.joined > week.first_day {
        Some(Ineligibility::NotJoined {
            joined: person.joined,
        })
    } else {
        person
            .left
            .filter(|&left| left < week.next_day)
            .map(|left| Ineligibility::Leaves {
                left,
                next_day: week.next_day,
            })
    };
    let tenure = (week.first_day - person.joined).num_days();
    team.roles
        .iter()
        .map(|role| {
            employment
                .clone()
                .or_else(|| role_reason(role, person, tenure))
        })
        .collect()
}

/// Why `person`, with `tenure` days, may not take `role`: tenure, then skills.
fn role_reason(role: &Role, person: &Person, tenure: i64) -> Option<Ineligibility> {
    (tenure < role.min_tenure_days)
        .then_some(Ineligibility::Tenure {
            days: tenure,
            needed: role.min_tenure_days,
        })
        .or_else(|| {
            role.skills
                .iter()
                .find(|s| !person.skills.contains(*s))
                .map(|s| Ineligibility::MissingSkill { skill: s.clone() })
        })
}

/// The team's pins on weeks of the horizon; the others are ignored.
fn pins_inside(team: &Team, weeks: &[WeekFacts]) -> Vec<PinFacts> {
    team.pins
        .iter()
        .filter_map(|pin| {
            let week = weeks.iter().position(|w| w.key == pin.week)?;
            Some(PinFacts {
                week,
                role: pin.role.0,
                person: pin.person,
                origin: pin.origin.clone(),
            })
        })
        .collect()
}
