//! Calendar feeds for a 1,000-person organisation over a year: every
//! person's feed from the resolved timelines. Target < 1 s (docs/design.md §9).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use chrono::{NaiveDate, TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use oncall::calendar::feed::{self, Sequences};
use oncall::input::synth::{organisation, Shape};
use oncall::plan::horizon::{weeks, HorizonSpec};
use oncall::schedule::timeline::{Override, PublishedSlot, Timeline};
use rayon::prelude::*;

fn feeds(c: &mut Criterion) {
    let start = NaiveDate::from_ymd_opt(2027, 1, 4).unwrap();
    let ws = organisation(&Shape {
        teams: 100,
        team_size: 10,
        start,
        weeks: 52,
        seed: 11,
    });
    let spec = HorizonSpec::Weeks {
        from: start,
        weeks: 52,
    };
    let published = Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap();
    // A rotating schedule per team, plus one day's override in every fourth week.
    let timelines: Vec<Timeline> = ws
        .teams
        .par_iter()
        .map(|team| {
            let weeks = weeks(team, &spec).unwrap();
            let mut slots = Vec::new();
            let mut overrides = Vec::new();
            for (k, w) in weeks.iter().enumerate() {
                for (r, role) in team.roles.iter().enumerate() {
                    let who = team.members[(2 * k + r) % team.members.len()];
                    slots.push(PublishedSlot {
                        version: 1,
                        week: w.first_day,
                        role: role.name.clone(),
                        person: ws.person(who).id.clone(),
                        start: w.start,
                        end: w.end,
                        load: 8.0,
                        published,
                    });
                }
                if k % 4 == 0 {
                    let cover = team.members[(2 * k + 5) % team.members.len()];
                    overrides.push(Override {
                        id: k as i64,
                        role: "primary".into(),
                        person: ws.person(cover).id.clone(),
                        start: w.start + chrono::Duration::days(2),
                        end: w.start + chrono::Duration::days(3),
                        reason: String::new(),
                        created: published,
                    });
                }
            }
            Timeline::resolve(team, &slots, &overrides)
        })
        .collect();
    let all = |seqs: &mut Sequences| {
        let mut events = feed::events(&ws, &timelines);
        seqs.assign(&mut events);
        feed::person_feeds(&ws, &events)
    };
    let mut seqs = Sequences::new();
    let clock = std::time::Instant::now();
    let out = all(&mut seqs);
    let bytes: usize = out.iter().map(|f| f.text.len()).sum();
    eprintln!(
        "feeds 1000 people x 52 weeks: {} feeds, {} events, {:.1} MB in {:.0} ms",
        out.len(),
        timelines.iter().map(|t| t.segments.len()).sum::<usize>(),
        bytes as f64 / 1e6,
        clock.elapsed().as_secs_f64() * 1000.0
    );
    assert_eq!(out.len(), 1000);
    c.bench_function("person_feeds/1000x52", |b| b.iter(|| all(&mut seqs)));
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = feeds
}
criterion_main!(benches);
