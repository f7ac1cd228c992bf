//! `oncall serve`: feeds, schedule pages and "who is on call now" over HTTP,
//! to holders of secret links. A thin shell: routing, HTTP caching and
//! logging here; every answer comes from the library.
//!
//! - `GET /healthz`: 200 when the workspace, the store and every team's
//!   published timeline can be read; else 503 with the reason.
//! - `GET /<secret>/calendar.ics`: a person link's feed (every team of the
//!   person), or a team link's feed.
//! - `GET /<secret>/`: a team link's schedule page.
//! - `GET /<secret>/now.json[?at=RFC3339]`: a team link's holders now.
//!
//! Anything else, an unknown or revoked secret, or one of the wrong shape,
//! is a plain 404 (405 for another method). Logs name a link by its id and
//! never print a secret.

mod answer;
mod cache;

use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result};
use axum::body::Body;
use axum::extract::{Path as UrlPath, Query, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::args::ServeArgs;
use crate::workspace::load;
use answer::{Answer, Asked, LinkId};
use cache::Server;

pub(crate) fn run(dir: &Path, args: ServeArgs) -> Result<ExitCode> {
    let ws = load(dir)?;
    if let Some(every) = args.sync_every {
        crate::sync::every(dir, every, &args.pagerduty_api_url)?;
    }
    if let Some(every) = args.notify_every {
        crate::notify::every(dir, every);
    }
    let server = Arc::new(Server::new(ws)?);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the server's runtime")?;
    runtime.block_on(serve(server, args))?;
    Ok(ExitCode::SUCCESS)
}

async fn serve(server: Arc<Server>, args: ServeArgs) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("cannot listen on {}", args.addr))?;
    let addr: SocketAddr = listener.local_addr()?;
    let base = args.base_url.unwrap_or_else(|| format!("http://{addr}"));
    eprintln!(
        "serving {} on http://{addr} (links print as {base}/...)",
        server.root()
    );
    if !addr.ip().is_loopback() {
        eprintln!("note: listening beyond loopback; serve it to others through a TLS proxy");
    }
    if let Ok(Some(at)) = oncall::clock::from_env() {
        eprintln!("note: ONCALL_NOW is set: the server acts as if it were {at} (unset it to follow the system clock)");
    }
    axum::serve(listener, router(server))
        .with_graceful_shutdown(shutdown())
        .await
        .context("the server failed")?;
    eprintln!("stopped");
    Ok(())
}

/// The routes, with the request log around them.
pub(crate) fn router(server: Arc<Server>) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/{secret}/calendar.ics", get(feed))
        .route("/{secret}/now.json", get(now))
        .route("/{secret}/", get(page))
        .fallback(not_found)
        .layer(middleware::from_fn(log))
        .with_state(server)
}

/// Resolves on SIGINT or SIGTERM; requests in flight finish.
async fn shutdown() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
}

async fn healthz(State(s): State<Arc<Server>>) -> Response {
    match tokio::task::spawn_blocking(move || s.health()).await {
        Ok(Ok(())) => (StatusCode::OK, "ok\n").into_response(),
        Ok(Err(e)) => {
            let reason = format!("unavailable: {e:#}\n");
            (StatusCode::SERVICE_UNAVAILABLE, reason).into_response()
        }
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable\n").into_response(),
    }
}

#[derive(serde::Deserialize)]
struct FeedQuery {
    #[serde(rename = "for")]
    for_: Option<String>,
    role: Option<String>,
}

async fn feed(
    s: State<Arc<Server>>,
    UrlPath(secret): UrlPath<String>,
    Query(q): Query<FeedQuery>,
    h: HeaderMap,
) -> Response {
    let asked = match q.for_.as_deref() {
        Some("grafana") => Asked::Grafana(q.role),
        _ => Asked::Feed,
    };
    answer(s, secret, asked, h).await
}

async fn page(s: State<Arc<Server>>, UrlPath(secret): UrlPath<String>, h: HeaderMap) -> Response {
    answer(s, secret, Asked::Page, h).await
}

#[derive(serde::Deserialize)]
struct AtQuery {
    at: Option<String>,
}

async fn now(
    s: State<Arc<Server>>,
    UrlPath(secret): UrlPath<String>,
    Query(q): Query<AtQuery>,
    h: HeaderMap,
) -> Response {
    answer(s, secret, Asked::Now(q.at), h).await
}

async fn answer(
    State(s): State<Arc<Server>>,
    secret: String,
    asked: Asked,
    h: HeaderMap,
) -> Response {
    let done = tokio::task::spawn_blocking(move || s.answer(&secret, &asked)).await;
    match done {
        Ok(Ok(a)) => a.respond(&h),
        Ok(Err(e)) => {
            eprintln!("error: {e:#}");
            (StatusCode::SERVICE_UNAVAILABLE, "unavailable\n").into_response()
        }
        Err(_) => (StatusCode::INTERNAL_SERVER_ERROR, "error\n").into_response(),
    }
}

async fn not_found() -> Response {
    Answer::not_found().respond(&HeaderMap::new())
}

/// One line per request: method, the path with its secret hidden, status,
/// link id and time taken.
async fn log(req: Request<Body>, next: Next) -> Response {
    let method = req.method().clone();
    let path = redacted(req.uri().path());
    let started = Instant::now();
    let res = next.run(req).await;
    let link = res
        .extensions()
        .get::<LinkId>()
        .map_or_else(|| "-".to_string(), |l| format!("#{}", l.0));
    eprintln!(
        "{method} {path} {} link={link} {:.1}ms",
        res.status().as_u16(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    res
}

/// `path` as logged: public routes as they are; otherwise the first
/// segment as `<secret>` and the rest only when it is a route's own name,
/// so a secret pasted anywhere in a path is never written out.
fn redacted(path: &str) -> String {
    let rest = path.trim_start_matches('/');
    if rest.is_empty() || rest == "healthz" {
        return format!("/{rest}");
    }
    match rest.split_once('/') {
        Some((_, tail)) if ["", "calendar.ics", "now.json"].contains(&tail) => {
            format!("/<secret>/{tail}")
        }
        Some(_) => "/<secret>/<other>".to_string(),
        None => "/<hidden>".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::redacted;

    #[test]
    fn logged_paths_never_hold_the_secret() {
        let secret = "ab".repeat(32);
        assert_eq!(
            redacted(&format!("/{secret}/calendar.ics")),
            "/<secret>/calendar.ics"
        );
        assert_eq!(redacted(&format!("/{secret}/")), "/<secret>/");
        assert_eq!(redacted(&format!("/{secret}")), "/<hidden>");
        assert_eq!(redacted("/healthz"), "/healthz");
        assert_eq!(redacted("/"), "/");
        assert_eq!(redacted(&format!("/x/{secret}")), "/<secret>/<other>");
        assert_eq!(redacted("/a\u{1b}[2J/b"), "/<secret>/<other>");
    }
}
