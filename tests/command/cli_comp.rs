//! `oncall comp` driven as HR would: plan, check, publish, then pull the pay
//! CSV and JSON for a month. The CSV must parse with Python's `csv` module and
//! reconcile with the JSON to the cent; formula-like text is neutralised.

use crate::run::{as_taker, oncall};
use crate::support::workspace::{copy_dir, data, text};
use std::collections::BTreeMap;
use std::process::Command;

/// The quickstart workspace with a spreadsheet formula for a name, planned
/// for 2027Q1 (checked with `check-plan`) and published.
fn published_quickstart() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path();
    copy_dir(&data("quickstart"), ws);
    let people = std::fs::read_to_string(ws.join("people.csv")).unwrap();
    std::fs::write(
        ws.join("people.csv"),
        people.replace("Bob Brown", "=HYPERLINK(\"http://x\";\"Bob\")"),
    )
    .unwrap();
    let plan = ws.join("plan.json");
    let out = oncall(
        ws,
        &[
            "plan",
            "payments",
            "--quarter",
            "2027Q1",
            "--format",
            "json",
            "--out",
            plan.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let check = oncall(ws, &["check-plan", "payments", plan.to_str().unwrap()]);
    assert!(check.status.success(), "{}", text(&check.stdout));
    let publish = oncall(ws, &["publish", "payments", plan.to_str().unwrap()]);
    assert!(publish.status.success(), "{}", text(&publish.stderr));
    tmp
}

#[test]
fn the_hr_csv_parses_with_python_and_reconciles_with_the_json() {
    let tmp = published_quickstart();
    let ws = tmp.path();
    // bob is pinned as primary for the week of 2027-01-11 (Los Angeles).
    std::fs::write(
        ws.join("pages.csv"),
        "time,person,team\n\
         2027-01-13T07:00:00Z,bob,payments\n\
         2027-01-16T18:00:00Z,bob,payments\n\
         2027-01-13T20:00:00Z,bob,payments\n",
    )
    .unwrap();
    let csv_path = ws.join("pay.csv");
    let period = ["--from", "2027-01-01", "--to", "2027-02-01"];
    let mut args = vec!["comp"];
    args.extend_from_slice(&period);
    args.extend_from_slice(&["--incidents", "pages.csv", "--format", "csv", "--out"]);
    let csv_arg = csv_path.to_str().unwrap().to_string();
    args.push(&csv_arg);
    let out = crate::run::command()
        .current_dir(ws)
        .args(&args)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("wrote"));

    let mut args = vec!["comp"];
    args.extend_from_slice(&period);
    args.extend_from_slice(&["--incidents", "pages.csv", "--format", "json"]);
    let out = crate::run::command()
        .current_dir(ws)
        .args(&args)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();

    // Python reads the CSV with the standard library and sums it with decimals.
    let script = r#"
import csv, decimal, json, sys
with open(sys.argv[1], newline="") as f:
    rows = list(csv.reader(f))
header, body = rows[0], rows[1:]
assert header == ["employee_id","name","email","period_start","period_end","team","role","code","hours","days","rate","amount","currency","adjusts_period"], header
assert all(len(r) == 14 for r in body)
out = {}
for r in body:
    d = dict(zip(header, r))
    key = "|".join([d["employee_id"], d["team"], d["role"], d["code"]])
    assert key not in out, key
    decimal.Decimal(d["hours"]); decimal.Decimal(d["days"])
    out[key] = {"amount": str(decimal.Decimal(d["amount"])), "name": d["name"], "currency": d["currency"]}
total = sum(decimal.Decimal(v["amount"]) for v in out.values())
print(json.dumps({"lines": out, "total": str(total)}))
"#;
    let py = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&csv_path)
        .output()
        .expect("python3 runs");
    assert!(py.status.success(), "python3: {}", text(&py.stderr));
    let parsed: serde_json::Value = serde_json::from_slice(&py.stdout).unwrap();

    let lines = json["lines"].as_array().unwrap();
    assert!(!lines.is_empty());
    let by_key: BTreeMap<String, &serde_json::Value> = lines
        .iter()
        .map(|l| {
            (
                format!(
                    "{}|{}|{}|{}",
                    l["employee_id"].as_str().unwrap(),
                    l["team"].as_str().unwrap(),
                    l["role"].as_str().unwrap(),
                    l["code"].as_str().unwrap()
                ),
                l,
            )
        })
        .collect();
    let csv_lines = parsed["lines"].as_object().unwrap();
    assert_eq!(csv_lines.len(), by_key.len());
    for (key, row) in csv_lines {
        let j = by_key
            .get(key)
            .unwrap_or_else(|| panic!("{key} not in the JSON"));
        assert_eq!(row["amount"], j["amount"], "{key}");
        assert_eq!(row["currency"], "USD");
    }
    assert_eq!(parsed["total"], json["total"]);

    // The formula in bob's name is neutralised in the CSV, not in the JSON.
    let bob = csv_lines
        .iter()
        .find(|(k, _)| k.starts_with("bob|"))
        .map(|(_, v)| v["name"].as_str().unwrap().to_string())
        .unwrap();
    assert_eq!(bob, "'=HYPERLINK(\"http://x\";\"Bob\")");
    // Two pages out of hours (sleeping 50.00, Saturday 25.00); the Wednesday
    // afternoon page is in business hours.
    let inc = by_key["bob|payments|primary|INCIDENT"];
    assert_eq!(inc["amount"], "75.00");
    assert_eq!(inc["pages"], 2);
    // Bob's pinned week: Mon 2027-01-11 10:00 to the MLK holiday Monday 10:00.
    assert_eq!(by_key["bob|payments|primary|WEEKDAY"]["hours"], "110");
    assert_eq!(by_key["bob|payments|primary|WEEKDAY"]["amount"], "229.17");
    assert_eq!(by_key["bob|payments|primary|WEEKEND"]["amount"], "200.00");
    assert_eq!(by_key["bob|payments|primary|HOLIDAY"]["hours"], "10");
    assert_eq!(by_key["bob|payments|primary|HOLIDAY"]["amount"], "62.50");
}

#[test]
fn the_table_summarises_pay_and_who_carries_the_weekends() {
    let tmp = published_quickstart();
    let out = oncall(
        tmp.path(),
        &[
            "comp",
            "--from",
            "2027-01-01",
            "--to",
            "2027-04-01",
            "--team",
            "payments",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let t = text(&out.stdout);
    assert!(
        t.starts_with("Compensation 2027-01-01 to 2027-04-01"),
        "{t}"
    );
    assert!(t.contains("hours on call") && t.contains("amount (USD)"));
    assert!(t.contains("Who carries the weekends, holidays and nights"));
    assert!(t.contains("weekend days") && t.contains("night hours"));
}

#[test]
fn comp_errors_name_the_problem() {
    let tmp = published_quickstart();
    let out = oncall(
        tmp.path(),
        &["comp", "--from", "2027-02-01", "--to", "2027-01-01"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("is empty"),
        "{}",
        text(&out.stderr)
    );
    std::fs::write(
        tmp.path().join("pages.csv"),
        "time,person,team\nnoon,bbo,payments\n",
    )
    .unwrap();
    let out = oncall(
        tmp.path(),
        &[
            "comp",
            "--from",
            "2027-01-01",
            "--to",
            "2027-02-01",
            "--incidents",
            tmp.path().join("pages.csv").to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("invalid time `noon`"), "{err}");
    assert!(err.contains("did you mean `bob`?"), "{err}");
    let out = oncall(tmp.path(), &["comp", "--from", "2027-01-01"]);
    assert_eq!(out.status.code(), Some(2));
}

/// `oncall comp --format json` for a range, parsed.
fn comp_json(ws: &std::path::Path, from: &str, to: &str) -> serde_json::Value {
    let out = oncall(
        ws,
        &["comp", "--from", from, "--to", to, "--format", "json"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn a_closed_january_is_never_recomputed_and_a_later_override_is_paid_in_february() {
    let tmp = published_quickstart();
    let ws = tmp.path();
    let close = |from: &str, to: &str| oncall(ws, &["comp", "close", "--from", from, "--to", to]);
    let out = close("2027-01-01", "2027-02-01");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("closed the pay period 2027-01-01 to 2027-02-01"));
    let january = comp_json(ws, "2027-01-01", "2027-02-01");
    assert_eq!(january["sections"][0]["status"], "closed");
    assert_eq!(january["sections"][0]["closed"]["actor"], "tester");

    // Later, someone who holds nothing that week covers bob's pinned
    // primary weekend of 2027-01-16/17 (Los Angeles), perhaps against the
    // rest rule, so with --force.
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(ws.join("plan.json")).unwrap()).unwrap();
    let busy = |p: &str| {
        plan["shifts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["person"] == p && s["week"] == "2027-01-11")
    };
    // Members in Los Angeles, so that their days are the team's.
    let cover = ["alice", "dan", "frank", "grace", "ivan", "judy"]
        .into_iter()
        .find(|p| !busy(p))
        .unwrap();
    let out = as_taker(
        ws,
        &[
            "override",
            "payments",
            "--role",
            "primary",
            "--person",
            cover,
            "--from",
            "2027-01-16",
            "--to",
            "2027-01-18",
            "--force",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));

    // January shows exactly what was paid.
    assert_eq!(comp_json(ws, "2027-01-01", "2027-02-01"), january);
    // February carries the weekend moved: 2 days at 100.00 from bob to them.
    let feb = comp_json(ws, "2027-02-01", "2027-03-01");
    let adjustments: Vec<&serde_json::Value> = feb["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| !l["adjusts"].is_null())
        .collect();
    let summary: Vec<(&str, &str, &str, &str, &str)> = adjustments
        .iter()
        .map(|l| {
            (
                l["employee_id"].as_str().unwrap(),
                l["code"].as_str().unwrap(),
                l["hours"].as_str().unwrap(),
                l["days"].as_str().unwrap(),
                l["amount"].as_str().unwrap(),
            )
        })
        .collect();
    let mut summary = summary;
    summary.sort();
    let mut want = vec![
        (cover, "WEEKEND", "48", "2", "200.00"),
        ("bob", "WEEKEND", "-48", "-2", "-200.00"),
    ];
    want.sort();
    assert_eq!(summary, want);
    assert!(adjustments
        .iter()
        .all(|l| l["adjusts"]["from"] == "2027-01-01" && l["role"] == "primary"));
    let csv = oncall(
        ws,
        &[
            "comp",
            "--from",
            "2027-02-01",
            "--to",
            "2027-03-01",
            "--format",
            "csv",
        ],
    );
    let csv = text(&csv.stdout);
    assert!(csv
        .lines()
        .next()
        .unwrap()
        .ends_with(",currency,adjusts_period"));
    assert!(
        csv.contains(",payments,primary,WEEKEND,48,2,100.00,200.00,USD,2027-01-01..2027-02-01\n"),
        "{csv}"
    );
    let table = text(&oncall(ws, &["comp", "--from", "2027-01-20", "--to", "2027-03-01"]).stdout);
    assert!(
        table.contains("CLOSED on") && table.contains("OPEN:"),
        "{table}"
    );
    assert!(table.contains("ADJUSTMENT"), "{table}");

    // Closing February stores the adjustment; it is then paid, not pending.
    let out = close("2027-02-01", "2027-03-01");
    assert!(
        text(&out.stdout).contains("2 of them adjustments"),
        "{}",
        text(&out.stdout)
    );
    let march = comp_json(ws, "2027-03-01", "2027-04-01");
    assert!(march["lines"]
        .as_array()
        .unwrap()
        .iter()
        .all(|l| l["adjusts"].is_null()));
    assert_eq!(comp_json(ws, "2027-01-01", "2027-02-01"), january);
    let log = text(&oncall(ws, &["log"]).stdout);
    assert_eq!(log.matches("comp-close").count(), 2, "{log}");
}

#[test]
fn closing_twice_overlapping_or_out_of_order_is_refused() {
    let tmp = published_quickstart();
    let ws = tmp.path();
    let close = |from: &str, to: &str| oncall(ws, &["comp", "close", "--from", from, "--to", to]);
    assert!(close("2027-01-01", "2027-02-01").status.success());
    for (from, to, says) in [
        ("2027-01-01", "2027-02-01", "is already closed"),
        (
            "2027-01-15",
            "2027-02-15",
            "overlaps the closed period 2027-01-01..2027-02-01",
        ),
        (
            "2027-02-08",
            "2027-03-01",
            "the next one starts on 2027-02-01",
        ),
        (
            "2026-12-01",
            "2027-01-01",
            "the next one starts on 2027-02-01",
        ),
        ("2027-02-01", "2027-02-01", "is empty"),
    ] {
        let out = close(from, to);
        assert_eq!(out.status.code(), Some(1), "{from}..{to}");
        let err = text(&out.stderr);
        assert!(err.contains(says), "{from}..{to}: {err}");
    }
    let log = text(&oncall(ws, &["log"]).stdout);
    assert_eq!(log.matches("comp-close").count(), 1, "{log}");
}

#[test]
fn days_off_in_lieu_taken_beyond_the_balance_are_a_warning() {
    let tmp = published_quickstart();
    let ws = tmp.path();
    std::fs::write(
        ws.join("time-off/toil.toml"),
        "[[time_off]]\nperson = \"alice\"\nstart = \"2027-01-28\"\nend = \"2027-01-31\"\nkind = \"toil\"\n",
    )
    .unwrap();
    let out = oncall(
        ws,
        &[
            "comp",
            "close",
            "--from",
            "2027-01-01",
            "--to",
            "2027-02-01",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    // Thursday and Friday are taken; the weekend takes nothing. The policy
    // pays cash only, so nothing was earned.
    let out = oncall(
        ws,
        &[
            "toil",
            "--person",
            "alice",
            "--at",
            "2027-02-01",
            "--format",
            "json",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let ledger: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let alice = &ledger["people"][0];
    assert_eq!(
        (
            &alice["earned"],
            &alice["taken"],
            &alice["expired"],
            &alice["balance"]
        ),
        (&"0".into(), &"2".into(), &"0".into(), &"-2".into())
    );
    let table = text(&oncall(ws, &["toil", "--at", "2027-02-01"]).stdout);
    assert!(table.contains("Days off in lieu on 2027-02-01"), "{table}");
    let out = oncall(ws, &["comp", "--from", "2027-01-01", "--to", "2027-02-01"]);
    assert!(out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains(
            "warning: alice took days off in lieu beyond their balance on 2027-01-28, 2027-01-29"
        ),
        "{err}"
    );
    // `check` warns too, for the weeks it checks, and still succeeds.
    let out = oncall(
        ws,
        &["check", "payments", "--from", "2027-01-25", "--weeks", "2"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains(
            "warning: alice took days off in lieu beyond their balance on 2027-01-28, 2027-01-29"
        ),
        "{err}"
    );
    let later = oncall(
        ws,
        &["check", "payments", "--from", "2027-02-08", "--weeks", "2"],
    );
    assert!(later.status.success());
    assert!(!text(&later.stderr).contains("beyond their balance"));
}

/// A page to someone who held no role of the team then is listed apart
/// with the reason, and paid only when the policy says so.
#[test]
fn pages_to_people_not_on_call_are_listed_apart_and_unpaid_by_default() {
    let tmp = published_quickstart();
    let ws = tmp.path();
    // At 2027-01-13T07:00Z the pinned bob is primary; dora, the director,
    // holds no role of payments, ever.
    std::fs::write(
        ws.join("pages.csv"),
        "time,person,team\n2027-01-13T07:00:00Z,bob,payments\n2027-01-13T07:05:00Z,dora,payments\n",
    )
    .unwrap();
    let pages = ws.join("pages.csv");
    let pages = pages.to_str().unwrap();
    let comp = |format: &str| {
        let out = oncall(
            ws,
            &[
                "comp",
                "--from",
                "2027-01-01",
                "--to",
                "2027-02-01",
                "--incidents",
                pages,
                "--format",
                format,
            ],
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
        out
    };
    let json: serde_json::Value = serde_json::from_slice(&comp("json").stdout).unwrap();
    let report = &json;
    let apart = report["off_call_pages"].as_array().unwrap();
    assert_eq!(apart.len(), 1, "{apart:?}");
    assert_eq!(apart[0]["employee_id"], "dora");
    assert_eq!(apart[0]["reason"], "held no role of payments at the time");
    assert_eq!(apart[0]["paid"], false);
    let lines = report["lines"].as_array().unwrap();
    assert!(lines.iter().all(|l| l["employee_id"] != "dora"), "not paid");
    assert!(lines
        .iter()
        .any(|l| l["employee_id"] == "bob" && l["code"] == "INCIDENT"));
    let table = comp("table");
    let shown = text(&table.stdout);
    assert!(
        shown.contains("Pages to people not on call at the time"),
        "{shown}"
    );
    assert!(shown.contains("Dora Diaz"), "{shown}");
    assert!(
        text(&table.stderr).contains("1 page(s) went to people not on call at the time; 0 paid")
    );

    let toml = std::fs::read_to_string(ws.join("oncall.toml")).unwrap();
    std::fs::write(
        ws.join("oncall.toml"),
        toml.replace(
            "sleeping = \"50.00\"",
            "sleeping = \"50.00\"\npay_when_not_on_call = true",
        ),
    )
    .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&comp("json").stdout).unwrap();
    let report = &json;
    assert_eq!(report["off_call_pages"][0]["paid"], true);
    let dora: Vec<&serde_json::Value> = report["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["employee_id"] == "dora")
        .collect();
    assert_eq!(dora.len(), 1);
    assert_eq!(
        (&dora[0]["code"], &dora[0]["role"], &dora[0]["amount"]),
        (&"INCIDENT".into(), &"".into(), &"50.00".into())
    );
}

/// 11 holiday hours of a secondary (150.00 × 0.5 = 75.00 a day) are
/// 11/24 × 75.00 = 34.375 exactly, which pays 34.38 (halves away from zero).
/// A day fraction divided early (0.458333…) and multiplied later pays 34.37.
#[test]
fn eleven_holiday_hours_at_seventy_five_a_day_pay_34_38() {
    let tmp = published_quickstart();
    let ws = tmp.path();
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(ws.join("plan.json")).unwrap()).unwrap();
    let on_call = |who: &str| {
        plan["shifts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["person"] == who && s["week"] == "2027-01-18")
    };
    let taker = ["alice", "bob", "carol"]
        .into_iter()
        .find(|p| !on_call(p))
        .expect("someone with the payments skill is off call in the week of 2027-01-18");
    // 10:00 to 21:00 on Martin Luther King Jr. Day in Los Angeles: the
    // holiday in every zone of the quickstart's people.
    let out = as_taker(
        ws,
        &[
            "override",
            "payments",
            "--role",
            "secondary",
            "--person",
            taker,
            "--from",
            "2027-01-18T10:00",
            "--to",
            "2027-01-18T21:00",
            "--force",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let json = comp_json(ws, "2027-01-01", "2027-02-01");
    let line = json["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["employee_id"] == taker && l["role"] == "secondary" && l["code"] == "HOLIDAY")
        .unwrap_or_else(|| panic!("no holiday line for {taker}: {json:#}"));
    assert_eq!(line["hours"], "11", "{line:#}");
    assert_eq!(line["rate"], "75.00", "{line:#}");
    assert_eq!(line["amount"], "34.38", "{line:#}");
}
