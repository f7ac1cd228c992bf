//! Secret links in the store. A link is stored as the SHA-256 of its secret,
//! never the secret itself; a revoked link keeps its row, for the audit.

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::read::{instant, sql_err, StoreRead};
use super::{ts, write_err, StoreError, Writer};
use crate::schedule::links::{Link, LinkSubject};

/// Reading links; every reader of the store has it.
pub trait LinkRead: StoreRead {
    /// Every link, oldest first. A store from before links existed has none.
    ///
    /// # Errors
    /// SQLite failures or unreadable rows.
    fn links(&self) -> Result<Vec<Link>, StoreError> {
        if !self.has_table("links")? {
            return Ok(Vec::new());
        }
        let links = self.query_links("SELECT * FROM links ORDER BY id", params![])?;
        Ok(links.into_iter().map(|(l, _)| l).collect())
    }

    /// The link whose secret hashes to `sha256`, revoked or not, with the
    /// hash as stored (for the caller to compare in constant time).
    ///
    /// # Errors
    /// SQLite failures or unreadable rows.
    fn link_by_hash(&self, sha256: &str) -> Result<Option<(Link, String)>, StoreError> {
        if !self.has_table("links")? {
            return Ok(None);
        }
        let mut found = self.query_links(
            "SELECT * FROM links WHERE secret_sha256 = ?1",
            params![sha256],
        )?;
        Ok(found.pop())
    }

    /// The last change to the schedule: its audit log number, which every
    /// publish, override, swap and link change raises, and when it was
    /// made. `(0, None)` before any change.
    ///
    /// # Errors
    /// SQLite failures or unreadable rows.
    fn last_change(&self) -> Result<(i64, Option<DateTime<Utc>>), StoreError> {
        let (id, at): (i64, Option<String>) = self
            .conn()
            .query_row(
                "SELECT coalesce(max(id), 0), (SELECT at FROM audit ORDER BY id DESC LIMIT 1) \
                 FROM audit",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(sql_err(self.path()))?;
        let at = at
            .map(|a| instant(self.path(), &a, "audit.at"))
            .transpose()?;
        Ok((id, at))
    }

    #[doc(hidden)]
    fn query_links(
        &self,
        sql: &str,
        args: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<(Link, String)>, StoreError> {
        let path = self.path();
        let mut stmt = self.conn().prepare(sql).map_err(sql_err(path))?;
        let rows = stmt
            .query_map(args, |r| {
                Ok((
                    r.get::<_, i64>("id")?,
                    r.get::<_, String>("kind")?,
                    r.get::<_, String>("subject")?,
                    r.get::<_, String>("created_at")?,
                    r.get::<_, String>("created_by")?,
                    r.get::<_, Option<String>>("last_used")?,
                    r.get::<_, Option<String>>("revoked_at")?,
                    r.get::<_, String>("secret_sha256")?,
                ))
            })
            .map_err(sql_err(path))?;
        let when = |s: Option<String>, what| s.map(|s| instant(path, &s, what)).transpose();
        let mut out = Vec::new();
        for row in rows {
            let (id, kind, subject, created, by, used, revoked, hash) =
                row.map_err(sql_err(path))?;
            let subject = match kind.as_str() {
                "person" => LinkSubject::Person(subject),
                _ => LinkSubject::Team(subject),
            };
            let link = Link {
                id,
                subject,
                created: instant(path, &created, "links.created_at")?,
                created_by: by,
                last_used: when(used, "links.last_used")?,
                revoked: when(revoked, "links.revoked_at")?,
            };
            out.push((link, hash));
        }
        Ok(out)
    }
}

impl<T: StoreRead + ?Sized> LinkRead for T {}

impl Writer<'_> {
    /// Stores a new link to `subject` by its secret's hash; returns its id.
    ///
    /// # Errors
    /// SQLite failures.
    pub fn add_link(&self, subject: &LinkSubject, sha256: &str) -> Result<i64, StoreError> {
        let (kind, id) = match subject {
            LinkSubject::Person(p) => ("person", p),
            LinkSubject::Team(t) => ("team", t),
        };
        self.tx
            .execute(
                "INSERT INTO links (kind, subject, secret_sha256, created_at, created_by) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![kind, id, sha256, ts(self.now), self.actor],
            )
            .map_err(write_err(self.path))?;
        Ok(self.tx.last_insert_rowid())
    }

    /// Marks link `id` revoked now.
    ///
    /// # Errors
    /// SQLite failures.
    pub fn revoke_link(&self, id: i64) -> Result<(), StoreError> {
        self.tx
            .execute(
                "UPDATE links SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
                params![id, ts(self.now)],
            )
            .map(drop)
            .map_err(write_err(self.path))
    }

    /// Records that link `id` was used at `at`.
    ///
    /// # Errors
    /// SQLite failures.
    pub fn touch_link(&self, id: i64, at: DateTime<Utc>) -> Result<(), StoreError> {
        self.tx
            .execute(
                "UPDATE links SET last_used = ?2 WHERE id = ?1",
                params![id, ts(at)],
            )
            .map(drop)
            .map_err(write_err(self.path))
    }
}
