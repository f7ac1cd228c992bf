//! The resolved timeline (docs/design.md §5): published plan versions with
//! overrides layered on top, the later override winning.
//!
//! Feeds, `who`, `show` and pay are all computed from it. It speaks in domain
//! ids (`team`, `role`, `person` strings) rather than workspace indices,
//! because a published schedule outlives the workspace it was made from: a
//! person who has since left still held their past weeks.
//!
//! Every segment lies inside one rotation week (overrides are cut at the
//! team's handoffs), so each one belongs to exactly one slot.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::model::time::resolve_local;
use crate::model::{Handoff, Team};
use crate::plan::horizon::Week;

/// One slot of a published plan version.
#[derive(Clone, Debug, PartialEq)]
pub struct PublishedSlot {
    /// The version that published it (1, 2, ...; later versions win per slot).
    pub version: u32,
    /// The week's first day (team zone).
    pub week: NaiveDate,
    /// The role name.
    pub role: String,
    /// The person id.
    pub person: String,
    /// First handoff.
    pub start: DateTime<Utc>,
    /// Next handoff.
    pub end: DateTime<Utc>,
    /// The slot's load as planned.
    pub load: f64,
    /// When its version was published.
    pub published: DateTime<Utc>,
}

impl PublishedSlot {
    /// A plan's shift as the slot it becomes once published as `version`
    /// at `published`.
    pub fn of_shift(
        s: &crate::model::document::ShiftDoc,
        version: u32,
        published: DateTime<Utc>,
    ) -> PublishedSlot {
        PublishedSlot {
            version,
            week: s.week,
            role: s.role.clone(),
            person: s.person.clone(),
            start: s.start,
            end: s.end,
            load: s.load,
            published,
        }
    }
}

/// A stored override: `person` holds `role` over `[start, end)` in place of
/// whoever holds it then. Swaps are stored as a pair of overrides.
#[derive(Clone, Debug, PartialEq)]
pub struct Override {
    /// Creation order: a higher id wins where overrides overlap.
    pub id: i64,
    /// The role name.
    pub role: String,
    /// Who covers.
    pub person: String,
    /// Start of the span.
    pub start: DateTime<Utc>,
    /// End of the span (exclusive).
    pub end: DateTime<Utc>,
    /// Why, free text.
    pub reason: String,
    /// When it was recorded.
    pub created: DateTime<Utc>,
}

/// Where a segment of the timeline comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Source {
    /// A published plan version.
    Plan {
        /// The version number.
        version: u32,
    },
    /// An override (or one half of a swap).
    Override {
        /// The override's id.
        id: i64,
    },
}

/// A stretch of time in which one person holds one role.
#[derive(Clone, Debug, PartialEq)]
pub struct Segment {
    /// The role name.
    pub role: String,
    /// The person id.
    pub person: String,
    /// The first day of the rotation week the segment lies in.
    pub week: NaiveDate,
    /// Start instant.
    pub start: DateTime<Utc>,
    /// End instant (exclusive).
    pub end: DateTime<Utc>,
    /// Where the segment comes from (for merged pieces, the first piece's).
    pub source: Source,
    /// Who the published plan has in this stretch, when someone else holds it
    /// now (the person being covered).
    pub planned: Option<String>,
    /// When the source was recorded (publish time or override time): the
    /// latest change to this stretch, e.g. for a calendar's `DTSTAMP`.
    pub stamp: DateTime<Utc>,
}

impl Segment {
    /// Length in hours.
    pub fn hours(&self) -> f64 {
        (self.end - self.start).num_seconds() as f64 / 3600.0
    }
}

/// The resolved timeline of one team, sorted by start, then role.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Timeline {
    /// The team id.
    pub team: String,
    /// The segments, non-overlapping per role.
    pub segments: Vec<Segment>,
}

/// The rotation week of `handoff` in `tz` that contains `instant`.
pub fn week_containing(tz: Tz, handoff: Handoff, instant: DateTime<Utc>) -> Week {
    let local = instant.with_timezone(&tz).date_naive();
    let back = (7 + i64::from(local.weekday().num_days_from_monday())
        - i64::from(handoff.weekday.num_days_from_monday()))
        % 7;
    let mut first = local - Duration::days(back);
    let at = |d: NaiveDate| resolve_local(tz, d.and_time(handoff.time));
    // The handoff on `first` may still be ahead of `instant` (same day, earlier
    // hour); then the week began seven days before.
    if at(first) > instant {
        first -= Duration::weeks(1);
    }
    let next = first + Duration::weeks(1);
    Week {
        first_day: first,
        next_day: next,
        start: at(first),
        end: at(next),
    }
}

/// `[start, end)` cut at the team's handoffs: one piece per rotation week.
pub fn split_at_handoffs(
    team: &Team,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Vec<(Week, DateTime<Utc>, DateTime<Utc>)> {
    let mut out = Vec::new();
    let mut cursor = start;
    while cursor < end {
        let week = week_containing(team.timezone, team.handoff, cursor);
        let piece_end = week.end.min(end);
        if piece_end <= cursor {
            break;
        }
        out.push((week, cursor, piece_end));
        cursor = piece_end;
    }
    out
}

#[derive(Clone, Debug)]
struct Piece {
    person: String,
    week: NaiveDate,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    source: Source,
    planned: Option<String>,
    stamp: DateTime<Utc>,
}

/// One role's pieces with override `o` laid on top: what it covers is cut
/// out of the pieces, and it is added cut at the handoffs.
fn layered(team: &Team, pieces: Vec<Piece>, o: &Override) -> Vec<Piece> {
    let mut kept = Vec::with_capacity(pieces.len() + 2);
    for p in pieces {
        if p.end <= o.start || p.start >= o.end {
            kept.push(p);
            continue;
        }
        if p.start < o.start {
            kept.push(Piece {
                end: o.start,
                ..p.clone()
            });
        }
        if p.end > o.end {
            kept.push(Piece { start: o.end, ..p });
        }
    }
    for (week, start, end) in split_at_handoffs(team, o.start, o.end) {
        kept.push(Piece {
            person: o.person.clone(),
            week: week.first_day,
            start,
            end,
            source: Source::Override { id: o.id },
            planned: None,
            stamp: o.created,
        });
    }
    kept.sort_by_key(|p| p.start);
    kept
}

/// One role's pieces as segments: an override names whom the plan had
/// there, and touching pieces of one person, week and covered person merge.
fn merged(latest: &Latest<'_>, role: String, pieces: Vec<Piece>) -> Vec<Segment> {
    let planned_at = |at: DateTime<Utc>| -> Option<String> {
        latest
            .iter()
            .filter(|((r, _), s)| *r == role && s.start <= at && at < s.end)
            .map(|(_, s)| s.person.clone())
            .next()
    };
    let mut merged: Vec<Piece> = Vec::new();
    for mut p in pieces {
        if matches!(p.source, Source::Override { .. }) {
            p.planned = planned_at(p.start).filter(|who| *who != p.person);
        }
        match merged.last_mut() {
            Some(last)
                if last.person == p.person
                    && last.week == p.week
                    && last.end == p.start
                    && last.planned == p.planned =>
            {
                last.end = p.end;
                last.stamp = last.stamp.max(p.stamp);
            }
            _ => merged.push(p),
        }
    }
    merged
        .into_iter()
        .map(|p| Segment {
            role: role.clone(),
            person: p.person,
            week: p.week,
            start: p.start,
            end: p.end,
            source: p.source,
            planned: p.planned,
            stamp: p.stamp,
        })
        .collect()
}

/// Per (role, week), the published slot of the highest version.
type Latest<'a> = BTreeMap<(&'a str, NaiveDate), &'a PublishedSlot>;

impl Timeline {
    /// Resolves `slots` (of any versions: per week and role the highest version
    /// wins) and `overrides` (in id order, later winning) for `team`.
    pub fn resolve(team: &Team, slots: &[PublishedSlot], overrides: &[Override]) -> Timeline {
        let mut latest: Latest<'_> = BTreeMap::new();
        for s in slots {
            let entry = latest.entry((s.role.as_str(), s.week)).or_insert(s);
            if s.version > entry.version {
                *entry = s;
            }
        }
        let mut by_role: BTreeMap<String, Vec<Piece>> = BTreeMap::new();
        for ((role, _), s) in &latest {
            by_role.entry((*role).to_string()).or_default().push(Piece {
                person: s.person.clone(),
                week: s.week,
                start: s.start,
                end: s.end,
                source: Source::Plan { version: s.version },
                planned: None,
                stamp: s.published,
            });
        }
        let mut ordered: Vec<&Override> = overrides.iter().collect();
        ordered.sort_by_key(|o| o.id);
        for o in ordered.into_iter().filter(|o| o.start < o.end) {
            let pieces = by_role.entry(o.role.clone()).or_default();
            *pieces = layered(team, std::mem::take(pieces), o);
        }
        let mut segments: Vec<Segment> = by_role
            .into_iter()
            .flat_map(|(role, pieces)| merged(&latest, role, pieces))
            .collect();
        segments.sort_by(|a, b| (a.start, &a.role).cmp(&(b.start, &b.role)));
        Timeline {
            team: team.id.clone(),
            segments,
        }
    }

    /// Who holds each `(week, role)` slot: the person holding most of its
    /// time in the resolved timeline (the earliest of them on a tie). A
    /// week handed over wholly by an override or a swap belongs to the new
    /// holder; a one-day cover leaves it with the planned one.
    pub fn week_holders(&self) -> BTreeMap<(NaiveDate, String), String> {
        // Per slot: (person, seconds held, first start) of each holder.
        type Held = Vec<(String, i64, DateTime<Utc>)>;
        let mut time: BTreeMap<(NaiveDate, String), Held> = BTreeMap::new();
        for s in &self.segments {
            let held = time.entry((s.week, s.role.clone())).or_default();
            let secs = (s.end - s.start).num_seconds();
            match held.iter_mut().find(|(p, _, _)| *p == s.person) {
                Some(h) => h.1 += secs,
                None => held.push((s.person.clone(), secs, s.start)),
            }
        }
        time.into_iter()
            .filter_map(|(k, held)| {
                let best = held
                    .into_iter()
                    .max_by(|a, b| a.1.cmp(&b.1).then(b.2.cmp(&a.2)))?;
                Some((k, best.0))
            })
            .collect()
    }

    /// The segments as plain held shifts, for the planner and the checker.
    pub fn held(&self) -> Vec<crate::model::history::HeldShift> {
        self.segments
            .iter()
            .map(|s| crate::model::history::HeldShift {
                week: s.week,
                role: s.role.clone(),
                person: s.person.clone(),
                start: s.start,
                end: s.end,
            })
            .collect()
    }

    /// The segments in force at `instant`, one per role at most.
    pub fn at(&self, instant: DateTime<Utc>) -> impl Iterator<Item = &Segment> {
        self.segments
            .iter()
            .filter(move |s| s.start <= instant && instant < s.end)
    }

    /// Who holds `role` at `instant`.
    pub fn holder(&self, role: &str, instant: DateTime<Utc>) -> Option<&Segment> {
        self.at(instant).find(|s| s.role == role)
    }

    /// The part of the timeline inside `[from, to)`, segments clipped to it.
    pub fn clipped(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Timeline {
        let segments = self
            .segments
            .iter()
            .filter(|s| s.end > from && s.start < to)
            .map(|s| Segment {
                start: s.start.max(from),
                end: s.end.min(to),
                ..s.clone()
            })
            .collect();
        Timeline {
            team: self.team.clone(),
            segments,
        }
    }

    /// The segments one person holds.
    pub fn of_person<'a>(&'a self, person: &'a str) -> impl Iterator<Item = &'a Segment> + 'a {
        self.segments.iter().filter(move |s| s.person == person)
    }
}

/// Every stretch in which a member of `team` is on call for another team
/// that excludes it ([`crate::model::history::exclusive`]), from every team's
/// resolved timeline (`timelines[t]` is team `t`'s).
pub fn busy_elsewhere(
    ws: &crate::model::Workspace,
    team: crate::model::TeamIdx,
    timelines: &[Timeline],
) -> Vec<crate::model::history::Busy> {
    let me = ws.team(team);
    let mut out = Vec::new();
    for (u, tl) in timelines.iter().enumerate() {
        let Some(other) = ws.teams.get(u) else {
            continue;
        };
        if !crate::model::history::exclusive(me, other) {
            continue;
        }
        let members = |id: &str| ws.person_by_id(id).is_some_and(|p| me.has_member(p));
        out.extend(tl.segments.iter().filter(|s| members(&s.person)).map(|s| {
            crate::model::history::Busy {
                person: s.person.clone(),
                team: other.id.clone(),
                role: s.role.clone(),
                start: s.start,
                end: s.end,
            }
        }));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveTime, TimeZone, Weekday};

    fn team() -> Team {
        Team {
            id: "payments".into(),
            name: "Payments".into(),
            timezone: chrono_tz::Europe::Berlin,
            holidays: None,
            members: vec![],
            handoff: Handoff {
                weekday: Weekday::Mon,
                time: NaiveTime::from_hms_opt(10, 0, 0).unwrap_or_default(),
            },
            allow_overlap: false,
            escalation: vec![],
            runbook: None,
            roles: vec![],
            rules: Default::default(),
            fairness: Default::default(),
            carry: Default::default(),
            pins: vec![],
            pagerduty: Default::default(),
            origin: Default::default(),
        }
    }

    fn utc(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, 0, 0)
            .single()
            .unwrap_or_default()
    }

    fn slot(version: u32, week: NaiveDate, person: &str) -> PublishedSlot {
        let t = team();
        let w = week_containing(
            t.timezone,
            t.handoff,
            resolve_local(t.timezone, week.and_hms_opt(12, 0, 0).unwrap_or_default()),
        );
        PublishedSlot {
            version,
            week: w.first_day,
            role: "primary".into(),
            person: person.into(),
            start: w.start,
            end: w.end,
            load: 8.0,
            published: utc(2026, 12, 1, 0),
        }
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    #[test]
    fn week_containing_handles_the_handoff_instant_and_dst() {
        let t = team();
        // 2027-03-29 10:00 CEST = 08:00 UTC; the week before spans spring-forward.
        let w = week_containing(t.timezone, t.handoff, utc(2027, 3, 29, 8));
        assert_eq!(w.first_day, d(2027, 3, 29));
        let before = week_containing(t.timezone, t.handoff, utc(2027, 3, 29, 7));
        assert_eq!(before.first_day, d(2027, 3, 22));
        assert_eq!(before.hours(), 167.0);
    }

    #[test]
    fn later_versions_and_overrides_win() {
        let t = team();
        let slots = vec![
            slot(1, d(2027, 1, 4), "alice"),
            slot(1, d(2027, 1, 11), "bob"),
            slot(2, d(2027, 1, 11), "carol"),
        ];
        let o1 = Override {
            id: 1,
            role: "primary".into(),
            person: "dan".into(),
            start: utc(2027, 1, 9, 0),
            end: utc(2027, 1, 12, 0),
            reason: String::new(),
            created: utc(2026, 12, 2, 0),
        };
        let o2 = Override {
            id: 2,
            person: "erin".into(),
            start: utc(2027, 1, 10, 0),
            end: utc(2027, 1, 10, 12),
            ..o1.clone()
        };
        let tl = Timeline::resolve(&t, &slots, &[o2, o1]);
        let who: Vec<(&str, DateTime<Utc>, DateTime<Utc>)> = tl
            .segments
            .iter()
            .map(|s| (s.person.as_str(), s.start, s.end))
            .collect();
        assert_eq!(
            who,
            vec![
                ("alice", utc(2027, 1, 4, 9), utc(2027, 1, 9, 0)),
                ("dan", utc(2027, 1, 9, 0), utc(2027, 1, 10, 0)),
                ("erin", utc(2027, 1, 10, 0), utc(2027, 1, 10, 12)),
                ("dan", utc(2027, 1, 10, 12), utc(2027, 1, 11, 9)),
                ("dan", utc(2027, 1, 11, 9), utc(2027, 1, 12, 0)),
                ("carol", utc(2027, 1, 12, 0), utc(2027, 1, 18, 9)),
            ]
        );
        // The override across the handoff is cut into the two weeks it touches.
        assert_eq!(tl.segments[3].week, d(2027, 1, 4));
        assert_eq!(tl.segments[4].week, d(2027, 1, 11));
        assert_eq!(tl.segments[4].planned.as_deref(), Some("carol"));
        assert_eq!(
            tl.holder("primary", utc(2027, 1, 10, 6))
                .map(|s| s.person.as_str()),
            Some("erin")
        );
        assert!(tl.holder("primary", utc(2027, 1, 18, 9)).is_none());
    }

    #[test]
    fn an_override_by_the_holder_merges_back() {
        let t = team();
        let slots = vec![slot(1, d(2027, 1, 4), "alice")];
        let o = Override {
            id: 1,
            role: "primary".into(),
            person: "alice".into(),
            start: utc(2027, 1, 6, 0),
            end: utc(2027, 1, 7, 0),
            reason: String::new(),
            created: utc(2026, 12, 2, 0),
        };
        let tl = Timeline::resolve(&t, &slots, &[o]);
        assert_eq!(tl.segments.len(), 1);
        assert_eq!(tl.segments[0].hours(), 168.0);
    }
}
