#![allow(clippy::unwrap_used)]

use super::*;
use crate::model::CalendarCount;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
}

fn cal(body: &str) -> String {
    format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n{body}END:VCALENDAR\r\n")
}

type Days = Vec<(NaiveDate, NaiveDate)>;

fn read_with(
    body: &str,
    policy: &CalendarPolicy,
) -> Result<(Days, Vec<Diagnostic>), Vec<Diagnostic>> {
    parse(
        Path::new("time-off/alice.ics"),
        &cal(body),
        chrono_tz::America::Los_Angeles,
        policy,
    )
    .map(|c| {
        (
            c.blocks.into_iter().map(|b| (b.start, b.end)).collect(),
            c.warnings,
        )
    })
}

/// The days, failing on any warning.
fn read(body: &str) -> Result<Days, Vec<Diagnostic>> {
    match read_with(body, &CalendarPolicy::default()) {
        Ok((days, w)) if w.is_empty() => Ok(days),
        Ok((_, w)) | Err(w) => Err(w),
    }
}

fn event(props: &str) -> String {
    format!("BEGIN:VEVENT\r\n{props}END:VEVENT\r\n")
}

#[test]
fn all_day_events_have_an_exclusive_end() {
    let got = read(&format!(
        "{}{}",
        event("UID:a\r\nDTSTART;VALUE=DATE:20270208\r\nDTEND;VALUE=DATE:20270213\r\n"),
        event("UID:b\r\nDTSTART;VALUE=DATE:20270301\r\n")
    ));
    assert_eq!(
        got,
        Ok(vec![
            (d(2027, 2, 8), d(2027, 2, 12)),
            (d(2027, 3, 1), d(2027, 3, 1))
        ])
    );
}

#[test]
fn timed_events_block_the_local_days_they_touch() {
    // 2027-02-09 07:00Z is 23:00 on the 8th in Los Angeles; ends 08:00Z
    // on the 10th = 00:00 on the 10th there, which it does not touch.
    let got = read(&event(
        "UID:a\r\nDTSTART:20270209T070000Z\r\nDTEND:20270210T080000Z\r\n",
    ));
    assert_eq!(got, Ok(vec![(d(2027, 2, 8), d(2027, 2, 9))]));
    // Floating times are the person's own.
    let got = read(&event(
        "UID:a\r\nDTSTART:20270209T090000\r\nDURATION:PT2H\r\n",
    ));
    assert_eq!(got, Ok(vec![(d(2027, 2, 9), d(2027, 2, 9))]));
    // 09:00 in Tokyo is the day before in Los Angeles.
    let got = read(&event(
        "UID:a\r\nDTSTART;TZID=Asia/Tokyo:20270209T090000\r\nDTEND;TZID=Asia/Tokyo:20270209T100000\r\n",
    ));
    assert_eq!(got, Ok(vec![(d(2027, 2, 8), d(2027, 2, 8))]));
}

#[test]
fn weekly_rules_expand_with_exdate_and_stop_at_until() {
    let got = read(&event(
        "UID:a\r\nDTSTART;VALUE=DATE:20270105\r\nRRULE:FREQ=WEEKLY;INTERVAL=2;UNTIL=20270216;BYDAY=TU\r\nEXDATE;VALUE=DATE:20270119\r\n",
    ));
    assert_eq!(
        got,
        Ok(vec![
            (d(2027, 1, 5), d(2027, 1, 5)),
            (d(2027, 2, 2), d(2027, 2, 2)),
            (d(2027, 2, 16), d(2027, 2, 16)),
        ])
    );
}

#[test]
fn endless_rules_are_read_for_ten_years() {
    let got = read(&event(
        "UID:a\r\nDTSTART;VALUE=DATE:20270105\r\nRRULE:FREQ=MONTHLY\r\n",
    ));
    let got = got.unwrap_or_default();
    assert_eq!(got.len(), 120);
    assert_eq!(got.last().map(|b| b.0), Some(d(2036, 12, 5)));
}

#[test]
fn unreadable_events_are_skipped_with_a_warning_naming_line_and_uid() {
    for (props, line, what) in [
        (
            "DTSTART;VALUE=DATE:20270105\r\nRRULE:FREQ=FORTNIGHTLY\r\n",
            8,
            "cannot read the RRULE",
        ),
        (
            "DTSTART;VALUE=DATE:2027-01-05\r\n",
            7,
            "invalid DTSTART `2027-01-05`",
        ),
        (
            "DTSTART;VALUE=DATE:20270105\r\nDURATION:P99999999999W\r\n",
            8,
            "invalid DURATION",
        ),
        (
            "DTSTART:20270105T090000Z\r\nDURATION:PT99999999999999H\r\n",
            8,
            "invalid DURATION",
        ),
        (
            "DTSTART;VALUE=DATE:20270105\r\nDURATION:P99999999D\r\n",
            8,
            "after the year 9999",
        ),
        (
            "DTSTART;TZID=Mars/Base:20270105T090000\r\n",
            7,
            "unknown time zone `Mars/Base`",
        ),
        ("SUMMARY:x\r\n", 4, "no DTSTART"),
    ] {
        let body = format!(
            "{}{}",
            event(&format!("UID:gym\r\nSUMMARY:Gym\r\n{props}")),
            event("UID:ok\r\nDTSTART;VALUE=DATE:20270301\r\n")
        );
        let (days, warnings) = read_with(&body, &CalendarPolicy::default()).unwrap_or_default();
        assert_eq!(days, vec![(d(2027, 3, 1), d(2027, 3, 1))], "{props}");
        assert_eq!(warnings.len(), 1, "{props}");
        let w = &warnings[0];
        assert_eq!(w.line, line, "{props}: {w}");
        assert!(
            w.message.contains("`Gym` (UID `gym`) skipped"),
            "{}",
            w.message
        );
        assert!(w.message.contains(what), "{}", w.message);
        assert!(w.help.is_some());
        // Strict: the warnings are the errors.
        let strict = CalendarPolicy {
            strict: true,
            ..CalendarPolicy::default()
        };
        assert_eq!(read_with(&body, &strict).err(), Some(warnings));
    }
}

#[test]
fn malformed_files_name_the_line() {
    let err = read("BEGIN:VEVENT\r\nUID:a\r\nDTSTART;VALUE=DATE:20270208\r\n")
        .err()
        .unwrap_or_default();
    assert_eq!(err[0].line, 7);
    assert!(err[0].message.contains("line 4"), "{}", err[0].message);
    let err = read("BEGIN:VEVENT\r\nno colon here\r\nEND:VEVENT\r\n")
        .err()
        .unwrap_or_default();
    assert_eq!(err[0].line, 5);
}

/// A zone named by nothing but its own rules: UTC+10:30 in standard time
/// and +11:30 from the first Sunday of October to the first Sunday of April.
const OWN_ZONE: &str = "BEGIN:VTIMEZONE\r\nTZID:Own Time\r\n\
    BEGIN:STANDARD\r\nDTSTART:19700405T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=4;BYDAY=1SU\r\nTZOFFSETFROM:+1130\r\nTZOFFSETTO:+1030\r\nEND:STANDARD\r\n\
    BEGIN:DAYLIGHT\r\nDTSTART:19701004T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=1SU\r\nTZOFFSETFROM:+1030\r\nTZOFFSETTO:+1130\r\nEND:DAYLIGHT\r\n\
    END:VTIMEZONE\r\n";

#[test]
fn a_vtimezone_without_an_iana_name_is_read_from_its_rules() {
    // 10:00 on 2027-01-12 at +11:30 is 22:30Z on the 11th, 14:30 in LA (11th);
    // 10:00 on 2027-07-12 at +10:30 is 23:30Z on the 11th, 16:30 in LA (11th);
    // 12:00 on 2027-07-12 at +10:30 is 01:30Z on the 12th, 18:30 in LA (11th).
    for (date, hour, day) in [
        ("20270112", "100000", 11),
        ("20270712", "100000", 11),
        ("20270712", "120000", 11),
        ("20270712", "233000", 12),
    ] {
        let body = format!(
            "{OWN_ZONE}{}",
            event(&format!("UID:a\r\nDTSTART;TZID=Own Time:{date}T{hour}\r\n"))
        );
        let month = if date.starts_with("202701") { 1 } else { 7 };
        assert_eq!(
            read(&body),
            Ok(vec![(d(2027, month, day), d(2027, month, day))]),
            "{date}T{hour}"
        );
    }
}

#[test]
fn the_policy_picks_the_events() {
    let body = [
        event("UID:1\r\nSUMMARY:Standup\r\nDTSTART:20270105T170000Z\r\nDURATION:PT15M\r\n"),
        event("UID:2\r\nSUMMARY:Conference\r\nDTSTART;VALUE=DATE:20270201\r\nDTEND;VALUE=DATE:20270203\r\n"),
        event("UID:3\r\nSUMMARY:Doctor\r\nDTSTART:20270301T170000Z\r\nDURATION:PT1H\r\nX-MICROSOFT-CDO-BUSYSTATUS:OOF\r\n"),
        event("UID:4\r\nSUMMARY:Ski\r\nCATEGORIES:Travel,Vacation\r\nDTSTART;VALUE=DATE:20270401\r\n"),
        event("UID:5\r\nSUMMARY:pto (half day)\r\nDTSTART:20270501T170000Z\r\nDURATION:PT4H\r\n"),
        event("UID:6\r\nSUMMARY:Vacation?\r\nTRANSP:TRANSPARENT\r\nDTSTART;VALUE=DATE:20270601\r\n"),
    ]
    .concat();
    let uids = |count: CalendarCount| -> Vec<u32> {
        let policy = CalendarPolicy {
            count,
            ..CalendarPolicy::default()
        };
        let (days, _) = read_with(&body, &policy).unwrap_or_default();
        days.iter().map(|(s, _)| s.month0() + 1).collect()
    };
    use chrono::Datelike;
    assert_eq!(uids(CalendarCount::All), [1, 2, 3, 4, 5]);
    assert_eq!(uids(CalendarCount::AllDay), [2, 4]);
    assert_eq!(uids(CalendarCount::OutOfOffice), [3, 4, 5]);
}

fn parse_text(text: &str) -> Result<CalendarTimeOff, Vec<Diagnostic>> {
    parse(
        Path::new("time-off/alice.ics"),
        text,
        chrono_tz::UTC,
        &CalendarPolicy::default(),
    )
}

#[test]
fn nesting_deeper_than_the_limit_is_refused_at_its_line() {
    let nested = |depth: usize| {
        let mut t = "BEGIN:VCALENDAR\r\n".to_string();
        for _ in 1..depth {
            t.push_str("BEGIN:X\r\n");
        }
        for _ in 1..depth {
            t.push_str("END:X\r\n");
        }
        t + "END:VCALENDAR\r\n"
    };
    assert!(parse_text(&nested(MAX_DEPTH)).is_ok());
    let err = parse_text(&nested(MAX_DEPTH + 1)).unwrap_err();
    assert_eq!(err[0].line, MAX_DEPTH + 1, "{}", err[0]);
    assert!(
        err[0].message.contains("nested more than 32 deep"),
        "{}",
        err[0]
    );
    // The hostile file: 131,000 nested BEGINs never reach the stack.
    let err = parse_text(&"BEGIN:VCALENDAR\r\n".repeat(131_000)).unwrap_err();
    assert_eq!(err[0].line, MAX_DEPTH + 1);
}

#[test]
fn properties_parameters_and_lines_are_bounded() {
    let params = format!("X-A{}:v\r\n", ";P=1".repeat(MAX_PARAMETERS + 1));
    let err = parse_text(&cal(&params)).unwrap_err();
    assert!(err[0].message.contains("parameters"), "{}", err[0]);
    assert_eq!(err[0].line, 4);
    let props = "X-A:1\r\n".repeat(MAX_PROPERTIES + 1);
    let err = parse_text(&cal(&props)).unwrap_err();
    assert!(err[0].message.contains("properties"), "{}", err[0]);
    let lines = event("UID:a\r\n").repeat(MAX_LINES / 2);
    let err = parse_text(&cal(&lines)).unwrap_err();
    assert!(err[0].message.contains("lines"), "{}", err[0]);
}

#[test]
fn a_stream_of_calendars_is_read_whole_and_stray_properties_skipped() {
    let one = cal(&event("UID:a\r\nDTSTART;VALUE=DATE:20270208\r\n"));
    let two = cal(&event("UID:b\r\nDTSTART;VALUE=DATE:20270301\r\n"));
    let read = parse_text(&format!("X-STRAY:1\r\n{one}{two}")).unwrap();
    let days: Vec<_> = read.blocks.iter().map(|b| b.start).collect();
    assert_eq!(days, [d(2027, 2, 8), d(2027, 3, 1)]);
    assert_eq!(read.warnings.len(), 1);
    assert_eq!(read.warnings[0].line, 1);
    assert!(read.warnings[0].message.contains("outside the calendar"));
    let strict = CalendarPolicy {
        strict: true,
        ..CalendarPolicy::default()
    };
    let text = format!("X-STRAY:1\r\n{one}");
    assert!(parse(Path::new("a.ics"), &text, chrono_tz::UTC, &strict).is_err());
}
