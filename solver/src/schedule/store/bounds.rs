//! The store writes only what its reader reads back: every instant and date
//! of a write is checked against the supported range of time
//! ([`crate::model::bounds`]) before any statement runs. This is structural,
//! so no `--force` skips it.

use chrono::{DateTime, NaiveDate, Utc};

use super::StoreError;
use crate::model::bounds::{check_date, check_instant, OutOfSupportedRange};
use crate::model::document::PlanDoc;

fn refuse(e: OutOfSupportedRange) -> StoreError {
    StoreError::Invalid(format!("nothing was stored: {e}"))
}

/// Every week, handoff and horizon date of a plan to publish.
pub(super) fn plan(doc: &PlanDoc) -> Result<(), StoreError> {
    if let Some(h) = &doc.horizon {
        check_date("the plan's first week", h.first_week).map_err(refuse)?;
    }
    for s in &doc.shifts {
        check_date("a shift's week", s.week).map_err(refuse)?;
        spans("a shift", [(s.start, s.end)])?;
    }
    for u in &doc.unfilled {
        check_date("an unfilled slot's week", u.week).map_err(refuse)?;
    }
    Ok(())
}

/// Spans `[start, end)` of `what` (an override, an offer, a feed event).
pub(super) fn spans(
    what: &str,
    spans: impl IntoIterator<Item = (DateTime<Utc>, DateTime<Utc>)>,
) -> Result<(), StoreError> {
    for (start, end) in spans {
        check_instant(&format!("the start of {what}"), start).map_err(refuse)?;
        check_instant(&format!("the end of {what}"), end).map_err(refuse)?;
    }
    Ok(())
}

/// Dates of `what` (a swap request's weeks, a pay period).
pub(super) fn dates(
    what: &str,
    dates: impl IntoIterator<Item = NaiveDate>,
) -> Result<(), StoreError> {
    for d in dates {
        check_date(what, d).map_err(refuse)?;
    }
    Ok(())
}
