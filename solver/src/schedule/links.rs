//! Secret links: a URL that grants one person's feed, or one team's feed,
//! schedule page and "who is on call now", to whoever holds it.
//!
//! - A secret is 256 random bits from the operating system, written as 64
//!   lowercase hex digits. It is shown once, when the link is created; the
//!   store keeps only its SHA-256, and a lookup compares hashes in constant
//!   time.
//! - An unknown and a revoked secret are the same to a caller: no link.
//! - Creating and revoking are recorded in the audit log, by link id; the
//!   secret is never written anywhere.

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::service::{Outcome, Schedule, ScheduleError};
use super::store::{LinkRead, StoreError, StoreRead, EVERY_TEAM};
use crate::model::Workspace;

/// Length of a secret in hex digits (256 bits).
pub const SECRET_LEN: usize = 64;

/// What a link grants.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", content = "id", rename_all = "lowercase")]
pub enum LinkSubject {
    /// One person's shifts in every team (a person id).
    Person(String),
    /// One team's feed, page and now (a team id).
    Team(String),
}

impl LinkSubject {
    /// `person alice` or `team payments`.
    pub fn describe(&self) -> String {
        match self {
            LinkSubject::Person(p) => format!("person {p}"),
            LinkSubject::Team(t) => format!("team {t}"),
        }
    }

    /// The team the audit log files a change of this link under.
    fn audit_team(&self) -> &str {
        match self {
            LinkSubject::Person(_) => EVERY_TEAM,
            LinkSubject::Team(t) => t,
        }
    }
}

/// A stored link (never its secret).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Link {
    /// Id, shown in lists and logs in place of the secret.
    pub id: i64,
    /// What it grants.
    pub subject: LinkSubject,
    /// When it was created.
    pub created: DateTime<Utc>,
    /// Who created it.
    pub created_by: String,
    /// When it was last used (recorded at most once a minute).
    pub last_used: Option<DateTime<Utc>>,
    /// When it was revoked.
    pub revoked: Option<DateTime<Utc>>,
}

/// A link just created, with its secret: the only time the secret exists
/// outside the holder's hands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewLink {
    /// The stored link.
    pub link: Link,
    /// The secret, 64 hex digits.
    pub secret: String,
}

/// The SHA-256 of `secret`, in hex.
pub fn secret_sha256(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `s` has the shape of a secret: 64 lowercase hex digits.
pub fn is_secret_shaped(s: &str) -> bool {
    s.len() == SECRET_LEN
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// A fresh secret from the operating system's random source.
fn new_secret() -> Result<String, StoreError> {
    let mut bytes = [0u8; SECRET_LEN / 2];
    getrandom::fill(&mut bytes)
        .map_err(|e| StoreError::Invalid(format!("no random source for a secret: {e}")))?;
    Ok(hex(&bytes))
}

/// The live (not revoked) link that `secret` opens, if any. A secret of the
/// wrong shape is not looked up at all.
///
/// # Errors
/// The store fails.
pub fn resolve(r: &impl StoreRead, secret: &str) -> Result<Option<Link>, StoreError> {
    if !is_secret_shaped(secret) {
        return Ok(None);
    }
    let hash = secret_sha256(secret);
    let Some((link, stored)) = r.link_by_hash(&hash)? else {
        return Ok(None);
    };
    let same: bool = stored.as_bytes().ct_eq(hash.as_bytes()).into();
    Ok((same && link.revoked.is_none()).then_some(link))
}

/// Why a link was not created or revoked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkRefusal {
    /// No such person or team in the workspace.
    UnknownSubject(LinkSubject),
    /// No link has this id.
    UnknownLink(i64),
    /// The link was revoked already.
    AlreadyRevoked(i64),
}

impl std::fmt::Display for LinkRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LinkRefusal::UnknownSubject(s) => write!(f, "there is no {}", s.describe()),
            LinkRefusal::UnknownLink(id) => write!(f, "there is no link #{id}"),
            LinkRefusal::AlreadyRevoked(id) => write!(f, "link #{id} is revoked already"),
        }
    }
}

fn known(ws: &Workspace, subject: &LinkSubject) -> bool {
    match subject {
        LinkSubject::Person(p) => ws.person_by_id(p).is_some(),
        LinkSubject::Team(t) => ws.teams.iter().any(|x| &x.id == t),
    }
}

impl Schedule<'_> {
    /// Creates a link to `subject` and records it in the audit log, in one
    /// transaction. The secret is in the result and nowhere else.
    ///
    /// # Errors
    /// The store fails.
    pub fn create_link(
        &mut self,
        subject: LinkSubject,
    ) -> Result<Outcome<NewLink, LinkRefusal>, ScheduleError> {
        if !known(self.workspace(), &subject) {
            return Ok(Outcome::Malformed(vec![LinkRefusal::UnknownSubject(
                subject,
            )]));
        }
        let secret = new_secret()?;
        let hash = secret_sha256(&secret);
        let link = self.store_mut()?.write(|w| {
            let id = w.add_link(&subject, &hash)?;
            let detail = serde_json::json!({ "link": id, "grants": subject.describe() });
            w.audit(subject.audit_team(), "link-create", false, &detail)?;
            let created = w.links()?.into_iter().find(|l| l.id == id);
            created.ok_or_else(|| {
                ScheduleError::Store(StoreError::Invalid(format!("link #{id} was not stored")))
            })
        })?;
        Ok(Outcome::Recorded {
            value: NewLink { link, secret },
            overruled: Vec::new(),
        })
    }

    /// Revokes link `id` and records it, in one transaction: the next
    /// request with its secret is refused.
    ///
    /// # Errors
    /// The store fails.
    pub fn revoke_link(&mut self, id: i64) -> Result<Outcome<Link, LinkRefusal>, ScheduleError> {
        self.store_mut()?.write(|w| {
            let Some(link) = w.links()?.into_iter().find(|l| l.id == id) else {
                return Ok(Outcome::Malformed(vec![LinkRefusal::UnknownLink(id)]));
            };
            if link.revoked.is_some() {
                return Ok(Outcome::Malformed(vec![LinkRefusal::AlreadyRevoked(id)]));
            }
            w.revoke_link(id)?;
            let detail = serde_json::json!({ "link": id, "grants": link.subject.describe() });
            w.audit(link.subject.audit_team(), "link-revoke", false, &detail)?;
            let revoked = w.links()?.into_iter().find(|l| l.id == id).unwrap_or(link);
            Ok(Outcome::Recorded {
                value: revoked,
                overruled: Vec::new(),
            })
        })
    }

    /// Every link, oldest first.
    ///
    /// # Errors
    /// The store fails.
    pub fn links(&self) -> Result<Vec<Link>, ScheduleError> {
        match self.store() {
            Some(store) => Ok(store.links()?),
            None => Ok(Vec::new()),
        }
    }
}
