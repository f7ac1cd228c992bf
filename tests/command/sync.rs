//! `oncall sync pagerduty` against a local server that speaks PagerDuty's
//! REST API v2, as its published reference describes it:
//!
//! - <https://developer.pagerduty.com/api-reference/> and its OpenAPI source,
//!   <https://github.com/PagerDuty/api-schema/blob/main/reference/REST/openapiv3.json>:
//!   - `GET /users?query=` ("List users"): `{"users": [{"id", "email", ...}]}`;
//!   - `GET /schedules/{id}/overrides?since=&until=` ("List overrides",
//!     both required, ISO 8601): `{"overrides": [{"id", "start", "end",
//!     "user": {"id", "type": "user_reference"}}]}`;
//!   - `POST /schedules/{id}/overrides` ("Create one or more overrides"):
//!     body `{"overrides": [{"start", "end", "user": {"id", "type":
//!     "user_reference"}}]}`, answer `201` with one `{"status": 201,
//!     "override": {...,"id"}}` per override;
//!   - `DELETE /schedules/{id}/overrides/{override_id}` ("Delete an
//!     override"): `204`;
//! - every request: the `Accept: application/vnd.pagerduty+json;version=2`
//!   versioning header and `Authorization: Token token=<token>`
//!   (<https://developer.pagerduty.com/docs/authentication>); a 429 may
//!   carry `Retry-After` (<https://developer.pagerduty.com/docs/rest-api-rate-limits>).
//!
//! The server records every request and every way one strays from that.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Output;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::response::Response;
use chrono::{DateTime, FixedOffset, Utc};
use serde_json::{json, Value};

use crate::run::{ok, oncall_as};
use crate::schedule::{plan, publish, timeline};
use crate::support::workspace::{copy_of, text};

const TOKEN: &str = "s3cret-test-token";

type Span = (DateTime<Utc>, DateTime<Utc>, String);

#[derive(Default)]
struct Pd {
    /// PagerDuty user id by e-mail address.
    users: BTreeMap<String, String>,
    /// Override by id: schedule, start, end, user.
    overrides: BTreeMap<String, (String, Span)>,
    /// Every request, as `METHOD path`.
    log: Vec<String>,
    /// How the requests strayed from the reference.
    problems: Vec<String>,
    /// Answer this many requests with 429 and `Retry-After: 1`.
    throttle: u32,
    next_id: u32,
}

impl Pd {
    fn writes(&self) -> Vec<&String> {
        self.log.iter().filter(|l| !l.starts_with("GET")).collect()
    }
    fn spans(&self, schedule: &str) -> Vec<Span> {
        let mut v: Vec<Span> = self
            .overrides
            .values()
            .filter(|(s, _)| s == schedule)
            .map(|(_, span)| span.clone())
            .collect();
        v.sort();
        v
    }
}

type Shared = Arc<Mutex<Pd>>;

fn answer(status: StatusCode, body: Value) -> Response {
    Response::builder()
        .status(status)
        .header("Content-Type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

fn rfc3339(v: Option<&str>, what: &str, problems: &mut Vec<String>) -> Option<DateTime<Utc>> {
    let parsed = v.and_then(|t| DateTime::parse_from_rfc3339(t).ok());
    if parsed.is_none() {
        problems.push(format!("{what} is not an RFC 3339 time with offset: {v:?}"));
    }
    parsed.map(|t| t.with_timezone(&Utc))
}

async fn handle(State(pd): State<Shared>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let body = to_bytes(body, 1 << 20).await.unwrap();
    let mut pd = pd.lock().unwrap();
    let path = parts.uri.path().to_string();
    pd.log.push(format!("{} {path}", parts.method));
    let header = |n: &str| {
        parts
            .headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    };
    if header("Accept") != "application/vnd.pagerduty+json;version=2" {
        pd.problems
            .push(format!("{path}: Accept is {:?}", header("Accept")));
    }
    if header("Authorization") != format!("Token token={TOKEN}") {
        return answer(
            StatusCode::UNAUTHORIZED,
            json!({"error": {"message": "Unauthorized", "code": 2006}}),
        );
    }
    if pd.throttle > 0 {
        pd.throttle -= 1;
        return Response::builder()
            .status(StatusCode::TOO_MANY_REQUESTS)
            .header("Retry-After", "1")
            .body(Body::from(
                r#"{"error":{"message":"Rate Limit Exceeded","code":2020}}"#,
            ))
            .unwrap();
    }
    let query: BTreeMap<String, String> = reqwest::Url::parse(&format!("http://pd{}", parts.uri))
        .map(|u| u.query_pairs().into_owned().collect())
        .unwrap_or_default();
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let pd = &mut *pd;
    match (&parts.method, segs.as_slice()) {
        (&Method::GET, ["users"]) => {
            let q = query.get("query").cloned().unwrap_or_default();
            let users: Vec<Value> = pd
                .users
                .iter()
                .filter(|(e, _)| !q.is_empty() && e.contains(&q))
                .map(|(e, id)| json!({"id": id, "type": "user", "email": e, "name": e}))
                .collect();
            answer(
                StatusCode::OK,
                json!({"users": users, "limit": 25, "offset": 0, "more": false}),
            )
        }
        (&Method::GET, ["schedules", id, "overrides"]) => {
            let since = rfc3339(
                query.get("since").map(String::as_str),
                "since",
                &mut pd.problems,
            );
            let until = rfc3339(
                query.get("until").map(String::as_str),
                "until",
                &mut pd.problems,
            );
            let (Some(since), Some(until)) = (since, until) else {
                return answer(
                    StatusCode::BAD_REQUEST,
                    json!({"error": {"message": "Invalid Input Provided"}}),
                );
            };
            // Answered in a zone with an offset, as PagerDuty does.
            let zone = FixedOffset::west_opt(4 * 3600).unwrap();
            let list: Vec<Value> = pd
                .overrides
                .iter()
                .filter(|(_, (s, (a, b, _)))| s == id && *b > since && *a < until)
                .map(|(oid, (_, (a, b, u)))| {
                    json!({"id": oid, "start": a.with_timezone(&zone).to_rfc3339(),
                           "end": b.with_timezone(&zone).to_rfc3339(),
                           "user": {"id": u, "type": "user_reference", "summary": u}})
                })
                .collect();
            answer(StatusCode::OK, json!({"overrides": list}))
        }
        (&Method::POST, ["schedules", id, "overrides"]) => {
            create(pd, id, &body, header("Content-Type"))
        }
        (&Method::DELETE, ["schedules", id, "overrides", oid]) => match pd.overrides.get(*oid) {
            Some((s, _)) if s == id => {
                pd.overrides.remove(*oid);
                Response::builder()
                    .status(StatusCode::NO_CONTENT)
                    .body(Body::empty())
                    .unwrap()
            }
            _ => answer(
                StatusCode::NOT_FOUND,
                json!({"error": {"message": "Not Found"}}),
            ),
        },
        _ => {
            pd.problems
                .push(format!("no such endpoint: {} {path}", parts.method));
            answer(
                StatusCode::NOT_FOUND,
                json!({"error": {"message": "Not Found"}}),
            )
        }
    }
}

/// `POST /schedules/{id}/overrides`, checking the body's shape.
fn create(pd: &mut Pd, schedule: &str, body: &[u8], content_type: &str) -> Response {
    if content_type != "application/json" {
        pd.problems
            .push(format!("POST Content-Type is {content_type:?}"));
    }
    let value: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let Some(list) = value.get("overrides").and_then(Value::as_array) else {
        pd.problems
            .push(format!("POST body without an `overrides` array: {value}"));
        return answer(
            StatusCode::BAD_REQUEST,
            json!({"error": {"message": "Invalid Input Provided"}}),
        );
    };
    let mut out = Vec::new();
    for o in list {
        let keys: Vec<&String> = o
            .as_object()
            .map(|m| m.keys().collect())
            .unwrap_or_default();
        if keys != ["end", "start", "user"]
            || o["user"]["type"] != "user_reference"
            || !o["user"]["id"].is_string()
        {
            pd.problems
                .push(format!("override of the wrong shape: {o}"));
        }
        let start = rfc3339(o["start"].as_str(), "start", &mut pd.problems);
        let end = rfc3339(o["end"].as_str(), "end", &mut pd.problems);
        let user = o["user"]["id"].as_str().unwrap_or("").to_string();
        let (Some(start), Some(end)) = (start, end) else {
            continue;
        };
        pd.next_id += 1;
        let id = format!("Q{:05}", pd.next_id);
        pd.overrides.insert(
            id.clone(),
            (schedule.to_string(), (start, end, user.clone())),
        );
        out.push(
            json!({"status": 201, "override": {"id": id, "start": o["start"], "end": o["end"],
                        "user": {"id": user, "type": "user_reference"}}}),
        );
    }
    answer(StatusCode::CREATED, Value::Array(out))
}

/// Starts the server on 127.0.0.1 with every person of `dir` as a user.
fn server(dir: &Path) -> (String, Shared) {
    let ws = oncall::input::load_workspace(dir).unwrap();
    let pd = Shared::default();
    {
        let mut p = pd.lock().unwrap();
        for person in &ws.people {
            p.users.insert(
                person.email.clone(),
                format!("PU{}", person.id.to_uppercase()),
            );
        }
    }
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap();
    let state = pd.clone();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            let app = axum::Router::new().fallback(handle).with_state(state);
            axum::serve(listener, app).await.unwrap();
        });
    });
    (format!("http://{addr}"), pd)
}

fn sync(dir: &Path, url: &str, token: &str, extra: &[&str]) -> Output {
    crate::run::command()
        .arg("-C")
        .arg(dir)
        .args([
            "sync",
            "pagerduty",
            "--team",
            "payments",
            "--from",
            "2027-01-04",
            "--api-url",
            url,
        ])
        .args(extra)
        .env("ONCALL_USER", "tester")
        .env("PAGERDUTY_TOKEN", token)
        .output()
        .unwrap()
}

/// The quickstart with payments mapped to two schedules and four weeks
/// published (planned, then checked by `check-plan`).
fn mapped_workspace(team_file_extra: &str) -> tempfile::TempDir {
    let tmp = copy_of("quickstart");
    let dir = tmp.path();
    let file = dir.join("teams/payments.toml");
    let mut toml = std::fs::read_to_string(&file).unwrap();
    toml.push_str(&format!(
        "\n[pagerduty]\nprimary = \"PPRIMARY\"\nsecondary = \"PSECOND\"\n{team_file_extra}"
    ));
    std::fs::write(&file, toml).unwrap();
    let (p, _) = plan(
        dir,
        "payments",
        &["--from", "2027-01-04", "--weeks", "4"],
        "plan.json",
    );
    publish(dir, "payments", &p);
    tmp
}

/// The timeline's stretches of `role`, one person's contiguous ones merged,
/// with PagerDuty user ids.
fn stretches(dir: &Path, team: &str, role: &str) -> Vec<Span> {
    let mut segs: Vec<_> = timeline(dir, team)
        .segments
        .into_iter()
        .filter(|s| s.role == role)
        .collect();
    segs.sort_by_key(|s| s.start);
    let mut out: Vec<Span> = Vec::new();
    for s in segs {
        let user = format!("PU{}", s.person.to_uppercase());
        match out.last_mut() {
            Some(last) if last.1 == s.start && last.2 == user => last.1 = s.end,
            _ => out.push((s.start, s.end, user)),
        }
    }
    out
}

#[test]
fn dry_run_writes_nothing_and_apply_pages_the_timeline_once() {
    let tmp = mapped_workspace("");
    let dir = tmp.path();
    let (url, pd) = server(dir);

    let dry = ok(&sync(dir, &url, TOKEN, &[]));
    assert!(
        dry.contains("payments primary -> PagerDuty schedule PPRIMARY"),
        "{dry}"
    );
    assert!(
        dry.contains("create ") && dry.contains("(America/Los_Angeles)"),
        "{dry}"
    );
    assert!(
        pd.lock().unwrap().writes().is_empty(),
        "{:?}",
        pd.lock().unwrap().log
    );

    let applied = ok(&sync(dir, &url, TOKEN, &["--apply"]));
    assert!(applied.contains("created"), "{applied}");
    assert!(!applied.contains(TOKEN) && !text(&sync(dir, &url, TOKEN, &[]).stderr).contains(TOKEN));
    {
        let pd = pd.lock().unwrap();
        assert!(pd.problems.is_empty(), "{:?}", pd.problems);
        for (role, schedule) in [("primary", "PPRIMARY"), ("secondary", "PSECOND")] {
            let want = stretches(dir, "payments", role);
            assert!(want.len() >= 2, "{want:?}");
            assert_eq!(pd.spans(schedule), want, "{role}");
        }
    }
    let writes = pd.lock().unwrap().writes().len();
    let again = ok(&sync(dir, &url, TOKEN, &["--apply"]));
    assert_eq!(pd.lock().unwrap().writes().len(), writes, "{again}");
    assert!(again.contains("0 created, 0 deleted"), "{again}");
    let log = ok(&crate::run::oncall(dir, &["log", "payments"]));
    assert!(
        log.contains("sync-pagerduty") && log.contains("tester"),
        "{log}"
    );
}

#[test]
fn after_an_override_only_the_changed_spans_are_rewritten() {
    let tmp = mapped_workspace("");
    let dir = tmp.path();
    let (url, pd) = server(dir);
    ok(&sync(dir, &url, TOKEN, &["--apply"]));
    let before = pd.lock().unwrap().spans("PPRIMARY");
    let tl = timeline(dir, "payments");
    let second = tl
        .segments
        .iter()
        .filter(|s| s.role == "primary")
        .nth(1)
        .unwrap()
        .clone();
    let cover = tl
        .segments
        .iter()
        .find(|s| s.role == "secondary" && s.person != second.person)
        .map(|s| s.person.clone())
        .unwrap();
    // One day of the second week to someone else.
    let from =
        (second.start + chrono::Duration::days(2)).with_timezone(&chrono_tz::America::Los_Angeles);
    let to = from + chrono::Duration::days(1);
    let fmt = |t: DateTime<chrono_tz::Tz>| t.format("%Y-%m-%dT%H:%M").to_string();
    ok(&oncall_as(
        dir,
        &cover,
        &[
            "override",
            "payments",
            "--role",
            "primary",
            "--person",
            &cover,
            "--from",
            &fmt(from),
            "--to",
            &fmt(to),
            "--force",
        ],
    ));
    let writes = pd.lock().unwrap().writes().len();
    let out = ok(&sync(dir, &url, TOKEN, &["--apply"]));
    let pd = pd.lock().unwrap();
    let want = stretches(dir, "payments", "primary");
    assert_eq!(pd.spans("PPRIMARY"), want, "{out}");
    let new_writes: Vec<_> = pd.writes()[writes..].to_vec();
    let deleted = new_writes
        .iter()
        .filter(|w| w.starts_with("DELETE"))
        .count();
    let gone = before.iter().filter(|s| !want.contains(s)).count();
    let added = want.iter().filter(|s| !before.contains(s)).count();
    assert_eq!(deleted, gone, "{new_writes:?}");
    assert!(gone >= 1 && (2..=3).contains(&added), "{before:?} {want:?}");
    let created: usize = new_writes.iter().filter(|w| w.starts_with("POST")).count();
    assert_eq!(created, 1, "one batch: {new_writes:?}");
    assert!(
        out.contains(&format!("created {added}, deleted {gone}")),
        "{out}"
    );
}

#[test]
fn an_override_made_in_pagerduty_is_left_alone_and_reported() {
    let tmp = mapped_workspace("");
    let dir = tmp.path();
    let (url, pd) = server(dir);
    let first = stretches(dir, "payments", "primary")[0].clone();
    let human = (
        first.0 + chrono::Duration::hours(5),
        first.0 + chrono::Duration::hours(9),
        "PUHUMAN".to_string(),
    );
    pd.lock()
        .unwrap()
        .overrides
        .insert("HUMAN1".into(), ("PPRIMARY".into(), human.clone()));
    let out = ok(&sync(dir, &url, TOKEN, &["--apply"]));
    assert!(
        out.contains("conflict") && out.contains("HUMAN1") && out.contains("left alone"),
        "{out}"
    );
    let again = ok(&sync(dir, &url, TOKEN, &["--apply"]));
    assert!(again.contains("HUMAN1"), "{again}");
    let pd = pd.lock().unwrap();
    assert_eq!(
        pd.overrides.get("HUMAN1"),
        Some(&("PPRIMARY".to_string(), human))
    );
    assert!(!pd.log.iter().any(|l| l.contains("HUMAN1")), "{:?}", pd.log);
}

#[test]
fn a_429_with_retry_after_is_waited_out() {
    let tmp = mapped_workspace("");
    let dir = tmp.path();
    let (url, pd) = server(dir);
    pd.lock().unwrap().throttle = 1;
    let started = Instant::now();
    ok(&sync(dir, &url, TOKEN, &["--apply"]));
    assert!(started.elapsed().as_secs_f64() >= 1.0);
    let pd = pd.lock().unwrap();
    assert_eq!(pd.throttle, 0);
    assert_eq!(pd.spans("PPRIMARY"), stretches(dir, "payments", "primary"));
}

#[test]
fn a_refused_token_is_a_clear_error_and_exit_1() {
    let tmp = mapped_workspace("");
    let dir = tmp.path();
    let (url, pd) = server(dir);
    let out = sync(dir, &url, "wrong-token", &["--apply"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("PagerDuty refused the token"), "{err}");
    assert!(!err.contains("wrong-token") && !text(&out.stdout).contains("wrong-token"));
    assert!(pd.lock().unwrap().overrides.is_empty());
    let none = crate::run::command()
        .arg("-C")
        .arg(dir)
        .args(["sync", "pagerduty", "--api-url", &url])
        .env_remove("PAGERDUTY_TOKEN")
        .output()
        .unwrap();
    assert_eq!(none.status.code(), Some(2), "{}", text(&none.stderr));
    assert!(text(&none.stderr).contains("PAGERDUTY_TOKEN"));
}

#[test]
fn a_person_unknown_to_pagerduty_is_named_and_their_schedule_untouched() {
    let tmp = mapped_workspace("");
    let dir = tmp.path();
    let (url, pd) = server(dir);
    let missing = timeline(dir, "payments")
        .segments
        .iter()
        .find(|s| s.role == "secondary")
        .unwrap()
        .person
        .clone();
    let ws = oncall::input::load_workspace(dir).unwrap();
    let email = ws.person(ws.person_by_id(&missing).unwrap()).email.clone();
    pd.lock().unwrap().users.remove(&email);
    let out = sync(dir, &url, TOKEN, &["--apply"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains(&format!(
            "unknown to pagerduty: {missing} (no PagerDuty user"
        )),
        "{stdout}"
    );
    let pd = pd.lock().unwrap();
    assert!(pd.spans("PSECOND").is_empty(), "{:?}", pd.spans("PSECOND"));
    let on_primary = stretches(dir, "payments", "primary")
        .iter()
        .any(|s| s.2 == format!("PU{}", missing.to_uppercase()));
    assert_eq!(pd.spans("PPRIMARY").is_empty(), on_primary);
}

#[test]
fn an_unknown_role_in_the_mapping_is_a_load_error_with_file_and_line() {
    let tmp = copy_of("quickstart");
    let file = tmp.path().join("teams/payments.toml");
    let mut toml = std::fs::read_to_string(&file).unwrap();
    toml.push_str("\n[pagerduty]\nprimray = \"PABC123\"\n");
    std::fs::write(&file, toml).unwrap();
    let out = crate::run::oncall(tmp.path(), &["show", "payments"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("unknown role `primray`")
            && err.contains("teams/payments.toml:")
            && err.contains("primary"),
        "{err}"
    );
}

#[test]
fn the_dst_weeks_are_paged_at_the_plans_instants() {
    let tmp = copy_of("dst");
    let dir = tmp.path();
    let file = dir.join("teams/platform.toml");
    let mut toml = std::fs::read_to_string(&file).unwrap();
    toml.push_str("\n[pagerduty]\nprimary = \"PDST\"\n");
    std::fs::write(&file, toml).unwrap();
    let (p, doc) = plan(
        dir,
        "platform",
        &["--from", "2027-03-15", "--weeks", "3"],
        "plan.json",
    );
    publish(dir, "platform", &p);
    let (url, pd) = server(dir);
    let out = crate::run::command()
        .arg("-C")
        .arg(dir)
        .args([
            "sync",
            "pagerduty",
            "--from",
            "2027-03-15",
            "--apply",
            "--api-url",
            &url,
        ])
        .env("PAGERDUTY_TOKEN", TOKEN)
        .env("ONCALL_USER", "tester")
        .output()
        .unwrap();
    ok(&out);
    let pd = pd.lock().unwrap();
    assert!(pd.problems.is_empty(), "{:?}", pd.problems);
    // The plan's own instants for primary, merged where one person holds
    // consecutive weeks.
    let mut want: Vec<Span> = Vec::new();
    for s in doc["shifts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["role"] == "primary")
    {
        let at = |k: &str| {
            DateTime::parse_from_rfc3339(s[k].as_str().unwrap())
                .unwrap()
                .with_timezone(&Utc)
        };
        let user = format!("PU{}", s["person"].as_str().unwrap().to_uppercase());
        match want.last_mut() {
            Some(last) if last.1 == at("start") && last.2 == user => last.1 = at("end"),
            _ => want.push((at("start"), at("end"), user)),
        }
    }
    assert_eq!(pd.spans("PDST"), want);
    let utc = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
    let spans = pd.spans("PDST");
    assert!(
        spans.iter().any(|s| s.0 == utc("2027-03-22T08:00:00Z")),
        "{spans:?}"
    );
    assert!(
        spans.iter().any(|s| s.1 == utc("2027-03-29T07:00:00Z")),
        "{spans:?}"
    );
}

#[test]
fn a_grafana_feed_names_each_stretch_by_grafana_user_never_by_email() {
    let tmp = mapped_workspace("");
    let dir = tmp.path();
    let mut segs: Vec<_> = timeline(dir, "payments")
        .segments
        .into_iter()
        .filter(|s| s.role == "primary")
        .collect();
    segs.sort_by_key(|s| s.start);
    // Everyone has a Grafana user but the first holder, who is named by id.
    let plain = segs[0].person.clone();
    let people = std::fs::read_to_string(dir.join("people.csv")).unwrap();
    let with_column: Vec<String> = people
        .lines()
        .enumerate()
        .map(|(i, l)| match i {
            0 => format!("{l},grafana_user"),
            _ if l.starts_with(&format!("{plain},")) => format!("{l},"),
            _ => format!("{l},g-{}", l.split(',').next().unwrap()),
        })
        .collect();
    std::fs::write(dir.join("people.csv"), with_column.join("\n") + "\n").unwrap();
    let out = ok(&crate::run::oncall(
        dir,
        &["link", "create", "--team", "payments"],
    ));
    let url = out
        .split_whitespace()
        .find(|w| w.ends_with("/calendar.ics"))
        .unwrap();
    let secret = url
        .trim_end_matches("/calendar.ics")
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    let mut child = crate::run::command()
        .args([
            "-C",
            dir.to_str().unwrap(),
            "serve",
            "--addr",
            "127.0.0.1:0",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    let mut lines = std::io::BufReader::new(child.stderr.take().unwrap());
    std::io::BufRead::read_line(&mut lines, &mut first).unwrap();
    // Keep reading its log, so that the server can go on writing it.
    std::thread::spawn(move || std::io::copy(&mut lines, &mut std::io::sink()));
    let base = first
        .split_whitespace()
        .find(|w| w.starts_with("http://127.0.0.1:"))
        .unwrap()
        .to_string();
    let get = |q: &str| reqwest::blocking::get(format!("{base}/{secret}/calendar.ics{q}")).unwrap();
    let primary = get("?for=grafana&role=primary");
    assert_eq!(primary.status(), reqwest::StatusCode::OK);
    let body = primary.text().unwrap();
    let bad = get("?for=grafana&role=nosuch").status();
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(bad, reqwest::StatusCode::BAD_REQUEST);
    assert!(
        !body.contains("@example.com"),
        "no e-mail in a feed:\n{body}"
    );
    let summaries: Vec<&str> = body
        .lines()
        .filter_map(|l| l.strip_prefix("SUMMARY:"))
        .map(str::trim_end)
        .collect();
    let want: Vec<String> = segs
        .iter()
        .map(|s| {
            if s.person == plain {
                s.person.clone()
            } else {
                format!("g-{}", s.person)
            }
        })
        .collect();
    assert!(want.iter().any(|w| w.starts_with("g-")), "{want:?}");
    assert_eq!(summaries, want);
    let starts: Vec<&str> = body
        .lines()
        .filter_map(|l| l.strip_prefix("DTSTART:"))
        .map(str::trim_end)
        .collect();
    let want_starts: Vec<String> = segs
        .iter()
        .map(|s| s.start.format("%Y%m%dT%H%M%SZ").to_string())
        .collect();
    assert_eq!(starts, want_starts);
}

#[test]
fn serve_sync_every_applies_the_timeline_in_the_background_and_logs_a_summary() {
    let tmp = mapped_workspace("");
    let dir = tmp.path();
    let (url, pd) = server(dir);
    let mut child = crate::run::command()
        .args([
            "-C",
            dir.to_str().unwrap(),
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--sync-every",
            "1s",
        ])
        .args(["--pagerduty-api-url", &url])
        .env("PAGERDUTY_TOKEN", TOKEN)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let log = Arc::new(Mutex::new(String::new()));
    let sink = log.clone();
    let mut stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = std::io::Read::read(&mut stderr, &mut buf) {
            if n == 0 {
                break;
            }
            sink.lock()
                .unwrap()
                .push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
    let want = stretches(dir, "payments", "primary");
    let started = Instant::now();
    // Until the first period has written every schedule and logged its
    // summary: sampling the writes earlier races the rest of that period.
    let synced = || {
        pd.lock().unwrap().spans("PPRIMARY") == want
            && log.lock().unwrap().contains("sync: 2 schedule(s)")
    };
    while !synced() && started.elapsed().as_secs() < 30 {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    // A second period with no change writes nothing.
    let writes = pd.lock().unwrap().writes().len();
    std::thread::sleep(std::time::Duration::from_millis(2500));
    let _ = child.kill();
    let _ = child.wait();
    let pd = pd.lock().unwrap();
    assert_eq!(pd.spans("PPRIMARY"), want);
    assert_eq!(pd.writes().len(), writes);
    let log = log.lock().unwrap().clone();
    assert!(
        log.contains("sync: 2 schedule(s)") && log.contains("created"),
        "{log}"
    );
    assert!(!log.contains(TOKEN), "{log}");
}
