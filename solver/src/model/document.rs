//! The plan document: plan JSON, schema 1 (docs/design.md §4), with its
//! explanation. Other tools, the checker and the store read this format.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// The current plan JSON schema version.
pub const SCHEMA: u32 = 1;

/// Plan JSON, schema 1 (docs/design.md §4). Fields may be added, never renamed.
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
    pub explanation: Option<ExplanationDoc>,
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
    /// Wall-clock seconds of each phase, in the order they ran (added
    /// field): `fill`, `reachability`, `bounds`, `patterns`, `search`,
    /// `min-max`, `fewest-changes` (re-plans), `pattern-spread`, `spread`,
    /// `plan`, and `explanation`
    /// when a partial plan was explained.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phases: Vec<PhaseDoc>,
}

/// One phase of a solve and its time.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct PhaseDoc {
    /// The phase.
    pub name: String,
    /// Wall-clock seconds.
    pub seconds: f64,
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

/// JSON form of an explanation.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ExplanationDoc {
    /// Matching failures: `{week, roles, people}`.
    pub hall: Vec<HallDoc>,
    /// Minimal conflicts.
    pub conflicts: Vec<ConflictDoc>,
    /// Checked fixes, in words.
    pub fixes: Vec<String>,
}

/// A Hall violator in JSON.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct HallDoc {
    /// Week (first day).
    pub week: NaiveDate,
    /// Roles that cannot all be filled.
    pub roles: Vec<String>,
    /// Everyone who could take one of them.
    pub people: Vec<String>,
}

/// A conflict in JSON.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ConflictDoc {
    /// Facts in words.
    pub facts: Vec<String>,
    /// Slots left empty, `week role`.
    pub slots: Vec<String>,
}
