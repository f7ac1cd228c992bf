//! Dated pay policies through the binary: a version with `effective` pays
//! the days from its date at its rates and the days before at the old ones,
//! and an edited rate without one leaves closed periods as they were paid,
//! with a warning from `check`.

use std::fs;
use std::path::Path;

use serde_json::Value;

use crate::cli_fairness::published_quickstart;
use crate::run::{ok, oncall};
use crate::support::workspace::text;

fn comp(dir: &Path, from: &str, to: &str) -> Value {
    let out = oncall(
        dir,
        &["comp", "--from", from, "--to", to, "--format", "json"],
    );
    serde_json::from_str(&ok(&out)).unwrap()
}

/// The WEEKDAY lines of payments as `(person, role, rate, seconds, amount)`.
fn weekday(report: &Value) -> Vec<(String, String, String, i64, String)> {
    let mut out: Vec<_> = report["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["code"] == "WEEKDAY" && l["team"] == "payments")
        .map(|l| {
            let s = |k: &str| l[k].as_str().unwrap_or_default().to_string();
            (
                s("employee_id"),
                s("role"),
                s("rate"),
                l["seconds"].as_i64().unwrap(),
                s("amount"),
            )
        })
        .collect();
    out.sort();
    out
}

fn adjustments(report: &Value) -> usize {
    report["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| !l["adjusts_period"].is_null())
        .count()
}

fn edit_policy(dir: &Path, f: impl Fn(String) -> String) {
    let toml = fs::read_to_string(dir.join("oncall.toml")).unwrap();
    let edited = f(toml.clone());
    assert_ne!(edited, toml);
    fs::write(dir.join("oncall.toml"), edited).unwrap();
}

fn close_january(dir: &Path) {
    ok(&oncall(
        dir,
        &[
            "comp",
            "close",
            "--from",
            "2027-01-01",
            "--to",
            "2027-02-01",
        ],
    ));
}

#[test]
fn a_dated_version_pays_the_days_from_its_date_and_the_old_rate_before() {
    let tmp = published_quickstart();
    let dir = tmp.path();
    close_january(dir);
    let before = weekday(&comp(dir, "2027-02-01", "2027-02-15"));
    edit_policy(dir, |t| {
        t.replacen(
            "[compensation.roles]",
            "[[compensation.versions]]\neffective = \"2027-02-15\"\nrates.weekday = \"60.00\"\n\n[compensation.roles]",
            1,
        )
    });
    // Days before the date are paid as before; the days from it at 60.00.
    let first = weekday(&comp(dir, "2027-02-01", "2027-02-15"));
    assert_eq!(first, before);
    let second = weekday(&comp(dir, "2027-02-15", "2027-03-01"));
    assert!(!second.is_empty());
    for (who, role, rate, ..) in &second {
        let want = if role == "primary" { "60.00" } else { "30.00" };
        assert_eq!(rate, want, "{who} {role}");
    }
    // A month across the date splits each shift there: its lines are the
    // two halves' lines.
    let month = comp(dir, "2027-02-01", "2027-03-01");
    let mut halves = [first, second].concat();
    halves.sort();
    assert_eq!(weekday(&month), halves);
    // January, closed, is not adjusted, and check has nothing to warn of.
    assert_eq!(adjustments(&month), 0);
    let check = oncall(dir, &["check", "payments", "--quarter", "2027Q1"]);
    assert!(
        !text(&check.stderr).contains("closed period"),
        "{}",
        text(&check.stderr)
    );
}

#[test]
fn an_edited_rate_pays_open_periods_only_and_check_warns() {
    let tmp = published_quickstart();
    let dir = tmp.path();
    close_january(dir);
    let january = comp(dir, "2027-01-01", "2027-02-01");
    let february = weekday(&comp(dir, "2027-02-01", "2027-03-01"));
    edit_policy(dir, |t| {
        t.replacen("weekday = \"50.00\"", "weekday = \"60.00\"", 1)
    });
    let now = comp(dir, "2027-02-01", "2027-03-01");
    assert_eq!(adjustments(&now), 0, "{now}");
    assert_eq!(
        comp(dir, "2027-01-01", "2027-02-01")["lines"],
        january["lines"]
    );
    // The open month is paid at the new rate.
    assert_eq!(weekday(&now).len(), february.len());
    assert!(weekday(&now)
        .iter()
        .all(|l| l.2 == "60.00" || l.2 == "30.00"));
    let check = oncall(dir, &["check", "payments", "--quarter", "2027Q1"]);
    let warned = text(&check.stderr);
    assert!(
        warned.contains("warning: oncall.toml now pays the closed period 2027-01-01..2027-02-01 at other rates (primary WEEKDAY: paid 50.00, now 60.00"),
        "{warned}"
    );
    assert!(
        warned.contains("`[[compensation.versions]]` block with `effective"),
        "{warned}"
    );
}

#[test]
fn versions_out_of_order_or_undated_are_named_at_their_line() {
    let tmp = published_quickstart();
    let dir = tmp.path();
    edit_policy(dir, |t| {
        t.replacen(
            "[compensation.roles]",
            "[[compensation.versions]]\neffective = \"2027-04-01\"\n\n[[compensation.versions]]\neffective = \"2027-03-01\"\n\n[[compensation.versions]]\nrates.weekday = \"1.00\"\n\n[compensation.roles]",
            1,
        )
    });
    let out = oncall(dir, &["check", "payments", "--quarter", "2027Q1"]);
    let said = text(&out.stderr);
    assert!(!out.status.success(), "{said}");
    let line = |needle: &str| {
        fs::read_to_string(dir.join("oncall.toml"))
            .unwrap()
            .lines()
            .position(|l| l.contains(needle))
            .unwrap()
            + 1
    };
    assert!(
        said.contains("`effective = 2027-03-01` is not after the version before it"),
        "{said}"
    );
    assert!(
        said.contains(&format!("oncall.toml:{}:", line("\"2027-03-01\""))),
        "{said}"
    );
    assert!(
        said.contains("a `[[compensation.versions]]` block has no `effective` date"),
        "{said}"
    );
}
