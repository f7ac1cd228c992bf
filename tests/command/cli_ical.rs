//! `oncall ical` driven as a user would: plan, publish, write the feeds,
//! read them back with Python's icalendar (see tests/ical.rs), and write them
//! again unchanged.

use crate::support::workspace::{copy_dir, root};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};

fn oncall(dir: &Path, args: &[&str]) -> Output {
    let out = crate::run::command()
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "oncall {args:?}:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn read_dir(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

fn python() -> Option<String> {
    let py = std::env::var("ONCALL_PYTHON").unwrap_or_else(|_| "python3".to_string());
    let ok = Command::new(&py)
        .args(["-c", "import icalendar, recurring_ical_events"])
        .status()
        .is_ok_and(|s| s.success());
    if ok {
        return Some(py);
    }
    if std::env::var("ONCALL_SKIP_PY").as_deref() == Ok("1") {
        eprintln!("\n!!!!!! SKIPPING the Python calendar checks (ONCALL_SKIP_PY=1) !!!!!!\n");
        return None;
    }
    panic!("`{py}` cannot import icalendar and recurring_ical_events; run scripts/test.sh");
}

#[test]
fn ical_writes_feeds_that_match_the_published_plan_and_are_stable() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("ws");
    copy_dir(&root().join("data/quickstart"), &ws);
    let plan = tmp.path().join("plan.json");
    oncall(
        &ws,
        &[
            "plan",
            "payments",
            "--quarter",
            "2027Q1",
            "--format",
            "json",
            "--out",
            plan.to_str().unwrap(),
        ],
    );
    oncall(&ws, &["check-plan", "payments", plan.to_str().unwrap()]);
    oncall(&ws, &["publish", "payments", plan.to_str().unwrap()]);
    let out = tmp.path().join("feeds");
    oncall(&ws, &["ical", "--all", "--out", out.to_str().unwrap()]);
    let first = read_dir(&out);
    assert!(first.contains_key("team-payments.ics"));
    assert!(first.contains_key("person-alice.ics"));
    assert!(
        first.keys().all(|k| !k.starts_with('.')),
        "no temporary files left"
    );
    oncall(&ws, &["ical", "--all", "--out", out.to_str().unwrap()]);
    assert_eq!(read_dir(&out), first, "byte-identical when nothing changed");
    // A single feed goes to standard output, the same bytes.
    let stdout = oncall(&ws, &["ical", "--team", "payments"]).stdout;
    assert_eq!(&stdout, &first["team-payments.ics"]);

    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&plan).unwrap()).unwrap();
    let shifts: Vec<(String, String)> = doc["shifts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["start"].as_str().unwrap().to_string(),
                s["end"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let Some(py) = python() else { return };
    let parsed = Command::new(py)
        .arg(root().join("tests/py/ics_check.py"))
        .arg("feeds")
        .arg(out.join("team-payments.ics"))
        .output()
        .unwrap();
    assert!(
        parsed.status.success(),
        "{}",
        String::from_utf8_lossy(&parsed.stderr)
    );
    let parsed: serde_json::Value = serde_json::from_slice(&parsed.stdout).unwrap();
    let cal = parsed.as_object().unwrap().values().next().unwrap();
    assert_eq!(cal["problems"], serde_json::json!([]));
    let mut got: Vec<(String, String)> = cal["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["start"].as_str().unwrap().to_string(),
                e["end"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut want = shifts;
    got.sort();
    want.sort();
    assert_eq!(got, want);
}

#[test]
fn check_prints_every_calendar_warning() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    copy_dir(&root().join("data/quickstart"), &ws);
    std::fs::copy(
        root().join("tests/fixtures/ics/warnings/mixed.ics"),
        ws.join("time-off/alice.ics"),
    )
    .unwrap();
    let out = crate::run::command()
        .arg("-C")
        .arg(&ws)
        .args(["check", "payments", "--quarter", "2027Q1"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("warning: event `Typo` (UID `typo@example.com`) skipped")
            && err.contains("--> time-off/alice.ics:13"),
        "{err}"
    );
    assert!(err.contains("--> time-off/alice.ics:19"), "{err}");
    assert!(!err.contains("error:"), "{err}");
}

/// Every feed of `dir`'s schedule built at once, by file name.
fn all_feeds(ws: &oncall::Workspace) -> BTreeMap<String, String> {
    let mut schedule = oncall::Schedule::open(ws).unwrap();
    let events = oncall::calendar::feed::build(&mut schedule, None, None)
        .unwrap()
        .events;
    let persons = oncall::calendar::feed::person_feeds(ws, &events);
    let teams = oncall::calendar::feed::team_feeds(ws, &events);
    persons
        .into_iter()
        .chain(teams)
        .map(|f| (f.file_name, f.text))
        .collect()
}

/// Each feed built alone (as the server builds the first one asked for).
fn one_by_one(ws: &oncall::Workspace) -> BTreeMap<String, String> {
    use oncall::calendar::feed::{build_one, FeedKind};
    let kinds = ws
        .people
        .iter()
        .map(|p| FeedKind::Person(p.id.clone()))
        .chain(ws.teams.iter().map(|t| FeedKind::Team(t.id.clone())));
    kinds
        .map(|kind| {
            let mut schedule = oncall::Schedule::open(ws).unwrap();
            let (f, saved) = build_one(&mut schedule, &kind).unwrap();
            assert!(saved);
            (f.file_name, f.text)
        })
        .collect()
}

/// A feed built alone, from the timelines it needs only (the teams naming
/// the person, and the teams their escalation chains name: payments
/// escalates to sre), is byte for byte the feed built with all the others,
/// before and after an override moves an event (its SEQUENCE rises).
#[test]
fn a_feed_built_alone_is_the_feed_built_with_all_the_others() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    copy_dir(&root().join("data/quickstart"), dir);
    let plans = dir.join("plans");
    oncall(
        dir,
        &[
            "plan",
            "--all",
            "--quarter",
            "2027Q1",
            "--out",
            plans.to_str().unwrap(),
        ],
    );
    oncall(dir, &["publish", "--all", plans.to_str().unwrap()]);
    let ws = oncall::input::load_workspace(dir).unwrap();
    let alone = one_by_one(&ws);
    assert_eq!(alone, all_feeds(&ws));
    assert!(
        alone
            .values()
            .any(|t| t.contains("Escalation: 1. sre.primary")),
        "{alone:?}"
    );
    // An override moves one stretch: built alone first, the feeds still match.
    let payments = ws.team_by_id("payments").unwrap();
    let tl = oncall::Schedule::read_only(&ws)
        .unwrap()
        .timeline(payments)
        .unwrap();
    let first = &tl.segments[0];
    let other = ws
        .team(payments)
        .members
        .iter()
        .map(|p| ws.person(*p).id.clone())
        .find(|id| *id != first.person)
        .unwrap();
    let o = oncall::schedule::store::NewOverride {
        role: first.role.clone(),
        person: other.clone(),
        start: first.start,
        end: first.start + chrono::Duration::hours(6),
        reason: "test".into(),
    };
    let mut schedule = oncall::Schedule::open(&ws).unwrap();
    assert!(schedule
        .override_(payments, o, Some(&other), true)
        .unwrap()
        .is_recorded());
    let alone = one_by_one(&ws);
    assert!(alone.values().any(|t| t.contains("SEQUENCE:1")));
    assert_eq!(alone, all_feeds(&ws));
}
