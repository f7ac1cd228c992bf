//! What if: one team planned as it is and under some changes to its inputs,
//! on the same horizon and the same published history, side by side
//! (docs/planning.md, "What if").
//!
//! The changes are applied to the texts of the input files in memory
//! ([`edit`]) and the workspace is loaded from the original files with those
//! texts in their place ([`crate::input::load_workspace_with`]): a mistake
//! in a change is reported at its file and line like any other, and the
//! scenario's plan carries the inputs hash the workspace will have once it
//! is edited the same way. Nothing is written, neither the workspace nor
//! the store.

use std::path::{Path, PathBuf};

use crate::input::diagnostic::LoadError;
use crate::input::suggest::did_you_mean;
use crate::model::{TeamIdx, Workspace};
use crate::plan::horizon::HorizonSpec;
use crate::plan::optimise::{self, PlanError, PlanOptions, TeamContext};
use crate::schedule::service::{Schedule, ScheduleError};

pub mod change;
pub mod edit;
pub mod report;

pub use change::{Change, Hire};
pub use report::{Diff, PersonDiff, PersonSide, Side, SlotChange, Stable, WhatIf};

/// Why a scenario could not be planned.
#[derive(Debug, thiserror::Error)]
pub enum WhatIfError {
    /// A change is not well formed.
    #[error("{message}")]
    Change {
        /// What is wrong.
        message: String,
        /// The fix.
        help: String,
    },
    /// A change names a person who is not in people.csv.
    #[error("unknown person `{person}` (not in people.csv)")]
    UnknownPerson {
        /// The id given.
        person: String,
        /// The nearest id.
        suggestion: Option<String>,
    },
    /// `--set` names a key the team file has no place for.
    #[error("unknown key `{key}` for --set")]
    UnknownKey {
        /// The key given.
        key: String,
        /// The nearest known key.
        suggestion: Option<String>,
        /// Every known key.
        known: Vec<String>,
    },
    /// No such team.
    #[error("unknown team `{team}` (no teams/{team}.toml)")]
    UnknownTeam {
        /// The id given.
        team: String,
        /// The nearest team id.
        suggestion: Option<String>,
    },
    /// An input file could not be read for editing.
    #[error("cannot read {}: {message}", file.display())]
    Read {
        /// The file, relative to the workspace.
        file: PathBuf,
        /// Why.
        message: String,
    },
    /// The workspace as it is does not load.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// The workspace does not load with the changes (the diagnostics name
    /// the changed file and line).
    #[error(transparent)]
    ScenarioLoad(LoadError),
    /// The store could not be read.
    #[error(transparent)]
    Schedule(#[from] ScheduleError),
    /// A plan could not be made.
    #[error(transparent)]
    Plan(#[from] PlanError),
}

impl WhatIfError {
    /// The fix, for a change that is not well formed or names something
    /// unknown.
    pub fn help(&self) -> Option<String> {
        let nearest = |s: &Option<String>, otherwise: String| {
            Some(
                s.as_ref()
                    .map_or(otherwise, |s| format!("did you mean `{s}`?")),
            )
        };
        match self {
            WhatIfError::Change { help, .. } => Some(help.clone()),
            WhatIfError::UnknownPerson { suggestion, .. } => {
                nearest(suggestion, "use an id from people.csv".into())
            }
            WhatIfError::UnknownKey {
                suggestion, known, ..
            } => nearest(suggestion, format!("known keys: {}", known.join(", "))),
            WhatIfError::UnknownTeam { suggestion, .. } => {
                nearest(suggestion, "create teams/<team>.toml".into())
            }
            _ => None,
        }
    }
}

/// What to compare.
#[derive(Clone, Debug)]
pub struct Request<'a> {
    /// The workspace directory.
    pub root: &'a Path,
    /// The team id.
    pub team: &'a str,
    /// The weeks to plan.
    pub horizon: HorizonSpec,
    /// The changes, applied hires first, then in the order given.
    pub changes: &'a [Change],
    /// Solver settings, the same for both plans. Its `tolerance` (default
    /// [`optimise::DEFAULT_TOLERANCE`]) is the stable alternative's.
    pub options: PlanOptions,
}

/// Plans the team as it is and under the changes, and compares the two.
///
/// # Errors
/// A change that is not well formed or names an unknown person or key, a
/// workspace that does not load (as it is, or with the changes: then the
/// diagnostics name the changed file), an unreadable store, or a solver
/// failure.
pub fn what_if(req: &Request<'_>) -> Result<WhatIf, WhatIfError> {
    let base = crate::input::load_workspace(req.root)?;
    let base_team = find_team(&base, req.team)?;
    let mut texts = edit::Texts::read(req.root, &base.team(base_team).id)?;
    let mut ordered: Vec<&Change> = req
        .changes
        .iter()
        .filter(|c| matches!(c, Change::Join(_)))
        .collect();
    ordered.extend(req.changes.iter().filter(|c| !matches!(c, Change::Join(_))));
    for change in ordered {
        texts.apply(change)?;
    }
    let replaced = texts.replaced(req.root);
    let scenario = crate::input::load_workspace_with(req.root, &replaced)
        .map_err(WhatIfError::ScenarioLoad)?;
    let scenario_team = find_team(&scenario, req.team)?;
    let (baseline, _) = side(&base, base_team, req)?;
    let (changed, plan) = side(&scenario, scenario_team, req)?;
    let stable = stable(&scenario, scenario_team, (&base, &baseline), &changed, req)?;
    let mut diff = report::diff(&baseline, &changed);
    diff.notes = notes(&scenario, scenario_team, &plan, &changed, req.changes);
    Ok(WhatIf {
        changes: req.changes.iter().map(Change::describe).collect(),
        replaced: replaced.keys().cloned().collect(),
        baseline,
        scenario: changed,
        diff,
        stable,
    })
}

/// The scenario planned as `replan --stable` would from the baseline: the
/// fewest of the baseline's slots change, with the largest excess within
/// the tolerance of the scenario's optimum.
fn stable(
    ws: &Workspace,
    team: TeamIdx,
    (base, baseline): (&Workspace, &Side),
    fairest: &Side,
    req: &Request<'_>,
) -> Result<Stable, WhatIfError> {
    let tolerance = req.options.tolerance.unwrap_or(optimise::DEFAULT_TOLERANCE);
    let at = |week: chrono::NaiveDate, role: &str| {
        baseline
            .plan
            .shifts
            .iter()
            .find(|s| s.week == week && s.role == role)
            .and_then(|s| base.person_by_id(&s.person))
            .and_then(|p| ws.person_by_id(&base.person(p).id))
    };
    let weeks =
        crate::plan::horizon::weeks(ws.team(team), &req.horizon).map_err(PlanError::from)?;
    let reference = weeks
        .iter()
        .map(|w| {
            ws.team(team)
                .roles
                .iter()
                .map(|r| at(w.first_day, &r.name))
                .collect()
        })
        .collect();
    let options = PlanOptions {
        reference: Some(reference),
        tolerance: Some(tolerance),
        ..req.options.clone()
    };
    let (side, _) = self::side(
        ws,
        team,
        &Request {
            options,
            ..req.clone()
        },
    )?;
    Ok(report::stable(baseline, fairest, side, tolerance))
}

/// One side: planned as `plan` does, explained, checked and summed up.
fn side(
    ws: &Workspace,
    team: TeamIdx,
    req: &Request<'_>,
) -> Result<(Side, crate::plan::Plan), WhatIfError> {
    let schedule = Schedule::read_only(ws)?;
    let TeamContext { history, busy } = schedule.context(team, &req.horizon)?;
    let plan = optimise::plan_around(ws, team, &req.horizon, &req.options, &history, &busy)?;
    let budget = req
        .options
        .time_limit
        .unwrap_or(optimise::DEFAULT_TIME_LIMIT);
    let explained = crate::plan::explain::explain_plan(ws, &plan, (&history, &busy), budget);
    let check = schedule.check_plan(team, &explained.doc)?;
    Ok((report::side(ws, team, &plan, explained.doc, &check), plan))
}

/// Why a hire takes no weeks, and which changes name someone outside the team.
fn notes(
    ws: &Workspace,
    team: TeamIdx,
    plan: &crate::plan::Plan,
    side: &Side,
    changes: &[Change],
) -> Vec<String> {
    let outside = |id: &str| {
        let member = ws
            .person_by_id(id)
            .is_some_and(|p| ws.team(team).has_member(p));
        (!member).then(|| {
            format!(
                "{id} is not a member of {}: the change does not reach its plan",
                ws.team(team).id
            )
        })
    };
    changes
        .iter()
        .filter_map(|change| match change {
            Change::Join(hire) => report::hire_note(ws, team, plan, side, &hire.id),
            Change::Leave { person, .. } | Change::TimeOff { person, .. } => outside(person),
            Change::Set { .. } => None,
        })
        .collect()
}

fn find_team(ws: &Workspace, id: &str) -> Result<TeamIdx, WhatIfError> {
    ws.team_by_id(id).ok_or_else(|| WhatIfError::UnknownTeam {
        team: id.to_string(),
        suggestion: did_you_mean(id, ws.teams.iter().map(|t| t.id.as_str())).map(str::to_string),
    })
}
