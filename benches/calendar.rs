//! Reading a 10-year calendar export as time off: 3,000 single events
//! (all-day and timed, in three zones including Outlook's Windows zone)
//! and 200 weekly, monthly and endless rules with BY… parts and EXDATEs.
//! Target: well under a second.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::fmt::Write;
use std::path::Path;

use chrono::{Duration, NaiveDate};
use criterion::{criterion_group, criterion_main, Criterion};
use oncall::model::CalendarPolicy;

const VTIMEZONE: &str = "BEGIN:VTIMEZONE\r\nTZID:W. Europe Standard Time\r\n\
BEGIN:STANDARD\r\nDTSTART:16011028T030000\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\n\
TZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\n\
BEGIN:DAYLIGHT\r\nDTSTART:16010325T020000\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\n\
TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n";

const RULES: [&str; 4] = [
    "FREQ=WEEKLY;BYDAY=MO,WE",
    "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR;UNTIL=20361231T000000Z",
    "FREQ=MONTHLY;BYDAY=FR;BYSETPOS=-1",
    "FREQ=WEEKLY;COUNT=300",
];

/// A calendar with `singles` single events and `rules` recurring ones over
/// the ten years from 2027.
fn calendar(singles: usize, rules: usize) -> String {
    let first = NaiveDate::from_ymd_opt(2027, 1, 4).unwrap();
    let mut s = String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\n");
    s.push_str(VTIMEZONE);
    for i in 0..singles {
        let day = first + Duration::days((i * 3653 / singles) as i64);
        let d = day.format("%Y%m%d");
        let _ = write!(
            s,
            "BEGIN:VEVENT\r\nUID:single-{i}@bench\r\nSUMMARY:Event {i}\r\n"
        );
        let _ = match i % 3 {
            0 => write!(s, "DTSTART;VALUE=DATE:{d}\r\nDTEND;VALUE=DATE:{}\r\n", (day + Duration::days(2)).format("%Y%m%d")),
            1 => write!(s, "DTSTART;TZID=W. Europe Standard Time:{d}T090000\r\nDURATION:PT1H\r\n"),
            _ => write!(s, "DTSTART;TZID=America/New_York:{d}T140000\r\nDTEND;TZID=America/New_York:{d}T150000\r\n"),
        };
        s.push_str("END:VEVENT\r\n");
    }
    for i in 0..rules {
        let day = first + Duration::days((i * 7) as i64 % 365);
        let d = day.format("%Y%m%d");
        let _ = write!(
            s,
            "BEGIN:VEVENT\r\nUID:rule-{i}@bench\r\nSUMMARY:Rule {i}\r\n\
             DTSTART;TZID=Europe/Berlin:{d}T100000\r\nDURATION:PT30M\r\nRRULE:{}\r\n\
             EXDATE;TZID=Europe/Berlin:{}T100000\r\nEND:VEVENT\r\n",
            RULES[i % RULES.len()],
            (day + Duration::days(14)).format("%Y%m%d"),
        );
    }
    s.push_str("END:VCALENDAR\r\n");
    s
}

fn read(c: &mut Criterion) {
    let text = calendar(3000, 200);
    let policy = CalendarPolicy::default();
    let rel = Path::new("time-off/alice.ics");
    let tz = chrono_tz::America::Los_Angeles;
    let got = oncall::input::calendar::parse(rel, &text, tz, &policy).unwrap();
    assert!(got.warnings.is_empty(), "{:?}", got.warnings);
    assert!(got.blocks.len() > 50_000, "{}", got.blocks.len());
    c.bench_function("calendar_10_years_3000_events_200_rules", |b| {
        b.iter(|| oncall::input::calendar::parse(rel, &text, tz, &policy).unwrap())
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = read
}
criterion_main!(benches);
