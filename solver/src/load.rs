//! Loading and validating a workspace (DESIGN.md §1).
//!
//! Every problem is collected as a [`Diagnostic`] naming the file, line and
//! column, with a suggested fix where one can be guessed. Loading never panics:
//! the raw serde structs below are private and every value taken from them is
//! checked before it becomes a domain type.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use chrono::{NaiveDate, NaiveTime, Weekday};
use chrono_tz::Tz;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use toml::Spanned;

use crate::error::{Diagnostic, LoadError};
use crate::model::{
    Absence, FairnessPolicy, Handoff, LoadWeights, Org, Origin, Person, PersonIdx, Pin, Role,
    RoleIdx, Rules, Team, TimeOff, Workspace,
};
use crate::suggest::did_you_mean;

/// Loads and validates the workspace in `root`.
///
/// # Errors
/// Every problem found in the inputs, each naming file and line.
pub fn load_workspace(root: &Path) -> Result<Workspace, LoadError> {
    let mut cx = Cx {
        root: root.to_path_buf(),
        diags: Vec::new(),
        hashed: Vec::new(),
    };
    let org = cx.org();
    let default_tz = org.as_ref().map(|o| o.timezone).unwrap_or(chrono_tz::UTC);
    let people = cx.people(default_tz);
    let time_off = cx.time_off(&people);
    let teams = cx.teams(&people, default_tz, org.as_ref());
    let Cx {
        mut diags,
        mut hashed,
        ..
    } = cx;
    match org {
        Some(org) if diags.is_empty() => {
            hashed.sort();
            let mut h = Sha256::new();
            for (path, bytes) in &hashed {
                h.update(path.as_bytes());
                h.update([0]);
                h.update((bytes.len() as u64).to_le_bytes());
                h.update(bytes);
            }
            let inputs_sha256 = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
            Ok(Workspace {
                root: root.to_path_buf(),
                org,
                people,
                time_off,
                teams,
                inputs_sha256,
            })
        }
        _ => {
            diags.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
            Err(LoadError { diagnostics: diags })
        }
    }
}

struct Cx {
    root: PathBuf,
    diags: Vec<Diagnostic>,
    hashed: Vec<(String, Vec<u8>)>,
}

/// A text file and where its lines start, to turn byte spans into positions.
struct Source {
    rel: PathBuf,
    text: String,
}

impl Source {
    fn pos(&self, offset: usize) -> (usize, usize) {
        let upto = self.text.get(..offset.min(self.text.len())).unwrap_or("");
        let line = upto.matches('\n').count() + 1;
        let col = upto
            .rsplit('\n')
            .next()
            .map(|l| l.chars().count())
            .unwrap_or(0)
            + 1;
        (line, col)
    }

    fn at(&self, span: std::ops::Range<usize>, message: impl Into<String>) -> Diagnostic {
        let (line, col) = self.pos(span.start);
        Diagnostic::new(&self.rel, line, col, message)
    }

    fn origin(&self, span: std::ops::Range<usize>) -> Origin {
        Origin {
            file: self.rel.clone(),
            line: self.pos(span.start).0,
        }
    }
}

impl Cx {
    fn read(&mut self, rel: &Path, required: Option<&str>) -> Option<Source> {
        let path = self.root.join(rel);
        let bytes = match fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if let Some(help) = required {
                    self.diags.push(
                        Diagnostic::new(rel, 0, 0, format!("missing file {}", rel.display()))
                            .help(help),
                    );
                }
                return None;
            }
            Err(e) => {
                self.diags.push(Diagnostic::new(
                    rel,
                    0,
                    0,
                    format!("cannot read {}: {e}", rel.display()),
                ));
                return None;
            }
        };
        self.hashed
            .push((rel.to_string_lossy().replace('\\', "/"), bytes.clone()));
        match String::from_utf8(bytes) {
            Ok(text) => Some(Source {
                rel: rel.to_path_buf(),
                text: text
                    .strip_prefix('\u{feff}')
                    .map(str::to_string)
                    .unwrap_or(text),
            }),
            Err(e) => {
                let upto = e
                    .as_bytes()
                    .get(..e.utf8_error().valid_up_to())
                    .unwrap_or(&[]);
                let line = upto.iter().filter(|&&b| b == b'\n').count() + 1;
                self.diags.push(
                    Diagnostic::new(rel, line, 0, "the file is not valid UTF-8")
                        .help("save it as UTF-8"),
                );
                None
            }
        }
    }

    fn parse_toml<T: for<'de> Deserialize<'de>>(&mut self, src: &Source) -> Option<T> {
        match toml::from_str::<T>(&src.text) {
            Ok(v) => Some(v),
            Err(e) => {
                let span = e.span().unwrap_or(0..0);
                let message = e.message().trim().to_string();
                let mut d = src.at(span, lowercase_first(&message));
                if let Some(help) = unknown_field_help(&message) {
                    d = d.help(help);
                }
                self.diags.push(d);
                None
            }
        }
    }

    fn zone(&mut self, src: &Source, value: &Spanned<String>) -> Option<Tz> {
        parse_zone(value.get_ref())
            .map_err(|d| self.diags.push(with_pos(src, value.span(), d)))
            .ok()
    }

    fn org(&mut self) -> Option<Org> {
        let src = self.read(Path::new("oncall.toml"), Some("create oncall.toml with at least `timezone = \"Europe/London\"` (run `oncall init DIR` for an example)"))?;
        let raw: RawOrg = self.parse_toml(&src)?;
        let timezone = self.zone(&src, &raw.timezone);
        let load = raw.load.unwrap_or_default();
        for (name, w) in [
            ("weekday", &load.weekday),
            ("weekend", &load.weekend),
            ("holiday", &load.holiday),
        ] {
            if !(w.get_ref().is_finite() && *w.get_ref() >= 0.0) {
                self.diags.push(src.at(
                    w.span(),
                    format!(
                        "load weight `{name}` must be a number of at least 0, got {}",
                        w.get_ref()
                    ),
                ));
            }
        }
        let mut holidays = BTreeMap::new();
        for (region, days) in raw.holidays {
            let mut parsed = BTreeMap::new();
            for (date, name) in days {
                match parse_date(date.get_ref()) {
                    Ok(d) => {
                        parsed.insert(d, name);
                    }
                    Err(msg) => self.diags.push(
                        src.at(date.span(), format!("holiday {msg}"))
                            .help("write dates as \"YYYY-MM-DD\""),
                    ),
                }
            }
            holidays.insert(region, parsed);
        }
        Some(Org {
            timezone: timezone?,
            load: LoadWeights {
                weekday: *load.weekday.get_ref(),
                weekend: *load.weekend.get_ref(),
                holiday: *load.holiday.get_ref(),
            },
            holidays,
        })
    }

    fn people(&mut self, default_tz: Tz) -> Vec<Person> {
        let rel = Path::new("people.csv");
        let Some(src) = self.read(rel, Some("create people.csv with the header `id,name,email,timezone,region,joined,left,skills`")) else {
            return Vec::new();
        };
        let mut reader = csv::ReaderBuilder::new()
            .flexible(false)
            .trim(csv::Trim::All)
            .from_reader(src.text.as_bytes());
        let headers = match reader.headers() {
            Ok(h) => h.clone(),
            Err(e) => {
                self.diags.push(Diagnostic::new(
                    rel,
                    1,
                    0,
                    format!("cannot read the header: {e}"),
                ));
                return Vec::new();
            }
        };
        let known = [
            "id", "name", "email", "timezone", "region", "joined", "left", "skills",
        ];
        let col = |name: &str| headers.iter().position(|h| h == name);
        for (k, h) in headers.iter().enumerate() {
            if !known.contains(&h) {
                let mut d = Diagnostic::new(rel, 1, k + 1, format!("unknown column `{h}`"));
                d = match did_you_mean(h, known) {
                    Some(s) => d.help(format!("did you mean `{s}`?")),
                    None => d.help(format!("the columns are {}", known.join(","))),
                };
                self.diags.push(d);
            }
        }
        let missing: Vec<&str> = ["id", "joined"]
            .into_iter()
            .filter(|c| col(c).is_none())
            .collect();
        if !missing.is_empty() {
            self.diags.push(
                Diagnostic::new(
                    rel,
                    1,
                    0,
                    format!("missing column(s) {}", missing.join(", ")),
                )
                .help("the header is `id,name,email,timezone,region,joined,left,skills`"),
            );
            return Vec::new();
        }
        let mut people: Vec<Person> = Vec::new();
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for record in reader.records() {
            let record = match record {
                Ok(r) => r,
                Err(e) => {
                    let line = e.position().map(|p| p.line() as usize).unwrap_or(0);
                    let msg = match e.kind() {
                        csv::ErrorKind::UnequalLengths {
                            expected_len, len, ..
                        } => {
                            format!("this row has {len} fields but the header has {expected_len}")
                        }
                        _ => format!("cannot read this row: {e}"),
                    };
                    self.diags.push(Diagnostic::new(rel, line, 0, msg).help(
                        "every row needs one field per header column; leave optional fields empty",
                    ));
                    continue;
                }
            };
            let line = record.position().map(|p| p.line() as usize).unwrap_or(0);
            let get = |name: &str| {
                col(name)
                    .and_then(|i| record.get(i))
                    .unwrap_or("")
                    .to_string()
            };
            let column_of = |name: &str| col(name).map(|i| i + 1).unwrap_or(0);
            let bad = |this: &mut Self, field: &str, msg: String, help: Option<String>| {
                let mut d = Diagnostic::new(
                    rel,
                    line,
                    column_of(field),
                    format!("column `{field}`: {msg}"),
                );
                if let Some(h) = help {
                    d = d.help(h);
                }
                this.diags.push(d);
            };
            let id = get("id");
            if id.is_empty() {
                bad(
                    self,
                    "id",
                    "empty id".into(),
                    Some("give every person a short unique id such as `alice`".into()),
                );
                continue;
            }
            if let Some(first) = seen.get(&id) {
                bad(
                    self,
                    "id",
                    format!("duplicate person id `{id}` (first on line {first})"),
                    Some("ids must be unique; rename one of them".into()),
                );
                continue;
            }
            seen.insert(id.clone(), line);
            let tz_text = get("timezone");
            let timezone = if tz_text.is_empty() {
                default_tz
            } else {
                match parse_zone(&tz_text) {
                    Ok(tz) => tz,
                    Err((msg, help)) => {
                        bad(self, "timezone", msg, help);
                        default_tz
                    }
                }
            };
            let joined = match parse_date(&get("joined")) {
                Ok(d) => d,
                Err(msg) => {
                    bad(
                        self,
                        "joined",
                        msg,
                        Some("write dates as YYYY-MM-DD".into()),
                    );
                    continue;
                }
            };
            let left_text = get("left");
            let left = if left_text.is_empty() {
                None
            } else {
                match parse_date(&left_text) {
                    Ok(d) => Some(d),
                    Err(msg) => {
                        bad(
                            self,
                            "left",
                            msg,
                            Some("write dates as YYYY-MM-DD, or leave it empty".into()),
                        );
                        None
                    }
                }
            };
            if let Some(l) = left {
                if l <= joined {
                    bad(self, "left", format!("`left` {l} is not after `joined` {joined}"), Some("`left` is the first day no longer employed; it must come after `joined`".into()));
                }
            }
            let region = Some(get("region")).filter(|r| !r.is_empty());
            let skills: BTreeSet<String> = get("skills")
                .split(';')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            people.push(Person {
                name: Some(get("name"))
                    .filter(|n| !n.is_empty())
                    .unwrap_or_else(|| id.clone()),
                id,
                email: get("email"),
                timezone,
                region,
                joined,
                left,
                skills,
                origin: Origin {
                    file: rel.to_path_buf(),
                    line,
                },
            });
        }
        people
    }

    fn person(
        &mut self,
        src: &Source,
        people: &[Person],
        id: &Spanned<String>,
    ) -> Option<PersonIdx> {
        if let Some(i) = people.iter().position(|p| &p.id == id.get_ref()) {
            return Some(PersonIdx(i));
        }
        let mut d = src.at(id.span(), format!("unknown person `{}`", id.get_ref()));
        d = match did_you_mean(id.get_ref(), people.iter().map(|p| p.id.as_str())) {
            Some(s) => d.help(format!("did you mean `{s}`?")),
            None => d.help("add the person to people.csv or fix the id"),
        };
        self.diags.push(d);
        None
    }

    fn list_dir(&mut self, dir: &str) -> Vec<PathBuf> {
        let path = self.root.join(dir);
        let Ok(entries) = fs::read_dir(&path) else {
            return Vec::new();
        };
        let mut out: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| Path::new(dir).join(e.file_name()))
            .filter(|p| {
                !p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with('.'))
            })
            .collect();
        out.sort();
        out
    }

    fn time_off(&mut self, people: &[Person]) -> Vec<TimeOff> {
        let mut out = Vec::new();
        for rel in self.list_dir("time-off") {
            match rel.extension().and_then(|e| e.to_str()) {
                Some("toml") => {}
                Some("ics") => {
                    self.diags.push(
                        Diagnostic::new(
                            &rel,
                            0,
                            0,
                            "calendar time off (.ics) is not supported yet",
                        )
                        .help(format!(
                            "convert it to {}",
                            rel.with_extension("toml").display()
                        )),
                    );
                    continue;
                }
                _ => continue,
            }
            let Some(src) = self.read(&rel, None) else {
                continue;
            };
            let Some(raw) = self.parse_toml::<RawTimeOffFile>(&src) else {
                continue;
            };
            for entry in raw.time_off {
                let person = self.person(&src, people, &entry.person);
                let start = self.date(&src, &entry.start);
                let end = self.date(&src, &entry.end);
                let (Some(person), Some(start), Some(end)) = (person, start, end) else {
                    continue;
                };
                if end < start {
                    self.diags.push(
                        src.at(
                            entry.end.span(),
                            format!("`end` {end} is before `start` {start}"),
                        )
                        .help(
                            "`end` is the last day off, inclusive; swap the dates or fix the typo",
                        ),
                    );
                    continue;
                }
                out.push(TimeOff {
                    person,
                    start,
                    end,
                    reason: entry.reason.unwrap_or_default(),
                    origin: src.origin(entry.person.span()),
                });
            }
        }
        out
    }

    fn date(&mut self, src: &Source, value: &Spanned<toml::Value>) -> Option<NaiveDate> {
        let parsed = match value.get_ref() {
            toml::Value::String(s) => parse_date(s),
            toml::Value::Datetime(dt) => match (dt.date, dt.time) {
                (Some(d), None) => {
                    NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
                        .ok_or_else(|| format!("`{dt}` is not a date"))
                }
                _ => Err(format!("`{dt}` is a date-time; give a plain date")),
            },
            other => Err(format!("expected a date, found {}", other.type_str())),
        };
        parsed
            .map_err(|msg| {
                self.diags.push(
                    src.at(value.span(), msg)
                        .help("write dates as \"YYYY-MM-DD\""),
                )
            })
            .ok()
    }

    fn teams(&mut self, people: &[Person], default_tz: Tz, org: Option<&Org>) -> Vec<Team> {
        let files = self.list_dir("teams");
        if files
            .iter()
            .all(|f| f.extension().and_then(|e| e.to_str()) != Some("toml"))
        {
            self.diags.push(
                Diagnostic::new("teams", 0, 0, "no team files")
                    .help("create teams/<team>.toml (run `oncall init DIR` for an example)"),
            );
        }
        let mut out = Vec::new();
        for rel in files {
            if rel.extension().and_then(|e| e.to_str()) != Some("toml") {
                continue;
            }
            let Some(src) = self.read(&rel, None) else {
                continue;
            };
            let Some(raw) = self.parse_toml::<RawTeam>(&src) else {
                continue;
            };
            if let Some(t) = self.team(&src, raw, people, default_tz, org) {
                out.push(t);
            }
        }
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
    ) -> Option<Team> {
        let before = self.diags.len();
        let id = src
            .rel
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("")
            .to_string();
        let timezone = match &raw.timezone {
            Some(tz) => self.zone(src, tz).unwrap_or(default_tz),
            None => default_tz,
        };
        if let (Some(region), Some(org)) = (&raw.holidays, org) {
            if !org.holidays.contains_key(region.get_ref()) {
                let mut d = src.at(
                    region.span(),
                    format!("unknown holiday region `{}`", region.get_ref()),
                );
                d = match did_you_mean(region.get_ref(), org.holidays.keys().map(String::as_str)) {
                    Some(s) => d.help(format!("did you mean `{s}`?")),
                    None => d.help(format!(
                        "add a [holidays.{}] table to oncall.toml",
                        region.get_ref()
                    )),
                };
                self.diags.push(d);
            }
        }
        let mut members = Vec::new();
        for m in &raw.members {
            if let Some(p) = self.person(src, people, m) {
                if members.contains(&p) {
                    self.diags.push(
                        src.at(
                            m.span(),
                            format!("`{}` is listed twice in members", m.get_ref()),
                        )
                        .help("remove the duplicate"),
                    );
                } else {
                    members.push(p);
                }
            }
        }
        let handoff = self.handoff(src, &raw.handoff);
        let mut roles: Vec<Role> = Vec::new();
        if raw.roles.is_empty() {
            self.diags.push(
                Diagnostic::new(&src.rel, 1, 1, "the team has no roles")
                    .help("add a [[roles]] table with at least `name = \"primary\"`"),
            );
        }
        for r in &raw.roles {
            if roles.iter().any(|x| &x.name == r.name.get_ref()) {
                self.diags.push(
                    src.at(
                        r.name.span(),
                        format!("duplicate role `{}`", r.name.get_ref()),
                    )
                    .help("role names must be unique within a team"),
                );
                continue;
            }
            let weight = *r.weight.as_ref().map(Spanned::get_ref).unwrap_or(&1.0);
            if !(weight.is_finite() && weight >= 0.0) {
                let span = r
                    .weight
                    .as_ref()
                    .map(Spanned::span)
                    .unwrap_or(r.name.span());
                self.diags.push(src.at(
                    span,
                    format!("role weight must be a number of at least 0, got {weight}"),
                ));
            }
            let tenure = r
                .min_tenure_days
                .as_ref()
                .map(|t| *t.get_ref())
                .unwrap_or(0);
            if tenure < 0 {
                let span = r
                    .min_tenure_days
                    .as_ref()
                    .map(Spanned::span)
                    .unwrap_or(r.name.span());
                self.diags.push(src.at(
                    span,
                    format!("min_tenure_days must be at least 0, got {tenure}"),
                ));
            }
            for skill in &r.skills {
                let holders = members.iter().any(|p| {
                    people
                        .get(p.0)
                        .is_some_and(|x| x.skills.contains(skill.get_ref()))
                });
                if !holders && !members.is_empty() {
                    let all: BTreeSet<&str> = members
                        .iter()
                        .filter_map(|p| people.get(p.0))
                        .flat_map(|x| x.skills.iter().map(String::as_str))
                        .collect();
                    let mut d = src.at(
                        skill.span(),
                        format!(
                            "role `{}` requires skill `{}`, which no member has",
                            r.name.get_ref(),
                            skill.get_ref()
                        ),
                    );
                    d = match did_you_mean(skill.get_ref(), all.iter().copied()) {
                        Some(s) => d.help(format!("did you mean `{s}`?")),
                        None => d.help(format!("add `{}` to a member's skills in people.csv, or add a member who has it", skill.get_ref())),
                    };
                    self.diags.push(d);
                }
            }
            roles.push(Role {
                name: r.name.get_ref().clone(),
                weight,
                min_tenure_days: tenure,
                skills: r.skills.iter().map(|s| s.get_ref().clone()).collect(),
            });
        }
        let rules = raw.rules.unwrap_or_default();
        let fairness = raw.fairness.unwrap_or_default();
        let absence = match fairness.absence.as_ref().map(|a| a.get_ref().as_str()) {
            None | Some("owed") => Absence::Owed,
            Some("excused") => Absence::Excused,
            Some(other) => {
                let span = fairness.absence.as_ref().map(Spanned::span).unwrap_or(0..0);
                self.diags.push(
                    src.at(span, format!("unknown absence policy `{other}`"))
                        .help("use \"owed\" or \"excused\""),
                );
                Absence::Owed
            }
        };
        let mut carry = BTreeMap::new();
        for (who, amount) in &raw.carry {
            if let Some(p) = self.person(src, people, who) {
                if !members.contains(&p) {
                    self.diags.push(
                        src.at(
                            who.span(),
                            format!("`{}` has carry-over but is not a member", who.get_ref()),
                        )
                        .help("add them to members or remove the entry"),
                    );
                }
                carry.insert(p, *amount);
            }
        }
        let mut pins = Vec::new();
        for pin in &raw.pins {
            let person = self.person(src, people, &pin.person);
            let week = self.date(src, &pin.week);
            let role = roles
                .iter()
                .position(|r| &r.name == pin.role.get_ref())
                .map(RoleIdx);
            if role.is_none() {
                let mut d = src.at(
                    pin.role.span(),
                    format!("unknown role `{}` in pin", pin.role.get_ref()),
                );
                d = match did_you_mean(pin.role.get_ref(), roles.iter().map(|r| r.name.as_str())) {
                    Some(s) => d.help(format!("did you mean `{s}`?")),
                    None => d.help(format!(
                        "the team's roles are {}",
                        roles
                            .iter()
                            .map(|r| r.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                };
                self.diags.push(d);
            }
            if let (Some(p), Some(_)) = (person, role) {
                if !members.contains(&p) {
                    self.diags.push(
                        src.at(
                            pin.person.span(),
                            format!("pinned person `{}` is not a member", pin.person.get_ref()),
                        )
                        .help("add them to members or fix the pin"),
                    );
                }
            }
            if let (Some(w), Some(h)) = (week, handoff) {
                use chrono::Datelike;
                if w.weekday() != h.weekday {
                    self.diags.push(
                        src.at(
                            pin.week.span(),
                            format!(
                                "pin week {w} is a {:?}, but handoffs are on {:?}",
                                w.weekday(),
                                h.weekday
                            ),
                        )
                        .help("a pin's `week` is the date of the week's first handoff"),
                    );
                }
            }
            if let (Some(person), Some(week), Some(role)) = (person, week, role) {
                if pins.iter().any(|x: &Pin| x.week == week && x.role == role) {
                    self.diags.push(
                        src.at(
                            pin.week.span(),
                            format!("two pins for {} {week}", pin.role.get_ref()),
                        )
                        .help("keep one pin per slot"),
                    );
                }
                pins.push(Pin {
                    week,
                    role,
                    person,
                    origin: src.origin(pin.week.span()),
                });
            }
        }
        if self.diags.len() > before {
            return None;
        }
        Some(Team {
            name: raw.name.unwrap_or_else(|| id.clone()),
            id,
            timezone,
            holidays: raw.holidays.map(Spanned::into_inner),
            members,
            handoff: handoff?,
            escalation: raw.escalation,
            roles,
            rules: Rules {
                rest_weeks: rules.rest_weeks,
                max_shifts: rules.max_shifts,
            },
            fairness: FairnessPolicy {
                absence,
                history_weeks: fairness.history_weeks.unwrap_or(52),
            },
            carry,
            pins,
            origin: Origin {
                file: src.rel.clone(),
                line: 1,
            },
        })
    }

    fn handoff(&mut self, src: &Source, raw: &Spanned<RawHandoff>) -> Option<Handoff> {
        let wd = &raw.get_ref().weekday;
        let weekday = parse_weekday(wd.get_ref());
        if weekday.is_none() {
            self.diags.push(
                src.at(wd.span(), format!("unknown weekday `{}`", wd.get_ref()))
                    .help("use a day name such as \"monday\""),
            );
        }
        let tm = &raw.get_ref().time;
        let time = NaiveTime::parse_from_str(tm.get_ref(), "%H:%M").ok();
        if time.is_none() {
            self.diags.push(
                src.at(
                    tm.span(),
                    format!("`{}` is not a time of day", tm.get_ref()),
                )
                .help("write the time as \"HH:MM\", e.g. \"10:00\""),
            );
        }
        Some(Handoff {
            weekday: weekday?,
            time: time?,
        })
    }
}

fn with_pos(
    src: &Source,
    span: std::ops::Range<usize>,
    (msg, help): (String, Option<String>),
) -> Diagnostic {
    let d = src.at(span, msg);
    match help {
        Some(h) => d.help(h),
        None => d,
    }
}

fn parse_zone(name: &str) -> Result<Tz, (String, Option<String>)> {
    name.parse::<Tz>().map_err(|_| {
        let names = chrono_tz::TZ_VARIANTS.iter().map(|t| t.name());
        let help = match did_you_mean(name, names) {
            Some(s) => format!("did you mean `{s}`?"),
            None => {
                "use an IANA zone name such as `Europe/Berlin` or `America/New_York`".to_string()
            }
        };
        (format!("unknown time zone `{name}`"), Some(help))
    })
}

fn parse_date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| format!("`{text}` is not a date (YYYY-MM-DD)"))
}

fn parse_weekday(text: &str) -> Option<Weekday> {
    let t = text.trim().to_ascii_lowercase();
    let all = [
        ("monday", Weekday::Mon),
        ("tuesday", Weekday::Tue),
        ("wednesday", Weekday::Wed),
        ("thursday", Weekday::Thu),
        ("friday", Weekday::Fri),
        ("saturday", Weekday::Sat),
        ("sunday", Weekday::Sun),
    ];
    all.iter()
        .find(|(n, _)| *n == t || (t.len() == 3 && n.starts_with(&t)))
        .map(|(_, d)| *d)
}

fn lowercase_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// For serde's "unknown field `x`, expected one of `a`, `b`" messages, suggest the closest.
fn unknown_field_help(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    let (field, expected) = rest.split_once('`')?;
    let names: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    did_you_mean(field, names.iter().copied()).map(|s| format!("did you mean `{s}`?"))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOrg {
    timezone: Spanned<String>,
    #[serde(default)]
    load: Option<RawLoad>,
    #[serde(default)]
    holidays: BTreeMap<String, BTreeMap<Spanned<String>, String>>,
    #[serde(default)]
    #[allow(dead_code)]
    compensation: Option<toml::Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLoad {
    #[serde(default = "one")]
    weekday: Spanned<f64>,
    #[serde(default = "one_and_a_half")]
    weekend: Spanned<f64>,
    #[serde(default = "two")]
    holiday: Spanned<f64>,
}

impl Default for RawLoad {
    fn default() -> Self {
        RawLoad {
            weekday: one(),
            weekend: one_and_a_half(),
            holiday: two(),
        }
    }
}

fn spanned<T>(v: T) -> Spanned<T> {
    Spanned::new(0..0, v)
}
fn one() -> Spanned<f64> {
    spanned(1.0)
}
fn one_and_a_half() -> Spanned<f64> {
    spanned(1.5)
}
fn two() -> Spanned<f64> {
    spanned(2.0)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTimeOffFile {
    #[serde(default)]
    time_off: Vec<RawTimeOff>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTimeOff {
    person: Spanned<String>,
    start: Spanned<toml::Value>,
    end: Spanned<toml::Value>,
    #[serde(default)]
    reason: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTeam {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    timezone: Option<Spanned<String>>,
    #[serde(default)]
    holidays: Option<Spanned<String>>,
    #[serde(default)]
    members: Vec<Spanned<String>>,
    handoff: Spanned<RawHandoff>,
    #[serde(default)]
    escalation: Vec<String>,
    #[serde(default)]
    roles: Vec<RawRole>,
    #[serde(default)]
    rules: Option<RawRules>,
    #[serde(default)]
    fairness: Option<RawFairness>,
    #[serde(default)]
    carry: BTreeMap<Spanned<String>, f64>,
    #[serde(default)]
    pins: Vec<RawPin>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHandoff {
    weekday: Spanned<String>,
    time: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRole {
    name: Spanned<String>,
    #[serde(default)]
    weight: Option<Spanned<f64>>,
    #[serde(default)]
    min_tenure_days: Option<Spanned<i64>>,
    #[serde(default)]
    skills: Vec<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawRules {
    #[serde(default)]
    rest_weeks: u32,
    #[serde(default)]
    max_shifts: Option<u32>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawFairness {
    #[serde(default)]
    absence: Option<Spanned<String>>,
    #[serde(default)]
    history_weeks: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPin {
    week: Spanned<toml::Value>,
    role: Spanned<String>,
    person: Spanned<String>,
}
