//! # oncall
//!
//! Fair on-call rotations as an optimisation problem.
//!
//! The library loads a workspace (DESIGN.md §1), works out who may take which
//! slot (§2), finds the fairest rotation with a MILP on HiGHS (§3) and checks any
//! plan against the inputs with an independent checker.

pub mod changes;
pub mod checker;
pub mod comp;
pub mod eligibility;
pub mod error;
pub mod explain;
pub mod feed;
pub mod horizon;
pub mod ics;
pub mod init;
pub mod instance;
pub mod load;
pub mod model;
pub mod optimise;
pub mod plan;
pub mod replan;
pub mod store;
pub mod suggest;
pub mod synth;
pub mod timeline;
pub mod timeoff_ics;

pub use error::{Diagnostic, LoadError};
pub use horizon::HorizonSpec;
pub use model::{PersonIdx, RoleIdx, TeamIdx, Workspace};
pub use plan::{Plan, PlanDoc, Status};
