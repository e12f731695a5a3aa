//! Labelled scatter plot.

use plotters::prelude::*;
use plotters::style::text_anchor::HPos;

use super::canvas::{Canvas, PAD, Res, Txt, err, header, header_height, render, watermark};
use super::input::{ChartText, Point};
use super::style::{GRID, INK, MUTED, POINT_FILL};
use super::text::{NO_DATA, clean, fit, fmt_tick, text_width, wrap};

/// Axis range for `values`: data range plus 10% padding (±1 for a single
/// value), not extended below 0 when all data are non-negative.
fn axis_range(values: impl Iterator<Item = f64> + Clone) -> (f64, f64) {
    let lo = values.clone().fold(f64::INFINITY, f64::min);
    let hi = values.fold(f64::NEG_INFINITY, f64::max);
    let span = hi - lo;
    let pad = if span > 0.0 { span * 0.1 } else { (lo.abs() * 0.1).max(1.0) };
    let mut a = lo - pad;
    if lo >= 0.0 && a < 0.0 {
        a = 0.0;
    }
    (a, hi + pad)
}

/// Axis-aligned box for label placement.
#[derive(Clone, Copy)]
struct BoxF {
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
}

impl BoxF {
    fn overlap(&self, o: &BoxF) -> f64 {
        let w = self.x1.min(o.x1) - self.x0.max(o.x0);
        let h = self.y1.min(o.y1) - self.y0.max(o.y0);
        if w > 0.0 && h > 0.0 { w * h } else { 0.0 }
    }
    fn area(&self) -> f64 {
        (self.x1 - self.x0) * (self.y1 - self.y0)
    }
}

/// Labelled scatter plot. No fitted line (the page reports Spearman's rho
/// separately). Non-finite points are skipped; with nothing left the chart
/// says "no data". Labels are placed greedily, in input order, at the first
/// of eight positions around the point that overlaps nothing. A label that
/// would overlap another label, a point or the frame wherever it goes is
/// never drawn over them: its point gets a number instead, and a key under
/// the plot lists the numbered points with their names.
pub fn scatter(text: &ChartText, points: &[Point], x_label: &str, y_label: &str, sample: bool) -> String {
    const W: i32 = 760;
    const H: i32 = 480;
    const KEY_LINE: i32 = 15;
    let pts: Vec<(String, f64, f64)> =
        points.iter().filter(|p| p.x.is_finite() && p.y.is_finite()).map(|p| (clean(&p.label), p.x, p.y)).collect();
    let (xl, yl) = (clean(x_label), clean(y_label));
    let top = header_height(sample);

    // The plot never depends on the key's height, so a first drawing tells which points need a
    // number, and only then is the key's room known.
    let numbered = std::cell::RefCell::new(Vec::<String>::new());
    let draw = |key: &[String]| {
        numbered.borrow_mut().clear();
        let key_h = if key.is_empty() { 0 } else { 12 + key.len() as i32 * KEY_LINE };
        render(text, (W, H + key_h), |cv| {
            for (i, line) in key.iter().enumerate() {
                cv.text(line, PAD, H + 4 + i as i32 * KEY_LINE, Txt::new(11.0, INK))?;
            }
            plot(cv, text, &pts, (&xl, &yl), (top, H), sample, &mut numbered.borrow_mut())
        })
    };
    let first = draw(&[]);
    let names = numbered.borrow().clone();
    if names.is_empty() {
        return first;
    }
    let entries = names.iter().enumerate().map(|(i, n)| format!("{} {n}", i + 1)).collect::<Vec<_>>().join(" · ");
    let mut key = wrap(&format!("Numbered points: {entries}"), 11.0, f64::from(W - 2 * PAD), 40);
    key.retain(|l| !l.is_empty());
    draw(&key)
}

/// The plot of [`scatter`] in the top `h` pixels (title included): axes, points, labels;
/// `numbered` receives, in order, the names of points that got a number instead of a label.
fn plot(
    cv: &Canvas,
    text: &ChartText,
    pts: &[(String, f64, f64)],
    (xl, yl): (&str, &str),
    (top, h): (i32, i32),
    sample: bool,
    numbered: &mut Vec<String>,
) -> Res {
    {
        header(cv, text, sample)?;
        let (plot_area, _) = cv.area.split_vertically(h);
        let area = plot_area.margin(top, PAD, PAD, PAD + 8);
        let (xr, yr) = if pts.is_empty() {
            ((0.0, 1.0), (0.0, 1.0))
        } else {
            (axis_range(pts.iter().map(|p| p.1)), axis_range(pts.iter().map(|p| p.2)))
        };
        let mut chart = ChartBuilder::on(&area)
            .x_label_area_size(46)
            .y_label_area_size(62)
            .build_cartesian_2d(xr.0..xr.1, yr.0..yr.1)
            .map_err(err)?;
        let tick_font = FontDesc::new(FontFamily::SansSerif, 11.0 * 1.24, FontStyle::Normal);
        let desc_font = FontDesc::new(FontFamily::SansSerif, 12.0 * 1.24, FontStyle::Normal);
        let mut mesh = chart.configure_mesh();
        mesh.bold_line_style(GRID)
            .light_line_style(TRANSPARENT)
            .axis_style(INK)
            .label_style(TextStyle::from(tick_font).color(&MUTED))
            .axis_desc_style(TextStyle::from(desc_font).color(&INK))
            .x_desc(xl)
            .y_desc(yl)
            .x_labels(8)
            .y_labels(8)
            .x_label_formatter(&fmt_tick)
            .y_label_formatter(&fmt_tick);
        if pts.is_empty() {
            // Keep the frame and axis titles, but no made-up tick values.
            mesh.x_labels(0).y_labels(0);
        }
        mesh.draw().map_err(err)?;
        let (px, py) = chart.plotting_area().get_pixel_range();
        let (cx, cy) = ((px.start + px.end) / 2, (py.start + py.end) / 2);
        watermark(cv, sample, cx, cy)?;
        if pts.is_empty() {
            return cv.text(NO_DATA, cx, cy, Txt::new(14.0, MUTED).italic().center());
        }

        let coords: Vec<(i32, i32)> = pts.iter().map(|p| chart.backend_coord(&(p.1, p.2))).collect();
        for &(x, y) in &coords {
            cv.dot(x, y, 5, POINT_FILL)?;
        }
        let bounds = BoxF { x0: px.start as f64, y0: py.start as f64, x1: px.end as f64, y1: py.end as f64 };
        let dots: Vec<BoxF> = coords
            .iter()
            .map(|&(x, y)| {
                let (x, y) = (x as f64, y as f64);
                BoxF { x0: x - 6.0, y0: y - 6.0, x1: x + 6.0, y1: y + 6.0 }
            })
            .collect();
        let mut placed: Vec<BoxF> = Vec::new();
        for (k, ((label, _, _), &(x, y))) in pts.iter().zip(&coords).enumerate() {
            let fitted = fit(label, 11.0, false, 170.0);
            let (xf, yf) = (x as f64, y as f64);
            let others: Vec<BoxF> = dots.iter().enumerate().filter(|(d, _)| *d != k).map(|(_, d)| *d).collect();
            let (score, spot) = best_spot(&fitted, xf, yf, &bounds, &placed, &others);
            let (shown, spot) = if score == 0.0 {
                (fitted, spot)
            } else {
                numbered.push(label.clone());
                let mark = numbered.len().to_string();
                let (_, spot) = best_spot(&mark, xf, yf, &bounds, &placed, &others);
                (mark, spot)
            };
            let (ax, ay, hpos, b) = spot;
            let t = Txt::new(11.0, INK).align(hpos);
            cv.text(&shown, ax.round() as i32, ay.round() as i32, t)?;
            placed.push(b);
        }
        Ok(())
    }
}

/// The least overlapping of eight positions around (x, y) for `label`: (overlap score, (anchor
/// x, anchor y, alignment, box)); a score of 0 overlaps nothing and stays inside the frame.
fn best_spot(
    label: &str,
    xf: f64,
    yf: f64,
    bounds: &BoxF,
    placed: &[BoxF],
    dots: &[BoxF],
) -> (f64, (f64, f64, HPos, BoxF)) {
    let lw = text_width(label, 11.0, false);
    // (anchor x, anchor y, alignment, box left edge)
    let candidates = [
        (xf + 9.0, yf, HPos::Left, xf + 9.0),
        (xf - 9.0, yf, HPos::Right, xf - 9.0 - lw),
        (xf, yf - 14.0, HPos::Center, xf - lw / 2.0),
        (xf, yf + 14.0, HPos::Center, xf - lw / 2.0),
        (xf + 6.0, yf - 12.0, HPos::Left, xf + 6.0),
        (xf + 6.0, yf + 12.0, HPos::Left, xf + 6.0),
        (xf - 6.0, yf - 12.0, HPos::Right, xf - 6.0 - lw),
        (xf - 6.0, yf + 12.0, HPos::Right, xf - 6.0 - lw),
    ];
    let mut best: Option<(f64, (f64, f64, HPos, BoxF))> = None;
    for (ax, ay, hpos, left) in candidates {
        let b = BoxF { x0: left, y0: ay - 7.0, x1: left + lw, y1: ay + 7.0 };
        let outside = b.area() - b.overlap(bounds);
        let score = outside * 10.0
            + placed.iter().map(|p| p.overlap(&b)).sum::<f64>()
            + dots.iter().map(|d| d.overlap(&b)).sum::<f64>();
        if best.as_ref().is_none_or(|(s, _)| score < *s) {
            best = Some((score, (ax, ay, hpos, b)));
        }
    }
    best.expect("eight candidates")
}
