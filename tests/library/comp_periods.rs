//! Closed pay periods: a closed report never changes, later changes to
//! closed time are paid once through adjustments, and periods close in
//! order. Then the invariant as a property: closed reports plus adjustments
//! pay exactly what the final timeline says.

use std::collections::BTreeMap;
use std::str::FromStr;

use chrono::{DateTime, Duration, TimeZone, Utc};
use chrono_tz::{America, Europe, Tz};
use oncall::model::*;
use oncall::pay::periods::{self, CloseError, CloseRefusal, CloseStamp, ClosedPeriod};
use oncall::pay::statement::statement;
use oncall::pay::{CompReport, PayCode, PayLine, PayPeriod};
use oncall::plan::horizon::weeks_from;
use oncall::schedule::timeline::{Override, PublishedSlot, Timeline};
use proptest::prelude::*;
use rust_decimal::Decimal;

use crate::support::model::{date, person, role, workspace};

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

/// Rates whose every day fraction of whole hours pays whole cents: each
/// effective rate is a multiple of 138.00 = 23 × 24 × 25 / 100, so an hour
/// of a 23-, 24- or 25-hour day pays exactly 6.00, 5.75 or 5.52 per 138.
fn exact_compensation() -> Compensation {
    Compensation {
        currency: "USD".into(),
        minor_units: 2,
        policy: PayPolicy {
            mode: PayMode::Both,
            rates: ByDayKind {
                weekday: dec("276.00"),
                weekend: dec("552.00"),
                holiday: dec("828.00"),
            },
            time_off: ByDayKind {
                weekday: Decimal::ZERO,
                weekend: dec("0.5"),
                holiday: dec("1.0"),
            },
        },
        regions: BTreeMap::new(),
        roles: [
            ("primary".to_string(), dec("1.0")),
            ("secondary".to_string(), dec("0.5")),
        ]
        .into(),
        incidents: None,
        toil_expires_after_days: None,
        versions: Vec::new(),
    }
}

/// Team `t` in Los Angeles (handoff Monday 10:00) with `me` in `tz` and
/// `other` in Los Angeles, both in region US.
fn ws(tz: Tz) -> Workspace {
    let mut people = vec![
        person("me", tz, "2015-01-01", &[]),
        person("other", America::Los_Angeles, "2015-01-01", &[]),
    ];
    for p in &mut people {
        p.region = Some("US".into());
    }
    let mut w = workspace(
        America::Los_Angeles,
        people,
        vec![role("primary", 1.0, 0, &[]), role("secondary", 0.5, 0, &[])],
        Rules::default(),
    );
    w.org.compensation = Some(exact_compensation());
    w.org
        .holidays
        .entry("US".into())
        .or_default()
        .insert(date("2027-01-18"), "MLK".into());
    w
}

fn published() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap()
}

/// Published slots `(week, role, person)` of team `t`.
fn slots(w: &Workspace, slots: &[(chrono::NaiveDate, &str, &str)]) -> Vec<PublishedSlot> {
    let team = &w.teams[0];
    slots
        .iter()
        .map(|(week, r, p)| {
            let wk = weeks_from(team, *week, 1).unwrap()[0];
            PublishedSlot {
                version: 1,
                week: wk.first_day,
                role: r.to_string(),
                person: p.to_string(),
                start: wk.start,
                end: wk.end,
                load: 0.0,
                published: published(),
            }
        })
        .collect()
}

fn cover(id: i64, role: &str, who: &str, start: DateTime<Utc>, end: DateTime<Utc>) -> Override {
    Override {
        id,
        role: role.into(),
        person: who.into(),
        start,
        end,
        reason: String::new(),
        created: published(),
    }
}

fn period(from: &str, to: &str) -> PayPeriod {
    PayPeriod {
        from: date(from),
        to: date(to),
    }
}

fn stamp() -> CloseStamp {
    CloseStamp {
        closed_at: published(),
        actor: "hr".into(),
        inputs_sha256: String::new(),
    }
}

/// Closes `p` after `closed` and appends it, as the store would.
fn close(w: &Workspace, tl: &Timeline, p: PayPeriod, closed: &mut Vec<ClosedPeriod>) {
    let report = periods::close(w, &[(TeamIdx(0), tl.clone())], p, &[], closed).unwrap();
    closed.push(ClosedPeriod {
        stamp: stamp(),
        report,
    });
}

fn find<'a>(r: &'a CompReport, who: &str, code: PayCode, adjusts: bool) -> Vec<&'a PayLine> {
    r.lines
        .iter()
        .filter(|l| l.employee_id == who && l.code == code && l.is_adjustment() == adjusts)
        .collect()
}

#[test]
fn a_january_weekend_overridden_after_january_closed_is_adjusted_in_february() {
    let w = ws(America::Los_Angeles);
    let team = &w.teams[0];
    let jan = date("2027-01-04");
    let week = |k: i64| jan + Duration::weeks(k);
    let published: Vec<_> = (0..8)
        .map(|k| (week(k), "primary", if k % 2 == 0 { "me" } else { "other" }))
        .collect();
    let published = slots(&w, &published);
    let before = Timeline::resolve(team, &published, &[]);
    let mut closed = Vec::new();
    close(&w, &before, period("2027-01-01", "2027-02-01"), &mut closed);
    let january = closed[0].clone();

    // In March, `me` covers `other`'s weekend of 2027-01-16/17 (Los Angeles
    // midnights, 08:00 UTC).
    let sat = Utc.with_ymd_and_hms(2027, 1, 16, 8, 0, 0).unwrap();
    let o = cover(1, "primary", "me", sat, sat + Duration::hours(48));
    let after = Timeline::resolve(team, &published, &[o]);
    close(&w, &after, period("2027-02-01", "2027-03-01"), &mut closed);

    // January's stored report is what it was.
    assert_eq!(closed[0], january);
    // February carries exactly the weekend moved: 2 days at 552.00 from
    // `other` to `me`, named as January's.
    let feb = &closed[1].report;
    let adjustments: Vec<&PayLine> = feb.lines.iter().filter(|l| l.is_adjustment()).collect();
    let jan_period = period("2027-01-01", "2027-02-01");
    let mine = find(feb, "me", PayCode::Weekend, true);
    let theirs = find(feb, "other", PayCode::Weekend, true);
    assert_eq!(mine.len(), 1);
    assert_eq!(theirs.len(), 1);
    assert_eq!(
        (mine[0].seconds, mine[0].days, mine[0].amount),
        (172_800, dec("2"), dec("1104.00"))
    );
    assert_eq!(
        (theirs[0].seconds, theirs[0].days, theirs[0].amount),
        (-172_800, dec("-2"), dec("-1104.00"))
    );
    // Days off in lieu move with the weekend: 2 days × 0.5.
    assert_eq!(find(feb, "me", PayCode::Toil, true)[0].days, dec("1"));
    assert_eq!(find(feb, "other", PayCode::Toil, true)[0].days, dec("-1"));
    assert_eq!(adjustments.len(), 4, "{adjustments:#?}");
    assert!(adjustments.iter().all(|l| l.adjusts == Some(jan_period)));

    // March owes nothing more for January: the adjustment was paid once.
    close(&w, &after, period("2027-03-01", "2027-04-01"), &mut closed);
    assert!(closed[2].report.lines.iter().all(|l| !l.is_adjustment()));

    // A report over January shows the stored lines, marked closed, not the
    // timeline as it is now.
    let all = [(TeamIdx(0), after.clone())];
    let st = statement(&w, &all, None, jan_period, &[], &closed).unwrap();
    assert_eq!(st.sections.len(), 1);
    assert_eq!(st.sections[0].closed, Some(stamp()));
    assert_eq!(st.sections[0].report, january.report);
}

#[test]
fn an_open_report_after_the_last_close_shows_the_pending_adjustments() {
    let w = ws(America::Los_Angeles);
    let team = &w.teams[0];
    let published = slots(&w, &[(date("2027-01-04"), "primary", "other")]);
    let before = Timeline::resolve(team, &published, &[]);
    let mut closed = Vec::new();
    close(&w, &before, period("2027-01-01", "2027-02-01"), &mut closed);
    let sat = Utc.with_ymd_and_hms(2027, 1, 9, 8, 0, 0).unwrap();
    let o = cover(1, "primary", "me", sat, sat + Duration::hours(24));
    let after = [(TeamIdx(0), Timeline::resolve(team, &published, &[o]))];
    let st = statement(
        &w,
        &after,
        None,
        period("2027-01-15", "2027-03-01"),
        &[],
        &closed,
    )
    .unwrap();
    assert_eq!(st.sections.len(), 2);
    assert!(st.sections[0].closed.is_some());
    assert!(st.sections[1].closed.is_none());
    assert_eq!(
        st.sections[1].report.period,
        period("2027-02-01", "2027-03-01")
    );
    let open = &st.sections[1].report;
    assert_eq!(
        find(open, "me", PayCode::Weekend, true)[0].amount,
        dec("552.00")
    );
    assert_eq!(
        find(open, "other", PayCode::Weekend, true)[0].amount,
        dec("-552.00")
    );
}

#[test]
fn periods_close_once_and_in_order() {
    let w = ws(America::Los_Angeles);
    let tl = Timeline::resolve(
        &w.teams[0],
        &slots(&w, &[(date("2027-01-04"), "primary", "me")]),
        &[],
    );
    let mut closed = Vec::new();
    close(&w, &tl, period("2027-01-01", "2027-02-01"), &mut closed);
    let again = |p: PayPeriod| periods::close(&w, &[(TeamIdx(0), tl.clone())], p, &[], &closed);
    let twice = again(period("2027-01-01", "2027-02-01")).unwrap_err();
    assert!(
        matches!(
            twice,
            CloseError::Refused(CloseRefusal::AlreadyClosed { .. })
        ),
        "{twice}"
    );
    assert!(twice.to_string().contains("already closed"), "{twice}");
    let overlap = again(period("2027-01-15", "2027-02-15")).unwrap_err();
    assert!(
        matches!(overlap, CloseError::Refused(CloseRefusal::Overlaps { .. })),
        "{overlap}"
    );
    let gap = again(period("2027-02-02", "2027-03-01")).unwrap_err();
    assert!(
        matches!(gap, CloseError::Refused(CloseRefusal::OutOfOrder { .. })),
        "{gap}"
    );
    assert!(gap.to_string().contains("starts on 2027-02-01"), "{gap}");
    let before = again(period("2026-12-01", "2027-01-01")).unwrap_err();
    assert!(matches!(
        before,
        CloseError::Refused(CloseRefusal::OutOfOrder { .. })
    ));
    assert!(again(period("2027-02-01", "2027-03-01")).is_ok());
}

/// Line totals per person, team, role and code: (seconds, amount).
fn totals<'a>(
    lines: impl Iterator<Item = &'a PayLine>,
) -> BTreeMap<(String, String, PayCode), (i64, Decimal)> {
    let mut out: BTreeMap<_, (i64, Decimal)> = BTreeMap::new();
    for l in lines {
        let e = out
            .entry((l.employee_id.clone(), l.role.clone(), l.code))
            .or_default();
        e.0 += l.seconds;
        e.1 += l.amount;
    }
    out.retain(|_, (s, a)| *s != 0 || !a.is_zero());
    out
}

/// A zone for `me`, published weeks (offset, role of `me`), and later
/// overrides (the close before which it is entered, start hour, hours,
/// role, whether `me` covers).
type Case = (Tz, Vec<(u8, u8)>, Vec<(usize, i64, i64, u8, bool)>);

fn arb_case() -> impl Strategy<Value = Case> {
    (
        prop_oneof![Just(America::Los_Angeles), Just(Europe::Berlin)],
        proptest::collection::vec((0u8..13, 0u8..2), 1..10),
        proptest::collection::vec(
            (0usize..4, 0i64..2200, 1i64..60, 0u8..2, any::<bool>()),
            0..8,
        ),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn closed_reports_plus_adjustments_pay_the_final_timeline_to_the_cent(
        (tz, weeks, later) in arb_case(),
    ) {
        let w = ws(tz);
        let team = &w.teams[0];
        let first = date("2027-03-01");
        let mut published = Vec::new();
        for (k, r) in weeks.iter().copied().collect::<BTreeMap<u8, u8>>() {
            let week = first + Duration::weeks(i64::from(k));
            let (mine, theirs) = if r == 0 { ("primary", "secondary") } else { ("secondary", "primary") };
            published.push((week, mine, "me"));
            published.push((week, theirs, "other"));
        }
        let published = slots(&w, &published);
        let base = Utc.with_ymd_and_hms(2027, 3, 1, 0, 0, 0).unwrap();
        let bounds = ["2027-03-01", "2027-04-01", "2027-05-01", "2027-06-01"];
        let mut overrides = Vec::new();
        let mut closed = Vec::new();
        // Changes entered before close `step` (the last step: after every
        // close), anywhere in the span, closed time included.
        let enter = |step: usize, overrides: &mut Vec<Override>| {
            for (i, (at, start, hours, r, me)) in later.iter().enumerate() {
                if *at == step {
                    let s = base + Duration::hours(*start);
                    let role = if *r == 0 { "primary" } else { "secondary" };
                    let who = if *me { "me" } else { "other" };
                    overrides.push(cover(i as i64 + 1, role, who, s, s + Duration::hours(*hours)));
                }
            }
        };
        for (step, b) in bounds.windows(2).enumerate() {
            enter(step, &mut overrides);
            let tl = Timeline::resolve(team, &published, &overrides);
            close(&w, &tl, period(b[0], b[1]), &mut closed);
        }
        enter(bounds.len() - 1, &mut overrides);
        let last = [(TeamIdx(0), Timeline::resolve(team, &published, &overrides))];
        let pending = periods::adjustments(&w, &last, &closed).unwrap();
        let whole = oncall::pay::report(&w, &last, period("2027-03-01", "2027-06-01"), &[]).unwrap();
        let paid = closed.iter().flat_map(|c| &c.report.lines).chain(&pending);
        prop_assert_eq!(totals(paid), totals(whole.lines.iter()));
    }
}

/// The fairness report pays what `comp` pays: a closed quarter keeps its
/// stored figures, and a weekend moved after it closed is paid in the
/// quarter where open time resumes, while the weekend days carried follow
/// the timeline as it is now.
#[test]
fn fairness_pays_closed_periods_as_stored_and_adjustments_once() {
    use oncall::pay::fairness::{fairness, Sources};
    let w = ws(America::Los_Angeles);
    let team = &w.teams[0];
    let jan = date("2027-01-04");
    let published: Vec<_> = (0..8)
        .map(|k| {
            (
                jan + Duration::weeks(k),
                "primary",
                if k % 2 == 0 { "me" } else { "other" },
            )
        })
        .collect();
    let published = slots(&w, &published);
    let before = Timeline::resolve(team, &published, &[]);
    let mut closed = Vec::new();
    for (from, to) in [
        ("2027-01-01", "2027-02-01"),
        ("2027-02-01", "2027-03-01"),
        ("2027-03-01", "2027-04-01"),
    ] {
        close(&w, &before, period(from, to), &mut closed);
    }
    let sat = Utc.with_ymd_and_hms(2027, 1, 16, 8, 0, 0).unwrap();
    let after = Timeline::resolve(
        team,
        &published,
        &[cover(1, "primary", "me", sat, sat + Duration::hours(48))],
    );
    let all = [(TeamIdx(0), after)];
    let range = period("2027-01-01", "2027-07-01");
    let src = Sources {
        timelines: &all,
        team: None,
        incidents: &[],
        closed: &closed,
    };
    let report = fairness(&w, src, range).unwrap();
    let row = |id: &str| report.people.iter().find(|p| p.employee_id == id).unwrap();
    let stored = |id: &str| -> Decimal {
        closed
            .iter()
            .flat_map(|c| &c.report.lines)
            .filter(|l| l.employee_id == id)
            .map(|l| l.amount)
            .sum()
    };
    for (id, moved) in [("me", dec("1104.00")), ("other", dec("-1104.00"))] {
        assert_eq!(row(id).quarters[0].amount, stored(id), "{id}: Q1 as stored");
        assert_eq!(
            row(id).quarters[1].amount,
            moved,
            "{id}: the adjustment, once, in Q2"
        );
    }
    // Carried: the timeline as it is now, the weekend with `me`.
    let was = fairness(
        &w,
        Sources {
            timelines: &[(TeamIdx(0), before)],
            team: None,
            incidents: &[],
            closed: &[],
        },
        range,
    )
    .unwrap();
    let weekend = |r: &oncall::pay::fairness::FairnessReport, id: &str| {
        r.people
            .iter()
            .find(|p| p.employee_id == id)
            .unwrap()
            .quarters[0]
            .weekend_days
    };
    assert_eq!(weekend(&report, "me") - weekend(&was, "me"), dec("2"));
    // And the totals are comp's for the same range, to the cent.
    let st = statement(&w, &all, None, range, &[], &closed).unwrap();
    let total: Decimal = report.people.iter().map(|p| p.total.amount).sum();
    assert_eq!(total, st.total());
}
