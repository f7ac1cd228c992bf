//! Drift through the binary: after publishing, a leaver and a new vacation
//! inside a published week make `check` exit 1, naming the person, the span,
//! the rule and a fix; the fix it names clears the finding.

use std::fs;

use serde_json::Value;

use crate::cli_fairness::published_quickstart;
use crate::run::{ok, oncall};
use crate::schedule::holder;
use crate::support::workspace::text;

const CHECK: [&str; 4] = ["check", "payments", "--quarter", "2027Q1"];

fn plan_json(dir: &std::path::Path) -> Value {
    serde_json::from_str(&fs::read_to_string(dir.join("plan.json")).unwrap()).unwrap()
}

#[test]
fn a_new_vacation_in_a_published_week_is_drift_until_replanned() {
    let tmp = published_quickstart();
    let dir = tmp.path();
    assert!(ok(&oncall(dir, &CHECK)).starts_with("ok:"));
    let who = holder(&plan_json(dir)["shifts"], "2027-02-08", "primary");
    let vacations = fs::read_to_string(dir.join("time-off/vacations.toml")).unwrap();
    fs::write(
        dir.join("time-off/vacations.toml"),
        format!("{vacations}\n[[time_off]]\nperson = \"{who}\"\nstart = \"2027-02-10\"\nend = \"2027-02-11\"\n"),
    )
    .unwrap();
    let out = oncall(dir, &CHECK);
    let said = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{said}{}", text(&out.stderr));
    for want in [
        format!(
            "drift: {who} holds primary from Mon 2027-02-08 10:00 PST to Mon 2027-02-15 10:00 PST"
        ),
        format!("{who} is off 2027-02-10..2027-02-11"),
        "fix: `oncall replan payments --from 2027-02-08`".to_string(),
    ] {
        assert!(said.contains(&want), "`{want}` not in:\n{said}");
    }
    let json = oncall(
        dir,
        &[
            "check",
            "payments",
            "--quarter",
            "2027Q1",
            "--format",
            "json",
        ],
    );
    let doc: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(json.status.code(), Some(1));
    assert_eq!(doc["drift"][0]["person"], who.as_str());
    assert_eq!(doc["drift"][0]["week"], "2027-02-08");
    // A manager forcing the old plan again publishes the drift, and is told.
    let old_plan = dir.join("plan.json");
    let old_plan = old_plan.to_str().unwrap();
    let forced = oncall(dir, &["publish", "payments", old_plan, "--force"]);
    assert_eq!(forced.status.code(), Some(0), "{}", text(&forced.stderr));
    let warned = text(&forced.stderr);
    assert!(
        warned.contains("warning: what is published now breaks today's inputs"),
        "{warned}"
    );
    assert!(
        warned.contains(&format!("{who} is off 2027-02-10..2027-02-11")),
        "{warned}"
    );
    // `plan` over that horizon warns of it, and its plan is the fix.
    let q = dir.join("q.json");
    let q = q.to_str().unwrap();
    let replan_q = oncall(
        dir,
        &["plan", "payments", "--quarter", "2027Q1", "--out", q],
    );
    let warned = text(&replan_q.stderr);
    assert!(
        warned.contains("warning: the published schedule has drifted")
            && warned.contains(&format!("{who} is off")),
        "{warned}"
    );
    ok(&oncall(dir, &["check-plan", "payments", q]));
    // `who` marks the holder as needing cover, in words and in now.json.
    let at = ["who", "payments", "--at", "2027-02-10T12:00"];
    let said = ok(&oncall(dir, &at));
    let off = format!("{who} is off 2027-02-10..2027-02-11");
    let marked = said
        .lines()
        .any(|l| l.contains("needs cover: ") && l.contains(&off));
    assert!(marked, "no `needs cover: ... {off}` in:\n{said}");
    let now = oncall(dir, &[&at[..], &["--format", "json"]].concat());
    let doc: Value = serde_json::from_slice(&now.stdout).unwrap();
    let primary = &doc["roles"][0];
    assert_eq!(primary["holder"]["id"], who.as_str());
    let reasons = primary["needs_cover"].as_array().unwrap();
    assert!(
        reasons.len() == 1 && reasons[0].as_str().unwrap().contains("is off"),
        "{doc}"
    );
    assert_eq!(doc["roles"][1]["needs_cover"], serde_json::json!([]));
    // The fix it names: re-plan from that week, check, publish; no drift left.
    let replan = dir.join("replan.json");
    let r = replan.to_str().unwrap();
    ok(&oncall(
        dir,
        &["replan", "payments", "--from", "2027-02-08", "--out", r],
    ));
    ok(&oncall(dir, &["check-plan", "payments", r]));
    ok(&oncall(dir, &["publish", "payments", r]));
    assert!(ok(&oncall(dir, &CHECK)).starts_with("ok:"));
    assert!(!ok(&oncall(dir, &at)).contains("needs cover"));
}

#[test]
fn a_leaver_still_on_the_schedule_is_drift_in_every_week_they_hold() {
    let tmp = published_quickstart();
    let dir = tmp.path();
    let shifts = plan_json(dir)["shifts"].clone();
    let who = holder(&shifts, "2027-02-15", "primary");
    let weeks: Vec<String> = shifts
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["person"] == who.as_str() && s["week"].as_str().unwrap() >= "2027-02-15")
        .map(|s| s["week"].as_str().unwrap().to_string())
        .collect();
    let people = fs::read_to_string(dir.join("people.csv")).unwrap();
    let edited: String = people
        .lines()
        .map(|l| {
            let mut f: Vec<&str> = l.split(',').collect();
            if f[0] == who {
                f[6] = "2027-02-15";
            }
            f.join(",") + "\n"
        })
        .collect();
    fs::write(dir.join("people.csv"), edited).unwrap();
    let out = oncall(dir, &CHECK);
    let said = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{said}{}", text(&out.stderr));
    assert_eq!(
        said.matches(&format!("drift: {who} holds")).count(),
        weeks.len(),
        "{said}"
    );
    assert!(said.contains(&format!("{who} leaves 2027-02-15")), "{said}");
    for w in &weeks {
        assert!(
            said.contains(&format!("`oncall replan payments --from {w}`")),
            "{said}"
        );
    }
}
