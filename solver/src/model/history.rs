//! What people held before a horizon: published shifts and overrides, as
//! plain records. The planner and the checker read history in this form, so
//! neither depends on how the schedule is stored or resolved.

use chrono::{DateTime, NaiveDate, Utc};

/// One stretch of one role held by one person, within one rotation week.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeldShift {
    /// The local date (team zone) of the week's first handoff.
    pub week: NaiveDate,
    /// Role name.
    pub role: String,
    /// Person id.
    pub person: String,
    /// Start of the stretch.
    pub start: DateTime<Utc>,
    /// End of the stretch (exclusive).
    pub end: DateTime<Utc>,
}
