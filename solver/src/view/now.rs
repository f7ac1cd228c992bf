//! `now.json`: the holders of each role of a team at an instant, whom they
//! cover, and the escalation chain resolved to people.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use crate::model::{TeamIdx, Workspace};
use crate::schedule::drift::at_instant;
use crate::schedule::timeline::{Source, Timeline};
use crate::schedule::who::on_call;

/// The document served as `now.json`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NowDoc {
    /// The team id.
    pub team: String,
    /// The instant asked about (RFC 3339, UTC).
    pub at: String,
    /// The team's zone, in which `local` times are given.
    pub timezone: String,
    /// Each role, in the team file's order.
    pub roles: Vec<NowRole>,
    /// The escalation chain, in order.
    pub escalation: Vec<NowStep>,
}

/// One role at the instant.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NowRole {
    /// The role name.
    pub role: String,
    /// The holder, or `None` when nothing is published then.
    pub holder: Option<NowPerson>,
    /// When the holder's stretch began and ends (RFC 3339, UTC).
    pub from: Option<String>,
    /// See `from`.
    pub until: Option<String>,
    /// `plan` or `override`.
    pub source: Option<&'static str>,
    /// Whom an override covers: the person the plan has then.
    pub covering: Option<NowPerson>,
    /// The role's runbook, when the team file gives one.
    pub runbook: Option<String>,
    /// Each rule today's inputs say the holder's stretch breaks (they
    /// left, are off, are on call elsewhere, ...): when not empty, the
    /// stretch needs cover or a re-plan (docs/design.md §5, drift).
    pub needs_cover: Vec<String>,
}

/// A person as shown to anyone with the link: id and name only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NowPerson {
    /// The person id.
    pub id: String,
    /// The display name.
    pub name: String,
}

/// One step of the escalation chain.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NowStep {
    /// The step as written in the team file.
    pub step: String,
    /// How it is shown: the role, `team.role` or the label.
    pub label: String,
    /// Whom it reaches then, if anyone.
    pub person: Option<NowPerson>,
}

/// The person `id` as shown, when known.
pub(crate) fn shown(ws: &Workspace, id: &str) -> NowPerson {
    let name = ws
        .person_by_id(id)
        .map_or_else(|| id.to_string(), |p| ws.person(p).name.clone());
    NowPerson {
        id: id.to_string(),
        name,
    }
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Who is on call for `team` at `at`.
/// `timelines` holds the team's and those its escalation chain names.
pub fn now(ws: &Workspace, team: TeamIdx, timelines: &[Timeline], at: DateTime<Utc>) -> NowDoc {
    let oc = on_call(ws, team, timelines, at);
    let drift = at_instant(ws, team, timelines, at);
    let t = ws.team(team);
    let roles = oc
        .roles
        .iter()
        .map(|r| {
            let seg = r.segment.as_ref();
            NowRole {
                role: r.role.clone(),
                holder: seg.map(|s| shown(ws, &s.person)),
                from: seg.map(|s| rfc3339(s.start)),
                until: seg.map(|s| rfc3339(s.end)),
                source: seg.map(|s| match s.source {
                    Source::Plan { .. } => "plan",
                    Source::Override { .. } => "override",
                }),
                covering: seg.and_then(|s| s.planned.as_deref()).map(|p| shown(ws, p)),
                runbook: t.runbook_for(&r.role).map(str::to_string),
                needs_cover: drift
                    .iter()
                    .filter(|d| Some(&d.segment) == seg)
                    .flat_map(|d| d.reasons.iter().map(ToString::to_string))
                    .collect(),
            }
        })
        .collect();
    let escalation = oc
        .escalation
        .iter()
        .map(|s| NowStep {
            step: s.step.to_string(),
            label: s.label(),
            person: s.person.as_deref().map(|p| shown(ws, p)),
        })
        .collect();
    NowDoc {
        team: t.id.clone(),
        at: rfc3339(at),
        timezone: t.timezone.name().to_string(),
        roles,
        escalation,
    }
}
