//! The hard rules that depend on more than one slot (docs/design.md §2): one role a
//! week, rest between shifts (also across the boundary with published
//! history), `max_shifts`, and pins.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::context::CheckContext;
use super::violation::Violation;
use crate::model::{PersonIdx, Workspace};

impl CheckContext {
    /// One role a week, rest and `max_shifts`, over every slot each person
    /// holds (in week then role order).
    pub(super) fn check_held(
        &self,
        held: &BTreeMap<PersonIdx, Vec<(usize, usize)>>,
        violations: &mut Vec<Violation>,
    ) {
        for (&p, slots) in held {
            for pair in slots.windows(2) {
                let &[(w1, r1), (w2, r2)] = pair else {
                    continue;
                };
                if w1 == w2 {
                    violations.push(Violation::TwoRoles {
                        week: self.week_key(w1),
                        person: self.person_id(p),
                        first_role: self.role_name(r1),
                        second_role: self.role_name(r2),
                    });
                } else if w2 - w1 <= self.rest_weeks as usize {
                    violations.push(Violation::Rest {
                        person: self.person_id(p),
                        first: self.week_key(w1),
                        second: self.week_key(w2),
                        rest_weeks: self.rest_weeks,
                    });
                }
            }
            if let Some(max) = self.max_shifts {
                if slots.len() > max as usize {
                    violations.push(Violation::MaxShifts {
                        person: self.person_id(p),
                        count: slots.len(),
                        max,
                    });
                }
            }
        }
    }

    /// A pinned slot given to someone else breaks the pin. A pinned slot left
    /// empty is an unfilled slot, which the plan must list and its status
    /// must admit; it is not a broken pin.
    pub(super) fn check_pins(
        &self,
        assignment: &[Vec<Option<PersonIdx>>],
        violations: &mut Vec<Violation>,
    ) {
        for pin in &self.pins {
            let holder = assignment
                .get(pin.week)
                .and_then(|row| row.get(pin.role))
                .copied()
                .flatten();
            if let Some(holder) = holder.filter(|&h| h != pin.person) {
                violations.push(Violation::PinBroken {
                    week: self.week_key(pin.week),
                    role: self.role_name(pin.role),
                    pinned: self.person_id(pin.person),
                    holder: self.person_id(holder),
                    origin: pin.origin.clone(),
                });
            }
        }
    }

    /// Rest across the boundary with the published history: `past` holds the
    /// `(week, person id)` pairs of the history inside the rest window.
    pub(super) fn check_rest_after_history(
        &self,
        ws: &Workspace,
        assignment: &[Vec<Option<PersonIdx>>],
        past: &[(NaiveDate, String)],
        violations: &mut Vec<Violation>,
    ) {
        let rest_weeks = self.rest_weeks;
        for (w, row) in assignment.iter().enumerate() {
            for p in row.iter().flatten() {
                let Some(id) = ws.people.get(p.0).map(|x| x.id.as_str()) else {
                    continue;
                };
                for &(pw, ref who) in past {
                    let gap = (self.week_key(w) - pw).num_days() / 7;
                    if who == id && gap >= 1 && gap <= i64::from(rest_weeks) {
                        violations.push(Violation::Rest {
                            person: id.to_string(),
                            first: pw,
                            second: self.week_key(w),
                            rest_weeks,
                        });
                    }
                }
            }
        }
    }
}
