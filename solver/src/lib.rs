//! # oncall
//!
//! Fair on-call rotations as an optimisation problem.
//!
//! The library loads a workspace (DESIGN.md §1), works out who may take which
//! slot (§2), finds the fairest rotation with a MILP on HiGHS (§3) and checks any
//! plan against the inputs with an independent checker.

pub mod calendar;
pub mod checker;
pub mod input;
pub mod model;
pub mod pay;
pub mod plan;
pub mod schedule;
pub mod text;

pub use input::diagnostic::{Diagnostic, LoadError};
pub use model::document::PlanDoc;
pub use model::{PersonIdx, RoleIdx, TeamIdx, Workspace};
pub use plan::horizon::HorizonSpec;
pub use plan::{Plan, Status};
