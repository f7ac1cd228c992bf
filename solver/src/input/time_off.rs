//! Time off: `time-off/*.toml` lists entries for anyone;
//! `time-off/<person-id>.ics` is one person's calendar (read by
//! [`crate::input::calendar`]). Other files there are ignored.

use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use crate::input::calendar;
use crate::input::context::{extension, is_dot_file, Cx};
use crate::input::diagnostic::Diagnostic;
use crate::input::source::Source;
use crate::input::suggest::did_you_mean;
use crate::model::{CalendarPolicy, Origin, Person, PersonIdx, TimeOff, TimeOffKind};

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
    reason: Option<Spanned<String>>,
    #[serde(default)]
    kind: Option<Spanned<String>>,
}

impl Cx {
    /// Every file in `time-off/`, in path order.
    pub(super) fn time_off(&mut self, people: &[Person], policy: &CalendarPolicy) -> Vec<TimeOff> {
        let mut out = Vec::new();
        for rel in self.list_dir_all("time-off").unwrap_or_default() {
            if is_dot_file(&rel) {
                self.ignored(
                    &rel,
                    "its name starts with a dot",
                    "rename it without the dot to read it, or remove it",
                );
                continue;
            }
            match extension(&rel) {
                Some("toml") => out.extend(self.time_off_toml(&rel, people)),
                Some("ics") => out.extend(self.time_off_ics(&rel, people, policy)),
                _ => self.ignored(
                    &rel,
                    "time off is read only from .toml and .ics files",
                    "rename it to end in .toml or .ics, or move it out of time-off/",
                ),
            }
        }
        out
    }

    /// The `[[time_off]]` entries of a TOML file.
    fn time_off_toml(&mut self, rel: &Path, people: &[Person]) -> Vec<TimeOff> {
        let Some(src) = self.read(rel, None) else {
            return Vec::new();
        };
        let Some(raw) = self.parse_toml::<RawTimeOffFile>(&src) else {
            return Vec::new();
        };
        raw.time_off
            .into_iter()
            .filter_map(|entry| self.time_off_entry(&src, people, entry))
            .collect()
    }

    fn time_off_entry(
        &mut self,
        src: &Source,
        people: &[Person],
        entry: RawTimeOff,
    ) -> Option<TimeOff> {
        let person = self.person(src, people, &entry.person);
        let start = self.date(src, "start", &entry.start);
        let end = self.date(src, "end", &entry.end);
        let kind = self.time_off_kind(src, entry.kind.as_ref());
        let (person, start, end, kind) = (person?, start?, end?, kind?);
        if end < start {
            self.push(
                src.at(
                    entry.end.span(),
                    format!("`end` {end} is before `start` {start}"),
                )
                .help("`end` is the last day off (inclusive); swap the dates or fix the typo"),
            );
            return None;
        }
        Some(TimeOff {
            person,
            start,
            end,
            reason: self.clean(src, "reason", entry.reason).unwrap_or_default(),
            kind,
            origin: src.origin(entry.person.span()),
        })
    }

    /// `kind`: absent or `leave` for leave, `toil` for days off in lieu.
    fn time_off_kind(
        &mut self,
        src: &Source,
        kind: Option<&Spanned<String>>,
    ) -> Option<TimeOffKind> {
        match kind.map(|k| k.get_ref().as_str()) {
            None | Some("leave") => Some(TimeOffKind::Leave),
            Some("toil") => Some(TimeOffKind::Toil),
            Some(other) => {
                let span = kind.map(Spanned::span).unwrap_or_default();
                self.push(
                    src.at(span, format!("unknown time-off kind `{other}`"))
                        .help(
                        "use `kind = \"toil\"` for days off in lieu, or leave `kind` out for leave",
                    ),
                );
                None
            }
        }
    }

    /// Time off from `time-off/<person-id>.ics`: the file stem names the person.
    fn time_off_ics(
        &mut self,
        rel: &Path,
        people: &[Person],
        policy: &CalendarPolicy,
    ) -> Vec<TimeOff> {
        let Some(src) = self.read(rel, None) else {
            return Vec::new();
        };
        let stem = rel
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let owner = self.person_ids.get(&stem).copied();
        let Some((i, person)) = owner.and_then(|i| people.get(i).map(|p| (i, p))) else {
            if self.people_known {
                self.push(unknown_calendar_owner(rel, &stem, people));
            }
            return Vec::new();
        };
        match calendar::parse(rel, &src.text, person.timezone, policy) {
            Ok(read) => {
                self.warnings.extend(read.warnings);
                read.blocks
                    .into_iter()
                    .map(|b| TimeOff {
                        person: PersonIdx(i),
                        start: b.start,
                        end: b.end,
                        reason: b.reason,
                        kind: b.kind,
                        origin: Origin {
                            file: rel.to_path_buf(),
                            line: b.line,
                        },
                    })
                    .collect()
            }
            Err(diags) => {
                self.diags.extend(diags);
                Vec::new()
            }
        }
    }
}

/// A calendar file named after nobody in `people.csv`.
fn unknown_calendar_owner(rel: &Path, stem: &str, people: &[Person]) -> Diagnostic {
    let ids = people.iter().map(|p| p.id.as_str());
    let help = match did_you_mean(stem, ids) {
        Some(s) if s != stem => {
            format!("did you mean `{s}`? rename the file to time-off/{s}.ics")
        }
        _ => "name the file after a person's id in people.csv: time-off/<id>.ics".to_string(),
    };
    Diagnostic::new(
        rel,
        1,
        0,
        format!("unknown person `{stem}` (the file name)"),
    )
    .help(help)
}
