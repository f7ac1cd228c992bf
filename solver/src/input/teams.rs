//! `teams/*.toml`: one rotation per file, the file stem being the team's id.
//! Members, handoff, rules, fairness and carry-over are read here; roles and
//! pins in their own files.

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;

use chrono_tz::Tz;
use serde::Deserialize;
use toml::Spanned;

use crate::input::context::{extension, suggest, Cx};
use crate::input::diagnostic::Diagnostic;
use crate::input::limits::{id_help, id_problem, in_range, shown, MAX_VALUE, MAX_WEEKS};
use crate::input::parse::{backticked, parse_time, parse_weekday, WEEKDAYS};
use crate::input::source::Source;
use crate::model::{
    Absence, FairnessPolicy, Handoff, Org, Origin, Person, PersonIdx, Role, Rules, Team,
};

/// The most week starts a 365-day window can hold.
const MAX_WEEKS_PER_YEAR: u32 = 53;

mod escalation;
mod pins;
mod roles;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTeam {
    #[serde(default)]
    name: Option<Spanned<String>>,
    #[serde(default)]
    timezone: Option<Spanned<String>>,
    #[serde(default)]
    holidays: Option<Spanned<String>>,
    #[serde(default)]
    members: Vec<Spanned<String>>,
    handoff: Spanned<RawHandoff>,
    #[serde(default)]
    escalation: Vec<Spanned<String>>,
    #[serde(default)]
    runbook: Option<Spanned<String>>,
    #[serde(default)]
    allow_overlap: bool,
    #[serde(default)]
    roles: Vec<roles::RawRole>,
    #[serde(default)]
    rules: Option<RawRules>,
    #[serde(default)]
    fairness: Option<RawFairness>,
    #[serde(default)]
    carry: BTreeMap<Spanned<String>, Spanned<f64>>,
    #[serde(default)]
    pins: Vec<pins::RawPin>,
    #[serde(default)]
    pagerduty: BTreeMap<Spanned<String>, Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHandoff {
    weekday: Spanned<String>,
    time: Spanned<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawRules {
    #[serde(default)]
    rest_weeks: Option<Spanned<i64>>,
    #[serde(default)]
    max_shifts: Option<Spanned<i64>>,
    #[serde(default)]
    max_weeks_per_year: Option<Spanned<i64>>,
    #[serde(default)]
    max_weeks_per_year_all: Option<Spanned<i64>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawFairness {
    #[serde(default)]
    absence: Option<Spanned<String>>,
    #[serde(default)]
    history_weeks: Option<Spanned<i64>>,
}

impl Cx {
    /// Every team file, sorted by team id; a team with any problem is left
    /// out.
    pub(super) fn teams(
        &mut self,
        people: &[Person],
        default_tz: Tz,
        org: Option<&Org>,
    ) -> Vec<Team> {
        let files: Vec<PathBuf> = self
            .list_dir("teams")
            .unwrap_or_default()
            .into_iter()
            .filter(|f| extension(f) == Some("toml"))
            .collect();
        if files.is_empty() {
            self.push(
                Diagnostic::new("teams", 0, 0, "no team files in `teams/`").help(
                    "create teams/<team>.toml, one file per rotation (or run `oncall init DIR` for an example workspace)",
                ),
            );
        }
        let mut out = Vec::new();
        let mut pending = Vec::new();
        for rel in files {
            let Some(src) = self.read(&rel, None) else {
                continue;
            };
            let Some(raw) = self.parse_toml::<RawTeam>(&src) else {
                continue;
            };
            if let Some(t) = self.team(&src, raw, people, default_tz, org, &mut pending) {
                out.push(t);
            }
        }
        self.check_team_steps(pending, &out);
        out.sort_by(|a, b| a.id.cmp(&b.id));
        out
    }

    fn team(
        &mut self,
        src: &Source,
        raw: RawTeam,
        people: &[Person],
        default_tz: Tz,
        org: Option<&Org>,
        pending: &mut Vec<escalation::Pending>,
    ) -> Option<Team> {
        let before = self.diags.len();
        let id = src
            .rel
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        if let Some(problem) = id_problem(&id) {
            self.push(
                Diagnostic::new(
                    &src.rel,
                    1,
                    0,
                    format!("team id `{}` (the file name) {problem}", shown(&id)),
                )
                .help(format!("rename the file: {}", id_help(&id))),
            );
        }
        let timezone = match &raw.timezone {
            Some(tz) => self.zone(src, tz).unwrap_or(default_tz),
            None => default_tz,
        };
        if let (Some(region), Some(org)) = (&raw.holidays, org) {
            self.holiday_region(src, region, org);
        }
        let members = self.members(src, &raw.members, people);
        let handoff = self.handoff(src, &raw.handoff);
        let roles = self.roles(src, &raw.roles, &members, people);
        let rules = self.rules(src, &raw.rules.unwrap_or_default());
        let fairness = self.fairness(src, &raw.fairness.unwrap_or_default());
        let carry = self.carry(src, &raw.carry, &members, people);
        let pin_context = pins::PinContext {
            roles: &roles,
            members: &members,
            people,
            handoff,
        };
        let pins = self.pins(src, &raw.pins, &pin_context);
        let escalation = self.escalation(src, &raw.escalation, &roles, people, pending);
        let runbook = raw.runbook.as_ref().and_then(|u| self.runbook(src, u));
        let pagerduty = self.pagerduty(src, &raw.pagerduty, &roles);
        let name = self.clean(src, "team name", raw.name);
        if self.diags.len() > before {
            return None;
        }
        Some(Team {
            name: name.unwrap_or_else(|| id.clone()),
            id,
            timezone,
            holidays: raw.holidays.map(Spanned::into_inner),
            members,
            handoff: handoff?,
            escalation,
            runbook,
            allow_overlap: raw.allow_overlap,
            roles,
            rules,
            fairness,
            carry,
            pins,
            pagerduty,
            origin: Origin {
                file: src.rel.clone(),
                line: 1,
            },
        })
    }

    /// Diagnoses a holiday region that `oncall.toml` does not define.
    fn holiday_region(&mut self, src: &Source, region: &Spanned<String>, org: &Org) {
        if org.holidays.contains_key(region.get_ref()) {
            return;
        }
        let d = src.at(
            region.span(),
            format!("unknown holiday region `{}`", region.get_ref()),
        );
        // Region codes are short: only a difference in case is a likely typo.
        let d = match org
            .holidays
            .keys()
            .find(|k| k.eq_ignore_ascii_case(region.get_ref()))
        {
            Some(k) => d.help(format!("did you mean `{k}`?")),
            None => d.help(no_such_region(region.get_ref(), org)),
        };
        self.push(d);
    }

    fn members(
        &mut self,
        src: &Source,
        raw: &[Spanned<String>],
        people: &[Person],
    ) -> Vec<PersonIdx> {
        if raw.is_empty() {
            self.push(
                Diagnostic::new(&src.rel, 1, 1, "the team has no members")
                    .help("add `members = [\"alice\", \"bob\"]` with ids from people.csv"),
            );
        }
        let mut members = Vec::new();
        let mut seen = HashSet::new();
        for m in raw {
            if let Some(p) = self.person(src, people, m) {
                if !seen.insert(p) {
                    self.push(
                        src.at(
                            m.span(),
                            format!("`{}` is listed twice in `members`", m.get_ref()),
                        )
                        .help("remove the duplicate"),
                    );
                } else {
                    members.push(p);
                }
            }
        }
        members
    }

    fn handoff(&mut self, src: &Source, raw: &Spanned<RawHandoff>) -> Option<Handoff> {
        let wd = &raw.get_ref().weekday;
        let weekday = parse_weekday(wd.get_ref());
        if weekday.is_none() {
            let d = src.at(
                wd.span(),
                format!("unknown handoff weekday `{}`", wd.get_ref()),
            );
            self.push(suggest(
                d,
                &wd.get_ref().to_lowercase(),
                WEEKDAYS.iter().map(|(n, _)| *n),
                "use a weekday name such as \"monday\" or \"mon\"",
            ));
        }
        let tm = &raw.get_ref().time;
        let time = parse_time(tm.get_ref());
        if time.is_none() {
            self.push(
                src.at(
                    tm.span(),
                    format!("invalid handoff time `{}`", tm.get_ref()),
                )
                .help("write the time as \"HH:MM\" on a 24-hour clock, e.g. \"10:00\""),
            );
        }
        Some(Handoff {
            weekday: weekday?,
            time: time?,
        })
    }

    fn rules(&mut self, src: &Source, raw: &RawRules) -> Rules {
        let rest_weeks = self.count(src, "rules.rest_weeks", raw.rest_weeks.as_ref());
        let max_shifts = self.count(src, "rules.max_shifts", raw.max_shifts.as_ref());
        Rules {
            rest_weeks: rest_weeks.unwrap_or(0),
            max_shifts,
            max_weeks_per_year: self.yearly(
                src,
                "rules.max_weeks_per_year",
                raw.max_weeks_per_year.as_ref(),
            ),
            max_weeks_per_year_all: self.yearly(
                src,
                "rules.max_weeks_per_year_all",
                raw.max_weeks_per_year_all.as_ref(),
            ),
        }
    }

    /// A yearly cap: from 1 to the 53 week starts a 365-day window can hold.
    fn yearly(&mut self, src: &Source, name: &str, value: Option<&Spanned<i64>>) -> Option<u32> {
        let value = value?;
        let v = *value.get_ref();
        match u32::try_from(v) {
            Ok(n) if (1..=MAX_WEEKS_PER_YEAR).contains(&n) => Some(n),
            _ => {
                self.push(
                    src.at(
                        value.span(),
                        format!("`{name}` must be from 1 to {MAX_WEEKS_PER_YEAR}, got {v}"),
                    )
                    .help(format!(
                        "use a whole number of weeks from 1 to {MAX_WEEKS_PER_YEAR}, or leave `{name}` out for no cap"
                    )),
                );
                None
            }
        }
    }

    fn fairness(&mut self, src: &Source, raw: &RawFairness) -> FairnessPolicy {
        let history_weeks = self.count(src, "fairness.history_weeks", raw.history_weeks.as_ref());
        let absence = match &raw.absence {
            None => Absence::Owed,
            Some(a) => self.absence(src, a),
        };
        FairnessPolicy {
            absence,
            history_weeks: history_weeks.unwrap_or(52),
        }
    }

    fn absence(&mut self, src: &Source, raw: &Spanned<String>) -> Absence {
        match raw.get_ref().as_str() {
            "owed" => Absence::Owed,
            "excused" => Absence::Excused,
            other => {
                let d = src.at(raw.span(), format!("unknown absence policy `{other}`"));
                self.push(suggest(
                    d,
                    other,
                    ["owed", "excused"],
                    "use \"owed\" or \"excused\"",
                ));
                Absence::Owed
            }
        }
    }

    /// Load carried over from before the plan, by member.
    fn carry(
        &mut self,
        src: &Source,
        raw: &BTreeMap<Spanned<String>, Spanned<f64>>,
        members: &[PersonIdx],
        people: &[Person],
    ) -> BTreeMap<PersonIdx, f64> {
        let mut carry = BTreeMap::new();
        for (who, amount) in raw {
            let value = *amount.get_ref();
            if !in_range(value, -MAX_VALUE) {
                self.push(
                    src.at(
                        amount.span(),
                        format!(
                            "carry-over of `{}` must be from -{MAX_VALUE} to {MAX_VALUE}, got {value:?}",
                            who.get_ref()
                        ),
                    )
                    .help("give the load units carried over, e.g. 4.0"),
                );
            }
            if let Some(p) = self.person(src, people, who) {
                if !members.contains(&p) {
                    self.push(
                        src.at(
                            who.span(),
                            format!("`{}` has a carry-over but is not a member", who.get_ref()),
                        )
                        .help(format!(
                            "add `{}` to `members` or remove the entry",
                            who.get_ref()
                        )),
                    );
                }
                carry.insert(p, value);
            }
        }
        carry
    }

    /// `[pagerduty]`: a PagerDuty schedule id for each role named, e.g.
    /// `primary = "PABC123"`.
    fn pagerduty(
        &mut self,
        src: &Source,
        raw: &BTreeMap<Spanned<String>, Spanned<String>>,
        roles: &[Role],
    ) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        for (role, schedule) in raw {
            if !roles.iter().any(|r| &r.name == role.get_ref()) {
                let d = src.at(
                    role.span(),
                    format!("`[pagerduty]` names unknown role `{}`", role.get_ref()),
                );
                self.push(suggest(
                    d,
                    role.get_ref(),
                    roles.iter().map(|r| r.name.as_str()),
                    "use a role name from this file's [[roles]]",
                ));
                continue;
            }
            let id = schedule.get_ref().trim();
            if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric()) {
                self.push(
                    src.at(
                        schedule.span(),
                        format!("invalid PagerDuty schedule id `{}`", shown(id)),
                    )
                    .help("give the schedule's id from its PagerDuty address, e.g. \"PABC123\""),
                );
                continue;
            }
            out.insert(role.get_ref().clone(), id.to_string());
        }
        out
    }

    /// A whole number (of weeks or shifts) from 0 to [`MAX_WEEKS`] from a
    /// team file, if given.
    fn count(&mut self, src: &Source, name: &str, value: Option<&Spanned<i64>>) -> Option<u32> {
        let value = value?;
        let v = *value.get_ref();
        match u32::try_from(v) {
            Ok(n) if n <= MAX_WEEKS => Some(n),
            _ => {
                self.push(
                    src.at(
                        value.span(),
                        format!("`{name}` must be from 0 to {MAX_WEEKS}, got {v}"),
                    )
                    .help(format!("use a whole number from 0 to {MAX_WEEKS}")),
                );
                None
            }
        }
    }
}

/// Help for a holiday region `oncall.toml` does not define: add it, or use
/// one of the known regions.
fn no_such_region(region: &str, org: &Org) -> String {
    let add = format!("add a [holidays.{}] table to oncall.toml", shown(region));
    let known: Vec<&str> = org.holidays.keys().map(String::as_str).collect();
    if known.is_empty() {
        add
    } else {
        format!("{add}, or use a known region: {}", backticked(&known))
    }
}
