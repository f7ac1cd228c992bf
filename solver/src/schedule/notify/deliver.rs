//! Delivering the outbox: at least once, each delivery claimed under a
//! lease in an `IMMEDIATE` transaction so two deliverers never send the
//! same one, with exponential backoff and jitter between attempts.

use chrono::{DateTime, Duration, Utc};

use super::email::{self, Mail};
use super::webhook::{self, Request};
use super::{body, Notification};
use crate::model::notify::{Email, Webhook};
use crate::model::Workspace;
use crate::schedule::store::{NotifyRead, Store, StoreError};

/// How long a claim holds a delivery: longer than one bounded attempt, so
/// a live deliverer never loses it; after a crash the delivery is due
/// again once it runs out.
pub const LEASE: Duration = Duration::seconds(60);

/// The longest wait between two attempts; the attempt after a failure at
/// this wait is the last.
pub const MAX_BACKOFF: Duration = Duration::hours(6);

/// Where a delivery stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeliveryState {
    /// Waiting for its next attempt.
    Pending,
    /// Accepted by its channel.
    Delivered,
    /// Given up: refused for good, or out of attempts.
    Failed,
}

impl DeliveryState {
    /// The name in the store and in listings.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Delivered => "delivered",
            DeliveryState::Failed => "failed",
        }
    }

    /// The state named `name`.
    pub fn parse(name: &str) -> Option<DeliveryState> {
        [Self::Pending, Self::Delivered, Self::Failed]
            .into_iter()
            .find(|s| s.as_str() == name)
    }
}

/// One notification on its way to one channel.
#[derive(Clone, Debug, PartialEq)]
pub struct Delivery {
    /// The delivery's own id.
    pub id: i64,
    /// `webhook:<url>`, or `email:<person id>`.
    pub channel: String,
    /// Where it stands.
    pub state: DeliveryState,
    /// Attempts made so far.
    pub attempts: u32,
    /// When the next attempt is due.
    pub next_attempt_at: DateTime<Utc>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// What it delivers.
    pub notification: Notification,
}

/// How one attempt went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Attempt {
    /// Accepted (HTTP 2xx).
    Delivered,
    /// Failed for now (no answer, 408, 429, 5xx): try again later.
    Retry(String),
    /// Refused for good (any other answer, or a channel no longer set up).
    Permanent(String),
}

impl Attempt {
    /// What an HTTP status means for the delivery.
    pub fn of_status(code: u16) -> Attempt {
        match code {
            200..=299 => Attempt::Delivered,
            408 | 429 | 500..=599 => Attempt::Retry(format!("answered HTTP {code}")),
            _ => Attempt::Permanent(format!("answered HTTP {code}")),
        }
    }
}

/// What the store records after an attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Finish {
    /// Delivered.
    Delivered,
    /// Try again at `at`.
    Retry {
        /// When.
        at: DateTime<Utc>,
        /// Why this attempt failed.
        error: String,
    },
    /// Given up.
    Failed {
        /// Why.
        error: String,
    },
}

/// The wait after the `attempts`-th failed attempt, before jitter: 1 min,
/// 2, 4 ... doubling up to [`MAX_BACKOFF`]; `None` once a wait of
/// [`MAX_BACKOFF`] has been tried.
pub fn backoff(attempts: u32) -> Option<Duration> {
    let mut wait = Duration::minutes(1);
    for _ in 1..attempts {
        if wait >= MAX_BACKOFF {
            return None;
        }
        wait = (wait * 2).min(MAX_BACKOFF);
    }
    Some(wait)
}

/// The store's record of an attempt made at `now` after `before` earlier
/// ones: a retry waits [`backoff`] plus up to a tenth more, at random, so
/// deliverers that failed together do not retry together.
pub fn finish(attempt: Attempt, before: u32, now: DateTime<Utc>) -> Finish {
    match attempt {
        Attempt::Delivered => Finish::Delivered,
        Attempt::Permanent(error) => Finish::Failed { error },
        Attempt::Retry(error) => match backoff(before + 1) {
            Some(wait) => {
                let jitter = fastrand::i64(0..=wait.num_seconds() / 10);
                let at = now + wait + Duration::seconds(jitter);
                Finish::Retry { at, error }
            }
            None => Finish::Failed {
                error: format!("{error}; gave up after {} attempts", before + 1),
            },
        },
    }
}

/// What a deliverer sent, or would send.
#[derive(Clone, Debug, PartialEq)]
pub struct Sent {
    /// The delivery, as claimed.
    pub delivery: Delivery,
    /// The exact body.
    pub body: String,
    /// How it ended; `None` for a dry run.
    pub finish: Option<Finish>,
}

/// A delivery's webhook, when the channel is still configured.
fn hook_of<'w>(ws: &'w Workspace, channel: &str) -> Option<&'w Webhook> {
    let hooks = ws.org.notify.webhooks.iter();
    hooks.into_iter().find(|h| h.channel() == channel)
}

/// The request for `d`, or why none can be made.
fn request(ws: &Workspace, hook: &Webhook, d: &Delivery) -> Result<Request, String> {
    let json = body(ws, &d.notification);
    let body = webhook::body_for(hook, &json);
    let secret = webhook::secret(hook)?;
    Ok(Request {
        signature: secret.map(|s| webhook::signature(s.as_bytes(), body.as_bytes())),
        event: d.notification.event.as_str().to_string(),
        delivery: d.notification.id.clone(),
        body,
    })
}

/// What one delivery sends.
enum Job<'w> {
    Hook(&'w Webhook, Request),
    Mail(&'w Email, Mail),
}

impl Job<'_> {
    /// What is sent, as text: the body, or the message with its headers.
    fn text(&self) -> String {
        match self {
            Job::Hook(_, r) => r.body.clone(),
            Job::Mail(_, m) => format!(
                "To: {}\nSubject: {}\nMessage-ID: {}\n\n{}{}",
                m.to,
                m.subject,
                m.message_id,
                m.body,
                m.calendar
                    .as_ref()
                    .map_or(String::new(), |c| format!("\n[shifts.ics]\n{c}"))
            ),
        }
    }

    fn send(&self, client: &reqwest::blocking::Client) -> Attempt {
        match self {
            Job::Hook(h, r) => webhook::send(client, h, r),
            Job::Mail(settings, m) => email::send(settings, m),
        }
    }
}

/// What `d` sends, or how the attempt ends without sending.
fn prepare<'w>(ws: &'w Workspace, d: &Delivery) -> Result<Job<'w>, Attempt> {
    if let Some(person) = d.channel.strip_prefix("email:") {
        let Some(settings) = &ws.org.notify.email else {
            return Err(Attempt::Permanent(not_configured(&d.channel)));
        };
        let mail = email::mail(ws, settings, &d.notification, person);
        return mail
            .map(|m| Job::Mail(settings, m))
            .map_err(Attempt::Permanent);
    }
    let Some(hook) = hook_of(ws, &d.channel) else {
        return Err(Attempt::Permanent(not_configured(&d.channel)));
    };
    let req = request(ws, hook, d).map_err(Attempt::Retry)?;
    Ok(Job::Hook(hook, req))
}

/// Everything due now, with what it would send; nothing is claimed or
/// sent.
///
/// # Errors
/// The store cannot be read.
pub fn dry_run(ws: &Workspace, store: &Store) -> Result<Vec<Sent>, StoreError> {
    let due = store.read(|r| r.deliveries(DeliveryState::Pending, Some(crate::clock::now())))?;
    Ok(due
        .into_iter()
        .map(|delivery| {
            let body = match prepare(ws, &delivery) {
                Ok(job) => job.text(),
                Err(Attempt::Retry(e) | Attempt::Permanent(e)) => format!("(not sent: {e})"),
                Err(Attempt::Delivered) => String::new(),
            };
            Sent {
                delivery,
                body,
                finish: None,
            }
        })
        .collect())
}

/// The failed deliveries, oldest first.
///
/// # Errors
/// The store cannot be read.
pub fn failed(store: &Store) -> Result<Vec<Delivery>, StoreError> {
    store.read(|r| r.deliveries(DeliveryState::Failed, None))
}

/// A name for this deliverer in its leases: process id and a random part.
pub fn worker_name() -> String {
    format!("pid{}-{:08x}", std::process::id(), fastrand::u32(..))
}

/// Writes the reminders now due (see [`super::remind`]), then sends every
/// delivery due now, one at a time, each claimed first, and records how
/// each attempt went. Returns what was attempted.
///
/// # Errors
/// The store fails, or no HTTP client can be made.
pub fn once(ws: &Workspace, store: &mut Store) -> Result<Vec<Sent>, DeliverError> {
    super::remind(ws, store)?;
    super::expire(ws, store)?;
    let worker = worker_name();
    let client = webhook::client().map_err(DeliverError::Client)?;
    let mut out = Vec::new();
    while let Some(d) = store.write(|w| w.claim_delivery(&worker, w.now() + LEASE))? {
        let (body, attempt) = match prepare(ws, &d) {
            Ok(job) => (job.text(), job.send(&client)),
            Err(a) => (String::new(), a),
        };
        let f = finish(attempt, d.attempts, crate::clock::now());
        store.write(|w| w.finish_delivery(d.id, &worker, &f))?;
        out.push(Sent {
            delivery: d,
            body,
            finish: Some(f),
        });
    }
    Ok(out)
}

fn not_configured(channel: &str) -> String {
    format!(
        "{channel} is no longer in oncall.toml's [notify]; nothing was sent (add it back and \
         later notifications go to it)"
    )
}

/// Why delivering could not run at all.
#[derive(Debug, thiserror::Error)]
pub enum DeliverError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// No HTTP client.
    #[error("{0}")]
    Client(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_a_minute_to_six_hours_then_gives_up() {
        let waits: Vec<i64> = (1..=12)
            .map_while(backoff)
            .map(|w| w.num_minutes())
            .collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 32, 64, 128, 256, 360]);
        let now = DateTime::<Utc>::UNIX_EPOCH;
        let retry = finish(Attempt::Retry("x".into()), 0, now);
        let Finish::Retry { at, .. } = retry else {
            panic!("{retry:?}");
        };
        assert!(at >= now + Duration::minutes(1) && at <= now + Duration::seconds(66));
        let last = finish(Attempt::Retry("x".into()), 10, now);
        assert!(matches!(last, Finish::Failed { .. }), "{last:?}");
    }

    #[test]
    fn statuses_are_delivered_retried_or_refused_for_good() {
        assert_eq!(Attempt::of_status(204), Attempt::Delivered);
        for code in [408, 429, 500, 503] {
            assert!(
                matches!(Attempt::of_status(code), Attempt::Retry(_)),
                "{code}"
            );
        }
        for code in [301, 400, 401, 404, 410] {
            assert!(
                matches!(Attempt::of_status(code), Attempt::Permanent(_)),
                "{code}"
            );
        }
    }
}
