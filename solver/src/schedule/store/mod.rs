//! The state store (`oncall.db`, SQLite): published plan versions, overrides,
//! swap requests and the audit log (docs/design.md §5), and closed pay periods
//! (§6).
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
//! The store speaks in domain types (published slots, overrides, the resolved
//! timeline); SQL stays in this module. Reads go through [`StoreRead`], which
//! both the store and a [`Writer`] implement, so a change reads what it judges
//! inside the transaction that writes it.

mod bounds;
mod check;
mod links;
mod notify;
mod offers;
mod pager;
mod pay;
mod read;
mod write;

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use rusqlite::{Connection, OpenFlags, TransactionBehavior};

pub use check::{Dropped, StoreCheck};
pub use links::LinkRead;
pub use notify::NotifyRead;
pub use offers::{NewOffer, OfferRead};
pub use pager::{PagerRead, PagerWrite};
pub use pay::{PayRead, EVERY_TEAM};
use read::sql_err;
pub use read::StoreRead;

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
    // 2: calendar feed sequences: per event UID, the times last written.
    r"
    CREATE TABLE feed_sequences (
        uid      TEXT    PRIMARY KEY,
        start    TEXT    NOT NULL,
        end      TEXT    NOT NULL,
        sequence INTEGER NOT NULL
    );
    ",
    // 3: closed pay periods: each period's report as paid, line by line
    // (`line_json` is the exact line; the other columns are for queries).
    r"
    CREATE TABLE pay_periods (
        start         TEXT    PRIMARY KEY,
        end           TEXT    NOT NULL,
        closed_at     TEXT    NOT NULL,
        actor         TEXT    NOT NULL,
        inputs_sha256 TEXT    NOT NULL,
        currency      TEXT    NOT NULL,
        minor_units   INTEGER NOT NULL,
        people_json   TEXT    NOT NULL
    );
    CREATE TABLE pay_lines (
        period_start  TEXT    NOT NULL REFERENCES pay_periods (start),
        line          INTEGER NOT NULL,
        adjusts_start TEXT,
        adjusts_end   TEXT,
        employee_id   TEXT    NOT NULL,
        team          TEXT    NOT NULL,
        role          TEXT    NOT NULL,
        code          TEXT    NOT NULL,
        amount        TEXT    NOT NULL,
        line_json     TEXT    NOT NULL,
        PRIMARY KEY (period_start, line)
    );
    CREATE TRIGGER pay_periods_immutable_u BEFORE UPDATE ON pay_periods
        BEGIN SELECT RAISE(ABORT, 'closed pay periods are immutable'); END;
    CREATE TRIGGER pay_periods_immutable_d BEFORE DELETE ON pay_periods
        BEGIN SELECT RAISE(ABORT, 'closed pay periods are immutable'); END;
    CREATE TRIGGER pay_lines_immutable_u BEFORE UPDATE ON pay_lines
        BEGIN SELECT RAISE(ABORT, 'closed pay periods are immutable'); END;
    CREATE TRIGGER pay_lines_immutable_d BEFORE DELETE ON pay_lines
        BEGIN SELECT RAISE(ABORT, 'closed pay periods are immutable'); END;
    ",
    // 4: secret links to feeds and pages: only each secret's SHA-256 is kept.
    r"
    CREATE TABLE links (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        kind          TEXT    NOT NULL CHECK (kind IN ('person', 'team')),
        subject       TEXT    NOT NULL,
        secret_sha256 TEXT    NOT NULL UNIQUE,
        created_at    TEXT    NOT NULL,
        created_by    TEXT    NOT NULL,
        last_used     TEXT,
        revoked_at    TEXT
    );
    ",
    // 5: offers (cover requests, day trades, swap requests) in one table and
    // one id space, each waiting for the consent of whoever takes a shift.
    // Swap requests move here with their ids; one counts as consented when
    // its audit entry shows the asker made it.
    r"
    CREATE TABLE offers (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        team        TEXT    NOT NULL,
        kind        TEXT    NOT NULL CHECK (kind IN ('cover', 'trade', 'swap')),
        person      TEXT    NOT NULL,
        role        TEXT,
        counterpart TEXT,
        give_start  TEXT,
        give_end    TEXT,
        take_start  TEXT,
        take_end    TEXT,
        give_week   TEXT,
        want_weeks  TEXT,
        consented   INTEGER NOT NULL,
        status      TEXT    NOT NULL
            CHECK (status IN ('open', 'accepted', 'granted', 'declined', 'cancelled')),
        created_at  TEXT    NOT NULL,
        created_by  TEXT    NOT NULL,
        decided_at  TEXT,
        decided_by  TEXT
    );
    CREATE INDEX offers_open ON offers (team, status);
    INSERT INTO offers (id, team, kind, person, give_week, want_weeks, consented, status,
                        created_at, created_by)
        SELECT s.id, s.team, 'swap', s.person, s.give_week, s.want_weeks,
               EXISTS (SELECT 1 FROM audit a WHERE a.action = 'swap-request'
                       AND a.team = s.team AND json_extract(a.detail, '$.request') = s.id
                       AND a.actor = s.person),
               s.status, s.created_at,
               coalesce((SELECT a.actor FROM audit a WHERE a.action = 'swap-request'
                         AND a.team = s.team AND json_extract(a.detail, '$.request') = s.id),
                        '')
        FROM swap_requests s;
    DROP TABLE swap_requests;
    ",
    // 6: overrides oncall created in a pager's schedule (`oncall sync`): only
    // these are ever deleted there.
    r"
    CREATE TABLE pager_overrides (
        vendor      TEXT NOT NULL,
        schedule    TEXT NOT NULL,
        override_id TEXT NOT NULL,
        team        TEXT NOT NULL,
        role        TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        PRIMARY KEY (vendor, schedule, override_id)
    );
    ",
    // 7: the notification outbox: each notification is written in the
    // transaction of the change it announces, with one delivery per channel;
    // a deliverer holds a delivery under a lease (claimed_by, claimed_until)
    // while it sends it; `reminders` holds each shift already reminded of.
    r"
    CREATE TABLE notifications (
        id         TEXT PRIMARY KEY,
        event      TEXT NOT NULL,
        team       TEXT NOT NULL,
        actor      TEXT NOT NULL,
        people     TEXT NOT NULL,
        changes    TEXT NOT NULL,
        offer      INTEGER,
        period     TEXT,
        created_at TEXT NOT NULL
    );
    CREATE TABLE deliveries (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        notification    TEXT    NOT NULL REFERENCES notifications (id),
        channel         TEXT    NOT NULL,
        state           TEXT    NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
        attempts        INTEGER NOT NULL,
        next_attempt_at TEXT    NOT NULL,
        claimed_by      TEXT,
        claimed_until   TEXT,
        last_error      TEXT,
        delivered_at    TEXT,
        UNIQUE (notification, channel)
    );
    CREATE INDEX deliveries_due ON deliveries (state, next_attempt_at);
    CREATE TABLE reminders (
        team         TEXT NOT NULL,
        role         TEXT NOT NULL,
        person       TEXT NOT NULL,
        start        TEXT NOT NULL,
        notification TEXT NOT NULL REFERENCES notifications (id),
        PRIMARY KEY (team, role, person, start)
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
    #[error(
        "state store {path}: this oncall.db was written by a newer oncall (schema {found}; \
         this oncall knows schemas up to {known})\n  help: upgrade oncall"
    )]
    TooNew {
        /// The database file.
        path: PathBuf,
        /// Its version.
        found: i64,
        /// The newest this build knows.
        known: i64,
    },
    /// The schema version is not one any oncall writes (negative).
    #[error(
        "state store {path}: schema {found} is not a valid oncall.db schema\n  help: this file \
         was not written by oncall; restore oncall.db from a backup"
    )]
    BadSchema {
        /// The database file.
        path: PathBuf,
        /// Its version.
        found: i64,
    },
    /// A stored value could not be read back.
    #[error(
        "state store {path}: corrupt value `{value}` in {what}{}\n  help: {}",
        row.as_ref().map_or(String::new(), |r| format!(", row {}", r.row)),
        row.as_ref().map_or(RECOVER_ANY, |r| r.fix.as_str())
    )]
    Corrupt {
        /// The database file.
        path: PathBuf,
        /// Which column (`table.column`).
        what: &'static str,
        /// The value.
        value: String,
        /// Which row, and how to remove it, when known.
        row: Option<BadRow>,
    },
    /// The plan cannot be stored as it is.
    #[error("{0}")]
    Invalid(String),
    /// The store's own constraints refused a change (it would store
    /// something twice, or alter a published version); nothing was written.
    #[error("state store {path}: the change was not recorded: {reason}")]
    Conflict {
        /// The database file.
        path: PathBuf,
        /// Why, in plain words.
        reason: &'static str,
    },
}

/// The recovery advice for a corrupt row that no command can remove.
const RECOVER_ANY: &str = "`oncall store check` lists every row that cannot be read; restore \
                           oncall.db from a backup";

/// The row a corrupt value was found in, and how to recover.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadRow {
    /// The row, e.g. `team payments, version 3, week 9999-12-27, role primary`.
    pub row: String,
    /// The recovery command, in words.
    pub fix: String,
}

impl BadRow {
    /// A row of published version `version` of `team`: dropping that version
    /// recovers.
    pub fn of_version(team: &str, version: u32, row: String) -> BadRow {
        BadRow {
            row,
            fix: format!(
                "the row belongs to published version {version} of team {team}; remove that \
                 version with `oncall store repair --drop-version {team} {version}` (audited), or \
                 restore oncall.db from a backup taken before it was published"
            ),
        }
    }
}

impl StoreError {
    /// Names the row of a [`StoreError::Corrupt`] that lacks one; any other
    /// error is returned as it is.
    pub fn at_row(self, row: impl FnOnce() -> BadRow) -> StoreError {
        match self {
            StoreError::Corrupt {
                path,
                what,
                value,
                row: None,
            } => StoreError::Corrupt {
                path,
                what,
                value,
                row: Some(row()),
            },
            other => other,
        }
    }

    /// Whether the error means the store cannot be read or used (exit 3),
    /// rather than a change it refused.
    pub fn is_internal(&self) -> bool {
        !matches!(self, StoreError::Invalid(_) | StoreError::Conflict { .. })
    }

    /// Whether the store failed because it cannot be written here (a
    /// read-only file, directory or medium): reading may still work.
    pub fn is_read_only(&self) -> bool {
        use rusqlite::ErrorCode::{CannotOpen, PermissionDenied, ReadOnly};
        match self {
            StoreError::Sql {
                source: rusqlite::Error::SqliteFailure(e, _),
                ..
            } => matches!(e.code, ReadOnly | CannotOpen | PermissionDenied),
            _ => false,
        }
    }
}

/// Maps a failed write: a constraint of the schema becomes
/// [`StoreError::Conflict`] in plain words, anything else [`StoreError::Sql`].
pub(crate) fn write_err(path: &Path) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
    move |source| match conflict_reason(&source) {
        Some(reason) => StoreError::Conflict {
            path: path.to_path_buf(),
            reason,
        },
        None => StoreError::Sql {
            path: path.to_path_buf(),
            source,
        },
    }
}

/// What a constraint failure means for the schedule, when `e` is one.
fn conflict_reason(e: &rusqlite::Error) -> Option<&'static str> {
    use rusqlite::ffi;
    let rusqlite::Error::SqliteFailure(f, _) = e else {
        return None;
    };
    if f.code != rusqlite::ErrorCode::ConstraintViolation {
        return None;
    }
    Some(match f.extended_code {
        ffi::SQLITE_CONSTRAINT_PRIMARYKEY | ffi::SQLITE_CONSTRAINT_UNIQUE => {
            "it would record the same entry twice (a slot listed twice, or a version number \
             already taken by another writer)"
        }
        ffi::SQLITE_CONSTRAINT_TRIGGER => "published plan versions cannot be changed or deleted",
        ffi::SQLITE_CONSTRAINT_FOREIGNKEY => "it refers to a plan version that does not exist",
        _ => "it breaks a rule of the state store's schema",
    })
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
    /// An offer accepted by the person taking the shift.
    Accept,
}

impl ChangeKind {
    fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Override => "override",
            ChangeKind::Swap => "swap",
            ChangeKind::SwapMatch => "swap-match",
            ChangeKind::Accept => "accept",
        }
    }
}

/// One entry of the audit log.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
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
    /// What changed, as JSON (serialised as that JSON, not as a string).
    #[serde(serialize_with = "detail_as_json")]
    pub detail: String,
}

/// An audit entry's detail as the JSON it holds; a detail that is not JSON
/// (none is written so) as a string.
fn detail_as_json<S: serde::Serializer>(detail: &str, s: S) -> Result<S::Ok, S::Error> {
    use serde::Serialize;
    match serde_json::from_str::<serde_json::Value>(detail) {
        Ok(v) => v.serialize(s),
        Err(_) => detail.serialize(s),
    }
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
    /// Whether the asker made it themselves (or a manager forced it): only
    /// such requests are granted by `swap match`.
    pub consented: bool,
    /// When it was made.
    pub created_at: DateTime<Utc>,
}

/// Who a change is recorded as made by when no one said.
const UNKNOWN_ACTOR: &str = "unknown";

/// An open state store.
#[derive(Debug)]
pub struct Store {
    pub(crate) conn: Connection,
    path: PathBuf,
    /// Who the changes written through this store are recorded as made by
    /// (see [`Store::acting_as`]).
    actor: String,
}

/// One `IMMEDIATE` write transaction: it reads (through [`StoreRead`]) and
/// writes, and lands all or nothing. Another writer waits for it to end.
#[derive(Debug)]
pub struct Writer<'c> {
    tx: rusqlite::Transaction<'c>,
    path: &'c Path,
    now: DateTime<Utc>,
    actor: String,
}

impl StoreRead for Store {
    fn conn(&self) -> &Connection {
        &self.conn
    }
    fn path(&self) -> &Path {
        &self.path
    }
}

/// A read transaction: every query in it sees the same state of the store,
/// even while another process commits a change.
#[derive(Debug)]
pub struct Snapshot<'c> {
    tx: rusqlite::Transaction<'c>,
    path: &'c Path,
}

impl StoreRead for Snapshot<'_> {
    fn conn(&self) -> &Connection {
        &self.tx
    }
    fn path(&self) -> &Path {
        self.path
    }
}

impl StoreRead for Writer<'_> {
    fn conn(&self) -> &Connection {
        &self.tx
    }
    fn path(&self) -> &Path {
        self.path
    }
}

/// `path` for a `file:` URI: absolute, with every byte outside the
/// unreserved characters and `/` percent-encoded.
fn uri_path(path: &Path) -> String {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = String::new();
    for &b in abs.as_os_str().as_encoded_bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `Ok` for a schema version this build can read (it may still need
/// migrations); a negative one, or one newer than [`MIGRATIONS`], is refused.
fn schema_known(path: &Path, found: i64) -> Result<(), StoreError> {
    let known = MIGRATIONS.len() as i64;
    if found < 0 {
        return Err(StoreError::BadSchema {
            path: path.to_path_buf(),
            found,
        });
    }
    if found > known {
        return Err(StoreError::TooNew {
            path: path.to_path_buf(),
            found,
            known,
        });
    }
    Ok(())
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
        let sql = sql_err(path);
        let conn = Connection::open(path).map_err(&sql)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(&sql)?;
        // WAL lets readers go on while one process writes; FULL sync makes a
        // committed change survive a crash of the machine, not only of us.
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(&sql)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(&sql)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(&sql)?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
            actor: UNKNOWN_ACTOR.to_string(),
        };
        store.migrate()?;
        Ok(store)
    }

    /// Records every change written through this store as made by `actor`
    /// (a person id, or a name such as `hr` or `server`). The library never
    /// guesses who acts: the shell that knows (a sign-in, the command's
    /// environment) says so; until then changes are recorded as made by
    /// `unknown`.
    #[must_use]
    pub fn acting_as(mut self, actor: impl Into<String>) -> Store {
        let actor = actor.into();
        self.actor = if actor.trim().is_empty() {
            UNKNOWN_ACTOR.to_string()
        } else {
            actor
        };
        self
    }

    /// Opens an existing store for reading only: nothing is created or
    /// migrated, so a user who may only read the workspace can still read
    /// the schedule.
    ///
    /// A WAL-mode database needs its `-shm` file to be read; when that file
    /// is missing and cannot be created (a read-only directory), the
    /// database is opened as immutable instead: it is read as the file
    /// holds it, which is the whole state when no `-wal` file is left.
    ///
    /// # Errors
    /// SQLite failures, or a database from a newer oncall.
    pub fn open_read_only(root: &Path) -> Result<Store, StoreError> {
        let path = root.join(DB_FILE);
        match Store::open_reader(&path, false) {
            Err(e) if e.is_read_only() => Store::open_reader(&path, true),
            other => other,
        }
    }

    fn open_reader(path: &Path, immutable: bool) -> Result<Store, StoreError> {
        let sql = sql_err(path);
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = if immutable {
            let uri = format!("file:{}?immutable=1", uri_path(path));
            Connection::open_with_flags(uri, flags | OpenFlags::SQLITE_OPEN_URI)
        } else {
            Connection::open_with_flags(path, flags)
        }
        .map_err(&sql)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(&sql)?;
        let store = Store {
            conn,
            path: path.to_path_buf(),
            actor: UNKNOWN_ACTOR.to_string(),
        };
        schema_known(&store.path, store.schema_version()?)?;
        Ok(store)
    }

    /// The schema version of the open database.
    ///
    /// # Errors
    /// SQLite failures.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        self.conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(sql_err(&self.path))
    }

    /// SQLite's own consistency check: `ok` when the file is sound.
    ///
    /// # Errors
    /// SQLite failures.
    pub fn integrity_check(&self) -> Result<String, StoreError> {
        self.conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .map_err(sql_err(&self.path))
    }

    /// Runs `f` in one `IMMEDIATE` transaction: it commits when `f` returns
    /// `Ok` and rolls back otherwise. Concurrent writers are serialised by
    /// SQLite, so what `f` reads is still true when it commits.
    ///
    /// # Errors
    /// What `f` returns, or SQLite failing to begin or commit.
    pub fn write<T, E: From<StoreError>>(
        &mut self,
        f: impl FnOnce(&Writer<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        let path = self.path.as_path();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql_err(path))
            .map_err(E::from)?;
        let writer = Writer {
            tx,
            path,
            now: crate::clock::now(),
            actor: self.actor.clone(),
        };
        let out = f(&writer)?;
        writer
            .tx
            .commit()
            .map_err(write_err(path))
            .map_err(E::from)?;
        Ok(out)
    }

    /// Runs `f` in one read transaction, so that what it reads in several
    /// queries (slots, then overrides) is one consistent state.
    ///
    /// # Errors
    /// What `f` returns, or SQLite failing to begin.
    pub fn read<T>(
        &self,
        f: impl FnOnce(&Snapshot<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let path = self.path.as_path();
        let tx = self.conn.unchecked_transaction().map_err(sql_err(path))?;
        let snapshot = Snapshot { tx, path };
        let out = f(&snapshot)?;
        // Nothing was written: ending the transaction only releases the snapshot.
        snapshot.tx.rollback().map_err(sql_err(path))?;
        Ok(out)
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        loop {
            let path = self.path.clone();
            let sql = sql_err(&path);
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(&sql)?;
            let version: i64 = tx
                .query_row("PRAGMA user_version", [], |r| r.get(0))
                .map_err(&sql)?;
            schema_known(&path, version)?;
            let Some(step) = usize::try_from(version)
                .ok()
                .and_then(|v| MIGRATIONS.get(v))
            else {
                return Ok(());
            };
            tx.execute_batch(step).map_err(&sql)?;
            tx.pragma_update(None, "user_version", version + 1)
                .map_err(&sql)?;
            tx.commit().map_err(&sql)?;
        }
    }
}

/// Fault injection for the crash-safety tests, compiled only with the
/// `fault-injection` feature (which only the tests turn on): with
/// `ONCALL_FAULT_PAUSE_FILE=PATH` set, a publish creates `PATH` half way
/// through writing its slots, inside the open transaction, and then waits
/// for the test to kill the process.
mod fault {
    #[cfg(feature = "fault-injection")]
    pub(super) fn pause_here() {
        if let Some(path) = std::env::var_os("ONCALL_FAULT_PAUSE_FILE") {
            if std::fs::write(path, b"paused").is_ok() {
                std::thread::sleep(std::time::Duration::from_secs(600));
            }
        }
    }

    #[cfg(not(feature = "fault-injection"))]
    pub(super) fn pause_here() {}
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

    /// Swap requests move into the offers table with their ids; one counts
    /// as consented only when its audit entry shows the asker made it.
    #[test]
    fn swap_requests_become_offers_keeping_ids_and_consent() {
        use crate::schedule::offers::{Status, Terms};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(DB_FILE);
        let conn = Connection::open(&path).unwrap();
        for step in &MIGRATIONS[..4] {
            conn.execute_batch(step).unwrap();
        }
        conn.pragma_update(None, "user_version", 4).unwrap();
        conn.execute_batch(
            r#"
            INSERT INTO swap_requests VALUES
                (3, 'ops', 'ann', '2027-01-04', '["2027-01-11"]', 'open', '2026-12-01T00:00:00Z'),
                (7, 'ops', 'ben', '2027-01-11', '["2027-01-04","2027-01-18"]', 'granted',
                 '2026-12-02T00:00:00Z');
            INSERT INTO audit (at, actor, team, action, forced, detail) VALUES
                ('2026-12-01T00:00:00Z', 'ann', 'ops', 'swap-request', 0, '{"request":3}'),
                ('2026-12-02T00:00:00Z', 'tester', 'ops', 'swap-request', 0, '{"request":7}');
            "#,
        )
        .unwrap();
        drop(conn);
        let s = Store::open_file(&path).unwrap();
        let all = s.offers(Some("ops"), None).unwrap();
        let got: Vec<(i64, &str, bool, Status)> = all
            .iter()
            .map(|o| (o.id, o.person.as_str(), o.consented, o.status))
            .collect();
        assert_eq!(
            got,
            vec![
                (3, "ann", true, Status::Open),
                (7, "ben", false, Status::Granted)
            ]
        );
        let want = |o: &crate::schedule::offers::Offer| match &o.terms {
            Terms::Swap { want, .. } => want.len(),
            _ => 0,
        };
        assert_eq!((want(&all[0]), want(&all[1])), (1, 2));
        assert_eq!(s.open_swap_requests("ops").unwrap().len(), 1);
        // New offers continue the id sequence.
        let next: i64 = s
            .conn
            .query_row(
                "SELECT seq FROM sqlite_sequence WHERE name = 'offers'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(next, 7);
    }

    #[test]
    fn a_newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path()).unwrap();
        s.conn.pragma_update(None, "user_version", 99).unwrap();
        drop(s);
        let err = Store::open(dir.path()).unwrap_err();
        assert!(matches!(err, StoreError::TooNew { found: 99, .. }), "{err}");
        assert!(
            err.to_string()
                .contains("written by a newer oncall (schema 99"),
            "{err}"
        );
        assert!(Store::open_read_only(dir.path()).is_err());
    }

    #[test]
    fn a_negative_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path()).unwrap();
        s.conn.pragma_update(None, "user_version", -1).unwrap();
        drop(s);
        let err = Store::open(dir.path()).unwrap_err();
        assert!(
            matches!(err, StoreError::BadSchema { found: -1, .. }),
            "{err}"
        );
        let err = Store::open_read_only(dir.path()).unwrap_err();
        assert!(
            err.to_string().contains("not a valid oncall.db schema"),
            "{err}"
        );
    }
}
