//! The results as a picture beside the table: per scenario, req/s, p99 and
//! the CPU per request (server and PostgreSQL stacked), one SVG.

use std::path::Path;

use plotters::{coord::ranged1d::SegmentValue, prelude::*};

use super::scenarios::Outcome;

const ROW: u32 = 22;
const LABELS: u32 = 400;
const PANEL: u32 = 330;

const SERVER: RGBColor = RGBColor(0x3b, 0x6e, 0xa8);
const POSTGRES: RGBColor = RGBColor(0xe0, 0x8a, 0x2c);
const THROUGHPUT: RGBColor = RGBColor(0x4a, 0x9a, 0x5b);
const LATENCY: RGBColor = RGBColor(0xb8, 0x4a, 0x62);

/// One bar group: a scenario's figures.
pub struct Row {
    name: String,
    rps: f64,
    p99_ms: f64,
    server_us: f64,
    pg_us: f64,
}

/// The rows of the outcomes that have CPU figures.
pub fn rows(outcomes: &[Outcome]) -> Vec<Row> {
    outcomes
        .iter()
        .filter_map(|o| {
            let cpu = o.stats.cpu?;
            Some(Row {
                name: label(&o.scenario, o.connections),
                rps: o.stats.rps,
                p99_ms: o.stats.p99_ms,
                server_us: cpu.server_us,
                pg_us: cpu.pg_us,
            })
        })
        .collect()
}

/// The rows of a results file (`bench/results/<date>.json`), to draw again.
pub fn rows_of_json(report: &serde_json::Value) -> Vec<Row> {
    let outcomes = report["outcomes"].as_array().map(Vec::as_slice).unwrap_or_default();
    outcomes
        .iter()
        .filter_map(|o| {
            Some(Row {
                name: label(o["scenario"].as_str()?, o["connections"].as_u64()? as usize),
                rps: o["rps"].as_f64()?,
                p99_ms: o["p99_ms"].as_f64()?,
                server_us: o["server_us"].as_f64()?,
                pg_us: o["pg_us"].as_f64()?,
            })
        })
        .collect()
}

/// Writes the chart of `rows` to `path`. p99 and CPU are on log scales: a
/// login costs 100× a read, and a stalled paced run's p99 is seconds.
pub fn write(rows: &[Row], title: &str, path: &Path) -> anyhow::Result<()> {
    anyhow::ensure!(!rows.is_empty(), "nothing to chart");
    let n = rows.len();
    let height = 90 + ROW * n as u32;
    let root = SVGBackend::new(path, (LABELS + 3 * PANEL, height)).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let root = root.titled(title, ("sans-serif", 18)).map_err(err)?;
    let (left, rest) = root.split_horizontally(LABELS + PANEL);
    let (middle, right) = rest.split_horizontally(PANEL);
    let names: Vec<String> = rows.iter().map(|r| r.name.clone()).collect();

    let rps: Vec<f64> = rows.iter().map(|r| r.rps).collect();
    panel(&left, "req/s", &rps, THROUGHPUT, Some(names.as_slice()))?;
    let p99: Vec<f64> = rows.iter().map(|r| r.p99_ms).collect();
    log_panel(&middle, "p99 ms (log scale)", &p99, LATENCY)?;

    // CPU: server, then PostgreSQL's share stacked after it.
    let floor = 10.0;
    let max = rows.iter().map(|r| r.server_us + r.pg_us).fold(floor * 2.0, f64::max) * 1.5;
    let mut chart = ChartBuilder::on(&right)
        .caption("CPU µs/request: server + PostgreSQL (log)", ("sans-serif", 14))
        .margin(6)
        .x_label_area_size(24)
        .y_label_area_size(0)
        .build_cartesian_2d((floor..max).log_scale(), (0..n).into_segmented())
        .map_err(err)?;
    chart.configure_mesh().disable_y_mesh().x_labels(4).draw().map_err(err)?;
    for (i, r) in rows.iter().enumerate() {
        let server = r.server_us.max(floor);
        chart
            .draw_series([bar(i, floor, server, SERVER), bar(i, server, server + r.pg_us, POSTGRES)])
            .map_err(err)?;
    }
    for (name, colour) in [("server", SERVER), ("PostgreSQL", POSTGRES)] {
        chart
            .draw_series([bar(0, floor, floor, colour)])
            .map_err(err)?
            .label(name)
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 10, y + 5)], colour.filled()));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()
        .map_err(err)?;
    root.present().map_err(err)?;
    Ok(())
}

/// A panel of horizontal bars on a log scale, without names.
fn log_panel(
    area: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    caption: &str,
    values: &[f64],
    colour: RGBColor,
) -> anyhow::Result<()> {
    let n = values.len();
    let floor = 0.1;
    let max = values.iter().copied().fold(floor * 10.0, f64::max) * 1.5;
    let mut chart = ChartBuilder::on(area)
        .caption(caption, ("sans-serif", 14))
        .margin(6)
        .x_label_area_size(24)
        .y_label_area_size(0)
        .build_cartesian_2d((floor..max).log_scale(), (0..n).into_segmented())
        .map_err(err)?;
    chart.configure_mesh().disable_y_mesh().x_labels(4).draw().map_err(err)?;
    chart
        .draw_series(values.iter().enumerate().map(|(i, v)| bar(i, floor, v.max(floor), colour)))
        .map_err(err)?;
    Ok(())
}

/// One panel of horizontal bars; the first carries the scenario names.
fn panel(
    area: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    caption: &str,
    values: &[f64],
    colour: RGBColor,
    names: Option<&[String]>,
) -> anyhow::Result<()> {
    let n = values.len();
    let max = values.iter().copied().fold(1.0, f64::max) * 1.08;
    let mut chart = ChartBuilder::on(area)
        .caption(caption, ("sans-serif", 14))
        .margin(6)
        .x_label_area_size(24)
        .y_label_area_size(if names.is_some() { LABELS } else { 0 })
        .build_cartesian_2d(0.0..max, (0..n).into_segmented())
        .map_err(err)?;
    let formatter = |v: &SegmentValue<usize>| match (v, names) {
        (SegmentValue::CenterOf(i), Some(names)) => names.get(*i).cloned().unwrap_or_default(),
        _ => String::new(),
    };
    chart
        .configure_mesh()
        .disable_y_mesh()
        .x_labels(5)
        .y_labels(n)
        .y_label_formatter(&formatter)
        .draw()
        .map_err(err)?;
    chart.draw_series(values.iter().enumerate().map(|(i, v)| bar(i, 0.0, *v, colour))).map_err(err)?;
    Ok(())
}

fn bar(i: usize, from: f64, to: f64, colour: RGBColor) -> Rectangle<(f64, SegmentValue<usize>)> {
    let mut r =
        Rectangle::new([(from, SegmentValue::Exact(i)), (to, SegmentValue::Exact(i + 1))], colour.filled());
    r.set_margin(3, 3, 0, 0);
    r
}

/// A scenario's name and connections, short enough for the label column.
fn label(scenario: &str, connections: usize) -> String {
    let mut name: String = scenario.chars().take(52).collect();
    if name.len() < scenario.len() {
        name.push('…');
    }
    format!("{name} ({connections})")
}

fn err<E: std::fmt::Debug>(e: E) -> anyhow::Error {
    anyhow::anyhow!("chart: {e:?}")
}
