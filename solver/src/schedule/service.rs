//! The schedule service: each use case that reads or changes the published
//! schedule is one call here, and each call that changes it reads, judges and
//! writes inside one `IMMEDIATE` transaction (STYLE.md §14). Two people
//! changing the same week at the same moment are serialised by SQLite: the
//! second judges the schedule as the first left it.
//!
//! The command line and the server only translate arguments into these calls
//! and their results into text, pages or exit codes.

use std::path::Path;

use chrono::NaiveDate;

use crate::checker::{self, CheckReport, Violation};
use crate::model::document::PlanDoc;
use crate::model::history::{Busy, HeldShift};
use crate::model::{TeamIdx, Workspace};
use crate::pay::periods::{self as pay_periods, CloseError, ClosedPeriod};
use crate::pay::{Incident, PayPeriod};
use crate::plan::optimise::PlanOptions;
use crate::schedule::busy_index::{self, BusyIndex};
use crate::schedule::changes::{self, Refusal, Swap, SwapCycle};
use crate::schedule::notify::{announce, announce_offer, EventKind};
use crate::schedule::offers::Terms;
use crate::schedule::replan::{self, Replan, ReplanError};
use crate::schedule::sequences::Sequences;
use crate::schedule::store::{
    ChangeKind, NewOffer, NewOverride, OfferRead, PayRead, Store, StoreError, StoreRead,
    SwapRequest, Writer, DB_FILE,
};
use crate::schedule::timeline::Timeline;

/// Failures of the service itself (the store, or a re-plan that cannot
/// start). A change that the rules refuse is not an error: it is an
/// [`Outcome`].
#[derive(Debug, thiserror::Error)]
pub enum ScheduleError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A re-plan cannot start or failed.
    #[error(transparent)]
    Replan(#[from] ReplanError),
    /// The weeks asked for cannot be laid out.
    #[error(transparent)]
    Horizon(#[from] crate::plan::horizon::HorizonError),
}

/// What became of a judged change.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome<T, R> {
    /// Recorded. `overruled` lists the rules that `--force` skipped (and the
    /// audit log records); it is empty for a change that passed.
    Recorded {
        /// What was written (ids, a version number).
        value: T,
        /// Rules skipped with `--force`.
        overruled: Vec<R>,
    },
    /// Refused by the rules; `--force` would record it anyway.
    Refused(Vec<R>),
    /// Refused for its structure (unknown names, an empty span, nothing
    /// published there); `--force` cannot record it.
    Malformed(Vec<R>),
}

impl<T, R> Outcome<T, R> {
    /// Whether the change was recorded.
    pub fn is_recorded(&self) -> bool {
        matches!(self, Outcome::Recorded { .. })
    }
}

/// What `swap match` granted in one team.
#[derive(Clone, Debug, PartialEq)]
pub struct TeamMatch {
    /// The team.
    pub team: TeamIdx,
    /// Its open requests before matching.
    pub requests: Vec<SwapRequest>,
    /// The cycles granted together.
    pub cycles: Vec<SwapCycle>,
}

/// The published schedule of a workspace, over its state store.
#[derive(Debug)]
pub struct Schedule<'w> {
    ws: &'w Workspace,
    store: Option<Store>,
    /// Whether `store` was opened for writing.
    writable: bool,
}

impl<'w> Schedule<'w> {
    /// Opens the workspace's store for reading and writing, creating it if
    /// there is none.
    ///
    /// # Errors
    /// The store cannot be opened or migrated.
    pub fn open(ws: &'w Workspace) -> Result<Self, ScheduleError> {
        Ok(Schedule {
            ws,
            store: Some(Store::open(&ws.root)?),
            writable: true,
        })
    }

    /// Records every change made through this schedule as made by `actor`
    /// (see [`Store::acting_as`]): the acting person is the caller's to say.
    #[must_use]
    pub fn acting_as(mut self, actor: impl Into<String>) -> Self {
        self.store = self.store.map(|s| s.acting_as(actor));
        self
    }

    /// Opens the workspace's store for reading only. With no store yet, the
    /// schedule is empty and nothing is created, so readers work on a
    /// read-only workspace.
    ///
    /// # Errors
    /// The store exists but cannot be read.
    pub fn read_only(ws: &'w Workspace) -> Result<Self, ScheduleError> {
        let store = if has_store(&ws.root) {
            Some(Store::open_read_only(&ws.root)?)
        } else {
            None
        };
        Ok(Schedule {
            ws,
            store,
            writable: false,
        })
    }

    /// The workspace.
    pub fn workspace(&self) -> &'w Workspace {
        self.ws
    }

    /// The underlying store, when there is one (for the audit log and other
    /// plain reads).
    pub fn store(&self) -> Option<&Store> {
        self.store.as_ref()
    }

    /// The store opened for writing (created when there is none yet).
    pub(super) fn store_mut(&mut self) -> Result<&mut Store, ScheduleError> {
        if !self.writable {
            self.store = Some(Store::open(&self.ws.root)?);
            self.writable = true;
        }
        self.store
            .as_mut()
            .ok_or_else(|| ScheduleError::Store(StoreError::Invalid("no state store".into())))
    }

    /// The resolved timeline of `team`: published versions with overrides.
    ///
    /// # Errors
    /// The store cannot be read.
    pub fn timeline(&self, team: TeamIdx) -> Result<Timeline, ScheduleError> {
        match &self.store {
            Some(s) => Ok(s.read(|r| r.timeline(self.ws, team))?),
            None => Ok(Timeline::default()),
        }
    }

    /// Every team's resolved timeline, in team order.
    ///
    /// # Errors
    /// The store cannot be read.
    pub fn timelines(&self) -> Result<Vec<Timeline>, ScheduleError> {
        let ws = self.ws;
        let Some(store) = &self.store else {
            return Ok(vec![Timeline::default(); ws.teams.len()]);
        };
        Ok(store.read(|r| r.timelines(ws))?)
    }

    /// Published history of `team` before `first_week`, for planning.
    ///
    /// # Errors
    /// The store cannot be read.
    pub fn history(
        &self,
        team: TeamIdx,
        first_week: NaiveDate,
    ) -> Result<Vec<HeldShift>, ScheduleError> {
        Ok(history_before(&self.timeline(team)?, first_week))
    }

    /// Checks a plan against the inputs and the published history before
    /// its first week: the same gate that [`Schedule::publish`] applies.
    ///
    /// # Errors
    /// The store cannot be read.
    pub fn check_plan(&self, team: TeamIdx, doc: &PlanDoc) -> Result<CheckReport, ScheduleError> {
        match &self.store {
            Some(s) => Ok(s.read(|r| gate_in(self.ws, r, team, doc))?),
            None => Ok(gate(self.ws, team, doc, &self.timelines()?)),
        }
    }

    /// The time members of `team` are on call for teams that exclude it,
    /// from every team's resolved timeline: a plan of `team` avoids it.
    ///
    /// # Errors
    /// The store cannot be read.
    pub fn busy_elsewhere(&self, team: TeamIdx) -> Result<Vec<Busy>, ScheduleError> {
        let ws = self.ws;
        let Some(store) = &self.store else {
            return Ok(Vec::new());
        };
        Ok(store.read(|r| members_busy(ws, r, team))?)
    }

    /// Publishes `doc` as the next version of `team`'s plan, if it passes the
    /// checker against the inputs and the history it follows. With `force`,
    /// the rules are skipped (and audited); a plan with a structural
    /// violation ([`Violation::is_structural`]: another team, unknown people
    /// or roles, shifts off the handoffs, slots missing or listed twice) is
    /// [`Outcome::Malformed`] and never stored.
    ///
    /// # Errors
    /// The store fails.
    pub fn publish(
        &mut self,
        team: TeamIdx,
        doc: &PlanDoc,
        force: bool,
        detail: serde_json::Value,
    ) -> Result<Outcome<u32, Violation>, ScheduleError> {
        let ws = self.ws;
        self.store_mut()?.write(|w| {
            let report = gate_in(ws, w, team, doc)?;
            if report.violations.iter().any(Violation::is_structural) {
                let structural = report.violations.into_iter();
                return Ok(Outcome::Malformed(
                    structural.filter(Violation::is_structural).collect(),
                ));
            }
            if !report.violations.is_empty() && !force {
                return Ok(Outcome::Refused(report.violations));
            }
            let mut detail = detail;
            if let Some(o) = detail.as_object_mut() {
                o.insert("status".into(), doc.status.clone().into());
                o.insert("violations".into(), texts(&report.violations).into());
            }
            let forced = !report.violations.is_empty();
            let version = announce(ws, w, (team, EventKind::Publish), || {
                w.publish(&ws.team(team).id, doc, forced, &detail)
            })?;
            Ok(Outcome::Recorded {
                value: version,
                overruled: report.violations,
            })
        })
    }

    /// Puts `o.person` on call for `o.role` over `[o.start, o.end)`, in place
    /// of whoever holds it then. `by` is the person asking (matched from
    /// `$ONCALL_USER`): unless it is `o.person`, who thereby agrees to take
    /// the shift, the change needs `force` (a manager's, audited).
    ///
    /// # Errors
    /// The store fails.
    pub fn override_(
        &mut self,
        team: TeamIdx,
        o: NewOverride,
        by: Option<&str>,
        force: bool,
    ) -> Result<Outcome<Vec<i64>, Refusal>, ScheduleError> {
        let ws = self.ws;
        self.store_mut()?.write(|w| {
            let before = w.timeline(ws, team)?;
            if let Err(refusals) = changes::validate_override(ws, team, &before, &o) {
                return Ok(Outcome::Malformed(refusals));
            }
            let detail = serde_json::json!({
                "role": o.role, "person": o.person, "start": o.start, "end": o.end,
                "reason": o.reason,
            });
            let change = Change {
                kind: ChangeKind::Override,
                new: &[o],
                by,
                force,
            };
            record(ws, w, team, &change, detail)
        })
    }

    /// Exchanges whole weeks (see [`Swap`]). Everyone who takes a week must
    /// be `by` (see [`Schedule::override_`]), so a two-way exchange needs an
    /// offer (`trade offer`, `swap request`) or a manager's `force`.
    ///
    /// # Errors
    /// The store fails.
    pub fn swap(
        &mut self,
        team: TeamIdx,
        spec: &Swap,
        by: Option<&str>,
        force: bool,
    ) -> Result<Outcome<Vec<i64>, Refusal>, ScheduleError> {
        let ws = self.ws;
        self.store_mut()?.write(|w| {
            let before = w.timeline(ws, team)?;
            let new = match changes::swap_overrides(ws, team, &before, spec) {
                Ok(n) => n,
                Err(refusals) => return Ok(Outcome::Malformed(refusals)),
            };
            let detail = serde_json::json!({
                "role": spec.role, "week": spec.week, "with": spec.with,
                "their_week": spec.their_week, "reason": spec.reason,
            });
            let change = Change {
                kind: ChangeKind::Swap,
                new: &new,
                by,
                force,
            };
            record(ws, w, team, &change, detail)
        })
    }

    /// Records that `person` offers the week containing `give` for any of
    /// the weeks containing `want`. They must hold something that week, the
    /// weeks wanted must be published and differ from it, and the same
    /// request must not be open already.
    ///
    /// # Errors
    /// The store fails.
    pub fn request_swap(
        &mut self,
        team: TeamIdx,
        person: &str,
        by: Option<&str>,
        give: NaiveDate,
        want: &[NaiveDate],
        force: bool,
    ) -> Result<Outcome<i64, Refusal>, ScheduleError> {
        let ws = self.ws;
        let give = changes::week_of_date(ws, team, give);
        let mut want: Vec<NaiveDate> = want
            .iter()
            .map(|&d| changes::week_of_date(ws, team, d))
            .collect();
        let mut seen = std::collections::BTreeSet::new();
        want.retain(|&w| seen.insert(w));
        self.store_mut()?.write(|w| {
            let tl = w.timeline(ws, team)?;
            let open = w.open_swap_requests(&ws.team(team).id)?;
            if let Err(refusals) = changes::validate_swap_request(&tl, &open, person, give, &want) {
                return Ok(Outcome::Malformed(refusals));
            }
            let overruled = match by {
                Some(b) if b == person => Vec::new(),
                _ if force => vec![Refusal::NotAsker {
                    person: person.to_string(),
                }],
                _ => {
                    let person = person.to_string();
                    return Ok(Outcome::Refused(vec![Refusal::NotAsker { person }]));
                }
            };
            let offer = NewOffer {
                team: ws.team(team).id.clone(),
                person: person.to_string(),
                terms: Terms::Swap { give, want },
                consented: true,
            };
            let id = w.add_offer(&offer, !overruled.is_empty())?;
            let event = (offer.team.as_str(), EventKind::OfferCreated);
            announce_offer(ws, w, event, id, &[person])?;
            Ok(Outcome::Recorded {
                value: id,
                overruled,
            })
        })
    }

    /// Grants the largest set of open swap requests that can be carried out
    /// together within the rules, in each of `teams`; with `dry_run`, only
    /// says which. Only requests their askers made (or a manager forced)
    /// take part: in a granted cycle, everyone who takes a week asked for it.
    ///
    /// # Errors
    /// The store fails.
    pub fn match_swaps(
        &mut self,
        teams: &[TeamIdx],
        dry_run: bool,
    ) -> Result<Vec<TeamMatch>, ScheduleError> {
        let ws = self.ws;
        self.store_mut()?.write(|w| {
            let mut out = Vec::new();
            for &team in teams {
                let id = &ws.team(team).id;
                let requests = w.open_swap_requests(id)?;
                if requests.is_empty() {
                    continue;
                }
                let slots = w.slots(id)?;
                let overrides = w.overrides(id)?;
                let consented: Vec<SwapRequest> =
                    requests.iter().filter(|r| r.consented).cloned().collect();
                let busy = members_busy(ws, w, team)?;
                let cycles = changes::match_swaps(ws, team, &slots, &overrides, &consented, &busy);
                if !dry_run && !cycles.is_empty() {
                    let granted: Vec<i64> =
                        cycles.iter().flat_map(|c| c.requests.clone()).collect();
                    let all: Vec<NewOverride> =
                        cycles.iter().flat_map(|c| c.overrides.clone()).collect();
                    let detail = serde_json::json!({ "requests": granted });
                    announce(ws, w, (team, EventKind::SwapMatch), || {
                        w.add_overrides(id, ChangeKind::SwapMatch, &all, false, &granted, &detail)
                    })?;
                }
                out.push(TeamMatch {
                    team,
                    requests,
                    cycles,
                });
            }
            Ok::<_, ScheduleError>(out)
        })
    }

    /// Re-plans `team` from the first handoff on or after `from`, against a
    /// consistent snapshot of the resolved timeline. Nothing is written: the
    /// result is a plan to publish.
    ///
    /// # Errors
    /// Nothing published from `from` on, a planning failure, or the store.
    pub fn replan(
        &self,
        team: TeamIdx,
        from: NaiveDate,
        opts: &PlanOptions,
    ) -> Result<Replan, ScheduleError> {
        let timelines = self.timelines()?;
        let busy = BusyIndex::new(&timelines).busy_elsewhere(self.ws, team);
        let tl = timelines.get(team.0).cloned().unwrap_or_default();
        Ok(replan::replan(self.ws, team, from, &tl, &busy, opts)?)
    }

    /// Runs `f` over every team's resolved timeline and the stored
    /// `SEQUENCE` book, in one write transaction that then saves what `f`
    /// changed in the book. On a store this process cannot write (a read-only
    /// workspace), `f` runs on a read snapshot and nothing is saved. Returns
    /// what `f` returned and whether the book was saved.
    ///
    /// # Errors
    /// The store fails (other than by being read-only).
    pub fn with_sequences<T>(
        &mut self,
        f: impl Fn(&[Timeline], &mut Sequences) -> T,
    ) -> Result<(T, bool), ScheduleError> {
        let ws = self.ws;
        self.with_sequences_of(&|r| r.timelines(ws), f)
    }

    /// [`Schedule::with_sequences`] over the timelines `read` reads (of
    /// some teams only, in the same transaction): what one feed needs.
    ///
    /// # Errors
    /// The store fails (other than by being read-only).
    pub fn with_sequences_of<T>(
        &mut self,
        read: &Timelines<'_>,
        f: impl Fn(&[Timeline], &mut Sequences) -> T,
    ) -> Result<(T, bool), ScheduleError> {
        match self.saved_sequences(read, &f) {
            Ok(out) => Ok((out, true)),
            Err(ScheduleError::Store(e)) if e.is_read_only() => {
                Ok((self.unsaved_sequences(read, &f)?, false))
            }
            Err(e) => Err(e),
        }
    }

    fn saved_sequences<T>(
        &mut self,
        read: &Timelines<'_>,
        f: &impl Fn(&[Timeline], &mut Sequences) -> T,
    ) -> Result<T, ScheduleError> {
        self.store_mut()?.write(|w| {
            let timelines = read(w)?;
            let mut sequences = w.feed_sequences()?;
            let out = f(&timelines, &mut sequences);
            w.save_feed_sequences(&sequences.take_changed())?;
            Ok::<_, ScheduleError>(out)
        })
    }

    /// [`Schedule::saved_sequences`] from a read snapshot, saving nothing.
    fn unsaved_sequences<T>(
        &mut self,
        read: &Timelines<'_>,
        f: &impl Fn(&[Timeline], &mut Sequences) -> T,
    ) -> Result<T, ScheduleError> {
        let ws = self.ws;
        if self.writable || self.store.is_none() {
            self.store = has_store(&ws.root)
                .then(|| Store::open_read_only(&ws.root))
                .transpose()?;
            self.writable = false;
        }
        let Some(store) = &self.store else {
            return Ok(f(&[], &mut Sequences::new()));
        };
        Ok(store.read(|r| {
            let timelines = read(r)?;
            Ok(f(&timelines, &mut r.feed_sequences()?))
        })?)
    }
}

/// Reads some teams' resolved timelines in a transaction.
pub type Timelines<'a> = dyn Fn(&dyn StoreRead) -> Result<Vec<Timeline>, StoreError> + 'a;

/// Whether the workspace at `root` has a state store yet.
pub fn has_store(root: &Path) -> bool {
    root.join(DB_FILE).exists()
}

/// The segments of `timeline` in weeks before `first_week`, as history.
pub fn history_before(timeline: &Timeline, first_week: NaiveDate) -> Vec<HeldShift> {
    timeline
        .held()
        .into_iter()
        .filter(|h| h.week < first_week)
        .collect()
}

/// The publish gate, shared by `check-plan` and `publish`: the independent
/// checker against the inputs, the history before the plan's first week, and
/// the time its people are on call for other teams (`timelines`: every
/// team's, in team order).
pub(super) fn gate(
    ws: &Workspace,
    team: TeamIdx,
    doc: &PlanDoc,
    timelines: &[Timeline],
) -> CheckReport {
    let own = timelines.get(team.0).cloned().unwrap_or_default();
    let busy = crate::schedule::timeline::busy_elsewhere(ws, team, timelines);
    gate_with(ws, team, doc, &own, &busy)
}

/// [`gate`] with the team's own timeline `own` and the time its people are
/// on call elsewhere (`busy`) already found.
pub(super) fn gate_with(
    ws: &Workspace,
    team: TeamIdx,
    doc: &PlanDoc,
    own: &Timeline,
    busy: &[Busy],
) -> CheckReport {
    checker::check_plan_around(ws, team, doc, &history_of(own, doc), busy)
}

/// [`gate_with`] with everyone's time off already found (`publish --all`).
pub(super) fn gate_among(
    ws: &Workspace,
    team: TeamIdx,
    doc: &PlanDoc,
    (own, busy): (&Timeline, &[Busy]),
    time_off: &checker::TimeOffByPerson<'_>,
) -> CheckReport {
    let history = history_of(own, doc);
    checker::check_plan_among(ws, team, doc, (&history, busy), time_off)
}

/// The segments of `own` before `doc`'s first week, as history.
fn history_of(own: &Timeline, doc: &PlanDoc) -> Vec<HeldShift> {
    let first = doc
        .horizon
        .as_ref()
        .map_or(NaiveDate::MIN, |h| h.first_week);
    history_before(own, first)
}

/// [`gate`] as `r` reads the store: only the timelines that name the plan's
/// people are read.
pub(super) fn gate_in<R: StoreRead + ?Sized>(
    ws: &Workspace,
    r: &R,
    team: TeamIdx,
    doc: &PlanDoc,
) -> Result<CheckReport, StoreError> {
    let people: std::collections::BTreeSet<&str> =
        doc.shifts.iter().map(|s| s.person.as_str()).collect();
    let index = busy_index::of_people(ws, r, &people)?;
    let busy = index.busy_of(ws, team, people.iter().copied());
    Ok(gate_with(ws, team, doc, &r.timeline(ws, team)?, &busy))
}

/// The time the members of `team` are on call for teams that exclude it,
/// reading only the timelines that name them.
fn members_busy<R: StoreRead + ?Sized>(
    ws: &Workspace,
    r: &R,
    team: TeamIdx,
) -> Result<Vec<Busy>, StoreError> {
    let members = ws.team(team).members.iter();
    let people: std::collections::BTreeSet<&str> = members
        .filter_map(|p| ws.people.get(p.0))
        .map(|p| p.id.as_str())
        .collect();
    let index = busy_index::of_people(ws, r, &people)?;
    Ok(index.busy_elsewhere(ws, team))
}

/// A change made of overrides, and who asks for it.
pub(super) struct Change<'a> {
    /// What made the overrides.
    pub(super) kind: ChangeKind,
    /// The overrides.
    pub(super) new: &'a [NewOverride],
    /// The person asking, when `$ONCALL_USER` names one.
    pub(super) by: Option<&'a str>,
    /// Record it despite the rules and missing consent (audited).
    pub(super) force: bool,
}

/// Everyone who would take a shift through `new` and is not `by`.
pub(super) fn without_consent(new: &[NewOverride], by: Option<&str>) -> Vec<Refusal> {
    let mut takers: Vec<&str> = new.iter().map(|o| o.person.as_str()).collect();
    takers.sort_unstable();
    takers.dedup();
    takers.retain(|p| Some(*p) != by);
    let person = |p: &str| p.to_string();
    takers
        .into_iter()
        .map(|p| Refusal::NoConsent { person: person(p) })
        .collect()
}

/// The refusals of the overrides `new` on the timeline as `r` reads it:
/// eligibility and the rules for every stretch that is new after them.
pub(super) fn judge_new<R: StoreRead + ?Sized>(
    ws: &Workspace,
    r: &R,
    team: TeamIdx,
    new: &[NewOverride],
) -> Result<Vec<Refusal>, StoreError> {
    let id = &ws.team(team).id;
    let slots = r.slots(id)?;
    let existing = r.overrides(id)?;
    let before = Timeline::resolve(ws.team(team), &slots, &existing);
    let after = changes::with_overrides(ws, team, &slots, &existing, new);
    // Only the people of stretches the change makes can clash elsewhere.
    let old: std::collections::BTreeSet<_> = before
        .segments
        .iter()
        .map(|s| (&s.role, &s.person, s.start, s.end))
        .collect();
    let fresh = after.segments.iter();
    let people: std::collections::BTreeSet<&str> = fresh
        .filter(|s| !old.contains(&(&s.role, &s.person, s.start, s.end)))
        .map(|s| s.person.as_str())
        .collect();
    let index = busy_index::of_people(ws, r, &people)?;
    let busy = index.busy_of(ws, team, people.iter().copied());
    Ok(changes::judge(ws, team, (&before, &after), &busy))
}

/// Judges `change` on the timeline as `w` reads it, with the consent of
/// whoever takes a shift, and records it when it passes or when forced.
fn record(
    ws: &Workspace,
    w: &Writer<'_>,
    team: TeamIdx,
    change: &Change<'_>,
    mut detail: serde_json::Value,
) -> Result<Outcome<Vec<i64>, Refusal>, ScheduleError> {
    let mut refusals = without_consent(change.new, change.by);
    refusals.extend(judge_new(ws, w, team, change.new)?);
    if !refusals.is_empty() && !change.force {
        return Ok(Outcome::Refused(refusals));
    }
    if let Some(o) = detail.as_object_mut() {
        o.insert("refusals".into(), texts(&refusals).into());
    }
    let forced = !refusals.is_empty();
    let id = &ws.team(team).id;
    let event = match change.kind {
        ChangeKind::Swap => EventKind::Swap,
        ChangeKind::SwapMatch => EventKind::SwapMatch,
        ChangeKind::Accept => EventKind::OfferAccepted,
        ChangeKind::Override => EventKind::Override,
    };
    let ids = announce(ws, w, (team, event), || {
        w.add_overrides(id, change.kind, change.new, forced, &[], &detail)
    })?;
    Ok(Outcome::Recorded {
        value: ids,
        overruled: refusals,
    })
}

pub(super) fn texts<T: ToString>(items: &[T]) -> Vec<String> {
    items.iter().map(ToString::to_string).collect()
}

/// Why a pay period could not be closed.
#[derive(Debug, thiserror::Error)]
pub enum ClosePeriodError {
    /// The store failed.
    #[error(transparent)]
    Schedule(#[from] ScheduleError),
    /// Refused (closed twice, overlapping, out of order), or no report.
    #[error(transparent)]
    Close(#[from] CloseError),
}

impl From<StoreError> for ClosePeriodError {
    fn from(e: StoreError) -> Self {
        ClosePeriodError::Schedule(e.into())
    }
}

/// Every team's resolved timeline, with its team, and the closed pay periods.
pub type PayState = (Vec<(TeamIdx, Timeline)>, Vec<ClosedPeriod>);

impl Schedule<'_> {
    /// Every team's resolved timeline and the closed pay periods (oldest
    /// first), read in one snapshot.
    ///
    /// # Errors
    /// The store cannot be read.
    pub fn pay_state(&self) -> Result<PayState, ScheduleError> {
        let ws = self.ws;
        let Some(store) = &self.store else {
            return Ok((Vec::new(), Vec::new()));
        };
        Ok(store.read(|r| pay_state(ws, r))?)
    }

    /// Closes `period`: stores its report, with the adjustments of earlier
    /// closed periods, as paid, and records who closed it in the audit log.
    /// Reads, judges and writes in one transaction.
    ///
    /// # Errors
    /// Refused when already closed, overlapping a closed period or out of
    /// order; no report can be made; or the store fails.
    pub fn close_pay_period(
        &mut self,
        period: PayPeriod,
        incidents: &[Incident],
    ) -> Result<ClosedPeriod, ClosePeriodError> {
        let ws = self.ws;
        self.store_mut()?.write(|w| {
            let (timelines, closed) = pay_state(ws, w)?;
            let report = pay_periods::close(ws, &timelines, period, incidents, &closed)?;
            let sha = pay_periods::inputs_sha256(ws, &timelines, incidents);
            let stamp = w.close_pay_period(&report, &sha)?;
            crate::schedule::notify::announce_closed(ws, w, &report)?;
            Ok(ClosedPeriod { stamp, report })
        })
    }
}

fn pay_state<R: StoreRead + ?Sized>(ws: &Workspace, r: &R) -> Result<PayState, StoreError> {
    let timelines = r.timelines(ws)?.into_iter().enumerate();
    let timelines = timelines.map(|(t, tl)| (TeamIdx(t), tl)).collect();
    Ok((timelines, r.closed_pay_periods()?))
}
