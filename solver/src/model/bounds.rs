//! The supported range of time: every instant the tool creates, reads or
//! stores lies in `[1900-01-01T00:00:00Z, 9999-12-01T00:00:00Z)`.
//!
//! Why these ends: before 1900 zones run on local mean time, which no
//! rotation needs; after 9999 an instant needs a five-digit year, which
//! RFC 3339 (the store's, the feeds' and the plan files' format) cannot
//! write. The upper end is a month short of year 10000, so that a handoff
//! date in any zone, and the week after it, still has a four-digit year.
//! The range is structural: `--force` never skips it.

use chrono::{DateTime, NaiveDate, Utc};

/// 1900-01-01T00:00:00Z, the first supported instant.
const FIRST: i64 = -2_208_988_800;
/// 9999-12-01T00:00:00Z, the first instant past the supported range.
const END: i64 = 253_399_622_400;

/// The supported range in words, for messages.
pub const RANGE_TEXT: &str = "1900-01-01 to 9999-11-30 (UTC)";

/// Whether `t` lies in the supported range.
pub fn instant_supported(t: DateTime<Utc>) -> bool {
    (FIRST..END).contains(&t.timestamp())
}

/// Whether a calendar date lies in the supported range (its midnight UTC
/// does).
pub fn date_supported(d: NaiveDate) -> bool {
    instant_supported(d.and_time(chrono::NaiveTime::MIN).and_utc())
}

/// An instant or date outside the supported range.
#[derive(Clone, Debug, thiserror::Error, PartialEq, Eq)]
#[error("{what} {value} is outside the supported time range {RANGE_TEXT}")]
pub struct OutOfSupportedRange {
    /// What the value is, e.g. `the last handoff`.
    pub what: String,
    /// The value as written.
    pub value: String,
}

/// `Ok` when `t` is supported, else an error naming `what`.
///
/// # Errors
/// `t` lies outside the supported range.
pub fn check_instant(what: &str, t: DateTime<Utc>) -> Result<(), OutOfSupportedRange> {
    if instant_supported(t) {
        Ok(())
    } else {
        Err(OutOfSupportedRange {
            what: what.to_string(),
            value: t.to_rfc3339(),
        })
    }
}

/// `Ok` when `d` is supported, else an error naming `what`.
///
/// # Errors
/// `d` lies outside the supported range.
pub fn check_date(what: &str, d: NaiveDate) -> Result<(), OutOfSupportedRange> {
    if date_supported(d) {
        Ok(())
    } else {
        Err(OutOfSupportedRange {
            what: what.to_string(),
            value: d.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_ends_are_the_documented_instants() {
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().to_utc();
        assert!(instant_supported(at("1900-01-01T00:00:00Z")));
        assert!(!instant_supported(at("1899-12-31T23:59:59Z")));
        assert!(instant_supported(at("9999-11-30T23:59:59Z")));
        assert!(!instant_supported(at("9999-12-01T00:00:00Z")));
        assert!(date_supported("9999-11-30".parse().unwrap()));
        assert!(!date_supported("9999-12-01".parse().unwrap()));
    }
}
