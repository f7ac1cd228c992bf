//! Minimal-change re-plans (docs/design.md §5, objective 4 of §3).
//!
//! `replan TEAM --from DATE` keeps everything before the first handoff on or
//! after `DATE` as history, keeps the pins, and re-optimises the published
//! weeks from there on against the current inputs (new time off, joiners,
//! leavers). The order of objectives:
//!
//! 1. fill every slot;
//! 2. minimise the largest excess (history counts as carry-over, so the
//!    weeks already served are part of the fairness);
//! 3. change as few slots of the resolved timeline (published plan plus
//!    overrides) as possible;
//! 4. even out the spread among the plans with that few changes.
//!
//! The spread ranks after the changes here, unlike in a first plan: an L1
//! spread optimum is rarely unique, and chasing a slightly better one would
//! move weeks people have already planned their lives around. The largest
//! excess, the fairness guarantee, is still minimised first.
//!
//! A week that an override hands entirely to one person is kept as a pin of
//! that person (when they may take it), so the re-plan builds around it.
//! Shorter overrides stay in the store and keep applying on top of the new
//! version.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::model::{PersonIdx, RoleIdx, TeamIdx, Workspace};
use crate::plan::horizon::{self, HorizonSpec};
use crate::plan::instance::{past_shifts, Instance};
use crate::plan::optimise::{self, PlanOptions};
use crate::plan::Plan;
use crate::schedule::changes::{diff, DiffLine};
use crate::schedule::timeline::{Source, Timeline};

/// A re-plan and what it changes.
#[derive(Clone, Debug)]
pub struct Replan {
    /// The new plan for the re-planned weeks.
    pub plan: Plan,
    /// Who gains and loses which slot, against the resolved timeline.
    pub diff: Vec<DiffLine>,
    /// Number of slots whose holder changes.
    pub changed: usize,
    /// The fairness paid for stability (`replan --stable`), `None` when the
    /// re-plan keeps the optimal largest excess.
    pub stable: Option<Stability>,
}

/// What a re-plan that puts stability first traded: its largest excess
/// against the optimum, within the tolerance it was given.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stability {
    /// How far above the optimum the largest excess may go, in load units.
    pub tolerance: f64,
    /// The smallest largest excess found (the optimum when proven).
    pub optimum: f64,
    /// The re-plan's largest excess, at most `optimum + tolerance`.
    pub excess: f64,
}

impl Stability {
    /// The excess over the optimum.
    pub fn cost(&self) -> f64 {
        (self.excess - self.optimum).max(0.0)
    }
}

/// Why a re-plan cannot start.
#[derive(Debug, thiserror::Error)]
pub enum ReplanError {
    /// Nothing is published at or after the date.
    #[error("nothing of team {team} is published on or after {from}; plan and publish it first (`oncall plan` then `oncall publish`)")]
    NothingPublished {
        /// The team.
        team: String,
        /// The date given.
        from: NaiveDate,
    },
    /// Planning failed.
    #[error(transparent)]
    Plan(#[from] optimise::PlanError),
}

/// Re-plans `team` from the first handoff on or after `from` to the end of
/// what is published.
///
/// # Errors
/// Nothing published from `from` on, or a planning failure.
pub fn replan(
    ws: &Workspace,
    team: TeamIdx,
    from: NaiveDate,
    timeline: &Timeline,
    busy: &[crate::model::history::Busy],
    opts: &PlanOptions,
) -> Result<Replan, ReplanError> {
    let t = ws.team(team);
    let published = timeline.week_holders();
    let (first, weeks) = replanned_weeks(ws, team, from, &published)?;
    let history = past_shifts(ws, team, &timeline.held(), first);
    let mut inst = Instance::with_weeks(ws, team, weeks, &history);
    inst.block_busy(busy);
    pin_whole_overrides(ws, &mut inst, timeline);
    let opts = PlanOptions {
        reference: Some(reference(ws, &inst, &published)),
        ..opts.clone()
    };
    let plan = optimise::solve(&inst, &opts).map_err(optimise::PlanError::from)?;
    let before: Holders = published
        .into_iter()
        .filter(|((w, _), _)| *w >= first)
        .collect();
    let after = holders(ws, t, &plan);
    let changed = before
        .keys()
        .chain(after.keys())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .filter(|k| before.get(*k) != after.get(*k))
        .count();
    let stable = opts.tolerance.map(|tolerance| Stability {
        tolerance,
        optimum: plan.stats.optimum.unwrap_or(plan.max_excess),
        excess: plan.max_excess,
    });
    Ok(Replan {
        diff: diff(&before, &after),
        plan,
        changed,
        stable,
    })
}

/// Who holds each (week, role) slot.
type Holders = BTreeMap<(NaiveDate, String), String>;

/// The first re-planned week and every week from it to the last published.
fn replanned_weeks(
    ws: &Workspace,
    team: TeamIdx,
    from: NaiveDate,
    published: &Holders,
) -> Result<(NaiveDate, Vec<horizon::Week>), ReplanError> {
    let t = ws.team(team);
    let nothing = || ReplanError::NothingPublished {
        team: t.id.clone(),
        from,
    };
    let last = published
        .keys()
        .map(|(w, _)| *w)
        .max()
        .ok_or_else(nothing)?;
    let first_weeks = horizon::weeks(t, &HorizonSpec::Weeks { from, weeks: 1 })
        .map_err(optimise::PlanError::from)?;
    let first = first_weeks
        .first()
        .map(|w| w.first_day)
        .ok_or_else(nothing)?;
    if first > last {
        return Err(nothing());
    }
    let count = u32::try_from((last - first).num_days() / 7 + 1).map_err(|_| nothing())?;
    let weeks = horizon::weeks(t, &HorizonSpec::Weeks { from, weeks: count })
        .map_err(optimise::PlanError::from)?;
    Ok((first, weeks))
}

/// Weeks an override gives wholly to one eligible person become pins.
fn pin_whole_overrides(ws: &Workspace, inst: &mut Instance<'_>, timeline: &Timeline) {
    let t = ws.team(inst.team);
    for (w, week) in inst.weeks.clone().iter().enumerate() {
        for (r, role) in t.roles.iter().enumerate() {
            if inst.pins.iter().any(|(pw, pr, _)| *pw == w && pr.0 == r) {
                continue;
            }
            let pieces: Vec<_> = timeline
                .segments
                .iter()
                .filter(|s| s.role == role.name && s.week == week.first_day)
                .collect();
            let [only] = pieces.as_slice() else { continue };
            let whole = only.start == week.start && only.end == week.end;
            if !whole || !matches!(only.source, Source::Override { .. }) {
                continue;
            }
            let Some(p) = ws.person_by_id(&only.person) else {
                continue;
            };
            if inst
                .position(p)
                .is_some_and(|i| inst.eligible[w][r].contains(&i))
            {
                inst.pins.push((w, RoleIdx(r), p));
            }
        }
    }
}

/// The published holder of each slot of the instance, which the re-plan
/// keeps where it can.
fn reference(
    ws: &Workspace,
    inst: &Instance<'_>,
    published: &Holders,
) -> Vec<Vec<Option<PersonIdx>>> {
    let t = ws.team(inst.team);
    inst.weeks
        .iter()
        .map(|week| {
            t.roles
                .iter()
                .map(|role| {
                    published
                        .get(&(week.first_day, role.name.clone()))
                        .and_then(|id| ws.person_by_id(id))
                })
                .collect()
        })
        .collect()
}

/// Who holds each slot of `plan`.
fn holders(ws: &Workspace, t: &crate::model::Team, plan: &Plan) -> Holders {
    let mut after = Holders::new();
    for (w, row) in plan.assignment.iter().enumerate() {
        for (r, p) in row.iter().enumerate() {
            if let (Some(p), Some(week), Some(role)) = (p, plan.weeks.get(w), t.roles.get(r)) {
                after.insert(
                    (week.first_day, role.name.clone()),
                    ws.person(*p).id.clone(),
                );
            }
        }
    }
    after
}
