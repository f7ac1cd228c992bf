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
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::Path;
use std::time::Duration;

use chrono::NaiveDate;
use criterion::{criterion_group, criterion_main, Criterion};
use oncall::horizon::HorizonSpec;
use oncall::optimise::{plan, PlanOptions};
use oncall::synth::{organisation, Shape};
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
        };
        let name = format!("{people}x{weeks}");
        report(&name, &ws, &spec, &opts);
        group.bench_function(&name, |b| {
            b.iter(|| plan(&ws, TeamIdx(0), &spec, &opts).unwrap())
        });
    }
    group.finish();
}

fn examples(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../data");
    let cases: [(&str, &str, HorizonSpec); 4] = [
        ("quickstart", "payments", "2027Q1".parse().unwrap()),
        ("growing-team", "", "2027Q1".parse().unwrap()),
        ("infeasible", "", "2027Q1".parse().unwrap()),
        (
            "dst",
            "",
            HorizonSpec::Weeks {
                from: NaiveDate::from_ymd_opt(2027, 3, 1).unwrap(),
                weeks: 6,
            },
        ),
    ];
    let mut group = c.benchmark_group("examples");
    group.sample_size(10);
    for (dir, _, spec) in cases {
        let ws = oncall::load::load_workspace(&root.join(dir)).expect("example workspace loads");
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

criterion_group!(benches, synthetic, examples);
criterion_main!(benches);
