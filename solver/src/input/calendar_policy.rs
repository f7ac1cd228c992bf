//! `[time_off.calendar]` in `oncall.toml`: which events of a
//! `time-off/<person>.ics` calendar are time off.
//!
//! ```toml
//! [time_off.calendar]
//! count = "out-of-office"   # "all" (default), "all-day" or "out-of-office"
//! words = ["vacation", "PTO", "OOO", "holiday", "leave"]
//! timed = "day"             # the only value: a timed event blocks the local days it touches
//! strict = false            # true: an event that cannot be read fails the load
//! ```

use serde::Deserialize;
use toml::Spanned;

use crate::input::context::Cx;
use crate::input::parse::backticked;
use crate::input::source::Source;
use crate::input::suggest::did_you_mean;
use crate::model::{CalendarCount, CalendarPolicy};

/// `[time_off]` in `oncall.toml`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTimeOffSettings {
    #[serde(default)]
    calendar: Option<RawCalendarPolicy>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCalendarPolicy {
    #[serde(default)]
    count: Option<Spanned<String>>,
    #[serde(default)]
    words: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    timed: Option<Spanned<String>>,
    #[serde(default)]
    strict: Option<bool>,
}

const COUNTS: [(&str, CalendarCount); 3] = [
    ("all", CalendarCount::All),
    ("all-day", CalendarCount::AllDay),
    ("out-of-office", CalendarCount::OutOfOffice),
];

impl Cx {
    /// The calendar policy; problems are diagnosed and the default kept.
    pub(super) fn calendar_policy(
        &mut self,
        src: &Source,
        raw: Option<RawTimeOffSettings>,
    ) -> CalendarPolicy {
        let mut policy = CalendarPolicy::default();
        let Some(raw) = raw.and_then(|r| r.calendar) else {
            return policy;
        };
        if let Some(count) = &raw.count {
            policy.count = self.calendar_count(src, count).unwrap_or_default();
        }
        if let Some(words) = raw.words {
            policy.words = self.calendar_words(src, words);
        }
        if let Some(timed) = &raw.timed {
            self.calendar_timed(src, timed);
        }
        policy.strict = raw.strict.unwrap_or(false);
        policy
    }

    fn calendar_count(&mut self, src: &Source, value: &Spanned<String>) -> Option<CalendarCount> {
        let v = value.get_ref().trim();
        if let Some((_, c)) = COUNTS.iter().find(|(n, _)| n.eq_ignore_ascii_case(v)) {
            return Some(*c);
        }
        let names: Vec<&str> = COUNTS.iter().map(|(n, _)| *n).collect();
        let help = match did_you_mean(v, names.iter().copied()) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("use one of {}", backticked(&names)),
        };
        self.push(
            src.at(value.span(), format!("unknown calendar `count` `{v}`"))
                .help(help),
        );
        None
    }

    fn calendar_words(&mut self, src: &Source, words: Vec<Spanned<String>>) -> Vec<String> {
        let mut out = Vec::new();
        for w in words {
            let word = w.get_ref().trim();
            if word.is_empty() {
                self.push(
                    src.at(w.span(), "an empty word in calendar `words`")
                        .help("remove it; an empty word would match every event"),
                );
            } else {
                out.push(word.to_string());
            }
        }
        out
    }

    /// Only `"day"`: time off is kept in whole days.
    fn calendar_timed(&mut self, src: &Source, value: &Spanned<String>) {
        let v = value.get_ref().trim();
        if v.eq_ignore_ascii_case("day") {
            return;
        }
        let message = if v.eq_ignore_ascii_case("hours") {
            "calendar `timed = \"hours\"` is not supported: time off is kept in whole days"
                .to_string()
        } else {
            format!("unknown calendar `timed` `{v}`")
        };
        self.push(src.at(value.span(), message).help(
            "use `timed = \"day\"` (a timed event blocks every local day it touches), \
             or leave `timed` out; cover a few hours with an override instead",
        ));
    }
}
