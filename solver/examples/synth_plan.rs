#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]
use oncall::input::synth::{organisation, Shape};
use oncall::plan::horizon::HorizonSpec;
use oncall::plan::optimise::{plan, PlanOptions};

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse().unwrap())
        .collect();
    let (size, weeks) = (args[0], args[1] as u32);
    let start = chrono::NaiveDate::from_ymd_opt(2027, 1, 4).unwrap();
    let ws = organisation(&Shape {
        teams: 1,
        team_size: size,
        start,
        weeks,
        seed: 7,
    });
    let t = std::time::Instant::now();
    let p = plan(
        &ws,
        oncall::TeamIdx(0),
        &HorizonSpec::Weeks { from: start, weeks },
        &PlanOptions {
            time_limit: Some(60.0),
            ..Default::default()
        },
    )
    .unwrap();
    println!(
        "{:?} {:?} max_excess={} unfilled={} in {:.2}s",
        p.status,
        p.stats,
        p.max_excess,
        p.unfilled.len(),
        t.elapsed().as_secs_f64()
    );
}
