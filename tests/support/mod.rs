//! Helpers shared by both integration test binaries: workspaces built in
//! code, example workspaces copied to a temporary directory, and running the
//! `oncall` binary.
#![allow(dead_code)]

pub(crate) mod fuzz;
pub(crate) mod model;
pub(crate) mod workspace;
