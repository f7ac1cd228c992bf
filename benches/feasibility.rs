//! The feasibility check that runs before any optimisation (per-week matching
//! of slots to people): target < 50 ms for 60 people × 52 weeks. Also the full
//! explanation of the `data/infeasible` workspace, and the checker's judging of
//! one assignment once its context is built (brute-force tests judge many).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::Path;

use chrono::NaiveDate;
use criterion::{criterion_group, criterion_main, Criterion};
use oncall::checker::CheckContext;
use oncall::input::synth::{organisation, Shape};
use oncall::plan::explain::{explain, matching_check};
use oncall::plan::horizon::HorizonSpec;
use oncall::{PersonIdx, TeamIdx};

fn feasibility(c: &mut Criterion) {
    let start = NaiveDate::from_ymd_opt(2027, 1, 4).unwrap();
    let ws = organisation(&Shape {
        teams: 1,
        team_size: 60,
        start,
        weeks: 52,
        seed: 7,
    });
    let spec = HorizonSpec::Weeks {
        from: start,
        weeks: 52,
    };
    let clock = std::time::Instant::now();
    let hall = matching_check(&ws, TeamIdx(0), &spec).unwrap();
    eprintln!(
        "matching 60x52: {} Hall violator(s) in {:.1} ms",
        hall.len(),
        clock.elapsed().as_secs_f64() * 1000.0
    );
    c.bench_function("matching_check/60x52", |b| {
        b.iter(|| matching_check(&ws, TeamIdx(0), &spec).unwrap())
    });

    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/infeasible");
    let ws = oncall::input::load_workspace(&root).unwrap();
    let q: HorizonSpec = "2027Q1".parse().unwrap();
    let mut group = c.benchmark_group("explain");
    group.sample_size(10);
    group.bench_function("infeasible", |b| {
        b.iter(|| {
            explain(&ws, TeamIdx(0), &q, &[])
                .unwrap()
                .infeasibility()
                .unwrap()
        })
    });
    group.finish();
}

/// `CheckContext::evaluate` for 60 people × 52 weeks, on an assignment that
/// gives each slot the next eligible member in turn.
fn checker_evaluate(c: &mut Criterion) {
    let start = NaiveDate::from_ymd_opt(2027, 1, 4).unwrap();
    let ws = organisation(&Shape {
        teams: 1,
        team_size: 60,
        start,
        weeks: 52,
        seed: 7,
    });
    let ctx = CheckContext::new(&ws, TeamIdx(0), start, 52).unwrap();
    let members = &ws.teams[0].members;
    let roles = ws.teams[0].roles.len();
    let mut next = 0;
    let assignment: Vec<Vec<Option<PersonIdx>>> = (0..ctx.weeks())
        .map(|w| {
            (0..roles)
                .map(|r| {
                    let found = (0..members.len())
                        .map(|k| members[(next + k) % members.len()])
                        .find(|&p| ctx.eligible(w, r, p));
                    next += 1;
                    found
                })
                .collect()
        })
        .collect();
    c.bench_function("checker/evaluate/60x52", |b| {
        b.iter(|| ctx.evaluate(std::hint::black_box(&assignment)))
    });
}

criterion_group!(benches, feasibility, checker_evaluate);
criterion_main!(benches);
