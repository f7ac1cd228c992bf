//! `replan --stable` through the binary: after a leaver, it moves fewer
//! slots than the fairest re-plan, with the largest excess within its
//! tolerance of the optimum, and says both figures.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use serde_json::Value;

use crate::cli_fairness::published_quickstart;
use crate::run::{ok, oncall};
use crate::support::workspace::text;

const FROM: &str = "2027-02-01";

/// `(week, role) -> person` of a plan JSON's shifts from `FROM` on.
fn holders(plan: &Value) -> BTreeMap<(String, String), String> {
    plan["shifts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["week"].as_str().unwrap() >= FROM)
        .map(|s| {
            let key = (s["week"].as_str().unwrap(), s["role"].as_str().unwrap());
            let who = s["person"].as_str().unwrap().to_string();
            ((key.0.to_string(), key.1.to_string()), who)
        })
        .collect()
}

fn read(path: &Path) -> Value {
    serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
}

/// Slots of `after` whose holder differs from `before` (or that either lacks).
fn moved(before: &Value, after: &Value) -> usize {
    let (b, a) = (holders(before), holders(after));
    let keys: std::collections::BTreeSet<_> = b.keys().chain(a.keys()).collect();
    keys.into_iter().filter(|k| b.get(*k) != a.get(*k)).count()
}

/// Re-plans `payments` from `FROM` into `name`, checked by the independent
/// checker; returns the plan and what the command said.
fn replan(dir: &Path, name: &str, extra: &[&str]) -> (Value, String) {
    let out = dir.join(name);
    let path = out.to_str().unwrap();
    let mut args = vec!["replan", "payments", "--from", FROM, "--out", path];
    args.extend(extra);
    let run = oncall(dir, &args);
    ok(&run);
    ok(&oncall(dir, &["check-plan", "payments", path]));
    (read(&out), text(&run.stderr))
}

fn dan_leaves(dir: &Path) {
    let people = fs::read_to_string(dir.join("people.csv")).unwrap();
    let edited = people.replace(
        "dan,Dan Diaz,dan@example.com,America/Los_Angeles,US,2020-11-02,,",
        &format!("dan,Dan Diaz,dan@example.com,America/Los_Angeles,US,2020-11-02,{FROM},"),
    );
    assert_ne!(edited, people);
    fs::write(dir.join("people.csv"), edited).unwrap();
}

#[test]
fn stable_replan_moves_fewer_slots_than_the_fairest_within_its_tolerance() {
    let tmp = published_quickstart();
    let dir = tmp.path();
    let published = read(&dir.join("plan.json"));
    dan_leaves(dir);
    let (fair, said_fair) = replan(dir, "fair.json", &[]);
    let (stable, said_stable) = replan(dir, "stable.json", &["--stable"]);
    assert_eq!(fair["status"], "optimal", "{said_fair}");
    let optimum = fair["solver"]["objective"].as_f64().unwrap();
    let excess = stable["solver"]["objective"].as_f64().unwrap();
    let (n_fair, n_stable) = (moved(&published, &fair), moved(&published, &stable));
    assert!(
        n_stable < n_fair,
        "--stable moves {n_stable}, the fairest {n_fair}"
    );
    assert!(
        excess <= optimum + 0.5 + 1e-4,
        "{excess} vs {optimum} + 0.5"
    );
    assert!(
        excess >= optimum - 1e-4,
        "below the proven optimum: {excess} < {optimum}"
    );
    // Dan's weeks are gone from both.
    assert!(!holders(&stable).values().any(|p| p == "dan"));
    // Both figures, as the command says them.
    assert!(
        said_fair.starts_with(&format!(
            "{n_fair} slot(s) change hands (proven fewest); largest excess {optimum:.2}, the optimum"
        )),
        "{said_fair}"
    );
    assert!(
        said_stable.starts_with(&format!(
            "{n_stable} slot(s) change hands (proven fewest); largest excess {excess:.2}, {:.2} above the optimum {optimum:.2} (tolerance 0.50)",
            excess - optimum
        )),
        "{said_stable}"
    );
    // A tolerance of zero keeps the optimum: the fairest re-plan's count.
    let (zero, _) = replan(dir, "zero.json", &["--stable", "--tolerance", "0"]);
    let z = zero["solver"]["objective"].as_f64().unwrap();
    assert!((z - optimum).abs() < 1e-4, "{z} vs {optimum}");
    assert_eq!(moved(&published, &zero), n_fair);
}

#[test]
fn a_tolerance_needs_stable_and_a_number_at_least_zero() {
    let tmp = published_quickstart();
    let dir = tmp.path();
    let base = ["replan", "payments", "--from", FROM];
    let alone = oncall(dir, &[&base[..], &["--tolerance", "1"]].concat());
    assert_eq!(alone.status.code(), Some(2));
    assert!(
        text(&alone.stderr).contains("--stable"),
        "{}",
        text(&alone.stderr)
    );
    let negative = oncall(
        dir,
        &[&base[..], &["--stable", "--tolerance", "-1"]].concat(),
    );
    assert_eq!(negative.status.code(), Some(2));
    assert!(
        text(&negative.stderr).contains("at least 0, e.g. 0.5"),
        "{}",
        text(&negative.stderr)
    );
}

#[test]
fn the_page_share_is_the_planners_for_the_published_weeks() {
    let tmp = published_quickstart();
    let dir = tmp.path();
    let plan_path = dir.join("plan.json");
    ok(&oncall(
        dir,
        &["check-plan", "payments", plan_path.to_str().unwrap()],
    ));
    let plan = read(&plan_path);
    let ws = oncall::input::load_workspace(dir).unwrap();
    let team = ws.team_by_id("payments").unwrap();
    let tl = crate::schedule::timeline(dir, "payments");
    let at = chrono::DateTime::parse_from_rfc3339("2027-01-05T12:00:00Z").unwrap();
    let page = oncall::view::page::team_page(&ws, team, &[tl], at.with_timezone(&chrono::Utc));
    let planned: BTreeMap<String, (f64, f64)> = plan["fairness"]["people"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let f = |k: &str| p[k].as_f64().unwrap();
            (
                p["person"].as_str().unwrap().to_string(),
                (f("load"), f("share")),
            )
        })
        .collect();
    let shown: BTreeMap<String, (f64, f64)> = page
        .loads
        .iter()
        .map(|l| (l.person.id.clone(), (l.load, l.share)))
        .collect();
    assert_eq!(
        shown.keys().collect::<Vec<_>>(),
        planned.keys().collect::<Vec<_>>()
    );
    for (who, (load, share)) in &planned {
        let (l, s) = shown[who];
        assert!(
            (l - load).abs() < 1e-3 && (s - share).abs() < 1e-3,
            "{who}: page {l}/{s}, plan {load}/{share}"
        );
    }
    // Whoever the plan leaves out is listed with why, never given a share.
    let members = ws.team(team).members.len();
    assert_eq!(page.loads.len() + page.not_eligible.len(), members);
}
