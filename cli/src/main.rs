//! The `oncall` command.
//!
//! Exit status: 0 for success and complete plans; 1 when a slot is unfilled,
//! a change is refused, a plan fails its check, or an input file is wrong;
//! 2 for usage errors (bad arguments, or names and times that do not parse);
//! 3 for internal failures (an `oncall.db` that cannot be read or used, or
//! the solver failing).

mod args;
mod commands;
mod comp;
mod compare;
mod fairness;
mod feeds;
mod links;
mod notify;
mod offers;
mod organisation;
mod render;
mod schedule;
mod serve;
mod store;
mod sync;
mod whatif;
mod workspace;

use std::fmt;
use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use oncall::schedule::service::ClosePeriodError;
use oncall::schedule::store::StoreError;
use oncall::text::terminal::escape_lines;
use oncall::{LoadError, ScheduleError};

/// A command line that is wrong: exit status 2.
#[derive(Debug)]
pub struct UsageError {
    message: String,
    help: Option<String>,
}

impl UsageError {
    pub fn new(message: impl Into<String>) -> Self {
        UsageError {
            message: message.into(),
            help: None,
        }
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(h) = &self.help {
            write!(f, "\n  help: {h}")?;
        }
        Ok(())
    }
}

impl std::error::Error for UsageError {}

fn main() -> ExitCode {
    let cli = match args::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage(&e),
    };
    if let Err(why) = oncall::clock::from_env() {
        let _ = writeln!(std::io::stderr(), "error: {why}");
        return ExitCode::from(2);
    }
    match commands::run(cli) {
        Ok(code) => code,
        Err(err) => report(&err),
    }
}

/// Prints clap's answer: help and version as they are, a usage error with
/// what the user typed escaped for the terminal.
fn usage(e: &clap::Error) -> ExitCode {
    let code = u8::try_from(e.exit_code()).unwrap_or(2);
    if !e.use_stderr() {
        let _ = e.print();
        return ExitCode::from(code);
    }
    let text = e.render().to_string();
    let _ = write!(std::io::stderr(), "{}", escape_lines(&text));
    ExitCode::from(code)
}

/// Prints an error once, with its causes, and picks the exit status.
fn report(err: &anyhow::Error) -> ExitCode {
    if is_broken_pipe(err) {
        return ExitCode::SUCCESS;
    }
    let mut stderr = std::io::stderr().lock();
    if let Some(load) = err.downcast_ref::<LoadError>() {
        // Each diagnostic renders as `error: ... --> file:line`.
        let _ = writeln!(stderr, "{}", escape_lines(&load.to_string()));
        return ExitCode::from(1);
    }
    let _ = writeln!(stderr, "error: {}", escape_lines(&err.to_string()));
    for cause in err.chain().skip(1) {
        let _ = writeln!(stderr, "  caused by: {}", escape_lines(&cause.to_string()));
    }
    if err.downcast_ref::<UsageError>().is_some() {
        ExitCode::from(2)
    } else if store_failure(err).is_some_and(StoreError::is_internal) || solver_failure(err) {
        ExitCode::from(3)
    } else {
        ExitCode::from(1)
    }
}

/// Whether `err` is the solver failing (not a plan that leaves slots
/// unfilled, which is an answer): an internal failure, exit 3.
fn solver_failure(err: &anyhow::Error) -> bool {
    use oncall::plan::optimise::{PlanError, SolveError};
    use oncall::schedule::replan::ReplanError;
    err.chain().any(|c| {
        c.is::<SolveError>()
            || matches!(c.downcast_ref::<PlanError>(), Some(PlanError::Solve(_)))
            || matches!(
                c.downcast_ref::<ReplanError>(),
                Some(ReplanError::Plan(PlanError::Solve(_)))
            )
    })
}

/// The store failure behind `err`, through the service's error types.
fn store_failure(err: &anyhow::Error) -> Option<&StoreError> {
    fn schedule(e: &ScheduleError) -> Option<&StoreError> {
        match e {
            ScheduleError::Store(s) => Some(s),
            _ => None,
        }
    }
    err.chain().find_map(|c| {
        c.downcast_ref::<StoreError>()
            .or_else(|| c.downcast_ref::<ScheduleError>().and_then(schedule))
            .or_else(|| match c.downcast_ref::<ClosePeriodError>() {
                Some(ClosePeriodError::Schedule(e)) => schedule(e),
                _ => None,
            })
    })
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
