//! The schedule's life after planning (docs/design.md §5): the store, the resolved
//! timeline, changes and trades, re-plans, and the service that runs each
//! state change as one transaction.

pub mod busy_index;
pub mod changes;
pub mod drift;
pub mod links;
pub mod notify;
pub mod offers;
pub mod organisation;
pub mod pager;
pub mod replan;
pub mod sequences;
pub mod service;
pub mod store;
pub mod timeline;
mod trading;
pub mod who;
