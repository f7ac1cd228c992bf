//! Reachability and bounds: which loads each person can reach over the filled
//! slots (a dynamic programme over the weeks), the lower bound on the largest
//! excess that follows, and the floor on each person's absolute deviation.

use std::collections::BTreeSet;

use super::filled::{Deadline, Filled};
use super::units::{micro, MICRO};
use super::TOL;
use crate::plan::instance::Instance;

/// Most distinct reachable loads tracked per person before falling back to a
/// weaker (still valid) bound.
const DP_CAP: usize = 200_000;

/// Per member: every reachable load in micro-units (`None` when too many to
/// list).
pub(super) type Reach = Vec<Option<Vec<i64>>>;

/// Every member's reachable loads over the filled slots; unknown (`None`)
/// for the members not enumerated when `deadline` passes, which only
/// weakens the bounds.
pub(super) fn reachability(fx: &Filled<'_, '_>, deadline: Deadline) -> Reach {
    (0..fx.inst.members.len())
        .map(|i| reachable(fx.inst, &fx.slots, i, deadline))
        .collect()
}

/// Per week, the role of `slots` that member `i` is pinned to, if any.
pub(super) fn forced_roles(
    inst: &Instance<'_>,
    slots: &BTreeSet<(usize, usize)>,
    i: usize,
) -> Vec<Option<usize>> {
    (0..inst.weeks.len())
        .map(|w| {
            (0..inst.roles()).find(|&r| {
                slots.contains(&(w, r))
                    && inst
                        .pins
                        .iter()
                        .any(|(pw, pr, p)| *pw == w && pr.0 == r && inst.position(*p) == Some(i))
                    && inst.allowed(w, r, i)
            })
        })
        .collect()
}

/// Every reachable load (in micro-units) of member `i` over the given slots,
/// under eligibility, pins, rest and max_shifts. `None` when too many to
/// list, or when `deadline` passes first.
fn reachable(
    inst: &Instance<'_>,
    slots: &BTreeSet<(usize, usize)>,
    i: usize,
    deadline: Deadline,
) -> Option<Vec<i64>> {
    let weeks = inst.weeks.len();
    let forced = forced_roles(inst, slots, i);
    // f[w]: set of (count, load) reachable from week w on, free to start at w.
    let mut f: Vec<BTreeSet<(u32, i64)>> = vec![BTreeSet::new(); weeks + 1];
    f[weeks].insert((0, 0));
    for w in (0..weeks).rev() {
        let mut set = BTreeSet::new();
        if forced[w].is_none() {
            set.extend(f[w + 1].iter().copied());
        }
        let jump = (w + inst.rest_weeks + 1).min(weeks);
        let clear = forced[(w + 1).min(weeks)..jump].iter().all(Option::is_none);
        if clear {
            take_week(inst, slots, (i, w), forced[w], &f[jump], &mut set);
        }
        if set.len() > DP_CAP || deadline.passed() {
            return None;
        }
        f[w] = set;
    }
    let loads: BTreeSet<i64> = f[0].iter().map(|&(_, l)| l).collect();
    Some(loads.into_iter().collect())
}

/// Adds to `set` the `(count, load)` pairs of member `i` taking a role in week
/// `w` and then anything in `after` (reachable once rested).
fn take_week(
    inst: &Instance<'_>,
    slots: &BTreeSet<(usize, usize)>,
    (i, w): (usize, usize),
    forced: Option<usize>,
    after: &BTreeSet<(u32, i64)>,
    set: &mut BTreeSet<(u32, i64)>,
) {
    let track_count = inst.max_shifts.is_some();
    let max = inst.max_shifts.unwrap_or(u32::MAX);
    for r in 0..inst.roles() {
        if !slots.contains(&(w, r)) || !inst.allowed(w, r, i) {
            continue;
        }
        if forced.is_some_and(|fr| fr != r) {
            continue;
        }
        let l = micro(inst.load[w][r]);
        for &(c, rest_load) in after {
            let c2 = if track_count { c + 1 } else { 0 };
            if c2 <= max {
                set.insert((c2, rest_load + l));
            }
        }
    }
}

/// The lower bound on the largest excess: over everyone, and over each group
/// of people who alone can take some slots (e.g. the only holders of a
/// skill), whose loads together must cover those slots. When `deadline`
/// passes, the groups not yet counted are left out (a weaker bound).
pub(super) fn lower_bound(fx: &Filled<'_, '_>, reach: &Reach, deadline: Deadline) -> Option<f64> {
    let mut lb: Option<f64> = None;
    for q in &groups(fx) {
        if deadline.passed() {
            break;
        }
        let need = if q.len() == fx.people.len() {
            fx.total_micro
        } else {
            only_load(fx, q)
        };
        if let Some(b) = excess_bound(reach, &fx.shares, q, need) {
            lb = Some(lb.map_or(b, |l: f64| l.max(b)));
        }
    }
    lb
}

/// Everyone, then per role the people who can take its filled slots when
/// they are not everyone, without repeats.
fn groups(fx: &Filled<'_, '_>) -> Vec<Vec<usize>> {
    let inst = fx.inst;
    let mut groups: Vec<Vec<usize>> = vec![fx.people.clone()];
    for r in 0..inst.roles() {
        let mut q: BTreeSet<usize> = BTreeSet::new();
        for &(w, rr) in &fx.slots {
            if rr == r {
                q.extend((0..inst.members.len()).filter(|&i| inst.allowed(w, r, i)));
            }
        }
        let q: Vec<usize> = q.into_iter().filter(|i| fx.people.contains(i)).collect();
        if q.len() < fx.people.len() && !groups.contains(&q) {
            groups.push(q);
        }
    }
    groups
}

/// Total load in micro-units of the filled slots only people in `q` can take.
fn only_load(fx: &Filled<'_, '_>, q: &[usize]) -> i64 {
    let inst = fx.inst;
    fx.slots
        .iter()
        .filter(|&&(w, r)| {
            (0..inst.members.len())
                .filter(|&i| inst.allowed(w, r, i))
                .all(|i| q.contains(&i))
        })
        .map(|&(w, r)| micro(inst.load[w][r]))
        .sum()
}

/// The smallest `z` at which the largest reachable loads within `share + z`
/// of `people` add up to `total_micro`; `None` when a reachable set is unknown
/// or no `z` does.
fn excess_bound(reach: &Reach, share: &[f64], people: &[usize], total_micro: i64) -> Option<f64> {
    // Events (z, person, load) in increasing z.
    let mut events: Vec<(f64, usize, i64)> = Vec::new();
    for &i in people {
        let loads = reach[i].as_ref()?;
        events.extend(loads.iter().map(|&l| (l as f64 / MICRO - share[i], i, l)));
    }
    events.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut cur: Vec<Option<i64>> = vec![None; reach.len()];
    let mut defined = 0usize;
    let mut sum: i64 = 0;
    let mut k = 0;
    while k < events.len() {
        let z = events[k].0;
        while k < events.len() && events[k].0 <= z + 1e-12 {
            let (_, i, l) = events[k];
            match cur[i].replace(l) {
                None => {
                    defined += 1;
                    sum += l;
                }
                Some(old) => sum += l - old,
            }
            k += 1;
        }
        if defined == people.len() && sum >= total_micro {
            return Some(z);
        }
    }
    None
}

/// The largest load in micro-units member `i` can reach with a deviation of
/// at most `z` (0 when none).
pub(super) fn load_cap(fx: &Filled<'_, '_>, reach: &Reach, i: usize, z: f64) -> i64 {
    reach[i]
        .iter()
        .flatten()
        .copied()
        .filter(|&l| l as f64 / MICRO <= fx.shares[i] + z + 1e-9)
        .max()
        .unwrap_or(0)
}

/// Per member: the smallest absolute deviation among the loads they can reach
/// with a deviation of at most `zstar` (0 when unknown), a floor on their part
/// of the spread.
pub(super) fn deviation_floor(fx: &Filled<'_, '_>, reach: &Reach, zstar: f64) -> Vec<f64> {
    (0..fx.inst.members.len())
        .map(|i| {
            reach[i]
                .as_ref()
                .and_then(|loads| {
                    loads
                        .iter()
                        .map(|&l| l as f64 / MICRO - fx.shares[i])
                        .filter(|&d| d <= zstar + TOL)
                        .map(f64::abs)
                        .min_by(f64::total_cmp)
                })
                .unwrap_or(0.0)
        })
        .collect()
}
