//! `oncall store check` and `oncall store repair`: finding every row the
//! binary cannot read, and removing a published version that poisons the
//! store (docs/design.md §11.1).
//!
//! Published versions are immutable to every ordinary change; repair is the
//! one audited exception. It lifts the delete triggers, removes the version's
//! slots and row, and puts the triggers back, all in one `IMMEDIATE`
//! transaction, so no other writer ever sees the triggers missing.

use rusqlite::params;

use super::links::LinkRead;
use super::offers::OfferRead;
use super::pay::PayRead;
use super::read::{sql_err, StoreRead};
use super::{write_err, Store, StoreError, Writer};

/// What `store check` found.
#[derive(Debug)]
pub struct StoreCheck {
    /// SQLite's `integrity_check` and `foreign_key_check` findings; empty
    /// when the file is sound.
    pub integrity: Vec<String>,
    /// Every row, or the first row of a table, that cannot be read back,
    /// with which row it is and how to recover.
    pub problems: Vec<StoreError>,
    /// Teams with published versions or overrides.
    pub teams: usize,
    /// Published versions read.
    pub versions: usize,
}

impl StoreCheck {
    /// Whether nothing is wrong.
    pub fn is_sound(&self) -> bool {
        self.integrity.is_empty() && self.problems.is_empty()
    }
}

/// A published version that `repair` removed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dropped {
    /// The team.
    pub team: String,
    /// The version removed.
    pub version: u32,
    /// How many slots it held.
    pub slots: usize,
}

const RESTORE_TRIGGERS: &str = "
    CREATE TRIGGER plan_versions_immutable_d BEFORE DELETE ON plan_versions
        BEGIN SELECT RAISE(ABORT, 'published plan versions are immutable'); END;
    CREATE TRIGGER slots_immutable_d BEFORE DELETE ON slots
        BEGIN SELECT RAISE(ABORT, 'published plan versions are immutable'); END;";

impl Store {
    /// Reads every row of the store as the binary would and lists what it
    /// cannot read, instead of stopping at the first.
    ///
    /// # Errors
    /// SQLite failing to run a query at all.
    pub fn check(&self) -> Result<StoreCheck, StoreError> {
        let mut out = StoreCheck {
            integrity: self.sqlite_findings()?,
            problems: Vec::new(),
            teams: 0,
            versions: 0,
        };
        for team in self.stored_teams()? {
            out.teams += 1;
            for version in self.version_numbers(&team)? {
                out.versions += 1;
                out.problems.extend(self.plan_doc(&team, version).err());
                out.problems
                    .extend(self.version_slots(&team, Some(version)).err());
            }
            out.problems.extend(self.versions(&team).err());
            out.problems.extend(self.overrides(&team).err());
        }
        out.problems.extend(self.offers(None, None).err());
        out.problems.extend(self.audit(None).err());
        out.problems.extend(self.closed_pay_periods().err());
        out.problems.extend(self.links().err());
        Ok(out)
    }

    fn sqlite_findings(&self) -> Result<Vec<String>, StoreError> {
        let path = self.path.as_path();
        let rows = |sql: &str| -> Result<Vec<String>, StoreError> {
            let mut stmt = self.conn.prepare(sql).map_err(sql_err(path))?;
            let found = stmt
                .query_map([], |r| r.get::<_, rusqlite::types::Value>(0))
                .map_err(sql_err(path))?
                .collect::<Result<Vec<_>, _>>()
                .map_err(sql_err(path))?;
            Ok(found.into_iter().map(|v| format!("{v:?}")).collect())
        };
        let mut out: Vec<String> =
            self.integrity_check()
                .map(|s| if s == "ok" { Vec::new() } else { vec![s] })?;
        out.extend(
            rows("PRAGMA foreign_key_check")?
                .into_iter()
                .map(|t| format!("a row of {t} refers to a row that is not there")),
        );
        Ok(out)
    }

    fn stored_teams(&self) -> Result<Vec<String>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT team FROM plan_versions UNION SELECT team FROM overrides ORDER BY 1")
            .map_err(sql_err(&self.path))?;
        let teams = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(sql_err(&self.path))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(sql_err(&self.path));
        teams
    }

    fn version_numbers(&self, team: &str) -> Result<Vec<u32>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT version FROM plan_versions WHERE team = ?1 ORDER BY version")
            .map_err(sql_err(&self.path))?;
        let versions = stmt
            .query_map([team], |r| r.get::<_, u32>(0))
            .map_err(sql_err(&self.path))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(sql_err(&self.path));
        versions
    }
}

impl Store {
    /// `store repair --drop-version TEAM N`: [`Writer::drop_version`] in one
    /// transaction of its own, audited as `$ONCALL_USER`.
    ///
    /// # Errors
    /// As [`Writer::drop_version`].
    pub fn repair_drop_version(&mut self, team: &str, version: u32) -> Result<Dropped, StoreError> {
        self.write(|w| w.drop_version(team, version))
    }
}

impl Writer<'_> {
    /// Removes published version `version` of `team` and its slots, and
    /// audits it (`store-repair`). The timeline then resolves from the
    /// versions left, as if this one had never been published.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] when there is no such version; SQLite
    /// failures.
    pub fn drop_version(&self, team: &str, version: u32) -> Result<Dropped, StoreError> {
        let path = self.path;
        let exists: bool = self
            .tx
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM plan_versions WHERE team = ?1 AND version = ?2)",
                params![team, version],
                |r| r.get(0),
            )
            .map_err(sql_err(path))?;
        if !exists {
            return Err(StoreError::Invalid(format!(
                "team {team} has no published version {version}; `oncall store check` lists \
                 the versions that cannot be read"
            )));
        }
        self.tx
            .execute_batch(
                "DROP TRIGGER plan_versions_immutable_d; DROP TRIGGER slots_immutable_d;",
            )
            .map_err(write_err(path))?;
        let slots = self
            .tx
            .execute(
                "DELETE FROM slots WHERE team = ?1 AND version = ?2",
                params![team, version],
            )
            .map_err(write_err(path))?;
        self.tx
            .execute(
                "DELETE FROM plan_versions WHERE team = ?1 AND version = ?2",
                params![team, version],
            )
            .map_err(write_err(path))?;
        self.tx
            .execute_batch(RESTORE_TRIGGERS)
            .map_err(write_err(path))?;
        let detail = serde_json::json!({"dropped_version": version, "slots": slots});
        self.audit(team, "store-repair", false, &detail)?;
        Ok(Dropped {
            team: team.to_string(),
            version,
            slots,
        })
    }
}
