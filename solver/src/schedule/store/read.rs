//! Reading the store: the same queries on the open connection or inside a
//! write transaction, so a change judges exactly what it will commit over.

use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{params, Connection, OptionalExtension};

use super::{AuditEntry, BadRow, StoreError, VersionInfo};

/// How to recover from a corrupt override: no command removes one yet.
const RECOVER_OVERRIDE: &str = "restore oncall.db from a backup taken before that override";
use crate::model::document::PlanDoc;
use crate::model::{TeamIdx, Workspace};
use crate::schedule::timeline::{Override, PublishedSlot, Timeline};

pub(super) fn sql_err(path: &Path) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
    |source| StoreError::Sql {
        path: path.to_path_buf(),
        source,
    }
}

fn corrupt(path: &Path, what: &'static str, value: &str) -> StoreError {
    StoreError::Corrupt {
        path: path.to_path_buf(),
        what,
        value: value.to_string(),
        row: None,
    }
}

pub(super) fn instant(
    path: &Path,
    s: &str,
    what: &'static str,
) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| corrupt(path, what, s))
}

fn date(path: &Path, s: &str, what: &'static str) -> Result<NaiveDate, StoreError> {
    s.parse().map_err(|_| corrupt(path, what, s))
}

/// The queries of the store. [`super::Store`] reads with them outside any
/// transaction; [`super::Writer`] reads with them inside its own.
pub trait StoreRead {
    /// The connection (or open transaction) to read from.
    fn conn(&self) -> &Connection;
    /// The database file, for messages.
    fn path(&self) -> &Path;

    /// Published versions of `team`, oldest first.
    ///
    /// # Errors
    /// SQLite failures or unreadable rows.
    fn versions(&self, team: &str) -> Result<Vec<VersionInfo>, StoreError> {
        let mut stmt = self
            .conn()
            .prepare_cached(
                "SELECT team, version, published_at, actor, forced, inputs_sha256, first_week, \
                 weeks, status FROM plan_versions WHERE team = ?1 ORDER BY version",
            )
            .map_err(sql_err(self.path()))?;
        let rows = stmt
            .query_map([team], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, u32>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, bool>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, u32>(7)?,
                    r.get::<_, String>(8)?,
                ))
            })
            .map_err(sql_err(self.path()))?;
        let mut out = Vec::new();
        for row in rows {
            let (team, version, at, actor, forced, sha, first, weeks, status) =
                row.map_err(sql_err(self.path()))?;
            let bad = |e: StoreError| {
                let row = || format!("team {team}, version {version}");
                e.at_row(|| BadRow::of_version(&team, version, row()))
            };
            let published_at =
                instant(self.path(), &at, "plan_versions.published_at").map_err(bad)?;
            let first_week = date(self.path(), &first, "plan_versions.first_week").map_err(bad)?;
            out.push(VersionInfo {
                team,
                version,
                published_at,
                actor,
                forced,
                inputs_sha256: sha,
                first_week,
                weeks,
                status,
            });
        }
        Ok(out)
    }

    /// The plan JSON of one published version.
    ///
    /// # Errors
    /// SQLite failures, or no such version.
    fn plan_doc(&self, team: &str, version: u32) -> Result<Option<PlanDoc>, StoreError> {
        let json: Option<String> = self
            .conn()
            .query_row(
                "SELECT plan_json FROM plan_versions WHERE team = ?1 AND version = ?2",
                params![team, version],
                |r| r.get(0),
            )
            .optional()
            .map_err(sql_err(self.path()))?;
        json.map(|j| {
            serde_json::from_str(&j).map_err(|_| {
                corrupt(self.path(), "plan_versions.plan_json", &j).at_row(|| {
                    BadRow::of_version(team, version, format!("team {team}, version {version}"))
                })
            })
        })
        .transpose()
    }

    /// Every published slot of `team`, of every version.
    ///
    /// # Errors
    /// SQLite failures or unreadable rows.
    fn slots(&self, team: &str) -> Result<Vec<PublishedSlot>, StoreError> {
        self.version_slots(team, None)
    }

    /// The published slots of `team`: of one version, or of every version.
    ///
    /// # Errors
    /// SQLite failures or unreadable rows.
    fn version_slots(
        &self,
        team: &str,
        only: Option<u32>,
    ) -> Result<Vec<PublishedSlot>, StoreError> {
        let mut stmt = self
            .conn()
            .prepare_cached(
                "SELECT s.version, s.week, s.role, s.person, s.start, s.end, s.load, v.published_at \
                 FROM slots s JOIN plan_versions v ON v.team = s.team AND v.version = s.version \
                 WHERE s.team = ?1 AND (?2 IS NULL OR s.version = ?2) \
                 ORDER BY s.version, s.week, s.role",
            )
            .map_err(sql_err(self.path()))?;
        let rows = stmt
            .query_map(params![team, only], |r| {
                Ok((
                    r.get::<_, u32>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, f64>(6)?,
                    r.get::<_, String>(7)?,
                ))
            })
            .map_err(sql_err(self.path()))?;
        let mut out = Vec::new();
        for row in rows {
            let (version, week, role, person, start, end, load, published) =
                row.map_err(sql_err(self.path()))?;
            let bad = |e: StoreError| {
                let row = || format!("team {team}, version {version}, week {week}, role {role}");
                e.at_row(|| BadRow::of_version(team, version, row()))
            };
            let p = self.path();
            let slot = PublishedSlot {
                version,
                week: date(p, &week, "slots.week").map_err(bad)?,
                role: role.clone(),
                person,
                start: instant(p, &start, "slots.start").map_err(bad)?,
                end: instant(p, &end, "slots.end").map_err(bad)?,
                load,
                published: instant(p, &published, "plan_versions.published_at").map_err(bad)?,
            };
            out.push(slot);
        }
        Ok(out)
    }

    /// Every override of `team`, oldest first.
    ///
    /// # Errors
    /// SQLite failures or unreadable rows.
    fn overrides(&self, team: &str) -> Result<Vec<Override>, StoreError> {
        let mut stmt = self
            .conn()
            .prepare_cached(
                "SELECT id, role, person, start, end, reason, created_at FROM overrides \
                 WHERE team = ?1 ORDER BY id",
            )
            .map_err(sql_err(self.path()))?;
        let rows = stmt
            .query_map([team], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                ))
            })
            .map_err(sql_err(self.path()))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, role, person, start, end, reason, created) =
                row.map_err(sql_err(self.path()))?;
            let bad = |e: StoreError| {
                e.at_row(|| BadRow {
                    row: format!("id {id} (team {team})"),
                    fix: RECOVER_OVERRIDE.to_string(),
                })
            };
            let p = self.path();
            out.push(Override {
                id,
                role,
                person,
                start: instant(p, &start, "overrides.start").map_err(bad)?,
                end: instant(p, &end, "overrides.end").map_err(bad)?,
                reason,
                created: instant(p, &created, "overrides.created_at").map_err(bad)?,
            });
        }
        Ok(out)
    }

    /// The resolved timeline of a team: its published versions with every
    /// override on top.
    ///
    /// # Errors
    /// SQLite failures or unreadable rows.
    fn timeline(&self, ws: &Workspace, team: TeamIdx) -> Result<Timeline, StoreError> {
        let t = ws.team(team);
        Ok(Timeline::resolve(
            t,
            &self.slots(&t.id)?,
            &self.overrides(&t.id)?,
        ))
    }

    /// Every team's resolved timeline, in team order.
    ///
    /// # Errors
    /// SQLite failures or unreadable rows.
    fn timelines(&self, ws: &Workspace) -> Result<Vec<Timeline>, StoreError> {
        (0..ws.teams.len())
            .map(|t| self.timeline(ws, TeamIdx(t)))
            .collect()
    }

    /// Whether the store has table `name` (a store from before a migration
    /// that a read-only reader cannot apply may lack it).
    ///
    /// # Errors
    /// SQLite failures.
    fn has_table(&self, name: &str) -> Result<bool, StoreError> {
        let found: Option<String> = self
            .conn()
            .query_row(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?1",
                [name],
                |r| r.get(0),
            )
            .optional()
            .map_err(sql_err(self.path()))?;
        Ok(found.is_some())
    }

    /// The audit log, oldest first; of one team when given.
    ///
    /// # Errors
    /// SQLite failures or unreadable rows.
    fn audit(&self, team: Option<&str>) -> Result<Vec<AuditEntry>, StoreError> {
        let mut stmt = self
            .conn()
            .prepare_cached(
                "SELECT id, at, actor, team, action, forced, detail FROM audit \
                 WHERE ?1 IS NULL OR team = ?1 ORDER BY id",
            )
            .map_err(sql_err(self.path()))?;
        let rows = stmt
            .query_map([team], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, bool>(5)?,
                    r.get::<_, String>(6)?,
                ))
            })
            .map_err(sql_err(self.path()))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, at, actor, team, action, forced, detail) =
                row.map_err(sql_err(self.path()))?;
            out.push(AuditEntry {
                id,
                at: instant(self.path(), &at, "audit.at")?,
                actor,
                team,
                action,
                forced,
                detail,
            });
        }
        Ok(out)
    }

    /// Every stored feed sequence.
    ///
    /// # Errors
    /// SQLite failures or unreadable rows.
    fn feed_sequences(&self) -> Result<crate::schedule::sequences::Sequences, StoreError> {
        let mut stmt = self
            .conn()
            .prepare_cached("SELECT uid, start, end, sequence FROM feed_sequences")
            .map_err(sql_err(self.path()))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, u32>(3)?,
                ))
            })
            .map_err(sql_err(self.path()))?;
        let mut entries = Vec::new();
        for row in rows {
            let (uid, start, end, sequence) = row.map_err(sql_err(self.path()))?;
            let entry = crate::schedule::sequences::SequenceEntry {
                start: instant(self.path(), &start, "feed_sequences.start")?,
                end: instant(self.path(), &end, "feed_sequences.end")?,
                sequence,
            };
            entries.push((uid, entry));
        }
        Ok(crate::schedule::sequences::Sequences::from_entries(entries))
    }
}
