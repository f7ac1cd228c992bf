//! What the fill fixes for the fairness phases: the filled slots, their
//! total load and everyone's share, with the measures of an assignment of
//! them; and the deadline a phase outside HiGHS keeps.

use std::collections::BTreeSet;
use std::time::Instant;

use super::model::Model;
use super::units::micro;
use crate::plan::instance::Instance;

/// The instant a solve must end by (`None`: a budget too large to matter).
#[derive(Clone, Copy, Debug)]
pub(super) struct Deadline(pub(super) Option<Instant>);

impl Deadline {
    /// Whether it has passed.
    pub(super) fn passed(self) -> bool {
        self.0.is_some_and(|d| Instant::now() >= d)
    }
}

/// Every slot of the horizon.
pub(super) fn all_slots(inst: &Instance<'_>) -> BTreeSet<(usize, usize)> {
    (0..inst.weeks.len())
        .flat_map(|w| (0..inst.roles()).map(move |r| (w, r)))
        .collect()
}

/// What the filling fixes: the filled slots, their load and the shares.
pub(super) struct Filled<'i, 'a> {
    pub(super) inst: &'i Instance<'a>,
    pub(super) slots: BTreeSet<(usize, usize)>,
    pub(super) total_micro: i64,
    pub(super) shares: Vec<f64>,
    /// Members with available weeks.
    pub(super) people: Vec<usize>,
}

impl<'i, 'a> Filled<'i, 'a> {
    pub(super) fn new(inst: &'i Instance<'a>, plan: &[Vec<Option<usize>>]) -> Self {
        let slots: BTreeSet<(usize, usize)> = all_slots(inst)
            .into_iter()
            .filter(|&(w, r)| plan[w][r].is_some())
            .collect();
        let total: f64 = slots.iter().map(|&(w, r)| inst.load[w][r]).sum();
        let total_micro = slots.iter().map(|&(w, r)| micro(inst.load[w][r])).sum();
        let people = (0..inst.members.len())
            .filter(|&i| inst.available[i] > 0)
            .collect();
        Filled {
            inst,
            slots,
            total_micro,
            shares: inst.shares(total),
            people,
        }
    }

    /// Whether there is fairness to optimise: filled slots and people to share them.
    pub(super) fn has_fairness(&self) -> bool {
        !self.slots.is_empty() && !self.people.is_empty()
    }

    /// The model of the filled slots, each taken by exactly one person.
    pub(super) fn model(&self) -> Model {
        let mut model = Model::new(self.inst, &self.slots);
        model.exactly_one_per_slot(&self.slots);
        model
    }

    pub(super) fn load(&self, a: &[Vec<Option<usize>>], i: usize) -> f64 {
        a.iter()
            .enumerate()
            .flat_map(|(w, row)| row.iter().enumerate().map(move |(r, s)| (w, r, *s)))
            .filter(|&(_, _, s)| s == Some(i))
            .map(|(w, r, _)| self.inst.load[w][r])
            .sum()
    }

    /// The largest excess of an assignment.
    pub(super) fn max_excess(&self, a: &[Vec<Option<usize>>]) -> f64 {
        self.people
            .iter()
            .map(|&i| self.load(a, i) - self.shares[i])
            .fold(f64::NEG_INFINITY, f64::max)
    }

    /// The mean excess of an assignment of the filled slots: the same for
    /// every such assignment, since the loads add up to the filled total, and
    /// so a lower bound on the largest excess that needs no search.
    pub(super) fn mean_excess(&self, a: &[Vec<Option<usize>>]) -> f64 {
        let sum: f64 = self
            .people
            .iter()
            .map(|&i| self.load(a, i) - self.shares[i])
            .sum();
        sum / self.people.len().max(1) as f64
    }

    /// The spread `Σ_p |d_p|` of an assignment.
    pub(super) fn spread(&self, a: &[Vec<Option<usize>>]) -> f64 {
        self.people
            .iter()
            .map(|&i| (self.load(a, i) - self.shares[i]).abs())
            .sum()
    }
}
