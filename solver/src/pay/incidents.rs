//! Reading pages to pay from an incidents CSV.

use std::collections::HashMap;
use std::path::Path;

use chrono::{DateTime, Utc};

use super::Incident;
use crate::input::diagnostic::{Diagnostic, LoadError};
use crate::input::suggest::did_you_mean;
use crate::model::{PersonIdx, TeamIdx, Workspace};

/// Reads an incidents CSV (`time,person,team`; `time` in RFC 3339, e.g.
/// `2027-01-09T03:12:00Z`). `rel` names the file in messages.
///
/// # Errors
/// Every bad row, naming the file, line and column, with a fix.
pub fn read_incidents(ws: &Workspace, rel: &Path, text: &str) -> Result<Vec<Incident>, LoadError> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(text.as_bytes());
    let columns = header_columns(&mut reader, rel)?;
    let rows = Rows {
        ws,
        rel,
        columns,
        ids: ws
            .people
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id.as_str(), PersonIdx(i)))
            .collect(),
    };
    let mut diags = Vec::new();
    let mut out = Vec::new();
    let mut seen: HashMap<(DateTime<Utc>, PersonIdx, TeamIdx), usize> = HashMap::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                let message = format!("cannot read the row: {e}");
                diags.push(Diagnostic::new(rel, line, 0, message));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line() as usize);
        if record.iter().all(str::is_empty) {
            continue;
        }
        match rows.incident(&record, line) {
            Err(mut bad) => diags.append(&mut bad),
            Ok(inc) => match seen.insert((inc.time, inc.person, inc.team), line) {
                Some(first) => diags.push(duplicate_page(rel, line, first)),
                None => out.push(inc),
            },
        }
    }
    if diags.is_empty() {
        Ok(out)
    } else {
        Err(LoadError { diagnostics: diags })
    }
}

/// The positions of the `time`, `person` and `team` columns.
fn header_columns(reader: &mut csv::Reader<&[u8]>, rel: &Path) -> Result<[usize; 3], LoadError> {
    let refuse = |column: usize, message: String| LoadError {
        diagnostics: vec![Diagnostic::new(rel, 1, column, message)
            .help("the first line must be `time,person,team`")],
    };
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| refuse(0, format!("cannot read the header: {e}")))?
        .iter()
        .map(str::to_string)
        .collect();
    let column = |name: &str| header.iter().position(|h| h == name);
    match (column("time"), column("person"), column("team")) {
        (Some(t), Some(p), Some(team)) => Ok([t, p, team]),
        _ => Err(refuse(
            1,
            format!("the header `{}` lacks a column", header.join(",")),
        )),
    }
}

/// What reading one row needs.
struct Rows<'a> {
    ws: &'a Workspace,
    rel: &'a Path,
    columns: [usize; 3],
    ids: HashMap<&'a str, PersonIdx>,
}

impl Rows<'_> {
    /// One row's page, or every problem of the row.
    fn incident(
        &self,
        record: &csv::StringRecord,
        line: usize,
    ) -> Result<Incident, Vec<Diagnostic>> {
        let field = |i: usize| record.get(self.columns[i]).unwrap_or("");
        let at = |message: String| Diagnostic::new(self.rel, line, 0, message);
        let time = DateTime::parse_from_rfc3339(field(0))
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| {
                at(format!("invalid time `{}` in column `time`", field(0))).help(
                    "write the time in RFC 3339 with its offset, e.g. 2027-01-09T03:12:00Z or \
                 2027-01-08T19:12:00-08:00",
                )
            });
        let person = self.ids.get(field(1)).copied().ok_or_else(|| {
            let d = at(format!("unknown person `{}` in column `person`", field(1)));
            let ids = self.ws.people.iter().map(|p| p.id.as_str());
            match did_you_mean(field(1), ids) {
                Some(s) => d.help(format!("did you mean `{s}`?")),
                None => d.help("use an id from people.csv"),
            }
        });
        let team = self.ws.team_by_id(field(2)).ok_or_else(|| {
            let d = at(format!("unknown team `{}` in column `team`", field(2)));
            let ids = self.ws.teams.iter().map(|t| t.id.as_str());
            match did_you_mean(field(2), ids) {
                Some(s) => d.help(format!("did you mean `{s}`?")),
                None => d.help("use a team id (the file stem of teams/<team>.toml)"),
            }
        });
        match (time, person, team) {
            (Ok(time), Ok(person), Ok(team)) => Ok(Incident { time, person, team }),
            (time, person, team) => Err([time.err(), person.err(), team.err()]
                .into_iter()
                .flatten()
                .collect()),
        }
    }
}

/// A row that repeats an earlier page: the same instant, person and team.
fn duplicate_page(rel: &Path, line: usize, first: usize) -> Diagnostic {
    Diagnostic::new(
        rel,
        line,
        1,
        format!("duplicate page: the same time, person and team as line {first}"),
    )
    .help("each row pays one page; remove the repeated row")
}
