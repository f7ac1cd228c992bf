//! Escalation chains resolved to people: a step naming another team's role
//! reaches whoever holds it there at that instant, across that team's own
//! zone and DST, and the feeds name the same people as `who`.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use oncall::calendar::feed;
use oncall::model::Workspace;
use oncall::plan::horizon::weeks_from;
use oncall::schedule::timeline::{PublishedSlot, Timeline};
use oncall::schedule::who::on_call;

fn quickstart() -> Workspace {
    oncall::input::load_workspace(&crate::support::workspace::data("quickstart")).unwrap()
}

/// `team`'s timeline with `holders[k]` as `role` in the k-th week from `first`.
fn timeline(ws: &Workspace, team: &str, role: &str, first: &str, holders: &[&str]) -> Timeline {
    let t = ws.team(ws.team_by_id(team).unwrap());
    let first: NaiveDate = first.parse().unwrap();
    let weeks = weeks_from(t, first, holders.len() as u32).unwrap();
    let slots: Vec<PublishedSlot> = weeks
        .iter()
        .zip(holders)
        .map(|(w, who)| PublishedSlot {
            version: 1,
            week: w.first_day,
            role: role.into(),
            person: (*who).into(),
            start: w.start,
            end: w.end,
            load: 1.0,
            published: Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap(),
        })
        .collect();
    Timeline::resolve(t, &slots, &[])
}

fn first_step(ws: &Workspace, timelines: &[Timeline], at: DateTime<Utc>) -> Option<String> {
    let payments = ws.team_by_id("payments").unwrap();
    on_call(ws, payments, timelines, at).escalation[0]
        .person
        .clone()
}

/// Dublin springs forward on 2027-03-28, so SRE's Monday 09:00 handoff on
/// 2027-03-29 is 08:00 UTC; Los Angeles sprang forward two weeks before.
/// The payments chain's first step follows SRE's clock, not its own.
#[test]
fn another_teams_role_is_resolved_in_that_teams_zone_across_dst() {
    let ws = quickstart();
    let sre = timeline(&ws, "sre", "primary", "2027-03-22", &["sam", "sky"]);
    let pay = timeline(&ws, "payments", "primary", "2027-03-22", &["alice", "bob"]);
    let all = [pay, sre];
    let at = |h: u32, m: u32| Utc.with_ymd_and_hms(2027, 3, 29, h, m, 0).unwrap();
    assert_eq!(first_step(&ws, &all, at(7, 59)).as_deref(), Some("sam"));
    assert_eq!(
        first_step(&ws, &all, at(8, 0)).as_deref(),
        Some("sky"),
        "IST handoff at 08:00 UTC"
    );
    // Nothing published for SRE then: the step reaches nobody, and the rest
    // of the chain is unchanged.
    let later = Utc.with_ymd_and_hms(2027, 4, 20, 12, 0, 0).unwrap();
    assert_eq!(first_step(&ws, &all, later), None);
    let chain: Vec<String> = on_call(&ws, ws.team_by_id("payments").unwrap(), &all, at(8, 0))
        .escalation
        .iter()
        .map(|s| format!("{}={}", s.label(), s.person.as_deref().unwrap_or("-")))
        .collect();
    assert_eq!(
        chain,
        [
            "sre.primary=sky",
            "primary=alice",
            "secondary=-",
            "manager=grace",
            "director=dora"
        ]
    );
}

/// A feed event's escalation names the people `who` resolves at its start.
#[test]
fn feeds_name_the_chain_that_who_resolves() {
    let ws = quickstart();
    let sre = timeline(&ws, "sre", "primary", "2027-03-22", &["sam", "sky"]);
    let pay = timeline(&ws, "payments", "primary", "2027-03-22", &["alice", "bob"]);
    let events = feed::events(&ws, &[pay, sre]);
    let bob = events
        .iter()
        .find(|e| e.team == "payments" && e.person == "bob")
        .unwrap();
    assert!(
        bob.description.contains(
            "Escalation: 1. sre.primary: Sky Silva, 2. primary: Bob Brown, 3. secondary: nobody, 4. manager: Grace Green, 5. director: Dora Diaz"
        ),
        "{}",
        bob.description
    );
    assert!(!bob.description.contains("@example.com"));
}

/// Every feed event carries its role's runbook, in the description and as
/// the event's `URL`.
#[test]
fn feed_events_carry_the_runbook_of_their_role() {
    let ws = quickstart();
    let pay = timeline(&ws, "payments", "secondary", "2027-01-04", &["carol"]);
    let events = feed::events(&ws, std::slice::from_ref(&pay));
    let e = &events[0];
    let deep = "https://runbooks.example.com/payments/deep-dive";
    assert_eq!(e.runbook.as_deref(), Some(deep));
    assert!(
        e.description.ends_with(&format!("\nRunbook: {deep}")),
        "{}",
        e.description
    );
    let text = feed::team_feed(&ws, "payments", &events).text;
    assert!(text.contains(&format!("\r\nURL:{deep}\r\n")), "{text}");
}
