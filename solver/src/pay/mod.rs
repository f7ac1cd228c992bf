//! Compensation for a pay period (docs/design.md §6), computed from resolved
//! timelines, so overrides and swaps pay whoever was actually on call.
//!
//! Each engineer is paid in their own time zone and by their own holiday
//! region:
//!
//! - the period `[from, to)` runs from midnight of `from` to midnight of `to`
//!   in the engineer's zone, so a shift that a period boundary cuts pays each
//!   side only its own hours;
//! - every local day is classed as a weekday, weekend or holiday (a holiday
//!   outranks a weekend) and pays `hours on call that day / the day's real
//!   length (23, 24 or 25 h) × the day's rate × the role's multiplier`;
//! - days off in lieu are `Σ day fraction × time_off[kind]`, whatever the role;
//! - an hour is paid once: where one person holds two roles (or two teams) at
//!   the same instant, only the one with the highest multiplier pays (ties go
//!   to the first team, then the team's first role);
//! - money is decimal and rounded to the currency's minor unit once per line.
//!
//! Pages (`--incidents`) pay a fixed amount each, in cash whatever the mode:
//! `sleeping` inside sleeping hours, otherwise `out_of_hours` outside business
//! hours (weekends and holidays are outside business hours all day).
//!
//! The result is a [`CompReport`]: data only. The command line renders it as
//! CSV, JSON or tables.

pub mod fairness;
mod incidents;
pub mod periods;
mod report;
pub mod statement;
pub mod toil;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::model::time::{start_of_day, DayKind};
use crate::model::{PersonIdx, TeamIdx};

pub use incidents::read_incidents;
pub use report::{
    paid_rates, paid_spans, report, report_at, round_money, seconds_by_local_day, PaidRates,
};

/// A pay period: the local days `from` up to, not including, `to`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct PayPeriod {
    /// First day paid.
    pub from: NaiveDate,
    /// First day not paid.
    pub to: NaiveDate,
}

impl PayPeriod {
    /// The period's bounds as instants in `tz`: midnight of `from` and of `to`.
    pub fn bounds(&self, tz: Tz) -> (DateTime<Utc>, DateTime<Utc>) {
        (start_of_day(tz, self.from), start_of_day(tz, self.to))
    }
}

/// One page of an engineer (a row of the incidents CSV).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Incident {
    /// When the page went out.
    pub time: DateTime<Utc>,
    /// Who was paged.
    pub person: PersonIdx,
    /// For which team.
    pub team: TeamIdx,
}

/// A pay code of the HR report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PayCode {
    /// On-call hours on weekdays.
    Weekday,
    /// On-call hours on weekends.
    Weekend,
    /// On-call hours on holidays of the engineer's region.
    Holiday,
    /// Days off in lieu.
    Toil,
    /// Pages outside business hours.
    Incident,
}

impl PayCode {
    /// The code as written in the report, e.g. `WEEKEND`.
    pub fn as_str(self) -> &'static str {
        match self {
            PayCode::Weekday => "WEEKDAY",
            PayCode::Weekend => "WEEKEND",
            PayCode::Holiday => "HOLIDAY",
            PayCode::Toil => "TOIL",
            PayCode::Incident => "INCIDENT",
        }
    }

    pub(crate) fn of(kind: DayKind) -> PayCode {
        match kind {
            DayKind::Weekday => PayCode::Weekday,
            DayKind::Weekend => PayCode::Weekend,
            DayKind::Holiday => PayCode::Holiday,
        }
    }
}

/// One line of the report: one person × team × role × pay code, or the
/// correction of such a line in an earlier, closed period.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PayLine {
    /// The person's id.
    pub employee_id: String,
    /// Display name.
    pub name: String,
    /// E-mail address.
    pub email: String,
    /// The team id.
    pub team: String,
    /// The role name; empty for a page while the person held no role.
    pub role: String,
    /// The pay code.
    pub code: PayCode,
    /// Exact on-call seconds (for `TOIL`, on the days that earn time off;
    /// 0 for `INCIDENT`).
    pub seconds: i64,
    /// On-call hours, `seconds / 3600` to 4 decimals.
    pub hours: Decimal,
    /// Days: on-call days (each day's hours over its real length) for the
    /// day codes, days off in lieu for `TOIL`; 6 decimals.
    pub days: Decimal,
    /// Pay per day, role multiplier included (per page for `INCIDENT` when all
    /// pages paid alike); `None` when the line pays no money at a single rate.
    pub rate: Option<Decimal>,
    /// Money, rounded once to the currency's minor unit.
    pub amount: Decimal,
    /// Pages paid (`INCIDENT` only).
    pub pages: u32,
    /// The currency code.
    pub currency: String,
    /// For an `ADJUSTMENT` line, the closed period it corrects: the
    /// difference between what that period paid and what the timeline now
    /// says. `None` for the period's own lines.
    #[serde(default)]
    pub adjusts: Option<PayPeriod>,
}

impl PayLine {
    /// Whether this line corrects an earlier, closed period.
    pub fn is_adjustment(&self) -> bool {
        self.adjusts.is_some()
    }
}

/// Per-person totals, including the fairness view of who carries the
/// weekends, holidays and nights.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PersonSummary {
    /// The person's id.
    pub employee_id: String,
    /// Display name.
    pub name: String,
    /// Exact on-call seconds in the period, every team and role.
    pub seconds: i64,
    /// On-call hours, 4 decimals.
    pub hours: Decimal,
    /// Money, the sum of the person's lines.
    pub amount: Decimal,
    /// Days off in lieu earned.
    pub time_off_days: Decimal,
    /// Weekend days carried (day fractions, 6 decimals).
    pub weekend_days: Decimal,
    /// Holiday days carried (day fractions, 6 decimals).
    pub holiday_days: Decimal,
    /// Hours on call inside sleeping hours (22:00-07:00 unless
    /// `[compensation.incidents]` says otherwise), 4 decimals.
    pub night_hours: Decimal,
    /// Pages received.
    pub pages: u32,
}

/// The compensation report of one pay period.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CompReport {
    /// The period.
    pub period: PayPeriod,
    /// The currency code.
    pub currency: String,
    /// Its decimals (2 for USD, 0 for JPY).
    pub minor_units: u32,
    /// One line per person × team × role × code, in roster, team, role and
    /// code order; then the `ADJUSTMENT` lines of earlier closed periods.
    pub lines: Vec<PayLine>,
    /// One summary per person with time on call or pages, in roster order.
    pub people: Vec<PersonSummary>,
    /// Pages to people who held no role of the paging team at that instant,
    /// in time order: listed apart, and paid only when the policy says so.
    /// A stored (closed) report keeps only its lines.
    #[serde(default)]
    pub off_call_pages: Vec<OffCallPage>,
}

/// A page to someone who was not on call for the team at the time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OffCallPage {
    /// The person's id.
    pub employee_id: String,
    /// Display name.
    pub name: String,
    /// The team that paged.
    pub team: String,
    /// When.
    pub time: DateTime<Utc>,
    /// Why it is listed apart.
    pub reason: String,
    /// Whether it was paid anyway (`pay_when_not_on_call`).
    pub paid: bool,
}

impl CompReport {
    /// The total money of the report.
    pub fn total(&self) -> Decimal {
        let sum: Decimal = self.lines.iter().map(|l| l.amount).sum();
        round_money(sum, self.minor_units)
    }
}

/// Why a report cannot be made.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CompError {
    /// There is no `[compensation]` section.
    #[error("oncall.toml has no [compensation] section; add one with `currency`, `mode` and `[compensation.rates]` (see the README)")]
    NoPolicy,
    /// Pages were given but incident pay is not configured.
    #[error("pages were given but oncall.toml has no [compensation.incidents]; add `out_of_hours` and `sleeping` amounts there")]
    NoIncidentPay,
    /// The period is empty or backwards.
    #[error("the pay period {from}..{to} is empty; --to is the first day not paid and must come after --from")]
    EmptyPeriod {
        /// First day.
        from: NaiveDate,
        /// First day after.
        to: NaiveDate,
    },
    /// A timeline names someone who is not in `people.csv`.
    #[error("team `{team}` has `{person}` on call, who is not in people.csv; keep leavers in people.csv with a `left` date so their shifts can be paid")]
    UnknownPerson {
        /// The team id.
        team: String,
        /// The person id.
        person: String,
    },
    /// An amount is too large for exact decimal arithmetic.
    #[error("the pay amounts are too large to add up exactly; check the rates and multipliers in oncall.toml")]
    Overflow,
}

/// A stretch of time paid to one person for one team and role.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaidSpan {
    /// The team.
    pub team: TeamIdx,
    /// The role name.
    pub role: String,
    /// Start.
    pub start: DateTime<Utc>,
    /// End (exclusive).
    pub end: DateTime<Utc>,
}
