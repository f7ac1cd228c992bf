//! Judging one assignment against a [`CheckContext`]: slot loads, eligibility,
//! the hard rules, and the fairness figures (docs/design.md §3).

use std::collections::BTreeMap;

use super::context::CheckContext;
use super::violation::Violation;
use crate::model::document::PersonFairnessDoc;
use crate::model::PersonIdx;

/// The result of evaluating one assignment with [`CheckContext::evaluate`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Evaluation {
    /// Broken hard rules (eligibility, one role a week, rest, max_shifts, pins).
    /// Empty slots are not violations here.
    pub violations: Vec<Violation>,
    /// Fairness of every person with available weeks, in roster order, unrounded.
    pub people: Vec<PersonFairnessDoc>,
    /// The largest deviation (0 when nobody is available).
    pub max_excess: f64,
    /// Total load `L` of the filled slots.
    pub total_load: f64,
}

/// The filled slots of an assignment, as [`CheckContext::evaluate`] adds them up.
#[derive(Debug, Default)]
pub(super) struct Holdings {
    /// Total load `L` of the filled slots.
    pub(super) total_load: f64,
    /// Load held by each member, in member order.
    pub(super) member_load: Vec<f64>,
    /// Every slot each person holds, in week then role order.
    pub(super) held: BTreeMap<PersonIdx, Vec<(usize, usize)>>,
}

impl CheckContext {
    /// Judges `assignment[week][role]` (who holds each slot, `None` for empty):
    /// the hard rules apart from filling every slot, and the fairness figures.
    ///
    /// Rows shorter than the roles, or fewer rows than weeks, are empty slots;
    /// a person outside the horizon or the roles is a
    /// [`Violation::SlotOutOfRange`].
    pub fn evaluate(&self, assignment: &[Vec<Option<PersonIdx>>]) -> Evaluation {
        let mut violations = Vec::new();
        let holdings = self.hold_slots(assignment, &mut violations);
        self.check_held(&holdings.held, &mut violations);
        self.check_pins(assignment, &mut violations);
        let (people, max_excess) = self.fairness(&holdings);
        Evaluation {
            violations,
            people,
            max_excess,
            total_load: holdings.total_load,
        }
    }

    /// Adds up the load of every filled slot and who holds what, and reports
    /// slots outside the horizon or roles and holders who may not take them.
    fn hold_slots(
        &self,
        assignment: &[Vec<Option<PersonIdx>>],
        violations: &mut Vec<Violation>,
    ) -> Holdings {
        let mut holdings = Holdings {
            member_load: vec![0.0; self.members.len()],
            ..Holdings::default()
        };
        for (w, row) in assignment.iter().enumerate() {
            for (r, slot) in row.iter().enumerate() {
                let Some(p) = *slot else { continue };
                let (Some(week), Some(role)) = (self.weeks.get(w), self.roles.get(r)) else {
                    violations.push(Violation::SlotOutOfRange { week: w, role: r });
                    continue;
                };
                let load = role.weight * week.base_load;
                holdings.total_load += load;
                let m = self.member_position(p);
                if let Some(slot_load) = m.and_then(|m| holdings.member_load.get_mut(m)) {
                    *slot_load += load;
                }
                if let Some(reason) = self.why_ineligible(w, r, p) {
                    violations.push(Violation::Ineligible {
                        week: week.key,
                        role: role.name.clone(),
                        person: self.person_id(p),
                        reason,
                    });
                }
                holdings.held.entry(p).or_default().push((w, r));
            }
        }
        holdings
    }

    /// Fairness (docs/design.md §3) of every member with an available week, and the
    /// largest deviation (0 when nobody is available): people with no
    /// available week are left out.
    fn fairness(&self, holdings: &Holdings) -> (Vec<PersonFairnessDoc>, f64) {
        let counted = || {
            self.members
                .iter()
                .zip(&holdings.member_load)
                .filter(|(m, _)| m.available > 0)
        };
        let total_load = holdings.total_load;
        let figures: Vec<(u32, f64)> = counted().map(|(m, _)| (m.available, m.carry)).collect();
        let shares = crate::plan::share::shares(total_load, &figures);
        let mut people = Vec::new();
        let mut max_excess: Option<f64> = None;
        for ((m, &load), share) in counted().zip(shares) {
            let share = share.unwrap_or(0.0);
            let deviation = load - share;
            max_excess = Some(max_excess.map_or(deviation, |x| x.max(deviation)));
            people.push(PersonFairnessDoc {
                person: m.id.clone(),
                available_weeks: m.available,
                carry: m.carry,
                load,
                share,
                deviation,
            });
        }
        (people, max_excess.unwrap_or(0.0))
    }
}
