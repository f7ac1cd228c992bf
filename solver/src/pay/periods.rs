//! Closed pay periods (docs/design.md §6): a period's report is stored as paid
//! and never recomputed, and a later change to closed time is paid through
//! `ADJUSTMENT` lines.
//!
//! - Periods close in order: the first may start anywhere; each next one
//!   starts where the last ended.
//! - Closing period P stores P's own lines plus, for every earlier closed
//!   period E, the adjustment `report of E recomputed now − everything
//!   already paid for E` (E's own lines and every earlier adjustment of E),
//!   per person, team, role and pay code. Summed over all closed periods,
//!   each period is paid exactly what its final timeline says: nothing twice,
//!   nothing lost.
//! - Until the next close, a report after the last closed period carries the
//!   same pending adjustments, so HR sees them coming.
//! - Pages are paid as they were closed: a later change to the timeline does
//!   not re-attribute them, so `INCIDENT` lines are never adjusted.
//!
//! Everything here is pure: the service reads the closed periods and the
//! timelines in one transaction, calls these functions and writes the result.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{report, CompError, CompReport, Incident, PayCode, PayLine, PayPeriod};
use crate::model::{TeamIdx, Workspace};
use crate::schedule::timeline::Timeline;

/// Who closed a period, when, and from what.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CloseStamp {
    /// When it was closed.
    pub closed_at: DateTime<Utc>,
    /// Who closed it (`$ONCALL_USER`, else `$USER`).
    pub actor: String,
    /// SHA-256 of what the report was computed from: the workspace inputs,
    /// every team's resolved timeline and the pages.
    pub inputs_sha256: String,
}

/// A closed pay period: its report as paid, adjustments included.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClosedPeriod {
    /// Who closed it and when.
    pub stamp: CloseStamp,
    /// The stored report: the period's own lines, then `ADJUSTMENT` lines
    /// for earlier closed periods.
    pub report: CompReport,
}

impl ClosedPeriod {
    /// The period.
    pub fn period(&self) -> PayPeriod {
        self.report.period
    }
}

/// Why a period cannot be closed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CloseRefusal {
    /// Exactly this period is already closed.
    #[error("the pay period {from}..{to} is already closed (by {actor} at {at}); a closed period is never recomputed, and later changes appear as ADJUSTMENT lines in the next period", from = .period.from, to = .period.to)]
    AlreadyClosed {
        /// The period.
        period: PayPeriod,
        /// Who closed it.
        actor: String,
        /// When.
        at: DateTime<Utc>,
    },
    /// The period overlaps a closed one.
    #[error("the pay period {from}..{to} overlaps the closed period {cfrom}..{cto}; the next period to close starts on {next}", from = .period.from, to = .period.to, cfrom = .closed.from, cto = .closed.to)]
    Overlaps {
        /// The period asked for.
        period: PayPeriod,
        /// The closed period it overlaps.
        closed: PayPeriod,
        /// Where the next period must start.
        next: NaiveDate,
    },
    /// The period does not start where the last closed one ended.
    #[error("the pay period {from}..{to} does not follow the last closed period, which ended on {next}; periods close in order, so the next one starts on {next}", from = .period.from, to = .period.to)]
    OutOfOrder {
        /// The period asked for.
        period: PayPeriod,
        /// Where the next period must start.
        next: NaiveDate,
    },
}

/// Why closing failed: refused by the order of periods, or no report.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum CloseError {
    /// Refused: closed twice, overlapping or out of order.
    #[error(transparent)]
    Refused(#[from] CloseRefusal),
    /// The report cannot be made.
    #[error(transparent)]
    Comp(#[from] CompError),
}

/// Checks that `period` may close after `closed` (oldest first).
///
/// # Errors
/// The period is already closed, overlaps a closed one, or leaves a gap.
pub fn check_order(closed: &[ClosedPeriod], period: PayPeriod) -> Result<(), CloseRefusal> {
    let Some(last) = closed.last() else {
        return Ok(());
    };
    let next = last.period().to;
    if let Some(c) = closed.iter().find(|c| c.period() == period) {
        return Err(CloseRefusal::AlreadyClosed {
            period,
            actor: c.stamp.actor.clone(),
            at: c.stamp.closed_at,
        });
    }
    if let Some(c) = closed
        .iter()
        .find(|c| period.from < c.period().to && c.period().from < period.to)
    {
        return Err(CloseRefusal::Overlaps {
            period,
            closed: c.period(),
            next,
        });
    }
    if period.from != next {
        return Err(CloseRefusal::OutOfOrder { period, next });
    }
    Ok(())
}

/// The report to store when `period` closes after `closed`: the period's own
/// lines and the adjustments of every earlier closed period.
///
/// # Errors
/// The period is out of order, or no report can be made.
pub fn close(
    ws: &Workspace,
    timelines: &[(TeamIdx, Timeline)],
    period: PayPeriod,
    incidents: &[Incident],
    closed: &[ClosedPeriod],
) -> Result<CompReport, CloseError> {
    if period.to <= period.from {
        return Err(CompError::EmptyPeriod {
            from: period.from,
            to: period.to,
        }
        .into());
    }
    check_order(closed, period)?;
    let mut own = report(ws, timelines, period, incidents)?;
    own.lines.extend(adjustments(ws, timelines, closed)?);
    Ok(own)
}

/// Adjustment lines for every closed period: what its report says now, from
/// `timelines`, minus everything already paid for it.
///
/// # Errors
/// A report cannot be made (no policy, an unknown person).
pub fn adjustments(
    ws: &Workspace,
    timelines: &[(TeamIdx, Timeline)],
    closed: &[ClosedPeriod],
) -> Result<Vec<PayLine>, CompError> {
    let mut out = Vec::new();
    for c in closed {
        let period = c.period();
        // Priced at the rates it was paid: an edited rate changes open
        // periods only (a dated version changes the days from its date).
        let paid = super::report::paid_rates(&c.report.lines);
        let now = super::report::report_at(ws, timelines, period, &[], Some(&paid))?;
        out.extend(difference(&now.lines, paid_for(closed, period), period));
    }
    Ok(out)
}

/// A closed period whose lines the policy in `oncall.toml` would now pay at
/// another rate: an edit made without a dated version. The period keeps what
/// it paid (see [`adjustments`]); the edit pays open time only.
#[derive(Clone, Debug, PartialEq)]
pub struct RateEdit {
    /// The closed period.
    pub period: PayPeriod,
    /// `(role, code, rate paid, rate now)` of each line that differs.
    pub lines: Vec<(String, PayCode, Decimal, Decimal)>,
}

/// Every closed period whose rates the policy has since been edited for
/// without a `[[compensation.versions]]` block dated after it.
///
/// # Errors
/// A report cannot be made (no policy, an unknown person).
pub fn rate_edits(
    ws: &Workspace,
    timelines: &[(TeamIdx, Timeline)],
    closed: &[ClosedPeriod],
) -> Result<Vec<RateEdit>, CompError> {
    let mut out = Vec::new();
    for c in closed {
        let paid = super::report::paid_rates(&c.report.lines);
        let now = report(ws, timelines, c.period(), &[])?;
        let mut lines: Vec<(String, PayCode, Decimal, Decimal)> = Vec::new();
        for l in &now.lines {
            let key = (
                l.employee_id.clone(),
                l.team.clone(),
                l.role.clone(),
                l.code,
            );
            if let (Some(was), Some(is)) = (paid.get(&key), l.rate) {
                let line = (l.role.clone(), l.code, *was, is);
                if *was != is && !lines.contains(&line) {
                    lines.push(line);
                }
            }
        }
        if !lines.is_empty() {
            out.push(RateEdit {
                period: c.period(),
                lines,
            });
        }
    }
    Ok(out)
}

/// Every line paid so far for `period`: its own lines and every adjustment
/// of it, in whichever closed period it was stored.
fn paid_for(closed: &[ClosedPeriod], period: PayPeriod) -> impl Iterator<Item = &PayLine> {
    closed.iter().flat_map(move |c| {
        c.report
            .lines
            .iter()
            .filter(move |l| l.adjusts.unwrap_or(c.period()) == period)
    })
}

/// The key of a line: person, team, role and pay code.
type Key = (String, String, String, PayCode);

fn key(l: &PayLine) -> Key {
    (
        l.employee_id.clone(),
        l.team.clone(),
        l.role.clone(),
        l.code,
    )
}

/// `now − paid` per key, as adjustment lines of `period`, leaving out pages
/// and keys whose difference is zero. Lines keep the order of `now`, then
/// of `paid`.
fn difference<'a>(
    now: &[PayLine],
    paid: impl Iterator<Item = &'a PayLine>,
    period: PayPeriod,
) -> Vec<PayLine> {
    let mut order: Vec<Key> = Vec::new();
    let mut acc: BTreeMap<Key, PayLine> = BTreeMap::new();
    let mut add = |l: &PayLine, sign: i64| {
        if l.code == PayCode::Incident {
            return;
        }
        let k = key(l);
        let entry = acc.entry(k.clone()).or_insert_with(|| {
            order.push(k);
            zero_like(l, period)
        });
        let d = Decimal::from(sign);
        entry.seconds += l.seconds * sign;
        entry.hours += l.hours * d;
        entry.days += l.days * d;
        entry.amount += l.amount * d;
        if entry.rate != l.rate {
            entry.rate = None;
        }
    };
    for l in now {
        add(l, 1);
    }
    for l in paid {
        add(l, -1);
    }
    order
        .into_iter()
        .filter_map(|k| acc.remove(&k))
        .filter(|l| l.seconds != 0 || !l.days.is_zero() || !l.amount.is_zero())
        .map(normalise)
        .collect()
}

/// An empty adjustment line with `l`'s person, team, role, code and rate.
fn zero_like(l: &PayLine, period: PayPeriod) -> PayLine {
    let mut amount = Decimal::ZERO;
    amount.rescale(l.amount.scale());
    PayLine {
        seconds: 0,
        hours: Decimal::ZERO,
        days: Decimal::ZERO,
        amount,
        pages: 0,
        adjusts: Some(period),
        ..l.clone()
    }
}

fn normalise(mut l: PayLine) -> PayLine {
    l.hours = l.hours.normalize();
    l.days = l.days.normalize();
    l
}

/// The hash of what a report is computed from: the workspace inputs, every
/// segment of the timelines and the pages.
pub fn inputs_sha256(
    ws: &Workspace,
    timelines: &[(TeamIdx, Timeline)],
    incidents: &[Incident],
) -> String {
    let mut h = Sha256::new();
    h.update(ws.inputs_sha256.as_bytes());
    for (team, tl) in timelines {
        h.update(format!("\nteam {}\n", ws.team(*team).id));
        for s in &tl.segments {
            h.update(format!("{} {} {} {}\n", s.role, s.person, s.start, s.end));
        }
    }
    for i in incidents {
        h.update(format!("page {} {} {}\n", i.time, i.person.0, i.team.0));
    }
    format!("{:x}", h.finalize())
}
