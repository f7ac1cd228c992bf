//! Offers in the store: cover requests, day trades and swap requests, one
//! table and one id space. Deciding an offer is a conditional update of an
//! open row, so of two writers only the first can decide it.

use chrono::NaiveDate;
use rusqlite::{params, Row};

use super::read::{instant, sql_err, StoreRead};
use super::{ts, write_err, StoreError, SwapRequest, Writer};
use crate::schedule::offers::{Offer, Span, Status, Terms};

/// An offer to record.
#[derive(Clone, Debug, PartialEq)]
pub struct NewOffer {
    /// The team id.
    pub team: String,
    /// Who asks.
    pub person: String,
    /// What is proposed.
    pub terms: Terms,
    /// Whether the asker made it (or a manager forced it).
    pub consented: bool,
}

/// The columns of a row, before they are checked.
struct RawOffer {
    id: i64,
    team: String,
    kind: String,
    person: String,
    role: Option<String>,
    counterpart: Option<String>,
    spans: [Option<String>; 4],
    give_week: Option<String>,
    want_weeks: Option<String>,
    consented: bool,
    status: String,
    created_at: String,
    decided_at: Option<String>,
    decided_by: Option<String>,
}

impl RawOffer {
    fn from_row(r: &Row<'_>) -> rusqlite::Result<RawOffer> {
        Ok(RawOffer {
            id: r.get("id")?,
            team: r.get("team")?,
            kind: r.get("kind")?,
            person: r.get("person")?,
            role: r.get("role")?,
            counterpart: r.get("counterpart")?,
            spans: [
                r.get("give_start")?,
                r.get("give_end")?,
                r.get("take_start")?,
                r.get("take_end")?,
            ],
            give_week: r.get("give_week")?,
            want_weeks: r.get("want_weeks")?,
            consented: r.get("consented")?,
            status: r.get("status")?,
            created_at: r.get("created_at")?,
            decided_at: r.get("decided_at")?,
            decided_by: r.get("decided_by")?,
        })
    }
}

fn corrupt(path: &std::path::Path, what: &'static str, value: &str) -> StoreError {
    StoreError::Corrupt {
        path: path.to_path_buf(),
        what,
        value: value.to_string(),
        row: None,
    }
}

/// Reads a row into an [`Offer`], refusing anything malformed.
fn offer(path: &std::path::Path, raw: RawOffer) -> Result<Offer, StoreError> {
    let at = |s: &Option<String>, what| match s {
        Some(s) => instant(path, s, what),
        None => Err(corrupt(path, what, "NULL")),
    };
    let span = |a: usize, b: usize| -> Result<Span, StoreError> {
        Ok(Span {
            start: at(&raw.spans[a], "offers.span")?,
            end: at(&raw.spans[b], "offers.span")?,
        })
    };
    let text = |s: &Option<String>, what| s.clone().ok_or_else(|| corrupt(path, what, "NULL"));
    let terms = match raw.kind.as_str() {
        "cover" => Terms::Cover {
            role: text(&raw.role, "offers.role")?,
            span: span(0, 1)?,
        },
        "trade" => Terms::Trade {
            with: text(&raw.counterpart, "offers.counterpart")?,
            give: span(0, 1)?,
            take: span(2, 3)?,
        },
        "swap" => Terms::Swap {
            give: week(path, &text(&raw.give_week, "offers.give_week")?)?,
            want: weeks(path, &text(&raw.want_weeks, "offers.want_weeks")?)?,
        },
        other => return Err(corrupt(path, "offers.kind", other)),
    };
    let status =
        Status::parse(&raw.status).ok_or_else(|| corrupt(path, "offers.status", &raw.status))?;
    let decided = match (raw.decided_by, &raw.decided_at) {
        (Some(by), Some(when)) => Some((by, instant(path, when, "offers.decided_at")?)),
        _ => None,
    };
    Ok(Offer {
        id: raw.id,
        team: raw.team,
        person: raw.person,
        terms,
        consented: raw.consented,
        status,
        created_at: instant(path, &raw.created_at, "offers.created_at")?,
        decided,
    })
}

fn week(path: &std::path::Path, s: &str) -> Result<NaiveDate, StoreError> {
    s.parse().map_err(|_| corrupt(path, "offers.week", s))
}

fn weeks(path: &std::path::Path, json: &str) -> Result<Vec<NaiveDate>, StoreError> {
    let list: Vec<String> =
        serde_json::from_str(json).map_err(|_| corrupt(path, "offers.want_weeks", json))?;
    list.iter().map(|w| week(path, w)).collect()
}

/// Reading offers; every reader of the store has it.
pub trait OfferRead: StoreRead {
    /// The offers of `team` (every team when `None`) in `status` (any when
    /// `None`), oldest first. A store from before offers existed has none.
    ///
    /// # Errors
    /// SQLite failures or unreadable rows.
    fn offers(&self, team: Option<&str>, status: Option<Status>) -> Result<Vec<Offer>, StoreError> {
        if !self.has_table("offers")? {
            return Ok(Vec::new());
        }
        let status = status.map(Status::as_str);
        self.query_offers(
            "SELECT * FROM offers WHERE (?1 IS NULL OR team = ?1) \
             AND (?2 IS NULL OR status = ?2) ORDER BY id",
            params![team, status],
        )
    }

    /// The offer with `id`, if any.
    ///
    /// # Errors
    /// SQLite failures or an unreadable row.
    fn offer(&self, id: i64) -> Result<Option<Offer>, StoreError> {
        if !self.has_table("offers")? {
            return Ok(None);
        }
        let mut found = self.query_offers("SELECT * FROM offers WHERE id = ?1", params![id])?;
        Ok(found.pop())
    }

    /// Swap requests of `team` that are still open, oldest first.
    ///
    /// # Errors
    /// SQLite failures or unreadable rows.
    fn open_swap_requests(&self, team: &str) -> Result<Vec<SwapRequest>, StoreError> {
        let open = self.offers(Some(team), Some(Status::Open))?;
        Ok(open.into_iter().filter_map(swap_request).collect())
    }

    #[doc(hidden)]
    fn query_offers(
        &self,
        sql: &str,
        args: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<Offer>, StoreError> {
        let path = self.path();
        let mut stmt = self.conn().prepare(sql).map_err(sql_err(path))?;
        let rows = stmt
            .query_map(args, RawOffer::from_row)
            .map_err(sql_err(path))?;
        let mut out = Vec::new();
        for row in rows {
            out.push(offer(path, row.map_err(sql_err(path))?)?);
        }
        Ok(out)
    }
}

impl<T: StoreRead + ?Sized> OfferRead for T {}

/// A swap request as `swap match` sees it.
fn swap_request(o: Offer) -> Option<SwapRequest> {
    let Terms::Swap { give, want } = o.terms else {
        return None;
    };
    Some(SwapRequest {
        id: o.id,
        team: o.team,
        person: o.person,
        give,
        want,
        status: o.status.as_str().to_string(),
        consented: o.consented,
        created_at: o.created_at,
    })
}

fn span_texts(s: Option<&Span>) -> (Option<String>, Option<String>) {
    (s.map(|s| ts(s.start)), s.map(|s| ts(s.end)))
}

impl Writer<'_> {
    /// Records an offer and its audit entry. Returns its id.
    ///
    /// # Errors
    /// SQLite failures.
    pub fn add_offer(&self, o: &NewOffer, forced: bool) -> Result<i64, StoreError> {
        let (role, with, give, take, week, want) = match &o.terms {
            Terms::Cover { role, span } => (Some(role), None, Some(span), None, None, None),
            Terms::Trade { with, give, take } => {
                (None, Some(with), Some(give), Some(take), None, None)
            }
            Terms::Swap { give, want } => {
                let want: Vec<String> = want.iter().map(ToString::to_string).collect();
                let json =
                    serde_json::to_string(&want).map_err(|e| StoreError::Invalid(e.to_string()))?;
                (None, None, None, None, Some(give.to_string()), Some(json))
            }
        };
        let span_pairs = [give, take].into_iter().flatten().map(|s| (s.start, s.end));
        super::bounds::spans("an offer", span_pairs)?;
        if let Terms::Swap { give, want } = &o.terms {
            super::bounds::dates("a swap request's week", want.iter().copied().chain([*give]))?;
        }
        let (gs, ge) = span_texts(give);
        let (tks, tke) = span_texts(take);
        self.tx
            .execute(
                "INSERT INTO offers (team, kind, person, role, counterpart, give_start, give_end, \
                 take_start, take_end, give_week, want_weeks, consented, status, created_at, \
                 created_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 'open', \
                 ?13, ?14)",
                params![
                    o.team,
                    o.terms.kind(),
                    o.person,
                    role,
                    with,
                    gs,
                    ge,
                    tks,
                    tke,
                    week,
                    want,
                    o.consented,
                    ts(self.now),
                    self.actor
                ],
            )
            .map_err(write_err(self.path()))?;
        let id = self.tx.last_insert_rowid();
        let (action, key) = match o.terms {
            Terms::Swap { .. } => ("swap-request", "request"),
            _ => ("offer", "offer"),
        };
        let mut detail = serde_json::json!({ "kind": o.terms.kind(), "person": o.person });
        if let Some(obj) = detail.as_object_mut() {
            obj.insert(key.into(), id.into());
            if let Terms::Swap { give, want } = &o.terms {
                obj.insert("give".into(), give.to_string().into());
                let want: Vec<String> = want.iter().map(ToString::to_string).collect();
                obj.insert("want".into(), want.into());
            }
        }
        self.audit(&o.team, action, forced, &detail)?;
        Ok(id)
    }

    /// Marks open offer `id` as `status`, decided by `by` now. Returns
    /// whether it was still open (only then is it changed). The caller
    /// writes the audit entry.
    ///
    /// # Errors
    /// SQLite failures.
    pub fn decide_offer(&self, id: i64, status: Status, by: &str) -> Result<bool, StoreError> {
        let changed = self
            .tx
            .execute(
                "UPDATE offers SET status = ?2, decided_at = ?3, decided_by = ?4 \
                 WHERE id = ?1 AND status = 'open'",
                params![id, status.as_str(), ts(self.now), by],
            )
            .map_err(write_err(self.path()))?;
        Ok(changed == 1)
    }
}
