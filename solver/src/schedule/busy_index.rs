//! Who is busy when, across the organisation: an interval map per person of
//! the stretches they hold in every team's resolved timeline, built from one
//! read of the timelines.
//!
//! It answers the question [`busy_elsewhere`](super::timeline::busy_elsewhere)
//! answers by scanning every timeline, for one team at a time, in time
//! proportional to that team's members' stretches rather than to the whole
//! organisation: `publish --all` judges a thousand plans against it, and a
//! single change reads only the teams whose timelines name the people it
//! touches. The answers are the same, in the same order.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};

use crate::model::history::{exclusive, Busy};
use crate::model::{TeamIdx, Workspace};
use crate::schedule::store::{StoreError, StoreRead};
use crate::schedule::timeline::Timeline;

/// Where a stretch sits: its team and its place in that team's timeline,
/// which orders answers exactly as a scan of the timelines would.
type Key = (usize, usize);

/// One held stretch of one person.
#[derive(Clone, Debug)]
struct Span {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    role: String,
}

/// Every person's held stretches, per team timeline.
#[derive(Clone, Debug, Default)]
pub struct BusyIndex {
    /// Per person id: their stretches, keyed by (start, team, place).
    spans: HashMap<String, BTreeMap<(DateTime<Utc>, Key), Span>>,
    /// Per team index: the people its timeline names (to replace it).
    named: HashMap<usize, BTreeSet<String>>,
}

impl BusyIndex {
    /// The index of `timelines` (team `t`'s at `timelines[t]`).
    pub fn new(timelines: &[Timeline]) -> BusyIndex {
        let mut index = BusyIndex::default();
        for (t, tl) in timelines.iter().enumerate() {
            index.insert(t, tl);
        }
        index
    }

    /// The index of the timelines of some teams only.
    pub fn of_teams(timelines: &[(TeamIdx, Timeline)]) -> BusyIndex {
        let mut index = BusyIndex::default();
        for (t, tl) in timelines {
            index.insert(t.0, tl);
        }
        index
    }

    fn insert(&mut self, team: usize, tl: &Timeline) {
        let named = self.named.entry(team).or_default();
        for (k, s) in tl.segments.iter().enumerate() {
            named.insert(s.person.clone());
            let span = Span {
                start: s.start,
                end: s.end,
                role: s.role.clone(),
            };
            let spans = self.spans.entry(s.person.clone()).or_default();
            spans.insert((s.start, (team, k)), span);
        }
    }

    /// Puts `tl` in place of team `team`'s timeline (a plan about to be
    /// published in the same transaction).
    pub fn replace(&mut self, team: TeamIdx, tl: &Timeline) {
        for person in self.named.remove(&team.0).unwrap_or_default() {
            if let Some(spans) = self.spans.get_mut(&person) {
                spans.retain(|(_, (u, _)), _| *u != team.0);
            }
        }
        self.insert(team.0, tl);
    }

    /// Every stretch in which a member of `team` is on call for another
    /// team that excludes it: what `busy_elsewhere` finds over the same
    /// timelines, in the same order.
    pub fn busy_elsewhere(&self, ws: &Workspace, team: TeamIdx) -> Vec<Busy> {
        let members = ws.team(team).members.iter();
        let ids = members
            .filter_map(|p| ws.people.get(p.0))
            .map(|p| p.id.as_str());
        self.found(ws, team, ids)
    }

    /// [`BusyIndex::busy_elsewhere`] for only the members of `team` among
    /// `people`.
    pub fn busy_of<'a>(
        &self,
        ws: &Workspace,
        team: TeamIdx,
        people: impl IntoIterator<Item = &'a str>,
    ) -> Vec<Busy> {
        let me = ws.team(team);
        let member = |id: &&str| ws.person_by_id(id).is_some_and(|p| me.has_member(p));
        let members: Vec<&str> = people.into_iter().filter(member).collect();
        self.found(ws, team, members)
    }

    /// The stretches of `members` (people of `team`) in teams that exclude
    /// `team`, in timeline order.
    fn found<'a>(
        &self,
        ws: &Workspace,
        team: TeamIdx,
        members: impl IntoIterator<Item = &'a str>,
    ) -> Vec<Busy> {
        let me = ws.team(team);
        let mut found: Vec<(Key, Busy)> = Vec::new();
        for person in members {
            let Some(spans) = self.spans.get(person) else {
                continue;
            };
            for ((_, key), span) in spans {
                let Some(other) = ws.teams.get(key.0).filter(|o| exclusive(me, o)) else {
                    continue;
                };
                let busy = Busy {
                    person: person.to_string(),
                    team: other.id.clone(),
                    role: span.role.clone(),
                    start: span.start,
                    end: span.end,
                };
                found.push((*key, busy));
            }
        }
        found.sort_by_key(|(key, _)| *key);
        found.dedup_by_key(|(key, _)| *key);
        found.into_iter().map(|(_, b)| b).collect()
    }
}

/// The index of the timelines that may name any of `people`: those of the
/// teams with a published slot or an override of one of them. What a single
/// change needs, without reading the whole organisation.
///
/// # Errors
/// The store cannot be read.
pub fn of_people<R: StoreRead + ?Sized>(
    ws: &Workspace,
    r: &R,
    people: &BTreeSet<&str>,
) -> Result<BusyIndex, StoreError> {
    let timelines: Result<Vec<(TeamIdx, Timeline)>, StoreError> = teams_naming(ws, r, people)?
        .into_iter()
        .map(|t| Ok((t, r.timeline(ws, t)?)))
        .collect();
    Ok(BusyIndex::of_teams(&timelines?))
}

/// The teams of the workspace with a published slot (of any version) or an
/// override naming one of `people`: every team whose timeline can name them.
///
/// # Errors
/// The store cannot be read.
pub fn teams_naming<R: StoreRead + ?Sized>(
    ws: &Workspace,
    r: &R,
    people: &BTreeSet<&str>,
) -> Result<BTreeSet<TeamIdx>, StoreError> {
    let sql = |source| StoreError::Sql {
        path: r.path().to_path_buf(),
        source,
    };
    let mut stmt = r
        .conn()
        .prepare_cached(
            "SELECT DISTINCT team FROM slots WHERE person = ?1 \
             UNION SELECT DISTINCT team FROM overrides WHERE person = ?1",
        )
        .map_err(sql)?;
    let mut teams = BTreeSet::new();
    for person in people {
        let rows = stmt.query_map([person], |row| row.get::<_, String>(0));
        for team in rows.map_err(sql)? {
            teams.extend(ws.team_by_id(&team.map_err(sql)?));
        }
    }
    Ok(teams)
}
