//! What people held before a horizon: published shifts and overrides, as
//! plain records. The planner and the checker read history in this form, so
//! neither depends on how the schedule is stored or resolved.

use chrono::{DateTime, NaiveDate, Utc};

/// A stretch in which a person is on call for another team. A plan or a
/// change of this team must not put them on call at the same time, unless
/// both teams set `allow_overlap`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Busy {
    /// Person id.
    pub person: String,
    /// The other team's id.
    pub team: String,
    /// The role held there.
    pub role: String,
    /// Start of the stretch.
    pub start: DateTime<Utc>,
    /// End of the stretch (exclusive).
    pub end: DateTime<Utc>,
}

impl Busy {
    /// Whether the stretch overlaps `[start, end)` for `person`.
    pub fn clashes(&self, person: &str, start: DateTime<Utc>, end: DateTime<Utc>) -> bool {
        self.person == person && self.start < end && start < self.end
    }
}

/// Whether `a` and `b` may not share a person at the same time.
pub fn exclusive(a: &crate::model::Team, b: &crate::model::Team) -> bool {
    a.id != b.id && !(a.allow_overlap && b.allow_overlap)
}

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
