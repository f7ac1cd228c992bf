//! A bounded load test of `oncall serve` on loopback: 64 concurrent clients
//! for 10 s over 100 person feeds and 10 team pages, half of the requests
//! revalidating with `If-None-Match`. It prints throughput, latency
//! percentiles and the count of each status; any error fails it.
//!
//! ```sh
//! cargo build --release -p oncall-cli
//! ONCALL_BIN=target/release/oncall cargo run --release -p oncall-cli --example serve_load
//! ```
//!
//! `ONCALL_BIN` defaults to `target/debug/oncall`; `LOAD_SECONDS` and
//! `LOAD_CLIENTS` change the duration and the number of clients.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const TEAMS: usize = 10;
const PER_TEAM: usize = 10;

fn main() {
    let bin =
        PathBuf::from(std::env::var("ONCALL_BIN").unwrap_or_else(|_| "target/debug/oncall".into()));
    assert!(
        bin.exists(),
        "{} not found: build it first, or set ONCALL_BIN",
        bin.display()
    );
    let seconds: u64 = env_or("LOAD_SECONDS", 10);
    let clients: usize = env_or("LOAD_CLIENTS", 64);
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path();
    write_workspace(ws);
    let urls = publish_and_link(&bin, ws);
    let mut server = Command::new(&bin)
        .args(["-C", ws.to_str().unwrap(), "serve", "--addr", "127.0.0.1:0"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    let mut err = BufReader::new(server.stderr.take().unwrap());
    err.read_line(&mut first).unwrap();
    // Drain the request log so the server never blocks on it.
    std::thread::spawn(move || for _ in err.lines() {});
    let base = first
        .split_whitespace()
        .find(|w| w.starts_with("http://127.0.0.1:"))
        .unwrap()
        .to_string();
    let urls: Vec<String> = urls.into_iter().map(|p| format!("{base}{p}")).collect();
    let result = run(&urls, clients, Duration::from_secs(seconds));
    let _ = server.kill();
    let _ = server.wait();
    report(&result, seconds, clients, urls.len());
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// 10 teams of 10 people, each on one team, in three zones.
fn write_workspace(ws: &Path) {
    std::fs::create_dir_all(ws.join("teams")).unwrap();
    std::fs::write(
        ws.join("oncall.toml"),
        "timezone = \"America/Los_Angeles\"\n",
    )
    .unwrap();
    let zones = ["America/Los_Angeles", "Europe/Berlin", "Asia/Tokyo"];
    let mut people = String::from("id,name,email,timezone,region,joined,left,skills\n");
    for t in 0..TEAMS {
        let mut members = Vec::new();
        for k in 0..PER_TEAM {
            let id = format!("p{t:02}{k:02}");
            people.push_str(&format!(
                "{id},Person {t}-{k},{id}@example.com,{},US,2020-01-01,,\n",
                zones[k % zones.len()]
            ));
            members.push(format!("\"{id}\""));
        }
        std::fs::write(
            ws.join(format!("teams/team{t:02}.toml")),
            format!(
                "name = \"Team {t}\"\nmembers = [{}]\nescalation = [\"primary\", \"secondary\"]\nhandoff = {{ weekday = \"monday\", time = \"10:00\" }}\n\n[[roles]]\nname = \"primary\"\n\n[[roles]]\nname = \"secondary\"\n",
                members.join(", ")
            ),
        )
        .unwrap();
    }
    std::fs::write(ws.join("people.csv"), people).unwrap();
}

/// Plans and publishes every team for a quarter; returns the paths of 100
/// person feeds and 10 team pages.
fn publish_and_link(bin: &Path, ws: &Path) -> Vec<String> {
    let run = |args: &[&str]| {
        let out = Command::new(bin)
            .arg("-C")
            .arg(ws)
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let secret = |out: &str| {
        let url = out
            .split_whitespace()
            .find(|w| w.ends_with("/calendar.ics"))
            .unwrap();
        url.trim_end_matches("/calendar.ics")
            .rsplit('/')
            .next()
            .unwrap()
            .to_string()
    };
    let mut paths = Vec::new();
    for t in 0..TEAMS {
        let team = format!("team{t:02}");
        let plan = ws.join(format!("{team}.json"));
        let p = plan.to_str().unwrap();
        run(&[
            "plan",
            &team,
            "--quarter",
            "2027Q1",
            "--format",
            "json",
            "--out",
            p,
        ]);
        run(&["publish", &team, p]);
        paths.push(format!(
            "/{}/",
            secret(&run(&["link", "create", "--team", &team]))
        ));
        for k in 0..PER_TEAM {
            let id = format!("p{t:02}{k:02}");
            paths.push(format!(
                "/{}/calendar.ics",
                secret(&run(&["link", "create", "--person", &id]))
            ));
        }
    }
    paths
}

#[derive(Default)]
struct Tally {
    latencies: Vec<Duration>,
    statuses: BTreeMap<u16, u64>,
    errors: Vec<String>,
}

fn run(urls: &[String], clients: usize, length: Duration) -> Tally {
    let tally = Arc::new(Mutex::new(Tally::default()));
    let stop = Arc::new(AtomicBool::new(false));
    let etags: Arc<Mutex<BTreeMap<String, String>>> = Arc::default();
    let threads: Vec<_> = (0..clients)
        .map(|c| {
            let (urls, tally, stop, etags) =
                (urls.to_vec(), tally.clone(), stop.clone(), etags.clone());
            std::thread::spawn(move || {
                let http = reqwest::blocking::Client::builder()
                    .timeout(Duration::from_secs(10))
                    .build()
                    .unwrap();
                let mut mine = Tally::default();
                let mut k = c * 7919;
                while !stop.load(Ordering::Relaxed) {
                    k += 1;
                    let url = &urls[k % urls.len()];
                    let mut req = http.get(url);
                    if k % 2 == 0 {
                        if let Some(e) = etags.lock().unwrap().get(url) {
                            req = req.header("If-None-Match", e.clone());
                        }
                    }
                    let started = Instant::now();
                    match req.send() {
                        Ok(res) => {
                            let status = res.status().as_u16();
                            if let Some(e) = res.headers().get("etag").and_then(|e| e.to_str().ok())
                            {
                                etags.lock().unwrap().insert(url.clone(), e.to_string());
                            }
                            let _ = res.bytes();
                            mine.latencies.push(started.elapsed());
                            *mine.statuses.entry(status).or_default() += 1;
                            if status != 200 && status != 304 {
                                mine.errors.push(format!("{status} for a link"));
                            }
                        }
                        Err(e) => mine.errors.push(e.to_string()),
                    }
                }
                let mut t = tally.lock().unwrap();
                t.latencies.extend(mine.latencies);
                for (s, n) in mine.statuses {
                    *t.statuses.entry(s).or_default() += n;
                }
                t.errors.extend(mine.errors);
            })
        })
        .collect();
    std::thread::sleep(length);
    stop.store(true, Ordering::Relaxed);
    for t in threads {
        t.join().unwrap();
    }
    Arc::try_unwrap(tally).ok().unwrap().into_inner().unwrap()
}

fn report(t: &Tally, seconds: u64, clients: usize, urls: usize) {
    let mut l = t.latencies.clone();
    l.sort();
    let pct = |p: f64| {
        l.get(((l.len() as f64 * p) as usize).min(l.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{} requests in {seconds} s from {clients} clients over {urls} URLs: {:.0} requests/s, p50 {:.2} ms, p99 {:.2} ms, statuses {:?}, errors {}",
        l.len(),
        l.len() as f64 / seconds as f64,
        ms(pct(0.50)),
        ms(pct(0.99)),
        t.statuses,
        t.errors.len()
    );
    if let Some(e) = t.errors.first() {
        eprintln!("first error: {e}");
        std::process::exit(1);
    }
}
