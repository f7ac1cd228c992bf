//! `oncall notify`: the outbox every change writes, delivered to a real
//! webhook receiver on 127.0.0.1 (an HTTP server in the test, as
//! `sync.rs` runs one for PagerDuty).

use std::collections::{BTreeMap, VecDeque};
use std::path::Path;
use std::process::Output;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::response::Response;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde_json::Value;

use crate::run::{as_taker, command, ok, oncall, oncall_as, NOW};
use crate::schedule::{holder, plan, publish, timeline};
use crate::support::workspace::{copy_of, text};

const SECRET: &str = "webhook-test-secret";

/// One request the receiver got.
#[derive(Clone, Debug)]
struct Got {
    path: String,
    headers: BTreeMap<String, String>,
    body: String,
}

impl Got {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap()
    }
    fn delivery(&self) -> &str {
        &self.headers["x-oncall-delivery"]
    }
}

#[derive(Default)]
struct Receiver {
    got: Vec<Got>,
    /// Statuses to answer, in order; 200 once they run out.
    answers: VecDeque<u16>,
    /// Wait this long before answering each request.
    delay: Duration,
    /// Hold the next request this long before answering (once).
    hang: Option<Duration>,
}

type Shared = Arc<Mutex<Receiver>>;

async fn handle(State(rx): State<Shared>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let body = to_bytes(body, 1 << 20).await.unwrap();
    let headers = parts
        .headers
        .iter()
        .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    let (delay, status) = {
        let mut rx = rx.lock().unwrap();
        rx.got.push(Got {
            path: parts.uri.path().to_string(),
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
        });
        let delay = rx.hang.take().unwrap_or(rx.delay);
        (delay, rx.answers.pop_front().unwrap_or(200))
    };
    tokio::time::sleep(delay).await;
    Response::builder()
        .status(status)
        .body(Body::from("ok"))
        .unwrap()
}

/// Starts the receiver on 127.0.0.1; returns its base URL.
fn receiver() -> (String, Shared) {
    let rx = Shared::default();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap();
    let state = rx.clone();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            let app = axum::Router::new().fallback(handle).with_state(state);
            axum::serve(listener, app).await.unwrap();
        });
    });
    (format!("http://{addr}"), rx)
}

/// A child process killed when dropped, even by a failing assertion.
struct Killed(std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `oncall notify ARGS` with the clock at `now` and the signing secret set.
fn notify_at(dir: &Path, now: &str, args: &[&str]) -> Output {
    command()
        .arg("-C")
        .arg(dir)
        .arg("notify")
        .args(args)
        .env("ONCALL_NOW", now)
        .env("ONCALL_WEBHOOK_SECRET", SECRET)
        .output()
        .unwrap()
}

fn later(minutes: i64) -> String {
    let t = DateTime::parse_from_rfc3339(NOW).unwrap() + chrono::Duration::minutes(minutes);
    t.with_timezone(&Utc).to_rfc3339()
}

/// The quickstart with webhooks at `urls` (signed, for payments) in
/// oncall.toml and four weeks of payments published from 2027-01-04.
fn workspace(urls: &[String]) -> (tempfile::TempDir, Value) {
    let tmp = copy_of("quickstart");
    let dir = tmp.path();
    let mut toml = std::fs::read_to_string(dir.join("oncall.toml")).unwrap();
    for url in urls {
        toml.push_str(&format!(
            "\n[[notify.webhook]]\nurl = \"{url}\"\nformat = \"json\"\n\
             secret_env = \"ONCALL_WEBHOOK_SECRET\"\nteam = \"payments\"\n"
        ));
    }
    std::fs::write(dir.join("oncall.toml"), toml).unwrap();
    let (p, json) = plan(
        dir,
        "payments",
        &["--from", "2027-01-04", "--weeks", "4"],
        "plan.json",
    );
    publish(dir, "payments", &p);
    (tmp, json)
}

/// Someone who holds nothing in the weeks of 2027-01-11 to 2027-01-25.
fn free_person(plan: &Value) -> &'static str {
    let busy: Vec<String> = ["2027-01-11", "2027-01-18", "2027-01-25"]
        .iter()
        .flat_map(|w| ["primary", "secondary"].map(|r| holder(&plan["shifts"], w, r)))
        .collect();
    ["alice", "bob", "carol", "erin", "frank", "grace", "heidi"]
        .into_iter()
        .find(|p| !busy.contains(&p.to_string()))
        .expect("someone is free")
}

/// An afternoon of primary in the week of 2027-01-18 for `person`.
fn override_args(person: &str) -> Vec<&str> {
    vec![
        "override",
        "payments",
        "--role",
        "primary",
        "--person",
        person,
        "--from",
        "2027-01-20T13:00",
        "--to",
        "2027-01-20T18:00",
        "--reason",
        "dentist",
    ]
}

fn verify(got: &Got) {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(got.body.as_bytes());
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(got.headers["x-oncall-signature"], format!("sha256={hex}"));
    assert_eq!(got.headers["x-oncall-delivery"], got.json()["id"]);
    assert_eq!(got.headers["x-oncall-event"], got.json()["event"]);
}

fn utc(v: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(v.as_str().unwrap())
        .unwrap()
        .with_timezone(&Utc)
}

#[test]
fn an_override_by_its_taker_is_delivered_once_signed_with_the_timelines_spans() {
    let (url, rx) = receiver();
    let (tmp, q) = workspace(&[format!("{url}/hook")]);
    let dir = tmp.path();
    // The publish itself is announced.
    ok(&notify_at(dir, NOW, &["--once"]));
    let published = rx.lock().unwrap().got.clone();
    assert_eq!(published.len(), 1, "{published:?}");
    assert_eq!(published[0].json()["event"], "publish");
    verify(&published[0]);

    let taker = free_person(&q);
    let covered = holder(&q["shifts"], "2027-01-18", "primary");
    ok(&as_taker(dir, &override_args(taker)));
    let dry = ok(&notify_at(dir, NOW, &["--dry-run"]));
    assert!(dry.contains("1 delivery(ies) due"), "{dry}");
    assert_eq!(rx.lock().unwrap().got.len(), 1, "a dry run sends nothing");
    let out = ok(&notify_at(dir, NOW, &["--once"]));
    assert!(out.contains("delivered"), "{out}");
    let got = rx.lock().unwrap().got.clone();
    assert_eq!(got.len(), 2, "exactly one more delivery: {got:?}");
    let hook = &got[1];
    verify(hook);
    assert_eq!(hook.path, "/hook");
    let body = hook.json();
    assert_eq!(body["event"], "override");
    assert_eq!(body["team"], "payments");
    let mut people: Vec<&str> = vec![taker, &covered];
    people.sort_unstable();
    let ids: Vec<&str> = body["people"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, people);
    // No contact details: the quickstart's people have phones and chat handles.
    assert!(!hook.body.contains("+1 555") && !hook.body.contains("@example.com"));
    assert!(!hook.body.contains(&format!("@{taker}\"")));

    // The stretch handed over is the timeline's, as `show` reads it.
    let changes = body["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 2, "{changes:?}");
    let tl = timeline(dir, "payments");
    for c in changes {
        assert_eq!(c["role"], "primary");
        assert_eq!(c["before"], covered.as_str());
        assert_eq!(c["after"], taker);
        let (from, to) = (utc(&c["from"]), utc(&c["to"]));
        let held: Vec<_> = tl
            .segments
            .iter()
            .filter(|s| s.role == "primary" && s.start < to && s.end > from)
            .map(|s| (s.person.as_str(), s.start, s.end))
            .collect();
        assert_eq!(held, [(taker, from, to)]);
        assert_eq!(from.to_rfc3339(), "2027-01-20T21:00:00+00:00");
        assert_eq!(to.to_rfc3339(), "2027-01-21T02:00:00+00:00");
    }
    // Nothing more to send, however late.
    ok(&notify_at(dir, &later(24 * 60), &["--once"]));
    assert_eq!(rx.lock().unwrap().got.len(), 2);
}

#[test]
fn a_refused_change_writes_and_sends_nothing() {
    let (url, rx) = receiver();
    let (tmp, q) = workspace(&[format!("{url}/hook")]);
    let dir = tmp.path();
    ok(&notify_at(dir, NOW, &["--once"]));
    let before = oncall::schedule::store::Store::open(dir)
        .unwrap()
        .notification_ids()
        .unwrap();
    assert_eq!(before.len(), 1, "the publish");
    // Not the taker: refused for want of consent.
    let out = oncall(dir, &override_args(free_person(&q)));
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let after = oncall::schedule::store::Store::open(dir)
        .unwrap()
        .notification_ids()
        .unwrap();
    assert_eq!(after, before);
    let dry = ok(&notify_at(dir, NOW, &["--dry-run"]));
    assert!(dry.contains("0 delivery(ies) due"), "{dry}");
    ok(&notify_at(dir, NOW, &["--once"]));
    assert_eq!(rx.lock().unwrap().got.len(), 1);
}

#[test]
fn a_receiver_failing_twice_gets_it_on_the_third_attempt_after_backoff() {
    let (url, rx) = receiver();
    let (tmp, _) = workspace(&[format!("{url}/hook")]);
    let dir = tmp.path();
    rx.lock().unwrap().answers = [500, 500].into();
    let first = ok(&notify_at(dir, NOW, &["--once"]));
    assert!(first.contains("retry"), "{first}");
    // Not due again for a minute (plus jitter).
    ok(&notify_at(dir, &later(0), &["--once"]));
    assert_eq!(rx.lock().unwrap().got.len(), 1);
    ok(&notify_at(dir, &later(2), &["--once"]));
    assert_eq!(rx.lock().unwrap().got.len(), 2);
    // The second wait is two minutes.
    ok(&notify_at(dir, &later(3), &["--once"]));
    assert_eq!(rx.lock().unwrap().got.len(), 2);
    let third = ok(&notify_at(dir, &later(5), &["--once"]));
    assert!(third.contains("delivered"), "{third}");
    ok(&notify_at(dir, &later(24 * 60), &["--once"]));
    let got = rx.lock().unwrap().got.clone();
    assert_eq!(got.len(), 3);
    assert!(got.iter().all(|g| g.delivery() == got[0].delivery()));
    let failed = ok(&notify_at(dir, &later(24 * 60), &["--failed"]));
    assert!(failed.contains("0 failed"), "{failed}");
}

#[test]
fn a_receiver_refusing_for_good_is_failed_and_listed() {
    let (url, rx) = receiver();
    let (tmp, _) = workspace(&[format!("{url}/hook")]);
    let dir = tmp.path();
    rx.lock().unwrap().answers = [404].into();
    let out = notify_at(dir, NOW, &["--once"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    ok(&notify_at(dir, &later(24 * 60), &["--once"]));
    assert_eq!(rx.lock().unwrap().got.len(), 1, "never retried");
    let failed = ok(&notify_at(dir, NOW, &["--failed"]));
    assert!(
        failed.contains("after 1 attempt(s): answered HTTP 404"),
        "{failed}"
    );
}

#[test]
fn two_deliverers_racing_send_each_delivery_once() {
    let (url, rx) = receiver();
    let hooks: Vec<String> = (0..4).map(|i| format!("{url}/hook{i}")).collect();
    let (tmp, q) = workspace(&hooks);
    let dir = tmp.path();
    ok(&as_taker(dir, &override_args(free_person(&q))));
    rx.lock().unwrap().delay = Duration::from_millis(150);
    let spawn = || {
        command()
            .arg("-C")
            .arg(dir)
            .args(["notify", "--once"])
            .env("ONCALL_WEBHOOK_SECRET", SECRET)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn(), spawn());
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    ok(&a);
    ok(&b);
    let got = rx.lock().unwrap().got.clone();
    // Two notifications (the publish, the override), four webhooks each.
    let mut seen: Vec<(String, String)> = got
        .iter()
        .map(|g| (g.path.clone(), g.delivery().to_string()))
        .collect();
    seen.sort();
    let before = seen.len();
    seen.dedup();
    assert_eq!(before, seen.len(), "a delivery was sent twice: {seen:?}");
    assert_eq!(seen.len(), 8, "{seen:?}");
}

#[test]
fn a_deliverer_killed_mid_attempt_leaves_it_to_the_next_run_after_its_lease() {
    let (url, rx) = receiver();
    let (tmp, _) = workspace(&[format!("{url}/hook")]);
    let dir = tmp.path();
    rx.lock().unwrap().hang = Some(Duration::from_secs(8));
    let mut child = command()
        .arg("-C")
        .arg(dir)
        .args(["notify", "--once"])
        .env("ONCALL_WEBHOOK_SECRET", SECRET)
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while rx.lock().unwrap().got.is_empty() {
        assert!(start.elapsed() < Duration::from_secs(30), "never sent");
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    // The lease still holds it: nobody sends it yet.
    ok(&notify_at(dir, NOW, &["--once"]));
    assert_eq!(rx.lock().unwrap().got.len(), 1);
    // Once the lease has run out, the next run delivers it, and that is all.
    let out = ok(&notify_at(dir, &later(2), &["--once"]));
    assert!(out.contains("delivered"), "{out}");
    ok(&notify_at(dir, &later(24 * 60), &["--once"]));
    let got = rx.lock().unwrap().got.clone();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].delivery(), got[1].delivery());
}

#[test]
fn offers_are_announced_when_made_accepted_and_cancelled() {
    let (url, rx) = receiver();
    let (tmp, q) = workspace(&[format!("{url}/hook")]);
    let dir = tmp.path();
    let asker = holder(&q["shifts"], "2027-01-18", "primary");
    let request = |from: &str, to: &str| {
        let out = oncall_as(
            dir,
            &asker,
            &["cover", "request", "payments", "--from", from, "--to", to],
        );
        let line = ok(&out);
        let id = line
            .strip_prefix("offer #")
            .and_then(|r| r.split(':').next());
        id.unwrap_or_else(|| panic!("no offer id in {line}"))
            .to_string()
    };
    let first = request("2027-01-20T13:00", "2027-01-20T18:00");
    let taker = free_person(&q);
    ok(&oncall_as(dir, taker, &["accept", &first]));
    let second = request("2027-01-21T13:00", "2027-01-21T18:00");
    ok(&oncall_as(dir, &asker, &["cancel", &second]));
    ok(&notify_at(dir, NOW, &["--once"]));
    let got = rx.lock().unwrap().got.clone();
    let events: Vec<(String, Value, Value)> = got
        .iter()
        .map(|g| {
            let b = g.json();
            let people: Vec<Value> = b["people"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["id"].clone())
                .collect();
            (
                b["event"].as_str().unwrap().to_string(),
                b["offer"].clone(),
                Value::from(people),
            )
        })
        .collect();
    let mut both = vec![asker.clone(), taker.to_string()];
    both.sort();
    let num = |s: &str| Value::from(s.parse::<i64>().unwrap());
    assert_eq!(
        events,
        [
            ("publish".to_string(), Value::Null, events[0].2.clone()),
            (
                "offer-created".into(),
                num(&first),
                Value::from(vec![asker.clone()])
            ),
            ("offer-accepted".into(), Value::Null, Value::from(both)),
            (
                "offer-created".into(),
                num(&second),
                Value::from(vec![asker.clone()])
            ),
            (
                "offer-cancelled".into(),
                num(&second),
                Value::from(vec![asker.clone()])
            ),
        ]
    );
    let accepted = got[2].json();
    assert!(accepted["changes"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["before"] == asker.as_str() && c["after"] == taker));
    got.iter().for_each(verify);
}

/// A real SMTP server: Python's aiosmtpd, from the test venv
/// (`$ONCALL_PYTHON`), writing what it receives into a Maildir.
struct Smtp {
    child: std::process::Child,
    port: u16,
    maildir: tempfile::TempDir,
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Smtp {
    fn start() -> Smtp {
        let py = std::env::var("ONCALL_PYTHON").unwrap_or_else(|_| "python3".to_string());
        let probe = std::process::Command::new(&py)
            .args(["-c", "import aiosmtpd"])
            .output();
        assert!(
            probe.is_ok_and(|o| o.status.success()),
            "the e-mail tests need aiosmtpd: run scripts/test.sh, which installs it into \
             target/py, or `python3 -m pip install aiosmtpd` (set ONCALL_PYTHON to that python)"
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let maildir = tempfile::tempdir().unwrap();
        let child = std::process::Command::new(&py)
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(maildir.path().join("box"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let start = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "aiosmtpd did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Smtp {
            child,
            port,
            maildir,
        }
    }

    /// The calendar attachments of every message to `address`, read with
    /// Python's `email` and icalendar: per attachment, its METHOD and each
    /// event's (DTSTART, DTEND, SUMMARY) in UTC.
    fn calendars_to(&self, address: &str) -> Value {
        let py = std::env::var("ONCALL_PYTHON").unwrap_or_else(|_| "python3".to_string());
        let script = r#"
import email, glob, json, sys, icalendar
out = []
for path in sorted(glob.glob(sys.argv[1] + "/new/*")):
    msg = email.message_from_binary_file(open(path, "rb"))
    if sys.argv[2] not in msg["To"]:
        continue
    for part in msg.walk():
        if part.get_content_type() == "text/calendar":
            cal = icalendar.Calendar.from_ical(part.get_payload(decode=True))
            events = [[e.decoded("DTSTART").isoformat(), e.decoded("DTEND").isoformat(),
                       str(e["SUMMARY"])] for e in cal.walk("VEVENT")]
            out.append({"method": str(cal["METHOD"]), "events": events})
print(json.dumps(out))
"#;
        let out = std::process::Command::new(py)
            .args(["-c", script])
            .arg(self.maildir.path().join("box"))
            .arg(address)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// Every message received, raw.
    fn messages(&self) -> Vec<String> {
        let Ok(dir) = std::fs::read_dir(self.maildir.path().join("box/new")) else {
            return Vec::new();
        };
        // Quoted-printable soft line breaks undone; the bodies are ASCII.
        let raw = dir.map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap());
        raw.map(|m| m.replace("=\r\n", "").replace("=\n", ""))
            .collect()
    }
}

fn with_email(dir: &Path, port: u16, tls: &str) {
    let mut toml = std::fs::read_to_string(dir.join("oncall.toml")).unwrap();
    toml.push_str(&format!(
        "\n[notify.email]\nsmtp = \"127.0.0.1:{port}\"\nfrom = \"On-call <oncall@example.com>\"\n{tls}"
    ));
    std::fs::write(dir.join("oncall.toml"), toml).unwrap();
}

#[test]
fn an_override_mails_each_person_whose_shifts_changed_once_in_their_own_zone() {
    let smtp = Smtp::start();
    let (url, rx) = receiver();
    let (tmp, q) = workspace(&[format!("{url}/hook")]);
    let dir = tmp.path();
    ok(&notify_at(dir, NOW, &["--once"]));
    with_email(dir, smtp.port, "tls = \"off\"\n");
    let taker = free_person(&q);
    let covered = holder(&q["shifts"], "2027-01-18", "primary");
    ok(&as_taker(dir, &override_args(taker)));
    let out = ok(&notify_at(dir, NOW, &["--once"]));
    assert!(out.contains("3 delivery attempt(s)"), "{out}");
    ok(&notify_at(dir, &later(24 * 60), &["--once"]));
    assert_eq!(rx.lock().unwrap().got.len(), 2, "publish and override");
    let id = rx.lock().unwrap().got[1].delivery().to_string();
    let mails = smtp.messages();
    assert_eq!(mails.len(), 2, "{mails:#?}");
    let ws = oncall::input::load_workspace(dir).unwrap();
    let (from, to) = (
        DateTime::parse_from_rfc3339("2027-01-20T21:00:00Z").unwrap(),
        DateTime::parse_from_rfc3339("2027-01-21T02:00:00Z").unwrap(),
    );
    for (who, verb) in [
        (taker, "you now hold"),
        (covered.as_str(), "you no longer hold"),
    ] {
        let p = ws.person(ws.person_by_id(who).unwrap());
        let mail = mails
            .iter()
            .find(|m| m.contains(&format!("<{}>", p.email)))
            .unwrap_or_else(|| panic!("no mail to {who}: {mails:#?}"));
        let fmt = |t: DateTime<chrono::FixedOffset>| {
            t.with_timezone(&p.timezone)
                .format("%a %Y-%m-%d %H:%M")
                .to_string()
        };
        let line = format!("{verb} primary {} to {}", fmt(from), fmt(to));
        assert!(mail.contains(&line), "{line}\n{mail}");
        assert!(
            mail.contains(&format!("Message-ID: <{id}.{who}@example.com>")),
            "{mail}"
        );
        assert!(mail.contains(p.timezone.name()), "{mail}");
        assert!(
            mail.contains("Date: Tue, 01 Dec 2026 09:00:00 +0000"),
            "{mail}"
        );
        assert!(
            !mail.contains("+1 555") && !mail.contains("@alice"),
            "{mail}"
        );
    }
    // The taker gets the afternoon as a calendar event; the covered person
    // gives a shift away and gets none.
    let email = |who: &str| ws.person(ws.person_by_id(who).unwrap()).email.clone();
    assert_eq!(
        smtp.calendars_to(&email(taker)),
        serde_json::json!([{"method": "PUBLISH", "events": [[
            "2027-01-20T21:00:00+00:00", "2027-01-21T02:00:00+00:00", "On call: Payments primary"
        ]]}])
    );
    assert_eq!(smtp.calendars_to(&email(&covered)), serde_json::json!([]));
}

#[test]
fn e_mail_without_starttls_is_not_sent_unless_tls_is_off() {
    let smtp = Smtp::start();
    let (tmp, q) = workspace(&[]);
    let dir = tmp.path();
    with_email(dir, smtp.port, "");
    ok(&as_taker(dir, &override_args(free_person(&q))));
    let out = ok(&notify_at(dir, NOW, &["--once"]));
    assert!(out.contains("retry") && out.contains("email:"), "{out}");
    assert!(smtp.messages().is_empty());
}

#[test]
fn publish_all_announces_each_team_whose_timeline_changed_in_its_transaction() {
    let (url, rx) = receiver();
    let tmp = copy_of("quickstart");
    let dir = tmp.path();
    let mut toml = std::fs::read_to_string(dir.join("oncall.toml")).unwrap();
    toml.push_str(&format!("\n[[notify.webhook]]\nurl = \"{url}/all\"\n"));
    std::fs::write(dir.join("oncall.toml"), toml).unwrap();
    let plans = dir.join("plans");
    let plans = plans.to_str().unwrap();
    ok(&oncall(
        dir,
        &[
            "plan",
            "--all",
            "--from",
            "2027-01-04",
            "--weeks",
            "2",
            "--out",
            plans,
        ],
    ));
    for entry in std::fs::read_dir(dir.join("plans")).unwrap() {
        let path = entry.unwrap().path();
        let team = path.file_stem().unwrap().to_str().unwrap().to_string();
        ok(&oncall(dir, &["check-plan", &team, path.to_str().unwrap()]));
    }
    ok(&oncall(dir, &["publish", "--all", plans]));
    // The same set again changes nobody's shifts: nothing more to announce.
    ok(&oncall(dir, &["publish", "--all", plans]));
    ok(&notify_at(dir, NOW, &["--once"]));
    let got = rx.lock().unwrap().got.clone();
    let mut teams: Vec<String> = got
        .iter()
        .map(|g| {
            assert_eq!(g.json()["event"], "publish");
            assert!(
                !g.headers.contains_key("x-oncall-signature"),
                "no secret, no signature"
            );
            g.json()["team"].as_str().unwrap().to_string()
        })
        .collect();
    teams.sort();
    let ws = oncall::input::load_workspace(dir).unwrap();
    let all: Vec<String> = ws.teams.iter().map(|t| t.id.clone()).collect();
    assert_eq!(teams, all);
    // Every stretch of each team's timeline is in its notification, as gained.
    for g in &got {
        let body = g.json();
        let team = body["team"].as_str().unwrap();
        let gained: Vec<(String, String, DateTime<Utc>, DateTime<Utc>)> = body["changes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                assert!(c["before"].is_null());
                let p = c["person"].as_str().unwrap().to_string();
                (
                    c["role"].as_str().unwrap().to_string(),
                    p,
                    utc(&c["from"]),
                    utc(&c["to"]),
                )
            })
            .collect();
        let mut held: Vec<_> = timeline(dir, team)
            .segments
            .into_iter()
            .map(|s| (s.role, s.person, s.start, s.end))
            .collect();
        held.sort();
        let mut gained = gained;
        gained.sort();
        assert_eq!(gained, held, "{team}");
    }
}

#[test]
fn each_shift_is_reminded_of_once_including_one_an_override_gives_but_not_one_it_takes() {
    let (url, rx) = receiver();
    let (tmp, q) = workspace(&[format!("{url}/hook")]);
    let dir = tmp.path();
    let mut toml = std::fs::read_to_string(dir.join("oncall.toml")).unwrap();
    toml = toml.replacen(
        "[[notify.webhook]]",
        "[notify]\nremind_before = \"24h\"\n\n[[notify.webhook]]",
        1,
    );
    std::fs::write(dir.join("oncall.toml"), &toml).unwrap();
    // The taker covers the first day of the week of 2027-01-25 (handoff
    // Monday 10:00 in Los Angeles, 18:00Z).
    let taker = free_person(&q);
    let given = holder(&q["shifts"], "2027-01-25", "primary");
    let second = holder(&q["shifts"], "2027-01-25", "secondary");
    let mut args = override_args(taker);
    args[7] = "2027-01-25T10:00";
    args[9] = "2027-01-26T10:00";
    ok(&as_taker(dir, &args));
    ok(&notify_at(dir, NOW, &["--once"]));
    let changes = rx.lock().unwrap().got.len();
    assert_eq!(changes, 2, "publish and override; nothing due yet");
    // A day before the week: its shifts that begin within 24 hours.
    for now in ["2027-01-24T19:00:00Z", "2027-01-24T20:00:00Z"] {
        ok(&notify_at(dir, now, &["--once"]));
    }
    let got = rx.lock().unwrap().got.clone();
    let mut reminded: Vec<(String, String, String)> = got[changes..]
        .iter()
        .map(|g| {
            let b = g.json();
            assert_eq!(b["event"], "reminder");
            let c = &b["changes"][0];
            let p = c["person"].as_str().unwrap().to_string();
            (
                p,
                c["role"].as_str().unwrap().to_string(),
                c["from"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    reminded.sort();
    let mut want = vec![
        (
            taker.to_string(),
            "primary".to_string(),
            "2027-01-25T18:00:00Z".to_string(),
        ),
        (
            second.clone(),
            "secondary".to_string(),
            "2027-01-25T18:00:00Z".to_string(),
        ),
    ];
    want.sort();
    assert_eq!(reminded, want, "not {given}, whose first day was taken");
    // The covered person's shift resumes the next day: reminded then, once.
    for now in ["2027-01-25T19:00:00Z", "2027-01-25T21:00:00Z"] {
        ok(&notify_at(dir, now, &["--once"]));
    }
    let got = rx.lock().unwrap().got.clone();
    assert_eq!(got.len(), changes + 3, "{got:#?}");
    let last = got[changes + 2].json();
    assert_eq!(last["changes"][0]["person"], given.as_str());
    assert_eq!(last["changes"][0]["from"], "2027-01-26T18:00:00Z");
}

#[test]
fn serve_delivers_in_the_background_with_notify_every() {
    let (url, rx) = receiver();
    let (tmp, q) = workspace(&[format!("{url}/hook")]);
    let dir = tmp.path();
    let server = command()
        .arg("-C")
        .arg(dir)
        .args(["serve", "--addr", "127.0.0.1:0", "--notify-every", "1s"])
        .env("ONCALL_WEBHOOK_SECRET", SECRET)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let server = Killed(server);
    let wait_for = |n: usize| {
        let start = Instant::now();
        while rx.lock().unwrap().got.len() < n {
            assert!(start.elapsed() < Duration::from_secs(30), "not delivered");
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    wait_for(1);
    ok(&as_taker(dir, &override_args(free_person(&q))));
    wait_for(2);
    std::thread::sleep(Duration::from_millis(1500));
    drop(server);
    let got = rx.lock().unwrap().got.clone();
    let events: Vec<Value> = got.iter().map(|g| g.json()["event"].clone()).collect();
    assert_eq!(events, ["publish", "override"]);
    got.iter().for_each(verify);
}

/// Sets the `notify` column of `people.csv`: `value` for `person`, empty
/// for everyone else.
fn set_notify_column(dir: &Path, person: &str, value: &str) {
    let file = dir.join("people.csv");
    let csv = std::fs::read_to_string(&file).unwrap();
    let mut out = String::new();
    for (i, line) in csv.lines().enumerate() {
        let extra = if i == 0 {
            "notify"
        } else if line.starts_with(&format!("{person},")) {
            value
        } else {
            ""
        };
        out.push_str(&format!("{line},{extra}\n"));
    }
    std::fs::write(file, out).unwrap();
}

#[test]
fn a_person_with_notify_none_is_not_mailed_and_a_bad_value_is_named_by_line() {
    let smtp = Smtp::start();
    let (tmp, q) = workspace(&[]);
    let dir = tmp.path();
    with_email(dir, smtp.port, "tls = \"off\"\n");
    let taker = free_person(&q);
    let covered = holder(&q["shifts"], "2027-01-18", "primary");
    let people = std::fs::read_to_string(dir.join("people.csv")).unwrap();
    set_notify_column(dir, &covered, "none");
    ok(&as_taker(dir, &override_args(taker)));
    ok(&notify_at(dir, NOW, &["--once"]));
    let mails = smtp.messages();
    assert_eq!(mails.len(), 1, "{mails:#?}");
    let ws = oncall::input::load_workspace(dir).unwrap();
    let email = &ws.person(ws.person_by_id(taker).unwrap()).email;
    assert!(mails[0].contains(&format!("<{email}>")), "{}", mails[0]);

    std::fs::write(dir.join("people.csv"), people).unwrap();
    set_notify_column(dir, taker, "sometimes");
    let out = oncall(dir, &["check-plan", "payments", "plan.json"]);
    let err = text(&out.stderr);
    assert_ne!(out.status.code(), Some(0), "{err}");
    let line = std::fs::read_to_string(dir.join("people.csv"))
        .unwrap()
        .lines()
        .position(|l| l.starts_with(&format!("{taker},")))
        .unwrap()
        + 1;
    assert!(
        err.contains(&format!("people.csv:{line}:"))
            && err.contains("unknown `notify` `sometimes`"),
        "{err}"
    );
}

#[test]
fn closing_a_pay_period_is_announced_to_each_team_paid_in_it() {
    let (url, rx) = receiver();
    let (tmp, q) = workspace(&[format!("{url}/hook")]);
    let dir = tmp.path();
    ok(&oncall(
        dir,
        &[
            "comp",
            "close",
            "--from",
            "2027-01-01",
            "--to",
            "2027-02-01",
        ],
    ));
    ok(&notify_at(dir, NOW, &["--once"]));
    let got = rx.lock().unwrap().got.clone();
    assert_eq!(got.len(), 2, "publish and close: {got:#?}");
    let body = got[1].json();
    assert_eq!(body["event"], "pay-period-closed");
    assert_eq!(
        body["period"],
        serde_json::json!({"from": "2027-01-01", "to": "2027-02-01"})
    );
    let mut paid: Vec<String> = q["shifts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["person"].as_str().unwrap().to_string())
        .collect();
    paid.sort();
    paid.dedup();
    let ids: Vec<&str> = body["people"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, paid);
    verify(&got[1]);
}

#[test]
fn a_slack_webhook_gets_only_the_text_and_only_changes_made_after_it_was_added() {
    let (url, rx) = receiver();
    let (tmp, q) = workspace(&[]);
    let dir = tmp.path();
    let mut toml = std::fs::read_to_string(dir.join("oncall.toml")).unwrap();
    toml.push_str(&format!(
        "\n[[notify.webhook]]\nurl = \"{url}/slack\"\nformat = \"slack\"\n"
    ));
    std::fs::write(dir.join("oncall.toml"), toml).unwrap();
    let taker = free_person(&q);
    ok(&as_taker(dir, &override_args(taker)));
    ok(&notify_at(dir, NOW, &["--once"]));
    let got = rx.lock().unwrap().got.clone();
    assert_eq!(got.len(), 1, "not the publish made before: {got:#?}");
    let body = got[0].json();
    let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["text"]);
    let text = body["text"].as_str().unwrap();
    let ws = oncall::input::load_workspace(dir).unwrap();
    let name = &ws.person(ws.person_by_id(taker).unwrap()).name;
    assert!(
        text.starts_with("payments: override changed 1 stretch (times America/Los_Angeles):")
            && text.contains("primary Wed 2027-01-20 13:00 to Wed 2027-01-20 18:00: ")
            && text.ends_with(&format!("-> {name}")),
        "{text}"
    );
    assert_eq!(got[0].headers["x-oncall-event"], "override");
}

/// An open offer whose time comes with nobody taking it is announced as
/// expired, to its asker, once: not before its time, and not again.
#[test]
fn an_offer_nobody_takes_is_announced_as_expired_once() {
    let (url, rx) = receiver();
    let (tmp, q) = workspace(&[format!("{url}/hook")]);
    let dir = tmp.path();
    let asker = holder(&q["shifts"], "2027-01-18", "primary");
    let out = oncall_as(
        dir,
        &asker,
        &[
            "cover",
            "request",
            "payments",
            "--from",
            "2027-01-20T13:00",
            "--to",
            "2027-01-20T18:00",
        ],
    );
    let line = ok(&out);
    let id: i64 = line
        .strip_prefix("offer #")
        .and_then(|r| r.split(':').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no offer id in {line}"));
    let expired = |rx: &Shared| -> Vec<Value> {
        let got = rx.lock().unwrap().got.clone();
        got.iter()
            .map(|g| g.json())
            .filter(|b| b["event"] == "offer-expired")
            .collect()
    };
    ok(&notify_at(dir, NOW, &["--once"]));
    assert!(expired(&rx).is_empty(), "expired before its time");
    // 13:00 in Los Angeles on 2027-01-20 is 21:00Z; a minute after it.
    for _ in 0..2 {
        ok(&notify_at(dir, "2027-01-20T21:01:00Z", &["--once"]));
    }
    let once = expired(&rx);
    assert_eq!(once.len(), 1, "{once:?}");
    assert_eq!(once[0]["offer"], id);
    let people: Vec<&Value> = once[0]["people"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| &p["id"])
        .collect();
    assert_eq!(people, [&Value::from(asker.as_str())]);
    assert!(once[0]["text"]
        .as_str()
        .unwrap()
        .contains(&format!("offer #{id} expired")));
}
