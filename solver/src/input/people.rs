//! `people.csv`: one row per person, and references to people by id from
//! the other files.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::NaiveDate;
use chrono_tz::Tz;
use toml::Spanned;

use crate::input::context::{suggest, Cx};
use crate::input::diagnostic::Diagnostic;
use crate::input::limits::{id_help, id_problem, shown, text_problem};
use crate::input::parse::{parse_date, parse_zone, DATE_HELP};
use crate::input::source::Source;
use crate::input::suggest::did_you_mean;
use crate::model::{Contacts, Origin, Person, PersonIdx};

/// The columns of `people.csv`, in the documented order.
const PEOPLE_COLUMNS: [&str; 12] = [
    "id",
    "name",
    "email",
    "timezone",
    "region",
    "joined",
    "left",
    "skills",
    "phone",
    "chat",
    "grafana_user",
    "notify",
];

/// The columns `people.csv` cannot do without.
const REQUIRED_COLUMNS: [&str; 2] = ["id", "joined"];

const PEOPLE_HEADER: &str = "id,name,email,timezone,region,joined,left,skills";

/// The header of `people.csv`: its column names, the byte where it starts and
/// its line.
struct Header {
    columns: csv::StringRecord,
    start: usize,
    line: usize,
}

/// One record of `people.csv` with where it is, to read fields by column
/// name and point diagnostics at them.
struct Row<'a> {
    src: &'a Source,
    columns: &'a [&'a str],
    record: &'a csv::StringRecord,
    start: usize,
    line: usize,
}

impl<'a> Row<'a> {
    fn col(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|h| *h == name)
    }

    /// The trimmed field of a column; empty when the column is absent.
    fn get(&self, name: &str) -> &'a str {
        self.col(name)
            .and_then(|i| self.record.get(i))
            .unwrap_or("")
    }

    /// A diagnostic at the start of a column's field, or at the row.
    fn at(&self, name: &str, message: String) -> Diagnostic {
        let (l, c) = match self.col(name) {
            Some(i) => self.src.csv_field_pos(self.start, i, self.line),
            None => (self.line, 0),
        };
        Diagnostic::new(&self.src.rel, l, c, message)
    }
}

impl Cx {
    /// Reads `people.csv`, in file order. Rows with an empty or repeated id
    /// are dropped; a person with a bad date is kept, so that references to
    /// them elsewhere are not also reported as unknown.
    pub(super) fn people(&mut self, default_tz: Tz) -> Vec<Person> {
        let help =
            format!("create people.csv with the header `{PEOPLE_HEADER}` and one row per person");
        let Some(src) = self.read(Path::new("people.csv"), Some(&help)) else {
            return Vec::new();
        };
        let mut reader = csv::ReaderBuilder::new()
            .flexible(false)
            .trim(csv::Trim::All)
            .from_reader(src.text.as_bytes());
        let Some(header) = self.header(&src, &mut reader) else {
            return Vec::new();
        };
        let columns: Vec<&str> = header.columns.iter().collect();
        if !self.check_columns(&src, &columns, &header) {
            return Vec::new();
        }
        self.people_known = true;
        let mut people: Vec<Person> = Vec::new();
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for record in reader.records() {
            let record = match record {
                Ok(r) => r,
                Err(e) => {
                    self.bad_row(&src, &e);
                    continue;
                }
            };
            let start = src.record_start(record.position());
            let row = Row {
                src: &src,
                columns: &columns,
                record: &record,
                start,
                line: src.pos(start).0,
            };
            if let Some(p) = self.person_row(&row, &mut seen, default_tz) {
                people.push(p);
            }
        }
        self.unambiguous(&src, &people);
        self.person_ids = people
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id.clone(), i))
            .collect();
        people
    }

    /// Every e-mail names one person: no two are equal in any case, and none
    /// equals another person's id, since either may be how someone signs in.
    fn unambiguous(&mut self, src: &Source, people: &[Person]) {
        let ids: BTreeMap<&str, &Person> = people.iter().map(|p| (p.id.as_str(), p)).collect();
        let mut emails: BTreeMap<String, &Person> = BTreeMap::new();
        for p in people.iter().filter(|p| !p.email.is_empty()) {
            let key = p.email.to_lowercase();
            let clash = match (emails.get(&key), ids.get(key.as_str())) {
                (Some(first), _) => Some(format!(
                    "e-mail `{}` of `{}` is also the e-mail of `{}` (line {})",
                    shown(&p.email),
                    p.id,
                    first.id,
                    first.origin.line
                )),
                (None, Some(other)) if other.id != p.id => Some(format!(
                    "e-mail `{}` of `{}` is the id of `{}` (line {})",
                    shown(&p.email),
                    p.id,
                    other.id,
                    other.origin.line
                )),
                _ => None,
            };
            if let Some(message) = clash {
                self.push(
                    Diagnostic::new(&src.rel, p.origin.line, 0, message)
                        .help("give each person their own e-mail: it is how they are recognised when they act"),
                );
            }
            emails.entry(key).or_insert(p);
        }
    }

    fn header(&mut self, src: &Source, reader: &mut csv::Reader<&[u8]>) -> Option<Header> {
        match reader.headers() {
            Ok(h) => {
                let start = src.record_start(h.position());
                Some(Header {
                    columns: h.clone(),
                    start,
                    line: src.pos(start).0,
                })
            }
            Err(e) => {
                let line = src.pos(src.record_start(e.position())).0;
                self.push(Diagnostic::new(
                    &src.rel,
                    line,
                    0,
                    format!("cannot read the header: {e}"),
                ));
                None
            }
        }
    }

    /// Diagnoses duplicate, misspelt and missing columns; whether every
    /// required column is there.
    fn check_columns(&mut self, src: &Source, present: &[&str], header: &Header) -> bool {
        for (k, h) in present.iter().enumerate() {
            let (line, column) = src.csv_field_pos(header.start, k, header.line);
            if let Some(d) = column_problem(&src.rel, present, k, h, (line, column)) {
                self.push(d);
            }
        }
        let mut complete = true;
        for c in REQUIRED_COLUMNS {
            if !present.contains(&c) {
                complete = false;
                self.push(
                    Diagnostic::new(
                        &src.rel,
                        header.line,
                        0,
                        format!("missing required column `{c}`"),
                    )
                    .help(format!(
                        "add `{c}` to the header; the full header is `{PEOPLE_HEADER}`"
                    )),
                );
            }
        }
        complete
    }

    fn bad_row(&mut self, src: &Source, e: &csv::Error) {
        let line = src.pos(src.record_start(e.position())).0;
        let msg = match e.kind() {
            csv::ErrorKind::UnequalLengths {
                expected_len, len, ..
            } => {
                format!("this row has {len} field(s) but the header has {expected_len}")
            }
            _ => format!("cannot read this row: {e}"),
        };
        self.push(
            Diagnostic::new(&src.rel, line, 0, msg)
                .help("give every row one field per header column; leave optional fields empty"),
        );
    }

    /// One person; `None` when the id is empty or already taken.
    fn person_row(
        &mut self,
        row: &Row<'_>,
        seen: &mut BTreeMap<String, usize>,
        default_tz: Tz,
    ) -> Option<Person> {
        let id = self.row_id(row, seen)?;
        let timezone = self.row_zone(row, default_tz);
        let joined = self.row_joined(row, &id);
        let left = self.row_left(row);
        if let (Some(l), Some(j)) = (left, joined) {
            if l <= j {
                let relation = if l == j { "the same day as" } else { "before" };
                self.push(
                    row.at("left", format!("`left` {l} is {relation} `joined` {j}"))
                        .help("`left` is the first day no longer employed; it must come after `joined`"),
                );
            }
        }
        let name = row.get("name");
        if let Some((message, help)) = text_problem("name", name) {
            self.push(row.at("name", message).help(help));
        }
        Some(Person {
            name: if name.is_empty() {
                id.clone()
            } else {
                name.to_string()
            },
            id,
            email: row.get("email").to_string(),
            timezone,
            region: Some(row.get("region"))
                .filter(|r| !r.is_empty())
                .map(str::to_string),
            joined: joined.unwrap_or(NaiveDate::MIN),
            left,
            skills: skills(row.get("skills")),
            contacts: Contacts {
                phone: contact(row.get("phone")),
                chat: contact(row.get("chat")),
            },
            grafana_user: contact(row.get("grafana_user")),
            notify_changes: self.row_notify(row),
            origin: Origin {
                file: row.src.rel.clone(),
                line: row.line,
            },
        })
    }

    /// The `notify` column: `changes` (or empty) mails the person their
    /// changes and reminders, `none` does not.
    fn row_notify(&mut self, row: &Row<'_>) -> bool {
        match row.get("notify").trim() {
            "" | "changes" => true,
            "none" => false,
            other => {
                let message = format!("unknown `notify` `{}`", shown(other));
                self.push(row.at("notify", message).help(
                    "use `changes` (e-mail me my changes and reminders, the default) or `none`",
                ));
                true
            }
        }
    }

    /// The row's id, recorded in `seen`; `None` when empty or a duplicate.
    fn row_id(&mut self, row: &Row<'_>, seen: &mut BTreeMap<String, usize>) -> Option<String> {
        let id = row.get("id").to_string();
        if id.is_empty() {
            self.push(
                row.at("id", "empty person id".into())
                    .help("give every person a short unique id such as `alice`"),
            );
            return None;
        }
        if let Some(problem) = id_problem(&id) {
            self.push(
                row.at("id", format!("person id `{}` {problem}", shown(&id)))
                    .help(id_help(&id)),
            );
            return None;
        }
        if let Some(first) = seen.get(&id) {
            self.push(
                row.at(
                    "id",
                    format!("duplicate person id `{id}` (first on line {first})"),
                )
                .help("person ids must be unique; rename or remove one of the rows"),
            );
            return None;
        }
        seen.insert(id.clone(), row.line);
        Some(id)
    }

    fn row_zone(&mut self, row: &Row<'_>, default_tz: Tz) -> Tz {
        let tz_text = row.get("timezone");
        if tz_text.is_empty() {
            return default_tz;
        }
        match parse_zone(tz_text) {
            Ok(tz) => tz,
            Err((msg, help)) => {
                self.push(row.at("timezone", msg).help(help));
                default_tz
            }
        }
    }

    fn row_joined(&mut self, row: &Row<'_>, id: &str) -> Option<NaiveDate> {
        let joined_text = row.get("joined");
        if joined_text.is_empty() {
            self.push(
                row.at("joined", format!("empty `joined` date for `{id}`"))
                    .help("give the first day employed as YYYY-MM-DD"),
            );
            return None;
        }
        let d = parse_date(joined_text);
        if d.is_none() {
            self.push(
                row.at(
                    "joined",
                    format!("invalid date `{joined_text}` in column `joined`"),
                )
                .help(DATE_HELP),
            );
        }
        d
    }

    fn row_left(&mut self, row: &Row<'_>) -> Option<NaiveDate> {
        let left_text = row.get("left");
        if left_text.is_empty() {
            return None;
        }
        let d = parse_date(left_text);
        if d.is_none() {
            self.push(
                row.at(
                    "left",
                    format!("invalid date `{left_text}` in column `left`"),
                )
                .help("write dates as YYYY-MM-DD, or leave `left` empty"),
            );
        }
        d
    }

    /// Resolves a person id, diagnosing an unknown one with a did-you-mean.
    pub(super) fn person(
        &mut self,
        src: &Source,
        people: &[Person],
        id: &Spanned<String>,
    ) -> Option<PersonIdx> {
        if let Some(&i) = self.person_ids.get(id.get_ref()) {
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
}

/// What is wrong with header column `k` named `h`, if anything: a repeated
/// known column, or an unknown one that looks like a misspelt known column.
/// Other extra columns (say from an HR export) are fine.
fn column_problem(
    rel: &Path,
    present: &[&str],
    k: usize,
    h: &str,
    (line, column): (usize, usize),
) -> Option<Diagnostic> {
    if PEOPLE_COLUMNS.contains(&h) {
        return present.iter().take(k).any(|x| *x == h).then(|| {
            Diagnostic::new(rel, line, column, format!("duplicate column `{h}`"))
                .help("keep one column of each name")
        });
    }
    // A misspelt known column would have its values silently dropped.
    let absent = PEOPLE_COLUMNS
        .iter()
        .copied()
        .filter(|c| !present.contains(c));
    did_you_mean(h, absent).map(|s| {
        Diagnostic::new(rel, line, column, format!("unknown column `{h}`"))
            .help(format!("did you mean `{s}`?"))
    })
}

/// An optional contact field: trimmed, empty as none.
fn contact(text: &str) -> Option<String> {
    Some(text.trim())
        .filter(|t| !t.is_empty())
        .map(str::to_string)
}

/// The `;`-separated skills of a person.
fn skills(text: &str) -> BTreeSet<String> {
    text.split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}
