//! Command-line arguments. These structs hold no logic: `commands` turns them
//! into validated settings.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand, ValueEnum};

/// Fair on-call rotations: plan, check and publish.
#[derive(Debug, Parser)]
#[command(name = "oncall", version, about, propagate_version = true)]
pub struct Cli {
    /// The workspace directory.
    #[arg(
        short = 'C',
        long = "workspace",
        global = true,
        default_value = ".",
        value_name = "DIR"
    )]
    pub dir: PathBuf,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Plan a team's rotation over a quarter or a number of weeks.
    Plan(PlanArgs),
    /// Check a plan JSON against the workspace with the independent checker.
    CheckPlan(CheckPlanArgs),
    /// Validate the inputs and explain, before optimising, why a horizon cannot
    /// be planned completely.
    Check(CheckArgs),
    /// Write a small example workspace into DIR.
    Init(InitArgs),
}

#[derive(Debug, Args)]
pub struct Horizon {
    /// A quarter, e.g. 2027Q1: the weeks whose first day falls in it.
    #[arg(long, conflicts_with_all = ["from", "weeks"], required_unless_present = "from")]
    pub quarter: Option<String>,
    /// Plan from the first handoff on or after this date (YYYY-MM-DD).
    #[arg(long, requires = "weeks")]
    pub from: Option<NaiveDate>,
    /// Number of weeks to plan with --from.
    #[arg(long, requires = "from")]
    pub weeks: Option<u32>,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The team id (the file stem of teams/<team>.toml).
    pub team: String,
    #[command(flatten)]
    pub horizon: Horizon,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write the output to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Stop after this many seconds and return the best plan found so far.
    #[arg(long, value_name = "SECS")]
    pub time_limit: Option<f64>,
}

#[derive(Debug, Args)]
pub struct CheckPlanArgs {
    /// The team id.
    pub team: String,
    /// The plan JSON written by `oncall plan --format json`.
    pub plan: PathBuf,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The team id.
    pub team: String,
    #[command(flatten)]
    pub horizon: Horizon,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// Sentences.
    Text,
    /// The explanation object.
    Json,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Where to write the example workspace (created if missing).
    pub dir: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A week-by-role table and a fairness table.
    Table,
    /// Plan JSON, schema 1.
    Json,
    /// One row per slot.
    Csv,
    /// Markdown tables.
    Md,
}
