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
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum Violation {
    /// The JSON schema is not 1.
    #[error("plan schema {found} is not supported (expected 1)")]
    Schema {
        /// The plan's schema.
        found: u32,
    },
    /// The plan names another team.
    #[error("the plan is for team `{found}`, not `{expected}`")]
    WrongTeam {
        /// The team checked against.
        expected: String,
        /// What the plan says.
        found: String,
    },
    /// The plan names another time zone than the team's.
    #[error("the plan's time zone {found} is not the team's {expected}")]
    WrongTimezone {
        /// The team's zone.
        expected: String,
        /// What the plan says.
        found: String,
    },
    /// The plan was made from other inputs than this workspace.
    #[error(
        "the plan was made from different inputs (sha256 {found}, the workspace's is {expected})"
    )]
    DifferentInputs {
        /// The workspace's `inputs_sha256`.
        expected: String,
        /// The plan's `inputs_sha256`.
        found: String,
    },
    /// The weeks of the plan cannot be laid out.
    #[error("cannot lay out the plan's weeks: {0}")]
    Horizon(CheckError),
    /// No horizon and no entries: the plan covers no week.
    #[error("the plan has no horizon, no shifts and no unfilled slots, so it covers no week")]
    EmptyPlan,
    /// A shift or unfilled entry names a week that is not in the horizon.
    #[error("week {week} {role}: not a week of the horizon ({weeks} weeks from {first_week})")]
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
    #[error("week {week} {role}: the team has no role `{role}`")]
    UnknownRole {
        /// The entry's week.
        week: NaiveDate,
        /// The unknown role.
        role: String,
    },
    /// A shift names a person who is not in the roster.
    #[error("week {week} {role}: nobody in the roster has id `{person}`")]
    UnknownPerson {
        /// The shift's week.
        week: NaiveDate,
        /// The shift's role.
        role: String,
        /// The unknown person id.
        person: String,
    },
    /// A slot is neither a shift nor an unfilled entry.
    #[error("week {week} {role}: neither a shift nor listed as unfilled")]
    MissingSlot {
        /// Week.
        week: NaiveDate,
        /// Role.
        role: String,
    },
    /// A slot is listed more than once (as shifts and/or unfilled entries).
    #[error("week {week} {role}: listed {count} times, expected once")]
    DuplicateSlot {
        /// Week.
        week: NaiveDate,
        /// Role.
        role: String,
        /// How many times.
        count: usize,
    },
    /// A shift's start or end is not the handoff instant.
    #[error("week {week} {role}: runs {} but the handoffs are {}", span(.found), span(.expected))]
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
    #[error("week {week} {role}: load is {found} but should be {expected:.4}")]
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
    #[error("week {week} {role}: {person} {reason}")]
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
    #[error("week {week}: {person} holds two roles, {first_role} and {second_role}")]
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
    #[error("week {week} {role}: {person} is on call for {team} ({their_role}) from {} to {}; no one is on call in two teams at once", at(.start), at(.end))]
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
    #[error("{person} is on call in weeks {first} and {second}, closer than rest_weeks = {rest_weeks} allows")]
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
    #[error("{person} has {count} shifts, more than max_shifts = {max}")]
    MaxShifts {
        /// Who.
        person: String,
        /// Shifts held.
        count: usize,
        /// The rule.
        max: u32,
    },
    /// A person holds more weeks within 365 days than a yearly cap allows,
    /// published history and the plan together.
    #[error("{person} holds {count} weeks{} from {from} to {to}, within 365 days, more than {rule} = {cap} allows", of_role(.role))]
    YearCap {
        /// Who.
        person: String,
        /// The role counted, `None` for all roles together.
        role: Option<String>,
        /// Weeks held in the window.
        count: u32,
        /// The first of them.
        from: NaiveDate,
        /// The last of them, a week of the plan.
        to: NaiveDate,
        /// `max_weeks_per_year` or `max_weeks_per_year_all`.
        rule: String,
        /// The cap.
        cap: u32,
    },
    /// A pinned slot is given to someone else.
    #[error("week {week} {role}: pinned to {pinned} ({origin}) but given to {holder}")]
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
    #[error("fairness of {person}: {field} is {found} but should be {expected:.4}")]
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
    #[error(
        "fairness of {person} is missing, though they are available {available_weeks} week(s)"
    )]
    MissingFairness {
        /// Who.
        person: String,
        /// Their recomputed available weeks.
        available_weeks: u32,
    },
    /// A fairness entry for someone who is not available in any week (or unknown).
    #[error("fairness lists {person}, who is not available in any week of the plan")]
    UnavailableListed {
        /// Who.
        person: String,
    },
    /// A person has more than one fairness entry.
    #[error("fairness lists {person} more than once")]
    DuplicateFairness {
        /// Who.
        person: String,
    },
    /// `fairness.max_excess` disagrees with the recomputation.
    #[error("fairness max_excess is {found} but should be {expected:.4}")]
    MaxExcess {
        /// Recomputed.
        expected: f64,
        /// In the plan.
        found: f64,
    },
    /// A status that schema 1 does not know.
    #[error("status `{status}` is not one of optimal, feasible, partial or infeasible")]
    UnknownStatus {
        /// The plan's status.
        status: String,
    },
    /// The status does not fit the shifts and unfilled slots.
    #[error("status {status} with {shifts} shift(s) and {unfilled} unfilled slot(s), {}", status_rule(.status))]
    StatusMismatch {
        /// The plan's status.
        status: String,
        /// Number of shifts.
        shifts: usize,
        /// Number of unfilled entries.
        unfilled: usize,
    },
    /// `solver.objective` is not the recomputed largest excess.
    #[error("solver objective {found} is not the largest excess {expected:.4}")]
    ObjectiveMismatch {
        /// Recomputed largest excess.
        expected: f64,
        /// The plan's objective.
        found: f64,
    },
    /// `solver.bound` is above `solver.objective`.
    #[error("solver bound {bound} is above the objective {objective}")]
    BoundAboveObjective {
        /// The plan's bound.
        bound: f64,
        /// The plan's objective.
        objective: f64,
    },
    /// `optimal`, but the bound is not the objective.
    #[error("status optimal but the solver bound {bound} is not the objective {objective}")]
    OptimalWithGap {
        /// The plan's bound.
        bound: f64,
        /// The plan's objective.
        objective: f64,
    },
    /// An assignment names a slot outside the horizon's weeks or the team's
    /// roles (only from [`CheckContext::evaluate`](super::CheckContext::evaluate)).
    #[error("assignment slot [{week}][{role}] is outside the horizon's weeks or the team's roles")]
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

/// A shift's span, as `start..end`.
fn span(span: &(DateTime<Utc>, DateTime<Utc>)) -> String {
    format!("{}..{}", rfc3339(span.0), rfc3339(span.1))
}

/// ` of primary` for a per-role cap, nothing for all roles.
fn of_role(role: &Option<String>) -> String {
    role.as_ref()
        .map(|r| format!(" of {r}"))
        .unwrap_or_default()
}

fn at(t: &DateTime<Utc>) -> String {
    rfc3339(*t)
}

/// What a status needs of the plan's slots.
fn status_rule(status: &str) -> &'static str {
    match status {
        "optimal" | "feasible" => "which needs every slot filled",
        "partial" => "which needs at least one shift and one unfilled slot",
        _ => "which means no shift at all",
    }
}
