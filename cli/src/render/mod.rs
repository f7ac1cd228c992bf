//! Rendering plans for people (tables) and programs (JSON, CSV).

mod fairness;
mod page;
mod schedule;

pub(crate) use fairness::fairness_html;
pub(crate) use page::page_html;

pub(crate) use schedule::{
    audit, drift, local, person_timelines, replan_diff, row, sidelined, swap_matches, terminal,
    timeline, who,
};

use anyhow::Result;
use comfy_table::{presets, CellAlignment, Table};
use oncall::model::Workspace;
use oncall::PlanDoc;

use crate::args::Format;

/// One line: team, horizon, status and what was proven.
pub(crate) fn summary_line(doc: &PlanDoc) -> String {
    let weeks = doc.horizon.as_ref().map(|h| h.weeks).unwrap_or(0);
    let first = doc
        .horizon
        .as_ref()
        .map(|h| h.first_week.to_string())
        .unwrap_or_default();
    let proof = match doc.status.as_str() {
        "optimal" => "proven optimal".to_string(),
        "feasible" => format!(
            "not proven: bound {}, gap {:.2}%",
            fmt_num(doc.solver.bound),
            doc.solver.gap * 100.0
        ),
        "partial" => format!("{} slot(s) unfilled", doc.unfilled.len()),
        _ => "no slot can be filled".to_string(),
    };
    format!(
        "{}: {} weeks from {} ({}) — {}, largest excess {} ({})",
        doc.team,
        weeks,
        first,
        doc.timezone,
        doc.status,
        fmt_num(doc.fairness.max_excess),
        proof
    )
}

fn fmt_num(x: f64) -> String {
    let s = format!("{x:.2}");
    if s == "-0.00" {
        "0.00".to_string()
    } else {
        s
    }
}

/// Weeks in order with the person in each role, `—` for an unfilled slot.
fn grid(ws: &Workspace, doc: &PlanDoc) -> (Vec<String>, Vec<Vec<String>>) {
    let roles: Vec<String> = ws
        .team_by_id(&doc.team)
        .map(|t| ws.team(t).roles.iter().map(|r| r.name.clone()).collect())
        .unwrap_or_default();
    let mut weeks: Vec<chrono::NaiveDate> = doc
        .shifts
        .iter()
        .map(|s| s.week)
        .chain(doc.unfilled.iter().map(|u| u.week))
        .collect();
    weeks.sort();
    weeks.dedup();
    let rows = weeks
        .iter()
        .map(|w| {
            let mut row = vec![w.to_string()];
            for role in &roles {
                let cell = doc
                    .shifts
                    .iter()
                    .find(|s| s.week == *w && &s.role == role)
                    .map(|s| s.person.clone())
                    .unwrap_or_else(|| "— unfilled".to_string());
                row.push(cell);
            }
            row
        })
        .collect();
    (roles, rows)
}

fn fairness_rows(doc: &PlanDoc) -> Vec<Vec<String>> {
    doc.fairness
        .people
        .iter()
        .map(|p| {
            vec![
                p.person.clone(),
                p.available_weeks.to_string(),
                fmt_num(p.carry),
                fmt_num(p.load),
                fmt_num(p.share),
                format!("{:+.2}", p.deviation).replace("-0.00", "+0.00"),
            ]
        })
        .collect()
}

const FAIRNESS_HEADER: [&str; 6] = ["person", "weeks", "carry", "load", "share", "deviation"];

/// The terminal view: a summary line, a week-by-role table and a fairness table.
pub(crate) fn table(ws: &Workspace, doc: &PlanDoc) -> String {
    let (roles, rows) = grid(ws, doc);
    let mut t = Table::new();
    t.load_preset(presets::UTF8_FULL_CONDENSED);
    let mut header = vec!["week".to_string()];
    header.extend(roles);
    t.set_header(header);
    for r in rows {
        t.add_row(row(r));
    }
    let mut f = Table::new();
    f.load_preset(presets::UTF8_FULL_CONDENSED);
    f.set_header(FAIRNESS_HEADER);
    for r in fairness_rows(doc) {
        f.add_row(row(r));
    }
    for col in 1..6 {
        if let Some(c) = f.column_mut(col) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
    let mut out = format!(
        "{}\n\n{t}\n\nFairness (load units; deviation = load - share)\n{f}\n",
        summary_line(doc)
    );
    if !doc.unfilled.is_empty() {
        out.push_str("\nUnfilled slots\n");
        for u in &doc.unfilled {
            out.push_str(&format!("  {} {}: {}\n", u.week, u.role, u.reason));
        }
    }
    out
}

/// Markdown: the same tables as GitHub-flavoured Markdown.
pub(crate) fn markdown(ws: &Workspace, doc: &PlanDoc) -> String {
    let (roles, rows) = grid(ws, doc);
    let md_row = |cells: &[String]| format!("| {} |\n", cells.join(" | "));
    let mut out = format!("# On-call plan: {}\n\n{}\n\n", doc.team, summary_line(doc));
    let mut header = vec!["week".to_string()];
    header.extend(roles);
    out.push_str(&md_row(&header));
    out.push_str(&md_row(
        &header.iter().map(|_| "---".to_string()).collect::<Vec<_>>(),
    ));
    for r in rows {
        out.push_str(&md_row(&r));
    }
    out.push_str("\n## Fairness\n\n");
    let fh: Vec<String> = FAIRNESS_HEADER.iter().map(|s| s.to_string()).collect();
    out.push_str(&md_row(&fh));
    out.push_str(&md_row(
        &["---", "---:", "---:", "---:", "---:", "---:"].map(String::from),
    ));
    for r in fairness_rows(doc) {
        out.push_str(&md_row(&r));
    }
    if !doc.unfilled.is_empty() {
        out.push_str("\n## Unfilled slots\n\n");
        for u in &doc.unfilled {
            out.push_str(&format!("- {} {}: {}\n", u.week, u.role, u.reason));
        }
    }
    out
}

/// A plan in the format asked for.
pub(crate) fn plan(ws: &Workspace, doc: &PlanDoc, format: Format) -> Result<String> {
    Ok(match format {
        Format::Table => table(ws, doc),
        Format::Json => json(doc)?,
        Format::Csv => csv(doc)?,
        Format::Md => markdown(ws, doc),
    })
}

/// Plan JSON, schema 1, pretty-printed.
pub(crate) fn json(doc: &PlanDoc) -> Result<String> {
    Ok(serde_json::to_string_pretty(doc)? + "\n")
}

/// One row per slot: `week,role,person,start,end,load,status` where an
/// unfilled slot has an empty person and its reason in `note`.
pub(crate) fn csv(doc: &PlanDoc) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["week", "role", "person", "start", "end", "load", "note"])?;
    let mut rows: Vec<(chrono::NaiveDate, usize, Vec<String>)> = Vec::new();
    for (k, s) in doc.shifts.iter().enumerate() {
        rows.push((
            s.week,
            k,
            vec![
                s.week.to_string(),
                s.role.clone(),
                s.person.clone(),
                s.start.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                s.end.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                format!("{}", s.load),
                String::new(),
            ],
        ));
    }
    for (k, u) in doc.unfilled.iter().enumerate() {
        rows.push((
            u.week,
            doc.shifts.len() + k,
            vec![
                u.week.to_string(),
                u.role.clone(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                format!("unfilled: {}", u.reason),
            ],
        ));
    }
    rows.sort_by_key(|(w, k, _)| (*w, *k));
    for (_, _, r) in rows {
        w.write_record(&r)?;
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}

/// The time of each phase of a solve, one line each, and the total.
pub(crate) fn phases(doc: &oncall::PlanDoc) -> String {
    use std::fmt::Write as _;
    let mut out = String::from("phases:\n");
    let mut total = 0.0;
    for p in &doc.solver.phases {
        total += p.seconds;
        let _ = writeln!(out, "  {:<16} {:>9.4} s", p.name, p.seconds);
    }
    let _ = writeln!(out, "  {:<16} {:>9.4} s", "total", total);
    out
}
