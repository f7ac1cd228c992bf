//! `oncall.toml`: the organisation's time zone, load weights, holidays and
//! pay policy (the pay policy itself is read in [`super::pay_policy`]).

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;
use serde::Deserialize;
use toml::Spanned;

use crate::input::calendar_policy::RawTimeOffSettings;
use crate::input::context::Cx;
use crate::input::limits::{in_range, MAX_VALUE};
use crate::input::notify::RawNotify;
use crate::input::parse::{parse_date, DATE_HELP};
use crate::input::pay_policy::RawCompensation;
use crate::input::source::Source;
use crate::model::{LoadWeights, Org};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOrg {
    timezone: Spanned<String>,
    #[serde(default)]
    load: Option<RawLoad>,
    #[serde(default)]
    holidays: BTreeMap<String, BTreeMap<Spanned<String>, String>>,
    #[serde(default)]
    compensation: Option<Spanned<RawCompensation>>,
    #[serde(default)]
    time_off: Option<RawTimeOffSettings>,
    #[serde(default)]
    notify: Option<RawNotify>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLoad {
    #[serde(default = "one")]
    weekday: Spanned<f64>,
    #[serde(default = "one_and_a_half")]
    weekend: Spanned<f64>,
    #[serde(default = "two")]
    holiday: Spanned<f64>,
}

impl Default for RawLoad {
    fn default() -> Self {
        RawLoad {
            weekday: one(),
            weekend: one_and_a_half(),
            holiday: two(),
        }
    }
}

fn one() -> Spanned<f64> {
    Spanned::new(0..0, LoadWeights::default().weekday)
}
fn one_and_a_half() -> Spanned<f64> {
    Spanned::new(0..0, LoadWeights::default().weekend)
}
fn two() -> Spanned<f64> {
    Spanned::new(0..0, LoadWeights::default().holiday)
}

/// A holiday region's days by date, each with its name.
type Holidays = BTreeMap<NaiveDate, String>;

impl Cx {
    /// Reads `oncall.toml`; `None` when it is missing or unusable.
    pub(super) fn org(&mut self) -> Option<Org> {
        let src = self.read(
            Path::new("oncall.toml"),
            Some("create oncall.toml with at least `timezone = \"America/Los_Angeles\"` (or run `oncall init DIR` for an example workspace)"),
        )?;
        let raw: RawOrg = self.parse_toml(&src)?;
        let timezone = self.zone(&src, &raw.timezone);
        let load = raw.load.unwrap_or_default();
        self.load_weights(&src, &load);
        let holidays = self.holidays(&src, raw.holidays);
        let compensation = raw
            .compensation
            .as_ref()
            .and_then(|c| self.compensation(&src, c));
        let calendar = self.calendar_policy(&src, raw.time_off);
        let notify = self.notify_settings(&src, raw.notify);
        Some(Org {
            timezone: timezone?,
            load: LoadWeights {
                weekday: *load.weekday.get_ref(),
                weekend: *load.weekend.get_ref(),
                holiday: *load.holiday.get_ref(),
            },
            holidays,
            compensation,
            calendar,
            notify,
        })
    }

    /// Diagnoses load weights that are negative, too large or not finite.
    fn load_weights(&mut self, src: &Source, load: &RawLoad) {
        for (name, w) in [
            ("weekday", &load.weekday),
            ("weekend", &load.weekend),
            ("holiday", &load.holiday),
        ] {
            let v = *w.get_ref();
            if !in_range(v, 0.0) {
                self.push(
                    src.at(
                        w.span(),
                        format!("load weight `{name}` must be from 0 to {MAX_VALUE}, got {v:?}"),
                    )
                    .help("a load weight multiplies on-call hours; use e.g. 1.0 or 1.5"),
                );
            }
        }
    }

    /// The holidays of each region; invalid dates are diagnosed and dropped.
    fn holidays(
        &mut self,
        src: &Source,
        raw: BTreeMap<String, BTreeMap<Spanned<String>, String>>,
    ) -> BTreeMap<String, Holidays> {
        let mut holidays = BTreeMap::new();
        for (region, days) in raw {
            let mut parsed = BTreeMap::new();
            for (date, name) in days {
                match parse_date(date.get_ref()) {
                    Some(d) => {
                        parsed.insert(d, name);
                    }
                    None => self.push(
                        src.at(
                            date.span(),
                            format!("invalid holiday date `{}`", date.get_ref()),
                        )
                        .help(DATE_HELP),
                    ),
                }
            }
            holidays.insert(region, parsed);
        }
        holidays
    }
}
