//! Horizontal bar chart with interval whiskers and group headers.

use super::canvas::{PAD, Txt, header, header_height, label_column, pct_pos, render, watermark};
use super::input::{Bar, ChartText, finite, interval};
use super::style::{BAR_FILL, GRID, INK, MUTED};
use super::text::{NO_DATA, clean, fit, fmt_pct};

/// Horizontal bars (ASR per relation or per model) with 95% interval
/// whiskers, grouped under group headers.
///
/// Horizontal rather than vertical so that long labels ("Spatial
/// Juxtaposition", long model names) sit on one line without rotation;
/// the height grows with the number of rows (760 px wide, 26 px per bar,
/// 24 px per group header). Each row shows the value right of the bar or
/// whisker ("23.4%") and n in a right-hand column ("n=317"). Missing values
/// read "no data" instead of drawing a zero-length bar. The value axis runs
/// from 0 to a round number just above the largest value or interval end (see
/// [`value_axis`]): bars that all sit below 30% would otherwise crowd into the left
/// quarter. The axis always starts at 0, so lengths stay proportional.
pub fn bar_chart(text: &ChartText, bars: &[Bar], sample: bool) -> String {
    bar_chart_with_axis(
        text,
        bars,
        sample,
        "Attack success rate (lower is safer)",
        "Bars: estimate. Whiskers: 95% interval. n: judged responses.",
    )
}

/// The value axis: (its end, its tick step), the end a multiple of the step just above the
/// largest value or interval end (at least 5%), with at most five steps, and never beyond 100%.
pub(super) fn value_axis(bars: &[Bar]) -> (f64, u32) {
    let top = bars
        .iter()
        .flat_map(|b| [finite(b.value), interval(b.interval).map(|(_, hi)| hi)])
        .flatten()
        .fold(5.0_f64, f64::max);
    for step in [1_u32, 2, 5, 10, 20] {
        let steps = (top / f64::from(step)).ceil().max(1.0);
        if steps <= 5.0 {
            return ((steps * f64::from(step)).min(100.0), step);
        }
    }
    (100.0, 20)
}

/// [`bar_chart`] with its own axis title and legend, for bars that are percentages of
/// something other than answers (the share of items that broke k models).
pub fn bar_chart_with_axis(text: &ChartText, bars: &[Bar], sample: bool, axis: &str, legend: &str) -> String {
    const W: i32 = 760;
    const ROW: i32 = 26;
    const GROUP_ROW: i32 = 24;
    const RIGHT: i32 = 112; // value label overflow + n column

    enum Row {
        Group(Option<String>),
        Bar(usize),
    }
    // A header row whenever the group changes; a change to "no group" still
    // gets a separator so ungrouped bars do not look like part of the group above.
    let mut rows = Vec::new();
    let mut current: Option<&str> = None;
    for (i, b) in bars.iter().enumerate() {
        let g = b.group.as_deref();
        if (i == 0 && g.is_some()) || (i > 0 && g != current) {
            rows.push(Row::Group(g.map(clean)));
        }
        current = g;
        rows.push(Row::Bar(i));
    }
    let labels: Vec<String> = bars.iter().map(|b| clean(&b.label)).collect();
    let label_w = label_column(&labels, 60.0, 220.0) + 14;
    let (x0, x1) = (PAD + label_w, W - PAD - RIGHT);
    let plot_top = header_height(sample) + 6;
    let rows_h: i32 = rows
        .iter()
        .map(|r| match r {
            Row::Group(_) => GROUP_ROW,
            Row::Bar(_) => ROW,
        })
        .sum();
    let plot_bottom = plot_top + rows_h.max(ROW) + 4;
    let h = plot_bottom + 68;
    let (end, step) = value_axis(bars);
    let pos = |v: f64| pct_pos(v / end * 100.0, x0, x1);

    render(text, (W, h), |cv| {
        header(cv, text, sample)?;
        watermark(cv, sample, (x0 + x1) / 2, (plot_top + plot_bottom) / 2 + 16)?;
        for t in (0..=end.round() as u32).step_by(step as usize) {
            let x = pos(f64::from(t));
            cv.line(x, plot_top, x, plot_bottom, GRID, 1)?;
            cv.line(x, plot_bottom, x, plot_bottom + 4, INK, 1)?;
            cv.text(&format!("{t}%"), x, plot_bottom + 14, Txt::new(11.0, MUTED).center())?;
        }
        cv.line(x0, plot_bottom, x1, plot_bottom, INK, 1)?;
        cv.text(axis, (x0 + x1) / 2, plot_bottom + 34, Txt::new(12.0, INK).center())?;
        cv.text(legend, PAD, h - 12, Txt::new(11.0, MUTED))?;
        if bars.is_empty() {
            let t = Txt::new(12.0, MUTED).italic().center();
            return cv.text(NO_DATA, (x0 + x1) / 2, plot_top + ROW / 2, t);
        }
        let mut y = plot_top;
        for row in &rows {
            match row {
                Row::Group(name) => {
                    if y > plot_top {
                        cv.line(PAD, y, W - PAD, y, GRID, 1)?;
                    }
                    if let Some(name) = name {
                        let name = fit(name, 12.0, true, (W - 2 * PAD) as f64);
                        cv.text(&name, PAD, y + GROUP_ROW / 2 + 1, Txt::new(12.0, INK).bold())?;
                    }
                    y += GROUP_ROW;
                }
                Row::Bar(i) => {
                    let b = &bars[*i];
                    let yc = y + ROW / 2;
                    let label = fit(&labels[*i], 12.0, false, (label_w - 14) as f64);
                    cv.text(&label, x0 - 8, yc, Txt::new(12.0, INK).right())?;
                    match finite(b.value) {
                        Some(v) => {
                            let xe = pos(v);
                            if xe > x0 {
                                cv.rect(x0, yc - 8, xe, yc + 8, BAR_FILL)?;
                            }
                            let mut right = xe;
                            if let Some((lo, hi)) = interval(b.interval) {
                                let (xa, xb) = (pos(lo), pos(hi));
                                cv.whisker_h(xa, xb, yc)?;
                                right = right.max(xb);
                            }
                            cv.text(&fmt_pct(v), right + 6, yc, Txt::new(12.0, INK))?;
                        }
                        None => cv.text(NO_DATA, x0 + 6, yc, Txt::new(12.0, MUTED).italic())?,
                    }
                    let n = format!("n={}", b.n);
                    cv.text(&n, W - PAD, yc, Txt::new(11.0, MUTED).right())?;
                    y += ROW;
                }
            }
        }
        Ok(())
    })
}
