//! Loading workspaces: every diagnostic names its file, line, column and fix;
//! every example in `data/` loads; arbitrary input never panics.

use std::path::{Path, PathBuf};

use chrono::{NaiveDate, NaiveTime, Weekday};
use oncall::input::diagnostic::{Diagnostic, LoadError};
use oncall::input::load_workspace;
use oncall::model::{Absence, Contacts, Escalation, LoadWeights, PersonIdx, RoleIdx, Workspace};
use proptest::prelude::*;
use tempfile::TempDir;

const ORG: &str = r#"timezone = "America/Los_Angeles"

[holidays.US]
"2027-01-01" = "New Year's Day"
"#;

const PEOPLE: &str = "\
id,name,email,timezone,region,joined,left,skills
alice,Alice Adams,alice@example.com,America/Los_Angeles,US,2021-03-01,,payments;db
bob,Bob Brown,bob@example.com,,US,2019-07-15,,payments
carol,Carol Chen,carol@example.com,Europe/Berlin,,2022-01-10,,
";

const TEAM: &str = r#"name = "Payments"
holidays = "US"
members = ["alice", "bob", "carol"]
handoff = { weekday = "monday", time = "10:00" }

[[roles]]
name = "primary"

[[roles]]
name = "secondary"
weight = 0.5
min_tenure_days = 180
skills = ["payments"]
"#;

const TIME_OFF: &str = r#"[[time_off]]
person = "alice"
start = "2027-02-08"
end = "2027-02-12"
reason = "vacation"
"#;

const BASE: [(&str, &str); 4] = [
    ("oncall.toml", ORG),
    ("people.csv", PEOPLE),
    ("teams/payments.toml", TEAM),
    ("time-off/vacations.toml", TIME_OFF),
];

fn write(dir: &Path, rel: &str, bytes: &[u8]) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

/// The base workspace with some files replaced (`Some`) or removed (`None`).
fn workspace(changes: &[(&str, Option<&str>)]) -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (rel, text) in BASE {
        write(dir.path(), rel, text.as_bytes());
    }
    for (rel, text) in changes {
        match text {
            Some(t) => write(dir.path(), rel, t.as_bytes()),
            None => std::fs::remove_file(dir.path().join(rel)).unwrap(),
        }
    }
    dir
}

fn load(changes: &[(&str, Option<&str>)]) -> Result<Workspace, LoadError> {
    let dir = workspace(changes);
    load_workspace(dir.path())
}

/// A diagnostic as a tuple, for compact exact comparisons.
type D = (String, usize, usize, String, Option<String>);

fn d(file: &str, line: usize, column: usize, message: &str, help: Option<&str>) -> D {
    (
        file.to_string(),
        line,
        column,
        message.to_string(),
        help.map(str::to_string),
    )
}

fn tuple(x: &Diagnostic) -> D {
    (
        x.file.to_string_lossy().replace('\\', "/"),
        x.line,
        x.column,
        x.message.clone(),
        x.help.clone(),
    )
}

/// The diagnostics of a workspace that must fail to load.
fn errors(changes: &[(&str, Option<&str>)]) -> Vec<D> {
    match load(changes) {
        Ok(_) => panic!("the workspace loaded, but errors were expected"),
        Err(e) => e.diagnostics.iter().map(tuple).collect(),
    }
}

/// The base team file with `from` replaced by `to`.
fn team_with(from: &str, to: &str) -> String {
    assert!(TEAM.contains(from), "{from:?} is not in the base team");
    TEAM.replacen(from, to, 1)
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../data")
}

// ---------------------------------------------------------------- good input

#[test]
fn base_workspace_loads_with_defaults() {
    let ws = load(&[]).unwrap();
    assert_eq!(ws.org.timezone, chrono_tz::America::Los_Angeles);
    assert_eq!(ws.org.load, LoadWeights::default());
    assert_eq!(ws.org.load.weekend, 1.5);
    assert_eq!(
        ws.org.holidays["US"]
            .get(&date("2027-01-01"))
            .map(String::as_str),
        Some("New Year's Day")
    );

    let ids: Vec<&str> = ws.people.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["alice", "bob", "carol"], "people keep file order");
    let bob = &ws.people[1];
    assert_eq!(bob.name, "Bob Brown");
    assert_eq!(
        bob.timezone,
        chrono_tz::America::Los_Angeles,
        "empty timezone means the org's"
    );
    assert_eq!(bob.region.as_deref(), Some("US"));
    assert_eq!(bob.origin.line, 3);
    let carol = &ws.people[2];
    assert_eq!(carol.timezone, chrono_tz::Europe::Berlin);
    assert_eq!(carol.region, None, "empty region means none");
    assert!(carol.skills.is_empty());
    let alice = &ws.people[0];
    assert_eq!(
        alice.skills.iter().map(String::as_str).collect::<Vec<_>>(),
        ["db", "payments"]
    );
    assert_eq!(alice.joined, date("2021-03-01"));
    assert_eq!(alice.left, None);

    assert_eq!(ws.time_off.len(), 1);
    let off = &ws.time_off[0];
    assert_eq!(off.person, PersonIdx(0));
    assert_eq!(
        (off.start, off.end),
        (date("2027-02-08"), date("2027-02-12"))
    );
    assert_eq!(off.reason, "vacation");
    assert_eq!(off.origin.file, Path::new("time-off/vacations.toml"));
    assert_eq!(off.origin.line, 2);

    assert_eq!(ws.teams.len(), 1);
    let t = &ws.teams[0];
    assert_eq!(t.id, "payments");
    assert_eq!(t.name, "Payments");
    assert_eq!(
        t.timezone,
        chrono_tz::America::Los_Angeles,
        "team zone defaults to the org's"
    );
    assert_eq!(t.holidays.as_deref(), Some("US"));
    assert_eq!(t.members, [PersonIdx(0), PersonIdx(1), PersonIdx(2)]);
    assert_eq!(t.handoff.weekday, Weekday::Mon);
    assert_eq!(t.handoff.time, NaiveTime::from_hms_opt(10, 0, 0).unwrap());
    assert!(t.escalation.is_empty());
    assert_eq!(t.rules.rest_weeks, 0);
    assert_eq!(t.rules.max_shifts, None);
    assert_eq!(t.fairness.absence, Absence::Owed);
    assert_eq!(t.fairness.history_weeks, 52);
    assert!(t.carry.is_empty() && t.pins.is_empty());
    let primary = &t.roles[0];
    assert_eq!(
        (
            primary.name.as_str(),
            primary.weight,
            primary.min_tenure_days
        ),
        ("primary", 1.0, 0)
    );
    assert!(primary.skills.is_empty());
    let secondary = &t.roles[1];
    assert_eq!(
        (
            secondary.weight,
            secondary.min_tenure_days,
            secondary.skills.clone()
        ),
        (0.5, 180, vec!["payments".to_string()])
    );
    assert_eq!(ws.inputs_sha256.len(), 64);
}

#[test]
fn every_setting_is_read() {
    let org = r#"timezone = "Europe/London"

[load]
weekday = 1
weekend = 3.0
holiday = 4.5

[holidays.GB]
"2027-03-26" = "Good Friday"

[holidays.US]

[compensation]
currency = "GBP"
[compensation.rates]
weekday = "50.00"
weekend = "100"
holiday = "150.5"
"#;
    let team = r#"name = "Payments"
timezone = "America/New_York"
holidays = "GB"
members = ["carol", "alice"]
handoff = { weekday = "Wed", time = "9:30" }
escalation = ["primary", "manager:bob"]

[[roles]]
name = "primary"
weight = 2
min_tenure_days = 30

[rules]
rest_weeks = 2
max_shifts = 4

[fairness]
absence = "excused"
history_weeks = 26

[carry]
alice = -1.5
carol = 4

[[pins]]
week = 2027-01-13
role = "primary"
person = "carol"

[[pins]]
week = "2027-01-20"
role = "primary"
person = "alice"
"#;
    let ws = load(&[
        ("oncall.toml", Some(org)),
        ("teams/payments.toml", Some(team)),
    ])
    .unwrap();
    assert_eq!(
        ws.org.load,
        LoadWeights {
            weekday: 1.0,
            weekend: 3.0,
            holiday: 4.5
        }
    );
    assert!(ws.org.holidays["US"].is_empty());
    let comp = ws.org.compensation.as_ref().unwrap();
    assert_eq!((comp.currency.as_str(), comp.minor_units), ("GBP", 2));
    assert_eq!(comp.policy.rates.holiday.to_string(), "150.5");
    let t = &ws.teams[0];
    assert_eq!(t.timezone, chrono_tz::America::New_York);
    assert_eq!(t.members, [PersonIdx(2), PersonIdx(0)]);
    assert_eq!(t.handoff.weekday, Weekday::Wed);
    assert_eq!(t.handoff.time, NaiveTime::from_hms_opt(9, 30, 0).unwrap());
    assert_eq!(
        t.escalation,
        [
            Escalation::Role("primary".into()),
            Escalation::Person {
                label: "manager".into(),
                person: "bob".into()
            }
        ]
    );
    assert_eq!((t.roles[0].weight, t.roles[0].min_tenure_days), (2.0, 30));
    assert_eq!((t.rules.rest_weeks, t.rules.max_shifts), (2, Some(4)));
    assert_eq!(t.fairness.absence, Absence::Excused);
    assert_eq!(t.fairness.history_weeks, 26);
    assert_eq!(t.carry[&PersonIdx(0)], -1.5);
    assert_eq!(t.carry[&PersonIdx(2)], 4.0);
    assert_eq!(t.pins.len(), 2);
    assert_eq!(
        (t.pins[0].week, t.pins[0].role, t.pins[0].person),
        (date("2027-01-13"), RoleIdx(0), PersonIdx(2))
    );
    assert_eq!(t.pins[0].origin.line, 26);
    assert_eq!(t.pins[1].week, date("2027-01-20"));
}

#[test]
fn weekday_names_are_case_insensitive_full_or_short() {
    for (text, day) in [
        ("monday", Weekday::Mon),
        ("Tuesday", Weekday::Tue),
        ("WED", Weekday::Wed),
        ("thu", Weekday::Thu),
        ("Friday", Weekday::Fri),
        ("sat", Weekday::Sat),
        ("SUNDAY", Weekday::Sun),
    ] {
        let team = team_with("\"monday\"", &format!("\"{text}\""));
        let ws = load(&[("teams/payments.toml", Some(&team))]).unwrap();
        assert_eq!(ws.teams[0].handoff.weekday, day, "{text}");
    }
}

#[test]
fn teams_are_sorted_by_id_and_other_files_ignored() {
    let ws = load(&[
        ("teams/zeta.toml", Some(TEAM)),
        ("teams/alpha.toml", Some(TEAM)),
        ("teams/README.md", Some("# teams\n")),
        ("teams/.draft.toml", Some("not toml at all [")),
        ("time-off/README.md", Some("# time off\n")),
        ("time-off/.hidden.toml", Some("[[")),
        ("time-off/notes.txt", Some("nothing")),
    ])
    .unwrap();
    let ids: Vec<&str> = ws.teams.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["alpha", "payments", "zeta"]);
}

#[test]
fn time_off_is_optional_and_may_use_toml_dates() {
    let dir = workspace(&[]);
    std::fs::remove_dir_all(dir.path().join("time-off")).unwrap();
    let ws = load_workspace(dir.path()).unwrap();
    assert!(ws.time_off.is_empty());

    let off = "[[time_off]]\nperson = \"bob\"\nstart = 2027-03-01\nend = 2027-03-01\n";
    let ws = load(&[("time-off/vacations.toml", Some(off))]).unwrap();
    assert_eq!(ws.time_off[0].start, date("2027-03-01"));
    assert_eq!(ws.time_off[0].end, date("2027-03-01"));
    assert_eq!(ws.time_off[0].reason, "");
}

#[test]
fn byte_order_mark_and_crlf_are_accepted() {
    let people = format!("\u{feff}{}", PEOPLE.replace('\n', "\r\n"));
    let team = TEAM.replace('\n', "\r\n");
    let ws = load(&[
        ("people.csv", Some(&people)),
        ("teams/payments.toml", Some(&team)),
    ])
    .unwrap();
    assert_eq!(ws.people[0].id, "alice");
    assert_eq!(ws.people[2].origin.line, 4);
}

#[test]
fn extra_hr_columns_are_ignored_and_optional_ones_may_be_left_out() {
    let people = "employee_no,id,joined,department\n17,alice,2021-03-01,Payments\n18,bob,2019-07-15,Payments\n19,carol,2022-01-10,Web\n";
    let team = team_with("skills = [\"payments\"]\n", "");
    let ws = load(&[
        ("people.csv", Some(people)),
        ("teams/payments.toml", Some(&team)),
    ])
    .unwrap();
    let alice = &ws.people[0];
    assert_eq!(alice.name, "alice", "the name defaults to the id");
    assert_eq!(alice.email, "");
    assert_eq!(alice.timezone, chrono_tz::America::Los_Angeles);
    assert!(alice.skills.is_empty());
}

#[test]
fn inputs_hash_is_deterministic_and_covers_inputs_only() {
    let a = load(&[]).unwrap().inputs_sha256;
    let b = load(&[]).unwrap().inputs_sha256;
    assert_eq!(a, b);
    assert!(a
        .bytes()
        .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));

    let with_state = load(&[
        ("oncall.db", Some("state")),
        ("oncall.db-wal", Some("wal")),
        ("README.md", Some("# notes")),
        ("teams/README.md", Some("# notes")),
    ])
    .unwrap()
    .inputs_sha256;
    assert_eq!(a, with_state, "state and notes are not inputs");

    let changed = load(&[(
        "time-off/vacations.toml",
        Some(&TIME_OFF.replace("vacation\"", "holiday\"")),
    )])
    .unwrap()
    .inputs_sha256;
    assert_ne!(a, changed);
    let renamed = load(&[
        ("time-off/vacations.toml", None),
        ("time-off/other.toml", Some(TIME_OFF)),
    ])
    .unwrap()
    .inputs_sha256;
    assert_ne!(a, renamed, "paths are part of the hash");
}

// ---------------------------------------------------------------- unknown people

#[test]
fn unknown_member_suggests_the_closest_id() {
    let team = team_with(
        r#"["alice", "bob", "carol"]"#,
        r#"["alice", "bob", "alcie"]"#,
    );
    assert_eq!(
        errors(&[("teams/payments.toml", Some(&team))]),
        [d(
            "teams/payments.toml",
            3,
            28,
            "unknown person `alcie`",
            Some("did you mean `alice`?")
        )]
    );
    let team = team_with(r#"["alice", "bob", "carol"]"#, r#"["alice", "zed"]"#);
    assert_eq!(
        errors(&[("teams/payments.toml", Some(&team))]),
        [d(
            "teams/payments.toml",
            3,
            21,
            "unknown person `zed`",
            Some("add `zed` to people.csv or fix the id")
        )]
    );
}

#[test]
fn unknown_person_in_pins_carry_and_time_off() {
    let team = format!("{TEAM}\n[carry]\nbbo = 2.0\n\n[[pins]]\nweek = \"2027-01-11\"\nrole = \"primary\"\nperson = \"carl\"\n");
    let off = TIME_OFF.replace("\"alice\"", "\"Alice\"");
    assert_eq!(
        errors(&[
            ("teams/payments.toml", Some(&team)),
            ("time-off/vacations.toml", Some(&off))
        ]),
        [
            d(
                "teams/payments.toml",
                16,
                1,
                "unknown person `bbo`",
                Some("did you mean `bob`?")
            ),
            d(
                "teams/payments.toml",
                21,
                10,
                "unknown person `carl`",
                Some("did you mean `carol`?")
            ),
            d(
                "time-off/vacations.toml",
                2,
                10,
                "unknown person `Alice`",
                Some("did you mean `alice`?")
            ),
        ]
    );
}

#[test]
fn carry_and_pins_must_name_members() {
    let people = format!("{PEOPLE}dave,Dave,dave@example.com,,,2020-01-01,,\n");
    let team = format!("{TEAM}\n[carry]\ndave = 2.0\n\n[[pins]]\nweek = \"2027-01-11\"\nrole = \"primary\"\nperson = \"dave\"\n");
    assert_eq!(
        errors(&[
            ("people.csv", Some(&people)),
            ("teams/payments.toml", Some(&team))
        ]),
        [
            d(
                "teams/payments.toml",
                16,
                1,
                "`dave` has a carry-over but is not a member",
                Some("add `dave` to `members` or remove the entry")
            ),
            d(
                "teams/payments.toml",
                21,
                10,
                "pinned person `dave` is not a member",
                Some("add `dave` to `members` or fix the pin")
            ),
        ]
    );
}

// ---------------------------------------------------------------- time zones

#[test]
fn unknown_time_zones_suggest_an_iana_name() {
    let org = ORG.replace("America/Los_Angeles", "America/Los_Angles");
    let people = PEOPLE.replace("Europe/Berlin", "Europe/Berln");
    let team = team_with(
        "holidays = \"US\"\n",
        "holidays = \"US\"\ntimezone = \"Mars/Olympus\"\n",
    );
    assert_eq!(
        errors(&[
            ("oncall.toml", Some(&org)),
            ("people.csv", Some(&people)),
            ("teams/payments.toml", Some(&team)),
        ]),
        [
            d(
                "oncall.toml",
                1,
                12,
                "unknown time zone `America/Los_Angles`",
                Some("did you mean `America/Los_Angeles`?")
            ),
            d(
                "people.csv",
                4,
                36,
                "unknown time zone `Europe/Berln`",
                Some("did you mean `Europe/Berlin`?")
            ),
            d(
                "teams/payments.toml",
                3,
                12,
                "unknown time zone `Mars/Olympus`",
                Some("use an IANA time zone name such as `Europe/Berlin` or `America/New_York`")
            ),
        ]
    );
}

// ---------------------------------------------------------------- people.csv

#[test]
fn left_must_come_after_joined() {
    let people = PEOPLE
        .replace("2019-07-15,,", "2019-07-15,2019-07-01,")
        .replace("2022-01-10,,", "2022-01-10,2022-01-10,");
    let help = Some("`left` is the first day no longer employed; it must come after `joined`");
    assert_eq!(
        errors(&[("people.csv", Some(&people))]),
        [
            d(
                "people.csv",
                3,
                46,
                "`left` 2019-07-01 is before `joined` 2019-07-15",
                help
            ),
            d(
                "people.csv",
                4,
                62,
                "`left` 2022-01-10 is the same day as `joined` 2022-01-10",
                help
            ),
        ]
    );
}

#[test]
fn duplicate_and_empty_person_ids() {
    let people = format!("{PEOPLE}bob,Robert,robert@example.com,,,2020-01-01,,\n,No Id,x@example.com,,,2020-01-01,,\n");
    assert_eq!(
        errors(&[("people.csv", Some(&people))]),
        [
            d(
                "people.csv",
                5,
                1,
                "duplicate person id `bob` (first on line 3)",
                Some("person ids must be unique; rename or remove one of the rows")
            ),
            d(
                "people.csv",
                6,
                1,
                "empty person id",
                Some("give every person a short unique id such as `alice`")
            ),
        ]
    );
}

#[test]
fn bad_dates_in_people_csv() {
    let people = PEOPLE
        .replace("2021-03-01,,", "2021-13-01,,")
        .replace("2019-07-15,,", "2019-07-15,soon,")
        .replace("2022-01-10,,", ",,");
    assert_eq!(
        errors(&[("people.csv", Some(&people))]),
        [
            d(
                "people.csv",
                2,
                60,
                "invalid date `2021-13-01` in column `joined`",
                Some("write dates as YYYY-MM-DD, e.g. 2027-01-04")
            ),
            d(
                "people.csv",
                3,
                46,
                "invalid date `soon` in column `left`",
                Some("write dates as YYYY-MM-DD, or leave `left` empty")
            ),
            d(
                "people.csv",
                4,
                51,
                "empty `joined` date for `carol`",
                Some("give the first day employed as YYYY-MM-DD")
            ),
        ]
    );
}

#[test]
fn a_person_with_a_bad_date_is_still_known_elsewhere() {
    // Only the date is reported, not also `alice` as unknown in the team and time off.
    let people = PEOPLE.replace("2021-03-01", "2021-03-32");
    let errs = errors(&[("people.csv", Some(&people))]);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!(errs[0].3, "invalid date `2021-03-32` in column `joined`");
}

#[test]
fn missing_required_columns() {
    let people = "id,name,email,timezone,region,left,skills\nalice,A,a@example.com,,,,\n";
    assert_eq!(
        errors(&[("people.csv", Some(people))]),
        [d(
            "people.csv",
            1,
            0,
            "missing required column `joined`",
            Some("add `joined` to the header; the full header is `id,name,email,timezone,region,joined,left,skills`")
        )],
        "people references are not also reported when the roster is unreadable"
    );
    let errs = errors(&[("people.csv", Some("name,email\n"))]);
    let messages: Vec<&str> = errs.iter().map(|e| e.3.as_str()).collect();
    assert_eq!(
        messages,
        [
            "missing required column `id`",
            "missing required column `joined`"
        ]
    );
}

#[test]
fn misspelt_and_duplicate_columns() {
    let people = PEOPLE
        .replacen("timezone", "timzone", 1)
        .replacen("skills", "skills,id", 1);
    let people = people
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                l.to_string()
            } else {
                format!("{l},x")
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    assert_eq!(
        errors(&[("people.csv", Some(&people))]),
        [
            d(
                "people.csv",
                1,
                15,
                "unknown column `timzone`",
                Some("did you mean `timezone`?")
            ),
            d(
                "people.csv",
                1,
                49,
                "duplicate column `id`",
                Some("keep one column of each name")
            ),
        ]
    );
}

#[test]
fn rows_with_the_wrong_number_of_fields() {
    let people = format!("{PEOPLE}dave,Dave,2020-01-01\n");
    assert_eq!(
        errors(&[("people.csv", Some(&people))]),
        [d(
            "people.csv",
            5,
            0,
            "this row has 3 field(s) but the header has 8",
            Some("give every row one field per header column; leave optional fields empty")
        )]
    );
}

// ---------------------------------------------------------------- time off

#[test]
fn end_before_start_in_time_off() {
    let off = TIME_OFF.replace("2027-02-12", "2027-02-01");
    assert_eq!(
        errors(&[("time-off/vacations.toml", Some(&off))]),
        [d(
            "time-off/vacations.toml",
            4,
            7,
            "`end` 2027-02-01 is before `start` 2027-02-08",
            Some("`end` is the last day off (inclusive); swap the dates or fix the typo")
        )]
    );
}

#[test]
fn bad_dates_in_time_off() {
    let off = "[[time_off]]\nperson = \"alice\"\nstart = \"2027-02-30\"\nend = 2027-03-01T10:00:00\n\n[[time_off]]\nperson = \"bob\"\nstart = 20270301\nend = 2027-02-30\n";
    let help = Some("write dates as YYYY-MM-DD, e.g. 2027-01-04");
    // A TOML date literal that is not a date is a syntax error, which stops that file.
    assert_eq!(
        errors(&[("time-off/vacations.toml", Some(off))]),
        [d(
            "time-off/vacations.toml",
            9,
            7,
            "invalid date, expected day between 01 and 28",
            help
        )]
    );
    let off = off.replace("2027-02-30\n", "2027-03-02\n");
    assert_eq!(
        errors(&[("time-off/vacations.toml", Some(&off))]),
        [
            d(
                "time-off/vacations.toml",
                3,
                9,
                "invalid date `2027-02-30` in `start`",
                help
            ),
            d(
                "time-off/vacations.toml",
                4,
                7,
                "`end` is a date-time `2027-03-01T10:00:00`; give a plain date",
                help
            ),
            d(
                "time-off/vacations.toml",
                8,
                9,
                "`start` must be a date, found integer",
                help
            ),
        ]
    );
}

#[test]
fn calendar_time_off_is_read_from_the_persons_file() {
    let ws = load(&[(
        "time-off/alice.ics",
        Some("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20270301\r\nDTEND;VALUE=DATE:20270303\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"),
    )])
    .unwrap();
    let alice = ws.person_by_id("alice").unwrap();
    let from_ics: Vec<_> = ws
        .time_off_of(alice)
        .filter(|t| t.origin.file.ends_with("alice.ics"))
        .map(|t| (t.start, t.end, t.origin.line))
        .collect();
    assert_eq!(from_ics, [(date("2027-03-01"), date("2027-03-02"), 2)]);
    assert_eq!(
        errors(&[(
            "time-off/alcie.ics",
            Some("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
        )]),
        [d(
            "time-off/alcie.ics",
            1,
            0,
            "unknown person `alcie` (the file name)",
            Some("did you mean `alice`? rename the file to time-off/alice.ics")
        )]
    );
}

// ---------------------------------------------------------------- teams

#[test]
fn role_needing_a_skill_no_member_has() {
    let team = team_with(
        "skills = [\"payments\"]",
        "skills = [\"paymnts\", \"kafka\"]",
    );
    assert_eq!(
        errors(&[("teams/payments.toml", Some(&team))]),
        [
            d(
                "teams/payments.toml",
                13,
                11,
                "role `secondary` requires skill `paymnts`, which no member has",
                Some("did you mean `payments`?")
            ),
            d(
                "teams/payments.toml",
                13,
                22,
                "role `secondary` requires skill `kafka`, which no member has",
                Some("add `kafka` to a member's skills in people.csv, or add a member who has it")
            ),
        ]
    );
}

#[test]
fn duplicate_role_and_duplicate_member() {
    let team = team_with("\"carol\"]", "\"carol\", \"bob\"]")
        .replace("name = \"secondary\"", "name = \"primary\"");
    assert_eq!(
        errors(&[("teams/payments.toml", Some(&team))]),
        [
            d(
                "teams/payments.toml",
                3,
                37,
                "`bob` is listed twice in `members`",
                Some("remove the duplicate")
            ),
            d(
                "teams/payments.toml",
                10,
                8,
                "duplicate role `primary`",
                Some("role names must be unique within a team; rename or remove one")
            ),
        ]
    );
}

#[test]
fn bad_handoff_weekday_and_time() {
    let team = team_with(
        r#"{ weekday = "monday", time = "10:00" }"#,
        r#"{ weekday = "mondy", time = "25:00" }"#,
    );
    assert_eq!(
        errors(&[("teams/payments.toml", Some(&team))]),
        [
            d(
                "teams/payments.toml",
                4,
                23,
                "unknown handoff weekday `mondy`",
                Some("did you mean `monday`?")
            ),
            d(
                "teams/payments.toml",
                4,
                39,
                "invalid handoff time `25:00`",
                Some("write the time as \"HH:MM\" on a 24-hour clock, e.g. \"10:00\"")
            ),
        ]
    );
    let team = team_with(
        r#"{ weekday = "monday", time = "10:00" }"#,
        r#"{ weekday = "someday", time = "10am" }"#,
    );
    assert_eq!(
        errors(&[("teams/payments.toml", Some(&team))]),
        [
            d(
                "teams/payments.toml",
                4,
                23,
                "unknown handoff weekday `someday`",
                Some("use a weekday name such as \"monday\" or \"mon\"")
            ),
            d(
                "teams/payments.toml",
                4,
                41,
                "invalid handoff time `10am`",
                Some("write the time as \"HH:MM\" on a 24-hour clock, e.g. \"10:00\"")
            ),
        ]
    );
}

#[test]
fn negative_weights_and_counts() {
    let org = format!("{ORG}\n[load]\nweekend = -1.5\n");
    let team = team_with("weight = 0.5", "weight = -0.5")
        .replace("min_tenure_days = 180", "min_tenure_days = -180")
        + "\n[rules]\nrest_weeks = -1\n";
    assert_eq!(
        errors(&[
            ("oncall.toml", Some(&org)),
            ("teams/payments.toml", Some(&team))
        ]),
        [
            d(
                "oncall.toml",
                7,
                11,
                "load weight `weekend` must be from 0 to 1000000, got -1.5",
                Some("a load weight multiplies on-call hours; use e.g. 1.0 or 1.5")
            ),
            d(
                "teams/payments.toml",
                11,
                10,
                "weight of role `secondary` must be from 0 to 1000000, got -0.5",
                Some("a role weight multiplies the load of its shifts; use e.g. 0.5")
            ),
            d(
                "teams/payments.toml",
                12,
                19,
                "`min_tenure_days` of role `secondary` must be from 0 to 36525, got -180",
                Some("give the days of tenure needed; use 0 for no requirement")
            ),
            d(
                "teams/payments.toml",
                16,
                14,
                "`rules.rest_weeks` must be from 0 to 5200, got -1",
                Some("use a whole number from 0 to 5200")
            ),
        ]
    );
}

#[test]
fn a_yearly_cap_of_zero_or_past_a_year_of_weeks_is_refused_with_the_line() {
    let team = format!("{TEAM}\n[rules]\nmax_weeks_per_year = 0\nmax_weeks_per_year_all = 54\n");
    let line = |key: &str| team.lines().position(|l| l.starts_with(key)).unwrap() + 1;
    assert_eq!(
        errors(&[("teams/payments.toml", Some(&team))]),
        [
            d(
                "teams/payments.toml",
                line("max_weeks_per_year ="),
                22,
                "`rules.max_weeks_per_year` must be from 1 to 53, got 0",
                Some("use a whole number of weeks from 1 to 53, or leave `rules.max_weeks_per_year` out for no cap")
            ),
            d(
                "teams/payments.toml",
                line("max_weeks_per_year_all ="),
                26,
                "`rules.max_weeks_per_year_all` must be from 1 to 53, got 54",
                Some("use a whole number of weeks from 1 to 53, or leave `rules.max_weeks_per_year_all` out for no cap")
            ),
        ]
    );
    let fine = format!("{TEAM}\n[rules]\nmax_weeks_per_year = 2\nmax_weeks_per_year_all = 53\n");
    let ws = load(&[("teams/payments.toml", Some(&fine))]).unwrap();
    assert_eq!(ws.teams[0].rules.max_weeks_per_year, Some(2));
    assert_eq!(ws.teams[0].rules.max_weeks_per_year_all, Some(53));
}

#[test]
fn pins_need_a_known_role_and_a_handoff_day() {
    let team = format!(
        "{TEAM}\n[[pins]]\nweek = \"2027-01-12\"\nrole = \"primray\"\nperson = \"bob\"\n\n[[pins]]\nweek = \"2027-01-18\"\nrole = \"oncall\"\nperson = \"bob\"\n"
    );
    assert_eq!(
        errors(&[("teams/payments.toml", Some(&team))]),
        [
            d(
                "teams/payments.toml",
                                16,
                8,
                "pin week 2027-01-12 is a tuesday, but the team hands off on mondays",
                Some("a pin's `week` is the date of the week's first handoff; did you mean 2027-01-11?")
            ),
            d(
                "teams/payments.toml",
                                17,
                8,
                "unknown role `primray` in pin",
                Some("did you mean `primary`?")
            ),
            d(
                "teams/payments.toml",
                                22,
                8,
                "unknown role `oncall` in pin",
                Some("the team's roles are `primary`, `secondary`")
            ),
        ]
    );
}

#[test]
fn conflicting_pins() {
    let pin = |week: &str, role: &str, person: &str| {
        format!("\n[[pins]]\nweek = \"{week}\"\nrole = \"{role}\"\nperson = \"{person}\"\n")
    };
    let team = format!(
        "{TEAM}{}{}{}",
        pin("2027-01-11", "primary", "bob"),
        pin("2027-01-11", "primary", "alice"),
        pin("2027-01-11", "secondary", "bob"),
    );
    assert_eq!(
        errors(&[("teams/payments.toml", Some(&team))]),
        [
            d(
                "teams/payments.toml",
                21,
                8,
                "two pins for role `primary` in the week of 2027-01-11",
                Some("keep one pin per slot")
            ),
            d(
                "teams/payments.toml",
                28,
                10,
                "`bob` is pinned to two roles in the week of 2027-01-11",
                Some("a person holds at most one role per week; remove one of the pins")
            ),
        ]
    );
}

#[test]
fn unknown_holiday_region() {
    let team = team_with("holidays = \"US\"", "holidays = \"UK\"");
    assert_eq!(
        errors(&[("teams/payments.toml", Some(&team))]),
        [d(
            "teams/payments.toml",
            2,
            12,
            "unknown holiday region `UK`",
            Some("add a [holidays.UK] table to oncall.toml, or use a known region: `US`")
        )]
    );
    let team = team_with("holidays = \"US\"", "holidays = \"us\"");
    assert_eq!(
        errors(&[("teams/payments.toml", Some(&team))]),
        [d(
            "teams/payments.toml",
            2,
            12,
            "unknown holiday region `us`",
            Some("did you mean `US`?")
        )]
    );
}

#[test]
fn team_without_members_or_roles() {
    let team = "handoff = { weekday = \"monday\", time = \"10:00\" }\n";
    assert_eq!(
        errors(&[("teams/payments.toml", Some(team))]),
        [
            d(
                "teams/payments.toml",
                1,
                1,
                "the team has no members",
                Some("add `members = [\"alice\", \"bob\"]` with ids from people.csv")
            ),
            d(
                "teams/payments.toml",
                1,
                1,
                "the team has no roles",
                Some("add a [[roles]] table with at least `name = \"primary\"`")
            ),
        ]
    );
}

#[test]
fn unknown_fields_suggest_the_known_one() {
    let team = team_with("min_tenure_days", "min_tenure");
    assert_eq!(
        errors(&[("teams/payments.toml", Some(&team))]),
        [d(
            "teams/payments.toml",
            12,
            1,
            "unknown field `min_tenure`",
            Some("did you mean `min_tenure_days`?")
        )]
    );
    let off = TIME_OFF.replace("end =", "ends =");
    assert_eq!(
        errors(&[("time-off/vacations.toml", Some(&off))]),
        [d(
            "time-off/vacations.toml",
            4,
            1,
            "unknown field `ends`",
            Some("did you mean `end`?")
        )]
    );
    let org = format!("{ORG}\n[lod]\nweekday = 1.0\n");
    assert_eq!(
        errors(&[("oncall.toml", Some(&org))]),
        [d(
            "oncall.toml",
            6,
            2,
            "unknown field `lod`",
            Some("did you mean `load`?")
        )]
    );
    let team = format!("{TEAM}\n[extra]\n");
    assert_eq!(
        errors(&[("teams/payments.toml", Some(&team))]),
        [d(
            "teams/payments.toml",
            15,
            2,
            "unknown field `extra`",
            Some("remove `extra`; the known fields here are `name`, `timezone`, `holidays`, `members`, `handoff`, `escalation`, `runbook`, `allow_overlap`, `roles`, `rules`, `fairness`, `carry`, `pins`, `pagerduty`")
        )]
    );
}

#[test]
fn missing_fields_and_wrong_types() {
    assert_eq!(
        errors(&[("oncall.toml", Some("[load]\nweekday = 1.0\n"))]),
        [d(
            "oncall.toml",
            1,
            1,
            "missing field `timezone`",
            Some("add `timezone = \"America/Los_Angeles\"`")
        )]
    );
    let team = team_with("weight = 0.5", "weight = \"half\"");
    assert_eq!(
        errors(&[("teams/payments.toml", Some(&team))]),
        [d(
            "teams/payments.toml",
            11,
            10,
            "invalid type: string \"half\", expected a number",
            None
        )]
    );
}

#[test]
fn non_finite_and_huge_numbers_are_refused() {
    let team = team_with("weight = 0.5", "weight = nan")
        + "\n[rules]\nmax_shifts = 99999999999\n\n[carry]\nbob = inf\n";
    assert_eq!(
        errors(&[("teams/payments.toml", Some(&team))]),
        [
            d(
                "teams/payments.toml",
                11,
                10,
                "weight of role `secondary` must be from 0 to 1000000, got NaN",
                Some("a role weight multiplies the load of its shifts; use e.g. 0.5")
            ),
            d(
                "teams/payments.toml",
                16,
                14,
                "`rules.max_shifts` must be from 0 to 5200, got 99999999999",
                Some("use a whole number from 0 to 5200")
            ),
            d(
                "teams/payments.toml",
                19,
                7,
                "carry-over of `bob` must be from -1000000 to 1000000, got inf",
                Some("give the load units carried over, e.g. 4.0")
            ),
        ]
    );
}

#[test]
fn deeply_nested_toml_is_an_error_not_a_crash() {
    let deep = format!("x = {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
    let errs = errors(&[("teams/payments.toml", Some(&deep))]);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!(errs[0].0, "teams/payments.toml");
}

// ---------------------------------------------------------------- files

#[test]
fn missing_files_say_what_to_create() {
    let dir = tempfile::tempdir().unwrap();
    let errs: Vec<D> = load_workspace(dir.path())
        .unwrap_err()
        .diagnostics
        .iter()
        .map(tuple)
        .collect();
    assert_eq!(
        errs,
        [
            d(
                "oncall.toml",
                0,
                0,
                "missing file `oncall.toml`",
                Some("create oncall.toml with at least `timezone = \"America/Los_Angeles\"` (or run `oncall init DIR` for an example workspace)")
            ),
            d(
                "people.csv",
                0,
                0,
                "missing file `people.csv`",
                Some("create people.csv with the header `id,name,email,timezone,region,joined,left,skills` and one row per person")
            ),
            d(
                "teams",
                0,
                0,
                "no team files in `teams/`",
                Some("create teams/<team>.toml, one file per rotation (or run `oncall init DIR` for an example workspace)")
            ),
        ]
    );

    let missing = dir.path().join("nope");
    let err = load_workspace(&missing).unwrap_err();
    assert_eq!(err.diagnostics.len(), 1);
    assert_eq!(
        err.diagnostics[0].message,
        format!("workspace directory `{}` does not exist", missing.display())
    );
}

#[test]
fn non_utf8_files_are_diagnosed() {
    let dir = workspace(&[]);
    write(
        dir.path(),
        "people.csv",
        b"id,joined\nal\xffice,2020-01-01\n",
    );
    write(
        dir.path(),
        "teams/payments.toml",
        b"name = \"Pa\xc3\x28\"\n",
    );
    let errs: Vec<D> = load_workspace(dir.path())
        .unwrap_err()
        .diagnostics
        .iter()
        .map(tuple)
        .collect();
    assert_eq!(
        errs,
        [
            d(
                "people.csv",
                2,
                3,
                "the file is not valid UTF-8",
                Some("save it as UTF-8 text")
            ),
            d(
                "teams/payments.toml",
                1,
                11,
                "the file is not valid UTF-8",
                Some("save it as UTF-8 text")
            ),
        ]
    );
}

#[test]
fn diagnostics_from_many_files_are_collected_and_sorted() {
    let team = team_with(
        r#"["alice", "bob", "carol"]"#,
        r#"["alcie", "bob", "carol"]"#,
    )
    .replace("\"10:00\"", "\"10\"");
    let people = PEOPLE.replace("Europe/Berlin", "Europe/Berln");
    let off = TIME_OFF.replace("2027-02-12", "2027-02-01");
    let errs = errors(&[
        ("time-off/vacations.toml", Some(&off)),
        ("teams/payments.toml", Some(&team)),
        ("people.csv", Some(&people)),
        ("time-off/b.ics", Some("")),
    ]);
    let located: Vec<(String, usize)> = errs.iter().map(|e| (e.0.clone(), e.1)).collect();
    assert_eq!(
        located,
        [
            ("people.csv".to_string(), 4),
            ("teams/payments.toml".to_string(), 3),
            ("teams/payments.toml".to_string(), 4),
            ("time-off/b.ics".to_string(), 1),
            ("time-off/vacations.toml".to_string(), 4),
        ]
    );
}

// ---------------------------------------------------------------- rendering

#[test]
fn diagnostics_render_with_location_and_help() {
    let team = team_with(
        r#"["alice", "bob", "carol"]"#,
        r#"["alice", "bob", "alcie"]"#,
    );
    let err = load(&[("teams/payments.toml", Some(&team))]).unwrap_err();
    assert_eq!(
        err.diagnostics[0].to_string(),
        "error: unknown person `alcie`\n  --> teams/payments.toml:3:28\n  help: did you mean `alice`?"
    );
    assert_eq!(
        err.to_string(),
        "error: unknown person `alcie`\n  --> teams/payments.toml:3:28\n  help: did you mean `alice`?\n\n1 error in the workspace"
    );
    let two = LoadError {
        diagnostics: vec![
            Diagnostic::new("people.csv", 4, 0, "a"),
            Diagnostic::new("teams", 0, 0, "b").help("c"),
        ],
    };
    assert_eq!(
        two.to_string(),
        "error: a\n  --> people.csv:4\n\nerror: b\n  --> teams\n  help: c\n\n2 errors in the workspace"
    );
}

// ---------------------------------------------------------------- examples

#[test]
fn every_example_workspace_loads() {
    let mut seen = Vec::new();
    for entry in std::fs::read_dir(data_dir()).unwrap() {
        let path = entry.unwrap().path();
        if !path.is_dir() {
            continue;
        }
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        match load_workspace(&path) {
            Ok(ws) => assert!(!ws.teams.is_empty(), "{name}"),
            Err(e) => panic!("data/{name} does not load:\n{e}"),
        }
        assert!(
            path.join("README.md").is_file(),
            "data/{name} has no README.md"
        );
        seen.push(name);
    }
    seen.sort();
    for name in ["dst", "growing-team", "infeasible", "quickstart"] {
        assert!(seen.iter().any(|s| s == name), "data/{name} is missing");
    }
}

#[test]
fn quickstart_has_what_it_promises() {
    let ws = load_workspace(&data_dir().join("quickstart")).unwrap();
    assert_eq!(ws.people.len(), 15);
    let t = &ws.teams[0];
    assert_eq!(t.id, "payments");
    assert_eq!(ws.teams[1].id, "sre");
    let chain: Vec<String> = t.escalation.iter().map(ToString::to_string).collect();
    assert_eq!(
        chain,
        [
            "sre.primary",
            "primary",
            "secondary",
            "manager:grace",
            "director:dora"
        ]
    );
    assert_eq!(t.timezone, chrono_tz::America::Los_Angeles);
    assert_eq!(t.rules.rest_weeks, 1);
    assert_eq!(t.pins.len(), 1);
    assert_eq!(t.carry.len(), 1);
    assert!(!t.escalation.is_empty());
    // Enough experts for the secondary role from the first week of 2027Q1.
    let secondary = &t.roles[t.role_by_name("secondary").unwrap().0];
    let first = date("2027-01-04");
    let experts = t
        .members
        .iter()
        .map(|&p| ws.person(p))
        .filter(|p| {
            p.skills.contains("payments")
                && (first - p.joined).num_days() >= secondary.min_tenure_days
        })
        .count();
    assert!(experts >= 5, "{experts} experts");
}

#[test]
fn dst_example_blocks_the_weeks_its_readme_says() {
    use oncall::plan::eligibility::time_off;
    use oncall::plan::horizon::weeks_from;

    let ws = load_workspace(&data_dir().join("dst")).unwrap();
    let team = &ws.teams[0];
    let blocked = |id: &str, first: &str, count: u32| -> Vec<String> {
        let p = ws.person_by_id(id).unwrap();
        weeks_from(team, date(first), count)
            .unwrap()
            .iter()
            .filter(|w| !time_off(&ws, p, w).is_empty())
            .map(|w| w.first_day.to_string())
            .collect()
    };
    assert_eq!(blocked("clara", "2027-03-01", 6), ["2027-03-15"]);
    assert_eq!(
        blocked("gus", "2027-03-01", 6),
        ["2027-03-15", "2027-03-22", "2027-04-05"]
    );
    assert_eq!(
        blocked("david", "2027-10-18", 3),
        ["2027-10-25", "2027-11-01"]
    );
    let hours: Vec<f64> = weeks_from(team, date("2027-03-22"), 1)
        .unwrap()
        .iter()
        .chain(weeks_from(team, date("2027-10-25"), 1).unwrap().iter())
        .map(|w| w.hours())
        .collect();
    assert_eq!(hours, [167.0, 169.0]);
}

#[test]
fn growing_team_passes_tenure_bars_as_its_readme_says() {
    use oncall::plan::eligibility::standing;
    use oncall::plan::horizon::weeks_from;

    let ws = load_workspace(&data_dir().join("growing-team")).unwrap();
    let team = &ws.teams[0];
    let weeks = weeks_from(team, date("2027-01-06"), 13).unwrap();
    // The first week each person may take a role, or "-" for none this quarter.
    let first = |id: &str, role: &str| -> String {
        let p = ws.person_by_id(id).unwrap();
        let r = &team.roles[team.role_by_name(role).unwrap().0];
        weeks
            .iter()
            .find(|w| standing(&ws, p, r, w).is_empty())
            .map_or("-".to_string(), |w| w.first_day.to_string())
    };
    assert_eq!(first("quinn", "primary"), "2027-01-20");
    assert_eq!(first("quinn", "secondary"), "-");
    assert_eq!(first("rosa", "primary"), "2027-01-27");
    assert_eq!(first("sam", "primary"), "2027-02-17");
    assert_eq!(first("vic", "primary"), "2027-01-06");
    assert_eq!(first("vic", "secondary"), "2027-02-17");
    let olga = ws.person_by_id("olga").unwrap();
    let primary = &team.roles[0];
    let last = weeks
        .iter()
        .rfind(|w| standing(&ws, olga, primary, w).is_empty())
        .unwrap();
    assert_eq!(last.first_day, date("2027-02-03"));
}

#[test]
fn init_writes_a_workspace_that_loads_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("new");
    let written = oncall::input::example::write_example(&target).unwrap();
    assert!(written.iter().any(|p| p.ends_with("teams/payments.toml")));
    let ws = load_workspace(&target).unwrap();
    let example = load_workspace(&data_dir().join("quickstart")).unwrap();
    assert_eq!(
        ws.inputs_sha256, example.inputs_sha256,
        "init writes data/quickstart"
    );

    std::fs::write(target.join("people.csv"), "id,joined\n").unwrap();
    let err = oncall::input::example::write_example(&target).unwrap_err();
    assert!(
        matches!(&err, oncall::input::example::InitError::Exists(p) if p.ends_with("oncall.toml"))
    );
    assert!(err.to_string().contains("already exists"));
    assert_eq!(
        std::fs::read_to_string(target.join("people.csv")).unwrap(),
        "id,joined\n",
        "nothing is overwritten"
    );
}

// ---------------------------------------------------------------- robustness

/// Some text, often a mangled copy of a valid file.
fn contents(valid: &'static str) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..300),
        any::<String>().prop_map(String::into_bytes),
        (
            0..=valid.len(),
            0..=valid.len(),
            "[\\[\\]{}=\",;:.\\-\\n #a-z0-9\u{e9}\u{feff}]{0,12}"
        )
            .prop_map(move |(a, b, insert)| {
                let (a, b) = (a.min(b), a.max(b));
                let mut out = valid.as_bytes()[..a].to_vec();
                out.extend_from_slice(insert.as_bytes());
                out.extend_from_slice(&valid.as_bytes()[b..]);
                out
            }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_input_never_panics(
        (which, bytes) in (0usize..4).prop_flat_map(|i| (Just(i), contents(BASE[i].1)))
    ) {
        let dir = workspace(&[]);
        let (rel, _) = BASE[which];
        write(dir.path(), rel, &bytes);
        match load_workspace(dir.path()) {
            Ok(ws) => prop_assert_eq!(ws.inputs_sha256.len(), 64),
            Err(e) => {
                prop_assert!(!e.diagnostics.is_empty());
                for d in &e.diagnostics {
                    prop_assert!(!d.message.is_empty());
                    prop_assert!(d.file.is_relative(), "{:?}", d.file);
                }
                let mut sorted = e.diagnostics.clone();
                sorted.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
                prop_assert_eq!(sorted, e.diagnostics.clone());
            }
        }
    }

    #[test]
    fn arbitrary_files_everywhere_never_panic(
        org in contents(ORG),
        people in contents(PEOPLE),
        team in contents(TEAM),
        off in contents(TIME_OFF),
    ) {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "oncall.toml", &org);
        write(dir.path(), "people.csv", &people);
        write(dir.path(), "teams/payments.toml", &team);
        write(dir.path(), "time-off/vacations.toml", &off);
        let _ = load_workspace(dir.path());
    }
}

/// Every kind of bad escalation step is a load error at its line, with the
/// nearest name suggested; another team's steps are checked once every
/// team is read.
#[test]
fn every_bad_escalation_step_is_named_with_a_suggestion() {
    let payments = TEAM.replace(
        "handoff = ",
        "escalation = [\"primray\", \"director:zed\", \":bob\", \"opps.primary\", \"ops.primray\", \"ops.primary\", \"manager:bob\"]\nhandoff = ",
    );
    let ops = "members = [\"carol\"]\nhandoff = { weekday = \"monday\", time = \"09:00\" }\n\n[[roles]]\nname = \"primary\"\n";
    let got = errors(&[
        ("teams/payments.toml", Some(&payments)),
        ("teams/ops.toml", Some(ops)),
    ]);
    let file = "teams/payments.toml";
    assert_eq!(
        got,
        [
            d(
                file,
                4,
                15,
                "escalation step `primray` is not a role of this team",
                Some("did you mean `primary`?")
            ),
            d(
                file,
                4,
                26,
                "escalation step `director:zed` names `zed`, who is not in people.csv",
                Some("add them to people.csv, or name someone who is")
            ),
            d(
                file,
                4,
                42,
                "escalation step `:bob` has no label before `:`",
                Some("write it as `manager:grace`")
            ),
            d(
                file,
                4,
                50,
                "escalation step `opps.primary` names team `opps`, which has no file in teams/",
                Some("did you mean `ops`?")
            ),
            d(
                file,
                4,
                66,
                "escalation step `ops.primray`: team `ops` has no role `primray`",
                Some("did you mean `primary`?")
            ),
        ]
    );
    let fixed = TEAM.replace(
        "handoff = ",
        "escalation = [\"ops.primary\", \"primary\", \"manager:bob\"]\nhandoff = ",
    );
    let ws = load(&[
        ("teams/payments.toml", Some(&fixed)),
        ("teams/ops.toml", Some(ops)),
    ])
    .unwrap();
    let t = &ws.teams[ws.team_by_id("payments").unwrap().0];
    assert_eq!(
        t.escalation,
        [
            Escalation::TeamRole {
                team: "ops".into(),
                role: "primary".into()
            },
            Escalation::Role("primary".into()),
            Escalation::Person {
                label: "manager".into(),
                person: "bob".into()
            },
        ]
    );
}

/// A runbook is an http(s) address, for the team or one role; anything
/// else is a load error at its line.
#[test]
fn runbooks_must_be_web_addresses() {
    let team = TEAM
        .replace("handoff = ", "runbook = \"wiki/payments\"\nhandoff = ")
        .replace(
            "name = \"primary\"\n",
            "name = \"primary\"\nrunbook = \"javascript:alert(1)\"\n",
        );
    let file = "teams/payments.toml";
    assert_eq!(
        errors(&[("teams/payments.toml", Some(&team))]),
        [
            d(file, 4, 11, "runbook `wiki/payments` is not an http(s) URL", Some("write the whole address, e.g. `runbook = \"https://wiki.example.com/runbooks/payments\"`")),
            d(file, 9, 11, "runbook `javascript:alert(1)` is not an http(s) URL", Some("write the whole address, e.g. `runbook = \"https://wiki.example.com/runbooks/payments\"`")),
        ]
    );
    let good = TEAM
        .replace(
            "handoff = ",
            "runbook = \"https://wiki.example.com/pay\"\nhandoff = ",
        )
        .replace(
            "weight = 0.5\n",
            "weight = 0.5\nrunbook = \"https://wiki.example.com/pay/expert\"\n",
        );
    let ws = load(&[("teams/payments.toml", Some(&good))]).unwrap();
    let t = &ws.teams[0];
    assert_eq!(
        t.runbook_for("primary"),
        Some("https://wiki.example.com/pay")
    );
    assert_eq!(
        t.runbook_for("secondary"),
        Some("https://wiki.example.com/pay/expert")
    );
}

/// `phone` and `chat` are optional columns of people.csv; a misspelt one is
/// named rather than silently dropped.
#[test]
fn contacts_are_read_when_given() {
    let people = "id,name,email,timezone,region,joined,left,skills,phone,chat\n\
        alice,Alice,alice@example.com,,US,2021-03-01,,payments,+1 555 0100, @alice \n\
        bob,Bob,bob@example.com,,US,2019-07-15,,payments,,\n\
        carol,Carol,carol@example.com,,,2022-01-10,,,,\n";
    let ws = load(&[("people.csv", Some(people))]).unwrap();
    let c = |id: &str| ws.person(ws.person_by_id(id).unwrap()).contacts.clone();
    assert_eq!(c("alice").phone.as_deref(), Some("+1 555 0100"));
    assert_eq!(c("alice").chat.as_deref(), Some("@alice"));
    assert_eq!(c("bob"), Contacts::default());
    let misspelt = people.replacen("phone", "phnoe", 1);
    let got = errors(&[("people.csv", Some(&misspelt))]);
    assert_eq!(
        got,
        [d(
            "people.csv",
            1,
            50,
            "unknown column `phnoe`",
            Some("did you mean `phone`?")
        )]
    );
}

#[test]
fn notify_webhooks_are_read_and_their_mistakes_named_by_line() {
    let good = "\n[[notify.webhook]]\nurl = \"https://hooks.example.com/x\"\n\
                format = \"slack\"\nsecret_env = \"HOOK_SECRET\"\nteam = \"payments\"\n\n\
                [[notify.webhook]]\nurl = \"http://127.0.0.1:9/y\"\n";
    let ws = load(&[("oncall.toml", Some(&format!("{ORG}{good}")))]).unwrap();
    let hooks = &ws.org.notify.webhooks;
    assert_eq!(hooks.len(), 2);
    assert_eq!(hooks[0].format, oncall::model::notify::WebhookFormat::Slack);
    assert_eq!(hooks[0].secret_env.as_deref(), Some("HOOK_SECRET"));
    assert!(hooks[0].wants("payments") && !hooks[0].wants("search"));
    assert!(hooks[1].wants("search") && hooks[1].secret_env.is_none());

    let bad = "\n[[notify.webhook]]\nurl = \"ftp://x\"\n\
               format = \"slak\"\nsecret_env = \"my secret\"\n";
    let found = errors(&[("oncall.toml", Some(&format!("{ORG}{bad}")))]);
    let at = ORG.lines().count() + 1;
    let lines: Vec<(usize, &str)> = found.iter().map(|e| (e.1 - at, e.3.as_str())).collect();
    assert_eq!(
        lines,
        [
            (2, "webhook `url` `ftp://x` is not an http(s) URL"),
            (3, "unknown webhook `format` `slak`"),
            (
                4,
                "`secret_env` `my secret` is not the name of an environment variable"
            ),
        ]
    );
    assert!(found.iter().all(|e| e.0 == "oncall.toml" && e.4.is_some()));
    assert_eq!(found[1].4.as_deref(), Some("did you mean `slack`?"));
}

#[test]
fn notify_email_is_read_and_its_mistakes_named_by_line() {
    let good = "\n[notify]\nremind_before = \"90m\"\n\n[notify.email]\nsmtp = \"smtp.example.com:587\"\nfrom = \"On-call <oncall@example.com>\"\n\
                username_env = \"SMTP_USER\"\npassword_env = \"SMTP_PASSWORD\"\n";
    let ws = load(&[("oncall.toml", Some(&format!("{ORG}{good}")))]).unwrap();
    assert_eq!(
        ws.org.notify.remind_before,
        Some(chrono::Duration::minutes(90))
    );
    let email = ws.org.notify.email.unwrap();
    assert_eq!((email.host.as_str(), email.port), ("smtp.example.com", 587));
    assert_eq!(email.tls, oncall::model::notify::SmtpTls::Required);
    assert_eq!(
        email.login_env,
        Some(("SMTP_USER".to_string(), "SMTP_PASSWORD".to_string()))
    );

    let bad = "\n[notify.email]\nsmtp = \"smtp.example.com\"\nfrom = \"nobody\"\n\
               username_env = \"SMTP_USER\"\ntls = \"maybe\"\n";
    let found = errors(&[("oncall.toml", Some(&format!("{ORG}{bad}")))]);
    let at = ORG.lines().count() + 1;
    let lines: Vec<(usize, &str)> = found.iter().map(|e| (e.1 - at, e.3.as_str())).collect();
    assert_eq!(
        lines,
        [
            (2, "`smtp` `smtp.example.com` is not a host and port"),
            (3, "`from` `nobody` is not an e-mail address"),
            (4, "give both `username_env` and `password_env`, or neither"),
            (5, "unknown `tls` `maybe`"),
        ]
    );
}
