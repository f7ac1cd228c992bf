//! Who is on call at an instant, and the escalation chain resolved to people
//! (docs/design.md §5). One function answers for `who`, feeds and pages alike.

use chrono::{DateTime, Utc};

use crate::model::{Escalation, TeamIdx, Workspace};
use crate::schedule::timeline::{Segment, Timeline};

/// The holder of one role at an instant.
#[derive(Clone, Debug, PartialEq)]
pub struct RoleHolder {
    /// The role.
    pub role: String,
    /// The segment in force, or `None` when nothing is published then.
    pub segment: Option<Segment>,
}

/// One step of the escalation chain at an instant.
#[derive(Clone, Debug, PartialEq)]
pub struct EscalationStep {
    /// The step as written in the team file.
    pub step: Escalation,
    /// The person it reaches then (an id): the holder of the role named,
    /// in this team or another, or the person named.
    pub person: Option<String>,
}

impl EscalationStep {
    /// How the step is shown before its person: the role, `team.role`, or
    /// the label.
    pub fn label(&self) -> String {
        self.step.label()
    }
}

/// Who holds each role of a team at `at`, and the escalation chain.
#[derive(Clone, Debug, PartialEq)]
pub struct OnCall {
    /// The team.
    pub team: TeamIdx,
    /// The instant asked about.
    pub at: DateTime<Utc>,
    /// Each role of the team, in the team file's order.
    pub roles: Vec<RoleHolder>,
    /// The escalation chain, in order.
    pub escalation: Vec<EscalationStep>,
}

impl OnCall {
    /// Whether anybody holds a role at that instant.
    pub fn anyone(&self) -> bool {
        self.roles.iter().any(|r| r.segment.is_some())
    }
}

/// Resolves who is on call for `team` at `at`. `timelines` holds the
/// resolved timelines of the team and of every team its chain names (found
/// by team id; a team missing from them reaches nobody). This one function
/// answers for `who`, the feeds, the schedule page and `now.json` alike.
pub fn on_call(ws: &Workspace, team: TeamIdx, timelines: &[Timeline], at: DateTime<Utc>) -> OnCall {
    let t = ws.team(team);
    let holder = |team_id: &str, role: &str| {
        timelines
            .iter()
            .find(|tl| tl.team == team_id)
            .and_then(|tl| tl.holder(role, at))
    };
    let roles = t
        .roles
        .iter()
        .map(|r| RoleHolder {
            role: r.name.clone(),
            segment: holder(&t.id, &r.name).cloned(),
        })
        .collect();
    let escalation = t
        .escalation
        .iter()
        .map(|step| EscalationStep {
            step: step.clone(),
            person: match step {
                Escalation::Role(r) => holder(&t.id, r).map(|s| s.person.clone()),
                Escalation::TeamRole { team, role } => holder(team, role).map(|s| s.person.clone()),
                Escalation::Person { person, .. } => Some(person.clone()),
            },
        })
        .collect();
    OnCall {
        team,
        at,
        roles,
        escalation,
    }
}
