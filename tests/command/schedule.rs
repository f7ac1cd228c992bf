//! The schedule's life after planning, driven through the real binary:
//! publish, overrides, swaps, swap requests, who, show, re-plans, and the
//! state store's crash safety and concurrency.

use crate::run::{as_taker, ok, oncall, oncall_as};
use crate::support::workspace::{copy_of, copy_with_store, text};
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

use chrono::{DateTime, NaiveDate, Utc};
use oncall::schedule::store::{OfferRead, Store, StoreRead};
use serde_json::Value;

/// Plans to a file, re-checks it with `check-plan`, and returns its path and JSON.
pub(crate) fn plan(dir: &Path, team: &str, horizon: &[&str], name: &str) -> (PathBuf, Value) {
    let path = dir.join(name);
    let mut args = vec!["plan", team];
    args.extend_from_slice(horizon);
    args.extend_from_slice(&["--format", "json", "--out", path.to_str().unwrap()]);
    let out = oncall(dir, &args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let check = oncall(dir, &["check-plan", team, path.to_str().unwrap()]);
    assert!(
        check.status.success(),
        "check-plan: {}",
        text(&check.stdout)
    );
    let json = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    (path, json)
}

pub(crate) fn publish(dir: &Path, team: &str, plan: &Path) {
    ok(&oncall(dir, &["publish", team, plan.to_str().unwrap()]));
}

pub(crate) fn holder(shifts: &Value, week: &str, role: &str) -> String {
    shifts
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["week"] == week && s["role"] == role)
        .map(|s| s["person"].as_str().unwrap().to_string())
        .unwrap_or_default()
}

pub(crate) fn timeline(dir: &Path, team: &str) -> oncall::schedule::timeline::Timeline {
    let ws = oncall::input::load_workspace(dir).unwrap();
    let t = ws.team_by_id(team).unwrap();
    Store::open(dir).unwrap().timeline(&ws, t).unwrap()
}

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// Who holds `role` at `at`, as `oncall who` prints it.
fn who(dir: &Path, team: &str, at: &str) -> String {
    ok(&oncall(dir, &["who", team, "--at", at]))
}

fn who_holds(out: &str, role: &str) -> String {
    out.lines()
        .find(|l| l.starts_with(role) && !l.starts_with("escalation"))
        .and_then(|l| l.split_whitespace().nth(1))
        .unwrap_or_default()
        .to_string()
}

/// A quickstart workspace with 2027Q1 planned and published; returns the plan.
fn published_quickstart() -> (tempfile::TempDir, Value) {
    let tmp = copy_of("quickstart");
    let (path, json) = plan(tmp.path(), "payments", &["--quarter", "2027Q1"], "q1.json");
    publish(tmp.path(), "payments", &path);
    (tmp, json)
}

#[test]
fn publish_stores_an_immutable_version_and_refuses_a_broken_plan() {
    let tmp = copy_of("quickstart");
    let dir = tmp.path();
    let (path, json) = plan(dir, "payments", &["--quarter", "2027Q1"], "q1.json");

    // A hand-edited plan that gives a week to someone without tenure.
    let mut broken = json.clone();
    broken["shifts"][0]["person"] = "ivan".into();
    let broken_path = dir.join("broken.json");
    std::fs::write(&broken_path, broken.to_string()).unwrap();
    let out = oncall(dir, &["publish", "payments", broken_path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("refused"), "{err}");
    assert!(err.contains("ivan"), "{err}");
    assert!(err.contains("--force"), "{err}");
    assert!(Store::open(dir)
        .unwrap()
        .versions("payments")
        .unwrap()
        .is_empty());

    // A plan made from other inputs is refused too.
    let mut stale = json.clone();
    stale["inputs_sha256"] = "0".repeat(64).into();
    let stale_path = dir.join("stale.json");
    std::fs::write(&stale_path, stale.to_string()).unwrap();
    let out = oncall(dir, &["publish", "payments", stale_path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("other inputs") || text(&out.stderr).contains("inputs"));

    publish(dir, "payments", &path);
    ok(&oncall(
        dir,
        &[
            "publish",
            "payments",
            broken_path.to_str().unwrap(),
            "--force",
        ],
    ));
    let st = Store::open(dir).unwrap();
    let versions = st.versions("payments").unwrap();
    assert_eq!(versions.len(), 2);
    assert!(!versions[0].forced);
    assert!(versions[1].forced);
    let audit = st.audit(Some("payments")).unwrap();
    assert_eq!(audit.len(), 2);
    assert!(audit
        .iter()
        .all(|a| a.action == "publish" && a.actor == "tester"));
    assert!(audit[1].forced);
    assert!(audit[1].detail.contains("ivan"), "{}", audit[1].detail);
    let log = ok(&oncall(dir, &["log", "payments"]));
    assert!(log.contains("publish (forced)"), "{log}");
    // The later version wins week by week.
    let tl = timeline(dir, "payments");
    let first = &tl.segments[0];
    assert_eq!(first.person, "ivan");
}

#[test]
fn a_published_quarter_becomes_carry_over_for_the_next() {
    let (tmp, q1) = published_quickstart();
    let dir = tmp.path();
    let (_, q2) = plan(dir, "payments", &["--quarter", "2027Q2"], "q2.json");
    // Carry now includes Q1's load minus Q1's shares, and sums (without the
    // starting [carry] of alice, 4.0) to zero over the members counted.
    let people = q2["fairness"]["people"].as_array().unwrap();
    let sum: f64 = people.iter().map(|p| p["carry"].as_f64().unwrap()).sum();
    assert!((sum - 4.0).abs() < 1e-3, "carry sums to {sum}");
    assert!(people
        .iter()
        .any(|p| p["carry"].as_f64().unwrap().abs() > 0.01 && p["person"] != "alice"));
    // Q1's largest deviation is what Q2's carry starts from.
    let q1_dev = |id: &str| {
        q1["fairness"]["people"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["person"] == id)
            .map(|p| p["deviation"].as_f64().unwrap())
    };
    let bob_carry = people
        .iter()
        .find(|p| p["person"] == "bob")
        .map(|p| p["carry"].as_f64().unwrap())
        .unwrap();
    // bob's Q1 availability is full, so his carry is close to his deviation
    // (shares of the history use the same availability rule).
    assert!(
        (bob_carry - q1_dev("bob").unwrap()).abs() < 1.0,
        "{bob_carry}"
    );
    // Rest holds across the quarter boundary: whoever had the last Q1 week
    // does not start Q2.
    let last_q1 = q1["shifts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["week"].as_str().unwrap())
        .max()
        .unwrap()
        .to_string();
    let first_q2 = q2["shifts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["week"].as_str().unwrap())
        .min()
        .unwrap()
        .to_string();
    let last_people: Vec<String> = ["primary", "secondary"]
        .iter()
        .map(|r| holder(&q1["shifts"], &last_q1, r))
        .collect();
    for r in ["primary", "secondary"] {
        assert!(!last_people.contains(&holder(&q2["shifts"], &first_q2, r)));
    }
}

#[test]
fn overrides_inside_across_and_at_the_edges_of_a_week() {
    let (tmp, q1) = published_quickstart();
    let dir = tmp.path();
    // Week of 2027-01-25 runs Mon 10:00 PST (18:00Z) to Mon 2027-02-01 18:00Z.
    let week1 = holder(&q1["shifts"], "2027-01-25", "primary");
    let week2 = holder(&q1["shifts"], "2027-02-01", "primary");
    let week0 = holder(&q1["shifts"], "2027-01-18", "primary");
    // Somebody free in all three weeks and the weeks around them, with tenure.
    let busy: Vec<String> = [
        "2027-01-11",
        "2027-01-18",
        "2027-01-25",
        "2027-02-01",
        "2027-02-08",
    ]
    .iter()
    .flat_map(|w| ["primary", "secondary"].map(|r| holder(&q1["shifts"], w, r)))
    .collect();
    let free = [
        "alice", "bob", "carol", "dan", "erin", "frank", "grace", "heidi",
    ]
    .into_iter()
    .find(|p| !busy.contains(&p.to_string()) && *p != "alice")
    .expect("someone is free");

    // Inside: an afternoon.
    ok(&as_taker(
        dir,
        &[
            "override",
            "payments",
            "--role",
            "primary",
            "--person",
            free,
            "--from",
            "2027-01-27T13:00",
            "--to",
            "2027-01-27T18:00",
            "--reason",
            "dentist",
        ],
    ));
    // At the edges: exactly the last day of the week, ending at the handoff.
    ok(&as_taker(
        dir,
        &[
            "override",
            "payments",
            "--role",
            "primary",
            "--person",
            free,
            "--from",
            "2027-01-31T10:00",
            "--to",
            "2027-02-01T10:00",
        ],
    ));
    let tl = timeline(dir, "payments");
    let prim: Vec<_> = tl
        .segments
        .iter()
        .filter(|s| s.role == "primary" && s.week == NaiveDate::from_ymd_opt(2027, 1, 25).unwrap())
        .collect();
    let got: Vec<(String, DateTime<Utc>, DateTime<Utc>)> = prim
        .iter()
        .map(|s| (s.person.clone(), s.start, s.end))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                week1.clone(),
                utc("2027-01-25T18:00:00Z"),
                utc("2027-01-27T21:00:00Z")
            ),
            (
                free.to_string(),
                utc("2027-01-27T21:00:00Z"),
                utc("2027-01-28T02:00:00Z")
            ),
            (
                week1.clone(),
                utc("2027-01-28T02:00:00Z"),
                utc("2027-01-31T18:00:00Z")
            ),
            (
                free.to_string(),
                utc("2027-01-31T18:00:00Z"),
                utc("2027-02-01T18:00:00Z")
            ),
        ]
    );
    assert_eq!(prim[1].planned.as_deref(), Some(week1.as_str()));
    // The next week is untouched.
    assert_eq!(
        who_holds(&who(dir, "payments", "2027-02-01T10:00"), "primary"),
        week2
    );
    assert_eq!(
        who_holds(&who(dir, "payments", "2027-02-01T09:59"), "primary"),
        free
    );

    // Across a handoff: Sunday 2027-01-24 to Tuesday 2027-01-26 crosses into
    // week1's shift, cut into one piece per week.
    let out = as_taker(
        dir,
        &[
            "override",
            "payments",
            "--role",
            "secondary",
            "--person",
            free,
            "--from",
            "2027-01-24",
            "--to",
            "2027-01-26",
        ],
    );
    // free holds primary pieces in the week of 01-25: one role per week refuses it.
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("both") && err.contains("one role per person per week"),
        "{err}"
    );
    ok(&as_taker(
        dir,
        &[
            "override",
            "payments",
            "--role",
            "primary",
            "--person",
            &week0,
            "--from",
            "2027-01-24",
            "--to",
            "2027-01-26",
            "--force",
            "--reason",
            "extends",
        ],
    ));
    let tl = timeline(dir, "payments");
    let covering: Vec<_> = tl
        .segments
        .iter()
        .filter(|s| {
            s.role == "primary"
                && s.person == week0
                && s.start >= utc("2027-01-24T08:00:00Z")
                && s.start < utc("2027-01-26T08:00:00Z")
        })
        .collect();
    assert_eq!(covering.len(), 1, "{covering:?}");
    assert_eq!(
        covering[0].week,
        NaiveDate::from_ymd_opt(2027, 1, 25).unwrap()
    );
    assert_eq!(
        (covering[0].start, covering[0].end),
        (utc("2027-01-25T18:00:00Z"), utc("2027-01-26T08:00:00Z"))
    );
    let audit = Store::open(dir).unwrap().audit(Some("payments")).unwrap();
    assert!(audit.last().unwrap().forced);
    let last = audit.last().unwrap();
    assert_eq!(last.action, "override");
    assert!(last.detail.contains("rest_weeks = 1"), "{}", last.detail);
}

#[test]
fn an_override_of_an_override_wins_where_it_is_later() {
    let (tmp, q1) = published_quickstart();
    let dir = tmp.path();
    let holder0 = holder(&q1["shifts"], "2027-03-01", "secondary");
    let busy: Vec<String> = ["2027-02-22", "2027-03-01", "2027-03-08"]
        .iter()
        .flat_map(|w| ["primary", "secondary"].map(|r| holder(&q1["shifts"], w, r)))
        .collect();
    let free: Vec<&str> = ["bob", "erin", "grace", "heidi", "carol", "alice"]
        .into_iter()
        .filter(|p| !busy.contains(&p.to_string()))
        .collect();
    assert!(free.len() >= 2, "{free:?}");
    let (x, y) = (free[0], free[1]);
    ok(&as_taker(
        dir,
        &[
            "override",
            "payments",
            "--role",
            "secondary",
            "--person",
            x,
            "--from",
            "2027-03-03",
            "--to",
            "2027-03-06",
        ],
    ));
    ok(&as_taker(
        dir,
        &[
            "override",
            "payments",
            "--role",
            "secondary",
            "--person",
            y,
            "--from",
            "2027-03-04T12:00",
            "--to",
            "2027-03-05T12:00",
        ],
    ));
    let at = |t: &str| who_holds(&who(dir, "payments", t), "secondary");
    assert_eq!(at("2027-03-02T12:00"), holder0);
    assert_eq!(at("2027-03-03T00:00"), x);
    assert_eq!(at("2027-03-04T11:59"), x);
    assert_eq!(at("2027-03-04T12:00"), y);
    assert_eq!(at("2027-03-05T11:59"), y);
    assert_eq!(at("2027-03-05T12:00"), x);
    assert_eq!(at("2027-03-06T00:00"), holder0);
    let shown = ok(&oncall(
        dir,
        &[
            "show",
            "payments",
            "--from",
            "2027-03-01",
            "--to",
            "2027-03-08",
        ],
    ));
    assert!(shown.contains(&format!("covering {holder0}")), "{shown}");
}

#[test]
fn who_at_handoff_instants_and_inside_dst_changes() {
    let (tmp, q1) = published_quickstart();
    let dir = tmp.path();
    // 2027-03-14 02:00 PST springs forward to 03:00 PDT, inside the week of 03-08.
    let before = holder(&q1["shifts"], "2027-03-08", "primary");
    let after = holder(&q1["shifts"], "2027-03-15", "primary");
    assert_eq!(
        who_holds(&who(dir, "payments", "2027-03-15T09:59"), "primary"),
        before
    );
    assert_eq!(
        who_holds(&who(dir, "payments", "2027-03-15T10:00"), "primary"),
        after
    );
    // The same instants in UTC: the handoff is 17:00Z after the change.
    assert_eq!(
        who_holds(&who(dir, "payments", "2027-03-15T16:59:59Z"), "primary"),
        before
    );
    assert_eq!(
        who_holds(&who(dir, "payments", "2027-03-15T17:00:00Z"), "primary"),
        after
    );
    // A wall-clock time that does not exist (02:30 on the change day) is read
    // as the first instant after the gap, still the week of 03-08.
    let out = who(dir, "payments", "2027-03-14T02:30");
    assert!(out.contains("2027-03-14T10:00:00Z"), "{out}");
    assert_eq!(who_holds(&out, "primary"), before);
    assert!(out.contains("until Mon 2027-03-15 10:00 PDT"), "{out}");
    // Escalation chain resolves the roles and keeps the rest.
    assert!(out.contains("1. sre.primary: nobody"), "{out}");
    assert!(out.contains("2. primary: "), "{out}");
    assert!(out.contains("4. manager: Grace Green (grace)"), "{out}");
    assert!(out.contains("5. director: Dora Diaz (dora)"), "{out}");
    // Before anything is published nobody is on call, and who says so.
    let out = oncall(dir, &["who", "payments", "--at", "2026-06-01"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).contains("nobody"));
}

#[test]
fn refused_changes_explain_themselves() {
    let (tmp, q1) = published_quickstart();
    let dir = tmp.path();
    // alice is off 2027-02-08..2027-02-19.
    let out = as_taker(
        dir,
        &[
            "swap",
            "payments",
            "--role",
            "primary",
            "--week",
            "2027-02-08",
            "--with",
            "alice",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("refused: alice takes primary in the week of 2027-02-08"),
        "{err}"
    );
    assert!(
        err.contains("alice cannot take primary in the week of 2027-02-08"),
        "{err}"
    );
    assert!(err.contains("2027-02-08"), "{err}");
    // frank lacks the payments skill for secondary.
    let out = as_taker(
        dir,
        &[
            "override",
            "payments",
            "--role",
            "secondary",
            "--person",
            "frank",
            "--from",
            "2027-01-20",
            "--to",
            "2027-01-21",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("payments"),
        "{}",
        text(&out.stderr)
    );
    // ivan joined 2026-10-05: 105 days of tenure, secondary needs 180.
    let out = as_taker(
        dir,
        &[
            "override",
            "payments",
            "--role",
            "secondary",
            "--person",
            "ivan",
            "--from",
            "2027-01-20",
            "--to",
            "2027-01-21",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("105 of 180 days' tenure"),
        "{}",
        text(&out.stderr)
    );
    // A typo gets a suggestion, and an empty span is refused.
    let out = as_taker(
        dir,
        &[
            "override",
            "payments",
            "--role",
            "primary",
            "--person",
            "alcie",
            "--from",
            "2027-01-20",
            "--to",
            "2027-01-21",
        ],
    );
    assert!(
        text(&out.stderr).contains("did you mean `alice`?"),
        "{}",
        text(&out.stderr)
    );
    let out = as_taker(
        dir,
        &[
            "override",
            "payments",
            "--role",
            "primray",
            "--person",
            "bob",
            "--from",
            "2027-01-21",
            "--to",
            "2027-01-20",
        ],
    );
    let err = text(&out.stderr);
    assert!(err.contains("unknown role `primray`"), "{err}");
    // Rest: the primary of one week may not take the next week.
    let w1 = holder(&q1["shifts"], "2027-01-25", "primary");
    let out = as_taker(
        dir,
        &[
            "swap",
            "payments",
            "--role",
            "primary",
            "--week",
            "2027-02-01",
            "--with",
            &w1,
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("rest_weeks = 1"),
        "{}",
        text(&out.stderr)
    );
    // Nothing published there.
    let out = as_taker(
        dir,
        &[
            "override",
            "payments",
            "--role",
            "primary",
            "--person",
            "bob",
            "--from",
            "2027-06-01",
            "--to",
            "2027-06-02",
        ],
    );
    assert!(
        text(&out.stderr).contains("no published plan covers it"),
        "{}",
        text(&out.stderr)
    );
    // None of the refusals changed anything.
    let st = Store::open(dir).unwrap();
    assert!(st.overrides("payments").unwrap().is_empty());
    assert_eq!(st.audit(None).unwrap().len(), 1);
}

#[test]
fn a_swap_exchanges_whole_weeks() {
    let (tmp, q1) = published_quickstart();
    let dir = tmp.path();
    let a = holder(&q1["shifts"], "2027-01-25", "primary");
    // Find a primary week of someone else that keeps both within the rules.
    let weeks: Vec<String> = q1["shifts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["role"] == "primary")
        .map(|s| s["week"].as_str().unwrap().to_string())
        .collect();
    let mut done = false;
    for w2 in &weeks {
        let b = holder(&q1["shifts"], w2, "primary");
        if b == a {
            continue;
        }
        let args = [
            "swap",
            "payments",
            "--role",
            "primary",
            "--week",
            "2027-01-25",
            "--with",
            &b,
            "--their-week",
            w2,
        ];
        if manager_swap(dir, &args) {
            let log = Store::open(dir).unwrap().audit(Some("payments")).unwrap();
            let last = log.last().unwrap();
            assert!(last.action == "swap" && last.forced, "{last:?}");
            assert!(
                last.detail.contains(&format!("{a} has not agreed")),
                "{last:?}"
            );
            let tl = timeline(dir, "payments");
            let held = |w: &str| {
                let d: NaiveDate = w.parse().unwrap();
                tl.segments
                    .iter()
                    .filter(|s| s.role == "primary" && s.week == d)
                    .map(|s| s.person.clone())
                    .collect::<Vec<_>>()
            };
            assert_eq!(held("2027-01-25"), vec![b.clone()]);
            assert_eq!(held(w2), vec![a.clone()]);
            done = true;
            break;
        }
    }
    assert!(done, "no legal swap found for {a}");
}

/// A two-way swap of whole weeks, which no one person can agree to alone:
/// run by the person who takes the first week, it must be refused for the
/// other's consent. When that is the only refusal (the rules allow it), a
/// manager records it with `--force`. Returns whether it was recorded.
fn manager_swap(dir: &Path, args: &[&str]) -> bool {
    let out = as_taker(dir, args);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = text(&out.stderr);
    assert!(err.contains("has not agreed to take it"), "{err}");
    if err.matches("\n  - ").count() != 1 {
        return false;
    }
    let mut forced = args.to_vec();
    forced.push("--force");
    ok(&oncall(dir, &forced));
    true
}

/// A tiny team where weeks can be traded freely: one role, no rest, four people.
fn tiny_team() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::fs::write(d.join("oncall.toml"), "timezone = \"Europe/Berlin\"\n").unwrap();
    std::fs::write(
        d.join("people.csv"),
        "id,name,email,timezone,region,joined,left,skills\n\
         ann,Ann,ann@example.com,Europe/Berlin,,2020-01-01,,\n\
         ben,Ben,ben@example.com,Europe/Berlin,,2020-01-01,,\n\
         cat,Cat,cat@example.com,Europe/Berlin,,2020-01-01,,\n\
         dov,Dov,dov@example.com,Europe/Berlin,,2020-01-01,,\n",
    )
    .unwrap();
    std::fs::create_dir_all(d.join("teams")).unwrap();
    std::fs::write(
        d.join("teams/ops.toml"),
        "name = \"Ops\"\nmembers = [\"ann\", \"ben\", \"cat\", \"dov\"]\n\
         handoff = { weekday = \"monday\", time = \"09:00\" }\n\
         [[roles]]\nname = \"primary\"\nweight = 1.0\nmin_tenure_days = 0\n\
         [rules]\nrest_weeks = 0\n",
    )
    .unwrap();
    tmp
}

#[test]
fn a_three_cycle_of_swap_requests_is_found_and_granted() {
    let tmp = tiny_team();
    let dir = tmp.path();
    let (path, json) = plan(
        dir,
        "ops",
        &["--from", "2027-01-04", "--weeks", "4"],
        "p.json",
    );
    publish(dir, "ops", &path);
    let weeks = ["2027-01-04", "2027-01-11", "2027-01-18", "2027-01-25"];
    let h: Vec<String> = weeks
        .iter()
        .map(|w| holder(&json["shifts"], w, "primary"))
        .collect();
    // Everyone holds exactly one week (4 people, 4 weeks, equal shares).
    let mut sorted = h.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), 4, "{h:?}");
    // 0 wants 1's week, 1 wants 2's, 2 wants 0's: a 3-cycle. 3 wants 0's week
    // too, but nobody wants 3's week, so 3 cannot be granted.
    let req = |p: &str, give: &str, want: &str| {
        ok(&oncall_as(
            dir,
            p,
            &["swap", "request", p, "--give", give, "--want", want],
        ));
    };
    req(&h[0], weeks[0], weeks[1]);
    req(&h[1], weeks[1], weeks[2]);
    req(&h[2], weeks[2], weeks[0]);
    req(&h[3], weeks[3], weeks[0]);
    // A request its asker never made (one stored before consent was kept)
    // takes no part: the cycle through it cannot be granted.
    let db = rusqlite::Connection::open(dir.join("oncall.db")).unwrap();
    let consent = |v: i64| {
        db.execute(
            "UPDATE offers SET consented = ?1 WHERE person = ?2",
            rusqlite::params![v, h[0]],
        )
        .unwrap()
    };
    consent(0);
    let dry = ok(&oncall(dir, &["swap", "match", "--dry-run"]));
    assert!(
        dry.contains("0 of 4 open request(s) can be granted"),
        "{dry}"
    );
    assert!(dry.contains(&format!("was not made by {}", h[0])), "{dry}");
    consent(1);
    let dry = ok(&oncall(dir, &["swap", "match", "--dry-run"]));
    assert!(dry.contains("3-way swap"), "{dry}");
    assert!(
        dry.contains("3 of 4 open request(s) can be granted"),
        "{dry}"
    );
    assert!(Store::open(dir)
        .unwrap()
        .overrides("ops")
        .unwrap()
        .is_empty());
    ok(&oncall(dir, &["swap", "match"]));
    let tl = timeline(dir, "ops");
    let now: Vec<String> = weeks
        .iter()
        .map(|w| {
            let d: NaiveDate = w.parse().unwrap();
            let s: Vec<_> = tl.segments.iter().filter(|s| s.week == d).collect();
            assert_eq!(s.len(), 1);
            s[0].person.clone()
        })
        .collect();
    assert_eq!(
        now,
        vec![h[2].clone(), h[0].clone(), h[1].clone(), h[3].clone()]
    );
    let st = Store::open(dir).unwrap();
    assert_eq!(st.open_swap_requests("ops").unwrap().len(), 1);
    // Matching again grants nothing more.
    let again = ok(&oncall(dir, &["swap", "match"]));
    assert!(again.contains("0 of 1"), "{again}");
}

#[test]
fn replan_after_one_new_vacation_changes_only_what_it_must() {
    let (tmp, q1) = published_quickstart();
    let dir = tmp.path();
    // A re-plan with nothing new changes nothing.
    let out = oncall(
        dir,
        &[
            "replan",
            "payments",
            "--from",
            "2027-02-01",
            "--format",
            "json",
        ],
    );
    ok(&out);
    assert!(
        text(&out.stderr).contains("0 slot(s) change hands"),
        "{}",
        text(&out.stderr)
    );

    // grace, who holds primary in the week of 2027-03-01 ... takes that week off.
    let week = "2027-03-01";
    let who_then = holder(&q1["shifts"], week, "primary");
    std::fs::write(
        dir.join("time-off/late.toml"),
        format!("[[time_off]]\nperson = \"{who_then}\"\nstart = \"2027-03-02\"\nend = \"2027-03-04\"\nreason = \"family\"\n"),
    )
    .unwrap();
    let out_path = dir.join("replan.json");
    let out = oncall(
        dir,
        &[
            "replan",
            "payments",
            "--from",
            "2027-02-01",
            "--format",
            "json",
            "--out",
            out_path.to_str().unwrap(),
        ],
    );
    ok(&out);
    let err = text(&out.stderr);
    let new: Value = serde_json::from_str(&std::fs::read_to_string(&out_path).unwrap()).unwrap();
    // The week goes to someone else, and the change is the smallest: the
    // vacationer trades that week for another one (2 slots), fairness stays
    // at its optimum.
    assert_ne!(holder(&new["shifts"], week, "primary"), who_then);
    assert!(
        err.contains("2 slot(s) change hands (proven fewest)"),
        "{err}"
    );
    assert!(
        err.contains(&format!("{who_then} loses {week} primary")),
        "{err}"
    );
    assert_eq!(new["status"], "optimal");
    let changed = q1["shifts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["week"].as_str().unwrap() >= "2027-02-01")
        .filter(|s| {
            holder(
                &new["shifts"],
                s["week"].as_str().unwrap(),
                s["role"].as_str().unwrap(),
            ) != s["person"].as_str().unwrap()
        })
        .count();
    assert_eq!(changed, 2);
    // The re-plan passes the checker against the history and publishes.
    let check = oncall(dir, &["check-plan", "payments", out_path.to_str().unwrap()]);
    assert!(check.status.success(), "{}", text(&check.stdout));
    publish(dir, "payments", &out_path);
    assert_eq!(
        who_holds(&who(dir, "payments", "2027-03-03T12:00"), "primary"),
        holder(&new["shifts"], week, "primary")
    );
    // Weeks before the re-plan are untouched.
    assert_eq!(
        who_holds(&who(dir, "payments", "2027-01-20T12:00"), "primary"),
        holder(&q1["shifts"], "2027-01-18", "primary")
    );
}

#[test]
fn a_writer_killed_mid_publish_leaves_nothing_half_written() {
    let (tmp, q1) = published_quickstart();
    let dir = tmp.path();
    let (path, _) = plan(dir, "payments", &["--quarter", "2027Q2"], "q2.json");
    let marker = dir.join("paused");
    let mut child = crate::run::command()
        .arg("-C")
        .arg(dir)
        .args(["publish", "payments", path.to_str().unwrap()])
        .env("ONCALL_FAULT_PAUSE_FILE", &marker)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    while !marker.exists() {
        assert!(
            start.elapsed().as_secs() < 60,
            "publish never reached its pause point"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // Half the slots are written inside the open transaction: kill it there.
    child.kill().unwrap();
    child.wait().unwrap();
    let st = Store::open(dir).unwrap();
    assert_eq!(st.integrity_check().unwrap(), "ok");
    let versions = st.versions("payments").unwrap();
    assert_eq!(versions.len(), 1, "the killed publish left a version");
    let slots = st.slots("payments").unwrap();
    assert_eq!(slots.len(), q1["shifts"].as_array().unwrap().len());
    assert_eq!(st.audit(None).unwrap().len(), 1);
    drop(st);
    // The store still takes writes, and the same publish now lands whole.
    publish(dir, "payments", &path);
    let st = Store::open(dir).unwrap();
    assert_eq!(st.versions("payments").unwrap().len(), 2);
}

#[test]
fn concurrent_writers_lose_no_update() {
    let (tmp, q1) = published_quickstart();
    let dir = tmp.path().to_path_buf();
    // Each writer records overrides that hand an hour to its holder: allowed,
    // and every one is a separate transaction.
    let holder_of = holder(&q1["shifts"], "2027-01-25", "primary");
    let per_writer = 12;
    let writers: Vec<_> = (0..2)
        .map(|k| {
            let dir = dir.clone();
            let who = holder_of.clone();
            std::thread::spawn(move || {
                for i in 0..per_writer {
                    let from = format!("2027-01-{:02}T{:02}:00", 26 + k, 8 + i);
                    let to = format!("2027-01-{:02}T{:02}:30", 26 + k, 8 + i);
                    ok(&as_taker(
                        &dir,
                        &[
                            "override",
                            "payments",
                            "--role",
                            "primary",
                            "--person",
                            &who,
                            "--from",
                            &from,
                            "--to",
                            &to,
                            "--reason",
                            &format!("w{k}-{i}"),
                        ],
                    ));
                }
            })
        })
        .collect();
    // A reader keeps reading while they write.
    for _ in 0..10 {
        ok(&oncall(
            &dir,
            &["who", "payments", "--at", "2027-01-26T12:00"],
        ));
    }
    for w in writers {
        w.join().unwrap();
    }
    let st = Store::open(&dir).unwrap();
    let overrides = st.overrides("payments").unwrap();
    assert_eq!(overrides.len(), 2 * per_writer);
    let mut reasons: Vec<String> = overrides.iter().map(|o| o.reason.clone()).collect();
    reasons.sort();
    reasons.dedup();
    assert_eq!(reasons.len(), 2 * per_writer);
    assert_eq!(st.audit(None).unwrap().len(), 1 + 2 * per_writer);
    assert_eq!(st.integrity_check().unwrap(), "ok");
}

pub(crate) const PAIR_TEAM: [&str; 10] = [
    "ann", "ben", "cat", "dov", "eve", "fay", "gus", "hal", "ida", "jon",
];

/// A two-role team of ten with rest_weeks = 1, planned and published for
/// eight weeks from 2027-01-04; returns the workspace and the plan.
pub(crate) fn published_pair_team() -> (tempfile::TempDir, Value) {
    pair_team_from("2027-01-04", "8")
}

/// The team of [`published_pair_team`], planned and published for `weeks`
/// weeks from `from`.
pub(crate) fn pair_team_from(from: &str, weeks: &str) -> (tempfile::TempDir, Value) {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::fs::write(d.join("oncall.toml"), "timezone = \"Europe/Berlin\"\n").unwrap();
    let mut people = String::from("id,name,email,timezone,region,joined,left,skills\n");
    for p in PAIR_TEAM {
        people.push_str(&format!(
            "{p},{p},{p}@example.com,Europe/Berlin,,2020-01-01,,\n"
        ));
    }
    std::fs::write(d.join("people.csv"), people).unwrap();
    std::fs::create_dir_all(d.join("teams")).unwrap();
    std::fs::write(
        d.join("teams/ops.toml"),
        format!(
            "name = \"Ops\"\nmembers = {PAIR_TEAM:?}\n\
         handoff = {{ weekday = \"monday\", time = \"09:00\" }}\n\
         [[roles]]\nname = \"primary\"\nweight = 1.0\nmin_tenure_days = 0\n\
         [[roles]]\nname = \"secondary\"\nweight = 0.5\nmin_tenure_days = 0\n\
         [rules]\nrest_weeks = 1\n"
        ),
    )
    .unwrap();
    let (path, json) = plan(d, "ops", &["--from", from, "--weeks", weeks], "p.json");
    publish(d, "ops", &path);
    (tmp, json)
}

/// Someone who holds nothing in any of `weeks` (by first day).
pub(crate) fn idle_in(plan: &Value, weeks: &[&str]) -> String {
    PAIR_TEAM
        .into_iter()
        .find(|p| {
            !plan["shifts"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["person"] == *p && weeks.contains(&s["week"].as_str().unwrap()))
        })
        .unwrap()
        .to_string()
}

/// Two processes started together, each making a change that is allowed on
/// its own but not together with the other's. Exactly one must be recorded
/// and the other refused with the rule it would break, every time.
#[test]
fn conflicting_changes_raced_by_two_processes_give_one_winner() {
    let (base, plan) = published_pair_team();
    // Week of 2027-01-18: the same person into both roles.
    let x = idle_in(&plan, &["2027-01-11", "2027-01-18", "2027-01-25"]);
    let both_roles = [
        vec![
            "override",
            "ops",
            "--role",
            "primary",
            "--person",
            &x,
            "--from",
            "2027-01-18T09:00",
            "--to",
            "2027-01-25T09:00",
        ],
        vec![
            "override",
            "ops",
            "--role",
            "secondary",
            "--person",
            &x,
            "--from",
            "2027-01-18T09:00",
            "--to",
            "2027-01-25T09:00",
        ],
    ];
    // Weeks of 2027-02-08 and 2027-02-15: back to back, against rest_weeks = 1.
    let y = idle_in(
        &plan,
        &["2027-02-01", "2027-02-08", "2027-02-15", "2027-02-22"],
    );
    let back_to_back = [
        vec![
            "override",
            "ops",
            "--role",
            "primary",
            "--person",
            &y,
            "--from",
            "2027-02-08T09:00",
            "--to",
            "2027-02-15T09:00",
        ],
        vec![
            "override",
            "ops",
            "--role",
            "primary",
            "--person",
            &y,
            "--from",
            "2027-02-15T09:00",
            "--to",
            "2027-02-22T09:00",
        ],
    ];
    for (changes, rule) in [
        (&both_roles, "(one role per person per week)"),
        (&back_to_back, "closer than rest_weeks = 1 allows"),
    ] {
        for round in 0..8 {
            let tmp = tempfile::tempdir().unwrap();
            copy_with_store(base.path(), tmp.path());
            let start = std::sync::Arc::new(std::sync::Barrier::new(2));
            let racers: Vec<_> = changes
                .iter()
                .map(|args| {
                    let (dir, start) = (tmp.path().to_path_buf(), start.clone());
                    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
                    // Each racer is the person who takes the shift.
                    let at = args.iter().position(|a| a == "--person").unwrap();
                    let taker = args[at + 1].clone();
                    std::thread::spawn(move || {
                        let mut cmd = crate::run::command();
                        cmd.arg("-C")
                            .arg(&dir)
                            .args(&args)
                            .env("ONCALL_USER", taker);
                        start.wait();
                        cmd.output().unwrap()
                    })
                })
                .collect();
            let outs: Vec<Output> = racers.into_iter().map(|r| r.join().unwrap()).collect();
            let won: Vec<&Output> = outs.iter().filter(|o| o.status.success()).collect();
            let lost: Vec<&Output> = outs.iter().filter(|o| !o.status.success()).collect();
            assert_eq!(won.len(), 1, "round {round}: {rule}: {:?}", outs);
            assert_eq!(lost[0].status.code(), Some(1));
            let err = text(&lost[0].stderr);
            assert!(
                err.contains("refused:") && err.contains(rule),
                "round {round}: {err}"
            );
            let st = Store::open(tmp.path()).unwrap();
            assert_eq!(st.overrides("ops").unwrap().len(), 1, "round {round}");
            assert_eq!(
                st.audit(Some("ops")).unwrap().len(),
                2,
                "publish and one change"
            );
        }
    }
}

/// Swaps the primary week of 2027-01-25 for the first other primary week of
/// the same load that keeps both people within the rules (so the swap leaves
/// everyone's load, and so the fairness, as it was); returns the other week.
fn swap_some_week(dir: &Path, q1: &Value) -> String {
    let a = holder(&q1["shifts"], "2027-01-25", "primary");
    let load = q1["shifts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["week"] == "2027-01-25" && s["role"] == "primary")
        .map(|s| s["load"].clone())
        .unwrap();
    for s in q1["shifts"].as_array().unwrap() {
        let (w2, b) = (s["week"].as_str().unwrap(), s["person"].as_str().unwrap());
        if s["role"] != "primary" || b == a || s["load"] != load {
            continue;
        }
        let args = [
            "swap",
            "payments",
            "--role",
            "primary",
            "--week",
            "2027-01-25",
            "--with",
            b,
            "--their-week",
            w2,
            "--reason",
            "school play",
        ];
        if manager_swap(dir, &args) {
            return w2.to_string();
        }
    }
    panic!("no week of the quarter could be swapped with 2027-01-25");
}

/// A re-plan counts changes against the resolved timeline: after a swap that
/// leaves everyone's load as it was, and with no new input, nothing changes
/// hands (counted against the published plan alone, two slots would).
#[test]
fn replan_counts_changes_against_the_resolved_timeline() {
    let (tmp, q1) = published_quickstart();
    let dir = tmp.path();
    swap_some_week(dir, &q1);
    let out = oncall(
        dir,
        &[
            "replan",
            "payments",
            "--from",
            "2027-01-04",
            "--format",
            "json",
        ],
    );
    ok(&out);
    let err = text(&out.stderr);
    assert!(err.contains("0 slot(s) change hands"), "{err}");
    // A file written for `publish` is plan JSON whatever --format says, and
    // it publishes.
    let path = dir.join("replan.json");
    let p = path.to_str().unwrap();
    ok(&oncall(
        dir,
        &["replan", "payments", "--from", "2027-01-04", "--out", p],
    ));
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(doc["schema"], 1);
    ok(&oncall(dir, &["check-plan", "payments", p]));
    ok(&oncall(dir, &["publish", "payments", p]));
}

/// What people read after a few changes: `show`, `who`, `log`, the `comp`
/// table and a re-plan's changes, as snapshots.
#[test]
fn schedule_views_snapshot() {
    let (tmp, q1) = published_quickstart();
    let dir = tmp.path();
    swap_some_week(dir, &q1);
    // The week's primary hands one day back to themselves by override: the
    // table marks it as an override covering the planned holder.
    let primary = holder(&q1["shifts"], "2027-01-11", "primary");
    ok(&as_taker(
        dir,
        &[
            "override",
            "payments",
            "--role",
            "primary",
            "--person",
            &primary,
            "--from",
            "2027-01-12T08:00",
            "--to",
            "2027-01-12T20:00",
            "--reason",
            "dentist",
        ],
    ));
    let show = ok(&oncall(
        dir,
        &[
            "show",
            "payments",
            "--from",
            "2027-01-04",
            "--to",
            "2027-02-08",
        ],
    ));
    let log = ok(&oncall(dir, &["log", "payments"]));
    let comp = ok(&oncall(
        dir,
        &[
            "comp",
            "--from",
            "2027-01-01",
            "--to",
            "2027-02-01",
            "--format",
            "table",
        ],
    ));
    // With SRE's quarter published too, `who` shows the whole chain: SRE's
    // primary first, then the team's roles, the manager and the director.
    let (sre, _) = plan(dir, "sre", &["--quarter", "2027Q1"], "sre.json");
    publish(dir, "sre", &sre);
    let who = ok(&oncall(
        dir,
        &["who", "payments", "--at", "2027-01-12T12:00"],
    ));
    // The secondary of the week of 2027-03-08 takes two weeks off: the
    // re-plan must move them.
    let away = holder(&q1["shifts"], "2027-03-08", "secondary");
    std::fs::write(
        dir.join("time-off/late.toml"),
        format!(
            "[[time_off]]\nperson = \"{away}\"\nstart = \"2027-03-01\"\nend = \"2027-03-12\"\n"
        ),
    )
    .unwrap();
    let replan = oncall(
        dir,
        &[
            "replan",
            "payments",
            "--from",
            "2027-02-01",
            "--format",
            "json",
        ],
    );
    let filters = vec![
        (r"(?m)^(#\d+) \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "$1 [at]"),
        (r#""plan":"[^"]*""#, r#""plan":"[path]""#),
    ];
    insta::with_settings!({ filters => filters }, {
        insta::assert_snapshot!("show", show);
        insta::assert_snapshot!("who", who);
        insta::assert_snapshot!("log", log);
        insta::assert_snapshot!("comp_table", comp);
        insta::assert_snapshot!("replan_diff", text(&replan.stderr));
    });
}

/// `show --person P` gives P's resolved stretches in every team, and
/// nobody else's; with a team it keeps to that team.
#[test]
fn show_person_lists_one_persons_stretches_across_teams() {
    let (tmp, json) = published_quickstart();
    let dir = tmp.path();
    let (sre, sre_json) = plan(dir, "sre", &["--quarter", "2027Q1"], "sre.json");
    publish(dir, "sre", &sre);
    let weeks = |plan: &Value, who: &str| {
        plan["shifts"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["person"] == who)
            .count()
    };
    let who = json["shifts"][0]["person"].as_str().unwrap().to_string();
    let out: Value = serde_json::from_str(&ok(&oncall(
        dir,
        &["show", "--person", &who, "--format", "json"],
    )))
    .unwrap();
    assert_eq!(out["person"], who.as_str());
    let mut total = 0;
    for team in out["teams"].as_array().unwrap() {
        let segments = team["segments"].as_array().unwrap();
        assert!(!segments.is_empty(), "{team:#}");
        assert!(
            segments.iter().all(|s| s["person"] == who.as_str()),
            "{team:#}"
        );
        total += segments.len();
    }
    // No overrides: one stretch per planned week.
    assert_eq!(total, weeks(&json, &who) + weeks(&sre_json, &who));
    let table = ok(&oncall(dir, &["show", "payments", "--person", &who]));
    assert!(table.starts_with("payments ("), "{table}");
    assert!(!table.contains("sre ("), "{table}");
    let unknown = oncall(dir, &["show", "--person", "nobody"]);
    assert_eq!(unknown.status.code(), Some(2), "{}", text(&unknown.stderr));
    let neither = oncall(dir, &["show"]);
    assert_eq!(neither.status.code(), Some(2));
}
