//! The store's reader accepts everything its writer can write: every
//! horizon the parsers accept, from the first supported weeks of 1900 to the
//! last of 9999, in zones east and west of UTC, is planned, checked,
//! published and read back unchanged (docs/design.md §11.1).

use chrono::{Datelike, NaiveDate};
use chrono_tz::Tz;
use oncall::model::{Rules, TeamIdx, Workspace};
use oncall::plan::horizon::{self, HorizonSpec};
use oncall::plan::optimise::{self, PlanOptions};
use oncall::schedule::store::{Store, StoreRead};
use proptest::prelude::*;

use crate::support::fuzz::cases;
use crate::support::model::{assert_checked, person, role, workspace};

fn team(tz: Tz) -> Workspace {
    let people = ["ann", "ben", "cat"]
        .iter()
        .map(|id| person(id, tz, "1800-01-01", &[]))
        .collect();
    let rules = Rules {
        rest_weeks: 0,
        max_shifts: None,
        max_weeks_per_year: None,
        max_weeks_per_year_all: None,
    };
    workspace(tz, people, vec![role("primary", 1.0, 0, &[])], rules)
}

/// Years near both ends of the range, and anywhere between.
fn year() -> impl Strategy<Value = i32> {
    prop_oneof![1899..=1901i32, 1902..=9997i32, 9998..=10000i32]
}

fn spec() -> impl Strategy<Value = HorizonSpec> {
    let quarter = (year(), 1..=4u32).prop_map(|(y, q)| format!("{y}Q{q}"));
    let weeks = (year(), 1..=366u32, 1..=3u32).prop_map(|(y, day, n)| {
        let from = NaiveDate::from_yo_opt(y, day.min(365)).map_or(String::new(), |d| d.to_string());
        format!("{from}+{n}")
    });
    prop_oneof![quarter, weeks].prop_filter_map("a horizon the parser reads", |s| {
        match s.split_once('+') {
            Some((from, n)) => Some(HorizonSpec::Weeks {
                from: from.parse().ok()?,
                weeks: n.parse().ok()?,
            }),
            None => s.parse().ok(),
        }
    })
}

fn zone() -> impl Strategy<Value = Tz> {
    prop::sample::select(vec![
        chrono_tz::UTC,
        chrono_tz::Pacific::Kiritimati,
        chrono_tz::Pacific::Pago_Pago,
        chrono_tz::America::Los_Angeles,
        chrono_tz::Europe::Berlin,
    ])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(24)))]

    #[test]
    fn every_accepted_horizon_is_published_and_read_back(spec in spec(), tz in zone()) {
        let ws = team(tz);
        let team = ws.team(TeamIdx(0));
        // Refused horizons are refused by the parser, before any planning.
        let Ok(weeks) = horizon::weeks(team, &spec) else {
            return Ok(());
        };
        prop_assert!(weeks.iter().all(|w| (1900..=9999).contains(&w.start.year())));
        let plan = optimise::plan(&ws, TeamIdx(0), &spec, &PlanOptions::default()).unwrap();
        assert_checked(&ws, &plan);
        let doc = plan.to_doc(&ws);
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path()).unwrap();
        store
            .write(|w| w.publish("t", &doc, false, &serde_json::json!({})))
            .unwrap();
        let back = Store::open(dir.path()).unwrap().slots("t").unwrap();
        prop_assert_eq!(back.len(), doc.shifts.len());
        for (s, d) in back.iter().zip(&doc.shifts) {
            prop_assert_eq!((s.week, s.start, s.end), (d.week, d.start, d.end));
            prop_assert_eq!(&s.person, &d.person);
        }
    }
}
