//! The rolling yearly cap across published quarters, through the binary:
//! plan and publish 2027Q1 under `max_weeks_per_year`, plan 2027Q2 on top of
//! it, and nobody holds more than the cap of one role in any 365 days; an
//! override that would break it is refused with the reason.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use oncall::schedule::store::{Store, StoreRead};
use serde_json::Value;

use crate::run::{as_taker, oncall};
use crate::schedule::{plan, publish};
use crate::support::workspace::{copy_of, text};

/// The cap the test sets on payments.
const CAP: usize = 4;

/// Weeks per `(person, role)` in the plans' shifts.
fn weeks_held(plans: &[&Value]) -> BTreeMap<(String, String), Vec<NaiveDate>> {
    let mut out: BTreeMap<(String, String), Vec<NaiveDate>> = BTreeMap::new();
    for p in plans {
        for s in p["shifts"].as_array().unwrap() {
            let key = (
                s["person"].as_str().unwrap().to_string(),
                s["role"].as_str().unwrap().to_string(),
            );
            let week = NaiveDate::parse_from_str(s["week"].as_str().unwrap(), "%Y-%m-%d").unwrap();
            out.entry(key).or_default().push(week);
        }
    }
    out
}

/// The most weeks of one role anyone holds in the 365 days ending on one
/// of their weeks, and who.
fn most_in_a_year(held: &BTreeMap<(String, String), Vec<NaiveDate>>) -> (usize, String, String) {
    let mut most = (0, String::new(), String::new());
    for ((person, role), weeks) in held {
        for &end in weeks {
            let n = weeks
                .iter()
                .filter(|&&d| d <= end && end - d <= Duration::days(364))
                .count();
            if n > most.0 {
                most = (n, person.clone(), role.clone());
            }
        }
    }
    most
}

#[test]
fn two_published_quarters_keep_the_yearly_cap_and_an_override_past_it_is_refused() {
    let tmp = copy_of("quickstart");
    let dir = tmp.path();
    let file = dir.join("teams/payments.toml");
    let toml = std::fs::read_to_string(&file).unwrap().replace(
        "rest_weeks = 1               # never back-to-back",
        &format!("rest_weeks = 1               # never back-to-back\nmax_weeks_per_year = {CAP}"),
    );
    assert!(toml.contains("max_weeks_per_year"));
    std::fs::write(&file, toml).unwrap();

    let (q1_path, q1) = plan(dir, "payments", &["--quarter", "2027Q1"], "q1.json");
    publish(dir, "payments", &q1_path);
    let (q2_path, q2) = plan(dir, "payments", &["--quarter", "2027Q2"], "q2.json");
    publish(dir, "payments", &q2_path);
    assert!(
        q2["unfilled"].as_array().unwrap().is_empty(),
        "{}",
        q2["unfilled"]
    );

    let held = weeks_held(&[&q1, &q2]);
    let (most, person, role) = most_in_a_year(&held);
    assert!(
        most <= CAP,
        "{person} holds {most} weeks of {role} within 365 days"
    );
    // 26 secondary weeks among the seven who may take it: someone is at the cap.
    assert_eq!(most, CAP, "the cap binds");

    // Giving that person one more week of the role, a day of it, is refused.
    let theirs = &held[&(person.clone(), role.clone())];
    let other = q2["shifts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["role"] == role.as_str())
        .map(|s| NaiveDate::parse_from_str(s["week"].as_str().unwrap(), "%Y-%m-%d").unwrap())
        .find(|w| !theirs.contains(w))
        .unwrap();
    let from = format!("{}T12:00", other + Duration::days(2));
    let to = format!("{}T12:00", other + Duration::days(3));
    let out = as_taker(
        dir,
        &[
            "override", "payments", "--role", &role, "--person", &person, "--from", &from, "--to",
            &to,
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    let said = text(&out.stderr);
    assert!(
        said.contains(&format!(
            "{person} would hold {} weeks of {role} from ",
            CAP + 1
        )) && said.contains(&format!("more than max_weeks_per_year = {CAP} allows")),
        "{said}"
    );
    // Nothing was recorded: the same plan still passes with its history.
    let check = oncall(dir, &["check-plan", "payments", q2_path.to_str().unwrap()]);
    assert!(check.status.success(), "{}", text(&check.stdout));
    assert!(Store::open(dir)
        .unwrap()
        .overrides("payments")
        .unwrap()
        .is_empty());
    // The cap is a rule, not structure: `--force` overrules it, audited.
    let forced = as_taker(
        dir,
        &[
            "override", "payments", "--role", &role, "--person", &person, "--from", &from, "--to",
            &to, "--force",
        ],
    );
    assert!(forced.status.success(), "{}", text(&forced.stderr));
    let audit = Store::open(dir).unwrap().audit(Some("payments")).unwrap();
    let last = audit.last().unwrap();
    assert!(last.action == "override" && last.forced, "{last:?}");
}
