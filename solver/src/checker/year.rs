//! The yearly caps (docs/design.md §2), recomputed from the plan's slots and
//! the published history: in every 365 days, no one holds more weeks of one
//! role than `max_weeks_per_year`, nor of all roles than
//! `max_weeks_per_year_all`. A week counts in the 365 days ending on a day
//! when its first day lies in them; a published week counts once per role
//! its person held any part of it in.

use std::collections::BTreeSet;

use chrono::{Duration, NaiveDate};

use super::context::CheckContext;
use super::violation::Violation;
use crate::model::history::HeldShift;
use crate::model::{PersonIdx, Rules};

/// Weeks held by one person: `(first day, role name)`.
type Held = BTreeSet<(NaiveDate, String)>;

impl CheckContext {
    /// Reports, per person and cap, the first window ending on a plan week
    /// that holds more weeks than the cap.
    pub(super) fn check_year_caps(
        &self,
        rules: &Rules,
        assignment: &[Vec<Option<PersonIdx>>],
        history: &[HeldShift],
        violations: &mut Vec<Violation>,
    ) {
        if rules.max_weeks_per_year.is_none() && rules.max_weeks_per_year_all.is_none() {
            return;
        }
        let first = self.week_key(0);
        for m in &self.members {
            let mut held: Held = history
                .iter()
                .filter(|s| s.person == m.id && s.week < first)
                .map(|s| (s.week, s.role.clone()))
                .collect();
            for (w, row) in assignment.iter().enumerate() {
                for (r, p) in row.iter().enumerate() {
                    if *p == Some(m.person) {
                        held.insert((self.week_key(w), self.role_name(r)));
                    }
                }
            }
            if let Some(cap) = rules.max_weeks_per_year {
                for role in &self.roles {
                    self.over_cap(&m.id, &held, Some(&role.name), cap, violations);
                }
            }
            if let Some(cap) = rules.max_weeks_per_year_all {
                self.over_cap(&m.id, &held, None, cap, violations);
            }
        }
    }

    /// The first window ending on a plan week in which `held` (of `role`, or
    /// of any role) is more than `cap`.
    fn over_cap(
        &self,
        person: &str,
        held: &Held,
        role: Option<&String>,
        cap: u32,
        violations: &mut Vec<Violation>,
    ) {
        for week in &self.weeks {
            let end = week.key;
            let start = end - Duration::days(364);
            let days: BTreeSet<NaiveDate> = held
                .iter()
                .filter(|(d, r)| *d >= start && *d <= end && role.is_none_or(|x| x == r))
                .map(|(d, _)| *d)
                .collect();
            let count = u32::try_from(days.len()).unwrap_or(u32::MAX);
            let (Some(&from), true) = (days.first(), count > cap && days.contains(&end)) else {
                continue;
            };
            violations.push(Violation::YearCap {
                person: person.to_string(),
                role: role.cloned(),
                count,
                from,
                to: end,
                rule: if role.is_some() {
                    "max_weeks_per_year"
                } else {
                    "max_weeks_per_year_all"
                }
                .to_string(),
                cap,
            });
            return;
        }
    }
}
