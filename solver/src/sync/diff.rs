//! The pure diff between the stretches the timeline wants paged and the
//! overrides a pager already holds.
//!
//! Only overrides oncall created (their ids are in `oncall.db`) are ever
//! deleted. An override a person made in the pager is left alone: when it
//! does not match a wanted stretch it is reported as a conflict.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};

/// A stretch the timeline wants paged: one person, one role, merged over
/// contiguous segments.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Wanted {
    /// Start instant.
    pub start: DateTime<Utc>,
    /// End instant (exclusive).
    pub end: DateTime<Utc>,
    /// The person id in the workspace.
    pub person: String,
    /// The pager's user id for that person.
    pub user: String,
}

/// An override as the pager holds it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Existing {
    /// Start instant.
    pub start: DateTime<Utc>,
    /// End instant (exclusive).
    pub end: DateTime<Utc>,
    /// The pager's user id.
    pub user: String,
    /// The pager's id of the override.
    pub id: String,
}

/// What a sync of one schedule changes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Changes {
    /// Overrides to create.
    pub create: Vec<Wanted>,
    /// Overrides oncall created that the timeline no longer wants.
    pub delete: Vec<Existing>,
    /// Overrides a person made in the pager that disagree with the timeline;
    /// never deleted.
    pub conflicts: Vec<Existing>,
}

impl Changes {
    /// Whether nothing is to be written.
    pub fn is_empty(&self) -> bool {
        self.create.is_empty() && self.delete.is_empty()
    }
}

/// Merges stretches of one role, sorted by start, where one person's
/// stretch ends exactly where their next one starts.
pub fn merge(mut stretches: Vec<Wanted>) -> Vec<Wanted> {
    stretches.sort();
    let mut out: Vec<Wanted> = Vec::with_capacity(stretches.len());
    for s in stretches {
        match out.last_mut() {
            Some(last) if last.end == s.start && last.person == s.person && last.user == s.user => {
                last.end = s.end;
            }
            _ => out.push(s),
        }
    }
    out
}

/// The changes that make the pager's overrides page exactly `wanted`.
///
/// `existing` is what the pager holds over the window; `ours` the ids of
/// overrides oncall created. An override matches a wanted stretch when its
/// user, start and end are equal; each wanted stretch keeps one match (one
/// of ours first), and every other override of ours is deleted.
pub fn diff(wanted: &[Wanted], existing: &[Existing], ours: &BTreeSet<String>) -> Changes {
    let mut used = vec![false; existing.len()];
    let mut changes = Changes::default();
    for w in wanted {
        let matches = |e: &Existing| e.user == w.user && e.start == w.start && e.end == w.end;
        let found = (0..existing.len())
            .filter(|&i| !used[i] && matches(&existing[i]))
            .min_by_key(|&i| !ours.contains(&existing[i].id));
        match found {
            Some(i) => used[i] = true,
            None => changes.create.push(w.clone()),
        }
    }
    for (e, used) in existing.iter().zip(used) {
        if used {
            continue;
        }
        if ours.contains(&e.id) {
            changes.delete.push(e.clone());
        } else if !wanted
            .iter()
            .any(|w| e.user == w.user && e.start == w.start && e.end == w.end)
        {
            changes.conflicts.push(e.clone());
        }
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn at(h: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_800_000_000 + h * 3600, 0)
            .single()
            .unwrap_or_default()
    }

    fn wanted(user: &str, from: i64, to: i64) -> Wanted {
        Wanted {
            start: at(from),
            end: at(to),
            person: user.to_string(),
            user: user.to_string(),
        }
    }

    fn existing(id: &str, user: &str, from: i64, to: i64) -> Existing {
        Existing {
            start: at(from),
            end: at(to),
            user: user.to_string(),
            id: id.to_string(),
        }
    }

    #[test]
    fn contiguous_stretches_of_one_person_merge() {
        let merged = merge(vec![
            wanted("b", 24, 48),
            wanted("a", 0, 24),
            wanted("b", 48, 72),
            wanted("a", 80, 90),
        ]);
        assert_eq!(
            merged,
            vec![wanted("a", 0, 24), wanted("b", 24, 72), wanted("a", 80, 90)]
        );
    }

    #[test]
    fn only_our_overrides_are_deleted_and_humans_are_conflicts() {
        let want = [wanted("a", 0, 24), wanted("b", 24, 48)];
        let have = [
            existing("O1", "a", 0, 24),
            existing("O2", "c", 24, 48),
            existing("H1", "d", 10, 12),
            existing("H2", "b", 24, 48),
        ];
        let ours = BTreeSet::from(["O1".to_string(), "O2".to_string()]);
        let changes = diff(&want, &have, &ours);
        assert!(changes.create.is_empty(), "{changes:?}");
        assert_eq!(changes.delete, vec![existing("O2", "c", 24, 48)]);
        assert_eq!(changes.conflicts, vec![existing("H1", "d", 10, 12)]);
    }

    /// Applies `changes` to `have`, giving created overrides fresh ids that
    /// become ours.
    fn apply(have: &mut Vec<Existing>, ours: &mut BTreeSet<String>, changes: &Changes) {
        have.retain(|e| !changes.delete.contains(e));
        for (n, w) in changes.create.iter().enumerate() {
            let id = format!("new{}-{n}", ours.len());
            ours.insert(id.clone());
            have.push(existing(&id, &w.user, 0, 0));
            if let Some(last) = have.last_mut() {
                last.start = w.start;
                last.end = w.end;
            }
        }
    }

    fn spans() -> impl Strategy<Value = Vec<(u8, i64, i64)>> {
        prop::collection::vec((0u8..3, 0i64..20, 1i64..6), 0..12)
    }

    proptest! {
        #[test]
        fn applying_the_diff_gives_the_timeline_and_twice_changes_nothing(
            timeline in prop::collection::vec((0u8..3, 1i64..6), 0..10),
            have in spans(),
            owned in prop::collection::vec(any::<bool>(), 12),
        ) {
            let mut t = 0;
            let want = merge(timeline.iter().map(|&(u, len)| {
                let w = wanted(&format!("u{u}"), t, t + len);
                t += len;
                w
            }).collect());
            let mut have: Vec<Existing> = have.iter().enumerate().map(|(i, &(u, s, len))| {
                existing(&format!("x{i}"), &format!("u{u}"), s, s + len)
            }).collect();
            let mut ours: BTreeSet<String> = have.iter().zip(&owned)
                .filter(|(_, &o)| o).map(|(e, _)| e.id.clone()).collect();
            let humans: Vec<Existing> = have.iter().filter(|e| !ours.contains(&e.id)).cloned().collect();
            let first = diff(&want, &have, &ours);
            apply(&mut have, &mut ours, &first);
            // Ours are exactly the wanted stretches that no person's
            // override already pages; the persons' are untouched.
            let mut ours_now: Vec<(DateTime<Utc>, DateTime<Utc>, String)> = have.iter()
                .filter(|e| ours.contains(&e.id))
                .map(|e| (e.start, e.end, e.user.clone())).collect();
            let mut paged = ours_now.clone();
            ours_now.sort();
            ours_now.dedup();
            prop_assert_eq!(ours_now.len(), have.iter().filter(|e| ours.contains(&e.id)).count());
            paged.extend(humans.iter()
                .filter(|h| want.iter().any(|w| w.user == h.user && w.start == h.start && w.end == h.end))
                .map(|e| (e.start, e.end, e.user.clone())));
            let paged: BTreeSet<_> = paged.into_iter().collect();
            let wanted_set: BTreeSet<_> = want.iter().map(|w| (w.start, w.end, w.user.clone())).collect();
            prop_assert_eq!(paged, wanted_set);
            prop_assert!(humans.iter().all(|h| have.contains(h)));
            let second = diff(&want, &have, &ours);
            prop_assert!(second.is_empty(), "{:?}", second);
            prop_assert_eq!(second.conflicts, first.conflicts);
        }
    }
}
