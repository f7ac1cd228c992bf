//! Calendar feeds (docs/design.md §7): one per engineer, covering every team they
//! are on, and one per team, both made from the resolved timeline.
//!
//! Everything here is a pure function of the workspace, the timelines and the
//! stored sequences, so an unchanged schedule gives byte-identical feeds:
//!
//! - times are UTC; `DTSTAMP` is the segment's stamp (the publish or override
//!   time), never the clock;
//! - events and calendars are written in a fixed order;
//! - the `SEQUENCE` of an event comes from [`Sequences`], which only moves when
//!   that event's times change.
//!
//! # UIDs
//!
//! An event is one [`Segment`] of the timeline: a stretch of one slot (team,
//! role, rotation week) held by one person. Its UID is
//! `<team>-<role>-<week>-<person>-<n>@oncall`, where `<week>` is the week's
//! first day and `<n>` numbers, from 1 in time order, the pieces of that slot
//! the same person holds. So:
//!
//! - a replan that leaves a slot with the same person keeps its UID;
//! - an override that cuts a day out of Alice's week keeps her first piece as
//!   `…-alice-1` (its end moved, so its `SEQUENCE` rises), adds `…-alice-2`
//!   after it, and gives the cover `…-bob-1`;
//! - a slot handed to someone else is a new event for them, and the old one
//!   disappears from the feeds.
//!
//! An override spanning a handoff is two events, one per rotation week, as the
//! timeline already cuts it there.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use rayon::prelude::*;

use crate::model::{Escalation, Team, TeamIdx, Workspace};
use crate::schedule::busy_index;
use crate::schedule::service::{Schedule, ScheduleError};
use crate::schedule::store::{StoreError, StoreRead};
use crate::schedule::timeline::{Segment, Timeline};
use crate::text::ics::ContentWriter;

/// How often clients should fetch a feed again.
pub const REFRESH: &str = "PT1H";

/// The product identifier written into every feed.
pub const PRODID: &str = "-//oncall//on-call feeds//EN";

/// One on-call event: a stretch of one slot held by one person.
#[derive(Clone, Debug, PartialEq)]
pub struct FeedEvent {
    /// Stable id, see the module docs.
    pub uid: String,
    /// Team id.
    pub team: String,
    /// Role name.
    pub role: String,
    /// Person id.
    pub person: String,
    /// First day of the rotation week.
    pub week: NaiveDate,
    /// Start instant.
    pub start: DateTime<Utc>,
    /// End instant (exclusive).
    pub end: DateTime<Utc>,
    /// The `DTSTAMP`: when this stretch was last published or overridden.
    pub stamp: DateTime<Utc>,
    /// The `SEQUENCE`, set by [`Sequences::assign`] (0 until then).
    pub sequence: u32,
    /// e.g. `On call: Payments primary`.
    pub summary: String,
    /// Person's display name, for the team feed.
    pub person_name: String,
    /// Handoff times, the other roles' holders, the escalation chain and
    /// the runbook.
    pub description: String,
    /// The runbook of the role, written as the event's `URL`.
    pub runbook: Option<String>,
}

/// Builds the events of `timelines` (any number of teams), sorted by start,
/// team, role and UID. Teams or people no longer in the workspace are shown
/// by their ids.
pub fn events(ws: &Workspace, timelines: &[Timeline]) -> Vec<FeedEvent> {
    let mut out: Vec<FeedEvent> = timelines
        .par_iter()
        .flat_map_iter(|tl| team_events(ws, tl, timelines))
        .collect();
    out.sort_by(|a, b| {
        (a.start, &a.team, &a.role, &a.uid).cmp(&(b.start, &b.team, &b.role, &b.uid))
    });
    out
}

/// Keeps the events that overlap `[from, to)`, whole: an event is never cut,
/// so its UID, times and `SEQUENCE` do not depend on the window asked for.
pub fn in_window(
    events: Vec<FeedEvent>,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> Vec<FeedEvent> {
    events
        .into_iter()
        .filter(|e| from.is_none_or(|f| e.end > f) && to.is_none_or(|t| e.start < t))
        .collect()
}

fn team_events(ws: &Workspace, tl: &Timeline, all: &[Timeline]) -> Vec<FeedEvent> {
    let team = ws.team_by_id(&tl.team).map(|t| ws.team(t));
    let team_name = team.map_or(tl.team.as_str(), |t| t.name.as_str());
    let tz = team.map_or(ws.org.timezone, |t| t.timezone);
    let mut pieces: HashMap<(&str, NaiveDate, &str), u32> = HashMap::new();
    let mut ordered: Vec<&Segment> = tl.segments.iter().collect();
    ordered.sort_by_key(|s| s.start);
    let mut out = Vec::with_capacity(ordered.len());
    for s in ordered {
        let n = pieces
            .entry((s.role.as_str(), s.week, s.person.as_str()))
            .or_insert(0);
        *n += 1;
        let uid = format!(
            "{}-{}-{}-{}-{}@oncall",
            tl.team, s.role, s.week, s.person, n
        );
        out.push(FeedEvent {
            uid,
            team: tl.team.clone(),
            role: s.role.clone(),
            person: s.person.clone(),
            week: s.week,
            start: s.start,
            end: s.end,
            stamp: s.stamp,
            sequence: 0,
            summary: format!("On call: {team_name} {}", s.role),
            person_name: display_name(ws, &s.person),
            description: describe(ws, (team, team_name, tz), (tl, all), s),
            runbook: team
                .and_then(|t| t.runbook_for(&s.role))
                .map(str::to_string),
        });
    }
    out
}

fn display_name(ws: &Workspace, id: &str) -> String {
    ws.person_by_id(id)
        .map(|p| ws.person(p).name.clone())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| id.to_string())
}

fn local(tz: Tz, at: DateTime<Utc>) -> String {
    format!(
        "{} ({} UTC)",
        at.with_timezone(&tz).format("%a %Y-%m-%d %H:%M %Z"),
        at.format("%Y-%m-%d %H:%M")
    )
}

/// The event's description: who, from when to when (team zone and UTC), whom
/// it covers for, who holds the other roles at its start, and the escalation
/// chain resolved at its start.
fn describe(
    ws: &Workspace,
    (team, team_name, tz): (Option<&Team>, &str, Tz),
    (tl, all): (&Timeline, &[Timeline]),
    s: &Segment,
) -> String {
    let mut d = format!(
        "{team_name} {}: {}\nFrom {}\nTo {}",
        s.role,
        display_name(ws, &s.person),
        local(tz, s.start),
        local(tz, s.end)
    );
    if let Some(planned) = &s.planned {
        d.push_str(&format!("\nCovering for {}", display_name(ws, planned)));
    }
    let holder = |role: &str| {
        tl.holder(role, s.start)
            .map_or_else(|| "nobody".to_string(), |h| display_name(ws, &h.person))
    };
    let mut roles: Vec<String> = match team {
        Some(t) => t.roles.iter().map(|r| r.name.clone()).collect(),
        None => Vec::new(),
    };
    for seg in &tl.segments {
        if !roles.contains(&seg.role) {
            roles.push(seg.role.clone());
        }
    }
    for role in roles.iter().filter(|r| **r != s.role) {
        d.push_str(&format!(
            "\n{} at the start: {}",
            capitalise(role),
            holder(role)
        ));
    }
    let chain: Vec<String> = match team.and_then(|t| ws.team_by_id(&t.id)) {
        Some(idx) => crate::schedule::who::on_call(ws, idx, all, s.start)
            .escalation
            .iter()
            .enumerate()
            .map(|(i, step)| {
                let who = step
                    .person
                    .as_deref()
                    .map_or_else(|| "nobody".to_string(), |p| display_name(ws, p));
                format!("{}. {}: {who}", i + 1, step.label())
            })
            .collect(),
        None => Vec::new(),
    };
    if !chain.is_empty() {
        d.push_str(&format!("\nEscalation: {}", chain.join(", ")));
    }
    if let Some(url) = team.and_then(|t| t.runbook_for(&s.role)) {
        d.push_str(&format!("\nRunbook: {url}"));
    }
    d
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

pub use crate::schedule::sequences::{SequenceEntry, Sequenced, Sequences};

impl Sequenced for FeedEvent {
    fn uid(&self) -> &str {
        &self.uid
    }
    fn span(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        (self.start, self.end)
    }
    fn set_sequence(&mut self, sequence: u32) {
        self.sequence = sequence;
    }
}

/// Feed events with their `SEQUENCE`s (see [`build`]).
#[derive(Clone, Debug, PartialEq)]
pub struct FeedEvents {
    /// The events overlapping the window asked for.
    pub events: Vec<FeedEvent>,
    /// Whether the sequences were saved. They are not when the store cannot
    /// be written here (a read-only workspace): the same feed is then given
    /// the same sequences again, but a changed event's sequence is not kept
    /// for the next run.
    pub sequences_saved: bool,
}

/// Builds every feed event of the schedule's resolved timelines and gives
/// each its `SEQUENCE`, storing the sequences that changed in the same
/// transaction that read the timelines (see
/// [`Schedule::with_sequences`]). Events overlapping `[from, to)` are
/// returned, all when unbounded.
///
/// # Errors
/// The store fails (other than by being read-only).
pub fn build(
    schedule: &mut Schedule<'_>,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> Result<FeedEvents, ScheduleError> {
    let ws = schedule.workspace();
    let (events, sequences_saved) = schedule.with_sequences(|timelines, sequences| {
        let mut events = events(ws, timelines);
        sequences.assign(&mut events);
        events
    })?;
    Ok(FeedEvents {
        events: in_window(events, from, to),
        sequences_saved,
    })
}

/// Builds the one feed `kind` names, byte for byte as [`build`] and
/// [`person_feed`] or [`team_feed`] would, from the timelines it needs only:
/// the teams whose published slots or overrides name the person (or the
/// team itself), and the teams their escalation chains name. The sequences
/// of its events are stored as [`build`] stores them. Returns the feed and
/// whether the sequences were saved.
///
/// # Errors
/// The store fails (other than by being read-only).
pub fn build_one(
    schedule: &mut Schedule<'_>,
    kind: &FeedKind,
) -> Result<(Feed, bool), ScheduleError> {
    let ws = schedule.workspace();
    let read = |r: &dyn StoreRead| {
        let teams = feed_teams(ws, r, kind)?;
        teams.into_iter().map(|t| r.timeline(ws, t)).collect()
    };
    schedule.with_sequences_of(&read, |timelines, sequences| {
        let mine = |e: &FeedEvent| match kind {
            FeedKind::Person(p) => e.person == *p,
            FeedKind::Team(t) => e.team == *t,
        };
        let mut events: Vec<FeedEvent> = events(ws, timelines).into_iter().filter(mine).collect();
        sequences.assign(&mut events);
        match kind {
            FeedKind::Person(p) => person_feed(ws, p, &events),
            FeedKind::Team(t) => team_feed(ws, t, &events),
        }
    })
}

/// The teams whose timelines make the feed `kind` (see [`build_one`]), in
/// team order.
fn feed_teams(
    ws: &Workspace,
    r: &dyn StoreRead,
    kind: &FeedKind,
) -> Result<BTreeSet<TeamIdx>, StoreError> {
    let holding: BTreeSet<TeamIdx> = match kind {
        FeedKind::Person(p) => busy_index::teams_naming(ws, r, &BTreeSet::from([p.as_str()]))?,
        FeedKind::Team(t) => ws.team_by_id(t).into_iter().collect(),
    };
    let chains = holding.iter().flat_map(|t| &ws.team(*t).escalation);
    let named = chains.filter_map(|step| match step {
        Escalation::TeamRole { team, .. } => ws.team_by_id(team),
        _ => None,
    });
    let named: Vec<TeamIdx> = named.collect();
    Ok(holding.into_iter().chain(named).collect())
}

/// Which feed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FeedKind {
    /// One person's shifts in every team; holds the person id.
    Person(String),
    /// One team's shifts; holds the team id.
    Team(String),
}

/// A rendered feed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Feed {
    /// What it covers.
    pub kind: FeedKind,
    /// File name: `person-<id>.ics` or `team-<id>.ics`, the id encoded by
    /// [`file_name`] so that it stays one plain name.
    pub file_name: String,
    /// The calendar text.
    pub text: String,
}

/// `<kind>-<id>.ics`, with every character of `id` other than letters,
/// digits and `-_.+@` written as `%XX` (its UTF-8 bytes): the name has no
/// separator, control character or `..` of its own, so it cannot leave the
/// directory it is written in, and two ids never share a name.
pub fn file_name(kind: &str, id: &str) -> String {
    let mut out = format!("{kind}-");
    for c in id.chars() {
        if c.is_alphanumeric() || "-_.+@".contains(c) {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out.push_str(".ics");
    out
}

/// The feed of one person from `events` (of any teams).
pub fn person_feed(ws: &Workspace, person: &str, events: &[FeedEvent]) -> Feed {
    let mine: Vec<&FeedEvent> = events.iter().filter(|e| e.person == person).collect();
    person_feed_of(ws, person, &mine)
}

fn person_feed_of(ws: &Workspace, person: &str, mine: &[&FeedEvent]) -> Feed {
    let name = format!("On call: {}", display_name(ws, person));
    Feed {
        kind: FeedKind::Person(person.to_string()),
        file_name: file_name("person", person),
        text: render(&name, mine, false),
    }
}

/// The feed of one team from `events` (other teams' events are left out).
pub fn team_feed(ws: &Workspace, team: &str, events: &[FeedEvent]) -> Feed {
    let ours: Vec<&FeedEvent> = events.iter().filter(|e| e.team == team).collect();
    team_feed_of(ws, team, &ours)
}

fn team_feed_of(ws: &Workspace, team: &str, ours: &[&FeedEvent]) -> Feed {
    let team_name = ws
        .team_by_id(team)
        .map_or(team, |t| ws.team(t).name.as_str());
    Feed {
        kind: FeedKind::Team(team.to_string()),
        file_name: file_name("team", team),
        text: render(&format!("On call: {team_name}"), ours, true),
    }
}

/// Every person's feed (everyone in `people.csv`, plus anyone else holding an
/// event), in parallel, sorted by file name.
pub fn person_feeds(ws: &Workspace, events: &[FeedEvent]) -> Vec<Feed> {
    let mut by_person: BTreeMap<&str, Vec<&FeedEvent>> = ws
        .people
        .iter()
        .map(|p| (p.id.as_str(), Vec::new()))
        .collect();
    for e in events {
        by_person.entry(e.person.as_str()).or_default().push(e);
    }
    let groups: Vec<(&str, Vec<&FeedEvent>)> = by_person.into_iter().collect();
    groups
        .par_iter()
        .map(|(p, evs)| person_feed_of(ws, p, evs))
        .collect()
}

/// Every team's feed, in parallel, sorted by file name.
pub fn team_feeds(ws: &Workspace, events: &[FeedEvent]) -> Vec<Feed> {
    let mut by_team: BTreeMap<&str, Vec<&FeedEvent>> = ws
        .teams
        .iter()
        .map(|t| (t.id.as_str(), Vec::new()))
        .collect();
    for e in events {
        by_team.entry(e.team.as_str()).or_default().push(e);
    }
    let groups: Vec<(&str, Vec<&FeedEvent>)> = by_team.into_iter().collect();
    groups
        .par_iter()
        .map(|(t, evs)| team_feed_of(ws, t, evs))
        .collect()
}

/// The feed Grafana IRM / OnCall imports as an iCal schedule
/// (`ical_url_primary`): one event per resolved stretch of `team`'s `role`
/// (every role when `None`), whose `SUMMARY` is the holder's Grafana user:
/// the `grafana_user` column of `people.csv`, else the person's id. Never
/// the e-mail address: feeds carry no contact details.
pub fn grafana_feed(
    ws: &Workspace,
    team: &str,
    role: Option<&str>,
    events: &[FeedEvent],
) -> String {
    let team_name = ws
        .team_by_id(team)
        .map_or(team, |t| ws.team(t).name.as_str());
    let calname = match role {
        Some(r) => format!("On call: {team_name} {r}"),
        None => format!("On call: {team_name}"),
    };
    let mut w = ContentWriter::with_capacity(512 + events.len() * 300);
    w.raw("BEGIN", "VCALENDAR");
    w.raw("VERSION", "2.0");
    w.text("PRODID", PRODID);
    w.raw("CALSCALE", "GREGORIAN");
    w.text("X-WR-CALNAME", &calname);
    w.raw("REFRESH-INTERVAL;VALUE=DURATION", REFRESH);
    for e in events
        .iter()
        .filter(|e| e.team == team && role.is_none_or(|r| e.role == r))
    {
        let user = ws
            .person_by_id(&e.person)
            .and_then(|p| ws.person(p).grafana_user.clone())
            .unwrap_or_else(|| e.person.clone());
        w.raw("BEGIN", "VEVENT");
        w.text("UID", &format!("grafana-{}", e.uid));
        w.utc("DTSTAMP", e.stamp);
        w.utc("DTSTART", e.start);
        w.utc("DTEND", e.end);
        w.raw("SEQUENCE", &e.sequence.to_string());
        w.text("SUMMARY", &user);
        w.raw("END", "VEVENT");
    }
    w.raw("END", "VCALENDAR");
    w.finish()
}

/// Writes a VCALENDAR named `calname` holding `events` in the order given.
/// With `with_person`, each SUMMARY also names who is on call (team feeds).
///
/// No `METHOD` is written: a published subscription is not a scheduling
/// message, and `METHOD:PUBLISH` would oblige every event to carry an
/// `ORGANIZER`.
pub fn render(calname: &str, events: &[&FeedEvent], with_person: bool) -> String {
    let mut w = ContentWriter::with_capacity(512 + events.len() * 900);
    w.raw("BEGIN", "VCALENDAR");
    w.raw("VERSION", "2.0");
    w.text("PRODID", PRODID);
    w.raw("CALSCALE", "GREGORIAN");
    w.text("X-WR-CALNAME", calname);
    w.raw("REFRESH-INTERVAL;VALUE=DURATION", REFRESH);
    w.raw("X-PUBLISHED-TTL", REFRESH);
    for e in events {
        w.raw("BEGIN", "VEVENT");
        w.text("UID", &e.uid);
        w.utc("DTSTAMP", e.stamp);
        w.utc("DTSTART", e.start);
        w.utc("DTEND", e.end);
        w.raw("SEQUENCE", &e.sequence.to_string());
        if with_person {
            w.text("SUMMARY", &format!("{} ({})", e.summary, e.person_name));
        } else {
            w.text("SUMMARY", &e.summary);
        }
        w.text("DESCRIPTION", &e.description);
        if let Some(url) = &e.runbook {
            // Checked at load to be an http(s) URL as the URL crate writes
            // it: no space, quote or control character to escape.
            w.raw("URL", url);
        }
        w.raw("TRANSP", "TRANSPARENT");
        w.raw("X-MICROSOFT-CDO-BUSYSTATUS", "FREE");
        w.raw("END", "VEVENT");
    }
    w.raw("END", "VCALENDAR");
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::file_name;
    use std::path::{Component, Path};

    #[test]
    fn file_names_from_ids_stay_in_their_directory() {
        let ids = [
            "../../etc/passwd",
            "..",
            "a/b",
            "a\\b",
            "/abs",
            "tab\tnew\nline\u{7f}",
            "c:evil",
            "%2F",
        ];
        let mut names = Vec::new();
        for id in ids {
            let name = file_name("person", id);
            let parts: Vec<Component<'_>> = Path::new(&name).components().collect();
            assert!(
                matches!(parts.as_slice(), [Component::Normal(_)]),
                "{id:?} gives {name:?}"
            );
            assert!(!name.contains(['/', '\\', ':']), "{name}");
            assert!(!name.chars().any(char::is_control), "{name:?}");
            assert!(name.starts_with("person-") && name.ends_with(".ics"));
            names.push(name);
        }
        assert_eq!(file_name("team", "payments"), "team-payments.ics");
        assert_eq!(
            file_name("person", "jean-luc.o_b+1@x"),
            "person-jean-luc.o_b+1@x.ics"
        );
        assert_eq!(file_name("person", "a/b"), "person-a%2Fb.ics");
        // Distinct ids keep distinct names, `%` included.
        names.sort();
        names.dedup();
        assert_eq!(names.len(), ids.len());
        assert_ne!(file_name("person", "a/b"), file_name("person", "a%2Fb"));
    }
}
