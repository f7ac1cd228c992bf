//! The write path at organisation scale: `publish --all` of generated
//! organisations of 100, 400 and 1,000 teams (`oncall generate --seed 5`,
//! one quarter), a republish of the same plans, a single override, `who`
//! and the feeds in the 1,000-team organisation: all at once, and one
//! person's or one team's (what a first feed request builds).
//!
//! Each organisation is planned once with `plan_all` (the time is printed,
//! to compare publishing with planning); `publish_all` then runs the
//! independent checker over every plan, each against the others, and the
//! bench fails unless all of them pass. Sample sizes are small: a run of
//! the whole file takes a few minutes on 2 cores.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use oncall::calendar::feed;
use oncall::input::generate;
use oncall::plan::horizon::HorizonSpec;
use oncall::plan::optimise::PlanOptions;
use oncall::schedule::service::{Outcome, Schedule};
use oncall::schedule::store::{NewOverride, DB_FILE};
use oncall::{PlanDoc, TeamIdx, Workspace};

/// A generated organisation of `teams` teams and its plans for 2027Q1.
struct Org {
    _dir: tempfile::TempDir,
    ws: Workspace,
    docs: Vec<(TeamIdx, PlanDoc)>,
}

fn org(teams: usize) -> Org {
    let dir = tempfile::tempdir().unwrap();
    let files = generate::generate(&generate::Spec {
        teams,
        seed: 5,
        start: NaiveDate::from_ymd_opt(2027, 1, 4).unwrap(),
        size: None,
    });
    generate::write_files(dir.path(), &files).unwrap();
    let ws = oncall::input::load_workspace(dir.path()).unwrap();
    let quarter: HorizonSpec = "2027Q1".parse().unwrap();
    let started = Instant::now();
    let results = Schedule::read_only(&ws)
        .unwrap()
        .plan_all(&quarter, &PlanOptions::default(), None, &|_| {})
        .unwrap();
    let planned = started.elapsed();
    let docs: Vec<(TeamIdx, PlanDoc)> = results
        .into_iter()
        .map(|(t, p)| (t, p.unwrap().to_doc(&ws)))
        .collect();
    eprintln!(
        "{teams} teams, {} people: planned in {:.2} s",
        ws.people.len(),
        planned.as_secs_f64()
    );
    Org {
        _dir: dir,
        ws,
        docs,
    }
}

/// Removes the store, so the next publish starts from nothing.
fn clear(root: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(root.join(format!("{DB_FILE}{suffix}")));
    }
}

/// Publishes every plan; fails unless the checker passed them all.
fn publish(o: &Org) -> Vec<oncall::schedule::organisation::Landed> {
    let mut schedule = Schedule::open(&o.ws).unwrap().acting_as("bench");
    let detail = serde_json::json!({ "plans": "bench" });
    match schedule.publish_all(&o.docs, false, &detail).unwrap() {
        Outcome::Recorded { value, overruled } => {
            assert!(overruled.is_empty(), "{overruled:?}");
            value
        }
        other => panic!("not published: {other:?}"),
    }
}

fn timed<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let started = Instant::now();
    let out = f();
    eprintln!("{what}: {:.3} s", started.elapsed().as_secs_f64());
    out
}

fn publish_all(c: &mut Criterion) {
    let mut group = c.benchmark_group("publish-all");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    for teams in [100usize, 400, 1000] {
        let o = org(teams);
        clear(&o.ws.root);
        let landed = timed(&format!("{teams} teams: first publish"), || publish(&o));
        assert!(landed.iter().all(|l| !l.unchanged && l.version == 1));
        let again = timed(&format!("{teams} teams: republish"), || publish(&o));
        assert!(again.iter().all(|l| l.unchanged && l.version == 1));
        group.bench_function(format!("{teams}-teams"), |b| {
            b.iter_batched(
                || clear(&o.ws.root),
                |()| publish(&o),
                BatchSize::PerIteration,
            )
        });
        clear(&o.ws.root);
        publish(&o);
        group.bench_function(format!("{teams}-teams-unchanged"), |b| {
            b.iter(|| {
                let landed = publish(&o);
                assert!(landed.iter().all(|l| l.unchanged && l.version == 1));
            })
        });
        if teams == 1000 {
            group.finish();
            in_the_organisation(c, &o);
            return;
        }
    }
    group.finish();
}

/// A week of the first team with a published role and another member who
/// could cover it: (team, override).
fn an_override(o: &Org) -> (TeamIdx, NewOverride) {
    let (team, doc) = &o.docs[0];
    let shift = doc.shifts.first().unwrap();
    let t = o.ws.team(*team);
    let other = t
        .members
        .iter()
        .map(|p| o.ws.person(*p).id.clone())
        .find(|id| *id != shift.person)
        .unwrap();
    (
        *team,
        NewOverride {
            role: shift.role.clone(),
            person: other,
            start: shift.start,
            end: shift.start + chrono::Duration::hours(8),
            reason: "bench".into(),
        },
    )
}

/// Single changes and reads in the published 1,000-team organisation.
fn in_the_organisation(c: &mut Criterion, o: &Org) {
    let mut group = c.benchmark_group("organisation-1000");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    let (team, new) = an_override(o);
    group.bench_function("override", |b| {
        b.iter_batched(
            || Schedule::open(&o.ws).unwrap().acting_as(new.person.clone()),
            |mut s| {
                let by = new.person.clone();
                let out = s.override_(team, new.clone(), Some(&by), true).unwrap();
                assert!(out.is_recorded());
            },
            BatchSize::PerIteration,
        )
    });
    let at = o.docs[0].1.shifts[0].start + chrono::Duration::hours(1);
    group.bench_function("who", |b| {
        b.iter(|| {
            let timelines = Schedule::read_only(&o.ws).unwrap().timelines().unwrap();
            let on_call = oncall::schedule::who::on_call(&o.ws, team, &timelines, at);
            assert!(on_call.anyone());
        })
    });
    let person = o.docs[0].1.shifts[0].person.clone();
    group.bench_function("feed-all", |b| {
        b.iter(|| {
            let mut s = Schedule::open(&o.ws).unwrap();
            let events = feed::build(&mut s, None, None).unwrap().events;
            let feeds = feed::person_feeds(&o.ws, &events);
            assert!(feeds
                .iter()
                .any(|f| f.kind == feed::FeedKind::Person(person.clone())));
            feed::team_feeds(&o.ws, &events).len()
        })
    });
    let team_id = o.ws.team(team).id.clone();
    for (name, kind) in [
        ("feed-person", feed::FeedKind::Person(person.clone())),
        ("feed-team", feed::FeedKind::Team(team_id)),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| {
                let mut s = Schedule::open(&o.ws).unwrap();
                let (one, _) = feed::build_one(&mut s, &kind).unwrap();
                assert!(one.text.contains("BEGIN:VEVENT"));
            })
        });
    }
    group.finish();
}

criterion_group!(benches, publish_all);
criterion_main!(benches);
