//! Calendar feeds of the resolved timeline (docs/design.md §7).

pub mod feed;
