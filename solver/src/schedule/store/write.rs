//! Writing the store: every statement runs inside a [`Writer`], one
//! `IMMEDIATE` transaction that also read what it judged.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::params;

use super::read::StoreRead;

/// Rows of `slots` per `INSERT` statement: a quarter's plan of a team of
/// two roles in one statement, well under SQLite's limit of bound values.
const SLOTS_PER_INSERT: usize = 32;
use super::{ts, write_err, ChangeKind, NewOverride, StoreError, Writer};
use crate::model::document::PlanDoc;
use crate::schedule::sequences::SequenceEntry;

impl Writer<'_> {
    /// Stores `doc` as the next version of `team`'s plan, with an audit
    /// entry. Returns the version number.
    ///
    /// Checking the plan is the caller's job; `forced` records that the
    /// rules were overruled.
    ///
    /// # Errors
    /// SQLite failures, or a plan with no weeks or for another team.
    pub fn publish(
        &self,
        team: &str,
        doc: &PlanDoc,
        forced: bool,
        detail: &serde_json::Value,
    ) -> Result<u32, StoreError> {
        if doc.team != team {
            return Err(StoreError::Invalid(format!(
                "the plan is for team `{}`, not `{team}`",
                doc.team
            )));
        }
        super::bounds::plan(doc)?;
        let first_week = doc
            .horizon
            .as_ref()
            .map(|h| h.first_week)
            .or_else(|| doc.shifts.iter().map(|s| s.week).min())
            .ok_or_else(|| StoreError::Invalid("the plan has no weeks to publish".into()))?;
        let weeks = doc.horizon.as_ref().map_or_else(
            || {
                let ws: std::collections::BTreeSet<NaiveDate> =
                    doc.shifts.iter().map(|s| s.week).collect();
                u32::try_from(ws.len()).unwrap_or(u32::MAX)
            },
            |h| h.weeks,
        );
        let json = serde_json::to_string(doc)
            .map_err(|e| StoreError::Invalid(format!("cannot serialise the plan: {e}")))?;
        let sql = write_err(self.path());
        let version: u32 = self
            .tx
            .prepare_cached(
                "SELECT COALESCE(MAX(version), 0) + 1 FROM plan_versions WHERE team = ?1",
            )
            .and_then(|mut stmt| stmt.query_row([&doc.team], |r| r.get(0)))
            .map_err(&sql)?;
        self.tx
            .prepare_cached(
                "INSERT INTO plan_versions (team, version, published_at, actor, forced, \
                 inputs_sha256, first_week, weeks, status, plan_json) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )
            .and_then(|mut stmt| {
                stmt.execute(params![
                    doc.team,
                    version,
                    ts(self.now),
                    self.actor,
                    forced,
                    doc.inputs_sha256.clone().unwrap_or_default(),
                    first_week.to_string(),
                    weeks,
                    doc.status,
                    json
                ])
            })
            .map_err(&sql)?;
        self.insert_slots(doc, version)?;
        let mut detail = detail.clone();
        if let Some(obj) = detail.as_object_mut() {
            obj.insert("version".into(), version.into());
        }
        self.audit(&doc.team, "publish", forced, &detail)?;
        Ok(version)
    }

    /// Inserts the slots of `doc` as `version`, [`SLOTS_PER_INSERT`] rows
    /// per statement (each shape prepared once per connection).
    fn insert_slots(&self, doc: &PlanDoc, version: u32) -> Result<(), StoreError> {
        let sql = write_err(self.path());
        let half = doc.shifts.len() / 2;
        let mut done = 0;
        for chunk in doc.shifts.chunks(SLOTS_PER_INSERT) {
            let rows = vec!["(?, ?, ?, ?, ?, ?, ?, ?)"; chunk.len()].join(", ");
            let mut stmt = self
                .tx
                .prepare_cached(&format!(
                    "INSERT INTO slots (team, version, week, role, person, start, end, load) \
                     VALUES {rows}"
                ))
                .map_err(&sql)?;
            let mut values: Vec<Box<dyn rusqlite::ToSql>> = Vec::with_capacity(chunk.len() * 8);
            for s in chunk {
                values.push(Box::new(doc.team.clone()));
                values.push(Box::new(version));
                values.push(Box::new(s.week.to_string()));
                values.push(Box::new(s.role.clone()));
                values.push(Box::new(s.person.clone()));
                values.push(Box::new(ts(s.start)));
                values.push(Box::new(ts(s.end)));
                values.push(Box::new(s.load));
            }
            if done <= half && half < done + chunk.len() {
                super::fault::pause_here();
            }
            stmt.execute(rusqlite::params_from_iter(values.iter()))
                .map_err(&sql)?;
            done += chunk.len();
        }
        Ok(())
    }

    /// Records overrides (one change: an override, both halves of a swap, or
    /// all granted swap requests) and an audit entry. Returns their ids.
    /// `granted` swap requests are marked granted.
    ///
    /// # Errors
    /// SQLite failures.
    pub fn add_overrides(
        &self,
        team: &str,
        kind: ChangeKind,
        overrides: &[NewOverride],
        forced: bool,
        granted: &[i64],
        detail: &serde_json::Value,
    ) -> Result<Vec<i64>, StoreError> {
        super::bounds::spans("an override", overrides.iter().map(|o| (o.start, o.end)))?;
        let sql = write_err(self.path());
        let mut ids = Vec::with_capacity(overrides.len());
        for o in overrides {
            self.tx
                .execute(
                    "INSERT INTO overrides (team, role, person, start, end, reason, kind, forced, \
                     created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                    params![
                        team,
                        o.role,
                        o.person,
                        ts(o.start),
                        ts(o.end),
                        o.reason,
                        kind.as_str(),
                        forced,
                        ts(self.now)
                    ],
                )
                .map_err(&sql)?;
            ids.push(self.tx.last_insert_rowid());
        }
        for id in granted {
            self.tx
                .execute(
                    "UPDATE offers SET status = 'granted', decided_at = ?3, decided_by = ?4 \
                     WHERE id = ?1 AND team = ?2 AND status = 'open'",
                    params![id, team, ts(self.now), self.actor],
                )
                .map_err(&sql)?;
        }
        let mut detail = detail.clone();
        if let Some(obj) = detail.as_object_mut() {
            obj.insert("overrides".into(), ids.clone().into());
        }
        self.audit(team, kind.as_str(), forced, &detail)?;
        Ok(ids)
    }

    /// Stores new or changed feed sequences.
    ///
    /// # Errors
    /// SQLite failures.
    pub fn save_feed_sequences(
        &self,
        changed: &[(String, SequenceEntry)],
    ) -> Result<(), StoreError> {
        super::bounds::spans(
            "a feed event",
            changed.iter().map(|(_, e)| (e.start, e.end)),
        )?;
        let sql = write_err(self.path());
        let mut stmt = self
            .tx
            .prepare_cached(
                "INSERT INTO feed_sequences (uid, start, end, sequence) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(uid) DO UPDATE SET start = ?2, end = ?3, sequence = ?4",
            )
            .map_err(&sql)?;
        for (uid, e) in changed {
            stmt.execute(params![uid, ts(e.start), ts(e.end), e.sequence])
                .map_err(&sql)?;
        }
        Ok(())
    }

    /// Appends one entry to the audit log, as the writer's actor and time.
    ///
    /// # Errors
    /// SQLite failures.
    pub fn audit(
        &self,
        team: &str,
        action: &str,
        forced: bool,
        detail: &serde_json::Value,
    ) -> Result<(), StoreError> {
        self.tx
            .prepare_cached(
                "INSERT INTO audit (at, actor, team, action, forced, detail) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .and_then(|mut stmt| {
                stmt.execute(params![
                    ts(self.now),
                    self.actor,
                    team,
                    action,
                    forced,
                    detail.to_string()
                ])
            })
            .map(drop)
            .map_err(write_err(self.path()))
    }

    /// Who makes the change, as recorded in what it writes.
    pub fn actor(&self) -> &str {
        &self.actor
    }

    /// When this transaction started, as recorded in what it writes.
    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }
}
