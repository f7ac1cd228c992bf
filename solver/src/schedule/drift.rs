//! Drift: stretches of the published schedule (plans and overrides) that
//! today's inputs forbid. A person left, booked time off inside a published
//! week, lost a skill, or became double-booked with another team after the
//! schedule was published; nothing in the store changed, so only judging the
//! schedule again finds it (docs/design.md §5).

use chrono::{DateTime, Utc};

use crate::model::history::Busy;
use crate::model::{TeamIdx, Workspace};
use crate::schedule::busy_index::BusyIndex;
use crate::schedule::changes::{judge, Refusal};
use crate::schedule::service::{Schedule, ScheduleError};
use crate::schedule::timeline::{Segment, Timeline};

/// A stretch of the resolved timeline that a rule now forbids.
#[derive(Clone, Debug, PartialEq)]
pub struct Drift {
    /// The stretch as published (or overridden).
    pub segment: Segment,
    /// Each rule it breaks today.
    pub reasons: Vec<Refusal>,
}

/// The stretches of `timeline` that meet `[from, to)` and that the rules
/// refuse today, judged exactly as a new change would be: eligibility
/// (employment, tenure, skills, membership), time off, one role per week,
/// rest, and time on call for other teams (`busy`).
pub fn drift(
    ws: &Workspace,
    team: TeamIdx,
    timeline: &Timeline,
    busy: &[Busy],
    (from, to): (DateTime<Utc>, DateTime<Utc>),
) -> Vec<Drift> {
    let meets = |s: &Segment| s.start < to && s.end > from;
    timeline
        .segments
        .iter()
        .filter(|s| meets(s))
        .filter_map(|s| {
            let before = Timeline {
                team: timeline.team.clone(),
                segments: timeline
                    .segments
                    .iter()
                    .filter(|o| *o != s)
                    .cloned()
                    .collect(),
            };
            let reasons = judge(ws, team, (&before, timeline), busy);
            (!reasons.is_empty()).then(|| Drift {
                segment: s.clone(),
                reasons,
            })
        })
        .collect()
}

impl Schedule<'_> {
    /// [`drift`] of `team`'s published schedule over `[from, to)`, against
    /// the other teams' published time on call.
    ///
    /// # Errors
    /// The store cannot be read.
    pub fn drift(
        &self,
        team: TeamIdx,
        span: (DateTime<Utc>, DateTime<Utc>),
    ) -> Result<Vec<Drift>, ScheduleError> {
        let timeline = self.timeline(team)?;
        let busy = self.busy_elsewhere(team)?;
        Ok(drift(self.workspace(), team, &timeline, &busy, span))
    }
}

/// [`drift`] of `team` at the instant `at`, from resolved timelines found by
/// team id: the team's own, and the others' as time on call elsewhere.
/// What `who`, `now.json` and the schedule page mark as needing cover.
pub fn at_instant(
    ws: &Workspace,
    team: TeamIdx,
    timelines: &[Timeline],
    at: DateTime<Utc>,
) -> Vec<Drift> {
    let Some(next) = at.checked_add_signed(chrono::Duration::seconds(1)) else {
        return Vec::new();
    };
    over(ws, team, timelines, (at, next))
}

/// [`drift`] of `team` over `span`, from resolved timelines found by team
/// id (see [`at_instant`]).
pub fn over(
    ws: &Workspace,
    team: TeamIdx,
    timelines: &[Timeline],
    span: (DateTime<Utc>, DateTime<Utc>),
) -> Vec<Drift> {
    let id = &ws.team(team).id;
    let Some(own) = timelines.iter().find(|tl| &tl.team == id) else {
        return Vec::new();
    };
    let known: Vec<(TeamIdx, Timeline)> = timelines
        .iter()
        .filter_map(|tl| ws.team_by_id(&tl.team).map(|t| (t, tl.clone())))
        .collect();
    let busy = BusyIndex::of_teams(&known).busy_elsewhere(ws, team);
    drift(ws, team, own, &busy, span)
}
