//! One VEVENT to blocks of days off: its start, length and occurrences.

use std::collections::{BTreeSet, HashMap};

use chrono::{Days, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};
use ical::property::Property;

use super::recur::{self, MAX_OCCURRENCES};
use super::tree::{param, Comp};
use super::values;
use super::when::{Key, When};
use super::zones::{self, Zones};
use super::{policy, Cx, IcsTimeOff};
use crate::input::diagnostic::Diagnostic;

/// Original starts of the modified instances of each recurring event, by UID.
pub(super) type Modified<'a> = HashMap<&'a str, BTreeSet<Key>>;

/// How long each occurrence lasts: whole days for dates, exact for times.
#[derive(Clone, Copy, Debug)]
enum Length {
    Days(i64),
    Exact(TimeDelta),
}

const VALUE_HELP: &str = "write a date as 20270208 (with VALUE=DATE) or a date-time as \
     20270208T090000Z, 20270208T090000, or with TZID=Europe/Berlin";

impl Cx<'_> {
    /// The blocks of one VEVENT (several for a recurring one); a problem
    /// skips the event with a warning.
    pub(super) fn event(
        &self,
        e: &Comp,
        zones: &Zones,
        modified: &Modified<'_>,
        warnings: &mut Vec<Diagnostic>,
    ) -> Vec<IcsTimeOff> {
        if !policy::counts(e, self.policy) {
            return Vec::new();
        }
        self.try_event(e, zones, modified, warnings)
            .unwrap_or_else(|d| {
                warnings.push(d);
                Vec::new()
            })
    }

    fn try_event(
        &self,
        e: &Comp,
        zones: &Zones,
        modified: &Modified<'_>,
        warnings: &mut Vec<Diagnostic>,
    ) -> Result<Vec<IcsTimeOff>, Diagnostic> {
        let dtstart = e.prop("DTSTART").ok_or_else(|| {
            self.skip(e, e.line, "it has no DTSTART")
                .help("add DTSTART, e.g. DTSTART;VALUE=DATE:20270208")
        })?;
        let start = self.when(e, dtstart, zones)?;
        let length = self.length(e, &start, zones)?;
        let occurrences = self.occurrences(e, &start, zones, modified, warnings)?;
        let reason = e
            .value("SUMMARY")
            .map(crate::text::ics::unescape_text)
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| "calendar".to_string());
        let kind = policy::kind(e);
        occurrences
            .iter()
            .map(|o| {
                let (start, end) = self.days(o, length).ok_or_else(|| {
                    let line = e
                        .prop("DTEND")
                        .or_else(|| e.prop("DURATION"))
                        .map_or(e.line, |p| p.1);
                    self.skip(e, line, "it ends after the year 9999")
                        .help("check DTEND or DURATION")
                })?;
                Ok(IcsTimeOff {
                    start,
                    end,
                    reason: reason.clone(),
                    line: e.line,
                    kind,
                })
            })
            .collect()
    }

    /// A warning that event `e` is skipped, at `line`.
    pub(super) fn skip(&self, e: &Comp, line: usize, why: &str) -> Diagnostic {
        self.at(line, format!("event {} skipped: {why}", name(e)))
    }

    /// A DATE or DATE-TIME property of event `e`.
    pub(super) fn when(
        &self,
        e: &Comp,
        (p, line): &(Property, usize),
        zones: &Zones,
    ) -> Result<When, Diagnostic> {
        self.when_raw(e, p, p.value.as_deref().unwrap_or(""), *line, zones)
    }

    /// One value of property `p` (a list such as EXDATE holds several).
    fn when_raw(
        &self,
        e: &Comp,
        p: &Property,
        raw: &str,
        line: usize,
        zones: &Zones,
    ) -> Result<When, Diagnostic> {
        let raw = raw.trim();
        let bad = || {
            self.skip(e, line, &format!("invalid {} `{raw}`", p.name))
                .help(VALUE_HELP)
        };
        let is_date = param(p, "VALUE").is_some_and(|v| v.eq_ignore_ascii_case("DATE"))
            || (raw.len() == 8 && !raw.contains('T'));
        if is_date {
            return values::date(raw).map(When::Date).ok_or_else(bad);
        }
        let (local, utc) = match raw.strip_suffix(['Z', 'z']) {
            Some(r) => (r, true),
            None => (raw, false),
        };
        let t = values::date_time(local).ok_or_else(bad)?;
        let zone = match (utc, param(p, "TZID")) {
            (true, _) => zones::Zone::Iana(chrono_tz::UTC),
            (false, None) => zones::Zone::Iana(self.tz),
            (false, Some(id)) => zones::lookup(zones, id.trim()).map_err(|why| {
                self.skip(e, line, &why).help(
                    "use an IANA name such as TZID=Europe/Berlin, or add \
                     X-LIC-LOCATION:Europe/Berlin to the VTIMEZONE",
                )
            })?,
        };
        Ok(When::Time(t, zone))
    }

    /// The length of each occurrence, from DTEND or DURATION.
    fn length(&self, e: &Comp, start: &When, zones: &Zones) -> Result<Length, Diagnostic> {
        let length = match (e.prop("DTEND"), e.prop("DURATION")) {
            (Some(end), _) => match (start, self.when(e, end, zones)?) {
                (When::Date(s), When::Date(t)) => Length::Days((t - *s).num_days()),
                (When::Time(s, zs), When::Time(t, zt)) => {
                    Length::Exact(zt.to_utc(t) - zs.to_utc(*s))
                }
                _ => {
                    return Err(self
                        .skip(e, end.1, "it mixes a DATE and a DATE-TIME")
                        .help("give DTSTART and DTEND both as dates or both as date-times"))
                }
            },
            (None, Some((p, line))) => {
                let raw = p.value.as_deref().unwrap_or("").trim();
                let dur = values::duration(raw).ok_or_else(|| {
                    self.skip(e, *line, &format!("invalid DURATION `{raw}`"))
                        .help("write a duration as P1D, P2W or PT4H30M")
                })?;
                match start {
                    When::Date(_) => Length::Days(dur.num_days()),
                    When::Time(..) => Length::Exact(dur),
                }
            }
            (None, None) => match start {
                When::Date(_) => Length::Days(1),
                When::Time(..) => Length::Exact(TimeDelta::zero()),
            },
        };
        let negative = match length {
            Length::Days(d) => d < 1,
            Length::Exact(d) => d < TimeDelta::zero(),
        };
        if negative {
            let line = e
                .prop("DTEND")
                .or_else(|| e.prop("DURATION"))
                .map_or(e.line, |p| p.1);
            return Err(self
                .skip(e, line, "it ends before it starts")
                .help("DTEND is exclusive: an all-day event on 8 February ends on 20270209"));
        }
        Ok(length)
    }

    /// The starts of every occurrence: DTSTART, the RRULE's and the RDATEs
    /// within the window, less EXDATEs and modified instances.
    fn occurrences(
        &self,
        e: &Comp,
        start: &When,
        zones: &Zones,
        modified: &Modified<'_>,
        warnings: &mut Vec<Diagnostic>,
    ) -> Result<Vec<When>, Diagnostic> {
        let rule = e.prop("RRULE");
        if rule.is_none() && e.prop("RDATE").is_none() {
            return Ok(vec![start.clone()]);
        }
        let end = recur::window_end(start.wall());
        let mut all = match rule {
            None => vec![start.clone()],
            Some(rule) => self.expand(e, rule, start, end, warnings)?,
        };
        for (p, line) in e.all("RDATE") {
            for v in p.value.as_deref().unwrap_or("").split(',') {
                // A PERIOD `start/end` repeats the event's own length.
                let first = v.split('/').next().unwrap_or(v);
                let w = self.when_raw(e, p, first, *line, zones)?;
                if w.wall() < end {
                    all.push(w);
                }
            }
        }
        let skip = self.exdates(e, zones, modified)?;
        all.sort_by_key(When::key);
        all.dedup_by_key(|w| w.key());
        all.retain(|w| !skip.contains(&w.key()) && !skip.contains(&Key::Date(w.wall().date())));
        all.truncate(usize::from(MAX_OCCURRENCES));
        Ok(all)
    }

    /// The RRULE's occurrences; a warning when the cap cut them short.
    fn expand(
        &self,
        e: &Comp,
        (p, line): &(Property, usize),
        start: &When,
        end: NaiveDateTime,
        warnings: &mut Vec<Diagnostic>,
    ) -> Result<Vec<When>, Diagnostic> {
        let written = p.value.as_deref().unwrap_or("").trim();
        let tidy = recur::without_bad_interval(written);
        if let Some(rule) = &tidy {
            warnings.push(
                self.at(
                    *line,
                    format!(
                        "event {}: RRULE `{written}` has an INTERVAL that is not a positive \
                         integer, which RFC 5545 forbids; it is read as INTERVAL=1 (`{rule}`)",
                        name(e)
                    ),
                )
                .help(
                    "fix the rule in the calendar that exported it, e.g. INTERVAL=1 or no INTERVAL",
                ),
            );
        }
        let raw = tidy.as_deref().unwrap_or(written);
        if let Some(why) = recur::forbidden(raw) {
            return Err(self
                .skip(e, *line, &format!("RRULE `{written}`: {why}"))
                .help("fix the rule in the calendar that exported it"));
        }
        let until = self.until(e, raw, start, *line)?;
        let found = recur::expand(raw, start.wall(), until, end).map_err(|why| {
            self.skip(e, *line, &format!("cannot read the RRULE `{raw}`: {why}"))
                .help("see RFC 5545 §3.3.10, e.g. RRULE:FREQ=MONTHLY;BYDAY=FR;BYSETPOS=-1")
        })?;
        if found.capped {
            warnings.push(
                self.at(
                    *line,
                    format!(
                        "event {} repeats more than {MAX_OCCURRENCES} times in its window; \
                         only the first {MAX_OCCURRENCES} are read",
                        name(e)
                    ),
                )
                .help("give the rule a COUNT or UNTIL, or a coarser FREQ"),
            );
        }
        Ok(found.starts.into_iter().map(|w| start.at(w)).collect())
    }

    /// UNTIL as a wall-clock time in the event's zone (inclusive).
    fn until(
        &self,
        e: &Comp,
        rule: &str,
        start: &When,
        line: usize,
    ) -> Result<Option<NaiveDateTime>, Diagnostic> {
        let Some(raw) = recur::until_part(rule) else {
            return Ok(None);
        };
        if let Some(d) = values::date(raw) {
            let end_of_day = NaiveTime::from_hms_opt(23, 59, 59).unwrap_or(NaiveTime::MIN);
            return Ok(Some(match start {
                When::Date(_) => d.and_time(NaiveTime::MIN),
                When::Time(..) => d.and_time(end_of_day),
            }));
        }
        let (local, utc) = match raw.strip_suffix(['Z', 'z']) {
            Some(r) => (r, true),
            None => (raw, false),
        };
        let t = values::date_time(local).ok_or_else(|| {
            self.skip(e, line, &format!("invalid UNTIL `{raw}`"))
                .help("write UNTIL as 20270208 or 20270208T090000Z")
        })?;
        Ok(Some(match (start, utc) {
            (When::Time(_, z), true) => z.to_local(t.and_utc()),
            _ => t,
        }))
    }

    /// The keys of the EXDATEs and modified instances of `e`.
    fn exdates(
        &self,
        e: &Comp,
        zones: &Zones,
        modified: &Modified<'_>,
    ) -> Result<BTreeSet<Key>, Diagnostic> {
        let mut skip = BTreeSet::new();
        for (p, line) in e.all("EXDATE") {
            for v in p.value.as_deref().unwrap_or("").split(',') {
                skip.insert(self.when_raw(e, p, v, *line, zones)?.key());
            }
        }
        if let Some(m) = e.value("UID").and_then(|u| modified.get(u.trim())) {
            skip.extend(m.iter().copied());
        }
        Ok(skip)
    }

    /// First and last day (inclusive, person's zone) of an occurrence;
    /// `None` past the year 9999.
    fn days(&self, start: &When, length: Length) -> Option<(NaiveDate, NaiveDate)> {
        let last_day = NaiveDate::from_ymd_opt(9999, 12, 31)?;
        let (first, last) = match (start, length) {
            (When::Date(d), Length::Days(n)) => (
                *d,
                d.checked_add_days(Days::new(u64::try_from(n.max(1) - 1).ok()?))?,
            ),
            (When::Date(d), Length::Exact(_)) => (*d, *d),
            (When::Time(t, z), length) => {
                let len = match length {
                    Length::Days(n) => TimeDelta::try_days(n)?,
                    Length::Exact(len) => len,
                };
                let from = z.to_utc(*t);
                let to = from.checked_add_signed(len)?;
                if to.date_naive() > last_day {
                    return None;
                }
                let first = from.with_timezone(&self.tz).date_naive();
                let last = match to > from {
                    true => (to - TimeDelta::nanoseconds(1))
                        .with_timezone(&self.tz)
                        .date_naive(),
                    false => first,
                };
                (first, last.max(first))
            }
        };
        (last <= last_day).then_some((first, last))
    }
}

/// An event's summary and UID, for messages.
fn name(e: &Comp) -> String {
    let summary = e.value("SUMMARY").map(crate::text::ics::unescape_text);
    match (summary, e.value("UID")) {
        (Some(s), Some(u)) => format!("`{s}` (UID `{}`)", u.trim()),
        (None, Some(u)) => format!("with UID `{}`", u.trim()),
        (Some(s), None) => format!("`{s}` (no UID)"),
        (None, None) => "with no UID".to_string(),
    }
}
