//! Reminders: each person hears of each of their shifts `remind_before` it
//! begins, once, from the resolved timeline as it is then (so a shift
//! handed to them by an override is reminded of, one taken away is not).

use chrono::{DateTime, Utc};

use super::{announce_offer, channels, new_id, EventKind, Notification, SpanChange};
use crate::model::Workspace;
use crate::schedule::offers::{Status, Terms};
use crate::schedule::store::{OfferRead, Store, StoreError, StoreRead, Writer};
use crate::schedule::timeline::Segment;

/// Writes a reminder for every shift that begins after now and within
/// `remind_before`, unless one was written for it before. Returns how many
/// were written.
///
/// # Errors
/// The store fails.
pub fn remind(ws: &Workspace, store: &mut Store) -> Result<usize, StoreError> {
    let Some(lead) = ws.org.notify.remind_before else {
        return Ok(0);
    };
    store.write(|w| {
        let now = w.now();
        let mut written = 0;
        for tl in w.timelines(ws)? {
            let due = tl
                .segments
                .iter()
                .filter(|s| s.start > now && s.start <= now + lead)
                .filter(|s| starts_a_shift(&tl.segments, s));
            for s in due {
                written += usize::from(remind_of(ws, w, &tl.team, s, now)?);
            }
        }
        Ok(written)
    })
}

/// Whether `s` begins a stretch of its holder's rather than continuing one
/// (the same person in the same role just before it).
fn starts_a_shift(all: &[Segment], s: &Segment) -> bool {
    !all.iter()
        .any(|o| o.role == s.role && o.person == s.person && o.end == s.start)
}

fn remind_of(
    ws: &Workspace,
    w: &Writer<'_>,
    team: &str,
    s: &Segment,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let n = Notification {
        id: new_id(),
        event: EventKind::Reminder,
        team: team.to_string(),
        at: now,
        actor: w.actor().to_string(),
        people: vec![s.person.clone()],
        offer: None,
        period: None,
        changes: vec![SpanChange {
            person: s.person.clone(),
            role: s.role.clone(),
            from: s.start,
            to: s.end,
            before: Some(s.person.clone()),
            after: Some(s.person.clone()),
        }],
    };
    let key = (team, s.role.as_str(), s.person.as_str(), s.start);
    w.add_reminder(key, &n, &channels(ws, &n))
}

/// Announces, once each, the open offers whose time has come with nobody
/// taking them (an offer expires when the first span it gives begins),
/// to the asker and whoever it asks by name. Returns how many.
///
/// # Errors
/// The store fails.
pub fn expire(ws: &Workspace, store: &mut Store) -> Result<usize, StoreError> {
    store.write(|w| {
        let now = w.now();
        let mut written = 0;
        for o in w.offers(None, Some(Status::Open))? {
            let due = crate::schedule::offers::expiry(ws, &o).is_some_and(|t| t <= now);
            if !due || w.announced(EventKind::OfferExpired, o.id)? {
                continue;
            }
            let mut people = vec![o.person.as_str()];
            if let Terms::Trade { with, .. } = &o.terms {
                people.push(with);
            }
            announce_offer(ws, w, (&o.team, EventKind::OfferExpired), o.id, &people)?;
            written += 1;
        }
        Ok(written)
    })
}
