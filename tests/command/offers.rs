//! Trades with consent, through the real binary: cover requests, two-way
//! day trades, whole-week swap requests, who may accept, decline and cancel
//! them, expiry, and two people accepting one offer at the same moment.
//! Every plan here goes through `check-plan` and the publish gate.

use std::path::Path;
use std::process::Output;

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use oncall::schedule::store::{Store, StoreRead};
use serde_json::Value;

use crate::run::{ok, oncall, oncall_as};
use crate::schedule::{holder, idle_in, pair_team_from, published_pair_team, timeline, PAIR_TEAM};
use crate::support::workspace::{copy_with_store, text};

/// Asserts a refusal (exit 1) whose message contains `why`.
fn refused(out: &Output, why: &str) {
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("refused") && err.contains(why), "{err}");
}

/// The id printed by a new offer.
fn offer_id(out: &Output) -> String {
    let line = ok(out);
    let id = line
        .strip_prefix("offer #")
        .and_then(|rest| rest.split(':').next())
        .unwrap_or_else(|| panic!("no offer id in {line}"));
    id.to_string()
}

/// Who holds `role` in the resolved timeline at `at` (RFC 3339).
fn held_at(dir: &Path, role: &str, at: &str) -> String {
    let at = chrono::DateTime::parse_from_rfc3339(at).unwrap();
    let tl = timeline(dir, "ops");
    tl.holder(role, at.with_timezone(&Utc))
        .map(|s| s.person.clone())
        .unwrap_or_default()
}

const COVER_FROM: &str = "2027-01-13T00:00";
const COVER_TO: &str = "2027-01-15T00:00";

/// The primary of the week of 2027-01-11 asks to be covered Wednesday to
/// Friday; returns the workspace, the plan, the asker and the offer id.
fn with_cover_request() -> (tempfile::TempDir, Value, String, String) {
    let (tmp, plan) = published_pair_team();
    let asker = holder(&plan["shifts"], "2027-01-11", "primary");
    let out = oncall_as(
        tmp.path(),
        &asker,
        &[
            "cover", "request", "ops", "--from", COVER_FROM, "--to", COVER_TO,
        ],
    );
    let id = offer_id(&out);
    (tmp, plan, asker, id)
}

#[test]
fn a_cover_request_is_taken_by_an_eligible_member_and_refused_for_others() {
    let (tmp, plan, asker, id) = with_cover_request();
    let dir = tmp.path();
    // The secondary that week would hold two roles; last week's primary
    // would break rest_weeks. Each is told why, and nothing changes.
    let second = holder(&plan["shifts"], "2027-01-11", "secondary");
    refused(
        &oncall_as(dir, &second, &["accept", &id]),
        "one role per person per week",
    );
    let before = holder(&plan["shifts"], "2027-01-04", "primary");
    let out = oncall_as(dir, &before, &["accept", &id]);
    refused(&out, "closer than rest_weeks = 1 allows");
    refused(&oncall_as(dir, &asker, &["accept", &id]), "is your own");
    assert!(Store::open(dir)
        .unwrap()
        .overrides("ops")
        .unwrap()
        .is_empty());
    // Someone free around that week sees that they could take it, by e-mail.
    let free = idle_in(&plan, &["2027-01-04", "2027-01-11", "2027-01-18"]);
    let listed = ok(&oncall_as(
        dir,
        &format!("{}@EXAMPLE.com", free.to_uppercase()),
        &["offers"],
    ));
    assert!(
        listed.contains("you can take it") && listed.contains("cover primary"),
        "{listed}"
    );
    let listed = ok(&oncall_as(dir, &second, &["offers"]));
    assert!(
        listed.contains("cannot: ") && listed.contains("one role per person"),
        "{listed}"
    );
    ok(&oncall_as(dir, &free, &["accept", &id]));
    assert_eq!(held_at(dir, "primary", "2027-01-13T12:00:00+01:00"), free);
    assert_eq!(held_at(dir, "primary", "2027-01-12T23:59:59+01:00"), asker);
    assert_eq!(held_at(dir, "primary", "2027-01-15T00:00:00+01:00"), asker);
    let log = Store::open(dir).unwrap().audit(Some("ops")).unwrap();
    let last = log.last().unwrap();
    assert_eq!(
        (last.action.as_str(), last.actor.as_str()),
        ("accept", free.as_str())
    );
    assert_eq!(
        ok(&oncall_as(dir, &free, &["offers"])).trim(),
        "no open offers"
    );
}

#[test]
fn commands_that_act_for_someone_need_a_known_identity() {
    let (tmp, _plan, _asker, id) = with_cover_request();
    let dir = tmp.path();
    // `oncall` runs as `tester`, who is nobody in people.csv.
    let out = oncall(dir, &["accept", &id]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("$ONCALL_USER (`tester`) is no person's id or e-mail"),
        "{err}"
    );
    assert!(err.contains("export ONCALL_USER="), "{err}");
    // An override by someone other than the person who takes the shift is
    // refused for consent; a manager's --force records it, audited.
    let free = idle_in(
        &published_plan(dir),
        &["2027-01-04", "2027-01-11", "2027-01-18"],
    );
    let args = [
        "override", "ops", "--role", "primary", "--person", &free, "--from", COVER_FROM, "--to",
        COVER_TO,
    ];
    refused(
        &oncall(dir, &args),
        &format!("{free} has not agreed to take it"),
    );
    let mut forced = args.to_vec();
    forced.push("--force");
    ok(&oncall(dir, &forced));
    let log = Store::open(dir).unwrap().audit(Some("ops")).unwrap();
    let last = log.last().unwrap();
    assert!(
        last.forced && last.detail.contains("has not agreed"),
        "{last:?}"
    );
}

/// The plan the pair team's workspace was published from.
fn published_plan(dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("p.json")).unwrap()).unwrap()
}

/// A trade that passes the rules: the primary of 2027-01-11 gives their
/// Saturday for a Tuesday of another primary's week. Returns the asker,
/// the partner, the partner's week and the offer id.
fn offer_trade(dir: &Path, plan: &Value) -> (String, String, String, String) {
    let asker = holder(&plan["shifts"], "2027-01-11", "primary");
    for week in [
        "2027-02-01",
        "2027-02-08",
        "2027-02-15",
        "2027-02-22",
        "2027-01-25",
    ] {
        let partner = holder(&plan["shifts"], week, "primary");
        let tuesday =
            chrono::NaiveDate::parse_from_str(week, "%Y-%m-%d").unwrap() + Duration::days(1);
        let (t0, t1) = (
            format!("{tuesday}T00:00"),
            format!("{}T00:00", tuesday + Duration::days(1)),
        );
        let args = [
            "trade",
            "offer",
            "ops",
            "--with",
            &partner,
            "--give",
            "2027-01-16T00:00",
            "2027-01-17T00:00",
            "--take",
            &t0,
            &t1,
        ];
        let out = oncall_as(dir, &asker, &args);
        if out.status.success() {
            return (asker, partner, week.to_string(), offer_id(&out));
        }
        refused(&out, "");
    }
    panic!("no trade passes the rules");
}

#[test]
fn a_two_way_day_trade_is_carried_out_when_the_other_person_accepts() {
    let (tmp, plan) = published_pair_team();
    let dir = tmp.path();
    let (asker, partner, week, id) = offer_trade(dir, &plan);
    let bystander = PAIR_TEAM
        .into_iter()
        .find(|p| *p != asker && *p != partner)
        .unwrap();
    refused(
        &oncall_as(dir, bystander, &["accept", &id]),
        &format!("only {partner} may accept"),
    );
    refused(
        &oncall_as(dir, bystander, &["decline", &id]),
        &format!("only {partner} may decline"),
    );
    let listed = ok(&oncall_as(dir, &partner, &["offers"]));
    assert!(listed.contains("asked of you: you can take it"), "{listed}");
    ok(&oncall_as(dir, &partner, &["accept", &id]));
    // The partner holds the asker's Saturday; the asker the partner's Tuesday.
    assert_eq!(
        held_at(dir, "primary", "2027-01-16T12:00:00+01:00"),
        partner
    );
    assert_eq!(held_at(dir, "primary", "2027-01-17T12:00:00+01:00"), asker);
    let tuesday = chrono::NaiveDate::parse_from_str(&week, "%Y-%m-%d").unwrap() + Duration::days(1);
    assert_eq!(
        held_at(dir, "primary", &format!("{tuesday}T12:00:00+01:00")),
        asker
    );
    assert_eq!(
        held_at(dir, "primary", &format!("{tuesday}T00:00:00+01:00")),
        asker
    );
    let wednesday = tuesday + Duration::days(1);
    assert_eq!(
        held_at(dir, "primary", &format!("{wednesday}T00:00:00+01:00")),
        partner
    );
    assert_eq!(Store::open(dir).unwrap().overrides("ops").unwrap().len(), 2);
    refused(
        &oncall_as(dir, &partner, &["accept", &id]),
        "already accepted",
    );
}

#[test]
fn a_declined_or_cancelled_offer_cannot_be_accepted() {
    let (tmp, plan) = published_pair_team();
    let dir = tmp.path();
    let (asker, partner, _, id) = offer_trade(dir, &plan);
    refused(
        &oncall_as(dir, &partner, &["cancel", &id]),
        &format!("only {asker} may cancel"),
    );
    ok(&oncall_as(dir, &partner, &["decline", &id]));
    refused(
        &oncall_as(dir, &partner, &["accept", &id]),
        &format!("already declined (by {partner})"),
    );
    // A cover request is open to everyone: nothing to decline; only the
    // asker may cancel it.
    let out = oncall_as(
        dir,
        &asker,
        &[
            "cover", "request", "ops", "--from", COVER_FROM, "--to", COVER_TO,
        ],
    );
    let cover = offer_id(&out);
    refused(
        &oncall_as(dir, &partner, &["decline", &cover]),
        "open to everyone",
    );
    refused(
        &oncall_as(dir, &partner, &["cancel", &cover]),
        &format!("only {asker} may cancel"),
    );
    ok(&oncall_as(dir, &asker, &["cancel", &cover]));
    let free = idle_in(&plan, &["2027-01-04", "2027-01-11", "2027-01-18"]);
    refused(
        &oncall_as(dir, &free, &["accept", &cover]),
        "already cancelled",
    );
    refused(
        &oncall_as(dir, &free, &["accept", "999"]),
        "there is no offer #999",
    );
    assert!(Store::open(dir)
        .unwrap()
        .overrides("ops")
        .unwrap()
        .is_empty());
}

/// Runs `oncall` as `user` with the clock at `now` (`ONCALL_NOW`).
fn at_time(now: DateTime<Utc>, dir: &Path, user: &str, args: &[&str]) -> Output {
    crate::run::command()
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("ONCALL_USER", user)
        .env("ONCALL_NOW", rfc(now))
        .output()
        .unwrap()
}

fn rfc(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[test]
fn an_offer_expires_when_its_span_begins() {
    let (tmp, _) = pair_team_from("2027-01-04", "3");
    let dir = tmp.path();
    let start: DateTime<Utc> = "2027-01-13T10:00:00Z".parse().unwrap();
    let before = start - Duration::hours(1);
    let tl = timeline(dir, "ops");
    let seg = tl
        .holder("primary", start)
        .expect("primary is held")
        .clone();
    let end = seg.end.min(start + Duration::hours(1));
    let cover = |from: DateTime<Utc>| {
        let (from, to) = (rfc(from), rfc(end));
        at_time(
            before,
            dir,
            &seg.person,
            &["cover", "request", "ops", "--from", &from, "--to", &to],
        )
    };
    // A span that has begun cannot be offered.
    refused(
        &cover(before - Duration::minutes(5)),
        "only shifts that have not started",
    );
    let id = offer_id(&cover(start));
    let other = PAIR_TEAM.into_iter().find(|p| *p != seg.person).unwrap();
    let listed = ok(&at_time(before, dir, other, &["offers"]));
    assert!(listed.contains(&format!("│ {id} ")), "{listed}");
    // One second after the span began, the offer is gone.
    let later = start + Duration::seconds(1);
    refused(
        &at_time(later, dir, other, &["accept", &id]),
        &format!("offer #{id} expired at"),
    );
    let listed = ok(&at_time(later, dir, other, &["offers"]));
    assert_eq!(listed.trim(), "no open offers");
    assert!(Store::open(dir)
        .unwrap()
        .overrides("ops")
        .unwrap()
        .is_empty());
}

#[test]
fn a_clock_that_is_not_an_instant_is_refused_before_anything_runs() {
    let (tmp, _) = published_pair_team();
    let out = crate::run::command()
        .arg("-C")
        .arg(tmp.path())
        .args(["offers"])
        .env("ONCALL_NOW", "next tuesday")
        .output()
        .unwrap();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("ONCALL_NOW=`next tuesday` is not an instant"),
        "{err}"
    );
}

/// Two members who could each take a cover request accept it at the same
/// moment, from two processes: exactly one wins, every round.
#[test]
fn two_concurrent_accepts_have_exactly_one_winner() {
    let (base, plan, _asker, id) = with_cover_request();
    let busy = ["2027-01-04", "2027-01-11", "2027-01-18"];
    let free: Vec<String> = PAIR_TEAM
        .into_iter()
        .filter(|p| {
            !plan["shifts"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["person"] == *p && busy.contains(&s["week"].as_str().unwrap()))
        })
        .map(str::to_string)
        .collect();
    assert!(free.len() >= 2, "two free members: {free:?}");
    for round in 0..5 {
        let tmp = tempfile::tempdir().unwrap();
        copy_with_store(base.path(), tmp.path());
        let start = std::sync::Arc::new(std::sync::Barrier::new(2));
        let racers: Vec<_> = free[..2]
            .iter()
            .map(|who| {
                let (dir, start, who, id) = (
                    tmp.path().to_path_buf(),
                    start.clone(),
                    who.clone(),
                    id.clone(),
                );
                std::thread::spawn(move || {
                    let mut cmd = crate::run::command();
                    cmd.arg("-C")
                        .arg(&dir)
                        .args(["accept", &id])
                        .env("ONCALL_USER", &who);
                    start.wait();
                    cmd.output().unwrap()
                })
            })
            .collect();
        let outs: Vec<Output> = racers.into_iter().map(|r| r.join().unwrap()).collect();
        let won: Vec<&Output> = outs.iter().filter(|o| o.status.success()).collect();
        let lost: Vec<&Output> = outs.iter().filter(|o| !o.status.success()).collect();
        assert_eq!((won.len(), lost.len()), (1, 1), "round {round}: {outs:?}");
        refused(lost[0], "already accepted (by ");
        let st = Store::open(tmp.path()).unwrap();
        assert_eq!(st.overrides("ops").unwrap().len(), 1, "round {round}");
        let accepts = st
            .audit(Some("ops"))
            .unwrap()
            .into_iter()
            .filter(|e| e.action == "accept");
        assert_eq!(accepts.count(), 1, "round {round}");
    }
}

#[test]
fn a_swap_request_needs_its_asker_and_is_accepted_by_a_holder_of_a_wanted_week() {
    let (tmp, plan) = published_pair_team();
    let dir = tmp.path();
    let asker = holder(&plan["shifts"], "2027-01-11", "primary");
    let args = [
        "swap",
        "request",
        &asker,
        "--give",
        "2027-01-11",
        "--want",
        "2027-02-01",
        "--want",
        "2027-02-15",
    ];
    // Nobody may offer someone else's week; a manager may, audited.
    refused(
        &oncall(dir, &args),
        &format!("only {asker} may offer {asker}'s own shift"),
    );
    let id = offer_id_swap(&oncall_as(dir, &asker, &args));
    let listed = ok(&oncall_as(dir, &asker, &["offers"]));
    assert!(
        listed.contains("the week of 2027-01-11 for one of 2027-02-01, 2027-02-15"),
        "{listed}"
    );
    ok(&oncall_as(dir, &asker, &["cancel", &id]));
    // Whoever holds a wanted week may accept; the rules may refuse a pair,
    // naming the rule, so try the weeks until one passes.
    for want in ["2027-02-01", "2027-02-08", "2027-02-15", "2027-02-22"] {
        let args = [
            "swap",
            "request",
            &asker,
            "--give",
            "2027-01-11",
            "--want",
            want,
        ];
        let id = offer_id_swap(&oncall_as(dir, &asker, &args));
        let taker = holder(&plan["shifts"], want, "primary");
        let out = oncall_as(dir, &taker, &["accept", &id]);
        if !out.status.success() {
            let err = text(&out.stderr);
            assert!(
                err.contains("rest_weeks") || err.contains("one role per person"),
                "{err}"
            );
            ok(&oncall_as(dir, &asker, &["cancel", &id]));
            continue;
        }
        let tl = timeline(dir, "ops");
        let week = |d: &str, p: &str| {
            tl.segments
                .iter()
                .any(|s| s.week.to_string() == d && s.person == p)
        };
        assert!(week("2027-01-11", &taker) && week(want, &asker));
        assert!(!week("2027-01-11", &asker) && !week(want, &taker));
        return;
    }
    panic!("no wanted week could be taken");
}

/// The id printed by `swap request`.
fn offer_id_swap(out: &Output) -> String {
    let line = ok(out);
    let id = line
        .strip_prefix("swap request #")
        .and_then(|rest| rest.split(':').next())
        .unwrap_or_else(|| panic!("no request id in {line}"));
    id.to_string()
}

/// `offers`, `log`, `who` and `link list` with `--format json`: one
/// document each, holding what the table shows and no secret.
#[test]
fn listings_are_json_documents_for_scripts_and_bots() {
    let (tmp, _plan, asker, id) = with_cover_request();
    let dir = tmp.path();
    let json = |who: &str, args: &[&str]| -> Value {
        let out = oncall_as(dir, who, args);
        serde_json::from_str(&ok(&out)).unwrap_or_else(|e| panic!("{args:?}: {e}"))
    };
    let offers = json(&asker, &["offers", "--format", "json"]);
    let offer = &offers[0];
    assert_eq!(offer["id"].to_string(), id);
    assert_eq!(
        (offer["terms"]["kind"].as_str(), offer["status"].as_str()),
        (Some("cover"), Some("open"))
    );
    assert_eq!(offer["person"], asker.as_str());
    assert_eq!(offer["you"], "yours");
    // A cover request expires when the span it asks for begins.
    let start = offer["terms"]["span"]["start"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(offer["expires"], start.as_str(), "{offer}");
    let log = json(&asker, &["log", "--format", "json"]);
    let actions: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(actions.contains(&"publish"), "{actions:?}");
    // The shell says who acts; the entry of the request names the asker.
    let asked = log
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "offer");
    assert_eq!(
        asked.map(|e| &e["actor"]),
        Some(&Value::from(asker.as_str())),
        "{log}"
    );
    // Each entry's detail is the JSON it records, not a string of it.
    assert!(log[0]["detail"].is_object(), "{}", log[0]);
    let who = json(
        &asker,
        &["who", "ops", "--at", COVER_FROM, "--format", "json"],
    );
    assert_eq!(who["team"], "ops");
    let primary = &who["roles"][0];
    assert_eq!(primary["role"], "primary");
    assert_eq!(
        primary["holder"]["id"],
        held_at(dir, "primary", &start).as_str()
    );
    let link = oncall_as(dir, &asker, &["link", "create", "--team", "ops"]);
    let url = ok(&link);
    let links = json(&asker, &["link", "list", "--format", "json"]);
    assert_eq!(
        links[0]["subject"],
        serde_json::json!({"kind": "team", "id": "ops"})
    );
    let secret = url.trim().rsplit('/').nth(1).unwrap();
    assert_eq!(secret.len(), 64, "{url}");
    assert!(!links.to_string().contains(secret));
}
