//! Planning benchmarks for the single-team cases of docs/design.md §9 and for every
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
//! | 200 teams of 12 × 13 weeks, 20 % of people on two teams | < 30 s on 2 cores |
//! | a 1,000-person organisation from `oncall generate`, one quarter | (measured) |
//!
//! Every plan a bench makes is re-verified by the independent checker first.
//! The organisation cases plan with `plan_all` (teams that share people
//! together) and judge each plan against the other plans of its organisation.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::Path;
use std::time::Duration;

use chrono::NaiveDate;
use criterion::{criterion_group, criterion_main, Criterion};
use oncall::checker::check_plan_around;
use oncall::input::generate;
use oncall::input::synth::{organisation, share_people, Shape};
use oncall::model::history::Busy;
use oncall::plan::horizon::HorizonSpec;
use oncall::plan::optimise::{self, plan, PlanOptions, TeamContext};
use oncall::{TeamIdx, Workspace};

/// Plans `team`, and fails the bench unless the independent checker passes
/// the plan.
fn checked_plan(
    ws: &Workspace,
    team: TeamIdx,
    spec: &HorizonSpec,
    opts: &PlanOptions,
) -> oncall::plan::Plan {
    let p = plan(ws, team, spec, opts).expect("plan");
    let report = oncall::checker::check_plan(ws, team, &p.to_doc(ws));
    assert!(
        report.violations.is_empty(),
        "{}: {:?}",
        ws.team(team).id,
        report.violations
    );
    p
}

fn report(name: &str, ws: &Workspace, spec: &HorizonSpec, opts: &PlanOptions) {
    let p = checked_plan(ws, TeamIdx(0), spec, opts);
    eprintln!("{name}: {}", p.summary());
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

/// Plans every team of `ws` with `plan_all` and reports what was proven,
/// after checking every plan against the others with the independent
/// checker.
fn report_all(name: &str, ws: &Workspace, spec: &HorizonSpec, opts: &PlanOptions) {
    let teams: Vec<TeamIdx> = (0..ws.teams.len()).map(TeamIdx).collect();
    let components = optimise::components(ws, &teams);
    let clock = std::time::Instant::now();
    let results = plan_org(ws, spec, opts);
    let seconds = clock.elapsed().as_secs_f64();
    let plans: Vec<&oncall::Plan> = results.iter().map(|(_, r)| r.as_ref().unwrap()).collect();
    let docs: Vec<oncall::PlanDoc> = plans.iter().map(|p| p.to_doc(ws)).collect();
    for (k, doc) in docs.iter().enumerate() {
        let busy: Vec<Busy> = docs
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != k)
            .flat_map(|(_, d)| {
                d.shifts.iter().map(|s| Busy {
                    person: s.person.clone(),
                    team: d.team.clone(),
                    role: s.role.clone(),
                    start: s.start,
                    end: s.end,
                })
            })
            .collect();
        let report = check_plan_around(ws, plans[k].team, doc, &[], &busy);
        assert!(
            report.violations.is_empty(),
            "{}: {:?}",
            doc.team,
            report.violations
        );
    }
    let optimal = plans
        .iter()
        .filter(|p| p.status == oncall::Status::Optimal)
        .count();
    let unfilled: usize = plans.iter().map(|p| p.unfilled.len()).sum();
    let shared = (0..ws.people.len())
        .filter(|&p| {
            ws.teams
                .iter()
                .filter(|t| t.has_member(oncall::PersonIdx(p)))
                .count()
                > 1
        })
        .count();
    eprintln!(
        "{name}: {} teams, {} people ({shared} on two or more teams) in {} components; \
         {optimal} proven optimal, {unfilled} slots unfilled, in {seconds:.2}s on {} threads; \
         every plan passes the checker",
        plans.len(),
        ws.people.len(),
        components.len(),
        rayon::current_num_threads()
    );
}

fn plan_org(ws: &Workspace, spec: &HorizonSpec, opts: &PlanOptions) -> Vec<optimise::TeamResult> {
    let teams: Vec<TeamIdx> = (0..ws.teams.len()).map(TeamIdx).collect();
    let context = |_| TeamContext::default();
    optimise::plan_all(ws, &teams, spec, opts, &context, None, &|_| {}).unwrap()
}

fn many_teams(c: &mut Criterion) {
    let start = NaiveDate::from_ymd_opt(2027, 1, 4).unwrap();
    let mut ws = organisation(&Shape {
        teams: 200,
        team_size: 12,
        start,
        weeks: 13,
        seed: 11,
    });
    share_people(&mut ws, 0.2, 4);
    let spec = HorizonSpec::Weeks {
        from: start,
        weeks: 13,
    };
    let opts = PlanOptions::default();
    report_all("200x12x13, 20% shared", &ws, &spec, &opts);
    let dir = tempfile::tempdir().unwrap();
    let files = generate::generate(&generate::Spec {
        teams: 83,
        seed: 3,
        start,
        size: None,
    });
    generate::write_files(dir.path(), &files).unwrap();
    let generated = oncall::input::load_workspace(dir.path()).unwrap();
    let quarter: HorizonSpec = "2027Q1".parse().unwrap();
    report_all("generated organisation", &generated, &quarter, &opts);
    let mut group = c.benchmark_group("organisation");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(60));
    group.bench_function("200x12x13-shared", |b| {
        b.iter(|| plan_org(&ws, &spec, &opts))
    });
    group.bench_function("generated-1000-people", |b| {
        b.iter(|| plan_org(&generated, &quarter, &opts))
    });
    group.finish();
}

/// One team that looks like a real one, from `oncall generate`: several
/// zones and holiday regions, DST in both hemispheres, a skill held by about
/// half the team, joiners and leavers, clustered time off, rest 1 or 2,
/// sometimes `max_shifts` or excused absence.
fn realistic_team(size: usize, seed: u64) -> (tempfile::TempDir, Workspace) {
    let dir = tempfile::tempdir().unwrap();
    let files = generate::generate(&generate::Spec {
        teams: 1,
        seed,
        start: NaiveDate::from_ymd_opt(2027, 1, 4).unwrap(),
        size: Some(size),
    });
    generate::write_files(dir.path(), &files).unwrap();
    let ws = oncall::input::load_workspace(dir.path()).unwrap();
    (dir, ws)
}

/// A seeded suite of realistic teams at 8, 12, 30 and 60 people over 13, 26
/// and 52 weeks. Each case reports what its first plan proved (status,
/// bound, gap, the slowest phase), after the independent checker passes it.
fn realistic(c: &mut Criterion) {
    let mut group = c.benchmark_group("realistic");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    for size in [8usize, 12, 30, 60] {
        for weeks in [13u32, 26, 52] {
            let (_dir, ws) = realistic_team(size, 1000 + size as u64);
            // Teams hand off on their own weekday: the horizon starts at the
            // first handoff on or after the first Monday of the year.
            let spec = HorizonSpec::Weeks {
                from: NaiveDate::from_ymd_opt(2027, 1, 4).unwrap(),
                weeks,
            };
            let opts = PlanOptions {
                time_limit: Some(10.0),
                ..Default::default()
            };
            let name = format!("{size}x{weeks}");
            let p = checked_plan(&ws, TeamIdx(0), &spec, &opts);
            eprintln!("realistic {name}: {}", p.summary());
            group.bench_function(&name, |b| {
                b.iter(|| plan(&ws, TeamIdx(0), &spec, &opts).unwrap())
            });
        }
    }
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
            let p = checked_plan(&ws, TeamIdx(t), &spec, &opts);
            eprintln!("{name}: {}", p.summary());
            group.bench_function(&name, |b| {
                b.iter(|| plan(&ws, TeamIdx(t), &spec, &opts).unwrap())
            });
        }
    }
    group.finish();
}

criterion_group!(benches, synthetic, many_teams, realistic, examples);
criterion_main!(benches);
