//! # oncall
//!
//! Fair on-call rotations as an optimisation problem, and the schedule's life
//! after planning.
//!
//! The library is the product; the `oncall` command and its server are thin
//! shells over it. Its modules follow the data:
//!
//! - [`input`]: a workspace directory (docs/design.md §1) becomes a validated
//!   [`Workspace`], or diagnostics that name file, line and fix;
//! - [`model`]: the domain types, civil time, the plan document and history;
//! - [`plan`]: rotation weeks, who may take which slot (§2), the optimiser
//!   (a MILP on HiGHS with a proven fairness objective, §3) and the
//!   explanation of a plan that cannot be completed, and what-if scenarios
//!   ([`what_if`]) that plan a team as it is and under changes side by side;
//! - [`checker`]: the independent plan checker, which shares no code with
//!   the optimiser;
//! - [`schedule`]: the published schedule in `oncall.db`, the resolved
//!   timeline, changes and trades, re-plans, and the service that runs each
//!   state change as one transaction;
//! - [`calendar`] feeds and [`pay`] reports, computed from the timeline;
//! - [`text`]: escaping for where each output goes.
//!
//! ## Plan a quarter and check it
//!
//! ```
//! use oncall::plan::optimise::{plan, PlanOptions};
//! use oncall::{HorizonSpec, Status};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let ws = oncall::input::load_workspace("../data/quickstart".as_ref())?;
//! let team = ws.team_by_id("payments").ok_or("no team payments")?;
//! let quarter: HorizonSpec = "2027Q1".parse()?;
//!
//! let options = PlanOptions { time_limit: Some(20.0), ..Default::default() };
//! let result = plan(&ws, team, &quarter, &options)?;
//! assert!(result.unfilled.is_empty());
//! assert!(matches!(result.status, Status::Optimal | Status::Feasible { .. }));
//!
//! // The independent checker recomputes every rule and figure from the inputs.
//! let document = result.to_doc(&ws);
//! let report = oncall::checker::check_plan(&ws, team, &document);
//! assert!(report.is_ok(), "{:?}", report.violations);
//! # Ok(())
//! # }
//! ```

pub mod calendar;
pub mod checker;
pub mod clock;
pub mod input;
pub mod model;
pub mod pay;
pub mod plan;
pub mod schedule;
pub mod sync;
pub mod text;
pub mod view;

pub use input::diagnostic::{Diagnostic, LoadError};
pub use input::load_workspace;
pub use model::document::PlanDoc;
pub use model::{PersonIdx, RoleIdx, TeamIdx, Workspace};
pub use plan::horizon::HorizonSpec;
pub use plan::whatif::{what_if, Change as WhatIfChange, WhatIf};
pub use plan::{Plan, Status};
pub use schedule::service::{Outcome, Schedule, ScheduleError};
