//! `oncall generate`: a synthetic organisation written as workspace files,
//! deterministic for a seed, that looks like a real one:
//!
//! - teams of 4 to 40 people (most of 6 to 12, a few large), grouped into
//!   departments of 3 to 5 teams; about a fifth of the people also serve on a
//!   second team of their department, a few on a third;
//! - six zones and their holiday regions, DST in both hemispheres (Sydney's
//!   clocks change in April and October, the northern zones' in March,
//!   October and November), and a zone without DST (Kolkata);
//! - tenure from weeks to years, people joining and leaving inside the first
//!   quarter, and a secondary role whose domain skill only part of the team
//!   holds;
//! - time off clustered in summer and around the new year, as real vacations
//!   are, and some spread over the year;
//! - `rest_weeks` 1 or 2 by team size, `max_shifts` on some teams (sized for
//!   a quarter), and excused absence on some;
//! - carry-over from a previous tool on about a third of the teams, and on
//!   about a third one or two pins (a long-serving member, free that week,
//!   fixed as primary in the first quarter).
//!
//! Team sizes, memberships and vacations come from the seed alone; a
//! generated workspace always loads without errors (tested).

use std::collections::BTreeSet;
use std::fmt::Write as _;

use chrono::{Datelike, Duration, NaiveDate};

/// What to generate.
#[derive(Clone, Debug)]
pub struct Spec {
    /// Number of teams.
    pub teams: usize,
    /// Random seed.
    pub seed: u64,
    /// The first day of the year to plan (time off and joiners lie around it).
    pub start: NaiveDate,
    /// Every team of exactly this many people, and no one on two teams (for
    /// benchmarks of one realistic team); `None` for the organisation's mix.
    pub size: Option<usize>,
}

/// Zones and their holiday regions.
const ZONES: [(&str, &str); 6] = [
    ("America/Los_Angeles", "US"),
    ("America/New_York", "US"),
    ("Europe/London", "UK"),
    ("Europe/Berlin", "DE"),
    ("Asia/Kolkata", "IN"),
    ("Australia/Sydney", "AU"),
];

/// Holidays per region, as `(month, day, name)`.
/// A holiday: month, day and name.
type Holiday = (u32, u32, &'static str);

const HOLIDAYS: [(&str, &[Holiday]); 5] = [
    (
        "US",
        &[
            (1, 1, "New Year's Day"),
            (5, 31, "Memorial Day"),
            (7, 5, "Independence Day"),
            (9, 6, "Labor Day"),
            (11, 25, "Thanksgiving"),
            (12, 24, "Christmas Eve"),
        ],
    ),
    (
        "UK",
        &[
            (1, 1, "New Year's Day"),
            (4, 2, "Good Friday"),
            (5, 3, "Early May bank holiday"),
            (8, 30, "Summer bank holiday"),
            (12, 27, "Christmas Day (substitute)"),
            (12, 28, "Boxing Day (substitute)"),
        ],
    ),
    (
        "DE",
        &[
            (1, 1, "Neujahr"),
            (4, 2, "Karfreitag"),
            (5, 1, "Tag der Arbeit"),
            (10, 3, "Tag der Deutschen Einheit"),
            (12, 24, "Heiligabend"),
            (12, 25, "Weihnachten"),
        ],
    ),
    (
        "IN",
        &[
            (1, 26, "Republic Day"),
            (8, 15, "Independence Day"),
            (10, 2, "Gandhi Jayanti"),
            (11, 4, "Diwali"),
        ],
    ),
    (
        "AU",
        &[
            (1, 1, "New Year's Day"),
            (1, 26, "Australia Day"),
            (4, 2, "Good Friday"),
            (4, 25, "Anzac Day"),
            (12, 27, "Christmas Day (substitute)"),
            (12, 28, "Boxing Day (substitute)"),
        ],
    ),
];

const DOMAINS: [&str; 12] = [
    "payments",
    "ledger",
    "search",
    "identity",
    "storage",
    "billing",
    "mobile",
    "network",
    "data",
    "checkout",
    "messaging",
    "platform",
];

const FIRST: [&str; 20] = [
    "ada", "ben", "chen", "dara", "emil", "fatima", "gus", "hana", "ivan", "jun", "kofi", "lena",
    "maya", "nils", "omar", "priya", "quinn", "rosa", "sven", "tara",
];

const LAST: [&str; 12] = [
    "Okafor", "Schmidt", "Nakamura", "Silva", "Kowalski", "Patel", "Garcia", "Haddad", "Larsen",
    "Moreau", "Ivanova", "Brown",
];

/// One generated person.
struct Person {
    id: String,
    name: String,
    zone: usize,
    joined: NaiveDate,
    left: Option<NaiveDate>,
    skills: BTreeSet<String>,
}

/// One generated team.
struct Team {
    id: String,
    zone: usize,
    members: Vec<usize>,
    department: usize,
}

/// The workspace files, as `(relative path, contents)`.
pub fn generate(spec: &Spec) -> Vec<(String, String)> {
    let mut rng = fastrand::Rng::with_seed(spec.seed);
    let (mut people, mut teams) = (Vec::new(), Vec::new());
    let mut department = 0;
    let mut left_in_department = 0;
    for t in 0..spec.teams {
        if left_in_department == 0 {
            department += 1;
            left_in_department = rng.usize(3..=5);
        }
        left_in_department -= 1;
        teams.push(new_team(&mut rng, spec, t, department, &mut people));
    }
    if spec.size.is_none() {
        share_people(&mut rng, &mut teams, people.len());
    }
    let off = time_off(&mut rng, spec, &people);
    let mut files = vec![
        ("oncall.toml".to_string(), org_toml(spec)),
        ("people.csv".to_string(), people_csv(&people)),
        (
            "time-off/generated.toml".to_string(),
            time_off_toml(&people, &off),
        ),
    ];
    let mut teams_of = vec![0usize; people.len()];
    for &p in teams.iter().flat_map(|t| &t.members) {
        teams_of[p] += 1;
    }
    for (t, team) in teams.iter().enumerate() {
        let handoff = handoff(&mut rng);
        let mut text = team_toml(&mut rng, team, handoff, &people);
        let who = Roster {
            people: &people,
            off: &off,
            teams_of: &teams_of,
        };
        text.push_str(&carry_and_pins(spec, (t, team), handoff.0, &who));
        files.push((format!("teams/{}.toml", team.id), text));
    }
    files
}

/// Who the people are, when they are off, and on how many teams they serve.
struct Roster<'a> {
    people: &'a [Person],
    off: &'a [Vec<(NaiveDate, NaiveDate)>],
    teams_of: &'a [usize],
}

/// The handoff: weekday and time (most teams on Mondays).
fn handoff(rng: &mut fastrand::Rng) -> (&'static str, &'static str) {
    match rng.u32(0..10) {
        0..=6 => ("monday", ["09:00", "10:00"][rng.usize(0..2)]),
        7..=8 => ("wednesday", "10:00"),
        _ => ("friday", "17:00"),
    }
}

/// Carry-over from a previous tool on about a third of the teams (always
/// on a benchmark's one team), and on about a third one or two pins: a long-serving member who serves this
/// team alone, free that week, fixed as primary for a week of the first
/// quarter. Drawn from a generator of their own, so that the rest of the
/// organisation is the same as without them.
fn carry_and_pins(
    spec: &Spec,
    (t, team): (usize, &Team),
    weekday: &str,
    who: &Roster<'_>,
) -> String {
    let mut rng =
        fastrand::Rng::with_seed(spec.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (t as u64 + 1));
    // A benchmark's one team (`size`) always has both.
    let always = spec.size.is_some();
    let mut s = String::new();
    if always || rng.u32(0..3) == 0 {
        // One to three members (one entry each) carry load from before.
        let mut carried = std::collections::BTreeMap::new();
        for _ in 0..rng.usize(1..=3) {
            let p = team.members[rng.usize(0..team.members.len())];
            carried.insert(who.people[p].id.as_str(), f64::from(rng.u32(1..=16)) * 0.5);
        }
        s.push_str("\n[carry]\n");
        for (id, load) in carried {
            let _ = writeln!(s, "\"{id}\" = {load:.1}");
        }
    }
    if always || rng.u32(0..3) == 0 {
        s.push_str(&pins(&mut rng, spec, team, weekday, who));
    }
    s
}

/// One or two pins of long-serving members, free that week, to primary.
fn pins(
    rng: &mut fastrand::Rng,
    spec: &Spec,
    team: &Team,
    weekday: &str,
    who: &Roster<'_>,
) -> String {
    let first = first_handoff(spec.start, weekday);
    let veteran = |p: usize| {
        let person = &who.people[p];
        who.teams_of[p] == 1
            && person.left.is_none()
            && person.joined + Duration::days(400) <= spec.start
    };
    let free = |p: usize, day: NaiveDate| {
        who.off[p]
            .iter()
            .all(|&(from, to)| to < day || from > day + Duration::days(7))
    };
    let mut taken: Vec<(usize, i64)> = Vec::new();
    let mut s = String::new();
    let wanted = rng.usize(1..=2);
    for _ in 0..20 {
        if taken.len() == wanted {
            break;
        }
        let p = team.members[rng.usize(0..team.members.len())];
        let k = i64::from(rng.u32(1..12));
        let day = first + Duration::weeks(k);
        let apart = taken.iter().all(|&(q, j)| q != p && (j - k).abs() >= 2);
        if veteran(p) && free(p, day) && apart {
            taken.push((p, k));
            let _ = write!(
                s,
                "\n[[pins]]\nweek = \"{day}\"\nrole = \"primary\"\nperson = \"{}\"\n",
                who.people[p].id
            );
        }
    }
    s
}

/// The first day on or after `start` that is `weekday`.
fn first_handoff(start: NaiveDate, weekday: &str) -> NaiveDate {
    let target = match weekday {
        "wednesday" => chrono::Weekday::Wed,
        "friday" => chrono::Weekday::Fri,
        _ => chrono::Weekday::Mon,
    };
    let ahead = (7 + target.num_days_from_monday() - start.weekday().num_days_from_monday()) % 7;
    start + Duration::days(i64::from(ahead))
}

/// A team size: most 6 to 12, some 13 to 20, a few 4 or 5 or up to 40.
fn team_size(rng: &mut fastrand::Rng) -> usize {
    match rng.u32(0..20) {
        0..=1 => rng.usize(4..=5),
        2..=12 => rng.usize(6..=12),
        13..=18 => rng.usize(13..=20),
        _ => rng.usize(21..=40),
    }
}

fn new_team(
    rng: &mut fastrand::Rng,
    spec: &Spec,
    t: usize,
    department: usize,
    people: &mut Vec<Person>,
) -> Team {
    let domain = DOMAINS[t % DOMAINS.len()];
    let id = format!("{domain}-{:03}", t + 1);
    let zone = rng.usize(0..ZONES.len());
    let size = spec.size.unwrap_or_else(|| team_size(rng));
    let mut members = Vec::with_capacity(size);
    for k in 0..size {
        let n = people.len() + 1;
        let first = FIRST[rng.usize(0..FIRST.len())];
        let last = LAST[rng.usize(0..LAST.len())];
        let mut skills = BTreeSet::new();
        // The domain skill: about half the team, and the first three always.
        if k < 3 || rng.bool() {
            skills.insert(domain.to_string());
        }
        let own_zone = if rng.u32(0..10) < 7 {
            zone
        } else {
            rng.usize(0..ZONES.len())
        };
        let (joined, left) = tenure(rng, spec.start);
        members.push(people.len());
        people.push(Person {
            id: format!("{first}-{n:04}"),
            name: format!("{} {last}", capitalised(first)),
            zone: own_zone,
            joined,
            left,
            skills,
        });
    }
    Team {
        id,
        zone,
        members,
        department,
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// When a person joined and left: most years ago, some within the last
/// half-year, a few joining or leaving inside the first quarter.
fn tenure(rng: &mut fastrand::Rng, start: NaiveDate) -> (NaiveDate, Option<NaiveDate>) {
    let day = |d: i64| start + Duration::days(d);
    let joined = match rng.u32(0..20) {
        0 => day(i64::from(rng.u32(0..60))),
        1..=2 => day(-i64::from(rng.u32(30..200))),
        _ => day(-i64::from(rng.u32(400..3000))),
    };
    let left = (rng.u32(0..20) == 0).then(|| day(i64::from(rng.u32(20..85))));
    (joined, left.filter(|l| *l > joined))
}

/// About a fifth of the people also join another team of their department,
/// and a few a third.
fn share_people(rng: &mut fastrand::Rng, teams: &mut [Team], count: usize) {
    for p in 0..count {
        let extra = match rng.u32(0..100) {
            0..=2 => 2,
            3..=19 => 1,
            _ => 0,
        };
        let Some(home) = teams.iter().position(|t| t.members.contains(&p)) else {
            continue;
        };
        let dept = teams[home].department;
        let mut others: Vec<usize> = (0..teams.len())
            .filter(|&t| t != home && teams[t].department == dept && teams[t].members.len() < 40)
            .collect();
        rng.shuffle(&mut others);
        for &t in others.iter().take(extra) {
            teams[t].members.push(p);
        }
    }
}

fn org_toml(spec: &Spec) -> String {
    let year = spec.start.year();
    let mut s = String::from(
        "# A generated organisation (`oncall generate`).\ntimezone = \"America/New_York\"\n\n\
         [load]\nweekday = 1.0\nweekend = 1.5\nholiday = 2.0\n",
    );
    for (region, days) in HOLIDAYS {
        let _ = write!(s, "\n[holidays.{region}]\n");
        for &(m, d, name) in days {
            if let Some(date) = NaiveDate::from_ymd_opt(year, m, d) {
                let _ = writeln!(s, "\"{date}\" = \"{name}\"");
            }
        }
    }
    s
}

fn people_csv(people: &[Person]) -> String {
    let mut out = csv::Writer::from_writer(Vec::new());
    let _ = out.write_record([
        "id", "name", "email", "timezone", "region", "joined", "left", "skills",
    ]);
    for p in people {
        let (zone, region) = ZONES[p.zone];
        let skills: Vec<&str> = p.skills.iter().map(String::as_str).collect();
        let _ = out.write_record([
            p.id.as_str(),
            p.name.as_str(),
            &format!("{}@example.com", p.id),
            zone,
            region,
            &p.joined.to_string(),
            &p.left.map(|d| d.to_string()).unwrap_or_default(),
            &skills.join(";"),
        ]);
    }
    String::from_utf8(out.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// One to three blocks per person: summer, around the new year, or any time.
fn time_off(
    rng: &mut fastrand::Rng,
    spec: &Spec,
    people: &[Person],
) -> Vec<Vec<(NaiveDate, NaiveDate)>> {
    let year = spec.start.year();
    let mut all = Vec::with_capacity(people.len());
    for _ in people {
        let mut blocks = Vec::new();
        for _ in 0..rng.usize(1..=3) {
            let from = match rng.u32(0..10) {
                0..=3 => NaiveDate::from_ymd_opt(year, 7, 1)
                    .map(|d| d + Duration::days(i64::from(rng.u32(0..55)))),
                4..=6 => NaiveDate::from_ymd_opt(year, 12, 15)
                    .map(|d| d + Duration::days(i64::from(rng.u32(0..14)))),
                _ => Some(spec.start + Duration::days(i64::from(rng.u32(0..360)))),
            };
            let Some(from) = from else { continue };
            let to = from + Duration::days(i64::from(rng.u32(2..14)));
            blocks.push((from, to));
        }
        all.push(blocks);
    }
    all
}

fn time_off_toml(people: &[Person], off: &[Vec<(NaiveDate, NaiveDate)>]) -> String {
    let mut s = String::new();
    for (p, blocks) in people.iter().zip(off) {
        for (from, to) in blocks {
            let _ = write!(
                s,
                "[[time_off]]\nperson = \"{}\"\nstart = \"{from}\"\nend = \"{to}\"\nreason = \"vacation\"\n\n",
                p.id
            );
        }
    }
    s
}

fn team_toml(
    rng: &mut fastrand::Rng,
    team: &Team,
    (weekday, time): (&str, &str),
    people: &[Person],
) -> String {
    let (zone, region) = ZONES[team.zone];
    let size = team.members.len();
    let members: Vec<String> = team
        .members
        .iter()
        .map(|&p| format!("\"{}\"", people[p].id))
        .collect();
    let domain = team.id.split('-').next().unwrap_or("ops");
    let mut s = format!(
        "name = \"{}\"\ntimezone = \"{zone}\"\nholidays = \"{region}\"\nmembers = [{}]\n\
         handoff = {{ weekday = \"{weekday}\", time = \"{time}\" }}\nescalation = [\"primary\"]\n\n\
         [[roles]]\nname = \"primary\"\nweight = 1.0\nmin_tenure_days = {}\n",
        capitalised(domain),
        members.join(", "),
        [60, 90][rng.usize(0..2)]
    );
    let roles: usize = if size >= 6 { 2 } else { 1 };
    if roles == 2 {
        s = s.replace(
            "escalation = [\"primary\"]",
            "escalation = [\"primary\", \"secondary\"]",
        );
        let _ = write!(
            s,
            "\n[[roles]]\nname = \"secondary\"\nweight = 0.5\nmin_tenure_days = 180\nskills = [\"{domain}\"]\n"
        );
    }
    let rest = if size >= 20 { 2 } else { 1 };
    let _ = write!(s, "\n[rules]\nrest_weeks = {rest}\n");
    if size >= 10 && rng.u32(0..5) == 0 {
        let per_person = (13 * roles).div_ceil(size) + 2;
        let _ = writeln!(s, "max_shifts = {per_person}");
    }
    if rng.u32(0..5) == 0 {
        let _ = write!(s, "\n[fairness]\nabsence = \"excused\"\n");
    }
    s
}

/// Writes `files` into `dir`, creating it; refuses, before writing anything,
/// when any of them exists.
///
/// # Errors
/// An existing file, or a write that fails.
pub fn write_files(
    dir: &std::path::Path,
    files: &[(String, String)],
) -> Result<Vec<std::path::PathBuf>, super::example::InitError> {
    let pairs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    super::example::write_all(dir, &pairs)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::model::PersonIdx;

    fn spec(teams: usize, seed: u64) -> Spec {
        Spec {
            teams,
            seed,
            start: NaiveDate::from_ymd_opt(2027, 1, 4).unwrap(),
            size: None,
        }
    }

    #[test]
    fn the_same_seed_writes_the_same_files_and_another_seed_others() {
        assert_eq!(generate(&spec(20, 5)), generate(&spec(20, 5)));
        assert_ne!(generate(&spec(20, 5)), generate(&spec(20, 6)));
    }

    /// Every generated organisation loads without errors, and looks like a
    /// real one: team sizes 4 to 40, people on two or three teams, several
    /// zones with DST in both hemispheres and one without, joiners, leavers.
    #[test]
    fn generated_organisations_load_and_have_a_realistic_mix() {
        for seed in [1, 2, 3] {
            let dir = tempfile::tempdir().unwrap();
            write_files(dir.path(), &generate(&spec(60, seed))).unwrap();
            let ws = crate::input::load_workspace(dir.path()).unwrap();
            assert_eq!(ws.teams.len(), 60);
            let sizes: Vec<usize> = ws.teams.iter().map(|t| t.members.len()).collect();
            assert!(sizes.iter().any(|&s| s > 20), "{sizes:?}");
            assert!(sizes.iter().all(|n| (4..=40).contains(n)), "{sizes:?}");
            let teams_of = |p: usize| {
                ws.teams
                    .iter()
                    .filter(|t| t.has_member(PersonIdx(p)))
                    .count()
            };
            let shared = (0..ws.people.len()).filter(|&p| teams_of(p) > 1).count();
            let share = shared as f64 / ws.people.len() as f64;
            assert!((0.1..0.3).contains(&share), "{share}");
            assert!((0..ws.people.len()).any(|p| teams_of(p) == 3));
            let zones: BTreeSet<String> = ws
                .people
                .iter()
                .map(|p| p.timezone.name().to_string())
                .collect();
            assert!(
                zones.contains("Australia/Sydney") && zones.contains("Asia/Kolkata"),
                "{zones:?}"
            );
            let start = NaiveDate::from_ymd_opt(2027, 1, 4).unwrap();
            assert!(ws.people.iter().any(|p| p.joined > start));
            assert!(ws.people.iter().any(|p| p.left.is_some()));
            assert!(ws.teams.iter().any(|t| t.rules.rest_weeks == 2));
            assert!(ws.teams.iter().any(|t| t.rules.max_shifts.is_some()));
            let carrying = ws.teams.iter().filter(|t| !t.carry.is_empty()).count();
            let pinned = ws.teams.iter().filter(|t| !t.pins.is_empty()).count();
            assert!(
                (8..=35).contains(&carrying),
                "{carrying} of 60 teams carry load"
            );
            assert!((8..=35).contains(&pinned), "{pinned} of 60 teams have pins");
            let summer = ws
                .time_off
                .iter()
                .filter(|t| t.start.month() == 7 || t.start.month() == 8)
                .count();
            assert!(
                summer * 4 > ws.time_off.len(),
                "time off clusters in summer"
            );
        }
    }
}
