//! The one place the library asks what time it is.
//!
//! Every decision that depends on the present (an offer expires when its
//! span begins, a change to a shift that has started is refused, `who`
//! without `--at`) reads [`now`]. Setting `ONCALL_NOW` to an RFC 3339
//! instant makes the whole tool act as if it were that moment: to rehearse
//! a change before the quarter starts, to replay an incident, and so the
//! tests and the documentation's examples stay true as real time passes.
//! Nothing is ever recorded under a pretended identity: the clock is the
//! only thing it moves. See docs/design.md §10.

use chrono::{DateTime, Utc};

/// The environment variable that sets the clock.
pub const NOW_VAR: &str = "ONCALL_NOW";

/// The present: `ONCALL_NOW` when it is set to an RFC 3339 instant, else
/// the system clock. A value that does not parse is ignored here; shells
/// call [`from_env`] first to refuse it with a clear message.
#[must_use]
pub fn now() -> DateTime<Utc> {
    from_env().ok().flatten().unwrap_or_else(Utc::now)
}

/// The instant `ONCALL_NOW` sets, if any.
///
/// # Errors
/// The variable is set but is not an RFC 3339 instant; the message says
/// what was found and what is expected.
pub fn from_env() -> Result<Option<DateTime<Utc>>, String> {
    let Some(raw) = std::env::var_os(NOW_VAR) else {
        return Ok(None);
    };
    let text = raw.to_string_lossy();
    DateTime::parse_from_rfc3339(text.trim())
        .map(|t| Some(t.with_timezone(&Utc)))
        .map_err(|e| {
            format!(
                "{NOW_VAR}=`{}` is not an instant ({e}); write it like \
                 2027-01-13T09:00:00+01:00, or unset it to use the system clock",
                text.escape_debug()
            )
        })
}
