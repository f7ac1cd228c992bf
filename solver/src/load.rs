//! Loading and validating a workspace.
