//! The state store (`oncall.db`, SQLite): published plan versions, overrides,
//! swap requests and the audit log (DESIGN.md §5).
//!
//! - Published versions and their slots are immutable: triggers refuse any
//!   `UPDATE` or `DELETE` of them.
//! - Every write is one `IMMEDIATE` transaction, so a writer either lands all
//!   of a change (plan version, its slots and its audit entry) or none of it,
//!   even when the process is killed half way.
//! - The database runs in WAL mode with a busy timeout: the feed server and
//!   other CLI processes read while one writes, and concurrent writers queue
//!   instead of failing or corrupting anything.
//! - The schema version lives in `PRAGMA user_version`; [`MIGRATIONS`] are
//!   applied in order on open, each in its own transaction.
//!
//! The store speaks in domain types ([`PublishedSlot`], [`Override`],
//! [`Timeline`]); SQL stays in this module.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use crate::model::{TeamIdx, Workspace};
use crate::plan::PlanDoc;
use crate::timeline::{Override, PublishedSlot, Timeline};

/// The file name of the store inside a workspace.
pub const DB_FILE: &str = "oncall.db";

/// How long a writer waits for another writer before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// Schema migrations, one SQL batch per version: `MIGRATIONS[0]` takes an
/// empty database to version 1, and so on. Append; never edit a released one.
pub const MIGRATIONS: &[&str] = &[
    // 1: plan versions, overrides, swap requests, audit log.
    r"
    CREATE TABLE plan_versions (
        team          TEXT    NOT NULL,
        version       INTEGER NOT NULL,
        published_at  TEXT    NOT NULL,
        actor         TEXT    NOT NULL,
        forced        INTEGER NOT NULL,
        inputs_sha256 TEXT    NOT NULL,
        first_week    TEXT    NOT NULL,
        weeks         INTEGER NOT NULL,
        status        TEXT    NOT NULL,
        plan_json     TEXT    NOT NULL,
        PRIMARY KEY (team, version)
    );
    CREATE TABLE slots (
        team    TEXT    NOT NULL,
        version INTEGER NOT NULL,
        week    TEXT    NOT NULL,
        role    TEXT    NOT NULL,
        person  TEXT    NOT NULL,
        start   TEXT    NOT NULL,
        end     TEXT    NOT NULL,
        load    REAL    NOT NULL,
        PRIMARY KEY (team, version, week, role),
        FOREIGN KEY (team, version) REFERENCES plan_versions (team, version)
    );
    CREATE TRIGGER plan_versions_immutable_u BEFORE UPDATE ON plan_versions
        BEGIN SELECT RAISE(ABORT, 'published plan versions are immutable'); END;
    CREATE TRIGGER plan_versions_immutable_d BEFORE DELETE ON plan_versions
        BEGIN SELECT RAISE(ABORT, 'published plan versions are immutable'); END;
    CREATE TRIGGER slots_immutable_u BEFORE UPDATE ON slots
        BEGIN SELECT RAISE(ABORT, 'published plan versions are immutable'); END;
    CREATE TRIGGER slots_immutable_d BEFORE DELETE ON slots
        BEGIN SELECT RAISE(ABORT, 'published plan versions are immutable'); END;
    CREATE TABLE overrides (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        team       TEXT    NOT NULL,
        role       TEXT    NOT NULL,
        person     TEXT    NOT NULL,
        start      TEXT    NOT NULL,
        end        TEXT    NOT NULL,
        reason     TEXT    NOT NULL,
        kind       TEXT    NOT NULL,
        forced     INTEGER NOT NULL,
        created_at TEXT    NOT NULL
    );
    CREATE INDEX overrides_team ON overrides (team, start);
    CREATE TABLE swap_requests (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        team       TEXT    NOT NULL,
        person     TEXT    NOT NULL,
        give_week  TEXT    NOT NULL,
        want_weeks TEXT    NOT NULL,
        status     TEXT    NOT NULL,
        created_at TEXT    NOT NULL
    );
    CREATE TABLE audit (
        id     INTEGER PRIMARY KEY AUTOINCREMENT,
        at     TEXT    NOT NULL,
        actor  TEXT    NOT NULL,
        team   TEXT    NOT NULL,
        action TEXT    NOT NULL,
        forced INTEGER NOT NULL,
        detail TEXT    NOT NULL
    );
    ",
];

/// Store failures.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite failed (locked past the timeout, disk full, not a database...).
    #[error("state store {path}: {source}")]
    Sql {
        /// The database file.
        path: PathBuf,
        /// What SQLite said.
        #[source]
        source: rusqlite::Error,
    },
    /// The database was written by a newer oncall.
    #[error("state store {path} has schema version {found}, newer than this oncall knows ({known}); upgrade oncall")]
    TooNew {
        /// The database file.
        path: PathBuf,
        /// Its version.
        found: i64,
        /// The newest this build knows.
        known: i64,
    },
    /// A stored value could not be read back.
    #[error("state store {path}: corrupt value `{value}` in {what}")]
    Corrupt {
        /// The database file.
        path: PathBuf,
        /// Which column.
        what: &'static str,
        /// The value.
        value: String,
    },
    /// The plan cannot be stored as it is.
    #[error("{0}")]
    Invalid(String),
}

/// One published version's header.
#[derive(Clone, Debug, PartialEq)]
pub struct VersionInfo {
    /// The team id.
    pub team: String,
    /// 1, 2, ...
    pub version: u32,
    /// When.
    pub published_at: DateTime<Utc>,
    /// Who.
    pub actor: String,
    /// Whether the checks were overridden with `--force`.
    pub forced: bool,
    /// The inputs the plan was made from.
    pub inputs_sha256: String,
    /// First week of its horizon.
    pub first_week: NaiveDate,
    /// Number of weeks.
    pub weeks: u32,
    /// The plan's status when published.
    pub status: String,
}

/// An override to record.
#[derive(Clone, Debug, PartialEq)]
pub struct NewOverride {
    /// The role name.
    pub role: String,
    /// Who covers.
    pub person: String,
    /// Start of the span.
    pub start: DateTime<Utc>,
    /// End of the span (exclusive).
    pub end: DateTime<Utc>,
    /// Why.
    pub reason: String,
}

/// What kind of change made an override.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeKind {
    /// `oncall override`.
    Override,
    /// `oncall swap`.
    Swap,
    /// A swap request granted by `oncall swap match`.
    SwapMatch,
}

impl ChangeKind {
    fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Override => "override",
            ChangeKind::Swap => "swap",
            ChangeKind::SwapMatch => "swap-match",
        }
    }
}

/// One entry of the audit log.
#[derive(Clone, Debug, PartialEq)]
pub struct AuditEntry {
    /// Sequence number.
    pub id: i64,
    /// When.
    pub at: DateTime<Utc>,
    /// Who (`$ONCALL_USER`, else `$USER`).
    pub actor: String,
    /// The team.
    pub team: String,
    /// `publish`, `override`, `swap`, `swap-request`, `swap-match`.
    pub action: String,
    /// Whether `--force` was used.
    pub forced: bool,
    /// What changed, as JSON.
    pub detail: String,
}

/// A request to trade a week away (`oncall swap request`).
#[derive(Clone, Debug, PartialEq)]
pub struct SwapRequest {
    /// Id.
    pub id: i64,
    /// The team.
    pub team: String,
    /// Who asks.
    pub person: String,
    /// The week they give away (first day).
    pub give: NaiveDate,
    /// Weeks they would take instead, any one of them.
    pub want: Vec<NaiveDate>,
    /// `open` or `granted`.
    pub status: String,
    /// When it was made.
    pub created_at: DateTime<Utc>,
}

/// An open state store.
#[derive(Debug)]
pub struct Store {
    pub(crate) conn: Connection,
    path: PathBuf,
}

/// Who is making a change: `$ONCALL_USER`, else `$USER`, else `unknown`.
pub fn actor() -> String {
    std::env::var("ONCALL_USER")
        .or_else(|_| std::env::var("USER"))
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown".to_string())
}

fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

impl Store {
    /// Opens `<root>/oncall.db`, creating and migrating it as needed.
    ///
    /// # Errors
    /// SQLite failures, or a database from a newer oncall.
    pub fn open(root: &Path) -> Result<Store, StoreError> {
        Store::open_file(&root.join(DB_FILE))
    }

    /// Opens a store at an explicit path.
    ///
    /// # Errors
    /// As [`Store::open`].
    pub fn open_file(path: &Path) -> Result<Store, StoreError> {
        let sql = |source| StoreError::Sql {
            path: path.to_path_buf(),
            source,
        };
        let conn = Connection::open(path).map_err(sql)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(sql)?;
        // WAL lets readers go on while one process writes; FULL sync makes a
        // committed change survive a crash of the machine, not only of us.
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(sql)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(sql)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(sql)?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
        };
        store.migrate()?;
        Ok(store)
    }

    fn sql(&self) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
        |source| StoreError::Sql {
            path: self.path.clone(),
            source,
        }
    }

    fn corrupt(&self, what: &'static str, value: &str) -> StoreError {
        StoreError::Corrupt {
            path: self.path.clone(),
            what,
            value: value.to_string(),
        }
    }

    /// The schema version of the open database.
    ///
    /// # Errors
    /// SQLite failures.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        self.conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(self.sql())
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        let known = MIGRATIONS.len() as i64;
        loop {
            let path = self.path.clone();
            let sql = |source| StoreError::Sql {
                path: path.clone(),
                source,
            };
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(sql)?;
            let version: i64 = tx
                .query_row("PRAGMA user_version", [], |r| r.get(0))
                .map_err(sql)?;
            if version > known {
                return Err(StoreError::TooNew {
                    path,
                    found: version,
                    known,
                });
            }
            let Some(step) = usize::try_from(version)
                .ok()
                .and_then(|v| MIGRATIONS.get(v))
            else {
                return Ok(());
            };
            tx.execute_batch(step).map_err(sql)?;
            tx.pragma_update(None, "user_version", version + 1)
                .map_err(sql)?;
            tx.commit().map_err(sql)?;
        }
    }

    /// Stores `doc` as the next version of its team's plan, with an audit
    /// entry, in one transaction. Returns the version number.
    ///
    /// Checking the plan is the caller's job (`oncall publish` runs the
    /// independent checker first); `forced` records that it was skipped or
    /// overruled.
    ///
    /// # Errors
    /// SQLite failures, or a plan with a malformed horizon.
    pub fn publish(
        &mut self,
        doc: &PlanDoc,
        forced: bool,
        detail: &serde_json::Value,
    ) -> Result<u32, StoreError> {
        let now = Utc::now();
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
                ws.len() as u32
            },
            |h| h.weeks,
        );
        let json = serde_json::to_string(doc)
            .map_err(|e| StoreError::Invalid(format!("cannot serialise the plan: {e}")))?;
        let actor = actor();
        let path = self.path.clone();
        let sql = |source| StoreError::Sql {
            path: path.clone(),
            source,
        };
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql)?;
        let version: u32 = tx
            .query_row(
                "SELECT COALESCE(MAX(version), 0) + 1 FROM plan_versions WHERE team = ?1",
                [&doc.team],
                |r| r.get(0),
            )
            .map_err(sql)?;
        tx.execute(
            "INSERT INTO plan_versions (team, version, published_at, actor, forced, inputs_sha256, \
             first_week, weeks, status, plan_json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                doc.team,
                version,
                ts(now),
                actor,
                forced,
                doc.inputs_sha256.clone().unwrap_or_default(),
                first_week.to_string(),
                weeks,
                doc.status,
                json
            ],
        )
        .map_err(sql)?;
        let pause = fault::PauseAt::from_env();
        for (k, s) in doc.shifts.iter().enumerate() {
            if k == doc.shifts.len() / 2 {
                pause.reached();
            }
            tx.execute(
                "INSERT INTO slots (team, version, week, role, person, start, end, load) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    doc.team,
                    version,
                    s.week.to_string(),
                    s.role,
                    s.person,
                    ts(s.start),
                    ts(s.end),
                    s.load
                ],
            )
            .map_err(sql)?;
        }
        let mut detail = detail.clone();
        if let Some(obj) = detail.as_object_mut() {
            obj.insert("version".into(), version.into());
        }
        audit_in(&tx, now, &actor, &doc.team, "publish", forced, &detail).map_err(sql)?;
        tx.commit().map_err(sql)?;
        Ok(version)
    }

    /// Published versions of `team`, oldest first.
    ///
    /// # Errors
    /// SQLite failures or unreadable rows.
    pub fn versions(&self, team: &str) -> Result<Vec<VersionInfo>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT team, version, published_at, actor, forced, inputs_sha256, first_week, \
                 weeks, status FROM plan_versions WHERE team = ?1 ORDER BY version",
            )
            .map_err(self.sql())?;
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
            .map_err(self.sql())?;
        let mut out = Vec::new();
        for row in rows {
            let (team, version, at, actor, forced, sha, first, weeks, status) =
                row.map_err(self.sql())?;
            out.push(VersionInfo {
                team,
                version,
                published_at: self.instant(&at, "plan_versions.published_at")?,
                actor,
                forced,
                inputs_sha256: sha,
                first_week: self.date(&first, "plan_versions.first_week")?,
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
    pub fn plan_doc(&self, team: &str, version: u32) -> Result<Option<PlanDoc>, StoreError> {
        let json: Option<String> = self
            .conn
            .query_row(
                "SELECT plan_json FROM plan_versions WHERE team = ?1 AND version = ?2",
                params![team, version],
                |r| r.get(0),
            )
            .optional()
            .map_err(self.sql())?;
        json.map(|j| {
            serde_json::from_str(&j).map_err(|_| self.corrupt("plan_versions.plan_json", &j))
        })
        .transpose()
    }

    fn instant(&self, s: &str, what: &'static str) -> Result<DateTime<Utc>, StoreError> {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| self.corrupt(what, s))
    }

    fn date(&self, s: &str, what: &'static str) -> Result<NaiveDate, StoreError> {
        s.parse().map_err(|_| self.corrupt(what, s))
    }

    /// Every published slot of `team`, of every version.
    ///
    /// # Errors
    /// SQLite failures or unreadable rows.
    pub fn slots(&self, team: &str) -> Result<Vec<PublishedSlot>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT s.version, s.week, s.role, s.person, s.start, s.end, s.load, v.published_at \
                 FROM slots s JOIN plan_versions v ON v.team = s.team AND v.version = s.version \
                 WHERE s.team = ?1 ORDER BY s.version, s.week, s.role",
            )
            .map_err(self.sql())?;
        let rows = stmt
            .query_map([team], |r| {
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
            .map_err(self.sql())?;
        let mut out = Vec::new();
        for row in rows {
            let (version, week, role, person, start, end, load, published) =
                row.map_err(self.sql())?;
            out.push(PublishedSlot {
                version,
                week: self.date(&week, "slots.week")?,
                role,
                person,
                start: self.instant(&start, "slots.start")?,
                end: self.instant(&end, "slots.end")?,
                load,
                published: self.instant(&published, "plan_versions.published_at")?,
            });
        }
        Ok(out)
    }

    /// Every override of `team`, oldest first.
    ///
    /// # Errors
    /// SQLite failures or unreadable rows.
    pub fn overrides(&self, team: &str) -> Result<Vec<Override>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, role, person, start, end, reason, created_at FROM overrides \
                 WHERE team = ?1 ORDER BY id",
            )
            .map_err(self.sql())?;
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
            .map_err(self.sql())?;
        let mut out = Vec::new();
        for row in rows {
            let (id, role, person, start, end, reason, created) = row.map_err(self.sql())?;
            out.push(Override {
                id,
                role,
                person,
                start: self.instant(&start, "overrides.start")?,
                end: self.instant(&end, "overrides.end")?,
                reason,
                created: self.instant(&created, "overrides.created_at")?,
            });
        }
        Ok(out)
    }

    /// The resolved timeline of a team: its published versions with every
    /// override on top.
    ///
    /// # Errors
    /// SQLite failures or unreadable rows.
    pub fn timeline(&self, ws: &Workspace, team: TeamIdx) -> Result<Timeline, StoreError> {
        let t = ws.team(team);
        Ok(Timeline::resolve(
            t,
            &self.slots(&t.id)?,
            &self.overrides(&t.id)?,
        ))
    }

    /// Records overrides (one change: an override, both halves of a swap, or
    /// all granted swap requests) and an audit entry, in one transaction.
    /// Returns their ids. `granted` swap requests are marked granted in the
    /// same transaction.
    ///
    /// # Errors
    /// SQLite failures.
    pub fn add_overrides(
        &mut self,
        team: &str,
        kind: ChangeKind,
        overrides: &[NewOverride],
        forced: bool,
        granted: &[i64],
        detail: &serde_json::Value,
    ) -> Result<Vec<i64>, StoreError> {
        let now = Utc::now();
        let actor = actor();
        let path = self.path.clone();
        let sql = |source| StoreError::Sql {
            path: path.clone(),
            source,
        };
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql)?;
        let mut ids = Vec::with_capacity(overrides.len());
        for o in overrides {
            tx.execute(
                "INSERT INTO overrides (team, role, person, start, end, reason, kind, forced, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    team,
                    o.role,
                    o.person,
                    ts(o.start),
                    ts(o.end),
                    o.reason,
                    kind.as_str(),
                    forced,
                    ts(now)
                ],
            )
            .map_err(sql)?;
            ids.push(tx.last_insert_rowid());
        }
        for id in granted {
            tx.execute(
                "UPDATE swap_requests SET status = 'granted' WHERE id = ?1 AND team = ?2",
                params![id, team],
            )
            .map_err(sql)?;
        }
        let mut detail = detail.clone();
        if let Some(obj) = detail.as_object_mut() {
            obj.insert("overrides".into(), ids.clone().into());
        }
        audit_in(&tx, now, &actor, team, kind.as_str(), forced, &detail).map_err(sql)?;
        tx.commit().map_err(sql)?;
        Ok(ids)
    }

    /// Records a swap request and its audit entry. Returns its id.
    ///
    /// # Errors
    /// SQLite failures.
    pub fn add_swap_request(
        &mut self,
        team: &str,
        person: &str,
        give: NaiveDate,
        want: &[NaiveDate],
    ) -> Result<i64, StoreError> {
        let now = Utc::now();
        let actor = actor();
        let path = self.path.clone();
        let sql = |source| StoreError::Sql {
            path: path.clone(),
            source,
        };
        let want_json =
            serde_json::to_string(&want.iter().map(ToString::to_string).collect::<Vec<_>>())
                .map_err(|e| StoreError::Invalid(e.to_string()))?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql)?;
        tx.execute(
            "INSERT INTO swap_requests (team, person, give_week, want_weeks, status, created_at) \
             VALUES (?1, ?2, ?3, ?4, 'open', ?5)",
            params![team, person, give.to_string(), want_json, ts(now)],
        )
        .map_err(sql)?;
        let id = tx.last_insert_rowid();
        let detail = serde_json::json!({
            "request": id, "person": person, "give": give.to_string(),
            "want": want.iter().map(ToString::to_string).collect::<Vec<_>>(),
        });
        audit_in(&tx, now, &actor, team, "swap-request", false, &detail).map_err(sql)?;
        tx.commit().map_err(sql)?;
        Ok(id)
    }

    /// Swap requests of `team` that are still open, oldest first.
    ///
    /// # Errors
    /// SQLite failures or unreadable rows.
    pub fn open_swap_requests(&self, team: &str) -> Result<Vec<SwapRequest>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, team, person, give_week, want_weeks, status, created_at \
                 FROM swap_requests WHERE team = ?1 AND status = 'open' ORDER BY id",
            )
            .map_err(self.sql())?;
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
            .map_err(self.sql())?;
        let mut out = Vec::new();
        for row in rows {
            let (id, team, person, give, want, status, created) = row.map_err(self.sql())?;
            let want: Vec<String> = serde_json::from_str(&want)
                .map_err(|_| self.corrupt("swap_requests.want_weeks", &want))?;
            out.push(SwapRequest {
                id,
                team,
                person,
                give: self.date(&give, "swap_requests.give_week")?,
                want: want
                    .iter()
                    .map(|w| self.date(w, "swap_requests.want_weeks"))
                    .collect::<Result<_, _>>()?,
                status,
                created_at: self.instant(&created, "swap_requests.created_at")?,
            });
        }
        Ok(out)
    }

    /// The audit log, oldest first; of one team when given.
    ///
    /// # Errors
    /// SQLite failures or unreadable rows.
    pub fn audit(&self, team: Option<&str>) -> Result<Vec<AuditEntry>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, at, actor, team, action, forced, detail FROM audit \
                 WHERE ?1 IS NULL OR team = ?1 ORDER BY id",
            )
            .map_err(self.sql())?;
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
            .map_err(self.sql())?;
        let mut out = Vec::new();
        for row in rows {
            let (id, at, actor, team, action, forced, detail) = row.map_err(self.sql())?;
            out.push(AuditEntry {
                id,
                at: self.instant(&at, "audit.at")?,
                actor,
                team,
                action,
                forced,
                detail,
            });
        }
        Ok(out)
    }

    /// SQLite's own consistency check: `ok` when the file is sound.
    ///
    /// # Errors
    /// SQLite failures.
    pub fn integrity_check(&self) -> Result<String, StoreError> {
        self.conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .map_err(self.sql())
    }
}

fn audit_in(
    tx: &rusqlite::Transaction<'_>,
    at: DateTime<Utc>,
    actor: &str,
    team: &str,
    action: &str,
    forced: bool,
    detail: &serde_json::Value,
) -> rusqlite::Result<usize> {
    tx.execute(
        "INSERT INTO audit (at, actor, team, action, forced, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![ts(at), actor, team, action, forced, detail.to_string()],
    )
}

/// Fault injection for the crash-safety tests: with
/// `ONCALL_FAULT_PAUSE_FILE=PATH` set, a publish creates `PATH` half way
/// through writing its slots, inside the open transaction, and then waits
/// (for the test to kill the process). Unset, it does nothing.
mod fault {
    #[derive(Debug)]
    pub(super) struct PauseAt(Option<std::path::PathBuf>);

    impl PauseAt {
        pub(super) fn from_env() -> Self {
            PauseAt(std::env::var_os("ONCALL_FAULT_PAUSE_FILE").map(Into::into))
        }

        pub(super) fn reached(&self) {
            if let Some(path) = &self.0 {
                if std::fs::write(path, b"paused").is_ok() {
                    std::thread::sleep(std::time::Duration::from_secs(600));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn migrations_run_once_and_versions_are_immutable() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path()).unwrap();
        assert_eq!(s.schema_version().unwrap(), MIGRATIONS.len() as i64);
        drop(s);
        let s = Store::open(dir.path()).unwrap();
        assert_eq!(s.schema_version().unwrap(), MIGRATIONS.len() as i64);
        s.conn
            .execute(
                "INSERT INTO plan_versions VALUES ('t', 1, '2027-01-01T00:00:00Z', 'a', 0, '', '2027-01-04', 1, 'optimal', '{}')",
                [],
            )
            .unwrap();
        let err = s
            .conn
            .execute("UPDATE plan_versions SET actor = 'b'", [])
            .unwrap_err();
        assert!(err.to_string().contains("immutable"), "{err}");
        let err = s.conn.execute("DELETE FROM plan_versions", []).unwrap_err();
        assert!(err.to_string().contains("immutable"), "{err}");
    }

    #[test]
    fn a_newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path()).unwrap();
        s.conn.pragma_update(None, "user_version", 99).unwrap();
        drop(s);
        let err = Store::open(dir.path()).unwrap_err();
        assert!(matches!(err, StoreError::TooNew { found: 99, .. }), "{err}");
    }
}
