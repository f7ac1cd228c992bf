//! The library's integration tests, in one binary: the optimiser against
//! brute force and the independent checker, explanations, loading,
//! compensation and calendar interop.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../support/mod.rs"]
mod support;

mod busy_index;
mod comp;
mod comp_periods;
mod comp_policy;
mod comp_toil;
mod escalation;
mod explain;
mod fairness;
mod fuzz;
mod ical;
mod ical_fuzz;
mod links;
mod load;
mod org;
mod solver;
mod store_bounds;
mod whatif;
