//! One answer of the server, and HTTP caching: a strong `ETag` from the
//! body, `If-None-Match` answered with 304, `Last-Modified` and
//! `Cache-Control: private, max-age=300`.

use std::sync::Arc;

use axum::http::header::{
    CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH, LAST_MODIFIED, X_CONTENT_TYPE_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

/// What a request asks a link for.
#[derive(Clone, Debug)]
pub(crate) enum Asked {
    /// `calendar.ics`.
    Feed,
    /// `calendar.ics?for=grafana[&role=R]`: a team's feed for Grafana.
    Grafana(Option<String>),
    /// The schedule page.
    Page,
    /// `now.json`, at an instant or now.
    Now(Option<String>),
}

/// The id of the link a response answered, for the log.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LinkId(pub(crate) i64);

/// A body with what HTTP caching needs to know of it.
#[derive(Clone, Debug)]
pub(crate) struct Body {
    pub(crate) text: Arc<String>,
    pub(crate) content_type: &'static str,
    pub(crate) etag: String,
    pub(crate) last_modified: DateTime<Utc>,
}

impl Body {
    pub(crate) fn new(
        text: String,
        content_type: &'static str,
        last_modified: DateTime<Utc>,
    ) -> Self {
        let digest = Sha256::digest(text.as_bytes());
        let etag: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
        Body {
            text: Arc::new(text),
            content_type,
            etag: format!("\"{etag}\""),
            last_modified,
        }
    }
}

/// What the server answers.
#[derive(Clone, Debug)]
pub(crate) enum Answer {
    /// The body, for link `link`.
    Ok { body: Body, link: i64 },
    /// An unknown, revoked or malformed secret, or a route it does not grant.
    NotFound,
    /// A request the link grants, but malformed (a bad `?at=`).
    BadRequest(String),
}

impl Answer {
    pub(crate) fn not_found() -> Self {
        Answer::NotFound
    }

    /// The response to a request with `headers`.
    pub(crate) fn respond(self, headers: &HeaderMap) -> Response {
        match self {
            Answer::NotFound => plain(StatusCode::NOT_FOUND, "not found\n"),
            Answer::BadRequest(why) => plain(StatusCode::BAD_REQUEST, &format!("{why}\n")),
            Answer::Ok { body, link } => {
                let mut res = if matches(headers, &body.etag) {
                    StatusCode::NOT_MODIFIED.into_response()
                } else {
                    let mut r = body.text.as_str().to_owned().into_response();
                    set(&mut r, CONTENT_TYPE, body.content_type);
                    r
                };
                set(&mut res, ETAG, &body.etag);
                let lm = body
                    .last_modified
                    .format("%a, %d %b %Y %H:%M:%S GMT")
                    .to_string();
                set(&mut res, LAST_MODIFIED, &lm);
                set(&mut res, CACHE_CONTROL, "private, max-age=300");
                set(&mut res, X_CONTENT_TYPE_OPTIONS, "nosniff");
                res.extensions_mut().insert(LinkId(link));
                res
            }
        }
    }
}

fn plain(status: StatusCode, text: &str) -> Response {
    let mut r = (status, text.to_string()).into_response();
    set(&mut r, CONTENT_TYPE, "text/plain; charset=utf-8");
    r
}

fn set(r: &mut Response, name: axum::http::HeaderName, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        r.headers_mut().insert(name, v);
    }
}

/// Whether `If-None-Match` names `etag` (or is `*`); weak tags compare by
/// their value, as RFC 9110 says for `If-None-Match`.
fn matches(headers: &HeaderMap, etag: &str) -> bool {
    headers.get_all(IF_NONE_MATCH).iter().any(|v| {
        v.to_str().is_ok_and(|v| {
            v.split(',')
                .map(|t| t.trim().trim_start_matches("W/"))
                .any(|t| t == "*" || t == etag)
        })
    })
}
