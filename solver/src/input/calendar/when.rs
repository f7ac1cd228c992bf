//! When an event happens: a DATE, or a wall-clock DATE-TIME in a zone, and
//! the key that EXDATE and RECURRENCE-ID match occurrences by.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};

use super::zones::Zone;

/// A DATE, or a wall-clock DATE-TIME and the zone it is read in (UTC for
/// `…Z` values, the person's zone for floating ones).
#[derive(Clone, Debug)]
pub(super) enum When {
    Date(NaiveDate),
    Time(NaiveDateTime, Zone),
}

/// What identifies an occurrence: its date, or its instant. EXDATE and
/// RECURRENCE-ID are matched by it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Key {
    Date(NaiveDate),
    Instant(DateTime<Utc>),
}

impl When {
    pub(super) fn key(&self) -> Key {
        match self {
            When::Date(d) => Key::Date(*d),
            When::Time(t, z) => Key::Instant(z.to_utc(*t)),
        }
    }

    /// The wall-clock value a recurrence is expanded in (midnight for a date).
    pub(super) fn wall(&self) -> NaiveDateTime {
        match self {
            When::Date(d) => d.and_time(NaiveTime::MIN),
            When::Time(t, _) => *t,
        }
    }

    /// The same kind of value at another wall-clock time.
    pub(super) fn at(&self, wall: NaiveDateTime) -> When {
        match self {
            When::Date(_) => When::Date(wall.date()),
            When::Time(_, z) => When::Time(wall, z.clone()),
        }
    }
}
