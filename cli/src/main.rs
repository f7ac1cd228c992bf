//! The `oncall` command.
//!
//! Exit status: 0 for success and complete plans; 1 when a slot is unfilled,
//! a plan fails its check, or the input is wrong; 2 for usage errors.

mod args;
mod commands;
mod comp;
mod feeds;
mod render;
mod schedule;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    match commands::run(cli) {
        Ok(code) => code,
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            let mut stderr = std::io::stderr().lock();
            // Input errors render themselves fully; other errors print their chain.
            let _ = writeln!(stderr, "{err}");
            for cause in err.chain().skip(1) {
                let _ = writeln!(stderr, "  caused by: {cause}");
            }
            ExitCode::from(1)
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
