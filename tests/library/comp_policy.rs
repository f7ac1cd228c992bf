//! Loading `[compensation]`: every setting is read, and every mistake is named
//! with its file, line, column and fix.

use std::path::Path;

use oncall::input::diagnostic::LoadError;
use oncall::input::load_workspace;
use oncall::model::{PayMode, Workspace};
use rust_decimal::Decimal;

const PEOPLE: &str = "\
id,name,email,timezone,region,joined,left,skills
alice,Alice Adams,alice@example.com,America/Los_Angeles,US,2021-03-01,,
";

const TEAM: &str = r#"members = ["alice"]
handoff = { weekday = "monday", time = "10:00" }

[[roles]]
name = "primary"
"#;

const HEAD: &str = "timezone = \"America/Los_Angeles\"\n\n";

fn load(org: &str) -> Result<Workspace, LoadError> {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for (rel, text) in [
        ("oncall.toml", format!("{HEAD}{org}")),
        ("people.csv", PEOPLE.to_string()),
        ("teams/payments.toml", TEAM.to_string()),
    ] {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    load_workspace(root)
}

/// (line, column, message, help) of each diagnostic; every one is in oncall.toml.
fn errors(org: &str) -> Vec<(usize, usize, String, Option<String>)> {
    let err = load(org).expect_err("the workspace loaded, but errors were expected");
    err.diagnostics
        .iter()
        .map(|d| {
            assert_eq!(d.file, Path::new("oncall.toml"));
            (d.line, d.column, d.message.clone(), d.help.clone())
        })
        .collect()
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

#[test]
fn the_full_policy_is_read() {
    let ws = load(
        r#"[compensation]
currency = "EUR"
mode = "both"
[compensation.rates]
weekday = "50.00"
weekend = "100.00"
holiday = "150.00"
[compensation.roles]
primary = 1.0
secondary = "0.5"
[compensation.time_off]
weekend = 0.5
holiday = 1
[compensation.regions.DE]
mode = "time_off"
[compensation.regions.US]
rates = { weekend = "120.00" }
[compensation.incidents]
business_hours = "08:30-17:30"
out_of_hours = "25.00"
sleeping = "50.00"
"#,
    )
    .unwrap();
    let c = ws.org.compensation.unwrap();
    assert_eq!((c.currency.as_str(), c.minor_units), ("EUR", 2));
    assert_eq!(c.policy.mode, PayMode::Both);
    assert_eq!(c.policy.rates.weekend, dec("100.00"));
    assert_eq!(c.policy.time_off.weekend, dec("0.5"));
    assert_eq!(c.policy.time_off.holiday, dec("1"));
    assert_eq!(c.policy.time_off.weekday, Decimal::ZERO);
    assert_eq!(c.role_multiplier("secondary"), dec("0.5"));
    assert_eq!(c.role_multiplier("observer"), Decimal::ONE);
    // Regions override key by key and inherit the rest.
    assert_eq!(c.policy_for(Some("DE")).mode, PayMode::TimeOff);
    assert_eq!(c.policy_for(Some("DE")).rates, c.policy.rates);
    assert_eq!(c.policy_for(Some("US")).rates.weekend, dec("120.00"));
    assert_eq!(c.policy_for(Some("US")).rates.weekday, dec("50.00"));
    assert_eq!(c.policy_for(Some("FR")), &c.policy);
    let i = c.incidents.unwrap();
    assert_eq!(i.business_hours.start.to_string(), "08:30:00");
    // Sleeping hours default to 22:00-07:00.
    assert_eq!(i.sleeping_hours.start.to_string(), "22:00:00");
    assert_eq!(i.sleeping_hours.end.to_string(), "07:00:00");
    assert_eq!(i.sleeping, dec("50.00"));
}

#[test]
fn no_section_means_no_policy_and_yen_has_no_minor_unit() {
    assert!(load("").unwrap().org.compensation.is_none());
    let c = load("[compensation]\ncurrency = \"jpy\"\nmode = \"time_off\"\n")
        .unwrap()
        .org
        .compensation
        .unwrap();
    assert_eq!((c.currency.as_str(), c.minor_units), ("JPY", 0));
}

#[test]
fn unknown_currency_is_named_with_the_fix() {
    assert_eq!(
        errors("[compensation]\ncurrency = \"USX\"\nmode = \"time_off\"\n"),
        [(
            4,
            12,
            "unknown currency `USX`".to_string(),
            Some("use an ISO 4217 code such as `USD`, `EUR`, `GBP` or `JPY`".to_string())
        )]
    );
}

#[test]
fn a_rate_must_be_a_decimal_string() {
    let errs = errors(
        r#"[compensation]
currency = "USD"
[compensation.rates]
weekday = 50.0
weekend = "1OO.00"
holiday = "150.00"
"#,
    );
    assert_eq!(
        errs,
        [
            (
                6,
                11,
                "rate `weekday` must be a decimal string".to_string(),
                Some("quote it so it stays exact, e.g. \"50.00\"".to_string())
            ),
            (
                7,
                11,
                "rate `weekend` `1OO.00` is not a decimal number".to_string(),
                Some("write it like \"50.00\"".to_string())
            ),
        ]
    );
}

#[test]
fn negative_rates_and_multipliers_are_refused() {
    let errs = errors(
        r#"[compensation]
currency = "USD"
[compensation.rates]
weekday = "-50.00"
weekend = "100.00"
holiday = "150.00"
[compensation.roles]
primary = -1
"#,
    );
    assert_eq!(
        errs.iter().map(|e| (e.0, e.2.as_str())).collect::<Vec<_>>(),
        [
            (6, "rate `weekday` must be at least 0, got -50.00"),
            (
                10,
                "multiplier of role `primary` must be at least 0, got -1"
            ),
        ]
    );
}

#[test]
fn unknown_mode_suggests_the_closest() {
    let errs = errors("[compensation]\ncurrency = \"USD\"\nmode = \"timeoff\"\n");
    assert_eq!(
        errs,
        [(
            5,
            8,
            "unknown pay mode `timeoff`".to_string(),
            Some("did you mean `time_off`?".to_string())
        )]
    );
}

#[test]
fn a_cash_mode_needs_every_rate_also_per_region() {
    let errs = errors(
        r#"[compensation]
currency = "USD"
mode = "time_off"
[compensation.rates]
weekday = "50.00"
[compensation.regions.US]
mode = "cash"
"#,
    );
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert_eq!(errs[0].0, 8);
    assert_eq!(
        errs[0].2,
        "[compensation.regions.US] pays cash but has no day rate for `weekend`, `holiday`"
    );
    let missing = errors("[compensation]\ncurrency = \"USD\"\n");
    assert_eq!(
        missing[0].2,
        "[compensation] pays cash but has no day rate for `weekday`, `weekend`, `holiday`"
    );
}

#[test]
fn unknown_keys_and_bad_incident_hours_are_named() {
    let errs = errors("[compensation]\ncurrency = \"USD\"\nmode = \"time_off\"\nrate = 1\n");
    assert_eq!(errs.len(), 1);
    assert_eq!((errs[0].0, errs[0].2.as_str()), (6, "unknown field `rate`"));
    let errs = errors(
        r#"[compensation]
currency = "USD"
mode = "time_off"
[compensation.incidents]
business_hours = "9-17"
out_of_hours = "25.00"
"#,
    );
    assert_eq!(
        errs.iter().map(|e| (e.0, e.2.as_str())).collect::<Vec<_>>(),
        [
            (6, "[compensation.incidents] has no `sleeping`"),
            (7, "invalid hours `9-17`"),
        ]
    );
}

#[test]
fn the_example_workspaces_have_a_policy() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../data");
    for name in ["quickstart", "dst"] {
        let ws = load_workspace(&data.join(name)).unwrap();
        assert!(
            ws.org.compensation.is_some(),
            "{name} has no [compensation]"
        );
    }
}
