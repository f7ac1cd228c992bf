//! Plans one realistic generated team and prints what the solve proved and
//! where its time went: `cargo run --release --example realistic -- SIZE WEEKS [SEED] [LIMIT]`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]
use chrono::NaiveDate;
use oncall::input::generate;
use oncall::plan::horizon::HorizonSpec;
use oncall::plan::optimise::{plan, PlanOptions};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let size: usize = args[0].parse().unwrap();
    let weeks: u32 = args[1].parse().unwrap();
    let seed: u64 = args
        .get(2)
        .map_or(1000 + size as u64, |s| s.parse().unwrap());
    let limit: f64 = args.get(3).map_or(10.0, |s| s.parse().unwrap());
    let start = NaiveDate::from_ymd_opt(2027, 1, 4).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let files = generate::generate(&generate::Spec {
        teams: 1,
        seed,
        start,
        size: Some(size),
    });
    generate::write_files(dir.path(), &files).unwrap();
    let ws = oncall::input::load_workspace(dir.path()).unwrap();
    let spec = HorizonSpec::Weeks { from: start, weeks };
    let opts = PlanOptions {
        time_limit: Some(limit),
        ..Default::default()
    };
    let p = plan(&ws, oncall::TeamIdx(0), &spec, &opts).unwrap();
    let report = oncall::checker::check_plan(&ws, oncall::TeamIdx(0), &p.to_doc(&ws));
    assert!(report.violations.is_empty(), "{:?}", report.violations);
    println!("{size}x{weeks} seed {seed}: {}", p.summary());
    for ph in &p.stats.phases {
        println!("  {:<16}{:.4}", ph.name, ph.seconds);
    }
}
