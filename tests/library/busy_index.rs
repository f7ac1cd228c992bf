//! The busy index gives the judgements of the full rebuild: on random
//! organisations (people on several teams, some teams that allow overlap,
//! timelines naming members and non-members), for every team, the time its
//! members hold elsewhere is the same, in the same order, as a scan of every
//! timeline; also after a team's timeline is replaced within a transaction,
//! and for any subset of its people.

use chrono::{DateTime, Duration, TimeZone, Utc};
use oncall::model::{PersonIdx, Rules, TeamIdx, Workspace};
use oncall::schedule::busy_index::BusyIndex;
use oncall::schedule::timeline::{busy_elsewhere, Segment, Source, Timeline};
use proptest::prelude::*;

use crate::support::model::{person, role, workspace};

/// A random organisation: `people` people, one team per entry of `teams`
/// (its members as bits of a mask, and whether it allows overlap).
fn organisation(people: usize, teams: &[(u32, bool)]) -> Workspace {
    let tz = chrono_tz::Europe::Berlin;
    let roster = (0..people)
        .map(|p| person(&format!("p{p}"), tz, "2020-01-01", &[]))
        .collect();
    let mut ws = workspace(
        tz,
        roster,
        vec![role("primary", 1.0, 0, &[])],
        Rules::default(),
    );
    let template = ws.teams[0].clone();
    ws.teams = teams
        .iter()
        .enumerate()
        .map(|(k, (mask, overlap))| {
            let mut t = template.clone();
            t.id = format!("team{k:02}");
            t.members = (0..people)
                .filter(|p| mask & (1 << p) != 0)
                .map(PersonIdx)
                .collect();
            t.allow_overlap = *overlap;
            t
        })
        .collect();
    ws
}

/// A segment: (person, start hour, length in hours).
type Seg = (usize, u32, u32);

fn timeline(ws: &Workspace, team: usize, segs: &[Seg]) -> Timeline {
    let origin = Utc.with_ymd_and_hms(2027, 1, 4, 9, 0, 0).unwrap();
    let at = |h: u32| -> DateTime<Utc> { origin + Duration::hours(i64::from(h)) };
    Timeline {
        team: ws.teams[team].id.clone(),
        segments: segs
            .iter()
            .map(|&(p, start, len)| Segment {
                role: "primary".into(),
                person: format!("p{p}"),
                week: origin.date_naive(),
                start: at(start),
                end: at(start + len),
                source: Source::Plan { version: 1 },
                planned: None,
                stamp: origin,
            })
            .collect(),
    }
}

fn segments(people: usize) -> impl Strategy<Value = Vec<Seg>> {
    // A person past the roster (`people`) is named too: a timeline may hold
    // someone who has left it.
    prop::collection::vec((0..=people, 0u32..400, 1u32..200), 0..12)
}

/// One case: people, teams, each team's segments, the team replaced, its
/// new segments, and a subset of people as a bit mask.
type Case = (usize, Vec<(u32, bool)>, Vec<Vec<Seg>>, usize, Vec<Seg>, u32);

fn case() -> impl Strategy<Value = Case> {
    (2usize..9).prop_flat_map(|people| {
        let teams = prop::collection::vec((0u32..(1 << people), any::<bool>()), 1..7);
        teams.prop_flat_map(move |teams| {
            let n = teams.len();
            (
                Just(people),
                Just(teams),
                prop::collection::vec(segments(people), n),
                0..n,
                segments(people),
                0u32..(1 << people),
            )
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn the_index_judges_as_the_full_rebuild(
        (people, teams, segs, replaced, new_segs, subset) in case()
    ) {
        let ws = organisation(people, &teams);
        let mut timelines: Vec<Timeline> = segs
            .iter()
            .enumerate()
            .map(|(t, s)| timeline(&ws, t, s))
            .collect();
        let mut index = BusyIndex::new(&timelines);
        for t in (0..ws.teams.len()).map(TeamIdx) {
            prop_assert_eq!(index.busy_elsewhere(&ws, t), busy_elsewhere(&ws, t, &timelines));
        }
        // A plan staged in the transaction replaces one team's timeline.
        let staged = timeline(&ws, replaced, &new_segs);
        index.replace(TeamIdx(replaced), &staged);
        timelines[replaced] = staged;
        for t in (0..ws.teams.len()).map(TeamIdx) {
            let full = busy_elsewhere(&ws, t, &timelines);
            prop_assert_eq!(index.busy_elsewhere(&ws, t), full.clone());
            // A single change asks about the people it touches only.
            let some: Vec<String> = (0..people)
                .filter(|p| subset & (1 << p) != 0)
                .map(|p| format!("p{p}"))
                .collect();
            let asked = index.busy_of(&ws, t, some.iter().map(String::as_str));
            let expected: Vec<_> = full.into_iter().filter(|b| some.contains(&b.person)).collect();
            prop_assert_eq!(asked, expected);
        }
    }
}
