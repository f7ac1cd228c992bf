//! Wording of input errors: TOML and serde messages rewritten for people,
//! with help. Shared by the reader of files and the parsers of values.

use crate::input::suggest::did_you_mean;

/// Help for a date that does not parse.
pub(super) const DATE_HELP: &str = "write dates as YYYY-MM-DD, e.g. 2027-01-04";

pub(super) fn backticked(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(super) fn lowercase_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Rewrites a TOML or serde error message for people and adds help:
/// "unknown field `x`, expected one of `a`, `b`" becomes "unknown field `x`"
/// with the closest known field; "missing field `x`" says what to add; Rust
/// type names become words.
pub(super) fn tidy_toml_error(message: &str) -> (String, Option<String>) {
    let message = lowercase_first(message);
    if let Some(tidy) = unknown_field(&message).or_else(|| missing_field(&message)) {
        return tidy;
    }
    let mut tidy = message;
    for (rust, words) in [
        ("expected f64", "expected a number"),
        ("expected i64", "expected a whole number"),
        ("expected a sequence", "expected an array"),
        ("expected a map", "expected a table"),
    ] {
        tidy = tidy.replace(rust, words);
    }
    let help = tidy
        .starts_with("invalid date")
        .then(|| DATE_HELP.to_string());
    (tidy, help)
}

/// "unknown field `x`, expected one of `a`, `b`": the field and the closest
/// known one.
fn unknown_field(message: &str) -> Option<(String, Option<String>)> {
    let rest = message.strip_prefix("unknown field `")?;
    let (field, expected) = rest.split_once('`')?;
    let names: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    let help = match did_you_mean(field, names.iter().copied()) {
        Some(s) => format!("did you mean `{s}`?"),
        None if names.is_empty() => format!("remove `{field}`"),
        None => format!(
            "remove `{field}`; the known fields here are {}",
            backticked(&names)
        ),
    };
    Some((format!("unknown field `{field}`"), Some(help)))
}

/// "missing field `x`": the message as it is, with an example to add.
fn missing_field(message: &str) -> Option<(String, Option<String>)> {
    let rest = message.strip_prefix("missing field `")?;
    let (field, _) = rest.split_once('`')?;
    let example = match field {
        "timezone" => "timezone = \"America/Los_Angeles\"",
        "handoff" => "handoff = { weekday = \"monday\", time = \"10:00\" }",
        "person" => "person = \"alice\"",
        "start" => "start = \"2027-02-08\"",
        "end" => "end = \"2027-02-12\"",
        "name" => "name = \"primary\"",
        "week" => "week = \"2027-01-11\"",
        "role" => "role = \"primary\"",
        "weekday" => "weekday = \"monday\"",
        "time" => "time = \"10:00\"",
        _ => field,
    };
    Some((message.to_string(), Some(format!("add `{example}`"))))
}
