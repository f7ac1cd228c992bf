//! One sync run: for each mapped role of each team, the timeline's stretches
//! are compared with the pager's overrides and, when asked, the changes are
//! written, created overrides first so that nobody is left unpaged between
//! a delete and a create.

use std::collections::BTreeSet;

use chrono::{DateTime, Days, NaiveDate, NaiveTime, Utc};

use super::diff::{self, Changes, Wanted};
use super::{NewOverride, Pager, PagerError};
use crate::model::time::resolve_local;
use crate::model::{Team, TeamIdx, Workspace};
use crate::schedule::pager::PagerSchedule;
use crate::schedule::service::{Schedule, ScheduleError};
use crate::schedule::timeline::Timeline;

/// How many overrides one create request carries.
const BATCH: usize = 25;

/// What to sync.
#[derive(Clone, Debug)]
pub struct SyncOptions {
    /// Only this team (all teams with a mapping when `None`).
    pub team: Option<TeamIdx>,
    /// Stretches ending after the start of this day (team zone) are synced;
    /// by default those ending after `now`.
    pub from: Option<NaiveDate>,
    /// Stretches starting before the end of this day (team zone) are
    /// synced; by default all that are published.
    pub to: Option<NaiveDate>,
    /// The current instant.
    pub now: DateTime<Utc>,
    /// Write the changes (otherwise only plan them).
    pub apply: bool,
}

/// The sync of one role into one pager schedule.
#[derive(Clone, Debug, PartialEq)]
pub struct RoleSync {
    /// The team id.
    pub team: String,
    /// The role name.
    pub role: String,
    /// The pager's schedule id.
    pub schedule: String,
    /// The changes planned (empty when `error` stopped the planning).
    pub changes: Changes,
    /// Overrides created, when applying.
    pub created: usize,
    /// Overrides deleted, when applying.
    pub deleted: usize,
    /// Changes that failed while applying, in words.
    pub failed: Vec<String>,
    /// Why nothing was planned or applied for this schedule.
    pub error: Option<String>,
}

impl RoleSync {
    /// Whether everything planned was applied (or, in a dry run, could be).
    pub fn is_ok(&self) -> bool {
        self.error.is_none() && self.failed.is_empty()
    }
}

/// What a run did, schedule by schedule.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SyncReport {
    /// One entry per mapped role, by team then role.
    pub roles: Vec<RoleSync>,
}

impl SyncReport {
    /// One line: schedules, creates, deletes, conflicts and failures.
    pub fn summary(&self, applied: bool) -> String {
        let sum = |f: &dyn Fn(&RoleSync) -> usize| self.roles.iter().map(f).sum::<usize>();
        let (create, delete) = if applied {
            (sum(&|r| r.created), sum(&|r| r.deleted))
        } else {
            (
                sum(&|r| r.changes.create.len()),
                sum(&|r| r.changes.delete.len()),
            )
        };
        format!(
            "sync: {} schedule(s), {create} {}, {delete} {}, {} conflict(s), {} failure(s)",
            self.roles.len(),
            if applied { "created" } else { "to create" },
            if applied { "deleted" } else { "to delete" },
            sum(&|r| r.changes.conflicts.len()),
            sum(&|r| r.failed.len() + usize::from(r.error.is_some())),
        )
    }
}

/// Why a run stopped.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The pager refused the token: nothing more can be done.
    #[error(transparent)]
    Refused(PagerError),
    /// The store failed.
    #[error(transparent)]
    Schedule(#[from] ScheduleError),
}

/// The stretches of `role` in `timeline`, one person's contiguous segments
/// merged, that overlap `[from, to)`, kept whole so that they do not depend
/// on the window. `user` is left empty.
pub fn wanted(
    timeline: &Timeline,
    role: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<Wanted> {
    let stretches = timeline
        .segments
        .iter()
        .filter(|s| s.role == role)
        .map(|s| Wanted {
            start: s.start,
            end: s.end,
            person: s.person.clone(),
            user: String::new(),
        })
        .collect();
    diff::merge(stretches)
        .into_iter()
        .filter(|w| w.end > from && w.start < to)
        .collect()
}

/// Syncs every mapped role (of `opts.team`, or of every team) into `pager`.
///
/// # Errors
/// The pager refused the token, or the store failed. Any other failure is
/// reported in that schedule's [`RoleSync`], and the other schedules go on.
pub fn run(
    schedule: &mut Schedule<'_>,
    pager: &mut dyn Pager,
    opts: &SyncOptions,
) -> Result<SyncReport, SyncError> {
    let ws = schedule.workspace();
    let mut report = SyncReport::default();
    for (t, team) in ws.teams.iter().enumerate() {
        if opts.team.is_some_and(|only| only.0 != t) || team.pagerduty.is_empty() {
            continue;
        }
        let timeline = schedule.timeline(TeamIdx(t))?;
        let window = window(team, &timeline, opts);
        for (role, id) in &team.pagerduty {
            let mut out = RoleSync {
                team: team.id.clone(),
                role: role.clone(),
                schedule: id.clone(),
                changes: Changes::default(),
                created: 0,
                deleted: 0,
                failed: Vec::new(),
                error: None,
            };
            match sync_role(schedule, pager, (&timeline, &mut out), window, opts.apply) {
                Err(Stop::Pager(e @ PagerError::Refused { .. })) => {
                    return Err(SyncError::Refused(e))
                }
                Err(Stop::Pager(e)) => out.error = Some(e.to_string()),
                Err(Stop::Store(e)) => return Err(e.into()),
                Ok(()) => {}
            }
            report.roles.push(out);
        }
    }
    Ok(report)
}

/// The instants of `opts`' window for `team`.
fn window(team: &Team, timeline: &Timeline, opts: &SyncOptions) -> (DateTime<Utc>, DateTime<Utc>) {
    let midnight = |d: NaiveDate| resolve_local(team.timezone, d.and_time(NaiveTime::MIN));
    let from = opts.from.map_or(opts.now, midnight);
    let last = timeline
        .segments
        .iter()
        .map(|s| s.end)
        .max()
        .unwrap_or(from);
    let to = opts
        .to
        .and_then(|d| d.checked_add_days(Days::new(1)))
        .map_or(last.max(from), midnight);
    (from, to)
}

/// Plans one schedule and, with `opts.apply`, applies it.
fn sync_role(
    schedule: &mut Schedule<'_>,
    pager: &mut dyn Pager,
    (timeline, out): (&Timeline, &mut RoleSync),
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    apply_it: bool,
) -> Result<(), Stop> {
    let ws = schedule.workspace();
    let mut want = wanted(timeline, &out.role, from, to);
    users(ws, pager, &mut want)?;
    let since = want.first().map_or(from, |w| w.start.min(from));
    let until = want.last().map_or(to, |w| w.end.max(to));
    let existing = pager.overrides(&out.schedule, since, until)?;
    let at = PagerSchedule {
        vendor: pager.vendor(),
        schedule: &out.schedule,
        team: &out.team,
        role: &out.role,
    };
    let ours = schedule.pager_overrides(at)?;
    out.changes = diff::diff(&want, &existing, &ours);
    if apply_it && !out.changes.is_empty() {
        apply(schedule, pager, out)?;
    }
    Ok(())
}

/// Fills in each stretch's pager user from the person's e-mail address;
/// every person the pager does not know is named in the error.
fn users(ws: &Workspace, pager: &mut dyn Pager, want: &mut [Wanted]) -> Result<(), PagerError> {
    let mut unknown = BTreeSet::new();
    for w in want.iter_mut() {
        let person = ws.person_by_id(&w.person).map(|p| ws.person(p));
        let email = person.map(|p| p.email.trim()).filter(|e| !e.is_empty());
        let Some(email) = email else {
            unknown.insert(format!("{} (no e-mail address in people.csv)", w.person));
            continue;
        };
        match pager.find_user(email) {
            Ok(user) => w.user = user,
            Err(PagerError::User(why)) => {
                unknown.insert(format!("{} ({why})", w.person));
            }
            Err(e) => return Err(e),
        }
    }
    if unknown.is_empty() {
        return Ok(());
    }
    let names: Vec<String> = unknown.into_iter().collect();
    Err(PagerError::User(format!(
        "not synced: {} unknown to {}: {}",
        if names.len() == 1 {
            "a person is"
        } else {
            "people are"
        },
        pager.vendor(),
        names.join("; ")
    )))
}

/// Creates, then deletes, recording each step in the store as it lands so
/// that a failure half way leaves the store agreeing with the pager.
fn apply(
    schedule: &mut Schedule<'_>,
    pager: &mut dyn Pager,
    out: &mut RoleSync,
) -> Result<(), Stop> {
    let vendor = pager.vendor();
    let sched = out.schedule.clone();
    let (team, role) = (out.team.clone(), out.role.clone());
    let at = PagerSchedule {
        vendor,
        schedule: &sched,
        team: &team,
        role: &role,
    };
    for batch in out.changes.create.chunks(BATCH) {
        let new: Vec<NewOverride> = batch
            .iter()
            .map(|w| NewOverride {
                start: w.start,
                end: w.end,
                user: w.user.clone(),
            })
            .collect();
        let results = match pager.create(&sched, &new) {
            Ok(r) => r,
            Err(e @ PagerError::Refused { .. }) => return Err(e.into()),
            Err(e) => {
                out.failed
                    .push(format!("{} override(s) not created: {e}", new.len()));
                continue;
            }
        };
        let mut ids = Vec::new();
        for (w, r) in batch.iter().zip(results) {
            match r {
                Ok(id) => ids.push(id),
                Err(why) => out.failed.push(format!(
                    "not created: {} {}–{}: {why}",
                    w.person, w.start, w.end
                )),
            }
        }
        schedule.record_pager_changes(at, (&ids, &[]), None)?;
        out.created += ids.len();
    }
    let mut gone = Vec::new();
    for e in &out.changes.delete {
        match pager.delete(&sched, &e.id) {
            Ok(()) => gone.push(e.id.clone()),
            Err(e @ PagerError::Refused { .. }) => return Err(e.into()),
            Err(err) => out.failed.push(format!("not deleted: {}: {err}", e.id)),
        }
    }
    out.deleted = gone.len();
    let detail = serde_json::json!({
        "schedule": sched, "role": role, "created": out.created, "deleted": out.deleted,
        "conflicts": out.changes.conflicts.len(), "failed": out.failed.len(),
    });
    schedule.record_pager_changes(at, (&[], &gone), Some(&detail))?;
    Ok(())
}

/// Why one schedule's sync stopped.
#[derive(Debug)]
enum Stop {
    Pager(PagerError),
    Store(ScheduleError),
}

impl From<PagerError> for Stop {
    fn from(e: PagerError) -> Self {
        Stop::Pager(e)
    }
}

impl From<ScheduleError> for Stop {
    fn from(e: ScheduleError) -> Self {
        Stop::Store(e)
    }
}
