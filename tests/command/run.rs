//! Running the real `oncall` binary.

use std::path::Path;
use std::process::{Command, Output};

use crate::support::workspace::text;

/// The moment every test run of the binary takes as the present (see
/// `ONCALL_NOW` in docs/design.md §10): before the examples' 2027 quarters,
/// so offers on them stay open however much real time has passed.
pub(crate) const NOW: &str = "2026-12-01T09:00:00Z";

/// The `oncall` binary, with the clock at [`NOW`].
pub(crate) fn command() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_oncall"));
    c.env("ONCALL_NOW", NOW);
    c
}

/// Runs `oncall -C DIR ARGS...` as the user `tester`.
pub(crate) fn oncall(dir: &Path, args: &[&str]) -> Output {
    command()
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("ONCALL_USER", "tester")
        .output()
        .unwrap()
}

/// The standard output of a run that must succeed.
pub(crate) fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// Runs `oncall -C DIR ARGS...` as `user` (an id or e-mail from people.csv).
pub(crate) fn oncall_as(dir: &Path, user: &str, args: &[&str]) -> Output {
    command()
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("ONCALL_USER", user)
        .output()
        .unwrap()
}

/// Runs a change (`override`, `swap`) as the person who takes the shift
/// (`--person`, else `--with`), who thereby agrees to take it.
pub(crate) fn as_taker(dir: &Path, args: &[&str]) -> Output {
    let after = |flag: &str| {
        args.iter()
            .position(|a| *a == flag)
            .and_then(|i| args.get(i + 1))
    };
    let taker = after("--person").or_else(|| after("--with")).unwrap();
    oncall_as(dir, taker, args)
}
