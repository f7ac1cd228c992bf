//! A team's schedule page: who is on call now, the weeks ahead by role with
//! overrides marked, each member's load against their share over the
//! published horizon, and the time off that touches on-call weeks.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;

use super::now::{now, shown, NowDoc, NowPerson};
use crate::model::{TeamIdx, Workspace};
use crate::schedule::drift::{self, Drift};
use crate::schedule::timeline::{week_containing, Segment, Source, Timeline};

/// Most weeks ahead a page shows.
pub const WEEKS_AHEAD: usize = 26;

/// Everything a team's page shows.
#[derive(Clone, Debug, PartialEq)]
pub struct TeamPage {
    /// The team id.
    pub team: String,
    /// The team's display name.
    pub name: String,
    /// The team's zone: every time on the page is shown in it.
    pub timezone: Tz,
    /// Who is on call at the instant asked about.
    pub now: NowDoc,
    /// The roles, in the team file's order.
    pub roles: Vec<String>,
    /// The weeks ahead, from the current one, up to [`WEEKS_AHEAD`].
    pub weeks: Vec<PageWeek>,
    /// First and last published week, when anything is published.
    pub horizon: Option<(NaiveDate, NaiveDate)>,
    /// Each member who counts (docs/design.md §3) with their load against
    /// their share over the published horizon, as a plan of those weeks
    /// counts them (carry-over from the weeks before included).
    pub loads: Vec<PageLoad>,
    /// Members who can take no shift in the published horizon, with why
    /// ("not eligible until 2027-04-05 (primary needs 90 days' tenure)"):
    /// they have no share, and are owed nothing.
    pub not_eligible: Vec<(NowPerson, String)>,
    /// Members' time off that touches the weeks ahead.
    pub time_off: Vec<PageTimeOff>,
}

/// One week ahead.
#[derive(Clone, Debug, PartialEq)]
pub struct PageWeek {
    /// The local date of its first handoff.
    pub first_day: NaiveDate,
    /// Per role (in [`TeamPage::roles`] order), who holds it when.
    pub roles: Vec<Vec<Stretch>>,
}

/// One stretch of a role held by one person.
#[derive(Clone, Debug, PartialEq)]
pub struct Stretch {
    /// Who holds it.
    pub person: NowPerson,
    /// Start instant.
    pub start: DateTime<Utc>,
    /// End instant (exclusive).
    pub end: DateTime<Utc>,
    /// Whether an override put them there.
    pub is_override: bool,
    /// Whom an override covers.
    pub covering: Option<NowPerson>,
    /// Each rule today's inputs say this stretch breaks (drift): when not
    /// empty, it needs cover or a re-plan.
    pub needs_cover: Vec<String>,
}

/// A member's load over the published horizon.
#[derive(Clone, Debug, PartialEq)]
pub struct PageLoad {
    /// The member.
    pub person: NowPerson,
    /// Load carried (docs/design.md §3), in weighted days.
    pub load: f64,
    /// Fair share over the horizon ([`crate::plan::share`]).
    pub share: f64,
}

/// Time off of a member that touches on-call weeks ahead. The reason is
/// not shown: it may be private.
#[derive(Clone, Debug, PartialEq)]
pub struct PageTimeOff {
    /// Who is off.
    pub person: NowPerson,
    /// First day off.
    pub start: NaiveDate,
    /// Last day off (inclusive).
    pub end: NaiveDate,
}

/// The page of `team` at `at`, from the resolved timelines of the team and
/// of the teams its escalation chain names.
pub fn team_page(
    ws: &Workspace,
    team: TeamIdx,
    timelines: &[Timeline],
    at: DateTime<Utc>,
) -> TeamPage {
    let t = ws.team(team);
    let empty = Timeline::default();
    let timeline = timelines
        .iter()
        .find(|tl| tl.team == t.id)
        .unwrap_or(&empty);
    let current = week_containing(t.timezone, t.handoff, at).first_day;
    let roles: Vec<String> = t.roles.iter().map(|r| r.name.clone()).collect();
    // Drift of what is in force now and ahead, as the page shows it.
    let drift = match timeline.segments.iter().map(|s| s.end).max() {
        Some(end) if end > at => drift::over(ws, team, timelines, (at, end)),
        _ => Vec::new(),
    };
    let weeks = weeks_ahead(ws, &roles, timeline, current, &drift);
    let horizon = match (
        timeline.segments.iter().map(|s| s.week).min(),
        timeline.segments.iter().map(|s| s.week).max(),
    ) {
        (Some(a), Some(b)) => Some((a, b)),
        _ => None,
    };
    let shares = horizon.map_or_else(Default::default, |span| {
        crate::plan::share::over_timeline(ws, team, timeline, span)
    });
    let time_off = match (weeks.first(), weeks.last()) {
        (Some(f), Some(l)) => time_off(ws, team, f.first_day, l.first_day + Duration::weeks(1)),
        _ => Vec::new(),
    };
    TeamPage {
        team: t.id.clone(),
        name: t.name.clone(),
        timezone: t.timezone,
        now: now(ws, team, timelines, at),
        roles,
        weeks,
        horizon,
        loads: shares
            .people
            .iter()
            .map(|l| PageLoad {
                person: shown(ws, &ws.person(l.person).id),
                load: l.load,
                share: l.share,
            })
            .collect(),
        not_eligible: shares
            .sidelined
            .iter()
            .map(|(p, why)| (shown(ws, &ws.person(*p).id), why.clone()))
            .collect(),
        time_off,
    }
}

fn weeks_ahead(
    ws: &Workspace,
    roles: &[String],
    tl: &Timeline,
    current: NaiveDate,
    drift: &[Drift],
) -> Vec<PageWeek> {
    let mut by_week: BTreeMap<NaiveDate, Vec<&Segment>> = BTreeMap::new();
    for s in tl.segments.iter().filter(|s| s.week >= current) {
        by_week.entry(s.week).or_default().push(s);
    }
    by_week
        .into_iter()
        .take(WEEKS_AHEAD)
        .map(|(first_day, segs)| PageWeek {
            first_day,
            roles: roles
                .iter()
                .map(|r| {
                    let mut held: Vec<Stretch> = segs
                        .iter()
                        .filter(|s| &s.role == r)
                        .map(|s| stretch(ws, s, drift))
                        .collect();
                    held.sort_by_key(|s| s.start);
                    held
                })
                .collect(),
        })
        .collect()
}

fn stretch(ws: &Workspace, s: &Segment, drift: &[Drift]) -> Stretch {
    Stretch {
        person: shown(ws, &s.person),
        start: s.start,
        end: s.end,
        is_override: matches!(s.source, Source::Override { .. }),
        covering: s.planned.as_deref().map(|p| shown(ws, p)),
        needs_cover: drift
            .iter()
            .filter(|d| d.segment == *s)
            .flat_map(|d| d.reasons.iter().map(ToString::to_string))
            .collect(),
    }
}

fn time_off(ws: &Workspace, team: TeamIdx, from: NaiveDate, to: NaiveDate) -> Vec<PageTimeOff> {
    let members = &ws.team(team).members;
    let mut out: Vec<PageTimeOff> = ws
        .time_off
        .iter()
        .filter(|o| members.contains(&o.person) && o.start < to && o.end >= from)
        .map(|o| PageTimeOff {
            person: shown(ws, &ws.person(o.person).id),
            start: o.start,
            end: o.end,
        })
        .collect();
    out.sort_by(|a, b| (a.start, &a.person.name).cmp(&(b.start, &b.person.name)));
    out
}
