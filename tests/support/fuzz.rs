//! Structure-aware input generation for property tests: valid workspace
//! files built from generated values, then mutated the way edits go wrong
//! (a value of the wrong type, huge and tiny numbers, odd unicode, a cut-off
//! file, a repeated line and so a repeated key).

use std::path::Path;

use proptest::prelude::*;

/// Case budget for the fuzz properties: a run of every one stays well under
/// a minute; `PROPTEST_CASES` raises it for a longer run.
pub(crate) fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(default)
}

/// An id: usually valid, sometimes one that must be refused.
pub(crate) fn id() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-z][a-z0-9_-]{0,6}",
        1 => prop_oneof![
            Just("x/../../ESCAPED".to_string()),
            Just("emea/1234".to_string()),
            Just("a\u{7}b".to_string()),
            Just("Alice".to_string()),
            Just("a.b".to_string()),
            Just("..".to_string()),
            Just("a\\b".to_string()),
            Just("é".to_string()),
            Just("\u{202e}evil".to_string()),
            Just("a".repeat(65)),
            Just(String::new()),
        ],
    ]
}

/// A number as TOML text: ordinary, huge, tiny, negative, not finite, or of
/// another type.
pub(crate) fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => (0u32..40).prop_map(|n| format!("{}.{}", n / 4, n % 4 * 25)),
        2 => prop_oneof![
            Just("0"), Just("-1"), Just("1e308"), Just("-1e308"), Just("nan"),
            Just("inf"), Just("-inf"), Just("5e-324"), Just("1e-30"),
            Just("9223372036854775807"), Just("-9223372036854775808"),
            Just("79228162514264337593543950335"),
            Just("\"79228162514264337593543950335\""), Just("\"1e308\""),
            Just("\"-0.5\""), Just("\"0.0000000000000000000000000001\""),
            Just("\"12\""), Just("true"), Just("[]"), Just("{}"),
            Just("1979-05-27T07:32:00Z"), Just("\"\""),
        ]
        .prop_map(str::to_string),
        1 => any::<f64>().prop_map(|f| format!("{f:?}")),
        1 => any::<i64>().prop_map(|i| i.to_string()),
    ]
}

/// A date as TOML text (a string or a bare date), sometimes not a date.
pub(crate) fn date() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (1u32..=12, 1u32..=28).prop_map(|(m, d)| format!("\"2027-{m:02}-{d:02}\"")),
        1 => prop_oneof![
            Just("2027-02-08"), Just("\"2027-02-30\""), Just("\"+275760-09-13\""),
            Just("\"9999-12-31\""), Just("\"0000-01-01\""), Just("\"2027-1-4\""),
            Just("42"), Just("\"\""), Just("2027-02-08T10:00:00Z"),
        ]
        .prop_map(str::to_string),
    ]
}

/// Free text: plain, or odd unicode (bidi controls, BOM, NUL, astral,
/// combining marks), never containing a quote or a line break.
pub(crate) fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[a-zA-Z ]{0,10}",
        1 => prop_oneof![
            Just("\u{feff}"), Just("\u{202e}x"), Just("\u{0}"), Just("𝕏𝕐"),
            Just("e\u{301}\u{301}\u{301}"), Just("\u{fffd}"), Just("日本語"),
        ]
        .prop_map(str::to_string),
    ]
}

/// How a valid file is spoilt.
#[derive(Clone, Debug)]
pub(crate) enum Mutation {
    /// Left as written.
    None,
    /// Cut off after this share (per mille) of its bytes.
    Truncate(u16),
    /// A line written twice (in TOML, a repeated key or table).
    Duplicate(usize),
    /// The value after the first `=` of a line replaced.
    Retype(usize, String),
    /// Text inserted at the start of a line.
    Insert(usize, String),
}

/// A mutation; lines are picked modulo the file's line count.
pub(crate) fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        2 => Just(Mutation::None),
        1 => (0u16..1000).prop_map(Mutation::Truncate),
        1 => any::<usize>().prop_map(Mutation::Duplicate),
        2 => (any::<usize>(), number()).prop_map(|(l, v)| Mutation::Retype(l, v)),
        1 => (any::<usize>(), text()).prop_map(|(l, t)| Mutation::Insert(l, t)),
    ]
}

/// `text` spoilt by `m`.
pub(crate) fn mutate(text: &str, m: &Mutation) -> Vec<u8> {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let n = lines.len().max(1);
    match m {
        Mutation::None => {}
        Mutation::Truncate(per_mille) => {
            let cut = text.len() * usize::from(*per_mille) / 1000;
            return text.as_bytes()[..cut].to_vec();
        }
        Mutation::Duplicate(i) => {
            if let Some(l) = lines.get(i % n).cloned() {
                lines.insert(i % n, l);
            }
        }
        Mutation::Retype(i, v) => {
            if let Some(l) = lines.get_mut(i % n) {
                if let Some((key, _)) = l.split_once('=') {
                    *l = format!("{key}= {v}");
                } else if let Some((key, _)) = l.split_once("\": ") {
                    *l = format!("{key}\": {v}");
                }
            }
        }
        Mutation::Insert(i, t) => {
            if let Some(l) = lines.get_mut(i % n) {
                l.insert_str(0, t);
            }
        }
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out.into_bytes()
}

/// Writes `bytes` to `root/rel`, creating directories.
pub(crate) fn put(root: &Path, rel: &str, bytes: &[u8]) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

/// The base workspace's files, all valid.
pub(crate) const ORG: &str =
    "timezone = \"America/Los_Angeles\"\n\n[holidays.US]\n\"2027-01-01\" = \"New Year's Day\"\n";
pub(crate) const PEOPLE: &str = "id,name,email,timezone,region,joined,left,skills\n\
alice,Alice,alice@example.com,America/Los_Angeles,US,2021-03-01,,payments\n\
bob,Bob,bob@example.com,,US,2019-07-15,,payments\n\
carol,Carol,carol@example.com,Europe/Berlin,,2022-01-10,,\n";
pub(crate) const TEAM: &str = "holidays = \"US\"\nmembers = [\"alice\", \"bob\", \"carol\"]\nhandoff = { weekday = \"monday\", time = \"10:00\" }\n\n[[roles]]\nname = \"primary\"\n";

/// A valid `oncall.toml` from generated values.
pub(crate) fn org_toml() -> impl Strategy<Value = String> {
    (
        prop_oneof![Just("America/Los_Angeles".to_string()), text()],
        [number(), number(), number()],
        (id(), date(), text()),
        [number(), number(), number(), number(), number()],
        id(),
    )
        .prop_map(|(tz, load, (region, day, name), pay, role)| {
            let q = |v: &str| {
                if v.starts_with('"') {
                    v.to_string()
                } else {
                    format!("\"{v}\"")
                }
            };
            let day = q(day.trim_matches('"'));
            format!(
                "timezone = \"{tz}\"\n\n[load]\nweekday = {}\nweekend = {}\nholiday = {}\n\n\
                 [holidays.{region:?}]\n{day} = \"{name}\"\n\n[compensation]\ncurrency = \"USD\"\n\
                 mode = \"both\"\n[compensation.rates]\nweekday = {}\nweekend = \"100.00\"\nholiday = \"150.00\"\n\
                 [compensation.roles]\n{role:?} = {}\n[compensation.time_off]\nweekend = {}\n\
                 [compensation.incidents]\nout_of_hours = {}\nsleeping = \"50.00\"\n",
                load[0], load[1], load[2], q(&pay[0]), pay[1], pay[2], q(&pay[3])
            )
        })
}

/// A valid `people.csv` from generated values.
pub(crate) fn people_csv() -> impl Strategy<Value = String> {
    proptest::collection::vec((id(), text(), text(), date(), date(), id()), 1..6).prop_map(|rows| {
        let mut out = String::from("id,name,email,timezone,region,joined,left,skills\n");
        out.push_str("alice,Alice,alice@example.com,,US,2021-03-01,,payments\n");
        for (id, name, tz, joined, left, skill) in rows {
            let (joined, left) = (joined.trim_matches('"'), left.trim_matches('"'));
            out.push_str(&format!(
                "{id},{name},{id}@example.com,{tz},US,{joined},{left},{skill};db\n"
            ));
        }
        out
    })
}

/// A valid team file from generated values.
pub(crate) fn team_toml() -> impl Strategy<Value = String> {
    (
        proptest::collection::vec(id(), 0..4),
        (id(), number(), number()),
        (number(), number(), number()),
        (id(), date()),
    )
        .prop_map(|(extra, (role, weight, tenure), (rest, carry, history), (region, week))| {
            let mut members = vec!["\"alice\"".to_string(), "\"bob\"".to_string()];
            members.extend(extra.iter().map(|m| format!("{m:?}")));
            format!(
                "holidays = {region:?}\nmembers = [{}]\nhandoff = {{ weekday = \"monday\", time = \"10:00\" }}\n\n\
                 [[roles]]\nname = {role:?}\nweight = {weight}\nmin_tenure_days = {tenure}\n\n\
                 [rules]\nrest_weeks = {rest}\n\n[fairness]\nhistory_weeks = {history}\n\n\
                 [carry]\nalice = {carry}\n\n[[pins]]\nweek = {week}\nrole = {role:?}\nperson = \"bob\"\n",
                members.join(", ")
            )
        })
}

/// A valid time-off file from generated values.
pub(crate) fn time_off_toml() -> impl Strategy<Value = String> {
    proptest::collection::vec((id(), date(), date(), text()), 0..5).prop_map(|entries| {
        let mut out = String::new();
        for (person, start, end, reason) in entries {
            out.push_str(&format!(
                "[[time_off]]\nperson = {person:?}\nstart = {start}\nend = {end}\nreason = \"{reason}\"\n\n"
            ));
        }
        out
    })
}
