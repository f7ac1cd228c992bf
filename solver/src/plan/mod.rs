//! Planning one team over a horizon: the weeks, who may take which slot, the
//! optimiser, the explanation of an impossible plan, and the plan itself.

pub mod baseline;
mod document;
pub mod eligibility;
pub mod explain;
pub mod horizon;
pub mod instance;
pub mod optimise;
pub mod share;
pub mod whatif;
pub mod year_cap;

use horizon::Week;

use crate::model::{PersonIdx, RoleIdx, TeamIdx};

/// What the solver proved about a plan (STYLE.md §3).
#[derive(Clone, Debug, PartialEq)]
pub enum Status {
    /// Every slot is filled and the largest excess is proven minimal.
    Optimal,
    /// Every slot is filled; the largest excess is within `gap` of `bound`.
    Feasible {
        /// A proven lower bound on the largest excess.
        bound: f64,
        /// `(objective - bound) / max(|objective|, 1)`.
        gap: f64,
    },
    /// Some slots could not be filled; the rest are filled as fairly as found.
    Partial,
    /// No slot could be filled.
    Infeasible,
}

impl Status {
    /// The schema-1 name.
    pub fn as_str(&self) -> &'static str {
        match self {
            Status::Optimal => "optimal",
            Status::Feasible { .. } => "feasible",
            Status::Partial => "partial",
            Status::Infeasible => "infeasible",
        }
    }
}

/// Facts about the solve.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct SolveStats {
    /// Wall-clock seconds spent solving.
    pub seconds: f64,
    /// The largest excess achieved.
    pub objective: f64,
    /// A proven lower bound on the largest excess.
    pub bound: f64,
    /// Relative gap between objective and bound.
    pub gap: f64,
    /// Sum of absolute deviations (the secondary objective).
    pub spread: f64,
    /// A proven lower bound on the spread, given the largest excess.
    pub spread_bound: f64,
    /// In a re-plan, whether the fewest changes were proven minimal.
    pub changes_proven: bool,
    /// In a re-plan that puts stability first (`replan --stable`), the
    /// smallest largest excess found before trading fairness for fewer
    /// changes: the optimum when the bound proves it. `None` otherwise. Not
    /// part of the plan document.
    pub optimum: Option<f64>,
    /// Wall-clock time of each phase, in the order they ran: `fill`, then when
    /// there is fairness to optimise `reachability`, `bounds`, `patterns`,
    /// `search`, `min-max`, `fewest-changes` (re-plans only),
    /// `pattern-spread` (when patterns were listed) and `spread`, and last
    /// `plan`. They add up to `seconds`. Not part of the plan document.
    pub phases: Vec<PhaseTime>,
}

/// How long one phase of a solve took.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct PhaseTime {
    /// The phase.
    pub name: &'static str,
    /// Wall-clock seconds.
    pub seconds: f64,
}

/// A slot that stays empty, with a one-line reason.
#[derive(Clone, Debug, PartialEq)]
pub struct UnfilledSlot {
    /// Week index in the horizon.
    pub week: usize,
    /// The role.
    pub role: RoleIdx,
    /// Why nobody can take it.
    pub reason: String,
}

/// One person's fairness numbers (docs/design.md §3).
#[derive(Clone, Debug, PartialEq)]
pub struct PersonFairness {
    /// Who.
    pub person: PersonIdx,
    /// Available weeks `a_p`.
    pub available_weeks: u32,
    /// Carry-over `C_p`.
    pub carry: f64,
    /// Load in this plan.
    pub load: f64,
    /// Share `T_p`.
    pub share: f64,
    /// `load - share`.
    pub deviation: f64,
}

/// A plan for one team.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The team.
    pub team: TeamIdx,
    /// The weeks planned.
    pub weeks: Vec<Week>,
    /// `assignment[week][role]`: who holds the slot.
    pub assignment: Vec<Vec<Option<PersonIdx>>>,
    /// Load of each slot, `slot_load[week][role]`.
    pub slot_load: Vec<Vec<f64>>,
    /// What was proven.
    pub status: Status,
    /// Solver figures.
    pub stats: SolveStats,
    /// Slots left empty.
    pub unfilled: Vec<UnfilledSlot>,
    /// Fairness per person with `a_p > 0`, in roster order.
    pub fairness: Vec<PersonFairness>,
    /// The largest deviation over `fairness`.
    pub max_excess: f64,
}

impl Plan {
    /// One line of what the solve proved and where its time went, for
    /// benchmarks and logs: status, seconds, largest excess and its bound,
    /// gap, spread and its bound, unfilled slots and the slowest phase.
    pub fn summary(&self) -> String {
        let slowest = self
            .stats
            .phases
            .iter()
            .max_by(|a, b| a.seconds.total_cmp(&b.seconds))
            .map(|ph| format!("{} {:.3}s", ph.name, ph.seconds))
            .unwrap_or_default();
        format!(
            "{} in {:.3}s, largest excess {:.4}, bound {:.4}, gap {:.2}%, spread {:.4} (bound {:.4}), unfilled {}, slowest phase {slowest}",
            self.status.as_str(),
            self.stats.seconds,
            self.max_excess,
            self.stats.bound,
            self.stats.gap * 100.0,
            self.stats.spread,
            self.stats.spread_bound,
            self.unfilled.len()
        )
    }
}
