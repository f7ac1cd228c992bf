//! The `SEQUENCE` book of the calendar feeds: per event UID, the times and
//! sequence last written. It is schedule state, kept in the store between
//! runs, so that a calendar sees an event's `SEQUENCE` rise only when that
//! event's times change. This type is the logic, in memory.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};

/// The last times and `SEQUENCE` written for one UID.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SequenceEntry {
    /// Start last written.
    pub start: DateTime<Utc>,
    /// End last written.
    pub end: DateTime<Utc>,
    /// Sequence last written.
    pub sequence: u32,
}

/// Something that carries a UID, a span and a `SEQUENCE` (a feed event).
pub trait Sequenced {
    /// The stable id.
    fn uid(&self) -> &str;
    /// Start and end.
    fn span(&self) -> (DateTime<Utc>, DateTime<Utc>);
    /// Sets the sequence.
    fn set_sequence(&mut self, sequence: u32);
}

/// The book: per UID, the times and sequence last written, and which
/// entries changed since it was read.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sequences {
    entries: HashMap<String, SequenceEntry>,
    changed: BTreeMap<String, SequenceEntry>,
}

impl Sequences {
    /// An empty book.
    pub fn new() -> Self {
        Sequences::default()
    }

    /// A book from stored entries.
    pub fn from_entries(entries: impl IntoIterator<Item = (String, SequenceEntry)>) -> Self {
        Sequences {
            entries: entries.into_iter().collect(),
            changed: BTreeMap::new(),
        }
    }

    /// The entry of a UID.
    pub fn get(&self, uid: &str) -> Option<&SequenceEntry> {
        self.entries.get(uid)
    }

    /// Sets each event's sequence: 0 for a new UID, the stored one when its
    /// times are unchanged, one more when they changed. Returns the entries
    /// that are new or changed, sorted by UID.
    pub fn assign<E: Sequenced>(&mut self, events: &mut [E]) -> Vec<(String, SequenceEntry)> {
        let mut changed = BTreeMap::new();
        for e in events.iter_mut() {
            let (start, end) = e.span();
            let next = match self.entries.get(e.uid()) {
                Some(old) if old.start == start && old.end == end => {
                    e.set_sequence(old.sequence);
                    continue;
                }
                Some(old) => old.sequence.saturating_add(1),
                None => 0,
            };
            let entry = SequenceEntry {
                start,
                end,
                sequence: next,
            };
            e.set_sequence(next);
            self.entries.insert(e.uid().to_string(), entry);
            changed.insert(e.uid().to_string(), entry);
        }
        self.changed.extend(changed.clone());
        changed.into_iter().collect()
    }

    /// The entries changed since the book was read, to be stored.
    pub fn take_changed(&mut self) -> Vec<(String, SequenceEntry)> {
        std::mem::take(&mut self.changed).into_iter().collect()
    }
}
