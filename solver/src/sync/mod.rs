//! Paging what the timeline says: the resolved timeline of each mapped role
//! becomes overrides in a pager's schedule (`oncall sync pagerduty`).
//!
//! The sync is written against [`Pager`], a small trait over a vendor's
//! schedule overrides; [`pagerduty::PagerDuty`] is its first
//! implementation. The decision of what to change is the pure
//! [`diff::diff`]; [`run`] reads the timeline, asks the pager, and (with
//! `apply`) writes the changes, remembering in `oncall.db` the ids of the
//! overrides oncall created so that a person's own overrides are never
//! deleted.

pub mod diff;
pub mod pagerduty;
mod run;

use chrono::{DateTime, Utc};

pub use diff::{Changes, Existing, Wanted};
pub use run::{run, wanted, RoleSync, SyncError, SyncOptions, SyncReport};

/// An override to create: `user` holds the schedule over `[start, end)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewOverride {
    /// Start instant.
    pub start: DateTime<Utc>,
    /// End instant (exclusive).
    pub end: DateTime<Utc>,
    /// The pager's user id.
    pub user: String,
}

/// What went wrong talking to a pager.
#[derive(Debug, thiserror::Error)]
pub enum PagerError {
    /// The pager refused the credentials (HTTP 401 or 403).
    #[error("{vendor} refused the token (HTTP {status}): check $PAGERDUTY_TOKEN and its access")]
    Refused {
        /// e.g. `PagerDuty`.
        vendor: &'static str,
        /// The HTTP status.
        status: u16,
    },
    /// No user, or more than one, has that e-mail address.
    #[error("{0}")]
    User(String),
    /// Any other failure: the network, an unexpected answer, retries used up.
    #[error("{0}")]
    Failed(String),
}

/// A pager's schedule overrides, as the sync needs them.
pub trait Pager {
    /// The vendor's name, e.g. `pagerduty` (the key in `oncall.db`).
    fn vendor(&self) -> &'static str;
    /// The user whose e-mail address is `email`: exactly one must match.
    ///
    /// # Errors
    /// No user or several match, or the pager fails.
    fn find_user(&mut self, email: &str) -> Result<String, PagerError>;
    /// The overrides of `schedule` overlapping `[since, until)`.
    ///
    /// # Errors
    /// The pager fails.
    fn overrides(
        &mut self,
        schedule: &str,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<Existing>, PagerError>;
    /// Creates `overrides` in `schedule`, returning for each, in order, the
    /// new override's id, or why the pager rejected that one.
    ///
    /// # Errors
    /// The whole request failed: nothing was created.
    fn create(
        &mut self,
        schedule: &str,
        overrides: &[NewOverride],
    ) -> Result<Vec<Result<String, String>>, PagerError>;
    /// Deletes one override (an override already gone counts as deleted).
    ///
    /// # Errors
    /// The pager fails.
    fn delete(&mut self, schedule: &str, id: &str) -> Result<(), PagerError>;
}
