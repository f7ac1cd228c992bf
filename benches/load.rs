//! Loading a large workspace: 100,000 people and 20,000 time-off entries
//! (with 10 teams of 100) must load in under 2 s.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};

const PEOPLE: usize = 100_000;
const TIME_OFF: usize = 20_000;
const TEAMS: usize = 10;
const TEAM_SIZE: usize = 100;

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A workspace of `PEOPLE` people, `TIME_OFF` entries over 20 files and
/// `TEAMS` teams.
fn workspace(root: &Path) {
    write(
        root,
        "oncall.toml",
        "timezone = \"UTC\"\n[holidays.US]\n\"2027-01-01\" = \"New Year's Day\"\n",
    );
    let mut people = String::from("id,name,email,timezone,region,joined,left,skills\n");
    for i in 0..PEOPLE {
        writeln!(
            people,
            "p{i},Person {i},p{i}@example.com,,US,2020-01-06,,ops"
        )
        .unwrap();
    }
    write(root, "people.csv", &people);
    for f in 0..20 {
        let mut text = String::new();
        for k in (f..TIME_OFF).step_by(20) {
            let day = 1 + k % 28;
            writeln!(
                text,
                "[[time_off]]\nperson = \"p{}\"\nstart = \"2027-02-{day:02}\"\nend = \"2027-03-{day:02}\"\n",
                (k * 7) % PEOPLE
            )
            .unwrap();
        }
        write(root, &format!("time-off/batch-{f:02}.toml"), &text);
    }
    for t in 0..TEAMS {
        let members: Vec<String> = (0..TEAM_SIZE)
            .map(|m| format!("\"p{}\"", t * TEAM_SIZE + m))
            .collect();
        let team = format!(
            "members = [{}]\nholidays = \"US\"\nhandoff = {{ weekday = \"monday\", time = \"10:00\" }}\n\n[[roles]]\nname = \"primary\"\n",
            members.join(", ")
        );
        write(root, &format!("teams/team-{t}.toml"), &team);
    }
}

fn load(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    workspace(dir.path());
    let ws = oncall::input::load_workspace(dir.path()).unwrap();
    assert_eq!((ws.people.len(), ws.time_off.len()), (PEOPLE, TIME_OFF));
    let mut group = c.benchmark_group("load");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    group.bench_function("100k people, 20k time off", |b| {
        b.iter(|| oncall::input::load_workspace(dir.path()).unwrap());
    });
    group.finish();
}

criterion_group!(benches, load);
criterion_main!(benches);
