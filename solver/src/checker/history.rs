//! Carry-over `C_p` (docs/design.md §3): the team's starting `[carry]`, plus what
//! the published history before the plan held beyond its share.

use chrono::{Duration, NaiveDate};

use super::context::CheckContext;
use super::time::{day_weights, weighted_days};
use crate::model::history::HeldShift;
use crate::model::{Team, TeamIdx, Workspace};

impl CheckContext {
    /// Adds the carry-over of the published history before `first_week` to
    /// every member, and returns the `(week, person id)` pairs of the history
    /// inside the rest window for the boundary rule.
    ///
    /// Load of a history segment is recomputed here from its own hours, the
    /// team's load weights and the role's weight. The history's shares split
    /// its total load among current members by their available weeks in the
    /// window (from its first week with history up to `first_week`).
    pub(super) fn add_history(
        &mut self,
        ws: &Workspace,
        team: &Team,
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
        let load = held_load(ws, team, &ids, &inside);
        if let Some(past) = past_context(ws, team, earliest, first_week) {
            self.add_carry(&past, &load);
        }
        near
    }

    /// Adds to every member the load they held (`load`, in member order) less
    /// their share of it: the history's total load split among current members
    /// by their available weeks in `past`.
    fn add_carry(&mut self, past: &CheckContext, load: &[f64]) {
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
    }
}

/// The load each of `ids` held in the history segments `inside`, recomputed
/// from the segments' own hours, the team's load weights and the role's weight
/// (1 for a role the team no longer has).
fn held_load(ws: &Workspace, team: &Team, ids: &[String], inside: &[&HeldShift]) -> Vec<f64> {
    let tz = team.timezone;
    let weight_of_day = day_weights(ws, team);
    let mut load = vec![0.0; ids.len()];
    for s in inside {
        let weight = team
            .roles
            .iter()
            .find(|r| r.name == s.role)
            .map_or(1.0, |r| r.weight);
        if let Some(i) = ids.iter().position(|id| *id == s.person) {
            load[i] += weight * weighted_days(tz, s.start, s.end, weight_of_day);
        }
    }
    load
}

/// The weeks of the history window, from its first week with history up to
/// `first_week`; `None` when they cannot be laid out.
fn past_context(
    ws: &Workspace,
    team: &Team,
    earliest: NaiveDate,
    first_week: NaiveDate,
) -> Option<CheckContext> {
    let weeks = u32::try_from((first_week - earliest).num_days().div_euclid(7)).unwrap_or(0);
    let team_idx = ws
        .teams
        .iter()
        .position(|t| t.id == team.id)
        .map(TeamIdx)
        .unwrap_or(TeamIdx(usize::MAX));
    CheckContext::new(ws, team_idx, earliest, weeks).ok()
}
