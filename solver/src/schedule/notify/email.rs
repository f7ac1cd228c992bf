//! Mailing a person the change to their own shifts: one plain-text message
//! per person and notification, times in the person's zone.

use std::time::Duration;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use lettre::message::{header::ContentType, Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{Message, SmtpTransport, Transport};

use super::deliver::Attempt;
use super::{EventKind, Notification};
use crate::model::notify::{Email, SmtpTls};
use crate::model::Workspace;
use crate::text::ics::ContentWriter;

/// How long one attempt may take: connecting, each command and reply.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);

/// A message ready to send.
#[derive(Clone, Debug)]
pub(super) struct Mail {
    /// The recipient.
    pub(super) to: Mailbox,
    /// The subject line.
    pub(super) subject: String,
    /// The plain-text body.
    pub(super) body: String,
    /// `Message-ID`, from the notification's id and the person's.
    pub(super) message_id: String,
    /// A calendar (`METHOD:PUBLISH`) of the shifts the person takes, when
    /// they take any.
    pub(super) calendar: Option<String>,
}

/// The shifts `person` takes in `n`, as an iCalendar `PUBLISH`, or `None`
/// when they take none.
fn calendar(ws: &Workspace, n: &Notification, person: &str) -> Option<String> {
    let taken: Vec<_> = n
        .changes
        .iter()
        .filter(|c| c.person == person && c.after.as_deref() == Some(person))
        .collect();
    if taken.is_empty() || n.event == EventKind::Reminder {
        return None;
    }
    let team = ws
        .team_by_id(&n.team)
        .map_or(n.team.as_str(), |t| ws.team(t).name.as_str());
    let mut w = ContentWriter::new();
    w.raw("BEGIN", "VCALENDAR");
    w.raw("VERSION", "2.0");
    w.raw("PRODID", "-//oncall//notifications//EN");
    w.raw("METHOD", "PUBLISH");
    for (k, c) in taken.iter().enumerate() {
        w.raw("BEGIN", "VEVENT");
        w.text("UID", &format!("{}-{person}-{k}@oncall", n.id));
        w.utc("DTSTAMP", n.at);
        w.utc("DTSTART", c.from);
        w.utc("DTEND", c.to);
        w.text("SUMMARY", &format!("On call: {team} {}", c.role));
        w.raw("END", "VEVENT");
    }
    w.raw("END", "VCALENDAR");
    Some(w.finish())
}

fn local(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%a %Y-%m-%d %H:%M").to_string()
}

/// The message to `person` about `n`, or why there is none.
pub(super) fn mail(
    ws: &Workspace,
    settings: &Email,
    n: &Notification,
    person: &str,
) -> Result<Mail, String> {
    let p = ws
        .person_by_id(person)
        .map(|i| ws.person(i))
        .ok_or_else(|| format!("{person} is no longer in people.csv; nothing was sent"))?;
    let name = if p.name.is_empty() { &p.id } else { &p.name };
    let to = format!("{name} <{}>", p.email.trim())
        .parse::<Mailbox>()
        .map_err(|e| format!("the e-mail address of {person} in people.csv cannot be used: {e}"))?;
    let tz = p.timezone;
    let what = match n.event {
        EventKind::Reminder => "begin soon".to_string(),
        e => format!("changed ({})", e.as_str()),
    };
    let mut body = format!(
        "Hello {name},\n\nyour on-call shifts in team {} {what}. Times are in {}.\n\n",
        n.team,
        tz.name()
    );
    for c in n.changes.iter().filter(|c| c.person == person) {
        let other = |o: &Option<String>| {
            let id = o.as_deref().unwrap_or("");
            let other = ws.person_by_id(id).map(|i| ws.person(i));
            other
                .map_or(if id.is_empty() { "nobody" } else { id }, |o| {
                    o.name.as_str()
                })
                .to_string()
        };
        let span = format!("{} {} to {}", c.role, local(c.from, tz), local(c.to, tz));
        let line = if n.event == EventKind::Reminder {
            format!("- reminder: you are on call for {span}\n")
        } else if c.after.as_deref() == Some(person) {
            format!("- you now hold {span} (before: {})\n", other(&c.before))
        } else {
            format!("- you no longer hold {span} (now: {})\n", other(&c.after))
        };
        body.push_str(&line);
    }
    body.push_str(&format!(
        "\nSee `oncall show {}` for the whole schedule.\n",
        n.team
    ));
    let domain = settings
        .from
        .rsplit_once('@')
        .map_or("oncall.invalid", |(_, d)| d.trim_end_matches('>'));
    Ok(Mail {
        to,
        subject: format!("[oncall] {}: your shifts {what}", n.team),
        body,
        message_id: format!("<{}.{person}@{domain}>", n.id),
        calendar: calendar(ws, n, person),
    })
}

/// Sends `m` through the server of `settings`.
pub(super) fn send(settings: &Email, m: &Mail) -> Attempt {
    let message = match build(settings, m) {
        Ok(msg) => msg,
        Err(e) => return Attempt::Permanent(e),
    };
    let transport = match transport(settings) {
        Ok(t) => t,
        Err(e) => return Attempt::Retry(e),
    };
    match transport.send(&message) {
        Ok(_) => Attempt::Delivered,
        Err(e) if e.is_permanent() => {
            Attempt::Permanent(format!("the SMTP server refused it: {e}"))
        }
        Err(e) => Attempt::Retry(format!("SMTP {}:{}: {e}", settings.host, settings.port)),
    }
}

fn build(settings: &Email, m: &Mail) -> Result<Message, String> {
    let from: Mailbox = settings
        .from
        .parse()
        .map_err(|e| format!("`from` in [notify.email] cannot be used: {e}"))?;
    let builder = Message::builder()
        .from(from)
        .to(m.to.clone())
        .subject(m.subject.clone())
        .message_id(Some(m.message_id.clone()))
        .date(std::time::SystemTime::from(crate::clock::now()));
    let built = match &m.calendar {
        None => builder.header(ContentType::TEXT_PLAIN).body(m.body.clone()),
        Some(ics) => {
            let kind = ContentType::parse("text/calendar; method=PUBLISH; charset=utf-8")
                .map_err(|e| format!("cannot build the message: {e}"))?;
            let attachment = Attachment::new("shifts.ics".to_string()).body(ics.clone(), kind);
            builder.multipart(
                MultiPart::mixed()
                    .singlepart(SinglePart::plain(m.body.clone()))
                    .singlepart(attachment),
            )
        }
    };
    built.map_err(|e| format!("cannot build the message: {e}"))
}

fn transport(settings: &Email) -> Result<SmtpTransport, String> {
    let tls = match settings.tls {
        SmtpTls::Off => Tls::None,
        SmtpTls::Required => Tls::Required(
            TlsParameters::new(settings.host.clone()).map_err(|e| format!("TLS: {e}"))?,
        ),
    };
    let mut b = SmtpTransport::builder_dangerous(settings.host.clone())
        .port(settings.port)
        .tls(tls)
        .timeout(Some(ATTEMPT_TIMEOUT));
    if let Some((user_var, pass_var)) = &settings.login_env {
        let var = |v: &str| {
            std::env::var(v).map_err(|_| {
                format!("[notify.email] logs in with ${v}, which is not set; export it")
            })
        };
        b = b.credentials(Credentials::new(var(user_var)?, var(pass_var)?));
    }
    Ok(b.build())
}
