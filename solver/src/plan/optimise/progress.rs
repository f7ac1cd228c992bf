//! What every phase reads and advances: the time budget, with how long
//! each phase took, and the best plan so far with what is proven about it.

use std::time::{Duration, Instant};

use super::filled::Deadline;
use super::model::Assignment;
use crate::plan::{PhaseTime, SolveStats};

/// Least time left, in seconds, to start a HiGHS run after the fill:
/// building and loading a large model alone takes a good part of it.
const MIN_RUN: f64 = 0.2;
/// Most of the time budget the spread tie-break may use.
const SPREAD_SHARE: f64 = 0.2;
/// ... and at most this many times what the fairness phases took, but at
/// least [`SPREAD_MIN`] seconds: a tie-break should not dominate the solve.
const SPREAD_FACTOR: f64 = 10.0;
/// Smallest budget for the spread tie-break, in seconds.
const SPREAD_MIN: f64 = 1.5;
/// The time budget, and how long each phase took.
pub(super) struct Clock {
    start: Instant,
    budget: f64,
    lapped: f64,
    phases: Vec<PhaseTime>,
    /// When the spread tie-break (over patterns, then week by week) must end.
    tiebreak_end: f64,
}

impl Clock {
    pub(super) fn start(budget: f64) -> Self {
        Clock {
            start: Instant::now(),
            budget,
            lapped: 0.0,
            phases: Vec::new(),
            tiebreak_end: budget,
        }
    }

    pub(super) fn elapsed(&self) -> f64 {
        self.start.elapsed().as_secs_f64()
    }

    /// Whether too little of the budget is left to start a HiGHS run: the
    /// phases left then keep what is known.
    pub(super) fn expired(&self) -> bool {
        self.budget - self.elapsed() < MIN_RUN
    }

    /// When `share` of the budget that is left runs out, for loops outside
    /// HiGHS.
    pub(super) fn deadline(&self, share: f64) -> Deadline {
        let now = self.elapsed();
        let until = now + (self.budget - now).max(0.0) * share;
        Deadline(
            Duration::try_from_secs_f64(until)
                .ok()
                .and_then(|d| self.start.checked_add(d)),
        )
    }

    /// `share` of the budget that is left, but at least 0.05 s.
    pub(super) fn left(&self, share: f64) -> f64 {
        ((self.budget - self.elapsed()) * share).max(0.05)
    }

    /// Fixes the spread tie-break's budget as it starts: at most
    /// [`SPREAD_SHARE`] of the budget and [`SPREAD_FACTOR`] times what the
    /// solve took so far (but [`SPREAD_MIN`]), shared by its phases.
    pub(super) fn start_tiebreak(&mut self) {
        let now = self.elapsed();
        let budget = (self.budget - now)
            .min(SPREAD_SHARE * self.budget)
            .min((SPREAD_FACTOR * now).max(SPREAD_MIN));
        self.tiebreak_end = now + budget.max(0.0);
    }

    /// What is left of the tie-break's budget, but at least 0.05 s.
    pub(super) fn tiebreak_left(&self) -> f64 {
        (self.tiebreak_end - self.elapsed()).max(0.05)
    }

    /// Ends the last phase, `name`: the solve's seconds and every phase's.
    pub(super) fn finish(mut self, name: &'static str) -> (f64, Vec<PhaseTime>) {
        self.lap(name);
        (self.lapped, self.phases)
    }

    /// Records that phase `name` ends now.
    pub(super) fn lap(&mut self, name: &'static str) {
        let now = self.elapsed();
        self.phases.push(PhaseTime {
            name,
            seconds: now - self.lapped,
        });
        self.lapped = now;
    }
}

/// The best plan so far and what is proven about it.
pub(super) struct Outcome {
    pub(super) best: Assignment,
    pub(super) stats: SolveStats,
    pub(super) excess_proven: bool,
}

impl Outcome {
    pub(super) fn new(best: Assignment) -> Self {
        Outcome {
            best,
            stats: SolveStats::default(),
            excess_proven: true,
        }
    }
}
