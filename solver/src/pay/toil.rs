//! The ledger of days off in lieu (docs/design.md §6), per person, on a date.
//!
//! - **Earned**: the `TOIL` days of closed periods (their own lines and
//!   their adjustments, which may be negative), available from the first day
//!   after the period. Open time earns nothing until its period closes.
//! - **Taken**: time off with `kind = "toil"`; each weekday of it that is not
//!   a holiday of the person's region takes one day (weekends and holidays
//!   are off anyway).
//! - **Expired**: with `[compensation.toil] expires_after_days = N`, days
//!   earned on day `d` and not taken by `d + N` expire that day. Days taken
//!   use the oldest days first.
//! - **Balance** = earned − taken − expired. Taking more than the balance is
//!   allowed: the balance goes negative, later earnings make it up, and the
//!   days are listed as overdrawn for a warning.
//!
//! Everything dated on or before the ledger's date counts.

use std::collections::{BTreeMap, VecDeque};

use chrono::{Duration, NaiveDate};
use rust_decimal::Decimal;
use serde::Serialize;

use super::periods::ClosedPeriod;
use super::PayCode;
use crate::model::time::{day_kind, DayKind};
use crate::model::{Person, PersonIdx, TimeOffKind, Workspace};

/// One person's days off in lieu on a date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ToilBalance {
    /// The person's id.
    pub employee_id: String,
    /// Display name.
    pub name: String,
    /// Days earned in closed periods, adjustments included.
    pub earned: Decimal,
    /// Days taken.
    pub taken: Decimal,
    /// Days that expired before they were taken.
    pub expired: Decimal,
    /// `earned − taken − expired`; negative when more was taken than earned.
    pub balance: Decimal,
    /// Days taken beyond the balance of the day.
    pub overdrawn: Vec<NaiveDate>,
}

/// The ledger on a date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ToilLedger {
    /// The date (everything on or before it counts).
    pub at: NaiveDate,
    /// Days expire this many days after they are earned, if set.
    pub expires_after_days: Option<u32>,
    /// One balance per person who earned or took days, in roster order.
    pub people: Vec<ToilBalance>,
}

/// What happens to a balance on a day, in the order it is applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Event {
    Earn(Decimal),
    Take,
}

/// The ledger of everyone (or one person) on `at`, from the closed periods
/// and the workspace's time off.
pub fn ledger(
    ws: &Workspace,
    closed: &[ClosedPeriod],
    at: NaiveDate,
    only: Option<PersonIdx>,
) -> ToilLedger {
    let expiry = ws
        .org
        .compensation
        .as_ref()
        .and_then(|c| c.toil_expires_after_days);
    let people = ws
        .people
        .iter()
        .enumerate()
        .filter(|(i, _)| only.is_none_or(|p| p.0 == *i))
        .filter_map(|(i, p)| {
            let events = events(ws, closed, PersonIdx(i), p, at);
            (!events.is_empty()).then(|| balance(p, &events, expiry, at))
        })
        .collect();
    ToilLedger {
        at,
        expires_after_days: expiry,
        people,
    }
}

/// The person's earnings and days taken up to `at`, in date order.
fn events(
    ws: &Workspace,
    closed: &[ClosedPeriod],
    idx: PersonIdx,
    person: &Person,
    at: NaiveDate,
) -> Vec<(NaiveDate, Event)> {
    let mut out = Vec::new();
    for c in closed.iter().filter(|c| c.period().to <= at) {
        let days: Decimal = c
            .report
            .lines
            .iter()
            .filter(|l| l.code == PayCode::Toil && l.employee_id == person.id)
            .map(|l| l.days)
            .sum();
        if !days.is_zero() {
            out.push((c.period().to, Event::Earn(days)));
        }
    }
    let holidays = ws.holidays(person.region.as_deref());
    for t in ws
        .time_off
        .iter()
        .filter(|t| t.person == idx && t.kind == TimeOffKind::Toil)
    {
        let mut day = t.start;
        while day <= t.end.min(at) {
            if day_kind(day, holidays) == DayKind::Weekday {
                out.push((day, Event::Take));
            }
            day += Duration::days(1);
        }
    }
    out.sort();
    out
}

/// Days earned and not yet taken, oldest first, with when they expire.
#[derive(Default)]
struct Lots {
    lots: VecDeque<(Option<NaiveDate>, Decimal)>,
    /// Days taken or removed beyond what there was.
    owed: Decimal,
    expired: Decimal,
}

impl Lots {
    fn expire(&mut self, day: NaiveDate) {
        while let Some((Some(until), days)) = self.lots.front() {
            if *until > day {
                break;
            }
            self.expired += *days;
            self.lots.pop_front();
        }
    }

    fn add(&mut self, days: Decimal, expires: Option<NaiveDate>) {
        let repaid = days.min(self.owed);
        self.owed -= repaid;
        if days > repaid {
            self.lots.push_back((expires, days - repaid));
        }
    }

    /// Removes `days` from the oldest lots; returns whether there were enough.
    fn remove(&mut self, mut days: Decimal) -> bool {
        while days > Decimal::ZERO {
            let Some(front) = self.lots.front_mut() else {
                self.owed += days;
                return false;
            };
            let used = front.1.min(days);
            front.1 -= used;
            days -= used;
            if front.1.is_zero() {
                self.lots.pop_front();
            }
        }
        true
    }

    fn balance(&self) -> Decimal {
        self.lots.iter().map(|(_, d)| *d).sum::<Decimal>() - self.owed
    }
}

fn balance(
    person: &Person,
    events: &[(NaiveDate, Event)],
    expiry: Option<u32>,
    at: NaiveDate,
) -> ToilBalance {
    let mut lots = Lots::default();
    let (mut earned, mut taken) = (Decimal::ZERO, Decimal::ZERO);
    let mut overdrawn = Vec::new();
    for (day, event) in events {
        lots.expire(*day);
        match event {
            Event::Earn(days) if days.is_sign_negative() => {
                lots.remove(-*days);
                earned += *days;
            }
            Event::Earn(days) => {
                let until = expiry.map(|n| *day + Duration::days(i64::from(n)));
                lots.add(*days, until);
                earned += *days;
            }
            Event::Take => {
                taken += Decimal::ONE;
                if !lots.remove(Decimal::ONE) {
                    overdrawn.push(*day);
                }
            }
        }
    }
    lots.expire(at);
    ToilBalance {
        employee_id: person.id.clone(),
        name: person.name.clone(),
        earned: earned.normalize(),
        taken: taken.normalize(),
        expired: lots.expired.normalize(),
        balance: lots.balance().normalize(),
        overdrawn,
    }
}

/// Days taken beyond the balance in `[from, to)`, per person id.
pub fn overdrawn_in(
    ledger: &ToilLedger,
    from: NaiveDate,
    to: NaiveDate,
) -> BTreeMap<String, Vec<NaiveDate>> {
    ledger
        .people
        .iter()
        .filter_map(|p| {
            let days: Vec<NaiveDate> = p
                .overdrawn
                .iter()
                .copied()
                .filter(|d| from <= *d && *d < to)
                .collect();
            (!days.is_empty()).then(|| (p.employee_id.clone(), days))
        })
        .collect()
}
