//! The changes applied to the texts of the input files, in memory: rows of
//! people.csv (an edited row is rewritten, every other byte kept), the team
//! file through `toml_edit` (comments and layout kept) and a time-off file
//! of its own. What a hand edit would write, so the inputs hash matches.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use csv::StringRecord;
use toml_edit::{DocumentMut, Item, Table, Value};

use crate::input::suggest::did_you_mean;
use crate::plan::whatif::change::{Change, Hire};
use crate::plan::whatif::WhatIfError;

/// The fields `--set` may change, after `rules.` and `fairness.`.
pub const RULE_KEYS: [&str; 4] = [
    "rest_weeks",
    "max_shifts",
    "max_weeks_per_year",
    "max_weeks_per_year_all",
];
/// The fields `--set` may change after `fairness.`.
pub const FAIRNESS_KEYS: [&str; 2] = ["absence", "history_weeks"];
/// The fields `--set` may change after `roles.<role>.`.
pub const ROLE_KEYS: [&str; 4] = ["weight", "min_tenure_days", "skills", "runbook"];

/// The file of time off the scenario adds.
pub const TIME_OFF_FILE: &str = "time-off/what-if.toml";

/// The original and edited texts of the files a scenario changes.
pub(super) struct Texts {
    pub(super) people: String,
    pub(super) team: DocumentMut,
    pub(super) team_rel: PathBuf,
    pub(super) time_off: String,
}

impl Texts {
    /// Reads people.csv and `teams/<team>.toml` from `root`.
    pub(super) fn read(root: &Path, team: &str) -> Result<Texts, WhatIfError> {
        let team_rel = Path::new("teams").join(format!("{team}.toml"));
        let read = |rel: &Path| {
            crate::input::limits::read_to_string(&root.join(rel)).map_err(|e| WhatIfError::Read {
                file: rel.to_path_buf(),
                message: e.to_string(),
            })
        };
        let people = read(Path::new("people.csv"))?;
        let team_text = read(&team_rel)?;
        let team = team_text
            .parse::<DocumentMut>()
            .map_err(|e| WhatIfError::Read {
                file: team_rel.clone(),
                message: e.to_string(),
            })?;
        Ok(Texts {
            people: people
                .strip_prefix('\u{feff}')
                .unwrap_or(&people)
                .to_string(),
            team,
            team_rel,
            time_off: String::new(),
        })
    }

    /// Applies one change.
    pub(super) fn apply(&mut self, change: &Change) -> Result<(), WhatIfError> {
        match change {
            Change::Leave { person, date } => {
                self.people = set_field(&self.people, person, "left", &date.to_string())?;
            }
            Change::Join(hire) => {
                self.people = add_row(&self.people, hire)?;
                add_member(&mut self.team, &hire.id);
            }
            Change::TimeOff { person, from, to } => {
                self.known_person(person)?;
                self.time_off.push_str(&format!(
                    "[[time_off]]\nperson = {}\nstart = {from}\nend = {to}\nreason = \"what-if\"\n\n",
                    Value::from(person.as_str())
                ));
            }
            Change::Set { key, value } => set_key(&mut self.team, key, value)?,
        }
        Ok(())
    }

    /// The texts that replace the files, by path relative to the workspace.
    pub(super) fn replaced(self, root: &Path) -> BTreeMap<PathBuf, String> {
        let mut out = BTreeMap::new();
        if !self.time_off.is_empty() {
            let mut rel = PathBuf::from(TIME_OFF_FILE);
            let mut n = 1;
            while root.join(&rel).exists() {
                n += 1;
                rel = PathBuf::from(format!("time-off/what-if-{n}.toml"));
            }
            out.insert(rel, self.time_off);
        }
        out.insert(PathBuf::from("people.csv"), self.people);
        out.insert(self.team_rel, self.team.to_string());
        out
    }

    fn known_person(&self, person: &str) -> Result<(), WhatIfError> {
        row_of(&self.people, person).map(|_| ())
    }
}

/// A row of people.csv: `(start, end, record)`, `end` being where the next
/// row starts.
type Row = (usize, usize, StringRecord);

/// The header and every row.
fn rows(text: &str) -> Result<(StringRecord, Vec<Row>), WhatIfError> {
    let bad = |e: csv::Error| WhatIfError::Read {
        file: PathBuf::from("people.csv"),
        message: e.to_string(),
    };
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let header = reader.headers().map_err(bad)?.clone();
    let mut out: Vec<Row> = Vec::new();
    for record in reader.records() {
        let record = record.map_err(bad)?;
        let start = record.position().map_or(0, |p| p.byte() as usize);
        if let Some(last) = out.last_mut() {
            last.1 = start;
        }
        out.push((start, text.len(), record));
    }
    Ok((header, out))
}

fn column(header: &StringRecord, name: &str) -> Option<usize> {
    header.iter().position(|h| h.trim() == name)
}

/// One record as CSV, without a line end.
fn serialise(fields: &[String]) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    // Writing to memory cannot fail; an error would leave the row empty,
    // which the loader then reports.
    let _ = w.write_record(fields);
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8_lossy(&bytes)
        .trim_end_matches('\n')
        .to_string()
}

/// The text with the columns `names` added where missing (every row then
/// rewritten).
fn with_columns(text: &str, names: &[&str]) -> Result<String, WhatIfError> {
    let (header, rows) = rows(text)?;
    let missing: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| column(&header, n).is_none())
        .collect();
    if missing.is_empty() {
        return Ok(text.to_string());
    }
    let width = header.len();
    let mut head: Vec<String> = header.iter().map(str::to_string).collect();
    head.extend(missing.iter().map(|m| m.to_string()));
    let mut out = serialise(&head) + "\n";
    for (_, _, r) in rows {
        let mut fields: Vec<String> = r.iter().map(str::to_string).collect();
        fields.resize(width + missing.len(), String::new());
        out.push_str(&serialise(&fields));
        out.push('\n');
    }
    Ok(out)
}

/// The row of `person`, or an error naming the nearest id.
fn row_of(text: &str, person: &str) -> Result<usize, WhatIfError> {
    let (header, rows) = rows(text)?;
    let id = column(&header, "id").unwrap_or(0);
    let ids: Vec<&str> = rows
        .iter()
        .filter_map(|(_, _, r)| r.get(id).map(str::trim))
        .collect();
    ids.iter()
        .position(|i| *i == person)
        .ok_or_else(|| WhatIfError::UnknownPerson {
            person: person.to_string(),
            suggestion: did_you_mean(person, ids.iter().copied()).map(str::to_string),
        })
}

/// Sets `field` of `person`'s row, keeping every other byte of the file.
fn set_field(text: &str, person: &str, field: &str, value: &str) -> Result<String, WhatIfError> {
    let text = with_columns(text, &[field])?;
    let index = row_of(&text, person)?;
    let (header, rows) = rows(&text)?;
    let (Some(col), Some((start, end, record))) = (column(&header, field), rows.get(index)) else {
        return Ok(text);
    };
    let mut fields: Vec<String> = record.iter().map(str::to_string).collect();
    if fields.len() <= col {
        fields.resize(col + 1, String::new());
    }
    if let Some(f) = fields.get_mut(col) {
        *f = value.to_string();
    }
    let old = text.get(*start..*end).unwrap_or_default();
    let body = old.trim_end_matches(['\r', '\n']);
    let ending = &old[body.len()..];
    Ok(format!(
        "{}{}{}{}",
        &text[..*start],
        serialise(&fields),
        ending,
        &text[*end..]
    ))
}

/// Appends a row for `hire`, adding the columns it needs where missing.
fn add_row(text: &str, hire: &Hire) -> Result<String, WhatIfError> {
    if row_of(text, &hire.id).is_ok() {
        return Err(WhatIfError::Change {
            message: format!("--join: `{}` is already in people.csv", hire.id),
            help: "give the new hire an id of their own".to_string(),
        });
    }
    let mut text = with_columns(text, &["name", "timezone", "region", "joined", "skills"])?;
    let (header, _) = rows(&text)?;
    let mut fields = vec![String::new(); header.len()];
    let values = [
        ("id", hire.id.clone()),
        ("name", hire.name.clone()),
        ("timezone", hire.timezone.clone()),
        ("region", hire.region.clone()),
        ("joined", hire.joined.to_string()),
        ("skills", hire.skills.join(";")),
    ];
    for (name, value) in values {
        if let Some(f) = column(&header, name).and_then(|c| fields.get_mut(c)) {
            *f = value;
        }
    }
    let ending = if text.contains("\r\n") { "\r\n" } else { "\n" };
    if !text.is_empty() && !text.ends_with('\n') {
        text.push_str(ending);
    }
    text.push_str(&serialise(&fields));
    text.push_str(ending);
    Ok(text)
}

/// Adds `id` to the team's `members`.
fn add_member(team: &mut DocumentMut, id: &str) {
    let members = team
        .entry("members")
        .or_insert(Item::Value(Value::Array(toml_edit::Array::new())));
    if let Some(array) = members.as_array_mut() {
        if !array.iter().any(|v| v.as_str() == Some(id)) {
            array.push(id);
        }
    }
}

/// The keys `--set` knows for this team file.
pub(super) fn known_keys(team: &DocumentMut) -> Vec<String> {
    let mut keys: Vec<String> = RULE_KEYS.iter().map(|k| format!("rules.{k}")).collect();
    keys.extend(FAIRNESS_KEYS.iter().map(|k| format!("fairness.{k}")));
    for role in role_names(team) {
        keys.extend(ROLE_KEYS.iter().map(|k| format!("roles.{role}.{k}")));
    }
    keys
}

fn role_names(team: &DocumentMut) -> Vec<String> {
    team.get("roles")
        .and_then(Item::as_array_of_tables)
        .map(|roles| {
            roles
                .iter()
                .filter_map(|t| t.get("name").and_then(Item::as_str).map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Sets `field` to `value`, keeping the old value's spacing and comment.
fn put(t: &mut dyn toml_edit::TableLike, field: &str, mut value: Value) {
    if let Some(old) = t.get(field).and_then(Item::as_value) {
        *value.decor_mut() = old.decor().clone();
    }
    t.insert(field, Item::Value(value));
}

/// The known key most like `key`, however unlike.
fn nearest<'a>(key: &str, known: &'a [String]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (strsim::jaro_winkler(key, k), k.as_str()))
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}

/// Sets `key` in the team file to `value` (a TOML value, else a string).
fn set_key(team: &mut DocumentMut, key: &str, value: &str) -> Result<(), WhatIfError> {
    let known = known_keys(team);
    if !known.iter().any(|k| k == key) {
        return Err(WhatIfError::UnknownKey {
            key: key.to_string(),
            suggestion: did_you_mean(key, known.iter().map(String::as_str))
                .or_else(|| nearest(key, &known))
                .map(str::to_string),
            known,
        });
    }
    let value: Value = value
        .parse()
        .unwrap_or_else(|_| Value::from(value.to_string()));
    let parts: Vec<&str> = key.split('.').collect();
    match parts.as_slice() {
        [table @ ("rules" | "fairness"), field] => {
            let item = team.entry(table).or_insert(Item::Table(Table::new()));
            if let Some(t) = item.as_table_like_mut() {
                put(t, field, value);
            }
        }
        ["roles", role, field] => {
            if let Some(t) = team
                .get_mut("roles")
                .and_then(Item::as_array_of_tables_mut)
                .and_then(|roles| {
                    roles
                        .iter_mut()
                        .find(|t| t.get("name").and_then(Item::as_str) == Some(role))
                })
            {
                put(t, field, value);
            }
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PEOPLE: &str = "id,name,joined,left\nann,Ann A,2020-01-01,\nbo,\"Bo, B\",2021-01-01,\n";

    #[test]
    fn a_leave_rewrites_only_its_row() -> Result<(), WhatIfError> {
        let out = set_field(PEOPLE, "ann", "left", "2027-02-01")?;
        assert_eq!(
            out,
            "id,name,joined,left\nann,Ann A,2020-01-01,2027-02-01\nbo,\"Bo, B\",2021-01-01,\n"
        );
        let last = set_field(PEOPLE, "bo", "left", "2027-03-01")?;
        assert!(
            last.ends_with("bo,\"Bo, B\",2021-01-01,2027-03-01\n"),
            "{last}"
        );
        Ok(())
    }

    #[test]
    fn a_missing_column_is_added_to_every_row() -> Result<(), WhatIfError> {
        let out = set_field(
            "id,joined\nann,2020-01-01\nbo,2021-01-01",
            "bo",
            "left",
            "2027-01-04",
        )?;
        assert_eq!(
            out,
            "id,joined,left\nann,2020-01-01,\nbo,2021-01-01,2027-01-04\n"
        );
        Ok(())
    }

    #[test]
    fn an_unknown_person_names_the_nearest() {
        match set_field(PEOPLE, "anne", "left", "2027-02-01") {
            Err(WhatIfError::UnknownPerson { suggestion, .. }) => {
                assert_eq!(suggestion.as_deref(), Some("ann"));
            }
            other => panic!("expected an unknown person, got {other:?}"),
        }
    }

    #[test]
    fn a_set_keeps_comments_and_refuses_unknown_keys() -> Result<(), WhatIfError> {
        let mut doc: DocumentMut =
            "[[roles]]\nname = \"primary\"\n\n[rules]\nrest_weeks = 1 # never back-to-back\n"
                .parse()
                .map_err(|_| WhatIfError::Change {
                    message: String::new(),
                    help: String::new(),
                })?;
        set_key(&mut doc, "rules.rest_weeks", "2")?;
        set_key(&mut doc, "roles.primary.min_tenure_days", "90")?;
        let text = doc.to_string();
        assert!(
            text.contains("rest_weeks = 2 # never back-to-back"),
            "{text}"
        );
        assert!(text.contains("min_tenure_days = 90"), "{text}");
        match set_key(&mut doc, "rules.rest_week", "2") {
            Err(WhatIfError::UnknownKey { suggestion, .. }) => {
                assert_eq!(suggestion.as_deref(), Some("rules.rest_weeks"));
            }
            other => panic!("expected an unknown key, got {other:?}"),
        }
        Ok(())
    }
}
