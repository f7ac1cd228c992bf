//! Closed pay periods in the store: each period's report as paid, stored
//! once and never changed (triggers refuse updates and deletes).

use rusqlite::params;

use super::read::{sql_err, StoreRead};
use super::{ts, StoreError, Writer};
use crate::pay::periods::{CloseStamp, ClosedPeriod};
use crate::pay::{CompReport, PayLine, PersonSummary};

/// The audit log's team for changes that concern every team.
pub const EVERY_TEAM: &str = "*";

/// Reading closed pay periods; every reader of the store has it.
pub trait PayRead: StoreRead {
    /// Every closed pay period with its stored report, oldest first. A
    /// store from before pay periods existed has none.
    ///
    /// # Errors
    /// SQLite failures or unreadable rows.
    fn closed_pay_periods(&self) -> Result<Vec<ClosedPeriod>, StoreError> {
        let sql = sql_err(self.path());
        if !self.has_table("pay_periods")? {
            return Ok(Vec::new());
        }
        let mut stmt = self
            .conn()
            .prepare(
                "SELECT start, end, closed_at, actor, inputs_sha256, currency, minor_units, \
                 people_json FROM pay_periods ORDER BY start",
            )
            .map_err(&sql)?;
        let rows = stmt
            .query_map([], |r| {
                Ok(Header {
                    start: r.get(0)?,
                    end: r.get(1)?,
                    closed_at: r.get(2)?,
                    actor: r.get(3)?,
                    inputs_sha256: r.get(4)?,
                    currency: r.get(5)?,
                    minor_units: r.get(6)?,
                    people_json: r.get(7)?,
                })
            })
            .map_err(&sql)?;
        let headers = rows.collect::<Result<Vec<_>, _>>().map_err(&sql)?;
        headers
            .into_iter()
            .map(|h| closed_period(self, h))
            .collect()
    }
}

impl<T: StoreRead + ?Sized> PayRead for T {}

/// One closed period from its header row and its lines.
fn closed_period<R: StoreRead + ?Sized>(r: &R, h: Header) -> Result<ClosedPeriod, StoreError> {
    let path = r.path();
    let corrupt = |what: &'static str, value: &str| StoreError::Corrupt {
        path: path.to_path_buf(),
        what,
        value: value.to_string(),
        row: None,
    };
    let date = |s: &str, what| s.parse().map_err(|_| corrupt(what, s));
    let period = crate::pay::PayPeriod {
        from: date(&h.start, "pay_periods.start")?,
        to: date(&h.end, "pay_periods.end")?,
    };
    let closed_at = chrono::DateTime::parse_from_rfc3339(&h.closed_at)
        .map_err(|_| corrupt("pay_periods.closed_at", &h.closed_at))?
        .with_timezone(&chrono::Utc);
    let people: Vec<PersonSummary> = serde_json::from_str(&h.people_json)
        .map_err(|_| corrupt("pay_periods.people_json", &h.people_json))?;
    let mut stmt = r
        .conn()
        .prepare("SELECT line_json FROM pay_lines WHERE period_start = ?1 ORDER BY line")
        .map_err(sql_err(path))?;
    let jsons = stmt
        .query_map([&h.start], |r| r.get::<_, String>(0))
        .map_err(sql_err(path))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(sql_err(path))?;
    let lines = jsons
        .iter()
        .map(|j| serde_json::from_str::<PayLine>(j).map_err(|_| corrupt("pay_lines.line_json", j)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ClosedPeriod {
        stamp: CloseStamp {
            closed_at,
            actor: h.actor,
            inputs_sha256: h.inputs_sha256,
        },
        report: CompReport {
            period,
            currency: h.currency,
            minor_units: h.minor_units,
            lines,
            people,
            off_call_pages: Vec::new(),
        },
    })
}

/// A `pay_periods` row as read.
#[derive(Debug)]
struct Header {
    start: String,
    end: String,
    closed_at: String,
    actor: String,
    inputs_sha256: String,
    currency: String,
    minor_units: u32,
    people_json: String,
}

impl Writer<'_> {
    /// Stores `report` as the closed, paid report of its period, with an
    /// audit entry. Judging the order of periods is the caller's job.
    ///
    /// # Errors
    /// SQLite failures (a period closed twice breaks the primary key).
    pub fn close_pay_period(
        &self,
        report: &CompReport,
        inputs_sha256: &str,
    ) -> Result<CloseStamp, StoreError> {
        super::bounds::dates("a pay period's day", [report.period.from, report.period.to])?;
        let sql = sql_err(self.path());
        let start = report.period.from.to_string();
        self.tx
            .execute(
                "INSERT INTO pay_periods (start, end, closed_at, actor, inputs_sha256, currency, \
                 minor_units, people_json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    start,
                    report.period.to.to_string(),
                    ts(self.now),
                    self.actor,
                    inputs_sha256,
                    report.currency,
                    report.minor_units,
                    to_json(&report.people)?
                ],
            )
            .map_err(&sql)?;
        let mut stmt = self
            .tx
            .prepare(
                "INSERT INTO pay_lines (period_start, line, adjusts_start, adjusts_end, \
                 employee_id, team, role, code, amount, line_json) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )
            .map_err(&sql)?;
        for (n, l) in report.lines.iter().enumerate() {
            stmt.execute(params![
                start,
                n,
                l.adjusts.map(|p| p.from.to_string()),
                l.adjusts.map(|p| p.to.to_string()),
                l.employee_id,
                l.team,
                l.role,
                l.code.as_str(),
                l.amount.to_string(),
                to_json(l)?
            ])
            .map_err(&sql)?;
        }
        let detail = serde_json::json!({
            "from": report.period.from, "to": report.period.to,
            "lines": report.lines.len(),
            "adjustments": report.lines.iter().filter(|l| l.is_adjustment()).count(),
            "total": report.total().to_string(), "currency": report.currency,
            "inputs_sha256": inputs_sha256,
        });
        self.audit(EVERY_TEAM, "comp-close", false, &detail)?;
        Ok(CloseStamp {
            closed_at: self.now,
            actor: self.actor.clone(),
            inputs_sha256: inputs_sha256.to_string(),
        })
    }
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v)
        .map_err(|e| StoreError::Invalid(format!("cannot serialise a pay report: {e}")))
}
