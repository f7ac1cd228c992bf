//! Small parsers shared by the input files (time zone, date, time of day,
//! weekday) and the rewording of TOML errors for people.

use std::ops::Range;

use chrono::{NaiveDate, NaiveTime, Weekday};
use chrono_tz::Tz;
use toml::Spanned;

use crate::input::context::Cx;
use crate::input::diagnostic::Diagnostic;
use crate::input::source::Source;
use crate::input::suggest::did_you_mean;

pub(super) const WEEKDAYS: [(&str, Weekday); 7] = [
    ("monday", Weekday::Mon),
    ("tuesday", Weekday::Tue),
    ("wednesday", Weekday::Wed),
    ("thursday", Weekday::Thu),
    ("friday", Weekday::Fri),
    ("saturday", Weekday::Sat),
    ("sunday", Weekday::Sun),
];

pub(super) use crate::input::wording::{backticked, DATE_HELP};

impl Cx {
    /// A time zone name from a TOML file.
    pub(super) fn zone(&mut self, src: &Source, value: &Spanned<String>) -> Option<Tz> {
        match parse_zone(value.get_ref()) {
            Ok(tz) => Some(tz),
            Err(d) => {
                self.push(with_pos(src, value.span(), d));
                None
            }
        }
    }

    /// A date given as a TOML string `"YYYY-MM-DD"` or a bare TOML date.
    pub(super) fn date(
        &mut self,
        src: &Source,
        field: &str,
        value: &Spanned<toml::Value>,
    ) -> Option<NaiveDate> {
        let message = match value.get_ref() {
            toml::Value::String(s) => match parse_date(s) {
                Some(d) => return Some(d),
                None => format!("invalid date `{s}` in `{field}`"),
            },
            toml::Value::Datetime(dt) => match (dt.date, dt.time, dt.offset) {
                (Some(d), None, None) => {
                    match NaiveDate::from_ymd_opt(
                        i32::from(d.year),
                        u32::from(d.month),
                        u32::from(d.day),
                    ) {
                        Some(d) => return Some(d),
                        None => format!("invalid date `{dt}` in `{field}`"),
                    }
                }
                _ => format!("`{field}` is a date-time `{dt}`; give a plain date"),
            },
            other => format!("`{field}` must be a date, found {}", other.type_str()),
        };
        self.push(src.at(value.span(), message).help(DATE_HELP));
        None
    }
}

fn with_pos(src: &Source, span: Range<usize>, (msg, help): (String, String)) -> Diagnostic {
    src.at(span, msg).help(help)
}

/// An IANA time zone; on failure, the message and a did-you-mean help.
pub(super) fn parse_zone(name: &str) -> Result<Tz, (String, String)> {
    name.parse::<Tz>().map_err(|_| {
        let names = chrono_tz::TZ_VARIANTS.iter().map(|t| t.name());
        let help = match did_you_mean(name, names) {
            Some(s) => format!("did you mean `{s}`?"),
            None => "use an IANA time zone name such as `Europe/Berlin` or `America/New_York`"
                .to_string(),
        };
        (format!("unknown time zone `{name}`"), help)
    })
}

/// A `YYYY-MM-DD` date.
pub(super) fn parse_date(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    let mut parts = t.split('-');
    let (Some(y), Some(m), Some(d), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    if !t.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// An `HH:MM` time of day on a 24-hour clock.
pub(super) fn parse_time(text: &str) -> Option<NaiveTime> {
    let (h, m) = text.trim().split_once(':')?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return None;
    }
    if !h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    NaiveTime::from_hms_opt(h.parse().ok()?, m.parse().ok()?, 0)
}

/// A full English weekday name or its 3-letter form, any case.
pub(super) fn parse_weekday(text: &str) -> Option<Weekday> {
    let t = text.trim().to_lowercase();
    WEEKDAYS
        .iter()
        .find(|(n, _)| *n == t || (t.len() == 3 && n.starts_with(t.as_str())))
        .map(|(_, d)| *d)
}

pub(super) fn weekday_name(d: Weekday) -> &'static str {
    WEEKDAYS
        .iter()
        .find(|(_, w)| *w == d)
        .map_or("day", |(n, _)| *n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_times_and_weekdays() {
        assert_eq!(
            parse_date("2027-01-04"),
            NaiveDate::from_ymd_opt(2027, 1, 4)
        );
        assert_eq!(parse_date("2027-02-30"), None);
        assert_eq!(parse_date("2027-1-4"), None);
        assert_eq!(parse_date("+2027-01-04"), None);
        assert_eq!(parse_time("9:30"), NaiveTime::from_hms_opt(9, 30, 0));
        assert_eq!(parse_time("24:00"), None);
        assert_eq!(parse_time("10:00:00"), None);
        assert_eq!(parse_weekday("Monday"), Some(Weekday::Mon));
        assert_eq!(parse_weekday("THU"), Some(Weekday::Thu));
        assert_eq!(parse_weekday("mo"), None);
    }
}
