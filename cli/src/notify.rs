//! `oncall notify`: deliver the notification outbox (docs/notifications.md).

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use oncall::schedule::notify::deliver::{self, DeliverError, Delivery, Finish, Sent};
use oncall::schedule::service::has_store;
use oncall::schedule::store::Store;
use oncall::text::terminal::escape_lines;

use crate::args::NotifyArgs;
use crate::render::terminal;
use crate::workspace::load;

pub(crate) fn run(dir: &Path, args: &NotifyArgs) -> Result<ExitCode> {
    let ws = load(dir)?;
    if !args.once && !has_store(dir) {
        print!(
            "{}",
            if args.failed {
                render_failed(&[])
            } else {
                render_dry_run(&[])
            }
        );
        return Ok(ExitCode::SUCCESS);
    }
    if args.failed {
        let failed = deliver::failed(&Store::open_read_only(dir)?)?;
        print!("{}", render_failed(&failed));
        return Ok(ExitCode::SUCCESS);
    }
    if args.dry_run {
        let due = deliver::dry_run(&ws, &Store::open_read_only(dir)?)?;
        print!("{}", render_dry_run(&due));
        return Ok(ExitCode::SUCCESS);
    }
    let sent = once(&ws, dir)?;
    print!("{}", render_sent(&sent));
    let gave_up = sent
        .iter()
        .any(|s| matches!(s.finish, Some(Finish::Failed { .. })));
    Ok(if gave_up {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// [`deliver::once`], with a store failure kept as one (exit 3).
fn once(ws: &oncall::model::Workspace, dir: &Path) -> Result<Vec<Sent>> {
    deliver::once(
        ws,
        &mut Store::open(dir)?.acting_as(crate::workspace::actor()),
    )
    .map_err(|e| match e {
        DeliverError::Store(s) => anyhow::Error::from(s),
        other => anyhow::Error::from(other),
    })
}

/// Delivers notifications every `period` in a background thread, printing
/// what each round attempted; a failed round is reported and tried again.
pub(crate) fn every(dir: &Path, period: std::time::Duration) {
    let dir = dir.to_path_buf();
    std::thread::spawn(move || loop {
        let round = load(&dir).and_then(|ws| once(&ws, &dir));
        match round {
            Ok(sent) if sent.is_empty() => {}
            Ok(sent) => eprint!("notify: {}", render_sent(&sent)),
            Err(e) => eprintln!("notify: error: {e:#}"),
        }
        std::thread::sleep(period);
    });
}

fn head(d: &Delivery) -> String {
    format!(
        "{} ({} {}) to {}",
        d.notification.id,
        terminal(&d.notification.team),
        d.notification.event.as_str(),
        terminal(&d.channel)
    )
}

fn render_sent(sent: &[Sent]) -> String {
    let mut out = String::new();
    for s in sent {
        let line = match &s.finish {
            Some(Finish::Delivered) | None => format!("delivered {}", head(&s.delivery)),
            Some(Finish::Retry { at, error }) => format!(
                "retry {} at {}: {}",
                head(&s.delivery),
                at.to_rfc3339(),
                escape_lines(error)
            ),
            Some(Finish::Failed { error }) => {
                format!("failed {}: {}", head(&s.delivery), escape_lines(error))
            }
        };
        out.push_str(&line);
        out.push('\n');
    }
    out.push_str(&format!("{} delivery attempt(s)\n", sent.len()));
    out
}

fn render_dry_run(due: &[Sent]) -> String {
    let mut out = String::new();
    for s in due {
        out.push_str(&format!(
            "would send {}:\n{}\n",
            head(&s.delivery),
            escape_lines(&s.body)
        ));
    }
    out.push_str(&format!("{} delivery(ies) due\n", due.len()));
    out
}

fn render_failed(failed: &[Delivery]) -> String {
    let mut out = String::new();
    for d in failed {
        out.push_str(&format!(
            "failed {} after {} attempt(s): {}\n",
            head(d),
            d.attempts,
            escape_lines(d.last_error.as_deref().unwrap_or(""))
        ));
    }
    out.push_str(&format!("{} failed delivery(ies)\n", failed.len()));
    out
}
