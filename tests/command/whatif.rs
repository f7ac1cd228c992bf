//! `oncall whatif`: a scenario is what a hand-edited workspace would plan,
//! it writes nothing, and its mistakes are named with the fix.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::run::{ok, oncall};
use crate::support::workspace::{copy_of, text};

const QUARTER: [&str; 2] = ["--quarter", "2027Q1"];
const ALICE: &str = "alice,Alice Adams,alice@example.com,America/Los_Angeles,US,2021-03-01,,";
const ALICE_LEFT: &str =
    "alice,Alice Adams,alice@example.com,America/Los_Angeles,US,2021-03-01,2027-02-01,";

/// `whatif payments --quarter 2027Q1 ARGS --format json`, parsed.
fn whatif(dir: &Path, args: &[&str]) -> Value {
    let mut all = vec!["whatif", "payments"];
    all.extend_from_slice(&QUARTER);
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    let json: Value = serde_json::from_str(&ok(&oncall(dir, &all))).unwrap();
    for side in ["baseline", "scenario", "stable"] {
        assert_eq!(
            json[side]["violations"],
            serde_json::json!([]),
            "the checker refuses the {side}"
        );
    }
    json
}

/// `plan payments --quarter 2027Q1` written to `out` and re-checked with
/// `check-plan`, parsed.
fn checked_plan(dir: &Path, out: &Path) -> Value {
    let path = out.to_str().unwrap();
    let mut args = vec!["plan", "payments"];
    args.extend_from_slice(&QUARTER);
    args.extend_from_slice(&["--format", "json", "--out", path]);
    ok(&oncall(dir, &args));
    ok(&oncall(dir, &["check-plan", "payments", path]));
    serde_json::from_str(&std::fs::read_to_string(out).unwrap()).unwrap()
}

/// Holder of every slot, `(week, role) -> person`.
fn holders(plan: &Value) -> BTreeMap<(String, String), String> {
    plan["shifts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let f = |k: &str| s[k].as_str().unwrap().to_string();
            ((f("week"), f("role")), f("person"))
        })
        .collect()
}

fn edit_people(dir: &Path, from: &str, to: &str) {
    let path = dir.join("people.csv");
    let people = std::fs::read_to_string(&path).unwrap();
    assert!(people.contains(from));
    std::fs::write(&path, people.replace(from, to)).unwrap();
}

#[test]
fn a_leave_is_the_difference_of_two_plans_of_edited_workspaces() {
    let ws = copy_of("quickstart");
    let edited = copy_of("quickstart");
    let out = tempfile::tempdir().unwrap();
    edit_people(edited.path(), ALICE, ALICE_LEFT);
    let json = whatif(ws.path(), &["--leave", "alice@2027-02-01"]);
    let before = checked_plan(ws.path(), &out.path().join("before.json"));
    let after = checked_plan(edited.path(), &out.path().join("after.json"));

    // The scenario is the hand-edited workspace, down to the inputs hash.
    assert_eq!(json["scenario"]["inputs_sha256"], after["inputs_sha256"]);
    assert_eq!(json["baseline"]["inputs_sha256"], before["inputs_sha256"]);
    let (b, a) = (holders(&before), holders(&after));
    let expected: Vec<Value> = b
        .iter()
        .filter(|(slot, p)| a.get(*slot) != Some(*p))
        .map(|((week, role), p)| {
            serde_json::json!({"week": week, "role": role, "before": p, "after": a.get(&(week.clone(), role.clone()))})
        })
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(json["diff"]["slots"], Value::Array(expected));
    for person in json["diff"]["people"].as_array().unwrap() {
        let id = person["person"].as_str().unwrap();
        let count =
            |m: &BTreeMap<(String, String), String>| m.values().filter(|p| *p == id).count();
        assert_eq!(person["before"], count(&b), "{id}");
        assert_eq!(person["after"], count(&a), "{id}");
    }

    // Alice holds nothing from her first day gone; her later weeks go to others.
    let alice_after: Vec<&(String, String)> = a
        .iter()
        .filter(|(_, p)| *p == "alice")
        .map(|(k, _)| k)
        .collect();
    assert!(alice_after
        .iter()
        .all(|(week, _)| week.as_str() <= "2027-01-25"));
    let lost: Vec<&(String, String)> = b
        .iter()
        .filter(|((week, _), p)| *p == "alice" && week.as_str() >= "2027-02-01")
        .map(|(k, _)| k)
        .collect();
    assert!(!lost.is_empty());
    for slot in lost {
        assert!(a.get(slot).is_some_and(|p| p != "alice"), "{slot:?}");
    }
}

#[test]
fn a_scenario_plan_is_stale_until_the_workspace_is_edited_the_same_way() {
    let ws = copy_of("quickstart");
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("scenario.json");
    let path = file.to_str().unwrap();
    let mut args = vec!["whatif", "payments"];
    args.extend_from_slice(&QUARTER);
    args.extend_from_slice(&["--leave", "alice@2027-02-01", "--plan-out", path]);
    ok(&oncall(ws.path(), &args));

    let refused = oncall(ws.path(), &["publish", "payments", path]);
    assert!(!refused.status.success(), "{}", text(&refused.stdout));
    let why = text(&refused.stderr) + &text(&refused.stdout);
    assert!(
        why.contains("the plan was made from different inputs"),
        "{why}"
    );

    edit_people(ws.path(), ALICE, ALICE_LEFT);
    ok(&oncall(ws.path(), &["check-plan", "payments", path]));
    ok(&oncall(ws.path(), &["publish", "payments", path]));
}

/// sha256 of every file under `dir`, by relative path. A reader of the store
/// may leave SQLite's `oncall.db-shm` and an empty `oncall.db-wal` beside
/// it (a writer removes them): the index is skipped, the log must be empty.
fn hashes(dir: &Path) -> BTreeMap<PathBuf, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            if p.is_dir() {
                stack.push(p);
            } else if name == "oncall.db-wal" {
                assert_eq!(
                    std::fs::metadata(&p).unwrap().len(),
                    0,
                    "a write in the log"
                );
            } else if name != "oncall.db-shm" {
                let digest = Sha256::digest(std::fs::read(&p).unwrap());
                let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
                out.insert(p.strip_prefix(dir).unwrap().to_path_buf(), hex);
            }
        }
    }
    out
}

#[test]
fn whatif_writes_neither_the_workspace_nor_the_store() {
    let ws = copy_of("quickstart");
    let out = tempfile::tempdir().unwrap();
    let published = out.path().join("published.json");
    checked_plan(ws.path(), &published);
    ok(&oncall(
        ws.path(),
        &["publish", "payments", published.to_str().unwrap()],
    ));
    let before = hashes(ws.path());
    assert!(before.contains_key(Path::new("oncall.db")));
    for format in ["table", "md", "json"] {
        let mut args = vec!["whatif", "payments"];
        args.extend_from_slice(&QUARTER);
        args.extend_from_slice(&[
            "--leave",
            "alice@2027-02-01",
            "--join",
            "kim,Kim Kato,America/Denver,US,2026-01-05,payments",
            "--time-off",
            "bob:2027-02-01..2027-02-12",
            "--set",
            "rules.rest_weeks=2",
            "--format",
            format,
        ]);
        let shown = ok(&oncall(ws.path(), &args));
        let expected = match format {
            "md" => "## Slots that change hands",
            "table" => "Slots that change hands",
            _ => "\"diff\"",
        };
        assert!(shown.contains(expected) && shown.contains("kim"), "{shown}");
        assert_eq!(hashes(ws.path()), before, "after --format {format}");
    }
}

#[test]
fn unknown_keys_and_people_are_named_with_the_nearest() {
    let ws = copy_of("quickstart");
    let cases = [
        (
            ["--set", "rules.rest_week=2"],
            "unknown key `rules.rest_week`",
            "did you mean `rules.rest_weeks`?",
        ),
        (
            ["--set", "roles.secundary.min_tenure_days=90"],
            "unknown key `roles.secundary.min_tenure_days`",
            "did you mean `roles.secondary.min_tenure_days`?",
        ),
        (
            ["--leave", "alcie@2027-02-01"],
            "unknown person `alcie`",
            "did you mean `alice`?",
        ),
        (
            ["--time-off", "bbo:2027-02-01..2027-02-05"],
            "unknown person `bbo`",
            "did you mean `bob`?",
        ),
        (
            ["--join", "alice,Alice Again,UTC,,2027-01-04"],
            "`alice` is already in people.csv",
            "give the new hire an id of their own",
        ),
        (
            ["--time-off", "bob:2027-02-12..2027-02-01"],
            "2027-02-01 is before 2027-02-12",
            "swap them",
        ),
    ];
    for (change, message, help) in cases {
        let mut args = vec!["whatif", "payments"];
        args.extend_from_slice(&QUARTER);
        args.extend_from_slice(&change);
        let out = oncall(ws.path(), &args);
        assert_eq!(out.status.code(), Some(2), "{change:?}");
        let err = text(&out.stderr);
        assert!(
            err.contains(message) && err.contains(help),
            "{change:?}: {err}"
        );
    }
}

#[test]
fn a_hire_takes_weeks_only_with_the_tenure_for_a_role() {
    let ws = copy_of("quickstart");
    let new = whatif(
        ws.path(),
        &[
            "--join",
            "kim,Kim Kato,America/Denver,US,2027-01-04,payments+db",
        ],
    );
    let kim = |json: &Value| {
        json["scenario"]["people"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["person"] == "kim")
            .cloned()
            .unwrap()
    };
    assert_eq!(kim(&new)["shifts"], serde_json::json!([]));
    assert_eq!(kim(&new)["cost"], "0.00");
    let notes = new["diff"]["notes"].to_string();
    assert!(
        notes.contains("kim takes no weeks") && notes.contains("primary needs 90 days"),
        "{notes}"
    );
    assert!(new["baseline"]["people"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["person"] != "kim"));

    let seasoned = whatif(
        ws.path(),
        &[
            "--join",
            "kim,Kim Kato,America/Denver,US,2026-01-05,payments;db",
        ],
    );
    let shifts = kim(&seasoned)["shifts"].as_array().unwrap().len();
    assert!(shifts > 0, "{seasoned}");
    let gained = &seasoned["diff"]["people"];
    assert!(gained
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["person"] == "kim" && p["after"] == shifts));

    // A change to someone outside the team is said to leave its plan alone.
    let outside = whatif(ws.path(), &["--leave", "sam@2027-02-01"]);
    assert_eq!(outside["diff"]["slots"], serde_json::json!([]));
    assert!(outside["diff"]["notes"]
        .to_string()
        .contains("sam is not a member of payments"));
}

#[test]
fn whatif_shows_the_stable_alternative_beside_the_fairest() {
    let tmp = copy_of("quickstart");
    let dir = tmp.path();
    let json = whatif(dir, &["--leave", "dan@2027-02-01"]);
    let stable = &json["stable"];
    let fairest = json["diff"]["slots"].as_array().unwrap().len();
    let moved = stable["slots"].as_array().unwrap();
    assert!(moved.len() < fairest, "{} vs {fairest}", moved.len());
    // Dan is given nothing once he has left.
    let after_leaving = |c: &&Value| c["week"].as_str().unwrap() >= "2027-02-01";
    assert!(
        moved
            .iter()
            .filter(after_leaving)
            .all(|c| c["after"] != "dan"),
        "{stable}"
    );
    let optimum = json["scenario"]["max_excess"].as_f64().unwrap();
    assert_eq!(stable["optimum"].as_f64().unwrap(), optimum);
    assert_eq!(stable["tolerance"].as_f64().unwrap(), 0.5);
    let excess = stable["max_excess"].as_f64().unwrap();
    assert!(
        excess <= optimum + 0.5 + 1e-4 && excess >= optimum - 1e-4,
        "{excess} vs {optimum}"
    );
    let table = ok(&oncall(
        dir,
        &[
            "whatif",
            "payments",
            "--quarter",
            "2027Q1",
            "--leave",
            "dan@2027-02-01",
            "--tolerance",
            "0",
        ],
    ));
    assert!(
        table.contains(&format!(
            "Fairest: {fairest} slot(s) change hands, largest excess {optimum:.2}."
        )),
        "{table}"
    );
    assert!(
        table.contains("Stablest within 0.00 of it (`replan --stable`): "),
        "{table}"
    );
}
