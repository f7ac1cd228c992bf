//! One definition of a fair share (docs/design.md §3), used by the planner,
//! the checker, the team page, `compare` and the fairness report.
//!
//! - **Who counts**: a member with at least one *available week* in the
//!   horizon: a member, employed for the whole week and eligible for some
//!   role apart from time off (with `absence = "excused"`, weeks blocked by
//!   time off do not count). Nobody else has a share: not a leaver, not a
//!   hire whose tenure is not reached yet ("not eligible until DATE").
//! - **Carry-over** `C_p`: load carried in published history within
//!   `history_weeks`, minus the share of it, plus `[carry]`.
//! - **Share** `T_p = (L + Σ_q C_q) × a_p / Σ_q a_q − C_p` over those who
//!   count, `L` the horizon's total load.

use chrono::{Duration, NaiveDate};

use crate::model::{PersonIdx, TeamIdx, Workspace};
use crate::plan::horizon::{self, Week};
use crate::plan::instance::{past_shifts, Instance};
use crate::schedule::timeline::Timeline;

/// The share of each of `people` (`(available weeks, carry-over)`) of a
/// horizon whose total load is `total`; `None` for who does not count.
pub fn shares(total: f64, people: &[(u32, f64)]) -> Vec<Option<f64>> {
    let counted = || people.iter().filter(|(a, _)| *a > 0);
    let sum_a: f64 = counted().map(|(a, _)| f64::from(*a)).sum();
    let sum_c: f64 = counted().map(|(_, c)| *c).sum();
    people
        .iter()
        .map(|&(a, c)| (a > 0 && sum_a > 0.0).then(|| (total + sum_c) * f64::from(a) / sum_a - c))
        .collect()
}

/// One member's share of a published horizon.
#[derive(Clone, Debug, PartialEq)]
pub struct ShareLine {
    /// The member.
    pub person: PersonIdx,
    /// Available weeks `a_p`.
    pub available_weeks: u32,
    /// Carry-over `C_p`.
    pub carry: f64,
    /// Load held in the horizon.
    pub load: f64,
    /// Share `T_p`.
    pub share: f64,
}

/// The shares of a team over published weeks, as the planner counts them.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct TimelineShares {
    /// Every member who counts, in the team file's order.
    pub people: Vec<ShareLine>,
    /// Members who can take no role in the horizon, with why ("not eligible
    /// until 2027-04-05 (primary needs 90 days' tenure)", "left on ...").
    pub sidelined: Vec<(PersonIdx, String)>,
}

/// The shares of `team` over the weeks `first..=last` of `timeline`, with
/// the history before `first` as carry-over: what a plan of those weeks
/// would report for the same holders.
pub fn over_timeline(
    ws: &Workspace,
    team: TeamIdx,
    timeline: &Timeline,
    (first, last): (NaiveDate, NaiveDate),
) -> TimelineShares {
    let t = ws.team(team);
    let count = u32::try_from((last - first).num_days() / 7 + 1).unwrap_or(0);
    let Ok(weeks) = horizon::weeks_from(t, first, count) else {
        return TimelineShares::default();
    };
    let history = past_shifts(ws, team, &timeline.held(), first);
    let inst = Instance::with_weeks(ws, team, weeks.clone(), &history);
    let mut load = vec![0.0; inst.members.len()];
    let mut total = 0.0;
    let hol = ws.holidays(t.holidays.as_deref());
    for s in timeline
        .segments
        .iter()
        .filter(|s| s.week >= first && s.week <= last)
    {
        let weight = t.role_by_name(&s.role).map_or(1.0, |r| t.roles[r.0].weight);
        let span = Week {
            first_day: s.week,
            next_day: s.week + Duration::weeks(1),
            start: s.start,
            end: s.end,
        };
        let l = horizon::slot_load(&span, t.timezone, weight, &ws.org.load, hol);
        total += l;
        if let Some(i) = ws.person_by_id(&s.person).and_then(|p| inst.position(p)) {
            load[i] += l;
        }
    }
    let people: Vec<(u32, f64)> = inst
        .available
        .iter()
        .copied()
        .zip(inst.carry.iter().copied())
        .collect();
    let lines = shares(total, &people)
        .into_iter()
        .enumerate()
        .filter_map(|(i, share)| {
            Some(ShareLine {
                person: inst.members[i],
                available_weeks: inst.available[i],
                carry: inst.carry[i],
                load: load[i],
                share: share?,
            })
        })
        .collect();
    TimelineShares {
        people: lines,
        sidelined: crate::plan::eligibility::sidelined(ws, t, &weeks),
    }
}
