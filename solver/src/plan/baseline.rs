//! What teams use today, on the same inputs, to compare plans against:
//!
//! - **round-robin**: each week the next people in the member list, in file
//!   order, ignoring time off and every rule (PagerDuty, Opsgenie, Grafana
//!   OnCall and GoAlert rotate a fixed list this way);
//! - **least recently on call**: each slot to the member who was on call
//!   least recently (published history counts), skipping people on time off
//!   and anyone already on call that week (LinkedIn's oncall).
//!
//! [`assess`] measures any assignment the same way: the slots that collide
//! with time off or a rule and would need a manual override, and the largest
//! excess once those overrides are made (each collision handed to the next
//! member in list order who may take it), with the fairness figures of the
//! optimiser's own definition. The spread of load per available week and
//! weekend and holiday hours per person describe the plan as people feel it.

use std::collections::BTreeMap;

use crate::model::time::{day_kind, hours_by_local_day, DayKind};
use crate::model::PersonIdx;
use crate::plan::instance::Instance;

/// `assignment[week][role]`: the member position holding each slot.
pub type Positions = Vec<Vec<Option<usize>>>;

/// Round-robin over the member list: week `w`, role `r` goes to member
/// `(w × roles + r) mod n`.
pub fn round_robin(inst: &Instance<'_>) -> Positions {
    let (n, roles) = (inst.members.len(), inst.roles());
    (0..inst.weeks.len())
        .map(|w| {
            (0..roles)
                .map(|r| (n > 0).then(|| (w * roles + r) % n))
                .collect()
        })
        .collect()
}

/// Least recently on call: each slot, week by week and role by role, to the
/// member not on time off and not yet on call that week whose last shift
/// (published history included) is oldest; ties go to list order.
pub fn least_recently(inst: &Instance<'_>, last_week: &[Option<i64>]) -> Positions {
    let n = inst.members.len();
    let mut last: Vec<Option<i64>> = (0..n)
        .map(|i| last_week.get(i).copied().flatten())
        .collect();
    let mut out = Vec::with_capacity(inst.weeks.len());
    for w in 0..inst.weeks.len() {
        let mut row = vec![None; inst.roles()];
        for slot in row.iter_mut() {
            let free = (0..n).filter(|&i| !inst.off[w][i] && last[i].is_none_or(|l| l != w as i64));
            let pick = free.min_by_key(|&i| (last[i].unwrap_or(i64::MIN), i));
            if let Some(i) = pick {
                last[i] = Some(w as i64);
                *slot = Some(i);
            }
        }
        out.push(row);
    }
    out
}

/// One slot that would need a manual override.
#[derive(Clone, Debug, PartialEq)]
pub struct Collision {
    /// Week index.
    pub week: usize,
    /// Role index.
    pub role: usize,
    /// Member position holding it.
    pub person: usize,
    /// Why it cannot stand: `time off`, `eligibility`, `rest`, `two roles`,
    /// `max_shifts` or `pin`.
    pub why: &'static str,
}

/// One member's figures in an assessed plan.
#[derive(Clone, Debug, PartialEq)]
pub struct Figures {
    /// Who.
    pub person: PersonIdx,
    /// Available weeks.
    pub available: u32,
    /// Load held.
    pub load: f64,
    /// Share of the load.
    pub share: f64,
    /// Hours on call on weekends and holidays (team zone).
    pub weekend_holiday_hours: f64,
}

/// The measures of one plan.
#[derive(Clone, Debug, PartialEq)]
pub struct Assessment {
    /// Slots that collide with time off or a rule.
    pub collisions: Vec<Collision>,
    /// Slots left empty, after the overrides where nobody could take one.
    pub unfilled: usize,
    /// The largest excess over the share, after the overrides.
    pub max_excess: f64,
    /// Largest minus smallest load per available week, after the overrides.
    pub spread_per_week: f64,
    /// Per member with available weeks, after the overrides.
    pub people: Vec<Figures>,
}

/// Measures `plan` on `inst` (see the module documentation).
pub fn assess(inst: &Instance<'_>, plan: &Positions) -> Assessment {
    let collisions = collisions(inst, plan);
    let fixed = overridden(inst, plan, &collisions);
    let unfilled = fixed.iter().flatten().filter(|s| s.is_none()).count();
    let loads = loads(inst, &fixed);
    let total: f64 = loads.iter().sum();
    let shares = inst.shares(total);
    let people: Vec<Figures> = (0..inst.members.len())
        .filter(|&i| inst.available[i] > 0)
        .map(|i| Figures {
            person: inst.members[i],
            available: inst.available[i],
            load: loads[i],
            share: shares[i],
            weekend_holiday_hours: weekend_hours(inst, &fixed, i),
        })
        .collect();
    let max_excess = people
        .iter()
        .map(|f| f.load - f.share)
        .fold(f64::NEG_INFINITY, f64::max);
    let per_week: Vec<f64> = people
        .iter()
        .map(|f| f.load / f64::from(f.available))
        .collect();
    let spread = per_week.iter().copied().fold(f64::NEG_INFINITY, f64::max)
        - per_week.iter().copied().fold(f64::INFINITY, f64::min);
    Assessment {
        collisions,
        unfilled,
        max_excess: if max_excess.is_finite() {
            max_excess
        } else {
            0.0
        },
        spread_per_week: if spread.is_finite() { spread } else { 0.0 },
        people,
    }
}

/// Every slot of `plan` whose holder may not take it: eligibility and time
/// off, another team's time, pins, two roles in a week, `rest_weeks` and
/// `max_shifts` (each later slot that breaks them).
pub fn collisions(inst: &Instance<'_>, plan: &Positions) -> Vec<Collision> {
    let mut out = Vec::new();
    let mut held: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (w, row) in plan.iter().enumerate() {
        for (r, slot) in row.iter().enumerate() {
            let Some(i) = *slot else { continue };
            let mut hit = |why| {
                out.push(Collision {
                    week: w,
                    role: r,
                    person: i,
                    why,
                })
            };
            if let Some(why) = ineligible(inst, w, r, i) {
                hit(why);
                continue;
            }
            let weeks = held.entry(i).or_default();
            if weeks.contains(&w) {
                hit("two roles");
            } else if weeks.iter().any(|&h| w - h <= inst.rest_weeks) {
                hit("rest");
            } else if inst.max_shifts.is_some_and(|m| weeks.len() >= m as usize) {
                hit("max_shifts");
            } else {
                weeks.push(w);
            }
        }
    }
    out
}

/// Why member `i` may not hold slot `(w, r)` at all, if so.
fn ineligible(inst: &Instance<'_>, w: usize, r: usize, i: usize) -> Option<&'static str> {
    let pinned = inst.pins.iter().find(|(pw, pr, _)| *pw == w && pr.0 == r);
    if pinned.is_some_and(|(_, _, p)| inst.members.get(i) != Some(p)) {
        return Some("pin");
    }
    if w < inst.blocked_until.get(i).copied().unwrap_or(0) {
        return Some("rest");
    }
    if inst.eligible[w][r].contains(&i) {
        return None;
    }
    Some(if inst.off[w][i] {
        "time off"
    } else {
        "eligibility"
    })
}

/// `plan` with each collision handed to the next member in list order who
/// may take it then (the manual override a team would make); empty when
/// nobody may.
fn overridden(inst: &Instance<'_>, plan: &Positions, collisions: &[Collision]) -> Positions {
    let mut out = plan.clone();
    let n = inst.members.len();
    for c in collisions {
        out[c.week][c.role] = None;
        let taker = (1..=n).map(|k| (c.person + k) % n).find(|&j| {
            let mut trial = out.clone();
            trial[c.week][c.role] = Some(j);
            !self::collisions(inst, &trial)
                .iter()
                .any(|x| x.week == c.week && x.role == c.role)
                && self::collisions(inst, &trial).len() <= self::collisions(inst, &out).len()
        });
        out[c.week][c.role] = taker;
    }
    out
}

fn loads(inst: &Instance<'_>, plan: &Positions) -> Vec<f64> {
    let mut out = vec![0.0; inst.members.len()];
    for (w, row) in plan.iter().enumerate() {
        for (r, slot) in row.iter().enumerate() {
            if let Some(i) = slot {
                out[*i] += inst.load[w][r];
            }
        }
    }
    out
}

/// Hours member `i` holds on weekends and holidays, in the team's zone.
fn weekend_hours(inst: &Instance<'_>, plan: &Positions, i: usize) -> f64 {
    let team = inst.ws.team(inst.team);
    let holidays = inst.ws.holidays(team.holidays.as_deref());
    let mut hours = 0.0;
    for (w, row) in plan.iter().enumerate() {
        if !row.contains(&Some(i)) {
            continue;
        }
        let week = &inst.weeks[w];
        for (date, h) in hours_by_local_day(team.timezone, week.start, week.end) {
            if day_kind(date, holidays) != DayKind::Weekday {
                hours += h;
            }
        }
    }
    hours
}

/// The optimised plan and the two baselines on the same inputs.
#[derive(Clone, Debug)]
pub struct Comparison {
    /// The optimiser's plan.
    pub plan: crate::plan::Plan,
    /// `(name, assignment, assessment)`: the optimised plan, round-robin
    /// and least recently on call, in that order.
    pub rows: Vec<(&'static str, Positions, Assessment)>,
}

/// Plans `team` over `spec` (after `history`, around `busy`) and measures
/// the plan and both baselines the same way.
///
/// # Errors
/// A horizon that cannot be planned, or a solver failure.
pub fn compare(
    ws: &crate::model::Workspace,
    team: crate::model::TeamIdx,
    spec: &crate::plan::horizon::HorizonSpec,
    opts: &crate::plan::optimise::PlanOptions,
    history: &[crate::model::history::HeldShift],
    busy: &[crate::model::history::Busy],
) -> Result<Comparison, crate::plan::optimise::PlanError> {
    // The same instance `optimise::plan_around` would build, planned once
    // and then used to measure every plan.
    let weeks = crate::plan::horizon::weeks(ws.team(team), spec)?;
    let first = weeks
        .first()
        .map_or(chrono::NaiveDate::MIN, |w| w.first_day);
    let past = crate::plan::instance::past_shifts(ws, team, history, first);
    let mut inst = Instance::with_weeks(ws, team, weeks, &past);
    inst.block_busy(busy);
    let plan = crate::plan::optimise::solve(&inst, opts)?;
    let optimised: Positions = plan
        .assignment
        .iter()
        .map(|row| {
            row.iter()
                .map(|p| p.and_then(|p| inst.position(p)))
                .collect()
        })
        .collect();
    let mut last = vec![None; inst.members.len()];
    for h in &past {
        if let Some(i) = inst.position(h.person) {
            let age = (h.week - first).num_days().div_euclid(7);
            last[i] = last[i].max(Some(age));
        }
    }
    let rows = [
        ("optimised", optimised),
        ("round-robin", round_robin(&inst)),
        ("least recently on call", least_recently(&inst, &last)),
    ]
    .into_iter()
    .map(|(name, a)| {
        let measured = assess(&inst, &a);
        (name, a, measured)
    })
    .collect();
    Ok(Comparison { plan, rows })
}
