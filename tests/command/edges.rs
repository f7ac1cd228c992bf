//! Text at the edges, through the binary: control characters and
//! bidirectional overrides are refused where they mean nothing, what a user
//! typed is echoed escaped for the terminal, runbook URLs read back as
//! written, every e-mail names one person, a hostile calendar is refused at
//! its line, and what `check` does not read it says.

use std::fs;
use std::path::Path;

use crate::run::{ok, oncall};
use crate::support::workspace::{copy_of, text};

/// `check` on the quickstart after `edit` changed one file; its output.
fn check_after(rel: &str, edit: impl FnOnce(String) -> String) -> (Option<i32>, String) {
    let tmp = copy_of("quickstart");
    let path = tmp.path().join(rel);
    let before = fs::read_to_string(&path).unwrap_or_default();
    fs::write(&path, edit(before)).unwrap();
    let out = oncall(tmp.path(), &["check", "payments", "--quarter", "2027Q1"]);
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    (out.status.code(), all)
}

/// No byte of `out` is a control character other than a line break.
fn terminal_safe(out: &str) {
    let bad = out
        .chars()
        .find(|c| (c.is_control() && *c != '\n') || ('\u{202a}'..='\u{202e}').contains(c));
    assert_eq!(bad, None, "{out:?}");
}

#[test]
fn names_with_control_or_bidi_characters_are_refused_with_the_code_point() {
    for (bad, cp) in [
        ("Alice\u{1b}[2J", "U+001B"),
        ("Al\u{7}ice", "U+0007"),
        ("\u{202e}ecilA", "U+202E"),
    ] {
        let (code, out) = check_after("people.csv", |s| s.replacen("Alice Adams", bad, 1));
        assert_eq!(code, Some(1), "{out}");
        assert!(out.contains("contains") && out.contains(cp), "{out}");
        assert!(out.contains("people.csv:2"), "{out}");
        terminal_safe(&out);
    }
    let (code, out) = check_after("teams/payments.toml", |s| {
        s.replacen("name = \"Payments\"", "name = \"Pay\\u0000ments\"", 1)
    });
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("team name") && out.contains("U+0000"), "{out}");
    assert!(out.contains("teams/payments.toml:1"), "{out}");
}

#[test]
fn a_reason_with_a_line_break_is_refused() {
    let (code, out) = check_after("time-off/vacations.toml", |s| {
        format!(
            "{s}\n[[time_off]]\nperson = \"bob\"\nstart = 2027-03-01\nend = 2027-03-02\n\
             reason = \"away\\r\\nforged: line\"\n"
        )
    });
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("reason") && out.contains("U+000D"), "{out}");
}

#[test]
fn runbooks_must_read_back_as_written() {
    let (code, out) = check_after("teams/payments.toml", |s| {
        s.replacen(
            "\"https://runbooks.example.com/payments\"",
            "\"https://runbooks.example.com/pay\\r\\nments\"",
            1,
        )
    });
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("runbook") && out.contains("U+000D"), "{out}");
    let (code, out) = check_after("teams/payments.toml", |s| {
        s.replacen(
            "\"https://runbooks.example.com/payments\"",
            "\"https://RUNBOOKS.example.com/a b\"",
            1,
        )
    });
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("reads back as `https://runbooks.example.com/a%20b`"),
        "{out}"
    );
    // A host-only address gains only its `/`.
    let (code, out) = check_after("teams/payments.toml", |s| {
        s.replacen(
            "\"https://runbooks.example.com/payments\"",
            "\"https://runbooks.example.com\"",
            1,
        )
    });
    assert_eq!(code, Some(0), "{out}");
}

#[test]
fn what_a_user_typed_is_echoed_escaped() {
    let tmp = copy_of("quickstart");
    let typed = "2027-01-05\u{1b}[2J";
    for args in [
        vec!["who", "payments", "--at", typed],
        vec!["who", "payments", "--bogus", typed],
        vec!["who", typed],
    ] {
        let out = oncall(tmp.path(), &args);
        assert_ne!(out.status.code(), Some(0));
        let err = text(&out.stderr);
        assert!(!err.is_empty());
        terminal_safe(&err);
    }
    let out = oncall(tmp.path(), &["who", "payments", "--at", typed]);
    assert!(
        text(&out.stderr).contains("\\u{1b}[2J"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn every_e_mail_names_one_person() {
    let (code, out) = check_after("people.csv", |s| {
        s.replacen("bob@example.com", "ALICE@example.com", 1)
    });
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("e-mail `ALICE@example.com` of `bob` is also the e-mail of `alice` (line 2)"),
        "{out}"
    );
    assert!(out.contains("people.csv:3"), "{out}");
    let (code, out) = check_after("people.csv", |s| s.replacen("bob@example.com", "carol", 1));
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("e-mail `carol` of `bob` is the id of `carol` (line 4)"),
        "{out}"
    );
}

fn put(ws: &Path, rel: &str, body: &str) {
    fs::write(ws.join(rel), body).unwrap();
}

#[test]
fn a_calendar_nested_131000_deep_is_refused_at_its_line_not_by_a_crash() {
    let tmp = copy_of("quickstart");
    let ws = tmp.path();
    put(
        ws,
        "time-off/bob.ics",
        &"BEGIN:VCALENDAR\r\n".repeat(131_000),
    );
    for args in [
        vec!["check", "payments", "--quarter", "2027Q1"],
        vec!["who", "payments", "--at", "2027-01-05"],
    ] {
        let out = oncall(ws, &args);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(err.contains("nested more than 32 deep"), "{err}");
        assert!(err.contains("time-off/bob.ics:33"), "{err}");
    }
}

#[test]
fn a_zero_interval_is_a_warning_with_its_uid_and_an_error_under_strict() {
    let tmp = copy_of("quickstart");
    let ws = tmp.path();
    put(
        ws,
        "time-off/bob.ics",
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\n\
         UID:zero@x\r\nDTSTAMP:20261201T000000Z\r\nSUMMARY:Off\r\n\
         DTSTART;VALUE=DATE:20270301\r\nRRULE:FREQ=DAILY;INTERVAL=0;COUNT=2\r\n\
         END:VEVENT\r\nBEGIN:VEVENT\r\nUID:day0@x\r\nDTSTAMP:20261201T000000Z\r\n\
         DTSTART;VALUE=DATE:20270401\r\nRRULE:FREQ=MONTHLY;BYMONTHDAY=0\r\n\
         END:VEVENT\r\nEND:VCALENDAR\r\n",
    );
    let out = ok(&oncall(ws, &["check", "payments", "--quarter", "2027Q1"]));
    let all = format!(
        "{out}{}",
        text(&oncall(ws, &["check", "payments", "--quarter", "2027Q1"]).stderr)
    );
    assert!(
        all.contains("INTERVAL that is not a positive integer"),
        "{all}"
    );
    assert!(
        all.contains("UID `zero@x`") && all.contains("time-off/bob.ics:9"),
        "{all}"
    );
    let toml = fs::read_to_string(ws.join("oncall.toml")).unwrap();
    put(
        ws,
        "oncall.toml",
        &format!("{toml}\n[calendar]\nstrict = true\n"),
    );
    let out = oncall(ws, &["check", "payments", "--quarter", "2027Q1"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
}

#[test]
fn files_in_time_off_that_are_not_read_are_listed_by_check() {
    let tmp = copy_of("quickstart");
    let ws = tmp.path();
    put(ws, "time-off/.bob.toml.swp", "x");
    put(ws, "time-off/notes.txt", "bob is away in March");
    let out = oncall(ws, &["check", "payments", "--quarter", "2027Q1"]);
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert!(
        all.contains("`time-off/.bob.toml.swp` is ignored: its name starts with a dot"),
        "{all}"
    );
    assert!(
        all.contains(
            "`time-off/notes.txt` is ignored: time off is read only from .toml and .ics files"
        ),
        "{all}"
    );
}

/// A hire too new for any role, a member who has left and one without a
/// role's skills take no shift, and `plan` says so, with when or why,
/// instead of leaving them out without a word.
#[test]
fn plan_lists_the_members_who_take_no_shift_and_why() {
    let tmp = copy_of("quickstart");
    let dir = tmp.path();
    let people = fs::read_to_string(dir.join("people.csv")).unwrap();
    let people = people.replace(
        "dan,Dan Diaz,dan@example.com,America/Los_Angeles,US,2020-11-02,,",
        "dan,Dan Diaz,dan@example.com,America/Los_Angeles,US,2020-11-02,2026-12-15,",
    );
    fs::write(
        dir.join("people.csv"),
        format!("{people}kim,Kim Kay,kim@example.com,America/Los_Angeles,US,2027-01-04,,db,,\n"),
    )
    .unwrap();
    let team = dir.join("teams/payments.toml");
    let file = fs::read_to_string(&team).unwrap();
    fs::write(&team, file.replace("\"judy\"]", "\"judy\", \"kim\"]")).unwrap();
    let md = dir.join("q.md");
    let out = oncall(
        dir,
        &[
            "plan",
            "payments",
            "--quarter",
            "2027Q1",
            "--out",
            md.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let table = oncall(dir, &["plan", "payments", "--quarter", "2027Q1"]);
    let said = text(&table.stdout);
    for want in [
        "not taking shifts in this horizon:",
        "kim (Kim Kay): not eligible until 2027-04-04 (primary needs 90 days' tenure)",
        "dan (Dan Diaz): left on 2026-12-15",
    ] {
        assert!(said.contains(want), "`{want}` not in:\n{said}");
    }
    let plan = dir.join("q.json");
    ok(&oncall(
        dir,
        &[
            "plan",
            "payments",
            "--quarter",
            "2027Q1",
            "--out",
            plan.to_str().unwrap(),
        ],
    ));
    ok(&oncall(
        dir,
        &["check-plan", "payments", plan.to_str().unwrap()],
    ));
}
