//! The independent plan checker.
//!
//! It re-verifies a plan from the inputs alone and deliberately shares no code
//! with the optimiser: handoffs, loads and eligibility are recomputed here in a
//! different, plainer way (loads by stepping through the week minute by minute,
//! time off by comparing instants), so a bug in one is caught by the other.

use std::fmt;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

use crate::model::{Absence, PersonIdx, Team, TeamIdx, Workspace};
use crate::plan::{PersonFairnessDoc, PlanDoc};

/// Tolerance for numbers that went through 4-decimal rounding.
const TOL: f64 = 1e-3;

/// One way a plan breaks the rules or disagrees with the inputs.
#[derive(Clone, Debug, PartialEq)]
pub enum Violation {
    /// The JSON schema version is not 1.
    Schema(u32),
    /// The plan names another team or zone.
    WrongTeam {
        /// What the plan says.
        found: String,
        /// What it should say.
        expected: String,
    },
    /// The plan's first week is not a handoff date.
    BadHorizon(String),
    /// A shift or unfilled entry is outside the horizon.
    UnknownWeek(NaiveDate),
    /// A role the team does not have.
    UnknownRole(String),
    /// A person not in the roster.
    UnknownPerson(String),
    /// A slot is neither filled nor listed as unfilled.
    MissingSlot {
        /// Week.
        week: NaiveDate,
        /// Role.
        role: String,
    },
    /// A slot appears more than once.
    DuplicateSlot {
        /// Week.
        week: NaiveDate,
        /// Role.
        role: String,
    },
    /// A shift's start or end is not the handoff instant.
    WrongTimes {
        /// Week.
        week: NaiveDate,
        /// Role.
        role: String,
        /// The handoff instants.
        expected: (DateTime<Utc>, DateTime<Utc>),
    },
    /// A shift's load is wrong.
    WrongLoad {
        /// Week.
        week: NaiveDate,
        /// Role.
        role: String,
        /// Recomputed.
        expected: f64,
        /// In the plan.
        found: f64,
    },
    /// The person may not take the slot.
    Ineligible {
        /// Week.
        week: NaiveDate,
        /// Role.
        role: String,
        /// Who.
        person: String,
        /// Why, in words.
        why: String,
    },
    /// Two roles in one week.
    TwoRoles {
        /// Week.
        week: NaiveDate,
        /// Who.
        person: String,
    },
    /// Shifts too close together.
    Rest {
        /// Who.
        person: String,
        /// The earlier week.
        first: NaiveDate,
        /// The later week.
        second: NaiveDate,
        /// The rule.
        rest_weeks: u32,
    },
    /// Too many shifts.
    MaxShifts {
        /// Who.
        person: String,
        /// Shifts held.
        count: u32,
        /// The rule.
        max: u32,
    },
    /// A pin is not honoured.
    Pin {
        /// Week.
        week: NaiveDate,
        /// Role.
        role: String,
        /// Who is pinned.
        person: String,
    },
    /// A fairness figure disagrees with the recomputation.
    Fairness {
        /// Who (or `*` for the plan's max_excess).
        person: String,
        /// Which figure.
        field: &'static str,
        /// Recomputed.
        expected: f64,
        /// In the plan.
        found: f64,
    },
    /// The status does not match the plan's content.
    Status(String),
    /// The plan was made from other inputs.
    DifferentInputs,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Violation::Schema(s) => write!(f, "schema {s} is not supported (expected 1)"),
            Violation::WrongTeam { found, expected } => write!(f, "plan is for `{found}`, expected `{expected}`"),
            Violation::BadHorizon(why) => write!(f, "horizon: {why}"),
            Violation::UnknownWeek(w) => write!(f, "week {w} is not in the plan's horizon"),
            Violation::UnknownRole(r) => write!(f, "unknown role `{r}`"),
            Violation::UnknownPerson(p) => write!(f, "unknown person `{p}`"),
            Violation::MissingSlot { week, role } => write!(f, "week {week} {role}: neither filled nor listed as unfilled"),
            Violation::DuplicateSlot { week, role } => write!(f, "week {week} {role}: listed more than once"),
            Violation::WrongTimes { week, role, expected } => write!(
                f,
                "week {week} {role}: start/end should be {} .. {}",
                expected.0.to_rfc3339(),
                expected.1.to_rfc3339()
            ),
            Violation::WrongLoad { week, role, expected, found } => {
                write!(f, "week {week} {role}: load {found} should be {expected:.4}")
            }
            Violation::Ineligible { week, role, person, why } => write!(f, "week {week} {role}: {person} {why}"),
            Violation::TwoRoles { week, person } => write!(f, "week {week}: {person} holds two roles"),
            Violation::Rest { person, first, second, rest_weeks } => write!(
                f,
                "{person} is on call in weeks {first} and {second}, breaking rest_weeks = {rest_weeks}"
            ),
            Violation::MaxShifts { person, count, max } => write!(f, "{person} has {count} shifts, more than max_shifts = {max}"),
            Violation::Pin { week, role, person } => write!(f, "week {week} {role}: pinned to {person} but not given to them"),
            Violation::Fairness { person, field, expected, found } => {
                write!(f, "fairness of {person}: {field} is {found} but should be {expected:.4}")
            }
            Violation::Status(why) => write!(f, "status: {why}"),
            Violation::DifferentInputs => write!(f, "the plan was made from different inputs than this workspace"),
        }
    }
}

/// What the checker found.
#[derive(Clone, Debug, Default)]
pub struct CheckReport {
    /// Every violation, in plan order.
    pub violations: Vec<Violation>,
}

impl CheckReport {
    /// No violations?
    pub fn is_ok(&self) -> bool {
        self.violations.is_empty()
    }
}

/// The checker could not even set up the horizon.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// The first week is not on the handoff weekday.
    #[error("{0} is not a handoff date of the team")]
    NotHandoff(NaiveDate),
    /// Dates off the calendar.
    #[error("the horizon runs off the calendar")]
    OutOfRange,
}

/// The instant of a local wall-clock time: earliest occurrence, or the first
/// minute after a spring-forward gap.
fn instant(tz: Tz, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    (0..=24 * 60).find_map(|m| {
        tz.from_local_datetime(&(local + Duration::minutes(m)))
            .earliest()
            .map(|t| t.with_timezone(&Utc))
    })
}

/// The result of evaluating one assignment.
#[derive(Clone, Debug, Default)]
pub struct Evaluation {
    /// Rule violations.
    pub violations: Vec<Violation>,
    /// Fairness per available person (team member order).
    pub people: Vec<PersonFairnessDoc>,
    /// Largest deviation (0 when nobody is available).
    pub max_excess: f64,
    /// Total load of the filled slots.
    pub total_load: f64,
}

/// Everything about a team and horizon that does not depend on the assignment.
#[derive(Clone, Debug)]
pub struct CheckContext<'a> {
    ws: &'a Workspace,
    team: &'a Team,
    /// `(first_day, start, end, next_day)` per week.
    weeks: Vec<(NaiveDate, DateTime<Utc>, DateTime<Utc>, NaiveDate)>,
    loads: Vec<Vec<f64>>,
    /// `why[w][r][m]`: None when member m may take the slot, else the reason.
    why: Vec<Vec<Vec<Option<String>>>>,
    available: Vec<u32>,
}

impl<'a> CheckContext<'a> {
    /// Precomputes instants, loads, eligibility and availability.
    ///
    /// # Errors
    /// A first week that is not a handoff date, or dates off the calendar.
    pub fn new(
        ws: &'a Workspace,
        team: TeamIdx,
        first_week: NaiveDate,
        weeks: u32,
    ) -> Result<Self, CheckError> {
        let team = &ws.teams[team.0];
        if first_week.weekday() != team.handoff.weekday {
            return Err(CheckError::NotHandoff(first_week));
        }
        let tz = team.timezone;
        let mut wk = Vec::new();
        for k in 0..weeks {
            let first = first_week
                .checked_add_signed(Duration::days(7 * i64::from(k)))
                .ok_or(CheckError::OutOfRange)?;
            let next = first
                .checked_add_signed(Duration::days(7))
                .ok_or(CheckError::OutOfRange)?;
            let start =
                instant(tz, first.and_time(team.handoff.time)).ok_or(CheckError::OutOfRange)?;
            let end =
                instant(tz, next.and_time(team.handoff.time)).ok_or(CheckError::OutOfRange)?;
            wk.push((first, start, end, next));
        }
        let holidays = team.holidays.as_ref().and_then(|r| ws.org.holidays.get(r));
        let hour_weight = |t: DateTime<Utc>| {
            let date = t.with_timezone(&tz).date_naive();
            if holidays.is_some_and(|h| h.contains_key(&date)) {
                ws.org.load.holiday
            } else if date.weekday() == Weekday::Sat || date.weekday() == Weekday::Sun {
                ws.org.load.weekend
            } else {
                ws.org.load.weekday
            }
        };
        let loads = wk
            .iter()
            .map(|&(_, start, end, _)| {
                let mut minutes_weighted = 0.0;
                let mut t = start;
                while t < end {
                    minutes_weighted += hour_weight(t);
                    t += Duration::minutes(1);
                }
                let base = minutes_weighted / 60.0 / 24.0;
                team.roles.iter().map(|r| r.weight * base).collect()
            })
            .collect();
        let mut why = Vec::new();
        let mut available = vec![0u32; team.members.len()];
        for &(first, start, end, next) in &wk {
            let mut per_role = Vec::new();
            let mut standing = vec![false; team.members.len()];
            let mut off = vec![None; team.members.len()];
            for (m, &p) in team.members.iter().enumerate() {
                let person = &ws.people[p.0];
                for t in ws.time_off.iter().filter(|t| t.person == p) {
                    let from = instant(
                        person.timezone,
                        t.start.and_hms_opt(0, 0, 0).unwrap_or_default(),
                    );
                    let to = t.end.succ_opt().and_then(|d| {
                        instant(person.timezone, d.and_hms_opt(0, 0, 0).unwrap_or_default())
                    });
                    let (Some(from), Some(to)) = (from, to) else {
                        continue;
                    };
                    if from < end && start < to {
                        off[m] = Some(format!("is off {}..{} ({})", t.start, t.end, t.origin));
                        break;
                    }
                }
            }
            for role in &team.roles {
                let mut row = Vec::new();
                for (m, &p) in team.members.iter().enumerate() {
                    let person = &ws.people[p.0];
                    let tenure = (first - person.joined).num_days();
                    let reason = if person.joined > first {
                        Some(format!("has not joined yet (joins {})", person.joined))
                    } else if person.left.is_some_and(|l| l < next) {
                        Some(format!("has left by {}", next))
                    } else if tenure < role.min_tenure_days {
                        Some(format!(
                            "has {tenure} days' tenure, {} needs {}",
                            role.name, role.min_tenure_days
                        ))
                    } else {
                        role.skills
                            .iter()
                            .find(|s| !person.skills.contains(*s))
                            .map(|s| format!("lacks skill `{s}`"))
                    };
                    if reason.is_none() {
                        standing[m] = true;
                    }
                    row.push(reason.or_else(|| off[m].clone()));
                }
                per_role.push(row);
            }
            for m in 0..team.members.len() {
                if standing[m] && (team.fairness.absence == Absence::Owed || off[m].is_none()) {
                    available[m] += 1;
                }
            }
            why.push(per_role);
        }
        Ok(CheckContext {
            ws,
            team,
            weeks: wk,
            loads,
            why,
            available,
        })
    }

    /// Whether `person` may take `(week, role)` (eligibility only, no rules).
    pub fn eligible(&self, week: usize, role: usize, person: PersonIdx) -> bool {
        self.member(person)
            .and_then(|m| self.why.get(week)?.get(role)?.get(m))
            .is_some_and(Option::is_none)
    }

    /// Recomputed load of a slot.
    pub fn slot_load(&self, week: usize, role: usize) -> f64 {
        self.loads
            .get(week)
            .and_then(|r| r.get(role))
            .copied()
            .unwrap_or(0.0)
    }

    /// The handoff instants of a week.
    pub fn week_bounds(&self, week: usize) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        self.weeks.get(week).map(|w| (w.1, w.2))
    }

    /// Number of weeks.
    pub fn weeks(&self) -> usize {
        self.weeks.len()
    }

    fn member(&self, p: PersonIdx) -> Option<usize> {
        self.team.members.iter().position(|&m| m == p)
    }

    fn pid(&self, p: PersonIdx) -> String {
        self.ws
            .people
            .get(p.0)
            .map(|x| x.id.clone())
            .unwrap_or_default()
    }

    /// Checks the rules and computes fairness for `assignment[week][role]`.
    pub fn evaluate(&self, assignment: &[Vec<Option<PersonIdx>>]) -> Evaluation {
        let mut ev = Evaluation::default();
        let n = self.team.members.len();
        let mut load = vec![0.0; n];
        let mut weeks_of: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (w, row) in assignment.iter().enumerate() {
            let Some(&(first, ..)) = self.weeks.get(w) else {
                continue;
            };
            let mut seen: Vec<PersonIdx> = Vec::new();
            for (r, slot) in row.iter().enumerate() {
                let Some(p) = *slot else { continue };
                let role = self
                    .team
                    .roles
                    .get(r)
                    .map(|x| x.name.clone())
                    .unwrap_or_default();
                ev.total_load += self.slot_load(w, r);
                match self.member(p) {
                    None => ev.violations.push(Violation::Ineligible {
                        week: first,
                        role,
                        person: self.pid(p),
                        why: "is not a member of the team".into(),
                    }),
                    Some(m) => {
                        if let Some(Some(why)) = self
                            .why
                            .get(w)
                            .and_then(|x| x.get(r))
                            .and_then(|x| x.get(m))
                        {
                            ev.violations.push(Violation::Ineligible {
                                week: first,
                                role,
                                person: self.pid(p),
                                why: why.clone(),
                            });
                        }
                        load[m] += self.slot_load(w, r);
                        weeks_of[m].push(w);
                    }
                }
                if seen.contains(&p) {
                    ev.violations.push(Violation::TwoRoles {
                        week: first,
                        person: self.pid(p),
                    });
                }
                seen.push(p);
            }
        }
        let rest = self.team.rules.rest_weeks as usize;
        for (m, ws) in weeks_of.iter().enumerate() {
            let p = self.team.members[m];
            let mut sorted = ws.clone();
            sorted.sort_unstable();
            sorted.dedup();
            for pair in sorted.windows(2) {
                if pair[1] - pair[0] <= rest {
                    ev.violations.push(Violation::Rest {
                        person: self.pid(p),
                        first: self.weeks[pair[0]].0,
                        second: self.weeks[pair[1]].0,
                        rest_weeks: self.team.rules.rest_weeks,
                    });
                }
            }
            if let Some(max) = self.team.rules.max_shifts {
                let count = ws.len() as u32;
                if count > max {
                    ev.violations.push(Violation::MaxShifts {
                        person: self.pid(p),
                        count,
                        max,
                    });
                }
            }
        }
        for pin in &self.team.pins {
            let Some(w) = self.weeks.iter().position(|x| x.0 == pin.week) else {
                continue;
            };
            let held = assignment
                .get(w)
                .and_then(|row| row.get(pin.role.0))
                .copied()
                .flatten();
            // An empty pinned slot is reported as unfilled, not as a broken pin.
            if held.is_some_and(|h| h != pin.person) {
                ev.violations.push(Violation::Pin {
                    week: pin.week,
                    role: self
                        .team
                        .roles
                        .get(pin.role.0)
                        .map(|r| r.name.clone())
                        .unwrap_or_default(),
                    person: self.pid(pin.person),
                });
            }
        }
        // Fairness, DESIGN.md §3.
        let carry: Vec<f64> = self
            .team
            .members
            .iter()
            .map(|p| self.team.carry.get(p).copied().unwrap_or(0.0))
            .collect();
        let avail: Vec<usize> = (0..n).filter(|&m| self.available[m] > 0).collect();
        let sum_a: f64 = avail.iter().map(|&m| f64::from(self.available[m])).sum();
        let sum_c: f64 = avail.iter().map(|&m| carry[m]).sum();
        let mut max_excess: Option<f64> = None;
        for &m in &avail {
            let share = (ev.total_load + sum_c) * f64::from(self.available[m]) / sum_a - carry[m];
            let deviation = load[m] - share;
            max_excess = Some(max_excess.map_or(deviation, |x| x.max(deviation)));
            ev.people.push(PersonFairnessDoc {
                person: self.pid(self.team.members[m]),
                available_weeks: self.available[m],
                carry: carry[m],
                load: load[m],
                share,
                deviation,
            });
        }
        ev.max_excess = max_excess.unwrap_or(0.0);
        ev
    }
}

/// Checks a plan JSON against the workspace: every rule, every figure.
pub fn check_plan(ws: &Workspace, team_idx: TeamIdx, plan: &PlanDoc) -> CheckReport {
    let mut v = Vec::new();
    let Some(team) = ws.teams.get(team_idx.0) else {
        return CheckReport {
            violations: vec![Violation::WrongTeam {
                found: plan.team.clone(),
                expected: String::new(),
            }],
        };
    };
    if plan.schema != 1 {
        v.push(Violation::Schema(plan.schema));
    }
    if plan.team != team.id {
        v.push(Violation::WrongTeam {
            found: plan.team.clone(),
            expected: team.id.clone(),
        });
    }
    if plan.timezone != team.timezone.name() {
        v.push(Violation::WrongTeam {
            found: plan.timezone.clone(),
            expected: team.timezone.name().to_string(),
        });
    }
    if plan
        .inputs_sha256
        .as_ref()
        .is_some_and(|h| *h != ws.inputs_sha256)
    {
        v.push(Violation::DifferentInputs);
    }
    let all_weeks: Vec<NaiveDate> = plan
        .shifts
        .iter()
        .map(|s| s.week)
        .chain(plan.unfilled.iter().map(|u| u.week))
        .collect();
    let (first, count) = match &plan.horizon {
        Some(h) => (h.first_week, h.weeks),
        None => match all_weeks.iter().min() {
            Some(&f) => {
                let last = all_weeks.iter().max().copied().unwrap_or(f);
                (f, ((last - f).num_days() / 7 + 1) as u32)
            }
            None => {
                v.push(Violation::BadHorizon("the plan has no weeks".into()));
                return CheckReport { violations: v };
            }
        },
    };
    let ctx = match CheckContext::new(ws, team_idx, first, count) {
        Ok(c) => c,
        Err(e) => {
            v.push(Violation::BadHorizon(e.to_string()));
            return CheckReport { violations: v };
        }
    };
    let mut assignment: Vec<Vec<Option<PersonIdx>>> =
        vec![vec![None; team.roles.len()]; ctx.weeks()];
    let mut listed = vec![vec![0u32; team.roles.len()]; ctx.weeks()];
    let locate = |week: NaiveDate, role: &str, v: &mut Vec<Violation>| -> Option<(usize, usize)> {
        let w = ctx.weeks.iter().position(|x| x.0 == week);
        let r = team.roles.iter().position(|x| x.name == role);
        if w.is_none() {
            v.push(Violation::UnknownWeek(week));
        }
        if r.is_none() {
            v.push(Violation::UnknownRole(role.to_string()));
        }
        Some((w?, r?))
    };
    for s in &plan.shifts {
        let Some((w, r)) = locate(s.week, &s.role, &mut v) else {
            continue;
        };
        listed[w][r] += 1;
        let Some(p) = ws
            .people
            .iter()
            .position(|x| x.id == s.person)
            .map(PersonIdx)
        else {
            v.push(Violation::UnknownPerson(s.person.clone()));
            continue;
        };
        assignment[w][r] = Some(p);
        if let Some((start, end)) = ctx.week_bounds(w) {
            if s.start != start || s.end != end {
                v.push(Violation::WrongTimes {
                    week: s.week,
                    role: s.role.clone(),
                    expected: (start, end),
                });
            }
        }
        let expected = ctx.slot_load(w, r);
        if (expected - s.load).abs() > TOL {
            v.push(Violation::WrongLoad {
                week: s.week,
                role: s.role.clone(),
                expected,
                found: s.load,
            });
        }
    }
    for u in &plan.unfilled {
        if let Some((w, r)) = locate(u.week, &u.role, &mut v) {
            listed[w][r] += 1;
        }
    }
    for (w, row) in listed.iter().enumerate() {
        for (r, &k) in row.iter().enumerate() {
            let (week, role) = (ctx.weeks[w].0, team.roles[r].name.clone());
            if k == 0 {
                v.push(Violation::MissingSlot { week, role });
            } else if k > 1 {
                v.push(Violation::DuplicateSlot { week, role });
            }
        }
    }
    let ev = ctx.evaluate(&assignment);
    v.extend(ev.violations.iter().cloned());
    // Fairness figures.
    for expected in &ev.people {
        match plan
            .fairness
            .people
            .iter()
            .find(|p| p.person == expected.person)
        {
            None => v.push(Violation::Fairness {
                person: expected.person.clone(),
                field: "entry",
                expected: f64::from(expected.available_weeks),
                found: 0.0,
            }),
            Some(found) => {
                let pairs = [
                    (
                        "available_weeks",
                        f64::from(expected.available_weeks),
                        f64::from(found.available_weeks),
                    ),
                    ("carry", expected.carry, found.carry),
                    ("load", expected.load, found.load),
                    ("share", expected.share, found.share),
                    ("deviation", expected.deviation, found.deviation),
                ];
                for (field, e, f) in pairs {
                    if (e - f).abs() > TOL {
                        v.push(Violation::Fairness {
                            person: expected.person.clone(),
                            field,
                            expected: e,
                            found: f,
                        });
                    }
                }
            }
        }
    }
    for found in &plan.fairness.people {
        if !ev.people.iter().any(|e| e.person == found.person) {
            v.push(Violation::Fairness {
                person: found.person.clone(),
                field: "entry (not available)",
                expected: 0.0,
                found: f64::from(found.available_weeks),
            });
        }
    }
    if (plan.fairness.max_excess - ev.max_excess).abs() > TOL {
        v.push(Violation::Fairness {
            person: "*".into(),
            field: "max_excess",
            expected: ev.max_excess,
            found: plan.fairness.max_excess,
        });
    }
    // Status.
    let filled = plan.shifts.len();
    let empty = plan.unfilled.len();
    let status_ok = match plan.status.as_str() {
        "optimal" | "feasible" => empty == 0,
        "partial" => empty > 0 && filled > 0,
        "infeasible" => filled == 0,
        _ => false,
    };
    if !status_ok {
        v.push(Violation::Status(format!(
            "`{}` with {filled} shift(s) and {empty} unfilled",
            plan.status
        )));
    }
    if (plan.solver.objective - plan.fairness.max_excess).abs() > TOL {
        v.push(Violation::Status(format!(
            "solver objective {} is not the largest excess {}",
            plan.solver.objective, plan.fairness.max_excess
        )));
    }
    if plan.solver.bound > plan.solver.objective + TOL {
        v.push(Violation::Status(format!(
            "bound {} exceeds the objective {}",
            plan.solver.bound, plan.solver.objective
        )));
    }
    if plan.status == "optimal" && (plan.solver.bound - plan.solver.objective).abs() > TOL {
        v.push(Violation::Status(format!(
            "`optimal` but bound {} differs from objective {}",
            plan.solver.bound, plan.solver.objective
        )));
    }
    CheckReport { violations: v }
}
