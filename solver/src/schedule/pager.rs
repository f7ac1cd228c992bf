//! The schedule's side of a pager sync: which overrides in a pager oncall
//! made, and the record of each change it made there.

use std::collections::BTreeSet;

use crate::schedule::service::{Schedule, ScheduleError};
use crate::schedule::store::{PagerRead, PagerWrite};

/// A pager schedule and the team role it pages.
#[derive(Clone, Copy, Debug)]
pub struct PagerSchedule<'a> {
    /// e.g. `pagerduty`.
    pub vendor: &'a str,
    /// The pager's schedule id.
    pub schedule: &'a str,
    /// The team id.
    pub team: &'a str,
    /// The role name.
    pub role: &'a str,
}

impl Schedule<'_> {
    /// The ids of the overrides oncall created in `at`.
    ///
    /// # Errors
    /// The store cannot be read.
    pub fn pager_overrides(
        &self,
        at: PagerSchedule<'_>,
    ) -> Result<BTreeSet<String>, ScheduleError> {
        match self.store() {
            Some(s) => Ok(s.read(|r| r.pager_overrides(at.vendor, at.schedule))?),
            None => Ok(BTreeSet::new()),
        }
    }

    /// Records, in one transaction, the overrides oncall just created and
    /// deleted in `at`, and with `audit` an entry in the audit log
    /// (`sync-<vendor>`).
    ///
    /// # Errors
    /// The store cannot be written.
    pub fn record_pager_changes(
        &mut self,
        at: PagerSchedule<'_>,
        (created, deleted): (&[String], &[String]),
        audit: Option<&serde_json::Value>,
    ) -> Result<(), ScheduleError> {
        self.store_mut()?.write(|w| {
            w.record_pager_changes(
                (at.vendor, at.schedule),
                (at.team, at.role),
                created,
                deleted,
            )?;
            if let Some(detail) = audit {
                w.audit(at.team, &format!("sync-{}", at.vendor), false, detail)?;
            }
            Ok::<_, ScheduleError>(())
        })
    }
}
