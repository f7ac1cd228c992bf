//! Time zones of a calendar: `TZID`s and the file's own VTIMEZONEs.
//!
//! A VTIMEZONE is mapped to an IANA zone when it can be (its
//! `X-LIC-LOCATION`, an IANA name in its id, or one of Outlook's Windows zone
//! names); otherwise it is evaluated from its own `STANDARD` and `DAYLIGHT`
//! observances: each onset (DTSTART, RRULE and RDATE, local time in
//! TZOFFSETFROM) switches to TZOFFSETTO.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use chrono_tz::Tz;

use super::recur;
use super::tree::Comp;
use super::values;
use crate::model::time::resolve_local;

/// A zone date-times are read in.
#[derive(Clone, Debug)]
pub(super) enum Zone {
    Iana(Tz),
    Own(Arc<Rules>),
}

/// The VTIMEZONEs of a file by TZID; `None` when one can be neither mapped
/// nor evaluated.
pub(super) type Zones = HashMap<String, Option<Zone>>;

/// A zone defined by its transitions: UTC instant and the offset from then on.
#[derive(Debug)]
pub(super) struct Rules {
    before: i32,
    transitions: Vec<(NaiveDateTime, i32)>,
    offsets: Vec<i32>,
}

impl Zone {
    /// The instant of a wall-clock time: an ambiguous time is its first
    /// occurrence; a time in a gap moves past the gap.
    pub(super) fn to_utc(&self, local: NaiveDateTime) -> DateTime<Utc> {
        match self {
            Zone::Iana(tz) => resolve_local(*tz, local),
            Zone::Own(r) => r.to_utc(local).and_utc(),
        }
    }

    /// The wall-clock time of an instant.
    pub(super) fn to_local(&self, t: DateTime<Utc>) -> NaiveDateTime {
        match self {
            Zone::Iana(tz) => t.with_timezone(tz).naive_local(),
            Zone::Own(r) => shift(t.naive_utc(), r.offset_at(t.naive_utc())),
        }
    }
}

fn shift(t: NaiveDateTime, seconds: i32) -> NaiveDateTime {
    t.checked_add_signed(TimeDelta::seconds(seconds.into()))
        .unwrap_or(t)
}

impl Rules {
    fn offset_at(&self, utc: NaiveDateTime) -> i32 {
        let i = self.transitions.partition_point(|(t, _)| *t <= utc);
        match i {
            0 => self.before,
            _ => self.transitions[i - 1].1,
        }
    }

    fn to_utc(&self, local: NaiveDateTime) -> NaiveDateTime {
        let fits = |o: &i32| {
            let t = shift(local, -o);
            (self.offset_at(t) == *o).then_some(t)
        };
        if let Some(t) = self.offsets.iter().filter_map(fits).min() {
            return t;
        }
        // In a gap: read the time with the offset in force before it, which
        // lands past the gap (RFC 5545 §3.3.5).
        let widest = self.offsets.iter().copied().max().unwrap_or(0);
        shift(local, -self.offset_at(shift(local, -widest)))
    }
}

/// The file's VTIMEZONEs by TZID.
pub(super) fn table(root: &Comp) -> Zones {
    root.children
        .iter()
        .filter(|c| c.name == "VTIMEZONE")
        .filter_map(|c| {
            let id = c.value("TZID")?.trim().to_string();
            let zone = iana(&id, c.value("X-LIC-LOCATION"))
                .map(Zone::Iana)
                .or_else(|| own_rules(c).map(|r| Zone::Own(Arc::new(r))));
            Some((id, zone))
        })
        .collect()
}

/// The zone a `TZID` parameter names.
pub(super) fn lookup(zones: &Zones, id: &str) -> Result<Zone, String> {
    match zones.get(id) {
        Some(Some(z)) => Ok(z.clone()),
        Some(None) => Err(format!(
            "the VTIMEZONE `{id}` names no IANA zone and has no usable STANDARD or DAYLIGHT rules"
        )),
        None => iana(id, None)
            .map(Zone::Iana)
            .ok_or_else(|| format!("unknown time zone `{id}` and no VTIMEZONE defines it")),
    }
}

/// Transitions from a VTIMEZONE's observances, or `None` when it has none.
fn own_rules(c: &Comp) -> Option<Rules> {
    let mut first: Option<(NaiveDateTime, i32)> = None;
    let mut transitions = Vec::new();
    for o in c
        .children
        .iter()
        .filter(|o| o.name == "STANDARD" || o.name == "DAYLIGHT")
    {
        let Some((from, to, onsets)) = observance(o) else {
            continue;
        };
        for onset in onsets {
            let utc = shift(onset, -from);
            if first.is_none_or(|(t, _)| utc < t) {
                first = Some((utc, from));
            }
            transitions.push((utc, to));
        }
    }
    let (_, before) = first?;
    transitions.sort();
    let mut offsets: Vec<i32> = transitions.iter().map(|(_, o)| *o).collect();
    offsets.push(before);
    offsets.sort_unstable();
    offsets.dedup();
    Some(Rules {
        before,
        transitions,
        offsets,
    })
}

/// An observance's offsets and local onsets, up to the expansion window.
fn observance(o: &Comp) -> Option<(i32, i32, Vec<NaiveDateTime>)> {
    let from = offset(o.value("TZOFFSETFROM")?)?;
    let to = offset(o.value("TZOFFSETTO")?)?;
    let start = values::date_time(o.value("DTSTART")?)?;
    let mut onsets = vec![start];
    if let Some(rule) = o.value("RRULE") {
        let until = recur::until_part(rule).and_then(|u| {
            let utc = values::date_time(u.trim_end_matches(['Z', 'z']))?;
            Some(shift(utc, from))
        });
        if let Ok(found) = recur::expand(rule, start, until, recur::last_window_end()) {
            onsets.extend(found.starts);
        }
    }
    for (p, _) in o.all("RDATE") {
        let list = p.value.as_deref().unwrap_or("");
        onsets.extend(list.split(',').filter_map(values::date_time));
    }
    onsets.sort();
    onsets.dedup();
    Some((from, to, onsets))
}

/// A UTC offset `+HHMM` or `-HHMMSS`, in seconds.
fn offset(raw: &str) -> Option<i32> {
    let raw = raw.trim();
    let (sign, digits) = match raw.split_at_checked(1)? {
        ("+", d) => (1, d),
        ("-", d) => (-1, d),
        _ => return None,
    };
    if !(digits.len() == 4 || digits.len() == 6) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = |r: std::ops::Range<usize>| digits.get(r).and_then(|s| s.parse::<i32>().ok());
    let (h, m, s) = (n(0..2)?, n(2..4)?, n(4..6).unwrap_or(0));
    (h < 24 && m < 60 && s < 60).then_some(sign * (h * 3600 + m * 60 + s))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_parse() {
        assert_eq!(offset("+0100"), Some(3600));
        assert_eq!(offset("-0530"), Some(-19800));
        assert_eq!(offset("+053015"), Some(19815));
        assert_eq!(offset("0100"), None);
        assert_eq!(offset("+2500"), None);
    }
}
