//! Loading workspaces: every example loads, and malformed inputs give the
//! documented errors with file, line and a suggested fix, never a panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs;
use std::path::{Path, PathBuf};

use oncall::load::load_workspace;
use oncall::Diagnostic;
use proptest::prelude::*;

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../data")
        .join(name)
}

/// Copies the quickstart workspace into a temporary directory and applies edits.
fn quickstart_with(edits: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    oncall::init::write_example(dir.path()).unwrap();
    for (rel, text) in edits {
        let path = dir.path().join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    dir
}

fn errors(edits: &[(&str, &str)]) -> Vec<Diagnostic> {
    let dir = quickstart_with(edits);
    load_workspace(dir.path())
        .expect_err("the workspace should not load")
        .diagnostics
}

fn one(edits: &[(&str, &str)]) -> Diagnostic {
    let d = errors(edits);
    assert_eq!(d.len(), 1, "expected one diagnostic, got {d:#?}");
    d.into_iter().next().unwrap()
}

fn team_file(replace: &str, with: &str) -> String {
    let text = fs::read_to_string(data("quickstart/teams/payments.toml")).unwrap();
    assert!(text.contains(replace), "fixture text `{replace}` not found");
    text.replacen(replace, with, 1)
}

#[test]
fn every_example_workspace_loads() {
    for name in ["quickstart", "dst", "growing-team", "infeasible"] {
        let ws = load_workspace(&data(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!ws.teams.is_empty());
        assert_eq!(ws.inputs_sha256.len(), 64);
    }
}

#[test]
fn init_writes_a_workspace_that_loads_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let written = oncall::init::write_example(dir.path()).unwrap();
    assert!(written.iter().any(|p| p.ends_with("teams/payments.toml")));
    let ws = load_workspace(dir.path()).unwrap();
    assert_eq!(ws.people.len(), 10);
    let err = oncall::init::write_example(dir.path()).unwrap_err();
    assert!(err.to_string().contains("already exists"), "{err}");
}

#[test]
fn unknown_member_suggests_the_closest_id() {
    let all = errors(&[(
        "teams/payments.toml",
        &team_file("\"alice\", \"bob\"", "\"alcie\", \"bob\""),
    )]);
    // alice's carry-over now names a non-member too.
    assert_eq!(all.len(), 2, "{all:#?}");
    assert_eq!(all[1].message, "`alice` has carry-over but is not a member");
    let d = all[0].clone();
    assert_eq!(d.file, Path::new("teams/payments.toml"));
    assert_eq!((d.line, d.column), (4, 12));
    assert_eq!(d.message, "unknown person `alcie`");
    assert_eq!(d.help.as_deref(), Some("did you mean `alice`?"));
    assert_eq!(
        d.to_string(),
        "error: unknown person `alcie`\n  --> teams/payments.toml:4:12\n  help: did you mean `alice`?"
    );
}

#[test]
fn unknown_time_zone_in_people_csv_names_the_row() {
    let people = fs::read_to_string(data("quickstart/people.csv"))
        .unwrap()
        .replacen("America/Denver", "America/Denvr", 1);
    let d = one(&[("people.csv", &people)]);
    assert_eq!(d.file, Path::new("people.csv"));
    assert_eq!(d.line, 4);
    assert_eq!(
        d.message,
        "column `timezone`: unknown time zone `America/Denvr`"
    );
    assert_eq!(d.help.as_deref(), Some("did you mean `America/Denver`?"));
}

#[test]
fn unknown_team_time_zone() {
    let d = one(&[(
        "teams/payments.toml",
        &team_file(
            "timezone = \"America/Los_Angeles\"",
            "timezone = \"Europe/Berln\"",
        ),
    )]);
    assert_eq!(d.line, 2);
    assert_eq!(d.message, "unknown time zone `Europe/Berln`");
    assert_eq!(d.help.as_deref(), Some("did you mean `Europe/Berlin`?"));
}

#[test]
fn end_before_start() {
    let text = "[[time_off]]\nperson = \"bob\"\nstart = \"2027-02-12\"\nend = \"2027-02-08\"\n";
    let d = one(&[("time-off/bob.toml", text)]);
    assert_eq!(d.file, Path::new("time-off/bob.toml"));
    assert_eq!(d.line, 4);
    assert_eq!(d.message, "`end` 2027-02-08 is before `start` 2027-02-12");
    assert!(d.help.unwrap().contains("swap the dates"));
}

#[test]
fn unknown_person_in_time_off() {
    let text = "[[time_off]]\nperson = \"bbo\"\nstart = \"2027-02-08\"\nend = \"2027-02-12\"\n";
    let d = one(&[("time-off/x.toml", text)]);
    assert_eq!((d.line, d.message.as_str()), (2, "unknown person `bbo`"));
    assert_eq!(d.help.as_deref(), Some("did you mean `bob`?"));
}

#[test]
fn role_skill_nobody_has() {
    let d = one(&[(
        "teams/payments.toml",
        &team_file("skills = [\"payments\"]", "skills = [\"paymnts\"]"),
    )]);
    assert_eq!(d.line, 17);
    assert_eq!(
        d.message,
        "role `secondary` requires skill `paymnts`, which no member has"
    );
    assert_eq!(d.help.as_deref(), Some("did you mean `payments`?"));
}

#[test]
fn duplicate_person_id() {
    let mut people = fs::read_to_string(data("quickstart/people.csv")).unwrap();
    people.push_str("bob,Bobby Two,bob2@example.com,,US,2020-01-01,,\n");
    let d = one(&[("people.csv", &people)]);
    assert_eq!(d.line, 12);
    assert_eq!(
        d.message,
        "column `id`: duplicate person id `bob` (first on line 3)"
    );
}

#[test]
fn left_before_joined_and_bad_dates() {
    let mut people = fs::read_to_string(data("quickstart/people.csv")).unwrap();
    people.push_str("zed,Zed,z@example.com,,US,2024-05-01,2024-01-01,\n");
    people.push_str("yan,Yan,y@example.com,,US,2024-13-01,,\n");
    let d = errors(&[("people.csv", &people)]);
    assert_eq!(d.len(), 2, "{d:#?}");
    assert_eq!(d[0].line, 12);
    assert_eq!(
        d[0].message,
        "column `left`: `left` 2024-01-01 is not after `joined` 2024-05-01"
    );
    assert_eq!(d[1].line, 13);
    assert_eq!(
        d[1].message,
        "column `joined`: `2024-13-01` is not a date (YYYY-MM-DD)"
    );
}

#[test]
fn misspelt_field_suggests_the_right_one() {
    let d = one(&[(
        "teams/payments.toml",
        &team_file("rest_weeks = 1", "rest_week = 1"),
    )]);
    assert_eq!(d.line, 20);
    assert!(
        d.message.starts_with("unknown field `rest_week`"),
        "{}",
        d.message
    );
    assert_eq!(d.help.as_deref(), Some("did you mean `rest_weeks`?"));
}

#[test]
fn bad_handoff_and_pin() {
    let text = team_file("weekday = \"monday\"", "weekday = \"mondy\"");
    let d = one(&[("teams/payments.toml", &text)]);
    assert_eq!(d.message, "unknown weekday `mondy`");
    let text = team_file("week = \"2027-01-11\"", "week = \"2027-01-12\"");
    let d = one(&[("teams/payments.toml", &text)]);
    assert_eq!(
        d.message,
        "pin week 2027-01-12 is a Tue, but handoffs are on Mon"
    );
    let text = team_file(
        "role = \"primary\"\nperson = \"bob\"",
        "role = \"primry\"\nperson = \"bob\"",
    );
    let d = one(&[("teams/payments.toml", &text)]);
    assert_eq!(d.message, "unknown role `primry` in pin");
    assert_eq!(d.help.as_deref(), Some("did you mean `primary`?"));
}

#[test]
fn missing_files_say_what_to_create() {
    let dir = tempfile::tempdir().unwrap();
    let d = load_workspace(dir.path()).unwrap_err().diagnostics;
    let files: Vec<String> = d.iter().map(|x| x.file.display().to_string()).collect();
    assert_eq!(files, ["oncall.toml", "people.csv", "teams"]);
    assert!(d[0].help.as_deref().unwrap().contains("oncall init"));
}

#[test]
fn calendar_time_off_is_refused_clearly() {
    let d = one(&[("time-off/alice.ics", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")]);
    assert_eq!(d.file, Path::new("time-off/alice.ics"));
    assert_eq!(d.help.as_deref(), Some("convert it to time-off/alice.toml"));
}

#[test]
fn wrong_column_count_names_the_row() {
    let mut people = fs::read_to_string(data("quickstart/people.csv")).unwrap();
    people.push_str("kim,Kim\n");
    let d = one(&[("people.csv", &people)]);
    assert_eq!(d.line, 12);
    assert_eq!(d.message, "this row has 2 fields but the header has 8");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    /// Arbitrary text in any input file gives diagnostics or a workspace, never a panic.
    #[test]
    fn arbitrary_input_never_panics(which in 0usize..4, text in ".{0,400}", bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let file = ["oncall.toml", "people.csv", "teams/payments.toml", "time-off/vacations.toml"][which];
        let dir = quickstart_with(&[(file, &text)]);
        let _ = load_workspace(dir.path());
        fs::write(dir.path().join(file), &bytes).unwrap();
        if let Err(e) = load_workspace(dir.path()) {
            prop_assert!(!e.diagnostics.is_empty());
            prop_assert!(e.diagnostics.iter().all(|d| !d.message.is_empty()));
        }
    }
}
