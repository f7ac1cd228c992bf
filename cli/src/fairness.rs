//! `oncall report fairness`: fairness over the long run, per person and
//! calendar quarter, from the resolved timelines, as terminal tables, JSON,
//! CSV or a self-contained HTML page with charts.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use comfy_table::{presets, CellAlignment, Table};
use oncall::pay::fairness::{self, FairnessReport, Figures};
use oncall::pay::PayPeriod;

use crate::args::{FairnessArgs, FairnessFormat};
use crate::comp::{incidents, neutralise, pay_state};
use crate::workspace::{emit, find_team, load};

/// Runs `oncall report fairness`.
pub(crate) fn run(dir: &Path, args: FairnessArgs) -> Result<ExitCode> {
    let ws = load(dir)?;
    let team = args
        .team
        .as_deref()
        .map(|t| find_team(&ws, t))
        .transpose()?;
    let incidents = incidents(&ws, args.incidents.as_deref())?;
    let (timelines, closed) = pay_state(&ws)?;
    let range = PayPeriod {
        from: args.from,
        to: args.to,
    };
    let sources = fairness::Sources {
        timelines: &timelines,
        team,
        incidents: &incidents,
        closed: &closed,
    };
    let report = fairness::fairness(&ws, sources, range)?;
    let text = match args.format {
        FairnessFormat::Table => table(&report),
        FairnessFormat::Json => serde_json::to_string_pretty(&report)? + "\n",
        FairnessFormat::Csv => csv(&report)?,
        FairnessFormat::Html => crate::render::fairness_html(&report)?,
    };
    emit(args.out.as_deref(), &text)?;
    if let Some(out) = &args.out {
        eprintln!("wrote {}", out.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// A load, share or excess as written in reports: two decimals.
pub(crate) fn load_text(x: f64) -> String {
    format!("{x:.2}")
}

/// A day or hour count as written in reports: up to two decimals.
pub(crate) fn dec_text(d: rust_decimal::Decimal) -> String {
    d.round_dp(2).normalize().to_string()
}

const COLUMNS: [&str; 10] = [
    "load",
    "share",
    "excess",
    "hours",
    "weekend days",
    "holiday days",
    "night hours",
    "pages",
    "amount",
    "days off in lieu",
];

fn cells(f: &Figures) -> [String; 10] {
    [
        load_text(f.load),
        load_text(f.share),
        load_text(f.excess),
        dec_text(f.hours),
        dec_text(f.weekend_days),
        dec_text(f.holiday_days),
        dec_text(f.night_hours),
        f.pages.to_string(),
        f.amount.to_string(),
        dec_text(f.time_off_days),
    ]
}

fn table(r: &FairnessReport) -> String {
    let mut out = format!(
        "Fairness {} to {} (share: each team's load split equally among its members employed in the quarter)\n",
        r.range.from, r.range.to
    );
    let mut head = vec!["person", "quarter"];
    head.extend(COLUMNS);
    let mut t = Table::new();
    t.load_preset(presets::UTF8_FULL_CONDENSED);
    t.set_header(head);
    for p in &r.people {
        let name = p.name.clone();
        for (q, f) in r.quarters.iter().zip(&p.quarters) {
            let mut row = vec![name.clone(), q.label.clone()];
            row.extend(cells(f));
            t.add_row(crate::render::row(row));
        }
        let mut row = vec![name, "total".to_string()];
        row.extend(cells(&p.total));
        t.add_row(crate::render::row(row));
    }
    for i in 2..t.column_count() {
        if let Some(c) = t.column_mut(i) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
    out.push_str(&format!("{t}\n"));
    if r.people.is_empty() {
        out.push_str("nobody was on call in this range\n");
    }
    out
}

/// One row per person and quarter.
fn csv(r: &FairnessReport) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut head = vec!["employee_id", "name", "quarter", "from", "to"];
    head.extend(COLUMNS.map(|c| c));
    w.write_record(head.iter().map(|h| h.replace(' ', "_")))?;
    for p in &r.people {
        for (q, f) in r.quarters.iter().zip(&p.quarters) {
            let mut row = vec![
                neutralise(&p.employee_id),
                neutralise(&p.name),
                q.label.clone(),
                q.period.from.to_string(),
                q.period.to.to_string(),
            ];
            row.extend(cells(f));
            w.write_record(row)?;
        }
    }
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8(bytes)?)
}
