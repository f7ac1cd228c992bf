//! Running the real `oncall` binary.

use std::path::Path;
use std::process::{Command, Output};

use crate::support::workspace::text;

/// Runs `oncall -C DIR ARGS...` as the user `tester`.
pub(crate) fn oncall(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_oncall"))
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
