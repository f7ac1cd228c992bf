//! The changes a what-if scenario makes, parsed from their command-line
//! spellings (docs/planning.md, "What if").

use chrono::NaiveDate;

use crate::plan::whatif::WhatIfError;

/// One change to the inputs.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    /// `--leave P@DATE`: `person`'s `left` in people.csv becomes `date`, the
    /// first day they are no longer employed.
    Leave {
        /// Person id.
        person: String,
        /// First day gone.
        date: NaiveDate,
    },
    /// `--join "id,name,zone,region,DATE[,skills]"`: a new row in people.csv,
    /// and the id added to the team's `members`.
    Join(Hire),
    /// `--time-off P:FROM..TO`: days off, both ends included.
    TimeOff {
        /// Person id.
        person: String,
        /// First day off.
        from: NaiveDate,
        /// Last day off.
        to: NaiveDate,
    },
    /// `--set KEY=VALUE` on the team file, e.g. `rules.rest_weeks=2`.
    Set {
        /// `rules.<field>`, `fairness.<field>` or `roles.<role>.<field>`.
        key: String,
        /// A TOML value (`2`, `0.5`, `"owed"`, `["db"]`); anything that is
        /// not one is taken as a string.
        value: String,
    },
}

/// A new hire.
#[derive(Clone, Debug, PartialEq)]
pub struct Hire {
    /// Id, unique in people.csv.
    pub id: String,
    /// Display name.
    pub name: String,
    /// IANA zone.
    pub timezone: String,
    /// Holiday region; empty for none.
    pub region: String,
    /// First day employed.
    pub joined: NaiveDate,
    /// Skills.
    pub skills: Vec<String>,
}

fn bad(message: String, help: &str) -> WhatIfError {
    WhatIfError::Change {
        message,
        help: help.to_string(),
    }
}

fn date(text: &str, what: &str, help: &str) -> Result<NaiveDate, WhatIfError> {
    text.trim()
        .parse()
        .map_err(|_| bad(format!("{what}: `{}` is not a date", text.trim()), help))
}

impl Change {
    /// `P@DATE`.
    ///
    /// # Errors
    /// No `@`, or a date that is not `YYYY-MM-DD`.
    pub fn parse_leave(text: &str) -> Result<Change, WhatIfError> {
        const HELP: &str = "write --leave PERSON@YYYY-MM-DD, the first day they are gone, e.g. --leave alice@2027-02-01";
        let (person, day) = text
            .split_once('@')
            .ok_or_else(|| bad(format!("--leave `{text}` has no `@DATE`"), HELP))?;
        Ok(Change::Leave {
            person: person.trim().to_string(),
            date: date(day, "--leave", HELP)?,
        })
    }

    /// `P:FROM..TO`.
    ///
    /// # Errors
    /// Not of that shape, a bad date, or `TO` before `FROM`.
    pub fn parse_time_off(text: &str) -> Result<Change, WhatIfError> {
        const HELP: &str =
            "write --time-off PERSON:FROM..TO, both days included, e.g. --time-off bob:2027-02-01..2027-02-12";
        let shape = || bad(format!("--time-off `{text}` is not PERSON:FROM..TO"), HELP);
        let (person, span) = text.split_once(':').ok_or_else(shape)?;
        let (from, to) = span.split_once("..").ok_or_else(shape)?;
        let (from, to) = (
            date(from, "--time-off", HELP)?,
            date(to, "--time-off", HELP)?,
        );
        if to < from {
            return Err(bad(
                format!("--time-off `{text}`: {to} is before {from}"),
                "the last day off comes after the first; swap them",
            ));
        }
        Ok(Change::TimeOff {
            person: person.trim().to_string(),
            from,
            to,
        })
    }

    /// `id,name,zone,region,DATE[,skills]`, skills separated by `;` (as in
    /// people.csv) or `+`.
    ///
    /// # Errors
    /// Fewer than five fields or more than six, an empty id, or a bad date.
    pub fn parse_join(text: &str) -> Result<Change, WhatIfError> {
        const HELP: &str = "write --join \"id,name,zone,region,YYYY-MM-DD[,skills]\", skills separated by `;` or `+`, e.g. --join \"kim,Kim Kato,America/Denver,US,2027-01-04,payments+db\"";
        let fields: Vec<&str> = text.split(',').map(str::trim).collect();
        let (id, name, timezone, region, joined) = match fields.as_slice() {
            [id, name, zone, region, joined] | [id, name, zone, region, joined, _] => {
                (*id, *name, *zone, *region, *joined)
            }
            _ => {
                return Err(bad(
                    format!("--join `{text}` has {} fields, not 5 or 6", fields.len()),
                    HELP,
                ))
            }
        };
        if id.is_empty() {
            return Err(bad(format!("--join `{text}` has an empty id"), HELP));
        }
        let skills = fields
            .get(5)
            .map(|s| {
                s.split([';', '+'])
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        Ok(Change::Join(Hire {
            id: id.to_string(),
            name: name.to_string(),
            timezone: timezone.to_string(),
            region: region.to_string(),
            joined: date(joined, "--join", HELP)?,
            skills,
        }))
    }

    /// `KEY=VALUE`.
    ///
    /// # Errors
    /// No `=`, or an empty key.
    pub fn parse_set(text: &str) -> Result<Change, WhatIfError> {
        const HELP: &str = "write --set KEY=VALUE, e.g. --set rules.rest_weeks=2";
        match text.split_once('=') {
            Some((key, value)) if !key.trim().is_empty() => Ok(Change::Set {
                key: key.trim().to_string(),
                value: value.trim().to_string(),
            }),
            _ => Err(bad(format!("--set `{text}` is not KEY=VALUE"), HELP)),
        }
    }

    /// The change in words, e.g. `alice leaves on 2027-02-01`.
    pub fn describe(&self) -> String {
        match self {
            Change::Leave { person, date } => format!("{person} leaves on {date}"),
            Change::Join(h) => format!("{} ({}) joins on {}", h.id, h.name, h.joined),
            Change::TimeOff { person, from, to } => {
                format!("{person} is off {from} to {to}")
            }
            Change::Set { key, value } => format!("{key} = {value}"),
        }
    }
}
