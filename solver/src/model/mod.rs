//! Domain types: the workspace as the user wrote it, after validation.
//!
//! Nothing here knows about the optimiser, SQL or the command line. Ids are
//! small `Copy` indices into the workspace's vectors; the user-facing string ids
//! are kept alongside for messages and output.

pub mod bounds;
pub mod document;
pub mod history;
pub mod notify;
pub mod time;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use chrono::{NaiveDate, NaiveTime, Weekday};
use chrono_tz::Tz;

/// Index of a person in [`Workspace::people`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PersonIdx(pub usize);

/// Index of a team in [`Workspace::teams`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TeamIdx(pub usize);

/// Index of a role in [`Team::roles`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RoleIdx(pub usize);

/// Where a fact came from: a file relative to the workspace root and a 1-based line.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Origin {
    /// Path relative to the workspace root, e.g. `time-off/alice.toml`.
    pub file: PathBuf,
    /// 1-based line number; 0 when unknown.
    pub line: usize,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line == 0 {
            write!(f, "{}", self.file.display())
        } else {
            write!(f, "{}:{}", self.file.display(), self.line)
        }
    }
}

/// A loaded, validated workspace (docs/design.md §1).
#[derive(Clone, Debug)]
pub struct Workspace {
    /// The workspace directory.
    pub root: PathBuf,
    /// Organisation settings from `oncall.toml`.
    pub org: Org,
    /// The roster from `people.csv`, in file order.
    pub people: Vec<Person>,
    /// Every time-off entry from `time-off/`.
    pub time_off: Vec<TimeOff>,
    /// Every team from `teams/*.toml`, sorted by id.
    pub teams: Vec<Team>,
    /// SHA-256 (hex) over the input files, so a plan can be tied to the inputs it was made from.
    pub inputs_sha256: String,
    /// Problems that did not stop the load, e.g. a calendar event that was
    /// skipped; sorted by file and line. Render them with
    /// [`Diagnostic::as_warning`](crate::input::diagnostic::Diagnostic::as_warning).
    pub warnings: Vec<crate::input::diagnostic::Diagnostic>,
}

impl Workspace {
    /// Finds a person by their id.
    pub fn person_by_id(&self, id: &str) -> Option<PersonIdx> {
        self.people.iter().position(|p| p.id == id).map(PersonIdx)
    }

    /// The person whom `user` names: their id, or their e-mail address in
    /// any case. Used to match `$ONCALL_USER` to a person.
    pub fn person_by_identity(&self, user: &str) -> Option<PersonIdx> {
        let user = user.trim();
        if user.is_empty() {
            return None;
        }
        self.person_by_id(user).or_else(|| {
            let found = self
                .people
                .iter()
                .position(|p| !p.email.is_empty() && p.email.trim().eq_ignore_ascii_case(user));
            found.map(PersonIdx)
        })
    }

    /// Finds a team by its id (the file stem of `teams/<id>.toml`).
    pub fn team_by_id(&self, id: &str) -> Option<TeamIdx> {
        self.teams.iter().position(|t| t.id == id).map(TeamIdx)
    }

    /// The person at an index.
    pub fn person(&self, idx: PersonIdx) -> &Person {
        &self.people[idx.0]
    }

    /// The team at an index.
    pub fn team(&self, idx: TeamIdx) -> &Team {
        &self.teams[idx.0]
    }

    /// Time-off entries of one person.
    pub fn time_off_of(&self, person: PersonIdx) -> impl Iterator<Item = &TimeOff> {
        self.time_off.iter().filter(move |t| t.person == person)
    }

    /// The holidays of a region (empty when the region has none).
    pub fn holidays(&self, region: Option<&str>) -> Option<&BTreeMap<NaiveDate, String>> {
        region.and_then(|r| self.org.holidays.get(r))
    }
}

/// Organisation settings (`oncall.toml`).
#[derive(Clone, Debug)]
pub struct Org {
    /// Default time zone for people and teams.
    pub timezone: Tz,
    /// Weight of one on-call hour by kind of day.
    pub load: LoadWeights,
    /// Holiday calendars by region code.
    pub holidays: BTreeMap<String, BTreeMap<NaiveDate, String>>,
    /// The pay policy from `[compensation]`, when there is one.
    pub compensation: Option<Compensation>,
    /// Which calendar events are time off (`[time_off.calendar]`).
    pub calendar: CalendarPolicy,
    /// Where changes are announced (`[notify]`).
    pub notify: notify::NotifySettings,
}

/// Which events of a `time-off/<person>.ics` calendar are time off
/// (`[time_off.calendar]` in `oncall.toml`). Free (`TRANSP:TRANSPARENT`) and
/// cancelled events never are. A timed event always blocks every whole day it
/// touches in the person's zone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CalendarPolicy {
    /// Which busy events count.
    pub count: CalendarCount,
    /// For [`CalendarCount::OutOfOffice`]: words that mark time off in an
    /// event's `CATEGORIES` or `SUMMARY` (whole words, any case).
    pub words: Vec<String>,
    /// Whether a skipped event fails the load instead of warning.
    pub strict: bool,
}

impl Default for CalendarPolicy {
    fn default() -> Self {
        CalendarPolicy {
            count: CalendarCount::All,
            words: [
                "vacation",
                "PTO",
                "OOO",
                "holiday",
                "leave",
                "out of office",
            ]
            .map(String::from)
            .to_vec(),
            strict: false,
        }
    }
}

/// Which busy calendar events count as time off.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum CalendarCount {
    /// Every busy event (`"all"`).
    #[default]
    All,
    /// All-day and multi-day events only (`"all-day"`).
    AllDay,
    /// Events marked out of office, or whose categories or summary hold one
    /// of the policy's words (`"out-of-office"`).
    OutOfOffice,
}

/// Weight of one on-call hour by the kind of day it falls on.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LoadWeights {
    /// Monday to Friday.
    pub weekday: f64,
    /// Saturday and Sunday.
    pub weekend: f64,
    /// A holiday of the team's region (outranks a weekend).
    pub holiday: f64,
}

impl Default for LoadWeights {
    fn default() -> Self {
        LoadWeights {
            weekday: 1.0,
            weekend: 1.5,
            holiday: 2.0,
        }
    }
}

/// One row of `people.csv`.
#[derive(Clone, Debug)]
pub struct Person {
    /// Short unique id, e.g. `alice`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// E-mail address.
    pub email: String,
    /// The person's own time zone.
    pub timezone: Tz,
    /// Holiday region for pay.
    pub region: Option<String>,
    /// First day employed.
    pub joined: NaiveDate,
    /// First day no longer employed.
    pub left: Option<NaiveDate>,
    /// Skills, e.g. `payments`.
    pub skills: BTreeSet<String>,
    /// Where the row is.
    /// How to reach them while on call: shown by `who`, which runs
    /// locally, and never in a feed, page or `now.json`.
    pub contacts: Contacts,
    /// The person's user in Grafana IRM / OnCall (`grafana_user` in
    /// `people.csv`), written as the SUMMARY of Grafana feeds.
    pub grafana_user: Option<String>,
    /// Whether the person is mailed their changes and reminders (`notify`
    /// in `people.csv`: `changes`, the default, or `none`).
    pub notify_changes: bool,
    pub origin: Origin,
}

/// A block of days off, inclusive of both ends, in the person's own zone.
#[derive(Clone, Debug)]
pub struct TimeOff {
    /// Who is off.
    pub person: PersonIdx,
    /// First day off.
    pub start: NaiveDate,
    /// Last day off (inclusive).
    pub end: NaiveDate,
    /// Free text, e.g. `vacation`.
    pub reason: String,
    /// Leave, or days off in lieu taken (`kind = "toil"`).
    pub kind: TimeOffKind,
    /// Where the entry is.
    pub origin: Origin,
}

/// What a block of time off is, for the ledger of days off in lieu.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TimeOffKind {
    /// Vacation, sickness or any other leave (the default).
    #[default]
    Leave,
    /// Days off in lieu of on-call time, taken from the TOIL balance.
    Toil,
}

/// One step of an escalation chain, as written in a team file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Escalation {
    /// A role of the team itself (`primary`): whoever holds it.
    Role(String),
    /// A role of another team (`sre.primary`): whoever holds it there.
    TeamRole {
        /// The other team's id.
        team: String,
        /// Its role.
        role: String,
    },
    /// A person, with a label (`manager:grace`).
    Person {
        /// What they are to the team, e.g. `manager`.
        label: String,
        /// The person id.
        person: String,
    },
}

impl Escalation {
    /// How the step is shown before the person it reaches: the role, the
    /// other team's `team.role`, or the label.
    pub fn label(&self) -> String {
        match self {
            Escalation::Role(r) => r.clone(),
            Escalation::TeamRole { team, role } => format!("{team}.{role}"),
            Escalation::Person { label, .. } => label.clone(),
        }
    }
}

impl std::fmt::Display for Escalation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Escalation::Person { label, person } => write!(f, "{label}:{person}"),
            other => f.write_str(&other.label()),
        }
    }
}

/// How to reach a person on call (`phone` and `chat` in `people.csv`, both
/// optional).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Contacts {
    /// A phone number, as written.
    pub phone: Option<String>,
    /// A chat handle, as written.
    pub chat: Option<String>,
}

/// One rotation (`teams/<id>.toml`).
#[derive(Clone, Debug)]
pub struct Team {
    /// The file stem.
    pub id: String,
    /// Display name.
    pub name: String,
    /// The zone of the handoffs and of the load's kinds of day.
    pub timezone: Tz,
    /// Region whose holidays weigh as holidays in this team's load.
    pub holidays: Option<String>,
    /// Members, in file order.
    pub members: Vec<PersonIdx>,
    /// When shifts change hands.
    pub handoff: Handoff,
    /// Escalation chain, e.g. `["sre.primary", "primary", "secondary",
    /// "manager:mia"]`, checked at load.
    pub escalation: Vec<Escalation>,
    /// The runbook's address (http or https), checked at load.
    pub runbook: Option<String>,
    /// Whether this team's shifts may overlap another team's for the same
    /// person: only when both teams allow it (e.g. a shadow rotation).
    pub allow_overlap: bool,
    /// Roles, in file order.
    pub roles: Vec<Role>,
    /// Hard rules.
    pub rules: Rules,
    /// Fairness policy.
    pub fairness: FairnessPolicy,
    /// Starting carry-over in load units, by person.
    pub carry: BTreeMap<PersonIdx, f64>,
    /// Slots fixed by hand.
    pub pins: Vec<Pin>,
    /// PagerDuty schedule id by role name (`[pagerduty]` in the team file),
    /// for `oncall sync pagerduty`.
    pub pagerduty: BTreeMap<String, String>,
    /// The team file.
    pub origin: Origin,
}

impl Team {
    /// Finds a role by name.
    pub fn role_by_name(&self, name: &str) -> Option<RoleIdx> {
        self.roles.iter().position(|r| r.name == name).map(RoleIdx)
    }

    /// Is the person a member?
    pub fn has_member(&self, p: PersonIdx) -> bool {
        self.members.contains(&p)
    }

    /// The runbook for `role`: the role's own, else the team's.
    pub fn runbook_for(&self, role: &str) -> Option<&str> {
        self.role_by_name(role)
            .and_then(|r| self.roles[r.0].runbook.as_deref())
            .or(self.runbook.as_deref())
    }
}

/// The weekly handoff: a weekday and a wall-clock time in the team's zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Handoff {
    /// Day of the week.
    pub weekday: Weekday,
    /// Local time of day.
    pub time: NaiveTime,
}

/// One role of a rotation.
#[derive(Clone, Debug)]
pub struct Role {
    /// e.g. `primary`.
    pub name: String,
    /// Multiplier on the load of this role's shifts.
    pub weight: f64,
    /// Days of tenure needed on the week's first day.
    pub min_tenure_days: i64,
    /// Skills a holder needs, all of them.
    pub skills: Vec<String>,
    /// A runbook of this role's own, in place of the team's.
    pub runbook: Option<String>,
}

/// Hard rules of a rotation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Rules {
    /// Weeks off after any shift before the next one.
    pub rest_weeks: u32,
    /// Most shifts (any role) per person in one plan.
    pub max_shifts: Option<u32>,
    /// Most weeks of any one role per person in any 365 days, published
    /// history and the plan together (docs/design.md §2).
    pub max_weeks_per_year: Option<u32>,
    /// Most weeks of all roles together per person in any 365 days.
    pub max_weeks_per_year_all: Option<u32>,
}

/// How time off counts toward a person's share.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Absence {
    /// Weeks missed for time off are made up later: they still count as available.
    #[default]
    Owed,
    /// Time off lowers the share: blocked weeks do not count as available.
    Excused,
}

/// Fairness settings of a rotation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FairnessPolicy {
    /// How time off counts.
    pub absence: Absence,
    /// Published history (in weeks) that counts toward carry-over.
    pub history_weeks: u32,
}

impl Default for FairnessPolicy {
    fn default() -> Self {
        FairnessPolicy {
            absence: Absence::Owed,
            history_weeks: 52,
        }
    }
}

/// A slot fixed by hand.
#[derive(Clone, Debug)]
pub struct Pin {
    /// The week's first day (the local date of its handoff).
    pub week: NaiveDate,
    /// The role.
    pub role: RoleIdx,
    /// Who takes it.
    pub person: PersonIdx,
    /// Where the pin is.
    pub origin: Origin,
}

/// The pay policy (`[compensation]` in `oncall.toml`, docs/design.md §6).
#[derive(Clone, Debug, PartialEq)]
pub struct Compensation {
    /// ISO 4217 code, e.g. `USD`.
    pub currency: String,
    /// Digits after the decimal point in the currency (2 for USD, 0 for JPY).
    pub minor_units: u32,
    /// The policy for people whose region has no override.
    pub policy: PayPolicy,
    /// Policies of regions with `[compensation.regions.<region>]`, with the
    /// organisation's policy filled in where the region says nothing.
    pub regions: BTreeMap<String, PayPolicy>,
    /// Multiplier of the day rates per role name; a role not listed pays 1.
    pub roles: BTreeMap<String, rust_decimal::Decimal>,
    /// Pay for pages, when `[compensation.incidents]` is set.
    pub incidents: Option<IncidentPay>,
    /// Days off in lieu expire this many days after the end of the closed
    /// period that earned them (`[compensation.toil] expires_after_days`);
    /// `None`: never.
    pub toil_expires_after_days: Option<u32>,
    /// Later versions of the policy (`[[compensation.versions]]`), each in
    /// force from its `effective` day on, in date order.
    pub versions: Vec<PolicyVersion>,
}

/// A dated version of the pay policy: the version before it with some keys
/// changed, in force from `effective` on (each person's local day).
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyVersion {
    /// The first local day paid by this version.
    pub effective: NaiveDate,
    /// The policy for people whose region has no override.
    pub policy: PayPolicy,
    /// Region policies, as in [`Compensation::regions`].
    pub regions: BTreeMap<String, PayPolicy>,
    /// Role multipliers, as in [`Compensation::roles`].
    pub roles: BTreeMap<String, rust_decimal::Decimal>,
}

impl Compensation {
    /// The policy of a person's holiday region.
    pub fn policy_for(&self, region: Option<&str>) -> &PayPolicy {
        region
            .and_then(|r| self.regions.get(r))
            .unwrap_or(&self.policy)
    }

    /// Which version pays `day`: 0 for the undated policy, `k` for the
    /// `k`-th of [`Compensation::versions`].
    pub fn version_on(&self, day: NaiveDate) -> usize {
        self.versions.iter().filter(|v| v.effective <= day).count()
    }

    /// The policy of a region under version `k` (see [`Compensation::version_on`]).
    pub fn policy_in(&self, k: usize, region: Option<&str>) -> &PayPolicy {
        match k.checked_sub(1).and_then(|i| self.versions.get(i)) {
            Some(v) => region.and_then(|r| v.regions.get(r)).unwrap_or(&v.policy),
            None => self.policy_for(region),
        }
    }

    /// The multiplier of a role under version `k`.
    pub fn role_multiplier_in(&self, k: usize, role: &str) -> rust_decimal::Decimal {
        let roles = match k.checked_sub(1).and_then(|i| self.versions.get(i)) {
            Some(v) => &v.roles,
            None => &self.roles,
        };
        roles
            .get(role)
            .copied()
            .unwrap_or(rust_decimal::Decimal::ONE)
    }

    /// The multiplier of a role.
    pub fn role_multiplier(&self, role: &str) -> rust_decimal::Decimal {
        self.roles
            .get(role)
            .copied()
            .unwrap_or(rust_decimal::Decimal::ONE)
    }
}

/// How on-call time is paid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum PayMode {
    /// Money at the day rates.
    #[default]
    Cash,
    /// Days off in lieu only.
    TimeOff,
    /// Money and days off in lieu.
    Both,
}

impl PayMode {
    /// Whether the day rates are paid.
    pub fn pays_cash(self) -> bool {
        matches!(self, PayMode::Cash | PayMode::Both)
    }

    /// Whether days off in lieu are earned.
    pub fn earns_time_off(self) -> bool {
        matches!(self, PayMode::TimeOff | PayMode::Both)
    }
}

/// An amount (or a number of days) for each kind of day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct ByDayKind {
    /// Monday to Friday.
    pub weekday: rust_decimal::Decimal,
    /// Saturday and Sunday.
    pub weekend: rust_decimal::Decimal,
    /// A holiday of the person's region (outranks a weekend).
    pub holiday: rust_decimal::Decimal,
}

impl ByDayKind {
    /// The value for a kind of day.
    pub fn get(&self, kind: crate::model::time::DayKind) -> rust_decimal::Decimal {
        match kind {
            crate::model::time::DayKind::Weekday => self.weekday,
            crate::model::time::DayKind::Weekend => self.weekend,
            crate::model::time::DayKind::Holiday => self.holiday,
        }
    }
}

/// The pay policy of the organisation or of one region.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct PayPolicy {
    /// Cash, time off or both.
    pub mode: PayMode,
    /// Pay per full on-call day, by kind of day (before the role multiplier).
    pub rates: ByDayKind,
    /// Days off in lieu per full on-call day, by kind of day (any role).
    pub time_off: ByDayKind,
}

/// A daily window of wall-clock time in the engineer's own zone; it wraps
/// past midnight when `end <= start` (e.g. 22:00-07:00).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DailyWindow {
    /// First minute inside.
    pub start: NaiveTime,
    /// First minute outside.
    pub end: NaiveTime,
}

impl DailyWindow {
    /// Whether a wall-clock time falls inside.
    pub fn contains(&self, t: NaiveTime) -> bool {
        if self.start < self.end {
            self.start <= t && t < self.end
        } else {
            t >= self.start || t < self.end
        }
    }
}

/// Pay for interruptions (`[compensation.incidents]`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IncidentPay {
    /// Business hours on weekdays that are not holidays; every other time is
    /// out of hours.
    pub business_hours: DailyWindow,
    /// Sleeping hours, every day; a page then earns `sleeping` instead of
    /// `out_of_hours`.
    pub sleeping_hours: DailyWindow,
    /// Per page outside business hours (and outside sleeping hours).
    pub out_of_hours: rust_decimal::Decimal,
    /// Per page in sleeping hours.
    pub sleeping: rust_decimal::Decimal,
    /// Whether a page to someone who held no role of the team at that
    /// instant is paid (`pay_when_not_on_call`, false by default): nobody
    /// off call is expected to answer, so such pages are listed apart.
    pub pay_off_call: bool,
}
