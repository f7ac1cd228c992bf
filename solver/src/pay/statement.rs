//! What `comp` shows for a range of days: closed periods as they were
//! stored, and open time computed now, with the adjustments still to pay.
//!
//! A closed period is never recomputed. A range that overlaps one shows that
//! period's stored report whole (its own bounds named), so a report never
//! silently shows different numbers for time already paid.

use rust_decimal::Decimal;
use serde::Serialize;

use super::periods::{adjustments, CloseStamp, ClosedPeriod};
use super::{report, round_money, CompError, CompReport, Incident, PayPeriod};
use crate::model::{TeamIdx, Workspace};
use crate::schedule::timeline::Timeline;

/// One part of a statement.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Section {
    /// Who closed it, for a closed period; `None` for open time.
    pub closed: Option<CloseStamp>,
    /// The stored report of a closed period, or the report of open time
    /// computed now (after the last closed period, with the adjustments the
    /// next close will store).
    pub report: CompReport,
}

/// The sections of a range, in time order.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Statement {
    /// The range asked for.
    pub range: PayPeriod,
    /// Closed periods and open time overlapping it.
    pub sections: Vec<Section>,
}

impl Statement {
    /// The money of every section.
    pub fn total(&self) -> Decimal {
        let minor = self.sections.first().map_or(2, |s| s.report.minor_units);
        let sum: Decimal = self.sections.iter().map(|s| s.report.total()).sum();
        round_money(sum, minor)
    }
}

/// What to pay over `range`, for every team or only `team`: `all` holds
/// every team's timeline (adjustments are judged over all of them), and
/// `closed` the closed periods, oldest first.
///
/// # Errors
/// An empty range, or a report that cannot be made.
pub fn statement(
    ws: &Workspace,
    all: &[(TeamIdx, Timeline)],
    team: Option<TeamIdx>,
    range: PayPeriod,
    incidents: &[Incident],
    closed: &[ClosedPeriod],
) -> Result<Statement, CompError> {
    if range.to <= range.from {
        return Err(CompError::EmptyPeriod {
            from: range.from,
            to: range.to,
        });
    }
    let timelines: Vec<(TeamIdx, Timeline)> = all
        .iter()
        .filter(|(t, _)| team.is_none_or(|x| x == *t))
        .cloned()
        .collect();
    let team_id = team.map(|t| ws.team(t).id.clone());
    let keep = |l: &super::PayLine| team_id.as_ref().is_none_or(|id| &l.team == id);
    let open = |from, to| report(ws, &timelines, PayPeriod { from, to }, incidents);
    let (Some(first), Some(last)) = (closed.first(), closed.last()) else {
        return Ok(one(range, open(range.from, range.to)?));
    };
    let mut sections = Vec::new();
    if range.from < first.period().from {
        let to = range.to.min(first.period().from);
        sections.push(open_section(open(range.from, to)?));
    }
    for c in closed {
        let p = c.period();
        if p.from < range.to && range.from < p.to {
            let mut report = c.report.clone();
            report.lines.retain(|l| keep(l));
            sections.push(Section {
                closed: Some(c.stamp.clone()),
                report,
            });
        }
    }
    if range.to > last.period().to {
        let mut report = open(range.from.max(last.period().to), range.to)?;
        let pending = adjustments(ws, all, closed)?;
        report.lines.extend(pending.into_iter().filter(|l| keep(l)));
        sections.push(open_section(report));
    }
    Ok(Statement { range, sections })
}

fn open_section(report: CompReport) -> Section {
    Section {
        closed: None,
        report,
    }
}

fn one(range: PayPeriod, report: CompReport) -> Statement {
    Statement {
        range,
        sections: vec![open_section(report)],
    }
}
