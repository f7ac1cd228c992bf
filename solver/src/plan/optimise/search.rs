//! Phase 2: every person's patterns, and the search for the smallest
//! largest excess among its candidate values.

use good_lp::Expression;

use super::bounds::{self, Reach};
use super::filled::Filled;
use super::model::{run, Run, RunSettings};
use super::patterns::{self, Relaxation};
use super::progress::{Clock, Outcome};
use super::units::MICRO;
use super::{SolveError, PROVEN};

/// Candidate values of the largest excess this close are one value up to the
/// rounding of slot loads to micro-units.
const CLUSTER: f64 = 1e-4;
/// Longest HiGHS run of the pattern relaxation, in seconds: its models
/// answer in hundredths of a second or not for a long while, and the
/// week-level model then answers the value instead.
pub(super) const PATTERN_RUN: f64 = 0.5;
/// What the search established about the largest excess.
pub(super) struct Probed {
    /// A proven lower bound.
    pub(super) z_lo: f64,
    /// Whether the best plan is proven to minimise it.
    pub(super) proven: bool,
}

/// Phase 2a (`patterns`): every person's patterns ([`patterns`]) within the largest
/// excess of the best plan so far; `None` when they are too many to list.
pub(super) fn relax(
    fx: &Filled<'_, '_>,
    reach: &Reach,
    lb: Option<f64>,
    out: &Outcome,
    clock: &Clock,
) -> Option<Relaxation> {
    let lbv = lb?;
    if clock.expired() {
        return None;
    }
    let z_hi = fx.max_excess(&out.best).max(lbv);
    patterns::relaxation(fx, reach, (lbv, z_hi), clock.deadline(0.3))
}

/// What a candidate value of the largest excess turned out to be.
enum Answer {
    /// A plan within it is the best plan.
    Found,
    /// No plan is within it.
    Refuted,
    /// Neither was shown in time.
    Unknown,
    /// The budget is spent: the search ends.
    Stop,
}

/// Phase 2b (`search`): search the possible values of the largest excess from the bound
/// `lb` up, at steps that double until a plan is within one, then by
/// bisection below it. Each value is answered by whichever model answers
/// first: the pattern relaxation refutes values quickly (and its choice of
/// patterns, made a plan, meets them); the week-level model, with every load
/// capped at the largest load reachable within `share + z`, finds plans
/// quickly. The first value not refuted is a lower bound; when the best plan
/// is within it, the plan is optimal.
pub(super) fn search(
    fx: &Filled<'_, '_>,
    (reach, rel): (&Reach, Option<&Relaxation>),
    lb: Option<f64>,
    out: &mut Outcome,
    clock: &Clock,
) -> Result<Probed, SolveError> {
    let mut probed = Probed {
        z_lo: lb.unwrap_or(f64::NEG_INFINITY),
        proven: false,
    };
    let Some(lbv) = lb else { return Ok(probed) };
    if !fx.people.iter().all(|&i| reach[i].is_some()) {
        return Ok(probed);
    }
    let clusters = candidates(fx, reach, lbv);
    let (refuted, found) = gallop(clusters.len(), |k| {
        answer(fx, (reach, rel), clusters[k].1, out, clock)
    })?;
    if let Some(&(low, _)) = clusters.get(refuted) {
        probed.z_lo = probed.z_lo.max(low);
    }
    probed.proven = found == Some(refuted);
    Ok(probed)
}

/// The first of `n` sorted values not refuted, and the lowest at which a
/// plan was found: steps from the bottom that double, then bisection below
/// the lowest value found or left unanswered.
fn gallop(
    n: usize,
    mut answer: impl FnMut(usize) -> Result<Answer, SolveError>,
) -> Result<(usize, Option<usize>), SolveError> {
    let (mut refuted, mut top, mut found) = (0usize, n, None);
    let (mut step, mut bisect) = (1usize, false);
    while refuted < top {
        let at = if bisect {
            (refuted + top) / 2
        } else {
            (refuted + step - 1).min(top - 1)
        };
        match answer(at)? {
            Answer::Found => (found, top, bisect) = (Some(at), at, true),
            Answer::Refuted => (refuted, step) = (at + 1, step * 2),
            Answer::Unknown => (top, bisect) = (at, true),
            Answer::Stop => break,
        }
    }
    Ok((refuted, found))
}

/// Whether a plan is within `z`: the best plan so far; else the relaxation's
/// refutation, or its patterns made a plan; else the week-level probe.
fn answer(
    fx: &Filled<'_, '_>,
    (reach, rel): (&Reach, Option<&Relaxation>),
    z: f64,
    out: &mut Outcome,
    clock: &Clock,
) -> Result<Answer, SolveError> {
    if fx.max_excess(&out.best) <= z + PROVEN {
        return Ok(Answer::Found);
    }
    if clock.expired() {
        return Ok(Answer::Stop);
    }
    if let Some(rel) = rel {
        match rel.choose_within(fx, z, clock.left(0.3).min(PATTERN_RUN))? {
            patterns::Within::Refuted => return Ok(Answer::Refuted),
            patterns::Within::Choice(c) => {
                if let Some(a) = rel.realise(fx, &c, clock.left(0.3).min(PATTERN_RUN))? {
                    if fx.max_excess(&a) <= z + PROVEN {
                        out.best = a;
                        return Ok(Answer::Found);
                    }
                }
            }
            patterns::Within::Unknown => {}
        }
        if clock.expired() {
            return Ok(Answer::Stop);
        }
    }
    let res = probe(fx, reach, z, clock)?;
    Ok(match res.assignment(fx.inst) {
        Some(a) if fx.max_excess(&a) <= z + PROVEN => {
            out.best = a;
            Answer::Found
        }
        None if res.proven => Answer::Refuted,
        _ => Answer::Unknown,
    })
}

/// The candidate values of the largest excess from `lbv` up, as clusters
/// `(lowest, highest)`: values closer than [`CLUSTER`] are the same load up to
/// the rounding of slot loads to micro-units; each is probed at its top.
fn candidates(fx: &Filled<'_, '_>, reach: &Reach, lbv: f64) -> Vec<(f64, f64)> {
    let mut values: Vec<f64> = fx
        .people
        .iter()
        .flat_map(|&i| {
            let share = fx.shares[i];
            reach[i]
                .iter()
                .flatten()
                .map(move |&l| l as f64 / MICRO - share)
        })
        .filter(|&z| z >= lbv - 1e-9)
        .collect();
    values.sort_by(f64::total_cmp);
    let mut clusters: Vec<(f64, f64)> = Vec::new();
    for z in values {
        match clusters.last_mut() {
            Some(c) if z - c.1 <= CLUSTER => c.1 = z,
            _ => clusters.push((z, z)),
        }
    }
    clusters
}

/// One probe: is there a plan with every load capped within `share + z`?
fn probe(fx: &Filled<'_, '_>, reach: &Reach, z: f64, clock: &Clock) -> Result<Run, SolveError> {
    let mut model = fx.model();
    for &i in &fx.people {
        model.load_cap(fx.inst, i, bounds::load_cap(fx, reach, i, z));
    }
    let settings = RunSettings::exact(false, clock.left(0.3));
    run(model, Expression::from(0.0), settings)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// An oracle over `n` values where values from `t` up admit a plan,
    /// except `unknown` ones, which it cannot answer.
    fn run(n: usize, t: usize, unknown: &[usize]) -> ((usize, Option<usize>), usize) {
        let mut calls = 0;
        let got = gallop(n, |at| {
            calls += 1;
            assert!(at < n);
            Ok(if unknown.contains(&at) {
                Answer::Unknown
            } else if at >= t {
                Answer::Found
            } else {
                Answer::Refuted
            })
        })
        .unwrap();
        (got, calls)
    }

    #[test]
    fn the_search_finds_the_first_value_with_a_plan_in_few_steps() {
        for n in 0..70 {
            for t in 0..=n {
                let ((refuted, found), calls) = run(n, t, &[]);
                assert_eq!(refuted, t, "n {n} t {t}");
                assert_eq!(found, (t < n).then_some(t), "n {n} t {t}");
                let log = (usize::BITS - n.leading_zeros()) as usize;
                assert!(calls <= 2 * log + 1, "n {n} t {t}: {calls} calls");
            }
        }
    }

    #[test]
    fn unanswered_values_never_count_as_refuted() {
        for n in 1..30 {
            for t in 0..=n {
                for u in 0..n {
                    let ((refuted, found), _) = run(n, t, &[u, (u * 7 + 3) % n]);
                    // Sound: nothing at or above the first plan is refuted.
                    assert!(refuted <= t, "n {n} t {t} u {u}");
                    if let Some(f) = found {
                        assert!(f >= t && f >= refuted, "n {n} t {t} u {u}");
                    }
                    // Proven only when the first unrefuted value has a plan.
                    if found == Some(refuted) {
                        assert_eq!(refuted, t);
                    }
                }
            }
        }
    }
}
