//! Time off read from a calendar: `time-off/<person-id>.ics` (docs/design.md §1).
//!
//! One job per file: `tree` nests the lines the `ical` crate unfolds and
//! splits, keeping each property's line; `values` reads dates, date-times and
//! durations with checked arithmetic; `zones` reads `TZID`s and the file's
//! VTIMEZONEs; `recur` expands repeat rules; `policy` decides which events
//! are time off; `events` turns one VEVENT into blocks of days.
//!
//! Each counted VEVENT becomes whole days in the person's own zone:
//!
//! - an all-day event (`VALUE=DATE`) covers its dates, `DTEND` exclusive; with
//!   neither `DTEND` nor `DURATION` it is one day;
//! - a timed event (UTC `…Z`, floating, or `TZID=`) blocks every local day, in
//!   the person's zone, that it touches: an event ending exactly at midnight
//!   does not touch the next day. Floating times are read in the person's zone.
//! - `TZID` is an IANA name, or names the file's own VTIMEZONE: mapped to an
//!   IANA zone through its `X-LIC-LOCATION`, an IANA name at the end of the id
//!   (`/mozilla.org/…/Europe/Berlin`) or the Windows zone names Outlook writes
//!   (`W. Europe Standard Time`), and otherwise evaluated from its own
//!   `STANDARD`/`DAYLIGHT` rules;
//! - which events count is the workspace's
//!   [`CalendarPolicy`]; `STATUS:CANCELLED` and
//!   `TRANSP:TRANSPARENT` (free time) events never do;
//! - recurring events follow RFC 5545: every `FREQ`, `INTERVAL`, `COUNT`,
//!   `UNTIL`, `BY…` part, `BYSETPOS` and `WKST` (expanded by the `rrule`
//!   crate), `RDATE`, `EXDATE`, and moved or cancelled instances
//!   (`RECURRENCE-ID`).
//!
//! **Window.** A recurring event's occurrences are those starting within
//! [`WINDOW_YEARS`] (10) years of its DTSTART and before 2100-01-01, at most
//! [`MAX_OCCURRENCES`] (5000) of them; rules that repeat forever are read up
//! to there. A file yields at most [`MAX_BLOCKS`] blocks. These bounds make
//! every file load in bounded time.
//!
//! **Problems.** A file that cannot be read as a calendar at all is an error
//! naming the file and line. An event that cannot be read (a bad date, an
//! unknown zone, an unreadable rule, a length past the year 9999) is skipped
//! with a warning naming the file, line and UID; with
//! [`CalendarPolicy::strict`](crate::model::CalendarPolicy::strict) the
//! warnings are errors.

use std::path::Path;

use chrono::NaiveDate;
use chrono_tz::Tz;

use crate::input::diagnostic::Diagnostic;
use crate::model::{CalendarPolicy, TimeOffKind};

mod events;
mod policy;
mod recur;
mod tree;
mod values;
mod when;
mod zones;

pub use recur::{MAX_OCCURRENCES, WINDOW_YEARS};
pub use tree::{MAX_DEPTH, MAX_LINES, MAX_PARAMETERS, MAX_PROPERTIES};

/// Most blocks one calendar file yields.
pub const MAX_BLOCKS: usize = 200_000;

/// One block of days off read from a calendar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IcsTimeOff {
    /// First day off (person's zone).
    pub start: NaiveDate,
    /// Last day off, inclusive.
    pub end: NaiveDate,
    /// The event's SUMMARY, or `calendar`.
    pub reason: String,
    /// Line of the event's `BEGIN:VEVENT`.
    pub line: usize,
    /// Days off in lieu taken when a category of the event says so
    /// (`TOIL`, `Time off in lieu` or `Day off in lieu`, any case), leave
    /// otherwise.
    pub kind: TimeOffKind,
}

/// What a calendar file gives: its blocks and the events skipped.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CalendarTimeOff {
    /// Blocks in file order, a recurring event's in time order.
    pub blocks: Vec<IcsTimeOff>,
    /// One per event skipped or cut short, naming the file, line and UID.
    pub warnings: Vec<Diagnostic>,
}

/// Reads the time off in calendar `text` (the file `rel`) for a person whose
/// zone is `tz`, counting the events `policy` counts.
///
/// # Errors
/// A file that is not a calendar, naming `rel` and the line; with a strict
/// policy, also every warning.
pub fn parse(
    rel: &Path,
    text: &str,
    tz: Tz,
    policy: &CalendarPolicy,
) -> Result<CalendarTimeOff, Vec<Diagnostic>> {
    let cx = Cx { rel, tz, policy };
    let (root, warnings) = tree::tree(rel, text).map_err(|d| vec![d])?;
    let zones = zones::table(&root);
    let events: Vec<&tree::Comp> = root
        .children
        .iter()
        .filter(|c| c.name == "VEVENT")
        .collect();
    let mut out = CalendarTimeOff {
        warnings,
        ..CalendarTimeOff::default()
    };
    let modified = cx.modified(&events, &zones, &mut out.warnings);
    for e in events {
        out.blocks
            .extend(cx.event(e, &zones, &modified, &mut out.warnings));
        if out.blocks.len() > MAX_BLOCKS {
            out.blocks.truncate(MAX_BLOCKS);
            out.warnings.push(
                cx.at(
                    e.line,
                    format!(
                "the calendar holds more than {MAX_BLOCKS} blocks of time off; the rest is not read"
            ),
                )
                .help(
                    "count fewer events, e.g. `count = \"out-of-office\"` in [time_off.calendar]",
                ),
            );
            break;
        }
    }
    if policy.strict && !out.warnings.is_empty() {
        return Err(out.warnings);
    }
    Ok(out)
}

struct Cx<'a> {
    rel: &'a Path,
    tz: Tz,
    policy: &'a CalendarPolicy,
}

impl Cx<'_> {
    fn at(&self, line: usize, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(self.rel, line, 0, message)
    }

    /// The original starts of modified instances (`RECURRENCE-ID`), by UID.
    fn modified<'e>(
        &self,
        events: &[&'e tree::Comp],
        zones: &zones::Zones,
        warnings: &mut Vec<Diagnostic>,
    ) -> events::Modified<'e> {
        let mut modified = events::Modified::new();
        for e in events {
            if let (Some(uid), Some(rid)) = (e.value("UID"), e.prop("RECURRENCE-ID")) {
                match self.when(e, rid, zones) {
                    Ok(w) => {
                        modified.entry(uid.trim()).or_default().insert(w.key());
                    }
                    Err(d) => warnings.push(d),
                }
            }
        }
        modified
    }
}

#[cfg(test)]
mod tests;
