//! Who may take which slot (docs/design.md §2), with the reason when not.

use std::fmt;

use chrono::NaiveDate;

use crate::model::time::start_of_day;
use crate::model::{PersonIdx, Role, Team, Workspace};
use crate::plan::horizon::Week;

/// Why a person may not take a slot.
#[derive(Clone, Debug, PartialEq)]
pub enum Ineligible {
    /// Not on the team.
    NotMember,
    /// Joins after the week's first day.
    NotYetJoined {
        /// First day employed.
        joined: NaiveDate,
    },
    /// Leaves before the week ends.
    Leaves {
        /// First day no longer employed.
        left: NaiveDate,
    },
    /// Too little tenure on the week's first day.
    Tenure {
        /// Days of tenure on the week's first day.
        days: i64,
        /// Days the role needs.
        needed: i64,
    },
    /// Lacks a skill the role requires.
    Skill {
        /// The missing skill.
        skill: String,
    },
    /// Time off overlaps the week.
    TimeOff {
        /// Index into [`Workspace::time_off`].
        entry: usize,
    },
}

impl Ineligible {
    /// Whether this reason is time off (which `available weeks` ignores).
    pub fn is_time_off(&self) -> bool {
        matches!(self, Ineligible::TimeOff { .. })
    }
}

/// A reason in words, with the workspace to name time-off entries.
#[derive(Debug)]
pub struct ReasonText<'a> {
    ws: &'a Workspace,
    reason: &'a Ineligible,
}

impl<'a> ReasonText<'a> {
    /// Pairs a reason with its workspace for display.
    pub fn new(ws: &'a Workspace, reason: &'a Ineligible) -> Self {
        ReasonText { ws, reason }
    }
}

impl fmt::Display for ReasonText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.reason {
            Ineligible::NotMember => write!(f, "is not a member"),
            Ineligible::NotYetJoined { joined } => write!(f, "joins {joined}"),
            Ineligible::Leaves { left } => write!(f, "leaves {left}"),
            Ineligible::Tenure { days, needed } => {
                write!(f, "has {days} of {needed} days' tenure")
            }
            Ineligible::Skill { skill } => write!(f, "lacks skill `{skill}`"),
            Ineligible::TimeOff { entry } => match self.ws.time_off.get(*entry) {
                Some(t) => write!(f, "is off {}..{}", t.start, t.end),
                None => write!(f, "is off"),
            },
        }
    }
}

/// Every reason `person` may not take `role` in `week`; empty when eligible.
pub fn reasons(
    ws: &Workspace,
    team: &Team,
    person: PersonIdx,
    role: &Role,
    week: &Week,
) -> Vec<Ineligible> {
    let mut out = Vec::new();
    if !team.has_member(person) {
        out.push(Ineligible::NotMember);
    }
    out.extend(standing(ws, person, role, week));
    out.extend(time_off(ws, person, week));
    out
}

/// Employment, tenure and skills: the reasons that do not involve time off.
pub fn standing(ws: &Workspace, person: PersonIdx, role: &Role, week: &Week) -> Vec<Ineligible> {
    let mut out = Vec::new();
    let p = ws.person(person);
    if p.joined > week.first_day {
        out.push(Ineligible::NotYetJoined { joined: p.joined });
    }
    if let Some(left) = p.left {
        if left < week.next_day {
            out.push(Ineligible::Leaves { left });
        }
    }
    let days = (week.first_day - p.joined).num_days();
    if p.joined <= week.first_day && days < role.min_tenure_days {
        out.push(Ineligible::Tenure {
            days,
            needed: role.min_tenure_days,
        });
    }
    for skill in &role.skills {
        if !p.skills.contains(skill) {
            out.push(Ineligible::Skill {
                skill: skill.clone(),
            });
        }
    }
    out
}

/// Time-off entries of `person` that overlap `week`.
pub fn time_off(ws: &Workspace, person: PersonIdx, week: &Week) -> Vec<Ineligible> {
    let tz = ws.person(person).timezone;
    ws.time_off
        .iter()
        .enumerate()
        .filter(|(_, t)| t.person == person)
        .filter(|(_, t)| {
            let from = start_of_day(tz, t.start);
            let to = t
                .end
                .succ_opt()
                .map(|d| start_of_day(tz, d))
                .unwrap_or(chrono::DateTime::<chrono::Utc>::MAX_UTC);
            from < week.end && week.start < to
        })
        .map(|(entry, _)| Ineligible::TimeOff { entry })
        .collect()
}

/// The members of `team` who can take no role in any of `weeks` whatever
/// their time off, each with why in words: "not eligible until 2027-04-05
/// (primary needs 90 days' tenure)", "left on 2027-01-01", "lacks skill
/// `ops` for every role". A plan lists them so nobody vanishes from it
/// without a note.
pub fn sidelined(ws: &Workspace, team: &Team, weeks: &[Week]) -> Vec<(PersonIdx, String)> {
    team.members
        .iter()
        .filter(|&&p| {
            !weeks
                .iter()
                .any(|w| team.roles.iter().any(|r| standing(ws, p, r, w).is_empty()))
        })
        .map(|&p| (p, sidelined_because(ws, team, p, weeks)))
        .collect()
}

fn sidelined_because(ws: &Workspace, team: &Team, p: PersonIdx, weeks: &[Week]) -> String {
    let person = ws.person(p);
    let skilled = team
        .roles
        .iter()
        .filter(|r| r.skills.iter().all(|s| person.skills.contains(s)));
    let ready = skilled
        .map(|r| {
            (
                person.joined + chrono::Duration::days(r.min_tenure_days.max(0)),
                r,
            )
        })
        .min_by_key(|(d, _)| *d);
    let first = weeks.first().map(|w| w.first_day);
    match (person.left, ready) {
        (Some(left), _) if first.is_none_or(|f| left <= f) => format!("left on {left}"),
        (_, None) => {
            let missing = team
                .roles
                .iter()
                .flat_map(|r| r.skills.iter().filter(|s| !person.skills.contains(*s)))
                .next()
                .map_or_else(String::new, |s| format!(" `{s}`"));
            format!("lacks skill{missing} for every role")
        }
        (Some(left), Some((date, _))) if left <= date => {
            format!("leaves on {left}, before any role's tenure is reached")
        }
        (_, Some((date, role))) => format!(
            "not eligible until {date} ({} needs {} days' tenure)",
            role.name, role.min_tenure_days
        ),
    }
}
