//! Notifications of schedule changes (docs/notifications.md).
//!
//! Every change that alters the schedule writes a [`Notification`] into the
//! store's outbox in the same transaction as the change itself, with one
//! delivery per channel that wants it: a refused or rolled-back change
//! leaves none. `oncall notify --once` ([`deliver`]) later sends what is
//! due, at least once, claiming each delivery under a lease so that two
//! deliverers never send the same one at the same time.

pub mod deliver;
mod email;
mod message;
mod remind;
mod webhook;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};

use crate::model::notify::Email;
use crate::model::{TeamIdx, Workspace};
use crate::schedule::store::{StoreError, StoreRead, Writer};
use crate::schedule::timeline::Timeline;

pub use message::{body, text};
pub use webhook::signature;

/// What happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    /// A plan version was published (alone, with `publish --all`, or after
    /// a re-plan).
    Publish,
    /// `oncall override`.
    Override,
    /// `oncall swap`.
    Swap,
    /// Swap requests granted together by `oncall swap match`.
    SwapMatch,
    /// An offer was accepted by whoever takes its shift.
    OfferAccepted,
    /// An offer was made (`cover request`, `trade offer`, `swap request`).
    OfferCreated,
    /// An offer was declined by the person asked.
    OfferDeclined,
    /// An offer was cancelled by its asker.
    OfferCancelled,
    /// An open offer's time came with nobody taking it.
    OfferExpired,
    /// A shift begins within `remind_before`.
    Reminder,
    /// A pay period was closed (`comp close`): one per team paid in it.
    PayPeriodClosed,
}

const EVENTS: [EventKind; 11] = [
    EventKind::Publish,
    EventKind::Override,
    EventKind::Swap,
    EventKind::SwapMatch,
    EventKind::OfferAccepted,
    EventKind::OfferCreated,
    EventKind::OfferDeclined,
    EventKind::OfferCancelled,
    EventKind::OfferExpired,
    EventKind::Reminder,
    EventKind::PayPeriodClosed,
];

impl EventKind {
    /// The name in bodies, headers and the store.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Publish => "publish",
            EventKind::Override => "override",
            EventKind::Swap => "swap",
            EventKind::SwapMatch => "swap-match",
            EventKind::OfferAccepted => "offer-accepted",
            EventKind::OfferCreated => "offer-created",
            EventKind::OfferDeclined => "offer-declined",
            EventKind::OfferCancelled => "offer-cancelled",
            EventKind::OfferExpired => "offer-expired",
            EventKind::Reminder => "reminder",
            EventKind::PayPeriodClosed => "pay-period-closed",
        }
    }

    /// The kind named `name`, if any.
    pub fn parse(name: &str) -> Option<EventKind> {
        EVENTS.into_iter().find(|k| k.as_str() == name)
    }
}

/// One stretch of one role whose holder changed: `before` held it over
/// `[from, to)` and `after` holds it now (`None`: nobody). It is listed
/// once for each of them, as `person`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct SpanChange {
    /// Whose shifts changed: `before` or `after`.
    pub person: String,
    /// The role.
    pub role: String,
    /// Start of the stretch.
    pub from: DateTime<Utc>,
    /// End of the stretch (exclusive).
    pub to: DateTime<Utc>,
    /// Who held it before the change.
    pub before: Option<String>,
    /// Who holds it after the change.
    pub after: Option<String>,
}

/// One change to announce.
#[derive(Clone, Debug, PartialEq)]
pub struct Notification {
    /// Stable id: the delivery id receivers deduplicate on.
    pub id: String,
    /// What happened.
    pub event: EventKind,
    /// The team.
    pub team: String,
    /// When the change was recorded.
    pub at: DateTime<Utc>,
    /// Who made it.
    pub actor: String,
    /// Everyone concerned, sorted: whose shifts changed, or who made or is
    /// asked by an offer.
    pub people: Vec<String>,
    /// The offer, for an offer's events.
    pub offer: Option<i64>,
    /// The bounds of a closed pay period, as `comp close --from --to` takes them.
    pub period: Option<(NaiveDate, NaiveDate)>,
    /// The stretches that changed hands, by person, then time.
    pub changes: Vec<SpanChange>,
}

impl Notification {
    /// A notification of the change from `before` to `after` of one team's
    /// timeline, or `None` when nobody's shifts changed.
    pub fn of_change(
        event: EventKind,
        (before, after): (&Timeline, &Timeline),
        at: DateTime<Utc>,
        actor: &str,
    ) -> Option<Notification> {
        let changes = span_changes(before, after);
        if changes.is_empty() {
            return None;
        }
        let people: BTreeSet<&str> = changes.iter().map(|c| c.person.as_str()).collect();
        Some(Notification {
            id: new_id(),
            event,
            team: after.team.clone(),
            at,
            actor: actor.to_string(),
            people: people.into_iter().map(str::to_string).collect(),
            offer: None,
            period: None,
            changes,
        })
    }
}

/// The channels that want `n`, by name: each webhook for its team, and
/// with `[notify.email]`, each person with an address whose own shifts
/// changed.
pub fn channels(ws: &Workspace, n: &Notification) -> Vec<String> {
    let hooks = ws.org.notify.webhooks.iter();
    let mut out: Vec<String> = hooks
        .filter(|h| h.wants(&n.team))
        .map(|h| h.channel())
        .collect();
    if ws.org.notify.email.is_some() {
        let changed: BTreeSet<&str> = n.changes.iter().map(|c| c.person.as_str()).collect();
        let mailed = changed.into_iter().filter(|p| {
            let person = ws.person_by_id(p).map(|i| ws.person(i));
            person.is_some_and(|p| p.notify_changes && !p.email.trim().is_empty())
        });
        out.extend(mailed.map(Email::channel));
    }
    out
}

pub use remind::{expire, remind};

/// A fresh random id, `n-` and 32 hex digits.
fn new_id() -> String {
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        bytes = fastrand::u128(..).to_le_bytes();
    }
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("n-{hex}")
}

/// Holder of each role over each elementary stretch between the instants
/// where any segment of `a` or `b` starts or ends.
type Holders<'a> = BTreeMap<DateTime<Utc>, Option<&'a str>>;

fn holders<'a>(tl: &'a Timeline, role: &str, cuts: &BTreeSet<DateTime<Utc>>) -> Holders<'a> {
    let mut out: Holders<'a> = cuts.iter().map(|&c| (c, None)).collect();
    for s in tl.segments.iter().filter(|s| s.role == role) {
        for (_, h) in out.range_mut(s.start..s.end) {
            *h = Some(s.person.as_str());
        }
    }
    out
}

/// Every stretch whose holder differs between `before` and `after`,
/// adjacent pieces with the same pair merged, listed once per person.
pub fn span_changes(before: &Timeline, after: &Timeline) -> Vec<SpanChange> {
    let all = || before.segments.iter().chain(&after.segments);
    let roles: BTreeSet<&str> = all().map(|s| s.role.as_str()).collect();
    let mut out = Vec::new();
    for role in roles {
        let mut cuts = BTreeSet::new();
        for s in all().filter(|s| s.role == role) {
            cuts.insert(s.start);
            cuts.insert(s.end);
        }
        let (b, a) = (holders(before, role, &cuts), holders(after, role, &cuts));
        let mut open: Option<(DateTime<Utc>, Option<&str>, Option<&str>)> = None;
        for (&t, &was) in &b {
            let now = a.get(&t).copied().flatten();
            let pair = (was != now).then_some((was, now));
            if let Some((from, pb, pa)) = open {
                if pair != Some((pb, pa)) {
                    push_change(&mut out, role, (from, t), (pb, pa));
                    open = None;
                }
            }
            if let (None, Some((pb, pa))) = (open, pair) {
                open = Some((t, pb, pa));
            }
        }
    }
    out.sort();
    out
}

fn push_change(
    out: &mut Vec<SpanChange>,
    role: &str,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    (before, after): (Option<&str>, Option<&str>),
) {
    for person in [before, after].into_iter().flatten() {
        out.push(SpanChange {
            person: person.to_string(),
            role: role.to_string(),
            from,
            to,
            before: before.map(str::to_string),
            after: after.map(str::to_string),
        });
    }
}

/// Runs `write` (a change of `team`) and, in the same transaction, adds a
/// notification of how it changed the team's resolved timeline, with one
/// delivery per channel that wants it. A change that changes nobody's
/// shifts announces nothing.
///
/// # Errors
/// What `write` returns, or the store failing.
pub(crate) fn announce<T, E: From<StoreError>>(
    ws: &Workspace,
    w: &Writer<'_>,
    (team, event): (TeamIdx, EventKind),
    write: impl FnOnce() -> Result<T, E>,
) -> Result<T, E> {
    let before = w.timeline(ws, team)?;
    let out = write()?;
    let after = w.timeline(ws, team)?;
    if let Some(n) = Notification::of_change(event, (&before, &after), w.now(), w.actor()) {
        w.add_notification(&n, &channels(ws, &n))?;
    }
    Ok(out)
}

/// Adds a notification that offer `offer` of `team` was made, declined or
/// cancelled, concerning `people` (asker, and whoever it asks by name). An
/// accepted offer is announced by the change it makes instead.
///
/// # Errors
/// The store fails.
pub(crate) fn announce_offer(
    ws: &Workspace,
    w: &Writer<'_>,
    (team, event): (&str, EventKind),
    offer: i64,
    people: &[&str],
) -> Result<(), StoreError> {
    let mut people: Vec<String> = people.iter().map(|p| p.to_string()).collect();
    people.sort();
    people.dedup();
    let n = Notification {
        id: new_id(),
        event,
        team: team.to_string(),
        at: w.now(),
        actor: w.actor().to_string(),
        people,
        offer: Some(offer),
        period: None,
        changes: Vec::new(),
    };
    w.add_notification(&n, &channels(ws, &n))
}

/// Adds a notification per team paid in `report` that its period was
/// closed, concerning the people paid for that team.
///
/// # Errors
/// The store fails.
pub(crate) fn announce_closed(
    ws: &Workspace,
    w: &Writer<'_>,
    report: &crate::pay::CompReport,
) -> Result<(), StoreError> {
    let mut teams: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for line in &report.lines {
        let people = teams.entry(line.team.as_str()).or_default();
        people.insert(line.employee_id.clone());
    }
    let period = Some((report.period.from, report.period.to));
    for (team, people) in teams {
        let n = Notification {
            id: new_id(),
            event: EventKind::PayPeriodClosed,
            team: team.to_string(),
            at: w.now(),
            actor: w.actor().to_string(),
            people: people.into_iter().collect(),
            offer: None,
            period,
            changes: Vec::new(),
        };
        w.add_notification(&n, &channels(ws, &n))?;
    }
    Ok(())
}
