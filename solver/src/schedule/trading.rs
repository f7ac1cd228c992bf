//! Offers as schedule use cases: make a cover request or a day trade, list
//! open offers, and accept, decline or cancel one. Each change reads, judges
//! and writes in one `IMMEDIATE` transaction, so of two people accepting the
//! same offer at once, the second finds it taken.

use chrono::{DateTime, NaiveDate, Utc};

use super::service::{judge_new, Outcome, Schedule, ScheduleError};
use crate::model::{TeamIdx, Workspace};
use crate::schedule::changes::{person_or_refusal, role_or_refusal, span_refusals, Refusal};
use crate::schedule::notify::{announce_offer, EventKind};
use crate::schedule::offers::{self, Offer, OfferProblem, Span, Status, Terms};
use crate::schedule::store::{ChangeKind, NewOffer, NewOverride, OfferRead, StoreError, StoreRead};
use crate::schedule::timeline::Timeline;

fn problem(p: OfferProblem) -> Refusal {
    Refusal::Offer(p)
}

/// What is wrong with `span` as the span of a new offer made at `now`.
fn span_problems(span: Span, now: DateTime<Utc>) -> Vec<Refusal> {
    let mut out = span_refusals(span.start, span.end);
    if out.is_empty() && span.start <= now {
        out.push(problem(OfferProblem::Begun { start: span.start }));
    }
    out
}

/// The role `asker` asks to be covered in: `role` when given, else the one
/// role they hold over the whole span.
fn covered_role(
    ws: &Workspace,
    team: TeamIdx,
    tl: &Timeline,
    asker: &str,
    role: Option<&str>,
    span: Span,
) -> Result<String, Refusal> {
    if let Some(r) = role {
        role_or_refusal(ws, team, r)?;
    }
    let held = offers::roles_held_throughout(tl, asker, span);
    let not_held = || {
        problem(OfferProblem::NotHeld {
            person: asker.to_string(),
            role: role.map(str::to_string),
            span,
        })
    };
    match (role, held.as_slice()) {
        (Some(r), _) if held.iter().any(|h| h == r) => Ok(r.to_string()),
        (None, [one]) => Ok(one.clone()),
        (None, [_, _, ..]) => Err(problem(OfferProblem::WhichRole { roles: held })),
        _ => Err(not_held()),
    }
}

/// The overrides that carry out `offer` when `accepter` accepts it at
/// `now` (with `week` choosing among the weeks a swap request wants).
///
/// # Errors
/// Why `accepter` cannot accept it, before any rule is judged.
fn acceptance(
    ws: &Workspace,
    offer: &Offer,
    tl: &Timeline,
    accepter: &str,
    week: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> Result<Vec<NewOverride>, Vec<Refusal>> {
    let id = offer.id;
    if offer.status != Status::Open {
        let by = offer.decided.as_ref().map(|(b, _)| b.clone());
        let status = offer.status;
        return Err(vec![problem(OfferProblem::NotOpen { id, status, by })]);
    }
    if let Some(at) = offers::expiry(ws, offer).filter(|at| *at <= now) {
        return Err(vec![problem(OfferProblem::Expired { id, at })]);
    }
    if accepter == offer.person {
        return Err(vec![problem(OfferProblem::OwnOffer { id })]);
    }
    person_or_refusal(ws, accepter).map_err(|r| vec![r])?;
    let asker = offer.person.as_str();
    let reason = format!("offer #{id} from {asker}, accepted by {accepter}");
    let not_held = |person: &str, role: Option<&String>, span: Span| {
        let (person, role) = (person.to_string(), role.cloned());
        vec![problem(OfferProblem::NotHeld { person, role, span })]
    };
    match &offer.terms {
        Terms::Cover { role, span } => {
            if !offers::covers(tl, asker, role, *span) {
                return Err(not_held(asker, Some(role), *span));
            }
            Ok(offers::hand_over_role(
                tl, asker, role, accepter, *span, &reason,
            ))
        }
        Terms::Trade { with, give, take } => {
            if accepter != with {
                let who = with.clone();
                return Err(vec![problem(OfferProblem::NotYours {
                    id,
                    action: "accept",
                    who,
                })]);
            }
            if offers::roles_held_throughout(tl, asker, *give).is_empty() {
                return Err(not_held(asker, None, *give));
            }
            if offers::roles_held_throughout(tl, with, *take).is_empty() {
                return Err(not_held(with, None, *take));
            }
            let mut out = offers::hand_over(tl, asker, with, *give, &reason);
            out.extend(offers::hand_over(tl, with, asker, *take, &reason));
            Ok(out)
        }
        Terms::Swap { give, want } => {
            swap_acceptance(tl, offer, (*give, want), accepter, week, &reason)
        }
    }
}

/// [`acceptance`] of a swap request: the accepter holds one of the weeks
/// wanted and takes the week given.
fn swap_acceptance(
    tl: &Timeline,
    offer: &Offer,
    (give, want): (NaiveDate, &[NaiveDate]),
    accepter: &str,
    week: Option<NaiveDate>,
    reason: &str,
) -> Result<Vec<NewOverride>, Vec<Refusal>> {
    let asker = offer.person.as_str();
    let held = offers::wanted_weeks_held(tl, accepter, want);
    let taken = match (week, held.as_slice()) {
        (Some(w), _) if held.contains(&w) => w,
        (None, [one]) => *one,
        (None, [_, _, ..]) => {
            return Err(vec![problem(OfferProblem::WhichWeek { weeks: held })]);
        }
        (w, _) => {
            let week = w.or_else(|| want.first().copied()).unwrap_or(give);
            let person = accepter.to_string();
            return Err(vec![Refusal::NotHolding {
                person,
                week,
                role: None,
            }]);
        }
    };
    if !tl
        .segments
        .iter()
        .any(|s| s.person == asker && s.week == give)
    {
        let person = asker.to_string();
        return Err(vec![Refusal::NotHolding {
            person,
            week: give,
            role: None,
        }]);
    }
    Ok(offers::swap_weeks(tl, asker, give, accepter, taken, reason))
}

/// Who may accept `offer`, and how it would be carried out by `person`,
/// judged on the timeline `r` reads: empty when `person` could take it.
fn judge_acceptance<R: StoreRead + ?Sized>(
    ws: &Workspace,
    r: &R,
    offer: &Offer,
    person: &str,
    week: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> Result<Result<Vec<NewOverride>, Vec<Refusal>>, StoreError> {
    let Some(team) = ws.team_by_id(&offer.team) else {
        let id = offer.id;
        return Ok(Err(vec![problem(OfferProblem::NoSuchOffer { id })]));
    };
    let tl = r.timeline(ws, team)?;
    let new = match acceptance(ws, offer, &tl, person, week, now) {
        Ok(n) => n,
        Err(rs) => return Ok(Err(rs)),
    };
    let refusals = judge_new(ws, r, team, &new)?;
    Ok(if refusals.is_empty() {
        Ok(new)
    } else {
        Err(refusals)
    })
}

impl Schedule<'_> {
    /// Records that `asker` asks to be covered in `role` (the one they hold,
    /// when `None`) over `span`, which has not begun and which they hold
    /// throughout. Anyone eligible may accept it.
    ///
    /// # Errors
    /// The store fails.
    pub fn cover_request(
        &mut self,
        team: TeamIdx,
        asker: &str,
        role: Option<&str>,
        span: Span,
    ) -> Result<Outcome<i64, Refusal>, ScheduleError> {
        let ws = self.workspace();
        self.store_mut()?.write(|w| {
            let bad = span_problems(span, w.now());
            if !bad.is_empty() {
                return Ok(Outcome::Malformed(bad));
            }
            let tl = w.timeline(ws, team)?;
            let role = match covered_role(ws, team, &tl, asker, role, span) {
                Ok(r) => r,
                Err(r) => return Ok(Outcome::Malformed(vec![r])),
            };
            let terms = Terms::Cover { role, span };
            let id = w.add_offer(&new_offer(ws, team, asker, terms), false)?;
            let event = (ws.team(team).id.as_str(), EventKind::OfferCreated);
            announce_offer(ws, w, event, id, &[asker])?;
            Ok(recorded(id))
        })
    }

    /// Records that `asker` offers `with` a two-way trade: `with` takes what
    /// `asker` holds over `give`, and `asker` what `with` holds over `take`.
    /// Both halves are judged together now, and again when `with` accepts.
    ///
    /// # Errors
    /// The store fails.
    pub fn trade_offer(
        &mut self,
        team: TeamIdx,
        asker: &str,
        with: &str,
        give: Span,
        take: Span,
    ) -> Result<Outcome<i64, Refusal>, ScheduleError> {
        let ws = self.workspace();
        self.store_mut()?.write(|w| {
            let tl = w.timeline(ws, team)?;
            let bad = trade_problems(ws, &tl, (asker, with), (give, take), w.now());
            if !bad.is_empty() {
                return Ok(Outcome::Malformed(bad));
            }
            let mut new = offers::hand_over(&tl, asker, with, give, "");
            new.extend(offers::hand_over(&tl, with, asker, take, ""));
            let refusals = judge_new(ws, w, team, &new)?;
            if !refusals.is_empty() {
                return Ok(Outcome::Refused(refusals));
            }
            let terms = Terms::Trade {
                with: with.to_string(),
                give,
                take,
            };
            let id = w.add_offer(&new_offer(ws, team, asker, terms), false)?;
            let event = (ws.team(team).id.as_str(), EventKind::OfferCreated);
            announce_offer(ws, w, event, id, &[asker, with])?;
            Ok(recorded(id))
        })
    }

    /// Open offers that have not expired, of `team` or of every team,
    /// oldest first.
    ///
    /// # Errors
    /// The store cannot be read.
    pub fn open_offers(&self, team: Option<TeamIdx>) -> Result<Vec<Offer>, ScheduleError> {
        let ws = self.workspace();
        let Some(store) = self.store() else {
            return Ok(Vec::new());
        };
        let id = team.map(|t| ws.team(t).id.as_str());
        let open = store.read(|r| r.offers(id, Some(Status::Open)))?;
        let now = crate::clock::now();
        let live = |o: &Offer| offers::expiry(ws, o).is_some_and(|at| at > now);
        Ok(open.into_iter().filter(live).collect())
    }

    /// Why `person` could not take `offer` now; empty when they could.
    ///
    /// # Errors
    /// The store cannot be read.
    pub fn could_take(&self, offer: &Offer, person: &str) -> Result<Vec<Refusal>, ScheduleError> {
        let ws = self.workspace();
        let Some(store) = self.store() else {
            return Ok(Vec::new());
        };
        let weeks: Vec<Option<NaiveDate>> = match &offer.terms {
            Terms::Swap { want, .. } => want.iter().copied().map(Some).collect(),
            _ => vec![None],
        };
        let now = crate::clock::now();
        Ok(store.read(|r| {
            let mut first = None;
            for week in weeks {
                match judge_acceptance(ws, r, offer, person, week, now)? {
                    Ok(_) => return Ok(Vec::new()),
                    Err(rs) => first = first.or(Some(rs)),
                }
            }
            Ok(first.unwrap_or_default())
        })?)
    }

    /// `person` accepts offer `id` (choosing `week` among a swap request's
    /// weeks): it is judged on the timeline as it is now, both halves
    /// together, and carried out as overrides, all in one transaction.
    ///
    /// # Errors
    /// The store fails.
    pub fn accept(
        &mut self,
        id: i64,
        person: &str,
        week: Option<NaiveDate>,
    ) -> Result<Outcome<Vec<i64>, Refusal>, ScheduleError> {
        let ws = self.workspace();
        self.store_mut()?.write(|w| {
            let Some(offer) = w.offer(id)? else {
                return Ok(Outcome::Malformed(vec![problem(
                    OfferProblem::NoSuchOffer { id },
                )]));
            };
            let new = match judge_acceptance(ws, w, &offer, person, week, w.now())? {
                Ok(new) => new,
                Err(rs) if rs.iter().all(is_rule) => return Ok(Outcome::Refused(rs)),
                Err(rs) => return Ok(Outcome::Malformed(rs)),
            };
            let detail = serde_json::json!({
                "offer": id, "kind": offer.terms.kind(), "asker": offer.person, "by": person,
            });
            let Some(team) = ws.team_by_id(&offer.team) else {
                return Err(
                    StoreError::Invalid(format!("offer #{id} is for an unknown team")).into(),
                );
            };
            let ids = crate::schedule::notify::announce(
                ws,
                w,
                (team, crate::schedule::notify::EventKind::OfferAccepted),
                || w.add_overrides(&offer.team, ChangeKind::Accept, &new, false, &[], &detail),
            )?;
            if !w.decide_offer(id, Status::Accepted, person)? {
                return Err(
                    StoreError::Invalid(format!("offer #{id} changed while accepted")).into(),
                );
            }
            Ok(Outcome::Recorded {
                value: ids,
                overruled: Vec::new(),
            })
        })
    }

    /// `person` declines offer `id`: only the person a trade asks may.
    ///
    /// # Errors
    /// The store fails.
    pub fn decline(
        &mut self,
        id: i64,
        person: &str,
    ) -> Result<Outcome<(), Refusal>, ScheduleError> {
        self.decide(id, person, Status::Declined)
    }

    /// `person` cancels offer `id`: only its asker may.
    ///
    /// # Errors
    /// The store fails.
    pub fn cancel(&mut self, id: i64, person: &str) -> Result<Outcome<(), Refusal>, ScheduleError> {
        self.decide(id, person, Status::Cancelled)
    }

    fn decide(
        &mut self,
        id: i64,
        person: &str,
        status: Status,
    ) -> Result<Outcome<(), Refusal>, ScheduleError> {
        let ws = self.workspace();
        self.store_mut()?.write(|w| {
            let Some(offer) = w.offer(id)? else {
                return Ok(Outcome::Malformed(vec![problem(
                    OfferProblem::NoSuchOffer { id },
                )]));
            };
            if let Err(p) = may_decide(&offer, person, status) {
                return Ok(Outcome::Malformed(vec![problem(p)]));
            }
            if !w.decide_offer(id, status, person)? {
                return Err(
                    StoreError::Invalid(format!("offer #{id} changed while decided")).into(),
                );
            }
            let detail =
                serde_json::json!({ "offer": id, "kind": offer.terms.kind(), "by": person });
            w.audit(&offer.team, status.as_str(), false, &detail)?;
            let event = match status {
                Status::Cancelled => EventKind::OfferCancelled,
                _ => EventKind::OfferDeclined,
            };
            let mut people = vec![offer.person.as_str(), person];
            if let Terms::Trade { with, .. } = &offer.terms {
                people.push(with);
            }
            announce_offer(ws, w, (&offer.team, event), id, &people)?;
            Ok(Outcome::Recorded {
                value: (),
                overruled: Vec::new(),
            })
        })
    }
}

/// Whether `person` may move open `offer` to `status` (declined or
/// cancelled).
fn may_decide(offer: &Offer, person: &str, status: Status) -> Result<(), OfferProblem> {
    let id = offer.id;
    if offer.status != Status::Open {
        let by = offer.decided.as_ref().map(|(b, _)| b.clone());
        let status = offer.status;
        return Err(OfferProblem::NotOpen { id, status, by });
    }
    match (status, &offer.terms) {
        (Status::Cancelled, _) if person == offer.person => Ok(()),
        (Status::Cancelled, _) => Err(OfferProblem::NotYours {
            id,
            action: "cancel",
            who: offer.person.clone(),
        }),
        (_, Terms::Trade { with, .. }) if person == with => Ok(()),
        (_, Terms::Trade { with, .. }) => Err(OfferProblem::NotYours {
            id,
            action: "decline",
            who: with.clone(),
        }),
        _ => Err(OfferProblem::OpenToAll { id }),
    }
}

/// Whether a refusal comes from eligibility and the rules (which a changed
/// schedule may lift), rather than from the offer's own state.
fn is_rule(r: &Refusal) -> bool {
    !matches!(
        r,
        Refusal::Offer(_) | Refusal::UnknownPerson { .. } | Refusal::NotHolding { .. }
    )
}

/// What is wrong with a trade offer before its rules are judged.
fn trade_problems(
    ws: &Workspace,
    tl: &Timeline,
    (asker, with): (&str, &str),
    (give, take): (Span, Span),
    now: DateTime<Utc>,
) -> Vec<Refusal> {
    let mut out = span_problems(give, now);
    out.extend(span_problems(take, now));
    if asker == with {
        out.push(problem(OfferProblem::WithSelf));
    }
    if let Err(r) = person_or_refusal(ws, with) {
        out.push(r);
    }
    for (who, span) in [(asker, give), (with, take)] {
        if out.is_empty() && offers::roles_held_throughout(tl, who, span).is_empty() {
            let person = who.to_string();
            out.push(problem(OfferProblem::NotHeld {
                person,
                role: None,
                span,
            }));
        }
    }
    out
}

fn new_offer(ws: &Workspace, team: TeamIdx, asker: &str, terms: Terms) -> NewOffer {
    NewOffer {
        team: ws.team(team).id.clone(),
        person: asker.to_string(),
        terms,
        consented: true,
    }
}

fn recorded(id: i64) -> Outcome<i64, Refusal> {
    Outcome::Recorded {
        value: id,
        overruled: Vec::new(),
    }
}
