//! Loading and validating a workspace (DESIGN.md §1).
//!
//! Every problem is collected as a [`Diagnostic`] naming the file, line and
//! column, with a suggested fix where one can be guessed. Loading never panics:
//! the raw serde structs below are private and every value taken from them is
//! checked before it becomes a domain type.
//!
//! What is read:
//!
//! - `oncall.toml` (required): `timezone`, `[load]`, `[holidays.<region>]` and
//!   `[compensation]` (the pay policy: currency, mode, rates, role
//!   multipliers, days off in lieu, region overrides and incident pay);
//! - `people.csv` (required): columns `id` and `joined` are required, `name`,
//!   `email`, `timezone`, `region`, `left` and `skills` are optional; other
//!   columns are ignored unless they look like a misspelt known column;
//! - `time-off/*.toml` and `time-off/<person-id>.ics` (see
//!   [`crate::input::calendar`]); other files there are ignored;
//! - `teams/*.toml` (at least one); the file stem is the team's id.
//!
//! Hidden files are skipped everywhere.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::ops::Range;
use std::path::{Path, PathBuf};

use chrono::{Datelike, Duration, NaiveDate, NaiveTime, Weekday};
use chrono_tz::Tz;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use toml::Spanned;

use crate::input::diagnostic::{Diagnostic, LoadError};
use crate::input::suggest::did_you_mean;
use crate::model::{
    Absence, FairnessPolicy, Handoff, LoadWeights, Org, Origin, Person, PersonIdx, Pin, Role,
    RoleIdx, Rules, Team, TimeOff, Workspace,
};

pub mod calendar;
pub mod diagnostic;
pub mod example;
mod pay_policy;
pub mod suggest;
pub mod synth;

/// The columns of `people.csv`, in the documented order.
const PEOPLE_COLUMNS: [&str; 8] = [
    "id", "name", "email", "timezone", "region", "joined", "left", "skills",
];

/// The columns `people.csv` cannot do without.
const REQUIRED_COLUMNS: [&str; 2] = ["id", "joined"];

const PEOPLE_HEADER: &str = "id,name,email,timezone,region,joined,left,skills";

const WEEKDAYS: [(&str, Weekday); 7] = [
    ("monday", Weekday::Mon),
    ("tuesday", Weekday::Tue),
    ("wednesday", Weekday::Wed),
    ("thursday", Weekday::Thu),
    ("friday", Weekday::Fri),
    ("saturday", Weekday::Sat),
    ("sunday", Weekday::Sun),
];

/// Loads and validates the workspace in `root`.
///
/// Teams come sorted by id, people in file order. On success,
/// [`Workspace::inputs_sha256`] is the SHA-256 over the relative path and bytes
/// of every input file read, in path order.
///
/// # Errors
/// Every problem found in the inputs, each naming the file (relative to
/// `root`), line and column and, where one can be guessed, the fix; sorted by
/// file, line and column.
pub fn load_workspace(root: &Path) -> Result<Workspace, LoadError> {
    if !root.is_dir() {
        let message = if root.exists() {
            format!("`{}` is not a directory", root.display())
        } else {
            format!("workspace directory `{}` does not exist", root.display())
        };
        return Err(LoadError {
            diagnostics: vec![Diagnostic::new(root, 0, 0, message).help(
                "pass the workspace directory with `-C DIR`, or create one with `oncall init DIR`",
            )],
        });
    }
    let mut cx = Cx {
        root: root.to_path_buf(),
        diags: Vec::new(),
        hashed: Vec::new(),
        people_known: false,
    };
    let org = cx.org();
    let default_tz = org.as_ref().map_or(chrono_tz::UTC, |o| o.timezone);
    let people = cx.people(default_tz);
    let time_off = cx.time_off(&people);
    let teams = cx.teams(&people, default_tz, org.as_ref());
    let Cx {
        mut diags,
        mut hashed,
        ..
    } = cx;
    match org {
        Some(org) if diags.is_empty() => Ok(Workspace {
            root: root.to_path_buf(),
            org,
            people,
            time_off,
            teams,
            inputs_sha256: digest(&mut hashed),
        }),
        _ => {
            diags.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
            Err(LoadError { diagnostics: diags })
        }
    }
}

/// SHA-256 (hex) over `(path, bytes)` pairs sorted by path; each path and
/// length is framed so that no two different inputs hash alike.
fn digest(files: &mut [(String, Vec<u8>)]) -> String {
    files.sort();
    let mut h = Sha256::new();
    for (path, bytes) in files.iter() {
        h.update((path.len() as u64).to_le_bytes());
        h.update(path.as_bytes());
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The loading context: where the workspace is and what was found so far.
struct Cx {
    root: PathBuf,
    diags: Vec<Diagnostic>,
    hashed: Vec<(String, Vec<u8>)>,
    /// Whether `people.csv` could be read at all; when not, references to
    /// people are not reported as unknown (that would only repeat the problem).
    people_known: bool,
}

/// A text file, to turn byte offsets into line and column.
struct Source {
    rel: PathBuf,
    text: String,
}

impl Source {
    /// 1-based line and column (in characters) of a byte offset.
    fn pos(&self, offset: usize) -> (usize, usize) {
        let mut end = offset.min(self.text.len());
        while end > 0 && !self.text.is_char_boundary(end) {
            end -= 1;
        }
        let upto = self.text.get(..end).unwrap_or("");
        let line = upto.matches('\n').count() + 1;
        let col = upto.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (line, col)
    }

    fn at(&self, span: Range<usize>, message: impl Into<String>) -> Diagnostic {
        let (line, col) = self.pos(span.start);
        Diagnostic::new(&self.rel, line, col, message)
    }

    fn origin(&self, span: Range<usize>) -> Origin {
        Origin {
            file: self.rel.clone(),
            line: self.pos(span.start).0,
        }
    }
}

/// `help` with a did-you-mean when a candidate is close, else `otherwise`.
fn suggest<'a>(
    d: Diagnostic,
    wrong: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    otherwise: impl Into<String>,
) -> Diagnostic {
    match did_you_mean(wrong, candidates) {
        Some(s) if s != wrong => d.help(format!("did you mean `{s}`?")),
        _ => d.help(otherwise),
    }
}

impl Cx {
    fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    /// Reads a file as UTF-8 text and records its bytes for the inputs hash.
    /// A missing file is diagnosed only when `required` gives the fix.
    fn read(&mut self, rel: &Path, required: Option<&str>) -> Option<Source> {
        let bytes = match fs::read(self.root.join(rel)) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if let Some(help) = required {
                    self.push(
                        Diagnostic::new(rel, 0, 0, format!("missing file `{}`", rel.display()))
                            .help(help),
                    );
                }
                return None;
            }
            Err(e) => {
                self.push(Diagnostic::new(
                    rel,
                    0,
                    0,
                    format!("cannot read the file: {}", lowercase_first(&e.to_string())),
                ));
                return None;
            }
        };
        self.hashed
            .push((rel.to_string_lossy().replace('\\', "/"), bytes.clone()));
        match String::from_utf8(bytes) {
            Ok(text) => Some(Source {
                rel: rel.to_path_buf(),
                text: match text.strip_prefix('\u{feff}') {
                    Some(rest) => rest.to_string(),
                    None => text,
                },
            }),
            Err(e) => {
                let valid = e.utf8_error().valid_up_to();
                let upto = e.as_bytes().get(..valid).unwrap_or(&[]);
                let line = upto.iter().filter(|&&b| b == b'\n').count() + 1;
                let line_start = upto.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
                let column = upto
                    .get(line_start..)
                    .and_then(|s| std::str::from_utf8(s).ok())
                    .map_or(0, |s| s.chars().count() + 1);
                self.push(
                    Diagnostic::new(rel, line, column, "the file is not valid UTF-8")
                        .help("save it as UTF-8 text"),
                );
                None
            }
        }
    }

    fn parse_toml<T: for<'de> Deserialize<'de>>(&mut self, src: &Source) -> Option<T> {
        match toml::from_str::<T>(&src.text) {
            Ok(v) => Some(v),
            Err(e) => {
                let (message, help) = tidy_toml_error(e.message().trim());
                let mut d = match e.span() {
                    Some(span) => src.at(span, message),
                    None => Diagnostic::new(&src.rel, 0, 0, message),
                };
                if let Some(help) = help {
                    d = d.help(help);
                }
                self.push(d);
                None
            }
        }
    }

    fn zone(&mut self, src: &Source, value: &Spanned<String>) -> Option<Tz> {
        match parse_zone(value.get_ref()) {
            Ok(tz) => Some(tz),
            Err(d) => {
                self.push(with_pos(src, value.span(), d));
                None
            }
        }
    }

    fn org(&mut self) -> Option<Org> {
        let src = self.read(
            Path::new("oncall.toml"),
            Some("create oncall.toml with at least `timezone = \"America/Los_Angeles\"` (or run `oncall init DIR` for an example workspace)"),
        )?;
        let raw: RawOrg = self.parse_toml(&src)?;
        let timezone = self.zone(&src, &raw.timezone);
        let load = raw.load.unwrap_or_default();
        for (name, w) in [
            ("weekday", &load.weekday),
            ("weekend", &load.weekend),
            ("holiday", &load.holiday),
        ] {
            let v = *w.get_ref();
            if !(v.is_finite() && v >= 0.0) {
                self.push(
                    src.at(
                        w.span(),
                        format!("load weight `{name}` must be at least 0, got {v}"),
                    )
                    .help("a load weight multiplies on-call hours; use 0 or more"),
                );
            }
        }
        let mut holidays = BTreeMap::new();
        for (region, days) in raw.holidays {
            let mut parsed = BTreeMap::new();
            for (date, name) in days {
                match parse_date(date.get_ref()) {
                    Some(d) => {
                        parsed.insert(d, name);
                    }
                    None => self.push(
                        src.at(
                            date.span(),
                            format!("invalid holiday date `{}`", date.get_ref()),
                        )
                        .help(DATE_HELP),
                    ),
                }
            }
            holidays.insert(region, parsed);
        }
        let compensation = raw
            .compensation
            .as_ref()
            .and_then(|c| self.compensation(&src, c));
        Some(Org {
            timezone: timezone?,
            load: LoadWeights {
                weekday: *load.weekday.get_ref(),
                weekend: *load.weekend.get_ref(),
                holiday: *load.holiday.get_ref(),
            },
            holidays,
            compensation,
        })
    }

    fn people(&mut self, default_tz: Tz) -> Vec<Person> {
        let rel = Path::new("people.csv");
        let help =
            format!("create people.csv with the header `{PEOPLE_HEADER}` and one row per person");
        let Some(src) = self.read(rel, Some(&help)) else {
            return Vec::new();
        };
        let mut reader = csv::ReaderBuilder::new()
            .flexible(false)
            .trim(csv::Trim::All)
            .from_reader(src.text.as_bytes());
        let headers = match reader.headers() {
            Ok(h) => h.clone(),
            Err(e) => {
                let line = src.pos(record_start(&src, e.position())).0;
                self.push(Diagnostic::new(
                    rel,
                    line,
                    0,
                    format!("cannot read the header: {e}"),
                ));
                return Vec::new();
            }
        };
        let header_start = record_start(&src, headers.position());
        let header_line = src.pos(header_start).0;
        let present: Vec<&str> = headers.iter().collect();
        for (k, h) in present.iter().enumerate() {
            let (line, column) = csv_field_pos(&src, header_start, k, header_line);
            if PEOPLE_COLUMNS.contains(h) {
                if present.iter().take(k).any(|x| x == h) {
                    self.push(
                        Diagnostic::new(rel, line, column, format!("duplicate column `{h}`"))
                            .help("keep one column of each name"),
                    );
                }
                continue;
            }
            // Extra columns from an HR export are fine; a misspelt known
            // column is not, or its values would be silently dropped.
            let absent = PEOPLE_COLUMNS
                .iter()
                .copied()
                .filter(|c| !present.contains(c));
            if let Some(s) = did_you_mean(h, absent) {
                self.push(
                    Diagnostic::new(rel, line, column, format!("unknown column `{h}`"))
                        .help(format!("did you mean `{s}`?")),
                );
            }
        }
        let col = |name: &str| present.iter().position(|h| *h == name);
        let mut missing = false;
        for c in REQUIRED_COLUMNS {
            if col(c).is_none() {
                missing = true;
                self.push(
                    Diagnostic::new(
                        rel,
                        header_line,
                        0,
                        format!("missing required column `{c}`"),
                    )
                    .help(format!(
                        "add `{c}` to the header; the full header is `{PEOPLE_HEADER}`"
                    )),
                );
            }
        }
        if missing {
            return Vec::new();
        }
        self.people_known = true;
        let mut people: Vec<Person> = Vec::new();
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for record in reader.records() {
            let record = match record {
                Ok(r) => r,
                Err(e) => {
                    let line = src.pos(record_start(&src, e.position())).0;
                    let msg = match e.kind() {
                        csv::ErrorKind::UnequalLengths {
                            expected_len, len, ..
                        } => {
                            format!("this row has {len} field(s) but the header has {expected_len}")
                        }
                        _ => format!("cannot read this row: {e}"),
                    };
                    self.push(Diagnostic::new(rel, line, 0, msg).help(
                        "give every row one field per header column; leave optional fields empty",
                    ));
                    continue;
                }
            };
            let start = record_start(&src, record.position());
            let line = src.pos(start).0;
            let get = |name: &str| col(name).and_then(|i| record.get(i)).unwrap_or("");
            let at = |name: &str, message: String| {
                let (l, c) = match col(name) {
                    Some(i) => csv_field_pos(&src, start, i, line),
                    None => (line, 0),
                };
                Diagnostic::new(rel, l, c, message)
            };
            let id = get("id").to_string();
            if id.is_empty() {
                self.push(
                    at("id", "empty person id".into())
                        .help("give every person a short unique id such as `alice`"),
                );
                continue;
            }
            if let Some(first) = seen.get(&id) {
                self.push(
                    at(
                        "id",
                        format!("duplicate person id `{id}` (first on line {first})"),
                    )
                    .help("person ids must be unique; rename or remove one of the rows"),
                );
                continue;
            }
            seen.insert(id.clone(), line);
            let tz_text = get("timezone");
            let timezone = if tz_text.is_empty() {
                default_tz
            } else {
                match parse_zone(tz_text) {
                    Ok(tz) => tz,
                    Err((msg, help)) => {
                        self.push(at("timezone", msg).help(help));
                        default_tz
                    }
                }
            };
            // A bad date still keeps the person, so that references to them
            // elsewhere are not also reported as unknown.
            let joined_text = get("joined");
            let joined = if joined_text.is_empty() {
                self.push(
                    at("joined", format!("empty `joined` date for `{id}`"))
                        .help("give the first day employed as YYYY-MM-DD"),
                );
                None
            } else {
                let d = parse_date(joined_text);
                if d.is_none() {
                    self.push(
                        at(
                            "joined",
                            format!("invalid date `{joined_text}` in column `joined`"),
                        )
                        .help(DATE_HELP),
                    );
                }
                d
            };
            let left_text = get("left");
            let left = if left_text.is_empty() {
                None
            } else {
                let d = parse_date(left_text);
                if d.is_none() {
                    self.push(
                        at(
                            "left",
                            format!("invalid date `{left_text}` in column `left`"),
                        )
                        .help("write dates as YYYY-MM-DD, or leave `left` empty"),
                    );
                }
                d
            };
            if let (Some(l), Some(j)) = (left, joined) {
                if l <= j {
                    let relation = if l == j { "the same day as" } else { "before" };
                    self.push(
                        at("left", format!("`left` {l} is {relation} `joined` {j}"))
                            .help("`left` is the first day no longer employed; it must come after `joined`"),
                    );
                }
            }
            let region = Some(get("region"))
                .filter(|r| !r.is_empty())
                .map(str::to_string);
            let skills: BTreeSet<String> = get("skills")
                .split(';')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            let name = get("name");
            people.push(Person {
                name: if name.is_empty() {
                    id.clone()
                } else {
                    name.to_string()
                },
                id,
                email: get("email").to_string(),
                timezone,
                region,
                joined: joined.unwrap_or(NaiveDate::MIN),
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

    /// Resolves a person id, diagnosing an unknown one with a did-you-mean.
    fn person(
        &mut self,
        src: &Source,
        people: &[Person],
        id: &Spanned<String>,
    ) -> Option<PersonIdx> {
        if let Some(i) = people.iter().position(|p| &p.id == id.get_ref()) {
            return Some(PersonIdx(i));
        }
        if !self.people_known {
            return None;
        }
        let d = src.at(id.span(), format!("unknown person `{}`", id.get_ref()));
        let d = suggest(
            d,
            id.get_ref(),
            people.iter().map(|p| p.id.as_str()),
            format!("add `{}` to people.csv or fix the id", id.get_ref()),
        );
        self.push(d);
        None
    }

    /// The non-hidden entries of a workspace directory, sorted.
    fn list_dir(&mut self, dir: &str) -> Option<Vec<PathBuf>> {
        let entries = fs::read_dir(self.root.join(dir)).ok()?;
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
        Some(out)
    }

    fn time_off(&mut self, people: &[Person]) -> Vec<TimeOff> {
        let mut out = Vec::new();
        for rel in self.list_dir("time-off").unwrap_or_default() {
            match extension(&rel) {
                Some("toml") => {}
                Some("ics") => {
                    out.extend(self.time_off_ics(&rel, people));
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
                let start = self.date(&src, "start", &entry.start);
                let end = self.date(&src, "end", &entry.end);
                let (Some(person), Some(start), Some(end)) = (person, start, end) else {
                    continue;
                };
                if end < start {
                    self.push(
                        src.at(
                            entry.end.span(),
                            format!("`end` {end} is before `start` {start}"),
                        )
                        .help(
                            "`end` is the last day off (inclusive); swap the dates or fix the typo",
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

    /// Time off from `time-off/<person-id>.ics`: the file stem names the person.
    fn time_off_ics(&mut self, rel: &Path, people: &[Person]) -> Vec<TimeOff> {
        let Some(src) = self.read(rel, None) else {
            return Vec::new();
        };
        let stem = rel
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let Some(i) = people.iter().position(|p| p.id == stem) else {
            if self.people_known {
                let ids = || people.iter().map(|p| p.id.as_str());
                let help = match did_you_mean(&stem, ids()) {
                    Some(s) if s != stem => {
                        format!("did you mean `{s}`? rename the file to time-off/{s}.ics")
                    }
                    _ => "name the file after a person's id in people.csv: time-off/<id>.ics"
                        .to_string(),
                };
                self.push(
                    Diagnostic::new(
                        rel,
                        1,
                        0,
                        format!("unknown person `{stem}` (the file name)"),
                    )
                    .help(help),
                );
            }
            return Vec::new();
        };
        match crate::input::calendar::parse(rel, &src.text, people[i].timezone) {
            Ok(blocks) => blocks
                .into_iter()
                .map(|b| TimeOff {
                    person: PersonIdx(i),
                    start: b.start,
                    end: b.end,
                    reason: b.reason,
                    origin: Origin {
                        file: rel.to_path_buf(),
                        line: b.line,
                    },
                })
                .collect(),
            Err(diags) => {
                self.diags.extend(diags);
                Vec::new()
            }
        }
    }

    /// A date given as a TOML string `"YYYY-MM-DD"` or a bare TOML date.
    fn date(
        &mut self,
        src: &Source,
        field: &str,
        value: &Spanned<toml::Value>,
    ) -> Option<NaiveDate> {
        let message = match value.get_ref() {
            toml::Value::String(s) => match parse_date(s) {
                Some(d) => return Some(d),
                None => format!("invalid date `{s}` in `{field}`"),
            },
            toml::Value::Datetime(dt) => match (dt.date, dt.time, dt.offset) {
                (Some(d), None, None) => {
                    match NaiveDate::from_ymd_opt(
                        i32::from(d.year),
                        u32::from(d.month),
                        u32::from(d.day),
                    ) {
                        Some(d) => return Some(d),
                        None => format!("invalid date `{dt}` in `{field}`"),
                    }
                }
                _ => format!("`{field}` is a date-time `{dt}`; give a plain date"),
            },
            other => format!("`{field}` must be a date, found {}", other.type_str()),
        };
        self.push(src.at(value.span(), message).help(DATE_HELP));
        None
    }

    fn teams(&mut self, people: &[Person], default_tz: Tz, org: Option<&Org>) -> Vec<Team> {
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
        for rel in files {
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
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let timezone = match &raw.timezone {
            Some(tz) => self.zone(src, tz).unwrap_or(default_tz),
            None => default_tz,
        };
        if let (Some(region), Some(org)) = (&raw.holidays, org) {
            if !org.holidays.contains_key(region.get_ref()) {
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
                    None => d.help(format!(
                        "add a [holidays.{}] table to oncall.toml",
                        region.get_ref()
                    )),
                };
                self.push(d);
            }
        }
        let members = self.members(src, &raw.members, people);
        let handoff = self.handoff(src, &raw.handoff);
        let roles = self.roles(src, &raw.roles, &members, people);
        let rules = raw.rules.unwrap_or_default();
        let rest_weeks = self.count(src, "rules.rest_weeks", rules.rest_weeks.as_ref());
        let max_shifts = self.count(src, "rules.max_shifts", rules.max_shifts.as_ref());
        let fairness = raw.fairness.unwrap_or_default();
        let history_weeks = self.count(
            src,
            "fairness.history_weeks",
            fairness.history_weeks.as_ref(),
        );
        let absence = match &fairness.absence {
            None => Absence::Owed,
            Some(a) => match a.get_ref().as_str() {
                "owed" => Absence::Owed,
                "excused" => Absence::Excused,
                other => {
                    let d = src.at(a.span(), format!("unknown absence policy `{other}`"));
                    self.push(suggest(
                        d,
                        other,
                        ["owed", "excused"],
                        "use \"owed\" or \"excused\"",
                    ));
                    Absence::Owed
                }
            },
        };
        let mut carry = BTreeMap::new();
        for (who, amount) in &raw.carry {
            let value = *amount.get_ref();
            if !value.is_finite() {
                self.push(
                    src.at(
                        amount.span(),
                        format!(
                            "carry-over of `{}` must be a finite number, got {value}",
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
        let pins = self.pins(src, &raw.pins, &roles, &members, people, handoff);
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
                rest_weeks: rest_weeks.unwrap_or(0),
                max_shifts,
            },
            fairness: FairnessPolicy {
                absence,
                history_weeks: history_weeks.unwrap_or(52),
            },
            carry,
            pins,
            origin: Origin {
                file: src.rel.clone(),
                line: 1,
            },
        })
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
        for m in raw {
            if let Some(p) = self.person(src, people, m) {
                if members.contains(&p) {
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

    fn roles(
        &mut self,
        src: &Source,
        raw: &[RawRole],
        members: &[PersonIdx],
        people: &[Person],
    ) -> Vec<Role> {
        if raw.is_empty() {
            self.push(
                Diagnostic::new(&src.rel, 1, 1, "the team has no roles")
                    .help("add a [[roles]] table with at least `name = \"primary\"`"),
            );
        }
        let member_skills: BTreeSet<&str> = members
            .iter()
            .filter_map(|p| people.get(p.0))
            .flat_map(|x| x.skills.iter().map(String::as_str))
            .collect();
        let mut roles: Vec<Role> = Vec::new();
        for r in raw {
            let name = r.name.get_ref();
            if name.trim().is_empty() {
                self.push(
                    src.at(r.name.span(), "empty role name")
                        .help("name the role, e.g. `name = \"primary\"`"),
                );
                continue;
            }
            if roles.iter().any(|x| &x.name == name) {
                self.push(
                    src.at(r.name.span(), format!("duplicate role `{name}`"))
                        .help("role names must be unique within a team; rename or remove one"),
                );
                continue;
            }
            let weight = r.weight.as_ref().map_or(1.0, |w| *w.get_ref());
            if !(weight.is_finite() && weight >= 0.0) {
                let span = r.weight.as_ref().map_or(r.name.span(), Spanned::span);
                self.push(
                    src.at(
                        span,
                        format!("weight of role `{name}` must be at least 0, got {weight}"),
                    )
                    .help(
                        "a role weight multiplies the load of its shifts; use 0 or more, e.g. 0.5",
                    ),
                );
            }
            let tenure = r.min_tenure_days.as_ref().map_or(0, |t| *t.get_ref());
            if tenure < 0 {
                let span = r
                    .min_tenure_days
                    .as_ref()
                    .map_or(r.name.span(), Spanned::span);
                self.push(
                    src.at(
                        span,
                        format!(
                            "`min_tenure_days` of role `{name}` must be at least 0, got {tenure}"
                        ),
                    )
                    .help("use 0 for no tenure requirement"),
                );
            }
            let mut skills: Vec<String> = Vec::new();
            for skill in &r.skills {
                let s = skill.get_ref();
                if skills.contains(s) {
                    continue;
                }
                if !members.is_empty() && !member_skills.contains(s.as_str()) {
                    let d = src.at(
                        skill.span(),
                        format!("role `{name}` requires skill `{s}`, which no member has"),
                    );
                    let d = suggest(
                        d,
                        s,
                        member_skills.iter().copied(),
                        format!("add `{s}` to a member's skills in people.csv, or add a member who has it"),
                    );
                    self.push(d);
                }
                skills.push(s.clone());
            }
            roles.push(Role {
                name: name.clone(),
                weight,
                min_tenure_days: tenure,
                skills,
            });
        }
        roles
    }

    fn pins(
        &mut self,
        src: &Source,
        raw: &[RawPin],
        roles: &[Role],
        members: &[PersonIdx],
        people: &[Person],
        handoff: Option<Handoff>,
    ) -> Vec<Pin> {
        let mut pins: Vec<Pin> = Vec::new();
        for pin in raw {
            let person = self.person(src, people, &pin.person);
            let week = self.date(src, "week", &pin.week);
            let role = roles
                .iter()
                .position(|r| &r.name == pin.role.get_ref())
                .map(RoleIdx);
            if role.is_none() {
                let names: Vec<&str> = roles.iter().map(|r| r.name.as_str()).collect();
                let d = src.at(
                    pin.role.span(),
                    format!("unknown role `{}` in pin", pin.role.get_ref()),
                );
                let otherwise = if names.is_empty() {
                    "the team has no roles yet".to_string()
                } else {
                    format!("the team's roles are {}", backticked(&names))
                };
                self.push(suggest(
                    d,
                    pin.role.get_ref(),
                    names.iter().copied(),
                    otherwise,
                ));
            }
            if let Some(p) = person {
                if !members.contains(&p) {
                    self.push(
                        src.at(
                            pin.person.span(),
                            format!("pinned person `{}` is not a member", pin.person.get_ref()),
                        )
                        .help(format!(
                            "add `{}` to `members` or fix the pin",
                            pin.person.get_ref()
                        )),
                    );
                }
            }
            if let (Some(w), Some(h)) = (week, handoff) {
                if w.weekday() != h.weekday {
                    let back = (7 + w.weekday().num_days_from_monday()
                        - h.weekday.num_days_from_monday())
                        % 7;
                    let before = w - Duration::days(i64::from(back));
                    self.push(
                        src.at(
                            pin.week.span(),
                            format!(
                                "pin week {w} is a {}, but the team hands off on {}s",
                                weekday_name(w.weekday()),
                                weekday_name(h.weekday)
                            ),
                        )
                        .help(format!(
                            "a pin's `week` is the date of the week's first handoff; did you mean {before}?"
                        )),
                    );
                }
            }
            let (Some(person), Some(week), Some(role)) = (person, week, role) else {
                continue;
            };
            if pins.iter().any(|x| x.week == week && x.role == role) {
                self.push(
                    src.at(
                        pin.week.span(),
                        format!(
                            "two pins for role `{}` in the week of {week}",
                            pin.role.get_ref()
                        ),
                    )
                    .help("keep one pin per slot"),
                );
            } else if pins.iter().any(|x| x.week == week && x.person == person) {
                self.push(
                    src.at(
                        pin.person.span(),
                        format!(
                            "`{}` is pinned to two roles in the week of {week}",
                            pin.person.get_ref()
                        ),
                    )
                    .help("a person holds at most one role per week; remove one of the pins"),
                );
            }
            pins.push(Pin {
                week,
                role,
                person,
                origin: src.origin(pin.week.span()),
            });
        }
        pins
    }

    /// A non-negative whole number from a team file, if given.
    fn count(&mut self, src: &Source, name: &str, value: Option<&Spanned<i64>>) -> Option<u32> {
        let value = value?;
        let v = *value.get_ref();
        match u32::try_from(v) {
            Ok(n) => Some(n),
            Err(_) => {
                let message = if v < 0 {
                    format!("`{name}` must be at least 0, got {v}")
                } else {
                    format!("`{name}` is too large: {v}")
                };
                self.push(
                    src.at(value.span(), message)
                        .help("use a whole number of 0 or more"),
                );
                None
            }
        }
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
}

const DATE_HELP: &str = "write dates as YYYY-MM-DD, e.g. 2027-01-04";

fn extension(p: &Path) -> Option<&str> {
    p.extension().and_then(|e| e.to_str())
}

fn with_pos(src: &Source, span: Range<usize>, (msg, help): (String, String)) -> Diagnostic {
    src.at(span, msg).help(help)
}

/// The byte offset where a CSV record starts. Lines are counted from it
/// rather than taken from the csv crate: with CRLF line ends, its positions
/// point at the `\n` ending the previous line.
fn record_start(src: &Source, pos: Option<&csv::Position>) -> usize {
    let byte = pos.map_or(0, |p| usize::try_from(p.byte()).unwrap_or(usize::MAX));
    let rest = src.text.get(byte..).unwrap_or("");
    byte + (rest.len() - rest.trim_start_matches(['\r', '\n']).len())
}

/// Where field `index` of the CSV record starting at byte `start` begins, as
/// 1-based line and column; `(fallback_line, 0)` when it cannot be found.
fn csv_field_pos(src: &Source, start: usize, index: usize, fallback_line: usize) -> (usize, usize) {
    let Some(rest) = src.text.get(start..) else {
        return (fallback_line, 0);
    };
    let mut field = 0;
    let mut quoted = false;
    let mut at = Some(0);
    for (i, c) in rest.char_indices() {
        if field == index {
            break;
        }
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => {
                field += 1;
                at = Some(i + 1);
            }
            '\n' if !quoted => {
                at = None;
                break;
            }
            _ => {}
        }
    }
    let Some(mut offset) = at.filter(|_| field == index) else {
        return (fallback_line, 0);
    };
    let tail = rest.get(offset..).unwrap_or("");
    offset += tail.len() - tail.trim_start_matches([' ', '\t']).len();
    src.pos(start + offset)
}

fn parse_zone(name: &str) -> Result<Tz, (String, String)> {
    name.parse::<Tz>().map_err(|_| {
        let names = chrono_tz::TZ_VARIANTS.iter().map(|t| t.name());
        let help = match did_you_mean(name, names) {
            Some(s) => format!("did you mean `{s}`?"),
            None => "use an IANA time zone name such as `Europe/Berlin` or `America/New_York`"
                .to_string(),
        };
        (format!("unknown time zone `{name}`"), help)
    })
}

/// A `YYYY-MM-DD` date.
fn parse_date(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    let mut parts = t.split('-');
    let (Some(y), Some(m), Some(d), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    if !t.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// An `HH:MM` time of day on a 24-hour clock.
fn parse_time(text: &str) -> Option<NaiveTime> {
    let (h, m) = text.trim().split_once(':')?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return None;
    }
    if !h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    NaiveTime::from_hms_opt(h.parse().ok()?, m.parse().ok()?, 0)
}

/// A full English weekday name or its 3-letter form, any case.
fn parse_weekday(text: &str) -> Option<Weekday> {
    let t = text.trim().to_lowercase();
    WEEKDAYS
        .iter()
        .find(|(n, _)| *n == t || (t.len() == 3 && n.starts_with(t.as_str())))
        .map(|(_, d)| *d)
}

fn weekday_name(d: Weekday) -> &'static str {
    WEEKDAYS
        .iter()
        .find(|(_, w)| *w == d)
        .map_or("day", |(n, _)| *n)
}

fn backticked(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn lowercase_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Rewrites a TOML or serde error message for people and adds help:
/// "unknown field `x`, expected one of `a`, `b`" becomes "unknown field `x`"
/// with the closest known field; "missing field `x`" says what to add; Rust
/// type names become words.
fn tidy_toml_error(message: &str) -> (String, Option<String>) {
    let message = lowercase_first(message);
    if let Some(rest) = message.strip_prefix("unknown field `") {
        if let Some((field, expected)) = rest.split_once('`') {
            let names: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
            let help = match did_you_mean(field, names.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None if names.is_empty() => format!("remove `{field}`"),
                None => format!(
                    "remove `{field}`; the known fields here are {}",
                    backticked(&names)
                ),
            };
            return (format!("unknown field `{field}`"), Some(help));
        }
    }
    if let Some(rest) = message.strip_prefix("missing field `") {
        if let Some((field, _)) = rest.split_once('`') {
            let example = match field {
                "timezone" => "timezone = \"America/Los_Angeles\"",
                "handoff" => "handoff = { weekday = \"monday\", time = \"10:00\" }",
                "person" => "person = \"alice\"",
                "start" => "start = \"2027-02-08\"",
                "end" => "end = \"2027-02-12\"",
                "name" => "name = \"primary\"",
                "week" => "week = \"2027-01-11\"",
                "role" => "role = \"primary\"",
                "weekday" => "weekday = \"monday\"",
                "time" => "time = \"10:00\"",
                _ => field,
            };
            return (message.clone(), Some(format!("add `{example}`")));
        }
    }
    let mut tidy = message;
    for (rust, words) in [
        ("expected f64", "expected a number"),
        ("expected i64", "expected a whole number"),
        ("expected a sequence", "expected an array"),
        ("expected a map", "expected a table"),
    ] {
        tidy = tidy.replace(rust, words);
    }
    let help = tidy
        .starts_with("invalid date")
        .then(|| DATE_HELP.to_string());
    (tidy, help)
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
    compensation: Option<Spanned<pay_policy::RawCompensation>>,
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

fn one() -> Spanned<f64> {
    Spanned::new(0..0, LoadWeights::default().weekday)
}
fn one_and_a_half() -> Spanned<f64> {
    Spanned::new(0..0, LoadWeights::default().weekend)
}
fn two() -> Spanned<f64> {
    Spanned::new(0..0, LoadWeights::default().holiday)
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
    carry: BTreeMap<Spanned<String>, Spanned<f64>>,
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
    rest_weeks: Option<Spanned<i64>>,
    #[serde(default)]
    max_shifts: Option<Spanned<i64>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawFairness {
    #[serde(default)]
    absence: Option<Spanned<String>>,
    #[serde(default)]
    history_weeks: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPin {
    week: Spanned<toml::Value>,
    role: Spanned<String>,
    person: Spanned<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_times_and_weekdays() {
        assert_eq!(
            parse_date("2027-01-04"),
            NaiveDate::from_ymd_opt(2027, 1, 4)
        );
        assert_eq!(parse_date("2027-02-30"), None);
        assert_eq!(parse_date("2027-1-4"), None);
        assert_eq!(parse_date("+2027-01-04"), None);
        assert_eq!(parse_time("9:30"), NaiveTime::from_hms_opt(9, 30, 0));
        assert_eq!(parse_time("24:00"), None);
        assert_eq!(parse_time("10:00:00"), None);
        assert_eq!(parse_weekday("Monday"), Some(Weekday::Mon));
        assert_eq!(parse_weekday("THU"), Some(Weekday::Thu));
        assert_eq!(parse_weekday("mo"), None);
    }

    #[test]
    fn positions_are_one_based_and_char_counted() {
        let src = Source {
            rel: PathBuf::from("x.toml"),
            text: "a = 1\nb = \"é\" # x\n".into(),
        };
        assert_eq!(src.pos(0), (1, 1));
        assert_eq!(src.pos(6), (2, 1));
        // Offsets inside a multi-byte character round down instead of panicking.
        assert_eq!(src.pos(11), (2, 6));
        assert_eq!(src.pos(1000), (3, 1));
    }

    #[test]
    fn csv_columns_skip_quoted_commas() {
        let src = Source {
            rel: PathBuf::from("people.csv"),
            text: "id,name,tz\nbob,\"Brown, Bob\", Europe/Berln\n".into(),
        };
        assert_eq!(csv_field_pos(&src, 11, 0, 2), (2, 1));
        assert_eq!(csv_field_pos(&src, 11, 2, 2), (2, 19));
        assert_eq!(csv_field_pos(&src, 11, 5, 2), (2, 0));
    }
}
