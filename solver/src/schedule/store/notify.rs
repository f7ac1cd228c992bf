//! The notification outbox: each notification written with the change it
//! announces, one delivery row per channel, and the lease a deliverer holds
//! on a delivery while it sends it.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{params, OptionalExtension, Row};
use serde_json::{json, Value};

use super::read::{instant, sql_err, StoreRead};
use super::{ts, write_err, Store, StoreError, Writer};
use crate::schedule::notify::deliver::{Delivery, DeliveryState, Finish};
use crate::schedule::notify::{EventKind, Notification, SpanChange};

const SELECT: &str = "SELECT d.id, d.channel, d.state, d.attempts, d.next_attempt_at, \
     d.last_error, n.id, n.event, n.team, n.created_at, n.actor, n.people, n.changes, n.offer, n.period \
     FROM deliveries d JOIN notifications n ON n.id = d.notification";

fn changes_json(changes: &[SpanChange]) -> String {
    let list: Vec<Value> = changes
        .iter()
        .map(|c| {
            json!({"person": c.person, "role": c.role, "from": ts(c.from), "to": ts(c.to),
                   "before": c.before, "after": c.after})
        })
        .collect();
    Value::Array(list).to_string()
}

impl Writer<'_> {
    /// Adds `n` to the outbox with one pending delivery per channel, due
    /// now.
    ///
    /// # Errors
    /// SQLite failures.
    pub fn add_notification(
        &self,
        n: &Notification,
        channels: &[String],
    ) -> Result<(), StoreError> {
        let sql = write_err(self.path());
        let people = Value::from(n.people.clone()).to_string();
        self.tx
            .execute(
                "INSERT INTO notifications (id, event, team, actor, people, changes, offer, \
                 period, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    n.id,
                    n.event.as_str(),
                    n.team,
                    n.actor,
                    people,
                    changes_json(&n.changes),
                    n.offer,
                    n.period.map(|(a, b)| format!("{a}/{b}")),
                    ts(n.at)
                ],
            )
            .map_err(&sql)?;
        for channel in channels {
            self.tx
                .execute(
                    "INSERT INTO deliveries (notification, channel, state, attempts, \
                     next_attempt_at) VALUES (?1, ?2, 'pending', 0, ?3)",
                    params![n.id, channel, ts(n.at)],
                )
                .map_err(&sql)?;
        }
        Ok(())
    }

    /// Whether a notification of `event` about offer `offer` was written.
    ///
    /// # Errors
    /// SQLite failures.
    pub fn announced(&self, event: EventKind, offer: i64) -> Result<bool, StoreError> {
        self.tx
            .query_row(
                "SELECT 1 FROM notifications WHERE event = ?1 AND offer = ?2",
                params![event.as_str(), offer],
                |_| Ok(()),
            )
            .optional()
            .map(|found| found.is_some())
            .map_err(sql_err(self.path()))
    }

    /// Records that `n` reminds of the shift of `person` in `role` of `team`
    /// from `start`, with its deliveries, unless that shift was reminded of
    /// already. Returns whether it was new.
    ///
    /// # Errors
    /// SQLite failures.
    pub fn add_reminder(
        &self,
        (team, role, person, start): (&str, &str, &str, DateTime<Utc>),
        n: &Notification,
        channels: &[String],
    ) -> Result<bool, StoreError> {
        let seen: Option<String> = self
            .tx
            .query_row(
                "SELECT notification FROM reminders WHERE team = ?1 AND role = ?2 \
                 AND person = ?3 AND start = ?4",
                params![team, role, person, ts(start)],
                |r| r.get(0),
            )
            .optional()
            .map_err(sql_err(self.path()))?;
        if seen.is_some() {
            return Ok(false);
        }
        self.add_notification(n, channels)?;
        self.tx
            .execute(
                "INSERT INTO reminders (team, role, person, start, notification) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![team, role, person, ts(start), n.id],
            )
            .map_err(write_err(self.path()))?;
        Ok(true)
    }

    /// Claims the oldest delivery due at this transaction's time that no
    /// live lease holds, for `worker` until `until`.
    ///
    /// # Errors
    /// SQLite failures or an unreadable row.
    pub fn claim_delivery(
        &self,
        worker: &str,
        until: DateTime<Utc>,
    ) -> Result<Option<Delivery>, StoreError> {
        let now = ts(self.now);
        let due = format!(
            "{SELECT} WHERE d.state = 'pending' AND d.next_attempt_at <= ?1 \
             AND (d.claimed_until IS NULL OR d.claimed_until <= ?1) ORDER BY d.id LIMIT 1"
        );
        let Some(d) = self.one(&due, &now)? else {
            return Ok(None);
        };
        self.tx
            .execute(
                "UPDATE deliveries SET claimed_by = ?2, claimed_until = ?3 WHERE id = ?1",
                params![d.id, worker, ts(until)],
            )
            .map_err(write_err(self.path()))?;
        Ok(Some(d))
    }

    /// Records how an attempt at delivery `id` ended, if `worker` still
    /// holds its lease. Returns whether it did.
    ///
    /// # Errors
    /// SQLite failures.
    pub fn finish_delivery(&self, id: i64, worker: &str, f: &Finish) -> Result<bool, StoreError> {
        let (state, next, error) = match f {
            Finish::Delivered => (DeliveryState::Delivered, None, None),
            Finish::Retry { at, error } => (DeliveryState::Pending, Some(*at), Some(error)),
            Finish::Failed { error } => (DeliveryState::Failed, None, Some(error)),
        };
        let delivered = (state == DeliveryState::Delivered).then(|| ts(self.now));
        let n = self
            .tx
            .execute(
                "UPDATE deliveries SET state = ?3, attempts = attempts + 1, \
                 next_attempt_at = COALESCE(?4, next_attempt_at), last_error = ?5, \
                 delivered_at = ?6, claimed_by = NULL, claimed_until = NULL \
                 WHERE id = ?1 AND claimed_by = ?2",
                params![id, worker, state.as_str(), next.map(ts), error, delivered],
            )
            .map_err(write_err(self.path()))?;
        Ok(n == 1)
    }

    fn one(&self, query: &str, now: &str) -> Result<Option<Delivery>, StoreError> {
        let path = self.path();
        let row = self
            .tx
            .query_row(query, [now], raw)
            .optional()
            .map_err(sql_err(path))?;
        row.map(|r| r.into_delivery(path)).transpose()
    }
}

/// A delivery row as SQLite holds it.
struct Raw {
    id: i64,
    channel: String,
    state: String,
    attempts: u32,
    next: String,
    error: Option<String>,
    nid: String,
    event: String,
    team: String,
    at: String,
    actor: String,
    people: String,
    changes: String,
    offer: Option<i64>,
    period: Option<String>,
}

fn raw(r: &Row<'_>) -> rusqlite::Result<Raw> {
    Ok(Raw {
        id: r.get(0)?,
        channel: r.get(1)?,
        state: r.get(2)?,
        attempts: r.get(3)?,
        next: r.get(4)?,
        error: r.get(5)?,
        nid: r.get(6)?,
        event: r.get(7)?,
        team: r.get(8)?,
        at: r.get(9)?,
        actor: r.get(10)?,
        people: r.get(11)?,
        changes: r.get(12)?,
        offer: r.get(13)?,
        period: r.get(14)?,
    })
}

fn corrupt(path: &std::path::Path, what: &'static str, value: &str) -> StoreError {
    StoreError::Corrupt {
        path: path.to_path_buf(),
        what,
        value: value.to_string(),
        row: None,
    }
}

fn span_change(path: &std::path::Path, v: &Value) -> Result<SpanChange, StoreError> {
    let text = |k: &str| v.get(k).and_then(Value::as_str);
    let bad = || corrupt(path, "notifications.changes", &v.to_string());
    let at = |k: &str| instant(path, text(k).unwrap_or(""), "notifications.changes");
    Ok(SpanChange {
        person: text("person").ok_or_else(bad)?.to_string(),
        role: text("role").ok_or_else(bad)?.to_string(),
        from: at("from")?,
        to: at("to")?,
        before: text("before").map(str::to_string),
        after: text("after").map(str::to_string),
    })
}

fn period(path: &std::path::Path, text: &str) -> Result<(NaiveDate, NaiveDate), StoreError> {
    let bad = || corrupt(path, "notifications.period", text);
    let (a, b) = text.split_once('/').ok_or_else(bad)?;
    Ok((a.parse().map_err(|_| bad())?, b.parse().map_err(|_| bad())?))
}

impl Raw {
    fn into_delivery(self, path: &std::path::Path) -> Result<Delivery, StoreError> {
        let event = EventKind::parse(&self.event)
            .ok_or_else(|| corrupt(path, "notifications.event", &self.event))?;
        let state = DeliveryState::parse(&self.state)
            .ok_or_else(|| corrupt(path, "deliveries.state", &self.state))?;
        let people: Vec<String> = serde_json::from_str(&self.people)
            .map_err(|_| corrupt(path, "notifications.people", &self.people))?;
        let list: Vec<Value> = serde_json::from_str(&self.changes)
            .map_err(|_| corrupt(path, "notifications.changes", &self.changes))?;
        let changes = list
            .iter()
            .map(|v| span_change(path, v))
            .collect::<Result<_, _>>()?;
        Ok(Delivery {
            id: self.id,
            channel: self.channel,
            state,
            attempts: self.attempts,
            next_attempt_at: instant(path, &self.next, "deliveries.next_attempt_at")?,
            last_error: self.error,
            notification: Notification {
                id: self.nid,
                event,
                team: self.team,
                at: instant(path, &self.at, "notifications.created_at")?,
                actor: self.actor,
                people,
                offer: self.offer,
                period: self
                    .period
                    .as_deref()
                    .map(|p| period(path, p))
                    .transpose()?,
                changes,
            },
        })
    }
}

/// Reading the outbox; every reader has it.
pub trait NotifyRead: StoreRead {
    /// Deliveries in `state`, oldest first; with `due`, only those due by
    /// then. A store from before notifications has none.
    ///
    /// # Errors
    /// SQLite failures or unreadable rows.
    fn deliveries(
        &self,
        state: DeliveryState,
        due: Option<DateTime<Utc>>,
    ) -> Result<Vec<Delivery>, StoreError> {
        if !self.has_table("deliveries")? {
            return Ok(Vec::new());
        }
        let path = self.path();
        let query =
            format!("{SELECT} WHERE d.state = ?1 AND d.next_attempt_at <= ?2 ORDER BY d.id");
        let mut stmt = self.conn().prepare(&query).map_err(sql_err(path))?;
        let until = due.map_or_else(|| "9999".to_string(), ts);
        let rows = stmt
            .query_map(params![state.as_str(), until], raw)
            .map_err(sql_err(path))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(sql_err(path))?;
        rows.into_iter().map(|r| r.into_delivery(path)).collect()
    }
}

impl<T: StoreRead + ?Sized> NotifyRead for T {}

impl Store {
    /// Every notification id in the outbox, oldest first (for checks).
    ///
    /// # Errors
    /// SQLite failures.
    pub fn notification_ids(&self) -> Result<Vec<String>, StoreError> {
        let path = self.path();
        let mut stmt = self
            .conn
            .prepare("SELECT id FROM notifications ORDER BY rowid")
            .map_err(sql_err(path))?;
        let ids = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(sql_err(path))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(sql_err(path))?;
        Ok(ids)
    }
}
