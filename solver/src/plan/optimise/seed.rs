//! The greedy seed: a quick plan that fills the slots week by week, and the
//! check that a plan keeps every hard rule. It seeds the fill phase and is the
//! fallback if HiGHS finds nothing within its time.

use super::model::Assignment;
use crate::plan::instance::Instance;

/// The greedy plan being built.
struct Greedy<'i, 'a> {
    inst: &'i Instance<'a>,
    load: Vec<f64>,
    last: Vec<Option<usize>>,
    count: Vec<u32>,
    /// Who already holds a slot this week.
    used: Vec<bool>,
    out: Assignment,
}

impl<'i, 'a> Greedy<'i, 'a> {
    fn new(inst: &'i Instance<'a>) -> Self {
        let n = inst.members.len();
        Greedy {
            inst,
            load: vec![0.0; n],
            last: vec![None; n],
            count: vec![0; n],
            used: vec![false; n],
            out: vec![vec![None; inst.roles()]; inst.weeks.len()],
        }
    }

    fn take(&mut self, w: usize, r: usize, i: usize) {
        self.out[w][r] = Some(i);
        self.used[i] = true;
        self.load[i] += self.inst.load[w][r];
        self.last[i] = Some(w);
        self.count[i] += 1;
    }

    /// Whether member `i` has rested long enough to start in week `w`.
    fn rested(&self, i: usize, w: usize) -> bool {
        self.last[i].is_none_or(|l| w > l + self.inst.rest_weeks)
    }

    /// The pinned slots of week `w`, to their pinned person when the rules allow.
    fn pins(&mut self, w: usize) {
        let inst = self.inst;
        for r in 0..inst.roles() {
            let pin = inst.pins.iter().find(|(pw, pr, _)| *pw == w && pr.0 == r);
            let Some(i) = pin.and_then(|(_, _, p)| inst.position(*p)) else {
                continue;
            };
            let room = inst.max_shifts.is_none_or(|m| self.count[i] < m);
            if inst.allowed(w, r, i) && !self.used[i] && self.rested(i, w) && room {
                self.take(w, r, i);
            }
        }
    }

    /// The allowed, free member with the least load plus carry-over per
    /// available week, who keeps room for their later pins.
    fn least_loaded(&self, w: usize, r: usize) -> Option<usize> {
        let inst = self.inst;
        let key = |i: usize| self.load[i] + inst.carry[i] - inst.available[i] as f64;
        (0..inst.members.len())
            .filter(|&i| inst.allowed(w, r, i) && !self.used[i])
            .filter(|&i| self.rested(i, w))
            .filter(|&i| {
                inst.max_shifts
                    .is_none_or(|m| self.count[i] + pins_after(inst, i, w) < m)
            })
            .filter(|&i| !pinned_soon(inst, i, w))
            .min_by(|&a, &b| key(a).total_cmp(&key(b)))
    }
}

/// A quick greedy plan: week by week, pins first, then the least-loaded
/// allowed person who is free under the rules.
pub(super) fn greedy(inst: &Instance<'_>) -> Assignment {
    let mut g = Greedy::new(inst);
    for w in 0..inst.weeks.len() {
        g.used.fill(false);
        g.pins(w);
        for r in 0..inst.roles() {
            if g.out[w][r].is_some() {
                continue;
            }
            if let Some(i) = g.least_loaded(w, r) {
                g.take(w, r, i);
            }
        }
    }
    g.out
}

/// How many pins member `i` holds after week `w`.
fn pins_after(inst: &Instance<'_>, i: usize, w: usize) -> u32 {
    let n = inst
        .pins
        .iter()
        .filter(|(pw, _, p)| *pw > w && inst.position(*p) == Some(i))
        .count();
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Whether member `i` is pinned within `rest_weeks` after week `w`.
fn pinned_soon(inst: &Instance<'_>, i: usize, w: usize) -> bool {
    inst.pins
        .iter()
        .any(|(pw, _, p)| *pw > w && *pw <= w + inst.rest_weeks && inst.position(*p) == Some(i))
}

/// Whether an assignment keeps every hard rule: eligibility and pins
/// (`allowed`), one slot per person within any `rest_weeks + 1` window, and
/// `max_shifts` and the yearly caps.
pub(super) fn keeps_rules(inst: &Instance<'_>, a: &[Vec<Option<usize>>]) -> bool {
    let n = inst.members.len();
    let mut weeks_of: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (w, row) in a.iter().enumerate() {
        for (r, slot) in row.iter().enumerate() {
            if let Some(i) = *slot {
                if !inst.allowed(w, r, i) {
                    return false;
                }
                if let Some(v) = weeks_of.get_mut(i) {
                    v.push(w);
                }
            }
        }
    }
    weeks_of.iter().all(|ws| {
        ws.windows(2).all(|p| p[1] > p[0] + inst.rest_weeks)
            && inst
                .max_shifts
                .is_none_or(|m| u32::try_from(ws.len()).unwrap_or(u32::MAX) <= m)
    }) && inst.keeps_year_caps(a)
}
