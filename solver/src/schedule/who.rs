//! Who is on call at an instant, and the escalation chain resolved to people
//! (DESIGN.md §5). One function answers for `who`, feeds and pages alike.

use chrono::{DateTime, Utc};

use crate::model::{TeamIdx, Workspace};
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
    pub step: String,
    /// The person it reaches (an id), when it names a role held then or a
    /// person.
    pub person: Option<String>,
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

/// Resolves who is on call for `team` at `at` on its resolved timeline.
pub fn on_call(ws: &Workspace, team: TeamIdx, timeline: &Timeline, at: DateTime<Utc>) -> OnCall {
    let t = ws.team(team);
    let roles = t
        .roles
        .iter()
        .map(|r| RoleHolder {
            role: r.name.clone(),
            segment: timeline.holder(&r.name, at).cloned(),
        })
        .collect();
    let escalation = t
        .escalation
        .iter()
        .map(|step| EscalationStep {
            step: step.clone(),
            person: resolve_step(ws, timeline, step, at),
        })
        .collect();
    OnCall {
        team,
        at,
        roles,
        escalation,
    }
}

/// A step names a role of the team (its holder at `at`) or `label:person`.
fn resolve_step(
    ws: &Workspace,
    timeline: &Timeline,
    step: &str,
    at: DateTime<Utc>,
) -> Option<String> {
    if let Some(s) = timeline.holder(step, at) {
        return Some(s.person.clone());
    }
    let (_, person) = step.split_once(':')?;
    let person = person.trim();
    ws.person_by_id(person).map(|_| person.to_string())
}
