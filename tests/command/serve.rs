//! `oncall serve` over real HTTP on 127.0.0.1, with a real client: links
//! grant their feed, page and now.json; a revoked link is refused on the
//! very next request; ETags round-trip and move with every change; hostile
//! requests get no 5xx; logs never hold a secret; the page renders in
//! headless Chromium.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::cli_fairness::{chromium, published_quickstart};
use crate::run::{as_taker, ok, oncall};
use crate::support::workspace::{root, text};
use reqwest::blocking::Client;
use reqwest::StatusCode;

/// A running server, stopped with SIGTERM when dropped.
struct Server {
    child: Child,
    base: String,
    log: Arc<Mutex<String>>,
}

impl Server {
    fn start(ws: &Path) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_oncall"))
            .args(["-C", ws.to_str().unwrap(), "serve", "--addr", "127.0.0.1:0"])
            // The examples' quarter stays ahead of the server's clock however
            // much real time passes, so its pages show those weeks.
            .env("ONCALL_NOW", crate::run::NOW)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap());
        let mut first = String::new();
        lines.read_line(&mut first).unwrap();
        let base = first
            .split_whitespace()
            .find(|w| w.starts_with("http://127.0.0.1:"))
            .unwrap_or_else(|| panic!("no address in {first:?}"))
            .to_string();
        let log = Arc::new(Mutex::new(first));
        let sink = Arc::clone(&log);
        std::thread::spawn(move || {
            let mut rest = String::new();
            let _ = lines.read_to_string(&mut rest);
            sink.lock().unwrap().push_str(&rest);
        });
        Server { child, base, log }
    }

    /// Stops the server gracefully and returns everything it logged.
    fn stop(mut self) -> String {
        let pid = self.child.id().to_string();
        // The shell's own `kill`: no package needed.
        let term = format!("kill -TERM {pid}");
        Command::new("sh").args(["-c", &term]).status().unwrap();
        let status = wait(&mut self.child, Duration::from_secs(20));
        assert!(
            status.is_some_and(|s| s.success()),
            "graceful exit on SIGTERM: {status:?}"
        );
        std::thread::sleep(Duration::from_millis(200));
        let log = self.log.lock().unwrap().clone();
        log
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn wait(child: &mut Child, limit: Duration) -> Option<std::process::ExitStatus> {
    let start = std::time::Instant::now();
    while start.elapsed() < limit {
        if let Ok(Some(s)) = child.try_wait() {
            return Some(s);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

fn client() -> Client {
    Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

/// Creates a link and returns its secret, from the URL printed once.
fn link(ws: &Path, args: &[&str]) -> String {
    let mut all = vec!["link", "create"];
    all.extend(args);
    let out = ok(&oncall(ws, &all));
    let url = out
        .split_whitespace()
        .find(|w| w.ends_with("/calendar.ics"))
        .unwrap_or_else(|| panic!("no URL in {out}"));
    let secret = url
        .trim_end_matches("/calendar.ics")
        .rsplit('/')
        .next()
        .unwrap();
    assert_eq!(secret.len(), 64, "{url}");
    secret.to_string()
}

#[test]
fn links_grant_their_feed_page_and_now_and_a_revoked_link_is_refused_at_once() {
    let tmp = published_quickstart();
    let ws = tmp.path();
    let team = link(ws, &["--team", "payments"]);
    let alice = link(ws, &["--person", "alice"]);
    let server = Server::start(ws);
    let http = client();
    let get = |path: String| http.get(format!("{}{path}", server.base)).send().unwrap();

    let feed = get(format!("/{team}/calendar.ics"));
    assert_eq!(feed.status(), StatusCode::OK);
    assert_eq!(
        feed.headers()["content-type"],
        "text/calendar; charset=utf-8"
    );
    assert_eq!(feed.headers()["cache-control"], "private, max-age=300");
    let body = feed.text().unwrap();
    assert!(body.starts_with("BEGIN:VCALENDAR\r\n") && body.contains("Carol Chen"));
    assert!(
        !body.contains("@example.com"),
        "no contact details in a feed"
    );

    let page = get(format!("/{team}/"));
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().unwrap();
    assert!(
        html.contains("Carol Chen") && html.contains("<svg") && html.contains("Mon 2027-01-04")
    );
    assert!(
        html.contains("&#60;script&#62;") && !html.contains("<script"),
        "names are text: {html}"
    );
    assert!(!html.contains("@example.com"), "nothing private");
    for fetch in ["src=", "<link", "url(", "@import", "<script"] {
        assert!(!html.contains(fetch), "nothing fetched: {fetch}");
    }
    assert!(
        html.contains("href=\"https://runbooks.example.com/payments\""),
        "the runbook is a link"
    );

    let now = get(format!("/{team}/now.json?at=2027-01-12T12:00:00Z"));
    assert_eq!(now.status(), StatusCode::OK);
    let doc: serde_json::Value = serde_json::from_str(&now.text().unwrap()).unwrap();
    assert_eq!(doc["team"], "payments");
    assert_eq!(doc["roles"][0]["role"], "primary");
    assert!(doc["roles"][0]["holder"]["name"].is_string());
    assert_eq!(
        doc["roles"][0]["runbook"],
        "https://runbooks.example.com/payments"
    );
    assert_eq!(doc["escalation"][0]["label"], "sre.primary");
    assert!(doc["escalation"].as_array().is_some_and(|e| !e.is_empty()));
    assert_eq!(
        get(format!("/{team}/now.json?at=yesterday")).status(),
        StatusCode::BAD_REQUEST
    );

    // Contacts stay local: no feed, page or now.json carries a phone
    // number, a chat handle or an email.
    let people = std::fs::read_to_string(ws.join("people.csv")).unwrap();
    let private: Vec<String> = people
        .lines()
        .skip(1)
        .flat_map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            [f[2], f[8], f[9]].map(str::to_string)
        })
        .filter(|x| !x.is_empty())
        .collect();
    assert!(
        private.iter().any(|x| x.starts_with('+')),
        "the quickstart has phones"
    );
    for path in ["calendar.ics", "", "now.json"] {
        let body = get(format!("/{team}/{path}")).text().unwrap();
        for x in &private {
            assert!(!body.contains(x.as_str()), "{x} in /{path}");
        }
    }
    let mine = get(format!("/{alice}/calendar.ics"));
    assert_eq!(mine.status(), StatusCode::OK);
    assert!(mine.text().unwrap().contains("Alice Adams"));
    assert_eq!(
        get(format!("/{alice}/")).status(),
        StatusCode::NOT_FOUND,
        "a person link grants no page"
    );

    let unknown = get(format!("/{}/calendar.ics", "0".repeat(64)));
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let unknown_body = unknown.text().unwrap();
    ok(&oncall(ws, &["link", "revoke", "1"]));
    let revoked = get(format!("/{team}/calendar.ics"));
    assert_eq!(
        revoked.status(),
        StatusCode::NOT_FOUND,
        "refused on the very next request"
    );
    assert_eq!(
        revoked.text().unwrap(),
        unknown_body,
        "revoked looks like unknown"
    );
    assert_eq!(
        get(format!("/{alice}/calendar.ics")).status(),
        StatusCode::OK
    );

    let nobody = oncall(ws, &["link", "create", "--team", "nobody"]);
    assert_eq!(nobody.status.code(), Some(1));
    assert!(text(&nobody.stderr).contains("there is no team nobody"));
    let list = ok(&oncall(ws, &["link", "list"]));
    assert!(
        !list.contains(&team) && !list.contains(&alice),
        "never the secret"
    );
    assert!(
        list.contains("team payments") && list.contains("person alice"),
        "{list}"
    );
    let alice_row = list.lines().find(|l| l.contains("person alice")).unwrap();
    assert_eq!(
        alice_row.matches(" UTC").count(),
        2,
        "created and last used: {alice_row}"
    );
    let audit = ok(&oncall(ws, &["log"]));
    assert!(
        audit.contains("link-create") && audit.contains("link-revoke"),
        "{audit}"
    );
    let log = server.stop();
    for secret in [&team, &alice] {
        assert!(
            !log.contains(secret.as_str()),
            "a secret in the log:\n{log}"
        );
    }
    assert!(log.contains("link=#1") && log.contains("link=#2"), "{log}");
    let db = std::fs::read(ws.join("oncall.db")).unwrap();
    let hay = String::from_utf8_lossy(&db);
    assert!(
        !hay.contains(team.as_str()) && !hay.contains(alice.as_str()),
        "only hashes stored"
    );
}

#[test]
fn etags_round_trip_and_every_change_moves_them() {
    let tmp = published_quickstart();
    let ws = tmp.path();
    let team = link(ws, &["--team", "payments"]);
    let server = Server::start(ws);
    let http = client();
    let url = format!("{}/{team}/calendar.ics", server.base);
    let fetch = |etag: Option<&str>| {
        let mut req = http.get(&url);
        if let Some(e) = etag {
            req = req.header("If-None-Match", e);
        }
        let res = req.send().unwrap();
        let h = |n: &str| res.headers()[n].to_str().unwrap().to_string();
        (res.status(), h("etag"), h("last-modified"))
    };
    let (status, etag, modified) = fetch(None);
    assert_eq!(status, StatusCode::OK);
    assert!(
        etag.starts_with('"') && etag.ends_with('"'),
        "a strong ETag: {etag}"
    );
    assert_eq!(fetch(Some(&etag)).0, StatusCode::NOT_MODIFIED);
    assert_eq!(
        fetch(Some(&format!("\"x\", {etag}"))).0,
        StatusCode::NOT_MODIFIED
    );

    // An override changes the feed, and so its ETag, on the next request.
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(ws.join("plan.json")).unwrap()).unwrap();
    let week = doc["shifts"][4]["week"].as_str().unwrap().to_string();
    let holders: Vec<&str> = doc["shifts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["week"] == week.as_str())
        .map(|s| s["person"].as_str().unwrap())
        .collect();
    let free = [
        "alice", "bob", "carol", "dan", "erin", "frank", "grace", "heidi", "ivan", "judy",
    ]
    .into_iter()
    .find(|p| !holders.contains(p))
    .unwrap();
    let from = format!("{week}T12:00");
    let to = format!("{week}T18:00");
    let over = as_taker(
        ws,
        &[
            "override", "payments", "--role", "primary", "--person", free, "--from", &from, "--to",
            &to, "--force",
        ],
    );
    ok(&over);
    let (status, after, modified_after) = fetch(Some(&etag));
    assert_eq!(status, StatusCode::OK, "the override shows at once");
    assert_ne!(after, etag);
    let parse = |s: &str| chrono::DateTime::parse_from_rfc2822(s).unwrap();
    assert!(
        parse(&modified_after) >= parse(&modified),
        "Last-Modified never moves back"
    );
    assert_eq!(fetch(Some(&after)).0, StatusCode::NOT_MODIFIED);

    // A publish moves it too.
    let q2 = ws.join("q2.json");
    ok(&oncall(
        ws,
        &[
            "plan",
            "payments",
            "--quarter",
            "2027Q2",
            "--format",
            "json",
            "--out",
            q2.to_str().unwrap(),
        ],
    ));
    ok(&oncall(ws, &["publish", "payments", q2.to_str().unwrap()]));
    let (status, published, _) = fetch(Some(&after));
    assert_eq!(status, StatusCode::OK);
    assert_ne!(published, after);
    server.stop();
}

#[test]
fn hostile_requests_are_refused_without_a_server_error() {
    let tmp = published_quickstart();
    let ws = tmp.path();
    let team = link(ws, &["--team", "payments"]);
    let server = Server::start(ws);
    let http = client();
    let base = &server.base;
    let long = "a".repeat(20_000);
    let paths = [
        format!("/{team}/../../../etc/passwd"),
        format!("/{team}/%2e%2e/%2e%2e/oncall.db"),
        "/../oncall.db".to_string(),
        "/oncall.db".to_string(),
        format!("/{}/calendar.ics", team.to_uppercase()),
        format!("/{}/calendar.ics", &team[..63]),
        format!("/{team}x/calendar.ics"),
        format!("/{}/calendar.ics", "zz".repeat(32)),
        format!("/{long}/calendar.ics"),
        format!("/{team}/{long}"),
        format!("/{team}/now.json?at={long}"),
        format!("/{team}"),
        "/%00/calendar.ics".to_string(),
    ];
    for p in &paths {
        let res = http.get(format!("{base}{p}")).send().unwrap();
        assert!(res.status().is_client_error(), "{p}: {}", res.status());
    }
    for method in ["POST", "PUT", "DELETE", "PATCH"] {
        let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let res = http
            .request(m, format!("{base}/{team}/calendar.ics"))
            .send()
            .unwrap();
        assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED, "{method}");
    }
    let head = http
        .head(format!("{base}/{team}/calendar.ics"))
        .send()
        .unwrap();
    assert_eq!(head.status(), StatusCode::OK);
    assert_eq!(
        http.get(format!("{base}/healthz")).send().unwrap().status(),
        StatusCode::OK
    );
    let log = server.stop();
    assert!(
        !log.contains(&team) && !log.contains(&team.to_uppercase()),
        "{log}"
    );
    assert!(!log.contains(&long), "long paths are not echoed");
}

/// The page as a user sees it: loaded from the running server in headless
/// Chromium, with names, weeks and the chart in the DOM, and a screenshot
/// saved under `target/`.
#[test]
fn the_schedule_page_renders_in_a_browser() {
    let tmp = published_quickstart();
    let ws = tmp.path();
    let team = link(ws, &["--team", "payments"]);
    let server = Server::start(ws);
    let url = format!("{}/{team}/", server.base);
    let profile = tempfile::tempdir().unwrap();
    let dom = chromium(profile.path(), &["--dump-dom"], &url);
    assert!(dom.status.success(), "{}", text(&dom.stderr));
    let dom = text(&dom.stdout);
    for needle in [
        "Carol Chen",
        "&lt;script&gt;",
        "Mon 2027-01-04",
        "<svg",
        "Load against share",
        "America/Los_Angeles",
    ] {
        assert!(dom.contains(needle), "{needle} missing from the page");
    }
    assert!(!dom.contains("needs cover"), "nothing has drifted yet");
    let shot = root().join("target/schedule-page.png");
    let _ = std::fs::remove_file(&shot);
    let profile = tempfile::tempdir().unwrap();
    let arg = format!("--screenshot={}", shot.display());
    let png = chromium(profile.path(), &[&arg, "--window-size=1000,1600"], &url);
    assert!(png.status.success(), "{}", text(&png.stderr));
    assert!(
        std::fs::metadata(&shot).unwrap().len() > 0,
        "empty screenshot"
    );
    server.stop();
}

/// `/healthz` reads every team's published timeline: a store with a row no
/// reader can parse answers 503 naming the team and the column.
#[test]
fn healthz_is_unavailable_when_a_team_cannot_be_served() {
    let tmp = published_quickstart();
    let ws = tmp.path();
    let server = Server::start(ws);
    let http = Client::new();
    let health = |http: &Client| http.get(format!("{}/healthz", server.base)).send().unwrap();
    assert_eq!(health(&http).status(), StatusCode::OK);
    crate::hostile::poison(ws);
    let res = health(&http);
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body = res.text().unwrap();
    assert!(body.contains("team payments cannot be served"), "{body}");
    assert!(body.contains("slots.end"), "{body}");
    drop(server);
}

/// A stretch that today's inputs forbid (a vacation booked after publishing)
/// is shown on the team's page as needing cover, with the rule, and in
/// now.json at an instant inside it.
#[test]
fn the_page_and_now_json_show_a_drifted_stretch_as_needing_cover() {
    let tmp = published_quickstart();
    let ws = tmp.path();
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(ws.join("plan.json")).unwrap()).unwrap();
    let who = crate::schedule::holder(&plan["shifts"], "2027-02-08", "primary");
    let vacations = ws.join("time-off/vacations.toml");
    let mut text_off = std::fs::read_to_string(&vacations).unwrap();
    text_off.push_str(&format!(
        "\n[[time_off]]\nperson = \"{who}\"\nstart = \"2027-02-10\"\nend = \"2027-02-11\"\n"
    ));
    std::fs::write(&vacations, text_off).unwrap();
    let team = link(ws, &["--team", "payments"]);
    let server = Server::start(ws);
    let http = client();
    let get = |path: String| {
        let r = http.get(format!("{}{path}", server.base)).send().unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        r.text().unwrap()
    };
    let page = get(format!("/{team}/"));
    let off = format!("{who} is off 2027-02-10..2027-02-11");
    assert!(
        page.contains("needs cover: ") && page.contains(&off),
        "{page}"
    );
    let now = get(format!("/{team}/now.json?at=2027-02-10T20:00:00Z"));
    let doc: serde_json::Value = serde_json::from_str(&now).unwrap();
    let reasons = doc["roles"][0]["needs_cover"].to_string();
    assert!(reasons.contains(&off), "{doc}");
    server.stop();
}
