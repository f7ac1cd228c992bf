//! Offers: changes that wait for the consent of the person who would take a
//! shift (docs/design.md §5, trades).
//!
//! - A **cover request**: the asker holds a role over a span (a few hours or
//!   days) and asks to be covered, with nothing in return. Any eligible
//!   member of the team may accept.
//! - A **day trade**: the asker gives a span they hold to one named person
//!   and takes a span that person holds ("take my Saturday, I take your
//!   Tuesday"). Only that person may accept or decline.
//! - A **swap request**: the asker gives a whole week for any one of several
//!   weeks. Whoever holds a wanted week may accept it, and `swap match`
//!   grants cycles of requests whose every taker has asked for it.
//!
//! An offer becomes overrides only when it is accepted, judged on the
//! timeline as it is at that moment (both halves of a trade together). It
//! expires when its first span begins: a shift cannot be handed over after
//! it has started. Only the asker may cancel it.

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};

use crate::model::Workspace;
use crate::schedule::store::NewOverride;
use crate::schedule::timeline::{Segment, Timeline};

/// A span of time, `[start, end)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Span {
    /// Start.
    pub start: DateTime<Utc>,
    /// End, exclusive.
    pub end: DateTime<Utc>,
}

/// What an offer proposes.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Terms {
    /// Cover `role` over `span` for the asker; anyone eligible may accept.
    Cover {
        /// The role the asker holds over the span.
        role: String,
        /// The span.
        span: Span,
    },
    /// `with` takes what the asker holds over `give`; the asker takes what
    /// `with` holds over `take`.
    Trade {
        /// The person asked.
        with: String,
        /// The asker's span, given to `with`.
        give: Span,
        /// `with`'s span, taken by the asker.
        take: Span,
    },
    /// The asker gives the week `give` for any one of `want` (first days).
    Swap {
        /// The week given away.
        give: NaiveDate,
        /// The weeks the asker would take instead.
        want: Vec<NaiveDate>,
    },
}

impl Terms {
    /// The kind's name, as stored and shown: `cover`, `trade` or `swap`.
    pub fn kind(&self) -> &'static str {
        match self {
            Terms::Cover { .. } => "cover",
            Terms::Trade { .. } => "trade",
            Terms::Swap { .. } => "swap",
        }
    }
}

/// Where an offer stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Waiting for someone to accept.
    Open,
    /// Accepted and carried out.
    Accepted,
    /// Granted by `swap match`.
    Granted,
    /// Declined by the person asked.
    Declined,
    /// Withdrawn by the asker.
    Cancelled,
}

impl Status {
    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Accepted => "accepted",
            Status::Granted => "granted",
            Status::Declined => "declined",
            Status::Cancelled => "cancelled",
        }
    }

    /// From the stored text.
    pub fn parse(s: &str) -> Option<Status> {
        Some(match s {
            "open" => Status::Open,
            "accepted" => Status::Accepted,
            "granted" => Status::Granted,
            "declined" => Status::Declined,
            "cancelled" => Status::Cancelled,
            _ => return None,
        })
    }
}

/// A stored offer.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Offer {
    /// Id, shared by every kind of offer.
    pub id: i64,
    /// The team id.
    pub team: String,
    /// Who asks (the person giving a shift away).
    pub person: String,
    /// What is proposed.
    pub terms: Terms,
    /// Whether the asker made it themselves (a manager's `--force` records
    /// one on their behalf, which also counts).
    pub consented: bool,
    /// Where it stands.
    pub status: Status,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// Who decided it (accepted, declined, cancelled), and when.
    pub decided: Option<(String, DateTime<Utc>)>,
}

impl Offer {
    /// When it expires: when its first span begins (for a swap request, the
    /// given week's first handoff, which the caller computes as `give_start`).
    pub fn expires(&self, give_start: impl Fn(NaiveDate) -> DateTime<Utc>) -> DateTime<Utc> {
        match &self.terms {
            Terms::Cover { span, .. } => span.start,
            Terms::Trade { give, take, .. } => give.start.min(take.start),
            Terms::Swap { give, .. } => give_start(*give),
        }
    }
}

/// The expiry of `offer` in `ws`, or `None` when its team is gone.
pub fn expiry(ws: &Workspace, offer: &Offer) -> Option<DateTime<Utc>> {
    let t = ws.team(ws.team_by_id(&offer.team)?);
    Some(offer.expires(|week| {
        crate::model::time::resolve_local(t.timezone, week.and_time(t.handoff.time))
    }))
}

/// Why an offer cannot be made, accepted, declined or cancelled, beyond
/// the rules of [`crate::schedule::changes::Refusal`].
#[derive(Clone, Debug, PartialEq)]
pub enum OfferProblem {
    /// No offer has that id.
    NoSuchOffer {
        /// The id given.
        id: i64,
    },
    /// The offer is no longer open.
    NotOpen {
        /// Its id.
        id: i64,
        /// What became of it.
        status: Status,
        /// Who decided it.
        by: Option<String>,
    },
    /// Its span has begun.
    Expired {
        /// Its id.
        id: i64,
        /// When it expired.
        at: DateTime<Utc>,
    },
    /// The span has already begun, so it cannot be offered.
    Begun {
        /// The span's start.
        start: DateTime<Utc>,
    },
    /// Only another person may do this.
    NotYours {
        /// Its id.
        id: i64,
        /// What was tried: `accept`, `decline`, `cancel`.
        action: &'static str,
        /// Who may.
        who: String,
    },
    /// The asker cannot take their own offer.
    OwnOffer {
        /// Its id.
        id: i64,
    },
    /// A trade with oneself.
    WithSelf,
    /// The asker holds several roles over the span; `--role` must choose.
    WhichRole {
        /// The roles held.
        roles: Vec<String>,
    },
    /// The accepter holds several wanted weeks; `--week` must choose.
    WhichWeek {
        /// The weeks held.
        weeks: Vec<NaiveDate>,
    },
    /// The person does not hold the shift over the whole span (any more:
    /// the schedule may have changed since the offer was made).
    NotHeld {
        /// Who.
        person: String,
        /// The role, when one is named.
        role: Option<String>,
        /// The span.
        span: Span,
    },
    /// Everyone may take it; declining means leaving it.
    OpenToAll {
        /// Its id.
        id: i64,
    },
}

impl fmt::Display for OfferProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = |x: &DateTime<Utc>| x.format("%Y-%m-%d %H:%M UTC").to_string();
        match self {
            OfferProblem::NoSuchOffer { id } => {
                write!(
                    f,
                    "there is no offer #{id}; `oncall offers` lists the open ones"
                )
            }
            OfferProblem::NotOpen { id, status, by } => {
                write!(f, "offer #{id} is already {}", status.as_str())?;
                match by {
                    Some(b) => write!(f, " (by {b})"),
                    None => Ok(()),
                }
            }
            OfferProblem::Expired { id, at } => {
                write!(f, "offer #{id} expired at {}, when its span began", t(at))
            }
            OfferProblem::Begun { start } => write!(
                f,
                "the span began at {}; only shifts that have not started can be offered",
                t(start)
            ),
            OfferProblem::NotYours { id, action, who } => {
                write!(f, "only {who} may {action} offer #{id}")
            }
            OfferProblem::OwnOffer { id } => write!(f, "offer #{id} is your own"),
            OfferProblem::WithSelf => write!(f, "a trade needs another person"),
            OfferProblem::WhichRole { roles } => write!(
                f,
                "you hold {} over that span; choose one with --role",
                roles.join(" and ")
            ),
            OfferProblem::WhichWeek { weeks } => {
                let w: Vec<String> = weeks.iter().map(ToString::to_string).collect();
                write!(
                    f,
                    "you hold several of the weeks wanted ({}); choose one with --week",
                    w.join(", ")
                )
            }
            OfferProblem::NotHeld { person, role, span } => write!(
                f,
                "{person} does not hold {} over the whole span {} to {}",
                role.as_deref().unwrap_or("a role"),
                t(&span.start),
                t(&span.end)
            ),
            OfferProblem::OpenToAll { id } => write!(
                f,
                "offer #{id} is open to everyone on the team; there is nothing to decline"
            ),
        }
    }
}

/// The roles `person` holds over the whole of `span`.
pub fn roles_held_throughout(timeline: &Timeline, person: &str, span: Span) -> Vec<String> {
    let mut roles: Vec<String> = timeline
        .segments
        .iter()
        .filter(|s| s.person == person && s.start < span.end && s.end > span.start)
        .map(|s| s.role.clone())
        .collect();
    roles.sort();
    roles.dedup();
    roles.retain(|r| covers(timeline, person, r, span));
    roles
}

/// Whether `person` holds `role` at every instant of `span`.
pub fn covers(timeline: &Timeline, person: &str, role: &str, span: Span) -> bool {
    let mut segs: Vec<&Segment> = timeline
        .segments
        .iter()
        .filter(|s| s.role == role && s.person == person)
        .filter(|s| s.start < span.end && s.end > span.start)
        .collect();
    segs.sort_by_key(|s| s.start);
    let mut cursor = span.start;
    for s in segs {
        if s.start > cursor {
            return false;
        }
        cursor = cursor.max(s.end);
    }
    cursor >= span.end
}

/// Overrides that hand whatever `from` holds within `span` to `to`, cut to
/// the span.
pub fn hand_over(
    timeline: &Timeline,
    from: &str,
    to: &str,
    span: Span,
    reason: &str,
) -> Vec<NewOverride> {
    timeline
        .segments
        .iter()
        .filter(|s| s.person == from && s.start < span.end && s.end > span.start)
        .map(|s| NewOverride {
            role: s.role.clone(),
            person: to.to_string(),
            start: s.start.max(span.start),
            end: s.end.min(span.end),
            reason: reason.to_string(),
        })
        .collect()
}

/// Overrides that hand `role`, held by `from` within `span`, to `to`.
pub fn hand_over_role(
    timeline: &Timeline,
    from: &str,
    role: &str,
    to: &str,
    span: Span,
    reason: &str,
) -> Vec<NewOverride> {
    let mut out = hand_over(timeline, from, to, span, reason);
    out.retain(|o| o.role == role);
    out
}

/// The weeks of `want` in which `person` holds something.
pub fn wanted_weeks_held(timeline: &Timeline, person: &str, want: &[NaiveDate]) -> Vec<NaiveDate> {
    want.iter()
        .copied()
        .filter(|w| {
            timeline
                .segments
                .iter()
                .any(|s| s.person == person && s.week == *w)
        })
        .collect()
}

/// Overrides that carry out swap request `give` ↔ `taken` between `asker`
/// and `accepter`: each takes whatever the other holds in that week.
pub fn swap_weeks(
    timeline: &Timeline,
    asker: &str,
    give: NaiveDate,
    accepter: &str,
    taken: NaiveDate,
    reason: &str,
) -> Vec<NewOverride> {
    let week = |who: &str, week: NaiveDate, to: &str| -> Vec<NewOverride> {
        timeline
            .segments
            .iter()
            .filter(|s| s.person == who && s.week == week)
            .map(|s| NewOverride {
                role: s.role.clone(),
                person: to.to_string(),
                start: s.start,
                end: s.end,
                reason: reason.to_string(),
            })
            .collect()
    };
    let mut out = week(asker, give, accepter);
    out.extend(week(accepter, taken, asker));
    out
}
