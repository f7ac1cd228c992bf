//! Changes to a published schedule: overrides, swaps and swap requests,
//! checked against the same eligibility and rules as a plan (docs/design.md §5).
//!
//! A change is judged on the timeline it would produce: every stretch that is
//! new after the change must go to a member who may take the role that week
//! (employment, tenure, skills), has no time off overlapping the stretch
//! itself, holds no other role that week and keeps `rest_weeks` to their
//! other weeks. Problems the schedule already had are not blamed on the
//! change. `max_shifts` is a limit per plan and is not applied to changes.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use petgraph::graph::{DiGraph, NodeIndex};

use crate::model::history::Busy;
use crate::model::{PersonIdx, TeamIdx, Workspace};
use crate::plan::eligibility::{self, ReasonText};
use crate::plan::horizon::Week;
use crate::schedule::offers::OfferProblem;
use crate::schedule::store::{NewOverride, SwapRequest};
use crate::schedule::timeline::{week_containing, Override, Segment, Timeline};

/// Why a change is refused, in domain words.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum Refusal {
    /// No such person in `people.csv`.
    #[error("unknown person `{person}`{}", suggestion.as_ref().map(|s| format!("; did you mean `{s}`?")).unwrap_or_default())]
    UnknownPerson {
        /// The id given.
        person: String,
        /// The closest known id.
        suggestion: Option<String>,
    },
    /// No such role in the team.
    #[error("unknown role `{role}`; the team has {}", known.join(", "))]
    UnknownRole {
        /// The role given.
        role: String,
        /// The team's roles.
        known: Vec<String>,
    },
    /// The span is empty or reversed.
    #[error(
        "the span {}..{} is empty; --to must be after --from",
        utc(start),
        utc(end)
    )]
    EmptySpan {
        /// Start.
        start: DateTime<Utc>,
        /// End.
        end: DateTime<Utc>,
    },
    /// A time of the span is not on a whole second (the store keeps seconds).
    #[error("{} is not on a whole second; give times to the second at most", at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))]
    FractionalSecond {
        /// The time given.
        at: DateTime<Utc>,
    },
    /// The person named already holds the whole week.
    #[error("{person} already holds {role} for the whole week of {week}; nothing to swap")]
    AlreadyHolds {
        /// Who.
        person: String,
        /// The week.
        week: NaiveDate,
        /// The role.
        role: String,
    },
    /// A swap or swap request wants the week it gives away.
    #[error("the week of {week} is both given away and asked for in exchange")]
    WantsOwnWeek {
        /// The week.
        week: NaiveDate,
    },
    /// The same swap request is already open.
    #[error("swap request #{id} already offers that week for those weeks and is still open")]
    RepeatedRequest {
        /// The open request's id.
        id: i64,
    },
    /// Nothing is published in a week a swap request names.
    #[error("nothing is published in the week of {week}; publish a plan covering it first")]
    WeekNotPublished {
        /// The week's first day.
        week: NaiveDate,
    },
    /// Nobody holds the role for part of the span (nothing published there).
    #[error(
        "nobody holds {role} from {} to {}: no published plan covers it; publish one first",
        utc(from),
        utc(to)
    )]
    NotPublished {
        /// The role.
        role: String,
        /// Start of the first uncovered stretch.
        from: DateTime<Utc>,
        /// End of it.
        to: DateTime<Utc>,
    },
    /// The person does not hold the week to be swapped.
    #[error("{person} {}", not_holding(role.as_deref(), *week))]
    NotHolding {
        /// Who.
        person: String,
        /// The week.
        week: NaiveDate,
        /// The role, when one was named.
        role: Option<String>,
    },
    /// The person may not take the role that week.
    #[error("{person} cannot take {role} in the week of {week}: {person} {reason}")]
    Ineligible {
        /// Who.
        person: String,
        /// Role.
        role: String,
        /// The week's first day.
        week: NaiveDate,
        /// Why, in words.
        reason: String,
    },
    /// The person would hold two roles in one week.
    #[error("{person} would hold both {} and {} in the week of {week} (one role per person per week)", roles.0, roles.1)]
    TwoRoles {
        /// Who.
        person: String,
        /// The week.
        week: NaiveDate,
        /// The roles.
        roles: (String, String),
    },
    /// The person who would take a shift has not agreed to it: only they
    /// may record it, by running it themselves or accepting an offer.
    #[error("{person} has not agreed to take it: only {person} may record it, or accept an offer of it (`oncall cover request`, `oncall trade offer`, `oncall swap request`)")]
    NoConsent {
        /// Who would take the shift.
        person: String,
    },
    /// Someone else asks to give `person`'s shift away.
    #[error("only {person} may offer {person}'s own shift")]
    NotAsker {
        /// Whose shift it is.
        person: String,
    },
    /// An offer cannot be made or decided.
    #[error("{0}")]
    Offer(OfferProblem),
    /// The person would be on call for two teams at once.
    #[error(
        "{person} is on call for {team} from {} to {}; no one is on call in two teams at once",
        utc(from),
        utc(to)
    )]
    OnCallElsewhere {
        /// Who.
        person: String,
        /// The other team.
        team: String,
        /// Start of the overlap.
        from: DateTime<Utc>,
        /// End of the overlap.
        to: DateTime<Utc>,
    },
    /// The person would be on call in weeks closer than `rest_weeks`.
    #[error("{person} would be on call in the weeks of {first} and {second}, closer than rest_weeks = {rest_weeks} allows")]
    Rest {
        /// Who.
        person: String,
        /// The earlier week.
        first: NaiveDate,
        /// The later week.
        second: NaiveDate,
        /// The rule.
        rest_weeks: u32,
    },
    /// The person would hold more weeks within 365 days than a yearly cap
    /// allows (docs/design.md §2).
    #[error("{person} would hold {count} weeks{} from {from} to {to}, within 365 days, more than {rule} = {cap} allows", role.as_ref().map(|r| format!(" of {r}")).unwrap_or_default())]
    YearCap {
        /// Who.
        person: String,
        /// The role counted, `None` for all roles together.
        role: Option<String>,
        /// Weeks they would hold in the window.
        count: u32,
        /// The first of them.
        from: NaiveDate,
        /// The last of them.
        to: NaiveDate,
        /// `max_weeks_per_year` or `max_weeks_per_year_all`.
        rule: &'static str,
        /// The cap.
        cap: u32,
    },
}

fn utc(t: &DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

fn not_holding(role: Option<&str>, week: NaiveDate) -> String {
    match role {
        Some(r) => format!("does not hold {r} in the week of {week}"),
        None => format!("is not on call in the week of {week}"),
    }
}

pub(crate) fn person_or_refusal(ws: &Workspace, id: &str) -> Result<PersonIdx, Refusal> {
    ws.person_by_id(id).ok_or_else(|| Refusal::UnknownPerson {
        person: id.to_string(),
        suggestion: crate::input::suggest::did_you_mean(
            id,
            ws.people.iter().map(|p| p.id.as_str()),
        )
        .map(str::to_string),
    })
}

pub(crate) fn role_or_refusal(ws: &Workspace, team: TeamIdx, role: &str) -> Result<(), Refusal> {
    let t = ws.team(team);
    if t.role_by_name(role).is_some() {
        Ok(())
    } else {
        Err(Refusal::UnknownRole {
            role: role.to_string(),
            known: t.roles.iter().map(|r| r.name.clone()).collect(),
        })
    }
}

/// The timeline after adding `new` overrides (ids after every existing one).
pub fn with_overrides(
    ws: &Workspace,
    team: TeamIdx,
    slots: &[crate::schedule::timeline::PublishedSlot],
    existing: &[Override],
    new: &[NewOverride],
) -> Timeline {
    let next = existing.iter().map(|o| o.id).max().unwrap_or(0) + 1;
    let now = crate::clock::now();
    let mut all = existing.to_vec();
    all.extend(new.iter().enumerate().map(|(k, n)| Override {
        id: next + k as i64,
        role: n.role.clone(),
        person: n.person.clone(),
        start: n.start,
        end: n.end,
        reason: n.reason.clone(),
        created: now,
    }));
    Timeline::resolve(ws.team(team), slots, &all)
}

/// Checks the stretches of `after` that are not in `before` against
/// eligibility and the rules. Empty means the change may go ahead.
pub fn judge(
    ws: &Workspace,
    team: TeamIdx,
    (before, after): (&Timeline, &Timeline),
    busy: &[Busy],
) -> Vec<Refusal> {
    let t = ws.team(team);
    let old: BTreeSet<(&str, &str, DateTime<Utc>, DateTime<Utc>)> = before
        .segments
        .iter()
        .map(|s| (s.role.as_str(), s.person.as_str(), s.start, s.end))
        .collect();
    let fresh = after
        .segments
        .iter()
        .filter(|s| !old.contains(&(s.role.as_str(), s.person.as_str(), s.start, s.end)));
    let held = holdings(after);
    let had: BTreeSet<(&str, NaiveDate, &str)> = before
        .segments
        .iter()
        .map(|s| (s.person.as_str(), s.week, s.role.as_str()))
        .collect();
    let mut out: Vec<Refusal> = Vec::new();
    for s in fresh {
        let mut found = stretch_refusals(ws, t, s, busy);
        if let Some(weeks) = held.get(s.person.as_str()).filter(|_| found.1) {
            let new_week = !had.contains(&(s.person.as_str(), s.week, s.role.as_str()));
            found.0.extend(week_refusals(t, s, weeks, new_week));
        }
        for r in found.0 {
            if !out.contains(&r) {
                out.push(r);
            }
        }
    }
    out
}

/// Per person, per week, the roles they hold in `tl`.
type Holdings<'a> = BTreeMap<&'a str, BTreeMap<NaiveDate, BTreeSet<&'a str>>>;

fn holdings(tl: &Timeline) -> Holdings<'_> {
    let mut held = Holdings::new();
    for s in &tl.segments {
        held.entry(s.person.as_str())
            .or_default()
            .entry(s.week)
            .or_default()
            .insert(s.role.as_str());
    }
    held
}

/// What stops `s`'s holder taking it: who they are, eligibility for its
/// role that week, time off inside the stretch, and time on call for other
/// teams. The flag says whether the week rules can be judged at all (a
/// known member, a known role).
fn stretch_refusals(
    ws: &Workspace,
    t: &crate::model::Team,
    s: &Segment,
    busy: &[Busy],
) -> (Vec<Refusal>, bool) {
    let p = match person_or_refusal(ws, &s.person) {
        Ok(p) => p,
        Err(r) => return (vec![r], false),
    };
    let Some(role_idx) = t.role_by_name(&s.role) else {
        let known = t.roles.iter().map(|r| r.name.clone()).collect();
        let role = s.role.clone();
        return (vec![Refusal::UnknownRole { role, known }], false);
    };
    let week = week_containing(t.timezone, t.handoff, s.start);
    let ineligible = |reason: &eligibility::Ineligible| Refusal::Ineligible {
        person: s.person.clone(),
        role: s.role.clone(),
        week: s.week,
        reason: ReasonText::new(ws, reason).to_string(),
    };
    if !t.has_member(p) {
        return (vec![ineligible(&eligibility::Ineligible::NotMember)], false);
    }
    let role = &t.roles[role_idx.0];
    let mut out: Vec<Refusal> = eligibility::standing(ws, p, role, &week)
        .iter()
        .map(ineligible)
        .collect();
    // Time off counts against the stretch itself, not the whole week.
    let span = Week {
        start: s.start,
        end: s.end,
        ..week
    };
    out.extend(eligibility::time_off(ws, p, &span).iter().map(ineligible));
    out.extend(
        busy.iter()
            .filter(|b| b.clashes(&s.person, s.start, s.end))
            .map(|b| Refusal::OnCallElsewhere {
                person: s.person.clone(),
                team: b.team.clone(),
                from: b.start.max(s.start),
                to: b.end.min(s.end),
            }),
    );
    (out, true)
}

/// The rules over the weeks `s`'s holder holds after the change: one role
/// per week, the yearly caps (for a week they did not hold that role in
/// before) and `rest_weeks`.
fn week_refusals(
    t: &crate::model::Team,
    s: &Segment,
    weeks: &BTreeMap<NaiveDate, BTreeSet<&str>>,
    new_week: bool,
) -> Vec<Refusal> {
    let mut out = Vec::new();
    if let Some(other) = weeks
        .get(&s.week)
        .and_then(|roles| roles.iter().find(|r| **r != s.role))
    {
        out.push(Refusal::TwoRoles {
            person: s.person.clone(),
            week: s.week,
            roles: (s.role.clone(), (*other).to_string()),
        });
    }
    if new_week {
        out.extend(year_caps(&t.rules, weeks, s));
    }
    let rest = i64::from(t.rules.rest_weeks);
    for &w in weeks.keys() {
        let gap = (w - s.week).num_days() / 7;
        if gap != 0 && gap.abs() <= rest {
            let (first, second) = if w < s.week { (w, s.week) } else { (s.week, w) };
            out.push(Refusal::Rest {
                person: s.person.clone(),
                first,
                second,
                rest_weeks: t.rules.rest_weeks,
            });
        }
    }
    out
}

/// The yearly caps a new stretch `s` breaks, given every week and role its
/// person holds after the change (`weeks`): the first window, ending on one
/// of their weeks no earlier than `s`'s and within 365 days of it, that
/// holds more weeks than a cap, per cap. A week counts in a window when its
/// first day lies in the 365 days ending on the window's last day.
fn year_caps(
    rules: &crate::model::Rules,
    weeks: &BTreeMap<NaiveDate, BTreeSet<&str>>,
    s: &Segment,
) -> Vec<Refusal> {
    let caps = [
        (
            rules.max_weeks_per_year,
            Some(s.role.as_str()),
            "max_weeks_per_year",
        ),
        (rules.max_weeks_per_year_all, None, "max_weeks_per_year_all"),
    ];
    let mut out = Vec::new();
    for (cap, role, rule) in caps {
        let Some(cap) = cap else { continue };
        let counts = |w: &&BTreeSet<&str>| role.is_none_or(|r| w.contains(r));
        let ends = weeks
            .range(s.week..=s.week + Duration::days(364))
            .filter(|(_, roles)| counts(roles));
        for (&end, _) in ends {
            let inside: Vec<NaiveDate> = weeks
                .range(end - Duration::days(364)..=end)
                .filter(|(_, roles)| counts(roles))
                .map(|(&d, _)| d)
                .collect();
            let count = u32::try_from(inside.len()).unwrap_or(u32::MAX);
            if let (true, Some(&from)) = (count > cap, inside.first()) {
                out.push(Refusal::YearCap {
                    person: s.person.clone(),
                    role: role.map(str::to_string),
                    count,
                    from,
                    to: end,
                    rule,
                    cap,
                });
                break;
            }
        }
    }
    out
}

/// What is wrong with `[start, end)` as the span of a change: times off
/// whole seconds (the store keeps seconds), or less than one second.
pub fn span_refusals(start: DateTime<Utc>, end: DateTime<Utc>) -> Vec<Refusal> {
    let mut out = Vec::new();
    for at in [start, end] {
        if at.timestamp_subsec_nanos() != 0 {
            out.push(Refusal::FractionalSecond { at });
        }
    }
    if end - start < Duration::seconds(1) {
        out.push(Refusal::EmptySpan { start, end });
    }
    out
}

/// Validates the shape of an override request: a known person and role, a
/// span of at least one second on whole seconds, and a published holder for
/// every part of it.
///
/// # Errors
/// The refusals, when the request cannot even be judged.
pub fn validate_override(
    ws: &Workspace,
    team: TeamIdx,
    before: &Timeline,
    o: &NewOverride,
) -> Result<(), Vec<Refusal>> {
    let mut out = Vec::new();
    if let Err(r) = person_or_refusal(ws, &o.person) {
        out.push(r);
    }
    if let Err(r) = role_or_refusal(ws, team, &o.role) {
        out.push(r);
    }
    out.extend(span_refusals(o.start, o.end));
    if out.is_empty() {
        // Every instant of the span must have a holder to cover.
        let mut cursor = o.start;
        let mut segs: Vec<&Segment> = before
            .segments
            .iter()
            .filter(|s| s.role == o.role && s.end > o.start && s.start < o.end)
            .collect();
        segs.sort_by_key(|s| s.start);
        for s in segs {
            if s.start > cursor {
                out.push(Refusal::NotPublished {
                    role: o.role.clone(),
                    from: cursor,
                    to: s.start,
                });
                break;
            }
            cursor = cursor.max(s.end);
        }
        if out.is_empty() && cursor < o.end {
            out.push(Refusal::NotPublished {
                role: o.role.clone(),
                from: cursor,
                to: o.end,
            });
        }
    }
    if out.is_empty() {
        Ok(())
    } else {
        Err(out)
    }
}

/// The stretches `person` holds in `role` (any role when `None`) in the week
/// starting `week`.
fn holding<'a>(
    timeline: &'a Timeline,
    person: &'a str,
    week: NaiveDate,
    role: Option<&'a str>,
) -> impl Iterator<Item = &'a Segment> + 'a {
    timeline
        .segments
        .iter()
        .filter(move |s| s.person == person && s.week == week && role.is_none_or(|r| s.role == r))
}

/// A swap of whole weeks: `with` takes `role` in `week` from its holder and,
/// with `their_week`, the holder takes whatever `with` holds that week.
#[derive(Clone, Debug, PartialEq)]
pub struct Swap {
    /// The role whose week changes hands.
    pub role: String,
    /// The week given away (any day in it).
    pub week: NaiveDate,
    /// Who takes it.
    pub with: String,
    /// The week taken back in exchange.
    pub their_week: Option<NaiveDate>,
    /// Why.
    pub reason: String,
}

/// The overrides that carry out a [`Swap`].
///
/// # Errors
/// Refusals when someone does not hold the week they give.
pub fn swap_overrides(
    ws: &Workspace,
    team: TeamIdx,
    before: &Timeline,
    swap: &Swap,
) -> Result<Vec<NewOverride>, Vec<Refusal>> {
    let Swap {
        role,
        week,
        with,
        their_week,
        reason,
    } = swap;
    let (role, with, reason, week, their_week) = (
        role.as_str(),
        with.as_str(),
        reason.as_str(),
        *week,
        *their_week,
    );
    role_or_refusal(ws, team, role).map_err(|r| vec![r])?;
    person_or_refusal(ws, with).map_err(|r| vec![r])?;
    let t = ws.team(team);
    let week = week_of_date(ws, team, week);
    let mine: Vec<&Segment> = before
        .segments
        .iter()
        .filter(|s| s.role == role && s.week == week)
        .collect();
    if mine.is_empty() {
        let start = crate::model::time::resolve_local(t.timezone, week.and_time(t.handoff.time));
        return Err(vec![Refusal::NotPublished {
            role: role.to_string(),
            from: start,
            to: start + Duration::weeks(1),
        }]);
    }
    if mine.iter().all(|s| s.person == with) {
        return Err(vec![Refusal::AlreadyHolds {
            person: with.to_string(),
            week,
            role: role.to_string(),
        }]);
    }
    if their_week.is_some_and(|w| week_of_date(ws, team, w) == week) {
        return Err(vec![Refusal::WantsOwnWeek { week }]);
    }
    let mut out: Vec<NewOverride> = mine
        .iter()
        .map(|s| NewOverride {
            role: role.to_string(),
            person: with.to_string(),
            start: s.start,
            end: s.end,
            reason: reason.to_string(),
        })
        .collect();
    if let Some(theirs) = their_week {
        let theirs = week_of_date(ws, team, theirs);
        let holders: BTreeSet<&str> = mine.iter().map(|s| s.person.as_str()).collect();
        let Some(&holder) = holders.iter().next().filter(|_| holders.len() == 1) else {
            return Err(vec![Refusal::NotHolding {
                person: holders.into_iter().collect::<Vec<_>>().join(" and "),
                week,
                role: Some(role.to_string()),
            }]);
        };
        let back: Vec<&Segment> = holding(before, with, theirs, None).collect();
        if back.is_empty() {
            return Err(vec![Refusal::NotHolding {
                person: with.to_string(),
                week: theirs,
                role: None,
            }]);
        }
        out.extend(back.iter().map(|s| NewOverride {
            role: s.role.clone(),
            person: holder.to_string(),
            start: s.start,
            end: s.end,
            reason: reason.to_string(),
        }));
    }
    Ok(out)
}

/// Validates a swap request: `person` holds something in the week `give`,
/// every week in `want` is published and is not `give`, and no open request
/// of theirs already offers `give` for the same weeks. Weeks are first days.
///
/// # Errors
/// The refusals, when the request cannot be recorded (`--force` or not).
pub fn validate_swap_request(
    timeline: &Timeline,
    open: &[SwapRequest],
    person: &str,
    give: NaiveDate,
    want: &[NaiveDate],
) -> Result<(), Vec<Refusal>> {
    let published = |w: NaiveDate| timeline.segments.iter().any(|s| s.week == w);
    let mut out = Vec::new();
    if !published(give) {
        out.push(Refusal::WeekNotPublished { week: give });
    } else if holding(timeline, person, give, None).next().is_none() {
        out.push(Refusal::NotHolding {
            person: person.to_string(),
            week: give,
            role: None,
        });
    }
    if want.contains(&give) {
        out.push(Refusal::WantsOwnWeek { week: give });
    }
    let missing = want.iter().filter(|&&w| w != give && !published(w));
    out.extend(missing.map(|&week| Refusal::WeekNotPublished { week }));
    let asked: BTreeSet<NaiveDate> = want.iter().copied().collect();
    let repeated = open.iter().find(|r| {
        r.person == person
            && r.give == give
            && r.want.iter().copied().collect::<BTreeSet<_>>() == asked
    });
    if let Some(r) = repeated {
        out.push(Refusal::RepeatedRequest { id: r.id });
    }
    if out.is_empty() {
        Ok(())
    } else {
        Err(out)
    }
}

/// The first day of the rotation week containing local `date` (a week may be
/// named by any of its days; the handoff day names the week it starts).
pub fn week_of_date(ws: &Workspace, team: TeamIdx, date: NaiveDate) -> NaiveDate {
    let t = ws.team(team);
    let at_handoff = crate::model::time::resolve_local(t.timezone, date.and_time(t.handoff.time));
    week_containing(t.timezone, t.handoff, at_handoff).first_day
}

/// A set of swap requests granted together by [`match_swaps`].
#[derive(Clone, Debug, PartialEq)]
pub struct SwapCycle {
    /// Request ids, in cycle order: each takes the next one's week.
    pub requests: Vec<i64>,
    /// The overrides that carry it out.
    pub overrides: Vec<NewOverride>,
}

/// Finds sets of swap requests that can all be granted together: cycles in
/// the give/want graph (request `a` → request `b` when `a` wants the week `b`
/// gives), including 3-way and longer ones. Grants as many requests as
/// possible, by an exact search over vertex-disjoint cycles, of which each
/// combination must pass the rules on the resolved timeline.
pub fn match_swaps(
    ws: &Workspace,
    team: TeamIdx,
    slots: &[crate::schedule::timeline::PublishedSlot],
    overrides: &[Override],
    requests: &[SwapRequest],
    busy: &[Busy],
) -> Vec<SwapCycle> {
    let before = Timeline::resolve(ws.team(team), slots, overrides);
    // A request is usable when its person holds something in the week given.
    let usable: Vec<&SwapRequest> = requests
        .iter()
        .filter(|r| holding(&before, &r.person, r.give, None).next().is_some())
        .collect();
    let mut g: DiGraph<usize, ()> = DiGraph::new();
    let nodes: Vec<NodeIndex> = (0..usable.len()).map(|i| g.add_node(i)).collect();
    for (i, a) in usable.iter().enumerate() {
        for (j, b) in usable.iter().enumerate() {
            if i != j && a.person != b.person && a.want.contains(&b.give) {
                g.add_edge(nodes[i], nodes[j], ());
            }
        }
    }
    // Elementary cycles, each listed once from its smallest node, within
    // strongly connected components only.
    let mut cycles: Vec<Vec<usize>> = Vec::new();
    for scc in petgraph::algo::tarjan_scc(&g) {
        if scc.len() < 2 {
            continue;
        }
        let inside: BTreeSet<usize> = scc.iter().map(|n| n.index()).collect();
        for &start in &inside {
            let mut path = vec![start];
            cycles_from(&g, &inside, start, &mut path, &mut cycles);
        }
    }
    // Overrides per cycle: each request takes the next one's given week.
    let cycle_overrides = |cycle: &[usize]| -> Vec<NewOverride> {
        let mut out = Vec::new();
        for (k, &i) in cycle.iter().enumerate() {
            let j = cycle[(k + 1) % cycle.len()];
            let (taker, giver) = (usable[i], usable[j]);
            for s in holding(&before, &giver.person, giver.give, None) {
                out.push(NewOverride {
                    role: s.role.clone(),
                    person: taker.person.clone(),
                    start: s.start,
                    end: s.end,
                    reason: format!("swap request {} granted", taker.id),
                });
            }
        }
        out
    };
    // Exact search for the most requests granted by disjoint cycles that
    // pass the rules together (the request sets here are small).
    let mut best: (usize, Vec<usize>) = (0, Vec::new());
    let mut chosen: Vec<usize> = Vec::new();
    search(
        &cycles,
        0,
        &mut chosen,
        &mut BTreeSet::new(),
        &mut best,
        &|picked: &[usize]| {
            let new: Vec<NewOverride> = picked
                .iter()
                .flat_map(|&c| cycle_overrides(&cycles[c]))
                .collect();
            let after = with_overrides(ws, team, slots, overrides, &new);
            judge(ws, team, (&before, &after), busy).is_empty()
        },
    );
    best.1
        .iter()
        .map(|&c| SwapCycle {
            requests: cycles[c].iter().map(|&i| usable[i].id).collect(),
            overrides: cycle_overrides(&cycles[c]),
        })
        .collect()
}

/// Most cycles enumerated before giving up on finding more (a guard against
/// pathological request graphs).
const MAX_CYCLES: usize = 10_000;

fn cycles_from(
    g: &DiGraph<usize, ()>,
    inside: &BTreeSet<usize>,
    start: usize,
    path: &mut Vec<usize>,
    out: &mut Vec<Vec<usize>>,
) {
    let Some(&last) = path.last() else { return };
    for next in g.neighbors(NodeIndex::new(last)) {
        let n = next.index();
        if out.len() >= MAX_CYCLES {
            return;
        }
        if n == start {
            out.push(path.clone());
        } else if n > start && inside.contains(&n) && !path.contains(&n) {
            path.push(n);
            cycles_from(g, inside, start, path, out);
            path.pop();
        }
    }
}

fn search(
    cycles: &[Vec<usize>],
    from: usize,
    chosen: &mut Vec<usize>,
    used: &mut BTreeSet<usize>,
    best: &mut (usize, Vec<usize>),
    ok: &dyn Fn(&[usize]) -> bool,
) {
    let granted: usize = chosen.iter().map(|&c| cycles[c].len()).sum();
    if granted > best.0 {
        *best = (granted, chosen.clone());
    }
    // Bound: even taking every remaining compatible cycle cannot beat best.
    let rest: usize = cycles[from..]
        .iter()
        .filter(|c| c.iter().all(|n| !used.contains(n)))
        .map(Vec::len)
        .sum();
    if granted + rest <= best.0 {
        return;
    }
    for c in from..cycles.len() {
        if cycles[c].iter().any(|n| used.contains(n)) {
            continue;
        }
        chosen.push(c);
        if ok(chosen) {
            used.extend(cycles[c].iter().copied());
            search(cycles, c + 1, chosen, used, best, ok);
            for n in &cycles[c] {
                used.remove(n);
            }
        }
        chosen.pop();
    }
}

/// One person's gains and losses in a re-plan.
#[derive(Clone, Debug, PartialEq)]
pub struct DiffLine {
    /// Who.
    pub person: String,
    /// `(week, role)` newly held.
    pub gains: Vec<(NaiveDate, String)>,
    /// `(week, role)` no longer held.
    pub loses: Vec<(NaiveDate, String)>,
}

/// Who gains and loses which slot between two assignments keyed by
/// `(week, role)`.
pub fn diff(
    before: &BTreeMap<(NaiveDate, String), String>,
    after: &BTreeMap<(NaiveDate, String), String>,
) -> Vec<DiffLine> {
    let mut lines: BTreeMap<String, DiffLine> = BTreeMap::new();
    fn line<'a>(lines: &'a mut BTreeMap<String, DiffLine>, p: &str) -> &'a mut DiffLine {
        lines.entry(p.to_string()).or_insert_with(|| DiffLine {
            person: p.to_string(),
            gains: Vec::new(),
            loses: Vec::new(),
        })
    }
    let keys: BTreeSet<&(NaiveDate, String)> = before.keys().chain(after.keys()).collect();
    for key in keys {
        let (b, a) = (before.get(key), after.get(key));
        if b == a {
            continue;
        }
        if let Some(b) = b {
            line(&mut lines, b).loses.push(key.clone());
        }
        if let Some(a) = a {
            line(&mut lines, a).gains.push(key.clone());
        }
    }
    lines.into_values().collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::model::Rules;
    use crate::schedule::timeline::Source;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// A stretch of `role` for ann in the week of `week`.
    fn stretch(week: &str, role: &str) -> Segment {
        let at = day(week).and_hms_opt(12, 0, 0).unwrap().and_utc();
        Segment {
            role: role.into(),
            person: "ann".into(),
            week: day(week),
            start: at,
            end: at + Duration::days(1),
            source: Source::Override { id: 1 },
            planned: None,
            stamp: at,
        }
    }

    /// ann's weeks after the change: `(week, roles)`.
    fn held<'a>(weeks: &[(&str, &'a str)]) -> BTreeMap<NaiveDate, BTreeSet<&'a str>> {
        let mut out: BTreeMap<NaiveDate, BTreeSet<&str>> = BTreeMap::new();
        for (w, r) in weeks {
            out.entry(day(w)).or_default().insert(r);
        }
        out
    }

    #[test]
    fn a_week_past_a_cap_within_365_days_is_refused_and_one_a_year_on_is_not() {
        let rules = Rules {
            max_weeks_per_year: Some(2),
            max_weeks_per_year_all: Some(2),
            ..Rules::default()
        };
        // Primary on 2026-03-02 and 2026-08-03, secondary on 2026-10-05; the new
        // stretch is primary on 2027-02-22.
        let weeks = held(&[
            ("2026-03-02", "primary"),
            ("2026-08-03", "primary"),
            ("2026-10-05", "secondary"),
            ("2027-02-22", "primary"),
        ]);
        let got = year_caps(&rules, &weeks, &stretch("2027-02-22", "primary"));
        let said: Vec<String> = got.iter().map(ToString::to_string).collect();
        assert_eq!(
            said,
            [
                "ann would hold 3 weeks of primary from 2026-03-02 to 2027-02-22, within 365 days, more than max_weeks_per_year = 2 allows",
                "ann would hold 4 weeks from 2026-03-02 to 2027-02-22, within 365 days, more than max_weeks_per_year_all = 2 allows",
            ]
        );
        // 365 days after 2026-03-02 that week no longer counts: only the
        // all-roles cap (2026-08-03, 2026-10-05 and the new week) is broken.
        let weeks = held(&[
            ("2026-03-02", "primary"),
            ("2026-08-03", "primary"),
            ("2026-10-05", "secondary"),
            ("2027-03-08", "primary"),
        ]);
        let got = year_caps(&rules, &weeks, &stretch("2027-03-08", "primary"));
        assert!(
            matches!(
                &got[..],
                [Refusal::YearCap {
                    rule: "max_weeks_per_year_all",
                    count: 3,
                    ..
                }]
            ),
            "{got:?}"
        );
    }
}
