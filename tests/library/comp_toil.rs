//! The ledger of days off in lieu, computed by hand: earned in closed
//! periods, taken as time off with `kind = "toil"`, expiring; and loading
//! `kind` and `[compensation.toil]` with their diagnostics.

use std::path::Path;
use std::str::FromStr;

use chrono::Duration;
use chrono_tz::America;
use oncall::model::*;
use oncall::pay::periods::{self, CloseStamp, ClosedPeriod};
use oncall::pay::toil::{self, ToilBalance};
use oncall::pay::{PayCode, PayPeriod};
use oncall::plan::horizon::weeks_from;
use oncall::schedule::timeline::{PublishedSlot, Timeline};
use rust_decimal::Decimal;

use crate::support::model::{date, person, role, workspace};

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

/// `me` in Los Angeles, region US (MLK day 2027-01-18 a holiday), earning
/// 0.5 days per weekend day and 1 per holiday day, in time off only.
fn ws(expires: Option<u32>) -> Workspace {
    let mut me = person("me", America::Los_Angeles, "2015-01-01", &[]);
    me.region = Some("US".into());
    let mut w = workspace(
        America::Los_Angeles,
        vec![me],
        vec![role("primary", 1.0, 0, &[])],
        Rules::default(),
    );
    w.org
        .holidays
        .entry("US".into())
        .or_default()
        .insert(date("2027-01-18"), "MLK".into());
    w.org.compensation = Some(Compensation {
        currency: "USD".into(),
        minor_units: 2,
        policy: PayPolicy {
            mode: PayMode::TimeOff,
            rates: ByDayKind::default(),
            time_off: ByDayKind {
                weekday: Decimal::ZERO,
                weekend: dec("0.5"),
                holiday: dec("1.0"),
            },
        },
        regions: Default::default(),
        roles: Default::default(),
        incidents: None,
        toil_expires_after_days: expires,
        versions: Vec::new(),
    });
    w
}

fn take(w: &mut Workspace, start: &str, end: &str) {
    w.time_off.push(TimeOff {
        person: PersonIdx(0),
        start: date(start),
        end: date(end),
        reason: "day off in lieu".into(),
        kind: TimeOffKind::Toil,
        origin: Origin::default(),
    });
}

/// `me` primary in the weeks of 2027-01-04, 01-18 and 02-01; January and
/// February closed.
fn closed(w: &Workspace) -> Vec<ClosedPeriod> {
    let team = &w.teams[0];
    let slots: Vec<PublishedSlot> = ["2027-01-04", "2027-01-18", "2027-02-01"]
        .iter()
        .map(|d| {
            let wk = weeks_from(team, date(d), 1).unwrap()[0];
            PublishedSlot {
                version: 1,
                week: wk.first_day,
                role: "primary".into(),
                person: "me".into(),
                start: wk.start,
                end: wk.end,
                load: 0.0,
                published: wk.start - Duration::days(60),
            }
        })
        .collect();
    let tl = [(TeamIdx(0), Timeline::resolve(team, &slots, &[]))];
    let mut out = Vec::new();
    for (from, to) in [("2027-01-01", "2027-02-01"), ("2027-02-01", "2027-03-01")] {
        let p = PayPeriod {
            from: date(from),
            to: date(to),
        };
        let report = periods::close(w, &tl, p, &[], &out).unwrap();
        out.push(ClosedPeriod {
            stamp: CloseStamp {
                closed_at: wk_now(),
                actor: "hr".into(),
                inputs_sha256: String::new(),
            },
            report,
        });
    }
    out
}

fn wk_now() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap()
}

fn on(w: &Workspace, closed: &[ClosedPeriod], at: &str) -> ToilBalance {
    toil::ledger(w, closed, date(at), None).people.remove(0)
}

fn days(b: &ToilBalance) -> [Decimal; 4] {
    [b.earned, b.taken, b.expired, b.balance]
}

#[test]
fn earning_taking_and_expiry_give_the_balance_computed_by_hand() {
    let mut w = ws(Some(30));
    // Thursday and Friday 2027-02-11/12, then Monday to Friday 03-15..19.
    take(&mut w, "2027-02-11", "2027-02-12");
    take(&mut w, "2027-03-15", "2027-03-21");
    let closed = closed(&w);
    // January: weekends 01-09/10 and 01-23/24 (4 days × 0.5) and 14 hours of
    // MLK day from the 10:00 handoff (14/24 × 1): 2.583333 days.
    let jan: Vec<Decimal> = closed[0]
        .report
        .lines
        .iter()
        .filter(|l| l.code == PayCode::Toil)
        .map(|l| l.days)
        .collect();
    assert_eq!(jan, [dec("2.583333")]);

    // Earned on 02-01 (the day after January), nothing taken yet.
    assert_eq!(
        days(&on(&w, &closed, "2027-02-10")),
        [dec("2.583333"), dec("0"), dec("0"), dec("2.583333")]
    );
    // Two weekdays taken from January's days.
    assert_eq!(
        days(&on(&w, &closed, "2027-02-28")),
        [dec("2.583333"), dec("2"), dec("0"), dec("0.583333")]
    );
    // February's weekend 02-06/07 earns 1 on 03-01; January's remaining
    // 0.583333 expire 30 days after 02-01, on 03-03.
    assert_eq!(
        days(&on(&w, &closed, "2027-03-02")),
        [dec("3.583333"), dec("2"), dec("0"), dec("1.583333")]
    );
    assert_eq!(
        days(&on(&w, &closed, "2027-03-10")),
        [dec("3.583333"), dec("2"), dec("0.583333"), dec("1")]
    );
    // Five weekdays taken on a balance of 1 (the weekend 03-20/21 takes
    // nothing): four are overdrawn, which is allowed.
    let end = on(&w, &closed, "2027-03-31");
    assert_eq!(
        days(&end),
        [dec("3.583333"), dec("7"), dec("0.583333"), dec("-4")]
    );
    let overdrawn: Vec<String> = end.overdrawn.iter().map(ToString::to_string).collect();
    assert_eq!(
        overdrawn,
        ["2027-03-16", "2027-03-17", "2027-03-18", "2027-03-19"]
    );
}

#[test]
fn without_expiry_days_off_in_lieu_keep() {
    let mut w = ws(None);
    take(&mut w, "2027-02-11", "2027-02-12");
    let closed = closed(&w);
    assert_eq!(
        days(&on(&w, &closed, "2028-01-01")),
        [dec("3.583333"), dec("2"), dec("0"), dec("1.583333")]
    );
}

fn load(org_extra: &str, time_off: &str) -> Result<Workspace, oncall::LoadError> {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let org = format!(
        "timezone = \"America/Los_Angeles\"\n\n[compensation]\ncurrency = \"USD\"\nmode = \"time_off\"\n{org_extra}"
    );
    for (rel, text) in [
        ("oncall.toml", org.as_str()),
        (
            "people.csv",
            "id,name,email,timezone,region,joined,left,skills\nalice,Alice,a@example.com,America/Los_Angeles,US,2021-03-01,,\n",
        ),
        (
            "teams/payments.toml",
            "members = [\"alice\"]\nhandoff = { weekday = \"monday\", time = \"10:00\" }\n\n[[roles]]\nname = \"primary\"\n",
        ),
        ("time-off/toil.toml", time_off),
    ] {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    oncall::input::load_workspace(root)
}

#[test]
fn kind_and_expiry_are_read_and_their_mistakes_named() {
    let entry = |kind: &str| {
        format!("[[time_off]]\nperson = \"alice\"\nstart = \"2027-02-11\"\nend = \"2027-02-12\"\n{kind}")
    };
    let w = load(
        "[compensation.toil]\nexpires_after_days = 90\n",
        &(entry("kind = \"toil\"\n") + "\n" + &entry("")),
    )
    .unwrap();
    let kinds: Vec<TimeOffKind> = w.time_off.iter().map(|t| t.kind).collect();
    assert_eq!(kinds, [TimeOffKind::Toil, TimeOffKind::Leave]);
    assert_eq!(
        w.org.compensation.unwrap().toil_expires_after_days,
        Some(90)
    );

    let err = load(
        "[compensation.toil]\nexpires_after_days = 0\n",
        &entry("kind = \"tol\"\n"),
    )
    .unwrap_err();
    let found: Vec<(&Path, usize, &str)> = err
        .diagnostics
        .iter()
        .map(|d| (d.file.as_path(), d.line, d.message.as_str()))
        .collect();
    assert!(
        found.contains(&(
            Path::new("oncall.toml"),
            7,
            "`expires_after_days` must be a whole number of days, 1 or more, got 0"
        )),
        "{found:?}"
    );
    assert!(
        found.contains(&(
            Path::new("time-off/toil.toml"),
            5,
            "unknown time-off kind `tol`"
        )),
        "{found:?}"
    );
}

/// A calendar event is days off in lieu when one of its categories says so
/// (`TOIL`, `Day off in lieu`, `Time off in lieu`, any case or spacing);
/// the title alone never makes it one.
#[test]
fn calendar_events_categorised_toil_are_days_off_in_lieu() {
    let event = |uid: u32, day: u32, extra: &str| {
        format!(
            "BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20270101T000000Z\r\nDTSTART;VALUE=DATE:202702{day:02}\r\n{extra}END:VEVENT\r\n"
        )
    };
    let ics = [
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n".to_string(),
        event(1, 8, "SUMMARY:Lieu day\r\nCATEGORIES:Personal,TOIL\r\n"),
        event(2, 9, "SUMMARY:Off\r\nCATEGORIES:Day-off in lieu\r\n"),
        event(3, 10, "SUMMARY:Off\r\nCATEGORIES:time_off_in_lieu\r\n"),
        event(4, 11, "SUMMARY:Ski\r\nCATEGORIES:Vacation\r\n"),
        event(5, 12, "SUMMARY:TOIL for Bob\r\n"),
        "END:VCALENDAR\r\n".to_string(),
    ]
    .concat();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for (rel, text) in [
        ("oncall.toml", "timezone = \"America/Los_Angeles\"\n"),
        (
            "people.csv",
            "id,name,email,timezone,region,joined,left,skills\nalice,Alice,a@example.com,America/Los_Angeles,US,2021-03-01,,\n",
        ),
        (
            "teams/payments.toml",
            "members = [\"alice\"]\nhandoff = { weekday = \"monday\", time = \"10:00\" }\n\n[[roles]]\nname = \"primary\"\n",
        ),
        ("time-off/alice.ics", ics.as_str()),
    ] {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let w = oncall::input::load_workspace(root).unwrap();
    let mut kinds: Vec<(u32, TimeOffKind)> = w
        .time_off
        .iter()
        .map(|t| (chrono::Datelike::day(&t.start), t.kind))
        .collect();
    kinds.sort_by_key(|k| k.0);
    assert_eq!(
        kinds,
        [
            (8, TimeOffKind::Toil),
            (9, TimeOffKind::Toil),
            (10, TimeOffKind::Toil),
            (11, TimeOffKind::Leave),
            (12, TimeOffKind::Leave),
        ]
    );
}
