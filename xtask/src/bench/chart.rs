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

/// Writes the chart of every outcome that has CPU figures to `path`.
pub fn write(outcomes: &[Outcome], title: &str, path: &Path) -> anyhow::Result<()> {
    let rows: Vec<&Outcome> = outcomes.iter().filter(|o| o.stats.cpu.is_some()).collect();
    anyhow::ensure!(!rows.is_empty(), "nothing to chart");
    let n = rows.len();
    let height = 90 + ROW * n as u32;
    let root = SVGBackend::new(path, (LABELS + 3 * PANEL, height)).into_drawing_area();
    root.fill(&WHITE).map_err(err)?;
    let root = root.titled(title, ("sans-serif", 18)).map_err(err)?;
    let (left, rest) = root.split_horizontally(LABELS + PANEL);
    let (middle, right) = rest.split_horizontally(PANEL);
    let names: Vec<String> = rows.iter().map(|o| label(o)).collect();

    let rps: Vec<f64> = rows.iter().map(|o| o.stats.rps).collect();
    panel(&left, "req/s", &rps, THROUGHPUT, Some(names.as_slice()))?;
    let p99: Vec<f64> = rows.iter().map(|o| o.stats.p99_ms).collect();
    panel(&middle, "p99 ms", &p99, LATENCY, None)?;

    // CPU: server, then PostgreSQL's share stacked after it.
    let cpu: Vec<(f64, f64)> =
        rows.iter().filter_map(|o| o.stats.cpu.map(|c| (c.server_us, c.pg_us))).collect();
    let max = cpu.iter().map(|(s, p)| s + p).fold(1.0, f64::max) * 1.08;
    let mut chart = ChartBuilder::on(&right)
        .caption("CPU µs/request: server + PostgreSQL", ("sans-serif", 14))
        .margin(6)
        .x_label_area_size(24)
        .y_label_area_size(0)
        .build_cartesian_2d(0.0..max, (0..n).into_segmented())
        .map_err(err)?;
    chart.configure_mesh().disable_y_mesh().x_labels(5).draw().map_err(err)?;
    for (i, (server, pg)) in cpu.iter().enumerate() {
        chart
            .draw_series([bar(i, 0.0, *server, SERVER), bar(i, *server, server + pg, POSTGRES)])
            .map_err(err)?;
    }
    chart
        .draw_series([Rectangle::new(
            [(0.0, SegmentValue::Exact(0)), (0.0, SegmentValue::Exact(0))],
            SERVER.filled(),
        )])
        .map_err(err)?
        .label("server")
        .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 10, y + 5)], SERVER.filled()));
    chart
        .draw_series([Rectangle::new(
            [(0.0, SegmentValue::Exact(0)), (0.0, SegmentValue::Exact(0))],
            POSTGRES.filled(),
        )])
        .map_err(err)?
        .label("PostgreSQL")
        .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 10, y + 5)], POSTGRES.filled()));
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
fn label(o: &Outcome) -> String {
    let mut name: String = o.scenario.chars().take(52).collect();
    if name.len() < o.scenario.len() {
        name.push('…');
    }
    format!("{name} ({})", o.connections)
}

fn err<E: std::fmt::Debug>(e: E) -> anyhow::Error {
    anyhow::anyhow!("chart: {e:?}")
}
