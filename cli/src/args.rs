//! Command-line arguments. These structs hold no logic: `commands` turns them
//! into validated settings.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand, ValueEnum};
use oncall::HorizonSpec;

/// Fair on-call rotations: plan, check and publish.
#[derive(Debug, Parser)]
#[command(name = "oncall", version, about, propagate_version = true)]
pub(crate) struct Cli {
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
pub(crate) enum Command {
    /// Plan a team's rotation over a quarter or a number of weeks.
    Plan(PlanArgs),
    /// Check a plan JSON against the workspace with the independent checker.
    CheckPlan(CheckPlanArgs),
    /// Validate the inputs and explain, before optimising, why a horizon cannot
    /// be planned completely.
    Check(CheckArgs),
    /// Write a small example workspace into DIR.
    Init(InitArgs),
    /// Write a synthetic organisation into DIR: teams of 4 to 40, people on
    /// two or three teams, zones, DST, holidays, joiners, leavers, vacations.
    Generate(GenerateArgs),
    /// Compare the optimised plan with round-robin and least-recently-on-call
    /// on the same inputs.
    Compare(CompareArgs),
    /// Plan a team as it is and under changes (a leaver, a hire, time off,
    /// a rule), side by side; writes nothing.
    Whatif(WhatifArgs),
    /// Store a checked plan as the team's next published version.
    Publish(PublishArgs),
    /// Print the resolved timeline: published plan plus overrides.
    Show(ShowArgs),
    /// Who is on call at an instant, and the escalation chain.
    Who(WhoArgs),
    /// Put a person on call in place of whoever holds a role over a span.
    Override(OverrideArgs),
    /// Exchange whole weeks, or manage swap requests (`swap request`, `swap match`).
    Swap(SwapArgs),
    /// Ask to be covered over a span, with nothing in return (`cover request`).
    #[command(subcommand)]
    Cover(CoverCommand),
    /// Offer a two-way day trade to one person (`trade offer`).
    #[command(subcommand)]
    Trade(TradeCommand),
    /// Open offers (cover requests, day trades, swap requests): yours first,
    /// marked with those you could take.
    Offers(OffersArgs),
    /// Accept an offer as $ONCALL_USER: it is judged and carried out at once.
    Accept(AcceptArgs),
    /// Decline a day trade offered to you.
    Decline(OfferIdArgs),
    /// Withdraw an offer you made.
    Cancel(OfferIdArgs),
    /// Re-optimise the published weeks from a date on, changing as few as possible.
    Replan(ReplanArgs),
    /// Print the audit log of changes.
    Log(LogArgs),
    /// Compensation for a pay period, from the resolved timeline: the HR CSV,
    /// JSON or a per-person summary.
    Comp(CompArgs),
    /// The ledger of days off in lieu: earned in closed pay periods, taken as
    /// time off with `kind = "toil"`, expired, and the balance.
    Toil(ToilArgs),
    /// Write calendar (.ics) feeds of the resolved timeline.
    Ical(IcalArgs),
    /// Reports over the resolved timelines.
    #[command(subcommand)]
    Report(ReportCommand),
    /// Serve feeds, schedule pages and "who is on call now" over HTTP, to
    /// holders of secret links.
    Serve(ServeArgs),
    /// Secret links to a person's feed or a team's feed, page and now.json.
    #[command(subcommand)]
    Link(LinkCommand),
    /// Make a pager page whoever the resolved timeline says (dry run unless
    /// --apply).
    #[command(subcommand)]
    Sync(SyncCommand),
    /// Check the state store, oncall.db, row by row, or repair it.
    #[command(subcommand)]
    Store(StoreCommand),
    /// Deliver the notifications of schedule changes to the channels in
    /// oncall.toml's `[notify]`.
    Notify(NotifyArgs),
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("mode").required(true).args(["once", "dry_run", "failed"])))]
pub(crate) struct NotifyArgs {
    /// Deliver every notification that is due, once each, and exit.
    #[arg(long)]
    pub once: bool,
    /// Print what `--once` would send now, without sending or claiming it.
    #[arg(long)]
    pub dry_run: bool,
    /// List the deliveries that were given up, with why.
    #[arg(long)]
    pub failed: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum StoreCommand {
    /// Read every row as oncall does and list each one it cannot read, with
    /// how to recover (exit 1 when any).
    Check,
    /// Remove a published version that cannot be read; audited as
    /// `store-repair`.
    Repair(StoreRepairArgs),
}

#[derive(Debug, Args)]
pub(crate) struct StoreRepairArgs {
    /// The team and the version to remove, e.g. `--drop-version payments 2`.
    #[arg(long, num_args = 2, value_names = ["TEAM", "VERSION"], required = true)]
    pub drop_version: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum SyncCommand {
    /// Sync each role mapped in a team file's `[pagerduty]` table into that
    /// PagerDuty schedule's overrides. The token comes from $PAGERDUTY_TOKEN.
    Pagerduty(SyncArgs),
}

#[derive(Debug, Args)]
pub(crate) struct SyncArgs {
    /// Only this team.
    #[arg(long)]
    pub team: Option<String>,
    /// Sync stretches from the start of this day on (YYYY-MM-DD, team zone);
    /// default: from now.
    #[arg(long)]
    pub from: Option<NaiveDate>,
    /// Sync stretches up to the end of this day (YYYY-MM-DD, team zone);
    /// default: all that are published.
    #[arg(long)]
    pub to: Option<NaiveDate>,
    /// Write the changes; without it nothing is written anywhere.
    #[arg(long)]
    pub apply: bool,
    /// The API's address (tests point it at a local server).
    #[arg(long, default_value = oncall::sync::pagerduty::API_URL)]
    pub api_url: String,
}

#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// Address to listen on. Loopback unless told otherwise: put a reverse
    /// proxy with TLS in front to serve others.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: std::net::SocketAddr,
    /// The public URL the server is reached at, for the links it prints.
    #[arg(long, env = "ONCALL_BASE_URL")]
    pub base_url: Option<String>,
    /// Sync PagerDuty (as `sync pagerduty --apply`) in the background this
    /// often (e.g. 15m, 1h, 30s) when the schedule has changed since the
    /// last sync. The token comes from $PAGERDUTY_TOKEN.
    #[arg(long, value_name = "DURATION", value_parser = crate::sync::parse_every)]
    pub sync_every: Option<std::time::Duration>,
    /// The PagerDuty API address for --sync-every.
    #[arg(long, default_value = oncall::sync::pagerduty::API_URL)]
    pub pagerduty_api_url: String,
    /// Deliver notifications (as `notify --once`) in the background this
    /// often (e.g. 1m, 30s).
    #[arg(long, value_name = "DURATION", value_parser = crate::sync::parse_every)]
    pub notify_every: Option<std::time::Duration>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum LinkCommand {
    /// Create a link and print its URL, once: only its hash is stored.
    Create(LinkCreateArgs),
    /// List links: id, what they grant, created, last used, revoked.
    List {
        /// A table, or JSON for scripts and bots.
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
    /// Revoke a link: its next request is refused.
    Revoke {
        /// The link id, from `oncall link list`.
        id: i64,
    },
}

#[derive(Debug, Args)]
#[command(group(
    clap::ArgGroup::new("grant").required(true).multiple(false).args(["person", "team"])
))]
pub(crate) struct LinkCreateArgs {
    /// A link to this person's shifts in every team.
    #[arg(long)]
    pub person: Option<String>,
    /// A link to this team's feed, schedule page and now.json.
    #[arg(long)]
    pub team: Option<String>,
    /// The public URL of the server, for the URL printed.
    #[arg(long, env = "ONCALL_BASE_URL", default_value = "http://127.0.0.1:8080")]
    pub base_url: String,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ReportCommand {
    /// Fairness over the long run: per person and calendar quarter, load
    /// against a fair share, weekends, holidays, nights, pages and pay.
    Fairness(FairnessArgs),
}

#[derive(Debug, Args)]
pub(crate) struct FairnessArgs {
    /// Only this team (default: every team).
    #[arg(long)]
    pub team: Option<String>,
    /// First day reported (YYYY-MM-DD).
    #[arg(long)]
    pub from: NaiveDate,
    /// First day after the range (YYYY-MM-DD, exclusive).
    #[arg(long)]
    pub to: NaiveDate,
    /// Output format.
    #[arg(long, value_enum, default_value_t = FairnessFormat::Table)]
    pub format: FairnessFormat,
    /// Write the output to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Pages: a CSV with the columns `time,person,team`.
    #[arg(long, value_name = "FILE.csv")]
    pub incidents: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum FairnessFormat {
    /// Terminal tables.
    Table,
    /// JSON.
    Json,
    /// CSV: one row per person and quarter.
    Csv,
    /// A self-contained HTML page with charts.
    Html,
}

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("which").required(true).args(["team", "person", "all"]))]
pub(crate) struct IcalArgs {
    /// One team's feed.
    #[arg(long, value_name = "TEAM")]
    pub team: Option<String>,
    /// One person's feed, covering every team they are on.
    #[arg(long, value_name = "PERSON")]
    pub person: Option<String>,
    /// Every person's and every team's feed (needs --out).
    #[arg(long)]
    pub all: bool,
    /// Write one file per feed into DIR (`person-<id>.ics`, `team-<id>.ics`)
    /// instead of printing the feed.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Only events that end after this date's midnight (organisation zone).
    #[arg(long, value_name = "DATE")]
    pub from: Option<NaiveDate>,
    /// Only events that start before this date's midnight (organisation zone).
    #[arg(long, value_name = "DATE")]
    pub to: Option<NaiveDate>,
}

#[derive(Debug, Args)]
pub(crate) struct PublishArgs {
    /// The team id.
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    pub team: Option<String>,
    /// The plan JSON written by `oncall plan --format json --out FILE` or `oncall replan`.
    #[arg(required_unless_present = "all")]
    pub plan: Option<PathBuf>,
    /// Publish every `<team>.json` in DIR (written by `plan --all --out DIR`)
    /// together, in one transaction: all of them or none.
    #[arg(long, value_name = "DIR")]
    pub all: Option<PathBuf>,
    /// Publish even when the checker finds violations or the inputs changed
    /// (recorded in the audit log).
    #[arg(long)]
    pub force: bool,
    /// With --all: publish plans that leave slots unfilled (each is listed);
    /// without it such a set is refused whole.
    #[arg(long, requires = "all")]
    pub allow_partial: bool,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("whose").required(true).multiple(true).args(["team", "person"])))]
pub(crate) struct ShowArgs {
    /// The team id (leave it out with `--person` for every team).
    pub team: Option<String>,
    /// Only this person's stretches: with no team, in every team.
    #[arg(long, value_name = "P")]
    pub person: Option<String>,
    /// From this instant (RFC 3339, `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM` in the
    /// team's zone, or with no team the person's).
    #[arg(long, value_name = "TIME")]
    pub from: Option<String>,
    /// Up to this instant (exclusive), same forms as --from.
    #[arg(long, value_name = "TIME")]
    pub to: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ShowFormat::Table)]
    pub format: ShowFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ShowFormat {
    /// One row per stretch, in the team's zone.
    Table,
    /// The segments as JSON, times in UTC.
    Json,
}

#[derive(Debug, Args)]
pub(crate) struct WhoArgs {
    /// The team id.
    pub team: String,
    /// The instant (RFC 3339, `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM` in the team's
    /// zone); default now.
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// Text, or the `now.json` document for scripts and bots.
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
}

#[derive(Debug, Args)]
pub(crate) struct OverrideArgs {
    /// The team id.
    pub team: String,
    /// The role to cover.
    #[arg(long)]
    pub role: String,
    /// Who covers.
    #[arg(long)]
    pub person: String,
    /// Start (RFC 3339, `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM` in the team's zone).
    #[arg(long, value_name = "TIME")]
    pub from: String,
    /// End, exclusive (same forms).
    #[arg(long, value_name = "TIME")]
    pub to: String,
    /// Why, for the audit log and the calendar.
    #[arg(long, default_value = "")]
    pub reason: String,
    /// Record it even when it breaks eligibility or the rules, or when the
    /// person who takes the shift is not $ONCALL_USER (a manager; audited).
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub(crate) struct SwapArgs {
    #[command(subcommand)]
    pub action: Option<SwapAction>,
    /// The team id.
    #[arg(required = true)]
    pub team: Option<String>,
    /// The role whose week changes hands.
    #[arg(long, required = true)]
    pub role: Option<String>,
    /// The week given away (its first day, or any day in it).
    #[arg(long, required = true)]
    pub week: Option<NaiveDate>,
    /// Who takes it.
    #[arg(long, required = true)]
    pub with: Option<String>,
    /// The week taken back from them in exchange (whatever role they hold then).
    #[arg(long)]
    pub their_week: Option<NaiveDate>,
    /// Why.
    #[arg(long, default_value = "")]
    pub reason: String,
    /// Record it even when it breaks eligibility or the rules, or when the
    /// person who takes the shift is not $ONCALL_USER (a manager; audited).
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum SwapAction {
    /// Ask to give a week away in exchange for one of several others.
    Request(SwapRequestArgs),
    /// Grant the largest set of open requests that can all be granted together.
    Match(SwapMatchArgs),
}

#[derive(Debug, Args)]
pub(crate) struct SwapRequestArgs {
    /// Who asks.
    pub person: String,
    /// The week to give away.
    #[arg(long)]
    pub give: NaiveDate,
    /// Weeks they would take instead (any one).
    #[arg(long, required = true, num_args = 1..)]
    pub want: Vec<NaiveDate>,
    /// The team, when the person is on more than one.
    #[arg(long)]
    pub team: Option<String>,
    /// Record it for someone other than $ONCALL_USER (a manager; audited).
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum CoverCommand {
    /// Ask to be covered in a role you hold over a span (hours or days).
    Request(CoverRequestArgs),
}

#[derive(Debug, Args)]
pub(crate) struct CoverRequestArgs {
    /// The team id.
    pub team: String,
    /// Start (RFC 3339, `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM` in the team's zone).
    #[arg(long, value_name = "TIME")]
    pub from: String,
    /// End, exclusive (same forms).
    #[arg(long, value_name = "TIME")]
    pub to: String,
    /// The role to be covered in (default: the one you hold then).
    #[arg(long)]
    pub role: Option<String>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum TradeCommand {
    /// Offer one person a trade: they take your span, you take theirs.
    Offer(TradeOfferArgs),
}

#[derive(Debug, Args)]
pub(crate) struct TradeOfferArgs {
    /// The team id.
    pub team: String,
    /// The person asked.
    #[arg(long)]
    pub with: String,
    /// The span you give: START END (same forms as --from and --to).
    #[arg(long, num_args = 2, value_names = ["START", "END"], required = true)]
    pub give: Vec<String>,
    /// The span of theirs you take: START END.
    #[arg(long, num_args = 2, value_names = ["START", "END"], required = true)]
    pub take: Vec<String>,
}

#[derive(Debug, Args)]
pub(crate) struct OffersArgs {
    /// Only this team.
    #[arg(long)]
    pub team: Option<String>,
    /// A table, or JSON for scripts and bots.
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
}

#[derive(Debug, Args)]
pub(crate) struct AcceptArgs {
    /// The offer id, from `oncall offers`.
    pub id: i64,
    /// For a swap request: which of the weeks wanted you give (when you
    /// hold several).
    #[arg(long)]
    pub week: Option<NaiveDate>,
}

#[derive(Debug, Args)]
pub(crate) struct OfferIdArgs {
    /// The offer id, from `oncall offers`.
    pub id: i64,
}

#[derive(Debug, Args)]
pub(crate) struct SwapMatchArgs {
    /// Only this team (default: every team with open requests).
    #[arg(long)]
    pub team: Option<String>,
    /// Show what would be granted without recording anything.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub(crate) struct ReplanArgs {
    /// The team id.
    pub team: String,
    /// Keep everything before the first handoff on or after this date.
    #[arg(long)]
    pub from: NaiveDate,
    /// Output format of the new plan (default: table; with `--out`, plan
    /// JSON unless the file is `.csv` or `.md`).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Write the plan to this file (then `oncall publish TEAM FILE`).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Stop after this many seconds with the best plan found so far.
    #[arg(long, value_name = "SECS", value_parser = positive_seconds, allow_negative_numbers = true)]
    pub time_limit: Option<f64>,
    /// Put stability first: change the fewest slots with the largest excess
    /// within `--tolerance` of the optimum.
    #[arg(long)]
    pub stable: bool,
    /// With `--stable`, how far above the optimum the largest excess may go,
    /// in load units (one weekday week at weight 1 is 1.0).
    #[arg(long, value_name = "UNITS", requires = "stable", value_parser = tolerance,
          allow_negative_numbers = true, default_value_t = oncall::plan::optimise::DEFAULT_TOLERANCE)]
    pub tolerance: f64,
}

#[derive(Debug, Args)]
pub(crate) struct LogArgs {
    /// Only this team.
    pub team: Option<String>,
    /// A table, or JSON for scripts and bots.
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
}

/// How a listing is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ListFormat {
    /// For people.
    Table,
    /// One JSON document.
    Json,
}

#[derive(Debug, Args)]
pub(crate) struct Horizon {
    /// A quarter, e.g. 2027Q1: the weeks whose first day falls in it.
    #[arg(long, conflicts_with_all = ["from", "weeks"], required_unless_present = "from")]
    #[arg(value_parser = parse_quarter)]
    pub quarter: Option<HorizonSpec>,
    /// Plan from the first handoff on or after this date (YYYY-MM-DD).
    #[arg(long, requires = "weeks")]
    pub from: Option<NaiveDate>,
    /// Number of weeks to plan with --from.
    #[arg(long, requires = "from")]
    pub weeks: Option<u32>,
}

#[derive(Debug, Args)]
pub(crate) struct PlanArgs {
    /// The team id (the file stem of `teams/<team>.toml`).
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    pub team: Option<String>,
    /// Plan every team: teams that share people together, the rest apart,
    /// in parallel. `--out` is then a directory for one plan JSON per team.
    #[arg(long)]
    pub all: bool,
    /// With --all: how many components to solve at once (default: cores).
    #[arg(long, value_name = "N", requires = "all", value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,
    #[command(flatten)]
    pub horizon: Horizon,
    /// Output format (default: table; with `--out FILE.json`, `.csv` or
    /// `.md`, the file's kind).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Write the output to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Stop after this many seconds and return the best plan found so far.
    #[arg(long, value_name = "SECS", value_parser = positive_seconds, allow_negative_numbers = true)]
    pub time_limit: Option<f64>,
    /// Print the time of each phase of the solve on standard error.
    #[arg(long, short = 'v')]
    pub verbose: bool,
}

#[derive(Debug, Args)]
pub(crate) struct CheckPlanArgs {
    /// The team id.
    pub team: String,
    /// The plan JSON written by `oncall plan --format json`.
    pub plan: PathBuf,
}

#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// The team id.
    pub team: String,
    #[command(flatten)]
    pub horizon: Horizon,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum CheckFormat {
    /// Sentences.
    Text,
    /// The explanation object.
    Json,
}

#[derive(Debug, Args)]
pub(crate) struct GenerateArgs {
    /// How many teams.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=2000))]
    pub teams: u16,
    /// The random seed: the same seed writes the same organisation.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The first day of the year the organisation plans (a Monday).
    #[arg(long, default_value = "2027-01-04")]
    pub start: NaiveDate,
    /// The directory to write (created; existing files are never overwritten).
    pub dir: PathBuf,
}

#[derive(Debug, Args)]
pub(crate) struct WhatifArgs {
    /// The team id.
    pub team: String,
    #[command(flatten)]
    pub horizon: Horizon,
    /// PERSON@DATE: the person leaves, DATE being their first day gone
    /// (`left` in people.csv). Repeatable.
    #[arg(long, value_name = "PERSON@DATE")]
    pub leave: Vec<String>,
    /// `id,name,zone,region,DATE[,skills]`: a hire joining the team on DATE;
    /// skills separated by `;` or `+`. Repeatable.
    #[arg(long, value_name = "ROW")]
    pub join: Vec<String>,
    /// PERSON:FROM..TO: days off, both ends included. Repeatable.
    #[arg(long, value_name = "PERSON:FROM..TO")]
    pub time_off: Vec<String>,
    /// KEY=VALUE in the team file: `rules.rest_weeks`, `rules.max_shifts`,
    /// `fairness.absence`, `fairness.history_weeks` or
    /// `roles.ROLE.{weight,min_tenure_days,skills,runbook}`. Repeatable.
    #[arg(long, value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = WhatifFormat::Table)]
    pub format: WhatifFormat,
    /// Also write the scenario's plan JSON here (publishable once the
    /// workspace is edited the same way).
    #[arg(long, value_name = "FILE")]
    pub plan_out: Option<PathBuf>,
    /// Stop each solve after this many seconds.
    #[arg(long, value_name = "SECS", value_parser = positive_seconds, allow_negative_numbers = true)]
    pub time_limit: Option<f64>,
    /// How far above the optimum the stable alternative's largest excess may
    /// go, in load units (as `replan --stable --tolerance`).
    #[arg(long, value_name = "UNITS", value_parser = tolerance, allow_negative_numbers = true,
          default_value_t = oncall::plan::optimise::DEFAULT_TOLERANCE)]
    pub tolerance: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum WhatifFormat {
    /// The differences as tables.
    Table,
    /// `{baseline, scenario, diff}`.
    Json,
    /// A Markdown report.
    Md,
}

#[derive(Debug, Args)]
pub(crate) struct CompareArgs {
    /// The team id.
    pub team: String,
    #[command(flatten)]
    pub horizon: Horizon,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CompareFormat::Table)]
    pub format: CompareFormat,
    /// Stop the optimiser after this many seconds.
    #[arg(long, value_name = "SECS", value_parser = positive_seconds, allow_negative_numbers = true)]
    pub time_limit: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum CompareFormat {
    /// The three plans side by side.
    Table,
    /// The same, machine-readable.
    Json,
}

#[derive(Debug, Args)]
pub(crate) struct InitArgs {
    /// Where to write the example workspace (created if missing).
    pub dir: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// A week-by-role table and a fairness table.
    Table,
    /// Plan JSON, schema 1.
    Json,
    /// One row per slot.
    Csv,
    /// Markdown tables.
    Md,
}

impl Format {
    /// The format of a plan written to `out`, or to standard output: an
    /// explicit `--format` wins unless it contradicts the file's extension
    /// (`--out q1.json --format table` is a usage error, so a file named
    /// for plan JSON always holds plan JSON); without one, the extension
    /// decides, and `file_default` covers other names.
    pub(crate) fn for_output(
        format: Option<Format>,
        out: Option<&std::path::Path>,
        file_default: Format,
    ) -> Result<Format, crate::UsageError> {
        let Some(out) = out else {
            return Ok(format.unwrap_or(Format::Table));
        };
        let by_name = match out.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("json") => Some(Format::Json),
            Some(e) if e.eq_ignore_ascii_case("csv") => Some(Format::Csv),
            Some(e) if e.eq_ignore_ascii_case("md") => Some(Format::Md),
            _ => None,
        };
        match (format, by_name) {
            (Some(f), Some(n)) if f != n => Err(crate::UsageError::new(format!(
                "--format {} contradicts --out {}, a .{} file",
                f.name(),
                crate::render::terminal(&out.display().to_string()),
                n.name()
            ))
            .help(format!(
                "leave out --format, or name the file for {}",
                f.name()
            ))),
            (Some(f), _) => Ok(f),
            (None, Some(n)) => Ok(n),
            (None, None) => Ok(file_default),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Json => "json",
            Format::Csv => "csv",
            Format::Md => "md",
        }
    }
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub(crate) struct CompArgs {
    #[command(subcommand)]
    pub action: Option<CompAction>,
    /// First day of the pay period (YYYY-MM-DD), from midnight in each
    /// engineer's own zone.
    #[arg(long, required = true)]
    pub from: Option<NaiveDate>,
    /// First day after the pay period (YYYY-MM-DD, exclusive).
    #[arg(long, required = true)]
    pub to: Option<NaiveDate>,
    /// Only this team (default: every team).
    #[arg(long)]
    pub team: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CompFormat::Table)]
    pub format: CompFormat,
    /// Write the output to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Pages to pay for: a CSV with the columns `time,person,team`.
    #[arg(long, value_name = "FILE.csv")]
    pub incidents: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum CompAction {
    /// Store a pay period's report, every team, as paid. Periods close in
    /// order; a closed period is never recomputed, and later changes to its
    /// time appear as ADJUSTMENT lines in the next report.
    Close(CompCloseArgs),
}

#[derive(Debug, Args)]
pub(crate) struct CompCloseArgs {
    /// First day of the period (YYYY-MM-DD); after the first close, the day
    /// the last closed period ended.
    #[arg(long)]
    pub from: NaiveDate,
    /// First day after the period (YYYY-MM-DD, exclusive).
    #[arg(long)]
    pub to: NaiveDate,
    /// Pages to pay for: a CSV with the columns `time,person,team`.
    #[arg(long, value_name = "FILE.csv")]
    pub incidents: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct ToilArgs {
    /// Only this person.
    #[arg(long)]
    pub person: Option<String>,
    /// The balance on this day (YYYY-MM-DD; default: today in the
    /// organisation's zone). Everything on or before it counts.
    #[arg(long, value_name = "DATE")]
    pub at: Option<NaiveDate>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ToilFormat::Table)]
    pub format: ToilFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ToilFormat {
    /// One row per person.
    Table,
    /// The ledger as JSON, days as decimal strings.
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum CompFormat {
    /// Per-person pay and the fairness view.
    Table,
    /// The report with every line.
    Json,
    /// The HR CSV: one row per person, team, role and pay code.
    Csv,
}

/// `--quarter`: `2027Q1`; anything else is a usage error (exit 2).
fn parse_quarter(s: &str) -> Result<HorizonSpec, String> {
    s.parse::<HorizonSpec>()
}

/// `--time-limit`: a positive, finite number of seconds.
fn tolerance(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(t) if t.is_finite() && t >= 0.0 => Ok(t),
        _ => Err(format!(
            "`{s}` is not a tolerance; write a number of load units at least 0, e.g. 0.5"
        )),
    }
}

fn positive_seconds(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(t) if t.is_finite() && t > 0.0 => Ok(t),
        _ => Err(format!(
            "`{s}` is not a positive number of seconds; write e.g. 10 or 0.5"
        )),
    }
}
