//! [`Pager`] over PagerDuty's REST API v2 (schedule overrides and users).
//!
//! Every request carries `Authorization: Token token=…` and
//! `Accept: application/vnd.pagerduty+json;version=2`. A 429 or 5xx answer
//! (or a failed connection) is retried with a doubling wait, or the wait
//! its `Retry-After` asks, until [`PagerDuty::max_wait`] is used up. A 401
//! or 403 stops at once. The token is never written anywhere.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use chrono::{DateTime, SecondsFormat, Utc};
use reqwest::blocking::{Client, Response};
use reqwest::Method;
use serde_json::{json, Value};

use super::{Existing, NewOverride, Pager, PagerError};

/// PagerDuty's public API.
pub const API_URL: &str = "https://api.pagerduty.com";

/// The `Accept` header that selects version 2 of the API.
pub const ACCEPT: &str = "application/vnd.pagerduty+json;version=2";

/// A PagerDuty account, reached with one API token.
pub struct PagerDuty {
    client: Client,
    base: String,
    token: String,
    /// User id (or why there is none) by e-mail address, for this run.
    users: HashMap<String, Result<String, String>>,
    /// The longest a request may spend waiting to retry.
    pub max_wait: Duration,
}

impl std::fmt::Debug for PagerDuty {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PagerDuty")
            .field("base", &self.base)
            .field("token", &"<hidden>")
            .finish_non_exhaustive()
    }
}

impl PagerDuty {
    /// A client of the API at `base` (e.g. [`API_URL`]) with `token`.
    ///
    /// # Errors
    /// The HTTP client cannot be built.
    pub fn new(base: &str, token: String) -> Result<Self, PagerError> {
        if base.starts_with("https:") && !cfg!(feature = "tls") {
            return Err(PagerError::Failed(format!(
                "this oncall was built without HTTPS, so it cannot reach {base}: \
                 build it with its default features (the `tls` feature)"
            )));
        }
        let client = Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| PagerError::Failed(format!("cannot start an HTTP client: {e}")))?;
        Ok(PagerDuty {
            client,
            base: base.trim_end_matches('/').to_string(),
            token,
            users: HashMap::new(),
            max_wait: Duration::from_secs(60),
        })
    }

    /// Sends one request, retrying as the module says, and returns the
    /// answer's status and JSON body (`null` when empty).
    fn send(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<(u16, Value), PagerError> {
        let started = Instant::now();
        let mut backoff = Duration::from_millis(250);
        loop {
            let mut req = self
                .client
                .request(method.clone(), format!("{}{path}", self.base))
                .header("Authorization", format!("Token token={}", self.token))
                .header("Accept", ACCEPT)
                .header("Content-Type", "application/json")
                .query(query);
            if let Some(b) = body {
                req = req.body(b.to_string());
            }
            let wait = match req.send() {
                Ok(resp) => match resp.status().as_u16() {
                    401 | 403 => {
                        return Err(PagerError::Refused {
                            vendor: "PagerDuty",
                            status: resp.status().as_u16(),
                        })
                    }
                    429 | 500..=599 => retry_after(&resp).unwrap_or(backoff),
                    status => return Ok((status, read_json(resp)?)),
                },
                Err(e) if e.is_connect() || e.is_timeout() => backoff,
                Err(e) => {
                    return Err(PagerError::Failed(format!(
                        "PagerDuty {method} {path}: {e}"
                    )))
                }
            };
            if started.elapsed() + wait > self.max_wait {
                return Err(PagerError::Failed(format!(
                    "PagerDuty {method} {path}: still busy or failing after {}s of retries",
                    started.elapsed().as_secs()
                )));
            }
            std::thread::sleep(wait);
            backoff = (backoff * 2).min(Duration::from_secs(30));
        }
    }

    /// [`PagerDuty::send`], where any status but 2xx is a failure.
    fn send_ok(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<Value, PagerError> {
        let (status, value) = self.send(method.clone(), path, query, body)?;
        if (200..300).contains(&status) {
            return Ok(value);
        }
        Err(PagerError::Failed(format!(
            "PagerDuty {method} {path} answered HTTP {status}: {}",
            error_message(&value)
        )))
    }
}

fn retry_after(resp: &Response) -> Option<Duration> {
    let secs: u64 = resp
        .headers()
        .get("Retry-After")?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs(secs.min(300)))
}

fn read_json(resp: Response) -> Result<Value, PagerError> {
    let text = resp
        .text()
        .map_err(|e| PagerError::Failed(format!("PagerDuty's answer could not be read: {e}")))?;
    if text.trim().is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_str(&text)
        .map_err(|e| PagerError::Failed(format!("PagerDuty's answer is not JSON: {e}")))
}

fn error_message(v: &Value) -> String {
    v.pointer("/error/message")
        .and_then(Value::as_str)
        .unwrap_or("no explanation given")
        .to_string()
}

fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, false)
}

fn instant(v: &Value, key: &str) -> Result<DateTime<Utc>, PagerError> {
    let text = v.get(key).and_then(Value::as_str).unwrap_or_default();
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            PagerError::Failed(format!(
                "PagerDuty sent an override with `{key}` = {text:?}"
            ))
        })
}

/// One override of a list or create answer.
fn existing(v: &Value) -> Result<Existing, PagerError> {
    let text = |p: &str| {
        v.pointer(p)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    Ok(Existing {
        start: instant(v, "start")?,
        end: instant(v, "end")?,
        user: text("/user/id"),
        id: text("/id"),
    })
}

impl Pager for PagerDuty {
    fn vendor(&self) -> &'static str {
        "pagerduty"
    }

    fn find_user(&mut self, email: &str) -> Result<String, PagerError> {
        let key = email.to_lowercase();
        if let Some(found) = self.users.get(&key) {
            return found.clone().map_err(PagerError::User);
        }
        let answer = self.send_ok(Method::GET, "/users", &[("query", email.to_string())], None)?;
        let users = answer
            .get("users")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let ids: Vec<String> = users
            .iter()
            .filter(|u| {
                u.get("email")
                    .and_then(Value::as_str)
                    .is_some_and(|e| e.eq_ignore_ascii_case(email))
            })
            .filter_map(|u| u.get("id").and_then(Value::as_str).map(str::to_string))
            .collect();
        let found = match ids.as_slice() {
            [one] => Ok(one.clone()),
            [] => Err("no PagerDuty user has their e-mail address".to_string()),
            _ => Err(format!(
                "{} PagerDuty users have their e-mail address",
                ids.len()
            )),
        };
        self.users.insert(key, found.clone());
        found.map_err(PagerError::User)
    }

    fn overrides(
        &mut self,
        schedule: &str,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<Existing>, PagerError> {
        let path = format!("/schedules/{schedule}/overrides");
        let query = [("since", stamp(since)), ("until", stamp(until))];
        let answer = self.send_ok(Method::GET, &path, &query, None)?;
        answer
            .get("overrides")
            .and_then(Value::as_array)
            .map(|list| list.iter().map(existing).collect())
            .unwrap_or_else(|| {
                Err(PagerError::Failed(format!(
                    "PagerDuty GET {path}: no `overrides` in the answer"
                )))
            })
    }

    fn create(
        &mut self,
        schedule: &str,
        overrides: &[NewOverride],
    ) -> Result<Vec<Result<String, String>>, PagerError> {
        let path = format!("/schedules/{schedule}/overrides");
        let list: Vec<Value> = overrides
            .iter()
            .map(|o| {
                json!({
                    "start": stamp(o.start),
                    "end": stamp(o.end),
                    "user": {"id": o.user, "type": "user_reference"},
                })
            })
            .collect();
        let body = json!({ "overrides": list });
        let answer = self.send_ok(Method::POST, &path, &[], Some(&body))?;
        let results = answer.as_array().cloned().unwrap_or_default();
        Ok((0..overrides.len())
            .map(|i| match results.get(i) {
                None => Err("PagerDuty did not answer for it".to_string()),
                Some(r) if r.get("status").and_then(Value::as_u64) == Some(201) => r
                    .pointer("/override/id")
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .ok_or_else(|| "PagerDuty gave no id".to_string()),
                Some(r) => Err(r
                    .get("errors")
                    .and_then(Value::as_array)
                    .map(|e| {
                        e.iter()
                            .filter_map(Value::as_str)
                            .collect::<Vec<_>>()
                            .join("; ")
                    })
                    .unwrap_or_else(|| "rejected".to_string())),
            })
            .collect())
    }

    fn delete(&mut self, schedule: &str, id: &str) -> Result<(), PagerError> {
        if !id.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(PagerError::Failed(format!(
                "PagerDuty override id {id:?} is not an id"
            )));
        }
        let path = format!("/schedules/{schedule}/overrides/{id}");
        match self.send(Method::DELETE, &path, &[], None)? {
            (200..=299 | 404, _) => Ok(()),
            (status, v) => Err(PagerError::Failed(format!(
                "PagerDuty DELETE {path} answered HTTP {status}: {}",
                error_message(&v)
            ))),
        }
    }
}
