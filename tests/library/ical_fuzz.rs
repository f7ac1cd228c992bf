//! Arbitrary calendars never panic the reader and each is read in bounded
//! time. Calendars are built from generated VEVENTs (huge and odd DTSTART,
//! DTEND and DURATION values, random RRULE parts, TZIDs, RDATE/EXDATE,
//! RECURRENCE-ID), then truncated and salted with junk lines.
//!
//! The default case count keeps CI fast; for a longer run:
//! `PROPTEST_CASES=10000 cargo test -p oncall-solver --test library ical_fuzz`.

use std::path::Path;
use std::time::{Duration, Instant};

use oncall::model::{CalendarCount, CalendarPolicy};
use proptest::prelude::*;

fn date() -> impl Strategy<Value = String> {
    prop_oneof![
        (1990u32..2110, 1u32..13, 1u32..32).prop_map(|(y, m, d)| format!("{y:04}{m:02}{d:02}")),
        Just("00000101".to_string()),
        Just("99991231".to_string()),
        Just("2027-02-08".to_string()),
        "[0-9]{0,10}",
    ]
}

fn date_time() -> impl Strategy<Value = String> {
    (date(), 0u32..26, 0u32..61, prop_oneof![Just(""), Just("Z")])
        .prop_map(|(d, h, m, z)| format!("{d}T{h:02}{m:02}00{z}"))
}

fn tzid() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just(";TZID=Europe/Berlin".to_string()),
        Just(";TZID=W. Europe Standard Time".to_string()),
        Just(";TZID=Own Time".to_string()),
        Just(";TZID=Mars/Base".to_string()),
        Just(";VALUE=DATE".to_string()),
    ]
}

fn duration() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("P99999999999W".to_string()),
        Just("P99999999D".to_string()),
        Just("PT99999999999999H".to_string()),
        Just("-P1D".to_string()),
        (
            0u64..u64::MAX,
            prop::sample::select(vec!["W", "D", "TH", "TM", "TS"])
        )
            .prop_map(|(n, u)| match u.strip_prefix('T') {
                Some(u) => format!("PT{n}{u}"),
                None => format!("P{n}{u}"),
            }),
        "P[0-9TWDHMS]{0,8}",
    ]
}

fn rrule() -> impl Strategy<Value = String> {
    let part = prop_oneof![
        prop::sample::select(vec![
            "SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY", "NEVER"
        ])
        .prop_map(|f| format!("FREQ={f}")),
        (0u32..100_000).prop_map(|n| format!("INTERVAL={n}")),
        (0u64..10_000_000).prop_map(|n| format!("COUNT={n}")),
        date_time().prop_map(|u| format!("UNTIL={u}")),
        date().prop_map(|u| format!("UNTIL={u}")),
        "BYDAY=(-?[0-9]{0,2}(MO|TU|WE|TH|FR|SA|SU|XX),?){1,4}",
        "BYSETPOS=-?[0-9]{1,3}",
        "BYMONTHDAY=-?[0-9]{1,2}(,-?[0-9]{1,2}){0,3}",
        "BYMONTH=[0-9]{1,2}",
        "BYYEARDAY=-?[0-9]{1,3}",
        "BYWEEKNO=-?[0-9]{1,2}",
        "BYHOUR=[0-9]{1,2}(,[0-9]{1,2}){0,5}",
        "BYMINUTE=[0-9]{1,2}(,[0-9]{1,2}){0,5}",
        "WKST=(MO|SU|XX)",
        "[A-Z=;]{0,12}",
    ];
    prop::collection::vec(part, 0..6).prop_map(|p| p.join(";"))
}

fn vevent() -> impl Strategy<Value = String> {
    let start = prop_oneof![date(), date_time()];
    let end = prop_oneof![
        Just(None),
        (tzid(), prop_oneof![date(), date_time()]).prop_map(|(z, v)| Some(format!("DTEND{z}:{v}"))),
        duration().prop_map(|d| Some(format!("DURATION:{d}"))),
    ];
    let extra = prop::collection::vec(
        prop_oneof![
            rrule().prop_map(|r| format!("RRULE:{r}")),
            (tzid(), prop::collection::vec(date(), 1..4))
                .prop_map(|(z, v)| format!("RDATE{z}:{}", v.join(","))),
            (tzid(), date_time()).prop_map(|(z, v)| format!("EXDATE{z}:{v}")),
            (tzid(), date_time()).prop_map(|(z, v)| format!("RECURRENCE-ID{z}:{v}")),
            Just("X-MICROSOFT-CDO-BUSYSTATUS:OOF".to_string()),
            Just("CATEGORIES:Vacation,,".to_string()),
            Just("STATUS:CANCELLED".to_string()),
        ],
        0..4,
    );
    (0u8..3, tzid(), start, end, extra).prop_map(|(uid, z, s, e, x)| {
        let mut lines = vec![format!("UID:u{uid}"), format!("DTSTART{z}:{s}")];
        lines.extend(e);
        lines.extend(x);
        format!("BEGIN:VEVENT\r\n{}\r\nEND:VEVENT\r\n", lines.join("\r\n"))
    })
}

const OWN_ZONE: &str =
    "BEGIN:VTIMEZONE\r\nTZID:Own Time\r\nBEGIN:STANDARD\r\nDTSTART:19700405T030000\r\n\
RRULE:FREQ=YEARLY;BYMONTH=4;BYDAY=1SU\r\nTZOFFSETFROM:+1130\r\nTZOFFSETTO:+1030\r\nEND:STANDARD\r\n\
BEGIN:DAYLIGHT\r\nDTSTART:19701004T020000\r\nRRULE:FREQ=MINUTELY\r\nTZOFFSETFROM:+1030\r\n\
TZOFFSETTO:+1130\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n";

fn calendar() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(vevent(), 0..6),
        any::<bool>(),
        prop::option::of(any::<prop::sample::Index>()),
        prop::collection::vec((any::<prop::sample::Index>(), "[ -~]{0,30}"), 0..3),
    )
        .prop_map(|(events, zone, cut, junk)| {
            let zone = if zone { OWN_ZONE } else { "" };
            let mut text = format!(
                "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{zone}{}END:VCALENDAR\r\n",
                events.concat()
            );
            for (at, line) in junk {
                let mut lines: Vec<&str> = text.split("\r\n").collect();
                let i = at.index(lines.len());
                lines.insert(i, &line);
                text = lines.join("\r\n");
            }
            if let Some(cut) = cut {
                let mut i = cut.index(text.len() + 1);
                while !text.is_char_boundary(i) {
                    i -= 1;
                }
                text.truncate(i);
            }
            text
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(200)
    ))]

    #[test]
    fn arbitrary_calendars_never_panic_and_read_in_bounded_time(
        text in calendar(),
        strict in any::<bool>(),
        count in prop::sample::select(vec![CalendarCount::All, CalendarCount::AllDay, CalendarCount::OutOfOffice]),
    ) {
        let policy = CalendarPolicy { count, strict, ..CalendarPolicy::default() };
        let began = Instant::now();
        let got = oncall::input::calendar::parse(
            Path::new("time-off/alice.ics"),
            &text,
            chrono_tz::America::Los_Angeles,
            &policy,
        );
        let took = began.elapsed();
        prop_assert!(took < Duration::from_secs(2), "took {took:?} on\n{text}");
        match got {
            Ok(c) => {
                prop_assert!(c.blocks.iter().all(|b| b.start <= b.end));
                prop_assert!(c.warnings.iter().all(|w| w.line > 0 && w.help.is_some()));
                prop_assert!(!strict || c.warnings.is_empty());
            }
            Err(e) => prop_assert!(!e.is_empty() && e.iter().all(|d| d.line > 0)),
        }
    }
}
