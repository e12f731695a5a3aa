//! Labelled scatter plot.

use plotters::prelude::*;
use plotters::style::text_anchor::HPos;

use super::canvas::{PAD, Txt, err, header, header_height, render, watermark};
use super::input::{ChartText, Point};
use super::style::{GRID, INK, MUTED, POINT_FILL};
use super::text::{NO_DATA, clean, fit, fmt_tick, text_width};

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
/// of eight positions around the point that overlaps nothing (or the least
/// overlapping one), which is deterministic and good enough for ~30 models.
pub fn scatter(text: &ChartText, points: &[Point], x_label: &str, y_label: &str, sample: bool) -> String {
    const W: i32 = 760;
    const H: i32 = 480;
    let pts: Vec<(String, f64, f64)> =
        points.iter().filter(|p| p.x.is_finite() && p.y.is_finite()).map(|p| (clean(&p.label), p.x, p.y)).collect();
    let (xl, yl) = (clean(x_label), clean(y_label));
    let top = header_height(sample);

    render(text, (W, H), |cv| {
        header(cv, text, sample)?;
        let area = cv.area.margin(top, PAD, PAD, PAD + 8);
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
            .x_desc(xl.as_str())
            .y_desc(yl.as_str())
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
            let label = fit(label, 11.0, false, 170.0);
            let lw = text_width(&label, 11.0, false);
            let (xf, yf) = (x as f64, y as f64);
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
            let mut best: Option<(f64, usize, BoxF)> = None;
            for (c, &(_, ay, _, left)) in candidates.iter().enumerate() {
                let b = BoxF { x0: left, y0: ay - 7.0, x1: left + lw, y1: ay + 7.0 };
                let inside = b.overlap(&bounds);
                let mut score = (b.area() - inside) * 10.0;
                score += placed.iter().map(|p| p.overlap(&b)).sum::<f64>();
                score += dots.iter().enumerate().filter(|(d, _)| *d != k).map(|(_, d)| d.overlap(&b)).sum::<f64>();
                if best.is_none_or(|(s, _, _)| score < s) {
                    best = Some((score, c, b));
                }
            }
            if let Some((_, c, b)) = best {
                let (ax, ay, hpos, _) = candidates[c];
                let t = Txt::new(11.0, INK).align(hpos);
                cv.text(&label, ax.round() as i32, ay.round() as i32, t)?;
                placed.push(b);
            }
        }
        Ok(())
    })
}
