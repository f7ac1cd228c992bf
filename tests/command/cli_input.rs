//! Input hardening through the real binary: files that are not regular or
//! too large, unsafe ids, huge numbers, repeated pages and unknown holiday
//! regions are refused with exit status 1 and a diagnostic naming the file
//! and line; spoilt team files never crash the command.

use std::path::Path;
use std::process::Output;

use proptest::prelude::*;

use crate::run::oncall;
use crate::support::fuzz::{cases, mutate, mutation, team_toml};
use crate::support::workspace::{copy_of, text};

/// Runs `oncall check payments --quarter 2027Q1`.
fn check(dir: &Path) -> Output {
    bounded(dir, &["check", "payments", "--quarter", "2027Q1"])
}

/// Runs `oncall -C DIR ARGS...`, killing it after a minute: a reader that
/// blocks on a FIFO or reads `/dev/zero` must fail the test, not hang it.
fn bounded(dir: &Path, args: &[&str]) -> Output {
    let mut child = crate::run::command()
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("ONCALL_USER", "tester")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("`oncall {}` did not finish within a minute", args.join(" "));
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

/// Asserts exit status 1 and that stderr holds every one of `needles`.
fn refused(out: &Output, needles: &[&str]) {
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "stderr:\n{err}");
    for n in needles {
        assert!(err.contains(n), "{n:?} not in stderr:\n{err}");
    }
}

/// `rel` of the quickstart workspace with `from` replaced by `to`.
fn edit(dir: &Path, rel: &str, from: &str, to: &str) {
    let path = dir.join(rel);
    let old = std::fs::read_to_string(&path).unwrap();
    assert!(old.contains(from), "{from:?} not in {rel}");
    std::fs::write(path, old.replacen(from, to, 1)).unwrap();
}

#[cfg(unix)]
#[test]
fn a_fifo_team_file_is_refused_unread() {
    let tmp = copy_of("quickstart");
    let fifo = tmp.path().join("teams/payments.toml");
    std::fs::remove_file(&fifo).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    refused(
        &check(tmp.path()),
        &[
            "error: `teams/payments.toml` is a FIFO (named pipe), not a regular file",
            "--> teams/payments.toml",
            "help: oncall reads only regular files",
        ],
    );
}

#[cfg(unix)]
#[test]
fn a_link_to_dev_zero_and_a_directory_are_refused_unread() {
    let tmp = copy_of("quickstart");
    let people = tmp.path().join("people.csv");
    std::fs::remove_file(&people).unwrap();
    std::os::unix::fs::symlink("/dev/zero", &people).unwrap();
    std::fs::create_dir(tmp.path().join("teams/ops.toml")).unwrap();
    refused(
        &check(tmp.path()),
        &[
            "error: `people.csv` is a character device, not a regular file\n  --> people.csv\n",
            "error: `teams/ops.toml` is a directory, not a regular file\n  --> teams/ops.toml\n",
        ],
    );
}

#[test]
fn a_file_over_the_size_limit_is_refused() {
    let tmp = copy_of("quickstart");
    let mut people = std::fs::read_to_string(tmp.path().join("people.csv")).unwrap();
    people.push_str(&"#".repeat(16 * 1024 * 1024));
    std::fs::write(tmp.path().join("people.csv"), people).unwrap();
    refused(
        &check(tmp.path()),
        &[
            "error: `people.csv` is larger than the 16 MiB limit\n  --> people.csv\n",
            "help: input files are read only up to 16 MiB",
        ],
    );
}

#[test]
fn a_person_id_with_a_path_is_refused() {
    let tmp = copy_of("quickstart");
    let people = tmp.path().join("people.csv");
    let mut text = std::fs::read_to_string(&people).unwrap();
    let line = text.lines().count() + 1;
    text.push_str("x/../../ESCAPED,Eve,eve@example.com,,US,2020-01-06,,,,\n");
    std::fs::write(&people, text).unwrap();
    refused(
        &check(tmp.path()),
        &[
            "error: person id `x/../../ESCAPED` contains `/`",
            &format!("--> people.csv:{line}:1"),
            "e.g. `x-escaped`",
        ],
    );
}

#[test]
fn a_team_file_name_that_is_no_id_is_refused() {
    let tmp = copy_of("quickstart");
    std::fs::copy(
        tmp.path().join("teams/payments.toml"),
        tmp.path().join("teams/Pay ments.toml"),
    )
    .unwrap();
    refused(
        &check(tmp.path()),
        &[
            "error: team id `Pay ments` (the file name) contains the uppercase letter `P`",
            "--> teams/Pay ments.toml:1",
            "rename the file",
            "e.g. `pay-ments`",
        ],
    );
}

#[test]
fn a_huge_rate_is_refused_instead_of_overflowing_pay() {
    let tmp = copy_of("quickstart");
    edit(
        tmp.path(),
        "oncall.toml",
        "weekday = \"50.00\"",
        "weekday = \"79228162514264337593543950335\"",
    );
    refused(
        &oncall(
            tmp.path(),
            &["comp", "--from", "2027-01-01", "--to", "2027-02-01"],
        ),
        &[
            "error: rate `weekday` must be from 0 to 1000000, got 79228162514264337593543950335",
            "--> oncall.toml:19:11",
        ],
    );
}

#[test]
fn a_huge_carry_or_weight_is_a_diagnostic_not_a_solver_error() {
    let tmp = copy_of("quickstart");
    edit(
        tmp.path(),
        "teams/payments.toml",
        "alice = 4.0",
        "alice = 1e308",
    );
    edit(
        tmp.path(),
        "oncall.toml",
        "weekend = 1.5",
        "weekend = 1e308",
    );
    refused(
        &check(tmp.path()),
        &[
            "error: load weight `weekend` must be from 0 to 1000000, got 1e308",
            "--> oncall.toml:6:11",
            "error: carry-over of `alice` must be from -1000000 to 1000000, got 1e308",
            "--> teams/payments.toml:29:9",
        ],
    );
}

#[test]
fn an_unknown_team_holiday_region_lists_the_known_ones() {
    let tmp = copy_of("quickstart");
    edit(
        tmp.path(),
        "teams/payments.toml",
        "holidays = \"US\"",
        "holidays = \"XX\"",
    );
    refused(
        &check(tmp.path()),
        &[
            "error: unknown holiday region `XX`",
            "--> teams/payments.toml:3:12",
            "help: add a [holidays.XX] table to oncall.toml, or use a known region: `US`",
        ],
    );
}

#[test]
fn a_repeated_incident_row_is_refused_naming_both_lines() {
    let tmp = copy_of("quickstart");
    let pages = tmp.path().join("pages.csv");
    std::fs::write(
        &pages,
        "time,person,team\n\
         2027-01-09T03:12:00Z,alice,payments\n\
         2027-01-10T03:12:00Z,bob,payments\n\
         2027-01-08T19:12:00-08:00,alice,payments\n",
    )
    .unwrap();
    let out = oncall(
        tmp.path(),
        &[
            "comp",
            "--from",
            "2027-01-01",
            "--to",
            "2027-02-01",
            "--incidents",
            pages.to_str().unwrap(),
        ],
    );
    refused(
        &out,
        &[
            "error: duplicate page: the same time, person and team as line 2",
            &format!("--> {}:4:1", pages.display()),
            "help: each row pays one page",
        ],
    );
}

#[cfg(unix)]
#[test]
fn an_incidents_fifo_and_a_plan_fifo_are_refused_unread() {
    let tmp = copy_of("quickstart");
    let fifo = tmp.path().join("pages.csv");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let fifo = fifo.to_str().unwrap();
    let comp = bounded(
        tmp.path(),
        &[
            "comp",
            "--from",
            "2027-01-01",
            "--to",
            "2027-02-01",
            "--incidents",
            fifo,
        ],
    );
    refused(
        &comp,
        &[
            &format!("cannot read {fifo}"),
            "a FIFO (named pipe), not a regular file",
        ],
    );
    let plan = bounded(tmp.path(), &["check-plan", "payments", fifo]);
    refused(
        &plan,
        &[
            &format!("cannot read the plan {fifo}"),
            "not a regular file",
        ],
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(16), ..ProptestConfig::default() })]

    /// A spoilt team file: `oncall check` exits 0 or 1, never crashes, and an
    /// error names a workspace file.
    #[test]
    fn spoilt_team_files_never_crash_the_command(team in team_toml(), m in mutation()) {
        let tmp = copy_of("quickstart");
        std::fs::write(tmp.path().join("teams/payments.toml"), mutate(&team, &m)).unwrap();
        let out = check(tmp.path());
        let err = text(&out.stderr);
        prop_assert!(matches!(out.status.code(), Some(0 | 1)), "exit {:?}:\n{}", out.status.code(), err);
        if err.contains("errors in the workspace") || err.contains("error in the workspace") {
            let files = ["--> oncall.toml", "--> people.csv", "--> teams/payments.toml", "--> time-off/"];
            prop_assert!(files.iter().any(|f| err.contains(f)), "no file named:\n{}", err);
        }
    }
}
