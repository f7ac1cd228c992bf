//! The whole organisation at once: every team planned over one horizon
//! (teams that share people together), and a set of plans published in one
//! transaction, all or none.

use std::fmt;

use chrono::{DateTime, Utc};

use super::service::{Outcome, Schedule, ScheduleError};
use crate::checker::Violation;
use crate::model::document::PlanDoc;
use crate::model::{TeamIdx, Workspace};
use crate::plan::horizon::{self, HorizonSpec};
use crate::plan::optimise::{self, PlanOptions, TeamContext, TeamResult};
use crate::schedule::busy_index::BusyIndex;
use crate::schedule::store::{StoreError, StoreRead, Writer};
use crate::schedule::timeline::{PublishedSlot, Timeline};

/// A violation of one plan in a set.
#[derive(Clone, Debug, PartialEq)]
pub struct TeamViolation {
    /// The team whose plan it is.
    pub team: String,
    /// What is wrong.
    pub violation: Violation,
}

impl fmt::Display for TeamViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.team, self.violation)
    }
}

/// Why a set of plans was not published: it lands whole or not at all.
enum Abort {
    Store(StoreError),
    Refused(Vec<TeamViolation>),
    Malformed(Vec<TeamViolation>),
}

impl From<StoreError> for Abort {
    fn from(e: StoreError) -> Self {
        Abort::Store(e)
    }
}

impl Schedule<'_> {
    /// What planning `team` alone over `spec` starts from: its published
    /// history before the horizon, and the time its members hold in other
    /// teams' published timelines (blocked: no one is on call twice).
    ///
    /// # Errors
    /// The horizon cannot be laid out, or the store cannot be read.
    pub fn context(&self, team: TeamIdx, spec: &HorizonSpec) -> Result<TeamContext, ScheduleError> {
        let ws = self.workspace();
        let first = horizon::weeks(ws.team(team), spec)?
            .first()
            .map_or(chrono::NaiveDate::MIN, |w| w.first_day);
        Ok(TeamContext {
            history: self.history(team, first)?,
            busy: self.busy_elsewhere(team)?,
        })
    }

    /// Plans every team over `spec`: teams that share people as one
    /// component, components in parallel on `jobs` threads. Each team plans
    /// after its published history, around the time its people hold in the
    /// published timelines of teams outside its component (and of teams in
    /// it before their horizon). `done` hears how many teams each finished
    /// component had.
    ///
    /// # Errors
    /// The store cannot be read, or the thread pool cannot start.
    pub fn plan_all(
        &self,
        spec: &HorizonSpec,
        opts: &PlanOptions,
        jobs: Option<usize>,
        done: &(dyn Fn(usize) + Sync),
    ) -> Result<Vec<TeamResult>, ScheduleError> {
        let ws = self.workspace();
        let timelines = self.timelines()?;
        let index = BusyIndex::new(&timelines);
        let teams: Vec<TeamIdx> = (0..ws.teams.len()).map(TeamIdx).collect();
        let groups = optimise::components(ws, &teams);
        let context = |t: TeamIdx| {
            let group = groups
                .iter()
                .find(|g| g.contains(&t))
                .cloned()
                .unwrap_or_default();
            team_context(ws, t, spec, &group, (&timelines, &index))
        };
        optimise::plan_all(ws, &teams, spec, opts, &context, jobs, done)
            .map_err(|e| ScheduleError::Store(StoreError::Invalid(e.to_string())))
    }

    /// Publishes every plan of `docs` as its team's next version, in one
    /// transaction: each is checked (the publish gate) against the timelines
    /// as they are with all of them published, so plans of teams that share
    /// people are judged against each other. One refused plan refuses all,
    /// and nothing is written. With `force` the rules are skipped (audited);
    /// a plan of the wrong shape is never stored.
    ///
    /// The timelines are read once into a [`BusyIndex`], which each plan
    /// updates as it is staged. A plan identical to its team's latest
    /// version (the same slots and `inputs_sha256`) is left as it is:
    /// [`Landed::unchanged`], no new version, and one audit line for all of
    /// them.
    ///
    /// # Errors
    /// The store fails.
    pub fn publish_all(
        &mut self,
        docs: &[(TeamIdx, PlanDoc)],
        force: bool,
        detail: &serde_json::Value,
    ) -> Result<Outcome<Vec<Landed>, TeamViolation>, ScheduleError> {
        let ws = self.workspace();
        let result = self.store_mut()?.write(|w| {
            let staged = stage(ws, w, docs)?;
            let found = judge_all(ws, docs, &staged);
            let structural = found.iter().filter(|v| v.violation.is_structural());
            let structural: Vec<TeamViolation> = structural.cloned().collect();
            if !structural.is_empty() {
                return Err(Abort::Malformed(structural));
            }
            if !found.is_empty() && !force {
                return Err(Abort::Refused(found));
            }
            let landed = write_all(ws, w, docs, &staged, &found, detail)?;
            Ok((landed, found))
        });
        match result {
            Ok((value, overruled)) => Ok(Outcome::Recorded { value, overruled }),
            Err(Abort::Refused(v)) => Ok(Outcome::Refused(v)),
            Err(Abort::Malformed(v)) => Ok(Outcome::Malformed(v)),
            Err(Abort::Store(e)) => Err(e.into()),
        }
    }
}

/// What became of one plan of a set that landed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Landed {
    /// The team's version now holding the plan.
    pub version: u32,
    /// Whether that version was already published (nothing was written).
    pub unchanged: bool,
}

/// A set of plans staged in one transaction: the timelines as they would be
/// with them published, and their busy index.
struct Staged {
    timelines: Vec<Timeline>,
    index: BusyIndex,
    /// Per plan of the set: the published version it is identical to.
    same_as: Vec<Option<u32>>,
}

/// Reads the timelines once and stages every plan of `docs` that differs
/// from its team's latest version.
fn stage(ws: &Workspace, w: &Writer<'_>, docs: &[(TeamIdx, PlanDoc)]) -> Result<Staged, Abort> {
    let mut timelines = w.timelines(ws)?;
    let mut index = BusyIndex::new(&timelines);
    let mut same_as = Vec::with_capacity(docs.len());
    for (team, doc) in docs {
        let id = &ws.team(*team).id;
        let slots = w.slots(id)?;
        let same = identical(w, id, &slots, doc)?;
        same_as.push(same);
        if same.is_some() {
            continue;
        }
        let tl = prospective(ws, w, *team, doc, slots)?;
        index.replace(*team, &tl);
        if let Some(old) = timelines.get_mut(team.0) {
            *old = tl;
        }
    }
    Ok(Staged {
        timelines,
        index,
        same_as,
    })
}

/// The latest published version of team `id`, when `doc` is identical to
/// it: the same `inputs_sha256` and the same slots.
fn identical(
    w: &Writer<'_>,
    id: &str,
    slots: &[PublishedSlot],
    doc: &PlanDoc,
) -> Result<Option<u32>, StoreError> {
    let Some(latest) = slots.iter().map(|s| s.version).max() else {
        return Ok(None);
    };
    let key = |week, role: &str, person: &str, start, end, load: f64| {
        (
            week,
            role.to_string(),
            person.to_string(),
            start,
            end,
            load.to_bits(),
        )
    };
    let mut published: Vec<_> = slots
        .iter()
        .filter(|s| s.version == latest)
        .map(|s| key(s.week, &s.role, &s.person, s.start, s.end, s.load))
        .collect();
    let mut planned: Vec<_> = doc
        .shifts
        .iter()
        .map(|s| key(s.week, &s.role, &s.person, s.start, s.end, s.load))
        .collect();
    published.sort();
    planned.sort();
    if published != planned || doc.team != id {
        return Ok(None);
    }
    let sha = w.versions(id)?.into_iter().find(|v| v.version == latest);
    let same = sha.is_some_and(|v| Some(&v.inputs_sha256) == doc.inputs_sha256.as_ref());
    Ok(same.then_some(latest))
}

/// Writes the staged plans of `docs` (one audit line for those unchanged).
fn write_all(
    ws: &Workspace,
    w: &Writer<'_>,
    docs: &[(TeamIdx, PlanDoc)],
    staged: &Staged,
    found: &[TeamViolation],
    detail: &serde_json::Value,
) -> Result<Vec<Landed>, StoreError> {
    let mut landed = Vec::with_capacity(docs.len());
    let mut unchanged = Vec::new();
    for ((team, doc), same) in docs.iter().zip(&staged.same_as) {
        let id = &ws.team(*team).id;
        if let Some(version) = *same {
            unchanged.push(id.clone());
            landed.push(Landed {
                version,
                unchanged: true,
            });
            continue;
        }
        let mine: Vec<String> = found
            .iter()
            .filter(|v| &v.team == id)
            .map(|v| v.violation.to_string())
            .collect();
        let mut detail = detail.clone();
        if let Some(o) = detail.as_object_mut() {
            o.insert("status".into(), doc.status.clone().into());
            o.insert("violations".into(), mine.clone().into());
        }
        let version = crate::schedule::notify::announce(
            ws,
            w,
            (*team, crate::schedule::notify::EventKind::Publish),
            || w.publish(id, doc, !mine.is_empty(), &detail),
        )?;
        landed.push(Landed {
            version,
            unchanged: false,
        });
    }
    if !unchanged.is_empty() {
        let mut detail = detail.clone();
        if let Some(o) = detail.as_object_mut() {
            o.insert("unchanged".into(), unchanged.into());
        }
        w.audit("", "publish-unchanged", false, &detail)?;
    }
    Ok(landed)
}

/// Team `team`'s timeline as it would be with `doc` published as its next
/// version after `slots` (all its published slots).
fn prospective<R: StoreRead + ?Sized>(
    ws: &Workspace,
    r: &R,
    team: TeamIdx,
    doc: &PlanDoc,
    mut slots: Vec<PublishedSlot>,
) -> Result<Timeline, StoreError> {
    let id = &ws.team(team).id;
    let version = slots.iter().map(|s| s.version).max().unwrap_or(0) + 1;
    let now = crate::clock::now();
    slots.extend(
        doc.shifts
            .iter()
            .map(|s| PublishedSlot::of_shift(s, version, now)),
    );
    Ok(Timeline::resolve(ws.team(team), &slots, &r.overrides(id)?))
}

/// The publish gate for every staged plan of `docs`, each against the
/// staged timelines.
fn judge_all(ws: &Workspace, docs: &[(TeamIdx, PlanDoc)], staged: &Staged) -> Vec<TeamViolation> {
    let mut out = Vec::new();
    let time_off = crate::checker::TimeOffByPerson::new(ws);
    for ((team, doc), same) in docs.iter().zip(&staged.same_as) {
        if same.is_some() {
            continue;
        }
        let own = staged.timelines.get(team.0).cloned().unwrap_or_default();
        let busy = staged.index.busy_elsewhere(ws, *team);
        let report = super::service::gate_among(ws, *team, doc, (&own, &busy), &time_off);
        out.extend(
            report
                .violations
                .into_iter()
                .map(|violation| TeamViolation {
                    team: ws.team(*team).id.clone(),
                    violation,
                }),
        );
    }
    out
}

/// What team `t` plans around in [`Schedule::plan_all`]: its history, and
/// the published time of other teams that exclude it, except the horizon
/// of teams planned with it now.
fn team_context(
    ws: &Workspace,
    t: TeamIdx,
    spec: &HorizonSpec,
    group: &[TeamIdx],
    (timelines, index): (&[Timeline], &BusyIndex),
) -> TeamContext {
    let own = timelines.get(t.0).cloned().unwrap_or_default();
    let first = |u: TeamIdx| -> Option<DateTime<Utc>> {
        horizon::weeks(ws.team(u), spec)
            .ok()?
            .first()
            .map(|w| w.start)
    };
    let history = match horizon::weeks(ws.team(t), spec)
        .ok()
        .and_then(|w| w.first().copied())
    {
        Some(week) => super::service::history_before(&own, week.first_day),
        None => Vec::new(),
    };
    // Published time of teams planned with `t` now counts only before
    // their horizon: from there on they are planned anew.
    let mut busy = index.busy_elsewhere(ws, t);
    busy.retain(|b| {
        let replanned_from = ws
            .team_by_id(&b.team)
            .filter(|u| group.contains(u))
            .and_then(first);
        replanned_from.is_none_or(|from| b.start < from)
    });
    TeamContext { history, busy }
}
