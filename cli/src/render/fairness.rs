//! The fairness report as one self-contained HTML page: tables and inline
//! SVG charts drawn here, every text escaped by the template.

use anyhow::Result;
use askama::Template;
use oncall::pay::fairness::{FairnessReport, PersonFairness};

use crate::fairness::{dec_text, load_text};

const PALETTE: [&str; 10] = [
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2",
    "#7f7f7f", "#bcbd22",
];

#[derive(Template)]
#[template(path = "fairness.html")]
struct Page {
    range: String,
    teams: String,
    currency: String,
    quarters: Vec<String>,
    rows: Vec<Row>,
    line: LineChart,
    heat: HeatMap,
}

struct Row {
    name: String,
    color: &'static str,
    cells: Vec<String>,
    over: bool,
    quarters: Vec<String>,
}

struct Label {
    x: String,
    y: String,
    text: String,
}

struct Series {
    name: String,
    color: &'static str,
    points: String,
}

struct LineChart {
    width: u32,
    height: u32,
    left: u32,
    right: u32,
    zero_y: String,
    x_labels: Vec<Label>,
    y_labels: Vec<Label>,
    series: Vec<Series>,
}

struct Cell {
    x: u32,
    y: u32,
    fill: String,
    text: Label,
    dark: bool,
    title: String,
}

struct HeatMap {
    width: u32,
    height: u32,
    cell_w: u32,
    cell_h: u32,
    rows: Vec<Label>,
    cols: Vec<Label>,
    cells: Vec<Cell>,
}

/// Renders `r` as a self-contained HTML page.
pub(crate) fn fairness_html(r: &FairnessReport) -> Result<String> {
    let page = Page {
        range: format!("{} to {}", r.range.from, r.range.to),
        teams: r.teams.join(", "),
        currency: r.currency.clone(),
        quarters: r.quarters.iter().map(|q| q.label.clone()).collect(),
        rows: r.people.iter().enumerate().map(row).collect(),
        line: line_chart(r),
        heat: heat_map(r),
    };
    Ok(page.render()?)
}

fn color(i: usize) -> &'static str {
    PALETTE[i % PALETTE.len()]
}

fn row((i, p): (usize, &PersonFairness)) -> Row {
    let t = &p.total;
    Row {
        name: p.name.clone(),
        color: color(i),
        cells: vec![
            load_text(t.load),
            load_text(t.share),
            format!("{:+.2}", t.excess),
            dec_text(t.weekend_days),
            dec_text(t.holiday_days),
            dec_text(t.night_hours),
            t.pages.to_string(),
            t.amount.to_string(),
            dec_text(t.time_off_days),
        ],
        over: t.excess > 0.005,
        quarters: p
            .quarters
            .iter()
            .map(|f| format!("{:.2} / {:.2}", f.load, f.share))
            .collect(),
    }
}

fn line_chart(r: &FairnessReport) -> LineChart {
    // The right margin holds half of the last quarter's centred label.
    let (width, height, left, right, top, bottom) = (720u32, 320u32, 56u32, 40u32, 16u32, 36u32);
    let all = r.people.iter().flat_map(|p| p.cumulative_excess.iter());
    let hi = all.clone().fold(0.5f64, |a, b| a.max(*b));
    let lo = all.fold(-0.5f64, |a, b| a.min(*b));
    let plot_h = f64::from(height - top - bottom);
    let y = |v: f64| f64::from(top) + (hi - v) / (hi - lo) * plot_h;
    let n = r.quarters.len();
    let step = f64::from(width - left - right) / n.max(1) as f64;
    let x = |i: usize| f64::from(left) + step * i as f64;
    let mut x_labels = vec![label(x(0), f64::from(height - 12), "start")];
    x_labels.extend(
        r.quarters
            .iter()
            .enumerate()
            .map(|(i, q)| label(x(i + 1), f64::from(height - 12), &q.label)),
    );
    let (values, decimals) = ticks(lo, hi);
    let y_labels = values
        .into_iter()
        .map(|v| label(f64::from(left - 6), y(v) + 4.0, &tick_text(v, decimals)))
        .collect();
    let series = r
        .people
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let pts = std::iter::once(0.0).chain(p.cumulative_excess.iter().copied());
            let points: Vec<String> = pts
                .enumerate()
                .map(|(k, v)| format!("{:.1},{:.1}", x(k), y(v)))
                .collect();
            Series {
                name: p.name.clone(),
                color: color(i),
                points: points.join(" "),
            }
        })
        .collect();
    LineChart {
        width,
        height,
        left,
        right: width - right,
        zero_y: format!("{:.1}", y(0.0)),
        x_labels,
        y_labels,
        series,
    }
}

fn label(x: f64, y: f64, text: &str) -> Label {
    Label {
        x: format!("{x:.1}"),
        y: format!("{y:.1}"),
        text: text.to_string(),
    }
}

/// Round values from `lo` to `hi`: the smallest step of 1, 2, 2.5 or 5
/// times a power of ten that gives at most six, so zero is among them when
/// the range holds it; and the decimals their labels need.
fn ticks(lo: f64, hi: f64) -> (Vec<f64>, usize) {
    let span = (hi - lo).max(1e-9);
    let mut magnitude = 10f64.powf((span / 10.0).log10().floor());
    let mut step = magnitude;
    'search: for _ in 0..4 {
        for m in [1.0, 2.0, 2.5, 5.0] {
            step = m * magnitude;
            if (hi / step).floor() - (lo / step).ceil() < 6.0 {
                break 'search;
            }
        }
        magnitude *= 10.0;
    }
    let (first, last) = ((lo / step).ceil() as i64, (hi / step).floor() as i64);
    let values = (first..=last).map(|k| k as f64 * step).collect();
    let decimals = (0..=3)
        .find(|d| {
            let scaled = step * 10f64.powi(*d);
            (scaled - scaled.round()).abs() < 1e-6
        })
        .unwrap_or(3) as usize;
    (values, decimals)
}

/// A tick label: signed, zero as `0` (never `-0.0`).
fn tick_text(v: f64, decimals: usize) -> String {
    if v.abs() < 1e-9 {
        return "0".to_string();
    }
    format!("{v:+.decimals$}")
}

fn heat_map(r: &FairnessReport) -> HeatMap {
    let (name_w, cell_w, cell_h, head_h) = (160u32, 96u32, 32u32, 28u32);
    let value = |p: &PersonFairness, q: usize| {
        let f = &p.quarters[q];
        f.weekend_days + f.holiday_days
    };
    let max = r
        .people
        .iter()
        .flat_map(|p| (0..r.quarters.len()).map(move |q| value(p, q)))
        .max()
        .unwrap_or_default();
    let mut cells = Vec::new();
    for (i, p) in r.people.iter().enumerate() {
        for (q, span) in r.quarters.iter().enumerate() {
            let v = value(p, q);
            let share = if max.is_zero() {
                0.0
            } else {
                f64::try_from(v / max).unwrap_or(0.0)
            };
            let (x, y) = (name_w + cell_w * q as u32, head_h + cell_h * i as u32);
            let f = &p.quarters[q];
            cells.push(Cell {
                x,
                y,
                fill: format!("rgba(214,39,40,{:.2})", 0.08 + 0.87 * share),
                text: label(
                    f64::from(x + cell_w / 2),
                    f64::from(y + cell_h / 2 + 5),
                    &dec_text(v),
                ),
                dark: share > 0.55,
                title: format!(
                    "{} {}: {} weekend, {} holiday days",
                    p.name,
                    span.label,
                    dec_text(f.weekend_days),
                    dec_text(f.holiday_days)
                ),
            });
        }
    }
    let rows = (0..r.people.len())
        .map(|i| {
            let y = head_h + cell_h * i as u32 + cell_h / 2 + 5;
            label(f64::from(name_w - 8), f64::from(y), &r.people[i].name)
        })
        .collect();
    let cols = r
        .quarters
        .iter()
        .enumerate()
        .map(|(q, s)| {
            label(
                f64::from(name_w + cell_w * q as u32 + cell_w / 2),
                18.0,
                &s.label,
            )
        })
        .collect();
    HeatMap {
        width: name_w + cell_w * r.quarters.len() as u32 + 4,
        height: head_h + cell_h * r.people.len() as u32 + 4,
        cell_w,
        cell_h,
        rows,
        cols,
        cells,
    }
}

#[cfg(test)]
mod tests {
    use super::{tick_text, ticks};

    #[test]
    fn ticks_are_round_and_zero_is_plain() {
        let close = |(got, d): (Vec<f64>, usize), want: &[f64], decimals: usize| {
            assert_eq!(got.len(), want.len(), "{got:?}");
            assert!(
                got.iter().zip(want).all(|(a, b)| (a - b).abs() < 1e-9),
                "{got:?}"
            );
            assert_eq!(d, decimals);
        };
        close(ticks(-0.5, 0.5), &[-0.4, -0.2, 0.0, 0.2, 0.4], 1);
        close(ticks(-3.2, 7.9), &[-2.0, 0.0, 2.0, 4.0, 6.0], 0);
        close(ticks(-12.0, 31.0), &[-10.0, 0.0, 10.0, 20.0, 30.0], 0);
        close(ticks(-1.3, 0.5), &[-1.0, -0.5, 0.0, 0.5], 1);
        assert_eq!(tick_text(-0.0, 1), "0");
        assert_eq!(tick_text(-1e-12, 2), "0");
        assert_eq!(tick_text(2.5, 1), "+2.5");
        assert_eq!(tick_text(-10.0, 0), "-10");
    }
}
