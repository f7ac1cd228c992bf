//! `oncall report fairness` on a published quickstart: the HTML page opens in
//! headless Chromium, shows every name as text and draws its charts.

use crate::run::oncall;
use crate::support::workspace::{copy_dir, data, root, text};
use std::path::Path;
use std::process::Command;

/// The quickstart with a name that looks like markup, planned for 2027Q1 and
/// published.
pub(crate) fn published_quickstart() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path();
    copy_dir(&data("quickstart"), ws);
    let people = std::fs::read_to_string(ws.join("people.csv")).unwrap();
    std::fs::write(
        ws.join("people.csv"),
        people.replace("Bob Brown", "<script>"),
    )
    .unwrap();
    let plan = ws.join("plan.json");
    let args = [
        "plan",
        "payments",
        "--quarter",
        "2027Q1",
        "--format",
        "json",
    ];
    let mut with_out = args.to_vec();
    with_out.extend(["--out", plan.to_str().unwrap()]);
    let out = oncall(ws, &with_out);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let publish = oncall(ws, &["publish", "payments", plan.to_str().unwrap()]);
    assert!(publish.status.success(), "{}", text(&publish.stderr));
    tmp
}

/// Runs headless Chromium on `url` (a `file://` or `http://127.0.0.1` URL).
pub(crate) fn chromium(profile: &Path, extra: &[&str], url: &str) -> std::process::Output {
    let found = Command::new("sh")
        .args(["-c", "command -v chromium"])
        .output()
        .unwrap();
    assert!(
        found.status.success(),
        "chromium is not installed; run scripts/test.sh, which installs it"
    );
    Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(url)
        .output()
        .unwrap()
}

#[test]
fn the_html_report_opens_in_a_browser_with_names_as_text_and_charts() {
    let tmp = published_quickstart();
    let ws = tmp.path();
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("fairness.html");
    let out = oncall(
        ws,
        &[
            "report",
            "fairness",
            "--from",
            "2027-01-01",
            "--to",
            "2027-07-01",
            "--format",
            "html",
            "--out",
            page.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(!html.contains("<script"), "the name is escaped, no script");
    assert!(!html.contains("http"), "no external assets");

    let profile = tempfile::tempdir().unwrap();
    let url = format!("file://{}", page.display());
    let dom = chromium(profile.path(), &["--dump-dom"], &url);
    assert!(dom.status.success(), "{}", text(&dom.stderr));
    let dom = text(&dom.stdout);
    for name in ["Alice Adams", "Carol Chen", "&lt;script&gt;"] {
        assert!(dom.contains(name), "{name} missing from the page");
    }
    assert!(dom.contains("<svg"), "no chart");

    let shot = root().join("target/fairness-report.png");
    std::fs::create_dir_all(shot.parent().unwrap()).unwrap();
    let _ = std::fs::remove_file(&shot);
    let profile = tempfile::tempdir().unwrap();
    let arg = format!("--screenshot={}", shot.display());
    let png = chromium(profile.path(), &[&arg, "--window-size=1280,1800"], &url);
    assert!(png.status.success(), "{}", text(&png.stderr));
    assert!(
        std::fs::metadata(&shot).unwrap().len() > 0,
        "empty screenshot"
    );
}

#[test]
fn the_table_json_and_csv_agree_on_the_people() {
    let tmp = published_quickstart();
    let ws = tmp.path();
    let range = [
        "report",
        "fairness",
        "--team",
        "payments",
        "--from",
        "2027-01-01",
        "--to",
        "2027-04-01",
    ];
    let mut json = range.to_vec();
    json.extend(["--format", "json"]);
    let out = oncall(ws, &json);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["quarters"].as_array().unwrap().len(), 1);
    let people = v["people"].as_array().unwrap();
    assert!(people.len() >= 3);
    let mut csv = range.to_vec();
    csv.extend(["--format", "csv"]);
    let out = oncall(ws, &csv);
    assert_eq!(text(&out.stdout).lines().count(), people.len() + 1);
    let out = oncall(ws, &range);
    assert!(text(&out.stdout).contains("Alice Adams"));
}
