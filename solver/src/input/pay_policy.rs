//! `[compensation]` in `oncall.toml`: the pay policy (docs/design.md §6).
//!
//! ```toml
//! [compensation]
//! currency = "USD"              # ISO 4217; amounts round to its minor unit
//! mode = "cash"                 # "cash" (default), "time_off" or "both"
//! [compensation.rates]          # per full on-call day, decimal strings
//! weekday = "50.00"
//! weekend = "100.00"
//! holiday = "150.00"
//! [compensation.roles]          # multiplier per role (a role not listed pays 1)
//! primary = 1.0
//! secondary = 0.5
//! [compensation.time_off]       # days off in lieu per full on-call day
//! weekend = 0.5
//! holiday = 1.0
//! [compensation.regions.DE]     # any of mode, rates, time_off, key by key
//! mode = "time_off"
//! [compensation.toil]           # optional: days off in lieu expire this many
//! expires_after_days = 90       # days after the end of the period that earned them
//! [compensation.incidents]      # optional pay per page, in the engineer's zone
//! business_hours = "09:00-18:00"
//! sleeping_hours = "22:00-07:00"
//! out_of_hours = "25.00"
//! sleeping = "50.00"
//! pay_when_not_on_call = false   # pages to someone off call are listed apart
//! ```
//!
//! Rates and incident amounts must be decimal strings (a TOML float cannot
//! hold money exactly); multipliers and days may be numbers or strings. A mode
//! that pays cash needs all three rates. Nothing may be negative or above
//! 1,000,000.

use std::collections::BTreeMap;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::Deserialize;
use toml::Spanned;

use super::context::Cx;
use super::parse::parse_time;
use super::source::Source;
use crate::input::suggest::did_you_mean;

/// The largest rate, multiplier, days off in lieu or incident amount
/// ([`super::limits::MAX_VALUE`]), so that pay arithmetic cannot overflow.
const MAX_PAY_VALUE: u32 = 1_000_000;
use crate::model::{
    ByDayKind, Compensation, DailyWindow, IncidentPay, PayMode, PayPolicy, PolicyVersion,
};
use chrono::NaiveDate;

const MODES: [(&str, PayMode); 3] = [
    ("cash", PayMode::Cash),
    ("time_off", PayMode::TimeOff),
    ("both", PayMode::Both),
];

/// A number as written: a string, an integer or a float.
#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum RawNumber {
    Text(String),
    Int(i64),
    Float(f64),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCompensation {
    currency: Option<Spanned<String>>,
    #[serde(default)]
    mode: Option<Spanned<String>>,
    #[serde(default)]
    rates: Option<Spanned<RawKinds>>,
    #[serde(default)]
    roles: BTreeMap<String, Spanned<RawNumber>>,
    #[serde(default)]
    time_off: Option<Spanned<RawKinds>>,
    #[serde(default)]
    regions: BTreeMap<Spanned<String>, RawRegion>,
    #[serde(default)]
    incidents: Option<Spanned<RawIncidents>>,
    #[serde(default)]
    toil: Option<RawToil>,
    #[serde(default)]
    versions: Vec<Spanned<RawVersion>>,
}

/// `[[compensation.versions]]`: from `effective` on, these keys replace the
/// version before's, key by key.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVersion {
    effective: Option<Spanned<toml::Value>>,
    #[serde(default)]
    mode: Option<Spanned<String>>,
    #[serde(default)]
    rates: Option<Spanned<RawKinds>>,
    #[serde(default)]
    roles: BTreeMap<String, Spanned<RawNumber>>,
    #[serde(default)]
    time_off: Option<Spanned<RawKinds>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawToil {
    #[serde(default)]
    expires_after_days: Option<Spanned<RawNumber>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawKinds {
    weekday: Option<Spanned<RawNumber>>,
    weekend: Option<Spanned<RawNumber>>,
    holiday: Option<Spanned<RawNumber>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRegion {
    #[serde(default)]
    mode: Option<Spanned<String>>,
    #[serde(default)]
    rates: Option<Spanned<RawKinds>>,
    #[serde(default)]
    time_off: Option<Spanned<RawKinds>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIncidents {
    #[serde(default)]
    business_hours: Option<Spanned<String>>,
    #[serde(default)]
    sleeping_hours: Option<Spanned<String>>,
    out_of_hours: Option<Spanned<RawNumber>>,
    sleeping: Option<Spanned<RawNumber>>,
    #[serde(default)]
    pay_when_not_on_call: bool,
}

/// Whether a value is money (a decimal string only) or a plain quantity.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Money,
    Quantity,
}

/// The policy of `[compensation]` itself, before regions override it.
#[derive(Clone, Copy)]
struct Base {
    policy: PayPolicy,
    /// Which of weekday, weekend and holiday rates were written.
    rates_given: [bool; 3],
    /// Whether the mode is known (or defaulted), so its rates can be judged.
    mode_known: bool,
}

impl Cx {
    /// Validates `[compensation]`; every problem is pushed as a diagnostic.
    pub(super) fn compensation(
        &mut self,
        src: &Source,
        table: &Spanned<RawCompensation>,
    ) -> Option<Compensation> {
        let raw = table.get_ref();
        let mut ok = true;
        let (currency, minor_units) = self.comp_currency(src, table, &mut ok);
        let base = self.base_policy(src, table, &mut ok);
        let regions = self.region_policies(src, raw, &base, &mut ok);
        let roles = self.role_multipliers(src, &raw.roles, &mut ok);
        let incidents = raw.incidents.as_ref().and_then(|i| {
            let pay = self.incidents(src, i);
            ok &= pay.is_some();
            pay
        });
        let expiry = raw
            .toil
            .as_ref()
            .and_then(|t| t.expires_after_days.as_ref());
        let toil_expires_after_days = expiry.and_then(|days| {
            let d = self.expiry_days(src, days);
            ok &= d.is_some();
            d
        });
        let versions = self.versions(src, raw, (&base, &roles), &mut ok);
        ok.then_some(Compensation {
            currency,
            minor_units,
            policy: base.policy,
            regions,
            roles,
            incidents,
            toil_expires_after_days,
            versions,
        })
    }

    /// Each `[[compensation.versions]]`, in date order: the version before
    /// it (the undated policy first) with the keys it writes replaced, and
    /// the regions' overrides applied on top again.
    fn versions(
        &mut self,
        src: &Source,
        raw: &RawCompensation,
        (base, roles): (&Base, &BTreeMap<String, Decimal>),
        ok: &mut bool,
    ) -> Vec<PolicyVersion> {
        let mut out: Vec<PolicyVersion> = Vec::new();
        let mut prev = *base;
        let mut prev_roles = roles.clone();
        for v in &raw.versions {
            let Some(effective) = self.effective(src, v, out.last().map(|p| p.effective), ok)
            else {
                continue;
            };
            let raw_v = v.get_ref();
            let mut next = prev;
            if let Some(m) = &raw_v.mode {
                let mode = self.mode(src, Some(m));
                *ok &= mode.is_some();
                next.policy.mode = mode.unwrap_or(next.policy.mode);
            }
            let (rates, days) = (raw_v.rates.as_ref(), raw_v.time_off.as_ref());
            *ok &= self.rates_and_days(src, (rates, days), &mut next.policy, &mut next.rates_given);
            let label = format!("[[compensation.versions]] effective {effective}");
            *ok &= self.rates_complete(src, v.span(), &label, next.policy.mode, next.rates_given);
            let mut roles = prev_roles.clone();
            roles.extend(self.role_multipliers(src, &raw_v.roles, ok));
            let regions = self.region_policies(src, raw, &next, ok);
            out.push(PolicyVersion {
                effective,
                policy: next.policy,
                regions,
                roles: roles.clone(),
            });
            (prev, prev_roles) = (next, roles);
        }
        out
    }

    /// A version's `effective` day, after the one before it.
    fn effective(
        &mut self,
        src: &Source,
        v: &Spanned<RawVersion>,
        before: Option<NaiveDate>,
        ok: &mut bool,
    ) -> Option<NaiveDate> {
        let Some(value) = &v.get_ref().effective else {
            self.push(
                src.at(
                    v.span(),
                    "a `[[compensation.versions]]` block has no `effective` date",
                )
                .help("add the first day it pays, e.g. `effective = \"2027-04-01\"`"),
            );
            *ok = false;
            return None;
        };
        let day = self.date(src, "effective", value);
        *ok &= day.is_some();
        let day = day?;
        if before.is_some_and(|b| day <= b) {
            self.push(
                src.at(
                    value.span(),
                    format!("`effective = {day}` is not after the version before it"),
                )
                .help("list `[[compensation.versions]]` blocks in date order, each on a later day"),
            );
            *ok = false;
            return None;
        }
        Some(day)
    }

    /// `currency`: an ISO 4217 code and its minor units.
    fn comp_currency(
        &mut self,
        src: &Source,
        table: &Spanned<RawCompensation>,
        ok: &mut bool,
    ) -> (String, u32) {
        let Some(c) = &table.get_ref().currency else {
            self.push(
                src.at(table.span(), "`[compensation]` has no `currency`")
                    .help("add an ISO 4217 code, e.g. `currency = \"USD\"`"),
            );
            *ok = false;
            return (String::new(), 0);
        };
        currency(c.get_ref()).unwrap_or_else(|(message, help)| {
            self.push(src.at(c.span(), message).help(help));
            *ok = false;
            (String::new(), 0)
        })
    }

    /// The mode, rates and days off in lieu of `[compensation]`.
    fn base_policy(
        &mut self,
        src: &Source,
        table: &Spanned<RawCompensation>,
        ok: &mut bool,
    ) -> Base {
        let raw = table.get_ref();
        let parsed = self.mode(src, raw.mode.as_ref());
        // An unknown mode is reported; its rates are then not checked.
        let mode_known = parsed.is_some() || raw.mode.is_none();
        *ok &= mode_known;
        let mut policy = PayPolicy {
            mode: parsed.unwrap_or_default(),
            ..PayPolicy::default()
        };
        let mut rates_given = [false; 3];
        let (rates, days) = (raw.rates.as_ref(), raw.time_off.as_ref());
        *ok &= self.rates_and_days(src, (rates, days), &mut policy, &mut rates_given);
        if mode_known {
            *ok &= self.rates_complete(
                src,
                table.span(),
                "[compensation]",
                policy.mode,
                rates_given,
            );
        }
        Base {
            policy,
            rates_given,
            mode_known,
        }
    }

    /// Each `[compensation.regions.R]`: the base policy, key by key overridden.
    fn region_policies(
        &mut self,
        src: &Source,
        raw: &RawCompensation,
        base: &Base,
        ok: &mut bool,
    ) -> BTreeMap<String, PayPolicy> {
        let mut regions = BTreeMap::new();
        for (name, region) in &raw.regions {
            let mut policy = base.policy;
            let mut given = base.rates_given;
            let mut mode_known = base.mode_known;
            if let Some(m) = &region.mode {
                let mode = self.mode(src, Some(m));
                mode_known = mode.is_some();
                *ok &= mode_known;
                policy.mode = mode.unwrap_or(policy.mode);
            }
            let (rates, days) = (region.rates.as_ref(), region.time_off.as_ref());
            *ok &= self.rates_and_days(src, (rates, days), &mut policy, &mut given);
            let label = format!("[compensation.regions.{}]", name.get_ref());
            if mode_known {
                *ok &= self.rates_complete(src, name.span(), &label, policy.mode, given);
            }
            regions.insert(name.get_ref().clone(), policy);
        }
        regions
    }

    /// Reads `rates` (money) and `time_off` (days) into `policy`, marking the
    /// rates written in `given`.
    fn rates_and_days(
        &mut self,
        src: &Source,
        (rates, days): (Option<&Spanned<RawKinds>>, Option<&Spanned<RawKinds>>),
        policy: &mut PayPolicy,
        given: &mut [bool; 3],
    ) -> bool {
        let mut ok = true;
        if let Some(r) = rates {
            ok &= self.kinds(
                src,
                r.get_ref(),
                "rate",
                Kind::Money,
                &mut policy.rates,
                given,
            );
        }
        let mut unused = [false; 3];
        if let Some(t) = days {
            let what = "days off in lieu";
            ok &= self.kinds(
                src,
                t.get_ref(),
                what,
                Kind::Quantity,
                &mut policy.time_off,
                &mut unused,
            );
        }
        ok
    }

    /// `[compensation.roles]`: each role's multiplier.
    fn role_multipliers(
        &mut self,
        src: &Source,
        raw: &BTreeMap<String, Spanned<RawNumber>>,
        ok: &mut bool,
    ) -> BTreeMap<String, Decimal> {
        let mut roles = BTreeMap::new();
        for (role, value) in raw {
            let what = format!("multiplier of role `{role}`");
            match self.number(src, value, &what, Kind::Quantity) {
                Some(m) => {
                    roles.insert(role.clone(), m);
                }
                None => *ok = false,
            }
        }
        roles
    }

    /// `[compensation.toil] expires_after_days`: a whole number of days, 1
    /// or more.
    fn expiry_days(&mut self, src: &Source, value: &Spanned<RawNumber>) -> Option<u32> {
        if let RawNumber::Int(n) = value.get_ref() {
            if let Some(days) = u32::try_from(*n).ok().filter(|d| *d >= 1) {
                return Some(days);
            }
        }
        self.push(
            src.at(
                value.span(),
                format!(
                    "`expires_after_days` must be a whole number of days, 1 or more, got {}",
                    match value.get_ref() {
                        RawNumber::Text(t) => format!("\"{t}\""),
                        RawNumber::Int(i) => i.to_string(),
                        RawNumber::Float(f) => f.to_string(),
                    }
                ),
            )
            .help("write e.g. `expires_after_days = 90`, or leave it out so days off in lieu never expire"),
        );
        None
    }

    fn mode(&mut self, src: &Source, mode: Option<&Spanned<String>>) -> Option<PayMode> {
        let m = mode?;
        let text = m.get_ref().trim();
        if let Some((_, mode)) = MODES.iter().find(|(n, _)| *n == text) {
            return Some(*mode);
        }
        let d = src.at(m.span(), format!("unknown pay mode `{text}`"));
        let d = match did_you_mean(text, MODES.iter().map(|(n, _)| *n)) {
            Some(s) => d.help(format!("did you mean `{s}`?")),
            None => d.help("use `cash`, `time_off` or `both`"),
        };
        self.push(d);
        None
    }

    /// Reads the keys given in `raw` into `into`, marking them in `given`.
    fn kinds(
        &mut self,
        src: &Source,
        raw: &RawKinds,
        what: &str,
        kind: Kind,
        into: &mut ByDayKind,
        given: &mut [bool; 3],
    ) -> bool {
        let mut ok = true;
        for (i, (name, value, slot)) in [
            ("weekday", &raw.weekday, &mut into.weekday),
            ("weekend", &raw.weekend, &mut into.weekend),
            ("holiday", &raw.holiday, &mut into.holiday),
        ]
        .into_iter()
        .enumerate()
        {
            let Some(v) = value else { continue };
            // A value given but wrong is reported once, not again as missing.
            given[i] = true;
            match self.number(src, v, &format!("{what} `{name}`"), kind) {
                Some(x) => *slot = x,
                None => ok = false,
            }
        }
        ok
    }

    /// A mode that pays cash needs every day rate.
    fn rates_complete(
        &mut self,
        src: &Source,
        span: std::ops::Range<usize>,
        label: &str,
        mode: PayMode,
        given: [bool; 3],
    ) -> bool {
        if !mode.pays_cash() {
            return true;
        }
        let missing: Vec<&str> = ["weekday", "weekend", "holiday"]
            .into_iter()
            .zip(given)
            .filter(|(_, g)| !g)
            .map(|(n, _)| n)
            .collect();
        if missing.is_empty() {
            return true;
        }
        let keys: Vec<String> = missing.iter().map(|k| format!("`{k}`")).collect();
        self.push(
            src.at(
                span,
                format!(
                    "{label} pays cash but has no day rate for {}",
                    keys.join(", ")
                ),
            )
            .help(format!(
                "add them under [compensation.rates] as decimal strings, e.g. `{} = \"50.00\"`",
                missing[0]
            )),
        );
        false
    }

    /// A decimal from 0 to [`MAX_PAY_VALUE`]; money must be written as a
    /// string.
    fn number(
        &mut self,
        src: &Source,
        value: &Spanned<RawNumber>,
        what: &str,
        kind: Kind,
    ) -> Option<Decimal> {
        let parsed = match value.get_ref() {
            RawNumber::Text(t) => Decimal::from_str(t.trim()).map_err(|_| {
                (
                    format!("{what} `{t}` is not a decimal number"),
                    "write it like \"50.00\"".to_string(),
                )
            }),
            RawNumber::Int(_) | RawNumber::Float(_) if kind == Kind::Money => Err((
                format!("{what} must be a decimal string"),
                format!(
                    "quote it so it stays exact, e.g. \"{}\"",
                    plain(value.get_ref())
                ),
            )),
            RawNumber::Int(i) => Ok(Decimal::from(*i)),
            RawNumber::Float(f) => {
                if f.is_finite() {
                    Decimal::from_str(&f.to_string()).map_err(|_| {
                        (
                            format!("{what} {f} is out of range"),
                            "use a smaller number".to_string(),
                        )
                    })
                } else {
                    Err((
                        format!("{what} must be a number, got {f}"),
                        "use a number such as 1.0".to_string(),
                    ))
                }
            }
        };
        match parsed {
            Ok(d) if d.is_sign_negative() && !d.is_zero() => {
                self.push(
                    src.at(value.span(), format!("{what} must be at least 0, got {d}"))
                        .help("on-call pay cannot be negative; use 0 or more"),
                );
                None
            }
            Ok(d) if d > Decimal::from(MAX_PAY_VALUE) => {
                self.push(
                    src.at(
                        value.span(),
                        format!("{what} must be from 0 to {MAX_PAY_VALUE}, got {d}"),
                    )
                    .help(
                        "amounts, multipliers and days off in lieu are bounded; check for a typo",
                    ),
                );
                None
            }
            Ok(d) => Some(d),
            Err((message, help)) => {
                self.push(src.at(value.span(), message).help(help));
                None
            }
        }
    }

    fn incidents(&mut self, src: &Source, raw: &Spanned<RawIncidents>) -> Option<IncidentPay> {
        let i = raw.get_ref();
        let mut window = |w: &Option<Spanned<String>>, default: DailyWindow| match w {
            None => Some(default),
            Some(text) => match parse_window(text.get_ref()) {
                Some(w) => Some(w),
                None => {
                    self.push(
                        src.at(
                            text.span(),
                            format!("invalid hours `{}`", text.get_ref()),
                        )
                        .help("write a daily window as \"HH:MM-HH:MM\", e.g. \"09:00-18:00\" or \"22:00-07:00\""),
                    );
                    None
                }
            },
        };
        let business = window(
            &i.business_hours,
            DailyWindow {
                start: hm(9),
                end: hm(18),
            },
        );
        let sleeping_hours = window(
            &i.sleeping_hours,
            DailyWindow {
                start: hm(22),
                end: hm(7),
            },
        );
        let mut amount = |v: &Option<Spanned<RawNumber>>, name: &str| match v {
            Some(v) => self.number(src, v, &format!("incident pay `{name}`"), Kind::Money),
            None => {
                self.push(
                    src.at(
                        raw.span(),
                        format!("[compensation.incidents] has no `{name}`"),
                    )
                    .help(format!("add `{name} = \"25.00\"` (use \"0\" for none)")),
                );
                None
            }
        };
        let out_of_hours = amount(&i.out_of_hours, "out_of_hours");
        let sleeping = amount(&i.sleeping, "sleeping");
        Some(IncidentPay {
            business_hours: business?,
            sleeping_hours: sleeping_hours?,
            out_of_hours: out_of_hours?,
            sleeping: sleeping?,
            pay_off_call: i.pay_when_not_on_call,
        })
    }
}

fn hm(h: u32) -> chrono::NaiveTime {
    chrono::NaiveTime::from_hms_opt(h, 0, 0).unwrap_or_default()
}

/// `HH:MM-HH:MM`; an empty window (same start and end) is refused.
fn parse_window(text: &str) -> Option<DailyWindow> {
    let (a, b) = text.split_once('-')?;
    let w = DailyWindow {
        start: parse_time(a)?,
        end: parse_time(b)?,
    };
    (w.start != w.end).then_some(w)
}

fn plain(n: &RawNumber) -> String {
    match n {
        RawNumber::Text(t) => t.clone(),
        RawNumber::Int(i) => format!("{i}.00"),
        RawNumber::Float(f) => format!("{f:.2}"),
    }
}

/// The ISO 4217 code and its minor unit.
fn currency(code: &str) -> Result<(String, u32), (String, String)> {
    let upper = code.trim().to_ascii_uppercase();
    match iso_currency::Currency::from_code(&upper) {
        Some(c) => match c.exponent() {
            Some(e) => Ok((c.code().to_string(), u32::from(e))),
            None => Err((
                format!("currency `{code}` has no minor unit to round to"),
                "use the currency people are paid in, e.g. `USD`, `EUR` or `JPY`".to_string(),
            )),
        },
        None => Err((
            format!("unknown currency `{code}`"),
            "use an ISO 4217 code such as `USD`, `EUR`, `GBP` or `JPY`".to_string(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn currencies_know_their_minor_unit() {
        assert_eq!(currency("USD"), Ok(("USD".to_string(), 2)));
        assert_eq!(currency("jpy"), Ok(("JPY".to_string(), 0)));
        assert_eq!(currency("BHD"), Ok(("BHD".to_string(), 3)));
        assert!(currency("USX").is_err());
        assert!(currency("XAU").is_err());
    }

    #[test]
    fn windows_may_wrap_midnight() {
        let w = parse_window("22:00-07:00").unwrap_or(DailyWindow {
            start: hm(0),
            end: hm(1),
        });
        assert!(w.contains(hm(23)));
        assert!(w.contains(hm(6)));
        assert!(!w.contains(hm(7)));
        assert!(!w.contains(hm(12)));
        assert!(parse_window("09:00-09:00").is_none());
        assert!(parse_window("9-17").is_none());
    }
}
