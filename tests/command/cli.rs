//! The `oncall` binary, driven as a user would: snapshots of what people read,
//! exit codes, and every plan it writes re-checked with `check-plan`.

use crate::run::oncall;
use crate::support::workspace::{data, text};
use std::path::Path;

/// Plans to JSON in a temp file, checks it with `check-plan`, returns the JSON.
fn plan_and_check(dir: &Path, team: &str, horizon: &[&str]) -> (i32, serde_json::Value) {
    let tmp = tempfile::tempdir().unwrap();
    let out_path = tmp.path().join("plan.json");
    let mut args = vec!["plan", team];
    args.extend_from_slice(horizon);
    args.extend_from_slice(&["--format", "json", "--out", out_path.to_str().unwrap()]);
    let out = oncall(dir, &args);
    let code = out.status.code().unwrap();
    let check = oncall(dir, &["check-plan", team, out_path.to_str().unwrap()]);
    assert!(
        check.status.success(),
        "check-plan rejects the plan:\n{}",
        text(&check.stdout)
    );
    assert!(text(&check.stdout).starts_with("ok: "));
    let json = serde_json::from_str(&std::fs::read_to_string(&out_path).unwrap()).unwrap();
    (code, json)
}

fn json_filters() -> Vec<(&'static str, &'static str)> {
    vec![
        (r#""seconds": [0-9.e-]+"#, r#""seconds": "[seconds]""#),
        (
            r#""inputs_sha256": "[0-9a-f]{64}""#,
            r#""inputs_sha256": "[sha256]""#,
        ),
    ]
}

#[test]
fn quickstart_table_snapshot() {
    let out = oncall(
        &data("quickstart"),
        &["plan", "payments", "--quarter", "2027Q1"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    insta::assert_snapshot!("quickstart_table", text(&out.stdout));
}

#[test]
fn quickstart_json_snapshot_and_schema() {
    let (code, json) = plan_and_check(&data("quickstart"), "payments", &["--quarter", "2027Q1"]);
    assert_eq!(code, 0);
    assert_eq!(json["schema"], 1);
    assert_eq!(json["status"], "optimal");
    assert_eq!(json["shifts"].as_array().unwrap().len(), 26);
    assert_eq!(json["solver"]["backend"], "highs");
    assert_eq!(json["solver"]["objective"], json["fairness"]["max_excess"]);
    // The pin holds.
    let pinned = json["shifts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["week"] == "2027-01-11" && s["role"] == "primary")
        .unwrap();
    assert_eq!(pinned["person"], "bob");
    let pretty = serde_json::to_string_pretty(&json).unwrap();
    insta::with_settings!({ filters => json_filters() }, {
        insta::assert_snapshot!("quickstart_json", pretty);
    });
}

#[test]
fn markdown_and_csv_formats() {
    let md = oncall(
        &data("quickstart"),
        &["plan", "payments", "--quarter", "2027Q1", "--format", "md"],
    );
    assert!(md.status.success());
    let md = text(&md.stdout);
    assert!(md.contains("| week | primary | secondary |"));
    assert!(md.contains("| 2027-01-11 | bob |"));
    let csv = oncall(
        &data("quickstart"),
        &["plan", "payments", "--quarter", "2027Q1", "--format", "csv"],
    );
    let csv = text(&csv.stdout);
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("week,role,person,start,end,load,note"));
    assert_eq!(lines.clone().count(), 26);
    assert!(
        csv.contains("2027-01-11,primary,bob,2027-01-11T18:00:00Z,2027-01-18T18:00:00Z,8.4167,"),
        "MLK day makes the Monday morning a holiday: {csv}"
    );
}

#[test]
fn every_example_plans_and_checks() {
    let (code, json) = plan_and_check(
        &data("dst"),
        "platform",
        &["--from", "2027-03-01", "--weeks", "6"],
    );
    assert_eq!(code, 0);
    // The week of 2027-03-22 spans the EU spring change: 167 hours, 08:00Z → 07:00Z.
    let w = json["shifts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["week"] == "2027-03-22")
        .unwrap();
    assert_eq!(w["start"], "2027-03-22T08:00:00Z");
    assert_eq!(w["end"], "2027-03-29T07:00:00Z");
    // clara's New York Sunday off overlaps the Berlin Monday morning handoff.
    assert!(json["shifts"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| !(s["week"] == "2027-03-15" && s["person"] == "clara")));
    let (code, json) = plan_and_check(
        &data("dst"),
        "platform",
        &["--from", "2027-10-18", "--weeks", "4"],
    );
    assert_eq!(code, 0);
    let w = json["shifts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["week"] == "2027-10-25")
        .unwrap();
    assert_eq!(w["end"], "2027-11-01T08:00:00Z");
    let (code, json) = plan_and_check(&data("growing-team"), "search", &["--quarter", "2027Q1"]);
    assert_eq!(code, 0);
    let people = json["fairness"]["people"].as_array().unwrap();
    let weeks = |id: &str| {
        people
            .iter()
            .find(|p| p["person"] == id)
            .map(|p| p["available_weeks"].as_u64().unwrap())
    };
    assert_eq!(weeks("maya"), Some(13));
    assert!(
        weeks("sam").unwrap() < 13,
        "sam passes the tenure bar mid-quarter"
    );
    assert!(weeks("olga").unwrap() < 13, "olga leaves mid-quarter");
}

#[test]
fn infeasible_week_gives_partial_plan_and_exit_1() {
    let (code, json) = plan_and_check(&data("infeasible"), "payments", &["--quarter", "2027Q1"]);
    assert_eq!(code, 1);
    assert_eq!(json["status"], "partial");
    let unfilled = json["unfilled"].as_array().unwrap();
    assert_eq!(unfilled.len(), 1);
    assert_eq!(unfilled[0]["week"], "2027-02-08");
    assert_eq!(unfilled[0]["role"], "secondary");
    let out = oncall(
        &data("infeasible"),
        &["plan", "payments", "--quarter", "2027Q1"],
    );
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!("infeasible_stderr", text(&out.stderr));
}

#[test]
fn inputs_digest_does_not_depend_on_where_the_workspace_is() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    for d in [a.path(), b.path()] {
        let out = crate::run::command()
            .args(["init", d.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(out.status.success());
    }
    let digest = |d: &Path| {
        let (_, json) = plan_and_check(d, "payments", &["--quarter", "2027Q1"]);
        json["inputs_sha256"].as_str().unwrap().to_string()
    };
    assert_eq!(digest(a.path()), digest(b.path()));
    // Changing an input changes the digest, and check-plan notices.
    let tmp = tempfile::tempdir().unwrap();
    let plan_path = tmp.path().join("plan.json");
    let out = oncall(
        a.path(),
        &[
            "plan",
            "payments",
            "--quarter",
            "2027Q1",
            "--format",
            "json",
            "--out",
            plan_path.to_str().unwrap(),
        ],
    );
    assert!(out.status.success());
    let people = a.path().join("people.csv");
    let text = std::fs::read_to_string(&people)
        .unwrap()
        .replace("Alice Adams", "Alice B. Adams");
    std::fs::write(&people, text).unwrap();
    let check = oncall(
        a.path(),
        &["check-plan", "payments", plan_path.to_str().unwrap()],
    );
    assert_eq!(check.status.code(), Some(1));
    assert!(
        text_of(&check.stdout).contains("different inputs"),
        "{}",
        text_of(&check.stdout)
    );
}

fn text_of(out: &[u8]) -> String {
    text(out)
}

#[test]
fn check_explains_an_impossible_horizon() {
    let out = oncall(
        &data("infeasible"),
        &["check", "payments", "--quarter", "2027Q1"],
    );
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!("check_infeasible", text(&out.stdout));
    let out = oncall(
        &data("infeasible"),
        &[
            "check",
            "payments",
            "--quarter",
            "2027Q1",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["feasible"], false);
    assert!(!json["explanation"]["fixes"].as_array().unwrap().is_empty());
    let out = oncall(
        &data("quickstart"),
        &["check", "payments", "--quarter", "2027Q1"],
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).starts_with("ok: "));
    // plan attaches the same explanation to its JSON.
    let (_, plan) = plan_and_check(&data("infeasible"), "payments", &["--quarter", "2027Q1"]);
    assert_eq!(plan["explanation"], json["explanation"]);
}

#[test]
fn check_plan_lists_violations_of_a_tampered_plan() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("plan.json");
    let out = oncall(
        &data("quickstart"),
        &[
            "plan",
            "payments",
            "--quarter",
            "2027Q1",
            "--format",
            "json",
            "--out",
            path.to_str().unwrap(),
        ],
    );
    assert!(out.status.success());
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    // alice is off 2027-02-08..2027-02-19: give her that week's primary.
    let shifts = json["shifts"].as_array_mut().unwrap();
    let s = shifts
        .iter_mut()
        .find(|s| s["week"] == "2027-02-08" && s["role"] == "primary")
        .unwrap();
    s["person"] = "alice".into();
    std::fs::write(&path, serde_json::to_string(&json).unwrap()).unwrap();
    let check = oncall(
        &data("quickstart"),
        &["check-plan", "payments", path.to_str().unwrap()],
    );
    assert_eq!(check.status.code(), Some(1));
    let report = text(&check.stdout);
    assert!(
        report.contains("violation: week 2027-02-08 primary: alice is off 2027-02-08..2027-02-19"),
        "{report}"
    );
    assert!(report.contains("fairness of alice: load"), "{report}");
}

#[test]
fn malformed_input_exits_1_with_file_and_line() {
    let tmp = tempfile::tempdir().unwrap();
    let init = crate::run::command()
        .args(["init", tmp.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert!(init.status.success());
    let team = tmp.path().join("teams/payments.toml");
    let t = std::fs::read_to_string(&team)
        .unwrap()
        .replace("\"judy\"]", "\"judi\"]");
    std::fs::write(&team, t).unwrap();
    let out = oncall(tmp.path(), &["plan", "payments", "--quarter", "2027Q1"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("error: unknown person `judi`\n  --> teams/payments.toml:4:"),
        "{err}"
    );
    assert!(err.contains("help: did you mean `judy`?"), "{err}");
    // Unknown team.
    let out = oncall(
        &data("quickstart"),
        &["plan", "paymnts", "--quarter", "2027Q1"],
    );
    // An argument that names no team is a usage error.
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("did you mean `payments`?"));
    // A plan file that is not JSON.
    let bad = tmp.path().join("bad.json");
    std::fs::write(&bad, "{ not json").unwrap();
    let out = oncall(
        &data("quickstart"),
        &["check-plan", "payments", bad.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("is not a plan JSON"));
}

#[test]
fn usage_errors_exit_2() {
    let out = oncall(&data("quickstart"), &["plan", "payments"]);
    assert_eq!(out.status.code(), Some(2));
    let out = oncall(
        &data("quickstart"),
        &["plan", "payments", "--quarter", "2027Q5"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("quarters are 1 to 4"));
    for bad in ["0", "-1", "NaN", "inf", "soon"] {
        let out = oncall(
            &data("quickstart"),
            &[
                "plan",
                "payments",
                "--quarter",
                "2027Q1",
                "--time-limit",
                bad,
            ],
        );
        assert_eq!(out.status.code(), Some(2), "--time-limit {bad}");
        assert!(
            text(&out.stderr).contains("positive number of seconds"),
            "--time-limit {bad}"
        );
    }
    let out = oncall(
        &data("quickstart"),
        &["who", "payments", "--at", "tomorrow-ish"],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("--at `tomorrow-ish` is not a time"), "{err}");
    assert_eq!(
        err.matches("error:").count(),
        1,
        "error: is printed once: {err}"
    );
    let out = oncall(
        &data("quickstart"),
        &["plan", "payments", "--quarter", "2027Q1", "--format", "xml"],
    );
    assert_eq!(out.status.code(), Some(2));
}

/// Where the time goes: each phase in the JSON (the explanation too, for a
/// partial plan), adding up to the solve's seconds, and `--verbose` prints
/// them.
#[test]
fn plans_report_the_time_of_each_phase() {
    let tmp = tempfile::tempdir().unwrap();
    // Plans to a file, checks it with `check-plan`, and returns its JSON
    // and the run's standard error.
    let plan = |ws: &str, name: &str, extra: &[&str]| {
        let (dir, file) = (data(ws), tmp.path().join(name));
        let mut args = vec![
            "plan",
            "payments",
            "--quarter",
            "2027Q1",
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["--out", file.to_str().unwrap()]);
        let out = oncall(&dir, &args);
        let check = oncall(&dir, &["check-plan", "payments", file.to_str().unwrap()]);
        assert!(check.status.success(), "{}", text(&check.stdout));
        let doc: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        (doc, text(&out.stderr))
    };
    let (doc, err) = plan("quickstart", "q.json", &["--verbose"]);
    let phases = doc["solver"]["phases"].as_array().unwrap();
    let names: Vec<&str> = phases.iter().map(|p| p["name"].as_str().unwrap()).collect();
    let want = [
        "fill",
        "reachability",
        "bounds",
        "patterns",
        "search",
        "min-max",
        "pattern-spread",
        "spread",
        "plan",
    ];
    assert_eq!(names, want);
    let sum: f64 = phases.iter().map(|p| p["seconds"].as_f64().unwrap()).sum();
    let seconds = doc["solver"]["seconds"].as_f64().unwrap();
    assert!((sum - seconds).abs() < 0.01, "{sum} vs {seconds}");
    assert!(
        err.contains("phases:") && err.contains("search") && err.contains("total"),
        "{err}"
    );
    let (doc, _) = plan("infeasible", "p.json", &[]);
    assert_eq!(doc["status"], "partial");
    let last = doc["solver"]["phases"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["name"], "explanation");
}

/// A file named `.json` always holds plan JSON, which `publish` reads:
/// `--out q1.json` implies `--format json`, and a contradicting `--format`
/// is a usage error that writes nothing.
#[test]
fn out_json_writes_plan_json_and_a_contradicting_format_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("q1.json");
    let dir = data("quickstart");
    let plan = |extra: &[&str]| {
        let mut args = vec!["plan", "payments", "--quarter", "2027Q1"];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["--out", file.to_str().unwrap()]);
        oncall(&dir, &args)
    };
    let out = plan(&[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(doc["schema"], 1);
    let check = oncall(&dir, &["check-plan", "payments", file.to_str().unwrap()]);
    assert!(check.status.success(), "{}", text(&check.stdout));
    std::fs::remove_file(&file).unwrap();
    let out = plan(&["--format", "table"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("contradicts"),
        "{}",
        text(&out.stderr)
    );
    assert!(!file.exists());
    // A Markdown file gets Markdown.
    let md = tmp.path().join("q1.md");
    let out = oncall(
        &dir,
        &[
            "plan",
            "payments",
            "--quarter",
            "2027Q1",
            "--out",
            md.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(std::fs::read_to_string(&md).unwrap().contains("| week |"));
}
