//! What the checker reports: the ways a plan can break a rule or disagree with
//! the inputs, each with a one-line lowercase message.

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc, Weekday};

use super::time::{day_name, rfc3339};
use crate::model::Origin;

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
    #[error(
        "{weeks} weeks from {first_week} run past the supported time range {}",
        crate::model::bounds::RANGE_TEXT
    )]
    OutOfRange {
        /// The first week asked for.
        first_week: NaiveDate,
        /// The number of weeks.
        weeks: u32,
    },
}

/// Why a person may not take a slot, first reason first (docs/design.md §2).
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

/// A fairness figure of one person (docs/design.md §3).
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
    /// A shift overlaps a time its person is on call for another team.
    OnCallElsewhere {
        /// Who.
        person: String,
        /// The shift's week.
        week: NaiveDate,
        /// The shift's role.
        role: String,
        /// The other team.
        team: String,
        /// The role held there.
        their_role: String,
        /// Start of the time held there.
        start: DateTime<Utc>,
        /// Its end.
        end: DateTime<Utc>,
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
    /// roles (only from [`CheckContext::evaluate`](super::CheckContext::evaluate)).
    SlotOutOfRange {
        /// Week index.
        week: usize,
        /// Role index.
        role: usize,
    },
}

impl Violation {
    /// Whether the violation is in the plan's structure rather than its
    /// rules: the wrong team or zone, weeks that cannot be laid out, entries
    /// outside the horizon, unknown people or roles, slots missing or listed
    /// twice, shifts that do not run from handoff to handoff. Such a plan
    /// cannot be published even with `--force`, which skips only the rules
    /// (eligibility, rest, `max_shifts`, one role per week, pins, loads and
    /// fairness figures, status and solver figures, stale inputs).
    pub fn is_structural(&self) -> bool {
        matches!(
            self,
            Violation::Schema { .. }
                | Violation::WrongTeam { .. }
                | Violation::WrongTimezone { .. }
                | Violation::Horizon(_)
                | Violation::EmptyPlan
                | Violation::WeekOutsideHorizon { .. }
                | Violation::UnknownRole { .. }
                | Violation::UnknownPerson { .. }
                | Violation::MissingSlot { .. }
                | Violation::DuplicateSlot { .. }
                | Violation::WrongTimes { .. }
                | Violation::SlotOutOfRange { .. }
        )
    }
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
            Violation::OnCallElsewhere {
                person,
                week,
                role,
                team,
                their_role,
                start,
                end,
            } => write!(
                f,
                "week {week} {role}: {person} is on call for {team} ({their_role}) from {} to {}; \
                 no one is on call in two teams at once",
                rfc3339(*start),
                rfc3339(*end)
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
