//! A team's schedule page as one self-contained HTML document: no script,
//! nothing fetched from elsewhere, every text escaped by the template.

use anyhow::Result;
use askama::Template;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use oncall::view::page::{PageLoad, Stretch, TeamPage};

#[derive(Template)]
#[template(path = "page.html")]
struct Html {
    name: String,
    at: String,
    zone: String,
    now: Vec<NowCard>,
    chain: Vec<String>,
    roles: Vec<String>,
    weeks: Vec<WeekRow>,
    horizon: String,
    chart_w: u32,
    chart_h: u32,
    label_x: u32,
    bar_x: u32,
    bars: Vec<Bar>,
    time_off: Vec<String>,
    not_eligible: Vec<String>,
}

struct NowCard {
    role: String,
    who: String,
    detail: String,
    runbook: String,
}

struct WeekRow {
    week: String,
    cells: Vec<Vec<Held>>,
}

struct Held {
    who: String,
    note: String,
    is_override: bool,
    needs_cover: String,
}

struct Bar {
    name: String,
    y: u32,
    text_y: u32,
    width: String,
    fill: &'static str,
    share_x: String,
    share_y1: u32,
    share_y2: u32,
    value_x: String,
    value: String,
    title: String,
}

const LABEL_W: u32 = 150;
const PLOT_W: u32 = 440;
const ROW_H: u32 = 26;
/// Room right of the longest bar for its `load / share` label.
const VALUE_W: u32 = 130;

/// Renders `page` at `at`.
pub(crate) fn page_html(page: &TeamPage, at: DateTime<Utc>) -> Result<String> {
    let tz = page.timezone;
    let html = Html {
        name: page.name.clone(),
        at: when(at, tz),
        zone: tz.name().to_string(),
        now: now_cards(page, tz),
        chain: chain(page),
        roles: page.roles.clone(),
        weeks: page.weeks.iter().map(|w| week_row(w, tz)).collect(),
        horizon: page
            .horizon
            .map(|(a, b)| format!("{a} to the week of {b}"))
            .unwrap_or_default(),
        chart_w: LABEL_W + PLOT_W + VALUE_W,
        chart_h: ROW_H * page.loads.len() as u32 + 8,
        label_x: LABEL_W - 8,
        bar_x: LABEL_W,
        bars: bars(&page.loads),
        not_eligible: page
            .not_eligible
            .iter()
            .map(|(p, why)| format!("{}: {why}", p.name))
            .collect(),
        time_off: page
            .time_off
            .iter()
            .map(|t| format!("{}: {} to {}", t.person.name, t.start, t.end))
            .collect(),
    };
    Ok(html.render()?)
}

fn when(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz)
        .format("%a %Y-%m-%d %H:%M %Z")
        .to_string()
}

fn now_cards(page: &TeamPage, tz: Tz) -> Vec<NowCard> {
    page.now
        .roles
        .iter()
        .map(|r| {
            let until = r
                .until
                .as_deref()
                .and_then(|u| DateTime::parse_from_rfc3339(u).ok())
                .map(|u| format!("until {}", when(u.with_timezone(&Utc), tz)));
            let covering = r.covering.as_ref().map(|c| format!("covering {}", c.name));
            let cover = (!r.needs_cover.is_empty())
                .then(|| format!("needs cover: {}", r.needs_cover.join("; ")));
            NowCard {
                role: r.role.clone(),
                who: r
                    .holder
                    .as_ref()
                    .map_or_else(|| "nobody".to_string(), |h| h.name.clone()),
                detail: [until, covering, cover]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(", "),
                runbook: r.runbook.clone().unwrap_or_default(),
            }
        })
        .collect()
}

fn chain(page: &TeamPage) -> Vec<String> {
    page.now
        .escalation
        .iter()
        .map(|s| {
            let who = s.person.as_ref().map_or("nobody", |p| p.name.as_str());
            format!("{}: {who}", s.label)
        })
        .collect()
}

fn week_row(w: &oncall::view::page::PageWeek, tz: Tz) -> WeekRow {
    WeekRow {
        week: w.first_day.format("%a %Y-%m-%d").to_string(),
        cells: w
            .roles
            .iter()
            .map(|held| held.iter().map(|s| held_cell(s, held.len(), tz)).collect())
            .collect(),
    }
}

fn held_cell(s: &Stretch, pieces: usize, tz: Tz) -> Held {
    let short = |t: DateTime<Utc>| t.with_timezone(&tz).format("%a %H:%M").to_string();
    let mut note = Vec::new();
    if pieces > 1 || s.is_override {
        note.push(format!("{} to {}", short(s.start), short(s.end)));
    }
    if let Some(c) = &s.covering {
        note.push(format!("covering {}", c.name));
    }
    Held {
        who: s.person.name.clone(),
        note: note.join(", "),
        is_override: s.is_override,
        needs_cover: s.needs_cover.join("; "),
    }
}

fn bars(loads: &[PageLoad]) -> Vec<Bar> {
    let top = loads
        .iter()
        .map(|l| l.load.max(l.share))
        .fold(0.0f64, f64::max)
        .max(1e-9);
    let x = |v: f64| f64::from(LABEL_W) + v / top * f64::from(PLOT_W);
    loads
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let y = 4 + ROW_H * i as u32;
            Bar {
                name: l.person.name.clone(),
                y,
                text_y: y + 13,
                width: format!("{:.1}", x(l.load) - f64::from(LABEL_W)),
                fill: if l.load > l.share + 0.005 {
                    "#d9534f"
                } else {
                    "#4a90d9"
                },
                share_x: format!("{:.1}", x(l.share)),
                share_y1: y.saturating_sub(3),
                share_y2: y + 19,
                value_x: format!("{:.1}", x(l.load.max(l.share)) + 6.0),
                value: format!("{:.2} / {:.2}", l.load, l.share),
                title: format!(
                    "{}: load {:.2}, share {:.2}",
                    l.person.name, l.load, l.share
                ),
            }
        })
        .collect()
}
