//! The server's state: the workspace loaded at start, a pool of store
//! connections, and the bodies built since the schedule last changed.
//!
//! Every request resolves its secret against the store, so a revoked link
//! is refused on the very next request. Bodies are cached by the audit
//! log's last number, which every publish, override, swap and link change
//! raises: a change shows on the next request. Pages are also rebuilt
//! every minute, as "now" moves.

use std::collections::HashMap;
use std::sync::Mutex;

use anyhow::{anyhow, Result};
use chrono::{DateTime, Utc};
use oncall::calendar::feed;
use oncall::model::{TeamIdx, Workspace};
use oncall::schedule::links::{self, Link, LinkSubject};
use oncall::schedule::service::{has_store, Schedule};
use oncall::schedule::store::{LinkRead, Store, StoreRead};
use oncall::view::{now::now, page::team_page};

use super::answer::{Answer, Asked, Body};

/// How often a link's "last used" is written, at most.
const TOUCH_EVERY_SECONDS: i64 = 60;

/// Feeds built at one state of the schedule, by file name, each when first
/// asked for.
#[derive(Default)]
struct Feeds {
    token: Option<i64>,
    bodies: HashMap<String, Body>,
}

/// The server's state, shared by every request.
pub(crate) struct Server {
    ws: Workspace,
    writable: bool,
    pool: Mutex<Vec<Store>>,
    feeds: Mutex<Feeds>,
    /// Per team: the change and minute it was built at, and the page.
    pages: Mutex<HashMap<String, (i64, i64, Body)>>,
    /// The latest `Last-Modified` given, which never moves backwards.
    modified: Mutex<DateTime<Utc>>,
}

impl Server {
    /// Opens the store (creating and migrating it when it can be written).
    pub(crate) fn new(ws: Workspace) -> Result<Self> {
        let (store, writable) = match Store::open(&ws.root) {
            Ok(s) => (s.acting_as(crate::workspace::actor()), true),
            Err(e) if e.is_read_only() && has_store(&ws.root) => {
                (Store::open_read_only(&ws.root)?, false)
            }
            Err(e) => return Err(e.into()),
        };
        Ok(Server {
            ws,
            writable,
            pool: Mutex::new(vec![store]),
            feeds: Mutex::new(Feeds::default()),
            pages: Mutex::new(HashMap::new()),
            modified: Mutex::new(DateTime::<Utc>::UNIX_EPOCH),
        })
    }

    pub(crate) fn root(&self) -> String {
        self.ws.root.display().to_string()
    }

    fn take(&self) -> Result<Store> {
        if let Some(s) = self
            .pool
            .lock()
            .map_err(|_| anyhow!("pool poisoned"))?
            .pop()
        {
            return Ok(s);
        }
        Ok(if self.writable {
            Store::open(&self.ws.root)?.acting_as(crate::workspace::actor())
        } else {
            Store::open_read_only(&self.ws.root)?
        })
    }

    fn give(&self, s: Store) {
        if let Ok(mut pool) = self.pool.lock() {
            pool.push(s);
        }
    }

    /// Whether the workspace's files and the store can still be read, and
    /// every team's published timeline with them: the error names the first
    /// team that cannot be served.
    pub(crate) fn health(&self) -> Result<()> {
        std::fs::read_dir(self.ws.root.join("teams"))?;
        std::fs::metadata(self.ws.root.join("people.csv"))?;
        let store = self.take()?;
        let ok = store
            .last_change()
            .map(drop)
            .map_err(anyhow::Error::from)
            .and_then(|()| {
                store
                    .read(|r| {
                        (0..self.ws.teams.len())
                            .try_for_each(|t| r.timeline(&self.ws, TeamIdx(t)).map(drop))
                    })
                    .map_err(|e| self.unserved(&store, e))
            });
        self.give(store);
        ok
    }

    /// The first team whose timeline cannot be read, with why.
    fn unserved(&self, store: &Store, e: oncall::schedule::store::StoreError) -> anyhow::Error {
        let bad = self
            .ws
            .teams
            .iter()
            .enumerate()
            .find(|(t, _)| store.read(|r| r.timeline(&self.ws, TeamIdx(*t))).is_err());
        match bad {
            Some((_, team)) => anyhow!("team {} cannot be served: {e}", team.id),
            None => anyhow!("{e}"),
        }
    }

    /// The answer to `asked` of the link `secret` opens.
    pub(crate) fn answer(&self, secret: &str, asked: &Asked) -> Result<Answer> {
        if !links::is_secret_shaped(secret) {
            return Ok(Answer::NotFound);
        }
        let mut store = self.take()?;
        let out = self.answer_with(&mut store, secret, asked);
        self.give(store);
        out
    }

    fn answer_with(&self, store: &mut Store, secret: &str, asked: &Asked) -> Result<Answer> {
        let Some(link) = links::resolve(store, secret)? else {
            return Ok(Answer::NotFound);
        };
        self.touch(store, &link);
        let (token, changed) = store.last_change()?;
        let modified = self.modified(changed)?;
        let body = match (asked, &link.subject) {
            (Asked::Feed, LinkSubject::Person(p)) => self.feed(token, modified, "person", p)?,
            (Asked::Feed, LinkSubject::Team(t)) => self.feed(token, modified, "team", t)?,
            (Asked::Page, LinkSubject::Team(t)) => self.page(store, token, modified, t)?,
            (Asked::Grafana(role), LinkSubject::Team(t)) => {
                match self.grafana(store, modified, t, role.as_deref())? {
                    Ok(b) => b,
                    Err(why) => return Ok(Answer::BadRequest(why)),
                }
            }
            (Asked::Now(at), LinkSubject::Team(t)) => {
                match self.now(store, modified, t, at.as_deref())? {
                    Ok(b) => b,
                    Err(why) => return Ok(Answer::BadRequest(why)),
                }
            }
            _ => return Ok(Answer::NotFound),
        };
        Ok(Answer::Ok {
            body,
            link: link.id,
        })
    }

    /// Records the link's use, at most once a minute; a store that cannot
    /// be written skips it.
    fn touch(&self, store: &mut Store, link: &Link) {
        let now = oncall::clock::now();
        let due = link
            .last_used
            .is_none_or(|t| (now - t).num_seconds() >= TOUCH_EVERY_SECONDS);
        if self.writable && due {
            let _ = store.write(|w| w.touch_link(link.id, now));
        }
    }

    /// `Last-Modified`: the last change, never earlier than one given before.
    fn modified(&self, changed: Option<DateTime<Utc>>) -> Result<DateTime<Utc>> {
        let mut m = self
            .modified
            .lock()
            .map_err(|_| anyhow!("state poisoned"))?;
        if let Some(c) = changed {
            *m = (*m).max(c);
        }
        Ok(*m)
    }

    /// Every team's resolved timeline, read in one snapshot: a chain may
    /// name another team's role.
    fn timelines(&self, store: &Store) -> Result<Vec<oncall::schedule::timeline::Timeline>> {
        Ok(store.read(|r| r.timelines(&self.ws))?)
    }

    fn team(&self, id: &str) -> Option<TeamIdx> {
        self.ws.teams.iter().position(|t| t.id == id).map(TeamIdx)
    }

    /// The feed `<kind>-<id>.ics`: built alone the first time it is asked
    /// for at this state of the schedule (from the timelines it needs
    /// only), then served from memory until the schedule changes.
    fn feed(&self, token: i64, modified: DateTime<Utc>, kind: &str, id: &str) -> Result<Body> {
        let name = feed::file_name(kind, id);
        {
            let mut feeds = self.feeds.lock().map_err(|_| anyhow!("feeds poisoned"))?;
            if feeds.token != Some(token) {
                *feeds = Feeds {
                    token: Some(token),
                    bodies: HashMap::new(),
                };
            }
            if let Some(b) = feeds.bodies.get(&name) {
                return Ok(b.clone());
            }
        }
        let which = match kind {
            "person" => feed::FeedKind::Person(id.to_string()),
            _ => feed::FeedKind::Team(id.to_string()),
        };
        let mut schedule = if self.writable {
            crate::workspace::open_schedule(&self.ws)?
        } else {
            Schedule::read_only(&self.ws)?
        };
        let (built, _) = feed::build_one(&mut schedule, &which)?;
        let body = Body::new(built.text, "text/calendar; charset=utf-8", modified);
        let mut feeds = self.feeds.lock().map_err(|_| anyhow!("feeds poisoned"))?;
        if feeds.token == Some(token) {
            feeds.bodies.insert(name, body.clone());
        }
        Ok(body)
    }

    /// A team's feed for Grafana, of one role or all.
    fn grafana(
        &self,
        store: &Store,
        modified: DateTime<Utc>,
        team: &str,
        role: Option<&str>,
    ) -> Result<std::result::Result<Body, String>> {
        let idx = self
            .team(team)
            .ok_or_else(|| anyhow!("link to an unknown team"))?;
        if let Some(r) = role.filter(|r| self.ws.team(idx).role_by_name(r).is_none()) {
            return Ok(Err(format!("the team has no role `{r}`")));
        }
        let events = feed::events(&self.ws, &self.timelines(store)?);
        let text = feed::grafana_feed(&self.ws, team, role, &events);
        Ok(Ok(Body::new(
            text,
            "text/calendar; charset=utf-8",
            modified,
        )))
    }

    fn page(&self, store: &Store, token: i64, modified: DateTime<Utc>, team: &str) -> Result<Body> {
        let now = oncall::clock::now();
        let minute = now.timestamp() / 60;
        let mut pages = self.pages.lock().map_err(|_| anyhow!("pages poisoned"))?;
        if let Some((t, m, body)) = pages.get(team) {
            if *t == token && *m == minute {
                return Ok(body.clone());
            }
        }
        let idx = self
            .team(team)
            .ok_or_else(|| anyhow!("link to an unknown team"))?;
        let page = team_page(&self.ws, idx, &self.timelines(store)?, now);
        let html = crate::render::page_html(&page, now)?;
        let body = Body::new(html, "text/html; charset=utf-8", modified);
        pages.insert(team.to_string(), (token, minute, body.clone()));
        Ok(body)
    }

    fn now(
        &self,
        store: &Store,
        modified: DateTime<Utc>,
        team: &str,
        at: Option<&str>,
    ) -> Result<std::result::Result<Body, String>> {
        let at = match at {
            None => oncall::clock::now(),
            Some(a) => match DateTime::parse_from_rfc3339(a) {
                Ok(t) => t.with_timezone(&Utc),
                Err(_) => {
                    return Ok(Err(
                        "`at` must be an RFC 3339 instant, e.g. 2027-01-04T10:00:00Z".into(),
                    ))
                }
            },
        };
        let idx = self
            .team(team)
            .ok_or_else(|| anyhow!("link to an unknown team"))?;
        let doc = now(&self.ws, idx, &self.timelines(store)?, at);
        let json = serde_json::to_string_pretty(&doc)? + "\n";
        Ok(Ok(Body::new(json, "application/json", modified)))
    }
}
