//! Calendar feeds of the resolved timeline (DESIGN.md §7).

pub mod feed;
