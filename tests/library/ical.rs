//! Calendar interop: every feed oncall writes is read back by Python's
//! `icalendar` and `recurring_ical_events`, parsers written by other people,
//! and compared with the resolved timeline; the time-off fixtures are read by
//! both oncall and those parsers and must give the same days.
//!
//! The Python packages are required: `scripts/test.sh` installs them. Only
//! with `ONCALL_SKIP_PY=1` do these tests skip them (loudly).

use crate::support::workspace::copy_dir;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use oncall::calendar::feed::{self, FeedEvent, Sequences};
use oncall::input::calendar::CalendarTimeOff;
use oncall::model::{
    CalendarCount, CalendarPolicy, Origin, PersonIdx, TeamIdx, TimeOff, TimeOffKind, Workspace,
};
use oncall::plan::horizon::HorizonSpec;
use oncall::plan::optimise::{self, PlanOptions};
use oncall::schedule::timeline::{Override, PublishedSlot, Timeline};
use oncall::text::ics::escape_text;
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The Python interpreter with both packages, or `None` when skipping is
/// allowed. Fails the test otherwise.
fn python() -> Option<String> {
    let py = std::env::var("ONCALL_PYTHON").unwrap_or_else(|_| "python3".to_string());
    let ok = Command::new(&py)
        .args(["-c", "import icalendar, recurring_ical_events"])
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if ok {
        return Some(py);
    }
    if std::env::var("ONCALL_SKIP_PY").as_deref() == Ok("1") {
        eprintln!(
            "\n!!!!!! SKIPPING the calendar interop checks: `{py}` lacks icalendar / \
             recurring_ical_events and ONCALL_SKIP_PY=1 is set !!!!!!\n"
        );
        return None;
    }
    panic!(
        "`{py}` cannot import icalendar and recurring_ical_events; run scripts/test.sh, or \
         `python3 -m pip install --user icalendar recurring_ical_events` (set ONCALL_PYTHON to \
         pick an interpreter; ONCALL_SKIP_PY=1 skips these checks locally)"
    );
}

fn run_py(py: &str, args: &[&str]) -> Value {
    let out = Command::new(py)
        .arg(root().join("tests/py/ics_check.py"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "ics_check.py {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn utc(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0).single().unwrap()
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The `dst` example (Berlin, spring change on 2027-03-28) with long
/// non-ASCII names and TEXT specials, so folding and escaping are exercised.
fn dst_workspace() -> Workspace {
    let mut ws = oncall::input::load_workspace(&root().join("data/dst")).unwrap();
    for p in ws.people.iter_mut() {
        p.name = format!(
            "{} Ødegård-Łukasiewicz; “Zoë” Ångström, 日本語の名前 😀",
            p.name
        );
    }
    ws
}

/// Plans `ws` over six weeks from 2027-03-01 (across the spring change),
/// checks the plan independently and returns it as published slots.
fn publish(ws: &Workspace, version: u32, published: DateTime<Utc>) -> Vec<PublishedSlot> {
    let spec = HorizonSpec::Weeks {
        from: NaiveDate::from_ymd_opt(2027, 3, 1).unwrap(),
        weeks: 6,
    };
    let plan = optimise::plan(ws, TeamIdx(0), &spec, &PlanOptions::default()).unwrap();
    crate::support::model::assert_checked(ws, &plan);
    assert!(plan.unfilled.is_empty());
    plan.to_doc(ws)
        .shifts
        .into_iter()
        .map(|s| PublishedSlot {
            version,
            week: s.week,
            role: s.role,
            person: s.person,
            start: s.start,
            end: s.end,
            load: s.load,
            published,
        })
        .collect()
}

fn overrides(slots: &[PublishedSlot]) -> Vec<Override> {
    let primary = |week: &str| {
        slots
            .iter()
            .find(|s| s.role == "primary" && s.week.to_string() == week)
            .unwrap()
            .person
            .clone()
    };
    let secondary = |week: &str| {
        slots
            .iter()
            .find(|s| s.role == "secondary" && s.week.to_string() == week)
            .unwrap()
            .person
            .clone()
    };
    vec![
        // A Saturday taken out of the DST week's primary shift by its secondary.
        Override {
            id: 1,
            role: "primary".into(),
            person: secondary("2027-03-22"),
            start: utc(2027, 3, 27, 8),
            end: utc(2027, 3, 28, 8),
            reason: "swap a day".into(),
            created: utc(2027, 2, 20, 12),
        },
        // Cover across the handoff of 2027-03-08.
        Override {
            id: 2,
            role: "primary".into(),
            person: primary("2027-03-15"),
            start: utc(2027, 3, 7, 12),
            end: utc(2027, 3, 9, 12),
            reason: "cover".into(),
            created: utc(2027, 2, 21, 12),
        },
    ]
}

fn feeds_of(
    ws: &Workspace,
    tl: &Timeline,
    seqs: &mut Sequences,
) -> (Vec<FeedEvent>, BTreeMap<String, String>) {
    let mut events = feed::events(ws, std::slice::from_ref(tl));
    seqs.assign(&mut events);
    let mut files = BTreeMap::new();
    for f in feed::person_feeds(ws, &events)
        .into_iter()
        .chain(feed::team_feeds(ws, &events))
    {
        files.insert(f.file_name, f.text);
    }
    (events, files)
}

/// Writes the feeds to a temp dir and parses them all in Python.
fn parse_in_python(py: &str, files: &BTreeMap<String, String>) -> BTreeMap<String, Value> {
    let dir = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    for (name, text) in files {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        paths.push(p.to_str().unwrap().to_string());
    }
    let mut args = vec!["feeds"];
    args.extend(paths.iter().map(String::as_str));
    let parsed = run_py(py, &args);
    parsed
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| {
            let name = Path::new(k)
                .file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .to_string();
            (name, v.clone())
        })
        .collect()
}

#[test]
fn feeds_parse_elsewhere_and_match_the_timeline_across_dst() {
    let Some(py) = python() else { return };
    let ws = dst_workspace();
    let slots = publish(&ws, 1, utc(2027, 2, 15, 9));
    let tl = Timeline::resolve(ws.team(TeamIdx(0)), &slots, &overrides(&slots));
    // The overrides really split shifts.
    assert!(tl.segments.len() > slots.len() + 2, "{}", tl.segments.len());
    let (events, files) = feeds_of(&ws, &tl, &mut Sequences::new());
    let parsed = parse_in_python(&py, &files);
    assert_eq!(parsed.len(), ws.people.len() + 1);

    let by_uid: BTreeMap<&str, &FeedEvent> = events.iter().map(|e| (e.uid.as_str(), e)).collect();
    assert_eq!(
        by_uid.len(),
        tl.segments.len(),
        "one event and UID per segment"
    );
    let mut seen_in_person_feeds = 0;
    for (name, cal) in &parsed {
        assert_eq!(cal["problems"], Value::Array(vec![]), "{name}");
        assert_eq!(cal["version"], "2.0");
        assert_eq!(cal["refresh"], "PT1H");
        assert_eq!(cal["refresh_value"], "DURATION");
        assert_eq!(cal["ttl"], "PT1H");
        assert_eq!(
            cal["method"],
            Value::Null,
            "{name}: no METHOD without ORGANIZER"
        );
        let person = name
            .strip_prefix("person-")
            .and_then(|n| n.strip_suffix(".ics"));
        let expected: Vec<_> = match person {
            Some(p) => {
                let idx = ws.person_by_id(p).unwrap();
                // X-WR-CALNAME is TEXT (RFC 5545 §3.8.8.2 default for X-
                // properties), so it is escaped; icalendar, not knowing the
                // property, hands it back raw.
                assert_eq!(
                    cal["calname"],
                    escape_text(&format!("On call: {}", ws.person(idx).name))
                );
                tl.of_person(p).collect()
            }
            None => {
                assert_eq!(name, "team-platform.ics");
                assert_eq!(cal["calname"], "On call: Platform");
                tl.segments.iter().collect()
            }
        };
        let got = cal["events"].as_array().unwrap();
        assert_eq!(got.len(), expected.len(), "{name}");
        if person.is_some() {
            seen_in_person_feeds += got.len();
        }
        for seg in expected {
            let e = got
                .iter()
                .find(|e| {
                    e["start"] == rfc3339(seg.start)
                        && e["end"] == rfc3339(seg.end)
                        && by_uid[e["uid"].as_str().unwrap()].person == seg.person
                })
                .unwrap_or_else(|| panic!("{name}: no event for {seg:?}"));
            let ours = by_uid[e["uid"].as_str().unwrap()];
            assert_eq!(ours.role, seg.role);
            assert_eq!(e["stamp"], rfc3339(seg.stamp));
            assert_eq!(e["sequence"], 0);
            assert_eq!(e["transp"], "TRANSPARENT");
            assert_eq!(e["busy"], "FREE");
            assert_eq!(e["description"], ours.description.as_str());
            let summary = format!("On call: Platform {}", seg.role);
            match person {
                Some(_) => assert_eq!(e["summary"], summary.as_str()),
                None => assert_eq!(
                    e["summary"],
                    format!("{summary} ({})", ours.person_name).as_str()
                ),
            }
        }
    }
    assert_eq!(seen_in_person_feeds, tl.segments.len());

    // The spring-forward week is 167 hours, as every parser sees it.
    let team = &parsed["team-platform.ics"]["events"];
    let dst_week: Vec<&Value> = team
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| {
            e["uid"]
                .as_str()
                .unwrap()
                .contains("-secondary-2027-03-22-")
        })
        .collect();
    assert_eq!(dst_week.len(), 1);
    assert_eq!(dst_week[0]["start"], "2027-03-22T08:00:00Z");
    assert_eq!(dst_week[0]["end"], "2027-03-29T07:00:00Z");

    // The description names the handoffs, the other role and the chain.
    let e = events
        .iter()
        .find(|e| e.role == "primary" && e.week.to_string() == "2027-03-01")
        .unwrap();
    let secondary = tl.holder("secondary", e.start).unwrap();
    assert!(
        e.description
            .contains("From Mon 2027-03-01 09:00 CET (2027-03-01 08:00 UTC)"),
        "{}",
        e.description
    );
    assert!(e.description.contains(&format!(
        "Secondary at the start: {}",
        feed_name(&ws, &secondary.person)
    )));
    assert!(e.description.contains(&format!(
        "Escalation: 1. primary: {}, 2. secondary: {}, 3. manager: {}",
        feed_name(&ws, &e.person),
        feed_name(&ws, &secondary.person),
        feed_name(&ws, "anna")
    )));
}

fn feed_name(ws: &Workspace, id: &str) -> String {
    ws.person(ws.person_by_id(id).unwrap()).name.clone()
}

#[test]
fn an_unchanged_schedule_gives_byte_identical_feeds() {
    let ws = dst_workspace();
    let slots = publish(&ws, 1, utc(2027, 2, 15, 9));
    let tl = Timeline::resolve(ws.team(TeamIdx(0)), &slots, &overrides(&slots));
    let mut seqs = Sequences::new();
    let (_, first) = feeds_of(&ws, &tl, &mut seqs);
    // A later run, with the sequences as stored, and the inputs loaded afresh.
    let stored: Vec<_> = feed::events(&ws, std::slice::from_ref(&tl))
        .into_iter()
        .filter_map(|e| seqs.get(&e.uid).map(|s| (e.uid.clone(), *s)))
        .collect();
    let mut again = Sequences::from_entries(stored);
    let ws2 = dst_workspace();
    let slots2 = publish(&ws2, 1, utc(2027, 2, 15, 9));
    let tl2 = Timeline::resolve(ws2.team(TeamIdx(0)), &slots2, &overrides(&slots2));
    let (mut events, second) = feeds_of(&ws2, &tl2, &mut again);
    assert_eq!(first, second);
    assert!(again.assign(&mut events).is_empty(), "nothing to store");
}

#[test]
fn uids_survive_a_replan_and_sequence_rises_when_times_change() {
    let py = python();
    let ws = dst_workspace();
    let v1 = publish(&ws, 1, utc(2027, 2, 15, 9));
    let team = ws.team(TeamIdx(0)).clone();
    let mut seqs = Sequences::new();
    let (before, _) = feeds_of(&ws, &Timeline::resolve(&team, &v1, &[]), &mut seqs);

    // New time off for the person on primary in the week of 2027-03-15: a
    // replan must move that slot.
    let moved = v1
        .iter()
        .find(|s| s.role == "primary" && s.week.to_string() == "2027-03-15")
        .unwrap()
        .clone();
    let mut ws2 = ws.clone();
    ws2.time_off.push(TimeOff {
        person: ws2.person_by_id(&moved.person).unwrap(),
        start: NaiveDate::from_ymd_opt(2027, 3, 16).unwrap(),
        end: NaiveDate::from_ymd_opt(2027, 3, 17).unwrap(),
        reason: "dentist".into(),
        kind: TimeOffKind::Leave,
        origin: Origin::default(),
    });
    let v2 = publish(&ws2, 2, utc(2027, 2, 20, 9));
    let all: Vec<PublishedSlot> = v1.iter().chain(&v2).cloned().collect();
    let (after, files) = feeds_of(&ws2, &Timeline::resolve(&team, &all, &[]), &mut seqs);
    let old: BTreeMap<&str, &FeedEvent> = before.iter().map(|e| (e.uid.as_str(), e)).collect();
    let mut kept = 0;
    for s in &v2 {
        let same = v1
            .iter()
            .any(|o| o.role == s.role && o.week == s.week && o.person == s.person);
        let e = after
            .iter()
            .find(|e| e.role == s.role && e.week == s.week)
            .unwrap();
        assert_eq!(e.person, s.person);
        if same {
            kept += 1;
            assert!(old.contains_key(e.uid.as_str()), "{} kept its UID", e.uid);
            assert_eq!(e.sequence, 0);
        } else {
            assert!(!old.contains_key(e.uid.as_str()), "{} is new", e.uid);
        }
    }
    assert!(kept > 0, "some slots stay put");
    let moved_uid = format!("platform-primary-2027-03-15-{}-1@oncall", moved.person);
    assert!(old.contains_key(moved_uid.as_str()));
    assert!(
        after.iter().all(|e| e.uid != moved_uid),
        "the moved slot's event is gone"
    );

    // An override cutting a day out of a shift: its first piece keeps the
    // UID with a higher SEQUENCE; the rest is a second piece and the cover.
    let holder = v2
        .iter()
        .find(|s| s.role == "primary" && s.week.to_string() == "2027-03-22")
        .unwrap()
        .clone();
    let cover = v2
        .iter()
        .find(|s| s.role == "secondary" && s.week.to_string() == "2027-03-22")
        .unwrap()
        .person
        .clone();
    let o = Override {
        id: 1,
        role: "primary".into(),
        person: cover.clone(),
        start: utc(2027, 3, 24, 8),
        end: utc(2027, 3, 25, 8),
        reason: "doctor".into(),
        created: utc(2027, 3, 1, 9),
    };
    let (split, split_files) = feeds_of(
        &ws2,
        &Timeline::resolve(&team, &all, std::slice::from_ref(&o)),
        &mut seqs,
    );
    let uid = |who: &str, n: u32| format!("platform-primary-2027-03-22-{who}-{n}@oncall");
    let first = split
        .iter()
        .find(|e| e.uid == uid(&holder.person, 1))
        .unwrap();
    assert_eq!(
        (first.start, first.end, first.sequence),
        (holder.start, utc(2027, 3, 24, 8), 1)
    );
    let second = split
        .iter()
        .find(|e| e.uid == uid(&holder.person, 2))
        .unwrap();
    assert_eq!(
        (second.start, second.end, second.sequence),
        (utc(2027, 3, 25, 8), holder.end, 0)
    );
    let covered = split.iter().find(|e| e.uid == uid(&cover, 1)).unwrap();
    assert_eq!(
        (covered.start, covered.end, covered.sequence),
        (o.start, o.end, 0)
    );
    assert_eq!(covered.stamp, o.created);
    assert!(covered.description.contains("Covering for"));
    // Every other event is as it was.
    for e in &split {
        if ![
            uid(&holder.person, 1),
            uid(&holder.person, 2),
            uid(&cover, 1),
        ]
        .contains(&e.uid)
        {
            let was = after.iter().find(|a| a.uid == e.uid).unwrap();
            assert_eq!(
                (e.start, e.end, e.sequence),
                (was.start, was.end, was.sequence)
            );
        }
    }

    // Moving the handoff an hour later shifts every event: same UIDs for the
    // slots that keep their person, SEQUENCE one higher.
    let mut ws3 = ws.clone();
    ws3.teams[0].handoff.time = NaiveTime::from_hms_opt(10, 0, 0).unwrap();
    let v3 = publish(&ws3, 3, utc(2027, 2, 25, 9));
    let all3: Vec<PublishedSlot> = all.iter().chain(&v3).cloned().collect();
    let (shifted, shifted_files) = feeds_of(
        &ws3,
        &Timeline::resolve(ws3.team(TeamIdx(0)), &all3, &[]),
        &mut seqs,
    );
    let mut rose = 0;
    for e in &shifted {
        if let Some(prev) = after.iter().find(|a| a.uid == e.uid) {
            assert_eq!(e.start, prev.start + Duration::hours(1));
            assert_eq!(e.sequence, seqs.get(&e.uid).unwrap().sequence);
            assert!(e.sequence > prev.sequence, "{}", e.uid);
            rose += 1;
        }
    }
    assert!(rose > 0);

    if let Some(py) = py {
        for (files, events) in [
            (&files, &after),
            (&split_files, &split),
            (&shifted_files, &shifted),
        ] {
            let parsed = parse_in_python(&py, files);
            let team = parsed["team-platform.ics"]["events"]
                .as_array()
                .unwrap()
                .clone();
            assert_eq!(team.len(), events.len());
            for e in team {
                let uid = e["uid"].as_str().unwrap();
                let ours = events.iter().find(|o| o.uid == uid).unwrap();
                assert_eq!(e["sequence"], ours.sequence, "{uid}");
                assert_eq!(e["start"], rfc3339(ours.start), "{uid}");
                assert_eq!(e["end"], rfc3339(ours.end), "{uid}");
            }
        }
    }
}

#[test]
fn events_outside_the_window_are_left_out_whole() {
    let ws = dst_workspace();
    let slots = publish(&ws, 1, utc(2027, 2, 15, 9));
    let tl = Timeline::resolve(ws.team(TeamIdx(0)), &slots, &[]);
    let all = feed::events(&ws, std::slice::from_ref(&tl));
    let some = feed::in_window(
        all.clone(),
        Some(utc(2027, 3, 10, 0)),
        Some(utc(2027, 3, 16, 0)),
    );
    // Weeks of 03-08 and 03-15, both roles, uncut.
    assert_eq!(some.len(), 4);
    for e in &some {
        assert!(all.contains(e));
    }
}

// ---- time off read from calendars ------------------------------------------

fn fixtures(kind: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(root().join("tests/fixtures/ics").join(kind))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    v.sort();
    v
}

#[test]
fn time_off_fixtures_read_the_same_both_ways() {
    let py = python();
    for zone in ["America/Los_Angeles", "Europe/Berlin", "Asia/Tokyo"] {
        let tz: chrono_tz::Tz = zone.parse().unwrap();
        for path in fixtures("valid") {
            let text = std::fs::read_to_string(&path).unwrap();
            let ours = oncall::input::calendar::parse(
                Path::new("time-off/alice.ics"),
                &text,
                tz,
                &CalendarPolicy::default(),
            )
            .unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
            assert_eq!(ours.warnings, vec![], "{}", path.display());
            let mut ours: Vec<(String, String)> = ours
                .blocks
                .iter()
                .map(|b| (b.start.to_string(), b.end.to_string()))
                .collect();
            ours.sort();
            assert!(!ours.is_empty());
            if let Some(py) = &py {
                let theirs: Vec<(String, String)> =
                    serde_json::from_value(run_py(py, &["timeoff", zone, path.to_str().unwrap()]))
                        .unwrap();
                assert_eq!(ours, theirs, "{} in {zone}", path.display());
            }
        }
    }
}

/// The blocks of a fixture in Los Angeles under `policy`.
fn read_fixture(dir: &str, name: &str, policy: &CalendarPolicy) -> CalendarTimeOff {
    let text =
        std::fs::read_to_string(root().join("tests/fixtures/ics").join(dir).join(name)).unwrap();
    let rel = PathBuf::from("time-off").join(name);
    oncall::input::calendar::parse(&rel, &text, chrono_tz::America::Los_Angeles, policy).unwrap()
}

#[test]
fn time_off_fixtures_give_the_documented_days() {
    let read = |name: &str| -> Vec<(String, String, String)> {
        read_fixture("valid", name, &CalendarPolicy::default())
            .blocks
            .into_iter()
            .map(|b| (b.start.to_string(), b.end.to_string(), b.reason))
            .collect()
    };
    assert_eq!(
        read("all-day.ics")[0],
        (
            "2027-02-08".into(),
            "2027-02-12".into(),
            "Ski trip, Alps".into()
        )
    );
    // 08:00 in Berlin in July (CEST, +02:00) is 23:00 the day before in Los Angeles.
    assert_eq!(
        read("outlook.ics")[0],
        (
            "2027-07-09".into(),
            "2027-07-10".into(),
            "Summer morning (CEST)".into()
        )
    );
    let ignored = read("ignored.ics");
    assert_eq!(ignored.len(), 1);
    assert_eq!(ignored[0].2, "Real day off");
    for (name, days) in NEW_FIXTURE_DAYS {
        let got: Vec<(String, String)> = read(name).into_iter().map(|(s, e, _)| (s, e)).collect();
        let want: Vec<(String, String)> = days
            .iter()
            .map(|d| match d.split_once('/') {
                Some((s, e)) => (s.to_string(), e.to_string()),
                None => (d.to_string(), d.to_string()),
            })
            .collect();
        let mut got_sorted = got.clone();
        got_sorted.sort();
        assert_eq!(got_sorted[..want.len()], want[..], "{name}");
    }
    // An endless weekly rule is read for ten years from its start.
    let endless = read("endless.ics");
    assert_eq!(endless.len(), 522);
    assert_eq!(endless.last().unwrap().0, "2036-12-30");
    // The last Friday of every month, for ten years, and six physio days.
    assert_eq!(read("last-friday.ics").len(), 120 + 6);
}

/// The first days each newer fixture blocks in Los Angeles, worked out by
/// hand (`start/end` for several days); also compared with Python above.
const NEW_FIXTURE_DAYS: &[(&str, &[&str])] = &[
    // BYDAY=1FR: the first Friday of six months (2027-01-01 is a Friday).
    (
        "by-rule.ics",
        &[
            "2027-01-01",
            "2027-02-05",
            "2027-03-05",
            "2027-04-02",
            "2027-05-07",
            "2027-06-04",
        ],
    ),
    ("endless.ics", &["2027-01-05", "2027-01-12", "2027-01-19"]),
    // Physio Mon/Fri 09:00 Berlin = 00:00 in LA the same day, six times;
    // BYSETPOS=-1: the last Friday of January, February, March, April.
    (
        "last-friday.ics",
        &[
            "2027-01-04",
            "2027-01-08",
            "2027-01-11",
            "2027-01-15",
            "2027-01-18",
            "2027-01-22",
            "2027-01-29",
            "2027-02-26",
            "2027-03-26",
            "2027-04-30",
        ],
    ),
    (
        "rdate.ics",
        &["2027-03-01", "2027-03-15", "2027-04-12", "2027-05-17"],
    ),
    // Sundays 23:30 Berlin (afternoon in LA); the 21 March call moved to
    // Monday 29 March (after Berlin's change on the 28th), 4 April cancelled.
    (
        "dst-moved.ics",
        &["2027-03-14", "2027-03-28", "2027-03-29", "2027-04-11"],
    ),
    // 09:00 Seaside (+11:30, then +10:30 from 4 April) is the day before in LA.
    (
        "own-zone.ics",
        &["2027-03-27", "2027-04-03", "2027-04-10", "2027-07-12"],
    ),
    ("outlook-oof.ics", &["2027-08-16/2027-08-20", "2027-09-02"]),
];

#[test]
fn the_calendar_policy_picks_the_events_of_a_fixture() {
    let days = |count: CalendarCount| -> Vec<String> {
        let policy = CalendarPolicy {
            count,
            ..CalendarPolicy::default()
        };
        read_fixture("valid", "outlook-oof.ics", &policy)
            .blocks
            .into_iter()
            .map(|b| b.reason)
            .collect()
    };
    // The free "Focus time" never counts.
    assert_eq!(days(CalendarCount::All), ["Away", "Team meeting"]);
    assert_eq!(days(CalendarCount::AllDay), ["Away"]);
    assert_eq!(days(CalendarCount::OutOfOffice), ["Away"]);
}

#[test]
fn a_bad_event_is_skipped_with_a_warning_and_the_rest_is_read() {
    let cases = [
        (
            "bad-date.ics",
            7,
            "`Typo` (UID `x@example.com`) skipped: invalid DTSTART `2027-02-08`",
        ),
        (
            "ends-before-start.ics",
            8,
            "`Backwards` (UID `x@example.com`) skipped: it ends before it starts",
        ),
        (
            "unknown-tzid.ics",
            7,
            "unknown time zone `Mars/Olympus_Mons`",
        ),
        (
            "mixed.ics",
            13,
            "`Typo` (UID `typo@example.com`) skipped: invalid DTSTART",
        ),
    ];
    assert_eq!(cases.len(), fixtures("warnings").len());
    for (name, line, message) in cases {
        let got = read_fixture("warnings", name, &CalendarPolicy::default());
        let w = &got.warnings[0];
        assert_eq!(w.file, PathBuf::from("time-off").join(name));
        assert_eq!(w.line, line, "{name}: {w}");
        assert!(w.message.contains(message), "{name}: {}", w.message);
        assert!(w.help.is_some(), "{name}");
        let shown = w.as_warning().to_string();
        assert!(shown.starts_with("warning: event "), "{shown}");
        assert!(
            shown.contains(&format!("time-off/{name}:{line}")),
            "{shown}"
        );
    }
    let mixed = read_fixture("warnings", "mixed.ics", &CalendarPolicy::default());
    let lines: Vec<usize> = mixed.warnings.iter().map(|w| w.line).collect();
    assert_eq!(lines, [13, 19]);
    assert!(mixed.warnings[1]
        .message
        .contains("`Forever` (UID `forever@example.com`) skipped: invalid DURATION"));
    let days: Vec<(String, String)> = mixed
        .blocks
        .iter()
        .map(|b| (b.start.to_string(), b.end.to_string()))
        .collect();
    assert_eq!(
        days,
        [
            ("2027-02-08".to_string(), "2027-02-09".to_string()),
            ("2027-05-10".to_string(), "2027-05-10".to_string())
        ]
    );
}

#[test]
fn bad_time_off_calendars_name_the_file_and_line() {
    let cases = [
        ("unclosed.ics", 7, "closes `BEGIN:VEVENT` of line 4"),
        ("no-colon.ics", 6, "malformed calendar line"),
        ("not-a-calendar.ics", 1, "malformed calendar line"),
    ];
    assert_eq!(cases.len(), fixtures("invalid").len());
    for (name, line, message) in cases {
        let text =
            std::fs::read_to_string(root().join("tests/fixtures/ics/invalid").join(name)).unwrap();
        let rel = PathBuf::from("time-off").join(name);
        let err =
            oncall::input::calendar::parse(&rel, &text, chrono_tz::UTC, &CalendarPolicy::default())
                .unwrap_err();
        assert_eq!(err.len(), 1, "{name}");
        let d = &err[0];
        assert_eq!(
            (d.file.as_path(), d.line),
            (rel.as_path(), line),
            "{name}: {d}"
        );
        assert!(d.message.contains(message), "{name}: {}", d.message);
        assert!(d.help.is_some(), "{name}");
        assert!(
            d.to_string().contains(&format!("time-off/{name}:{line}")),
            "{d}"
        );
    }
}

#[test]
fn a_workspace_reads_calendar_time_off_and_hashes_it() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&root().join("data/quickstart"), dir.path());
    let before = oncall::input::load_workspace(dir.path()).unwrap();
    let alice = before.person_by_id("alice").unwrap();
    let fixture = root().join("tests/fixtures/ics/valid/all-day.ics");
    std::fs::copy(&fixture, dir.path().join("time-off/alice.ics")).unwrap();
    let ws = oncall::input::load_workspace(dir.path()).unwrap();
    assert_ne!(ws.inputs_sha256, before.inputs_sha256);
    let from_ics: Vec<&TimeOff> = ws
        .time_off_of(alice)
        .filter(|t| t.origin.file == Path::new("time-off/alice.ics"))
        .collect();
    assert_eq!(from_ics.len(), 3);
    assert_eq!(
        from_ics[0].start,
        NaiveDate::from_ymd_opt(2027, 2, 8).unwrap()
    );
    assert_eq!(
        from_ics[0].end,
        NaiveDate::from_ymd_opt(2027, 2, 12).unwrap()
    );
    assert_eq!(from_ics[0].origin.line, 4);
    assert_eq!(from_ics[0].person, PersonIdx(alice.0));

    // A file named after nobody: did you mean?
    std::fs::rename(
        dir.path().join("time-off/alice.ics"),
        dir.path().join("time-off/alcie.ics"),
    )
    .unwrap();
    let err = oncall::input::load_workspace(dir.path()).unwrap_err();
    let d = &err.diagnostics[0];
    assert_eq!(d.file, Path::new("time-off/alcie.ics"));
    assert!(d.message.contains("unknown person `alcie`"), "{d}");
    assert!(
        d.help.as_deref().unwrap().contains("did you mean `alice`?"),
        "{d}"
    );

    // A broken calendar fails the load with its line.
    std::fs::remove_file(dir.path().join("time-off/alcie.ics")).unwrap();
    std::fs::copy(
        root().join("tests/fixtures/ics/invalid/unclosed.ics"),
        dir.path().join("time-off/alice.ics"),
    )
    .unwrap();
    let err = oncall::input::load_workspace(dir.path()).unwrap_err();
    assert!(err.to_string().contains("time-off/alice.ics:7"), "{err}");

    // A bad event only warns, and the rest of the file is read...
    std::fs::copy(
        root().join("tests/fixtures/ics/warnings/mixed.ics"),
        dir.path().join("time-off/alice.ics"),
    )
    .unwrap();
    let ws = oncall::input::load_workspace(dir.path()).unwrap();
    let lines: Vec<String> = ws.warnings.iter().map(|w| w.location()).collect();
    assert_eq!(lines, ["time-off/alice.ics:13", "time-off/alice.ics:19"]);
    assert_eq!(
        ws.time_off_of(alice)
            .filter(|t| t.origin.file == Path::new("time-off/alice.ics"))
            .count(),
        2
    );
    // ...unless the policy is strict.
    let toml = std::fs::read_to_string(dir.path().join("oncall.toml")).unwrap();
    let strict = format!("{toml}\n[time_off.calendar]\nstrict = true\n");
    std::fs::write(dir.path().join("oncall.toml"), strict).unwrap();
    let err = oncall::input::load_workspace(dir.path()).unwrap_err();
    assert_eq!(err.diagnostics.len(), 2, "{err}");
    assert!(err.to_string().contains("time-off/alice.ics:13"), "{err}");
}

#[test]
fn the_calendar_policy_is_read_from_oncall_toml_with_positions() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&root().join("data/quickstart"), dir.path());
    let toml = std::fs::read_to_string(dir.path().join("oncall.toml")).unwrap();
    let with = |section: &str| {
        std::fs::write(dir.path().join("oncall.toml"), format!("{toml}\n{section}")).unwrap();
        oncall::input::load_workspace(dir.path())
    };
    let ws = with(
        "[time_off.calendar]\ncount = \"out-of-office\"\nwords = [\"Urlaub\"]\ntimed = \"day\"\n",
    )
    .unwrap();
    assert_eq!(ws.org.calendar.count, CalendarCount::OutOfOffice);
    assert_eq!(ws.org.calendar.words, ["Urlaub"]);
    assert!(!ws.org.calendar.strict);
    let lines = toml.lines().count();
    for (section, line, message, help) in [
        (
            "count = \"out-of-ofice\"",
            2,
            "unknown calendar `count` `out-of-ofice`",
            "did you mean `out-of-office`?",
        ),
        (
            "timed = \"hours\"",
            2,
            "`timed = \"hours\"` is not supported",
            "timed = \"day\"",
        ),
        (
            "cuont = \"all\"",
            2,
            "unknown field `cuont`",
            "did you mean `count`?",
        ),
        ("words = [\"PTO\", \" \"]", 2, "an empty word", "remove it"),
    ] {
        let err = with(&format!("[time_off.calendar]\n{section}\n")).unwrap_err();
        let d = &err.diagnostics[0];
        assert_eq!(d.file, Path::new("oncall.toml"), "{d}");
        assert_eq!(d.line, lines + 1 + line, "{d}");
        assert!(d.message.contains(message), "{d}");
        assert!(d.help.as_deref().unwrap_or("").contains(help), "{d}");
    }
}

/// The worked example in docs/calendars.md gives the table it documents.
#[test]
fn the_readme_policy_example_counts_as_documented() {
    let readme = std::fs::read_to_string(root().join("docs/calendars.md")).unwrap();
    let after = readme.split("Worked example").nth(1).unwrap();
    let text = after
        .split("```")
        .nth(1)
        .unwrap()
        .trim_start_matches("text")
        .trim_start()
        .replace('\n', "\r\n");
    let uids = |count: CalendarCount| -> Vec<(String, usize)> {
        let policy = CalendarPolicy {
            count,
            ..CalendarPolicy::default()
        };
        let got = oncall::input::calendar::parse(
            Path::new("time-off/anna.ics"),
            &text,
            chrono_tz::Europe::Berlin,
            &policy,
        )
        .unwrap();
        assert!(got.warnings.is_empty());
        let mut seen: Vec<(String, usize)> = Vec::new();
        for b in got.blocks {
            match seen.last_mut() {
                Some((r, n)) if *r == b.reason => *n += 1,
                _ => seen.push((b.reason, 1)),
            }
        }
        seen
    };
    let s = |r: &str, n: usize| (r.to_string(), n);
    assert_eq!(
        uids(CalendarCount::All),
        [
            s("Away", 1),
            s("Team meeting", 522),
            s("Dentist (PTO)", 1),
            s("Company offsite", 1)
        ]
    );
    assert_eq!(
        uids(CalendarCount::AllDay),
        [s("Away", 1), s("Company offsite", 1)]
    );
    assert_eq!(
        uids(CalendarCount::OutOfOffice),
        [s("Away", 1), s("Dentist (PTO)", 1)]
    );
}

/// Reads each `.ics` of `files` as a time-off calendar: none panics, and
/// each loads or is refused with a diagnostic naming the file and a line.
/// Returns how many load.
fn load_or_refuse_with_a_line(files: &[PathBuf]) -> usize {
    let mut loaded = 0;
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let rel = PathBuf::from("time-off").join(&name);
        // The loader refuses a file that is not UTF-8 before parsing it.
        let Ok(text) = String::from_utf8(std::fs::read(path).unwrap()) else {
            continue;
        };
        let policy = CalendarPolicy::default();
        match oncall::input::calendar::parse(&rel, &text, chrono_tz::Europe::Berlin, &policy) {
            Ok(read) => {
                loaded += 1;
                for w in &read.warnings {
                    assert_eq!(w.file, rel, "{w}");
                    assert!(w.line > 0, "{name}: {w}");
                }
            }
            Err(diags) => {
                assert!(!diags.is_empty(), "{name}");
                for d in &diags {
                    assert_eq!(d.file, rel, "{d}");
                    assert!(d.line > 0, "{name}: {d}");
                }
            }
        }
    }
    loaded
}

fn ics_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "ics"))
        .collect();
    files.sort();
    files
}

/// Calendars from the test suite of Python's `icalendar` (BSD-2-Clause, see
/// `tests/fixtures/ics/thirdparty/LICENSE.rst`): real exports and hostile
/// cases, each loaded or refused with a line.
#[test]
fn third_party_calendars_load_or_are_refused_with_a_line() {
    let files = ics_in(&root().join("tests/fixtures/ics/thirdparty"));
    assert!(files.len() >= 100, "{}", files.len());
    let loaded = load_or_refuse_with_a_line(&files);
    eprintln!("{loaded} of {} third-party calendars load", files.len());
    assert!(loaded >= 100, "only {loaded} of {} load", files.len());
    // Two VCALENDARs in one file: the events of both are read (and skipped,
    // having no DTSTART).
    let stream = read_thirdparty("issue_1050_multiple_calendars.ics");
    let lines: Vec<usize> = stream.warnings.iter().map(|w| w.line).collect();
    assert_eq!(lines, [4, 12], "{:?}", stream.warnings);
}

/// The calendars of the test suite of Python's `recurring_ical_events`
/// (LGPL, so read where the package is installed rather than copied here):
/// each loaded or refused with a line.
#[test]
fn recurring_ical_events_calendars_load_or_are_refused_with_a_line() {
    let Some(py) = python() else { return };
    let out = Command::new(&py)
        .args([
            "-c",
            "import os, recurring_ical_events as r; \
             print(os.path.join(os.path.dirname(r.__file__), 'test', 'calendars'))",
        ])
        .output()
        .unwrap();
    let dir = PathBuf::from(String::from_utf8(out.stdout).unwrap().trim());
    let files = ics_in(&dir);
    assert!(files.len() >= 50, "{}: {}", dir.display(), files.len());
    let loaded = load_or_refuse_with_a_line(&files);
    eprintln!(
        "{loaded} of {} recurring_ical_events calendars load",
        files.len()
    );
    assert!(
        loaded * 10 >= files.len() * 8,
        "only {loaded} of {} load",
        files.len()
    );
}

fn read_thirdparty(name: &str) -> CalendarTimeOff {
    let text =
        std::fs::read_to_string(root().join("tests/fixtures/ics/thirdparty").join(name)).unwrap();
    let rel = PathBuf::from("time-off").join(name);
    oncall::input::calendar::parse(&rel, &text, chrono_tz::UTC, &CalendarPolicy::default())
        .unwrap_or_else(|e| panic!("{name}: {e:?}"))
}
