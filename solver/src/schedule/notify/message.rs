//! What a notification says: the JSON body and the one-paragraph text.
//! Only person ids and names appear, never contact details.

use std::collections::BTreeSet;

use chrono::{DateTime, SecondsFormat, Utc};
use chrono_tz::Tz;
use serde_json::{json, Value};

use super::{Notification, SpanChange};
use crate::model::Workspace;

/// How many stretches the text lists before it says how many more there are.
const TEXT_LINES: usize = 12;

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A person's name as `ws` knows it, else their id.
fn name<'a>(ws: &'a Workspace, id: &'a str) -> &'a str {
    let person = ws.person_by_id(id).map(|p| ws.person(p));
    person.map_or(id, |p| if p.name.is_empty() { id } else { &p.name })
}

/// The name of the holder `p`, or `nobody`.
fn who<'a>(ws: &'a Workspace, p: &'a Option<String>) -> &'a str {
    p.as_deref().map_or("nobody", |p| name(ws, p))
}

/// The zone times are written in: the team's, else the organisation's.
fn zone(ws: &Workspace, team: &str) -> Tz {
    ws.team_by_id(team)
        .map_or(ws.org.timezone, |t| ws.team(t).timezone)
}

/// The JSON body of `n` (docs/notifications.md).
pub fn body(ws: &Workspace, n: &Notification) -> Value {
    let people: Vec<Value> = n
        .people
        .iter()
        .map(|p| json!({"id": p, "name": name(ws, p)}))
        .collect();
    let changes: Vec<Value> = n
        .changes
        .iter()
        .map(|c| {
            json!({"person": c.person, "role": c.role, "from": rfc3339(c.from),
                   "to": rfc3339(c.to), "before": c.before, "after": c.after})
        })
        .collect();
    json!({
        "id": n.id, "event": n.event.as_str(), "team": n.team, "at": rfc3339(n.at),
        "offer": n.offer,
        "period": n.period.map(|(a, b)| json!({"from": a.to_string(), "to": b.to_string()})),
        "people": people, "changes": changes, "text": text(ws, n),
    })
}

/// `n` in words, times in the team's zone.
pub fn text(ws: &Workspace, n: &Notification) -> String {
    if let Some(offer) = n.offer {
        let people: Vec<&str> = n.people.iter().map(|p| name(ws, p)).collect();
        let what = n.event.as_str().trim_start_matches("offer-");
        return format!(
            "{}: offer #{offer} {what}; it concerns {} (see `oncall offers {}`)",
            n.team,
            people.join(", "),
            n.team
        );
    }
    if let Some((from, to)) = n.period {
        let people: Vec<&str> = n.people.iter().map(|p| name(ws, p)).collect();
        return format!(
            "{}: pay period {from} to {to} closed; it pays {}",
            n.team,
            people.join(", ")
        );
    }
    let tz = zone(ws, &n.team);
    if n.event == super::EventKind::Reminder {
        let shifts = n
            .changes
            .iter()
            .filter(|c| c.after.as_deref() == Some(c.person.as_str()));
        let lines: Vec<String> = shifts
            .map(|c| {
                format!(
                    "{}: reminder: {} is on call for {} from {} to {} ({})",
                    n.team,
                    name(ws, &c.person),
                    c.role,
                    c.from.with_timezone(&tz).format("%a %Y-%m-%d %H:%M"),
                    c.to.with_timezone(&tz).format("%a %Y-%m-%d %H:%M"),
                    tz.name()
                )
            })
            .collect();
        return lines.join("\n");
    }
    // Each stretch is listed once per person; say it once.
    let stretches: BTreeSet<(DateTime<Utc>, &str, &SpanChange)> = n
        .changes
        .iter()
        .filter(|c| c.after.as_deref().or(c.before.as_deref()) == Some(c.person.as_str()))
        .map(|c| (c.from, c.role.as_str(), c))
        .collect();
    let mut out = format!(
        "{}: {} changed {} stretch{} (times {}):",
        n.team,
        n.event.as_str(),
        stretches.len(),
        if stretches.len() == 1 { "" } else { "es" },
        tz.name()
    );
    for (_, _, c) in stretches.iter().take(TEXT_LINES) {
        out.push_str(&format!(
            "\n- {} {} to {}: {} -> {}",
            c.role,
            c.from.with_timezone(&tz).format("%a %Y-%m-%d %H:%M"),
            c.to.with_timezone(&tz).format("%a %Y-%m-%d %H:%M"),
            who(ws, &c.before),
            who(ws, &c.after)
        ));
    }
    if stretches.len() > TEXT_LINES {
        out.push_str(&format!("\n- and {} more", stretches.len() - TEXT_LINES));
    }
    out
}
