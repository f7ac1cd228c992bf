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
    let mut diags = Vec::new();
    let mut out = Vec::new();
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(text.as_bytes());
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(str::to_string).collect(),
        Err(e) => {
            return Err(LoadError {
                diagnostics: vec![Diagnostic::new(
                    rel,
                    1,
                    0,
                    format!("cannot read the header: {e}"),
                )
                .help("the first line must be `time,person,team`")],
            })
        }
    };
    let column = |name: &str| header.iter().position(|h| h == name);
    let (Some(ct), Some(cp), Some(cteam)) = (column("time"), column("person"), column("team"))
    else {
        return Err(LoadError {
            diagnostics: vec![Diagnostic::new(
                rel,
                1,
                1,
                format!("the header `{}` lacks a column", header.join(",")),
            )
            .help("the first line must be `time,person,team`")],
        });
    };
    let ids: HashMap<&str, PersonIdx> = ws
        .people
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id.as_str(), PersonIdx(i)))
        .collect();
    let mut seen: HashMap<(DateTime<Utc>, PersonIdx, TeamIdx), usize> = HashMap::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                diags.push(Diagnostic::new(
                    rel,
                    line,
                    0,
                    format!("cannot read the row: {e}"),
                ));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line() as usize);
        if record.iter().all(str::is_empty) {
            continue;
        }
        let field = |i: usize| record.get(i).unwrap_or("");
        let time = match DateTime::parse_from_rfc3339(field(ct)) {
            Ok(t) => Some(t.with_timezone(&Utc)),
            Err(_) => {
                diags.push(
                    Diagnostic::new(rel, line, 0, format!("invalid time `{}` in column `time`", field(ct)))
                        .help("write the time in RFC 3339 with its offset, e.g. 2027-01-09T03:12:00Z or 2027-01-08T19:12:00-08:00"),
                );
                None
            }
        };
        let person = ids.get(field(cp)).copied();
        if person.is_none() {
            let d = Diagnostic::new(
                rel,
                line,
                0,
                format!("unknown person `{}` in column `person`", field(cp)),
            );
            let ids = ws.people.iter().map(|p| p.id.as_str());
            diags.push(match did_you_mean(field(cp), ids) {
                Some(s) => d.help(format!("did you mean `{s}`?")),
                None => d.help("use an id from people.csv"),
            });
        }
        let team = ws.team_by_id(field(cteam));
        if team.is_none() {
            let d = Diagnostic::new(
                rel,
                line,
                0,
                format!("unknown team `{}` in column `team`", field(cteam)),
            );
            let ids = ws.teams.iter().map(|t| t.id.as_str());
            diags.push(match did_you_mean(field(cteam), ids) {
                Some(s) => d.help(format!("did you mean `{s}`?")),
                None => d.help("use a team id (the file stem of teams/<team>.toml)"),
            });
        }
        if let (Some(time), Some(person), Some(team)) = (time, person, team) {
            if let Some(first) = seen.insert((time, person, team), line) {
                diags.push(duplicate_page(rel, line, first));
                continue;
            }
            out.push(Incident { time, person, team });
        }
    }
    if diags.is_empty() {
        Ok(out)
    } else {
        Err(LoadError { diagnostics: diags })
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
