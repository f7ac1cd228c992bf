//! Teams that share people, through the real binary: no one is on call in
//! two teams at the same time, in `plan`, `check-plan`, `publish` and
//! overrides, unless both teams allow it.

use std::path::Path;

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::run::{ok, oncall, oncall_as};
use crate::schedule::{plan, publish, timeline};
use crate::support::workspace::text;

/// Two one-role teams that share carol: ledger hands off on Mondays, payments
/// on Wednesdays, so each ledger week overlaps two payments weeks.
fn shared_teams(allow_overlap: bool) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::fs::write(d.join("oncall.toml"), "timezone = \"Europe/Berlin\"\n").unwrap();
    let mut people = String::from("id,name,email,timezone,region,joined,left,skills\n");
    for p in ["carol", "ann", "ben", "dov", "eve"] {
        people.push_str(&format!(
            "{p},{p},{p}@example.com,Europe/Berlin,,2020-01-01,,\n"
        ));
    }
    std::fs::write(d.join("people.csv"), people).unwrap();
    std::fs::create_dir_all(d.join("teams")).unwrap();
    let team = |members: &str, day: &str| {
        format!(
            "members = {members}\nallow_overlap = {allow_overlap}\n\
             handoff = {{ weekday = \"{day}\", time = \"09:00\" }}\n\
             [[roles]]\nname = \"primary\"\nweight = 1.0\nmin_tenure_days = 0\n"
        )
    };
    let ledger = team("[\"carol\", \"ann\", \"ben\"]", "monday");
    std::fs::write(d.join("teams/ledger.toml"), ledger).unwrap();
    let payments = team("[\"carol\", \"dov\", \"eve\"]", "wednesday");
    std::fs::write(d.join("teams/payments.toml"), payments).unwrap();
    tmp
}

type Stretch = (DateTime<Utc>, DateTime<Utc>);

/// The stretches `person` holds in `team`'s resolved timeline.
fn held(dir: &Path, team: &str, person: &str) -> Vec<Stretch> {
    let tl = timeline(dir, team);
    tl.segments
        .iter()
        .filter(|s| s.person == person)
        .map(|s| (s.start, s.end))
        .collect()
}

/// The first of `stretches` that starts inside `team`'s published timeline,
/// where an override of `team` can begin.
fn first_inside(dir: &Path, team: &str, stretches: &[Stretch]) -> Stretch {
    let tl = timeline(dir, team);
    let from = tl.segments.iter().map(|s| s.start).min().unwrap();
    let to = tl.segments.iter().map(|s| s.end).max().unwrap();
    *stretches
        .iter()
        .find(|s| from <= s.0 && s.0 + chrono::Duration::hours(6) <= to)
        .unwrap_or_else(|| panic!("none of {stretches:?} starts in {team}'s timeline"))
}

fn overlapping(a: &[Stretch], b: &[Stretch]) -> Vec<(Stretch, Stretch)> {
    let mut out = Vec::new();
    for x in a {
        for y in b.iter().filter(|y| x.0 < y.1 && y.0 < x.1) {
            out.push((*x, *y));
        }
    }
    out
}

/// Plans and publishes ledger alone.
fn ledger_published(dir: &Path) {
    let (l, _) = plan(
        dir,
        "ledger",
        &["--from", "2027-01-04", "--weeks", "6"],
        "l.json",
    );
    publish(dir, "ledger", &l);
}

/// Plans and publishes ledger, then payments around it.
fn both_published(dir: &Path) -> (Value, Value) {
    let (l, ledger) = plan(
        dir,
        "ledger",
        &["--from", "2027-01-04", "--weeks", "6"],
        "l.json",
    );
    publish(dir, "ledger", &l);
    let (p, payments) = plan(
        dir,
        "payments",
        &["--from", "2027-01-06", "--weeks", "6"],
        "p.json",
    );
    publish(dir, "payments", &p);
    (ledger, payments)
}

#[test]
fn a_person_on_two_teams_is_never_on_call_for_both_at_once() {
    let tmp = shared_teams(false);
    let dir = tmp.path();
    both_published(dir);
    let (l, p) = (held(dir, "ledger", "carol"), held(dir, "payments", "carol"));
    assert!(
        !l.is_empty() && !p.is_empty(),
        "carol serves both: {l:?} {p:?}"
    );
    assert_eq!(overlapping(&l, &p), vec![], "double-booked");
    // An override that puts carol on payments while she holds ledger is
    // refused with the reason, even when she asks for it herself.
    let (start, end) = first_inside(dir, "payments", &l);
    let (from, to) = (
        start.to_rfc3339(),
        (start + chrono::Duration::hours(6)).to_rfc3339(),
    );
    let args = [
        "override", "payments", "--role", "primary", "--person", "carol", "--from", &from, "--to",
        &to,
    ];
    let out = oncall_as(dir, "carol", &args);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    let err = text(&out.stderr);
    assert!(err.contains("carol is on call for ledger from"), "{err}");
    assert!(
        err.contains("no one is on call in two teams at once"),
        "{err}"
    );
    assert!(start < end);
}

#[test]
fn a_plan_that_double_books_is_refused_by_check_plan_and_publish() {
    let tmp = shared_teams(false);
    let dir = tmp.path();
    ledger_published(dir);
    // A payments plan made before ledger was published knows nothing of it;
    // planned again now, it avoids carol's ledger weeks. Make one that does
    // not: carol in every payments week she can take, by hand.
    let (p, mut doc) = plan(
        dir,
        "payments",
        &["--from", "2027-01-06", "--weeks", "6"],
        "p.json",
    );
    let ledger_carol = held(dir, "ledger", "carol");
    let shifts = doc["shifts"].as_array_mut().unwrap();
    let clash = shifts
        .iter_mut()
        .find(|s| {
            let start: DateTime<Utc> = s["start"].as_str().unwrap().parse().unwrap();
            let end: DateTime<Utc> = s["end"].as_str().unwrap().parse().unwrap();
            !overlapping(&[(start, end)], &ledger_carol).is_empty()
        })
        .expect("a payments week overlaps one of carol's ledger weeks");
    clash["person"] = "carol".into();
    let week = clash["week"].as_str().unwrap().to_string();
    std::fs::write(&p, serde_json::to_string(&doc).unwrap()).unwrap();
    let out = oncall(dir, &["check-plan", "payments", p.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let said = text(&out.stdout);
    assert!(
        said.contains(&format!(
            "week {week} primary: carol is on call for ledger (primary)"
        )),
        "{said}"
    );
    let out = oncall(dir, &["publish", "payments", p.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("carol is on call for ledger"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn teams_that_both_allow_overlap_may_share_a_person_at_once() {
    let tmp = shared_teams(true);
    let dir = tmp.path();
    both_published(dir);
    let l = held(dir, "ledger", "carol");
    let (start, _) = first_inside(dir, "payments", &l);
    let (from, to) = (
        start.to_rfc3339(),
        (start + chrono::Duration::hours(6)).to_rfc3339(),
    );
    let args = [
        "override", "payments", "--role", "primary", "--person", "carol", "--from", &from, "--to",
        &to,
    ];
    ok(&oncall_as(dir, "carol", &args));
    assert!(!overlapping(&l, &held(dir, "payments", "carol")).is_empty());
}

#[test]
fn plan_all_plans_shared_teams_together_and_publish_all_lands_all_or_none() {
    let tmp = shared_teams(false);
    let dir = tmp.path();
    let out_dir = dir.join("plans");
    let out = oncall(
        dir,
        &[
            "plan",
            "--all",
            "--from",
            "2027-01-04",
            "--weeks",
            "6",
            "--jobs",
            "2",
            "--out",
            out_dir.to_str().unwrap(),
        ],
    );
    let said = ok(&out);
    assert!(said.contains("organisation: 2 teams"), "{said}");
    assert!(said.contains("0 slot(s) unfilled"), "{said}");
    for team in ["ledger", "payments"] {
        let path = out_dir.join(format!("{team}.json"));
        ok(&oncall(dir, &["check-plan", team, path.to_str().unwrap()]));
    }
    // A set with one double-booked plan is refused whole: nothing lands.
    let good: Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("payments.json")).unwrap())
            .unwrap();
    let ledger: Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("ledger.json")).unwrap())
            .unwrap();
    let carol_ledger: Vec<Stretch> = ledger["shifts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["person"] == "carol")
        .map(|s| {
            (
                s["start"].as_str().unwrap().parse().unwrap(),
                s["end"].as_str().unwrap().parse().unwrap(),
            )
        })
        .collect();
    let mut bad = good.clone();
    let clash = bad["shifts"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|s| {
            let span = (
                s["start"].as_str().unwrap().parse().unwrap(),
                s["end"].as_str().unwrap().parse().unwrap(),
            );
            !overlapping(&[span], &carol_ledger).is_empty()
        })
        .unwrap();
    clash["person"] = "carol".into();
    std::fs::write(
        out_dir.join("payments.json"),
        serde_json::to_string(&bad).unwrap(),
    )
    .unwrap();
    let out = oncall(dir, &["publish", "--all", out_dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("nothing was published") && err.contains("payments: week"),
        "{err}"
    );
    assert!(err.contains("carol is on call for ledger"), "{err}");
    assert!(
        held(dir, "ledger", "carol").is_empty(),
        "ledger was not published alone"
    );
    // The good set lands whole, and carol is never on both.
    std::fs::write(
        out_dir.join("payments.json"),
        serde_json::to_string(&good).unwrap(),
    )
    .unwrap();
    let said = ok(&oncall(
        dir,
        &["publish", "--all", out_dir.to_str().unwrap()],
    ));
    assert!(
        said.contains("published ledger version 1")
            && said.contains("published payments version 1"),
        "{said}"
    );
    let (l, p) = (held(dir, "ledger", "carol"), held(dir, "payments", "carol"));
    assert!(!l.is_empty() && !p.is_empty());
    assert_eq!(overlapping(&l, &p), vec![]);
}

/// A generated organisation, planned whole: every plan is written, the set
/// passes the publish gate (the independent checker, each plan judged with
/// the others published), and no two plans put anyone on call at once.
#[test]
fn a_generated_organisation_is_planned_without_double_booking() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("org");
    let said = ok(&oncall(
        tmp.path(),
        &[
            "generate",
            "--teams",
            "10",
            "--seed",
            "11",
            dir.to_str().unwrap(),
        ],
    ));
    assert!(
        said.contains("10 teams") && said.contains("on more than one team"),
        "{said}"
    );
    // The same seed again refuses to overwrite anything.
    let again = oncall(
        tmp.path(),
        &[
            "generate",
            "--teams",
            "10",
            "--seed",
            "11",
            dir.to_str().unwrap(),
        ],
    );
    assert_ne!(again.status.code(), Some(0));
    let plans = dir.join("plans");
    let out = oncall(
        &dir,
        &[
            "plan",
            "--all",
            "--quarter",
            "2027Q1",
            "--out",
            plans.to_str().unwrap(),
            "--time-limit",
            "20",
        ],
    );
    let said = text(&out.stdout);
    assert!(said.contains("organisation: 10 teams"), "{said}");
    let docs: Vec<Value> = std::fs::read_dir(&plans)
        .unwrap()
        .map(|e| {
            serde_json::from_str(&std::fs::read_to_string(e.unwrap().path()).unwrap()).unwrap()
        })
        .collect();
    assert_eq!(docs.len(), 10);
    let partial = docs
        .iter()
        .filter(|d| !d["unfilled"].as_array().unwrap().is_empty())
        .count();
    let plain = oncall(&dir, &["publish", "--all", plans.to_str().unwrap()]);
    if partial > 0 {
        // A set holding a partial plan is refused whole, naming it.
        assert_eq!(plain.status.code(), Some(1), "{}", text(&plain.stderr));
        assert!(text(&plain.stderr).contains("--allow-partial"));
        ok(&oncall(
            &dir,
            &[
                "publish",
                "--all",
                plans.to_str().unwrap(),
                "--allow-partial",
            ],
        ));
    } else {
        ok(&plain);
    }
    let mut held: Vec<(String, String, Stretch)> = Vec::new();
    for d in &docs {
        for s in d["shifts"].as_array().unwrap() {
            let span = (
                s["start"].as_str().unwrap().parse().unwrap(),
                s["end"].as_str().unwrap().parse().unwrap(),
            );
            held.push((
                d["team"].as_str().unwrap().into(),
                s["person"].as_str().unwrap().into(),
                span,
            ));
        }
    }
    let mut shared = 0;
    for (i, (ta, pa, a)) in held.iter().enumerate() {
        for (tb, pb, b) in &held[i + 1..] {
            if pa == pb && ta != tb {
                shared += 1;
                assert!(
                    !(a.0 < b.1 && b.0 < a.1),
                    "{pa} is on call for {ta} and {tb} at once"
                );
            }
        }
    }
    assert!(shared > 0, "someone serves two of the teams");
}

/// The optimised plan next to the baselines on generated teams: no
/// collisions, and a largest excess never worse than either baseline's
/// (measured after the overrides their collisions need).
#[test]
fn the_optimised_plan_beats_both_baselines() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("org");
    ok(&oncall(
        tmp.path(),
        &[
            "generate",
            "--teams",
            "6",
            "--seed",
            "4",
            dir.to_str().unwrap(),
        ],
    ));
    let teams: Vec<String> = std::fs::read_dir(dir.join("teams"))
        .unwrap()
        .map(|e| {
            e.unwrap()
                .path()
                .file_stem()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    let mut compared = 0;
    for team in teams.iter().chain(std::iter::once(&"payments".to_string())) {
        let (ws, team) = if team == "payments" {
            (crate::support::workspace::data("quickstart"), team.as_str())
        } else {
            (dir.clone(), team.as_str())
        };
        let out = ok(&oncall(
            &ws,
            &["compare", team, "--quarter", "2027Q1", "--format", "json"],
        ));
        let v: Value = serde_json::from_str(&out).unwrap();
        let plans = v["plans"].as_array().unwrap();
        assert_eq!(plans[0]["name"], "optimised");
        assert_eq!(
            plans[0]["collisions"].as_array().unwrap().len(),
            0,
            "{team}"
        );
        if v["status"] != "optimal" {
            continue;
        }
        compared += 1;
        let best = plans[0]["max_excess"].as_f64().unwrap();
        for b in &plans[1..] {
            assert!(
                best <= b["max_excess"].as_f64().unwrap() + 1e-6,
                "{team}: {best} vs {b}"
            );
        }
    }
    assert!(compared >= 4, "compared {compared} teams");
    let table = ok(&oncall(
        &crate::support::workspace::data("quickstart"),
        &["compare", "payments", "--quarter", "2027Q1"],
    ));
    for row in [
        "slots needing a manual override",
        "largest excess over the share",
        "weekend and holiday hours per person",
    ] {
        assert!(table.contains(row), "{table}");
    }
}

/// Teams that share no one get from `plan --all` exactly what `plan TEAM`
/// gives each of them.
#[test]
fn plan_all_without_shared_people_gives_each_team_its_own_plan() {
    let tmp = crate::support::workspace::copy_of("quickstart");
    let dir = tmp.path();
    let plans = dir.join("plans");
    ok(&oncall(
        dir,
        &[
            "plan",
            "--all",
            "--quarter",
            "2027Q1",
            "--out",
            plans.to_str().unwrap(),
        ],
    ));
    for team in ["payments", "sre"] {
        let (_, alone) = plan(
            dir,
            team,
            &["--quarter", "2027Q1"],
            &format!("{team}-alone.json"),
        );
        let all: Value = serde_json::from_str(
            &std::fs::read_to_string(plans.join(format!("{team}.json"))).unwrap(),
        )
        .unwrap();
        for key in ["shifts", "unfilled", "fairness", "status"] {
            assert_eq!(all[key], alone[key], "{team} {key}");
        }
    }
}

/// When the only person free is on call for another team, `check` and
/// `plan` say so in words.
#[test]
fn check_and_plan_name_the_other_team_that_holds_the_only_free_person() {
    let tmp = shared_teams(false);
    let dir = tmp.path();
    ledger_published(dir);
    let (start, _) = held(dir, "ledger", "carol")[0];
    // Dov and Eve are away for the whole payments week that overlaps
    // carol's first ledger week's start.
    let day = start.date_naive();
    let (from, to) = (
        day - chrono::Duration::days(7),
        day + chrono::Duration::days(7),
    );
    let off = format!(
        "[[time_off]]\nperson = \"dov\"\nstart = \"{from}\"\nend = \"{to}\"\n\n\
         [[time_off]]\nperson = \"eve\"\nstart = \"{from}\"\nend = \"{to}\"\n"
    );
    std::fs::create_dir_all(dir.join("time-off")).unwrap();
    std::fs::write(dir.join("time-off/away.toml"), off).unwrap();
    let out = oncall(
        dir,
        &["check", "payments", "--from", "2027-01-06", "--weeks", "6"],
    );
    assert_eq!(out.status.code(), Some(1));
    let said = text(&out.stdout);
    assert!(
        said.contains("carol is on call for ledger in the week"),
        "{said}"
    );
    let out = oncall(
        dir,
        &["plan", "payments", "--from", "2027-01-06", "--weeks", "6"],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("carol is on call for ledger"), "{err}");
}

/// A set of plans that leaves slots unfilled is refused whole unless
/// `--allow-partial` says so; either way each gap is listed.
#[test]
fn publish_all_lists_partial_plans_and_needs_allow_partial() {
    let tmp = crate::support::workspace::copy_of("quickstart");
    let dir = tmp.path();
    let everyone = [
        "alice", "bob", "carol", "dan", "erin", "frank", "grace", "heidi", "ivan", "judy",
    ];
    let away: String = everyone
        .iter()
        .map(|p| {
            format!(
                "[[time_off]]\nperson = \"{p}\"\nstart = \"2027-01-12\"\nend = \"2027-01-15\"\n\n"
            )
        })
        .collect();
    std::fs::write(dir.join("time-off/everyone.toml"), away).unwrap();
    let plans = dir.join("plans");
    let p = plans.to_str().unwrap();
    let planned = oncall(dir, &["plan", "--all", "--quarter", "2027Q1", "--out", p]);
    assert!(
        plans.join("payments.json").exists(),
        "{}",
        text(&planned.stderr)
    );
    ok(&oncall(
        dir,
        &["check-plan", "payments", &format!("{p}/payments.json")],
    ));
    let out = oncall(dir, &["publish", "--all", p]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("refused: nothing was published"), "{err}");
    assert!(
        err.contains("payments: 2 slot(s) unfilled (2027-01-11 primary, 2027-01-11 secondary)"),
        "{err}"
    );
    assert!(err.contains("--allow-partial"), "{err}");
    assert!(!ok(&oncall(dir, &["log"])).contains("publish"));
    let out = oncall(dir, &["publish", "--all", p, "--allow-partial"]);
    let said = ok(&out);
    assert!(said.contains("published payments version 1"), "{said}");
    assert!(text(&out.stderr).contains("warning: publishing plans that leave slots unfilled"));
}

/// The shifts of a plan file as JSON.
fn plan_file(dir: &Path, team: &str) -> Value {
    let path = dir.join("plans").join(format!("{team}.json"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn write_plan_file(dir: &Path, team: &str, plan: &Value) {
    let path = dir.join("plans").join(format!("{team}.json"));
    std::fs::write(path, serde_json::to_string(plan).unwrap()).unwrap();
}

fn span_of(s: &Value) -> Stretch {
    (
        s["start"].as_str().unwrap().parse().unwrap(),
        s["end"].as_str().unwrap().parse().unwrap(),
    )
}

/// The audit log's actions, oldest first.
fn audit_actions(dir: &Path) -> Vec<String> {
    let log: Value = serde_json::from_str(&ok(&oncall(dir, &["log", "--format", "json"]))).unwrap();
    let entries = log
        .as_array()
        .or_else(|| log["entries"].as_array())
        .unwrap();
    entries
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect()
}

/// One `publish --all` judges each plan against the others as they would be
/// published: a plan that is the same as its published version still holds
/// its people, a plan that gives a week up frees its person for another team
/// in the same set, and publishing the same set again writes nothing but one
/// audit line.
#[test]
fn publish_all_judges_each_plan_against_the_set_as_staged_and_skips_the_unchanged() {
    let tmp = shared_teams(false);
    let dir = tmp.path();
    let plans = dir.join("plans");
    let horizon = ["--from", "2027-01-04", "--weeks", "6"];
    let mut args = vec!["plan", "--all"];
    args.extend_from_slice(&horizon);
    args.extend_from_slice(&["--out", plans.to_str().unwrap()]);
    ok(&oncall(dir, &args));
    let all = ["publish", "--all", plans.to_str().unwrap()];
    ok(&oncall(dir, &all));
    let before = audit_actions(dir);
    // The same set again: unchanged, no new version, one audit line.
    let said = ok(&oncall(dir, &all));
    for team in ["ledger", "payments"] {
        assert!(
            said.contains(&format!(
                "unchanged {team} version 1: the same plan is published"
            )),
            "{said}"
        );
        assert!(timeline(dir, team)
            .segments
            .iter()
            .all(|s| s.source == oncall::schedule::timeline::Source::Plan { version: 1 }));
    }
    let after = audit_actions(dir);
    assert_eq!(after.len(), before.len() + 1, "{after:?}");
    assert_eq!(after.last().map(String::as_str), Some("publish-unchanged"));
    // Ledger gives carol a week she holds in payments; payments' plan is
    // unchanged and still holds her: the set is refused whole.
    let ledger = plan_file(dir, "ledger");
    let payments = plan_file(dir, "payments");
    let carol_in_payments: Vec<Stretch> = payments["shifts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["person"] == "carol")
        .map(span_of)
        .collect();
    let mut clashing = ledger.clone();
    let week = clashing["shifts"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|s| {
            s["person"] != "carol" && !overlapping(&[span_of(s)], &carol_in_payments).is_empty()
        })
        .unwrap();
    week["person"] = "carol".into();
    let ledger_week = span_of(week);
    write_plan_file(dir, "ledger", &clashing);
    let out = oncall(dir, &all);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("carol is on call for payments"), "{err}");
    assert!(held(dir, "ledger", "carol")
        .iter()
        .all(|s| overlapping(&[*s], &[ledger_week]).is_empty()));
    // Payments gives those weeks to dov in the same set: carol is free
    // there, so no double booking is found (the edited plans' figures no
    // longer match their shifts, which --force lets through, listed).
    let mut freed = payments.clone();
    for s in freed["shifts"].as_array_mut().unwrap() {
        if s["person"] == "carol" && !overlapping(&[span_of(s)], &[ledger_week]).is_empty() {
            s["person"] = "dov".into();
        }
    }
    write_plan_file(dir, "payments", &freed);
    let mut forced = all.to_vec();
    forced.push("--force");
    let out = oncall(dir, &forced);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let warnings = text(&out.stderr);
    assert!(!warnings.contains("on call for"), "{warnings}");
    let said = text(&out.stdout);
    assert!(
        said.contains("published ledger version 2")
            && said.contains("published payments version 2"),
        "{said}"
    );
    let (l, p) = (held(dir, "ledger", "carol"), held(dir, "payments", "carol"));
    assert!(!overlapping(&l, &[ledger_week]).is_empty(), "{l:?}");
    assert_eq!(overlapping(&l, &p), vec![]);
}
