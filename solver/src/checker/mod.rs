//! The independent plan checker.
//!
//! It re-verifies a plan from the inputs alone (DESIGN.md §2–§4) and shares no
//! code with the optimiser: only the domain types of [`crate::model`] and
//! [`crate::plan`]. Everything is recomputed here, deliberately in a different
//! and plainer style, so that a bug in one is caught by the other:
//!
//! - a wall-clock time becomes an instant by walking UTC forward a minute at a
//!   time until the zone's clock reads that time or later (which gives the first
//!   occurrence of an ambiguous time and the end of a spring-forward gap);
//! - a slot's load is summed minute by minute over the real elapsed time, each
//!   minute weighed by the kind of its local day;
//! - time off is compared as half-open intervals of instants.
//!
//! [`CheckContext`] does all the time-zone work once for a team and horizon, so
//! that [`CheckContext::evaluate`] can judge hundreds of thousands of
//! assignments in brute-force tests; [`check_plan`] builds on it to verify a
//! plan JSON.
//!
//! ```no_run
//! # fn demo(ws: &oncall::Workspace, doc: &oncall::PlanDoc) {
//! use oncall::checker::check_plan;
//! let report = check_plan(ws, oncall::TeamIdx(0), doc);
//! for violation in &report.violations {
//!     println!("violation: {violation}");
//! }
//! # }
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, Utc, Weekday};
use chrono_tz::Tz;

use crate::model::document::{PersonFairnessDoc, PlanDoc};
use crate::model::history::HeldShift;
use crate::model::{Absence, Origin, PersonIdx, TeamIdx, Workspace};

/// Numbers in plan JSON are rounded to 4 decimal places; they are compared
/// with this tolerance.
pub const TOLERANCE: f64 = 1e-3;

/// The checker could not lay out the weeks of a team.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CheckError {
    /// No team at this index.
    #[error("the workspace has no team #{index}")]
    UnknownTeam {
        /// The index asked for.
        index: usize,
    },
    /// The first week is not on the team's handoff weekday.
    #[error("{date} is a {}, but the team hands off on {}s", day_name(*found), day_name(*expected))]
    NotHandoffDay {
        /// The first week asked for.
        date: NaiveDate,
        /// Its weekday.
        found: Weekday,
        /// The team's handoff weekday.
        expected: Weekday,
    },
    /// The weeks run off the calendar.
    #[error("{weeks} weeks from {first_week} run past the supported calendar")]
    OutOfRange {
        /// The first week asked for.
        first_week: NaiveDate,
        /// The number of weeks.
        weeks: u32,
    },
}

/// Why a person may not take a slot, first reason first (DESIGN.md §2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ineligibility {
    /// Not a member of the team (or not in the roster at all).
    NotMember,
    /// Joins after the week's first day.
    NotJoined {
        /// First day employed.
        joined: NaiveDate,
    },
    /// Leaves before the day of the next handoff.
    Leaves {
        /// First day no longer employed.
        left: NaiveDate,
        /// The day of the week's next handoff.
        next_day: NaiveDate,
    },
    /// Too little tenure on the week's first day.
    Tenure {
        /// Days since joining.
        days: i64,
        /// The role's `min_tenure_days`.
        needed: i64,
    },
    /// Lacks a skill the role requires.
    MissingSkill {
        /// The first missing skill.
        skill: String,
    },
    /// Time off overlaps the week.
    TimeOff {
        /// First day off.
        start: NaiveDate,
        /// Last day off (inclusive).
        end: NaiveDate,
        /// Where the entry is.
        origin: Origin,
    },
}

impl fmt::Display for Ineligibility {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ineligibility::NotMember => write!(f, "is not a member of the team"),
            Ineligibility::NotJoined { joined } => write!(f, "has not joined yet (joins {joined})"),
            Ineligibility::Leaves { left, next_day } => {
                write!(f, "leaves {left}, before the handoff on {next_day}")
            }
            Ineligibility::Tenure { days, needed } => write!(
                f,
                "has {days} days' tenure on the week's first day, the role needs {needed}"
            ),
            Ineligibility::MissingSkill { skill } => write!(f, "lacks skill `{skill}`"),
            Ineligibility::TimeOff { start, end, origin } => {
                write!(f, "is off {start}..{end} ({origin})")
            }
        }
    }
}

/// A fairness figure of one person (DESIGN.md §3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FairnessField {
    /// Available weeks `a_p`.
    AvailableWeeks,
    /// Carry-over `C_p`.
    Carry,
    /// Load in this plan.
    Load,
    /// Share `T_p`.
    Share,
    /// Deviation `d_p`.
    Deviation,
}

impl fmt::Display for FairnessField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FairnessField::AvailableWeeks => "available_weeks",
            FairnessField::Carry => "carry",
            FairnessField::Load => "load",
            FairnessField::Share => "share",
            FairnessField::Deviation => "deviation",
        })
    }
}

/// One way a plan breaks a rule or disagrees with the inputs.
///
/// Weeks are named by their first day, roles by name and people by id, so a
/// violation reads in domain words; [`fmt::Display`] gives one lowercase line.
#[derive(Clone, Debug, PartialEq)]
pub enum Violation {
    /// The JSON schema is not 1.
    Schema {
        /// The plan's schema.
        found: u32,
    },
    /// The plan names another team.
    WrongTeam {
        /// The team checked against.
        expected: String,
        /// What the plan says.
        found: String,
    },
    /// The plan names another time zone than the team's.
    WrongTimezone {
        /// The team's zone.
        expected: String,
        /// What the plan says.
        found: String,
    },
    /// The plan was made from other inputs than this workspace.
    DifferentInputs {
        /// The workspace's `inputs_sha256`.
        expected: String,
        /// The plan's `inputs_sha256`.
        found: String,
    },
    /// The weeks of the plan cannot be laid out.
    Horizon(CheckError),
    /// No horizon and no entries: the plan covers no week.
    EmptyPlan,
    /// A shift or unfilled entry names a week that is not in the horizon.
    WeekOutsideHorizon {
        /// The entry's week.
        week: NaiveDate,
        /// The entry's role.
        role: String,
        /// The horizon's first week.
        first_week: NaiveDate,
        /// The horizon's length.
        weeks: u32,
    },
    /// A shift or unfilled entry names a role the team does not have.
    UnknownRole {
        /// The entry's week.
        week: NaiveDate,
        /// The unknown role.
        role: String,
    },
    /// A shift names a person who is not in the roster.
    UnknownPerson {
        /// The shift's week.
        week: NaiveDate,
        /// The shift's role.
        role: String,
        /// The unknown person id.
        person: String,
    },
    /// A slot is neither a shift nor an unfilled entry.
    MissingSlot {
        /// Week.
        week: NaiveDate,
        /// Role.
        role: String,
    },
    /// A slot is listed more than once (as shifts and/or unfilled entries).
    DuplicateSlot {
        /// Week.
        week: NaiveDate,
        /// Role.
        role: String,
        /// How many times.
        count: usize,
    },
    /// A shift's start or end is not the handoff instant.
    WrongTimes {
        /// Week.
        week: NaiveDate,
        /// Role.
        role: String,
        /// The recomputed handoffs.
        expected: (DateTime<Utc>, DateTime<Utc>),
        /// The plan's start and end.
        found: (DateTime<Utc>, DateTime<Utc>),
    },
    /// A shift's load disagrees with the recomputed load.
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
    /// A shift's person may not take the slot.
    Ineligible {
        /// Week.
        week: NaiveDate,
        /// Role.
        role: String,
        /// Who.
        person: String,
        /// The first reason.
        reason: Ineligibility,
    },
    /// A person holds two roles in one week.
    TwoRoles {
        /// Week.
        week: NaiveDate,
        /// Who.
        person: String,
        /// The role held first (in role order).
        first_role: String,
        /// The other role.
        second_role: String,
    },
    /// Two shifts of a person are closer than `rest_weeks` allows.
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
    /// A person has more shifts than `max_shifts`.
    MaxShifts {
        /// Who.
        person: String,
        /// Shifts held.
        count: usize,
        /// The rule.
        max: u32,
    },
    /// A pinned slot is given to someone else.
    PinBroken {
        /// Week.
        week: NaiveDate,
        /// Role.
        role: String,
        /// Who is pinned.
        pinned: String,
        /// Who holds the slot instead.
        holder: String,
        /// Where the pin is.
        origin: Origin,
    },
    /// A fairness figure disagrees with the recomputation.
    FairnessMismatch {
        /// Who.
        person: String,
        /// Which figure.
        field: FairnessField,
        /// Recomputed.
        expected: f64,
        /// In the plan.
        found: f64,
    },
    /// An available person has no fairness entry.
    MissingFairness {
        /// Who.
        person: String,
        /// Their recomputed available weeks.
        available_weeks: u32,
    },
    /// A fairness entry for someone who is not available in any week (or unknown).
    UnavailableListed {
        /// Who.
        person: String,
    },
    /// A person has more than one fairness entry.
    DuplicateFairness {
        /// Who.
        person: String,
    },
    /// `fairness.max_excess` disagrees with the recomputation.
    MaxExcess {
        /// Recomputed.
        expected: f64,
        /// In the plan.
        found: f64,
    },
    /// A status that schema 1 does not know.
    UnknownStatus {
        /// The plan's status.
        status: String,
    },
    /// The status does not fit the shifts and unfilled slots.
    StatusMismatch {
        /// The plan's status.
        status: String,
        /// Number of shifts.
        shifts: usize,
        /// Number of unfilled entries.
        unfilled: usize,
    },
    /// `solver.objective` is not the recomputed largest excess.
    ObjectiveMismatch {
        /// Recomputed largest excess.
        expected: f64,
        /// The plan's objective.
        found: f64,
    },
    /// `solver.bound` is above `solver.objective`.
    BoundAboveObjective {
        /// The plan's bound.
        bound: f64,
        /// The plan's objective.
        objective: f64,
    },
    /// `optimal`, but the bound is not the objective.
    OptimalWithGap {
        /// The plan's bound.
        bound: f64,
        /// The plan's objective.
        objective: f64,
    },
    /// An assignment names a slot outside the horizon's weeks or the team's
    /// roles (only from [`CheckContext::evaluate`]).
    SlotOutOfRange {
        /// Week index.
        week: usize,
        /// Role index.
        role: usize,
    },
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Violation::Schema { found } => {
                write!(f, "plan schema {found} is not supported (expected 1)")
            }
            Violation::WrongTeam { expected, found } => {
                write!(f, "the plan is for team `{found}`, not `{expected}`")
            }
            Violation::WrongTimezone { expected, found } => write!(
                f,
                "the plan's time zone {found} is not the team's {expected}"
            ),
            Violation::DifferentInputs { expected, found } => write!(
                f,
                "the plan was made from different inputs (sha256 {found}, the workspace's is {expected})"
            ),
            Violation::Horizon(e) => write!(f, "cannot lay out the plan's weeks: {e}"),
            Violation::EmptyPlan => write!(
                f,
                "the plan has no horizon, no shifts and no unfilled slots, so it covers no week"
            ),
            Violation::WeekOutsideHorizon {
                week,
                role,
                first_week,
                weeks,
            } => write!(
                f,
                "week {week} {role}: not a week of the horizon ({weeks} weeks from {first_week})"
            ),
            Violation::UnknownRole { week, role } => {
                write!(f, "week {week} {role}: the team has no role `{role}`")
            }
            Violation::UnknownPerson { week, role, person } => {
                write!(f, "week {week} {role}: nobody in the roster has id `{person}`")
            }
            Violation::MissingSlot { week, role } => write!(
                f,
                "week {week} {role}: neither a shift nor listed as unfilled"
            ),
            Violation::DuplicateSlot { week, role, count } => {
                write!(f, "week {week} {role}: listed {count} times, expected once")
            }
            Violation::WrongTimes {
                week,
                role,
                expected,
                found,
            } => write!(
                f,
                "week {week} {role}: runs {}..{} but the handoffs are {}..{}",
                rfc3339(found.0),
                rfc3339(found.1),
                rfc3339(expected.0),
                rfc3339(expected.1)
            ),
            Violation::WrongLoad {
                week,
                role,
                expected,
                found,
            } => write!(
                f,
                "week {week} {role}: load is {found} but should be {expected:.4}"
            ),
            Violation::Ineligible {
                week,
                role,
                person,
                reason,
            } => write!(f, "week {week} {role}: {person} {reason}"),
            Violation::TwoRoles {
                week,
                person,
                first_role,
                second_role,
            } => write!(
                f,
                "week {week}: {person} holds two roles, {first_role} and {second_role}"
            ),
            Violation::Rest {
                person,
                first,
                second,
                rest_weeks,
            } => write!(
                f,
                "{person} is on call in weeks {first} and {second}, closer than rest_weeks = {rest_weeks} allows"
            ),
            Violation::MaxShifts { person, count, max } => write!(
                f,
                "{person} has {count} shifts, more than max_shifts = {max}"
            ),
            Violation::PinBroken {
                week,
                role,
                pinned,
                holder,
                origin,
            } => write!(
                f,
                "week {week} {role}: pinned to {pinned} ({origin}) but given to {holder}"
            ),
            Violation::FairnessMismatch {
                person,
                field,
                expected,
                found,
            } => write!(
                f,
                "fairness of {person}: {field} is {found} but should be {expected:.4}"
            ),
            Violation::MissingFairness {
                person,
                available_weeks,
            } => write!(
                f,
                "fairness of {person} is missing, though they are available {available_weeks} week(s)"
            ),
            Violation::UnavailableListed { person } => write!(
                f,
                "fairness lists {person}, who is not available in any week of the plan"
            ),
            Violation::DuplicateFairness { person } => {
                write!(f, "fairness lists {person} more than once")
            }
            Violation::MaxExcess { expected, found } => write!(
                f,
                "fairness max_excess is {found} but should be {expected:.4}"
            ),
            Violation::UnknownStatus { status } => write!(
                f,
                "status `{status}` is not one of optimal, feasible, partial or infeasible"
            ),
            Violation::StatusMismatch {
                status,
                shifts,
                unfilled,
            } => {
                let rule = match status.as_str() {
                    "optimal" | "feasible" => "which needs every slot filled",
                    "partial" => "which needs at least one shift and one unfilled slot",
                    _ => "which means no shift at all",
                };
                write!(
                    f,
                    "status {status} with {shifts} shift(s) and {unfilled} unfilled slot(s), {rule}"
                )
            }
            Violation::ObjectiveMismatch { expected, found } => write!(
                f,
                "solver objective {found} is not the largest excess {expected:.4}"
            ),
            Violation::BoundAboveObjective { bound, objective } => write!(
                f,
                "solver bound {bound} is above the objective {objective}"
            ),
            Violation::OptimalWithGap { bound, objective } => write!(
                f,
                "status optimal but the solver bound {bound} is not the objective {objective}"
            ),
            Violation::SlotOutOfRange { week, role } => write!(
                f,
                "assignment slot [{week}][{role}] is outside the horizon's weeks or the team's roles"
            ),
        }
    }
}

/// What the checker found.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CheckReport {
    /// Every violation: the plan's header first, then its entries, rules and figures.
    pub violations: Vec<Violation>,
}

impl CheckReport {
    /// Whether the plan has no violation at all.
    pub fn is_ok(&self) -> bool {
        self.violations.is_empty()
    }
}

/// The result of evaluating one assignment with [`CheckContext::evaluate`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Evaluation {
    /// Broken hard rules (eligibility, one role a week, rest, max_shifts, pins).
    /// Empty slots are not violations here.
    pub violations: Vec<Violation>,
    /// Fairness of every person with available weeks, in roster order, unrounded.
    pub people: Vec<PersonFairnessDoc>,
    /// The largest deviation (0 when nobody is available).
    pub max_excess: f64,
    /// Total load `L` of the filled slots.
    pub total_load: f64,
}

/// One rotation week, as the checker recomputes it.
#[derive(Clone, Debug)]
struct WeekFacts {
    /// The date the week's handoff is scheduled on (the key plans use).
    key: NaiveDate,
    /// The local date of the first handoff instant.
    first_day: NaiveDate,
    /// The local date of the next handoff instant.
    next_day: NaiveDate,
    /// First handoff.
    start: DateTime<Utc>,
    /// Next handoff.
    end: DateTime<Utc>,
    /// Load of the week for a role of weight 1.
    base_load: f64,
}

/// One member of the team, by roster order.
#[derive(Clone, Debug)]
struct MemberFacts {
    person: PersonIdx,
    id: String,
    /// Carry-over `C_p`.
    carry: f64,
    /// Available weeks `a_p`.
    available: u32,
}

/// One role of the team.
#[derive(Clone, Debug)]
struct RoleFacts {
    name: String,
    weight: f64,
}

/// A pin inside the horizon.
#[derive(Clone, Debug)]
struct PinFacts {
    week: usize,
    role: usize,
    person: PersonIdx,
    origin: Origin,
}

/// Everything about a team and horizon that does not depend on who is
/// assigned: handoff instants, slot loads, eligibility and availability.
///
/// Built once with [`CheckContext::new`] (all time-zone work happens there);
/// [`CheckContext::evaluate`] then judges an assignment in microseconds.
#[derive(Clone, Debug)]
pub struct CheckContext {
    rest_weeks: u32,
    max_shifts: Option<u32>,
    weeks: Vec<WeekFacts>,
    roles: Vec<RoleFacts>,
    /// Members in roster order.
    members: Vec<MemberFacts>,
    /// Ids of everyone in the roster, for messages.
    roster_ids: Vec<String>,
    /// `blocked[week][role][member]`: why the member may not take the slot.
    blocked: Vec<Vec<Vec<Option<Ineligibility>>>>,
    pins: Vec<PinFacts>,
}

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
        let out_of_range = CheckError::OutOfRange { first_week, weeks };
        let tz = team.timezone;
        let weight_of_day = day_weights(ws, team);

        // Handoff k is on first_week + 7k days; week k runs from handoff k to k+1.
        let mut handoffs = Vec::new();
        let mut date = first_week;
        for k in 0..=weeks {
            if k > 0 {
                date = date
                    .checked_add_signed(Duration::days(7))
                    .ok_or_else(|| out_of_range.clone())?;
            }
            let instant = wall_clock_instant(tz, date.and_time(team.handoff.time))
                .ok_or_else(|| out_of_range.clone())?;
            handoffs.push((date, instant));
        }
        let week_facts: Vec<WeekFacts> = handoffs
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
            .collect();

        let roles: Vec<RoleFacts> = team
            .roles
            .iter()
            .map(|r| RoleFacts {
                name: r.name.clone(),
                weight: r.weight,
            })
            .collect();

        // Members in roster order, once each, and only people of the roster.
        let member_set: BTreeSet<PersonIdx> = team
            .members
            .iter()
            .copied()
            .filter(|p| p.0 < ws.people.len())
            .collect();
        let mut members: Vec<MemberFacts> = Vec::new();
        let mut blocked: Vec<Vec<Vec<Option<Ineligibility>>>> = week_facts
            .iter()
            .map(|_| vec![Vec::new(); roles.len()])
            .collect();
        for &p in &member_set {
            let Some(person) = ws.people.get(p.0) else {
                continue;
            };
            // Time off as instants: [start 00:00, end+1 00:00) in the person's zone.
            let time_off: Vec<(DateTime<Utc>, DateTime<Utc>, Ineligibility)> = ws
                .time_off
                .iter()
                .filter(|t| t.person == p)
                .filter_map(|t| {
                    let from = wall_clock_instant(person.timezone, t.start.and_hms_opt(0, 0, 0)?)?;
                    let to = wall_clock_instant(
                        person.timezone,
                        t.end.succ_opt()?.and_hms_opt(0, 0, 0)?,
                    )?;
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
                .collect();
            let mut available = 0u32;
            for (w, week) in week_facts.iter().enumerate() {
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
                let off = time_off
                    .iter()
                    .find(|(from, to, _)| from < to && *from < week.end && week.start < *to)
                    .map(|(_, _, why)| why.clone());
                let tenure = (week.first_day - person.joined).num_days();
                let mut standing = false;
                for (r, role) in team.roles.iter().enumerate() {
                    let apart_from_time_off = employment
                        .clone()
                        .or_else(|| {
                            (tenure < role.min_tenure_days).then_some(Ineligibility::Tenure {
                                days: tenure,
                                needed: role.min_tenure_days,
                            })
                        })
                        .or_else(|| {
                            role.skills
                                .iter()
                                .find(|s| !person.skills.contains(*s))
                                .map(|s| Ineligibility::MissingSkill { skill: s.clone() })
                        });
                    standing |= apart_from_time_off.is_none();
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
            members.push(MemberFacts {
                person: p,
                id: person.id.clone(),
                carry: carry_over(ws, team.carry.get(&p).copied()),
                available,
            });
        }

        let pins = team
            .pins
            .iter()
            .filter_map(|pin| {
                let week = week_facts.iter().position(|w| w.key == pin.week)?;
                Some(PinFacts {
                    week,
                    role: pin.role.0,
                    person: pin.person,
                    origin: pin.origin.clone(),
                })
            })
            .collect();

        Ok(CheckContext {
            rest_weeks: team.rules.rest_weeks,
            max_shifts: team.rules.max_shifts,
            weeks: week_facts,
            roles,
            members,
            roster_ids: ws.people.iter().map(|p| p.id.clone()).collect(),
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

    /// Judges `assignment[week][role]` (who holds each slot, `None` for empty):
    /// the hard rules apart from filling every slot, and the fairness figures.
    ///
    /// Rows shorter than the roles, or fewer rows than weeks, are empty slots;
    /// a person outside the horizon or the roles is a
    /// [`Violation::SlotOutOfRange`].
    pub fn evaluate(&self, assignment: &[Vec<Option<PersonIdx>>]) -> Evaluation {
        let mut violations = Vec::new();
        let mut total_load = 0.0;
        let mut member_load = vec![0.0; self.members.len()];
        // Every slot each person holds, in week then role order.
        let mut held: BTreeMap<PersonIdx, Vec<(usize, usize)>> = BTreeMap::new();
        for (w, row) in assignment.iter().enumerate() {
            for (r, slot) in row.iter().enumerate() {
                let Some(p) = *slot else { continue };
                let (Some(week), Some(role)) = (self.weeks.get(w), self.roles.get(r)) else {
                    violations.push(Violation::SlotOutOfRange { week: w, role: r });
                    continue;
                };
                let load = role.weight * week.base_load;
                total_load += load;
                let m = self.member_position(p);
                if let Some(slot_load) = m.and_then(|m| member_load.get_mut(m)) {
                    *slot_load += load;
                }
                if let Some(reason) = self.why_ineligible(w, r, p) {
                    violations.push(Violation::Ineligible {
                        week: week.key,
                        role: role.name.clone(),
                        person: self.person_id(p),
                        reason,
                    });
                }
                held.entry(p).or_default().push((w, r));
            }
        }

        for (&p, slots) in &held {
            for pair in slots.windows(2) {
                let &[(w1, r1), (w2, r2)] = pair else {
                    continue;
                };
                if w1 == w2 {
                    violations.push(Violation::TwoRoles {
                        week: self.week_key(w1),
                        person: self.person_id(p),
                        first_role: self.role_name(r1),
                        second_role: self.role_name(r2),
                    });
                } else if w2 - w1 <= self.rest_weeks as usize {
                    violations.push(Violation::Rest {
                        person: self.person_id(p),
                        first: self.week_key(w1),
                        second: self.week_key(w2),
                        rest_weeks: self.rest_weeks,
                    });
                }
            }
            if let Some(max) = self.max_shifts {
                if slots.len() > max as usize {
                    violations.push(Violation::MaxShifts {
                        person: self.person_id(p),
                        count: slots.len(),
                        max,
                    });
                }
            }
        }

        // A pinned slot given to someone else breaks the pin. A pinned slot left
        // empty is an unfilled slot, which the plan must list and its status
        // must admit; it is not a broken pin.
        for pin in &self.pins {
            let holder = assignment
                .get(pin.week)
                .and_then(|row| row.get(pin.role))
                .copied()
                .flatten();
            if let Some(holder) = holder.filter(|&h| h != pin.person) {
                violations.push(Violation::PinBroken {
                    week: self.week_key(pin.week),
                    role: self.role_name(pin.role),
                    pinned: self.person_id(pin.person),
                    holder: self.person_id(holder),
                    origin: pin.origin.clone(),
                });
            }
        }

        // Fairness (DESIGN.md §3): people with no available week are left out.
        let counted = || {
            self.members
                .iter()
                .zip(&member_load)
                .filter(|(m, _)| m.available > 0)
        };
        let sum_available: f64 = counted().map(|(m, _)| f64::from(m.available)).sum();
        let sum_carry: f64 = counted().map(|(m, _)| m.carry).sum();
        let mut people = Vec::new();
        let mut max_excess: Option<f64> = None;
        for (m, &load) in counted() {
            let share = (total_load + sum_carry) * f64::from(m.available) / sum_available - m.carry;
            let deviation = load - share;
            max_excess = Some(max_excess.map_or(deviation, |x| x.max(deviation)));
            people.push(PersonFairnessDoc {
                person: m.id.clone(),
                available_weeks: m.available,
                carry: m.carry,
                load,
                share,
                deviation,
            });
        }
        Evaluation {
            violations,
            people,
            max_excess: max_excess.unwrap_or(0.0),
            total_load,
        }
    }

    fn member_position(&self, p: PersonIdx) -> Option<usize> {
        self.members.iter().position(|m| m.person == p)
    }

    fn person_id(&self, p: PersonIdx) -> String {
        self.roster_ids
            .get(p.0)
            .cloned()
            .unwrap_or_else(|| format!("person #{}", p.0))
    }

    fn role_name(&self, r: usize) -> String {
        self.roles
            .get(r)
            .map_or_else(|| format!("role #{r}"), |x| x.name.clone())
    }

    fn week_key(&self, w: usize) -> NaiveDate {
        self.weeks.get(w).map_or(NaiveDate::MIN, |x| x.key)
    }

    fn week_bounds_checked(&self, week: usize) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        self.weeks.get(week).map(|w| (w.start, w.end))
    }

    fn week_index(&self, date: NaiveDate) -> Option<usize> {
        self.weeks.iter().position(|w| w.key == date)
    }
}

/// The load weight of a local date for `team`: holiday of its region, then
/// weekend, then weekday (DESIGN.md §3).
fn day_weights<'a>(
    ws: &'a Workspace,
    team: &'a crate::model::Team,
) -> impl Fn(NaiveDate) -> f64 + Copy + 'a {
    let holidays = team
        .holidays
        .as_ref()
        .and_then(|region| ws.org.holidays.get(region));
    move |date: NaiveDate| {
        if holidays.is_some_and(|h| h.contains_key(&date)) {
            ws.org.load.holiday
        } else if matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
            ws.org.load.weekend
        } else {
            ws.org.load.weekday
        }
    }
}

/// Carry-over `C_p` (DESIGN.md §3) before history: the team's starting
/// `[carry]`. [`CheckContext::add_history`] adds the published history.
fn carry_over(_ws: &Workspace, starting: Option<f64>) -> f64 {
    starting.unwrap_or(0.0)
}

impl CheckContext {
    /// Adds the carry-over of the published history before `first_week` to
    /// every member, and returns the `(week, person id)` pairs of the history
    /// inside the rest window for the boundary rule.
    ///
    /// Load of a history segment is recomputed here from its own hours, the
    /// team's load weights and the role's weight. The history's shares split
    /// its total load among current members by their available weeks in the
    /// window (from its first week with history up to `first_week`).
    fn add_history(
        &mut self,
        ws: &Workspace,
        team: &crate::model::Team,
        first_week: NaiveDate,
        history: &[HeldShift],
    ) -> Vec<(NaiveDate, String)> {
        let window = first_week - Duration::days(7 * i64::from(team.fairness.history_weeks));
        let rest_from = first_week - Duration::days(7 * i64::from(team.rules.rest_weeks));
        let ids: Vec<String> = self.members.iter().map(|m| m.id.clone()).collect();
        let inside: Vec<&HeldShift> = history
            .iter()
            .filter(|s| s.week >= window && s.week < first_week && ids.contains(&s.person))
            .collect();
        let near = inside
            .iter()
            .filter(|s| s.week >= rest_from)
            .map(|s| (s.week, s.person.clone()))
            .collect();
        let Some(earliest) = inside.iter().map(|s| s.week).min() else {
            return near;
        };
        let tz = team.timezone;
        let weight_of_day = day_weights(ws, team);
        let mut load = vec![0.0; ids.len()];
        for s in &inside {
            let weight = team
                .roles
                .iter()
                .find(|r| r.name == s.role)
                .map_or(1.0, |r| r.weight);
            if let Some(i) = ids.iter().position(|id| *id == s.person) {
                load[i] += weight * weighted_days(tz, s.start, s.end, weight_of_day);
            }
        }
        let weeks = u32::try_from((first_week - earliest).num_days().div_euclid(7)).unwrap_or(0);
        let team_idx = ws
            .teams
            .iter()
            .position(|t| t.id == team.id)
            .map(TeamIdx)
            .unwrap_or(TeamIdx(usize::MAX));
        let Ok(past) = CheckContext::new(ws, team_idx, earliest, weeks) else {
            return near;
        };
        let sum_a: f64 = past.members.iter().map(|m| f64::from(m.available)).sum();
        let total: f64 = load.iter().sum();
        for (i, m) in self.members.iter_mut().enumerate() {
            let a = past
                .members
                .iter()
                .find(|x| x.person == m.person)
                .map_or(0.0, |x| f64::from(x.available));
            let share = if sum_a > 0.0 { total * a / sum_a } else { 0.0 };
            m.carry += load.get(i).copied().unwrap_or(0.0) - share;
        }
        near
    }
}

/// Checks a plan JSON against the workspace: its header, that every slot is
/// listed once, every hard rule, every recomputed instant, load and fairness
/// figure, and that the status and solver figures fit (DESIGN.md §2–§4).
///
/// The horizon is `plan.horizon` when present, otherwise the earliest week of
/// the shifts and unfilled entries and the number of distinct weeks among them.
pub fn check_plan(ws: &Workspace, team: TeamIdx, plan: &PlanDoc) -> CheckReport {
    check_plan_with_history(ws, team, plan, &[])
}

/// [`check_plan`] for a team with published history: `history` is the team's
/// resolved timeline (published versions and overrides), of which the
/// segments before the plan's first week count. They add carry-over (load held
/// within `history_weeks` minus the share of it, among current members) and
/// the rest rule across the boundary.
pub fn check_plan_with_history(
    ws: &Workspace,
    team: TeamIdx,
    plan: &PlanDoc,
    history: &[HeldShift],
) -> CheckReport {
    let mut v = Vec::new();
    let Some(team_facts) = ws.teams.get(team.0) else {
        v.push(Violation::Horizon(CheckError::UnknownTeam {
            index: team.0,
        }));
        return CheckReport { violations: v };
    };
    if plan.schema != 1 {
        v.push(Violation::Schema { found: plan.schema });
    }
    if plan.team != team_facts.id {
        v.push(Violation::WrongTeam {
            expected: team_facts.id.clone(),
            found: plan.team.clone(),
        });
    }
    if plan.timezone != team_facts.timezone.name() {
        v.push(Violation::WrongTimezone {
            expected: team_facts.timezone.name().to_string(),
            found: plan.timezone.clone(),
        });
    }
    if let Some(found) = plan
        .inputs_sha256
        .as_ref()
        .filter(|h| **h != ws.inputs_sha256)
    {
        v.push(Violation::DifferentInputs {
            expected: ws.inputs_sha256.clone(),
            found: found.clone(),
        });
    }

    let (first_week, weeks) = match &plan.horizon {
        Some(h) => (h.first_week, h.weeks),
        None => {
            let dates: BTreeSet<NaiveDate> = plan
                .shifts
                .iter()
                .map(|s| s.week)
                .chain(plan.unfilled.iter().map(|u| u.week))
                .collect();
            let Some(&first) = dates.first() else {
                v.push(Violation::EmptyPlan);
                return CheckReport { violations: v };
            };
            (first, u32::try_from(dates.len()).unwrap_or(u32::MAX))
        }
    };
    let mut ctx = match CheckContext::new(ws, team, first_week, weeks) {
        Ok(ctx) => ctx,
        Err(e) => {
            v.push(Violation::Horizon(e));
            return CheckReport { violations: v };
        }
    };
    let past = ctx.add_history(ws, team_facts, first_week, history);

    // Place every entry on its slot.
    let mut assignment: Vec<Vec<Option<PersonIdx>>> =
        vec![vec![None; ctx.roles.len()]; ctx.weeks()];
    let mut listed: Vec<Vec<usize>> = vec![vec![0; ctx.roles.len()]; ctx.weeks()];
    let mut locate = |week: NaiveDate, role: &str, v: &mut Vec<Violation>| {
        let Some(r) = ctx.roles.iter().position(|x| x.name == role) else {
            v.push(Violation::UnknownRole {
                week,
                role: role.to_string(),
            });
            return None;
        };
        let Some(w) = ctx.week_index(week) else {
            v.push(Violation::WeekOutsideHorizon {
                week,
                role: role.to_string(),
                first_week,
                weeks,
            });
            return None;
        };
        if let Some(count) = listed.get_mut(w).and_then(|row| row.get_mut(r)) {
            *count += 1;
        }
        Some((w, r))
    };
    for s in &plan.shifts {
        let Some((w, r)) = locate(s.week, &s.role, &mut v) else {
            continue;
        };
        let expected = ctx.week_bounds_checked(w);
        if let Some(expected) = expected.filter(|&(a, b)| a != s.start || b != s.end) {
            v.push(Violation::WrongTimes {
                week: s.week,
                role: s.role.clone(),
                expected,
                found: (s.start, s.end),
            });
        }
        let load = ctx.slot_load(w, r);
        if (load - s.load).abs() > TOLERANCE {
            v.push(Violation::WrongLoad {
                week: s.week,
                role: s.role.clone(),
                expected: load,
                found: s.load,
            });
        }
        match ws.person_by_id(&s.person) {
            None => v.push(Violation::UnknownPerson {
                week: s.week,
                role: s.role.clone(),
                person: s.person.clone(),
            }),
            Some(p) => {
                if let Some(slot) = assignment.get_mut(w).and_then(|row| row.get_mut(r)) {
                    *slot = Some(p);
                }
            }
        }
    }
    for u in &plan.unfilled {
        let _ = locate(u.week, &u.role, &mut v);
    }
    for (w, row) in listed.iter().enumerate() {
        for (r, &count) in row.iter().enumerate() {
            let (week, role) = (ctx.week_key(w), ctx.role_name(r));
            if count == 0 {
                v.push(Violation::MissingSlot { week, role });
            } else if count > 1 {
                v.push(Violation::DuplicateSlot { week, role, count });
            }
        }
    }

    // The rules, and the fairness figures.
    let ev = ctx.evaluate(&assignment);
    v.extend(ev.violations.iter().cloned());
    // Rest across the boundary with the published history.
    for (w, row) in assignment.iter().enumerate() {
        for p in row.iter().flatten() {
            let Some(id) = ws.people.get(p.0).map(|x| x.id.as_str()) else {
                continue;
            };
            for &(pw, ref who) in &past {
                let gap = (ctx.week_key(w) - pw).num_days() / 7;
                if who == id && gap >= 1 && gap <= i64::from(team_facts.rules.rest_weeks) {
                    v.push(Violation::Rest {
                        person: id.to_string(),
                        first: pw,
                        second: ctx.week_key(w),
                        rest_weeks: team_facts.rules.rest_weeks,
                    });
                }
            }
        }
    }
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    for found in &plan.fairness.people {
        if !seen.insert(found.person.as_str()) {
            v.push(Violation::DuplicateFairness {
                person: found.person.clone(),
            });
        }
        if !ev.people.iter().any(|e| e.person == found.person) {
            v.push(Violation::UnavailableListed {
                person: found.person.clone(),
            });
        }
    }
    for expected in &ev.people {
        let Some(found) = plan
            .fairness
            .people
            .iter()
            .find(|f| f.person == expected.person)
        else {
            v.push(Violation::MissingFairness {
                person: expected.person.clone(),
                available_weeks: expected.available_weeks,
            });
            continue;
        };
        let figures = [
            (
                FairnessField::AvailableWeeks,
                f64::from(expected.available_weeks),
                f64::from(found.available_weeks),
            ),
            (FairnessField::Carry, expected.carry, found.carry),
            (FairnessField::Load, expected.load, found.load),
            (FairnessField::Share, expected.share, found.share),
            (
                FairnessField::Deviation,
                expected.deviation,
                found.deviation,
            ),
        ];
        for (field, e, f) in figures {
            if (e - f).abs() > TOLERANCE {
                v.push(Violation::FairnessMismatch {
                    person: expected.person.clone(),
                    field,
                    expected: e,
                    found: f,
                });
            }
        }
    }
    if (plan.fairness.max_excess - ev.max_excess).abs() > TOLERANCE {
        v.push(Violation::MaxExcess {
            expected: ev.max_excess,
            found: plan.fairness.max_excess,
        });
    }

    // Status and solver figures.
    let (shifts, unfilled) = (plan.shifts.len(), plan.unfilled.len());
    let fits = match plan.status.as_str() {
        "optimal" | "feasible" => Some(unfilled == 0),
        "partial" => Some(unfilled > 0 && shifts > 0),
        "infeasible" => Some(shifts == 0),
        _ => None,
    };
    match fits {
        None => v.push(Violation::UnknownStatus {
            status: plan.status.clone(),
        }),
        Some(false) => v.push(Violation::StatusMismatch {
            status: plan.status.clone(),
            shifts,
            unfilled,
        }),
        Some(true) => {}
    }
    let (objective, bound) = (plan.solver.objective, plan.solver.bound);
    if (objective - ev.max_excess).abs() > TOLERANCE {
        v.push(Violation::ObjectiveMismatch {
            expected: ev.max_excess,
            found: objective,
        });
    }
    if bound > objective + TOLERANCE {
        v.push(Violation::BoundAboveObjective { bound, objective });
    } else if plan.status == "optimal" && (objective - bound).abs() > TOLERANCE {
        v.push(Violation::OptimalWithGap { bound, objective });
    }
    CheckReport { violations: v }
}

/// The instant a wall-clock time names in `tz` (DESIGN.md §2): the first
/// instant at which the zone's clock reads `local` or later. That is the
/// earlier occurrence of an ambiguous time, and the end of the gap for a time
/// a spring-forward skips. Found by walking UTC forward a minute at a time from
/// well before, then a second at a time (old offsets are not whole minutes).
fn wall_clock_instant(tz: Tz, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    let clock = |t: DateTime<Utc>| t.with_timezone(&tz).naive_local();
    // Every offset lies within ±15 hours of UTC.
    let earliest = local.checked_sub_signed(Duration::hours(16))?.and_utc();
    let earliest = DateTime::from_timestamp(earliest.timestamp().div_euclid(60) * 60, 0)?;
    let mut t = earliest;
    while clock(t) < local {
        t = t.checked_add_signed(Duration::minutes(1))?;
        if t - earliest > Duration::hours(48) {
            return None;
        }
    }
    let mut s = t.checked_sub_signed(Duration::minutes(1))?;
    while clock(s) < local && s < t {
        s += Duration::seconds(1);
    }
    Some(s)
}

/// Σ over the real elapsed time of `[start, end)` of the weight of each
/// minute's local day in `tz`, in days (÷ 24 hours). Steps end on whole UTC
/// minutes, where every local midnight of a modern zone falls.
fn weighted_days(
    tz: Tz,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    weight_of_day: impl Fn(NaiveDate) -> f64,
) -> f64 {
    // Whole seconds per local day, exactly, then weighed once per day.
    let mut seconds_by_day: BTreeMap<NaiveDate, i64> = BTreeMap::new();
    let mut t = start;
    while t < end {
        let Some(next_minute) =
            DateTime::from_timestamp((t.timestamp().div_euclid(60) + 1) * 60, 0)
        else {
            break;
        };
        let step_end = next_minute.min(end);
        let day = t.with_timezone(&tz).date_naive();
        *seconds_by_day.entry(day).or_insert(0) += (step_end - t).num_seconds();
        t = step_end;
    }
    seconds_by_day
        .into_iter()
        .map(|(day, seconds)| weight_of_day(day) * seconds as f64)
        .sum::<f64>()
        / 3600.0
        / 24.0
}

/// RFC 3339 in UTC with a `Z`, as plans write instants.
fn rfc3339(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A weekday's lowercase English name.
fn day_name(d: Weekday) -> &'static str {
    match d {
        Weekday::Mon => "monday",
        Weekday::Tue => "tuesday",
        Weekday::Wed => "wednesday",
        Weekday::Thu => "thursday",
        Weekday::Fri => "friday",
        Weekday::Sat => "saturday",
        Weekday::Sun => "sunday",
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use std::collections::BTreeMap;
    use std::path::PathBuf;

    use chrono::{NaiveTime, TimeZone};

    use super::*;
    use crate::model::document::{FairnessDoc, HorizonDoc, ShiftDoc, SolverDoc, UnfilledDoc};
    use crate::model::{
        FairnessPolicy, Handoff, LoadWeights, Org, Person, Pin, Role, RoleIdx, Rules, Team, TimeOff,
    };

    const LA: Tz = chrono_tz::America::Los_Angeles;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn origin(file: &str, line: usize) -> Origin {
        Origin {
            file: PathBuf::from(file),
            line,
        }
    }

    fn person(id: &str, joined: &str, skills: &[&str]) -> Person {
        Person {
            id: id.into(),
            name: id.into(),
            email: format!("{id}@example.com"),
            timezone: LA,
            region: None,
            joined: date(joined),
            left: None,
            skills: skills.iter().map(|s| s.to_string()).collect(),
            origin: origin("people.csv", 2),
        }
    }

    fn role(name: &str, weight: f64, tenure: i64, skills: &[&str]) -> Role {
        Role {
            name: name.into(),
            weight,
            min_tenure_days: tenure,
            skills: skills.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn time_off(person: usize, start: &str, end: &str, at: Origin) -> TimeOff {
        TimeOff {
            person: PersonIdx(person),
            start: date(start),
            end: date(end),
            reason: "vacation".into(),
            origin: at,
        }
    }

    /// A team `payments` in Los Angeles, Monday 10:00 handoffs, primary (1.0,
    /// 90 days) and secondary (0.5, 180 days, skill `payments`); members alice,
    /// bob (both with the skill), carol, dan and frank, who joins after the
    /// horizon of January 2027. alice carries 4.0 and frank 5.0. bob is off
    /// 2027-01-19..2027-01-22 and is pinned to secondary on 2027-01-11.
    fn workspace() -> Workspace {
        let people = vec![
            person("alice", "2020-01-01", &["payments"]),
            person("bob", "2020-01-01", &["payments"]),
            person("carol", "2020-01-01", &[]),
            person("dan", "2020-01-01", &[]),
            person("frank", "2027-03-01", &["payments"]),
            person("erin", "2020-01-01", &["payments"]),
        ];
        let mut holidays = BTreeMap::new();
        holidays.insert(
            "US".to_string(),
            [(date("2027-01-20"), "Test Day".to_string())]
                .into_iter()
                .collect(),
        );
        Workspace {
            root: PathBuf::new(),
            org: Org {
                timezone: LA,
                load: LoadWeights::default(),
                holidays,
                compensation: None,
            },
            people,
            time_off: vec![time_off(
                1,
                "2027-01-19",
                "2027-01-22",
                origin("time-off/bob.toml", 3),
            )],
            teams: vec![Team {
                id: "payments".into(),
                name: "Payments".into(),
                timezone: LA,
                holidays: None,
                members: (0..5).map(PersonIdx).collect(),
                handoff: Handoff {
                    weekday: Weekday::Mon,
                    time: NaiveTime::from_hms_opt(10, 0, 0).unwrap(),
                },
                escalation: vec![],
                roles: vec![
                    role("primary", 1.0, 90, &[]),
                    role("secondary", 0.5, 180, &["payments"]),
                ],
                rules: Rules {
                    rest_weeks: 1,
                    max_shifts: Some(2),
                },
                fairness: FairnessPolicy::default(),
                carry: [(PersonIdx(0), 4.0), (PersonIdx(4), 5.0)]
                    .into_iter()
                    .collect(),
                pins: vec![
                    Pin {
                        week: date("2027-01-11"),
                        role: RoleIdx(1),
                        person: PersonIdx(1),
                        origin: origin("teams/payments.toml", 30),
                    },
                    // Outside the horizon: ignored.
                    Pin {
                        week: date("2027-06-07"),
                        role: RoleIdx(0),
                        person: PersonIdx(3),
                        origin: origin("teams/payments.toml", 35),
                    },
                ],
                origin: origin("teams/payments.toml", 1),
            }],
            inputs_sha256: "abc123".into(),
        }
    }

    fn shift(week: &str, role: &str, person: &str, load: f64) -> ShiftDoc {
        let start = LA
            .from_local_datetime(&date(week).and_hms_opt(10, 0, 0).unwrap())
            .unwrap()
            .with_timezone(&Utc);
        ShiftDoc {
            week: date(week),
            role: role.into(),
            person: person.into(),
            start,
            end: start + Duration::days(7),
            load,
        }
    }

    fn fair(
        person: &str,
        available_weeks: u32,
        carry: f64,
        load: f64,
        share: f64,
    ) -> PersonFairnessDoc {
        PersonFairnessDoc {
            person: person.into(),
            available_weeks,
            carry,
            load,
            share,
            deviation: load - share,
        }
    }

    /// A correct plan, worked out by hand: three ordinary weeks (8.0 primary,
    /// 4.0 secondary), L = 36, everyone but frank available 3 weeks, carry 4
    /// for alice (frank's 5 waits), so shares are 40 × 3/12 − C = 10 − C.
    fn good_plan() -> PlanDoc {
        PlanDoc {
            schema: 1,
            team: "payments".into(),
            timezone: "America/Los_Angeles".into(),
            status: "feasible".into(),
            solver: SolverDoc {
                backend: "highs".into(),
                seconds: 0.1,
                objective: 6.0,
                bound: 1.0,
                gap: 0.8333,
                spread: 16.0,
                spread_bound: 0.0,
            },
            shifts: vec![
                shift("2027-01-04", "primary", "carol", 8.0),
                shift("2027-01-04", "secondary", "alice", 4.0),
                shift("2027-01-11", "primary", "dan", 8.0),
                shift("2027-01-11", "secondary", "bob", 4.0),
                shift("2027-01-18", "primary", "carol", 8.0),
                shift("2027-01-18", "secondary", "alice", 4.0),
            ],
            unfilled: vec![],
            fairness: FairnessDoc {
                max_excess: 6.0,
                people: vec![
                    fair("alice", 3, 4.0, 8.0, 6.0),
                    fair("bob", 3, 0.0, 4.0, 10.0),
                    fair("carol", 3, 0.0, 16.0, 10.0),
                    fair("dan", 3, 0.0, 8.0, 10.0),
                ],
            },
            horizon: Some(HorizonDoc {
                first_week: date("2027-01-04"),
                weeks: 3,
            }),
            inputs_sha256: Some("abc123".into()),
            explanation: None,
        }
    }

    fn check(ws: &Workspace, plan: &PlanDoc) -> Vec<Violation> {
        check_plan(ws, TeamIdx(0), plan).violations
    }

    /// The violations of the good plan after `tamper`.
    fn tampered(tamper: impl FnOnce(&mut PlanDoc)) -> Vec<Violation> {
        let mut plan = good_plan();
        tamper(&mut plan);
        check(&workspace(), &plan)
    }

    fn find(violations: &[Violation], wanted: impl Fn(&Violation) -> bool) -> &Violation {
        violations
            .iter()
            .find(|v| wanted(v))
            .unwrap_or_else(|| panic!("not among {violations:#?}"))
    }

    fn team_ctx(ws: &Workspace, first: &str, weeks: u32) -> CheckContext {
        CheckContext::new(ws, TeamIdx(0), date(first), weeks).unwrap()
    }

    fn hours(ctx: &CheckContext, week: usize) -> f64 {
        let (start, end) = ctx.week_bounds(week);
        (end - start).num_seconds() as f64 / 3600.0
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    // ---- instants and loads ----

    #[test]
    fn an_ordinary_week_is_168_hours_and_weighs_8() {
        let ctx = team_ctx(&workspace(), "2027-01-04", 1);
        assert_eq!(
            ctx.week_bounds(0),
            (utc("2027-01-04T18:00:00Z"), utc("2027-01-11T18:00:00Z"))
        );
        assert!(close(hours(&ctx, 0), 168.0));
        assert!(close(ctx.slot_load(0, 0), 8.0));
        assert!(close(ctx.slot_load(0, 1), 4.0));
        assert_eq!(ctx.slot_load(0, 2), 0.0);
        assert_eq!(ctx.slot_load(1, 0), 0.0);
    }

    #[test]
    fn the_us_spring_forward_week_is_167_hours() {
        let ctx = team_ctx(&workspace(), "2027-03-08", 1);
        assert_eq!(
            ctx.week_bounds(0),
            (utc("2027-03-08T18:00:00Z"), utc("2027-03-15T17:00:00Z"))
        );
        assert!(close(hours(&ctx, 0), 167.0));
        assert!(close(ctx.slot_load(0, 0), 5.0 + 1.5 + 1.5 * 23.0 / 24.0));
    }

    #[test]
    fn the_berlin_autumn_week_is_169_hours() {
        let mut ws = workspace();
        ws.teams[0].timezone = chrono_tz::Europe::Berlin;
        let ctx = team_ctx(&ws, "2027-10-25", 2);
        // 10:00 CEST is 08:00Z; a week later 10:00 CET is 09:00Z.
        assert_eq!(
            ctx.week_bounds(0),
            (utc("2027-10-25T08:00:00Z"), utc("2027-11-01T09:00:00Z"))
        );
        assert!(close(hours(&ctx, 0), 169.0));
        assert!(close(ctx.slot_load(0, 0), 5.0 + 1.5 + 1.5 * 25.0 / 24.0));
        assert!(close(hours(&ctx, 1), 168.0));
    }

    #[test]
    fn a_holiday_outranks_a_weekday_and_a_weekend() {
        let mut ws = workspace();
        ws.teams[0].holidays = Some("US".into());
        // Wednesday 2027-01-20 is a holiday: 4 weekdays, one holiday, a weekend.
        let ctx = team_ctx(&ws, "2027-01-18", 1);
        assert!(close(ctx.slot_load(0, 0), 4.0 + 2.0 + 3.0));
        assert!(close(ctx.slot_load(0, 1), 0.5 * 9.0));
        // A holiday on a Saturday weighs 2.0, not 1.5.
        ws.org
            .holidays
            .get_mut("US")
            .unwrap()
            .insert(date("2027-01-23"), "Saturday holiday".into());
        let ctx = team_ctx(&ws, "2027-01-18", 1);
        assert!(close(ctx.slot_load(0, 0), 4.0 + 2.0 + 2.0 + 1.5));
        // Without the team's region, holidays are ordinary days.
        ws.teams[0].holidays = None;
        let ctx = team_ctx(&ws, "2027-01-18", 1);
        assert!(close(ctx.slot_load(0, 0), 8.0));
    }

    #[test]
    fn custom_load_weights_are_used() {
        let mut ws = workspace();
        ws.org.load = LoadWeights {
            weekday: 2.0,
            weekend: 3.0,
            holiday: 5.0,
        };
        let ctx = team_ctx(&ws, "2027-01-04", 1);
        assert!(close(ctx.slot_load(0, 0), 5.0 * 2.0 + 2.0 * 3.0));
    }

    #[test]
    fn a_handoff_in_the_spring_gap_moves_to_the_end_of_the_gap() {
        let mut ws = workspace();
        ws.teams[0].handoff = Handoff {
            weekday: Weekday::Sun,
            time: NaiveTime::from_hms_opt(2, 30, 0).unwrap(),
        };
        let ctx = team_ctx(&ws, "2027-03-07", 2);
        // 02:30 on 2027-03-14 does not exist: 03:00 PDT, 10:00Z.
        assert_eq!(ctx.week_bounds(0).1, utc("2027-03-14T10:00:00Z"));
        assert_eq!(ctx.week_bounds(1).0, utc("2027-03-14T10:00:00Z"));
        assert_eq!(ctx.week_bounds(1).1, utc("2027-03-21T09:30:00Z"));
        assert!(close(hours(&ctx, 0), 167.5));
        assert!(close(hours(&ctx, 1), 167.5));
        assert_eq!(ctx.week_date(1), Some(date("2027-03-14")));
    }

    #[test]
    fn an_ambiguous_handoff_takes_the_first_occurrence() {
        let mut ws = workspace();
        ws.teams[0].handoff = Handoff {
            weekday: Weekday::Sun,
            time: NaiveTime::from_hms_opt(1, 30, 0).unwrap(),
        };
        let ctx = team_ctx(&ws, "2027-10-31", 2);
        // 01:30 on 2027-11-07 happens twice: 01:30 PDT is 08:30Z.
        assert_eq!(ctx.week_bounds(0).1, utc("2027-11-07T08:30:00Z"));
        assert!(close(hours(&ctx, 0), 168.0));
        assert!(close(hours(&ctx, 1), 169.0));
    }

    #[test]
    fn wall_clock_instants_follow_the_zone() {
        let at = |tz: Tz, s: &str| {
            wall_clock_instant(
                tz,
                NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap(),
            )
        };
        assert_eq!(
            at(LA, "2027-01-04 10:00:00"),
            Some(utc("2027-01-04T18:00:00Z"))
        );
        assert_eq!(
            at(LA, "2027-03-14 02:30:00"),
            Some(utc("2027-03-14T10:00:00Z"))
        );
        assert_eq!(
            at(LA, "2027-11-07 01:00:00"),
            Some(utc("2027-11-07T08:00:00Z"))
        );
        // Havana springs forward at midnight: 00:00 becomes 01:00 CDT.
        assert_eq!(
            at(chrono_tz::America::Havana, "2027-03-14 00:00:00"),
            Some(utc("2027-03-14T05:00:00Z"))
        );
        assert_eq!(
            at(chrono_tz::Asia::Tokyo, "2027-01-11 00:00:00"),
            Some(utc("2027-01-10T15:00:00Z"))
        );
        assert_eq!(
            at(chrono_tz::Pacific::Kiritimati, "2027-01-11 00:00:00"),
            Some(utc("2027-01-10T10:00:00Z"))
        );
    }

    #[test]
    fn the_first_week_must_be_a_handoff_day() {
        let ws = workspace();
        let err = CheckContext::new(&ws, TeamIdx(0), date("2027-01-05"), 3).unwrap_err();
        assert_eq!(
            err,
            CheckError::NotHandoffDay {
                date: date("2027-01-05"),
                found: Weekday::Tue,
                expected: Weekday::Mon
            }
        );
        assert_eq!(
            err.to_string(),
            "2027-01-05 is a tuesday, but the team hands off on mondays"
        );
        assert!(matches!(
            CheckContext::new(&ws, TeamIdx(7), date("2027-01-04"), 3),
            Err(CheckError::UnknownTeam { index: 7 })
        ));
        assert!(matches!(
            CheckContext::new(&ws, TeamIdx(0), NaiveDate::MAX - Duration::days(400), 3),
            Err(CheckError::NotHandoffDay { .. } | CheckError::OutOfRange { .. })
        ));
    }

    // ---- eligibility and availability ----

    #[test]
    fn eligibility_has_a_first_reason() {
        let mut ws = workspace();
        ws.people[3].left = Some(date("2027-01-15"));
        ws.people[2].joined = date("2026-10-10"); // 86 days on 2027-01-04
        let ctx = team_ctx(&ws, "2027-01-04", 3);
        let (alice, bob, carol, dan, frank, erin) = (
            PersonIdx(0),
            PersonIdx(1),
            PersonIdx(2),
            PersonIdx(3),
            PersonIdx(4),
            PersonIdx(5),
        );
        assert!(ctx.eligible(0, 0, alice) && ctx.eligible(0, 1, alice));
        assert_eq!(
            ctx.why_ineligible(0, 1, carol),
            Some(Ineligibility::Tenure {
                days: 86,
                needed: 180
            })
        );
        assert_eq!(
            ctx.why_ineligible(0, 0, carol),
            Some(Ineligibility::Tenure {
                days: 86,
                needed: 90
            })
        );
        assert!(ctx.eligible(1, 0, carol));
        assert_eq!(
            ctx.why_ineligible(1, 1, carol),
            Some(Ineligibility::Tenure {
                days: 93,
                needed: 180
            })
        );
        // dan leaves 2027-01-15: fine for the first week, not the second.
        assert!(ctx.eligible(0, 0, dan));
        assert_eq!(
            ctx.why_ineligible(1, 0, dan),
            Some(Ineligibility::Leaves {
                left: date("2027-01-15"),
                next_day: date("2027-01-18")
            })
        );
        assert_eq!(
            ctx.why_ineligible(0, 0, frank),
            Some(Ineligibility::NotJoined {
                joined: date("2027-03-01")
            })
        );
        assert_eq!(
            ctx.why_ineligible(0, 0, erin),
            Some(Ineligibility::NotMember)
        );
        assert!(!ctx.eligible(0, 0, PersonIdx(99)));
        // bob's time off 2027-01-19..22 touches only the third week.
        assert!(ctx.eligible(1, 1, bob));
        assert_eq!(
            ctx.why_ineligible(2, 1, bob),
            Some(Ineligibility::TimeOff {
                start: date("2027-01-19"),
                end: date("2027-01-22"),
                origin: origin("time-off/bob.toml", 3)
            })
        );
        // Outside the horizon or roles: nobody.
        assert!(!ctx.eligible(3, 0, alice));
        assert!(!ctx.eligible(0, 2, alice));
        // A missing skill.
        assert_eq!(
            ctx.why_ineligible(1, 1, dan),
            Some(Ineligibility::Leaves {
                left: date("2027-01-15"),
                next_day: date("2027-01-18")
            })
        );
        let ctx = team_ctx(&workspace(), "2027-01-04", 1);
        assert_eq!(
            ctx.why_ineligible(0, 1, dan),
            Some(Ineligibility::MissingSkill {
                skill: "payments".into()
            })
        );
    }

    #[test]
    fn time_off_is_blocked_in_the_persons_own_zone() {
        let mut ws = workspace();
        ws.people[0].timezone = chrono_tz::Asia::Tokyo;
        // alice (Tokyo) off 2027-01-11 is [2027-01-10T15:00Z, 2027-01-11T15:00Z):
        // it ends before the handoff at 18:00Z, so only the first week is blocked.
        ws.time_off
            .push(time_off(0, "2027-01-11", "2027-01-11", Origin::default()));
        // dan (Los Angeles) off 2027-01-11 is [08:00Z, next day 08:00Z): both weeks.
        ws.time_off
            .push(time_off(3, "2027-01-11", "2027-01-11", Origin::default()));
        // carol off 2027-01-12 in Tokyo: [2027-01-11T15:00Z, 2027-01-12T15:00Z),
        // which starts before the 18:00Z handoff, so both weeks are blocked.
        ws.people[2].timezone = chrono_tz::Asia::Tokyo;
        ws.time_off
            .push(time_off(2, "2027-01-12", "2027-01-12", Origin::default()));
        // bob off until 2027-01-03 in Los Angeles ends at 2027-01-04T08:00Z.
        ws.time_off
            .push(time_off(1, "2026-12-20", "2027-01-03", Origin::default()));
        let ctx = team_ctx(&ws, "2027-01-04", 2);
        let (alice, bob, carol, dan) = (PersonIdx(0), PersonIdx(1), PersonIdx(2), PersonIdx(3));
        assert!(!ctx.eligible(0, 0, alice) && ctx.eligible(1, 0, alice));
        assert!(!ctx.eligible(0, 0, dan) && !ctx.eligible(1, 0, dan));
        assert!(!ctx.eligible(0, 0, carol) && !ctx.eligible(1, 0, carol));
        assert!(ctx.eligible(0, 0, bob));
    }

    #[test]
    fn available_weeks_count_standing_not_time_off_when_owed() {
        let mut ws = workspace();
        ws.people[2].joined = date("2026-10-10"); // tenure for primary from week 2
        let ctx = team_ctx(&ws, "2027-01-04", 3);
        let a = |p| ctx.available_weeks(PersonIdx(p));
        assert_eq!((a(0), a(1), a(2), a(3), a(4), a(5)), (3, 3, 2, 3, 0, 0));
        ws.teams[0].fairness.absence = Absence::Excused;
        let ctx = team_ctx(&ws, "2027-01-04", 3);
        let a = |p| ctx.available_weeks(PersonIdx(p));
        assert_eq!((a(0), a(1), a(2), a(3), a(4), a(5)), (3, 2, 2, 3, 0, 0));
    }

    // ---- fairness ----

    fn good_assignment() -> Vec<Vec<Option<PersonIdx>>> {
        let p = |i| Some(PersonIdx(i));
        vec![vec![p(2), p(0)], vec![p(3), p(1)], vec![p(2), p(0)]]
    }

    fn figures(ev: &Evaluation, id: &str) -> (u32, f64, f64, f64, f64) {
        let f = ev.people.iter().find(|f| f.person == id).unwrap();
        (f.available_weeks, f.carry, f.load, f.share, f.deviation)
    }

    #[test]
    fn owed_shares_follow_available_weeks_and_carry() {
        let ctx = team_ctx(&workspace(), "2027-01-04", 3);
        let ev = ctx.evaluate(&good_assignment());
        assert!(ev.violations.is_empty(), "{:?}", ev.violations);
        assert!(close(ev.total_load, 36.0));
        // frank (a = 0) is left out, and so is his carry of 5.
        let ids: Vec<&str> = ev.people.iter().map(|f| f.person.as_str()).collect();
        assert_eq!(ids, ["alice", "bob", "carol", "dan"]);
        let (a, c, l, t, d) = figures(&ev, "alice");
        assert_eq!(a, 3);
        assert!(close(c, 4.0) && close(l, 8.0) && close(t, 6.0) && close(d, 2.0));
        let (_, c, l, t, d) = figures(&ev, "carol");
        assert!(close(c, 0.0) && close(l, 16.0) && close(t, 10.0) && close(d, 6.0));
        assert!(close(ev.max_excess, 6.0));
    }

    #[test]
    fn excused_time_off_lowers_the_share() {
        let mut ws = workspace();
        ws.teams[0].fairness.absence = Absence::Excused;
        let ctx = team_ctx(&ws, "2027-01-04", 3);
        let ev = ctx.evaluate(&good_assignment());
        // Σa = 3 + 2 + 3 + 3 = 11; (36 + 4) × a / 11 − C.
        let (a, _, _, t, d) = figures(&ev, "bob");
        assert_eq!(a, 2);
        assert!(close(t, 40.0 * 2.0 / 11.0) && close(d, 4.0 - 80.0 / 11.0));
        let (_, _, _, t, _) = figures(&ev, "alice");
        assert!(close(t, 120.0 / 11.0 - 4.0));
        let (_, _, _, t, d) = figures(&ev, "carol");
        assert!(close(t, 120.0 / 11.0) && close(d, 16.0 - 120.0 / 11.0));
        assert!(close(ev.max_excess, 16.0 - 120.0 / 11.0));
    }

    #[test]
    fn carry_shifts_the_shares() {
        let mut ws = workspace();
        ws.teams[0].carry.clear();
        let ev = team_ctx(&ws, "2027-01-04", 3).evaluate(&good_assignment());
        for id in ["alice", "bob", "carol", "dan"] {
            let (_, c, _, t, _) = figures(&ev, id);
            assert!(close(c, 0.0) && close(t, 9.0));
        }
        // Carry of someone available moves every share; alice's own falls by 12 × 3/4.
        ws.teams[0].carry.insert(PersonIdx(0), 12.0);
        let ev = team_ctx(&ws, "2027-01-04", 3).evaluate(&good_assignment());
        let (_, _, _, t, _) = figures(&ev, "alice");
        assert!(close(t, 12.0 - 12.0));
        let (_, _, _, t, _) = figures(&ev, "bob");
        assert!(close(t, 12.0));
        // The shares add up to L, so the deviations add up to 0.
        let sum: f64 = ev.people.iter().map(|f| f.share).sum();
        assert!(close(sum, ev.total_load));
        let sum: f64 = ev.people.iter().map(|f| f.deviation).sum();
        assert!(close(sum, 0.0));
    }

    #[test]
    fn nobody_available_means_no_excess() {
        let mut ws = workspace();
        for p in &mut ws.people {
            p.joined = date("2027-06-01");
        }
        let ctx = team_ctx(&ws, "2027-01-04", 2);
        let ev = ctx.evaluate(&[vec![None, None], vec![None, None]]);
        assert!(ev.people.is_empty());
        assert_eq!(ev.max_excess, 0.0);
        assert_eq!(ev.total_load, 0.0);
    }

    #[test]
    fn evaluate_reports_slots_outside_the_horizon() {
        let ctx = team_ctx(&workspace(), "2027-01-04", 1);
        let p = Some(PersonIdx(2));
        let ev = ctx.evaluate(&[vec![p, None, Some(PersonIdx(0))], vec![p]]);
        assert!(ev
            .violations
            .contains(&Violation::SlotOutOfRange { week: 0, role: 2 }));
        assert!(ev
            .violations
            .contains(&Violation::SlotOutOfRange { week: 1, role: 0 }));
        assert!(close(ev.total_load, 8.0));
    }

    // ---- plans ----

    #[test]
    fn a_correct_plan_has_no_violations() {
        let report = check_plan(&workspace(), TeamIdx(0), &good_plan());
        assert!(report.is_ok(), "{:#?}", report.violations);
    }

    #[test]
    fn a_plan_without_horizon_takes_its_weeks_from_the_entries() {
        let mut plan = good_plan();
        plan.horizon = None;
        plan.inputs_sha256 = None;
        assert_eq!(check(&workspace(), &plan), vec![]);
    }

    #[test]
    fn a_partial_plan_lists_its_empty_slot() {
        // The pinned slot left empty is unfilled, not a broken pin.
        let mut plan = good_plan();
        plan.shifts.remove(3);
        plan.unfilled.push(UnfilledDoc {
            week: date("2027-01-11"),
            role: "secondary".into(),
            reason: "nobody".into(),
        });
        plan.status = "partial".into();
        plan.fairness.people[1] = fair("bob", 3, 0.0, 0.0, 9.0);
        for (f, share) in plan.fairness.people.iter_mut().zip([5.0, 9.0, 9.0, 9.0]) {
            f.share = share;
            f.deviation = f.load - share;
        }
        plan.fairness.max_excess = 7.0;
        plan.solver.objective = 7.0;
        assert_eq!(check(&workspace(), &plan), vec![]);
    }

    #[test]
    fn schema() {
        let v = tampered(|p| p.schema = 2);
        assert_eq!(v, vec![Violation::Schema { found: 2 }]);
    }

    #[test]
    fn wrong_team() {
        let v = tampered(|p| p.team = "search".into());
        assert_eq!(
            v,
            vec![Violation::WrongTeam {
                expected: "payments".into(),
                found: "search".into()
            }]
        );
    }

    #[test]
    fn wrong_timezone() {
        let v = tampered(|p| p.timezone = "Europe/Berlin".into());
        assert!(
            matches!(v.as_slice(), [Violation::WrongTimezone { found, .. }] if found == "Europe/Berlin")
        );
    }

    #[test]
    fn different_inputs() {
        let v = tampered(|p| p.inputs_sha256 = Some("def456".into()));
        assert_eq!(
            v,
            vec![Violation::DifferentInputs {
                expected: "abc123".into(),
                found: "def456".into()
            }]
        );
    }

    #[test]
    fn horizon_not_on_the_handoff_day() {
        let v = tampered(|p| {
            if let Some(h) = &mut p.horizon {
                h.first_week = date("2027-01-05");
            }
        });
        assert!(matches!(
            v.as_slice(),
            [Violation::Horizon(CheckError::NotHandoffDay { .. })]
        ));
    }

    #[test]
    fn empty_plan() {
        let v = tampered(|p| {
            p.horizon = None;
            p.shifts.clear();
        });
        assert!(v.contains(&Violation::EmptyPlan));
    }

    #[test]
    fn week_outside_horizon() {
        let v = tampered(|p| p.shifts[5].week = date("2027-01-25"));
        find(&v, |x| {
            matches!(x, Violation::WeekOutsideHorizon { week, role, .. }
                if *week == date("2027-01-25") && role == "secondary")
        });
        // A date that is not a handoff at all is outside the horizon too.
        let v = tampered(|p| p.shifts[5].week = date("2027-01-19"));
        find(&v, |x| matches!(x, Violation::WeekOutsideHorizon { .. }));
        find(&v, |x| matches!(x, Violation::MissingSlot { .. }));
    }

    #[test]
    fn unknown_role() {
        let v = tampered(|p| p.shifts[0].role = "tertiary".into());
        find(
            &v,
            |x| matches!(x, Violation::UnknownRole { role, .. } if role == "tertiary"),
        );
    }

    #[test]
    fn unknown_person() {
        let v = tampered(|p| p.shifts[0].person = "zed".into());
        find(
            &v,
            |x| matches!(x, Violation::UnknownPerson { person, .. } if person == "zed"),
        );
    }

    #[test]
    fn missing_slot() {
        let v = tampered(|p| {
            p.shifts.remove(0);
        });
        find(&v, |x| {
            *x == Violation::MissingSlot {
                week: date("2027-01-04"),
                role: "primary".into(),
            }
        });
    }

    #[test]
    fn duplicate_slot() {
        let v = tampered(|p| {
            p.unfilled.push(UnfilledDoc {
                week: date("2027-01-04"),
                role: "primary".into(),
                reason: "also".into(),
            });
        });
        find(&v, |x| {
            *x == Violation::DuplicateSlot {
                week: date("2027-01-04"),
                role: "primary".into(),
                count: 2,
            }
        });
    }

    #[test]
    fn wrong_times() {
        let v = tampered(|p| p.shifts[2].end += Duration::hours(1));
        let x = find(&v, |x| matches!(x, Violation::WrongTimes { .. }));
        assert_eq!(
            x.to_string(),
            "week 2027-01-11 primary: runs 2027-01-11T18:00:00Z..2027-01-18T19:00:00Z \
             but the handoffs are 2027-01-11T18:00:00Z..2027-01-18T18:00:00Z"
        );
    }

    #[test]
    fn wrong_load() {
        let v = tampered(|p| p.shifts[2].load = 9.0);
        assert_eq!(
            v,
            vec![Violation::WrongLoad {
                week: date("2027-01-11"),
                role: "primary".into(),
                expected: 8.0,
                found: 9.0
            }]
        );
        // Rounding to 4 decimals is within tolerance.
        assert_eq!(tampered(|p| p.shifts[2].load = 8.00004), vec![]);
    }

    #[test]
    fn ineligible() {
        // bob is off 2027-01-19..22; give him the third week's secondary.
        let v = tampered(|p| p.shifts[5].person = "bob".into());
        let x = find(&v, |x| {
            matches!(x, Violation::Ineligible { person, reason: Ineligibility::TimeOff { .. }, .. }
                if person == "bob")
        });
        assert_eq!(
            x.to_string(),
            "week 2027-01-18 secondary: bob is off 2027-01-19..2027-01-22 (time-off/bob.toml:3)"
        );
        // erin is in the roster but not in the team.
        let v = tampered(|p| p.shifts[2].person = "erin".into());
        find(&v, |x| {
            matches!(
                x,
                Violation::Ineligible {
                    reason: Ineligibility::NotMember,
                    ..
                }
            )
        });
        // carol lacks the skill.
        let v = tampered(|p| p.shifts[1].person = "dan".into());
        find(&v, |x| {
            matches!(
                x,
                Violation::Ineligible {
                    reason: Ineligibility::MissingSkill { .. },
                    ..
                }
            )
        });
    }

    #[test]
    fn two_roles() {
        let v = tampered(|p| p.shifts[0].person = "alice".into());
        find(&v, |x| {
            *x == Violation::TwoRoles {
                week: date("2027-01-04"),
                person: "alice".into(),
                first_role: "primary".into(),
                second_role: "secondary".into(),
            }
        });
    }

    #[test]
    fn rest() {
        let v = tampered(|p| p.shifts[2].person = "carol".into());
        find(&v, |x| {
            *x == Violation::Rest {
                person: "carol".into(),
                first: date("2027-01-04"),
                second: date("2027-01-11"),
                rest_weeks: 1,
            }
        });
        // With rest_weeks = 0 back-to-back weeks are fine.
        let mut ws = workspace();
        ws.teams[0].rules.rest_weeks = 0;
        ws.teams[0].rules.max_shifts = None;
        let mut plan = good_plan();
        plan.shifts[2].person = "carol".into();
        let v = check(&ws, &plan);
        assert!(
            !v.iter().any(|x| matches!(x, Violation::Rest { .. })),
            "{v:?}"
        );
        // rest_weeks = 2 forbids weeks 0 and 2.
        ws.teams[0].rules.rest_weeks = 2;
        let v = check(&ws, &good_plan());
        find(
            &v,
            |x| matches!(x, Violation::Rest { person, rest_weeks: 2, .. } if person == "carol"),
        );
    }

    #[test]
    fn max_shifts() {
        let mut ws = workspace();
        ws.teams[0].rules.max_shifts = Some(1);
        let v = check(&ws, &good_plan());
        find(&v, |x| {
            *x == Violation::MaxShifts {
                person: "carol".into(),
                count: 2,
                max: 1,
            }
        });
    }

    #[test]
    fn pin_broken() {
        let v = tampered(|p| p.shifts[3].person = "erin".into());
        let x = find(&v, |x| matches!(x, Violation::PinBroken { .. }));
        assert_eq!(
            x.to_string(),
            "week 2027-01-11 secondary: pinned to bob (teams/payments.toml:30) but given to erin"
        );
    }

    #[test]
    fn fairness_mismatch() {
        let v = tampered(|p| p.fairness.people[2].share = 9.0);
        assert_eq!(
            v,
            vec![Violation::FairnessMismatch {
                person: "carol".into(),
                field: FairnessField::Share,
                expected: 10.0,
                found: 9.0
            }]
        );
        assert_eq!(
            v[0].to_string(),
            "fairness of carol: share is 9 but should be 10.0000"
        );
        let v = tampered(|p| p.fairness.people[0].available_weeks = 2);
        find(&v, |x| {
            matches!(
                x,
                Violation::FairnessMismatch {
                    field: FairnessField::AvailableWeeks,
                    ..
                }
            )
        });
        let v = tampered(|p| p.fairness.people[0].carry = 0.0);
        find(&v, |x| {
            matches!(
                x,
                Violation::FairnessMismatch {
                    field: FairnessField::Carry,
                    ..
                }
            )
        });
    }

    #[test]
    fn missing_fairness() {
        let v = tampered(|p| {
            p.fairness.people.pop();
        });
        assert_eq!(
            v,
            vec![Violation::MissingFairness {
                person: "dan".into(),
                available_weeks: 3
            }]
        );
    }

    #[test]
    fn unavailable_listed() {
        let v = tampered(|p| p.fairness.people.push(fair("frank", 0, 5.0, 0.0, 0.0)));
        assert_eq!(
            v,
            vec![Violation::UnavailableListed {
                person: "frank".into()
            }]
        );
    }

    #[test]
    fn duplicate_fairness() {
        let v = tampered(|p| {
            let alice = p.fairness.people[0].clone();
            p.fairness.people.push(alice);
        });
        assert_eq!(
            v,
            vec![Violation::DuplicateFairness {
                person: "alice".into()
            }]
        );
    }

    #[test]
    fn max_excess() {
        let v = tampered(|p| p.fairness.max_excess = 5.0);
        assert_eq!(
            v,
            vec![Violation::MaxExcess {
                expected: 6.0,
                found: 5.0
            }]
        );
    }

    #[test]
    fn unknown_status() {
        let v = tampered(|p| p.status = "done".into());
        assert_eq!(
            v,
            vec![Violation::UnknownStatus {
                status: "done".into()
            }]
        );
    }

    #[test]
    fn status_mismatch() {
        // feasible with an unfilled slot.
        let v = tampered(|p| {
            p.shifts.remove(0);
            p.unfilled.push(UnfilledDoc {
                week: date("2027-01-04"),
                role: "primary".into(),
                reason: "nobody".into(),
            });
        });
        find(
            &v,
            |x| matches!(x, Violation::StatusMismatch { status, shifts: 5, unfilled: 1 } if status == "feasible"),
        );
        // partial with nothing unfilled; infeasible with shifts.
        for status in ["partial", "infeasible"] {
            let v = tampered(|p| p.status = status.into());
            assert!(
                matches!(v.as_slice(), [Violation::StatusMismatch { .. }]),
                "{v:?}"
            );
        }
    }

    #[test]
    fn objective_mismatch() {
        let v = tampered(|p| p.solver.objective = 5.0);
        assert_eq!(
            v,
            vec![Violation::ObjectiveMismatch {
                expected: 6.0,
                found: 5.0
            }]
        );
    }

    #[test]
    fn bound_above_objective() {
        let v = tampered(|p| p.solver.bound = 7.0);
        assert_eq!(
            v,
            vec![Violation::BoundAboveObjective {
                bound: 7.0,
                objective: 6.0
            }]
        );
    }

    #[test]
    fn optimal_with_gap() {
        let v = tampered(|p| p.status = "optimal".into());
        assert_eq!(
            v,
            vec![Violation::OptimalWithGap {
                bound: 1.0,
                objective: 6.0
            }]
        );
        let v = tampered(|p| {
            p.status = "optimal".into();
            p.solver.bound = 6.00003;
        });
        assert_eq!(v, vec![]);
    }

    #[test]
    fn unknown_team_index() {
        let v = check_plan(&workspace(), TeamIdx(3), &good_plan()).violations;
        assert_eq!(
            v,
            vec![Violation::Horizon(CheckError::UnknownTeam { index: 3 })]
        );
    }

    #[test]
    fn messages_are_single_lowercase_lines() {
        let mut all = Vec::new();
        for tamper in [
            (|p: &mut PlanDoc| p.schema = 3) as fn(&mut PlanDoc),
            |p| p.team = "x".into(),
            |p| p.timezone = "UTC".into(),
            |p| p.inputs_sha256 = Some("0".into()),
            |p| p.shifts[0].person = "alice".into(),
            |p| p.shifts[2].person = "carol".into(),
            |p| p.shifts[5].person = "bob".into(),
            |p| p.shifts[3].person = "zed".into(),
            |p| p.shifts[3].role = "zed".into(),
            |p| p.shifts[3].week = date("2027-03-01"),
            |p| p.shifts[4].start = p.shifts[4].end,
            |p| p.fairness.people.push(fair("zed", 1, 0.0, 0.0, 0.0)),
            |p| p.status = "partial".into(),
            |p| p.status = "??".into(),
            |p| p.solver.bound = 99.0,
            |p| {
                p.horizon = None;
                p.shifts.clear();
            },
        ] {
            all.extend(tampered(tamper));
        }
        all.push(Violation::Ineligible {
            week: date("2027-02-08"),
            role: "primary".into(),
            person: "bob".into(),
            reason: Ineligibility::TimeOff {
                start: date("2027-02-06"),
                end: date("2027-02-12"),
                origin: origin("time-off/bob.toml", 3),
            },
        });
        all.push(Violation::SlotOutOfRange { week: 1, role: 2 });
        assert!(all.len() > 20);
        for v in &all {
            let line = v.to_string();
            assert!(!line.contains('\n'), "{line}");
            let first = line.chars().next().unwrap();
            assert!(!first.is_uppercase(), "{line}");
        }
        assert_eq!(
            all.iter().rev().nth(1).unwrap().to_string(),
            "week 2027-02-08 primary: bob is off 2027-02-06..2027-02-12 (time-off/bob.toml:3)"
        );
    }

    #[test]
    fn evaluate_is_fast_after_setup() {
        let ctx = team_ctx(&workspace(), "2027-01-04", 3);
        let assignment = good_assignment();
        let started = std::time::Instant::now();
        for _ in 0..1000 {
            std::hint::black_box(ctx.evaluate(std::hint::black_box(&assignment)));
        }
        // Generous: a millisecond each even in an unoptimised test build.
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
    }
}
