//! Overrides oncall created in a pager's schedules, by the pager's ids, so
//! that a sync deletes only its own.

use std::collections::BTreeSet;

use rusqlite::params;

use super::read::{sql_err, StoreRead};
use super::{ts, write_err, StoreError, Writer};

/// Reading the pager overrides oncall created; every reader has it.
pub trait PagerRead: StoreRead {
    /// The ids of the overrides oncall created in `schedule` of `vendor`.
    /// A store from before syncs existed has none.
    ///
    /// # Errors
    /// SQLite failures.
    fn pager_overrides(
        &self,
        vendor: &str,
        schedule: &str,
    ) -> Result<BTreeSet<String>, StoreError> {
        if !self.has_table("pager_overrides")? {
            return Ok(BTreeSet::new());
        }
        let path = self.path();
        let mut stmt = self
            .conn()
            .prepare("SELECT override_id FROM pager_overrides WHERE vendor = ?1 AND schedule = ?2")
            .map_err(sql_err(path))?;
        let ids = stmt
            .query_map(params![vendor, schedule], |r| r.get::<_, String>(0))
            .map_err(sql_err(path))?
            .collect::<Result<BTreeSet<_>, _>>()
            .map_err(sql_err(path))?;
        Ok(ids)
    }
}

impl<T: StoreRead + ?Sized> PagerRead for T {}

/// Recording what a sync did in a pager.
pub trait PagerWrite {
    /// Remembers that oncall created `created` and deleted `deleted` in
    /// `schedule` of `vendor` for `team`'s `role`.
    ///
    /// # Errors
    /// SQLite failures.
    fn record_pager_changes(
        &self,
        at: (&str, &str),
        by: (&str, &str),
        created: &[String],
        deleted: &[String],
    ) -> Result<(), StoreError>;
}

impl PagerWrite for Writer<'_> {
    fn record_pager_changes(
        &self,
        (vendor, schedule): (&str, &str),
        (team, role): (&str, &str),
        created: &[String],
        deleted: &[String],
    ) -> Result<(), StoreError> {
        let err = write_err(self.path());
        for id in created {
            self.tx
                .execute(
                    "INSERT OR IGNORE INTO pager_overrides \
                     (vendor, schedule, override_id, team, role, created_at) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![vendor, schedule, id, team, role, ts(self.now)],
                )
                .map_err(&err)?;
        }
        for id in deleted {
            self.tx
                .execute(
                    "DELETE FROM pager_overrides \
                     WHERE vendor = ?1 AND schedule = ?2 AND override_id = ?3",
                    params![vendor, schedule, id],
                )
                .map_err(&err)?;
        }
        Ok(())
    }
}
