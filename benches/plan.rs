//! Planning benchmarks for the single-team cases of DESIGN.md §9 and for every
//! example workspace in `data/`.
//!
//! Each case first prints what the plan proved (status, objective, bound, gap)
//! so the speed figures can be read against the targets:
//!
//! | case | target |
//! |---|---|
//! | 10 people × 13 weeks × 2 roles | proven optimal < 0.2 s |
//! | 30 × 13 | proven optimal < 1 s |
//! | 60 × 52 | within 1 % of the bound < 10 s |
//! | 200 teams of 12 × 13 weeks | < 30 s on 2 cores |
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::Path;
use std::time::Duration;

use chrono::NaiveDate;
use criterion::{criterion_group, criterion_main, Criterion};
use oncall::input::synth::{organisation, Shape};
use oncall::plan::horizon::HorizonSpec;
use oncall::plan::optimise::{plan, plan_teams, PlanOptions};
use oncall::{TeamIdx, Workspace};

fn report(name: &str, ws: &Workspace, spec: &HorizonSpec, opts: &PlanOptions) {
    let p = plan(ws, TeamIdx(0), spec, opts).expect("plan");
    eprintln!(
        "{name}: {} in {:.3}s, largest excess {:.4}, bound {:.4}, gap {:.4}%, spread {:.3} (bound {:.3}), unfilled {}",
        p.status.as_str(),
        p.stats.seconds,
        p.max_excess,
        p.stats.bound,
        p.stats.gap * 100.0,
        p.stats.spread,
        p.stats.spread_bound,
        p.unfilled.len()
    );
}

fn synthetic(c: &mut Criterion) {
    let start = NaiveDate::from_ymd_opt(2027, 1, 4).unwrap();
    let mut group = c.benchmark_group("synthetic");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    for (people, weeks, limit) in [(10usize, 13u32, 60.0), (30, 13, 60.0), (60, 52, 10.0)] {
        let ws = organisation(&Shape {
            teams: 1,
            team_size: people,
            start,
            weeks,
            seed: 7,
        });
        let spec = HorizonSpec::Weeks { from: start, weeks };
        let opts = PlanOptions {
            time_limit: Some(limit),
            ..Default::default()
        };
        let name = format!("{people}x{weeks}");
        report(&name, &ws, &spec, &opts);
        group.bench_function(&name, |b| {
            b.iter(|| plan(&ws, TeamIdx(0), &spec, &opts).unwrap())
        });
    }
    group.finish();
}

fn many_teams(c: &mut Criterion) {
    let start = NaiveDate::from_ymd_opt(2027, 1, 4).unwrap();
    let ws = organisation(&Shape {
        teams: 200,
        team_size: 12,
        start,
        weeks: 13,
        seed: 11,
    });
    let spec = HorizonSpec::Weeks {
        from: start,
        weeks: 13,
    };
    let opts = PlanOptions::default();
    let teams: Vec<TeamIdx> = (0..ws.teams.len()).map(TeamIdx).collect();
    let clock = std::time::Instant::now();
    let plans = plan_teams(&ws, &teams, &spec, &opts);
    let optimal = plans
        .iter()
        .filter(|p| {
            p.as_ref()
                .is_ok_and(|p| p.status == oncall::Status::Optimal)
        })
        .count();
    eprintln!(
        "200x12x13: {optimal} of {} teams proven optimal in {:.2}s on {} threads",
        plans.len(),
        clock.elapsed().as_secs_f64(),
        rayon::current_num_threads()
    );
    let mut group = c.benchmark_group("organisation");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(60));
    group.bench_function("200x12x13", |b| {
        b.iter(|| plan_teams(&ws, &teams, &spec, &opts))
    });
    group.finish();
}

fn examples(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../data");
    let cases: [(&str, HorizonSpec); 4] = [
        ("quickstart", "2027Q1".parse().unwrap()),
        ("growing-team", "2027Q1".parse().unwrap()),
        ("infeasible", "2027Q1".parse().unwrap()),
        (
            "dst",
            HorizonSpec::Weeks {
                from: NaiveDate::from_ymd_opt(2027, 3, 1).unwrap(),
                weeks: 6,
            },
        ),
    ];
    let mut group = c.benchmark_group("examples");
    group.sample_size(10);
    for (dir, spec) in cases {
        let ws = oncall::input::load_workspace(&root.join(dir)).expect("example workspace loads");
        let opts = PlanOptions::default();
        for t in 0..ws.teams.len() {
            let name = format!("{dir}/{}", ws.teams[t].id);
            let p = plan(&ws, TeamIdx(t), &spec, &opts).unwrap();
            eprintln!("{name}: {} in {:.3}s", p.status.as_str(), p.stats.seconds);
            group.bench_function(&name, |b| {
                b.iter(|| plan(&ws, TeamIdx(t), &spec, &opts).unwrap())
            });
        }
    }
    group.finish();
}

criterion_group!(benches, synthetic, many_teams, examples);
criterion_main!(benches);
