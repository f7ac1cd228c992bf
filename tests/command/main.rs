//! The `oncall` binary's integration tests, in one binary: each test drives
//! the real command as a user would.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../support/mod.rs"]
mod support;

mod run;

mod cli;
mod cli_comp;
mod cli_fairness;
mod cli_ical;
mod cli_input;
mod docs;
mod drift;
mod edges;
mod guards;
mod hostile;
mod notify;
mod offers;
mod org;
mod pay_versions;
mod schedule;
mod serve;
mod stable;
mod sync;
mod whatif;
mod year_cap;
