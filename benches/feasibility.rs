//! The feasibility check that runs before any optimisation (per-week matching
//! of slots to people): target < 50 ms for 60 people × 52 weeks. Also the full
//! explanation of the `data/infeasible` workspace.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::Path;

use chrono::NaiveDate;
use criterion::{criterion_group, criterion_main, Criterion};
use oncall::input::synth::{organisation, Shape};
use oncall::plan::explain::{explain, matching_check};
use oncall::plan::horizon::HorizonSpec;
use oncall::TeamIdx;

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

criterion_group!(benches, feasibility);
criterion_main!(benches);
