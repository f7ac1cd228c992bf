//! A plan: the domain result of planning one team over a horizon, and its
//! JSON form (DESIGN.md §4, schema 1).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::model::{PersonIdx, RoleIdx, TeamIdx};

/// One rotation week: `[start, end)` between two consecutive handoffs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Week {
    /// The local date (team zone) of the week's first handoff.
    pub first_day: NaiveDate,
    /// The local date (team zone) of the next handoff.
    pub next_day: NaiveDate,
    /// The first handoff instant.
    pub start: DateTime<Utc>,
    /// The next handoff instant.
    pub end: DateTime<Utc>,
}

impl Week {
    /// Length of the week in hours (167, 168 or 169 around DST changes).
    pub fn hours(&self) -> f64 {
        (self.end - self.start).num_seconds() as f64 / 3600.0
    }
}

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

/// One person's fairness numbers (DESIGN.md §3).
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

/// The current plan JSON schema version.
pub const SCHEMA: u32 = 1;

/// Plan JSON, schema 1 (DESIGN.md §4). Fields may be added, never renamed.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct PlanDoc {
    /// Always 1.
    pub schema: u32,
    /// Team id.
    pub team: String,
    /// The team's IANA zone.
    pub timezone: String,
    /// `optimal`, `feasible`, `partial` or `infeasible`.
    pub status: String,
    /// Solver figures.
    pub solver: SolverDoc,
    /// Filled slots, by week then role order.
    pub shifts: Vec<ShiftDoc>,
    /// Slots left empty.
    pub unfilled: Vec<UnfilledDoc>,
    /// Fairness summary.
    pub fairness: FairnessDoc,
    /// The planned horizon (added field).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub horizon: Option<HorizonDoc>,
    /// SHA-256 of the workspace inputs the plan was made from (added field).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inputs_sha256: Option<String>,
    /// Why some slots cannot be filled, and checked fixes (added field; only
    /// for `partial` and `infeasible` plans).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<crate::explain::ExplanationDoc>,
}

/// `solver` object.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct SolverDoc {
    /// Always `highs`.
    pub backend: String,
    /// Seconds spent.
    pub seconds: f64,
    /// Largest excess achieved.
    pub objective: f64,
    /// Proven lower bound on it.
    pub bound: f64,
    /// Relative gap.
    pub gap: f64,
    /// Sum of absolute deviations, the tie-break among equally fair plans (added field).
    #[serde(default)]
    pub spread: f64,
    /// Proven lower bound on the spread given the largest excess (added field).
    #[serde(default)]
    pub spread_bound: f64,
}

/// One filled slot.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ShiftDoc {
    /// Local date of the week's first handoff.
    pub week: NaiveDate,
    /// Role name.
    pub role: String,
    /// Person id.
    pub person: String,
    /// First handoff, RFC 3339 UTC.
    pub start: DateTime<Utc>,
    /// Next handoff, RFC 3339 UTC.
    pub end: DateTime<Utc>,
    /// Load of the shift.
    pub load: f64,
}

/// One empty slot.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct UnfilledDoc {
    /// Local date of the week's first handoff.
    pub week: NaiveDate,
    /// Role name.
    pub role: String,
    /// One-line reason.
    pub reason: String,
}

/// `fairness` object.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct FairnessDoc {
    /// Largest deviation.
    pub max_excess: f64,
    /// One entry per person with available weeks.
    pub people: Vec<PersonFairnessDoc>,
}

/// One person's fairness numbers.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct PersonFairnessDoc {
    /// Person id.
    pub person: String,
    /// Available weeks.
    pub available_weeks: u32,
    /// Carry-over.
    pub carry: f64,
    /// Load in this plan.
    pub load: f64,
    /// Share.
    pub share: f64,
    /// Load minus share.
    pub deviation: f64,
}

/// The planned horizon.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct HorizonDoc {
    /// First week's first day.
    pub first_week: NaiveDate,
    /// Number of weeks.
    pub weeks: u32,
}

/// Rounds to 4 decimal places, as the JSON carries numbers.
pub fn round4(x: f64) -> f64 {
    let r = (x * 10_000.0).round() / 10_000.0;
    if r == 0.0 {
        0.0
    } else {
        r
    }
}

impl Plan {
    /// The plan as schema-1 JSON data.
    pub fn to_doc(&self, ws: &crate::model::Workspace) -> PlanDoc {
        let team = ws.team(self.team);
        let mut shifts = Vec::new();
        for (w, row) in self.assignment.iter().enumerate() {
            for (r, slot) in row.iter().enumerate() {
                if let (Some(p), Some(week), Some(role)) =
                    (slot, self.weeks.get(w), team.roles.get(r))
                {
                    shifts.push(ShiftDoc {
                        week: week.first_day,
                        role: role.name.clone(),
                        person: ws.person(*p).id.clone(),
                        start: week.start,
                        end: week.end,
                        load: round4(self.slot_load[w][r]),
                    });
                }
            }
        }
        let unfilled = self
            .unfilled
            .iter()
            .filter_map(|u| {
                Some(UnfilledDoc {
                    week: self.weeks.get(u.week)?.first_day,
                    role: team.roles.get(u.role.0)?.name.clone(),
                    reason: u.reason.clone(),
                })
            })
            .collect();
        let people = self
            .fairness
            .iter()
            .map(|f| PersonFairnessDoc {
                person: ws.person(f.person).id.clone(),
                available_weeks: f.available_weeks,
                carry: round4(f.carry),
                load: round4(f.load),
                share: round4(f.share),
                deviation: round4(f.deviation),
            })
            .collect();
        PlanDoc {
            schema: SCHEMA,
            team: team.id.clone(),
            timezone: team.timezone.name().to_string(),
            status: self.status.as_str().to_string(),
            solver: SolverDoc {
                backend: "highs".to_string(),
                seconds: (self.stats.seconds * 1000.0).round() / 1000.0,
                objective: round4(self.max_excess),
                bound: round4(self.stats.bound.min(self.max_excess)),
                gap: round4(self.stats.gap),
                spread: round4(self.stats.spread),
                spread_bound: round4(self.stats.spread_bound),
            },
            shifts,
            unfilled,
            fairness: FairnessDoc {
                max_excess: round4(self.max_excess),
                people,
            },
            horizon: self.weeks.first().map(|w| HorizonDoc {
                first_week: w.first_day,
                weeks: u32::try_from(self.weeks.len()).unwrap_or(u32::MAX),
            }),
            inputs_sha256: Some(ws.inputs_sha256.clone()),
            explanation: None,
        }
    }
}
