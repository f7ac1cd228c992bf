//! Time off read from a calendar: `time-off/<person-id>.ics` (DESIGN.md §1).
//!
//! The file is unfolded and split into properties by the `ical` crate; this
//! module keeps each property's line number so that every problem names the
//! file and line.
//!
//! Every VEVENT is time off for the person, turned into whole days in the
//! person's own zone:
//!
//! - an all-day event (`VALUE=DATE`) covers its dates, `DTEND` exclusive; with
//!   neither `DTEND` nor `DURATION` it is one day;
//! - a timed event (UTC `…Z`, floating, or `TZID=`) blocks every local day, in
//!   the person's zone, that it touches: an event ending exactly at midnight
//!   does not touch the next day. Floating times are read in the person's zone.
//!   (A half-day appointment therefore blocks the whole day: on-call eligibility
//!   is decided by days, and a shorter absence is better handled with an
//!   override.)
//! - `TZID` is an IANA name, or names the file's own VTIMEZONE, which is mapped
//!   to an IANA zone through its `X-LIC-LOCATION`, an IANA name at the end of
//!   the id (`/mozilla.org/…/Europe/Berlin`) or the Windows zone names Outlook
//!   writes (`W. Europe Standard Time`);
//! - `STATUS:CANCELLED` and `TRANSP:TRANSPARENT` (free time) events are ignored;
//! - recurring events (`RRULE` with `FREQ` `DAILY`, `WEEKLY`, `MONTHLY` or
//!   `YEARLY`, `INTERVAL`, and `COUNT` or `UNTIL`) are expanded, honouring
//!   `EXDATE` and modified instances (`RECURRENCE-ID`); endless rules, `BY…`
//!   parts other than a weekly rule's own weekday, and `RDATE` are refused,
//!   naming the file, line and event.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use ical::property::{Property, PropertyError};

use crate::input::diagnostic::Diagnostic;
use crate::model::time::resolve_local;

/// Most occurrences one recurring event may expand to.
pub const MAX_OCCURRENCES: usize = 1000;

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
}

/// Reads the time off in calendar `text` (the file `rel`) for a person whose
/// zone is `tz`. Blocks come in file order, recurring events in time order.
///
/// # Errors
/// Every problem found, each naming `rel` and the line, with a fix.
pub fn parse(rel: &Path, text: &str, tz: Tz) -> Result<Vec<IcsTimeOff>, Vec<Diagnostic>> {
    let cx = Cx { rel, tz };
    let root = cx.tree(text).map_err(|d| vec![d])?;
    let mut diags = Vec::new();
    let mut out = Vec::new();
    let zones = cx.zones(&root);
    let events: Vec<&Comp> = root
        .children
        .iter()
        .filter(|c| c.name == "VEVENT")
        .collect();
    // Modified instances of recurring events, by UID and original start.
    let mut modified: HashMap<&str, BTreeSet<Start>> = HashMap::new();
    for e in &events {
        if let (Some(uid), Some(rid)) = (e.value("UID"), e.prop("RECURRENCE-ID")) {
            match cx.when(rid, &zones) {
                Ok(w) => {
                    modified.entry(uid).or_default().insert(w.start());
                }
                Err(d) => diags.push(d),
            }
        }
    }
    for e in events {
        match cx.event(e, &zones, &modified) {
            Ok(blocks) => out.extend(blocks),
            Err(d) => diags.push(d),
        }
    }
    if diags.is_empty() {
        Ok(out)
    } else {
        Err(diags)
    }
}

/// A component with its properties and their lines.
#[derive(Debug, Default)]
struct Comp {
    name: String,
    line: usize,
    props: Vec<(Property, usize)>,
    children: Vec<Comp>,
}

impl Comp {
    fn prop(&self, name: &str) -> Option<&(Property, usize)> {
        self.props.iter().find(|(p, _)| p.name == name)
    }

    fn value(&self, name: &str) -> Option<&str> {
        self.prop(name).and_then(|(p, _)| p.value.as_deref())
    }
}

fn param<'a>(p: &'a Property, name: &str) -> Option<&'a str> {
    p.params
        .as_ref()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .and_then(|(_, v)| v.first())
        .map(String::as_str)
}

/// The start of an event or occurrence, comparable with a RECURRENCE-ID.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Start {
    Date(NaiveDate),
    Instant(DateTime<Utc>),
}

/// A DATE or DATE-TIME value, before it becomes days.
#[derive(Clone, Copy, Debug)]
enum When {
    Date(NaiveDate),
    /// A local time and the zone it is read in.
    Local(NaiveDateTime, Tz),
    Utc(DateTime<Utc>),
}

impl When {
    fn start(self) -> Start {
        match self {
            When::Date(d) => Start::Date(d),
            When::Local(t, tz) => Start::Instant(resolve_local(tz, t)),
            When::Utc(t) => Start::Instant(t),
        }
    }

    /// Moves the value by a calendar step (local wall-clock for zoned times).
    fn step(self, f: impl Fn(NaiveDateTime) -> Option<NaiveDateTime>) -> Option<When> {
        Some(match self {
            When::Date(d) => When::Date(f(d.and_time(chrono::NaiveTime::MIN))?.date()),
            When::Local(t, tz) => When::Local(f(t)?, tz),
            When::Utc(t) => When::Utc(f(t.naive_utc())?.and_utc()),
        })
    }
}

struct Cx<'a> {
    rel: &'a Path,
    tz: Tz,
}

const WINDOWS_ZONES: &[(&str, &str)] = &[
    ("Dateline Standard Time", "Etc/GMT+12"),
    ("Hawaiian Standard Time", "Pacific/Honolulu"),
    ("Alaskan Standard Time", "America/Anchorage"),
    ("Pacific Standard Time", "America/Los_Angeles"),
    ("US Mountain Standard Time", "America/Phoenix"),
    ("Mountain Standard Time", "America/Denver"),
    ("Central Standard Time", "America/Chicago"),
    ("Central America Standard Time", "America/Guatemala"),
    ("Canada Central Standard Time", "America/Regina"),
    ("Mexico Standard Time", "America/Mexico_City"),
    ("Central Standard Time (Mexico)", "America/Mexico_City"),
    ("Eastern Standard Time", "America/New_York"),
    ("US Eastern Standard Time", "America/Indiana/Indianapolis"),
    ("SA Pacific Standard Time", "America/Bogota"),
    ("Atlantic Standard Time", "America/Halifax"),
    ("Newfoundland Standard Time", "America/St_Johns"),
    ("E. South America Standard Time", "America/Sao_Paulo"),
    ("Argentina Standard Time", "America/Argentina/Buenos_Aires"),
    ("Pacific SA Standard Time", "America/Santiago"),
    ("UTC", "Etc/UTC"),
    ("Coordinated Universal Time", "Etc/UTC"),
    ("GMT Standard Time", "Europe/London"),
    ("Greenwich Standard Time", "Atlantic/Reykjavik"),
    ("W. Europe Standard Time", "Europe/Berlin"),
    ("Central Europe Standard Time", "Europe/Budapest"),
    ("Central European Standard Time", "Europe/Warsaw"),
    ("Romance Standard Time", "Europe/Paris"),
    ("E. Europe Standard Time", "Europe/Chisinau"),
    ("GTB Standard Time", "Europe/Bucharest"),
    ("FLE Standard Time", "Europe/Kiev"),
    ("Turkey Standard Time", "Europe/Istanbul"),
    ("Israel Standard Time", "Asia/Jerusalem"),
    ("South Africa Standard Time", "Africa/Johannesburg"),
    ("Russian Standard Time", "Europe/Moscow"),
    ("Arabian Standard Time", "Asia/Dubai"),
    ("Iran Standard Time", "Asia/Tehran"),
    ("Pakistan Standard Time", "Asia/Karachi"),
    ("India Standard Time", "Asia/Kolkata"),
    ("Nepal Standard Time", "Asia/Kathmandu"),
    ("Bangladesh Standard Time", "Asia/Dhaka"),
    ("SE Asia Standard Time", "Asia/Bangkok"),
    ("China Standard Time", "Asia/Shanghai"),
    ("Singapore Standard Time", "Asia/Singapore"),
    ("Taipei Standard Time", "Asia/Taipei"),
    ("Tokyo Standard Time", "Asia/Tokyo"),
    ("Korea Standard Time", "Asia/Seoul"),
    ("AUS Central Standard Time", "Australia/Darwin"),
    ("AUS Eastern Standard Time", "Australia/Sydney"),
    ("E. Australia Standard Time", "Australia/Brisbane"),
    ("W. Australia Standard Time", "Australia/Perth"),
    ("New Zealand Standard Time", "Pacific/Auckland"),
];

/// The IANA zone a TZID or VTIMEZONE stands for, if it can be told.
fn iana(tzid: &str, location: Option<&str>) -> Option<Tz> {
    let direct = |s: &str| s.trim().parse::<Tz>().ok();
    if let Some(tz) = location.and_then(direct) {
        return Some(tz);
    }
    if let Some(tz) = direct(tzid) {
        return Some(tz);
    }
    if let Some((_, iana)) = WINDOWS_ZONES
        .iter()
        .find(|(w, _)| w.eq_ignore_ascii_case(tzid.trim()))
    {
        return direct(iana);
    }
    // `/mozilla.org/20050126_1/Europe/Berlin` and similar prefixed ids.
    let parts: Vec<&str> = tzid.split('/').collect();
    (1..parts.len()).find_map(|i| direct(&parts[i..].join("/")))
}

impl Cx<'_> {
    fn at(&self, line: usize, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(self.rel, line, 0, message)
    }

    /// Splits the text into components, keeping each property's line.
    fn tree(&self, text: &str) -> Result<Comp, Diagnostic> {
        let mut stack: Vec<Comp> = Vec::new();
        let mut root: Option<Comp> = None;
        for line in ical::LineReader::new(text.as_bytes()) {
            let n = line.number();
            let prop = match ical::PropertyParser::from_reader(line.as_str().as_bytes()).next() {
                Some(Ok(p)) => p,
                Some(Err(e)) => return Err(self.property_error(n, &e)),
                None => continue,
            };
            let prop = Property {
                name: prop.name.trim().to_ascii_uppercase(),
                ..prop
            };
            let value = prop
                .value
                .as_deref()
                .unwrap_or("")
                .trim()
                .to_ascii_uppercase();
            match prop.name.as_str() {
                "BEGIN" => {
                    if stack.is_empty() && (root.is_some() || value != "VCALENDAR") {
                        return Err(self
                            .at(n, format!("`BEGIN:{value}` outside `BEGIN:VCALENDAR`"))
                            .help(
                                "a calendar file holds one VCALENDAR with the VEVENTs inside it",
                            ));
                    }
                    stack.push(Comp {
                        name: value,
                        line: n,
                        ..Comp::default()
                    });
                }
                "END" => {
                    let Some(done) = stack.pop() else {
                        return Err(self
                            .at(n, format!("`END:{value}` without a matching `BEGIN`"))
                            .help("remove the line or add the missing `BEGIN`"));
                    };
                    if done.name != value {
                        return Err(self
                            .at(
                                n,
                                format!(
                                    "`END:{value}` closes `BEGIN:{}` of line {}",
                                    done.name, done.line
                                ),
                            )
                            .help(format!("close it with `END:{}`", done.name)));
                    }
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(done),
                        None => root = Some(done),
                    }
                }
                _ => match stack.last_mut() {
                    Some(c) => c.props.push((prop, n)),
                    None => {
                        return Err(self
                            .at(n, format!("property `{}` outside the calendar", prop.name))
                            .help("start the file with `BEGIN:VCALENDAR`"))
                    }
                },
            }
        }
        if let Some(open) = stack.last() {
            return Err(self
                .at(open.line, format!("`BEGIN:{}` is never closed", open.name))
                .help(format!("add `END:{}`", open.name)));
        }
        root.ok_or_else(|| {
            self.at(1, "not an iCalendar file: no `BEGIN:VCALENDAR`")
                .help("export the calendar as .ics, or write the time off in a .toml file")
        })
    }

    fn property_error(&self, line: usize, e: &PropertyError) -> Diagnostic {
        let what = match e {
            PropertyError::MissingName { .. } => "a line with no property name".to_string(),
            PropertyError::MissingClosingQuote { .. } => {
                "a parameter value with no closing quote".to_string()
            }
            PropertyError::MissingDelimiter { delimiter, .. } => {
                format!("a parameter with no `{delimiter}`")
            }
            PropertyError::MissingContentAfter { letter, .. } => {
                format!("nothing after `{letter}`")
            }
            PropertyError::MissingParamKey { .. } => "a parameter with no name".to_string(),
        };
        self.at(line, format!("malformed calendar line: {what}"))
            .help("each line is `NAME;PARAM=VALUE:value`; continuation lines start with a space")
    }

    /// The file's VTIMEZONEs by TZID, mapped to IANA zones where possible.
    fn zones(&self, root: &Comp) -> HashMap<String, Option<Tz>> {
        root.children
            .iter()
            .filter(|c| c.name == "VTIMEZONE")
            .filter_map(|c| {
                let id = c.value("TZID")?.trim().to_string();
                let tz = iana(&id, c.value("X-LIC-LOCATION"));
                Some((id, tz))
            })
            .collect()
    }

    fn event_name(&self, e: &Comp) -> String {
        match (e.value("SUMMARY"), e.value("UID")) {
            (Some(s), _) => format!("`{}`", crate::text::ics::unescape_text(s)),
            (None, Some(u)) => format!("`{u}`"),
            (None, None) => format!("at line {}", e.line),
        }
    }

    /// A DATE or DATE-TIME property value.
    fn when(
        &self,
        (p, line): &(Property, usize),
        zones: &HashMap<String, Option<Tz>>,
    ) -> Result<When, Diagnostic> {
        let raw = p.value.as_deref().unwrap_or("").trim();
        let bad = || {
            self.at(*line, format!("invalid {} `{raw}`", p.name)).help(
                "write a date as 20270208 (with VALUE=DATE) or a date-time as 20270208T090000Z, \
                 20270208T090000, or with TZID=Europe/Berlin",
            )
        };
        let is_date = param(p, "VALUE").is_some_and(|v| v.eq_ignore_ascii_case("DATE"))
            || (raw.len() == 8 && !raw.contains('T'));
        if is_date {
            return NaiveDate::parse_from_str(raw, "%Y%m%d")
                .map(When::Date)
                .map_err(|_| bad());
        }
        let (local, utc) = match raw.strip_suffix('Z') {
            Some(r) => (r, true),
            None => (raw, false),
        };
        let t = NaiveDateTime::parse_from_str(local, "%Y%m%dT%H%M%S").map_err(|_| bad())?;
        if utc {
            return Ok(When::Utc(t.and_utc()));
        }
        match param(p, "TZID") {
            None => Ok(When::Local(t, self.tz)),
            Some(id) => {
                let id = id.trim();
                let tz = match zones.get(id) {
                    Some(mapped) => *mapped,
                    None => iana(id, None),
                };
                tz.map(|tz| When::Local(t, tz)).ok_or_else(|| {
                    let what = if zones.contains_key(id) {
                        format!("the VTIMEZONE `{id}` cannot be mapped to an IANA time zone")
                    } else {
                        format!("unknown time zone `{id}` and no VTIMEZONE defines it")
                    };
                    self.at(*line, what).help(
                        "use an IANA name such as TZID=Europe/Berlin, or add \
                         X-LIC-LOCATION:Europe/Berlin to the VTIMEZONE",
                    )
                })
            }
        }
    }

    /// The blocks of one VEVENT (several for a recurring one).
    fn event(
        &self,
        e: &Comp,
        zones: &HashMap<String, Option<Tz>>,
        modified: &HashMap<&str, BTreeSet<Start>>,
    ) -> Result<Vec<IcsTimeOff>, Diagnostic> {
        let upper = |name: &str| e.value(name).map(|v| v.trim().to_ascii_uppercase());
        if upper("STATUS").as_deref() == Some("CANCELLED")
            || upper("TRANSP").as_deref() == Some("TRANSPARENT")
        {
            return Ok(Vec::new());
        }
        let name = self.event_name(e);
        let dtstart = e.prop("DTSTART").ok_or_else(|| {
            self.at(e.line, format!("event {name} has no DTSTART"))
                .help("add DTSTART, e.g. DTSTART;VALUE=DATE:20270208")
        })?;
        let start = self.when(dtstart, zones)?;
        // The event's length: exact for date-times, in days for dates.
        let length = match (e.prop("DTEND"), e.prop("DURATION")) {
            (Some(end), _) => {
                let end = self.when(end, zones)?;
                match (start, end) {
                    (When::Date(s), When::Date(t)) => Length::Days((t - s).num_days()),
                    (When::Date(_), _) | (_, When::Date(_)) => {
                        return Err(self
                            .at(
                                e.prop("DTEND").map_or(e.line, |p| p.1),
                                format!("event {name} mixes a DATE and a DATE-TIME"),
                            )
                            .help("give DTSTART and DTEND both as dates or both as date-times"))
                    }
                    (s, t) => Length::Exact(instant(t) - instant(s)),
                }
            }
            (None, Some(d)) => {
                let raw = d.0.value.as_deref().unwrap_or("").trim();
                let dur = parse_duration(raw).ok_or_else(|| {
                    self.at(d.1, format!("invalid DURATION `{raw}`"))
                        .help("write a duration as P1D, P2W or PT4H30M")
                })?;
                match start {
                    When::Date(_) => Length::Days(dur.num_days()),
                    _ => Length::Exact(dur),
                }
            }
            (None, None) => match start {
                When::Date(_) => Length::Days(1),
                _ => Length::Exact(Duration::zero()),
            },
        };
        let negative = match length {
            Length::Days(d) => d < 1,
            Length::Exact(d) => d < Duration::zero(),
        };
        if negative {
            let line = e
                .prop("DTEND")
                .or_else(|| e.prop("DURATION"))
                .map_or(e.line, |p| p.1);
            return Err(self
                .at(line, format!("event {name} ends before it starts"))
                .help("DTEND is exclusive: an all-day event on 8 February ends on 20270209"));
        }
        if let Some((_, line)) = e.prop("RDATE") {
            return Err(self
                .at(
                    *line,
                    format!("event {name} repeats on RDATE dates, which are not supported"),
                )
                .help("export the occurrences as separate events"));
        }
        let starts = match e.prop("RRULE") {
            None => vec![start],
            Some(rule) => {
                let mut starts = self.expand(rule, start, &name)?;
                let mut skip: BTreeSet<Start> = BTreeSet::new();
                for (p, line) in e.props.iter().filter(|(p, _)| p.name == "EXDATE") {
                    for v in p.value.as_deref().unwrap_or("").split(',') {
                        let one = Property {
                            value: Some(v.to_string()),
                            ..p.clone()
                        };
                        skip.insert(self.when(&(one, *line), zones)?.start());
                    }
                }
                if let Some(m) = e.value("UID").and_then(|u| modified.get(u)) {
                    skip.extend(m.iter().copied());
                }
                starts.retain(|s| !skip.contains(&s.start()));
                starts
            }
        };
        let reason = e
            .value("SUMMARY")
            .map(crate::text::ics::unescape_text)
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| "calendar".to_string());
        Ok(starts
            .into_iter()
            .map(|s| {
                let (first, last) = self.days(s, length);
                IcsTimeOff {
                    start: first,
                    end: last,
                    reason: reason.clone(),
                    line: e.line,
                }
            })
            .collect())
    }

    /// First and last day (inclusive, person's zone) of an occurrence.
    fn days(&self, start: When, length: Length) -> (NaiveDate, NaiveDate) {
        let len = match (start, length) {
            (When::Date(d), Length::Days(n)) => return (d, d + Duration::days(n.max(1) - 1)),
            (_, Length::Days(n)) => Duration::days(n),
            (_, Length::Exact(len)) => len,
        };
        let from = instant(start);
        let to = from + len;
        let first = from.with_timezone(&self.tz).date_naive();
        let last = if to > from {
            (to - Duration::nanoseconds(1))
                .with_timezone(&self.tz)
                .date_naive()
        } else {
            first
        };
        (first, last.max(first))
    }

    /// The occurrences of a recurring event.
    fn expand(
        &self,
        (rule, line): &(Property, usize),
        start: When,
        name: &str,
    ) -> Result<Vec<When>, Diagnostic> {
        let raw = rule.value.as_deref().unwrap_or("").trim();
        let refuse = |why: String| {
            self.at(*line, format!("event {name}: {why}"))
                .help("export the occurrences as separate events, or give the rule a COUNT or UNTIL and no BY… parts")
        };
        let mut freq = None;
        let mut interval: u32 = 1;
        let mut count: Option<usize> = None;
        let mut until: Option<When> = None;
        for part in raw.split(';').filter(|p| !p.is_empty()) {
            let (k, v) = part
                .split_once('=')
                .ok_or_else(|| refuse(format!("cannot read the RRULE part `{part}`")))?;
            match k.trim().to_ascii_uppercase().as_str() {
                "FREQ" => freq = Some(v.trim().to_ascii_uppercase()),
                "INTERVAL" => {
                    interval = v
                        .trim()
                        .parse()
                        .ok()
                        .filter(|i| *i >= 1)
                        .ok_or_else(|| refuse(format!("invalid INTERVAL `{v}`")))?
                }
                "COUNT" => {
                    count = Some(
                        v.trim()
                            .parse()
                            .map_err(|_| refuse(format!("invalid COUNT `{v}`")))?,
                    )
                }
                "UNTIL" => {
                    let p = Property {
                        name: "UNTIL".into(),
                        params: None,
                        value: Some(v.to_string()),
                    };
                    until = Some(self.when(&(p, *line), &HashMap::new())?);
                }
                "WKST" => {}
                "BYDAY" if freq.as_deref() == Some("WEEKLY") && own_weekday(v, start) => {}
                other => {
                    return Err(refuse(format!(
                        "the repeat rule part `{other}` is not supported"
                    )))
                }
            }
        }
        let step = |k: u32| -> Box<dyn Fn(NaiveDateTime) -> Option<NaiveDateTime>> {
            let n = k.saturating_mul(interval);
            match freq.as_deref() {
                Some("DAILY") => Box::new(move |t| t.checked_add_signed(Duration::days(n.into()))),
                Some("WEEKLY") => {
                    Box::new(move |t| t.checked_add_signed(Duration::weeks(n.into())))
                }
                Some("MONTHLY") => Box::new(move |t| t.checked_add_months(Months::new(n))),
                _ => Box::new(move |t| t.checked_add_months(Months::new(n.saturating_mul(12)))),
            }
        };
        match freq.as_deref() {
            Some("DAILY" | "WEEKLY" | "MONTHLY" | "YEARLY") => {}
            Some(f) => {
                return Err(refuse(format!(
                    "repeats `FREQ={f}`, which is not supported"
                )))
            }
            None => return Err(refuse("the RRULE has no FREQ".to_string())),
        }
        if count.is_none() && until.is_none() {
            return Err(refuse(
                "repeats forever (no COUNT or UNTIL), so it cannot be read as time off".to_string(),
            ));
        }
        let until = until.map(|u| u.start());
        let mut out = Vec::new();
        for k in 0.. {
            if count.is_some_and(|c| out.len() >= c) {
                break;
            }
            if out.len() >= MAX_OCCURRENCES {
                return Err(refuse(format!("repeats more than {MAX_OCCURRENCES} times")));
            }
            let Some(next) = start.step(step(k)) else {
                break;
            };
            // A monthly rule from the 31st skips months without one.
            let monthly = matches!(freq.as_deref(), Some("MONTHLY" | "YEARLY"));
            let skipped = monthly
                && match (start, next) {
                    (When::Date(a), When::Date(b)) => a.day() != b.day(),
                    (When::Local(a, _), When::Local(b, _)) => a.day() != b.day(),
                    (When::Utc(a), When::Utc(b)) => a.day() != b.day(),
                    _ => false,
                };
            if skipped {
                continue;
            }
            if let Some(u) = until {
                if !before_or_at(next.start(), u) {
                    break;
                }
            }
            out.push(next);
        }
        Ok(out)
    }
}

/// Compares an occurrence start with UNTIL, which may be a date or an instant.
fn before_or_at(s: Start, until: Start) -> bool {
    match (s, until) {
        (Start::Date(a), Start::Date(b)) => a <= b,
        (Start::Instant(a), Start::Instant(b)) => a <= b,
        (Start::Date(a), Start::Instant(b)) => a <= b.date_naive(),
        (Start::Instant(a), Start::Date(b)) => a.date_naive() <= b,
    }
}

/// Is `BYDAY=<v>` just the weekday the event starts on?
fn own_weekday(v: &str, start: When) -> bool {
    let day = match start {
        When::Date(d) => d.weekday(),
        When::Local(t, _) => t.weekday(),
        When::Utc(t) => t.weekday(),
    };
    let code = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"][day.num_days_from_monday() as usize];
    v.trim().eq_ignore_ascii_case(code)
}

#[derive(Clone, Copy, Debug)]
enum Length {
    Days(i64),
    Exact(Duration),
}

fn instant(w: When) -> DateTime<Utc> {
    match w {
        When::Date(d) => Utc.from_utc_datetime(&d.and_time(chrono::NaiveTime::MIN)),
        When::Local(t, tz) => resolve_local(tz, t),
        When::Utc(t) => t,
    }
}

/// An RFC 5545 DURATION such as `P1D`, `P2W`, `PT4H30M` or `P1DT12H`.
fn parse_duration(raw: &str) -> Option<Duration> {
    let (sign, rest) = match raw.strip_prefix('-') {
        Some(r) => (-1, r),
        None => (1, raw.strip_prefix('+').unwrap_or(raw)),
    };
    let rest = rest.strip_prefix('P')?;
    let mut total = Duration::zero();
    let mut in_time = false;
    let mut num = String::new();
    let mut any = false;
    for c in rest.chars() {
        match c {
            'T' => in_time = true,
            '0'..='9' => num.push(c),
            unit => {
                let n: i64 = num.parse().ok()?;
                num.clear();
                any = true;
                total += match (unit, in_time) {
                    ('W', false) => Duration::weeks(n),
                    ('D', false) => Duration::days(n),
                    ('H', true) => Duration::hours(n),
                    ('M', true) => Duration::minutes(n),
                    ('S', true) => Duration::seconds(n),
                    _ => return None,
                };
            }
        }
    }
    (any && num.is_empty()).then_some(total * sign)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    fn cal(body: &str) -> String {
        format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n{body}END:VCALENDAR\r\n")
    }

    fn read(body: &str) -> Result<Vec<(NaiveDate, NaiveDate)>, Vec<Diagnostic>> {
        parse(
            Path::new("time-off/alice.ics"),
            &cal(body),
            chrono_tz::America::Los_Angeles,
        )
        .map(|v| v.into_iter().map(|b| (b.start, b.end)).collect())
    }

    #[test]
    fn all_day_events_have_an_exclusive_end() {
        let got = read(
            "BEGIN:VEVENT\r\nUID:a\r\nDTSTART;VALUE=DATE:20270208\r\nDTEND;VALUE=DATE:20270213\r\nEND:VEVENT\r\n\
             BEGIN:VEVENT\r\nUID:b\r\nDTSTART;VALUE=DATE:20270301\r\nEND:VEVENT\r\n",
        );
        assert_eq!(
            got,
            Ok(vec![
                (d(2027, 2, 8), d(2027, 2, 12)),
                (d(2027, 3, 1), d(2027, 3, 1))
            ])
        );
    }

    #[test]
    fn timed_events_block_the_local_days_they_touch() {
        // 2027-02-09 07:00Z is 23:00 on the 8th in Los Angeles; ends 08:00Z
        // on the 10th = 00:00 on the 10th there, which it does not touch.
        let got = read(
            "BEGIN:VEVENT\r\nUID:a\r\nDTSTART:20270209T070000Z\r\nDTEND:20270210T080000Z\r\nEND:VEVENT\r\n",
        );
        assert_eq!(got, Ok(vec![(d(2027, 2, 8), d(2027, 2, 9))]));
        // Floating times are the person's own.
        let got = read(
            "BEGIN:VEVENT\r\nUID:a\r\nDTSTART:20270209T090000\r\nDURATION:PT2H\r\nEND:VEVENT\r\n",
        );
        assert_eq!(got, Ok(vec![(d(2027, 2, 9), d(2027, 2, 9))]));
        // 09:00 in Tokyo is the day before in Los Angeles.
        let got = read(
            "BEGIN:VEVENT\r\nUID:a\r\nDTSTART;TZID=Asia/Tokyo:20270209T090000\r\nDTEND;TZID=Asia/Tokyo:20270209T100000\r\nEND:VEVENT\r\n",
        );
        assert_eq!(got, Ok(vec![(d(2027, 2, 8), d(2027, 2, 8))]));
    }

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("P1D"), Some(Duration::days(1)));
        assert_eq!(parse_duration("P2W"), Some(Duration::weeks(2)));
        assert_eq!(
            parse_duration("P1DT4H30M"),
            Some(Duration::hours(28) + Duration::minutes(30))
        );
        assert_eq!(parse_duration("P"), None);
        assert_eq!(parse_duration("PT4"), None);
        assert_eq!(parse_duration("1D"), None);
    }

    #[test]
    fn weekly_rules_expand_with_exdate_and_stop_at_until() {
        let got = read(
            "BEGIN:VEVENT\r\nUID:a\r\nDTSTART;VALUE=DATE:20270105\r\nRRULE:FREQ=WEEKLY;INTERVAL=2;UNTIL=20270216;BYDAY=TU\r\nEXDATE;VALUE=DATE:20270119\r\nEND:VEVENT\r\n",
        );
        assert_eq!(
            got,
            Ok(vec![
                (d(2027, 1, 5), d(2027, 1, 5)),
                (d(2027, 2, 2), d(2027, 2, 2)),
                (d(2027, 2, 16), d(2027, 2, 16)),
            ])
        );
    }

    #[test]
    fn endless_and_by_rules_are_refused_with_the_line() {
        for rule in [
            "FREQ=WEEKLY",
            "FREQ=MONTHLY;COUNT=3;BYDAY=1MO",
            "FREQ=HOURLY;COUNT=2",
        ] {
            let body = format!(
                "BEGIN:VEVENT\r\nUID:a\r\nSUMMARY:Gym\r\nDTSTART;VALUE=DATE:20270105\r\nRRULE:{rule}\r\nEND:VEVENT\r\n"
            );
            let err = read(&body).err().unwrap_or_default();
            assert_eq!(err.len(), 1, "{rule}");
            assert_eq!(err[0].line, 8, "{rule}");
            assert!(err[0].message.contains("`Gym`"), "{}", err[0].message);
        }
    }

    #[test]
    fn malformed_files_name_the_line() {
        let err = read("BEGIN:VEVENT\r\nUID:a\r\nDTSTART;VALUE=DATE:2027-02-08\r\nEND:VEVENT\r\n")
            .err()
            .unwrap_or_default();
        assert_eq!(
            (err[0].line, err[0].message.as_str()),
            (6, "invalid DTSTART `2027-02-08`")
        );
        let err = read("BEGIN:VEVENT\r\nUID:a\r\nDTSTART;VALUE=DATE:20270208\r\n")
            .err()
            .unwrap_or_default();
        assert_eq!(err[0].line, 7);
        assert!(err[0].message.contains("line 4"), "{}", err[0].message);
        let err = read("BEGIN:VEVENT\r\nno colon here\r\nEND:VEVENT\r\n")
            .err()
            .unwrap_or_default();
        assert_eq!(err[0].line, 5);
    }
}
